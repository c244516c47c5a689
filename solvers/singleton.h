/* singleton.h - the environment of a cartsim started without mpirun/srun.
 *
 * Such a cartsim is an MPI singleton. Unless the user set them, it runs
 * Open MPI isolated with the self transport only (no helper daemon, no
 * network probing: MPI_Init 0.4 s -> ~0.05 s, docs/performance.md), with
 * the collectives for one rank only and hwloc without its GPU, PCI, I/O
 * and libxml2 discovery (another 20 ms of every start), and
 * in a session directory of its own: isolated singletons all use job
 * family 0, so concurrent ones (the explorer, `xargs -P 8 cartsim run`)
 * shared <tmp>/ompi.HOST.UID/jf.0/1 and raced on creating and removing
 * it (~1.5 % of runs failed in MPI_Init at 8 at a time).
 * Other MPI implementations ignore these variables.
 */
#ifndef CARTSIM_SINGLETON_H
#define CARTSIM_SINGLETON_H

/* Before MPI_Init: set the variables for a singleton (nothing when launched
 * by mpirun/srun), creating a private directory for Open MPI's session
 * files under $TMPDIR (or /tmp; /tmp also when $TMPDIR cannot take it)
 * unless OMPI_MCA_orte_tmpdir_base is set. CS_ERR_IO (message set) when
 * neither can: Open MPI would fail in MPI_Init with pages of messages.
 * The directory holds a lock file held while the process lives; the
 * directories of killed singletons (lock free) found there are removed. */
int cs_singleton_prepare(void);

/* After MPI_Finalize (or before _exit): remove that directory. */
void cs_singleton_cleanup(void);

#endif
