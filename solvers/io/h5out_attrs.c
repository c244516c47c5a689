/* h5out_attrs.c - HDF5 helpers of the output writer: releasing any kind of
 * id, counting the ids left open, opening (and creating) groups by path,
 * and attributes: variable-length UTF-8 text, float64, int64, and the
 * units / long_name pair every dataset carries. Attribute writes are
 * collective: every rank passes the same value.
 */
#include <stdio.h>
#include <string.h>

#include "h5out_internal.h"

/* ------------------------------------------------------------------------ */
/* id helpers                                                                 */

/* Close any kind of id and set it to H5I_INVALID_HID. Errors are ignored:
 * used on cleanup paths. */
void cs_h5o_release(hid_t *id)
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

/* Open the group at `path` (relative to the file root, '/'-separated),
 * creating missing components. */
int cs_h5o_group_open(cs_h5out *h, const char *path, hid_t *out)
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
    cs_h5o_release(&cur);
    cur = next;
    next = H5I_INVALID_HID;
    if (!end) break;
    p = end + 1;
  }
  *out = cur;
  cur = H5I_INVALID_HID;
done:
  cs_h5o_release(&cur);
  cs_h5o_release(&next);
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
int cs_h5o_attr_string(hid_t obj, const char *name, const char *value)
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
  cs_h5o_release(&at);
  cs_h5o_release(&sp);
  cs_h5o_release(&type);
  return rc;
}

/* 1 if the string attribute `name` of obj exists and equals `want`. */
int cs_h5o_attr_string_is(hid_t obj, const char *name, const char *want)
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
  cs_h5o_release(&type);
  cs_h5o_release(&at);
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
  cs_h5o_release(&at);
  cs_h5o_release(&sp);
  return rc;
}

int cs_h5o_attr_double(hid_t obj, const char *name, double v)
{
  return attr_number(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

int cs_h5o_attr_long(hid_t obj, const char *name, long v)
{
  return attr_number(obj, name, H5T_STD_I64LE, H5T_NATIVE_LONG, &v);
}

int cs_h5o_attr_units(hid_t obj, const char *units, const char *long_name)
{
  CS_CHECK(cs_h5o_attr_string(obj, "units", units ? units : "-"));
  CS_CHECK(cs_h5o_attr_string(obj, "long_name", long_name ? long_name : ""));
  return CS_OK;
}

/* An MPI return code as a cs code (for the goto-style functions). */
int cs_h5o_mpi_check(int mpi_rc, const char *what)
{
  if (mpi_rc == MPI_SUCCESS) return CS_OK;
  return cs_error_set(CS_ERR_INTERNAL, "MPI call failed (code %d): %s", mpi_rc, what);
}
