/* The finite-volume transport kernel (model/transport.c):
 *  1. conservation: with reactions and the surface exchange off, the sum of
 *     du dV vanishes to round-off on 1-D, 2-D and 3-D grids;
 *  2. the surface fluxes it reports balance the change of the tissue content;
 *  3. exactness: the discrete Laplacian of a quadratic is exact in the interior;
 *  4. second-order convergence: the steady problem D u'' - lambda u + s = 0
 *     with no flux at z = 0 and the Robin condition at z = H, solved with the
 *     kernel's own operator, converges like h^2 to a manufactured solution;
 *  5. the surface-fluid coupling (cs_surface_coupling, cs_synovial_flux_gain)
 *     equals central differences of the kernel and of the synovial equations.
 */
#include <stdlib.h>
#include <string.h>

#include "../../model/synovial.h"
#include "../../model/transport.h"
#include "check.h"

static void kinetics_off(cs_params *p)
{
  cs_opt_set_defaults(&cs_params_table, p);
  double *zero[] = {&p->sig_P0, &p->sig_PP, &p->sig_PF, &p->del_P, &p->sig_R0, &p->q_RE, &p->del_R,
                    &p->sig_Z0, &p->sig_ZS, &p->del_Z, &p->sig_M0, &p->sig_MS, &p->del_M, &p->k_wear,
                    &p->del_F, &p->sig_a, &p->k_a, &p->sig_aE, &p->sig_c, &p->k_c, &p->sig_cE,
                    &p->mu_C, &p->k_dE, &p->r_E, &p->mu_E};
  for (size_t i = 0; i < sizeof zero / sizeof zero[0]; ++i) *zero[i] = 0.0;
}

static double *owned_random(const cs_patch *pt, unsigned long *st)
{
  double *u = calloc((size_t)CS_NS * cs_patch_cells(pt), sizeof(double));
  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i)
      for (int k = 0; k < pt->n[0]; ++k)
        for (int s = 0; s < CS_NS; ++s) u[CS_IDX(s, cs_cell(pt, k, i, j))] = cs_test_uniform(st, 0.1, 1.0);
  return u;
}

static void test_conservation(int dim)
{
  cs_params p;
  kinetics_off(&p);
  p.D_E = 0.3; /* make every diffusing species move */
  cs_grid g = {dim, 7, dim >= 2 ? 5 : 1, dim >= 3 ? 4 : 1, 3.0, 2.0, 0};
  cs_patch pt;
  cs_patch_whole(&g, p.H, &pt);
  unsigned long st = 99 + dim;
  double *u = owned_random(&pt, &st);
  double *du = calloc((size_t)CS_NS * cs_patch_cells(&pt), sizeof(double));
  double syn[CS_NSYNO] = {0};

  /* 1. walls everywhere (h_m = 0, no attachment): exact conservation */
  p.h_m = 0.0;
  p.k_att = 0.0;
  cs_patch_sums sums;
  cs_transport_rhs(&p, &pt, u, NULL, syn, du, &sums);
  const double dV = pt.h[0] * pt.dA;
  for (int s = 0; s < CS_NS; ++s) {
    double total = 0, scale = 0;
    for (int c = 0; c < cs_patch_cells(&pt); ++c) {
      total += du[CS_IDX(s, c)] * dV;
      scale += fabs(du[CS_IDX(s, c)]) * dV;
    }
    CHECK_CLOSE(total, 0.0, 0, 1e-13 * (scale + 1), "dim %d species %s: diffusion conserves the content", dim,
                cs_species_info[s].name);
  }

  /* 2. surface exchange on: d/dt content = -sum J dA for each species */
  p.h_m = 10.0;
  p.k_att = 1e-3;
  syn[CS_PS] = 0.3;
  syn[CS_RS] = 0.7;
  syn[CS_FS] = 0.2;
  syn[CS_N] = 1e7;
  cs_transport_rhs(&p, &pt, u, NULL, syn, du, &sums);
  for (int s = 0; s < CS_NS; ++s) {
    double total = 0, scale = 0;
    for (int c = 0; c < cs_patch_cells(&pt); ++c) {
      total += du[CS_IDX(s, c)] * dV;
      scale += fabs(du[CS_IDX(s, c)]) * dV;
    }
    CHECK_CLOSE(total, -sums.J[s], 1e-12, 1e-13 * (scale + 1), "dim %d species %s: surface flux balances content",
                dim, cs_species_info[s].name);
  }
  CHECK(sums.J[CS_E] < 0, "MSCs attach (inward flux)");
  free(u);
  free(du);
}

static void test_quadratic_exact(void)
{
  cs_params p;
  kinetics_off(&p);
  cs_grid g = {2, 10, 6, 1, 4.0, 1.0, 0};
  cs_patch pt;
  cs_patch_whole(&g, p.H, &pt);
  double *u = calloc((size_t)CS_NS * cs_patch_cells(&pt), sizeof(double));
  double *du = calloc((size_t)CS_NS * cs_patch_cells(&pt), sizeof(double));
  double syn[CS_NSYNO] = {0};
  /* P = z^2 + 3 x^2: Laplacian 2 + 6 = 8 in the interior */
  for (int i = 0; i < pt.n[1]; ++i)
    for (int k = 0; k < pt.n[0]; ++k) {
      double z = (k + 0.5) * pt.h[0], x = (i + 0.5) * pt.h[1];
      u[CS_IDX(CS_P, cs_cell(&pt, k, i, 0))] = z * z + 3 * x * x;
    }
  cs_transport_rhs(&p, &pt, u, NULL, syn, du, NULL);
  for (int i = 1; i < pt.n[1] - 1; ++i)
    for (int k = 1; k < pt.n[0] - 1; ++k)
      CHECK_CLOSE(du[CS_IDX(CS_P, cs_cell(&pt, k, i, 0))], 8.0 * p.D_P, 1e-10, 1e-10, "cell (%d, %d)", k, i);
  free(u);
  free(du);
}

/* Solve A u = b densely (Gaussian elimination with partial pivoting). */
static void dense_solve(int n, double *A, double *b)
{
  for (int c = 0; c < n; ++c) {
    int piv = c;
    for (int r = c + 1; r < n; ++r)
      if (fabs(A[r * n + c]) > fabs(A[piv * n + c])) piv = r;
    for (int q = 0; q < n; ++q) {
      double t = A[c * n + q];
      A[c * n + q] = A[piv * n + q];
      A[piv * n + q] = t;
    }
    double t = b[c];
    b[c] = b[piv];
    b[piv] = t;
    for (int r = c + 1; r < n; ++r) {
      double f = A[r * n + c] / A[c * n + c];
      for (int q = c; q < n; ++q) A[r * n + q] -= f * A[c * n + q];
      b[r] -= f * b[c];
    }
  }
  for (int r = n - 1; r >= 0; --r) {
    for (int q = r + 1; q < n; ++q) b[r] -= A[r * n + q] * b[q];
    b[r] /= A[r * n + r];
  }
}

static double mms_error(int nz)
{
  cs_params p;
  kinetics_off(&p);
  const double lambda = 2.0, D = p.D_P, H = p.H, w = 1.3 / H;
  p.del_P = lambda;
  cs_grid g = {1, nz, 1, 1, 1, 1, 0};
  cs_patch pt;
  cs_patch_whole(&g, H, &pt);
  double syn[CS_NSYNO] = {0};
  syn[CS_PS] = (cos(w * H) - D * w * sin(w * H) / p.h_m) / p.kappa; /* makes u = cos(wz) satisfy the Robin BC */
  double *u = calloc((size_t)CS_NS * cs_patch_cells(&pt), sizeof(double));
  double *du = calloc((size_t)CS_NS * nz, sizeof(double));
  double *A = calloc((size_t)nz * nz, sizeof(double)), *b = calloc((size_t)nz, sizeof(double));
  /* affine operator: du_P = A u_P + b0 */
  cs_transport_rhs(&p, &pt, u, NULL, syn, du, NULL);
  double *b0 = calloc((size_t)nz, sizeof(double));
  for (int k = 0; k < nz; ++k) b0[k] = du[CS_IDX(CS_P, k)];
  for (int j = 0; j < nz; ++j) {
    memset(u, 0, sizeof(double) * CS_NS * cs_patch_cells(&pt));
    u[CS_IDX(CS_P, cs_cell(&pt, j, 0, 0))] = 1.0;
    cs_transport_rhs(&p, &pt, u, NULL, syn, du, NULL);
    for (int k = 0; k < nz; ++k) A[k * nz + j] = du[CS_IDX(CS_P, k)] - b0[k];
  }
  /* steady state: A u + b0 + s = 0, s = (D w^2 + lambda) cos(w z) */
  for (int k = 0; k < nz; ++k) {
    double z = (k + 0.5) * H / nz;
    b[k] = -(b0[k] + (D * w * w + lambda) * cos(w * z));
  }
  dense_solve(nz, A, b);
  double err = 0;
  for (int k = 0; k < nz; ++k) err = fmax(err, fabs(b[k] - cos(w * (k + 0.5) * H / nz)));
  free(u);
  free(du);
  free(A);
  free(b);
  free(b0);
  return err;
}

static void test_convergence(void)
{
  double e[4];
  int n[4] = {12, 24, 48, 96};
  for (int q = 0; q < 4; ++q) e[q] = mms_error(n[q]);
  for (int q = 1; q < 4; ++q) {
    double order = log(e[q - 1] / e[q]) / log(2.0);
    printf("  nz %3d: max error %.3e, observed order %.3f\n", n[q], e[q], order);
    CHECK(order > 1.9, "second-order convergence from nz %d to %d (order %.3f)", n[q - 1], n[q], order);
  }
}

/* The kernel at *slot + h (into dp, sp) and at *slot - h (into dm, sm);
 * *slot (a state or fluid value read by the kernel) is restored. */
static void rhs_pm(const cs_params *p, const cs_patch *pt, const double *u, const double *syn, double *slot,
                   double h, double *dp, cs_patch_sums *sp, double *dm, cs_patch_sums *sm)
{
  const double x = *slot;
  *slot = x + h;
  cs_transport_rhs(p, pt, u, NULL, syn, dp, sp);
  *slot = x - h;
  cs_transport_rhs(p, pt, u, NULL, syn, dm, sm);
  *slot = x;
}

/* 5. Every coupling derivative against a central difference: the surface
 * row of du when the fluid value moves, the reported flux sum when the
 * surface cell's value moves, and the fluid rate when <J> moves. All three
 * are linear in the perturbed value, so the difference is exact to rounding. */
static void test_surface_coupling(void)
{
  cs_params p;
  cs_opt_set_defaults(&cs_params_table, &p);
  p.kappa = 0.8; /* not 1, so that a missing partition coefficient shows */
  cs_grid g = {1, 6, 1, 1, 1.0, 1.0, 0};
  cs_patch pt;
  cs_patch_whole(&g, p.H, &pt);
  unsigned long st = 7;
  double *u = owned_random(&pt, &st);
  double *dp = calloc((size_t)CS_NS * cs_patch_cells(&pt), sizeof(double));
  double *dm = calloc((size_t)CS_NS * cs_patch_cells(&pt), sizeof(double));
  double syn[CS_NSYNO] = {0.4, 3.0, 0.2, 2e7, 1e6, 0, 0, 0, 0, 0};
  const int top = pt.n[0] - 1;
  double *ut = &u[CS_IDX(0, cs_cell(&pt, top, 0, 0))];
  double dcell[CS_NCOUPLE], dflux[CS_NCOUPLE];
  cs_surface_coupling(&p, pt.h[0], ut[CS_C], syn[CS_N], dcell, dflux);
  for (int q = 0; q < CS_NCOUPLE; ++q) {
    const int f = cs_couple_fluid[q], row = cs_couple_row[q], col = cs_couple_col[q];
    cs_patch_sums sp, sm;
    /* d(du_row)/d(fluid value) at the surface cell */
    const double h = 1e-4 * syn[f];
    rhs_pm(&p, &pt, u, syn, &syn[f], h, dp, &sp, dm, &sm);
    const double fd = (dp[CS_IDX(row, top)] - dm[CS_IDX(row, top)]) / (2 * h);
    CHECK_CLOSE(dcell[q], fd, 1e-7, 1e-12 * fabs(fd), "coupling %d: d(du_%d)/d(fluid %d)", q, row, f);
    /* d J_row / d u_col (the flux sums are per patch: J dA) */
    const double hv = 1e-4 * ut[col];
    rhs_pm(&p, &pt, u, syn, &ut[col], hv, dp, &sp, dm, &sm);
    const double fj = (sp.J[row] - sm.J[row]) / (2 * hv * pt.dA);
    CHECK_CLOSE(dflux[q], fj, 1e-7, 0.0, "coupling %d: dJ_%d/du_%d", q, row, col);
    /* d(fluid rate)/d<J_row> */
    cs_exchange xp, xm;
    memset(&xp, 0, sizeof xp);
    memset(&xm, 0, sizeof xm);
    double rp[CS_NSYNO], rm[CS_NSYNO];
    xp.J[row] = 1.0;
    xm.J[row] = -1.0;
    cs_synovial_rhs(&p, 0, syn, &xp, rp);
    cs_synovial_rhs(&p, 0, syn, &xm, rm);
    CHECK_CLOSE(cs_synovial_flux_gain(&p, f), (rp[f] - rm[f]) / 2.0, 1e-12, 0.0, "coupling %d: gain of <J_%d>", q,
                row);
  }
  free(u);
  free(dp);
  free(dm);
}

int main(void)
{
  test_conservation(1);
  test_conservation(2);
  test_conservation(3);
  test_quadratic_exact();
  test_convergence();
  test_surface_coupling();
  return cs_test_report("test_transport");
}
