/* Commitments and the LP's bounds and costs (see commit.h). */
#include "commit.h"

#include "params.h"

double sm_commit_delivered_fee(const sm_model *m, const sm_inputs *in, int o)
{
    return in->fees_on_delivery ? m->offers[o].fee : 0.0;
}

double sm_commit_ub(const sm_model *m, const sm_inputs *policy, int o, int t)
{
    const sm_offer *of = &m->offers[o];
    int u = of->supplier;
    /* The same product as Part 1's bound before availability, so that
     * min(k_ub, cap_s) is cap_s exactly when nothing else moved. */
    double cap = of->capacity * policy->cap_mult[o];
    return cap * sm_ramp_factor(sm_inputs_start(m, policy, u), m->suppliers[u].ramp_periods,
                                t + 1);
}

void sm_commit_policy_inputs(const sm_model *m, const sm_sweep *sw, const double *values,
                             sm_inputs *in)
{
    sm_inputs_reset(m, in);
    for (int k = 0; sw && k < sw->n_params; k++)
        if (sw->params[k].axis == SM_AXIS_GRID)
            sm_params_apply(m, &sw->params[k].target, &values[k], 1, in);
}

void sm_commit_bound_foresight(const sm_model *m, const sm_layout *L, const sm_inputs *policy,
                               sm_coeffs *c)
{
    for (int o = 0; o < m->n_offers; o++) {
        if (m->offers[o].terms != SM_TERMS_CONTRACT)
            continue;
        for (int t = 0; t < L->T; t++) {
            int j = sm_col_x(L, o, t);
            double kub = sm_commit_ub(m, policy, o, t);
            if (kub < c->col_ub[j])
                c->col_ub[j] = kub;
        }
    }
}

void sm_commit_recourse(const sm_model *m, const sm_layout *L, sm_inputs *in, const double *k,
                        sm_coeffs *c)
{
    in->fees_on_delivery = 0;
    for (int o = 0; o < m->n_offers; o++) {
        if (m->offers[o].terms != SM_TERMS_CONTRACT)
            continue;
        double cost = sm_inputs_unit_cost(m, in, o).total;
        for (int t = 0; t < L->T; t++) {
            int j = sm_col_x(L, o, t);
            double kk = k[o * L->T + t];
            if (kk < c->col_ub[j])
                c->col_ub[j] = kk;
            c->obj[j] = cost;
        }
    }
}
