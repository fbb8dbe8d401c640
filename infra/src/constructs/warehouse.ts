import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { RedshiftserverlessNamespace } from '@cdktf/provider-aws/lib/redshiftserverless-namespace/index.js';
import { RedshiftserverlessWorkgroup } from '@cdktf/provider-aws/lib/redshiftserverless-workgroup/index.js';
import { Construct } from 'constructs';
import { type EnvironmentConfig, nameFor } from '../config.js';
import { assumeRoleBy, policyDocument, viaServices } from '../policy.js';

export interface WarehouseProps {
  readonly config: EnvironmentConfig;
  readonly bucketArn: string;
  readonly kmsKeyArn: string;
  readonly subnetIds: string[];
  readonly securityGroupId: string;
}

/**
 * Redshift Serverless: a KMS-encrypted namespace whose admin password Secrets Manager manages, the
 * IAM role COPY uses (read-only on the bucket and its key; also the namespace default), and a
 * private workgroup with explicit base capacity and enhanced VPC routing.
 */
export class Warehouse extends Construct {
  readonly copyRole: IamRole;
  readonly namespace: RedshiftserverlessNamespace;
  readonly workgroup: RedshiftserverlessWorkgroup;
  readonly workgroupName: string;
  readonly database: string;

  constructor(scope: Construct, id: string, props: WarehouseProps) {
    super(scope, id);
    const { config } = props;
    this.workgroupName = nameFor(config, 'wg');
    this.database = config.warehouse.database;

    const trust = policyDocument(this, 'copy-role-trust', [
      assumeRoleBy(['redshift.amazonaws.com', 'redshift-serverless.amazonaws.com']),
    ]);
    this.copyRole = new IamRole(this, 'copy-role', {
      name: nameFor(config, 'redshift-copy'),
      description: 'Assumed by Redshift for COPY: reads the lakeload bucket only',
      assumeRolePolicy: trust.json,
    });
    const copyPolicy = policyDocument(this, 'copy-role-policy-document', [
      {
        sid: 'ListDataBucket',
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resources: [props.bucketArn],
      },
      // Whole bucket: data keys are routed by the loader's configuration, not by a fixed prefix.
      // Manifests (_lakeload/manifests/) are read here too.
      {
        sid: 'ReadDataObjects',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [`${props.bucketArn}/*`],
      },
      {
        sid: 'DecryptDataObjects',
        actions: ['kms:Decrypt'],
        resources: [props.kmsKeyArn],
        // Only as S3 reads SSE-KMS objects for COPY, never the key directly.
        conditions: [viaServices(config.region, ['s3'])],
      },
    ]);
    new IamRolePolicy(this, 'copy-role-policy', {
      name: 'read-lakeload-bucket',
      role: this.copyRole.id,
      policy: copyPolicy.json,
    });

    this.namespace = new RedshiftserverlessNamespace(this, 'namespace', {
      namespaceName: nameFor(config, 'ns'),
      dbName: config.warehouse.database,
      adminUsername: config.warehouse.adminUsername,
      manageAdminPassword: true,
      adminPasswordSecretKmsKeyId: props.kmsKeyArn,
      kmsKeyId: props.kmsKeyArn,
      iamRoles: [this.copyRole.arn],
      defaultIamRoleArn: this.copyRole.arn,
      logExports: ['userlog', 'connectionlog', 'useractivitylog'],
    });
    this.workgroup = new RedshiftserverlessWorkgroup(this, 'workgroup', {
      workgroupName: this.workgroupName,
      namespaceName: this.namespace.namespaceName,
      baseCapacity: config.warehouse.baseRpu,
      maxCapacity: config.warehouse.maxRpu,
      publiclyAccessible: false,
      enhancedVpcRouting: true,
      subnetIds: props.subnetIds,
      securityGroupIds: [props.securityGroupId],
      // AWS Config redshift-serverless-workgroup-encrypted-in-transit / Security Hub
      // RedshiftServerless.2: clients must use TLS (the Data API does).
      configParameter: [{ parameterKey: 'require_ssl', parameterValue: 'true' }],
    });
  }
}
