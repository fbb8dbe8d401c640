// The benchmark harness: every step runs in its own child process on the same generated input, one
// after another, and the converter is compared with DuckDB's own bulk path in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

type Result = Record<string, number>;

const HELP = `Usage: npm run bench -- [options]

Measures, on one generated input (≥ 1M line items by default):
  generator and converter throughput, DuckDB's bulk path (read_json → COPY) on the same input,
  the ratio converter ÷ baseline (goal ≥ 0.5), converter peak RSS on a multi-gigabyte input
  (goal ≤ 512 MB), and @dsnp/parquetjs against DuckDB as a Parquet writer.

Options:
  --orders N          orders in the main input (default 420000, about 1.2M line items)
  --big-gb G          size of the memory-test input in GB, 0 to skip (default 2.1)
  --parquetjs-rows N  order_items rows for the Parquet writer comparison, 0 to skip (default 200000)
  --postgres URL      PostgreSQL for the loader benchmark (default postgres://postgres@127.0.0.1:5432/test)
  --big-parquet-rows N  rows of the one large Parquet file loaded into PostgreSQL for peak RSS
                      (default 36000000, about 2.1 GB; 0 to skip; the file is kept and reused)
  --loader-runs N     runs of each loader/bulk-path pair, medians compared (default 3)
  --skip-loader       leave out the loader benchmarks
  --dir DIR           working folder, kept between runs for the big input (default bench-out)
  --json              print the results as JSON
  -h, --help          show this help`;

function step(name: string, args: Record<string, string | number>): Result {
  const script = new URL('./steps.js', import.meta.url);
  const child = spawnSync(process.execPath, [script.pathname, name, JSON.stringify(args)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
    // As the lakeload binary runs itself (see packages/cli/src/bin.ts), for every step alike.
    env: { ...process.env, MALLOC_ARENA_MAX: '2' },
  });
  if (child.status !== 0) throw new Error(`bench step ${name} failed with exit code ${child.status}`);
  const last = child.stdout.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(last) as Result;
}

const perSecond = (rows: number, ms: number) => Math.round(rows / (ms / 1000));
const int = (value: number) => value.toLocaleString('en-US');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '420000' },
      'big-gb': { type: 'string', default: '2.1' },
      'parquetjs-rows': { type: 'string', default: '200000' },
      dir: { type: 'string', default: 'bench-out' },
      postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
      'skip-loader': { type: 'boolean', default: false },
      'big-parquet-rows': { type: 'string', default: '36000000' },
      'loader-runs': { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const say = (line: string) => {
    if (!values.json) process.stdout.write(`${line}\n`);
  };
  const dir = resolve(values.dir);
  await mkdir(dir, { recursive: true });
  const orders = Number(values.orders);
  const input = join(dir, `orders-${orders}.jsonl`);
  say(`lakeload bench · Node ${process.version} · ${availableParallelism()} × ${cpus()[0]?.model ?? 'cpu'}`);

  const generated = step('generate', { file: input, orders, seed: 'bench' });
  say(
    `input: ${int(generated.records ?? 0)} records, ${int(generated.lineItems ?? 0)} line items, ${((generated.bytes ?? 0) / 1e6).toFixed(0)} MB JSONL`,
  );
  const converted = step('convert', { input, out: join(dir, 'converted') });
  const baseline = step('baseline', { input, out: join(dir, 'baseline') });
  if (converted.lineItems !== baseline.lineItems) {
    throw new Error(`converter wrote ${converted.lineItems} line items, the baseline ${baseline.lineItems}`);
  }
  const items = generated.lineItems ?? 0;
  const rows = {
    generator: perSecond(items, generated.ms ?? 0),
    converter: perSecond(items, converted.ms ?? 0),
    baseline: perSecond(items, baseline.ms ?? 0),
  };
  const ratio = rows.converter / rows.baseline;
  const results: Record<string, unknown> = {
    node: process.version,
    cores: availableParallelism(),
    input: { records: generated.records, lineItems: items, bytes: generated.bytes },
    generator: {
      ms: generated.ms,
      lineItemsPerSecond: rows.generator,
      recordsPerSecond: perSecond(generated.records ?? 0, generated.ms ?? 0),
      maxRssMb: generated.maxRssMb,
    },
    converter: { ms: converted.ms, lineItemsPerSecond: rows.converter, maxRssMb: converted.maxRssMb },
    baseline: { ms: baseline.ms, lineItemsPerSecond: rows.baseline, maxRssMb: baseline.maxRssMb },
    ratio,
  };
  say('');
  say('step                                   seconds   line items/s   peak RSS');
  const row = (name: string, ms: number, perSec: number, rss: number) =>
    say(
      `${name.padEnd(38)} ${(ms / 1000).toFixed(2).padStart(7)}   ${int(perSec).padStart(12)}   ${String(rss).padStart(5)} MB`,
    );
  row('generator (JSONL)', generated.ms ?? 0, rows.generator, generated.maxRssMb ?? 0);
  row('converter (validate + 3 datasets)', converted.ms ?? 0, rows.converter, converted.maxRssMb ?? 0);
  row('DuckDB baseline (read_json → COPY)', baseline.ms ?? 0, rows.baseline, baseline.maxRssMb ?? 0);
  say(`\nratio converter ÷ baseline: ${ratio.toFixed(2)} (goal ≥ 0.5)`);

  if (!values['skip-loader'])
    await loaderBench(
      dir,
      values.postgres,
      Number(values['big-parquet-rows']),
      Math.max(1, Number(values['loader-runs'])),
      results,
      say,
    );

  const bigGb = Number(values['big-gb']);
  if (bigGb > 0) {
    const bytesPerOrder = (generated.bytes ?? 1) / orders;
    const bigOrders = Math.ceil(((bigGb * 1e9) / bytesPerOrder) * 1.01);
    const bigInput = join(dir, `orders-${bigOrders}.jsonl`);
    // The big input takes a minute to write; it is reused while its size says it is complete.
    if (!existsSync(bigInput) || statSync(bigInput).size < bigGb * 1e9) {
      say(`\nwriting the ${bigGb} GB memory-test input…`);
      step('generate', { file: bigInput, orders: bigOrders, seed: 'bench-big' });
    }
    const big = step('convert', { input: bigInput, out: join(dir, 'converted-big') });
    const gb = statSync(bigInput).size / 1e9;
    results.big = { gb, ms: big.ms, lineItems: big.lineItems, maxRssMb: big.maxRssMb };
    say(
      `converter on a ${gb.toFixed(2)} GB input: ${((big.ms ?? 0) / 1000).toFixed(1)} s, ${int(perSecond(big.lineItems ?? 0, big.ms ?? 0))} line items/s, peak RSS ${big.maxRssMb} MB (goal ≤ 512 MB)`,
    );
  }

  const parquetjsRows = Number(values['parquetjs-rows']);
  if (parquetjsRows > 0) {
    const writers = step('parquetjs', { input, rows: parquetjsRows, out: join(dir, 'writers') });
    const parquetjs = perSecond(writers.rows ?? 0, writers.parquetjsMs ?? 0);
    const duckdb = perSecond(writers.rows ?? 0, writers.duckdbMs ?? 0);
    results.parquetWriters = {
      rows: writers.rows,
      parquetjsRowsPerSecond: parquetjs,
      duckdbRowsPerSecond: duckdb,
    };
    say(
      `\nParquet writers, ${int(writers.rows ?? 0)} order_items rows from memory: @dsnp/parquetjs ${int(parquetjs)} rows/s, DuckDB appender + COPY ${int(duckdb)} rows/s (${(duckdb / parquetjs).toFixed(0)}×)`,
    );
  }
  await writeFile(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(results)}\n`);
  else say(`\nresults: ${join(dir, 'results.json')}`);
}

/** Loader throughput against each engine's own bulk path on the converter's order_items files. */
async function loaderBench(
  dir: string,
  postgres: string,
  bigParquetRows: number,
  loaderRuns: number,
  results: Record<string, unknown>,
  say: (line: string) => void,
): Promise<void> {
  const { rm } = await import('node:fs/promises');
  const { default: pg } = await import('pg');
  const lake = join(dir, 'converted');
  const schema = 'lakeload_bench';
  const admin = new pg.Client({ connectionString: postgres });
  await admin.connect();
  const url = `${postgres}${postgres.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`;
  const freshSchema = async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
  };
  // The loader and the engine's bulk path take turns, `runs` times each, into fresh targets and
  // into targets holding the older half of the files (timed: the newer half, an upsert that finds
  // stored rows); the medians are compared, so that a neighbour's burst on a shared machine skews
  // one run, not the result.
  const kinds = ['loaded', 'bulk', 'pgLoaded', 'pgBulk'] as const;
  const runs = { fresh: new Map<string, Result[]>(), populated: new Map<string, Result[]>() };
  for (let run = 0; run < loaderRuns; run++) {
    for (const [mode, populated] of [
      ['fresh', ''],
      ['populated', 'yes'],
    ] as const) {
      const add = (kind: (typeof kinds)[number], result: Result) =>
        runs[mode].set(kind, [...(runs[mode].get(kind) ?? []), result]);
      const common = { lake, dataset: 'order_items', populated };
      await rm(join(dir, 'loader.duckdb'), { force: true });
      add('loaded', step('loader', { ...common, warehouse: `duckdb:${join(dir, 'loader.duckdb')}` }));
      add('bulk', step('duckdbBulk', { ...common, database: join(dir, 'bulk.duckdb') }));
      await freshSchema();
      add('pgLoaded', step('loader', { ...common, warehouse: url }));
      add('pgBulk', step('postgresBulk', { ...common, url }));
    }
  }
  const median = (all: Result[] = []): Result => {
    const sorted = [...all].sort((a, b) => (a.ms ?? 0) - (b.ms ?? 0));
    return sorted[Math.floor((sorted.length - 1) / 2)] ?? {};
  };
  const loaded = median(runs.fresh.get('loaded'));
  let big: Result | undefined;
  if (bigParquetRows > 0) {
    const path = join(dir, 'big', 'order_items', `big-${bigParquetRows}.parquet`);
    const written = step('writeBigParquet', { path, rows: bigParquetRows });
    await freshSchema();
    big = { ...step('loadBig', { path, url }), bytes: written.bytes ?? 0 };
  }
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
  await rm(join(dir, 'small'), { recursive: true, force: true });
  await rm(join(dir, 'small.duckdb'), { force: true });
  const small = step('smallFiles', {
    dir: join(dir, 'small'),
    files: 200,
    rows: 1000,
    warehouse: `duckdb:${join(dir, 'small.duckdb')}`,
  });
  const rate = (result: Result) => perSecond(result.rows ?? 0, result.ms ?? 0);
  const compare = (mode: 'fresh' | 'populated', loader: string, engine: string) => {
    const ours = median(runs[mode].get(loader));
    const theirs = median(runs[mode].get(engine));
    return {
      rowsPerSecond: rate(ours),
      bulkRowsPerSecond: rate(theirs),
      ratio: rate(ours) / rate(theirs),
      runsMs: (runs[mode].get(loader) ?? []).map((run) => Math.round(run.ms ?? 0)),
      bulkRunsMs: (runs[mode].get(engine) ?? []).map((run) => Math.round(run.ms ?? 0)),
      maxRssMb: ours.maxRssMb,
      rows: ours.rows,
    };
  };
  const report = {
    duckdb: compare('fresh', 'loaded', 'bulk'),
    postgres: compare('fresh', 'pgLoaded', 'pgBulk'),
    populated: {
      duckdb: compare('populated', 'loaded', 'bulk'),
      postgres: compare('populated', 'pgLoaded', 'pgBulk'),
    },
  };
  results.loader = { ...report, smallFiles: small, ...(big ? { bigParquet: big } : {}) };
  const line = (name: string, result: ReturnType<typeof compare>, engine: string) =>
    say(
      `  ${name.padEnd(11)} ${int(result.rowsPerSecond).padStart(10)} rows/s vs ${engine} ${int(result.bulkRowsPerSecond)} rows/s: ${result.ratio.toFixed(2)} (goal ≥ 0.5)${result.maxRssMb === undefined ? '' : `, peak RSS ${result.maxRssMb} MB`}`,
    );
  say(
    `\nloader, ${int(loaded.rows ?? 0)} order_items rows from ${loaded.files} files into fresh tables (upsert, ledger, files batched per transaction), median of ${loaderRuns} runs each:`,
  );
  line('DuckDB', report.duckdb, 'INSERT … SELECT * FROM read_parquet');
  line('PostgreSQL', report.postgres, 'raw COPY FROM STDIN');
  say(
    `the newer ${int(report.populated.duckdb.rows ?? 0)} rows (${median(runs.populated.get('loaded')).files} files) into tables holding the older half, same comparison:`,
  );
  line('DuckDB', report.populated.duckdb, 'INSERT … SELECT * FROM read_parquet');
  line('PostgreSQL', report.populated.postgres, 'raw COPY FROM STDIN');
  if (big)
    say(
      `  one ${((big.bytes ?? 0) / 1e9).toFixed(2)} GB Parquet file (${int(big.rows ?? 0)} rows) into PostgreSQL: ${((big.ms ?? 0) / 1000).toFixed(1)} s, ${int(rate(big))} rows/s, peak RSS ${big.maxRssMb} MB (goal ≤ 512 MB)`,
    );
  say(
    `  small files (DuckDB, ${small.files} × 1,000 rows): event → committed p50 ${(small.p50 ?? 0).toFixed(0)} ms, p95 ${(small.p95 ?? 0).toFixed(0)} ms (goal p50 ≤ 100 ms)`,
  );
}

await main();
