/* pfmg.h - hypre PFMG V-cycles on the diffusion part of the Newton matrix,
 * for the product preconditioner of precond.h.
 *
 * For each species s with D_s > 0 it holds the structured matrix
 *
 *   M_s = I - gamma J_diff,s
 *   (M_s u)_c = (1 + gamma sum_faces D_s/h_d^2 + gamma [surface] h_eff,s/h_z) u_c
 *               - gamma sum_{interior faces} D_s/h_d^2 u_nb
 *
 * on the global grid, i.e. exactly the diffusion and surface-exchange part
 * of the cartilage Jacobian (model/transport.h) with no-flux walls.
 * Periodic lateral couplings across the wrap are dropped from the
 * off-diagonal (their diagonal is kept), so that PFMG needs no periodic
 * coarsening. That costs on fine lateral cells: a periodic 2-D lesion of
 * 40 x 0.05 mm columns had GMRES stop short in 95 of 810 Newton iterations
 * (1 of 748 with walls) and so the accuracy warning, though its outcomes
 * agreed with an rtol 1e-9 run to 5e-7 (2026-12-04 audit; not mended:
 * hypre's periodic grids would change the level replay below). The M_s are uncoupled slabs of one
 * hypre system: in 2-D and 3-D species r at hypre (r N0 + k, i[, j]) (depth
 * is never split across ranks there); in 1-D, since PFMG has no 1-D
 * stencils, at (k, r). The solve applies one V-cycle of that system (zero
 * initial guess, red-black Gauss-Seidel on every level, one pre- and one
 * post-sweep), in place on the species-interleaved vector: one message per
 * level and neighbour for all species (per-species V-cycles were
 * latency-bound on two ranks: strong scaling 1.48x -> 1.7-1.8x), and a 5-
 * or 7-point stencil (slabs along a third hypre index carried two zero
 * entries per row; docs/performance.md, nineteenth round).
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

/* The coarsest grid PFMG builds: at most this many cells of the spatial
 * grid (a cell's slabs, one per diffusing species, count once). */
enum { CS_PFMG_COARSEST_CELLS = 16 };

/* Levels of a PFMG hierarchy on a grid of `cells` global cells: 1 plus the
 * halvings (each level halves one direction) that bring it to at most
 * CS_PFMG_COARSEST_CELLS: 16 -> 1, 17 -> 2, 240 -> 5, 3840 -> 9. */
int cs_pfmg_levels(double cells);

/* The same for the slabs along depth (2-D and 3-D: N[0] x N[1] x N[2]
 * cells of h[0] x h[1] x h[2], N[2] = 1 in 2-D, nslab slabs): at most
 * cs_pfmg_levels(N0 N1 N2), and no more depth halvings than leave a coarse
 * row in every slab (2^halvings <= N0; a slab without one would get no
 * coarse-grid correction), replaying PFMG's choice of direction with
 * dxyz = h. 24x160 over 2 x 10 mm: 9 levels, as cs_pfmg_levels (4 of the 8
 * halvings in depth); 24x16 over 2 x 40 mm: 5, where cs_pfmg_levels allows
 * 6 (the fifth halving would be a fifth in depth: rows 32 apart, one slab
 * of 24 without a coarse row). */
int cs_pfmg_levels_slabs(const int n[3], const double h[3], int nslab);

/* Grid, stencil, matrices, vectors; no solver yet (setup builds it). */
int cs_pfmg_create(const cs_problem *pb, cs_pfmg **out);
void cs_pfmg_destroy(cs_pfmg **m);

/* Fill M_s for this gamma and (re)build the PFMG hierarchies. */
int cs_pfmg_setup(cs_pfmg *m, double gamma);

/* x <- approximately M_s^{-1} x for every diffusing species s (x: owned
 * values, species fastest, CS_NS per cell). */
int cs_pfmg_solve(cs_pfmg *m, double *x);

#endif
