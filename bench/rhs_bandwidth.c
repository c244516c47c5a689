/* rhs_bandwidth.c - right-hand-side evaluations per second on a 2-D grid
 * that does not fit in cache, as bytes moved per second, against a plain
 * copy of the same bytes measured in the same process.
 *
 * Bytes counted per RHS evaluation: the state read once and the derivative
 * written once, 2 x CS_NS x 8 bytes per cell (the minimum any
 * implementation must move). One patch with walls all round: no halo. The copy is
 * counted the same way, so the ratio is the time of a copy over the time of
 * an evaluation. Built and run by bench/run_benchmarks.py, from this file
 * and every model source:
 *   cc -O3 -march=native -std=c11 -Imodel bench/rhs_bandwidth.c model/[each].c -lm
 *   ./rhs_bandwidth NZ NX REPEATS
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grid.h"
#include "transport.h"

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int main(int argc, char **argv)
{
  int nz = argc > 1 ? atoi(argv[1]) : 256, nx = argc > 2 ? atoi(argv[2]) : 2048;
  int reps = argc > 3 ? atoi(argv[3]) : 20;
  cs_params p;
  cs_opt_set_defaults(&cs_params_table, &p);
  cs_grid g = {2, nz, nx, 1, 10.0, 1.0, 0};
  cs_patch pt;
  cs_patch_whole(&g, p.H, &pt);
  size_t nc = (size_t)CS_NS * cs_patch_cells(&pt);
  double *u = malloc(nc * sizeof(double)), *du = malloc(nc * sizeof(double));
  double *src = malloc(nc * sizeof(double)), *dst = malloc(nc * sizeof(double));
  if (!u || !du || !src || !dst) return 1;
  for (size_t i = 0; i < nc; ++i) u[i] = 0.5 + 0.001 * (double)(i % 997);
  for (size_t i = 0; i < nc; ++i) src[i] = (double)i;
  double syn[CS_NSYNO] = {0.05, 6.0, 1e-4, 1e7, 1e6, 0, 0, 0, 0, 0};

  cs_patch_sums sums;
  cs_transport_rhs(&p, &pt, u, NULL, syn, du, &sums); /* warm up, touch the pages */
  memcpy(dst, src, nc * sizeof(double));
  double best_rhs = 1e30, best_copy = 1e30;
  for (int r = 0; r < reps; ++r) {
    double t0 = now();
    cs_transport_rhs(&p, &pt, u, NULL, syn, du, &sums);
    double t1 = now();
    memcpy(dst, src, nc * sizeof(double));
    double t2 = now();
    if (t1 - t0 < best_rhs) best_rhs = t1 - t0;
    if (t2 - t1 < best_copy) best_copy = t2 - t1;
  }
  double bytes = 2.0 * (double)nc * sizeof(double);
  printf("cells %d x %d = %zu, array %.1f MB\n", nz, nx, nc / CS_NS, nc * sizeof(double) / 1e6);
  printf("rhs_evals_per_second %.2f\n", 1.0 / best_rhs);
  printf("rhs_GBps %.3f\n", bytes / best_rhs / 1e9);
  printf("copy_GBps %.3f\n", bytes / best_copy / 1e9);
  printf("ratio %.3f\n", best_copy / best_rhs);
  printf("checksum %.6g\n", du[nc / 2] + sums.J[0] + dst[nc / 3]);
  free(u);
  free(du);
  free(src);
  free(dst);
  return 0;
}
