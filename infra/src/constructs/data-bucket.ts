import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration/index.js';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging/index.js';
import { S3BucketNotification } from '@cdktf/provider-aws/lib/s3-bucket-notification/index.js';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls/index.js';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy/index.js';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration/index.js';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning/index.js';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { type EnvironmentConfig, nameFor } from '../config.js';
import { denyInsecureTransport, policyDocument } from '../policy.js';

/** Prefix the loader writes rejected rows under. */
export const REJECTS_PREFIX = '_rejects/';
/** Prefix the Lambda writes COPY manifests under (LAKELOAD_MANIFEST_PREFIX). */
export const MANIFEST_PREFIX = '_lakeload/manifests/';

export interface DataBucketProps {
  readonly config: EnvironmentConfig;
  /** Deterministic name, so that ARNs can be built as strings (no notification ↔ policy cycle). */
  readonly bucketName: string;
  readonly kmsKeyArn: string;
  readonly queueArn: string;
  /** The queue policy that lets S3 send; S3 validates it when the notification is saved. */
  readonly queuePolicy: ITerraformDependable;
  readonly accountId: string;
}

/** Where the landing bucket's server access logs go, under the access-log bucket. */
export const ACCESS_LOG_PREFIX = 'landing/';

/** The landing bucket: versioned, SSE-KMS, private, TLS-only, lifecycle-managed, notifying SQS. */
export class DataBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly accessLogBucket: S3Bucket;

  constructor(scope: Construct, id: string, props: DataBucketProps) {
    super(scope, id);
    const { config, bucketName } = props;
    const bucketArn = `arn:aws:s3:::${bucketName}`;

    this.bucket = new S3Bucket(this, 'bucket', {
      bucket: bucketName,
      forceDestroy: config.bucket.forceDestroy,
    });
    const bucket = this.bucket.id;

    new S3BucketVersioningA(this, 'versioning', {
      bucket,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn },
          // S3 Bucket Keys: far fewer KMS requests (and KMS costs) per object.
          bucketKeyEnabled: true,
        },
      ],
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, 'public-access', {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', {
      bucket,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    const policy = policyDocument(this, 'policy-document', [
      denyInsecureTransport(['s3:*'], [bucketArn, `${bucketArn}/*`]),
    ]);
    new S3BucketPolicy(this, 'policy', { bucket, policy: policy.json, dependsOn: [publicAccess] });

    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket,
      rule: [
        {
          id: 'expire-rejects',
          status: 'Enabled',
          filter: [{ prefix: REJECTS_PREFIX }],
          expiration: [{ days: config.bucket.rejectsExpirationDays }],
        },
        {
          id: 'expire-manifests',
          status: 'Enabled',
          filter: [{ prefix: MANIFEST_PREFIX }],
          expiration: [{ days: config.bucket.manifestExpirationDays }],
        },
        {
          id: 'expire-noncurrent-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: config.bucket.noncurrentVersionExpirationDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });

    this.accessLogBucket = this.addAccessLogs(props, bucket);

    new S3BucketNotification(this, 'notification', {
      bucket,
      queue: [{ queueArn: props.queueArn, events: ['s3:ObjectCreated:*'], filterSuffix: '.parquet' }],
      dependsOn: [props.queuePolicy],
    });
  }

  /**
   * Security Hub S3.9 / Checkov CKV_AWS_18 / tfsec aws-s3-enable-bucket-logging: server access logs of
   * the landing bucket go to a bucket of their own. That bucket uses SSE-S3: S3 delivers access logs
   * only to targets with SSE-S3 default encryption, not SSE-KMS
   * (docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html). It does not log
   * itself (logging into itself would loop); that is the documented exception to S3.9 here.
   */
  private addAccessLogs(props: DataBucketProps, bucket: string): S3Bucket {
    const { config, accountId } = props;
    const name = `${nameFor(config, 'access-logs')}-${accountId}`;
    const arn = `arn:aws:s3:::${name}`;
    const logs = new S3Bucket(this, 'access-log-bucket', {
      bucket: name,
      forceDestroy: config.bucket.forceDestroy,
    });
    new S3BucketVersioningA(this, 'access-log-versioning', {
      bucket: logs.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'access-log-encryption', {
      bucket: logs.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, 'access-log-public-access', {
      bucket: logs.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'access-log-ownership', {
      bucket: logs.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    // With BucketOwnerEnforced the log delivery is granted by bucket policy, limited to our bucket and account.
    const policy = policyDocument(this, 'access-log-policy-document', [
      {
        sid: 'S3ServerAccessLogsDelivery',
        actions: ['s3:PutObject'],
        resources: [`${arn}/${ACCESS_LOG_PREFIX}*`],
        principals: [{ type: 'Service', identifiers: ['logging.s3.amazonaws.com'] }],
        conditions: [
          { test: 'ArnLike', variable: 'aws:SourceArn', values: [`arn:aws:s3:::${props.bucketName}`] },
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] },
        ],
      },
      denyInsecureTransport(['s3:*'], [arn, `${arn}/*`]),
    ]);
    const logsPolicy = new S3BucketPolicy(this, 'access-log-policy', {
      bucket: logs.id,
      policy: policy.json,
      dependsOn: [publicAccess],
    });
    new S3BucketLifecycleConfiguration(this, 'access-log-lifecycle', {
      bucket: logs.id,
      rule: [
        {
          id: 'expire-access-logs',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          expiration: [{ days: config.bucket.accessLogExpirationDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    new S3BucketLoggingA(this, 'access-logging', {
      bucket,
      targetBucket: logs.id,
      targetPrefix: ACCESS_LOG_PREFIX,
      dependsOn: [logsPolicy],
    });
    return logs;
  }
}
