/* Solve order within a block (see order.h). */
#include "order.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void sm_order_init(sm_order *o, const sm_sweep *sw, const double *influence)
{
    memset(o, 0, sizeof *o);
    o->sweep = sw;
    /* Rank random parameters by influence; keep the top few. */
    int rank[64], n = 0, pos = 0;
    double inf[64];
    const sm_sweep_param *param[64];
    for (int k = 0; k < sw->n_params && n < 64; k++) {
        if (sw->params[k].axis != SM_AXIS_RANDOM)
            continue;
        param[pos] = &sw->params[k];
        double w = influence ? influence[k] : (double)(sw->n_params - k);
        int at = n;
        while (at > 0 && inf[at - 1] < w) {
            inf[at] = inf[at - 1];
            rank[at] = rank[at - 1];
            at--;
        }
        inf[at] = w;
        rank[at] = pos++;
        n++;
    }
    o->n_curve = n < SM_ORDER_MAX_CURVE_DIMS ? n : SM_ORDER_MAX_CURVE_DIMS;
    for (int i = 0; i < o->n_curve; i++) {
        o->curve_u[i] = rank[i];
        o->curve_p[i] = param[rank[i]];
    }
}

int sm_order_ws_init(sm_order_ws *w, const sm_sweep *sw, size_t capacity)
{
    memset(w, 0, sizeof *w);
    w->capacity = capacity;
    w->key = malloc(capacity * sizeof *w->key);
    w->idx = malloc(capacity * sizeof *w->idx);
    w->tmp = malloc(capacity * sizeof *w->tmp);
    w->rank = malloc(capacity * sizeof *w->rank);
    w->near = malloc(capacity * sizeof *w->near);
    w->near_at = malloc(capacity * sizeof *w->near_at);
    w->from = malloc(capacity * sizeof *w->from);
    w->u_stride = (size_t)sw->n_params + 1;
    w->u = malloc(capacity * w->u_stride * sizeof *w->u);
    w->digits = malloc(((size_t)sw->n_params + 1) * sizeof *w->digits);
    w->pt = malloc(capacity * SM_ORDER_MAX_CURVE_DIMS * sizeof *w->pt);
    if (!w->key || !w->idx || !w->tmp || !w->rank || !w->near || !w->near_at ||
        !w->from || !w->u || !w->digits || !w->pt) {
        sm_order_ws_free(w);
        return 0;
    }
    return 1;
}

void sm_order_ws_free(sm_order_ws *w)
{
    free(w->key);
    free(w->idx);
    free(w->tmp);
    free(w->rank);
    free(w->near);
    free(w->near_at);
    free(w->from);
    free(w->u);
    free(w->digits);
    free(w->pt);
    memset(w, 0, sizeof *w);
}

uint64_t sm_hilbert_index(const uint32_t *coords, int dims, int bits)
{
    uint32_t x[SM_ORDER_MAX_CURVE_DIMS];
    memcpy(x, coords, (size_t)dims * sizeof *x);
    uint32_t M = 1u << (bits - 1);
    /* Inverse undo of Skilling's transform: axes to transposed index. */
    for (uint32_t Q = M; Q > 1; Q >>= 1) {
        uint32_t P = Q - 1;
        for (int i = 0; i < dims; i++) {
            if (x[i] & Q) {
                x[0] ^= P;
            } else {
                uint32_t t = (x[0] ^ x[i]) & P;
                x[0] ^= t;
                x[i] ^= t;
            }
        }
    }
    for (int i = 1; i < dims; i++)
        x[i] ^= x[i - 1];
    uint32_t t = 0;
    for (uint32_t Q = M; Q > 1; Q >>= 1)
        if (x[dims - 1] & Q)
            t ^= Q - 1;
    for (int i = 0; i < dims; i++)
        x[i] ^= t;
    /* Interleave the transposed bits, most significant first. */
    uint64_t h = 0;
    for (int b = bits - 1; b >= 0; b--)
        for (int i = 0; i < dims; i++)
            h = (h << 1) | ((x[i] >> b) & 1u);
    return h;
}

/* Snake position of grid point g: reflect each digit when the digits
 * before it (slower ones) sum to an odd number. */
static uint64_t snake_key(const sm_sweep *sw, const int *digits)
{
    uint64_t key = 0;
    int parity = 0, k = 0;
    for (int p = 0; p < sw->n_params; p++) {
        if (sw->params[p].axis != SM_AXIS_GRID)
            continue;
        int radix = sw->params[p].n_values;
        int d = digits[k++];
        int r = parity ? radix - 1 - d : d;
        key = key * (uint64_t)radix + (uint64_t)r;
        parity ^= d & 1;
    }
    return key;
}

/* Sample i's place on the curve; its uniform numbers into u, and on the
 * curve, into pt, where they fall for what the values see
 * (sm_param_outcome_u: an event's outcome, not its draw; zeros after the
 * curve's dimensions, so distances run over all SM_ORDER_MAX_CURVE_DIMS:
 * the same sums). */
static uint64_t curve_key(const sm_order *o, size_t i, double *u, double *pt)
{
    if (o->n_curve == 0)
        return 0;
    sm_sweep_uniforms(o->sweep, i, u);
    int bits = 64 / o->n_curve < 16 ? 64 / o->n_curve : 16;
    uint32_t c[SM_ORDER_MAX_CURVE_DIMS];
    for (int d = 0; d < o->n_curve; d++) {
        double q = pt[d] = sm_param_outcome_u(o->curve_p[d], u[o->curve_u[d]]);
        uint32_t v = (uint32_t)(q * (double)(1u << bits));
        c[d] = v >= (1u << bits) ? (1u << bits) - 1 : v;
    }
    for (int d = o->n_curve; d < SM_ORDER_MAX_CURVE_DIMS; d++)
        pt[d] = 0.0;
    return sm_hilbert_index(c, o->n_curve, bits);
}

static int before(const uint64_t *key, size_t x, size_t y)
{
    return key[x] < key[y] || (key[x] == key[y] && x < y);
}

/* Merge sort of idx by key, ties by index, so the order never depends on
 * how a library sort treats equal keys; tmp holds n entries. */
static void sort_by_key(const uint64_t *key, size_t *idx, size_t *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_by_key(key, idx, tmp, h);
    sort_by_key(key, idx + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = before(key, idx[j], idx[i]) ? idx[j++] : idx[i++];
    while (i < h)
        tmp[k++] = idx[i++];
    while (j < n)
        tmp[k++] = idx[j++];
    memcpy(idx, tmp, n * sizeof *tmp);
}

static double curve_distance2(const double *a, const double *b)
{
    double d = 0;
    for (int c = 0; c < SM_ORDER_MAX_CURVE_DIMS; c++)
        d += (a[c] - b[c]) * (a[c] - b[c]);
    return d;
}

/* A block of random samples alone, in the order Prim's algorithm grows a
 * minimum spanning tree over their curve points (w->pt, one per scenario
 * here), from the one first on the curve; w->from[k] is the tree
 * position nearest to the k-th when it was added (ties: the later one;
 * between samples equally near the tree, the lower scenario goes first).
 * O(count^2): for 512 samples about 12,000 instructions a scenario, a
 * fifth of one simplex iteration's on the shipped model. */
static void tree_block(sm_order_ws *w, size_t first, size_t count, size_t *out)
{
    if (count == 0)
        return;
    size_t s = 0;
    for (size_t j = 1; j < count; j++)
        if (w->key[j] < w->key[s])
            s = j;
    /* w->idx[0..left): the samples not yet in the tree, in any order. */
    size_t left = 0;
    for (size_t j = 0; j < count; j++) {
        w->near[j] = HUGE_VAL;
        if (j != s)
            w->idx[left++] = j;
    }
    w->from[0] = -1;
    for (size_t k = 0;; k++) {
        out[k] = first + s;
        if (k > 0)
            w->from[k] = w->near_at[s];
        if (left == 0)
            break;
        const double *ps = w->pt + s * SM_ORDER_MAX_CURVE_DIMS;
        size_t at = 0;
        for (size_t a = 0; a < left; a++) {
            size_t j = w->idx[a], b = w->idx[at];
            double d = curve_distance2(ps, w->pt + j * SM_ORDER_MAX_CURVE_DIMS);
            if (d <= w->near[j]) {
                w->near[j] = d;
                w->near_at[j] = (ptrdiff_t)k;
            }
            if (w->near[j] < w->near[b] || (w->near[j] == w->near[b] && j < b))
                at = a;
        }
        s = w->idx[at];
        w->idx[at] = w->idx[--left];
    }
}

void sm_order_block(const sm_order *o, sm_order_ws *w, size_t first, size_t count, size_t *out)
{
    const sm_sweep *sw = o->sweep;
    w->have_u = 0;
    for (size_t k = 0; k < count; k++)
        w->from[k] = (ptrdiff_t)k - 1;
    if (o->natural) {
        for (size_t k = 0; k < count; k++)
            out[k] = first + k;
        return;
    }
    size_t G = sw->grid_size;
    /* Rank the block's samples along the curve. */
    size_t j0 = first / G, j1 = (first + count - 1) / G, nj = j1 - j0 + 1;
    w->first_sample = j0;
    w->have_u = o->n_curve > 0;
    for (size_t j = 0; j < nj; j++) {
        w->key[j] = curve_key(o, (j0 + j) * G, w->u + j * w->u_stride,
                              w->pt + j * SM_ORDER_MAX_CURVE_DIMS);
        w->idx[j] = j;
    }
    if (o->tree && G == 1 && o->n_curve >= 2) {
        tree_block(w, first, count, out);
        return;
    }
    sort_by_key(w->key, w->idx, w->tmp, nj);
    for (size_t r = 0; r < nj; r++)
        w->rank[w->idx[r]] = r;
    /* Composite key: sample rank, then the grid walk in alternating direction. */
    for (size_t k = 0; k < count; k++) {
        size_t i = first + k;
        uint64_t r = w->rank[i / G - j0];
        uint64_t g = 0;
        if (G > 1) {
            sm_sweep_grid_digits(sw, i, w->digits);
            g = snake_key(sw, w->digits);
            if (r & 1)
                g = G - 1 - g;
        }
        w->key[k] = r * G + g;
        w->idx[k] = k;
    }
    sort_by_key(w->key, w->idx, w->tmp, count);
    for (size_t k = 0; k < count; k++)
        out[k] = first + w->idx[k];
}

const double *sm_order_uniforms(const sm_order_ws *w, const sm_sweep *sw, size_t i)
{
    return w->have_u ? w->u + (i / sw->grid_size - w->first_sample) * w->u_stride : NULL;
}

void sm_order_starts(const sm_order_ws *w, size_t count, ptrdiff_t *from)
{
    memcpy(from, w->from, count * sizeof *from);
}
