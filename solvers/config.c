/* config.c - read a cartsim configuration from YAML and `--set` overrides.
 *
 * The reader is table driven: every section maps to a cs_opt_table (name,
 * type, unit, default, range, help of each key), and a value from a file
 * and a value from `--set` go through the same function (cs_cfg_set_value,
 * config_value.c), so they are parsed and checked identically.
 *
 * Order of work in cs_config_load:
 *   1. defaults of every table;
 *   2. the file, depth first through its `base:` chain (a base is applied
 *      before the file that names it, so the file overrides it);
 *   3. the `--set` strings, in order;
 *   4. the cross-section rules (grid shape, time windows, events in the run).
 * For every key we remember where its current value came from (file:line:col
 * or the --set string), so a cross-section error points at the line to fix.
 *
 * Errors are collected, not fatal: one line each, "FILE:LINE:COL: key: msg"
 * or "--set KEY=VALUE: msg". libyaml marks are 0-based; we print 1-based.
 *
 * No MPI here: every rank reads the config on its own.
 *
 * The parts, one file each (config_loader.h holds what they share):
 * config_file.c (step 2), config_set.c (3), config_rules.c (4), with
 * config_value.c (every value) and config_report.c (the messages);
 * config_emit.c writes a config back as YAML. This file: the section
 * table, defaults, the order of work, the error list.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_loader.h"
#include "error.h"

/* ---- sections ------------------------------------------------------------ */

const cs_cfg_section cs_cfg_sections[] = {
  {&cs_params_table, offsetof(cs_config, model), "physical parameters (docs/model.md)"},
  {&cs_grid_table, offsetof(cs_config, grid), "discretization of the cartilage"},
  {&cs_initial_table, offsetof(cs_config, initial), "initial state, optional focal lesion"},
  {&cs_solver_table, offsetof(cs_config, solver), "time integration"},
  {&cs_output_table, offsetof(cs_config, output), "what is written, how often"},
  {&cs_run_table, offsetof(cs_config, run), "the simulated period"},
};
_Static_assert(sizeof cs_cfg_sections / sizeof cs_cfg_sections[0] == CS_CFG_NSECT, "CS_CFG_NSECT: one per section");

/* Top-level keys that are not tables. */
const char *const cs_cfg_top_keys[] = {"base", "description", "treatments"};
_Static_assert(sizeof cs_cfg_top_keys / sizeof cs_cfg_top_keys[0] == CS_CFG_NTOP - CS_CFG_NSECT,
               "CS_CFG_TOP_*: one per top-level key");

int cs_cfg_section_index(const char *name)
{
  for (int s = 0; s < CS_CFG_NSECT; ++s)
    if (strcmp(cs_cfg_sections[s].table->section, name) == 0) return s;
  return -1;
}

/* ---- public: load ------------------------------------------------------------ */

void cs_config_defaults(cs_config *cfg)
{
  memset(cfg, 0, sizeof *cfg);
  for (int s = 0; s < CS_CFG_NSECT; ++s) cs_opt_set_defaults(cs_cfg_sections[s].table, cs_cfg_section_obj(cfg, s));
}

static void loader_free(cs_cfg_loader *ld)
{
  for (int s = 0; s < CS_CFG_NSECT; ++s) free(ld->origin[s]);
  for (int i = 0; i < ld->nnames; ++i) free(ld->names[i]);
  free(ld->names);
}

int cs_config_load(const char *path, const char *const *sets, int nsets, cs_config *cfg, cs_config_errors *errs)
{
  static cs_cfg_loader zero;
  cs_cfg_loader *ld = malloc(sizeof *ld); /* ~20 kB of origins: keep it off the stack */
  errs->lines = NULL, errs->n = errs->total = errs->from_sets = 0;
  cs_config_defaults(cfg);
  if (!ld) return CS_ERR_INTERNAL;
  *ld = zero;
  ld->cfg = cfg, ld->errs = errs;
  for (int s = 0; s < CS_CFG_NSECT; ++s)
    ld->origin[s] = calloc((size_t)cs_cfg_sections[s].table->n, sizeof(cs_cfg_where));
  if (path && *path) {
    snprintf(cfg->path, sizeof cfg->path, "%s", path);
    cs_cfg_load_file(ld, path, NULL);
  }
  int io = ld->io_error;
  if (!io) {
    for (int i = 0; i < nsets; ++i) cs_cfg_apply_set(ld, sets[i]);
    cs_cfg_check_rules(ld);
  }
  if (ld->n_dropped) {
    char line[80];
    snprintf(line, sizeof line, "(%d more errors not shown)", ld->n_dropped);
    cs_cfg_append_line(errs, line);
  }
  loader_free(ld);
  free(ld);
  if (io) return CS_ERR_IO;
  return errs->n ? CS_ERR_CONFIG : 0;
}

int cs_config_errors_raise(int rc, const cs_config_errors *errs, const char *file, int print)
{
  if (rc == CS_ERR_IO && errs->n == 1) return cs_error_set(rc, "%s", errs->lines[0]);
  if (print)
    for (int i = 0; i < errs->n; ++i) fprintf(stderr, "%s\n", errs->lines[i]);
  const int t = errs->total > 0 ? errs->total : errs->n; /* a sweep file's reader counts lines only */
  const char *s = t == 1 ? "" : "s";
  if (errs->from_sets == t) return cs_error_set(rc, "%d error%s in the --set options", t, s);
  if (errs->from_sets) return cs_error_set(rc, "%d error%s in %s and the --set options", t, s, file);
  return cs_error_set(rc, "%d error%s in %s", t, s, file);
}

void cs_config_errors_free(cs_config_errors *errs)
{
  if (!errs) return;
  for (int i = 0; i < errs->n; ++i) free(errs->lines[i]);
  free(errs->lines);
  errs->lines = NULL;
  errs->n = 0;
}
