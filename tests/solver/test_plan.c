/* The two-stage plan (MODEL.md Part 2): a hand-solved instance with every
 * measure, the validity of the cuts at random portfolios, and the same
 * plan for any thread count. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/model_load.h"
#include "io/sweep_load.h"
#include "models/commit.h"
#include "models/problem.h"
#include "solver/plan.h"
#include "solver/plan_sweep.h"
#include "support/testing.h"
#include "support/tiny_model.h"

#define TOL 1e-7

/* ---- the hand-solved instance -------------------------------------------
 *
 * One period, demand 100 t of NdPr, no China cap (share 1), shortfall 1000.
 * C1 (China): contract, price 8, tariff 25 %: c = 10, fee 3, capacity 100.
 * U1 (USA): spot, c = 15, capacity 100.
 * Two equally likely futures (Latin hypercube over a 50/50 choice): A with
 * no export control (China availability 1: cap_A = 100), B with controls
 * (availability 0.2: cap_B = 20). Prices do not move.
 *
 * Q_A(k) = 10 k + 15 (100 − k) = 1500 − 5 k            (0 <= k <= 100)
 * Q_B(k) = 1500 − 5 min(k, 20)
 * RP: min 3 k + (Q_A + Q_B)/2 = 1500 + 0.5 k − 2.5 min(k, 20) − ... : the
 *   slope is 3 − 2.5 − 2.5 = −2 below 20 and 3 − 2.5 = +0.5 above, so
 *   k* = 20 and RP = 60 + (1400 + 1400)/2 = 1460.
 * WS: Z_A = min 3 k + 1500 − 5 k = 1300 at k = 100; Z_B = min 3 k + 1500 −
 *   5 min(k, 20) = 1460 at k = 20; WS = 1380, EVPI = RP − WS = 80.
 * Average future: C1's bound (100 + 20)/2 = 60, costs as in both futures:
 *   Q_avg(k) = 1500 − 5 min(k, 60), so k-bar = 60 (slope 3 − 5 < 0 up to
 *   60); EEV = 180 + (Q_A(60) + Q_B(60))/2 = 180 + (1200 + 1400)/2 = 1480,
 *   VSS = EEV − RP = 20.
 * Regrets: A: 60 + 1400 − 1300 = 160; B: 60 + 1400 − 1460 = 0.
 * total_cost at k*: A and B both 60 + 1400 = 1460. */

static const char *const hand_suppliers =
    "supplier,region,material,capacity_t_per_period,price_usd_per_t,freight_usd_per_t,"
    "start_period,ramp_periods,terms,fee_usd_per_t,source\n"
    "C1,China,NdPr,100,8,0,1,0,contract,3,test\n"
    "U1,USA,NdPr,100,15,0,1,0,spot,,test\n";

static const char *const hand_sweep =
    "name: two_futures\nseed: 7\nsamples: 2\nsampling: lhs\nparameters:\n"
    "  availability.China: {dist: choice, values: [1.0, 0.2]}\n";

typedef struct fixture {
    char *dir;
    sm_model *m;
    sm_sweep *sw;
    sm_problem *p;
} fixture;

static int fixture_load(fixture *f, const char *yaml, const char *sup, const char *dem,
                        const char *sweep)
{
    memset(f, 0, sizeof *f);
    sm_status st;
    sm_diag d;
    f->dir = sm_tiny_load(yaml, sup, dem, &f->m, &st, &d);
    if (st == SM_OK) {
        char *sp = sm_test_write(f->dir, "sweep.yaml", sweep);
        st = sm_sweep_load(sp, f->m, &f->sw, &d);
        free(sp);
    }
    if (st == SM_OK)
        st = sm_problem_new(f->m, &f->p, &d);
    if (st != SM_OK)
        sm_test_dump_diag(&d);
    sm_diag_clear(&d);
    return st == SM_OK;
}

static void fixture_free(fixture *f)
{
    sm_problem_free(&f->p);
    sm_sweep_free(&f->sw);
    sm_model_free(&f->m);
    sm_test_rmtree(f->dir);
}

static int load_hand(fixture *f)
{
    char *y1 = sm_tiny_replace(sm_tiny_yaml, "count: 2", "count: 1");
    char *y2 = sm_tiny_replace(y1, "share: 0.6", "share: 1.0");
    int ok = fixture_load(f, y2, hand_suppliers, "material,period,demand_t\nNdPr,1,100\n",
                          hand_sweep);
    free(y1);
    free(y2);
    return ok;
}

static void test_hand_solved(void)
{
    fixture f;
    CU_ASSERT_FATAL(load_hand(&f));
    double v0, v1;
    sm_sweep_values(f.sw, 0, &v0);
    sm_sweep_values(f.sw, 1, &v1);
    /* One future of each kind; a = the one without controls. */
    CU_ASSERT_TRUE((v0 == 1.0 && v1 == 0.2) || (v0 == 0.2 && v1 == 1.0));
    size_t a = v0 == 1.0 ? 0 : 1, b = 1 - a;
    sm_plan_opts o;
    sm_plan_opts_init(&o);
    sm_plan_run run;
    sm_diag d;
    sm_diag_init(&d);
    CU_ASSERT_EQUAL_FATAL(sm_plan_sweep(f.p, f.sw, &o, 1, NULL, NULL, &run, &d), SM_OK);
    const sm_plan_point *pt = &run.points[0];
    CU_ASSERT_EQUAL(pt->rp.stop, SM_PLAN_GAP);
    CU_ASSERT_TRUE(sm_test_close(pt->k_full[0], 20, TOL));   /* C1, period 1 */
    CU_ASSERT_TRUE(sm_test_close(pt->k_full[1], 0, TOL));    /* U1 is spot */
    CU_ASSERT_TRUE(sm_test_close(pt->rp_value, 1460, TOL));
    CU_ASSERT_TRUE(pt->rp.lb <= pt->rp.ub + 1e-9 && pt->rp.gap <= 1e-6);
    CU_ASSERT_TRUE(sm_test_close(pt->rp.fees, 60, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->z[a], 1300, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->z[b], 1460, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->ws, 1380, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->kbar_full[0], 60, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->eev, 1480, TOL));
    CU_ASSERT_EQUAL(pt->eev_infeasible, 0);
    CU_ASSERT_TRUE(sm_test_close(pt->evpi, 80, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->vss, 20, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->regret[a], 160, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->regret[b], 0, TOL));
    for (size_t s = 0; s < 2; s++) {
        CU_ASSERT_EQUAL(*(int8_t *)sm_block_row(run.blocks[0], SM_V_STATUS, s), SM_SCEN_OPTIMAL);
        CU_ASSERT_TRUE(sm_test_close(*(double *)sm_block_row(run.blocks[0], SM_V_TOTAL_COST, s),
                                     1460, TOL));
        CU_ASSERT_TRUE(sm_test_close(run.fees[s], 60, TOL));
    }
    /* The fee is not a purchase cost in a plan: 20 t of C1 at 8, 80 of U1 at 15. */
    CU_ASSERT_TRUE(sm_test_close(*(double *)sm_block_row(run.blocks[0], SM_V_COST_PURCHASE, a),
                                 20 * 8 + 80 * 15, TOL));
    sm_plan_run_free(&run);
    sm_diag_clear(&d);
    fixture_free(&f);
}


/* ---- a floor only a contract can meet, and a policy with no plan --------
 *
 * One period, demand 100, no China cap; a floor: USA supplies at least
 * 50 %. C1 spot at c = 10; U1 a contract at c = 15 with fee 1. The first
 * master commits nothing to U1 (theta is bounded by Q at k_ub), the
 * futures are then infeasible, and a feasibility cut must raise k_U1 to
 * 50: RP = 50·1 + 50·15 + 50·10 = 1300. The grid's second policy scales
 * U1's capacity to 0.2 (20 t < 50 t): infeasible for every k, reported,
 * while the first is planned. */
static void test_feasibility_cuts_and_infeasible_policy(void)
{
    char *y1 = sm_tiny_replace(sm_tiny_yaml, "count: 2", "count: 1");
    char *y2 = sm_tiny_replace(y1, "share: 0.6", "share: 1.0\n  us_floor:\n    kind: floor\n"
                                                "    regions: [USA]\n    share: 0.5");
    const char *sup =
        "supplier,region,material,capacity_t_per_period,price_usd_per_t,freight_usd_per_t,"
        "start_period,ramp_periods,terms,fee_usd_per_t,source\n"
        "C1,China,NdPr,100,8,0,1,0,spot,,test\n"
        "U1,USA,NdPr,100,15,0,1,0,contract,1,test\n";
    const char *sweep = "name: f\nseed: 3\nsamples: 3\nparameters:\n"
                        "  capacity.U1: {values: [1.0, 0.2]}\n"
                        "  price.C1: {dist: choice, values: [1.0, 1.0]}\n";
    fixture f;
    int ok = fixture_load(&f, y2, sup, "material,period,demand_t\nNdPr,1,100\n", sweep);
    free(y1);
    free(y2);
    CU_ASSERT_FATAL(ok);
    sm_plan_opts o;
    sm_plan_opts_init(&o);
    sm_plan_run run;
    sm_diag d;
    sm_diag_init(&d);
    CU_ASSERT_EQUAL_FATAL(sm_plan_sweep(f.p, f.sw, &o, 1, NULL, NULL, &run, &d), SM_OK);
    const sm_plan_point *ok_pt = &run.points[0], *bad = &run.points[1];
    CU_ASSERT_EQUAL(ok_pt->rp.stop, SM_PLAN_GAP);
    CU_ASSERT_TRUE(ok_pt->rp.iterations >= 2);
    CU_ASSERT_TRUE(sm_test_close(ok_pt->k_full[1], 50, TOL));
    CU_ASSERT_TRUE(sm_test_close(ok_pt->rp_value, 1300, TOL));
    CU_ASSERT_TRUE(sm_test_close(ok_pt->ws, 1300, TOL));
    CU_ASSERT_TRUE(sm_test_close(ok_pt->evpi, 0, TOL));
    CU_ASSERT_EQUAL(bad->rp.stop, SM_PLAN_INFEASIBLE);
    CU_ASSERT_EQUAL(bad->rp.infeasible, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(bad->rp.message, "for every portfolio"));
    CU_ASSERT_TRUE(isnan(bad->ws) && isnan(bad->vss));
    /* Its scenarios (1, 3, 5) stay "not solved" in the file; policy 0's are solved. */
    CU_ASSERT_EQUAL(*(int8_t *)sm_block_row(run.blocks[0], SM_V_STATUS, 1), SM_SCEN_NOT_SOLVED);
    CU_ASSERT_EQUAL(*(int8_t *)sm_block_row(run.blocks[0], SM_V_STATUS, 2), SM_SCEN_OPTIMAL);
    sm_plan_run_free(&run);
    sm_diag_clear(&d);
    fixture_free(&f);
}

/* ---- the shipped model with contracts ------------------------------------ */

/* rare_earths with every non-Chinese offer a contract at a fee of 10 % of
 * its price and every Chinese offer spot, whatever the shipped terms are,
 * changed in memory. */
static int load_contract_model(fixture *f, const char *sweep)
{
    memset(f, 0, sizeof *f);
    sm_diag d;
    sm_diag_init(&d);
    f->dir = sm_test_tmpdir();
    sm_status st = sm_model_load(SM_SOURCE_MODELS_DIR "/rare_earths", &f->m, &d);
    if (st == SM_OK) {
        int china = sm_model_region(f->m, "China");
        f->m->n_contracts = 0;
        for (int o = 0; o < f->m->n_offers; o++) {
            sm_offer *of = &f->m->offers[o];
            int spot = f->m->suppliers[of->supplier].region == china;
            of->terms = spot ? SM_TERMS_SPOT : SM_TERMS_CONTRACT;
            of->fee = spot ? 0.0 : 0.1 * of->price;
            f->m->n_contracts += !spot;
        }
        char *sp = sm_test_write(f->dir, "sweep.yaml", sweep);
        st = sm_sweep_load(sp, f->m, &f->sw, &d);
        free(sp);
    }
    if (st == SM_OK)
        st = sm_problem_new(f->m, &f->p, &d);
    if (st != SM_OK)
        sm_test_dump_diag(&d);
    sm_diag_clear(&d);
    return st == SM_OK;
}

static const char *const contract_sweep =
    "name: c\nseed: 11\nsamples: 6\nsampling: lhs\nparameters:\n"
    "  share.china_cap: {values: [0.4, 0.6]}\n"
    "  availability.China: {dist: event, p: 0.5, yes: 0.2, no: 1.0}\n"
    "  availability.China.from: {dist: choice, values: [1, 4, 8]}\n"
    "  price.NdPr_oxide: {dist: lognormal, mu: 0.0, sigma: 0.3}\n"
    "  delay.Iluka_Eneabba: {dist: triangular, low: 0, mode: 1, high: 6}\n";

typedef struct recourse_ctx {
    const sm_problem *p;
    const sm_sweep *sw;
} recourse_ctx;

static void recourse(const void *ctx, size_t s, double *values, sm_inputs *in, sm_coeffs *c)
{
    const recourse_ctx *r = ctx;
    sm_scenario_inputs(r->p, r->sw, s * r->sw->grid_size, values, in);
    in->fees_on_delivery = 0;
    sm_coeffs_compute(r->p->model, r->p->layout, in, c);
}

static unsigned long long rng_state = 88172645463325252ull;
static double uniform01(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* Every cut Q_s(k^) + g_s·(k' − k^) lies below Q_s(k') at random k', each
 * re-solved; and the cuts are not all flat. */
static void test_cut_validity(void)
{
    fixture f;
    CU_ASSERT_FATAL(load_contract_model(&f, contract_sweep));
    sm_inputs *policy = sm_inputs_new(f.m);
    double values[8];
    sm_sweep_values(f.sw, 0, values);
    sm_commit_policy_inputs(f.m, f.sw, values, policy);
    sm_stage1 *s1 = NULL;
    sm_diag d;
    sm_diag_init(&d);
    CU_ASSERT_EQUAL_FATAL(sm_stage1_build(f.m, policy, &s1, &d), SM_OK);
    sm_plan_opts o;
    sm_plan_opts_init(&o);
    o.threads = 2;
    sm_basis *base = NULL;
    CU_ASSERT_EQUAL_FATAL(sm_plan_base_basis(f.p, &o.lp, &base, &d), SM_OK);
    recourse_ctx rc = {f.p, f.sw};
    size_t n = f.sw->samples, nk = (size_t)s1->nk;
    sm_futures F = {f.p, n, f.sw->n_params, recourse, &rc};
    sm_evaluator *ev = NULL;
    CU_ASSERT_EQUAL_FATAL(sm_evaluator_new(&F, s1, &o, base, &ev, &d), SM_OK);
    double *kh = malloc(nk * sizeof *kh), *kp = malloc(nk * sizeof *kp);
    double *q = malloc(n * sizeof *q), *q2 = malloc(n * sizeof *q2);
    double *g = malloc(n * nk * sizeof *g);
    uint8_t *st = malloc(n), *st2 = malloc(n);
    int checked = 0, steep = 0, violated = 0;
    for (int trial = 0; trial < 4; trial++) {
        for (size_t j = 0; j < nk; j++)
            kh[j] = (0.4 + 0.6 * uniform01()) * s1->ub[j];
        CU_ASSERT_EQUAL_FATAL(sm_evaluate(ev, kh, q, st, g, NULL, NULL, &d), SM_OK);
        for (int rep = 0; rep < 5; rep++) {
            for (size_t j = 0; j < nk; j++)
                kp[j] = (0.3 + 0.7 * uniform01()) * s1->ub[j];
            CU_ASSERT_EQUAL_FATAL(sm_evaluate(ev, kp, q2, st2, NULL, NULL, NULL, &d), SM_OK);
            for (size_t s = 0; s < n; s++) {
                if (st[s] != SM_SCEN_OPTIMAL || st2[s] != SM_SCEN_OPTIMAL)
                    continue; /* an infeasible k' has Q = +inf: every cut holds */
                double cut = q[s];
                for (size_t j = 0; j < nk; j++)
                    cut += g[s * nk + j] * (kp[j] - kh[j]);
                violated += q2[s] < cut - 1e-7 * fabs(q2[s]);
                steep += cut < q[s] - 1.0;
                checked++;
            }
        }
    }
    CU_ASSERT_EQUAL(violated, 0);
    if (checked < 40 || !steep)
        fprintf(stderr, "cut validity: %d checks, %d steep\n", checked, steep);
    CU_ASSERT_TRUE(checked >= 40);
    CU_ASSERT_TRUE(steep > 0);
    free(kh);
    free(kp);
    free(q);
    free(q2);
    free(g);
    free(st);
    free(st2);
    sm_evaluator_free(&ev);
    sm_basis_free(&base);
    sm_stage1_free(&s1);
    sm_inputs_free(&policy);
    sm_lp_thread_end();
    sm_diag_clear(&d);
    fixture_free(&f);
}

/* The same plan, bit for bit, on 1, 2 and 3 threads. */
static void test_threads_identical(void)
{
    fixture f;
    CU_ASSERT_FATAL(load_contract_model(&f, contract_sweep));
    sm_plan_run runs[3];
    sm_diag d;
    sm_diag_init(&d);
    for (int t = 0; t < 3; t++) {
        sm_plan_opts o;
        sm_plan_opts_init(&o);
        o.threads = t + 1;
        CU_ASSERT_EQUAL_FATAL(sm_plan_sweep(f.p, f.sw, &o, 1, NULL, NULL, &runs[t], &d), SM_OK);
    }
    size_t nkf = (size_t)f.m->n_offers * (size_t)f.m->n_periods, n = f.sw->samples;
    for (int t = 1; t < 3; t++)
        for (size_t g = 0; g < runs[0].n_points; g++) {
            const sm_plan_point *a = &runs[0].points[g], *b = &runs[t].points[g];
            CU_ASSERT_EQUAL(a->rp.stop, SM_PLAN_GAP);
            CU_ASSERT_EQUAL(a->rp.iterations, b->rp.iterations);
            CU_ASSERT_EQUAL(memcmp(a->k_full, b->k_full, nkf * sizeof(double)), 0);
            CU_ASSERT_EQUAL(memcmp(a->kbar_full, b->kbar_full, nkf * sizeof(double)), 0);
            CU_ASSERT_EQUAL(memcmp(a->regret, b->regret, n * sizeof(double)), 0);
            CU_ASSERT_EQUAL(memcmp(&a->rp.ub, &b->rp.ub, sizeof(double)), 0);
            CU_ASSERT_EQUAL(memcmp(&a->rp.lb, &b->rp.lb, sizeof(double)), 0);
            CU_ASSERT_EQUAL(memcmp(&a->eev, &b->eev, sizeof(double)), 0);
            CU_ASSERT_EQUAL(memcmp(&a->ws, &b->ws, sizeof(double)), 0);
            /* MODEL.md: EVPI >= 0 and VSS >= 0 up to the gap. */
            CU_ASSERT_TRUE(a->evpi >= -1e-6 * fabs(a->rp_value));
            CU_ASSERT_TRUE(a->vss >= -1e-6 * fabs(a->rp_value));
        }
    for (int t = 0; t < 3; t++)
        sm_plan_run_free(&runs[t]);
    sm_diag_clear(&d);
    fixture_free(&f);
}

/* A model whose offers are all spot, with the new columns and keys given,
 * gives the LP numbers of the model without them in every scenario; and
 * its plan is the sweep: RP = WS = EEV, EVPI = VSS = 0. */
static void test_no_contracts_unchanged(void)
{
    const char *spot_sup =
        "supplier,region,material,capacity_t_per_period,price_usd_per_t,freight_usd_per_t,"
        "start_period,ramp_periods,terms,fee_usd_per_t,source\n"
        "C1,China,NdPr,100,8,0,1,0,spot,,test\n"
        "U1,USA,NdPr,100,15,0,1,0,,,test\n";
    char *y = sm_tiny_replace(sm_tiny_yaml, "tables:", "commitments:\n  fee_share: 0.3\n"
                                                      "  limits:\n    cc:\n      kind: cap\n"
                                                      "      regions: [China]\n      share: 0.2\n"
                                                      "tables:");
    const char *sweep = "name: s\nseed: 5\nsamples: 4\nparameters:\n"
                        "  share.cap: {values: [0.3, 0.7]}\n"
                        "  capacity.C1: {dist: uniform, low: 0.5, high: 1.5}\n"
                        "  price.U1: {dist: uniform, low: 0.5, high: 1.5}\n";
    fixture a, b;
    CU_ASSERT_FATAL(fixture_load(&a, NULL, NULL, NULL, sweep));
    CU_ASSERT_FATAL(fixture_load(&b, y, spot_sup, NULL, sweep));
    free(y);
    CU_ASSERT_EQUAL(b.m->n_contracts, 0);
    sm_inputs *ia = sm_inputs_new(a.m), *ib = sm_inputs_new(b.m);
    sm_coeffs *ca = sm_coeffs_new(a.p->layout), *cb = sm_coeffs_new(b.p->layout);
    double va[4], vb[4];
    for (size_t i = 0; i < a.sw->n_scenarios; i++) {
        sm_scenario_coeffs(a.p, a.sw, i, va, ia, ca);
        sm_scenario_coeffs(b.p, b.sw, i, vb, ib, cb);
        size_t nc = (size_t)ca->n_cols * sizeof(double), nr = (size_t)ca->n_rows * sizeof(double);
        CU_ASSERT_TRUE(memcmp(ca->col_ub, cb->col_ub, nc) == 0 && memcmp(ca->obj, cb->obj, nc) == 0 &&
                       memcmp(ca->col_lb, cb->col_lb, nc) == 0 &&
                       memcmp(ca->row_lb, cb->row_lb, nr) == 0 &&
                       memcmp(ca->row_ub, cb->row_ub, nr) == 0);
    }
    sm_plan_opts o;
    sm_plan_opts_init(&o);
    sm_plan_run run;
    sm_diag d;
    sm_diag_init(&d);
    CU_ASSERT_EQUAL_FATAL(sm_plan_sweep(b.p, b.sw, &o, 1, NULL, NULL, &run, &d), SM_OK);
    for (size_t g = 0; g < run.n_points; g++) {
        const sm_plan_point *pt = &run.points[g];
        CU_ASSERT_EQUAL(pt->rp.stop, SM_PLAN_GAP);
        CU_ASSERT_TRUE(sm_test_close(pt->rp_value, pt->ws, 1e-12));
        CU_ASSERT_TRUE(sm_test_close(pt->eev, pt->ws, 1e-12));
        CU_ASSERT_TRUE(fabs(pt->evpi) <= 1e-9 && fabs(pt->vss) <= 1e-9);
    }
    sm_plan_run_free(&run);
    sm_diag_clear(&d);
    sm_inputs_free(&ia);
    sm_inputs_free(&ib);
    sm_coeffs_free(&ca);
    sm_coeffs_free(&cb);
    fixture_free(&a);
    fixture_free(&b);
}

/* The hand-solved instance with a first-stage cap: commitments to China
 * at most 10 % of demand (k <= 10). Both Q's fall with k up to 10, so
 * k* = 10: RP = 30 + (Q_A(10) + Q_B(10))/2 = 30 + 1450 = 1480. With the row
 * applied to what it commits, each future's perfect-foresight optimum is
 * k = 10 as well: Z_A = Z_B = 1480, WS = 1480, EVPI = 0; k-bar = 10, EEV =
 * 1480, VSS = 0. (WS then runs a one-future plan per future.) */
static void test_hand_solved_commitment_cap(void)
{
    char *y1 = sm_tiny_replace(sm_tiny_yaml, "count: 2", "count: 1");
    char *y2 = sm_tiny_replace(y1, "share: 0.6", "share: 1.0");
    char *y3 = sm_tiny_replace(y2, "tables:", "commitments:\n  limits:\n    china_commit:\n"
                                              "      kind: cap\n      regions: [China]\n"
                                              "      share: 0.1\ntables:");
    fixture f;
    int ok = fixture_load(&f, y3, hand_suppliers, "material,period,demand_t\nNdPr,1,100\n",
                          hand_sweep);
    free(y1);
    free(y2);
    free(y3);
    CU_ASSERT_FATAL(ok);
    CU_ASSERT_EQUAL(f.m->n_commit_limits, 1);
    sm_plan_opts o;
    sm_plan_opts_init(&o);
    sm_plan_run run;
    sm_diag d;
    sm_diag_init(&d);
    CU_ASSERT_EQUAL_FATAL(sm_plan_sweep(f.p, f.sw, &o, 1, NULL, NULL, &run, &d), SM_OK);
    const sm_plan_point *pt = &run.points[0];
    CU_ASSERT_EQUAL(pt->rp.stop, SM_PLAN_GAP);
    CU_ASSERT_TRUE(sm_test_close(pt->k_full[0], 10, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->rp_value, 1480, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->z[0], 1480, TOL) && sm_test_close(pt->z[1], 1480, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->ws, 1480, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->kbar_full[0], 10, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->eev, 1480, TOL));
    CU_ASSERT_TRUE(fabs(pt->evpi) < 1e-6 && fabs(pt->vss) < 1e-6);
    sm_plan_run_free(&run);
    sm_diag_clear(&d);
    fixture_free(&f);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"hand-solved two futures: k*, RP, WS, EEV, EVPI, VSS, regret", test_hand_solved},
        {"hand-solved with a first-stage commitment cap", test_hand_solved_commitment_cap},
        {"feasibility cuts; a policy infeasible for every k", test_feasibility_cuts_and_infeasible_policy},
        {"cuts hold at random portfolios", test_cut_validity},
        {"identical plans on 1, 2 and 3 threads", test_threads_identical},
        {"a model without contracts is unchanged", test_no_contracts_unchanged},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"plan", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
