/* The L-shaped method (see plan.h). Master: min fee·k + sum_b w_b theta_b
 * (under risk fee·k + rho of the thetas, one per future: risk_cols) over k in [lo, hi] (0..k_ub, or the trust region), the first-stage rows
 * and the cuts theta_b >= mean_{s in b} [Q_s(k^) + g_s·(k − k^)], where
 * block b holds the futures order[p] with p·nb/n = b (block_order: sorted
 * by how much each needs the contracts) and w_b = |b|/n (nb = n: one
 * theta per future, multi-cut). Each theta_b is bounded
 * below by its block's mean Q_s(k_ub), the least Q_s can be (more
 * commitment only loosens a future), so the first master is bounded.
 *
 * In a trust region the master's optimum is no lower bound: when the box
 * promises less than the gap, the master is solved once more over all of
 * 0..k_ub, for a lower bound and, if that is still too far, a trial point. */
#include "plan.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../models/risk.h"
#include "plan_checkpoint.h"
#include "plan_cache.h"
#include "plan_lshaped.h"
#include "plan_mpi.h"

/* The trust region narrows no further (a share of k_ub): a tiny box makes
 * every step a null step and its model promises nothing. */
#ifndef RADIUS_MIN
#define RADIUS_MIN 1e-2
#endif

/* Re-solve the master at once for a pooled cut put back only when it
 * moves the model this much (a share of the predicted decrease). At 1,000
 * futures re-solving for every violated cut (0) took 112 iterations and
 * 321 master solves, never (HUGE_VAL) 163 iterations and 164 solves at
 * half the master's CPU (bench/README.md, "Plans"). */
#ifndef POOL_RESOLVE
#define POOL_RESOLVE HUGE_VAL
#endif

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
    o->checkpoint_due = NULL;
    o->resume = NULL;
    o->stop_flag = NULL;
    o->cut_blocks = -1;
    o->trust_region = 1;
    o->trust_radius = 0.3;
    o->drop_age = 2;
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


static void lshaped_free(lshaped *ls)
{
    sm_evaluator_free(&ls->ev);
    sm_lp_free(&ls->master);
    double *d[] = {ls->k, ls->q, ls->g, ls->sol, ls->gb, ls->val, ls->centre, ls->lo, ls->hi};
    for (size_t i = 0; i < sizeof d / sizeof *d; i++)
        free(d[i]);
    free(ls->status);
    free(ls->order);
    free(ls->idx);
    free(ls->age);
    free(ls->drop);
    free(ls->basic);
    sm_lshaped_pool_free(ls);
}

/* The number of theta columns. Automatic (cut_blocks < 0): a block per
 * 32 futures, at least 10. More blocks make a better model and fewer
 * iterations, but each adds a dense row an iteration to the master, a
 * serial LP whose cost per pivot grows with its rows; a block of 32
 * futures balances the two from 1,000 futures up, and below 320 it is the
 * 10 blocks measured before (bench/README.md, "Plans": 1,000 futures, 10
 * blocks 241 iterations, 31 blocks 116, 100 blocks 80 but twice the
 * master's CPU; 10,000 futures, 10 blocks 474, 300 blocks 94). */
static int blocks_of(const sm_plan_opts *o, size_t n)
{
    size_t b = o->cut_blocks < 0 ? (n / 32 > 10 ? n / 32 : 10) : (size_t)o->cut_blocks;
    if (b == 0 || b >= n || o->risk_weight > 0.0)
        return (int)n;
    return (int)b;
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
    ls->nb = blocks_of(o, F->n);
    ls->radius = o->trust_radius > 0.0 ? fmin(o->trust_radius, 1.0) : 1.0;
    ls->t0 = sm_clock_s();
    size_t n = F->n, nk = (size_t)s1->nk;
    ls->k = calloc(nk + 1, sizeof(double));
    ls->q = calloc(n + 1, sizeof(double));
    ls->g = calloc(n * nk + 1, sizeof(double));
    ls->sol = calloc(nk + (size_t)ls->nb + 2 * n + 2, sizeof(double));
    ls->gb = calloc(nk + 1, sizeof(double));
    ls->centre = calloc(nk + 1, sizeof(double));
    ls->lo = calloc(nk + 1, sizeof(double));
    ls->hi = calloc(nk + 1, sizeof(double));
    ls->status = calloc(n + 1, 1);
    ls->order = calloc(n + 1, sizeof(size_t));
    ls->idx = calloc(nk + 2, sizeof(int));
    ls->val = calloc(nk + 2, sizeof(double));
    for (size_t s = 0; ls->order && s < n; s++)
        ls->order[s] = s;
    memset(r, 0, sizeof *r);
    r->k = calloc(nk + 1, sizeof(double));
    r->q = calloc(n + 1, sizeof(double));
    r->status = calloc(n + 1, 1);
    r->hist = calloc(hist_room(o), sizeof *r->hist);
    if (!ls->k || !ls->q || !ls->g || !ls->sol || !ls->gb || !ls->centre || !ls->lo ||
        !ls->hi || !ls->status || !ls->order || !ls->idx || !ls->val || !r->k || !r->q || !r->status ||
        !r->hist)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    r->lb = -HUGE_VAL;
    r->ub = HUGE_VAL;
    r->gap = HUGE_VAL;
    if (!sm_risk_weight_ok(o->risk_weight) || !sm_cvar_alpha_ok(o->cvar_alpha))
        return sm_diag_error(d, NULL, 0, 0, "risk weight %g (expected [0, 1]) or CVaR level %g "
                             "(expected [0, 1)) out of range", o->risk_weight, o->cvar_alpha);
    sm_status st = sm_evaluator_new(F, s1, o, base, &ls->ev, d);
    if (st == SM_OK)
        sm_evaluator_keep_coeffs(ls->ev, SM_PLAN_CACHE_BUDGET);
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

static sm_status evaluate(lshaped *ls, sm_plan_result *r, sm_diag *d)
{
    double t = sm_clock_s(), cpu = sm_clock_process_cpu_s();
    sm_status st = sm_evaluate(ls->ev, ls->k, ls->q, ls->status, ls->g, NULL, NULL, d);
    r->futures_seconds += sm_clock_s() - t;
    r->futures_cpu_s += sm_clock_process_cpu_s() - cpu;
    return st;
}

/* fees(k^) + mean Q_s(k^); a new incumbent if it is the least so far. */
static double incumbent(lshaped *ls, sm_plan_result *r)
{
    double f = sm_stage1_fees(ls->s1, ls->k) +
               sm_risk_value(ls->q, ls->n, ls->o->risk_weight, ls->o->cvar_alpha);
    if (f < r->ub) {
        r->ub = f;
        memcpy(r->k, ls->k, (size_t)ls->nk * sizeof(double));
        memcpy(r->q, ls->q, ls->n * sizeof(double));
        memcpy(r->status, ls->status, ls->n);
    }
    return f;
}

/* Whether k meets the first-stage rows (k_ub need not). */
static int meets_rows(const sm_stage1 *s1, const double *k)
{
    for (int i = 0; i < s1->n_rows; i++) {
        double v = 0.0;
        for (int e = s1->row_start[i]; e < s1->row_start[i + 1]; e++)
            v += k[s1->row_var[e]];
        double tol = 1e-9 * fmax(1.0, fabs(v));
        if (v < s1->row_lb[i] - tol || v > s1->row_ub[i] + tol)
            return 0;
    }
    return 1;
}

/* A future and the value its cut-block order sorts it by. */
typedef struct keyed {
    double key;
    size_t s;
} keyed;

static int by_key(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->s < y->s ? -1 : x->s > y->s;
}

/* Which futures share a cut block: after the first evaluation (ls->g the
 * slopes at k_ub, each <= 0), the futures sorted by g_s·k_ub, minus the
 * first-order rise of Q_s were every commitment dropped (how much future
 * s needs the contracts), ties by number, so that each block averages futures whose
 * recourse costs bend alike. At 1,000 futures this took 81 iterations
 * against 163 for blocks of contiguous futures, whose futures are a random
 * mix (bench/README.md, "Plans"); below SORTED_MIN futures it did not
 * help (50 futures, 10 blocks: 498 iterations over 3 policies against
 * 426; 200: 760 against 778 over 5), so those keep their own order. A
 * total order, so the same for any thread or rank count. Multi-cut (a
 * block per future) keeps the futures' own order: CVaR's rows pair
 * theta_s with future s. */
#ifndef SORTED_MIN
#define SORTED_MIN 320
#endif
static sm_status block_order(lshaped *ls, sm_diag *d)
{
    size_t n = ls->n, nk = (size_t)ls->nk;
    if ((size_t)ls->nb >= n || n < SORTED_MIN)
        return SM_OK;
    keyed *k = malloc(n * sizeof *k);
    if (!k)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    for (size_t s = 0; s < n; s++) {
        k[s].key = 0.0;
        k[s].s = s;
        for (size_t j = 0; j < nk; j++)
            k[s].key += ls->g[s * nk + j] * ls->s1->ub[j];
    }
    qsort(k, n, sizeof *k, by_key);
    for (size_t p = 0; p < n; p++)
        ls->order[p] = k[p].s;
    free(k);
    return SM_OK;
}

/* Iteration 0: every future at k_ub, the most it can commit: the first
 * incumbent and trust-region centre. */
static sm_status first_evaluation(lshaped *ls, sm_plan_result *r, int *go_on, sm_diag *d)
{
    sm_status st = SM_OK;
    *go_on = 0;
    memcpy(ls->k, ls->s1->ub, (size_t)ls->nk * sizeof(double));
    SM_TRY(evaluate(ls, r, d));
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
    SM_TRY(block_order(ls, d));
    SM_TRY(sm_lshaped_master_build(ls, d));
    ls->fc = HUGE_VAL;
    if (meets_rows(ls->s1, ls->k)) {
        ls->fc = incumbent(ls, r);
        memcpy(ls->centre, ls->k, (size_t)ls->nk * sizeof(double));
        ls->has_centre = 1;
    }
    int added;
    SM_TRY(sm_lshaped_add_cuts(ls, NULL, &added, d));
    *go_on = 1;
done:
    return st;
}

static void record(lshaped *ls, sm_plan_result *r, int cuts, int feasibility_cuts)
{
    r->gap = isfinite(r->ub) ? (r->ub - r->lb) / fmax(fabs(r->ub), 1e-12) : HUGE_VAL;
    if (r->gap < 0.0)
        r->gap = 0.0;
    sm_plan_iter *h = &r->hist[r->iterations++];
    h->lb = r->lb;
    h->ub = r->ub;
    h->gap = r->gap;
    h->cuts = cuts;
    h->feasibility_cuts = feasibility_cuts;
    h->seconds = sm_clock_s() - ls->t0;
    int rows = sm_lp_rows(ls->master);
    if (rows > r->master_rows_max)
        r->master_rows_max = rows;
}

/* Solve the master; *ok = 0 (with r->stop and r->message) when it has no
 * optimum. */
static sm_status master_solve(lshaped *ls, sm_plan_result *r, int *ok, sm_diag *d)
{
    sm_status st = SM_OK;
    sm_solve_info info;
    double t = sm_clock_s(), cpu = sm_clock_thread_cpu_s();
    *ok = 0;
    if (sm_lp_solve(ls->master, 1, &info) != SM_OK)
        SM_TRY(sm_lp_solve_failed(&info, "the master LP", d));
    if (info.status != SM_SCEN_OPTIMAL) {
        /* Cuts of very different magnitudes (USD against tonnes of
         * violation) can mislead a warm dual simplex: confirm from scratch,
         * rescaled, before believing it. */
        r->master_rescues++;
        ls->rescues++;
        if (sm_lp_solve_rescue(ls->master, &info) != SM_OK)
            SM_TRY(sm_lp_solve_failed(&info, "the master LP (from scratch)", d));
    }
    r->master_seconds += sm_clock_s() - t;
    r->master_cpu_s += sm_clock_thread_cpu_s() - cpu;
    r->master_solves++;
    r->master_iterations += info.iterations;
    if (info.status != SM_SCEN_OPTIMAL) {
        r->stop = info.status == SM_SCEN_INFEASIBLE ? SM_PLAN_INFEASIBLE : SM_PLAN_SOLVER_FAILURE;
        snprintf(r->message, sizeof r->message, "the master LP is %s%s (GLPK code %d%s%s)",
                 sm_scen_status_names[info.status],
                 info.status == SM_SCEN_INFEASIBLE ? ": no portfolio meets the commitment limits"
                                                   : "",
                 info.glpk_code, info.message[0] ? ": " : "", info.message);
        return SM_OK;
    }
    *ok = 1;
    sm_lp_solution(ls->master, ls->sol, NULL);
    ls->predicted = ls->fc - sm_lp_objective(ls->master);
done:
    return st;
}

/* The master solved; pooled cuts its solution violates go back into it,
 * and it is solved again only when one of them would raise its objective
 * at that solution by more than POOL_RESOLVE times the decrease it
 * predicts (else the next iteration's solve has them). */
static sm_status master_solve_pooled(lshaped *ls, sm_plan_result *r, int *ok, sm_diag *d)
{
    sm_status st = SM_OK;
    int back = 1;
    double rise;
    while (back) {
        SM_TRY(master_solve(ls, r, ok, d));
        if (!*ok)
            return SM_OK;
        SM_TRY(sm_lshaped_pool_back(ls, &back, &rise, d));
        if (rise <= POOL_RESOLVE * fmax(ls->predicted, ls->o->gap * fabs(ls->fc)))
            break;
    }
done:
    return st;
}

/* Bound k by the trust region around the centre, or (whole) by 0..k_ub. */
static void set_box(lshaped *ls, int whole)
{
    for (int j = 0; j < ls->nk; j++) {
        double u = ls->s1->ub[j], c = ls->centre[j], w = ls->radius * u;
        ls->lo[j] = whole ? 0.0 : fmax(0.0, c - w);
        ls->hi[j] = whole ? u : fmin(u, c + w);
    }
    sm_lp_set_col_bounds(ls->master, 0, ls->nk, ls->lo, ls->hi);
}

/* The next trial point k^ and the lower bound: the master in the trust
 * region, and unrestricted when the region promises less than the gap. */
static sm_status next_point(lshaped *ls, sm_plan_result *r, int *ok, sm_diag *d)
{
    sm_status st = SM_OK;
    int trust = ls->o->trust_region && ls->has_centre && ls->radius < 1.0;
    if (ls->o->trust_region)
        set_box(ls, !trust);
    SM_TRY(master_solve_pooled(ls, r, ok, d));
    if (!*ok)
        return SM_OK;
    ls->whole = !trust;
    if (!trust)
        r->lb = fmax(r->lb, sm_lp_objective(ls->master));
    SM_TRY(sm_lshaped_drop_old_cuts(ls, d));
    if (trust && ls->predicted <= ls->o->gap * fabs(ls->fc)) {
        set_box(ls, 1);
        SM_TRY(master_solve_pooled(ls, r, ok, d));
        if (!*ok)
            return SM_OK;
        ls->whole = 1;
        r->lb = fmax(r->lb, sm_lp_objective(ls->master));
    }
    /* The simplex may leave a bound missed by its tolerance (-1e-12 t):
     * a commitment is a column bound of every future, so clamp it. */
    for (int j = 0; j < ls->nk; j++)
        ls->k[j] = fmin(fmax(ls->sol[j], 0.0), ls->s1->ub[j]);
done:
    return st;
}

/* After evaluating k^ (cost f, or infeasible): a step that achieved part
 * of the predicted decrease moves the centre there, and widens the region
 * if it went to its edge; three bad steps in a row narrow it. */
static void trust_step(lshaped *ls, int feasible, double f)
{
    if (!ls->o->trust_region)
        return;
    double pd = ls->predicted, edge = 0.0;
    if (feasible && !ls->has_centre) {
        memcpy(ls->centre, ls->k, (size_t)ls->nk * sizeof(double));
        ls->fc = f;
        ls->has_centre = 1;
    } else if (feasible && ls->fc - f >= 1e-4 * pd) {
        for (int j = 0; j < ls->nk; j++)
            if (ls->s1->ub[j] > 0.0)
                edge = fmax(edge, fabs(ls->k[j] - ls->centre[j]) / (ls->radius * ls->s1->ub[j]));
        if (ls->fc - f >= 0.5 * pd && edge >= 0.999)
            ls->radius = fmin(1.0, 2.0 * ls->radius);
        memcpy(ls->centre, ls->k, (size_t)ls->nk * sizeof(double));
        ls->fc = f;
        ls->bad_steps = 0;
    } else if ((!feasible || f > ls->fc) && ++ls->bad_steps >= 3) {
        ls->radius = fmax(0.5 * ls->radius, RADIUS_MIN);
        ls->bad_steps = 0;
    }
}

/* The futures at k^: feasibility cuts where it fails them (*feas of
 * them), else a new incumbent perhaps; then the optimality cuts. *stop
 * when it failed. */
static sm_status cuts_at(lshaped *ls, sm_plan_result *r, int *added, int *feas, int *stop,
                         sm_diag *d)
{
    sm_status st = SM_OK;
    SM_TRY(evaluate(ls, r, d));
    int failed;
    size_t first = 0, bad = count_not_optimal(ls, &first, &failed);
    *added = 0;
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
        SM_TRY(sm_lshaped_add_feasibility_cuts(ls, added, d));
        *feas = *added;
        if (*added == 0) {
            r->stop = SM_PLAN_NEEDS_FEASIBILITY;
            snprintf(r->message, sizeof r->message,
                     "future %zu is infeasible at the master's portfolio but its phase-one LP "
                     "finds no violation to cut (numerical trouble)", first);
            *stop = 1;
            return SM_OK;
        }
    }
    trust_step(ls, !bad, bad ? HUGE_VAL : incumbent(ls, r));
    int opt_added = 0;
    SM_TRY(sm_lshaped_add_cuts(ls, &ls->sol[ls->nk], &opt_added, d));
    *added += opt_added;
done:
    return st;
}

/* One iteration: master, futures at its k^, incumbent, cuts. *stop is set
 * when the plan ends. */
static sm_status iterate(lshaped *ls, sm_plan_result *r, int *stop, sm_diag *d)
{
    sm_status st = SM_OK;
    int ok, added = 0, feas = 0;
    *stop = 1;
    SM_TRY(next_point(ls, r, &ok, d));
    if (!ok)
        return SM_OK;
    int done_now = isfinite(r->ub) && r->ub - r->lb <= ls->o->gap * fmax(fabs(r->ub), 1e-12);
    if (!done_now) {
        SM_TRY(cuts_at(ls, r, &added, &feas, stop, d));
        if (r->stop)
            return SM_OK;
        /* No cut: the master's model is exact at k^, which is then optimal
         * if it minimised the model everywhere. */
        done_now = added == 0 && ls->whole;
    }
    record(ls, r, added, feas);
    if (done_now || r->gap <= ls->o->gap)
        r->stop = SM_PLAN_GAP;
    else if (r->iterations >= ls->o->max_iterations)
        r->stop = SM_PLAN_ITERATION_LIMIT;
    else if (ls->o->time_limit_s > 0 &&
             sm_plan_mpi_any(sm_clock_s() - ls->t0 >= ls->o->time_limit_s))
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
#define LS_CHECKPOINT_VERSION 4

/* The futures' cut-block order (block_order), which a resumed plan
 * cannot recompute: it comes from the first evaluation. */
static sm_status order_save(const lshaped *ls, sm_plan_checkpoint *c, sm_diag *d)
{
    int32_t *o = malloc((ls->n + 1) * sizeof *o);
    if (!o)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    for (size_t p = 0; p < ls->n; p++)
        o[p] = (int32_t)ls->order[p];
    sm_status st = sm_ckpt_add(c, "block_order", 'i', ls->n, o, d);
    free(o);
    return st;
}

static sm_status order_load(lshaped *ls, const sm_plan_checkpoint *c, sm_diag *d)
{
    const int32_t *o;
    uint8_t *seen = calloc(ls->n + 1, 1);
    sm_status st = seen ? sm_ckpt_get(c, "block_order", 'i', ls->n, (const void **)&o, NULL, d)
                        : sm_diag_fail(d, SM_ENOMEM, "out of memory");
    for (size_t p = 0; st == SM_OK && p < ls->n; p++) {
        if (o[p] < 0 || (size_t)o[p] >= ls->n || seen[o[p]]++)
            st = sm_diag_error(d, NULL, 0, 0, "the plan's resume data has a bad block order");
        else
            ls->order[p] = (size_t)o[p];
    }
    free(seen);
    return st;
}

/* The master's settings, the trust region (centre, its cost, radius, bad
 * steps in a row, whether there is a centre, the fixed rows) and each
 * cut's age: all a resumed plan needs to take the same steps. */
static sm_status trust_save(const lshaped *ls, sm_plan_checkpoint *c, sm_diag *d)
{
    sm_status st = SM_OK;
    const sm_plan_opts *o = ls->o;
    double set[4] = {ls->nb, o->trust_region, o->trust_radius, o->drop_age};
    double tr[2] = {ls->fc, ls->radius};
    int32_t ti[3] = {ls->bad_steps, ls->has_centre, ls->n_fixed};
    int cuts = ls->master ? sm_lp_rows(ls->master) - ls->n_fixed : 0;
    SM_TRY(sm_ckpt_add(c, "master_settings", 'd', 4, set, d));
    SM_TRY(sm_ckpt_add(c, "trust_region", 'd', 2, tr, d));
    SM_TRY(sm_ckpt_add(c, "trust_state", 'i', 3, ti, d));
    SM_TRY(sm_ckpt_add(c, "trust_centre", 'd', (size_t)ls->nk, ls->centre, d));
    SM_TRY(sm_ckpt_add(c, "cut_ages", 'i', (size_t)cuts, ls->age, d));
    SM_TRY(sm_lshaped_pool_save(ls, c, d));
    SM_TRY(order_save(ls, c, d));
done:
    return st;
}

static sm_status trust_load(lshaped *ls, const sm_plan_checkpoint *c, sm_diag *d)
{
    sm_status st = SM_OK;
    const sm_plan_opts *o = ls->o;
    const double *set, *tr, *centre;
    const int32_t *ti, *age;
    size_t cuts;
    SM_TRY(sm_ckpt_get(c, "master_settings", 'd', 4, (const void **)&set, NULL, d));
    if (set[0] != ls->nb || set[1] != o->trust_region || set[2] != o->trust_radius ||
        set[3] != o->drop_age)
        SM_TRY(sm_diag_error(d, NULL, 0, 0, "the plan was started with other master settings "
                             "(cut blocks, trust region, cut dropping); resume it with the same"));
    SM_TRY(sm_ckpt_get(c, "trust_region", 'd', 2, (const void **)&tr, NULL, d));
    SM_TRY(sm_ckpt_get(c, "trust_state", 'i', 3, (const void **)&ti, NULL, d));
    SM_TRY(sm_ckpt_get(c, "trust_centre", 'd', (size_t)ls->nk, (const void **)&centre, NULL, d));
    SM_TRY(sm_ckpt_get(c, "cut_ages", 'i', SIZE_MAX, (const void **)&age, &cuts, d));
    ls->fc = tr[0];
    ls->radius = tr[1];
    ls->bad_steps = ti[0];
    ls->has_centre = ti[1];
    ls->n_fixed = ti[2];
    memcpy(ls->centre, centre, (size_t)ls->nk * sizeof *centre);
    SM_TRY(sm_lshaped_ages_room(ls, (int)cuts, d));
    memcpy(ls->age, age, cuts * sizeof *age);
    SM_TRY(sm_lshaped_pool_load(ls, c, d));
    SM_TRY(order_load(ls, c, d));
done:
    return st;
}

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
    /* An ended plan resumes to its result and the futures' bases alone
     * (see resume): small enough for the caller to keep while the
     * measures, which start from those bases, are computed. */
    SM_TRY(sm_evaluator_save(ls->ev, &c, d));
    if (!r->stop) {
        if (ls->master)
            SM_TRY(sm_ckpt_save_master(ls->master, &c, d));
        SM_TRY(trust_save(ls, &c, d));
    }
    SM_TRY(ls->o->checkpoint(ls->o->checkpoint_ctx, &c, d));
done:
    sm_plan_checkpoint_free(&c);
    return st;
}

static int has_bases(const sm_plan_checkpoint *c)
{
    const void *p;
    size_t n;
    sm_diag quiet;
    sm_diag_init(&quiet);
    int has = sm_ckpt_get(c, "future_has_basis", 'b', SIZE_MAX, &p, &n, &quiet) == SM_OK;
    sm_diag_clear(&quiet);
    return has;
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
    /* An ended plan saved before its checkpoint held the bases (session
     * 22) has none: its passes then start from the base case's. */
    if (*go_on || has_bases(c))
        SM_TRY(sm_evaluator_load(ls->ev, c, d));
    if (*go_on) {
        sm_lp_opts mo = sm_lshaped_master_opts(ls->o);
        SM_TRY(sm_ckpt_load_master(c, &mo, &ls->master, d));
        SM_TRY(trust_load(ls, c, d));
    }
done:
    return st;
}

/* An iteration boundary: the stop flag, then the checkpoint. The stop is
 * agreed first (every MPI rank stops at this boundary or none does), so
 * a stop always follows a checkpoint its callback knew to be the last
 * (the flag never clears, so the callback sees it set too). */
static sm_status boundary(lshaped *ls, sm_plan_result *r, int ended, int *stop, sm_diag *d)
{
    sm_status st = SM_OK;
    int stopping = !ended && ls->o->stop_flag && sm_plan_mpi_any(*ls->o->stop_flag);
    const sm_plan_opts *o = ls->o;
    if (o->checkpoint &&
        (ended || stopping || !o->checkpoint_due || o->checkpoint_due(o->checkpoint_ctx)))
        SM_TRY(checkpoint_take(ls, r, d));
    if (stopping) {
        r->stop = SM_PLAN_INTERRUPTED;
        *stop = 1;
    }
done:
    return st;
}

sm_status sm_plan_solve(const sm_futures *F, const sm_stage1 *s1, const sm_plan_opts *o,
                        const sm_basis *base, sm_plan_result *r, sm_diag *d)
{
    return sm_plan_solve_keep(F, s1, o, base, r, NULL, d);
}

sm_status sm_plan_solve_keep(const sm_futures *F, const sm_stage1 *s1, const sm_plan_opts *o,
                             const sm_basis *base, sm_plan_result *r, sm_evaluator **keep,
                             sm_diag *d)
{
    if (keep)
        *keep = NULL;
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
    if (keep) {
        *keep = ls.ev;
        ls.ev = NULL;
    }
done:
    r->seconds = sm_clock_s() - ls.t0;
    lshaped_free(&ls);
    return st;
}
