import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readLambdaPackage } from '../src/lambda-package.js';
import { testBundle } from './helpers/synth.js';
import { findTerraform, terraform } from './helpers/terraform.js';

const infraDir = fileURLToPath(new URL('../', import.meta.url));

/** Runs the real cdktf-cli (through scripts/cdktf.mjs) as CI does; returns its outcome. */
function cdktfSynth(extraEnv: Record<string, string>, args: string[] = []) {
  const output = mkdtempSync(join(tmpdir(), 'lakeload-cdktf-'));
  const result = spawnSync(process.execPath, ['scripts/cdktf.mjs', 'synth', '--output', output, ...args], {
    cwd: infraDir,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', ...extraEnv },
  });
  return { output, status: result.status, log: `${result.stdout}\n${result.stderr}` };
}

/** The one asset file of a synthesized stack. */
function assetOf(stackDir: string): Buffer {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(join(stackDir, 'assets'));
  expect(files).toHaveLength(1);
  return readFileSync(files[0] ?? '');
}

describe('cdktf synth (the real CLI; terraform only to check the HCL it formats)', () => {
  beforeAll(() => {
    if (!existsSync(join(infraDir, 'dist', 'main.js'))) {
      throw new Error('infra/dist/main.js is missing: run `pnpm --filter @lakeload/infra run build` first');
    }
  });

  it('synthesizes both stacks, each carrying the bundle it was given, with the S3 state backend', () => {
    const bundle = testBundle().bundlePath;
    // An unset GitHub variable arrives as an empty string: the region falls back to the default.
    const run = cdktfSynth({
      LAKELOAD_LAMBDA_BUNDLE: bundle,
      LAKELOAD_TF_STATE_BUCKET: 'lakeload-test-state',
      LAKELOAD_TF_STATE_REGION: '',
    });
    expect(run.status, run.log).toBe(0);
    const manifest = JSON.parse(readFileSync(join(run.output, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual(['lakeload-production', 'lakeload-staging']);
    for (const stack of ['lakeload-staging', 'lakeload-production']) {
      const dir = join(run.output, 'stacks', stack);
      const json = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8'));
      const count = Object.values(json.resource as Record<string, object>).reduce(
        (n, r) => n + Object.keys(r).length,
        0,
      );
      expect(count).toBe(63);
      expect(assetOf(dir).equals(readFileSync(bundle))).toBe(true);
      expect(json.terraform.backend).toEqual({
        s3: {
          bucket: 'lakeload-test-state',
          region: 'eu-west-1',
          key: `lakeload/${stack}.tfstate`,
          encrypt: true,
          use_lockfile: true,
        },
      });
    }
  });

  it('writes HCL with --hcl (the exit path to plain Terraform)', () => {
    const run = cdktfSynth({ LAKELOAD_LAMBDA_BUNDLE: testBundle().bundlePath }, ['--hcl']);
    expect(run.status, run.log).toBe(0);
    const hcl = readFileSync(join(run.output, 'stacks', 'lakeload-staging', 'cdk.tf'), 'utf8');
    expect(hcl).toContain('resource "aws_redshiftserverless_workgroup"');
    expect(hcl).toContain('resource "aws_lambda_function"');
    // The wrapper formats the HCL; tests/terraform.test.ts validates it.
    findTerraform();
    const check = terraform(['fmt', '-check', '-recursive', join(run.output, 'stacks')], run.output);
    expect(check.status, check.output).toBe(0);
  });

  it('fails with the fix when the bundle is missing', () => {
    const run = cdktfSynth({ LAKELOAD_LAMBDA_BUNDLE: join(tmpdir(), 'no-such-dir', 'lambda.zip') });
    expect(run.status).not.toBe(0);
    expect(run.log).toContain('Build @lakeload/lambda first');
  });

  it('by default embeds packages/lambda/dist/lambda.zip, or fails saying to build it', () => {
    const { bundlePath } = readLambdaPackage();
    const run = cdktfSynth({});
    if (existsSync(bundlePath)) {
      expect(run.status, run.log).toBe(0);
      const asset = assetOf(join(run.output, 'stacks', 'lakeload-staging'));
      expect(asset.equals(readFileSync(bundlePath))).toBe(true);
    } else {
      // Only reachable outside turbo: `turbo run test` builds @lakeload/lambda first (infra/turbo.json).
      expect(run.status).not.toBe(0);
      expect(run.log).toContain(`Lambda bundle not found at ${bundlePath}`);
    }
  });
});
