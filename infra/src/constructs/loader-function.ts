import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping/index.js';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function/index.js';
import { AssetType, Fn, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { type EnvironmentConfig, nameFor } from '../config.js';
import type { LambdaBundle } from '../lambda-package.js';
import { assumeRoleBy, policyDocument, viaServices } from '../policy.js';
import { MANIFEST_PREFIX } from './data-bucket.js';

/**
 * Services through which the Data API's grant is requested. The page says "Amazon Redshift creates a
 * grant on your behalf" without naming the endpoint; both Redshift Serverless and the Data API are
 * listed so that either works (unverified which one KMS sees).
 */
const DATA_API_KMS_SERVICES = ['redshift-serverless', 'redshift-data'] as const;

export interface LoaderFunctionProps {
  readonly config: EnvironmentConfig;
  readonly accountId: string;
  readonly bundle: LambdaBundle;
  readonly functionName: string;
  readonly logGroupName: string;
  readonly bucketName: string;
  readonly kmsKeyArn: string;
  readonly queueArn: string;
  readonly topicArn: string;
  readonly workgroupArn: string;
  readonly workgroupName: string;
  readonly database: string;
  readonly copyRoleArn: string;
  readonly subnetIds: string[];
  readonly subnetArns: string[];
  readonly securityGroupId: string;
  readonly securityGroupArn: string;
}

/**
 * The loader Lambda: its role (least privilege, one inline policy), log group, function (bundle
 * from @lakeload/lambda, in the private subnets) and the SQS event source with partial batch failures.
 */
export class LoaderFunction extends Construct {
  readonly role: IamRole;
  readonly function: LambdaFunction;
  readonly logGroup: CloudwatchLogGroup;
  readonly asset: TerraformAsset;
  readonly eventSource: LambdaEventSourceMapping;

  constructor(scope: Construct, id: string, props: LoaderFunctionProps) {
    super(scope, id);
    const { config, bundle, accountId } = props;
    const region = config.region;
    const bucketArn = `arn:aws:s3:::${props.bucketName}`;

    this.logGroup = new CloudwatchLogGroup(this, 'log-group', {
      name: props.logGroupName,
      retentionInDays: config.logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });

    const trust = policyDocument(this, 'role-trust', [assumeRoleBy(['lambda.amazonaws.com'])]);
    this.role = new IamRole(this, 'role', {
      name: nameFor(config, 'loader'),
      description:
        'lakeload loader Lambda: consume the queue, read the bucket, load Redshift via the Data API',
      assumeRolePolicy: trust.json,
    });
    const eni = `arn:aws:ec2:${region}:${accountId}:network-interface/*`;
    const document = policyDocument(this, 'role-policy-document', [
      {
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${this.logGroup.arn}:*`],
      },
      {
        sid: 'VpcNetworkInterfacesDescribe',
        actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
        resources: ['*'],
      },
      {
        sid: 'VpcNetworkInterfacesCreate',
        actions: ['ec2:CreateNetworkInterface'],
        resources: [eni, ...props.subnetArns, props.securityGroupArn],
      },
      {
        sid: 'VpcNetworkInterfacesManage',
        actions: [
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: [eni],
      },
      {
        sid: 'ConsumeQueue',
        actions: [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueAttributes',
        ],
        resources: [props.queueArn],
      },
      {
        sid: 'ReadLandedObjects',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [`${bucketArn}/*`],
      },
      {
        sid: 'WriteCopyManifests',
        actions: ['s3:PutObject'],
        resources: [`${bucketArn}/${MANIFEST_PREFIX}*`],
      },
      {
        // A missing key must answer 404, not 403: without ListBucket S3 hides whether an object exists,
        // and the loader would report "access denied" for a file that is simply gone.
        sid: 'ListLandingBucket',
        actions: ['s3:ListBucket'],
        resources: [bucketArn],
      },
      {
        // Decrypt: SSE-KMS objects (S3), queue messages (SQS, as the event source mapping reads with
        // this role), environment (Lambda). GenerateDataKey: manifests (S3), SNS publish. Only
        // through those services, never by a direct KMS call.
        sid: 'UseDataKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.kmsKeyArn],
        conditions: [viaServices(region, ['s3', 'sqs', 'sns', 'lambda'])],
      },
      {
        // The Data API on a namespace with a customer-managed key: Redshift creates a KMS grant on the
        // caller's behalf (docs.aws.amazon.com/redshift/latest/mgmt/data-api-kms.html). Only a grant
        // for an AWS resource, only through Redshift.
        sid: 'DataApiKeyGrant',
        actions: ['kms:CreateGrant'],
        resources: [props.kmsKeyArn],
        conditions: [
          viaServices(region, DATA_API_KMS_SERVICES),
          { test: 'Bool', variable: 'kms:GrantIsForAWSResource', values: ['true'] },
        ],
      },
      {
        // Separate from the grant: kms:GrantIsForAWSResource is absent on DescribeKey, and a Bool
        // condition on a missing key fails, so it would deny DescribeKey.
        sid: 'DataApiKeyDescribe',
        actions: ['kms:DescribeKey'],
        resources: [props.kmsKeyArn],
        conditions: [viaServices(region, DATA_API_KMS_SERVICES)],
      },
      {
        sid: 'DataApiRunOnWorkgroup',
        actions: ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement'],
        resources: [props.workgroupArn],
      },
      {
        // CancelStatement: the Redshift driver cancels a statement that outlives its deadline.
        sid: 'DataApiOwnStatements',
        actions: [
          'redshift-data:DescribeStatement',
          'redshift-data:GetStatementResult',
          'redshift-data:CancelStatement',
        ],
        resources: ['*'],
        // `$${…}` is Terraform's escape: IAM itself must see the policy variable ${aws:userid}.
        conditions: [
          {
            test: 'StringEquals',
            variable: 'redshift-data:statement-owner-iam-userid',
            values: ['$${aws:userid}'],
          },
        ],
      },
      {
        // Without a secret the Data API signs in as IAMR:<role name> through GetCredentials.
        sid: 'WarehouseCredentials',
        actions: ['redshift-serverless:GetCredentials'],
        resources: [props.workgroupArn],
      },
      { sid: 'PublishNotifications', actions: ['sns:Publish'], resources: [props.topicArn] },
    ]);
    const rolePolicy = new IamRolePolicy(this, 'role-policy', {
      name: 'loader',
      role: this.role.id,
      policy: document.json,
    });

    // TerraformAsset copies the zip into the synthesized stack, so cdktf.out/ is self-contained.
    this.asset = new TerraformAsset(this, 'bundle', { path: bundle.bundlePath, type: AssetType.FILE });
    this.function = new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      description: 'lakeload: loads Parquet objects announced on SQS into Redshift Serverless',
      role: this.role.arn,
      filename: this.asset.path,
      sourceCodeHash: Fn.filebase64sha256(this.asset.path),
      handler: bundle.handler,
      runtime: bundle.runtime,
      architectures: [bundle.architecture],
      memorySize: config.lambda.memoryMb,
      timeout: config.lambda.timeoutSeconds,
      // Unset (null) leaves the function on the account's unreserved pool: a reservation must leave
      // ≥ 100 unreserved (API_PutFunctionConcurrency), which new accounts with a quota of 10 cannot.
      ...(config.lambda.reservedConcurrency === null
        ? {}
        : { reservedConcurrentExecutions: config.lambda.reservedConcurrency }),
      kmsKeyArn: props.kmsKeyArn,
      vpcConfig: { subnetIds: props.subnetIds, securityGroupIds: [props.securityGroupId] },
      // Text: EMF metric lines must reach CloudWatch as raw JSON, not wrapped by Lambda's JSON format.
      loggingConfig: { logFormat: 'Text', logGroup: this.logGroup.name },
      environment: {
        variables: {
          // The schema named, so the function qualifies every table without asking the session first.
          LAKELOAD_WAREHOUSE_URL: `redshift-data://workgroup/${props.workgroupName}/${props.database}?schema=public`,
          LAKELOAD_COPY_ROLE_ARN: props.copyRoleArn,
          LAKELOAD_SNS_TOPIC_ARN: props.topicArn,
          LAKELOAD_MANIFEST_PREFIX: `s3://${props.bucketName}/${MANIFEST_PREFIX}`,
          POWERTOOLS_SERVICE_NAME: 'lakeload',
          POWERTOOLS_METRICS_NAMESPACE: 'lakeload',
          POWERTOOLS_LOG_LEVEL: config.lambda.logLevel,
        },
      },
      dependsOn: [this.logGroup, rolePolicy],
    });
    this.eventSource = new LambdaEventSourceMapping(this, 'queue-source', {
      eventSourceArn: props.queueArn,
      functionName: this.function.arn,
      batchSize: config.lambda.batchSize,
      maximumBatchingWindowInSeconds: config.lambda.maximumBatchingWindowSeconds,
      functionResponseTypes: ['ReportBatchItemFailures'],
      scalingConfig: { maximumConcurrency: config.lambda.maxConcurrency },
      // Lambda checks the role can read the queue when the mapping is created.
      dependsOn: [rolePolicy],
    });
  }
}
