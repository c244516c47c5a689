/* h5out.h - the cartsim HDF5 output file (parallel HDF5, one file per run).
 *
 * Layout (docs/output.md is the reference for users):
 *   /meta            attributes: cartsim_version, git_sha, sundials_version,
 *                    hdf5_version, mpi_version, ranks, command_line,
 *                    start_time, end_time (ISO 8601 UTC), wall_seconds,
 *                    solve_seconds, status ("running" | "complete" |
 *                    "failed" | "interrupted"), status_reason, description;
 *                    dataset /meta/config: the resolved config YAML text.
 *   /parameters      one scalar dataset per model parameter (model.md name),
 *                    attributes units, long_name (help text); likewise
 *                    /parameters/<section>/... for grid, initial, solver,
 *                    output, run.
 *   /grid            datasets z (and x, y): cell centres in mm; attributes
 *                    dim, nz, nx, ny, H, Lx, Ly.
 *   /timeseries/<q>  1-D float64, unlimited, chunked, one value per output
 *                    step; attributes units, long_name. Includes "time".
 *   /solver/<q>      same shape as the time series: cumulative solver
 *                    counters and phase timings per output step.
 *   /fields/<s>      float64 [t, nz], [t, nz, nx] or [t, nz, ny, nx] per
 *                    species, unlimited in t, chunks of up to 64
 *                    snapshots (at most 1 MiB, at least one snapshot),
 *                    written collectively from each rank's hyperslab;
 *                    /fields/time holds the snapshot times.
 *   /outcomes/<q>    scalar per-run outcome metrics with units/long_name.
 *   /treatments      compound-free table: datasets type (string), day, dose,
 *                    viability, source (string), cells.
 * Every collective call below must be made by all ranks of the communicator
 * with the same arguments except the local data. Values given "from rank 0"
 * are only read on rank 0.
 */
#ifndef CS_H5OUT_H
#define CS_H5OUT_H

#include <mpi.h>

#include "../../model/grid.h"
#include "../../model/options.h"

/* The end of the message of a failed write: a standalone run's advice (a
 * sweep removes the partial file, so it cuts this off). */
#define CS_H5OUT_INCOMPLETE "; the file is incomplete and stays marked running"

typedef struct cs_h5out cs_h5out;

typedef struct {
  const char *name;       /* dataset name */
  const char *units;
  const char *long_name;
} cs_h5_quantity;

/* Create a new output for `path` collectively. Refuses an existing file
 * unless `force` (CS_ERR_IO, message names the path and suggests --force), and
 * with `force` anything but a regular file or a symbolic link; checks that the
 * directory is writable. The file starts with /meta status "running".
 * It is written under a temporary name in the same directory (PATH.tmp.<pid>)
 * until cs_h5out_publish: an existing PATH is not touched before then (a
 * program reading it keeps its copy), and an object closed unpublished is
 * removed, so a run that fails to start leaves PATH as it was. */
int cs_h5out_create(const char *path, MPI_Comm comm, int force, cs_h5out **out);

/* The new file takes its name: renamed over PATH (with `force`; a symbolic
 * link there is replaced, not followed), or linked to PATH only if that is
 * still free. Call it once the file holds what makes it a run's output (the
 * header and the empty datasets, flushed). Collective; no-op for a reopened
 * or already published file. */
int cs_h5out_publish(cs_h5out *h);

/* Reopen the output of an interrupted run (`cartsim run --restart`):
 * status goes back to "running"; the define calls below then open the
 * existing datasets instead of creating them, and the truncate calls cut
 * them back to what a checkpoint had written. Collective. */
int cs_h5out_reopen(const char *path, MPI_Comm comm, cs_h5out **out);
int cs_h5out_is_reopened(const cs_h5out *h);
int cs_h5out_series_truncate(cs_h5out *h, int series, long count);
int cs_h5out_fields_truncate(cs_h5out *h, long count);

/* String / numeric attributes of /meta (collective; rank 0's value is
 * broadcast and written, so ranks cannot disagree). Setting an existing
 * attribute replaces it. Text attributes are variable-length UTF-8 (h5py
 * reads them as str); text datasets are fixed-length UTF-8 (.asstr()). */
int cs_h5out_meta_string(cs_h5out *h, const char *name, const char *value);
int cs_h5out_meta_double(cs_h5out *h, const char *name, double value);
int cs_h5out_meta_int(cs_h5out *h, const char *name, long value);
/* /meta/config: text dataset (text from rank 0). */
int cs_h5out_config_text(cs_h5out *h, const char *yaml);

/* Scalars of a table: group "/parameters" for the section "model",
 * "/parameters/<section>" for the others ("treatments[]" -> "treatments").
 * Enum values are written as strings (with an attribute `choices`), the
 * rest as float64 in display units. Values of rank 0's `obj` are written. */
int cs_h5out_parameters(cs_h5out *h, const cs_opt_table *t, const void *obj);

/* /grid from the global grid description (H in mm). */
int cs_h5out_grid(cs_h5out *h, const cs_grid *g, double H);

/* Define a group of time series ("timeseries" or "solver"); returns its
 * handle in *series (an index >= 0). `rows`: how many rows the run plans
 * to append (0 if unknown); it sizes the chunks, not the datasets, which
 * grow with every append. */
int cs_h5out_series_define(cs_h5out *h, const char *group, const cs_h5_quantity *q, int n, long rows, int *series);
/* Append one value per quantity (values read on rank 0; collective).
 * Buffered: the values reach the file at the next cs_h5out_flush (or
 * close, or after 1024 steps). */
int cs_h5out_series_append(cs_h5out *h, int series, const double *values);

/* Fields: define one dataset per quantity (species) for the global grid;
 * append a snapshot from each rank's owned values `u` (species fastest,
 * cs_cell order of `pt`, the patch given to define) at time t. Collective.
 * The value of quantity q in cell c is u[q + nq*c]: with nq == CS_NS that is
 * CS_IDX(q, c), i.e. the state itself. Buffered like the time series: the
 * snapshot is copied and reaches the file at the next cs_h5out_flush (or
 * close, or once the waiting snapshots of the whole grid reach 16 MB).
 * `compress`: deflate level, applied to snapshots of at least 64 kB per
 * quantity (one snapshot per chunk); smaller ones are stored plain in chunks
 * of several snapshots (h5out_fields.c, FIELDS_DEFLATE_MIN_BYTES). */
int cs_h5out_fields_define(cs_h5out *h, const cs_h5_quantity *q, int nq, const cs_patch *pt, int compress);
int cs_h5out_fields_append(cs_h5out *h, double t, const double *u, const cs_patch *pt);

/* /outcomes scalars (values from rank 0). */
int cs_h5out_outcomes(cs_h5out *h, const cs_h5_quantity *q, const double *values, int n);

/* Treatments table (arrays of length n, from rank 0): kind, day, dose,
 * the user's viability factor, the cell source ("-" for il1ra) and the
 * viable cells added (0 for il1ra). */
typedef struct {
  const char *const *type, *const *source;
  const double *day, *dose, *viability, *cells;
} cs_h5_treatments;
int cs_h5out_treatments(cs_h5out *h, const cs_h5_treatments *t, int n);

/* Write the buffered time-series steps and field snapshots and flush the
 * file. */
int cs_h5out_flush(cs_h5out *h);

/* Set /meta status ("complete" or "failed") and reason (and end_time if
 * not set yet), flush and close every id. `h` is freed even on error;
 * status NULL closes without touching /meta. Returns CS_ERR_INTERNAL if an
 * object of the file was still open (it is closed anyway). A file never
 * published is closed without a status and removed. */
int cs_h5out_close(cs_h5out *h, const char *status, const char *reason);

/* Seconds this rank spent in series/fields appends and flushes so far
 * (for the io_seconds timing). */
double cs_h5out_io_seconds(const cs_h5out *h);

/* Number of open HDF5 file, group, dataset, attribute and named-datatype
 * ids in the process, over all files (H5Fget_obj_count(H5F_OBJ_ALL, ...));
 * -1 on error. Tests take it before cs_h5out_create and compare after
 * cs_h5out_close: equal means no such id leaked. (HDF5 1.10 has no public
 * count of dataspace, datatype or property-list ids; cs_h5out_close also
 * checks that its file has no object left open, and closes any.) */
long cs_h5out_open_ids(void);

#endif
