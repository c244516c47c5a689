#include "decomp.h"

#include <stdio.h>
#include <stdlib.h>

#include "../model/species.h"
#include "error.h"

struct cs_decomp {
  MPI_Comm cart;
  int rank, size;
  int dims[3], coords[3];
  int periodic; /* grid.periodic: the used lateral directions wrap */
  int nbr_lo[3], nbr_hi[3];
  cs_patch patch;
  MPI_Datatype send_lo[3], send_hi[3]; /* the patch's first / last layer of direction d, owned layout */
  double *face_lo[3], *face_hi[3];     /* the layers received from the neighbours (cs_halo's order);
                                          NULL on a wall side */
  MPI_Request req[12];
  int nreq;
};

/* Subarray of the owned array [n2][n1][n0*NS] holding the layer at index
 * `at` of direction d: in C order the cells of a face in cs_halo's order. */
static int face_type(const cs_patch *pt, int d, int at, MPI_Datatype *t)
{
  int sizes[3] = {pt->n[2], pt->n[1], pt->n[0] * CS_NS};
  int sub[3] = {pt->n[2], pt->n[1], pt->n[0] * CS_NS};
  int start[3] = {0, 0, 0};
  int axis = 2 - d; /* C order: y, x, z */
  sub[axis] = d == 0 ? CS_NS : 1;
  start[axis] = d == 0 ? at * CS_NS : at;
  CS_CHECK_MPI(MPI_Type_create_subarray(3, sizes, sub, start, MPI_ORDER_C, MPI_DOUBLE, t));
  CS_CHECK_MPI(MPI_Type_commit(t));
  return CS_OK;
}

static void split(int N, int parts, int coord, int *n, int *off)
{
  int base = N / parts, extra = N % parts;
  *n = base + (coord < extra);
  *off = coord * base + (coord < extra ? coord : extra);
}

/* Can p ranks split N[1] x N[2] depth columns as px py = p, px <= nx, py <= ny? */
static int lateral_split_fits(long p, const int N[3])
{
  for (int px = 1; px <= N[1]; ++px)
    if (p % px == 0 && p / px <= N[2]) return 1;
  return 0;
}

/* The most ranks a grid of N cells (z, x, y) can be split over: 1-D along
 * z, 2-D along x, 3-D along x and y (px py ranks, px <= nx, py <= ny). */
static int max_ranks(int dim, const int N[3])
{
  if (dim == 1) return N[0];
  if (dim == 2) return N[1];
  for (long r = (long)N[1] * N[2]; r > 1; --r)
    if (lateral_split_fits(r, N)) return (int)r;
  return 1;
}

int cs_decomp_create(MPI_Comm comm, const cs_grid *g, double H, cs_decomp **out)
{
  cs_decomp *dc = calloc(1, sizeof *dc);
  CS_CHECK_ALLOC(dc);
  *out = dc;
  dc->cart = MPI_COMM_NULL; /* cs_decomp_destroy frees only what was made */
  for (int d = 0; d < 3; ++d)
    dc->send_lo[d] = dc->send_hi[d] = MPI_DATATYPE_NULL;
  CS_CHECK_MPI(MPI_Comm_size(comm, &dc->size));
  int dims[3] = {1, 1, 1}, periods[3] = {0, g->periodic, g->periodic};
  dc->periodic = g->periodic != 0;
  const int N[3] = {g->nz, g->dim >= 2 ? g->nx : 1, g->dim >= 3 ? g->ny : 1};
  if (g->dim == 1) {
    dims[0] = dc->size;
  } else {
    int lat[2] = {0, g->dim >= 3 ? 0 : 1};
    CS_CHECK_MPI(MPI_Dims_create(dc->size, g->dim - 1, lat));
    dims[1] = lat[0];
    dims[2] = g->dim >= 3 ? lat[1] : 1;
    if (g->dim >= 3 && (dims[1] > N[1] || dims[2] > N[2])) {
      /* MPI's balanced split does not fit a narrow grid (nx 2, ny 12 on 3
       * ranks): the fitting split with the shortest cuts, (px-1) ny + (py-1) nx */
      long best = -1;
      for (int px = 1; px <= dc->size; ++px) {
        if (dc->size % px || px > N[1] || dc->size / px > N[2]) continue;
        long cut = (long)(px - 1) * N[2] + (long)(dc->size / px - 1) * N[1];
        if (best < 0 || cut < best) best = cut, dims[1] = px, dims[2] = dc->size / px;
      }
    }
  }
  if (N[0] < dims[0] || N[1] < dims[1] || N[2] < dims[2]) {
    const int most = max_ranks(g->dim, N);
    if (g->dim == 1)
      CS_FAIL(CS_ERR_CONFIG, "grid.nz = %d cells cannot be split over %d ranks (a 1-D grid is split along z); "
              "use at most %d rank%s or more cells", N[0], dc->size, most, most == 1 ? "" : "s");
    if (g->dim == 2)
      CS_FAIL(CS_ERR_CONFIG, "grid.nx = %d cells cannot be split over %d ranks (a 2-D grid is split along x); "
              "use at most %d rank%s or more cells", N[1], dc->size, most, most == 1 ? "" : "s");
    if (dc->size > most)
      CS_FAIL(CS_ERR_CONFIG, "grid.nx x grid.ny = %d x %d depth columns cannot be split over %d ranks (px ranks "
              "along x and py along y, px py = %d, px <= nx, py <= ny); use at most %d rank%s or more cells",
              N[1], N[2], dc->size, dc->size, most, most == 1 ? "" : "s");
    /* not too many, but no px py = size fits (3 ranks on 2 x 2 columns): "at most 4" said nothing */
    int below = dc->size - 1, above = dc->size + 1;
    while (below > 1 && !lateral_split_fits(below, N)) --below;
    while (above <= most && !lateral_split_fits(above, N)) ++above;
    char other[48];
    if (above <= most) snprintf(other, sizeof other, "%d or %d ranks", below, above);
    else snprintf(other, sizeof other, "%d rank%s", below, below == 1 ? "" : "s");
    CS_FAIL(CS_ERR_CONFIG, "grid.nx x grid.ny = %d x %d depth columns cannot be split over %d ranks (px ranks "
            "along x and py along y, px py = %d, px <= nx, py <= ny: no such px, py); use %s, or other cells",
            N[1], N[2], dc->size, dc->size, other);
  }
  /* z is the slowest-varying rank coordinate so that x, y neighbours stay close */
  CS_CHECK_MPI(MPI_Cart_create(comm, 3, dims, periods, 0, &dc->cart));
  CS_CHECK_MPI(MPI_Comm_rank(dc->cart, &dc->rank));
  CS_CHECK_MPI(MPI_Cart_coords(dc->cart, dc->rank, 3, dc->coords));
  cs_patch *pt = &dc->patch;
  for (int d = 0; d < 3; ++d) {
    dc->dims[d] = dims[d];
    CS_CHECK_MPI(MPI_Cart_shift(dc->cart, d, 1, &dc->nbr_lo[d], &dc->nbr_hi[d]));
    pt->N[d] = N[d];
    split(N[d], dims[d], dc->coords[d], &pt->n[d], &pt->off[d]);
    pt->wall_lo[d] = dc->nbr_lo[d] == MPI_PROC_NULL;
    pt->wall_hi[d] = dc->nbr_hi[d] == MPI_PROC_NULL;
  }
  cs_patch_finish(g, H, pt);
  for (int d = 0; d < 3; ++d) {
    if (!pt->gh[d]) continue;
    CS_CHECK(face_type(pt, d, 0, &dc->send_lo[d]));
    CS_CHECK(face_type(pt, d, pt->n[d] - 1, &dc->send_hi[d]));
    const size_t face = (size_t)CS_NS * (size_t)cs_face_cells(pt, d);
    if (!pt->wall_lo[d]) {
      dc->face_lo[d] = malloc(face * sizeof(double));
      CS_CHECK_ALLOC(dc->face_lo[d]);
    }
    if (!pt->wall_hi[d]) {
      dc->face_hi[d] = malloc(face * sizeof(double));
      CS_CHECK_ALLOC(dc->face_hi[d]);
    }
  }
  return CS_OK;
}

void cs_decomp_destroy(cs_decomp **pdc)
{
  cs_decomp *dc = *pdc;
  if (!dc) return;
  for (int d = 0; d < 3; ++d) {
    MPI_Datatype *t[2] = {&dc->send_lo[d], &dc->send_hi[d]};
    for (int q = 0; q < 2; ++q)
      if (*t[q] != MPI_DATATYPE_NULL) MPI_Type_free(t[q]);
    free(dc->face_lo[d]);
    free(dc->face_hi[d]);
  }
  if (dc->cart != MPI_COMM_NULL) MPI_Comm_free(&dc->cart);
  free(dc);
  *pdc = NULL;
}

const cs_patch *cs_decomp_patch(const cs_decomp *dc) { return &dc->patch; }
MPI_Comm cs_decomp_comm(const cs_decomp *dc) { return dc->cart; }
int cs_decomp_rank(const cs_decomp *dc) { return dc->rank; }
int cs_decomp_size(const cs_decomp *dc) { return dc->size; }
int cs_decomp_periodic(const cs_decomp *dc) { return dc->periodic; }

void cs_decomp_dims(const cs_decomp *dc, int dims[3])
{
  for (int d = 0; d < 3; ++d) dims[d] = dc->dims[d];
}

cs_halo cs_decomp_halo(const cs_decomp *dc)
{
  cs_halo h;
  for (int d = 0; d < 3; ++d) {
    h.lo[d] = dc->face_lo[d];
    h.hi[d] = dc->face_hi[d];
  }
  return h;
}

int cs_decomp_exchange_begin(cs_decomp *dc, const double *u)
{
  const cs_patch *pt = &dc->patch;
  dc->nreq = 0;
  for (int d = 0; d < 3; ++d) {
    if (!pt->gh[d]) continue;
    const int face = CS_NS * (int)cs_face_cells(pt, d);
    /* tags: 2d (message travelling towards lo), 2d+1 (towards hi); nothing
     * crosses a wall side (whose neighbour is MPI_PROC_NULL) */
    if (!pt->wall_lo[d]) {
      CS_CHECK_MPI(MPI_Irecv(dc->face_lo[d], face, MPI_DOUBLE, dc->nbr_lo[d], 2 * d + 1, dc->cart,
                             &dc->req[dc->nreq++]));
      CS_CHECK_MPI(MPI_Isend(u, 1, dc->send_lo[d], dc->nbr_lo[d], 2 * d, dc->cart, &dc->req[dc->nreq++]));
    }
    if (!pt->wall_hi[d]) {
      CS_CHECK_MPI(MPI_Irecv(dc->face_hi[d], face, MPI_DOUBLE, dc->nbr_hi[d], 2 * d, dc->cart,
                             &dc->req[dc->nreq++]));
      CS_CHECK_MPI(MPI_Isend(u, 1, dc->send_hi[d], dc->nbr_hi[d], 2 * d + 1, dc->cart, &dc->req[dc->nreq++]));
    }
  }
  return CS_OK;
}

int cs_decomp_exchange_end(cs_decomp *dc)
{
  if (dc->nreq) CS_CHECK_MPI(MPI_Waitall(dc->nreq, dc->req, MPI_STATUSES_IGNORE));
  dc->nreq = 0;
  return CS_OK;
}
