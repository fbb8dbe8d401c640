import { ConvertError, ConvertOptionsError } from '@lakeload/convert';
import { LoaderError } from '@lakeload/loader';
import { GenerateOptionsError, OrdersError } from '@lakeload/orders';
import { type CommandSpec, helpText } from './args.js';
import { backfillSpec, runBackfill } from './commands/backfill.js';
import { convertSpec, runConvert } from './commands/convert.js';
import { dashboardSpec, runDashboard } from './commands/dashboard.js';
import { demoSpec, runDemo } from './commands/demo.js';
import { generateSpec, runGenerate } from './commands/generate.js';
import { loadSpec, runLoad } from './commands/load.js';
import { reconcileSpec, runReconcile } from './commands/reconcile.js';
import { rehearseSpec, runRehearse } from './commands/rehearse.js';
import { replaySpec, runReplay } from './commands/replay.js';
import { reportSpec, runReportCommand } from './commands/report.js';
import { runStatus, statusSpec } from './commands/status.js';
import { runUpload, uploadSpec } from './commands/upload.js';
import { runWatch, watchSpec } from './commands/watch.js';
import { EXIT, UsageError } from './errors.js';
import { err, out } from './output.js';

const COMMANDS: Record<
  string,
  { spec: CommandSpec; run: (argv: readonly string[], signal: AbortSignal) => Promise<number> }
> = {
  demo: { spec: demoSpec, run: runDemo },
  generate: { spec: generateSpec, run: runGenerate },
  convert: { spec: convertSpec, run: runConvert },
  load: { spec: loadSpec, run: runLoad },
  replay: { spec: replaySpec, run: runReplay },
  dashboard: { spec: dashboardSpec, run: runDashboard },
  backfill: { spec: backfillSpec, run: runBackfill },
  reconcile: { spec: reconcileSpec, run: runReconcile },
  report: { spec: reportSpec, run: runReportCommand },
  rehearse: { spec: rehearseSpec, run: runRehearse },
  status: { spec: statusSpec, run: runStatus },
  upload: { spec: uploadSpec, run: runUpload },
  watch: { spec: watchSpec, run: runWatch },
};

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;
  return [
    'lakeload: files landing in S3 become upserted, queryable warehouse tables, exactly once.',
    '',
    'Usage: lakeload <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(
      ([name, { spec }]) => `  ${name.padEnd(width)}${spec.summary.split('. ')[0]?.replace(/\.$/, '')}.`,
    ),
    '',
    'Run "lakeload <command> --help" for a command\'s options.',
  ].join('\n');
}

/** Runs one command line and returns the exit code; errors are reported on stderr here. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(`${overview()}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    err(`lakeload: unknown command "${name}"\n\n${overview()}\n`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out(`${helpText(command.spec)}\n`);
    return EXIT.ok;
  }
  // The first Ctrl-C (or SIGTERM) stops the work cleanly; another one a second later stops the
  // process at once. Signals within that second are one: a terminal's Ctrl-C reaches this process
  // both directly and forwarded by the launcher (bin.ts).
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
      err(`lakeload ${name}: ${error.message}\n`);
      return EXIT.usage;
    }
    // Option errors from the libraries are usage errors too: the message names the option.
    if (error instanceof OrdersError || error instanceof ConvertError || error instanceof LoaderError) {
      err(`lakeload ${name}: ${error.message}\n`);
      const usage = error instanceof GenerateOptionsError || error instanceof ConvertOptionsError;
      return usage ? EXIT.usage : EXIT.failed;
    }
    err(`lakeload ${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.failed;
  }
}
