/* decomp.h - MPI domain decomposition of the grid and the halo exchange.
 *
 * The ranks form a Cartesian communicator (MPI_Dims_create, MPI_Cart_create;
 * in 3-D, when its balanced split does not fit a narrow grid, the fitting
 * split with the shortest cuts).
 * In 1-D the depth is split; in 2-D/3-D only the lateral directions are
 * split (depth columns stay whole on a rank, which lets the line
 * preconditioner solve each column exactly). Lateral boundaries are periodic
 * when grid.periodic is set (a rank may then be its own neighbour).
 * The halo exchange sends the patch's first and last layers straight from
 * the owned array (MPI subarray datatypes) and receives the neighbours'
 * into face arrays (cs_halo, grid.h), so the state is not copied.
 */
#ifndef CS_DECOMP_H
#define CS_DECOMP_H

#include <mpi.h>

#include "../model/grid.h"

typedef struct cs_decomp cs_decomp;

/* Collective over `comm`. Fails with CS_ERR_CONFIG when the grid has fewer
 * cells than ranks along a split direction. */
int cs_decomp_create(MPI_Comm comm, const cs_grid *g, double H, cs_decomp **out);
void cs_decomp_destroy(cs_decomp **dc);

const cs_patch *cs_decomp_patch(const cs_decomp *dc);
MPI_Comm cs_decomp_comm(const cs_decomp *dc);
int cs_decomp_rank(const cs_decomp *dc);
int cs_decomp_size(const cs_decomp *dc);
/* 1 if the lateral directions in use wrap (grid.periodic), else 0. */
int cs_decomp_periodic(const cs_decomp *dc);
/* Process grid along z, x, y. */
void cs_decomp_dims(const cs_decomp *dc, int dims[3]);

/* The faces the exchange fills (NULL pointers on wall sides); the arrays
 * stay valid until cs_decomp_destroy. */
cs_halo cs_decomp_halo(const cs_decomp *dc);
/* Start / finish the exchange of the layers of the owned array u (owned
 * layout) into the neighbours' faces. Between the two calls u must not
 * change and the faces must not be read: the columns that read no halo
 * value may be computed (cs_transport_rhs_columns). */
int cs_decomp_exchange_begin(cs_decomp *dc, const double *u);
int cs_decomp_exchange_end(cs_decomp *dc);

#endif
