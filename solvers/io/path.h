/* path.h - the directory part of a file path, for the checks and messages
 * about output, checkpoint and state files ("." for a bare name, "/" for a
 * file in the root, else everything before the last '/'). */
#ifndef CS_PATH_H
#define CS_PATH_H

#include <stddef.h>

void cs_path_dir(const char *path, char *dir, size_t n);

#endif
