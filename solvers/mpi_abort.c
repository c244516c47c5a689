/* mpi_abort.c - MPI_Abort as the libraries cartsim loads call it.
 *
 * hypre ends the process with MPI_Abort(MPI_COMM_WORLD, -1) when one of its
 * allocations fails (hypre_MAlloc), after recording the error where nobody
 * reads it: a large PFMG run under a memory limit died with exit 255 and
 * Open MPI's banner, without a cartsim line. Through MPI's profiling
 * interface this definition takes the call (the executable exports it,
 * CMakeLists.txt, since hypre is dlopen()ed): one line and exit
 * CS_ERR_INTERNAL (7), the code of cartsim's own failed allocations
 * (docs/exit-codes.md); PMPI_Abort stops the other ranks of a parallel run.
 * cartsim itself never calls MPI_Abort. Only in the executable: the tests
 * linked with cartsim_solvers keep Open MPI's own. */
#include <mpi.h>
#include <stdio.h>
#include <unistd.h>

#include "error.h"
#include "singleton.h"

int MPI_Abort(MPI_Comm comm, int errorcode)
{
  int size = 1;
  fprintf(stderr, "cartsim: error: a library stopped the run with MPI_Abort (code %d), as hypre does when an "
          "allocation fails: out of memory? (a smaller grid, more ranks or a simpler solver.precond)\n", errorcode);
  fflush(stderr);
  PMPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size == 1) { /* a singleton: nobody to stop, and Open MPI's banner would only repeat this */
    cs_singleton_cleanup();
    _exit(CS_ERR_INTERNAL);
  }
  return PMPI_Abort(comm, CS_ERR_INTERNAL);
}
