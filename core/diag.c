/* Diagnostics collected per call context (see diag.h). */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int sm_status_exit_code(sm_status st)
{
    switch (st) {
    case SM_OK: return 0;
    case SM_EINPUT:
    case SM_EUSAGE: return 2;
    case SM_EINTERRUPTED: return 3;
    case SM_EOUTPUT: return 4;
    default: return 1;
    }
}

void sm_diag_init(sm_diag *d)
{
    memset(d, 0, sizeof *d);
}

void sm_diag_clear(sm_diag *d)
{
    for (size_t i = 0; i < d->count; i++) {
        free(d->entries[i].file);
        free(d->entries[i].text);
    }
    free(d->entries);
    sm_diag_init(d);
}

__attribute__((format(printf, 1, 0))) static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

/* Out of memory while reporting: the count still tells the caller that
 * something failed, which is what decides the exit code. */
__attribute__((format(printf, 6, 0))) static void add(sm_diag *d, sm_diag_level level, const char *file, int line,
                int col, const char *fmt, va_list ap)
{
    if (level == SM_DIAG_ERROR)
        d->errors++;
    else
        d->warnings++;
    if (d->count >= SM_DIAG_MAX_ENTRIES) {
        d->dropped++;
        return;
    }
    if (d->count == d->capacity) {
        size_t cap = d->capacity ? 2 * d->capacity : 8;
        sm_diag_entry *e = realloc(d->entries, cap * sizeof *e);
        if (!e) {
            d->dropped++;
            return;
        }
        d->entries = e;
        d->capacity = cap;
    }
    sm_diag_entry *e = &d->entries[d->count];
    e->level = level;
    e->file = file ? strdup(file) : NULL;
    e->line = line;
    e->col = col;
    e->text = vformat(fmt, ap);
    d->count++;
}

sm_status sm_diag_error(sm_diag *d, const char *file, int line, int col,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(d, SM_DIAG_ERROR, file, line, col, fmt, ap);
    va_end(ap);
    return SM_EINPUT;
}

void sm_diag_warning(sm_diag *d, const char *file, int line, int col,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(d, SM_DIAG_WARNING, file, line, col, fmt, ap);
    va_end(ap);
}

sm_status sm_diag_fail(sm_diag *d, sm_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(d, SM_DIAG_ERROR, NULL, 0, 0, fmt, ap);
    va_end(ap);
    return st;
}

sm_status sm_diag_fail_at(sm_diag *d, sm_status st, const char *file, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(d, SM_DIAG_ERROR, file, 0, 0, fmt, ap);
    va_end(ap);
    return st;
}

void sm_diag_print(const sm_diag *d, FILE *out)
{
    for (size_t i = 0; i < d->count; i++) {
        const sm_diag_entry *e = &d->entries[i];
        const char *lvl = e->level == SM_DIAG_ERROR ? "error" : "warning";
        if (e->file && e->line > 0 && e->col > 0)
            fprintf(out, "%s:%d:%d: %s: ", e->file, e->line, e->col, lvl);
        else if (e->file && e->line > 0)
            fprintf(out, "%s:%d: %s: ", e->file, e->line, lvl);
        else if (e->file)
            fprintf(out, "%s: %s: ", e->file, lvl);
        else
            fprintf(out, "supplymix: %s: ", lvl);
        fprintf(out, "%s\n", e->text ? e->text : "(message lost: out of memory)");
    }
    if (d->dropped)
        fprintf(out, "supplymix: ... and %zu more messages not shown\n",
                d->dropped);
}

void sm_diag_take(sm_diag *dst, sm_diag *src)
{
    for (size_t i = 0; i < src->count; i++) {
        sm_diag_entry *e = &src->entries[i];
        if (e->level == SM_DIAG_ERROR)
            sm_diag_error(dst, e->file, e->line, e->col, "%s", e->text ? e->text : "");
        else
            sm_diag_warning(dst, e->file, e->line, e->col, "%s", e->text ? e->text : "");
    }
    dst->dropped += src->dropped;
    sm_diag_clear(src);
}

const char *sm_excerpt(char *buf, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t k = 0;
    int chars = 0;
    while (*p && chars < SM_EXCERPT_CHARS) {
        /* A UTF-8 lead byte starts a character; continuation bytes follow it. */
        size_t n = *p < 0x80 ? 1 : *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC0 ? 2 : 1;
        size_t i = 0;
        while (i < n && p[i] && (i == 0 || (p[i] & 0xC0) == 0x80))
            i++;
        int printable = n > 1 ? i == n : *p >= 0x20 && *p != 0x7F && *p < 0x80;
        if (printable) {
            memcpy(buf + k, p, i);
            k += i;
        } else {
            buf[k++] = '?';
        }
        p += i;
        chars++;
    }
    if (*p) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    buf[k] = '\0';
    return buf;
}
