#!/usr/bin/env bash
# The main job: the early-versus-late demo into results/demo. Called by
# ./quickstart.sh demo after the build. An earlier demo there (and anything
# the user put beside it) is kept: moved to results/demo.<date-time> first.
# CARTSIM_BIN and DEMO_OUT override build/cartsim and results/demo (tests).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
bin=${CARTSIM_BIN:-build/cartsim}
out=${DEMO_OUT:-results/demo}
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ]; then
  keep="$out.$(date +%Y%m%d-%H%M%S)"
  n=1
  while [ -e "$keep" ]; do keep="$out.$(date +%Y%m%d-%H%M%S).$n"; n=$((n + 1)); done
  mv "$out" "$keep"
  echo "demo: the earlier results in $out are kept in $keep"
fi
exec "$bin" demo -o "$out"
