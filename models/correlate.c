/* Rank correlations between a sweep's random parameters: Iman and
 * Conover's method (1982), as @RISK and Crystal Ball use it, on the whole
 * sample of S futures, computed once up front (see sweep.h and
 * models/SWEEPS.md, "Correlations").
 *
 * Why the whole sample up front rather than blocks of futures reordered
 * when a block is solved: the reordering is a function of the file only
 * (seed, S, the targets), computed single-threaded in a fixed order by
 * every process that loads the sweep, so scenario i's values stay the same
 * for any thread count, scenario subset, resume or MPI rank count; the
 * achieved correlation is that of the very sample solved, with no block
 * edges; and a scenario then costs one table look-up. The price is memory
 * and time in S (4 bytes per future and correlated parameter, a sort of
 * S), which is why correlated sweeps have at most
 * SM_SWEEP_MAX_CORR_SAMPLES futures.
 *
 * The reordering only permutes which future gets which of a parameter's
 * S uncorrelated draws, so each parameter's marginal (its sorted draws) is
 * exactly that of the sweep without correlations. */
#include "sweep.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct keyed {
    double v;
    uint32_t i;
} keyed;

/* Ties by index, so the order (and so the reordering) is the same on any
 * machine whatever qsort's algorithm. */
static int by_value(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    if (a->v != b->v)
        return a->v < b->v ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

/* Indices of x[0..n) in increasing order of value, into order. */
static int argsort(const double *x, size_t n, uint32_t *order)
{
    keyed *k = malloc(n * sizeof *k);
    if (!k)
        return 0;
    for (size_t j = 0; j < n; j++)
        k[j] = (keyed){x[j], (uint32_t)j};
    qsort(k, n, sizeof *k, by_value);
    for (size_t j = 0; j < n; j++)
        order[j] = k[j].i;
    free(k);
    return 1;
}

static double pearson(const double *x, const double *y, size_t n)
{
    double mx = 0, my = 0;
    for (size_t j = 0; j < n; j++)
        mx += x[j], my += y[j];
    mx /= (double)n;
    my /= (double)n;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t j = 0; j < n; j++) {
        sxy += (x[j] - mx) * (y[j] - my);
        sxx += (x[j] - mx) * (x[j] - mx);
        syy += (y[j] - my) * (y[j] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

/* Ranks 1..n of x, ties sharing their average rank. */
static int ranks(const double *x, size_t n, double *rank)
{
    uint32_t *o = malloc(n * sizeof *o);
    if (!o || !argsort(x, n, o)) {
        free(o);
        return 0;
    }
    for (size_t a = 0; a < n;) {
        size_t b = a;
        while (b + 1 < n && x[o[b + 1]] == x[o[a]])
            b++;
        for (size_t t = a; t <= b; t++)
            rank[o[t]] = 0.5 * (double)(a + b) + 1;
        a = b + 1;
    }
    free(o);
    return 1;
}

/* The correlated parameters: idx[c] = index in params, rnd[c] = index
 * among random ones; returns their count. */
static int correlated(const sm_sweep *s, int *idx, int *rnd)
{
    int n = 0;
    for (int k = 0, r = 0; k < s->n_params; k++) {
        if (s->params[k].axis != SM_AXIS_RANDOM)
            continue;
        int used = 0;
        for (int c = 0; c < s->n_corr; c++)
            used |= s->corr[c].a == k || s->corr[c].b == k;
        if (used)
            idx[n] = k, rnd[n++] = r;
        r++;
    }
    return n;
}

/* P with P P^T = C for a positive semi-definite C (eigenvalues above
 * -1e-9 count as 0, rounding's), from its eigen-decomposition (Cholesky
 * would refuse a singular C such as a correlation of 1). Returns the
 * smallest eigenvalue; P is set only when it is >= -1e-9. */
static double factor(const gsl_matrix *C, gsl_matrix *P)
{
    size_t n = C->size1;
    gsl_matrix *A = gsl_matrix_alloc(n, n), *V = gsl_matrix_alloc(n, n);
    gsl_vector *lam = gsl_vector_alloc(n);
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(n);
    double least = NAN;
    if (A && V && lam && w) {
        gsl_matrix_memcpy(A, C);
        gsl_eigen_symmv(A, lam, V, w);
        least = gsl_vector_min(lam);
        for (size_t i = 0; least >= -1e-9 && i < n; i++)
            for (size_t j = 0; j < n; j++)
                gsl_matrix_set(P, i, j, gsl_matrix_get(V, i, j) *
                                            sqrt(fmax(gsl_vector_get(lam, j), 0)));
    }
    gsl_eigen_symmv_free(w);
    gsl_vector_free(lam);
    gsl_matrix_free(V);
    gsl_matrix_free(A);
    return least;
}

/* The Kc x Kc targets R (Spearman, as written) and C = 2 sin(pi R / 6),
 * the Pearson correlation of normal scores whose Spearman is R (why: the
 * method correlates van der Waerden scores, and a target of 0.7 there
 * would give a Spearman of 0.68). */
static void targets(const sm_sweep *s, const int *idx, int kc, gsl_matrix *R, gsl_matrix *C)
{
    gsl_matrix_set_identity(R);
    for (int c = 0; c < s->n_corr; c++) {
        int a = 0, b = 0;
        for (int i = 0; i < kc; i++) {
            a = idx[i] == s->corr[c].a ? i : a;
            b = idx[i] == s->corr[c].b ? i : b;
        }
        gsl_matrix_set(R, (size_t)a, (size_t)b, s->corr[c].rho);
        gsl_matrix_set(R, (size_t)b, (size_t)a, s->corr[c].rho);
    }
    for (size_t i = 0; i < (size_t)kc; i++)
        for (size_t j = 0; j < (size_t)kc; j++)
            gsl_matrix_set(C, i, j, i == j ? 1 : 2 * sin(M_PI * gsl_matrix_get(R, i, j) / 6));
}

/* Y = F^-T P^T, where F F^T is the correlation of the scores M (S x kc,
 * row-major): M Y then has correlation P P^T. When the scores'
 * correlation is singular (S <= kc), F = I. */
static void mixing(const double *M, size_t S, int kc, const gsl_matrix *P, gsl_matrix *Y)
{
    size_t n = (size_t)kc;
    gsl_matrix *F = gsl_matrix_alloc(n, n);
    double *x = malloc(S * sizeof *x), *y = malloc(S * sizeof *y);
    int chol = F && x && y;
    for (size_t a = 0; chol && a < n; a++)
        for (size_t b = 0; b <= a; b++) {
            for (size_t j = 0; j < S; j++)
                x[j] = M[j * n + a], y[j] = M[j * n + b];
            double e = a == b ? 1 : pearson(x, y, S);
            gsl_matrix_set(F, a, b, isfinite(e) ? e : 0);
            gsl_matrix_set(F, b, a, isfinite(e) ? e : 0);
        }
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    chol = chol && gsl_linalg_cholesky_decomp1(F) == 0;
    gsl_set_error_handler(old);
    /* Fᵀ Y = Pᵀ by back substitution, one column at a time. */
    for (size_t col = 0; col < n; col++)
        for (size_t i = n; i-- > 0;) {
            double v = gsl_matrix_get(P, col, i);
            for (size_t m = i + 1; chol && m < n; m++)
                v -= gsl_matrix_get(F, m, i) * gsl_matrix_get(Y, m, col);
            gsl_matrix_set(Y, i, col, chol ? v / gsl_matrix_get(F, i, i) : v);
        }
    gsl_matrix_free(F);
    free(x);
    free(y);
}

/* Column c of the scores: van der Waerden scores Phi^-1(t / (S + 1)),
 * t = 1..S, in an order keyed by the seed and c (a stream of its own). */
static void scores(const sm_sweep *s, int kc, double *M)
{
    size_t S = s->samples;
    for (int c = 0; c < kc; c++)
        for (size_t j = 0; j < S; j++) {
            uint64_t t = sm_sweep_perm(s->seed, (uint32_t)c, SM_STREAM_SCORE, S, j);
            M[j * (size_t)kc + (size_t)c] =
                gsl_cdf_ugaussian_Pinv((double)(t + 1) / (double)(S + 1));
        }
}

/* Future o[t] (the t-th smallest target score) takes the t-th smallest
 * of random parameter r's uncorrelated draws. */
static int reorder_one(sm_sweep *s, int r, const double *T, int kc, int c, double *buf,
                       uint32_t *o, uint32_t *q)
{
    size_t S = s->samples;
    uint32_t *src = malloc(S * sizeof *src);
    if (!src)
        return 0;
    for (size_t j = 0; j < S; j++)
        buf[j] = T[j * (size_t)kc + (size_t)c];
    int ok = argsort(buf, S, o);
    for (size_t j = 0; j < S; j++)
        buf[j] = sm_sweep_draw_u(s, (uint32_t)r, j);
    ok = ok && argsort(buf, S, q);
    for (size_t t = 0; ok && t < S; t++)
        src[o[t]] = q[t];
    s->reorder[r] = ok ? src : (free(src), NULL);
    return ok;
}

/* T = M Y, then each correlated parameter's reordering. */
static int reorder_all(sm_sweep *s, const int *rnd, int kc, const gsl_matrix *P)
{
    size_t S = s->samples, n = (size_t)kc;
    double *M = malloc(S * n * sizeof *M), *T = malloc(S * n * sizeof *T);
    double *buf = malloc(S * sizeof *buf);
    uint32_t *o = malloc(S * sizeof *o), *q = malloc(S * sizeof *q);
    gsl_matrix *Y = gsl_matrix_alloc(n, n);
    int ok = M && T && buf && o && q && Y;
    if (ok) {
        scores(s, kc, M);
        mixing(M, S, kc, P, Y);
        for (size_t j = 0; j < S; j++)
            for (size_t c = 0; c < n; c++) {
                double v = 0;
                for (size_t m = 0; m < n; m++)
                    v += M[j * n + m] * gsl_matrix_get(Y, m, c);
                T[j * n + c] = v;
            }
    }
    for (int c = 0; ok && c < kc; c++)
        ok = reorder_one(s, rnd[c], T, kc, c, buf, o, q);
    free(M);
    free(T);
    free(buf);
    free(o);
    free(q);
    gsl_matrix_free(Y);
    return ok;
}

/* The achieved Spearman correlation over the S futures for every pair
 * of random parameters (the values as solved: clamped and rounded), from
 * each parameter's ranks, sorted once. */
static int measure(sm_sweep *s)
{
    size_t S = s->samples, K = (size_t)s->n_params;
    double *all = malloc(S * K * sizeof *all), *v = malloc(K * sizeof *v);
    double *rk = malloc(S * K * sizeof *rk);
    s->rank_achieved = malloc(K * K * sizeof *s->rank_achieved);
    int ok = all && v && rk && s->rank_achieved;
    for (size_t j = 0; ok && j < S; j++) {
        sm_sweep_values(s, j * s->grid_size, v);
        for (size_t k = 0; k < K; k++)
            all[k * S + j] = v[k];
    }
    for (size_t k = 0; ok && k < K; k++)
        ok = s->params[k].axis != SM_AXIS_RANDOM || ranks(&all[k * S], S, &rk[k * S]);
    for (size_t a = 0; ok && a < K; a++)
        for (size_t b = 0; b < K; b++) {
            double r = NAN;
            if (s->params[a].axis == SM_AXIS_RANDOM && s->params[b].axis == SM_AXIS_RANDOM)
                r = a == b ? 1 : b < a ? s->rank_achieved[b * K + a]
                                       : pearson(&rk[a * S], &rk[b * S], S);
            s->rank_achieved[a * K + b] = r;
        }
    free(all);
    free(v);
    free(rk);
    return ok;
}

static void full_targets(sm_sweep *s)
{
    size_t K = (size_t)s->n_params;
    for (size_t a = 0; a < K; a++)
        for (size_t b = 0; b < K; b++)
            s->rank_target[a * K + b] =
                s->params[a].axis != SM_AXIS_RANDOM || s->params[b].axis != SM_AXIS_RANDOM
                    ? NAN : a == b ? 1 : 0;
    for (int c = 0; c < s->n_corr; c++) {
        s->rank_target[(size_t)s->corr[c].a * K + (size_t)s->corr[c].b] = s->corr[c].rho;
        s->rank_target[(size_t)s->corr[c].b * K + (size_t)s->corr[c].a] = s->corr[c].rho;
    }
}

sm_status sm_sweep_correlate(sm_sweep *s, sm_diag *d)
{
    if (s->n_corr == 0)
        return SM_OK;
    sm_status st = SM_OK;
    int *idx = malloc((size_t)s->n_params * sizeof *idx), *rnd = malloc((size_t)s->n_params * sizeof *rnd);
    s->n_random = 0;
    for (int k = 0; k < s->n_params; k++)
        s->n_random += s->params[k].axis == SM_AXIS_RANDOM;
    s->reorder = calloc((size_t)s->n_random, sizeof *s->reorder);
    s->rank_target = malloc((size_t)s->n_params * (size_t)s->n_params * sizeof *s->rank_target);
    if (!idx || !rnd || !s->reorder || !s->rank_target) {
        free(idx);
        free(rnd);
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    }
    full_targets(s);
    int kc = correlated(s, idx, rnd);
    size_t n = (size_t)kc;
    gsl_matrix *R = gsl_matrix_alloc(n, n), *C = gsl_matrix_alloc(n, n), *P = gsl_matrix_alloc(n, n);
    if (!R || !C || !P)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    targets(s, idx, kc, R, C);
    double least = factor(R, P);
    if (!(least >= -1e-9))
        SM_TRY(sm_diag_error(d, s->corr_loc.file, s->corr_loc.line, s->corr_loc.col,
                             "correlations: these rank correlations cannot hold together (the "
                             "matrix of them is not positive semi-definite: its smallest "
                             "eigenvalue is %.3g); e.g. A~B 0.9 and B~C 0.9 need A~C of at "
                             "least 0.62, so weaken one of them", least));
    if (!(factor(C, P) >= -1e-9))
        SM_TRY(sm_diag_error(d, s->corr_loc.file, s->corr_loc.line, s->corr_loc.col,
                             "correlations: these rank correlations are too close to "
                             "inconsistent for normal scores to reach (2 sin(pi r / 6) of "
                             "them is not positive semi-definite); weaken the strongest"));
    if (!reorder_all(s, rnd, kc, P) || !measure(s))
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
done:
    gsl_matrix_free(R);
    gsl_matrix_free(C);
    gsl_matrix_free(P);
    free(idx);
    free(rnd);
    return st;
}
