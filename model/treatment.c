#include "treatment.h"

static const char *const types[] = {"msc", "il1ra", NULL};

static const cs_opt rows[] = {
  {"type", CS_OPT_ENUM, "-", 0, 0, 1, "msc (stem-cell injection) or il1ra (IL-1Ra drug bolus)",
   offsetof(cs_treatment, type), 0, types},
  {"day", CS_OPT_REAL, "day", 0, 0, 1e6, "time of the injection", offsetof(cs_treatment, day), 0, NULL},
  {"dose", CS_OPT_REAL, "cells or mg", 0, 0, 1e12, "MSCs injected (cells) or IL-1Ra given (mg)",
   offsetof(cs_treatment, dose), 0, NULL},
  {"viability", CS_OPT_REAL, "1", 1, 0, 1, "fraction of injected MSCs alive at injection",
   offsetof(cs_treatment, viability), 0, NULL},
};

const cs_opt_table cs_treatment_table = {"treatments[]", rows, (int)(sizeof rows / sizeof rows[0])};

double cs_treatment_apply(const cs_treatment *t, const cs_params *p, double syn[CS_NSYNO])
{
  if (t->type == CS_TREAT_MSC) {
    double cells = t->dose * t->viability;
    syn[CS_N] += cells;
    return cells;
  }
  syn[CS_RS] += t->dose * 1e6 / (p->V_s / 1000.0);
  return 0.0;
}
