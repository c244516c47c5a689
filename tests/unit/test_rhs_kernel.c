/* The blocked, vectorised cartilage RHS (model/transport.c, cs_kin_eval in
 * model/kinetics.h) against a plain cell-by-cell implementation of the same
 * equations (the kernel as it was before it was restructured):
 *  1. cs_react against the formulas of kinetics.h written out with their
 *     divisions, at random states including slightly negative P and F and
 *     for whole and fractional shielding exponents;
 *  2. cs_transport_rhs against the reference kernel on 1-D, 2-D and 3-D
 *     patches, column lengths around the block size, walls and halo faces
 *     (halo cells behind walls hold NaN: the kernel must not read them into
 *     the result), with and without the surface layer; the MSC and surface
 *     sums as well.
 * Agreement is to rounding (relative 1e-12 of the magnitude of the terms).
 *  2b. the two parts a run computes around the halo exchange
 *     (cs_transport_rhs_columns): the inner columns with every halo face
 *     NaN (they must read none), then the border columns; together they
 *     write each cell once, the same bits as cs_transport_rhs, and their
 *     sums add up to its sums to rounding;
 *  3. the kernel the loader picked for this CPU (an AVX-512 clone where the
 *     CPU has it, model/cpu_clones.h) against model/transport.c compiled for
 *     the x86-64 baseline (transport_baseline.c): bit for bit, derivative
 *     and sums, on every patch of 2;
 *  4. cs_transport_integrals (the output's means and minima) against plain
 *     loops and the baseline build, bit for bit (check_integrals).
 */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "../../model/transport.h"
#include "check.h"

/* transport_baseline.c */
void cs_transport_rhs_baseline(const cs_params *p, const cs_patch *pt, const double *u, const cs_halo *halo,
                               const double *syn, double *du, cs_patch_sums *sums);
void cs_transport_integrals_baseline(const cs_patch *pt, const double *u, cs_patch_integrals *out);

static double pos(double x) { return x > 0.0 ? x : 0.0; }

/* kinetics.h, term by term, with the divisions as written there */
static void react_ref(const cs_params *p, const double *u, double *du, cs_msc_rates *r)
{
  const double P = u[CS_P], R = u[CS_R], Z = u[CS_Z], M = u[CS_M], F = u[CS_F];
  const double a = u[CS_A], c = u[CS_C], Ch = u[CS_CH], E = u[CS_E];
  const double Pp = pos(P), Fp = pos(F);
  const double den = Pp + p->K_P * (1.0 + R / p->K_R);
  const double S = den > 0.0 ? Pp / den : 0.0;
  const double phi = pow(pos(1.0 - a), p->m_shield);
  const double G = p->k_dE * E * pos(1.0 - Ch) * (1.0 - S);
  r->died = p->mu_E * (1.0 + p->mu_ES * S) * E;
  r->differentiated = G;
  r->proliferated = p->r_E * E * (1.0 - E / p->E_max);
  du[CS_P] = Ch * (p->sig_P0 + p->sig_PP * S + p->sig_PF * Fp / (p->K_F + Fp)) - p->del_P * P;
  du[CS_R] = Ch * p->sig_R0 + p->q_RE * E * (1.0 + p->chi * S) - p->del_R * R;
  du[CS_Z] = Ch * (p->sig_Z0 + p->sig_ZS * S) - p->del_Z * Z;
  du[CS_M] = Ch * (p->sig_M0 + p->sig_MS * S) - p->del_M * M;
  du[CS_F] = p->gam_a * p->k_a * Z * a + p->gam_c * p->k_c * M * c * phi + p->k_wear * pos(1.0 - c) -
             p->del_F * F;
  du[CS_A] = Ch * p->sig_a * (1.0 - a) / (1.0 + Pp / p->K_syn) - p->k_a * Z * a + p->sig_aE * E * (1.0 - a);
  du[CS_C] = Ch * p->sig_c * (1.0 - c) - p->k_c * M * c * phi + p->sig_cE * E * (1.0 - c);
  du[CS_CH] = -p->mu_C * S * Ch + G / p->rho_C;
  du[CS_E] = r->proliferated - r->died - G;
}

/* Sum of the magnitudes of the terms of f_s: the scale for rounding. */
static double react_scale(const cs_params *p, const double *u, int s)
{
  double v[CS_NS], du[CS_NS];
  cs_msc_rates r;
  for (int q = 0; q < CS_NS; ++q) v[q] = fabs(u[q]) + 1.0;
  react_ref(p, v, du, &r);
  return fabs(du[s]) + 1.0 * (p->del_P + p->del_R + p->del_Z + p->del_M + p->del_F) * (fabs(u[s]) + 1.0) + 1e-300;
}

static void random_state(unsigned long *st, double *u)
{
  u[CS_P] = cs_test_uniform(st, -1e-6, 0.2);
  u[CS_R] = cs_test_uniform(st, 0.0, 20.0);
  u[CS_Z] = cs_test_uniform(st, 0.0, 0.5);
  u[CS_M] = cs_test_uniform(st, 0.0, 0.5);
  u[CS_F] = cs_test_uniform(st, -1e-6, 0.02);
  u[CS_A] = cs_test_uniform(st, 0.05, 1.05);
  u[CS_C] = cs_test_uniform(st, 0.05, 1.05);
  u[CS_CH] = cs_test_uniform(st, 0.05, 1.05);
  u[CS_E] = cs_test_uniform(st, 0.0, 800.0);
}

static void set_params(cs_params *p, double m_shield)
{
  cs_opt_set_defaults(&cs_params_table, p);
  p->sig_R0 = 0.01; /* every optional term on */
  p->sig_aE = 1e-4;
  p->sig_cE = 2e-5;
  p->r_E = 0.05;
  p->D_E = 0.3;
  p->m_shield = m_shield;
}

static const double m_values[] = {2.0, 0.0, 1.0, 3.0, 2.5};
#define N_M ((int)(sizeof m_values / sizeof m_values[0]))

static void test_react(void)
{
  unsigned long st = 4242;
  for (int im = 0; im < N_M; ++im) {
    cs_params p;
    set_params(&p, m_values[im]);
    for (int trial = 0; trial < 500; ++trial) {
      double u[CS_NS], f[CS_NS], g[CS_NS];
      cs_msc_rates r, rr;
      random_state(&st, u);
      cs_react(&p, u, f, &r);
      react_ref(&p, u, g, &rr);
      for (int s = 0; s < CS_NS; ++s)
        CHECK_CLOSE(f[s], g[s], 0, 1e-13 * react_scale(&p, u, s), "m %g trial %d f_%s", m_values[im], trial,
                    cs_species_info[s].name);
      CHECK_CLOSE(r.died, rr.died, 1e-13, 1e-300, "m %g trial %d died", m_values[im], trial);
      CHECK_CLOSE(r.differentiated, rr.differentiated, 1e-13, 1e-300, "differentiated");
      CHECK_CLOSE(r.proliferated, rr.proliferated, 1e-13, 1e-300, "proliferated");
    }
  }
}

/* The test's patches are written as one "ghosted" array: the owned cells
 * with one layer of halo cells on each side of every used direction,
 * gcell = (k+gh0) + g0 ((i+gh1) + g1 (j+gh2)), g = n + 2 gh. */
static void ghosted_extents(const cs_patch *pt, int g[3])
{
  for (int d = 0; d < 3; ++d) g[d] = pt->n[d] + 2 * pt->gh[d];
}

static int gcell(const cs_patch *pt, const int g[3], int k, int i, int j)
{
  return (k + pt->gh[0]) + g[0] * ((i + pt->gh[1]) + g[1] * (j + pt->gh[2]));
}

/* What the kernel reads: the owned values and the faces beyond the
 * non-wall sides (cs_halo's order, grid.h), taken from a ghosted array. */
typedef struct {
  double *u, *face[2][3];
  cs_halo halo;
} split_state;

static void split_ghosted(const cs_patch *pt, const double *ug, split_state *sp)
{
  int g[3];
  ghosted_extents(pt, g);
  memset(sp, 0, sizeof *sp);
  sp->u = malloc(sizeof(double) * CS_NS * (size_t)cs_patch_cells(pt));
  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i)
      for (int k = 0; k < pt->n[0]; ++k)
        memcpy(&sp->u[CS_IDX(0, cs_cell(pt, k, i, j))], &ug[CS_IDX(0, gcell(pt, g, k, i, j))], CS_NS * sizeof(double));
  for (int d = 0; d < 3; ++d)
    for (int side = 0; side < 2 && pt->gh[d]; ++side) {
      if (side ? pt->wall_hi[d] : pt->wall_lo[d]) continue;
      double *face = sp->face[side][d] = malloc(sizeof(double) * CS_NS * (size_t)cs_face_cells(pt, d));
      const int beyond = side ? pt->n[d] : -1;
      for (int j = 0; j < pt->n[2]; ++j)
        for (int i = 0; i < pt->n[1]; ++i)
          for (int k = 0; k < pt->n[0]; ++k) {
            const int idx[3] = {k, i, j};
            if (idx[d] != 0) continue; /* one cell of the face per line across it */
            const int at = d == 0 ? i + pt->n[1] * j : d == 1 ? k + pt->n[0] * j : k + pt->n[0] * i;
            const int gc = gcell(pt, g, d == 0 ? beyond : k, d == 1 ? beyond : i, d == 2 ? beyond : j);
            memcpy(&face[CS_IDX(0, at)], &ug[CS_IDX(0, gc)], CS_NS * sizeof(double));
          }
      if (side)
        sp->halo.hi[d] = face;
      else
        sp->halo.lo[d] = face;
    }
}

static void split_free(split_state *sp)
{
  free(sp->u);
  for (int d = 0; d < 3; ++d) {
    free(sp->face[0][d]);
    free(sp->face[1][d]);
  }
}

/* Fluid-side value X_s seen by species s at the surface. */
static double fluid_value(int s, const double *syn)
{
  return s == CS_P ? syn[CS_PS] : s == CS_R ? syn[CS_RS] : s == CS_F ? syn[CS_FS] : 0.0;
}

/* The cell-by-cell kernel: reactions, then each direction's two faces. */
static void rhs_ref(const cs_params *p, const cs_patch *pt, const double *ug, const double *syn, double *du,
                    cs_patch_sums *acc)
{
  double D[CS_NS], coef[3][CS_NS];
  cs_params_diffusivities(p, D);
  for (int d = 0; d < 3; ++d)
    for (int s = 0; s < CS_NS; ++s) coef[d][s] = D[s] / (pt->h[d] * pt->h[d]);
  int g[3];
  ghosted_extents(pt, g);
  const int stride[3] = {1, g[0], g[0] * g[1]};
  const double dV = pt->h[0] * pt->dA;
  memset(acc, 0, sizeof *acc);
  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i)
      for (int k = 0; k < pt->n[0]; ++k) {
        const int idx[3] = {k, i, j};
        const int gc = gcell(pt, g, k, i, j);
        const double *u = &ug[CS_IDX(0, gc)];
        double *f = &du[CS_IDX(0, cs_cell(pt, k, i, j))];
        cs_msc_rates r;
        react_ref(p, u, f, &r);
        acc->msc.died += r.died * dV;
        acc->msc.differentiated += r.differentiated * dV;
        acc->msc.proliferated += r.proliferated * dV;
        for (int d = 0; d < 3; ++d) {
          if (!pt->gh[d]) continue;
          const int lo_wall = idx[d] == 0 && pt->wall_lo[d];
          const int hi_wall = idx[d] == pt->n[d] - 1 && pt->wall_hi[d];
          for (int s = 0; s < CS_NS; ++s) {
            if (D[s] == 0.0) continue;
            if (!lo_wall) f[s] += coef[d][s] * (ug[CS_IDX(s, gc - stride[d])] - u[s]);
            if (!hi_wall) f[s] += coef[d][s] * (ug[CS_IDX(s, gc + stride[d])] - u[s]);
          }
        }
        if (pt->surface && k == pt->n[0] - 1) {
          for (int s = 0; s <= CS_F; ++s) {
            const double J = cs_surface_transfer(p, D[s], pt->h[0]) * (u[s] - p->kappa * fluid_value(s, syn));
            f[s] -= J / pt->h[0];
            acc->J[s] += J * pt->dA;
          }
          const double JE = -p->k_att * syn[CS_N] / p->V_s * (1.0 + p->beta_att * (1.0 - u[CS_C]));
          f[CS_E] -= JE / pt->h[0];
          acc->J[CS_E] += JE * pt->dA;
          acc->c_surface += u[CS_C] * pt->dA;
        }
      }
}

/* Is ghosted cell (gk, gi, gj) (ghosted indices) behind a wall face? */
static int behind_wall(const cs_patch *pt, const int g[3], const int gidx[3])
{
  for (int d = 0; d < 3; ++d) {
    if (!pt->gh[d]) continue;
    if (gidx[d] == 0 && pt->wall_lo[d]) return 1;
    if (gidx[d] == g[d] - 1 && pt->wall_hi[d]) return 1;
  }
  return 0;
}

/* cs_transport_integrals on the owned values u: against the plain loops
 * (each species summed over the cells in order, the minimum by "v < min")
 * and against the baseline build, bit for bit. `u` has a few values below
 * zero and one NaN, which no minimum takes (as in the plain loop). */
static void check_integrals(const cs_patch *pt, double *u, unsigned long *st)
{
  const int nc = cs_patch_cells(pt);
  static const int neg[3] = {CS_P, CS_F, CS_C};
  for (int q = 0; q < 3; ++q)
    u[CS_IDX(neg[q], (int)cs_test_uniform(st, 0.0, nc - 0.5))] = -cs_test_uniform(st, 0.1, 1.0);
  u[CS_IDX(CS_M, nc / 2)] = NAN;
  cs_patch_integrals got, base, ref;
  memset(&ref, 0, sizeof ref);
  for (int s = 0; s < CS_NS; ++s) ref.min_value[s] = DBL_MAX;
  const double dV = pt->h[0] * pt->dA;
  for (int c = 0; c < nc; ++c)
    for (int s = 0; s < CS_NS; ++s) {
      const double v = u[CS_IDX(s, c)];
      ref.u_dV[s] += v * dV;
      if (v < ref.min_value[s]) ref.min_value[s] = v;
    }
  if (pt->surface)
    for (int j = 0; j < pt->n[2]; ++j)
      for (int i = 0; i < pt->n[1]; ++i) ref.c_surface_dA += u[CS_IDX(CS_C, cs_cell(pt, pt->n[0] - 1, i, j))] * pt->dA;
  cs_transport_integrals(pt, u, &got);
  cs_transport_integrals_baseline(pt, u, &base);
  for (int s = 0; s < CS_NS; ++s) {
    if (s == CS_M) {
      CHECK(isnan(got.u_dV[s]) && isnan(base.u_dV[s]), "the NaN reaches the sum of %s", cs_species_info[s].name);
    } else {
      CHECK(memcmp(&got.u_dV[s], &ref.u_dV[s], sizeof(double)) == 0 &&
                memcmp(&base.u_dV[s], &ref.u_dV[s], sizeof(double)) == 0,
            "%d x %d x %d: sum of %s %.17g, baseline %.17g, plain loop %.17g", pt->n[0], pt->n[1], pt->n[2],
            cs_species_info[s].name, got.u_dV[s], base.u_dV[s], ref.u_dV[s]);
    }
    CHECK(got.min_value[s] == ref.min_value[s] && base.min_value[s] == ref.min_value[s],
          "%d x %d x %d: minimum of %s %.17g, baseline %.17g, plain loop %.17g", pt->n[0], pt->n[1], pt->n[2],
          cs_species_info[s].name, got.min_value[s], base.min_value[s], ref.min_value[s]);
  }
  CHECK(got.min_value[CS_P] < 0.0 && got.min_value[CS_F] < 0.0 && got.min_value[CS_C] < 0.0,
        "the negative values are the minima");
  CHECK(got.c_surface_dA == ref.c_surface_dA && base.c_surface_dA == ref.c_surface_dA, "c_surface_dA %.17g vs %.17g",
        got.c_surface_dA, ref.c_surface_dA);
}

/* 2b: the inner columns (every halo face NaN), then the border columns, each
 * into an array of sentinels: every cell written by exactly one part, the
 * same bits as the whole kernel's f; the parts' sums add up to sums. */
static void check_parts(const cs_params *p, const cs_patch *pt, const split_state *sp, const double *syn,
                        const double *f, const cs_patch_sums *sums)
{
  const size_t n = CS_NS * (size_t)cs_patch_cells(pt);
  const double sentinel = -12345.0;
  double *fi = malloc(n * sizeof(double)), *fb = malloc(n * sizeof(double));
  for (size_t q = 0; q < n; ++q) fi[q] = fb[q] = sentinel;
  cs_halo nan_halo = {{NULL}, {NULL}};
  double *nan_face[2][3] = {{NULL}};
  for (int d = 0; d < 3; ++d)
    for (int side = 0; side < 2; ++side)
      if (sp->face[side][d]) {
        const size_t m = CS_NS * (size_t)cs_face_cells(pt, d);
        nan_face[side][d] = malloc(m * sizeof(double));
        for (size_t q = 0; q < m; ++q) nan_face[side][d][q] = NAN;
        if (side)
          nan_halo.hi[d] = nan_face[side][d];
        else
          nan_halo.lo[d] = nan_face[side][d];
      }
  cs_patch_sums si, sb;
  cs_transport_rhs_columns(p, pt, sp->u, &nan_halo, CS_COLUMNS_INNER, syn, fi, &si);
  cs_transport_rhs_columns(p, pt, sp->u, &sp->halo, CS_COLUMNS_BORDER, syn, fb, &sb);
  int bad = 0, inner = 0;
  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i) {
      const int border = cs_column_reads_halo(pt, i, j);
      inner += !border;
      for (int k = 0; k < pt->n[0]; ++k)
        for (int s = 0; s < CS_NS; ++s) {
          const size_t q = CS_IDX(s, cs_cell(pt, k, i, j));
          const double got = border ? fb[q] : fi[q], untouched = border ? fi[q] : fb[q];
          if (memcmp(&got, &f[q], sizeof got) != 0 || untouched != sentinel) ++bad;
        }
    }
  CHECK(bad == 0, "%d x %d x %d: %d values of the two parts (%d inner columns) differ from the whole kernel's",
        pt->n[0], pt->n[1], pt->n[2], bad, inner);
  cs_patch_sums_add(&si, &sb);
  for (int s = 0; s < CS_NS; ++s) CHECK_CLOSE(si.J[s], sums->J[s], 1e-12, 1e-300, "parts: J[%s]", cs_species_info[s].name);
  CHECK_CLOSE(si.c_surface, sums->c_surface, 1e-12, 1e-300, "parts: c_surface");
  CHECK_CLOSE(si.msc.died, sums->msc.died, 1e-12, 1e-300, "parts: died");
  CHECK_CLOSE(si.msc.differentiated, sums->msc.differentiated, 1e-12, 1e-300, "parts: differentiated");
  CHECK_CLOSE(si.msc.proliferated, sums->msc.proliferated, 1e-12, 1e-300, "parts: proliferated");
  for (int d = 0; d < 3; ++d) {
    free(nan_face[0][d]);
    free(nan_face[1][d]);
  }
  free(fi);
  free(fb);
}

static void compare(int dim, int nz, int nx, int ny, int lo_z_wall, int surface, int periodic, double m,
                    unsigned long *st)
{
  cs_params p;
  set_params(&p, m);
  cs_grid g = {dim, nz, nx, ny, 3.0, 2.0, periodic};
  cs_patch pt;
  cs_patch_whole(&g, p.H, &pt);
  if (!lo_z_wall) pt.wall_lo[0] = 0; /* as if a patch below sent its values */
  if (!surface) {
    pt.wall_hi[0] = 0;
    pt.surface = 0;
  }
  int gx[3];
  ghosted_extents(&pt, gx);
  const size_t ng = (size_t)gx[0] * gx[1] * gx[2], nc = (size_t)cs_patch_cells(&pt);
  double *ug = malloc(CS_NS * ng * sizeof(double));
  double *f = malloc(CS_NS * nc * sizeof(double)), *fr = malloc(CS_NS * nc * sizeof(double));
  double *scale = malloc(CS_NS * nc * sizeof(double));
  for (int gj = 0; gj < gx[2]; ++gj)
    for (int gi = 0; gi < gx[1]; ++gi)
      for (int gk = 0; gk < gx[0]; ++gk) {
        const int gidx[3] = {gk, gi, gj};
        double *u = &ug[CS_IDX(0, gk + gx[0] * (gi + gx[1] * gj))];
        random_state(st, u);
        if (behind_wall(&pt, gx, gidx))
          for (int s = 0; s < CS_NS; ++s) u[s] = NAN;
      }
  double syn[CS_NSYNO] = {0};
  syn[CS_PS] = 0.3;
  syn[CS_RS] = 0.7;
  syn[CS_FS] = 0.01;
  syn[CS_N] = 1e7;
  const int halo = pt.wall_lo[0] == 0 || pt.wall_hi[0] == 0 || (periodic && dim > 1);
  CHECK(cs_patch_reads_halo(&pt) == halo, "dim %d, lo wall %d, surface %d, periodic %d: reads_halo %d, expected %d",
        dim, lo_z_wall, surface, periodic, cs_patch_reads_halo(&pt), halo);
  split_state sp;
  split_ghosted(&pt, ug, &sp);
  cs_patch_sums sums, ref;
  cs_transport_rhs(&p, &pt, sp.u, halo ? &sp.halo : NULL, syn, f, &sums);
  cs_patch_sums base_sums;
  cs_transport_rhs_baseline(&p, &pt, sp.u, halo ? &sp.halo : NULL, syn, fr, &base_sums);
  CHECK(memcmp(f, fr, CS_NS * nc * sizeof *f) == 0 && memcmp(&sums, &base_sums, sizeof sums) == 0,
        "dim %d, %d x %d x %d, m %g: this CPU's kernel and the baseline build differ", dim, nz, nx, ny, m);
  check_parts(&p, &pt, &sp, syn, f, &sums);
  check_integrals(&pt, sp.u, st); /* last: it writes negatives and a NaN into the owned values */
  split_free(&sp);
  rhs_ref(&p, &pt, ug, syn, fr, &ref);

  /* scale of rounding: the reaction terms plus |D/h^2| (|u| + |neighbours|) */
  double D[CS_NS];
  cs_params_diffusivities(&p, D);
  double dif = 0;
  for (int d = 0; d < 3; ++d)
    if (pt.gh[d]) dif += 1.0 / (pt.h[d] * pt.h[d]);
  int bad = 0;
  for (int j = 0; j < pt.n[2]; ++j)
    for (int i = 0; i < pt.n[1]; ++i)
      for (int k = 0; k < pt.n[0]; ++k) {
        const int c = cs_cell(&pt, k, i, j);
        const double *u = &ug[CS_IDX(0, gcell(&pt, gx, k, i, j))];
        for (int s = 0; s < CS_NS; ++s) {
          const double sc = react_scale(&p, u, s) + 4.0 * D[s] * dif * 1000.0 + 1e4 * (k == pt.n[0] - 1);
          const double a = f[CS_IDX(s, c)], b = fr[CS_IDX(s, c)];
          if (!(fabs(a - b) <= 1e-12 * sc)) {
            if (++bad <= 5)
              fprintf(stderr, "dim %d %dx%dx%d m %g cell (%d,%d,%d) %s: %.17g vs %.17g\n", dim, nz, nx, ny, m, k, i,
                      j, cs_species_info[s].name, a, b);
          }
        }
      }
  CHECK(bad == 0, "dim %d, %d x %d x %d, lo wall %d, surface %d, periodic %d, m %g: %d values differ", dim, nz, nx,
        ny, lo_z_wall, surface, periodic, m, bad);
  for (int s = 0; s < CS_NS; ++s)
    CHECK_CLOSE(sums.J[s], ref.J[s], 1e-12, 1e-300, "J[%s]", cs_species_info[s].name);
  CHECK_CLOSE(sums.c_surface, ref.c_surface, 1e-12, 1e-300, "c_surface");
  CHECK_CLOSE(sums.msc.died, ref.msc.died, 1e-12, 1e-300, "died");
  CHECK_CLOSE(sums.msc.differentiated, ref.msc.differentiated, 1e-12, 1e-300, "differentiated");
  CHECK_CLOSE(sums.msc.proliferated, ref.msc.proliferated, 1e-12, 1e-300, "proliferated");
  free(ug);
  free(f);
  free(fr);
  free(scale);
}

int main(void)
{
#if defined(__GNUC__) && defined(__x86_64__)
  __builtin_cpu_init();
  printf("this CPU %s x86-64-v4 (AVX-512)\n", __builtin_cpu_supports("x86-64-v4") ? "has" : "lacks");
#endif
  test_react();
  unsigned long st = 77;
  const int nzs[] = {2, 7, 8, 9, 17, 31, 32, 33, 70}; /* around BLK = 8 and NACC = 32 */
  for (int im = 0; im < N_M; ++im)
    for (int q = 0; q < (int)(sizeof nzs / sizeof nzs[0]); ++q) {
      const double m = m_values[im];
      compare(1, nzs[q], 1, 1, 1, 1, 0, m, &st);
      compare(2, nzs[q], 5, 1, 1, 1, 0, m, &st);
      compare(2, nzs[q], 4, 1, 0, 0, 1, m, &st);
      compare(2, nzs[q], 4, 1, 1, 1, 1, m, &st); /* walls in z, periodic in x: still a halo */
      compare(3, nzs[q], 3, 4, 1, 1, 0, m, &st);
      compare(3, nzs[q], 3, 3, 0, 1, 1, m, &st);
    }
  return cs_test_report("test_rhs_kernel");
}
