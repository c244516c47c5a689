/* h5read.h - small reads of a cartsim run file by the tools that look at
 * finished runs (the sweep's summary, --baseline): the last value of a series
 * and a string attribute of /meta. Serial HDF5 calls on a file the caller
 * opened; absent or unreadable items read as NaN / "". */
#ifndef CS_H5READ_H
#define CS_H5READ_H

#include <hdf5.h>
#include <stddef.h>

/* The last value of the 1-D dataset at path (a scalar dataset: its value);
 * NaN if absent, empty or unreadable. */
double cs_h5_last(hid_t f, const char *path);

/* The variable-length string attribute `name` of /meta into out ("" if
 * absent or of another type). */
void cs_h5_meta_string(hid_t f, const char *name, char *out, size_t n);

#endif
