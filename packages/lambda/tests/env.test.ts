// The environment is checked at cold start: every problem in one message, nothing secret in it.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SAFETY_MARGIN_MS, LambdaConfigError, readLambdaConfig } from '../src/env.js';
import { GOOD_ENV } from './helpers.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    readLambdaConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(LambdaConfigError);
    return (error as LambdaConfigError).problems;
  }
  throw new Error('expected the environment to be refused');
}

describe('readLambdaConfig', () => {
  it('reads the contract variables, with defaults for the optional ones', () => {
    expect(readLambdaConfig(GOOD_ENV)).toEqual({
      warehouseUrl: 'duckdb::memory:',
      copyRoleArn: 'arn:aws:iam::123456789012:role/lakeload-copy',
      manifestPrefix: 's3://lake-bucket/_lakeload/manifests/',
      tables: {},
      safetyMarginMs: DEFAULT_SAFETY_MARGIN_MS,
      serviceName: 'lakeload',
      metricsNamespace: 'lakeload',
    });
    const full = readLambdaConfig({
      ...GOOD_ENV,
      LAKELOAD_SNS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:lakeload-loads',
      LAKELOAD_SNS_EVENTS: 'loaded, failed,duplicate',
      LAKELOAD_TABLES: '{"events": {"keys": ["event_id"], "version": "updated_at"}}',
      LAKELOAD_SAFETY_MARGIN_MS: '25000',
    });
    expect(full.snsTopicArn).toBe('arn:aws:sns:eu-west-1:123456789012:lakeload-loads');
    expect(full.snsEvents).toEqual(['loaded', 'failed', 'duplicate']);
    expect(full.tables).toEqual({
      events: { keys: ['event_id'], version: 'updated_at', contract: 'evolve' },
    });
    expect(full.safetyMarginMs).toBe(25_000);
  });

  it('lists every missing required variable at once', () => {
    const problems = problemsOf({});
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^LAKELOAD_WAREHOUSE_URL is not set; set it to .*redshift-data:\/\//);
    expect(problems[1]).toMatch(/^LAKELOAD_COPY_ROLE_ARN is not set/);
    expect(problems[2]).toMatch(/^LAKELOAD_MANIFEST_PREFIX is not set/);
  });

  it('names each malformed variable and the fix, in one message', () => {
    const env = {
      LAKELOAD_WAREHOUSE_URL: 'mysql://admin:hunter2@db.example.com/analytics',
      LAKELOAD_COPY_ROLE_ARN: 'lakeload-copy',
      LAKELOAD_MANIFEST_PREFIX: 's3://lake-bucket/_lakeload/manifests',
      LAKELOAD_SNS_TOPIC_ARN: 'arn:aws:sqs:eu-west-1:123456789012:queue',
      LAKELOAD_SNS_EVENTS: 'loaded,exploded',
      LAKELOAD_TABLES: '{"events": {"keys": "event_id"}}',
      LAKELOAD_SAFETY_MARGIN_MS: '10s',
      POWERTOOLS_LOG_LEVEL: 'LOUD',
    };
    let message = '';
    try {
      readLambdaConfig(env);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n')[0]).toBe("lakeload: the function's environment has 8 problems:");
    expect(message).toContain(
      'LAKELOAD_WAREHOUSE_URL "mysql://admin:***@db.example.com/analytics" is not usable',
    );
    expect(message).not.toContain('hunter2');
    expect(message).toContain('LAKELOAD_COPY_ROLE_ARN "lakeload-copy" is not an IAM role ARN');
    expect(message).toContain(
      'LAKELOAD_MANIFEST_PREFIX "s3://lake-bucket/_lakeload/manifests" is not an S3 folder',
    );
    expect(message).toContain(
      'LAKELOAD_SNS_TOPIC_ARN "arn:aws:sqs:eu-west-1:123456789012:queue" is not an SNS topic ARN',
    );
    expect(message).toContain('LAKELOAD_SNS_EVENTS names unknown event "exploded"');
    expect(message).toContain('LAKELOAD_TABLES: tables.events.keys must be a list of column names');
    expect(message).toContain('LAKELOAD_SAFETY_MARGIN_MS "10s" is not a whole number of milliseconds');
    expect(message).toContain('POWERTOOLS_LOG_LEVEL "LOUD" is not one of');
  });

  it('refuses LAKELOAD_TABLES that is not JSON', () => {
    expect(problemsOf({ ...GOOD_ENV, LAKELOAD_TABLES: '{events: []}' })[0]).toMatch(
      /^LAKELOAD_TABLES is not valid JSON \(.*\); expected \{"<table>"/,
    );
  });
});
