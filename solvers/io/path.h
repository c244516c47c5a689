/* path.h - file paths of the files a run writes (output, checkpoints, saved
 * states): the directory part of a path, for checks and messages ("." for a
 * bare name, "/" for a file in the root, else everything before the last
 * '/'), and the one check that a new file can be written under a name
 * (made on rank 0 of a communicator and shared: cs_path_check_new_all). */
#ifndef CS_PATH_H
#define CS_PATH_H

#include <mpi.h>
#include <stddef.h>

void cs_path_dir(const char *path, char *dir, size_t n);

/* May the run write a new file `path`? A local check (no MPI: rank 0 makes
 * it and shares the verdict): CS_OK, or CS_ERR_IO with a one-line message in
 * msg. Refuses a directory of `path` that is missing, not a directory or not
 * writable (named "<where> DIR" in the message, e.g. where = "output
 * directory"); an existing `path` that is a directory; one that exists
 * without `force`; with `force`, one that is not a regular file or a symbolic
 * link (--force replaces an earlier result, not a device node or a FIFO).
 * Then creates `probe`, a new name in the same directory (a leftover of that
 * name is removed first), empty: that the directory takes a new file of that
 * name is known only by creating one (access() says yes to root even where
 * creation fails, /proc; a name too long for the file system fails here, with
 * the system's reason). The probe stays: the caller writes into it or
 * removes it. *existed: whether `path` exists (a dangling link too). */
int cs_path_check_new(const char *path, int force, const char *probe, const char *where, int *existed, char *msg,
                      size_t len);

/* cs_path_check_new made by rank 0 of comm, its verdict on every rank:
 * CS_OK, or its code with "<what>: <reason>" recorded (cs_error_set). The
 * probe stays for the caller (keep_probe) or is removed. Collective. */
int cs_path_check_new_all(MPI_Comm comm, const char *path, int force, const char *probe, const char *where,
                          int keep_probe, const char *what);

#endif
