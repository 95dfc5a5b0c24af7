/* Structure of the LP (see lp_layout.h). */
#include "lp_layout.h"

#include <stdio.h>
#include <stdlib.h>

void sm_layout_free(sm_layout **pL)
{
    sm_layout *L = pL ? *pL : NULL;
    if (!L)
        return;
    free(L->lim_row);
    free(L->row_limit);
    free(L->ia);
    free(L->ja);
    free(L->ar);
    free(L);
    *pL = NULL;
}

/* Rows: balance rows first, then one row per limit, covered material and
 * period (lim_row maps those to row numbers, -1 where a limit does not
 * cover a material; row_limit maps back). Returns 0 when out of memory. */
static int layout_rows(const sm_model *m, sm_layout *L)
{
    int T = L->T, M = L->n_materials, K = L->n_limits;
    size_t nlim = (size_t)(K ? K : 1) * (size_t)M * (size_t)T;
    L->lim_row = malloc(nlim * sizeof *L->lim_row);
    if (!L->lim_row)
        return 0;
    int row = L->lim0;
    for (int k = 0; k < K; k++)
        for (int mat = 0; mat < M; mat++)
            for (int t = 0; t < T; t++)
                L->lim_row[((size_t)k * (size_t)M + (size_t)mat) * (size_t)T + (size_t)t] =
                    m->limits[k].in_material[mat] ? row++ : -1;
    L->n_rows = row;
    L->row_limit = malloc((size_t)L->n_rows * sizeof *L->row_limit);
    if (!L->row_limit)
        return 0;
    for (int r = 0; r < L->lim0; r++)
        L->row_limit[r] = -1;
    for (int k = 0; k < K; k++)
        for (int mat = 0; mat < M; mat++)
            for (int t = 0; t < T; t++) {
                int r = sm_row_lim(L, k, mat, t);
                if (r >= 0)
                    L->row_limit[r] = k;
            }
    return 1;
}

/* Does limit k count offer o's purchases? */
static int limit_covers(const sm_model *m, int k, int o)
{
    int reg = m->suppliers[m->offers[o].supplier].region;
    return m->limits[k].in_material[m->offers[o].material] && m->limits[k].in_region[reg];
}

/* Nonzeros: each x in its balance row and in every limit row of its
 * (material, period) whose group holds the supplier's region; each s in
 * its own balance row and the next one; each q in its balance row. */
static size_t layout_nnz(const sm_model *m, const sm_layout *L)
{
    int T = L->T, M = L->n_materials;
    size_t nnz = 0;
    for (int o = 0; o < L->n_offers; o++) {
        size_t per = 1;
        for (int k = 0; k < L->n_limits; k++)
            per += (size_t)limit_covers(m, k, o);
        nnz += per * (size_t)T;
    }
    return nnz + (size_t)M * (size_t)(2 * T - 1) + (size_t)M * (size_t)T;
}

/* The matrix in GLPK's 1-based triplets; returns how many were written. */
static size_t layout_matrix(const sm_model *m, sm_layout *L)
{
    int T = L->T, M = L->n_materials;
    size_t k1 = 1;
#define PUT(r, c, v) (L->ia[k1] = (r) + 1, L->ja[k1] = (c) + 1, L->ar[k1] = (v), k1++)
    for (int o = 0; o < L->n_offers; o++) {
        int mat = m->offers[o].material;
        for (int t = 0; t < T; t++) {
            PUT(sm_row_bal(L, mat, t), sm_col_x(L, o, t), 1.0);
            for (int k = 0; k < L->n_limits; k++)
                if (limit_covers(m, k, o))
                    PUT(sm_row_lim(L, k, mat, t), sm_col_x(L, o, t), 1.0);
        }
    }
    for (int mat = 0; mat < M; mat++)
        for (int t = 0; t < T; t++) {
            PUT(sm_row_bal(L, mat, t), sm_col_s(L, mat, t), -1.0);
            if (t + 1 < T)
                PUT(sm_row_bal(L, mat, t + 1), sm_col_s(L, mat, t), 1.0);
            PUT(sm_row_bal(L, mat, t), sm_col_q(L, mat, t), 1.0);
        }
#undef PUT
    return k1 - 1;
}

sm_status sm_layout_build(const sm_model *m, sm_layout **out, sm_diag *d)
{
    *out = NULL;
    sm_layout *L = calloc(1, sizeof *L);
    if (!L)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory building the LP layout");
    int T = m->n_periods, M = m->n_materials, O = m->n_offers;
    L->T = T;
    L->n_offers = O;
    L->n_materials = M;
    L->n_limits = m->n_limits;
    L->x0 = 0;
    L->s0 = O * T;
    L->q0 = L->s0 + M * T;
    L->n_cols = L->q0 + M * T;
    L->lim0 = M * T;
    if (!layout_rows(m, L))
        goto nomem;
    size_t nnz = layout_nnz(m, L);
    L->ia = malloc((nnz + 1) * sizeof *L->ia);
    L->ja = malloc((nnz + 1) * sizeof *L->ja);
    L->ar = malloc((nnz + 1) * sizeof *L->ar);
    if (!L->ia || !L->ja || !L->ar)
        goto nomem;
    size_t built = layout_matrix(m, L);
    L->nnz = (int)built;
    if (built != nnz) {
        sm_layout_free(&L);
        return sm_diag_fail(d, SM_EINTERNAL, "LP layout: %zu nonzeros expected, %zu built",
                            nnz, built);
    }
    *out = L;
    return SM_OK;
nomem:
    sm_layout_free(&L);
    return sm_diag_fail(d, SM_ENOMEM, "out of memory building the LP layout");
}

void sm_layout_col_name(const sm_model *m, const sm_layout *L, int col, char *buf, size_t size)
{
    if (col < L->s0) {
        const sm_offer *o = &m->offers[col / L->T];
        snprintf(buf, size, "x(%s,%s,%d)", m->suppliers[o->supplier].name,
                 m->materials[o->material].name, col % L->T + 1);
    } else if (col < L->q0) {
        int c = col - L->s0;
        snprintf(buf, size, "s(%s,%d)", m->materials[c / L->T].name, c % L->T + 1);
    } else {
        int c = col - L->q0;
        snprintf(buf, size, "q(%s,%d)", m->materials[c / L->T].name, c % L->T + 1);
    }
}

void sm_layout_row_name(const sm_model *m, const sm_layout *L, int row, char *buf, size_t size)
{
    if (row < L->lim0) {
        snprintf(buf, size, "bal(%s,%d)", m->materials[row / L->T].name, row % L->T + 1);
        return;
    }
    int k = L->row_limit[row];
    for (int mat = 0; mat < L->n_materials; mat++)
        for (int t = 0; t < L->T; t++)
            if (sm_row_lim(L, k, mat, t) == row) {
                snprintf(buf, size, "%s(%s,%d)", m->limits[k].name, m->materials[mat].name,
                         t + 1);
                return;
            }
    snprintf(buf, size, "r%d", row + 1);
}
