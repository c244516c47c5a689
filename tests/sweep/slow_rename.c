/* slow_rename.c - an LD_PRELOAD shim for test_sweep.py (Sweep.test_tasks_
 * finishing_together_leave_the_whole_table): before renaming a file onto a path that ends in
 * $SLOW_RENAME_TARGET, it creates the file $SLOW_RENAME_MARK and sleeps
 * $SLOW_RENAME_SECONDS, so that another task can finish inside the window
 * between the moment a sweep task read the status records and the moment
 * its summary replaces the one on disk. Every other rename is untouched. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rename(const char *from, const char *to)
{
  static int (*real_rename)(const char *, const char *);
  if (!real_rename) real_rename = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
  const char *target = getenv("SLOW_RENAME_TARGET"), *mark = getenv("SLOW_RENAME_MARK");
  const char *secs = getenv("SLOW_RENAME_SECONDS");
  size_t nt = target ? strlen(target) : 0, n = strlen(to);
  if (target && mark && secs && n >= nt && !strcmp(to + n - nt, target)) {
    FILE *f = fopen(mark, "a");
    if (f) {
      fputs("renaming\n", f);
      fclose(f);
    }
    sleep((unsigned)atoi(secs));
  }
  return real_rename(from, to);
}
