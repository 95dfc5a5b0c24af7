/* One future's two-stage problem (see plan.h, sm_plan_single). */
#include "plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"

typedef struct single {
    const sm_futures *F;
    const sm_stage1 *s1;
    double *k;            /* receives x of the contract columns */
    int optimal;
} single;

/* The future's numbers with a contract tonne costing fee + c and bounded
 * by k_ub: one commits exactly what one takes. */
static void foresight(const void *ctx, size_t s, double *values, sm_inputs *in, sm_coeffs *c)
{
    const single *one = ctx;
    const sm_layout *L = one->F->p->layout;
    one->F->coeffs(one->F->ctx, s, values, in, c);
    for (int j = 0; j < one->s1->nk; j++) {
        int col = sm_col_x(L, one->s1->offer[j], one->s1->period[j]);
        c->obj[col] += one->s1->fee[j];
        c->col_ub[col] = fmin(c->col_ub[col], one->s1->ub[j]);
    }
}

static void keep_x(void *ctx, size_t s, const sm_inputs *in, const double *x, const double *y,
                   const sm_solve_info *info)
{
    single *one = ctx;
    const sm_layout *L = one->F->p->layout;
    (void)s, (void)in, (void)y;
    one->optimal = info->status == SM_SCEN_OPTIMAL;
    for (int j = 0; one->optimal && j < one->s1->nk; j++)
        one->k[j] = fmin(fmax(x[sm_col_x(L, one->s1->offer[j], one->s1->period[j])], 0.0),
                         one->s1->ub[j]);
}

static sm_status one_lp(const sm_futures *F, const sm_stage1 *s1, const sm_plan_opts *o,
                        const sm_basis *base, sm_plan_result *r, sm_diag *d)
{
    sm_status st = SM_OK;
    sm_evaluator *ev = NULL;
    double t0 = sm_clock_s(), q = NAN;
    uint8_t status = 0;
    memset(r, 0, sizeof *r);
    r->k = calloc((size_t)s1->nk + 1, sizeof(double));
    r->q = calloc(2, sizeof(double));
    r->status = calloc(2, 1);
    r->hist = calloc(2, sizeof *r->hist);
    if (!r->k || !r->q || !r->status || !r->hist)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    single one = {F, s1, r->k, 0};
    sm_futures Ff = {F->p, 1, F->n_params, foresight, &one};
    sm_plan_opts o1 = *o;
    o1.threads = 1;
    SM_TRY(sm_evaluator_new(&Ff, s1, &o1, base, &ev, d));
    SM_TRY(sm_evaluate(ev, s1->ub, &q, &status, NULL, keep_x, &one, d));
    r->status[0] = status;
    if (!one.optimal) {
        r->stop = SM_PLAN_INFEASIBLE;
        r->lb = r->ub = r->gap = HUGE_VAL;
        snprintf(r->message, sizeof r->message, "the future is %s even with everything committed",
                 sm_scen_status_names[status]);
        goto done;
    }
    r->stop = SM_PLAN_GAP;
    r->fees = sm_stage1_fees(s1, r->k);
    r->lb = r->ub = q;
    r->q[0] = q - r->fees;
    r->gap = 0.0;
    r->iterations = 1;
    r->hist[0] = (sm_plan_iter){q, q, 0.0, sm_clock_s() - t0, 0, 0};
done:
    r->seconds = sm_clock_s() - t0;
    sm_evaluator_free(&ev);
    return st;
}

sm_status sm_plan_single(const sm_futures *F, const sm_stage1 *s1, const sm_plan_opts *o,
                         const sm_basis *base, sm_plan_result *r, sm_diag *d)
{
    if (s1->n_rows > 0)
        return sm_plan_solve(F, s1, o, base, r, d);
    return one_lp(F, s1, o, base, r, d);
}
