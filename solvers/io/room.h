/* room.h - is there room on the disk for what is about to be written?
 *
 * Parallel HDF5 1.10 does not fail cleanly when the disk fills during a
 * collective flush or close: the rank whose write failed leaves the metadata
 * flush early while the others wait in its barrier, and the job hangs until
 * its time limit. So every flush of the output and every checkpoint or state
 * file first asks this: rank 0 reads the free space of the file's directory
 * (statvfs) and all ranks get the same answer, before any of them calls HDF5.
 * A quota that statvfs does not show is not caught this way. */
#ifndef CS_ROOM_H
#define CS_ROOM_H

#include <mpi.h>

/* Bytes an unprivileged user can still write in directory dir (statvfs);
 * -1 if unknown. */
double cs_free_bytes(const char *dir);

/* Margins for HDF5's metadata beyond the data written: CS_ROOM_MARGIN for a
 * flush that writes data or a new file's header (its parameters, config text
 * and dataset definitions); CS_ROOM_MARGIN_META for one that writes only a
 * few small items (the outcomes, /meta's attributes at the end of a run). */
#define CS_ROOM_MARGIN 1048576.0
#define CS_ROOM_MARGIN_META 262144.0

/* CS_OK if the directory of `path` has room for `bytes`, a quarter more and
 * `margin`; else CS_ERR_IO with the message "cannot write PATH: disk full
 * (N MB free in DIR, about M MB needed)". Collective over comm. */
int cs_room_for(const char *path, double bytes, double margin, MPI_Comm comm);

#endif
