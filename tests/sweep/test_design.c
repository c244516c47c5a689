#define _DEFAULT_SOURCE
/* Sweep designs: grid count and order, list rows, Latin hypercube
 * stratification (one sample per stratum per factor, log scale), and
 * reproducibility from the seed; spec errors name FILE:LINE, and every
 * malformed sweep file of the table `bad` gives exactly its lines. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit/check.h"
#include "error.h"
#include "sweep/design.h"

/* The specs live in a private directory beside a readable ref.yaml (the
 * reader checks that the base can be read; these tests need nothing else). */
static char tmpdir[] = "/tmp/cartsim-test-design-XXXXXX";

static const char *write_tmp(const char *name, const char *text)
{
  static char path[256];
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
  return path;
}

static void remove_tmp(void)
{
  char path[256];
  for (const char *const *n = (const char *const[]){"sweep.yaml", "ref.yaml", NULL}; *n; ++n) {
    snprintf(path, sizeof path, "%s/%s", tmpdir, *n);
    unlink(path);
  }
  rmdir(tmpdir);
}

static int load(const char *text, cs_sweep_spec *sp, cs_design *d, cs_config_errors *errs)
{
  int rc = cs_sweep_spec_load(write_tmp("sweep.yaml", text), sp, errs);
  if (rc == 0) rc = cs_design_make(sp, d);
  if (rc == 0) CHECK(cs_design_rows(sp) == d->nrows, "cs_design_rows %g, built %d", cs_design_rows(sp), d->nrows);
  return rc;
}

#define GRID "design: {type: grid, factors: {model.k_c: [1, 2]}}\n"
#define ARM1 "    - {name: early, set: {\"treatments[0].type\": msc, \"treatments[0].day\": 180, " \
             "\"treatments[0].dose\": 5e7}}\n"

/* Malformed sweep files: each is an error of the sweep file (CS_ERR_CONFIG)
 * with exactly these lines, FILE being sweep.yaml. */
static const struct {
  const char *what, *text, *lines[6];
} bad[] = {
    /* a key given twice in any mapping: the last one used to win; a second
     * set: overflowed the heap (a crash, or an abort and a hang in MPI) */
    {"a second set:", "base: ref.yaml\nset:\n  model.k_a: 0.1\nset:\n  run.t_end: 60\n" GRID,
     {"4:1: set: duplicate key (first given at line 2)"}},
    {"a second set: shorter than the first",
     "base: ref.yaml\nset:\n  model.k_a: 0.1\n  model.V_s: 10\n  model.D_P: 1\nset:\n  run.t_end: 60\n" GRID,
     {"6:1: set: duplicate key (first given at line 2)"}},
    {"two designs", "base: ref.yaml\ndesign:\n  type: grid\n  factors: {model.k_c: [1, 2]}\ndesign:\n  type: list\n"
                    "  rows: [{model.k_c: 3}]\n",
     {"5:1: design: duplicate key (first given at line 2)"}},
    {"base twice", "base: ref.yaml\nbase: ref.yaml\n" GRID, {"2:1: base: duplicate key (first given at line 1)"}},
    {"seed twice", "base: ref.yaml\nseed: 1\nseed: 2\n" GRID, {"3:1: seed: duplicate key (first given at line 2)"}},
    {"a key twice in set:", "base: ref.yaml\nset:\n  model.k_a: 0.1\n  model.k_a: 0.2\n" GRID,
     {"4:3: model.k_a: duplicate key (first given at line 3)"}},
    {"a factor twice", "base: ref.yaml\ndesign:\n  type: grid\n  factors:\n    model.k_c: [1, 2]\n    model.k_c: [3]\n",
     {"6:5: model.k_c: duplicate key (first given at line 5)"}},
    {"type twice", "base: ref.yaml\ndesign:\n  type: grid\n  type: list\n  factors: {model.k_c: [1, 2]}\n",
     {"4:3: type: duplicate key (first given at line 3)"}},
    {"a key twice in a list row",
     "base: ref.yaml\ndesign:\n  type: list\n  rows:\n    - {model.k_c: 1, model.k_a: 2, model.k_c: 3}\n"
     "    - {model.k_c: 4}\n",
     {"5:36: model.k_c: duplicate key (first given at line 5)"}},
    {"a range twice", "base: ref.yaml\ndesign:\n  type: lhs\n  samples: 4\n  ranges:\n    model.k_c: {min: 0.5, max: 1}\n"
                      "    model.k_c: {min: 0.5, max: 0.6}\n",
     {"7:5: model.k_c: duplicate key (first given at line 6)"}},
    {"min twice in a range", "base: ref.yaml\ndesign:\n  type: lhs\n  samples: 4\n  ranges:\n"
                             "    model.k_c: {min: 0.5, max: 1, min: 0.6}\n",
     {"6:35: min: duplicate key (first given at line 6)"}},
    {"a distribution twice",
     "base: ref.yaml\ndesign:\n  type: cohort\n  patients: 2\n  distributions:\n"
     "    model.V_s: {dist: uniform, min: 7, max: 9}\n    model.V_s: {dist: uniform, min: 8, max: 9}\n"
     "  arms:\n    - {name: untreated}\n" ARM1,
     {"7:5: model.V_s: duplicate key (first given at line 6)"}},
    {"a parameter twice in a distribution",
     "base: ref.yaml\ndesign:\n  type: cohort\n  patients: 2\n  distributions:\n"
     "    model.V_s: {dist: lognormal, median: 10, sigma: 0.3, median: 12}\n  arms:\n    - {name: untreated}\n" ARM1,
     {"6:58: median: duplicate key (first given at line 6)"}},
    {"a key twice in an arm's set",
     "base: ref.yaml\ndesign:\n  type: cohort\n  patients: 2\n  distributions:\n"
     "    model.V_s: {dist: uniform, min: 7, max: 9}\n  arms:\n    - {name: untreated}\n"
     "    - name: early\n      set: {\"treatments[0].type\": msc, \"treatments[0].day\": 180, \"treatments[0].day\": 90}\n",
     {"10:66: treatments[0].day: duplicate key (first given at line 10)"}},
    {"an arm's name twice",
     "base: ref.yaml\ndesign:\n  type: cohort\n  patients: 2\n  distributions:\n"
     "    model.V_s: {dist: uniform, min: 7, max: 9}\n  arms:\n    - {name: untreated, name: none}\n" ARM1,
     {"8:25: name: duplicate key (first given at line 8)"}},
    /* a key a distribution does not take: ignored, so that `mni` lost the truncation */
    {"a typo in a truncation", "base: ref.yaml\ndesign:\n  type: cohort\n  patients: 2\n  distributions:\n"
                               "    model.V_s: {dist: lognormal, median: 10, sigma: 0.3, mni: 8}\n  arms:\n"
                               "    - {name: untreated}\n" ARM1,
     {"6:58: model.V_s: unknown lognormal distribution key 'mni' (dist, median, sigma, min, max)"}},
    {"another distribution's parameter", "base: ref.yaml\ndesign:\n  type: cohort\n  patients: 2\n  distributions:\n"
                                         "    model.V_s: {dist: normal, mean: 10, sigma: 0.3}\n  arms:\n"
                                         "    - {name: untreated}\n" ARM1,
     {"6:41: model.V_s: unknown normal distribution key 'sigma' (dist, mean, sd, min, max)"}},
    {"a truncation of a uniform", "base: ref.yaml\ndesign:\n  type: cohort\n  patients: 2\n  distributions:\n"
                                  "    model.V_s: {dist: uniform, min: 7, max: 9, max: 8}\n  arms:\n"
                                  "    - {name: untreated}\n" ARM1,
     {"6:48: max: duplicate key (first given at line 6)"}},
    {"a bounded distribution with a truncation key", "base: ref.yaml\ndesign:\n  type: cohort\n  patients: 2\n"
     "  distributions:\n    model.V_s: {dist: loguniform, min: 7, max: 9, sd: 1}\n  arms:\n    - {name: untreated}\n" ARM1,
     {"6:51: model.V_s: unknown loguniform distribution key 'sd' (dist, min, max)"}},
    /* bad parameters, each named with its value as written (all said "invalid distribution parameters") */
    {"bad distribution parameters", "base: ref.yaml\ndesign:\n  type: cohort\n  patients: 2\n  distributions:\n"
     "    model.k_c: {dist: normal, mean: 0.016, sd: -1}\n    model.V_s: {dist: uniform, min: 3, max: 2}\n"
     "    model.sig_s0: {dist: lognormal, median: 0, sigma: 0}\n    model.k_a: {dist: loguniform, min: -1, max: 2}\n"
     "  arms:\n    - {name: untreated}\n",
     {"6:48: model.k_c: sd = -1: must be > 0", "7:37: model.V_s: min = 3 must be below max = 2",
      "8:45: model.sig_s0: median = 0: must be > 0", "8:55: model.sig_s0: sigma = 0: must be > 0",
      "9:40: model.k_a: min = -1: must be > 0 (a loguniform is uniform in log space)"}},
    {"a loguniform from 0 and a truncation upside down", "base: ref.yaml\ndesign:\n  type: cohort\n  patients: 2\n"
     "  distributions:\n    model.k_a: {dist: loguniform, min: 0, max: 2}\n"
     "    model.D_P: {dist: normal, mean: 1, sd: 1, min: 3, max: 2e0}\n  arms:\n    - {name: untreated}\n",
     {"6:40: model.k_a: min = 0: must be > 0 (a loguniform is uniform in log space)",
      "7:52: model.D_P: min = 3 must be below max = 2e0 (the truncation of the normal distribution)"}},
    /* a key of another design type: ignored */
    {"samples in a grid", "base: ref.yaml\ndesign:\n  type: grid\n  samples: 5\n  factors: {model.k_c: [1, 2]}\n",
     {"4:3: samples: not a key of a grid design (type, factors)"}},
    {"factors in a list", "base: ref.yaml\ndesign:\n  type: list\n  factors: {model.k_c: [1, 2]}\n  rows: [{model.k_c: 1}]\n",
     {"4:3: factors: not a key of a list design (type, rows)"}},
    {"levels in an lhs", "base: ref.yaml\ndesign:\n  type: lhs\n  samples: 4\n  levels: 6\n"
                         "  ranges: {model.k_c: {min: 1, max: 2}}\n",
     {"5:3: levels: not a key of a lhs design (type, samples, ranges)"}},
    {"trajectories in a sobol", "base: ref.yaml\ndesign:\n  type: sobol\n  trajectories: 4\n"
                                "  ranges: {model.k_c: {min: 1, max: 2}}\n",
     {"4:3: trajectories: not a key of a sobol design (type, samples, ranges)",
      "3:3: design.samples: expected a whole number in [1, 1000000]"}},
    {"ranges in a cohort", "base: ref.yaml\ndesign:\n  type: cohort\n  patients: 2\n  ranges: {model.k_c: {min: 1, max: 2}}\n"
                           "  distributions:\n    model.V_s: {dist: uniform, min: 7, max: 9}\n  arms:\n"
                           "    - {name: untreated}\n" ARM1,
     {"5:3: ranges: not a key of a cohort design (type, patients, distributions, arms)"}},
    {"a key of no design", "base: ref.yaml\ndesign:\n  type: grid\n  factor: {model.k_c: [1, 2]}\n",
     {"4:3: factor: unknown design key (type, factors, rows, samples, trajectories, ranges, levels, patients, "
      "distributions, arms)", "3:3: design.factors: expected a mapping {key: [values...]}"}},
    /* a seed that GSL would not take as written: silently changed */
    {"a negative seed", "base: ref.yaml\nseed: -1\n" GRID, {"2:7: seed: expected a whole number in [0, 4294967295], found '-1'"}},
    {"a fractional seed", "base: ref.yaml\nseed: 1.5\n" GRID,
     {"2:7: seed: expected a whole number in [0, 4294967295], found '1.5'"}},
    {"a seed over 32 bits", "base: ref.yaml\nseed: 4294967297\n" GRID,
     {"2:7: seed: expected a whole number in [0, 4294967295], found '4294967297'"}},
    {"a huge seed", "base: ref.yaml\nseed: 1e30\n" GRID,
     {"2:7: seed: expected a whole number in [0, 4294967295], found '1e30'"}},
    {"a hex seed", "base: ref.yaml\nseed: 0x10\n" GRID, {"2:7: seed: expected a decimal number, found '0x10'"}},
    {"an infinite range", "base: ref.yaml\ndesign:\n  type: lhs\n  samples: 4\n  ranges: {model.k_c: {min: 1, max: .inf}}\n",
     {"5:37: model.k_c: expected a decimal number, found '.inf'", "5:23: model.k_c: a range needs min and max"}},
    /* arms are told apart by name: two of one name were drawn as one arm in the cohort figure */
    {"two arms of one name", "base: ref.yaml\ndesign:\n  type: cohort\n  patients: 2\n  distributions:\n"
                             "    model.V_s: {dist: uniform, min: 7, max: 9}\n  arms:\n    - {name: untreated}\n"
                             "    - name: a/b\n      set: {\"treatments[0].type\": msc, \"treatments[0].day\": 180}\n"
                             "    - name: a/b\n      set: {\"treatments[0].type\": msc, \"treatments[0].day\": 900}\n",
     {"11:13: design.arms: name 'a/b' given twice (first at line 9; arms are told apart by name)"}},
    {"an arm key that is not name or set", "base: ref.yaml\ndesign:\n  type: cohort\n  patients: 2\n  distributions:\n"
                                           "    model.V_s: {dist: uniform, min: 7, max: 9}\n  arms:\n"
                                           "    - {name: untreated, sett: {model.k_c: 1}}\n" ARM1,
     {"8:25: design.arms: unknown arm key 'sett' (name, set)"}},
    {"an arm without a name", "base: ref.yaml\ndesign:\n  type: cohort\n  patients: 2\n  distributions:\n"
                              "    model.V_s: {dist: uniform, min: 7, max: 9}\n  arms:\n    - {nmae: untreated}\n" ARM1,
     {"8:8: design.arms: unknown arm key 'nmae' (name, set)", "8:7: design.arms: an arm needs a name"}},
    {"an arm that is not a mapping", "base: ref.yaml\ndesign:\n  type: cohort\n  patients: 2\n  distributions:\n"
                                     "    model.V_s: {dist: uniform, min: 7, max: 9}\n  arms:\n    - untreated\n" ARM1,
     {"8:7: design.arms: each arm is a mapping {name: ..., set: {...}}"}},
    /* a set: key the design varies in every row: the set: value was never used */
    {"a factor also in set:", "base: ref.yaml\nset:\n  run.t_end: 100\n  model.k_c: 0.5\n" GRID,
     {"4:3: model.k_c: also varied by the design, whose values replace this one in every row: give it in one place"}},
    {"a distribution also in set:", "base: ref.yaml\nset: {model.V_s: 8}\ndesign:\n  type: cohort\n  patients: 2\n"
                                    "  distributions:\n    model.V_s: {dist: uniform, min: 7, max: 9}\n  arms:\n"
                                    "    - {name: untreated}\n" ARM1,
     {"2:7: model.V_s: also varied by the design, whose values replace this one in every row: give it in one place"}},
    /* an empty design: no row at all (exit 0, nothing done), or one row of the base config */
    {"no rows", "base: ref.yaml\ndesign:\n  type: list\n  rows: []\n",
     {"4:9: design.rows: expected at least one row {key: value, ...}"}},
    {"no factors", "base: ref.yaml\ndesign:\n  type: grid\n  factors: {}\n",
     {"4:12: design.factors: expected at least one {key: [values...]}"}},
    /* an arm that cannot branch from the history: it failed in every patient, at --from-state */
    {"an arm that changes the model", "base: ref.yaml\ndesign:\n  type: cohort\n  patients: 2\n  distributions:\n"
                                      "    model.V_s: {dist: uniform, min: 7, max: 9}\n  arms:\n    - {name: untreated}\n"
                                      "    - name: early\n      set: {\"treatments[0].type\": msc, "
                                      "\"treatments[0].day\": 180, model.k_a: 0.2, run.t_end: 900}\n",
     {"10:66: model.k_a: an arm cannot set it: it branches from the patient's untreated history, whose model, grid, "
      "initial values and run.t_end it shares (an arm sets treatments, solver or output keys)",
      "10:82: run.t_end: an arm cannot set it: it branches from the patient's untreated history, whose model, grid, "
      "initial values and run.t_end it shares (an arm sets treatments, solver or output keys)"}},
    {"an arm day that is no number", "base: ref.yaml\ndesign:\n  type: cohort\n  patients: 2\n  distributions:\n"
                                     "    model.V_s: {dist: uniform, min: 7, max: 9}\n  arms:\n    - {name: untreated}\n"
                                     "    - name: early\n      set: {\"treatments[0].type\": msc, \"treatments[0].day\": 1e400}\n",
     {"10:12: early: an arm needs treatments[0].day, a number > 0 (the day it branches)"}},
    /* text with a NUL character (a YAML escape): it was read up to the NUL */
    {"a value with a NUL", "base: ref.yaml\nset: {model.k_a: \"0.1\\0junk\"}\n" GRID,
     {"2:18: model.k_a: expected a value, found text with a NUL character"}},
    {"a key with a NUL", "base: ref.yaml\nset: {\"model.k_a\\0x\": 0.1}\n" GRID,
     {"2:7: set: keys must be plain names, found text with a NUL character"}},
    {"a key that is a list", "base: ref.yaml\n? [a, b]\n: 1\n" GRID, {"2:3: sweep: keys must be plain names, found a list"}},
    /* treatments (as []) varies in grid and list designs; a sampled design draws numbers */
    {"treatments in a sampled design", "base: ref.yaml\ndesign:\n  type: lhs\n  samples: 3\n"
                                       "  ranges: {treatments: {min: 1, max: 2}}\n",
     {"5:12: treatments: varies only in a grid or list design, as [] (no treatments): a lhs design draws numbers"}},
    {"a treatment of set: that a grid clears", "base: ref.yaml\nset: {\"treatments[0].type\": msc}\n"
                                               "design:\n  type: grid\n  factors: {treatments: [[]], model.k_c: [1, 2]}\n",
     {"2:7: treatments[0].type: cleared in every row by the design's treatments: [], so this value would never be used"}},
    {"a list other than [] for treatments", "base: ref.yaml\ndesign:\n  type: list\n  rows: [{treatments: [1]}]\n",
     {"4:23: treatments: expected a value, found a list"}},
    {"description varied", "base: ref.yaml\ndesign:\n  type: list\n  rows: [{description: x}]\n",
     {"4:11: description: expected a config key such as model.sig_s0 or treatments[0].day (or treatments, as [])"}},
};

/* Every case of `bad`: CS_ERR_CONFIG with exactly its lines. */
static void check_bad_specs(void)
{
  const size_t dir = strlen(tmpdir) + 1; /* the lines start "<tmpdir>/sweep.yaml:" */
  for (size_t c = 0; c < sizeof bad / sizeof *bad; ++c) {
    cs_sweep_spec sp;
    cs_design d;
    cs_config_errors errs;
    int rc = load(bad[c].text, &sp, &d, &errs), want = 0, same = rc == CS_ERR_CONFIG;
    while (want < 6 && bad[c].lines[want]) ++want;
    same &= errs.n == want;
    for (int i = 0; same && i < want; ++i) {
      char line[600];
      snprintf(line, sizeof line, "sweep.yaml:%s", bad[c].lines[i]);
      same &= strlen(errs.lines[i]) > dir && !strcmp(errs.lines[i] + dir, line);
    }
    CHECK(same, "%s: rc %d, %d line(s), first: %s", bad[c].what, rc, errs.n, errs.n ? errs.lines[0] : "(none)");
    if (rc == CS_OK) cs_design_free(&d);
    cs_sweep_spec_free(&sp);
    cs_config_errors_free(&errs);
  }
}

int main(void)
{
  if (!mkdtemp(tmpdir)) return 1;
  atexit(remove_tmp);
  write_tmp("ref.yaml", "# stands for the base config\n");
  cs_sweep_spec sp;
  cs_design d;
  cs_config_errors errs;
  int rc = load("base: ref.yaml\nseed: 4294967295\n" GRID, &sp, &d, &errs);
  CHECK(rc == 0 && sp.seed == 4294967295ul, "the largest seed GSL takes (rc %d, seed %lu)", rc, sp.seed);
  cs_design_free(&d);
  cs_sweep_spec_free(&sp);
  cs_config_errors_free(&errs);
  rc = load("base: ref.yaml\ndesign:\n  type: grid\n  factors:\n    model.k_c: [0.01, 0.02, 0.03]\n"
                "    treatments[0].day: [90, 180]\n", &sp, &d, &errs);
  CHECK(rc == 0 && d.nrows == 6 && d.nfactor == 2, "grid of 3 x 2 (rc %d, rows %d)", rc, d.nrows);
  CHECK(!strcmp(cs_design_value(&d, 0, 0), "0.01") && !strcmp(cs_design_value(&d, 1, 1), "180") &&
        !strcmp(cs_design_value(&d, 5, 0), "0.03"), "last factor fastest");
  CHECK(strstr(sp.base, "ref.yaml") && sp.base[0] == '/', "base resolved next to the sweep file: %s", sp.base);
  cs_design_free(&d);
  cs_sweep_spec_free(&sp);
  cs_config_errors_free(&errs);

  rc = load("base: ref.yaml\nset: {model.k_c: 0.02}\ndesign:\n  type: list\n  rows:\n    - {model.k_c: 0.014}\n"
            "    - {model.sig_s0: 0.05}\n", &sp, &d, &errs);
  CHECK(rc == 0 && d.nrows == 2 && d.nfactor == 2, "list rows (set: gives the value of a row that leaves a key out)");
  CHECK(!strcmp(cs_design_value(&d, 0, 0), "0.014") && !strcmp(cs_design_value(&d, 0, 1), "") &&
        !strcmp(cs_design_value(&d, 1, 1), "0.05"), "a row leaves out what it does not set");
  cs_design_free(&d);
  cs_sweep_spec_free(&sp);
  cs_config_errors_free(&errs);

  /* `treatments: []` varies as --set treatments=[] takes it: an untreated row of a list, a grid factor */
  rc = load("base: ref.yaml\nset: {\"treatments[0].type\": msc, \"treatments[0].day\": 90}\ndesign:\n  type: list\n"
            "  rows:\n    - {treatments: []}\n    - {\"treatments[0].day\": 180}\n", &sp, &d, &errs);
  CHECK(rc == 0 && d.nrows == 2 && d.nfactor == 2 && !strcmp(sp.factor[0], "treatments"),
        "a list row without treatments (rc %d: %s)", rc, errs.n ? errs.lines[0] : "");
  CHECK(rc == 0 && !strcmp(cs_design_value(&d, 0, 0), "[]") && !strcmp(cs_design_value(&d, 1, 0), ""),
        "its value is [], the other row leaves it out");
  cs_design_free(&d);
  cs_sweep_spec_free(&sp);
  cs_config_errors_free(&errs);
  rc = load("base: ref.yaml\ndesign:\n  type: grid\n  factors: {treatments: [[]], model.k_c: [1, 2]}\n", &sp, &d, &errs);
  CHECK(rc == 0 && d.nrows == 2 && !strcmp(cs_design_value(&d, 1, 0), "[]"), "a grid factor treatments: [[]] (rc %d: %s)",
        rc, errs.n ? errs.lines[0] : "");
  cs_design_free(&d);
  cs_sweep_spec_free(&sp);
  cs_config_errors_free(&errs);

  const char *lhs = "base: ref.yaml\nseed: 11\ndesign:\n  type: lhs\n  samples: 50\n  ranges:\n"
                    "    model.sig_s0: {min: 0.03, max: 0.12, scale: log}\n    model.k_c: {min: 0.01, max: 0.03}\n";
  rc = load(lhs, &sp, &d, &errs);
  CHECK(rc == 0 && d.nrows == 50, "lhs samples");
  for (int f = 0; f < 2; ++f) {
    int hits[50] = {0};
    for (int r = 0; r < 50; ++r) {
      double v = atof(cs_design_value(&d, r, f));
      double u = f == 0 ? (log(v) - log(0.03)) / (log(0.12) - log(0.03)) : (v - 0.01) / 0.02;
      CHECK(u >= 0 && u < 1, "factor %d value %g in range", f, v);
      int s = (int)(u * 50);
      if (s >= 0 && s < 50) hits[s]++;
    }
    int once = 1;
    for (int s = 0; s < 50; ++s) once &= hits[s] == 1;
    CHECK(once, "factor %d: exactly one sample per stratum", f);
  }
  char first[64];
  snprintf(first, sizeof first, "%s", cs_design_value(&d, 7, 1));
  cs_design_free(&d);
  cs_sweep_spec_free(&sp);
  cs_config_errors_free(&errs);
  rc = load(lhs, &sp, &d, &errs);
  CHECK(rc == 0 && !strcmp(first, cs_design_value(&d, 7, 1)), "the same seed gives the same design");
  cs_design_free(&d);
  cs_sweep_spec_free(&sp);
  cs_config_errors_free(&errs);

  /* Saltelli: per sample A, B, AB_i; AB_i = A except factor i, which is B's */
  rc = load("base: ref.yaml\nseed: 2\ndesign:\n  type: sobol\n  samples: 16\n  ranges:\n"
            "    model.k_c: {min: 0.01, max: 0.03}\n    model.sig_s0: {min: 0.03, max: 0.12, scale: log}\n"
            "    model.V_s: {min: 7, max: 24}\n", &sp, &d, &errs);
  CHECK(rc == 0 && d.nrows == 16 * 5 && d.nmeta == 2, "sobol rows N (k+2)");
  for (int j = 0; j < 16 && rc == 0; ++j) {
    int a = j * 5, b = j * 5 + 1;
    CHECK(!strcmp(cs_design_meta(&d, a, 1), "A") && !strcmp(cs_design_meta(&d, b, 1), "B"), "blocks A, B");
    for (int i = 0; i < 3; ++i) {
      int ab = j * 5 + 2 + i;
      CHECK(!strcmp(cs_design_meta(&d, ab, 1), sp.factor[i]), "block names factor %d", i);
      for (int f = 0; f < 3; ++f)
        CHECK(!strcmp(cs_design_value(&d, ab, f), cs_design_value(&d, f == i ? b : a, f)), "AB_%d column %d", i, f);
    }
  }
  cs_design_free(&d);
  cs_sweep_spec_free(&sp);
  cs_config_errors_free(&errs);

  /* Morris: each step changes exactly the factor named in block, by the same unit step */
  rc = load("base: ref.yaml\nseed: 4\ndesign:\n  type: morris\n  trajectories: 6\n  levels: 4\n  ranges:\n"
            "    model.k_c: {min: 0.01, max: 0.03}\n    model.V_s: {min: 7, max: 24}\n", &sp, &d, &errs);
  CHECK(rc == 0 && d.nrows == 6 * 3 && d.nmeta == 3, "morris rows r (k+1)");
  for (int r = 1; r < d.nrows && rc == 0; ++r) {
    if (!strcmp(cs_design_meta(&d, r, 1), "0")) continue;
    int changed = 0;
    for (int f = 0; f < 2; ++f)
      if (strcmp(cs_design_value(&d, r, f), cs_design_value(&d, r - 1, f))) {
        ++changed;
        CHECK(!strcmp(sp.factor[f], cs_design_meta(&d, r, 2)), "row %d changes the factor it names", r);
        double du = (atof(cs_design_value(&d, r, f)) - atof(cs_design_value(&d, r - 1, f))) / (sp.hi[f] - sp.lo[f]);
        CHECK(fabs(du - 4.0 / 6.0) < 1e-9, "step p/(2(p-1)) = 2/3 in unit coordinates (%g)", du);
      }
    CHECK(changed == 1, "one factor per step (row %d)", r);
  }
  cs_design_free(&d);
  cs_sweep_spec_free(&sp);
  cs_config_errors_free(&errs);

  /* a different seed gives a different design */
  rc = load("base: ref.yaml\nseed: 12\ndesign:\n  type: lhs\n  samples: 50\n  ranges:\n"
            "    model.sig_s0: {min: 0.03, max: 0.12, scale: log}\n    model.k_c: {min: 0.01, max: 0.03}\n",
            &sp, &d, &errs);
  CHECK(rc == 0 && strcmp(first, cs_design_value(&d, 7, 1)), "another seed, another design");
  cs_design_free(&d);
  cs_sweep_spec_free(&sp);
  cs_config_errors_free(&errs);

  /* Sobol and Morris values stay inside their ranges; Morris trajectories are numbered, steps 0..k */
  const char *ranges = "  ranges:\n    model.k_c: {min: 0.01, max: 0.03}\n    model.sig_s0: {min: 0.03, max: 0.12, "
                       "scale: log}\n";
  char text[512];
  for (int kind = 0; kind < 2; ++kind) {
    snprintf(text, sizeof text, "base: ref.yaml\nseed: 3\ndesign:\n  type: %s\n  samples: 32\n%s",
             kind ? "morris" : "sobol", ranges);
    rc = load(text, &sp, &d, &errs);
    CHECK(rc == 0 && d.nrows == 32 * (kind ? 3 : 4), "%s count %d", kind ? "morris" : "sobol", d.nrows);
    for (int r = 0; r < d.nrows && rc == 0; ++r) {
      double k_c = atof(cs_design_value(&d, r, 0)), sig = atof(cs_design_value(&d, r, 1));
      CHECK(k_c >= 0.01 - 1e-12 && k_c <= 0.03 + 1e-12 && sig >= 0.03 * (1 - 1e-9) && sig <= 0.12 * (1 + 1e-9),
            "row %d in range (%g, %g)", r, k_c, sig);
      if (kind) CHECK(atoi(cs_design_meta(&d, r, 0)) == r / 3 && atoi(cs_design_meta(&d, r, 1)) == r % 3 &&
                      (r % 3 != 0 || !cs_design_meta(&d, r, 2)[0]), "morris row %d: trajectory, step, block", r);
    }
    cs_design_free(&d);
    cs_sweep_spec_free(&sp);
    cs_config_errors_free(&errs);
  }

  /* cohort: patients x arms, every arm of a patient the same values, truncation respected, reproducible */
  const char *coh = "base: ref.yaml\nseed: 9\ndesign:\n  type: cohort\n  patients: 200\n  distributions:\n"
                    "    model.V_s: {dist: lognormal, median: 10, sigma: 0.5, min: 6.7, max: 24}\n"
                    "    model.k_c: {dist: normal, mean: 0.02, sd: 0.01, min: 0.014, max: 0.025}\n"
                    "  arms:\n    - {name: untreated}\n    - name: early\n"
                    "      set: {\"treatments[0].type\": msc, \"treatments[0].day\": 180, \"treatments[0].dose\": 5e7}\n";
  rc = load(coh, &sp, &d, &errs);
  CHECK(rc == 0 && d.nrows == 400 && sp.narms == 2 && sp.arm_day[1] == 180, "cohort rows (rc %d, %d)", rc, d.nrows);
  double sum_log = 0;
  for (int p = 0; p < 200 && rc == 0; ++p) {
    const int h = 2 * p;
    for (int f = 0; f < 2; ++f)
      CHECK(!strcmp(cs_design_value(&d, h, f), cs_design_value(&d, h + 1, f)), "patient %d: arms share values", p);
    double V = atof(cs_design_value(&d, h, 0)), k = atof(cs_design_value(&d, h, 1));
    CHECK(V >= 6.7 && V <= 24 && k >= 0.014 && k <= 0.025, "patient %d truncated (%g, %g)", p, V, k);
    CHECK(!strcmp(cs_design_meta(&d, h, 1), "untreated") && !strcmp(cs_design_meta(&d, h + 1, 1), "early") &&
          atoi(cs_design_meta(&d, h + 1, 0)) == p, "patient %d: columns patient, arm", p);
    sum_log += log(V);
  }
  { /* mean of log V: a normal(log 10, 0.5) truncated to [log 6.7, log 24]; 4 standard errors */
    const double sg = 0.5, al = log(6.7 / 10) / sg, be = log(24.0 / 10) / sg;
    const double phi_a = exp(-al * al / 2) / sqrt(2 * M_PI), phi_b = exp(-be * be / 2) / sqrt(2 * M_PI);
    const double Phi_a = 0.5 * erfc(-al / sqrt(2)), Phi_b = 0.5 * erfc(-be / sqrt(2));
    const double mean = log(10) + sg * (phi_a - phi_b) / (Phi_b - Phi_a);
    CHECK(fabs(sum_log / 200 - mean) < 4 * sg / sqrt(200), "truncated lognormal: mean log %g, expected %g",
          sum_log / 200, mean);
  }
  snprintf(first, sizeof first, "%s", cs_design_value(&d, 123, 0));
  cs_design_free(&d);
  cs_sweep_spec_free(&sp);
  cs_config_errors_free(&errs);
  rc = load(coh, &sp, &d, &errs);
  CHECK(rc == 0 && !strcmp(first, cs_design_value(&d, 123, 0)), "cohort reproducible from the seed");
  cs_design_free(&d);
  cs_sweep_spec_free(&sp);
  cs_config_errors_free(&errs);

  /* a truncation no draw meets: the design fails with the reason and holds nothing (it used to keep its rows);
   * the reason is an error of the sweep file at the distribution, with its key and bounds (it named neither) */
  rc = load("base: ref.yaml\ndesign:\n  type: cohort\n  patients: 40\n  distributions:\n"
            "    model.k_c: {dist: uniform, min: 0.014, max: 0.025}\n"
            "    model.V_s: {dist: lognormal, median: 1, sigma: 0.35, min: 6.7, max: 24}\n  arms:\n    - {name: untreated}\n",
            &sp, &d, &errs);
  {
    char want[512];
    snprintf(want, sizeof want, "%s/sweep.yaml:7:16: model.V_s: the truncation min = 6.7, max = 24 of the lognormal "
             "distribution (median = 1, sigma = 0.35) rejected 10000 draws in a row (patient 0): check min/max", tmpdir);
    CHECK(rc == CS_ERR_CONFIG && !strcmp(cs_error_message(), want), "impossible truncation (rc %d): %s %s", rc,
          cs_error_message(), errs.n ? errs.lines[0] : "");
  }
  CHECK(d.nrows == 0 && !d.value && !d.meta, "a failed design holds no rows (%d)", d.nrows);
  cs_error_clear();
  cs_design_free(&d);
  cs_sweep_spec_free(&sp);
  cs_config_errors_free(&errs);

  rc = load("base: ref.yaml\ndesign:\n  type: lhs\n  samples: 5\n  ranges:\n    model.k_c: {min: 0.03, max: 0.01}\n"
            "    nokey: {min: 1, max: 2}\n", &sp, &d, &errs);
  CHECK(rc == CS_ERR_CONFIG && errs.n == 2, "two errors reported (rc %d, n %d)", rc, errs.n);
  CHECK(errs.n >= 1 && strstr(errs.lines[0], ":6:") && strstr(errs.lines[0], "model.k_c"), "FILE:LINE: key: %s",
        errs.n ? errs.lines[0] : "");
  cs_sweep_spec_free(&sp);
  cs_config_errors_free(&errs);

  /* the YAML mistake of list designs: an unquoted bracketed key inside {...} */
  rc = load("base: ref.yaml\ndesign:\n  type: list\n  rows:\n    - {treatments[0].day: 100}\n", &sp, &d, &errs);
  CHECK(rc == CS_ERR_CONFIG && errs.n == 1, "flow-mapping bracket key refused (rc %d, n %d)", rc, errs.n);
  CHECK(errs.n == 1 && strstr(errs.lines[0], "sweep.yaml:5:") && strstr(errs.lines[0], "syntax error") &&
            strstr(errs.lines[0], "quote keys with brackets"),
        "syntax error with its position and the quoting hint: %s", errs.n ? errs.lines[0] : "");
  cs_sweep_spec_free(&sp);
  cs_config_errors_free(&errs);

  check_bad_specs();
  size_t len;

  /* deep nesting: refused at level 65, at once (libyaml's scanner is quadratic in the depth: a
   * sweep file of 100,000 brackets took minutes) */
  static char deep[220000];
  len = (size_t)snprintf(deep, sizeof deep, "base: ref.yaml\nx: ");
  memset(deep + len, '[', 100000);
  memset(deep + len + 100000, ']', 100000);
  strcpy(deep + len + 200000, "\n");
  rc = load(deep, &sp, &d, &errs);
  CHECK(rc == CS_ERR_CONFIG && errs.n == 1 && strstr(errs.lines[0], "sweep.yaml:2:67: sweep: nesting deeper than 64 levels"),
        "deep nesting refused (rc %d): %s", rc, errs.n ? errs.lines[0] : "");
  cs_sweep_spec_free(&sp);
  cs_config_errors_free(&errs);

  /* a garbage file: the first 100 lines, then how many more */
  char many[16384];
  len = (size_t)snprintf(many, sizeof many, "base: ref.yaml\ndesign:\n  type: list\n  rows:\n    - {");
  for (int i = 0; i < 150; ++i) len += (size_t)snprintf(many + len, sizeof many - len, "%smodel.x%d: 1", i ? ", " : "", i);
  snprintf(many + len, sizeof many - len, "}\n");
  rc = load(many, &sp, &d, &errs);
  CHECK(rc == CS_ERR_CONFIG && errs.n == 101 && errs.total == 150 && !strcmp(errs.lines[100], "(50 more errors not shown)"),
        "100 lines of 150 errors (rc %d, n %d, total %d)", rc, errs.n, errs.total);
  cs_sweep_spec_free(&sp);
  cs_config_errors_free(&errs);
  return cs_test_report("test_design");
}
