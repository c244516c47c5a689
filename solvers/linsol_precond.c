#include "linsol_precond.h"

#include <stdlib.h>
#include <sundials/sundials_iterative.h>

typedef struct {
  void *pdata;       /* the integrator's preconditioner data */
  SUNPSetupFn setup; /* the integrator's wrappers of cs_precond_setup / cs_precond_solve */
  SUNPSolveFn solve;
  int last_flag;
} content;

#define CONTENT(S) ((content *)(S)->content)

static SUNLinearSolver_Type get_type(SUNLinearSolver S)
{
  (void)S;
  return SUNLINEARSOLVER_ITERATIVE;
}

/* The integrators pass their J v product; it is never needed. */
static int set_atimes(SUNLinearSolver S, void *data, SUNATimesFn atimes)
{
  (void)S, (void)data, (void)atimes;
  return SUNLS_SUCCESS;
}

/* The integrators pass their error weights. Without this operation CVODE
 * and ARKODE fill a vector with ones and take its weighted norm on every
 * Newton iteration, to scale a tolerance that P^-1 b never looks at: two
 * vector passes per iteration, ~2 % of a 1-D reference solve. */
static int set_scaling_vectors(SUNLinearSolver S, N_Vector s1, N_Vector s2)
{
  (void)S, (void)s1, (void)s2;
  return SUNLS_SUCCESS;
}

static int set_preconditioner(SUNLinearSolver S, void *data, SUNPSetupFn setup, SUNPSolveFn solve)
{
  CONTENT(S)->pdata = data;
  CONTENT(S)->setup = setup;
  CONTENT(S)->solve = solve;
  return SUNLS_SUCCESS;
}

static int initialize(SUNLinearSolver S)
{
  /* without a preconditioner x = b would be Newton with the identity: refused */
  return CONTENT(S)->solve ? SUNLS_SUCCESS : SUNLS_ILL_INPUT;
}

/* SUNDIALS's callback convention: 0 ok, > 0 recoverable, < 0 not */
static int flag_of(int rc, int recoverable, int fatal)
{
  return rc == 0 ? SUNLS_SUCCESS : rc > 0 ? recoverable : fatal;
}

static int setup(SUNLinearSolver S, SUNMatrix A)
{
  (void)A;
  content *c = CONTENT(S);
  int rc = c->setup ? c->setup(c->pdata) : 0;
  c->last_flag = flag_of(rc, SUNLS_PSET_FAIL_REC, SUNLS_PSET_FAIL_UNREC);
  return c->last_flag;
}

static int solve(SUNLinearSolver S, SUNMatrix A, N_Vector x, N_Vector b, sunrealtype tol)
{
  (void)A;
  content *c = CONTENT(S);
  c->last_flag = flag_of(c->solve(c->pdata, b, x, tol, SUN_PREC_LEFT), SUNLS_PSOLVE_FAIL_REC,
                         SUNLS_PSOLVE_FAIL_UNREC);
  return c->last_flag;
}

static int num_iters(SUNLinearSolver S)
{
  (void)S;
  return 0;
}

static sunrealtype res_norm(SUNLinearSolver S)
{
  (void)S;
  return 0.0;
}

static sunindextype last_flag(SUNLinearSolver S) { return CONTENT(S)->last_flag; }

static int space(SUNLinearSolver S, long *lenrw, long *leniw)
{
  (void)S;
  *lenrw = 0;
  *leniw = (long)(sizeof(content) / sizeof(int));
  return SUNLS_SUCCESS;
}

static int destroy(SUNLinearSolver S)
{
  if (!S) return SUNLS_SUCCESS;
  free(S->content);
  S->content = NULL;
  SUNLinSolFreeEmpty(S);
  return SUNLS_SUCCESS;
}

SUNLinearSolver cs_linsol_precond(SUNContext ctx)
{
  SUNLinearSolver S = SUNLinSolNewEmpty(ctx);
  if (!S) return NULL;
  S->content = calloc(1, sizeof(content));
  if (!S->content) {
    SUNLinSolFreeEmpty(S);
    return NULL;
  }
  S->ops->gettype = get_type;
  S->ops->setatimes = set_atimes;
  S->ops->setpreconditioner = set_preconditioner;
  S->ops->setscalingvectors = set_scaling_vectors;
  S->ops->initialize = initialize;
  S->ops->setup = setup;
  S->ops->solve = solve;
  S->ops->numiters = num_iters;
  S->ops->resnorm = res_norm;
  S->ops->lastflag = last_flag;
  S->ops->space = space;
  S->ops->free = destroy;
  return S;
}
