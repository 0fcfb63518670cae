#!/usr/bin/env bash
# Tests of eng/summarize-trx.sh against fabricated TRX files: every way a run can go wrong without a failed test
# (crashed host, aborted run, zero tests, executed < total, below the minimum, skipped under CI) must give a non-zero
# failed count and a failing exit, and the last line must always be `N passed, N failed, N skipped`.
# Prints one line per case and, last, `N passed, N failed, 0 skipped` for these cases; exits non-zero on any failure.
#
#   eng/summarize-trx.test.sh        (also run by eng/test.sh before the .NET test projects)
set -uo pipefail

SUMMARIZE="${SUMMARIZE:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/summarize-trx.sh}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
LAST_LINE_RE='^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$'

# trx NAME OUTCOME TOTAL EXECUTED PASSED FAILED NOT_EXECUTED
trx() {
  cat >"$dir/$1.trx" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<TestRun id="00000000-0000-0000-0000-000000000000" name="fabricated" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
  <ResultSummary outcome="$2">
    <Counters total="$3" executed="$4" passed="$5" failed="$6" error="0" timeout="0" aborted="0" inconclusive="0" passedButRunAborted="0" notRunnable="0" notExecuted="$7" disconnected="0" warning="0" completed="0" inProgress="0" pending="0" />
  </ResultSummary>
</TestRun>
EOF
}

minimums() { printf '# project minimum\n' >"$dir/minimums.txt"; printf '%s %s\n' "$@" >>"$dir/minimums.txt"; }

ok=0 bad=0
# expect NAME WANT_EXIT(0|fail) WANT_FAILED(number|+) ARGS... : WANT_FAILED "+" means "at least 1"
expect() {
  local name="$1" want_exit="$2" want_failed="$3"; shift 3
  local out code last failed_count
  out="$("$SUMMARIZE" "$@" 2>"$dir/stderr")"; code=$?
  last="$(tail -n 1 <<<"$out")"
  failed_count="$(sed -n 's/^[0-9]* passed, \([0-9]*\) failed, .*/\1/p' <<<"$last")"
  local why=""
  [[ "$last" =~ $LAST_LINE_RE ]] || why="last line '$last' is not 'N passed, N failed, N skipped'"
  if [[ -z "$why" ]]; then
    if [[ "$want_exit" == 0 && $code -ne 0 ]]; then why="exit $code, wanted 0"; fi
    if [[ "$want_exit" == fail && $code -eq 0 ]]; then why="exit 0, wanted a failure"; fi
    if [[ "$want_failed" == + && "${failed_count:-0}" -lt 1 ]]; then why="'$last' says 0 failed"; fi
    if [[ "$want_failed" != + && "$failed_count" != "$want_failed" ]]; then why="'$last': wanted $want_failed failed"; fi
  fi
  if [[ -z "$why" ]]; then
    ok=$((ok + 1)); echo "ok   $name: $last"
  else
    bad=$((bad + 1)); echo "FAIL $name: $why"; sed 's/^/       /' "$dir/stderr"
  fi
}

case_dir() { dir="$work/$1"; mkdir -p "$dir"; }

case_dir healthy
trx A Completed 3 3 3 0 0; trx B Completed 2 2 2 0 0; minimums A 3 B 2
expect "two complete projects at their minimums pass" 0 0 --minimums "$dir/minimums.txt" "$dir" A=0 B=0
[[ "$("$SUMMARIZE" "$dir" A=0 B=0 2>/dev/null)" == "5 passed, 0 failed, 0 skipped" ]] \
  && { ok=$((ok + 1)); echo "ok   counts are summed: 5 passed, 0 failed, 0 skipped"; } \
  || { bad=$((bad + 1)); echo "FAIL counts are not summed to 5 passed"; }

case_dir crashed
trx A Completed 3 3 3 0 0
expect "a started project without a TRX (crashed host) fails" fail + "$dir" A=0 B=134

case_dir aborted
trx A Failed 10 4 4 0 0
expect "a TRX with outcome Failed and no failed test (aborted run) fails" fail + "$dir" A=1

case_dir aborted-completed-exit
trx A Aborted 10 10 10 0 0
expect "a TRX with outcome Aborted fails even when the counters look complete" fail + "$dir" A=0

case_dir nonzero-exit
trx A Completed 3 3 3 0 0
expect "dotnet test exiting non-zero with a clean TRX fails" fail + "$dir" A=1

case_dir zero-tests
trx A Completed 0 0 0 0 0; trx B Completed 2 2 2 0 0
expect "a project with 0 tests discovered fails" fail + "$dir" A=0 B=0

case_dir executed-less-than-total
trx A Completed 10 8 8 0 0
expect "executed < total with nothing skipped fails" fail + "$dir" A=0

case_dir below-minimum
trx A Completed 540 540 540 0 0; minimums A 589
expect "fewer tests than the checked-in minimum fails" fail + --minimums "$dir/minimums.txt" "$dir" A=0

case_dir no-minimum
trx A Completed 3 3 3 0 0; trx B Completed 3 3 3 0 0; minimums A 3
expect "a project missing from the minimums file fails" fail + --minimums "$dir/minimums.txt" "$dir" A=0 B=0

case_dir skipped
trx A Completed 10 9 9 0 1
expect "a skipped test outside CI is reported, not failed" 0 0 "$dir" A=0
expect "a skipped test under CI fails" fail + --ci "$dir" A=0

case_dir real-failure
trx A Failed 10 10 8 2 0
expect "failed tests are counted as they are" fail 2 "$dir" A=1

case_dir filtered
trx A Completed 0 0 0 0 0; trx B Completed 1 1 1 0 0; minimums A 3 B 3
expect "with a filter, 0 tests in one project and the minimums do not apply" 0 0 --filtered --minimums "$dir/minimums.txt" "$dir" A=0 B=0

case_dir nothing
expect "no project at all fails" fail + "$dir"

case_dir truncated
printf '<?xml version="1.0"?><TestRun><ResultSummary outcome="InProgress">' >"$dir/A.trx"
expect "a TRX without counters fails" fail + "$dir" A=0

echo "$ok passed, $bad failed, 0 skipped"
[[ $bad -eq 0 ]]
