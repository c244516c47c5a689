/* params.h - the physical parameters of the reference model (shared/model.md).
 *
 * Names are those of model.md and are used verbatim in configs
 * (`model.<name>`) and in the HDF5 /parameters group. Internal units:
 * time day, length mm, volume mm^3 (V_s is given in mL in configs and
 * converted once, by the table's scale), cytokines ng/mL, enzymes nM, matrix
 * and chondrocytes as fractions, cells as cells or cells/mm^3.
 * The table (cs_params_table) holds unit, default, range and help text.
 */
#ifndef CS_PARAMS_H
#define CS_PARAMS_H

#include "options.h"

typedef struct {
  /* geometry and transport */
  double H;        /* cartilage thickness, mm */
  double A_c;      /* total cartilage area bathed by the fluid, mm^2 */
  double V_s;      /* synovial fluid volume, mm^3 (config: mL) */
  double D_P, D_R, D_Z, D_M, D_F, D_E; /* diffusivities, mm^2/day */
  double h_m;      /* surface mass-transfer coefficient, mm/day */
  double kappa;    /* partition coefficient fluid -> cartilage, - */
  /* signalling */
  double K_P, K_R, K_F;
  double sig_P0, sig_PP, sig_PF, del_P;
  double sig_R0, q_RE, chi, del_R;
  /* enzymes and matrix */
  double sig_Z0, sig_ZS, del_Z, sig_M0, sig_MS, del_M;
  double gam_a, gam_c, k_wear, del_F;
  double sig_a, K_syn, k_a, sig_aE;
  double sig_c, k_c, m_shield, sig_cE;
  /* cells */
  double mu_C, k_dE, rho_C, r_E, E_max, mu_E, mu_ES;
  /* synovium */
  double sig_s0, sig_ins, t_ins0, t_ins1, sig_sF, K_sF, n_sF, K_MSC;
  double k_cl, k_clF, sig_Rs0, lam_N, eps_syn, lam_syn, k_att, beta_att;
} cs_params;

extern const cs_opt_table cs_params_table;

/* Diffusivity of each cartilage species (0 for the matrix and cells). */
void cs_params_diffusivities(const cs_params *p, double D[]);

#endif
