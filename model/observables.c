#include "observables.h"

#include <stdio.h>
#include <string.h>

#include "kinetics.h"

static void set(cs_ts_info *q, const char *name, const char *units, const char *long_name)
{
  snprintf(q->name, sizeof q->name, "%s", name);
  snprintf(q->units, sizeof q->units, "%s", units);
  snprintf(q->long_name, sizeof q->long_name, "%s", long_name);
}

void cs_observables_info(cs_ts_info info[CS_TS_COUNT])
{
  set(&info[CS_TS_TIME], "time", "day", "simulated time");
  set(&info[CS_TS_PS], "P_s", "ng/mL", cs_synovial_info[CS_PS].long_name);
  set(&info[CS_TS_RS], "R_s", "ng/mL", cs_synovial_info[CS_RS].long_name);
  set(&info[CS_TS_FS], "F_s", "1", cs_synovial_info[CS_FS].long_name);
  set(&info[CS_TS_N], "N", "cells", cs_synovial_info[CS_N].long_name);
  set(&info[CS_TS_NSYN], "N_syn", "cells", cs_synovial_info[CS_NSYN].long_name);
  set(&info[CS_TS_ETOTAL], "E_total", "cells", "engrafted MSCs in all the cartilage");
  for (int s = 0; s < CS_NS; ++s) {
    char name[32], lname[96];
    snprintf(name, sizeof name, "mean_%s", cs_species_info[s].name);
    snprintf(lname, sizeof lname, "mean over the tissue: %s", cs_species_info[s].long_name);
    set(&info[CS_TS_MEAN0 + s], name, cs_species_info[s].unit, lname);
    snprintf(name, sizeof name, "min_%s", cs_species_info[s].name);
    snprintf(lname, sizeof lname, "smallest value in the tissue: %s", cs_species_info[s].long_name);
    set(&info[CS_TS_MIN0 + s], name, cs_species_info[s].unit, lname);
  }
  set(&info[CS_TS_THICKNESS], "thickness", "mm", "patch average of the depth integral of collagen (structural MRI proxy)");
  set(&info[CS_TS_SURFACE_C], "surface_c", "1", "collagen in the surface cells (h/2 below the articular surface), patch average");
  set(&info[CS_TS_SYNOVITIS], "synovitis", "1", "synovial receptor signal S_s (pain proxy, 0-1)");
  set(&info[CS_TS_INJECTED], "msc_injected", "cells", "viable MSCs injected so far (cumulative)");
  set(&info[CS_TS_DIED], "msc_died", "cells", cs_synovial_info[CS_DIED].long_name);
  set(&info[CS_TS_DIFF], "msc_differentiated", "cells", cs_synovial_info[CS_DIFF].long_name);
  set(&info[CS_TS_CLEARED], "msc_cleared", "cells", cs_synovial_info[CS_CLEARED].long_name);
  set(&info[CS_TS_PROLIF], "msc_proliferated", "cells", cs_synovial_info[CS_PROLIF].long_name);
  set(&info[CS_TS_IN_JOINT], "msc_in_joint", "cells", "MSCs in the joint: N + N_syn + E_total");
  set(&info[CS_TS_SAUC], "synovitis_auc", "day", cs_synovial_info[CS_SAUC].long_name);
}

void cs_observables(const cs_params *p, double A, const cs_patch_integrals *g, const double syn[CS_NSYNO],
                    double injected, double t, double out[CS_TS_COUNT])
{
  out[CS_TS_TIME] = t;
  out[CS_TS_PS] = syn[CS_PS];
  out[CS_TS_RS] = syn[CS_RS];
  out[CS_TS_FS] = syn[CS_FS];
  out[CS_TS_N] = syn[CS_N];
  out[CS_TS_NSYN] = syn[CS_NSYN];
  out[CS_TS_ETOTAL] = p->A_c / A * g->u_dV[CS_E];
  for (int s = 0; s < CS_NS; ++s) {
    out[CS_TS_MEAN0 + s] = g->u_dV[s] / (p->H * A);
    out[CS_TS_MIN0 + s] = g->min_value[s];
  }
  out[CS_TS_THICKNESS] = g->u_dV[CS_C] / A;
  out[CS_TS_SURFACE_C] = g->c_surface_dA / A;
  out[CS_TS_SYNOVITIS] = cs_signal(p, syn[CS_PS], syn[CS_RS]);
  out[CS_TS_INJECTED] = injected;
  out[CS_TS_DIED] = syn[CS_DIED];
  out[CS_TS_DIFF] = syn[CS_DIFF];
  out[CS_TS_CLEARED] = syn[CS_CLEARED];
  out[CS_TS_PROLIF] = syn[CS_PROLIF];
  out[CS_TS_IN_JOINT] = syn[CS_N] + syn[CS_NSYN] + out[CS_TS_ETOTAL];
  out[CS_TS_SAUC] = syn[CS_SAUC];
}

int cs_negative_values(const double v[CS_TS_COUNT], double atol, int noted[CS_NS], char *buf, size_t n)
{
  int added = 0;
  for (int s = 0; s < CS_NS; ++s) {
    double floor = -10.0 * atol * cs_species_info[s].atol_scale;
    if (noted[s] || !(v[CS_TS_MIN0 + s] < floor)) continue;
    noted[s] = 1;
    size_t len = strlen(buf);
    snprintf(buf + len, len < n ? n - len : 0, "%s%s = %.3g at day %g", len ? "; " : "", cs_species_info[s].name,
             v[CS_TS_MIN0 + s], v[CS_TS_TIME]);
    ++added;
  }
  return added;
}
