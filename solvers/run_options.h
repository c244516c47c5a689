/* run_options.h - the non-physical sections of a config: solver, output,
 * run. Each is a struct with its own table (name, unit, default, range,
 * help), like the model parameters.
 */
#ifndef CS_RUN_OPTIONS_H
#define CS_RUN_OPTIONS_H

#include "../model/grid.h"
#include "../model/options.h"

typedef enum { CS_PC_LINE = 0, CS_PC_JACOBI, CS_PC_NONE, CS_PC_PFMG, CS_PC_AUTO } cs_precond_kind;
/* How the Newton corrections are solved (linsol_precond.h). */
typedef enum { CS_KRYLOV_GMRES = 0, CS_KRYLOV_NONE, CS_KRYLOV_AUTO } cs_krylov_kind;
typedef enum { CS_INT_CVODE = 0, CS_INT_ARKODE } cs_integrator_kind;
/* How ARKODE splits the right-hand side (problem.h): all implicit (DIRK), or
 * IMEX with the cartilage reactions explicit (ARK pair). */
typedef enum { CS_SPLIT_IMPLICIT = 0, CS_SPLIT_IMEX } cs_arkode_split;

typedef struct {
  int integrator;   /* cs_integrator_kind */
  int arkode_split; /* cs_arkode_split (arkode only) */
  double rtol;      /* relative tolerance */
  double atol;      /* absolute tolerance, scaled per quantity by its typical size */
  int precond;      /* cs_precond_kind */
  int krylov;       /* cs_krylov_kind */
  int maxl;         /* Krylov subspace size */
  double eps_lin;   /* linear/nonlinear tolerance ratio */
  int max_steps;    /* steps allowed between two output times */
  int max_order;    /* BDF order limit (cvode); Runge-Kutta order (arkode) */
  double h_max;     /* largest step, day (0: none) */
} cs_solver_opts;

typedef struct {
  double dt;           /* time-series output interval, day */
  double fields_every; /* field snapshot interval, day (0: no fields) */
  int compress;        /* deflate level of field datasets (0: none) */
  double checkpoint_every;   /* simulated days between checkpoints (0: none) */
  double checkpoint_minutes; /* wall-clock minutes between checkpoints (0: none) */
  double flush_seconds;      /* wall-clock seconds between file flushes (0: every output step) */
} cs_output_opts;

typedef struct {
  double t_end;        /* simulated horizon, day */
} cs_run_opts;

/* The preconditioner that runs for solver.precond on grid g with the
 * diffusivities D (mm^2/day, cs_params_diffusivities). auto: pfmg when the
 * lateral diffusion that line leaves out is fast,
 *   max_s D_s / h_lat^2 >= CS_PFMG_MIN_LATERAL_RATE,
 * h_lat the smallest lateral cell (Lx/nx, Ly/ny); else line (and always in
 * 1-D). line is exact in depth, so what decides is how strongly the cells of
 * a depth column are coupled to their lateral neighbours, not how many
 * columns there are: at the same 0.25 mm spacing line was 1.6x faster than
 * pfmg with 40, 80 and 160 columns, and at 0.125 mm pfmg 1.3x faster with 40
 * (2-D lesion, one year, docs/performance.md). The threshold is the 2-D
 * crossover on two ranks at the reference diffusivities, 0.15 mm
 * (4.3 / 0.15^2 = 191 per day). On one rank pfmg is faster from ~0.19 mm
 * in 2-D and ~0.25 mm in 3-D (up to ~1.4x between 0.15 and 0.19 mm;
 * nineteenth round), since line scales better (no messages in depth); the
 * rule does not count ranks, so that a run's preconditioner, and its answer
 * to the solver tolerance, are the same on any number of ranks. */
#define CS_PFMG_MIN_LATERAL_RATE 190.0 /* 1/day */
int cs_precond_resolve(int precond, const cs_grid *g, const double D[]);

/* The Newton linear solve that runs for solver.krylov with the resolved
 * preconditioner `precond` on grid g over `nranks` ranks. auto: none (the
 * preconditioner alone, linsol_precond.h) where it is exact, i.e. line on a
 * 1-D grid on one rank (a depth column split over ranks, or a 2-D/3-D grid,
 * leaves couplings out of it); else gmres. Measured on the 1-D reference
 * (docs/performance.md): CVODE 1.5-1.7x, ARKODE ~2.3x faster, the same
 * answer to the tolerance. */
int cs_krylov_resolve(const cs_solver_opts *o, int precond, const cs_grid *g, int nranks);
/* Why solver.krylov: none will be slow with this preconditioner, grid and
 * rank count (NULL when it is exact). */
const char *cs_krylov_none_caveat(int precond, const cs_grid *g, int nranks);

/* What to change when GMRES often stops short of its tolerance, run with
 * preconditioner `precond` (resolved, not auto): a weak preconditioner
 * (none, jacobi); else a larger Krylov space. (ARKODE's order-5 DIRK,
 * whose long steps defeat line and pfmg, is no longer used: integrate.c.) */
const char *cs_krylov_advice(int precond);

extern const cs_opt_table cs_solver_table;
extern const cs_opt_table cs_output_table;
extern const cs_opt_table cs_run_table;

#endif
