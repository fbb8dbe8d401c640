#!/usr/bin/env node
// Only this file and node-version.js run before the Node version is checked; both use nothing a
// Node older than the minimum lacks, so that one gets a clear message instead of a stack trace
// from deep inside a dependency.
import { MINIMUM_NODE, olderThan } from './node-version.js';

// The commands that convert or load Parquet in bulk. glibc gives every thread its own malloc arena
// and keeps what is freed there, so a run that used parsing threads stays as large as its busiest
// moment (measured: 610 MB peak instead of 380 MB on the benchmark input). Two arenas avoid that at
// no measurable cost in speed; the variable must be set before the process starts, hence one
// re-exec — which only these commands pay for (--help, --version, status… start without it).
const BULK = new Set(['demo', 'convert', 'load', 'watch', 'backfill', 'replay', 'rehearse']);

const argv = process.argv.slice(2);
const [command] = argv;
const bulk = command !== undefined && BULK.has(command) && !argv.includes('--help') && !argv.includes('-h');

if (olderThan(process.versions.node, MINIMUM_NODE)) {
  process.stderr.write(
    `lakeload needs Node.js ${MINIMUM_NODE} or newer; this is Node.js ${process.versions.node} (${process.execPath}). Install a current Node.js from https://nodejs.org and run lakeload again.\n`,
  );
  process.exitCode = 1;
} else if (
  bulk &&
  process.platform === 'linux' &&
  process.env.MALLOC_ARENA_MAX === undefined &&
  process.execve !== undefined
) {
  // execve replaces this process (same pid, same process group) rather than starting a second one.
  // With a child there were two receivers: a terminal's Ctrl-C or a kill of the group reaches
  // both, and the launcher's forwarded copy could arrive after the child had begun to exit — when
  // Node has already put SIGINT back to its default action — and kill it mid-teardown (a clean
  // stop reported as death by SIGINT). One process gets every signal once, from any sender.
  // A Node without execve (added in 22.15 and 23.11) runs the command here, without the setting.
  // https://nodejs.org/api/process.html#processexecvefile-args-env
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    ...process.env,
    MALLOC_ARENA_MAX: '2',
  });
} else {
  const { main } = await import('./main.js');
  process.exitCode = await main(argv);
}
