#include "h5read.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void cs_h5_extent_text(hid_t space, char *out, size_t n)
{
  const H5S_class_t cls = H5Sget_simple_extent_type(space);
  const int rank = H5Sget_simple_extent_ndims(space);
  if (cls == H5S_SCALAR) {
    snprintf(out, n, "a scalar");
    return;
  }
  if (cls == H5S_NULL || rank < 0 || rank > H5S_MAX_RANK) {
    snprintf(out, n, "empty");
    return;
  }
  hsize_t d[H5S_MAX_RANK];
  H5Sget_simple_extent_dims(space, d, NULL);
  size_t len = (size_t)snprintf(out, n, "[");
  for (int i = 0; i < rank && len < n; ++i)
    len += (size_t)snprintf(out + len, n - len, "%s%llu", i ? ", " : "", (unsigned long long)d[i]);
  if (len < n) snprintf(out + len, n - len, "]");
}

int cs_h5_numbers_shaped(hid_t obj, int is_attr, int rank, const unsigned long long *want, char *have, size_t n)
{
  snprintf(have, n, "unreadable");
  hid_t type = is_attr ? H5Aget_type(obj) : H5Dget_type(obj);
  hid_t space = is_attr ? H5Aget_space(obj) : H5Dget_space(obj);
  int ok = 0;
  if (type >= 0 && space >= 0) {
    const H5T_class_t cls = H5Tget_class(type);
    cs_h5_extent_text(space, have, n);
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) {
      snprintf(have, n, cls == H5T_STRING ? "text" : "not numbers");
    } else {
      const H5S_class_t sc = H5Sget_simple_extent_type(space);
      const int r = H5Sget_simple_extent_ndims(space);
      if (rank == 0) {
        ok = sc == H5S_SCALAR || (sc == H5S_SIMPLE && r == 1 && H5Sget_simple_extent_npoints(space) == 1);
      } else if (sc == H5S_SIMPLE && r == rank) {
        hsize_t d[H5S_MAX_RANK];
        H5Sget_simple_extent_dims(space, d, NULL);
        ok = 1;
        for (int i = 0; i < rank; ++i) ok = ok && d[i] == (hsize_t)want[i];
      }
    }
  }
  if (type >= 0) H5Tclose(type);
  if (space >= 0) H5Sclose(space);
  return ok;
}

double cs_h5_last(hid_t f, const char *path)
{
  double v = NAN;
  hid_t d;
  H5E_BEGIN_TRY { d = H5Dopen2(f, path, H5P_DEFAULT); } H5E_END_TRY;
  if (d < 0) return NAN;
  hid_t sp = H5Dget_space(d), t = H5Dget_type(d);
  const H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
  const int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1; /* only 0 or 1: the selection below is 1-D */
  hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : 0;
  if (n >= 1 && (cls == H5T_FLOAT || cls == H5T_INTEGER)) {
    if (rank == 0) {
      H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v);
    } else if (rank == 1) {
      hsize_t at = (hsize_t)n - 1, one = 1;
      hid_t ms = H5Screate_simple(1, &one, NULL);
      H5Sselect_hyperslab(sp, H5S_SELECT_SET, &at, NULL, &one, NULL);
      if (H5Dread(d, H5T_NATIVE_DOUBLE, ms, sp, H5P_DEFAULT, &v) < 0) v = NAN;
      H5Sclose(ms);
    }
  }
  if (t >= 0) H5Tclose(t);
  if (sp >= 0) H5Sclose(sp);
  H5Dclose(d);
  return v;
}

void cs_h5_meta_string(hid_t f, const char *name, char *out, size_t n)
{
  out[0] = '\0';
  hid_t a;
  H5E_BEGIN_TRY { a = H5Aopen_by_name(f, "meta", name, H5P_DEFAULT, H5P_DEFAULT); } H5E_END_TRY;
  if (a < 0) return;
  hid_t t = H5Aget_type(a), sp = H5Aget_space(a);
  /* one string only: H5Aread fills one pointer per element */
  if (H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0 && sp >= 0 &&
      H5Sget_simple_extent_npoints(sp) == 1) {
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
  if (sp >= 0) H5Sclose(sp);
  H5Tclose(t);
  H5Aclose(a);
}

void cs_h5_fixed_string(hid_t f, const char *path, char *out, size_t n)
{
  out[0] = '\0';
  hid_t d;
  H5E_BEGIN_TRY { d = H5Dopen2(f, path, H5P_DEFAULT); } H5E_END_TRY;
  if (d < 0) return;
  hid_t t = H5Dget_type(d), sp = H5Dget_space(d);
  const size_t size = t >= 0 ? H5Tget_size(t) : 0;
  if (t >= 0 && H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) == 0 && size > 0 && size < n && sp >= 0 &&
      H5Sget_simple_extent_npoints(sp) == 1) {
    hid_t mt = H5Tcopy(t); /* the file's width, nul-terminated or padded: out has room for one more */
    memset(out, 0, size + 1);
    if (H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0) out[0] = '\0';
    H5Tclose(mt);
  }
  if (sp >= 0) H5Sclose(sp);
  if (t >= 0) H5Tclose(t);
  H5Dclose(d);
}
