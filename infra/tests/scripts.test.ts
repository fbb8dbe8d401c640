import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The deploy scripts run for real (bash, jq) against stand-ins for the AWS CLI and terraform on PATH:
// AWS is the only thing mocked.

const scripts = fileURLToPath(new URL('../scripts/', import.meta.url));

/** A bin dir with `aws` and `terraform` stand-ins; `aws` runs the given bash body ($* = its args). */
function fakeBin(awsBody: string): { bin: string; state: string } {
  const root = mkdtempSync(join(tmpdir(), 'lakeload-fake-aws-'));
  const bin = join(root, 'bin');
  const state = join(root, 'state');
  mkdirSync(bin);
  mkdirSync(state);
  const write = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\nSTATE=${JSON.stringify(state)}\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  // Counts calls per first two words, so a body can fail the first N of them.
  write(
    'aws',
    `key="$1-$2"; n=$(( $(cat "$STATE/$key" 2>/dev/null || echo 0) + 1 )); echo $n > "$STATE/$key"\n${awsBody}`,
  );
  write('terraform', 'for last; do :; done; echo "out-$last"');
  return { bin, state };
}

function run(script: string, args: string[], bin: string, env: Record<string, string> = {}) {
  const result = spawnSync('bash', [join(scripts, script), ...args], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('smoke-test.sh', () => {
  const parquet = () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lakeload-smoke-')), 'smoke.parquet');
    writeFileSync(file, 'PAR1');
    return file;
  };
  const fast = { SMOKE_POLL_SECONDS: '0', SMOKE_RETRIES: '3' };

  it('survives a transient AWS error (retried, not fatal) and passes when the ledger says loaded', () => {
    const { bin } = fakeBin(`
case "$1 $2" in
  "s3api put-object") [ "$n" -ge 2 ] || { echo "An error occurred (SlowDown)" >&2; exit 255; } ;;
  "redshift-data execute-statement") echo stmt-1 ;;
  "redshift-data describe-statement") [ "$n" -ge 2 ] && echo FINISHED || { echo "throttled" >&2; exit 255; } ;;
  "redshift-data get-statement-result") echo loaded ;;
esac`);
    const result = run('smoke-test.sh', ['stack', parquet()], bin, { ...fast, SMOKE_TIMEOUT_SECONDS: '30' });
    expect(result.stderr).toContain('attempt 1 failed, retrying');
    expect(result.stdout).toContain('smoke test passed: s3://out-bucket_name/smoke/');
    expect(result.status).toBe(0);
  });

  it('gives up at the deadline even while a statement never finishes', () => {
    const { bin } = fakeBin(`
case "$1 $2" in
  "redshift-data execute-statement") echo stmt-1 ;;
  "redshift-data describe-statement") echo STARTED ;;
  "sqs get-queue-attributes") echo "ATTRIBUTES 0" ;;
esac`);
    const started = Date.now();
    const result = run('smoke-test.sh', ['stack', parquet()], bin, { ...fast, SMOKE_TIMEOUT_SECONDS: '3' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no ledger row');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('fails (exit 1) when the loader records a failure', () => {
    const { bin } = fakeBin(`
case "$1 $2" in
  "redshift-data execute-statement") echo stmt-1 ;;
  "redshift-data describe-statement") echo FINISHED ;;
  "redshift-data get-statement-result") echo failed ;;
esac`);
    const result = run('smoke-test.sh', ['stack', parquet()], bin, { ...fast, SMOKE_TIMEOUT_SECONDS: '30' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the loader recorded a failure');
  });
});

describe('preflight.sh (reserved concurrency against the account quota)', () => {
  const stack = (reserved: number | undefined) => {
    const dir = mkdtempSync(join(tmpdir(), 'lakeload-preflight-'));
    const fn = {
      function_name: 'lakeload-production-loader',
      ...(reserved ? { reserved_concurrent_executions: reserved } : {}),
    };
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify({ resource: { aws_lambda_function: { f: fn } } }));
    return dir;
  };
  const account = (limit: number, unreserved: number, current = 'None') =>
    fakeBin(`
case "$1 $2" in
  "lambda get-account-settings") echo '{"AccountLimit":{"ConcurrentExecutions":${limit},"UnreservedConcurrentExecutions":${unreserved}}}' ;;
  "lambda get-function-concurrency") echo ${current} ;;
esac`).bin;

  it('fails before the apply on a new account (quota 10), naming the quota and the config switch', () => {
    const result = run('preflight.sh', [stack(20)], account(10, 10));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('would leave -10 unreserved executions');
    expect(result.stderr).toContain('L-B99A9384');
    expect(result.stderr).toContain('lambda.reservedConcurrency');
  });

  it('passes when 100 stay unreserved, counting the reservation the function already holds', () => {
    expect(run('preflight.sh', [stack(20)], account(1000, 1000)).status).toBe(0);
    // 110 unreserved now + its own 20 back − 20 = 110.
    expect(run('preflight.sh', [stack(20)], account(130, 110, '20')).status).toBe(0);
    expect(run('preflight.sh', [stack(20)], account(115, 115)).status).toBe(1);
  });

  it('has nothing to check without a reservation (staging)', () => {
    const result = run('preflight.sh', [stack(undefined)], account(10, 10));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('reserves no concurrency');
  });
});

describe('release-gate.sh (deploy only a green commit of main)', () => {
  /** A `gh` stand-in: answers `gh api <path> --jq …` from a table of path → printed answer. */
  const gate = (answers: Record<string, string>, env: Record<string, string>) => {
    const root = mkdtempSync(join(tmpdir(), 'lakeload-fake-gh-'));
    const cases = Object.entries(answers)
      .map(([path, answer]) => `  ${JSON.stringify(path)}) printf '%b\\n' ${JSON.stringify(answer)} ;;`)
      .join('\n');
    writeFileSync(
      join(root, 'gh'),
      `#!/usr/bin/env bash\ncase "$2" in\n${cases}\n  *) echo "unexpected gh $*" >&2; exit 1 ;;\nesac\n`,
    );
    chmodSync(join(root, 'gh'), 0o755);
    const output = join(root, 'output');
    writeFileSync(output, '');
    const result = run('release-gate.sh', [], root, {
      GITHUB_REPOSITORY: 'acme/lakeload',
      GITHUB_RUN_ID: '500',
      GITHUB_OUTPUT: output,
      ...env,
    });
    return { ...result, outputs: readFileSync(output, 'utf8') };
  };
  const ci = (sha: string) =>
    `repos/acme/lakeload/actions/workflows/ci.yml/runs?head_sha=${sha}&branch=main&event=push&status=success`;

  it('deploys a commit whose ci run on main succeeded, building its release in this run', () => {
    const result = gate({ [ci('abc')]: '1' }, { EVENT_NAME: 'workflow_run', HEAD_SHA: 'abc' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.outputs).toBe('sha=abc\nrelease_run_id=500\nbuild=true\n');
  });

  it('refuses a commit without a green ci run (a manual dispatch cannot skip CI)', () => {
    const result = gate({ [ci('abc')]: '0' }, { EVENT_NAME: 'workflow_dispatch', HEAD_SHA: 'abc' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('has no successful ci run from a push to main');
    expect(result.outputs).toBe('');
  });

  it('rolls back to an earlier run: its commit and its artifact, nothing rebuilt', () => {
    const result = gate(
      {
        'repos/acme/lakeload/actions/runs/321': '.github/workflows/deploy.yml\tmain\told1',
        'repos/acme/lakeload/actions/runs/321/artifacts': '1',
        [ci('old1')]: '2',
      },
      { EVENT_NAME: 'workflow_dispatch', HEAD_SHA: 'new9', RELEASE_RUN_ID: '321' },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.outputs).toBe('sha=old1\nrelease_run_id=321\nbuild=false\n');
  });

  it('refuses a rollback to a run of another branch or another workflow', () => {
    const other = gate(
      { 'repos/acme/lakeload/actions/runs/321': '.github/workflows/deploy.yml\tfeature\told1' },
      { EVENT_NAME: 'workflow_dispatch', HEAD_SHA: 'new9', RELEASE_RUN_ID: '321' },
    );
    expect(other.status).toBe(1);
    expect(other.stderr).toContain('deployed feature, not main');
    const ciRun = gate(
      { 'repos/acme/lakeload/actions/runs/321': '.github/workflows/ci.yml\tmain\told1' },
      { EVENT_NAME: 'workflow_dispatch', HEAD_SHA: 'new9', RELEASE_RUN_ID: '321' },
    );
    expect(ciRun.status).toBe(1);
    expect(ciRun.stderr).toContain('is not a deploy run');
  });
});
