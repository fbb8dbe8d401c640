// The benchmark harness: every step runs in its own child process on the same generated input, one
// after another, and the converter is compared with DuckDB's own bulk path in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Measure, measure, table, withTable } from './report.js';

type Result = Record<string, number>;

const HELP = `Usage: npm run bench -- [options]

Measures, each compared command taking turns with the other in the same run, min / median / max:
  start-up of whole lakeload processes (--help, --version, status, npm run lakeload -- --help);
  the converter against DuckDB's read_json → COPY on one generated input (≥ 1M line items), and
  its peak RSS on a multi-gigabyte input; the loader against each engine's plain bulk path and
  against the SQL a user would write by hand (DuckDB: CTAS … QUALIFY, MERGE INTO; PostgreSQL:
  COPY into a temporary table + INSERT … ON CONFLICT), for a 30-file batch and one big file,
  into fresh and populated tables; @dsnp/parquetjs against DuckDB as a Parquet writer.
Writes bench-out/results.json; --readme packages/bench/README.md renders its table into the bench README.

Options:
  --orders N          orders in the main input (default 420000, about 1.2M line items)
  --runs N            runs of each compared pair (default 3)
  --startup-runs N    runs of each start-up command (default 10)
  --keyed-rows N      rows of the big keyed Parquet file for the loader comparison (default 3000000; 0 to skip)
  --big-gb G          size of the memory-test input in GB, 0 to skip (default 2.1)
  --parquetjs-rows N  order_items rows for the Parquet writer comparison, 0 to skip (default 200000)
  --postgres URL      PostgreSQL for the loader benchmark (default postgres://postgres@127.0.0.1:5432/test)
  --big-parquet-rows N  rows of the one large Parquet file loaded into PostgreSQL for peak RSS
                      (default 36000000, about 2.1 GB; 0 to skip; the file is kept and reused)
  --skip-loader       leave out the loader benchmarks
  --converter-memory-only  only the converter's peak RSS on the --big-gb input, --runs times (the
                      main input is generated only when missing, to size the big one)
  --readme FILE       after the run, write the results table into FILE between its bench markers
  --readme-only       only render bench-out/results.json into --readme FILE, run nothing
  --dir DIR           working folder, kept between runs for the big inputs (default bench-out)
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
      'converter-memory-only': { type: 'boolean', default: false },
      'keyed-rows': { type: 'string', default: '3000000' },
      'big-parquet-rows': { type: 'string', default: '36000000' },
      runs: { type: 'string', default: '3' },
      'startup-runs': { type: 'string', default: '10' },
      readme: { type: 'string' },
      'readme-only': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const dir = resolve(values.dir);
  const resultsFile = join(dir, 'results.json');
  if (values['readme-only']) {
    if (!values.readme) throw new Error('--readme-only needs --readme <file>');
    await renderReadme(values.readme, resultsFile);
    return;
  }
  const say = (line: string) => {
    if (!values.json) process.stdout.write(`${line}\n`);
  };
  await mkdir(dir, { recursive: true });
  const runs = Math.max(1, Number(values.runs));
  const orders = Number(values.orders);
  const input = join(dir, `orders-${orders}.jsonl`);
  const machine = `Node ${process.version} · ${availableParallelism()} × ${cpus()[0]?.model ?? 'cpu'} · ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  say(`lakeload bench · ${machine}`);
  const measures: Measure[] = [];

  if (values['converter-memory-only']) {
    // Only sizes the big input, so an existing main input serves as it is.
    const bytes = existsSync(input)
      ? statSync(input).size
      : step('generate', { file: input, orders, seed: 'bench' }).bytes;
    const big = converterMemory(dir, Number(values['big-gb']), (bytes ?? 1) / orders, runs, say);
    say(`\n${table([big.rss])}`);
    if (values.json)
      process.stdout.write(`${JSON.stringify({ machine, big: { gb: big.gb, runs: big.runs } })}\n`);
    return;
  }

  measures.push(...startupBench(dir, Math.max(1, Number(values['startup-runs'])), say));

  const generated = step('generate', { file: input, orders, seed: 'bench' });
  say(
    `\ninput: ${int(generated.records ?? 0)} records, ${int(generated.lineItems ?? 0)} line items, ${((generated.bytes ?? 0) / 1e6).toFixed(0)} MB JSONL`,
  );
  // The converter and DuckDB's own read_json → COPY take turns on the same input.
  const converts: Result[] = [];
  const baselines: Result[] = [];
  for (let run = 0; run < runs; run++) {
    converts.push(step('convert', { input, out: join(dir, 'converted') }));
    baselines.push(step('baseline', { input, out: join(dir, 'baseline') }));
  }
  const items = generated.lineItems ?? 0;
  for (const [index, converted] of converts.entries()) {
    if (converted.lineItems !== baselines[index]?.lineItems) {
      throw new Error(
        `converter wrote ${converted.lineItems} line items, the baseline ${baselines[index]?.lineItems}`,
      );
    }
  }
  const converterRatio = measure(
    'converter ÷ DuckDB read_json → COPY (same input)',
    'ratio',
    converts.map((converted, index) => (baselines[index]?.ms ?? 0) / (converted.ms ?? 1)),
    { atLeast: 0.5 },
  );
  measures.push(converterRatio);
  const results: Record<string, unknown> = {
    machine,
    node: process.version,
    cores: availableParallelism(),
    input: { records: generated.records, lineItems: items, bytes: generated.bytes },
    generator: {
      ms: generated.ms,
      lineItemsPerSecond: perSecond(items, generated.ms ?? 0),
      recordsPerSecond: perSecond(generated.records ?? 0, generated.ms ?? 0),
      maxRssMb: generated.maxRssMb,
    },
    converter: converts,
    baseline: baselines,
    measures,
  };
  say(
    `converter ${converts.map((c) => ((c.ms ?? 0) / 1000).toFixed(2)).join(', ')} s, DuckDB baseline ${baselines.map((b) => ((b.ms ?? 0) / 1000).toFixed(2)).join(', ')} s; ratio ${converterRatio.min.toFixed(2)} / ${converterRatio.median.toFixed(2)} / ${converterRatio.max.toFixed(2)} (goal ≥ 0.5)`,
  );

  if (!values['skip-loader'])
    await loaderBench(
      dir,
      values.postgres,
      Number(values['keyed-rows']),
      Number(values['big-parquet-rows']),
      runs,
      results,
      measures,
      say,
    );

  const bigGb = Number(values['big-gb']);
  if (bigGb > 0) {
    const big = converterMemory(dir, bigGb, (generated.bytes ?? 1) / orders, runs, say);
    measures.push(big.rss);
    results.big = { gb: big.gb, runs: big.runs };
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
  await writeFile(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  say(`\n${table(measures)}`);
  if (values.readme) await renderReadme(values.readme, resultsFile);
  if (values.json) process.stdout.write(`${JSON.stringify(results)}\n`);
  else say(`\nresults: ${resultsFile}`);
}

/**
 * The converter on a multi-gigabyte input, `runs` times, each in its own process: its peak RSS.
 * The input takes a minute to write; it is reused while its size says it is complete.
 */
function converterMemory(
  dir: string,
  bigGb: number,
  bytesPerOrder: number,
  runs: number,
  say: (line: string) => void,
): { rss: Measure; gb: number; runs: Result[] } {
  const bigOrders = Math.ceil(((bigGb * 1e9) / bytesPerOrder) * 1.01);
  const bigInput = join(dir, `orders-${bigOrders}.jsonl`);
  if (!existsSync(bigInput) || statSync(bigInput).size < bigGb * 1e9) {
    say(`\nwriting the ${bigGb} GB memory-test input…`);
    step('generate', { file: bigInput, orders: bigOrders, seed: 'bench-big' });
  }
  const gb = statSync(bigInput).size / 1e9;
  const bigRuns: Result[] = [];
  for (let run = 0; run < runs; run++)
    bigRuns.push(step('convert', { input: bigInput, out: join(dir, 'converted-big') }));
  const rss = measure(
    `converter peak RSS on a ${gb.toFixed(2)} GB input`,
    'MB',
    bigRuns.map((big) => big.maxRssMb ?? 0),
    { atMost: 512 },
  );
  say(
    `converter on a ${gb.toFixed(2)} GB input: ${bigRuns.map((big) => `${((big.ms ?? 0) / 1000).toFixed(1)} s`).join(', ')}; peak RSS ${rss.runs.join(', ')} MB (goal ≤ 512 MB in every run)`,
  );
  return { rss, gb, runs: bigRuns };
}

/** Writes the table of results.json into the README between its bench markers. */
async function renderReadme(readme: string, resultsFile: string): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const results = JSON.parse(await readFile(resultsFile, 'utf8')) as { machine: string; measures: Measure[] };
  await writeFile(readme, withTable(await readFile(readme, 'utf8'), results));
}

/** Whole processes timed from spawn to exit, the compared commands taking turns. */
function startupBench(dir: string, runs: number, say: (line: string) => void): Measure[] {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const bin = join(root, 'packages', 'cli', 'dist', 'bin.js');
  const demo = join(dir, 'demo');
  const warehouse = join(demo, 'out', 'demo', 'warehouse.duckdb');
  if (!existsSync(warehouse)) {
    mkdirSync(demo, { recursive: true });
    const made = spawnSync(process.execPath, [bin, 'demo'], { cwd: demo, stdio: 'ignore' });
    if (made.status !== 0) throw new Error(`lakeload demo failed with exit code ${made.status}`);
  }
  const commands: [string, string, string[], { atMost: number }][] = [
    ['lakeload --help', process.execPath, [bin, '--help'], { atMost: 150 }],
    ['lakeload --version', process.execPath, [bin, '--version'], { atMost: 150 }],
    [
      'lakeload status (demo warehouse)',
      process.execPath,
      [bin, 'status', '--warehouse', `duckdb:${warehouse}`],
      { atMost: 400 },
    ],
    ['npm run lakeload -- --help', 'npm', ['run', 'lakeload', '--', '--help'], { atMost: 400 }],
  ];
  const times = commands.map((): number[] => []);
  // One untimed round first: the goal is for a machine where nothing changed since the last run.
  for (let run = -1; run < runs; run++) {
    commands.forEach(([label, command, args], index) => {
      const started = performance.now();
      const child = spawnSync(command, args, { cwd: root, stdio: 'ignore' });
      if (child.status !== 0) throw new Error(`${label} failed with exit code ${child.status}`);
      if (run >= 0) times[index]?.push(performance.now() - started);
    });
  }
  const measures = commands.map(([label, , , goal], index) => measure(label, 'ms', times[index] ?? [], goal));
  say(`\nstart-up, whole processes, ${runs} runs each taking turns (min / median / max):`);
  for (const m of measures)
    say(
      `  ${m.label.padEnd(34)} ${m.min.toFixed(0)} / ${m.median.toFixed(0)} / ${m.max.toFixed(0)} ms (goal ≤ ${(m.goal as { atMost: number }).atMost} ms)`,
    );
  return measures;
}

type Kind = 'loader' | 'bulk' | 'hand';

/**
 * The loader against each engine's plain bulk path and against the SQL a user would write by hand
 * instead, on the same files in the same run: the three take turns (in a rotating order), `runs`
 * times, into fresh targets and into targets that hold older rows; each run gives a ratio per pair
 * (the other path's time ÷ the loader's, i.e. the loader's speed relative to it).
 */
async function loaderBench(
  dir: string,
  postgres: string,
  keyedRows: number,
  bigParquetRows: number,
  loaderRuns: number,
  results: Record<string, unknown>,
  measures: Measure[],
  say: (line: string) => void,
): Promise<void> {
  const { rm } = await import('node:fs/promises');
  const { walkFiles } = await import('@lakeload/commons');
  const { default: pg } = await import('pg');
  const schema = 'lakeload_bench';
  const admin = new pg.Client({ connectionString: postgres });
  await admin.connect();
  const url = `${postgres}${postgres.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`;
  const freshSchema = async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
  };
  // The converter's order_items files, oldest day first: the populated runs hold the older half.
  const lake = join(dir, 'converted');
  const batch = (await walkFiles(lake))
    .filter((file) => file.endsWith('.parquet') && file.includes('/order_items/'))
    .map((file) => join(lake, file));
  const middle = Math.ceil(batch.length / 2);
  const cases: { name: string; fresh: string[]; first: string[]; second: string[] }[] = [
    {
      name: `${batch.length}-file batch`,
      fresh: batch,
      first: batch.slice(0, middle),
      second: batch.slice(middle),
    },
  ];
  if (keyedRows > 0) {
    // One big file; its populated run loads a second one whose keys half overlap, a day newer.
    const folder = join(dir, 'keyed', 'order_items');
    const first = join(folder, `a-${keyedRows}.parquet`);
    const second = join(folder, `b-${keyedRows}.parquet`);
    step('writeKeyedParquet', { path: first, rows: keyedRows, start: 0, day: 0 });
    step('writeKeyedParquet', { path: second, rows: keyedRows, start: Math.floor(keyedRows / 8), day: 1 });
    cases.push({
      name: `one ${(keyedRows / 1e6).toFixed(1)}M-row file`,
      fresh: [first],
      first: [first],
      second: [second],
    });
  }
  const engines = [
    { engine: 'DuckDB', bulk: 'duckdbBulk', hand: 'duckdbHand' },
    { engine: 'PostgreSQL', bulk: 'postgresBulk', hand: 'postgresHand' },
  ] as const;
  const handName = {
    DuckDB: { fresh: 'CTAS … QUALIFY', populated: 'MERGE INTO … USING (… QUALIFY …)' },
    PostgreSQL: { fresh: 'COPY + INSERT … ON CONFLICT', populated: 'COPY + INSERT … ON CONFLICT' },
  };
  const bulkName = { DuckDB: 'INSERT … SELECT * FROM read_parquet', PostgreSQL: 'raw COPY' };
  const timings = new Map<string, { ms: number[]; rssMb: number[] }>();
  const record = (key: string, result: Result) => {
    const entry = timings.get(key) ?? { ms: [], rssMb: [] };
    entry.ms.push(result.ms ?? 0);
    entry.rssMb.push(result.maxRssMb ?? 0);
    timings.set(key, entry);
  };
  for (let run = 0; run < loaderRuns; run++) {
    for (const c of cases) {
      for (const mode of ['fresh', 'populated'] as const) {
        const files =
          mode === 'fresh'
            ? { timed: c.fresh.join('\n') }
            : { first: c.first.join('\n'), timed: c.second.join('\n') };
        for (const { engine, bulk, hand } of engines) {
          const kinds: Kind[] = ['loader', 'bulk', 'hand'];
          const order = [...kinds.slice(run % 3), ...kinds.slice(0, run % 3)];
          for (const kind of order) {
            let result: Result;
            if (engine === 'DuckDB') {
              const database = join(dir, `${kind}.duckdb`);
              await rm(database, { force: true });
              result =
                kind === 'loader'
                  ? step('loader', { ...files, warehouse: `duckdb:${database}` })
                  : step(kind === 'bulk' ? bulk : hand, { ...files, database });
              await rm(database, { force: true });
            } else {
              await freshSchema();
              result = step(kind === 'loader' ? 'loader' : kind === 'bulk' ? bulk : hand, {
                ...files,
                ...(kind === 'loader' ? { warehouse: url } : { url }),
              });
            }
            record(`${c.name}|${mode}|${engine}|${kind}`, result);
          }
        }
      }
    }
  }
  const ratios = (key: string, kind: Kind) => {
    const ours = timings.get(`${key}|loader`)?.ms ?? [];
    const theirs = timings.get(`${key}|${kind}`)?.ms ?? [];
    return ours.map((ms, run) => (theirs[run] ?? 0) / ms);
  };
  say(
    `\nloader (upsert, ledger, batched) against the same data the other way, ${loaderRuns} runs taking turns; ratio = the other path's time ÷ the loader's (min / median / max):`,
  );
  const report: Record<string, unknown> = {};
  for (const c of cases) {
    for (const mode of ['fresh', 'populated'] as const) {
      for (const { engine } of engines) {
        const key = `${c.name}|${mode}|${engine}`;
        const where = `${engine}, ${c.name}, ${mode === 'fresh' ? 'fresh table' : 'populated table'}`;
        const hand = measure(`${where}: loader ÷ ${handName[engine][mode]}`, 'ratio', ratios(key, 'hand'), {
          atLeast: 1,
        });
        const bulk = measure(`${where}: loader ÷ ${bulkName[engine]}`, 'ratio', ratios(key, 'bulk'), {
          atLeast: 0.5,
        });
        measures.push(hand, bulk);
        const ours = timings.get(`${key}|loader`) ?? { ms: [], rssMb: [] };
        if (engine === 'DuckDB' && mode === 'fresh' && c.name.startsWith('one '))
          measures.push(measure(`${where}: loader peak RSS`, 'MB', ours.rssMb, { atMost: 300 }));
        report[key] = Object.fromEntries(
          [...(['loader', 'bulk', 'hand'] as const)].map((kind) => [kind, timings.get(`${key}|${kind}`)]),
        );
        for (const m of [hand, bulk])
          say(`  ${m.label.padEnd(96)} ${m.min.toFixed(2)} / ${m.median.toFixed(2)} / ${m.max.toFixed(2)}`);
        say(
          `    loader ${ours.ms.map((ms) => ms.toFixed(0)).join(', ')} ms, peak RSS ${ours.rssMb.join(', ')} MB`,
        );
      }
    }
  }
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
  results.loader = { timings: report, smallFiles: small, ...(big ? { bigParquet: big } : {}) };
  measures.push(
    measure('DuckDB, 200 files of 1,000 rows one event each: event → committed p50', 'ms', [small.p50 ?? 0], {
      atMost: 100,
    }),
  );
  if (big)
    measures.push(
      measure(
        `PostgreSQL, one ${((big.bytes ?? 0) / 1e9).toFixed(2)} GB file: loader peak RSS`,
        'MB',
        [big.maxRssMb ?? 0],
        {
          atMost: 512,
        },
      ),
    );
  if (big)
    say(
      `  one ${((big.bytes ?? 0) / 1e9).toFixed(2)} GB Parquet file (${int(big.rows ?? 0)} rows) into PostgreSQL: ${((big.ms ?? 0) / 1000).toFixed(1)} s, ${int(perSecond(big.rows ?? 0, big.ms ?? 0))} rows/s, peak RSS ${big.maxRssMb} MB (goal ≤ 512 MB)`,
    );
  say(
    `  small files (DuckDB, ${small.files} × 1,000 rows): event → committed p50 ${(small.p50 ?? 0).toFixed(0)} ms, p95 ${(small.p95 ?? 0).toFixed(0)} ms (goal p50 ≤ 100 ms)`,
  );
}

await main();
