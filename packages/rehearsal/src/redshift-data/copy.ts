// Redshift's `COPY t FROM 's3://…' IAM_ROLE … FORMAT AS PARQUET [MANIFEST] [SERIALIZETOJSON]`, run
// against the local S3 server and PostgreSQL: the objects are read whole, an in-process DuckDB turns
// each Parquet row into a COPY text line, and PostgreSQL's COPY FROM STDIN takes them inside the
// caller's session (so a batch's transaction covers the load). Columns are matched BY POSITION, as
// Redshift does; a different column count fails the statement.
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { UnsupportedSqlError } from '../errors.js';
import type { S3Objects } from './s3-objects.js';
import type { CopyCommand } from './translate.js';

/** Quoting, from the loader's one trusted compiler. */
export interface Quoting {
  quoteIdentifier(name: string): string;
  quoteLiteral(value: string): string;
}

/** A COPY failure as the statement's Error reports it (never retried by the endpoint itself). */
export class CopyError extends UnsupportedSqlError {
  override name = 'CopyError';
}

interface TargetColumn {
  name: string;
  /** PostgreSQL's `format_type`, e.g. `character varying(256)`, `jsonb`. */
  type: string;
  /** PostgreSQL's type name, e.g. `varchar`, `jsonb`, `int8`. */
  typname: string;
  /** The declared length of varchar/char columns (Redshift counts bytes), else undefined. */
  maxBytes: number | undefined;
}

export interface CopyOutcome {
  rows: number;
  /** The s3:// URLs loaded, in order. */
  files: string[];
}

interface ManifestEntry {
  url: string;
  mandatory: boolean;
  contentLength: unknown;
}

function parseManifest(text: string, where: string): ManifestEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CopyError(`Manifest file ${where} is not valid JSON`);
  }
  const entries = (parsed as { entries?: unknown }).entries;
  if (!Array.isArray(entries)) throw new CopyError(`Manifest file ${where} has no "entries" array`);
  return entries.map((entry: { url?: unknown; mandatory?: unknown; meta?: { content_length?: unknown } }) => {
    if (typeof entry?.url !== 'string')
      throw new CopyError(`Manifest file ${where} has an entry without "url"`);
    return { url: entry.url, mandatory: entry.mandatory === true, contentLength: entry.meta?.content_length };
  });
}

function splitUrl(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!match) throw new CopyError(`"${url}" is not an s3://bucket/key URL`);
  return { bucket: match[1] as string, key: match[2] as string };
}

/** The objects a COPY reads, checked as Redshift checks them. */
async function sourceFiles(
  copy: CopyCommand,
  s3: S3Objects,
): Promise<{ bucket: string; key: string; url: string }[]> {
  const source = `s3://${copy.bucket}/${copy.key}`;
  if (!copy.manifest) {
    // FROM is a prefix: x.parquet also matches x.parquet.bak, exactly as on Redshift.
    const objects = await s3.list(copy.bucket, copy.key);
    if (objects.length === 0) throw new CopyError(`The specified S3 prefix '${copy.key}' does not exist`);
    return objects.map(({ key }) => ({ bucket: copy.bucket, key, url: `s3://${copy.bucket}/${key}` }));
  }
  const text = await s3.text(copy.bucket, copy.key);
  if (text === undefined) throw new CopyError(`Manifest file ${source} does not exist`);
  const files = [];
  for (const entry of parseManifest(text, source)) {
    if (typeof entry.contentLength !== 'number') {
      throw new CopyError(
        `Manifest entry ${entry.url} in ${source} has no meta.content_length; COPY FORMAT AS PARQUET requires it`,
      );
    }
    const { bucket, key } = splitUrl(entry.url);
    const head = await s3.head(bucket, key);
    if (!head) {
      if (entry.mandatory)
        throw new CopyError(`Manifest file ${source}: mandatory file ${entry.url} does not exist`);
      continue;
    }
    if (head.size !== entry.contentLength) {
      throw new CopyError(
        `Manifest file ${source}: content_length ${entry.contentLength} of ${entry.url} does not match the object's size ${head.size}`,
      );
    }
    files.push({ bucket, key, url: entry.url });
  }
  return files;
}

async function targetColumns(client: pg.ClientBase, copy: CopyCommand, q: Quoting): Promise<TargetColumn[]> {
  const relation = copy.table.map((part) => q.quoteIdentifier(part)).join('.');
  const { rows } = await client.query<{ name: string; type: string; typname: string; typmod: number }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, t.typname, a.atttypmod AS typmod
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = to_regclass(${q.quoteLiteral(relation)}) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
  );
  if (rows.length === 0) throw new CopyError(`relation "${copy.table.join('.')}" does not exist`);
  const all = rows.map((row) => ({
    name: row.name,
    type: row.type,
    typname: row.typname,
    maxBytes:
      (row.typname === 'varchar' || row.typname === 'bpchar') && row.typmod > 4 ? row.typmod - 4 : undefined,
  }));
  if (!copy.columns) return all;
  return copy.columns.map((name) => {
    const column = all.find((candidate) => candidate.name === name);
    if (!column) throw new CopyError(`column "${name}" of relation "${copy.table.join('.')}" does not exist`);
    return column;
  });
}

// COPY text format: backslash, tab, newline and carriage return escaped; NULL is \N.
function escaped(expression: string): string {
  return `coalesce(replace(replace(replace(replace(${expression}, '\\', '\\\\'), chr(9), '\\t'), chr(10), '\\n'), chr(13), '\\r'), '\\N')`;
}

/** A top-level column of the file: DuckDB's type for it, and the Parquet types DuckDB reads it from. */
interface SourceColumn {
  name: string;
  /** DuckDB's type, e.g. `BIGINT`, `STRUCT(a INTEGER)`, `TIMESTAMP WITH TIME ZONE`. */
  type: string;
  /** Parquet's physical type (`INT96`, `FIXED_LEN_BYTE_ARRAY`, …); undefined for a group. */
  physical: string | undefined;
  /** The logical type as DuckDB prints it (`FLOAT16`, `UUID`…), else the converted type. */
  annotation: string | undefined;
}

/**
 * The PostgreSQL types (as the endpoint stores Redshift's) that COPY from Parquet loads each kind of
 * Parquet column into: the column must be of a matching type, as on Redshift, where COPY reads Parquet
 * through Spectrum and fails a file with "incompatible Parquet schema" otherwise
 * (https://docs.aws.amazon.com/redshift/latest/dg/copy-usage_notes-copy-from-columnar.html).
 */
const TARGETS: { matches: (type: string) => boolean; targets: readonly string[] }[] = [
  { matches: (type) => type === 'BOOLEAN', targets: ['bool'] },
  {
    matches: (type) => /^U?(TINYINT|SMALLINT|INTEGER|BIGINT)$/.test(type),
    targets: ['int2', 'int4', 'int8', 'numeric'],
  },
  { matches: (type) => type === 'FLOAT', targets: ['float4', 'float8'] },
  { matches: (type) => type === 'DOUBLE', targets: ['float8'] },
  { matches: (type) => type.startsWith('DECIMAL'), targets: ['numeric'] },
  {
    matches: (type) => type === 'VARCHAR' || type === 'JSON',
    targets: ['varchar', 'bpchar', 'text', 'jsonb'],
  },
  { matches: (type) => type === 'BLOB', targets: ['bytea'] },
  { matches: (type) => type === 'DATE', targets: ['date'] },
  {
    matches: (type) => type === 'TIMESTAMP' || type === 'TIMESTAMP WITH TIME ZONE',
    targets: ['timestamp', 'timestamptz'],
  },
];

/** Why Redshift's COPY refuses a Parquet column whatever the target, else undefined. */
function refusedColumn(source: SourceColumn): string | undefined {
  const type = source.type.toUpperCase();
  if (/^TIME( WITH TIME ZONE)?$/.test(type))
    return 'Parquet TIME columns cannot be loaded by COPY FORMAT AS PARQUET';
  if (type === 'TIMESTAMP_NS') {
    return 'nanosecond timestamps: Redshift loads these as wrong dates; the endpoint refuses them instead of pretending';
  }
  if (source.physical === 'FIXED_LEN_BYTE_ARRAY' && !type.startsWith('DECIMAL')) {
    return `fixed-width binary (${source.annotation ?? 'FIXED_LEN_BYTE_ARRAY'}) cannot be loaded into VARBYTE by COPY`;
  }
  if (type === 'INTERVAL') return 'Parquet INTERVAL columns cannot be loaded by COPY FORMAT AS PARQUET';
  return undefined;
}

/** The DuckDB expression producing one COPY text field for file column `source` into `target`. */
function fieldExpression(
  source: SourceColumn,
  target: TargetColumn,
  copy: CopyCommand,
  url: string,
  q: Quoting,
): string {
  const column = q.quoteIdentifier(source.name);
  const type = source.type.toUpperCase();
  const nested = /^(STRUCT|MAP|UNION)\b/.test(type) || type.endsWith(']');
  if (nested) {
    if (!copy.serializeToJson || target.typname !== 'jsonb') {
      throw new CopyError(
        `${url}: nested Parquet column "${source.name}" (${source.type}) loads only into a SUPER column with SERIALIZETOJSON`,
      );
    }
    return escaped(`CAST(to_json(${column}) AS VARCHAR)`);
  }
  const refusal = refusedColumn(source);
  if (refusal) throw new CopyError(`${url}: column "${source.name}": ${refusal}`);
  const fits = TARGETS.find((rule) => rule.matches(type))?.targets.includes(target.typname) ?? false;
  if (!fits) {
    throw new CopyError(
      `File '${url}' has an incompatible Parquet schema for column '${target.name}'. Column type: ${target.type}, Parquet schema: ${source.physical ?? 'group'}${source.annotation ? ` (${source.annotation})` : ''}, read as ${source.type}`,
    );
  }
  if (target.typname === 'jsonb') return escaped(`CAST(to_json(${column}) AS VARCHAR)`);
  // bytea's own \x, escaped for COPY's text format.
  if (type === 'BLOB') return `coalesce('\\\\x' || hex(${column}), '\\N')`;
  // A timestamp without a zone (INT96, legacy TIMESTAMP_*) is UTC to Redshift's TIMESTAMPTZ.
  if (type === 'TIMESTAMP' && target.typname === 'timestamptz') {
    return `coalesce(CAST(${column} AS VARCHAR) || '+00', '\\N')`;
  }
  const text = `CAST(${column} AS VARCHAR)`;
  if (target.maxBytes !== undefined && type === 'VARCHAR') {
    // Redshift's VARCHAR(n) counts bytes, PostgreSQL's characters: enforce the bytes here.
    const message = q.quoteLiteral(
      `String length exceeds DDL length: column "${target.name}" is ${target.type}, counted in bytes as on Redshift`,
    );
    return escaped(`CASE WHEN strlen(${text}) > ${target.maxBytes} THEN error(${message}) ELSE ${text} END`);
  }
  return escaped(text);
}

/**
 * The file's top-level columns with their Parquet types: parquet_schema lists the schema tree depth
 * first, so a column's subtree is skipped by its children counts.
 */
async function describeSource(reader: DuckDBConnection, path: string, q: Quoting): Promise<SourceColumn[]> {
  const source = `read_parquet(${q.quoteLiteral(path)})`;
  const described = (await reader.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`))
    .getRowObjectsJS()
    .map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
  const elements = (
    await reader.runAndReadAll(
      `SELECT type, num_children, coalesce(logical_type, converted_type) AS annotation FROM parquet_schema(${q.quoteLiteral(path)})`,
    )
  ).getRowObjectsJS();
  const top: { physical: string | undefined; annotation: string | undefined }[] = [];
  let index = 1;
  const skip = () => {
    const element = elements[index];
    index += 1;
    for (let child = 0; child < Number(element?.num_children ?? 0); child++) skip();
  };
  while (index < elements.length) {
    const element = elements[index];
    top.push({
      physical: element?.type == null ? undefined : String(element.type),
      annotation: element?.annotation == null ? undefined : String(element.annotation),
    });
    skip();
  }
  return described.map((column, position) => ({
    ...column,
    physical: top[position]?.physical,
    annotation: top[position]?.annotation,
  }));
}

async function copyFile(
  client: pg.ClientBase,
  reader: DuckDBConnection,
  path: string,
  url: string,
  copy: CopyCommand,
  targets: readonly TargetColumn[],
  q: Quoting,
): Promise<number> {
  const source = `read_parquet(${q.quoteLiteral(path)})`;
  let described: SourceColumn[];
  try {
    described = await describeSource(reader, path, q);
  } catch (error) {
    throw new CopyError(`${url} is not a readable Parquet file: ${(error as Error).message.split('\n')[0]}`);
  }
  if (described.length !== targets.length) {
    throw new CopyError(
      `${url} has ${described.length} columns but COPY into "${copy.table.join('.')}" expects ${targets.length} (Parquet columns are matched by position)`,
    );
  }
  // One call, not a chain of `||`, which DuckDB's parser refuses past 1000 levels (~500 columns).
  const line = `concat_ws(chr(9), ${described
    .map((column, index) => fieldExpression(column, targets[index] as TargetColumn, copy, url, q))
    .join(', ')})`;
  const names = targets.map((target) => q.quoteIdentifier(target.name)).join(', ');
  const relation = copy.table.map((part) => q.quoteIdentifier(part)).join('.');
  const stream = client.query(copyFrom(`COPY ${relation} (${names}) FROM STDIN`));
  let failure: Error | undefined;
  stream.on('error', (error: Error) => {
    failure ??= error;
  });
  const finished = once(stream, 'finish');
  finished.catch(() => {});
  let rows = 0;
  try {
    const result = await reader.stream(`SELECT ${line} FROM ${source}`);
    for (
      let chunk = await result.fetchChunk();
      chunk && chunk.rowCount > 0;
      chunk = await result.fetchChunk()
    ) {
      if (failure) throw failure;
      const lines = chunk.getColumnValues(0) as string[];
      rows += lines.length;
      if (!stream.write(`${lines.join('\n')}\n`)) await once(stream, 'drain');
    }
    stream.end();
    await finished;
    if (failure) throw failure;
  } catch (error) {
    stream.destroy();
    const reason = failure ?? (error as Error);
    const message = (reason.message.split('\n')[0] ?? '').replace(/^Invalid Input Error: /, '');
    throw new CopyError(`loading ${url}: ${message}`, { cause: reason });
  }
  return rows;
}

/** Runs a parsed COPY in the given PostgreSQL session; the caller owns the transaction. */
export async function runCopy(
  client: pg.ClientBase,
  copy: CopyCommand,
  s3: S3Objects,
  reader: DuckDBConnection,
  q: Quoting,
): Promise<CopyOutcome> {
  const targets = await targetColumns(client, copy, q);
  const files = await sourceFiles(copy, s3);
  const scratch = await mkdtemp(join(tmpdir(), 'lakeload-copy-'));
  let rows = 0;
  try {
    for (const [index, file] of files.entries()) {
      const path = join(scratch, `${index}.parquet`);
      await s3.download(file.bucket, file.key, path);
      rows += await copyFile(client, reader, path, file.url, copy, targets, q);
      await rm(path, { force: true });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return { rows, files: files.map((file) => file.url) };
}
