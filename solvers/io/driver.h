/* driver.h - which HDF5 file driver and transfer mode a file of cartsim's
 * uses, decided in one place for the run output (h5out.c) and the state and
 * checkpoint files (state.c):
 *   - several ranks: MPI-IO (H5Pset_fapl_mpio), transfers collective or
 *     independent as asked;
 *   - one rank: HDF5's plain POSIX driver and default transfers. The MPI-IO
 *     driver's collective bookkeeping cost ~1 ms per dataset write even on a
 *     single process (a small run's output cost more than computing it,
 *     docs/performance.md), and Open MPI's MPI-IO opens a shared-file-pointer
 *     file in the job's session directory, which isolated singletons share:
 *     two cartsim processes started side by side (the explorer, GNU
 *     parallel) failed when the other one ended and removed it.
 * The files are the same either way. Both return a property list the caller
 * closes (H5Pclose), or a negative id on failure. */
#ifndef CS_DRIVER_H
#define CS_DRIVER_H

#include <hdf5.h>
#include <mpi.h>

/* A file access list for `comm`. */
hid_t cs_h5_file_access(MPI_Comm comm);

/* A dataset transfer list for `comm`: collective (1) or independent (0)
 * with MPI-IO; the default on one rank. */
hid_t cs_h5_transfer(MPI_Comm comm, int collective);

#endif
