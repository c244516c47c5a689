/* sweep_run.h - run every row of a sweep on all ranks, resumably.
 *
 * MPI_COMM_WORLD is split into groups of `ranks_per_run` ranks; each group
 * leader claims the next row from a shared counter (MPI one-sided
 * fetch-and-add on world rank 0), so long runs do not stall the others and
 * every rank, rank 0 included, computes: world rank 0 is the dispatcher only
 * in that it hosts the counter (and the done/failed counters it reports
 * progress from); it answers no messages, so its own runs never delay a
 * claim (on one node the window is shared memory, on RDMA networks a
 * network atomic).
 * A row's result DIR/runs/<id>.h5 is written under .partial and renamed
 * when complete; DIR/status/<id>.json records done/failed, the reason, the
 * config fingerprint and the wall time. A rerun skips rows done with the
 * same fingerprint, reruns failed ones only with --retry-failed, and
 * refuses a directory holding another sweep (--force starts over, but only
 * when DIR holds nothing but that sweep's own files). `--task ID --tasks N` (Slurm
 * job arrays) runs only rows with index % N == ID; every task rebuilds
 * DIR/summary.csv and DIR/summary.h5 from all status records present.
 * World rank 0 reads the sweep file and hands its text to the others; a
 * row's config is read by its group leader and handed to the group: every
 * rank returns the same code, whichever rank found the error.
 */
#ifndef CS_SWEEP_RUN_H
#define CS_SWEEP_RUN_H

#include <mpi.h>

typedef struct {
  const char *spec_path;
  const char *out_dir;
  int ranks_per_run;   /* K >= 1 */
  int task, ntasks;    /* this task's share: rows with index % ntasks == task */
  int retry_failed;
  int plan;            /* print the design and stop */
  int quiet;
  int force;           /* DIR holds another sweep: start over (only if DIR holds nothing but sweep files) */
} cs_sweep_request;

/* Collective over `world`. CS_OK; CS_ERR_CONFIG (bad spec, a base config
 * with set: that every row fails, changed sweep); CS_ERR_IO; CS_ERR_SOLVER
 * when every row of this task failed. */
int cs_sweep(const cs_sweep_request *req, MPI_Comm world);

#endif
