// The program that opens this package's README, run as it stands against PostgreSQL.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { createTestSchema, type TestSchema } from '@lakeload/testkit/postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';

let dir: string;
let schema: TestSchema;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-readme-'));
  schema = await createTestSchema('lakeload_readme');
});
afterAll(async () => {
  await schema.drop();
  await rm(dir, { recursive: true, force: true });
});

it('runs the README program: Parquet into PostgreSQL with upsert keys', async () => {
  const readme = await readFile(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  const program = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  expect(program).toContain("from '@lakeload/loader'");
  await writeFile(join(dir, 'program.mjs'), program);
  // The program imports the package by name, as a user's program would.
  await mkdir(join(dir, 'node_modules', '@lakeload'), { recursive: true });
  await symlink(
    fileURLToPath(new URL('../..', import.meta.url)),
    join(dir, 'node_modules', '@lakeload', 'loader'),
  );

  const writer = await DuckDBInstance.create(':memory:');
  const connection = await writer.connect();
  await mkdir(join(dir, 'lake', 'events'), { recursive: true });
  for (const [file, status] of [
    ['a', 'new'],
    ['b', 'seen'],
  ] as const) {
    await connection.run(
      `COPY (SELECT range AS event_id, TIMESTAMPTZ '2025-11-13 00:00:00+00' + INTERVAL (${file === 'a' ? 0 : 1}) HOUR AS updated_at, '${status}' AS status FROM range(${file === 'a' ? 10 : 5})) TO '${join(dir, 'lake', 'events', `${file}.parquet`)}' (FORMAT parquet)`,
    );
  }
  connection.closeSync();
  writer.closeSync();

  const run = spawnSync(process.execPath, ['program.mjs'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: schema.url },
  });
  expect(run.stderr).toBe('');
  expect(
    run.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[0]),
  ).toEqual(['loaded', 'loaded']);
  const rows = await schema.admin.query(
    `SELECT status, count(*)::int AS n FROM ${schema.name}.events GROUP BY status ORDER BY status`,
  );
  expect(rows.rows).toEqual([
    { status: 'new', n: 5 },
    { status: 'seen', n: 5 },
  ]);
});
