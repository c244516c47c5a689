/* cs_heap_prepare (solvers/heap.h): the heap it grows is marked for
 * transparent huge pages (VmFlags "hg" in /proc/self/smaps), the process's
 * later allocations land there, and CARTSIM_HUGEPAGES=0 leaves the heap
 * alone. Whether the kernel then finds a free huge page is not checked (it
 * depends on the machine's memory); the speed is measured by the benchmark
 * (docs/performance.md). Skipped (77) where the kernel has no transparent
 * huge pages or they are switched off, and under AddressSanitizer. */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../solvers/error.h"
#include "../../solvers/heap.h"
#include "../unit/check.h"

/* The mapping of /proc/self/smaps that holds address p: 1 if marked "hg",
 * 0 if not, -1 if no mapping holds it. */
static int marked(const void *p)
{
  FILE *f = fopen("/proc/self/smaps", "r");
  if (!f) return -1;
  char line[512];
  int inside = 0, result = -1;
  while (fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) { /* a mapping's first line */
      inside = (uintptr_t)p >= lo && (uintptr_t)p < hi;
      continue;
    }
    if (inside && !strncmp(line, "VmFlags:", 8)) {
      result = strstr(line, " hg") != NULL;
      break;
    }
  }
  fclose(f);
  return result;
}

int main(void)
{
#ifdef __SANITIZE_ADDRESS__
  printf("AddressSanitizer's allocator has no heap to prepare: skipped\n");
  return 77;
#endif
  FILE *thp = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  char mode[128] = "";
  if (!thp || !fgets(mode, sizeof mode, thp) || strstr(mode, "[never]")) {
    printf("no transparent huge pages here (%s): skipped\n", mode[0] ? mode : "no setting");
    return 77;
  }
  fclose(thp);

  setenv("CARTSIM_HUGEPAGES", "yes", 1);
  CHECK(cs_heap_prepare() == CS_ERR_IO && strstr(cs_error_message(), "CARTSIM_HUGEPAGES = 'yes'"),
        "a value other than 0 or 1 is refused, naming it: %s", cs_error_message());
  cs_error_clear();
  setenv("CARTSIM_HUGEPAGES", "0", 1);
  CHECK(cs_heap_prepare() == CS_OK, "CARTSIM_HUGEPAGES=0 is accepted");
  char *volatile before = malloc(100000);
  before[0] = 1;
  CHECK(marked(before) == 0, "CARTSIM_HUGEPAGES=0: the heap was marked all the same (%d)", marked(before));

  unsetenv("CARTSIM_HUGEPAGES");
  CHECK(cs_heap_prepare() == CS_OK, "unset: prepared");
  /* the allocations that follow, as MPI's and HDF5's: those past the first
   * 2.4 MB (the first huge-page boundary, plus what the heap had free) lie
   * in marked memory */
  int hits = 0, late_misses = 0;
  for (int i = 0; i < 40; ++i) {
    char *volatile p = malloc(100000);
    p[0] = 1;
    const int m = marked(p) == 1;
    hits += m;
    if (i >= 24 && !m) ++late_misses;
  }
  printf("mode %s: %d of 40 allocations of 100 kB on the marked heap\n", strtok(mode, "\n"), hits);
  CHECK(hits >= 16 && late_misses == 0,
        "%d of 40 allocations after cs_heap_prepare lie in memory marked for huge pages, %d past 2.4 MB do not",
        hits, late_misses);

  /* The HDF5 writer asks to keep 16 MiB of free heap top (h5out.c): that
   * must not lower the 64 MiB cs_heap_prepare set, or a large free trims
   * the marked memory away (the heap shrinks, its huge pages with it). */
  cs_heap_keep_top((size_t)16 << 20);
  char *volatile big = malloc((size_t)24 << 20); /* from the heap (below the 32 MiB mmap threshold) */
  big[0] = 1;
  char *top = sbrk(0);
  free(big);
  CHECK(sbrk(0) == top, "a later, lower cs_heap_keep_top let a free trim the heap by %td bytes", top - (char *)sbrk(0));
  return cs_test_report("test_heap");
}
