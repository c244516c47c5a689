/* run.h - one simulation, from a resolved config to a complete HDF5 file.
 *
 * The time loop: the run is cut into segments at every discontinuity (the
 * ends of the injury window and the treatment days). In each segment the
 * integrator may not step past the segment end (CVODE stop time); output
 * times inside it are reached by interpolation. At a segment end the events
 * of that day are applied, the outputs due at that time are written (after
 * the events), and the integrator is restarted.
 */
#ifndef CS_RUN_H
#define CS_RUN_H

#include <mpi.h>

#include "config.h"

#define CS_MAX_SAVES 16

/* Warnings about a config's solver settings (bits of cs_run_request.warned). */
enum { CS_WARN_SPLIT_UNUSED = 1u, CS_WARN_KRYLOV_NONE_SLOW = 2u };

typedef struct {
  const char *output_path;   /* the .h5 file to write */
  int force;                 /* overwrite an existing output */
  int quiet;                 /* no progress report */
  const char *command_line;  /* stored in /meta */
  double wall_start;         /* MPI_Wtime at program start */
  const char *from_state;    /* start from this saved state (NULL: from t = 0) */
  int n_save;                /* states to save: at save_day[i] (before that day's events) */
  double save_day[CS_MAX_SAVES];
  const char *save_path[CS_MAX_SAVES];
  const char *baseline;      /* untreated run to compute the benefit against (NULL: none) */
  int restart;               /* continue output_path from its newest checkpoint */
  const char *resume_advice; /* after a signal, how to continue (NULL: the same cartsim run plus --restart) */
  unsigned *warned;          /* CS_WARN_* already shown, kept across the runs of a sweep so that each
                                shows once (NULL: every run shows its own) */
} cs_run_request;

/* Collective over comm. Returns CS_OK or an error code (message recorded). */
int cs_run(const cs_config *cfg, const cs_run_request *req, MPI_Comm comm);

#endif
