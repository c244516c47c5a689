#include "pfmg.h"

#include <stdlib.h>
#include <string.h>

#include "../model/transport.h"
#include "error.h"
#include "hypre_lib.h"

/* hypre's grid: depth, x and y in 3-D; 2-D with the species stacked (see
 * cs_pfmg_create). The stencil is the cell and its two neighbours in each
 * direction (entry 0: the cell; 2d+1 / 2d+2: the low / high neighbour in d):
 * 5 or 7 entries. */
enum { NDIM_MAX = 3, NSTENCIL_MAX = 2 * NDIM_MAX + 1 };

struct cs_pfmg {
  const cs_problem *pb;
  int stacked;                    /* 1-D/2-D grids: all species in one 2-D hypre system */
  int depth_stacked;              /* 2-D: species r at hypre depth r N0 + k (1-D: at hypre index 1 = r) */
  int hdim, nst;                  /* hypre's dimension (2 stacked, else 3) and stencil size */
  int nsolve;                     /* hypre systems: 1 if stacked, else one per diffusing species */
  HYPRE_Int lo[3], hi[3];         /* this rank's box (global indices) */
  int empty;                      /* this rank owns no cell */
  long ncell;
  int levels;                     /* cs_pfmg_levels (cs_pfmg_levels_slabs when depth-stacked) */
  int ndiff;                      /* diffusing species */
  int species[CS_NS];             /* their indices */
  double D[CS_NS];
  HYPRE_StructGrid grid;
  HYPRE_StructStencil stencil;
  HYPRE_StructMatrix A[CS_NS];    /* per system (index into species[] unless stacked) */
  HYPRE_StructSolver solver[CS_NS];
  HYPRE_StructVector b, x;
  double *values;                 /* matrix coefficients of the box, nst per cell */
  double *buf;                    /* every diffusing species' values, species-major (system q's box at
                                     buf + first * ncell, system_species) */
};

int cs_pfmg_levels(double cells)
{
  int levels = 1;
  for (; cells > CS_PFMG_COARSEST_CELLS; cells /= 2.0) ++levels;
  return levels;
}

/* PFMG's own choice, replayed (hypre 2.26, pfmg_setup.c): each level halves
 * the direction of smallest dxyz whose extent is above 1 (the first of
 * equals), and doubles that dxyz; cs_pfmg_setup passes dxyz = (h_z, h_x),
 * so the replay is exact. */
int cs_pfmg_levels_slabs(int n0, int n1, double h0, double h1, int nslab)
{
  const int cap = cs_pfmg_levels((double)n0 * n1);
  long extent[2] = {(long)n0 * nslab, n1};
  double dxyz[2] = {h0, h1};
  int levels = 1, depth_halvings = 0;
  for (; levels < cap; ++levels) {
    int d = -1;
    for (int e = 0; e < 2; ++e)
      if (extent[e] > 1 && (d < 0 || dxyz[e] < dxyz[d])) d = e;
    if (d < 0 || (d == 0 && (2L << depth_halvings) > n0)) break;
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
  /* hypre's PFMG has no 1-D stencils. 1-D and 2-D grids put all their
   * diffusing species into one 2-D hypre system of uncoupled slabs (one
   * V-cycle, one message per level and neighbour, instead of one V-cycle
   * per species: on two ranks those were latency-bound): a 1-D grid has
   * species r at hypre index 1 = r, a 2-D grid at depth r N0 + k (depth
   * columns are never split in 2-D, so each rank's box stays one box).
   * A 5-point stencil: the earlier 3-D grid with the species along the third
   * index carried two zero entries per cell on every level (7 points, as
   * red-black Gauss-Seidel on a 3-D grid requires), ~30 % of the V-cycle's
   * work (docs/performance.md, nineteenth round). The slabs stay uncoupled
   * on every level (PFMG's interpolation weights and coarse couplings along
   * the coarsened direction are products with the fine coupling, which is 0
   * between slabs), but its non-Galerkin coarse operator lumps the lateral
   * couplings of the rows next to a coarse row into it, so a slab's end
   * rows take in half the neighbouring slab's lateral coupling where a wall
   * would give none: 24x160, Krylov iterations 823 -> 834. cs_pfmg_levels_slabs
   * keeps a coarse row in every slab. A 3-D grid solves species by species. */
  m->stacked = !pt->gh[2];
  m->nsolve = m->stacked ? (m->ndiff > 0) : m->ndiff;
  m->ncell = pb->ncell;
  m->empty = pb->ncell == 0;
  for (int d = 0; d < 3; ++d) {
    m->lo[d] = pt->off[d];
    m->hi[d] = pt->off[d] + pt->n[d] - 1;
  }
  m->hdim = m->stacked ? 2 : 3;
  m->nst = 2 * m->hdim + 1;
  m->depth_stacked = m->stacked && pt->gh[1];
  if (m->depth_stacked) {
    m->hi[0] = m->ndiff * pt->N[0] - 1;
    m->levels = cs_pfmg_levels_slabs(pt->N[0], pt->N[1], pt->h[0], pt->h[1], m->ndiff);
  } else {
    if (m->stacked) {
      m->lo[1] = 0;
      m->hi[1] = m->ndiff - 1;
    }
    m->levels = cs_pfmg_levels((double)pt->N[0] * pt->N[1] * pt->N[2]);
  }

  CS_CHECK_HYPRE(cs_hy.StructGridCreate(pb->comm, m->hdim, &m->grid));
  if (!m->empty) CS_CHECK_HYPRE(cs_hy.StructGridSetExtents(m->grid, m->lo, m->hi));
  CS_CHECK_HYPRE(cs_hy.StructGridAssemble(m->grid));

  CS_CHECK_HYPRE(cs_hy.StructStencilCreate(m->hdim, m->nst, &m->stencil));
  for (int e = 0; e < m->nst; ++e) {
    HYPRE_Int off[3] = {0, 0, 0};
    if (e > 0) off[(e - 1) / 2] = (e % 2) ? -1 : 1;
    CS_CHECK_HYPRE(cs_hy.StructStencilSetElement(m->stencil, e, off));
  }
  for (int q = 0; q < m->nsolve; ++q) {
    CS_CHECK_HYPRE(cs_hy.StructMatrixCreate(pb->comm, m->grid, m->stencil, &m->A[q]));
    CS_CHECK_HYPRE(cs_hy.StructMatrixSetSymmetric(m->A[q], 1));
    CS_CHECK_HYPRE(cs_hy.StructMatrixInitialize(m->A[q]));
  }
  CS_CHECK_HYPRE(cs_hy.StructVectorCreate(pb->comm, m->grid, &m->b));
  CS_CHECK_HYPRE(cs_hy.StructVectorInitialize(m->b));
  CS_CHECK_HYPRE(cs_hy.StructVectorCreate(pb->comm, m->grid, &m->x));
  CS_CHECK_HYPRE(cs_hy.StructVectorInitialize(m->x));
  size_t n = (size_t)(m->ncell > 0 ? m->ncell : 1) * (size_t)(m->stacked && m->ndiff > 0 ? m->ndiff : 1);
  m->values = malloc(n * (size_t)m->nst * sizeof *m->values);
  m->buf = malloc((size_t)(m->ncell > 0 ? m->ncell : 1) * (size_t)(m->ndiff > 0 ? m->ndiff : 1) * sizeof *m->buf);
  CS_CHECK_ALLOC(m->values);
  CS_CHECK_ALLOC(m->buf);
  return CS_OK;
}

void cs_pfmg_destroy(cs_pfmg **pm)
{
  cs_pfmg *m = *pm;
  if (!m) return;
  for (int q = 0; q < m->nsolve; ++q) {
    if (m->solver[q]) cs_hy.StructPFMGDestroy(m->solver[q]);
    if (m->A[q]) cs_hy.StructMatrixDestroy(m->A[q]);
  }
  if (m->b) cs_hy.StructVectorDestroy(m->b);
  if (m->x) cs_hy.StructVectorDestroy(m->x);
  if (m->stencil) cs_hy.StructStencilDestroy(m->stencil);
  if (m->grid) cs_hy.StructGridDestroy(m->grid);
  free(m->values);
  free(m->buf);
  free(m);
  *pm = NULL;
}

/* The diffusing species (indices into species[]) of hypre system q: all of
 * them when stacked, else the q-th alone. Slab r - first of the box. */
static void system_species(const cs_pfmg *m, int q, int *first, int *last)
{
  *first = m->stacked ? 0 : q;
  *last = m->stacked ? m->ndiff : q + 1;
}

/* Where slab r (species[first + r] of system q) of cell (k, i, j) sits in
 * the box, hypre's first index fastest: 2-D depth-stacked, column i holds
 * its slabs one after another (k + n0 (r + ndiff i)); else slab-major in
 * cs_cell order (1-D: k + n0 r; 3-D: one species, r = 0). */
static size_t box_pos(const cs_pfmg *m, int r, int k, int i, int j)
{
  const cs_patch *pt = m->pb->pt;
  if (m->depth_stacked) return ((size_t)i * (size_t)m->ndiff + (size_t)r) * (size_t)pt->n[0] + (size_t)k;
  return (size_t)r * (size_t)m->ncell + (size_t)cs_cell(pt, k, i, j);
}

/* Coefficients of M_s for the species of hypre system q (system_species)
 * and every owned cell at box_pos, nst per cell. The slabs are uncoupled:
 * in 2-D the depth couplings end at each slab's first and last cell (the
 * walls), in 1-D x (hypre index 1, the slab) has one cell and no coupling. */
static void fill_values(cs_pfmg *m, int q, double gamma)
{
  const cs_patch *pt = m->pb->pt;
  const double N = m->pb->syn[CS_N];
  const int nspace = m->stacked ? 2 : 3;
  int first, last;
  system_species(m, q, &first, &last);
  for (int j = 0; j < pt->n[2]; ++j)
    for (int i = 0; i < pt->n[1]; ++i)
      for (int k = 0; k < pt->n[0]; ++k) {
        double diag[CS_NS], dE_dc;
        cs_transport_diag(m->pb->p, pt, k, i, j, N, diag, &dE_dc); /* -sum faces D/h^2 - surface transfer */
        const int idx[3] = {k, i, j};
        for (int r = first; r < last; ++r) {
          const int s = m->species[r];
          double *v = &m->values[box_pos(m, r - first, k, i, j) * (size_t)m->nst];
          v[0] = 1.0 - gamma * diag[s];
          for (int d = 0; d < nspace; ++d) {
            const int global = pt->off[d] + idx[d];
            const double c = -gamma * m->D[s] / (pt->h[d] * pt->h[d]);
            /* no coupling through a wall, and none across the periodic wrap (its diagonal is kept) */
            v[1 + 2 * d] = global > 0 && !(idx[d] == 0 && pt->wall_lo[d]) ? c : 0.0;
            v[2 + 2 * d] = global < pt->N[d] - 1 && !(idx[d] == pt->n[d] - 1 && pt->wall_hi[d]) ? c : 0.0;
          }
        }
      }
}

int cs_pfmg_setup(cs_pfmg *m, double gamma)
{
  HYPRE_Int entries[NSTENCIL_MAX];
  for (int e = 0; e < m->nst; ++e) entries[e] = e;
  for (int q = 0; q < m->nsolve; ++q) {
    if (!m->empty) {
      fill_values(m, q, gamma);
      CS_CHECK_HYPRE(cs_hy.StructMatrixSetBoxValues(m->A[q], m->lo, m->hi, m->nst, entries, m->values));
    }
    CS_CHECK_HYPRE(cs_hy.StructMatrixAssemble(m->A[q]));
    if (m->solver[q]) {
      cs_hy.StructPFMGDestroy(m->solver[q]);
      m->solver[q] = NULL;
    }
    CS_CHECK_HYPRE(cs_hy.StructPFMGCreate(m->pb->comm, &m->solver[q]));
    CS_CHECK_HYPRE(cs_hy.StructPFMGSetMaxIter(m->solver[q], 1));
    CS_CHECK_HYPRE(cs_hy.StructPFMGSetTol(m->solver[q], 0.0));
    CS_CHECK_HYPRE(cs_hy.StructPFMGSetZeroGuess(m->solver[q]));
    /* red-black Gauss-Seidel on every level: the non-symmetric variant
     * (GMRES needs no symmetric preconditioner), and no skipped levels (PFMG
     * skips relaxation where it judges the grid isotropic, which the stacked
     * species direction, with no coupling at all, misleads). 24x160 lesion:
     * Krylov iterations 1273 -> 824, solve -15 % (docs/performance.md). */
    CS_CHECK_HYPRE(cs_hy.StructPFMGSetRelaxType(m->solver[q], 3));
    CS_CHECK_HYPRE(cs_hy.StructPFMGSetSkipRelax(m->solver[q], 0));
    CS_CHECK_HYPRE(cs_hy.StructPFMGSetRAPType(m->solver[q], 0)); /* Galerkin coarse operators */
    CS_CHECK_HYPRE(cs_hy.StructPFMGSetNumPreRelax(m->solver[q], 1));
    CS_CHECK_HYPRE(cs_hy.StructPFMGSetNumPostRelax(m->solver[q], 1));
    /* no levels below ~16 cells: each costs its halo exchanges and, at the
     * bottom, PFMG's Jacobi sweeps (one exchange each) while changing
     * nothing. 24x160: Krylov iterations 824 -> 823, 2 ranks -6 %
     * (docs/performance.md, fifteenth round). */
    CS_CHECK_HYPRE(cs_hy.StructPFMGSetMaxLevels(m->solver[q], m->levels));
    if (m->depth_stacked) {
      /* the grid spacings, which cs_pfmg_levels_slabs assumes (hypre would
       * estimate them from the coefficients, with two reductions a setup) */
      HYPRE_Real dxyz[3] = {m->pb->pt->h[0], m->pb->pt->h[1], 1.0};
      CS_CHECK_HYPRE(cs_hy.StructPFMGSetDxyz(m->solver[q], dxyz));
    }
    CS_CHECK_HYPRE(cs_hy.StructPFMGSetup(m->solver[q], m->A[q], m->b, m->x));
  }
  cs_hy.ClearAllErrors();
  return CS_OK;
}

int cs_pfmg_solve(cs_pfmg *m, double *x)
{
  /* The diffusing species out of the interleaved vector in one pass over
   * the cells, and back in one: a pass per species read the whole vector
   * each time (2-D 96 x 2048 with pfmg: 7 % of the run in these copies).
   * Slab r of cell k of column col at box_pos: col col_stride + k + r slab_stride. */
  const size_t nc = (size_t)m->ncell, n0 = (size_t)m->pb->pt->n[0], nd = (size_t)m->ndiff;
  const size_t ncol = m->empty ? 0 : nc / n0;
  const size_t col_stride = m->depth_stacked ? nd * n0 : n0, slab_stride = m->depth_stacked ? n0 : nc;
  for (size_t col = 0; col < ncol; ++col)
    for (size_t k = 0; k < n0; ++k) {
      const double *xc = x + CS_NS * (col * n0 + k);
      double *bc = m->buf + col * col_stride + k;
      for (size_t r = 0; r < nd; ++r) bc[r * slab_stride] = xc[m->species[r]];
    }
  for (int q = 0; q < m->nsolve; ++q) {
    int first, last;
    system_species(m, q, &first, &last);
    double *box = m->buf + (size_t)first * nc;
    if (!m->empty) CS_CHECK_HYPRE(cs_hy.StructVectorSetBoxValues(m->b, m->lo, m->hi, box));
    CS_CHECK_HYPRE(cs_hy.StructVectorAssemble(m->b));
    CS_CHECK_HYPRE(cs_hy.StructPFMGSolve(m->solver[q], m->A[q], m->b, m->x));
    if (!m->empty) CS_CHECK_HYPRE(cs_hy.StructVectorGetBoxValues(m->x, m->lo, m->hi, box));
  }
  for (size_t col = 0; col < ncol; ++col)
    for (size_t k = 0; k < n0; ++k) {
      double *xc = x + CS_NS * (col * n0 + k);
      const double *bc = m->buf + col * col_stride + k;
      for (size_t r = 0; r < nd; ++r) xc[m->species[r]] = bc[r * slab_stride];
    }
  cs_hy.ClearAllErrors();
  return CS_OK;
}
