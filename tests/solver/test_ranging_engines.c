/* run --ranging's share ranges under CLP are GLPK's for the same basis:
 *
 *   test_ranging_engines MODEL_DIR SWEEP [MAX_SCENARIOS]
 *
 * For each scenario (all, or the first MAX_SCENARIOS), GLPK solves it warm
 * from the previous scenario's basis and ranges every limit
 * (sm_ranging_limits: savings one point up and down, share interval).
 * CLP then ranges the same limits twice: handed GLPK's optimal basis
 * (freshly factorized, no pivot needed), and on its own, warm from its
 * previous scenario's basis as the sweep engine runs it (factors updated
 * by its last pivots). Where CLP's basis after ranging is GLPK's (a fresh
 * factorization may move it at a degenerate optimum), its share interval
 * must equal GLPK's to 1e-9 and its savings to 1e-9 of the cost; wherever
 * GLPK's numbers are finite, CLP's must be too, and its interval must
 * contain the share. At least 90 % of the optimal scenarios must keep
 * GLPK's basis when handed it, so the comparison is not vacuous. The
 * ranges themselves are checked against glpsol by test_ranging_engines.py.
 * Last, CLP's factorization afresh (sm_lp_rhs_range on a basis installed
 * but not solved from) must give GLPK's share interval of the first limit.
 *
 * Exit 0 when all agree, 1 listing the first disagreements, 77 (skipped)
 * when this build has no CLP. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/model_load.h"
#include "io/sweep_load.h"
#include "models/problem.h"
#include "solver/lp.h"
#include "solver/ranging.h"
#include "support/sweep_fixture.h"

enum { UP, DOWN, LO, HI, N_OUT };

typedef struct side {
    sm_lp *lp;
    sm_ranger *r;
    sm_basis *basis;
    double *out[N_OUT];   /* per limit */
} side;

static int failures;

#define FAIL(i, ...)                                                             \
    do {                                                                         \
        if (failures++ < 10) {                                                   \
            fprintf(stderr, "scenario %zu: ", (size_t)(i));                      \
            fprintf(stderr, __VA_ARGS__);                                        \
            fputc('\n', stderr);                                                 \
        }                                                                        \
    } while (0)

static int side_open(side *s, const sm_model *m, const sm_problem *p, sm_lp_engine engine)
{
    sm_diag d;
    sm_diag_init(&d);
    sm_lp_opts o;
    sm_lp_opts_init(&o);
    o.engine = engine;
    memset(s, 0, sizeof *s);
    int ok = sm_lp_new(&s->lp, m, p->layout, p->base_coeffs, &o, &d) == SM_OK;
    s->r = sm_ranger_new(m, p->layout);
    s->basis = sm_basis_new(p->layout->n_rows, p->layout->n_cols);
    for (int v = 0; v < N_OUT; v++)
        ok = ok && (s->out[v] = calloc((size_t)m->n_limits + 1, sizeof(double)));
    if (!ok || !s->r || !s->basis) {
        sm_diag_print(&d, stderr);
        ok = 0;
    }
    sm_diag_clear(&d);
    return ok;
}

static void side_close(side *s)
{
    sm_lp_free(&s->lp);
    sm_ranger_free(&s->r);
    sm_basis_free(&s->basis);
    for (int v = 0; v < N_OUT; v++)
        free(s->out[v]);
}

/* Solve warm (from basis b when given) and range; 1 when optimal and ranged. */
static int solve_and_range(side *s, const sm_inputs *in, const sm_coeffs *c, const sm_basis *b,
                           size_t i, const char *name)
{
    sm_lp_load(s->lp, c);
    if (b)
        sm_lp_set_basis(s->lp, b);
    sm_solve_info info;
    if (sm_lp_solve(s->lp, 1, &info) != SM_OK || info.status != SM_SCEN_OPTIMAL)
        return 0;
    sm_diag d;
    sm_diag_init(&d);
    sm_status st = sm_ranging_limits(s->r, s->lp, in, c, s->out[UP], s->out[DOWN], s->out[LO],
                                     s->out[HI], &d);
    if (st != SM_OK) {
        FAIL(i, "%s: ranging failed", name);
        sm_diag_print(&d, stderr);
    }
    sm_diag_clear(&d);
    sm_lp_get_basis(s->lp, s->basis);
    return st == SM_OK;
}

static int same_basis(const sm_basis *a, const sm_basis *b)
{
    return memcmp(a->row_stat + 1, b->row_stat + 1, (size_t)a->n_rows * sizeof(int)) == 0 &&
           memcmp(a->col_stat + 1, b->col_stat + 1, (size_t)a->n_cols * sizeof(int)) == 0;
}

static int close_to(double a, double b, double scale)
{
    if (isinf(a) || isinf(b))
        return a == b;
    return fabs(a - b) <= 1e-9 * scale;
}

/* CLP's numbers of scenario i against GLPK's; worst[] the largest share differences. */
static void compare(const side *g, const side *c, const sm_model *m, const sm_inputs *in,
                    double cost, int same, size_t i, double *worst)
{
    static const char *const what[N_OUT] = {"saving up", "saving down", "share low",
                                            "share high"};
    for (int k = 0; k < m->n_limits; k++) {
        double s = in->share[k];
        if (!(c->out[LO][k] <= s + 1e-12 && s <= c->out[HI][k] + 1e-12))
            FAIL(i, "limit %s: share %g outside CLP's range [%g, %g]", m->limits[k].name, s,
                 c->out[LO][k], c->out[HI][k]);
        for (int v = 0; v < N_OUT; v++) {
            double a = g->out[v][k], b = c->out[v][k];
            if (!isnan(a) && isnan(b))
                FAIL(i, "limit %s: %s NaN under CLP, %g under GLPK", m->limits[k].name, what[v], a);
            if (!same)
                continue;
            double scale = v <= DOWN ? fmax(1, fabs(cost)) : 1 + fabs(a);
            if (!close_to(a, b, scale))
                FAIL(i, "limit %s, same basis: %s %.12g under CLP, %.12g under GLPK",
                     m->limits[k].name, what[v], b, a);
            if (v >= LO && isfinite(a) && isfinite(b))
                worst[v - LO] = fmax(worst[v - LO], fabs(a - b));
        }
    }
}

/* CLP's basis set to GLPK's, no solve: sm_lp_rhs_range factorizes it
 * afresh (the path no ranging after a solve takes) and must give GLPK's
 * interval of limit 0, relative to its share. */
static void check_refactorized(side *c, const side *g, const sm_model *m, const sm_layout *L,
                               const sm_inputs *in, size_t i)
{
    size_t most = (size_t)L->n_materials * (size_t)L->T + 1;
    int *rows = malloc(most * sizeof *rows), n = 0;
    double *dir = malloc(most * sizeof *dir), lo, hi;
    if (!rows || !dir) {
        FAIL(i, "out of memory");
        free(rows);
        free(dir);
        return;
    }
    for (int mat = 0; mat < L->n_materials; mat++)
        for (int t = 0; t < L->T; t++)
            if (sm_row_lim(L, 0, mat, t) >= 0) {
                rows[n] = sm_row_lim(L, 0, mat, t);
                dir[n++] = sm_inputs_demand(m, in, mat, t);
            }
    sm_lp_set_basis(c->lp, g->basis);
    sm_diag d;
    sm_diag_init(&d);
    if (sm_lp_rhs_range(c->lp, n, rows, dir, &lo, &hi, &d) != SM_OK) {
        FAIL(i, "CLP could not range GLPK's basis factorized afresh");
        sm_diag_print(&d, stderr);
    } else if (!close_to(fmax(0.0, in->share[0] + lo), g->out[LO][0], 1 + g->out[LO][0]) ||
               !close_to(in->share[0] + hi, g->out[HI][0], 1 + fabs(g->out[HI][0]))) {
        FAIL(i, "limit %s, GLPK's basis factorized afresh by CLP: [%.12g, %.12g], GLPK's "
                "[%.12g, %.12g]", m->limits[0].name, in->share[0] + lo, in->share[0] + hi,
             g->out[LO][0], g->out[HI][0]);
    }
    sm_diag_clear(&d);
    free(rows);
    free(dir);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_ranging_engines MODEL_DIR SWEEP [MAX_SCENARIOS]\n");
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
    side g, c, own;
    if (!side_open(&g, m, p, SM_LP_GLPK) || !side_open(&c, m, p, SM_LP_CLP) ||
        !side_open(&own, m, p, SM_LP_CLP))
        return 1;
    sm_inputs *in = sm_inputs_new(m);
    sm_coeffs *co = sm_coeffs_new(p->layout);
    double *values = malloc(((size_t)sw->n_params + 1) * sizeof *values);
    size_t optimal = 0, same = 0, own_same = 0;
    double worst[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        sm_scenario_coeffs(p, sw, i, values, in, co);
        if (!solve_and_range(&g, in, co, NULL, i, "GLPK"))
            continue;
        optimal++;
        if (!solve_and_range(&c, in, co, g.basis, i, "CLP")) {
            FAIL(i, "CLP, from GLPK's optimal basis, found no optimum or failed to range");
            continue;
        }
        int is_same = same_basis(g.basis, c.basis);
        same += is_same;
        compare(&g, &c, m, in, sm_lp_objective(g.lp), is_same, i, worst);
        if (is_same)
            check_refactorized(&c, &g, m, p->layout, in, i);
        if (!solve_and_range(&own, in, co, NULL, i, "CLP")) {
            FAIL(i, "CLP, warm from its previous basis, found no optimum or failed to range");
            continue;
        }
        is_same = same_basis(g.basis, own.basis);
        own_same += is_same;
        compare(&g, &own, m, in, sm_lp_objective(g.lp), is_same, i, worst);
    }
    if (same < 0.9 * (double)optimal)
        FAIL(n, "only %zu of %zu optimal scenarios kept GLPK's basis under CLP", same, optimal);
    printf("%s on %s: %zu scenarios, %zu optimal, ranged by CLP on GLPK's basis %zu, on its "
           "own warm bases %zu of them GLPK's: %d disagreements; largest share-range "
           "difference on the same basis %.2g (low), %.2g (high)\n",
           sw->name, m->name, n, optimal, same, own_same, failures, worst[0], worst[1]);
    side_close(&g);
    side_close(&c);
    side_close(&own);
    sm_lp_thread_end();
    free(values);
    sm_coeffs_free(&co);
    sm_inputs_free(&in);
    sm_test_sweep_close(&t);
    return failures ? 1 : 0;
}
