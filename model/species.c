#include "species.h"

#include <string.h>

const cs_quantity_info cs_species_info[CS_NS] = {
  [CS_P]  = {"P", "ng/mL", "pro-inflammatory cytokine (IL-1beta-equivalent)", 1e-2},
  [CS_R]  = {"R", "ng/mL", "anti-inflammatory factor (IL-1Ra/TSG-6-equivalent)", 1.0},
  [CS_Z]  = {"Z", "nM", "active aggrecanase (ADAMTS-4/5)", 1e-2},
  [CS_M]  = {"M", "nM", "active collagenase (MMP-13)", 1e-2},
  [CS_F]  = {"F", "1", "matrix fragments (DAMPs), matrix-fraction units", 1e-3},
  [CS_A]  = {"a", "1", "aggrecan content, fraction of healthy", 1.0},
  [CS_C]  = {"c", "1", "collagen II content, fraction of healthy", 1.0},
  [CS_CH] = {"Ch", "1", "viable chondrocyte density, fraction of rho_C", 1.0},
  [CS_E]  = {"E", "cells/mm^3", "engrafted MSCs in the tissue", 1.0},
};

const cs_quantity_info cs_synovial_info[CS_NSYNO] = {
  [CS_PS]      = {"P_s", "ng/mL", "synovial pro-inflammatory cytokine", 1e-2},
  [CS_RS]      = {"R_s", "ng/mL", "synovial anti-inflammatory factor", 1.0},
  [CS_FS]      = {"F_s", "1", "synovial matrix fragments", 1e-3},
  [CS_N]       = {"N", "cells", "free MSCs in the synovial fluid", 1.0},
  [CS_NSYN]    = {"N_syn", "cells", "MSCs adhered to the synovium", 1.0},
  [CS_DIED]    = {"msc_died", "cells", "MSCs died in the cartilage (cumulative)", 1.0},
  [CS_DIFF]    = {"msc_differentiated", "cells", "MSCs differentiated into chondrocytes (cumulative)", 1.0},
  [CS_CLEARED] = {"msc_cleared", "cells", "MSCs cleared from fluid and synovium (cumulative)", 1.0},
  [CS_PROLIF]  = {"msc_proliferated", "cells", "net MSC proliferation in the cartilage (cumulative)", 1.0},
  [CS_SAUC]    = {"synovitis_auc", "day", "time integral of the synovitis signal S_s", 1.0},
};

int cs_species_index(const char *name)
{
  for (int s = 0; s < CS_NS; ++s)
    if (strcmp(cs_species_info[s].name, name) == 0) return s;
  return -1;
}
