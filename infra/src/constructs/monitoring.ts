import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard/index.js';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic/index.js';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy/index.js';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription/index.js';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { type EnvironmentConfig, type LoadEventType, nameFor } from '../config.js';
import { denyInsecureTransport, policyDocument } from '../policy.js';

/** The loader's EMF metrics (namespace `lakeload`, dimension `table`) and how the dashboard sums them. */
export const LOADER_METRICS = [
  { name: 'FilesLoaded', stat: 'Sum' },
  { name: 'RowsInserted', stat: 'Sum' },
  { name: 'RowsUpdated', stat: 'Sum' },
  { name: 'LoadFailures', stat: 'Sum' },
  { name: 'Duplicates', stat: 'Sum' },
  { name: 'LoadLatency', stat: 'p90' },
] as const;
export const METRICS_NAMESPACE = 'lakeload';

export interface TopicProps {
  readonly config: EnvironmentConfig;
  readonly accountId: string;
  readonly kmsKeyArn: string;
}

/** The notification topic (KMS), its email subscriptions, and a policy letting alarms publish. */
export class NotificationTopic extends Construct {
  readonly topic: SnsTopic;

  constructor(scope: Construct, id: string, props: TopicProps) {
    super(scope, id);
    const { config } = props;
    this.topic = new SnsTopic(this, 'topic', {
      name: nameFor(config, 'notifications'),
      kmsMasterKeyId: props.kmsKeyArn,
    });
    const document = policyDocument(this, 'policy-document', [
      {
        sid: 'AlarmsPublish',
        actions: ['sns:Publish'],
        resources: [this.topic.arn],
        principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
        // Only this environment's alarms (all are named lakeload-<env>-…).
        conditions: [
          {
            test: 'ArnLike',
            variable: 'aws:SourceArn',
            values: [`arn:aws:cloudwatch:${config.region}:${props.accountId}:alarm:${nameFor(config, '*')}`],
          },
        ],
      },
      denyInsecureTransport(['sns:Publish'], [this.topic.arn]),
    ]);
    new SnsTopicPolicy(this, 'policy', { arn: this.topic.arn, policy: document.json });
    config.notifications.emailSubscribers.forEach((email, index) => {
      new SnsTopicSubscription(this, `email-${index}`, {
        topicArn: this.topic.arn,
        protocol: 'email',
        endpoint: email,
        ...(config.notifications.emailEventTypes === null
          ? {}
          : { filterPolicy: JSON.stringify(emailFilterPolicy(config.notifications.emailEventTypes)) }),
      });
    });
  }
}

/**
 * The email subscriptions' filter: the listed load events, plus every message without an
 * `event_type` attribute (CloudWatch alarms) through `{"exists": false}`
 * (docs.aws.amazon.com/sns/latest/dg/attribute-key-matching.html).
 */
export function emailFilterPolicy(types: readonly LoadEventType[]): Record<string, unknown[]> {
  return { event_type: [...types, { exists: false }] };
}

export interface AlarmsProps {
  readonly config: EnvironmentConfig;
  readonly topicArn: string;
  readonly functionName: string;
  readonly queueName: string;
  readonly deadLetterQueueName: string;
  readonly workgroupName: string;
}

/** Alarms into the topic, and the dashboard: loader metrics per table, Lambda and queue health. */
export class Monitoring extends Construct {
  readonly alarms: CloudwatchMetricAlarm[] = [];
  readonly dashboard: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const { config } = props;
    const thresholds = config.alarms;
    const lambda = { FunctionName: props.functionName };
    const alarm = (
      key: string,
      description: string,
      spec: {
        namespace: string;
        metric: string;
        stat: 'Sum' | 'Maximum';
        dimensions: Record<string, string>;
        threshold: number;
        comparison: 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold';
      },
    ) => {
      this.alarms.push(
        new CloudwatchMetricAlarm(this, key, {
          alarmName: nameFor(config, key),
          alarmDescription: description,
          namespace: spec.namespace,
          metricName: spec.metric,
          statistic: spec.stat,
          dimensions: spec.dimensions,
          period: 300,
          evaluationPeriods: 1,
          threshold: spec.threshold,
          comparisonOperator: spec.comparison,
          // No datapoints means no invocations / no messages: healthy.
          treatMissingData: 'notBreaching',
          alarmActions: [props.topicArn],
          okActions: [props.topicArn],
        }),
      );
    };
    alarm('lambda-errors', 'The loader Lambda failed invocations (whole batches, not single files)', {
      namespace: 'AWS/Lambda',
      metric: 'Errors',
      stat: 'Sum',
      dimensions: lambda,
      threshold: thresholds.lambdaErrors,
      comparison: 'GreaterThanOrEqualToThreshold',
    });
    alarm('lambda-throttles', 'The loader Lambda is throttled: reserved concurrency too low for the load', {
      namespace: 'AWS/Lambda',
      metric: 'Throttles',
      stat: 'Sum',
      dimensions: lambda,
      threshold: thresholds.lambdaThrottles,
      comparison: 'GreaterThanOrEqualToThreshold',
    });
    alarm(
      'lambda-duration',
      'A loader invocation ran close to its timeout: raise the timeout or lower the batch size',
      {
        namespace: 'AWS/Lambda',
        metric: 'Duration',
        stat: 'Maximum',
        dimensions: lambda,
        threshold: Math.round(config.lambda.timeoutSeconds * 1000 * thresholds.durationFractionOfTimeout),
        comparison: 'GreaterThanOrEqualToThreshold',
      },
    );
    alarm('dlq-messages', 'Objects gave up after every retry and wait in the dead-letter queue', {
      namespace: 'AWS/SQS',
      metric: 'ApproximateNumberOfMessagesVisible',
      stat: 'Maximum',
      dimensions: { QueueName: props.deadLetterQueueName },
      threshold: 0,
      comparison: 'GreaterThanThreshold',
    });
    alarm('queue-age', 'The oldest object notification waits too long: loads are falling behind', {
      namespace: 'AWS/SQS',
      metric: 'ApproximateAgeOfOldestMessage',
      stat: 'Maximum',
      dimensions: { QueueName: props.queueName },
      threshold: thresholds.oldestMessageAgeSeconds,
      comparison: 'GreaterThanOrEqualToThreshold',
    });

    this.dashboard = new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: nameFor(config, 'loader'),
      // jsonencode in Terraform: a JSON string with nested escapes (the SEARCH expressions' quotes)
      // loses a level of escaping in `synth --hcl` and no longer parses.
      dashboardBody: Fn.jsonencode(dashboardBody(config.region, props)),
    });
  }
}

type Widget = Record<string, unknown>;

/**
 * `SEARCH('Namespace="lakeload" MetricName="<name>"', '<stat>', 300)` as a Terraform expression
 * (exact matches need the double quotes; see CloudWatch's search expression syntax).
 */
export function searchExpression(metric: string, stat: string): string {
  return Fn.format("SEARCH('Namespace=%s MetricName=%s', '%s', 300)", [
    Fn.jsonencode(METRICS_NAMESPACE),
    Fn.jsonencode(metric),
    stat,
  ]);
}

/** The dashboard JSON: one row of loader metrics per table (SEARCH), then Lambda and queue health. */
export function dashboardBody(
  region: string,
  names: Pick<AlarmsProps, 'functionName' | 'queueName' | 'deadLetterQueueName' | 'workgroupName'>,
): { widgets: Widget[] } {
  const widgets: Widget[] = [];
  const place = (title: string, metrics: unknown[], index: number, extra: Record<string, unknown> = {}) => {
    widgets.push({
      type: 'metric',
      width: 8,
      height: 6,
      x: (index % 3) * 8,
      y: Math.floor(index / 3) * 6,
      properties: { title, region, view: 'timeSeries', stacked: false, period: 300, metrics, ...extra },
    });
  };
  let index = 0;
  for (const metric of LOADER_METRICS) {
    // SEARCH finds one series per `table` value. Namespace + name, not the exact schema
    // `{lakeload,table}`: Powertools may add a `service` dimension to the same metrics.
    // Terraform builds the quotes (format + jsonencode of each name): cdktf writes a `"` inside a string
    // without escaping its backslash, so a literal `\"` here breaks both the JSON and the HCL output.
    const expression = searchExpression(metric.name, metric.stat);
    place(`${metric.name} per table`, [[{ expression, id: `m${index}`, label: '' }]], index);
    index += 1;
  }
  const lambda = ['FunctionName', names.functionName];
  place(
    'Lambda invocations, errors, throttles',
    [
      ['AWS/Lambda', 'Invocations', ...lambda, { stat: 'Sum' }],
      ['AWS/Lambda', 'Errors', ...lambda, { stat: 'Sum' }],
      ['AWS/Lambda', 'Throttles', ...lambda, { stat: 'Sum' }],
    ],
    index++,
  );
  place(
    'Lambda duration (ms)',
    [
      ['AWS/Lambda', 'Duration', ...lambda, { stat: 'p90' }],
      ['AWS/Lambda', 'Duration', ...lambda, { stat: 'Maximum' }],
      ['AWS/Lambda', 'ConcurrentExecutions', ...lambda, { stat: 'Maximum', yAxis: 'right' }],
    ],
    index++,
  );
  place(
    'Queue depth and age',
    [
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', names.queueName, { stat: 'Maximum' }],
      [
        'AWS/SQS',
        'ApproximateNumberOfMessagesVisible',
        'QueueName',
        names.deadLetterQueueName,
        { stat: 'Maximum' },
      ],
      [
        'AWS/SQS',
        'ApproximateAgeOfOldestMessage',
        'QueueName',
        names.queueName,
        { stat: 'Maximum', yAxis: 'right' },
      ],
    ],
    index++,
  );
  place(
    'Redshift Serverless capacity (RPU)',
    [['AWS/Redshift-Serverless', 'ComputeCapacity', 'Workgroup', names.workgroupName, { stat: 'Maximum' }]],
    index++,
  );
  return { widgets };
}
