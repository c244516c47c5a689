/* integrate.h - the time integrator: CVODE (variable-order BDF) or, with
 * solver.integrator: arkode, ARKODE's ARKStep (additive Runge-Kutta of order
 * solver.max_order), both with Newton corrections by preconditioned GMRES, or
 * by the preconditioner alone (solver.krylov, linsol_precond.h), on
 * NVECTOR_PARALLEL.
 * ARKStep is either fully implicit (DIRK, solver.arkode_split: implicit) or
 * IMEX (ARK pair ARK324L2SA / ARK436L2SA / ARK548L2SA for order 3 / 4 / 5,
 * solver.arkode_split: imex) with the reactions explicit and transport and
 * the synovial fluid implicit (problem.h). Tolerances: rtol scalar,
 * atol_i = solver.atol * typical size of quantity i (species.h).
 *
 * Counters are cumulative over re-initialisations (each event restarts the
 * integrator, which resets CVODE's own counters).
 */
#ifndef CS_INTEGRATE_H
#define CS_INTEGRATE_H

#include <sundials/sundials_nvector.h>

#include "problem.h"
#include "run_options.h"

typedef struct {
  long steps, rhs_evals, newton_iters, krylov_iters, prec_setups, prec_solves;
  long err_test_fails, newton_conv_fails, krylov_conv_fails;
  double last_step;
  int last_order;
  long prec_setup_calls; /* every preconditioner setup: new Jacobian (prec_setups) or new gamma only */
} cs_solver_stats;

/* cs_solver_stats as doubles, in member order: a checkpoint's stat_*
 * attributes (state.h) and the first /solver series (run.c). */
enum { CS_SOLVER_STATS_LEN = 12 };
void cs_solver_stats_pack(const cs_solver_stats *s, double out[CS_SOLVER_STATS_LEN]);
/* The inverse; a counter stored as NaN (one an older checkpoint lacks) reads as 0. */
void cs_solver_stats_unpack(const double in[CS_SOLVER_STATS_LEN], cs_solver_stats *s);

typedef struct cs_integrator cs_integrator;

/* y0: initial state (copied). */
int cs_integrator_create(cs_problem *pb, const cs_solver_opts *opt, double t0, N_Vector y0,
                         cs_integrator **out);
void cs_integrator_destroy(cs_integrator **it);

/* The integrator's own state vector (read/write between advances; call
 * cs_integrator_reinit after changing it). */
N_Vector cs_integrator_state(cs_integrator *it);
/* Restart at time t from the current state vector (after an event). */
int cs_integrator_reinit(cs_integrator *it, double t);
/* Integrate to tout without passing tstop; on return *t is the time
 * reached (tout, or tstop when tout >= tstop) and the state vector holds the
 * solution there. Failure: CS_ERR_SOLVER with a message naming the time,
 * the CVODE flag and its meaning.
 * The integration goes one internal step at a time (CV_ONE_STEP /
 * ARK_ONE_STEP, interpolating at tout once past it, as the libraries' normal
 * mode does: the same steps and the same results). After every step that
 * does not reach the target, the function set by cs_integrator_set_interrupt
 * (if any) is asked; when it returns non-zero the advance stops there: *t is
 * that step's time, before the target, and the state vector holds the
 * solution at it. The function must give the same answer on every rank (it
 * is called on all of them at the same step). */
int cs_integrator_advance(cs_integrator *it, double tout, double tstop, double *t);
void cs_integrator_set_interrupt(cs_integrator *it, int (*ask)(void *arg), void *arg);
/* Start the cumulative counters from `base` (a restart from a checkpoint). */
void cs_integrator_set_base(cs_integrator *it, const cs_solver_stats *base);
/* Cumulative statistics. */
void cs_integrator_stats(cs_integrator *it, cs_solver_stats *st);
/* Write CVODE's full statistics (rank 0 only) to a FILE*. */
void cs_integrator_print_stats(cs_integrator *it, void *file);

#endif
