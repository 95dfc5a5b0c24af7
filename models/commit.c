/* Commitments and the LP's bounds and costs (see commit.h). */
#include "commit.h"

#include <math.h>
#include <stdlib.h>

#include "params.h"

double sm_commit_delivered_fee(const sm_model *m, const sm_inputs *in, int o)
{
    return in->fees_on_delivery ? m->offers[o].fee : 0.0;
}

double sm_commit_ub(const sm_model *m, const sm_inputs *policy, int o, int t)
{
    /* The same product as Part 1's bound before availability, so that
     * min(k_ub, cap_s) is cap_s exactly when nothing else moved. */
    return sm_inputs_capacity(m, policy, o, t);
}

void sm_commit_policy_inputs(const sm_model *m, const sm_sweep *sw, const double *values,
                             sm_inputs *in)
{
    sm_inputs_reset(m, in);
    for (int k = 0; sw && k < sw->n_params; k++)
        if (sw->params[k].axis == SM_AXIS_GRID)
            sm_params_apply(m, &sw->params[k].target, &values[k], 1, in);
}

void sm_commit_bound_foresight_offer(const sm_model *m, const sm_layout *L,
                                     const sm_inputs *policy, int o, sm_coeffs *c)
{
    if (m->offers[o].terms != SM_TERMS_CONTRACT)
        return;
    for (int t = 0; t < L->T; t++) {
        int j = sm_col_x(L, o, t);
        double kub = sm_commit_ub(m, policy, o, t);
        if (kub < c->col_ub[j])
            c->col_ub[j] = kub;
    }
}

void sm_commit_bound_foresight(const sm_model *m, const sm_layout *L, const sm_inputs *policy,
                               sm_coeffs *c)
{
    for (int o = 0; o < m->n_offers; o++)
        sm_commit_bound_foresight_offer(m, L, policy, o, c);
}

void sm_commit_bound(const sm_model *m, const sm_layout *L, const double *k, sm_coeffs *c)
{
    for (int o = 0; o < m->n_offers; o++) {
        if (m->offers[o].terms != SM_TERMS_CONTRACT)
            continue;
        for (int t = 0; t < L->T; t++) {
            int j = sm_col_x(L, o, t);
            double kk = k[o * L->T + t];
            if (kk < c->col_ub[j])
                c->col_ub[j] = kk;
        }
    }
}

void sm_stage1_free(sm_stage1 **ps)
{
    sm_stage1 *s = ps ? *ps : NULL;
    if (!s)
        return;
    free(s->offer);
    free(s->period);
    free(s->ub);
    free(s->fee);
    free(s->row_start);
    free(s->row_var);
    free(s->row_lb);
    free(s->row_ub);
    free(s);
    *ps = NULL;
}

static int commit_in_row(const sm_model *m, const sm_limit *lim, int mat, int o)
{
    const sm_offer *of = &m->offers[o];
    return of->terms == SM_TERMS_CONTRACT && of->material == mat &&
           lim->in_region[m->suppliers[of->supplier].region];
}

/* The first-stage rows: for each commitment limit, covered material and
 * period with at least one contract offer in its group. */
static sm_status build_rows(const sm_model *m, const sm_inputs *policy, sm_stage1 *s,
                            sm_diag *d)
{
    int T = s->T;
    size_t max_rows = (size_t)m->n_commit_limits * (size_t)m->n_materials * (size_t)T;
    s->row_start = malloc((max_rows + 1) * sizeof(int));
    s->row_var = malloc(((size_t)m->n_commit_limits * (size_t)s->nk + 1) * sizeof(int));
    s->row_lb = malloc((max_rows + 1) * sizeof(double));
    s->row_ub = malloc((max_rows + 1) * sizeof(double));
    if (!s->row_start || !s->row_var || !s->row_lb || !s->row_ub)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    int n = 0, nv = 0;
    s->row_start[0] = 0;
    for (int k = 0; k < m->n_commit_limits; k++) {
        const sm_limit *lim = &m->commit_limits[k];
        for (int mat = 0; mat < m->n_materials; mat++) {
            if (!lim->in_material[mat])
                continue;
            for (int t = 0; t < T; t++) {
                int first = nv;
                for (int j = 0; j < s->nk; j++)
                    if (s->period[j] == t && commit_in_row(m, lim, mat, s->offer[j]))
                        s->row_var[nv++] = j;
                if (nv == first)
                    continue; /* nothing to commit: the row says nothing */
                double v = lim->share * sm_inputs_demand(m, policy, mat, t);
                s->row_lb[n] = lim->kind == SM_LIMIT_CAP ? -HUGE_VAL : v;
                s->row_ub[n] = lim->kind == SM_LIMIT_CAP ? v : HUGE_VAL;
                s->row_start[++n] = nv;
            }
        }
    }
    s->n_rows = n;
    return SM_OK;
}

sm_status sm_stage1_build(const sm_model *m, const sm_inputs *policy, sm_stage1 **out,
                          sm_diag *d)
{
    sm_status st = SM_OK;
    int T = m->n_periods;
    sm_stage1 *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    s->T = T;
    size_t nk = (size_t)m->n_contracts * (size_t)T + 1;
    s->offer = malloc(nk * sizeof(int));
    s->period = malloc(nk * sizeof(int));
    s->ub = malloc(nk * sizeof(double));
    s->fee = malloc(nk * sizeof(double));
    if (!s->offer || !s->period || !s->ub || !s->fee)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    for (int o = 0; o < m->n_offers; o++) {
        if (m->offers[o].terms != SM_TERMS_CONTRACT)
            continue;
        for (int t = 0; t < T; t++, s->nk++) {
            s->offer[s->nk] = o;
            s->period[s->nk] = t;
            s->ub[s->nk] = sm_commit_ub(m, policy, o, t);
            /* Paid for the tonnes of period t: a present value like c. */
            s->fee[s->nk] = sm_inputs_discount(m, policy, t) * m->offers[o].fee;
        }
    }
    SM_TRY(build_rows(m, policy, s, d));
    *out = s;
    s = NULL;
done:
    sm_stage1_free(&s);
    return st;
}

void sm_stage1_expand(const sm_stage1 *s, int n_offers, const double *k, double *full)
{
    for (size_t i = 0; i < (size_t)n_offers * (size_t)s->T; i++)
        full[i] = 0.0;
    for (int j = 0; j < s->nk; j++)
        full[s->offer[j] * s->T + s->period[j]] = k[j];
}

double sm_stage1_fees(const sm_stage1 *s, const double *k)
{
    double sum = 0.0;
    for (int j = 0; j < s->nk; j++)
        sum += s->fee[j] * k[j];
    return sum;
}
