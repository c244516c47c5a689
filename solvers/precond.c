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

/* The reference model's mobile (diffusing) and immobile species (line_blocks). */
enum { NM_REF = 6, NI_REF = NS - NM_REF };
static const int REF_MOBILE[NM_REF] = {CS_P, CS_R, CS_Z, CS_M, CS_F, CS_E};
static const int REF_IMMOBILE[NI_REF] = {CS_A, CS_C, CS_CH};

/* Two doubles, GCC's vector extension (also clang's), unaligned: SSE2's
 * width, so the baseline clone runs it natively too. The line blocks'
 * columns are padded to whole vectors (0 in the padding), and the sweeps
 * run over a column's rows in these. Each operation is element-wise, so
 * every row's operations are the scalar loop's, in the same order: the same
 * bits. The compiler left the 6-row loops scalar; in pairs, the solves at
 * nz 768 take -10 % (AVX-512 clone) and -5 % (baseline). Measured and not
 * kept: four doubles (-15 % in the AVX-512 clone, but the baseline clone
 * emulates them: 6x slower), plain loops over rows padded to four for the
 * auto-vectoriser (+15 %). */
typedef double vd __attribute__((vector_size(2 * sizeof(double)), aligned(sizeof(double))));
enum { PAD = 2, MAXP = (NS + PAD - 1) / PAD * PAD, MAXV = MAXP / PAD }; /* a padded column, at most */

struct cs_precond {
  int kind;            /* cs_precond_kind */
  cs_problem *pb;
  long ncell;
  double *Jr;          /* reaction Jacobian per cell (NB each), kept for jok reuse */
  double *LU;          /* per cell (lstride each): the inverse of the diagonal block; line: its packed blocks */
  long lstride;        /* doubles per cell in LU: NB, or line_stride for line */
  double cpl[NS];      /* -gamma D_s / h_z^2, coupling to vertical neighbours */
  vd cplm[MAXV];       /* line: cpl of the mobile species in cpl_s order, padded (set with cpl) */
  int ncpl, cpl_s[NS]; /* the mobile species (D_s > 0, so cpl != 0), in species order */
  int nimm, imm_s[NS]; /* the immobile ones (D_s == 0) */
  int ref_split;       /* the mobile ones are the reference model's (REF_MOBILE) */
  double Jsyn[CS_NSYNO * CS_NSYNO], LUsyn[CS_NSYNO * CS_NSYNO];
  sunindextype pivsyn[CS_NSYNO];
  cs_pfmg *mg;         /* pfmg: the diffusion factor (NULL otherwise) */
  double *Wtop;        /* line: per column, the surface cell's forward-sweep value of B_q (see below) */
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
 *   (S - C T^{-1} B) x_s = r_s - C T^{-1} r_c,   x_c = T^{-1} (r_c - B x_s),
 *
 * with the Schur complement factored on rank 0. B is non-zero in the
 * surface cells only, so the line's forward sweep of B_q (column q of B) is
 * zero below the surface: setup keeps its surface cell's value per column
 * (Wtop, line_forward of that cell alone), and a solve runs the forward
 * sweeps of r_c, then the border (C reads the surface cells, which the
 * backward sweep leaves as they are but for the immobile species'
 * back-substitution, line_finish), subtracts sum_q x_s,q Wtop_q from the
 * surface cells and runs the backward sweeps: T^{-1} (r_c - B x_s) for one
 * line solve. (Until 2026-12-04 setup formed T^{-1} B in full, four
 * backward sweeps, and every solve subtracted it, a pass over five vectors:
 * ~7 % of a 1-D run at nz 768.) Without the border, each Newton iteration needed 2.2
 * Krylov iterations on the 1-D reference although `line` is exact within
 * the cartilage (0.84 with the surface exchange switched off); with the
 * border 1.15, and the 1-D runs take 25-40 % less time. Only for `line`:
 * with pfmg the V-cycle's own error dominates (Krylov iterations -7 % on
 * the 24x160 lesion) and the border's extra pass and collectives cost more
 * than that saves (+5 %). The running MSC integrals' dependence on every
 * cell is left out (no feedback). */
enum { NBORDER = CS_NCOUPLE }; /* cs_precond_solve's last loop is written out for four */

/* the sweeps' helpers are inlined into their callers' CPU clones whatever
 * GCC's size estimate (a helper left out of line runs the baseline code) */
#define CS_HOT static inline __attribute__((always_inline))

static inline int padded(int n) { return (n + PAD - 1) / PAD * PAD; }

/* line: doubles per cell of its packed blocks (line_blocks) */
static long line_stride(int nm, int ni)
{
  const int pm = padded(nm), pi = padded(ni);
  return (long)pm * nm + (long)pi * ni + (long)pm * ni + (long)pi * nm;
}

int cs_precond_create(cs_problem *pb, int kind, cs_precond **out)
{
  *out = NULL;
  if (kind == CS_PC_NONE) return CS_OK;
  cs_precond *pc = calloc(1, sizeof *pc);
  CS_CHECK_ALLOC(pc);
  pc->kind = kind;
  pc->pb = pb;
  pc->ncell = pb->ncell;
  double D[NS]; /* which species diffuse is fixed for the run */
  cs_params_diffusivities(pb->p, D);
  for (int s = 0; s < NS; ++s) {
    if (D[s] != 0.0) pc->cpl_s[pc->ncpl++] = s;
    else pc->imm_s[pc->nimm++] = s;
  }
  pc->ref_split = pc->ncpl == NM_REF && !memcmp(pc->cpl_s, REF_MOBILE, sizeof REF_MOBILE);
  size_t n = (size_t)pc->ncell;
  pc->Jr = malloc(n * NB * sizeof(double));
  pc->lstride = kind == CS_PC_LINE ? line_stride(pc->ncpl, pc->nimm) : NB;
  pc->LU = calloc(n * (size_t)pc->lstride, sizeof(double)); /* line: the padding rows stay 0 */
  const int line = kind == CS_PC_LINE;
  const size_t ncol = (size_t)pb->pt->n[1] * (size_t)pb->pt->n[2];
  pc->Wtop = line ? malloc((ncol > 0 ? ncol : 1) * NBORDER * NS * sizeof(double)) : NULL;
  *out = pc;
  CS_CHECK_ALLOC(pc->Jr);
  CS_CHECK_ALLOC(pc->LU);
  if (line) CS_CHECK_ALLOC(pc->Wtop);
  if (kind == CS_PC_PFMG) CS_CHECK(cs_pfmg_create(pb, &pc->mg));
  return CS_OK;
}

void cs_precond_destroy(cs_precond **ppc)
{
  cs_precond *pc = *ppc;
  if (!pc) return;
  free(pc->Jr);
  free(pc->LU);
  free(pc->Wtop);
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

/* a <- a^{-1} for a column-major n x n block (n <= NS, leading dimension
 * lda), by Gauss-Jordan elimination with partial pivoting on [a | I];
 * non-zero if a is singular. Written here
 * rather than with SUNDIALS' dense GETRF/GETRS: Debian builds those without
 * optimisation, and the nine solves per cell were ~30 % of a 1-D run at nz 768. */
static inline int invert(double *a, int n, int lda)
{
  double m[NS][2 * NS];
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      m[i][j] = a[i + lda * j];
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
    for (int j = 0; j < n; ++j) a[i + lda * j] = m[i][n + j];
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

/* line: the blocks of cell k, packed in the lstride doubles at
 * pc->LU + k lstride, for the mobile species m (cpl_s, nm of them) and the
 * immobile ones i (imm_s, ni), each column-major with its columns padded to
 * whole vectors (pm = padded(nm), pi = padded(ni) rows; the padding is 0),
 * one after the other:
 *   Sinv = (A'_mm - A_mi A_ii^{-1} A_im)^{-1}   nm x nm   (pm rows)
 *   Aii  = A_ii^{-1}                             ni x ni   (pi rows)
 *   Ami  = A_mi                                  nm x ni   (pm rows)
 *   G    = A_ii^{-1} A_im                        ni x nm   (pi rows)
 * where A'_k = A_k - diag(cpl) A'_{k-1}^{-1} diag(cpl) is the block of the
 * block-tridiagonal elimination (precond.h). The couplings diag(cpl) act on
 * the mobile species only, so A'_k differs from A_k in its mm block, and
 * the mm block of A'_k^{-1} is Sinv: the recurrence runs on nm x nm blocks
 * (6 x 6 in the reference model, against 9 x 9 before 2026-12-03: setup
 * -28 %, and 81 doubles per cell to read in a solve instead of 135; 90
 * with the padding since the sweeps run on vectors, 2026-12-04). The
 * immobile block A_ii = I - gamma J_ii (aggrecan, collagen, chondrocytes)
 * is triangular with a diagonal >= 1 for the reference kinetics; it is
 * inverted with pivoting all the same. */

typedef struct {
  double *Sinv, *Aii, *Ami, *G;
  int pm, pi; /* rows of the padded columns */
} line_blocks;

CS_HOT line_blocks blocks_of(const cs_precond *pc, long cell, int nm, int ni)
{
  const int pm = padded(nm), pi = padded(ni);
  double *B = &pc->LU[cell * pc->lstride];
  line_blocks lb = {B, B + pm * nm, B + pm * nm + pi * ni, B + pm * nm + pi * ni + pm * ni, pm, pi};
  return lb;
}

/* column c of a padded block with `rows` rows, as vectors */
CS_HOT const vd *vcol(const double *block, int rows, int c) { return (const vd *)(block + rows * c); }

/* the values v[idx[r]], r < n, as padded vectors (0 past n) */
CS_HOT void gather(const double *v, const int *idx, int n, vd out[MAXV])
{
  for (int j = 0; j < padded(n) / PAD; ++j)
    out[j] = (vd){PAD * j < n ? v[idx[PAD * j]] : 0.0, PAD * j + 1 < n ? v[idx[PAD * j + 1]] : 0.0};
}

CS_HOT void scatter(const vd in[MAXV], const int *idx, int n, double *v)
{
  for (int r = 0; r < n; ++r) v[idx[r]] = in[r / PAD][r % PAD];
}

/* One cell of the line's forward sweep, y_k = A'_k^{-1} (r_k - diag(cpl) y_{k-1})
 * (no y_{k-1} at the bottom, coupled == 0), by blocks:
 *   t_i = A_ii^{-1} r_i,  y_m = Sinv (r_m - cpl y_m,k-1 - A_mi t_i).
 * xk receives y_m in the mobile and t_i in the immobile places (the
 * backward sweep turns t_i into x_i); ym holds y_m,k-1 on entry (when
 * coupled) and y_m,k on return, in ms order: the sweep carries it rather
 * than read it back from x, where the store and reload of six scattered
 * values lay on the chain from cell to cell (solves at nz 768: 18.0 ->
 * 16.1 ms). rk and xk may be the same. */
CS_HOT void line_forward_n(const cs_precond *pc, long cell, int coupled, const double *rk, double *xk,
                           vd ym[MAXV], const int nm, const int *ms, const int ni, const int *is)
{
  const line_blocks lb = blocks_of(pc, cell, nm, ni);
  const int vm = lb.pm / PAD, vi = lb.pi / PAD;
  vd t[MAXV] = {0}, b[MAXV], y[MAXV] = {0}, ri[MAXV];
  gather(rk, is, ni, ri);
  for (int c = 0; c < ni; ++c) {
    const double v = ri[c / PAD][c % PAD];
    for (int j = 0; j < vi; ++j) t[j] += vcol(lb.Aii, lb.pi, c)[j] * v;
  }
  gather(rk, ms, nm, b);
  if (coupled)
    for (int j = 0; j < vm; ++j) b[j] = b[j] - pc->cplm[j] * ym[j];
  for (int c = 0; c < ni; ++c) {
    const double v = t[c / PAD][c % PAD];
    for (int j = 0; j < vm; ++j) b[j] -= vcol(lb.Ami, lb.pm, c)[j] * v;
  }
  for (int c = 0; c < nm; ++c) {
    const double v = b[c / PAD][c % PAD];
    for (int j = 0; j < vm; ++j) y[j] += vcol(lb.Sinv, lb.pm, c)[j] * v;
  }
  for (int j = 0; j < vm; ++j) ym[j] = y[j];
  scatter(y, ms, nm, xk);
  scatter(t, is, ni, xk);
}

/* The immobile species' back-substitution in cell k, x_i,k = t_i,k - G_k x_m,k,
 * once its mobile ones x_m are final (xm, in ms order). */
CS_HOT void line_finish_n(const line_blocks lb, double *xk, const vd xm[MAXV], const int nm, const int ni,
                          const int *is)
{
  const int vi = lb.pi / PAD;
  vd xi[MAXV];
  gather(xk, is, ni, xi);
  for (int c = 0; c < nm; ++c) {
    const double v = xm[c / PAD][c % PAD];
    for (int j = 0; j < vi; ++j) xi[j] -= vcol(lb.G, lb.pi, c)[j] * v;
  }
  scatter(xi, is, ni, xk);
}

/* The line's backward sweep over the column starting at cell c0, from the
 * top: x_m,k = y_m,k - Sinv_k (cpl x_m,k+1) (the top cell keeps y_m), then
 * line_finish_n. x_m,k+1 is carried (xn), as ym in the forward sweep. */
CS_HOT void line_backward_n(const cs_precond *pc, long c0, int n0, double *x, const int nm, const int *ms,
                            const int ni, const int *is)
{
  const vd *cm = pc->cplm;
  vd xn[MAXV] = {0};
  for (int k = n0 - 1; k >= 0; --k) {
    const long cell = c0 + k;
    const line_blocks lb = blocks_of(pc, cell, nm, ni);
    const int vm = lb.pm / PAD;
    double *xk = &x[CS_IDX(0, cell)];
    vd xm[MAXV];
    gather(xk, ms, nm, xm);
    if (k < n0 - 1) {
      for (int c = 0; c < nm; ++c) {
        const double v = cm[c / PAD][c % PAD] * xn[c / PAD][c % PAD];
        for (int j = 0; j < vm; ++j) xm[j] -= vcol(lb.Sinv, lb.pm, c)[j] * v;
      }
      scatter(xm, ms, nm, xk);
    }
    for (int j = 0; j < vm; ++j) xn[j] = xm[j];
    line_finish_n(lb, xk, xm, nm, ni, is);
  }
}

/* The loops above and below run over the mobile and immobile species:
 * with the reference model's split as constants (pc->ref_split, REF_MOBILE)
 * the compiler unrolls them and addresses the species directly (with the
 * counts and indices read at run time the line solve took 3x as long);
 * another split (a diffusivity set to 0) takes the general version. */

CS_HOT void line_forward(const cs_precond *pc, long cell, int coupled, const double *rk, double *xk,
                         vd ym[MAXV])
{
  if (pc->ref_split) line_forward_n(pc, cell, coupled, rk, xk, ym, NM_REF, REF_MOBILE, NI_REF, REF_IMMOBILE);
  else line_forward_n(pc, cell, coupled, rk, xk, ym, pc->ncpl, pc->cpl_s, pc->nimm, pc->imm_s);
}

CS_HOT void line_backward(const cs_precond *pc, long c0, int n0, double *x)
{
  if (pc->ref_split) line_backward_n(pc, c0, n0, x, NM_REF, REF_MOBILE, NI_REF, REF_IMMOBILE);
  else line_backward_n(pc, c0, n0, x, pc->ncpl, pc->cpl_s, pc->nimm, pc->imm_s);
}

/* xk <- the top cell's final values from its forward-sweep values (the
 * backward sweep's step for the top cell, which keeps y_m). */
CS_HOT void line_finish_top(const cs_precond *pc, long cell, double *xk)
{
  vd xm[MAXV];
  if (pc->ref_split) {
    gather(xk, REF_MOBILE, NM_REF, xm);
    line_finish_n(blocks_of(pc, cell, NM_REF, NI_REF), xk, xm, NM_REF, NI_REF, REF_IMMOBILE);
  } else {
    gather(xk, pc->cpl_s, pc->ncpl, xm);
    line_finish_n(blocks_of(pc, cell, pc->ncpl, pc->nimm), xk, xm, pc->ncpl, pc->nimm, pc->imm_s);
  }
}

/* x_c <- T^{-1} r_c over the owned cells (r and x may be the same array),
 * for jacobi and pfmg: the block inverses, then pfmg's V-cycle. Collective
 * with pfmg. 0, or -1 if hypre failed. */
CS_CPU_CLONES static int block_solve(const cs_precond *pc, const double *rv, double *x)
{
  for (long cell = 0; cell < pc->ncell; ++cell)
    matvec(&pc->LU[cell * pc->lstride], &rv[CS_IDX(0, cell)], &x[CS_IDX(0, cell)]);
  if (pc->mg && cs_pfmg_solve(pc->mg, x) != CS_OK) return -1;
  return 0;
}

/* line: the forward sweep of every column (x <- y, line_forward). */
CS_CPU_CLONES static void forward_sweeps(const cs_precond *pc, const double *rv, double *x)
{
  const cs_patch *pt = pc->pb->pt;
  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i) {
      const long c0 = cs_cell(pt, 0, i, j);
      vd ym[MAXV] = {0};
      for (int k = 0; k < pt->n[0]; ++k)
        line_forward(pc, c0 + k, k > 0, &rv[CS_IDX(0, c0 + k)], &x[CS_IDX(0, c0 + k)], ym);
    }
}

/* line: the backward sweep of every column (y -> x). */
CS_CPU_CLONES static void backward_sweeps(const cs_precond *pc, double *x)
{
  const cs_patch *pt = pc->pb->pt;
  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i) line_backward(pc, cs_cell(pt, 0, i, j), pt->n[0], x);
}

/* Wtop's four forward-sweep values of B_q (NS each) for the column (i, j) */
static double *wtop_of(const cs_precond *pc, int i, int j)
{
  return &pc->Wtop[(i + (long)pc->pb->pt->n[1] * j) * NBORDER * NS];
}

/* out[q] += (C x)_q for surface cell `cell` from its forward-sweep values yk
 * (line_finish_top gives its final x). */
static void add_border_dot(const cs_precond *pc, long cell, const double *yk, double out[NBORDER])
{
  double xk[NS];
  memcpy(xk, yk, sizeof xk);
  line_finish_top(pc, cell, xk);
  for (int q = 0; q < NBORDER; ++q) out[q] += pc->cb[q] * xk[cs_couple_col[q]];
}

/* (C x)_q for the four border rows from the forward-sweep values y of this
 * rank's surface cells. */
static void border_dot(const cs_precond *pc, const double *y, double out[NBORDER])
{
  const cs_patch *pt = pc->pb->pt;
  for (int q = 0; q < NBORDER; ++q) out[q] = 0.0;
  if (!pt->surface) return;
  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i) {
      const long cell = cs_cell(pt, pt->n[0] - 1, i, j);
      add_border_dot(pc, cell, &y[CS_IDX(0, cell)], out);
    }
}

/* Fill pc->cb and pc->Wtop for the state u (fluid values of the last RHS in
 * pb->syn), and reduce C T^{-1} B to rank 0 (ctb[q_row + NBORDER q_col]).
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

  double local[NBORDER * NBORDER] = {0};
  if (pt->surface)
    for (int j = 0; j < pt->n[2]; ++j)
      for (int i = 0; i < pt->n[1]; ++i) {
        const long cell = cs_cell(pt, pt->n[0] - 1, i, j);
        cs_surface_coupling(p, hz, u[CS_IDX(CS_C, cell)], N, dcell, dflux);
        for (int q = 0; q < NBORDER; ++q) {
          double b[NS] = {0};
          vd ym[MAXV];
          b[cs_couple_row[q]] = -gamma * dcell[q]; /* B = -gamma d(du_row)/d(fluid q) */
          double *w = wtop_of(pc, i, j) + q * NS;
          line_forward(pc, cell, 0, b, w, ym); /* the sweep below the surface is zero */
          add_border_dot(pc, cell, w, &local[NBORDER * q]);
        }
      }
  if (MPI_Reduce(local, ctb, NBORDER * NBORDER, MPI_DOUBLE, MPI_SUM, 0, pb->comm) != MPI_SUCCESS) return -1;
  return 0;
}

/* line: cell's packed blocks (line_blocks) from its diagonal block A
 * (column-major NS x NS) and, when coupled, the cell below's Sinv:
 *   S = A_mm - A_mi A_ii^{-1} A_im - diag(cpl) Sinv_{k-1} diag(cpl).
 * Non-zero if A_ii or S is singular. */
static inline int line_setup_n(cs_precond *pc, long cell, int coupled, const double *A, const int nm, const int *m,
                               const int ni, const int *im)
{
  const line_blocks lb = blocks_of(pc, cell, nm, ni);
  const int pm = lb.pm, pi = lb.pi;
  for (int c = 0; c < ni; ++c)
    for (int r = 0; r < ni; ++r) lb.Aii[r + pi * c] = A[im[r] + NS * im[c]];
  if (invert(lb.Aii, ni, pi) != 0) return 1;
  for (int c = 0; c < ni; ++c)
    for (int r = 0; r < nm; ++r) lb.Ami[r + pm * c] = A[m[r] + NS * im[c]];
  /* G and S by columns, in vectors over the rows: the scalar loops'
   * operations in their order, so the same bits; a setup at nz 768
   * 143 -> 114 us (micro-benchmark, minima). The inverse below stays
   * scalar: with its rows as vectors it took 187 us. */
  const int vm = pm / PAD, vi = pi / PAD;
  for (int c = 0; c < nm; ++c) {
    vd g[MAXV] = {0};
    for (int q = 0; q < ni; ++q) {
      const double v = A[im[q] + NS * m[c]];
      for (int j = 0; j < vi; ++j) g[j] += vcol(lb.Aii, pi, q)[j] * v;
    }
    for (int j = 0; j < vi; ++j) ((vd *)(lb.G + pi * c))[j] = g[j];
  }
  const double *below = coupled ? blocks_of(pc, cell - 1, nm, ni).Sinv : NULL;
  const vd *cm = pc->cplm;
  for (int c = 0; c < nm; ++c) {
    vd v[MAXV];
    gather(A + NS * m[c], m, nm, v);
    for (int q = 0; q < ni; ++q) {
      const double gq = lb.G[q + pi * c];
      for (int j = 0; j < vm; ++j) v[j] -= vcol(lb.Ami, pm, q)[j] * gq;
    }
    if (below)
      for (int j = 0; j < vm; ++j) v[j] -= cm[j] * vcol(below, pm, c)[j] * pc->cpl[m[c]];
    for (int j = 0; j < vm; ++j) ((vd *)(lb.Sinv + pm * c))[j] = v[j];
  }
  return invert(lb.Sinv, nm, pm);
}

static int line_setup(cs_precond *pc, long cell, int coupled, const double *A)
{
  if (pc->ref_split) return line_setup_n(pc, cell, coupled, A, NM_REF, REF_MOBILE, NI_REF, REF_IMMOBILE);
  return line_setup_n(pc, cell, coupled, A, pc->ncpl, pc->cpl_s, pc->nimm, pc->imm_s);
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
  for (int s = 0; s < NS; ++s) pc->cpl[s] = -gamma * D[s] / (pt->h[0] * pt->h[0]);
  const int line = pc->kind == CS_PC_LINE;
  if (line) gather(pc->cpl, pc->cpl_s, pc->ncpl, pc->cplm); /* ref_split: cpl_s is REF_MOBILE */
  const int product = pc->kind == CS_PC_PFMG; /* blocks: reactions only; diffusion goes to PFMG */
  const double N = pb->syn[CS_N];
  /* ARKODE IMEX: the reactions are explicit, so the Newton matrix has no reaction Jacobian */
  const double greact = pb->implicit_reactions ? gamma : 0.0;

  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i)
      for (int k = 0; k < pt->n[0]; ++k) {
        long cell = cs_cell(pt, k, i, j);
        double Aline[NB];
        double *A = line ? Aline : &pc->LU[cell * pc->lstride]; /* line packs its blocks into LU */
        const double *Jr = &pc->Jr[cell * NB];
        double diag[NS], dE_dc;
        cs_transport_diag(p, pt, k, i, j, N, diag, &dE_dc);
        for (int q = 0; q < NB; ++q) A[q] = -greact * Jr[q];
        for (int s = 0; s < NS; ++s) A[s + NS * s] += 1.0 - (product ? 0.0 : gamma * diag[s]);
        A[CS_E + NS * CS_C] -= gamma * dE_dc;
        /* the explicit inverse: a solve is then matrix-vector products (the
         * block LU solves dominated the run) */
        if (line ? line_setup(pc, cell, k > 0, A) : invert(A, NS, NS)) {
          pb->timers.prec_setup += cs_wtime() - t0;
          return 1; /* singular block: recoverable */
        }
      }
  if (pc->mg && cs_pfmg_setup(pc->mg, gamma) != CS_OK) {
    pb->timers.prec_setup += cs_wtime() - t0;
    return -1; /* hypre failed: the message is recorded */
  }
  double ctb[NBORDER * NBORDER] = {0};
  if (line && border_setup(pc, u, gamma, ctb) != 0) {
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

/* y_c <- y_c - sum_q x_s,q Wtop_q in the surface cells: the forward sweep of B x_s. */
static void subtract_border(const cs_precond *pc, const double xs[NBORDER], double *y)
{
  const cs_patch *pt = pc->pb->pt;
  if (!pt->surface) return;
  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i) {
      const double *w = wtop_of(pc, i, j);
      double *yk = &y[CS_IDX(0, cs_cell(pt, pt->n[0] - 1, i, j))];
      for (int q = 0; q < NBORDER; ++q)
        for (int s = 0; s < NS; ++s) yk[s] -= xs[q] * w[q * NS + s];
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
  const int line = pc->kind == CS_PC_LINE; /* line has the border (pc->Wtop) */
  /* line: the forward sweeps (x <- y); else x_c = T^{-1} r_c */
  if (line) forward_sweeps(pc, rv, x);
  else if (block_solve(pc, rv, x) != 0) {
    pb->timers.prec_solve += cs_wtime() - t0;
    return -1;
  }
  /* the border: x_s = (S - C T^{-1} B)^{-1} (r_s - C T^{-1} r_c), then x_c = T^{-1} (r_c - B x_s) */
  double local[NBORDER], cy[NBORDER] = {0}, xs[NBORDER];
  if (line) {
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
  if (!line) {
    pb->timers.prec_solve += cs_wtime() - t0;
    return 0;
  }
  if (MPI_Bcast(xs, NBORDER, MPI_DOUBLE, 0, pb->comm) != MPI_SUCCESS) return -1;
  subtract_border(pc, xs, x);
  backward_sweeps(pc, x);
  pb->timers.prec_solve += cs_wtime() - t0;
  return 0;
}
