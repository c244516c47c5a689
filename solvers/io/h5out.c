/* h5out.c - the cartsim HDF5 output file, written with parallel HDF5.
 *
 * All ranks open the file through the MPI-IO driver and every raw-data
 * transfer is collective (H5FD_MPIO_COLLECTIVE). Values documented as "from
 * rank 0" are written by rank 0 while the other ranks take part with an
 * empty selection; small metadata values (attributes, string lengths,
 * counts) are broadcast from rank 0 first, so ranks never disagree on what
 * goes into the file's metadata (which HDF5 requires to be identical).
 *
 * Layout: see h5out.h and docs/output.md. Strings: attributes are
 * variable-length UTF-8 (h5py returns them as str); string datasets are
 * fixed-length UTF-8, NUL-terminated (parallel HDF5 1.10 cannot write
 * variable-length raw data; h5py reads them with .asstr()).
 *
 * Every hid_t this file opens is either local to a function and released on
 * all paths (the `done:` labels), or stored in the cs_h5out object and
 * released by cs_h5out_close(), which also checks that the file has no
 * object left open.
 */
#define _POSIX_C_SOURCE 200809L

#include "h5out.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../buildinfo.h"
#include "../error.h"
#include "driver.h"
#include "path.h"
#include "room.h"

/* Chunk length of the 1-D time series (values per chunk). */
#define SERIES_CHUNK 64

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

/* Variants of CS_CHECK_H5 / CS_CHECK for functions that own local ids:
 * record the error the same way, then jump to the function's `done:` label
 * (which releases the ids) instead of returning at once. */
#define H5GO(expr)                                                                       \
  do {                                                                                   \
    if ((long long)(expr) < 0) {                                                         \
      rc = cs_error_trace(cs_error_set(CS_ERR_IO, "HDF5 call failed: %s", #expr), __FILE__, \
                          __LINE__, #expr);                                              \
      goto done;                                                                         \
    }                                                                                    \
  } while (0)

#define CSGO(expr)                                                                       \
  do {                                                                                   \
    int cs_go_rc_ = (expr);                                                              \
    if (cs_go_rc_ != 0) {                                                                \
      rc = cs_error_trace(cs_go_rc_, __FILE__, __LINE__, #expr);                         \
      goto done;                                                                         \
    }                                                                                    \
  } while (0)

typedef struct {
  char group[64];  /* "timeseries", "solver", ... */
  hid_t gid;       /* the group */
  int nq;
  hid_t *dset;     /* nq datasets */
  hsize_t count;   /* values written to the file */
  double *pending; /* rank 0: appended, not yet written, [step][q] */
  int npending, cappending;
} h5_series;

struct cs_h5out {
  MPI_Comm comm;   /* duplicate of the caller's communicator */
  int rank, size;
  hid_t file;
  hid_t meta;      /* /meta */
  hid_t dxpl;      /* collective transfer */
  hid_t dxpl_ind;  /* independent transfer: plain field datasets (fields_write_pending) */
  h5_series *series;
  int nseries;
  /* fields */
  hid_t fgroup;    /* /fields */
  hid_t ftime;     /* /fields/time */
  hid_t *fdset;    /* nf datasets */
  int nf;
  int fdim;        /* 1, 2 or 3 */
  int fdeflate;    /* field datasets deflated (one snapshot per chunk) */
  hsize_t fN[3];   /* global cells along z, x, y */
  hsize_t fcount;  /* snapshots written to the file */
  hsize_t foff[3], fn[3]; /* this rank's patch: offset and cells along z, x, y */
  size_t fncell;   /* cells of this rank's patch */
  double **fpend;  /* snapshots appended, not yet written: per quantity
                      [snap][cell], cells in file order (z, then y, then x fastest) */
  double *fpend_t; /* their times */
  int fnpend, fcappend, fmaxpend;
  double io_seconds;
  int reopened;    /* opened by cs_h5out_reopen: define calls open existing datasets */
  int poisoned;    /* a write or flush failed (on some rank): no more HDF5 calls on this file */
  char filename[4096]; /* for messages */
};

/* ------------------------------------------------------------------------ */
/* id helpers                                                                 */

/* Close any kind of id and set it to H5I_INVALID_HID. Errors are ignored:
 * used on cleanup paths. */
static void h5_release(hid_t *id)
{
  if (*id < 0) return;
  switch (H5Iget_type(*id)) {
  case H5I_FILE: H5Fclose(*id); break;
  case H5I_GROUP: H5Gclose(*id); break;
  case H5I_DATASET: H5Dclose(*id); break;
  case H5I_ATTR: H5Aclose(*id); break;
  case H5I_DATASPACE: H5Sclose(*id); break;
  case H5I_DATATYPE: H5Tclose(*id); break;
  case H5I_GENPROP_LST: H5Pclose(*id); break;
  default: H5Idec_ref(*id); break;
  }
  *id = H5I_INVALID_HID;
}

long cs_h5out_open_ids(void)
{
  /* HDF5 1.10 refuses H5Inmembers on library types (files, dataspaces, ...),
   * so only objects that live in files can be counted. */
  if (H5open() < 0) return -1;
  ssize_t n = H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL);
  return n < 0 ? -1 : (long)n;
}

double cs_h5out_io_seconds(const cs_h5out *h) { return h ? h->io_seconds : 0.0; }

/* Open the group at `path` (relative to the file root, '/'-separated),
 * creating missing components. */
static int group_open(cs_h5out *h, const char *path, hid_t *out)
{
  int rc = CS_OK;
  char buf[256], *p;
  hid_t cur = H5I_INVALID_HID, next = H5I_INVALID_HID;
  *out = H5I_INVALID_HID;
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
    CS_FAIL(CS_ERR_INTERNAL, "HDF5 group path too long: %s", path);
  H5GO(cur = H5Gopen2(h->file, "/", H5P_DEFAULT));
  p = buf;
  while (*p) {
    while (*p == '/') ++p;
    if (!*p) break;
    char *end = strchr(p, '/');
    if (end) *end = '\0';
    htri_t ex;
    H5GO(ex = H5Lexists(cur, p, H5P_DEFAULT));
    if (ex)
      H5GO(next = H5Gopen2(cur, p, H5P_DEFAULT));
    else
      H5GO(next = H5Gcreate2(cur, p, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    h5_release(&cur);
    cur = next;
    next = H5I_INVALID_HID;
    if (!end) break;
    p = end + 1;
  }
  *out = cur;
  cur = H5I_INVALID_HID;
done:
  h5_release(&cur);
  h5_release(&next);
  return rc;
}

/* ------------------------------------------------------------------------ */
/* attributes (collective: same value on every rank)                          */

static int attr_delete_if_exists(hid_t obj, const char *name)
{
  htri_t ex = H5Aexists(obj, name);
  CS_CHECK_H5(ex);
  if (ex) CS_CHECK_H5(H5Adelete(obj, name));
  return CS_OK;
}

/* Variable-length UTF-8 string attribute. */
static int attr_string(hid_t obj, const char *name, const char *value)
{
  int rc = CS_OK;
  hid_t type = H5I_INVALID_HID, sp = H5I_INVALID_HID, at = H5I_INVALID_HID;
  const char *v = value ? value : "";
  CSGO(attr_delete_if_exists(obj, name));
  H5GO(type = H5Tcopy(H5T_C_S1));
  H5GO(H5Tset_size(type, H5T_VARIABLE));
  H5GO(H5Tset_cset(type, H5T_CSET_UTF8));
  H5GO(sp = H5Screate(H5S_SCALAR));
  H5GO(at = H5Acreate2(obj, name, type, sp, H5P_DEFAULT, H5P_DEFAULT));
  H5GO(H5Awrite(at, type, &v));
done:
  h5_release(&at);
  h5_release(&sp);
  h5_release(&type);
  return rc;
}

/* 1 if the string attribute `name` of obj exists and equals `want`. */
static int attr_string_is(hid_t obj, const char *name, const char *want)
{
  int same = 0;
  hid_t at = H5I_INVALID_HID, type = H5I_INVALID_HID;
  H5E_BEGIN_TRY {
    at = H5Aopen(obj, name, H5P_DEFAULT);
    type = at < 0 ? H5I_INVALID_HID : H5Aget_type(at);
    if (type >= 0 && H5Tis_variable_str(type) > 0) {
      char *v = NULL;
      if (H5Aread(at, type, &v) >= 0 && v) same = strcmp(v, want) == 0;
      H5free_memory(v);
    }
  } H5E_END_TRY;
  h5_release(&type);
  h5_release(&at);
  return same;
}

static int attr_number(hid_t obj, const char *name, hid_t filetype, hid_t memtype, const void *value)
{
  int rc = CS_OK;
  hid_t sp = H5I_INVALID_HID, at = H5I_INVALID_HID;
  CSGO(attr_delete_if_exists(obj, name));
  H5GO(sp = H5Screate(H5S_SCALAR));
  H5GO(at = H5Acreate2(obj, name, filetype, sp, H5P_DEFAULT, H5P_DEFAULT));
  H5GO(H5Awrite(at, memtype, value));
done:
  h5_release(&at);
  h5_release(&sp);
  return rc;
}

static int attr_double(hid_t obj, const char *name, double v)
{
  return attr_number(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

static int attr_long(hid_t obj, const char *name, long v)
{
  return attr_number(obj, name, H5T_STD_I64LE, H5T_NATIVE_LONG, &v);
}

static int attr_units(hid_t obj, const char *units, const char *long_name)
{
  CS_CHECK(attr_string(obj, "units", units ? units : "-"));
  CS_CHECK(attr_string(obj, "long_name", long_name ? long_name : ""));
  return CS_OK;
}

/* An MPI return code as a cs code (for the goto-style functions). */
static int mpi_check(int mpi_rc, const char *what)
{
  if (mpi_rc == MPI_SUCCESS) return CS_OK;
  return cs_error_set(CS_ERR_INTERNAL, "MPI call failed (code %d): %s", mpi_rc, what);
}

/* Broadcast a string from rank 0; *out is malloc'ed on every rank. */
static int bcast_string(cs_h5out *h, const char *s, char **out)
{
  long len = 0;
  if (h->rank == 0) len = s ? (long)strlen(s) : 0;
  CS_CHECK_MPI(MPI_Bcast(&len, 1, MPI_LONG, 0, h->comm));
  char *buf = malloc((size_t)len + 1);
  CS_CHECK_ALLOC(buf);
  if (h->rank == 0 && len) memcpy(buf, s, (size_t)len);
  buf[len] = '\0';
  int mrc = len ? MPI_Bcast(buf, (int)len, MPI_CHAR, 0, h->comm) : MPI_SUCCESS;
  if (mrc != MPI_SUCCESS) {
    free(buf);
    CS_CHECK_MPI(mrc);
  }
  *out = buf;
  return CS_OK;
}

/* ------------------------------------------------------------------------ */
/* small datasets written by rank 0                                           */

/* Collective write in which only rank 0 transfers data: the other ranks
 * select nothing. `mem` must describe `buf` on rank 0. */
static int write_root(cs_h5out *h, hid_t ds, hid_t memtype, hid_t mem, const void *buf)
{
  int rc = CS_OK;
  hid_t fs = H5I_INVALID_HID;
  static const double dummy = 0;
  H5GO(fs = H5Dget_space(ds));
  if (h->rank != 0) {
    H5GO(H5Sselect_none(fs));
    H5GO(H5Sselect_none(mem));
    buf = &dummy;
  }
  H5GO(H5Dwrite(ds, memtype, mem, fs, h->dxpl, buf));
done:
  h5_release(&fs);
  return rc;
}

/* float64 dataset, scalar (rank 0) or 1-D of length n; values from rank 0. */
static int dset_doubles(cs_h5out *h, hid_t loc, const char *name, const double *v, hsize_t n, int scalar,
                        const char *units, const char *long_name)
{
  int rc = CS_OK;
  hid_t sp = H5I_INVALID_HID, ds = H5I_INVALID_HID;
  H5GO(sp = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL));
  H5GO(ds = H5Dcreate2(loc, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  CSGO(attr_units(ds, units, long_name));
  if (scalar || n > 0) CSGO(write_root(h, ds, H5T_NATIVE_DOUBLE, sp, v));
done:
  h5_release(&ds);
  h5_release(&sp);
  return rc;
}

/* Fixed-length UTF-8 string dataset: scalar (n < 0, s[0]) or 1-D of n
 * strings; strings and n from rank 0. */
static int dset_strings(cs_h5out *h, hid_t loc, const char *name, const char *const *s, long n,
                        const char *units, const char *long_name)
{
  int rc = CS_OK;
  hid_t type = H5I_INVALID_HID, sp = H5I_INVALID_HID, ds = H5I_INVALID_HID;
  char *buf = NULL;
  long hdr[2] = {n, 0}; /* count (or -1: scalar), longest string */
  if (h->rank == 0) {
    long m = n < 0 ? 1 : n;
    for (long i = 0; i < m; ++i) {
      long len = s && s[i] ? (long)strlen(s[i]) : 0;
      if (len > hdr[1]) hdr[1] = len;
    }
  }
  CSGO(mpi_check(MPI_Bcast(hdr, 2, MPI_LONG, 0, h->comm), "MPI_Bcast"));
  n = hdr[0];
  size_t width = (size_t)hdr[1] + 1, m = n < 0 ? 1 : (size_t)n;
  H5GO(type = H5Tcopy(H5T_C_S1));
  H5GO(H5Tset_size(type, width));
  H5GO(H5Tset_strpad(type, H5T_STR_NULLTERM));
  H5GO(H5Tset_cset(type, H5T_CSET_UTF8));
  if (n < 0) {
    H5GO(sp = H5Screate(H5S_SCALAR));
  } else {
    hsize_t dims = (hsize_t)n;
    H5GO(sp = H5Screate_simple(1, &dims, NULL));
  }
  H5GO(ds = H5Dcreate2(loc, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  CSGO(attr_units(ds, units, long_name));
  if (m > 0) {
    if (h->rank == 0) {
      buf = calloc(m, width);
      if (!buf) CSGO(cs_error_set(CS_ERR_INTERNAL, "out of memory (%zu strings)", m));
      for (size_t i = 0; i < m; ++i)
        if (s && s[i]) memcpy(buf + i * width, s[i], strlen(s[i]));
    }
    CSGO(write_root(h, ds, type, sp, buf));
  }
done:
  free(buf);
  h5_release(&ds);
  h5_release(&sp);
  h5_release(&type);
  return rc;
}

/* ------------------------------------------------------------------------ */
/* create                                                                     */


/* Rank 0's verdict on `path`: 0, or CS_ERR_IO with a message in msg. */
static int check_path(const char *path, int force, char *msg, size_t len)
{
  char dir[4096];
  cs_path_dir(path, dir, sizeof dir);

  struct stat st;
  if (stat(dir, &st) != 0) {
    snprintf(msg, len, "output directory %.900s: %s", dir, strerror(errno));
    return CS_ERR_IO;
  }
  if (!S_ISDIR(st.st_mode)) {
    snprintf(msg, len, "output directory %.900s: %s", dir, strerror(ENOTDIR));
    return CS_ERR_IO;
  }
  if (access(dir, W_OK | X_OK) != 0) {
    snprintf(msg, len, "output directory %.900s is not writable: %s", dir, strerror(errno));
    return CS_ERR_IO;
  }
  if (stat(path, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      snprintf(msg, len, "%s is a directory, not an output file", path);
      return CS_ERR_IO;
    }
    if (!force) {
      snprintf(msg, len, "%s exists (use --force to overwrite)", path);
      return CS_ERR_IO;
    }
  }
  /* Try it: access() says yes to root even where creation fails (/proc). */
  int fd = open(path, O_WRONLY | O_CREAT | (force ? 0 : O_EXCL), 0666);
  if (fd < 0) {
    int e = errno;
    if (e == EEXIST)
      snprintf(msg, len, "%s exists (use --force to overwrite)", path);
    else
      snprintf(msg, len, "cannot create %.400s in output directory %.400s: %s", path, dir, strerror(e));
    return CS_ERR_IO;
  }
  close(fd);
  return CS_OK;
}

static int create_meta(cs_h5out *h)
{
  char buf[MPI_MAX_LIBRARY_VERSION_STRING + 64];
  unsigned maj, min, rel;
  CS_CHECK_H5(h->meta = H5Gcreate2(h->file, "meta", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  CS_CHECK(cs_h5out_meta_string(h, "status", "running"));
  CS_CHECK(cs_h5out_meta_string(h, "status_reason", ""));
  CS_CHECK(cs_h5out_meta_int(h, "ranks", h->size));
  CS_CHECK_H5(H5get_libversion(&maj, &min, &rel));
  snprintf(buf, sizeof buf, "%u.%u.%u", maj, min, rel);
  CS_CHECK(cs_h5out_meta_string(h, "hdf5_version", buf));
  int vlen = 0;
  CS_CHECK_MPI(MPI_Get_library_version(buf, &vlen));
  buf[strcspn(buf, "\n,")] = '\0'; /* first line, e.g. "Open MPI v4.1.4" */
  CS_CHECK(cs_h5out_meta_string(h, "mpi_version", buf));
  cs_utc_now(buf, sizeof buf);
  CS_CHECK(cs_h5out_meta_string(h, "start_time", buf));
  return CS_OK;
}

/* HDF5's deflate filter calls zlib's compress2() once per chunk, which
 * allocates about 270 kB of compressor state and frees it again. When that
 * block lies at the top of the heap, glibc returns it to the kernel (default
 * trim threshold 128 kB) and takes it back for the next chunk: brk shrink and
 * regrow, page faults, and in a multithreaded process (Open MPI's progress
 * threads) a TLB shootdown on the other CPUs each time. On a loaded 2-core
 * VM that cost 2-3 ms per chunk: 1.2-1.9 s for the 61 x 9 field chunks of the
 * 0.1 s reference run, or nothing, depending on what else happened to lie
 * above in the heap. Keeping up to 16 MB of free heap top makes the cost
 * small and independent of heap layout. Process-wide; glibc only. */
static void keep_heap_top(void)
{
#ifdef __GLIBC__
  static int done = 0;
  if (!done) mallopt(M_TRIM_THRESHOLD, 16 << 20);
  done = 1;
#endif
}

/* A new object with no HDF5 ids open and its own duplicate of `comm`. */
static int h5out_alloc(MPI_Comm comm, int reopened, cs_h5out **out)
{
  keep_heap_top();
  cs_h5out *h = calloc(1, sizeof *h);
  CS_CHECK_ALLOC(h);
  h->file = h->meta = h->dxpl = h->dxpl_ind = h->fgroup = h->ftime = H5I_INVALID_HID;
  h->comm = MPI_COMM_NULL;
  h->reopened = reopened;
  int rc = MPI_Comm_dup(comm, &h->comm);
  if (rc != MPI_SUCCESS) {
    free(h);
    CS_CHECK_MPI(rc);
  }
  MPI_Comm_rank(h->comm, &h->rank);
  MPI_Comm_size(h->comm, &h->size);
  *out = h;
  return CS_OK;
}

/* The file access list (returned in *fapl) and the transfer lists h->dxpl
 * (collective) and h->dxpl_ind (independent): driver.h decides MPI-IO or
 * POSIX by the rank count. */
static int select_driver(cs_h5out *h, hid_t *fapl)
{
  CS_CHECK_H5(*fapl = cs_h5_file_access(h->comm));
  CS_CHECK_H5(h->dxpl = cs_h5_transfer(h->comm, 1));
  CS_CHECK_H5(h->dxpl_ind = cs_h5_transfer(h->comm, 0));
  return CS_OK;
}

int cs_h5out_create(const char *path, MPI_Comm comm, int force, cs_h5out **out)
{
  *out = NULL;
  int rank, rc;
  CS_CHECK_MPI(MPI_Comm_rank(comm, &rank));

  /* Rank 0 decides, everyone returns the same verdict and message. */
  struct {
    int code;
    char msg[1000];
  } verdict = {0, ""};
  if (rank == 0) verdict.code = check_path(path, force, verdict.msg, sizeof verdict.msg);
  CS_CHECK_MPI(MPI_Bcast(&verdict, (int)sizeof verdict, MPI_BYTE, 0, comm));
  if (verdict.code) CS_FAIL(verdict.code, "%s", verdict.msg);

  cs_h5out *h = NULL;
  CS_CHECK(h5out_alloc(comm, 0, &h));
  hid_t fapl = H5I_INVALID_HID;
  rc = CS_OK;
  CSGO(select_driver(h, &fapl));
  snprintf(h->filename, sizeof h->filename, "%s", path);
  h->file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  if (h->file < 0) {
    char dir[4096];
    cs_path_dir(path, dir, sizeof dir);
    const double mb = cs_free_bytes(dir) / 1048576.0;
    const char *locking = getenv("HDF5_USE_FILE_LOCKING");
    if (mb >= 0.0 && mb < 0.1)
      rc = cs_error_set(CS_ERR_IO, "cannot create HDF5 file %s: no space left (%.1f MB free in %s)", path, mb, dir);
    else if (locking && !strcmp(locking, "FALSE"))
      rc = cs_error_set(CS_ERR_IO, "cannot create HDF5 file %s (HDF5 open failed, %.1f MB free in %s)", path, mb, dir);
    else
      rc = cs_error_set(CS_ERR_IO, "cannot create HDF5 file %s (HDF5 open failed; on a network "
                        "file system that refuses HDF5's file locks, set HDF5_USE_FILE_LOCKING=FALSE)", path);
    rc = cs_error_trace(rc, __FILE__, __LINE__, "H5Fcreate");
    goto done;
  }
  CSGO(create_meta(h));
  CSGO(cs_h5out_flush(h));
done:
  h5_release(&fapl);
  if (rc != CS_OK) {
    cs_h5out_close(h, NULL, NULL); /* releases what was opened; keeps the first error */
    return rc;
  }
  *out = h;
  return CS_OK;
}

/* Reopen an interrupted run's file to continue it (see h5out.h). */
int cs_h5out_reopen(const char *path, MPI_Comm comm, cs_h5out **out)
{
  *out = NULL;
  int rank, rc, readable = 0;
  CS_CHECK_MPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) readable = access(path, R_OK | W_OK) == 0;
  CS_CHECK_MPI(MPI_Bcast(&readable, 1, MPI_INT, 0, comm));
  if (!readable) CS_FAIL(CS_ERR_IO, "--restart: cannot open %s for writing", path);
  cs_h5out *h = NULL;
  CS_CHECK(h5out_alloc(comm, 1, &h));
  hid_t fapl = H5I_INVALID_HID;
  rc = CS_OK;
  CSGO(select_driver(h, &fapl));
  snprintf(h->filename, sizeof h->filename, "%s", path);
  H5E_BEGIN_TRY { h->file = H5Fopen(path, H5F_ACC_RDWR, fapl); } H5E_END_TRY;
  if (h->file < 0) {
    rc = cs_error_set(CS_ERR_IO, "--restart: %s is not a readable HDF5 file (if HDF5 reports the file as "
                      "already open, clear the flag with: h5clear -s %s)", path, path);
    rc = cs_error_trace(rc, __FILE__, __LINE__, "H5Fopen");
    goto done;
  }
  H5GO(h->meta = H5Gopen2(h->file, "meta", H5P_DEFAULT));
  if (attr_string_is(h->meta, "status", "complete")) { /* every rank reads the same attribute */
    rc = cs_error_set(CS_ERR_IO, "--restart: %s is complete (/meta status); nothing to continue (to run it "
                      "again, leave out --restart and add --force)", path);
    goto done;
  }
  /* outcomes are written at the end: a run killed after them and before
   * "complete" writes them again */
  htri_t has_outcomes = H5Lexists(h->file, "outcomes", H5P_DEFAULT);
  H5GO(has_outcomes);
  if (has_outcomes) H5GO(H5Ldelete(h->file, "outcomes", H5P_DEFAULT));
  CSGO(cs_h5out_meta_string(h, "status", "running"));
  CSGO(cs_h5out_meta_string(h, "status_reason", ""));
  CSGO(cs_h5out_flush(h));
done:
  h5_release(&fapl);
  if (rc != CS_OK) {
    cs_h5out_close(h, NULL, NULL);
    return rc;
  }
  *out = h;
  return CS_OK;
}

int cs_h5out_is_reopened(const cs_h5out *h) { return h->reopened; }

/* A dataset of the output being restarted, opened without a chunk cache.
 * Shrinking a chunked dataset (set_length) rewrites the partial last chunk;
 * through the cache that copy reached the file at some later flush, after
 * the appends (MPI-IO writes, which bypass the cache) and over them: the
 * first steps written after a restart read back as zeros. Flushing straight
 * after the cut mended plain datasets but not deflated ones (HDF5 1.10.8
 * then fails to read the chunk back for the next append). With no cache the
 * cut goes to the file at once (tests/io/test_h5out_restart.c). */
static int open_existing(hid_t loc, const char *name, const char *group, hid_t *out)
{
  hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
  CS_CHECK_H5(dapl);
  herr_t set = H5Pset_chunk_cache(dapl, H5D_CHUNK_CACHE_NSLOTS_DEFAULT, 0, H5D_CHUNK_CACHE_W0_DEFAULT);
  if (set >= 0) H5E_BEGIN_TRY { *out = H5Dopen2(loc, name, dapl); } H5E_END_TRY;
  H5Pclose(dapl);
  CS_CHECK_H5(set);
  if (*out < 0) CS_FAIL(CS_ERR_IO, "--restart: the output has no /%s/%s (written by another cartsim?)", group, name);
  return CS_OK;
}

static int set_length(hid_t ds, hsize_t n)
{
  hid_t sp = H5Dget_space(ds);
  CS_CHECK_H5(sp);
  hsize_t dims[4] = {0, 0, 0, 0};
  int rank = H5Sget_simple_extent_dims(sp, dims, NULL);
  H5Sclose(sp);
  CS_CHECK_H5(rank);
  if (dims[0] < n) CS_FAIL(CS_ERR_IO, "--restart: the output holds %llu steps, the checkpoint %llu",
                           (unsigned long long)dims[0], (unsigned long long)n);
  dims[0] = n;
  CS_CHECK_H5(H5Dset_extent(ds, dims));
  return CS_OK;
}

int cs_h5out_series_truncate(cs_h5out *h, int series, long count)
{
  if (series < 0 || series >= h->nseries) CS_FAIL(CS_ERR_INTERNAL, "unknown time-series handle %d", series);
  h5_series *s = &h->series[series];
  for (int i = 0; i < s->nq; ++i) CS_CHECK(set_length(s->dset[i], (hsize_t)count));
  s->count = (hsize_t)count;
  return CS_OK;
}

int cs_h5out_fields_truncate(cs_h5out *h, long count)
{
  if (!h->fdset) return CS_OK;
  CS_CHECK(set_length(h->ftime, (hsize_t)count));
  for (int i = 0; i < h->nf; ++i) CS_CHECK(set_length(h->fdset[i], (hsize_t)count));
  h->fcount = (hsize_t)count;
  h->fnpend = 0;
  return CS_OK;
}

/* ------------------------------------------------------------------------ */
/* /meta                                                                      */

int cs_h5out_meta_string(cs_h5out *h, const char *name, const char *value)
{
  char *v = NULL;
  CS_CHECK(bcast_string(h, value, &v));
  int rc = attr_string(h->meta, name, v);
  free(v);
  CS_CHECK(rc);
  return CS_OK;
}

int cs_h5out_meta_double(cs_h5out *h, const char *name, double value)
{
  CS_CHECK_MPI(MPI_Bcast(&value, 1, MPI_DOUBLE, 0, h->comm));
  CS_CHECK(attr_double(h->meta, name, value));
  return CS_OK;
}

int cs_h5out_meta_int(cs_h5out *h, const char *name, long value)
{
  CS_CHECK_MPI(MPI_Bcast(&value, 1, MPI_LONG, 0, h->comm));
  CS_CHECK(attr_long(h->meta, name, value));
  return CS_OK;
}

int cs_h5out_config_text(cs_h5out *h, const char *yaml)
{
  const char *s[1] = {yaml ? yaml : ""};
  CS_CHECK(dset_strings(h, h->meta, "config", s, -1, "-", "resolved configuration (YAML)"));
  return CS_OK;
}

/* ------------------------------------------------------------------------ */
/* /parameters, /grid, /outcomes, /treatments                                 */

int cs_h5out_parameters(cs_h5out *h, const cs_opt_table *t, const void *obj)
{
  int rc = CS_OK;
  hid_t g = H5I_INVALID_HID;
  char path[128];
  if (strcmp(t->section, "model") == 0) {
    snprintf(path, sizeof path, "parameters");
  } else {
    /* "treatments[]" -> "treatments" */
    snprintf(path, sizeof path, "parameters/%.*s", (int)strcspn(t->section, "[]/"), t->section);
  }
  CSGO(group_open(h, path, &g));
  for (int i = 0; i < t->n; ++i) {
    const cs_opt *o = &t->opts[i];
    double v = cs_opt_get(o, obj);
    if (o->type == CS_OPT_ENUM) {
      const char *name[1] = {cs_opt_choice_name(o, (int)v)};
      CSGO(dset_strings(h, g, o->name, name, -1, o->unit, o->help));
      /* The valid choices, for readers: "line, jacobi, none". */
      char choices[512] = "";
      size_t used = 0;
      for (int c = 0; o->choices && o->choices[c] && used < sizeof choices; ++c)
        used += (size_t)snprintf(choices + used, sizeof choices - used, "%s%s", c ? ", " : "", o->choices[c]);
      hid_t ds = H5I_INVALID_HID;
      H5GO(ds = H5Dopen2(g, o->name, H5P_DEFAULT));
      int arc = attr_string(ds, "choices", choices);
      h5_release(&ds);
      CSGO(arc);
    } else {
      CSGO(dset_doubles(h, g, o->name, &v, 1, 1, o->unit, o->help));
    }
  }
done:
  h5_release(&g);
  return rc;
}

int cs_h5out_grid(cs_h5out *h, const cs_grid *gr, double H)
{
  int rc = CS_OK;
  hid_t g = H5I_INVALID_HID;
  double *c = NULL;
  const int n[3] = {gr->nz, gr->dim >= 2 ? gr->nx : 1, gr->dim >= 3 ? gr->ny : 1};
  const double L[3] = {H, gr->Lx, gr->Ly};
  static const char *names[3] = {"z", "x", "y"};
  static const char *longs[3] = {"cell centres in depth, from the tidemark (z=0) to the surface (z=H)",
                                 "cell centres along the lateral x direction",
                                 "cell centres along the lateral y direction"};
  H5GO(g = H5Gcreate2(h->file, "grid", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  for (int d = 0; d < gr->dim && d < 3; ++d) {
    c = malloc(sizeof *c * (size_t)n[d]);
    if (!c) CSGO(cs_error_set(CS_ERR_INTERNAL, "out of memory (grid of %d cells)", n[d]));
    for (int k = 0; k < n[d]; ++k) c[k] = (k + 0.5) * L[d] / n[d];
    CSGO(dset_doubles(h, g, names[d], c, (hsize_t)n[d], 0, "mm", longs[d]));
    free(c);
    c = NULL;
  }
  CSGO(attr_long(g, "dim", gr->dim));
  CSGO(attr_long(g, "nz", gr->nz));
  CSGO(attr_long(g, "nx", gr->nx));
  CSGO(attr_long(g, "ny", gr->ny));
  CSGO(attr_double(g, "H", H));
  CSGO(attr_double(g, "Lx", gr->Lx));
  CSGO(attr_double(g, "Ly", gr->Ly));
  CSGO(attr_string(g, "units", "mm"));
done:
  free(c);
  h5_release(&g);
  return rc;
}

int cs_h5out_outcomes(cs_h5out *h, const cs_h5_quantity *q, const double *values, int n)
{
  int rc = CS_OK;
  hid_t g = H5I_INVALID_HID;
  CSGO(group_open(h, "outcomes", &g));
  for (int i = 0; i < n; ++i)
    CSGO(dset_doubles(h, g, q[i].name, h->rank == 0 ? &values[i] : NULL, 1, 1, q[i].units, q[i].long_name));
done:
  h5_release(&g);
  return rc;
}

int cs_h5out_treatments(cs_h5out *h, const cs_h5_treatments *t, int n)
{
  int rc = CS_OK;
  hid_t g = H5I_INVALID_HID;
  const cs_h5_treatments none = {0};
  if (h->rank != 0 || !t) t = &none; /* the values come from rank 0 */
  CSGO(mpi_check(MPI_Bcast(&n, 1, MPI_INT, 0, h->comm), "MPI_Bcast"));
  CSGO(group_open(h, "treatments", &g));
  CSGO(dset_strings(h, g, "type", t->type, n, "-", "treatment kind: msc (MSC injection) or il1ra"));
  CSGO(dset_doubles(h, g, "day", t->day, (hsize_t)n, 0, "day", "time of the injection"));
  CSGO(dset_doubles(h, g, "dose", t->dose, (hsize_t)n, 0, "cells (msc) or mg (il1ra)", "injected dose"));
  CSGO(dset_doubles(h, g, "viability", t->viability, (hsize_t)n, 0, "1",
                    "factor on the source's viability (alive at injection: the source preset's viability times this)"));
  CSGO(dset_strings(h, g, "source", t->source, n, "-",
                    "MSC source preset (reference, adipose, bone_marrow); '-' for il1ra"));
  CSGO(dset_doubles(h, g, "cells", t->cells, (hsize_t)n, 0, "cells",
                    "viable cells added to N: dose x viability x the source's viability (msc); 0 for il1ra"));
  CSGO(attr_long(g, "count", n));
done:
  h5_release(&g);
  return rc;
}

/* ------------------------------------------------------------------------ */
/* time series                                                                */

/* Chunks are allocated early (at creation and at each extension) whatever
 * the driver. Parallel HDF5 does so by default, the serial driver not
 * (incremental allocation); a file made on one rank and continued by
 * --restart on several then had chunks that parallel HDF5 never allocated
 * when the series grew past its first chunk, and its collective write went
 * to an undefined address (pwritev EINVAL, one rank failing while the other
 * waited in the collective: a hang). */

/* Unlimited 1-D float64 dataset with chunks of SERIES_CHUNK values. */
static int create_series_dset(hid_t loc, const char *name, const char *units, const char *long_name, hid_t *out)
{
  int rc = CS_OK;
  hid_t sp = H5I_INVALID_HID, dcpl = H5I_INVALID_HID, ds = H5I_INVALID_HID;
  hsize_t dims = 0, maxdims = H5S_UNLIMITED, chunk = SERIES_CHUNK;
  H5GO(sp = H5Screate_simple(1, &dims, &maxdims));
  H5GO(dcpl = H5Pcreate(H5P_DATASET_CREATE));
  H5GO(H5Pset_chunk(dcpl, 1, &chunk));
  /* Every row is written right after the extent grows to hold it: no fill
   * values (parallel HDF5 allocates chunks, and would fill them, at every
   * extension). */
  H5GO(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER));
  H5GO(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY)); /* see the comment above */
  H5GO(ds = H5Dcreate2(loc, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT));
  CSGO(attr_units(ds, units, long_name));
  *out = ds;
  ds = H5I_INVALID_HID;
done:
  h5_release(&ds);
  h5_release(&dcpl);
  h5_release(&sp);
  return rc;
}

int cs_h5out_series_define(cs_h5out *h, const char *group, const cs_h5_quantity *q, int n, int *series)
{
  *series = -1;
  h5_series *grown = realloc(h->series, sizeof *grown * (size_t)(h->nseries + 1));
  CS_CHECK_ALLOC(grown);
  h->series = grown;
  h5_series *s = &h->series[h->nseries];
  memset(s, 0, sizeof *s);
  s->gid = H5I_INVALID_HID;
  s->dset = malloc(sizeof *s->dset * (size_t)(n > 0 ? n : 1));
  CS_CHECK_ALLOC(s->dset);
  for (int i = 0; i < n; ++i) s->dset[i] = H5I_INVALID_HID;
  s->nq = n;
  snprintf(s->group, sizeof s->group, "%s", group);
  h->nseries++; /* registered now, so cs_h5out_close releases it even after a failure below */
  CS_CHECK(group_open(h, group, &s->gid));
  for (int i = 0; i < n; ++i) {
    if (h->reopened) CS_CHECK(open_existing(s->gid, q[i].name, group, &s->dset[i]));
    else CS_CHECK(create_series_dset(s->gid, q[i].name, q[i].units, q[i].long_name, &s->dset[i]));
  }
  *series = h->nseries - 1;
  return CS_OK;
}

/* Rows [at, at + n) of the 1-D dataset ds from rank 0's values v (the other
 * ranks select nothing): the extent change and the write are collective. */
static int write_rows(cs_h5out *h, hid_t ds, hsize_t at, hsize_t n, const double *v)
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
  h5_release(&ms);
  h5_release(&fs);
  return rc;
}

/* Write the buffered steps of one series: one hyperslab per quantity. */
static int series_write_pending(cs_h5out *h, h5_series *s)
{
  if (s->npending == 0) return CS_OK;
  const hsize_t n = (hsize_t)s->npending;
  double *col = malloc(sizeof *col * n);
  CS_CHECK_ALLOC(col);
  int rc = CS_OK;
  for (int i = 0; i < s->nq && rc == CS_OK; ++i) {
    if (h->rank == 0)
      for (hsize_t k = 0; k < n; ++k) col[k] = s->pending[k * (hsize_t)s->nq + (hsize_t)i];
    rc = write_rows(h, s->dset[i], s->count, n, col);
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
  h5_series *s = &h->series[series];
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
  int rc = s->npending >= 1024 ? series_write_pending(h, s) : CS_OK;
  h->io_seconds += MPI_Wtime() - t0;
  return rc;
}

/* ------------------------------------------------------------------------ */
/* fields                                                                     */

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
  hid_t sp = H5I_INVALID_HID, dcpl = H5I_INVALID_HID;
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

  CSGO(group_open(h, "fields", &h->fgroup));
  if (h->reopened) {
    CSGO(open_existing(h->fgroup, "time", "fields", &h->ftime));
    for (int i = 0; i < nq; ++i) CSGO(open_existing(h->fgroup, q[i].name, "fields", &h->fdset[i]));
    if (nq > 0) { /* as the interrupted run stored them */
      H5GO(dcpl = H5Dget_create_plist(h->fdset[0]));
      int nfilters = H5Pget_nfilters(dcpl);
      H5GO(nfilters);
      h->fdeflate = nfilters > 0;
    }
    goto done;
  }
  CSGO(create_series_dset(h->fgroup, "time", "day", "time of each field snapshot", &h->ftime));

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
  H5GO(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY)); /* as for the series (the comment above create_series_dset) */
  if (deflate) {
    if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0)
      CSGO(cs_error_set(CS_ERR_IO, "output.compress = %d but this HDF5 has no deflate filter", compress));
    H5GO(H5Pset_shuffle(dcpl));
    H5GO(H5Pset_deflate(dcpl, (unsigned)(compress > 9 ? 9 : compress)));
  }
  static const char *axes[4] = {"", "t z", "t z x", "t z y x"};
  for (int i = 0; i < nq; ++i) {
    H5GO(h->fdset[i] = H5Dcreate2(h->fgroup, q[i].name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    CSGO(attr_units(h->fdset[i], q[i].units, q[i].long_name));
    CSGO(attr_string(h->fdset[i], "axes", axes[h->fdim]));
  }
done:
  h5_release(&dcpl);
  h5_release(&sp);
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
static int fields_write_pending(cs_h5out *h)
{
  if (h->fnpend == 0) return CS_OK;
  int rc = CS_OK;
  hid_t fs = H5I_INVALID_HID, ms = H5I_INVALID_HID;
  const hsize_t n = (hsize_t)h->fnpend, at = h->fcount, size = at + n;
  CS_CHECK(write_rows(h, h->ftime, at, n, h->fpend_t));

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
    h5_release(&fs);
  }
  h->fcount = size;
  h->fnpend = 0;
done:
  h5_release(&fs);
  h5_release(&ms);
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
  /* state: cell = k + n0*(i + n1*j), quantity fastest; file: z, then y, then x fastest */
  for (int q = 0; q < h->nf; ++q) {
    double *b = h->fpend[q] + ncell * (size_t)h->fnpend;
    for (int k = 0; k < n0; ++k)
      for (int j = 0; j < n2; ++j)
        for (int i = 0; i < n1; ++i) *b++ = u[q + (size_t)h->nf * (size_t)(k + n0 * (i + n1 * j))];
  }
  h->fpend_t[h->fnpend++] = t;
  int rc = h->fnpend >= h->fmaxpend ? fields_write_pending(h) : CS_OK;
  h->io_seconds += MPI_Wtime() - t0;
  return rc;
}

/* ------------------------------------------------------------------------ */
/* flush, close                                                               */

/* Did the last collective step fail on any rank? Every rank must take the
 * same next step: one that stopped at a failed write while the others went
 * on to the next collective call hung the job (a full disk on 2 ranks). */
static int failed_anywhere(cs_h5out *h, int failed)
{
  if (h->size > 1) MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, h->comm);
  return failed;
}

int cs_h5out_flush(cs_h5out *h)
{
  double t0 = MPI_Wtime();
  if (h->poisoned) CS_FAIL(CS_ERR_IO, "cannot write %s: an earlier write failed", h->filename);
  double bytes = 0.0; /* what this flush writes, all ranks together */
  for (int i = 0; i < h->nseries; ++i) bytes += (double)h->series[i].npending * h->series[i].nq * sizeof(double);
  bytes += (double)h->fnpend * h->nf * (double)h->fN[0] * (double)h->fN[1] * (double)h->fN[2] * sizeof(double);
  if (cs_room_for(h->filename, bytes, h->comm) != CS_OK) {
    h->poisoned = 1; /* closing would write metadata too: the file stays as it is (cs_h5out_close) */
    return cs_error_code();
  }
  int failed = 0;
  for (int i = 0; i < h->nseries && !failed; ++i)
    failed = failed_anywhere(h, series_write_pending(h, &h->series[i]) != CS_OK);
  if (!failed) failed = failed_anywhere(h, fields_write_pending(h) != CS_OK);
  if (!failed) failed = failed_anywhere(h, H5Fflush(h->file, H5F_SCOPE_GLOBAL) < 0);
  if (failed) {
    h->poisoned = 1;
    cs_error_clear(); /* replace the bare HDF5 call by what the user needs to know */
    /* the usual cause: the disk is full (or a quota); say so with the numbers */
    char dir[4096];
    cs_path_dir(h->filename, dir, sizeof dir);
    CS_FAIL(CS_ERR_IO, "cannot write %s: HDF5 write/flush failed (%.1f MB free in %s: disk full?)" CS_H5OUT_INCOMPLETE,
            h->filename, cs_free_bytes(dir) / 1048576.0, dir);
  }
  h->io_seconds += MPI_Wtime() - t0;
  return CS_OK;
}

static int close_status(cs_h5out *h, const char *status, const char *reason)
{
  CS_CHECK(cs_h5out_meta_string(h, "status", status));
  CS_CHECK(cs_h5out_meta_string(h, "status_reason", reason ? reason : ""));
  htri_t ex = H5Aexists(h->meta, "end_time");
  CS_CHECK_H5(ex);
  if (!ex) {
    char buf[64];
    cs_utc_now(buf, sizeof buf);
    CS_CHECK(cs_h5out_meta_string(h, "end_time", buf));
  }
  CS_CHECK(cs_h5out_flush(h));
  return CS_OK;
}

/* The object's buffers; release_ids: its HDF5 ids too, all but the file's
 * (not for a poisoned file, whose HDF5 state is no longer to be touched). */
static void h5out_free_parts(cs_h5out *h, int release_ids)
{
  for (int s = 0; s < h->nseries; ++s) {
    for (int i = 0; i < h->series[s].nq && release_ids; ++i) h5_release(&h->series[s].dset[i]);
    if (release_ids) h5_release(&h->series[s].gid);
    free(h->series[s].dset);
    free(h->series[s].pending);
  }
  free(h->series);
  for (int i = 0; i < h->nf && release_ids; ++i) h5_release(&h->fdset[i]);
  free(h->fdset);
  for (int i = 0; i < h->nf && h->fpend; ++i) free(h->fpend[i]);
  free(h->fpend);
  free(h->fpend_t);
  if (release_ids) {
    h5_release(&h->ftime);
    h5_release(&h->fgroup);
    h5_release(&h->meta);
    h5_release(&h->dxpl);
    h5_release(&h->dxpl_ind);
  }
}

static void h5out_free(cs_h5out *h)
{
  if (h->comm != MPI_COMM_NULL) MPI_Comm_free(&h->comm);
  free(h);
}

/* Close everything the object holds; then the file must have no object
 * left open (checked, and forced closed if it has). */
int cs_h5out_close(cs_h5out *h, const char *status, const char *reason)
{
  if (!h) return CS_OK;
  if (h->poisoned) {
    /* After a failed write HDF5's collective close diverges between ranks
     * (one waits in a barrier of the metadata flush, another in the
     * truncate's broadcast) and on one rank it fails and keeps a stale id:
     * the file is left as it is (status `running`, every step up to the last
     * good flush readable) and the process ends without closing it
     * (solvers/main.c). */
    h5out_free_parts(h, 0);
    h5out_free(h);
    return CS_ERR_IO;
  }
  int rc = CS_OK;
  if (status && h->file >= 0 && h->meta >= 0) rc = close_status(h, status, reason);
  h5out_free_parts(h, 1);
  const hid_t file = h->file;
  if (file >= 0) {
    /* Objects in the file, never file ids: a file whose close failed (disk
     * full) keeps its id in HDF5 1.10 while its H5F_t is freed and reused by
     * the next file opened, so that stale id can appear to belong to this
     * file, and closing it would destroy this one (a sweep went on to crash). */
    const unsigned types = H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR | H5F_OBJ_LOCAL;
    ssize_t left = H5Fget_obj_count(file, types);
    if (left > 0) {
      hid_t *ids = malloc(sizeof *ids * (size_t)left);
      ssize_t got = ids ? H5Fget_obj_ids(file, types, (size_t)left, ids) : 0;
      for (ssize_t i = 0; i < got; ++i) h5_release(&ids[i]);
      free(ids);
      if (rc == CS_OK)
        rc = cs_error_trace(cs_error_set(CS_ERR_INTERNAL, "h5out: %zd HDF5 objects were left open", left),
                            __FILE__, __LINE__, "H5Fget_obj_count");
    }
    if (H5Fclose(file) < 0 && rc == CS_OK)
      rc = cs_error_trace(cs_error_set(CS_ERR_IO, "HDF5 call failed: H5Fclose"), __FILE__, __LINE__, "H5Fclose");
  }
  h5out_free(h);
  return rc;
}
