#include "integrate.h"

#include <arkode/arkode_arkstep.h>
#include <cvode/cvode.h>
#include <math.h>
#include <nvector/nvector_parallel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sunlinsol/sunlinsol_spgmr.h>

#include "error.h"
#include "nvector_fast.h"
#include "linsol_precond.h"
#include "precond.h"

struct cs_integrator {
  cs_problem *pb;
  SUNContext ctx;
  MPI_Comm comm;
  void *cvode;           /* the integrator memory: CVODE, or ARKODE's ARKStep when arkode */
  int arkode;            /* solver.integrator: arkode (additive Runge-Kutta) */
  int imex;              /* arkode with solver.arkode_split: imex */
  int order;             /* ARKODE method order */
  N_Vector y, atol;
  SUNLinearSolver ls;
  cs_solver_stats base; /* totals of the runs before the last reinit */
  long max_steps;       /* solver.max_steps: steps allowed per advance (one-step calls: not the library's) */
  int (*interrupt)(void *arg); /* asked after every internal step (cs_integrator_set_interrupt) */
  void *interrupt_arg;
};

static void stats_now(const cs_integrator *it, cs_solver_stats *s)
{
  void *cv = it->cvode;
  long v = 0;
  sunrealtype h = 0;
  memset(s, 0, sizeof *s);
  if (it->arkode) {
    ARKStepGetNumSteps(cv, &s->steps);
    ARKStepGetNumRhsEvals(cv, &v, &s->rhs_evals);
    s->rhs_evals += v;
    ARKStepGetNumLinRhsEvals(cv, &v);
    s->rhs_evals += v;
    ARKStepGetNumNonlinSolvIters(cv, &s->newton_iters);
    ARKStepGetNumLinIters(cv, &s->krylov_iters);
    ARKStepGetNumPrecEvals(cv, &s->prec_setups);
    ARKStepGetNumLinSolvSetups(cv, &s->prec_setup_calls);
    ARKStepGetNumPrecSolves(cv, &s->prec_solves);
    ARKStepGetNumErrTestFails(cv, &s->err_test_fails);
    ARKStepGetNumNonlinSolvConvFails(cv, &s->newton_conv_fails);
    ARKStepGetNumLinConvFails(cv, &s->krylov_conv_fails);
    ARKStepGetLastStep(cv, &h);
    s->last_step = h;
    s->last_order = it->order;
    return;
  }
  CVodeGetNumSteps(cv, &s->steps);
  CVodeGetNumRhsEvals(cv, &s->rhs_evals);
  CVodeGetNumLinRhsEvals(cv, &v);
  s->rhs_evals += v;
  CVodeGetNumNonlinSolvIters(cv, &s->newton_iters);
  CVodeGetNumLinIters(cv, &s->krylov_iters);
  CVodeGetNumPrecEvals(cv, &s->prec_setups);
  CVodeGetNumLinSolvSetups(cv, &s->prec_setup_calls);
  CVodeGetNumPrecSolves(cv, &s->prec_solves);
  CVodeGetNumErrTestFails(cv, &s->err_test_fails);
  CVodeGetNumNonlinSolvConvFails(cv, &s->newton_conv_fails);
  CVodeGetNumLinConvFails(cv, &s->krylov_conv_fails);
  CVodeGetLastStep(cv, &h);
  s->last_step = h;
  CVodeGetLastOrder(cv, &s->last_order);
}

static void stats_add(cs_solver_stats *a, const cs_solver_stats *b)
{
  a->steps += b->steps;
  a->rhs_evals += b->rhs_evals;
  a->newton_iters += b->newton_iters;
  a->krylov_iters += b->krylov_iters;
  a->prec_setups += b->prec_setups;
  a->prec_setup_calls += b->prec_setup_calls;
  a->prec_solves += b->prec_solves;
  a->err_test_fails += b->err_test_fails;
  a->newton_conv_fails += b->newton_conv_fails;
  a->krylov_conv_fails += b->krylov_conv_fails;
  a->last_step = b->last_step;
  a->last_order = b->last_order;
}

void cs_solver_stats_pack(const cs_solver_stats *s, double out[CS_SOLVER_STATS_LEN])
{
  const double v[CS_SOLVER_STATS_LEN] = {
    (double)s->steps, (double)s->rhs_evals, (double)s->newton_iters, (double)s->krylov_iters,
    (double)s->prec_setups, (double)s->prec_solves, (double)s->err_test_fails, (double)s->newton_conv_fails,
    (double)s->krylov_conv_fails, s->last_step, (double)s->last_order, (double)s->prec_setup_calls};
  memcpy(out, v, sizeof v);
}

static long counter(double v) { return isnan(v) ? 0 : (long)v; }

void cs_solver_stats_unpack(const double in[CS_SOLVER_STATS_LEN], cs_solver_stats *s)
{
  *s = (cs_solver_stats){counter(in[0]), counter(in[1]), counter(in[2]), counter(in[3]), counter(in[4]),
                         counter(in[5]), counter(in[6]), counter(in[7]), counter(in[8]), in[9],
                         (int)counter(in[10]), counter(in[11])};
}

/* CVEwtFn / ARKEwtFn: the error weights for vector tolerances,
 * w = 1 / (rtol |y| + atol), as the libraries compute them, in one pass
 * instead of three (cs_nvector_ewt): nz 768 solve -2 %. solver.atol > 0
 * (its range) and every atol_scale > 0, so the weights are positive, and
 * the libraries' own check (N_VMin, made only when an atol is 0) has
 * nothing to catch. */
static int error_weights(N_Vector y, N_Vector w, void *user_data)
{
  const cs_problem *pb = user_data;
  cs_nvector_ewt(y, pb->rtol, pb->atol, w);
  return 0;
}

int cs_integrator_create(cs_problem *pb, const cs_solver_opts *opt, double t0, N_Vector y0,
                         cs_integrator **out)
{
  cs_integrator *it = calloc(1, sizeof *it);
  CS_CHECK_ALLOC(it);
  *out = it;
  it->pb = pb;
  it->max_steps = opt->max_steps; /* counted by cs_integrator_advance: the libraries' own limit is per call */
  it->comm = pb->comm;
  CS_CHECK_SUN(SUNContext_Create(&it->comm, &it->ctx));
  it->y = N_VClone(y0);
  it->atol = N_VClone(y0);
  CS_CHECK_ALLOC(it->y);
  CS_CHECK_ALLOC(it->atol);
  N_VScale(1.0, y0, it->y);

  double *a = N_VGetArrayPointer_Parallel(it->atol);
  for (long cell = 0; cell < pb->ncell; ++cell)
    for (int s = 0; s < CS_NS; ++s) a[CS_IDX(s, cell)] = opt->atol * cs_species_info[s].atol_scale;
  if (pb->rank == 0)
    for (int q = 0; q < CS_NSYNO; ++q) a[CS_NS * pb->ncell + q] = opt->atol * cs_synovial_info[q].atol_scale;
  pb->rtol = opt->rtol;
  pb->atol = it->atol;

  /* Right preconditioning: GMRES then tests the true residual of the Newton
   * system, not the preconditioned one, so an approximate preconditioner (one
   * PFMG V-cycle) cannot stop it early with an inaccurate correction whose
   * noise the error test then sees. Measured (docs/performance.md): left
   * preconditioning held pfmg at 0.009-day steps at rtol 1e-7 on the 2-D
   * lesion, and cost line 1.9x (nz 48) to 2.9x (nz 768) the steps on the
   * 1-D reference. */
  int prec = pb->pc ? SUN_PREC_RIGHT : SUN_PREC_NONE;
  if (opt->krylov == CS_KRYLOV_NONE) { /* the preconditioner alone (linsol_precond.h); opt is resolved */
    if (!pb->pc) CS_FAIL(CS_ERR_CONFIG, "solver.krylov: none needs a preconditioner (solver.precond is none)");
    it->ls = cs_linsol_precond(it->ctx);
    CS_CHECK_ALLOC(it->ls);
  } else {
    it->ls = SUNLinSol_SPGMR(it->y, prec, opt->maxl, it->ctx);
    CS_CHECK_ALLOC(it->ls);
    CS_CHECK_SUN(SUNLinSol_SPGMRSetGSType(it->ls, SUN_MODIFIED_GS));
  }
  pb->implicit_reactions = 1;
  if (opt->integrator == CS_INT_ARKODE && opt->arkode_split == CS_SPLIT_IMEX) {
    /* IMEX additive Runge-Kutta (problem.h): fe = the cartilage reactions,
     * explicit; fi = transport and the synovial fluid, implicit, with the same
     * Newton-Krylov solver. Kennedy & Carpenter's ARK pairs (stiffly accurate
     * ESDIRK + ERK sharing the weights b, so the conserved MSC balance holds
     * as for the full right-hand side); SUNDIALS 6.4 has none of order 2.
     * The explicit reactions limit the step by stability (decay rates up to
     * ~17/day): ARKODE's error control finds that limit by itself. */
    static const struct {
      ARKODE_DIRKTableID dirk;
      ARKODE_ERKTableID erk;
    } pairs[] = {{ARKODE_ARK324L2SA_DIRK_4_2_3, ARKODE_ARK324L2SA_ERK_4_2_3},
                 {ARKODE_ARK436L2SA_DIRK_6_3_4, ARKODE_ARK436L2SA_ERK_6_3_4},
                 {ARKODE_ARK548L2SA_DIRK_8_4_5, ARKODE_ARK548L2SA_ERK_8_4_5}};
    it->arkode = 1;
    it->imex = 1;
    pb->implicit_reactions = 0; /* the preconditioner should approximate I - gamma J_fi */
    it->order = opt->max_order < 3 ? 3 : opt->max_order > 5 ? 5 : opt->max_order;
    it->cvode = ARKStepCreate(cs_problem_rhs_explicit, cs_problem_rhs_implicit, t0, it->y, it->ctx);
    CS_CHECK_ALLOC(it->cvode);
    CS_CHECK_SUN(ARKStepSetTableNum(it->cvode, pairs[it->order - 3].dirk, pairs[it->order - 3].erk));
  } else if (opt->integrator == CS_INT_ARKODE) {
    /* fully implicit additive Runge-Kutta (DIRK): the whole right-hand side is
     * implicit; the same Newton-Krylov solver and preconditioner as CVODE */
    it->arkode = 1;
    /* order 2-4: the order-5 DIRK's embedded error estimate under-reports on
     * this problem (its ~1-day steps: P_s 1.5e-2 off a tight reference at
     * rtol 1e-6, order 4 3e-6; docs/config.md), and max_order's default, 5,
     * is the BDF's */
    it->order = opt->max_order < 2 ? 2 : opt->max_order > 4 ? 4 : opt->max_order;
    it->cvode = ARKStepCreate(NULL, cs_problem_rhs, t0, it->y, it->ctx);
    CS_CHECK_ALLOC(it->cvode);
    CS_CHECK_SUN(ARKStepSetOrder(it->cvode, it->order));
    /* Newton starts each stage from the last step's interpolant at the
     * stage's time (the maximum-order predictor), not from the last step's
     * solution (ARKODE's default): half the Newton iterations and a third of
     * the Krylov ones on the 2-D lesion, 3x faster (1-D: 2x). The IMEX pair
     * keeps the default: its steps are short and it took 10-35 % longer. */
    CS_CHECK_SUN(ARKStepSetPredictorMethod(it->cvode, 1));
  }
  if (it->arkode) {
    CS_CHECK_SUN(ARKStepWFtolerances(it->cvode, error_weights));
    CS_CHECK_SUN(ARKStepSetUserData(it->cvode, pb));
    CS_CHECK_SUN(ARKStepSetLinearSolver(it->cvode, it->ls, NULL));
    if (pb->pc) CS_CHECK_SUN(ARKStepSetPreconditioner(it->cvode, cs_precond_setup, cs_precond_solve));
    CS_CHECK_SUN(ARKStepSetEpsLin(it->cvode, opt->eps_lin));
    if (opt->h_max > 0) CS_CHECK_SUN(ARKStepSetMaxStep(it->cvode, opt->h_max));
    CS_CHECK_SUN(ARKStepSetErrFile(it->cvode, NULL));
    return CS_OK;
  }
  it->cvode = CVodeCreate(CV_BDF, it->ctx);
  CS_CHECK_ALLOC(it->cvode);
  CS_CHECK_SUN(CVodeInit(it->cvode, cs_problem_rhs, t0, it->y));
  CS_CHECK_SUN(CVodeWFtolerances(it->cvode, error_weights));
  CS_CHECK_SUN(CVodeSetUserData(it->cvode, pb));
  CS_CHECK_SUN(CVodeSetLinearSolver(it->cvode, it->ls, NULL));
  if (pb->pc) CS_CHECK_SUN(CVodeSetPreconditioner(it->cvode, cs_precond_setup, cs_precond_solve));
  CS_CHECK_SUN(CVodeSetEpsLin(it->cvode, opt->eps_lin));
  CS_CHECK_SUN(CVodeSetMaxOrd(it->cvode, opt->max_order));
  if (opt->h_max > 0) CS_CHECK_SUN(CVodeSetMaxStep(it->cvode, opt->h_max));
  /* errors are reported by cartsim itself, with context */
  CS_CHECK_SUN(CVodeSetErrFile(it->cvode, NULL));
  return CS_OK;
}

void cs_integrator_destroy(cs_integrator **pit)
{
  cs_integrator *it = *pit;
  if (!it) return;
  if (it->cvode && it->arkode) ARKStepFree(&it->cvode);
  if (it->cvode) CVodeFree(&it->cvode);
  if (it->ls) SUNLinSolFree(it->ls);
  if (it->y) N_VDestroy(it->y);
  if (it->pb && it->pb->atol == it->atol) it->pb->atol = NULL; /* error_weights' tolerances go with it */
  if (it->atol) N_VDestroy(it->atol);
  if (it->ctx) SUNContext_Free(&it->ctx);
  free(it);
  *pit = NULL;
}

N_Vector cs_integrator_state(cs_integrator *it) { return it->y; }

int cs_integrator_reinit(cs_integrator *it, double t)
{
  cs_solver_stats now;
  stats_now(it, &now);
  stats_add(&it->base, &now);
  if (it->imex) CS_CHECK_SUN(ARKStepReInit(it->cvode, cs_problem_rhs_explicit, cs_problem_rhs_implicit, t, it->y));
  else if (it->arkode) CS_CHECK_SUN(ARKStepReInit(it->cvode, NULL, cs_problem_rhs, t, it->y));
  else CS_CHECK_SUN(CVodeReInit(it->cvode, t, it->y));
  return CS_OK;
}

static const char *flag_hint(int flag)
{
  switch (flag) {
  case CV_TOO_MUCH_WORK: return "too many steps before the next output (raise solver.max_steps or check the parameters)";
  case CV_TOO_MUCH_ACC: return "the tolerances are too tight for double precision (loosen solver.rtol/atol)";
  case CV_ERR_FAILURE: return "repeated error-test failures: the step size underflowed (a parameter out of its physical range?)";
  case CV_CONV_FAILURE: return "repeated Newton convergence failures (try solver.precond: line, a larger solver.maxl, or tighter tolerances)";
  case CV_LSETUP_FAIL: return "the preconditioner setup failed unrecoverably";
  case CV_LSOLVE_FAIL: return "the linear solve failed unrecoverably";
  case CV_RHSFUNC_FAIL: return "the right-hand side failed (communication error)";
  case CV_REPTD_RHSFUNC_ERR: return "repeated recoverable right-hand-side errors";
  default: return "see the CVODE documentation";
  }
}

/* The component with the largest weighted local error estimate, over all
 * ranks, as text: "species c in cell (k, i, j)" or a synovial value. */
static void worst_component(cs_integrator *it, char *buf, size_t n)
{
  snprintf(buf, n, "unknown");
  N_Vector ele = N_VClone(it->y), ew = N_VClone(it->y);
  int got = ele && ew;
  if (got && it->arkode) got = ARKStepGetEstLocalErrors(it->cvode, ele) >= 0 && ARKStepGetErrWeights(it->cvode, ew) >= 0;
  else if (got) got = CVodeGetEstLocalErrors(it->cvode, ele) >= 0 && CVodeGetErrWeights(it->cvode, ew) >= 0;
  if (!got) {
    if (ele) N_VDestroy(ele);
    if (ew) N_VDestroy(ew);
    return;
  }
  const double *e = N_VGetArrayPointer_Parallel(ele), *w = N_VGetArrayPointer_Parallel(ew);
  const cs_problem *pb = it->pb;
  struct {
    double v;
    int rank;
  } mine = {-1.0, pb->rank}, best;
  long at = -1;
  for (long i = 0; i < pb->nlocal; ++i)
    if (fabs(e[i] * w[i]) > mine.v) {
      mine.v = fabs(e[i] * w[i]);
      at = i;
    }
  MPI_Allreduce(&mine, &best, 1, MPI_DOUBLE_INT, MPI_MAXLOC, it->comm);
  char text[160] = "";
  if (pb->rank == best.rank && at >= 0) {
    if (at >= CS_NS * pb->ncell) {
      snprintf(text, sizeof text, "synovial value %s", cs_synovial_info[at - CS_NS * pb->ncell].name);
    } else {
      long cell = at / CS_NS;
      int s = (int)(at % CS_NS);
      const cs_patch *pt = pb->pt;
      int k = (int)(cell % pt->n[0]), i = (int)((cell / pt->n[0]) % pt->n[1]), j = (int)(cell / (pt->n[0] * pt->n[1]));
      snprintf(text, sizeof text, "%s in cell (z %d, x %d, y %d)", cs_species_info[s].name, k + pt->off[0],
               i + pt->off[1], j + pt->off[2]);
    }
    snprintf(text + strlen(text), sizeof text - strlen(text), ", value %.3g", N_VGetArrayPointer_Parallel(it->y)[at]);
  }
  MPI_Bcast(text, sizeof text, MPI_CHAR, best.rank, it->comm);
  snprintf(buf, n, "%s (weighted error %.3g)", text, best.v);
  N_VDestroy(ele);
  N_VDestroy(ew);
}

void cs_integrator_set_interrupt(cs_integrator *it, int (*ask)(void *arg), void *arg)
{
  it->interrupt = ask;
  it->interrupt_arg = arg;
}

/* The library's normal mode, one internal step per call: the library stops
 * at tstop by itself (its TSTOP return, the state at tstop); past tout the
 * state is interpolated at tout. Its per-call step limit (max_steps) does
 * not apply to single steps, so it is counted here. */
int cs_integrator_advance(cs_integrator *it, double tout, double tstop, double *t)
{
  const sunrealtype target = tout < tstop ? tout : tstop;
  sunrealtype tret = 0, tn = 0;
  long nst = 0;
  int flag = 0;
  if (it->arkode) {
    CS_CHECK_SUN(ARKStepSetStopTime(it->cvode, tstop));
    ARKStepGetNumSteps(it->cvode, &nst);
    ARKStepGetCurrentTime(it->cvode, &tn);
  } else {
    CS_CHECK_SUN(CVodeSetStopTime(it->cvode, tstop));
    CVodeGetNumSteps(it->cvode, &nst);
    CVodeGetCurrentTime(it->cvode, &tn);
  }
  for (long taken = 0;; ++taken) {
    if (nst > 0 && tn >= target) { /* a step went past tout: the solution there */
      flag = it->arkode ? ARKStepGetDky(it->cvode, target, 0, it->y) : CVodeGetDky(it->cvode, target, 0, it->y);
      tret = target;
      break;
    }
    if (taken >= it->max_steps) {
      flag = it->arkode ? ARK_TOO_MUCH_WORK : CV_TOO_MUCH_WORK;
      tret = tn;
      break;
    }
    flag = it->arkode ? ARKStepEvolve(it->cvode, target, it->y, &tret, ARK_ONE_STEP)
                      : CVode(it->cvode, target, it->y, &tret, CV_ONE_STEP);
    if (flag < 0) break;
    ++nst;
    tn = tret;
    /* at tstop (ARK_TSTOP_RETURN has the same value): done if that is the
     * target; past tout, the solution at tout is interpolated above */
    if (flag == CV_TSTOP_RETURN && tn <= target) break;
    if (tn < target && it->interrupt && it->interrupt(it->interrupt_arg)) break;
  }
  *t = tret;
  if (flag < 0) {
    cs_solver_stats st;
    cs_integrator_stats(it, &st);
    char worst[256];
    worst_component(it, worst, sizeof worst);
    char *name = it->arkode ? ARKStepGetReturnFlagName(flag) : CVodeGetReturnFlagName(flag);
    cs_error_set(CS_ERR_SOLVER,
                 it->arkode ? "ARKODE failed at t = %.6g day (%s): %s; largest local error: %s; last step %.3g day, "
                              "order %d; %ld steps, %ld Newton and %ld Krylov iterations, %ld error-test and %ld "
                              "convergence failures" :
                 "CVODE failed at t = %.6g day (%s): %s; largest local error: %s; last step %.3g day, order %d; "
                 "%ld steps, %ld Newton and %ld Krylov iterations, %ld error-test and %ld convergence failures",
                 (double)tret, name ? name : "?", flag_hint(flag), worst, st.last_step, st.last_order, st.steps,
                 st.newton_iters, st.krylov_iters, st.err_test_fails, st.newton_conv_fails);
    free(name);
    return cs_error_trace(CS_ERR_SOLVER, __FILE__, __LINE__, "CVode");
  }
  return CS_OK;
}

void cs_integrator_set_base(cs_integrator *it, const cs_solver_stats *base) { it->base = *base; }

void cs_integrator_stats(cs_integrator *it, cs_solver_stats *st)
{
  cs_solver_stats now;
  stats_now(it, &now);
  *st = it->base;
  stats_add(st, &now);
}

void cs_integrator_print_stats(cs_integrator *it, void *file)
{
  if (it->arkode) ARKStepPrintAllStats(it->cvode, (FILE *)file, SUN_OUTPUTFORMAT_TABLE);
  else CVodePrintAllStats(it->cvode, (FILE *)file, SUN_OUTPUTFORMAT_TABLE);
}
