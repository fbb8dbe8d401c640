import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity/index.js';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { type EnvironmentConfig, nameFor, tagsFor, validateConfig } from './config.js';
import { DataBucket } from './constructs/data-bucket.js';
import { Encryption } from './constructs/encryption.js';
import { LoadQueue } from './constructs/load-queue.js';
import { LoaderFunction } from './constructs/loader-function.js';
import { Monitoring, NotificationTopic } from './constructs/monitoring.js';
import { Network } from './constructs/network.js';
import { Warehouse } from './constructs/warehouse.js';
import { type LambdaBundle, requireBundle } from './lambda-package.js';

/** Where Terraform keeps state; without it the local backend (a file in cdktf.out/) is used. */
export interface StateBackend {
  readonly bucket: string;
  readonly region: string;
  /** Key prefix; the stack name is appended. */
  readonly keyPrefix: string;
}

export interface LakeloadStackProps {
  readonly config: EnvironmentConfig;
  readonly bundle: LambdaBundle;
  readonly stateBackend?: StateBackend;
}

/** The stack name of an environment: `lakeload-staging`, `lakeload-production`. */
export function stackName(config: EnvironmentConfig): string {
  return `${config.project}-${config.environment}`;
}

/** Everything one environment needs, wired together; the constructs hold the details. */
export class LakeloadStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: LakeloadStackProps) {
    super(scope, id);
    const config = validateConfig(props.config);
    const bundle = requireBundle(props.bundle);

    new AwsProvider(this, 'aws', { region: config.region, defaultTags: [{ tags: tagsFor(config) }] });
    if (props.stateBackend) {
      const backend = new S3Backend(this, {
        bucket: props.stateBackend.bucket,
        region: props.stateBackend.region,
        key: `${props.stateBackend.keyPrefix}${id}.tfstate`,
        encrypt: true,
      });
      // S3-native state locking (Terraform ≥ 1.10); cdktf 0.21's S3Backend has no typed field for it.
      backend.addOverride('use_lockfile', true);
    }

    const accountId = new DataAwsCallerIdentity(this, 'account').accountId;
    // Deterministic names, so ARNs are plain strings and nothing waits on the resources themselves.
    const bucketName = `${nameFor(config, 'landing')}-${accountId}`;
    const bucketArn = `arn:aws:s3:::${bucketName}`;
    const functionName = nameFor(config, 'loader');
    const logGroupName = `/aws/lambda/${functionName}`;
    const flowLogGroupName = `/aws/vpc/${nameFor(config, 'flow-logs')}`;
    const logGroupArn = (group: string) => `arn:aws:logs:${config.region}:${accountId}:log-group:${group}`;

    const { key } = new Encryption(this, 'encryption', {
      config,
      accountId,
      logGroupArns: [logGroupArn(logGroupName), logGroupArn(flowLogGroupName)],
    });
    const network = new Network(this, 'network', { config, accountId, kmsKeyArn: key.arn, flowLogGroupName });
    const queues = new LoadQueue(this, 'queue', { config, accountId, kmsKeyArn: key.arn, bucketArn });
    const data = new DataBucket(this, 'data', {
      config,
      bucketName,
      kmsKeyArn: key.arn,
      queueArn: queues.queue.arn,
      queuePolicy: queues.policy,
      accountId,
    });
    const { topic } = new NotificationTopic(this, 'notifications', { config, accountId, kmsKeyArn: key.arn });
    const warehouse = new Warehouse(this, 'warehouse', {
      config,
      bucketArn,
      kmsKeyArn: key.arn,
      subnetIds: network.privateSubnets.map((subnet) => subnet.id),
      securityGroupId: network.warehouseSecurityGroup.id,
    });
    const loader = new LoaderFunction(this, 'loader', {
      config,
      accountId,
      bundle,
      functionName,
      logGroupName,
      bucketName,
      kmsKeyArn: key.arn,
      queueArn: queues.queue.arn,
      topicArn: topic.arn,
      workgroupArn: warehouse.workgroup.arn,
      workgroupName: warehouse.workgroupName,
      database: warehouse.database,
      copyRoleArn: warehouse.copyRole.arn,
      subnetIds: network.privateSubnets.map((subnet) => subnet.id),
      subnetArns: network.privateSubnets.map((subnet) => subnet.arn),
      securityGroupId: network.lambdaSecurityGroup.id,
      securityGroupArn: network.lambdaSecurityGroup.arn,
    });
    new Monitoring(this, 'monitoring', {
      config,
      topicArn: topic.arn,
      functionName,
      queueName: queues.queueName,
      deadLetterQueueName: queues.deadLetterQueueName,
      workgroupName: warehouse.workgroupName,
    });

    const outputs: Record<string, { value: string; description: string }> = {
      bucket_name: { value: data.bucket.bucket, description: 'Landing bucket: upload Parquet here' },
      queue_url: { value: queues.queue.url, description: 'Queue S3 notifies' },
      dead_letter_queue_url: { value: queues.deadLetterQueue.url, description: 'Dead-letter queue' },
      topic_arn: { value: topic.arn, description: 'Notification topic (confirm the email subscriptions)' },
      workgroup_name: { value: warehouse.workgroupName, description: 'Redshift Serverless workgroup' },
      database: { value: warehouse.database, description: 'Redshift database' },
      admin_secret_arn: {
        value: warehouse.namespace.adminPasswordSecretArn,
        description: 'Secrets Manager secret of the Redshift admin (for the post-deploy GRANTs)',
      },
      function_name: { value: loader.function.functionName, description: 'Loader Lambda' },
      lambda_role_name: {
        value: loader.role.name,
        description: 'Database user is IAMR:<this>; grant it access',
      },
      copy_role_arn: { value: warehouse.copyRole.arn, description: 'IAM role Redshift COPY assumes' },
    };
    for (const [name, output] of Object.entries(outputs)) {
      new TerraformOutput(this, name, { ...output, staticId: true });
    }
  }
}
