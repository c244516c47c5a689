#!/usr/bin/env bash
# bench/run_benchmarks.py given no cartsim, or a program that writes no run file:
# one line `run_benchmarks: error: ...` (exit 2, exit 1), no traceback, and its
# scratch directory removed (it used to be left in /tmp on every failure).
# Usage: bad_cartsim.sh PYTHON REPO
set -u
py=$1 repo=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/scratch"
fail=0
check() { # want_rc want_text args...
  local want=$1 text=$2; shift 2
  TMPDIR=$tmp/scratch "$py" "$repo/bench/run_benchmarks.py" --quick "$@" > /dev/null 2> "$tmp/err"
  local rc=$?
  if [ "$rc" != "$want" ] || [ "$(wc -l < "$tmp/err")" != 1 ] || ! grep -q "^run_benchmarks: error: $text" "$tmp/err"; then
    echo "FAIL $*: exit $rc (want $want), stderr:"; cat "$tmp/err"; fail=1
  fi
  if [ -n "$(ls -A "$tmp/scratch")" ]; then
    echo "FAIL $*: scratch left behind: $(ls "$tmp/scratch")"; fail=1
  fi
}
check 2 "no cartsim executable at /nonexistent/cartsim" --cartsim /nonexistent/cartsim
check 1 ".*Unable to open file" --cartsim /bin/true
[ $fail = 0 ] && echo "bench errors: ok"
exit $fail
