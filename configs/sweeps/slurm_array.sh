#!/bin/bash
# A sweep as a Slurm job array (docs/sweeps.md, "On a cluster"): 8 tasks of 16
# ranks share the rows (row % 8 == task) and write into the same directory.
# Every task rebuilds DIR/summary.csv and summary.h5 from all status records
# present, so the last one to finish leaves the complete table. A task killed
# at its limit is resumed by resubmitting: done rows are reused, and a row
# stopped at the limit continues from its checkpoint.
#SBATCH --job-name=cartsim-sweep
#SBATCH --array=0-7                 # 8 tasks share the rows: row % 8 == task
#SBATCH --nodes=1 --ntasks=16       # one node per task: the row counter stays in shared memory
#SBATCH --time=02:00:00
#SBATCH --signal=TERM@120           # SIGTERM to the ranks 2 min before the limit: stop cleanly, exit 6
export HDF5_USE_FILE_LOCKING=FALSE  # parallel file systems often refuse HDF5's locks
srun build/cartsim sweep configs/sweeps/lhs.yaml -o "$SCRATCH/cartsim-lhs" \
     --task "$SLURM_ARRAY_TASK_ID" --tasks 8 --ranks-per-run 1 --quiet
