/* run_options.h - the non-physical sections of a config: solver, output,
 * run. Each is a struct with its own table (name, unit, default, range,
 * help), like the model parameters.
 */
#ifndef CS_RUN_OPTIONS_H
#define CS_RUN_OPTIONS_H

#include "../model/options.h"

typedef enum { CS_PC_LINE = 0, CS_PC_JACOBI, CS_PC_NONE } cs_precond_kind;
typedef enum { CS_INT_CVODE = 0, CS_INT_ARKODE } cs_integrator_kind;

typedef struct {
  int integrator;   /* cs_integrator_kind */
  double rtol;      /* relative tolerance */
  double atol;      /* absolute tolerance, scaled per quantity by its typical size */
  int precond;      /* cs_precond_kind */
  int maxl;         /* Krylov subspace size */
  double eps_lin;   /* linear/nonlinear tolerance ratio */
  int max_steps;    /* steps allowed between two output times */
  int max_order;    /* BDF order limit */
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

extern const cs_opt_table cs_solver_table;
extern const cs_opt_table cs_output_table;
extern const cs_opt_table cs_run_table;

#endif
