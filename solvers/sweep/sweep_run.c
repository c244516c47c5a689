#define _XOPEN_SOURCE 700 /* POSIX 2008 and realpath */
#include "sweep_run.h"

#include <errno.h>
#include <hdf5.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../model/outcomes.h"
#include "../error.h"
#include "../fnv.h"
#include "../io/h5out.h"
#include "../io/h5read.h"
#include "../io/path.h"
#include "../io/room.h"
#include "../run.h"
#include "../signals.h"
#include "../text_file.h"
#include "design.h"

#define SOLVER_COLS 4
/* the --set that every cohort row starts with: its treatments are its arms', not the base's */
#define COHORT_TREATMENTS "treatments=[]"
static const char *const solver_cols[SOLVER_COLS] = {"steps", "rhs_evals", "newton_iters", "krylov_iters"};
static const char *const extra_outcomes[2] = {"benefit_thickness_points", "benefit_synovitis_auc"};

/* ---- small file helpers (rank 0 or a group leader) ---------------------------- */

static void row_id(int r, char *buf, size_t n) { snprintf(buf, n, "r%06d", r); }

static void status_path(const char *dir, const char *id, char *buf, size_t n)
{
  snprintf(buf, n, "%s/status/%s.json", dir, id);
}

typedef struct {
  char status[16];      /* "done", "failed", or "" when absent */
  char fingerprint[17];
  double wall;
  char reason[600];
} row_status;

/* The value of "key": "..." or "key": number in a one-line JSON record. */
static int json_field(const char *text, const char *key, char *out, size_t n)
{
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\": ", key);
  const char *p = strstr(text, pat);
  if (!p) return 0;
  p += strlen(pat);
  size_t i = 0;
  if (*p == '"') {
    for (++p; *p && *p != '"' && i + 1 < n; ++p) {
      if (*p == '\\' && p[1]) ++p;
      out[i++] = *p;
    }
  } else {
    for (; *p && *p != ',' && *p != '}' && i + 1 < n; ++p) out[i++] = *p;
  }
  out[i] = '\0';
  return 1;
}

static void read_status(const char *dir, const char *id, row_status *st)
{
  memset(st, 0, sizeof *st);
  char path[4200], text[8192] = "";
  status_path(dir, id, path, sizeof path);
  FILE *f = fopen(path, "r");
  if (!f) return;
  size_t n = fread(text, 1, sizeof text - 1, f);
  text[n] = '\0';
  fclose(f);
  char wall[32] = "";
  json_field(text, "status", st->status, sizeof st->status);
  json_field(text, "fingerprint", st->fingerprint, sizeof st->fingerprint);
  json_field(text, "reason", st->reason, sizeof st->reason);
  if (json_field(text, "wall_seconds", wall, sizeof wall)) st->wall = atof(wall);
}

/* s as the inside of a JSON string (quotes and backslashes escaped, control characters blanked). */
static void json_escape(FILE *f, const char *s)
{
  for (; *s; ++s) {
    if (*s == '"' || *s == '\\') fputc('\\', f);
    fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
  }
}

/* DIR/status/<id>.json, one line: id, status, fingerprint, wall_seconds,
 * reason, then the row's values {key: value} and design columns. Written
 * under a temporary name and renamed: complete or absent. */
static int write_status(const char *dir, const char *id, const row_status *st, const cs_sweep_spec *sp,
                        const cs_design *d, int r)
{
  char path[4200], tmp[4300];
  status_path(dir, id, path, sizeof path);
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f) CS_FAIL(CS_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
  fprintf(f, "{\"id\": \"%s\", \"status\": \"%s\", \"fingerprint\": \"%s\", \"wall_seconds\": %.6f, \"reason\": \"",
          id, st->status, st->fingerprint, st->wall);
  json_escape(f, st->reason);
  fprintf(f, "\", \"values\": {");
  for (int k = 0, n = 0; k < d->nfactor; ++k) {
    if (!cs_design_value(d, r, k)[0]) continue;
    fprintf(f, "%s\"", n++ ? ", " : "");
    json_escape(f, sp->factor[k]);
    fprintf(f, "\": \"");
    json_escape(f, cs_design_value(d, r, k));
    fprintf(f, "\"");
  }
  fprintf(f, "}, \"design\": {");
  for (int m = 0; m < d->nmeta; ++m) {
    fprintf(f, "%s\"%s\": \"", m ? ", " : "", d->meta_name[m]);
    json_escape(f, cs_design_meta(d, r, m));
    fprintf(f, "\"");
  }
  fprintf(f, "}, \"seed\": %lu}\n", sp->seed);
  if (fclose(f) != 0 || rename(tmp, path) != 0) {
    unlink(tmp);
    CS_FAIL(CS_ERR_IO, "cannot write %s: %s", path, strerror(errno));
  }
  return CS_OK;
}

static int ensure_dir(const char *path)
{
  if (mkdir(path, 0777) != 0 && errno != EEXIST) CS_FAIL(CS_ERR_IO, "cannot create directory %s: %s", path, strerror(errno));
  return CS_OK;
}

/* The sweep directory and its missing parents (`-o results/window` on a
 * fresh checkout, where results/ does not exist yet). */
static int ensure_dir_and_parents(const char *path)
{
  char p[4096];
  snprintf(p, sizeof p, "%s", path);
  for (char *c = p + 1; *c; ++c)
    if (*c == '/') {
      *c = '\0';
      if (mkdir(p, 0777) != 0 && errno != EEXIST)
        CS_FAIL(CS_ERR_IO, "cannot create directory %s (for %s): %s", p, path, strerror(errno));
      *c = '/';
    }
  return ensure_dir(path);
}

/* FNV-1a over what defines the sweep: design type, base config (as the sweep
 * file writes it, so that the same sweep run from another directory, or
 * after moving the project, is still the same sweep), fixed sets, factors,
 * every row's values and design columns, the cohort arms. legacy != 0 gives
 * the fingerprint of versions before 2026-12-02, which hashed the base path
 * resolved against the working directory: a directory such a version made is
 * still resumed (prepare_dir accepts both). */
static void sweep_fingerprint(const cs_sweep_spec *sp, const cs_design *d, int legacy, char out[17])
{
  /* not CS_FNV_BASIS: the first sweeps began from this value (a digit short of
   * it), and the fingerprint in sweep.fingerprint identifies existing sweep
   * directories, so it stays */
  uint64_t h = 1469598103934665603ull;
  char type[16];
  snprintf(type, sizeof type, "type%d", sp->type);
  h = cs_fnv_word(h, type);
  h = cs_fnv_word(h, legacy ? sp->base : sp->base_written);
  for (int i = 0; i < sp->nset; ++i) h = cs_fnv_word(h, sp->set[i]);
  for (int f = 0; f < d->nfactor; ++f) h = cs_fnv_word(h, sp->factor[f]);
  for (int r = 0; r < d->nrows; ++r) {
    for (int f = 0; f < d->nfactor; ++f) h = cs_fnv_word(h, cs_design_value(d, r, f));
    for (int m = 0; m < d->nmeta; ++m) h = cs_fnv_word(h, cs_design_meta(d, r, m));
  }
  for (int a = 0; a < sp->narms; ++a) {
    h = cs_fnv_word(h, sp->arm[a]);
    for (int i = 0; i < sp->narm_sets[a]; ++i) h = cs_fnv_word(h, sp->arm_set[a][i]);
  }
  snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* Remove OUT.partial and the checkpoints cs_run wrote beside it (OUT.partial.ckpt.<n>.h5). */
static void remove_partial(const char *dir, const char *id)
{
  char runs[4200], prefix[64];
  snprintf(runs, sizeof runs, "%s/runs", dir);
  snprintf(prefix, sizeof prefix, "%s.h5.partial", id);
  DIR *dp = opendir(runs);
  if (!dp) return;
  for (struct dirent *e; (e = readdir(dp));)
    if (!strncmp(e->d_name, prefix, strlen(prefix))) {
      char path[4500];
      snprintf(path, sizeof path, "%s/%s", runs, e->d_name);
      unlink(path);
    }
  closedir(dp);
}

/* Does runs/<id>.h5.partial have a checkpoint (<id>.h5.partial.ckpt.<n>.h5)? */
static int has_checkpoint(const char *dir, const char *id)
{
  char runs[4200], prefix[64];
  snprintf(runs, sizeof runs, "%s/runs", dir);
  snprintf(prefix, sizeof prefix, "%s.h5.partial.ckpt.", id);
  DIR *dp = opendir(runs);
  if (!dp) return 0;
  int found = 0;
  for (struct dirent *e; !found && (e = readdir(dp));) found = !strncmp(e->d_name, prefix, strlen(prefix));
  closedir(dp);
  return found;
}

/* Is the disk of DIR/runs short of room for the row's partial file again
 * (16 MB at least)? An I/O error of a continued row then stops the sweep
 * and keeps the checkpoints; another one (the file cut short by a kill)
 * starts the row over. Decided by the free space, not by the message (which
 * holds paths). */
static int out_of_space(const char *dir, const char *partial)
{
  char runs[4200];
  snprintf(runs, sizeof runs, "%s/runs", dir);
  struct stat sb;
  const double need = stat(partial, &sb) == 0 && (double)sb.st_size > 16e6 ? (double)sb.st_size : 16e6;
  const double free_bytes = cs_free_bytes(runs);
  return free_bytes >= 0 && free_bytes < need;
}

/* Can a run file be opened as HDF5 (what the summary reads)? A file cut
 * short (a copy interrupted, a disk error) is not reused but recomputed. */
static int run_file_readable(const char *path)
{
  if (access(path, R_OK) != 0) return 0;
  hid_t f;
  H5E_BEGIN_TRY { f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT); } H5E_END_TRY;
  if (f < 0) return 0;
  H5Fclose(f);
  return 1;
}

/* /meta wall_seconds of a run file (every segment of a continued row), NAN if absent. */
static double run_file_wall(const char *path)
{
  double w = NAN;
  hid_t f, m = -1, a = -1;
  H5E_BEGIN_TRY {
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f >= 0) m = H5Gopen2(f, "meta", H5P_DEFAULT);
    if (m >= 0) a = H5Aopen(m, "wall_seconds", H5P_DEFAULT);
    if (a < 0 || H5Aread(a, H5T_NATIVE_DOUBLE, &w) < 0) w = NAN;
    if (a >= 0) H5Aclose(a);
    if (m >= 0) H5Gclose(m);
    if (f >= 0) H5Fclose(f);
  } H5E_END_TRY;
  return w;
}

/* ---- one row --------------------------------------------------------------------- */

typedef struct {
  const cs_sweep_request *req;
  const cs_sweep_spec *sp;
  const cs_design *d;
  MPI_Comm group;
  int grank;
  long computed, reused, failed; /* counted by group leaders */
  long continued;                /* of the computed: continued from an interrupted row's checkpoint */
  MPI_Win win;                   /* the shared counters (CTR_*) on world rank 0 */
  int wrank, total;              /* world rank; rows of this task (for the progress line) */
  double t0, last_print;         /* the progress line's clock (world rank 0) */
  unsigned warned;               /* the rows' config warnings shown so far (cs_run_request.warned) */
} sweep_state;

/* The seed of the sweep DIR holds (DIR/sweep.yaml, read as if it were the
 * sweep file, so that its base resolves alike) into *seed; *seed unchanged
 * if it cannot be read. A sweep file that differs from it only in what
 * changes no row (the seed of a grid or list design, which has none to
 * draw) has the same fingerprint and resumes it: its rows were run, and
 * recorded, with that seed, and the summary said the new one. Rank 0. */
static void stored_seed(const cs_sweep_request *req, const cs_sweep_spec *sp, unsigned long *seed)
{
  char path[4200], *text = NULL;
  size_t len = 0;
  snprintf(path, sizeof path, "%s/sweep.yaml", req->out_dir);
  if (cs_read_text_file(path, &text, &len) != 0) return;
  cs_sweep_spec *old = calloc(1, sizeof *old);
  if (!old) {
    free(text);
    return;
  }
  cs_config_errors errs = {0};
  if (cs_sweep_spec_parse(sp->path, text, len, old, &errs) == CS_OK) *seed = old->seed;
  cs_config_errors_free(&errs);
  cs_sweep_spec_free(old);
  free(old);
}

/* The shared counters on world rank 0: [0] next unit to claim, [1] rows
 * finished (done, failed or reused), [2] rows failed. */
enum { CTR_NEXT = 0, CTR_FINISHED, CTR_FAILED, CTR_COUNT };

static void progress(const cs_sweep_request *req, MPI_Win win, int total, double t0, double *last, int final);

/* A row recorded (computed or failed) or found recorded (reused, or failed
 * with the same config): counted in the shared counters at once, so that the
 * progress line agrees with the result line even when a cohort patient (one
 * unit of work, several rows) is stopped midway. Group leaders. */
static void row_counted(sweep_state *S, int finished, int failed)
{
  const long add[2] = {finished, failed};
  MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, S->win);
  MPI_Accumulate(add, 2, MPI_LONG, 0, CTR_FINISHED, 2, MPI_LONG, MPI_SUM, S->win);
  MPI_Win_unlock(0, S->win);
  if (S->wrank == 0) progress(S->req, S->win, S->total, S->t0, &S->last_print, 0);
}

/* What a cohort row adds to a plain row: the arm's keys, the states the
 * history saves, the state and baseline a branch starts from. */
typedef struct {
  int nextra;
  const char *extra[CS_SWEEP_MAX_ARM_SETS];
  int n_save;
  double save_day[CS_MAX_SAVES];
  char save_path[CS_MAX_SAVES][4200];
  const char *from_state, *baseline;
  int force; /* recompute even if done (a history whose states are gone) */
  int rerun; /* the row's second run in this unit: its first, done, was counted */
  const char *fail; /* record the row failed with this reason instead of running it (its history failed) */
} row_job;

/* A row whose files cannot be written (a full disk, a quota, permissions):
 * the error that stops this group, the row left pending. */
static int stop_on_io_error(const char *id, const char *why)
{
  char msg[1024];
  snprintf(msg, sizeof msg, "%.1000s", why); /* why may be the current error message */
  cs_error_clear();
  return cs_error_set(CS_ERR_IO, "row %s: %s; the sweep stopped: fix this and rerun the same command (rows not done "
                      "stay pending)", id, msg);
}

/* Run row r on the group; the leader writes the status record. Returns
 * CS_OK whether the row succeeded or failed (recorded); *ok says which. */
static int run_row_job(sweep_state *S, int r, const row_job *job, int *ok);

/* Row r's config as it is now: the fixed sets, the row's values, then
 * `extra` (a cohort arm's keys). CS_OK and its fingerprint in fp, or the
 * config's error (every problem in errs) and fp "". */
static int row_config(const cs_sweep_spec *sp, const cs_design *d, int r, const char *const *extra, int nextra,
                      cs_config *cfg, cs_config_errors *errs, char fp[17])
{
  fp[0] = '\0';
  const int maxsets = 1 + sp->nset + d->nfactor + nextra;
  const char **sets = calloc((size_t)maxsets + 1, sizeof *sets);
  char (*buf)[CS_SWEEP_KEY + CS_SWEEP_VALUE + 2] = calloc((size_t)d->nfactor + 1, sizeof *buf);
  if (!sets || !buf) {
    free(sets);
    free(buf);
    CS_FAIL(CS_ERR_INTERNAL, "out of memory for row %d's config", r);
  }
  int nsets = 0;
  /* a cohort's treatments are its arms': the base's are dropped, so that
   * the first arm is the untreated history (a base with an injection made
   * every arm fail its --baseline check) */
  if (sp->narms > 0) sets[nsets++] = COHORT_TREATMENTS;
  for (int i = 0; i < sp->nset; ++i) sets[nsets++] = sp->set[i];
  /* a row's `treatments: []` clears those of the base and set: before its other keys, whatever
   * their order in the file: {treatments: [], "treatments[0].type": il1ra, ...} is that one alone */
  for (int pass = 0; pass < 2; ++pass)
    for (int f = 0; f < d->nfactor; ++f) {
      const char *v = cs_design_value(d, r, f);
      if (!v[0] || pass != !!strcmp(sp->factor[f], "treatments")) continue;
      snprintf(buf[f], sizeof buf[f], "%s=%s", sp->factor[f], v);
      sets[nsets++] = buf[f];
    }
  for (int i = 0; i < nextra; ++i) sets[nsets++] = extra[i];
  int rc = cs_config_load(sp->base, sets, nsets, cfg, errs);
  free(sets);
  free(buf);
  if (rc == CS_OK) cs_config_fingerprint(cfg, fp);
  return rc;
}

/* The `key=value` sets of row r's cohort arm (r modulo the number of arms)
 * into extra; their count (0 outside a cohort). */
static int arm_sets_of_row(const cs_sweep_spec *sp, int r, const char *extra[CS_SWEEP_MAX_ARM_SETS])
{
  if (sp->narms <= 0) return 0;
  const int a = r % sp->narms;
  for (int i = 0; i < sp->narm_sets[a]; ++i) extra[i] = sp->arm_set[a][i];
  return sp->narm_sets[a];
}

/* Does the config reader's message `s` (after "--set ") name the set `kv`
 * ("KEY=VALUE: message")? */
static int names_set(const char *s, const char *kv)
{
  const size_t n = strlen(kv);
  return !strncmp(s, kv, n) && s[n] == ':' && s[n + 1] == ' ';
}

/* One problem of row r's config in the sweep file's terms. The config
 * reader names a value by the --set that carried it ("--set KEY=VALUE:
 * message"), which the user of a sweep never typed, and the summary's
 * reason read "--set treatments[0].dose=5.0e7: new treatments[0] lacks day"
 * for a row that lacked its day: "KEY = VALUE (set:, FILE:LINE:COL):
 * message", "(this row's value)", "(arm NAME)"; the base file's own lines
 * (FILE:LINE:COL) stay as they are. */
static void row_error_line(const cs_sweep_spec *sp, const cs_design *d, int r, const char *line, char *out, size_t n)
{
  snprintf(out, n, "%s", line);
  if (strncmp(line, "--set ", 6)) return;
  const char *s = line + 6, *kv = NULL;
  char where[1200] = "", row_kv[CS_SWEEP_KEY + CS_SWEEP_VALUE + 2];
  for (int i = 0; !kv && i < sp->nset; ++i)
    if (names_set(s, sp->set[i])) {
      kv = sp->set[i];
      snprintf(where, sizeof where, "set:, %.900s:%d:%d", sp->path, sp->set_at[i][0], sp->set_at[i][1]);
    }
  for (int f = 0; !kv && f < d->nfactor; ++f) {
    snprintf(row_kv, sizeof row_kv, "%s=%s", sp->factor[f], cs_design_value(d, r, f));
    if (names_set(s, row_kv)) kv = row_kv, snprintf(where, sizeof where, "this row's value");
  }
  if (!kv && sp->narms > 0) {
    const int a = r % sp->narms;
    for (int i = 0; !kv && i < sp->narm_sets[a]; ++i)
      if (names_set(s, sp->arm_set[a][i])) kv = sp->arm_set[a][i], snprintf(where, sizeof where, "arm %s", sp->arm[a]);
    if (!kv && names_set(s, COHORT_TREATMENTS)) kv = COHORT_TREATMENTS, snprintf(where, sizeof where, "a cohort's");
  }
  const char *eq = kv ? strchr(kv, '=') : NULL;
  if (eq) snprintf(out, n, "%.*s = %s (%s): %s", (int)(eq - kv), kv, eq + 1, where, s + strlen(kv) + 2);
}

/* The fingerprint row r's config has now ("" if it is invalid); a cohort
 * row's arm is r modulo the number of arms. For the summary, which marks
 * rows recorded under another config (a base file edited between tasks). */
static void row_fingerprint_now(const cs_sweep_spec *sp, const cs_design *d, int r, char fp[17])
{
  const char *extra[CS_SWEEP_MAX_ARM_SETS];
  const int nextra = arm_sets_of_row(sp, r, extra);
  cs_config *cfg = calloc(1, sizeof *cfg);
  cs_config_errors errs = {0};
  fp[0] = '\0';
  if (cfg) row_config(sp, d, r, extra, nextra, cfg, &errs, fp);
  cs_config_errors_free(&errs);
  cs_error_clear();
  free(cfg);
}

/* Is row r done under its config as it is now, with its run file there
 * (what run_row_job reuses)? For a group leader. */
static int row_reusable(const sweep_state *S, int r)
{
  char id[16], out[4200], now[17];
  row_id(r, id, sizeof id);
  row_status old;
  read_status(S->req->out_dir, id, &old);
  if (strcmp(old.status, "done")) return 0;
  snprintf(out, sizeof out, "%s/runs/%s.h5", S->req->out_dir, id);
  if (!run_file_readable(out)) return 0;
  row_fingerprint_now(S->sp, S->d, r, now);
  return now[0] && !strcmp(now, old.fingerprint);
}

static int run_row(sweep_state *S, int r)
{
  row_job job;
  memset(&job, 0, sizeof job);
  int ok;
  return run_row_job(S, r, &job, &ok);
}

static int run_row_job(sweep_state *S, int r, const row_job *job, int *ok)
{
  const cs_sweep_request *req = S->req;
  char id[16], out[4200], partial[4300];
  row_id(r, id, sizeof id);
  snprintf(out, sizeof out, "%s/runs/%s.h5", req->out_dir, id);
  snprintf(partial, sizeof partial, "%s.partial", out);
  *ok = 0;

  cs_config *cfg = calloc(1, sizeof *cfg);
  if (!cfg) CS_FAIL(CS_ERR_INTERNAL, "out of memory for row %s", id);
  cs_config_errors errs = {0};
  row_status st;
  memset(&st, 0, sizeof st);
  /* the leader reads the row's config and hands it to its group: ranks that
   * read the base file each (edited meanwhile, or another node's copy) could
   * disagree, one running cs_run while another waited for it */
  int rc = CS_OK;
  if (S->grank == 0) rc = row_config(S->sp, S->d, r, job->extra, job->nextra, cfg, &errs, st.fingerprint);
  MPI_Bcast(&rc, 1, MPI_INT, 0, S->group);
  if (rc == CS_OK) MPI_Bcast(cfg, (int)sizeof *cfg, MPI_BYTE, 0, S->group);
  else if (S->grank != 0) cs_error_set(rc, "the config of row %s is invalid (its group leader records why)", id);
  if (rc == CS_ERR_INTERNAL) {
    cs_config_errors_free(&errs);
    free(cfg);
    return rc;
  }

  /* reuse a row done with the same config; skip one that failed with the same config unless asked */
  row_status old;
  int skip = 0;
  if (S->grank == 0) {
    read_status(req->out_dir, id, &old);
    const int same = !strcmp(old.fingerprint, st.fingerprint);
    if (!job->force && !strcmp(old.status, "done") && rc == CS_OK && same && run_file_readable(out))
      skip = 1;
    else if (!job->force && !strcmp(old.status, "failed") && same && !req->retry_failed)
      skip = 2;
  }
  MPI_Bcast(&skip, 1, MPI_INT, 0, S->group);
  if (skip) {
    *ok = skip == 1;
    if (S->grank == 0) {
      if (skip == 1) S->reused++;
      else S->failed++;
      row_counted(S, 1, skip == 2);
    }
    cs_error_clear();
    cs_config_errors_free(&errs);
    free(cfg);
    return CS_OK;
  }

  double t0 = MPI_Wtime();
  int rr_restarted = 0; /* continued from a checkpoint */
  cs_error_clear(); /* the message keeps the first error: this row's own */
  if (rc == CS_OK && job->fail) {
    rc = CS_ERR_SOLVER;
    snprintf(st.reason, sizeof st.reason, "%s", job->fail);
  } else if (rc == CS_OK) {
    cs_run_request rr;
    memset(&rr, 0, sizeof rr);
    rr.output_path = partial;
    rr.force = 1;
    rr.quiet = 1;
    char cmdline[9000];
    snprintf(cmdline, sizeof cmdline, "cartsim sweep %s -o %s (row %s)", S->sp->path, req->out_dir, id);
    rr.command_line = cmdline;
    /* the row's own `cartsim run ... --restart` would finish the .partial, which the sweep then
     * discards and computes again: the sweep command is what continues it */
    char advice[9000];
    snprintf(advice, sizeof advice, "rerun the same command (cartsim sweep %s -o %s, with its --task/--tasks "
             "options): the row continues from this checkpoint", S->sp->path, req->out_dir);
    rr.resume_advice = advice;
    rr.warned = &S->warned;
    rr.wall_start = t0;
    rr.n_save = job->n_save;
    for (int q = 0; q < job->n_save; ++q) {
      rr.save_day[q] = job->save_day[q];
      rr.save_path[q] = job->save_path[q];
    }
    rr.from_state = job->from_state;
    rr.baseline = job->baseline;
    /* a row stopped by a signal (a Slurm time limit) or killed left its
     * partial file and checkpoints: it continues from the newest one of
     * this config; if none fits (another config, a file cut short by the
     * kill), it starts over */
    int resume = 0;
    if (S->grank == 0) resume = !job->force && access(partial, R_OK) == 0 && has_checkpoint(req->out_dir, id);
    MPI_Bcast(&resume, 1, MPI_INT, 0, S->group);
    if (resume) {
      rr.restart = 1;
      rc = cs_run(cfg, &rr, S->group);
      if (rc == CS_OK && S->grank == 0) S->continued++;
      int full = 0;
      if (S->grank == 0 && rc == CS_ERR_IO) full = out_of_space(req->out_dir, partial);
      MPI_Bcast(&full, 1, MPI_INT, 0, S->group);
      /* CS_ERR_USAGE: a --save-state day at or before the checkpoint whose state is gone (a cohort
       * history's, purged): the restart cannot reach it, the row from the start can */
      if (rc == CS_ERR_CONFIG || rc == CS_ERR_USAGE || (rc == CS_ERR_IO && !full)) {
        cs_error_clear(); /* its checkpoints do not fit: the row starts over (which removes them) */
        resume = 0;
      }
      rr.restart = 0;
    }
    rr_restarted = resume;
    if (!resume) rc = cs_run(cfg, &rr, S->group);
    if (rc == CS_OK && S->grank == 0 && rename(partial, out) != 0)
      rc = cs_error_set(CS_ERR_IO, "cannot rename %s: %s%s", partial, strerror(errno),
                        errno == ENOENT ? " (another cartsim working on this row of the same DIR? run each row in "
                                          "one command at a time)" : "");
    snprintf(st.reason, sizeof st.reason, "%s", rc == CS_OK ? "" : cs_error_message());
  } else {
    /* every problem of the row's config, in one line, in the sweep file's terms: whole problems, as
     * many as fit, then how many more (it was cut mid-word without a mark) */
    size_t len = 0;
    int shown = 0;
    enum { TAIL = 40 }; /* room for "; and N more problems" */
    for (int i = 0; i < errs.n; ++i) {
      char line[sizeof st.reason - TAIL];
      row_error_line(S->sp, S->d, r, errs.lines[i], line, sizeof line);
      if (i > 0 && len + 2 + strlen(line) + TAIL >= sizeof st.reason) break;
      len += (size_t)snprintf(st.reason + len, sizeof st.reason - len, "%s%s", i ? "; " : "", line);
      shown++;
    }
    if (shown < errs.n)
      snprintf(st.reason + len, sizeof st.reason - len, "; and %d more problem%s", errs.n - shown,
               errs.n - shown > 1 ? "s" : "");
    if (!errs.n) snprintf(st.reason, sizeof st.reason, "invalid config (%s)", cs_error_message());
  }
  st.wall = MPI_Wtime() - t0;
  if (rc == CS_OK && S->grank == 0 && rr_restarted) { /* every segment, as the run file's /meta says */
    const double w = run_file_wall(out);
    if (isfinite(w)) st.wall = w;
  }
  *ok = rc == CS_OK;
  /* leave nothing half-written, except what a row continues from: an
   * interrupted row's partial file (marked interrupted) and checkpoints, and
   * those of a row that met a full disk (it continues once there is room) */
  const int keep = rc == CS_ERR_INTERRUPTED || (rc == CS_ERR_IO && S->grank == 0 && has_checkpoint(req->out_dir, id));
  if (S->grank == 0 && !keep) remove_partial(req->out_dir, id);
  snprintf(st.status, sizeof st.status, "%s", rc == CS_OK ? "done" : "failed");
  cs_error_clear();
  cs_config_errors_free(&errs);
  free(cfg);
  if (rc == CS_ERR_INTERRUPTED) { /* not a failure of the row: it reruns next time */
    return cs_error_set(rc, "interrupted");
  }
  if (rc == CS_ERR_IO) {
    /* not the row's fault (a full disk, a quota, permissions): it is not
     * recorded failed (that would need --retry-failed later) but stays
     * pending, and this group stops claiming rows, which would fail the same
     * way. After HDF5 failed to close a file the library keeps a stale id, so
     * the process must not go on opening run files anyway. */
    char *tail = strstr(st.reason, CS_H5OUT_INCOMPLETE); /* cs_run's advice: the partial file is gone here */
    if (tail) *tail = '\0';
    return stop_on_io_error(id, st.reason);
  }
  if (S->grank == 0) {
    /* a run file from an earlier, different config of this row (it was done,
     * now it fails): removed, so that runs/ holds only results of the status */
    if (rc != CS_OK && unlink(out) != 0 && errno != ENOENT) {
      char msg[1024];
      snprintf(msg, sizeof msg, "cannot remove its earlier run file %.900s: %s", out, strerror(errno));
      return stop_on_io_error(id, msg);
    }
    if (write_status(req->out_dir, id, &st, S->sp, S->d, r) != CS_OK) {
      char msg[1024];
      snprintf(msg, sizeof msg, "%s", cs_error_message());
      return stop_on_io_error(id, msg);
    }
    /* counted once recorded: a row whose record could not be written stays pending, and the
     * result line said "computed 1" or "failed 1" for it */
    if (job->rerun) { /* counted once, as computed by its first run: only a failure changes that */
      if (rc != CS_OK) S->computed--, S->failed++, row_counted(S, 0, 1);
    } else {
      if (rc == CS_OK) S->computed++;
      else S->failed++;
      row_counted(S, 1, rc != CS_OK);
    }
  }
  return CS_OK;
}

/* Does an arm of the patient whose history is row h still have to run,
 * with a state it branches from gone? (group leader) */
static int states_needed(const sweep_state *S, int h, const row_job *hist)
{
  int missing = 0;
  for (int q = 0; q < hist->n_save; ++q) missing |= access(hist->save_path[q], R_OK) != 0;
  if (!missing) return 0;
  for (int a = 1; a < S->sp->narms; ++a)
    if (!row_reusable(S, h + a)) return 1;
  return 0;
}

/* One patient of a cohort: the untreated history (saving the state at every
 * arm's day), then each arm branching from its state with the history as
 * baseline, so all arms share the patient's history. */
static int run_patient(sweep_state *S, int p)
{
  const cs_sweep_spec *sp = S->sp;
  const int A = sp->narms, h = p * A;
  char hid[16], hist_out[4200];
  row_id(h, hid, sizeof hid);
  snprintf(hist_out, sizeof hist_out, "%s/runs/%s.h5", S->req->out_dir, hid);
  row_job hist;
  memset(&hist, 0, sizeof hist);
  for (int a = 1; a < A; ++a) {
    int dup = 0;
    for (int q = 0; q < hist.n_save; ++q) dup |= hist.save_day[q] == sp->arm_day[a];
    if (dup || hist.n_save == CS_MAX_SAVES) continue;
    hist.save_day[hist.n_save] = sp->arm_day[a];
    snprintf(hist.save_path[hist.n_save], sizeof hist.save_path[0], "%s/states/p%06d_day%g.h5", S->req->out_dir, p,
             sp->arm_day[a]);
    hist.n_save++;
  }
  /* A done history is recomputed when an arm still to run needs a state
   * that is gone (not for arms already done: a scratch purge of states/
   * after the patient finished costs nothing). One not done runs anyway
   * (continuing from its checkpoint if it was stopped: forcing it would
   * start it over every time); if its states are still missing after it
   * (saved before the checkpoint it continued from, then purged), it runs
   * again from the start. */
  int force = S->grank == 0 && states_needed(S, h, &hist) && row_reusable(S, h);
  MPI_Bcast(&force, 1, MPI_INT, 0, S->group);
  hist.force = force;
  int ok = 0;
  CS_CHECK(run_row_job(S, h, &hist, &ok));
  MPI_Bcast(&ok, 1, MPI_INT, 0, S->group); /* the leader's view (it renamed the file) */
  if (ok && !force) {
    force = S->grank == 0 && states_needed(S, h, &hist);
    MPI_Bcast(&force, 1, MPI_INT, 0, S->group);
    if (force) {
      hist.force = 1;
      hist.rerun = 1;
      CS_CHECK(run_row_job(S, h, &hist, &ok));
      MPI_Bcast(&ok, 1, MPI_INT, 0, S->group);
    }
  }
  for (int a = 1; a < A; ++a) {
    row_job arm;
    memset(&arm, 0, sizeof arm);
    arm.nextra = sp->narm_sets[a];
    for (int i = 0; i < arm.nextra; ++i) arm.extra[i] = sp->arm_set[a][i];
    char state[4200];
    snprintf(state, sizeof state, "%s/states/p%06d_day%g.h5", S->req->out_dir, p, sp->arm_day[a]);
    arm.from_state = state;
    arm.baseline = hist_out;
    char why[128];
    snprintf(why, sizeof why, "not run: the patient's untreated history %s failed (see its status record)", hid);
    if (!ok) arm.fail = why;
    int ok_arm;
    CS_CHECK(run_row_job(S, h + a, &arm, &ok_arm));
  }
  return CS_OK;
}

/* ---- summary ------------------------------------------------------------------------ */

/* One CSV field after a comma, quoted when it holds a comma, quote or newline. */
static void csv_field(FILE *f, const char *s)
{
  fputc(',', f);
  if (!strpbrk(s, ",\"\n\r")) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; ++s) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

/* h extended by a row's status as the summary uses it (status word and wall time). */
static uint64_t digest_row(uint64_t h, const row_status *st)
{
  return cs_fnv_bytes(cs_fnv_word(h, st->status), &st->wall, sizeof st->wall);
}

/* The digest of every row's status record as it is on disk now. */
static uint64_t records_digest(const char *dir, const cs_design *d)
{
  uint64_t h = CS_FNV_BASIS;
  for (int r = 0; r < d->nrows; ++r) {
    char id[16];
    row_id(r, id, sizeof id);
    row_status st;
    read_status(dir, id, &st);
    h = digest_row(h, &st);
  }
  return h;
}

/* One summary.h5 column of n rows: doubles (num) or UTF-8 strings (text:
 * n strings of width bytes each, stored fixed-length). 1 on success. */
static int write_column(hid_t file, const char *name, const double *num, const char *text, size_t width, int n)
{
  hsize_t dims = (hsize_t)n;
  hid_t space = H5Screate_simple(1, &dims, NULL), type = H5T_IEEE_F64LE, mem = H5T_NATIVE_DOUBLE;
  if (text) {
    type = mem = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, width);
    H5Tset_cset(type, H5T_CSET_UTF8);
  }
  hid_t ds = H5Dcreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  int ok = ds >= 0 && (n == 0 || H5Dwrite(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, text ? (const void *)text
                                                                                         : (const void *)num) >= 0);
  if (ds >= 0) H5Dclose(ds);
  if (text) H5Tclose(type);
  H5Sclose(space);
  return ok;
}

/* Rows whose record the summary cannot show as it stands. */
typedef struct {
  int outdated;          /* recorded under another config of the row (a base file edited since) */
  int missing;           /* done, but the run file is gone or unreadable */
  char first[2][16];     /* the first row of each, for the warning */
} summary_flags;

/* summary.csv and summary.h5 from every status record present (rank 0);
 * *digest: records_digest of the records it was built from. A record made
 * under another config of its row is shown `outdated` (no wall time: that
 * was another run's), a done row without a readable run file `missing`
 * (no wall time either: its run's results are gone; both are recomputed
 * by the task holding them); *flags counts them. The `reason` column says
 * why a row failed (its record's reason) or why it is outdated or missing,
 * empty otherwise. */
static int write_summary_once(const cs_sweep_request *req, const cs_sweep_spec *sp, const cs_design *d,
                              uint64_t *digest, summary_flags *flags)
{
  *digest = CS_FNV_BASIS;
  memset(flags, 0, sizeof *flags);
  const int nnum = 1 + SOLVER_COLS + CS_OUT_COUNT + 2; /* wall, solver, outcomes */
  double *num = malloc(sizeof *num * (size_t)(d->nrows ? d->nrows : 1) * (size_t)nnum);
  char (*status)[16] = calloc((size_t)(d->nrows ? d->nrows : 1), sizeof *status);
  char (*reason)[sizeof ((row_status *)0)->reason] = calloc((size_t)(d->nrows ? d->nrows : 1), sizeof *reason);
  if (!num || !status || !reason) {
    free(num);
    free(status);
    free(reason);
    CS_FAIL(CS_ERR_INTERNAL, "out of memory for the summary");
  }
  for (int r = 0; r < d->nrows; ++r) {
    char id[16], path[4200];
    row_id(r, id, sizeof id);
    row_status st;
    read_status(req->out_dir, id, &st);
    *digest = digest_row(*digest, &st);
    snprintf(status[r], sizeof status[r], "%s", st.status[0] ? st.status : "pending");
    double *row = &num[(size_t)r * nnum];
    for (int k = 0; k < nnum; ++k) row[k] = NAN;
    row[0] = st.status[0] ? st.wall : NAN;
    if (!strcmp(st.status, "failed")) snprintf(reason[r], sizeof reason[r], "%s", st.reason);
    if (st.status[0]) {
      char now[17];
      row_fingerprint_now(sp, d, r, now);
      if (strcmp(now, st.fingerprint)) {
        snprintf(status[r], sizeof status[r], "outdated");
        snprintf(reason[r], sizeof reason[r], "recorded %s under another config of this row (a base file edited "
                 "since); rerun the task holding it", st.status);
        row[0] = NAN;
        if (!flags->outdated++) snprintf(flags->first[0], sizeof flags->first[0], "%s", id);
        continue;
      }
    }
    if (strcmp(st.status, "done")) continue;
    snprintf(path, sizeof path, "%s/runs/%s.h5", req->out_dir, id);
    hid_t f;
    H5E_BEGIN_TRY { f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT); } H5E_END_TRY;
    if (f < 0) {
      snprintf(status[r], sizeof status[r], "missing");
      snprintf(reason[r], sizeof reason[r], "done, but runs/%s.h5 is missing or unreadable; rerun the task holding it", id);
      row[0] = NAN; /* the wall time of a run whose results are gone, as for an outdated row */
      if (!flags->missing++) snprintf(flags->first[1], sizeof flags->first[1], "%s", id);
      continue;
    }
    for (int k = 0; k < SOLVER_COLS; ++k) {
      char p[64];
      snprintf(p, sizeof p, "solver/%s", solver_cols[k]);
      row[1 + k] = cs_h5_last(f, p);
    }
    for (int k = 0; k < CS_OUT_COUNT + 2; ++k) {
      char p[96];
      snprintf(p, sizeof p, "outcomes/%s", k < CS_OUT_COUNT ? cs_outcomes_info[k].name : extra_outcomes[k - CS_OUT_COUNT]);
      row[1 + SOLVER_COLS + k] = cs_h5_last(f, p);
    }
    H5Fclose(f);
  }
  /* the header: column names, comma-separated (no key holds a comma) */
  size_t hlen = 64 + (size_t)(d->nfactor + d->nmeta) * (CS_SWEEP_KEY + 1) + (size_t)(nnum + 8) * 40;
  char *header = malloc(hlen);
  if (header) {
    size_t at = (size_t)snprintf(header, hlen, "id");
    for (int k = 0; k < d->nfactor; ++k) at += (size_t)snprintf(header + at, hlen - at, ",%s", sp->factor[k]);
    for (int m = 0; m < d->nmeta; ++m) at += (size_t)snprintf(header + at, hlen - at, ",%s", d->meta_name[m]);
    at += (size_t)snprintf(header + at, hlen - at, ",seed,status,reason,wall_seconds");
    for (int k = 0; k < SOLVER_COLS; ++k) at += (size_t)snprintf(header + at, hlen - at, ",%s", solver_cols[k]);
    for (int k = 0; k < CS_OUT_COUNT; ++k)
      at += (size_t)snprintf(header + at, hlen - at, ",%s", cs_outcomes_info[k].name);
    snprintf(header + at, hlen - at, ",%s,%s", extra_outcomes[0], extra_outcomes[1]);
  }
  /* CSV */
  char csv[4200], tmp[4300];
  snprintf(csv, sizeof csv, "%s/summary.csv", req->out_dir);
  snprintf(tmp, sizeof tmp, "%s.tmp.%d.%ld", csv, req->task, (long)getpid()); /* tasks may finish together */
  FILE *f = fopen(tmp, "w");
  int rc = header ? CS_OK : cs_error_set(CS_ERR_INTERNAL, "out of memory for the summary");
  if (!f) {
    rc = cs_error_set(CS_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
  } else {
    fprintf(f, "%s\n", header ? header : "id");
    for (int r = 0; r < d->nrows; ++r) {
      char id[16];
      row_id(r, id, sizeof id);
      fprintf(f, "%s", id);
      for (int k = 0; k < d->nfactor; ++k) csv_field(f, cs_design_value(d, r, k));
      for (int m = 0; m < d->nmeta; ++m) csv_field(f, cs_design_meta(d, r, m));
      fprintf(f, ",%lu,%s", sp->seed, status[r]);
      csv_field(f, reason[r]);
      for (int k = 0; k < nnum; ++k) fprintf(f, ",%.17g", num[(size_t)r * nnum + k]); /* exact: %.17g round-trips */
      fprintf(f, "\n");
    }
    if (fclose(f) != 0 || rename(tmp, csv) != 0) {
      const int err = errno;
      unlink(tmp);
      rc = cs_error_set(CS_ERR_IO, "cannot write %s: %s", csv, strerror(err));
    }
  }
  /* HDF5: one dataset per column, numbers as float64; the attribute
   * `columns` gives the CSV's order (h5py lists datasets by name) */
  char h5[4200], h5tmp[4300];
  snprintf(h5, sizeof h5, "%s/summary.h5", req->out_dir);
  snprintf(h5tmp, sizeof h5tmp, "%s.tmp.%d.%ld", h5, req->task, (long)getpid());
  hid_t file;
  H5E_BEGIN_TRY { file = H5Fcreate(h5tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT); } H5E_END_TRY;
  if (file < 0 && rc == CS_OK) rc = cs_error_set(CS_ERR_IO, "cannot create %s", h5tmp);
  if (file >= 0) {
    const size_t nr = (size_t)(d->nrows ? d->nrows : 1);
    char (*col)[CS_SWEEP_VALUE] = calloc(nr, CS_SWEEP_VALUE);
    double *dcol = malloc(sizeof *dcol * nr);
    int wrote = col && dcol;
    /* id, the varied keys, the design's columns, seed, status, reason, then the numbers */
    const int ntext = 1 + d->nfactor + d->nmeta + 2;
    for (int c = 0; c < ntext && wrote; ++c) {
      const int k = c - 1; /* factor k, or design column k - nfactor */
      const char *name = c == 0 ? "id" : c == ntext - 2 ? "seed" : c == ntext - 1 ? "status"
                         : k < d->nfactor ? sp->factor[k] : d->meta_name[k - d->nfactor];
      for (int r = 0; r < d->nrows; ++r) {
        if (c == 0) row_id(r, col[r], CS_SWEEP_VALUE);
        else if (c == ntext - 2) snprintf(col[r], CS_SWEEP_VALUE, "%lu", sp->seed);
        else if (c == ntext - 1) snprintf(col[r], CS_SWEEP_VALUE, "%s", status[r]);
        else snprintf(col[r], CS_SWEEP_VALUE, "%s", k < d->nfactor ? cs_design_value(d, r, k)
                                                                   : cs_design_meta(d, r, k - d->nfactor));
      }
      /* a column of numbers (a list row that leaves a key out: NaN) is float64 */
      int numeric = c != 0 && c != ntext - 1;
      for (int r = 0; r < d->nrows && numeric; ++r) {
        char *end = NULL;
        dcol[r] = col[r][0] ? strtod(col[r], &end) : NAN;
        if (col[r][0] && (end == col[r] || *end)) numeric = 0;
      }
      wrote = numeric ? write_column(file, name, dcol, NULL, 0, d->nrows)
                      : write_column(file, name, NULL, col[0], CS_SWEEP_VALUE, d->nrows);
    }
    if (wrote) wrote = write_column(file, "reason", NULL, reason[0], sizeof reason[0], d->nrows);
    for (int k = 0; k < nnum && wrote; ++k) {
      const char *name = k == 0 ? "wall_seconds" : k <= SOLVER_COLS ? solver_cols[k - 1]
                         : k - 1 - SOLVER_COLS < CS_OUT_COUNT ? cs_outcomes_info[k - 1 - SOLVER_COLS].name
                                                             : extra_outcomes[k - 1 - SOLVER_COLS - CS_OUT_COUNT];
      for (int r = 0; r < d->nrows; ++r) dcol[r] = num[(size_t)r * nnum + k];
      wrote = write_column(file, name, dcol, NULL, 0, d->nrows);
    }
    hid_t as = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(file, "seed", H5T_NATIVE_ULONG, as, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0 || H5Awrite(a, H5T_NATIVE_ULONG, &sp->seed) < 0) wrote = 0;
    if (a >= 0) H5Aclose(a);
    if (wrote && header) {
      hid_t str = H5Tcopy(H5T_C_S1); /* variable-length UTF-8, as h5out writes attributes: a str in h5py */
      H5Tset_size(str, H5T_VARIABLE);
      H5Tset_cset(str, H5T_CSET_UTF8);
      a = H5Acreate2(file, "columns", str, as, H5P_DEFAULT, H5P_DEFAULT);
      if (a < 0 || H5Awrite(a, str, &header) < 0) wrote = 0;
      if (a >= 0) H5Aclose(a);
      H5Tclose(str);
    }
    H5Sclose(as);
    free(col);
    free(dcol);
    const int closed = H5Fclose(file) >= 0 && wrote;
    if (!closed || rename(h5tmp, h5) != 0) {
      const int err = closed ? errno : 0; /* the rename's reason; HDF5's failures leave none */
      unlink(h5tmp);
      if (rc == CS_OK) rc = cs_error_set(CS_ERR_IO, "cannot write %s%s%s", h5, err ? ": " : "", err ? strerror(err) : "");
    }
  }
  free(header);
  free(num);
  free(status);
  free(reason);
  return rc;
}

/* The summary, rebuilt until the status records it was built from are still
 * those on disk after its rename. Tasks of a job array that finish together
 * each rebuild it; without the check, a task that read the records before
 * another task's last rows were recorded, but renamed its table after that
 * task's, left the older table (rows "pending" that are done). The last task
 * to rename now always finds the records unchanged. At most 3 passes: when
 * another task is still recording rows, the check keeps failing, and that
 * task rebuilds the summary when it ends anyway. */
static int write_summary(const cs_sweep_request *req, const cs_sweep_spec *sp, const cs_design *d)
{
  summary_flags fl;
  int rc;
  for (int pass = 0;; ++pass) {
    uint64_t built;
    rc = write_summary_once(req, sp, d, &built, &fl);
    if (rc != CS_OK || pass == 2 || records_digest(req->out_dir, d) == built) break;
  }
  /* warnings, not errors: the rows are recomputed when the task holding them runs again */
  if (fl.outdated)
    fprintf(stderr, "sweep: warning: %d row%s (first %s) computed under another config of the row (a base file "
            "edited since?): marked outdated in the summary; rerun the task%s holding them to recompute\n",
            fl.outdated, fl.outdated > 1 ? "s" : "", fl.first[0], fl.outdated > 1 ? "s" : "");
  if (fl.missing)
    fprintf(stderr, "sweep: warning: %d done row%s (first %s) without a readable run file in %s/runs: marked "
            "missing in the summary; rerun the task%s holding them to recompute\n",
            fl.missing, fl.missing > 1 ? "s" : "", fl.first[1], req->out_dir, fl.missing > 1 ? "s" : "");
  return rc;
}

/* ---- the driver ----------------------------------------------------------------------- */

static void print_plan(const cs_sweep_spec *sp, const cs_design *d)
{
  printf("sweep %s: %s design, %d rows, base %s, seed %lu\n", sp->path, cs_design_type_name(sp->type), d->nrows, sp->base,
         sp->seed);
  if (sp->narms > 0)
    printf("  every row: %s (a cohort's treatments are its arms', not the base's)\n", COHORT_TREATMENTS);
  for (int i = 0; i < sp->nset; ++i) printf("  every row: %s\n", sp->set[i]);
  printf("id");
  for (int f = 0; f < d->nfactor; ++f) printf(",%s", sp->factor[f]);
  for (int m = 0; m < d->nmeta; ++m) printf(",%s", d->meta_name[m]);
  printf("\n");
  for (int r = 0; r < d->nrows; ++r) {
    printf("r%06d", r);
    for (int f = 0; f < d->nfactor; ++f) csv_field(stdout, cs_design_value(d, r, f)); /* quoted as summary.csv */
    for (int m = 0; m < d->nmeta; ++m) csv_field(stdout, cs_design_meta(d, r, m));
    printf("\n");
  }
}

/* The names a sweep writes in DIR ("" below), DIR/runs, DIR/status and DIR/states, exactly: in a
 * pattern, % is a row's or a patient's number as row_id prints it (%06d), # a number as %ld prints
 * it (a pid, a task, a checkpoint's number), @ a day as %g prints it (the states' names). Beside each
 * file its temporary names: write_atomic's and write_status's .tmp.<pid>, the summary's
 * .tmp.<task>.<pid>; cs_run's for its output runs/<id>.h5.partial (the HDF5 file begun as
 * .partial.tmp.<pid>, the checkpoints .partial.ckpt.<n>.h5, each written first as that name plus
 * .partial) and cs_state_save's for a cohort's states (.partial). A name that merely begins like one
 * of these (a user's r000003.h5.keep) is not a sweep's. */
static const struct {
  const char *sub, *pattern;
} sweep_names[] = {
  {"", "sweep.fingerprint"}, {"", "sweep.fingerprint.tmp.#"}, {"", "sweep.yaml"}, {"", "sweep.yaml.tmp.#"},
  {"", "summary.csv"}, {"", "summary.csv.tmp.#.#"}, {"", "summary.h5"}, {"", "summary.h5.tmp.#.#"},
  {"runs", "r%.h5"}, {"runs", "r%.h5.partial"}, {"runs", "r%.h5.partial.tmp.#"},
  {"runs", "r%.h5.partial.ckpt.#.h5"}, {"runs", "r%.h5.partial.ckpt.#.h5.partial"},
  {"status", "r%.json"}, {"status", "r%.json.tmp.#"},
  {"states", "p%_day@.h5"}, {"states", "p%_day@.h5.partial"},
};
static const char *const sweep_subdirs[] = {"runs", "status", "states"};

/* The length of the number s begins with, if it is printed as "%0<width>ld" prints it (width 0:
 * "%ld"; no sign, no extra leading zero), else 0. */
static size_t printed_number(const char *s, int width)
{
  const size_t n = strspn(s, "0123456789");
  if (n == 0 || n > 18) return 0;
  char buf[24];
  snprintf(buf, sizeof buf, "%0*ld", width, strtol(s, NULL, 10));
  return strlen(buf) == n ? n : 0; /* the same value in as many digits: the same digits */
}

/* Are the first n characters of s a day as "%g" prints it? */
static int printed_day(const char *s, size_t n)
{
  char buf[32], again[32], *end;
  if (n == 0 || n >= sizeof buf || !(s[0] >= '0' && s[0] <= '9')) return 0;
  memcpy(buf, s, n);
  buf[n] = '\0';
  const double day = strtod(buf, &end);
  snprintf(again, sizeof again, "%g", day);
  return *end == '\0' && !strcmp(again, buf);
}

/* Is `name` the whole of `pattern` (see sweep_names)? */
static int name_matches(const char *name, const char *pattern)
{
  for (; *pattern; ++pattern) {
    if (*pattern == '%' || *pattern == '#') {
      const size_t n = printed_number(name, *pattern == '%' ? 6 : 0);
      if (!n) return 0;
      name += n;
    } else if (*pattern == '@') { /* "1.5.h5": the day is "1.5", not "1.5." */
      for (size_t n = strspn(name, "0123456789.e+-"); n > 0; --n)
        if (printed_day(name, n) && name_matches(name + n, pattern + 1)) return 1;
      return 0;
    } else if (*name++ != *pattern) {
      return 0;
    }
  }
  return *name == '\0';
}

/* Is `name` (in DIR/`sub`, "" for DIR itself) a file a sweep writes, or (isdir) one of its directories? */
static int sweep_file(const char *sub, const char *name, int isdir)
{
  if (isdir) {
    for (size_t i = 0; !sub[0] && i < sizeof sweep_subdirs / sizeof *sweep_subdirs; ++i)
      if (!strcmp(name, sweep_subdirs[i])) return 1;
    return 0;
  }
  for (size_t i = 0; i < sizeof sweep_names / sizeof *sweep_names; ++i)
    if (!strcmp(sub, sweep_names[i].sub) && name_matches(name, sweep_names[i].pattern)) return 1;
  return 0;
}

/* foreign entries named in the message; the rest are counted (`-o /dev` named hundreds) */
#define FOREIGN_SHOWN 5

/* What scan_dir takes for a sweep's: in a DIR that holds no sweep (no
 * sweep.fingerprint) only what a start cut short before its fingerprint
 * leaves (empty runs/, status/, states/ of a version that made them first,
 * the fingerprint's temporary file), every other file being the user's
 * whatever its name; in a DIR that holds one, its files (sweep_file), also
 * removing them. */
enum { SCAN_NO_SWEEP, SCAN_SWEEP, SCAN_REMOVE };

/* The entries of DIR that are not a sweep's files (as `mode` says), in `bad`
 * ("" if none): the first FOREIGN_SHOWN, then "and N more". SCAN_REMOVE
 * deletes the sweep's files (only call it once SCAN_SWEEP is clean),
 * sweep.fingerprint last: a removal cut short (a kill) leaves DIR still
 * marked as a sweep's, which the next --force finishes. */
static int scan_dir(const char *dir, int mode, char *bad, size_t nbad)
{
  const int remove = mode == SCAN_REMOVE;
  static const char *const subs[] = {"", "runs", "status", "states"};
  int foreign = 0;
  bad[0] = '\0';
  for (size_t s = 0; s < sizeof subs / sizeof *subs; ++s) {
    char path[4200];
    snprintf(path, sizeof path, "%s%s%s", dir, subs[s][0] ? "/" : "", subs[s]);
    DIR *dp = opendir(path);
    if (!dp) {
      if (errno == ENOENT || (s > 0 && errno == ENOTDIR && !remove)) continue;
      CS_FAIL(CS_ERR_IO, "cannot read the directory %s: %s", path, strerror(errno));
    }
    for (struct dirent *e; (e = readdir(dp));) {
      char file[4500];
      snprintf(file, sizeof file, "%s/%s", path, e->d_name);
      struct stat sb;
      const int isdir = stat(file, &sb) == 0 && S_ISDIR(sb.st_mode);
      const char *n = e->d_name;
      if (!strcmp(n, ".") || !strcmp(n, "..")) continue;
      const int ours = mode != SCAN_NO_SWEEP ? sweep_file(subs[s], n, isdir)
                       : s == 0 && (isdir ? sweep_file("", n, 1) : name_matches(n, "sweep.fingerprint.tmp.#"));
      if (!ours) {
        size_t len = strlen(bad);
        if (foreign++ < FOREIGN_SHOWN && len + 3 < nbad)
          snprintf(bad + len, nbad - len, "%s%s%s%s", len ? ", " : "", subs[s], s ? "/" : "", e->d_name);
      } else if (remove && !isdir && (s > 0 || strcmp(n, "sweep.fingerprint"))) {
        if (unlink(file) != 0) {
          closedir(dp);
          CS_FAIL(CS_ERR_IO, "cannot remove %s: %s", file, strerror(errno));
        }
      }
    }
    closedir(dp);
  }
  if (foreign > FOREIGN_SHOWN) {
    size_t len = strlen(bad);
    snprintf(bad + len, nbad - len, " and %d more", foreign - FOREIGN_SHOWN);
  }
  if (remove && !foreign) {
    char path[4200];
    snprintf(path, sizeof path, "%s/sweep.fingerprint", dir);
    if (unlink(path) != 0 && errno != ENOENT) CS_FAIL(CS_ERR_IO, "cannot remove %s: %s", path, strerror(errno));
  }
  return CS_OK;
}

/* text to path, under a temporary name then renamed (other tasks may read it meanwhile). */
static int write_atomic(const char *path, const char *text)
{
  char tmp[4300];
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f) CS_FAIL(CS_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
  fputs(text, f);
  if (fclose(f) != 0 || rename(tmp, path) != 0) {
    unlink(tmp);
    CS_FAIL(CS_ERR_IO, "cannot write %s: %s", path, strerror(errno));
  }
  return CS_OK;
}

/* Does DIR hold a sweep (DIR/sweep.fingerprint)? Its fingerprint in old ("" if unreadable). */
static int read_fingerprint(const char *dir, char old[32])
{
  char path[4200];
  snprintf(path, sizeof path, "%s/sweep.fingerprint", dir);
  old[0] = '\0';
  FILE *f = fopen(path, "r");
  if (!f) return access(path, F_OK) == 0;
  if (!fgets(old, 32, f)) old[0] = '\0';
  fclose(f);
  old[strcspn(old, "\n")] = '\0';
  return 1;
}

/* Is the file at `path` a file of DIR's sweep (sweep_file: in DIR or its
 * runs/, status/, states/)? The real file counts: a link in DIR to a file
 * elsewhere is replaced or removed by the sweep, never followed. Its name
 * there in `where` ("sweep.yaml", "runs/r000000.h5"). */
static int file_of_dir(const char *dir, const char *path, char *where, size_t n)
{
  static const char *const subs[] = {"", "runs", "status", "states"};
  char real[PATH_MAX], parent[PATH_MAX], sub[PATH_MAX];
  if (!realpath(path, real)) return 0;
  cs_path_dir(real, parent, sizeof parent);
  const char *name = strrchr(real, '/') + 1;
  for (size_t s = 0; s < sizeof subs / sizeof *subs; ++s) {
    char p[4200];
    snprintf(p, sizeof p, "%s%s%s", dir, subs[s][0] ? "/" : "", subs[s]);
    if (realpath(p, sub) && !strcmp(sub, parent) && sweep_file(subs[s], name, 0)) {
      snprintf(where, n, "%s%s%s", subs[s], s ? "/" : "", name);
      return 1;
    }
  }
  return 0;
}

/* A sweep's inputs are never its outputs: neither the sweep file nor a
 * file of its base config may be one the sweep writes or --force deletes in
 * DIR (file_of_dir), exit 2. The sweep file may be DIR/sweep.yaml only to
 * resume the sweep DIR holds (`same`), which writes nothing to it: edited in
 * place, it was called the sweep DIR holds, and --force deleted it (then
 * wrote it again from memory). `old`: the fingerprint of the sweep DIR
 * holds, NULL if none; `fp` this one's. */
static int inputs_not_outputs(const cs_sweep_request *req, const cs_sweep_spec *sp, int same, const char *old,
                              const char *fp)
{
  const char *dir = req->out_dir;
  char where[600];
  if (file_of_dir(dir, req->spec_path, where, sizeof where) && !(same && !strcmp(where, "sweep.yaml"))) {
    if (old && !strcmp(where, "sweep.yaml"))
      CS_FAIL(CS_ERR_USAGE, "the sweep file %s is %s/sweep.yaml, the copy of the sweep file that %s keeps, and no "
              "longer the sweep it holds (fingerprint %s, this one %s: edited since?): a sweep's inputs are never "
              "its outputs (--force would delete it): copy it out of %s and run the copy, with another -o DIR or "
              "with --force to replace the sweep %s holds; nothing was changed", req->spec_path, dir, dir, old, fp,
              dir, dir);
    CS_FAIL(CS_ERR_USAGE, "the sweep file %s is %s/%s, %s: a sweep's inputs are never its outputs: keep the sweep "
            "file outside %s and run it from there; nothing was changed", req->spec_path, dir, where,
            !strcmp(where, "sweep.yaml") ? "where the sweep keeps the copy of its sweep file" : "a file the sweep writes",
            dir);
  }
  for (int i = 0; i < sp->n_base_files; ++i)
    if (file_of_dir(dir, sp->base_files[i], where, sizeof where))
      CS_FAIL(CS_ERR_USAGE, "%s, %s of the sweep file %s, is %s/%s, a file the sweep writes: a sweep's inputs are "
              "never its outputs: keep it outside %s; nothing was changed", sp->base_files[i],
              i ? "a base: file of its base config" : "the base config", req->spec_path, dir, where, dir);
  return CS_OK;
}

/* DIR for this sweep: new, or already this sweep's (resume), or - with
 * --force - another sweep's whose files are removed first. DIR holds a sweep
 * when it holds sweep.fingerprint, the first file a sweep writes; without
 * it none of its files is taken for a sweep's, whatever its name, and a DIR
 * holding any is refused. Anything that is not a sweep's file (the user's)
 * is never touched: such a DIR is refused. */
static int prepare_dir(const cs_sweep_request *req, const cs_sweep_spec *sp, const cs_design *d)
{
  char path[4200], fp[17], legacy[17], old[32] = "", bad[600];
  sweep_fingerprint(sp, d, 0, fp);
  sweep_fingerprint(sp, d, 1, legacy);
  struct stat sb;
  if (stat(req->out_dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
    CS_FAIL(CS_ERR_IO, "%s exists and is not a directory", req->out_dir);
  int held = read_fingerprint(req->out_dir, old);
  CS_CHECK(inputs_not_outputs(req, sp, held && (!strcmp(old, fp) || !strcmp(old, legacy)), held ? old : NULL, fp));
  if (!held) {
    CS_CHECK(scan_dir(req->out_dir, SCAN_NO_SWEEP, bad, sizeof bad));
    /* another task of this sweep may have begun it meanwhile: what it wrote is its, once its fingerprint is there */
    if (bad[0] && !(held = read_fingerprint(req->out_dir, old)))
      CS_FAIL(CS_ERR_CONFIG, "%s holds files that no sweep wrote (%s): it holds no sweep (no sweep.fingerprint), so "
              "none of its files is taken for a sweep's, whatever its name: choose another -o DIR (a sweep starts "
              "in a new or empty directory); nothing was changed", req->out_dir, bad);
  }
  const int upgrade = held && strcmp(old, fp) && !strcmp(old, legacy); /* made by an older version: the same sweep */
  const int same = held && (upgrade || !strcmp(old, fp));
  if (held && !same && !req->force)
    CS_FAIL(CS_ERR_CONFIG, "%s holds another sweep (fingerprint %s, this one %s; %s/sweep.yaml is the one it holds): choose "
            "another -o DIR, or --force to delete its results and start over; nothing was changed",
            req->out_dir, old, fp, req->out_dir);
  if (held && !same) { /* --force: DIR may hold nothing but a sweep's files */
    CS_CHECK(scan_dir(req->out_dir, SCAN_SWEEP, bad, sizeof bad));
    if (bad[0])
      CS_FAIL(CS_ERR_CONFIG, "%s holds files that no sweep wrote (%s): --force deletes only a sweep's own files: move "
              "these away first, or choose another -o DIR; nothing was changed", req->out_dir, bad);
    CS_CHECK(scan_dir(req->out_dir, SCAN_REMOVE, bad, sizeof bad));
    if (!req->quiet) fprintf(stderr, "sweep: --force: removed the results of sweep %s from %s\n", old, req->out_dir);
  }
  /* the fingerprint first: a start cut short before it leaves DIR empty (but
   * for the fingerprint's temporary file), which the same command takes; one
   * cut short after it is resumed, and sweep.yaml written then */
  CS_CHECK(ensure_dir_and_parents(req->out_dir));
  if (!same || upgrade) {
    char line[32];
    snprintf(line, sizeof line, "%s\n", fp);
    snprintf(path, sizeof path, "%s/sweep.fingerprint", req->out_dir);
    CS_CHECK(write_atomic(path, line));
  }
  snprintf(path, sizeof path, "%s/sweep.yaml", req->out_dir);
  if (access(path, F_OK) != 0) CS_CHECK(write_atomic(path, sp->text));
  snprintf(path, sizeof path, "%s/runs", req->out_dir);
  CS_CHECK(ensure_dir(path));
  snprintf(path, sizeof path, "%s/status", req->out_dir);
  CS_CHECK(ensure_dir(path));
  if (sp->type == CS_DESIGN_COHORT) {
    snprintf(path, sizeof path, "%s/states", req->out_dir);
    CS_CHECK(ensure_dir(path));
  }
  return CS_OK;
}

/* final: 0 while running, 1 done, 2 interrupted, 3 stopped by an error */
static void progress(const cs_sweep_request *req, MPI_Win win, int total, double t0, double *last, int final)
{
  if (req->quiet || (!final && MPI_Wtime() - *last < 3.0)) return;
  long c[CTR_COUNT];
  MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win);
  MPI_Get_accumulate(NULL, 0, MPI_LONG, c, CTR_COUNT, MPI_LONG, 0, 0, CTR_COUNT, MPI_LONG, MPI_NO_OP, win);
  MPI_Win_unlock(0, win);
  if (!final && c[CTR_FINISHED] >= total) return; /* the final line follows */
  const double el = MPI_Wtime() - t0;
  char eta[48] = "ETA unknown";
  if (c[CTR_FINISHED] > 0)
    snprintf(eta, sizeof eta, "ETA %.0f s", el * (double)(total - c[CTR_FINISHED]) / (double)c[CTR_FINISHED]);
  const char *end = final == 2 ? "interrupted" : final == 3 ? "stopped by an error" : final ? "done" : eta;
  fprintf(stderr, "sweep: %ld/%d runs finished, %ld failed, %.0f s elapsed, %s\n", c[CTR_FINISHED], total,
          c[CTR_FAILED], el, end);
  *last = MPI_Wtime();
}

/* One line of the config reader's errors, printed: an error of a set:
 * value ("--set k=v: msg", though the user typed no --set) at its line in
 * the sweep file, "SWEEP:L:C: k = v: msg" as a config's errors read. */
static void print_fixed_error(const cs_sweep_spec *sp, const char *line)
{
  for (int i = 0; i < sp->nset; ++i) {
    const size_t n = strlen(sp->set[i]);
    if (strncmp(line, "--set ", 6) || strncmp(line + 6, sp->set[i], n) || strncmp(line + 6 + n, ": ", 2)) continue;
    const char *eq = strchr(sp->set[i], '=');
    fprintf(stderr, "%s:%d:%d: %.*s = %s: %s\n", sp->path, sp->set_at[i][0], sp->set_at[i][1],
            (int)(eq - sp->set[i]), sp->set[i], eq + 1, line + 6 + n + 2);
    return;
  }
  fprintf(stderr, "%s\n", line);
}

/* Rank 0, before any row: the base config with the sweep's set: (and a
 * cohort's treatments=[]) loaded once. If that fails and so does every
 * row's config, no row can run: that is an error of the sweep (exit 3, every
 * problem printed, nothing run or written, also by --plan), where the rows
 * used to run one by one, each recorded failed, and the sweep exited 5 (a
 * solver failure). If any row's values fix it (a set: valid only with the
 * rows' values), the rows run as before. Records the files the base config
 * read in sp->base_files. */
static int check_fixed_config(cs_sweep_spec *sp, const cs_design *d)
{
  const char **sets = calloc((size_t)sp->nset + 1, sizeof *sets);
  cs_config *cfg = calloc(1, sizeof *cfg);
  if (!sets || !cfg) {
    free(sets);
    free(cfg);
    CS_FAIL(CS_ERR_INTERNAL, "out of memory for the base config of %s", sp->path);
  }
  int n = 0;
  if (sp->narms > 0) sets[n++] = COHORT_TREATMENTS;
  for (int i = 0; i < sp->nset; ++i) sets[n++] = sp->set[i];
  cs_config_errors errs = {0};
  int rc = cs_config_load(sp->base, sets, n, cfg, &errs);
  free(sets);
  /* the files it read, valid or not: the sweep may never write them (inputs_not_outputs) */
  sp->n_base_files = cfg->n_files;
  memcpy(sp->base_files, cfg->files, sizeof sp->base_files);
  /* a cohort arm that branches on or after the history's end: every history failed saving its state */
  int t_end_varies = 0, late = 0;
  for (int f = 0; f < sp->nfactor; ++f) t_end_varies |= !strcmp(sp->factor[f], "run.t_end");
  for (int a = 1; rc == CS_OK && !t_end_varies && a < sp->narms; ++a)
    if (sp->arm_day[a] >= cfg->run.t_end) {
      fprintf(stderr, "%s:%d:%d: treatments[0].day: arm '%s' branches on day %g, not before run.t_end = %g of the "
              "base config with set:, where every patient's untreated history ends\n", sp->path, sp->arm_day_at[a][0],
              sp->arm_day_at[a][1], sp->arm[a], sp->arm_day[a], cfg->run.t_end);
      ++late;
    }
  if (late) {
    free(cfg);
    return cs_error_set(CS_ERR_CONFIG, "%d error%s in %s: nothing was run", late, late == 1 ? "" : "s", sp->path);
  }
  for (int r = 0; rc != CS_OK && rc != CS_ERR_INTERNAL && r < d->nrows; ++r) { /* does a row fix it? */
    const char *extra[CS_SWEEP_MAX_ARM_SETS];
    const int nextra = arm_sets_of_row(sp, r, extra);
    cs_config_errors row_errs = {0};
    char fp[17];
    const int rr = row_config(sp, d, r, extra, nextra, cfg, &row_errs, fp);
    cs_config_errors_free(&row_errs);
    if (rr == CS_OK) rc = CS_OK;
  }
  free(cfg);
  cs_error_clear();
  if (rc == CS_OK || rc == CS_ERR_INTERNAL) {
    cs_config_errors_free(&errs);
    return rc == CS_OK ? CS_OK : cs_error_set(rc, "out of memory loading the base config %s", sp->base);
  }
  if (rc == CS_ERR_IO && errs.n == 1) { /* the base cannot be read: one line, as for cartsim run */
    rc = cs_error_set(rc, "%s (the base config of %s)", errs.lines[0], sp->path);
    cs_config_errors_free(&errs);
    return rc;
  }
  for (int i = 0; i < errs.n; ++i) print_fixed_error(sp, errs.lines[i]);
  const int t = errs.total > 0 ? errs.total : errs.n;
  rc = cs_error_set(rc, "%d error%s in the base config %s with the set: of %s, and no row's values make it valid: "
                    "every row would fail; nothing was run", t, t == 1 ? "" : "s", sp->base, sp->path);
  cs_config_errors_free(&errs);
  return rc;
}

/* The lowest rank whose `failed` is set, over `world` (collective; call it
 * only when some rank failed), and that rank's error message in msg. */
static int first_error(int failed, MPI_Comm world, char msg[1024])
{
  int rank, size;
  MPI_Comm_rank(world, &rank);
  MPI_Comm_size(world, &size);
  int first = failed ? rank : size;
  MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, world);
  snprintf(msg, 1024, "%s", cs_error_message());
  MPI_Bcast(msg, 1024, MPI_CHAR, first, world);
  return first;
}

/* The sweep file and its design on every rank. Rank 0 reads and checks it
 * (and prints its errors); the others parse the very text rank 0 read. All
 * ranks return the same code: an error found on one rank (rank 0's, or
 * another's that cannot read the base config on its node) reaches every
 * rank, so that none goes on into a collective the others never enter.
 * Each rank used to read the file itself and stop on its own errors. */
static int load_sweep(const cs_sweep_request *req, MPI_Comm world, cs_sweep_spec *sp, cs_design *d)
{
  int rank, size;
  MPI_Comm_rank(world, &rank);
  MPI_Comm_size(world, &size);
  memset(sp, 0, sizeof *sp);
  memset(d, 0, sizeof *d);
  cs_config_errors errs = {0};
  int rc = CS_OK;
  if (rank == 0) {
    rc = cs_sweep_spec_load(req->spec_path, sp, &errs);
    if (rc) cs_config_errors_raise(rc, &errs, req->spec_path, 1);
    else if ((rc = cs_design_make(sp, d)) == CS_ERR_CONFIG) { /* the design's own (a truncation no draw meets): */
      fprintf(stderr, "%s\n", cs_error_message());              /* printed as the reader's errors of the file */
      cs_error_clear();
      cs_error_set(rc, "1 error in %s", req->spec_path);
    }
    if (rc == CS_OK) rc = check_fixed_config(sp, d);
    cs_config_errors_free(&errs);
  }
  MPI_Bcast(&rc, 1, MPI_INT, 0, world);
  if (rc) {
    if (rank != 0) cs_error_set(rc, "the sweep file %s cannot be used (rank 0 says why)", req->spec_path);
    return rc;
  }
  unsigned long len = rank == 0 ? (unsigned long)sp->text_len : 0;
  MPI_Bcast(&len, 1, MPI_UNSIGNED_LONG, 0, world);
  char *text = rank == 0 ? sp->text : malloc(len + 1);
  int ok = text != NULL;
  MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, world);
  if (!ok) {
    if (rank != 0) free(text);
    return cs_error_set(CS_ERR_INTERNAL, "out of memory for the text of %s", req->spec_path);
  }
  MPI_Bcast(text, (int)len + 1, MPI_CHAR, 0, world);
  if (rank != 0) {
    rc = cs_sweep_spec_parse(req->spec_path, text, (size_t)len, sp, &errs);
    if (rc) cs_error_set(rc, "%s%s", errs.n ? errs.lines[0] : "cannot parse the sweep file", errs.n > 1 ? " (and more)" : "");
    else rc = cs_design_make(sp, d);
    cs_config_errors_free(&errs);
  }
  int worst = rc;
  MPI_Allreduce(MPI_IN_PLACE, &worst, 1, MPI_INT, MPI_MAX, world);
  if (!worst) return CS_OK;
  char msg[1024];
  const int first = first_error(rc != CS_OK, world, msg);
  if (rank != first) {
    cs_error_clear();
    cs_error_set(worst, "on rank %d: %s", first, msg);
  }
  return worst;
}

int cs_sweep(const cs_sweep_request *req, MPI_Comm world)
{
  int rank, size;
  MPI_Comm_rank(world, &rank);
  MPI_Comm_size(world, &size);
  cs_sweep_spec sp;
  cs_design d;
  int rc = load_sweep(req, world, &sp, &d);
  if (rc) goto done;
  if (req->plan) {
    if (rank == 0) print_plan(&sp, &d);
    goto done;
  }
  int K = req->ranks_per_run;
  if (K < 1 || size % K != 0) {
    rc = cs_error_set(CS_ERR_USAGE, "--ranks-per-run %d does not divide the %d ranks", K, size);
    goto done;
  }
  if (rank == 0) rc = prepare_dir(req, &sp, &d);
  MPI_Bcast(&rc, 1, MPI_INT, 0, world);
  if (rc) {
    if (rank != 0) cs_error_set(rc, "the sweep directory %s cannot be used (see rank 0)", req->out_dir);
    goto done;
  }
  /* the seed is the sweep's DIR holds: a new seed that changes no row (a grid or list design) resumes it */
  unsigned long seed = sp.seed;
  if (rank == 0) {
    stored_seed(req, &sp, &seed);
    if (seed != sp.seed)
      fprintf(stderr, "sweep: note: %s holds this sweep with seed %lu (%s/sweep.yaml): the seed %lu of %s changes no "
              "row of its design, so the rows are those of seed %lu, and the summary and status records say %lu\n",
              req->out_dir, seed, req->out_dir, sp.seed, req->spec_path, seed, seed);
  }
  MPI_Bcast(&seed, 1, MPI_UNSIGNED_LONG, 0, world);
  sp.seed = seed;

  /* units of work: rows, or whole patients (history + arms) for a cohort;
   * this task's share, handed out by the shared counter on world rank 0 */
  const int cohort = sp.type == CS_DESIGN_COHORT, nunits = cohort ? sp.samples : d.nrows;
  const int per_unit = cohort ? sp.narms : 1;
  int *mine = malloc(sizeof *mine * (size_t)(nunits ? nunits : 1)), nmine = 0;
  if (!mine) {
    rc = cs_error_set(CS_ERR_INTERNAL, "out of memory for %d rows", nunits);
    goto done;
  }
  /* a Sobol sample's k+2 rows and a Morris trajectory's k+1 rows go to one
   * task: split row by row, one task left unrun (a job array cut short) took
   * a row of every sample, and no index could be computed from the others */
  const int block = sp.type == CS_DESIGN_SOBOL ? sp.nfactor + 2 : sp.type == CS_DESIGN_MORRIS ? sp.nfactor + 1 : 1;
  for (int r = 0; r < nunits; ++r)
    if ((r / block) % req->ntasks == req->task) mine[nmine++] = r;
  sweep_state S = {req, &sp, &d, MPI_COMM_NULL, 0, 0, 0, 0, 0, MPI_WIN_NULL, rank, nmine * per_unit, 0, 0, 0};
  MPI_Comm_split(world, rank / K, rank, &S.group);
  MPI_Comm_rank(S.group, &S.grank);
  long *ctr = NULL;
  MPI_Win_allocate(rank == 0 ? (MPI_Aint)(CTR_COUNT * sizeof(long)) : 0, sizeof(long), MPI_INFO_NULL, world, &ctr,
                   &S.win);
  MPI_Win win = S.win;
  if (rank == 0) {
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win);
    for (int i = 0; i < CTR_COUNT; ++i) ctr[i] = 0;
    MPI_Win_unlock(0, win);
  }
  MPI_Barrier(world);
  const double t0 = S.t0 = S.last_print = MPI_Wtime();
  const int total = S.total;
  /* each row adds to the counters (row_counted) and rank 0 prints the progress line as its own rows are
   * recorded: a unit added them when it ended, so a cohort stopped in a patient's arms said "0/6 runs
   * finished" beside "computed 1" */
  for (;;) {
    long next = 0;
    if (S.grank == 0 && cs_signals_pending()) { /* stop claiming rows; the running ones were finished */
      next = -1;
    } else if (S.grank == 0) {
      const long one = 1;
      MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win);
      MPI_Fetch_and_op(&one, &next, MPI_LONG, 0, CTR_NEXT, MPI_SUM, win);
      MPI_Win_unlock(0, win);
    }
    MPI_Bcast(&next, 1, MPI_LONG, 0, S.group);
    if (next < 0) {
      rc = CS_ERR_INTERRUPTED;
      break;
    }
    if (next >= nmine) break;
    if ((rc = cohort ? run_patient(&S, mine[next]) : run_row(&S, mine[next]))) break;
  }
  /* a group that failed (I/O, MPI) or was interrupted stops here; the others finish their rows */
  int worst[2] = {rc == CS_ERR_INTERRUPTED, rc != CS_OK && rc != CS_ERR_INTERRUPTED ? rc : 0};
  MPI_Allreduce(MPI_IN_PLACE, worst, 2, MPI_INT, MPI_MAX, world);
  if (worst[1]) { /* rank 0 reports: it takes the message of the first rank that stopped on an error */
    char msg[1024];
    const int first = first_error(rc != CS_OK && rc != CS_ERR_INTERRUPTED, world, msg);
    if (rank != first) {
      cs_error_clear();
      cs_error_set(worst[1], "%s (rank %d)", msg, first);
    }
  }
  if (rank == 0 && (S.last_print > t0 || worst[0] || worst[1])) /* a short sweep that ran to its end prints none */
    progress(req, win, total, t0, &S.last_print, worst[1] ? 3 : worst[0] ? 2 : 1);
  MPI_Win_free(&win);
  long counts[4] = {S.grank == 0 ? S.computed : 0, S.grank == 0 ? S.reused : 0, S.grank == 0 ? S.failed : 0,
                    S.grank == 0 ? S.continued : 0};
  MPI_Allreduce(MPI_IN_PLACE, counts, 4, MPI_LONG, MPI_SUM, world);
  char continued_note[96] = "";
  if (counts[3] > 0)
    snprintf(continued_note, sizeof continued_note, "; %ld continued from the checkpoint of an interrupted run",
             counts[3]);
  MPI_Comm_free(&S.group);
  free(mine);
  /* the summary is rebuilt whenever the driver finishes, interrupted or not */
  int src = CS_OK;
  if (rank == 0) {
    char saved[1024];
    snprintf(saved, sizeof saved, "%s", cs_error_message());
    int saved_code = cs_error_code();
    cs_error_clear();
    src = write_summary(req, &sp, &d);
    if (saved_code) { /* keep the first error as the one reported */
      cs_error_clear();
      cs_error_set(saved_code, "%s", saved);
    }
  }
  MPI_Bcast(&src, 1, MPI_INT, 0, world);
  if (rank == 0) /* "summary in" only when it was written (a read-only DIR said so, then exit 4) */
    printf("sweep %s: computed %ld, reused %ld, failed %ld (of %d rows for this task%s)%s; %s%s%s\n",
           req->spec_path, counts[0], counts[1], counts[2], total, continued_note,
           worst[0] ? ", interrupted" : worst[1] ? ", stopped by an error" : "",
           src == CS_OK ? "summary in " : "the summary could not be written (", req->out_dir,
           src == CS_OK ? "/summary.csv" : "/summary.csv: the error below)");
  fflush(stdout);
  if (worst[1]) {
    rc = cs_error_code() ? cs_error_code() : worst[1]; /* the first stopped rank's message, set above */
  } else if (worst[0]) {
    cs_error_clear();
    rc = cs_error_set(CS_ERR_INTERRUPTED, "sweep interrupted: rerun the same command to finish it");
  } else if (src != CS_OK) {
    rc = src;
  } else if (total > 0 && counts[2] == total) {
    rc = cs_error_set(CS_ERR_SOLVER, "every row of %s failed (reasons in %s/status/)",
                      req->ntasks > 1 ? "this task" : "the sweep", req->out_dir);
  } else {
    rc = CS_OK;
  }
done:
  cs_design_free(&d);
  cs_sweep_spec_free(&sp);
  return rc;
}
