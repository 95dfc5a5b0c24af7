/* Typed, positioned reads from a YAML tree (see yaml_read.h). */
#include "yaml_read.h"

#include <stdio.h>
#include <string.h>

#include "../core/parse.h"

static int want_scalar(const sm_yread *r, const sm_ynode *n, const char *where,
                       const char *what)
{
    if (n->kind == SM_YSCALAR && !sm_ynode_is_null(n))
        return 1;
    sm_diag_error(r->d, r->file, n->line, n->col, "%s: expected %s, found %s", where,
                  what, sm_ynode_kind_name(n));
    return 0;
}

int sm_yread_double(const sm_yread *r, const sm_ynode *n, const char *where,
                    double lo, double hi, double *out)
{
    if (!n)
        return 1;
    if (!want_scalar(r, n, where, "a number"))
        return 0;
    double v;
    sm_parse_result pr = sm_parse_double(n->text, &v);
    if (pr != SM_PARSE_OK) {
        sm_diag_error(r->d, r->file, n->line, n->col, "%s: expected a number, '%s' %s",
                      where, sm_excerpt((char[SM_EXCERPT_SIZE]){0}, n->text),
                      sm_parse_problem(pr));
        return 0;
    }
    if (v < lo || v > hi) {
        sm_diag_error(r->d, r->file, n->line, n->col,
                      "%s: %g is out of range, expected a value in [%g, %g]", where, v,
                      lo, hi);
        return 0;
    }
    *out = v;
    return 1;
}

int sm_yread_int(const sm_yread *r, const sm_ynode *n, const char *where, int lo,
                 int hi, int *out)
{
    if (!n)
        return 1;
    if (!want_scalar(r, n, where, "a whole number"))
        return 0;
    int v;
    sm_parse_result pr = sm_parse_int(n->text, &v);
    if (pr != SM_PARSE_OK) {
        sm_diag_error(r->d, r->file, n->line, n->col,
                      "%s: expected a whole number, '%s' %s", where,
                      sm_excerpt((char[SM_EXCERPT_SIZE]){0}, n->text),
                      sm_parse_problem(pr));
        return 0;
    }
    if (v < lo || v > hi) {
        sm_diag_error(r->d, r->file, n->line, n->col,
                      "%s: %d is out of range, expected %d..%d", where, v, lo, hi);
        return 0;
    }
    *out = v;
    return 1;
}

int sm_yread_name(const sm_yread *r, const sm_ynode *n, const char *where,
                  const char **out)
{
    if (!n)
        return 1;
    if (!want_scalar(r, n, where, "a name"))
        return 0;
    if (!sm_is_name(n->text)) {
        sm_diag_error(r->d, r->file, n->line, n->col,
                      "%s: '%s' is not a valid name (a letter, then letters, digits "
                      "or '_', at most %d characters)",
                      where, sm_excerpt((char[SM_EXCERPT_SIZE]){0}, n->text), SM_NAME_MAX);
        return 0;
    }
    *out = n->text;
    return 1;
}

int sm_yread_string(const sm_yread *r, const sm_ynode *n, const char *where,
                    const char **out)
{
    if (!n)
        return 1;
    if (!want_scalar(r, n, where, "text"))
        return 0;
    *out = n->text;
    return 1;
}

int sm_yread_kind(const sm_yread *r, const sm_ynode *n, const char *where,
                  sm_ynode_kind kind)
{
    if (n && n->kind == kind)
        return 1;
    const char *want = kind == SM_YMAP ? "a mapping (key: value lines)"
                     : kind == SM_YSEQ ? "a list" : "a single value";
    if (n)
        sm_diag_error(r->d, r->file, n->line, n->col, "%s: expected %s, found %s",
                      where, want, sm_ynode_kind_name(n));
    else
        sm_diag_error(r->d, r->file, 1, 1, "%s: expected %s, found nothing", where, want);
    return 0;
}

const sm_ynode *sm_yread_required(const sm_yread *r, const sm_ynode *map,
                                  const char *key, const char *where)
{
    const sm_ynode *v = sm_ymap_get(map, key);
    if (v)
        return v;
    sm_diag_error(r->d, r->file, map ? map->line : 1, map ? map->col : 1,
                  "%s: required key '%s' is missing", where && *where ? where : "top level",
                  key);
    return NULL;
}

int sm_yread_known_keys(const sm_yread *r, const sm_ynode *map, const char *where,
                        const char *const *allowed)
{
    int unknown = 0;
    for (size_t i = 0; i < map->count; i++) {
        const sm_ynode *k = map->items[2 * i];
        if (k->kind != SM_YSCALAR)
            continue;
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, k->text) == 0)
                ok = 1;
        if (ok)
            continue;
        char list[512] = "";
        size_t used = 0;
        for (const char *const *a = allowed; *a && used < sizeof list; a++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                     a == allowed ? "" : ", ", *a);
        sm_diag_error(r->d, r->file, k->line, k->col,
                      "%s: unknown key '%s' (expected one of: %s)",
                      where && *where ? where : "top level",
                      sm_excerpt((char[SM_EXCERPT_SIZE]){0}, k->text), list);
        unknown++;
    }
    return unknown;
}

const char *sm_ypath(char *buf, size_t size, const char *prefix, const char *key)
{
    if (prefix && *prefix)
        snprintf(buf, size, "%s.%s", prefix, key);
    else
        snprintf(buf, size, "%s", key);
    return buf;
}
