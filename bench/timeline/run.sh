#!/usr/bin/env bash
# corr-timeline's scan benchmark: finding one flow (throughput) and listing the flows (peak memory) on generated logs,
# with `grep -F <id>` and `jq` on the same files in the same run. Prints each run, then the median and the range.
#   bench/timeline/run.sh [DIR=artifacts/timeline-bench] [SIZE_MB=1024] [RUNS=5]
# The logs are generated once (bench/timeline/generate-logs.cs) and read from the page cache (a warm-up read first).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
dir="${1:-artifacts/timeline-bench}"
size="${2:-1024}"
runs="${3:-5}"
command -v jq >/dev/null || { echo "jq is needed for the comparison (apt-get install jq)" >&2; exit 1; }

dotnet build src/Correlation.Messaging.Timeline -c Release -nologo -clp:ErrorsOnly >&2
tool=(dotnet src/Correlation.Messaging.Timeline/bin/Release/net10.0/Correlation.Messaging.Timeline.dll)
data="$dir/logs-${size}mb"
if [[ ! -f "$data/.done" ]]; then
  dotnet run -c Release bench/timeline/generate-logs.cs -- "$data" "$size" 1000 200 | tee "$data.txt" >&2
  touch "$data/.done"
fi
id="$(grep -o '[0-9a-f-]\{36\}$' "$data.txt")"
bytes="$(cat "$data"/*.log | wc -c)"
echo "data: $((bytes / 1000000)) MB in $(ls "$data"/*.log | wc -l) files; flow searched: $id; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$data"/*.log > /dev/null # into the page cache

measure() { # name, then the command; prints "name seconds peak-KB"
  local name="$1"; shift
  /usr/bin/time -f "$name %e %M" "$@" > /dev/null 2> >(tail -n 1 >> "$results") || true
  sleep 0.2
}

results="$(mktemp)"
for ((i = 1; i <= runs; i++)); do
  measure find "${tool[@]}" "$data" --id "$id"
  measure grep grep -rF "$id" "$data"
  measure jq jq -c --arg id "$id" 'select(.correlation_id == $id or .labels.correlation_id == $id or any(.Scopes[]?; .correlation_id? == $id))' "$data"/*.log
done
for ((i = 1; i <= (runs + 1) / 2; i++)); do
  measure list "${tool[@]}" "$data"
done
sleep 0.5
cat "$results"
python3 - "$results" "$bytes" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 3]
size = int(sys.argv[2]) / 1e6
for name in ["find", "grep", "jq", "list"]:
    t = sorted(float(r[1]) for r in rows if r[0] == name)
    m = sorted(int(r[2]) / 1024 for r in rows if r[0] == name)
    if not t:
        continue
    med = statistics.median(t)
    print(f"{name:5} n={len(t)}  time median {med:.2f} s (min {t[0]:.2f}, max {t[-1]:.2f})  {size / med:.0f} MB/s  "
          f"peak RSS median {statistics.median(m):.0f} MB (min {m[0]:.0f}, max {m[-1]:.0f})")
PY
rm -f "$results"
