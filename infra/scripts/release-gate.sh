#!/usr/bin/env bash
# The deploy workflow's gate: which commit to deploy and which run's release artifact to use, and
# a refusal unless that commit is on main with a green CI run (a push to main, not a pull request).
#
# Inputs (environment): GITHUB_REPOSITORY, GITHUB_RUN_ID, GITHUB_OUTPUT (set by Actions);
#   EVENT_NAME   workflow_run | workflow_dispatch
#   HEAD_SHA     the commit (workflow_run: the CI run's head_sha; dispatch: github.sha of main)
#   RELEASE_RUN_ID  optional (dispatch): redeploy the artifact of that earlier deploy run (rollback)
# Outputs: sha, release_run_id (the run holding release-<sha>), build (true when this run builds it).
# Needs the GitHub CLI with GH_TOKEN (actions: read).
set -euo pipefail

repo=${GITHUB_REPOSITORY:?} run_id=${GITHUB_RUN_ID:?} out=${GITHUB_OUTPUT:?}
event=${EVENT_NAME:?} sha=${HEAD_SHA:?} release_run=${RELEASE_RUN_ID:-}
fail() { echo "::error::$1" >&2; exit 1; }

build=true
if [[ -n $release_run ]]; then
  [[ $event == workflow_dispatch ]] || fail "release_run_id is only for a manual (workflow_dispatch) rollback"
  [[ $release_run =~ ^[0-9]+$ ]] || fail "release_run_id must be a run id (digits), got: $release_run"
  read -r path branch sha < <(gh api "repos/$repo/actions/runs/$release_run" \
    --jq '[.path, .head_branch, .head_sha] | @tsv')
  [[ $path == .github/workflows/deploy.yml ]] || fail "run $release_run is not a deploy run ($path)"
  [[ $branch == main ]] || fail "run $release_run deployed $branch, not main"
  artifacts=$(gh api "repos/$repo/actions/runs/$release_run/artifacts" \
    --jq "[.artifacts[] | select(.name == \"release-$sha\" and .expired == false)] | length")
  ((artifacts > 0)) || fail "run $release_run has no unexpired artifact release-$sha: roll back with git revert instead"
  build=false
else
  release_run=$run_id
fi

green=$(gh api "repos/$repo/actions/workflows/ci.yml/runs?head_sha=$sha&branch=main&event=push&status=success" \
  --jq '.total_count')
((green > 0)) || fail "commit $sha has no successful ci run from a push to main: nothing is deployed"

{
  echo "sha=$sha"
  echo "release_run_id=$release_run"
  echo "build=$build"
} >>"$out"
echo "deploying $sha with the release artifact of run $release_run (build here: $build)"
