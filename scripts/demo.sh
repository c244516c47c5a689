#!/usr/bin/env bash
# The main job: the early-versus-late demo into results/demo (replacing an
# earlier demo there). Called by ./quickstart.sh demo after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
exec build/cartsim demo -o results/demo --force
