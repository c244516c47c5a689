#!/usr/bin/env bash
# Sweep throughput: a 64-run 1-D sweep on 1 and on 2 ranks, runs per minute and
# the ratio (both measured in this run). Usage: bench/sweep_throughput.sh [build/cartsim]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/cartsim}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 HDF5_USE_FILE_LOCKING=FALSE
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
declare -A rate
for ranks in 1 2; do
  t0=$(date +%s.%N)
  mpirun --oversubscribe -n "$ranks" "$bin" sweep configs/sweeps/lhs.yaml -o "$work/r$ranks" --quiet > /dev/null
  t1=$(date +%s.%N)
  rate[$ranks]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print 64 * 60 / (b - a) }')
  awk -v r="$ranks" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d rank(s): 64 runs in %.1f s = %.0f runs/minute\n", r, b - a, 64 * 60 / (b - a) }'
done
awk -v one="${rate[1]}" -v two="${rate[2]}" 'BEGIN { printf "speed-up 2 vs 1 ranks: %.2fx\n", two / one }'
