// Measures the bundle as deployed: its zipped size, and how long a fresh Node process takes to load
// the handler module (the init phase's share that is ours), median of several runs. Not a test:
// timings depend on the machine. Run after `pnpm build`:
//
//   node scripts/measure.mjs [runs]
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';

const root = fileURLToPath(new URL('..', import.meta.url));
const { lakeload } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const zipPath = join(root, lakeload.bundle);
const runs = Number(process.argv[2] ?? 7);

const dir = await mkdtemp(join(tmpdir(), 'lakeload-measure-'));
try {
  for (const [name, bytes] of Object.entries(unzipSync(readFileSync(zipPath)))) {
    await writeFile(join(dir, name), bytes);
  }
  const [file] = lakeload.handler.split('.');
  const program = `const started = performance.now();
await import(${JSON.stringify(join(dir, `${file}.mjs`))});
process.stdout.write(String(performance.now() - started));`;
  const env = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'eu-west-1',
    LAKELOAD_WAREHOUSE_URL: 'redshift-data://workgroup/lakeload/analytics',
    LAKELOAD_COPY_ROLE_ARN: 'arn:aws:iam::123456789012:role/lakeload-copy',
    LAKELOAD_MANIFEST_PREFIX: 's3://lake-bucket/_lakeload/manifests/',
    LAKELOAD_SNS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:lakeload-loads',
  };
  const times = [];
  for (let run = 0; run < runs; run++) {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', program], {
      encoding: 'utf8',
      env,
    });
    if (child.status !== 0) throw new Error(`loading the bundle failed:\n${child.stderr}`);
    times.push(Number(child.stdout));
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const zipped = statSync(zipPath).size;
  console.log(
    JSON.stringify(
      {
        bundle: lakeload.bundle,
        zippedBytes: zipped,
        zippedMiB: Number((zipped / 2 ** 20).toFixed(3)),
        moduleLoadMs: { median: Number(median.toFixed(1)), min: Number(times[0].toFixed(1)), runs },
        node: process.version,
        arch: process.arch,
      },
      null,
      2,
    ),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
