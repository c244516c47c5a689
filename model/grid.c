#include "grid.h"

#include <string.h>

#include "species.h"

static const cs_opt rows[] = {
  {"dim", CS_OPT_INT, "1", 1, 1, 3, "spatial dimension: 1 depth, 2 depth x lateral x, 3 depth x x x y",
   offsetof(cs_grid, dim), 0, NULL},
  {"nz", CS_OPT_INT, "cells", 48, 2, 100000, "cells across the depth H", offsetof(cs_grid, nz), 0, NULL},
  {"nx", CS_OPT_INT, "cells", 1, 1, 100000, "cells along the lateral x direction (dim >= 2)",
   offsetof(cs_grid, nx), 0, NULL},
  {"ny", CS_OPT_INT, "cells", 1, 1, 100000, "cells along the lateral y direction (dim 3)",
   offsetof(cs_grid, ny), 0, NULL},
  {"Lx", CS_OPT_REAL, "mm", 10, 1e-3, 1e4, "lateral size of the simulated patch along x (dim >= 2)",
   offsetof(cs_grid, Lx), 0, NULL},
  {"Ly", CS_OPT_REAL, "mm", 10, 1e-3, 1e4, "lateral size of the simulated patch along y (dim 3)",
   offsetof(cs_grid, Ly), 0, NULL},
  {"periodic", CS_OPT_BOOL, "-", 0, 0, 1, "lateral boundaries periodic (true) or no-flux (false)",
   offsetof(cs_grid, periodic), 0, NULL},
};

const cs_opt_table cs_grid_table = {"grid", rows, (int)(sizeof rows / sizeof rows[0])};

void cs_patch_finish(const cs_grid *g, double H, cs_patch *pt)
{
  const double L[3] = {H, g->dim >= 2 ? g->Lx : 1.0, g->dim >= 3 ? g->Ly : 1.0};
  for (int d = 0; d < 3; ++d) {
    int used = d < g->dim;
    pt->gh[d] = used ? 1 : 0;
    pt->h[d] = used ? L[d] / pt->N[d] : 1.0;
  }
  pt->dA = pt->h[1] * pt->h[2];
  pt->patch_area = L[1] * L[2];
  pt->surface = pt->off[0] + pt->n[0] == pt->N[0];
}

void cs_patch_whole(const cs_grid *g, double H, cs_patch *pt)
{
  memset(pt, 0, sizeof *pt);
  pt->N[0] = g->nz;
  pt->N[1] = g->dim >= 2 ? g->nx : 1;
  pt->N[2] = g->dim >= 3 ? g->ny : 1;
  for (int d = 0; d < 3; ++d) {
    pt->n[d] = pt->N[d];
    pt->off[d] = 0;
    int periodic = d > 0 && g->periodic;
    pt->wall_lo[d] = pt->wall_hi[d] = !periodic;
  }
  cs_patch_finish(g, H, pt);
}
