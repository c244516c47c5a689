#include "text_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cs_read_text_file(const char *path, char **text, size_t *len)
{
  struct stat st;
  if (stat(path, &st) != 0) return errno;
  if (S_ISDIR(st.st_mode)) return EISDIR; /* fopen of a directory succeeds on Linux */
  FILE *f = fopen(path, "rb");
  if (!f) return errno;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  int err = 0;
  while (buf) {
    if (n + 1 >= cap) { /* room for the NUL */
      char *nb = cap >= (size_t)CS_TEXT_FILE_MAX ? NULL : realloc(buf, cap * 2);
      if (!nb) {
        err = cap >= (size_t)CS_TEXT_FILE_MAX ? EFBIG : ENOMEM;
        break;
      }
      buf = nb, cap *= 2;
    }
    size_t got = fread(buf + n, 1, cap - 1 - n, f);
    n += got;
    if (got == 0) {
      if (ferror(f)) err = errno ? errno : EIO;
      break;
    }
  }
  if (!buf) err = ENOMEM;
  fclose(f);
  if (err) {
    free(buf);
    return err;
  }
  buf[n] = '\0';
  *text = buf, *len = n;
  return 0;
}

const char *cs_text_file_error(int err)
{
  return err == EFBIG ? "over 1 MiB, too large for a config or sweep file" : strerror(err);
}
