#include "room.h"

#include <math.h>
#include <stdio.h>
#include <sys/statvfs.h>

#include "../error.h"
#include "path.h"

double cs_free_bytes(const char *dir)
{
  struct statvfs vfs;
  return statvfs(dir, &vfs) == 0 ? (double)vfs.f_bavail * (double)vfs.f_frsize : -1.0;
}

int cs_room_for(const char *path, double bytes, double margin, MPI_Comm comm)
{
  int rank;
  MPI_Comm_rank(comm, &rank);
  const double need = bytes * 1.25 + margin;
  double free_bytes = -1.0; /* unknown: not checked */
  char dir[4096];
  cs_path_dir(path, dir, sizeof dir);
  if (rank == 0) free_bytes = cs_free_bytes(dir);
  CS_CHECK_MPI(MPI_Bcast(&free_bytes, 1, MPI_DOUBLE, 0, comm));
  if (free_bytes >= 0.0 && free_bytes < need) {
    /* as many decimals as tell the two apart ("1.0 MB free, about 1.0 MB needed" read as a contradiction) */
    int dec = 1;
    while (dec < 3 && round(free_bytes / 1048576.0 * pow(10, dec)) >= round(need / 1048576.0 * pow(10, dec))) ++dec;
    CS_FAIL(CS_ERR_IO, "cannot write %s: disk full (%.*f MB free in %s, about %.*f MB needed)", path, dec,
            free_bytes / 1048576.0, dir, dec, need / 1048576.0);
  }
  return CS_OK;
}
