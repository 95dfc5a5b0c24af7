/* The LP on small instances whose optimum is known by hand (MODEL.md):
 * a binding cap with its dual, a late mine's ramp, stock carried forward,
 * shortfall when capacity is short, an infeasible floor; and a warm
 * re-solve agreeing with a cold one. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "solver/lp.h"
#include "io/sweep_load.h"
#include "models/problem.h"
#include "support/testing.h"
#include "support/tiny_model.h"

#define TOL 1e-9

typedef struct solved {
    sm_model *m;
    sm_problem *p;
    sm_lp *lp;
    sm_block *b;
    sm_solve_info info;
    char *dir;
} solved;

static void solved_free(solved *s)
{
    sm_block_free(&s->b);
    sm_lp_free(&s->lp);
    sm_problem_free(&s->p);
    sm_model_free(&s->m);
    sm_test_rmtree(s->dir);
}

/* Fill block row 0 from the LP's current solution. */
static void record(solved *s, const sm_inputs *in)
{
    const sm_layout *L = s->p->layout;
    double *x = malloc((size_t)L->n_cols * sizeof *x), *y = malloc((size_t)L->n_rows * sizeof *y);
    sm_block_clear_row(s->b, 0);
    if (s->info.status == SM_SCEN_OPTIMAL) {
        sm_lp_solution(s->lp, x, y);
        sm_block_fill_row(s->b, 0, s->m, L, in, x, y);
    }
    sm_block_set_status(s->b, 0, s->info.status, s->info.glpk_code, s->info.iterations, 0);
    free(x);
    free(y);
}

/* Load and solve (cold) a tiny-model variant; CU_FAIL and return 0 on failure. */
static int solve(const char *yaml, const char *sup, const char *dem, solved *s)
{
    memset(s, 0, sizeof *s);
    sm_status st;
    sm_diag d;
    s->dir = sm_tiny_load(yaml, sup, dem, &s->m, &st, &d);
    if (st != SM_OK) {
        sm_test_dump_diag(&d);
        sm_diag_clear(&d);
        CU_FAIL("model did not load");
        return 0;
    }
    CU_ASSERT_EQUAL(sm_problem_new(s->m, &s->p, &d), SM_OK);
    CU_ASSERT_EQUAL(sm_lp_new(&s->lp, s->m, s->p->layout, s->p->base_coeffs, NULL, &d), SM_OK);
    CU_ASSERT_EQUAL(sm_lp_solve(s->lp, 0, &s->info), SM_OK);
    s->b = sm_block_new(&s->p->dims, 1, 1);
    record(s, s->p->base_inputs);
    sm_diag_clear(&d);
    return 1;
}

static double v(const solved *s, sm_var var, size_t k)
{
    return ((const double *)sm_block_row(s->b, var, 0))[k];
}

static void test_binding_cap_and_dual(void)
{
    solved s;
    if (!solve(NULL, NULL, NULL, &s))
        return;
    /* China costs 8 × 1.25 = 10, the USA 15; China may supply 60 of 100 t. */
    CU_ASSERT_EQUAL(s.info.status, SM_SCEN_OPTIMAL);
    CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_TOTAL_COST, 0), 2 * (60 * 10 + 40 * 15), TOL));
    CU_ASSERT_TRUE(sm_test_close(sm_lp_objective(s.lp), 2400, TOL));
    CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_COST_PURCHASE, 0), 8 * 120 + 15 * 80, TOL));
    CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_COST_TARIFF, 0), 8 * 0.25 * 120, TOL));
    CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_REGION_SHARE, 0), 0.6, TOL)); /* China, NdPr */
    CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_PURCHASES_REGION, 1), 80, TOL)); /* USA */
    /* One more tonne of cap saves 15 − 10: the cap rows' duals are −5. */
    CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_LIMIT_DUAL, 0), -5, TOL));
    CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_LIMIT_DUAL, 1), -5, TOL));
    /* One more point of share: 1 t per period × 2 periods × 5 USD. */
    CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_LIMIT_SAVING, 0), 10, TOL));
    /* The marginal tonne comes from the USA. */
    CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_MARGINAL_COST, 0), 15, TOL));
    CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_SHORTFALL_TOTAL, 0), 0, TOL));
    solved_free(&s);
}

static void test_late_mine_ramp(void)
{
    /* A cheap mine starting in period 3 with a one-period ramp: 50 % of its
     * 100 t in period 3, all of it from period 4; 80 t needed a period. */
    char *y = sm_tiny_replace(sm_tiny_yaml, "  count: 2", "  count: 4");
    char *y2 = sm_tiny_replace(y, "limits:\n  cap:\n    kind: cap\n    regions: [China]\n    share: 0.6\n", "");
    const char *sup = "supplier,region,material,capacity_t_per_period,price_usd_per_t,"
                      "freight_usd_per_t,start_period,ramp_periods\n"
                      "Late,USA,NdPr,100,5,0,3,1\n"
                      "Old,USA,NdPr,1000,20,0,1,0\n";
    const char *dem = "material,period,demand_t\nNdPr,1,80\nNdPr,2,80\nNdPr,3,80\nNdPr,4,80\n";
    solved s;
    if (solve(y2, sup, dem, &s)) {
        CU_ASSERT_EQUAL(s.info.status, SM_SCEN_OPTIMAL);
        const double want_late[4] = {0, 0, 50, 80}, want_old[4] = {80, 80, 30, 0};
        for (int t = 0; t < 4; t++) {
            CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_PURCHASES, t), want_late[t], TOL));
            CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_PURCHASES, 4 + t), want_old[t], TOL));
        }
        CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_TOTAL_COST, 0), 5 * 130 + 20 * 190, TOL));
        CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_MARGINAL_COST, 3), 5, TOL));
        solved_free(&s);
    }
    free(y);
    free(y2);
}

static void test_stock_carried_forward(void)
{
    /* China ships nothing from period 2: buy 100 t at 10 in period 1, hold
     * 50 t for one period at 1 USD/t. */
    char *y = sm_tiny_replace(sm_tiny_yaml, "China: {tariff: 0.25}",
                              "China: {availability: 0, availability_from: 2}");
    char *y2 = sm_tiny_replace(y, "    shortfall_penalty: 1000\n",
                               "    shortfall_penalty: 1000\n    holding_cost: 1\n"
                               "    stock_capacity: 100\n");
    /* Without the cap: it limits each period's purchases from China to a
     * share of that period's demand, which forbids buying ahead. */
    char *y3 = sm_tiny_replace(y2, "limits:\n  cap:\n    kind: cap\n    regions: [China]\n    share: 0.6\n", "");
    const char *sup = "supplier,region,material,capacity_t_per_period,price_usd_per_t,"
                      "freight_usd_per_t,start_period,ramp_periods\n"
                      "A,China,NdPr,200,10,0,1,0\n"
                      "B,USA,NdPr,1000,100,0,1,0\n";
    const char *dem = "material,period,demand_t\nNdPr,1,50\nNdPr,2,50\n";
    solved s;
    if (solve(y3, sup, dem, &s)) {
        CU_ASSERT_EQUAL(s.info.status, SM_SCEN_OPTIMAL);
        CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_TOTAL_COST, 0), 1000 + 50, TOL));
        CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_STOCK, 0), 50, TOL));
        CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_STOCK, 1), 0, TOL));
        CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_COST_HOLDING, 0), 50, TOL));
        CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_PURCHASES, 0), 100, TOL));
        /* A tonne more in period 2 is bought in period 1 and held. */
        CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_MARGINAL_COST, 1), 11, TOL));
        solved_free(&s);
    }
    free(y);
    free(y2);
    free(y3);
}

static void test_shortfall(void)
{
    char *y = sm_tiny_replace(sm_tiny_yaml, "share: 0.6", "share: 1");
    const char *sup = "supplier,region,material,capacity_t_per_period,price_usd_per_t,"
                      "freight_usd_per_t,start_period,ramp_periods\n"
                      "C1,China,NdPr,30,8,0,1,0\n";
    const char *dem = "material,period,demand_t\nNdPr,1,50\nNdPr,2,0\n";
    solved s;
    if (solve(y, sup, dem, &s)) {
        CU_ASSERT_EQUAL(s.info.status, SM_SCEN_OPTIMAL);
        CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_SHORTFALL_TOTAL, 0), 20, TOL));
        CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_SHORTFALL, 0), 20, TOL));
        CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_COST_SHORTFALL, 0), 20 * 1000, TOL));
        CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_TOTAL_COST, 0), 30 * 10 + 20 * 1000, TOL));
        CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_MARGINAL_COST, 0), 1000, TOL));
        solved_free(&s);
    }
    free(y);
}

static void test_infeasible_floor(void)
{
    char *y = sm_tiny_replace(sm_tiny_yaml, "    kind: cap\n    regions: [China]\n    share: 0.6",
                              "    kind: floor\n    regions: [USA]\n    share: 0.5");
    char *sup = sm_tiny_replace(sm_tiny_suppliers, "U1,USA,NdPr,100", "U1,USA,NdPr,10");
    solved s;
    if (solve(y, sup, NULL, &s)) {
        CU_ASSERT_EQUAL(s.info.status, SM_SCEN_INFEASIBLE);
        CU_ASSERT_TRUE(isnan(v(&s, SM_V_TOTAL_COST, 0)));
        CU_ASSERT_EQUAL(*(int8_t *)sm_block_row(s.b, SM_V_STATUS, 0), SM_SCEN_INFEASIBLE);
        solved_free(&s);
    }
    free(y);
    free(sup);
}

/* Patch the loaded LP to another scenario and re-solve warm: the same
 * optimum as a cold solve of that scenario, and a bound conflict is an
 * infeasible scenario, not an error. */
static void test_warm_patch_matches_cold(void)
{
    solved s;
    if (!solve(NULL, NULL, NULL, &s))
        return;
    sm_inputs *in = sm_inputs_new(s.m);
    sm_coeffs *c = sm_coeffs_new(s.p->layout);
    CU_ASSERT_PTR_NOT_NULL_FATAL(in);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    in->share[0] = 0.3;      /* tighter cap */
    in->tariff[0] = 0.5;     /* China: 8 × 1.5 = 12 */
    sm_coeffs_compute(s.m, s.p->layout, in, c);
    sm_lp_load(s.lp, c);
    CU_ASSERT_EQUAL(sm_lp_solve(s.lp, 1, &s.info), SM_OK);
    CU_ASSERT_EQUAL(s.info.status, SM_SCEN_OPTIMAL);
    double warm = sm_lp_objective(s.lp);
    CU_ASSERT_TRUE(sm_test_close(warm, 2 * (30 * 12 + 70 * 15), TOL));
    CU_ASSERT_EQUAL(sm_lp_solve(s.lp, 0, &s.info), SM_OK);
    CU_ASSERT_TRUE(sm_test_close(sm_lp_objective(s.lp), warm, 1e-12));
    /* Patching back to the base leaves an optimal basis for a cheaper LP. */
    sm_lp_load(s.lp, s.p->base_coeffs);
    CU_ASSERT_EQUAL(sm_lp_solve(s.lp, 1, &s.info), SM_OK);
    CU_ASSERT_TRUE(sm_test_close(sm_lp_objective(s.lp), 2400, TOL));
    /* Stock capacity below the end target: lb > ub on s[m,T]. */
    sm_inputs_reset(s.m, in);
    in->stock_capacity[0] = -1;
    sm_coeffs_compute(s.m, s.p->layout, in, c);
    sm_lp_load(s.lp, c);
    CU_ASSERT_EQUAL(sm_lp_solve(s.lp, 1, &s.info), SM_OK);
    CU_ASSERT_EQUAL(s.info.status, SM_SCEN_INFEASIBLE);
    sm_lp_load(s.lp, s.p->base_coeffs);
    CU_ASSERT_EQUAL(sm_lp_solve(s.lp, 1, &s.info), SM_OK);
    CU_ASSERT_TRUE(sm_test_close(sm_lp_objective(s.lp), 2400, TOL));
    sm_coeffs_free(&c);
    sm_inputs_free(&in);
    solved_free(&s);
}

/* A GLPK fatal error inside a solve (here a negative iteration limit,
 * which glp_simplex rejects with xerror) is caught by the error hook: the
 * call returns SM_ESOLVER with GLPK's message instead of aborting the
 * process, and a new problem solves on the same thread. */
static void test_glpk_fatal_error_is_caught(void)
{
    solved s;
    if (!solve(NULL, NULL, NULL, &s))
        return;
    sm_lp_opts bad;
    sm_lp_opts_init(&bad);
    bad.it_lim = -1;
    sm_lp *lp = NULL;
    sm_diag d;
    sm_diag_init(&d);
    CU_ASSERT_EQUAL_FATAL(sm_lp_new(&lp, s.m, s.p->layout, s.p->base_coeffs, &bad, &d), SM_OK);
    sm_solve_info info;
    CU_ASSERT_EQUAL(sm_lp_solve(lp, 0, &info), SM_ESOLVER);
    CU_ASSERT_EQUAL(info.status, SM_SCEN_SOLVER_FAILURE);
    CU_ASSERT_EQUAL(info.glpk_code, -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(info.message, "it_lim"));
    sm_lp_free(&lp);      /* its GLPK problem went with the environment */
    sm_lp_forget(&s.lp);  /* so did the fixture's, made on this thread */
    CU_ASSERT_EQUAL_FATAL(sm_lp_new(&lp, s.m, s.p->layout, s.p->base_coeffs, NULL, &d), SM_OK);
    CU_ASSERT_EQUAL(sm_lp_solve(lp, 0, &info), SM_OK);
    CU_ASSERT_TRUE(sm_test_close(sm_lp_objective(lp), 2400, TOL));
    sm_lp_free(&lp);
    sm_diag_clear(&d);
    solved_free(&s);
}

static void test_basis_round_trip(void)
{
    solved s;
    if (!solve(NULL, NULL, NULL, &s))
        return;
    sm_basis *b = sm_basis_new(sm_lp_rows(s.lp), sm_lp_cols(s.lp));
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    sm_lp_get_basis(s.lp, b);
    sm_lp_set_basis(s.lp, b);
    CU_ASSERT_EQUAL(sm_lp_solve(s.lp, 1, &s.info), SM_OK);
    CU_ASSERT_EQUAL(s.info.simplex_calls, 0); /* the optimal basis needs no pivot */
    CU_ASSERT_EQUAL(s.info.iterations, 0);
    CU_ASSERT_TRUE(sm_test_close(sm_lp_objective(s.lp), 2400, TOL));
    sm_basis_free(&b);
    solved_free(&s);
}


/* MODEL.md Part 2 under perfect foresight (a plain sweep): a contract offer
 * costs fee + c per tonne and is bounded by min(k_ub, cap_s), k_ub from
 * the policy's data (no random draw). Tiny model with no cap on China
 * (share 1), demand 120 t per period, C1 a contract with fee 3: c = 8 ·
 * 1.25 = 10, so C1 costs 13 < U1's 15 and is bought up to its bound.
 * Base: x_C1 = 100, x_U1 = 20 per period: 2 · (100·13 + 20·15) = 3200,
 * purchase 2 · (100·(8+3) + 20·15) = 2800. A future drawing capacity.C1 =
 * 1.5 raises cap_s to 150 but not k_ub (100): the cost stays 3200 (3120
 * if the draw were allowed through). The same future with C1 spot buys
 * 120 t of C1 at 10: 2400. */
static const char *const contract_suppliers =
    "supplier,region,material,capacity_t_per_period,price_usd_per_t,freight_usd_per_t,"
    "start_period,ramp_periods,terms,fee_usd_per_t,source\n"
    "C1,China,NdPr,100,8,0,1,0,contract,3,test\n"
    "U1,USA,NdPr,100,15,0,1,0,,,test\n";

static double contract_future_cost(const char *suppliers)
{
    char *yaml = sm_tiny_replace(sm_tiny_yaml, "share: 0.6", "share: 1.0");
    char *dem = sm_tiny_replace(sm_tiny_demand, "NdPr,1,100\nNdPr,2,100", "NdPr,1,120\nNdPr,2,120");
    solved s;
    double cost = NAN;
    if (solve(yaml, suppliers, dem, &s)) {
        char *sp = sm_test_write(s.dir, "sweep.yaml",
                                 "name: t\nseed: 1\nsamples: 1\nparameters:\n"
                                 "  capacity.C1: {dist: choice, values: [1.5, 1.5]}\n");
        sm_sweep *sw = NULL;
        sm_diag d;
        sm_diag_init(&d);
        CU_ASSERT_EQUAL_FATAL(sm_sweep_load(sp, s.m, &sw, &d), SM_OK);
        sm_inputs *in = sm_inputs_new(s.m);
        sm_coeffs *c = sm_coeffs_new(s.p->layout);
        double values[1];
        sm_scenario_coeffs(s.p, sw, 0, values, in, c);
        CU_ASSERT_TRUE(sm_test_close(values[0], 1.5, TOL));
        sm_lp_load(s.lp, c);
        CU_ASSERT_EQUAL(sm_lp_solve(s.lp, 0, &s.info), SM_OK);
        CU_ASSERT_EQUAL(s.info.status, SM_SCEN_OPTIMAL);
        cost = sm_lp_objective(s.lp);
        sm_inputs_free(&in);
        sm_coeffs_free(&c);
        sm_sweep_free(&sw);
        free(sp);
        sm_diag_clear(&d);
    }
    solved_free(&s);
    free(yaml);
    free(dem);
    return cost;
}

static void test_contract_under_foresight(void)
{
    char *yaml = sm_tiny_replace(sm_tiny_yaml, "share: 0.6", "share: 1.0");
    char *dem = sm_tiny_replace(sm_tiny_demand, "NdPr,1,100\nNdPr,2,100", "NdPr,1,120\nNdPr,2,120");
    solved s;
    if (solve(yaml, contract_suppliers, dem, &s)) {
        CU_ASSERT_EQUAL(s.m->n_contracts, 1);
        CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_TOTAL_COST, 0), 3200, TOL));
        CU_ASSERT_TRUE(sm_test_close(sm_lp_objective(s.lp), 3200, TOL));
        CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_COST_PURCHASE, 0), 2800, TOL));
        CU_ASSERT_TRUE(sm_test_close(v(&s, SM_V_COST_TARIFF, 0), 2 * 100 * 2, TOL));
    }
    solved_free(&s);
    free(yaml);
    free(dem);
    CU_ASSERT_TRUE(sm_test_close(contract_future_cost(contract_suppliers), 3200, TOL));
    char *spot = sm_tiny_replace(contract_suppliers, "contract,3", ",");
    CU_ASSERT_TRUE(sm_test_close(contract_future_cost(spot), 2400, TOL));
    free(spot);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"binding cap and its dual", test_binding_cap_and_dual},
        {"late mine's ramp", test_late_mine_ramp},
        {"stock carried forward", test_stock_carried_forward},
        {"shortfall when capacity is short", test_shortfall},
        {"infeasible floor", test_infeasible_floor},
        {"warm patch matches cold solve", test_warm_patch_matches_cold},
        {"basis round trip keeps the optimum", test_basis_round_trip},
        {"GLPK fatal error is caught", test_glpk_fatal_error_is_caught},
        {"contract offer under perfect foresight", test_contract_under_foresight},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"lp_known_optima", NULL, NULL, NULL, NULL, tests},
                             CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
