/* The extensive form of one policy's plan (see plan.h). Columns: k, then
 * every future's layout columns; rows: the first-stage rows, then per
 * future its layout rows and the links x_s[o,t] − k[o,t] <= 0 of its
 * contract columns. The objective is fee·k + sum_s (1/S) c_s·x_s; under
 * risk (lambda > 0) fee·k + (1 − lambda) sum_s (1/S) c_s·x_s + lambda (eta
 * + sum_s (1/S) u_s / (1 − alpha)) with columns eta (free) and u_s >= 0
 * after the futures' and rows u_s − c_s·x_s + eta >= 0 at the end, the
 * master's Rockafellar-Uryasev terms (plan_lshaped.c) over the futures'
 * own costs. */
#include "plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct ext {
    double *row_lb, *row_ub, *col_lb, *col_ub, *obj, *ar;
    int *ia, *ja;
    int nnz;
} ext;

static void ext_free(ext *e)
{
    free(e->row_lb);
    free(e->row_ub);
    free(e->col_lb);
    free(e->col_ub);
    free(e->obj);
    free(e->ar);
    free(e->ia);
    free(e->ja);
}

static void entry(ext *e, int row, int col, double v)
{
    e->nnz++;
    e->ia[e->nnz] = row + 1;
    e->ja[e->nnz] = col + 1;
    e->ar[e->nnz] = v;
}

static void first_stage(const sm_stage1 *s1, ext *e)
{
    for (int j = 0; j < s1->nk; j++) {
        e->col_lb[j] = 0.0;
        e->col_ub[j] = s1->ub[j];
        e->obj[j] = s1->fee[j];
    }
    for (int i = 0; i < s1->n_rows; i++) {
        e->row_lb[i] = s1->row_lb[i];
        e->row_ub[i] = s1->row_ub[i];
        for (int a = s1->row_start[i]; a < s1->row_start[i + 1]; a++)
            entry(e, i, s1->row_var[a], 1.0);
    }
}

/* Future s's block at rows r0.., columns c0.., numbers c. */
static void future_block(const sm_layout *L, const sm_stage1 *s1, const sm_coeffs *c, double p,
                         int r0, int c0, ext *e)
{
    for (int j = 0; j < L->n_cols; j++) {
        e->col_lb[c0 + j] = c->col_lb[j];
        e->col_ub[c0 + j] = c->col_ub[j];
        e->obj[c0 + j] = p * c->obj[j];
    }
    for (int i = 0; i < L->n_rows; i++) {
        e->row_lb[r0 + i] = c->row_lb[i];
        e->row_ub[r0 + i] = c->row_ub[i];
    }
    for (int a = 1; a <= L->nnz; a++)
        entry(e, r0 + L->ia[a] - 1, c0 + L->ja[a] - 1, L->ar[a]);
    for (int j = 0; j < s1->nk; j++) {
        int r = r0 + L->n_rows + j;
        e->row_lb[r] = -HUGE_VAL;
        e->row_ub[r] = 0.0;
        entry(e, r, c0 + sm_col_x(L, s1->offer[j], s1->period[j]), 1.0);
        entry(e, r, j, -1.0);
    }
}

static sm_status ext_alloc(ext *e, size_t rows, size_t cols, size_t nnz, sm_diag *d)
{
    memset(e, 0, sizeof *e);
    e->row_lb = malloc((rows + 1) * sizeof(double));
    e->row_ub = malloc((rows + 1) * sizeof(double));
    e->col_lb = malloc((cols + 1) * sizeof(double));
    e->col_ub = malloc((cols + 1) * sizeof(double));
    e->obj = malloc((cols + 1) * sizeof(double));
    e->ar = malloc((nnz + 1) * sizeof(double));
    e->ia = malloc((nnz + 1) * sizeof(int));
    e->ja = malloc((nnz + 1) * sizeof(int));
    if (!e->row_lb || !e->row_ub || !e->col_lb || !e->col_ub || !e->obj || !e->ar || !e->ia ||
        !e->ja)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory building the extensive form");
    return SM_OK;
}

/* Future s's risk row u_s − c_s·x_s + eta >= 0 (row r, x from column
 * c0, eta at column eta). */
static void risk_row(const sm_layout *L, const sm_coeffs *c, int r, int c0, int eta, size_t s,
                     ext *e)
{
    e->row_lb[r] = 0.0;
    e->row_ub[r] = HUGE_VAL;
    entry(e, r, eta + 1 + (int)s, 1.0);
    for (int j = 0; j < L->n_cols; j++)
        if (c->obj[j] != 0.0)
            entry(e, r, c0 + j, -c->obj[j]);
    entry(e, r, eta, 1.0);
}

static void risk_cols(const sm_plan_opts *o, size_t S, int eta, ext *e)
{
    e->col_lb[eta] = -HUGE_VAL;
    e->col_ub[eta] = HUGE_VAL;
    e->obj[eta] = o->risk_weight;
    for (size_t s = 0; s < S; s++) {
        e->col_lb[eta + 1 + (int)s] = 0.0;
        e->col_ub[eta + 1 + (int)s] = HUGE_VAL;
        e->obj[eta + 1 + (int)s] = o->risk_weight / ((double)S * (1.0 - o->cvar_alpha));
    }
}

sm_status sm_plan_extensive(const sm_problem *p, const sm_sweep *sw, size_t g,
                            const sm_plan_opts *o, sm_lp **out, sm_diag *d)
{
    sm_status st = SM_OK;
    const sm_model *m = p->model;
    const sm_layout *L = p->layout;
    sm_stage1 *s1 = NULL;
    sm_inputs *in = sm_inputs_new(m);
    sm_coeffs *c = sm_coeffs_new(L);
    double *values = malloc(((size_t)sw->n_params + 1) * sizeof *values);
    ext e;
    memset(&e, 0, sizeof e);
    *out = NULL;
    if (!in || !c || !values)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    sm_sweep_values(sw, g, values);
    sm_commit_policy_inputs(m, sw, values, in);
    SM_TRY(sm_stage1_build(m, in, &s1, d));
    size_t S = sw->samples, nk = (size_t)s1->nk;
    int risk = o && o->risk_weight > 0.0;
    size_t rows = (size_t)s1->n_rows + S * ((size_t)L->n_rows + nk) + (risk ? S : 0);
    size_t cols = nk + S * (size_t)L->n_cols + (risk ? S + 1 : 0);
    size_t nnz = (size_t)s1->row_start[s1->n_rows] + S * ((size_t)L->nnz + 2 * nk);
    if (risk) /* at most: a risk row holds the future's costs that are not 0 */
        nnz += S * ((size_t)L->n_cols + 2);
    if (nnz > SM_EXTENSIVE_MAX_NNZ)
        SM_TRY(sm_diag_error(d, sw->file, 0, 0,
                             "the extensive form of a policy with %zu futures would have %s%zu "
                             "nonzeros, above the %d this command writes; use fewer samples",
                             S, risk ? "up to " : "", nnz, SM_EXTENSIVE_MAX_NNZ));
    SM_TRY(ext_alloc(&e, rows, cols, nnz, d));
    first_stage(s1, &e);
    for (size_t s = 0; s < S; s++) {
        sm_scenario_inputs(p, sw, g + s * sw->grid_size, values, in);
        in->fees_on_delivery = 0;
        sm_coeffs_compute(m, L, in, c);
        int c0 = (int)(nk + s * (size_t)L->n_cols);
        future_block(L, s1, c, (1.0 - (risk ? o->risk_weight : 0.0)) / (double)S,
                     s1->n_rows + (int)(s * ((size_t)L->n_rows + nk)), c0, &e);
        if (risk)
            risk_row(L, c, (int)(rows - S + s), c0, (int)(cols - S - 1), s, &e);
    }
    if (risk)
        risk_cols(o, S, (int)(cols - S - 1), &e);
    sm_lp_data data = {(int)rows, (int)cols, e.nnz, e.row_lb, e.row_ub, e.col_lb, e.col_ub,
                       e.obj, e.ia, e.ja, e.ar};
    SM_TRY(sm_lp_new_data(out, &data, d));
done:
    ext_free(&e);
    sm_stage1_free(&s1);
    sm_inputs_free(&in);
    sm_coeffs_free(&c);
    free(values);
    return st;
}
