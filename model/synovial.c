#include "synovial.h"

#include <math.h>
#include <string.h>

static double pos(double x) { return x > 0.0 ? x : 0.0; }

void cs_exchange_from_sums(const cs_params *p, double patch_area, const cs_patch_sums *t, cs_exchange *x)
{
  for (int s = 0; s < CS_NS; ++s) x->J[s] = t->J[s] / patch_area;
  x->c_surface = t->c_surface / patch_area;
  const double scale = p->A_c / patch_area;
  x->msc.died = t->msc.died * scale;
  x->msc.differentiated = t->msc.differentiated * scale;
  x->msc.proliferated = t->msc.proliferated * scale;
}

double cs_synovial_flux_gain(const cs_params *p, int i)
{
  switch (i) {
  case CS_PS:
  case CS_RS:
  case CS_FS: return p->A_c / p->V_s;
  case CS_N: return p->A_c;
  default: return 0.0;
  }
}

double cs_synovial_drive(const cs_params *p, int injury_on)
{
  return p->sig_s0 + (injury_on ? p->sig_ins : 0.0);
}

static double hill(const cs_params *p, double F)
{
  double f = pow(pos(F), p->n_sF), k = pow(p->K_sF, p->n_sF);
  return f / (k + f);
}

void cs_synovial_rhs(const cs_params *p, int injury_on, const double y[CS_NSYNO], const cs_exchange *x,
                     double dy[CS_NSYNO])
{
  const double AV = p->A_c / p->V_s;
  const double imm = 1.0 / (1.0 + (pos(y[CS_N]) + pos(y[CS_NSYN])) / p->K_MSC);
  dy[CS_PS] = (cs_synovial_drive(p, injury_on) + p->sig_sF * hill(p, y[CS_FS])) * imm + AV * x->J[CS_P] -
              p->k_cl * y[CS_PS];
  dy[CS_RS] = p->sig_Rs0 + AV * x->J[CS_R] - p->k_cl * y[CS_RS];
  dy[CS_FS] = AV * x->J[CS_F] - p->k_clF * y[CS_FS];
  dy[CS_N] = -(p->lam_N + p->eps_syn) * y[CS_N] + p->A_c * x->J[CS_E];
  dy[CS_NSYN] = p->eps_syn * y[CS_N] - p->lam_syn * y[CS_NSYN];
  dy[CS_DIED] = x->msc.died;
  dy[CS_DIFF] = x->msc.differentiated;
  dy[CS_CLEARED] = p->lam_N * y[CS_N] + p->lam_syn * y[CS_NSYN];
  dy[CS_PROLIF] = x->msc.proliferated;
  dy[CS_SAUC] = cs_signal(p, y[CS_PS], y[CS_RS]);
}

void cs_synovial_jac(const cs_params *p, int injury_on, double hz, const double y[CS_NSYNO],
                     const cs_exchange *x, double J[CS_NSYNO * CS_NSYNO])
{
  memset(J, 0, sizeof(double) * CS_NSYNO * CS_NSYNO);
#define SETJ(i, j, v) (J[(i) + CS_NSYNO * (j)] = (v))
  const double AV = p->A_c / p->V_s;
  const double Nt = pos(y[CS_N]) + pos(y[CS_NSYN]);
  const double imm = 1.0 / (1.0 + Nt / p->K_MSC);
  const double dimm = -imm * imm / p->K_MSC;
  const double F = pos(y[CS_FS]), n = p->n_sF, kn = pow(p->K_sF, n);
  const double dhill = F > 0.0 ? n * kn * pow(F, n - 1.0) / ((kn + pow(F, n)) * (kn + pow(F, n))) : 0.0;
  const double drive = cs_synovial_drive(p, injury_on) + p->sig_sF * hill(p, y[CS_FS]);

  SETJ(CS_PS, CS_PS, -p->k_cl - AV * p->kappa * cs_surface_transfer(p, p->D_P, hz));
  SETJ(CS_PS, CS_FS, p->sig_sF * dhill * imm);
  SETJ(CS_PS, CS_N, y[CS_N] > 0.0 ? drive * dimm : 0.0);
  SETJ(CS_PS, CS_NSYN, y[CS_NSYN] > 0.0 ? drive * dimm : 0.0);
  SETJ(CS_RS, CS_RS, -p->k_cl - AV * p->kappa * cs_surface_transfer(p, p->D_R, hz));
  SETJ(CS_FS, CS_FS, -p->k_clF - AV * p->kappa * cs_surface_transfer(p, p->D_F, hz));
  SETJ(CS_N, CS_N, -(p->lam_N + p->eps_syn) -
                       p->A_c * p->k_att / p->V_s * (1.0 + p->beta_att * (1.0 - x->c_surface)));
  SETJ(CS_NSYN, CS_N, p->eps_syn);
  SETJ(CS_NSYN, CS_NSYN, -p->lam_syn);
  SETJ(CS_CLEARED, CS_N, p->lam_N);
  SETJ(CS_CLEARED, CS_NSYN, p->lam_syn);
  /* d S_s / d P_s, d R_s by central differences of the shared signal function */
  const double hP = 1e-7 * (fabs(y[CS_PS]) + p->K_P), hR = 1e-7 * (fabs(y[CS_RS]) + p->K_R);
  SETJ(CS_SAUC, CS_PS, (cs_signal(p, y[CS_PS] + hP, y[CS_RS]) - cs_signal(p, y[CS_PS] - hP, y[CS_RS])) / (2 * hP));
  SETJ(CS_SAUC, CS_RS, (cs_signal(p, y[CS_PS], y[CS_RS] + hR) - cs_signal(p, y[CS_PS], y[CS_RS] - hR)) / (2 * hR));
#undef SETJ
}
