#define _POSIX_C_SOURCE 200809L
#include "progress.h"

#include <stdio.h>
#include <unistd.h>

#include "problem.h"

#define PLAIN_INTERVAL 5.0 /* seconds between lines when stderr is a file */

void cs_progress_start(cs_progress *pg, int enabled, double t_end, const char *label)
{
  pg->enabled = enabled;
  pg->tty = isatty(fileno(stderr));
  pg->t_end = t_end;
  pg->wall0 = cs_wtime();
  pg->last_print = -1e30;
  snprintf(pg->label, sizeof pg->label, "%s", label);
}

static void format_eta(double s, char *buf, size_t n)
{
  if (s < 0 || s > 1e7) snprintf(buf, n, "--:--");
  else if (s < 3600) snprintf(buf, n, "%02d:%02d", (int)s / 60, (int)s % 60);
  else snprintf(buf, n, "%dh%02dm", (int)s / 3600, ((int)s % 3600) / 60);
}

void cs_progress_update(cs_progress *pg, double t)
{
  if (!pg->enabled) return;
  double now = cs_wtime(), elapsed = now - pg->wall0;
  double frac = pg->t_end > 0 ? t / pg->t_end : 1.0;
  if (frac > 1) frac = 1;
  double interval = pg->tty ? 0.1 : PLAIN_INTERVAL;
  if (now - pg->last_print < interval) return;
  pg->last_print = now;
  char eta[16];
  format_eta(frac > 0 ? elapsed * (1 - frac) / frac : -1, eta, sizeof eta);
  if (pg->tty) {
    char bar[31];
    int filled = (int)(frac * 30);
    for (int i = 0; i < 30; ++i) bar[i] = i < filled ? '#' : '.';
    bar[30] = '\0';
    fprintf(stderr, "\r%s [%s] %5.1f%%  day %8.1f / %.0f  ETA %s ", pg->label, bar, 100 * frac, t, pg->t_end, eta);
  } else {
    fprintf(stderr, "%s: %5.1f%% day %.1f / %.0f, elapsed %.1f s, ETA %s\n", pg->label, 100 * frac, t, pg->t_end,
            elapsed, eta);
  }
  fflush(stderr);
}

void cs_progress_finish(cs_progress *pg, double t, const char *status)
{
  if (!pg->enabled) return;
  if (pg->tty) fprintf(stderr, "\n");
  fprintf(stderr, "%s: %s at day %.1f after %.2f s\n", pg->label, status, t, cs_wtime() - pg->wall0);
}
