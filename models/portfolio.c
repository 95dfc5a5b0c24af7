/* A given portfolio and what it does to a scenario (see portfolio.h). */
#include "portfolio.h"

#include <stdlib.h>
#include <string.h>

#include "commit.h"

sm_portfolio *sm_portfolio_new(const sm_model *m, size_t n_policies)
{
    sm_portfolio *pf = calloc(1, sizeof *pf);
    if (!pf)
        return NULL;
    pf->n_policies = n_policies;
    pf->n_offers = m->n_offers;
    pf->T = m->n_periods;
    pf->policy = -1;
    size_t per = (size_t)m->n_offers * (size_t)m->n_periods;
    pf->k = calloc(n_policies * per + 1, sizeof *pf->k);
    pf->fees = calloc(n_policies + 1, sizeof *pf->fees);
    pf->line = calloc(per + 1, sizeof *pf->line);
    if (!pf->k || !pf->fees || !pf->line)
        sm_portfolio_free(&pf);
    return pf;
}

void sm_portfolio_free(sm_portfolio **ppf)
{
    sm_portfolio *pf = ppf ? *ppf : NULL;
    if (!pf)
        return;
    free(pf->k);
    free(pf->fees);
    free(pf->line);
    free(pf->file);
    free(pf->text);
    free(pf->commitment);
    free(pf);
    *ppf = NULL;
}

size_t sm_portfolio_policy_of(const sm_portfolio *pf, const sm_sweep *sw, size_t i)
{
    return pf->n_policies == 1 ? 0 : i % sw->grid_size;
}

/* Where entry (o, t) of policy p was given, for a message. */
static sm_status too_much(const sm_model *m, const sm_portfolio *pf, size_t p, size_t g, int o,
                          int t, double k, double kub, sm_diag *d)
{
    char period[32];
    const sm_offer *of = &m->offers[o];
    const char *u = m->suppliers[of->supplier].name, *mat = m->materials[of->material].name;
    sm_period_label(m, t + 1, period, sizeof period);
    if (pf->text)
        return sm_diag_error(d, pf->file, pf->line[o * pf->T + t], 0,
                             "tonnes: %g t of %s %s in %s is above what can be committed, "
                             "k_ub = %g t (capacity x ramp of grid point %zu's data)",
                             k, u, mat, period, kub, g);
    return sm_diag_error(d, pf->file, 0, 0,
                         "commitment[policy %zu, %s, %s, %s]: %g t is above what can be "
                         "committed, k_ub = %g t (capacity x ramp of grid point %zu's data)",
                         p, u, mat, period, k, kub, g);
}

sm_status sm_portfolio_check(const sm_model *m, const sm_sweep *sw, sm_portfolio *pf,
                             sm_diag *d)
{
    sm_status st = SM_OK;
    sm_inputs *in = sm_inputs_new(m);
    double *values = malloc(((size_t)sw->n_params + 1) * sizeof *values);
    if (!in || !values)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    size_t per = (size_t)pf->n_offers * (size_t)pf->T;
    for (size_t g = 0; g < sw->grid_size; g++) {
        size_t p = sm_portfolio_policy_of(pf, sw, g);
        const double *k = &pf->k[p * per];
        sm_sweep_values(sw, g, values);
        sm_commit_policy_inputs(m, sw, values, in);
        for (int o = 0; o < m->n_offers; o++)
            for (int t = 0; m->offers[o].terms == SM_TERMS_CONTRACT && t < pf->T; t++) {
                double kub = sm_commit_ub(m, in, o, t), kk = k[o * pf->T + t];
                /* A plan's k* sits on its bound up to the master's rounding. */
                if (kk > kub * (1 + 1e-9) + 1e-9)
                    st = too_much(m, pf, p, g, o, t, kk, kub, d);
            }
        if (st != SM_OK && pf->n_policies == 1)
            break; /* the same entries again at the next grid point */
    }
    /* Present values at the model's discount rate, as a plan's fees. */
    sm_inputs_reset(m, in);
    for (size_t p = 0; p < pf->n_policies; p++) {
        pf->fees[p] = 0.0;
        for (int o = 0; o < m->n_offers; o++)
            for (int t = 0; m->offers[o].terms == SM_TERMS_CONTRACT && t < pf->T; t++)
                pf->fees[p] += sm_inputs_discount(m, in, t) * m->offers[o].fee *
                               pf->k[p * per + (size_t)(o * pf->T + t)];
    }
done:
    sm_inputs_free(&in);
    free(values);
    return st;
}

void sm_portfolio_coeffs(const sm_model *m, const sm_layout *L, const sm_portfolio *pf,
                         size_t policy, sm_inputs *in, sm_coeffs *c)
{
    in->fees_on_delivery = 0;
    in->commitment_fees = pf->fees[policy];
    sm_coeffs_compute(m, L, in, c);
    sm_commit_bound(m, L, &pf->k[policy * (size_t)pf->n_offers * (size_t)pf->T], c);
}
