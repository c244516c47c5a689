#include "initial.h"

#include <math.h>

#define ROW(name, unit, def, lo, hi, help) \
  {#name, CS_OPT_REAL, unit, def, lo, hi, help, offsetof(cs_initial, name), 0.0, NULL}

static const cs_opt rows[] = {
  ROW(a0, "1", 1, 0, 1, "initial aggrecan content outside the lesion"),
  ROW(c0, "1", 1, 0, 1, "initial collagen content outside the lesion"),
  ROW(Ch0, "1", 1, 0, 1, "initial chondrocyte fraction outside the lesion"),
  ROW(P_s, "ng/mL", 0.005, 0, 1e6, "initial synovial pro-inflammatory cytokine"),
  ROW(R_s, "ng/mL", 10, 0, 1e9, "initial synovial anti-inflammatory factor"),
  ROW(F_s, "1", 0, 0, 1e6, "initial synovial fragments"),
  ROW(N, "cells", 0, 0, 1e12, "initial free MSCs in the fluid (counted as injected)"),
  ROW(N_syn, "cells", 0, 0, 1e12, "initial MSCs on the synovium (counted as injected)"),
  ROW(lesion_radius, "mm", 0, 0, 1e4, "lateral radius of the focal lesion; 0 = no lesion"),
  ROW(lesion_depth, "mm", 0.5, 0, 20, "depth of the lesion below the articular surface"),
  ROW(lesion_xc, "1", 0.5, 0, 1, "lesion centre along x, as a fraction of Lx"),
  ROW(lesion_yc, "1", 0.5, 0, 1, "lesion centre along y, as a fraction of Ly"),
  ROW(lesion_a, "1", 0.3, 0, 1, "aggrecan inside the lesion"),
  ROW(lesion_c, "1", 0.7, 0, 1, "collagen inside the lesion"),
  ROW(lesion_Ch, "1", 0.7, 0, 1, "chondrocyte fraction inside the lesion"),
};

const cs_opt_table cs_initial_table = {"initial", rows, (int)(sizeof rows / sizeof rows[0])};

/* Squared lateral distance of column (i, j) from the lesion centre. */
static double lesion_r2(const cs_initial *ini, const cs_grid *g, int i, int j)
{
  double r2 = 0.0;
  if (g->dim >= 2) {
    double dx = (i + 0.5) * g->Lx / g->nx - ini->lesion_xc * g->Lx;
    if (g->periodic) dx -= g->Lx * round(dx / g->Lx); /* the nearer image across the boundary */
    r2 += dx * dx;
  }
  if (g->dim >= 3) {
    double dy = (j + 0.5) * g->Ly / g->ny - ini->lesion_yc * g->Ly;
    if (g->periodic) dy -= g->Ly * round(dy / g->Ly);
    r2 += dy * dy;
  }
  return r2;
}

/* Depth of the centre of layer k below the surface is H - (k + 1/2) h. */
static int lesion_layer(const cs_initial *ini, const cs_params *p, const cs_grid *g, int k)
{
  return (k + 0.5) * p->H / g->nz > p->H - ini->lesion_depth;
}

void cs_initial_cell(const cs_initial *ini, const cs_params *p, const cs_grid *g, int k, int i, int j,
                     double u[CS_NS])
{
  for (int s = 0; s < CS_NS; ++s) u[s] = 0.0;
  u[CS_A] = ini->a0;
  u[CS_C] = ini->c0;
  u[CS_CH] = ini->Ch0;
  if (ini->lesion_radius <= 0.0) return;
  if (lesion_layer(ini, p, g, k) && lesion_r2(ini, g, i, j) <= ini->lesion_radius * ini->lesion_radius) {
    u[CS_A] = ini->lesion_a;
    u[CS_C] = ini->lesion_c;
    u[CS_CH] = ini->lesion_Ch;
  }
}

void cs_initial_lesion_cover(const cs_initial *ini, const cs_params *p, const cs_grid *g, cs_lesion_cover *out)
{
  out->layers = out->columns = 0;
  out->nearest = INFINITY;
  for (int k = 0; k < g->nz; ++k) out->layers += lesion_layer(ini, p, g, k);
  const int nx = g->dim >= 2 ? g->nx : 1, ny = g->dim >= 3 ? g->ny : 1;
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      const double r2 = lesion_r2(ini, g, i, j);
      out->columns += r2 <= ini->lesion_radius * ini->lesion_radius;
      if (sqrt(r2) < out->nearest) out->nearest = sqrt(r2);
    }
}

void cs_initial_synovial(const cs_initial *ini, double syn[CS_NSYNO])
{
  for (int q = 0; q < CS_NSYNO; ++q) syn[q] = 0.0;
  syn[CS_PS] = ini->P_s;
  syn[CS_RS] = ini->R_s;
  syn[CS_FS] = ini->F_s;
  syn[CS_N] = ini->N;
  syn[CS_NSYN] = ini->N_syn;
}
