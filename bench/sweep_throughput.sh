#!/usr/bin/env bash
# Sweep throughput: a sweep (default the 64-run 1-D configs/sweeps/lhs.yaml) on 1 and on 2
# ranks; prints runs per minute, the ratio, and how busy the ranks were (the
# sum of the rows' wall times over ranks x elapsed: what dynamic scheduling
# leaves idle is the tail after the last long row). Not part of ctest.
# Usage: bench/sweep_throughput.sh [build/cartsim] [SWEEP.yaml (default configs/sweeps/lhs.yaml)]
# Relative paths are taken from the caller's directory; the defaults from the repository.
set -euo pipefail
abs() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }
bin=$(abs "${1:-$(dirname "$0")/../build/cartsim}")
spec=$(abs "${2:-$(dirname "$0")/../configs/sweeps/lhs.yaml}")
[ -x "$bin" ] || { echo "sweep_throughput: error: no cartsim executable at $bin (build it, or pass it)" >&2; exit 2; }
rows=$("$bin" sweep --plan "$spec" | sed -n 's/.* design, \([0-9]*\) rows.*/\1/p')
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 HDF5_USE_FILE_LOCKING=FALSE
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
declare -A rate
for ranks in 1 2; do
  t0=$(date +%s.%N)
  mpirun --oversubscribe -n "$ranks" "$bin" sweep "$spec" -o "$work/r$ranks" --quiet > /dev/null
  t1=$(date +%s.%N)
  rate[$ranks]=$(awk -v n="$rows" -v a="$t0" -v b="$t1" 'BEGIN { print n * 60 / (b - a) }')
  # sum and maximum of the wall_seconds column of the summary
  read -r busy longest < <(awk -F, 'NR == 1 { for (i = 1; i <= NF; ++i) if ($i == "wall_seconds") c = i; next }
                                    { s += $c; if ($c > m) m = $c } END { print s, m }' "$work/r$ranks/summary.csv")
  awk -v n="$rows" -v r="$ranks" -v a="$t0" -v b="$t1" -v s="$busy" -v m="$longest" 'BEGIN {
    printf "%d rank(s): %d runs in %.1f s = %.0f runs/minute; ranks busy %.0f%% (longest row %.1f s)\n",
           r, n, b - a, n * 60 / (b - a), 100 * s / (r * (b - a)), m }'
done
awk -v one="${rate[1]}" -v two="${rate[2]}" 'BEGIN { printf "speed-up 2 vs 1 ranks: %.2fx\n", two / one }'
