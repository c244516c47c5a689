/* config_file.c - read config files (YAML, libyaml's document API) into
 * the loader: the top-level sections, each a mapping of key: value lines
 * read against its table; the treatments list; the description; `base:`,
 * loaded depth first before the file that names it (cycles and more than
 * CS_CFG_MAX_BASE_DEPTH levels refused). Syntax errors, duplicate and
 * unknown keys are reported with file, line and column (1-based).
 */
#define _XOPEN_SOURCE 700 /* strdup, realpath */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config_loader.h"
#include "text_file.h"
#include "yaml_problem.h"

#define MAX_NESTING 64 /* a config needs 3 levels; libyaml slows down as depth^2 */

static const char *intern(cs_cfg_loader *ld, const char *s)
{
  char **p = realloc(ld->names, sizeof *p * (size_t)(ld->nnames + 1));
  if (!p) return "?";
  ld->names = p;
  ld->names[ld->nnames] = strdup(s);
  return ld->names[ld->nnames] ? ld->names[ld->nnames++] : "?";
}

static cs_cfg_where where_node(const char *file, const yaml_node_t *n)
{
  cs_cfg_where w = {file, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1, NULL};
  return w;
}

/* Where the value vn of key kn is: vn's place, unless vn lies before its
 * key, which is an alias (k_a: *x) given the anchored node (&x 5e7, earlier
 * in the file): libyaml keeps no place for the alias itself, so the key's. */
static cs_cfg_where where_value(const char *file, const yaml_node_t *kn, const yaml_node_t *vn)
{
  return where_node(file, vn->start_mark.index < kn->end_mark.index ? kn : vn);
}

/* ---- scalars --------------------------------------------------------------- */

static const char *node_kind(const yaml_node_t *n)
{
  switch (n->type) {
  case YAML_MAPPING_NODE: return "a mapping (key: value block)";
  case YAML_SEQUENCE_NODE: return "a list";
  default: return "a single value";
  }
}

/* A scalar's text, or NULL if the node is not a scalar or holds a NUL byte. */
static const char *scalar(const yaml_node_t *n)
{
  if (!n || n->type != YAML_SCALAR_NODE) return NULL;
  const char *s = (const char *)n->data.scalar.value;
  return strlen(s) == n->data.scalar.length ? s : NULL;
}

/* YAML null: an empty or ~/null plain scalar (e.g. "model:" with nothing under it). */
static int is_null(const yaml_node_t *n)
{
  const char *s = scalar(n);
  if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
  return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

/* ---- one mapping of key: value against a table ----------------------------- */

/* Read the pairs of mapping `m` into `obj` using table `t`. `prefix` names
 * the section in messages ("model", "treatments[2]"); `own` is the section
 * index for suggestions; `given` (may be NULL) gets a bit per key present. */
static void read_pairs(cs_cfg_loader *ld, const char *file, yaml_document_t *doc, yaml_node_t *m, const cs_opt_table *t,
                       void *obj, cs_cfg_where *origin, const char *prefix, int own, unsigned *given)
{
  int first_line[128] = {0}; /* per row: line of its first occurrence (tables are < 128 rows) */
  for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; ++p) {
    yaml_node_t *kn = yaml_document_get_node(doc, p->key), *vn = yaml_document_get_node(doc, p->value);
    cs_cfg_where wk = where_node(file, kn), wv = where_value(file, kn, vn);
    const char *name = scalar(kn), *text = scalar(vn);
    char path[200], hint[CS_CFG_HINT];
    if (!name) {
      cs_cfg_report(ld, &wk, prefix, NULL, "keys must be plain names, found %s", node_kind(kn));
      continue;
    }
    snprintf(path, sizeof path, "%s.%s", prefix, name);
    const cs_opt *o = cs_opt_find(t, name);
    if (!o) {
      cs_cfg_suggest(ld, name, own, hint, sizeof hint);
      cs_cfg_report(ld, &wk, path, NULL, "unknown key%s", hint);
      continue;
    }
    int r = cs_cfg_row_index(t, o);
    if (r < 128 && first_line[r]) {
      cs_cfg_report(ld, &wk, path, NULL, "duplicate key (first given at line %d)", first_line[r]);
      continue;
    }
    if (r < 128) first_line[r] = wk.line;
    if (given) *given |= 1u << r;
    if (!text) {
      cs_cfg_report(ld, &wv, path, NULL, "expected a single value, found %s",
                    vn->type == YAML_SCALAR_NODE ? "text with a NUL byte" : node_kind(vn));
      continue;
    }
    cs_cfg_set_value(ld, o, obj, &origin[r], text, &wv, path);
  }
}

static void read_section(cs_cfg_loader *ld, const char *file, yaml_document_t *doc, yaml_node_t *v, int s)
{
  const char *name = cs_cfg_sections[s].table->section;
  if (is_null(v)) return; /* "model:" with everything commented out */
  if (v->type != YAML_MAPPING_NODE) {
    cs_cfg_where w = where_node(file, v);
    cs_cfg_report(ld, &w, name, NULL, "expected a mapping of key: value lines, found %s", node_kind(v));
    return;
  }
  read_pairs(ld, file, doc, v, cs_cfg_sections[s].table, cs_cfg_section_obj(ld->cfg, s), ld->origin[s], name, s, NULL);
}

/* ---- treatments -------------------------------------------------------------- */

static const unsigned required_rows = 0x7; /* type, day, dose: rows 0-2 of cs_treatment_table */

/* Start treatment i with its defaults (viability 1) and no origins. */
void cs_cfg_treatment_init(cs_cfg_loader *ld, int i, const cs_cfg_where *w)
{
  cs_opt_set_defaults(&cs_treatment_table, &ld->cfg->treatments[i]);
  memset(ld->torigin[i], 0, sizeof ld->torigin[i]);
  ld->titem[i] = *w;
  ld->tgiven[i] = 0;
  ld->tappended[i] = 0;
}

/* type, day and dose must be given: per missing key for a file, in one
 * line for a treatment added by --set (the message names the key). */
void cs_cfg_check_required(cs_cfg_loader *ld, int i)
{
  char missing[64] = "";
  for (int r = 0; r < cs_treatment_table.n; ++r)
    if ((required_rows >> r & 1u) && !(ld->tgiven[i] >> r & 1u)) {
      const char *name = cs_treatment_table.opts[r].name;
      char path[80];
      snprintf(path, sizeof path, "treatments[%d].%s", i, name);
      if (ld->titem[i].file)
        cs_cfg_report(ld, &ld->titem[i], path, NULL, "missing (every treatment needs type, day and dose)");
      else
        snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s %s", missing[0] ? "," : "",
                 name);
    }
  if (missing[0])
    cs_cfg_report(ld, &ld->titem[i], NULL, NULL, "new treatments[%d] lacks%s (give treatments[%d].KEY too; a "
                  "treatment needs type, day and dose)", i, missing, i); /* KEY: a --set's, or a sweep's */
}

/* A `treatments:` list replaces the list read so far (the base's). */
static void read_treatments(cs_cfg_loader *ld, const char *file, yaml_document_t *doc, yaml_node_t *v)
{
  cs_cfg_where w = where_node(file, v);
  ld->cfg->n_treatments = 0;
  if (is_null(v)) return;
  if (v->type != YAML_SEQUENCE_NODE) {
    cs_cfg_report(ld, &w, "treatments", NULL, "expected a list (\"- {type: msc, day: 30, dose: 1e6}\"), found %s",
                  node_kind(v));
    return;
  }
  for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; ++it) {
    yaml_node_t *m = yaml_document_get_node(doc, *it);
    cs_cfg_where wi = where_node(file, m);
    int i = ld->cfg->n_treatments;
    char prefix[40];
    snprintf(prefix, sizeof prefix, "treatments[%d]", i);
    if (i >= CS_MAX_TREATMENTS) {
      cs_cfg_report(ld, &wi, "treatments", NULL, "more than %d treatments", CS_MAX_TREATMENTS);
      return;
    }
    cs_cfg_treatment_init(ld, i, &wi);
    ld->cfg->n_treatments++; /* even when broken, so later items keep their list index */
    if (m->type != YAML_MAPPING_NODE) {
      cs_cfg_report(ld, &wi, prefix, NULL, "expected a mapping {type, day, dose[, viability]}, found %s", node_kind(m));
      ld->tgiven[i] = required_rows; /* reported once, not as three missing keys */
      continue;
    }
    read_pairs(ld, file, doc, m, &cs_treatment_table, &ld->cfg->treatments[i], ld->torigin[i], prefix, CS_CFG_NTOP,
               &ld->tgiven[i]);
    cs_cfg_check_required(ld, i);
  }
}

void cs_cfg_read_description(cs_cfg_loader *ld, const cs_cfg_where *w, const char *text)
{
  if (strlen(text) >= sizeof ld->cfg->description) {
    cs_cfg_report(ld, w, "description", NULL, "longer than %zu bytes of UTF-8", sizeof ld->cfg->description - 1);
    return;
  }
  strcpy(ld->cfg->description, text);
}

/* ---- files ----------------------------------------------------------------- */

static void report_syntax(cs_cfg_loader *ld, const char *file, const yaml_parser_t *p, const char *text, size_t len)
{
  cs_cfg_where w = {file, 0, 0, NULL};
  char msg[600];
  cs_yaml_problem(p, text, len, &w.line, &w.col, msg, sizeof msg);
  cs_cfg_report(ld, &w, NULL, NULL, "%s", msg);
}

/* "dir/of/including.yaml" + "base.yaml" -> "dir/of/base.yaml". */
static char *join_dir(const char *including, const char *rel)
{
  const char *slash = strrchr(including, '/');
  size_t dl = rel[0] == '/' || !slash ? 0 : (size_t)(slash - including) + 1;
  char *out = malloc(dl + strlen(rel) + 1);
  if (!out) return NULL;
  memcpy(out, including, dl);
  strcpy(out + dl, rel);
  return out;
}

/* `base:` of the mapping, loaded before anything else of the file. */
static void read_base(cs_cfg_loader *ld, const char *file, yaml_document_t *doc, yaml_node_t *root)
{
  for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; ++p) {
    const char *k = scalar(yaml_document_get_node(doc, p->key));
    if (!k || strcmp(k, "base")) continue;
    yaml_node_t *vn = yaml_document_get_node(doc, p->value);
    cs_cfg_where w = where_node(file, vn);
    const char *rel = scalar(vn);
    if (!rel || !*rel) {
      cs_cfg_report(ld, &w, "base", NULL, "expected the path of another config file, found %s",
                    rel ? "nothing" : node_kind(vn));
      return;
    }
    char *path = join_dir(file, rel);
    if (path) cs_cfg_load_file(ld, path, &w);
    free(path);
    return; /* a second base: is reported as a duplicate key */
  }
}

/* Every top-level key but base:. */
static void read_top(cs_cfg_loader *ld, const char *file, yaml_document_t *doc, yaml_node_t *root)
{
  int first_line[CS_CFG_NTOP] = {0};
  for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; ++p) {
    yaml_node_t *kn = yaml_document_get_node(doc, p->key), *vn = yaml_document_get_node(doc, p->value);
    cs_cfg_where wk = where_node(file, kn), wv = where_value(file, kn, vn);
    const char *name = scalar(kn);
    char hint[CS_CFG_HINT];
    if (!name) {
      cs_cfg_report(ld, &wk, NULL, NULL, "section names must be plain names, found %s", node_kind(kn));
      continue;
    }
    int s = cs_cfg_section_index(name);
    for (int t = CS_CFG_NSECT; s < 0 && t < CS_CFG_NTOP; ++t)
      if (!strcmp(name, cs_cfg_top_keys[t - CS_CFG_NSECT])) s = t;
    if (s < 0) {
      cs_cfg_suggest(ld, name, -1, hint, sizeof hint);
      if (!hint[0]) cs_cfg_list_top(hint, sizeof hint);
      cs_cfg_report(ld, &wk, name, NULL, "unknown section%s", hint);
      continue;
    }
    if (first_line[s]) {
      cs_cfg_report(ld, &wk, name, NULL, "duplicate section (first given at line %d)", first_line[s]);
      continue;
    }
    first_line[s] = wk.line;
    if (s < CS_CFG_NSECT) read_section(ld, file, doc, vn, s);
    else if (s == CS_CFG_TOP_TREATMENTS) read_treatments(ld, file, doc, vn);
    else if (s == CS_CFG_TOP_DESCRIPTION) {
      if (scalar(vn)) cs_cfg_read_description(ld, &wv, scalar(vn));
      else if (vn->type == YAML_SCALAR_NODE) cs_cfg_report(ld, &wv, "description", NULL, "contains a NUL character");
      else cs_cfg_report(ld, &wv, "description", NULL, "expected text, found %s", node_kind(vn));
    }
  }
}

static void read_document(cs_cfg_loader *ld, const char *file, yaml_document_t *doc)
{
  yaml_node_t *root = yaml_document_get_root_node(doc);
  if (!root || is_null(root)) { /* nothing, or only "---" / "~": no sections */
    cs_cfg_where w = {file, 1, 1, NULL};
    cs_cfg_report(ld, &w, NULL, NULL, "empty config: expected sections such as 'model:' or 'grid:'");
    return;
  }
  if (root->type != YAML_MAPPING_NODE) {
    cs_cfg_where w = where_node(file, root);
    cs_cfg_report(ld, &w, NULL, NULL, "expected a mapping of sections ('model:', 'grid:', ...) at the top, found %s",
                  node_kind(root));
    return;
  }
  read_base(ld, file, doc, root);
  read_top(ld, file, doc, root);
}

/* 0 if collections nest deeper than MAX_NESTING (reported; cs_yaml_too_deep). */
static int nesting_ok(cs_cfg_loader *ld, const char *file, const char *text, size_t len)
{
  int line, col;
  if (!cs_yaml_too_deep(text, len, MAX_NESTING, &line, &col)) return 1;
  cs_cfg_where w = {file, line, col, NULL};
  cs_cfg_report(ld, &w, NULL, NULL, "nesting deeper than %d levels (a config uses at most 3)", MAX_NESTING);
  return 0;
}

/* Parse `text` as one YAML document and apply it. */
static void parse_text(cs_cfg_loader *ld, const char *file, const char *text, size_t len)
{
  yaml_parser_t parser;
  yaml_document_t doc, extra;
  if (!nesting_ok(ld, file, text, len)) return;
  if (!yaml_parser_initialize(&parser)) {
    cs_cfg_where w = {file, 1, 1, NULL};
    cs_cfg_report(ld, &w, NULL, NULL, "cannot start the YAML parser");
    return;
  }
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  if (!yaml_parser_load(&parser, &doc)) { /* libyaml has freed doc */
    report_syntax(ld, file, &parser, text, len);
    yaml_parser_delete(&parser);
    return;
  }
  if (yaml_document_get_root_node(&doc)) { /* a config is one document */
    if (!yaml_parser_load(&parser, &extra)) {
      report_syntax(ld, file, &parser, text, len);
    } else {
      yaml_node_t *r = yaml_document_get_root_node(&extra);
      if (r) {
        cs_cfg_where w = where_node(file, r);
        cs_cfg_report(ld, &w, NULL, NULL, "a config holds one YAML document; found a second one ('---')");
      }
      yaml_document_delete(&extra);
    }
  }
  read_document(ld, file, &doc);
  yaml_document_delete(&doc);
  yaml_parser_delete(&parser);
}

/* Read one file of the base chain. `from` is the base: line naming it (NULL
 * for the file given by the user). */
void cs_cfg_load_file(cs_cfg_loader *ld, const char *path, const cs_cfg_where *from)
{
  char *text = NULL;
  size_t len = 0;
  int err = cs_read_text_file(path, &text, &len);
  if (err) {
    const char *why = cs_text_file_error(err);
    if (from) {
      cs_cfg_report(ld, from, "base", path, "cannot read: %s", why);
    } else {
      char line[1200], p[1000];
      cs_cfg_clean(p, sizeof p, path, 990);
      /* too large is a wrong file, exit 3, reported like the config's other
       * problems (FILE:LINE:COL); unreadable is exit 4, one line */
      if (err == EFBIG)
        snprintf(line, sizeof line, "%s:1:1: %s", p, why);
      else
        snprintf(line, sizeof line, "cannot read config file '%s': %s", p, why);
      cs_cfg_push_line(ld, line);
      ld->io_error = err != EFBIG;
    }
    return;
  }
  char *real = realpath(path, NULL);
  if (!real) real = strdup(path);
  if (!real) {
    free(text);
    return;
  }
  for (int i = 0; i < ld->depth; ++i)
    if (!strcmp(ld->chain[i], real)) {
      cs_cfg_report(ld, from, "base", path, "cycle: this file is already being read (it includes itself)");
      free(real), free(text);
      return;
    }
  if (ld->depth > CS_CFG_MAX_BASE_DEPTH) {
    cs_cfg_report(ld, from, "base", path, "nesting deeper than %d levels of base:", CS_CFG_MAX_BASE_DEPTH);
    free(real), free(text);
    return;
  }
  ld->chain[ld->depth++] = real;
  if (ld->cfg->n_files < CS_CONFIG_MAX_FILES) /* the depth check above keeps within */
    snprintf(ld->cfg->files[ld->cfg->n_files++], sizeof ld->cfg->files[0], "%s", path);
  parse_text(ld, intern(ld, path), text, len);
  free(ld->chain[--ld->depth]);
  free(text);
}
