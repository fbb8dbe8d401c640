import { describe, expect, it } from 'vitest';
import { parseWarehouseUrl } from '../../src/warehouse/registry.js';

const role = 'arn:aws:iam::123456789012:role/lakeload-copy';
const secret = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:lakeload-AbCdEf';

describe('redshift-data:// warehouse URLs', () => {
  it('reads a Serverless workgroup with its options', () => {
    expect(
      parseWarehouseUrl(
        `redshift-data://workgroup/analytics/dev?secret-arn=${secret}&copy-role-arn=${role}&manifest-prefix=s3://lake/_lakeload/manifests/&region=eu-west-1`,
      ),
    ).toEqual({
      dialect: 'redshift',
      config: {
        target: { workgroup: 'analytics' },
        database: 'dev',
        secretArn: secret,
        copyRoleArn: role,
        manifestPrefix: 's3://lake/_lakeload/manifests/',
        region: 'eu-west-1',
      },
    });
    expect(parseWarehouseUrl('redshift-data://workgroup/analytics/dev')).toEqual({
      dialect: 'redshift',
      config: { target: { workgroup: 'analytics' }, database: 'dev' },
    });
  });

  it('reads a provisioned cluster with a database user or a secret', () => {
    expect(
      parseWarehouseUrl('redshift-data://cluster/etl-cluster/warehouse?db-user=loader&copy-role-arn=default'),
    ).toEqual({
      dialect: 'redshift',
      config: {
        target: { cluster: 'etl-cluster' },
        database: 'warehouse',
        dbUser: 'loader',
        copyRoleArn: 'default',
      },
    });
    expect(parseWarehouseUrl('redshift-data://cluster/etl/wh?isolation=snapshot')).toMatchObject({
      config: { isolation: 'snapshot' },
    });
    expect(() => parseWarehouseUrl('redshift-data://cluster/etl/wh?isolation=read-committed')).toThrow(
      /isolation must be 'snapshot' or 'serializable'/,
    );
    // Neither: the Data API signs in with the caller's IAM identity (GetClusterCredentialsWithIAM).
    expect(parseWarehouseUrl('redshift-data://cluster/etl/wh')).toEqual({
      dialect: 'redshift',
      config: { target: { cluster: 'etl' }, database: 'wh' },
    });
    expect(parseWarehouseUrl(`redshift-data://cluster/etl/wh?secret-arn=${secret}`)).toMatchObject({
      config: { target: { cluster: 'etl' }, secretArn: secret },
    });
  });

  it.each([
    ['redshift-data://serverless/x/dev', /must start with workgroup\/ or cluster\//],
    [
      'redshift-data://workgroup/Analytics/dev',
      /workgroup name must be lowercase letters, digits and hyphens/,
    ],
    ['redshift-data://workgroup/analytics', /the database name must follow the workgroup name/],
    ['redshift-data://workgroup/analytics/dev/extra', /the database name must follow the workgroup name/],
    ['redshift-data://workgroup/analytics/dev?db-user=x', /Serverless workgroup takes no db-user/],
    [
      `redshift-data://cluster/etl/wh?db-user=a&secret-arn=${secret}`,
      /at most one of db-user and secret-arn/,
    ],
    ['redshift-data://workgroup/a1/dev?password=hunter2', /unknown parameter password/],
    ['redshift-data://workgroup/a1/dev?copy-role-arn=lakeload', /copy-role-arn must be an IAM role ARN/],
    [
      'redshift-data://workgroup/a1/dev?manifest-prefix=/tmp/m',
      /manifest-prefix must be an s3:\/\/bucket\/prefix\/ URL/,
    ],
    ['redshift-data://workgroup/a1/dev?secret-arn=abc', /secret-arn must be a Secrets Manager secret ARN/],
  ])('refuses %s with the forms it accepts', (url, message) => {
    expect(() => parseWarehouseUrl(url)).toThrow(message);
    expect(() => parseWarehouseUrl(url)).toThrow(/use redshift-data:\/\/workgroup\/<name>\/<database>/);
  });

  it('lists the Redshift forms for an unknown scheme', () => {
    expect(() => parseWarehouseUrl('snowflake://x')).toThrow(
      /or redshift-data:\/\/workgroup\/<name>\/<database>/,
    );
  });
});
