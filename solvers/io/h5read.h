/* h5read.h - small reads of HDF5 files cartsim did not just write itself:
 * a finished run (the sweep's summary, --baseline) and a state file
 * (--from-state, --restart's checkpoints). Such a file may be damaged or come
 * from another version, so nothing is read before its shape and type are
 * checked: a dataset read with H5S_ALL into a buffer of the expected size
 * overflowed it when the file held more (a stack overflow, exit 139), and a
 * hyperslab of the expected extent read a shorter dataset only in part.
 * Serial HDF5 calls on a file the caller opened. */
#ifndef CS_H5READ_H
#define CS_H5READ_H

#include <hdf5.h>
#include <stddef.h>

/* The last value of the 1-D numeric dataset at path (a scalar dataset: its
 * value); NaN if absent, empty, of another rank or type, or unreadable. */
double cs_h5_last(hid_t f, const char *path);

/* The variable-length string attribute `name` of /meta into out ("" if
 * absent or of another type or shape). */
void cs_h5_meta_string(hid_t f, const char *name, char *out, size_t n);

/* The fixed-length string dataset at path, one string (as h5out writes a
 * parameter's choice: /parameters/solver/krylov), into out ("" if absent,
 * of another type or shape, or not shorter than n). */
void cs_h5_fixed_string(hid_t f, const char *path, char *out, size_t n);

/* The extent of a dataspace as text: "[48, 1, 9]", "a scalar", "empty". */
void cs_h5_extent_text(hid_t space, char *out, size_t n);

/* Does dataset or attribute `obj` (is_attr: an attribute) hold numbers
 * (integer or floating-point) of exactly the extent want[0..rank)? rank 0
 * means one value: a scalar, or a 1-D extent of one. 1 if so; else 0 with its
 * extent (or "text", "not numbers") in `have`. */
int cs_h5_numbers_shaped(hid_t obj, int is_attr, int rank, const unsigned long long *want, char *have, size_t n);

#endif
