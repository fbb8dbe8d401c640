import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../src/config.js';
import { RESOURCE_STAR_EXCEPTIONS, WILDCARD_ACTION_EXCEPTIONS } from '../src/policy.js';
import {
  at,
  documentOf,
  only,
  policyDocuments,
  ref,
  resources,
  type Synthesized,
  type SynthStatement,
  synthAll,
} from './helpers/synth.js';

let stacks: Record<(typeof ENVIRONMENTS)[number], Synthesized>;
beforeAll(() => {
  stacks = synthAll();
});

function statementsByName(statements: SynthStatement[]): Record<string, SynthStatement> {
  return Object.fromEntries(statements.map((s) => [s.sid, s]));
}

describe.each(ENVIRONMENTS)('%s policies', (environment) => {
  const json = () => stacks[environment].json;
  const name = (suffix: string) => `lakeload-${environment}-${suffix}`;
  const all = () => Object.values(policyDocuments(json())).flat();

  it('every policy attribute of every resource comes from a checked policy document', () => {
    const attributes = ['policy', 'assume_role_policy'];
    let checked = 0;
    for (const [type, byId] of Object.entries(json().resource)) {
      for (const [id, body] of Object.entries(byId)) {
        for (const attribute of attributes) {
          if (body[attribute] === undefined) continue;
          expect(() => documentOf(json(), body[attribute]), `${type}.${id}.${attribute}`).not.toThrow();
          checked += 1;
        }
      }
    }
    // KMS key, bucket, access-log bucket, queue, topic policies; three trust policies (Lambda,
    // Redshift COPY, flow logs); three role policies.
    expect(checked).toBe(11);
  });

  it('no Allow statement uses a wildcard action, except the listed key-administration statement', () => {
    for (const statement of all()) {
      if (statement.effect === 'Deny') continue;
      for (const action of statement.actions) {
        if (action.includes('*')) {
          expect(WILDCARD_ACTION_EXCEPTIONS, `${statement.sid}: ${action}`).toHaveProperty(statement.sid);
        }
      }
    }
  });

  it('no Allow statement uses Resource "*" except the listed, justified ones', () => {
    const used = new Set<string>();
    for (const statement of all()) {
      if (statement.effect === 'Deny') continue;
      if (statement.resources?.includes('*')) {
        expect(RESOURCE_STAR_EXCEPTIONS, `${statement.sid} uses Resource "*"`).toHaveProperty(statement.sid);
        expect(statement.resources).toEqual(['*']);
        used.add(statement.sid);
      }
    }
    // Every listed exception is needed (none lingers after the code changes).
    expect([...used].sort()).toEqual(Object.keys(RESOURCE_STAR_EXCEPTIONS).sort());
    for (const reason of Object.values(RESOURCE_STAR_EXCEPTIONS)) expect(reason.length).toBeGreaterThan(30);
  });

  it('Principal "*" appears only in Deny statements; services may only use the key and publish as needed', () => {
    for (const statement of all()) {
      const anyone = statement.principals?.some((p) => p.identifiers.includes('*')) ?? false;
      if (anyone) expect(statement.effect, statement.sid).toBe('Deny');
    }
    const key = statementsByName(documentOf(json(), only(json(), 'aws_kms_key').policy));
    for (const sid of ['S3UsesKeyForQueueNotifications', 'CloudWatchAlarmsUseKey']) {
      expect(key[sid]?.actions, sid).toEqual(['kms:GenerateDataKey', 'kms:Decrypt']);
    }
    expect(key.CloudWatchLogsUsesKey?.condition?.length).toBe(1);
    // Where S3 and CloudWatch publish, the source is checked.
    const topic = statementsByName(documentOf(json(), only(json(), 'aws_sns_topic_policy').policy));
    expect(topic.AlarmsPublish?.condition).toEqual([
      {
        test: 'ArnLike',
        variable: 'aws:SourceArn',
        values: [
          `arn:aws:cloudwatch:eu-west-1:\${data.aws_caller_identity.account.account_id}:alarm:${name('*')}`,
        ],
      },
    ]);
    for (const alarm of Object.values(resources(json(), 'aws_cloudwatch_metric_alarm'))) {
      expect(alarm.alarm_name).toMatch(new RegExp(`^${name('')}`));
    }
  });

  it('the bucket, the queue and the topic refuse requests without TLS', () => {
    const bucketPolicy = documentOf(json(), at(json(), 'aws_s3_bucket_policy', 'data/policy').policy);
    const queuePolicy = documentOf(json(), only(json(), 'aws_sqs_queue_policy').policy);
    const topicPolicy = documentOf(json(), only(json(), 'aws_sns_topic_policy').policy);
    for (const [label, statements] of [
      ['bucket', bucketPolicy],
      ['queue', queuePolicy],
      ['topic', topicPolicy],
    ] as const) {
      const tls = statementsByName(statements).DenyInsecureTransport;
      expect(tls, label).toMatchObject({
        effect: 'Deny',
        principals: [{ type: '*', identifiers: ['*'] }],
        condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
      });
    }
    const bucket = `arn:aws:s3:::lakeload-${environment}-landing-\${data.aws_caller_identity.account.account_id}`;
    expect(statementsByName(bucketPolicy).DenyInsecureTransport?.resources).toEqual([bucket, `${bucket}/*`]);
  });

  it('only our bucket, in our account, may send to the queue', () => {
    const statements = statementsByName(documentOf(json(), only(json(), 'aws_sqs_queue_policy').policy));
    expect(statements.BucketSendsObjectCreated).toMatchObject({
      effect: 'Allow',
      actions: ['sqs:SendMessage'],
      principals: [{ type: 'Service', identifiers: ['s3.amazonaws.com'] }],
    });
    expect(statements.BucketSendsObjectCreated?.condition?.map((c) => c.variable).sort()).toEqual([
      'aws:SourceAccount',
      'aws:SourceArn',
    ]);
  });

  describe('the Lambda role', () => {
    const role = () =>
      Object.entries(resources(json(), 'aws_iam_role')).find(([, r]) => r.name === name('loader'));
    const policy = () => {
      const [roleId] = role() ?? [''];
      const attached = Object.values(resources(json(), 'aws_iam_role_policy')).filter(
        (p) => p.role === ref('aws_iam_role', roleId, 'id'),
      );
      expect(attached).toHaveLength(1);
      return statementsByName(documentOf(json(), attached[0]?.policy));
    };
    const id = (type: string, field: string, value: string, attribute: string) => {
      const entry = Object.entries(resources(json(), type)).find(([, r]) => r[field] === value);
      if (!entry) throw new Error(`no ${type} with ${field} ${value}`);
      return ref(type, entry[0], attribute);
    };
    const bucketArn = `arn:aws:s3:::lakeload-${environment}-landing-\${data.aws_caller_identity.account.account_id}`;

    it('is assumable by Lambda only, with no managed policies attached', () => {
      const trust = documentOf(json(), role()?.[1].assume_role_policy);
      expect(trust).toEqual([
        {
          sid: 'AssumeRoleByService',
          effect: 'Allow',
          actions: ['sts:AssumeRole'],
          resources: [],
          principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }],
        },
      ]);
      expect(json().resource.aws_iam_role_policy_attachment).toBeUndefined();
      expect(role()?.[1].managed_policy_arns).toBeUndefined();
    });

    it('has exactly these statements', () => {
      expect(Object.keys(policy()).sort()).toEqual([
        'ConsumeQueue',
        'DataApiKeyDescribe',
        'DataApiKeyGrant',
        'DataApiOwnStatements',
        'DataApiRunOnWorkgroup',
        'ListLandingBucket',
        'PublishNotifications',
        'ReadLandedObjects',
        'UseDataKey',
        'VpcNetworkInterfacesCreate',
        'VpcNetworkInterfacesDescribe',
        'VpcNetworkInterfacesManage',
        'WarehouseCredentials',
        'WriteCopyManifests',
        'WriteOwnLogs',
      ]);
    });

    it('runs Data API statements on its workgroup only, and reads only statements it ran', () => {
      const workgroup = ref(
        'aws_redshiftserverless_workgroup',
        only(json(), 'aws_redshiftserverless_workgroup').logicalId,
        'arn',
      );
      expect(policy().DataApiRunOnWorkgroup).toMatchObject({
        actions: ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement'],
        resources: [workgroup],
      });
      expect(policy().DataApiOwnStatements).toMatchObject({
        actions: [
          'redshift-data:DescribeStatement',
          'redshift-data:GetStatementResult',
          'redshift-data:CancelStatement',
        ],
        resources: ['*'],
        // Terraform turns `$${` into a literal `${`: IAM sees the policy variable ${aws:userid}.
        condition: [
          {
            test: 'StringEquals',
            variable: 'redshift-data:statement-owner-iam-userid',
            values: ['$${aws:userid}'],
          },
        ],
      });
      expect(policy().WarehouseCredentials).toMatchObject({
        actions: ['redshift-serverless:GetCredentials'],
        resources: [workgroup],
      });
    });

    it('reads objects of its bucket, writes only under the manifest prefix', () => {
      expect(policy().ReadLandedObjects).toMatchObject({
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [`${bucketArn}/*`],
      });
      expect(policy().WriteCopyManifests).toMatchObject({
        actions: ['s3:PutObject'],
        resources: [`${bucketArn}/_lakeload/manifests/*`],
      });
      const s3Actions = Object.values(policy()).flatMap((s) => s.actions.filter((a) => a.startsWith('s3:')));
      expect(s3Actions.sort()).toEqual([
        's3:GetObject',
        's3:GetObjectVersion',
        's3:ListBucket',
        's3:PutObject',
      ]);
      // ListBucket on the bucket itself: S3 then answers 404 for a missing key instead of 403.
      expect(policy().ListLandingBucket).toMatchObject({
        actions: ['s3:ListBucket'],
        resources: [bucketArn],
      });
    });

    it('consumes its queue, publishes to its topic, uses its key, writes its logs', () => {
      expect(policy().ConsumeQueue?.resources).toEqual([id('aws_sqs_queue', 'name', name('objects'), 'arn')]);
      expect(policy().ConsumeQueue?.actions.every((a) => a.startsWith('sqs:'))).toBe(true);
      expect(policy().PublishNotifications).toMatchObject({
        actions: ['sns:Publish'],
        resources: [ref('aws_sns_topic', only(json(), 'aws_sns_topic').logicalId, 'arn')],
      });
      expect(policy().UseDataKey).toMatchObject({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [ref('aws_kms_key', only(json(), 'aws_kms_key').logicalId, 'arn')],
      });
      const group = at(json(), 'aws_cloudwatch_log_group', 'loader/log-group');
      expect(policy().WriteOwnLogs).toMatchObject({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${ref('aws_cloudwatch_log_group', group.logicalId, 'arn')}:*`],
      });
    });
  });

  describe('the COPY role', () => {
    const role = () =>
      Object.entries(resources(json(), 'aws_iam_role')).find(([, r]) => r.name === name('redshift-copy'));

    it('is assumable by Redshift only and can only read the bucket and decrypt with its key', () => {
      const [roleId, body] = role() ?? ['', {}];
      expect(documentOf(json(), body.assume_role_policy)[0]?.principals).toEqual([
        { type: 'Service', identifiers: ['redshift.amazonaws.com', 'redshift-serverless.amazonaws.com'] },
      ]);
      const attached = Object.values(resources(json(), 'aws_iam_role_policy')).filter(
        (p) => p.role === ref('aws_iam_role', roleId, 'id'),
      );
      expect(attached).toHaveLength(1);
      const statements = documentOf(json(), attached[0]?.policy);
      const actions = statements.flatMap((s) => s.actions).sort();
      expect(actions).toEqual([
        'kms:Decrypt',
        's3:GetBucketLocation',
        's3:GetObject',
        's3:GetObjectVersion',
        's3:ListBucket',
      ]);
      const bucketArn = `arn:aws:s3:::lakeload-${environment}-landing-\${data.aws_caller_identity.account.account_id}`;
      expect(statements.flatMap((s) => s.resources).sort()).toEqual(
        [
          bucketArn,
          `${bucketArn}/*`,
          ref('aws_kms_key', only(json(), 'aws_kms_key').logicalId, 'arn'),
        ].sort(),
      );
    });
  });

  it('encrypts at rest with the customer-managed key: bucket, both queues, topic, Redshift, its secret, logs, Lambda env', () => {
    const key = ref('aws_kms_key', only(json(), 'aws_kms_key').logicalId, 'arn');
    const sse = at(json(), 'aws_s3_bucket_server_side_encryption_configuration', 'data/encryption').rule as {
      apply_server_side_encryption_by_default: { kms_master_key_id: string; sse_algorithm: string };
    }[];
    expect(sse[0]?.apply_server_side_encryption_by_default).toEqual({
      sse_algorithm: 'aws:kms',
      kms_master_key_id: key,
    });
    const queues = Object.values(resources(json(), 'aws_sqs_queue'));
    expect(queues.map((q) => q.kms_master_key_id)).toEqual([key, key]);
    expect(only(json(), 'aws_sns_topic').kms_master_key_id).toBe(key);
    const namespace = only(json(), 'aws_redshiftserverless_namespace');
    expect([namespace.kms_key_id, namespace.admin_password_secret_kms_key_id]).toEqual([key, key]);
    expect(at(json(), 'aws_cloudwatch_log_group', 'loader/log-group').kms_key_id).toBe(key);
    expect(only(json(), 'aws_lambda_function').kms_key_arn).toBe(key);
  });

  it('the key rotates and lets CloudWatch Logs use it only for our log group', () => {
    const key = only(json(), 'aws_kms_key');
    expect(key.enable_key_rotation).toBe(true);
    const logs = statementsByName(documentOf(json(), key.policy)).CloudWatchLogsUsesKey;
    expect(logs?.condition).toEqual([
      {
        test: 'ArnEquals',
        variable: 'kms:EncryptionContext:aws:logs:arn',
        values: [
          `arn:aws:logs:eu-west-1:\${data.aws_caller_identity.account.account_id}:log-group:/aws/lambda/${name('loader')}`,
          `arn:aws:logs:eu-west-1:\${data.aws_caller_identity.account.account_id}:log-group:/aws/vpc/${name('flow-logs')}`,
        ],
      },
    ]);
  });
});
