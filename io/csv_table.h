/* A CSV table read strictly (RFC 4180 quoting) with libcsv, every row
 * remembering its line so loaders can name FILE:LINE in their messages. */
#ifndef SM_CSV_TABLE_H
#define SM_CSV_TABLE_H

#include <stddef.h>

#include "../core/diag.h"

typedef struct sm_csv {
    size_t ncols;
    char **header;   /* ncols column names, as written */
    int header_line;
    size_t nrows;    /* data rows, blank rows skipped */
    char **cells;    /* nrows * ncols, row-major; empty fields are "" */
    int *row_line;   /* the line each data row starts on */
} sm_csv;

/* Limits that keep a hostile or mistaken file cheap to reject. */
#define SM_CSV_MAX_FIELD 4096
#define SM_CSV_MAX_COLS 64
#define SM_CSV_MAX_ROWS 1000000

/* Parse text (len bytes of UTF-8 without NUL, as sm_text_read leaves it;
 * a leading byte-order mark allowed, LF or CRLF line ends) of the file
 * named `file`. The first non-blank row is the
 * header. Malformed quoting, rows whose field count differs from the
 * header's, empty or duplicate column names, and limits exceeded are input
 * errors with file and line; rows of empty fields count as blank. */
sm_status sm_csv_parse(const char *file, const char *text, size_t len, sm_csv **out,
                       sm_diag *d);

void sm_csv_free(sm_csv **t);

/* Index of the column named name, or -1. */
int sm_csv_column(const sm_csv *t, const char *name);

static inline const char *sm_csv_cell(const sm_csv *t, size_t row, size_t col)
{
    return t->cells[row * t->ncols + col];
}

#endif
