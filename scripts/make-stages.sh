#!/usr/bin/env bash
# Disease-stage presets: solver states of the untreated reference knee after
# the injury, saved at the days that define each stage (docs/scenarios.md).
#   healthy  day 0     (no damage: no state file, run the config from day 0)
#   early    day 180   aggrecan depleted near the surface, collagen intact, synovitis high
#   moderate day 730   collagen ~0.93, ~6.5 % thickness lost
#   late     day 1460  collagen ~0.86, ~14 % thickness lost
# Usage: scripts/make-stages.sh [DIR]   (default results/stages; existing files are kept
# unless FORCE=1; CARTSIM=path selects the binary, default build/cartsim). Start a run from a stage with `cartsim run ... --from-state DIR/moderate.h5`.
# A DIR or CARTSIM given relative is taken from the directory the script is
# run in; the defaults are in the repository.
# An interrupted history (Ctrl-C, a job's time limit: it leaves a checkpoint
# history.h5.ckpt.N.h5) is continued with --restart; a history or a state that
# is missing otherwise is made again by running the history anew (the states
# it rewrites are the same to the bit).
set -euo pipefail
here=$PWD
absolute() { case $1 in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$here" "$1" ;; esac; }
cd "$(dirname "$0")/.."
bin=build/cartsim
[ -n "${CARTSIM:-}" ] && bin=$(absolute "$CARTSIM")
dir=results/stages
[ -n "${1:-}" ] && dir=$(absolute "$1")
mkdir -p "$dir"
checkpoints() { compgen -G "$dir/history.h5.ckpt.*.h5" > /dev/null; }
mode=(--force) # a new history, rewriting whatever of it is there
if [ "${FORCE:-0}" != 1 ]; then
  if checkpoints && [ -f "$dir/history.h5" ]; then
    mode=(--restart)
  elif [ -f "$dir/history.h5" ] && [ -f "$dir/early.h5" ] && [ -f "$dir/moderate.h5" ] && [ -f "$dir/late.h5" ]; then
    echo "stage states already in $dir: early.h5 moderate.h5 late.h5 (FORCE=1 makes them again)"
    exit 0
  fi
fi
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
history() {
  "$bin" run configs/reference.yaml -o "$dir/history.h5" --quiet "$@" \
    --save-state "180:$dir/early.h5" --save-state "730:$dir/moderate.h5" --save-state "1460:$dir/late.h5"
}
rc=0
history "${mode[@]}" || rc=$?
if [ "$rc" -eq 2 ] && [ "${mode[0]}" = --restart ]; then
  # a state saved before the checkpoint and deleted since: the restart cannot reach its day (exit 2)
  echo "a stage state before the interrupted history's checkpoint is missing: running the history anew" >&2
  rc=0
  history --force || rc=$?
fi
[ "$rc" -eq 0 ] || exit "$rc"
rm -f "$dir"/history.h5.ckpt.*.h5 # complete: a checkpoint here means an unfinished history
echo "stage states in $dir: early.h5 moderate.h5 late.h5 (healthy: run the config from day 0)"
