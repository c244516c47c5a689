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
 * This file: the object's life (create, reopen for --restart, flush,
 * close) and how a restart reopens and cuts back a dataset. The rest, one
 * file each (h5out_internal.h holds what they share): h5out_attrs.c (ids,
 * groups, attributes), h5out_tables.c (/meta, /parameters, /grid,
 * /outcomes, /treatments), h5out_series.c (the time series),
 * h5out_fields.c (the field snapshots).
 *
 * Every hid_t these files open is either local to a function and released
 * on all paths (the `done:` labels), or stored in the cs_h5out object and
 * released by cs_h5out_close(), which also checks that the file has no
 * object left open.
 */
#define _POSIX_C_SOURCE 200809L

#include "h5out.h"

#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../buildinfo.h"
#include "../error.h"
#include "../heap.h"
#include "driver.h"
#include "h5out_internal.h"
#include "path.h"
#include "room.h"

double cs_h5out_io_seconds(const cs_h5out *h) { return h ? h->io_seconds : 0.0; }

/* ------------------------------------------------------------------------ */
/* create                                                                     */

/* Did the HDF5 call that just failed fail to lock the file (flock refused:
 * another program holds it, or a file system without locks)? */
static herr_t find_lock_error(unsigned n, const H5E_error2_t *e, void *found)
{
  (void)n;
  if (e->min_num == H5E_CANTLOCKFILE) *(int *)found = 1;
  return 0;
}

static int hdf5_lock_failed(void)
{
  int found = 0;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, find_lock_error, &found);
  return found;
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
 * small and independent of heap layout. Process-wide; glibc only; never lowers
 * what cs_heap_prepare set (solvers/heap.h). */
static void keep_heap_top(void) { cs_heap_keep_top((size_t)16 << 20); }

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

  /* Rank 0 decides, everyone returns the same verdict and message, and
   * writes the same temporary file (rank 0's pid in its name). */
  struct {
    int code, existed;
    char msg[1000], tmp[4200];
  } verdict = {0, 0, "", ""};
  if (rank == 0) {
    snprintf(verdict.tmp, sizeof verdict.tmp, "%s.tmp.%ld", path, (long)getpid());
    verdict.code = cs_path_check_new(path, force, verdict.tmp, "output directory", &verdict.existed, verdict.msg,
                                     sizeof verdict.msg); /* leaves verdict.tmp, empty, for the new file */
  }
  CS_CHECK_MPI(MPI_Bcast(&verdict, (int)sizeof verdict, MPI_BYTE, 0, comm));
  if (verdict.code) CS_FAIL(verdict.code, "%s", verdict.msg);

  cs_h5out *h = NULL;
  if ((rc = h5out_alloc(comm, 0, &h))) {
    if (rank == 0) unlink(verdict.tmp);
    return rc;
  }
  snprintf(h->filename, sizeof h->filename, "%s", path);
  snprintf(h->tmpname, sizeof h->tmpname, "%s", verdict.tmp); /* from now on close() removes it unless published */
  h->force = force;
  h->existed = verdict.existed;
  hid_t fapl = H5I_INVALID_HID;
  rc = CS_OK;
  CSGO(select_driver(h, &fapl));
  h->file = H5Fcreate(h->tmpname, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  if (h->file < 0) {
    /* A new name in a directory we can write: not another program's file.
     * What is left is the file system: its locks, or its space. */
    char dir[4096];
    cs_path_dir(path, dir, sizeof dir);
    const double mb = cs_free_bytes(dir) / 1048576.0;
    if (hdf5_lock_failed())
      rc = cs_error_set(CS_ERR_IO, "cannot create HDF5 file %s: the file system of %s refuses HDF5's file locks "
                        "(a network file system?): set HDF5_USE_FILE_LOCKING=FALSE", path, dir);
    else if (mb >= 0.0 && mb < 0.1)
      rc = cs_error_set(CS_ERR_IO, "cannot create HDF5 file %s: no space left (%.1f MB free in %s)", path, mb, dir);
    else
      rc = cs_error_set(CS_ERR_IO, "cannot create HDF5 file %s (HDF5 create failed, %.1f MB free in %s)", path, mb, dir);
    rc = cs_error_trace(rc, __FILE__, __LINE__, "H5Fcreate");
    goto done;
  }
  CSGO(create_meta(h));
  CSGO(cs_h5out_flush(h));
done:
  cs_h5o_release(&fapl);
  if (rc != CS_OK) {
    cs_h5out_close(h, NULL, NULL); /* releases what was opened, removes the file; keeps the first error */
    return rc;
  }
  *out = h;
  return CS_OK;
}

int cs_h5out_publish(cs_h5out *h)
{
  if (!h->tmpname[0]) return CS_OK;
  struct {
    int code;
    char msg[1000];
  } verdict = {0, ""};
  if (h->rank == 0) {
    const char *tmp = h->tmpname, *path = h->filename;
    struct stat st;
    int e = 0;
    if (h->force) {
      if (rename(tmp, path) != 0) e = errno;
    } else if (link(tmp, path) == 0) { /* only if the name is still free */
      unlink(tmp);
    } else if (errno == EEXIST) {
      snprintf(verdict.msg, sizeof verdict.msg, "%.900s exists (created while this run started; use --force to "
               "overwrite)", path);
      verdict.code = CS_ERR_IO;
    } else if (lstat(path, &st) == 0) { /* a file system without hard links */
      snprintf(verdict.msg, sizeof verdict.msg, "%.900s exists (use --force to overwrite)", path);
      verdict.code = CS_ERR_IO;
    } else if (rename(tmp, path) != 0) {
      e = errno;
    }
    if (e) {
      snprintf(verdict.msg, sizeof verdict.msg, "cannot rename %.400s to %.400s: %s", tmp, path, strerror(e));
      verdict.code = CS_ERR_IO;
    }
  }
  CS_CHECK_MPI(MPI_Bcast(&verdict, (int)sizeof verdict, MPI_BYTE, 0, h->comm));
  if (verdict.code) CS_FAIL(verdict.code, "%s", verdict.msg); /* close() removes the new file */
  h->tmpname[0] = '\0';
  return CS_OK;
}

/* Reopen an interrupted run's file to continue it (see h5out.h). */
int cs_h5out_reopen(const char *path, MPI_Comm comm, cs_h5out **out)
{
  *out = NULL;
  int rank, rc, readable = 0;
  CS_CHECK_MPI(MPI_Comm_rank(comm, &rank));
  int err = 0;
  if (rank == 0) {
    readable = access(path, R_OK | W_OK) == 0;
    err = errno;
  }
  CS_CHECK_MPI(MPI_Bcast(&readable, 1, MPI_INT, 0, comm));
  CS_CHECK_MPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  if (!readable && err == ENOENT)
    CS_FAIL(CS_ERR_IO, "--restart: %s does not exist: --restart continues an existing output (to start the run "
            "again, leave out --restart)", path);
  if (!readable) CS_FAIL(CS_ERR_IO, "--restart: cannot open %s for writing: %s", path, strerror(err));
  cs_h5out *h = NULL;
  CS_CHECK(h5out_alloc(comm, 1, &h));
  hid_t fapl = H5I_INVALID_HID;
  rc = CS_OK;
  CSGO(select_driver(h, &fapl));
  snprintf(h->filename, sizeof h->filename, "%s", path);
  H5E_BEGIN_TRY { h->file = H5Fopen(path, H5F_ACC_RDWR, fapl); } H5E_END_TRY;
  if (h->file < 0 && hdf5_lock_failed()) {
    rc = cs_error_set(CS_ERR_IO, "--restart: cannot lock %s: it is open in another program (h5py, HDFView, "
                      "ParaView?), or the file system refuses HDF5's file locks: close it, or set "
                      "HDF5_USE_FILE_LOCKING=FALSE, and rerun", path);
    rc = cs_error_trace(rc, __FILE__, __LINE__, "H5Fopen");
    goto done;
  }
  if (h->file < 0) {
    rc = cs_error_set(CS_ERR_IO, "--restart: %s is not a readable HDF5 file (if HDF5 reports the file as "
                      "already open, clear the flag with: h5clear -s %s)", path, path);
    rc = cs_error_trace(rc, __FILE__, __LINE__, "H5Fopen");
    goto done;
  }
  H5GO(h->meta = H5Gopen2(h->file, "meta", H5P_DEFAULT));
  if (cs_h5o_attr_string_is(h->meta, "status", "complete")) { /* every rank reads the same attribute */
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
  cs_h5o_release(&fapl);
  if (rc != CS_OK) {
    cs_h5out_close(h, NULL, NULL);
    return rc;
  }
  *out = h;
  return CS_OK;
}

int cs_h5out_is_reopened(const cs_h5out *h) { return h->reopened; }

/* Series and field datasets, new or reopened, are used without HDF5's
 * chunk cache. A plain chunk is then written straight from our buffer; through
 * the cache, HDF5 first read the whole chunk back (allocated early, so "on
 * disk" though never written: a read past the end of the file, zero-filled
 * into a fresh buffer), and kept it until the dataset closed. On one rank
 * (POSIX driver) that was 3.5 MB of zero-filled buffers and ~830 page faults
 * for the nz 768 reference's field chunks, ~5 ms of a 0.13 s run; MPI-IO
 * bypasses the cache for plain chunks anyway. Deflated chunks still pass
 * through the library's chunk buffer, one at a time. */
hid_t cs_h5o_access_nocache(void)
{
  hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
  if (dapl >= 0 && H5Pset_chunk_cache(dapl, H5D_CHUNK_CACHE_NSLOTS_DEFAULT, 0, H5D_CHUNK_CACHE_W0_DEFAULT) < 0) {
    H5Pclose(dapl);
    return H5I_INVALID_HID;
  }
  return dapl;
}

/* A dataset of the output being restarted, opened without a chunk cache.
 * Shrinking a chunked dataset (cs_h5o_set_length) rewrites the partial last
 * chunk; through the cache that copy reached the file at some later flush,
 * after the appends (MPI-IO writes, which bypass the cache) and over them: the
 * first steps written after a restart read back as zeros. Flushing straight
 * after the cut mended plain datasets but not deflated ones (HDF5 1.10.8
 * then fails to read the chunk back for the next append). With no cache the
 * cut goes to the file at once (tests/io/test_h5out_restart.c). */
int cs_h5o_open_existing(hid_t loc, const char *name, const char *group, hid_t *out)
{
  hid_t dapl = cs_h5o_access_nocache();
  CS_CHECK_H5(dapl);
  H5E_BEGIN_TRY { *out = H5Dopen2(loc, name, dapl); } H5E_END_TRY;
  H5Pclose(dapl);
  if (*out < 0) CS_FAIL(CS_ERR_IO, "--restart: the output has no /%s/%s (written by another cartsim?)", group, name);
  return CS_OK;
}

int cs_h5o_set_length(hid_t ds, hsize_t n)
{
  hid_t sp = H5Dget_space(ds);
  CS_CHECK_H5(sp);
  hsize_t dims[4] = {0, 0, 0, 0};
  const int rank = H5Sget_simple_extent_ndims(sp); /* before dims[4] is filled: a damaged file may have more */
  if (rank >= 1 && rank <= 4) H5Sget_simple_extent_dims(sp, dims, NULL);
  H5Sclose(sp);
  CS_CHECK_H5(rank);
  if (rank < 1 || rank > 4)
    CS_FAIL(CS_ERR_IO, "--restart: the output holds a dataset of rank %d where cartsim writes 1 to 4 (damaged?)", rank);
  if (dims[0] < n) CS_FAIL(CS_ERR_IO, "--restart: the output holds %llu steps, the checkpoint %llu",
                           (unsigned long long)dims[0], (unsigned long long)n);
  dims[0] = n;
  CS_CHECK_H5(H5Dset_extent(ds, dims));
  return CS_OK;
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

/* The bytes of data waiting for the next flush, all ranks together. */
static double pending_bytes(const cs_h5out *h)
{
  double bytes = 0.0;
  for (int i = 0; i < h->nseries; ++i) bytes += (double)h->series[i].npending * h->series[i].nq * sizeof(double);
  bytes += (double)h->fnpend * h->nf * (double)h->fN[0] * (double)h->fN[1] * (double)h->fN[2] * sizeof(double);
  return bytes;
}

/* The end of the message of a failed write before the file was published:
 * the new file is removed, an old output kept. */
static const char *unpublished_note(const cs_h5out *h)
{
  return h->existed ? "; the existing file was left as it was" : "; no output was written";
}

/* Write what is pending and flush, after checking that the disk has room for
 * it and `margin` more (room.h). */
static int flush_with_margin(cs_h5out *h, double margin)
{
  double t0 = MPI_Wtime();
  if (h->poisoned) CS_FAIL(CS_ERR_IO, "cannot write %s: an earlier write failed", h->filename);
  const double bytes = pending_bytes(h);
  if (cs_room_for(h->filename, bytes, margin, h->comm) != CS_OK) {
    h->poisoned = 1; /* closing would write metadata too: the file stays as it is (cs_h5out_close) */
    if (h->tmpname[0]) { /* say what became of the output */
      char msg[1024];
      snprintf(msg, sizeof msg, "%s", cs_error_message());
      cs_error_clear();
      CS_FAIL(CS_ERR_IO, "%s%s", msg, unpublished_note(h));
    }
    return cs_error_code();
  }
  int failed = 0;
  for (int i = 0; i < h->nseries && !failed; ++i)
    failed = failed_anywhere(h, cs_h5o_series_write_pending(h, &h->series[i]) != CS_OK);
  if (!failed) failed = failed_anywhere(h, cs_h5o_fields_write_pending(h) != CS_OK);
  if (!failed) failed = failed_anywhere(h, H5Fflush(h->file, H5F_SCOPE_GLOBAL) < 0);
  if (failed) {
    h->poisoned = 1;
    cs_error_clear(); /* replace the bare HDF5 call by what the user needs to know */
    /* the usual cause: the disk is full (or a quota); say so with the numbers */
    char dir[4096];
    cs_path_dir(h->filename, dir, sizeof dir);
    CS_FAIL(CS_ERR_IO, "cannot write %s: HDF5 write/flush failed (%.1f MB free in %s: disk full?)%s",
            h->filename, cs_free_bytes(dir) / 1048576.0, dir, h->tmpname[0] ? unpublished_note(h) : CS_H5OUT_INCOMPLETE);
  }
  h->io_seconds += MPI_Wtime() - t0;
  return CS_OK;
}

int cs_h5out_flush(cs_h5out *h) { return flush_with_margin(h, CS_ROOM_MARGIN); }

/* The status goes in last. Everything else is flushed first, with the room
 * check, while the file still says `running`: the status used to be written
 * first and the flush after it demanded 1 MiB even with nothing left to
 * write, so on an almost full disk the run exited 4 ("disk full") with a file
 * whose status HDF5 had already written as `complete`. Now a failed check
 * leaves `running` on disk (the file is not flushed again), and once it passed
 * only the few status attributes remain. */
static int close_status(cs_h5out *h, const char *status, const char *reason)
{
  /* data still pending: the full margin; else only the outcomes and /meta
   * attributes written since the last flush remain */
  CS_CHECK(flush_with_margin(h, pending_bytes(h) > 0 ? CS_ROOM_MARGIN : CS_ROOM_MARGIN_META));
  CS_CHECK(cs_h5out_meta_string(h, "status", status));
  CS_CHECK(cs_h5out_meta_string(h, "status_reason", reason ? reason : ""));
  htri_t ex = H5Aexists(h->meta, "end_time");
  CS_CHECK_H5(ex);
  if (!ex) {
    char buf[64];
    cs_utc_now(buf, sizeof buf);
    CS_CHECK(cs_h5out_meta_string(h, "end_time", buf));
  }
  CS_CHECK(flush_with_margin(h, CS_ROOM_MARGIN_META));
  return CS_OK;
}

/* The object's buffers; release_ids: its HDF5 ids too, all but the file's
 * (not for a poisoned file, whose HDF5 state is no longer to be touched). */
static void h5out_free_parts(cs_h5out *h, int release_ids)
{
  for (int s = 0; s < h->nseries; ++s) {
    for (int i = 0; i < h->series[s].nq && release_ids; ++i) cs_h5o_release(&h->series[s].dset[i]);
    if (release_ids) cs_h5o_release(&h->series[s].gid);
    free(h->series[s].dset);
    free(h->series[s].pending);
  }
  free(h->series);
  for (int i = 0; i < h->nf && release_ids; ++i) cs_h5o_release(&h->fdset[i]);
  free(h->fdset);
  for (int i = 0; i < h->nf && h->fpend; ++i) free(h->fpend[i]);
  free(h->fpend);
  free(h->fpend_t);
  if (release_ids) {
    cs_h5o_release(&h->ftime);
    cs_h5o_release(&h->fgroup);
    cs_h5o_release(&h->meta);
    cs_h5o_release(&h->dxpl);
    cs_h5o_release(&h->dxpl_ind);
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
  const int discard = h->tmpname[0] != '\0'; /* never published: a failed start, removed */
  if (discard) status = NULL;
  if (h->poisoned) {
    /* After a failed write HDF5's collective close diverges between ranks
     * (one waits in a barrier of the metadata flush, another in the
     * truncate's broadcast) and on one rank it fails and keeps a stale id:
     * the file is left as it is (status `running`, every step up to the last
     * good flush readable) and the process ends without closing it
     * (solvers/main.c). */
    if (discard && h->rank == 0) unlink(h->tmpname);
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
      for (ssize_t i = 0; i < got; ++i) cs_h5o_release(&ids[i]);
      free(ids);
      if (rc == CS_OK)
        rc = cs_error_trace(cs_error_set(CS_ERR_INTERNAL, "h5out: %zd HDF5 objects were left open", left),
                            __FILE__, __LINE__, "H5Fget_obj_count");
    }
    if (H5Fclose(file) < 0 && rc == CS_OK)
      rc = cs_error_trace(cs_error_set(CS_ERR_IO, "HDF5 call failed: H5Fclose"), __FILE__, __LINE__, "H5Fclose");
  }
  if (discard && h->rank == 0) unlink(h->tmpname); /* after the (collective) close */
  h5out_free(h);
  return rc;
}
