#include "problem.h"

#include <nvector/nvector_parallel.h>
#include <stdlib.h>
#include <string.h>

#include "../model/kinetics.h"
#include "../model/transport.h"
#include "error.h"

double cs_wtime(void) { return MPI_Wtime(); }

void cs_problem_init(cs_problem *pb, const cs_params *p, cs_decomp *dc)
{
  memset(pb, 0, sizeof *pb);
  pb->p = p;
  pb->dc = dc;
  pb->pt = cs_decomp_patch(dc);
  pb->comm = cs_decomp_comm(dc);
  pb->rank = cs_decomp_rank(dc);
  pb->ncell = cs_patch_cells(pb->pt);
  pb->nlocal = CS_NS * pb->ncell + (pb->rank == 0 ? CS_NSYNO : 0);
  pb->implicit_reactions = 1;
}

int cs_problem_rhs(double t, N_Vector y, N_Vector ydot, void *user_data)
{
  (void)t;
  cs_problem *pb = user_data;
  double t0 = cs_wtime();
  const double *u = N_VGetArrayPointer_Parallel(y);
  double *du = N_VGetArrayPointer_Parallel(ydot);

  if (pb->rank == 0) memcpy(pb->syn, u + CS_NS * pb->ncell, sizeof pb->syn);
  if (MPI_Bcast(pb->syn, CS_NSYNO, MPI_DOUBLE, 0, pb->comm) != MPI_SUCCESS) return -1;

  cs_patch_sums local, total;
  if (cs_patch_reads_halo(pb->pt)) {
    /* the columns that read no halo value while the faces travel, then the border */
    const cs_halo halo = cs_decomp_halo(pb->dc);
    double te = cs_wtime();
    if (cs_decomp_exchange_begin(pb->dc, u)) return -1;
    pb->timers.exchange += cs_wtime() - te;
    cs_transport_rhs_columns(pb->p, pb->pt, u, &halo, CS_COLUMNS_INNER, pb->syn, du, &local);
    te = cs_wtime();
    if (cs_decomp_exchange_end(pb->dc)) return -1;
    pb->timers.exchange += cs_wtime() - te;
    cs_patch_sums border;
    cs_transport_rhs_columns(pb->p, pb->pt, u, &halo, CS_COLUMNS_BORDER, pb->syn, du, &border);
    cs_patch_sums_add(&local, &border);
  } else { /* walls all round (one rank, not periodic): no halo; no neighbour waits for one */
    cs_transport_rhs(pb->p, pb->pt, u, NULL, pb->syn, du, &local);
  }
  if (MPI_Reduce(&local, &total, CS_PATCH_SUMS_LEN, MPI_DOUBLE, MPI_SUM, 0, pb->comm) != MPI_SUCCESS) return -1;
  if (pb->rank == 0) {
    cs_exchange_from_sums(pb->p, pb->pt->patch_area, &total, &pb->x);
    cs_synovial_rhs(pb->p, pb->injury_on, pb->syn, &pb->x, du + CS_NS * pb->ncell);
  }
  pb->timers.rhs += cs_wtime() - t0;
  return 0;
}

/* The reactions f(u) of kinetics.h in every owned cell: stored into du
 * (subtract = 0) or subtracted from it (subtract = 1). Local, no MPI. */
static void react_cells(const cs_problem *pb, const double *u, double *du, int subtract)
{
  const cs_kin kin = cs_kin_make(pb->p);
  double f[CS_NS];
  for (long cell = 0; cell < pb->ncell; ++cell) {
    double *d = &du[CS_IDX(0, cell)];
    cs_kin_react(&kin, &u[CS_IDX(0, cell)], subtract ? f : d, NULL);
    if (subtract)
      for (int s = 0; s < CS_NS; ++s) d[s] -= f[s];
  }
}

int cs_problem_rhs_explicit(double t, N_Vector y, N_Vector ydot, void *user_data)
{
  (void)t;
  cs_problem *pb = user_data;
  double t0 = cs_wtime();
  const double *u = N_VGetArrayPointer_Parallel(y);
  double *du = N_VGetArrayPointer_Parallel(ydot);
  react_cells(pb, u, du, 0);
  if (pb->rank == 0) memset(du + CS_NS * pb->ncell, 0, CS_NSYNO * sizeof(double));
  pb->timers.rhs += cs_wtime() - t0;
  return 0;
}

/* fi = f - fe: the full right-hand side (which also refreshes pb->syn and
 * pb->x for the preconditioner) minus the reactions, rather than a second
 * transport kernel without reactions: model/transport.c stays the one
 * place where diffusion and surface exchange are written. It evaluates the
 * kinetics twice per call (in the kernel and here). */
int cs_problem_rhs_implicit(double t, N_Vector y, N_Vector ydot, void *user_data)
{
  cs_problem *pb = user_data;
  int rc = cs_problem_rhs(t, y, ydot, user_data);
  if (rc) return rc;
  double t0 = cs_wtime();
  react_cells(pb, N_VGetArrayPointer_Parallel(y), N_VGetArrayPointer_Parallel(ydot), 1);
  pb->timers.rhs += cs_wtime() - t0;
  return 0;
}
