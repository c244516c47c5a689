/* config_loader.h - private to the config reader (solvers/config*.c): the
 * section table, where each value came from, the loader state that one
 * cs_config_load call carries through its files, --set overrides and rules,
 * and the helpers those parts share. Not for use outside solvers/config*.c.
 *
 *   config.c         cs_config_load: defaults, files, --set, rules; the error list
 *   config_report.c  error messages, "did you mean"
 *   config_value.c   one value: parsed, checked, stored, its origin kept
 *   config_file.c    YAML files, their base: chain, treatments, description
 *   config_set.c     --set overrides, cs_config_key_check
 *   config_rules.c   the rules between keys (grid, time windows, treatments, lesion)
 *   config_emit.c    the resolved config as YAML, fingerprints
 */
#ifndef CS_CONFIG_LOADER_H
#define CS_CONFIG_LOADER_H

#include <stddef.h>

#include "config.h"

#define CS_CFG_MAX_BASE_DEPTH 8 /* levels of `base:` below the file given */
_Static_assert(CS_CONFIG_MAX_FILES == CS_CFG_MAX_BASE_DEPTH + 1, "cs_config.files holds the whole base: chain");
#define CS_CFG_MAX_ERRORS 100   /* messages kept; the rest are counted */
#define CS_CFG_MAX_TREAT_ROWS 8
#define CS_CFG_LIST_KEYS 16 /* an unknown key with no near name lists its section's keys up to this many */
#define CS_CFG_HINT 400     /* bytes of a "did you mean" / key-list hint */

/* ---- sections ------------------------------------------------------------ */

typedef struct {
  const cs_opt_table *table;
  size_t offset;       /* of the section struct inside cs_config */
  const char *comment; /* for cs_config_to_yaml */
} cs_cfg_section;

/* model, grid, initial, solver, output, run (config.c) */
enum { CS_CFG_NSECT = 6 };
extern const cs_cfg_section cs_cfg_sections[];

/* Top-level keys that are not tables, numbered after the sections. */
enum { CS_CFG_TOP_BASE = CS_CFG_NSECT, CS_CFG_TOP_DESCRIPTION, CS_CFG_TOP_TREATMENTS, CS_CFG_NTOP };
extern const char *const cs_cfg_top_keys[]; /* "base", "description", "treatments" */

static inline void *cs_cfg_section_obj(cs_config *cfg, int s) { return (char *)cfg + cs_cfg_sections[s].offset; }

/* Index of the section named `name`, or -1. */
int cs_cfg_section_index(const char *name);

static inline int cs_cfg_row_index(const cs_opt_table *t, const cs_opt *o) { return (int)(o - t->opts); }

/* ---- where a value came from -------------------------------------------- */

/* A position in a file (file != NULL), a --set argument (set != NULL), or
 * nothing (the default). */
typedef struct {
  const char *file;
  int line, col; /* 1-based */
  const char *set;
} cs_cfg_where;

/* ---- loader state --------------------------------------------------------- */

typedef struct {
  cs_config *cfg;
  cs_config_errors *errs;
  int n_dropped;                         /* errors beyond CS_CFG_MAX_ERRORS */
  int io_error;                          /* the file given could not be read */
  cs_cfg_where *origin[CS_CFG_NSECT];    /* per table row: last successful set */
  cs_cfg_where torigin[CS_MAX_TREATMENTS][CS_CFG_MAX_TREAT_ROWS];
  cs_cfg_where titem[CS_MAX_TREATMENTS]; /* where each treatment was introduced */
  unsigned tgiven[CS_MAX_TREATMENTS];    /* bit per row: key given (valid or not) */
  int tappended[CS_MAX_TREATMENTS];      /* added by --set: check required keys at the end */
  char **names;                          /* file names owned by the loader */
  int nnames;
  char *chain[CS_CFG_MAX_BASE_DEPTH + 1]; /* real paths of the files being read */
  int depth;
} cs_cfg_loader;

/* ---- error messages (config_report.c) -------------------------------------- */

/* Copy user text for a message: one line, printable, at most `max` bytes. */
void cs_cfg_clean(char *dst, size_t dstlen, const char *s, size_t max);
/* Append a copy of `line` to the list (no limit). */
void cs_cfg_append_line(cs_config_errors *e, const char *line);
/* Count an error; keep its line if fewer than CS_CFG_MAX_ERRORS are kept. */
void cs_cfg_push_line(cs_cfg_loader *ld, const char *line);
/* One error at w: "FILE:L:C: key = value: msg", "--set ARG: msg" or
 * "CONFIG: key = value: msg". */
void cs_cfg_report(cs_cfg_loader *ld, const cs_cfg_where *w, const char *key, const char *value, const char *fmt,
                   ...) __attribute__((format(printf, 5, 6)));
/* "; did you mean ...?" for an unknown key of section `own` (a section
 * index, CS_CFG_NTOP for a treatment, -1 for the top level), or "". */
void cs_cfg_suggest(const cs_cfg_loader *ld, const char *name, int own, char *out, size_t outlen);
/* "; the top-level keys are model, grid, ..., treatments": for an unknown section nothing is near. */
void cs_cfg_list_top(char *out, size_t outlen);

/* ---- values (config_value.c) ----------------------------------------------- */

/* Parse `text` for row o, check it, store it in obj and its origin w; or
 * report why not. `keypath` names the key in the message (NULL for --set). */
void cs_cfg_set_value(cs_cfg_loader *ld, const cs_opt *o, void *obj, cs_cfg_where *origin, const char *text,
                      const cs_cfg_where *w, const char *keypath);

/* ---- files (config_file.c) ------------------------------------------------- */

/* Read one file of the base chain; `from` is the base: line naming it (NULL
 * for the file given by the user). */
void cs_cfg_load_file(cs_cfg_loader *ld, const char *path, const cs_cfg_where *from);
/* Start treatment i with its defaults and no origins; introduced at w. */
void cs_cfg_treatment_init(cs_cfg_loader *ld, int i, const cs_cfg_where *w);
/* Report the keys treatment i needs (type, day, dose) that were not given. */
void cs_cfg_check_required(cs_cfg_loader *ld, int i);
/* Store the description text, or report it too long. */
void cs_cfg_read_description(cs_cfg_loader *ld, const cs_cfg_where *w, const char *text);

/* ---- --set (config_set.c) and rules (config_rules.c) ----------------------- */

/* Apply one "key=value" argument. */
void cs_cfg_apply_set(cs_cfg_loader *ld, const char *arg);
/* The rules between keys, once everything is read. */
void cs_cfg_check_rules(cs_cfg_loader *ld);

#endif
