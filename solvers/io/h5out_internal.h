/* h5out_internal.h - private to the output writer (solvers/io/h5out*.c):
 * the cs_h5out object, the goto-style check macros and the helpers the
 * parts share (prefix cs_h5o_). Not for use outside solvers/io/h5out*.c.
 *
 *   h5out.c         create, reopen (--restart) and cut back, flush, close
 *   h5out_attrs.c   ids, groups, attributes
 *   h5out_tables.c  /meta, /parameters, /grid, /outcomes, /treatments
 *   h5out_series.c  the time series (/timeseries, /solver, /fields/time)
 *   h5out_fields.c  the field snapshots (/fields)
 */
#ifndef CS_H5OUT_INTERNAL_H
#define CS_H5OUT_INTERNAL_H

#include <hdf5.h>
#include <mpi.h>

#include "../error.h"
#include "h5out.h"

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
} cs_h5o_series;

struct cs_h5out {
  MPI_Comm comm;   /* duplicate of the caller's communicator */
  int rank, size;
  hid_t file;
  hid_t meta;      /* /meta */
  hid_t dxpl;      /* collective transfer */
  hid_t dxpl_ind;  /* independent transfer: plain field datasets (cs_h5o_fields_write_pending) */
  cs_h5o_series *series;
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
  char filename[4096]; /* the output's name (messages, the room check's directory) */
  /* A new file is written as tmpname (OUT.tmp.<pid>, same directory) until
   * cs_h5out_publish renames it to filename; "" once published (or reopened).
   * Closed unpublished, it is removed: a run that fails to start leaves any
   * old OUT as it was. */
  char tmpname[4200];
  int force;       /* publishing may replace an existing file */
  int existed;     /* a file of that name existed at create */
};

/* ---- ids, groups, attributes (h5out_attrs.c) -------------------------------- */

/* Close any kind of id and set it to H5I_INVALID_HID; errors ignored. */
void cs_h5o_release(hid_t *id);
/* Open the group at `path` (from the root, '/'-separated), creating
 * missing components. */
int cs_h5o_group_open(cs_h5out *h, const char *path, hid_t *out);
/* Attributes, replacing one of the same name. Text: variable-length UTF-8. */
int cs_h5o_attr_string(hid_t obj, const char *name, const char *value);
int cs_h5o_attr_double(hid_t obj, const char *name, double v);
int cs_h5o_attr_long(hid_t obj, const char *name, long v);
/* "units" ("-" if NULL) and "long_name". */
int cs_h5o_attr_units(hid_t obj, const char *units, const char *long_name);
/* 1 if the string attribute `name` of obj exists and equals `want`. */
int cs_h5o_attr_string_is(hid_t obj, const char *name, const char *want);
/* An MPI return code as a cs code (for the goto-style functions). */
int cs_h5o_mpi_check(int mpi_rc, const char *what);

/* ---- restart (h5out.c) -------------------------------------------------------- */

/* A dataset access list with no chunk cache (every series and field
 * dataset, created or reopened; h5out.c says why), or H5I_INVALID_HID. */
hid_t cs_h5o_access_nocache(void);
/* Open dataset `name` of the output being restarted (in /group), without a
 * chunk cache. */
int cs_h5o_open_existing(hid_t loc, const char *name, const char *group, hid_t *out);
/* Cut dataset ds back to n entries along its first dimension. */
int cs_h5o_set_length(hid_t ds, hsize_t n);

/* ---- series (h5out_series.c) and fields (h5out_fields.c) ---------------------- */

/* Unlimited 1-D float64 dataset in chunks of `chunk` values, sized by
 * cs_h5o_series_chunk from the rows a run plans (h5out_series.c). */
hsize_t cs_h5o_series_chunk(long rows);
int cs_h5o_create_series_dset(hid_t loc, const char *name, const char *units, const char *long_name, hsize_t chunk,
                              hid_t *out);
/* Rows [at, at + n) of the 1-D dataset ds from rank 0's values v. Collective. */
int cs_h5o_write_rows(cs_h5out *h, hid_t ds, hsize_t at, hsize_t n, const double *v);
/* Write the waiting steps of one series / the waiting field snapshots. */
int cs_h5o_series_write_pending(cs_h5out *h, cs_h5o_series *s);
int cs_h5o_fields_write_pending(cs_h5out *h);

#endif
