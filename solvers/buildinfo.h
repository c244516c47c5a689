/* buildinfo.h - versions of cartsim and of the libraries it runs with. */
#ifndef CS_BUILDINFO_H
#define CS_BUILDINFO_H

#include <stddef.h>

const char *cs_version(void);   /* "0.1.0" */
const char *cs_git_sha(void);   /* short SHA, "-dirty" if built from a modified tree */
/* The CPU clones of the hot loops this process runs
 * (model/cpu_clones.h, cs_cpu_clones_taken). */
const char *cs_cpu_clones(void);
void cs_sundials_version(char *buf, size_t n);
void cs_hdf5_version(char *buf, size_t n);
void cs_mpi_version(char *buf, size_t n);
/* The current time, ISO 8601 UTC ("2026-11-24T12:00:00Z"). */
void cs_utc_now(char *buf, size_t n);

#endif
