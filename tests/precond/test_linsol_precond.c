/* test_linsol_precond.c - the solver.krylov: none linear solver
 * (solvers/linsol_precond.h) as CVODE's and ARKODE's linear-solver
 * interfaces use it:
 *  - it accepts the error weights (setscalingvectors): without that
 *    operation the interfaces fill a vector with ones and take its weighted
 *    norm on every Newton iteration, to scale a tolerance it never reads;
 *  - its solve is one call of the preconditioner's solve, x = P^-1 b, with
 *    the right vectors, whatever the tolerance; a failing preconditioner
 *    solve is a recoverable or unrecoverable failure as its sign says;
 *  - without a preconditioner it refuses to initialise.
 */
#include <stdio.h>

#include <sundials/sundials_context.h>
#include <sundials/sundials_iterative.h>

#include "../../solvers/linsol_precond.h"
#include "../unit/check.h"

static int psolve_calls, psolve_rc;
static N_Vector seen_r, seen_z;

static int fake_psolve(void *data, N_Vector r, N_Vector z, sunrealtype tol, int lr)
{
  (void)data, (void)tol, (void)lr;
  ++psolve_calls;
  seen_r = r;
  seen_z = z;
  return psolve_rc;
}

int main(void)
{
  SUNContext ctx = NULL;
  CHECK(SUNContext_Create(NULL, &ctx) == 0, "a SUNDIALS context");
  SUNLinearSolver S = cs_linsol_precond(ctx);
  CHECK(S != NULL, "the solver is made");
  if (!S) return cs_test_report("test_linsol_precond");

  CHECK(SUNLinSolInitialize(S) == SUNLS_ILL_INPUT, "without a preconditioner initialise refuses");
  CHECK(SUNLinSolGetType(S) == SUNLINEARSOLVER_ITERATIVE, "declared iterative (the integrators then pass P)");

  /* the integrators call it only where the operation exists (cvLsSolve, arkLsSolve) */
  CHECK(S->ops->setscalingvectors != NULL, "no setscalingvectors: CVODE re-derives a tolerance every Newton iteration");
  CHECK(SUNLinSolSetScalingVectors(S, NULL, NULL) == SUNLS_SUCCESS, "the weights are accepted");

  CHECK(SUNLinSolSetPreconditioner(S, NULL, NULL, fake_psolve) == SUNLS_SUCCESS, "a preconditioner solve is set");
  CHECK(SUNLinSolInitialize(S) == SUNLS_SUCCESS, "with it initialise succeeds");
  int xb[2];
  N_Vector x = (N_Vector)&xb[0], b = (N_Vector)&xb[1]; /* handed through, never dereferenced */
  CHECK(SUNLinSolSolve(S, NULL, x, b, 1e-300) == SUNLS_SUCCESS && psolve_calls == 1 && seen_r == b && seen_z == x,
        "one preconditioner solve from b into x (%d calls)", psolve_calls);
  CHECK(SUNLinSolNumIters(S) == 0, "no Krylov iterations are reported");
  psolve_rc = 1;
  CHECK(SUNLinSolSolve(S, NULL, x, b, 0.1) == SUNLS_PSOLVE_FAIL_REC, "a recoverable preconditioner failure");
  psolve_rc = -1;
  CHECK(SUNLinSolSolve(S, NULL, x, b, 0.1) == SUNLS_PSOLVE_FAIL_UNREC, "an unrecoverable preconditioner failure");

  SUNLinSolFree(S);
  SUNContext_Free(&ctx);
  return cs_test_report("test_linsol_precond");
}
