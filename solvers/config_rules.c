/* config_rules.c - the rules between keys, checked once the files and the
 * --set overrides are read: the grid's shape and size, model.t_ins0 <=
 * model.t_ins1, output.dt <= run.t_end and the number of output steps,
 * treatments (required keys of those added by --set, cell keys only for
 * msc, each before run.t_end), a lesion that covers at least one cell,
 * solver.krylov: none only with a preconditioner. An
 * error points at the key that was set (file:line:col or --set).
 */
#include <stdio.h>

#include "config_loader.h"

#define MAX_CELLS 2e8 /* larger grids do not fit any node we run on */

/* ---- cross-section rules ----------------------------------------------------- */

static int where_known(const cs_cfg_where *w) { return w->file || w->set; }

static const cs_opt *row_of(int s, const char *name) { return cs_opt_find(cs_cfg_sections[s].table, name); }

static cs_cfg_where *origin_of(cs_cfg_loader *ld, int s, const char *name)
{
  return &ld->origin[s][cs_cfg_row_index(cs_cfg_sections[s].table, row_of(s, name))];
}

static double value_of(cs_cfg_loader *ld, int s, const char *name)
{
  return cs_opt_get(row_of(s, name), cs_cfg_section_obj(ld->cfg, s));
}

/* Report a rule broken by key a (or, if a was never set, by key b). */
static void rule_error(cs_cfg_loader *ld, int sa, const char *a, int sb, const char *b, const char *msg_a,
                       const char *msg_b)
{
  const char *sec_a = cs_cfg_sections[sa].table->section, *sec_b = cs_cfg_sections[sb].table->section;
  int use_a = where_known(origin_of(ld, sa, a)) || !where_known(origin_of(ld, sb, b));
  int s = use_a ? sa : sb;
  const char *k = use_a ? a : b, *other = use_a ? b : a;
  int so = use_a ? sb : sa;
  char path[80], val[40], oval[40];
  snprintf(path, sizeof path, "%s.%s", use_a ? sec_a : sec_b, k);
  snprintf(val, sizeof val, "%.10g", value_of(ld, s, k));
  snprintf(oval, sizeof oval, "%.10g", value_of(ld, so, other));
  cs_cfg_report(ld, origin_of(ld, s, k), path, val, "must be %s %s.%s = %s %s", use_a ? msg_a : msg_b,
                cs_cfg_sections[so].table->section, other, oval, row_of(so, other)->unit);
}

static void check_grid(cs_cfg_loader *ld)
{
  const int G = cs_cfg_section_index("grid");
  const cs_grid *g = &ld->cfg->grid;
  if (g->dim < 3 && g->ny != 1) {
    char val[24];
    snprintf(val, sizeof val, "%d", g->ny);
    cs_cfg_report(ld, origin_of(ld, G, "ny"), "grid.ny", val, "must be 1 when grid.dim = %d (y is used only in 3-D)",
                  g->dim);
  }
  if (g->dim < 2 && g->nx != 1) {
    char val[24];
    snprintf(val, sizeof val, "%d", g->nx);
    cs_cfg_report(ld, origin_of(ld, G, "nx"), "grid.nx", val, "must be 1 when grid.dim = 1 (x is used from 2-D on)");
  }
  const char *names[3] = {"nz", "nx", "ny"};
  double n[3] = {g->nz, g->dim >= 2 ? g->nx : 1, g->dim >= 3 ? g->ny : 1};
  if (n[0] * n[1] * n[2] <= MAX_CELLS) return;
  int worst = -1; /* blame the largest count that was set, else the largest */
  for (int d = 0; d < 3; ++d)
    if (where_known(origin_of(ld, G, names[d])) && (worst < 0 || n[d] > n[worst])) worst = d;
  for (int d = 0; worst < 0 && d < 3; ++d)
    if (d == 2 || (n[d] >= n[(d + 1) % 3] && n[d] >= n[(d + 2) % 3])) worst = d;
  char path[32], val[24];
  snprintf(path, sizeof path, "grid.%s", names[worst]);
  snprintf(val, sizeof val, "%.0f", n[worst]);
  cs_cfg_report(ld, origin_of(ld, G, names[worst]), path, val,
                "grid of %.0f x %.0f x %.0f = %.0f cells is too large for memory (at most %.0f cells)", n[0], n[1],
                n[2], n[0] * n[1] * n[2], (double)MAX_CELLS);
}

static void check_treatments(cs_cfg_loader *ld)
{
  const double t_end = ld->cfg->run.t_end;
  const int day = cs_cfg_row_index(&cs_treatment_table, cs_opt_find(&cs_treatment_table, "day"));
  for (int i = 0; i < ld->cfg->n_treatments; ++i) {
    if (ld->tappended[i]) cs_cfg_check_required(ld, i);
    const cs_treatment *t = &ld->cfg->treatments[i];
    /* the cell keys mean nothing for a drug: a value other than the default is a mistake */
    if (t->type == CS_TREAT_IL1RA) {
      static const char *const cell_keys[] = {"source", "viability"};
      for (int k = 0; k < 2; ++k) {
        const cs_opt *o = cs_opt_find(&cs_treatment_table, cell_keys[k]);
        const int r = cs_cfg_row_index(&cs_treatment_table, o);
        if (!(ld->tgiven[i] >> r & 1u) || cs_opt_get(o, t) == o->def) continue;
        char path[48], val[40];
        snprintf(path, sizeof path, "treatments[%d].%s", i, o->name);
        if (o->type == CS_OPT_ENUM) snprintf(val, sizeof val, "%s", cs_opt_choice_name(o, (int)cs_opt_get(o, t)));
        else snprintf(val, sizeof val, "%g", cs_opt_get(o, t));
        cs_cfg_where *w = where_known(&ld->torigin[i][r]) ? &ld->torigin[i][r] : &ld->titem[i];
        cs_cfg_report(ld, w, path, val, "only for type msc (an il1ra bolus has no cells)");
      }
    }
    if (!(ld->tgiven[i] >> day & 1u) || ld->cfg->treatments[i].day < t_end) continue;
    char path[40], val[40];
    snprintf(path, sizeof path, "treatments[%d].day", i);
    snprintf(val, sizeof val, "%.10g", ld->cfg->treatments[i].day);
    cs_cfg_where *w = where_known(&ld->torigin[i][day]) ? &ld->torigin[i][day] : &ld->titem[i];
    cs_cfg_report(ld, w, path, val, "must be before the end of the run (run.t_end = %.10g day)", t_end);
  }
}

/* Output steps a run may take (series rows; field snapshots): found here, by
 * `check` too, not by the run after its file is made. 10 million rows of the
 * ~60 series are ~5 GB; a snapshot holds every cell. */
#define MAX_SERIES_STEPS 1e7
#define MAX_FIELD_SNAPSHOTS 1e6

static void check_output_steps(cs_cfg_loader *ld)
{
  const int O = cs_cfg_section_index("output");
  const double T = ld->cfg->run.t_end;
  const struct { const char *key; double every, max; const char *what; } q[2] = {
    {"dt", ld->cfg->output.dt, MAX_SERIES_STEPS, "time-series steps"},
    {"fields_every", ld->cfg->output.fields_every, MAX_FIELD_SNAPSHOTS, "field snapshots"}};
  for (int i = 0; i < 2; ++i) {
    if (!(q[i].every > 0) || T / q[i].every <= q[i].max) continue;
    char path[40], val[40];
    snprintf(path, sizeof path, "output.%s", q[i].key);
    snprintf(val, sizeof val, "%.10g", q[i].every);
    cs_cfg_report(ld, origin_of(ld, O, q[i].key), path, val, "gives %.3g %s over run.t_end = %.10g day (at most %.0f)",
                  T / q[i].every, q[i].what, T, q[i].max);
  }
}

/* A lesion that covers no cell leaves the knee undamaged while /parameters
 * describe a lesion: refused, naming the key that is too small. */
static void check_lesion(cs_cfg_loader *ld)
{
  const cs_initial *ini = &ld->cfg->initial;
  if (!(ini->lesion_radius > 0.0)) return;
  const int I = cs_cfg_section_index("initial");
  const cs_grid *g = &ld->cfg->grid;
  cs_lesion_cover c;
  cs_initial_lesion_cover(ini, &ld->cfg->model, g, &c);
  char val[40];
  if (c.layers == 0) {
    snprintf(val, sizeof val, "%.10g", ini->lesion_depth);
    cs_cfg_report(ld, origin_of(ld, I, "lesion_depth"), "initial.lesion_depth", val,
                  "reaches no cell: the top cells' centres are %.6g mm below the surface (model.H = %.6g mm over "
                  "grid.nz = %d); a deeper lesion or a finer grid",
                  0.5 * ld->cfg->model.H / g->nz, ld->cfg->model.H, g->nz);
  } else if (c.columns == 0) {
    snprintf(val, sizeof val, "%.10g", ini->lesion_radius);
    cs_cfg_report(ld, origin_of(ld, I, "lesion_radius"), "initial.lesion_radius", val,
                  "covers no cell: the nearest cell centre is %.6g mm from the lesion centre; a larger radius or a "
                  "finer grid", c.nearest);
  }
}

/* Newton corrections by the preconditioner alone need one (linsol_precond.h).
 * solver.krylov is auto unless set, so it is the key to name. */
static void check_krylov(cs_cfg_loader *ld)
{
  const cs_solver_opts *o = &ld->cfg->solver;
  if (o->krylov != CS_KRYLOV_NONE || o->precond != CS_PC_NONE) return;
  const int S = cs_cfg_section_index("solver");
  cs_cfg_report(ld, origin_of(ld, S, "krylov"), "solver.krylov", "none",
                "needs a preconditioner (each Newton correction is its solve) and solver.precond is none; use "
                "solver.precond line, or solver.krylov gmres");
}

void cs_cfg_check_rules(cs_cfg_loader *ld)
{
  const int M = cs_cfg_section_index("model"), O = cs_cfg_section_index("output"), R = cs_cfg_section_index("run");
  check_grid(ld);
  if (ld->cfg->model.t_ins1 < ld->cfg->model.t_ins0)
    rule_error(ld, M, "t_ins1", M, "t_ins0", ">=", "<=");
  if (ld->cfg->output.dt > ld->cfg->run.t_end) rule_error(ld, O, "dt", R, "t_end", "<=", ">=");
  check_output_steps(ld);
  check_treatments(ld);
  check_lesion(ld);
  check_krylov(ld);
}
