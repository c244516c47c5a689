#include "path.h"

#include <stdio.h>
#include <string.h>

void cs_path_dir(const char *path, char *dir, size_t n)
{
  const char *slash = strrchr(path, '/');
  if (!slash) snprintf(dir, n, ".");
  else snprintf(dir, n, "%.*s", slash == path ? 1 : (int)(slash - path), path);
}
