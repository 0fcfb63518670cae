#!/usr/bin/env bash
# Sums the TRX files of a test run into the one line CI reads: `N passed, N failed, N skipped` (always the last line).
# It never prints "0 failed" when something did not run: every run-level problem adds one to the failed count and logs
# why on stderr.
#
#   eng/summarize-trx.sh [--ci] [--filtered] [--minimums FILE] RESULTS_DIR NAME=EXIT_CODE...
#
# NAME=EXIT_CODE: one per test project that was started (the TRX is RESULTS_DIR/NAME.trx; EXIT_CODE is dotnet test's).
# --ci        skipped tests fail the run (and count as one failure).
# --filtered  a test filter was given: the per-project minimums and the zero-tests rule do not apply.
# --minimums  lines `NAME MINIMUM` (# comments allowed): a project with fewer tests than its minimum, or started but not
#             listed, fails.
#
# Run-level failures (each adds 1 to "failed"):
#   - no TRX for a started project (the test host crashed or never started);
#   - a TRX whose ResultSummary outcome is not Completed while no test in it failed (aborted or crashed host);
#   - dotnet test exited non-zero while no test in its TRX failed;
#   - 0 tests discovered; tests in `total` that neither ran nor were skipped (executed < total);
#   - fewer tests than the checked-in minimum, or no minimum for the project;
#   - with --ci: any skipped test.
# Exit code: 0 only when failed = 0.
set -euo pipefail

ci=0 filtered=0 minimums=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --ci) ci=1; shift ;;
    --filtered) filtered=1; shift ;;
    --minimums) minimums="$2"; shift 2 ;;
    --) shift; break ;;
    -*) echo "summarize-trx: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[[ $# -ge 1 ]] || { echo "usage: summarize-trx.sh [--ci] [--filtered] [--minimums FILE] RESULTS_DIR NAME=EXIT..." >&2; exit 2; }
results_dir="$1"; shift

log() { echo "[summary] $*" >&2; }

declare -A minimum=()
if [[ -n "$minimums" ]]; then
  [[ -f "$minimums" ]] || { log "minimums file $minimums not found"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
  while read -r name count _; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    minimum[$name]="$count"
  done <"$minimums"
fi

passed=0 failed=0 skipped=0 projects=0
run_failure() { failed=$((failed + 1)); log "FAILED $*"; }

for entry in "$@"; do
  name="${entry%=*}" exit_code="${entry##*=}"
  projects=$((projects + 1))
  trx="$results_dir/$name.trx"
  if [[ ! -s "$trx" ]]; then
    run_failure "$name: no test results (dotnet test exited $exit_code): the test host crashed or never started"
    continue
  fi

  outcome="$(grep -o '<ResultSummary [^>]*outcome="[^"]*"' "$trx" | head -n 1 | sed 's/.*outcome="\([^"]*\)".*/\1/' || true)"
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)"
  if [[ -z "$counters" ]]; then
    run_failure "$name: the TRX has no counters (outcome '${outcome:-none}'): the run did not finish"
    continue
  fi
  attr() { local v; v="$(sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters")"; echo "${v:-0}"; }
  total=$(attr total) executed=$(attr executed) p=$(attr passed) ne=$(attr notExecuted)
  f=$(($(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted)))
  passed=$((passed + p))
  failed=$((failed + f))
  skipped=$((skipped + ne))

  if [[ "$outcome" != "Completed" && $f -eq 0 ]]; then
    run_failure "$name: run outcome '${outcome:-none}' with no failed test: the test host aborted or crashed"
  elif [[ "$exit_code" != 0 && $f -eq 0 ]]; then
    run_failure "$name: dotnet test exited $exit_code with no failed test in its results"
  fi
  if [[ $total -eq 0 && $filtered -eq 0 ]]; then
    run_failure "$name: 0 tests discovered"
  fi
  # Tests counted in `total` that neither ran (passed/failed) nor were reported skipped: they simply did not run.
  missing=$((total - p - f - ne))
  if [[ $missing -gt 0 ]]; then
    run_failure "$name: $missing of $total tests did not run (executed $executed, passed $p, failed $f, skipped $ne)"
  fi
  if [[ -n "$minimums" && $filtered -eq 0 ]]; then
    if [[ -z "${minimum[$name]:-}" ]]; then
      run_failure "$name: no minimum test count in $(basename "$minimums"): add one"
    elif [[ $total -lt ${minimum[$name]} ]]; then
      run_failure "$name: $total tests, fewer than the checked-in minimum ${minimum[$name]}"
    fi
  fi
done

if [[ $projects -eq 0 ]]; then
  run_failure "no test project ran"
elif [[ $((passed + failed)) -eq 0 ]]; then
  run_failure "no test ran"
fi
if [[ $ci -eq 1 && $skipped -gt 0 ]]; then
  run_failure "CI and $skipped test(s) skipped: a broker or tool the test needs did not run"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
