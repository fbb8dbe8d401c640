// The packed CLI that `npm run build` leaves in dist/: unpacked as npm installs it (the workspace
// packages inside, the third-party ones beside it), it runs the demo end to end. Installing it with
// `npm install -g` needs the registry, so that is done by hand (see the README), not here.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cliRoot = fileURLToPath(new URL('..', import.meta.url));
const packagesRoot = dirname(cliRoot);
const cli = JSON.parse(readFileSync(join(cliRoot, 'package.json'), 'utf8')) as { version: string };
const tarball = join(cliRoot, 'dist', `lakeload-${cli.version}.tgz`);

interface PackedManifest {
  name: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  bundleDependencies: string[];
}

let dir: string;
let installed: string;
let manifest: PackedManifest;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-pack-'));
  const untar = spawnSync('tar', ['xzf', tarball, '-C', dir], { encoding: 'utf8' });
  expect(untar.status, untar.stderr).toBe(0);
  installed = join(dir, 'package');
  manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as PackedManifest;
  // What npm would fetch from the registry: this workspace's installed copies of the same versions.
  for (const name of Object.keys(manifest.dependencies)) {
    if (manifest.bundleDependencies.includes(name)) continue;
    const found = readdirSync(packagesRoot)
      .map((member) => join(packagesRoot, member, 'node_modules', name))
      .find((candidate) => existsSync(candidate));
    if (!found) throw new Error(`no installed copy of ${name} in the workspace`);
    await mkdir(dirname(join(installed, 'node_modules', name)), { recursive: true });
    await symlink(found, join(installed, 'node_modules', name));
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the packed CLI', () => {
  it('carries every workspace package it imports and names the rest as dependencies', () => {
    expect(manifest.name).toBe('lakeload');
    expect(manifest.bin).toEqual({ lakeload: './dist/bin.js' });
    expect(manifest.bundleDependencies).toEqual([
      '@lakeload/commons',
      '@lakeload/convert',
      '@lakeload/dashboard',
      '@lakeload/errors',
      '@lakeload/lambda',
      '@lakeload/loader',
      '@lakeload/orders',
      '@lakeload/rehearsal',
    ]);
    for (const name of manifest.bundleDependencies) {
      expect(existsSync(join(installed, 'node_modules', name, 'dist', 'index.js')), name).toBe(true);
    }
    expect(manifest.dependencies['@duckdb/node-api']).toMatch(/^\d/);
    expect(existsSync(join(installed, 'node_modules/@lakeload/dashboard/dist/page/index.html'))).toBe(true);
  });

  it('runs the demo end to end from the unpacked package', () => {
    const bin = join(installed, manifest.bin.lakeload ?? '');
    const version = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(version.stdout).toBe(`${cli.version}\n`);
    const demo = spawnSync(process.execPath, [bin, 'demo'], { cwd: dir, encoding: 'utf8' });
    expect(demo.status, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/delivered/);
    const status = spawnSync(
      process.execPath,
      [bin, 'status', '--json', '--warehouse', 'duckdb:out/demo/warehouse.duckdb'],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toContain('order_summary');
  });
});
