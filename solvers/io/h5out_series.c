/* h5out_series.c - the time series (/timeseries, /solver; /fields/time is
 * one too): 1-D float64 datasets, unlimited, in chunks sized from the rows
 * the run plans (cs_h5o_series_chunk). Appends wait on rank 0 and are
 * written, one hyperslab per quantity, at the next flush or once 1024
 * steps wait; --restart cuts them back to the checkpoint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5out_internal.h"

/* Chunk length of a time series planned to hold `rows` values (0:
 * unknown): all of them in one chunk, rounded up to a multiple of 64 and
 * between 64 and 4096 values (0.5 to 32 KiB). Each chunk is its own write:
 * in chunks of 64, the 366 rows of the 1-D reference took six per quantity,
 * ~300 small writes that were half of its output cost. Runs continued past
 * their plan (--restart, a later t_end) simply add chunks. */
hsize_t cs_h5o_series_chunk(long rows)
{
  const long lo = 64, hi = 4096;
  long c = rows <= lo ? lo : (rows + lo - 1) / lo * lo;
  return (hsize_t)(c > hi ? hi : c);
}

/* Chunks are allocated early (at creation and at each extension) whatever
 * the driver. Parallel HDF5 does so by default, the serial driver not
 * (incremental allocation); a file made on one rank and continued by
 * --restart on several then had chunks that parallel HDF5 never allocated
 * when the series grew past its first chunk, and its collective write went
 * to an undefined address (pwritev EINVAL, one rank failing while the other
 * waited in the collective: a hang). */

/* Unlimited 1-D float64 dataset with chunks of `chunk` values. */
int cs_h5o_create_series_dset(hid_t loc, const char *name, const char *units, const char *long_name, hsize_t chunk,
                              hid_t *out)
{
  int rc = CS_OK;
  hid_t sp = H5I_INVALID_HID, dcpl = H5I_INVALID_HID, dapl = H5I_INVALID_HID, ds = H5I_INVALID_HID;
  hsize_t dims = 0, maxdims = H5S_UNLIMITED;
  H5GO(sp = H5Screate_simple(1, &dims, &maxdims));
  H5GO(dcpl = H5Pcreate(H5P_DATASET_CREATE));
  H5GO(H5Pset_chunk(dcpl, 1, &chunk));
  /* Every row is written right after the extent grows to hold it: no fill
   * values (parallel HDF5 allocates chunks, and would fill them, at every
   * extension). */
  H5GO(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER));
  H5GO(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY)); /* see the comment above */
  H5GO(dapl = cs_h5o_access_nocache());
  H5GO(ds = H5Dcreate2(loc, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, dcpl, dapl));
  CSGO(cs_h5o_attr_units(ds, units, long_name));
  *out = ds;
  ds = H5I_INVALID_HID;
done:
  cs_h5o_release(&ds);
  cs_h5o_release(&dapl);
  cs_h5o_release(&dcpl);
  cs_h5o_release(&sp);
  return rc;
}

int cs_h5out_series_define(cs_h5out *h, const char *group, const cs_h5_quantity *q, int n, long rows, int *series)
{
  *series = -1;
  cs_h5o_series *grown = realloc(h->series, sizeof *grown * (size_t)(h->nseries + 1));
  CS_CHECK_ALLOC(grown);
  h->series = grown;
  cs_h5o_series *s = &h->series[h->nseries];
  memset(s, 0, sizeof *s);
  s->gid = H5I_INVALID_HID;
  s->dset = malloc(sizeof *s->dset * (size_t)(n > 0 ? n : 1));
  CS_CHECK_ALLOC(s->dset);
  for (int i = 0; i < n; ++i) s->dset[i] = H5I_INVALID_HID;
  s->nq = n;
  snprintf(s->group, sizeof s->group, "%s", group);
  h->nseries++; /* registered now, so cs_h5out_close releases it even after a failure below */
  CS_CHECK(cs_h5o_group_open(h, group, &s->gid));
  for (int i = 0; i < n; ++i) {
    if (h->reopened) CS_CHECK(cs_h5o_open_existing(s->gid, q[i].name, group, &s->dset[i]));
    else CS_CHECK(cs_h5o_create_series_dset(s->gid, q[i].name, q[i].units, q[i].long_name, cs_h5o_series_chunk(rows),
                                            &s->dset[i]));
  }
  *series = h->nseries - 1;
  return CS_OK;
}

/* Rows [at, at + n) of the 1-D dataset ds from rank 0's values v (the other
 * ranks select nothing): the extent change and the write are collective. */
int cs_h5o_write_rows(cs_h5out *h, hid_t ds, hsize_t at, hsize_t n, const double *v)
{
  int rc = CS_OK;
  hid_t fs = H5I_INVALID_HID, ms = H5I_INVALID_HID;
  const hsize_t size = at + n;
  H5GO(H5Dset_extent(ds, &size)); /* collective */
  H5GO(fs = H5Dget_space(ds));
  H5GO(ms = H5Screate_simple(1, &n, NULL));
  if (h->rank == 0) {
    H5GO(H5Sselect_hyperslab(fs, H5S_SELECT_SET, &at, NULL, &n, NULL));
  } else {
    H5GO(H5Sselect_none(fs));
    H5GO(H5Sselect_none(ms));
  }
  H5GO(H5Dwrite(ds, H5T_NATIVE_DOUBLE, ms, fs, h->dxpl, v));
done:
  cs_h5o_release(&ms);
  cs_h5o_release(&fs);
  return rc;
}

/* Write the buffered steps of one series: one hyperslab per quantity. */
int cs_h5o_series_write_pending(cs_h5out *h, cs_h5o_series *s)
{
  if (s->npending == 0) return CS_OK;
  const hsize_t n = (hsize_t)s->npending;
  double *col = malloc(sizeof *col * n);
  CS_CHECK_ALLOC(col);
  int rc = CS_OK;
  for (int i = 0; i < s->nq && rc == CS_OK; ++i) {
    if (h->rank == 0)
      for (hsize_t k = 0; k < n; ++k) col[k] = s->pending[k * (hsize_t)s->nq + (hsize_t)i];
    rc = cs_h5o_write_rows(h, s->dset[i], s->count, n, col);
  }
  free(col);
  if (rc != CS_OK) return rc;
  s->count += n;
  s->npending = 0;
  return CS_OK;
}

/* Appends are buffered (every rank counts, rank 0 keeps the values) and
 * written by cs_h5out_flush / cs_h5out_close, or when 1024 steps wait. */
int cs_h5out_series_append(cs_h5out *h, int series, const double *values)
{
  if (series < 0 || series >= h->nseries) CS_FAIL(CS_ERR_INTERNAL, "unknown time-series handle %d", series);
  double t0 = MPI_Wtime();
  cs_h5o_series *s = &h->series[series];
  if (h->rank == 0) {
    if (s->npending == s->cappending) {
      int cap = s->cappending ? 2 * s->cappending : 64;
      double *grown = realloc(s->pending, sizeof *grown * (size_t)cap * (size_t)s->nq);
      CS_CHECK_ALLOC(grown);
      s->pending = grown;
      s->cappending = cap;
    }
    memcpy(&s->pending[(size_t)s->npending * (size_t)s->nq], values, sizeof *values * (size_t)s->nq);
  }
  s->npending++;
  int rc = s->npending >= 1024 ? cs_h5o_series_write_pending(h, s) : CS_OK;
  h->io_seconds += MPI_Wtime() - t0;
  return rc;
}

int cs_h5out_series_truncate(cs_h5out *h, int series, long count)
{
  if (series < 0 || series >= h->nseries) CS_FAIL(CS_ERR_INTERNAL, "unknown time-series handle %d", series);
  cs_h5o_series *s = &h->series[series];
  for (int i = 0; i < s->nq; ++i) CS_CHECK(cs_h5o_set_length(s->dset[i], (hsize_t)count));
  s->count = (hsize_t)count;
  return CS_OK;
}
