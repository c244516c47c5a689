#include "run_options.h"

#include "../model/species.h"

static const char *const integrators[] = {"cvode", "arkode", NULL};
static const char *const splits[] = {"implicit", "imex", NULL};
static const char *const preconds[] = {"line", "jacobi", "none", "pfmg", "auto", NULL};
static const char *const krylovs[] = {"gmres", "none", "auto", NULL};

int cs_precond_resolve(int precond, const cs_grid *g, const double D[])
{
  if (precond != CS_PC_AUTO) return precond;
  if (g->dim < 2) return CS_PC_LINE;
  double h = g->Lx / g->nx;
  if (g->dim >= 3 && g->Ly / g->ny < h) h = g->Ly / g->ny;
  double dmax = 0.0;
  for (int s = 0; s < CS_NS; ++s)
    if (D[s] > dmax) dmax = D[s];
  return dmax / (h * h) >= CS_PFMG_MIN_LATERAL_RATE ? CS_PC_PFMG : CS_PC_LINE;
}

const char *cs_krylov_none_caveat(int precond, const cs_grid *g, int nranks)
{
  if (precond != CS_PC_LINE) return "only the line preconditioner is the Newton matrix (in 1-D, on one rank)";
  if (g->dim > 1) return "the line preconditioner leaves the lateral diffusion out";
  if (nranks > 1) return "the line preconditioner leaves out the coupling between the ranks' parts of the column";
  return NULL;
}

int cs_krylov_resolve(const cs_solver_opts *o, int precond, const cs_grid *g, int nranks)
{
  if (o->krylov != CS_KRYLOV_AUTO) return o->krylov;
  return cs_krylov_none_caveat(precond, g, nranks) ? CS_KRYLOV_GMRES : CS_KRYLOV_NONE;
}

const char *cs_krylov_advice(int precond)
{
  if (precond == CS_PC_NONE || precond == CS_PC_JACOBI) return "use solver.precond line or pfmg, or a larger solver.maxl";
  return "use a larger solver.maxl, or a smaller solver.rtol (shorter steps)";
}

static const cs_opt solver_rows[] = {
  {"integrator", CS_OPT_ENUM, "-", CS_INT_CVODE, 0, 0,
   "time integrator: cvode (BDF) or arkode (additive Runge-Kutta of order max_order, split by arkode_split), "
   "both with Newton corrections solved as solver.krylov says",
   offsetof(cs_solver_opts, integrator), 0, integrators},
  {"arkode_split", CS_OPT_ENUM, "-", CS_SPLIT_IMPLICIT, 0, 0,
   "arkode only: implicit (DIRK, order 2-4, everything implicit) or imex (ARK pair, order 3-5: cartilage "
   "reactions explicit, transport and synovial fluid implicit; small steps, the reactions are stiff)",
   offsetof(cs_solver_opts, arkode_split), 0, splits},
  {"rtol", CS_OPT_REAL, "1", 1e-6, 1e-14, 1e-2, "relative tolerance of the local error test",
   offsetof(cs_solver_opts, rtol), 0, NULL},
  {"atol", CS_OPT_REAL, "1", 1e-8, 1e-30, 1, "absolute tolerance, multiplied by each quantity's typical size (docs/model.md)",
   offsetof(cs_solver_opts, atol), 0, NULL},
  {"precond", CS_OPT_ENUM, "-", CS_PC_AUTO, 0, 0,
   "preconditioner: line (block-tridiagonal depth solve per column), jacobi (per-cell block), none, "
   "pfmg (per-cell reaction block times one hypre PFMG V-cycle for all diffusing species), "
   "auto (pfmg where the lateral cells are fine: largest D / lateral cell^2 >= 190/day, about 0.15 mm; "
   "else line)",
   offsetof(cs_solver_opts, precond), 0, preconds},
  {"krylov", CS_OPT_ENUM, "-", CS_KRYLOV_AUTO, 0, 0,
   "Newton corrections: gmres (preconditioned GMRES), none (the preconditioner's solve alone: exact only for "
   "line in 1-D on one rank, very slow elsewhere), auto (none where it is exact, else gmres)",
   offsetof(cs_solver_opts, krylov), 0, krylovs},
  {"maxl", CS_OPT_INT, "-", 30, 1, 500, "GMRES Krylov subspace size", offsetof(cs_solver_opts, maxl), 0, NULL},
  {"eps_lin", CS_OPT_REAL, "1", 0.05, 1e-6, 1, "linear solver tolerance relative to the Newton tolerance",
   offsetof(cs_solver_opts, eps_lin), 0, NULL},
  {"max_steps", CS_OPT_INT, "-", 100000, 10, 100000000, "integrator steps allowed between two outputs",
   offsetof(cs_solver_opts, max_steps), 0, NULL},
  {"max_order", CS_OPT_INT, "-", 5, 1, 5,
   "largest BDF order (cvode); Runge-Kutta order (arkode: clamped to 2-4, or 3-5 for imex)",
   offsetof(cs_solver_opts, max_order), 0, NULL},
  {"h_max", CS_OPT_REAL, "day", 0, 0, 1e6, "largest time step (0: no limit)", offsetof(cs_solver_opts, h_max), 0,
   NULL},
};

static const cs_opt output_rows[] = {
  {"dt", CS_OPT_REAL, "day", 5, 1e-6, 1e6, "interval between time-series outputs", offsetof(cs_output_opts, dt), 0,
   NULL},
  {"fields_every", CS_OPT_REAL, "day", 30, 0, 1e6, "interval between field snapshots (0: no fields)",
   offsetof(cs_output_opts, fields_every), 0, NULL},
  {"compress", CS_OPT_INT, "-", 4, 0, 9,
   "deflate level of field datasets with snapshots of 8192+ cells (0: none; smaller ones are plain)",
   offsetof(cs_output_opts, compress), 0, NULL},
  {"checkpoint_every", CS_OPT_REAL, "day", 0, 0, 1e6,
   "simulated days between checkpoints for --restart (0: none)", offsetof(cs_output_opts, checkpoint_every), 0, NULL},
  {"checkpoint_minutes", CS_OPT_REAL, "min", 0, 0, 1e6,
   "wall-clock minutes between checkpoints for --restart (0: none)", offsetof(cs_output_opts, checkpoint_minutes), 0,
   NULL},
  {"flush_seconds", CS_OPT_REAL, "s", 2, 0, 3600,
   "wall-clock seconds between flushes of the output file (0: after every output step)",
   offsetof(cs_output_opts, flush_seconds), 0, NULL},
};

static const cs_opt run_rows[] = {
  {"t_end", CS_OPT_REAL, "day", 1825, 1e-6, 365250, "simulated horizon", offsetof(cs_run_opts, t_end), 0, NULL},
};

const cs_opt_table cs_solver_table = {"solver", solver_rows, (int)(sizeof solver_rows / sizeof solver_rows[0])};
const cs_opt_table cs_output_table = {"output", output_rows, (int)(sizeof output_rows / sizeof output_rows[0])};
const cs_opt_table cs_run_table = {"run", run_rows, (int)(sizeof run_rows / sizeof run_rows[0])};
