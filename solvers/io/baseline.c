#define _POSIX_C_SOURCE 200809L
#include "baseline.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../model/grid.h"
#include "../../model/initial.h"
#include "../../model/params.h"
#include "../error.h"
#include "h5read.h"

/* Every number of one config section against its /parameters copy. */
static int same_section(hid_t f, const char *path, const char *group, const cs_opt_table *t, const void *obj)
{
  for (int i = 0; i < t->n; ++i) {
    const cs_opt *o = &t->opts[i];
    if (o->type == CS_OPT_ENUM) continue; /* model, grid and initial have none */
    char name[160];
    snprintf(name, sizeof name, "%s/%s", group, o->name);
    double v[1] = {NAN};
    char have[128];
    hid_t d;
    H5E_BEGIN_TRY { d = H5Dopen2(f, name, H5P_DEFAULT); } H5E_END_TRY;
    if (d < 0) CS_FAIL(CS_ERR_IO, "--baseline %s: no /%s (written by another cartsim version?)", path, name);
    if (!cs_h5_numbers_shaped(d, 0, 0, NULL, have, sizeof have)) { /* one value: read into v[1] */
      H5Dclose(d);
      CS_FAIL(CS_ERR_IO, "--baseline %s: /%s is %s, not one number (damaged, or not a cartsim run?)", path, name,
              have);
    }
    herr_t e = H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    H5Dclose(d);
    if (e < 0) CS_FAIL(CS_ERR_IO, "--baseline %s: cannot read /%s (damaged?)", path, name);
    char a[32], b[32];
    if (cs_config_value_differs(o, cs_opt_get(o, obj), v[0], a, b, sizeof a))
      CS_FAIL(CS_ERR_CONFIG, "--baseline %s: %s.%s = %s in this config but %s in the baseline; the baseline is "
              "the untreated run of the same knee (model, grid and initial values)", path, t->section, o->name, a, b);
  }
  return CS_OK;
}

int cs_baseline_read(const char *path, const cs_config *cfg, double T, double *thickness, double *sauc)
{
  if (access(path, R_OK) != 0) /* the reason: HDF5 would only say it cannot open the file */
    CS_FAIL(CS_ERR_IO, "--baseline %s: cannot read it: %s", path, strerror(errno));
  struct stat st; /* a directory passes access() */
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
    CS_FAIL(CS_ERR_IO, "--baseline %s: cannot read it: %s", path, strerror(EISDIR));
  hid_t f;
  H5E_BEGIN_TRY { f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT); } H5E_END_TRY;
  if (f < 0) CS_FAIL(CS_ERR_IO, "--baseline %s: cannot open it as an HDF5 file", path);
  int rc = CS_OK;
  const char *names[3] = {"timeseries/time", "timeseries/thickness", "timeseries/synovitis_auc"};
  double last[3];
  for (int q = 0; q < 3; ++q) {
    last[q] = cs_h5_last(f, names[q]);
    if (isnan(last[q]) && rc == CS_OK)
      rc = cs_error_set(CS_ERR_IO, "--baseline %s: no readable /%s (not a cartsim run?)", path, names[q]);
  }
  if (rc == CS_OK) {
    char status[32];
    cs_h5_meta_string(f, "status", status, sizeof status);
    if (strcmp(status, "complete"))
      rc = cs_error_set(CS_ERR_CONFIG, "--baseline %s: its status is '%s', not 'complete': finish that run first",
                        path, status);
  }
  if (rc == CS_OK && fabs(last[0] - T) > 1e-9 * (1.0 + fabs(T)))
    rc = cs_error_set(CS_ERR_CONFIG, "--baseline %s ends at day %g, this run at day %g: they must share the horizon",
                      path, last[0], T);
  if (rc == CS_OK) {
    long count = -1;
    hid_t a;
    char have[128];
    H5E_BEGIN_TRY { a = H5Aopen_by_name(f, "treatments", "count", H5P_DEFAULT, H5P_DEFAULT); } H5E_END_TRY;
    if (a >= 0) { /* one number, read into one long */
      if (!cs_h5_numbers_shaped(a, 1, 0, NULL, have, sizeof have) || H5Aread(a, H5T_NATIVE_LONG, &count) < 0)
        count = -1;
      H5Aclose(a);
    }
    if (count < 0) rc = cs_error_set(CS_ERR_IO, "--baseline %s: no /treatments count (not a cartsim run?)", path);
    else if (count > 0)
      rc = cs_error_set(CS_ERR_CONFIG, "--baseline %s has %ld treatment%s: the baseline is the untreated run of the "
                        "same knee", path, count, count == 1 ? "" : "s");
  }
  if (rc == CS_OK) rc = same_section(f, path, "parameters", &cs_params_table, &cfg->model);
  if (rc == CS_OK) rc = same_section(f, path, "parameters/grid", &cs_grid_table, &cfg->grid);
  if (rc == CS_OK) rc = same_section(f, path, "parameters/initial", &cs_initial_table, &cfg->initial);
  H5Fclose(f);
  if (rc == CS_OK) {
    *thickness = last[1];
    *sauc = last[2];
  }
  return rc;
}
