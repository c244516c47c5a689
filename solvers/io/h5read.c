#include "h5read.h"

#include <math.h>
#include <stdio.h>

double cs_h5_last(hid_t f, const char *path)
{
  double v = NAN;
  hid_t d;
  H5E_BEGIN_TRY { d = H5Dopen2(f, path, H5P_DEFAULT); } H5E_END_TRY;
  if (d < 0) return NAN;
  hid_t sp = H5Dget_space(d);
  hssize_t n = H5Sget_simple_extent_npoints(sp);
  if (n >= 1) {
    if (H5Sget_simple_extent_ndims(sp) == 0) {
      H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v);
    } else {
      hsize_t at = (hsize_t)n - 1, one = 1;
      hid_t ms = H5Screate_simple(1, &one, NULL);
      H5Sselect_hyperslab(sp, H5S_SELECT_SET, &at, NULL, &one, NULL);
      H5Dread(d, H5T_NATIVE_DOUBLE, ms, sp, H5P_DEFAULT, &v);
      H5Sclose(ms);
    }
  }
  H5Sclose(sp);
  H5Dclose(d);
  return v;
}

void cs_h5_meta_string(hid_t f, const char *name, char *out, size_t n)
{
  out[0] = '\0';
  hid_t a;
  H5E_BEGIN_TRY { a = H5Aopen_by_name(f, "meta", name, H5P_DEFAULT, H5P_DEFAULT); } H5E_END_TRY;
  if (a < 0) return;
  hid_t t = H5Aget_type(a);
  if (H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0) {
    char *s = NULL;
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5Tget_cset(t)); /* UTF-8: HDF5 converts no string between character sets */
    if (H5Aread(a, mt, &s) >= 0 && s) {
      snprintf(out, n, "%s", s);
      H5free_memory(s);
    }
    H5Tclose(mt);
  }
  H5Tclose(t);
  H5Aclose(a);
}
