/* The shared, read-only part of a run (see problem.h). */
#include "problem.h"

#include "commit.h"
#include "portfolio.h"

#include <stdlib.h>

sm_status sm_problem_new(const sm_model *m, sm_problem **out, sm_diag *d)
{
    sm_status st = SM_OK;
    *out = NULL;
    sm_problem *p = calloc(1, sizeof *p);
    if (!p)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    p->model = m;
    p->dims = sm_dims_of(m);
    SM_TRY(sm_layout_build(m, &p->layout, d));
    p->base_inputs = sm_inputs_new(m);
    p->base_coeffs = sm_coeffs_new(p->layout);
    if (!p->base_inputs || !p->base_coeffs)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    sm_coeffs_compute(m, p->layout, p->base_inputs, p->base_coeffs);
    *out = p;
    p = NULL;
done:
    sm_problem_free(&p);
    return st;
}

void sm_problem_free(sm_problem **pp)
{
    sm_problem *p = pp ? *pp : NULL;
    if (!p)
        return;
    sm_layout_free(&p->layout);
    sm_inputs_free(&p->base_inputs);
    sm_coeffs_free(&p->base_coeffs);
    free(p);
    *pp = NULL;
}

static void scenario_inputs(const sm_model *m, const sm_sweep *sw, const double *values,
                            sm_inputs *in)
{
    sm_inputs_reset(m, in);
    for (int k = 0; k < sw->n_params; k++)
        sm_params_apply(m, &sw->params[k].target, &values[k], 1, in);
}

void sm_scenario_inputs(const sm_problem *p, const sm_sweep *sw, size_t i, double *values,
                        sm_inputs *in)
{
    sm_sweep_values(sw, i, values);
    scenario_inputs(p->model, sw, values, in);
}

void sm_scenario_coeffs(const sm_problem *p, const sm_sweep *sw, size_t i, double *values,
                        sm_inputs *in, sm_coeffs *c)
{
    sm_sweep_values(sw, i, values);
    scenario_inputs(p->model, sw, values, in);
    if (p->portfolio) {
        sm_portfolio_coeffs(p->model, p->layout, p->portfolio,
                            sm_portfolio_policy_of(p->portfolio, sw, i), in, c);
        return;
    }
    sm_coeffs_compute(p->model, p->layout, in, c);
    if (p->model->n_contracts > 0) {
        /* Perfect foresight bounds a contract offer by what the policy
         * lets one commit (MODEL.md Part 2); in is the scenario's again
         * afterwards, as callers read it. */
        sm_commit_policy_inputs(p->model, sw, values, in);
        sm_commit_bound_foresight(p->model, p->layout, in, c);
        scenario_inputs(p->model, sw, values, in);
    }
}
