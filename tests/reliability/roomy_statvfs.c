/* roomy_statvfs.c - an LD_PRELOAD shim for disk_full.sh: statvfs reports
 * 1 TB free whatever the disk holds, so that cartsim's room check
 * (solvers/io/room.h) lets the run go on and the full disk is met by HDF5's
 * own writes, as with a quota statvfs does not show. That path must still end
 * with exit 4 and one line, the file not marked complete. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/statvfs.h>

int statvfs(const char *path, struct statvfs *buf)
{
  static int (*real_statvfs)(const char *, struct statvfs *);
  if (!real_statvfs) real_statvfs = (int (*)(const char *, struct statvfs *))dlsym(RTLD_NEXT, "statvfs");
  int rc = real_statvfs(path, buf);
  if (rc == 0 && buf->f_frsize > 0) buf->f_bavail = buf->f_bfree = (fsblkcnt_t)(1e12 / (double)buf->f_frsize);
  return rc;
}
