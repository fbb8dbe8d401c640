// The deployable artefact as infra receives it: dist/lambda.zip from `pnpm build`. Its contents, its
// imports (Node built-ins only: no DuckDB, no pg), its reproducibility, and the bundled handler
// running in a child process of its own, as the Lambda runtime would load it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  lakeload: { bundle: string; handler: string; runtime: string; architecture: string };
};
const zipPath = join(root, manifest.lakeload.bundle);
const REDSHIFT_ENV = {
  LAKELOAD_WAREHOUSE_URL: 'redshift-data://workgroup/lakeload/analytics',
  LAKELOAD_COPY_ROLE_ARN: 'arn:aws:iam::123456789012:role/lakeload-copy',
  LAKELOAD_MANIFEST_PREFIX: 's3://lake-bucket/_lakeload/manifests/',
  POWERTOOLS_SERVICE_NAME: 'lakeload',
  POWERTOOLS_METRICS_NAMESPACE: 'lakeload',
  AWS_REGION: 'eu-west-1',
};

let dir: string;
let files: Record<string, Uint8Array>;

beforeAll(async () => {
  if (!existsSync(zipPath))
    throw new Error(`${zipPath} is missing: run pnpm --filter @lakeload/lambda build first`);
  files = unzipSync(readFileSync(zipPath));
  dir = await mkdtemp(join(tmpdir(), 'lakeload-bundle-'));
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Loads the bundled module in a fresh Node process and calls the handler, as the runtime does. */
function invoke(env: Record<string, string>, event: unknown) {
  const [file, name] = manifest.lakeload.handler.split('.');
  // Every module the process resolves from here on is recorded: the bundle and Node built-ins only.
  const program = `
    const { registerHooks } = await import('node:module');
    const resolved = [];
    registerHooks({ resolve(specifier, context, next) { resolved.push(specifier); return next(specifier, context); } });
    process.on('exit', () => process.stdout.write('RESOLVED ' + JSON.stringify(resolved) + '\\n'));
    const handler = (await import(${JSON.stringify(join(dir, `${file}.mjs`))}))[${JSON.stringify(name)}];
    const context = { awsRequestId: 'bundle-request', logGroupName: '/aws/lambda/lakeload',
      logStreamName: 'stream', functionName: 'lakeload', getRemainingTimeInMillis: () => 60000 };
    process.stdout.write('RESULT ' + JSON.stringify(await handler(${JSON.stringify(event)}, context)) + '\\n');`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', program], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 30_000,
  });
}

describe('dist/lambda.zip', () => {
  it('holds exactly the handler file and the third-party licences', () => {
    expect(manifest.lakeload).toEqual({
      bundle: 'dist/lambda.zip',
      handler: 'index.handler',
      runtime: 'nodejs24.x',
      architecture: 'arm64',
    });
    expect(Object.keys(files).sort()).toEqual(['THIRD-PARTY-LICENSES.txt', 'index.mjs']);
    const licences = new TextDecoder().decode(files['THIRD-PARTY-LICENSES.txt']);
    expect(licences).toMatch(/@aws-sdk\/client-s3@3\.1175\.0 \(Apache-2\.0\)/);
    expect(licences).toMatch(/@aws-lambda-powertools\/logger@2\.36\.0 \(MIT-0\)/);
  });

  it('imports nothing but Node built-ins: no DuckDB, no pg, no other package left outside', () => {
    const meta = JSON.parse(readFileSync(join(root, 'dist', 'bundle', 'meta.json'), 'utf8')) as {
      outputs: Record<string, { imports: { path: string; kind: string }[] }>;
    };
    const imports = Object.values(meta.outputs).flatMap((output) => output.imports);
    expect(imports.length).toBeGreaterThan(0);
    const builtins = new Set(builtinModules);
    const outside = imports.filter(
      (entry) => !(entry.path.startsWith('node:') && builtins.has(entry.path.slice(5))),
    );
    expect(outside).toEqual([]);
    // And in the code itself, strings included: nothing names them as a module to load.
    const code = new TextDecoder().decode(files['index.mjs']);
    expect(code).not.toMatch(/@duckdb\//);
    expect(code).not.toMatch(/(from|import\(|require\()\s*["'](pg|pg-copy-streams)["']/);
  });

  it('is rebuilt byte for byte from the same sources, in any time zone', async () => {
    const zipOf = async (timeZone: string) => {
      const out = await mkdtemp(join(tmpdir(), 'lakeload-rebuild-'));
      try {
        const build = spawnSync(process.execPath, [join(root, 'scripts', 'bundle.mjs'), '--out', out], {
          encoding: 'utf8',
          env: { ...process.env, TZ: timeZone },
        });
        expect(build.status, build.stderr).toBe(0);
        return createHash('sha256')
          .update(readFileSync(join(out, manifest.lakeload.bundle)))
          .digest('hex');
      } finally {
        await rm(out, { recursive: true, force: true });
      }
    };
    expect(await zipOf('Pacific/Kiritimati')).toBe(await zipOf('America/Los_Angeles'));
  });

  it('loads in a child process and acknowledges an s3:TestEvent through SQS', () => {
    const event = {
      Records: [
        {
          messageId: 'test-event-message',
          eventSource: 'aws:sqs',
          body: JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'lake-bucket' }),
        },
      ],
    };
    const run = invoke(REDSHIFT_ENV, event);
    expect(run.status, run.stderr).toBe(0);
    const result = run.stdout.split('\n').find((line) => line.startsWith('RESULT '));
    expect(JSON.parse(result?.slice('RESULT '.length) ?? 'null')).toEqual({ batchItemFailures: [] });
    const resolved = JSON.parse(
      run.stdout
        .split('\n')
        .find((line) => line.startsWith('RESOLVED '))
        ?.slice('RESOLVED '.length) ?? '[]',
    ) as string[];
    const builtins = new Set(builtinModules);
    expect(resolved[0]).toBe(join(dir, 'index.mjs'));
    expect(resolved.slice(1).filter((specifier) => !builtins.has(specifier.replace(/^node:/, '')))).toEqual(
      [],
    );
    expect(resolved.length).toBeGreaterThan(3);
    const log = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(log.find((line) => line.message === 'record acknowledged without work')).toMatchObject({
      service: 'lakeload',
      function_request_id: 'bundle-request',
    });
  });

  it('fails at load with every problem of a bad environment, and refuses non-Redshift warehouses', () => {
    const empty = invoke({}, {});
    expect(empty.status).not.toBe(0);
    expect(empty.stderr).toContain("LambdaConfigError: lakeload: the function's environment has 3 problems");
    expect(empty.stderr).toContain('LAKELOAD_WAREHOUSE_URL is not set');
    expect(empty.stderr).toContain('LAKELOAD_COPY_ROLE_ARN is not set');
    expect(empty.stderr).toContain('LAKELOAD_MANIFEST_PREFIX is not set');

    const postgres = invoke(
      { ...REDSHIFT_ENV, LAKELOAD_WAREHOUSE_URL: 'postgres://loader@db.internal/analytics' },
      {},
    );
    expect(postgres.status).not.toBe(0);
    expect(postgres.stderr).toContain('names a postgres warehouse, but this bundle loads into redshift only');
  });
});
