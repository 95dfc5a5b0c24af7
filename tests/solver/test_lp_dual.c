/* The dual shortcut (solver/lp_dual.h): after a change of costs alone, a
 * GLPK problem checks only the duals of a basis glp_warm_up found still
 * optimal. Two problems take the same solves, one with the shortcut and
 * one without (sm_lp_opts.dual_only = 0): every status, iteration count,
 * primal value, row dual, reduced cost and objective must be the same to
 * the bit, read after the solve and again after the next numbers are
 * loaded. Walked along shipped sweeps' scenarios (china_grid's tariff
 * steps move China's costs alone; quick's futures never do) and along a
 * random walk of cost changes, small ones that keep the basis and large
 * ones that break it, with bound changes and returns to the base basis in
 * between. The walks must take the shortcut, and must also see it find a
 * basis no longer optimal: a walk that did neither would prove nothing.
 * Costs a problem defers until GLPK reads them (lp.c) are checked too: a
 * solve with stale costs in GLPK makes the pair differ, and what the
 * problem reports and writes before a solve must be the loaded costs. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/files.h"
#include "models/problem.h"
#include "solver/lp.h"
#include "support/sweep_fixture.h"
#include "support/testing.h"

typedef struct pair {
    const sm_problem *p;
    sm_lp *lp[2];         /* [0] with the shortcut, [1] without */
    double *x[2], *y[2], *d[2];
    size_t solves, shortcut, broken, bad;
} pair;

static void pair_open(pair *w, const sm_problem *p)
{
    const sm_layout *L = p->layout;
    sm_diag d;
    sm_diag_init(&d);
    memset(w, 0, sizeof *w);
    w->p = p;
    for (int k = 0; k < 2; k++) {
        sm_lp_opts o;
        sm_lp_opts_init(&o);
        o.warm_ratio = SM_RATIO_FLIP; /* as sweeps solve */
        o.dual_only = k == 0;
        CU_ASSERT_FATAL(sm_lp_new(&w->lp[k], p->model, L, p->base_coeffs, &o, &d) == SM_OK);
        w->x[k] = malloc((size_t)L->n_cols * sizeof(double));
        w->d[k] = malloc((size_t)L->n_cols * sizeof(double));
        w->y[k] = malloc((size_t)L->n_rows * sizeof(double));
        CU_ASSERT_FATAL(w->x[k] && w->d[k] && w->y[k]);
    }
    sm_diag_clear(&d);
}

static void pair_close(pair *w)
{
    for (int k = 0; k < 2; k++) {
        sm_lp_free(&w->lp[k]);
        free(w->x[k]);
        free(w->y[k]);
        free(w->d[k]);
    }
}

/* The last solution as each problem reports it, compared bit for bit:
 * after a solve, and again after the next numbers are loaded (it is
 * still the last solve's). 1 when they differ. */
static int reads_differ(pair *w)
{
    const sm_layout *L = w->p->layout;
    double obj[2];
    for (int k = 0; k < 2; k++) {
        sm_lp_solution(w->lp[k], w->x[k], w->y[k]);
        sm_lp_reduced_costs(w->lp[k], w->d[k]);
        obj[k] = sm_lp_objective(w->lp[k]);
    }
    return memcmp(w->x[0], w->x[1], (size_t)L->n_cols * sizeof(double)) != 0 ||
           memcmp(w->y[0], w->y[1], (size_t)L->n_rows * sizeof(double)) != 0 ||
           memcmp(w->d[0], w->d[1], (size_t)L->n_cols * sizeof(double)) != 0 ||
           memcmp(&obj[0], &obj[1], sizeof obj[0]) != 0;
}

/* Both problems solved warm; everything they report compared. */
static void solve_both(pair *w)
{
    sm_solve_info info[2];
    w->bad += reads_differ(w); /* the numbers loaded, the last solve's values */
    for (int k = 0; k < 2; k++)
        CU_ASSERT_FATAL(sm_lp_solve(w->lp[k], 1, &info[k]) == SM_OK);
    CU_ASSERT_EQUAL(info[1].duals_only, 0);
    w->solves++;
    w->shortcut += info[0].duals_only;
    w->broken += info[0].duals_only && info[0].simplex_calls > 0;
    w->bad += info[0].status != info[1].status || info[0].iterations != info[1].iterations ||
              info[0].simplex_calls != info[1].simplex_calls || reads_differ(w);
}

static void report(const char *what, const pair *w)
{
    fprintf(stderr, "%s: %zu solves, %zu by the duals alone (%zu of them then pivoted), %zu "
                    "differ\n",
            what, w->solves, w->shortcut, w->broken, w->bad);
    CU_ASSERT_EQUAL(w->bad, 0);
}

/* A shipped sweep of the rare_earths model, and a diagnostics list. */
static void open_sweep(sm_test_sweep *t, const char *name, sm_diag *d)
{
    sm_diag_init(d);
    CU_ASSERT_FATAL(sm_test_sweep_open(t, SM_SOURCE_MODELS_DIR "/rare_earths", name, 0, d) ==
                    SM_OK);
}

/* A shipped sweep's scenarios in index order, patched as the engine
 * patches them; shortcut: whether its steps move costs alone. */
static void walk_sweep(const char *name, int shortcut)
{
    sm_diag d;
    sm_test_sweep t;
    open_sweep(&t, name, &d);
    const sm_problem *p = t.p;
    pair w;
    pair_open(&w, p);
    sm_scenario_patch *sp = sm_scenario_patch_new(p);
    sm_inputs *in = sm_inputs_new(p->model);
    sm_coeffs *c = sm_coeffs_new(p->layout);
    double *values = malloc(((size_t)t.sw->n_params + 1) * sizeof *values);
    CU_ASSERT_FATAL(sp && in && c && values);
    for (size_t i = 0; i < t.sw->n_scenarios; i++) {
        int nc, nr;
        const int *cols, *rows;
        sm_scenario_coeffs_patch(p, sp, t.sw, i, NULL, values, in, c);
        int moved = sm_scenario_patch_moved(sp, &nc, &cols, &nr, &rows);
        for (int k = 0; k < 2; k++)
            if (moved)
                sm_lp_load_moved(w.lp[k], c, nc, cols, nr, rows);
            else
                sm_lp_load(w.lp[k], c);
        solve_both(&w);
    }
    report(name, &w);
    CU_ASSERT(shortcut ? w.shortcut > 0 && w.broken > 0 : w.shortcut == 0);
    free(values);
    sm_coeffs_free(&c);
    sm_inputs_free(&in);
    sm_scenario_patch_free(&sp);
    pair_close(&w);
    sm_test_sweep_close(&t);
    sm_diag_clear(&d);
}

static void coeffs_copy(sm_coeffs *to, const sm_coeffs *from)
{
    size_t n = (size_t)from->n_cols * sizeof(double), m = (size_t)from->n_rows * sizeof(double);
    memcpy(to->col_lb, from->col_lb, n);
    memcpy(to->col_ub, from->col_ub, n);
    memcpy(to->obj, from->obj, n);
    memcpy(to->row_lb, from->row_lb, m);
    memcpy(to->row_ub, from->row_ub, m);
    to->obj_const = from->obj_const;
}

/* xorshift64*: the walk is the same on every run. */
static double uniform(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* One step of the random walk: mostly costs, sometimes a bound, now and
 * then back to the base basis, the objective's constant, or nothing. */
static void random_step(pair *w, sm_coeffs *c, const sm_basis *base, uint64_t *s)
{
    const sm_coeffs *b = w->p->base_coeffs;
    int n = c->n_cols;
    double r = uniform(s);
    if (r < 0.75) {
        int k = 1 + (int)(uniform(s) * 4);
        double spread = uniform(s) < 0.7 ? 0.002 : 0.6;
        for (int a = 0; a < k; a++) {
            int j = (int)(uniform(s) * n);
            c->obj[j] = b->obj[j] * exp(spread * (2 * uniform(s) - 1));
        }
    } else if (r < 0.9) {
        int j = (int)(uniform(s) * n);
        if (isfinite(b->col_ub[j]) && b->col_ub[j] > b->col_lb[j])
            c->col_ub[j] = b->col_lb[j] + (b->col_ub[j] - b->col_lb[j]) * (0.8 + 0.2 * uniform(s));
    } else if (r < 0.95) {
        for (int k = 0; k < 2; k++)
            sm_lp_set_basis(w->lp[k], base);
    } else if (r < 0.97) {
        c->obj_const = b->obj_const + 1e6 * uniform(s); /* the objective's constant */
    }
    for (int k = 0; k < 2; k++)
        sm_lp_load(w->lp[k], c);
}

static void test_random_costs(void)
{
    sm_diag d;
    sm_test_sweep t;
    open_sweep(&t, "quick", &d);
    const sm_problem *p = t.p;
    pair w;
    pair_open(&w, p);
    sm_coeffs *c = sm_coeffs_new(p->layout);
    sm_basis *base = sm_basis_new(p->layout->n_rows, p->layout->n_cols);
    CU_ASSERT_FATAL(c && base);
    coeffs_copy(c, p->base_coeffs);
    solve_both(&w);
    sm_lp_get_basis(w.lp[0], base);
    uint64_t s = 20261202;
    for (int step = 0; step < 4000; step++) {
        random_step(&w, c, base, &s);
        solve_both(&w);
    }
    report("random walk", &w);
    CU_ASSERT(w.shortcut > 0 && w.broken > 0);
    sm_basis_free(&base);
    sm_coeffs_free(&c);
    pair_close(&w);
    sm_test_sweep_close(&t);
    sm_diag_clear(&d);
}

/* Costs loaded after a solve reach GLPK only when it next reads them
 * (lp.c, costs_to_glpk): until then the problem still reports them
 * (sm_lp_get_col) and writes them, its LP file the same bytes as that of
 * a problem built from those numbers, after a solve the duals alone
 * decided and after loads with no solve since. */
static void test_deferred_costs(void)
{
    sm_diag d;
    sm_test_sweep t;
    open_sweep(&t, "quick", &d);
    const sm_problem *p = t.p;
    const sm_layout *L = p->layout;
    sm_lp_opts o;
    sm_lp_opts_init(&o);
    sm_lp *lp = NULL, *fresh = NULL;
    sm_coeffs *c = sm_coeffs_new(L);
    char *dir = sm_test_tmpdir();
    CU_ASSERT_FATAL(c && dir && sm_lp_new(&lp, p->model, L, p->base_coeffs, &o, &d) == SM_OK);
    coeffs_copy(c, p->base_coeffs);
    sm_solve_info info;
    CU_ASSERT_FATAL(sm_lp_solve(lp, 1, &info) == SM_OK);
    int duals_only = 0;
    for (int round = 0; round < 3; round++) {
        /* a small move of every fifth cost: the basis stays optimal */
        for (int j = round; j < L->n_cols; j += 5)
            c->obj[j] *= 1.0 + 1e-6 * (round + 1);
        sm_lp_load(lp, c);
        if (round < 2) {
            CU_ASSERT_FATAL(sm_lp_solve(lp, 1, &info) == SM_OK);
            duals_only += info.duals_only && info.simplex_calls == 0;
        }
    }
    CU_ASSERT(duals_only > 0); /* else no cost waited in cur for GLPK */
    int wrong = 0;
    for (int j = 0; j < L->n_cols; j++) {
        double lb, ub, obj;
        sm_lp_get_col(lp, j, &lb, &ub, &obj);
        wrong += memcmp(&obj, &c->obj[j], sizeof obj) != 0;
    }
    CU_ASSERT_EQUAL(wrong, 0);
    char *got = sm_path_join(dir, "loaded.lp"), *want = sm_path_join(dir, "built.lp");
    CU_ASSERT_FATAL(got && want);
    CU_ASSERT_FATAL(sm_lp_write(lp, got, 1, &d) == SM_OK);
    CU_ASSERT_FATAL(sm_lp_new(&fresh, p->model, L, c, &o, &d) == SM_OK);
    CU_ASSERT_FATAL(sm_lp_write(fresh, want, 1, &d) == SM_OK);
    char *a = NULL, *b = NULL;
    size_t na, nb;
    CU_ASSERT_FATAL(sm_text_read(got, NULL, 1 << 20, &a, &na, &d) == SM_OK &&
                    sm_text_read(want, NULL, 1 << 20, &b, &nb, &d) == SM_OK);
    CU_ASSERT_STRING_EQUAL(a, b);
    free(a);
    free(b);
    free(got);
    free(want);
    sm_lp_free(&fresh);
    sm_lp_free(&lp);
    sm_coeffs_free(&c);
    sm_test_rmtree(dir);
    sm_test_sweep_close(&t);
    sm_diag_clear(&d);
}

/* Tariff steps move China's costs alone. */
static void test_china_grid(void) { walk_sweep("china_grid", 1); }
/* Random futures move bounds in every scenario: never the shortcut. */
static void test_quick(void) { walk_sweep("quick", 0); }

int main(void)
{
    CU_TestInfo tests[] = {
        {"a random walk of costs, bounds and basis resets", test_random_costs},
        {"china_grid", test_china_grid},
        {"quick", test_quick},
        {"costs loaded and not yet solved are reported and written", test_deferred_costs},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"duals alone after a change of costs", NULL, NULL, NULL, NULL, tests},
                             CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
