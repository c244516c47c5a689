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
 *   2. start the halo exchange (the patch's layers sent from the state in
 *      place, the neighbours' received into cs_decomp_halo's faces);
 *   3. run the kernel (transport + reactions, which also sums the surface
 *      fluxes and MSC fate rates) on the columns that read no halo value,
 *      wait for the exchange, then on the border columns (a patch with
 *      walls all round: no exchange, all columns at once);
 *   4. reduce those sums to rank 0, which evaluates the synovial ODEs.
 *
 * The IMEX split of ARKODE (solver.arkode_split: imex) writes the same
 * right-hand side as f = fe + fi:
 *   fe(u) = the cartilage reactions f_s(u) of kinetics.h in every owned cell,
 *           and 0 for the synovial values (pure, local: no communication);
 *   fi(u) = f(u) - fe(u): diffusion, surface exchange, the MSC attachment
 *           influx, and all synovial ODEs including the running integrals.
 * The synovial values are implicit because they are coupled to the surface
 * cells through the exchange fluxes (stiff for fast transfer) and cost
 * nothing to solve for (10 values on rank 0); the MSC fate integrals are
 * quadratures of reaction rates that feed nothing back, so treating them
 * implicitly keeps fe free of reductions.
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
/* A list of doubles in this order: a checkpoint's timer_* (state.h) and the
 * /solver series (run.c) copy it as it is. */
enum { CS_TIMERS_LEN = 5 };
_Static_assert(sizeof(cs_timers) == CS_TIMERS_LEN * sizeof(double), "cs_timers is a list of doubles");

typedef struct {
  const cs_params *p;       /* physical parameters */
  cs_decomp *dc;            /* decomposition and halo exchange */
  const cs_patch *pt;       /* this rank's patch */
  MPI_Comm comm;
  int rank;
  int injury_on;            /* inside the injury window (set per segment) */
  long ncell;               /* owned cells */
  long nlocal;              /* local vector length */
  double syn[CS_NSYNO];     /* synovial values of the last RHS (all ranks) */
  cs_exchange x;            /* exchange terms of the last RHS (rank 0) */
  struct cs_precond *pc;    /* preconditioner state (NULL: none) */
  int implicit_reactions;   /* 1: the reactions are in the implicit part, so the
                               Newton matrix is I - gamma (J_transport + J_reaction)
                               (CVODE, ARKODE implicit); 0: ARKODE IMEX treats them
                               explicitly and the preconditioner should approximate
                               I - gamma J_fi, without the reaction Jacobian.
                               cs_problem_init sets 1; the integrator sets it. */
  double rtol;              /* the integrator's tolerances, for its error weights */
  N_Vector atol;            /* (integrate.c sets them: the callback gets this struct) */
  cs_timers timers;
  int (*interrupted)(void); /* returns non-zero when a stop signal arrived (may be NULL) */
} cs_problem;

/* Set pb for the patch of dc (holds no memory of its own). */
void cs_problem_init(cs_problem *pb, const cs_params *p, cs_decomp *dc);

/* SUNDIALS right-hand side (CVRhsFn signature, N_Vector parallel). */
int cs_problem_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *user_data);

/* The IMEX split of cs_problem_rhs (ARKRhsFn signature; see above):
 * explicit part fe = reactions only, implicit part fi = the rest. Their sum
 * is cs_problem_rhs up to round-off. */
int cs_problem_rhs_explicit(sunrealtype t, N_Vector y, N_Vector ydot, void *user_data);
int cs_problem_rhs_implicit(sunrealtype t, N_Vector y, N_Vector ydot, void *user_data);

/* Wall clock, seconds. */
double cs_wtime(void);

#endif
