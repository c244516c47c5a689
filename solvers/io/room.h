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

/* CS_OK if the directory of `path` has room for `bytes` plus a margin (HDF5's
 * metadata: 1 MiB and a quarter of the data); else CS_ERR_IO with the message
 * "cannot write PATH: disk full (N MB free in DIR, about M MB needed)".
 * Collective over comm. */
int cs_room_for(const char *path, double bytes, MPI_Comm comm);

#endif
