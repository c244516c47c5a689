/* io_expect.h - the check macro of the MPI writer tests (test_h5out.c,
 * test_h5out_restart.c). The including file defines `static int rank,
 * fails;` first: EXPECT reports a failed condition with the rank and the
 * source line and counts it; main() turns `fails` into the exit status. */
#ifndef CS_IO_EXPECT_H
#define CS_IO_EXPECT_H

#include <stdio.h>

#define EXPECT(cond, ...)                                                 \
  do {                                                                    \
    if (!(cond)) {                                                        \
      fprintf(stderr, "rank %d: FAIL %s:%d: ", rank, __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                                       \
      fputc('\n', stderr);                                                \
      ++fails;                                                            \
    }                                                                     \
  } while (0)

#endif
