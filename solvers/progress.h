/* progress.h - progress report on rank 0: a live bar (percent, simulated
 * day, ETA) when stderr is a terminal, one plain line every few seconds
 * when it is a file. Silent when quiet. */
#ifndef CS_PROGRESS_H
#define CS_PROGRESS_H

typedef struct {
  int enabled, tty;
  double t_end, wall0, last_print;
  char label[64];
} cs_progress;

void cs_progress_start(cs_progress *pg, int enabled, double t_end, const char *label);
void cs_progress_update(cs_progress *pg, double t);
void cs_progress_finish(cs_progress *pg, double t, const char *status);

#endif
