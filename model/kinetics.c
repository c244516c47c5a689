#include "kinetics.h"

#include <math.h>

/* x^m for x >= 0: exact products for the usual whole exponents (pow is the
 * most expensive call in the right-hand side otherwise). */
static double power(double x, double m)
{
  if (m == 2.0) return x * x;
  if (m == 1.0) return x;
  if (m == 3.0) return x * x * x;
  if (m == 0.0) return 1.0;
  return pow(x, m);
}

double cs_signal(const cs_params *p, double P, double R)
{
  double Pp = cs_kin_pos(P);
  double q = p->K_P * (1.0 + R / p->K_R);
  double den = Pp + q;
  return den > 0.0 ? Pp / den : 0.0;
}

/* S and its partial derivatives with respect to P and R. */
static void signal_grad(const cs_params *p, double P, double R, double *S, double *dSdP, double *dSdR)
{
  double Pp = cs_kin_pos(P);
  double q = p->K_P * (1.0 + R / p->K_R);
  double den = Pp + q;
  if (den <= 0.0) {
    *S = *dSdP = *dSdR = 0.0;
    return;
  }
  *S = Pp / den;
  *dSdP = P > 0.0 ? q / (den * den) : 0.0;
  *dSdR = -Pp * (p->K_P / p->K_R) / (den * den);
}

cs_kin cs_kin_make(const cs_params *p)
{
  const double m = p->m_shield;
  cs_kin k = {
      .K_P = p->K_P, .KP_KR = p->K_P / p->K_R, .K_F = p->K_F, .K_syn = p->K_syn,
      .sig_P0 = p->sig_P0, .sig_PP = p->sig_PP, .sig_PF = p->sig_PF, .del_P = p->del_P,
      .sig_R0 = p->sig_R0, .q_RE = p->q_RE, .chi = p->chi, .del_R = p->del_R,
      .sig_Z0 = p->sig_Z0, .sig_ZS = p->sig_ZS, .del_Z = p->del_Z,
      .sig_M0 = p->sig_M0, .sig_MS = p->sig_MS, .del_M = p->del_M,
      .gk_a = p->gam_a * p->k_a, .gk_c = p->gam_c * p->k_c, .k_wear = p->k_wear, .del_F = p->del_F,
      .sig_a = p->sig_a, .k_a = p->k_a, .sig_aE = p->sig_aE, .sig_c = p->sig_c, .k_c = p->k_c, .sig_cE = p->sig_cE,
      .mu_C = p->mu_C, .k_dE = p->k_dE, .inv_rho_C = 1.0 / p->rho_C, .r_E = p->r_E, .inv_E_max = 1.0 / p->E_max,
      .mu_E = p->mu_E, .mu_ES = p->mu_ES,
      .m_shield = m,
      .m_whole = m == 0.0 ? 0 : m == 1.0 ? 1 : m == 2.0 ? 2 : m == 3.0 ? 3 : -1,
  };
  return k;
}

void cs_kin_react(const cs_kin *k, const double u[CS_NS], double du[CS_NS], cs_msc_rates *rates)
{
  cs_msc_rates r;
  cs_kin_eval(k, u, power(cs_kin_pos(1.0 - u[CS_A]), k->m_shield), du, &r);
  if (rates) *rates = r;
}

void cs_react(const cs_params *p, const double u[CS_NS], double du[CS_NS], cs_msc_rates *rates)
{
  const cs_kin k = cs_kin_make(p);
  cs_kin_react(&k, u, du, rates);
}

void cs_react_jac(const cs_params *p, const double u[CS_NS], double J[CS_NS * CS_NS])
{
  const double P = u[CS_P], R = u[CS_R], Z = u[CS_Z], M = u[CS_M], F = u[CS_F];
  const double a = u[CS_A], c = u[CS_C], Ch = u[CS_CH], E = u[CS_E];
  double S, SP, SR;
  signal_grad(p, P, R, &S, &SP, &SR);
  const double Fp = cs_kin_pos(F);
  const double sat = Fp / (p->K_F + Fp);
  const double dsat = F > 0.0 ? p->K_F / ((p->K_F + Fp) * (p->K_F + Fp)) : 0.0;
  const double oma = cs_kin_pos(1.0 - a);
  const double phi = power(oma, p->m_shield);
  const double dphi = oma > 0.0 ? -p->m_shield * power(oma, p->m_shield - 1.0) : 0.0;
  const double omc = 1.0 - c > 0.0 ? 1.0 : 0.0; /* d max(1-c,0)/d(1-c) */
  const double omCh = cs_kin_pos(1.0 - Ch);
  const double dG_dCh = 1.0 - Ch > 0.0 ? -p->k_dE * E * (1.0 - S) : 0.0;
  const double G_E = p->k_dE * omCh * (1.0 - S);
  const double G_S = -p->k_dE * E * omCh;
  const double inh = 1.0 / (1.0 + cs_kin_pos(P) / p->K_syn);
  const double dinh_dP = P > 0.0 ? -inh * inh / p->K_syn : 0.0;

  for (int k = 0; k < CS_NS * CS_NS; ++k) J[k] = 0.0;
#define SETJ(i, j, v) (J[(i) + CS_NS * (j)] = (v))
  /* P */
  SETJ(CS_P, CS_P, Ch * p->sig_PP * SP - p->del_P);
  SETJ(CS_P, CS_R, Ch * p->sig_PP * SR);
  SETJ(CS_P, CS_F, Ch * p->sig_PF * dsat);
  SETJ(CS_P, CS_CH, p->sig_P0 + p->sig_PP * S + p->sig_PF * sat);
  /* R */
  SETJ(CS_R, CS_P, p->q_RE * E * p->chi * SP);
  SETJ(CS_R, CS_R, p->q_RE * E * p->chi * SR - p->del_R);
  SETJ(CS_R, CS_CH, p->sig_R0);
  SETJ(CS_R, CS_E, p->q_RE * (1.0 + p->chi * S));
  /* Z */
  SETJ(CS_Z, CS_P, Ch * p->sig_ZS * SP);
  SETJ(CS_Z, CS_R, Ch * p->sig_ZS * SR);
  SETJ(CS_Z, CS_Z, -p->del_Z);
  SETJ(CS_Z, CS_CH, p->sig_Z0 + p->sig_ZS * S);
  /* M */
  SETJ(CS_M, CS_P, Ch * p->sig_MS * SP);
  SETJ(CS_M, CS_R, Ch * p->sig_MS * SR);
  SETJ(CS_M, CS_M, -p->del_M);
  SETJ(CS_M, CS_CH, p->sig_M0 + p->sig_MS * S);
  /* F */
  SETJ(CS_F, CS_Z, p->gam_a * p->k_a * a);
  SETJ(CS_F, CS_M, p->gam_c * p->k_c * c * phi);
  SETJ(CS_F, CS_F, -p->del_F);
  SETJ(CS_F, CS_A, p->gam_a * p->k_a * Z + p->gam_c * p->k_c * M * c * dphi);
  SETJ(CS_F, CS_C, p->gam_c * p->k_c * M * phi - p->k_wear * omc);
  /* a */
  SETJ(CS_A, CS_P, Ch * p->sig_a * (1.0 - a) * dinh_dP);
  SETJ(CS_A, CS_Z, -p->k_a * a);
  SETJ(CS_A, CS_A, -Ch * p->sig_a * inh - p->k_a * Z - p->sig_aE * E);
  SETJ(CS_A, CS_CH, p->sig_a * (1.0 - a) * inh);
  SETJ(CS_A, CS_E, p->sig_aE * (1.0 - a));
  /* c */
  SETJ(CS_C, CS_M, -p->k_c * c * phi);
  SETJ(CS_C, CS_A, -p->k_c * M * c * dphi);
  SETJ(CS_C, CS_C, -Ch * p->sig_c - p->k_c * M * phi - p->sig_cE * E);
  SETJ(CS_C, CS_CH, p->sig_c * (1.0 - c));
  SETJ(CS_C, CS_E, p->sig_cE * (1.0 - c));
  /* Ch = -mu_C S Ch + G/rho_C */
  SETJ(CS_CH, CS_P, -p->mu_C * SP * Ch + G_S * SP / p->rho_C);
  SETJ(CS_CH, CS_R, -p->mu_C * SR * Ch + G_S * SR / p->rho_C);
  SETJ(CS_CH, CS_CH, -p->mu_C * S + dG_dCh / p->rho_C);
  SETJ(CS_CH, CS_E, G_E / p->rho_C);
  /* E = r_E E (1-E/E_max) - mu_E (1+mu_ES S) E - G */
  SETJ(CS_E, CS_P, -p->mu_E * p->mu_ES * SP * E - G_S * SP);
  SETJ(CS_E, CS_R, -p->mu_E * p->mu_ES * SR * E - G_S * SR);
  SETJ(CS_E, CS_CH, -dG_dCh);
  SETJ(CS_E, CS_E, p->r_E * (1.0 - 2.0 * E / p->E_max) - p->mu_E * (1.0 + p->mu_ES * S) - G_E);
#undef SETJ
}
