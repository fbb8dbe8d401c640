import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { type BuildAppOptions, buildApp } from '../../src/app.js';
import { ENVIRONMENTS, type EnvironmentName } from '../../src/config.js';
import { readLambdaPackage } from '../../src/lambda-package.js';

/** A synthesized stack: the parsed cdk.tf.json plus where it was written. */
export interface Synthesized {
  readonly dir: string;
  readonly json: TerraformJson;
}

export interface TerraformJson {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, { value: unknown; description?: string }>;
  provider: Record<string, Record<string, unknown>[]>;
  terraform: Record<string, unknown>;
}

/**
 * A stand-in bundle for tests: a real zip (stored, one file) written to a temp dir, so the stacks
 * synthesize whether or not @lakeload/lambda has been built. Metadata still comes from the real
 * packages/lambda/package.json.
 */
export function testBundle(): ReturnType<typeof readLambdaPackage> {
  const dir = mkdtempSync(join(tmpdir(), 'lakeload-infra-bundle-'));
  const bundlePath = join(dir, 'lambda.zip');
  writeFileSync(
    bundlePath,
    fakeZip('index.mjs', 'export const handler = async () => ({ batchItemFailures: [] });\n'),
  );
  return { ...readLambdaPackage(), bundlePath };
}

/** Synthesizes both stacks (like `cdktf synth`, in process) into a temp dir and parses them. */
export function synthAll(
  options: Omit<BuildAppOptions, 'outdir'> = {},
): Record<EnvironmentName, Synthesized> {
  const outdir = mkdtempSync(join(tmpdir(), 'lakeload-infra-synth-'));
  const { app } = buildApp({ bundle: testBundle(), ...options, outdir });
  app.synth();
  const result = {} as Record<EnvironmentName, Synthesized>;
  for (const environment of ENVIRONMENTS) {
    const dir = join(outdir, 'stacks', `lakeload-${environment}`);
    result[environment] = { dir, json: JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) };
  }
  return result;
}

/**
 * Synthesizes both stacks into a temp dir and returns each stack's folder. `hcl`: as
 * `cdktf synth --hcl` does (the CLI tells the app through SYNTH_HCL_OUTPUT), `cdk.tf` instead of
 * `cdk.tf.json`.
 */
export function synthDirs(format: 'json' | 'hcl'): Record<EnvironmentName, string> {
  const outdir = mkdtempSync(join(tmpdir(), `lakeload-infra-${format}-`));
  const previous = process.env.SYNTH_HCL_OUTPUT;
  process.env.SYNTH_HCL_OUTPUT = format === 'hcl' ? 'true' : 'false';
  try {
    buildApp({ bundle: testBundle(), outdir }).app.synth();
  } finally {
    if (previous === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = previous;
  }
  return Object.fromEntries(
    ENVIRONMENTS.map((environment) => [environment, join(outdir, 'stacks', `lakeload-${environment}`)]),
  ) as Record<EnvironmentName, string>;
}

/** All resources of one type, by logical id; fails when there are none. */
export function resources(json: TerraformJson, type: string): Record<string, Record<string, unknown>> {
  const found = json.resource[type];
  if (!found) throw new Error(`no ${type} in the synthesized stack`);
  return found;
}

/** The only resource of a type; fails when there are zero or several. */
export function only(json: TerraformJson, type: string): Record<string, unknown> & { logicalId: string } {
  const entries = Object.entries(resources(json, type));
  if (entries.length !== 1) throw new Error(`expected one ${type}, found ${entries.length}`);
  const [logicalId, body] = entries[0] as [string, Record<string, unknown>];
  return { ...body, logicalId };
}

/** The resource of a type at a construct path below the stack (`data/bucket`); fails when absent. */
export function at(
  json: TerraformJson,
  type: string,
  path: string,
): Record<string, unknown> & { logicalId: string } {
  const entry = Object.entries(resources(json, type)).find(([, body]) => {
    const meta = (body['//'] as { metadata?: { path?: string } } | undefined)?.metadata;
    return meta?.path?.split('/').slice(1).join('/') === path;
  });
  if (!entry) throw new Error(`no ${type} at ${path}`);
  return { ...entry[1], logicalId: entry[0] };
}

/** `${aws_x.id.attr}` — how one resource references another in the synthesized JSON. */
export function ref(type: string, logicalId: string, attribute: string): string {
  return `\${${type}.${logicalId}.${attribute}}`;
}

/** A minimal valid zip archive holding one stored (uncompressed) file. */
function fakeZip(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const fileName = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  const localSize = local.length + fileName.length + data.length;
  const centralSize = central.length + fileName.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(localSize, 16);
  return Buffer.concat([local, fileName, data, central, fileName, end]);
}

/** One statement of a synthesized aws_iam_policy_document. */
export interface SynthStatement {
  sid: string;
  effect: 'Allow' | 'Deny';
  actions: string[];
  resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  condition?: { test: string; variable: string; values: string[] }[];
}

/** Every policy document of a stack, by the data source's logical id. */
export function policyDocuments(json: TerraformJson): Record<string, SynthStatement[]> {
  return Object.fromEntries(
    Object.entries(json.data.aws_iam_policy_document ?? {}).map(([id, doc]) => [
      id,
      doc.statement as SynthStatement[],
    ]),
  );
}

/** The statements of the document a resource's policy attribute points at. */
export function documentOf(json: TerraformJson, value: unknown): SynthStatement[] {
  const match = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(String(value));
  if (!match?.[1]) throw new Error(`policy is not an aws_iam_policy_document: ${String(value)}`);
  const statements = policyDocuments(json)[match[1]];
  if (!statements) throw new Error(`no policy document ${match[1]}`);
  return statements;
}
