/* test_h5out_restart.c - the writer's restart path: reopen, truncate, append.
 *
 * Usage: mpirun -n R test_h5out_restart OUT.h5 [COMPRESS]
 *
 * What `cartsim run --restart` does to the output of a killed run: the file
 * holds 10 steps (series and fields), the newest checkpoint counted 7; the
 * file is reopened, every series and the fields are cut back to 7, and the
 * continued run appends steps 7.. in two flushes. Every value must read
 * back as the continued run wrote it.
 *
 * This catches a real failure (CI, reliability_restart): shrinking a chunked
 * dataset makes HDF5 fill the cut-off part of the partial chunk in its chunk
 * cache; under MPI-IO the appends that follow bypass that cache, and the
 * stale chunk reached the disk at the next flush, zeroing the first appended
 * steps. Plain field chunks hold several snapshots (FIELDS_CHUNK_BYTES), so
 * the cut leaves a partial field chunk too; with COMPRESS > 0 (8192 cells)
 * each deflated chunk holds one snapshot and the cut drops whole chunks.
 */
#define _POSIX_C_SOURCE 200809L

#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../model/grid.h"
#include "../../solvers/error.h"
#include "../../solvers/io/h5out.h"

static int rank, fails;

#include "io_expect.h"

/* A cs call that must succeed; aborts every rank (the steps are collective). */
#define MUST(call)                                                                            \
  do {                                                                                        \
    int rc_ = (call);                                                                         \
    if (rc_ != CS_OK) {                                                                       \
      fprintf(stderr, "rank %d: FAIL %s:%d: %s -> %d: %s\n", rank, __FILE__, __LINE__, #call, \
              rc_, cs_error_message());                                                       \
      MPI_Abort(MPI_COMM_WORLD, 1);                                                           \
    }                                                                                         \
  } while (0)

/* Cells: 6 plain; with COMPRESS, 8192 (64 kB snapshots), since smaller
 * field snapshots are stored plain whatever the level (h5out_fields.c). */
enum { NQ = 2, KILLED = 10, CKPT = 7, TOTAL = 12 };
static int nz = 6;

static const cs_h5_quantity series_q[NQ] = {{"time", "day", "simulated time"}, {"x", "1", "a value"}};
static const cs_h5_quantity field_q[1] = {{"a", "1", "a field"}};

/* Value of step n: `run` 0 is the killed run, 1 the continued one. */
static double series_value(int q, int n, int run) { return 1 + q * 100 + n + 1000 * run; }
static double field_value(int k, int n, int run) { return 1 + k + 10 * n + 1000 * run; }

static void append_steps(cs_h5out *h, int s, const cs_patch *pt, int from, int to, int run, int flush_every)
{
  double *u = malloc(sizeof *u * (size_t)nz);
  for (int n = from; n < to; ++n) {
    double v[NQ];
    for (int q = 0; q < NQ; ++q) v[q] = series_value(q, n, run);
    MUST(cs_h5out_series_append(h, s, v));
    for (int k = 0; k < pt->n[0]; ++k) u[k] = field_value(k + pt->off[0], n, run);
    MUST(cs_h5out_fields_append(h, series_value(0, n, run), u, pt));
    if ((n - from + 1) % flush_every == 0) MUST(cs_h5out_flush(h));
  }
  free(u);
}

static void read_back(const char *path)
{
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT(f >= 0, "cannot open %s", path);
  if (f < 0) return;
  for (int q = 0; q < NQ; ++q) {
    char name[64];
    snprintf(name, sizeof name, "/timeseries/%s", series_q[q].name);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT), sp = H5Dget_space(d);
    hsize_t n = 0;
    H5Sget_simple_extent_dims(sp, &n, NULL);
    EXPECT(n == TOTAL, "%s holds %llu steps, expected %d", name, (unsigned long long)n, TOTAL);
    double v[64] = {0};
    if (n <= 64) H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    for (int i = 0; i < TOTAL && i < (int)n; ++i) {
      double want = series_value(q, i, i >= CKPT);
      EXPECT(v[i] == want, "%s[%d] = %g, expected %g", name, i, v[i], want);
    }
    H5Sclose(sp);
    H5Dclose(d);
  }
  hid_t d = H5Dopen2(f, "/fields/a", H5P_DEFAULT), sp = H5Dget_space(d);
  hsize_t dims[2] = {0, 0};
  H5Sget_simple_extent_dims(sp, dims, NULL);
  EXPECT(dims[0] == TOTAL && dims[1] == (hsize_t)nz, "/fields/a is %llu x %llu", (unsigned long long)dims[0],
         (unsigned long long)dims[1]);
  if (dims[0] == TOTAL && dims[1] == (hsize_t)nz) {
    double *v = malloc(sizeof *v * TOTAL * (size_t)nz);
    H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    int bad = 0;
    for (int i = 0; i < TOTAL; ++i)
      for (int k = 0; k < nz; ++k)
        if (v[i * nz + k] != field_value(k, i, i >= CKPT) && bad++ < 5)
          EXPECT(0, "/fields/a[%d][%d] = %g, expected %g", i, k, v[i * nz + k], field_value(k, i, i >= CKPT));
    EXPECT(bad == 0, "/fields/a: %d wrong values", bad);
    free(v);
  }
  H5Sclose(sp);
  H5Dclose(d);
  H5Fclose(f);
}

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (argc != 2 && argc != 3) {
    if (rank == 0) fprintf(stderr, "usage: test_h5out_restart OUT.h5 [COMPRESS]\n");
    MPI_Finalize();
    return 2;
  }
  const char *out = argv[1];
  const int compress = argc == 3 ? atoi(argv[2]) : 0;
  if (compress > 0) nz = 8192;
  if (rank == 0) unlink(out);
  MPI_Barrier(MPI_COMM_WORLD);

  cs_grid g = {.dim = 1, .nz = nz, .nx = 1, .ny = 1, .Lx = 1, .Ly = 1, .periodic = 0};
  cs_patch pt;
  cs_patch_whole(&g, 2.0, &pt);
  pt.n[0] = nz / size + (rank < nz % size);
  pt.off[0] = rank * (nz / size) + (rank < nz % size ? rank : nz % size);
  cs_patch_finish(&g, 2.0, &pt);

  /* the killed run: 10 steps flushed, the file never closed properly (status NULL keeps "running") */
  cs_h5out *h = NULL;
  int s;
  MUST(cs_h5out_create(out, MPI_COMM_WORLD, 0, &h));
  MUST(cs_h5out_series_define(h, "timeseries", series_q, NQ, 0, &s));
  MUST(cs_h5out_fields_define(h, field_q, 1, &pt, compress));
  MUST(cs_h5out_publish(h));
  append_steps(h, s, &pt, 0, KILLED, 0, 3);
  MUST(cs_h5out_flush(h));
  MUST(cs_h5out_close(h, NULL, NULL));

  /* the restart: back to the checkpoint's 7 steps, then 5 more in two flushes */
  MUST(cs_h5out_reopen(out, MPI_COMM_WORLD, &h));
  MUST(cs_h5out_series_define(h, "timeseries", series_q, NQ, 0, &s));
  MUST(cs_h5out_fields_define(h, field_q, 1, &pt, compress));
  MUST(cs_h5out_series_truncate(h, s, CKPT));
  MUST(cs_h5out_fields_truncate(h, CKPT));
  append_steps(h, s, &pt, CKPT, TOTAL, 1, 2);
  MUST(cs_h5out_close(h, "complete", "reached t_end"));

  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) read_back(out);
  MPI_Allreduce(MPI_IN_PLACE, &fails, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0) printf("%s: %d failure(s)\n", fails ? "FAIL" : "ok", fails);
  MPI_Finalize();
  return fails ? 1 : 0;
}
