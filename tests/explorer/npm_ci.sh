#!/usr/bin/env bash
# Install playwright-core (tests/explorer/package-lock.json) into DIR for the browser test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$1
mkdir -p "$dir"
cp "$here/package.json" "$here/package-lock.json" "$here/browser_test.mjs" "$dir/"
cd "$dir"
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund
