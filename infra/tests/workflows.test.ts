import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(`${repoRoot}${path}`, 'utf8');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  'working-directory'?: string;
}
interface Job {
  needs?: string | string[];
  environment?: string;
  permissions?: Record<string, string>;
  services?: Record<string, { image: string }>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  concurrency: { group: string; 'cancel-in-progress': unknown };
  jobs: Record<string, Job>;
}

const files = ['.github/workflows/ci.yml', '.github/workflows/deploy.yml'] as const;
const load = (path: (typeof files)[number]) => parse(read(path)) as Workflow;
/** A GitHub Actions expression as written in a workflow: `${{ … }}`. */
const expression = (body: string) => `\${{ ${body} }}`;
const steps = (workflow: Workflow) => Object.values(workflow.jobs).flatMap((job) => job.steps);

describe.each(files)('%s', (path) => {
  it('is a valid workflow for the GitHub Actions parser', async () => {
    const result = parseWorkflow({ name: path, content: read(path) }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    expect(result.value).toBeDefined();
    const template = await convertWorkflowTemplate(result.context, result.value ?? ({} as never));
    expect(template.errors ?? []).toEqual([]);
    expect(template.jobs.length).toBeGreaterThan(0);
  });

  it('the parser catches mistakes (so this check can fail)', () => {
    const broken = read(path).replace('runs-on:', 'runs_on:');
    const result = parseWorkflow({ name: path, content: broken }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().length).toBeGreaterThan(0);
  });

  it('pins every action by a full commit SHA, with the version as a comment', () => {
    const lines = read(path)
      .split('\n')
      .filter((line) => /^\s*(- )?uses:/.test(line));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it('grants only read access to contents at the top, and checks out without persisting credentials', () => {
    const workflow = load(path);
    expect(workflow.permissions).toEqual({ contents: 'read' });
    for (const step of steps(workflow).filter((s) => s.uses?.startsWith('actions/checkout@'))) {
      expect(step.with?.['persist-credentials']).toBe(false);
    }
  });

  it('has a concurrency group', () => {
    expect(load(path).concurrency.group).toBeTruthy();
  });
});

describe('ci.yml', () => {
  const ci = () => load('.github/workflows/ci.yml');
  const runs = () => steps(ci()).map((s) => s.run ?? '');

  it('runs on pull requests and pushes to main, cancelling superseded pull-request runs', () => {
    expect(Object.keys(ci().on).sort()).toEqual(['pull_request', 'push']);
    expect(ci().on.push).toEqual({ branches: ['main'] });
    expect(ci().concurrency['cancel-in-progress']).toBe(expression("github.event_name == 'pull_request'"));
  });

  it('installs, builds the Lambda bundle, lints, typechecks, tests with PostgreSQL, and synthesizes', () => {
    expect(ci().jobs.test?.services?.postgres?.image).toBe('postgres:15');
    expect(runs()).toEqual(
      expect.arrayContaining([
        'npm run build',
        'test -s packages/lambda/dist/lambda.zip',
        'npm run lint',
        'pnpm exec turbo run typecheck --output-logs=errors-only',
        'pnpm exec turbo run test --output-logs=new-only',
        'node scripts/cdktf.mjs synth',
      ]),
    );
    const synth = steps(ci()).find((s) => s.run === 'node scripts/cdktf.mjs synth');
    expect(synth?.['working-directory']).toBe('infra');
  });

  it('needs no cloud credentials', () => {
    for (const job of Object.values(ci().jobs)) expect(job.permissions).toBeUndefined();
    expect(steps(ci()).some((s) => s.uses?.startsWith('aws-actions/'))).toBe(false);
  });
});

describe('deploy.yml', () => {
  const deploy = () => load('.github/workflows/deploy.yml');

  it('deploys from main, one run at a time, never cancelling an apply', () => {
    expect(deploy().on.push).toEqual({ branches: ['main'] });
    expect(deploy().concurrency['cancel-in-progress']).toBe(false);
  });

  it('builds once, then staging, then production behind the production environment', () => {
    const { build, staging, production } = deploy().jobs;
    expect(build?.environment).toBeUndefined();
    expect(staging?.needs).toBe('build');
    expect(staging?.environment).toBe('staging');
    expect(production?.needs).toEqual(['build', 'staging']);
    expect(production?.environment).toBe('production');
    expect(build?.steps.map((s) => s.run ?? '')).toContain('npm run build');
    // Only the build job builds or synthesizes.
    for (const job of [staging, production]) {
      const commands = job?.steps.map((s) => s.run ?? '').join('\n') ?? '';
      expect(commands).not.toMatch(/npm run build|scripts\/cdktf\.mjs|pnpm /);
    }
  });

  it('promotes the same artifact: one upload, the same name downloaded and checksum-verified by both deploys', () => {
    const all = steps(deploy());
    const uploads = all.filter((s) => s.uses?.startsWith('actions/upload-artifact@'));
    const downloads = all.filter((s) => s.uses?.startsWith('actions/download-artifact@'));
    expect(uploads).toHaveLength(1);
    expect(downloads).toHaveLength(2);
    for (const download of downloads) expect(download.with?.name).toBe(uploads[0]?.with?.name);
    expect(String(uploads[0]?.with?.path)).toContain('infra/cdktf.out/');
    for (const job of [deploy().jobs.staging, deploy().jobs.production]) {
      expect(job?.steps.map((s) => s.run)).toContain('sha256sum --check SHA256SUMS');
    }
  });

  it('uses OIDC (id-token: write only where AWS is used), never long-lived keys', () => {
    const { build, staging, production } = deploy().jobs;
    expect(build?.permissions).toBeUndefined();
    for (const job of [staging, production]) {
      expect(job?.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
      const credentials = job?.steps.find((s) =>
        s.uses?.startsWith('aws-actions/configure-aws-credentials@'),
      );
      expect(credentials?.with?.['role-to-assume']).toBe(expression('vars.AWS_DEPLOY_ROLE_ARN'));
      expect(Object.keys(credentials?.with ?? {})).not.toContain('aws-access-key-id');
    }
    expect(read('.github/workflows/deploy.yml')).not.toMatch(/secrets\.AWS_/);
  });

  it('smoke-tests staging before production can start', () => {
    const smoke = deploy().jobs.staging?.steps.find((s) => s.run?.includes('smoke-test.sh'));
    expect(smoke?.run).toBe(
      'bash infra/scripts/smoke-test.sh release/infra/cdktf.out/stacks/lakeload-staging release/smoke/smoke.parquet',
    );
  });

  it('the smoke-test script is valid bash', () => {
    const check = spawnSync('bash', ['-n', `${repoRoot}infra/scripts/smoke-test.sh`], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
