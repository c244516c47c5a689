/* test_config.c - serial tests of the config reader (solvers/config*.c).
 *
 * Usage: test_config [BAD.yaml ...]   (the files of tests/config/bad)
 *
 * Covers defaults, a full config, every kind of error with its
 * FILE:LINE:COL and key, that all errors are reported, "did you mean",
 * --set, base: inheritance and cycles, the YAML round trip, the
 * fingerprint and hostile input. Each file given on the command line is a
 * malformed config whose leading "# expect: TEXT" lines give substrings
 * that one error message (naming that file) must contain.
 * Exit status: 0 if every check passed, 1 otherwise.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp */

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "error.h"

static int failures, checks;

#define EXPECT(cond, ...)                                        \
  do {                                                           \
    ++checks;                                                    \
    if (!(cond)) {                                               \
      ++failures;                                                \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);       \
      fprintf(stderr, __VA_ARGS__);                              \
      fputc('\n', stderr);                                       \
    }                                                            \
  } while (0)

/* ---- helpers ---------------------------------------------------------------- */

static char tmpdir[64];
static char *made[256]; /* files to remove at the end */
static int nmade;

/* Write `len` bytes to tmpdir/name; returns the path (owned by the list). */
static const char *write_file(const char *name, const char *text, size_t len)
{
  char *path = malloc(strlen(tmpdir) + strlen(name) + 2);
  sprintf(path, "%s/%s", tmpdir, name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(text, 1, len, f) != len) {
    fprintf(stderr, "cannot write %s\n", path);
    exit(1);
  }
  fclose(f);
  for (int i = 0; i < nmade; ++i)
    if (!strcmp(made[i], path)) {
      free(path);
      return made[i];
    }
  if (nmade < 256) made[nmade++] = path;
  return path;
}

static const char *write_tmp(const char *name, const char *text) { return write_file(name, text, strlen(text)); }

static void dump(const char *what, const cs_config_errors *e)
{
  fprintf(stderr, "  errors of %s (%d):\n", what, e->n);
  for (int i = 0; i < e->n; ++i) fprintf(stderr, "    %s\n", e->lines[i]);
}

/* Index of the first message containing every non-NULL substring, or -1. */
static int find(const cs_config_errors *e, const char *a, const char *b)
{
  for (int i = 0; i < e->n; ++i)
    if (strstr(e->lines[i], a) && (!b || strstr(e->lines[i], b))) return i;
  return -1;
}

/* Every message is one line. */
static void expect_one_line_each(const cs_config_errors *e)
{
  for (int i = 0; i < e->n; ++i) EXPECT(!strchr(e->lines[i], '\n'), "message %d spans lines: %s", i, e->lines[i]);
}

/* Load YAML text from a temp file; expect CS_ERR_CONFIG and a message that
 * starts with the file's path and contains `sub`. */
static void expect_error_text(const char *name, const char *yaml, const char *sub)
{
  cs_config cfg;
  cs_config_errors e;
  const char *path = write_tmp(name, yaml);
  int rc = cs_config_load(path, NULL, 0, &cfg, &e);
  int i = find(&e, sub, NULL);
  EXPECT(rc == CS_ERR_CONFIG, "%s: rc %d, expected %d", name, rc, CS_ERR_CONFIG);
  EXPECT(i >= 0 && strncmp(e.lines[i], path, strlen(path)) == 0, "%s: no message '%s' naming %s", name, sub, path);
  if (rc != CS_ERR_CONFIG || i < 0) dump(name, &e);
  expect_one_line_each(&e);
  cs_config_errors_free(&e);
}

/* The sections as the reader sees them, for field-by-field comparison. */
typedef struct {
  const cs_opt_table *t;
  size_t offset;
} section;

static const section sections[] = {
  {&cs_params_table, offsetof(cs_config, model)}, {&cs_grid_table, offsetof(cs_config, grid)},
  {&cs_initial_table, offsetof(cs_config, initial)}, {&cs_solver_table, offsetof(cs_config, solver)},
  {&cs_output_table, offsetof(cs_config, output)}, {&cs_run_table, offsetof(cs_config, run)},
};
enum { NSECT = (int)(sizeof sections / sizeof sections[0]) };

/* Bitwise equality of every table value (padding ignored). */
static int rows_equal(const cs_opt_table *t, const void *a, const void *b, const char *what)
{
  for (int r = 0; r < t->n; ++r) {
    const cs_opt *o = &t->opts[r];
    size_t size = o->type == CS_OPT_REAL ? sizeof(double) : sizeof(int);
    if (memcmp((const char *)a + o->offset, (const char *)b + o->offset, size)) {
      fprintf(stderr, "  %s.%s differs: %.17g vs %.17g\n", what, o->name, cs_opt_get(o, a), cs_opt_get(o, b));
      return 0;
    }
  }
  return 1;
}

static int configs_equal(const cs_config *a, const cs_config *b)
{
  int eq = 1;
  for (int s = 0; s < NSECT; ++s)
    eq &= rows_equal(sections[s].t, (const char *)a + sections[s].offset, (const char *)b + sections[s].offset,
                     sections[s].t->section);
  eq &= a->n_treatments == b->n_treatments;
  for (int i = 0; eq && i < a->n_treatments; ++i)
    eq &= rows_equal(&cs_treatment_table, &a->treatments[i], &b->treatments[i], "treatments[]");
  if (strcmp(a->description, b->description)) fprintf(stderr, "  description differs\n"), eq = 0;
  return eq;
}

/* ---- defaults ----------------------------------------------------------------- */

static void test_defaults(void)
{
  cs_config cfg, loaded;
  cs_config_errors e;
  char msg[200];
  cs_config_defaults(&cfg);
  for (int s = 0; s < NSECT; ++s) {
    const cs_opt_table *t = sections[s].t;
    for (int r = 0; r < t->n; ++r) {
      const cs_opt *o = &t->opts[r];
      double v = cs_opt_get(o, (const char *)&cfg + sections[s].offset);
      EXPECT(fabs(v - o->def) <= 1e-12 * fabs(o->def), "default of %s.%s: %g vs %g", t->section, o->name, v, o->def);
      EXPECT(cs_opt_check(o, o->def, msg, sizeof msg) == 0, "default of %s.%s out of its own range: %s", t->section,
             o->name, msg);
    }
  }
  EXPECT(cfg.n_treatments == 0 && cfg.description[0] == '\0', "defaults have no treatments, no description");
  EXPECT(cfg.model.V_s == 10000.0, "V_s default 10 mL is 10000 mm^3 internally, got %g", cfg.model.V_s);
  /* no file, no --set: the defaults, and they pass the cross-section rules */
  int rc = cs_config_load(NULL, NULL, 0, &loaded, &e);
  EXPECT(rc == 0 && e.n == 0, "defaults load cleanly (rc %d)", rc);
  if (e.n) dump("defaults", &e);
  EXPECT(configs_equal(&cfg, &loaded), "load(NULL) gives the defaults");
  cs_config_errors_free(&e);
}

/* ---- a full config ---------------------------------------------------------------- */

static const char *reference_yaml =
  "# a reference-like scenario\n"
  "description: \"reference: post-traumatic knee, MSC at day 90\"\n"
  "model:\n"
  "  H: 2.4\n"
  "  V_s: 12          # mL\n"
  "  k_a: 0.12\n"
  "  t_ins1: 150\n"
  "grid:\n"
  "  dim: 2\n"
  "  nz: 40\n"
  "  nx: 32\n"
  "  Lx: 8.5\n"
  "  periodic: yes\n"
  "initial:\n"
  "  lesion_radius: 1.5\n"
  "  lesion_depth: 0.6\n"
  "solver:\n"
  "  precond: jacobi\n"
  "  rtol: 1e-5\n"
  "  maxl: 40\n"
  "output:\n"
  "  dt: 10\n"
  "  fields_every: 0\n"
  "run:\n"
  "  t_end: 730\n"
  "treatments:\n"
  "  - type: msc\n"
  "    day: 90\n"
  "    dose: 1e7\n"
  "    viability: 0.8\n"
  "  - {type: il1ra, day: 120, dose: 2.5}\n";

static void test_reference(void)
{
  cs_config cfg;
  cs_config_errors e;
  const char *path = write_tmp("reference.yaml", reference_yaml);
  int rc = cs_config_load(path, NULL, 0, &cfg, &e);
  EXPECT(rc == 0 && e.n == 0, "reference config loads (rc %d)", rc);
  if (e.n) dump("reference", &e);
  EXPECT(cfg.model.k_a == 0.12 && cfg.model.H == 2.4 && cfg.model.t_ins1 == 150, "model values");
  EXPECT(cfg.model.V_s == 12000.0, "V_s 12 mL -> 12000 mm^3, got %g", cfg.model.V_s);
  EXPECT(cfg.model.k_c == 0.016, "unset keys keep their default");
  EXPECT(cfg.grid.dim == 2 && cfg.grid.nz == 40 && cfg.grid.nx == 32 && cfg.grid.ny == 1, "grid counts");
  EXPECT(cfg.grid.Lx == 8.5 && cfg.grid.periodic == 1, "grid Lx, periodic");
  EXPECT(cfg.initial.lesion_radius == 1.5 && cfg.initial.lesion_depth == 0.6, "lesion");
  EXPECT(cfg.solver.precond == CS_PC_JACOBI && cfg.solver.rtol == 1e-5 && cfg.solver.maxl == 40, "solver");
  EXPECT(cfg.output.dt == 10 && cfg.output.fields_every == 0 && cfg.run.t_end == 730, "output, run");
  EXPECT(cfg.n_treatments == 2, "two treatments, got %d", cfg.n_treatments);
  EXPECT(cfg.treatments[0].type == CS_TREAT_MSC && cfg.treatments[0].day == 90 && cfg.treatments[0].dose == 1e7 &&
           cfg.treatments[0].viability == 0.8,
         "treatment 0");
  EXPECT(cfg.treatments[1].type == CS_TREAT_IL1RA && cfg.treatments[1].viability == 1.0,
         "treatment 1, viability defaults to 1");
  EXPECT(!strcmp(cfg.description, "reference: post-traumatic knee, MSC at day 90"), "description");
  EXPECT(!strcmp(cfg.path, path), "path recorded");
  cs_config_errors_free(&e);
}

/* ---- every error kind: FILE:LINE:COL and key ------------------------------------ */

static void test_error_kinds(void)
{
  static const struct {
    const char *name, *yaml, *expect;
  } cases[] = {
    {"e_range.yaml", "model:\n  k_a: -1\n", ":2:8: model.k_a = -1: must be in [0, 1e+06] 1/(nM day)"},
    {"e_nan.yaml", "model:\n  k_a: nan\n", ":2:8: model.k_a = nan: must be a finite number"},
    {"e_ynan.yaml", "model:\n  k_a: .NaN\n", ":2:8: model.k_a = .NaN: must be a finite number"},
    {"e_inf.yaml", "model:\n  k_a: -.inf\n", ":2:8: model.k_a = -.inf: must be a finite number"},
    {"e_cinf.yaml", "model:\n  k_a: Infinity\n", ":2:8: model.k_a = Infinity: must be a finite number"},
    {"e_garbage.yaml", "model:\n  k_a: 1.0abc\n", ":2:8: model.k_a = 1.0abc: not a number"},
    {"e_empty_str.yaml", "model:\n  k_a: \"\"\n", ":2:8: model.k_a: missing value"},
    {"e_overflow.yaml", "model:\n  k_a: 1e999\n", ":2:8: model.k_a = 1e999: too large"},
    {"e_underflow.yaml", "model:\n  del_P: 1e-400\n", ":2:10: model.del_P = 1e-400: too small: below 2.22507e-308, write 0 if zero is meant"},
    {"e_int.yaml", "grid:\n  nz: 12.5\n", ":2:7: grid.nz = 12.5: must be a whole number"},
    {"e_int_range.yaml", "grid:\n  nz: 1\n", ":2:7: grid.nz = 1: must be in [2, 100000] cells"},
    {"e_bool.yaml", "grid:\n  periodic: 2\n", ":2:13: grid.periodic = 2: not a boolean: must be true or false"},
    {"e_enum.yaml", "solver: {precond: amg}\n", ":1:19: solver.precond = amg: unknown choice: must be one of line, "
                                                "jacobi, none"},
    {"e_enum_int.yaml", "solver: {integrator: 0}\n", "solver.integrator = 0: unknown choice: must be one of cvode"},
    {"e_map.yaml", "model:\n  k_a:\n    v: 1\n", ":3:5: model.k_a: expected a single value, found a mapping"},
    {"e_seq_sec.yaml", "run: [1, 2]\n", ":1:6: run: expected a mapping of key: value lines, found a list"},
    {"e_dup.yaml", "run:\n  t_end: 10\n  t_end: 20\n", ":3:3: run.t_end: duplicate key (first given at line 2)"},
    {"e_dupsec.yaml", "run: {}\nrun: {}\n", ":2:1: run: duplicate section (first given at line 1)"},
    {"e_syntax.yaml", "model:\n  k_a: 1\n    k_c: 2\n", ":3:8: syntax error: mapping values are not allowed"},
    /* an alias's value error pointed at its anchor (2:8): libyaml keeps no place for the alias */
    {"e_alias.yaml", "model:\n  k_c: &x -1\n  k_a: *x\n", ":3:3: model.k_a = -1: must be in [0, 1e+06]"},
    /* a file of "---" only said "found a single value" */
    {"e_dashes.yaml", "---\n", ":1:1: empty config: expected sections such as 'model:' or 'grid:'"},
    {"e_tilde.yaml", "# nothing\n~\n", ":1:1: empty config: expected sections such as 'model:' or 'grid:'"},
    /* a tab said only "found character that cannot start any token" */
    {"e_tab.yaml", "model:\n\tk_a: 1\n", ":2:1: syntax error: found character that cannot start any token (while "
                   "scanning for the next token at line 2, column 1); the character is a tab: YAML indents with spaces only"},
    {"e_unknown_sec.yaml", "solvr:\n  rtol: 1e-6\n", ":1:1: solvr: unknown section; did you mean 'solver'?"},
    {"e_unknown_key.yaml", "solver:\n  rtoll: 1e-6\n", ":2:3: solver.rtoll: unknown key; did you mean 'rtol'?"},
    {"e_case.yaml", "model:\n  h: 2\n", ":2:3: model.h: unknown key; did you mean 'H'?"},
    {"e_cross.yaml", "grid:\n  k_a: 0.1\n", ":2:3: grid.k_a: unknown key; did you mean model.k_a?"},
    {"e_nohint.yaml", "model:\n  zzzzzzzz: 1\n", ":2:3: model.zzzzzzzz: unknown key"},
    /* nothing near: a short section names its keys (a 2-letter typo has no "did you mean") */
    {"e_list_keys.yaml", "grid:\n  Lz: 3\n", ":2:3: grid.Lz: unknown key; the keys of grid are dim, nz, nx, ny, Lx, Ly, periodic"},
    {"e_list_top.yaml", "qq: 1\n", ":1:1: qq: unknown section; the top-level keys are model, grid, initial, solver, "
                                    "output, run, base, description, treatments"},
    {"e_list_treat.yaml", "treatments:\n  - {type: msc, day: 3, dose: 1, zz: 2}\n",
     ":2:34: treatments[0].zz: unknown key; the keys of a treatment are type, day, dose, viability, source"},
    {"e_treat_seq.yaml", "treatments: {type: msc}\n", ":1:13: treatments: expected a list"},
    {"e_treat_item.yaml", "treatments:\n  - 5\n", ":2:5: treatments[0]: expected a mapping"},
    {"e_treat_dose.yaml", "treatments:\n  - {type: msc, day: 3}\n", ":2:5: treatments[0].dose: missing"},
    {"e_treat_key.yaml", "treatments:\n  - {type: msc, day: 3, dose: 1, dosage: 2}\n",
     ":2:34: treatments[0].dosage: unknown key; did you mean 'dose'?"},
    {"e_treat_day.yaml", "run: {t_end: 100}\ntreatments:\n  - {type: msc, day: 100, dose: 1}\n",
     ":3:22: treatments[0].day = 100: must be before the end of the run (run.t_end = 100 day)"},
    {"e_il1ra_source.yaml", "treatments:\n  - {type: il1ra, day: 10, dose: 150, source: adipose}\n",
     ":2:47: treatments[0].source = adipose: only for type msc (an il1ra bolus has no cells)"},
    {"e_treat_neg.yaml", "treatments:\n  - {type: msc, day: -1, dose: 1}\n", ":2:22: treatments[0].day = -1: must be in"},
    {"e_dim1.yaml", "grid: {dim: 1, ny: 3}\n", ":1:20: grid.ny = 3: must be 1 when grid.dim = 1"},
    {"e_dim2.yaml", "grid:\n  dim: 2\n  nx: 10\n  ny: 10\n", ":4:7: grid.ny = 10: must be 1 when grid.dim = 2"},
    {"e_big.yaml", "grid:\n  dim: 3\n  nz: 2000\n  nx: 1000\n  ny: 1000\n",
     ":3:7: grid.nz = 2000: grid of 2000 x 1000 x 1000 = 2000000000 cells is too large for memory "
     "(at most 200000000 cells)"},
    {"e_tins.yaml", "model:\n  t_ins1: 10\n  t_ins0: 20\n", ":2:11: model.t_ins1 = 10: must be >= model.t_ins0 = 20"},
    {"e_tins0.yaml", "model:\n  t_ins0: 200\n", ":2:11: model.t_ins0 = 200: must be <= model.t_ins1 = 120"},
    {"e_dt.yaml", "output:\n  dt: 3000\n", ":2:7: output.dt = 3000: must be <= run.t_end = 1825 day"},
    /* found by the config (and `check`), not by the run after its file exists */
    {"e_steps.yaml", "output:\n  dt: 1.0e-6\n",
     ":2:7: output.dt = 1e-06: gives 1.82e+09 time-series steps over run.t_end = 1825 day (at most 10000000)"},
    {"e_snaps.yaml", "output:\n  fields_every: 1.0e-5\n",
     ":2:17: output.fields_every = 1e-05: gives 1.82e+08 field snapshots over run.t_end = 1825 day (at most 1000000)"},
    {"e_tend.yaml", "run:\n  t_end: 2\n", ":2:10: run.t_end = 2: must be >= output.dt = 5 day"},
    {"e_desc.yaml", "description: [a]\n", ":1:14: description: expected text, found a list"},
    {"e_desc_nul.yaml", "description: \"nul \\0 x\"\n", ":1:14: description: contains a NUL character"},
    {"e_top.yaml", "just text\n", ":1:1: expected a mapping of sections"},
    {"e_key.yaml", "? [a, b]\n: 1\n", ":1:3: section names must be plain names"},
    {"e_nul.yaml", "model:\n  k_a: \"1\\0\"\n", ":2:8: model.k_a: expected a single value, found text with a NUL byte"},
    {"e_twodocs.yaml", "run: {}\n---\nrun: {}\n", ":3:1: a config holds one YAML document"},
    {"e_base_type.yaml", "base: [a]\n", ":1:7: base: expected the path of another config file"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i)
    expect_error_text(cases[i].name, cases[i].yaml, cases[i].expect);

  /* a long description */
  char *text = malloc(700);
  strcpy(text, "description: ");
  memset(text + 13, 'x', 600);
  strcpy(text + 613, "\n");
  expect_error_text("e_longdesc.yaml", text, ":1:14: description: longer than 511 bytes of UTF-8");
  free(text);
}

/* ---- all errors, not the first --------------------------------------------------- */

static void test_all_reported(void)
{
  cs_config cfg;
  cs_config_errors e;
  const char *path = write_tmp("three.yaml",
                               "model:\n"
                               "  k_a: -1\n"        /* range */
                               "  k_cc: 0.1\n"      /* unknown key */
                               "grid:\n"
                               "  periodic: sure\n" /* bad bool */
                               "run:\n"
                               "  t_end: 100\n");
  int rc = cs_config_load(path, NULL, 0, &cfg, &e);
  EXPECT(rc == CS_ERR_CONFIG && e.n == 3, "3 mistakes -> 3 messages (rc %d, n %d)", rc, e.n);
  EXPECT(find(&e, ":2:8: model.k_a = -1", NULL) == 0, "first: model.k_a");
  EXPECT(find(&e, ":3:3: model.k_cc: unknown key; did you mean 'k_c'?", NULL) == 1, "second: model.k_cc");
  EXPECT(find(&e, ":5:13: grid.periodic = sure", NULL) == 2, "third: grid.periodic");
  if (e.n != 3) dump("three.yaml", &e);
  cs_config_errors_free(&e);

  /* a flood of errors is capped, with a count of the rest */
  size_t cap = 300 * 16 + 16, len = 0;
  char *many = malloc(cap);
  len += (size_t)sprintf(many, "model:\n");
  for (int i = 0; i < 300; ++i) len += (size_t)sprintf(many + len, "  bad%03d: 1\n", i);
  path = write_tmp("flood.yaml", many);
  free(many);
  rc = cs_config_load(path, NULL, 0, &cfg, &e);
  EXPECT(rc == CS_ERR_CONFIG && e.n == 101, "flood: 100 messages + 1 summary, got %d", e.n);
  EXPECT(e.n > 0 && strstr(e.lines[e.n - 1], "200 more errors not shown"), "flood summary");
  cs_config_errors_free(&e);
}

/* ---- I/O errors ---------------------------------------------------------------------- */

static void test_io(void)
{
  cs_config cfg;
  cs_config_errors e;
  char path[128];
  snprintf(path, sizeof path, "%s/does-not-exist.yaml", tmpdir);
  int rc = cs_config_load(path, NULL, 0, &cfg, &e);
  EXPECT(rc == CS_ERR_IO && e.n == 1, "missing file -> CS_ERR_IO with one message (rc %d, n %d)", rc, e.n);
  EXPECT(e.n == 1 && strstr(e.lines[0], path) && strstr(e.lines[0], strerror(ENOENT)),
         "message names the path and the reason");
  cs_config_errors_free(&e);

  rc = cs_config_load(tmpdir, NULL, 0, &cfg, &e); /* a directory */
  EXPECT(rc == CS_ERR_IO && e.n == 1 && strstr(e.lines[0], strerror(EISDIR)), "directory -> CS_ERR_IO (rc %d)", rc);
  cs_config_errors_free(&e);

  const char *empty = write_file("empty.yaml", "", 0);
  rc = cs_config_load(empty, NULL, 0, &cfg, &e);
  EXPECT(rc == CS_ERR_CONFIG && find(&e, ":1:1: empty config", NULL) == 0, "empty file (rc %d)", rc);
  cs_config_errors_free(&e);
}

/* ---- --set -------------------------------------------------------------------------- */

static void test_set(void)
{
  cs_config cfg;
  cs_config_errors e;
  const char *path = write_tmp("set.yaml", "model: {k_a: 0.2}\ntreatments:\n  - {type: msc, day: 10, dose: 5}\n");
  const char *ok[] = {"model.k_a=0.7",        " model.V_s = 20 ",      "grid.periodic=on",
                      "solver.precond=none",  "treatments[0].dose=9",  "treatments[1].type=il1ra",
                      "treatments[1].day=30", "treatments[1].dose=2",  "description=from --set"};
  int rc = cs_config_load(path, ok, 9, &cfg, &e);
  EXPECT(rc == 0, "valid --set (rc %d)", rc);
  if (rc) dump("set ok", &e);
  EXPECT(cfg.model.k_a == 0.7 && cfg.model.V_s == 20000.0, "--set model values (k_a %g, V_s %g)", cfg.model.k_a,
         cfg.model.V_s);
  EXPECT(cfg.grid.periodic == 1 && cfg.solver.precond == CS_PC_NONE, "--set bool and enum");
  EXPECT(cfg.n_treatments == 2 && cfg.treatments[0].dose == 9 && cfg.treatments[1].type == CS_TREAT_IL1RA &&
           cfg.treatments[1].day == 30 && cfg.treatments[1].viability == 1.0,
         "--set treatments: change one, append one");
  EXPECT(!strcmp(cfg.description, "from --set"), "--set description");
  cs_config_errors_free(&e);

  const char *bad[] = {"model.k_a=abc", "grid.k_a=1",          "k_a=0.1",           "modle.k_a=1",
                       "model.k_a",     "treatments[5].day=1", "treatments[1].day=3", "solver.precond=ilu",
                       "run.t_end=nan", "treatments=[1]",      "base=x.yaml",         "model.kc=1",
                       "initial.lesion_rad=1", "solver.preconditioner=line", "treatments.dose=1",
                       "model.k_c=\"0.3"};
  rc = cs_config_load(path, bad, 16, &cfg, &e);
  EXPECT(find(&e, "--set treatments.dose=1: treatments is a list: use treatments[N].dose (N from 0)", NULL) >= 0,
         "treatments. is not a section (it said: did you mean 'treatments'?)");
  EXPECT(find(&e, "--set model.k_c=\"0.3: not a number", NULL) >= 0, "an unpaired quote is part of the value");
  EXPECT(find(&e, "--set model.kc=1: unknown key 'kc' in section 'model'; did you mean 'k_c'?", NULL) >= 0,
         "did you mean: names that differ in underscores only");
  EXPECT(find(&e, "--set initial.lesion_rad=1:", "did you mean 'lesion_radius'?") >= 0,
         "did you mean: the start of a longer name wins over a nearer one (lesion_a)");
  EXPECT(find(&e, "--set solver.preconditioner=line:", "did you mean 'precond'?") >= 0,
         "did you mean: a known name that starts the given one");
  EXPECT(rc == CS_ERR_CONFIG, "bad --set (rc %d)", rc);
  EXPECT(find(&e, "--set model.k_a=abc: not a number", NULL) >= 0 &&
           !strcmp(e.lines[find(&e, "--set model.k_a=abc", NULL)], "--set model.k_a=abc: not a number"),
         "exact --set message");
  EXPECT(find(&e, "--set grid.k_a=1: unknown key 'k_a' in section 'grid'; did you mean model.k_a?", NULL) >= 0,
         "--set did you mean");
  EXPECT(find(&e, "--set k_a=0.1:", "did you mean model.k_a?") >= 0, "--set without a section");
  EXPECT(find(&e, "--set modle.k_a=1: unknown section 'modle'; did you mean 'model'?", NULL) >= 0, "--set section");
  EXPECT(find(&e, "--set model.k_a: expected section.key=value", NULL) >= 0, "--set without =");
  EXPECT(find(&e, "--set treatments[5].day=1: no treatment 5: the list has 1", NULL) >= 0, "--set index");
  EXPECT(find(&e, "--set treatments[1].day=3: new treatments[1] lacks type, dose", NULL) >= 0, "--set incomplete");
  EXPECT(find(&e, "--set solver.precond=ilu: unknown choice: must be one of line, jacobi, none", NULL) >= 0,
         "--set enum");
  EXPECT(find(&e, "--set run.t_end=nan: must be a finite number", NULL) >= 0, "--set nan");
  EXPECT(find(&e, "--set treatments=[1]:", NULL) >= 0 && find(&e, "--set base=x.yaml:", NULL) >= 0,
         "--set treatments/base");
  EXPECT(e.n == 16, "one message per bad --set, got %d", e.n);
  if (e.n != 16) dump("set bad", &e);
  expect_one_line_each(&e);
  cs_config_errors_free(&e);

  /* a cross-section error caused by --set points at the --set */
  const char *late[] = {"run.t_end=5"};
  rc = cs_config_load(path, late, 1, &cfg, &e);
  EXPECT(find(&e, "--set run.t_end=5: must be >= output.dt = 5", NULL) < 0, "dt == t_end is fine");
  EXPECT(find(&e, ":3:22: treatments[0].day = 10: must be before the end of the run (run.t_end = 5 day)", NULL) >= 0,
         "event after a --set t_end points at the event in the file");
  cs_config_errors_free(&e);

  /* a value in one pair of quotes reads as the file reads `k_a: "0.3"` (it said: not a number) */
  const char *quoted[] = {"model.k_a=\"0.3\"", "model.k_c='0.02'", "solver.precond=\"jacobi\""};
  rc = cs_config_load(path, quoted, 3, &cfg, &e);
  EXPECT(rc == 0 && cfg.model.k_a == 0.3 && cfg.model.k_c == 0.02 && cfg.solver.precond == CS_PC_JACOBI,
         "quoted --set values (rc %d)", rc);
  if (rc) dump("set quoted", &e);
  cs_config_errors_free(&e);

  /* --set treatments=[] clears the file's list */
  const char *clear[] = {"treatments=[]"};
  rc = cs_config_load(path, clear, 1, &cfg, &e);
  EXPECT(rc == 0 && cfg.n_treatments == 0, "--set treatments=[]");
  cs_config_errors_free(&e);
}

/* ---- base: ---------------------------------------------------------------------------- */

static void test_base(void)
{
  cs_config cfg;
  cs_config_errors e;
  char sub[128];
  snprintf(sub, sizeof sub, "%s/sub", tmpdir);
  if (mkdir(sub, 0700) && errno != EEXIST) EXPECT(0, "mkdir %s", sub);
  write_tmp("root.yaml", "description: root\nmodel: {k_a: 0.3, k_c: 0.02}\nrun: {t_end: 1000}\n"
                         "treatments:\n  - {type: msc, day: 10, dose: 1}\n  - {type: msc, day: 20, dose: 1}\n");
  const char *child = write_tmp("sub/child.yaml", "base: ../root.yaml\nmodel:\n  k_a: 0.5\n"
                                                  "treatments:\n  - {type: il1ra, day: 5, dose: 3}\n");
  int rc = cs_config_load(child, NULL, 0, &cfg, &e);
  EXPECT(rc == 0, "base chain loads (rc %d)", rc);
  if (rc) dump("child", &e);
  EXPECT(cfg.model.k_a == 0.5 && cfg.model.k_c == 0.02 && cfg.run.t_end == 1000, "override and inherit");
  EXPECT(cfg.n_treatments == 1 && cfg.treatments[0].type == CS_TREAT_IL1RA, "treatments replace the base's list");
  EXPECT(!strcmp(cfg.description, "root"), "description inherited");
  cs_config_errors_free(&e);

  /* errors in a base name the base file; the child's are reported too */
  const char *broken = write_tmp("broken_base.yaml", "model:\n  k_c: -3\n");
  const char *c2 = write_tmp("sub/child2.yaml", "base: ../broken_base.yaml\nmodel: {k_a: x}\n");
  rc = cs_config_load(c2, NULL, 0, &cfg, &e);
  EXPECT(rc == CS_ERR_CONFIG && e.n == 2, "two errors across base and child (n %d)", e.n);
  EXPECT(find(&e, "broken_base.yaml:2:8: model.k_c = -3", NULL) == 0, "base error names the base file");
  EXPECT(find(&e, c2, ":2:14: model.k_a = x: not a number") == 1, "child error names the child");
  (void)broken;
  cs_config_errors_free(&e);

  /* cross rules see the merged config, and blame the file that set the value */
  write_tmp("late_base.yaml", "treatments:\n  - {type: msc, day: 500, dose: 1}\n");
  const char *c3 = write_tmp("late_child.yaml", "base: late_base.yaml\nrun: {t_end: 400}\n");
  rc = cs_config_load(c3, NULL, 0, &cfg, &e);
  EXPECT(find(&e, "late_base.yaml:2:22: treatments[0].day = 500: must be before the end of the run", NULL) >= 0,
         "event in the base after the child's t_end");
  cs_config_errors_free(&e);

  /* cycles */
  write_tmp("cyc_a.yaml", "base: cyc_b.yaml\nmodel: {k_a: 0.1}\n");
  const char *b = write_tmp("cyc_b.yaml", "base: cyc_a.yaml\n");
  rc = cs_config_load(b, NULL, 0, &cfg, &e);
  EXPECT(rc == CS_ERR_CONFIG && find(&e, "cyc_a.yaml:1:7: base = ", "cyc_b.yaml: cycle") >= 0, "cycle detected");
  if (rc != CS_ERR_CONFIG) dump("cycle", &e);
  cs_config_errors_free(&e);

  /* depth: 8 levels of base are fine, 9 are not */
  char name[160], text[64];
  for (int i = 0; i <= 9; ++i) {
    snprintf(name, sizeof name, "lvl%d.yaml", i);
    if (i < 9) snprintf(text, sizeof text, "base: lvl%d.yaml\n", i + 1);
    else snprintf(text, sizeof text, "model: {k_a: 0.9}\n");
    write_tmp(name, text);
  }
  snprintf(name, sizeof name, "%s/lvl1.yaml", tmpdir);
  rc = cs_config_load(name, NULL, 0, &cfg, &e);
  EXPECT(rc == 0 && cfg.model.k_a == 0.9, "8 levels of base (rc %d)", rc);
  cs_config_errors_free(&e);
  snprintf(name, sizeof name, "%s/lvl0.yaml", tmpdir);
  rc = cs_config_load(name, NULL, 0, &cfg, &e);
  EXPECT(rc == CS_ERR_CONFIG && find(&e, "lvl8.yaml:1:7: base = ", "nesting deeper than 8 levels") >= 0,
         "9 levels of base (rc %d)", rc);
  cs_config_errors_free(&e);

  /* a missing base is a config error at the base: line */
  const char *m = write_tmp("missing_base.yaml", "\nbase: nope.yaml\n");
  rc = cs_config_load(m, NULL, 0, &cfg, &e);
  EXPECT(rc == CS_ERR_CONFIG && find(&e, "missing_base.yaml:2:7: base = ", strerror(ENOENT)) >= 0, "missing base");
  cs_config_errors_free(&e);
}

/* ---- YAML round trip and fingerprint --------------------------------------------------- */

static uint64_t rng = 88172645463325252ull;
static double uniform(void)
{
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0;
}

/* A value inside the row's range: log-uniform for wide positive ranges. */
static double random_value(const cs_opt *o)
{
  if (o->type == CS_OPT_BOOL) return uniform() < 0.5;
  if (o->type == CS_OPT_ENUM) {
    int n = 0;
    while (o->choices[n]) ++n;
    return (int)(uniform() * n);
  }
  double lo = o->min, hi = o->max, v;
  if (lo > 0 && hi / lo > 100) v = lo * pow(hi / lo, uniform());
  else v = lo + (hi - lo) * uniform();
  if (v > hi) v = hi;
  if (o->type == CS_OPT_INT) v = floor(v);
  return v;
}

/* Random values everywhere, then made consistent with the cross rules. */
static void randomize(cs_config *cfg)
{
  cs_config_defaults(cfg);
  for (int s = 0; s < NSECT; ++s)
    for (int r = 0; r < sections[s].t->n; ++r)
      cs_opt_put(&sections[s].t->opts[r], (char *)cfg + sections[s].offset, random_value(&sections[s].t->opts[r]));
  cfg->grid.dim = 3, cfg->grid.nz = 2 + (int)(uniform() * 50), cfg->grid.nx = 3, cfg->grid.ny = 4;
  cfg->model.t_ins1 = cfg->model.t_ins0 + 1;
  if (cfg->solver.krylov == CS_KRYLOV_NONE && cfg->solver.precond == CS_PC_NONE) cfg->solver.precond = CS_PC_LINE;
  cfg->run.t_end = 1e5, cfg->output.dt = 1;
  cs_lesion_cover cover; /* a lesion must cover a cell (a rule): one that misses is moved onto the grid */
  cs_initial_lesion_cover(&cfg->initial, &cfg->model, &cfg->grid, &cover);
  if (cfg->initial.lesion_radius > 0 && (cover.layers == 0 || cover.columns == 0))
    cfg->initial.lesion_depth = fmin(cfg->model.H, 20), cfg->initial.lesion_xc = cfg->initial.lesion_yc = 0.5,
    cfg->initial.lesion_radius = 1e4;
  cfg->n_treatments = 3;
  for (int i = 0; i < 3; ++i) {
    for (int r = 0; r < cs_treatment_table.n; ++r)
      cs_opt_put(&cs_treatment_table.opts[r], &cfg->treatments[i], random_value(&cs_treatment_table.opts[r]));
    cfg->treatments[i].day = 1e5 * uniform();
    if (cfg->treatments[i].type == CS_TREAT_IL1RA) /* the cell keys of a drug keep their defaults (a rule) */
      cfg->treatments[i].viability = 1, cfg->treatments[i].source = CS_SOURCE_REFERENCE;
  }
  snprintf(cfg->description, sizeof cfg->description,
           "r\xc3\xa9sum\xc3\xa9: \"quoted\" \\ back, tab\t, newline\n, \xc2\x85 NEL, # not a comment, %d", (int)rng);
}

static void test_round_trip(void)
{
  cs_config a, b;
  cs_config_errors e;
  for (int round = 0; round < 20; ++round) {
    if (round == 0) {
      const char *p = write_tmp("rt_ref.yaml", reference_yaml);
      cs_config_load(p, NULL, 0, &a, &e);
      cs_config_errors_free(&e);
    } else {
      randomize(&a);
    }
    char *y = cs_config_to_yaml(&a);
    EXPECT(y != NULL, "to_yaml");
    if (!y) return;
    const char *p = write_tmp("rt.yaml", y);
    int rc = cs_config_load(p, NULL, 0, &b, &e);
    EXPECT(rc == 0, "round %d: the emitted YAML loads (rc %d)", round, rc);
    if (rc) dump("round trip", &e);
    EXPECT(configs_equal(&a, &b), "round %d: load(to_yaml(cfg)) == cfg", round);
    char *y2 = cs_config_to_yaml(&b);
    EXPECT(y2 && !strcmp(y, y2), "round %d: to_yaml is stable", round);
    if (round == 0) {
      EXPECT(strstr(y, "  k_a: 0.12") && strstr(y, "# 1/(nM day) \xe2\x80\x94 aggrecan cleavage by Z"),
             "value with unit and help comment");
      EXPECT(strstr(y, "  precond: jacobi") && strstr(y, "  periodic: true") && strstr(y, "  V_s: 12 "),
             "enum by name, bool as true/false, display units");
      EXPECT(strstr(y, "  - type: msc") && strstr(y, "description: \"reference: post-traumatic"),
             "treatments and quoted description");
      /* every key of every table appears */
      for (int s = 0; s < NSECT; ++s)
        for (int r = 0; r < sections[s].t->n; ++r) {
          char key[80];
          snprintf(key, sizeof key, "\n  %s: ", sections[s].t->opts[r].name);
          EXPECT(strstr(y, key), "key %s.%s in the YAML", sections[s].t->section, sections[s].t->opts[r].name);
        }
    }
    free(y), free(y2);
    cs_config_errors_free(&e);
  }
}

static void test_fingerprint(void)
{
  cs_config a, b;
  cs_config_errors e;
  char fa[17], fb[17], fc[17];
  const char *p = write_tmp("fp.yaml", reference_yaml);
  cs_config_load(p, NULL, 0, &a, &e);
  cs_config_errors_free(&e);
  cs_config_load(p, NULL, 0, &b, &e);
  cs_config_errors_free(&e);
  cs_config_fingerprint(&a, fa);
  cs_config_fingerprint(&b, fb);
  EXPECT(strlen(fa) == 16 && strspn(fa, "0123456789abcdef") == 16, "16 hex digits: %s", fa);
  EXPECT(!strcmp(fa, fb), "same config, same fingerprint");
  const char *set[] = {"model.k_a=0.12000000000000001"};
  cs_config_load(p, set, 1, &b, &e);
  cs_config_errors_free(&e);
  cs_config_fingerprint(&b, fc);
  EXPECT(strcmp(fa, fc) != 0, "one ulp of k_a changes the fingerprint (%s vs %s)", fa, fc);
  b = a;
  b.treatments[1].dose = 3;
  cs_config_fingerprint(&b, fc);
  EXPECT(strcmp(fa, fc) != 0, "a treatment dose changes the fingerprint");
  /* comments (units, help text) do not count; values and quoted '#' do */
  char c1[17], c2[17], c3[17], c4[17];
  cs_yaml_fingerprint("model:\n  k_a: 0.25   # 1/day - old help\n  description: \"a # b\"\n", c1);
  cs_yaml_fingerprint("model:\n  k_a: 0.25 # 1/day - reworded help text\n  description: \"a # b\"\n", c2);
  cs_yaml_fingerprint("model:\n  k_a: 0.26   # 1/day - old help\n  description: \"a # b\"\n", c3);
  cs_yaml_fingerprint("model:\n  k_a: 0.25   # 1/day - old help\n  description: \"a # c\"\n", c4);
  EXPECT(!strcmp(c1, c2), "a reworded comment changed the fingerprint (%s vs %s)", c1, c2);
  EXPECT(strcmp(c1, c3) != 0, "a value change kept the fingerprint");
  EXPECT(strcmp(c1, c4) != 0, "a '#' inside quotes was taken for a comment");
}

/* ---- hostile input ----------------------------------------------------------------- */

static void expect_survives(const char *name, const char *text, size_t len)
{
  cs_config cfg;
  cs_config_errors e;
  const char *p = write_file(name, text, len);
  int rc = cs_config_load(p, NULL, 0, &cfg, &e);
  EXPECT(rc == 0 || rc == CS_ERR_CONFIG, "%s: rc %d", name, rc);
  EXPECT(rc == 0 || e.n > 0, "%s: failure without a message", name);
  expect_one_line_each(&e);
  cs_config_errors_free(&e);
}

static void test_hostile(void)
{
  size_t n = 300000;
  char *buf = malloc(n + 1);
  /* deep flow nesting: rejected quickly, not after minutes */
  memcpy(buf, "model: ", 7);
  memset(buf + 7, '[', n - 7);
  expect_survives("deep.yaml", buf, n);
  for (size_t i = 0; i < n; ++i) buf[i] = "{a: "[i % 4];
  expect_survives("deep_map.yaml", buf, n);
  /* deep block nesting */
  size_t len = 0;
  for (int d = 0; d < 200; ++d) len += (size_t)sprintf(buf + len, "%*sk%d:\n", d, "", d);
  expect_survives("deep_block.yaml", buf, len);
  /* larger than any config */
  memset(buf, '#', n), buf[n] = '\0';
  char *big = malloc(4u << 20);
  for (size_t i = 0; i < (4u << 20); ++i) big[i] = (i % 64 == 63) ? '\n' : '#';
  cs_config cfg;
  cs_config_errors e;
  const char *p = write_file("big.yaml", big, 4u << 20);
  int rc = cs_config_load(p, NULL, 0, &cfg, &e);
  EXPECT(rc == CS_ERR_CONFIG && find(&e, "too large", NULL) >= 0, "4 MiB file rejected (rc %d)", rc);
  /* reported as FILE:LINE:COL like every other exit-3 problem (it read "cannot read config file", the
   * words of the exit-4 case) */
  {
    char where[1100];
    snprintf(where, sizeof where, "%s:1:1: over 1 MiB", p);
    EXPECT(find(&e, where, NULL) == 0, "too large as FILE:1:1: (%s)", e.n ? e.lines[0] : "no message");
  }
  cs_config_errors_free(&e);
  free(big);
  /* random bytes, and a valid config with random bytes changed */
  for (int round = 0; round < 300; ++round) {
    size_t m = 1 + (size_t)(uniform() * 400);
    if (round % 2 == 0) {
      for (size_t i = 0; i < m; ++i) buf[i] = (char)(uniform() * 256);
    } else {
      m = strlen(reference_yaml);
      memcpy(buf, reference_yaml, m);
      for (int k = 0; k < 1 + round % 7; ++k) buf[(size_t)(uniform() * m)] = (char)(uniform() * 256);
    }
    expect_survives("fuzz.yaml", buf, m);
  }
  /* aliases and anchors are not expanded into anything big */
  const char *alias = "x: &a [1, 2]\nmodel: *a\ngrid: &g {nz: 10}\ninitial: *g\n";
  expect_survives("alias.yaml", alias, strlen(alias));
  free(buf);
}

/* ---- the bad/ directory --------------------------------------------------------------- */

/* Leading "# expect: TEXT" lines of a file (at most 4). */
static int read_expectations(const char *path, char exp[4][256])
{
  FILE *f = fopen(path, "rb");
  int n = 0;
  char line[300];
  while (f && n < 4 && fgets(line, sizeof line, f) && !strncmp(line, "# expect: ", 10)) {
    line[strcspn(line, "\r\n")] = '\0';
    snprintf(exp[n++], 256, "%.255s", line + 10); /* longer expectations are cut */
  }
  if (f) fclose(f);
  return n;
}

/* The advice of the "GMRES did not converge" warning fits the run: it told
 * runs already on pfmg to use "line or pfmg". */
static void test_krylov_advice(void)
{
  EXPECT(strstr(cs_krylov_advice(CS_PC_JACOBI), "solver.precond line or pfmg"), "jacobi");
  EXPECT(strstr(cs_krylov_advice(CS_PC_NONE), "solver.precond line or pfmg"), "none");
  EXPECT(!strstr(cs_krylov_advice(CS_PC_PFMG), "solver.precond"), "pfmg: %s", cs_krylov_advice(CS_PC_PFMG));
  EXPECT(!strstr(cs_krylov_advice(CS_PC_LINE), "solver.precond"), "line: %s", cs_krylov_advice(CS_PC_LINE));
}

static void test_bad_file(const char *path)
{
  char exp[4][256];
  cs_config cfg;
  cs_config_errors e;
  int nexp = read_expectations(path, exp);
  EXPECT(nexp > 0, "%s: no '# expect: ' first line", path);
  int rc = cs_config_load(path, NULL, 0, &cfg, &e);
  EXPECT(rc == CS_ERR_CONFIG, "%s: rc %d, expected %d", path, rc, CS_ERR_CONFIG);
  int ok = 1;
  for (int k = 0; k < nexp; ++k) {
    int i = find(&e, exp[k], NULL);
    int named = i >= 0 && strstr(e.lines[i], path) != NULL;
    EXPECT(named, "%s: no message containing '%s' and the file name", path, exp[k]);
    ok &= named;
  }
  if (!ok || rc != CS_ERR_CONFIG) dump(path, &e);
  expect_one_line_each(&e);
  cs_config_errors_free(&e);
}

int main(int argc, char **argv)
{
  strcpy(tmpdir, "/tmp/cs_config_test_XXXXXX");
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 1;
  }
  test_defaults();
  test_reference();
  test_error_kinds();
  test_all_reported();
  test_io();
  test_set();
  test_base();
  test_round_trip();
  test_fingerprint();
  test_hostile();
  test_krylov_advice();
  if (argc > 1) EXPECT(argc - 1 >= 25, "at least 25 bad configs, got %d", argc - 1);
  for (int i = 1; i < argc; ++i) test_bad_file(argv[i]);

  for (int i = nmade - 1; i >= 0; --i) remove(made[i]), free(made[i]);
  char sub[96];
  snprintf(sub, sizeof sub, "%s/sub", tmpdir);
  rmdir(sub), rmdir(tmpdir);
  printf("test_config: %d checks, %d failures, %d bad configs\n", checks, failures, argc - 1);
  return failures ? 1 : 0;
}
