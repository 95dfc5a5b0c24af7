/* The elastic LP of solver/explain.c on a tiny model whose least
 * relaxation is known by hand, checked against glpsol on the written LP:
 * a US floor of 80 % when the US can ship 50 t a period (demand 100 t,
 * then 200 t: relax by 30 and 55 points), a China cap left as it is, and
 * an end-stock target of 80 t above a stock capacity of 30 t (relax by
 * 50 t). Weighted in each row's units: 30 + 55 + 50 = 135. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/problem.h"
#include "solver/explain.h"
#include "support/testing.h"
#include "support/tiny_model.h"

#define TOL 1e-9

static const char *const yaml_limits =
    "limits:\n"
    "  cap:\n"
    "    kind: cap\n"
    "    regions: [China]\n"
    "    share: 0.6\n"
    "  us_floor:\n"
    "    kind: floor\n"
    "    regions: [USA]\n"
    "    share: 0.8\n";

/* glpsol's optimum of an LP file, NaN when it finds none. */
static double glpsol_objective(const char *dir, const char *lp)
{
    char cmd[1024], out[512], line[512];
    snprintf(out, sizeof out, "%s/glpsol.out", dir);
    snprintf(cmd, sizeof cmd, "glpsol --lp '%s' -o '%s' > /dev/null 2>&1", lp, out);
    if (system(cmd) != 0)
        return NAN;
    FILE *f = fopen(out, "r");
    double obj = NAN;
    int optimal = 0;
    while (f && fgets(line, sizeof line, f)) {
        optimal |= strstr(line, "Status:") && strstr(line, "OPTIMAL");
        const char *eq = strstr(line, "Objective:") ? strchr(line, '=') : NULL;
        if (eq)
            obj = strtod(eq + 1, NULL);
    }
    if (f)
        fclose(f);
    return optimal ? obj : NAN;
}

static void test_known_relaxation(void)
{
    char *y1 = sm_tiny_replace(sm_tiny_yaml,
                               "limits:\n  cap:\n    kind: cap\n    regions: [China]\n"
                               "    share: 0.6\n",
                               yaml_limits);
    char *y = sm_tiny_replace(y1, "    shortfall_penalty: 1000\n",
                              "    shortfall_penalty: 1000\n    stock_capacity: 100\n"
                              "    stock_final: 80\n");
    char *sup = sm_tiny_replace(sm_tiny_suppliers, "U1,USA,NdPr,100", "U1,USA,NdPr,50");
    const char *dem = "material,period,demand_t\nNdPr,1,100\nNdPr,2,200\n";
    sm_model *m = NULL;
    sm_problem *p = NULL;
    sm_status st;
    sm_diag d;
    char *dir = sm_tiny_load(y, sup, dem, &m, &st, &d);
    CU_ASSERT_EQUAL_FATAL(st, SM_OK);
    CU_ASSERT_EQUAL_FATAL(sm_problem_new(m, &p, &d), SM_OK);
    /* The scenario: the stockpile shrinks to 30 t, below the 80 t target. */
    sm_inputs *in = sm_inputs_new(m);
    sm_coeffs *c = sm_coeffs_new(p->layout);
    sm_inputs_reset(m, in);
    in->stock_capacity[0] = 30;
    sm_coeffs_compute(m, p->layout, in, c);
    sm_lp *lp = NULL;
    sm_solve_info info;
    CU_ASSERT_EQUAL_FATAL(sm_lp_new(&lp, m, p->layout, c, NULL, &d), SM_OK);
    CU_ASSERT_EQUAL(sm_lp_solve(lp, 0, &info), SM_OK);
    CU_ASSERT_EQUAL(info.status, SM_SCEN_INFEASIBLE);

    sm_explainer *ex = sm_explainer_new(m, p->layout, NULL);
    double relax[2 * 1 * 2], stock[1];
    CU_ASSERT_EQUAL(sm_explain(ex, in, c, relax, stock, &info, &d), SM_OK);
    CU_ASSERT_EQUAL(info.status, SM_SCEN_OPTIMAL);
    /* [limit][material][period]: the cap's rows kept, the floor's relaxed. */
    CU_ASSERT_TRUE(sm_test_close(relax[0], 0, TOL));
    CU_ASSERT_TRUE(sm_test_close(relax[1], 0, TOL));
    CU_ASSERT_TRUE(sm_test_close(relax[2], 0.30, TOL));
    CU_ASSERT_TRUE(sm_test_close(relax[3], 0.55, TOL));
    CU_ASSERT_TRUE(sm_test_close(stock[0], 50, TOL));

    /* The same elastic LP solved by glpsol: the weighted least relaxation. */
    char lpfile[1024];
    snprintf(lpfile, sizeof lpfile, "%s/elastic.lp", dir);
    CU_ASSERT_EQUAL(sm_explain_write(ex, lpfile, 1, &d), SM_OK);
    CU_ASSERT_TRUE(sm_test_close(glpsol_objective(dir, lpfile), 135, 1e-6));

    /* Feasible again with the base stockpile: only the floor is relaxed. */
    CU_ASSERT_EQUAL(sm_explain(ex, p->base_inputs, p->base_coeffs, relax, stock, &info, &d),
                    SM_OK);
    CU_ASSERT_TRUE(sm_test_close(relax[2], 0.30, TOL));
    CU_ASSERT_TRUE(sm_test_close(stock[0], 0, TOL));
    sm_explainer_free(&ex);
    sm_lp_free(&lp);
    sm_coeffs_free(&c);
    sm_inputs_free(&in);
    sm_problem_free(&p);
    sm_model_free(&m);
    sm_diag_clear(&d);
    sm_test_rmtree(dir);
    free(y1);
    free(y);
    free(sup);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"least relaxation known by hand, and glpsol agrees", test_known_relaxation},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"explain", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
