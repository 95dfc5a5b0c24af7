/* Model loader: the shipped model loads; each kind of mistake is reported
 * with its file and line, all of them in one pass. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/model_load.h"
#include "support/testing.h"
#include "support/tiny_model.h"

#define EXPECT_DIAG(d, file, line, needle)                                              \
    do {                                                                                \
        if (!sm_test_find_diag((d), (file), (line), (needle))) {                        \
            sm_test_dump_diag(d);                                                       \
            CU_FAIL("expected diagnostic " file ":" #line ": " needle);                 \
        }                                                                               \
    } while (0)

/* Load the tiny model from these texts (NULL: default), expect failure and
 * a diagnostic at file:line containing needle. */
static void expect_error_in(const char *y, const char *s, const char *dm, const char *file,
                            int line, const char *needle)
{
    sm_model *m;
    sm_status st;
    sm_diag d;
    char *dir = sm_tiny_load(y, s, dm, &m, &st, &d);
    CU_ASSERT_EQUAL(st, SM_EINPUT);
    CU_ASSERT_PTR_NULL(m);
    if (!sm_test_find_diag(&d, file, line, needle)) {
        sm_test_dump_diag(&d);
        fprintf(stderr, "expected %s:%d: ...%s...\n", file, line, needle);
        CU_FAIL("expected diagnostic not found");
    }
    sm_model_free(&m);
    sm_diag_clear(&d);
    sm_test_rmtree(dir);
}

/* The same with one substitution in one file. */
static void expect_error(const char *file, const char *from, const char *to, int line,
                         const char *needle)
{
    char *y = NULL, *s = NULL, *dm = NULL;
    if (!strcmp(file, "model.yaml"))
        y = sm_tiny_replace(sm_tiny_yaml, from, to);
    else if (!strcmp(file, "suppliers.csv"))
        s = sm_tiny_replace(sm_tiny_suppliers, from, to);
    else
        dm = sm_tiny_replace(sm_tiny_demand, from, to);
    expect_error_in(y, s, dm, file, line, needle);
    free(y);
    free(s);
    free(dm);
}

static void test_tiny_loads(void)
{
    sm_model *m;
    sm_status st;
    sm_diag d;
    char *dir = sm_tiny_load(NULL, NULL, NULL, &m, &st, &d);
    CU_ASSERT_EQUAL_FATAL(st, SM_OK);
    CU_ASSERT_EQUAL(d.errors + d.warnings, 0);
    CU_ASSERT_EQUAL(m->n_periods, 2);
    CU_ASSERT_EQUAL(m->period_months, 3);
    CU_ASSERT_EQUAL(m->first_year, 2027);
    CU_ASSERT_EQUAL(m->n_regions, 2);
    CU_ASSERT_EQUAL(m->n_suppliers, 2);
    CU_ASSERT_EQUAL(m->n_offers, 2);
    CU_ASSERT_EQUAL(m->n_limits, 1);
    CU_ASSERT_DOUBLE_EQUAL(m->regions[0].tariff, 0.25, 0);
    CU_ASSERT_DOUBLE_EQUAL(m->windows[sm_scope_slot(m, SM_SCOPE_AVAIL, 1, -1)].level, 1.0, 0);
    CU_ASSERT_TRUE(m->limits[0].in_region[0] && !m->limits[0].in_region[1]);
    CU_ASSERT_TRUE(m->limits[0].in_material[0]);
    CU_ASSERT_DOUBLE_EQUAL(sm_model_demand(m, 0, 1), 100.0, 0);
    CU_ASSERT_STRING_EQUAL(m->offers[1].source, "test");
    CU_ASSERT_EQUAL(m->offers[1].loc.line, 3);
    CU_ASSERT_NOT_EQUAL(m->hash, 0);
    sm_model_free(&m);
    CU_ASSERT_PTR_NULL(m);
    sm_diag_clear(&d);
    sm_test_rmtree(dir);
}

static void test_shipped_model_loads(void)
{
    sm_model *m = NULL;
    sm_diag d;
    sm_diag_init(&d);
    sm_status st = sm_model_load(SM_SOURCE_MODELS_DIR "/rare_earths", &m, &d);
    if (st != SM_OK)
        sm_test_dump_diag(&d);
    CU_ASSERT_EQUAL_FATAL(st, SM_OK);
    CU_ASSERT_EQUAL(d.errors, 0);
    CU_ASSERT_EQUAL(m->n_periods, 12);
    CU_ASSERT_TRUE(m->n_suppliers >= 10);
    CU_ASSERT_TRUE(sm_model_region(m, "China") >= 0 && sm_model_region(m, "Australia") >= 0 &&
                   sm_model_region(m, "Canada") >= 0 && sm_model_region(m, "USA") >= 0);
    CU_ASSERT_TRUE(sm_model_material(m, "NdPr_oxide") >= 0 &&
                   sm_model_material(m, "Dy_oxide") >= 0 && sm_model_material(m, "Tb_oxide") >= 0);
    int late = 0, ramping = 0;
    for (int u = 0; u < m->n_suppliers; u++) {
        late += m->suppliers[u].start_period > 1;
        ramping += m->suppliers[u].ramp_periods > 0;
    }
    CU_ASSERT_TRUE(late >= 1 && ramping >= 1);
    for (int o = 0; o < m->n_offers; o++)
        CU_ASSERT_TRUE(strlen(m->offers[o].source) > 0);
    sm_model_free(&m);
    sm_diag_clear(&d);
}

static void test_yaml_errors(void)
{
    expect_error("model.yaml", "regions:", "regionz:", 5, "unknown key 'regionz'");
    expect_error("model.yaml", "tariff: 0.25", "tariff: abc", 6,
                 "regions.China.tariff: expected a number, 'abc' is not a number");
    expect_error("model.yaml", "tariff: 0.25", "tariff: .nan", 6, "not a finite number");
    expect_error("model.yaml", "tariff: 0.25", "tariff: -1", 6, "out of range");
    expect_error("model.yaml", "share: 0.6", "share: 1.5", 15,
                 "limits.cap.share: 1.5 is out of range, expected a value in [0, 1]");
    expect_error("model.yaml", "  USA: {}", "  China: {}", 7, "duplicate key 'China'");
    expect_error("model.yaml", "regions: [China]", "regions: [Mars]", 14,
                 "unknown region 'Mars'");
    expect_error("model.yaml", "kind: cap", "kind: ceiling", 13, "expected 'cap' or 'floor'");
    expect_error("model.yaml", "  count: 2", "  count: 2.5", 3, "whole number");
    expect_error("model.yaml", "  count: 2", "  count: 0", 3, "out of range");
    expect_error("model.yaml", "first: \"2027-01\"", "first: \"2027-13\"", 4, "YYYY-MM");
    expect_error("model.yaml", "    shortfall_penalty: 1000\n", "    holding_cost: 1\n", 10,
                 "materials.NdPr: required key 'shortfall_penalty' is missing");
    expect_error("model.yaml", "  NdPr:\n    shortfall_penalty: 1000\n", "  NdPr: [1]\n", 9,
                 "materials.NdPr: expected a mapping");
    expect_error("model.yaml", "  USA: {}", "  USA: {tariff: [1, 2]}", 7,
                 "expected a number, found a list");
    expect_error("model.yaml", "name: tiny", "name: 9lives", 1, "not a valid name");
    expect_error("model.yaml", "  USA: {}", "  USA: &u {}\n  Canada: *u", 8, "aliases");
    expect_error("model.yaml", "  USA: {}", "  USA: {", 0, "YAML syntax error");
}

static void test_structure_errors(void)
{
    char *y = sm_tiny_replace(sm_tiny_yaml, "periods:\n  count: 2\n  first: \"2027-01\"\n", "");
    sm_model *m;
    sm_status st;
    sm_diag d;
    char *dir = sm_tiny_load(y, NULL, NULL, &m, &st, &d);
    CU_ASSERT_EQUAL(st, SM_EINPUT);
    EXPECT_DIAG(&d, "model.yaml", 1, "required key 'periods' is missing");
    sm_diag_clear(&d);
    sm_test_rmtree(dir);
    free(y);

    dir = sm_tiny_load("", NULL, NULL, &m, &st, &d);
    CU_ASSERT_EQUAL(st, SM_EINPUT);
    EXPECT_DIAG(&d, "model.yaml", 1, "empty");
    sm_diag_clear(&d);
    sm_test_rmtree(dir);

    dir = sm_tiny_load("- just\n- a list\n", NULL, NULL, &m, &st, &d);
    CU_ASSERT_EQUAL(st, SM_EINPUT);
    EXPECT_DIAG(&d, "model.yaml", 1, "expected a mapping");
    sm_diag_clear(&d);
    sm_test_rmtree(dir);
}

static void test_supplier_errors(void)
{
    expect_error("suppliers.csv", "U1,USA", "U1,Mars", 3, "region: unknown region 'Mars'");
    expect_error("suppliers.csv", "C1,China,NdPr", "C1,China,Gold", 2, "unknown material 'Gold'");
    expect_error("suppliers.csv", "NdPr,100,8", "NdPr,-100,8", 2, "out of range");
    expect_error("suppliers.csv", "NdPr,100,8", "NdPr,1e300,8", 2, "out of range");
    expect_error("suppliers.csv", "NdPr,100,8", "NdPr,100,NaN", 2,
                 "price_usd_per_t: expected a number, 'NaN' is not a finite number");
    expect_error("suppliers.csv", "NdPr,100,8", "NdPr,100,inf", 2, "not a finite number");
    expect_error("suppliers.csv", "NdPr,100,15,0,1,0", "NdPr,100,15,0,5,0", 3,
                 "start_period: 5 is out of range, expected 1..2");
    expect_error("suppliers.csv", "NdPr,100,15,0,1,0", "NdPr,100,15,0,1,-1", 3, "out of range");
    expect_error("suppliers.csv", "NdPr,100,15,0,1,0", "NdPr,100,15,0,1,x", 3, "whole number");
    expect_error("suppliers.csv", "U1,USA", "U1 x,USA", 3, "not a valid name");
    expect_error("suppliers.csv", "U1,USA", "C1,China", 3, "offers 'NdPr' twice");
    expect_error("suppliers.csv", "U1,USA,NdPr,100,15,0", "U1,USA,NdPr,100,15,0,1,0,a\nU1,China,NdPr,100,15,0", 4,
                 "must be the same on all its rows");
    expect_error("suppliers.csv", "ramp_periods,source", "ramp,source", 1,
                 "required column 'ramp_periods' is missing");
    char *s1 = sm_tiny_replace(sm_tiny_suppliers, "ramp_periods,source", "ramp_periods,source,colour");
    char *s2 = sm_tiny_replace(s1, "test\nU1", "test,red\nU1");
    char *s3 = sm_tiny_replace(s2, "0,test\n", "0,test,blue\n");
    expect_error_in(NULL, s3, NULL, "suppliers.csv", 1, "unknown column 'colour' (expected: supplier,");
    free(s1);
    free(s2);
    free(s3);
    expect_error("suppliers.csv", "U1,USA,NdPr,100,15", "U1,USA,NdPr,100", 3,
                 "8 fields, expected 9");
    expect_error("suppliers.csv", "C1,China", "China,China", 2, "already used by a region");
    expect_error("suppliers.csv", "test\nU1", "\"test\nU1", 2, "never closed");
}

static void test_demand_errors(void)
{
    expect_error("demand.csv", "NdPr,2,100\n", "", 0, "no demand row for material 'NdPr'");
    expect_error("demand.csv", "NdPr,2,100", "NdPr,1,50", 3, "given twice (first at line 2)");
    expect_error("demand.csv", "NdPr,2,100", "NdPr,3,100", 3, "period: 3 is out of range");
    expect_error("demand.csv", "NdPr,2,100", "Gold,2,100", 3, "unknown material 'Gold'");
    expect_error("demand.csv", "NdPr,2,100", "NdPr,2,", 3, "demand_t: expected a number");
}

static void test_semantic_checks(void)
{
    /* stock_final above stock_capacity: no plan can exist. */
    expect_error("model.yaml", "    shortfall_penalty: 1000\n",
                 "    shortfall_penalty: 1000\n    stock_capacity: 5\n    stock_final: 10\n", 9,
                 "stock_final 10 t is above stock_capacity 5 t");
    /* A floor above what its regions can supply: a warning, the model loads. */
    char *y = sm_tiny_replace(sm_tiny_yaml, "    kind: cap\n    regions: [China]\n    share: 0.6",
                              "    kind: floor\n    regions: [USA]\n    share: 0.6");
    char *s = sm_tiny_replace(sm_tiny_suppliers, "U1,USA,NdPr,100", "U1,USA,NdPr,50");
    sm_model *m;
    sm_status st;
    sm_diag d;
    char *dir = sm_tiny_load(y, s, NULL, &m, &st, &d);
    CU_ASSERT_EQUAL(st, SM_OK);
    CU_ASSERT_EQUAL(d.errors, 0);
    EXPECT_DIAG(&d, "model.yaml", 12, "above the capacity that can meet it in 2 period(s)");
    sm_model_free(&m);
    sm_diag_clear(&d);
    sm_test_rmtree(dir);
    free(y);
    free(s);
}

/* Mistakes in all three files come back together. */
static void test_all_problems_in_one_pass(void)
{
    char *y = sm_tiny_replace(sm_tiny_yaml, "share: 0.6", "share: 2");
    char *s = sm_tiny_replace(sm_tiny_suppliers, "U1,USA", "U1,Mars");
    char *dm = sm_tiny_replace(sm_tiny_demand, "NdPr,2,100", "NdPr,2,-1");
    sm_model *m;
    sm_status st;
    sm_diag d;
    char *dir = sm_tiny_load(y, s, dm, &m, &st, &d);
    CU_ASSERT_EQUAL(st, SM_EINPUT);
    CU_ASSERT_TRUE(d.errors >= 3);
    EXPECT_DIAG(&d, "model.yaml", 15, "out of range");
    EXPECT_DIAG(&d, "suppliers.csv", 3, "unknown region 'Mars'");
    EXPECT_DIAG(&d, "demand.csv", 3, "out of range");
    sm_diag_clear(&d);
    sm_test_rmtree(dir);
    free(y);
    free(s);
    free(dm);
}

static void test_missing_files(void)
{
    sm_model *m = NULL;
    sm_diag d;
    sm_diag_init(&d);
    CU_ASSERT_EQUAL(sm_model_load("/nonexistent/model", &m, &d), SM_EINPUT);
    EXPECT_DIAG(&d, "/nonexistent/model", 0, "no such model directory");
    sm_diag_clear(&d);

    char *dir = sm_test_tmpdir();
    char *p = sm_test_write(dir, "suppliers.csv", sm_tiny_suppliers);
    free(p);
    char *yaml_dir = NULL;
    CU_ASSERT_TRUE(asprintf(&yaml_dir, "%s/model.yaml", dir) > 0);
    mkdir(yaml_dir, 0700); /* a directory where the file should be */
    CU_ASSERT_EQUAL(sm_model_load(dir, &m, &d), SM_EINPUT);
    EXPECT_DIAG(&d, "model.yaml", 0, "is a directory");
    sm_diag_clear(&d);
    rmdir(yaml_dir);
    free(yaml_dir);
    free(sm_test_write(dir, "model.yaml", sm_tiny_yaml));
    CU_ASSERT_EQUAL(sm_model_load(dir, &m, &d), SM_EINPUT);
    EXPECT_DIAG(&d, "demand.csv", 0, "cannot open");
    sm_diag_clear(&d);
    sm_test_rmtree(dir);
}

/* CRLF line ends and a byte-order mark are what editors legitimately
 * write: the same model, the same content hash aside. */
static void test_crlf_and_bom(void)
{
    char *y = sm_tiny_replace(sm_tiny_yaml, "", "\xEF\xBB\xBF");
    char crlf_sup[1024] = "", crlf_dem[512] = "\xEF\xBB\xBF";
    for (const char *c = sm_tiny_suppliers; *c; c++)
        strncat(crlf_sup, *c == '\n' ? "\r\n" : (char[]){*c, 0}, sizeof crlf_sup - strlen(crlf_sup) - 1);
    for (const char *c = sm_tiny_demand; *c; c++)
        strncat(crlf_dem, *c == '\n' ? "\r\n" : (char[]){*c, 0}, sizeof crlf_dem - strlen(crlf_dem) - 1);
    sm_model *a, *b;
    sm_status sa, sb;
    sm_diag d1, d2;
    char *dir1 = sm_tiny_load(NULL, NULL, NULL, &a, &sa, &d1);
    char *dir2 = sm_tiny_load(y, crlf_sup, crlf_dem, &b, &sb, &d2);
    if (sb != SM_OK)
        sm_test_dump_diag(&d2);
    CU_ASSERT_EQUAL_FATAL(sa, SM_OK);
    CU_ASSERT_EQUAL_FATAL(sb, SM_OK);
    CU_ASSERT_EQUAL(a->n_offers, b->n_offers);
    CU_ASSERT_STRING_EQUAL(b->offers[1].source, "test");
    CU_ASSERT_EQUAL(b->offers[1].loc.line, 3);
    for (int o = 0; o < a->n_offers; o++) {
        CU_ASSERT_DOUBLE_EQUAL(a->offers[o].capacity, b->offers[o].capacity, 0);
        CU_ASSERT_DOUBLE_EQUAL(a->offers[o].price, b->offers[o].price, 0);
    }
    CU_ASSERT_DOUBLE_EQUAL(sm_model_demand(a, 0, 1), sm_model_demand(b, 0, 1), 0);
    sm_model_free(&a);
    sm_model_free(&b);
    sm_diag_clear(&d1);
    sm_diag_clear(&d2);
    sm_test_rmtree(dir1);
    sm_test_rmtree(dir2);
    free(y);
}

/* model.yaml's windows (MODEL.md "Scoped windows"): a tariff schedule and
 * a material's control are read into the base case's windows. */
/* Periods: the tables are per period as written (periods.tables_months,
 * default 3); a length_months they were not written for loads with a
 * warning at its line, and stating tables_months silences it. */
static void test_period_length(void)
{
    static const struct {
        const char *to;
        size_t warnings;
        int line;
    } cases[] = {
        {"  count: 2\n  length_months: 24\n", 1, 4},
        {"  count: 2\n  tables_months: 1\n", 1, 4},
        {"  count: 2\n  length_months: 24\n  tables_months: 24\n", 0, 0},
        {"  count: 2\n  length_months: 3\n", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *y = sm_tiny_replace(sm_tiny_yaml, "  count: 2\n", cases[i].to);
        sm_model *m;
        sm_status st;
        sm_diag d;
        char *dir = sm_tiny_load(y, NULL, NULL, &m, &st, &d);
        CU_ASSERT_EQUAL(st, SM_OK);
        CU_ASSERT_EQUAL(d.errors, 0);
        CU_ASSERT_EQUAL(d.warnings, cases[i].warnings);
        if (cases[i].warnings)
            EXPECT_DIAG(&d, "model.yaml", cases[i].line, "written for");
        if (m)
            CU_ASSERT_DOUBLE_EQUAL(sm_model_demand(m, 0, 1), 100.0, 0);
        sm_model_free(&m);
        sm_diag_clear(&d);
        sm_test_rmtree(dir);
        free(y);
    }
}

static void test_windows(void)
{
    char *y = sm_tiny_replace(sm_tiny_yaml, "limits:\n",
                              "windows:\n"
                              "  tariff.China: {level: 1.0, from: 2}\n"
                              "  availability.USA.NdPr: {level: 0.5, until: 1}\n"
                              "discount_rate: 0.05\n"
                              "limits:\n");
    sm_model *m;
    sm_status st;
    sm_diag d;
    char *dir = sm_tiny_load(y, NULL, NULL, &m, &st, &d);
    CU_ASSERT_EQUAL_FATAL(st, SM_OK);
    double rates[2] = {0.25, 0.0};
    /* China: the standing 0.25 in period 1, the window's 1.0 in period 2. */
    CU_ASSERT_EQUAL(sm_scope_value(m, m->windows, rates, SM_SCOPE_TARIFF, 0, 0, 1), 0.25);
    CU_ASSERT_EQUAL(sm_scope_value(m, m->windows, rates, SM_SCOPE_TARIFF, 0, 0, 2), 1.0);
    /* USA's NdPr: 0.5 in period 1 only, then the region's full availability. */
    CU_ASSERT_EQUAL(sm_scope_value(m, m->windows, rates, SM_SCOPE_AVAIL, 1, 0, 1), 0.5);
    CU_ASSERT_EQUAL(sm_scope_value(m, m->windows, rates, SM_SCOPE_AVAIL, 1, 0, 2), 1.0);
    CU_ASSERT_EQUAL(m->discount_rate, 0.05);
    sm_model_free(&m);
    sm_diag_clear(&d);
    sm_test_rmtree(dir);
    free(y);

    expect_error("model.yaml", "limits:\n", "windows:\n  tariff.Chna: {level: 1}\nlimits:\n",
                 12, "windows: 'tariff.Chna': unknown region 'Chna' in 'tariff.Chna' "
                     "(regions: China, USA)");
    expect_error("model.yaml", "limits:\n",
                 "windows:\n  tariff.China.Dy: {level: 1}\nlimits:\n", 12,
                 "unknown material or window end 'Dy' in 'tariff.China.Dy' (materials: NdPr)");
    expect_error("model.yaml", "limits:\n",
                 "windows:\n  tariff.China.from: {level: 1}\nlimits:\n", 12,
                 "expected a scope without .from or .until");
    expect_error("model.yaml", "limits:\n",
                 "windows:\n  tariff.China: {level: 1, from: 2, until: 1}\nlimits:\n", 12,
                 "windows.tariff.China: the window ends (until 1) before it starts (from 2)");
    expect_error("model.yaml", "limits:\n",
                 "windows:\n  tariff.China: {level: 1, from: 4}\nlimits:\n", 12,
                 "windows.tariff.China.from: 4 is out of range, expected 1..3");
    char *y2 = sm_tiny_replace(sm_tiny_yaml, "  China: {tariff: 0.25}",
                               "  China: {tariff: 0.25, availability: 0.5}");
    char *y3 = sm_tiny_replace(y2, "limits:\n",
                               "windows:\n  availability.China: {level: 0}\nlimits:\n");
    expect_error_in(y3, NULL, NULL, "model.yaml", 12,
                    "windows.availability.China: this window is already given at line 6");
    free(y2);
    free(y3);
    expect_error("model.yaml", "  China: {tariff: 0.25}",
                 "  China: {tariff: 0.25, availability: 0.5, availability_from: 2, "
                 "availability_until: 1}", 6, "regions.China: the window ends (until 1) before "
                 "it starts (from 2)");
    expect_error("model.yaml", "limits:\n", "discount_rate: 2\nlimits:\n", 11,
                 "discount_rate: 2 is out of range");
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"tiny model loads", test_tiny_loads},
        {"shipped rare_earths model loads", test_shipped_model_loads},
        {"model.yaml errors with line", test_yaml_errors},
        {"model.yaml structure errors", test_structure_errors},
        {"suppliers.csv errors with line", test_supplier_errors},
        {"demand.csv errors with line", test_demand_errors},
        {"semantic checks: errors and warnings", test_semantic_checks},
        {"all problems in one pass", test_all_problems_in_one_pass},
        {"missing files and directories", test_missing_files},
        {"CRLF and byte-order mark", test_crlf_and_bom},
        {"windows and discount_rate", test_windows},
        {"period length against the tables", test_period_length},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"model_load", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
