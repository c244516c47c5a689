#define _XOPEN_SOURCE 700
#include "singleton.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static char private_dir[4096]; /* "" unless cs_singleton_prepare made one */

static int launched_by_mpi(void)
{
  static const char *launched[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"};
  for (size_t i = 0; i < sizeof launched / sizeof *launched; ++i)
    if (getenv(launched[i])) return 1;
  return 0;
}

/* private_dir = a new directory under `parent`; 1 on success (errno set otherwise). */
static int make_private(const char *parent)
{
  /* the six X are mkdtemp's template, replaced by random characters */
  if (snprintf(private_dir, sizeof private_dir, "%s/cartsim-mpi-XXXXXX", parent) >= (int)sizeof private_dir) {
    errno = ENAMETOOLONG;
  } else if (mkdtemp(private_dir)) {
    return 1;
  }
  private_dir[0] = '\0';
  return 0;
}

int cs_singleton_prepare(void)
{
  if (launched_by_mpi()) return CS_OK;
  setenv("OMPI_MCA_ess_singleton_isolated", "1", 0);
  setenv("OMPI_MCA_pml", "ob1", 0);
  setenv("OMPI_MCA_btl", "self", 0);
  if (getenv("OMPI_MCA_orte_tmpdir_base")) return CS_OK;
  const char *tmp = getenv("TMPDIR");
  if (!tmp || !*tmp) tmp = "/tmp";
  /* Open MPI would put its session files in $TMPDIR too and fail there
   * with pages of messages: a TMPDIR that cannot take a directory (read
   * only, full, a file) falls back to /tmp */
  if (!make_private(tmp)) {
    int err = errno;
    if (!strcmp(tmp, "/tmp") || !make_private("/tmp"))
      return cs_error_set(CS_ERR_IO, "cannot create a directory for Open MPI's session files in %s: %s%s; set TMPDIR "
                          "to a writable directory", tmp, strerror(err), strcmp(tmp, "/tmp") ? " (nor in /tmp)" : "");
  }
  setenv("OMPI_MCA_orte_tmpdir_base", private_dir, 1);
  return CS_OK;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

void cs_singleton_cleanup(void)
{
  if (!private_dir[0]) return;
  /* Open MPI removes its session files at MPI_Finalize; this removes the
   * directory and whatever an aborted run left in it */
  nftw(private_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  private_dir[0] = '\0';
}
