/* The L-shaped method's master LP and its cuts (see plan_lshaped.h and
 * the head of plan_lshaped.c): building it, optimality cuts by block,
 * feasibility cuts by block, and dropping cuts idle for long. */
#include "plan_lshaped.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
            v += ls->q[s];
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
        ok &= ls->status[*s] == SM_SCEN_OPTIMAL;
        if (!ok)
            continue;
        *v += ls->q[*s];
        const double *g = &ls->g[*s * nk];
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
            if (ls->status[s] != SM_SCEN_INFEASIBLE || !(ls->q[s] > 1e-9))
                continue;
            any = 1;
            w += ls->q[s];
            for (size_t j = 0; j < nk; j++)
                ls->gb[j] += ls->g[s * nk + j];
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

/* Age every cut by the master's last basis and drop those whose slack
 * has been basic drop_age solves in a row: they are not binding, so the
 * master's solution and basis stay optimal without them. */
sm_status sm_lshaped_drop_old_cuts(lshaped *ls, sm_diag *d)
{
    int nr = sm_lp_rows(ls->master) - ls->n_fixed, nd = 0, kept = 0;
    if (ls->o->drop_age <= 0 || nr <= 0)
        return SM_OK;
    sm_lp_rows_basic(ls->master, ls->n_fixed, ls->basic);
    for (int i = 0; i < nr; i++) {
        ls->age[i] = ls->basic[i] ? ls->age[i] + 1 : 0;
        if (ls->age[i] >= ls->o->drop_age)
            ls->drop[nd++] = ls->n_fixed + i;
        else
            ls->age[kept++] = ls->age[i];
    }
    return sm_lp_del_rows(ls->master, nd, ls->drop, d);
}
