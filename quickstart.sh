#!/usr/bin/env bash
# The README's two commands:
#   ./quickstart.sh demo   install what is missing, build, run the main job
#   ./quickstart.sh test   install what is missing, build, run the whole test suite
set -euo pipefail
cd "$(dirname "$0")"

what=${1:-demo}
case "$what" in
  demo|test) ;;
  *) echo "usage: ./quickstart.sh demo|test" >&2; exit 2 ;;
esac

scripts/install-deps.sh
if [ "$(id -u)" -eq 0 ]; then
  # Open MPI refuses to start as root without these
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$jobs"

if [ "$what" = test ]; then
  ctest --test-dir build --output-on-failure -j "$jobs"
else
  scripts/demo.sh
fi
