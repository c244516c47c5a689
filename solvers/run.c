#define _XOPEN_SOURCE 700 /* POSIX 2008 and realpath */
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <hdf5.h>
#include <limits.h>
#include <math.h>
#include <nvector/nvector_parallel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../model/initial.h"
#include "../model/observables.h"
#include "../model/outcomes.h"
#include "buildinfo.h"
#include "decomp.h"
#include "error.h"
#include "integrate.h"
#include "nvector_fast.h"
#include "io/baseline.h"
#include "io/h5out.h"
#include "io/h5read.h"
#include "io/path.h"
#include "io/state.h"
#include "precond.h"
#include "problem.h"
#include "progress.h"
#include "signals.h"

/* What is due at one observation time. */
enum { OBS_SERIES = 1, OBS_FIELDS = 2, OBS_RET30 = 4, OBS_RET180 = 8 };

typedef struct {
  double t;
  int what;
} cs_obs;

enum {
  /* first the statistics in cs_solver_stats_pack's order, then the timers */
  SV_STEPS = 0, SV_RHS, SV_NEWTON, SV_KRYLOV, SV_PSETUP, SV_PSOLVE, SV_ETF, SV_NCF, SV_LCF, SV_LAST_STEP,
  SV_LAST_ORDER, SV_PSETUP_CALLS, SV_T_RHS, SV_T_EXCH, SV_T_PSETUP, SV_T_PSOLVE, SV_T_IO, SV_T_SOLVE, SV_COUNT
};
_Static_assert((int)SV_T_RHS == (int)CS_SOLVER_STATS_LEN, "/solver starts with the packed solver statistics");
_Static_assert((int)SV_PSETUP_CALLS == (int)CS_STATE_STAT_SETUP_CALLS, "the checkpoint's optional counter is this one");
_Static_assert((int)SV_T_SOLVE - (int)SV_T_RHS == (int)CS_TIMERS_LEN, "then cs_timers as it is, then solve_seconds");

static const cs_h5_quantity solver_quantities[SV_COUNT] = {
  {"steps", "1", "integrator steps (cumulative)"},
  {"rhs_evals", "1", "right-hand-side evaluations (cumulative)"},
  {"newton_iters", "1", "Newton iterations (cumulative)"},
  {"krylov_iters", "1", "GMRES iterations (cumulative; 0 with solver.krylov none)"},
  {"prec_setups", "1", "preconditioner setups with a new Jacobian (cumulative; gamma-only updates not counted)"},
  {"prec_solves", "1", "preconditioner solves (cumulative)"},
  {"err_test_fails", "1", "local error test failures (cumulative)"},
  {"newton_conv_fails", "1", "Newton convergence failures (cumulative)"},
  {"krylov_conv_fails", "1", "GMRES convergence failures (cumulative)"},
  {"last_step", "day", "last step size"},
  {"last_order", "1", "BDF order of the last step (CVODE); the Runge-Kutta method's order (ARKODE)"},
  {"prec_setup_calls", "1", "preconditioner setups of every kind: a new Jacobian or a new gamma only (cumulative)"},
  {"rhs_seconds", "s", "wall time in the right-hand side, rank 0 (cumulative)"},
  {"exchange_seconds", "s", "wall time in halo exchanges, rank 0 (cumulative)"},
  {"prec_setup_seconds", "s", "wall time in preconditioner setups, rank 0 (cumulative)"},
  {"prec_solve_seconds", "s", "wall time in preconditioner solves, rank 0 (cumulative)"},
  {"io_seconds", "s", "wall time writing output, rank 0 (cumulative)"},
  {"solve_seconds", "s", "wall time in the time integrator, rank 0 (cumulative)"},
};

static int cmp_obs(const void *a, const void *b)
{
  double d = ((const cs_obs *)a)->t - ((const cs_obs *)b)->t;
  return d < 0 ? -1 : d > 0;
}

static int cmp_double(const void *a, const void *b)
{
  double d = *(const double *)a - *(const double *)b;
  return d < 0 ? -1 : d > 0;
}

static int same_time(double a, double b) { return fabs(a - b) <= 1e-9 * (1.0 + fabs(a)); }

/* The time-series rows make_schedule plans from t0, at most: the multiples
 * of output.dt in [t0, t_end], t0 and t_end. */
static long series_rows(const cs_config *cfg, double t0)
{
  return (long)floor((cfg->run.t_end - t0) / cfg->output.dt + 1e-9) + 3;
}

/* The observation schedule from t0: series at the multiples of output.dt
 * (aligned with runs that start at 0, so branches compare point by point),
 * at t0 and at t_end; fields at the multiples of output.fields_every;
 * retention 30 and 180 days after the first MSC injection. */
static int make_schedule(const cs_config *cfg, double t0, double first_msc_day, cs_obs **out, int *n_out)
{
  const double T = cfg->run.t_end;
  long nser = series_rows(cfg, t0);
  long nfld = cfg->output.fields_every > 0 ? (long)floor(T / cfg->output.fields_every + 1e-9) + 3 : 0;
  long cap = nser + nfld + 4;
  if (cap > 50000000) /* the config's rules keep far below (config_rules.c, check_output_steps) */
    CS_FAIL(CS_ERR_INTERNAL, "%ld output steps (output.dt = %g, output.fields_every = %g day, run.t_end = %g)", cap,
            cfg->output.dt, cfg->output.fields_every, T);
  cs_obs *o = malloc((size_t)cap * sizeof *o);
  CS_CHECK_ALLOC(o);
  int n = 0;
  o[n++] = (cs_obs){t0, OBS_SERIES | (cfg->output.fields_every > 0 ? OBS_FIELDS : 0)};
  for (long i = (long)ceil(t0 / cfg->output.dt - 1e-9); i * cfg->output.dt <= T * (1 + 1e-12); ++i)
    if (i * cfg->output.dt >= t0) o[n++] = (cs_obs){i * cfg->output.dt, OBS_SERIES};
  o[n++] = (cs_obs){T, OBS_SERIES | (cfg->output.fields_every > 0 ? OBS_FIELDS : 0)}; /* profiles at the horizon */
  if (cfg->output.fields_every > 0)
    for (long i = (long)ceil(t0 / cfg->output.fields_every - 1e-9); i * cfg->output.fields_every <= T * (1 + 1e-12); ++i)
      if (i * cfg->output.fields_every >= t0) o[n++] = (cs_obs){i * cfg->output.fields_every, OBS_FIELDS};
  if (!isnan(first_msc_day)) {
    if (first_msc_day + 30 >= t0 && first_msc_day + 30 <= T) o[n++] = (cs_obs){first_msc_day + 30, OBS_RET30};
    if (first_msc_day + 180 >= t0 && first_msc_day + 180 <= T) o[n++] = (cs_obs){first_msc_day + 180, OBS_RET180};
  }
  qsort(o, (size_t)n, sizeof *o, cmp_obs);
  int m = 0;
  for (int i = 0; i < n; ++i) {
    if (m > 0 && same_time(o[m - 1].t, o[i].t)) o[m - 1].what |= o[i].what;
    else o[m++] = o[i];
  }
  *out = o;
  *n_out = m;
  return CS_OK;
}

/* Segment ends: discontinuities and state saves inside (t0, t_end), then t_end. */
static int make_breaks(const cs_config *cfg, const cs_run_request *req, double t0, double **out, int *n_out)
{
  const double T = cfg->run.t_end;
  double *b = malloc((size_t)(cfg->n_treatments + req->n_save + 3) * sizeof *b);
  CS_CHECK_ALLOC(b);
  int n = 0;
  double cand[2] = {cfg->model.t_ins0, cfg->model.t_ins1};
  for (int q = 0; q < 2; ++q)
    if (cand[q] > t0 && cand[q] < T) b[n++] = cand[q];
  for (int e = 0; e < cfg->n_treatments; ++e)
    if (cfg->treatments[e].day > t0 && cfg->treatments[e].day < T) b[n++] = cfg->treatments[e].day;
  for (int q = 0; q < req->n_save; ++q)
    if (req->save_day[q] > t0 && req->save_day[q] < T) b[n++] = req->save_day[q];
  b[n++] = T;
  qsort(b, (size_t)n, sizeof *b, cmp_double);
  int m = 0;
  for (int i = 0; i < n; ++i)
    if (m == 0 || !same_time(b[m - 1], b[i])) b[m++] = b[i];
  *out = b;
  *n_out = m;
  return CS_OK;
}

typedef struct {
  const cs_config *cfg;
  cs_params params;              /* parameters in use (MSC potency follows the injected source) */
  cs_solver_opts solver;         /* cfg->solver with precond and krylov resolved (what runs, not auto) */
  cs_problem pb;
  cs_integrator *it;
  cs_h5out *h5;
  int series_ts, series_solver;
  double injected;               /* viable MSCs injected so far */
  double first_msc_injected;     /* cells injected by the first MSC event */
  double first_msc_day;          /* day of the first MSC event (NaN: none yet) */
  double t0;                     /* start time (0, or the saved state's day) */
  double thickness0;             /* thickness at t = 0 of the history (NaN: take the first output) */
  double t_c80;                  /* day mean c fell below 0.8 in the saved history (NaN: not yet) */
  const cs_run_request *req;
  char output_abs[8300];         /* req->output_path with its directory resolved: the states' source_output */
  int save_replace[CS_MAX_SAVES]; /* --save-state q may replace its file: this run's own (check_save_files) */
  /* rank 0: what the outcomes need */
  double *t_hist, *th_hist, *c_hist;
  int nhist, caphist;
  double last[CS_TS_COUNT];
  double retained30, retained180;
  double solve_seconds;
  double wall_before;               /* wall seconds of the segments before a --restart */
  double base_thickness, base_sauc; /* --baseline: its thickness and synovitis area at t_end (rank 0) */
  cs_progress progress;
  /* checkpoints */
  int restarting;                /* continuing from a checkpoint: day t0's events and outputs are done */
  long nhist_written, nfields_written; /* output steps and field snapshots in the file */
  char negatives[512];           /* rank 0: species that went negative beyond tolerance */
  int warned[CS_NS];
  int ckpt_seq;                  /* number of the next checkpoint file */
  int ckpt_own[2];               /* the two newest checkpoints of this run (-1: none); the only ones it removes */
  double last_ckpt_t, last_ckpt_wall;
  double last_flush_wall;        /* rank 0: wall time of the last file flush */
} cs_run_state;

static int record_history(cs_run_state *rs, const double *v)
{
  if (rs->nhist == rs->caphist) {
    int cap = rs->caphist ? 2 * rs->caphist : 256;
    double *a = realloc(rs->t_hist, (size_t)cap * sizeof(double));
    CS_CHECK_ALLOC(a);
    rs->t_hist = a;
    a = realloc(rs->th_hist, (size_t)cap * sizeof(double));
    CS_CHECK_ALLOC(a);
    rs->th_hist = a;
    a = realloc(rs->c_hist, (size_t)cap * sizeof(double));
    CS_CHECK_ALLOC(a);
    rs->c_hist = a;
    rs->caphist = cap;
  }
  rs->t_hist[rs->nhist] = v[CS_TS_TIME];
  rs->th_hist[rs->nhist] = v[CS_TS_THICKNESS];
  rs->c_hist[rs->nhist] = v[CS_TS_MEAN0 + CS_C];
  rs->nhist++;
  return CS_OK;
}

/* Observables at time t on rank 0 (reductions over all ranks). */
static int observe(cs_run_state *rs, double t, double v[CS_TS_COUNT])
{
  cs_problem *pb = &rs->pb;
  const double *u = N_VGetArrayPointer_Parallel(cs_integrator_state(rs->it));
  cs_patch_integrals loc, glob;
  cs_transport_integrals(pb->pt, u, &loc);
  CS_CHECK_MPI(MPI_Reduce(loc.u_dV, glob.u_dV, CS_PATCH_INTEGRALS_SUMLEN, MPI_DOUBLE, MPI_SUM, 0, pb->comm));
  CS_CHECK_MPI(MPI_Reduce(loc.min_value, glob.min_value, CS_NS, MPI_DOUBLE, MPI_MIN, 0, pb->comm));
  if (pb->rank == 0) cs_observables(pb->p, pb->pt->patch_area, &glob, u + CS_NS * pb->ncell, rs->injected, t, v);
  return CS_OK;
}

/* Flush the output when output.flush_seconds of wall time have passed since
 * the last flush (rank 0 decides, so all ranks agree), or when forced. */
static int maybe_flush(cs_run_state *rs, int force)
{
  int due = force;
  if (!due && rs->pb.rank == 0) {
    double fs = rs->cfg->output.flush_seconds;
    due = fs <= 0 || cs_wtime() - rs->last_flush_wall >= fs;
  }
  if (!force) CS_CHECK_MPI(MPI_Bcast(&due, 1, MPI_INT, 0, rs->pb.comm));
  if (due) {
    CS_CHECK(cs_h5out_flush(rs->h5));
    rs->last_flush_wall = cs_wtime();
  }
  return CS_OK;
}

/* Values below zero beyond 10 absolute tolerances are reported (once per
 * species on stderr, all in /meta negative_values), never passed silently. */
static void note_negatives(cs_run_state *rs, const double *v)
{
  size_t before = strlen(rs->negatives);
  if (cs_negative_values(v, rs->cfg->solver.atol, rs->warned, rs->negatives, sizeof rs->negatives))
    fprintf(stderr, "cartsim: warning: negative values beyond the tolerance: %s; tighten solver.atol/rtol\n",
            rs->negatives + before + (before ? 2 : 0));
}

static int write_outputs(cs_run_state *rs, double t, int what)
{
  cs_problem *pb = &rs->pb;
  double t0 = cs_wtime();
  double v[CS_TS_COUNT] = {0};
  CS_CHECK(observe(rs, t, v));
  if (pb->rank == 0) {
    memcpy(rs->last, v, sizeof v);
    note_negatives(rs, v);
    double frac = rs->injected > 0 ? v[CS_TS_IN_JOINT] / rs->injected : NAN;
    if (what & OBS_RET30) rs->retained30 = frac;
    if (what & OBS_RET180) rs->retained180 = frac;
  }
  if (what & OBS_SERIES) {
    if (pb->rank == 0) CS_CHECK(record_history(rs, v));
    CS_CHECK(cs_h5out_series_append(rs->h5, rs->series_ts, v));
    rs->nhist_written++;
    cs_solver_stats st;
    cs_integrator_stats(rs->it, &st);
    double sv[SV_COUNT];
    cs_solver_stats_pack(&st, sv);
    memcpy(&sv[SV_T_RHS], &pb->timers, sizeof pb->timers);
    sv[SV_T_SOLVE] = rs->solve_seconds;
    CS_CHECK(cs_h5out_series_append(rs->h5, rs->series_solver, sv));
  }
  if (what & OBS_FIELDS) {
    CS_CHECK(cs_h5out_fields_append(rs->h5, t, N_VGetArrayPointer_Parallel(cs_integrator_state(rs->it)), pb->pt));
    rs->nfields_written++;
  }
  if (what & (OBS_SERIES | OBS_FIELDS)) CS_CHECK(maybe_flush(rs, 0));
  pb->timers.io += cs_wtime() - t0;
  if (pb->rank == 0) cs_progress_update(&rs->progress, t);
  return CS_OK;
}

/* Apply the treatments of day t to the synovial values on rank 0. */
static void apply_events(cs_run_state *rs, double t)
{
  cs_problem *pb = &rs->pb;
  double *syn = N_VGetArrayPointer_Parallel(cs_integrator_state(rs->it)) + CS_NS * pb->ncell;
  for (int e = 0; e < rs->cfg->n_treatments; ++e) {
    const cs_treatment *tr = &rs->cfg->treatments[e];
    if (!same_time(tr->day, t)) continue;
    double syn_dummy[CS_NSYNO] = {0};
    double cells = cs_treatment_apply(tr, &rs->cfg->model, &rs->params, pb->rank == 0 ? syn : syn_dummy);
    rs->injected += cells;
    if (tr->type == CS_TREAT_MSC && isnan(rs->first_msc_day)) {
      rs->first_msc_injected = cells;
      rs->first_msc_day = t;
    }
  }
}

static int in_injury_window(const cs_params *p, double t) { return t >= p->t_ins0 && t < p->t_ins1; }

/* Save the full state at t (before that day's events) where asked. */
static int save_states(cs_run_state *rs, double t)
{
  const cs_run_request *req = rs->req;
  cs_problem *pb = &rs->pb;
  for (int q = 0; q < req->n_save; ++q) {
    if (!same_time(req->save_day[q], t)) continue;
    const double *u = N_VGetArrayPointer_Parallel(cs_integrator_state(rs->it));
    double now[CS_TS_COUNT] = {0};
    CS_CHECK(observe(rs, t, now)); /* collective: every rank saves */
    double tc = rs->t_c80;
    if (isnan(tc) && pb->rank == 0) tc = cs_first_crossing_below(rs->t_hist, rs->c_hist, rs->nhist, 0.8);
    if (isnan(tc) && pb->rank == 0 && rs->nhist > 0) {
      /* Mean c may cross 0.8 after the last output step before t: between
       * that row and t itself (the branch's first row, already below). */
      const double tt[2] = {rs->t_hist[rs->nhist - 1], t}, cc[2] = {rs->c_hist[rs->nhist - 1], now[CS_TS_MEAN0 + CS_C]};
      if (tt[0] < t) tc = cs_first_crossing_below(tt, cc, 2, 0.8);
    }
    cs_state_info info;
    memset(&info, 0, sizeof info);
    info.time = t;
    info.injected = rs->injected;
    info.first_msc_injected = rs->first_msc_injected;
    info.first_msc_day = rs->first_msc_day;
    info.q_RE_in_use = rs->params.q_RE;
    info.K_MSC_in_use = rs->params.K_MSC;
    info.thickness0 = pb->rank == 0 ? (isnan(rs->thickness0) ? rs->th_hist[0] : rs->thickness0) : 0;
    info.t_c80 = tc;
    info.retained30 = rs->retained30; /* measured in this history already (NaN: not yet) */
    info.retained180 = rs->retained180;
    const int force = req->force || rs->save_replace[q];
    CS_CHECK(cs_state_save(req->save_path[q], force, pb->comm, rs->cfg, pb->pt, u, u + CS_NS * pb->ncell, &info,
                           rs->output_abs));
  }
  return CS_OK;
}


/* ---- which file is which ------------------------------------------------------ */

/* path with its directory resolved (the file itself need not exist), so
 * that "x.h5" and "./x.h5" compare equal. */
static void resolved_path(const char *path, char *out, size_t n)
{
  char dir[4096], real[PATH_MAX];
  cs_path_dir(path, dir, sizeof dir);
  if (!realpath(dir, real)) snprintf(real, sizeof real, "%s", dir);
  const char *slash = strrchr(path, '/');
  snprintf(out, n, "%s/%s", real, slash ? slash + 1 : path);
}

/* Do paths a and b name the same file? Two that exist are compared by
 * identity (device and inode): a symbolic or hard link to a file is that
 * file, whatever its name. Otherwise by their resolved paths. */
static int same_file(const char *a, const char *b)
{
  struct stat sa, sb;
  if (stat(a, &sa) == 0 && stat(b, &sb) == 0) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  char ra[8300], rb[8300];
  resolved_path(a, ra, sizeof ra);
  resolved_path(b, rb, sizeof rb);
  return !strcmp(ra, rb);
}

/* ---- checkpoints ------------------------------------------------------------ */

/* Checkpoint numbers are 0 .. CS_CKPT_MAX_NUM: a file OUT.ckpt.<n>.h5 with
 * a larger n is no checkpoint (and the next number never overflows). */
enum { CS_CKPT_MAX_NUM = 1000000000 };

static void checkpoint_path(const char *out, int seq, char *buf, size_t n) { snprintf(buf, n, "%s.ckpt.%d.h5", out, seq); }

/* Wall seconds of the run so far: the segments before a --restart and this one. */
static double run_wall_seconds(const cs_run_state *rs) { return rs->wall_before + cs_wtime() - rs->req->wall_start; }

/* Everything a restart needs beyond the solution (rank 0's values). */
static void checkpoint_info(cs_run_state *rs, double t, cs_state_info *info)
{
  memset(info, 0, sizeof *info);
  info->time = t;
  info->injected = rs->injected;
  info->first_msc_injected = rs->first_msc_injected;
  info->first_msc_day = rs->first_msc_day;
  info->q_RE_in_use = rs->params.q_RE;
  info->K_MSC_in_use = rs->params.K_MSC;
  if (rs->pb.rank == 0) {
    info->thickness0 = isnan(rs->thickness0) ? rs->th_hist[0] : rs->thickness0;
    info->t_c80 = !isnan(rs->t_c80) ? rs->t_c80 : cs_first_crossing_below(rs->t_hist, rs->c_hist, rs->nhist, 0.8);
    info->last_thickness = rs->last[CS_TS_THICKNESS];
    info->last_mean_c = rs->last[CS_TS_MEAN0 + CS_C];
  }
  info->n_series = (double)rs->nhist_written;
  info->n_fields = (double)rs->nfields_written;
  info->retained30 = rs->retained30;
  info->retained180 = rs->retained180;
  info->solve_seconds = rs->solve_seconds;
  info->wall_seconds = run_wall_seconds(rs);
  info->last_checkpoint_t = t;
  cs_solver_stats st;
  cs_integrator_stats(rs->it, &st);
  _Static_assert(sizeof info->stats == CS_SOLVER_STATS_LEN * sizeof(double), "a checkpoint holds the packed stats");
  cs_solver_stats_pack(&st, info->stats);
  _Static_assert(sizeof info->timers == sizeof(cs_timers), "a checkpoint holds cs_timers as it is");
  memcpy(info->timers, &rs->pb.timers, sizeof info->timers);
}

/* Write checkpoint number ckpt_seq and remove this run's one before the
 * previous (never a file it did not write, nor one it reads). */
static int write_checkpoint(cs_run_state *rs, double t)
{
  cs_problem *pb = &rs->pb;
  const cs_run_request *req = rs->req;
  char path[4200], old[4200];
  checkpoint_path(req->output_path, rs->ckpt_seq, path, sizeof path);
  cs_state_info info;
  checkpoint_info(rs, t, &info);
  const double *u = N_VGetArrayPointer_Parallel(cs_integrator_state(rs->it));
  CS_CHECK(cs_state_save(path, 1, pb->comm, rs->cfg, pb->pt, u, u + CS_NS * pb->ncell, &info, rs->output_abs));
  if (pb->rank == 0 && rs->ckpt_own[0] >= 0) {
    checkpoint_path(req->output_path, rs->ckpt_own[0], old, sizeof old);
    if (!(req->from_state && same_file(old, req->from_state)) && !(req->baseline && same_file(old, req->baseline)))
      unlink(old);
  }
  rs->ckpt_own[0] = rs->ckpt_own[1];
  rs->ckpt_own[1] = rs->ckpt_seq;
  rs->ckpt_seq++;
  rs->last_ckpt_t = t;
  rs->last_ckpt_wall = cs_wtime();
  return CS_OK;
}

/* After an output step: a checkpoint when one is due, and a clean stop when
 * a signal arrived (decided on rank 0 and shared, so all ranks agree). */
static int after_output(cs_run_state *rs, double t)
{
  const cs_output_opts *o = &rs->cfg->output;
  int act[2] = {0, cs_signals_pending()};
  if (rs->pb.rank == 0) {
    act[0] = (o->checkpoint_every > 0 && t - rs->last_ckpt_t >= o->checkpoint_every * (1 - 1e-9)) ||
             (o->checkpoint_minutes > 0 && cs_wtime() - rs->last_ckpt_wall >= 60 * o->checkpoint_minutes);
  }
  CS_CHECK_MPI(MPI_Allreduce(MPI_IN_PLACE, act + 1, 1, MPI_INT, MPI_MAX, rs->pb.comm));
  CS_CHECK_MPI(MPI_Bcast(act, 1, MPI_INT, 0, rs->pb.comm));
  if (act[0] || act[1]) {
    CS_CHECK(maybe_flush(rs, 1)); /* the file holds every step the checkpoint counts */
    CS_CHECK(write_checkpoint(rs, t));
  }
  if (act[1]) {
    char path[4200];
    checkpoint_path(rs->req->output_path, rs->ckpt_seq - 1, path, sizeof path);
    const char *from = rs->req->from_state;
    if (rs->req->resume_advice) /* a sweep row: the sweep command continues it */
      CS_FAIL(CS_ERR_INTERRUPTED, "stopped by signal %d at day %g; checkpoint %s written: %s", act[1], t, path,
              rs->req->resume_advice);
    const char *cmd = rs->req->command_line; /* shell-quoted (main.c): pasted, it runs */
    if (cmd && strlen(cmd) < 700)
      CS_FAIL(CS_ERR_INTERRUPTED, "stopped by signal %d at day %g; checkpoint %s written: continue with the same "
              "command plus --restart: %s%s", act[1], t, path, cmd, rs->req->restart ? "" : " --restart");
    CS_FAIL(CS_ERR_INTERRUPTED, "stopped by signal %d at day %g; checkpoint %s written: continue with the same "
            "command plus --restart (`cartsim run %s -o %s%s%s --restart` and the run's --set/--save-state options)",
            act[1], t, path, rs->cfg->path, rs->req->output_path, from ? " --from-state " : "", from ? from : "");
  }
  return CS_OK;
}

/* Asked by the integrator after every internal step: has a rank received
 * SIGINT/SIGTERM? One small reduction on several ranks, so that all stop at
 * the same step. */
static int signal_agreed(void *arg)
{
  const cs_run_state *rs = arg;
  int flag = cs_signals_pending(), size = 1;
  MPI_Comm_size(rs->pb.comm, &size);
  if (size > 1 && MPI_Allreduce(MPI_IN_PLACE, &flag, 1, MPI_INT, MPI_MAX, rs->pb.comm) != MPI_SUCCESS)
    return 0; /* an MPI failure shows at the next collective, with its own message */
  return flag;
}

/* A signal stopped the integrator at t, between two output times: that
 * state becomes a series row and a checkpoint (after_output), and the run
 * ends with CS_ERR_INTERRUPTED. --restart continues from t; the output then
 * has this one extra row at the interruption time. */
static int stop_between_outputs(cs_run_state *rs, double t)
{
  CS_CHECK(write_outputs(rs, t, OBS_SERIES));
  CS_CHECK(after_output(rs, t));
  CS_FAIL(CS_ERR_INTERNAL, "stopped at day %g without an agreed signal", t); /* after_output returned ok */
}

/* Integrate to tout without passing tstop, timed as solve time. A signal
 * that stopped the integrator before min(tout, tstop) ends the run there
 * (stop_between_outputs). */
static int advance_to(cs_run_state *rs, double tout, double tstop, double *t)
{
  const double w0 = cs_wtime(), target = tout < tstop ? tout : tstop;
  int rc = cs_integrator_advance(rs->it, tout, tstop, t);
  rs->solve_seconds += cs_wtime() - w0;
  if (rc == CS_OK && *t < target && !same_time(*t, target)) rc = stop_between_outputs(rs, *t);
  return rc;
}

/* Is `name` (a file name, no directory) BASE.ckpt.<n>.h5, or with
 * `partial_too` also BASE.ckpt.<n>.h5.partial (the name a checkpoint is
 * written under)? Then *num = n. */
static int checkpoint_name(const char *base, const char *name, int partial_too, int *num)
{
  const size_t blen = strlen(base);
  if (strncmp(name, base, blen) != 0 || strncmp(name + blen, ".ckpt.", 6) != 0) return 0;
  const char *digits = name + blen + 6;
  if (*digits < '0' || *digits > '9') return 0;
  char *end;
  errno = 0;
  const long n = strtol(digits, &end, 10);
  if (errno || n > CS_CKPT_MAX_NUM || !(!strcmp(end, ".h5") || (partial_too && !strcmp(end, ".h5.partial"))))
    return 0;
  *num = (int)n;
  return 1;
}

/* The numbers n of the files OUT.ckpt.<n>.h5 that exist, ascending (at most
 * cap of them); *next: one more than the largest of all (0 if none). */
static int list_checkpoints(const char *out, int *nums, int cap, int *next)
{
  char dir[4200];
  const char *slash = strrchr(out, '/');
  const char *base = slash ? slash + 1 : out;
  cs_path_dir(out, dir, sizeof dir);
  *next = 0;
  DIR *d = opendir(dir);
  if (!d) return 0;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    int num;
    if (!checkpoint_name(base, e->d_name, 0, &num)) continue;
    if (num >= *next) *next = num + 1;
    if (n < cap) nums[n++] = num;
  }
  closedir(d);
  for (int i = 1; i < n; ++i) /* insertion sort: a handful of files */
    for (int j = i; j > 0 && nums[j - 1] > nums[j]; --j) {
      int t = nums[j];
      nums[j] = nums[j - 1];
      nums[j - 1] = t;
    }
  return n;
}

/* Does `path` name one of the output's checkpoints, or the name one is
 * written under (OUT.ckpt.<n>.h5[.partial] in the output's directory)? */
static int is_checkpoint_of(const char *out, const char *path)
{
  char ro[8300], rp[8300];
  resolved_path(out, ro, sizeof ro);
  resolved_path(path, rp, sizeof rp);
  const char *so = strrchr(ro, '/'), *sp = strrchr(rp, '/');
  int num;
  return so - ro == sp - rp && !strncmp(ro, rp, (size_t)(so - ro)) && checkpoint_name(so + 1, sp + 1, 1, &num);
}

/* Is `path` a cartsim state file (attribute kind = "cartsim-state")? */
static int is_state_file(const char *path)
{
  hid_t f, a = H5I_INVALID_HID;
  int yes = 0;
  H5E_BEGIN_TRY {
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f >= 0) a = H5Aopen(f, "kind", H5P_DEFAULT);
  } H5E_END_TRY;
  if (a >= 0) {
    hid_t t = H5Aget_type(a), sp = H5Aget_space(a);
    char kind[32] = "";
    if (H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) == 0 && H5Tget_size(t) < sizeof kind &&
        H5Sget_simple_extent_npoints(sp) == 1 && H5Aread(a, t, kind) >= 0)
      yes = !strncmp(kind, "cartsim-state", sizeof kind);
    H5Sclose(sp);
    H5Tclose(t);
    H5Aclose(a);
  }
  if (f >= 0) H5Fclose(f);
  return yes;
}

/* A new output of this name (a first run, or --force) starts its checkpoints
 * afresh: those of an earlier run of the name would be taken by a later
 * --restart of this one and refused ("the output holds 14 steps, the
 * checkpoint 101"); they cannot continue the new file, so they go. Only
 * checkpoints, though: a file of such a name that is not a cartsim state (a
 * copy of a run, say), or that this run reads, is kept, with a warning, and
 * the run numbers its own checkpoints after every kept one. Returns the
 * number of the run's first checkpoint. */
static int remove_stale_checkpoints(const cs_run_request *req)
{
  const char *out = req->output_path;
  int nums[64], kept[256], nkept = 0, n, removed, next;
  char path[4200];
  do {
    removed = 0;
    n = list_checkpoints(out, nums, 64, &next);
    for (int i = 0; i < n; ++i) {
      int known = 0;
      for (int k = 0; k < nkept; ++k) known = known || kept[k] == nums[i];
      if (known) continue;
      checkpoint_path(out, nums[i], path, sizeof path);
      const int input = (req->from_state && same_file(path, req->from_state)) ||
                        (req->baseline && same_file(path, req->baseline));
      if (input || !is_state_file(path)) {
        if (input)
          fprintf(stderr, "cartsim: warning: kept %s, which this run reads (a new run of %s removes the checkpoints "
                  "of an earlier one): rename it, or a --restart of this run may take it\n", path, out);
        else
          fprintf(stderr, "cartsim: warning: kept %s: not a cartsim checkpoint (a new run of %s removes the "
                  "checkpoints of an earlier one; --restart skips it)\n", path, out);
        if (nkept < (int)(sizeof kept / sizeof *kept)) kept[nkept++] = nums[i];
        else break;
      } else if (unlink(path) == 0) {
        removed = 1;
      } else {
        break;
      }
    }
  } while (removed && n == 64);
  list_checkpoints(out, nums, 0, &next);
  return next;
}

/* The newest readable checkpoint of `out` (number in *seq) whose config
 * fingerprint is `fp`, and the newest before it with that fingerprint
 * (*older, -1 if none: the interrupted run's previous one, which its
 * restart removes in its turn); CS_ERR_CONFIG if only other configs' exist.
 * *next: the number after every file of a checkpoint's name (the
 * restart's next checkpoint replaces none of them). Rank 0 lists the
 * directory, so every rank sees the same list. */
static int find_checkpoint(const char *out, const char *fp, MPI_Comm comm, int *seq, int *older, int *next)
{
  int nums[65] = {0}, n = 0, rank; /* nums[64]: the next number */
  MPI_Comm_rank(comm, &rank);
  if (rank == 0) n = list_checkpoints(out, nums, 64, &nums[64]);
  CS_CHECK_MPI(MPI_Bcast(&n, 1, MPI_INT, 0, comm));
  CS_CHECK_MPI(MPI_Bcast(nums, 65, MPI_INT, 0, comm));
  *next = nums[64];
  *seq = *older = -1;
  int found_other = -1, unreadable = -1, nunreadable = 0;
  for (int i = n - 1; i >= 0 && *older < 0; --i) {
    char path[4200], have[17];
    checkpoint_path(out, nums[i], path, sizeof path);
    if (cs_state_fingerprint(path, comm, have) != CS_OK) { /* unreadable: a partial write */
      cs_error_clear();
      if (unreadable < 0) unreadable = nums[i];
      nunreadable++;
      continue;
    }
    if (!strcmp(have, fp)) {
      if (*seq < 0) *seq = nums[i];
      else *older = nums[i];
    } else if (found_other < 0) {
      found_other = nums[i];
    }
  }
  if (*seq < 0 && found_other >= 0) {
    char path[4200];
    checkpoint_path(out, found_other, path, sizeof path);
    CS_FAIL(CS_ERR_CONFIG, "--restart: checkpoint %s was written with another config (fingerprints differ); "
            "restart with the config and --set options of the interrupted run", path);
  }
  if (*seq < 0 && unreadable >= 0) {
    char path[4200];
    checkpoint_path(out, unreadable, path, sizeof path);
    CS_FAIL(CS_ERR_IO, "--restart: no readable checkpoint of %s: %s%s is not a readable cartsim state file (cut short "
            "by a kill or a full disk?)", out, path, nunreadable > 1 ? " (and every older one)" : "");
  }
  if (*seq < 0) CS_FAIL(CS_ERR_IO, "--restart: no checkpoint %s.ckpt.<n>.h5 found (set output.checkpoint_every)", out);
  return CS_OK;
}

static int time_loop(cs_run_state *rs)
{
  const cs_config *cfg = rs->cfg;
  cs_obs *obs = NULL;
  double *breaks = NULL;
  int nobs = 0, nbreak = 0, rc = CS_OK;
  double t = rs->t0;
  if (!rs->restarting) apply_events(rs, t); /* a checkpoint is taken after its day's events */
  double first_msc = rs->first_msc_day;
  for (int e = 0; e < cfg->n_treatments && isnan(first_msc); ++e)
    if (cfg->treatments[e].type == CS_TREAT_MSC) first_msc = cfg->treatments[e].day;
  for (int e = 0; e < cfg->n_treatments; ++e) /* the first MSC event may come later than another one */
    if (cfg->treatments[e].type == CS_TREAT_MSC && cfg->treatments[e].day < first_msc) first_msc = cfg->treatments[e].day;
  if ((rc = make_schedule(cfg, t, first_msc, &obs, &nobs)) || (rc = make_breaks(cfg, rs->req, t, &breaks, &nbreak)))
    goto done;

  int io = 0;
  if (io < nobs && same_time(obs[io].t, t)) {
    if (!rs->restarting && (rc = write_outputs(rs, t, obs[io].what))) goto done;
    ++io;
  }
  if ((rc = cs_integrator_reinit(rs->it, t))) goto done; /* events of the first day changed the state */
  for (int b = 0; b < nbreak; ++b) {
    const double tb = breaks[b];
    rs->pb.injury_on = in_injury_window(&cfg->model, t);
    while (io < nobs && obs[io].t < tb && !same_time(obs[io].t, tb)) {
      if ((rc = advance_to(rs, obs[io].t, tb, &t)) || (rc = write_outputs(rs, obs[io].t, obs[io].what)) ||
          (rc = after_output(rs, obs[io].t)))
        goto done;
      ++io;
    }
    if ((rc = advance_to(rs, tb, tb, &t))) goto done;
    t = tb;
    int last = b == nbreak - 1;
    if ((rc = save_states(rs, t))) goto done; /* before the events of day t */
    if (!last) apply_events(rs, t);
    if (io < nobs && same_time(obs[io].t, t)) {
      if ((rc = write_outputs(rs, t, obs[io].what))) goto done;
      ++io;
    }
    if (!last && (rc = after_output(rs, t))) goto done;
    if (!last && (rc = cs_integrator_reinit(rs->it, t))) goto done;
  }
  /* Write what is still buffered now, so that the run's wall_seconds (taken
   * in write_footer, before the file is closed) include every output write. */
  double w0 = cs_wtime();
  rc = maybe_flush(rs, 1);
  rs->pb.timers.io += cs_wtime() - w0;
done:
  free(obs);
  free(breaks);
  return rc;
}

static int write_header(cs_run_state *rs, const cs_run_request *req, int nranks)
{
  const cs_config *cfg = rs->cfg;
  cs_h5out *h = rs->h5;
  char buf[256];
  CS_CHECK(cs_h5out_meta_string(h, "cartsim_version", cs_version()));
  CS_CHECK(cs_h5out_meta_string(h, "git_sha", cs_git_sha()));
  CS_CHECK(cs_h5out_meta_string(h, "cpu_clones", cs_cpu_clones()));
  cs_sundials_version(buf, sizeof buf);
  CS_CHECK(cs_h5out_meta_string(h, "sundials_version", buf));
  cs_hdf5_version(buf, sizeof buf);
  CS_CHECK(cs_h5out_meta_string(h, "hdf5_version", buf));
  cs_mpi_version(buf, sizeof buf);
  CS_CHECK(cs_h5out_meta_string(h, "mpi_version", buf));
  CS_CHECK(cs_h5out_meta_int(h, "ranks", nranks));
  CS_CHECK(cs_h5out_meta_string(h, "command_line", req->command_line ? req->command_line : ""));
  cs_utc_now(buf, sizeof buf);
  CS_CHECK(cs_h5out_meta_string(h, "start_time", buf));
  CS_CHECK(cs_h5out_meta_string(h, "description", cfg->description));
  CS_CHECK(cs_h5out_meta_string(h, "config_path", cfg->path));
  char state[4096 + 256] = "";
  if (req->from_state) resolved_path(req->from_state, state, sizeof state); /* found again from anywhere */
  CS_CHECK(cs_h5out_meta_string(h, "from_state", state));
  CS_CHECK(cs_h5out_meta_double(h, "t_start", rs->t0));
  char fp[17];
  cs_config_fingerprint(cfg, fp);
  CS_CHECK(cs_h5out_meta_string(h, "config_fingerprint", fp));
  char *yaml = cs_config_to_yaml(cfg);
  CS_CHECK_ALLOC(yaml);
  int rc = cs_h5out_config_text(h, yaml);
  free(yaml);
  CS_CHECK(rc);
  CS_CHECK(cs_h5out_parameters(h, &cs_params_table, &cfg->model));
  CS_CHECK(cs_h5out_parameters(h, &cs_grid_table, &cfg->grid));
  CS_CHECK(cs_h5out_parameters(h, &cs_initial_table, &cfg->initial));
  CS_CHECK(cs_h5out_parameters(h, &cs_solver_table, &rs->solver));
  CS_CHECK(cs_h5out_parameters(h, &cs_output_table, &cfg->output));
  CS_CHECK(cs_h5out_parameters(h, &cs_run_table, &cfg->run));
  CS_CHECK(cs_h5out_grid(h, &cfg->grid, cfg->model.H));

  const char *types[CS_MAX_TREATMENTS], *sources[CS_MAX_TREATMENTS];
  double day[CS_MAX_TREATMENTS], dose[CS_MAX_TREATMENTS], via[CS_MAX_TREATMENTS], cells[CS_MAX_TREATMENTS];
  for (int e = 0; e < cfg->n_treatments; ++e) {
    const cs_treatment *t = &cfg->treatments[e];
    types[e] = cs_opt_choice_name(cs_opt_find(&cs_treatment_table, "type"), t->type);
    sources[e] = t->type == CS_TREAT_MSC ? cs_opt_choice_name(cs_opt_find(&cs_treatment_table, "source"), t->source)
                                         : "-";
    day[e] = t->day;
    dose[e] = t->dose;
    via[e] = t->viability;
    cells[e] = cs_treatment_cells(t);
  }
  const cs_h5_treatments rows = {types, sources, day, dose, via, cells};
  CS_CHECK(cs_h5out_treatments(h, &rows, cfg->n_treatments));
  return CS_OK;
}

/* The time series and field datasets: created, or opened again on restart. */
static int define_outputs(cs_run_state *rs)
{
  const cs_config *cfg = rs->cfg;
  cs_h5out *h = rs->h5;
  cs_ts_info info[CS_TS_COUNT];
  cs_observables_info(info);
  cs_h5_quantity q[CS_TS_COUNT];
  for (int i = 0; i < CS_TS_COUNT; ++i) q[i] = (cs_h5_quantity){info[i].name, info[i].units, info[i].long_name};
  const long rows = series_rows(cfg, rs->t0); /* sizes the chunks */
  CS_CHECK(cs_h5out_series_define(h, "timeseries", q, CS_TS_COUNT, rows, &rs->series_ts));
  CS_CHECK(cs_h5out_series_define(h, "solver", solver_quantities, SV_COUNT, rows, &rs->series_solver));
  if (cfg->output.fields_every > 0) {
    cs_h5_quantity f[CS_NS];
    for (int s = 0; s < CS_NS; ++s)
      f[s] = (cs_h5_quantity){cs_species_info[s].name, cs_species_info[s].unit, cs_species_info[s].long_name};
    CS_CHECK(cs_h5out_fields_define(h, f, CS_NS, rs->pb.pt, cfg->output.compress));
  }
  return cs_h5out_flush(h);
}

/* --baseline, read before the run: a wrong path fails now, not at the end.
 * Collective; the values stay on rank 0. */
static int load_baseline(cs_run_state *rs)
{
  int rc = CS_OK;
  if (rs->pb.rank == 0)
    rc = cs_baseline_read(rs->req->baseline, rs->cfg, rs->cfg->run.t_end, &rs->base_thickness, &rs->base_sauc);
  CS_CHECK_MPI(MPI_Bcast(&rc, 1, MPI_INT, 0, rs->pb.comm));
  if (rc) return cs_error_trace(rc, __FILE__, __LINE__, "cs_baseline_read");
  return CS_OK;
}

/* GMRES stopped short of eps_lin in more than this share of the Newton
 * iterations: CVODE goes on with the partial correction, and the answer can
 * be far less accurate than rtol (precond none/jacobi or a small maxl: 1e-4
 * off at rtol 1e-6 on the 1-D reference, with 3,000 such failures). */
#define KRYLOV_FAIL_SHARE 0.05

/* /meta of a run that ends (complete, failed in the solver, interrupted):
 * end time, wall and solve seconds, the negative values met, and a warning
 * when the linear solves often did not converge (also on stderr). */
static int write_run_record(cs_run_state *rs)
{
  cs_h5out *h = rs->h5;
  char buf[64], warn[400] = "";
  cs_utc_now(buf, sizeof buf);
  CS_CHECK(cs_h5out_meta_string(h, "end_time", buf));
  double solve = rs->solve_seconds, wall = run_wall_seconds(rs);
  CS_CHECK_MPI(MPI_Bcast(&solve, 1, MPI_DOUBLE, 0, rs->pb.comm));
  CS_CHECK_MPI(MPI_Bcast(&wall, 1, MPI_DOUBLE, 0, rs->pb.comm));
  CS_CHECK(cs_h5out_meta_double(h, "solve_seconds", solve));
  CS_CHECK(cs_h5out_meta_string(h, "negative_values", rs->negatives));
  CS_CHECK(cs_h5out_meta_double(h, "wall_seconds", wall));
  cs_solver_stats st;
  cs_integrator_stats(rs->it, &st);
  if (st.krylov_conv_fails > 10 && st.krylov_conv_fails > KRYLOV_FAIL_SHARE * st.newton_iters) {
    snprintf(warn, sizeof warn, "GMRES did not converge in %ld of %ld Newton iterations: the results can be less "
             "accurate than solver.rtol; %s", st.krylov_conv_fails, st.newton_iters,
             cs_krylov_advice(rs->solver.precond));
    if (rs->pb.rank == 0) fprintf(stderr, "cartsim: warning: %s\n", warn);
  }
  CS_CHECK(cs_h5out_meta_string(h, "solver_warning", warn));
  return CS_OK;
}

static int write_footer(cs_run_state *rs, const cs_run_request *req)
{
  cs_h5out *h = rs->h5;
  double out[CS_OUT_COUNT + 2];
  int nout = CS_OUT_COUNT + (req->baseline ? 2 : 0);
  if (rs->pb.rank == 0) {
    int n = rs->nhist;
    double th0 = isnan(rs->thickness0) ? rs->th_hist[0] : rs->thickness0;
    out[CS_OUT_THICK_MM] = th0 - rs->th_hist[n - 1];
    out[CS_OUT_THICK_PCT] = 100.0 * out[CS_OUT_THICK_MM] / th0;
    double tc = !isnan(rs->t_c80) ? rs->t_c80 : cs_first_crossing_below(rs->t_hist, rs->c_hist, n, 0.8);
    out[CS_OUT_YEARS_C80] = tc / CS_DAYS_PER_YEAR;
    out[CS_OUT_SAUC] = rs->last[CS_TS_SAUC];
    out[CS_OUT_RET30] = rs->retained30;
    out[CS_OUT_RET180] = rs->retained180;
    if (req->baseline) {
      out[CS_OUT_COUNT] = 100.0 * (rs->th_hist[n - 1] - rs->base_thickness) / th0;
      out[CS_OUT_COUNT + 1] = rs->base_sauc - rs->last[CS_TS_SAUC];
    }
  }
  cs_h5_quantity q[CS_OUT_COUNT + 2];
  for (int i = 0; i < CS_OUT_COUNT; ++i)
    q[i] = (cs_h5_quantity){cs_outcomes_info[i].name, cs_outcomes_info[i].units, cs_outcomes_info[i].long_name};
  q[CS_OUT_COUNT] = (cs_h5_quantity){"benefit_thickness_points", "%",
                                     "thickness at the horizon minus the baseline's, percent of the initial thickness"};
  q[CS_OUT_COUNT + 1] = (cs_h5_quantity){"benefit_synovitis_auc", "day",
                                         "synovitis area of the baseline minus this run's"};
  CS_CHECK(cs_h5out_outcomes(h, q, out, nout));
  return write_run_record(rs);
}

static int initial_state(const cs_config *cfg, const cs_problem *pb, N_Vector y)
{
  double *u = N_VGetArrayPointer_Parallel(y);
  const cs_patch *pt = pb->pt;
  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i)
      for (int k = 0; k < pt->n[0]; ++k)
        cs_initial_cell(&cfg->initial, &cfg->model, &cfg->grid, k + pt->off[0], i + pt->off[1], j + pt->off[2],
                        &u[CS_IDX(0, cs_cell(pt, k, i, j))]);
  if (pb->rank == 0) cs_initial_synovial(&cfg->initial, u + CS_NS * pb->ncell);
  return CS_OK;
}

/* Refuse `path`, a file the run writes (given by option `opt`), if it is the
 * config or a file of its base: chain. CS_ERR_USAGE naming both. */
static int not_the_config(const cs_config *cfg, const char *opt, const char *path, const char *advice)
{
  for (int i = 0; i < cfg->n_files; ++i) {
    if (!same_file(path, cfg->files[i])) continue;
    if (i == 0)
      CS_FAIL(CS_ERR_USAGE, "%s%s is the config file %s: %s (--force replaces an old result, never an input)", opt,
              path, cfg->files[0], advice);
    CS_FAIL(CS_ERR_USAGE, "%s%s is %s, a base: file of the config %s: %s (--force replaces an old result, never an "
            "input)", opt, path, cfg->files[i], cfg->files[0], advice);
  }
  return CS_OK;
}

/* The request before anything is computed or written. A branch must end
 * after its state's day; its state file and the baseline are not the
 * output; treatments and state saves must lie in [t0, t_end]
 * (a branch cannot change its history); each
 * state file is its own (not the output, not another save, not an input);
 * whether it can be written is check_save_files'. A restart continues the
 * same command: treatments before the checkpoint were applied and states
 * saved up to its day (t0 included) were written by the interrupted run;
 * neither is done again. */
static int check_request(const cs_config *cfg, const cs_run_request *req, double t0)
{
  if (req->from_state && !req->restart && (cfg->run.t_end < t0 || same_time(cfg->run.t_end, t0)))
    CS_FAIL(CS_ERR_CONFIG, "run.t_end = %g is not after day %g, where the run starts from %s: nothing to simulate "
            "(a branch continues its history: give a later run.t_end)", cfg->run.t_end, t0, req->from_state);
  for (int e = 0; e < cfg->n_treatments && !req->restart; ++e)
    if (cfg->treatments[e].day < t0 && !same_time(cfg->treatments[e].day, t0))
      CS_FAIL(CS_ERR_CONFIG, "treatments[%d].day = %g is before day %g, where the run starts from %s", e,
              cfg->treatments[e].day, t0, req->from_state);
  /* The run's inputs are never its outputs, --force or not (--force
   * replaces an old result, not what the run reads): not the config or a
   * base: file of it, not the state or baseline it reads, also when named
   * through a symbolic or hard link. */
  const char *const input_opt[2] = {"--from-state", "--baseline"}, *const input[2] = {req->from_state, req->baseline};
  CS_CHECK(not_the_config(cfg, "-o ", req->output_path, "write the run to another file"));
  for (int q = 0; q < 2; ++q) {
    if (input[q] && same_file(input[q], req->output_path)) /* read now, then overwritten by the output */
      CS_FAIL(CS_ERR_USAGE, "%s %s is the output file (-o %s): write the run to another file", input_opt[q], input[q],
              req->output_path);
  }
  for (int q = 0; q < req->n_save; ++q) {
    const double day = req->save_day[q];
    const char *path = req->save_path[q];
    if (same_file(path, req->output_path))
      CS_FAIL(CS_ERR_USAGE, "--save-state %g:%s is the output file (-o %s)", day, path, req->output_path);
    /* the state is written as FILE.partial first, a leftover of that name removed: that name must be
     * neither the output nor an input (-o s.h5.partial --save-state 50:s.h5 lost the output) */
    char partial[4200];
    snprintf(partial, sizeof partial, "%s.partial", path);
    if (same_file(partial, req->output_path))
      CS_FAIL(CS_ERR_USAGE, "--save-state %g:%s is first written as %s, the output file (-o %s): save to another "
              "file", day, path, partial, req->output_path);
    for (int r = 0; r < 2; ++r)
      if (input[r] && same_file(partial, input[r]))
        CS_FAIL(CS_ERR_USAGE, "--save-state %g:%s is first written as %s, the run's %s file: save to another file",
                day, path, partial, input_opt[r]);
    for (int r = 0; r < q; ++r)
      if (same_file(path, req->save_path[r]))
        CS_FAIL(CS_ERR_USAGE, "--save-state %g:%s and %g:%s name the same file", req->save_day[r], req->save_path[r],
                day, path);
    if (is_checkpoint_of(req->output_path, path)) /* a checkpoint would replace it, or rotation remove it */
      CS_FAIL(CS_ERR_USAGE, "--save-state %g:%s is named as the output's checkpoints are (-o %s: %s.ckpt.<n>.h5): "
              "save to another file", day, path, req->output_path, req->output_path);
    char opt[64];
    snprintf(opt, sizeof opt, "--save-state %g:", day);
    CS_CHECK(not_the_config(cfg, opt, path, "save to another file"));
    for (int r = 0; r < 2; ++r) /* --force would overwrite the run's own input */
      if (input[r] && same_file(path, input[r]))
        CS_FAIL(CS_ERR_USAGE, "--save-state %g:%s is the run's %s file: save to another file", day, path, input_opt[r]);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
      CS_FAIL(CS_ERR_USAGE, "--save-state %g:%s is a directory: name a file in it", day, path);
    const int done = req->restart && (day < t0 || same_time(day, t0)); /* saved before the checkpoint */
    if (day < 0 || (!done && (day <= t0 || day > cfg->run.t_end)))
      CS_FAIL(CS_ERR_USAGE, "--save-state %g:%s: the day must lie after the start (day %g) and not after run.t_end = %g",
              day, path, t0, cfg->run.t_end);
  }
  return CS_OK;
}

/* Rank 0's verdict on the --save-state files (0, or an error code with a
 * message in msg). Each is test-created where it will be written, under the
 * name it is written to first (FILE.partial), as the output is
 * (cs_path_check_new: the directory takes a file of that name; an existing
 * file only with --force, and then only a regular file or a link). On
 * --restart a day up to the checkpoint's (t0) cannot be reached again: its
 * file must be there, written by the interrupted run, and is not checked
 * further. A later day's existing file is replaced without --force only if
 * it is the state this run saved at that day (replace[q]: a cartsim state of
 * this config fingerprint and output, at that day), which the interrupted
 * run may have written after its last checkpoint; anything else is refused
 * as without --restart. */
static int save_files_verdict(const cs_config *cfg, const cs_run_request *req, double t0, int *replace, char *msg,
                              size_t len)
{
  char fp[17];
  cs_config_fingerprint(cfg, fp);
  for (int q = 0; q < req->n_save; ++q) {
    const double day = req->save_day[q];
    const char *path = req->save_path[q];
    struct stat st;
    const int exists = lstat(path, &st) == 0;
    if (req->restart && (day < t0 || same_time(day, t0))) {
      if (exists) continue;
      snprintf(msg, len, "--save-state %g:%.700s: day %g is not after day %g, where --restart continues from the "
               "checkpoint, and the file is not there (not saved, or deleted since): a restart cannot reach that "
               "day (save it with a run without --restart, or one with --from-state a state saved before day %g)",
               day, path, day, t0, day);
      return CS_ERR_USAGE;
    }
    cs_state_origin o;
    replace[q] = req->restart && exists && cs_state_origin_read(path, &o) && !strcmp(o.fingerprint, fp) &&
                 same_time(o.time, day) && same_file(o.source_output, req->output_path);
    if (req->restart && exists && !req->force && !replace[q]) {
      snprintf(msg, len, "--save-state %g:%.300s: %.300s exists and is not the state this run saved at day %g "
               "(--restart replaces only that; use --force to overwrite)", day, path, path, day);
      return CS_ERR_IO;
    }
    char probe[4200], why[1000];
    int existed = 0;
    snprintf(probe, sizeof probe, "%s.partial", path);
    const int rc = cs_path_check_new(path, req->force || replace[q], probe, "directory", &existed, why, sizeof why);
    if (rc != CS_OK) {
      snprintf(msg, len, "--save-state %g:%.300s: %.800s", day, path, why);
      return rc;
    }
    unlink(probe);
  }
  return CS_OK;
}

/* The --save-state files checked where they will be written (rank 0, see
 * save_files_verdict), so that a file the run cannot write fails now, not
 * when the run reaches its day. replace[q]: --save-state q may replace its
 * existing file (the --restart of the run that saved it). Collective. */
static int check_save_files(const cs_config *cfg, const cs_run_request *req, double t0, MPI_Comm comm, int *replace)
{
  int rank;
  CS_CHECK_MPI(MPI_Comm_rank(comm, &rank));
  struct {
    int code, replace[CS_MAX_SAVES];
    char msg[1200];
  } v;
  memset(&v, 0, sizeof v);
  if (rank == 0) v.code = save_files_verdict(cfg, req, t0, v.replace, v.msg, sizeof v.msg);
  CS_CHECK_MPI(MPI_Bcast(&v, (int)sizeof v, MPI_BYTE, 0, comm));
  if (v.code) CS_FAIL(v.code, "%s", v.msg);
  memcpy(replace, v.replace, sizeof v.replace);
  return CS_OK;
}

/* The longest name this output's checkpoints take (OUT.ckpt.<n>.h5.partial,
 * n as wide as an int) test-created beside it (cs_path_check_new), when
 * checkpoints are on: a name the file system refuses fails now, not at the
 * first checkpoint. Collective. */
static int check_checkpoint_names(const cs_config *cfg, const cs_run_request *req, MPI_Comm comm)
{
  if (!(cfg->output.checkpoint_every > 0) && !(cfg->output.checkpoint_minutes > 0)) return CS_OK;
  char path[4200], probe[4300], what[4400];
  checkpoint_path(req->output_path, INT_MAX, path, sizeof path);
  snprintf(probe, sizeof probe, "%s.partial", path);
  snprintf(what, sizeof what, "-o %s: its checkpoints (output.checkpoint_every, checkpoint_minutes) cannot be written",
           req->output_path);
  return cs_path_check_new_all(comm, path, 1, probe, "output directory", 0, what);
}

/* What a saved state (branch or checkpoint) tells about the history before it. */
static void adopt_history(cs_run_state *rs, const cs_state_info *info)
{
  rs->t0 = info->time;
  rs->injected = info->injected;
  rs->first_msc_injected = info->first_msc_injected;
  rs->first_msc_day = info->first_msc_day;
  rs->thickness0 = info->thickness0;
  rs->t_c80 = info->t_c80;
  /* retention measured before the saved day (NaN: not yet, or a file that did not keep it) */
  rs->retained30 = info->retained30;
  rs->retained180 = info->retained180;
  /* the potency of the source injected before the saved day (NaN: a file older than these members) */
  if (!isnan(info->q_RE_in_use)) rs->params.q_RE = info->q_RE_in_use;
  if (!isnan(info->K_MSC_in_use)) rs->params.K_MSC = info->K_MSC_in_use;
}

/* What the output at path says of the run that started it: the commit of
 * its build (/meta git_sha) and the Krylov method it solved with
 * (/parameters/solver/krylov); "" where unreadable. Serial: rank 0, before
 * the file is reopened. */
static void started_with(const char *path, char *sha, size_t nsha, char *krylov, size_t nkrylov)
{
  sha[0] = krylov[0] = '\0';
  hid_t f;
  H5E_BEGIN_TRY { f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT); } H5E_END_TRY;
  if (f < 0) return;
  cs_h5_meta_string(f, "git_sha", sha, nsha);
  cs_h5_fixed_string(f, "parameters/solver/krylov", krylov, nkrylov);
  H5Fclose(f);
}

/* 1 if the warning `bit` is to be shown now: always without req->warned,
 * else the first time (the bit is then recorded). */
static int warn_now(const cs_run_request *req, unsigned bit)
{
  if (!req->warned) return 1;
  if (*req->warned & bit) return 0;
  *req->warned |= bit;
  return 1;
}

int cs_run(const cs_config *cfg, const cs_run_request *req, MPI_Comm comm)
{
  cs_run_state rs;
  memset(&rs, 0, sizeof rs);
  rs.cfg = cfg;
  rs.retained30 = rs.retained180 = NAN;
  rs.first_msc_day = rs.thickness0 = rs.t_c80 = NAN;
  rs.ckpt_own[0] = rs.ckpt_own[1] = -1;
  rs.req = req;
  /* saved in every state as the output it belongs to: a --restart from
   * another directory, or with another spelling of -o, still knows it */
  resolved_path(req->output_path, rs.output_abs, sizeof rs.output_abs);
  cs_decomp *dc = NULL;
  N_Vector y0 = NULL;
  SUNContext ctx = NULL;
  int rc = CS_OK, nranks = 1;
  MPI_Comm_size(comm, &nranks);

  if ((rc = cs_decomp_create(comm, &cfg->grid, cfg->model.H, &dc))) goto done;
  rs.params = cfg->model;
  cs_problem_init(&rs.pb, &rs.params, dc);
  rs.solver = cfg->solver;
  double D[CS_NS];
  cs_params_diffusivities(&cfg->model, D);
  rs.solver.precond = cs_precond_resolve(cfg->solver.precond, &cfg->grid, D);
  if ((rc = cs_precond_create(&rs.pb, rs.solver.precond, &rs.pb.pc))) goto done;
  rs.solver.krylov = cs_krylov_resolve(&cfg->solver, rs.solver.precond, &cfg->grid, nranks);
  const char *once = req->warned ? " (shown once for the sweep)" : "";
  if (cfg->solver.integrator == CS_INT_CVODE && cfg->solver.arkode_split == CS_SPLIT_IMEX && rs.pb.rank == 0 &&
      warn_now(req, CS_WARN_SPLIT_UNUSED))
    fprintf(stderr, "cartsim: warning: solver.arkode_split imex has no effect: solver.integrator is cvode (BDF, no "
                    "split; solver.integrator arkode for the IMEX split)%s\n", once);
  const char *caveat = cs_krylov_none_caveat(rs.solver.precond, &cfg->grid, nranks);
  if (rs.solver.krylov == CS_KRYLOV_NONE && caveat && rs.pb.rank == 0 && warn_now(req, CS_WARN_KRYLOV_NONE_SLOW))
    fprintf(stderr, "cartsim: warning: solver.krylov none will be slow here: %s (solver.krylov gmres or auto)%s\n",
            caveat, once);
  /* initial condition (counted as injected: MSCs present at t = 0) */
  MPI_Comm cart = cs_decomp_comm(dc);
  if (SUNContext_Create(&cart, &ctx) < 0) { rc = cs_error_set(CS_ERR_INTERNAL, "SUNContext_Create failed"); goto done; }
  long nglobal = 0, nlocal = rs.pb.nlocal;
  MPI_Allreduce(&nlocal, &nglobal, 1, MPI_LONG, MPI_SUM, cart);
  y0 = N_VNew_Parallel(cart, nlocal, nglobal, ctx);
  if (!y0) { rc = cs_error_set(CS_ERR_INTERNAL, "cannot allocate the state vector (%ld values)", nglobal); goto done; }
  cs_nvector_fast_ops(y0); /* the integrator's vectors are clones: they inherit the ops */
  initial_state(cfg, &rs.pb, y0);
  rs.injected = cfg->initial.N + cfg->initial.N_syn;
  if (req->from_state) {
    cs_state_info info;
    double *u = N_VGetArrayPointer_Parallel(y0);
    if ((rc = cs_state_load(req->from_state, cart, cfg, rs.pb.pt, u, u + CS_NS * rs.pb.ncell, &info))) goto done;
    adopt_history(&rs, &info);
  }
  cs_state_info ck;
  char started[128] = "", krylov[16] = ""; /* a restart: the build and Krylov method of the run it continues */
  int krylov_left = 0;                     /* ... which left solver.krylov none for gmres */
  if (req->restart) {
    char fp[17], path[4200];
    cs_config_fingerprint(cfg, fp);
    int seq = -1;
    if ((rc = find_checkpoint(req->output_path, fp, cart, &seq, &rs.ckpt_own[0], &rs.ckpt_seq))) goto done;
    checkpoint_path(req->output_path, seq, path, sizeof path);
    double *u = N_VGetArrayPointer_Parallel(y0);
    if ((rc = cs_state_load(path, cart, cfg, rs.pb.pt, u, u + CS_NS * rs.pb.ncell, &ck))) goto done;
    rs.restarting = 1;
    rs.ckpt_own[1] = seq;
    /* solver.krylov auto depends on the rank count in 1-D (none: the depth
     * line solved exactly on one rank; gmres once the line is split): a
     * restart on another count keeps the interrupted run's gmres, and one that
     * must leave its none says so (/parameters records the first segment's) */
    if (rs.pb.rank == 0) started_with(req->output_path, started, sizeof started, krylov, sizeof krylov);
    MPI_Bcast(krylov, (int)sizeof krylov, MPI_CHAR, 0, cart);
    if (cfg->solver.krylov == CS_KRYLOV_AUTO && !strcmp(krylov, "gmres")) rs.solver.krylov = CS_KRYLOV_GMRES;
    krylov_left = cfg->solver.krylov == CS_KRYLOV_AUTO && !strcmp(krylov, "none") &&
                  rs.solver.krylov == CS_KRYLOV_GMRES;
    adopt_history(&rs, &ck);
    rs.last_ckpt_t = ck.time;
    rs.solve_seconds = ck.solve_seconds;
    rs.wall_before = isnan(ck.wall_seconds) ? 0.0 : ck.wall_seconds; /* a checkpoint of an older version: unknown */
    rs.nhist_written = (long)ck.n_series;
    rs.nfields_written = (long)ck.n_fields;
    memcpy(&rs.pb.timers, ck.timers, sizeof rs.pb.timers);
    if (rs.pb.rank == 0) {
      double v[CS_TS_COUNT] = {0};
      v[CS_TS_TIME] = ck.time;
      v[CS_TS_THICKNESS] = ck.last_thickness;
      v[CS_TS_MEAN0 + CS_C] = ck.last_mean_c;
      if ((rc = record_history(&rs, v))) goto done;
    }
  }
  if ((rc = check_request(cfg, req, rs.t0)) || (rc = check_save_files(cfg, req, rs.t0, cart, rs.save_replace)))
    goto done;
  if (req->baseline && (rc = load_baseline(&rs))) goto done;
  if ((rc = cs_integrator_create(&rs.pb, &rs.solver, rs.t0, y0, &rs.it))) goto done;
  cs_integrator_set_interrupt(rs.it, signal_agreed, &rs);
  if (rs.restarting) {
    cs_solver_stats base; /* the setup calls are NaN in an older version's checkpoint: counted from 0 */
    cs_solver_stats_unpack(ck.stats, &base);
    cs_integrator_set_base(rs.it, &base);
    if (rs.pb.rank == 0) { /* another build goes on from here: say so (a restart across an upgrade) */
      if (started[0] && strcmp(started, cs_git_sha()) != 0)
        fprintf(stderr, "cartsim: warning: %s was started by cartsim git %s; this build (git %s) continues it from "
                        "day %g, so its segments come from different builds (/meta restarted_git_sha)\n",
                req->output_path, started, cs_git_sha(), rs.t0);
    }
    if ((rc = cs_h5out_reopen(req->output_path, cart, &rs.h5))) goto done;
    if ((rc = define_outputs(&rs))) goto done;
    if ((rc = cs_h5out_series_truncate(rs.h5, rs.series_ts, rs.nhist_written)) ||
        (rc = cs_h5out_series_truncate(rs.h5, rs.series_solver, rs.nhist_written)) ||
        (rc = cs_h5out_fields_truncate(rs.h5, rs.nfields_written)) ||
        (rc = cs_h5out_meta_double(rs.h5, "restarted_from_day", rs.t0)) ||
        (rc = cs_h5out_meta_string(rs.h5, "restarted_git_sha", cs_git_sha())) ||
        (rc = cs_h5out_meta_int(rs.h5, "ranks", nranks)) || /* the segment that finishes the run */
        (krylov_left && (rc = cs_h5out_meta_string(rs.h5, "restarted_krylov", "gmres"))))
      goto done;
    if (krylov_left && rs.pb.rank == 0)
      fprintf(stderr, "cartsim: warning: %s was solved with solver.krylov none (auto: the depth line exact on one "
              "rank); on %d ranks the line is split, so this segment uses gmres (/meta restarted_krylov; "
              "/parameters/solver/krylov stays the first segment's)\n", req->output_path, nranks);
  } else {
    /* the new file takes the output's name once it holds the header and the
     * empty datasets: a run that fails before leaves an old output as it was */
    if ((rc = cs_h5out_create(req->output_path, cart, req->force, &rs.h5)) ||
        (rc = check_checkpoint_names(cfg, req, cart)))
      goto done;
    if ((rc = write_header(&rs, req, nranks)) || (rc = define_outputs(&rs)) || (rc = cs_h5out_publish(rs.h5)))
      goto done;
    if (rs.pb.rank == 0) rs.ckpt_seq = remove_stale_checkpoints(req);
    MPI_Bcast(&rs.ckpt_seq, 1, MPI_INT, 0, cart); /* rank 0 listed the directory */
  }
  rs.last_ckpt_wall = cs_wtime();
  cs_progress_start(&rs.progress, !req->quiet && rs.pb.rank == 0, cfg->run.t_end, "cartsim");
  if ((rc = time_loop(&rs))) goto done;
  rc = write_footer(&rs, req);

done:
  if (rs.h5 && rs.it && (rc == CS_ERR_SOLVER || rc == CS_ERR_INTERRUPTED)) {
    /* the file is sound: what a failed or stopped run met belongs in it too */
    char why[1024];
    snprintf(why, sizeof why, "%s", cs_error_message());
    write_run_record(&rs);
    cs_error_set(rc, "%s", why); /* the run's own message, whatever the record met */
  }
  if (rs.h5) {
    const char *status = rc == CS_OK ? "complete" : rc == CS_ERR_INTERRUPTED ? "interrupted" : "failed";
    int rc2 = cs_h5out_close(rs.h5, status, rc == CS_OK ? "" : cs_error_message());
    if (rc == CS_OK) rc = rc2;
    if (rs.pb.rank == 0) cs_progress_finish(&rs.progress, rs.last[CS_TS_TIME], status);
  }
  if (rs.it) cs_integrator_destroy(&rs.it);
  if (y0) N_VDestroy(y0);
  if (ctx) SUNContext_Free(&ctx);
  cs_precond_destroy(&rs.pb.pc);
  cs_decomp_destroy(&dc);
  free(rs.t_hist);
  free(rs.th_hist);
  free(rs.c_hist);
  return rc;
}
