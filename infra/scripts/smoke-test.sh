#!/usr/bin/env bash
# Smoke test of a deployed stack: upload one small Parquet file under smoke/<run>/lakeload_smoke/
# (so it loads into its own table, lakeload_smoke) and wait until the loader's ledger
# (lakeload_load_history) records it. Deletes the object afterwards.
#
# Usage: smoke-test.sh <terraform stack dir (initialised)> <file.parquet>
# Needs the AWS CLI v2 and terraform on PATH, and credentials that may put/delete objects in the
# bucket and run Data API statements with the Redshift admin secret (the deploy role).
set -euo pipefail

stack_dir=${1:?usage: smoke-test.sh <stack dir> <file.parquet>}
parquet=${2:?usage: smoke-test.sh <stack dir> <file.parquet>}
timeout_s=${SMOKE_TIMEOUT_SECONDS:-600}
[[ -f $parquet ]] || { echo "smoke test: $parquet does not exist" >&2; exit 2; }

output() { terraform -chdir="$stack_dir" output -raw "$1"; }
bucket=$(output bucket_name)
workgroup=$(output workgroup_name)
database=$(output database)
secret=$(output admin_secret_arn)
dlq=$(output dead_letter_queue_url)

run="${GITHUB_RUN_ID:-local}-${GITHUB_RUN_ATTEMPT:-1}-$(date +%s)"
key="smoke/${run}/lakeload_smoke/$(basename "$parquet")"
uri="s3://${bucket}/${key}"
aws s3api put-object --bucket "$bucket" --key "$key" --body "$parquet" >/dev/null
trap 'aws s3 rm "$uri" >/dev/null || true' EXIT
echo "uploaded $uri; waiting up to ${timeout_s}s for its ledger row"

sql='SELECT status FROM lakeload_load_history WHERE object_uri = :uri'
parameters="[{\"name\":\"uri\",\"value\":\"${uri}\"}]"
deadline=$(($(date +%s) + timeout_s))
while (($(date +%s) < deadline)); do
  id=$(aws redshift-data execute-statement --workgroup-name "$workgroup" --database "$database" \
    --secret-arn "$secret" --sql "$sql" --parameters "$parameters" --query Id --output text)
  while :; do
    status=$(aws redshift-data describe-statement --id "$id" --query Status --output text)
    case $status in FINISHED | FAILED | ABORTED) break ;; esac
    sleep 2
  done
  # FAILED before the first load is expected: the loader creates the ledger table on first use.
  if [[ $status == FINISHED ]]; then
    statuses=$(aws redshift-data get-statement-result --id "$id" --query 'Records[*][0].stringValue' \
      --output text | tr '\t' '\n')
    if grep -qx loaded <<<"$statuses"; then
      echo "smoke test passed: $uri is loaded"
      exit 0
    fi
    if grep -qx failed <<<"$statuses"; then
      echo "smoke test FAILED: the loader recorded a failure for $uri (see the dead letters / Lambda logs)" >&2
      exit 1
    fi
  fi
  sleep 15
done

echo "smoke test FAILED: no ledger row for $uri after ${timeout_s}s. Dead-letter queue:" >&2
aws sqs get-queue-attributes --queue-url "$dlq" --attribute-names ApproximateNumberOfMessages --output text >&2
exit 1
