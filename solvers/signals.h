/* signals.h - SIGINT and SIGTERM (Ctrl-C, Slurm's time limit) as a request
 * to stop cleanly: the handler only sets a flag; the time loop checks it at
 * every output step (collectively), writes a final checkpoint, marks the
 * output "interrupted" and the run exits with CS_ERR_INTERRUPTED (6). */
#ifndef CS_SIGNALS_H
#define CS_SIGNALS_H

void cs_signals_install(void);
/* The signal received (0: none). */
int cs_signals_pending(void);

#endif
