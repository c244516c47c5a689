#include "precond.h"

#include <nvector/nvector_parallel.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sundials/sundials_dense.h>

#include "../model/cpu_clones.h"
#include "../model/kinetics.h"
#include "../model/synovial.h"
#include "../model/transport.h"
#include "error.h"
#include "pfmg.h"
#include "run_options.h"

#define NS CS_NS
#define NB (CS_NS * CS_NS)

struct cs_precond {
  int kind;            /* cs_precond_kind */
  cs_problem *pb;
  long ncell;
  double *Jr;          /* reaction Jacobian per cell (NB each), kept for jok reuse */
  double *LU;          /* inverse of the (modified) diagonal block per cell */
  double *W;           /* line: A'_k^{-1} diag(cpl) per cell */
  double cpl[NS];      /* -gamma D_s / h_z^2, coupling to vertical neighbours */
  int ncpl, cpl_s[NS]; /* the species with cpl != 0: W's only non-zero columns */
  double Jsyn[CS_NSYNO * CS_NSYNO], LUsyn[CS_NSYNO * CS_NSYNO];
  sunindextype pivsyn[CS_NSYNO];
  cs_pfmg *mg;         /* pfmg: the diffusion factor (NULL otherwise) */
  double *Wb;          /* line: the border, T^{-1} b_q per coupled fluid value q (ncell*NS each) */
  double cb[4];        /* the border: coefficient of C's row q at a surface cell (see border_dot) */
};

/* The cartilage-fluid border of the Newton matrix M = I - gamma J, with the
 * cells c and the fluid values s:
 *
 *   M = [ T  B ]    T: cells (what the line / jacobi / pfmg factors approximate)
 *       [ C  S ]    S: fluid, I - gamma J_syn (synovial.h)
 *
 * B and C couple the surface cells to the four fluid values of
 * cs_surface_coupling (transport.h): P_s, R_s, F_s through the surface
 * fluxes, N through the MSC attachment. Solved by block elimination,
 *
 *   (S - C T^{-1} B) x_s = r_s - C T^{-1} r_c,   x_c = T^{-1} r_c - T^{-1} B x_s,
 *
 * with T^{-1} B formed at setup (four cell solves) and the Schur complement
 * factored on rank 0. Without the border, each Newton iteration needed 2.2
 * Krylov iterations on the 1-D reference although `line` is exact within
 * the cartilage (0.84 with the surface exchange switched off); with the
 * border 1.15, and the 1-D runs take 25-40 % less time. Only for `line`:
 * with pfmg the V-cycle's own error dominates (Krylov iterations -7 % on
 * the 24x160 lesion) and the border's extra pass and collectives cost more
 * than that saves (+5 %). The running MSC integrals' dependence on every
 * cell is left out (no feedback). */
enum { NBORDER = CS_NCOUPLE }; /* cs_precond_solve's last loop is written out for four */

int cs_precond_create(cs_problem *pb, int kind, cs_precond **out)
{
  *out = NULL;
  if (kind == CS_PC_NONE) return CS_OK;
  cs_precond *pc = calloc(1, sizeof *pc);
  CS_CHECK_ALLOC(pc);
  pc->kind = kind;
  pc->pb = pb;
  pc->ncell = pb->ncell;
  size_t n = (size_t)pc->ncell;
  pc->Jr = malloc(n * NB * sizeof(double));
  pc->LU = malloc(n * NB * sizeof(double));
  const int line = kind == CS_PC_LINE;
  pc->W = line ? malloc(n * NB * sizeof(double)) : NULL;
  pc->Wb = line ? malloc((n > 0 ? n : 1) * NS * NBORDER * sizeof(double)) : NULL;
  *out = pc;
  CS_CHECK_ALLOC(pc->Jr);
  CS_CHECK_ALLOC(pc->LU);
  if (line) CS_CHECK_ALLOC(pc->W);
  if (line) CS_CHECK_ALLOC(pc->Wb);
  if (kind == CS_PC_PFMG) CS_CHECK(cs_pfmg_create(pb, &pc->mg));
  return CS_OK;
}

void cs_precond_destroy(cs_precond **ppc)
{
  cs_precond *pc = *ppc;
  if (!pc) return;
  free(pc->Jr);
  free(pc->LU);
  free(pc->W);
  free(pc->Wb);
  cs_pfmg_destroy(&pc->mg);
  free(pc);
  *ppc = NULL;
}

/* LU-factor a column-major n x n block in place; non-zero if singular. */
static sunindextype lu(double *a, sunindextype n, sunindextype *piv)
{
  double *cols[16]; /* >= max(CS_NS, CS_NSYNO) */
  for (sunindextype j = 0; j < n; ++j) cols[j] = a + j * n;
  return SUNDlsMat_denseGETRF(cols, n, n, piv);
}

static void lu_solve(double *a, sunindextype n, sunindextype *piv, double *b)
{
  double *cols[16]; /* >= max(CS_NS, CS_NSYNO) */
  for (sunindextype j = 0; j < n; ++j) cols[j] = a + j * n;
  SUNDlsMat_denseGETRS(cols, n, piv, b);
}

/* a <- a^{-1} for a column-major NS x NS block, by Gauss-Jordan elimination
 * with partial pivoting on [a | I]; non-zero if a is singular. Written here
 * rather than with SUNDIALS' dense GETRF/GETRS: Debian builds those without
 * optimisation, and the nine solves per cell were ~30 % of a 1-D run at nz 768. */
static int invert(double *a, int n)
{
  double m[NS][2 * NS];
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      m[i][j] = a[i + n * j];
      m[i][n + j] = i == j ? 1.0 : 0.0;
    }
  for (int c = 0; c < n; ++c) {
    int p = c;
    for (int r = c + 1; r < n; ++r)
      if (fabs(m[r][c]) > fabs(m[p][c])) p = r;
    if (m[p][c] == 0.0 || !isfinite(m[p][c])) return 1;
    if (p != c)
      for (int k = 0; k < 2 * n; ++k) {
        const double t = m[p][k];
        m[p][k] = m[c][k];
        m[c][k] = t;
      }
    const double d = 1.0 / m[c][c];
    for (int k = c; k < 2 * n; ++k) m[c][k] *= d;
    for (int r = 0; r < n; ++r) {
      const double f = m[r][c];
      if (r == c || f == 0.0) continue;
      for (int k = c; k < 2 * n; ++k) m[r][k] -= f * m[c][k];
    }
  }
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) a[i + n * j] = m[i][n + j];
  return 0;
}

/* y <- Inv x for a column-major NS x NS block (x and y may be the same). */
static void matvec(const double *Inv, const double *x, double *y)
{
  double t[NS];
  for (int row = 0; row < NS; ++row) t[row] = 0.0;
  for (int col = 0; col < NS; ++col) {
    const double v = x[col];
    const double *c = Inv + NS * col;
    for (int row = 0; row < NS; ++row) t[row] += c[row] * v;
  }
  memcpy(y, t, sizeof t);
}

/* One cell of the forward sweep: y_k = A'_k^{-1} (r_k - diag(cpl) y_{k-1})
 * where the cell below is coupled (line, k > 0), else y_k = A_k^{-1} r_k.
 * y_{k-1} is read from xk - NS; rk and xk may be the same. */
static inline void forward_step(const cs_precond *pc, long cell, int coupled, const double *rk, double *xk)
{
  if (coupled) {
    double b[NS];
    for (int s = 0; s < NS; ++s) b[s] = rk[s] - pc->cpl[s] * xk[s - NS];
    matvec(&pc->LU[cell * NB], b, xk);
  } else {
    matvec(&pc->LU[cell * NB], rk, xk);
  }
}

/* The line solve's backward sweep over the column starting at cell c0:
 * x_k = y_k - W_k x_{k+1}. */
static inline void backward_sweep(const cs_precond *pc, long c0, int n0, double *x)
{
  for (int k = n0 - 2; k >= 0; --k) {
    long cell = c0 + k;
    double *xk = &x[CS_IDX(0, cell)];
    const double *xn = xk + NS;
    const double *W = &pc->W[cell * NB];
    double t[NS]; /* a local copy: x and W could alias, which kept the loop scalar */
    memcpy(t, xk, sizeof t);
    for (int q = 0; q < pc->ncpl; ++q) { /* the other columns of W are zero */
      const int col = pc->cpl_s[q];
      const double v = xn[col];
      if (v == 0.0) continue;
      const double *w = W + NS * col;
      for (int row = 0; row < NS; ++row) t[row] -= w[row] * v;
    }
    memcpy(xk, t, sizeof t);
  }
}

/* x_c <- T^{-1} r_c over the owned cells (r and x may be the same array):
 * the per-column line solve (or the block inverses alone), then pfmg's
 * V-cycle. Collective with pfmg. 0, or -1 if hypre failed. */
CS_CPU_CLONES static int cell_solve(const cs_precond *pc, const double *rv, double *x)
{
  const cs_patch *pt = pc->pb->pt;
  const int line = pc->kind == CS_PC_LINE;
  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i) {
      long c0 = cs_cell(pt, 0, i, j);
      for (int k = 0; k < pt->n[0]; ++k)
        forward_step(pc, c0 + k, line && k > 0, &rv[CS_IDX(0, c0 + k)], &x[CS_IDX(0, c0 + k)]);
      if (line) backward_sweep(pc, c0, pt->n[0], x);
    }
  if (pc->mg && cs_pfmg_solve(pc->mg, x) != CS_OK) return -1;
  return 0;
}

/* w <- T^{-1} w (line) for a w that is zero but in the surface cells (the
 * border's columns of B): the forward sweep would leave the cells below the
 * surface zero, so it is only the surface cell's step, then the backward
 * sweep. The same operations on the same values as cell_solve, so the same
 * bits; a quarter of a 1-D preconditioner setup less. */
CS_CPU_CLONES static void surface_solve(const cs_precond *pc, double *w)
{
  const cs_patch *pt = pc->pb->pt;
  const int top = pt->n[0] - 1;
  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i) {
      long c0 = cs_cell(pt, 0, i, j);
      forward_step(pc, c0 + top, top > 0, &w[CS_IDX(0, c0 + top)], &w[CS_IDX(0, c0 + top)]);
      backward_sweep(pc, c0, pt->n[0], w);
    }
}

/* (C v)_q for the four border rows, this rank's surface cells only. */
static void border_dot(const cs_precond *pc, const double *v, double out[NBORDER])
{
  const cs_patch *pt = pc->pb->pt;
  for (int q = 0; q < NBORDER; ++q) out[q] = 0.0;
  if (!pt->surface) return;
  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i) {
      const double *vc = &v[CS_IDX(0, cs_cell(pt, pt->n[0] - 1, i, j))];
      for (int q = 0; q < NBORDER; ++q) out[q] += pc->cb[q] * vc[cs_couple_col[q]];
    }
}

/* Fill pc->cb and pc->Wb = T^{-1} B for the state u (fluid values of the last
 * RHS in pb->syn), and reduce C T^{-1} B to rank 0 (ctb[q_row + NBORDER q_col]).
 * 0, or -1 (MPI failed). */
static int border_setup(cs_precond *pc, const double *u, double gamma, double ctb[NBORDER * NBORDER])
{
  const cs_problem *pb = pc->pb;
  const cs_params *p = pb->p;
  const cs_patch *pt = pb->pt;
  const double hz = pt->h[0], N = pb->syn[CS_N];
  double dcell[NBORDER], dflux[NBORDER];
  cs_surface_coupling(p, hz, 0.0, N, dcell, dflux); /* dflux does not depend on c */
  /* C = -gamma d(fluid rate)/d(surface value): the flux derivative, its share
   * dA/area of the patch average, times the weight of <J> in the fluid equation */
  for (int q = 0; q < NBORDER; ++q)
    pc->cb[q] = -gamma * cs_synovial_flux_gain(p, cs_couple_fluid[q]) * dflux[q] * pt->dA / pt->patch_area;

  const size_t nv = (size_t)pc->ncell * NS;
  double local[NBORDER * NBORDER];
  for (int q = 0; q < NBORDER; ++q) {
    double *w = pc->Wb + (size_t)q * nv;
    memset(w, 0, nv * sizeof *w);
    if (pt->surface)
      for (int j = 0; j < pt->n[2]; ++j)
        for (int i = 0; i < pt->n[1]; ++i) {
          long cell = cs_cell(pt, pt->n[0] - 1, i, j);
          cs_surface_coupling(p, hz, u[CS_IDX(CS_C, cell)], N, dcell, dflux);
          w[CS_IDX(cs_couple_row[q], cell)] = -gamma * dcell[q]; /* B = -gamma d(du_row)/d(fluid q) */
        }
    surface_solve(pc, w);
    border_dot(pc, w, &local[NBORDER * q]);
  }
  if (MPI_Reduce(local, ctb, NBORDER * NBORDER, MPI_DOUBLE, MPI_SUM, 0, pb->comm) != MPI_SUCCESS) return -1;
  return 0;
}

int cs_precond_setup(sunrealtype t, N_Vector y, N_Vector fy, sunbooleantype jok, sunbooleantype *jcur,
                     sunrealtype gamma, void *user_data)
{
  (void)t;
  (void)fy;
  cs_problem *pb = user_data;
  cs_precond *pc = pb->pc;
  double t0 = cs_wtime();
  const cs_params *p = pb->p;
  const cs_patch *pt = pb->pt;
  const double *u = N_VGetArrayPointer_Parallel(y);

  if (!jok) {
    for (long cell = 0; cell < pc->ncell; ++cell) cs_react_jac(p, &u[CS_IDX(0, cell)], &pc->Jr[cell * NB]);
    if (pb->rank == 0) cs_synovial_jac(p, pb->injury_on, pt->h[0], &u[NS * pb->ncell], &pb->x, pc->Jsyn);
  }
  *jcur = !jok;

  double D[NS];
  cs_params_diffusivities(p, D);
  pc->ncpl = 0;
  for (int s = 0; s < NS; ++s) {
    pc->cpl[s] = -gamma * D[s] / (pt->h[0] * pt->h[0]);
    if (pc->cpl[s] != 0.0) pc->cpl_s[pc->ncpl++] = s;
  }
  const int line = pc->kind == CS_PC_LINE;
  const int product = pc->kind == CS_PC_PFMG; /* blocks: reactions only; diffusion goes to PFMG */
  const double N = pb->syn[CS_N];
  /* ARKODE IMEX: the reactions are explicit, so the Newton matrix has no reaction Jacobian */
  const double greact = pb->implicit_reactions ? gamma : 0.0;

  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i)
      for (int k = 0; k < pt->n[0]; ++k) {
        long cell = cs_cell(pt, k, i, j);
        double *A = &pc->LU[cell * NB];
        const double *Jr = &pc->Jr[cell * NB];
        double diag[NS], dE_dc;
        cs_transport_diag(p, pt, k, i, j, N, diag, &dE_dc);
        for (int q = 0; q < NB; ++q) A[q] = -greact * Jr[q];
        for (int s = 0; s < NS; ++s) A[s + NS * s] += 1.0 - (product ? 0.0 : gamma * diag[s]);
        A[CS_E + NS * CS_C] -= gamma * dE_dc;
        if (line && k > 0) {
          /* A'_k = A_k - diag(cpl) W_{k-1},  W_{k-1} = A'_{k-1}^{-1} diag(cpl) */
          const double *Wm = &pc->W[(cell - 1) * NB];
          for (int col = 0; col < NS; ++col)
            for (int row = 0; row < NS; ++row) A[row + NS * col] -= pc->cpl[row] * Wm[row + NS * col];
        }
        /* the explicit inverse: a solve is then one 9x9 matrix-vector
         * product (the block LU solves dominated the run) */
        if (invert(A, NS) != 0) {
          pb->timers.prec_setup += cs_wtime() - t0;
          return 1; /* singular block: recoverable */
        }
        if (line) {
          double *W = &pc->W[cell * NB]; /* A'^{-1} diag(cpl): scaled columns */
          for (int col = 0; col < NS; ++col)
            for (int row = 0; row < NS; ++row) W[row + NS * col] = A[row + NS * col] * pc->cpl[col];
        }
      }
  if (pc->mg && cs_pfmg_setup(pc->mg, gamma) != CS_OK) {
    pb->timers.prec_setup += cs_wtime() - t0;
    return -1; /* hypre failed: the message is recorded */
  }
  double ctb[NBORDER * NBORDER] = {0};
  if (pc->Wb && border_setup(pc, u, gamma, ctb) != 0) {
    pb->timers.prec_setup += cs_wtime() - t0;
    return -1;
  }
  if (pb->rank == 0) {
    /* the Schur complement S - C T^{-1} B */
    for (int q = 0; q < CS_NSYNO * CS_NSYNO; ++q) pc->LUsyn[q] = -gamma * pc->Jsyn[q];
    for (int q = 0; q < CS_NSYNO; ++q) pc->LUsyn[q + CS_NSYNO * q] += 1.0;
    for (int qc = 0; qc < NBORDER; ++qc)
      for (int qr = 0; qr < NBORDER; ++qr)
        pc->LUsyn[cs_couple_fluid[qr] + CS_NSYNO * cs_couple_fluid[qc]] -= ctb[qr + NBORDER * qc];
    if (lu(pc->LUsyn, CS_NSYNO, pc->pivsyn) != 0) {
      pb->timers.prec_setup += cs_wtime() - t0;
      return 1;
    }
  }
  pb->timers.prec_setup += cs_wtime() - t0;
  return 0;
}

/* x_c <- x_c - T^{-1} B x_s, one pass over x. */
CS_CPU_CLONES static void subtract_border(const cs_precond *pc, const double xs[NBORDER], double *x)
{
  const size_t nv = (size_t)pc->ncell * NS;
  const double *w0 = pc->Wb, *w1 = w0 + nv, *w2 = w1 + nv, *w3 = w2 + nv;
  for (size_t i = 0; i < nv; ++i) {
    double v = x[i];
    v -= w0[i] * xs[0];
    v -= w1[i] * xs[1];
    v -= w2[i] * xs[2];
    v -= w3[i] * xs[3];
    x[i] = v;
  }
}

int cs_precond_solve(sunrealtype t, N_Vector y, N_Vector fy, N_Vector r, N_Vector z, sunrealtype gamma,
                     sunrealtype delta, int lr, void *user_data)
{
  (void)t;
  (void)y;
  (void)fy;
  (void)gamma;
  (void)delta;
  (void)lr;
  cs_problem *pb = user_data;
  cs_precond *pc = pb->pc;
  double t0 = cs_wtime();
  const double *rv = N_VGetArrayPointer_Parallel(r);
  double *x = N_VGetArrayPointer_Parallel(z);
  if (cell_solve(pc, rv, x) != 0) { /* y = T^{-1} r_c */
    pb->timers.prec_solve += cs_wtime() - t0;
    return -1;
  }
  /* the border: x_s = (S - C T^{-1} B)^{-1} (r_s - C y), then x_c = y - T^{-1} B x_s */
  double local[NBORDER], cy[NBORDER] = {0}, xs[NBORDER];
  if (pc->Wb) {
    border_dot(pc, x, local);
    if (MPI_Reduce(local, cy, NBORDER, MPI_DOUBLE, MPI_SUM, 0, pb->comm) != MPI_SUCCESS) return -1;
  }
  if (pb->rank == 0) {
    double *s = &x[NS * pb->ncell];
    if (x != rv) memcpy(s, &rv[NS * pb->ncell], CS_NSYNO * sizeof *x);
    for (int q = 0; q < NBORDER; ++q) s[cs_couple_fluid[q]] -= cy[q];
    lu_solve(pc->LUsyn, CS_NSYNO, pc->pivsyn, s);
    for (int q = 0; q < NBORDER; ++q) xs[q] = s[cs_couple_fluid[q]];
  }
  if (!pc->Wb) {
    pb->timers.prec_solve += cs_wtime() - t0;
    return 0;
  }
  if (MPI_Bcast(xs, NBORDER, MPI_DOUBLE, 0, pb->comm) != MPI_SUCCESS) return -1;
  subtract_border(pc, xs, x);
  pb->timers.prec_solve += cs_wtime() - t0;
  return 0;
}
