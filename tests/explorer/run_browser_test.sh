#!/usr/bin/env bash
# The browser test, or exit 77 (skipped) when npm_ci.sh could not install playwright-core
# outside CI (an offline machine): NODE node_modules-dir EXPLORER_DIR SCREENSHOT.png
set -euo pipefail
node=$1 dir=$2
if [ -f "$dir/OFFLINE" ]; then
  echo "browser test skipped: $(cat "$dir/OFFLINE")"
  exit 77
fi
exec "$node" "$dir/browser_test.mjs" "$3" "$4"
