#!/usr/bin/env bash
# The config is read on rank 0 and sent to the others (solvers/main.c,
# load_config): two ranks started in different working directories, each
# holding its own knee.yaml (k_c 0.014 and 0.025), must both run rank 0's
# file: the run equals a one-rank run of it (compare_runs.py, 1e-6) and
# records k_c 0.014. When every rank read its own file, rank 1 integrated
# k_c 0.025 in the same run: mean_c off by 1.7e-3, exit 0, nothing said.
# Tight tolerances (as tests/mpi/small1d.yaml): one rank and two take
# different linear solves (solver.krylov auto), equal to the tolerance.
# Usage: config_read_on_rank0.sh CARTSIM PYTHON COMPARE_RUNS MPIEXEC [MPIEXEC flags...]
set -euo pipefail
bin=$1 py=$2 compare=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/a" "$work/b"
for d in a:0.014 b:0.025; do
  printf 'grid: {dim: 1, nz: 24}\nrun: {t_end: 100}\nsolver: {rtol: 1.0e-10, atol: 1.0e-12}\noutput: {dt: 10, fields_every: 10}\nmodel: {k_c: %s}\n' \
    "${d#*:}" > "$work/${d%%:*}/knee.yaml"
done
"$@" -n 1 -wdir "$work/a" "$bin" run knee.yaml -o "$work/two.h5" --quiet : \
     -n 1 -wdir "$work/b" "$bin" run knee.yaml -o "$work/two.h5" --quiet
(cd "$work/a" && "$bin" run knee.yaml -o "$work/one.h5" --quiet)
"$py" -c "
import h5py, sys
with h5py.File(sys.argv[1]) as f:
    k = f['parameters/k_c'][()]
sys.exit(0 if k == 0.014 else f'two.h5 ran k_c = {k}, not rank 0\'s 0.014')" "$work/two.h5"
"$py" "$compare" 1e-6 "$work/one.h5" "$work/two.h5"
echo "config_read_on_rank0: both ranks ran rank 0's config"
