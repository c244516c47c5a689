/* baseline.h - the untreated run that `cartsim run --baseline FILE` measures
 * a treatment's benefit against:
 *
 *   benefit_thickness_points = thickness(T) - thickness_baseline(T)   (% of the initial)
 *   benefit_synovitis_auc    = AUC_baseline(T) - AUC(T)               (synovitis area)
 *
 * Both differences mean something only for the same knee without treatment,
 * so the file is checked before the run: a complete cartsim run, ending at
 * this run's horizon T, with no treatment, and with the model, grid and
 * initial values of this config (within 1e-12, as --from-state checks a
 * branch against its history). */
#ifndef CS_BASELINE_H
#define CS_BASELINE_H

#include "../config.h"

/* Thickness and synovitis area of the baseline at T (one rank reads it).
 * CS_ERR_IO if the file cannot be read as a cartsim run; CS_ERR_CONFIG if it
 * is not the untreated run of this knee to this horizon (the message names
 * the first difference). */
int cs_baseline_read(const char *path, const cs_config *cfg, double T, double *thickness, double *sauc);

#endif
