/* h5out_tables.c - what the output file holds once per run, values from
 * rank 0: the /meta attributes and /meta/config, /parameters (one scalar
 * dataset per table row), /grid (cell centres), /outcomes and /treatments.
 * Rank 0 writes, the other ranks take part in each collective call with an
 * empty selection; lengths and text are broadcast first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5out_internal.h"

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
  cs_h5o_release(&fs);
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
  CSGO(cs_h5o_attr_units(ds, units, long_name));
  if (scalar || n > 0) CSGO(write_root(h, ds, H5T_NATIVE_DOUBLE, sp, v));
done:
  cs_h5o_release(&ds);
  cs_h5o_release(&sp);
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
  CSGO(cs_h5o_mpi_check(MPI_Bcast(hdr, 2, MPI_LONG, 0, h->comm), "MPI_Bcast"));
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
  CSGO(cs_h5o_attr_units(ds, units, long_name));
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
  cs_h5o_release(&ds);
  cs_h5o_release(&sp);
  cs_h5o_release(&type);
  return rc;
}

/* ------------------------------------------------------------------------ */
/* /meta                                                                      */

int cs_h5out_meta_string(cs_h5out *h, const char *name, const char *value)
{
  char *v = NULL;
  CS_CHECK(bcast_string(h, value, &v));
  int rc = cs_h5o_attr_string(h->meta, name, v);
  free(v);
  CS_CHECK(rc);
  return CS_OK;
}

int cs_h5out_meta_double(cs_h5out *h, const char *name, double value)
{
  CS_CHECK_MPI(MPI_Bcast(&value, 1, MPI_DOUBLE, 0, h->comm));
  CS_CHECK(cs_h5o_attr_double(h->meta, name, value));
  return CS_OK;
}

int cs_h5out_meta_int(cs_h5out *h, const char *name, long value)
{
  CS_CHECK_MPI(MPI_Bcast(&value, 1, MPI_LONG, 0, h->comm));
  CS_CHECK(cs_h5o_attr_long(h->meta, name, value));
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
  CSGO(cs_h5o_group_open(h, path, &g));
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
      int arc = cs_h5o_attr_string(ds, "choices", choices);
      cs_h5o_release(&ds);
      CSGO(arc);
    } else {
      CSGO(dset_doubles(h, g, o->name, &v, 1, 1, o->unit, o->help));
    }
  }
done:
  cs_h5o_release(&g);
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
  CSGO(cs_h5o_attr_long(g, "dim", gr->dim));
  CSGO(cs_h5o_attr_long(g, "nz", gr->nz));
  CSGO(cs_h5o_attr_long(g, "nx", gr->nx));
  CSGO(cs_h5o_attr_long(g, "ny", gr->ny));
  CSGO(cs_h5o_attr_double(g, "H", H));
  CSGO(cs_h5o_attr_double(g, "Lx", gr->Lx));
  CSGO(cs_h5o_attr_double(g, "Ly", gr->Ly));
  CSGO(cs_h5o_attr_string(g, "units", "mm"));
done:
  free(c);
  cs_h5o_release(&g);
  return rc;
}

int cs_h5out_outcomes(cs_h5out *h, const cs_h5_quantity *q, const double *values, int n)
{
  int rc = CS_OK;
  hid_t g = H5I_INVALID_HID;
  CSGO(cs_h5o_group_open(h, "outcomes", &g));
  for (int i = 0; i < n; ++i)
    CSGO(dset_doubles(h, g, q[i].name, h->rank == 0 ? &values[i] : NULL, 1, 1, q[i].units, q[i].long_name));
done:
  cs_h5o_release(&g);
  return rc;
}

int cs_h5out_treatments(cs_h5out *h, const cs_h5_treatments *t, int n)
{
  int rc = CS_OK;
  hid_t g = H5I_INVALID_HID;
  const cs_h5_treatments none = {0};
  if (h->rank != 0 || !t) t = &none; /* the values come from rank 0 */
  CSGO(cs_h5o_mpi_check(MPI_Bcast(&n, 1, MPI_INT, 0, h->comm), "MPI_Bcast"));
  CSGO(cs_h5o_group_open(h, "treatments", &g));
  CSGO(dset_strings(h, g, "type", t->type, n, "-", "treatment kind: msc (MSC injection) or il1ra"));
  CSGO(dset_doubles(h, g, "day", t->day, (hsize_t)n, 0, "day", "time of the injection"));
  CSGO(dset_doubles(h, g, "dose", t->dose, (hsize_t)n, 0, "cells (msc) or mg (il1ra)", "injected dose"));
  CSGO(dset_doubles(h, g, "viability", t->viability, (hsize_t)n, 0, "1",
                    "factor on the source's viability (alive at injection: the source preset's viability times this)"));
  CSGO(dset_strings(h, g, "source", t->source, n, "-",
                    "MSC source preset (reference, adipose, bone_marrow); '-' for il1ra"));
  CSGO(dset_doubles(h, g, "cells", t->cells, (hsize_t)n, 0, "cells",
                    "viable cells added to N: dose x viability x the source's viability (msc); 0 for il1ra"));
  CSGO(cs_h5o_attr_long(g, "count", n));
done:
  cs_h5o_release(&g);
  return rc;
}
