/* Diagnostics: the messages a call leaves for its caller, each with the
 * input file, line and column it is about, so a user can fix every
 * problem of an input in one pass. */
#ifndef SM_DIAG_H
#define SM_DIAG_H

#include <stddef.h>
#include <stdio.h>

#include "status.h"

typedef enum sm_diag_level { SM_DIAG_ERROR, SM_DIAG_WARNING } sm_diag_level;

typedef struct sm_diag_entry {
    sm_diag_level level;
    char *file;  /* NULL when the message is about no file */
    int line;    /* 1-based; 0 when unknown */
    int col;     /* 1-based; 0 when unknown */
    char *text;
} sm_diag_entry;

typedef struct sm_diag {
    sm_diag_entry *entries;
    size_t count, capacity;
    size_t errors, warnings;
    size_t dropped;   /* messages beyond the cap, counted but not kept */
} sm_diag;

/* The cap on kept messages: a broken million-line file yields a readable
 * report and bounded memory. */
#define SM_DIAG_MAX_ENTRIES 200

void sm_diag_init(sm_diag *d);
void sm_diag_clear(sm_diag *d);

/* Record an error about FILE:LINE:COL; returns SM_EINPUT so a loader can
 * `return sm_diag_error(...)`. file may be NULL, line and col 0. */
sm_status sm_diag_error(sm_diag *d, const char *file, int line, int col,
                        const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

void sm_diag_warning(sm_diag *d, const char *file, int line, int col,
                     const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Record a failure that is not about input (I/O, memory, solver) and
 * return the status given. */
sm_status sm_diag_fail(sm_diag *d, sm_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record a failure about a file that is not the file's fault as input
 * (it cannot be written, the disk is full, ...) and return the status
 * given, which carries the exit code (status.h). */
sm_status sm_diag_fail_at(sm_diag *d, sm_status st, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A field of an input file as a message may quote it: at most
 * SM_EXCERPT_CHARS characters, cut at a character boundary and ended with
 * "..." when longer, control characters shown as '?'. Quoting through this
 * means a file that is not what it was named as (a key file given as a
 * table) never shows more than a short cut of its offending field. buf
 * needs SM_EXCERPT_SIZE bytes; returns buf. */
#define SM_EXCERPT_CHARS 32
#define SM_EXCERPT_SIZE (4 * SM_EXCERPT_CHARS + 4)
const char *sm_excerpt(char *buf, const char *s);

/* Print every message as `file:line:col: error: text`, one per line. */
void sm_diag_print(const sm_diag *d, FILE *out);

/* Move the messages of src to the end of dst, leaving src empty. */
void sm_diag_take(sm_diag *dst, sm_diag *src);

#endif
