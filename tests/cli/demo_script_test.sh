#!/usr/bin/env bash
# scripts/demo.sh run twice (./quickstart.sh demo, then again): the second run keeps the first
# one's results and whatever the user put beside them, instead of replacing them with --force.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/cartsim" <<'EOS'
#!/bin/sh
# stand-in: `cartsim demo -o DIR` refuses a non-empty DIR (as the real one does without --force)
[ "$1" = demo ] && [ "$2" = -o ] || exit 2
for a in "$@"; do [ "$a" = --force ] && { echo "unexpected --force" >&2; exit 2; }; done
[ -d "$3" ] && [ -n "$(ls -A "$3")" ] && { echo "not empty" >&2; exit 4; }
mkdir -p "$3" && date +%s%N > "$3/report.html"
EOS
chmod +x "$tmp/cartsim"
fail() { echo "FAIL: $*"; ls -R "$tmp"; exit 1; }
run() { CARTSIM_BIN="$tmp/cartsim" DEMO_OUT="$tmp/results/demo" "$repo/scripts/demo.sh"; }
run >/dev/null || fail "first run"
first=$(cat "$tmp/results/demo/report.html")
echo "the user's notes" > "$tmp/results/demo/notes.txt"
msg=$(run) || fail "second run: $msg"
kept=$(ls -d "$tmp"/results/demo.* 2>/dev/null) || fail "nothing kept"
[ "$(cat "$kept/report.html")" = "$first" ] || fail "the first report is not kept"
[ -f "$kept/notes.txt" ] || fail "the user's file is not kept"
[ ! -e "$tmp/results/demo/notes.txt" ] || fail "the new results are mixed with the old"
[[ $msg == *"kept in $kept"* ]] || fail "says where: $msg"
run >/dev/null || fail "third run"
[ "$(ls -d "$tmp"/results/demo.* | wc -l)" -eq 2 ] || fail "each earlier demo is kept"
echo ok
