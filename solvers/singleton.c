#define _XOPEN_SOURCE 700
#include "singleton.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

static char private_dir[4096]; /* "" unless cs_singleton_prepare made one */

static int launched_by_mpi(void)
{
  static const char *launched[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"};
  for (size_t i = 0; i < sizeof launched / sizeof *launched; ++i)
    if (getenv(launched[i])) return 1;
  return 0;
}

#define PRIVATE_PREFIX "cartsim-mpi-"
#define LOCK_NAME "cartsim.lock"

static int lock_fd = -1; /* LOCK_NAME in private_dir, flock'ed while this process lives */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

/* Each private directory holds LOCK_NAME, flock'ed by its cartsim for its
 * whole life: the kernel drops the lock when the process ends, SIGKILL
 * included, whatever its pid namespace. A singleton killed before its
 * cleanup left its directory behind (one per killed job); the next one
 * started under the same parent removes those whose lock it can take.
 * Directories without the lock file (older versions, or one being made)
 * and other users' are left alone. */
static void remove_stale(const char *parent)
{
  DIR *d = opendir(parent);
  if (!d) return;
  const struct dirent *e;
  while ((e = readdir(d))) {
    if (strncmp(e->d_name, PRIVATE_PREFIX, strlen(PRIVATE_PREFIX)) != 0) continue;
    char dir[4096], lock[4096 + sizeof LOCK_NAME + 1];
    if (snprintf(dir, sizeof dir, "%s/%s", parent, e->d_name) >= (int)sizeof dir) continue;
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) continue;
    snprintf(lock, sizeof lock, "%s/%s", dir, LOCK_NAME);
    int fd = open(lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    close(fd);
  }
  closedir(d);
}

/* Take private_dir's lock: created under another name, locked, then
 * renamed, so a cleaner that opens LOCK_NAME always finds it locked. Best
 * effort: where flock is not supported the directory just has no lock
 * (it is then never taken for a dead one's). */
static void lock_private(void)
{
  char tmp[sizeof private_dir + 32], lock[sizeof private_dir + 32];
  snprintf(tmp, sizeof tmp, "%s/.%s", private_dir, LOCK_NAME);
  snprintf(lock, sizeof lock, "%s/%s", private_dir, LOCK_NAME);
  lock_fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (lock_fd >= 0 && flock(lock_fd, LOCK_EX | LOCK_NB) == 0 && rename(tmp, lock) == 0) return;
  if (lock_fd >= 0) close(lock_fd);
  lock_fd = -1;
  remove(tmp);
}

/* private_dir = a new directory under `parent`; 1 on success (errno set otherwise). */
static int make_private(const char *parent)
{
  /* the six X are mkdtemp's template, replaced by random characters */
  if (snprintf(private_dir, sizeof private_dir, "%s/" PRIVATE_PREFIX "XXXXXX", parent) >= (int)sizeof private_dir) {
    errno = ENAMETOOLONG;
  } else if (mkdtemp(private_dir)) {
    lock_private();
    return 1;
  }
  private_dir[0] = '\0';
  return 0;
}

/* What a one-process run sets unless the user did (setenv without
 * overwriting); docs/performance.md has the measurements. */
static const char *const singleton_defaults[][2] = {
    /* no launcher, no network: MPI start-up 0.4 s -> ~0.05 s */
    {"OMPI_MCA_ess_singleton_isolated", "1"},
    {"OMPI_MCA_pml", "ob1"},
    {"OMPI_MCA_btl", "self"},
    /* One process needs no collective algorithms for many ranks, and its
     * topology needs the cores only: hwloc's plugins pulled in OpenCL, X11,
     * libxml2 and ICU, and its Linux backend read every PCI device's
     * configuration. Together 20 ms of a 0.12 s run. */
    {"OMPI_MCA_coll", "self,basic,libnbc"},
    {"HWLOC_PLUGINS_BLACKLIST", "hwloc_opencl,hwloc_gl,hwloc_xml_libxml,hwloc_pci"},
    {"HWLOC_COMPONENTS", "-linux:pci,-linux:io"},
    /* Open MPI loads every component of a framework to ask which to use:
     * 36 shared objects for one process. Naming the one a singleton ends up
     * with (or, for one-sided communication and the AVX reductions, which
     * cartsim does not use, the smallest) loads 19 (18 with topo): ~2-4 ms of loading,
     * relocating and unloading (fourteenth round). The launcher-facing
     * frameworks (ess, pmix, schizo: Slurm detection) keep their own choice. */
    {"OMPI_MCA_state", "app"},
    {"OMPI_MCA_errmgr", "default_app"},
    {"OMPI_MCA_shmem", "mmap"},
    {"OMPI_MCA_reachable", "weighted"},
    {"OMPI_MCA_osc", "sm"},
    {"OMPI_MCA_op", "^avx"},
    /* MPI_Cart_create opens the topology framework: treematch (and its
     * library) is for mapping many ranks onto a machine: ~0.5 ms */
    {"OMPI_MCA_topo", "basic"},
};

int cs_singleton_prepare(void)
{
  if (launched_by_mpi()) return CS_OK;
  for (size_t i = 0; i < sizeof singleton_defaults / sizeof *singleton_defaults; ++i)
    setenv(singleton_defaults[i][0], singleton_defaults[i][1], 0);
  if (getenv("OMPI_MCA_orte_tmpdir_base")) return CS_OK;
  const char *tmp = getenv("TMPDIR");
  if (!tmp || !*tmp) tmp = "/tmp";
  remove_stale(tmp);
  /* Open MPI would put its session files in $TMPDIR too and fail there
   * with pages of messages: a TMPDIR that cannot take a directory (read
   * only, full, a file) falls back to /tmp */
  if (!make_private(tmp)) {
    int err = errno;
    if (strcmp(tmp, "/tmp")) remove_stale("/tmp");
    if (!strcmp(tmp, "/tmp") || !make_private("/tmp"))
      return cs_error_set(CS_ERR_IO, "cannot create a directory for Open MPI's session files in %s: %s%s; set TMPDIR "
                          "to a writable directory", tmp, strerror(err), strcmp(tmp, "/tmp") ? " (nor in /tmp)" : "");
  }
  setenv("OMPI_MCA_orte_tmpdir_base", private_dir, 1);
  return CS_OK;
}

void cs_singleton_cleanup(void)
{
  if (!private_dir[0]) return;
  /* Open MPI removes its session files at MPI_Finalize; this removes the
   * directory and whatever an aborted run left in it */
  nftw(private_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  private_dir[0] = '\0';
  if (lock_fd >= 0) close(lock_fd);
  lock_fd = -1;
}
