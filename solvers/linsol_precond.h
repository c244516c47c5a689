/* linsol_precond.h - a SUNLinearSolver whose solve is one application of
 * the preconditioner (solver.krylov: none).
 *
 * The integrators' Newton iteration solves  (I - gamma J) x = b  for each
 * correction. With GMRES (solver.krylov: gmres) that is done to the
 * tolerance eps_lin times the Newton tolerance, with one right-hand-side
 * evaluation per Krylov iteration for the product J v. Here instead
 *
 *   x = P^-1 b,   P = the preconditioner set up by cs_precond_setup,
 *
 * i.e. Newton's method with P as its matrix. Where P is the Newton matrix
 * (the line preconditioner in 1-D on one rank inverts it up to the MSC
 * running integrals: about one Krylov iteration per Newton iteration) this
 * is the same iteration for half the right-hand-side evaluations and none of
 * GMRES's vector operations; the Newton convergence test and the error test
 * are the integrator's, unchanged. Where P leaves couplings out (lateral
 * diffusion, a depth column split over ranks, jacobi, pfmg's one V-cycle)
 * Newton then converges slowly or not at all: the integrator takes tiny
 * steps (measured 40-600x the solve time), which is why solver.krylov:
 * auto picks it only in the exact case (cs_krylov_resolve, run_options.h).
 *
 * Declared ITERATIVE, so that CVODE and ARKODE hand it their preconditioner
 * callbacks (with their own gamma and Jacobian-reuse logic, as for GMRES);
 * it reports no Krylov iterations. Needs a preconditioner.
 */
#ifndef CS_LINSOL_PRECOND_H
#define CS_LINSOL_PRECOND_H

#include <sundials/sundials_linearsolver.h>

/* NULL when out of memory. Free with SUNLinSolFree. */
SUNLinearSolver cs_linsol_precond(SUNContext ctx);

#endif
