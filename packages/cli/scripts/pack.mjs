// Packs the CLI as one npm package that installs with `npm install -g <file>` on a machine with
// only Node and npm: the workspace packages it runs on (private, never published) travel inside
// the tarball as bundled dependencies, each as its built dist/ in the layout it has here (the
// converter's worker, the dashboard's page and the Lambda zip are found next to their code); the
// third-party packages they import become the package's own dependencies, which npm installs.
//
//   node scripts/pack.mjs   (run by `pnpm build` after tsc)  →  dist/lakeload-<version>.tgz
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cliRoot = fileURLToPath(new URL('..', import.meta.url));
const packagesRoot = join(cliRoot, '..');
const readManifest = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const cli = readManifest(cliRoot);

// The workspace packages the CLI needs at run time, and every third-party dependency of theirs.
const bundled = new Map();
const dependencies = new Map();
const visit = (manifest) => {
  for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
    if (range.startsWith('workspace:')) {
      if (bundled.has(name)) continue;
      const dir = join(packagesRoot, name.replace('@lakeload/', ''));
      const dependency = readManifest(dir);
      if (dependency.name !== name) throw new Error(`${dir} holds ${dependency.name}, not ${name}`);
      bundled.set(name, { dir, manifest: dependency });
      visit(dependency);
    } else {
      const other = dependencies.get(name);
      if (other !== undefined && other.range !== range) {
        throw new Error(
          `${name} is wanted as ${other.range} by ${other.by} and as ${range} by ${manifest.name}`,
        );
      }
      dependencies.set(name, { range, by: manifest.name });
    }
  }
};
visit(cli);

// Source maps and declarations point into sources the package does not carry.
const shipped = (source) => !/\.(d\.ts|d\.ts\.map|js\.map)$/.test(source);

const stage = mkdtempSync(join(tmpdir(), 'lakeload-pack-'));
try {
  cpSync(join(cliRoot, 'dist'), join(stage, 'dist'), {
    recursive: true,
    filter: (source) => shipped(source) && !source.endsWith('.tgz'),
  });
  for (const [name, { dir, manifest }] of bundled) {
    const target = join(stage, 'node_modules', name);
    cpSync(join(dir, 'dist'), join(target, 'dist'), { recursive: true, filter: shipped });
    // Its dependencies are the top package's: npm installs them once, where Node finds them from here.
    const { dependencies: _own, devDependencies: _dev, scripts: _scripts, ...rest } = manifest;
    writeFileSync(join(target, 'package.json'), `${JSON.stringify(rest, null, 2)}\n`);
  }
  const manifest = {
    name: 'lakeload',
    version: cli.version,
    description: cli.description,
    type: 'module',
    bin: cli.bin,
    engines: { node: '>=20' },
    // npm packs a bundled dependency only when it is a dependency as well.
    dependencies: Object.fromEntries(
      [
        ...[...dependencies].map(([name, { range }]) => [name, range]),
        ...[...bundled].map(([name, { manifest: bundledManifest }]) => [name, bundledManifest.version]),
      ].sort(([a], [b]) => (a < b ? -1 : 1)),
    ),
    bundleDependencies: [...bundled.keys()].sort(),
  };
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(
    join(stage, 'README.md'),
    '# lakeload\n\nFiles landing in S3 become upserted, queryable warehouse tables, exactly once. Run `lakeload --help`.\n',
  );
  const packed = spawnSync('npm', ['pack', '--silent', '--pack-destination', join(cliRoot, 'dist')], {
    cwd: stage,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (packed.error || packed.status !== 0) {
    throw new Error(`npm pack failed: ${packed.error?.message ?? `exit ${packed.status}`}`);
  }
  process.stdout.write(`packed dist/${packed.stdout.trim()}\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
