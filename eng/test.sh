#!/usr/bin/env bash
# The one test command: brings the brokers up (natively, or with docker compose where a Docker engine works),
# builds, packs the libraries, runs every test project, and prints `N passed, N failed, N skipped`.
#
#   eng/test.sh                 everything
#   eng/test.sh --filter X      passes a test filter to dotnet test
#
# With CI=true, warnings are errors, and a skipped test (a broker that did not run) fails the run.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

RESULTS_DIR="$REPO_ROOT/artifacts/test-results"
PACKAGES_DIR="$REPO_ROOT/artifacts/packages"
rm -rf "$RESULTS_DIR"
mkdir -p "$RESULTS_DIR" "$PACKAGES_DIR"

log() { echo "[test] $*" >&2; }

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

log "building"
if ! dotnet build Messaging.sln -c Release -nologo -clp:ErrorsOnly; then
  log "build failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

if [[ "${CI:-}" == "true" ]]; then
  log "packing libraries"
  rm -f "$PACKAGES_DIR"/*.nupkg "$PACKAGES_DIR"/*.snupkg
  if ! dotnet pack Messaging.sln -c Release --no-build -nologo -o "$PACKAGES_DIR" >/dev/null; then
    log "packing failed"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
  fi
  ls "$PACKAGES_DIR" >&2
fi

log "testing"
extra_args=()
if [[ "$(cat eng/.run/kafka.mode 2>/dev/null)" == "docker" && " $* " != *" --filter "* ]]; then
  # A real Kafka has no mock control port: the broker-down fault test needs librdkafka's mock cluster.
  log "Kafka runs in Docker: leaving out tests that need the mock cluster's control port"
  extra_args=(--filter "Requires!=kafka-mock-control")
fi
mapfile -t test_projects < <(dotnet sln Messaging.sln list | grep -E '\.Tests\.csproj$' | tr '\\' '/')
test_exit=0
for proj in "${test_projects[@]}"; do
  name="$(basename "$proj" .csproj)"
  log "running $name"
  if ! dotnet test "$proj" -c Release --no-build -nologo \
      --logger "trx;LogFileName=$name.trx" --results-directory "$RESULTS_DIR" "${extra_args[@]}" "$@"; then
    test_exit=1
  fi
done

passed=0 failed=0 skipped=0 files=0
for trx in "$RESULTS_DIR"/*.trx; do
  [[ -e "$trx" ]] || continue
  files=$((files + 1))
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  attr() { local v; v="$(sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters")"; echo "${v:-0}"; }
  total=$(attr total); executed=$(attr executed); p=$(attr passed); f=$(attr failed)
  passed=$((passed + p))
  failed=$((failed + f + $(attr error) + $(attr timeout) + $(attr aborted)))
  ne=$(attr notExecuted); s=$((total - executed)); ((ne > s)) && s=$ne
  skipped=$((skipped + s))
done

status=0
if [[ $test_exit -ne 0 ]]; then status=1; fi
expected_projects=${#test_projects[@]}
if [[ $files -lt $expected_projects ]]; then
  log "only $files test result files for $expected_projects test projects: a test project did not run"
  status=1
fi
if [[ "${CI:-}" == "true" && $skipped -gt 0 ]]; then
  log "CI=true and $skipped test(s) were skipped: a broker test did not run"
  status=1
fi
if [[ $((passed + failed)) -eq 0 ]]; then
  log "no test ran"
  status=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit $status
