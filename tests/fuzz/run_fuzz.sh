#!/usr/bin/env bash
# Build the config-reader fuzz target with clang (libFuzzer + ASan + UBSan) and
# run it for SECONDS (default 20), seeded from configs/ and tests/config/bad/,
# after replaying tests/fuzz/regressions/ (inputs earlier runs found failing).
# Usage: tests/fuzz/run_fuzz.sh [SECONDS] [WORKDIR]. Exit 77 (skipped) when
# clang or its libFuzzer runtime (Debian: clang, libclang-rt-14-dev) is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-20}
work=${2:-$(mktemp -d)}
mkdir -p "$work/corpus"
if ! command -v clang >/dev/null; then echo "fuzz: clang not installed (apt-get install clang libclang-rt-14-dev)"; exit 77; fi
srcs=("$here/fuzz_config.c" "$root"/solvers/config*.c "$root/solvers/text_file.c" "$root/solvers/yaml_problem.c"
      "$root/solvers/error.c" "$root/solvers/run_options.c")
for f in "$root"/model/*.c; do srcs+=("$f"); done
if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
     -I"$root/model" -I"$root/solvers" "${srcs[@]}" -lyaml -lm -o "$work/fuzz_config" 2>"$work/build.log"; then
  if grep -q "fuzzer" "$work/build.log"; then
    echo "fuzz: clang's libFuzzer runtime is missing (apt-get install libclang-rt-14-dev)"; exit 77
  fi
  cat "$work/build.log"; exit 1
fi
find "$root/configs" "$root/tests/config/bad" "$root/tests/mpi" -name '*.yaml' -exec cp {} "$work/corpus/" \;
# Inputs a fuzz run once found failing: replayed first, so that each stays fixed
# whatever the random search does this time.
"$work/fuzz_config" "$here"/regressions/*.yaml 2>&1 | tail -5
cd "$work"
ASAN_OPTIONS=detect_leaks=1 ./fuzz_config corpus -max_total_time="$secs" -max_len=4096 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 2>&1 | tail -25
