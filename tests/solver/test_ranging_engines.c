/* run --ranging's share ranges under CLP are GLPK's for the same basis:
 *
 *   test_ranging_engines MODEL_DIR SWEEP [MAX_SCENARIOS]
 *
 * For each scenario (all, or the first MAX_SCENARIOS), GLPK solves it warm
 * from the previous scenario's basis and ranges every limit
 * (sm_ranging_limits: savings one point up and down, share interval).
 * CLP is then handed GLPK's optimal basis, solves (no pivot needed) and
 * ranges the same limits. Where CLP still holds that basis after ranging
 * (its fresh factorization may move it at a degenerate optimum), its share
 * interval must equal GLPK's to 1e-9 and its savings to 1e-9 of the cost;
 * wherever GLPK's numbers are finite, CLP's must be too, and its interval
 * must contain the share. At least 90 % of the optimal scenarios must keep
 * GLPK's basis, so the comparison is not vacuous. The ranges themselves
 * are checked against glpsol by test_ranging_engines.py.
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
    sm_model *m = NULL;
    sm_problem *p = NULL;
    sm_sweep *sw = NULL;
    char *path = NULL;
    if (sm_model_load(argv[1], &m, &d) != SM_OK || sm_problem_new(m, &p, &d) != SM_OK ||
        !(path = sm_sweep_find(argv[2], argv[1])) || sm_sweep_load(path, m, &sw, &d) != SM_OK) {
        sm_diag_print(&d, stderr);
        return 1;
    }
    size_t n = sw->n_scenarios;
    if (argc > 3 && strtoul(argv[3], NULL, 10) < n)
        n = strtoul(argv[3], NULL, 10);
    side g, c;
    if (!side_open(&g, m, p, SM_LP_GLPK) || !side_open(&c, m, p, SM_LP_CLP))
        return 1;
    sm_inputs *in = sm_inputs_new(m);
    sm_coeffs *co = sm_coeffs_new(p->layout);
    double *values = malloc(((size_t)sw->n_params + 1) * sizeof *values);
    size_t optimal = 0, same = 0;
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
    }
    if (same < 0.9 * (double)optimal)
        FAIL(n, "only %zu of %zu optimal scenarios kept GLPK's basis under CLP", same, optimal);
    printf("%s on %s: %zu scenarios, %zu optimal, %zu ranged by CLP on GLPK's basis: %d "
           "disagreements; largest share-range difference there %.2g (low), %.2g (high)\n",
           sw->name, m->name, n, optimal, same, failures, worst[0], worst[1]);
    side_close(&g);
    side_close(&c);
    sm_lp_thread_end();
    free(values);
    sm_coeffs_free(&co);
    sm_inputs_free(&in);
    sm_sweep_free(&sw);
    free(path);
    sm_problem_free(&p);
    sm_model_free(&m);
    return failures ? 1 : 0;
}
