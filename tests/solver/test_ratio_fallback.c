/* The long-step ratio test of sweeps' warm re-solves and its Harris
 * fallback (engine.c harris_fallback). GLPK 5.0's long-step test can stop
 * on an internal assertion, a fatal error; the tests make that happen on
 * chosen scenarios with sm_run_opts.test_fatal, which calls glp_error
 * inside the solve, so GLPK's real fatal path runs (error hook, longjmp,
 * glp_free_env, the thread's problem rebuilt). Checked: such scenarios end
 * as Harris solves them, the fallbacks are counted, results stay the same
 * for 1, 2 and 3 threads, blocks without a fallback are untouched, and a
 * scenario Harris cannot solve either is still recorded as a failure. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "solver/engine.h"
#include "support/sweep_fixture.h"
#include "support/testing.h"

/* Every row of every variable, by scenario. */
typedef struct rows {
    sm_dims dims;
    size_t n;
    char *data[SM_NVARS];
} rows;

static size_t row_bytes(const rows *r, int v)
{
    return sm_var_elems(&r->dims, (sm_var)v) * sm_vtype_size(sm_vars[v].type);
}

static sm_status keep(void *ctx, size_t first, const sm_block *b, sm_diag *d)
{
    (void)d;
    rows *r = ctx;
    for (int v = 0; v < SM_NVARS; v++)
        if (b->data[v])
            memcpy(r->data[v] + first * row_bytes(r, v), b->data[v], b->count * row_bytes(r, v));
    return SM_OK;
}

static void rows_free(rows *r)
{
    for (int v = 0; v < SM_NVARS; v++)
        free(r->data[v]);
}

static int8_t status_of(const rows *r, size_t i)
{
    return ((const int8_t *)r->data[SM_V_STATUS])[i];
}

static double cost_of(const rows *r, size_t i)
{
    return ((const double *)r->data[SM_V_TOTAL_COST])[i];
}

/* Scenarios first..first+count-1 hold the same values in a and b (timing
 * aside), to the bit. */
static int same_rows(const rows *a, const rows *b, size_t first, size_t count)
{
    for (int v = 0; v < SM_NVARS; v++) {
        if (sm_vars[v].timing || !a->data[v])
            continue;
        size_t rb = row_bytes(a, v);
        if (memcmp(a->data[v] + first * rb, b->data[v] + first * rb, count * rb) != 0) {
            fprintf(stderr, "variable %s differs in scenarios %zu-%zu\n", sm_vars[v].name, first,
                    first + count - 1);
            return 0;
        }
    }
    return 1;
}

typedef struct setting {
    int threads;
    sm_ratio_test ratio;
    const size_t *fatal;   /* scenarios whose long-step solve stops on a fatal error */
    size_t n_fatal;
    int it_lim;            /* 0: the default */
    int natural;
    int ranging;           /* run --ranging; 2: inject into the ranging's solves */
} setting;

static int run(const sm_test_sweep *f, const setting *s, rows *r, sm_run_stats *stats)
{
    memset(r, 0, sizeof *r);
    r->dims = f->p->dims;
    r->dims.n[SM_DIM_PARAMETER] = f->sw->n_params;
    r->n = f->sw->n_scenarios;
    for (int v = 0; v < SM_NVARS; v++)
        r->data[v] = calloc(r->n, row_bytes(r, v) + 1);
    sm_run_opts o;
    sm_run_opts_init(&o);
    o.threads = s->threads;
    o.lp.warm_ratio = s->ratio;
    o.test_fatal = s->fatal;
    o.n_test_fatal = s->n_fatal;
    o.natural_order = s->natural;
    o.ranging = s->ranging != 0;
    o.test_fatal_ranging = s->ranging == 2;
    if (s->it_lim)
        o.lp.it_lim = s->it_lim;
    sm_diag d;
    sm_diag_init(&d);
    sm_status st = sm_engine_run(f->p, f->sw, &o, keep, r, stats, &d);
    if (st != SM_OK)
        sm_test_dump_diag(&d);
    sm_diag_clear(&d);
    CU_ASSERT_EQUAL(st, SM_OK);
    return st == SM_OK;
}

static int open_mixed(sm_test_sweep *f)
{
    sm_diag d;
    sm_diag_init(&d);
    sm_status st = sm_test_sweep_open(f, SM_SOURCE_MODELS_DIR "/rare_earths", sm_test_mixed_sweep, 1, &d);
    if (st != SM_OK)
        sm_test_dump_diag(&d);
    sm_diag_clear(&d);
    CU_ASSERT_EQUAL_FATAL(st, SM_OK);
    return 1;
}

/* Sweeps re-solve with long-step by default; everything else (a plan's
 * master and futures) keeps Harris. */
static void test_defaults(void)
{
    sm_run_opts o;
    sm_run_opts_init(&o);
    CU_ASSERT_EQUAL(o.lp.warm_ratio, SM_RATIO_FLIP);
    sm_lp_opts lo;
    sm_lp_opts_init(&lo);
    CU_ASSERT_EQUAL(lo.warm_ratio, SM_RATIO_HARRIS);
    CU_ASSERT_STRING_EQUAL(sm_ratio_test_name(SM_RATIO_FLIP), "long-step");
    CU_ASSERT_STRING_EQUAL(sm_ratio_test_name(SM_RATIO_HARRIS), "harris");
    sm_ratio_test r;
    CU_ASSERT_TRUE(sm_ratio_test_parse("harris", &r) && r == SM_RATIO_HARRIS);
    CU_ASSERT_TRUE(sm_ratio_test_parse("long-step", &r) && r == SM_RATIO_FLIP);
    CU_ASSERT_FALSE(sm_ratio_test_parse("flip", &r));
}

/* Injected scenarios in blocks 0, 1 (twice), 6 and 16 of 17. */
static const size_t injected[] = {3, 40, 41, 200, 539};
#define N_INJECTED (sizeof injected / sizeof injected[0])

static int block_has_injection(size_t b, size_t block)
{
    for (size_t k = 0; k < N_INJECTED; k++)
        if (injected[k] / block == b)
            return 1;
    return 0;
}

static void test_injected_fatal_errors_fall_back_to_harris(void)
{
    sm_test_sweep f;
    open_mixed(&f);
    rows h, l, inj[3];
    sm_run_stats sh, sl, si[3];
    setting harris = {1, SM_RATIO_HARRIS, NULL, 0, 0, 0, 0};
    setting flip = {1, SM_RATIO_FLIP, NULL, 0, 0, 0, 0};
    run(&f, &harris, &h, &sh);
    run(&f, &flip, &l, &sl);
    CU_ASSERT_EQUAL(sl.ratio_fallbacks, 0);
    for (int t = 0; t < 3; t++) {
        setting s = {t + 1, SM_RATIO_FLIP, injected, N_INJECTED, 0, 0, 0};
        run(&f, &s, &inj[t], &si[t]);
        /* One fallback per injection, no scenario lost, no other rebuild. */
        CU_ASSERT_EQUAL(si[t].ratio_fallbacks, N_INJECTED);
        CU_ASSERT_EQUAL(si[t].lp_rebuilds, 0);
        CU_ASSERT_EQUAL(si[t].scenarios, f.sw->n_scenarios);
        CU_ASSERT_EQUAL(si[t].by_status[SM_SCEN_SOLVER_FAILURE], 0);
    }
    for (size_t i = 0; i < f.sw->n_scenarios; i++)
        CU_ASSERT_EQUAL(status_of(&inj[0], i), status_of(&h, i));
    for (size_t k = 0; k < N_INJECTED; k++) {
        size_t i = injected[k];
        CU_ASSERT_EQUAL(status_of(&h, i), SM_SCEN_OPTIMAL);
        CU_ASSERT_EQUAL(status_of(&inj[0], i), SM_SCEN_OPTIMAL);
        if (!sm_test_close(cost_of(&inj[0], i), cost_of(&h, i), 1e-9)) {
            fprintf(stderr, "scenario %zu: after the fallback %.12g, Harris %.12g\n", i,
                    cost_of(&inj[0], i), cost_of(&h, i));
            CU_FAIL("an injected scenario does not end at Harris' optimum");
        }
    }
    /* The same for any thread count; blocks without a fallback as if
     * there had been none. */
    CU_ASSERT_TRUE(same_rows(&inj[0], &inj[1], 0, f.sw->n_scenarios));
    CU_ASSERT_TRUE(same_rows(&inj[0], &inj[2], 0, f.sw->n_scenarios));
    size_t B = f.sw->block_size, untouched = 0;
    for (size_t b = 0; b < sm_sweep_blocks(f.sw); b++)
        if (!block_has_injection(b, B)) {
            CU_ASSERT_TRUE(same_rows(&inj[0], &l, b * B, sm_sweep_block_len(f.sw, b)));
            untouched++;
        }
    CU_ASSERT_EQUAL(untouched, sm_sweep_blocks(f.sw) - 4);
    rows_free(&h);
    rows_free(&l);
    for (int t = 0; t < 3; t++)
        rows_free(&inj[t]);
    sm_lp_thread_end();
    sm_test_sweep_close(&f);
}

/* When Harris fails as well (here every simplex call: an invalid
 * iteration limit, which glp_simplex rejects with a fatal error), the
 * scenario is a solver failure as before, its problem rebuilt twice: once
 * for the fallback, once counted in lp_rebuilds. */
static void test_harris_failing_too_is_a_solver_failure(void)
{
    sm_test_sweep f;
    open_mixed(&f);
    rows r;
    sm_run_stats s;
    setting bad = {2, SM_RATIO_FLIP, NULL, 0, -1, 1, 0};
    run(&f, &bad, &r, &s);
    CU_ASSERT_EQUAL(s.scenarios, f.sw->n_scenarios);
    CU_ASSERT_EQUAL(s.by_status[SM_SCEN_SOLVER_FAILURE], f.sw->n_scenarios);
    CU_ASSERT_EQUAL(s.ratio_fallbacks, f.sw->n_scenarios);
    CU_ASSERT_EQUAL(s.lp_rebuilds, f.sw->n_scenarios);
    for (size_t i = 0; i < f.sw->n_scenarios; i += 41) {
        CU_ASSERT_EQUAL(status_of(&r, i), SM_SCEN_SOLVER_FAILURE);
        CU_ASSERT_EQUAL(((int32_t *)r.data[SM_V_SOLVER_CODE])[i], -1);
        CU_ASSERT_TRUE(isnan(cost_of(&r, i)));
    }
    rows_free(&r);
    sm_lp_thread_end();
    sm_test_sweep_close(&f);
}

/* A fatal error in the ranging's long-step re-solves: the scenario is
 * solved again with Harris and ranged with Harris; its savings are those
 * of a Harris run (optimum differences, to 1e-9 of the cost), never NaN,
 * and the rows are the same for 1 and 2 threads. */
static void test_ranging_falls_back_to_harris(void)
{
    sm_test_sweep f;
    sm_diag d;
    sm_diag_init(&d);
    const char *small = "name: small\nseed: 3\nsamples: 6\nblock_size: 16\nparameters:\n"
                        "  share.china_cap: {values: [0.3, 0.5, 1.0]}\n"
                        "  tariff.China: {range: {from: 0, to: 1, steps: 3}}\n"
                        "  price.Dy_oxide: {dist: lognormal, mu: 0, sigma: 0.4}\n";
    CU_ASSERT_EQUAL_FATAL(sm_test_sweep_open(&f, SM_SOURCE_MODELS_DIR "/rare_earths", small, 1, &d),
                          SM_OK);
    sm_diag_clear(&d);
    static const size_t at[] = {2, 20, 50};
    rows h, inj[2];
    sm_run_stats sh, si[2];
    setting harris = {1, SM_RATIO_HARRIS, NULL, 0, 0, 0, 1};
    run(&f, &harris, &h, &sh);
    for (int t = 0; t < 2; t++) {
        setting s = {t + 1, SM_RATIO_FLIP, at, 3, 0, 0, 2};
        run(&f, &s, &inj[t], &si[t]);
        CU_ASSERT_EQUAL(si[t].ratio_fallbacks, 3);
        CU_ASSERT_EQUAL(si[t].lp_rebuilds, 0);
    }
    CU_ASSERT_TRUE(same_rows(&inj[0], &inj[1], 0, f.sw->n_scenarios));
    int L = f.m->n_limits;
    CU_ASSERT_TRUE(L > 0);
    for (size_t k = 0; k < 3; k++) {
        size_t i = at[k];
        CU_ASSERT_EQUAL_FATAL(status_of(&inj[0], i), SM_SCEN_OPTIMAL);
        double tol = 1e-9 * fabs(cost_of(&h, i));
        for (int v = SM_V_SAVING_UP; v <= SM_V_SAVING_DOWN; v++)
            for (int l = 0; l < L; l++) {
                double a = ((double *)inj[0].data[v])[i * (size_t)L + (size_t)l];
                double b = ((double *)h.data[v])[i * (size_t)L + (size_t)l];
                if (isnan(a) || !(fabs(a - b) <= tol || (isinf(a) && a == b))) {
                    fprintf(stderr, "scenario %zu, %s[%d]: %.12g, Harris %.12g\n", i,
                            sm_vars[v].name, l, a, b);
                    CU_FAIL("a ranged saving after the fallback is not Harris'");
                }
            }
    }
    rows_free(&h);
    for (int t = 0; t < 2; t++)
        rows_free(&inj[t]);
    sm_lp_thread_end();
    sm_test_sweep_close(&f);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"defaults: long-step for sweeps, Harris otherwise", test_defaults},
        {"injected long-step fatal errors: Harris' optimum, counted, any thread count",
         test_injected_fatal_errors_fall_back_to_harris},
        {"Harris failing too: a solver failure", test_harris_failing_too_is_a_solver_failure},
        {"ranging: long-step fatal errors fall back to Harris", test_ranging_falls_back_to_harris},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"ratio_fallback", NULL, NULL, NULL, NULL, tests},
                             CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
