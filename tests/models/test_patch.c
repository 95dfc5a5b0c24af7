/* sm_scenario_coeffs_patch (models/problem.h) against sm_scenario_coeffs:
 * every number of every scenario's LP equal to the bit, whatever scenario
 * came before. The engine solves patched numbers, so results stay the
 * same for any thread count only if this holds. Scenarios are walked in
 * index order, backwards, and in a scrambled order (big jumps: several
 * parameters move at once), on every shipped sweep of rare_earths and on
 * a sweep that moves every kind of parameter the shipped ones leave
 * alone (demand, growth, penalty, discount, stock, capacity, windows,
 * delay by region, price by supplier). */
#include <stdlib.h>
#include <string.h>

#include "io/model_load.h"
#include "io/sweep_load.h"
#include "models/problem.h"
#include "support/sweep_fixture.h"
#include "support/testing.h"

static const char *const every_kind =
    "name: every_kind\n"
    "model: rare_earths\n"
    "samples: 60\n"
    "seed: 7\n"
    "block_size: 16\n"
    "parameters:\n"
    "  share.china_cap: {values: [0.4, 0.6]}\n"
    "  demand.NdPr_oxide: {dist: uniform, low: 0.9, high: 1.1}\n"
    "  demand.growth: {dist: choice, values: [0, 0, 0.01]}\n"
    "  penalty.Dy_oxide: {dist: choice, values: [1, 1, 2]}\n"
    "  discount.rate: {dist: choice, values: [0, 0, 0.05]}\n"
    "  stock.capacity.Tb_oxide: {dist: choice, values: [5, 5, 8]}\n"
    "  stock.initial.NdPr_oxide: {dist: choice, values: [100, 100, 150]}\n"
    "  capacity.Australia: {dist: choice, values: [1, 1, 0.8]}\n"
    "  capacity.Lynas: {dist: choice, values: [1, 1, 1.2]}\n"
    "  delay.Canada: {dist: choice, values: [0, 0, 2]}\n"
    "  price.MP_Mountain_Pass: {dist: choice, values: [1, 1, 1.1]}\n"
    "  tariff.China.from: {dist: choice, values: [1, 1, 3]}\n"
    "  availability.China.Dy_oxide: {dist: choice, values: [1, 1, 0.5]}\n"
    "  availability.China.Dy_oxide.until: {dist: choice, values: [12, 12, 6]}\n";

static int same(const sm_coeffs *a, const sm_coeffs *b)
{
    size_t nc = (size_t)a->n_cols * sizeof(double), nr = (size_t)a->n_rows * sizeof(double);
    return !memcmp(a->col_lb, b->col_lb, nc) && !memcmp(a->col_ub, b->col_ub, nc) &&
           !memcmp(a->obj, b->obj, nc) && !memcmp(a->row_lb, b->row_lb, nr) &&
           !memcmp(a->row_ub, b->row_ub, nr) && a->obj_const == b->obj_const;
}

/* Scenarios of sw in three orders; the number of scenarios whose patched
 * numbers differ from the full ones (0 expected). */
static size_t mismatches(const sm_problem *p, const sm_sweep *sw)
{
    size_t n = sw->n_scenarios, bad = 0;
    sm_scenario_patch *sp = sm_scenario_patch_new(p);
    sm_inputs *in_full = sm_inputs_new(p->model), *in_patch = sm_inputs_new(p->model);
    sm_coeffs *full = sm_coeffs_new(p->layout), *patch = sm_coeffs_new(p->layout);
    double *v_full = malloc(((size_t)sw->n_params + 1) * sizeof *v_full);
    double *v_patch = malloc(((size_t)sw->n_params + 1) * sizeof *v_patch);
    CU_ASSERT_FATAL(sp && in_full && in_patch && full && patch && v_full && v_patch);
    for (int walk = 0; walk < 3; walk++) {
        sm_scenario_patch_forget(sp);
        for (size_t k = 0; k < n; k++) {
            /* 7919 is prime, so the scrambled walk visits every scenario
             * of sweeps whose size it does not divide. */
            size_t i = walk == 0 ? k : walk == 1 ? n - 1 - k : (k * 7919) % n;
            sm_scenario_coeffs(p, sw, i, v_full, in_full, full);
            sm_scenario_coeffs_patch(p, sp, sw, i, NULL, v_patch, in_patch, patch);
            bad += !same(full, patch);
        }
    }
    sm_scenario_patch_free(&sp);
    sm_inputs_free(&in_full);
    sm_inputs_free(&in_patch);
    sm_coeffs_free(&full);
    sm_coeffs_free(&patch);
    free(v_full);
    free(v_patch);
    return bad;
}

static void check_sweep(const char *name_or_text, int is_text)
{
    sm_diag d;
    sm_diag_init(&d);
    sm_test_sweep t;
    sm_status st = sm_test_sweep_open(&t, SM_SOURCE_MODELS_DIR "/rare_earths", name_or_text,
                                      is_text, &d);
    if (st != SM_OK)
        sm_test_dump_diag(&d);
    CU_ASSERT_FATAL(st == SM_OK);
    sm_problem *p = t.p;
    sm_sweep *sw = t.sw;
    size_t bad = mismatches(p, sw);
    if (bad)
        fprintf(stderr, "%s: %zu patched scenarios differ\n", sw->name, bad);
    CU_ASSERT_EQUAL(bad, 0);
    sm_test_sweep_close(&t);
    sm_diag_clear(&d);
}

static void test_quick(void) { check_sweep("quick", 0); }
static void test_china_grid(void) { check_sweep("china_grid", 0); }
static void test_monte_carlo(void) { check_sweep("monte_carlo", 0); }
static void test_news(void) { check_sweep("news", 0); }
static void test_plan_quick(void) { check_sweep("plan_quick", 0); }
static void test_every_kind(void) { check_sweep(every_kind, 1); }

int main(void)
{
    CU_TestInfo tests[] = {
        {"quick", test_quick},
        {"china_grid", test_china_grid},
        {"monte_carlo", test_monte_carlo},
        {"news", test_news},
        {"plan_quick", test_plan_quick},
        {"every parameter kind", test_every_kind},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"scenario patch", NULL, NULL, NULL, NULL, tests},
                             CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
