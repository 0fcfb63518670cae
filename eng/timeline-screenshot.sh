#!/usr/bin/env bash
# Regenerates docs/images/timeline.png: the demo's retried order rendered by corr-timeline --html, photographed by
# headless Chromium (Debian's chromium package). Run from anywhere; needs dotnet and chromium.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
browser="${CHROMIUM_PATH:-$(command -v chromium || command -v chromium-browser || true)}"
[[ -n "$browser" ]] || { echo "chromium is needed: apt-get install chromium" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet run --project src/Correlation.Messaging.Timeline -c Release -- \
  tests/Correlation.Messaging.Timeline.Tests/TestData/demo-sample.log --id 47eaa099 --html "$work/flow.html" > /dev/null
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,1100 \
  --screenshot="$work/timeline.png" "file://$work/flow.html" 2> /dev/null
mkdir -p docs/images
cp "$work/timeline.png" docs/images/timeline.png
echo "wrote docs/images/timeline.png"
