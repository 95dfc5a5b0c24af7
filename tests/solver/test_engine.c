/* The sweep engine: results independent of the thread count, each scenario
 * equal to solving it alone from scratch, infeasible scenarios recorded
 * without stopping the batch, a stop request leaving correct partial
 * results, and the solve order a permutation that walks grids in steps. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/model_load.h"
#include "io/sweep_load.h"
#include "solver/order.h"
#include "solver/engine.h"
#include "support/sweep_fixture.h"
#include "support/testing.h"
#include "support/tiny_model.h"

/* A sink that keeps every row of every variable, indexed by scenario. */
typedef struct collected {
    sm_dims dims;
    size_t n;
    char *data[SM_NVARS];
    unsigned char *seen;
    size_t calls;
} collected;

static void collected_init(collected *c, const sm_problem *p, const sm_sweep *sw)
{
    memset(c, 0, sizeof *c);
    c->dims = p->dims;
    c->dims.n[SM_DIM_PARAMETER] = sw->n_params;
    c->n = sw->n_scenarios;
    for (int v = 0; v < SM_NVARS; v++)
        c->data[v] = calloc(c->n, sm_var_elems(&c->dims, (sm_var)v) * sm_vtype_size(sm_vars[v].type) + 1);
    c->seen = calloc(c->n, 1);
}

static void collected_free(collected *c)
{
    for (int v = 0; v < SM_NVARS; v++)
        free(c->data[v]);
    free(c->seen);
}

static sm_status collect(void *ctx, size_t first, const sm_block *b, sm_diag *d)
{
    (void)d;
    collected *c = ctx;
    for (int v = 0; v < SM_NVARS; v++) {
        size_t row = sm_var_elems(&c->dims, (sm_var)v) * sm_vtype_size(sm_vars[v].type);
        if (b->data[v])
            memcpy(c->data[v] + first * row, b->data[v], b->count * row);
    }
    for (size_t i = 0; i < b->count; i++)
        c->seen[first + i] = ((int8_t *)b->data[SM_V_STATUS])[i] != SM_SCEN_NOT_SOLVED;
    c->calls++;
    return SM_OK;
}

static double total_cost(const collected *c, size_t i)
{
    return ((const double *)c->data[SM_V_TOTAL_COST])[i];
}

typedef struct fixture {
    sm_model *m;
    sm_problem *p;
    sm_sweep *sw;
    char *dir;
} fixture;

/* The shipped model with a sweep written from text. */
static int setup(fixture *f, const char *sweep_text, int tiny, const char *tiny_yaml)
{
    memset(f, 0, sizeof *f);
    sm_diag d;
    sm_status st;
    if (tiny) {
        f->dir = sm_tiny_load(tiny_yaml, NULL, NULL, &f->m, &st, &d);
    } else {
        sm_diag_init(&d);
        f->dir = sm_test_tmpdir();
        st = sm_model_load(SM_SOURCE_MODELS_DIR "/rare_earths", &f->m, &d);
    }
    char *path = sm_test_write(f->dir, "sweep.yaml", sweep_text);
    if (st == SM_OK)
        st = sm_sweep_load(path, f->m, &f->sw, &d);
    if (st == SM_OK)
        st = sm_problem_new(f->m, &f->p, &d);
    free(path);
    if (st != SM_OK) {
        sm_test_dump_diag(&d);
        CU_FAIL("fixture did not load");
    }
    sm_diag_clear(&d);
    return st == SM_OK;
}

static void teardown(fixture *f)
{
    sm_problem_free(&f->p);
    sm_sweep_free(&f->sw);
    sm_model_free(&f->m);
    sm_test_rmtree(f->dir);
}

static void stop_after_first_block(void *ctx, size_t done, size_t total)
{
    (void)total;
    if (done > 0)
        atomic_store((atomic_int *)ctx, 1);
}

static int run_with(const fixture *f, int threads, sm_ratio_test ratio, collected *c,
                    atomic_int *stop, sm_run_stats *stats)
{
    collected_init(c, f->p, f->sw);
    sm_run_opts o;
    sm_run_opts_init(&o);
    o.threads = threads;
    o.lp.warm_ratio = ratio;
    o.stop = stop;
    if (stop) {
        o.progress = stop_after_first_block;
        o.progress_ctx = (void *)stop;
    }
    sm_diag d;
    sm_diag_init(&d);
    sm_status st = sm_engine_run(f->p, f->sw, &o, collect, c, stats, &d);
    if (st != SM_OK)
        sm_test_dump_diag(&d);
    sm_diag_clear(&d);
    CU_ASSERT_EQUAL(st, SM_OK);
    return st == SM_OK;
}

static int run(const fixture *f, int threads, collected *c, atomic_int *stop,
               sm_run_stats *stats)
{
    sm_run_opts o;
    sm_run_opts_init(&o);
    return run_with(f, threads, o.lp.warm_ratio, c, stop, stats);
}

/* Random samples alone (no grid), with China's availability given as
 * AVAILABILITY: 240 futures in blocks of 80. */
#define SAMPLES_SWEEP(NAME, AVAILABILITY)                                                         \
    "name: " NAME "\n"                                                                          \
    "seed: 11\n"                                                                                 \
    "samples: 240\n"                                                                             \
    "block_size: 80\n"                                                                           \
    "parameters:\n"                                                                              \
    "  price.NdPr_oxide: {dist: lognormal, mu: 0.0, sigma: 0.28}\n"                              \
    "  price.Dy_oxide: {dist: lognormal, mu: 0.0, sigma: 0.22}\n"                                \
    "  price.Tb_oxide: {dist: lognormal, mu: 0.0, sigma: 0.42}\n"                                \
    "  availability.China: " AVAILABILITY "\n"                                                   \
    "  delay.Iluka_Eneabba: {dist: triangular, low: 0, mode: 1, high: 6}\n"

/* Solved along a tree, each scenario from the basis of its nearest
 * earlier one (sm_order_starts), not always the last. */
static const char *const random_sweep =
    SAMPLES_SWEEP("r", "{dist: uniform, low: 0.2, high: 1.0}");

/* The same with China's availability an event (a discrete parameter on
 * the curve: it counts by its outcome, sm_param_outcome_u). Neighbours
 * then often keep the basis, so no block goes straight to the simplex. */
static const char *const event_sweep =
    SAMPLES_SWEEP("e", "{dist: event, p: 0.4, yes: 0.2, no: 1.0}");

static void same_results_any_thread_count(const char *sweep, size_t n, int direct)
{
    fixture f;
    if (!setup(&f, sweep, 0, NULL))
        return;
    CU_ASSERT_EQUAL(f.sw->n_scenarios, n);
    collected c[3];
    sm_run_stats s[3];
    for (int t = 0; t < 3; t++)
        run(&f, t + 1, &c[t], NULL, &s[t]);
    for (int t = 1; t < 3; t++) {
        CU_ASSERT_EQUAL(s[t].scenarios, f.sw->n_scenarios);
        for (int v = 0; v < SM_NVARS; v++) {
            if (sm_vars[v].timing)
                continue;
            size_t bytes = f.sw->n_scenarios * sm_var_elems(&c[0].dims, (sm_var)v) *
                           sm_vtype_size(sm_vars[v].type);
            if (memcmp(c[0].data[v], c[t].data[v], bytes) != 0) {
                fprintf(stderr, "variable %s differs between 1 and %d threads\n", sm_vars[v].name, t + 1);
                CU_FAIL("results depend on the thread count");
            }
        }
    }
    size_t all = 0;
    for (size_t i = 0; i < f.sw->n_scenarios; i++)
        all += c[2].seen[i];
    CU_ASSERT_EQUAL(all, f.sw->n_scenarios);
    /* Only samples without a grid start from an earlier basis. */
    for (int t = 0; t < 3; t++)
        CU_ASSERT_EQUAL(s[t].earlier_starts > 0, f.sw->grid_size == 1);
    /* Where futures seldom keep the basis they go straight to the simplex
     * (engine.c, solve_start), and the files above are still the same. */
    for (int t = 0; t < 3; t++)
        CU_ASSERT_EQUAL(s[t].direct_starts > 0, direct);
    for (int t = 0; t < 3; t++)
        collected_free(&c[t]);
    teardown(&f);
}

static void test_same_results_any_thread_count(void)
{
    same_results_any_thread_count(sm_test_mixed_sweep, 9 * 60, 1);
    same_results_any_thread_count(random_sweep, 240, 1);
    same_results_any_thread_count(event_sweep, 240, 0);
}

/* The tree of starts (each from the nearest earlier basis) finds the same
 * optima as the curve with each from the last one (last_basis_only), in
 * fewer simplex iterations (the counts are deterministic: a wrong basis
 * kept or restored would show here). */
static void test_nearest_earlier_basis_saves_iterations(void)
{
    fixture f;
    if (!setup(&f, random_sweep, 0, NULL))
        return;
    collected c[2];
    sm_run_stats s[2];
    for (int last = 0; last < 2; last++) {
        collected_init(&c[last], f.p, f.sw);
        sm_run_opts o;
        sm_run_opts_init(&o);
        o.threads = 1;
        o.last_basis_only = last;
        sm_diag d;
        sm_diag_init(&d);
        CU_ASSERT_EQUAL(sm_engine_run(f.p, f.sw, &o, collect, &c[last], &s[last], &d), SM_OK);
        sm_diag_clear(&d);
    }
    CU_ASSERT_TRUE(s[0].earlier_starts > 0);
    CU_ASSERT_EQUAL(s[1].earlier_starts, 0);
    for (size_t i = 0; i < f.sw->n_scenarios; i++)
        CU_ASSERT_TRUE(sm_test_close(total_cost(&c[0], i), total_cost(&c[1], i), 1e-9));
    if (s[0].iterations >= s[1].iterations)
        fprintf(stderr, "iterations: nearest %lld, last %lld\n", s[0].iterations, s[1].iterations);
    CU_ASSERT_TRUE(s[0].iterations < s[1].iterations);
    collected_free(&c[0]);
    collected_free(&c[1]);
    teardown(&f);
}

/* The pilot's futures (the first 64 samples) start in their blocks from
 * the optimal bases the pilot found: with either engine, the same optima
 * and statuses as solving them again there (and as the other engine), and
 * they record the pilot's pivots (from the base case's basis, most need
 * some). glpsol checks pilot futures from exported LPs too: scenario 0
 * of quick, 0 and 1 of monte_carlo (tests/python/test_sweep_cli.py). */
static void test_pilot_futures_start_from_its_bases(void)
{
    fixture f;
    if (!setup(&f, random_sweep, 0, NULL))
        return;
    enum { N_RUNS = 4 }; /* GLPK from the pilot's bases, again; CLP the same */
    collected c[N_RUNS];
    sm_run_stats s[N_RUNS];
    int runs = sm_lp_engine_built(SM_LP_CLP) ? N_RUNS : 2;
    for (int r = 0; r < runs; r++) {
        collected_init(&c[r], f.p, f.sw);
        sm_run_opts o;
        sm_run_opts_init(&o);
        o.threads = 2;
        o.resolve_pilot = r % 2;
        o.lp.engine = r < 2 ? SM_LP_GLPK : SM_LP_CLP;
        sm_diag d;
        sm_diag_init(&d);
        CU_ASSERT_EQUAL(sm_engine_run(f.p, f.sw, &o, collect, &c[r], &s[r], &d), SM_OK);
        sm_diag_clear(&d);
        CU_ASSERT_EQUAL(s[r].pilot_starts, r % 2 ? 0 : 64);
    }
    for (int r = 0; r < runs; r += 2) {
        size_t pivoted = 0;
        for (size_t i = 0; i < 64; i++)
            pivoted += ((int32_t *)c[r].data[SM_V_ITERATIONS])[i] > 0;
        /* From the base case's basis nearly every future needs pivots. */
        CU_ASSERT_TRUE(pivoted > 32);
    }
    for (size_t i = 0; i < f.sw->n_scenarios; i++) {
        int8_t status = ((int8_t *)c[0].data[SM_V_STATUS])[i];
        for (int r = 1; r < runs; r++) {
            CU_ASSERT_EQUAL(status, ((int8_t *)c[r].data[SM_V_STATUS])[i]);
            double a = total_cost(&c[0], i), b = total_cost(&c[r], i);
            if (status == SM_SCEN_OPTIMAL && !sm_test_close(a, b, 1e-9)) {
                fprintf(stderr, "scenario %zu: GLPK from the pilot's basis %.12g, run %d %.12g\n",
                        i, a, r, b);
                CU_FAIL("a future started from the pilot's basis differs");
            }
        }
    }
    for (int r = 0; r < runs; r++)
        collected_free(&c[r]);
    teardown(&f);
}

/* The long-step ratio test (the sweeps' default) finds the same optimum
 * as Harris in every scenario, with fewer simplex iterations (its Harris
 * fallback: test_ratio_fallback.c). */
static void test_long_step_ratio_test_agrees_with_harris(void)
{
    fixture f;
    if (!setup(&f, sm_test_mixed_sweep, 0, NULL))
        return;
    sm_run_opts dflt;
    sm_run_opts_init(&dflt);
    CU_ASSERT_EQUAL(dflt.lp.warm_ratio, SM_RATIO_FLIP);
    collected h, l;
    sm_run_stats sh, sl;
    run_with(&f, 1, SM_RATIO_HARRIS, &h, NULL, &sh);
    run_with(&f, 1, SM_RATIO_FLIP, &l, NULL, &sl);
    for (size_t i = 0; i < f.sw->n_scenarios; i++) {
        int8_t status = ((int8_t *)h.data[SM_V_STATUS])[i];
        CU_ASSERT_EQUAL(status, ((int8_t *)l.data[SM_V_STATUS])[i]);
        if (status == SM_SCEN_OPTIMAL && !sm_test_close(total_cost(&l, i), total_cost(&h, i), 1e-9)) {
            fprintf(stderr, "scenario %zu: long-step %.12g, Harris %.12g\n", i, total_cost(&l, i),
                    total_cost(&h, i));
            CU_FAIL("the ratio tests disagree");
        }
    }
    if (sl.iterations >= sh.iterations)
        fprintf(stderr, "iterations: long-step %lld, Harris %lld\n", sl.iterations, sh.iterations);
    CU_ASSERT_TRUE(sl.iterations < sh.iterations);
    collected_free(&h);
    collected_free(&l);
    teardown(&f);
}

/* Each scenario's optimum equals a cold solve of that scenario alone. */
static void each_scenario_equals_solving_it_alone(const char *sweep)
{
    fixture f;
    if (!setup(&f, sweep, 0, NULL))
        return;
    collected c;
    sm_run_stats s;
    run(&f, 2, &c, NULL, &s);
    sm_inputs *in = sm_inputs_new(f.m);
    sm_coeffs *co = sm_coeffs_new(f.p->layout);
    double *values = malloc((size_t)f.sw->n_params * sizeof *values);
    sm_diag d;
    sm_diag_init(&d);
    int checked = 0;
    for (size_t i = 0; i < f.sw->n_scenarios; i += 7) {
        sm_scenario_coeffs(f.p, f.sw, i, values, in, co);
        sm_lp *lp = NULL;
        CU_ASSERT_EQUAL_FATAL(sm_lp_new(&lp, f.m, f.p->layout, co, NULL, &d), SM_OK);
        sm_solve_info info;
        CU_ASSERT_EQUAL(sm_lp_solve(lp, 0, &info), SM_OK);
        int8_t status = ((int8_t *)c.data[SM_V_STATUS])[i];
        CU_ASSERT_EQUAL(status, (int8_t)info.status);
        if (info.status == SM_SCEN_OPTIMAL) {
            double alone = sm_lp_objective(lp);
            if (!sm_test_close(total_cost(&c, i), alone, 1e-7)) {
                fprintf(stderr, "scenario %zu: sweep %.10g, alone %.10g\n", i, total_cost(&c, i), alone);
                CU_FAIL("a sweep scenario differs from solving it alone");
            }
            checked++;
        }
        const double *pv = (const double *)c.data[SM_V_PARAMETERS] + i * (size_t)f.sw->n_params;
        CU_ASSERT_EQUAL(memcmp(pv, values, (size_t)f.sw->n_params * sizeof *values), 0);
        sm_lp_free(&lp);
    }
    CU_ASSERT_TRUE(checked > 30);
    sm_lp_thread_end();
    free(values);
    sm_coeffs_free(&co);
    sm_inputs_free(&in);
    sm_diag_clear(&d);
    collected_free(&c);
    teardown(&f);
}

static void test_each_scenario_equals_solving_it_alone(void)
{
    each_scenario_equals_solving_it_alone(sm_test_mixed_sweep);
    each_scenario_equals_solving_it_alone(random_sweep);
}

/* A floor that no supply can meet makes some scenarios infeasible: they
 * are recorded as such, with NaN values, and every other one is solved. */
static void test_infeasible_scenarios_recorded(void)
{
    char *y = sm_tiny_replace(sm_tiny_yaml, "    kind: cap\n    regions: [China]\n    share: 0.6",
                              "    kind: floor\n    regions: [USA]\n    share: 0.5");
    const char *sweep = "name: floors\n"
                        "parameters:\n"
                        "  share.cap: {values: [0.2, 0.5, 1.0, 0.9, 0.1]}\n"
                        "  capacity.USA: {values: [0.5, 1.0]}\n";
    fixture f;
    if (setup(&f, sweep, 1, y)) {
        collected c;
        sm_run_stats s;
        run(&f, 2, &c, NULL, &s);
        CU_ASSERT_EQUAL(s.scenarios, 10);
        /* USA capacity 100 t × multiplier vs floor share × 100 t. */
        const double share[5] = {0.2, 0.5, 1.0, 0.9, 0.1}, mult[2] = {0.5, 1.0};
        size_t infeasible = 0;
        for (size_t i = 0; i < 10; i++) {
            int8_t st = ((int8_t *)c.data[SM_V_STATUS])[i];
            int want_ok = share[i / 2] * 100 <= 100 * mult[i % 2] + 1e-9;
            CU_ASSERT_EQUAL(st, want_ok ? SM_SCEN_OPTIMAL : SM_SCEN_INFEASIBLE);
            if (!want_ok) {
                infeasible++;
                CU_ASSERT_TRUE(isnan(total_cost(&c, i)));
            }
            CU_ASSERT_TRUE(c.seen[i]);
        }
        CU_ASSERT_EQUAL(infeasible, 2); /* shares 1.0 and 0.9 with half the capacity */
        CU_ASSERT_EQUAL(s.by_status[SM_SCEN_INFEASIBLE], 2);
        collected_free(&c);
        teardown(&f);
    }
    free(y);
}

/* A stop request ends the run early; what it recorded is correct. */
static void test_stop_leaves_correct_partial_results(void)
{
    fixture f;
    if (!setup(&f, sm_test_mixed_sweep, 0, NULL))
        return;
    collected full, part;
    sm_run_stats s1, s2;
    run(&f, 1, &full, NULL, &s1);
    atomic_int stop = 0; /* set once the first block is written */
    run(&f, 2, &part, &stop, &s2);
    CU_ASSERT_TRUE(s2.interrupted);
    CU_ASSERT_TRUE(s2.scenarios >= f.sw->block_size);
    CU_ASSERT_TRUE(s2.scenarios < f.sw->n_scenarios);
    size_t seen = 0;
    for (size_t i = 0; i < f.sw->n_scenarios; i++)
        seen += part.seen[i];
    CU_ASSERT_EQUAL(seen, s2.scenarios);
    for (size_t i = 0; i < f.sw->n_scenarios; i++)
        if (part.seen[i])
            CU_ASSERT_EQUAL(memcmp(&((double *)part.data[SM_V_TOTAL_COST])[i],
                                   &((double *)full.data[SM_V_TOTAL_COST])[i], sizeof(double)), 0);
    collected_free(&full);
    collected_free(&part);
    teardown(&f);
}

/* Blocks of 30 hold whole 5 x 3 sub-grids, so each is one unbroken snake;
 * a block that cuts a sub-grid is still a permutation (checked too). */
static void check_order(size_t block, int expect_snake)
{
    char grid[512];
    snprintf(grid, sizeof grid, "name: g\n"
                       "block_size: %zu\n"
                       "parameters:\n"
                       "  share.china_cap: {values: [0.3, 0.5, 0.7, 0.9]}\n"
                       "  tariff.China: {range: {from: 0, to: 1, steps: 5}}\n"
                       "  availability.China: {values: [0, 0.5, 1]}\n", block);
    fixture f;
    if (!setup(&f, grid, 0, NULL))
        return;
    sm_order o;
    sm_order_init(&o, f.sw, NULL);
    sm_order_ws w;
    CU_ASSERT_TRUE_FATAL(sm_order_ws_init(&w, f.sw, block));
    size_t out[64];
    unsigned char seen[64];
    int da[3], db[3];
    for (size_t first = 0; first < f.sw->n_scenarios; first += block) {
        size_t count = f.sw->n_scenarios - first < block ? f.sw->n_scenarios - first : block;
        sm_order_block(&o, &w, first, count, out);
        memset(seen, 0, sizeof seen);
        for (size_t k = 0; k < count; k++) {
            CU_ASSERT_TRUE_FATAL(out[k] >= first && out[k] < first + count);
            CU_ASSERT_FALSE(seen[out[k] - first]);
            seen[out[k] - first] = 1;
        }
        /* A grid walk always starts from the scenario before. */
        ptrdiff_t from[64];
        sm_order_starts(&w, count, from);
        for (size_t k = 0; k < count; k++)
            CU_ASSERT_EQUAL(from[k], (ptrdiff_t)k - 1);
        /* Within a full snake, neighbours differ by one step of one digit. */
        for (size_t k = 1; k < count && expect_snake; k++) {
            sm_sweep_grid_digits(f.sw, out[k - 1], da);
            sm_sweep_grid_digits(f.sw, out[k], db);
            int steps = abs(da[0] - db[0]) + abs(da[1] - db[1]) + abs(da[2] - db[2]);
            CU_ASSERT_EQUAL(steps, 1);
        }
    }
    sm_order_ws_free(&w);
    teardown(&f);
}

/* GLPK fatal errors on every solve (an invalid iteration limit, rejected by
 * glp_simplex with xerror): each scenario is recorded as a solver failure
 * with code -1, each thread rebuilds its problem, the batch completes. */
static void test_glpk_fatal_errors_do_not_stop_the_batch(void)
{
    fixture f;
    if (!setup(&f, sm_test_mixed_sweep, 0, NULL))
        return;
    collected c;
    collected_init(&c, f.p, f.sw);
    sm_run_opts o;
    sm_run_opts_init(&o);
    o.threads = 2;
    o.cold = 1; /* a cold solve always calls the simplex */
    o.lp.it_lim = -1;
    sm_run_stats s;
    sm_diag d;
    sm_diag_init(&d);
    CU_ASSERT_EQUAL(sm_engine_run(f.p, f.sw, &o, collect, &c, &s, &d), SM_OK);
    CU_ASSERT_EQUAL(s.scenarios, f.sw->n_scenarios);
    CU_ASSERT_EQUAL(s.by_status[SM_SCEN_SOLVER_FAILURE], f.sw->n_scenarios);
    CU_ASSERT_EQUAL(s.lp_rebuilds, f.sw->n_scenarios);
    for (size_t i = 0; i < f.sw->n_scenarios; i += 37) {
        CU_ASSERT_EQUAL(((int8_t *)c.data[SM_V_STATUS])[i], SM_SCEN_SOLVER_FAILURE);
        CU_ASSERT_EQUAL(((int32_t *)c.data[SM_V_SOLVER_CODE])[i], -1);
        CU_ASSERT_TRUE(isnan(total_cost(&c, i)));
        CU_ASSERT_TRUE(c.seen[i]);
    }
    sm_diag_clear(&d);
    collected_free(&c);
    teardown(&f);
}

static void test_order_is_a_snake_permutation(void)
{
    check_order(30, 1);
    check_order(40, 0);
    check_order(7, 0);
}

/* The distance between two samples' tree points, from their own uniform
 * numbers (not order.c's copy), each where its outcome falls. */
static double tree_d2(const sm_order *o, const double *a, const double *b)
{
    double d = 0;
    for (int c = 0; c < o->n_curve; c++) {
        double t = sm_param_outcome_u(o->curve_p[c], a[o->curve_u[c]]) -
                   sm_param_outcome_u(o->curve_p[c], b[o->curve_u[c]]);
        d += t * t;
    }
    return d;
}

/* The nearest of the first k in solve order to the k-th (ties: the later). */
static size_t nearest_before(const sm_order *o, const double *u, size_t P, size_t k, double *d)
{
    size_t best = 0;
    *d = tree_d2(o, u + k * P, u);
    for (size_t j = 1; j < k; j++) {
        double e = tree_d2(o, u + k * P, u + j * P);
        if (e <= *d) {
            *d = e;
            best = j;
        }
    }
    return best;
}

/* Samples without a grid, with a tree of starts, are solved in Prim's
 * order over the curve's quantiles: each starts from its nearest among
 * those solved before it (ties to the later), and is itself the sample
 * nearest to those (ties to the lower number). Checked by brute force
 * against each scenario's own uniform numbers; without a tree (CLP), and
 * in index order, each starts from the one before. */
static void test_order_starts_from_the_nearest_earlier(void)
{
    fixture f;
    if (!setup(&f, event_sweep, 0, NULL))
        return;
    double influence[8] = {0.2, 0.9, 0.5, 0.7, 0.1};
    sm_order o;
    sm_order_init(&o, f.sw, influence);
    CU_ASSERT_EQUAL_FATAL(o.n_curve, 4);
    CU_ASSERT_EQUAL(o.curve_u[0], 1);
    CU_ASSERT_EQUAL(o.tree, 0);
    o.tree = 1;
    size_t B = f.sw->block_size, n = f.sw->n_scenarios, P = (size_t)f.sw->n_params;
    sm_order_ws w;
    CU_ASSERT_TRUE_FATAL(sm_order_ws_init(&w, f.sw, B));
    size_t *out = malloc(B * sizeof *out);
    ptrdiff_t *from = malloc(B * sizeof *from);
    double *u = malloc(B * P * sizeof *u);
    unsigned char *seen = malloc(B);
    size_t earlier = 0, bad = 0;
    for (size_t first = 0; first < n; first += B) {
        size_t count = n - first < B ? n - first : B;
        sm_order_block(&o, &w, first, count, out);
        sm_order_starts(&w, count, from);
        memset(seen, 0, count);
        for (size_t k = 0; k < count; k++) {
            CU_ASSERT_TRUE_FATAL(out[k] >= first && out[k] < first + count && !seen[out[k] - first]);
            seen[out[k] - first] = 1;
            sm_sweep_uniforms(f.sw, out[k], u + k * P);
            /* The numbers the order drew are the scenario's own. */
            CU_ASSERT_EQUAL(memcmp(sm_order_uniforms(&w, f.sw, out[k]), u + k * P,
                                   (size_t)o.n_curve * sizeof *u), 0);
        }
        CU_ASSERT_EQUAL(from[0], -1);
        for (size_t k = 1; k < count; k++) {
            double d;
            bad += from[k] != (ptrdiff_t)nearest_before(&o, u, P, k, &d);
            /* No sample solved later was nearer to those before. */
            for (size_t i = k + 1; i < count; i++) {
                double di = tree_d2(&o, u + i * P, u);
                for (size_t j = 1; j < k; j++) {
                    double t = tree_d2(&o, u + i * P, u + j * P);
                    di = t < di ? t : di;
                }
                bad += di < d || (di == d && out[i] < out[k]);
            }
            earlier += from[k] != (ptrdiff_t)k - 1;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* A tree branches: many samples start from another than the last. */
    CU_ASSERT_TRUE(earlier > n / 10);
    /* Without a tree (CLP) and in index order (benchmarks), each starts
     * from the one before. */
    for (int mode = 0; mode < 2; mode++) {
        o.tree = mode == 1;
        o.natural = mode == 1;
        sm_order_block(&o, &w, 0, B, out);
        sm_order_starts(&w, B, from);
        for (size_t k = 0; k < B; k++)
            CU_ASSERT_EQUAL(from[k], (ptrdiff_t)k - 1);
    }
    free(out);
    free(from);
    free(u);
    free(seen);
    sm_order_ws_free(&w);
    teardown(&f);
}

static void test_hilbert_curve(void)
{
    /* 2-D, 3 bits: a bijection onto 0..63 whose consecutive cells touch. */
    int cell_x[64], cell_y[64], hit[64] = {0};
    for (uint32_t x = 0; x < 8; x++)
        for (uint32_t y = 0; y < 8; y++) {
            uint32_t c[2] = {x, y};
            uint64_t h = sm_hilbert_index(c, 2, 3);
            CU_ASSERT_TRUE_FATAL(h < 64);
            hit[h]++;
            cell_x[h] = (int)x;
            cell_y[h] = (int)y;
        }
    for (int h = 0; h < 64; h++)
        CU_ASSERT_EQUAL(hit[h], 1);
    for (int h = 1; h < 64; h++)
        CU_ASSERT_EQUAL(abs(cell_x[h] - cell_x[h - 1]) + abs(cell_y[h] - cell_y[h - 1]), 1);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"same results for 1, 2 and 3 threads", test_same_results_any_thread_count},
        {"nearest earlier basis: same optima, fewer iterations",
         test_nearest_earlier_basis_saves_iterations},
        {"each scenario equals solving it alone", test_each_scenario_equals_solving_it_alone},
        {"the pilot's futures start from its bases", test_pilot_futures_start_from_its_bases},
        {"long-step ratio test: Harris' optima, fewer iterations",
         test_long_step_ratio_test_agrees_with_harris},
        {"infeasible scenarios recorded, batch completes", test_infeasible_scenarios_recorded},
        {"stop leaves correct partial results", test_stop_leaves_correct_partial_results},
        {"GLPK fatal errors do not stop the batch", test_glpk_fatal_errors_do_not_stop_the_batch},
        {"solve order: a snake permutation of each block", test_order_is_a_snake_permutation},
        {"Hilbert curve: bijective and continuous", test_hilbert_curve},
        {"solve order: random samples in Prim's order, each from its nearest earlier",
         test_order_starts_from_the_nearest_earlier},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"engine", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
