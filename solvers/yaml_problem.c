#include "yaml_problem.h"

#include <stdio.h>
#include <string.h>

/* Line and column (1-based) of a byte offset. */
static void offset_position(const char *text, size_t len, size_t off, int *line, int *col)
{
  *line = 1, *col = 1;
  for (size_t i = 0; i < off && i < len; ++i) {
    if (text[i] == '\n') ++*line, *col = 1;
    else ++*col;
  }
}

/* The text of line `line` (1-based) holds a '[' after a '{'. */
static int bracket_in_flow_mapping(const char *text, size_t len, int line)
{
  size_t i = 0;
  for (int l = 1; l < line && i < len; ++i)
    if (text[i] == '\n') ++l;
  const char *brace = NULL;
  for (; i < len && text[i] != '\n'; ++i) {
    if (text[i] == '{') brace = text + i;
    if (text[i] == '[' && brace) return 1;
  }
  return 0;
}

void cs_yaml_problem(const yaml_parser_t *p, const char *text, size_t len, int *line, int *col, char *msg,
                     size_t n)
{
  *line = (int)p->problem_mark.line + 1;
  *col = (int)p->problem_mark.column + 1;
  const char *problem = p->problem ? p->problem : "unknown problem";
  if (p->error == YAML_MEMORY_ERROR) {
    snprintf(msg, n, "out of memory while parsing");
  } else if (p->error == YAML_READER_ERROR) {
    offset_position(text, len, p->problem_offset, line, col);
    if (p->problem_value >= 0)
      snprintf(msg, n, "invalid text (not a YAML/UTF-8 file?): %s (byte 0x%02x)", problem,
               (unsigned)p->problem_value & 0xffu);
    else
      snprintf(msg, n, "invalid text (not a YAML/UTF-8 file?): %s", problem);
  } else {
    int used = p->context ? snprintf(msg, n, "syntax error: %s (%s at line %d, column %d)", problem, p->context,
                                     (int)p->context_mark.line + 1, (int)p->context_mark.column + 1)
                          : snprintf(msg, n, "syntax error: %s", problem);
    if (used > 0 && (size_t)used < n && strstr(problem, "',' or '}'") && bracket_in_flow_mapping(text, len, *line))
      snprintf(msg + used, n - (size_t)used, "; inside {...} quote keys with brackets: {\"treatments[0].day\": 100}");
    else if (used > 0 && (size_t)used < n && p->problem_mark.index < len && text[p->problem_mark.index] == '\t')
      snprintf(msg + used, n - (size_t)used, "; the character is a tab: YAML indents with spaces only");
  }
}

int cs_yaml_too_deep(const char *text, size_t len, int max_depth, int *line, int *col)
{
  yaml_parser_t parser;
  yaml_event_t ev;
  int depth = 0, deep = 0, done = 0;
  if (!yaml_parser_initialize(&parser)) return 0;
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  while (!done && yaml_parser_parse(&parser, &ev)) {
    if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) ++depth;
    if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) --depth;
    if (depth > max_depth) {
      *line = (int)ev.start_mark.line + 1;
      *col = (int)ev.start_mark.column + 1;
      deep = 1;
    }
    done = deep || ev.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&parser);
  return deep;
}
