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

/* A solver thread's memory of the last scenario whose numbers it
 * computed, so that the next scenario's are patched, not recomputed: only
 * the offers, materials and limits whose inputs moved are computed again
 * (a grid step moves one parameter; on china_grid a tariff step moves
 * China's offers only). The numbers are sm_scenario_coeffs's to the bit
 * (tests/models/test_patch.c checks every scenario of the shipped sweeps),
 * so results do not depend on which scenarios a thread solved before. */
typedef struct sm_scenario_patch sm_scenario_patch;

sm_scenario_patch *sm_scenario_patch_new(const sm_problem *p);
void sm_scenario_patch_free(sm_scenario_patch **sp);

/* Forget the last scenario: the next call computes every number. */
void sm_scenario_patch_forget(sm_scenario_patch *sp);

/* sm_scenario_coeffs for a caller that keeps c between calls: c must hold
 * what the last call with sp left there (or sp be forgotten). u: the
 * scenario's uniform numbers when the caller has them (sm_sweep_values_u),
 * else NULL. */
void sm_scenario_coeffs_patch(const sm_problem *p, sm_scenario_patch *sp, const sm_sweep *sw,
                              size_t i, const double *u, double *values, sm_inputs *in,
                              sm_coeffs *c);

/* What the last sm_scenario_coeffs_patch computed again: 0 when it
 * computed every number (or sp is forgotten); else 1, with the columns
 * and rows (0-based) whose numbers may have moved, every other number
 * being the one of the call before. For sm_lp_load_moved. */
int sm_scenario_patch_moved(const sm_scenario_patch *sp, int *n_cols, const int **cols,
                            int *n_rows, const int **rows);

/* Tell a row memo (models/outcome.h) what the last
 * sm_scenario_coeffs_patch moved: the offers whose cost inputs (price,
 * tariff and their windows: what sm_inputs_unit_cost reads of an offer)
 * moved, or everything when it computed every number. Call it after
 * every patch, whether or not the scenario's row is filled. */
void sm_scenario_patch_memo(const sm_scenario_patch *sp, const sm_problem *p, sm_row_memo *mo);

/* Scenario i's parameter values into values[] and its inputs into in:
 * the first half of sm_scenario_coeffs, for callers that compute the
 * numbers another way (a plan's second stage). */
void sm_scenario_inputs(const sm_problem *p, const sm_sweep *sw, size_t i, double *values,
                        sm_inputs *in);

#endif
