#include "transport.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "cpu_clones.h"

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

/* The kernel runs over depth columns (cells k = 0..n0-1 at fixed x, y, which
 * are contiguous in memory) in blocks of BLK cells. Per block:
 *   1. the block's state copied to species-major order (v[s][b]);
 *   2. the kinetics (cs_kin_eval) vectorised over the cells of the block,
 *      into r[s][b];
 *   3. the diffusion in storage order (species fastest), vectorised over the
 *      species of a cell, plus the reactions, written to du once.
 * A block of state, derivative and scratch stays in L1, so the state is read
 * from memory once and the derivative written once per evaluation; the
 * lateral neighbour columns are still in cache from the previous columns.
 * BLK = 8 (one AVX-512 vector of cells) and the reactions added in step 3
 * rather than by a pass of their own: ~10 % more evaluations per second
 * than BLK = 32 with a separate pass (docs/performance.md, fifth round); the
 * sums are the same, in the same order, so the results are the same bits.
 * The MSC rate sums are kept per depth k % NACC (NACC a multiple of BLK),
 * so that no loop has a serial reduction (their order of summation differs
 * from a plain loop over cells by rounding only; NACC = 32 keeps the order
 * of the earlier BLK = 32 kernel, so 2-D and 3-D results did not move). */
enum { BLK = 8, NACC = 32 };
_Static_assert(NACC % BLK == 0, "a block of cells must not wrap around the MSC rate slots");

/* What every column needs, formed once per call. */
typedef struct {
  cs_kin kin;
  double c[3][CS_NS]; /* D_s / h_d^2 (0 in an unused direction, and for a, c, Ch) */
  int n0;             /* cells in a column */
  int lat_y;          /* the y direction is used (3-D) */
} column_setup;

/* phi = max(1-a, 0)^m_shield for the nb cells of a block: products for a
 * whole exponent (m_whole, a loop invariant kept out of the cell loops),
 * pow otherwise. */
static inline void shield_block(const cs_kin *kin, int nb, const double *restrict a, double *restrict phi)
{
  for (int b = 0; b < nb; ++b) phi[b] = cs_kin_pos(1.0 - a[b]);
  switch (kin->m_whole) {
  case 0:
    for (int b = 0; b < nb; ++b) phi[b] = 1.0;
    break;
  case 1: break;
  case 2:
    for (int b = 0; b < nb; ++b) phi[b] = phi[b] * phi[b];
    break;
  case 3:
    for (int b = 0; b < nb; ++b) phi[b] = phi[b] * phi[b] * phi[b];
    break;
  default:
    for (int b = 0; b < nb; ++b) phi[b] = pow(phi[b], kin->m_shield);
  }
}

/* Reactions plus diffusion of one depth column. uc: the column's first
 * cell (owned layout: the column's cells are contiguous); xm, xp, ym, yp:
 * the same cell of the lateral neighbour columns (owned, or a face of the
 * halo, cs_halo), or uc itself where that face is a wall or the direction
 * is unused (the flux is then (u - u) = 0 exactly); f: the column's
 * derivative. Both ends of the column are taken as walls (no flux through
 * them): where an end faces a neighbour rank's cell instead (1-D, the
 * depth split), the caller adds that face's flux (end_flux). The ends'
 * neighbours are picked as u itself or u -/+ one cell, all from uc: a
 * pointer to another array there (the halo) stopped GCC from vectorising
 * step 3 (the RHS 40 % slower in cache). */
CS_CPU_CLONES static void column_rhs(const column_setup *cs, const double *restrict uc, const double *restrict xm,
                       const double *restrict xp, const double *restrict ym, const double *restrict yp,
                       double *restrict f, double acc[3][NACC])
{
  /* a copy: through cs the parameters might alias acc, and GCC then left
   * step 2 unvectorised in the AVX-512 clone ("control flow in loop"; in
   * cache 10 -> 19 GB/s with the copy, as a -march=x86-64-v4 build) */
  const cs_kin kin_copy = cs->kin, *kin = &kin_copy;
  const double *c0 = cs->c[0], *c1 = cs->c[1], *c2 = cs->c[2];
  const int ktop = cs->n0 - 1;
  double v[CS_NS][BLK], r[CS_NS][BLK], phi[BLK];
  for (int k0 = 0; k0 < cs->n0; k0 += BLK) {
    const int nb = cs->n0 - k0 < BLK ? cs->n0 - k0 : BLK, a0 = k0 % NACC;
    /* 1. */
    for (int s = 0; s < CS_NS; ++s)
      for (int b = 0; b < nb; ++b) v[s][b] = uc[CS_IDX(s, k0 + b)];
    /* 2. */
    shield_block(kin, nb, v[CS_A], phi);
    for (int b = 0; b < nb; ++b) {
      double u[CS_NS], d[CS_NS];
      for (int s = 0; s < CS_NS; ++s) u[s] = v[s][b];
      cs_msc_rates m;
      cs_kin_eval(kin, u, phi[b], d, &m);
      for (int s = 0; s < CS_NS; ++s) r[s][b] = d[s];
      acc[0][a0 + b] += m.died;
      acc[1][a0 + b] += m.differentiated;
      acc[2][a0 + b] += m.proliferated;
    }
    /* 3. */
    if (cs->lat_y)
      for (int k = k0; k < k0 + nb; ++k) {
        const int o = CS_NS * k;
        const double *u = uc + o, *zm = k == 0 ? u : u - CS_NS, *zp = k == ktop ? u : u + CS_NS;
        for (int s = 0; s < CS_NS; ++s)
          f[o + s] = (c0[s] * (zm[s] - u[s]) + c0[s] * (zp[s] - u[s])) +
                     (c1[s] * (xm[o + s] - u[s]) + c1[s] * (xp[o + s] - u[s])) +
                     (c2[s] * (ym[o + s] - u[s]) + c2[s] * (yp[o + s] - u[s])) + r[s][k - k0];
      }
    else
      for (int k = k0; k < k0 + nb; ++k) {
        const int o = CS_NS * k;
        const double *u = uc + o, *zm = k == 0 ? u : u - CS_NS, *zp = k == ktop ? u : u + CS_NS;
        for (int s = 0; s < CS_NS; ++s)
          f[o + s] = (c0[s] * (zm[s] - u[s]) + c0[s] * (zp[s] - u[s])) +
                     (c1[s] * (xm[o + s] - u[s]) + c1[s] * (xp[o + s] - u[s])) + r[s][k - k0];
      }
  }
}

/* f += D/h^2 (v - u) for each species: the flux through a column's end
 * face to the neighbour rank's cell v (1-D with the depth split), which
 * column_rhs left out. */
static void end_flux(const double c[CS_NS], const double *u, const double *v, double *f)
{
  for (int s = 0; s < CS_NS; ++s) f[s] += c[s] * (v[s] - u[s]);
}

/* The neighbour below (side 0) or above (side 1) the patch in direction d
 * of the cell that sits at offset `at` of that face (cs_halo's order), or
 * `self` where that side is a wall. */
static inline const double *beyond(const cs_patch *pt, const cs_halo *halo, int d, int side, long at,
                                   const double *self)
{
  if (side ? pt->wall_hi[d] : pt->wall_lo[d]) return self;
  return (side ? halo->hi[d] : halo->lo[d]) + CS_NS * at;
}

int cs_column_reads_halo(const cs_patch *pt, int i, int j)
{
  if (!pt->wall_lo[0] || !pt->wall_hi[0]) return 1;
  if (pt->gh[1] && ((i == 0 && !pt->wall_lo[1]) || (i == pt->n[1] - 1 && !pt->wall_hi[1]))) return 1;
  if (pt->gh[2] && ((j == 0 && !pt->wall_lo[2]) || (j == pt->n[2] - 1 && !pt->wall_hi[2]))) return 1;
  return 0;
}

void cs_transport_rhs_columns(const cs_params *p, const cs_patch *pt, const double *u, const cs_halo *halo,
                              cs_columns which, const double *syn, double *du, cs_patch_sums *sums)
{
  double D[CS_NS], heff[CS_NS];
  cs_params_diffusivities(p, D);
  column_setup cs = {.kin = cs_kin_make(p), .n0 = pt->n[0]};
  for (int d = 0; d < 3; ++d)
    for (int s = 0; s < CS_NS; ++s) cs.c[d][s] = pt->gh[d] ? D[s] / (pt->h[d] * pt->h[d]) : 0.0;
  cs.lat_y = pt->gh[2];
  for (int s = 0; s < CS_NS; ++s) heff[s] = s <= CS_F ? cs_surface_transfer(p, D[s], pt->h[0]) : 0.0;
  const double dV = pt->h[0] * pt->dA;
  const double N = syn[CS_N], attach = p->k_att * N / p->V_s;
  const long n0 = pt->n[0], sx = CS_NS * n0, sy = sx * pt->n[1]; /* owned strides in x, y, doubles */

  cs_patch_sums acc;
  memset(&acc, 0, sizeof acc);
  double rate[3][NACC]; /* MSC rate sums per cell k % NACC: died, differentiated, proliferated */
  memset(rate, 0, sizeof rate);

  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i) {
      if (which != CS_COLUMNS_ALL && cs_column_reads_halo(pt, i, j) != (which == CS_COLUMNS_BORDER)) continue;
      const double *uc = u + sx * i + sy * j, *top = uc + CS_NS * (n0 - 1);
      double *f = &du[CS_IDX(0, cs_cell(pt, 0, i, j))];
      const double *xm = uc, *xp = uc, *ym = uc, *yp = uc; /* unused directions: no flux */
      if (pt->gh[1]) {
        xm = i > 0 ? uc - sx : beyond(pt, halo, 1, 0, n0 * j, uc);
        xp = i < pt->n[1] - 1 ? uc + sx : beyond(pt, halo, 1, 1, n0 * j, uc);
      }
      if (pt->gh[2]) {
        ym = j > 0 ? uc - sy : beyond(pt, halo, 2, 0, n0 * i, uc);
        yp = j < pt->n[2] - 1 ? uc + sy : beyond(pt, halo, 2, 1, n0 * i, uc);
      }
      column_rhs(&cs, uc, xm, xp, ym, yp, f, rate);
      const long zat = i + (long)pt->n[1] * j;
      if (!pt->wall_lo[0]) end_flux(cs.c[0], uc, halo->lo[0] + CS_NS * zat, f);
      if (!pt->wall_hi[0]) end_flux(cs.c[0], top, halo->hi[0] + CS_NS * zat, f + CS_NS * (n0 - 1));

      if (pt->surface) {
        double *fs = f + CS_NS * (n0 - 1);
        for (int s = 0; s <= CS_F; ++s) {
          const double J = heff[s] * (top[s] - p->kappa * fluid_value(s, syn));
          fs[s] -= J / pt->h[0];
          acc.J[s] += J * pt->dA;
        }
        const double JE = -attach * (1.0 + p->beta_att * (1.0 - top[CS_C]));
        fs[CS_E] -= JE / pt->h[0];
        acc.J[CS_E] += JE * pt->dA;
        acc.c_surface += top[CS_C] * pt->dA;
      }
    }
  for (int b = 0; b < NACC; ++b) {
    acc.msc.died += rate[0][b] * dV;
    acc.msc.differentiated += rate[1][b] * dV;
    acc.msc.proliferated += rate[2][b] * dV;
  }
  if (sums) *sums = acc;
}

void cs_transport_rhs(const cs_params *p, const cs_patch *pt, const double *u, const cs_halo *halo,
                      const double *syn, double *du, cs_patch_sums *sums)
{
  cs_transport_rhs_columns(p, pt, u, halo, CS_COLUMNS_ALL, syn, du, sums);
}

void cs_patch_sums_add(cs_patch_sums *to, const cs_patch_sums *add)
{
  for (int s = 0; s < CS_NS; ++s) to->J[s] += add->J[s];
  to->c_surface += add->c_surface;
  to->msc.died += add->msc.died;
  to->msc.differentiated += add->msc.differentiated;
  to->msc.proliferated += add->msc.proliferated;
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

const int cs_couple_fluid[CS_NCOUPLE] = {CS_PS, CS_RS, CS_FS, CS_N};
const int cs_couple_row[CS_NCOUPLE] = {CS_P, CS_R, CS_F, CS_E};
const int cs_couple_col[CS_NCOUPLE] = {CS_P, CS_R, CS_F, CS_C};

void cs_surface_coupling(const cs_params *p, double hz, double c, double N, double dcell[CS_NCOUPLE],
                         double dflux[CS_NCOUPLE])
{
  double D[CS_NS];
  cs_params_diffusivities(p, D);
  for (int q = 0; q < 3; ++q) {
    const double heff = cs_surface_transfer(p, D[cs_couple_row[q]], hz);
    dcell[q] = heff * p->kappa / hz;
    dflux[q] = heff;
  }
  dcell[3] = p->k_att * (1.0 + p->beta_att * (1.0 - c)) / (p->V_s * hz);
  dflux[3] = p->k_att * N * p->beta_att / p->V_s;
}

/* The sums and minima per species in local arrays, which stay in registers:
 * through `out` the stores might alias u, so the old loop stored and
 * reloaded them at every cell (io_seconds at nz 768, 366 output steps:
 * 1.3 -> 1.0 ms). Each species' sum still runs over the cells in order, and
 * `v < m ? v : m` is the old test (a NaN never replaces the minimum), so the
 * values are the same bits (test_rhs_kernel). */
CS_CPU_CLONES void cs_transport_integrals(const cs_patch *pt, const double *restrict u, cs_patch_integrals *out)
{
  double sum[CS_NS], lo[CS_NS];
  for (int s = 0; s < CS_NS; ++s) {
    sum[s] = 0.0;
    lo[s] = DBL_MAX;
  }
  const double dV = pt->h[0] * pt->dA;
  const int ncell = cs_patch_cells(pt);
  for (int cell = 0; cell < ncell; ++cell) {
    const double *uc = u + (size_t)CS_NS * (size_t)cell;
    for (int s = 0; s < CS_NS; ++s) {
      const double v = uc[s];
      sum[s] += v * dV;
      lo[s] = v < lo[s] ? v : lo[s];
    }
  }
  memset(out, 0, sizeof *out);
  for (int s = 0; s < CS_NS; ++s) {
    out->u_dV[s] = sum[s];
    out->min_value[s] = lo[s];
  }
  if (pt->surface)
    for (int j = 0; j < pt->n[2]; ++j)
      for (int i = 0; i < pt->n[1]; ++i)
        out->c_surface_dA += u[CS_IDX(CS_C, cs_cell(pt, pt->n[0] - 1, i, j))] * pt->dA;
}
