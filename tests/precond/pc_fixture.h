/* pc_fixture.h - a problem with a preconditioner on a small grid, for the
 * tests that drive cs_problem_rhs / cs_precond_setup / cs_precond_solve as
 * CVODE would (test_no_alloc.c, test_pfmg_levels.c).
 *
 * The state is the initial one with an inflamed surface (a depth gradient of
 * P and some E in every cell), so every term of the RHS and of the blocks is
 * non-trivial. Collective over MPI_COMM_WORLD. The fixture holds pointers
 * into itself (the problem's preconditioner): create it in place, never copy.
 */
#ifndef CS_TEST_PC_FIXTURE_H
#define CS_TEST_PC_FIXTURE_H

#include <nvector/nvector_parallel.h>
#include <sundials/sundials_context.h>

#include "../../model/initial.h"
#include "../../model/options.h"
#include "../../solvers/decomp.h"
#include "../../solvers/precond.h"
#include "../../solvers/problem.h"
#include "../../solvers/run_options.h" /* CS_PC_* */

typedef struct {
  cs_params p;
  cs_initial ini;
  cs_grid g;
  cs_decomp *dc;
  cs_problem pb;
  SUNContext ctx;
  N_Vector y; /* the state (cartsim's fast vector operations) */
} cs_pc_fixture;

/* Grid g split over MPI_COMM_WORLD, preconditioner `kind` (CS_PC_*); exits
 * the process (MPI_Abort) with a message when a step fails. */
void cs_pc_fixture_init(cs_pc_fixture *fx, const cs_grid *g, int kind);
void cs_pc_fixture_free(cs_pc_fixture *fx);

#endif
