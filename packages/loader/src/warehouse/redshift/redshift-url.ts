import { LoaderError } from '../../errors.js';
import type { WarehouseUrl } from '../dialect.js';
import type { RedshiftDialectConfig } from './redshift-dialect-config.js';

/** A `redshift-data://` URL's target: the dialect's config, as far as a URL can say it. */
export type RedshiftWarehouseTarget = { dialect: 'redshift'; config: RedshiftDialectConfig };

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
function parseRedshiftUrl(url: string): RedshiftWarehouseTarget {
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
  const config: RedshiftDialectConfig = {
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
  return { dialect: 'redshift', config };
}

export const redshiftUrl: WarehouseUrl<RedshiftWarehouseTarget> = {
  schemes: ['redshift-data://'],
  forms: REDSHIFT_FORMS,
  parseUrl: parseRedshiftUrl,
};
