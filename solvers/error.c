#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char message[1024];
static char trace[4096];
static int code;

int cs_error_set(int c, const char *fmt, ...)
{
  if (code == 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    code = c;
  }
  return c;
}

int cs_error_trace(int c, const char *file, int line, const char *expr)
{
  size_t len = strlen(trace);
  if (len + 1 < sizeof trace)
    snprintf(trace + len, sizeof trace - len, "  at %s:%d: %s\n", file, line, expr);
  if (code == 0) cs_error_set(c, "internal error at %s:%d (%s)", file, line, expr);
  return c;
}

const char *cs_error_message(void) { return message; }
int cs_error_code(void) { return code; }
const char *cs_error_backtrace(void) { return trace; }

void cs_error_clear(void)
{
  message[0] = trace[0] = '\0';
  code = 0;
}
