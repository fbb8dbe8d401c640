import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy/index.js';
import { SqsQueueRedriveAllowPolicy } from '@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy/index.js';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { type EnvironmentConfig, nameFor, visibilityTimeoutSeconds } from '../config.js';
import { denyInsecureTransport, policyDocument } from '../policy.js';

export interface LoadQueueProps {
  readonly config: EnvironmentConfig;
  readonly accountId: string;
  readonly kmsKeyArn: string;
  /** String-built ARN of the bucket allowed to send (see DataBucketProps.bucketName). */
  readonly bucketArn: string;
}

/** The queue S3 notifies, its dead-letter queue, and the policy that lets only our bucket send. */
export class LoadQueue extends Construct {
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
  readonly policy: SqsQueuePolicy;
  /** Plain names (not tokens): dashboards and alarms use them as literal dimension values. */
  readonly queueName: string;
  readonly deadLetterQueueName: string;

  constructor(scope: Construct, id: string, props: LoadQueueProps) {
    super(scope, id);
    const { config } = props;
    // Reuse data keys for 5 minutes: fewer KMS calls from SQS and the Lambda.
    this.queueName = nameFor(config, 'objects');
    this.deadLetterQueueName = nameFor(config, 'objects-dlq');
    const encryption = { kmsMasterKeyId: props.kmsKeyArn, kmsDataKeyReusePeriodSeconds: 300 };

    this.deadLetterQueue = new SqsQueue(this, 'dlq', {
      name: this.deadLetterQueueName,
      messageRetentionSeconds: config.queue.deadLetterRetentionSeconds,
      ...encryption,
    });
    this.queue = new SqsQueue(this, 'queue', {
      name: this.queueName,
      visibilityTimeoutSeconds: visibilityTimeoutSeconds(config),
      messageRetentionSeconds: config.queue.retentionSeconds,
      // Long polling is set on the event source; this is for other consumers (replay tools).
      receiveWaitTimeSeconds: 20,
      // Fn.jsonencode, not JSON.stringify: the ARN is a token, and a JSON string around it becomes
      // invalid HCL in `synth --hcl` (quotes inside a quoted string).
      redrivePolicy: Fn.jsonencode({
        deadLetterTargetArn: this.deadLetterQueue.arn,
        maxReceiveCount: config.queue.maxReceiveCount,
      }),
      ...encryption,
    });
    new SqsQueueRedriveAllowPolicy(this, 'dlq-redrive-allow', {
      queueUrl: this.deadLetterQueue.id,
      redriveAllowPolicy: Fn.jsonencode({ redrivePermission: 'byQueue', sourceQueueArns: [this.queue.arn] }),
    });

    const document = policyDocument(this, 'policy-document', [
      {
        sid: 'BucketSendsObjectCreated',
        actions: ['sqs:SendMessage'],
        resources: [this.queue.arn],
        principals: [{ type: 'Service', identifiers: ['s3.amazonaws.com'] }],
        conditions: [
          { test: 'ArnEquals', variable: 'aws:SourceArn', values: [props.bucketArn] },
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: [props.accountId] },
        ],
      },
      denyInsecureTransport(['sqs:*'], [this.queue.arn]),
    ]);
    this.policy = new SqsQueuePolicy(this, 'policy', { queueUrl: this.queue.id, policy: document.json });
  }
}
