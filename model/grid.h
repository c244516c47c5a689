/* grid.h - the uniform cell-centred grid and one rank's patch of it.
 *
 * Directions: d = 0 depth z (from the tidemark z=0 to the surface z=H),
 * d = 1 lateral x (length Lx), d = 2 lateral y (length Ly). A 1-D run uses
 * z only, 2-D z and x, 3-D all three. Cell centres sit at (k+1/2) h.
 *
 * Local arrays: owned cells are numbered  cell = k + n0*(i + n1*j)  and each
 * holds CS_NS species contiguously (CS_IDX). The cells just beyond a side
 * of the patch that is not a wall (a neighbour rank's, or the other end of
 * a periodic direction) are held in a face array of their own (cs_halo),
 * so the kernel reads the owned values in place.
 */
#ifndef CS_GRID_H
#define CS_GRID_H

#include "options.h"

typedef struct {
  int dim;        /* 1, 2 or 3 */
  int nz, nx, ny; /* global cell counts (nx, ny are 1 when unused) */
  double Lx, Ly;  /* lateral patch size, mm */
  int periodic;   /* lateral boundaries periodic (1) or no-flux (0) */
} cs_grid;

extern const cs_opt_table cs_grid_table;

typedef struct {
  int n[3];            /* owned cells along z, x, y */
  int off[3];          /* global index of the first owned cell */
  int N[3];            /* global cells along z, x, y */
  int gh[3];           /* halo width: 1 for used directions, 0 otherwise */
  int wall_lo[3];      /* 1: the low side is a no-flux wall (no halo data) */
  int wall_hi[3];      /* 1: the high side is a no-flux wall; for z: the surface */
  double h[3];         /* cell size, mm (1 for unused directions) */
  double dA;           /* lateral area of one column, h_x h_y, mm^2 */
  double patch_area;   /* Lx Ly of the whole simulated patch, mm^2 */
  int surface;         /* 1 if this patch holds the surface layer k = nz-1 */
} cs_patch;

/* Set a patch covering the whole grid (serial use, tests). */
void cs_patch_whole(const cs_grid *g, double H, cs_patch *pt);
/* Fill the derived members (g, h, dA, patch_area, surface) from n, off, N,
 * wall_*; `H` is the thickness. */
void cs_patch_finish(const cs_grid *g, double H, cs_patch *pt);

static inline int cs_patch_cells(const cs_patch *pt) { return pt->n[0] * pt->n[1] * pt->n[2]; }
static inline int cs_cell(const cs_patch *pt, int k, int i, int j)
{
  return k + pt->n[0] * (i + pt->n[1] * j);
}

/* 1 if the RHS kernel reads halo values on this patch: some used direction
 * has a side that is not a wall (a neighbour rank, or periodic). 0: every
 * face of the patch is a wall, and the kernel reads owned cells only. */
static inline int cs_patch_reads_halo(const cs_patch *pt)
{
  for (int d = 0; d < 3; ++d)
    if (pt->gh[d] && !(pt->wall_lo[d] && pt->wall_hi[d])) return 1;
  return 0;
}

/* The layer of cells beyond each non-wall side of a patch: lo[d] (below
 * index 0 of direction d) and hi[d] (above index n[d]-1), CS_NS values a
 * cell, the cells in the owned order with d's index left out:
 *   z face (1-D runs with the depth split):  i + n1 j
 *   x face:  k + n0 j        y face:  k + n0 i
 * NULL on a wall side and in an unused direction. */
typedef struct {
  const double *lo[3], *hi[3];
} cs_halo;

/* Cells in one face of direction d: the product of the other extents. */
static inline long cs_face_cells(const cs_patch *pt, int d)
{
  return (long)pt->n[0] * pt->n[1] * pt->n[2] / pt->n[d];
}

#endif
