#define _POSIX_C_SOURCE 200809L
#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../error.h"

void cs_path_dir(const char *path, char *dir, size_t n)
{
  const char *slash = strrchr(path, '/');
  if (!slash) snprintf(dir, n, ".");
  else snprintf(dir, n, "%.*s", slash == path ? 1 : (int)(slash - path), path);
}

int cs_path_check_new(const char *path, int force, const char *probe, const char *where, int *existed, char *msg,
                      size_t len)
{
  char dir[4096];
  cs_path_dir(path, dir, sizeof dir);

  struct stat st, lst;
  if (stat(dir, &st) != 0) {
    snprintf(msg, len, "%s %.900s: %s", where, dir, strerror(errno));
    return CS_ERR_IO;
  }
  if (!S_ISDIR(st.st_mode)) {
    snprintf(msg, len, "%s %.900s: %s", where, dir, strerror(ENOTDIR));
    return CS_ERR_IO;
  }
  if (access(dir, W_OK | X_OK) != 0) {
    snprintf(msg, len, "%s %.900s is not writable: %s", where, dir, strerror(errno));
    return CS_ERR_IO;
  }
  *existed = lstat(path, &lst) == 0; /* a dangling symbolic link too */
  if (*existed) {
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
      snprintf(msg, len, "%.900s is a directory, not an output file", path);
      return CS_ERR_IO;
    }
    if (!force) {
      snprintf(msg, len, "%.900s exists (use --force to overwrite)", path);
      return CS_ERR_IO;
    }
    if (!S_ISREG(lst.st_mode) && !S_ISLNK(lst.st_mode)) { /* --force replaces an old result, not /dev/null */
      snprintf(msg, len, "%.900s is not a regular file: --force replaces only an earlier result", path);
      return CS_ERR_IO;
    }
  }
  unlink(probe); /* a leftover of a killed process (that had this one's pid) */
  int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0666);
  if (fd < 0 && errno == EEXIST) { /* not a file unlink() could remove: a directory */
    snprintf(msg, len, "cannot create %.400s: the new file's temporary name %.400s is taken", path, probe);
    return CS_ERR_IO;
  }
  if (fd < 0) {
    snprintf(msg, len, "cannot create %.400s in %s %.400s: %s", path, where, dir, strerror(errno));
    return CS_ERR_IO;
  }
  close(fd);
  return CS_OK;
}

int cs_path_check_new_all(MPI_Comm comm, const char *path, int force, const char *probe, const char *where,
                          int keep_probe, const char *what)
{
  int rank;
  CS_CHECK_MPI(MPI_Comm_rank(comm, &rank));
  struct {
    int code;
    char msg[1000];
  } v = {0, ""};
  if (rank == 0) {
    int existed;
    v.code = cs_path_check_new(path, force, probe, where, &existed, v.msg, sizeof v.msg);
    if (v.code == CS_OK && !keep_probe) unlink(probe);
  }
  CS_CHECK_MPI(MPI_Bcast(&v, (int)sizeof v, MPI_BYTE, 0, comm));
  if (v.code) CS_FAIL(v.code, "%s: %s", what, v.msg);
  return CS_OK;
}
