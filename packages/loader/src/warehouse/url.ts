import { mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LoaderError } from '../errors.js';
import { redact } from '../redact.js';
import type { Driver } from './dialect.js';
import type { RedshiftDialectConfig } from './redshift/redshift-dialect-config.js';

export type WarehouseTarget =
  | { dialect: 'duckdb'; path: string }
  | { dialect: 'postgres'; connectionString: string }
  | { dialect: 'redshift'; config: RedshiftDialectConfig };

/** A URL fit for messages and output: the one redaction (passwords, tokens, signatures out). */
export const redactUrl: (url: string) => string = redact;

// Files a lake holds, which a `duckdb:` URL names by mistake (DuckDB would not keep tables in them).
const DATA_FILE = /\.(parquet|csv|tsv|json|jsonl|ndjson|txt|gz|zst)$/i;

/** The default embedded warehouse. */
export const DEFAULT_WAREHOUSE = 'duckdb:.lakeload/warehouse.duckdb';

const REDSHIFT_FORMS =
  'redshift-data://workgroup/<name>/<database>[?secret-arn=…&copy-role-arn=…&manifest-prefix=s3://…&region=…&isolation=snapshot|serializable&schema=…] or redshift-data://cluster/<id>/<database>[?db-user=<user>|secret-arn=…][&copy-role-arn=…&manifest-prefix=s3://…&region=…&isolation=…&schema=…]';

// What each query parameter must look like; a value that does not is refused with the form.
const REDSHIFT_PARAMETERS: Record<string, [RegExp, string]> = {
  'secret-arn': [
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
    'a Secrets Manager secret ARN',
  ],
  'db-user': [/^[^\s&]{1,128}$/, 'a database user name'],
  'copy-role-arn': [/^(default|arn:aws[a-z-]*:iam::\d{12}:role\/[^\\]+)$/, "an IAM role ARN (or 'default')"],
  'manifest-prefix': [/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[^\\]*$/, 'an s3://bucket/prefix/ URL'],
  region: [/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-west-1'],
  isolation: [/^(snapshot|serializable)$/, "'snapshot' or 'serializable' (the database's isolation level)"],
  schema: [/^\S{1,127}$/, 'a schema name (at most 127 bytes)'],
};

/**
 * `redshift-data://workgroup/<name>/<database>?…` (Serverless) or
 * `redshift-data://cluster/<id>/<database>?db-user=…` (provisioned): the Data API's target, who runs
 * the statements, and the COPY role and manifest prefix a load needs.
 */
function parseRedshiftUrl(url: string): RedshiftDialectConfig {
  const bad = (why: string) =>
    new LoaderError(`bad Redshift warehouse URL "${url}": ${why}; use ${REDSHIFT_FORMS}`);
  const rest = url.slice('redshift-data://'.length);
  const question = rest.indexOf('?');
  const path = question === -1 ? rest : rest.slice(0, question);
  const [kind, name, database, ...extra] = path.split('/').map((part) => decodeURIComponent(part));
  if (kind !== 'workgroup' && kind !== 'cluster') throw bad('it must start with workgroup/ or cluster/');
  if (!name || !/^[a-z][a-z0-9-]{0,63}$/.test(name))
    throw bad(`the ${kind} name must be lowercase letters, digits and hyphens`);
  if (!database || extra.length > 0) throw bad(`the database name must follow the ${kind} name`);
  const parameters = new URLSearchParams(question === -1 ? '' : rest.slice(question + 1));
  const values: Record<string, string> = {};
  for (const [key, value] of parameters) {
    const rule = REDSHIFT_PARAMETERS[key];
    if (!rule) throw bad(`unknown parameter ${key}`);
    if (!rule[0].test(value)) throw bad(`${key} must be ${rule[1]}`);
    values[key] = value;
  }
  const secretArn = values['secret-arn'];
  const dbUser = values['db-user'];
  if (kind === 'workgroup' && dbUser !== undefined)
    throw bad(
      'a Serverless workgroup takes no db-user: use secret-arn, or no credentials to run as the IAM role',
    );
  // Neither: the caller's own IAM identity, through GetClusterCredentialsWithIAM
  // (https://docs.aws.amazon.com/redshift/latest/mgmt/data-api.html).
  if (kind === 'cluster' && dbUser !== undefined && secretArn !== undefined)
    throw bad("a cluster takes at most one of db-user and secret-arn (neither: the caller's IAM identity)");
  return {
    target: kind === 'workgroup' ? { workgroup: name } : { cluster: name },
    database,
    ...(secretArn === undefined ? {} : { secretArn }),
    ...(dbUser === undefined ? {} : { dbUser }),
    ...(values['copy-role-arn'] === undefined ? {} : { copyRoleArn: values['copy-role-arn'] }),
    ...(values['manifest-prefix'] === undefined ? {} : { manifestPrefix: values['manifest-prefix'] }),
    ...(values.region === undefined ? {} : { region: values.region }),
    ...(values.isolation === undefined
      ? {}
      : { isolation: values.isolation as NonNullable<RedshiftDialectConfig['isolation']> }),
    ...(values.schema === undefined ? {} : { schema: values.schema }),
  };
}

/**
 * Parses a warehouse URL: `duckdb:<path>` (`duckdb::memory:` for a throwaway one),
 * `postgres://user:password@host:port/database`, or a `redshift-data://` URL (see
 * `parseRedshiftUrl`). The message of a bad URL lists the forms this build understands and never
 * repeats a password.
 */
export function parseWarehouseUrl(url: string): WarehouseTarget {
  if (url.startsWith('duckdb:')) {
    const path = url.slice('duckdb:'.length);
    if (path === '')
      throw new LoaderError('duckdb: needs a database file, e.g. duckdb:.lakeload/warehouse.duckdb');
    const data = DATA_FILE.exec(path);
    if (data)
      throw new LoaderError(
        `duckdb:${path} names a ${data[0]} data file, not a database: the warehouse is a DuckDB database file, e.g. duckdb:.lakeload/warehouse.duckdb`,
      );
    return { dialect: 'duckdb', path };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return { dialect: 'postgres', connectionString: url };
  }
  if (url.startsWith('redshift-data://')) return { dialect: 'redshift', config: parseRedshiftUrl(url) };
  throw new LoaderError(
    `unsupported warehouse URL "${redactUrl(url)}"; use duckdb:<path> or postgres://user@host:port/database or ${REDSHIFT_FORMS}`,
  );
}

/**
 * An existing file must be a DuckDB database (its header holds `DUCK` at byte 8): any other file
 * would be refused by DuckDB in a way that hides the cause, or worse, loaded into nothing.
 */
async function checkDuckDBFile(path: string): Promise<void> {
  const file = await open(path, 'r').catch(() => undefined);
  if (!file) return;
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(12), 0, 12, 0);
    if (bytesRead === 0) return;
    if (bytesRead < 12 || buffer.subarray(8, 12).toString('latin1') !== 'DUCK')
      throw new LoaderError(
        `duckdb:${path} is an existing file that is not a DuckDB database: name a new file or a DuckDB database, e.g. duckdb:.lakeload/warehouse.duckdb`,
      );
  } finally {
    await file.close();
  }
}

/** Opens the warehouse a URL names; each dialect's client is loaded only when it is used. */
export async function openWarehouse(url: string): Promise<Driver> {
  const target = parseWarehouseUrl(url);
  if (target.dialect === 'redshift') {
    const { redshiftWarehouse } = await import('./redshift/redshift-dialect.js');
    return redshiftWarehouse(target.config);
  }
  if (target.dialect === 'postgres') {
    const { postgresWarehouse } = await import('./postgres/postgres-dialect.js');
    return postgresWarehouse({ connectionString: target.connectionString });
  }
  if (target.path !== ':memory:') {
    await mkdir(dirname(resolve(target.path)), { recursive: true });
    await checkDuckDBFile(target.path);
  }
  const { duckdbWarehouse } = await import('./duckdb/duckdb-dialect.js');
  return duckdbWarehouse({ path: target.path });
}
