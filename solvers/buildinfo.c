#define _POSIX_C_SOURCE 200809L
#include "buildinfo.h"

#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sundials/sundials_version.h>

#include "../model/cpu_clones.h"
#include "cs_version.h"

const char *cs_version(void) { return CS_VERSION; }
const char *cs_git_sha(void) { return CS_GIT_SHA; }

/* out of line: this file is built with CS_CPU_CLONES_ON, main.c is not */
const char *cs_cpu_clones(void) { return cs_cpu_clones_taken(); }

void cs_sundials_version(char *buf, size_t n)
{
  char v[64] = "";
  SUNDIALSGetVersion(v, sizeof v);
  snprintf(buf, n, "%s", v);
}

void cs_hdf5_version(char *buf, size_t n)
{
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  snprintf(buf, n, "%u.%u.%u", maj, min, rel);
}

void cs_mpi_version(char *buf, size_t n)
{
  char lib[MPI_MAX_LIBRARY_VERSION_STRING] = "";
  int len = 0;
  MPI_Get_library_version(lib, &len);
  char *nl = strchr(lib, '\n');
  if (nl) *nl = '\0';
  char *comma = strchr(lib, ',');
  if (comma) *comma = '\0';
  snprintf(buf, n, "%s", lib);
}

void cs_utc_now(char *buf, size_t n)
{
  time_t now = time(NULL);
  struct tm tmv;
  gmtime_r(&now, &tmv);
  strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tmv);
}
