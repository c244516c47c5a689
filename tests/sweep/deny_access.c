/* deny_access.c - an LD_PRELOAD shim for test_sweep.py (Sweep.test_an_error_
 * on_one_rank_stops_every_rank): on the MPI rank $DENY_RANK (Open MPI's
 * OMPI_COMM_WORLD_RANK), access() to a path that ends in $DENY_ACCESS_TARGET,
 * and fopen() of one that ends in $DENY_FOPEN_TARGET, fail with EACCES, as
 * if that rank's node could not read the sweep's base config. Every other
 * call is untouched. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Is path denied on this rank by the variable `var`? */
static int denied(const char *var, const char *path)
{
  const char *target = getenv(var), *on = getenv("DENY_RANK"), *rank = getenv("OMPI_COMM_WORLD_RANK");
  size_t nt = target ? strlen(target) : 0, n = strlen(path);
  return target && *target && on && rank && !strcmp(rank, on) && n >= nt && !strcmp(path + n - nt, target);
}

int access(const char *path, int mode)
{
  static int (*real_access)(const char *, int);
  if (!real_access) real_access = (int (*)(const char *, int))dlsym(RTLD_NEXT, "access");
  if (denied("DENY_ACCESS_TARGET", path)) {
    errno = EACCES;
    return -1;
  }
  return real_access(path, mode);
}

FILE *fopen(const char *path, const char *mode)
{
  static FILE *(*real_fopen)(const char *, const char *);
  if (!real_fopen) real_fopen = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, "fopen");
  if (denied("DENY_FOPEN_TARGET", path)) {
    errno = EACCES;
    return NULL;
  }
  return real_fopen(path, mode);
}
