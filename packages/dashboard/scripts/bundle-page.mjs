// Bundles the dashboard page into dist/page: one script (the page's TypeScript with the parts of
// Chart.js it registers), one stylesheet, and the HTML template the server fills in. Nothing is
// fetched from a CDN, so the page works offline.
//
//   node scripts/bundle-page.mjs   (run by `pnpm build` after tsc)
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist', 'page');
await mkdir(out, { recursive: true });

await build({
  // Two entries, app.ts and app.css: their outputs are app.js and app.css.
  entryPoints: [join(root, 'page', 'app.ts'), join(root, 'page', 'app.css')],
  outdir: out,
  entryNames: '[name]',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome120', 'firefox120', 'safari17'],
  minify: true,
  legalComments: 'eof',
  sourcemap: false,
  logLevel: 'warning',
});
await copyFile(join(root, 'page', 'index.html'), join(out, 'index.html'));

const sizes = await Promise.all(
  ['app.js', 'app.css', 'index.html'].map(async (file) => [file, (await stat(join(out, file))).size]),
);
console.log(
  `dashboard page: ${sizes.map(([file, size]) => `${file} ${(size / 1024).toFixed(1)} KiB`).join(', ')}`,
);
