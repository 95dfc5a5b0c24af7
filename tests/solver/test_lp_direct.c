/* Direct warm solves (SM_LP_DIRECT, solver/lp.h): straight to the dual
 * simplex, without glp_warm_up first asking whether the basis is still
 * optimal. Two problems take the same scenarios, one asking first
 * (SM_LP_WARM) and one not: every status and iteration count must be the
 * same, every optimum equal to 1e-9 relative, and where the asking one
 * found its basis still optimal (no simplex call), the direct one must
 * have found it so too, in zero pivots. Walked along shipped sweeps in
 * index order: monte_carlo's futures (where sweeps go direct) and
 * china_grid's grid steps (most keep the basis: the zero-pivot case). */
#include <math.h>
#include <stdlib.h>

#include "models/problem.h"
#include "solver/lp.h"
#include "support/sweep_fixture.h"
#include "support/testing.h"

static void walk(const char *name, size_t n_max)
{
    sm_diag d;
    sm_diag_init(&d);
    sm_test_sweep t;
    CU_ASSERT_FATAL(sm_test_sweep_open(&t, SM_SOURCE_MODELS_DIR "/rare_earths", name, 0, &d) ==
                    SM_OK);
    const sm_problem *p = t.p;
    sm_lp *lp[2];
    for (int k = 0; k < 2; k++) {
        sm_lp_opts o;
        sm_lp_opts_init(&o);
        o.warm_ratio = SM_RATIO_FLIP; /* as sweeps solve */
        CU_ASSERT_FATAL(sm_lp_new(&lp[k], p->model, p->layout, p->base_coeffs, &o, &d) == SM_OK);
    }
    sm_inputs *in = sm_inputs_new(p->model);
    sm_coeffs *c = sm_coeffs_new(p->layout);
    double *values = malloc(((size_t)t.sw->n_params + 1) * sizeof *values);
    CU_ASSERT_FATAL(in && c && values);
    size_t n = t.sw->n_scenarios < n_max ? t.sw->n_scenarios : n_max;
    size_t bad = 0, still = 0, pivoted = 0;
    for (size_t i = 0; i < n; i++) {
        sm_scenario_coeffs(p, t.sw, i, values, in, c);
        sm_solve_info info[2];
        for (int k = 0; k < 2; k++) {
            sm_lp_load(lp[k], c);
            CU_ASSERT_FATAL(sm_lp_solve(lp[k], k ? SM_LP_DIRECT : SM_LP_WARM, &info[k]) == SM_OK);
        }
        CU_ASSERT_EQUAL(info[1].simplex_calls, 1);
        double o0 = sm_lp_objective(lp[0]), o1 = sm_lp_objective(lp[1]);
        int same = info[0].status == info[1].status && info[0].iterations == info[1].iterations &&
                   (info[0].status != SM_SCEN_OPTIMAL || sm_test_close(o0, o1, 1e-9));
        if (!same && bad < 5)
            fprintf(stderr, "%s scenario %zu: status %d/%d, iterations %d/%d, cost %.17g/%.17g\n",
                    name, i, info[0].status, info[1].status, info[0].iterations,
                    info[1].iterations, o0, o1);
        bad += !same;
        still += info[0].simplex_calls == 0;
        pivoted += info[1].iterations > 0;
    }
    fprintf(stderr, "%s: %zu scenarios, %zu still optimal, %zu pivoted, %zu differ\n", name, n,
            still, pivoted, bad);
    CU_ASSERT_EQUAL(bad, 0);
    /* Both cases seen, or the walk proves nothing. */
    CU_ASSERT(still > 0 && pivoted > 0);
    free(values);
    sm_coeffs_free(&c);
    sm_inputs_free(&in);
    for (int k = 0; k < 2; k++)
        sm_lp_free(&lp[k]);
    sm_test_sweep_close(&t);
    sm_diag_clear(&d);
}

static void test_monte_carlo(void) { walk("monte_carlo", 2000); }
static void test_china_grid(void) { walk("china_grid", 3000); }

int main(void)
{
    CU_TestInfo tests[] = {
        {"monte_carlo's first 2,000 futures", test_monte_carlo},
        {"china_grid's first 3,000 scenarios", test_china_grid},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"direct warm solves", NULL, NULL, NULL, NULL, tests},
                             CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
