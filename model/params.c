#include "params.h"

#include <float.h>

#include "species.h"

#define ROW(name, unit, def, lo, hi, help) \
  {#name, CS_OPT_REAL, unit, def, lo, hi, help, offsetof(cs_params, name), 0.0, NULL}
#define ROWS(name, unit, def, lo, hi, scale, help) \
  {#name, CS_OPT_REAL, unit, def, lo, hi, help, offsetof(cs_params, name), scale, NULL}

static const cs_opt rows[] = {
  /* geometry and transport */
  ROW(H, "mm", 2.4, 0.05, 20, "cartilage thickness, tidemark (z=0) to articular surface (z=H) (Hunziker 2002)"),
  ROW(A_c, "mm^2", 12000, 1, 1e6, "total cartilage area bathed by the synovial fluid (knee 102-163 cm^2)"),
  ROWS(V_s, "mL", 10, 0.1, 1000, 1000.0, "synovial fluid volume (6.7 healthy - 24 OA, Heilmann 1996)"),
  ROW(D_P, "mm^2/day", 4.3, 0, 1e3, "diffusivity of the pro-inflammatory cytokine P in cartilage"),
  ROW(D_R, "mm^2/day", 4.3, 0, 1e3, "diffusivity of the anti-inflammatory factor R"),
  ROW(D_Z, "mm^2/day", 0.86, 0, 1e3, "diffusivity of the aggrecanase Z"),
  ROW(D_M, "mm^2/day", 1.3, 0, 1e3, "diffusivity of the collagenase M"),
  ROW(D_F, "mm^2/day", 2.0, 0, 1e3, "diffusivity of the matrix fragments F"),
  ROW(D_E, "mm^2/day", 1e-4, 0, 1e3, "effective motility (diffusivity) of engrafted MSCs"),
  ROW(h_m, "mm/day", 10, 0, 1e6, "mass-transfer coefficient across the articular surface"),
  ROW(kappa, "1", 1, 0, 100, "partition coefficient: cartilage value in equilibrium with the fluid value"),
  /* signalling */
  ROW(K_P, "ng/mL", 0.01, 1e-12, 1e6, "half-saturation of the IL-1 receptor signal S"),
  ROW(K_R, "ng/mL", 2.5, 1e-12, 1e9, "antagonist constant: R competes with P for the receptor"),
  ROW(K_F, "1", 0.002, 1e-12, 1e6, "half-saturation of fragment (DAMP) stimulation of P"),
  ROW(sig_P0, "ng/mL/day", 0.001, 0, 1e6, "basal P secretion by chondrocytes"),
  ROW(sig_PP, "ng/mL/day", 0.02, 0, 1e6, "autocrine P secretion driven by the signal S"),
  ROW(sig_PF, "ng/mL/day", 0.05, 0, 1e6, "P secretion driven by matrix fragments"),
  ROW(del_P, "1/day", 16.6, 0, 1e6, "decay of P (half-life about 1 h)"),
  ROW(sig_R0, "ng/mL/day", 0, 0, 1e6, "basal R secretion by chondrocytes"),
  ROW(q_RE, "ng/mL/day per cell/mm^3", 2e-4, 0, 1e6, "R secretion per engrafted MSC (paracrine potency)"),
  ROW(chi, "1", 1, 0, 1e6, "boost of MSC R secretion by inflammation (S)"),
  ROW(del_R, "1/day", 16.6, 0, 1e6, "decay of R"),
  /* enzymes and matrix */
  ROW(sig_Z0, "nM/day", 0.002, 0, 1e6, "basal aggrecanase production"),
  ROW(sig_ZS, "nM/day", 1.0, 0, 1e6, "signal-driven aggrecanase production"),
  ROW(del_Z, "1/day", 4.2, 0, 1e6, "aggrecanase inactivation"),
  ROW(sig_M0, "nM/day", 0.001, 0, 1e6, "basal collagenase production"),
  ROW(sig_MS, "nM/day", 0.2, 0, 1e6, "signal-driven collagenase production"),
  ROW(del_M, "1/day", 0.69, 0, 1e6, "collagenase inactivation"),
  ROW(gam_a, "1", 0.001, 0, 1e6, "fragments released per unit of aggrecan degraded"),
  ROW(gam_c, "1", 4.5, 0, 1e6, "fragments released per unit of collagen degraded"),
  ROW(k_wear, "1/day", 0.003, 0, 1e6, "wear debris from damaged collagen"),
  ROW(del_F, "1/day", 0.1, 0, 1e6, "fragment clearance in the tissue"),
  ROW(sig_a, "1/day", 0.04, 0, 1e6, "aggrecan synthesis rate"),
  ROW(K_syn, "ng/mL", 0.002, 1e-12, 1e6, "P level halving aggrecan synthesis"),
  ROW(k_a, "1/(nM day)", 0.1, 0, 1e6, "aggrecan cleavage by Z"),
  ROW(sig_aE, "mm^3/(cell day)", 0, 0, 1e6, "aggrecan synthesis by engrafted MSCs"),
  ROW(sig_c, "1/day", 1.6e-5, 0, 1e6, "collagen synthesis rate (half-life 117 years, Verzijl 2000)"),
  ROW(k_c, "1/(nM day)", 0.016, 0, 1e6, "collagen cleavage by M"),
  ROW(m_shield, "1", 2, 0, 100, "exponent of collagen shielding by aggrecan, phi(a)=max(1-a,0)^m"),
  ROW(sig_cE, "mm^3/(cell day)", 0, 0, 1e6, "collagen synthesis by engrafted MSCs"),
  /* cells */
  ROW(mu_C, "1/day", 2e-4, 0, 1e6, "signal-driven chondrocyte death"),
  ROW(k_dE, "1/day", 0.01, 0, 1e6, "MSC differentiation into chondrocytes"),
  ROW(rho_C, "cells/mm^3", 9626, 1, 1e9, "healthy chondrocyte density (Hunziker 2002)"),
  ROW(r_E, "1/day", 0, 0, 1e6, "engrafted MSC proliferation"),
  ROW(E_max, "cells/mm^3", 1000, 1e-12, 1e12, "carrying capacity of engrafted MSCs"),
  ROW(mu_E, "1/day", 0.02, 0, 1e6, "engrafted MSC death"),
  ROW(mu_ES, "1", 2, 0, 1e6, "boost of MSC death by inflammation (S)"),
  /* synovium */
  ROW(sig_s0, "ng/mL/day", 0.07, 0, 1e6, "basal synovial P production"),
  ROW(sig_ins, "ng/mL/day", 0.6, 0, 1e6, "extra synovial P production during the injury window"),
  ROW(t_ins0, "day", 0, 0, 1e6, "start of the injury / flare window"),
  ROW(t_ins1, "day", 120, 0, 1e6, "end of the injury / flare window"),
  ROW(sig_sF, "ng/mL/day", 1.0, 0, 1e6, "synovial P production driven by fluid fragments"),
  ROW(K_sF, "1", 3e-4, 1e-12, 1e6, "half-saturation of the fragment drive of the synovium"),
  ROW(n_sF, "1", 2, 0.1, 20, "Hill exponent of the fragment drive"),
  ROW(K_MSC, "cells", 5e6, 1e-12, 1e15, "MSC number halving synovial P production (immunomodulation)"),
  ROW(k_cl, "1/day", 9.4, 0, 1e6, "clearance of soluble factors from the fluid (Owen 1994)"),
  ROW(k_clF, "1/day", 1, 0, 1e6, "clearance of fragments from the fluid"),
  ROW(sig_Rs0, "ng/mL/day", 94, 0, 1e9, "basal synovial R production"),
  ROW(lam_N, "1/day", 0.2, 0, 1e6, "clearance of free MSCs from the fluid"),
  ROW(eps_syn, "1/day", 0.0625, 0, 1e6, "adhesion of free MSCs to the synovium"),
  ROW(lam_syn, "1/day", 0.0155, 0, 1e6, "loss of synovium-adhered MSCs"),
  ROW(k_att, "mm/day", 1e-3, 0, 1e6, "attachment velocity of MSCs to the cartilage surface"),
  ROW(beta_att, "1", 5, 0, 1e6, "extra attachment to damaged surfaces, factor (1+beta_att(1-c))"),
};

const cs_opt_table cs_params_table = {"model", rows, (int)(sizeof rows / sizeof rows[0])};

void cs_params_diffusivities(const cs_params *p, double D[])
{
  for (int s = 0; s < CS_NS; ++s) D[s] = 0.0;
  D[CS_P] = p->D_P;
  D[CS_R] = p->D_R;
  D[CS_Z] = p->D_Z;
  D[CS_M] = p->D_M;
  D[CS_F] = p->D_F;
  D[CS_E] = p->D_E;
}
