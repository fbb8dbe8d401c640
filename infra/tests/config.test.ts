import { describe, expect, it } from 'vitest';
import {
  ENVIRONMENTS,
  type EnvironmentConfig,
  environments,
  InfraConfigError,
  validateConfig,
  visibilityTimeoutSeconds,
} from '../src/config.js';
import { only, synthAll } from './helpers/synth.js';

/** A copy of staging with some fields replaced (deeply, one level of nesting). */
function staging(patch: (config: EnvironmentConfig) => EnvironmentConfig): EnvironmentConfig {
  return patch(structuredClone(environments.staging) as EnvironmentConfig);
}

describe('configuration', () => {
  it.each(ENVIRONMENTS)('%s satisfies every invariant', (environment) => {
    const config = environments[environment];
    expect(validateConfig(config)).toBe(config);
    expect(config.environment).toBe(environment);
    expect(new Set(config.availabilityZones).size).toBe(3);
    expect(visibilityTimeoutSeconds(config)).toBeGreaterThanOrEqual(6 * config.lambda.timeoutSeconds);
    expect(config.queue.deadLetterRetentionSeconds).toBeGreaterThan(config.queue.retentionSeconds);
    expect(config.queue.maxReceiveCount).toBeGreaterThanOrEqual(5);
    expect(config.lambda.maxConcurrency).toBeGreaterThanOrEqual(2);
    expect(config.notifications.emailSubscribers.length).toBeGreaterThan(0);
  });

  it('production is sized at least like staging and keeps its bucket on destroy', () => {
    const { staging: s, production: p } = environments;
    // Staging reserves nothing (new accounts have a concurrency quota of 10); production's reservation is a prerequisite.
    expect(s.lambda.reservedConcurrency).toBeNull();
    expect(p.lambda.reservedConcurrency).toBeGreaterThanOrEqual(p.lambda.maxConcurrency);
    // On-call hears of failures (and alarms) only, not of every load and smoke test.
    expect(p.notifications.emailEventTypes).toEqual(['failed']);
    expect(p.logRetentionDays).toBeGreaterThanOrEqual(s.logRetentionDays);
    expect(p.bucket.forceDestroy).toBe(false);
  });

  it.each([
    [
      'two zones',
      (c: EnvironmentConfig) => ({
        ...c,
        availabilityZones: ['eu-west-1a', 'eu-west-1a', 'eu-west-1b'] as const,
      }),
      'availabilityZones: list three distinct zones',
    ],
    [
      'a zone outside the region',
      (c: EnvironmentConfig) => ({
        ...c,
        availabilityZones: ['eu-west-1a', 'eu-west-1b', 'us-east-1a'] as const,
      }),
      'us-east-1a is not in region eu-west-1',
    ],
    [
      'maxReceiveCount 3',
      (c: EnvironmentConfig) => ({ ...c, queue: { ...c.queue, maxReceiveCount: 3 } }),
      'queue.maxReceiveCount: use at least 5',
    ],
    [
      'DLQ retention not longer',
      (c: EnvironmentConfig) => ({
        ...c,
        queue: { ...c.queue, deadLetterRetentionSeconds: c.queue.retentionSeconds },
      }),
      'deadLetterRetentionSeconds: must exceed',
    ],
    [
      'max concurrency 1',
      (c: EnvironmentConfig) => ({ ...c, lambda: { ...c.lambda, maxConcurrency: 1 } }),
      'lambda.maxConcurrency: the SQS event source allows 2–1000',
    ],
    [
      'max concurrency above the reservation',
      (c: EnvironmentConfig) => ({
        ...c,
        lambda: { ...c.lambda, reservedConcurrency: 5, maxConcurrency: 6 },
      }),
      'above reservedConcurrency',
    ],
    [
      'a reservation of 0',
      (c: EnvironmentConfig) => ({ ...c, lambda: { ...c.lambda, reservedConcurrency: 0 } }),
      'lambda.reservedConcurrency: reserve at least 1, or null',
    ],
    [
      'a timeout whose 6× exceeds 12 h',
      (c: EnvironmentConfig) => ({ ...c, lambda: { ...c.lambda, timeoutSeconds: 900 * 9 } }),
      'Lambda allows 1–900 seconds',
    ],
    [
      'base RPU 12',
      (c: EnvironmentConfig) => ({ ...c, warehouse: { ...c.warehouse, baseRpu: 12 } }),
      'warehouse.baseRpu: use 4, or 8–512 in steps of 8',
    ],
    [
      'max RPU below base',
      (c: EnvironmentConfig) => ({ ...c, warehouse: { ...c.warehouse, maxRpu: 4 } }),
      'warehouse.maxRpu: use a multiple of 8, at least',
    ],
    [
      'log retention 10 days',
      (c: EnvironmentConfig) => ({ ...c, logRetentionDays: 10 }),
      'logRetentionDays: CloudWatch Logs accepts',
    ],
    [
      'a bad email',
      (c: EnvironmentConfig) => ({ ...c, notifications: { ...c.notifications, emailSubscribers: ['ops'] } }),
      '"ops" is not an email address',
    ],
    [
      'a duration fraction of 1',
      (c: EnvironmentConfig) => ({ ...c, alarms: { ...c.alarms, durationFractionOfTimeout: 1 } }),
      'durationFractionOfTimeout',
    ],
  ])('rejects %s, naming the field and the fix', (_label, patch, message) => {
    expect(() => validateConfig(staging(patch))).toThrow(InfraConfigError);
    expect(() => validateConfig(staging(patch))).toThrow(`staging.`);
    expect(() => validateConfig(staging(patch))).toThrow(message);
  });

  it('reports every violation at once', () => {
    const broken = staging((c) => ({
      ...c,
      logRetentionDays: 10,
      queue: { ...c.queue, maxReceiveCount: 1 },
    }));
    expect(() => validateConfig(broken)).toThrow(/logRetentionDays[\s\S]*|maxReceiveCount/);
    try {
      validateConfig(broken);
    } catch (error) {
      expect((error as Error).message.split('\n- ')).toHaveLength(3);
    }
  });

  it('a stack refuses to synthesize from an invalid configuration', () => {
    const invalid = staging((c) => ({ ...c, queue: { ...c.queue, maxReceiveCount: 2 } }));
    expect(() => synthAll({ environments: { ...environments, staging: invalid } })).toThrow(
      'maxReceiveCount',
    );
  });

  it('natGateway adds an internet gateway, a public subnet, a NAT and the default routes', () => {
    const withNat = staging((c) => ({
      ...c,
      network: { ...c.network, natGateway: { enabled: true, publicSubnetCidr: '10.40.240.0/24' } },
    }));
    const { staging: synthesized } = synthAll({ environments: { ...environments, staging: withNat } });
    const json = synthesized.json;
    expect(only(json, 'aws_nat_gateway')).toBeDefined();
    expect(only(json, 'aws_internet_gateway')).toBeDefined();
    const routes = Object.values(json.resource.aws_route ?? {});
    expect(routes.map((r) => r.destination_cidr_block)).toEqual(['0.0.0.0/0', '0.0.0.0/0']);
    expect(routes.some((r) => String(r.nat_gateway_id).includes('aws_nat_gateway.'))).toBe(true);
    const subnets = Object.values(json.resource.aws_subnet ?? {});
    expect(subnets.filter((s) => (s.tags as Record<string, string>).tier === 'public')).toHaveLength(1);
    const egress = Object.values(json.resource.aws_vpc_security_group_egress_rule ?? {});
    expect(egress.filter((r) => r.cidr_ipv4 === '0.0.0.0/0')).toHaveLength(1);
  });
});
