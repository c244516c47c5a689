#!/bin/bash
# A sweep as a Slurm job array: 8 tasks of 16 ranks each share the rows
# (row % 8 == task) and write into the same directory; every task rebuilds
# DIR/summary.csv from all the status records present, so the last one to
# finish leaves the complete table (or run `cartsim sweep ... --plan`-free
# rebuild by rerunning any task: done rows are reused, not recomputed).
#SBATCH --job-name=cartsim-sweep
#SBATCH --array=0-7
#SBATCH --ntasks=16
#SBATCH --time=02:00:00
#SBATCH --signal=B:TERM@120        # SIGTERM 2 minutes before the limit: cartsim stops cleanly
export HDF5_USE_FILE_LOCKING=FALSE  # parallel file systems often refuse HDF5's locks
srun build/cartsim sweep configs/sweeps/lhs.yaml -o "$SCRATCH/cartsim-lhs" \
     --task "$SLURM_ARRAY_TASK_ID" --tasks 8 --ranks-per-run 1 --quiet
