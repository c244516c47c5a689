#define _POSIX_C_SOURCE 200809L
#include "state.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../model/species.h"
#include "../error.h"
#include "driver.h"
#include "h5read.h"
#include "path.h"
#include "room.h"

static const cs_opt_table *const checked[3] = {&cs_params_table, &cs_grid_table, &cs_initial_table};

static const void *section_obj(const cs_config *cfg, int q)
{
  return q == 0 ? (const void *)&cfg->model : q == 1 ? (const void *)&cfg->grid : (const void *)&cfg->initial;
}

/* Attribute names of the cs_state_info members, in member order. */
static const char *const info_names[CS_STATE_INFO_LEN] = {
  "time", "injected", "first_msc_injected", "first_msc_day", "thickness0", "t_c80", "q_RE_in_use", "K_MSC_in_use",
  "n_series", "n_fields",
  "retained30", "retained180", "last_thickness", "last_mean_c", "solve_seconds", "last_checkpoint_t",
  "stat_steps", "stat_rhs_evals", "stat_newton_iters", "stat_krylov_iters", "stat_prec_setups",
  "stat_prec_solves", "stat_err_test_fails", "stat_newton_conv_fails", "stat_krylov_conv_fails",
  "stat_last_step", "stat_last_order", "stat_prec_setup_calls", "timer_rhs", "timer_exchange", "timer_prec_setup",
  "timer_prec_solve",
  "timer_io", "wall_seconds"};

static double *info_field(cs_state_info *info, size_t q) { return (double *)info + q; }

/* Members a state file of an earlier version lacks: read as NaN. */
static int info_optional(size_t q)
{
  return q == offsetof(cs_state_info, q_RE_in_use) / sizeof(double) ||
         q == offsetof(cs_state_info, K_MSC_in_use) / sizeof(double) ||
         q == offsetof(cs_state_info, wall_seconds) / sizeof(double) ||
         q == offsetof(cs_state_info, stats) / sizeof(double) + CS_STATE_STAT_SETUP_CALLS;
}

/* The driver by the rank count (driver.h: MPI-IO on several ranks, POSIX
 * on one); dataset transfers collective. */
static hid_t open_state_file(const char *path, MPI_Comm comm, int create)
{
  hid_t fapl = cs_h5_file_access(comm);
  if (fapl < 0) return fapl;
  hid_t f = create ? H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl) : H5Fopen(path, H5F_ACC_RDONLY, fapl);
  H5Pclose(fapl);
  return f;
}

static int write_string(hid_t loc, const char *name, const char *text)
{
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, strlen(text) + 1);
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t d = H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  herr_t e = d < 0 ? -1 : H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, text);
  if (d >= 0) H5Dclose(d);
  H5Sclose(sp);
  H5Tclose(t);
  return e < 0 ? -1 : 0;
}

/* Global [N2][N1][N0][NS] dataspace and this rank's hyperslab. */
static void cartilage_space(const cs_patch *pt, hid_t *file_space, hid_t *mem_space)
{
  hsize_t dims[4] = {(hsize_t)pt->N[2], (hsize_t)pt->N[1], (hsize_t)pt->N[0], CS_NS};
  hsize_t start[4] = {(hsize_t)pt->off[2], (hsize_t)pt->off[1], (hsize_t)pt->off[0], 0};
  hsize_t count[4] = {(hsize_t)pt->n[2], (hsize_t)pt->n[1], (hsize_t)pt->n[0], CS_NS};
  *file_space = H5Screate_simple(4, dims, NULL);
  H5Sselect_hyperslab(*file_space, H5S_SELECT_SET, start, NULL, count, NULL);
  *mem_space = H5Screate_simple(4, count, NULL);
}

static int write_body(hid_t f, MPI_Comm comm, const cs_config *cfg, const cs_patch *pt, const double *u,
                      const double *syn, const cs_state_info *info, const char *source_output)
{
  int rank;
  MPI_Comm_rank(comm, &rank);
  hid_t xfer = cs_h5_transfer(comm, 1);
  hid_t fs, ms;
  cartilage_space(pt, &fs, &ms);
  hid_t d = H5Dcreate2(f, "cartilage", H5T_NATIVE_DOUBLE, fs, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  herr_t e = d < 0 ? -1 : H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, xfer, u);
  if (d >= 0) H5Dclose(d);
  H5Sclose(fs);
  H5Sclose(ms);
  if (e < 0) {
    H5Pclose(xfer);
    CS_FAIL(CS_ERR_IO, "cannot write the cartilage state");
  }
  hsize_t n = CS_NSYNO;
  fs = H5Screate_simple(1, &n, NULL);
  ms = H5Screate_simple(1, &n, NULL);
  if (rank != 0) {
    H5Sselect_none(fs);
    H5Sselect_none(ms);
  }
  d = H5Dcreate2(f, "synovial", H5T_NATIVE_DOUBLE, fs, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  double dummy[CS_NSYNO] = {0};
  e = d < 0 ? -1 : H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, xfer, rank == 0 ? syn : dummy);
  if (d >= 0) H5Dclose(d);
  H5Sclose(fs);
  H5Sclose(ms);
  H5Pclose(xfer);
  if (e < 0) CS_FAIL(CS_ERR_IO, "cannot write the synovial state");

  /* metadata: same values on every rank (collective creation) */
  hid_t g = H5Gcreate2(f, "check", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  CS_CHECK_H5(g);
  for (int q = 0; q < 3; ++q) {
    hsize_t m = (hsize_t)checked[q]->n;
    double *v = malloc(m * sizeof(double));
    CS_CHECK_ALLOC(v);
    for (int i = 0; i < checked[q]->n; ++i) v[i] = cs_opt_get(&checked[q]->opts[i], section_obj(cfg, q));
    hid_t sp = H5Screate_simple(1, &m, NULL);
    hid_t ds = H5Dcreate2(g, checked[q]->section, H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    e = ds < 0 ? -1 : H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(sp);
    free(v);
    if (e < 0) {
      H5Gclose(g);
      CS_FAIL(CS_ERR_IO, "cannot write the state's parameter check");
    }
  }
  H5Gclose(g);
  hid_t sp = H5Screate(H5S_SCALAR);
  cs_state_info copy = *info;
  for (size_t q = 0; q < CS_STATE_INFO_LEN; ++q) {
    hid_t a = H5Acreate2(f, info_names[q], H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT);
    CS_CHECK_H5(a);
    H5Awrite(a, H5T_NATIVE_DOUBLE, info_field(&copy, q));
    H5Aclose(a);
  }
  H5Sclose(sp);
  char fp[17];
  cs_config_fingerprint(cfg, fp);
  const char *strs[3][2] = {
    {"kind", "cartsim-state"}, {"source_output", source_output ? source_output : ""}, {"config_fingerprint", fp}};
  for (int q = 0; q < 3; ++q) {
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, strlen(strs[q][1]) + 1);
    hid_t s2 = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(f, strs[q][0], t, s2, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) {
      H5Awrite(a, t, strs[q][1]);
      H5Aclose(a);
    }
    H5Sclose(s2);
    H5Tclose(t);
  }
  char *yaml = cs_config_to_yaml(cfg);
  CS_CHECK_ALLOC(yaml);
  int rc = write_string(f, "config", yaml);
  free(yaml);
  if (rc) CS_FAIL(CS_ERR_IO, "cannot write the state's config text");
  return CS_OK;
}

int cs_state_save(const char *path, int force, MPI_Comm comm, const cs_config *cfg, const cs_patch *pt,
                  const double *u, const double *syn, const cs_state_info *info, const char *source_output)
{
  int rank;
  MPI_Comm_rank(comm, &rank);
  /* attributes are collective metadata: every rank writes rank 0's values */
  cs_state_info shared = *info;
  CS_CHECK_MPI(MPI_Bcast(&shared, (int)CS_STATE_INFO_LEN, MPI_DOUBLE, 0, comm));
  info = &shared;
  /* Rank 0 checks the name as the output's (path.h: an existing file only
   * with force, and then only a regular file or a link) and creates
   * FILE.partial, empty; every rank gets its verdict, before any HDF5 call
   * (and before the free space, which says 0 MB for /proc). */
  char tmp[4096], what[4200];
  snprintf(tmp, sizeof tmp, "%s.partial", path);
  snprintf(what, sizeof what, "cannot write the state file %s", path);
  CS_CHECK(cs_path_check_new_all(comm, path, force, tmp, "directory", 1, what));
  const double cells = (double)pt->N[0] * (double)pt->N[1] * (double)pt->N[2];
  int rc = cs_room_for(path, (cells * CS_NS + CS_NSYNO) * sizeof(double), CS_ROOM_MARGIN, comm);
  if (rc) {
    if (rank == 0) unlink(tmp);
    return cs_error_trace(rc, __FILE__, __LINE__, "cs_room_for");
  }
  hid_t f;
  H5E_BEGIN_TRY { f = open_state_file(tmp, comm, 1); } H5E_END_TRY;
  if (f < 0) { /* a name the directory took a moment ago: the file system's locks, or its space */
    char dir[4096];
    cs_path_dir(path, dir, sizeof dir);
    if (rank == 0) unlink(tmp);
    CS_FAIL(CS_ERR_IO, "cannot create the state file %s: HDF5 could not create %s (%.1f MB free in %s)", path, tmp,
            cs_free_bytes(dir) / 1048576.0, dir);
  }
  rc = write_body(f, comm, cfg, pt, u, syn, info, source_output);
  if (H5Fclose(f) < 0 && rc == CS_OK) rc = cs_error_set(CS_ERR_IO, "cannot close the state file %s", tmp);
  int ok = rc == CS_OK;
  CS_CHECK_MPI(MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, comm));
  if (ok && rank == 0 && rename(tmp, path) != 0)
    rc = cs_error_set(CS_ERR_IO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
  if (!ok && rank == 0) unlink(tmp);
  CS_CHECK_MPI(MPI_Bcast(&rc, 1, MPI_INT, 0, comm));
  return rc;
}

/* What a state file that fails a check is: damaged, or not of this cartsim. */
#define NOT_OURS "the file is damaged, or not a state file of this cartsim version"

static int check_section(hid_t f, const char *path, const cs_config *cfg, int q)
{
  char name[64], have[128];
  snprintf(name, sizeof name, "check/%s", checked[q]->section);
  hid_t d;
  H5E_BEGIN_TRY { d = H5Dopen2(f, name, H5P_DEFAULT); } H5E_END_TRY;
  if (d < 0) CS_FAIL(CS_ERR_IO, "%s: not a cartsim state file (no /%s)", path, name);
  const unsigned long long n = (unsigned long long)checked[q]->n;
  if (!cs_h5_numbers_shaped(d, 0, 1, &n, have, sizeof have)) {
    H5Dclose(d);
    CS_FAIL(CS_ERR_IO, "%s: /%s is %s, this cartsim has %llu %s values: %s", path, name, have, n,
            checked[q]->section, NOT_OURS);
  }
  double *v = malloc((size_t)n * sizeof(double));
  CS_CHECK_ALLOC(v);
  herr_t e = H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
  H5Dclose(d);
  int rc = CS_OK;
  if (e < 0) {
    rc = cs_error_set(CS_ERR_IO, "%s: cannot read /%s: %s", path, name, NOT_OURS);
  } else {
    for (int i = 0; i < checked[q]->n; ++i) {
      const cs_opt *o = &checked[q]->opts[i];
      char a[32], b[32];
      if (cs_config_value_differs(o, cs_opt_get(o, section_obj(cfg, q)), v[i], a, b, sizeof a)) {
        rc = cs_error_set(CS_ERR_CONFIG,
                          "--from-state %s: %s.%s = %s in this config but %s in the saved history; a branch "
                          "must share the history's model, grid and initial values",
                          path, checked[q]->section, o->name, a, b);
        break;
      }
    }
  }
  free(v);
  return rc;
}

/* Dataset `name` of the state file, open in *d, if it holds numbers of
 * exactly the extent want[0..rank); else CS_ERR_IO naming the file, the
 * dataset, its extent and the one this run needs. */
static int open_shaped(hid_t f, const char *path, const char *name, int rank, const unsigned long long *want, hid_t *d)
{
  H5E_BEGIN_TRY { *d = H5Dopen2(f, name, H5P_DEFAULT); } H5E_END_TRY;
  if (*d < 0) CS_FAIL(CS_ERR_IO, "%s: no /%s: %s", path, name, NOT_OURS);
  char have[128], need[128];
  if (cs_h5_numbers_shaped(*d, 0, rank, want, have, sizeof have)) return CS_OK;
  H5Dclose(*d);
  *d = H5I_INVALID_HID;
  size_t len = (size_t)snprintf(need, sizeof need, "[");
  for (int i = 0; i < rank && len < sizeof need; ++i)
    len += (size_t)snprintf(need + len, sizeof need - len, "%s%llu", i ? ", " : "", want[i]);
  if (len < sizeof need) snprintf(need + len, sizeof need - len, "]");
  CS_FAIL(CS_ERR_IO, "%s: /%s is %s, this run needs %s: %s", path, name, have, need, NOT_OURS);
}

int cs_state_load(const char *path, MPI_Comm comm, const cs_config *cfg, const cs_patch *pt, double *u,
                  double *syn, cs_state_info *info)
{
  int rank;
  MPI_Comm_rank(comm, &rank);
  int readable = 0, err = 0;
  struct stat st;
  if (rank == 0) { /* a directory passes access(): said as such, not "not an HDF5 file" */
    if (access(path, R_OK) != 0) err = errno;
    else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) err = EISDIR;
    else readable = 1;
  }
  CS_CHECK_MPI(MPI_Bcast(&readable, 1, MPI_INT, 0, comm));
  CS_CHECK_MPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  if (!readable) CS_FAIL(CS_ERR_IO, "cannot read the state file %s: %s", path, strerror(err));
  hid_t f;
  H5E_BEGIN_TRY { f = open_state_file(path, comm, 0); } H5E_END_TRY;
  if (f < 0) CS_FAIL(CS_ERR_IO, "%s is not an HDF5 file", path);
  /* Every rank reads the same file, so every rank comes to the same verdict;
   * nothing is read before its shape and type are checked (h5read.h). */
  int rc = CS_OK;
  for (int q = 0; q < 3 && rc == CS_OK; ++q) rc = check_section(f, path, cfg, q);
  for (size_t q = 0; q < CS_STATE_INFO_LEN && rc == CS_OK; ++q) {
    if (info_optional(q) && H5Aexists(f, info_names[q]) <= 0) {
      *info_field(info, q) = NAN;
      continue;
    }
    hid_t a;
    H5E_BEGIN_TRY { a = H5Aopen(f, info_names[q], H5P_DEFAULT); } H5E_END_TRY;
    char have[128];
    if (a < 0)
      rc = cs_error_set(CS_ERR_IO, "%s: attribute %s missing: %s", path, info_names[q], NOT_OURS);
    else if (!cs_h5_numbers_shaped(a, 1, 0, NULL, have, sizeof have))
      rc = cs_error_set(CS_ERR_IO, "%s: attribute %s is %s, not one number: %s", path, info_names[q], have, NOT_OURS);
    else if (H5Aread(a, H5T_NATIVE_DOUBLE, info_field(info, q)) < 0)
      rc = cs_error_set(CS_ERR_IO, "%s: cannot read attribute %s: %s", path, info_names[q], NOT_OURS);
    if (a >= 0) H5Aclose(a);
  }
  hid_t d = H5I_INVALID_HID;
  const unsigned long long cdims[4] = {(unsigned long long)pt->N[2], (unsigned long long)pt->N[1],
                                       (unsigned long long)pt->N[0], CS_NS};
  if (rc == CS_OK && (rc = open_shaped(f, path, "cartilage", 4, cdims, &d)) == CS_OK) {
    hid_t xfer = cs_h5_transfer(comm, 1);
    hid_t fs, ms;
    cartilage_space(pt, &fs, &ms);
    if (H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, xfer, u) < 0)
      rc = cs_error_set(CS_ERR_IO, "%s: cannot read /cartilage", path);
    H5Dclose(d);
    H5Sclose(fs);
    H5Sclose(ms);
    H5Pclose(xfer);
  }
  const unsigned long long sdims[1] = {CS_NSYNO};
  if (rc == CS_OK && (rc = open_shaped(f, path, "synovial", 1, sdims, &d)) == CS_OK) {
    hid_t xfer = cs_h5_transfer(comm, 1);
    double tmp[CS_NSYNO];
    if (H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, xfer, tmp) < 0)
      rc = cs_error_set(CS_ERR_IO, "%s: cannot read /synovial", path);
    else if (rank == 0)
      memcpy(syn, tmp, sizeof tmp);
    H5Dclose(d);
    H5Pclose(xfer);
  }
  H5Fclose(f);
  return rc;
}

/* The fixed-length string attribute `name` of f into out (n bytes, NUL
 * included); 0 if it is missing, of another type or shape, or too long. */
static int read_fixed_string(hid_t f, const char *name, char *out, size_t n)
{
  hid_t a;
  int ok = 0;
  out[0] = '\0';
  H5E_BEGIN_TRY { a = H5Aopen(f, name, H5P_DEFAULT); } H5E_END_TRY;
  if (a < 0) return 0;
  hid_t t = H5Aget_type(a), sp = H5Aget_space(a);
  /* one fixed-length string that fits: H5Aread fills every element */
  if (t >= 0 && H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) == 0 && H5Tget_size(t) < n && sp >= 0 &&
      H5Sget_simple_extent_npoints(sp) == 1)
    ok = H5Aread(a, t, out) >= 0;
  out[n - 1] = '\0';
  if (!ok) out[0] = '\0';
  if (sp >= 0) H5Sclose(sp);
  if (t >= 0) H5Tclose(t);
  H5Aclose(a);
  return ok;
}

/* ours are 16 lowercase hex digits (cs_yaml_fingerprint) */
static int fingerprint_ok(const char *fp) { return strlen(fp) == 16 && strspn(fp, "0123456789abcdef") == 16; }

int cs_state_origin_read(const char *path, cs_state_origin *o)
{
  memset(o, 0, sizeof *o);
  hid_t f, a = H5I_INVALID_HID;
  H5E_BEGIN_TRY { f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT); } H5E_END_TRY;
  if (f < 0) return 0;
  char kind[32], fp[64], have[128];
  int ok = read_fixed_string(f, "kind", kind, sizeof kind) && !strcmp(kind, "cartsim-state") &&
           read_fixed_string(f, "config_fingerprint", fp, sizeof fp) && fingerprint_ok(fp) &&
           read_fixed_string(f, "source_output", o->source_output, sizeof o->source_output) && o->source_output[0];
  if (ok) memcpy(o->fingerprint, fp, sizeof o->fingerprint);
  if (ok) H5E_BEGIN_TRY { a = H5Aopen(f, "time", H5P_DEFAULT); } H5E_END_TRY;
  ok = ok && a >= 0 && cs_h5_numbers_shaped(a, 1, 0, NULL, have, sizeof have) &&
       H5Aread(a, H5T_NATIVE_DOUBLE, &o->time) >= 0;
  if (a >= 0) H5Aclose(a);
  H5Fclose(f);
  return ok;
}

int cs_state_fingerprint(const char *path, MPI_Comm comm, char out[17])
{
  int rank;
  MPI_Comm_rank(comm, &rank);
  char buf[17] = "";
  int rc = CS_OK;
  if (rank == 0) {
    hid_t f;
    H5E_BEGIN_TRY { f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT); } H5E_END_TRY;
    char tmp[64] = "";
    /* anything but 16 hex digits is a damaged file, not "another config" */
    if (f >= 0 && read_fixed_string(f, "config_fingerprint", tmp, sizeof tmp) && fingerprint_ok(tmp))
      memcpy(buf, tmp, sizeof buf);
    else
      rc = CS_ERR_IO;
    if (f >= 0) H5Fclose(f);
  }
  CS_CHECK_MPI(MPI_Bcast(&rc, 1, MPI_INT, 0, comm));
  CS_CHECK_MPI(MPI_Bcast(buf, sizeof buf, MPI_CHAR, 0, comm));
  if (rc) CS_FAIL(CS_ERR_IO, "%s: not a readable cartsim state file", path);
  memcpy(out, buf, sizeof buf);
  return CS_OK;
}
