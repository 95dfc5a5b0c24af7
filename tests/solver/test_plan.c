/* The two-stage plan (MODEL.md Part 2): a hand-solved instance with every
 * measure, the validity of the cuts at random portfolios, and the same
 * plan for any thread count. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/model_load.h"
#include "io/sweep_load.h"
#include "models/commit.h"
#include "models/problem.h"
#include "models/risk.h"
#include "solver/plan.h"
#include "solver/plan_cache.h"
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

/* The futures of the contract sweep's first policy, with what an
 * evaluator needs: the stage-one columns, options (2 threads) and the
 * base basis. */
typedef struct futures_at_policy {
    fixture f;
    sm_inputs *policy;
    sm_stage1 *s1;
    sm_plan_opts o;
    sm_basis *base;
    recourse_ctx rc;
    sm_futures F;
} futures_at_policy;

static int futures_open(futures_at_policy *u)
{
    memset(u, 0, sizeof *u);
    if (!load_contract_model(&u->f, contract_sweep))
        return 0;
    sm_diag d;
    sm_diag_init(&d);
    u->policy = sm_inputs_new(u->f.m);
    double values[8];
    sm_sweep_values(u->f.sw, 0, values);
    sm_commit_policy_inputs(u->f.m, u->f.sw, values, u->policy);
    sm_plan_opts_init(&u->o);
    u->o.threads = 2;
    int ok = sm_stage1_build(u->f.m, u->policy, &u->s1, &d) == SM_OK &&
             sm_plan_base_basis(u->f.p, &u->o.lp, &u->base, &d) == SM_OK;
    if (!ok)
        sm_test_dump_diag(&d);
    sm_diag_clear(&d);
    u->rc = (recourse_ctx){u->f.p, u->f.sw};
    u->F = (sm_futures){u->f.p, u->f.sw->samples, u->f.sw->n_params, recourse, &u->rc};
    return ok;
}

static void futures_close(futures_at_policy *u)
{
    sm_basis_free(&u->base);
    sm_stage1_free(&u->s1);
    sm_inputs_free(&u->policy);
    sm_lp_thread_end();
    fixture_free(&u->f);
}

/* Every cut Q_s(k^) + g_s·(k' − k^) lies below Q_s(k') at random k', each
 * re-solved; and the cuts are not all flat. */
static void test_cut_validity(void)
{
    futures_at_policy u;
    CU_ASSERT_FATAL(futures_open(&u));
    sm_diag d;
    sm_diag_init(&d);
    const sm_stage1 *s1 = u.s1;
    size_t n = u.F.n, nk = (size_t)s1->nk;
    sm_evaluator *ev = NULL;
    CU_ASSERT_EQUAL_FATAL(sm_evaluator_new(&u.F, s1, &u.o, u.base, &ev, &d), SM_OK);
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
    futures_close(&u);
    sm_diag_clear(&d);
}

/* Futures' numbers kept between passes (sm_evaluator_keep_coeffs, all of
 * them or a budget's worth) give, bit for bit, what recomputing them
 * gives, at commitments that move from pass to pass: a kept number from
 * another future or a bound left from an earlier commitment shows here. */
static void test_kept_coeffs_fresh(void)
{
    futures_at_policy u;
    CU_ASSERT_FATAL(futures_open(&u));
    sm_diag d;
    sm_diag_init(&d);
    const sm_stage1 *s1 = u.s1;
    size_t n = u.F.n, nk = (size_t)s1->nk;
    sm_evaluator *ev[3] = {NULL, NULL, NULL}; /* recomputed, all kept, some kept */
    for (int e = 0; e < 3; e++)
        CU_ASSERT_EQUAL_FATAL(sm_evaluator_new(&u.F, s1, &u.o, u.base, &ev[e], &d), SM_OK);
    sm_evaluator_keep_coeffs(ev[1], SM_PLAN_CACHE_BUDGET);
    double *k = malloc(nk * sizeof *k), *q = malloc(3 * n * sizeof *q);
    double *g = malloc(3 * n * nk * sizeof *g);
    uint8_t *st = malloc(3 * n);
    size_t all = 0;
    for (int pass = 0; pass < 4; pass++) {
        for (size_t j = 0; j < nk; j++)
            k[j] = (0.2 + 0.8 * uniform01()) * s1->ub[j];
        for (int e = 0; e < 3; e++)
            CU_ASSERT_EQUAL_FATAL(sm_evaluate(ev[e], k, &q[e * n], &st[e * n], &g[e * n * nk],
                                              NULL, NULL, &d), SM_OK);
        for (int e = 1; e < 3; e++) {
            CU_ASSERT_EQUAL(memcmp(q, &q[e * n], n * sizeof *q), 0);
            CU_ASSERT_EQUAL(memcmp(st, &st[e * n], n), 0);
            CU_ASSERT_EQUAL(memcmp(g, &g[e * n * nk], n * nk * sizeof *g), 0);
        }
        if (pass == 0) { /* room for about half of the futures */
            all = sm_evaluator_kept_bytes(ev[1]);
            sm_evaluator_keep_coeffs(ev[2], all / 2);
        }
    }
    CU_ASSERT_TRUE(all > 0);
    CU_ASSERT_TRUE(sm_evaluator_kept_bytes(ev[2]) > 0);
    CU_ASSERT_TRUE(sm_evaluator_kept_bytes(ev[2]) <= all / 2);
    CU_ASSERT_EQUAL(sm_evaluator_kept_bytes(ev[0]), 0);
    free(k);
    free(q);
    free(g);
    free(st);
    for (int e = 0; e < 3; e++)
        sm_evaluator_free(&ev[e]);
    futures_close(&u);
    sm_diag_clear(&d);
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

/* Every master (multi-cut, single cut, blocks; with and without the trust
 * region and cut dropping) reaches the same RP to the gap, with lb <= ub,
 * and blocks with dropping give the same plan on 1 and 2 threads. */
static void test_master_variants_agree(void)
{
    fixture f;
    CU_ASSERT_FATAL(load_contract_model(&f, contract_sweep));
    static const int v[][3] = {{0, 0, 0}, {0, 1, 0}, {1, 1, 0}, {3, 1, 2}, {3, 0, 3}, {3, 1, 2}};
    sm_plan_run runs[6];
    sm_diag d;
    sm_diag_init(&d);
    for (int i = 0; i < 6; i++) {
        sm_plan_opts o;
        sm_plan_opts_init(&o);
        o.cut_blocks = v[i][0];
        o.trust_region = v[i][1];
        o.drop_age = v[i][2];
        o.threads = i == 5 ? 2 : 1;
        CU_ASSERT_EQUAL_FATAL(sm_plan_sweep(f.p, f.sw, &o, 1, NULL, NULL, &runs[i], &d), SM_OK);
    }
    for (size_t g = 0; g < runs[0].n_points; g++)
        for (int i = 0; i < 6; i++) {
            const sm_plan_point *a = &runs[0].points[g], *b = &runs[i].points[g];
            CU_ASSERT_EQUAL(b->rp.stop, SM_PLAN_GAP);
            CU_ASSERT_TRUE(b->rp.lb <= b->rp.ub + 1e-9 * fabs(b->rp.ub));
            CU_ASSERT_TRUE(fabs(a->rp_value - b->rp_value) <= 2e-6 * fabs(a->rp_value));
        }
    for (size_t g = 0; g < runs[0].n_points; g++)
        CU_ASSERT_EQUAL(memcmp(&runs[3].points[g].rp.ub, &runs[5].points[g].rp.ub,
                               sizeof(double)), 0);
    for (int i = 0; i < 6; i++)
        sm_plan_run_free(&runs[i]);
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

/* ---- checkpoints and resume ---------------------------------------------
 *
 * The L-shaped method on grid point 0 of the contract model, once without
 * stopping (keeping a copy of every checkpoint), then stopped after
 * iteration i by the stop flag set from inside the checkpoint callback and
 * resumed from the checkpoint it left: the same plan, bit for bit (all but
 * the seconds). */

typedef struct ckpt_log {
    sm_plan_checkpoint *kept;    /* [n] deep copies */
    int n, stop_after;           /* set the flag at checkpoint stop_after (-1: never) */
    volatile sig_atomic_t flag;
} ckpt_log;

static sm_plan_checkpoint ckpt_copy(const sm_plan_checkpoint *c)
{
    sm_plan_checkpoint k = {c->n_arrays, calloc((size_t)c->n_arrays + 1, sizeof(sm_plan_array))};
    for (int i = 0; i < c->n_arrays; i++) {
        const sm_plan_array *a = &c->arrays[i];
        size_t sz = a->type == 'd' ? 8 : a->type == 'i' ? 4 : 1;
        k.arrays[i] = *a;
        k.arrays[i].data = malloc(a->n * sz + 1);
        memcpy(k.arrays[i].data, a->data, a->n * sz);
    }
    return k;
}

static sm_status keep_checkpoint(void *ctx, const sm_plan_checkpoint *c, sm_diag *d)
{
    ckpt_log *log = ctx;
    (void)d;
    log->kept = realloc(log->kept, ((size_t)log->n + 1) * sizeof *log->kept);
    log->kept[log->n] = ckpt_copy(c);
    if (log->n++ == log->stop_after)
        log->flag = 1;
    return SM_OK;
}

static void ckpt_log_free(ckpt_log *log)
{
    for (int i = 0; i < log->n; i++)
        sm_plan_checkpoint_free(&log->kept[i]);
    free(log->kept);
    memset(log, 0, sizeof *log);
}

/* 1 when a and b are the same plan, seconds aside. */
static int same_result(const sm_plan_result *a, const sm_plan_result *b, size_t n, int nk)
{
    int same = a->stop == b->stop && a->iterations == b->iterations &&
               memcmp(a->k, b->k, (size_t)nk * sizeof(double)) == 0 &&
               memcmp(a->q, b->q, n * sizeof(double)) == 0 &&
               memcmp(a->status, b->status, n) == 0 && memcmp(&a->lb, &b->lb, 8) == 0 &&
               memcmp(&a->ub, &b->ub, 8) == 0 && memcmp(&a->gap, &b->gap, 8) == 0 &&
               memcmp(&a->fees, &b->fees, 8) == 0 && strcmp(a->message, b->message) == 0;
    for (int i = 0; same && i < a->iterations; i++)
        same = memcmp(&a->hist[i].lb, &b->hist[i].lb, 8) == 0 &&
               memcmp(&a->hist[i].ub, &b->hist[i].ub, 8) == 0 &&
               memcmp(&a->hist[i].gap, &b->hist[i].gap, 8) == 0 &&
               a->hist[i].cuts == b->hist[i].cuts;
    return same;
}

typedef struct resume_case {
    fixture f;
    sm_stage1 *s1;
    sm_inputs *policy;
    sm_basis *base;
    recourse_ctx rc;
    sm_futures F;
} resume_case;

static int resume_case_init(resume_case *c, const char *sweep)
{
    memset(c, 0, sizeof *c);
    if (!load_contract_model(&c->f, sweep))
        return 0;
    sm_diag d;
    sm_diag_init(&d);
    double values[16];
    sm_sweep_values(c->f.sw, 0, values);
    c->policy = sm_inputs_new(c->f.m);
    sm_commit_policy_inputs(c->f.m, c->f.sw, values, c->policy);
    sm_lp_opts lo;
    sm_lp_opts_init(&lo);
    int ok = sm_stage1_build(c->f.m, c->policy, &c->s1, &d) == SM_OK &&
             sm_plan_base_basis(c->f.p, &lo, &c->base, &d) == SM_OK;
    c->rc = (recourse_ctx){c->f.p, c->f.sw};
    c->F = (sm_futures){c->f.p, c->f.sw->samples, c->f.sw->n_params, recourse, &c->rc};
    sm_diag_clear(&d);
    return ok;
}

static void resume_case_free(resume_case *c)
{
    sm_basis_free(&c->base);
    sm_stage1_free(&c->s1);
    sm_inputs_free(&c->policy);
    fixture_free(&c->f);
}

/* Stopped after iteration i for a few i across the run (every i would
 * make the test quadratic in the iterations). */
static int stop_point(int i, int last)
{
    return i <= 1 || i == last / 2 || i == last - 1;
}

/* aggressive: 3 cut blocks and cuts dropped after one solve with a basic
 * slack, so that the ages and the trust region's state are exercised. */
static void check_resume(resume_case *c, int threads, double risk_weight, int aggressive)
{
    size_t n = c->F.n;
    int nk = c->s1->nk;
    sm_diag d;
    sm_diag_init(&d);
    sm_plan_opts o;
    sm_plan_opts_init(&o);
    o.threads = threads;
    o.risk_weight = risk_weight;
    o.cvar_alpha = 0.7;
    if (aggressive) {
        o.cut_blocks = 3;
        o.drop_age = 1;
    }
    ckpt_log all = {NULL, 0, -1, 0};
    o.checkpoint = keep_checkpoint;
    o.checkpoint_ctx = &all;
    sm_plan_result ref;
    CU_ASSERT_EQUAL_FATAL(sm_plan_solve(&c->F, c->s1, &o, c->base, &ref, &d), SM_OK);
    CU_ASSERT_EQUAL(ref.stop, SM_PLAN_GAP);
    CU_ASSERT_TRUE(ref.iterations >= 3);
    /* One checkpoint after the first evaluation, one per iteration. */
    CU_ASSERT_EQUAL(all.n, ref.iterations + 1);
    for (int i = 0; i + 1 < all.n; i++) {
        if (!stop_point(i, all.n - 1))
            continue;
        /* The stop is decided before a boundary's checkpoint (so that the
         * saver knows it is the last): a flag raised during checkpoint
         * i - 1 stops at boundary i, and one raised before the start at
         * boundary 0. */
        ckpt_log part = {NULL, 0, i - 1, i == 0};
        sm_plan_opts os = o;
        os.checkpoint_ctx = &part;
        os.stop_flag = &part.flag;
        sm_plan_result cut, res;
        CU_ASSERT_EQUAL_FATAL(sm_plan_solve(&c->F, c->s1, &os, c->base, &cut, &d), SM_OK);
        CU_ASSERT_EQUAL(cut.stop, SM_PLAN_INTERRUPTED);
        CU_ASSERT_EQUAL(cut.iterations, i);
        CU_ASSERT_EQUAL_FATAL(part.n, i + 1);
        sm_plan_opts orr = o;
        orr.checkpoint = NULL;
        orr.resume = &part.kept[part.n - 1];
        CU_ASSERT_EQUAL_FATAL(sm_plan_solve(&c->F, c->s1, &orr, c->base, &res, &d), SM_OK);
        int same = same_result(&ref, &res, n, nk);
        if (!same)
            fprintf(stderr, "resume after iteration %d on %d thread(s) differs: %d iterations "
                    "against %d, ub %.17g against %.17g\n", i, threads, res.iterations,
                    ref.iterations, res.ub, ref.ub);
        CU_ASSERT_TRUE(same);
        sm_plan_result_free(&cut);
        sm_plan_result_free(&res);
        ckpt_log_free(&part);
    }
    /* The final checkpoint: the same plan at once, no iteration more. */
    sm_plan_opts of = o;
    ckpt_log none = {NULL, 0, -1, 0};
    of.checkpoint_ctx = &none;
    of.resume = &all.kept[all.n - 1];
    sm_plan_result fin;
    CU_ASSERT_EQUAL_FATAL(sm_plan_solve(&c->F, c->s1, &of, c->base, &fin, &d), SM_OK);
    CU_ASSERT_TRUE(same_result(&ref, &fin, n, nk));
    CU_ASSERT_EQUAL(none.n, 0);
    sm_plan_result_free(&fin);
    sm_plan_result_free(&ref);
    ckpt_log_free(&all);
    ckpt_log_free(&none);
    sm_lp_thread_end();
    sm_diag_clear(&d);
}

static void test_resume_identical(void)
{
    resume_case c;
    CU_ASSERT_FATAL(resume_case_init(&c, contract_sweep));
    check_resume(&c, 1, 0.0, 0);
    check_resume(&c, 2, 0.0, 0);
    check_resume(&c, 2, 0.6, 0); /* the master's CVaR columns and rows too */
    check_resume(&c, 2, 0.0, 1); /* cut ages and the trust region too */
    resume_case_free(&c);
}

/* A stop requested during the measures' passes (here: at the first
 * future of k*'s evaluation) ends the policy as interrupted, handing its
 * ended decomposition to the checkpoint hook once more; resumed from the
 * last checkpoint, the policy has the same plan and measures as one never
 * stopped. */
static void stop_in_pass(void *ctx, size_t s, const sm_inputs *in, const double *x,
                         const double *y, const sm_solve_info *info)
{
    (void)s, (void)in, (void)x, (void)y, (void)info;
    ((ckpt_log *)ctx)->flag = 1;
}

static void test_stop_during_measures(void)
{
    fixture f;
    CU_ASSERT_FATAL(load_contract_model(&f, contract_sweep));
    sm_diag d;
    sm_diag_init(&d);
    sm_lp_opts lo;
    sm_lp_opts_init(&lo);
    sm_basis *base = NULL;
    CU_ASSERT_EQUAL_FATAL(sm_plan_base_basis(f.p, &lo, &base, &d), SM_OK);
    sm_plan_opts o;
    sm_plan_opts_init(&o);
    o.threads = 2;
    sm_plan_point ref, cut, res;
    CU_ASSERT_EQUAL_FATAL(sm_plan_point_run(f.p, f.sw, 0, &o, base, NULL, NULL, &ref, &d), SM_OK);
    CU_ASSERT_EQUAL(ref.rp.stop, SM_PLAN_GAP);
    ckpt_log log = {NULL, 0, -1, 0};
    sm_plan_opts os = o;
    os.checkpoint = keep_checkpoint;
    os.checkpoint_ctx = &log;
    os.stop_flag = &log.flag;
    CU_ASSERT_EQUAL_FATAL(sm_plan_point_run(f.p, f.sw, 0, &os, base, stop_in_pass, &log, &cut, &d),
                          SM_OK);
    CU_ASSERT_EQUAL(cut.rp.stop, SM_PLAN_INTERRUPTED);
    CU_ASSERT_FATAL(log.n >= 2);
    /* The last two: the ended decomposition's, and again at the stop. */
    CU_ASSERT_EQUAL(log.kept[log.n - 1].n_arrays, log.kept[log.n - 2].n_arrays);
    sm_plan_opts orr = o;
    orr.resume = &log.kept[log.n - 1];
    CU_ASSERT_EQUAL_FATAL(sm_plan_point_run(f.p, f.sw, 0, &orr, base, NULL, NULL, &res, &d), SM_OK);
    size_t nkf = (size_t)f.m->n_offers * (size_t)f.m->n_periods, n = f.sw->samples;
    CU_ASSERT_EQUAL(res.rp.stop, SM_PLAN_GAP);
    CU_ASSERT_EQUAL(res.rp.iterations, ref.rp.iterations);
    CU_ASSERT_EQUAL(memcmp(res.k_full, ref.k_full, nkf * sizeof(double)), 0);
    CU_ASSERT_EQUAL(memcmp(res.kbar_full, ref.kbar_full, nkf * sizeof(double)), 0);
    CU_ASSERT_EQUAL(memcmp(res.regret, ref.regret, n * sizeof(double)), 0);
    CU_ASSERT_EQUAL(memcmp(res.z, ref.z, n * sizeof(double)), 0);
    double a[5] = {res.rp_value, res.ws, res.eev, res.evpi, res.vss},
           b[5] = {ref.rp_value, ref.ws, ref.eev, ref.evpi, ref.vss};
    CU_ASSERT_EQUAL(memcmp(a, b, sizeof a), 0);
    sm_plan_point_free(&ref);
    sm_plan_point_free(&cut);
    sm_plan_point_free(&res);
    ckpt_log_free(&log);
    sm_basis_free(&base);
    sm_lp_thread_end();
    sm_diag_clear(&d);
    fixture_free(&f);
}

/* ---- the passes after the decomposition ------------------------------- */

/* Each future's primal solution at k*, as the plan file's sink sees it. */
typedef struct seen_x {
    size_t n_cols;
    double *x;      /* [n * n_cols] */
    int *calls;     /* [n] */
} seen_x;

static void keep_x(void *ctx, size_t s, const sm_inputs *in, const double *x, const double *y,
                   const sm_solve_info *info)
{
    seen_x *k = ctx;
    (void)in, (void)y;
    if (info->status == SM_SCEN_OPTIMAL)
        memcpy(&k->x[s * k->n_cols], x, k->n_cols * sizeof *x);
    k->calls[s]++;
}

/* Q_s at k (stage-one order) for every future, each solved cold: a new
 * evaluator, so every future starts from the base case's basis. */
static void cold_q(futures_at_policy *u, const double *k, double *q, uint8_t *st)
{
    sm_diag d;
    sm_diag_init(&d);
    sm_evaluator *ev = NULL;
    CU_ASSERT_EQUAL_FATAL(sm_evaluator_new(&u->F, u->s1, &u->o, u->base, &ev, &d), SM_OK);
    CU_ASSERT_EQUAL_FATAL(sm_evaluate(ev, k, q, st, NULL, NULL, NULL, &d), SM_OK);
    sm_evaluator_free(&ev);
    sm_diag_clear(&d);
}

static int close_rel(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(1.0, fabs(b));
}

/* k*'s evaluation for the file and the EEV pass start each future from
 * the basis the decomposition left it: what they record must be that
 * future's own optimum at that commitment. Each future's cost at k* (its
 * solution x priced by its own numbers) and at k-bar (eev_cost) against a
 * cold re-solve at the same k, to 1e-9 relative: a basis, numbers or
 * solution of another future, or of another commitment, shows here. */
static void test_measures_match_cold_solves(void)
{
    futures_at_policy u;
    CU_ASSERT_FATAL(futures_open(&u));
    sm_diag d;
    sm_diag_init(&d);
    const sm_layout *L = u.f.p->layout;
    size_t n = u.F.n, nk = (size_t)u.s1->nk, nc = (size_t)L->n_cols;
    seen_x seen = {nc, calloc(n * nc, sizeof(double)), calloc(n, sizeof(int))};
    sm_plan_point pt;
    CU_ASSERT_EQUAL_FATAL(sm_plan_point_run(u.f.p, u.f.sw, 0, &u.o, u.base, keep_x, &seen, &pt,
                                            &d), SM_OK);
    CU_ASSERT_EQUAL_FATAL(pt.rp.stop, SM_PLAN_GAP);
    double *q = calloc(n, sizeof *q), *kbar = calloc(nk, sizeof *kbar);
    double *values = malloc(((size_t)u.f.sw->n_params + 1) * sizeof *values);
    uint8_t *st = calloc(n, 1);
    sm_inputs *in = sm_inputs_new(u.f.m);
    sm_coeffs *c = sm_coeffs_new(L);
    cold_q(&u, pt.rp.k, q, st);
    int bad_k = 0, bad_bar = 0, moved = 0;
    for (size_t s = 0; s < n; s++) {
        CU_ASSERT_EQUAL(seen.calls[s], 1);
        CU_ASSERT_EQUAL_FATAL(st[s], SM_SCEN_OPTIMAL);
        recourse(&u.rc, s, values, in, c);
        double cost = c->obj_const;
        for (size_t j = 0; j < nc; j++)
            cost += c->obj[j] * seen.x[s * nc + j];
        bad_k += !close_rel(cost, q[s]);
        bad_k += !close_rel(pt.rp.q[s], q[s]); /* the incumbent's, behind the regrets */
    }
    /* k-bar in stage-one order, from the file's full array. */
    for (size_t j = 0; j < nk; j++)
        kbar[j] = pt.kbar_full[(size_t)u.s1->offer[j] * (size_t)u.s1->T + (size_t)u.s1->period[j]];
    for (size_t j = 0; j < nk; j++)
        moved += fabs(kbar[j] - pt.rp.k[j]) > 1e-6 * fmax(1.0, u.s1->ub[j]);
    cold_q(&u, kbar, q, st);
    for (size_t s = 0; s < n; s++) {
        double want = st[s] == SM_SCEN_OPTIMAL ? pt.fees_bar + q[s] : HUGE_VAL;
        bad_bar += !(isfinite(want) ? close_rel(pt.eev_cost[s], want) : pt.eev_cost[s] == want);
    }
    if (bad_k || bad_bar || !moved)
        fprintf(stderr, "measures against cold solves: %d wrong at k*, %d at k-bar, k-bar "
                "differs from k* in %d commitments\n", bad_k, bad_bar, moved);
    CU_ASSERT_EQUAL(bad_k, 0);
    CU_ASSERT_EQUAL(bad_bar, 0);
    CU_ASSERT_TRUE(moved > 0); /* else k-bar's pass would not test another k */
    sm_inputs_free(&in);
    sm_coeffs_free(&c);
    free(values);
    free(q);
    free(kbar);
    free(st);
    free(seen.x);
    free(seen.calls);
    sm_plan_point_free(&pt);
    futures_close(&u);
    sm_diag_clear(&d);
}

/* Resume data of another plan is refused, naming what does not fit. */
static void test_resume_mismatch(void)
{
    resume_case c;
    CU_ASSERT_FATAL(resume_case_init(&c, contract_sweep));
    sm_plan_checkpoint bad = {0, NULL};
    sm_plan_opts o;
    sm_plan_opts_init(&o);
    o.resume = &bad;
    sm_plan_result r;
    sm_diag d;
    sm_diag_init(&d);
    CU_ASSERT_EQUAL(sm_plan_solve(&c.F, c.s1, &o, c.base, &r, &d), SM_EINPUT);
    CU_ASSERT_TRUE(d.count > 0 && strstr(d.entries[0].text, "decomposition") != NULL);
    sm_plan_result_free(&r);
    sm_diag_clear(&d);
    /* A checkpoint of the same plan under another rho: its master's costs
     * are not this plan's. */
    ckpt_log log = {NULL, 0, 0, 0};
    o.resume = NULL;
    o.checkpoint = keep_checkpoint;
    o.checkpoint_ctx = &log;
    o.stop_flag = &log.flag;
    CU_ASSERT_EQUAL_FATAL(sm_plan_solve(&c.F, c.s1, &o, c.base, &r, &d), SM_OK);
    CU_ASSERT_EQUAL(r.stop, SM_PLAN_INTERRUPTED);
    sm_plan_result_free(&r);
    sm_plan_opts o2;
    sm_plan_opts_init(&o2);
    o2.risk_weight = 0.3;
    o2.resume = &log.kept[0];
    CU_ASSERT_EQUAL(sm_plan_solve(&c.F, c.s1, &o2, c.base, &r, &d), SM_EINPUT);
    CU_ASSERT_TRUE(d.count > 0 && strstr(d.entries[0].text, "risk weight 0 ") != NULL);
    sm_plan_result_free(&r);
    ckpt_log_free(&log);
    sm_diag_clear(&d);
    resume_case_free(&c);
}

/* ---- CVaR ----------------------------------------------------------------
 *
 * rho of a few vectors by hand: CVaR_alpha of {1, 2, 3, 4} (equal
 * weights) is the mean of the worst (1 − alpha) share: alpha 0.5 -> 3.5,
 * 0.75 -> 4, 0.6 -> (4 + 0.6·3)/1.6 = 3.625 (a fractional tail), 0 -> the
 * mean 2.5; rho with lambda 0.5, alpha 0.5 = 0.5·2.5 + 0.5·3.5 = 3. */
static void test_risk_value(void)
{
    const double z[4] = {3, 1, 4, 2};
    CU_ASSERT_TRUE(sm_test_close(sm_cvar(z, 4, 0.5), 3.5, 1e-12));
    CU_ASSERT_TRUE(sm_test_close(sm_cvar(z, 4, 0.75), 4.0, 1e-12));
    CU_ASSERT_TRUE(sm_test_close(sm_cvar(z, 4, 0.6), 3.625, 1e-12));
    CU_ASSERT_TRUE(sm_test_close(sm_cvar(z, 4, 0.0), 2.5, 1e-12));
    CU_ASSERT_TRUE(sm_test_close(sm_risk_value(z, 4, 0.5, 0.5), 3.0, 1e-12));
    CU_ASSERT_TRUE(sm_test_close(sm_risk_value(z, 4, 0.0, 0.9), 2.5, 1e-12));
    CU_ASSERT_TRUE(sm_test_close(sm_risk_value(z, 4, 1.0, 0.75), 4.0, 1e-12));
    const double one[1] = {7};
    CU_ASSERT_TRUE(sm_test_close(sm_risk_value(one, 1, 0.8, 0.95), 7.0, 1e-12));
    const double bad[2] = {1, NAN};
    CU_ASSERT_TRUE(isnan(sm_risk_value(bad, 2, 0.5, 0.5)));
}

/* A hand-solved plan under CVaR: hedging that does not pay on average
 * pays under risk.
 *
 * One period, demand 100 t of NdPr, no China cap, shortfall 1000 USD/t.
 * C1 (China) spot, c = 8·1.25 = 10, capacity 100. U1 (USA) contract,
 * c = 15, fee 600, capacity 100. Futures A (China availability 1: cap 100)
 * and B (availability 0.2: cap 20), equally likely.
 * Q_A(k) = 100·10 = 1000 for every k (China is cheaper than U1).
 * Q_B(k) = 20·10 + 15 min(k, 80) + 1000 (80 − min(k, 80))
 *        = 80200 − 985 min(k, 80).
 * Risk neutral: slope 600 − 985/2 > 0, so k* = 0, RP = (1000 + 80200)/2
 *   = 40600.
 * lambda = 0.5, alpha = 0.5: with two futures CVaR_0.5 is the worse one,
 *   Q_B (>= Q_A for k <= 80), so rho(Q) = 0.25 Q_A + 0.75 Q_B; slope
 *   600 − 0.75·985 = −138.75 < 0 up to 80, then 600: k* = 80.
 *   RP = 48000 + 0.5·(1000 + 1400)/2 + 0.5·1400 = 48000 + 600 + 700 = 49300.
 * WS: Z_A = 1000 (k = 0), Z_B = min 600 k + Q_B(k) = 48000 + 1400 = 49400
 *   (k = 80); rho(Z) = 0.5·25200 + 0.5·49400 = 37300; EVPI = 12000.
 * Average future: China bound 60: Q(k) = 600 + 15 min(k, 40) + 1000 (40 −
 *   min(k, 40)), fee 600 < 985: k-bar = 40. EEV = 24000 + rho(1000,
 *   80200 − 39400 = 40800) = 24000 + 0.5·20900 + 0.5·40800 = 54850;
 *   VSS = 5550.
 * Regrets: A: 48000 + 1000 − 1000 = 48000; B: 48000 + 1400 − 49400 = 0. */
static void test_hand_solved_cvar(void)
{
    const char *sup =
        "supplier,region,material,capacity_t_per_period,price_usd_per_t,freight_usd_per_t,"
        "start_period,ramp_periods,terms,fee_usd_per_t,source\n"
        "C1,China,NdPr,100,8,0,1,0,spot,,test\n"
        "U1,USA,NdPr,100,15,0,1,0,contract,600,test\n";
    char *y1 = sm_tiny_replace(sm_tiny_yaml, "count: 2", "count: 1");
    char *y2 = sm_tiny_replace(y1, "share: 0.6", "share: 1.0");
    fixture f;
    int ok = fixture_load(&f, y2, sup, "material,period,demand_t\nNdPr,1,100\n", hand_sweep);
    free(y1);
    free(y2);
    CU_ASSERT_FATAL(ok);
    double v0;
    sm_sweep_values(f.sw, 0, &v0);
    size_t a = v0 == 1.0 ? 0 : 1, b = 1 - a;
    sm_plan_opts o;
    sm_plan_opts_init(&o);
    sm_plan_run run;
    sm_diag d;
    sm_diag_init(&d);
    CU_ASSERT_EQUAL_FATAL(sm_plan_sweep(f.p, f.sw, &o, 1, NULL, NULL, &run, &d), SM_OK);
    CU_ASSERT_TRUE(sm_test_close(run.points[0].k_full[1], 0, TOL));
    CU_ASSERT_TRUE(sm_test_close(run.points[0].rp_value, 40600, TOL));
    sm_plan_run_free(&run);
    o.risk_weight = 0.5;
    o.cvar_alpha = 0.5;
    CU_ASSERT_EQUAL_FATAL(sm_plan_sweep(f.p, f.sw, &o, 1, NULL, NULL, &run, &d), SM_OK);
    const sm_plan_point *pt = &run.points[0];
    CU_ASSERT_EQUAL(pt->rp.stop, SM_PLAN_GAP);
    CU_ASSERT_TRUE(sm_test_close(pt->k_full[1], 80, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->rp_value, 49300, TOL));
    CU_ASSERT_TRUE(pt->rp.lb <= pt->rp.ub + 1e-9 && pt->rp.gap <= 1e-6);
    CU_ASSERT_TRUE(sm_test_close(pt->rp.fees, 48000, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->z[a], 1000, TOL) && sm_test_close(pt->z[b], 49400, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->ws, 37300, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->evpi, 12000, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->kbar_full[1], 40, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->eev, 54850, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->vss, 5550, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->regret[a], 48000, TOL));
    CU_ASSERT_TRUE(sm_test_close(pt->regret[b], 0, TOL));
    sm_plan_run_free(&run);
    sm_diag_clear(&d);
    fixture_free(&f);
}

/* MODEL.md: EVPI >= 0 and VSS >= 0 under rho too, up to the gap, on the
 * contract model with lambda 0.7 and alpha 0.8. */
static void test_cvar_measures_nonnegative(void)
{
    fixture f;
    CU_ASSERT_FATAL(load_contract_model(&f, contract_sweep));
    sm_plan_opts o;
    sm_plan_opts_init(&o);
    o.threads = 2;
    o.risk_weight = 0.7;
    o.cvar_alpha = 0.8;
    sm_plan_run run;
    sm_diag d;
    sm_diag_init(&d);
    CU_ASSERT_EQUAL_FATAL(sm_plan_sweep(f.p, f.sw, &o, 1, NULL, NULL, &run, &d), SM_OK);
    for (size_t g = 0; g < run.n_points; g++) {
        const sm_plan_point *pt = &run.points[g];
        CU_ASSERT_EQUAL(pt->rp.stop, SM_PLAN_GAP);
        double tol = o.gap * fabs(pt->rp_value);
        CU_ASSERT_TRUE(pt->evpi >= -tol);
        CU_ASSERT_TRUE(pt->vss >= -tol);
        /* rho weighs the bad futures more: RP above the plain mean at k*. */
        double mean = pt->rp.fees;
        for (size_t s = 0; s < pt->n; s++)
            mean += pt->rp.q[s] / (double)pt->n;
        CU_ASSERT_TRUE(pt->rp_value > mean);
    }
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
        {"futures' kept numbers are the recomputed ones", test_kept_coeffs_fresh},
        {"identical plans on 1, 2 and 3 threads", test_threads_identical},
        {"every master variant reaches the same RP", test_master_variants_agree},
        {"a model without contracts is unchanged", test_no_contracts_unchanged},
        {"stopped after an iteration and resumed: the same plan, 1 and 2 threads",
         test_resume_identical},
        {"resume data of another plan is refused", test_resume_mismatch},
        {"a stop during WS/EEV saves, and resumes to the same measures", test_stop_during_measures},
        {"k*'s and k-bar's passes, warm, match cold solves", test_measures_match_cold_solves},
        {"rho and CVaR of small vectors", test_risk_value},
        {"hand-solved plan under CVaR", test_hand_solved_cvar},
        {"EVPI >= 0 and VSS >= 0 under CVaR", test_cvar_measures_nonnegative},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"plan", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
