// Bundles the handler into one ESM file for Lambda (Node 24, arm64) and zips it deterministically:
// the same sources give the same zip bytes, which infra and CI compare.
//
//   node scripts/bundle.mjs              (run by `pnpm build` after tsc)  →  dist/lambda.zip
//   node scripts/bundle.mjs --out <dir>  the same into another folder (the reproducibility test)
//
// The AWS SDK clients are bundled at the versions this repository pins and tests with, instead of
// the copy the Lambda runtime carries: that copy changes with runtime updates, untested here.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { zipSync } from 'fflate';

const root = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const { bundle: zipPath, handler } = manifest.lakeload;
const [handlerFile] = handler.split('.');
const outFlag = process.argv.indexOf('--out');
const outDir = outFlag === -1 ? root : resolve(process.argv[outFlag + 1] ?? '.');
const bundleDir = join(outDir, 'dist', 'bundle');

/**
 * Native or local-warehouse modules. The core's root entry still names them (its `openWarehouse`
 * imports the DuckDB and PostgreSQL dialects on demand), so esbuild resolves them; they are kept
 * external, and the build fails below if any import of them survives tree shaking.
 */
const FORBIDDEN = /^(@duckdb\/|pg$|pg\/|pg-copy-streams$)/;

const forbid = {
  name: 'lakeload-forbidden-modules',
  setup(context) {
    context.onResolve({ filter: FORBIDDEN }, (args) => ({ path: args.path, external: true }));
  },
};

const result = await build({
  entryPoints: [join(root, 'dist', 'lambda.js')],
  outfile: join(bundleDir, `${handlerFile}.mjs`),
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  // Prefer the packages' ESM builds: they tree-shake far better than their CommonJS builds.
  mainFields: ['module', 'main'],
  minify: true,
  // Class and function names survive minification: stack traces in the logs stay readable.
  keepNames: true,
  treeShaking: true,
  legalComments: 'none',
  metafile: true,
  // CommonJS dependencies bundled into ESM still call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __lakeloadCreateRequire } from 'node:module'; const require = __lakeloadCreateRequire(import.meta.url);",
  },
  plugins: [forbid],
  logLevel: 'warning',
});

/**
 * The packages the bundle holds and their licence texts (several licences require the text to travel
 * with the code). Packages with the same text share one copy of it: most of the AWS SDK is Apache-2.0.
 */
async function licences(metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) packages.set(match[1], join(root, input.slice(0, match.index + match[0].length)));
  }
  const byText = new Map();
  for (const name of [...packages.keys()].sort()) {
    const dir = packages.get(name);
    const meta = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    const file = (await readdir(dir)).sort().find((entry) => /^(licen[cs]e|copying)(\.|$)/i.test(entry));
    const text = file
      ? (await readFile(join(dir, file), 'utf8')).replaceAll('\r\n', '\n').trim()
      : `(no licence file in the package; package.json says: ${meta.license ?? 'unknown'})`;
    const names = byText.get(text) ?? [];
    names.push(`${name}@${meta.version} (${meta.license ?? 'unknown'})`);
    byText.set(text, names);
  }
  const sections = [...byText].map(([text, names]) => `${names.join('\n')}\n\n${text}`);
  return `Third-party software bundled in ${handlerFile}.mjs\n\n${sections.join(`\n\n${'-'.repeat(72)}\n\n`)}\n`;
}

const output = Object.values(result.metafile.outputs)[0];
const kept = (output?.imports ?? []).filter((entry) => FORBIDDEN.test(entry.path));
if (kept.length > 0) {
  throw new Error(
    `the bundle would import ${kept.map((entry) => `${entry.path} (${entry.kind})`).join(', ')}: something on the Lambda path reaches the DuckDB or PostgreSQL dialect`,
  );
}

const code = await readFile(join(bundleDir, `${handlerFile}.mjs`));
const notices = new TextEncoder().encode(await licences(result.metafile));
// Fixed times and permissions, fixed order: no build-time state reaches the archive. The date is
// built from local-time fields because ZIP stores local time: the same fields in every time zone.
const fixed = { mtime: new Date(1980, 0, 1, 0, 0, 0), os: 3, attrs: 0o644 << 16, level: 9 };
const zip = zipSync({
  [`${handlerFile}.mjs`]: [code, fixed],
  'THIRD-PARTY-LICENSES.txt': [notices, fixed],
});
const out = join(outDir, zipPath);
await mkdir(dirname(out), { recursive: true });
writeFileSync(out, zip);
writeFileSync(join(bundleDir, 'meta.json'), JSON.stringify(result.metafile));
console.log(
  `${relative(root, out) || out}: ${zip.length} bytes zipped (${handlerFile}.mjs ${code.length} bytes, ${
    Object.keys(result.metafile.inputs).length
  } modules)`,
);
