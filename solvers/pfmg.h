/* pfmg.h - one hypre PFMG V-cycle per diffusing species on the diffusion
 * part of the Newton matrix, for the product preconditioner of precond.h.
 *
 * For each species s with D_s > 0 it holds the structured matrix
 *
 *   M_s = I - gamma J_diff,s
 *   (M_s u)_c = (1 + gamma sum_faces D_s/h_d^2 + gamma [surface] h_eff,s/h_z) u_c
 *               - gamma sum_{interior faces} D_s/h_d^2 u_nb
 *
 * on the global grid (hypre index 0 = depth k, 1 = x, 2 = y in 3-D; each
 * rank's box is its patch), i.e. exactly the diffusion and surface-exchange
 * part of the cartilage Jacobian (model/transport.h) with no-flux walls.
 * Periodic lateral couplings across the wrap are dropped from the
 * off-diagonal (their diagonal is kept): M_s stays a good preconditioner and
 * PFMG needs no periodic coarsening. The solve applies one V-cycle (zero
 * initial guess, red-black Gauss-Seidel on every level, one pre- and one
 * post-sweep) to every diffusing species, in place on the
 * species-interleaved vector. On 1-D and 2-D grids the species are
 * uncoupled slabs of one 2-D hypre grid with a 5-point stencil (PFMG has no
 * 1-D stencils): 1-D species r at hypre (k, r); 2-D at (r N0 + k, i). One
 * V-cycle (one message per level and neighbour) serves all of them:
 * per-species V-cycles were latency-bound on two ranks (strong scaling
 * 1.48x -> 1.7-1.8x, docs/performance.md), and the 3-D grid with the
 * species along its third index that came next spent ~30 % of its work on
 * two zero stencil entries (nineteenth round). 3-D grids solve per species.
 *
 * Coarsening stops once the coarse grid has at most CS_PFMG_COARSEST_CELLS
 * cells (cs_pfmg_levels): PFMG would halve down to a single cell, and each
 * level costs a fixed handful of halo exchanges (latency on two ranks)
 * while the levels below ~16 cells no longer change the Krylov counts.
 *
 * Collective over the problem's communicator: create, setup and solve must
 * be called by every rank.
 */
#ifndef CS_PFMG_H
#define CS_PFMG_H

#include "problem.h"

typedef struct cs_pfmg cs_pfmg;

/* The coarsest grid PFMG builds: at most this many cells (all species of a
 * stacked grid count as one cell). */
enum { CS_PFMG_COARSEST_CELLS = 16 };

/* Levels of a PFMG hierarchy on a grid of `cells` global cells: 1 plus the
 * halvings (each level halves one direction) that bring it to at most
 * CS_PFMG_COARSEST_CELLS: 16 -> 1, 17 -> 2, 240 -> 5, 3840 -> 9. */
int cs_pfmg_levels(double cells);

/* The same for the 2-D depth-stacked grid (N0 x N1 cells of h0 x h1, nslab
 * slabs along depth): at most cs_pfmg_levels(N0 N1), and no more depth
 * halvings than leave a coarse row in every slab (2^halvings <= N0; a
 * slab without one would get no coarse-grid correction), replaying
 * PFMG's choice of direction with dxyz = (h0, h1). 24x160 over 2 x 10 mm:
 * 9 levels, as cs_pfmg_levels (4 of the 8 halvings in depth); 24x16 over
 * 2 x 40 mm: 5, where cs_pfmg_levels allows 6 (the fifth halving would be
 * a fifth in depth: rows 32 apart, one slab of 24 without a coarse row). */
int cs_pfmg_levels_slabs(int n0, int n1, double h0, double h1, int nslab);

/* Grid, stencil, matrices, vectors; no solver yet (setup builds it). */
int cs_pfmg_create(const cs_problem *pb, cs_pfmg **out);
void cs_pfmg_destroy(cs_pfmg **m);

/* Fill M_s for this gamma and (re)build the PFMG hierarchies. */
int cs_pfmg_setup(cs_pfmg *m, double gamma);

/* x <- approximately M_s^{-1} x for every diffusing species s (x: owned
 * values, species fastest, CS_NS per cell). */
int cs_pfmg_solve(cs_pfmg *m, double *x);

#endif
