/* sweep_spec.h - a parameter sweep: a base config plus what varies.
 *
 *   base: ../reference.yaml          # relative to the sweep file
 *   seed: 2026                       # for sampled designs (recorded)
 *   set: {run.t_end: 1825}           # fixed overrides for every row (optional)
 *   design:
 *     type: grid                     # cartesian product of value lists
 *     factors: {treatments[0].day: [90, 180, 365], model.sig_s0: [0.05, 0.07]}
 *   design: {type: list, rows: [{model.k_c: 0.014}, {model.k_c: 0.025}]}
 *   design:
 *     type: lhs                      # Latin hypercube (GSL random numbers)
 *     samples: 64
 *     ranges: {model.sig_s0: {min: 0.03, max: 0.12, scale: log}}
 *   design: {type: sobol, samples: 256, ranges: {...}}     # Saltelli design, N (k+2) rows
 *   design: {type: morris, trajectories: 10, levels: 4, ranges: {...}}  # r trajectories of k+1 rows
 *   design:                          # virtual patients x treatment arms
 *     type: cohort
 *     patients: 40
 *     distributions: {model.V_s: {dist: lognormal, median: 10, sigma: 0.35, min: 6.7, max: 24}}
 *     arms:
 *       - {name: untreated}
 *       - name: early
 *         set: {treatments[0].type: msc, treatments[0].day: 180, treatments[0].dose: 5.0e7}
 *
 * Keys are config keys as `--set` takes them (`treatments`, as [], in grid
 * and list designs: no treatments); every row's values go
 * through the config reader, so a bad value fails that row, not the sweep.
 * Errors: "FILE:LINE:COL: key: message", all of them (the first 100, then a
 * count), CS_ERR_CONFIG. Besides bad values and unknown config keys: a key
 * given twice in any mapping, a key that is not a plain name, a design key
 * of another design type, a distribution key the distribution does not
 * take, a bad distribution parameter (named with its value), a set: key the
 * design varies (or clears: treatments: []) in every row, two arms of one name, an
 * arm key outside treatments/solver/output, a seed outside [0, 2^32 - 1],
 * a NUL byte, nesting deeper than 64 levels.
 */
#ifndef CS_SWEEP_SPEC_H
#define CS_SWEEP_SPEC_H

#include <stddef.h>

#include "../config.h"

#define CS_SWEEP_MAX_FACTORS 16
#define CS_SWEEP_KEY 96
#define CS_SWEEP_VALUE 64

/* CS_DESIGN_COUNT stays last: the name table (cs_design_type_name) is checked against it */
enum { CS_DESIGN_GRID = 0, CS_DESIGN_LIST, CS_DESIGN_LHS, CS_DESIGN_SOBOL, CS_DESIGN_MORRIS, CS_DESIGN_COHORT,
       CS_DESIGN_COUNT };
enum { CS_DIST_NORMAL = 0, CS_DIST_LOGNORMAL, CS_DIST_UNIFORM, CS_DIST_LOGUNIFORM, CS_DIST_COUNT };
#define CS_SWEEP_MAX_ARMS 8
#define CS_SWEEP_MAX_ARM_SETS 8

typedef struct {
  char path[1024];                        /* the sweep file */
  char base[1024];                        /* base config, resolved against the sweep file's directory */
  char base_written[1024];                /* base as the sweep file writes it (the sweep's identity) */
  unsigned long seed;
  int nset;                               /* fixed overrides */
  char (*set)[CS_SWEEP_KEY + CS_SWEEP_VALUE + 2]; /* "key=value" */
  int (*set_at)[2];                       /* each one's line and column in the sweep file (1-based) */
  int type;
  int nfactor;
  char factor[CS_SWEEP_MAX_FACTORS][CS_SWEEP_KEY];
  /* grid: value lists; list: rows (nlist x nfactor) */
  int nvals[CS_SWEEP_MAX_FACTORS];
  char (*vals[CS_SWEEP_MAX_FACTORS])[CS_SWEEP_VALUE];
  int nlist;
  char (*list)[CS_SWEEP_VALUE];           /* nlist x nfactor; "" where a row does not set a factor */
  /* lhs, sobol (base samples N), morris (trajectories r, levels p) */
  int samples, levels;
  double lo[CS_SWEEP_MAX_FACTORS], hi[CS_SWEEP_MAX_FACTORS];
  int logscale[CS_SWEEP_MAX_FACTORS];
  /* cohort: per factor a distribution (p1, p2: mean/sd, median/sigma or min/max), truncated to
   * [tlo, thi]; arms crossed with every patient, arm 0 the untreated history */
  int dist[CS_SWEEP_MAX_FACTORS];
  double p1[CS_SWEEP_MAX_FACTORS], p2[CS_SWEEP_MAX_FACTORS], tlo[CS_SWEEP_MAX_FACTORS], thi[CS_SWEEP_MAX_FACTORS];
  int dist_at[CS_SWEEP_MAX_FACTORS][2];   /* where the sweep file gives each distribution (line, column; 1-based) */
  int narms;
  char arm[CS_SWEEP_MAX_ARMS][32];
  int narm_sets[CS_SWEEP_MAX_ARMS];
  char arm_set[CS_SWEEP_MAX_ARMS][CS_SWEEP_MAX_ARM_SETS][CS_SWEEP_KEY + CS_SWEEP_VALUE + 2];
  double arm_day[CS_SWEEP_MAX_ARMS];      /* the arm's treatments[0].day (branching day); -1 for arm 0 */
  int arm_day_at[CS_SWEEP_MAX_ARMS][2];   /* where the sweep file gives it (line, column; 1-based) */
  /* rank 0, once load_sweep has checked the base config: the files it read (cs_config.files: the base
   * and its base: chain), which the sweep may never write (sweep_run.c, inputs_not_outputs) */
  char base_files[CS_CONFIG_MAX_FILES][sizeof ((cs_config *)0)->files[0]];
  int n_base_files;
  char *text;                             /* the sweep file's text (stored with the results) */
  size_t text_len;                        /* its bytes (a NUL byte in it is an error) */
} cs_sweep_spec;

/* Read and check a sweep file; errors go to errs (one line each). */
int cs_sweep_spec_load(const char *path, cs_sweep_spec *spec, cs_config_errors *errs);
/* The same from the file's text as read elsewhere (rank 0 broadcasts it,
 * so that every rank parses the same bytes): len bytes, NUL-terminated at
 * len; takes text over (freed by cs_sweep_spec_free, even on error). */
int cs_sweep_spec_parse(const char *path, char *text, size_t len, cs_sweep_spec *spec, cs_config_errors *errs);
void cs_sweep_spec_free(cs_sweep_spec *spec);
/* The names the sweep file uses: a CS_DESIGN_* as `type:` ("grid", ...), a
 * CS_DIST_* as `dist:` ("normal", ...) and its two parameters (i 0 or 1:
 * "mean"/"sd", "median"/"sigma", "min"/"max"). */
const char *cs_design_type_name(int type);
const char *cs_dist_name(int kind);
const char *cs_dist_param(int kind, int i);

#endif
