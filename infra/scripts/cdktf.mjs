#!/usr/bin/env node
// Runs the pinned cdktf-cli (`node scripts/cdktf.mjs synth [--hcl] …`, also `diff`, `deploy`, `destroy`).
//
// Why a wrapper: cdktf-cli 0.21.0 loads the native module @cdktf/node-pty-prebuilt-multiarch at
// start-up, which ships prebuilt binaries only up to Node 22 (ABI 127). Under this repository's
// Node 24 the CLI crashes before doing anything. CDKTF is archived (2025-12-10), so no fix will come:
// this script picks a Node that has a prebuilt binary ($CDKTF_NODE first, then every `node` on PATH)
// and runs the CLI — and the app it spawns (`node dist/main.js`) — with it. The app itself is plain
// ES2024 and runs on Node 20+. Telemetry and update checks are switched off.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const cliDir = dirname(require.resolve('cdktf-cli/package.json'));
const ptyDir = dirname(
  createRequire(join(cliDir, 'package.json')).resolve('@cdktf/node-pty-prebuilt-multiarch/package.json'),
);
const cliBin = join(cliDir, 'bundle', 'bin', 'cdktf');

/** The ABI (process.versions.modules) of a Node binary, or undefined if it does not run. */
function abiOf(node) {
  const result = spawnSync(node, ['-p', 'process.versions.modules'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function canLoadPty(node) {
  // A locally compiled binary (node-gyp with build tools) works for the Node it was built with.
  if (existsSync(join(ptyDir, 'build', 'Release', 'pty.node')) && node === process.execPath) return true;
  const abi = abiOf(node);
  if (!abi) return false;
  const musl = existsSync('/etc/alpine-release') ? '.musl' : '';
  return existsSync(
    join(ptyDir, 'prebuilds', `${process.platform}-${process.arch}`, `node.abi${abi}${musl}.node`),
  );
}

const onPath = (process.env.PATH ?? '')
  .split(delimiter)
  .filter(Boolean)
  .map((dir) => join(dir, process.platform === 'win32' ? 'node.exe' : 'node'))
  .filter((file) => existsSync(file));
const candidates = [...new Set([process.env.CDKTF_NODE, process.execPath, ...onPath].filter(Boolean))];
const node = candidates.find(canLoadPty);
if (!node) {
  process.stderr.write(
    `cdktf: none of these Node binaries can load @cdktf/node-pty-prebuilt-multiarch (prebuilt up to Node 22):\n` +
      candidates.map((c) => `  ${c} (ABI ${abiOf(c) ?? '?'})\n`).join('') +
      'Install Node 20 or 22 and set CDKTF_NODE=/path/to/node (the app is synthesized with that Node too).\n',
  );
  process.exit(1);
}

const env = {
  ...process.env,
  PATH: [dirname(node), process.env.PATH ?? ''].join(delimiter),
  CHECKPOINT_DISABLE: '1',
  CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
  DISABLE_VERSION_CHECK: 'true',
};
const args = process.argv.slice(2);
const result = spawnSync(node, [cliBin, ...args], { stdio: 'inherit', env });
if (result.error) {
  process.stderr.write(`cdktf: could not start ${node}: ${result.error.message}\n`);
  process.exit(1);
}
if (result.status === 0 && args[0] === 'synth' && args.includes('--hcl')) formatHcl(args);
process.exit(result.status ?? 1);

/**
 * cdktf writes HCL without indentation; `terraform fmt` makes it the canonical form people edit
 * after leaving CDKTF (infra/README.md, "The CDKTF exit path"), so `terraform fmt -check` passes.
 */
function formatHcl(synthArgs) {
  const at = Math.max(synthArgs.indexOf('--output'), synthArgs.indexOf('-o'));
  const outdir = at >= 0 ? synthArgs[at + 1] : 'cdktf.out';
  const stacks = join(outdir ?? 'cdktf.out', 'stacks');
  const fmt = spawnSync('terraform', ['fmt', '-recursive', stacks], { stdio: 'inherit', env });
  if (fmt.error || fmt.status !== 0) {
    process.stderr.write(
      `cdktf: \`terraform fmt\` did not format ${stacks} (${fmt.error?.message ?? `exit ${fmt.status}`}); ` +
        'the HCL is valid but not in canonical form\n',
    );
  }
}
