/* The sweep engine (see engine.h): OpenMP solver threads, a pool of
 * block buffers, and one writer thread that feeds the sink. */
#include "engine.h"

#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/clock.h"
#include "order.h"

void sm_run_opts_init(sm_run_opts *o)
{
    memset(o, 0, sizeof *o);
    o->threads = 1;
    o->full = 1;
    o->block_end = SIZE_MAX;
    sm_lp_opts_init(&o->lp);
}

/* ---- the block pool and the writer thread ------------------------------- */

typedef struct queued {
    size_t first;
    sm_block *b;
} queued;

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t cv_free, cv_queued;
    sm_block **free;
    size_t n_free;
    queued *queue;         /* FIFO of finished blocks */
    size_t q_head, q_len, cap;
    int producers_done;
    int failed;            /* the sink failed: producers stop */
    size_t written, total;
    sm_block_sink sink;
    void *sink_ctx;
    sm_progress_fn progress;
    void *progress_ctx;
    sm_status st;
    sm_diag diag;
} pool;

static sm_block *pool_take_free(pool *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->n_free == 0 && !p->failed)
        pthread_cond_wait(&p->cv_free, &p->mu);
    sm_block *b = p->failed ? NULL : p->free[--p->n_free];
    pthread_mutex_unlock(&p->mu);
    return b;
}

static void pool_queue(pool *p, size_t first, sm_block *b)
{
    pthread_mutex_lock(&p->mu);
    p->queue[(p->q_head + p->q_len) % p->cap] = (queued){first, b};
    p->q_len++;
    pthread_cond_signal(&p->cv_queued);
    pthread_mutex_unlock(&p->mu);
}

static void *writer_main(void *arg)
{
    pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->q_len == 0 && !p->producers_done) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += 1;
            if (pthread_cond_timedwait(&p->cv_queued, &p->mu, &until) != 0 && p->progress) {
                size_t done = p->written;
                pthread_mutex_unlock(&p->mu);
                p->progress(p->progress_ctx, done, p->total);
                pthread_mutex_lock(&p->mu);
            }
        }
        if (p->q_len == 0)
            break;
        queued q = p->queue[p->q_head];
        p->q_head = (p->q_head + 1) % p->cap;
        p->q_len--;
        int skip = p->failed;
        pthread_mutex_unlock(&p->mu);
        sm_status st = skip ? SM_OK : p->sink(p->sink_ctx, q.first, q.b, &p->diag);
        pthread_mutex_lock(&p->mu);
        if (st != SM_OK && !p->failed) {
            p->failed = 1;
            p->st = st;
            pthread_cond_broadcast(&p->cv_free);
        }
        p->written += q.b->count;
        p->free[p->n_free++] = q.b;
        pthread_cond_signal(&p->cv_free);
        if (p->progress && !p->failed) {
            size_t done = p->written;
            pthread_mutex_unlock(&p->mu);
            p->progress(p->progress_ctx, done, p->total);
            pthread_mutex_lock(&p->mu);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* ---- one solver thread -------------------------------------------------- */

typedef struct worker {
    const sm_problem *prob;
    const sm_sweep *sw;
    const sm_run_opts *o;
    const sm_order *order;
    const sm_basis *base_basis;
    sm_lp *lp;
    sm_inputs *in;
    sm_coeffs *c;
    double *x, *y, *values;
    size_t *solve_order;
    sm_order_ws ows;
    sm_run_stats stats;
    sm_diag diag;
    sm_status st;
} worker;

static void worker_free(worker *w)
{
    sm_lp_free(&w->lp);
    sm_inputs_free(&w->in);
    sm_coeffs_free(&w->c);
    free(w->x);
    free(w->y);
    free(w->values);
    free(w->solve_order);
    sm_order_ws_free(&w->ows);
}

static sm_status worker_init(worker *w)
{
    const sm_problem *p = w->prob;
    size_t B = w->sw->block_size;
    w->in = sm_inputs_new(p->model);
    w->c = sm_coeffs_new(p->layout);
    w->x = malloc((size_t)p->layout->n_cols * sizeof *w->x);
    w->y = malloc((size_t)p->layout->n_rows * sizeof *w->y);
    w->values = malloc(((size_t)w->sw->n_params + 1) * sizeof *w->values);
    w->solve_order = malloc(B * sizeof *w->solve_order);
    if (!w->in || !w->c || !w->x || !w->y || !w->values || !w->solve_order ||
        !sm_order_ws_init(&w->ows, w->sw, B))
        return sm_diag_fail(&w->diag, SM_ENOMEM, "out of memory for a solver thread");
    return sm_lp_new(&w->lp, p->model, p->layout, p->base_coeffs, &w->o->lp, &w->diag);
}

/* Back to the state every block starts from: base numbers, base basis. */
static void worker_reset(worker *w)
{
    sm_lp_load(w->lp, w->prob->base_coeffs);
    sm_lp_set_basis(w->lp, w->base_basis);
}

static sm_status solve_block(worker *w, size_t first, size_t count, sm_block *b)
{
    const sm_problem *p = w->prob;
    const sm_run_opts *o = w->o;
    b->count = count;
    sm_order_block(w->order, &w->ows, first, count, w->solve_order);
    worker_reset(w);
    for (size_t k = 0; k < count; k++) {
        if (o->stop && atomic_load_explicit(o->stop, memory_order_relaxed)) {
            /* The rows not reached stay "not solved": NaN, status 0. */
            for (size_t r = k; r < count; r++)
                sm_block_clear_row(b, w->solve_order[r] - first);
            w->stats.interrupted = 1;
            break;
        }
        double t0 = sm_clock_s();
        size_t i = w->solve_order[k], row = i - first;
        sm_scenario_coeffs(p, w->sw, i, w->values, w->in, w->c);
        sm_lp_load(w->lp, w->c);
        sm_solve_info info;
        sm_status st = sm_lp_solve(w->lp, !o->cold, &info);
        if (st == SM_ESOLVER) {
            /* GLPK's environment on this thread is gone: rebuild, and go on
             * from the base basis (as deterministic as the failure). */
            w->stats.lp_rebuilds++;
            sm_lp_free(&w->lp);
            sm_status rebuilt = sm_lp_new(&w->lp, p->model, p->layout, p->base_coeffs, &o->lp,
                                          &w->diag);
            if (rebuilt != SM_OK) {
                for (size_t r = k; r < count; r++)
                    sm_block_clear_row(b, w->solve_order[r] - first);
                return rebuilt;
            }
            sm_lp_set_basis(w->lp, w->base_basis);
        }
        if (info.status == SM_SCEN_OPTIMAL) {
            sm_lp_solution(w->lp, w->x, w->y);
            sm_block_fill_row(b, row, p->model, p->layout, w->in, w->x, w->y);
        } else {
            sm_block_clear_row(b, row);
        }
        sm_block_set_status(b, row, info.status, info.glpk_code, info.iterations, info.seconds);
        memcpy(sm_block_row(b, SM_V_PARAMETERS, row), w->values,
               (size_t)w->sw->n_params * sizeof(double));
        w->stats.scenarios++;
        w->stats.by_status[info.status]++;
        w->stats.iterations += info.iterations;
        w->stats.kept_basis += info.simplex_calls == 0;
        w->stats.solve_s += info.seconds;
        w->stats.busy_s += sm_clock_s() - t0;
    }
    w->stats.blocks++;
    return SM_OK;
}

/* ---- pilot: which random parameters move the optimum most -------------- */

/* |correlation| between each random parameter's quantile and the optimal
 * cost over the first samples at grid point 0: cheap (a few dozen warm
 * solves, single-threaded, fixed scenarios) and deterministic. */
static sm_status rank_influence(const sm_problem *p, const sm_sweep *sw, const sm_basis *base,
                                const sm_lp_opts *lp_opts, double *influence, sm_diag *d)
{
    sm_status st = SM_OK;
    for (int k = 0; k < sw->n_params; k++)
        influence[k] = 0.0;
    int n_random = 0;
    for (int k = 0; k < sw->n_params; k++)
        n_random += sw->params[k].axis == SM_AXIS_RANDOM;
    if (n_random <= 1)
        return SM_OK;
    size_t n = sw->samples < 64 ? sw->samples : 64;
    sm_lp *lp = NULL;
    sm_inputs *in = sm_inputs_new(p->model);
    sm_coeffs *c = sm_coeffs_new(p->layout);
    double *values = malloc((size_t)sw->n_params * sizeof *values);
    double *u = malloc(n * (size_t)n_random * sizeof *u), *obj = malloc(n * sizeof *obj);
    if (!in || !c || !values || !u || !obj)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    SM_TRY(sm_lp_new(&lp, p->model, p->layout, p->base_coeffs, lp_opts, d));
    size_t used = 0;
    for (size_t j = 0; j < n; j++) {
        size_t i = j * sw->grid_size;
        sm_scenario_coeffs(p, sw, i, values, in, c);
        sm_lp_load(lp, c);
        sm_lp_set_basis(lp, base);
        sm_solve_info info;
        SM_TRY(sm_lp_solve(lp, 1, &info));
        if (info.status != SM_SCEN_OPTIMAL)
            continue;
        sm_sweep_uniforms(sw, i, &u[used * (size_t)n_random]);
        obj[used++] = sm_lp_objective(lp);
    }
    for (int k = 0, r = 0; k < sw->n_params; k++) {
        if (sw->params[k].axis != SM_AXIS_RANDOM)
            continue;
        double mu = 0, mo = 0;
        for (size_t s = 0; s < used; s++) {
            mu += u[s * (size_t)n_random + (size_t)r];
            mo += obj[s];
        }
        if (used) {
            mu /= (double)used;
            mo /= (double)used;
        }
        double sxy = 0, sxx = 0, syy = 0;
        for (size_t s = 0; s < used; s++) {
            double a = u[s * (size_t)n_random + (size_t)r] - mu, b2 = obj[s] - mo;
            sxy += a * b2;
            sxx += a * a;
            syy += b2 * b2;
        }
        influence[k] = sxx > 0 && syy > 0 ? fabs(sxy) / sqrt(sxx * syy) : 0.0;
        r++;
    }
done:
    sm_lp_free(&lp);
    sm_inputs_free(&in);
    sm_coeffs_free(&c);
    free(values);
    free(u);
    free(obj);
    return st;
}

/* ---- the run ------------------------------------------------------------ */

sm_status sm_engine_run(const sm_problem *p, const sm_sweep *sw, const sm_run_opts *o,
                       sm_block_sink sink, void *sink_ctx, sm_run_stats *stats, sm_diag *d)
{
    sm_status st = SM_OK;
    memset(stats, 0, sizeof *stats);
    double t_start = sm_clock_s();
    size_t n_blocks = sm_sweep_blocks(sw), B = sw->block_size;
    size_t b0 = o->block_first < n_blocks ? o->block_first : n_blocks;
    size_t b1 = o->block_end < n_blocks ? o->block_end : n_blocks;
    if (b1 > n_blocks)
        b1 = n_blocks;
    int threads = o->threads > 0 ? o->threads : 1;
    stats->threads = threads;

    sm_dims dims = p->dims;
    dims.n[SM_DIM_PARAMETER] = sw->n_params;
    pool pl;
    memset(&pl, 0, sizeof pl);
    sm_diag_init(&pl.diag);
    pthread_mutex_init(&pl.mu, NULL);
    pthread_cond_init(&pl.cv_free, NULL);
    pthread_cond_init(&pl.cv_queued, NULL);
    pl.sink = sink;
    pl.sink_ctx = sink_ctx;
    pl.progress = o->progress;
    pl.progress_ctx = o->progress_ctx;
    /* Each thread holds one block while it solves; two more let the
     * writer work on one while another waits: memory is bounded by
     * threads and block size, never by the number of scenarios. */
    pl.cap = (size_t)threads + 2;
    pl.free = calloc(pl.cap, sizeof *pl.free);
    pl.queue = calloc(pl.cap, sizeof *pl.queue);
    worker *workers = calloc((size_t)threads, sizeof *workers);
    sm_basis *base_basis = NULL;
    double *influence = malloc(((size_t)sw->n_params + 1) * sizeof *influence);
    int writer_started = 0;
    pthread_t writer;
    sm_lp *lp0 = NULL;
    if (!pl.free || !pl.queue || !workers || !influence)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    for (size_t k = 0; k < pl.cap; k++) {
        pl.free[k] = sm_block_new(&dims, B, o->full);
        if (!pl.free[k])
            SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory for result blocks"));
        pl.n_free++;
    }
    for (size_t b = b0; b < b1; b++)
        if (!o->block_done || !o->block_done[b])
            pl.total += sm_sweep_block_len(sw, b);

    /* The basis every block starts from: the base case's optimum, or
     * GLPK's standard basis should GLPK fail on the base case itself (the
     * scenarios then fail or succeed on their own, recorded either way). */
    SM_TRY(sm_lp_new(&lp0, p->model, p->layout, p->base_coeffs, &o->lp, d));
    sm_solve_info info0;
    if (sm_lp_solve(lp0, 0, &info0) == SM_ESOLVER) {
        sm_lp_free(&lp0);
        SM_TRY(sm_lp_new(&lp0, p->model, p->layout, p->base_coeffs, &o->lp, d));
    }
    base_basis = sm_basis_new(p->layout->n_rows, p->layout->n_cols);
    if (!base_basis)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    sm_lp_get_basis(lp0, base_basis);
    sm_lp_free(&lp0);
    if (!o->natural_order && !o->cold) {
        sm_status pilot = rank_influence(p, sw, base_basis, &o->lp, influence, d);
        if (pilot == SM_ESOLVER)
            memset(influence, 0, (size_t)sw->n_params * sizeof *influence); /* file order */
        else
            SM_TRY(pilot);
    }
    sm_lp_thread_end();
    sm_order order;
    sm_order_init(&order, sw, o->natural_order || o->cold ? NULL : influence);
    order.natural = o->natural_order;

    if (pthread_create(&writer, NULL, writer_main, &pl) != 0)
        SM_TRY(sm_diag_fail(d, SM_EINTERNAL, "cannot start the writer thread"));
    writer_started = 1;

    _Atomic size_t next = b0;
#pragma omp parallel num_threads(threads)
    {
        worker *w = &workers[omp_get_thread_num()];
        w->prob = p;
        w->sw = sw;
        w->o = o;
        w->order = &order;
        w->base_basis = base_basis;
        sm_diag_init(&w->diag);
        w->st = worker_init(w);
        while (w->st == SM_OK) {
            if (o->stop && atomic_load_explicit(o->stop, memory_order_relaxed))
                break;
            size_t b;
            if (o->next_block) {
                b = o->next_block(o->next_ctx);
                if (b == SIZE_MAX)
                    break;
            } else {
                b = atomic_fetch_add(&next, 1);
                if (b >= b1)
                    break;
                if (o->block_done && o->block_done[b])
                    continue;
            }
            sm_block *blk = pool_take_free(&pl);
            if (!blk)
                break; /* the sink failed */
            size_t first = b * B, count = sm_sweep_block_len(sw, b);
            w->st = solve_block(w, first, count, blk);
            if (w->st == SM_OK && o->prepare) {
                double t0 = sm_clock_s();
                w->st = o->prepare(o->prepare_ctx, first, blk, &w->diag);
                w->stats.prepare_s += sm_clock_s() - t0;
            }
            pool_queue(&pl, first, blk);
            if (w->stats.interrupted)
                break;
        }
        worker_free(w);
        sm_lp_thread_end();
    }

    pthread_mutex_lock(&pl.mu);
    pl.producers_done = 1;
    pthread_cond_signal(&pl.cv_queued);
    pthread_mutex_unlock(&pl.mu);
    pthread_join(writer, NULL);
    writer_started = 0;

    for (int t = 0; t < threads; t++) {
        worker *w = &workers[t];
        stats->scenarios += w->stats.scenarios;
        for (int s = 0; s < SM_SCEN_N_STATUS; s++)
            stats->by_status[s] += w->stats.by_status[s];
        stats->blocks += w->stats.blocks;
        stats->solve_s += w->stats.solve_s;
        stats->busy_s += w->stats.busy_s;
        stats->prepare_s += w->stats.prepare_s;
        stats->iterations += w->stats.iterations;
        stats->kept_basis += w->stats.kept_basis;
        stats->lp_rebuilds += w->stats.lp_rebuilds;
        stats->interrupted |= w->stats.interrupted;
        if (w->st != SM_OK && st == SM_OK)
            st = w->st;
        sm_diag_take(d, &w->diag);
    }
    if (o->stop && atomic_load(o->stop))
        stats->interrupted = 1;
    sm_diag_take(d, &pl.diag);
    if (pl.failed && st == SM_OK)
        st = pl.st;
done:
    if (writer_started) {
        pthread_mutex_lock(&pl.mu);
        pl.producers_done = 1;
        pthread_cond_signal(&pl.cv_queued);
        pthread_mutex_unlock(&pl.mu);
        pthread_join(writer, NULL);
    }
    sm_lp_free(&lp0);
    sm_basis_free(&base_basis);
    for (size_t k = 0; k < pl.n_free; k++)
        sm_block_free(&pl.free[k]);
    free(pl.free);
    free(pl.queue);
    free(workers);
    free(influence);
    sm_diag_clear(&pl.diag);
    pthread_cond_destroy(&pl.cv_free);
    pthread_cond_destroy(&pl.cv_queued);
    pthread_mutex_destroy(&pl.mu);
    stats->wall_s = sm_clock_s() - t_start;
    return st;
}
