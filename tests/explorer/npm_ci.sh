#!/usr/bin/env bash
# Install playwright-core (tests/explorer/package-lock.json) into DIR for the browser test.
# Outside CI a machine without the npm registry (offline) skips the browser test instead of
# failing the suite: DIR/OFFLINE tells run_browser_test.sh so. In CI (CI=true) it fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$1
mkdir -p "$dir"
rm -f "$dir/OFFLINE"
cp "$here/package.json" "$here/package-lock.json" "$here/browser_test.mjs" "$dir/"
cd "$dir"
[ -d node_modules/playwright-core ] && exit 0
if npm ci --no-audit --no-fund; then
  exit 0
fi
if [ "${CI:-}" = true ]; then
  echo "npm ci failed (playwright-core from the npm registry): the browser test cannot run" >&2
  exit 1
fi
echo "npm ci failed (no npm registry reachable?): the browser test will be skipped (CI=true makes this an error)" | tee OFFLINE
exit 0
