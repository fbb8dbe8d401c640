#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { main } from './main.js';

// glibc gives every thread its own malloc arena and keeps what is freed there, so a run that used
// parsing threads stays as large as its busiest moment (measured: 610 MB peak instead of 380 MB on
// the benchmark input). Two arenas avoid that at no measurable cost in speed; the variable must be
// set before the process starts, hence one re-exec.
if (process.platform === 'linux' && process.env.MALLOC_ARENA_MAX === undefined) {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, MALLOC_ARENA_MAX: '2' },
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
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
  process.exitCode = await main(process.argv.slice(2));
}
