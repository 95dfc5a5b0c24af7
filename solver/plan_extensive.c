/* The extensive form of one policy's plan (see plan.h). Columns: k, then
 * every future's layout columns; rows: the first-stage rows, then per
 * future its layout rows and the links x_s[o,t] − k[o,t] <= 0 of its
 * contract columns. The objective is fee·k + sum_s (1/S) c_s·x_s. */
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

sm_status sm_plan_extensive(const sm_problem *p, const sm_sweep *sw, size_t g, sm_lp **out,
                            sm_diag *d)
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
    size_t rows = (size_t)s1->n_rows + S * ((size_t)L->n_rows + nk);
    size_t cols = nk + S * (size_t)L->n_cols;
    size_t nnz = (size_t)s1->row_start[s1->n_rows] + S * ((size_t)L->nnz + 2 * nk);
    if (nnz > SM_EXTENSIVE_MAX_NNZ)
        SM_TRY(sm_diag_error(d, sw->file, 0, 0,
                             "the extensive form of a policy with %zu futures would have %zu "
                             "nonzeros, above the %d this command writes; use fewer samples",
                             S, nnz, SM_EXTENSIVE_MAX_NNZ));
    SM_TRY(ext_alloc(&e, rows, cols, nnz, d));
    first_stage(s1, &e);
    for (size_t s = 0; s < S; s++) {
        sm_scenario_inputs(p, sw, g + s * sw->grid_size, values, in);
        in->fees_on_delivery = 0;
        sm_coeffs_compute(m, L, in, c);
        future_block(L, s1, c, 1.0 / (double)S,
                     s1->n_rows + (int)(s * ((size_t)L->n_rows + nk)),
                     (int)(nk + s * (size_t)L->n_cols), &e);
    }
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
