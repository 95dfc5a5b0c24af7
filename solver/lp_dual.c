/* The dual half of a warm start after only costs moved (see lp_dual.h). */
#include "lp_dual.h"

#include <stdlib.h>
#include <string.h>

/* d += a * b must round twice, as GLPK's own loop (built without FMA)
 * does: a fused multiply-add would move the last bit. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/* glp_warm_up's tolerance on a reduced cost's sign. */
#define DJ_TOL 1e-5

struct sm_lp_dual {
    int m, n, nnz, used;
    int *start;           /* [n + 1]: column j's elements are start[j] .. start[j+1]-1 */
    int *row;             /* per element: its row, 1-based as pi is indexed */
    double *val;
    /* the basis as last read; valid until sm_lp_dual_forget */
    int basis_ok;
    unsigned char *cls;   /* [m + n]: sm_dual_class of rows, then columns */
    int *bind;            /* [n]: a basic column's position in the basis header */
    int pi_ok;
    double *pi;           /* [m + 1], 1-based: inv(B') cB for the basis and costs */
    double *y;            /* [m]: the rows' duals from pi */
    /* columns whose costs moved since the last solve, and their costs then */
    int *moved, n_moved;
    unsigned char *is_moved;
    double *old;
};

sm_lp_dual *sm_lp_dual_new(int m, int n, int nnz)
{
    sm_lp_dual *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->m = m;
    d->n = n;
    d->nnz = nnz;
    d->start = calloc((size_t)n + 1, sizeof *d->start);
    d->row = malloc(((size_t)nnz + 1) * sizeof *d->row);
    d->val = malloc(((size_t)nnz + 1) * sizeof *d->val);
    d->cls = calloc((size_t)m + (size_t)n + 1, 1);
    d->bind = calloc((size_t)n + 1, sizeof *d->bind);
    d->pi = calloc((size_t)m + 1, sizeof *d->pi);
    d->y = calloc((size_t)m + 1, sizeof *d->y);
    d->moved = malloc(((size_t)n + 1) * sizeof *d->moved);
    d->is_moved = calloc((size_t)n + 1, 1);
    d->old = malloc(((size_t)n + 1) * sizeof *d->old);
    if (!d->start || !d->row || !d->val || !d->cls || !d->bind || !d->pi || !d->y ||
        !d->moved || !d->is_moved || !d->old)
        sm_lp_dual_free(&d);
    return d;
}

void sm_lp_dual_free(sm_lp_dual **pd)
{
    sm_lp_dual *d = pd ? *pd : NULL;
    if (!d)
        return;
    free(d->start);
    free(d->row);
    free(d->val);
    free(d->cls);
    free(d->bind);
    free(d->pi);
    free(d->y);
    free(d->moved);
    free(d->is_moved);
    free(d->old);
    free(d);
    *pd = NULL;
}

/* Columns are given in order 0, 1, ...: start[j] is where j's begin. */
int sm_lp_dual_set_col(sm_lp_dual *d, int j, int len, const int *ind, const double *val)
{
    if (d->used + len > d->nnz)
        return -1;
    d->start[j] = d->used;
    for (int k = 1; k <= len; k++) {
        d->row[d->used] = ind[k];
        d->val[d->used] = val[k];
        d->used++;
    }
    d->start[j + 1] = d->used;
    return 0;
}

void sm_lp_dual_forget(sm_lp_dual *d)
{
    if (d)
        d->basis_ok = d->pi_ok = 0;
}

void sm_lp_dual_clear_moved(sm_lp_dual *d)
{
    if (!d)
        return;
    for (int a = 0; a < d->n_moved; a++)
        d->is_moved[d->moved[a]] = 0;
    d->n_moved = 0;
}

void sm_lp_dual_cost_moved(sm_lp_dual *d, int j, double old)
{
    if (d && j < d->n && !d->is_moved[j]) {
        d->is_moved[j] = 1;
        d->moved[d->n_moved++] = j;
        d->old[j] = old;
    }
}

double sm_lp_dual_solved_cost(const sm_lp_dual *d, int j, double now)
{
    return j < d->n && d->is_moved[j] ? d->old[j] : now;
}

int sm_lp_dual_basis_known(const sm_lp_dual *d)
{
    return d->basis_ok;
}

void sm_lp_dual_set_class(sm_lp_dual *d, int k, sm_dual_class c, int bind)
{
    d->cls[k] = (unsigned char)c;
    if (k >= d->m)
        d->bind[k - d->m] = c == SM_DC_BASIC ? bind : 0;
}

void sm_lp_dual_basis_done(sm_lp_dual *d)
{
    d->basis_ok = 1;
    d->pi_ok = 0;
}

int sm_lp_dual_pi_stale(const sm_lp_dual *d)
{
    if (!d->pi_ok)
        return 1;
    for (int a = 0; a < d->n_moved; a++)
        if (d->cls[d->m + d->moved[a]] == SM_DC_BASIC)
            return 1;
    return 0;
}

/* glp_warm_up: zeros, then each basic column's cost at its position. */
double *sm_lp_dual_cb(sm_lp_dual *d, const double *cost)
{
    for (int i = 0; i <= d->m; i++)
        d->pi[i] = 0.0;
    for (int j = 0; j < d->n; j++)
        if (d->cls[d->m + j] == SM_DC_BASIC)
            d->pi[d->bind[j]] = cost[j];
    return d->pi;
}

/* pi now holds inv(B') cB: the rows' duals follow (row->dual = -pi[i],
 * 0 for a basic row, as glp_warm_up stores them). */
void sm_lp_dual_pi_done(sm_lp_dual *d)
{
    for (int i = 0; i < d->m; i++)
        d->y[i] = d->cls[i] == SM_DC_BASIC ? 0.0 : -d->pi[i + 1];
    d->pi_ok = 1;
}

double sm_lp_dual_row(const sm_lp_dual *d, int i)
{
    return i < d->m ? d->y[i] : 0.0;
}

/* Non-basic column j's reduced cost: its cost plus its elements times pi,
 * summed in element order as glp_warm_up sums them. Inlined into the
 * check of every column, where a call a column was about a quarter of
 * the check's instructions (china_grid). */
static inline double col_dj(const sm_lp_dual *d, int j, double cost)
{
    double dj = cost;
    for (int k = d->start[j], end = d->start[j + 1]; k < end; k++)
        dj += d->val[k] * d->pi[d->row[k]];
    return dj;
}

double sm_lp_dual_col(const sm_lp_dual *d, int j, double cost)
{
    if (j >= d->n || d->cls[d->m + j] == SM_DC_BASIC)
        return 0.0;
    return col_dj(d, j, cost);
}

/* A non-basic variable's reduced cost of the wrong sign for its class. */
static int wrong_sign(sm_dual_class c, double dj)
{
    return ((c == SM_DC_FREE || c == SM_DC_LOWER) && dj < -DJ_TOL) ||
           ((c == SM_DC_FREE || c == SM_DC_UPPER) && dj > +DJ_TOL);
}

int sm_lp_dual_feasible(const sm_lp_dual *d, const double *cost, int all)
{
    int m = d->m;
    if (!all) {
        for (int a = 0; a < d->n_moved; a++) {
            int j = d->moved[a];
            if (wrong_sign((sm_dual_class)d->cls[m + j], sm_lp_dual_col(d, j, cost[j])))
                return 0;
        }
        return 1;
    }
    for (int i = 0; i < m; i++)
        if (wrong_sign((sm_dual_class)d->cls[i], d->y[i]))
            return 0;
    for (int j = 0; j < d->n; j++)
        if (d->cls[m + j] != SM_DC_BASIC &&
            wrong_sign((sm_dual_class)d->cls[m + j], col_dj(d, j, cost[j])))
            return 0;
    return 1;
}
