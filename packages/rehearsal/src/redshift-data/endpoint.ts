// A local Redshift Data API endpoint: the service's JSON protocol (awsJson1_1: POST /, header
// `X-Amz-Target: RedshiftData.<Operation>`, content type application/x-amz-json-1.1) on a real HTTP
// server, so the real @aws-sdk/client-redshift-data talks to it through AWS_ENDPOINT_URL_REDSHIFT_DATA.
// Any credentials are accepted (signatures are not checked). Statements execute on PostgreSQL.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DuckDBInstance } from '@duckdb/node-api';
import { PostgresSqlCompiler } from '@lakeload/loader/postgres';
import { EmulatedServiceError, RehearsalError } from '../errors.js';
import { columnMetadata, toFields } from './results.js';
import type { S3Objects } from './s3-objects.js';
import {
  type InjectedFailure,
  type InjectedLatency,
  StatementEngine,
  type StatementRecord,
  type StatementTarget,
  type TopStatement,
} from './statements.js';

/** The Data API's limits, enforced as the service does (a ValidationException). */
export const DATA_API_LIMITS = {
  /** Statements in one BatchExecuteStatement. */
  maxBatchStatements: 40,
  /**
   * Bytes of one SQL statement: "The maximum query statement size is 100 KB"
   * (https://docs.aws.amazon.com/redshift/latest/mgmt/data-api.html). Whether a KB is 1,000 or
   * 1,024 bytes there is not said: the endpoint takes the stricter 100,000.
   */
  maxStatementBytes: 100_000,
} as const;

export interface RedshiftDataEndpointOptions {
  /** PostgreSQL that executes the statements, e.g. postgres://postgres@127.0.0.1:5432/test. */
  connectionString: string;
  /** search_path of every session (a test's own schema); changeable later with useSchema(). */
  schema?: string;
  /** The Database requests must name (others fail like an unknown database); any when unset. */
  database?: string;
  /** Where COPY reads s3:// objects: the local S3 server. */
  s3: S3Objects;
  /** Records per GetStatementResult page (default 1000); the service pages by size instead. */
  pageSize?: number;
  /** Statements running at once, one PostgreSQL session each; others wait as SUBMITTED. Default 16. */
  maxSessions?: number;
  /**
   * Statements accepted and not ended beyond which ExecuteStatement and BatchExecuteStatement answer
   * ActiveStatementsExceededException, as the service does at its quota. Default 500.
   */
  maxActiveStatements?: number;
  /**
   * Keep the case of quoted names, as with `enable_case_sensitive_identifier` on. Default false:
   * quoted names fold to lower case, as Redshift's do by default.
   */
  caseSensitiveIdentifiers?: boolean;
  /**
   * The database's isolation level. Default snapshot, as new workgroups have; `serializable`, as
   * older clusters and some databases have, raises 1023 on conflicting transactions.
   */
  isolation?: 'snapshot' | 'serializable';
  /**
   * Result column names in upper case, as with `describe_field_name_in_uppercase` set for the user.
   * Default false; a session may `SET describe_field_name_in_uppercase TO on` itself.
   */
  fieldNamesInUppercase?: boolean;
  /** Redshift-like time added to statements, COPYed files and commits (capacity runs). */
  latency?: InjectedLatency;
  /** Default 127.0.0.1 and a free port. */
  host?: string;
  port?: number;
}

export interface RedshiftDataEndpoint {
  /** http://127.0.0.1:<port>, the value for AWS_ENDPOINT_URL_REDSHIFT_DATA. */
  url: string;
  /** Every statement the endpoint accepted, oldest first (batches with their sub-statements). */
  statements(): TopStatement[];
  /** Every SQL statement run or attempted, flattened (count COPYs here: `kind === 'copy'`). */
  log(): StatementRecord[];
  /** Sessions opened from now on use this schema as their search_path. */
  useSchema(schema: string | undefined): void;
  /** Test hook: statements matching `match` fail with exactly `error` (errors PostgreSQL cannot make on cue). */
  injectFailure(failure: InjectedFailure): void;
  /** Resolves when every accepted statement has ended. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** A Redshift Data API error, answered as the API's JSON error response. */
class ServiceError extends EmulatedServiceError {
  override name = 'ServiceError';
  static override readonly tip: string =
    'The local Redshift Data API refused the request as the service would: fix the request the message names.';
}

type Json = Record<string, unknown>;

const seconds = (date: Date) => date.getTime() / 1000;

function stringField(body: Json, name: string, required = false): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) {
    if (required) throw new ServiceError('ValidationException', `${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string') throw new ServiceError('ValidationException', `${name} must be a string`);
  return value;
}

function target(body: Json): StatementTarget {
  const Database = stringField(body, 'Database', true) as string;
  const WorkgroupName = stringField(body, 'WorkgroupName');
  const ClusterIdentifier = stringField(body, 'ClusterIdentifier');
  const DbUser = stringField(body, 'DbUser');
  const SecretArn = stringField(body, 'SecretArn');
  if (body.SessionId !== undefined || body.SessionKeepAliveSeconds !== undefined) {
    throw new ServiceError(
      'ValidationException',
      'Sessions (SessionId, SessionKeepAliveSeconds) are not emulated by the local endpoint: every call is a fresh session',
    );
  }
  if (body.ResultFormat !== undefined && body.ResultFormat !== 'JSON') {
    throw new ServiceError('ValidationException', 'Only ResultFormat JSON is emulated by the local endpoint');
  }
  if (!WorkgroupName && !ClusterIdentifier) {
    throw new ServiceError('ValidationException', 'Either WorkgroupName or ClusterIdentifier is required');
  }
  if (WorkgroupName && ClusterIdentifier) {
    throw new ServiceError(
      'ValidationException',
      'WorkgroupName and ClusterIdentifier cannot both be specified',
    );
  }
  // A cluster without DbUser or SecretArn runs as the caller's IAM identity
  // (GetClusterCredentialsWithIAM, https://docs.aws.amazon.com/redshift/latest/mgmt/data-api.html).
  if (ClusterIdentifier && DbUser && SecretArn) {
    throw new ServiceError('ValidationException', 'DbUser and SecretArn cannot both be specified');
  }
  const result: StatementTarget = { Database };
  if (WorkgroupName) result.WorkgroupName = WorkgroupName;
  if (ClusterIdentifier) result.ClusterIdentifier = ClusterIdentifier;
  if (DbUser) result.DbUser = DbUser;
  if (SecretArn) result.SecretArn = SecretArn;
  return result;
}

function checkSize(sql: string): void {
  if (Buffer.byteLength(sql) > DATA_API_LIMITS.maxStatementBytes) {
    throw new ServiceError(
      'ValidationException',
      `Query size ${Buffer.byteLength(sql)} bytes exceeds the maximum of ${DATA_API_LIMITS.maxStatementBytes} bytes (100 KB)`,
    );
  }
}

function submitted(top: TopStatement): Json {
  return { Id: top.id, CreatedAt: seconds(top.createdAt), ...top.target };
}

function describeRecord(record: StatementRecord): Json {
  const described: Json = {
    Id: record.id,
    Status: record.status,
    CreatedAt: seconds(record.createdAt),
    UpdatedAt: seconds(record.updatedAt),
    Duration: record.durationNs,
    HasResultSet: record.hasResultSet,
    QueryString: record.sql,
    RedshiftQueryId: record.redshiftQueryId,
    ResultRows: record.resultRows,
    ResultSize: record.resultSize,
  };
  if (record.error) described.Error = record.error;
  return described;
}

function operations(
  engine: StatementEngine,
  pageSize: number,
  maxActive: number,
): Record<string, (body: Json) => Promise<Json> | Json> {
  const checkActive = () => {
    if (engine.active() >= maxActive) {
      throw new ServiceError(
        'ActiveStatementsExceededException',
        `The number of active statements exceeds the limit of ${maxActive}`,
      );
    }
  };
  return {
    ExecuteStatement(body) {
      checkActive();
      const sql = stringField(body, 'Sql', true) as string;
      checkSize(sql);
      const parameters = body.Parameters as { name: string; value: string }[] | undefined;
      if (parameters !== undefined && (!Array.isArray(parameters) || parameters.length === 0)) {
        throw new ServiceError('ValidationException', 'Parameters must be a non-empty list');
      }
      return submitted(
        engine.submit(target(body), [sql], false, parameters, stringField(body, 'ClientToken')),
      );
    },
    BatchExecuteStatement(body) {
      checkActive();
      const sqls = body.Sqls;
      if (!Array.isArray(sqls) || sqls.some((sql) => typeof sql !== 'string')) {
        throw new ServiceError('ValidationException', 'Sqls is required: a list of SQL statements');
      }
      if (sqls.length < 1 || sqls.length > DATA_API_LIMITS.maxBatchStatements) {
        throw new ServiceError(
          'ValidationException',
          `1 validation error detected: Value at 'sqls' failed to satisfy constraint: Member must have length ${sqls.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${DATA_API_LIMITS.maxBatchStatements}`}`,
        );
      }
      for (const sql of sqls as string[]) checkSize(sql);
      return submitted(
        engine.submit(target(body), sqls as string[], true, undefined, stringField(body, 'ClientToken')),
      );
    },
    DescribeStatement(body) {
      const id = stringField(body, 'Id', true) as string;
      const found = engine.find(id);
      if (!found) throw new ServiceError('ResourceNotFoundException', `Query does not exist: ${id}`);
      const { top, record } = found;
      const described: Json = { ...describeRecord(record), ...top.target, RedshiftPid: top.redshiftPid };
      if (record === top && top.subStatements)
        described.SubStatements = top.subStatements.map(describeRecord);
      if (record === top && top.parameters) described.QueryParameters = top.parameters;
      return described;
    },
    GetStatementResult(body) {
      const id = stringField(body, 'Id', true) as string;
      const found = engine.find(id);
      if (!found) throw new ServiceError('ResourceNotFoundException', `Query does not exist: ${id}`);
      const { top, record } = found;
      if (record === top && top.subStatements) {
        throw new ServiceError(
          'ValidationException',
          `${id} is a batch: ask for the result of one sub-statement (${id}:1 … ${id}:${top.subStatements.length})`,
        );
      }
      if (record.status !== 'FINISHED') {
        throw new ServiceError(
          'ResourceNotFoundException',
          `Query ${id} has not finished (status ${record.status})`,
        );
      }
      if (!record.result) throw new ServiceError('ResourceNotFoundException', 'Query does not have result.');
      const token = stringField(body, 'NextToken');
      const offset = token === undefined ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
      if (!Number.isSafeInteger(offset) || offset < 0 || offset > record.result.rows.length) {
        throw new ServiceError('ValidationException', 'NextToken is not valid');
      }
      const { fields, rows } = record.result;
      const page = rows.slice(offset, offset + pageSize);
      const response: Json = {
        Records: page.map((row) => toFields(fields, row)),
        ColumnMetadata: columnMetadata(fields).map((column) =>
          record.fieldNamesInUppercase
            ? { ...column, name: column.name.toUpperCase(), label: column.label.toUpperCase() }
            : column,
        ),
        TotalNumRows: rows.length,
      };
      if (offset + pageSize < rows.length) {
        response.NextToken = Buffer.from(String(offset + pageSize)).toString('base64url');
      }
      return response;
    },
    async CancelStatement(body) {
      const id = stringField(body, 'Id', true) as string;
      const found = engine.find(id);
      if (!found) throw new ServiceError('ResourceNotFoundException', `Query does not exist: ${id}`);
      if (!(await engine.cancel(found.top.id))) {
        throw new ServiceError(
          'ValidationException',
          `Could not cancel a query that is already in ${found.top.status} state with ID: ${id}`,
        );
      }
      return { Status: true };
    },
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(
  response: ServerResponse,
  status: number,
  body: Json,
  requestId: string,
  errorType?: string,
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  response.end(text);
}

/** Starts the endpoint on 127.0.0.1 (a free port unless given). */
export async function startRedshiftDataEndpoint(
  options: RedshiftDataEndpointOptions,
): Promise<RedshiftDataEndpoint> {
  let duck: Promise<DuckDBInstance> | undefined;
  const reader = async () => {
    duck ??= import('@duckdb/node-api').then(({ DuckDBInstance }) =>
      DuckDBInstance.create(':memory:', { memory_limit: '256MB', threads: '1' }),
    );
    // One connection per COPY: statements run concurrently. Timestamps with a zone print in UTC.
    const connection = await (await duck).connect();
    await connection.run("SET TimeZone = 'UTC'");
    // A GeoParquet file's WKB column ("geo" metadata) stays the binary the footer declares, as
    // Redshift's COPY takes it, not DuckDB's GEOMETRY, which no column type here takes.
    await connection.run('SET enable_geoparquet_conversion = false');
    return connection;
  };
  const engineOptions: ConstructorParameters<typeof StatementEngine>[0] = {
    connectionString: options.connectionString,
    s3: options.s3,
    quoting: new PostgresSqlCompiler(),
    reader,
  };
  if (options.schema !== undefined) engineOptions.schema = options.schema;
  if (options.database !== undefined) engineOptions.database = options.database;
  if (options.maxSessions !== undefined) engineOptions.maxSessions = options.maxSessions;
  if (options.latency !== undefined) engineOptions.latency = options.latency;
  if (options.fieldNamesInUppercase !== undefined)
    engineOptions.fieldNamesInUppercase = options.fieldNamesInUppercase;
  engineOptions.databaseSettings = {
    caseSensitiveIdentifiers: options.caseSensitiveIdentifiers ?? false,
    isolation: options.isolation ?? 'snapshot',
  };
  const engine = new StatementEngine(engineOptions);
  const handlers = operations(engine, options.pageSize ?? 1000, options.maxActiveStatements ?? 500);
  const server = createServer((request, response) => {
    const requestId = randomUUID();
    void (async () => {
      try {
        if (request.method !== 'POST') throw new ServiceError('UnknownOperationException', 'POST only', 404);
        const targetHeader = String(request.headers['x-amz-target'] ?? '');
        const operation = /^RedshiftData\.(\w+)$/.exec(targetHeader)?.[1];
        const handler = operation ? handlers[operation] : undefined;
        if (!handler) {
          throw new ServiceError(
            'UnknownOperationException',
            `The local endpoint does not emulate "${targetHeader}" (it has ${Object.keys(handlers).join(', ')})`,
          );
        }
        const text = await readBody(request);
        let body: unknown;
        try {
          body = text === '' ? {} : JSON.parse(text);
        } catch {
          throw new ServiceError('SerializationException', 'The request body is not JSON');
        }
        send(response, 200, await handler(body as Json), requestId);
      } catch (error) {
        const failure =
          error instanceof ServiceError
            ? error
            : new ServiceError('InternalServerException', String(error), 500);
        send(
          response,
          failure.status,
          { __type: failure.code, message: failure.message },
          requestId,
          failure.code,
        );
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  }).catch((error: unknown) => {
    throw new RehearsalError(`cannot start the local Redshift Data API endpoint: ${String(error)}`, {
      cause: error,
    });
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    statements: () => engine.statements(),
    log: () => engine.log(),
    useSchema: (schema) => engine.useSchema(schema),
    injectFailure: (failure) => engine.injectFailure(failure),
    idle: () => engine.idle(),
    async close() {
      await engine.idle();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (duck) (await duck).closeSync();
    },
  };
}
