import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS, environments, visibilityTimeoutSeconds } from '../src/config.js';
import { LOADER_METRICS } from '../src/constructs/monitoring.js';
import { INTERFACE_ENDPOINT_SERVICES } from '../src/constructs/network.js';
import { at, only, ref, resources, type Synthesized, synthAll } from './helpers/synth.js';

/** Resources per stack with NAT off: 53, minus 3 unused endpoints, plus default SG, flow log (group,
 * role, policy, log) and access logs (bucket, versioning, SSE, public-access block, ownership,
 * policy, lifecycle, logging). */
const RESOURCES_PER_STACK = 63;

let stacks: Record<(typeof ENVIRONMENTS)[number], Synthesized>;

beforeAll(() => {
  stacks = synthAll();
});

const account = `\${data.aws_caller_identity.account.account_id}`;

describe.each(ENVIRONMENTS)('%s stack', (environment) => {
  const config = environments[environment];
  const json = () => stacks[environment].json;
  const name = (suffix: string) => `lakeload-${environment}-${suffix}`;

  it('tags everything with environment and project through the provider, in the configured region', () => {
    const [aws] = json().provider.aws ?? [];
    expect(aws).toMatchObject({
      region: config.region,
      default_tags: [{ tags: { environment, project: 'lakeload', 'managed-by': 'cdktf' } }],
    });
  });

  it('pins the AWS provider exactly', () => {
    expect(json().terraform.required_providers).toEqual({ aws: { source: 'aws', version: '6.25.0' } });
  });

  describe('network', () => {
    it('has a VPC with DNS support and private subnets in three distinct zones', () => {
      expect(only(json(), 'aws_vpc')).toMatchObject({
        cidr_block: config.network.vpcCidr,
        enable_dns_support: true,
        enable_dns_hostnames: true,
      });
      const subnets = Object.values(resources(json(), 'aws_subnet'));
      expect(subnets).toHaveLength(3);
      expect(new Set(subnets.map((s) => s.availability_zone))).toEqual(new Set(config.availabilityZones));
      expect(subnets.map((s) => s.cidr_block)).toEqual([...config.network.privateSubnetCidrs]);
      for (const subnet of subnets) expect(subnet.map_public_ip_on_launch).toBe(false);
    });

    it('has no internet gateway or NAT when natGateway is off', () => {
      expect(json().resource.aws_internet_gateway).toBeUndefined();
      expect(json().resource.aws_nat_gateway).toBeUndefined();
      expect(json().resource.aws_route).toBeUndefined();
    });

    it('has an S3 gateway endpoint on the private route table and interface endpoints with private DNS', () => {
      const endpoints = Object.values(resources(json(), 'aws_vpc_endpoint'));
      const routeTable = only(json(), 'aws_route_table');
      const gateway = endpoints.filter((e) => e.vpc_endpoint_type === 'Gateway');
      expect(gateway).toEqual([
        expect.objectContaining({
          service_name: `com.amazonaws.${config.region}.s3`,
          route_table_ids: [ref('aws_route_table', routeTable.logicalId, 'id')],
        }),
      ]);
      const interfaces = endpoints.filter((e) => e.vpc_endpoint_type === 'Interface');
      expect(interfaces.map((e) => e.service_name).sort()).toEqual(
        INTERFACE_ENDPOINT_SERVICES.map((s) => `com.amazonaws.${config.region}.${s}`).sort(),
      );
      for (const endpoint of interfaces) {
        expect(endpoint.private_dns_enabled).toBe(true);
        expect(endpoint.subnet_ids).toHaveLength(3);
      }
      // Only what the function's code calls from the VPC (the event source mapping polls SQS and
      // Lambda ships logs from outside it; credentials come from the environment, not STS).
      expect(INTERFACE_ENDPOINT_SERVICES).toEqual(['redshift-data', 'sns']);
      // Every private subnet uses the route table with the S3 endpoint.
      expect(Object.values(resources(json(), 'aws_route_table_association'))).toHaveLength(3);
    });

    it('security groups allow HTTPS only: Lambda → endpoints and S3, endpoints ← Lambda, Redshift → S3', () => {
      const groups = resources(json(), 'aws_security_group');
      const idOf = (groupName: string) => {
        const entry = Object.entries(groups).find(([, g]) => g.name === groupName);
        if (!entry) throw new Error(`no security group ${groupName}`);
        return ref('aws_security_group', entry[0], 'id');
      };
      for (const group of Object.values(groups)) {
        // Inline rules would replace the separate rule resources; none means "no rules but ours".
        expect(group.ingress).toBeUndefined();
        expect(group.egress).toBeUndefined();
      }
      const s3PrefixList = expect.stringMatching(
        /^\$\{aws_vpc_endpoint\.network_s3-endpoint_[A-F0-9]+\.prefix_list_id\}$/,
      );
      const egress = Object.values(resources(json(), 'aws_vpc_security_group_egress_rule'));
      const ingress = Object.values(resources(json(), 'aws_vpc_security_group_ingress_rule'));
      const shape = (r: Record<string, unknown>) => ({
        from: r.security_group_id,
        to: r.referenced_security_group_id ?? r.prefix_list_id ?? r.cidr_ipv4,
        protocol: r.ip_protocol,
        ports: [r.from_port, r.to_port],
      });
      expect(egress.map(shape)).toEqual([
        { from: idOf(name('lambda')), to: idOf(name('endpoints')), protocol: 'tcp', ports: [443, 443] },
        { from: idOf(name('lambda')), to: s3PrefixList, protocol: 'tcp', ports: [443, 443] },
        { from: idOf(name('warehouse')), to: s3PrefixList, protocol: 'tcp', ports: [443, 443] },
      ]);
      expect(ingress.map(shape)).toEqual([
        { from: idOf(name('endpoints')), to: idOf(name('lambda')), protocol: 'tcp', ports: [443, 443] },
      ]);
    });
  });

  describe('bucket', () => {
    const bucketName = `lakeload-${environment}-landing-${account}`;

    it('has a deterministic name, versioning, SSE-KMS with the CMK and bucket keys', () => {
      expect(at(json(), 'aws_s3_bucket', 'data/bucket')).toMatchObject({
        bucket: bucketName,
        force_destroy: config.bucket.forceDestroy,
      });
      expect(at(json(), 'aws_s3_bucket_versioning', 'data/versioning').versioning_configuration).toEqual({
        status: 'Enabled',
      });
      const key = only(json(), 'aws_kms_key');
      expect(
        at(json(), 'aws_s3_bucket_server_side_encryption_configuration', 'data/encryption').rule,
      ).toEqual([
        {
          apply_server_side_encryption_by_default: {
            sse_algorithm: 'aws:kms',
            kms_master_key_id: ref('aws_kms_key', key.logicalId, 'arn'),
          },
          bucket_key_enabled: true,
        },
      ]);
    });

    it('blocks all public access and enforces bucket-owner object ownership', () => {
      expect(at(json(), 'aws_s3_bucket_public_access_block', 'data/public-access')).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      expect(at(json(), 'aws_s3_bucket_ownership_controls', 'data/ownership').rule).toEqual({
        object_ownership: 'BucketOwnerEnforced',
      });
    });

    it('expires rejects, manifests and noncurrent versions', () => {
      const rules = at(json(), 'aws_s3_bucket_lifecycle_configuration', 'data/lifecycle').rule as Record<
        string,
        unknown
      >[];
      expect(rules).toEqual([
        {
          id: 'expire-rejects',
          status: 'Enabled',
          filter: [{ prefix: '_rejects/' }],
          expiration: [{ days: config.bucket.rejectsExpirationDays }],
        },
        {
          id: 'expire-manifests',
          status: 'Enabled',
          filter: [{ prefix: '_lakeload/manifests/' }],
          expiration: [{ days: config.bucket.manifestExpirationDays }],
        },
        {
          id: 'expire-noncurrent-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrent_version_expiration: [{ noncurrent_days: config.bucket.noncurrentVersionExpirationDays }],
          abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
        },
      ]);
    });

    it('notifies the queue of every created .parquet object, after the queue policy exists', () => {
      const notification = only(json(), 'aws_s3_bucket_notification');
      const queues = resources(json(), 'aws_sqs_queue');
      const mainQueue = Object.entries(queues).find(([, q]) => q.name === name('objects'));
      const policy = only(json(), 'aws_sqs_queue_policy');
      expect(notification.queue).toEqual([
        {
          queue_arn: ref('aws_sqs_queue', mainQueue?.[0] ?? '', 'arn'),
          events: ['s3:ObjectCreated:*'],
          filter_suffix: '.parquet',
        },
      ]);
      expect(notification.depends_on).toEqual([`aws_sqs_queue_policy.${policy.logicalId}`]);
    });

    it('has no notification ↔ policy cycle: the queue policy names the bucket by a string ARN', () => {
      const policyDocument = JSON.stringify(json().data.aws_iam_policy_document);
      expect(policyDocument).toContain(`arn:aws:s3:::${bucketName}`);
      expect(policyDocument).not.toContain('aws_s3_bucket.');
    });
  });

  describe('queues', () => {
    const queue = () =>
      Object.values(resources(json(), 'aws_sqs_queue')).find((q) => q.name === name('objects'));
    const dlq = () =>
      Object.values(resources(json(), 'aws_sqs_queue')).find((q) => q.name === name('objects-dlq'));

    it('the visibility timeout is at least 6 × the function timeout', () => {
      const timeout = only(json(), 'aws_lambda_function').timeout as number;
      expect(timeout).toBe(config.lambda.timeoutSeconds);
      expect(queue()?.visibility_timeout_seconds).toBe(visibilityTimeoutSeconds(config));
      expect(queue()?.visibility_timeout_seconds as number).toBeGreaterThanOrEqual(6 * timeout);
    });

    it('redrives to the DLQ after at least 5 receives; the DLQ keeps messages longer and only takes ours', () => {
      const dlqEntry = Object.entries(resources(json(), 'aws_sqs_queue')).find(
        ([, q]) => q.name === name('objects-dlq'),
      );
      // Terraform builds the JSON (jsonencode): the ARN is only known at apply. tests/terraform/
      // common.tftest.hcl decodes both policies under a mocked provider.
      const dlqArn = ref('aws_sqs_queue', dlqEntry?.[0] ?? '', 'arn').slice(2, -1);
      expect(queue()?.redrive_policy).toBe(
        `\${jsonencode({"deadLetterTargetArn" = ${dlqArn}, "maxReceiveCount" = ${config.queue.maxReceiveCount}})}`,
      );
      expect(config.queue.maxReceiveCount).toBeGreaterThanOrEqual(5);
      expect(dlq()?.message_retention_seconds as number).toBeGreaterThan(
        queue()?.message_retention_seconds as number,
      );
      expect(only(json(), 'aws_sqs_queue_redrive_allow_policy').redrive_allow_policy).toMatch(
        /^\$\{jsonencode\(\{"redrivePermission" = "byQueue", "sourceQueueArns" = \[aws_sqs_queue\.queue_[0-9A-F]+\.arn\]\}\)\}$/,
      );
    });

    it('both queues are encrypted with the customer-managed key (S3 cannot use aws/sqs)', () => {
      const key = only(json(), 'aws_kms_key');
      for (const q of [queue(), dlq()]) {
        expect(q?.kms_master_key_id).toBe(ref('aws_kms_key', key.logicalId, 'arn'));
        expect(q?.sqs_managed_sse_enabled).toBeUndefined();
      }
    });
  });

  describe('Lambda', () => {
    it('takes memory, timeout, reserved concurrency from config and runs in the private subnets', () => {
      const fn = only(json(), 'aws_lambda_function');
      expect(fn).toMatchObject({
        function_name: name('loader'),
        memory_size: config.lambda.memoryMb,
        timeout: config.lambda.timeoutSeconds,
      });
      // null: no reservation at all (the attribute absent), so Lambda never refuses it on a small quota.
      expect(fn.reserved_concurrent_executions).toBe(config.lambda.reservedConcurrency ?? undefined);
      const subnets = Object.keys(resources(json(), 'aws_subnet')).map((id) => ref('aws_subnet', id, 'id'));
      expect((fn.vpc_config as { subnet_ids: string[] }).subnet_ids).toEqual(subnets);
      expect((fn.vpc_config as { security_group_ids: string[] }).security_group_ids).toHaveLength(1);
    });

    it('gets exactly the environment variables of the contract', () => {
      const fn = only(json(), 'aws_lambda_function');
      const copyRole = Object.entries(resources(json(), 'aws_iam_role')).find(
        ([, r]) => r.name === name('redshift-copy'),
      );
      const topic = only(json(), 'aws_sns_topic');
      expect((fn.environment as { variables: Record<string, string> }).variables).toEqual({
        LAKELOAD_WAREHOUSE_URL: `redshift-data://workgroup/${name('wg')}/${config.warehouse.database}?schema=public`,
        LAKELOAD_COPY_ROLE_ARN: ref('aws_iam_role', copyRole?.[0] ?? '', 'arn'),
        LAKELOAD_SNS_TOPIC_ARN: ref('aws_sns_topic', topic.logicalId, 'arn'),
        LAKELOAD_MANIFEST_PREFIX: `s3://lakeload-${environment}-landing-${account}/_lakeload/manifests/`,
        POWERTOOLS_SERVICE_NAME: 'lakeload',
        POWERTOOLS_METRICS_NAMESPACE: 'lakeload',
        POWERTOOLS_LOG_LEVEL: config.lambda.logLevel,
      });
    });

    it('the workgroup in the warehouse URL is the one the stack creates', () => {
      expect(only(json(), 'aws_redshiftserverless_workgroup').workgroup_name).toBe(name('wg'));
    });

    it('reads SQS with partial batch failures and a maximum concurrency of at least 2', () => {
      const mapping = only(json(), 'aws_lambda_event_source_mapping');
      const fn = only(json(), 'aws_lambda_function');
      expect(mapping).toMatchObject({
        function_name: ref('aws_lambda_function', fn.logicalId, 'arn'),
        function_response_types: ['ReportBatchItemFailures'],
        scaling_config: { maximum_concurrency: config.lambda.maxConcurrency },
        batch_size: config.lambda.batchSize,
      });
      expect(config.lambda.maxConcurrency).toBeGreaterThanOrEqual(2);
      const queue = Object.entries(resources(json(), 'aws_sqs_queue')).find(
        ([, q]) => q.name === name('objects'),
      );
      expect(mapping.event_source_arn).toBe(ref('aws_sqs_queue', queue?.[0] ?? '', 'arn'));
    });

    it('logs to its own KMS-encrypted log group with the configured retention', () => {
      const group = at(json(), 'aws_cloudwatch_log_group', 'loader/log-group');
      const key = only(json(), 'aws_kms_key');
      expect(group).toMatchObject({
        name: `/aws/lambda/${name('loader')}`,
        retention_in_days: config.logRetentionDays,
        kms_key_id: ref('aws_kms_key', key.logicalId, 'arn'),
      });
      const fn = only(json(), 'aws_lambda_function');
      expect(fn.logging_config).toEqual({
        log_format: 'Text',
        log_group: ref('aws_cloudwatch_log_group', group.logicalId, 'name'),
      });
      expect(fn.kms_key_arn).toBe(ref('aws_kms_key', key.logicalId, 'arn'));
    });
  });

  describe('Redshift Serverless', () => {
    it('namespace: KMS, managed admin password, the COPY role attached and default', () => {
      const key = only(json(), 'aws_kms_key');
      const copyRole = Object.entries(resources(json(), 'aws_iam_role')).find(
        ([, r]) => r.name === name('redshift-copy'),
      );
      const roleArn = ref('aws_iam_role', copyRole?.[0] ?? '', 'arn');
      const namespace = only(json(), 'aws_redshiftserverless_namespace');
      expect(namespace).toMatchObject({
        namespace_name: name('ns'),
        db_name: config.warehouse.database,
        manage_admin_password: true,
        kms_key_id: ref('aws_kms_key', key.logicalId, 'arn'),
        admin_password_secret_kms_key_id: ref('aws_kms_key', key.logicalId, 'arn'),
        iam_roles: [roleArn],
        default_iam_role_arn: roleArn,
      });
      expect(namespace.admin_user_password).toBeUndefined();
    });

    it('workgroup: explicit base capacity, private, enhanced VPC routing, private subnets, its SG', () => {
      const workgroup = only(json(), 'aws_redshiftserverless_workgroup');
      const subnets = Object.keys(resources(json(), 'aws_subnet')).map((id) => ref('aws_subnet', id, 'id'));
      const sg = Object.entries(resources(json(), 'aws_security_group')).find(
        ([, g]) => g.name === name('warehouse'),
      );
      expect(workgroup).toMatchObject({
        base_capacity: config.warehouse.baseRpu,
        max_capacity: config.warehouse.maxRpu,
        publicly_accessible: false,
        enhanced_vpc_routing: true,
        subnet_ids: subnets,
        security_group_ids: [ref('aws_security_group', sg?.[0] ?? '', 'id')],
      });
    });
  });

  describe('notifications and monitoring', () => {
    it('has a KMS-encrypted topic with one email subscription per configured address', () => {
      const key = only(json(), 'aws_kms_key');
      const topic = only(json(), 'aws_sns_topic');
      expect(topic.kms_master_key_id).toBe(ref('aws_kms_key', key.logicalId, 'arn'));
      const subscriptions = Object.values(resources(json(), 'aws_sns_topic_subscription'));
      expect(subscriptions.map((s) => [s.protocol, s.endpoint])).toEqual(
        config.notifications.emailSubscribers.map((email) => ['email', email]),
      );
    });

    it('alarms on Lambda errors, throttles, duration near timeout, DLQ messages and queue age → SNS', () => {
      const topic = ref('aws_sns_topic', only(json(), 'aws_sns_topic').logicalId, 'arn');
      const alarms = Object.values(resources(json(), 'aws_cloudwatch_metric_alarm'));
      const byMetric = Object.fromEntries(alarms.map((a) => [`${a.namespace}/${a.metric_name}`, a]));
      expect(Object.keys(byMetric).sort()).toEqual([
        'AWS/Lambda/Duration',
        'AWS/Lambda/Errors',
        'AWS/Lambda/Throttles',
        'AWS/SQS/ApproximateAgeOfOldestMessage',
        'AWS/SQS/ApproximateNumberOfMessagesVisible',
      ]);
      for (const alarm of alarms) {
        expect(alarm.alarm_actions).toEqual([topic]);
        expect(alarm.ok_actions).toEqual([topic]);
      }
      const fnDimension = { FunctionName: name('loader') };
      expect(byMetric['AWS/Lambda/Errors']).toMatchObject({
        dimensions: fnDimension,
        threshold: config.alarms.lambdaErrors,
      });
      expect(byMetric['AWS/Lambda/Throttles']).toMatchObject({
        dimensions: fnDimension,
        threshold: config.alarms.lambdaThrottles,
      });
      const duration = byMetric['AWS/Lambda/Duration'];
      expect(duration?.threshold as number).toBeLessThan(config.lambda.timeoutSeconds * 1000);
      expect(duration?.threshold).toBe(
        config.lambda.timeoutSeconds * 1000 * config.alarms.durationFractionOfTimeout,
      );
      expect(byMetric['AWS/SQS/ApproximateNumberOfMessagesVisible']).toMatchObject({
        dimensions: { QueueName: name('objects-dlq') },
        threshold: 0,
        comparison_operator: 'GreaterThanThreshold',
      });
      expect(byMetric['AWS/SQS/ApproximateAgeOfOldestMessage']).toMatchObject({
        dimensions: { QueueName: name('objects') },
        threshold: config.alarms.oldestMessageAgeSeconds,
      });
    });

    it('the dashboard charts every EMF metric of the contract per table, plus Lambda and queue health', () => {
      // Terraform encodes the body (jsonencode); common.tftest.hcl decodes it and checks a SEARCH.
      const text = only(json(), 'aws_cloudwatch_dashboard').dashboard_body as string;
      expect(text.startsWith('${jsonencode({')).toBe(true);
      expect(LOADER_METRICS.map((m) => m.name)).toEqual([
        'FilesLoaded',
        'RowsInserted',
        'RowsUpdated',
        'LoadFailures',
        'Duplicates',
        'LoadLatency',
      ]);
      for (const metric of LOADER_METRICS) {
        expect(text).toContain(
          `format("SEARCH('Namespace=%s MetricName=%s', '%s', 300)", jsonencode("lakeload"), jsonencode("${metric.name}"), "${metric.stat}")`,
        );
      }
      for (const metric of [
        'Invocations',
        'Errors',
        'Throttles',
        'Duration',
        'ApproximateAgeOfOldestMessage',
      ]) {
        expect(text).toContain(`"${metric}"`);
      }
      expect(text).toContain(name('loader'));
      expect(text).toContain(name('objects-dlq'));
      expect(text.split(`"region" = "${config.region}"`)).toHaveLength(11);
    });
  });

  it('outputs the bucket, queue, topic, workgroup, function and the Lambda role name', () => {
    expect(Object.keys(json().output).sort()).toEqual([
      'admin_secret_arn',
      'bucket_name',
      'copy_role_arn',
      'database',
      'dead_letter_queue_url',
      'function_name',
      'lambda_role_name',
      'queue_url',
      'topic_arn',
      'workgroup_name',
    ]);
    expect(json().output.workgroup_name?.value).toBe(name('wg'));
  });
});

describe('the two environments', () => {
  it('differ only where the configuration differs: names, sizes, CIDRs', () => {
    const staging = only(stacks.staging.json, 'aws_redshiftserverless_workgroup');
    const production = only(stacks.production.json, 'aws_redshiftserverless_workgroup');
    expect(staging.base_capacity).toBe(environments.staging.warehouse.baseRpu);
    expect(production.base_capacity).toBe(environments.production.warehouse.baseRpu);
    expect(only(stacks.staging.json, 'aws_vpc').cidr_block).not.toBe(
      only(stacks.production.json, 'aws_vpc').cidr_block,
    );
    const types = (s: Synthesized) => Object.keys(s.json.resource).sort();
    expect(types(stacks.staging)).toEqual(types(stacks.production));
  });

  it('count the same resources (RESOURCES_PER_STACK each with NAT off, as infra/README.md says)', () => {
    const count = (s: Synthesized) =>
      Object.values(s.json.resource).reduce((n, r) => n + Object.keys(r).length, 0);
    expect(count(stacks.staging)).toBe(RESOURCES_PER_STACK);
    expect(count(stacks.production)).toBe(RESOURCES_PER_STACK);
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`## What a stack creates (${RESOURCES_PER_STACK} resources with NAT off)`);
  });
});
