/* A decomposition's checkpoint as named arrays (see plan_checkpoint.h). */
#include "plan_checkpoint.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t sm_ckpt_type_size(char type)
{
    return type == 'd' ? sizeof(double) : type == 'i' ? sizeof(int32_t) : 1;
}

sm_status sm_ckpt_add(sm_plan_checkpoint *c, const char *name, char type, size_t n,
                      const void *data, sm_diag *d)
{
    sm_plan_array *a = realloc(c->arrays, ((size_t)c->n_arrays + 1) * sizeof *a);
    if (!a)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory taking a checkpoint");
    c->arrays = a;
    a = &c->arrays[c->n_arrays];
    memset(a, 0, sizeof *a);
    snprintf(a->name, sizeof a->name, "%s", name);
    a->type = type;
    a->n = n;
    /* One element more: an empty array still has data to point at. */
    a->data = malloc((n + 1) * sm_ckpt_type_size(type));
    if (!a->data)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory taking a checkpoint");
    if (n && data)
        memcpy(a->data, data, n * sm_ckpt_type_size(type));
    c->n_arrays++;
    return SM_OK;
}

sm_status sm_ckpt_copy(sm_plan_checkpoint *dst, const sm_plan_checkpoint *src, sm_diag *d)
{
    sm_plan_checkpoint_free(dst);
    for (int i = 0; i < src->n_arrays; i++) {
        const sm_plan_array *a = &src->arrays[i];
        sm_status st = sm_ckpt_add(dst, a->name, a->type, a->n, a->data, d);
        if (st != SM_OK)
            return st;
    }
    return SM_OK;
}

int sm_ckpt_ended(const sm_plan_checkpoint *c)
{
    const int32_t *counts;
    sm_diag quiet;
    sm_diag_init(&quiet);
    int ended = sm_ckpt_get(c, "result_counts", 'i', SIZE_MAX, (const void **)&counts, NULL,
                            &quiet) == SM_OK && counts[0] != 0;
    sm_diag_clear(&quiet);
    return ended;
}

sm_status sm_ckpt_get(const sm_plan_checkpoint *c, const char *name, char type, size_t want,
                      const void **data, size_t *n, sm_diag *d)
{
    for (int i = 0; i < c->n_arrays; i++) {
        const sm_plan_array *a = &c->arrays[i];
        if (strcmp(a->name, name) != 0)
            continue;
        if (a->type != type)
            return sm_diag_error(d, NULL, 0, 0,
                                 "the plan's resume data does not fit this plan: %s is of "
                                 "type '%c', expected '%c'", name, a->type, type);
        if (want != SIZE_MAX && a->n != want)
            return sm_diag_error(d, NULL, 0, 0,
                                 "the plan's resume data does not fit this plan: %s has %zu "
                                 "element(s), expected %zu", name, a->n, want);
        *data = a->data;
        if (n)
            *n = a->n;
        return SM_OK;
    }
    return sm_diag_error(d, NULL, 0, 0, "the plan's resume data has no %s", name);
}

/* Columns, then rows as CSR, then scale factors and basis statuses. */
sm_status sm_ckpt_save_master(const sm_lp *lp, sm_plan_checkpoint *c, sm_diag *d)
{
    sm_status st = SM_OK;
    size_t nr = (size_t)sm_lp_rows(lp), nc = (size_t)sm_lp_cols(lp);
    size_t nnz = (size_t)sm_lp_nonzeros(lp);
    double *cd = malloc((4 * nc + 4 * nr + nnz + 2) * sizeof *cd);
    int32_t *start = malloc((nr + nnz + 2) * sizeof *start);
    int *cols = malloc((nc + 2) * sizeof *cols);
    double *vals = malloc((nc + 2) * sizeof *vals);
    uint8_t *stat = malloc(nr + nc + 1);
    sm_basis *b = sm_basis_new((int)nr, (int)nc);
    if (!cd || !start || !cols || !vals || !stat || !b)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory taking a checkpoint"));
    double *clb = cd, *cub = clb + nc, *cobj = cub + nc, *cs = cobj + nc;
    double *rlb = cs + nc, *rub = rlb + nr, *rs = rub + nr, *val = rs + nr;
    int32_t *rcol = start + nr + 1;
    for (size_t j = 0; j < nc; j++)
        sm_lp_get_col(lp, (int)j, &clb[j], &cub[j], &cobj[j]);
    start[0] = 0;
    for (size_t i = 0; i < nr; i++) {
        int len;
        sm_lp_get_row(lp, (int)i, &len, cols, vals, &rlb[i], &rub[i]);
        for (int a = 0; a < len; a++) {
            rcol[start[i] + a] = cols[a];
            val[start[i] + a] = vals[a];
        }
        start[i + 1] = start[i] + len;
    }
    sm_lp_get_scale(lp, rs, cs);
    sm_lp_get_basis(lp, b);
    for (size_t i = 0; i < nr; i++)
        stat[i] = (uint8_t)b->row_stat[i + 1];
    for (size_t j = 0; j < nc; j++)
        stat[nr + j] = (uint8_t)b->col_stat[j + 1];
    SM_TRY(sm_ckpt_add(c, "master_col_lb", 'd', nc, clb, d));
    SM_TRY(sm_ckpt_add(c, "master_col_ub", 'd', nc, cub, d));
    SM_TRY(sm_ckpt_add(c, "master_col_cost", 'd', nc, cobj, d));
    SM_TRY(sm_ckpt_add(c, "master_col_scale", 'd', nc, cs, d));
    SM_TRY(sm_ckpt_add(c, "master_row_lb", 'd', nr, rlb, d));
    SM_TRY(sm_ckpt_add(c, "master_row_ub", 'd', nr, rub, d));
    SM_TRY(sm_ckpt_add(c, "master_row_scale", 'd', nr, rs, d));
    SM_TRY(sm_ckpt_add(c, "master_row_start", 'i', nr + 1, start, d));
    SM_TRY(sm_ckpt_add(c, "master_row_col", 'i', (size_t)start[nr], rcol, d));
    SM_TRY(sm_ckpt_add(c, "master_row_value", 'd', (size_t)start[nr], val, d));
    SM_TRY(sm_ckpt_add(c, "master_basis", 'b', nr + nc, stat, d));
done:
    free(cd);
    free(start);
    free(cols);
    free(vals);
    free(stat);
    sm_basis_free(&b);
    return st;
}

/* The master's arrays, read and checked against each other. */
typedef struct master_arrays {
    const double *clb, *cub, *cobj, *cs, *rlb, *rub, *rs, *val;
    const int32_t *start, *rcol;
    const uint8_t *stat;
    size_t nc, nr;
} master_arrays;

static sm_status master_arrays_get(const sm_plan_checkpoint *c, master_arrays *m, sm_diag *d)
{
    sm_status st = SM_OK;
    const void *p;
    size_t nnz;
    SM_TRY(sm_ckpt_get(c, "master_col_lb", 'd', SIZE_MAX, &p, &m->nc, d));
    m->clb = p;
    SM_TRY(sm_ckpt_get(c, "master_row_lb", 'd', SIZE_MAX, &p, &m->nr, d));
    m->rlb = p;
    SM_TRY(sm_ckpt_get(c, "master_col_ub", 'd', m->nc, (const void **)&m->cub, NULL, d));
    SM_TRY(sm_ckpt_get(c, "master_col_cost", 'd', m->nc, (const void **)&m->cobj, NULL, d));
    SM_TRY(sm_ckpt_get(c, "master_col_scale", 'd', m->nc, (const void **)&m->cs, NULL, d));
    SM_TRY(sm_ckpt_get(c, "master_row_ub", 'd', m->nr, (const void **)&m->rub, NULL, d));
    SM_TRY(sm_ckpt_get(c, "master_row_scale", 'd', m->nr, (const void **)&m->rs, NULL, d));
    SM_TRY(sm_ckpt_get(c, "master_row_start", 'i', m->nr + 1, (const void **)&m->start, NULL,
                       d));
    SM_TRY(sm_ckpt_get(c, "master_row_col", 'i', SIZE_MAX, (const void **)&m->rcol, &nnz, d));
    SM_TRY(sm_ckpt_get(c, "master_row_value", 'd', nnz, (const void **)&m->val, NULL, d));
    SM_TRY(sm_ckpt_get(c, "master_basis", 'b', m->nr + m->nc, (const void **)&m->stat, NULL,
                       d));
    for (size_t i = 0; i < m->nr; i++)
        if (m->start[i] < 0 || m->start[i] > m->start[i + 1] || (size_t)m->start[i + 1] > nnz)
            SM_TRY(sm_diag_error(d, NULL, 0, 0, "the plan's resume data is damaged "
                                                "(master_row_start)"));
    for (size_t a = 0; a < nnz; a++)
        if (m->rcol[a] < 0 || (size_t)m->rcol[a] >= m->nc)
            SM_TRY(sm_diag_error(d, NULL, 0, 0, "the plan's resume data is damaged "
                                                "(master_row_col)"));
done:
    return st;
}

sm_status sm_ckpt_load_master(const sm_plan_checkpoint *c, const sm_lp_opts *o, sm_lp **out,
                              sm_diag *d)
{
    sm_status st = SM_OK;
    master_arrays m;
    sm_basis *b = NULL;
    int *cols = NULL;
    *out = NULL;
    SM_TRY(master_arrays_get(c, &m, d));
    cols = malloc((m.nc + 1) * sizeof *cols);
    b = sm_basis_new((int)m.nr, (int)m.nc);
    if (!cols || !b)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory resuming a plan"));
    SM_TRY(sm_lp_new_cols(out, (int)m.nc, m.clb, m.cub, m.cobj, o, d));
    for (size_t i = 0; i < m.nr; i++) {
        int a = m.start[i], len = m.start[i + 1] - a;
        for (int e = 0; e < len; e++)
            cols[e] = m.rcol[a + e];
        SM_TRY(sm_lp_add_row(*out, len, cols, &m.val[a], m.rlb[i], m.rub[i], d));
    }
    /* Scale before the basis: the factorization uses the scaled matrix. */
    sm_lp_set_scale(*out, m.rs, m.cs);
    for (size_t i = 0; i < m.nr; i++)
        b->row_stat[i + 1] = m.stat[i];
    for (size_t j = 0; j < m.nc; j++)
        b->col_stat[j + 1] = m.stat[m.nr + j];
    sm_lp_set_basis(*out, b);
done:
    if (st != SM_OK)
        sm_lp_free(out);
    sm_basis_free(&b);
    free(cols);
    return st;
}

enum { R_STOP, R_ITERATIONS, R_INFEASIBLE, R_FIRST_INFEASIBLE, R_N };

sm_status sm_ckpt_save_result(const sm_plan_result *r, size_t n, int nk, sm_plan_checkpoint *c,
                              sm_diag *d)
{
    sm_status st = SM_OK;
    size_t it = (size_t)r->iterations;
    double b[3] = {r->lb, r->ub, r->gap};
    int32_t counts[R_N] = {(int32_t)r->stop, r->iterations, (int32_t)r->infeasible,
                           (int32_t)r->first_infeasible};
    double *h = malloc((4 * it + 1) * sizeof *h);
    int32_t *cuts = malloc((2 * it + 1) * sizeof *cuts), *feas = cuts + it;
    if (!h || !cuts)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory taking a checkpoint"));
    if (r->infeasible > INT32_MAX || r->first_infeasible > INT32_MAX)
        SM_TRY(sm_diag_fail(d, SM_EINTERNAL, "too many futures for a checkpoint"));
    for (size_t i = 0; i < it; i++) {
        const sm_plan_iter *e = &r->hist[i];
        h[4 * i] = e->lb, h[4 * i + 1] = e->ub, h[4 * i + 2] = e->gap, h[4 * i + 3] = e->seconds;
        cuts[i] = e->cuts;
        feas[i] = e->feasibility_cuts;
    }
    SM_TRY(sm_ckpt_add(c, "result_bounds", 'd', 3, b, d));
    SM_TRY(sm_ckpt_add(c, "result_counts", 'i', R_N, counts, d));
    SM_TRY(sm_ckpt_add(c, "incumbent_k", 'd', (size_t)nk, r->k, d));
    SM_TRY(sm_ckpt_add(c, "incumbent_q", 'd', n, r->q, d));
    SM_TRY(sm_ckpt_add(c, "incumbent_status", 'b', n, r->status, d));
    SM_TRY(sm_ckpt_add(c, "history", 'd', 4 * it, h, d));
    SM_TRY(sm_ckpt_add(c, "history_cuts", 'i', it, cuts, d));
    SM_TRY(sm_ckpt_add(c, "history_feasibility_cuts", 'i', it, feas, d));
    SM_TRY(sm_ckpt_add(c, "message", 'b', strlen(r->message), r->message, d));
done:
    free(h);
    free(cuts);
    return st;
}

/* The history's feasibility cuts; NULL (not recorded) in a checkpoint
 * of a supplymix from before they were. */
static const int32_t *feasibility_cuts(const sm_plan_checkpoint *c, size_t it)
{
    const void *p = NULL;
    sm_diag quiet;
    sm_diag_init(&quiet);
    if (sm_ckpt_get(c, "history_feasibility_cuts", 'i', it, &p, NULL, &quiet) != SM_OK)
        p = NULL;
    sm_diag_clear(&quiet);
    return p;
}

sm_status sm_ckpt_load_result(const sm_plan_checkpoint *c, size_t n, int nk, int max_hist,
                              sm_plan_result *r, sm_diag *d)
{
    sm_status st = SM_OK;
    const double *b, *h, *k, *q;
    const int32_t *counts, *cuts, *feas;
    const uint8_t *status, *msg;
    size_t len;
    SM_TRY(sm_ckpt_get(c, "result_bounds", 'd', 3, (const void **)&b, NULL, d));
    SM_TRY(sm_ckpt_get(c, "result_counts", 'i', R_N, (const void **)&counts, NULL, d));
    int it = counts[R_ITERATIONS];
    if (it < 0 || it > max_hist || counts[R_STOP] < 0 || counts[R_STOP] >= SM_PLAN_N_STOP ||
        counts[R_STOP] == SM_PLAN_INTERRUPTED)
        SM_TRY(sm_diag_error(d, NULL, 0, 0, "the plan's resume data is damaged (result_counts)"));
    SM_TRY(sm_ckpt_get(c, "incumbent_k", 'd', (size_t)nk, (const void **)&k, NULL, d));
    SM_TRY(sm_ckpt_get(c, "incumbent_q", 'd', n, (const void **)&q, NULL, d));
    SM_TRY(sm_ckpt_get(c, "incumbent_status", 'b', n, (const void **)&status, NULL, d));
    SM_TRY(sm_ckpt_get(c, "history", 'd', 4 * (size_t)it, (const void **)&h, NULL, d));
    SM_TRY(sm_ckpt_get(c, "history_cuts", 'i', (size_t)it, (const void **)&cuts, NULL, d));
    SM_TRY(sm_ckpt_get(c, "message", 'b', SIZE_MAX, (const void **)&msg, &len, d));
    feas = feasibility_cuts(c, (size_t)it);
    r->lb = b[0], r->ub = b[1], r->gap = b[2];
    r->stop = (sm_plan_stop)counts[R_STOP];
    r->iterations = it;
    r->infeasible = (size_t)counts[R_INFEASIBLE];
    r->first_infeasible = (size_t)counts[R_FIRST_INFEASIBLE];
    memcpy(r->k, k, (size_t)nk * sizeof *k);
    memcpy(r->q, q, n * sizeof *q);
    memcpy(r->status, status, n);
    for (int i = 0; i < it; i++)
        r->hist[i] = (sm_plan_iter){h[4 * i], h[4 * i + 1], h[4 * i + 2], h[4 * i + 3], cuts[i],
                                    feas ? feas[i] : -1};
    len = len < sizeof r->message ? len : sizeof r->message - 1;
    memcpy(r->message, msg, len);
    r->message[len] = '\0';
done:
    return st;
}
