import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias/index.js';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key/index.js';
import { Construct } from 'constructs';
import { type EnvironmentConfig, nameFor } from '../config.js';
import { policyDocument } from '../policy.js';

export interface EncryptionProps {
  readonly config: EnvironmentConfig;
  readonly accountId: string;
  /** ARNs of the log groups the key encrypts (string-built, so the key does not depend on them). */
  readonly logGroupArns: readonly string[];
}

/**
 * The customer-managed key of one environment: bucket, queues, topic, log group, Lambda environment,
 * Redshift namespace and its admin secret. A CMK (not the aws/* keys) because S3 and CloudWatch must
 * be allowed to encrypt into the queue and topic, which only a key policy can grant.
 */
export class Encryption extends Construct {
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: EncryptionProps) {
    super(scope, id);
    const { config, accountId } = props;
    const policy = policyDocument(this, 'key-policy', [
      {
        sid: 'KeyAdministrationByAccount',
        actions: ['kms:*'],
        resources: ['*'],
        principals: [{ type: 'AWS', identifiers: [`arn:aws:iam::${accountId}:root`] }],
      },
      // S3 and CloudWatch: the documented statements carry no condition (whether these services send
      // aws:SourceAccount to KMS is not documented, and a condition they do not meet would silently
      // drop every notification). The source is checked where they publish: the queue and topic policies.
      {
        sid: 'S3UsesKeyForQueueNotifications',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        principals: [{ type: 'Service', identifiers: ['s3.amazonaws.com'] }],
      },
      {
        sid: 'CloudWatchLogsUsesKey',
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:GenerateDataKeyWithoutPlaintext',
          'kms:DescribeKey',
        ],
        resources: ['*'],
        principals: [{ type: 'Service', identifiers: [`logs.${config.region}.amazonaws.com`] }],
        conditions: [
          {
            test: 'ArnEquals',
            variable: 'kms:EncryptionContext:aws:logs:arn',
            values: [...props.logGroupArns],
          },
        ],
      },
      {
        sid: 'CloudWatchAlarmsUseKey',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
      },
    ]);
    this.key = new KmsKey(this, 'key', {
      description: `lakeload ${config.environment}: bucket, queues, topic, logs, Redshift`,
      enableKeyRotation: true,
      deletionWindowInDays: config.kmsDeletionWindowDays,
      policy: policy.json,
    });
    new KmsAlias(this, 'alias', { name: `alias/${nameFor(config, 'data')}`, targetKeyId: this.key.keyId });
  }
}
