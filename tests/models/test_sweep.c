/* Sweeps: the loader reports each kind of mistake with its file and line;
 * scenario numbering, random draws, Latin hypercube strata and clamping
 * behave as models/SWEEPS.md says, the same in any order and from any copy. */
#define _GNU_SOURCE
#include <Random123/philox.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/model_load.h"
#include "io/sweep_load.h"
#include "models/blocks.h"
#include "models/sweep.h"
#include "support/testing.h"
#include "support/tiny_model.h"

/* The tiny model (regions China, USA; material NdPr; suppliers C1, U1;
 * limit cap; 2 periods), loaded once for the suite. */
static sm_model *model;
static char *model_dir;

static int suite_init(void)
{
    sm_status st;
    sm_diag d;
    model_dir = sm_tiny_load(NULL, NULL, NULL, &model, &st, &d);
    sm_diag_clear(&d);
    return st != SM_OK;
}

static int suite_cleanup(void)
{
    sm_model_free(&model);
    sm_test_rmtree(model_dir);
    model_dir = NULL;
    return 0;
}

/* Write text as sweep.yaml in a fresh directory and load it. */
static sm_status load_text(const char *text, sm_sweep **sw, sm_diag *d)
{
    char *dir = sm_test_tmpdir();
    char *path = sm_test_write(dir, "sweep.yaml", text);
    sm_diag_init(d);
    *sw = NULL;
    sm_status st = sm_sweep_load(path, model, sw, d);
    free(path);
    sm_test_rmtree(dir);
    return st;
}

/* Load text that must be valid; NULL (and a failed assertion) if not. */
static sm_sweep *load_ok(const char *text)
{
    sm_sweep *sw;
    sm_diag d;
    if (load_text(text, &sw, &d) != SM_OK || d.errors) {
        sm_test_dump_diag(&d);
        CU_FAIL("sweep did not load");
    }
    sm_diag_clear(&d);
    return sw;
}

static void expect_error(const char *text, int line, const char *needle)
{
    sm_sweep *sw;
    sm_diag d;
    sm_status st = load_text(text, &sw, &d);
    CU_ASSERT_EQUAL(st, SM_EINPUT);
    CU_ASSERT_PTR_NULL(sw);
    if (!sm_test_find_diag(&d, "sweep.yaml", line, needle)) {
        sm_test_dump_diag(&d);
        fprintf(stderr, "expected sweep.yaml:%d: ...%s...\n", line, needle);
        CU_FAIL("expected diagnostic not found");
    }
    sm_sweep_free(&sw);
    sm_diag_clear(&d);
}

/* A valid sweep with grid and random parameters, one per line. */
static const char *const base =
    "name: t\n"                                                   /* 1 */
    "model: tiny\n"                                               /* 2 */
    "seed: 7\n"                                                   /* 3 */
    "samples: 10\n"                                               /* 4 */
    "parameters:\n"                                               /* 5 */
    "  share.cap: {values: [0.2, 0.4]}\n"                         /* 6 */
    "  tariff.China: {range: {from: 0, to: 1, steps: 3}}\n"       /* 7 */
    "  availability.China: {dist: uniform, low: 0.2, high: 1}\n"; /* 8 */

/* The base sweep with one substitution. */
static void expect_error_sub(const char *from, const char *to, int line, const char *needle)
{
    char *text = sm_tiny_replace(base, from, to);
    expect_error(text, line, needle);
    free(text);
}

/* The base sweep with its random parameter (line 8) replaced by spec. */
static void expect_random_error(const char *spec, const char *needle)
{
    expect_error_sub("availability.China: {dist: uniform, low: 0.2, high: 1}", spec, 8, needle);
}

/* The base sweep with one more parameter at line 9. */
static void expect_extra_error(const char *line9, const char *needle)
{
    char *text = NULL;
    CU_ASSERT_FATAL(asprintf(&text, "%s%s\n", base, line9) > 0);
    expect_error(text, 9, needle);
    free(text);
}

static void test_base_loads(void)
{
    sm_sweep *a = load_ok(base), *b = load_ok(base);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_STRING_EQUAL(a->name, "t");
    CU_ASSERT_EQUAL(a->n_params, 3);
    CU_ASSERT_EQUAL(a->grid_size, 6);
    CU_ASSERT_EQUAL(a->samples, 10);
    CU_ASSERT_EQUAL(a->n_scenarios, 60);
    CU_ASSERT_EQUAL(a->seed, 7);
    CU_ASSERT_EQUAL(a->block_size, 60); /* 60 scenarios: one block */
    CU_ASSERT_FALSE(a->block_size_given);
    CU_ASSERT_EQUAL(a->sampling, SM_SAMPLING_RANDOM);
    CU_ASSERT_EQUAL(a->len, strlen(base));
    CU_ASSERT_STRING_EQUAL(a->text, base);
    CU_ASSERT_TRUE(strlen(a->file) > 10 && !strcmp(a->file + strlen(a->file) - 10, "sweep.yaml"));
    CU_ASSERT_NOT_EQUAL(a->hash, 0);
    CU_ASSERT_EQUAL(a->hash, b->hash);
    CU_ASSERT_EQUAL(a->params[1].loc.line, 7);
    CU_ASSERT_EQUAL(a->params[1].target.kind, SM_P_TARIFF);
    CU_ASSERT_EQUAL(a->params[1].target.index, sm_model_region(model, "China"));
    CU_ASSERT_EQUAL(a->params[2].axis, SM_AXIS_RANDOM);
    CU_ASSERT_EQUAL(a->params[2].dist, SM_DIST_UNIFORM);
    CU_ASSERT_DOUBLE_EQUAL(a->params[2].a, 0.2, 0);
    sm_sweep_free(&a);
    CU_ASSERT_PTR_NULL(a);
    sm_sweep_free(&b);
    sm_sweep_free(&b); /* NULL-safe */
}

/* Mixed radix, first grid parameter slowest: i = d0*6 + d1*2 + d2. */
static void test_grid_numbering(void)
{
    sm_sweep *sw = load_ok("name: g\nparameters:\n"
                           "  share.cap: {values: [0.2, 0.4, 0.6]}\n"
                           "  tariff.China: {range: {from: 0, to: 1, steps: 3}}\n"
                           "  availability.China: {values: [1, 0.5]}\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    CU_ASSERT_EQUAL(sw->grid_size, 18);
    CU_ASSERT_EQUAL(sw->samples, 1);
    CU_ASSERT_EQUAL(sw->n_scenarios, 18);
    const double share[] = {0.2, 0.4, 0.6}, tariff[] = {0, 0.5, 1}, avail[] = {1, 0.5};
    for (size_t i = 0; i < 18; i++) {
        int dg[3];
        double v[3];
        sm_sweep_grid_digits(sw, i, dg);
        sm_sweep_values(sw, i, v);
        CU_ASSERT_EQUAL(dg[0], (int)(i / 6));
        CU_ASSERT_EQUAL(dg[1], (int)(i / 2 % 3));
        CU_ASSERT_EQUAL(dg[2], (int)(i % 2));
        CU_ASSERT_DOUBLE_EQUAL(v[0], share[i / 6], 0);
        CU_ASSERT_DOUBLE_EQUAL(v[1], tariff[i / 2 % 3], 0);
        CU_ASSERT_DOUBLE_EQUAL(v[2], avail[i % 2], 0);
    }
    sm_sweep_free(&sw);

    /* Random parameters between grid ones take no digit; grid index is i % G. */
    sw = load_ok("name: g\nseed: 1\nsamples: 4\nparameters:\n"
                 "  share.cap: {values: [0.2, 0.4, 0.6]}\n"
                 "  price.NdPr: {dist: normal, mean: 1, sd: 0.1}\n"
                 "  tariff.China: {values: [0, 1]}\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    CU_ASSERT_EQUAL(sw->grid_size, 6);
    CU_ASSERT_EQUAL(sw->n_scenarios, 24);
    int dg[2];
    sm_sweep_grid_digits(sw, 6 * 3 + 5, dg);
    CU_ASSERT_EQUAL(dg[0], 2);
    CU_ASSERT_EQUAL(dg[1], 1);
    sm_sweep_free(&sw);
}

static void test_range_ends(void)
{
    sm_sweep *sw = load_ok("name: r\nparameters:\n"
                           "  share.cap: {range: {from: 0.1, to: 0.7, steps: 7}}\n"
                           "  tariff.China: {range: {from: 0, to: 1, steps: 11}}\n"
                           "  delay.C1: {range: {from: -2, to: 2, steps: 5}}\n"
                           "  demand.growth: {range: {from: -0.3, to: 0.123456789, steps: 2}}\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    const sm_sweep_param *p = sw->params;
    CU_ASSERT_EQUAL(p[0].n_values, 7);
    CU_ASSERT_EQUAL(p[0].values[0], 0.1);   /* exact, not within a tolerance */
    CU_ASSERT_EQUAL(p[0].values[6], 0.7);
    for (int k = 0; k < 7; k++)
        CU_ASSERT_DOUBLE_EQUAL(p[0].values[k], 0.1 + 0.1 * k, 1e-15);
    CU_ASSERT_EQUAL(p[1].values[0], 0.0);
    CU_ASSERT_EQUAL(p[1].values[10], 1.0);
    CU_ASSERT_EQUAL(p[1].values[3], 0.3);
    CU_ASSERT_EQUAL(p[1].values[7], 0.7);
    for (int k = 0; k < 5; k++)
        CU_ASSERT_EQUAL(p[2].values[k], (double)(k - 2));
    CU_ASSERT_EQUAL(p[3].values[1], 0.123456789);
    CU_ASSERT_EQUAL(sw->grid_size, 7 * 11 * 5 * 2);
    sm_sweep_free(&sw);
}

/* A range yields the decimals a person would type, as the very doubles
 * strtod gives for them: 0.3 + 1 * (0.7 - 0.3) / 4 computes to
 * 0.39999999999999997, which a filter for 0.4 would not find. */
static void test_range_decimals(void)
{
    sm_sweep *sw = load_ok("name: r\nparameters:\n"
                           "  share.cap: {range: {from: 0.3, to: 0.7, steps: 5}}\n"
                           "  demand.growth: {range: {from: -0.1, to: 0.2, steps: 4}}\n"
                           "  tariff.China: {range: {from: 0, to: 1, steps: 5}}\n"
                           "  price.NdPr: {range: {from: 0.2, to: 1.0, steps: 17}}\n"
                           "  capacity.C1: {range: {from: 0, to: 1, steps: 7}}\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    const sm_sweep_param *p = sw->params;
    static const double cap[] = {0.3, 0.4, 0.5, 0.6, 0.7};
    for (int k = 0; k < 5; k++)
        CU_ASSERT_EQUAL(p[0].values[k], cap[k]);
    static const double growth[] = {-0.1, 0.0, 0.1, 0.2};
    for (int k = 0; k < 4; k++)
        CU_ASSERT_EQUAL(p[1].values[k], growth[k]);
    CU_ASSERT_EQUAL(p[2].values[1], 0.25);
    CU_ASSERT_EQUAL(p[2].values[3], 0.75);
    char text[32];
    for (int k = 0; k < 17; k++) { /* 0.2, 0.25, ..., 1: each as typed */
        snprintf(text, sizeof text, "%d.%02d", (20 + 5 * k) / 100, (20 + 5 * k) % 100);
        CU_ASSERT_EQUAL(p[3].values[k], strtod(text, NULL));
    }
    /* Sixths are no decimals: the arithmetic points stay as they were. */
    for (int k = 0; k < 6; k++)
        CU_ASSERT_EQUAL(p[4].values[k], 0 + k * (1.0 - 0) / 6);
    CU_ASSERT_EQUAL(p[4].values[6], 1.0);
    sm_sweep_free(&sw);
}

/* All six distributions, so every draw path is covered. */
static const char *const all_dists =
    "name: d\nseed: %llu\nsamples: %d\nsampling: %s\nparameters:\n"
    "  share.cap: {values: [0.3, 0.6]}\n"
    "  availability.China: {dist: uniform, low: 0.2, high: 0.8}\n"
    "  price.NdPr: {dist: normal, mean: 1.0, sd: 0.1}\n"
    "  capacity.C1: {dist: lognormal, mu: 0.5, sigma: 0.3}\n"
    "  demand.NdPr: {dist: triangular, low: 0.5, mode: 1, high: 3}\n"
    "  delay.C1: {dist: choice, values: [-1, 0, 2], weights: [2, 5, 3]}\n"
    "  availability.USA.from: {dist: event, p: 0.3, yes: 2, no: 3}\n";

static sm_sweep *load_dists(unsigned long long seed, int samples, const char *sampling)
{
    char *text = NULL;
    CU_ASSERT_FATAL(asprintf(&text, all_dists, seed, samples, sampling) > 0);
    sm_sweep *sw = load_ok(text);
    free(text);
    return sw;
}

/* The same values for scenario i from two separately loaded copies, one
 * walked forwards and one backwards; and every grid point of a sample
 * sees the same random future. */
static void test_determinism(void)
{
    const char *samplings[] = {"random", "lhs"};
    for (int s = 0; s < 2; s++) {
        sm_sweep *a = load_dists(20261128, 500, samplings[s]);
        sm_sweep *b = load_dists(20261128, 500, samplings[s]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        size_t n = a->n_scenarios, np = (size_t)a->n_params;
        CU_ASSERT_EQUAL(n, 1000);
        double *va = malloc(n * np * sizeof *va), *vb = malloc(n * np * sizeof *vb);
        for (size_t i = 0; i < n; i++)
            sm_sweep_values(a, i, &va[i * np]);
        for (size_t i = n; i-- > 0;)
            sm_sweep_values(b, i, &vb[i * np]);
        CU_ASSERT_EQUAL(memcmp(va, vb, n * np * sizeof *va), 0);
        for (size_t i = 0; i < n; i += 2) {
            CU_ASSERT_EQUAL(va[i * np], 0.3);
            CU_ASSERT_EQUAL(va[(i + 1) * np], 0.6);
            CU_ASSERT_EQUAL(memcmp(&va[i * np + 1], &va[(i + 1) * np + 1],
                                   (np - 1) * sizeof *va), 0);
        }
        double again[8];
        sm_sweep_values(a, 777, again);
        CU_ASSERT_EQUAL(memcmp(again, &va[777 * np], np * sizeof *va), 0);
        /* From the uniform numbers a solve order drew: the same values,
         * and NULL draws them. Where each number's outcome falls
         * (sm_param_outcome_u) gives the same values too: a discrete
         * draw's whole interval has one outcome, and its middle is in it. */
        size_t moved = 0;
        for (size_t i = 0; i < n; i++) {
            double u[8], vu[8];
            sm_sweep_uniforms(a, i, u);
            sm_sweep_values_u(a, i, u, vu);
            CU_ASSERT_EQUAL(memcmp(vu, &va[i * np], np * sizeof *va), 0);
            sm_sweep_values_u(a, i, NULL, vu);
            CU_ASSERT_EQUAL(memcmp(vu, &va[i * np], np * sizeof *va), 0);
            for (int k = 0, r = 0; k < a->n_params; k++) {
                if (a->params[k].axis != SM_AXIS_RANDOM)
                    continue;
                double o = sm_param_outcome_u(&a->params[k], u[r]);
                int discrete = a->params[k].dist == SM_DIST_CHOICE || a->params[k].dist == SM_DIST_EVENT;
                CU_ASSERT(discrete ? o > 0 && o < 1 : o == u[r]);
                moved += o != u[r];
                u[r++] = o;
            }
            sm_sweep_values_u(a, i, u, vu);
            CU_ASSERT_EQUAL(memcmp(vu, &va[i * np], np * sizeof *va), 0);
        }
        CU_ASSERT(moved > n); /* two discrete parameters: nearly every number moved */
        free(va);
        free(vb);
        sm_sweep_free(&a);
        sm_sweep_free(&b);
    }
}

/* The numbering of SWEEPS.md pinned: key = seed split in two words,
 * counter = {j low, j high, k, 0}, 53 bits from the first two outputs. */
static void test_counter_layout(void)
{
    /* Philox4x32-10's published known answer for zero key and counter. */
    philox4x32_ctr_t c0 = {{0, 0, 0, 0}};
    philox4x32_key_t k0 = {{0, 0}};
    philox4x32_ctr_t z = philox4x32(c0, k0);
    CU_ASSERT_EQUAL(z.v[0], 0x6627e8d5u);
    CU_ASSERT_EQUAL(z.v[1], 0xe169c58du);

    /* j up to 1e9 - 1 behind a 10-point grid: i beyond 2^32, so the split
     * of i into grid point and sample is checked as well. */
    unsigned long long seed = (1ull << 40) + 3;
    char *text = NULL;
    CU_ASSERT_FATAL(asprintf(&text, "name: c\nseed: %llu\nsamples: 1000000000\nparameters:\n"
                                    "  tariff.China: {range: {from: 0, to: 1, steps: 10}}\n"
                                    "  tariff.USA: {dist: uniform, low: 0, high: 1}\n"
                                    "  share.cap: {dist: uniform, low: 0, high: 1}\n",
                             seed) > 0);
    sm_sweep *sw = load_ok(text);
    free(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    const unsigned long long js[] = {0, 12345, 999999999};
    for (int t = 0; t < 3; t++) {
        unsigned long long j = js[t];
        double u[2];
        sm_sweep_uniforms(sw, (size_t)(j * 10 + 7), u);
        for (unsigned k = 0; k < 2; k++) {
            philox4x32_ctr_t c = {{(uint32_t)j, (uint32_t)(j >> 32), k, 0}};
            philox4x32_key_t key = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
            philox4x32_ctr_t r = philox4x32(c, key);
            uint64_t bits = (((uint64_t)r.v[0] << 32) | r.v[1]) >> 11;
            CU_ASSERT_EQUAL(u[k], ldexp((double)bits, -53));
        }
    }
    sm_sweep_free(&sw);

    /* Events: event e in future j draws counter (j low, j high, e, 2). */
    sw = load_ok("name: e\nseed: 99\nsamples: 1000\nevents:\n  a: {p: 0.5}\n  b: {p: 0.25}\n"
                 "parameters:\n  tariff.China: {when: a, happens: 1, otherwise: 0}\n"
                 "  tariff.USA: {when: b, happens: 1, otherwise: 0}\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    const double p[2] = {0.5, 0.25};
    for (unsigned j = 0; j < 1000; j++) {
        int h[2];
        sm_sweep_events(sw, j, h);
        for (unsigned e = 0; e < 2; e++) {
            philox4x32_ctr_t c = {{j, 0, e, 2}};
            philox4x32_key_t key = {{99, 0}};
            philox4x32_ctr_t r = philox4x32(c, key);
            uint64_t bits = (((uint64_t)r.v[0] << 32) | r.v[1]) >> 11;
            CU_ASSERT_EQUAL(h[e], ldexp((double)bits ? (double)bits : 0.5, -53) < p[e]);
        }
    }
    sm_sweep_free(&sw);
}

static void test_seeds_differ(void)
{
    sm_sweep *a = load_dists(1, 200, "random"), *b = load_dists(2, 200, "random");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    int differ = 0;
    for (size_t i = 0; i < a->n_scenarios; i++) {
        double va[8], vb[8];
        sm_sweep_values(a, i, va);
        sm_sweep_values(b, i, vb);
        differ += va[1] != vb[1] && va[2] != vb[2];
    }
    CU_ASSERT_EQUAL(differ, (int)a->n_scenarios);
    CU_ASSERT_NOT_EQUAL(a->hash, b->hash);
    sm_sweep_free(&a);
    sm_sweep_free(&b);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* 20,000 draws of each distribution, random and Latin hypercube: means,
 * spreads, medians and frequencies within about five standard errors. */
static void test_distributions(void)
{
    const char *samplings[] = {"random", "lhs"};
    for (int s = 0; s < 2; s++) {
        enum { N = 20000 };
        sm_sweep *sw = load_dists(42, N, samplings[s]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
        static double logn[N];
        double sum[8] = {0}, sum2[8] = {0}, lo = 1, hi = 0;
        int choice[3] = {0, 0, 0}, events = 0, other = 0;
        for (size_t j = 0; j < N; j++) {
            double v[8], u[6];
            sm_sweep_values(sw, j * 2, v);
            sm_sweep_uniforms(sw, j * 2, u);
            for (int k = 0; k < 7; k++) {
                sum[k] += v[k];
                sum2[k] += v[k] * v[k];
            }
            for (int k = 0; k < 6; k++)
                if (!(u[k] > 0 && u[k] < 1))
                    other++;
            lo = fmin(lo, v[1]);
            hi = fmax(hi, v[1]);
            logn[j] = v[3];
            choice[0] += v[5] == -1;
            choice[1] += v[5] == 0;
            choice[2] += v[5] == 2;
            events += v[6] == 2;
            other += v[6] != 2 && v[6] != 3;
        }
        CU_ASSERT_EQUAL(other, 0);
        CU_ASSERT_TRUE(lo >= 0.2 && hi <= 0.8 && lo < 0.201 && hi > 0.799);
        CU_ASSERT_DOUBLE_EQUAL(sum[1] / N, 0.5, 0.006);
        double mean = sum[2] / N, sd = sqrt(sum2[2] / N - mean * mean);
        CU_ASSERT_DOUBLE_EQUAL(mean, 1.0, 0.004);
        CU_ASSERT_DOUBLE_EQUAL(sd, 0.1, 0.003);
        qsort(logn, N, sizeof *logn, cmp_double);
        CU_ASSERT_DOUBLE_EQUAL(logn[N / 2], exp(0.5), 0.015 * exp(0.5));
        CU_ASSERT_DOUBLE_EQUAL(sum[4] / N, (0.5 + 1 + 3) / 3, 0.02);
        CU_ASSERT_DOUBLE_EQUAL(choice[0] / (double)N, 0.2, 0.015);
        CU_ASSERT_DOUBLE_EQUAL(choice[1] / (double)N, 0.5, 0.018);
        CU_ASSERT_DOUBLE_EQUAL(choice[2] / (double)N, 0.3, 0.016);
        CU_ASSERT_EQUAL(choice[0] + choice[1] + choice[2], N);
        CU_ASSERT_DOUBLE_EQUAL(events / (double)N, 0.3, 0.016);
        sm_sweep_free(&sw);
    }
}

/* For S samples, each of the S strata of each random parameter holds
 * exactly one draw, whatever S (powers of two or not), and the strata
 * are not simply in sample order nor shared between parameters. */
static void test_lhs_strata(void)
{
    const int sizes[] = {1, 2, 3, 64, 777, 1000};
    for (int t = 0; t < 6; t++) {
        int S = sizes[t];
        char *text = NULL;
        CU_ASSERT_FATAL(asprintf(&text, "name: l\nseed: 99\nsamples: %d\nsampling: lhs\n"
                                        "parameters:\n"
                                        "  share.cap: {values: [0.3, 0.6]}\n"
                                        "  price.NdPr: {dist: normal, mean: 1, sd: 0.2}\n"
                                        "  tariff.China: {dist: uniform, low: 0, high: 1}\n"
                                        "  delay.C1: {dist: choice, values: [0, 1]}\n",
                                 S) > 0);
        sm_sweep *sw = load_ok(text);
        free(text);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
        int *seen = calloc((size_t)S * 3, sizeof *seen), in_order = 0, same = 0;
        for (int j = 0; j < S; j++) {
            double u[3], u2[3];
            sm_sweep_uniforms(sw, (size_t)j * 2, u);
            sm_sweep_uniforms(sw, (size_t)j * 2 + 1, u2);
            CU_ASSERT_EQUAL(memcmp(u, u2, sizeof u), 0);
            int st[3];
            for (int k = 0; k < 3; k++) {
                CU_ASSERT_TRUE(u[k] > 0 && u[k] < 1);
                st[k] = (int)floor(u[k] * S);
                if (st[k] >= 0 && st[k] < S)
                    seen[k * S + st[k]]++;
            }
            in_order += st[0] == j;
            same += st[0] == st[1];
        }
        for (int k = 0; k < 3 * S; k++)
            CU_ASSERT_EQUAL(seen[k], 1);
        if (S >= 64) {
            CU_ASSERT_TRUE(in_order < S / 8);
            CU_ASSERT_TRUE(same < S / 8);
        }
        free(seen);
        sm_sweep_free(&sw);
    }
}

/* Draws are clamped into each parameter's domain, and whole-number
 * parameters come out whole. */
static void test_clamping(void)
{
    sm_sweep *sw = load_ok("name: c\nseed: 5\nsamples: 5000\nparameters:\n"
                           "  availability.China: {dist: normal, mean: 0.9, sd: 0.5}\n"
                           "  delay.C1: {dist: normal, mean: 0, sd: 1.5}\n"
                           "  availability.China.from: {dist: uniform, low: 1, high: 3}\n"
                           "  demand.growth: {dist: normal, mean: -0.9, sd: 1}\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    int at0 = 0, at1 = 0, bad = 0, at_lo = 0;
    for (size_t i = 0; i < sw->n_scenarios; i++) {
        double v[4];
        sm_sweep_values(sw, i, v);
        bad += v[0] < 0 || v[0] > 1;
        at0 += v[0] == 0;
        at1 += v[0] == 1;
        bad += v[1] != floor(v[1]) || v[1] < -2 || v[1] > 2;
        bad += v[2] != floor(v[2]) || v[2] < 1 || v[2] > 3;
        bad += v[3] < -0.99;
        at_lo += v[3] == -0.99;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_TRUE(at0 > 0 && at1 > 0 && at_lo > 0);
    sm_sweep_free(&sw);
}

static void test_file_errors(void)
{
    expect_error("", 1, "the file is empty");
    expect_error("# only a comment\n", 1, "the file is empty");
    expect_error("- a\n- list\n", 1, "expected a mapping");
    expect_error("name: t\nparameters:\n  share.cap: {values: [0.5]}\n  # caf\xe9\n", 4,
                 "not valid UTF-8");

    sm_sweep *sw = NULL;
    sm_diag d;
    sm_diag_init(&d);
    CU_ASSERT_EQUAL(sm_sweep_load("/nonexistent/sweep.yaml", model, &sw, &d), SM_EINPUT);
    CU_ASSERT_PTR_NULL(sw);
    CU_ASSERT_PTR_NOT_NULL(sm_test_find_diag(&d, "/nonexistent/sweep.yaml", 0, "cannot open"));
    sm_diag_clear(&d);
}

static void test_top_level_errors(void)
{
    expect_error_sub("model: tiny", "modle: tiny", 2, "unknown key 'modle'");
    expect_error_sub("model: tiny", "model: rare_earths", 2,
                     "this sweep is for model 'rare_earths', but the model loaded is 'tiny'");
    expect_error_sub("name: t", "name: 9t", 1, "not a valid name");
    expect_error_sub("name: t\n", "", 1, "required key 'name' is missing");
    expect_error_sub("seed: 7\n", "", 1,
                     "seed: required because parameter 'availability.China' (line 7) is random");
    expect_error_sub("samples: 10\n", "", 1, "samples: required because parameter");
    expect_error_sub("samples: 10", "samples: 0", 4, "samples: 0 is out of range");
    expect_error_sub("samples: 10", "samples: 2.5", 4, "whole number");
    expect_error_sub("seed: 7", "seed: -7", 3, "seed: expected a whole number in [0, 2^63)");
    expect_error_sub("seed: 7", "seed: 9223372036854775808", 3, "[0, 2^63)");
    expect_error_sub("seed: 7", "seed: 1.5", 3, "[0, 2^63)");
    expect_error_sub("seed: 7", "seed: [7]", 3, "seed: expected a single value, found a list");
    expect_error_sub("seed: 7", "seed: 7\nsampling: sobol", 4,
                     "sampling: expected 'random' or 'lhs', got 'sobol'");
    expect_error_sub("seed: 7", "seed: 7\nblock_size: 0", 4, "block_size: 0 is out of range");
    expect_error_sub("seed: 7", "seed: 7\nblock_size: 65537", 4,
                     "block_size: 65537 is out of range");
    expect_error("name: t\n", 1, "required key 'parameters' is missing");
    expect_error("name: t\nparameters: {}\n", 2, "at least one parameter");
    expect_error("name: t\nparameters: [share.cap]\n", 2, "parameters: expected a mapping");

    /* The largest seed is fine; so is a block size at either end. */
    char *text = sm_tiny_replace(base, "seed: 7", "seed: 9223372036854775807\nblock_size: 1");
    sm_sweep *sw = load_ok(text);
    CU_ASSERT_TRUE(sw && sw->seed == 9223372036854775807ull && sw->block_size == 1);
    sm_sweep_free(&sw);
    free(text);
}

static void test_parameter_errors(void)
{
    expect_error_sub("tariff.China:", "tarif.China:", 7, "unknown parameter kind 'tarif'");
    expect_error_sub("tariff.China:", "tariff.Mars:", 7, "unknown region 'Mars' in 'tariff.Mars'");
    expect_error_sub("share.cap:", "share.capp:", 6, "unknown limit 'capp'");
    expect_error_sub("tariff.China:", "tariff:", 7, "not a parameter name");
    expect_extra_error("  price.Gold: {values: [1]}", "unknown material or supplier 'Gold'");
    expect_extra_error("  delay.X9: {values: [1]}", "unknown supplier or region 'X9'");
    expect_extra_error("  stock.initial.Gold: {values: [1]}", "unknown material 'Gold'");
    expect_extra_error("  share.cap: {values: [0.1]}",
                       "duplicate key 'share.cap' (first at line 6)");
    expect_extra_error("  demand.growth: [1, 2]", "parameters.demand.growth: expected a mapping");
    expect_extra_error("  demand.growth: {}", "expected one of 'values: [...]'");
    expect_extra_error("  demand.growth: {valeus: [0.1]}", "unknown key 'valeus'");
    expect_extra_error("  demand.growth: {values: [0.1], range: {from: 0, to: 1, steps: 2}}",
                       "either 'values' or 'range', not both");
    expect_extra_error("  demand.growth: {values: [0.1], steps: 3}", "unknown key 'steps'");
}

static void test_grid_errors(void)
{
    expect_error_sub("[0.2, 0.4]", "[0.2, 1.4]", 6,
                     "parameters.share.cap.values: 1.4 is outside the domain of share.cap");
    expect_error_sub("[0.2, 0.4]", "[0.2, x]", 6, "'x' is not a number");
    expect_error_sub("[0.2, 0.4]", "[]", 6, "at least one value");
    expect_error_sub("{values: [0.2, 0.4]}", "{values: 0.2}", 6, "expected a list");
    expect_extra_error("  delay.C1: {values: [0, 1.5]}",
                       "1.5 is not a whole number; delay.C1 takes whole periods");
    expect_extra_error("  delay.C1: {values: [0, 3]}", "3 is outside the domain of delay.C1");
    expect_extra_error("  availability.USA.from: {values: [0]}", "expected a value in [1, 3]");
    expect_error_sub("steps: 3", "steps: 1", 7, "range.steps: 1 is out of range");
    expect_error_sub("from: 0, to: 1", "from: 1, to: 0", 7, "from (1) must be below to (0)");
    expect_error_sub("from: 0, to: 1", "from: 0.5, to: 0.5", 7, "must be below");
    expect_error_sub("from: 0, to: 1", "from: -1, to: 1", 7, "-1 is outside the domain");
    expect_error_sub("from: 0, to: 1, steps: 3", "to: 1, steps: 3", 7, "required key 'from'");
    expect_error_sub("steps: 3", "steps: 3, by: 2", 7, "unknown key 'by'");
    expect_extra_error("  delay.C1: {range: {from: 0, to: 1, steps: 3}}",
                       "point 2 of the range is 0.5, not a whole number");
}

static void test_distribution_errors(void)
{
    expect_random_error("availability.China: {dist: gamma, k: 2}", "unknown distribution 'gamma'");
    expect_random_error("availability.China: {dist: [normal]}", "expected text");
    expect_random_error("price.NdPr: {dist: normal, mean: 1, sd: 0}",
                        "price.NdPr.sd: must be above 0");
    expect_random_error("price.NdPr: {dist: normal, mean: 1, sd: -1}", "must be above 0, got -1");
    expect_random_error("price.NdPr: {dist: lognormal, mu: 0, sigma: 0}", "sigma: must be above 0");
    expect_random_error("price.NdPr: {dist: normal, mean: 1}", "required key 'sd' is missing");
    expect_random_error("price.NdPr: {dist: normal, mean: 1, sd: 0.1, low: 0}",
                        "unknown key 'low'");
    expect_random_error("price.NdPr: {dist: uniform, low: 2, high: 1}",
                        "high: 1 must be above low (2)");
    expect_random_error("price.NdPr: {dist: uniform, low: 1, high: 1}", "must be above low");
    expect_random_error("availability.China: {dist: uniform, low: -0.5, high: 1}",
                        "low: -0.5 is outside the domain of availability.China");
    expect_random_error("price.NdPr: {dist: triangular, low: 1, mode: 0.5, high: 2}",
                        "mode: 0.5 must lie in [low, high] = [1, 2]");
    expect_random_error("price.NdPr: {dist: triangular, low: 1, mode: 2.5, high: 2}",
                        "must lie in [low, high]");
    expect_random_error("price.NdPr: {dist: triangular, low: 2, mode: 2, high: 2}",
                        "must be above low");
    expect_random_error("tariff.USA: {dist: event, p: 1.5, yes: 1, no: 0}",
                        "tariff.USA.p: probability 1.5 is outside [0, 1]");
    expect_random_error("tariff.USA: {dist: event, p: -0.1, yes: 1, no: 0}", "outside [0, 1]");
    expect_random_error("availability.China.from: {dist: event, p: 0.5, yes: 5, no: 3}",
                        "yes: 5 is outside the domain");
    expect_random_error("delay.C1: {dist: event, p: 0.5, yes: 1.5, no: 0}", "not a whole number");
    expect_random_error("delay.C1: {dist: choice, values: [0, 1], weights: [-1, 2]}",
                        "weight -1 is negative");
    expect_random_error("delay.C1: {dist: choice, values: [0, 1], weights: [0, 0]}",
                        "the weights sum to 0");
    expect_random_error("delay.C1: {dist: choice, values: [0, 1], weights: [1]}",
                        "1 weights for 2 values");
    expect_random_error("delay.C1: {dist: choice, values: [0, 9]}", "9 is outside the domain");
    expect_random_error("delay.C1: {dist: choice, weights: [1]}", "required key 'values'");
    expect_random_error("delay.C1: {dist: choice, values: [0, 1], weights: 1}", "expected a list");
}

static void test_scenario_limit(void)
{
    /* 2 x 30 grid points x 1e9 samples = 6e10 > 1e10: at the samples line. */
    char *text = sm_tiny_replace(base, "samples: 10", "samples: 1000000000");
    char *t2 = sm_tiny_replace(text, "steps: 3", "steps: 30");
    expect_error(t2, 4, "more than the limit");
    free(text);
    free(t2);
    /* A grid alone past the limit (1e12 points): at the parameters line. */
    expect_error("name: t\nparameters:\n"
                 "  tariff.China: {range: {from: 0, to: 1, steps: 10000}}\n"
                 "  tariff.USA: {range: {from: 0, to: 1, steps: 10000}}\n"
                 "  share.cap: {range: {from: 0, to: 1, steps: 10000}}\n",
                 2, "the sweep has 1e+12 scenarios");
    /* Exactly at the limit is fine: 10 grid points x 1e9 samples. */
    text = sm_tiny_replace(base, "samples: 10", "samples: 1000000000");
    t2 = sm_tiny_replace(text, "[0.2, 0.4]", "[0.1, 0.2, 0.3, 0.4, 0.5]");
    char *t3 = sm_tiny_replace(t2, "steps: 3", "steps: 2");
    sm_sweep *sw = load_ok(t3);
    CU_ASSERT_TRUE(sw && sw->n_scenarios == SM_SWEEP_MAX_SCENARIOS);
    sm_sweep_free(&sw);
    free(text);
    free(t2);
    free(t3);
}

/* Several mistakes in one file come back together; seed and samples on a
 * grid alone are warnings, not errors. */
static void test_all_problems_and_warnings(void)
{
    expect_error("name: t\nseed: 1\nsamples: 0\nsampling: sobol\nparameters:\n"
                 "  tariff.Mars: {values: [1]}\n"
                 "  share.cap: {values: [2]}\n"
                 "  price.NdPr: {dist: normal, mean: 1, sd: 0}\n",
                 3, "samples: 0 is out of range");
    sm_sweep *sw;
    sm_diag d;
    CU_ASSERT_EQUAL(load_text("name: t\nseed: 1\nsamples: 0\nsampling: sobol\nparameters:\n"
                              "  tariff.Mars: {values: [1]}\n"
                              "  share.cap: {values: [2]}\n"
                              "  price.NdPr: {dist: normal, mean: 1, sd: 0}\n",
                              &sw, &d), SM_EINPUT);
    CU_ASSERT_EQUAL(d.errors, 5);
    CU_ASSERT_PTR_NOT_NULL(sm_test_find_diag(&d, "sweep.yaml", 4, "sobol"));
    CU_ASSERT_PTR_NOT_NULL(sm_test_find_diag(&d, "sweep.yaml", 6, "unknown region 'Mars'"));
    CU_ASSERT_PTR_NOT_NULL(sm_test_find_diag(&d, "sweep.yaml", 7, "outside the domain"));
    CU_ASSERT_PTR_NOT_NULL(sm_test_find_diag(&d, "sweep.yaml", 8, "must be above 0"));
    sm_diag_clear(&d);

    CU_ASSERT_EQUAL(load_text("name: t\nseed: 1\nsamples: 50\nparameters:\n"
                              "  share.cap: {values: [0.1, 0.2]}\n", &sw, &d), SM_OK);
    CU_ASSERT_EQUAL(d.errors, 0);
    CU_ASSERT_EQUAL(d.warnings, 2);
    CU_ASSERT_PTR_NOT_NULL(
        sm_test_find_diag(&d, "sweep.yaml", 2, "seed: ignored, no parameter is random"));
    CU_ASSERT_PTR_NOT_NULL(sm_test_find_diag(&d, "sweep.yaml", 3, "samples: ignored"));
    CU_ASSERT_TRUE(sw && sw->samples == 1 && sw->n_scenarios == 2);
    sm_sweep_free(&sw);
    sm_diag_clear(&d);
}

static void test_find(void)
{
    char *dir = sm_test_tmpdir(), *sweeps = NULL;
    CU_ASSERT_FATAL(asprintf(&sweeps, "%s/sweeps", dir) > 0);
    mkdir(sweeps, 0700);
    char *quick = sm_test_write(sweeps, "quick.yaml", base);
    char *plain = sm_test_write(sweeps, "plain", base);
    char *p2 = sm_test_write(sweeps, "plain.yaml", base);
    char *f;
    f = sm_sweep_find("quick", dir);
    CU_ASSERT_STRING_EQUAL(f, quick);
    free(f);
    f = sm_sweep_find("quick.yaml", dir);
    CU_ASSERT_STRING_EQUAL(f, quick);
    free(f);
    f = sm_sweep_find("plain", dir);   /* the name as given comes first */
    CU_ASSERT_STRING_EQUAL(f, plain);
    free(f);
    f = sm_sweep_find(quick, dir);      /* an existing path as is */
    CU_ASSERT_STRING_EQUAL(f, quick);
    free(f);
    f = sm_sweep_find("nosuch", dir);
    CU_ASSERT_STRING_EQUAL(f, "nosuch");
    free(f);
    f = sm_sweep_find("other/quick", dir);  /* a path is never looked up */
    CU_ASSERT_STRING_EQUAL(f, "other/quick");
    free(f);
    f = sm_sweep_find("quick", NULL);
    CU_ASSERT_STRING_EQUAL(f, "quick");
    free(f);
    free(quick);
    free(plain);
    free(p2);
    free(sweeps);
    sm_test_rmtree(dir);
}

/* Without block_size, 16, 8, 4 or 2 equal blocks of at least 32
 * scenarios, one block below 63, blocks of 512 above 8,192 scenarios; a
 * block_size in the file wins. */
static void test_default_block_size(void)
{
    const size_t n[] = {1, 31, 62, 63, 64, 100, 127, 128, 200, 400, 401, 511, 512,
                        1000, 4096, 4097, 5000, 8192, 8193, 10000, 14637, 1000000};
    const size_t want[] = {1, 31, 62, 32, 32, 50, 32, 32, 50, 50, 51, 32, 32,
                           63, 256, 257, 313, 512, 512, 512, 512, 512};
    for (size_t t = 0; t < sizeof n / sizeof n[0]; t++) {
        size_t b = sm_sweep_default_block_size(n[t]);
        if (b != want[t])
            fprintf(stderr, "  %zu scenarios: block size %zu, want %zu\n", n[t], b, want[t]);
        CU_ASSERT_EQUAL(b, want[t]);
        size_t blocks = sm_blocks_count(n[t], b);
        CU_ASSERT_TRUE(blocks <= SM_SWEEP_DEFAULT_BLOCKS || b == SM_SWEEP_MAX_DEFAULT_BLOCK);
    }
    char *text = sm_tiny_replace(base, "seed: 7", "seed: 7\nblock_size: 7");
    sm_sweep *sw = load_ok(text);
    CU_ASSERT_TRUE(sw && sw->block_size == 7 && sw->block_size_given);
    sm_sweep_free(&sw);
    free(text);
}

/* The sweeps shipped with rare_earths load and have the scenario counts
 * their comments claim. */
static void test_shipped_sweeps(void)
{
    sm_model *m = NULL;
    sm_diag d;
    sm_diag_init(&d);
    CU_ASSERT_EQUAL_FATAL(sm_model_load(SM_SOURCE_MODELS_DIR "/rare_earths", &m, &d), SM_OK);
    const struct { const char *name; size_t grid, samples, block; } want[] = {
        {"china_grid", 14637, 1, 357}, {"monte_carlo", 1, 10000, 512}, {"quick", 5, 200, 63},
        {"news", 5, 1000, 313}};
    for (int t = 0; t < 4; t++) {
        char *path = sm_sweep_find(want[t].name, m->dir);
        sm_sweep *sw = NULL;
        sm_diag_clear(&d);
        sm_diag_init(&d);
        sm_status st = sm_sweep_load(path, m, &sw, &d);
        if (st != SM_OK || d.errors + d.warnings)
            sm_test_dump_diag(&d);
        CU_ASSERT_EQUAL(st, SM_OK);
        CU_ASSERT_EQUAL(d.warnings, 0);
        if (sw) {
            CU_ASSERT_STRING_EQUAL(sw->name, want[t].name);
            CU_ASSERT_EQUAL(sw->grid_size, want[t].grid);
            CU_ASSERT_EQUAL(sw->samples, want[t].samples);
            CU_ASSERT_EQUAL(sw->block_size, want[t].block);
            double *v = malloc((size_t)sw->n_params * sizeof *v);
            sm_sweep_values(sw, sw->n_scenarios - 1, v);
            free(v);
        }
        sm_sweep_free(&sw);
        free(path);
    }
    sm_diag_clear(&d);
    sm_model_free(&m);
}

/* One event drives three parameters: in every scenario where it happened
 * all three take their 'happens' distribution, elsewhere their
 * 'otherwise' one; with a Latin hypercube it happens in exactly p * S
 * futures, and every grid point of a future sees the same outcome. */
static void test_event_moves_together(void)
{
    const char *samplings[] = {"random", "lhs"};
    for (int s = 0; s < 2; s++) {
        char *text = NULL;
        CU_ASSERT_FATAL(asprintf(&text,
            "name: e\nseed: 11\nsamples: 2000\nsampling: %s\n"
            "events:\n  controls_return: {p: 0.3}\n"
            "parameters:\n"
            "  share.cap: {values: [0.2, 0.4]}\n"
            "  availability.China:\n    when: controls_return\n"
            "    happens: {dist: uniform, low: 0.1, high: 0.3}\n    otherwise: 1\n"
            "  availability.China.from: {when: controls_return, happens: {dist: choice, "
            "values: [1, 2]}, otherwise: 3}\n"
            "  price.NdPr: {when: controls_return, happens: {dist: lognormal, mu: 0.5, "
            "sigma: 0.1}, otherwise: {dist: uniform, low: 0.9, high: 1}}\n",
            samplings[s]) > 0);
        sm_sweep *sw = load_ok(text);
        free(text);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
        CU_ASSERT_EQUAL(sw->n_events, 1);
        CU_ASSERT_EQUAL(sw->events[0].uses, 3);
        size_t happened = 0;
        for (size_t i = 0; i < sw->n_scenarios; i++) {
            double v[4];
            int h, h0;
            sm_sweep_values(sw, i, v);
            sm_sweep_events(sw, i, &h);
            sm_sweep_events(sw, i - i % 2, &h0);
            CU_ASSERT_EQUAL(h, h0);
            happened += h && i % 2 == 0;
            if (h) {
                CU_ASSERT_TRUE(v[1] >= 0.1 && v[1] <= 0.3);
                CU_ASSERT_TRUE(v[2] == 1 || v[2] == 2);
                CU_ASSERT_TRUE(v[3] > 1.05);
            } else {
                CU_ASSERT_EQUAL(v[1], 1);
                CU_ASSERT_EQUAL(v[2], 3);
                CU_ASSERT_TRUE(v[3] >= 0.9 && v[3] <= 1);
            }
        }
        if (s == 1)
            CU_ASSERT_EQUAL(happened, 600);
        CU_ASSERT_TRUE(happened > 500 && happened < 700);
        sm_sweep_free(&sw);
    }
}

/* Mistakes in events and outcomes, each with its line. */
static void test_event_errors(void)
{
    const char *head = "name: e\nseed: 1\nsamples: 10\nevents:\n";   /* lines 1-4 */
    const struct { const char *body; int line; const char *needle; } cases[] = {
        {"  x: {p: 0.5}\nparameters:\n  tariff.China: {when: y, happens: 1, otherwise: 0}\n",
         7, "unknown event 'y'; the events of this sweep are: x"},
        {"  x: {p: 1.5}\nparameters:\n  tariff.China: {when: x, happens: 1, otherwise: 0}\n",
         5, "events.x.p: probability 1.5 is outside [0, 1]"},
        {"  x: {p: -0.1}\nparameters:\n  tariff.China: {when: x, happens: 1, otherwise: 0}\n",
         5, "outside [0, 1]"},
        {"  x: {p: 0.5}\nparameters:\n  tariff.China: {when: x, happens: 1}\n",
         7, "required key 'otherwise' is missing"},
        {"  x: {p: 0.5}\nparameters:\n  tariff.China: {when: x, otherwise: 1}\n",
         7, "required key 'happens' is missing"},
        {"  x: {p: 0.5}\n  y: {p: 0.2}\nparameters:\n"
         "  tariff.China: {when: x, happens: 1, otherwise: 0}\n",
         6, "events.y: no parameter uses this event"},
        {"  x: {p: 0.5}\nparameters:\n  availability.China: {when: x, happens: 1.5, otherwise: 1}\n",
         7, "1.5 is outside the domain of availability.China"},
        {"  x: {p: 0.5}\nparameters:\n  availability.China.from: {when: x, happens: {dist: "
         "choice, values: [1.5]}, otherwise: 3}\n", 7, "not a whole number"},
        {"  x: {p: 0.5}\nparameters:\n  tariff.China: {when: x, happens: {values: [1]}, "
         "otherwise: 0}\n", 7, "expected a number or a distribution"},
        {"  x: {p: 0.5}\nparameters:\n  tariff.China: {when: x, happens: 1, otherwise: 0, "
         "dist: uniform}\n", 7, "unknown key 'dist'"},
        {"  x: {q: 0.5}\nparameters:\n  tariff.China: {when: x, happens: 1, otherwise: 0}\n",
         5, "required key 'p' is missing"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char *text = NULL;
        CU_ASSERT_FATAL(asprintf(&text, "%s%s", head, cases[c].body) > 0);
        expect_error(text, cases[c].line, cases[c].needle);
        free(text);
    }
    /* No events at all. */
    expect_error("name: e\nseed: 1\nsamples: 3\nparameters:\n"
                 "  tariff.China: {when: x, happens: 1, otherwise: 0}\n", 5,
                 "this sweep has no events");
}

/* Three random parameters, two target rank correlations (or none). */
static sm_sweep *load_correlated(const char *sampling, int correlated, size_t samples)
{
    char *text = NULL;
    CU_ASSERT_FATAL(asprintf(&text,
        "name: c\nseed: 20261130\nsamples: %zu\nsampling: %s\nparameters:\n"
        "  share.cap: {values: [0.2, 0.4]}\n"
        "  price.NdPr: {dist: lognormal, mu: 0, sigma: 0.3}\n"
        "  availability.China: {dist: uniform, low: 0.2, high: 1}\n"
        "  tariff.China: {dist: triangular, low: 0, mode: 0.25, high: 1}\n"
        "%s", samples, sampling,
        correlated ? "correlations:\n"
                     "  - {between: [price.NdPr, availability.China], rho: 0.7}\n"
                     "  - {between: [tariff.China, price.NdPr], rho: -0.5}\n" : "") > 0);
    sm_sweep *sw = load_ok(text);
    free(text);
    return sw;
}

/* Spearman's rho of continuous draws (no ties), computed here on its
 * own: 1 - 6 sum d^2 / (n (n^2 - 1)). */
static double spearman_no_ties(const double *x, const double *y, size_t n)
{
    double *sx = malloc(n * sizeof *sx), *sy = malloc(n * sizeof *sy), sum = 0;
    memcpy(sx, x, n * sizeof *sx);
    memcpy(sy, y, n * sizeof *sy);
    qsort(sx, n, sizeof *sx, cmp_double);
    qsort(sy, n, sizeof *sy, cmp_double);
    for (size_t j = 0; j < n; j++) {
        double *px = bsearch(&x[j], sx, n, sizeof *sx, cmp_double);
        double *py = bsearch(&y[j], sy, n, sizeof *sy, cmp_double);
        double dr = (double)(px - sx) - (double)(py - sy);
        sum += dr * dr;
    }
    free(sx);
    free(sy);
    return 1 - 6 * sum / ((double)n * ((double)n * (double)n - 1));
}

/* 10,000 futures: the achieved Spearman within 0.02 of 0.7 and -0.5 (and
 * of 0 for the pair not given), as the sweep reports it too; each
 * parameter's sorted draws identical to those without correlations. */
static void test_rank_correlation(void)
{
    const char *samplings[] = {"random", "lhs"};
    const size_t S = 10000;
    for (int s = 0; s < 2; s++) {
        sm_sweep *c = load_correlated(samplings[s], 1, S), *u = load_correlated(samplings[s], 0, S);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT_PTR_NOT_NULL_FATAL(u);
        double *vc = malloc(4 * S * sizeof *vc), *vu = malloc(4 * S * sizeof *vu);
        for (size_t j = 0; j < S; j++) {
            double a[4], b[4];
            sm_sweep_values(c, 2 * j + 1, a);
            sm_sweep_values(u, 2 * j + 1, b);
            for (int k = 0; k < 4; k++)
                vc[k * S + j] = a[k], vu[k * S + j] = b[k];
        }
        double r12 = spearman_no_ties(&vc[S], &vc[2 * S], S);
        double r13 = spearman_no_ties(&vc[S], &vc[3 * S], S);
        double r23 = spearman_no_ties(&vc[2 * S], &vc[3 * S], S);
        printf("\n  %s: Spearman %.4f (0.7), %.4f (-0.5), %.4f (0)", samplings[s], r12, r13, r23);
        CU_ASSERT_DOUBLE_EQUAL(r12, 0.7, 0.01); /* the issue asks 0.02 */
        CU_ASSERT_DOUBLE_EQUAL(r13, -0.5, 0.01);
        CU_ASSERT_DOUBLE_EQUAL(r23, 0.0, 0.02);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c->rank_achieved);
        CU_ASSERT_DOUBLE_EQUAL(c->rank_achieved[1 * 4 + 2], r12, 1e-9);
        CU_ASSERT_DOUBLE_EQUAL(c->rank_achieved[3 * 4 + 1], r13, 1e-9);
        CU_ASSERT_DOUBLE_EQUAL(c->rank_target[1 * 4 + 3], -0.5, 0);
        CU_ASSERT_DOUBLE_EQUAL(c->rank_target[2 * 4 + 3], 0, 0);
        CU_ASSERT_TRUE(isnan(c->rank_target[0]));
        for (int k = 1; k < 4; k++) {
            qsort(&vc[k * S], S, sizeof *vc, cmp_double);
            qsort(&vu[k * S], S, sizeof *vu, cmp_double);
            CU_ASSERT_EQUAL(memcmp(&vc[k * S], &vu[k * S], S * sizeof *vc), 0);
        }
        free(vc);
        free(vu);
        sm_sweep_free(&c);
        sm_sweep_free(&u);
    }
}

/* A correlated sweep's scenario values are those of the file alone:
 * two copies, one walked backwards over a subset, agree exactly, and a
 * grid point's futures are shared. */
static void test_correlation_determinism(void)
{
    sm_sweep *a = load_correlated("lhs", 1, 3000), *b = load_correlated("lhs", 1, 3000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    for (size_t i = a->n_scenarios; i-- > 0;) {
        double va[4], vb[4], vg[4];
        if (i % 7 == 3) {
            sm_sweep_values(b, i, vb);
            sm_sweep_values(a, i, va);
            CU_ASSERT_EQUAL(memcmp(va, vb, sizeof va), 0);
        }
        sm_sweep_values(a, i ^ 1, vg);
        sm_sweep_values(a, i, va);
        CU_ASSERT_EQUAL(memcmp(&va[1], &vg[1], 3 * sizeof *va), 0);
        /* From the reordered uniform numbers a solve order drew. */
        double u[4], vu[4];
        sm_sweep_uniforms(a, i, u);
        sm_sweep_values_u(a, i, u, vu);
        CU_ASSERT_EQUAL(memcmp(vu, va, sizeof va), 0);
    }
    sm_sweep_free(&a);
    sm_sweep_free(&b);
}

/* Correlation mistakes, each with its line. */
static void test_correlation_errors(void)
{
    const char *head = "name: c\nseed: 1\nsamples: 50\nparameters:\n"            /* 1-4 */
                       "  share.cap: {values: [0.2, 0.4]}\n"                       /* 5 */
                       "  price.NdPr: {dist: lognormal, mu: 0, sigma: 0.3}\n"      /* 6 */
                       "  availability.China: {dist: uniform, low: 0.2, high: 1}\n" /* 7 */
                       "  tariff.China: {dist: uniform, low: 0, high: 1}\n"        /* 8 */
                       "correlations:\n";                                          /* 9 */
    const struct { const char *body; int line; const char *needle; } cases[] = {
        {"  - {between: [price.NdPr, share.cap], rho: 0.5}\n", 10, "'share.cap' (line 5) is a grid parameter"},
        {"  - {between: [price.NdPr, demand.NdPr], rho: 0.5}\n", 10, "'demand.NdPr' is not a parameter of this sweep"},
        {"  - {between: [price.NdPr, price.NdPr], rho: 0.5}\n", 10, "with itself"},
        {"  - {between: [price.NdPr, tariff.China], rho: 1.5}\n", 10, "rho"},
        {"  - {between: [price.NdPr], rho: 0.5}\n", 10, "expected two parameter names"},
        {"  - {between: [price.NdPr, tariff.China], rho: 0.5}\n"
         "  - {between: [tariff.China, price.NdPr], rho: 0.4}\n", 11, "already given at line 10"},
        {"  - {between: [price.NdPr, tariff.China], rho: 0.9}\n"
         "  - {between: [tariff.China, availability.China], rho: 0.9}\n"
         "  - {between: [price.NdPr, availability.China], rho: -0.9}\n", 9,
         "not positive semi-definite"},
        {"  - {between: [price.NdPr, tariff.China], rho: 0.5, by: 2}\n", 10, "unknown key 'by'"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char *text = NULL;
        CU_ASSERT_FATAL(asprintf(&text, "%s%s", head, cases[c].body) > 0);
        expect_error(text, cases[c].line, cases[c].needle);
        free(text);
    }
    expect_error("name: c\nseed: 1\nsamples: 3\nevents:\n  x: {p: 0.5}\nparameters:\n"
                 "  tariff.China: {when: x, happens: 1, otherwise: 0}\n"
                 "  price.NdPr: {dist: uniform, low: 1, high: 2}\n"
                 "correlations:\n  - {between: [price.NdPr, tariff.China], rho: 0.5}\n", 10,
                 "'tariff.China' (line 7) follows an event");
    expect_error("name: c\nseed: 1\nsamples: 2000000\nparameters:\n"
                 "  tariff.China: {dist: uniform, low: 0, high: 1}\n"
                 "  price.NdPr: {dist: uniform, low: 1, high: 2}\n"
                 "correlations:\n  - {between: [price.NdPr, tariff.China], rho: 0.5}\n", 7,
                 "need samples of at most 1000000");
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"a sweep loads with its fields", test_base_loads},
        {"grid numbering and digits, first parameter slowest", test_grid_numbering},
        {"range points, exact at both ends", test_range_ends},
        {"range points are the decimals a person types", test_range_decimals},
        {"determinism: any order, any copy, common random numbers", test_determinism},
        {"counter layout pinned (Philox known answer), events too", test_counter_layout},
        {"different seeds, different draws", test_seeds_differ},
        {"distributions on 20,000 draws", test_distributions},
        {"Latin hypercube: one draw per stratum", test_lhs_strata},
        {"draws clamped into the domain, whole where needed", test_clamping},
        {"file errors", test_file_errors},
        {"top-level errors with line", test_top_level_errors},
        {"parameter name and spec errors with line", test_parameter_errors},
        {"grid errors with line", test_grid_errors},
        {"distribution errors with line", test_distribution_errors},
        {"scenario count limit", test_scenario_limit},
        {"all problems in one pass; warnings", test_all_problems_and_warnings},
        {"sm_sweep_find", test_find},
        {"shipped sweeps load with their counts", test_shipped_sweeps},
        {"default block size by scenario count; the file's wins", test_default_block_size},
        {"an event's parameters move together", test_event_moves_together},
        {"event errors with line", test_event_errors},
        {"rank correlations on 10,000 futures, marginals unchanged", test_rank_correlation},
        {"correlated draws depend on the file and the index only", test_correlation_determinism},
        {"correlation errors with line", test_correlation_errors},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"sweep", suite_init, suite_cleanup, NULL, NULL, tests},
                             CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
