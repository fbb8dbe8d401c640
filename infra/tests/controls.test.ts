import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../src/config.js';
import { INTERFACE_ENDPOINTS } from '../src/constructs/network.js';
import { at, documentOf, only, ref, resources, type Synthesized, synthAll } from './helpers/synth.js';

// Security Hub (AWS Foundational Security Best Practices / CIS), Checkov and tfsec controls, each
// test named after the control ids it checks, on the synthesized JSON of both stacks.

let stacks: Record<(typeof ENVIRONMENTS)[number], Synthesized>;
beforeAll(() => {
  stacks = synthAll();
});

const account = `\${data.aws_caller_identity.account.account_id}`;

describe.each(ENVIRONMENTS)('%s stack', (environment) => {
  const json = () => stacks[environment].json;
  const name = (suffix: string) => `lakeload-${environment}-${suffix}`;
  const vpcId = () => ref('aws_vpc', only(json(), 'aws_vpc').logicalId, 'id');

  it('EC2.2 / CIS 5.4 / CKV2_AWS_12: the VPC default security group allows no traffic', () => {
    const group = only(json(), 'aws_default_security_group');
    expect(group.vpc_id).toBe(vpcId());
    // No ingress/egress blocks: Terraform removes every rule of the adopted default group.
    expect(group.ingress).toBeUndefined();
    expect(group.egress).toBeUndefined();
  });

  it('EC2.6 / CIS 3.7 / CKV2_AWS_11: VPC flow logs of ALL traffic into a KMS-encrypted log group', () => {
    const flowLog = only(json(), 'aws_flow_log');
    const group = at(json(), 'aws_cloudwatch_log_group', 'network/flow-log-group');
    const role = at(json(), 'aws_iam_role', 'network/flow-log-role');
    expect(flowLog).toMatchObject({
      vpc_id: vpcId(),
      traffic_type: 'ALL',
      log_destination_type: 'cloud-watch-logs',
      log_destination: ref('aws_cloudwatch_log_group', group.logicalId, 'arn'),
      iam_role_arn: ref('aws_iam_role', role.logicalId, 'arn'),
    });
    expect(group.kms_key_id).toBe(ref('aws_kms_key', only(json(), 'aws_kms_key').logicalId, 'arn'));
    const [trust] = documentOf(json(), role.assume_role_policy);
    expect(trust?.principals).toEqual([{ type: 'Service', identifiers: ['vpc-flow-logs.amazonaws.com'] }]);
    expect(trust?.condition?.map((c) => c.variable).sort()).toEqual(['aws:SourceAccount', 'aws:SourceArn']);
  });

  it('S3.9 / CKV_AWS_18 / tfsec aws-s3-enable-bucket-logging: the landing bucket logs server access', () => {
    const landing = at(json(), 'aws_s3_bucket', 'data/bucket');
    const logs = at(json(), 'aws_s3_bucket', 'data/access-log-bucket');
    expect(logs.bucket).toBe(`${name('access-logs')}-${account}`);
    expect(only(json(), 'aws_s3_bucket_logging')).toMatchObject({
      bucket: ref('aws_s3_bucket', landing.logicalId, 'id'),
      target_bucket: ref('aws_s3_bucket', logs.logicalId, 'id'),
      target_prefix: 'landing/',
    });
    // The log bucket: SSE-S3 (log delivery refuses SSE-KMS targets), private, TLS only, expiring.
    expect(
      at(json(), 'aws_s3_bucket_server_side_encryption_configuration', 'data/access-log-encryption').rule,
    ).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }]);
    expect(at(json(), 'aws_s3_bucket_public_access_block', 'data/access-log-public-access')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const statements = documentOf(
      json(),
      at(json(), 'aws_s3_bucket_policy', 'data/access-log-policy').policy,
    );
    const delivery = statements.find((s) => s.sid === 'S3ServerAccessLogsDelivery');
    expect(delivery).toMatchObject({
      effect: 'Allow',
      actions: ['s3:PutObject'],
      resources: [`arn:aws:s3:::${name('access-logs')}-${account}/landing/*`],
      principals: [{ type: 'Service', identifiers: ['logging.s3.amazonaws.com'] }],
    });
    expect(delivery?.condition).toEqual([
      { test: 'ArnLike', variable: 'aws:SourceArn', values: [`arn:aws:s3:::${name('landing')}-${account}`] },
      { test: 'StringEquals', variable: 'aws:SourceAccount', values: [account] },
    ]);
    expect(statements.find((s) => s.sid === 'DenyInsecureTransport')?.effect).toBe('Deny');
  });

  it('RedshiftServerless.2 / AWS Config redshift-serverless-workgroup-encrypted-in-transit: require_ssl', () => {
    expect(only(json(), 'aws_redshiftserverless_workgroup').config_parameter).toEqual([
      { parameter_key: 'require_ssl', parameter_value: 'true' },
    ]);
  });

  it("KMS least privilege: every role's Decrypt/GenerateDataKey/CreateGrant/DescribeKey has kms:ViaService", () => {
    const keyActions = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant', 'kms:DescribeKey'];
    let checked = 0;
    for (const policy of Object.values(resources(json(), 'aws_iam_role_policy'))) {
      for (const statement of documentOf(json(), policy.policy)) {
        if (!statement.actions.some((a) => keyActions.includes(a))) continue;
        checked += 1;
        const via = statement.condition?.find((c) => c.variable === 'kms:ViaService');
        expect(via, statement.sid).toBeDefined();
        for (const value of via?.values ?? [])
          expect(value).toMatch(/^[a-z0-9-]+\.eu-west-1\.amazonaws\.com$/);
        if (statement.actions.includes('kms:CreateGrant')) {
          expect(statement.actions).toEqual(['kms:CreateGrant']);
          expect(statement.condition).toContainEqual({
            test: 'Bool',
            variable: 'kms:GrantIsForAWSResource',
            values: ['true'],
          });
        }
      }
    }
    // Lambda: UseDataKey, DataApiKeyGrant, DataApiKeyDescribe; COPY role: DecryptDataObjects.
    expect(checked).toBe(4);
  });

  it('the Data API may create its KMS grant: CreateGrant and DescribeKey on the namespace key (data-api-kms)', () => {
    const loader = Object.values(resources(json(), 'aws_iam_role_policy')).find((p) => p.name === 'loader');
    const statements = documentOf(json(), loader?.policy);
    const key = ref('aws_kms_key', only(json(), 'aws_kms_key').logicalId, 'arn');
    const namespace = only(json(), 'aws_redshiftserverless_namespace');
    expect(namespace.kms_key_id).toBe(key);
    const actions = statements.filter((s) => s.resources?.includes(key)).flatMap((s) => s.actions);
    expect(actions).toEqual(expect.arrayContaining(['kms:CreateGrant', 'kms:DescribeKey']));
  });

  it('interface endpoints: only services the code calls, each with its reason (≈ $22/month per endpoint)', () => {
    const services = Object.values(resources(json(), 'aws_vpc_endpoint'))
      .filter((e) => e.vpc_endpoint_type === 'Interface')
      .map((e) => String(e.service_name).replace('com.amazonaws.eu-west-1.', ''))
      .sort();
    expect(services).toEqual(['redshift-data', 'sns']);
    for (const service of ['sqs', 'sts', 'logs']) expect(services).not.toContain(service);
    for (const reason of Object.values(INTERFACE_ENDPOINTS)) expect(reason.length).toBeGreaterThan(20);
  });
});

describe('notifications', () => {
  it('production emails on-call only failures and alarms; staging subscribers get every message', () => {
    const [staging] = Object.values(resources(stacks.staging.json, 'aws_sns_topic_subscription'));
    const [production] = Object.values(resources(stacks.production.json, 'aws_sns_topic_subscription'));
    expect(staging?.filter_policy).toBeUndefined();
    expect(JSON.parse(String(production?.filter_policy))).toEqual({
      event_type: ['failed', { exists: false }],
    });
  });

  it('reserved concurrency: none in staging (fits a new account), configured in production', () => {
    expect(only(stacks.staging.json, 'aws_lambda_function').reserved_concurrent_executions).toBeUndefined();
    expect(only(stacks.production.json, 'aws_lambda_function').reserved_concurrent_executions).toBe(20);
  });
});
