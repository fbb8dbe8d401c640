import { readFileSync } from 'node:fs';
import { LakeloadError } from '@lakeload/errors';
import { type CommandSpec, helpText } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { err, out } from './output.js';

export interface Command {
  spec: CommandSpec;
  run: (argv: readonly string[], signal: AbortSignal) => Promise<number>;
}

/**
 * Each command's module is imported only when that command runs: they pull in DuckDB, pg, the
 * AWS SDK, Parquet writers…, which took most of a second before any argument was read. The
 * overview's one-line summaries are kept here for the same reason (a test holds them equal to
 * the first sentence of each command's own summary).
 */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  demo: {
    summary:
      'Run the local pipeline end to end: generate sample orders as a JSONL and a CSV export (with some bad records), convert both into Parquet datasets, load those into a DuckDB warehouse exactly once, and query it.',
    load: async () => {
      const m = await import('./commands/demo.js');
      return { spec: m.demoSpec, run: m.runDemo };
    },
  },
  generate: {
    summary: 'Generate sample e-commerce orders as JSON, JSONL or CSV.',
    load: async () => {
      const m = await import('./commands/generate.js');
      return { spec: m.generateSpec, run: m.runGenerate };
    },
  },
  convert: {
    summary:
      'Convert order files (JSON arrays, JSONL, CSV; .gz too) into partitioned Parquet datasets order_summary, order_items and order_flattened.',
    load: async () => {
      const m = await import('./commands/convert.js');
      return { spec: m.convertSpec, run: m.runConvert };
    },
  },
  load: {
    summary:
      'Load Parquet files into the warehouse now: each file upserts into the table its folder names, exactly once (the warehouse keeps a ledger of loaded files).',
    load: async () => {
      const m = await import('./commands/load.js');
      return { spec: m.loadSpec, run: m.runLoad };
    },
  },
  replay: {
    summary:
      'Load the dead letters again (objects that failed for good) after their cause was fixed, local files and s3:// objects as they are now; each one that loads, or turns out to be loaded already, is marked replayed.',
    load: async () => {
      const m = await import('./commands/replay.js');
      return { spec: m.replaySpec, run: m.runReplay };
    },
  },
  dashboard: {
    summary:
      'Serve a live dashboard of the warehouse: recent loads and failures, loads, rows and latency over time, freshness per table, failures by reason and the dead-letter queue.',
    load: async () => {
      const m = await import('./commands/dashboard.js');
      return { spec: m.dashboardSpec, run: m.runDashboard };
    },
  },
  backfill: {
    summary:
      'Load what events missed: list a folder or an S3 prefix (page by page), compare it with the ledger, and load every object not loaded as it is now (new, re-uploaded with a new ETag or version, or failed before).',
    load: async () => {
      const m = await import('./commands/backfill.js');
      return { spec: m.backfillSpec, run: m.runBackfill };
    },
  },
  reconcile: {
    summary:
      'Compare a folder or an S3 prefix with the ledger, changing nothing: objects present but not loaded (new or changed), loaded objects no longer present, and objects whose load failed (with the error).',
    load: async () => {
      const m = await import('./commands/reconcile.js');
      return { spec: m.reconcileSpec, run: m.runReconcile };
    },
  },
  report: {
    summary:
      'Run an analytics report over the loaded order tables on any warehouse: daily-revenue, top-products, status-funnel, customer-ltv.',
    load: async () => {
      const m = await import('./commands/report.js');
      return { spec: m.reportSpec, run: m.runReportCommand };
    },
  },
  rehearse: {
    summary: 'Try the AWS path without AWS.',
    load: async () => {
      const m = await import('./commands/rehearse.js');
      return { spec: m.rehearseSpec, run: m.runRehearse };
    },
  },
  status: {
    summary:
      'Show the warehouse as the loader sees it: recent loads, rows per table, failures with their reasons, and dead letters.',
    load: async () => {
      const m = await import('./commands/status.js');
      return { spec: m.statusSpec, run: m.runStatus };
    },
  },
  upload: {
    summary:
      'Upload converted Parquet files to S3, keeping their year=/month=/day=/<dataset>/ layout below the prefix.',
    load: async () => {
      const m = await import('./commands/upload.js');
      return { spec: m.uploadSpec, run: m.runUpload };
    },
  },
  watch: {
    summary:
      'Treat a local folder as the bucket: load the Parquet files already there, then new and changed ones as they land, until Ctrl-C (which lets the load in progress finish).',
    load: async () => {
      const m = await import('./commands/watch.js');
      return { spec: m.watchSpec, run: m.runWatch };
    },
  },
};

/** The overview's line for a command: the first sentence of its summary. */
export function overviewLine(summary: string): string {
  return `${summary.split('. ')[0]?.replace(/\.$/, '')}.`;
}

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;
  return [
    'lakeload: files landing in S3 become upserted, queryable warehouse tables, exactly once.',
    '',
    'Usage: lakeload <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(width)}${summary}`),
    '',
    'Run "lakeload <command> --help" for a command\'s options, "lakeload --version" for the version.',
  ].join('\n');
}

/** The CLI package's own version (dist/main.js sits one folder below its package.json). */
function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** Runs one command line and returns the exit code; errors are reported on stderr here. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(`${overview()}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    out(`${version()}\n`);
    return EXIT.ok;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    err(`lakeload: unknown command "${name}"\n\n${overview()}\n`);
    return EXIT.usage;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    out(`${helpText(command.spec)}\n`);
    return EXIT.ok;
  }
  // The first Ctrl-C (or SIGTERM) stops the work cleanly; another one a second later stops the
  // process at once. Signals within that second are one, so that a key pressed twice by accident
  // does not cut the clean stop short.
  const controller = new AbortController();
  let firstSignalAt = 0;
  const interrupt = () => {
    if (controller.signal.aborted) {
      if (Date.now() - firstSignalAt > 1000) process.exit(EXIT.interrupted);
      return;
    }
    firstSignalAt = Date.now();
    err(`\nlakeload ${name}: stopping cleanly…\n`);
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    return await command.run(rest, controller.signal);
  } catch (error) {
    if (controller.signal.aborted && !(error instanceof UsageError)) {
      err(`lakeload ${name}: interrupted; nothing was left half done\n`);
      return EXIT.interrupted;
    }
    if (error instanceof UsageError) {
      err(`lakeload ${name}: ${error.message}\n  tip: ${error.tip}\n`);
      return EXIT.usage;
    }
    if (error instanceof LakeloadError) {
      // Every package's errors carry what to do next; it goes under the message.
      err(`lakeload ${name}: ${error.message}\n  tip: ${error.tip}\n`);
      // Option errors from the libraries are usage errors too: the message names the option. The
      // libraries are imported here, on the error path, so that no command pays for the others'.
      const [{ ConvertOptionsError }, { GenerateOptionsError }] = await Promise.all([
        import('@lakeload/convert'),
        import('@lakeload/orders'),
      ]);
      const usage = error instanceof GenerateOptionsError || error instanceof ConvertOptionsError;
      return usage ? EXIT.usage : EXIT.failed;
    }
    err(`lakeload ${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.failed;
  }
}
