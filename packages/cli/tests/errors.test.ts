// Every package's errors share the one base the CLI prints (message, exit 1; option errors exit 2):
// none extends the loader's base only to be printed.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SymlinkError } from '@lakeload/commons';
import { ConvertError, ConvertOptionsError } from '@lakeload/convert';
import { DashboardError } from '@lakeload/dashboard';
import { LakeloadError, LoaderError } from '@lakeload/loader';
import { GenerateOptionsError, OrdersError } from '@lakeload/orders';
import { RehearsalError } from '@lakeload/rehearsal';
import { expect, it } from 'vitest';

it('ConvertError, OrdersError, DashboardError and RehearsalError are terminal LakeloadErrors with tips', () => {
  for (const Kind of [
    ConvertError,
    ConvertOptionsError,
    OrdersError,
    GenerateOptionsError,
    DashboardError,
    RehearsalError,
  ]) {
    const error = new Kind('x');
    expect(error, Kind.name).toBeInstanceOf(LakeloadError);
    expect(error.retryable, Kind.name).toBe(false);
    expect(error.tip, Kind.name).not.toBe(LakeloadError.tip);
  }
  expect(new DashboardError('x')).not.toBeInstanceOf(LoaderError);
  expect(new RehearsalError('x')).not.toBeInstanceOf(LoaderError);
});

it("prints the error's tip under its message when a command fails", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lakeload-tip-'));
  try {
    // A lake whose folder links back into itself: the listing fails before anything loads.
    await mkdir(join(dir, 'lake', 'items'), { recursive: true });
    await symlink(join(dir, 'lake'), join(dir, 'lake', 'items', 'loop'));
    const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
    const lakeload = (...args: string[]) =>
      spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });

    const load = lakeload('load', 'lake', '--warehouse', `duckdb:${join(dir, 'w.duckdb')}`);
    expect(load.status).toBe(1);
    expect(load.stderr).toBe(
      `lakeload load: lake/items/loop links back to ${await realpath(join(dir, 'lake'))}, a folder it is inside of\n  tip: ${SymlinkError.tip}\n`,
    );
    const convert = lakeload('convert', 'missing.jsonl', '--out', 'out');
    expect(convert.status).toBe(2);
    expect(convert.stderr).toContain(
      `input "missing.jsonl" does not exist\n  tip: ${ConvertOptionsError.tip}\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
