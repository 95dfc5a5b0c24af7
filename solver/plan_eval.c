/* Futures solved at a commitment, in parallel (see plan.h): the second
 * stage of the L-shaped method and the evaluation of a plan. */
#include "plan_cache.h"
#include "plan_checkpoint.h"
#include "plan_mpi.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

struct sm_evaluator {
    const sm_futures *F;
    const sm_stage1 *s1;
    const sm_plan_opts *o;
    const sm_basis *base;
    sm_basis **basis;       /* [n] each future's last basis, NULL before its first solve */
    size_t n;               /* F->n, kept: F may be gone when the evaluator is freed */
    const volatile sig_atomic_t *stop; /* set: skip the futures not yet solved */
    sm_coeff_cache *cache;  /* NULL: every pass recomputes every future's numbers */
    int n_offers;
};

/* What one thread holds while it solves futures. */
typedef struct eval_thread {
    sm_lp *lp;
    sm_lp *phase1;          /* built when a future first turns out infeasible */
    sm_inputs *in;
    sm_coeffs *c;
    double *values, *x, *y, *dj, *kfull;
    sm_diag diag;
    sm_status st;
} eval_thread;

sm_status sm_evaluator_new(const sm_futures *F, const sm_stage1 *s1, const sm_plan_opts *o,
                           const sm_basis *base, sm_evaluator **out, sm_diag *d)
{
    *out = NULL;
    sm_evaluator *ev = calloc(1, sizeof *ev);
    if (!ev || !(ev->basis = calloc(F->n + 1, sizeof *ev->basis))) {
        free(ev);
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    }
    ev->F = F;
    ev->n = F->n;
    ev->s1 = s1;
    ev->o = o;
    ev->base = base;
    ev->n_offers = F->p->model->n_offers;
    *out = ev;
    return SM_OK;
}

void sm_evaluator_stop_on(sm_evaluator *ev, const volatile sig_atomic_t *flag)
{
    ev->stop = flag;
}

void sm_evaluator_keep_coeffs(sm_evaluator *ev, size_t budget)
{
    sm_coeff_cache_free(&ev->cache);
    ev->cache = sm_coeff_cache_new(ev->F->p->base_coeffs, ev->n, budget);
}

size_t sm_evaluator_kept_bytes(const sm_evaluator *ev)
{
    return sm_coeff_cache_bytes(ev->cache);
}

void sm_evaluator_free(sm_evaluator **pev)
{
    sm_evaluator *ev = pev ? *pev : NULL;
    if (!ev)
        return;
    sm_coeff_cache_free(&ev->cache);
    for (size_t s = 0; s < ev->n; s++)
        sm_basis_free(&ev->basis[s]);
    free(ev->basis);
    free(ev);
    *pev = NULL;
}

static void thread_free(eval_thread *t)
{
    sm_lp_free(&t->lp);
    sm_lp_free(&t->phase1);
    sm_inputs_free(&t->in);
    sm_coeffs_free(&t->c);
    free(t->values);
    free(t->x);
    free(t->y);
    free(t->dj);
    free(t->kfull);
}

static sm_status thread_init(const sm_evaluator *ev, eval_thread *t)
{
    const sm_problem *p = ev->F->p;
    const sm_layout *L = p->layout;
    memset(t, 0, sizeof *t);
    sm_diag_init(&t->diag);
    t->in = sm_inputs_new(p->model);
    t->c = sm_coeffs_new(L);
    t->values = malloc(((size_t)ev->F->n_params + 1) * sizeof(double));
    t->x = malloc((size_t)L->n_cols * sizeof(double));
    t->y = malloc((size_t)L->n_rows * sizeof(double));
    t->dj = malloc((size_t)L->n_cols * sizeof(double));
    t->kfull = malloc(((size_t)ev->n_offers * (size_t)L->T + 1) * sizeof(double));
    if (!t->in || !t->c || !t->values || !t->x || !t->y || !t->dj || !t->kfull)
        return sm_diag_fail(&t->diag, SM_ENOMEM, "out of memory");
    return sm_lp_new(&t->lp, p->model, L, p->base_coeffs, &ev->o->lp, &t->diag);
}

/* The slope of Q_s in each k[j]: x's reduced cost where k was the bound
 * that held (k_j <= cap_s), clipped at 0 (a fixed column at 0 may carry a
 * positive one that no bound move can earn), else 0 (MODEL.md Part 2). */
static void slopes(const sm_evaluator *ev, const eval_thread *t, const double *raw_ub,
                   const double *k, double *g)
{
    const sm_stage1 *s1 = ev->s1;
    const sm_layout *L = ev->F->p->layout;
    for (int j = 0; j < s1->nk; j++) {
        int col = sm_col_x(L, s1->offer[j], s1->period[j]);
        g[j] = k[j] <= raw_ub[j] && t->dj[col] < 0.0 ? t->dj[col] : 0.0;
    }
}

/* The phase-one LP: the same rows with an elastic column on every floor
 * row (the only rows a smaller commitment can make unmeetable: shortfall
 * keeps balance rows feasible and caps are met by buying less). */
static sm_status phase1_build(const sm_evaluator *ev, eval_thread *t)
{
    const sm_problem *p = ev->F->p;
    const sm_layout *L = p->layout;
    int *rows = malloc(((size_t)L->n_rows + 1) * sizeof *rows), n = 0;
    if (!rows)
        return sm_diag_fail(&t->diag, SM_ENOMEM, "out of memory");
    for (int i = 0; i < L->n_rows; i++)
        if (L->row_limit[i] >= 0 && p->model->limits[L->row_limit[i]].kind == SM_LIMIT_FLOOR)
            rows[n++] = i;
    sm_status st = sm_lp_new(&t->phase1, p->model, L, p->base_coeffs, &ev->o->lp, &t->diag);
    if (st == SM_OK)
        st = sm_lp_add_elastic(t->phase1, n, rows, &t->diag);
    free(rows);
    return st;
}

/* Future s infeasible at k: w = the least total violation of its floors
 * (into q[s]) and its slopes in k (into g), for a feasibility cut
 * w + g·(k' − k) <= 0 (Birge & Louveaux §5.1). Solved cold, so that the
 * cut does not depend on what the thread solved before. */
static sm_status phase_one(const sm_evaluator *ev, eval_thread *t, const double *raw_ub,
                           const double *k, double *q, double *g)
{
    if (!t->phase1) {
        sm_status st = phase1_build(ev, t);
        if (st != SM_OK)
            return st;
    }
    for (int j = 0; j < t->c->n_cols; j++)
        t->c->obj[j] = 0.0;
    sm_lp_load(t->phase1, t->c);
    sm_solve_info info;
    sm_status st = sm_lp_solve(t->phase1, 0, &info);
    if (st != SM_OK)
        return st;
    if (info.status != SM_SCEN_OPTIMAL)
        return sm_diag_fail(&t->diag, SM_ESOLVER, "the phase-one LP is %s",
                            sm_scen_status_names[info.status]);
    *q = sm_lp_objective(t->phase1);
    sm_lp_reduced_costs(t->phase1, t->dj);
    slopes(ev, t, raw_ub, k, g);
    return SM_OK;
}

/* Future s at commitment k: load, start from its own basis, solve, keep
 * the basis. Returns SM_ESOLVER when the thread's GLPK is gone. */
static sm_status solve_future(sm_evaluator *ev, eval_thread *t, size_t s, const double *k,
                              double *raw_ub, double *q, uint8_t *status, double *g,
                              sm_future_sink sink, void *sink_ctx)
{
    const sm_problem *p = ev->F->p;
    const sm_stage1 *s1 = ev->s1;
    /* A sink reads the future's inputs, which only coeffs fills. */
    if (sink || !sm_coeff_cache_get(ev->cache, s, t->c)) {
        ev->F->coeffs(ev->F->ctx, s, t->values, t->in, t->c);
        sm_coeff_cache_put(ev->cache, s, t->c);
    }
    for (int j = 0; j < s1->nk; j++)
        raw_ub[j] = t->c->col_ub[sm_col_x(p->layout, s1->offer[j], s1->period[j])];
    sm_stage1_expand(s1, ev->n_offers, k, t->kfull);
    sm_commit_bound(p->model, p->layout, t->kfull, t->c);
    sm_lp_load(t->lp, t->c);
    sm_lp_set_basis(t->lp, ev->basis[s] ? ev->basis[s] : ev->base);
    sm_solve_info info;
    sm_status st = sm_lp_solve(t->lp, 1, &info);
    if (st != SM_OK)
        return st;
    status[s] = (uint8_t)info.status;
    q[s] = NAN;
    if (info.status == SM_SCEN_OPTIMAL) {
        q[s] = sm_lp_objective(t->lp);
        if (sink) /* the L-shaped passes need Q_s and slopes only */
            sm_lp_solution(t->lp, t->x, t->y);
        if (g) {
            sm_lp_reduced_costs(t->lp, t->dj);
            slopes(ev, t, raw_ub, k, &g[s * (size_t)s1->nk]);
        }
        if (!ev->basis[s])
            ev->basis[s] = sm_basis_new(sm_lp_rows(t->lp), sm_lp_cols(t->lp));
        if (!ev->basis[s])
            return sm_diag_fail(&t->diag, SM_ENOMEM, "out of memory");
        sm_lp_get_basis(t->lp, ev->basis[s]);
    } else if (g && info.status == SM_SCEN_INFEASIBLE) {
        st = phase_one(ev, t, raw_ub, k, &q[s], &g[s * (size_t)s1->nk]);
        if (st != SM_OK)
            return st;
    } else if (g) {
        memset(&g[s * (size_t)s1->nk], 0, (size_t)s1->nk * sizeof(double));
    }
    if (sink)
        sink(sink_ctx, s, t->in, t->x, t->y, &info);
    return SM_OK;
}

/* Futures [lo, hi) on this rank's threads. */
static sm_status evaluate_range(sm_evaluator *ev, size_t lo, size_t hi, const double *k,
                                double *q, uint8_t *status, double *g, sm_future_sink sink,
                                void *sink_ctx, sm_diag *d)
{
    if (hi <= lo)
        return SM_OK; /* no thread builds an LP for nothing */
    int threads = ev->o->threads > 0 ? ev->o->threads : 1;
    if ((size_t)threads > hi - lo)
        threads = (int)(hi - lo);
    eval_thread *th = calloc((size_t)threads, sizeof *th);
    if (!th)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    long first = (long)lo, n = (long)hi;
#pragma omp parallel num_threads(threads)
    {
        eval_thread *t = &th[omp_get_thread_num()];
        double *raw_ub = malloc(((size_t)ev->s1->nk + 1) * sizeof *raw_ub);
        t->st = thread_init(ev, t);
        if (t->st == SM_OK && !raw_ub)
            t->st = sm_diag_fail(&t->diag, SM_ENOMEM, "out of memory");
#pragma omp for schedule(dynamic, 1)
        for (long s = first; s < n; s++) {
            if (t->st != SM_OK || (ev->stop && *ev->stop))
                continue;
            t->st = solve_future(ev, t, (size_t)s, k, raw_ub, q, status, g, sink, sink_ctx);
            if (t->st == SM_ESOLVER)
                sm_diag_fail(&t->diag, SM_ESOLVER, "GLPK failed on future %ld", s);
        }
        free(raw_ub);
        if (t->st == SM_ESOLVER) {
            sm_lp_forget(&t->lp);
            sm_lp_forget(&t->phase1);
        }
        thread_free(t);
        /* Thread 0 is the caller, whose GLPK environment holds the master. */
        if (omp_get_thread_num() != 0)
            sm_lp_thread_end();
    }
    sm_status st = SM_OK;
    for (int i = 0; i < threads; i++) {
        if (th[i].st != SM_OK && st == SM_OK)
            st = th[i].st;
        sm_diag_take(d, &th[i].diag);
    }
    free(th);
    return st;
}

/* With MPI ranks, each solves its fixed range of the futures and the
 * results are shared. A pass with a sink (the plan file's, or a one-
 * future plan's) runs whole on every rank: the sink's rows stay where
 * they are written, and the pass is one of hundreds. */
sm_status sm_evaluate(sm_evaluator *ev, const double *k, double *q, uint8_t *status, double *g,
                      sm_future_sink sink, void *sink_ctx, sm_diag *d)
{
    size_t lo = 0, hi = ev->F->n;
    int shared = !sink && sm_plan_mpi_ranks() > 1;
    if (shared)
        sm_plan_mpi_range(ev->F->n, &lo, &hi);
    sm_status st = evaluate_range(ev, lo, hi, k, q, status, g, sink, sink_ctx, d);
    if (shared)
        st = sm_plan_mpi_share(ev->F->n, ev->s1->nk, q, status, g, st, d);
    return st;
}

/* With MPI ranks, every rank holds its own futures' bases: has[] and the
 * bytes of all of them, in the order of the futures (ranks hold
 * contiguous ranges, in rank order). Every rank takes part in every
 * checkpoint, so every rank gets them all. */
static sm_status gather_bases(size_t n, uint8_t *has, uint8_t **stat, size_t len, size_t *have,
                              size_t per, sm_diag *d)
{
    uint8_t *all = NULL;
    size_t total = 0;
    sm_status st = sm_plan_mpi_share_bytes(n, 1, has, d);
    if (st == SM_OK)
        st = sm_plan_mpi_concat(*stat, len, &all, &total, d);
    if (st != SM_OK)
        return st;
    free(*stat);
    *stat = all;
    *have = per ? total / per : 0;
    return SM_OK;
}

/* Each basis as one byte per row and column (GLPK's statuses are 1..5):
 * (layout rows + columns) bytes per future that has one. */
sm_status sm_evaluator_save(const sm_evaluator *ev, sm_plan_checkpoint *c, sm_diag *d)
{
    const sm_layout *L = ev->F->p->layout;
    size_t per = (size_t)L->n_rows + (size_t)L->n_cols, have = 0, lo = 0, hi = ev->n;
    /* With MPI ranks, only this rank's range: a rank may also hold other
     * futures' bases, loaded from the checkpoint it resumed from and
     * stale since (their owners went on solving them). */
    if (sm_plan_mpi_ranks() > 1)
        sm_plan_mpi_range(ev->n, &lo, &hi);
    uint8_t *has = calloc(ev->n + 1, 1);
    for (size_t s = lo; s < hi; s++)
        have += ev->basis[s] != NULL;
    uint8_t *stat = malloc(have * per + 1), *p = stat;
    sm_status st = has && stat ? SM_OK : sm_diag_fail(d, SM_ENOMEM, "out of memory");
    for (size_t s = lo; st == SM_OK && s < hi; s++) {
        const sm_basis *b = ev->basis[s];
        has[s] = b != NULL;
        for (int i = 1; b && i <= b->n_rows; i++)
            *p++ = (uint8_t)b->row_stat[i];
        for (int j = 1; b && j <= b->n_cols; j++)
            *p++ = (uint8_t)b->col_stat[j];
    }
    if (st == SM_OK && sm_plan_mpi_ranks() > 1)
        st = gather_bases(ev->n, has, &stat, (size_t)(p - stat), &have, per, d);
    if (st == SM_OK)
        st = sm_ckpt_add(c, "future_has_basis", 'b', ev->n, has, d);
    if (st == SM_OK)
        st = sm_ckpt_add(c, "future_basis", 'b', have * per, stat, d);
    free(has);
    free(stat);
    return st;
}

sm_status sm_evaluator_load(sm_evaluator *ev, const sm_plan_checkpoint *c, sm_diag *d)
{
    const sm_layout *L = ev->F->p->layout;
    size_t per = (size_t)L->n_rows + (size_t)L->n_cols, have = 0;
    const uint8_t *has, *p;
    sm_status st = sm_ckpt_get(c, "future_has_basis", 'b', ev->n, (const void **)&has, NULL, d);
    for (size_t s = 0; st == SM_OK && s < ev->n; s++)
        have += has[s] != 0;
    if (st == SM_OK)
        st = sm_ckpt_get(c, "future_basis", 'b', have * per, (const void **)&p, NULL, d);
    for (size_t s = 0; st == SM_OK && s < ev->n; s++) {
        sm_basis_free(&ev->basis[s]);
        if (!has[s])
            continue;
        sm_basis *b = ev->basis[s] = sm_basis_new(L->n_rows, L->n_cols);
        if (!b)
            return sm_diag_fail(d, SM_ENOMEM, "out of memory");
        for (int i = 1; i <= b->n_rows; i++)
            b->row_stat[i] = *p++;
        for (int j = 1; j <= b->n_cols; j++)
            b->col_stat[j] = *p++;
    }
    return st;
}

sm_status sm_evaluator_share_bases(sm_evaluator *ev, sm_diag *d)
{
    if (sm_plan_mpi_ranks() <= 1)
        return SM_OK;
    sm_plan_checkpoint c = {0, NULL};
    sm_status st = sm_evaluator_save(ev, &c, d);
    if (st == SM_OK)
        st = sm_evaluator_load(ev, &c, d);
    sm_plan_checkpoint_free(&c);
    return st;
}
