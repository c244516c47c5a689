/* text_file.h - a whole text file (a config, a sweep file) into memory, for
 * the readers that parse it and report errors with the file's name: the
 * result is 0 or an errno value, so the message can say why (EISDIR for a
 * directory, ENOENT, EACCES, ...); EFBIG when the file is larger than
 * CS_TEXT_FILE_MAX (these are a few kB of YAML; a bigger file is a wrong
 * path, e.g. a result file given as the config). */
#ifndef CS_TEXT_FILE_H
#define CS_TEXT_FILE_H

#include <stddef.h>

#define CS_TEXT_FILE_MAX (1L << 20)

/* *text: malloc'd, NUL-terminated, *len bytes before the NUL (both untouched
 * on failure). */
int cs_read_text_file(const char *path, char **text, size_t *len);

/* The reason for a cs_read_text_file error, for a message. */
const char *cs_text_file_error(int err);

#endif
