/* Scenario values of a sweep: grid digits, counter-based random draws and
 * Latin hypercube strata (see sweep.h and models/SWEEPS.md). Everything
 * here is a pure function of the sweep and the scenario index, with no
 * state and no allocation, so any thread may evaluate any scenario in any
 * order and get the same numbers. */
#include "sweep.h"

#include "blocks.h"

#include <Random123/philox.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void sm_sweep_free(sm_sweep **s)
{
    if (!s || !*s)
        return;
    sm_sweep *w = *s;
    for (int k = 0; k < w->n_params; k++) {
        sm_sweep_param *p = &w->params[k];
        if (p->otherwise) {
            free(p->otherwise->values);
            free(p->otherwise->weights);
            free(p->otherwise); /* its name is the parameter's */
        }
        free(p->name);
        free(p->values);
        free(p->weights);
    }
    free(w->params);
    for (int e = 0; e < w->n_events; e++)
        free(w->events[e].name);
    free(w->events);
    free(w->corr);
    for (int r = 0; w->reorder && r < w->n_random; r++)
        free(w->reorder[r]);
    free(w->reorder);
    free(w->rank_target);
    free(w->rank_achieved);
    free(w->name);
    free(w->description);
    free(w->file);
    free(w->text);
    free(w);
    *s = NULL;
}

/* Rounds of the LHS Feistel network: 4 make a pseudo-random permutation
 * from random round functions (Luby-Rackoff); 2 more because our halves
 * are unequal when the domain has an odd number of bits. */
#define FEISTEL_ROUNDS 6

static philox4x32_ctr_t philox(uint64_t seed, uint32_t c0, uint32_t c1, uint32_t c2,
                               uint32_t c3)
{
    philox4x32_key_t key = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
    philox4x32_ctr_t ctr = {{c0, c1, c2, c3}};
    return philox4x32(ctr, key);
}

/* Two 32-bit words -> a double strictly inside (0, 1) with 53 random bits:
 * k * 2^-53 for k in [1, 2^53), and k = 0 (probability 2^-53) as half a
 * step, so an inverse CDF never sees 0 or 1. */
static double unit_open(uint32_t hi, uint32_t lo)
{
    uint64_t k = (((uint64_t)hi << 32) | lo) >> 11;
    return k ? (double)k * 0x1p-53 : 0x1p-54;
}

/* perm_k(j): a pseudo-random bijection of [0, S) keyed by (seed, k), as a
 * Feistel network on the smallest power-of-two domain 2^b >= S with cycle
 * walking (encrypt again until the result falls below S: the network is a
 * bijection of [0, 2^b), so the walk follows j's cycle, which holds j and
 * so ends below S, after fewer than two steps on average since 2^b < 2S).
 * Why not shuffle an array of S indices: that costs O(S) memory per random
 * parameter and a pass before the first scenario; this needs O(1) memory
 * and depends only on seed, k and j, so any thread can place any sample in
 * its stratum on its own. */
uint64_t sm_sweep_perm(uint64_t seed, uint32_t k, uint32_t stream, uint64_t S, uint64_t j)
{
    int b = 0;
    while ((UINT64_C(1) << b) < S)
        b++;
    if (b == 0)
        return 0;
    int lo_bits = b / 2, hi_bits = b - lo_bits;
    uint64_t lo_mask = (UINT64_C(1) << lo_bits) - 1, hi_mask = (UINT64_C(1) << hi_bits) - 1;
    uint64_t x = j;
    do {
        for (uint32_t r = 0; r < FEISTEL_ROUNDS; r++) {
            /* (H, L) -> (L, H ^ F(L)): invertible whatever F is, because L
             * comes through unchanged and gives F back. */
            uint64_t lo = x & lo_mask, hi = x >> lo_bits;
            uint32_t f = philox(seed, (uint32_t)lo, r, k, stream).v[0];
            x = (lo << hi_bits) | ((hi ^ f) & hi_mask);
        }
    } while (x >= S);
    return x;
}

/* The uniform number of draw k in future j on the given streams (value
 * and strata permutation): a parameter's or an event's. */
static double draw_u(const sm_sweep *s, uint32_t k, uint64_t j, uint32_t draw, uint32_t perm)
{
    philox4x32_ctr_t r = philox(s->seed, (uint32_t)j, (uint32_t)(j >> 32), k, draw);
    double u = unit_open(r.v[0], r.v[1]);
    if (s->sampling == SM_SAMPLING_LHS) {
        u = ((double)sm_sweep_perm(s->seed, k, perm, s->samples, j) + u) / (double)s->samples;
        if (u >= 1.0) /* (S - 1 + u) / S can round up to 1 */
            u = 1.0 - 0x1p-53;
    }
    return u;
}

double sm_sweep_draw_u(const sm_sweep *s, uint32_t r, uint64_t j)
{
    return draw_u(s, r, j, SM_STREAM_DRAW, SM_STREAM_PERM);
}

/* Random parameter r's uniform in future j, after the Iman-Conover
 * reordering when it is correlated. */
static double param_u(const sm_sweep *s, uint32_t r, uint64_t j)
{
    if (s->reorder && s->reorder[r])
        j = s->reorder[r][j];
    return sm_sweep_draw_u(s, r, j);
}

static int event_happens(const sm_sweep *s, int e, uint64_t j)
{
    return draw_u(s, (uint32_t)e, j, SM_STREAM_EVENT, SM_STREAM_EVENT_PERM) < s->events[e].p;
}

void sm_sweep_events(const sm_sweep *s, size_t i, int *happened)
{
    for (int e = 0; e < s->n_events; e++)
        happened[e] = event_happens(s, e, i / s->grid_size);
}

/* A choice's value for u: the first whose cumulative weight exceeds u.
 * Rounding can leave the total a hair below 1: then the last weighted
 * value. mid (may be NULL): the middle of the interval of u that gives it. */
static int choice_of(const sm_sweep_param *p, double u, double *mid)
{
    double cum = 0, below = 0;
    int last = 0;
    for (int i = 0; i < p->n_values; i++) {
        if (p->weights[i] <= 0)
            continue;
        last = i;
        below = cum;
        cum += p->weights[i];
        if (u < cum)
            break;
    }
    if (mid)
        *mid = (below + cum) / 2;
    return last;
}

/* Inverse CDF of p's distribution at u in (0, 1). */
static double quantile(const sm_sweep_param *p, double u)
{
    switch (p->dist) {
    case SM_DIST_UNIFORM:
        return p->a + u * (p->b - p->a);
    case SM_DIST_NORMAL:
        return p->a + p->b * gsl_cdf_ugaussian_Pinv(u);
    case SM_DIST_LOGNORMAL:
        return exp(p->a + p->b * gsl_cdf_ugaussian_Pinv(u));
    case SM_DIST_TRIANGULAR: {
        double l = p->a, m = p->b, h = p->c;
        return u < (m - l) / (h - l) ? l + sqrt(u * (h - l) * (m - l))
                                     : h - sqrt((1 - u) * (h - l) * (h - m));
    }
    case SM_DIST_CHOICE:
        return p->values[choice_of(p, u, NULL)];
    case SM_DIST_EVENT:
        return u < p->a ? p->b : p->c;
    case SM_DIST_CONSTANT:
        return p->a;
    }
    return p->a;
}

/* sm_sweep_values, from the random parameters' uniform numbers u (as
 * sm_sweep_uniforms gives them), or drawn when u is NULL. */
static void values_of(const sm_sweep *s, size_t i, const double *u, double *values)
{
    size_t g = i % s->grid_size;
    uint64_t j = i / s->grid_size;
    /* The last grid parameter is the least significant digit. */
    for (int k = s->n_params - 1; k >= 0; k--) {
        const sm_sweep_param *p = &s->params[k];
        if (p->axis != SM_AXIS_GRID)
            continue;
        values[k] = p->values[g % (size_t)p->n_values];
        g /= (size_t)p->n_values;
    }
    uint32_t r = 0;
    for (int k = 0; k < s->n_params; k++) {
        const sm_sweep_param *p = &s->params[k];
        if (p->axis == SM_AXIS_RANDOM) {
            /* A parameter tied to an event keeps its own uniform number
             * whichever outcome applies. */
            const sm_sweep_param *d = p->event >= 0 && !event_happens(s, p->event, j)
                                          ? p->otherwise : p;
            values[k] = quantile(d, u ? u[r] : param_u(s, r, j));
            r++;
        }
        values[k] = sm_param_clamp(&p->domain, values[k]);
    }
}

void sm_sweep_values(const sm_sweep *s, size_t i, double *values)
{
    values_of(s, i, NULL, values);
}

void sm_sweep_values_u(const sm_sweep *s, size_t i, const double *u, double *values)
{
    values_of(s, i, u, values);
}

double sm_param_outcome_u(const sm_sweep_param *p, double u)
{
    double mid;
    switch (p->dist) {
    case SM_DIST_CHOICE:
        choice_of(p, u, &mid);
        return mid;
    case SM_DIST_EVENT:
        return u < p->a ? p->a / 2 : (1 + p->a) / 2;
    case SM_DIST_CONSTANT:
        return 0.5;
    default:
        return u;
    }
}

void sm_sweep_uniforms(const sm_sweep *s, size_t i, double *u)
{
    uint64_t j = i / s->grid_size;
    uint32_t r = 0;
    for (int k = 0; k < s->n_params; k++)
        if (s->params[k].axis == SM_AXIS_RANDOM) {
            u[r] = param_u(s, r, j);
            r++;
        }
}

/* x as its shortest decimal m * 10^e (the fewest digits strtod reads
 * back as x: what a person typed, for a value read from a file). */
static void shortest_decimal(double x, long long *m, int *e)
{
    char buf[40];
    int p = 0;
    for (; p < 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    long long v = 0;
    char *c = buf + (buf[0] == '-');
    for (; *c && *c != 'e'; c++)
        if (*c >= '0' && *c <= '9')
            v = v * 10 + (*c - '0');
    *m = buf[0] == '-' ? -v : v;
    *e = (*c == 'e' ? atoi(c + 1) : 0) - p;
}

/* Why snap to the decimal step rather than round the arithmetic to 15
 * significant digits: from + k * step has one rounding error per
 * operation (0.3 + 0.1 is 0.39999999999999997), which rounding to 15
 * digits removes only away from zero (-0.1 + 0.1 is 1.4e-17, not 0) and
 * which it replaces by another where the points are not decimals at all
 * (sixths). Here the ends are taken as the decimals typed, the step is
 * sought as a decimal with at most 17 more digits, and each point is
 * computed exactly in integers, then read by strtod like a typed value.
 * Points that are no decimals (1/6) keep the plain arithmetic. */
void sm_sweep_range_points(double from, double to, int steps, double *out)
{
    const long long big = 900000000000000000LL; /* 9e17: sums below stay in a long long */
    long long mf, mt;
    int ef, et;
    shortest_decimal(from, &mf, &ef);
    shortest_decimal(to, &mt, &et);
    int e = ef < et ? ef : et;
    long long n = steps - 1, step = 0;
    int ok = 1;
    for (; ef > e && ok; ef--)
        ok = llabs(mf) < big / 10, mf *= 10;
    for (; et > e && ok; et--)
        ok = llabs(mt) < big / 10, mt *= 10;
    for (int more = 0; ok && more <= 17; more++) {
        if ((mt - mf) % n == 0) {
            step = (mt - mf) / n;
            break;
        }
        ok = llabs(mf) < big / 10 && llabs(mt) < big / 10;
        mf *= 10, mt *= 10, e--;
    }
    for (int k = 0; k < steps - 1; k++) {
        char buf[48];
        if (ok && step) {
            snprintf(buf, sizeof buf, "%llde%d", mf + k * step, e);
            out[k] = strtod(buf, NULL);
        } else {
            out[k] = from + k * (to - from) / (steps - 1);
        }
    }
    out[steps - 1] = to;
}

void sm_sweep_grid_digits(const sm_sweep *s, size_t i, int *digits)
{
    size_t g = i % s->grid_size;
    int n = 0;
    for (int k = 0; k < s->n_params; k++)
        n += s->params[k].axis == SM_AXIS_GRID;
    for (int k = s->n_params - 1; k >= 0; k--) {
        const sm_sweep_param *p = &s->params[k];
        if (p->axis != SM_AXIS_GRID)
            continue;
        digits[--n] = (int)(g % (size_t)p->n_values);
        g /= (size_t)p->n_values;
    }
}

size_t sm_sweep_blocks(const sm_sweep *s)
{
    return sm_blocks_count(s->n_scenarios, s->block_size);
}

size_t sm_sweep_default_block_size(size_t n)
{
    if (n > (size_t)SM_SWEEP_DEFAULT_BLOCKS * SM_SWEEP_MAX_DEFAULT_BLOCK)
        return SM_SWEEP_MAX_DEFAULT_BLOCK;
    for (size_t k = SM_SWEEP_DEFAULT_BLOCKS; k > 1; k /= 2)
        if ((n + k - 1) / k >= SM_SWEEP_MIN_DEFAULT_BLOCK)
            return (n + k - 1) / k;
    return n > 0 ? n : 1;
}

size_t sm_sweep_block_len(const sm_sweep *s, size_t b)
{
    return sm_blocks_len(s->n_scenarios, s->block_size, b);
}
