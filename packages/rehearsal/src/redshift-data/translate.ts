// Redshift SQL → PostgreSQL, translating only what PostgreSQL lacks. Pure functions: text in, a plan
// for the endpoint out. Anything Redshift-specific that is not translated here and that PostgreSQL
// would run differently (or that is Redshift-only) raises UnsupportedSqlError: a rehearsal that
// quietly ran something else than Redshift would prove nothing.
import { UnsupportedSqlError } from '../errors.js';

/** One lexical token; whitespace and comments are kept so the text can be put back together. */
export interface Token {
  kind: 'space' | 'comment' | 'string' | 'quoted' | 'word' | 'number' | 'symbol';
  text: string;
}

/** Splits SQL into tokens, respecting string literals, quoted identifiers and comments. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: Token['kind'], end: number) => {
    tokens.push({ kind, text: sql.slice(i, end) });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      let end = i + 1;
      while (end < sql.length && /\s/.test(sql[end] as string)) end++;
      push('space', end);
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      push('comment', end === -1 ? sql.length : end);
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) throw new UnsupportedSqlError('syntax error: unterminated /* comment');
      push('comment', end + 2);
    } else if (c === "'" || c === '"') {
      let end = i + 1;
      for (;;) {
        const found = sql.indexOf(c, end);
        if (found === -1) {
          throw new UnsupportedSqlError(
            `syntax error: unterminated ${c === "'" ? 'string literal' : 'quoted identifier'}`,
          );
        }
        if (sql[found + 1] === c) end = found + 2;
        else {
          end = found + 1;
          break;
        }
      }
      push(c === "'" ? 'string' : 'quoted', end);
    } else if (/[A-Za-z_]/.test(c)) {
      let end = i + 1;
      while (end < sql.length && /[A-Za-z0-9_$]/.test(sql[end] as string)) end++;
      push('word', end);
    } else if (/[0-9]/.test(c)) {
      let end = i + 1;
      while (end < sql.length && /[0-9.eE]/.test(sql[end] as string)) end++;
      push('number', end);
    } else {
      push('symbol', i + 1);
    }
  }
  return tokens;
}

/** The value of a single-quoted literal token. */
function unquoteLiteral(token: Token): string {
  return token.text.slice(1, -1).replaceAll("''", "'");
}

/** The name an identifier token stands for (quoted tokens arrive already folded unless case-sensitive). */
function identifierName(token: Token): string {
  return token.kind === 'quoted' ? token.text.slice(1, -1).replaceAll('""', '"') : token.text.toLowerCase();
}

/** Splits a text into statements on top-level semicolons; empty statements are dropped. */
function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current: Token[] = [];
  const flush = () => {
    if (current.some((token) => token.kind !== 'space' && token.kind !== 'comment')) {
      statements.push(current.map((token) => token.text).join(''));
    }
    current = [];
  };
  for (const token of tokenize(sql)) {
    if (token.kind === 'symbol' && token.text === ';') flush();
    else current.push(token);
  }
  flush();
  return statements;
}

/** What `COPY t FROM 's3://…'` asks for, parsed; executed by the endpoint against the local S3. */
export interface CopyCommand {
  /** Table as written (possibly schema-qualified), each part unquoted. */
  table: string[];
  /** The explicit column list, or undefined for all columns in table order. */
  columns: string[] | undefined;
  bucket: string;
  /** A key prefix, or the manifest's key with `manifest`. */
  key: string;
  iamRole: string;
  manifest: boolean;
  serializeToJson: boolean;
}

/** Session settings the endpoint emulates itself (see `TranslateOptions`). */
type SessionSetting = 'enable_case_sensitive_identifier' | 'describe_field_name_in_uppercase';

export type TranslatedStatement =
  | { kind: 'sql'; sql: string }
  /** `SET <setting> TO on|off` (or RESET) of a setting the endpoint emulates for the session. */
  | { kind: 'set'; setting: SessionSetting; value: boolean | undefined }
  /** TRUNCATE commits the transaction it runs in on Redshift: the endpoint does the same. */
  | { kind: 'truncate'; sql: string }
  | { kind: 'copy'; copy: CopyCommand }
  | { kind: 'transaction'; sql: string };

// Redshift-only functions PostgreSQL lacks (or has with another meaning) that are not translated.
const UNTRANSLATED_FUNCTIONS = new Set([
  'nvl',
  'nvl2',
  'dateadd',
  'datediff',
  'listagg',
  'convert_timezone',
  'len',
  'decode',
  'strtol',
  'json_parse',
  'json_serialize',
  'is_valid_json',
  'approximate',
  'median',
  'ratio_to_report',
]);

const UNTRANSLATED_TYPES = new Set(['geometry', 'geography', 'hllsketch']);

const UNTRANSLATED_KEYWORDS: Record<string, string> = {
  unload: 'UNLOAD',
  qualify: 'QUALIFY (PostgreSQL has no QUALIFY; filter ROW_NUMBER() in a subquery)',
  identity: 'IDENTITY columns',
};

// Redshift's system tables and views (SYS_LOAD_ERROR_DETAIL, STL_LOAD_ERRORS, PG_TABLE_DEF, …).
const SYSTEM_VIEW = /^((stl|stv|svl|svv|sys)_\w+|pg_table_def)$/;

function isCode(token: Token): boolean {
  return token.kind !== 'space' && token.kind !== 'comment';
}

function lower(token: Token | undefined): string {
  return token?.kind === 'word' ? token.text.toLowerCase() : '';
}

/** Index of the next code token at or after `from`. */
function nextCode(tokens: readonly Token[], from: number): number {
  let i = from;
  while (i < tokens.length && !isCode(tokens[i] as Token)) i++;
  return i;
}

/** Index just after the parenthesised group opening at `open`. */
function closeParen(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const text = (tokens[i] as Token).text;
    if ((tokens[i] as Token).kind !== 'symbol') continue;
    if (text === '(') depth++;
    if (text === ')' && --depth === 0) return i + 1;
  }
  throw new UnsupportedSqlError('syntax error: unbalanced parentheses');
}

function unsupported(what: string): never {
  throw new UnsupportedSqlError(
    `${what} is not emulated by the local Redshift Data API endpoint (it runs on PostgreSQL); the statement was not run`,
  );
}

/** How the emulated database is set up: what Redshift decides per database or session. */
export interface TranslateOptions {
  /**
   * Keep the case of quoted names (`enable_case_sensitive_identifier` on). Off by default, as on
   * Redshift: "ASCII letters in standard and delimited identifiers are case-insensitive and are
   * folded to lowercase in the database" (https://docs.aws.amazon.com/redshift/latest/dg/r_names.html).
   */
  caseSensitiveIdentifiers?: boolean;
  /** The database's isolation level, as STV_DB_ISOLATION_LEVEL reports it. Default snapshot. */
  isolation?: 'snapshot' | 'serializable';
}

const SESSION_SETTINGS: readonly SessionSetting[] = [
  'enable_case_sensitive_identifier',
  'describe_field_name_in_uppercase',
];

/** `SET <setting> { TO | = } { true | on | false | off }` or `RESET <setting>`, for an emulated setting. */
function sessionSetting(code: readonly Token[]): TranslatedStatement | undefined {
  const [verb, name, operator, value] = code.map((token) => token.text.toLowerCase());
  const setting = SESSION_SETTINGS.find((candidate) => candidate === name);
  if (!setting) return undefined;
  if (verb === 'reset' && code.length === 2) return { kind: 'set', setting, value: undefined };
  if (verb !== 'set' || code.length !== 4 || (operator !== 'to' && operator !== '=')) return undefined;
  if (value === 'true' || value === 'on') return { kind: 'set', setting, value: true };
  if (value === 'false' || value === 'off') return { kind: 'set', setting, value: false };
  return undefined;
}

/** A quoted name with its ASCII letters in lower case, as Redshift stores it by default. */
function foldQuoted(token: Token): Token {
  return { kind: 'quoted', text: token.text.replace(/[A-Z]/g, (letter) => letter.toLowerCase()) };
}

/**
 * Translates one Redshift statement. Throws UnsupportedSqlError for Redshift syntax it does not
 * emulate; several statements in one text are refused (the endpoint runs one per entry).
 */
export function translateStatement(sql: string, options: TranslateOptions = {}): TranslatedStatement {
  const statements = splitStatements(sql);
  if (statements.length !== 1) {
    throw new UnsupportedSqlError(
      statements.length === 0
        ? 'syntax error: the statement is empty'
        : `${statements.length} statements in one SQL text are not emulated by the local Redshift Data API endpoint; send them as a BatchExecuteStatement`,
    );
  }
  const raw = tokenize(statements[0] as string);
  const setting = sessionSetting(raw.filter(isCode));
  if (setting) return setting;
  const tokens = options.caseSensitiveIdentifiers
    ? raw
    : raw.map((token) => (token.kind === 'quoted' ? foldQuoted(token) : token));
  const code = tokens.filter(isCode);
  const first = lower(code[0]);
  if (first === 'copy') return { kind: 'copy', copy: parseCopy(code) };
  if (['begin', 'start', 'commit', 'end', 'rollback', 'abort'].includes(first)) {
    return { kind: 'transaction', sql: tokens.map((t) => t.text).join('') };
  }
  const isDdl = first === 'create' || first === 'alter';
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    const word = lower(token);
    if (!word) {
      out.push(token);
      continue;
    }
    const after = nextCode(tokens, i + 1);
    const following = tokens[after];
    const callsFunction = following?.kind === 'symbol' && following.text === '(';
    if (word in UNTRANSLATED_KEYWORDS) unsupported(UNTRANSLATED_KEYWORDS[word] as string);
    // SELECT [DISTINCT] TOP <n>: anywhere else `top` is a name.
    const afterSelect = ['select', 'distinct'].includes(lower(out.filter(isCode).at(-1)));
    if (word === 'top' && afterSelect && following?.kind === 'number') unsupported('SELECT TOP');
    if (callsFunction && UNTRANSLATED_FUNCTIONS.has(word))
      unsupported(`the Redshift function ${word.toUpperCase()}()`);
    if (UNTRANSLATED_TYPES.has(word)) unsupported(`the Redshift type ${word.toUpperCase()}`);
    if (word === 'stv_db_isolation_level' && !callsFunction) {
      // https://docs.aws.amazon.com/redshift/latest/dg/r_STV_DB_ISOLATION_LEVEL.html
      const level = options.isolation === 'serializable' ? 'Serializable' : 'Snapshot Isolation';
      out.push({
        kind: 'word',
        text: `(SELECT CAST(current_database() AS VARCHAR(128)) AS db_name, CAST('${level}' AS VARCHAR(20)) AS isolation_level)${lower(following) === 'as' ? '' : ' AS stv_db_isolation_level'}`,
      });
      continue;
    }
    if (SYSTEM_VIEW.test(word) && !callsFunction) {
      unsupported(`the Redshift system view ${word.toUpperCase()}`);
    }
    if (word === 'getdate' && callsFunction) {
      const end = closeParen(tokens, after);
      if (end !== after + 2 && tokens.slice(after + 1, end - 1).some(isCode))
        unsupported('GETDATE with arguments');
      out.push({ kind: 'word', text: 'CAST(now() AS timestamp)' });
      i = end - 1;
      continue;
    }
    if (word === 'sysdate') {
      out.push({ kind: 'word', text: 'CAST(now() AS timestamp)' });
      continue;
    }
    if (word === 'row_number' && callsFunction) {
      const over = nextCode(tokens, closeParen(tokens, after));
      if (lower(tokens[over]) === 'over') {
        const open = nextCode(tokens, over + 1);
        const end = closeParen(tokens, open);
        out.push(...tokens.slice(i, open), ...randomTies(tokens.slice(open, end)));
        i = end - 1;
        continue;
      }
    }
    if (word === 'super') {
      out.push({ kind: 'word', text: 'jsonb' });
      continue;
    }
    if (word === 'varbyte') {
      // VARBYTE(n): binary of up to n bytes. bytea has no length, so the rehearsal does not check n.
      out.push({ kind: 'word', text: 'bytea' });
      if (callsFunction) i = closeParen(tokens, after) - 1;
      continue;
    }
    if ((word === 'varchar' || word === 'varying') && callsFunction) {
      const inner = nextCode(tokens, after + 1);
      if (lower(tokens[inner]) === 'max') {
        // VARCHAR(MAX) is 65,535 bytes on Redshift; PostgreSQL counts characters (see README).
        out.push(token, { kind: 'symbol', text: '(65535)' });
        i = closeParen(tokens, after) - 1;
        continue;
      }
    }
    if (first === 'lock' && out.filter(isCode).length === 0 && lower(following) !== 'table') {
      out.push(token, { kind: 'space', text: ' ' }, { kind: 'word', text: 'TABLE' });
      continue;
    }
    if (
      isDdl &&
      ['diststyle', 'distkey', 'sortkey', 'encode', 'compound', 'interleaved', 'backup'].includes(word)
    ) {
      if (lower(out.filter(isCode).at(-1)) === 'alter') unsupported(`ALTER … ${word.toUpperCase()}`);
      const skipped = stripClause(tokens, i, word);
      if (skipped !== undefined) {
        i = skipped - 1;
        continue;
      }
    }
    out.push(token);
  }
  const text = out.map((t) => t.text).join('');
  return first === 'truncate' ? { kind: 'truncate', sql: text } : { kind: 'sql', sql: text };
}

/**
 * A window `( … )` whose rows of equal ORDER BY values are numbered in random order, as Redshift's
 * ROW_NUMBER does: "Rows with equal values for the ORDER BY expressions receive the different row
 * numbers nondeterministically" (https://docs.aws.amazon.com/redshift/latest/dg/r_WF_ROW_NUMBER.html).
 * PostgreSQL would number them in scan order, which hides a missing tie-breaker.
 */
function randomTies(window: readonly Token[]): Token[] {
  const inner = window.slice(0, -1);
  const close = window.slice(-1);
  let depth = 0;
  let ordered = false;
  for (const [index, token] of inner.entries()) {
    if (token.kind === 'symbol' && token.text === '(') depth++;
    if (token.kind === 'symbol' && token.text === ')') depth--;
    if (depth === 1 && lower(token) === 'order' && lower(inner[nextCode(inner, index + 1)]) === 'by')
      ordered = true;
  }
  const tieBreaker: Token = { kind: 'word', text: ordered ? ', random()' : ' ORDER BY random()' };
  return [...inner, tieBreaker, ...close];
}

/**
 * The end of a physical-design clause starting at `start` (DISTSTYLE AUTO, DISTKEY(c), [COMPOUND]
 * SORTKEY (a, b), SORTKEY AUTO, ENCODE AUTO / ENCODE az64, BACKUP NO), or undefined when the word is
 * used otherwise (PostgreSQL's encode() function, a column named sortkey).
 */
function stripClause(tokens: readonly Token[], start: number, word: string): number | undefined {
  const at = nextCode(tokens, start + 1);
  const next = tokens[at];
  const isParen = next?.kind === 'symbol' && next.text === '(';
  switch (word) {
    case 'diststyle':
    case 'backup':
      return next?.kind === 'word' ? at + 1 : undefined;
    case 'encode':
      return next?.kind === 'word' ? at + 1 : undefined;
    case 'compound':
    case 'interleaved':
      return lower(next) === 'sortkey' ? stripClause(tokens, at, 'sortkey') : undefined;
    case 'distkey':
    case 'sortkey':
      if (isParen) return closeParen(tokens, at);
      if (lower(next) === 'auto') return at + 1;
      // A column attribute (`id INT DISTKEY`): followed by a comma, a parenthesis or another attribute.
      return next === undefined || next.kind === 'symbol' || next.kind === 'word' ? start + 1 : undefined;
    default:
      return undefined;
  }
}

const PARQUET_REFUSED = [
  'maxerror',
  'truncatecolumns',
  'dateformat',
  'timeformat',
  'region',
  'acceptinvchars',
];

function parseCopy(code: readonly Token[]): CopyCommand {
  let i = 1;
  const table: string[] = [];
  const take = () => code[i++];
  const name = take();
  if (!name || (name.kind !== 'word' && name.kind !== 'quoted'))
    throw new UnsupportedSqlError('syntax error at or near "COPY"');
  table.push(identifierName(name));
  while (code[i]?.text === '.') {
    i++;
    const part = take();
    if (!part || (part.kind !== 'word' && part.kind !== 'quoted'))
      throw new UnsupportedSqlError('syntax error in the COPY table name');
    table.push(identifierName(part));
  }
  let columns: string[] | undefined;
  if (code[i]?.text === '(') {
    columns = [];
    i++;
    while (code[i] && code[i]?.text !== ')') {
      const column = take() as Token;
      if (column.kind === 'word' || column.kind === 'quoted') columns.push(identifierName(column));
      else if (column.text !== ',')
        throw new UnsupportedSqlError(`syntax error at or near "${column.text}" in the COPY column list`);
    }
    i++;
  }
  if (lower(take()) !== 'from')
    throw new UnsupportedSqlError('syntax error: COPY expects FROM after the table');
  const source = take();
  if (source?.kind !== 'string') {
    unsupported(`COPY FROM ${source?.text ?? 'nothing'} (only COPY FROM 's3://…' is)`);
  }
  const url = unquoteLiteral(source);
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(url);
  if (!match) unsupported(`COPY from "${url}" (only s3:// sources are)`);
  let iamRole: string | undefined;
  let format: string | undefined;
  let manifest = false;
  let serializeToJson = false;
  while (i < code.length) {
    const option = lower(take());
    if (option === 'iam_role') {
      const role = take();
      iamRole = role?.kind === 'string' ? unquoteLiteral(role) : lower(role);
      if (!iamRole) throw new UnsupportedSqlError('syntax error: IAM_ROLE expects a role ARN or DEFAULT');
    } else if (option === 'format') {
      if (lower(code[i]) === 'as') i++;
      format = lower(take());
    } else if (option === 'parquet') {
      format = 'parquet';
    } else if (option === 'manifest') {
      manifest = true;
    } else if (option === 'serializetojson') {
      serializeToJson = true;
    } else if (PARQUET_REFUSED.includes(option)) {
      if (format === 'parquet' || code.some((t) => lower(t) === 'parquet')) {
        // Redshift refuses these options for columnar formats.
        throw new UnsupportedSqlError(
          `${option.toUpperCase()} argument is not supported for PARQUET based COPY`,
        );
      }
      unsupported(`the COPY option ${option.toUpperCase()}`);
    } else {
      unsupported(`the COPY option ${option ? option.toUpperCase() : (code[i - 1]?.text ?? '')}`);
    }
  }
  if (format !== 'parquet')
    unsupported(
      `COPY ${format ? `FORMAT AS ${format.toUpperCase()}` : 'without FORMAT AS PARQUET'} (only Parquet is)`,
    );
  if (!iamRole) throw new UnsupportedSqlError("COPY needs credentials: IAM_ROLE '<arn>' or IAM_ROLE default");
  return {
    table,
    columns,
    bucket: match[1] as string,
    key: match[2] as string,
    iamRole,
    manifest,
    serializeToJson,
  };
}
