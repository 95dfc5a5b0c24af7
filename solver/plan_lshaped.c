/* The L-shaped method, multi-cut (see plan.h). Master: min fee·k +
 * sum_s p_s theta_s (under risk fee·k + rho of the thetas: risk_cols)
 * over 0 <= k <= k_ub, the first-stage rows and the cuts theta_s >=
 * Q_s(k^) + g_s·(k − k^). Each theta_s is bounded below by Q_s(k_ub),
 * the least Q_s can be (more commitment only loosens a future), so the
 * first master is bounded. */
#include "plan.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../models/risk.h"
#include "plan_checkpoint.h"


void sm_plan_opts_init(sm_plan_opts *o)
{
    o->threads = 1;
    o->gap = 1e-6;
    o->max_iterations = 500;
    o->time_limit_s = 0.0;
    o->risk_weight = 0.0;
    o->cvar_alpha = 0.95;
    o->checkpoint = NULL;
    o->checkpoint_ctx = NULL;
    o->resume = NULL;
    o->stop_flag = NULL;
    sm_lp_opts_init(&o->lp);
}


sm_status sm_plan_base_basis(const sm_problem *p, const sm_lp_opts *o, sm_basis **out,
                             sm_diag *d)
{
    sm_status st = SM_OK;
    sm_lp *lp = NULL;
    *out = NULL;
    SM_TRY(sm_lp_new(&lp, p->model, p->layout, p->base_coeffs, o, d));
    sm_solve_info info;
    if (sm_lp_solve(lp, 0, &info) != SM_OK)
        SM_TRY(sm_lp_solve_failed(&info, "the base case", d));
    *out = sm_basis_new(sm_lp_rows(lp), sm_lp_cols(lp));
    if (!*out)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    sm_lp_get_basis(lp, *out);
done:
    sm_lp_free(&lp);
    return st;
}

/* Room for the history: a resumed plan may already hold more iterations
 * than this run's limit allows. */
static size_t hist_room(const sm_plan_opts *o)
{
    size_t resumed = 0;
    const void *p;
    size_t n;
    sm_diag quiet;
    sm_diag_init(&quiet);
    if (o->resume &&
        sm_ckpt_get(o->resume, "history_cuts", 'i', SIZE_MAX, &p, &n, &quiet) == SM_OK)
        resumed = n;
    sm_diag_clear(&quiet);
    return (size_t)(o->max_iterations > 0 ? o->max_iterations : 0) + resumed + 1;
}

/* The state of one decomposition. */
typedef struct lshaped {
    const sm_futures *F;
    const sm_stage1 *s1;
    const sm_plan_opts *o;
    sm_evaluator *ev;
    sm_lp *master;
    size_t n;
    int nk;
    double *k, *q, *g, *sol;   /* k^ [nk], Q_s [n], slopes [n*nk], master solution */
    uint8_t *status;
    int *idx;
    double *val;
    double t0;
    int rescues;          /* master solves redone from scratch */
    double rhs;           /* of the cut cut_terms built */
} lshaped;

static void lshaped_free(lshaped *ls)
{
    sm_evaluator_free(&ls->ev);
    sm_lp_free(&ls->master);
    free(ls->k);
    free(ls->q);
    free(ls->g);
    free(ls->sol);
    free(ls->status);
    free(ls->idx);
    free(ls->val);
}

static sm_status lshaped_init(lshaped *ls, const sm_futures *F, const sm_stage1 *s1,
                              const sm_plan_opts *o, const sm_basis *base, sm_plan_result *r,
                              sm_diag *d)
{
    memset(ls, 0, sizeof *ls);
    ls->F = F;
    ls->s1 = s1;
    ls->o = o;
    ls->n = F->n;
    ls->nk = s1->nk;
    ls->t0 = sm_clock_s();
    size_t n = F->n, nk = (size_t)s1->nk;
    ls->k = calloc(nk + 1, sizeof(double));
    ls->q = calloc(n + 1, sizeof(double));
    ls->g = calloc(n * nk + 1, sizeof(double));
    ls->sol = calloc(nk + 2 * n + 2, sizeof(double));
    ls->status = calloc(n + 1, 1);
    ls->idx = calloc(nk + 2, sizeof(int));
    ls->val = calloc(nk + 2, sizeof(double));
    memset(r, 0, sizeof *r);
    r->k = calloc(nk + 1, sizeof(double));
    r->q = calloc(n + 1, sizeof(double));
    r->status = calloc(n + 1, 1);
    r->hist = calloc(hist_room(o), sizeof *r->hist);
    if (!ls->k || !ls->q || !ls->g || !ls->sol || !ls->status || !ls->idx || !ls->val ||
        !r->k || !r->q || !r->status || !r->hist)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    r->lb = -HUGE_VAL;
    r->ub = HUGE_VAL;
    r->gap = HUGE_VAL;
    if (!sm_risk_weight_ok(o->risk_weight) || !sm_cvar_alpha_ok(o->cvar_alpha))
        return sm_diag_error(d, NULL, 0, 0, "risk weight %g (expected [0, 1]) or CVaR level %g "
                             "(expected [0, 1)) out of range", o->risk_weight, o->cvar_alpha);
    return sm_evaluator_new(F, s1, o, base, &ls->ev, d);
}

static sm_lp_opts master_opts(const sm_plan_opts *o)
{
    sm_lp_opts mo = o->lp;
    mo.warm_pricing = SM_PRICING_STEEPEST; /* few rows, many re-solves: worth the weights */
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

/* The master with theta_s >= Q_s(k_ub), the first-stage rows and the
 * risk terms. */
static sm_status master_build(lshaped *ls, sm_diag *d)
{
    sm_status st = SM_OK;
    size_t nc = (size_t)ls->nk + ls->n + (size_t)risk_cols(ls);
    double *lb = malloc((nc + 1) * sizeof *lb), *ub = malloc((nc + 1) * sizeof *ub),
           *obj = malloc((nc + 1) * sizeof *obj);
    if (!lb || !ub || !obj)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    for (int j = 0; j < ls->nk; j++) {
        lb[j] = 0.0;
        ub[j] = ls->s1->ub[j];
        obj[j] = ls->s1->fee[j];
    }
    for (size_t s = 0; s < ls->n; s++) {
        lb[(size_t)ls->nk + s] = ls->q[s];
        ub[(size_t)ls->nk + s] = HUGE_VAL;
        obj[(size_t)ls->nk + s] = (1.0 - ls->o->risk_weight) / (double)ls->n;
    }
    if (risk_cols(ls))
        risk_bounds(ls, lb, ub, obj);
    sm_lp_opts mo = master_opts(ls->o);
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

/* Add the cut of every future whose Q_s(k^) lies above the master's
 * theta_s (all of them when theta is NULL), in future order. */
static sm_status add_cuts(lshaped *ls, const double *theta, int *added, sm_diag *d)
{
    sm_status st = SM_OK;
    *added = 0;
    for (size_t s = 0; s < ls->n; s++) {
        double qs = ls->q[s];
        if (ls->status[s] != SM_SCEN_OPTIMAL)
            continue;
        if (theta && qs - theta[s] <= 1e-9 * fmax(1.0, fabs(qs)))
            continue;
        int len = cut_terms(ls, &ls->g[s * (size_t)ls->nk], qs);
        double rhs = ls->rhs;
        ls->idx[len] = ls->nk + (int)s;
        ls->val[len++] = 1.0;
        SM_TRY(sm_lp_add_row(ls->master, len, ls->idx, ls->val, rhs, HUGE_VAL, d));
        (*added)++;
    }
done:
    return st;
}

/* For every future infeasible at k^, with w_s = q[s] its phase-one
 * violation and g_s its slopes: -g_s·k >= w_s - g_s·k^, in future order. */
static sm_status add_feasibility_cuts(lshaped *ls, int *added, sm_diag *d)
{
    sm_status st = SM_OK;
    *added = 0;
    for (size_t s = 0; s < ls->n; s++) {
        double w = ls->q[s];
        if (ls->status[s] != SM_SCEN_INFEASIBLE || !(w > 1e-9))
            continue;
        int len = cut_terms(ls, &ls->g[s * (size_t)ls->nk], w);
        double rhs = ls->rhs;
        if (len == 0)
            continue; /* no commitment can help: cannot happen when k_ub was feasible */
        SM_TRY(sm_lp_add_row(ls->master, len, ls->idx, ls->val, rhs, HUGE_VAL, d));
        (*added)++;
    }
done:
    return st;
}

/* Any future not optimal at k^: count it; SM_OK with *bad set. */
static size_t count_not_optimal(const lshaped *ls, size_t *first, int *failed)
{
    size_t bad = 0;
    *failed = 0;
    for (size_t s = 0; s < ls->n; s++)
        if (ls->status[s] != SM_SCEN_OPTIMAL) {
            if (!bad)
                *first = s;
            bad++;
            *failed |= ls->status[s] != SM_SCEN_INFEASIBLE;
        }
    return bad;
}

/* Iteration 0: every future at k_ub, the most it can commit. */
static sm_status first_evaluation(lshaped *ls, sm_plan_result *r, int *go_on, sm_diag *d)
{
    sm_status st = SM_OK;
    *go_on = 0;
    memcpy(ls->k, ls->s1->ub, (size_t)ls->nk * sizeof(double));
    SM_TRY(sm_evaluate(ls->ev, ls->k, ls->q, ls->status, ls->g, NULL, NULL, d));
    int failed;
    size_t first = 0, bad = count_not_optimal(ls, &first, &failed);
    if (bad) {
        r->stop = failed ? SM_PLAN_SOLVER_FAILURE : SM_PLAN_INFEASIBLE;
        r->infeasible = failed ? 0 : bad;
        r->first_infeasible = first;
        if (failed)
            snprintf(r->message, sizeof r->message, "future %zu: %s with everything committed",
                     first, sm_scen_status_names[ls->status[first]]);
        else
            snprintf(r->message, sizeof r->message,
                     "%zu future(s) infeasible even with every contract offer fully committed "
                     "(first: future %zu), so for every portfolio", bad, first);
        return SM_OK;
    }
    SM_TRY(master_build(ls, d));
    int added;
    SM_TRY(add_cuts(ls, NULL, &added, d));
    *go_on = 1;
done:
    return st;
}

static void record(lshaped *ls, sm_plan_result *r, int cuts)
{
    r->gap = isfinite(r->ub) ? (r->ub - r->lb) / fmax(fabs(r->ub), 1e-12) : HUGE_VAL;
    if (r->gap < 0.0)
        r->gap = 0.0;
    sm_plan_iter *h = &r->hist[r->iterations++];
    h->lb = r->lb;
    h->ub = r->ub;
    h->gap = r->gap;
    h->cuts = cuts;
    h->seconds = sm_clock_s() - ls->t0;
}

/* One iteration: master, futures at its k^, incumbent, cuts. *stop is set
 * when the plan ends. */
static sm_status iterate(lshaped *ls, sm_plan_result *r, int *stop, sm_diag *d)
{
    sm_status st = SM_OK;
    sm_solve_info info;
    if (sm_lp_solve(ls->master, 1, &info) != SM_OK)
        SM_TRY(sm_lp_solve_failed(&info, "the master LP", d));
    if (info.status != SM_SCEN_OPTIMAL) {
        /* Cuts of very different magnitudes (USD against tonnes of
         * violation) can mislead a warm dual simplex: confirm from scratch,
         * rescaled, before believing it. */
        ls->rescues++;
        if (sm_lp_solve_rescue(ls->master, &info) != SM_OK)
            SM_TRY(sm_lp_solve_failed(&info, "the master LP (from scratch)", d));
    }
    if (info.status != SM_SCEN_OPTIMAL) {
        r->stop = info.status == SM_SCEN_INFEASIBLE ? SM_PLAN_INFEASIBLE : SM_PLAN_SOLVER_FAILURE;
        snprintf(r->message, sizeof r->message, "the master LP is %s%s (GLPK code %d%s%s)",
                 sm_scen_status_names[info.status],
                 info.status == SM_SCEN_INFEASIBLE ? ": no portfolio meets the commitment limits"
                                                   : "",
                 info.glpk_code, info.message[0] ? ": " : "", info.message);
        *stop = 1;
        return SM_OK;
    }
    sm_lp_solution(ls->master, ls->sol, NULL);
    r->lb = fmax(r->lb, sm_lp_objective(ls->master));
    /* The simplex may leave a bound missed by its tolerance (-1e-12 t):
     * a commitment is a column bound of every future, so clamp it. */
    for (int j = 0; j < ls->nk; j++)
        ls->k[j] = fmin(fmax(ls->sol[j], 0.0), ls->s1->ub[j]);
    SM_TRY(sm_evaluate(ls->ev, ls->k, ls->q, ls->status, ls->g, NULL, NULL, d));
    int failed, added = 0;
    size_t first = 0, bad = count_not_optimal(ls, &first, &failed);
    if (failed) {
        r->stop = SM_PLAN_SOLVER_FAILURE;
        snprintf(r->message, sizeof r->message, "future %zu is %s at the master's portfolio",
                 first, sm_scen_status_names[ls->status[first]]);
        *stop = 1;
        return SM_OK;
    }
    if (bad) {
        /* Not a candidate: cut it off, and keep the optimality cuts of the
         * futures that were feasible. */
        SM_TRY(add_feasibility_cuts(ls, &added, d));
        if (added == 0) {
            r->stop = SM_PLAN_NEEDS_FEASIBILITY;
            snprintf(r->message, sizeof r->message,
                     "future %zu is infeasible at the master's portfolio but its phase-one LP "
                     "finds no violation to cut (numerical trouble)", first);
            *stop = 1;
            return SM_OK;
        }
    } else {
        double ub = sm_stage1_fees(ls->s1, ls->k) +
                    sm_risk_value(ls->q, ls->n, ls->o->risk_weight, ls->o->cvar_alpha);
        if (ub < r->ub) {
            r->ub = ub;
            memcpy(r->k, ls->k, (size_t)ls->nk * sizeof(double));
            memcpy(r->q, ls->q, ls->n * sizeof(double));
            memcpy(r->status, ls->status, ls->n);
        }
    }
    int opt_added = 0;
    SM_TRY(add_cuts(ls, &ls->sol[ls->nk], &opt_added, d));
    added += opt_added;
    record(ls, r, added);
    *stop = 1;
    if ((!bad && r->gap <= ls->o->gap) || added == 0)
        r->stop = SM_PLAN_GAP;
    else if (r->iterations >= ls->o->max_iterations)
        r->stop = SM_PLAN_ITERATION_LIMIT;
    else if (ls->o->time_limit_s > 0 && sm_clock_s() - ls->t0 >= ls->o->time_limit_s)
        r->stop = SM_PLAN_TIME_LIMIT;
    else
        *stop = 0;
done:
    return st;
}

/* ---- checkpoints -------------------------------------------------------
 *
 * Taken at every iteration boundary (after the first evaluation and after
 * each iteration). Size, per future: its basis, (layout rows + columns)
 * bytes (480 on rare_earths), 17 bytes of incumbent, and for each of its
 * cuts in the master 12 bytes per term (at most nk + 1) plus 20; the cuts
 * dominate: rare_earths with every non-Chinese offer a contract (nk =
 * 264), 100 futures, took 4.5 MB after its 30th and last iteration, 1.7 KB
 * per cut. Building it copies memory, milliseconds against an iteration
 * that re-solves every future (0.4 s there), so the solver does not
 * rate-limit it: the callback, which knows what storing it costs, keeps
 * the ones it wants (each checkpoint is complete on its own). */

enum { LS_VERSION, LS_FUTURES, LS_NK, LS_RESCUES, LS_N };
#define LS_CHECKPOINT_VERSION 1

static sm_status checkpoint_take(const lshaped *ls, const sm_plan_result *r, sm_diag *d)
{
    sm_status st = SM_OK;
    sm_plan_checkpoint c = {0, NULL};
    int32_t v[LS_N] = {LS_CHECKPOINT_VERSION, (int32_t)ls->n, ls->nk, ls->rescues};
    double elapsed = sm_clock_s() - ls->t0, risk[2] = {ls->o->risk_weight, ls->o->cvar_alpha};
    SM_TRY(sm_ckpt_add(&c, "decomposition", 'i', LS_N, v, d));
    SM_TRY(sm_ckpt_add(&c, "risk", 'd', 2, risk, d));
    SM_TRY(sm_ckpt_add(&c, "elapsed_seconds", 'd', 1, &elapsed, d));
    SM_TRY(sm_ckpt_add(&c, "master_k", 'd', (size_t)ls->nk, ls->k, d));
    SM_TRY(sm_ckpt_save_result(r, ls->n, ls->nk, &c, d));
    SM_TRY(sm_evaluator_save(ls->ev, &c, d));
    if (ls->master)
        SM_TRY(sm_ckpt_save_master(ls->master, &c, d));
    SM_TRY(ls->o->checkpoint(ls->o->checkpoint_ctx, &c, d));
done:
    sm_plan_checkpoint_free(&c);
    return st;
}

/* Where the checkpoint o->resume left off; *go_on unless it had ended. */
static sm_status resume(lshaped *ls, sm_plan_result *r, int *go_on, sm_diag *d)
{
    sm_status st = SM_OK;
    const sm_plan_checkpoint *c = ls->o->resume;
    const int32_t *v;
    const double *elapsed, *k, *risk;
    SM_TRY(sm_ckpt_get(c, "decomposition", 'i', LS_N, (const void **)&v, NULL, d));
    if (v[LS_VERSION] != LS_CHECKPOINT_VERSION || (size_t)v[LS_FUTURES] != ls->n ||
        v[LS_NK] != ls->nk)
        SM_TRY(sm_diag_error(d, NULL, 0, 0,
                             "the plan's resume data (version %d, %d futures, %d commitments) "
                             "does not fit this plan (version %d, %zu futures, %d commitments)",
                             v[LS_VERSION], v[LS_FUTURES], v[LS_NK], LS_CHECKPOINT_VERSION,
                             ls->n, ls->nk));
    SM_TRY(sm_ckpt_get(c, "risk", 'd', 2, (const void **)&risk, NULL, d));
    /* The master's costs carry them: another rho would not be this plan. */
    if (risk[0] != ls->o->risk_weight || risk[1] != ls->o->cvar_alpha)
        SM_TRY(sm_diag_error(d, NULL, 0, 0,
                             "the plan was started with risk weight %g and CVaR level %g; "
                             "resume it with the same (now %g and %g)", risk[0], risk[1],
                             ls->o->risk_weight, ls->o->cvar_alpha));
    SM_TRY(sm_ckpt_get(c, "elapsed_seconds", 'd', 1, (const void **)&elapsed, NULL, d));
    SM_TRY(sm_ckpt_get(c, "master_k", 'd', (size_t)ls->nk, (const void **)&k, NULL, d));
    SM_TRY(sm_ckpt_load_result(c, ls->n, ls->nk, (int)hist_room(ls->o) - 1, r, d));
    ls->rescues = v[LS_RESCUES];
    ls->t0 -= *elapsed;
    memcpy(ls->k, k, (size_t)ls->nk * sizeof *k);
    *go_on = r->stop == 0;
    if (*go_on) {
        SM_TRY(sm_evaluator_load(ls->ev, c, d));
        sm_lp_opts mo = master_opts(ls->o);
        SM_TRY(sm_ckpt_load_master(c, &mo, &ls->master, d));
    }
done:
    return st;
}

/* An iteration boundary: the checkpoint, then the stop flag. */
static sm_status boundary(lshaped *ls, sm_plan_result *r, int ended, int *stop, sm_diag *d)
{
    sm_status st = SM_OK;
    if (ls->o->checkpoint)
        SM_TRY(checkpoint_take(ls, r, d));
    if (!ended && ls->o->stop_flag && *ls->o->stop_flag) {
        r->stop = SM_PLAN_INTERRUPTED;
        *stop = 1;
    }
done:
    return st;
}

sm_status sm_plan_solve(const sm_futures *F, const sm_stage1 *s1, const sm_plan_opts *o,
                        const sm_basis *base, sm_plan_result *r, sm_diag *d)
{
    sm_status st = SM_OK;
    lshaped ls;
    SM_TRY(lshaped_init(&ls, F, s1, o, base, r, d));
    int go_on = 0, stop = 0;
    if (o->resume) {
        SM_TRY(resume(&ls, r, &go_on, d));
    } else {
        SM_TRY(first_evaluation(&ls, r, &go_on, d));
        SM_TRY(boundary(&ls, r, !go_on, &stop, d));
    }
    while (go_on && !stop) {
        SM_TRY(iterate(&ls, r, &stop, d));
        SM_TRY(boundary(&ls, r, stop, &stop, d));
    }
    r->fees = sm_stage1_fees(s1, r->k);
done:
    r->seconds = sm_clock_s() - ls.t0;
    lshaped_free(&ls);
    return st;
}
