#!/usr/bin/env node
// Entry point for every root script. Runs on whatever Node the machine has (20 is enough): it
// provisions the pinned Node 24 and pnpm from the npm registry into .toolchain/ (no root, nothing
// global), installs the workspace with the frozen lockfile, builds, then runs the task with Node 24
// first on PATH. Every step is skipped when its inputs have not changed, so a second run is quick.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const toolchainDir = join(root, '.toolchain');
const manifestDir = join(root, 'scripts', 'toolchain');
const pinnedNode = readFileSync(join(root, '.node-version'), 'utf8').trim();

const tasks = {
  demo: (args) => [...build(), lakeload(['demo', ...args])],
  test: () => [
    [
      'pnpm',
      ['exec', 'turbo', 'run', 'lint:root', 'lint', 'build', 'typecheck', 'test', '--output-logs=new-only'],
    ],
  ],
  lakeload: (args) => [...build(), lakeload(args)],
  bench: (args) => [...build(), ['node', [join(root, 'packages/bench/dist/main.js'), ...args]]],
  build: () => build(),
  lint: () => [['pnpm', ['exec', 'turbo', 'run', 'lint:root', 'lint', '--output-logs=errors-only']]],
  format: () => [['pnpm', ['exec', 'biome', 'check', '--write', '.']]],
};

function build() {
  const stampFile = join(root, 'node_modules', '.lakeload-build-stamp');
  const stamp = buildStamp();
  if (stamp !== undefined && upToDate(stampFile, stamp)) return [];
  const after = () => {
    // Taken again: the build itself may have changed an input (e.g. a generated file).
    const done = buildStamp();
    if (done !== undefined) writeFileSync(stampFile, done);
  };
  return [['pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], after]];
}

// Turbo takes most of a second to find that nothing changed (the documented `npm run lakeload --`
// entry paid it on every run), so the toolchain keeps its own stamp of what the build tasks read:
// the size and modification time of every build input and output turbo.json names (each
// package's own turbo.json first; a deleted output is rebuilt too) and the files every build
// shares. Only the shapes "folder/**" and a plain file name are understood; any other means always
// asking turbo. A stale stamp only costs a turbo run, which then finds its cache.
function buildStamp() {
  const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
  const rootBuild = readJson(join(root, 'turbo.json')).tasks.build;
  const files = ['turbo.json', 'tsconfig.base.json', 'pnpm-lock.yaml', 'package.json'].map((name) =>
    join(root, name),
  );
  files.push(join(root, 'node_modules', '.lakeload-install-stamp'));
  const packages = [
    ...readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name)),
    join(root, 'infra'),
  ];
  for (const dir of packages) {
    const ownTurbo = join(dir, 'turbo.json');
    const own = (existsSync(ownTurbo) && readJson(ownTurbo).tasks?.build) || {};
    files.push(ownTurbo);
    for (const pattern of [...(own.inputs ?? rootBuild.inputs), ...(own.outputs ?? rootBuild.outputs)]) {
      if (pattern.endsWith('/**') && !pattern.slice(0, -3).includes('*'))
        walk(join(dir, pattern.slice(0, -3)), files);
      else if (/^[\w.-]+$/.test(pattern)) files.push(join(dir, pattern));
      else return undefined;
    }
  }
  const hash = createHash('sha256');
  for (const file of files) {
    const stat = statSync(file, { throwIfNoEntry: false });
    hash.update(`${file}\0${stat ? `${stat.size}:${stat.mtimeMs}` : '-'}\n`);
  }
  return hash.digest('hex');
}

function walk(dir, files) {
  if (!existsSync(dir)) return;
  const found = readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
  files.push(...found.sort());
}

function lakeload(args) {
  return ['node', [join(root, 'packages/cli/dist/bin.js'), ...args]];
}

function fail(message) {
  process.stderr.write(`toolchain: ${message}\n`);
  process.exit(1);
}

// Set-up steps print to stderr so that a task's stdout (e.g. `--json`) stays machine-readable.
function run(command, args, env, { cwd = root, setup = true } = {}) {
  const stdio = setup ? ['inherit', 2, 2] : 'inherit';
  const result = spawnSync(command, args, { cwd, env, stdio });
  if (result.error) fail(`could not start ${command}: ${result.error.message}`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function fingerprint(files) {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file);
    hash.update(existsSync(file) ? readFileSync(file) : '');
  }
  return hash.digest('hex');
}

function upToDate(stampFile, stamp) {
  return existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
}

// The pinned Node and pnpm, installed with `npm ci` from scripts/toolchain's own lockfile.
function provisionToolchain() {
  const lock = join(manifestDir, 'package-lock.json');
  const stampFile = join(toolchainDir, '.stamp');
  const stamp = fingerprint([join(manifestDir, 'package.json'), lock]);
  if (!upToDate(stampFile, stamp)) {
    if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) {
      fail(
        `Node ${pinnedNode} is provisioned only on linux x64/arm64; install Node ${pinnedNode} yourself and run pnpm directly.`,
      );
    }
    process.stderr.write(`toolchain: installing Node ${pinnedNode} and pnpm into .toolchain/\n`);
    mkdirSync(toolchainDir, { recursive: true });
    copyFileSync(join(manifestDir, 'package.json'), join(toolchainDir, 'package.json'));
    copyFileSync(lock, join(toolchainDir, 'package-lock.json'));
    run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], process.env, { cwd: toolchainDir });
    writeFileSync(stampFile, stamp);
  }
  const nodeBin = join(toolchainDir, 'node_modules', `node-linux-${process.arch}`, 'bin');
  const pnpmBin = join(toolchainDir, 'node_modules', '.bin');
  return [nodeBin, pnpmBin];
}

function toolchainEnv(binDirs) {
  return {
    ...process.env,
    PATH: [...binDirs, process.env.PATH ?? ''].join(delimiter),
    TURBO_TELEMETRY_DISABLED: '1',
    DO_NOT_TRACK: '1',
    // pnpm would otherwise offer to download another Node or pnpm; the pinned ones are on PATH.
    COREPACK_ENABLE_STRICT: '0',
    npm_config_manage_package_manager_versions: 'false',
  };
}

function installWorkspace(env) {
  const manifests = readdirSync(join(root, 'packages')).map((name) =>
    join(root, 'packages', name, 'package.json'),
  );
  const inputs = [
    join(root, 'pnpm-lock.yaml'),
    join(root, 'pnpm-workspace.yaml'),
    join(root, 'package.json'),
    join(root, 'infra', 'package.json'),
    join(root, '.node-version'),
    ...manifests,
  ];
  const stampFile = join(root, 'node_modules', '.lakeload-install-stamp');
  const stamp = fingerprint(inputs);
  if (upToDate(stampFile, stamp)) return;
  run('pnpm', ['install', '--frozen-lockfile', '--reporter=append-only'], env);
  writeFileSync(stampFile, stamp);
}

// The dashboard's browser tests drive Debian's Chromium (playwright-core never downloads a browser).
// On a Debian machine where this runs as root it is installed once; elsewhere the tests say what
// is missing.
function provisionChromium() {
  const found = spawnSync('sh', ['-c', 'command -v chromium'], { stdio: 'ignore' }).status === 0;
  if (found || process.platform !== 'linux' || process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get'))
    return;
  process.stderr.write('toolchain: installing Debian chromium for the browser tests\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-q', 'chromium'], { env, stdio: ['ignore', 2, 2] }).status === 0;
  if (!install()) {
    spawnSync('apt-get', ['update', '-q'], { env, stdio: ['ignore', 2, 2] });
    if (!install()) fail('could not install chromium with apt-get; install it and run the tests again');
  }
}

const [task, ...args] = process.argv.slice(2);
const plan = tasks[task];
if (!plan) fail(`unknown task "${task}"; one of: ${Object.keys(tasks).join(', ')}`);
if (task === 'test') provisionChromium();

const env = toolchainEnv(provisionToolchain());
installWorkspace(env);
const steps = plan(args);
steps.forEach(([command, commandArgs, after], index) => {
  run(command, commandArgs, env, { setup: index < steps.length - 1 });
  after?.();
});
