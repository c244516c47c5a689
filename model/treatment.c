#include "treatment.h"

static const char *const types[] = {"msc", "il1ra", NULL};
static const char *const sources[] = {"reference", "adipose", "bone_marrow", NULL};

const cs_source_preset cs_source_presets[CS_NSOURCES] = {
  [CS_SOURCE_REFERENCE] = {"reference", 1.0, 1.0, 1.0, "the cells of the model.md calibration"},
  [CS_SOURCE_ADIPOSE] = {"adipose", 0.85, 1.0, 1.0, "adipose-derived MSCs: post-thaw viability about 85 %"},
  [CS_SOURCE_BONE_MARROW] = {"bone_marrow", 0.90, 0.7, 1.4,
                             "bone-marrow MSCs: weaker immunomodulation than adipose cells (Melief 2013)"},
};

static const cs_opt rows[] = {
  {"type", CS_OPT_ENUM, "-", 0, 0, 1, "msc (stem-cell injection) or il1ra (IL-1Ra drug bolus)",
   offsetof(cs_treatment, type), 0, types},
  {"day", CS_OPT_REAL, "day", 0, 0, 1e6, "time of the injection", offsetof(cs_treatment, day), 0, NULL},
  {"dose", CS_OPT_REAL, "cells or mg", 0, 0, 1e12, "MSCs injected (cells) or IL-1Ra given (mg)",
   offsetof(cs_treatment, dose), 0, NULL},
  {"viability", CS_OPT_REAL, "1", 1, 0, 1, "factor on the source's viability (fraction of MSCs alive at injection)",
   offsetof(cs_treatment, viability), 0, NULL},
  {"source", CS_OPT_ENUM, "-", CS_SOURCE_REFERENCE, 0, 0,
   "MSC source preset: reference, adipose, bone_marrow (viability and potency q_RE, K_MSC)",
   offsetof(cs_treatment, source), 0, sources},
};

const cs_opt_table cs_treatment_table = {"treatments[]", rows, (int)(sizeof rows / sizeof rows[0])};

double cs_treatment_cells(const cs_treatment *t)
{
  if (t->type != CS_TREAT_MSC) return 0.0;
  return t->dose * t->viability * cs_source_presets[t->source].viability;
}

double cs_treatment_apply(const cs_treatment *t, const cs_params *base, cs_params *run, double syn[CS_NSYNO])
{
  if (t->type == CS_TREAT_MSC) {
    const cs_source_preset *src = &cs_source_presets[t->source];
    const double cells = cs_treatment_cells(t);
    syn[CS_N] += cells;
    run->q_RE = base->q_RE * src->q_RE_factor;
    run->K_MSC = base->K_MSC * src->K_MSC_factor;
    return cells;
  }
  syn[CS_RS] += t->dose * 1e6 / (base->V_s / 1000.0);
  return 0.0;
}
