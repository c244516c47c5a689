/* state.h - full solver state files, for branching runs from one shared
 * history (`cartsim run --save-state DAY:FILE`, `--from-state FILE`).
 *
 * Layout (HDF5, written collectively; independent of the rank count):
 *   /cartilage   float64 [ny][nx][nz][CS_NS]  every cell's values, global order
 *   /synovial    float64 [CS_NSYNO]           P_s R_s F_s N N_syn and the running integrals
 *   /config      string                       the resolved config of the run that saved it
 *   /check/<section>  float64 [n]             the model, grid and initial values, compared on load
 *   attributes on /: kind = "cartsim-state", time (day), injected (cells),
 *   first_msc_injected (cells), first_msc_day (day, NaN if none),
 *   thickness0 (mm, initial thickness of the history), t_c80 (day, NaN if
 *   not reached), q_RE_in_use and K_MSC_in_use (the latest injected source's
 *   potency), the checkpoint bookkeeping of cs_state_info,
 *   config_fingerprint, source_output (the .h5 of the run that saved it).
 * A state file is written under FILE.partial and renamed when complete.
 */
#ifndef CS_STATE_H
#define CS_STATE_H

#include <mpi.h>

#include "../../model/grid.h"
#include "../config.h"

/* Bookkeeping saved with a state, every member a double (attributes of the
 * same names). The first eight and the retention already measured serve
 * branching; the rest only checkpoints (zero in a branching state).
 * q_RE_in_use and K_MSC_in_use are the MSC potency of the latest injected source (cs_treatment_apply); a state file
 * written before they existed reads them as NaN: the config's values. */
typedef struct {
  double time, injected, first_msc_injected, first_msc_day, thickness0, t_c80;
  double q_RE_in_use, K_MSC_in_use;      /* parameters in use at `time` */
  double n_series, n_fields;              /* output steps and field snapshots written */
  double retained30, retained180;         /* MSC retention already measured (NaN: not yet) */
  double last_thickness, last_mean_c;     /* at `time`, for the outcome history */
  double solve_seconds, last_checkpoint_t;
  double stats[12];                       /* cs_solver_stats_pack: 9 counters, last step, last order, setup
                                             calls (stats[CS_STATE_STAT_SETUP_CALLS]; NaN: older file) */
  double timers[5];                       /* cs_timers: rhs, exchange, prec_setup, prec_solve, io */
  double wall_seconds;                    /* wall time of the run so far, all segments (NaN: older file) */
} cs_state_info;
#define CS_STATE_INFO_LEN (sizeof(cs_state_info) / sizeof(double))
/* The one counter of stats[] a checkpoint may lack (written since 2026-12-03). */
enum { CS_STATE_STAT_SETUP_CALLS = 11 };
_Static_assert(sizeof(cs_state_info) == 34 * sizeof(double), "cs_state_info is a list of doubles");

/* u: owned cartilage values of this rank (cell order of pt); syn: rank 0's
 * synovial values (ignored elsewhere). Collective. */
int cs_state_save(const char *path, int force, MPI_Comm comm, const cs_config *cfg, const cs_patch *pt,
                  const double *u, const double *syn, const cs_state_info *info, const char *source_output);

/* The config fingerprint stored in a state file (out: 16 hex digits + NUL),
 * CS_ERR_IO if the file cannot be read or its fingerprint is not 16 hex
 * digits (damaged). Collective. */
int cs_state_fingerprint(const char *path, MPI_Comm comm, char out[17]);

/* Who saved a state file: the attributes config_fingerprint, source_output
 * and time. */
typedef struct {
  char fingerprint[17];      /* 16 hex digits */
  char source_output[4200];  /* the -o of the run that saved it (absolute since 2026-12-05; as given before) */
  double time;               /* day */
} cs_state_origin;

/* 1 and *o if `path` is a readable cartsim state file (kind
 * "cartsim-state", a well-formed fingerprint, a source_output, one time);
 * else 0. Local (no MPI): rank 0 asks and shares the answer. */
int cs_state_origin_read(const char *path, cs_state_origin *o);

/* Checks that the file is a state of the same model, grid and initial
 * values (CS_ERR_CONFIG naming the first differing key otherwise), then
 * fills u and (rank 0) syn. Collective. */
int cs_state_load(const char *path, MPI_Comm comm, const cs_config *cfg, const cs_patch *pt, double *u,
                  double *syn, cs_state_info *info);

#endif
