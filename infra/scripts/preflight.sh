#!/usr/bin/env bash
# Pre-flight of a deploy, before `terraform plan`: checks what Terraform cannot see until apply fails
# halfway. Today: the Lambda's reserved concurrency. Lambda refuses a reservation that leaves fewer
# than 100 unreserved executions in the account ("…decreases account's UnreservedConcurrentExecution
# below its minimum value of [100]"; docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html),
# and new accounts start with a quota of 10.
#
# Usage: preflight.sh <synthesized stack dir (holds cdk.tf.json)>
# Needs the AWS CLI v2 and jq, and credentials allowed lambda:GetAccountSettings and
# lambda:GetFunctionConcurrency.
set -uo pipefail

stack_dir=${1:?usage: preflight.sh <stack dir>}
stack="$stack_dir/cdk.tf.json"
[[ -f $stack ]] || { echo "preflight: $stack does not exist" >&2; exit 2; }
readonly MIN_UNRESERVED=100

function_json=$(jq -c '[.resource.aws_lambda_function // {} | to_entries[] | .value] | first' "$stack")
reserved=$(jq -r '.reserved_concurrent_executions // empty' <<<"$function_json")
name=$(jq -r '.function_name' <<<"$function_json")
if [[ -z $reserved ]]; then
  echo "preflight: $name reserves no concurrency: nothing to check"
  exit 0
fi

if ! settings=$(aws lambda get-account-settings --output json); then
  echo "preflight FAILED: cannot read the account's Lambda settings (lambda:GetAccountSettings)" >&2
  exit 1
fi
limit=$(jq -r '.AccountLimit.ConcurrentExecutions' <<<"$settings")
unreserved=$(jq -r '.AccountLimit.UnreservedConcurrentExecutions' <<<"$settings")
# The function's own current reservation goes back to the pool when it is replaced.
current=$(aws lambda get-function-concurrency --function-name "$name" \
  --query 'ReservedConcurrentExecutions' --output text 2>/dev/null || true)
[[ $current =~ ^[0-9]+$ ]] || current=0

left=$((unreserved + current - reserved))
if ((left < MIN_UNRESERVED)); then
  cat >&2 <<MSG
preflight FAILED: reserving $reserved for $name would leave $left unreserved executions; Lambda needs
at least $MIN_UNRESERVED (account concurrency quota $limit, unreserved now $unreserved, this function
holds $current). Request a higher "Concurrent executions" quota (Service Quotas → AWS Lambda, code
L-B99A9384) of at least $((limit - left + MIN_UNRESERVED)), or set lambda.reservedConcurrency to null
(or lower) in infra/src/config.ts.
MSG
  exit 1
fi
echo "preflight: reserving $reserved for $name leaves $left unreserved (≥ $MIN_UNRESERVED; quota $limit)"
