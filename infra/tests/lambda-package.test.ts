import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import {
  LAMBDA_PACKAGE_DIR,
  LambdaBundleError,
  readLambdaPackage,
  requireBundle,
} from '../src/lambda-package.js';
import { only, synthAll } from './helpers/synth.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const lambdaManifest = JSON.parse(readFileSync(join(repoRoot, 'packages/lambda/package.json'), 'utf8'));

function packageDir(manifest: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'lakeload-infra-pkg-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
  return dir;
}

describe('the Lambda package', () => {
  it('by default the bundle is packages/lambda/dist/lambda.zip of this repository', () => {
    expect(LAMBDA_PACKAGE_DIR).toBe(join(repoRoot, 'packages/lambda/'));
    expect(readLambdaPackage().bundlePath).toBe(resolve(repoRoot, 'packages/lambda/dist/lambda.zip'));
  });

  it('handler, runtime and architecture are the ones in the package.json "lakeload" field', () => {
    const meta = lambdaManifest.lakeload;
    expect(readLambdaPackage()).toEqual({
      bundlePath: resolve(repoRoot, 'packages/lambda', meta.bundle),
      handler: meta.handler,
      runtime: meta.runtime,
      architecture: meta.architecture,
    });
  });

  it('the synthesized function uses them', () => {
    const meta = lambdaManifest.lakeload;
    const fn = only(synthAll().staging.json, 'aws_lambda_function');
    expect(fn.handler).toBe(meta.handler);
    expect(fn.runtime).toBe(meta.runtime);
    expect(fn.architectures).toEqual([meta.architecture]);
    expect(fn.filename).toMatch(/^assets\/loader_bundle_[A-F0-9]+\/[A-F0-9]+\/lambda\.zip$/);
    expect(fn.source_code_hash).toBe(`\${filebase64sha256("${fn.filename}")}`);
  });

  it('without the built bundle, synthesis fails saying to build @lakeload/lambda first', () => {
    const bundle = { ...readLambdaPackage(), bundlePath: join(tmpdir(), 'no-such-dir', 'lambda.zip') };
    expect(() => buildApp({ bundle, outdir: mkdtempSync(join(tmpdir(), 'lakeload-infra-')) })).toThrow(
      /Lambda bundle not found at .*no-such-dir\/lambda\.zip\. Build @lakeload\/lambda first/,
    );
    expect(() => requireBundle(bundle)).toThrow(LambdaBundleError);
  });

  it.each([
    ['no "lakeload" field', { name: 'x' }, 'no "lakeload" field'],
    [
      'an empty handler',
      { lakeload: { bundle: 'a.zip', handler: '', runtime: 'nodejs24.x', architecture: 'arm64' } },
      '"lakeload.handler" must be a non-empty string',
    ],
    [
      'an unknown architecture',
      { lakeload: { bundle: 'a.zip', handler: 'i.h', runtime: 'nodejs24.x', architecture: 'sparc' } },
      'must be arm64 or x86_64',
    ],
  ])('rejects a manifest with %s, naming the file', (_label, manifest, message) => {
    const dir = packageDir(manifest);
    expect(() => readLambdaPackage(dir)).toThrow(message);
    expect(() => readLambdaPackage(dir)).toThrow(join(dir, 'package.json'));
  });

  it('rejects a missing manifest', () => {
    expect(() => readLambdaPackage(join(tmpdir(), 'no-such-package'))).toThrow(
      'cannot read the Lambda package manifest',
    );
  });
});
