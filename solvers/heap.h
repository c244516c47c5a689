/* heap.h - the process heap on transparent huge pages.
 *
 * A one-rank reference run (nz 48) spent a quarter of its 70 ms in page
 * faults: ~2,600 of them at ~6 us each on these virtual machines, about
 * 1,100 while malloc handed out fresh heap pages, most for HDF5's objects
 * (each dataset and attribute of the header allocates several). With the
 * heap's first 8 MiB backed by 2 MiB transparent huge pages, that is a few
 * faults instead of a thousand: whole process 77 -> 62 ms at nz 48, 148 ->
 * 133 ms at nz 768; the 1-D output cost +20 % -> +8 %
 * (docs/performance.md, thirteenth round). 16 MiB since the fourteenth
 * round: the nz 768 run's field buffers (3.5 MB) lay past the first 8 MiB
 * (1,000 faults more).
 *
 * cs_heap_prepare grows the heap by 16 MiB in one allocation (so that only
 * its first and last pages are touched) and frees it, and asks the kernel
 * for huge pages on the 2 MiB-aligned part (madvise MADV_HUGEPAGE): the
 * later allocations of MPI, HDF5, SUNDIALS and cartsim take their memory
 * from there. This is what glibc does itself with GLIBC_TUNABLES=
 * glibc.malloc.hugetlb=1, which can only be set before a process starts.
 * Only a kernel whose transparent_hugepage setting is "madvise" changes
 * anything ("always" gives huge pages anyway, "never" none, and madvise
 * just fails where unsupported). The mallopt settings it needs stop
 * glibc's dynamic mmap threshold; they are set to that threshold's own
 * limits (32 MiB, trim at 64 MiB), where it ends after the first large
 * block is freed. CARTSIM_HUGEPAGES=0 leaves the heap alone (1 or unset: the
 * above; any other value is refused, exit 4).
 */
#ifndef CS_HEAP_H
#define CS_HEAP_H

#include <stddef.h>

/* First thing in main, before MPI_Init. Best effort (nothing fails if the
 * kernel declines); CS_ERR_IO with the message set only for a
 * CARTSIM_HUGEPAGES other than 0 or 1. */
int cs_heap_prepare(void);

/* Keep up to `bytes` of free memory at the top of the heap rather than
 * give it back to the kernel (glibc's M_TRIM_THRESHOLD), never less than
 * an earlier call asked for: cs_heap_prepare asks for 64 MiB, and a lower
 * request later (the HDF5 writer's 16 MiB, solvers/io/h5out.c) used to
 * trim the marked memory away at the next large free. */
void cs_heap_keep_top(size_t bytes);

#endif
