/* precond.h - preconditioners for the Newton systems (I - gamma J) x = r.
 *
 * J is split into the reaction Jacobian of each cell (analytic,
 * cs_react_jac), the diffusion couplings and the surface exchange.
 *   line:   per depth column, the block-tridiagonal matrix with blocks
 *           A_k = I - gamma (J_react,k + diag(transport diagonal)) and
 *           couplings -gamma D_s/h_z^2 to the cells above and below, solved
 *           exactly by block Thomas elimination. The couplings act on the
 *           diffusing (mobile) species only, so each cell's immobile ones
 *           (aggrecan, collagen, chondrocytes) are eliminated first and the
 *           recurrence runs on the mobile Schur complements (6x6 explicit
 *           inverses; precond.c, line_blocks). Lateral couplings are dropped (their diagonal is
 *           kept). The surface cells' coupling to the fluid values P_s,
 *           R_s, F_s, N is kept exactly by a bordered solve (Schur
 *           complement on the fluid block, precond.c), so in 1-D on one
 *           rank the whole Newton matrix is inverted exactly except the
 *           MSC running integrals' rows. Block-Jacobi across ranks that
 *           split the depth.
 *   jacobi: the blocks A_k alone (per-cell block LU).
 *   pfmg:   the product (I - gamma J_diff)(I - gamma J_react): first the
 *           per-cell blocks I - gamma J_react,k (reactions and the MSC
 *           attachment's dependence on c; no transport diagonal), then one
 *           hypre PFMG V-cycle on I - gamma J_diff,s for every diffusing
 *           species at once (pfmg.h: the species as uncoupled slabs of
 *           one hypre grid; diffusion in every direction and the surface
 *           transfer). Its quality does not decay under refinement in any
 *           direction, unlike line, which drops the lateral couplings.
 *           (Tried and dropped: line times PFMG on the lateral diffusion
 *           only. Splitting depth from lateral diffusion leaves the error
 *           gamma^2 J_lateral J_depth, large where both are stiff: on the
 *           2-D lesion refined 4x it took 26x the steps of pfmg.)
 *   auto:   pfmg where the lateral diffusion line leaves out is fast
 *           (fine lateral cells), else line (cs_precond_resolve,
 *           run_options.h).
 * GMRES is right-preconditioned (integrate.c), so its stopping test is on
 * the true residual of the Newton system.
 *   none:   no preconditioning.
 * The synovial values on rank 0 get their own dense block
 * I - gamma J_syn (cs_synovial_jac). Except under line, the cartilage-fluid
 * coupling is left to the Krylov iteration.
 * Under ARKODE's IMEX split (pb->implicit_reactions == 0) the reaction
 * Jacobian is left out of every block: the implicit part has none.
 * A singular block makes setup return 1 (recoverable: CVODE retries).
 */
#ifndef CS_PRECOND_H
#define CS_PRECOND_H

#include <sundials/sundials_nvector.h>

#include "problem.h"

typedef struct cs_precond cs_precond;

int cs_precond_create(cs_problem *pb, int kind, cs_precond **out);
void cs_precond_destroy(cs_precond **pc);

/* CVLsPrecSetupFn / CVLsPrecSolveFn; user_data is the cs_problem (pb->pc). */
int cs_precond_setup(sunrealtype t, N_Vector y, N_Vector fy, sunbooleantype jok, sunbooleantype *jcur,
                     sunrealtype gamma, void *user_data);
int cs_precond_solve(sunrealtype t, N_Vector y, N_Vector fy, N_Vector r, N_Vector z, sunrealtype gamma,
                     sunrealtype delta, int lr, void *user_data);

#endif
