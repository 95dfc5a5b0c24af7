/* Strict CSV tables over libcsv (see csv_table.h).
 *
 * libcsv reports fields and row ends but not positions, so the text is fed
 * one line at a time: every callback then knows the line it is on. */
#include "csv_table.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "../core/parse.h"

typedef struct reader {
    const char *file;
    sm_diag *d;
    sm_csv *t;
    int line;            /* the line being fed */
    int row_line;        /* the line the current row started on */
    int row_candidate;   /* the line a row starting now would start on */
    int last_row_end;    /* the line the previous row ended on */
    char **row;          /* fields of the current row */
    size_t nfields;
    int fatal;           /* stop parsing: a limit or memory failure */
    int bad_rows;        /* rows rejected for their field count */
    size_t rows_cap;
} reader;

static void free_row(reader *r)
{
    for (size_t i = 0; i < r->nfields; i++)
        free(r->row[i]);
    r->nfields = 0;
}

static void on_field(void *data, size_t len, void *ctx)
{
    reader *r = ctx;
    if (r->fatal)
        return;
    if (r->nfields == 0)
        r->row_line = r->row_candidate;
    if (len > SM_CSV_MAX_FIELD) {
        sm_diag_error(r->d, r->file, r->line, 0,
                      "field %zu is %zu bytes long, more than the limit of %d",
                      r->nfields + 1, len, SM_CSV_MAX_FIELD);
        r->fatal = 1;
        return;
    }
    if (r->nfields >= SM_CSV_MAX_COLS) {
        sm_diag_error(r->d, r->file, r->line, 0, "more than %d fields in a row",
                      SM_CSV_MAX_COLS);
        r->fatal = 1;
        return;
    }
    char *s = malloc(len + 1);
    if (!s) {
        sm_diag_fail(r->d, SM_ENOMEM, "%s: out of memory", r->file);
        r->fatal = 1;
        return;
    }
    if (len)
        memcpy(s, data, len);
    s[len] = '\0';
    r->row[r->nfields++] = s;
}

static int row_is_blank(const reader *r)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (r->row[i][0])
            return 0;
    return 1;
}

static void on_row_end(int c, void *ctx)
{
    (void)c;
    reader *r = ctx;
    r->last_row_end = r->line;
    if (r->fatal) {
        free_row(r);
        return;
    }
    sm_csv *t = r->t;
    if (row_is_blank(r)) {
        free_row(r);
        return;
    }
    if (!t->header) {
        t->header = malloc(r->nfields * sizeof *t->header);
        if (!t->header) {
            sm_diag_fail(r->d, SM_ENOMEM, "%s: out of memory", r->file);
            r->fatal = 1;
            free_row(r);
            return;
        }
        t->ncols = r->nfields;
        t->header_line = r->row_line;
        memcpy(t->header, r->row, r->nfields * sizeof *t->header);
        r->nfields = 0;
        return;
    }
    if (r->nfields != t->ncols) {
        sm_diag_error(r->d, r->file, r->row_line, 0,
                      "%zu fields, expected %zu as in the header at line %d%s", r->nfields,
                      t->ncols, t->header_line,
                      r->nfields > t->ncols ? " (an extra comma, or text that needs quotes?)"
                                            : " (a missing value?)");
        r->bad_rows++;
        free_row(r);
        return;
    }
    if (t->nrows >= SM_CSV_MAX_ROWS) {
        sm_diag_error(r->d, r->file, r->row_line, 0, "more than %d rows", SM_CSV_MAX_ROWS);
        r->fatal = 1;
        free_row(r);
        return;
    }
    if (t->nrows == r->rows_cap) {
        size_t nc = r->rows_cap ? 2 * r->rows_cap : 64;
        char **cells = realloc(t->cells, nc * t->ncols * sizeof *cells);
        int *lines = realloc(t->row_line, nc * sizeof *lines);
        if (cells)
            t->cells = cells;
        if (lines)
            t->row_line = lines;
        if (!cells || !lines) {
            sm_diag_fail(r->d, SM_ENOMEM, "%s: out of memory", r->file);
            r->fatal = 1;
            free_row(r);
            return;
        }
        r->rows_cap = nc;
    }
    memcpy(t->cells + t->nrows * t->ncols, r->row, t->ncols * sizeof *t->cells);
    t->row_line[t->nrows] = r->row_line;
    t->nrows++;
    r->nfields = 0;
}

void sm_csv_free(sm_csv **pt)
{
    sm_csv *t = pt ? *pt : NULL;
    if (!t)
        return;
    for (size_t i = 0; i < t->ncols && t->header; i++)
        free(t->header[i]);
    free(t->header);
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->row_line);
    free(t);
    *pt = NULL;
}

static int check_header(const reader *r)
{
    const sm_csv *t = r->t;
    int ok = 1;
    for (size_t i = 0; i < t->ncols; i++) {
        if (!t->header[i][0]) {
            sm_diag_error(r->d, r->file, t->header_line, 0, "column %zu has no name", i + 1);
            ok = 0;
            continue;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(t->header[i], t->header[j]) == 0) {
                sm_diag_error(r->d, r->file, t->header_line, 0,
                              "column '%s' appears twice (columns %zu and %zu)",
                              sm_excerpt((char[SM_EXCERPT_SIZE]){0}, t->header[i]), j + 1,
                              i + 1);
                ok = 0;
            }
        }
    }
    return ok;
}

sm_status sm_csv_parse(const char *file, const char *text, size_t len, sm_csv **out,
                       sm_diag *d)
{
    *out = NULL;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    sm_csv *t = calloc(1, sizeof *t);
    char **row = malloc(SM_CSV_MAX_COLS * sizeof *row);
    if (!t || !row) {
        free(t);
        free(row);
        return sm_diag_fail(d, SM_ENOMEM, "%s: out of memory", file);
    }
    reader r = {.file = file, .d = d, .t = t, .row = row};
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        free(t);
        free(row);
        return sm_diag_fail(d, SM_ENOMEM, "%s: cannot start the CSV parser", file);
    }
    size_t errors_before = d->errors;
    size_t pos = 0;
    r.line = 0;
    while (pos < len && !r.fatal) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t chunk = nl ? (size_t)(nl - (text + pos)) + 1 : len - pos;
        r.line++;
        /* pstate 0 is libcsv's "no row begun": a row seen in this chunk
         * starts on this line (blank lines never begin one). */
        if (p.pstate == 0)
            r.row_candidate = r.line;
        size_t used = csv_parse(&p, text + pos, chunk, on_field, on_row_end, &r);
        if (used != chunk && !r.fatal) {
            sm_diag_error(d, file, r.line, (int)used + 1,
                          "malformed quoting: a '\"' inside an unquoted field, or text "
                          "after a closing quote (quote the whole field and double "
                          "inner quotes)");
            r.fatal = 1;
        }
        pos += chunk;
    }
    if (!r.fatal && csv_fini(&p, on_field, on_row_end, &r) != 0)
        sm_diag_error(d, file, r.row_candidate, 0,
                      "a quoted field in the row starting here is never closed (a "
                      "missing '\"')");
    csv_free(&p);
    free_row(&r);
    free(row);
    if (!r.fatal && !t->header && d->errors == errors_before)
        sm_diag_error(d, file, 1, 0, "the file is empty; expected a header row");
    if (t->header && !check_header(&r))
        r.fatal = 1;
    if (d->errors > errors_before) {
        sm_csv_free(&t);
        return SM_EINPUT;
    }
    *out = t;
    return SM_OK;
}

int sm_csv_column(const sm_csv *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->header[i], name) == 0)
            return (int)i;
    return -1;
}
