/* The L-shaped method's master LP and its cuts (see plan_lshaped.h and
 * the head of plan_lshaped.c): building it, optimality cuts by block,
 * feasibility cuts by block, and dropping cuts idle for long. */
#include "plan_lshaped.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plan_checkpoint.h"

/* Room for the ages of cuts 0..i. */
sm_status sm_lshaped_ages_room(lshaped *ls, int i, sm_diag *d)
{
    if (i >= ls->cap) {
        int cap = 2 * i + 64;
        int *age = realloc(ls->age, (size_t)cap * sizeof *age);
        if (age)
            ls->age = age;
        int *drop = realloc(ls->drop, (size_t)cap * sizeof *drop);
        if (drop)
            ls->drop = drop;
        uint8_t *basic = realloc(ls->basic, (size_t)cap);
        if (basic)
            ls->basic = basic;
        if (!age || !drop || !basic)
            return sm_diag_fail(d, SM_ENOMEM, "out of memory");
        ls->cap = cap;
    }
    return SM_OK;
}

/* Append a cut to the master, age 0. */
static sm_status master_row(lshaped *ls, int len, double lb, sm_diag *d)
{
    int i = sm_lp_rows(ls->master) - ls->n_fixed;
    sm_status st = sm_lshaped_ages_room(ls, i, d);
    if (st != SM_OK)
        return st;
    ls->age[i] = 0;
    return sm_lp_add_row(ls->master, len, ls->idx, ls->val, lb, HUGE_VAL, d);
}

/* The block mean of Q_s(k_ub), theta_b's lower bound, for every block. */
static void block_means(const lshaped *ls, double *mean)
{
    size_t s = 0, n = ls->n, nb = (size_t)ls->nb;
    for (size_t b = 0; b < nb; b++) {
        size_t a = s;
        double v = 0.0;
        for (; s < n && s * nb / n == b; s++)
            v += ls->q[ls->order[s]];
        mean[b] = s > a ? v / (double)(s - a) : 0.0;
    }
}

sm_lp_opts sm_lshaped_master_opts(const sm_plan_opts *o)
{
    sm_lp_opts mo = o->lp;
    mo.warm_pricing = SM_PRICING_STEEPEST; /* 2.3x fewer pivots than textbook (bench/README.md) */
    /* The long-step ratio test on this master (cuts from 1e-9 to 1e7) made
     * plan_extensive_glpsol_cbc's plan fail; the futures keep it. */
    mo.warm_ratio = SM_RATIO_HARRIS;
    return mo;
}

/* Under risk (lambda > 0), the master's Rockafellar-Uryasev terms: eta
 * (free) and u_s >= theta_s - eta, u_s >= 0, costing lambda·eta + lambda
 * p_s u_s / (1 - alpha), after k and theta; theta then costs (1 - lambda)
 * p_s. At the optimum eta + sum p_s u_s / (1 - alpha) is CVaR_alpha of the
 * thetas, so the master's optimum is fees + rho(theta), a lower bound of
 * fees + rho(Q) as rho is monotone and theta <= Q. */
static int risk_cols(const lshaped *ls)
{
    return ls->o->risk_weight > 0.0 ? (int)ls->n + 1 : 0;
}

static void risk_bounds(const lshaped *ls, double *lb, double *ub, double *obj)
{
    double lam = ls->o->risk_weight, p = 1.0 / (double)ls->n;
    size_t eta = (size_t)ls->nk + ls->n;
    lb[eta] = -HUGE_VAL;
    ub[eta] = HUGE_VAL;
    obj[eta] = lam;
    for (size_t s = 0; s < ls->n; s++) {
        lb[eta + 1 + s] = 0.0;
        ub[eta + 1 + s] = HUGE_VAL;
        obj[eta + 1 + s] = lam * p / (1.0 - ls->o->cvar_alpha);
    }
}

static sm_status risk_rows(lshaped *ls, sm_diag *d)
{
    sm_status st = SM_OK;
    int eta = ls->nk + (int)ls->n;
    for (size_t s = 0; risk_cols(ls) && s < ls->n; s++) {
        int idx[3] = {eta + 1 + (int)s, ls->nk + (int)s, eta};
        double val[3] = {1.0, -1.0, 1.0};
        SM_TRY(sm_lp_add_row(ls->master, 3, idx, val, 0.0, HUGE_VAL, d));
    }
done:
    return st;
}

/* The master with theta_b >= its block's mean Q_s(k_ub), the first-stage
 * rows and the risk terms. */
sm_status sm_lshaped_master_build(lshaped *ls, sm_diag *d)
{
    sm_status st = SM_OK;
    size_t nc = (size_t)ls->nk + (size_t)ls->nb + (size_t)risk_cols(ls);
    double *lb = malloc((nc + 1) * sizeof *lb), *ub = malloc((nc + 1) * sizeof *ub),
           *obj = malloc((nc + 1) * sizeof *obj);
    if (!lb || !ub || !obj)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    for (int j = 0; j < ls->nk; j++) {
        lb[j] = 0.0;
        ub[j] = ls->s1->ub[j];
        obj[j] = ls->s1->fee[j];
    }
    block_means(ls, &lb[ls->nk]);
    for (size_t b = 0, n = ls->n, nb = (size_t)ls->nb; b < nb; b++) {
        /* |block b| = ceil((b+1)·n/nb) − ceil(b·n/nb) */
        size_t size = ((b + 1) * n + nb - 1) / nb - (b * n + nb - 1) / nb;
        ub[(size_t)ls->nk + b] = HUGE_VAL;
        obj[(size_t)ls->nk + b] = (1.0 - ls->o->risk_weight) * (double)size / (double)n;
    }
    if (risk_cols(ls))
        risk_bounds(ls, lb, ub, obj);
    sm_lp_opts mo = sm_lshaped_master_opts(ls->o);
    SM_TRY(sm_lp_new_cols(&ls->master, (int)nc, lb, ub, obj, &mo, d));
    const sm_stage1 *s1 = ls->s1;
    for (int i = 0; i < s1->n_rows; i++) {
        int a = s1->row_start[i], len = s1->row_start[i + 1] - a;
        for (int e = 0; e < len; e++)
            ls->val[e] = 1.0;
        SM_TRY(sm_lp_add_row(ls->master, len, &s1->row_var[a], ls->val, s1->row_lb[i],
                             s1->row_ub[i], d));
    }
    SM_TRY(risk_rows(ls, d));
    ls->n_fixed = sm_lp_rows(ls->master); /* the rows no cut dropping touches */
done:
    free(lb);
    free(ub);
    free(obj);
    return st;
}

/* The terms of the cut v + g·(k − k^) as the row -g·k >= rhs, into
 * idx/val/rhs. A slope too small to be more than rounding noise of v
 * (|g_j| < 1e-12·|v|, 1e-9 at least) is left out, its term replaced by its
 * least value over 0 <= k_j <= k_ub (g_j <= 0: at k_ub), which keeps the
 * cut valid: a master with coefficients from 1e-12 to 1e7 defeated GLPK. */
static int cut_terms(lshaped *ls, const double *g, double v)
{
    double tiny = fmax(1e-9, 1e-12 * fabs(v));
    int len = 0;
    ls->rhs = v;
    for (int j = 0; j < ls->nk; j++) {
        if (g[j] == 0.0)
            continue;
        if (fabs(g[j]) < tiny) {
            ls->rhs += g[j] * (ls->s1->ub[j] - ls->k[j]);
            continue;
        }
        ls->idx[len] = j;
        ls->val[len++] = -g[j];
        ls->rhs -= g[j] * ls->k[j];
    }
    return len;
}

/* Block b's mean Q_s(k^) and slopes (into ls->gb), summed in future order
 * from *s on; 0 when some future of the block is not optimal. */
static int block_cut(lshaped *ls, size_t b, size_t *s, double *v)
{
    size_t n = ls->n, nb = (size_t)ls->nb, nk = (size_t)ls->nk, a = *s;
    int ok = 1;
    *v = 0.0;
    memset(ls->gb, 0, nk * sizeof(double));
    for (; *s < n && *s * nb / n == b; (*s)++) {
        size_t f = ls->order[*s];
        ok &= ls->status[f] == SM_SCEN_OPTIMAL;
        if (!ok)
            continue;
        *v += ls->q[f];
        const double *g = &ls->g[f * nk];
        for (size_t j = 0; j < nk; j++)
            ls->gb[j] += g[j];
    }
    size_t m = *s - a;
    if (!ok || m == 0)
        return 0;
    if (m > 1) {
        *v /= (double)m;
        for (size_t j = 0; j < nk; j++)
            ls->gb[j] /= (double)m;
    }
    return 1;
}

/* Add the cut of every block whose mean Q_s(k^) lies above the master's
 * theta_b (all of them when theta is NULL), in block order. */
sm_status sm_lshaped_add_cuts(lshaped *ls, const double *theta, int *added, sm_diag *d)
{
    sm_status st = SM_OK;
    *added = 0;
    size_t s = 0;
    for (size_t b = 0; b < (size_t)ls->nb; b++) {
        double v;
        if (!block_cut(ls, b, &s, &v))
            continue;
        if (theta && v - theta[b] <= 1e-9 * fmax(1.0, fabs(v)))
            continue;
        int len = cut_terms(ls, ls->gb, v);
        ls->idx[len] = ls->nk + (int)b;
        ls->val[len++] = 1.0;
        SM_TRY(master_row(ls, len, ls->rhs, d));
        (*added)++;
    }
done:
    return st;
}

/* For every block with futures infeasible at k^, w_s = q[s] their
 * phase-one violations and g_s their slopes: the sum over them of
 * w_s + g_s·(k − k^) <= 0 (each w_s(k) lies above its linearisation and
 * is 0 where s is feasible), in block order. One row a block, not a
 * future, and aged like the optimality cuts: 10,000 futures kept one row
 * each for good (bench/README.md, "Plans"). */
sm_status sm_lshaped_add_feasibility_cuts(lshaped *ls, int *added, sm_diag *d)
{
    sm_status st = SM_OK;
    size_t n = ls->n, nb = (size_t)ls->nb, nk = (size_t)ls->nk, s = 0;
    *added = 0;
    for (size_t b = 0; b < nb; b++) {
        double w = 0.0;
        int any = 0;
        memset(ls->gb, 0, nk * sizeof(double));
        for (; s < n && s * nb / n == b; s++) {
            size_t f = ls->order[s];
            if (ls->status[f] != SM_SCEN_INFEASIBLE || !(ls->q[f] > 1e-9))
                continue;
            any = 1;
            w += ls->q[f];
            for (size_t j = 0; j < nk; j++)
                ls->gb[j] += ls->g[f * nk + j];
        }
        int len = any ? cut_terms(ls, ls->gb, w) : 0;
        if (len == 0)
            continue; /* no commitment can help: cannot happen when k_ub was feasible */
        SM_TRY(master_row(ls, len, ls->rhs, d));
        (*added)++;
    }
done:
    return st;
}

/* A pooled cut waits this many iterations to be violated again, then is
 * forgotten: memory (a cut is nk + 1 terms) and the check's time stay
 * bounded. */
#ifndef POOL_KEEP
#define POOL_KEEP 50
#endif

/* Room for cuts more cuts and nz more terms in the pool. */
static sm_status pool_room(lshaped *ls, int cuts, size_t nz, sm_diag *d)
{
    size_t used = ls->pool_start ? ls->pool_start[ls->pool_n] : 0;
    if (!ls->pool_start || ls->pool_n + cuts > ls->pool_cap) {
        int cap = 2 * (ls->pool_n + cuts) + 16;
        size_t *start = realloc(ls->pool_start, ((size_t)cap + 1) * sizeof *start);
        if (start)
            ls->pool_start = start;
        int *age = realloc(ls->pool_age, (size_t)cap * sizeof *age);
        if (age)
            ls->pool_age = age;
        double *lb = realloc(ls->pool_lb, (size_t)cap * sizeof *lb);
        if (lb)
            ls->pool_lb = lb;
        if (!start || !age || !lb)
            return sm_diag_fail(d, SM_ENOMEM, "out of memory");
        if (ls->pool_cap == 0)
            ls->pool_start[0] = 0;
        ls->pool_cap = cap;
    }
    if (used + nz > ls->pool_nz_cap) {
        size_t cap = 2 * (used + nz) + 1024;
        int *idx = realloc(ls->pool_idx, cap * sizeof *idx);
        if (idx)
            ls->pool_idx = idx;
        double *val = realloc(ls->pool_val, cap * sizeof *val);
        if (val)
            ls->pool_val = val;
        if (!idx || !val)
            return sm_diag_fail(d, SM_ENOMEM, "out of memory");
        ls->pool_nz_cap = cap;
    }
    return SM_OK;
}

/* Append terms idx/val[len] >= lb, waiting for age iterations. */
static sm_status pool_append(lshaped *ls, int len, const int *idx, const double *val, double lb,
                             int age, sm_diag *d)
{
    sm_status st = pool_room(ls, 1, (size_t)len, d);
    if (st != SM_OK)
        return st;
    size_t a = ls->pool_start[ls->pool_n];
    memcpy(&ls->pool_idx[a], idx, (size_t)len * sizeof *idx);
    memcpy(&ls->pool_val[a], val, (size_t)len * sizeof *val);
    ls->pool_lb[ls->pool_n] = lb;
    ls->pool_age[ls->pool_n] = age;
    ls->pool_start[++ls->pool_n] = a + (size_t)len;
    return SM_OK;
}

/* Keep the pooled cuts for which keep[c], in order. */
static void pool_compact(lshaped *ls, const uint8_t *keep)
{
    int m = 0;
    size_t nz = 0;
    for (int c = 0; c < ls->pool_n; c++) {
        size_t a = ls->pool_start[c], len = ls->pool_start[c + 1] - a;
        if (!keep[c])
            continue;
        memmove(&ls->pool_idx[nz], &ls->pool_idx[a], len * sizeof *ls->pool_idx);
        memmove(&ls->pool_val[nz], &ls->pool_val[a], len * sizeof *ls->pool_val);
        ls->pool_lb[m] = ls->pool_lb[c];
        ls->pool_age[m] = ls->pool_age[c];
        ls->pool_start[m] = nz;
        nz += len;
        m++;
    }
    ls->pool_n = m;
    if (ls->pool_start)
        ls->pool_start[m] = nz;
}

/* Age the pooled cuts, forgetting those that waited POOL_KEEP
 * iterations. */
static sm_status pool_age_all(lshaped *ls, sm_diag *d)
{
    uint8_t *keep = malloc((size_t)ls->pool_n + 1);
    if (!keep)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    for (int c = 0; c < ls->pool_n; c++)
        keep[c] = ++ls->pool_age[c] <= POOL_KEEP;
    pool_compact(ls, keep);
    free(keep);
    return SM_OK;
}

/* Age every cut by the master's last basis and move those whose slack
 * has been basic drop_age solves in a row to the pool: they are not
 * binding, so the master's solution and basis stay optimal without them,
 * and the pool puts them back if a later solution violates them. */
sm_status sm_lshaped_drop_old_cuts(lshaped *ls, sm_diag *d)
{
    int nr = sm_lp_rows(ls->master) - ls->n_fixed, nd = 0, kept = 0;
    if (ls->o->drop_age <= 0 || nr <= 0)
        return SM_OK;
    sm_status st = pool_age_all(ls, d);
    if (st != SM_OK)
        return st;
    sm_lp_rows_basic(ls->master, ls->n_fixed, ls->basic);
    for (int i = 0; i < nr && st == SM_OK; i++) {
        ls->age[i] = ls->basic[i] ? ls->age[i] + 1 : 0;
        if (ls->age[i] < ls->o->drop_age) {
            ls->age[kept++] = ls->age[i];
            continue;
        }
        int len;
        double lb, ub;
        ls->drop[nd++] = ls->n_fixed + i;
        sm_lp_get_row(ls->master, ls->n_fixed + i, &len, ls->idx, ls->val, &lb, &ub);
        st = pool_append(ls, len, ls->idx, ls->val, lb, 0, d);
    }
    return st == SM_OK ? sm_lp_del_rows(ls->master, nd, ls->drop, d) : st;
}

/* How far pooled cut c raises the master's objective at x if put back:
 * its violation times its theta's cost (a feasibility cut, which has no
 * theta, cuts x off: HUGE_VAL). */
static double pool_rise(const lshaped *ls, int c, const double *x)
{
    double v = 0.0, lb = ls->pool_lb[c], cost = HUGE_VAL;
    for (size_t e = ls->pool_start[c]; e < ls->pool_start[c + 1]; e++) {
        int j = ls->pool_idx[e];
        v += ls->pool_val[e] * x[j];
        if (j >= ls->nk) {
            double clb, cub;
            sm_lp_get_col(ls->master, j, &clb, &cub, &cost);
        }
    }
    return lb - v > 1e-9 * fmax(1.0, fabs(lb)) ? (lb - v) * cost : 0.0;
}

sm_status sm_lshaped_pool_back(lshaped *ls, int *back, double *rise, sm_diag *d)
{
    sm_status st = SM_OK;
    *back = 0;
    *rise = 0.0;
    if (ls->pool_n == 0)
        return SM_OK;
    uint8_t *keep = malloc((size_t)ls->pool_n + 1);
    if (!keep)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    for (int c = 0; c < ls->pool_n && st == SM_OK; c++) {
        double r = pool_rise(ls, c, ls->sol);
        keep[c] = r == 0.0;
        if (keep[c])
            continue;
        *rise = fmax(*rise, r);
        size_t a = ls->pool_start[c];
        int len = (int)(ls->pool_start[c + 1] - a);
        memcpy(ls->idx, &ls->pool_idx[a], (size_t)len * sizeof *ls->idx);
        memcpy(ls->val, &ls->pool_val[a], (size_t)len * sizeof *ls->val);
        st = master_row(ls, len, ls->pool_lb[c], d);
        (*back)++;
    }
    pool_compact(ls, keep);
    free(keep);
    return st;
}

sm_status sm_lshaped_pool_save(const lshaped *ls, sm_plan_checkpoint *c, sm_diag *d)
{
    sm_status st = SM_OK;
    size_t n = (size_t)ls->pool_n, nz = n ? ls->pool_start[n] : 0;
    int *len = malloc((n + 1) * sizeof *len);
    if (!len)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    for (size_t k = 0; k < n; k++)
        len[k] = (int)(ls->pool_start[k + 1] - ls->pool_start[k]);
    SM_TRY(sm_ckpt_add(c, "cut_pool_len", 'i', n, len, d));
    SM_TRY(sm_ckpt_add(c, "cut_pool_age", 'i', n, ls->pool_age, d));
    SM_TRY(sm_ckpt_add(c, "cut_pool_lb", 'd', n, ls->pool_lb, d));
    SM_TRY(sm_ckpt_add(c, "cut_pool_idx", 'i', nz, ls->pool_idx, d));
    SM_TRY(sm_ckpt_add(c, "cut_pool_val", 'd', nz, ls->pool_val, d));
done:
    free(len);
    return st;
}

sm_status sm_lshaped_pool_load(lshaped *ls, const sm_plan_checkpoint *c, sm_diag *d)
{
    sm_status st = SM_OK;
    const int32_t *len, *age, *idx;
    const double *lb, *val;
    size_t n, nz, used = 0;
    SM_TRY(sm_ckpt_get(c, "cut_pool_len", 'i', SIZE_MAX, (const void **)&len, &n, d));
    SM_TRY(sm_ckpt_get(c, "cut_pool_age", 'i', n, (const void **)&age, NULL, d));
    SM_TRY(sm_ckpt_get(c, "cut_pool_lb", 'd', n, (const void **)&lb, NULL, d));
    SM_TRY(sm_ckpt_get(c, "cut_pool_idx", 'i', SIZE_MAX, (const void **)&idx, &nz, d));
    SM_TRY(sm_ckpt_get(c, "cut_pool_val", 'd', nz, (const void **)&val, NULL, d));
    ls->pool_n = 0;
    for (size_t k = 0; k < n; k++) {
        if (len[k] < 0 || len[k] > ls->nk + 1 || used + (size_t)len[k] > nz)
            SM_TRY(sm_diag_error(d, NULL, 0, 0, "the plan's resume data has a bad cut pool"));
        SM_TRY(pool_append(ls, len[k], &idx[used], &val[used], lb[k], age[k], d));
        used += (size_t)len[k];
    }
done:
    return st;
}

void sm_lshaped_pool_free(lshaped *ls)
{
    free(ls->pool_start);
    free(ls->pool_idx);
    free(ls->pool_age);
    free(ls->pool_val);
    free(ls->pool_lb);
}
