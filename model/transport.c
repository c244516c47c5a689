#include "transport.h"

#include <float.h>
#include <string.h>

double cs_surface_transfer(const cs_params *p, double D, double hz)
{
  if (D <= 0.0 || p->h_m <= 0.0) return 0.0;
  return 1.0 / (1.0 / p->h_m + 0.5 * hz / D);
}

/* Fluid-side value X_s seen by species s at the surface. */
static double fluid_value(int s, const double *syn)
{
  switch (s) {
  case CS_P: return syn[CS_PS];
  case CS_R: return syn[CS_RS];
  case CS_F: return syn[CS_FS];
  default: return 0.0; /* Z_s = M_s = 0 */
  }
}

void cs_transport_rhs(const cs_params *p, const cs_patch *pt, const double *ug, const double *syn,
                      double *du, cs_patch_sums *sums)
{
  double D[CS_NS], coef[3][CS_NS], heff[CS_NS];
  cs_params_diffusivities(p, D);
  for (int d = 0; d < 3; ++d)
    for (int s = 0; s < CS_NS; ++s) coef[d][s] = D[s] / (pt->h[d] * pt->h[d]);
  for (int s = 0; s < CS_NS; ++s) heff[s] = s <= CS_F ? cs_surface_transfer(p, D[s], pt->h[0]) : 0.0;
  /* strides of the ghosted array, in cells */
  const int stride[3] = {1, pt->g[0], pt->g[0] * pt->g[1]};
  const int used[3] = {pt->gh[0], pt->gh[1], pt->gh[2]};
  const double dV = pt->h[0] * pt->dA;
  const double N = syn[CS_N], attach = p->k_att * N / p->V_s;

  cs_patch_sums acc;
  memset(&acc, 0, sizeof acc);

  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i)
      for (int k = 0; k < pt->n[0]; ++k) {
        const int idx[3] = {k, i, j};
        const int gc = cs_gcell(pt, k, i, j);
        const double *u = &ug[CS_IDX(0, gc)];
        double *f = &du[CS_IDX(0, cs_cell(pt, k, i, j))];
        cs_msc_rates r;
        cs_react(p, u, f, &r);
        acc.msc.died += r.died * dV;
        acc.msc.differentiated += r.differentiated * dV;
        acc.msc.proliferated += r.proliferated * dV;

        for (int d = 0; d < 3; ++d) {
          if (!used[d]) continue;
          const int lo_wall = idx[d] == 0 && pt->wall_lo[d];
          const int hi_wall = idx[d] == pt->n[d] - 1 && pt->wall_hi[d];
          const double *um = &ug[CS_IDX(0, gc - stride[d])];
          const double *up = &ug[CS_IDX(0, gc + stride[d])];
          for (int s = 0; s < CS_NS; ++s) {
            if (D[s] == 0.0) continue;
            double flux = 0.0;
            if (!lo_wall) flux += coef[d][s] * (um[s] - u[s]);
            if (!hi_wall) flux += coef[d][s] * (up[s] - u[s]);
            f[s] += flux;
          }
        }

        if (pt->surface && k == pt->n[0] - 1) {
          for (int s = 0; s <= CS_F; ++s) {
            const double J = heff[s] * (u[s] - p->kappa * fluid_value(s, syn));
            f[s] -= J / pt->h[0];
            acc.J[s] += J * pt->dA;
          }
          const double JE = -attach * (1.0 + p->beta_att * (1.0 - u[CS_C]));
          f[CS_E] -= JE / pt->h[0];
          acc.J[CS_E] += JE * pt->dA;
          acc.c_surface += u[CS_C] * pt->dA;
        }
      }
  if (sums) *sums = acc;
}

void cs_transport_diag(const cs_params *p, const cs_patch *pt, int k, int i, int j, double N,
                       double diag[CS_NS], double *dE_dc)
{
  double D[CS_NS];
  cs_params_diffusivities(p, D);
  const int idx[3] = {k, i, j};
  for (int s = 0; s < CS_NS; ++s) diag[s] = 0.0;
  for (int d = 0; d < 3; ++d) {
    if (!pt->gh[d]) continue;
    int faces = 2 - (idx[d] == 0 && pt->wall_lo[d]) - (idx[d] == pt->n[d] - 1 && pt->wall_hi[d]);
    for (int s = 0; s < CS_NS; ++s) diag[s] -= faces * D[s] / (pt->h[d] * pt->h[d]);
  }
  *dE_dc = 0.0;
  if (pt->surface && k == pt->n[0] - 1) {
    for (int s = 0; s <= CS_F; ++s) diag[s] -= cs_surface_transfer(p, D[s], pt->h[0]) / pt->h[0];
    *dE_dc = -p->k_att * N / p->V_s * p->beta_att / pt->h[0];
  }
}

void cs_transport_integrals(const cs_patch *pt, const double *u, cs_patch_integrals *out)
{
  memset(out, 0, sizeof *out);
  for (int s = 0; s < CS_NS; ++s) out->min_value[s] = DBL_MAX;
  const double dV = pt->h[0] * pt->dA;
  const int ncell = cs_patch_cells(pt);
  for (int cell = 0; cell < ncell; ++cell)
    for (int s = 0; s < CS_NS; ++s) {
      double v = u[CS_IDX(s, cell)];
      out->u_dV[s] += v * dV;
      if (v < out->min_value[s]) out->min_value[s] = v;
    }
  if (pt->surface)
    for (int j = 0; j < pt->n[2]; ++j)
      for (int i = 0; i < pt->n[1]; ++i)
        out->c_surface_dA += u[CS_IDX(CS_C, cs_cell(pt, pt->n[0] - 1, i, j))] * pt->dA;
}
