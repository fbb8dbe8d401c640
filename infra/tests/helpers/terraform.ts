import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Terraform for the tests: `fmt`, `validate` and `test` with `mock_provider "aws"` need no credentials.
 *
 * Provider: GitHub CI installs the pinned Terraform and lets `terraform init` fetch the pinned
 * hashicorp/aws (6.x) from the registry. These machines have no registry access, only a cached
 * provider in a plugin directory ($LAKELOAD_TF_PLUGIN_DIR, default /opt/tf-plugins). When that
 * cache lacks the pinned version, the tests check a COPY of each stack whose `required_providers`
 * constraint is rewritten to the cached version (see {@link localRewrites}); the synthesized stacks
 * themselves are never changed. Everything this cannot check is listed in infra/README.md
 * ("What the local Terraform checks cannot see").
 */
export interface TerraformSetup {
  readonly version: string;
  /** Where `terraform init -plugin-dir` finds providers; undefined: the registry (CI). */
  readonly pluginDir: string | undefined;
  /** The hashicorp/aws versions in the plugin dir. */
  readonly cachedAwsVersions: readonly string[];
}

const env = {
  ...process.env,
  CHECKPOINT_DISABLE: '1',
  TF_IN_AUTOMATION: '1',
  TF_INPUT: '0',
  // The registry path (CI): one download shared by every init.
  TF_PLUGIN_CACHE_DIR: process.env.TF_PLUGIN_CACHE_DIR ?? join(tmpdir(), 'lakeload-tf-plugin-cache'),
};

/** Runs terraform; returns the exit status and both streams. */
export function terraform(
  args: readonly string[],
  cwd: string,
): { status: number | null; stdout: string; output: string } {
  const result = spawnSync('terraform', [...args, '-no-color'], { cwd, env, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, output: `${result.stdout}\n${result.stderr}` };
}

/** Finds Terraform and the provider cache; throws (never skips) when Terraform is missing. */
export function findTerraform(path: string | undefined = process.env.PATH): TerraformSetup {
  const probe = spawnSync('terraform', ['version', '-json'], {
    env: { ...env, PATH: path },
    encoding: 'utf8',
  });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'terraform is not on PATH: these tests run `terraform fmt`, `validate` and `test` on the synthesized ' +
        'stacks and cannot pass without it. Install Terraform ≥ 1.10 (CI installs the pinned version with ' +
        'hashicorp/setup-terraform).',
    );
  }
  const version = (JSON.parse(probe.stdout) as { terraform_version: string }).terraform_version;
  mkdirSync(env.TF_PLUGIN_CACHE_DIR, { recursive: true });
  const candidate = process.env.LAKELOAD_TF_PLUGIN_DIR || '/opt/tf-plugins';
  const awsDir = join(candidate, 'registry.terraform.io', 'hashicorp', 'aws');
  if (!existsSync(awsDir)) return { version, pluginDir: undefined, cachedAwsVersions: [] };
  const cachedAwsVersions = readdirSync(awsDir).sort(compareVersions);
  return { version, pluginDir: candidate, cachedAwsVersions };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** One change made to the local copy so the cached provider accepts it, with the reason. */
export interface Rewrite {
  readonly from: string;
  readonly to: string;
  readonly why: string;
}

/**
 * What the local copy changes when the plugin dir lacks the pinned provider: the version constraint,
 * and the Lambda runtime `nodejs24.x`, which the 5.x schema's runtime enum does not know yet (it
 * ends at nodejs22.x; 6.x added nodejs24.x). Empty when the pinned provider is available (CI).
 */
export function localRewrites(setup: TerraformSetup, pinned: string): Rewrite[] {
  if (!setup.pluginDir || setup.cachedAwsVersions.includes(pinned)) return [];
  const cached = setup.cachedAwsVersions.at(-1);
  if (!cached) throw new Error(`${setup.pluginDir} holds no hashicorp/aws provider`);
  const rewrites: Rewrite[] = [
    {
      from: `"${pinned}"`,
      to: `"${cached}"`,
      why: `required_providers: only hashicorp/aws ${cached} is cached here (no registry access)`,
    },
  ];
  if (Number(cached.split('.')[0]) < 6) {
    rewrites.push({
      from: '"nodejs24.x"',
      to: '"nodejs22.x"',
      why: `the ${cached} schema rejects runtime nodejs24.x (added in hashicorp/aws 6.x)`,
    });
  }
  return rewrites;
}

/** Copies a synthesized stack to a fresh dir, applies the rewrites, and runs `terraform init`. */
export function prepareStack(
  source: string,
  setup: TerraformSetup,
  rewrites: readonly Rewrite[],
  extraFiles: Readonly<Record<string, string>> = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'lakeload-tf-'));
  cpSync(source, dir, { recursive: true });
  for (const file of ['cdk.tf.json', 'cdk.tf']) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    let text = readFileSync(path, 'utf8');
    for (const rewrite of rewrites) {
      if (!text.includes(rewrite.from)) throw new Error(`${file}: nothing to rewrite for ${rewrite.from}`);
      text = text.replaceAll(rewrite.from, rewrite.to);
    }
    writeFileSync(path, text);
  }
  for (const [name, content] of Object.entries(extraFiles)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const init = terraform(
    ['init', '-backend=false', ...(setup.pluginDir ? [`-plugin-dir=${setup.pluginDir}`] : [])],
    dir,
  );
  if (init.status !== 0) throw new Error(`terraform init failed in ${dir}:\n${init.output}`);
  return dir;
}
