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

scripts/install-deps.sh "$what"
if [ "$(id -u)" -eq 0 ]; then
  # Open MPI refuses to start as root without these
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$jobs"

if [ "$what" = test ]; then
  ctest --test-dir build --output-on-failure -j "$jobs"
  # In CI (CI=true) or when asked (CARTSIM_SANITIZE_TESTS=1): the same suite again, built with
  # AddressSanitizer + UndefinedBehaviorSanitizer, MPI tests on 2 ranks included.
  # LeakSanitizer checks the tests that walk the error paths a user meets (command line, config
  # fuzzing, restart, sweeps); Open MPI's own allocations from MPI_Init are suppressed
  # (tests/lsan.supp), which needs full stacks (slow unwinding) and its components kept loaded.
  # The other tests run without it; the memcheck tests check a whole run with valgrind.
  if [ "${CI:-}" = true ] || [ "${CARTSIM_SANITIZE_TESTS:-0}" = 1 ]; then
    cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCARTSIM_SANITIZE=ON
    cmake --build build-asan -j "$jobs"
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    leak_checked="cli|fuzz|config|reliability|sweep"
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
      ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE "memcheck|bench|browser|$leak_checked"
    OMPI_MCA_mca_base_component_disable_dlclose=1 LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0" \
      ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:abort_on_error=1 \
      ctest --test-dir build-asan --output-on-failure -j "$jobs" -L "$leak_checked"
  fi
else
  scripts/demo.sh
fi
