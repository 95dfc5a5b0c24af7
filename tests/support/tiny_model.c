/* The tiny test model (see tiny_model.h). */
#include "tiny_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/model_load.h"
#include "testing.h"

const char *const sm_tiny_yaml =
    "name: tiny\n"                       /* 1 */
    "periods:\n"                         /* 2 */
    "  count: 2\n"                       /* 3 */
    "  first: \"2027-01\"\n"             /* 4 */
    "regions:\n"                         /* 5 */
    "  China: {tariff: 0.25}\n"          /* 6 */
    "  USA: {}\n"                        /* 7 */
    "materials:\n"                       /* 8 */
    "  NdPr:\n"                          /* 9 */
    "    shortfall_penalty: 1000\n"      /* 10 */
    "limits:\n"                          /* 11 */
    "  cap:\n"                           /* 12 */
    "    kind: cap\n"                    /* 13 */
    "    regions: [China]\n"             /* 14 */
    "    share: 0.6\n"                   /* 15 */
    "tables:\n"                          /* 16 */
    "  suppliers: suppliers.csv\n"       /* 17 */
    "  demand: demand.csv\n";            /* 18 */

const char *const sm_tiny_suppliers =
    "supplier,region,material,capacity_t_per_period,price_usd_per_t,freight_usd_per_t,"
    "start_period,ramp_periods,source\n"
    "C1,China,NdPr,100,8,0,1,0,test\n"
    "U1,USA,NdPr,100,15,0,1,0,test\n";

const char *const sm_tiny_demand =
    "material,period,demand_t\n"
    "NdPr,1,100\n"
    "NdPr,2,100\n";

char *sm_tiny_replace(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    if (!at) {
        fprintf(stderr, "test fixture: '%s' not found\n", from);
        abort();
    }
    size_t a = (size_t)(at - text), b = strlen(from), c = strlen(to), n = strlen(text);
    char *s = malloc(n - b + c + 1);
    if (!s)
        abort();
    memcpy(s, text, a);
    memcpy(s + a, to, c);
    memcpy(s + a + c, at + b, n - a - b + 1);
    return s;
}

char *sm_tiny_load(const char *yaml, const char *suppliers, const char *demand, sm_model **m,
                   sm_status *st, sm_diag *d)
{
    char *dir = sm_test_tmpdir();
    if (!dir)
        abort();
    free(sm_test_write(dir, "model.yaml", yaml ? yaml : sm_tiny_yaml));
    free(sm_test_write(dir, "suppliers.csv", suppliers ? suppliers : sm_tiny_suppliers));
    free(sm_test_write(dir, "demand.csv", demand ? demand : sm_tiny_demand));
    sm_diag_init(d);
    *m = NULL;
    *st = sm_model_load(dir, m, d);
    return dir;
}
