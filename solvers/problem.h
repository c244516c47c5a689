/* problem.h - the discretised problem as SUNDIALS sees it: the state
 * vector layout, the right-hand side (communication, then the pure kernel
 * of model/transport.h and model/synovial.h), and phase timers.
 *
 * Vector layout: each rank holds CS_NS values per owned cell (cell order of
 * grid.h); rank 0 additionally holds the CS_NSYNO synovial values and
 * running integrals after its cells.
 *
 * One RHS evaluation:
 *   1. broadcast the synovial values from rank 0;
 *   2. copy the owned values into the ghosted array and start the halo
 *      exchange;
 *   3. wait, then run the kernel on the patch (transport + reactions),
 *      which also sums the surface fluxes and MSC fate rates;
 *   4. reduce those sums to rank 0, which evaluates the synovial ODEs.
 */
#ifndef CS_PROBLEM_H
#define CS_PROBLEM_H

#include <mpi.h>
#include <sundials/sundials_nvector.h>

#include "../model/params.h"
#include "../model/species.h"
#include "../model/synovial.h"
#include "decomp.h"

typedef struct {
  double rhs, exchange, prec_setup, prec_solve, io; /* seconds */
} cs_timers;

typedef struct {
  const cs_params *p;       /* physical parameters */
  cs_decomp *dc;            /* decomposition and halo exchange */
  const cs_patch *pt;       /* this rank's patch */
  MPI_Comm comm;
  int rank;
  int injury_on;            /* inside the injury window (set per segment) */
  long ncell;               /* owned cells */
  long nlocal;              /* local vector length */
  double *ug;               /* ghosted work array */
  double syn[CS_NSYNO];     /* synovial values of the last RHS (all ranks) */
  cs_exchange x;            /* exchange terms of the last RHS (rank 0) */
  struct cs_precond *pc;    /* preconditioner state (NULL: none) */
  cs_timers timers;
  int (*interrupted)(void); /* returns non-zero when a stop signal arrived (may be NULL) */
} cs_problem;

int cs_problem_init(cs_problem *pb, const cs_params *p, cs_decomp *dc);
void cs_problem_free(cs_problem *pb);

/* SUNDIALS right-hand side (CVRhsFn signature, N_Vector parallel). */
int cs_problem_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *user_data);

/* Wall clock, seconds. */
double cs_wtime(void);

#endif
