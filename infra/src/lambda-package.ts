import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TerminalError } from '@lakeload/errors';

/** What infra needs to know about the Lambda bundle; read from the Lambda package, never guessed. */
export interface LambdaBundle {
  /** Absolute path of the zip to upload. */
  readonly bundlePath: string;
  readonly handler: string;
  readonly runtime: string;
  readonly architecture: 'arm64' | 'x86_64';
}

/** packages/lambda, next to infra/ in the workspace (src/ and dist/ sit at the same depth). */
export const LAMBDA_PACKAGE_DIR = fileURLToPath(new URL('../../packages/lambda/', import.meta.url));

/** Thrown when the Lambda package's metadata or bundle is missing or malformed. */
export class LambdaBundleError extends TerminalError {
  override readonly name = 'LambdaBundleError';
  static override readonly tip: string =
    'Build the Lambda package first (npm run build), then synthesize again.';
}

function field(meta: Record<string, unknown>, name: string, manifest: string): string {
  const value = meta[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new LambdaBundleError(`${manifest}: "lakeload.${name}" must be a non-empty string`);
  }
  return value;
}

/**
 * Reads the `"lakeload"` field of the Lambda package's package.json: bundle path, handler,
 * runtime and architecture. Does not require the bundle to exist (see {@link requireBundle}).
 */
export function readLambdaPackage(packageDir: string = LAMBDA_PACKAGE_DIR): LambdaBundle {
  const manifest = join(packageDir, 'package.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch (error) {
    throw new LambdaBundleError(`${manifest}: cannot read the Lambda package manifest`, { cause: error });
  }
  const meta = (parsed as { lakeload?: unknown }).lakeload;
  if (typeof meta !== 'object' || meta === null) {
    throw new LambdaBundleError(
      `${manifest}: no "lakeload" field; it must name bundle, handler, runtime and architecture`,
    );
  }
  const record = meta as Record<string, unknown>;
  const architecture = field(record, 'architecture', manifest);
  if (architecture !== 'arm64' && architecture !== 'x86_64') {
    throw new LambdaBundleError(`${manifest}: "lakeload.architecture" must be arm64 or x86_64`);
  }
  const bundle = field(record, 'bundle', manifest);
  return {
    bundlePath: isAbsolute(bundle) ? bundle : resolve(packageDir, bundle),
    handler: field(record, 'handler', manifest),
    runtime: field(record, 'runtime', manifest),
    architecture,
  };
}

/** Fails synthesis with the fix when the bundle has not been built yet. */
export function requireBundle(bundle: LambdaBundle): LambdaBundle {
  if (!existsSync(bundle.bundlePath)) {
    throw new LambdaBundleError(
      `Lambda bundle not found at ${bundle.bundlePath}. Build @lakeload/lambda first: ` +
        '`pnpm --filter @lakeload/lambda run build` (or `npm run build` at the repository root).',
    );
  }
  return bundle;
}
