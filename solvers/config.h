/* config.h - a resolved cartsim configuration, read from YAML (libyaml)
 * plus `--set section.key=value` overrides.
 *
 * File layout (every section optional; every key checked against its table):
 *   base: other.yaml          # optional: load that file first, then override
 *   description: "..."        # free text, kept in the output
 *   model:   {<model.md parameter>: value, ...}
 *   grid:    {dim, nz, nx, ny, Lx, Ly, periodic}
 *   initial: {a0, c0, Ch0, P_s, R_s, ..., lesion_radius, ...}
 *   treatments: [{type: msc|il1ra, day, dose, viability, source}, ...]
 *   solver:  {integrator, rtol, atol, precond, maxl, ...}
 *   output:  {dt, fields_every, compress, checkpoint_every, checkpoint_minutes, flush_seconds}
 *   run:     {t_end}
 *
 * Errors are collected, all of them, as "FILE:LINE:COL: key.path: message"
 * (with "did you mean" for near-miss keys); --set errors as
 * "--set KEY=VALUE: message".
 */
#ifndef CS_CONFIG_H
#define CS_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "../model/grid.h"
#include "../model/initial.h"
#include "../model/params.h"
#include "../model/treatment.h"
#include "run_options.h"

#define CS_MAX_TREATMENTS 64
#define CS_CONFIG_MAX_FILES 9 /* the file given and up to 8 levels of base: */

typedef struct {
  cs_params model;
  cs_grid grid;
  cs_initial initial;
  cs_treatment treatments[CS_MAX_TREATMENTS];
  int n_treatments;
  cs_solver_opts solver;
  cs_output_opts output;
  cs_run_opts run;
  char description[512];
  char path[1024];       /* the config file as given */
  /* every file read: files[0] the config given, then its base: chain, as
   * named (relative to the working directory); a run never writes over them */
  char files[CS_CONFIG_MAX_FILES][1024];
  int n_files;
} cs_config;

typedef struct {
  char **lines;          /* one message per error (the first 100, then a count of the rest) */
  int n;
  int total;             /* errors found, those not shown included */
  int from_sets;         /* of them, in --set arguments (not in a file) */
} cs_config_errors;

/* The error cs_config_load or cs_sweep_spec_load returned (rc != 0), made
 * the process's error: a file that cannot be read is its one line; else, if
 * print, every line goes to stderr and the error is the count ("3 errors in
 * FILE", "1 error in the --set options", "... in FILE and the --set
 * options"; the count includes errors not shown). Returns rc. */
int cs_config_errors_raise(int rc, const cs_config_errors *errs, const char *file, int print);

/* Is `key` ("section.key", "treatments[N].key", "description") a config key
 * that --set and sweep files may name? CS_OK, or CS_ERR_CONFIG with the reason
 * in why ("unknown key 'fields_evry' in section 'output'; did you mean
 * 'fields_every'?"). Checks the name only, not a value. */
int cs_config_key_check(const char *key, char *why, size_t n);

/* A number as the config reads one (decimal syntax only: no hex, nan or inf;
 * finite; not below DBL_MIN in magnitude unless 0): 0 and *v, or 1 with the
 * reason in msg ("not a number", "too large: must be a finite number", ...).
 * For numbers given on the command line too (--save-state DAY:FILE). */
int cs_config_parse_number(const char *s, double *v, char *msg, size_t n);

/* d as the config prints it: the fewest digits that read back as d
 * (whole numbers below 1e7 without exponent). */
void cs_config_format_real(double d, char *out, size_t n);

/* Does a value of option o in this config differ from one saved in a file
 * (a state's history, a baseline run) by more than 1e-12 relative? If so,
 * 1, with both printed as the config prints them (true/false, a choice's
 * name, a number) into mine_text and saved_text. */
int cs_config_value_differs(const cs_opt *o, double mine, double saved, char *mine_text, char *saved_text,
                            size_t n);

/* Defaults of every section, no treatments. */
void cs_config_defaults(cs_config *cfg);

/* Read `path` (and its base chain), apply the `sets` ("key=value"), check
 * every value and the cross-section rules. Returns 0, or CS_ERR_CONFIG with
 * all messages in errs (CS_ERR_IO if the file cannot be read: still one
 * message in errs). */
int cs_config_load(const char *path, const char *const *sets, int nsets, cs_config *cfg,
                   cs_config_errors *errs);

/* The resolved configuration as YAML, every value with its unit and help
 * as a comment; malloc'd, caller frees. Reading it back gives the same
 * config. */
char *cs_config_to_yaml(const cs_config *cfg);

/* Every key of every section (model, grid, initial, treatments[], solver,
 * output, run) as the Markdown tables of docs/config.md, "All keys": key,
 * type, display unit, default, valid closed range, help. `cartsim check
 * --keys` prints it; a test keeps docs/config.md equal to it. */
void cs_config_keys_markdown(FILE *f);

/* SHA-256-free fingerprint (FNV-1a 64 over the resolved YAML), hex. The
 * YAML's comments (units and help text) are left out, so rewording a help
 * text does not make --restart refuse the checkpoints of a running study. */
void cs_config_fingerprint(const cs_config *cfg, char out[17]);
/* The same over YAML text (comments outside quotes and trailing blanks skipped). */
void cs_yaml_fingerprint(const char *yaml, char out[17]);

void cs_config_errors_free(cs_config_errors *errs);

#endif
