#!/usr/bin/env bash
# Smoke test of a deployed stack: upload one small Parquet file under smoke/<run>/lakeload_smoke/
# (so it loads into its own table, lakeload_smoke) and wait until the loader's ledger
# (lakeload_load_history) records it. Deletes the object afterwards.
#
# One deadline (SMOKE_TIMEOUT_SECONDS, default 600) bounds the whole wait, the polling of each
# statement included. A failing AWS call is retried (SMOKE_RETRIES, default 4, with backoff), never
# fatal on its own: only the deadline, a recorded failure, or a call that keeps failing ends the run.
#
# Usage: smoke-test.sh <terraform stack dir (initialised)> <file.parquet>
# Needs the AWS CLI v2 and terraform on PATH, and credentials that may put/delete objects in the
# bucket and run Data API statements with the Redshift admin secret (the deploy role).
set -uo pipefail

stack_dir=${1:?usage: smoke-test.sh <stack dir> <file.parquet>}
parquet=${2:?usage: smoke-test.sh <stack dir> <file.parquet>}
timeout_s=${SMOKE_TIMEOUT_SECONDS:-600}
retries=${SMOKE_RETRIES:-4}
poll_s=${SMOKE_POLL_SECONDS:-15}
[[ -f $parquet ]] || { echo "smoke test: $parquet does not exist" >&2; exit 2; }
deadline=$(($(date +%s) + timeout_s))

# Runs "$@" up to $retries times (1 s, 2 s, 4 s… between attempts, never past the deadline); prints
# its output on success.
retry() {
  local attempt=1 wait=1 out
  while :; do
    if out=$("$@"); then
      printf '%s' "$out"
      return 0
    fi
    if ((attempt >= retries || $(date +%s) + wait >= deadline)); then
      echo "smoke test: gave up after $attempt attempts: $*" >&2
      return 1
    fi
    echo "smoke test: attempt $attempt failed, retrying in ${wait}s: $*" >&2
    sleep "$wait"
    attempt=$((attempt + 1))
    wait=$((wait * 2))
  done
}

output() { retry terraform -chdir="$stack_dir" output -raw "$1"; }
bucket=$(output bucket_name) && workgroup=$(output workgroup_name) && database=$(output database) &&
  secret=$(output admin_secret_arn) && dlq=$(output dead_letter_queue_url) ||
  { echo "smoke test FAILED: cannot read the stack's outputs" >&2; exit 1; }

run="${GITHUB_RUN_ID:-local}-${GITHUB_RUN_ATTEMPT:-1}-$(date +%s)"
key="smoke/${run}/lakeload_smoke/$(basename "$parquet")"
uri="s3://${bucket}/${key}"
retry aws s3api put-object --bucket "$bucket" --key "$key" --body "$parquet" >/dev/null ||
  { echo "smoke test FAILED: cannot upload $uri" >&2; exit 1; }
trap 'aws s3 rm "$uri" >/dev/null 2>&1 || true' EXIT
echo "uploaded $uri; waiting up to ${timeout_s}s for its ledger row"

sql='SELECT status FROM lakeload_load_history WHERE object_uri = :uri'
parameters="[{\"name\":\"uri\",\"value\":\"${uri}\"}]"
while (($(date +%s) < deadline)); do
  status=
  if id=$(retry aws redshift-data execute-statement --workgroup-name "$workgroup" --database "$database" \
    --secret-arn "$secret" --sql "$sql" --parameters "$parameters" --query Id --output text); then
    # The statement's own wait is bounded by the same deadline.
    while (($(date +%s) < deadline)); do
      status=$(retry aws redshift-data describe-statement --id "$id" --query Status --output text) || status=
      case $status in FINISHED | FAILED | ABORTED) break ;; esac
      sleep 2
    done
  fi
  # FAILED before the first load is expected: the loader creates the ledger table on first use.
  if [[ $status == FINISHED ]]; then
    statuses=$(retry aws redshift-data get-statement-result --id "$id" \
      --query 'Records[*][0].stringValue' --output text | tr '\t' '\n') || statuses=
    if grep -qx loaded <<<"$statuses"; then
      echo "smoke test passed: $uri is loaded"
      exit 0
    fi
    if grep -qx failed <<<"$statuses"; then
      echo "smoke test FAILED: the loader recorded a failure for $uri (see the dead letters / Lambda logs)" >&2
      exit 1
    fi
  fi
  sleep "$poll_s"
done

echo "smoke test FAILED: no ledger row for $uri after ${timeout_s}s. Dead-letter queue:" >&2
aws sqs get-queue-attributes --queue-url "$dlq" --attribute-names ApproximateNumberOfMessages --output text >&2 || true
exit 1
