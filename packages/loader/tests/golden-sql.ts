// Golden SQL side by side: one statement builder, the exact text each dialect's compiler must give.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Column } from '../src/schema/parquet.js';
import type { SqlCompiler } from '../src/warehouse/sql-compiler.js';

/** An expectation per dialect for one builder, checked against every compiler of `dialects`. */
export function goldenSql<D extends string>(dialects: Record<D, SqlCompiler>) {
  return (build: (compiler: SqlCompiler) => string, expected: Record<D, string>): void => {
    for (const [name, compiler] of Object.entries(dialects) as [D, SqlCompiler][])
      expect(build(compiler), name).toBe(expected[name]);
  };
}

/** The file schema the golden tests load: an order summary's columns in file order. */
export const ORDER_COLUMNS: Column[] = [
  { name: 'order_id', type: { kind: 'int', bits: 64, signed: true }, nullable: true },
  { name: 'updated_at', type: { kind: 'timestamp', unit: 'micros', utc: true }, nullable: true },
  { name: 'total', type: { kind: 'decimal', precision: 12, scale: 2 }, nullable: true },
  { name: 'status', type: { kind: 'string' }, nullable: true },
];

/**
 * The statements of a golden file under fixtures/sql/, in file order. A file is blocks apart by one
 * blank line: a block of `-- ` lines only is a comment; a statement's block is `-- <name>`, then its
 * text, then `;`. The text is one clause a line: each line break of the file stands for exactly one
 * space of the statement (no indentation), so the comparison stays exact for the one-line
 * statements a compiler builds. (ledger/<dialect>.sql is not read here: its statements keep their own
 * line breaks, so ledger-sql.test.ts compares that file's text as it is.)
 */
export function goldenFile(path: string): [string, string][] {
  const text = readFileSync(new URL(`fixtures/sql/${path}.sql`, import.meta.url), 'utf8');
  const statements: [string, string][] = [];
  for (const block of text.replace(/\n$/, '').split('\n\n')) {
    const [head = '', ...lines] = block.split('\n');
    if (lines.every((line) => line.startsWith('-- '))) continue;
    const name = /^-- (.+)$/.exec(head)?.[1];
    const body = lines.join(' ');
    if (!name || !body.endsWith(';')) throw new Error(`${path}.sql: a block is not "-- <name>", text, ";"`);
    statements.push([name, body.slice(0, -1)]);
  }
  return statements;
}

/** One statement of a golden file, by the name above it; a name missing or repeated fails. */
export function golden(path: string, name: string): string {
  const found = goldenFile(path).filter(([n]) => n === name);
  if (found.length !== 1) throw new Error(`${path}.sql holds ${found.length} statements named "${name}"`);
  return found[0]?.[1] ?? '';
}

/** The statement `name` of fixtures/sql/<step>/<dialect>.sql, for each of `dialects`. */
export function goldenPerDialect<D extends string>(
  dialects: Record<D, unknown>,
  step: string,
  name: string,
): Record<D, string> {
  const keys = Object.keys(dialects) as D[];
  return Object.fromEntries(keys.map((d) => [d, golden(`${step}/${d}`, name)])) as Record<D, string>;
}
