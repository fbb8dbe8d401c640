import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS, type EnvironmentName } from '../src/config.js';
import { synthDirs } from './helpers/synth.js';
import {
  findTerraform,
  localRewrites,
  prepareStack,
  type Rewrite,
  type TerraformSetup,
  terraform,
} from './helpers/terraform.js';

// Terraform itself judges the synthesized stacks: `fmt` (HCL), `validate` (JSON and HCL of both
// stacks) and `terraform test` with a mocked AWS provider. Without Terraform these tests FAIL (see
// findTerraform); on machines without the pinned provider they run against a rewritten copy
// (helpers/terraform.ts, localRewrites) and say so below.

const terraformTests = fileURLToPath(new URL('./terraform/', import.meta.url));
const PINNED_AWS = '6.25.0';

let setup: TerraformSetup;
let rewrites: Rewrite[];
const prepared: Record<'json' | 'hcl', Partial<Record<EnvironmentName, string>>> = { json: {}, hcl: {} };
let hclSources: Record<EnvironmentName, string>;

/** The .tftest.hcl files for one environment and the shared mocks, as files of the stack copy. */
function testFiles(environment: EnvironmentName): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of ['common.tftest.hcl', `${environment}.tftest.hcl`]) {
    files[join('tests', name)] = readFileSync(join(terraformTests, name), 'utf8');
  }
  for (const name of readdirSync(join(terraformTests, 'mocks'))) {
    files[join('tests', 'mocks', name)] = readFileSync(join(terraformTests, 'mocks', name), 'utf8');
  }
  return files;
}

beforeAll(() => {
  setup = findTerraform();
  rewrites = localRewrites(setup, PINNED_AWS);
  if (rewrites.length > 0) {
    console.warn(
      `terraform ${setup.version}: checking copies rewritten for the cached provider, not the pinned ` +
        `hashicorp/aws ${PINNED_AWS} (CI checks that one):\n${rewrites.map((r) => `  ${r.from} → ${r.to}: ${r.why}`).join('\n')}`,
    );
  }
  const json = synthDirs('json');
  hclSources = synthDirs('hcl');
  for (const environment of ENVIRONMENTS) {
    prepared.json[environment] = prepareStack(json[environment], setup, rewrites, testFiles(environment));
  }
});

it('fails loudly, never skips, where terraform is missing', () => {
  expect(() => findTerraform('/nonexistent')).toThrow(
    /terraform is not on PATH: these tests run `terraform fmt`/,
  );
});

describe.each(ENVIRONMENTS)('%s stack, judged by terraform', (environment) => {
  it('the synthesized HCL parses and `terraform fmt` leaves it canonical (fmt -check passes after)', () => {
    const dir = prepareStack(hclSources[environment], setup, rewrites);
    prepared.hcl[environment] = dir;
    const format = terraform(['fmt', 'cdk.tf'], dir);
    expect(format.status, format.output).toBe(0);
    const check = terraform(['fmt', '-check', '-recursive'], dir);
    expect(check.status, check.output).toBe(0);
  });

  it.each(['json', 'hcl'] as const)('`terraform validate` accepts the %s', (format) => {
    const dir = prepared[format][environment];
    if (!dir) throw new Error(`the ${format} copy was not prepared (see the fmt test)`);
    const result = terraform(['validate', '-json'], dir);
    const report = JSON.parse(result.stdout) as {
      valid: boolean;
      diagnostics: { severity: string; summary: string }[];
    };
    expect(report.valid, result.output).toBe(true);
    // cdktf's HCL writer quotes depends_on entries: a deprecation warning, nothing else is allowed.
    const allowed = format === 'hcl' ? ['Quoted references are deprecated'] : [];
    for (const diagnostic of report.diagnostics) expect(allowed).toContain(diagnostic.summary);
  });

  it('`terraform test` with mock_provider "aws": references resolve, the plan creates what README lists', () => {
    const dir = prepared.json[environment];
    if (!dir) throw new Error('the JSON copy was not prepared');
    const result = terraform(
      ['test', '-filter=tests/common.tftest.hcl', `-filter=tests/${environment}.tftest.hcl`],
      dir,
    );
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(/Success! \d+ passed, 0 failed\./);
  });
});
