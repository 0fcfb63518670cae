#!/usr/bin/env bash
# The one test command: brings the brokers up (natively, or with docker compose where a Docker engine works),
# builds, packs the libraries, runs every test project, and prints `N passed, N failed, N skipped`.
#
#   eng/test.sh                 everything
#   eng/test.sh --filter X      passes a test filter to dotnet test
#
# With CI set (CI=true, CI=1 or CI=yes all mean the same), warnings are errors, the libraries are packed, and a skipped
# test (a broker that did not run) fails the run. The second-to-last line names the broker mode and the filter; the last
# line is `N passed, N failed, N skipped` (eng/summarize-trx.sh: a crashed test host, a project with no or too few tests
# (eng/test-minimums.txt), or tests that did not run are failures too, never "0 failed").
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

RESULTS_DIR="$REPO_ROOT/artifacts/test-results"
PACKAGES_DIR="$REPO_ROOT/artifacts/packages"
rm -rf "$RESULTS_DIR"
mkdir -p "$RESULTS_DIR" "$PACKAGES_DIR"

log() { echo "[test] $*" >&2; }

# CI=true, CI=1 and CI=yes (any case) mean CI; normalised to CI=true for MSBuild and the test fixtures.
case "${CI:-}" in
  [Tt][Rr][Uu][Ee] | 1 | [Yy][Ee][Ss]) export CI=true; is_ci=1 ;;
  *) is_ci=0 ;;
esac

log "starting brokers"
eng/brokers.sh up
eval "$(eng/brokers.sh env)"

log "installing independent interop clients (kcat, AWS SDK for JavaScript v3)"
if ! command -v kcat >/dev/null; then
  if command -v apt-get >/dev/null; then
    (apt-get install -y -qq kcat >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat; }) >&2
  else
    log "kcat is missing and apt-get is not available: install kcat to run the Kafka interop tests"
  fi
fi
eng/sqs-interop/install.sh >&2

# corr-timeline's page is tested in Debian's Chromium (driven by Playwright, which never downloads a browser here).
# Without it the browser tests fail in CI; elsewhere they are skipped.
if ! command -v chromium >/dev/null; then
  if command -v apt-get >/dev/null; then
    log "installing chromium for corr-timeline's browser tests"
    (apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }) >&2
  else
    log "chromium is missing and apt-get is not available: corr-timeline's browser tests fail in CI"
  fi
fi

log "building"
if ! dotnet build Messaging.sln -c Release -nologo -clp:ErrorsOnly; then
  log "build failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

if [[ $is_ci -eq 1 ]]; then
  log "packing libraries"
  rm -f "$PACKAGES_DIR"/*.nupkg "$PACKAGES_DIR"/*.snupkg
  if ! dotnet pack Messaging.sln -c Release --no-build -nologo -o "$PACKAGES_DIR" >/dev/null; then
    log "packing failed"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
  fi
  ls "$PACKAGES_DIR" >&2
fi

log "testing the test summary itself (eng/summarize-trx.test.sh)"
summary_tests_line="$(eng/summarize-trx.test.sh | tee /dev/stderr | tail -n 1)" || true

log "testing"
user_filter=0
for arg in "$@"; do [[ "$arg" == "--filter" || "$arg" == --filter=* ]] && user_filter=1; done
mapfile -t test_projects < <(dotnet sln Messaging.sln list | grep -E '\.Tests\.csproj$' | tr '\\' '/')
runs=()
for proj in "${test_projects[@]}"; do
  name="$(basename "$proj" .csproj)"
  log "running $name"
  code=0
  dotnet test "$proj" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$RESULTS_DIR" "$@" || code=$?
  runs+=("$name=$code")
done

summary_args=(--minimums eng/test-minimums.txt)
[[ $is_ci -eq 1 ]] && summary_args+=(--ci)
[[ $user_filter -eq 1 ]] && summary_args+=(--filtered)
[[ $is_ci -eq 1 && $user_filter -eq 1 ]] && log "CI with a test filter: tests left out by the filter are not counted; CI runs everything"

modes=()
for b in rabbitmq kafka sqs; do modes+=("$b=$(cat "eng/.run/$b.mode" 2>/dev/null || echo unknown)"); done
filter_text="none"
[[ $user_filter -eq 1 ]] && filter_text="$*"
echo "brokers: ${modes[*]}; filter: $filter_text; CI: $([[ $is_ci -eq 1 ]] && echo yes || echo no)"

status=0
summary="$(eng/summarize-trx.sh "${summary_args[@]}" "$RESULTS_DIR" "${runs[@]}")" || status=1
read -r passed _ failed _ skipped _ <<<"${summary//,/}"
# The summary's own tests count like any other tests; a CI run with a filter fails.
read -r sp _ sf _ _ _ <<<"${summary_tests_line//,/}"
if [[ ! "$sp" =~ ^[0-9]+$ || ! "$sf" =~ ^[0-9]+$ ]]; then sp=0 sf=1; fi
passed=$((passed + sp)) failed=$((failed + sf))
if [[ $is_ci -eq 1 && $user_filter -eq 1 ]]; then failed=$((failed + 1)); fi
[[ $failed -gt 0 ]] && status=1

echo "$passed passed, $failed failed, $skipped skipped"
exit $status
