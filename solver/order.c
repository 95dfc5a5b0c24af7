/* Solve order within a block (see order.h). */
#include "order.h"

#include <stdlib.h>
#include <string.h>

void sm_order_init(sm_order *o, const sm_sweep *sw, const double *influence)
{
    memset(o, 0, sizeof *o);
    o->sweep = sw;
    /* Rank random parameters by influence; keep the top few. */
    int rank[64], n = 0, pos = 0;
    double inf[64];
    for (int k = 0; k < sw->n_params && n < 64; k++) {
        if (sw->params[k].axis != SM_AXIS_RANDOM)
            continue;
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
    for (int i = 0; i < o->n_curve; i++)
        o->curve_u[i] = rank[i];
}

int sm_order_ws_init(sm_order_ws *w, const sm_sweep *sw, size_t capacity)
{
    memset(w, 0, sizeof *w);
    w->capacity = capacity;
    w->key = malloc(capacity * sizeof *w->key);
    w->idx = malloc(capacity * sizeof *w->idx);
    w->tmp = malloc(capacity * sizeof *w->tmp);
    w->rank = malloc(capacity * sizeof *w->rank);
    w->u_stride = (size_t)sw->n_params + 1;
    w->u = malloc(capacity * w->u_stride * sizeof *w->u);
    w->digits = malloc(((size_t)sw->n_params + 1) * sizeof *w->digits);
    w->pt = malloc(capacity * SM_ORDER_MAX_CURVE_DIMS * sizeof *w->pt);
    if (!w->key || !w->idx || !w->tmp || !w->rank || !w->u || !w->digits || !w->pt) {
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

/* Sample i's place on the curve; its uniform numbers into u, its
 * quantiles on the curve into pt. */
static uint64_t curve_key(const sm_order *o, size_t i, double *u, double *pt)
{
    if (o->n_curve == 0)
        return 0;
    sm_sweep_uniforms(o->sweep, i, u);
    int bits = 64 / o->n_curve < 16 ? 64 / o->n_curve : 16;
    uint32_t c[SM_ORDER_MAX_CURVE_DIMS];
    for (int d = 0; d < o->n_curve; d++) {
        double q = pt[d] = u[o->curve_u[d]];
        uint32_t v = (uint32_t)(q * (double)(1u << bits));
        c[d] = v >= (1u << bits) ? (1u << bits) - 1 : v;
    }
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

void sm_order_block(const sm_order *o, sm_order_ws *w, size_t first, size_t count, size_t *out)
{
    const sm_sweep *sw = o->sweep;
    w->have_u = 0;
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

static const double *point(const sm_order_ws *w, size_t sample)
{
    return w->pt + (sample - w->first_sample) * SM_ORDER_MAX_CURVE_DIMS;
}

static double curve_distance2(const double *a, const double *b, int dims)
{
    double d = 0;
    for (int c = 0; c < dims; c++)
        d += (a[c] - b[c]) * (a[c] - b[c]);
    return d;
}

void sm_order_starts(const sm_order *o, const sm_order_ws *w, const size_t *order,
                     size_t count, ptrdiff_t *from)
{
    const sm_sweep *sw = o->sweep;
    int dims = o->n_curve;
    int nearest = !o->natural && sw->grid_size == 1 && dims >= 2;
    for (size_t k = 0; k < count; k++) {
        from[k] = (ptrdiff_t)k - 1;
        if (!nearest || k < 2)
            continue;
        /* With no grid, a scenario is a sample: its curve point is where
         * sm_order_block left it. */
        const double *p = point(w, order[k]);
        double best = curve_distance2(p, point(w, order[k - 1]), dims);
        size_t oldest = k > SM_ORDER_BANK ? k - SM_ORDER_BANK : 0;
        for (size_t j = k - 1; j-- > oldest;) {
            double d = curve_distance2(p, point(w, order[j]), dims);
            if (d < best) {
                best = d;
                from[k] = (ptrdiff_t)j;
            }
        }
    }
}
