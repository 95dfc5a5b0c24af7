/* What every thread of a run shares, read-only: the model, its LP layout
 * and the base case's inputs and numbers. Built once, before threads start.
 * And the one place where a scenario of a sweep becomes LP numbers. */
#ifndef SM_PROBLEM_H
#define SM_PROBLEM_H

#include "lp_coeffs.h"
#include "outcome.h"
#include "sweep.h"

typedef struct sm_problem {
    const sm_model *model;   /* not owned */
    sm_layout *layout;
    sm_inputs *base_inputs;
    sm_coeffs *base_coeffs;
    sm_dims dims;
    /* A given portfolio (`run --portfolio`), or NULL: then every scenario
     * is solved at it (models/portfolio.h). Not owned; set before threads
     * start. */
    const struct sm_portfolio *portfolio;
} sm_problem;

sm_status sm_problem_new(const sm_model *m, sm_problem **out, sm_diag *d);
void sm_problem_free(sm_problem **p);

/* The LP numbers of scenario i of sw into c, using values[sw->n_params]
 * and in as scratch: what any caller (the engine, `export --scenario`,
 * tests) solves for scenario i. Allocates nothing. With p->portfolio,
 * the scenario at that portfolio (sm_portfolio_coeffs). */
void sm_scenario_coeffs(const sm_problem *p, const sm_sweep *sw, size_t i, double *values,
                        sm_inputs *in, sm_coeffs *c);

/* Scenario i's parameter values into values[] and its inputs into in:
 * the first half of sm_scenario_coeffs, for callers that compute the
 * numbers another way (a plan's second stage). */
void sm_scenario_inputs(const sm_problem *p, const sm_sweep *sw, size_t i, double *values,
                        sm_inputs *in);

#endif
