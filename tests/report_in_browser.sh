#!/usr/bin/env bash
# Opens a run's report.html in headless Chromium (Debian's package) and checks that every picture
# was laid out with a non-zero size; leaves a screenshot next to the report.
# Usage: tests/report_in_browser.sh PATH/TO/plaindnn
set -euo pipefail
bin=${1:?usage: $0 PATH/TO/plaindnn}
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "report_in_browser: chromium is not installed (apt-get install chromium)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work/profile"' EXIT

"$bin" train --epochs 20 --diagnostics --quiet --out "$work/run"
report="$work/run/report.html"
expected=$(grep -o '<svg ' "$report" | wc -l)
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$work/profile" --window-size=1100,1800)
rendered=$("$browser" "${flags[@]}" --dump-dom "file://$report" 2>/dev/null | grep -o 'data-rendered="[0-9]*"' | grep -o '[0-9]*' || true)
"$browser" "${flags[@]}" --screenshot="$work/run/report.png" "file://$report" >/dev/null 2>&1
[ -s "$work/run/report.png" ] || { echo "report_in_browser: no screenshot"; exit 1; }
if [ "$expected" -ge 4 ] && [ "${rendered:-0}" = "$expected" ]; then
  echo "report.html: $rendered of $expected pictures rendered; screenshot $work/run/report.png"
  echo "report_in_browser: 1 passed, 0 failed"
else
  echo "report.html: ${rendered:-no} of $expected pictures rendered in $report"
  echo "report_in_browser: 0 passed, 1 failed"
  exit 1
fi
