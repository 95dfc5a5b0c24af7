/* Directional savings and share ranges of the limits (see ranging.h). */
#include "ranging.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct sm_ranger {
    const sm_model *m;
    const sm_layout *L;
    sm_coeffs *c;      /* the scenario's numbers with one limit moved */
    sm_basis *basis;   /* the optimal basis, restored after each re-solve */
    int *rows;         /* one limit's rows, and the tonnes each moves per unit share */
    double *dir;
};

sm_ranger *sm_ranger_new(const sm_model *m, const sm_layout *L)
{
    sm_ranger *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->m = m;
    r->L = L;
    r->c = sm_coeffs_new(L);
    r->basis = sm_basis_new(L->n_rows, L->n_cols);
    r->rows = malloc(((size_t)L->n_materials * (size_t)L->T + 1) * sizeof *r->rows);
    r->dir = malloc(((size_t)L->n_materials * (size_t)L->T + 1) * sizeof *r->dir);
    if (!r->c || !r->basis || !r->rows || !r->dir)
        sm_ranger_free(&r);
    return r;
}

void sm_ranger_free(sm_ranger **pr)
{
    sm_ranger *r = pr ? *pr : NULL;
    if (!r)
        return;
    sm_coeffs_free(&r->c);
    sm_basis_free(&r->basis);
    free(r->rows);
    free(r->dir);
    free(r);
    *pr = NULL;
}

static void copy_coeffs(sm_coeffs *to, const sm_coeffs *from)
{
    size_t nc = (size_t)from->n_cols, nr = (size_t)from->n_rows;
    memcpy(to->col_lb, from->col_lb, nc * sizeof *to->col_lb);
    memcpy(to->col_ub, from->col_ub, nc * sizeof *to->col_ub);
    memcpy(to->obj, from->obj, nc * sizeof *to->obj);
    memcpy(to->row_lb, from->row_lb, nr * sizeof *to->row_lb);
    memcpy(to->row_ub, from->row_ub, nr * sizeof *to->row_ub);
    to->obj_const = from->obj_const;
}

/* The optimum with limit k at share, warm from the saved basis; +inf when
 * infeasible or not solved to optimality. */
static sm_status optimum_at(sm_ranger *r, sm_lp *lp, const sm_inputs *in, int k, double share,
                            double *obj)
{
    sm_coeffs_limit_share(r->m, r->L, in, k, share, r->c);
    sm_lp_load(lp, r->c);
    sm_lp_set_basis(lp, r->basis);
    sm_solve_info info;
    sm_status st = sm_lp_solve(lp, 1, &info);
    *obj = info.status == SM_SCEN_OPTIMAL ? sm_lp_objective(lp) : HUGE_VAL;
    return st;
}

/* Limit k's share interval: the ratio test along its rows. */
static sm_status share_range(sm_ranger *r, sm_lp *lp, const sm_inputs *in, int k,
                             double *lo, double *hi, sm_diag *d)
{
    const sm_layout *L = r->L;
    int n = 0;
    for (int mat = 0; mat < L->n_materials; mat++)
        for (int t = 0; t < L->T; t++)
            if (sm_row_lim(L, k, mat, t) >= 0) {
                r->rows[n] = sm_row_lim(L, k, mat, t);
                r->dir[n++] = sm_inputs_demand(r->m, in, mat, t);
            }
    double dlo, dhi;
    sm_status st = sm_lp_rhs_range(lp, n, r->rows, r->dir, &dlo, &dhi, d);
    *lo = fmax(0.0, in->share[k] + dlo);
    *hi = in->share[k] + dhi;
    return st;
}

sm_status sm_ranging_limits(sm_ranger *r, sm_lp *lp, const sm_inputs *in, const sm_coeffs *c,
                            double *up, double *down, double *lo, double *hi, sm_diag *d)
{
    sm_status st = SM_OK;
    double c0 = sm_lp_objective(lp);
    for (int k = 0; k < r->m->n_limits; k++)
        SM_TRY(share_range(r, lp, in, k, &lo[k], &hi[k], d));
    sm_lp_get_basis(lp, r->basis);
    copy_coeffs(r->c, c);
    for (int k = 0; k < r->m->n_limits; k++) {
        double above, below;
        if (optimum_at(r, lp, in, k, in->share[k] + 0.01, &above) != SM_OK ||
            optimum_at(r, lp, in, k, in->share[k] - 0.01, &below) != SM_OK)
            return sm_diag_fail(d, SM_ESOLVER, "GLPK failed re-solving limit '%s' at its share "
                                               "+-1 point", r->m->limits[k].name);
        up[k] = c0 - above;
        down[k] = below - c0;
        sm_coeffs_limit_share(r->m, r->L, in, k, in->share[k], r->c);
    }
    sm_lp_load(lp, c);
    sm_lp_set_basis(lp, r->basis);
done:
    return st;
}
