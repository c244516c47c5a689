/* h5out_fields.c - the field snapshots (/fields/<species>): float64
 * [t, z], [t, z, x] or [t, z, y, x], unlimited in t, each rank writing the
 * hyperslab of its patch. Snapshots wait in memory (cells in file order)
 * until the next flush or FIELDS_PENDING_BYTES; chunks and deflate as
 * below; --restart cuts the datasets back to the checkpoint.
 */
#include <stdlib.h>
#include <string.h>

#include "h5out_internal.h"

/* Field snapshots wait in memory until the next flush, or until the waiting
 * snapshots hold this many bytes over the whole grid (the same bound on
 * every rank, so all ranks write together; a snapshot larger than this is
 * written at once). */
#define FIELDS_PENDING_BYTES (16.0 * 1048576.0)

/* Field chunks. A deflated chunk changes size each time it is rewritten, so
 * HDF5 moves it and may give its old place to other data before the index on
 * disk is updated: a run killed in between left the index pointing at
 * overwritten bytes, and --restart failed with "inflate() failed" (seen in
 * reliability_restart). So a deflated chunk holds ONE snapshot and is
 * written once; several snapshots share a chunk only when it is stored plain
 * (fixed size, rewritten in place): as many as fit in FIELDS_CHUNK_BYTES, at
 * most FIELDS_CHUNK_MAX_SNAPSHOTS. Snapshots (of one quantity) smaller than
 * FIELDS_DEFLATE_MIN_BYTES are stored plain whatever output.compress says:
 * zlib sets up ~270 kB of state per chunk, and one-snapshot chunks of a small
 * grid (384 bytes on the 48-cell reference) cost more to deflate than to
 * compute (docs/performance.md, docs/output.md). */
#define FIELDS_CHUNK_BYTES (1048576.0)
#define FIELDS_CHUNK_MAX_SNAPSHOTS 64
#define FIELDS_DEFLATE_MIN_BYTES (65536.0)

static int patch_dim(const cs_patch *pt) { return pt->gh[2] ? 3 : pt->gh[1] ? 2 : 1; }

/* File dimensions of one field dataset: [t, z], [t, z, x] or [t, z, y, x]. */
static int field_dims(int dim, hsize_t t, const hsize_t zxy[3], hsize_t out[4])
{
  out[0] = t;
  out[1] = zxy[0];
  if (dim == 2) out[2] = zxy[1];
  if (dim == 3) {
    out[2] = zxy[2];
    out[3] = zxy[1];
  }
  return dim + 1;
}

int cs_h5out_fields_define(cs_h5out *h, const cs_h5_quantity *q, int nq, const cs_patch *pt, int compress)
{
  int rc = CS_OK;
  hid_t sp = H5I_INVALID_HID, dcpl = H5I_INVALID_HID, dapl = H5I_INVALID_HID;
  if (h->fdset) CS_FAIL(CS_ERR_INTERNAL, "cs_h5out_fields_define called twice");
  h->fdim = patch_dim(pt);
  for (int d = 0; d < 3; ++d) h->fN[d] = (hsize_t)pt->N[d];
  /* one snapshot of one quantity, bytes: the unit of the chunks and of the buffering */
  const double snap_bytes = (double)h->fN[0] * (double)h->fN[1] * (double)h->fN[2] * sizeof(double);
  if (snap_bytes >= 4294967295.0)
    CS_FAIL(CS_ERR_CONFIG, "a field snapshot of %llu cells exceeds the 4 GiB HDF5 chunk limit",
            (unsigned long long)(h->fN[0] * h->fN[1] * h->fN[2]));
  h->fdset = malloc(sizeof *h->fdset * (size_t)(nq > 0 ? nq : 1));
  CS_CHECK_ALLOC(h->fdset);
  for (int i = 0; i < nq; ++i) h->fdset[i] = H5I_INVALID_HID;
  h->nf = nq;
  for (int d = 0; d < 3; ++d) {
    h->foff[d] = (hsize_t)pt->off[d];
    h->fn[d] = (hsize_t)pt->n[d];
  }
  h->fncell = (size_t)cs_patch_cells(pt);
  h->fpend = calloc((size_t)(nq > 0 ? nq : 1), sizeof *h->fpend);
  CS_CHECK_ALLOC(h->fpend);
  const double snap_all = snap_bytes * (nq > 0 ? nq : 1);
  h->fmaxpend = snap_all >= FIELDS_PENDING_BYTES ? 1 : (int)(FIELDS_PENDING_BYTES / snap_all);

  CSGO(cs_h5o_group_open(h, "fields", &h->fgroup));
  if (h->reopened) {
    CSGO(cs_h5o_open_existing(h->fgroup, "time", "fields", &h->ftime));
    for (int i = 0; i < nq; ++i) CSGO(cs_h5o_open_existing(h->fgroup, q[i].name, "fields", &h->fdset[i]));
    if (nq > 0) { /* as the interrupted run stored them */
      H5GO(dcpl = H5Dget_create_plist(h->fdset[0]));
      int nfilters = H5Pget_nfilters(dcpl);
      H5GO(nfilters);
      h->fdeflate = nfilters > 0;
    }
    goto done;
  }
  /* 64 times per chunk, as the field datasets hold at most 64 snapshots per chunk */
  CSGO(cs_h5o_create_series_dset(h->fgroup, "time", "day", "time of each field snapshot", cs_h5o_series_chunk(0),
                                 &h->ftime));

  hsize_t dims[4], maxdims[4], chunk[4];
  int rank = field_dims(h->fdim, 0, h->fN, dims);
  const int deflate = compress > 0 && snap_bytes >= FIELDS_DEFLATE_MIN_BYTES;
  h->fdeflate = deflate;
  hsize_t per_chunk = deflate ? 1 : (hsize_t)(FIELDS_CHUNK_BYTES / snap_bytes);
  if (per_chunk < 1) per_chunk = 1;
  if (per_chunk > FIELDS_CHUNK_MAX_SNAPSHOTS) per_chunk = FIELDS_CHUNK_MAX_SNAPSHOTS;
  field_dims(h->fdim, per_chunk, h->fN, chunk);
  memcpy(maxdims, dims, sizeof dims);
  maxdims[0] = H5S_UNLIMITED;
  H5GO(sp = H5Screate_simple(rank, dims, maxdims));
  H5GO(dcpl = H5Pcreate(H5P_DATASET_CREATE));
  H5GO(H5Pset_chunk(dcpl, rank, chunk));
  /* As for the series: every snapshot is written right after the extent
   * grows to hold it, so no fill values (parallel HDF5 would write them into
   * the new rows of a plain chunk at each extension, then we overwrite them). */
  H5GO(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER));
  H5GO(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY)); /* as for the series (h5out_series.c) */
  if (deflate) {
    if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0)
      CSGO(cs_error_set(CS_ERR_IO, "output.compress = %d but this HDF5 has no deflate filter", compress));
    H5GO(H5Pset_shuffle(dcpl));
    H5GO(H5Pset_deflate(dcpl, (unsigned)(compress > 9 ? 9 : compress)));
  }
  static const char *axes[4] = {"", "t z", "t z x", "t z y x"};
  H5GO(dapl = cs_h5o_access_nocache());
  for (int i = 0; i < nq; ++i) {
    H5GO(h->fdset[i] = H5Dcreate2(h->fgroup, q[i].name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, dcpl, dapl));
    CSGO(cs_h5o_attr_units(h->fdset[i], q[i].units, q[i].long_name));
    CSGO(cs_h5o_attr_string(h->fdset[i], "axes", axes[h->fdim]));
  }
done:
  cs_h5o_release(&dapl);
  cs_h5o_release(&dcpl);
  cs_h5o_release(&sp);
  return rc;
}

/* Write the waiting snapshots: the times from rank 0, then one hyperslab
 * write per quantity covering every waiting snapshot. Deflated datasets are
 * written collectively (parallel HDF5 requires it: each chunk goes to one
 * rank, which compresses and writes it). Plain ones independently: there
 * every rank writes its own cells into chunks the ranks share, and Open
 * MPI 4.1's collective MPI-IO (OMPIO) then lost or swapped pieces of rows on
 * 4 ranks (zeros and other species' values in mpi_small1d_rank_invariance);
 * ROMIO and independent writes were correct. */
int cs_h5o_fields_write_pending(cs_h5out *h)
{
  if (h->fnpend == 0) return CS_OK;
  int rc = CS_OK;
  hid_t fs = H5I_INVALID_HID, ms = H5I_INVALID_HID;
  const hsize_t n = (hsize_t)h->fnpend, at = h->fcount, size = at + n;
  CS_CHECK(cs_h5o_write_rows(h, h->ftime, at, n, h->fpend_t));

  /* Memory has the shape of the file selection, so HDF5 maps it to chunks
   * by hyperslab, not element by element. */
  hsize_t dims[4], start[4], count[4];
  field_dims(h->fdim, size, h->fN, dims);
  field_dims(h->fdim, at, h->foff, start);
  int rank = field_dims(h->fdim, n, h->fn, count);
  H5GO(ms = H5Screate_simple(rank, count, NULL));
  if (h->fncell == 0) H5GO(H5Sselect_none(ms));
  for (int q = 0; q < h->nf; ++q) {
    H5GO(H5Dset_extent(h->fdset[q], dims)); /* collective */
    H5GO(fs = H5Dget_space(h->fdset[q]));
    if (h->fncell > 0)
      H5GO(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL));
    else
      H5GO(H5Sselect_none(fs));
    H5GO(H5Dwrite(h->fdset[q], H5T_NATIVE_DOUBLE, ms, fs, h->fdeflate ? h->dxpl : h->dxpl_ind, h->fpend[q]));
    cs_h5o_release(&fs);
  }
  h->fcount = size;
  h->fnpend = 0;
done:
  cs_h5o_release(&fs);
  cs_h5o_release(&ms);
  return rc;
}

/* Appends are buffered like the time series (FIELDS_PENDING_BYTES): one
 * collective write per quantity and flush instead of one per snapshot. */
int cs_h5out_fields_append(cs_h5out *h, double t, const double *u, const cs_patch *pt)
{
  double t0 = MPI_Wtime();
  if (!h->fdset) CS_FAIL(CS_ERR_INTERNAL, "cs_h5out_fields_append before cs_h5out_fields_define");
  if (patch_dim(pt) != h->fdim)
    CS_FAIL(CS_ERR_INTERNAL, "cs_h5out_fields_append: patch grid differs from the defined fields");
  for (int d = 0; d < 3; ++d)
    if ((hsize_t)pt->N[d] != h->fN[d] || (hsize_t)pt->off[d] != h->foff[d] || (hsize_t)pt->n[d] != h->fn[d])
      CS_FAIL(CS_ERR_INTERNAL, "cs_h5out_fields_append: patch grid differs from the defined fields");
  const int n0 = pt->n[0], n1 = pt->n[1], n2 = pt->n[2];
  const size_t ncell = h->fncell;
  if (h->fnpend == h->fcappend) {
    int cap = h->fcappend ? 2 * h->fcappend : 8;
    if (cap > h->fmaxpend) cap = h->fmaxpend;
    for (int q = 0; q < h->nf; ++q) {
      double *grown = realloc(h->fpend[q], sizeof *grown * (ncell ? ncell : 1) * (size_t)cap);
      CS_CHECK_ALLOC(grown);
      h->fpend[q] = grown;
    }
    double *grown = realloc(h->fpend_t, sizeof *grown * (size_t)cap);
    CS_CHECK_ALLOC(grown);
    h->fpend_t = grown;
    h->fcappend = cap;
  }
  /* state: cell = k + n0*(i + n1*j), quantity fastest; file: z, then y,
   * then x fastest, i.e. at k*n1*n2 + j*n1 + i. The state is read in its
   * own order (each cell's quantities together) and each quantity's buffer
   * written with the stride n1*n2 in k (1 in 1-D). */
  const int nf = h->nf;
  const size_t kstride = (size_t)n1 * (size_t)n2, at = ncell * (size_t)h->fnpend;
  for (int j = 0; j < n2; ++j)
    for (int i = 0; i < n1; ++i) {
      const double *uc = u + (size_t)nf * (size_t)n0 * ((size_t)i + (size_t)n1 * (size_t)j);
      const size_t col = at + (size_t)j * (size_t)n1 + (size_t)i;
      for (int q = 0; q < nf; ++q) {
        double *b = h->fpend[q] + col;
        for (int k = 0; k < n0; ++k) b[(size_t)k * kstride] = uc[(size_t)nf * (size_t)k + (size_t)q];
      }
    }
  h->fpend_t[h->fnpend++] = t;
  int rc = h->fnpend >= h->fmaxpend ? cs_h5o_fields_write_pending(h) : CS_OK;
  h->io_seconds += MPI_Wtime() - t0;
  return rc;
}

int cs_h5out_fields_truncate(cs_h5out *h, long count)
{
  if (!h->fdset) return CS_OK;
  CS_CHECK(cs_h5o_set_length(h->ftime, (hsize_t)count));
  for (int i = 0; i < h->nf; ++i) CS_CHECK(cs_h5o_set_length(h->fdset[i], (hsize_t)count));
  h->fcount = (hsize_t)count;
  h->fnpend = 0;
  return CS_OK;
}
