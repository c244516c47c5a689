#!/usr/bin/env bash
# Build a fuzz target with clang (libFuzzer + ASan + UBSan) and run it for
# SECONDS (default 20), after replaying tests/fuzz/regressions/TARGET/ (inputs
# earlier runs found failing). TARGET is `config` (the config reader and the
# --set options, seeded from configs/, tests/config/bad/, tests/mpi/ and
# tests/fuzz/seeds/config/) or `sweep` (the sweep-file reader and the designs,
# seeded from the shipped sweeps).
# Usage: tests/fuzz/run_fuzz.sh [SECONDS] [WORKDIR] [TARGET]. Exit 77 (skipped)
# when clang or its libFuzzer runtime (Debian: clang, libclang-rt-14-dev) is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-20}
work=${2:-$(mktemp -d)}
target=${3:-config}
mkdir -p "$work/corpus"
if ! command -v clang >/dev/null; then echo "fuzz: clang not installed (apt-get install clang libclang-rt-14-dev)"; exit 77; fi
srcs=("$here/fuzz_$target.c" "$root"/solvers/config*.c "$root/solvers/text_file.c" "$root/solvers/yaml_problem.c"
      "$root/solvers/error.c" "$root/solvers/run_options.c")
for f in "$root"/model/*.c; do srcs+=("$f"); done
libs=(-lyaml -lm)
defs=()
case $target in
config) seeds=("$root/configs" "$root/tests/config/bad" "$root/tests/mpi") ;;
sweep)
  srcs+=("$root/solvers/sweep/sweep_spec.c" "$root/solvers/sweep/design.c")
  libs=(-lgsl -lgslcblas "${libs[@]}")
  defs=(-DCS_FUZZ_SWEEP_DIR="\"$root/configs/sweeps\"") # where the spec is taken to live, for its base:
  seeds=("$root/configs/sweeps" "$root/tests/sweep" "$root/bench") ;;
*) echo "fuzz: unknown target '$target' (config, sweep)"; exit 2 ;;
esac
if [[ -d $here/seeds/$target ]]; then seeds+=("$here/seeds/$target"); fi # inputs written to reach a feature
if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
     "${defs[@]}" -I"$root/model" -I"$root/solvers" "${srcs[@]}" "${libs[@]}" \
     -o "$work/fuzz_$target" 2>"$work/build.log"; then
  if grep -q "fuzzer" "$work/build.log"; then
    echo "fuzz: clang's libFuzzer runtime is missing (apt-get install libclang-rt-14-dev)"; exit 77
  fi
  cat "$work/build.log"; exit 1
fi
find "${seeds[@]}" -name '*.yaml' -exec cp {} "$work/corpus/" \;
# Inputs a fuzz run once found failing: replayed first, so that each stays fixed
# whatever the random search does this time.
shopt -s nullglob
regressions=("$here/regressions/$target"/*.yaml)
# libFuzzer exits 77 on a leak (or at its memory limit) by default, which ctest
# would take for "skipped" (SKIP_RETURN_CODE 77 means: no clang here): every
# failure exits 1, as UBSan's and ASan's own reports already did.
fail=(-error_exitcode=1 -timeout_exitcode=1)
if ((${#regressions[@]})); then
  ASAN_OPTIONS=detect_leaks=1 "$work/fuzz_$target" "${fail[@]}" "${regressions[@]}" 2>&1 | tail -5
fi
cd "$work"
ASAN_OPTIONS=detect_leaks=1 "./fuzz_$target" "${fail[@]}" corpus -max_total_time="$secs" -max_len=4096 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 2>&1 | tail -25
