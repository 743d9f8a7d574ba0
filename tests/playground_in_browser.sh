#!/usr/bin/env bash
# The playground page in headless Chromium (Debian's package) driven by Playwright (playwright-core
# from npm, pinned in tests/browser/package.json; no browser download): spiral, play, learn, pause,
# screenshot, and the page's CLI command reproduces its final validation loss — once in English,
# once in Chinese (the second screenshot gets `-zh` before `.png`); then seven pages open in one
# browser, the seventh trains (seven_tabs.mjs).
# Usage: tests/playground_in_browser.sh PATH/TO/plaindnn [SCREENSHOT.png]
set -euo pipefail
bin=$(realpath "${1:?usage: $0 PATH/TO/plaindnn [SCREENSHOT.png]}")
shot=$(realpath -m "${2:-$(dirname "$bin")/../playground.png}")
export CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$CHROMIUM" ] || { echo "playground_in_browser: chromium is not installed (apt-get install chromium)"; exit 1; }
cd "$(dirname "$0")/browser"
if [ ! -d node_modules/playwright-core ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --silent
fi
passed=0 failed=0
for lang in en zh; do
  out=$shot
  [ "$lang" = en ] || out=${shot%.png}-$lang.png
  if node playground.mjs "$bin" "$out" "$lang"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
if node seven_tabs.mjs "$bin"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
echo "playground_in_browser: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
