/* Every LP engine built against GLPK, scenario by scenario (issue 15):
 *
 *   test_lp_engines MODEL_DIR SWEEP [MAX_SCENARIOS]
 *
 * solves the sweep's scenarios (all of them, or the first MAX_SCENARIOS)
 * with each engine as the sweep engine does (blocks from the base basis,
 * warm within a block, in index order) and requires: the same status; the
 * optimal cost within 1e-9 relative of GLPK's; and, for every engine
 * (GLPK included), a primal solution within its bounds and row duals that
 * are optimal duals: with d = c - A'y, each y_i and d_j of the sign its
 * active bound allows (dual feasibility) and the Lagrangian gap sum
 * |y_i (A_i x - b_i)| + |d_j (x_j - l_j)| within 1e-7 of the cost
 * (complementary slackness). Duals are not compared between engines: at a
 * degenerate optimum both may be right and differ.
 *
 * Exit 0 when all agree, 1 listing the first disagreements, 77 (skipped)
 * when this build has no engine but GLPK. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/model_load.h"
#include "io/sweep_load.h"
#include "models/problem.h"
#include "solver/lp.h"
#include "support/sweep_fixture.h"

typedef struct engine_run {
    sm_lp *lp;
    sm_basis *base;
    double *x, *y;
    sm_scen_status status;
    double cost;
} engine_run;

typedef struct checker {
    const sm_layout *L;
    double *act, *dj;     /* A x, c - A'y */
    int failures;
    double worst_obj, worst_gap, worst_feas;
} checker;

/* Report one disagreement (the first ten are printed). */
#define FAIL(k, i, engine, ...)                                                  \
    do {                                                                         \
        if ((k)->failures++ < 10) {                                              \
            fprintf(stderr, "scenario %zu, %s: ", (size_t)(i), (engine));        \
            fprintf(stderr, __VA_ARGS__);                                        \
            fputc('\n', stderr);                                                 \
        }                                                                        \
    } while (0)

/* How far v lies outside [lb, ub], relative to the bound's size. */
static double outside(double v, double lb, double ub)
{
    double below = lb - v, above = v - ub, e = below > above ? below : above;
    double size = fabs(e == below ? lb : ub);
    return e > 0 ? e / (size > 1 ? size : 1) : 0;
}

/* One multiplier m of a quantity v with bounds [lb, ub]: returns its term
 * of the Lagrangian gap, or -1 when its sign is not one the bounds allow. */
static double gap_term(double m, double v, double lb, double ub, double tol)
{
    if (fabs(m) <= tol)
        return 0; /* zero within the tolerance: no bound is claimed */
    double b = m > 0 ? lb : ub;
    if (!isfinite(b))
        return -1;
    return fabs(m * (v - b));
}

/* The checks of one engine's optimum on scenario i with numbers c. */
static void check_optimum(checker *k, const sm_coeffs *c, const engine_run *e, const char *name,
                          size_t i)
{
    const sm_layout *L = k->L;
    double cmax = 1, feas = 0, gap = 0;
    for (int j = 0; j < L->n_cols; j++) {
        cmax = fmax(cmax, fabs(c->obj[j]));
        k->dj[j] = c->obj[j];
    }
    for (int r = 0; r < L->n_rows; r++)
        k->act[r] = 0;
    for (int a = 1; a <= L->nnz; a++) {
        k->act[L->ia[a] - 1] += L->ar[a] * e->x[L->ja[a] - 1];
        k->dj[L->ja[a] - 1] -= L->ar[a] * e->y[L->ia[a] - 1];
    }
    double tol = 1e-7 * cmax;
    int bad_sign = 0;
    for (int j = 0; j < L->n_cols; j++) {
        feas = fmax(feas, outside(e->x[j], c->col_lb[j], c->col_ub[j]));
        double t = gap_term(k->dj[j], e->x[j], c->col_lb[j], c->col_ub[j], tol);
        bad_sign += t < 0;
        gap += t > 0 ? t : 0;
    }
    for (int r = 0; r < L->n_rows; r++) {
        feas = fmax(feas, outside(k->act[r], c->row_lb[r], c->row_ub[r]));
        double t = gap_term(e->y[r], k->act[r], c->row_lb[r], c->row_ub[r], tol);
        bad_sign += t < 0;
        gap += t > 0 ? t : 0;
    }
    gap /= fmax(1, fabs(e->cost));
    k->worst_gap = fmax(k->worst_gap, gap);
    k->worst_feas = fmax(k->worst_feas, feas);
    if (feas > 1e-6)
        FAIL(k, i, name, "primal solution outside its bounds by %.2g (relative)", feas);
    if (bad_sign)
        FAIL(k, i, name, "%d duals or reduced costs of a sign no active bound allows", bad_sign);
    if (gap > 1e-7)
        FAIL(k, i, name, "Lagrangian gap %.2g of the cost: not complementary", gap);
}

static int engine_open(engine_run *e, const sm_problem *p, sm_lp_engine which)
{
    sm_diag d;
    sm_diag_init(&d);
    sm_lp_opts o;
    sm_lp_opts_init(&o);
    o.engine = which;
    const sm_layout *L = p->layout;
    memset(e, 0, sizeof *e);
    sm_solve_info info;
    int ok = sm_lp_new(&e->lp, p->model, L, p->base_coeffs, &o, &d) == SM_OK &&
             sm_lp_solve(e->lp, 0, &info) == SM_OK && info.status == SM_SCEN_OPTIMAL;
    e->base = sm_basis_new(L->n_rows, L->n_cols);
    e->x = malloc((size_t)L->n_cols * sizeof *e->x);
    e->y = malloc((size_t)L->n_rows * sizeof *e->y);
    if (!ok || !e->base || !e->x || !e->y) {
        sm_diag_print(&d, stderr);
        sm_diag_clear(&d);
        return 0;
    }
    sm_lp_get_basis(e->lp, e->base);
    sm_diag_clear(&d);
    return 1;
}

static void engine_close(engine_run *e)
{
    sm_lp_free(&e->lp);
    sm_basis_free(&e->base);
    free(e->x);
    free(e->y);
}

static void engine_solve(engine_run *e, const sm_coeffs *c, int block_start)
{
    sm_lp_load(e->lp, c);
    if (block_start)
        sm_lp_set_basis(e->lp, e->base);
    sm_solve_info info;
    if (sm_lp_solve(e->lp, 1, &info) != SM_OK) {
        e->status = SM_SCEN_SOLVER_FAILURE; /* a GLPK fatal error: reported as a mismatch */
        return;
    }
    e->status = info.status;
    if (e->status == SM_SCEN_OPTIMAL) {
        sm_lp_solution(e->lp, e->x, e->y);
        e->cost = sm_lp_objective(e->lp);
    }
}

/* Scenario i with every engine, checked against GLPK's (e[0]). */
static void compare_scenario(checker *k, engine_run *e, int n_engines, const sm_coeffs *c,
                             size_t i, int block_start)
{
    for (int g = 0; g < n_engines; g++) {
        engine_solve(&e[g], c, block_start);
        const char *name = sm_lp_engine_name((sm_lp_engine)g);
        if (e[g].status != e[0].status) {
            FAIL(k, i, name, "status %s, GLPK's %s", sm_scen_status_names[e[g].status], sm_scen_status_names[e[0].status]);
            continue;
        }
        if (e[g].status != SM_SCEN_OPTIMAL)
            continue;
        double rel = fabs(e[g].cost - e[0].cost) / fmax(1, fabs(e[0].cost));
        k->worst_obj = fmax(k->worst_obj, rel);
        if (rel > 1e-9)
            FAIL(k, i, name, "optimal cost %.17g differs from GLPK's by more than 1e-9", e[g].cost);
        check_optimum(k, c, &e[g], name, i);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_lp_engines MODEL_DIR SWEEP [MAX_SCENARIOS]\n");
        return 2;
    }
    if (!sm_lp_engine_built(SM_LP_CLP)) {
        printf("only GLPK is built: nothing to compare\n");
        return 77;
    }
    sm_diag d;
    sm_diag_init(&d);
    sm_test_sweep t;
    if (sm_test_sweep_open(&t, argv[1], argv[2], 0, &d) != SM_OK) {
        sm_diag_print(&d, stderr);
        return 1;
    }
    sm_model *m = t.m;
    sm_problem *p = t.p;
    sm_sweep *sw = t.sw;
    size_t n = sw->n_scenarios;
    if (argc > 3 && strtoul(argv[3], NULL, 10) < n)
        n = strtoul(argv[3], NULL, 10);
    enum { N = SM_LP_N_ENGINES };
    engine_run e[N];
    for (int g = 0; g < N; g++)
        if (!engine_open(&e[g], p, (sm_lp_engine)g))
            return 1;
    checker k = {p->layout, malloc((size_t)p->layout->n_rows * sizeof(double)),
                 malloc((size_t)p->layout->n_cols * sizeof(double)), 0, 0, 0, 0};
    sm_inputs *in = sm_inputs_new(m);
    sm_coeffs *c = sm_coeffs_new(p->layout);
    double *values = malloc(((size_t)sw->n_params + 1) * sizeof *values);
    size_t optimal = 0;
    for (size_t i = 0; i < n; i++) {
        sm_scenario_coeffs(p, sw, i, values, in, c);
        compare_scenario(&k, e, N, c, i, i % sw->block_size == 0);
        optimal += e[0].status == SM_SCEN_OPTIMAL;
    }
    printf("%s on %s: %zu scenarios (%zu optimal), engines glpk and clp: %d disagreements; "
           "worst cost difference %.2g, Lagrangian gap %.2g, bound violation %.2g (relative)\n",
           sw->name, m->name, n, optimal, k.failures, k.worst_obj, k.worst_gap, k.worst_feas);
    for (int g = 0; g < N; g++)
        engine_close(&e[g]);
    sm_lp_thread_end();
    free(values);
    free(k.act);
    free(k.dj);
    sm_coeffs_free(&c);
    sm_inputs_free(&in);
    sm_test_sweep_close(&t);
    return k.failures ? 1 : 0;
}
