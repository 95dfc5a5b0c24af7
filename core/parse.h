/* Strict conversions of text fields to numbers and names, shared by the
 * YAML and CSV readers so both accept and reject the same spellings. */
#ifndef SM_PARSE_H
#define SM_PARSE_H

#include <stddef.h>

typedef enum sm_parse_result {
    SM_PARSE_OK = 0,
    SM_PARSE_EMPTY,        /* nothing there */
    SM_PARSE_NOT_NUMBER,   /* not a decimal number */
    SM_PARSE_NOT_FINITE,   /* nan, inf, or overflows a double */
    SM_PARSE_NOT_INTEGER,  /* a number, but not a whole one, or out of int range */
} sm_parse_result;

/* Decimal numbers only: [+-]digits[.digits][e[+-]digits], surrounding
 * blanks allowed. Hex, "nan" and "inf" are refused. */
sm_parse_result sm_parse_double(const char *s, double *out);

/* A whole number (written with or without ".0") within int range. */
sm_parse_result sm_parse_int(const char *s, int *out);

/* A short phrase for a parse result ("is not a number", ...). */
const char *sm_parse_problem(sm_parse_result r);

/* Identifier rule for names: a letter, then letters, digits or '_', at
 * most SM_NAME_MAX characters. */
#define SM_NAME_MAX 48
int sm_is_name(const char *s);

/* Input files are UTF-8 text: returns the byte offset of the first NUL or
 * invalid UTF-8 sequence, or len when there is none. */
size_t sm_text_invalid_at(const char *text, size_t len);

/* 1-based line and column of byte offset off in text. */
void sm_text_position(const char *text, size_t off, int *line, int *col);

#endif
