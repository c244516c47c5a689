/* test_h5out.c - round trip of the parallel HDF5 writer (solvers/io/h5out).
 *
 * Usage: mpirun -n R test_h5out OUT.h5
 *
 * Writes three files with every part of the layout and reads them back on
 * rank 0 with the serial API:
 *   OUT.h5       2-D grid (nz 5, nx 7) decomposed along x, deflate 4 asked;
 *   OUT_1d.h5    1-D grid (nz 9) decomposed along z, uncompressed;
 *   OUT_3d.h5    3-D grid (nz 3, nx 4, ny 3) decomposed along y (on 4 ranks
 *                one rank owns no cell), deflate 1 asked
 *   (snapshots this small are stored plain whatever the level: h5out_fields.c);
 * Field values are f(s, k, i, j) = s*1000 + k + 100 i + 10000 j (+ 1e6 per
 * snapshot) from GLOBAL indices, so every point is checked exactly, which
 * also checks the z-fastest -> x-fastest transpose.
 * OUT_big.h5: a 2-D grid (nz 40, nx 2400: 6.9 MB per snapshot) split along
 * x, deflated (level 1, one snapshot per chunk), five snapshots appended without a flush: the writer's
 * 16 MB buffer holds two, so snapshots 0-1 and 2-3 are written by the
 * appends that fill it and 4 at close; every value and time reads back.
 * A new file has its name only after cs_h5out_publish; one closed unpublished
 * is removed and leaves an older file of the name as it was.
 * Then: an existing file is refused without force (CS_ERR_IO, "--force"),
 * accepted with force; a missing or unwritable directory gives CS_ERR_IO;
 * no HDF5 id is left open. Exit status 0 only if every check passed.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../model/grid.h"
#include "../../model/params.h"
#include "../../model/species.h"
#include "../../solvers/error.h"
#include "../../solvers/io/h5out.h"
#include "../../solvers/io/h5out_internal.h" /* the writer's dataset handles, for their access lists */
#include "../../solvers/run_options.h"

static int rank, size, fails;

#include "io_expect.h"

/* A cs call that must succeed; stops the test case on failure. */
#define MUST(expr)                                                                         \
  do {                                                                                     \
    int rc_ = (expr);                                                                      \
    if (rc_ != 0) {                                                                        \
      fprintf(stderr, "rank %d: FAIL %s:%d: %s -> %d: %s\n%s", rank, __FILE__, __LINE__, #expr, \
              rc_, cs_error_message(), cs_error_backtrace());                              \
      ++fails;                                                                             \
      return 1;                                                                            \
    }                                                                                      \
  } while (0)

static double fval(int s, int k, int i, int j, int snap)
{
  return s * 1000.0 + k + 100.0 * i + 10000.0 * j + 1e6 * snap;
}

static const double series_time[3] = {0, 5, 10};
enum { BIG_SNAPS = 5 };

/* Outcomes written and expected. */
static const cs_h5_quantity outcome_q[] = {
  {"thickness_loss_pct", "%", "loss of cartilage thickness at the end of the run"},
  {"thickness_loss_mm", "mm", "loss of cartilage thickness at the end of the run"},
  {"years_to_c80", "year", "time until mean collagen falls to 0.8"},
  {"synovitis_auc", "day", "time integral of synovitis"},
  {"msc_retained_30d", "cells", "MSCs in the joint 30 days after injection"},
};
static const double outcome_v[] = {12.5, 0.3, 7.25, 40.0, 1.5e5};

/* Split N cells over `size` ranks; this rank's count and offset. */
static void split(int N, int *n, int *off)
{
  int base = N / size, rem = N % size;
  *n = base + (rank < rem);
  *off = rank * base + (rank < rem ? rank : rem);
}

static void make_patch(const cs_grid *g, double H, int split_dir, cs_patch *pt)
{
  cs_patch_whole(g, H, pt);
  split(pt->N[split_dir], &pt->n[split_dir], &pt->off[split_dir]);
  pt->wall_lo[split_dir] = pt->off[split_dir] == 0;
  pt->wall_hi[split_dir] = pt->off[split_dir] + pt->n[split_dir] == pt->N[split_dir];
  cs_patch_finish(g, H, pt);
}

/* ---------------------------------------------------------------- write */

/* Bytes of HDF5's chunk cache on dataset d (-1 if unreadable). */
static double chunk_cache_bytes(hid_t d)
{
  size_t slots = 0, bytes = 0;
  double w0 = 0;
  hid_t dapl = H5Dget_access_plist(d);
  herr_t e = dapl < 0 ? -1 : H5Pget_chunk_cache(dapl, &slots, &bytes, &w0);
  if (dapl >= 0) H5Pclose(dapl);
  return e < 0 ? -1.0 : (double)bytes;
}

/* Every series and field dataset the writer holds is used without a chunk
 * cache (h5out.c, cs_h5o_access_nocache: through the cache HDF5 read each
 * plain chunk back before writing it). */
static void check_no_chunk_cache(const cs_h5out *h)
{
  int n = 0;
  for (int s = 0; s < h->nseries; ++s)
    for (int q = 0; q < h->series[s].nq; ++q, ++n)
      EXPECT(chunk_cache_bytes(h->series[s].dset[q]) == 0.0, "/%s dataset %d: chunk cache of %g bytes",
             h->series[s].group, q, chunk_cache_bytes(h->series[s].dset[q]));
  for (int q = 0; q < h->nf; ++q, ++n)
    EXPECT(chunk_cache_bytes(h->fdset[q]) == 0.0, "field %d: chunk cache of %g bytes", q, chunk_cache_bytes(h->fdset[q]));
  EXPECT(chunk_cache_bytes(h->ftime) == 0.0, "/fields/time: chunk cache of %g bytes", chunk_cache_bytes(h->ftime));
  EXPECT(n == 5 + CS_NS, "%d series and field datasets checked", n);
}

static int write_file(const char *path, const cs_grid *g, int split_dir, int compress, int ntreat)
{
  const double H = 2.4;
  cs_patch pt;
  make_patch(g, H, split_dir, &pt);

  cs_h5out *h = NULL;
  MUST(cs_h5out_create(path, MPI_COMM_WORLD, 0, &h));
  MUST(cs_h5out_meta_string(h, "description", "h5out round-trip test"));
  MUST(cs_h5out_meta_string(h, "command_line", rank == 0 ? "test_h5out (rank 0)" : "other rank"));
  MUST(cs_h5out_meta_double(h, "wall_seconds", 1.25));
  MUST(cs_h5out_meta_int(h, "ranks", size));
  MUST(cs_h5out_config_text(h, "model:\n  H: 2.4\ngrid:\n  dim: 2\n"));

  cs_params p;
  cs_opt_set_defaults(&cs_params_table, &p);
  MUST(cs_h5out_parameters(h, &cs_params_table, &p));
  cs_solver_opts so;
  cs_opt_set_defaults(&cs_solver_table, &so);
  so.precond = CS_PC_JACOBI;
  MUST(cs_h5out_parameters(h, &cs_solver_table, &so));
  MUST(cs_h5out_parameters(h, &cs_grid_table, g));

  MUST(cs_h5out_grid(h, g, H));

  const cs_h5_quantity ts[] = {{"time", "day", "simulated time"},
                               {"N", "cells", "MSCs in the synovial fluid"},
                               {"mean_P", "ng/mL", "mean of P over the cartilage"}};
  const cs_h5_quantity sv[] = {{"steps", "1", "integrator steps"}, {"rhs_seconds", "s", "time in the RHS"}};
  int s_ts, s_sv;
  MUST(cs_h5out_series_define(h, "timeseries", ts, 3, 0, &s_ts));
  MUST(cs_h5out_series_define(h, "solver", sv, 2, 0, &s_sv));

  cs_h5_quantity fq[CS_NS];
  for (int s = 0; s < CS_NS; ++s)
    fq[s] = (cs_h5_quantity){cs_species_info[s].name, cs_species_info[s].unit, cs_species_info[s].long_name};
  MUST(cs_h5out_fields_define(h, fq, CS_NS, &pt, compress));
  check_no_chunk_cache(h);
  MUST(cs_h5out_flush(h));
  if (rank == 0) EXPECT(access(path, F_OK) != 0, "%s exists before cs_h5out_publish", path);
  MUST(cs_h5out_publish(h));
  MUST(cs_h5out_publish(h)); /* a second call changes nothing */
  if (rank == 0) EXPECT(access(path, F_OK) == 0, "%s does not exist after cs_h5out_publish", path);

  int ncell = cs_patch_cells(&pt);
  double *u = malloc(sizeof *u * (size_t)CS_NS * (size_t)(ncell ? ncell : 1));
  for (int step = 0; step < 3; ++step) {
    double v[3] = {series_time[step], 1000.0 + step, 0.25 * step};
    double w[2] = {10.0 * step, 0.5 * step};
    /* rank 0's values count: the others pass garbage or NULL */
    if (rank != 0) v[0] = v[1] = v[2] = -1;
    MUST(cs_h5out_series_append(h, s_ts, v));
    MUST(cs_h5out_series_append(h, s_sv, rank == 0 ? w : NULL));
    if (step < 2) {
      for (int j = 0; j < pt.n[2]; ++j)
        for (int i = 0; i < pt.n[1]; ++i)
          for (int k = 0; k < pt.n[0]; ++k)
            for (int s = 0; s < CS_NS; ++s)
              u[CS_IDX(s, cs_cell(&pt, k, i, j))] =
                fval(s, k + pt.off[0], i + pt.off[1], j + pt.off[2], step);
      MUST(cs_h5out_fields_append(h, 30.0 * step, u, &pt));
    }
    MUST(cs_h5out_flush(h));
  }
  free(u);

  MUST(cs_h5out_outcomes(h, outcome_q, rank == 0 ? outcome_v : NULL, 5));
  const char *types[] = {"msc", "il1ra"};
  const char *sources[] = {"adipose", "-"};
  const double day[] = {100, 200.5}, dose[] = {1e7, 2.0}, viab[] = {0.8, 1.0}, cells[] = {6.8e6, 0.0};
  const cs_h5_treatments rows = {types, sources, day, dose, viab, cells};
  MUST(cs_h5out_treatments(h, rank == 0 ? &rows : NULL, ntreat));
  EXPECT(cs_h5out_io_seconds(h) > 0, "io_seconds not counted");
  EXPECT(cs_h5out_open_ids() > 0, "cs_h5out_open_ids() does not see the open file");
  MUST(cs_h5out_close(h, "complete", "reached t_end"));
  return 0;
}

/* Snapshots larger than the writer's buffer share: written by the append
 * that fills it, not at a flush (the early write of cs_h5out_fields_append). */
static int write_big(const char *path, const cs_grid *g)
{
  cs_patch pt;
  make_patch(g, 2.4, 1, &pt);
  cs_h5out *h = NULL;
  MUST(cs_h5out_create(path, MPI_COMM_WORLD, 0, &h));
  cs_h5_quantity fq[CS_NS];
  for (int s = 0; s < CS_NS; ++s)
    fq[s] = (cs_h5_quantity){cs_species_info[s].name, cs_species_info[s].unit, cs_species_info[s].long_name};
  MUST(cs_h5out_fields_define(h, fq, CS_NS, &pt, 1));
  MUST(cs_h5out_publish(h));
  int ncell = cs_patch_cells(&pt);
  double *u = malloc(sizeof *u * (size_t)CS_NS * (size_t)(ncell ? ncell : 1));
  for (int snap = 0; snap < BIG_SNAPS; ++snap) {
    for (int i = 0; i < pt.n[1]; ++i)
      for (int k = 0; k < pt.n[0]; ++k)
        for (int s = 0; s < CS_NS; ++s)
          u[CS_IDX(s, cs_cell(&pt, k, i, 0))] = fval(s, k + pt.off[0], i + pt.off[1], 0, snap);
    int rc = cs_h5out_fields_append(h, 7.0 * snap, u, &pt);
    if (rc) free(u);
    MUST(rc);
  }
  free(u);
  MUST(cs_h5out_close(h, "complete", ""));
  return 0;
}

/* ----------------------------------------------------------------- read */

static int exists(hid_t f, const char *path) { return H5Lexists(f, path, H5P_DEFAULT) > 0; }

/* String attribute (variable or fixed length) into buf. */
static int read_attr_string(hid_t obj, const char *name, char *buf, size_t len, int *is_vl)
{
  buf[0] = '\0';
  if (H5Aexists(obj, name) <= 0) return -1;
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT), t = H5Aget_type(a);
  int ok = H5Tget_class(t) == H5T_STRING;
  if (ok && H5Tis_variable_str(t) > 0) {
    *is_vl = 1;
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5Tget_cset(t));
    char *s = NULL;
    ok = H5Aread(a, mt, &s) >= 0;
    if (ok) snprintf(buf, len, "%s", s ? s : "");
    H5free_memory(s);
    H5Tclose(mt);
  } else if (ok) {
    *is_vl = 0;
    size_t n = H5Tget_size(t);
    char *s = calloc(n + 1, 1);
    ok = H5Aread(a, t, s) >= 0;
    snprintf(buf, len, "%s", s);
    free(s);
  }
  H5Tclose(t);
  H5Aclose(a);
  return ok ? 0 : -1;
}

static void expect_attr(hid_t f, const char *obj_path, const char *name, const char *want)
{
  char buf[1024];
  int vl = 0;
  hid_t o = H5Oopen(f, obj_path, H5P_DEFAULT);
  EXPECT(o >= 0, "cannot open %s", obj_path);
  if (o < 0) return;
  int rc = read_attr_string(o, name, buf, sizeof buf, &vl);
  EXPECT(rc == 0, "%s: no string attribute %s", obj_path, name);
  EXPECT(rc != 0 || vl, "%s@%s is not a variable-length string", obj_path, name);
  if (want) EXPECT(rc != 0 || strcmp(buf, want) == 0, "%s@%s = '%s', want '%s'", obj_path, name, buf, want);
  H5Oclose(o);
}

static double attr_num(hid_t f, const char *obj_path, const char *name)
{
  double v = NAN;
  hid_t o = H5Oopen(f, obj_path, H5P_DEFAULT);
  if (o < 0) return v;
  if (H5Aexists(o, name) > 0) {
    hid_t a = H5Aopen(o, name, H5P_DEFAULT);
    H5Aread(a, H5T_NATIVE_DOUBLE, &v);
    H5Aclose(a);
  }
  H5Oclose(o);
  return v;
}

/* Read a float64 dataset; checks rank and dims (dims[0] < 0: scalar). */
static double *read_doubles(hid_t f, const char *path, int ndims, const hsize_t *dims)
{
  hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
  EXPECT(d >= 0, "missing dataset %s", path);
  if (d < 0) return NULL;
  hid_t sp = H5Dget_space(d);
  int nd = H5Sget_simple_extent_ndims(sp);
  hsize_t got[8] = {0};
  H5Sget_simple_extent_dims(sp, got, NULL);
  int ok = nd == ndims;
  for (int i = 0; ok && i < nd; ++i) ok = got[i] == dims[i];
  EXPECT(ok, "%s: shape mismatch (rank %d, dims %llu %llu %llu %llu)", path, nd, (unsigned long long)got[0],
         (unsigned long long)got[1], (unsigned long long)got[2], (unsigned long long)got[3]);
  hid_t t = H5Dget_type(d);
  EXPECT(H5Tget_class(t) == H5T_FLOAT && H5Tget_size(t) == 8, "%s is not float64", path);
  H5Tclose(t);
  hssize_t n = H5Sget_simple_extent_npoints(sp);
  double *v = NULL;
  if (ok) {
    v = malloc(sizeof *v * (size_t)(n > 0 ? n : 1));
    if (n > 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
      EXPECT(0, "%s: read failed", path);
      free(v);
      v = NULL;
    }
  }
  H5Sclose(sp);
  H5Dclose(d);
  char full[256];
  snprintf(full, sizeof full, "%s", path);
  expect_attr(f, full, "units", NULL);
  expect_attr(f, full, "long_name", NULL);
  return v;
}

/* Read a fixed-length string dataset of n strings (n < 0: scalar). */
static char **read_strings(hid_t f, const char *path, long n)
{
  hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
  EXPECT(d >= 0, "missing dataset %s", path);
  if (d < 0) return NULL;
  hid_t sp = H5Dget_space(d), t = H5Dget_type(d);
  EXPECT(H5Tget_class(t) == H5T_STRING, "%s is not a string", path);
  EXPECT(H5Tget_cset(t) == H5T_CSET_UTF8, "%s is not UTF-8", path);
  long m = n < 0 ? 1 : n;
  EXPECT(n < 0 ? H5Sget_simple_extent_type(sp) == H5S_SCALAR : H5Sget_simple_extent_npoints(sp) == n,
         "%s: wrong shape", path);
  size_t w = H5Tget_size(t);
  char *buf = calloc((size_t)(m ? m : 1), w + 1);
  char **out = calloc((size_t)(m + 1), sizeof *out);
  if (m > 0) H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
  for (long i = 0; i < m; ++i) out[i] = strndup(buf + i * w, w);
  free(buf);
  H5Tclose(t);
  H5Sclose(sp);
  H5Dclose(d);
  expect_attr(f, path, "units", NULL);
  return out;
}

static void free_strings(char **s)
{
  for (int i = 0; s && s[i]; ++i) free(s[i]);
  free(s);
}

static void check_params(hid_t f, const cs_opt_table *t, const void *obj, const char *group)
{
  char path[256];
  for (int r = 0; r < t->n; ++r) {
    const cs_opt *o = &t->opts[r];
    snprintf(path, sizeof path, "%s/%s", group, o->name);
    if (o->type == CS_OPT_ENUM) {
      char **s = read_strings(f, path, -1);
      const char *want = cs_opt_choice_name(o, (int)cs_opt_get(o, obj));
      EXPECT(s && strcmp(s[0], want) == 0, "%s = '%s', want '%s'", path, s ? s[0] : "?", want);
      free_strings(s);
    } else {
      double *v = read_doubles(f, path, 0, NULL);
      EXPECT(v && *v == cs_opt_get(o, obj), "%s = %g, want %g", path, v ? *v : NAN, cs_opt_get(o, obj));
      free(v);
    }
    expect_attr(f, path, "units", o->unit);
    expect_attr(f, path, "long_name", o->help);
  }
}

/* /fields/time == times[0..nsnap) and every value of every species is
 * fval(s, k, i, j, snap) of its global indices, exactly. */
static void check_fields(hid_t f, const cs_grid *g, int nsnap, const double *times)
{
  hsize_t nt = (hsize_t)nsnap;
  double *ft = read_doubles(f, "/fields/time", 1, &nt);
  for (int snap = 0; ft && snap < nsnap; ++snap)
    EXPECT(ft[snap] == times[snap], "fields/time[%d] = %g, want %g", snap, ft[snap], times[snap]);
  free(ft);
  const int nz = g->nz, nx = g->dim >= 2 ? g->nx : 1, ny = g->dim >= 3 ? g->ny : 1;
  hsize_t dims[4] = {(hsize_t)nsnap, (hsize_t)nz, 0, 0};
  if (g->dim == 2) dims[2] = (hsize_t)nx;
  if (g->dim == 3) dims[2] = (hsize_t)ny, dims[3] = (hsize_t)nx;
  for (int s = 0; s < CS_NS; ++s) {
    char path[64];
    snprintf(path, sizeof path, "/fields/%s", cs_species_info[s].name);
    double *v = read_doubles(f, path, g->dim + 1, dims);
    expect_attr(f, path, "units", cs_species_info[s].unit);
    long bad = 0;
    for (int snap = 0; v && snap < nsnap; ++snap)
      for (int k = 0; k < nz; ++k)
        for (int j = 0; j < ny; ++j)
          for (int i = 0; i < nx; ++i) {
            double got = v[(((size_t)snap * nz + k) * ny + j) * nx + i], want = fval(s, k, i, j, snap);
            if (got != want && bad++ < 5)
              EXPECT(0, "%s[%d, k=%d, j=%d, i=%d] = %.17g, want %.17g", path, snap, k, j, i, got, want);
          }
    EXPECT(v && bad == 0, "%s: %ld wrong values", path, bad);
    free(v);
  }
}

static void check_file(const char *path, const cs_grid *g, int ntreat)
{
  const double H = 2.4;
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT(f >= 0, "cannot reopen %s", path);
  if (f < 0) return;

  /* /meta */
  expect_attr(f, "/meta", "status", "complete");
  expect_attr(f, "/meta", "status_reason", "reached t_end");
  expect_attr(f, "/meta", "description", "h5out round-trip test");
  expect_attr(f, "/meta", "command_line", "test_h5out (rank 0)");
  expect_attr(f, "/meta", "start_time", NULL);
  expect_attr(f, "/meta", "end_time", NULL);
  expect_attr(f, "/meta", "hdf5_version", NULL);
  EXPECT(attr_num(f, "/meta", "wall_seconds") == 1.25, "wall_seconds");
  EXPECT(attr_num(f, "/meta", "ranks") == size, "ranks");
  char **cfg = read_strings(f, "/meta/config", -1);
  EXPECT(cfg && strcmp(cfg[0], "model:\n  H: 2.4\ngrid:\n  dim: 2\n") == 0, "config text");
  free_strings(cfg);

  /* /parameters */
  cs_params p;
  cs_opt_set_defaults(&cs_params_table, &p);
  check_params(f, &cs_params_table, &p, "/parameters");
  cs_solver_opts so;
  cs_opt_set_defaults(&cs_solver_table, &so);
  so.precond = CS_PC_JACOBI;
  check_params(f, &cs_solver_table, &so, "/parameters/solver");
  check_params(f, &cs_grid_table, g, "/parameters/grid");
  expect_attr(f, "/parameters/solver/precond", "choices", "line, jacobi, none, pfmg, auto");

  /* /grid */
  const int N[3] = {g->nz, g->nx, g->ny};
  const double L[3] = {H, g->Lx, g->Ly};
  const char *axis[3] = {"/grid/z", "/grid/x", "/grid/y"};
  for (int d = 0; d < 3; ++d) {
    if (d >= g->dim) {
      EXPECT(!exists(f, axis[d]), "%s written for dim %d", axis[d], g->dim);
      continue;
    }
    hsize_t n = (hsize_t)N[d];
    double *c = read_doubles(f, axis[d], 1, &n);
    for (int k = 0; c && k < N[d]; ++k)
      EXPECT(fabs(c[k] - (k + 0.5) * L[d] / N[d]) < 1e-14, "%s[%d] = %g", axis[d], k, c[k]);
    free(c);
    expect_attr(f, axis[d], "units", "mm");
  }
  EXPECT(attr_num(f, "/grid", "dim") == g->dim, "grid dim");
  EXPECT(attr_num(f, "/grid", "nz") == g->nz && attr_num(f, "/grid", "nx") == g->nx &&
           attr_num(f, "/grid", "ny") == g->ny, "grid counts");
  EXPECT(attr_num(f, "/grid", "H") == H && attr_num(f, "/grid", "Lx") == g->Lx &&
           attr_num(f, "/grid", "Ly") == g->Ly, "grid lengths");

  /* /timeseries, /solver */
  hsize_t three = 3;
  double *t = read_doubles(f, "/timeseries/time", 1, &three);
  double *nn = read_doubles(f, "/timeseries/N", 1, &three);
  double *mp = read_doubles(f, "/timeseries/mean_P", 1, &three);
  double *st = read_doubles(f, "/solver/steps", 1, &three);
  double *rs = read_doubles(f, "/solver/rhs_seconds", 1, &three);
  for (int i = 0; i < 3; ++i) {
    EXPECT(t && t[i] == series_time[i], "time[%d]", i);
    EXPECT(nn && nn[i] == 1000.0 + i, "N[%d]", i);
    EXPECT(mp && mp[i] == 0.25 * i, "mean_P[%d]", i);
    EXPECT(st && st[i] == 10.0 * i, "steps[%d]", i);
    EXPECT(rs && rs[i] == 0.5 * i, "rhs_seconds[%d]", i);
  }
  free(t), free(nn), free(mp), free(st), free(rs);
  expect_attr(f, "/timeseries/time", "units", "day");
  expect_attr(f, "/timeseries/mean_P", "units", "ng/mL");

  /* /fields */
  const double times[2] = {0, 30};
  check_fields(f, g, 2, times);

  /* /outcomes */
  for (int i = 0; i < 5; ++i) {
    char path[64];
    snprintf(path, sizeof path, "/outcomes/%s", outcome_q[i].name);
    double *v = read_doubles(f, path, 0, NULL);
    EXPECT(v && *v == outcome_v[i], "%s", path);
    expect_attr(f, path, "units", outcome_q[i].units);
    free(v);
  }

  /* /treatments */
  hsize_t nt = (hsize_t)ntreat;
  char **ty = read_strings(f, "/treatments/type", ntreat);
  double *day = read_doubles(f, "/treatments/day", 1, &nt);
  double *dose = read_doubles(f, "/treatments/dose", 1, &nt);
  double *via = read_doubles(f, "/treatments/viability", 1, &nt);
  char **src = read_strings(f, "/treatments/source", ntreat);
  double *cells = read_doubles(f, "/treatments/cells", 1, &nt);
  expect_attr(f, "/treatments/cells", "units", "cells");
  if (ntreat == 2) {
    EXPECT(src && strcmp(src[0], "adipose") == 0 && strcmp(src[1], "-") == 0, "treatment sources");
    EXPECT(cells && cells[0] == 6.8e6 && cells[1] == 0.0, "treatment viable cells");
    EXPECT(ty && strcmp(ty[0], "msc") == 0 && strcmp(ty[1], "il1ra") == 0, "treatment types");
    EXPECT(day && day[0] == 100 && day[1] == 200.5, "treatment days");
    EXPECT(dose && dose[0] == 1e7 && dose[1] == 2.0, "treatment doses");
    EXPECT(via && via[0] == 0.8 && via[1] == 1.0, "treatment viability");
  }
  free_strings(ty), free(day), free(dose), free(via), free_strings(src), free(cells);

  EXPECT(H5Fget_obj_count(f, H5F_OBJ_ALL) == 1, "reader left objects open");
  H5Fclose(f);
}

/* ------------------------------------------------------------- failures */

static void check_big(const char *path, const cs_grid *g)
{
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT(f >= 0, "cannot open %s", path);
  if (f < 0) return;
  double times[BIG_SNAPS];
  for (int snap = 0; snap < BIG_SNAPS; ++snap) times[snap] = 7.0 * snap;
  check_fields(f, g, BIG_SNAPS, times);
  H5Fclose(f);
}

/* Files in the directory of `path` whose names start with its name. */
static int count_prefixed(const char *path)
{
  char dir[4096];
  const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
  snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
  DIR *d = opendir(dir);
  int n = 0;
  for (struct dirent *e; d && (e = readdir(d));) n += !strncmp(e->d_name, base, strlen(base));
  if (d) closedir(d);
  return n;
}

static void expect_create_fails(const char *path, int force, const char *needle)
{
  cs_error_clear();
  cs_h5out *h = NULL;
  int rc = cs_h5out_create(path, MPI_COMM_WORLD, force, &h);
  EXPECT(rc == CS_ERR_IO, "create(%s, force=%d) returned %d, want CS_ERR_IO", path, force, rc);
  EXPECT(h == NULL, "create(%s) failed but returned an object", path);
  EXPECT(strstr(cs_error_message(), needle) != NULL, "create(%s): message '%s' lacks '%s'", path,
         cs_error_message(), needle);
  if (rc == CS_OK) cs_h5out_close(h, "failed", "test");
  cs_error_clear();
}

static int check_refusals(const char *path)
{
  /* All ranks get the same verdict: only rank 0 looks at the disk. */
  expect_create_fails(path, 0, "--force");
  expect_create_fails(path, 0, path);
  expect_create_fails("/nonexistent-cartsim-dir/out.h5", 0, "/nonexistent-cartsim-dir");
  expect_create_fails("/nonexistent-cartsim-dir/out.h5", 1, "No such file or directory");
  expect_create_fails("/proc/cartsim-test.h5", 1, "/proc");

  /* force: overwrite a copy of the file and close it as failed */
  char copy[4096];
  snprintf(copy, sizeof copy, "%s.force.h5", path);
  if (rank == 0) unlink(copy);
  MPI_Barrier(MPI_COMM_WORLD);
  cs_h5out *h = NULL;
  MUST(cs_h5out_create(copy, MPI_COMM_WORLD, 0, &h));
  MUST(cs_h5out_publish(h));
  MUST(cs_h5out_close(h, "complete", NULL));
  /* a new file over it that is never published (a run that failed to
   * start): the old file stays as it was, the new one is removed */
  MUST(cs_h5out_create(copy, MPI_COMM_WORLD, 1, &h));
  MUST(cs_h5out_meta_string(h, "description", "the new run"));
  MUST(cs_h5out_close(h, "failed", "could not start"));
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) {
    hid_t f = H5Fopen(copy, H5F_ACC_RDONLY, H5P_DEFAULT);
    EXPECT(f >= 0, "cannot open %s", copy);
    if (f >= 0) {
      expect_attr(f, "/meta", "status", "complete");
      H5Fclose(f);
    }
    EXPECT(count_prefixed(copy) == 1, "an unpublished file was left beside %s", copy);
  }
  MUST(cs_h5out_create(copy, MPI_COMM_WORLD, 1, &h));
  MUST(cs_h5out_publish(h));
  MUST(cs_h5out_close(h, "failed", "integrator failed at t = 3 day"));
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) {
    hid_t f = H5Fopen(copy, H5F_ACC_RDONLY, H5P_DEFAULT);
    EXPECT(f >= 0, "cannot open %s", copy);
    expect_attr(f, "/meta", "status", "failed");
    expect_attr(f, "/meta", "status_reason", "integrator failed at t = 3 day");
    EXPECT(!exists(f, "fields"), "forced overwrite kept old content");
    H5Fclose(f);
    unlink(copy);
  }
  MPI_Barrier(MPI_COMM_WORLD);

  /* without force, a file that appears under the name while the new one is
   * written is not replaced by publishing */
  MUST(cs_h5out_create(copy, MPI_COMM_WORLD, 0, &h));
  if (rank == 0) {
    FILE *other = fopen(copy, "w");
    if (other) fputs("another program's file", other), fclose(other);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  cs_error_clear();
  EXPECT(cs_h5out_publish(h) == CS_ERR_IO && strstr(cs_error_message(), "exists"),
         "publish over a file that appeared: '%s'", cs_error_message());
  cs_error_clear();
  cs_h5out_close(h, "failed", "test");
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) {
    char text[64] = "";
    FILE *other = fopen(copy, "r");
    if (other) {
      if (!fgets(text, sizeof text, other)) text[0] = '\0';
      fclose(other);
    }
    EXPECT(!strcmp(text, "another program's file"), "the file that appeared was replaced: '%s'", text);
    EXPECT(count_prefixed(copy) == 1, "an unpublished file was left beside %s", copy);
    unlink(copy);
  }
  return 0;
}

/* A failure in the middle of a call (duplicate dataset name) is reported
 * as CS_ERR_IO, and the object can still be closed as failed without
 * leaking ids. */
static int check_error_path(const char *path)
{
  char p2[4096];
  snprintf(p2, sizeof p2, "%s.err.h5", path);
  if (rank == 0) unlink(p2);
  MPI_Barrier(MPI_COMM_WORLD);
  cs_h5out *h = NULL;
  const cs_h5_quantity q[] = {{"time", "day", "simulated time"}, {"time", "day", "duplicate"}};
  int series = -1;
  MUST(cs_h5out_create(p2, MPI_COMM_WORLD, 0, &h));
  MUST(cs_h5out_publish(h));
  if (rank == 0) fprintf(stderr, "(an HDF5 error stack for a duplicate dataset 'time' is expected here)\n");
  int rc = cs_h5out_series_define(h, "timeseries", q, 2, 0, &series);
  EXPECT(rc == CS_ERR_IO && series == -1, "duplicate series name: rc %d, handle %d", rc, series);
  cs_error_clear();
  cs_patch pt;
  cs_grid g = {.dim = 1, .nz = 4, .nx = 1, .ny = 1, .Lx = 1, .Ly = 1};
  cs_patch_whole(&g, 1.0, &pt);
  double u[4 * CS_NS] = {0};
  EXPECT(cs_h5out_fields_append(h, 0.0, u, &pt) == CS_ERR_INTERNAL, "fields_append before define accepted");
  cs_error_clear();
  MUST(cs_h5out_close(h, "failed", "test of the error path"));
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) {
    hid_t f = H5Fopen(p2, H5F_ACC_RDONLY, H5P_DEFAULT);
    EXPECT(f >= 0, "cannot open %s", p2);
    expect_attr(f, "/meta", "status", "failed");
    H5Fclose(f);
    unlink(p2);
  }
  return 0;
}

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (argc != 2) {
    if (rank == 0) fprintf(stderr, "usage: test_h5out OUT.h5\n");
    MPI_Finalize();
    return 2;
  }
  const char *out = argv[1];
  char out1[4096], out3[4096], outbig[4096];
  size_t len = strlen(out);
  size_t stem = len > 3 && strcmp(out + len - 3, ".h5") == 0 ? len - 3 : len;
  snprintf(out1, sizeof out1, "%.*s_1d.h5", (int)stem, out);
  snprintf(out3, sizeof out3, "%.*s_3d.h5", (int)stem, out);
  snprintf(outbig, sizeof outbig, "%.*s_big.h5", (int)stem, out);
  if (rank == 0) unlink(out), unlink(out1), unlink(out3), unlink(outbig);
  MPI_Barrier(MPI_COMM_WORLD);

  long ids0 = cs_h5out_open_ids();
  EXPECT(ids0 == 0, "cs_h5out_open_ids() = %ld before any file is open", ids0);

  cs_grid g2 = {.dim = 2, .nz = 5, .nx = 7, .ny = 1, .Lx = 3.5, .Ly = 10, .periodic = 0};
  cs_grid g1 = {.dim = 1, .nz = 9, .nx = 1, .ny = 1, .Lx = 10, .Ly = 10, .periodic = 0};
  cs_grid g3 = {.dim = 3, .nz = 3, .nx = 4, .ny = 3, .Lx = 2, .Ly = 1.5, .periodic = 1};
  write_file(out, &g2, 1, 4, 2);
  write_file(out1, &g1, 0, 0, 0);
  write_file(out3, &g3, 2, 1, 1);
  cs_grid gbig = {.dim = 2, .nz = 40, .nx = 2400, .ny = 1, .Lx = 10, .Ly = 10, .periodic = 0};
  write_big(outbig, &gbig);
  EXPECT(cs_h5out_open_ids() == ids0, "HDF5 ids leaked: %ld open before, %ld after", ids0,
         cs_h5out_open_ids());

  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) {
    check_file(out, &g2, 2);
    check_file(out1, &g1, 0);
    check_file(out3, &g3, 1);
    check_big(outbig, &gbig);
    unlink(outbig); /* 35 MB */
  }
  MPI_Barrier(MPI_COMM_WORLD);
  check_refusals(out);
  check_error_path(out);
  EXPECT(cs_h5out_open_ids() == ids0, "HDF5 ids leaked after the failure cases: %ld before, %ld after", ids0,
         cs_h5out_open_ids());

  int total = 0;
  MPI_Allreduce(&fails, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0) printf("test_h5out on %d rank(s): %s (%d failure(s))\n", size, total ? "FAILED" : "ok", total);
  MPI_Finalize();
  return total ? 1 : 0;
}
