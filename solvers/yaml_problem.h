/* yaml_problem.h - one wording for the YAML syntax errors of every file
 * cartsim reads (configs and sweep files): where libyaml stopped (1-based
 * line and column; reader errors, which libyaml gives as a byte offset,
 * converted) and what it says, with the context it was parsing and a hint
 * for the mistake people make most: a key with brackets
 * (treatments[0].day) unquoted inside a flow mapping {...}, where YAML
 * reads '[' as the start of a sequence; and for a tab where libyaml
 * stopped (YAML indents with spaces only). */
#ifndef CS_YAML_PROBLEM_H
#define CS_YAML_PROBLEM_H

#include <stddef.h>
#include <yaml.h>

/* text/len: the parsed input. Fills line, col and msg (without the
 * "FILE:LINE:COL: " prefix). */
void cs_yaml_problem(const yaml_parser_t *p, const char *text, size_t len, int *line, int *col, char *msg,
                     size_t n);

/* Event pass over text/len: 1 if collections nest deeper than max_depth,
 * with *line and *col (1-based) where they do, else 0. libyaml's scanner
 * costs O(depth) per token, so "[[[[..." of 1 MB would take minutes to
 * load; the events arrive as the text is scanned, so this stops early.
 * Syntax errors are left to the loader (0). */
int cs_yaml_too_deep(const char *text, size_t len, int max_depth, int *line, int *col);

#endif
