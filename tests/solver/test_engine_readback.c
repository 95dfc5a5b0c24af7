/* What the engine reads back after a solve and how it fills a result row,
 * against reading and filling everything: sm_lp_solution_moved (which
 * keeps the primal values and duals of the last read when the solve
 * provably left them as they were) and sm_block_fill_row_memo (which
 * reuses an offer's cost parts when its tonnes and cost inputs are those
 * of the last row, and copies the last row's tonnes when the solve left
 * them) must give every value of every row to the bit,
 * scenario after scenario, as the engine walks them: patched numbers,
 * warm solves. Walked in index order (grid steps: a tariff step moves
 * costs only, a cap or availability step moves bounds while the basis
 * often stays) and in a scrambled order (several parameters at once), on
 * the shipped sweeps and on a small grid that also repeats a scenario's
 * numbers exactly, with each engine built (the larger sweeps in index
 * order only). The walks must also skip
 * reads (GLPK): a test that never skipped would prove nothing. */
#include <stdlib.h>
#include <string.h>

#include "io/model_load.h"
#include "io/sweep_load.h"
#include "models/problem.h"
#include "solver/lp.h"
#include "support/sweep_fixture.h"
#include "support/testing.h"

/* Grids whose steps move costs only (the tariff, fastest), nothing at
 * all (the repeated tariff), and, one parameter slower, column bounds
 * (Lynas' capacity: small steps of a supplier bought to its capacity,
 * which keep the basis but move the tonnes) or row bounds (small steps
 * of a binding China cap, the same); slower steps move several at once. */
static const char *const steps_cols =
    "name: readback_columns\n"
    "model: rare_earths\n"
    "parameters:\n"
    "  availability.China: {values: [0.9, 1.0]}\n"
    "  share.china_cap: {values: [0.45, 0.5, 0.6]}\n"
    "  price.MP_Mountain_Pass: {values: [1.0, 1.1]}\n"
    "  capacity.Lynas: {values: [1.0, 0.99, 0.97]}\n"
    "  tariff.China: {values: [0.2, 0.2, 0.3, 0.6]}\n";

static const char *const steps_rows =
    "name: readback_rows\n"
    "model: rare_earths\n"
    "parameters:\n"
    "  availability.China: {values: [0.9, 1.0]}\n"
    "  price.MP_Mountain_Pass: {values: [1.0, 1.1]}\n"
    "  share.china_cap: {values: [0.45, 0.455, 0.46, 0.47]}\n"
    "  tariff.China: {values: [0.0, 0.0, 0.05, 0.1]}\n";

typedef struct walker {
    const sm_problem *p;
    const sm_sweep *sw;
    sm_lp *lp;
    sm_scenario_patch *sp;
    sm_row_memo *memo;
    sm_inputs *in;
    sm_coeffs *c;
    sm_block *kept, *fresh;
    double *values, *x, *y, *x_all, *y_all;
    unsigned long gen[2];
    size_t solved, x_kept, y_kept, bad;
} walker;

static int rows_differ(const walker *w, size_t row)
{
    for (int v = 0; v < SM_NVARS; v++) {
        if (sm_vars[v].timing)
            continue;
        size_t n = sm_var_elems(&w->kept->dims, (sm_var)v) * sm_vtype_size(sm_vars[v].type);
        const void *a = sm_block_row(w->kept, (sm_var)v, row);
        const void *b = sm_block_row(w->fresh, (sm_var)v, 0);
        if (a && memcmp(a, b, n))
            return 1;
    }
    return 0;
}

/* Scenario i as the engine takes it, then both read-outs and both rows. */
static void step(walker *w, size_t i)
{
    const sm_problem *p = w->p;
    const sm_layout *L = p->layout;
    int nc, nr;
    const int *cols, *rows;
    sm_scenario_coeffs_patch(p, w->sp, w->sw, i, NULL, w->values, w->in, w->c);
    if (sm_scenario_patch_moved(w->sp, &nc, &cols, &nr, &rows))
        sm_lp_load_moved(w->lp, w->c, nc, cols, nr, rows);
    else
        sm_lp_load(w->lp, w->c);
    sm_scenario_patch_memo(w->sp, p, w->memo);
    sm_solve_info info;
    CU_ASSERT_FATAL(sm_lp_solve(w->lp, 1, &info) == SM_OK);
    if (info.status != SM_SCEN_OPTIMAL)
        return;
    unsigned long before = w->gen[1];
    int x_moved = sm_lp_solution_moved(w->lp, w->x, w->y, 0, w->gen);
    w->x_kept += !x_moved;
    w->y_kept += before == w->gen[1];
    if (!x_moved) /* as the engine: the row last filled has these tonnes */
        sm_row_memo_same_x(w->memo);
    sm_lp_solution_rows(w->lp, w->x_all, w->y_all, 0);
    /* The engine's rows take turns in a block: the row last filled is
     * another, whose tonnes a row with the same ones copies. */
    size_t row = w->solved % 2;
    sm_block_fill_row_memo(w->kept, row, p->model, L, w->in, w->x, w->y, w->memo);
    sm_block_fill_row(w->fresh, 0, p->model, L, w->in, w->x_all, w->y_all);
    w->bad += memcmp(w->x, w->x_all, (size_t)L->n_cols * sizeof *w->x) != 0 ||
              memcmp(w->y, w->y_all, (size_t)L->n_rows * sizeof *w->y) != 0 ||
              rows_differ(w, row);
    w->solved++;
}

static void walk(const sm_problem *p, const sm_sweep *sw, sm_lp_engine e, walker *w)
{
    const sm_layout *L = p->layout;
    sm_diag d;
    sm_diag_init(&d);
    memset(w, 0, sizeof *w);
    w->p = p;
    w->sw = sw;
    sm_lp_opts o;
    sm_lp_opts_init(&o);
    o.engine = e;
    CU_ASSERT_FATAL(sm_lp_new(&w->lp, p->model, L, p->base_coeffs, &o, &d) == SM_OK);
    sm_dims dims = p->dims;
    dims.n[SM_DIM_PARAMETER] = sw->n_params;
    w->sp = sm_scenario_patch_new(p);
    w->memo = sm_row_memo_new(p->model, L);
    w->in = sm_inputs_new(p->model);
    w->c = sm_coeffs_new(L);
    w->kept = sm_block_new(&dims, 2, 1);
    w->fresh = sm_block_new(&dims, 1, 1);
    w->values = malloc(((size_t)sw->n_params + 1) * sizeof *w->values);
    w->x = malloc((size_t)L->n_cols * sizeof *w->x);
    w->x_all = malloc((size_t)L->n_cols * sizeof *w->x);
    w->y = malloc((size_t)L->n_rows * sizeof *w->y);
    w->y_all = malloc((size_t)L->n_rows * sizeof *w->y);
    CU_ASSERT_FATAL(w->sp && w->memo && w->in && w->c && w->kept && w->fresh && w->values &&
                    w->x && w->x_all && w->y && w->y_all);
    sm_block_clear_row(w->kept, 0);
    sm_block_clear_row(w->kept, 1);
    sm_block_clear_row(w->fresh, 0);
    size_t n = sw->n_scenarios;
    for (size_t k = 0; k < n; k++)
        step(w, k);
    /* 7919 is prime: the scrambled walk visits every scenario of sweeps
     * whose size it does not divide. */
    for (size_t k = 0; k < n && n < 5000; k++)
        step(w, (k * 7919) % n);
    sm_lp_free(&w->lp);
    sm_scenario_patch_free(&w->sp);
    sm_row_memo_free(&w->memo);
    sm_inputs_free(&w->in);
    sm_coeffs_free(&w->c);
    sm_block_free(&w->kept);
    sm_block_free(&w->fresh);
    free(w->values);
    free(w->x);
    free(w->x_all);
    free(w->y);
    free(w->y_all);
    sm_diag_clear(&d);
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
    for (int e = 0; e < SM_LP_N_ENGINES; e++) {
        if (!sm_lp_engine_built((sm_lp_engine)e))
            continue;
        walker w;
        walk(p, sw, (sm_lp_engine)e, &w);
        fprintf(stderr, "%s, %s: %zu optimal solves, primal values kept %zu times, duals %zu\n",
                sw->name, sm_lp_engine_name((sm_lp_engine)e), w.solved, w.x_kept, w.y_kept);
        if (w.bad)
            fprintf(stderr, "%s, %s: %zu rows differ from a full read-out\n", sw->name,
                    sm_lp_engine_name((sm_lp_engine)e), w.bad);
        CU_ASSERT_EQUAL(w.bad, 0);
        /* Only GLPK's values are provably unmoved; CLP's are always read. */
        if (e == SM_LP_CLP)
            CU_ASSERT_EQUAL(w.x_kept + w.y_kept, 0);
        if (e == SM_LP_GLPK && (is_text || strcmp(sw->name, "china_grid") == 0))
            CU_ASSERT(w.x_kept > 0);
        if (e == SM_LP_GLPK && is_text)
            CU_ASSERT(w.y_kept > 0);
    }
    sm_test_sweep_close(&t);
    sm_diag_clear(&d);
}

static void test_steps_cols(void) { check_sweep(steps_cols, 1); }
static void test_steps_rows(void) { check_sweep(steps_rows, 1); }
static void test_china_grid(void) { check_sweep("china_grid", 0); }
static void test_quick(void) { check_sweep("quick", 0); }
static void test_news(void) { check_sweep("news", 0); }
static void test_monte_carlo(void) { check_sweep("monte_carlo", 0); }

int main(void)
{
    CU_TestInfo tests[] = {
        {"a grid of cost, column bound and no moves", test_steps_cols},
        {"a grid of cost, row bound and no moves", test_steps_rows},
        {"china_grid", test_china_grid},
        {"quick", test_quick},
        {"news", test_news},
        {"monte_carlo", test_monte_carlo},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"read back only what moved", NULL, NULL, NULL, NULL, tests},
                             CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
