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
  concurrency?: { group: string; 'cancel-in-progress': unknown };
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

  it('has concurrency groups (the workflow or each deploying job)', () => {
    const workflow = load(path);
    const groups = [
      workflow.concurrency?.group,
      ...Object.values(workflow.jobs).map(
        (j) => (j as { concurrency?: { group: string } }).concurrency?.group,
      ),
    ];
    expect(groups.filter(Boolean).length).toBeGreaterThan(0);
  });
});

describe('ci.yml', () => {
  const ci = () => load('.github/workflows/ci.yml');
  const runs = () => steps(ci()).map((s) => s.run ?? '');

  it('runs on pull requests and pushes to main, cancelling superseded pull-request runs', () => {
    expect(Object.keys(ci().on).sort()).toEqual(['pull_request', 'push']);
    expect(ci().on.push).toEqual({ branches: ['main'] });
    expect(ci().concurrency?.['cancel-in-progress']).toBe(expression("github.event_name == 'pull_request'"));
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
  const jobs = () => deploy().jobs as Record<string, Job & { if?: string; concurrency?: { group: string } }>;
  const run = (job: string) => (jobs()[job]?.steps ?? []).map((s) => s.run ?? '').join('\n');

  it('runs only after ci succeeded for a push to main, or by hand from main; never on its own push', () => {
    expect(deploy().on).toEqual({
      workflow_run: { workflows: ['ci'], types: ['completed'], branches: ['main'] },
      workflow_dispatch: expect.objectContaining({}),
    });
    expect(deploy().on.push).toBeUndefined();
    const gate = jobs().gate?.if ?? '';
    for (const condition of [
      "github.event.workflow_run.conclusion == 'success'",
      "github.event.workflow_run.event == 'push'",
      "github.event.workflow_run.head_branch == 'main'",
      'github.event.workflow_run.head_repository.full_name == github.repository',
      "github.event_name == 'workflow_dispatch' && github.ref == 'refs/heads/main'",
    ]) {
      expect(gate).toContain(condition);
    }
    // The gate script checks the commit's ci run again (a dispatch has no workflow_run).
    expect(run('gate').trim()).toBe('bash infra/scripts/release-gate.sh');
    for (const job of ['build', 'staging', 'production-plan', 'production']) {
      expect(jobs()[job]?.needs, job).toContain('gate');
    }
  });

  it('builds the commit CI passed, once; staging, then a production plan, then the approved apply', () => {
    const { build, staging } = jobs();
    expect(build?.if).toBe("needs.gate.outputs.build == 'true'");
    expect(build?.environment).toBeUndefined();
    expect(build?.steps[0]?.with?.ref).toBe(expression('needs.gate.outputs.sha'));
    expect(staging?.needs).toEqual(['gate', 'build']);
    expect(staging?.environment).toBe('staging');
    expect(jobs()['production-plan']?.needs).toEqual(['gate', 'staging']);
    expect(jobs()['production-plan']?.environment).toBe('production-plan');
    expect(jobs().production?.needs).toEqual(['gate', 'production-plan']);
    expect(jobs().production?.environment).toBe('production');
    expect(run('build')).toContain('npm run build');
    for (const job of ['staging', 'production-plan', 'production']) {
      expect(run(job), job).not.toMatch(/npm run build|scripts\/cdktf\.mjs|pnpm /);
    }
  });

  it('never applies blind: plan -out, the plan in the job summary, exactly that plan applied', () => {
    const all = read('.github/workflows/deploy.yml');
    expect(all).not.toContain('-auto-approve');
    expect(run('staging')).toContain('terraform plan -out=staging.tfplan');
    expect(run('staging')).toContain('terraform show -no-color staging.tfplan');
    expect(run('staging')).toContain('terraform apply staging.tfplan');
    const plan = run('production-plan');
    expect(plan).toContain('terraform plan -out=production.tfplan');
    expect(plan).toMatch(/terraform show -no-color production\.tfplan.*>> "\$GITHUB_STEP_SUMMARY"/s);
    expect(plan).not.toContain('terraform apply');
    // The approved job applies the uploaded plan, after checking it is the one shown.
    expect(run('production')).toContain('sha256sum --check --strict production.tfplan.sha256');
    expect(run('production')).toContain('terraform apply production.tfplan');
    expect(run('production')).not.toContain('terraform plan');
    const uploaded = jobs()['production-plan']?.steps.find((s) =>
      s.uses?.startsWith('actions/upload-artifact@'),
    );
    const downloaded = jobs().production?.steps.filter((s) =>
      s.uses?.startsWith('actions/download-artifact@'),
    );
    expect(downloaded?.map((s) => s.with?.name)).toContain(uploaded?.with?.name);
  });

  it('a production run waiting for approval does not hold up staging (concurrency per environment)', () => {
    expect(deploy().concurrency).toBeUndefined();
    expect(jobs().staging?.concurrency).toEqual({ group: 'deploy-staging', 'cancel-in-progress': false });
    for (const job of ['production-plan', 'production']) {
      expect(jobs()[job]?.concurrency).toEqual({ group: 'deploy-production', 'cancel-in-progress': false });
    }
  });

  it('the artifact: checksums cover every file (the deployed zip, lock files), init is -lockfile=readonly', () => {
    const build = run('build');
    expect(build).toContain('providers lock');
    expect(build).toContain(
      'find infra/cdktf.out smoke/smoke.parquet -type f -print0 | sort -z | xargs -0 sha256sum | tee SHA256SUMS',
    );
    expect(build).toContain('cmp packages/lambda/dist/lambda.zip');
    const upload = jobs().build?.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with?.['include-hidden-files']).toBe(true);
    expect(upload?.with?.name).toBe(`release-${expression('needs.gate.outputs.sha')}`);
    for (const job of ['staging', 'production-plan', 'production']) {
      expect(run(job), job).toContain('sha256sum --check --strict SHA256SUMS');
      expect(run(job), job).toContain('terraform init -lockfile=readonly');
      const download = jobs()[job]?.steps.find((s) => s.with?.name === upload?.with?.name);
      // A rollback downloads the earlier run's artifact: nothing is rebuilt.
      expect(download?.with?.['run-id'], job).toBe(expression('needs.gate.outputs.release_run_id'));
    }
  });

  it('uses OIDC (id-token: write only where AWS is used), never long-lived keys', () => {
    const { build, gate } = jobs();
    expect(build?.permissions).toBeUndefined();
    expect(gate?.permissions).toEqual({ contents: 'read', actions: 'read' });
    for (const job of ['staging', 'production-plan', 'production']) {
      expect(jobs()[job]?.permissions).toEqual({ contents: 'read', actions: 'read', 'id-token': 'write' });
      const credentials = jobs()[job]?.steps.find((s) =>
        s.uses?.startsWith('aws-actions/configure-aws-credentials@'),
      );
      expect(credentials?.with?.['role-to-assume']).toBe(expression('vars.AWS_DEPLOY_ROLE_ARN'));
      expect(Object.keys(credentials?.with ?? {})).not.toContain('aws-access-key-id');
    }
    expect(read('.github/workflows/deploy.yml')).not.toMatch(/secrets\.AWS_/);
  });

  it('checks the account quota before planning, and smoke-tests staging before production', () => {
    expect(run('staging')).toContain(
      'bash infra/scripts/preflight.sh release/infra/cdktf.out/stacks/lakeload-staging',
    );
    expect(run('production-plan')).toContain(
      'bash infra/scripts/preflight.sh release/infra/cdktf.out/stacks/lakeload-production',
    );
    expect(run('staging')).toContain(
      'bash infra/scripts/smoke-test.sh release/infra/cdktf.out/stacks/lakeload-staging release/smoke/smoke.parquet',
    );
  });

  it('the deploy scripts are valid bash', () => {
    for (const script of ['smoke-test.sh', 'preflight.sh', 'release-gate.sh']) {
      const check = spawnSync('bash', ['-n', `${repoRoot}infra/scripts/${script}`], { encoding: 'utf8' });
      expect(check.stderr, script).toBe('');
      expect(check.status, script).toBe(0);
    }
  });
});

describe('infra/README.md set-up of the deploy roles', () => {
  const readme = () => read('infra/README.md');

  it("pins each role's OIDC trust to the environment and to deploy.yml on main (not just the environment)", () => {
    // The default subject `repo:<o>/<r>:environment:<env>` names no branch: the template adds the workflow ref.
    expect(readme()).toContain(
      '"token.actions.githubusercontent.com:sub": "repo:<owner>/<repo>:environment:<env>:job_workflow_ref:<owner>/<repo>/.github/workflows/deploy.yml@refs/heads/main"',
    );
    expect(readme()).toContain('include_claim_keys[]=job_workflow_ref');
    expect(readme()).toContain('"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"');
  });

  it('names every environment deploy.yml uses, each limited to main by a deployment branch policy', () => {
    const environments = Object.values(load('.github/workflows/deploy.yml').jobs)
      .map((job) => job.environment)
      .filter((e): e is string => typeof e === 'string');
    expect(environments.sort()).toEqual(['production', 'production-plan', 'staging']);
    const setup = readme().slice(readme().indexOf('Set up once'));
    for (const environment of environments) expect(setup).toContain(`\`${environment}\``);
    expect(setup).toContain('branch policy "Selected branches: main"');
  });
});
