#include "pfmg.h"

#include <stdlib.h>
#include <string.h>

#include "../model/transport.h"
#include "error.h"
#include "hypre_lib.h"

/* hypre's grid: depth (the species' slabs one after another), x and y;
 * 1-D: depth and the slab (see cs_pfmg_create). The stencil is the cell and
 * its two neighbours in each direction (entry 0: the cell; 2d+1 / 2d+2: the
 * low / high neighbour in d): 5 or 7 entries. */
enum { NDIM_MAX = 3, NSTENCIL_MAX = 2 * NDIM_MAX + 1 };

struct cs_pfmg {
  const cs_problem *pb;
  int ndiff;                      /* diffusing species (0: nothing to solve, no hypre objects) */
  int species[CS_NS];             /* their indices */
  int hdim, nst;                  /* hypre's dimension and stencil size (2 hdim + 1) */
  int slabs_in_depth;             /* 2-D/3-D: species r at hypre depth r N0 + k; 1-D: at hypre index 1 = r */
  int wraps[3];                   /* 1: lateral direction d is periodic (grid.periodic; 2-D and 3-D) */
  HYPRE_Int period[3];            /* hypre's period along index d: N_d where d wraps and N_d is even and
                                     above 2, else 0 (fill_values has the wrap of N_d = 1 or 2 without it) */
  HYPRE_Int lo[3], hi[3];         /* this rank's box (global hypre indices) */
  int empty;                      /* this rank owns no cell */
  long ncell;
  int levels;                     /* cs_pfmg_levels (1-D) or cs_pfmg_levels_slabs */
  double D[CS_NS];
  HYPRE_StructGrid grid;
  HYPRE_StructStencil stencil;
  HYPRE_StructMatrix A;
  HYPRE_StructSolver solver;
  HYPRE_StructVector b, x;
  double *values;                 /* matrix coefficients of one slab, nst per cell */
  double *diag;                   /* each cell's transport diagonal of the diffusing species, ndiff per
                                     cell: constant over the run, like D (treatments change neither) */
  double *buf;                    /* the diffusing species' values in box order (box_pos) */
};

int cs_pfmg_levels(double cells)
{
  int levels = 1;
  for (; cells > CS_PFMG_COARSEST_CELLS; cells /= 2.0) ++levels;
  return levels;
}

/* PFMG's own choice, replayed (hypre 2.26, pfmg_setup.c): each level halves
 * the direction of smallest dxyz whose extent is above 1 (the first of
 * equals), and doubles that dxyz; cs_pfmg_setup passes dxyz = h, so the
 * replay is exact. A periodic direction is halved with its period (coarsen.c:
 * period / 2; here the period is the whole extent), and PFMG builds no
 * further level at all once the direction it picks has an odd period. The
 * replay stops earlier, at the first level with an odd period in any
 * direction, which is then the coarsest: PFMG relaxes every other level
 * with red-black Gauss-Seidel (the coarsest with Jacobi sweeps), and on an
 * odd period the two cells beside the wrap have one colour, so the
 * zero-guess sweep on the way down reads the value one of them kept from the
 * previous V-cycle. The V-cycle is then no fixed linear map, GMRES's
 * residual no longer the true one, and Newton fails (24 x 40 periodic over
 * 2.4 x 2 mm with a level of period 5 under Gauss-Seidel: 518 steps and 55
 * Newton failures in 20 days where walls take 254 and none). */
int cs_pfmg_levels_slabs(const int n[3], const double h[3], int nslab, const int periodic[3])
{
  const int cap = cs_pfmg_levels((double)n[0] * n[1] * n[2]);
  long extent[3] = {(long)n[0] * nslab, n[1], n[2]};
  double dxyz[3] = {h[0], h[1], h[2]};
  int levels = 1, depth_halvings = 0;
  for (; levels < cap; ++levels) {
    if ((periodic[1] && extent[1] % 2) || (periodic[2] && extent[2] % 2)) break;
    int d = -1;
    for (int e = 0; e < 3; ++e)
      if (extent[e] > 1 && (d < 0 || dxyz[e] < dxyz[d])) d = e;
    if (d < 0 || (d == 0 && (2L << depth_halvings) > n[0])) break;
    depth_halvings += d == 0;
    extent[d] = (extent[d] + 1) / 2;
    dxyz[d] *= 2.0;
  }
  return levels;
}

/* hypre is loaded at its first use (hypre_lib.h); 2.26 wants HYPRE_Init()
 * once after MPI_Init; there is no harm in leaving HYPRE_Finalize to
 * process exit (CPU build: it frees pools only). */
static int hypre_ready(void)
{
  static int ready = 0;
  if (!ready) {
    CS_CHECK(cs_hypre_load());
    CS_CHECK_HYPRE(cs_hy.Init());
    ready = 1;
  }
  return CS_OK;
}

/* Where cell k of depth column col (cs_cell = k + n0 col) sits in the box
 * in slab 0, hypre's first index fastest: each column holds its slabs one
 * after another, so slab r is n0 r further, k + n0 (r + ndiff col) (1-D:
 * one column, k + n0 r). */
static size_t box_pos(const cs_pfmg *m, size_t k, size_t col)
{
  return col * (size_t)m->ndiff * (size_t)m->pb->pt->n[0] + k;
}

/* Each owned cell's transport diagonal (-sum faces D/h^2 - surface
 * transfer) for the diffusing species, cs_cell order: once per run (it
 * depends on the grid, D and h_m only; N enters dE_dc, not used here). */
static void fill_diag(cs_pfmg *m)
{
  const cs_patch *pt = m->pb->pt;
  const double N = m->pb->syn[CS_N];
  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i)
      for (int k = 0; k < pt->n[0]; ++k) {
        double diag[CS_NS], dE_dc;
        cs_transport_diag(m->pb->p, pt, k, i, j, N, diag, &dE_dc);
        double *dc = &m->diag[(size_t)cs_cell(pt, k, i, j) * (size_t)m->ndiff];
        for (int r = 0; r < m->ndiff; ++r) dc[r] = diag[m->species[r]];
      }
}

int cs_pfmg_create(const cs_problem *pb, cs_pfmg **out)
{
  *out = NULL;
  CS_CHECK(hypre_ready());
  cs_pfmg *m = calloc(1, sizeof *m);
  CS_CHECK_ALLOC(m);
  *out = m;
  const cs_patch *pt = pb->pt;
  m->pb = pb;
  cs_params_diffusivities(pb->p, m->D);
  for (int s = 0; s < CS_NS; ++s)
    if (m->D[s] > 0.0) m->species[m->ndiff++] = s;
  if (m->ndiff == 0) return CS_OK;
  /* All diffusing species in one hypre system of uncoupled slabs: one
   * V-cycle, one message per level and neighbour, instead of one V-cycle
   * per species (on two ranks those were latency-bound). In 2-D and 3-D
   * species r sits at hypre depth r N0 + k (depth columns are never split
   * there, so each rank's box stays one box) and the depth couplings end
   * at each slab's first and last cell, as at the walls. PFMG has no 1-D
   * stencils: a 1-D grid is a 2-D hypre grid with species r at index 1 = r
   * (the depth may be split). The stencil has 5 points in 1-D and 2-D, 7 in
   * 3-D; the slabs along a third hypre index that 1-D and 2-D used before
   * carried two zero entries per row on every level (docs/performance.md,
   * nineteenth round), and 3-D had to solve species by species (hypre's
   * grids have three dimensions at most). The slabs stay uncoupled on every
   * level (PFMG's interpolation weights and coarse couplings along the
   * coarsened direction are products with the fine coupling, 0 between
   * slabs), but its non-Galerkin coarse operator lumps the lateral couplings
   * of the rows next to a coarse row into it, so a slab's end rows take in
   * half the neighbouring slab's lateral coupling where a wall gives none
   * (24x160: Krylov iterations 823 -> 834). cs_pfmg_levels_slabs keeps a
   * coarse row in every slab. */
  const int dim = pt->gh[2] ? 3 : pt->gh[1] ? 2 : 1;
  m->hdim = dim == 1 ? 2 : dim;
  m->nst = 2 * m->hdim + 1;
  m->slabs_in_depth = dim > 1;
  m->ncell = pb->ncell;
  m->empty = pb->ncell == 0;
  for (int d = 0; d < 3; ++d) {
    m->lo[d] = pt->off[d];
    m->hi[d] = pt->off[d] + pt->n[d] - 1;
  }
  if (m->slabs_in_depth) {
    if (!m->empty && (pt->off[0] != 0 || pt->n[0] != pt->N[0]))
      CS_FAIL(CS_ERR_INTERNAL, "pfmg: a %d-D patch with part of the depth (cells %d..%d of %d): the slabs need whole "
              "depth columns (decomp.h)", dim, pt->off[0], pt->off[0] + pt->n[0] - 1, pt->N[0]);
    m->hi[0] = m->ndiff * pt->N[0] - 1;
    /* grid.periodic: the lateral directions wrap (cs_decomp_periodic), and
     * so does hypre's grid there, with the global cell count as period
     * where it is even (hypre finds the neighbours across the wrap itself,
     * on this rank or another); never in depth, along which the slabs lie.
     * An odd period would stop PFMG's coarsening at the finest level
     * (cs_pfmg_levels_slabs); one or two cells around need no wrap
     * (fill_values). */
    int periodic[3] = {0, 0, 0};
    for (int d = 1; d < dim; ++d) {
      m->wraps[d] = cs_decomp_periodic(pb->dc);
      m->period[d] = m->wraps[d] && pt->N[d] % 2 == 0 && pt->N[d] > 2 ? pt->N[d] : 0;
      periodic[d] = m->period[d] != 0;
    }
    const int n[3] = {pt->N[0], pt->N[1], dim == 3 ? pt->N[2] : 1};
    m->levels = cs_pfmg_levels_slabs(n, pt->h, m->ndiff, periodic); /* as cs_pfmg_setup's dxyz */
  } else {
    m->lo[1] = 0;
    m->hi[1] = m->ndiff - 1;
    m->levels = cs_pfmg_levels((double)pt->N[0]);
  }

  CS_CHECK_HYPRE(cs_hy.StructGridCreate(pb->comm, m->hdim, &m->grid));
  if (!m->empty) CS_CHECK_HYPRE(cs_hy.StructGridSetExtents(m->grid, m->lo, m->hi));
  if (m->period[1] || m->period[2]) CS_CHECK_HYPRE(cs_hy.StructGridSetPeriodic(m->grid, m->period));
  CS_CHECK_HYPRE(cs_hy.StructGridAssemble(m->grid));

  CS_CHECK_HYPRE(cs_hy.StructStencilCreate(m->hdim, m->nst, &m->stencil));
  for (int e = 0; e < m->nst; ++e) {
    HYPRE_Int off[3] = {0, 0, 0};
    if (e > 0) off[(e - 1) / 2] = (e % 2) ? -1 : 1;
    CS_CHECK_HYPRE(cs_hy.StructStencilSetElement(m->stencil, e, off));
  }
  CS_CHECK_HYPRE(cs_hy.StructMatrixCreate(pb->comm, m->grid, m->stencil, &m->A));
  CS_CHECK_HYPRE(cs_hy.StructMatrixSetSymmetric(m->A, 1));
  CS_CHECK_HYPRE(cs_hy.StructMatrixInitialize(m->A));
  CS_CHECK_HYPRE(cs_hy.StructVectorCreate(pb->comm, m->grid, &m->b));
  CS_CHECK_HYPRE(cs_hy.StructVectorInitialize(m->b));
  CS_CHECK_HYPRE(cs_hy.StructVectorCreate(pb->comm, m->grid, &m->x));
  CS_CHECK_HYPRE(cs_hy.StructVectorInitialize(m->x));
  const size_t n = (size_t)(m->ncell > 0 ? m->ncell : 1);
  m->values = malloc(n * (size_t)m->nst * sizeof *m->values);
  m->diag = malloc(n * (size_t)m->ndiff * sizeof *m->diag);
  m->buf = malloc(n * (size_t)m->ndiff * sizeof *m->buf);
  CS_CHECK_ALLOC(m->values);
  CS_CHECK_ALLOC(m->diag);
  CS_CHECK_ALLOC(m->buf);
  if (!m->empty) fill_diag(m);
  return CS_OK;
}

void cs_pfmg_destroy(cs_pfmg **pm)
{
  cs_pfmg *m = *pm;
  if (!m) return;
  if (m->solver) cs_hy.StructPFMGDestroy(m->solver);
  if (m->A) cs_hy.StructMatrixDestroy(m->A);
  if (m->b) cs_hy.StructVectorDestroy(m->b);
  if (m->x) cs_hy.StructVectorDestroy(m->x);
  if (m->stencil) cs_hy.StructStencilDestroy(m->stencil);
  if (m->grid) cs_hy.StructGridDestroy(m->grid);
  free(m->values);
  free(m->diag);
  free(m->buf);
  free(m);
  *pm = NULL;
}

/* Coefficients of M_s for diffusing species r (slab r) and every owned
 * cell, cs_cell order (the slab's sub-box, hypre's first index fastest),
 * nst per cell: a slab at a time keeps this staging copy at one species'
 * size (3-D: 56 bytes a cell instead of 336). The slabs are uncoupled: in
 * 2-D and 3-D the depth couplings end at each slab's first and last cell
 * (the walls), in 1-D x (hypre index 1, the slab) has one cell and no
 * coupling. A periodic direction couples every cell to both neighbours,
 * across the wrap too: hypre's grid wraps (m->period), except with one cell
 * around, whose two neighbours are the cell itself (the couplings fold into
 * the diagonal: no lateral term, as in the Jacobian), and with two, whose
 * two neighbours are the other cell (one coupling of twice the weight, on a
 * grid that PFMG then coarsens as with walls). An odd period of 3 or more
 * leaves the wrap's couplings out and keeps their diagonal (pfmg.h). */
static void fill_values(cs_pfmg *m, int r, double gamma)
{
  const cs_patch *pt = m->pb->pt;
  const int s = m->species[r];
  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i)
      for (int k = 0; k < pt->n[0]; ++k) {
        const int idx[3] = {k, i, j};
        const size_t c = (size_t)cs_cell(pt, k, i, j);
        double *v = &m->values[c * (size_t)m->nst];
        v[0] = 1.0 - gamma * m->diag[c * (size_t)m->ndiff + (size_t)r];
        for (int d = 0; d < m->hdim; ++d) {
          const int global = pt->off[d] + idx[d];
          const double cpl = -gamma * m->D[s] / (pt->h[d] * pt->h[d]);
          if (m->period[d]) {
            v[1 + 2 * d] = v[2 + 2 * d] = cpl;
          } else if (m->wraps[d] && pt->N[d] == 1) {
            v[0] += 2.0 * cpl;
            v[1 + 2 * d] = v[2 + 2 * d] = 0.0;
          } else if (m->wraps[d] && pt->N[d] == 2) {
            v[1 + 2 * d] = global > 0 ? 2.0 * cpl : 0.0;
            v[2 + 2 * d] = global < 1 ? 2.0 * cpl : 0.0;
          } else { /* no coupling through a wall, nor across an odd period's wrap */
            v[1 + 2 * d] = global > 0 && !(idx[d] == 0 && pt->wall_lo[d]) ? cpl : 0.0;
            v[2 + 2 * d] = global < pt->N[d] - 1 && !(idx[d] == pt->n[d] - 1 && pt->wall_hi[d]) ? cpl : 0.0;
          }
        }
      }
}

int cs_pfmg_setup(cs_pfmg *m, double gamma)
{
  if (m->ndiff == 0) return CS_OK;
  HYPRE_Int entries[NSTENCIL_MAX];
  for (int e = 0; e < m->nst; ++e) entries[e] = e;
  for (int r = 0; r < m->ndiff && !m->empty; ++r) {
    /* slab r's sub-box: depth rows r N0 .. r N0 + N0 - 1 (1-D: index 1 = r) */
    HYPRE_Int lo[3] = {m->lo[0], m->lo[1], m->lo[2]}, hi[3] = {m->hi[0], m->hi[1], m->hi[2]};
    const int axis = m->slabs_in_depth ? 0 : 1, rows = m->slabs_in_depth ? m->pb->pt->N[0] : 1;
    lo[axis] = r * rows;
    hi[axis] = r * rows + rows - 1;
    fill_values(m, r, gamma);
    CS_CHECK_HYPRE(cs_hy.StructMatrixSetBoxValues(m->A, lo, hi, m->nst, entries, m->values));
  }
  CS_CHECK_HYPRE(cs_hy.StructMatrixAssemble(m->A));
  if (m->solver) {
    cs_hy.StructPFMGDestroy(m->solver);
    m->solver = NULL;
  }
  CS_CHECK_HYPRE(cs_hy.StructPFMGCreate(m->pb->comm, &m->solver));
  CS_CHECK_HYPRE(cs_hy.StructPFMGSetMaxIter(m->solver, 1));
  CS_CHECK_HYPRE(cs_hy.StructPFMGSetTol(m->solver, 0.0));
  CS_CHECK_HYPRE(cs_hy.StructPFMGSetZeroGuess(m->solver));
  /* red-black Gauss-Seidel on every level: the non-symmetric variant
   * (GMRES needs no symmetric preconditioner), and no skipped levels (PFMG
   * skips relaxation where it judges the grid isotropic, which a direction
   * without coupling, as 1-D's slabs, misleads). 24x160 lesion: Krylov
   * iterations 1273 -> 824, solve -15 % (docs/performance.md). With this
   * smoother PFMG builds its non-Galerkin coarse operators whatever the RAP
   * type says (pfmg_setup.c). */
  CS_CHECK_HYPRE(cs_hy.StructPFMGSetRelaxType(m->solver, 3));
  CS_CHECK_HYPRE(cs_hy.StructPFMGSetSkipRelax(m->solver, 0));
  CS_CHECK_HYPRE(cs_hy.StructPFMGSetRAPType(m->solver, 0));
  CS_CHECK_HYPRE(cs_hy.StructPFMGSetNumPreRelax(m->solver, 1));
  CS_CHECK_HYPRE(cs_hy.StructPFMGSetNumPostRelax(m->solver, 1));
  /* no levels below ~16 cells: each costs its halo exchanges and, at the
   * bottom, PFMG's Jacobi sweeps (one exchange each) while changing
   * nothing. 24x160: Krylov iterations 824 -> 823, 2 ranks -6 %
   * (docs/performance.md, fifteenth round). */
  CS_CHECK_HYPRE(cs_hy.StructPFMGSetMaxLevels(m->solver, m->levels));
  if (m->slabs_in_depth) {
    /* the grid spacings, which cs_pfmg_levels_slabs assumes. All three
     * non-zero, also in 2-D (h = 1 in the unused direction): hypre takes a
     * dxyz with a zero for unset and estimates its own from the
     * coefficients (two reductions a setup), where the slabs' ends and the
     * walls weaken the depth and lateral couplings by a few percent. That
     * broke ties the other way (h_z = 2 h_x: 24 x 40 over 2.4 x 2 mm), so
     * PFMG's levels were not the replay's. */
    const cs_patch *pt = m->pb->pt;
    HYPRE_Real dxyz[3] = {pt->h[0], pt->h[1], pt->h[2]};
    CS_CHECK_HYPRE(cs_hy.StructPFMGSetDxyz(m->solver, dxyz));
  }
  CS_CHECK_HYPRE(cs_hy.StructPFMGSetup(m->solver, m->A, m->b, m->x));
  cs_hy.ClearAllErrors();
  return CS_OK;
}

int cs_pfmg_solve(cs_pfmg *m, double *x)
{
  if (m->ndiff == 0) return CS_OK;
  /* The diffusing species out of the interleaved vector into box order in
   * one pass over the cells, and back in one: a pass per species read the
   * whole vector each time (2-D 96 x 2048: 7 % of the run in these copies). */
  const size_t nc = (size_t)m->ncell, n0 = (size_t)m->pb->pt->n[0], nd = (size_t)m->ndiff;
  const size_t ncol = m->empty ? 0 : nc / n0;
  for (size_t col = 0; col < ncol; ++col)
    for (size_t k = 0; k < n0; ++k) {
      const double *xc = x + CS_NS * (col * n0 + k);
      double *bc = m->buf + box_pos(m, k, col);
      for (size_t r = 0; r < nd; ++r) bc[r * n0] = xc[m->species[r]];
    }
  if (!m->empty) CS_CHECK_HYPRE(cs_hy.StructVectorSetBoxValues(m->b, m->lo, m->hi, m->buf));
  CS_CHECK_HYPRE(cs_hy.StructVectorAssemble(m->b));
  CS_CHECK_HYPRE(cs_hy.StructPFMGSolve(m->solver, m->A, m->b, m->x));
  if (!m->empty) CS_CHECK_HYPRE(cs_hy.StructVectorGetBoxValues(m->x, m->lo, m->hi, m->buf));
  for (size_t col = 0; col < ncol; ++col)
    for (size_t k = 0; k < n0; ++k) {
      double *xc = x + CS_NS * (col * n0 + k);
      const double *bc = m->buf + box_pos(m, k, col);
      for (size_t r = 0; r < nd; ++r) xc[m->species[r]] = bc[r * n0];
    }
  cs_hy.ClearAllErrors();
  return CS_OK;
}
