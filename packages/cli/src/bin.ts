#!/usr/bin/env node
// Only this file and node-version.js run before the Node version is checked; both use nothing a
// Node older than the minimum lacks, so that one gets a clear message instead of a stack trace
// from deep inside a dependency.
import { spawn } from 'node:child_process';
import { MINIMUM_NODE, olderThan } from './node-version.js';

// The commands that convert or load Parquet in bulk. glibc gives every thread its own malloc arena
// and keeps what is freed there, so a run that used parsing threads stays as large as its busiest
// moment (measured: 610 MB peak instead of 380 MB on the benchmark input). Two arenas avoid that at
// no measurable cost in speed; the variable must be set before the process starts, hence one
// re-exec — which only these commands pay for (--help, --version, status… start in one process).
const BULK = new Set(['demo', 'convert', 'load', 'watch', 'backfill', 'replay', 'rehearse']);

const argv = process.argv.slice(2);
const [command] = argv;
const bulk = command !== undefined && BULK.has(command) && !argv.includes('--help') && !argv.includes('-h');

if (olderThan(process.versions.node, MINIMUM_NODE)) {
  process.stderr.write(
    `lakeload needs Node.js ${MINIMUM_NODE} or newer; this is Node.js ${process.versions.node} (${process.execPath}). Install a current Node.js from https://nodejs.org and run lakeload again.\n`,
  );
  process.exitCode = 1;
} else if (bulk && process.platform === 'linux' && process.env.MALLOC_ARENA_MAX === undefined) {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, MALLOC_ARENA_MAX: '2' },
  });
  // A terminal's Ctrl-C reaches the child too (one process group): it is already stopping, and a
  // copy arriving while it exits would kill it mid-teardown (a clean stop reported as a signal).
  // So a signal is passed on only when, a moment later, the child is still running: then it came
  // to this process alone (kill <pid>), or the child treats the copy as the same Ctrl-C.
  const forward = (signal: NodeJS.Signals) =>
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    }, 200).unref();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, forward);
  child.on('exit', (code, signal) => {
    if (signal) {
      // Die the way the child did, which needs the forwarding handlers gone first.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else {
      process.exitCode = code ?? 1;
    }
  });
} else {
  const { main } = await import('./main.js');
  process.exitCode = await main(argv);
}
