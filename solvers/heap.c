#define _DEFAULT_SOURCE /* sbrk, madvise */
#include "heap.h"

#include "error.h"

#include <limits.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { RESERVE_MB = 16 };
#define HUGE_PAGE ((uintptr_t)2 << 20)

static size_t trim_threshold; /* what this file set M_TRIM_THRESHOLD to, 0 if not */

void cs_heap_keep_top(size_t bytes)
{
#ifdef __GLIBC__
  if (bytes > trim_threshold && bytes <= (size_t)INT_MAX && mallopt(M_TRIM_THRESHOLD, (int)bytes)) trim_threshold = bytes;
#else
  (void)bytes;
#endif
}

int cs_heap_prepare(void)
{
  const char *opt = getenv("CARTSIM_HUGEPAGES");
  if (opt && strcmp(opt, "0") && strcmp(opt, "1"))
    CS_FAIL(CS_ERR_IO, "environment variable CARTSIM_HUGEPAGES = '%s': expected 0 (leave the heap alone) or 1", opt);
  if (opt && !strcmp(opt, "0")) return CS_OK;
#if defined(MADV_HUGEPAGE) && !defined(__SANITIZE_ADDRESS__) /* AddressSanitizer's allocator: no heap */
  /* the settings below stop glibc's dynamic mmap threshold: set it where that
   * ends (DEFAULT_MMAP_THRESHOLD_MAX on 64-bit, trimming at twice that) */
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  cs_heap_keep_top((size_t)64 << 20);
  char *before = sbrk(0);
  /* one block: only its first and last pages are touched, the rest faults in
   * as huge pages once marked (volatile: the pair is not optimised away) */
  char *volatile block = malloc((size_t)RESERVE_MB << 20);
  if (!block) return CS_OK;
  block[0] = 0;
  free(block);
  char *after = sbrk(0);
  if (before == (char *)-1 || after == (char *)-1) return CS_OK;
  const uintptr_t lo = ((uintptr_t)before + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  const uintptr_t hi = (uintptr_t)after & ~(HUGE_PAGE - 1);
  if (hi > lo) madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#endif
  return CS_OK;
}
