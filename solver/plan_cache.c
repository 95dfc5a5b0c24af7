/* A future's numbers as a sparse difference from the base case (see
 * plan_cache.h): a scenario moves the numbers of a few offers and
 * materials, so a future costs 12 bytes per number it moves rather than
 * 8·(3 columns + 2 rows + 1) bytes for all of them (bench/README.md,
 * "Plans, session 21"). */
#include "plan_cache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct moved {
    uint32_t n;     /* entries */
    uint32_t *at;   /* index into the numbers laid end to end (below) */
    double *value;
} moved;

struct sm_coeff_cache {
    const sm_coeffs *ref;
    size_t n, budget, bytes;
    moved **held;   /* [n], NULL: not held */
};

/* The numbers of c end to end: col_lb, col_ub, obj, row_lb, row_ub, then
 * obj_const; *len their count. */
static void parts(const sm_coeffs *c, double *p[5], size_t len[5])
{
    p[0] = c->col_lb, p[1] = c->col_ub, p[2] = c->obj, p[3] = c->row_lb, p[4] = c->row_ub;
    len[0] = len[1] = len[2] = (size_t)c->n_cols;
    len[3] = len[4] = (size_t)c->n_rows;
}

sm_coeff_cache *sm_coeff_cache_new(const sm_coeffs *ref, size_t n, size_t budget)
{
    sm_coeff_cache *cc = calloc(1, sizeof *cc);
    if (!cc || !(cc->held = calloc(n + 1, sizeof *cc->held))) {
        free(cc);
        return NULL;
    }
    cc->ref = ref;
    cc->n = n;
    cc->budget = budget;
    return cc;
}

void sm_coeff_cache_free(sm_coeff_cache **pcc)
{
    sm_coeff_cache *cc = pcc ? *pcc : NULL;
    if (!cc)
        return;
    for (size_t s = 0; s < cc->n; s++) {
        if (cc->held[s]) {
            free(cc->held[s]->at);
            free(cc->held[s]->value);
            free(cc->held[s]);
        }
    }
    free(cc->held);
    free(cc);
    *pcc = NULL;
}

int sm_coeff_cache_get(const sm_coeff_cache *cc, size_t s, sm_coeffs *c)
{
    const moved *m = cc && s < cc->n ? cc->held[s] : NULL;
    if (!m)
        return 0;
    double *to[5], *from[5];
    size_t len[5];
    parts(c, to, len);
    parts(cc->ref, from, len);
    size_t start[6] = {0};
    for (int i = 0; i < 5; i++) {
        memcpy(to[i], from[i], len[i] * sizeof(double));
        start[i + 1] = start[i] + len[i];
    }
    c->obj_const = cc->ref->obj_const;
    int i = 0; /* the entries are in index order */
    for (uint32_t e = 0; e < m->n; e++) {
        size_t at = m->at[e];
        while (i < 5 && at >= start[i + 1])
            i++;
        if (i == 5)
            c->obj_const = m->value[e];
        else
            to[i][at - start[i]] = m->value[e];
    }
    return 1;
}

/* Where c differs from ref, bit for bit (a -0.0 or a NaN is kept). */
static size_t differences(const sm_coeffs *ref, const sm_coeffs *c, uint32_t *at, double *value)
{
    double *a[5], *b[5];
    size_t len[5], n = 0, base = 0;
    parts(ref, a, len);
    parts(c, b, len);
    for (int i = 0; i < 5; base += len[i], i++)
        for (size_t j = 0; j < len[i]; j++)
            if (memcmp(&a[i][j], &b[i][j], sizeof(double)) != 0) {
                if (at)
                    at[n] = (uint32_t)(base + j), value[n] = b[i][j];
                n++;
            }
    if (memcmp(&ref->obj_const, &c->obj_const, sizeof(double)) != 0) {
        if (at)
            at[n] = (uint32_t)base, value[n] = c->obj_const;
        n++;
    }
    return n;
}

static int reserve(sm_coeff_cache *cc, size_t bytes)
{
    size_t now;
#pragma omp atomic capture
    now = cc->bytes += bytes;
    if (now <= cc->budget)
        return 1;
#pragma omp atomic
    cc->bytes -= bytes;
    return 0;
}

void sm_coeff_cache_put(sm_coeff_cache *cc, size_t s, const sm_coeffs *c)
{
    if (!cc || s >= cc->n || cc->held[s])
        return;
    size_t n = differences(cc->ref, c, NULL, NULL);
    size_t bytes = sizeof(moved) + n * (sizeof(uint32_t) + sizeof(double));
    if (!reserve(cc, bytes))
        return;
    moved *m = calloc(1, sizeof *m);
    if (m) {
        m->at = malloc((n + 1) * sizeof *m->at);
        m->value = malloc((n + 1) * sizeof *m->value);
    }
    if (!m || !m->at || !m->value) {
        if (m) {
            free(m->at);
            free(m->value);
        }
        free(m);
#pragma omp atomic
        cc->bytes -= bytes;
        return;
    }
    m->n = (uint32_t)differences(cc->ref, c, m->at, m->value);
    cc->held[s] = m;
}

size_t sm_coeff_cache_bytes(const sm_coeff_cache *cc)
{
    return cc ? cc->bytes : 0;
}
