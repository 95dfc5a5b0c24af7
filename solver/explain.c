/* The elastic LP of an infeasible scenario (see explain.h). */
#include "explain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct sm_explainer {
    const sm_model *m;
    const sm_layout *L;
    sm_lp_opts opts;
    sm_lp *lp;          /* NULL until the first sm_explain */
    sm_coeffs *c;       /* the scenario's numbers, costs zeroed, targets freed */
    int n_floor;        /* floor rows; their slacks are columns L->n_cols.. */
    int *floor_row;     /* [n_floor + M] rows given a slack: floors, then targets */
    int *floor_at;      /* [n_floor] the row's (limit, material, period), k·M·T + m·T + t */
    double *cost, *e;   /* [n_floor + M] slack costs and values */
    double *lb, *ub;    /* [M] target rows' bounds */
};

sm_explainer *sm_explainer_new(const sm_model *m, const sm_layout *L, const sm_lp_opts *opts)
{
    sm_explainer *ex = calloc(1, sizeof *ex);
    if (!ex)
        return NULL;
    ex->m = m;
    ex->L = L;
    if (opts)
        ex->opts = *opts;
    else
        sm_lp_opts_init(&ex->opts);
    /* GLPK's whatever the sweep's engine: the elastic LP adds rows and
     * columns, which only the GLPK engine does (with CLP chosen, the first
     * infeasible scenario crashed), and GLPK is the reference. */
    ex->opts.engine = SM_LP_GLPK;
    return ex;
}

void sm_explainer_forget(sm_explainer **pex)
{
    if (pex && *pex)
        sm_lp_forget(&(*pex)->lp);
    sm_explainer_free(pex);
}

void sm_explainer_free(sm_explainer **pex)
{
    sm_explainer *ex = pex ? *pex : NULL;
    if (!ex)
        return;
    sm_lp_free(&ex->lp);
    sm_coeffs_free(&ex->c);
    free(ex->floor_row);
    free(ex->floor_at);
    free(ex->cost);
    free(ex->e);
    free(ex->lb);
    free(ex->ub);
    free(ex);
    *pex = NULL;
}

/* The layout's LP, one target row per material, then a slack column on
 * each floor row and each target row. */
static sm_status build(sm_explainer *ex, const sm_coeffs *c, sm_diag *d)
{
    const sm_model *m = ex->m;
    const sm_layout *L = ex->L;
    int M = L->n_materials, T = L->T, nlim = L->n_rows - L->lim0;
    ex->c = sm_coeffs_new(L);
    ex->floor_row = malloc(((size_t)nlim + (size_t)M + 1) * sizeof *ex->floor_row);
    ex->floor_at = malloc(((size_t)nlim + 1) * sizeof *ex->floor_at);
    ex->cost = malloc(((size_t)nlim + (size_t)M + 1) * sizeof *ex->cost);
    ex->e = malloc(((size_t)nlim + (size_t)M + 1) * sizeof *ex->e);
    ex->lb = malloc(((size_t)M + 1) * sizeof *ex->lb);
    ex->ub = malloc(((size_t)M + 1) * sizeof *ex->ub);
    if (!ex->c || !ex->floor_row || !ex->floor_at || !ex->cost || !ex->e || !ex->lb || !ex->ub)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory for the elastic LP");
    ex->n_floor = 0;
    for (int k = 0; k < m->n_limits; k++)
        for (int mat = 0; mat < M && m->limits[k].kind == SM_LIMIT_FLOOR; mat++)
            for (int t = 0; t < T; t++)
                if (sm_row_lim(L, k, mat, t) >= 0) {
                    ex->floor_at[ex->n_floor] = (k * M + mat) * T + t;
                    ex->floor_row[ex->n_floor++] = sm_row_lim(L, k, mat, t);
                }
    sm_status st = sm_lp_new(&ex->lp, m, L, c, &ex->opts, d);
    for (int mat = 0; st == SM_OK && mat < M; mat++) {
        int col = sm_col_s(L, mat, T - 1);
        double one = 1.0;
        st = sm_lp_add_row(ex->lp, 1, &col, &one, 0.0, HUGE_VAL, d);
        ex->floor_row[ex->n_floor + mat] = L->n_rows + mat;
    }
    if (st == SM_OK)
        st = sm_lp_add_elastic(ex->lp, ex->n_floor + M, ex->floor_row, d);
    if (st != SM_OK)
        sm_lp_forget(&ex->lp);
    return st;
}

/* Load the scenario: no costs, targets as rows, slacks priced per point
 * of demand (floors) and per tonne (targets). */
static void load(sm_explainer *ex, const sm_inputs *in, const sm_coeffs *c)
{
    const sm_model *m = ex->m;
    const sm_layout *L = ex->L;
    int M = L->n_materials, T = L->T;
    sm_coeffs *z = ex->c;
    memcpy(z->col_lb, c->col_lb, (size_t)L->n_cols * sizeof *z->col_lb);
    memcpy(z->col_ub, c->col_ub, (size_t)L->n_cols * sizeof *z->col_ub);
    memcpy(z->row_lb, c->row_lb, (size_t)L->n_rows * sizeof *z->row_lb);
    memcpy(z->row_ub, c->row_ub, (size_t)L->n_rows * sizeof *z->row_ub);
    memset(z->obj, 0, (size_t)L->n_cols * sizeof *z->obj);
    z->obj_const = 0.0;
    for (int mat = 0; mat < M; mat++) {
        int js = sm_col_s(L, mat, T - 1);
        ex->lb[mat] = c->col_lb[js];
        ex->ub[mat] = HUGE_VAL;
        z->col_lb[js] = 0.0;
        ex->cost[ex->n_floor + mat] = 1.0;
    }
    for (int f = 0; f < ex->n_floor; f++) {
        int mat = ex->floor_at[f] / T % M, t = ex->floor_at[f] % T;
        double dem = sm_inputs_demand(m, in, mat, t);
        ex->cost[f] = dem > 0 ? 100.0 / dem : 100.0;
    }
    sm_lp_load(ex->lp, z);
    sm_lp_set_row_bounds(ex->lp, L->n_rows, M, ex->lb, ex->ub);
    sm_lp_set_costs(ex->lp, L->n_cols, ex->n_floor + M, ex->cost);
}

sm_status sm_explain(sm_explainer *ex, const sm_inputs *in, const sm_coeffs *c,
                     double *relax_limit, double *relax_stock, sm_solve_info *info, sm_diag *d)
{
    const sm_model *m = ex->m;
    const sm_layout *L = ex->L;
    int M = L->n_materials, T = L->T;
    size_t KMT = (size_t)m->n_limits * (size_t)M * (size_t)T;
    for (size_t a = 0; relax_limit && a < KMT; a++)
        relax_limit[a] = NAN;
    for (int mat = 0; mat < M; mat++)
        relax_stock[mat] = NAN;
    if (!ex->lp) {
        sm_status st = build(ex, c, d);
        if (st != SM_OK)
            return st;
    }
    load(ex, in, c);
    sm_status st = sm_lp_solve(ex->lp, 0, info);
    if (st != SM_OK) {
        sm_lp_forget(&ex->lp);   /* GLPK's environment is gone; rebuilt next time */
        return sm_lp_solve_failed(info, "the elastic LP", d);
    }
    if (info->status != SM_SCEN_OPTIMAL)
        return SM_OK;
    sm_lp_col_values(ex->lp, L->n_cols, ex->n_floor + M, ex->e);
    for (int k = 0; relax_limit && k < m->n_limits; k++)
        for (int mat = 0; mat < M; mat++)
            for (int t = 0; t < T; t++)
                if (sm_row_lim(L, k, mat, t) >= 0)
                    relax_limit[(k * M + mat) * T + t] = 0.0;
    for (int f = 0; relax_limit && f < ex->n_floor; f++) {
        int mat = ex->floor_at[f] / T % M, t = ex->floor_at[f] % T;
        double dem = sm_inputs_demand(m, in, mat, t);
        relax_limit[ex->floor_at[f]] = dem > 0 ? ex->e[f] / dem : 0.0;
    }
    for (int mat = 0; mat < M; mat++)
        relax_stock[mat] = ex->e[ex->n_floor + mat];
    return SM_OK;
}

sm_status sm_explain_write(sm_explainer *ex, const char *path, int lp_format, sm_diag *d)
{
    if (!ex->lp)
        return sm_diag_fail(d, SM_EINTERNAL, "no elastic LP has been built yet");
    return sm_lp_write(ex->lp, path, lp_format, d);
}
