import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js';
import type { Construct } from 'constructs';

/** One IAM condition: `{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [...] }`. */
export interface Condition {
  readonly test: string;
  readonly variable: string;
  readonly values: readonly string[];
}

/** One policy statement; every document in the stacks is built from these. */
export interface Statement {
  readonly sid: string;
  readonly effect?: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly principals?: readonly { readonly type: string; readonly identifiers: readonly string[] }[];
  readonly conditions?: readonly Condition[];
}

/**
 * Statements allowed to use `Resource: "*"`, by Sid, each with the reason AWS requires it.
 * The tests fail when any other Allow statement uses `*`, or when an entry here goes unused.
 */
export const RESOURCE_STAR_EXCEPTIONS: Readonly<Record<string, string>> = {
  KeyAdministrationByAccount:
    'In a key policy "*" means "this key"; the statement is the documented default that lets IAM policies govern the key.',
  S3UsesKeyForQueueNotifications:
    'Key policy: "*" is this key (S3 encrypts notification messages to the queue).',
  CloudWatchLogsUsesKey:
    'Key policy: "*" is this key; scoped by the kms:EncryptionContext:aws:logs:arn condition to our log group.',
  CloudWatchAlarmsUseKey: 'Key policy: "*" is this key (alarms publish to the encrypted topic).',
  DataApiOwnStatements:
    'redshift-data:DescribeStatement/GetStatementResult/CancelStatement support no resource-level permissions (Service Authorization Reference: no resource types); scoped to statements this role ran via redshift-data:statement-owner-iam-userid.',
  VpcNetworkInterfacesDescribe:
    'ec2:DescribeNetworkInterfaces/DescribeSubnets support no resource-level permissions ("only works if allowed on all resources", Lambda VPC docs).',
};

/**
 * Statements allowed a wildcard action (`kms:*`): the account-root statement of a key policy, which
 * AWS documents as the default so that the key stays manageable. Deny statements may always use
 * wildcards (denying broadly only removes access).
 */
export const WILDCARD_ACTION_EXCEPTIONS: Readonly<Record<string, string>> = {
  KeyAdministrationByAccount:
    'Default key policy statement (kms:* to the account root): delegates access control to IAM; without it the key cannot be administered.',
};

/** Synthesizes `statements` as an `aws_iam_policy_document` data source; use `.json` as the policy. */
export function policyDocument(
  scope: Construct,
  id: string,
  statements: readonly Statement[],
): DataAwsIamPolicyDocument {
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: statements.map((statement) => ({
      sid: statement.sid,
      effect: statement.effect ?? 'Allow',
      actions: [...statement.actions],
      resources: [...statement.resources],
      ...(statement.principals
        ? {
            principals: statement.principals.map((p) => ({ type: p.type, identifiers: [...p.identifiers] })),
          }
        : {}),
      ...(statement.conditions
        ? {
            condition: statement.conditions.map((c) => ({
              test: c.test,
              variable: c.variable,
              values: [...c.values],
            })),
          }
        : {}),
    })),
  });
}

/** The statement every resource policy carries: deny any request not made over TLS. */
export function denyInsecureTransport(actions: readonly string[], resources: readonly string[]): Statement {
  return {
    sid: 'DenyInsecureTransport',
    effect: 'Deny',
    actions,
    resources,
    principals: [{ type: '*', identifiers: ['*'] }],
    conditions: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
  };
}

/**
 * A trust policy statement letting AWS services assume a role. No aws:SourceAccount condition:
 * Lambda and Redshift do not document sending it when they assume a role, and a condition the
 * service does not send would lock it out.
 */
export function assumeRoleBy(services: readonly string[]): Statement {
  return {
    sid: 'AssumeRoleByService',
    actions: ['sts:AssumeRole'],
    resources: [],
    principals: [{ type: 'Service', identifiers: services }],
  };
}

/**
 * `kms:ViaService`: the key may be used only through these AWS services in this region, never by a
 * direct KMS call with the role's credentials (docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
 */
export function viaServices(region: string, services: readonly string[]): Condition {
  return {
    test: 'StringEquals',
    variable: 'kms:ViaService',
    values: services.map((service) => `${service}.${region}.amazonaws.com`),
  };
}
