/* pfmg.h - hypre PFMG V-cycles on the diffusion part of the Newton matrix,
 * for the product preconditioner of precond.h.
 *
 * For each species s with D_s > 0 it holds the structured matrix
 *
 *   M_s = I - gamma J_diff,s
 *   (M_s u)_c = (1 + gamma sum_faces D_s/h_d^2 + gamma [surface] h_eff,s/h_z) u_c
 *               - gamma sum_{faces} D_s/h_d^2 u_nb
 *
 * on the global grid, i.e. exactly the diffusion and surface-exchange part
 * of the cartilage Jacobian (model/transport.h): no flux through the walls
 * (no face there), and with grid.periodic every lateral face couples, the
 * two across the wrap too. hypre's grid is then periodic in x (and y) with
 * the global cell count N as period, and finds the neighbours across the
 * wrap itself, on the same rank or another. PFMG halves a periodic direction
 * only while its period is even, and red-black Gauss-Seidel on a level with
 * an odd period makes the V-cycle depend on the one before
 * (cs_pfmg_levels_slabs), so the hierarchy ends at the first level with an
 * odd period: N = 2^k q coarsens x k times, fine for a small q (40 or 160
 * columns: q = 5; 12, 24: q = 3). One or two cells around need no wrap: the
 * neighbours across it are the cell itself (the couplings cancel against
 * their diagonal) or the other cell (one coupling of twice the weight). An
 * odd N of 3 or more would leave a single level, so there the wrap's
 * couplings stay out of M_s and only their diagonal is kept, as everywhere
 * before 2026-12-05: a weaker preconditioner on fine periodic columns.
 * The 2-D lesion with 40 periodic columns of 0.05 mm, one rank: Krylov /
 * Newton iterations 17.1 -> 5.1, GMRES stopped short in 503 of 1280 Newton
 * iterations -> 23 of 941 (no accuracy warning; walls: 6 of 937), solve
 * 5.0 -> 1.1 s; 160 columns 17.7 -> 5.2; 30 and 90 columns (q = 15, 45)
 * 18.8 -> 13.3 and 17.4 -> 12.7; 15 columns (odd) as before, 19.3. 3-D,
 * 24 x 12 periodic columns of 0.05 mm, 120 days: 17.7 -> 4.0.
 *
 * The M_s are uncoupled slabs of one hypre system: in 2-D and 3-D species r
 * at hypre (r N0 + k, i[, j]) (depth is never split across ranks there, nor
 * periodic); in 1-D, since PFMG has no 1-D stencils, at (k, r) (nothing is
 * periodic in 1-D). The solve applies one V-cycle of that system (zero
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
 * cells of h[0] x h[1] x h[2], N[2] = 1 in 2-D, nslab slabs; periodic[d]
 * = 1 where hypre's grid wraps in lateral direction d = 1, 2 with period
 * N[d]): at most cs_pfmg_levels(N0 N1 N2), no more depth halvings than
 * leave a coarse row in every slab (2^halvings <= N0; a slab without one
 * would get no coarse-grid correction), and no level below one with an odd
 * period (pfmg.c), replaying PFMG's choice of direction with dxyz = h.
 * 24x160 over 2 x 10 mm: 9 levels, as cs_pfmg_levels (4 of the 8 halvings
 * in depth); 24x16 over 2 x 40 mm: 5, where cs_pfmg_levels allows 6 (the
 * fifth halving would be a fifth in depth: rows 32 apart, one slab of 24
 * without a coarse row); 24x40 over 2.4 x 2 mm: 7 with walls, 6 periodic
 * (x z x z x: period 5 on the sixth). */
int cs_pfmg_levels_slabs(const int n[3], const double h[3], int nslab, const int periodic[3]);

/* Grid, stencil, matrices, vectors; no solver yet (setup builds it). */
int cs_pfmg_create(const cs_problem *pb, cs_pfmg **out);
void cs_pfmg_destroy(cs_pfmg **m);

/* Fill M_s for this gamma and (re)build the PFMG hierarchies. */
int cs_pfmg_setup(cs_pfmg *m, double gamma);

/* x <- approximately M_s^{-1} x for every diffusing species s (x: owned
 * values, species fastest, CS_NS per cell). */
int cs_pfmg_solve(cs_pfmg *m, double *x);

#endif
