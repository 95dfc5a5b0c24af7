/* The sweep engine (see engine.h): OpenMP solver threads, a pool of
 * block buffers, and one writer thread that feeds the sink. */
#include "engine.h"
#include "explain.h"
#include "ranging.h"

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
    /* Sweeps re-solve from the last scenario's basis, where long-step took
     * 36-50 % fewer iterations than Harris (bench/README.md); a fatal error
     * of GLPK's long-step test falls back to Harris (harris_fallback). */
    o->lp.warm_ratio = SM_RATIO_FLIP;
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
    sm_status (*open)(void *ctx, sm_diag *d);
    void *open_ctx;
    sm_progress_fn progress;
    void *progress_ctx;
    sm_status st;
    sm_diag diag;
    /* the trace (o->trace): the writer's seconds in the sink, waiting for
     * a block, and its CPU; the run's start; when o->open was done */
    double sink_s, idle_s, cpu_s, t0, open_s;
} pool;

static sm_block *pool_take_free(pool *p, double *wait_s)
{
    double t0 = sm_clock_s();
    pthread_mutex_lock(&p->mu);
    while (p->n_free == 0 && !p->failed)
        pthread_cond_wait(&p->cv_free, &p->mu);
    sm_block *b = p->failed ? NULL : p->free[--p->n_free];
    pthread_mutex_unlock(&p->mu);
    *wait_s += sm_clock_s() - t0;
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

/* The failure of the sink (or of o->open): producers stop. Under p->mu. */
static void pool_fail(pool *p, sm_status st)
{
    if (st != SM_OK && !p->failed) {
        p->failed = 1;
        p->st = st;
        pthread_cond_broadcast(&p->cv_free);
    }
}

static void *writer_main(void *arg)
{
    pool *p = arg;
    if (p->open) {
        sm_status st = p->open(p->open_ctx, &p->diag);
        p->open_s = sm_clock_s() - p->t0;
        pthread_mutex_lock(&p->mu);
        pool_fail(p, st);
        pthread_mutex_unlock(&p->mu);
    }
    pthread_mutex_lock(&p->mu);
    for (;;) {
        double t_wait = sm_clock_s();
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
        double t_sink = sm_clock_s();
        p->idle_s += t_sink - t_wait;
        sm_status st = skip ? SM_OK : p->sink(p->sink_ctx, q.first, q.b, &p->diag);
        p->sink_s += sm_clock_s() - t_sink;
        pthread_mutex_lock(&p->mu);
        pool_fail(p, st);
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
    p->cpu_s = sm_clock_thread_cpu_s();
    return NULL;
}

/* ---- one solver thread -------------------------------------------------- */

typedef struct pilot pilot;
static const sm_basis *pilot_basis(const pilot *pt, const sm_sweep *sw, size_t i, size_t *j);
static void pilot_effort(const pilot *pt, size_t j, sm_solve_info *info);

typedef struct worker {
    const sm_problem *prob;
    const sm_sweep *sw;
    const sm_run_opts *o;
    const sm_order *order;
    const sm_basis *base_basis;
    const pilot *pilot;      /* the pilot's optimal bases, where its scenarios start */
    sm_lp *lp;
    sm_explainer *explain;   /* the elastic LP, built at the first infeasible scenario */
    sm_ranger *ranger;       /* run --ranging's scratch, built at the first optimum */
    sm_inputs *in;
    sm_coeffs *c;            /* the last scenario's numbers, patched to the next's */
    sm_scenario_patch *patch;
    sm_row_memo *memo;       /* the offers' costs of the rows filled, for the next */
    void *prepare_state;     /* o->prepare's, kept between this thread's blocks */
    double *x, *y, *values;
    unsigned long gen[2];    /* which solution x and y hold (sm_lp_solution_moved) */
    size_t *solve_order;
    ptrdiff_t *start_from;   /* per position in solve order: whose basis it starts from */
    ptrdiff_t *slot;         /* per position: where its basis is kept for later starts, or -1 */
    ptrdiff_t *last_start;   /* per position: the last position starting from it, or -1 */
    ptrdiff_t *free_slots;
    sm_basis **bank;         /* the slots, allocated at first use (plan_starts) */
    sm_order_ws ows;
    /* the trace: seconds building the problem, waiting for a free block,
     * finished (since the run's start), and its CPU in the engine */
    double init_s, wait_s, end_s, cpu_s;
    size_t pilot_n;           /* the trace: the pilot's solves on this thread, their CPU, */
    double pilot_cpu, setup_cpu; /* and the thread's CPU in the engine when the set-up was over */
    double cpu0;              /* the thread's CPU when it entered the engine */
    sm_run_stats stats;
    sm_diag diag;
    sm_status st;
} worker;

static void worker_free(worker *w)
{
    sm_lp_free(&w->lp);
    sm_explainer_free(&w->explain);
    sm_ranger_free(&w->ranger);
    sm_inputs_free(&w->in);
    sm_coeffs_free(&w->c);
    sm_scenario_patch_free(&w->patch);
    sm_row_memo_free(&w->memo);
    free(w->x);
    free(w->y);
    free(w->values);
    free(w->solve_order);
    free(w->start_from);
    free(w->slot);
    free(w->last_start);
    free(w->free_slots);
    for (size_t k = 0; w->bank && k < w->sw->block_size; k++)
        sm_basis_free(&w->bank[k]);
    free(w->bank);
    sm_order_ws_free(&w->ows);
    if (w->prepare_state && w->o->prepare_free)
        w->o->prepare_free(w->prepare_state);
    w->prepare_state = NULL;
}

static sm_status worker_init(worker *w)
{
    const sm_problem *p = w->prob;
    size_t B = w->sw->block_size;
    w->in = sm_inputs_new(p->model);
    w->c = sm_coeffs_new(p->layout);
    w->patch = sm_scenario_patch_new(p);
    w->memo = sm_row_memo_new(p->model, p->layout);
    w->x = malloc((size_t)p->layout->n_cols * sizeof *w->x);
    w->y = malloc((size_t)p->layout->n_rows * sizeof *w->y);
    w->values = malloc(((size_t)w->sw->n_params + 1) * sizeof *w->values);
    w->solve_order = malloc(B * sizeof *w->solve_order);
    w->start_from = malloc(B * sizeof *w->start_from);
    w->slot = malloc(B * sizeof *w->slot);
    w->last_start = malloc(B * sizeof *w->last_start);
    w->free_slots = malloc(B * sizeof *w->free_slots);
    w->bank = calloc(B, sizeof *w->bank);
    if (!w->in || !w->c || !w->patch || !w->memo || !w->x || !w->y || !w->values ||
        !w->solve_order || !w->start_from || !w->slot || !w->last_start || !w->free_slots ||
        !w->bank || !sm_order_ws_init(&w->ows, w->sw, B))
        return sm_diag_fail(&w->diag, SM_ENOMEM, "out of memory for a solver thread");
    return sm_lp_new(&w->lp, p->model, p->layout, p->base_coeffs, &w->o->lp, &w->diag);
}

/* Back to the state every block starts from: base numbers, base basis. */
static void worker_reset(worker *w)
{
    sm_lp_load(w->lp, w->prob->base_coeffs);
    sm_lp_set_basis(w->lp, w->base_basis);
    sm_scenario_patch_forget(w->patch);
}

/* After a GLPK fatal error the thread's environment is gone: forget both
 * problems (freeing them would call into it) and build the scenario LP
 * anew, at the base basis with the base case's numbers. */
static sm_status relive_lp(worker *w)
{
    const sm_problem *p = w->prob;
    sm_scenario_patch_forget(w->patch); /* the new problem holds the base numbers */
    sm_explainer_forget(&w->explain);
    sm_lp_forget(&w->lp);
    sm_status st = sm_lp_new(&w->lp, p->model, p->layout, p->base_coeffs, &w->o->lp, &w->diag);
    w->gen[0] = w->gen[1] = 0; /* a new problem counts its solutions anew */
    if (st == SM_OK)
        sm_lp_set_basis(w->lp, w->base_basis);
    return st;
}

/* relive_lp, counted in the run's statistics (a fatal error in a
 * scenario's solve, its elastic LP or its ranging). */
static sm_status rebuild_after_fatal(worker *w)
{
    w->stats.lp_rebuilds++;
    return relive_lp(w);
}

/* Whether a solve of this run that stopped on a GLPK fatal error was a
 * warm long-step one, which Harris may solve (GLPK 5.0's long-step test
 * can fail its assertion teta_lim >= 0.0 where Harris goes on). */
static int long_step_failed(const worker *w)
{
    const sm_lp_opts *lo = &w->o->lp;
    return !w->o->cold && lo->warm_ratio == SM_RATIO_FLIP && lo->engine == SM_LP_GLPK;
}

/* After a long-step solve's fatal error: a new problem (base numbers,
 * base basis), the caller's numbers loaded by load(w, arg), and a warm
 * solve with Harris, so the result depends only on the block (the base
 * basis and the scenario's numbers), not on where the long-step solve
 * stopped; long-step again from the next solve on. A second fatal error
 * is the caller's failure, the problem rebuilt once more. */
static sm_status harris_fallback(worker *w, void (*load)(worker *w, size_t arg), size_t arg,
                                 sm_solve_info *info)
{
    double failed_s = info->seconds;
    sm_status st = relive_lp(w);
    if (st != SM_OK)
        return st;
    w->stats.ratio_fallbacks++;
    load(w, arg);
    sm_lp_set_warm_ratio(w->lp, SM_RATIO_HARRIS);
    st = sm_lp_solve(w->lp, 1, info);
    info->seconds += failed_s;
    if (st == SM_ESOLVER)
        return rebuild_after_fatal(w);
    sm_lp_set_warm_ratio(w->lp, SM_RATIO_FLIP);
    return SM_OK;
}

/* An infeasible scenario's least relaxation into row of b. A GLPK failure
 * on the elastic LP leaves the row's relaxation NaN (the scenario is still
 * recorded as infeasible) and rebuilds both problems of the thread. */
static sm_status explain_row(worker *w, sm_block *b, size_t row)
{
    const sm_problem *p = w->prob;
    if (!w->explain)
        w->explain = sm_explainer_new(p->model, p->layout, &w->o->lp);
    if (!w->explain)
        return sm_diag_fail(&w->diag, SM_ENOMEM, "out of memory for the elastic LP");
    sm_solve_info info;
    sm_diag d;
    sm_diag_init(&d);
    sm_status st = sm_explain(w->explain, w->in, w->c, sm_block_row(b, SM_V_RELAX_LIMIT, row),
                              sm_block_row(b, SM_V_RELAX_STOCK, row), &info, &d);
    if (st == SM_ESOLVER) {
        sm_diag_clear(&d);
        return rebuild_after_fatal(w);
    }
    sm_diag_take(&w->diag, &d);
    return st;
}

/* Tests: whether scenario i's long-step solve is to stop on a fatal error. */
static int injected(const sm_run_opts *o, size_t i)
{
    for (size_t k = 0; k < o->n_test_fatal; k++)
        if (o->test_fatal[k] == i)
            return 1;
    return 0;
}

static sm_status ranging_once(worker *w, sm_block *b, size_t row, sm_diag *d)
{
    return sm_ranging_limits(w->ranger, w->lp, w->in, w->c, sm_block_row(b, SM_V_SAVING_UP, row),
                             sm_block_row(b, SM_V_SAVING_DOWN, row),
                             sm_block_row(b, SM_V_SHARE_LOW, row),
                             sm_block_row(b, SM_V_SHARE_HIGH, row), d);
}

static void load_scenario(worker *w, size_t i);

static void ranging_nan(worker *w, sm_block *b, size_t row)
{
    for (int v = SM_V_SAVING_UP; v <= SM_V_SHARE_HIGH; v++)
        for (int k = 0; k < w->prob->model->n_limits; k++)
            ((double *)sm_block_row(b, (sm_var)v, row))[k] = NAN;
}

/* After a fatal error in the ranging's long-step re-solves: scenario i
 * solved again with Harris from the base basis (harris_fallback) and,
 * when optimal, ranged with Harris; NaN where GLPK fails again. */
static sm_status range_with_harris(worker *w, sm_block *b, size_t i, size_t row, sm_diag *d)
{
    sm_solve_info info;
    memset(&info, 0, sizeof info);
    sm_status st = harris_fallback(w, load_scenario, i, &info);
    if (st != SM_OK || info.status != SM_SCEN_OPTIMAL) {
        ranging_nan(w, b, row);
        return st;
    }
    sm_lp_set_warm_ratio(w->lp, SM_RATIO_HARRIS);
    st = ranging_once(w, b, row, d);
    if (st == SM_ESOLVER) {
        sm_diag_clear(d);
        ranging_nan(w, b, row);
        return rebuild_after_fatal(w);
    }
    sm_lp_set_warm_ratio(w->lp, SM_RATIO_FLIP);
    return st;
}

/* run --ranging: row's (scenario i's) directional savings and share
 * ranges. A GLPK failure leaves them NaN and rebuilds the thread's
 * problem; a long-step one is first tried again with Harris. */
static sm_status range_row(worker *w, sm_block *b, size_t i, size_t row)
{
    const sm_problem *p = w->prob;
    if (!w->ranger && !(w->ranger = sm_ranger_new(p->model, p->layout)))
        return sm_diag_fail(&w->diag, SM_ENOMEM, "out of memory for ranging");
    sm_diag d;
    sm_diag_init(&d);
    if (w->o->test_fatal_ranging && injected(w->o, i))
        sm_lp_test_fatal_next(w->lp);
    sm_status st = ranging_once(w, b, row, &d);
    if (st == SM_ESOLVER) {
        sm_diag_clear(&d);
        if (long_step_failed(w))
            st = range_with_harris(w, b, i, row, &d);
        else {
            ranging_nan(w, b, row);
            return rebuild_after_fatal(w);
        }
    }
    sm_diag_take(&w->diag, &d);
    return st;
}

/* Scenario i's numbers into the thread's problem: patched from the last
 * scenario's, and only what moved is compared with what the problem holds
 * (run --ranging loads other numbers in between: there, everything). */
static void load_scenario(worker *w, size_t i)
{
    int nc, nr;
    const int *cols, *rows;
    /* The uniform numbers the block's order drew: not drawn again. */
    const double *u = sm_order_uniforms(&w->ows, w->sw, i);
    sm_scenario_coeffs_patch(w->prob, w->patch, w->sw, i, u, w->values, w->in, w->c);
    if (!w->o->ranging && sm_scenario_patch_moved(w->patch, &nc, &cols, &nr, &rows))
        sm_lp_load_moved(w->lp, w->c, nc, cols, nr, rows);
    else
        sm_lp_load(w->lp, w->c);
    sm_scenario_patch_memo(w->patch, w->prob, w->memo);
}

/* An optimal scenario's row: only the values that may have moved since
 * the last row are read back, and what depends on unmoved primal values
 * alone is copied from that row (run --ranging solves other problems in
 * between: there, all). */
static void fill_row(worker *w, sm_block *b, size_t row)
{
    const sm_problem *p = w->prob;
    if (w->o->ranging)
        w->gen[0] = w->gen[1] = 0;
    if (!sm_lp_solution_moved(w->lp, w->x, w->y, w->o->full ? 0 : p->layout->lim0, w->gen))
        sm_row_memo_same_x(w->memo); /* the row last filled has these tonnes */
    sm_block_fill_row_memo(b, row, p->model, p->layout, w->in, w->x, w->y, w->memo);
}

/* Which earlier scenarios of the block later ones start from, and where
 * their bases are kept: a slot each, taken again once the last start
 * from it is made, so a block needs only as many as are wanted at once
 * (monte_carlo's blocks of 512: at most 58), allocated at first use.
 * With CLP each scenario starts from the one before (no tree of starts:
 * order_for_run): its warm dual() keeps its factorization and work arrays
 * between solves, and a basis set from outside throws them away
 * (monte_carlo along a tree: 7.5 iterations a future instead of 9.0, but
 * 0.76 s of CPU instead of 0.62; bench/README.md, "Session 28"). Cold
 * solves start from no basis at all. */
static sm_status plan_starts(worker *w, size_t count)
{
    sm_order_starts(&w->ows, count, w->start_from);
    for (size_t k = 0; k < count; k++)
        w->last_start[k] = -1;
    for (size_t k = 1; k < count; k++) {
        ptrdiff_t j = w->start_from[k];
        if (j >= 0 && j != (ptrdiff_t)k - 1)
            w->last_start[j] = (ptrdiff_t)k;
    }
    size_t n_free = 0, n_slots = 0;
    for (size_t k = 0; k < count; k++) {
        ptrdiff_t j = w->start_from[k];
        /* Its basis is in the problem once k starts: the slot is free. */
        if (j >= 0 && w->last_start[j] == (ptrdiff_t)k)
            w->free_slots[n_free++] = w->slot[j];
        w->slot[k] = -1;
        if (w->last_start[k] < 0)
            continue;
        w->slot[k] = n_free ? w->free_slots[--n_free] : (ptrdiff_t)n_slots++;
        sm_basis **b = &w->bank[w->slot[k]];
        if (!*b && !(*b = sm_basis_new(sm_lp_rows(w->lp), sm_lp_cols(w->lp))))
            return sm_diag_fail(&w->diag, SM_ENOMEM, "out of memory for a solver thread's bases");
    }
    return SM_OK;
}

/* The rows of the block's scenarios from solve position k on stay "not
 * solved": NaN, status 0. */
static void clear_unsolved(const worker *w, sm_block *b, size_t first, size_t k, size_t count)
{
    for (size_t r = k; r < count; r++)
        sm_block_clear_row(b, w->solve_order[r] - first);
}

/* How a block's next solve starts: a warm solve first asks whether the
 * basis is still optimal (SM_LP_WARM), unless the block has solved at
 * least SM_DIRECT_AFTER scenarios and fewer than one in SM_DIRECT_RATE of
 * them needed no pivot; then it goes straight to the simplex
 * (SM_LP_DIRECT), which still counts the scenarios that need none. Counted
 * from the block's start, so the choice, like every start, depends on the
 * block alone. Instructions of `supplymix run -j 1` (callgrind):
 * monte_carlo -4.6 %, news -5.0 %, quick -3.1 %, china_grid (80 % need no
 * simplex) +0.02 % (bench/README.md, session 28). */
#define SM_DIRECT_AFTER 8
#define SM_DIRECT_RATE 4

static int solve_start(const sm_run_opts *o, size_t solved, size_t unpivoted)
{
    if (o->cold)
        return SM_LP_COLD;
    int direct = solved >= SM_DIRECT_AFTER && unpivoted * SM_DIRECT_RATE < solved;
    return direct ? SM_LP_DIRECT : SM_LP_WARM;
}

/* The basis solve position k (scenario i) starts from: the pilot's
 * optimal one for i (returns 1, *pj its pilot solve), else an earlier
 * position's from the bank, else the last one's, which the problem holds. */
static int start_basis(worker *w, size_t k, size_t i, size_t *pj)
{
    const sm_basis *piloted = pilot_basis(w->pilot, w->sw, i, pj);
    ptrdiff_t from = w->start_from[k];
    if (piloted) {
        sm_lp_set_basis(w->lp, piloted);
        w->stats.pilot_starts++;
        return 1;
    }
    if (from >= 0 && from != (ptrdiff_t)k - 1) {
        sm_lp_set_basis(w->lp, w->bank[w->slot[from]]);
        w->stats.earlier_starts++;
    }
    return 0;
}

static sm_status solve_block(worker *w, size_t first, size_t count, sm_block *b)
{
    const sm_run_opts *o = w->o;
    b->count = count;
    sm_order_block(w->order, &w->ows, first, count, w->solve_order);
    sm_status pst = plan_starts(w, count);
    if (pst != SM_OK) {
        clear_unsolved(w, b, first, 0, count);
        return pst;
    }
    worker_reset(w);
    size_t unpivoted = 0; /* the block's solves that needed no pivot */
    for (size_t k = 0; k < count; k++) {
        if (o->stop && atomic_load_explicit(o->stop, memory_order_relaxed)) {
            clear_unsolved(w, b, first, k, count);
            w->stats.interrupted = 1;
            break;
        }
        double t0 = sm_clock_s();
        size_t i = w->solve_order[k], row = i - first;
        size_t pj = 0;
        int piloted = start_basis(w, k, i, &pj);
        load_scenario(w, i);
        sm_solve_info info;
        if (o->test_fatal && !o->test_fatal_ranging && injected(o, i))
            sm_lp_test_fatal_next(w->lp);
        int how = piloted ? SM_LP_WARM : solve_start(o, k, unpivoted);
        w->stats.direct_starts += how == SM_LP_DIRECT;
        sm_status st = sm_lp_solve(w->lp, how, &info);
        if (st == SM_ESOLVER) {
            /* GLPK's environment on this thread is gone: rebuild, and go on
             * from the base basis (as deterministic as the failure); a
             * long-step solve is first tried again with Harris. */
            sm_status rebuilt = long_step_failed(w) ? harris_fallback(w, load_scenario, i, &info)
                                                    : rebuild_after_fatal(w);
            if (rebuilt != SM_OK) {
                clear_unsolved(w, b, first, k, count);
                return rebuilt;
            }
        }
        unpivoted += info.iterations == 0;
        w->stats.solve_s += info.seconds; /* this loop's, as busy_s below */
        if (piloted && st != SM_ESOLVER)
            pilot_effort(w->pilot, pj, &info);
        if (w->slot[k] >= 0) /* as the solve left it, whatever its status */
            sm_lp_get_basis(w->lp, w->bank[w->slot[k]]);
        if (info.status == SM_SCEN_OPTIMAL) {
            /* Summaries keep no balance-row duals (the marginal costs), and
             * those rows come first in the layout: read the limits' only. */
            fill_row(w, b, row);
            sm_status rst = o->ranging ? range_row(w, b, i, row) : SM_OK;
            if (rst != SM_OK) {
                clear_unsolved(w, b, first, k + 1, count);
                return rst;
            }
        } else {
            sm_block_clear_row(b, row);
            sm_status est = info.status == SM_SCEN_INFEASIBLE ? explain_row(w, b, row) : SM_OK;
            if (est != SM_OK) {
                clear_unsolved(w, b, first, k, count);
                return est;
            }
        }
        sm_block_set_status(b, row, info.status, info.glpk_code, info.iterations, info.seconds);
        memcpy(sm_block_row(b, SM_V_PARAMETERS, row), w->values,
               (size_t)w->sw->n_params * sizeof(double));
        w->stats.scenarios++;
        w->stats.by_status[info.status]++;
        w->stats.iterations += info.iterations;
        w->stats.kept_basis += info.simplex_calls == 0;
        w->stats.duals_only += info.duals_only;
        w->stats.busy_s += sm_clock_s() - t0;
    }
    w->stats.blocks++;
    return SM_OK;
}

/* ---- pilot: which random parameters move the optimum most -------------- */

/* |correlation| between each random parameter's quantile and the optimal
 * cost over the first samples at grid point 0: cheap (a few dozen warm
 * solves, fixed scenarios) and deterministic. Each solve starts from the
 * base basis, so the solves do not depend on one another and the solver
 * threads share them out; the correlation is then summed in sample order,
 * so the ranking is the same for any thread count. */
struct pilot {
    size_t n;               /* solves (0: no ranking to do) */
    _Atomic size_t next;
    double *obj;            /* per solve: the optimal cost, NaN when not optimal */
    atomic_int failed;      /* a solver failure: no ranking, file order */
    /* Per solve: the optimal basis found (NULL: none), and the solve's
     * iterations and seconds. Its scenario starts from that basis in its
     * block and needs no pivot there, rather than being solved a second
     * time (10x model: 64 of 400 futures). A solve from a set basis does
     * not depend on what the problem solved before (GLPK keeps nothing
     * from it; CLP's problem is renewed, sm_clp_set_basis), so this basis
     * is the same on any thread. */
    sm_basis **basis;
    int *iterations;
    double *seconds;
};

static int random_params(const sm_sweep *sw)
{
    int n_random = 0;
    for (int k = 0; k < sw->n_params; k++)
        n_random += sw->params[k].axis == SM_AXIS_RANDOM;
    return n_random;
}

static sm_status pilot_init(pilot *pt, const sm_sweep *sw, const sm_run_opts *o, sm_diag *d)
{
    memset(pt, 0, sizeof *pt);
    if (o->natural_order || o->cold || random_params(sw) <= 1)
        return SM_OK;
    pt->n = sw->samples < 64 ? sw->samples : 64;
    if (!(pt->obj = malloc(pt->n * sizeof *pt->obj)))
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    if (o->resolve_pilot)
        return SM_OK;
    pt->basis = calloc(pt->n, sizeof *pt->basis);
    pt->iterations = calloc(pt->n, sizeof *pt->iterations);
    pt->seconds = calloc(pt->n, sizeof *pt->seconds);
    if (!pt->basis || !pt->iterations || !pt->seconds)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    return SM_OK;
}

static void pilot_free(pilot *pt)
{
    for (size_t j = 0; pt->basis && j < pt->n; j++)
        sm_basis_free(&pt->basis[j]);
    free(pt->basis);
    free(pt->iterations);
    free(pt->seconds);
    free(pt->obj);
}

/* The optimal basis the pilot found for scenario i, if it solved it (it
 * solves the first samples at grid point 0) and no pilot solve failed:
 * which ones did would depend on the schedule. */
static const sm_basis *pilot_basis(const pilot *pt, const sm_sweep *sw, size_t i, size_t *j)
{
    if (!pt || !pt->basis || i % sw->grid_size != 0 || atomic_load(&pt->failed))
        return NULL;
    *j = i / sw->grid_size;
    return *j < pt->n ? pt->basis[*j] : NULL;
}

/* A scenario started from the pilot's basis for it (pilot_basis): the
 * pivots and time that found that basis are its own too. */
static void pilot_effort(const pilot *pt, size_t j, sm_solve_info *info)
{
    info->iterations += pt->iterations[j];
    info->seconds += pt->seconds[j];
}

/* The pilot's solve again after a rebuild: w->c holds its numbers. */
static void load_coeffs(worker *w, size_t unused)
{
    (void)unused;
    sm_lp_load(w->lp, w->c);
}

/* This thread's share of the pilot's solves, on its own problem. */
static sm_status pilot_solve(worker *w, pilot *pt)
{
    for (;;) {
        size_t j = atomic_fetch_add(&pt->next, 1);
        if (j >= pt->n || atomic_load(&pt->failed))
            return SM_OK;
        sm_scenario_coeffs(w->prob, w->sw, j * w->sw->grid_size, w->values, w->in, w->c);
        sm_lp_load(w->lp, w->c);
        sm_lp_set_basis(w->lp, w->base_basis);
        sm_solve_info info;
        if (sm_lp_solve(w->lp, 1, &info) == SM_ESOLVER) {
            if (!long_step_failed(w)) {
                atomic_store(&pt->failed, 1);
                return relive_lp(w);
            }
            sm_status st = harris_fallback(w, load_coeffs, 0, &info);
            if (st != SM_OK || info.glpk_code == -1) { /* Harris failed too */
                atomic_store(&pt->failed, 1);
                return st;
            }
        }
        w->pilot_n++;
        pt->obj[j] = info.status == SM_SCEN_OPTIMAL ? sm_lp_objective(w->lp) : NAN;
        if (pt->basis && info.status == SM_SCEN_OPTIMAL) {
            if (!(pt->basis[j] = sm_basis_new(sm_lp_rows(w->lp), sm_lp_cols(w->lp)))) {
                atomic_store(&pt->failed, 1);
                return sm_diag_fail(&w->diag, SM_ENOMEM, "out of memory for the pilot's bases");
            }
            sm_lp_get_basis(w->lp, pt->basis[j]);
            pt->iterations[j] = info.iterations;
            pt->seconds[j] = info.seconds;
        }
    }
}

/* The ranking from the pilot's costs, into influence (zeros: none). */
static sm_status pilot_influence(const pilot *pt, const sm_sweep *sw, double *influence,
                                 sm_diag *d)
{
    int n_random = random_params(sw);
    if (pt->n == 0 || atomic_load(&pt->failed))
        return SM_OK;
    double *u = malloc(pt->n * (size_t)n_random * sizeof *u), *obj = malloc(pt->n * sizeof *obj);
    if (!u || !obj) {
        free(u);
        free(obj);
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    }
    size_t used = 0;
    for (size_t j = 0; j < pt->n; j++) {
        if (isnan(pt->obj[j]))
            continue;
        sm_sweep_uniforms(sw, j * sw->grid_size, &u[used * (size_t)n_random]);
        obj[used++] = pt->obj[j];
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
    free(u);
    free(obj);
    return SM_OK;
}

/* ---- the run ------------------------------------------------------------ */

/* The pool's blocks and queue. Each thread holds one block while it
 * solves; two more let the writer work on one while another waits: memory
 * is bounded by threads and block size, never by the number of scenarios. */
static sm_status pool_init(pool *pl, const sm_dims *dims, size_t block_size, int threads,
                           int full, sm_diag *d)
{
    memset(pl, 0, sizeof *pl);
    sm_diag_init(&pl->diag);
    pthread_mutex_init(&pl->mu, NULL);
    pthread_cond_init(&pl->cv_free, NULL);
    pthread_cond_init(&pl->cv_queued, NULL);
    pl->cap = (size_t)threads + 2;
    pl->free = calloc(pl->cap, sizeof *pl->free);
    pl->queue = calloc(pl->cap, sizeof *pl->queue);
    if (!pl->free || !pl->queue)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    for (size_t k = 0; k < pl->cap; k++) {
        pl->free[k] = sm_block_new(dims, block_size, full);
        if (!pl->free[k])
            return sm_diag_fail(d, SM_ENOMEM, "out of memory for result blocks");
        pl->n_free++;
    }
    return SM_OK;
}

static void pool_destroy(pool *pl)
{
    for (size_t k = 0; k < pl->n_free; k++)
        sm_block_free(&pl->free[k]);
    free(pl->free);
    free(pl->queue);
    sm_diag_clear(&pl->diag);
    pthread_cond_destroy(&pl->cv_free);
    pthread_cond_destroy(&pl->cv_queued);
    pthread_mutex_destroy(&pl->mu);
}

/* Tell the writer no more blocks come, and wait until it has written the
 * queued ones. */
static void writer_finish(pool *pl, pthread_t writer)
{
    pthread_mutex_lock(&pl->mu);
    pl->producers_done = 1;
    pthread_cond_signal(&pl->cv_queued);
    pthread_mutex_unlock(&pl->mu);
    pthread_join(writer, NULL);
}

/* The basis every block starts from: the base case's optimum, or GLPK's
 * standard basis should GLPK fail on the base case itself (the scenarios
 * then fail or succeed on their own, recorded either way). */
static sm_status base_basis_new(const sm_problem *p, const sm_lp_opts *lp_opts, sm_basis **out,
                                sm_diag *d)
{
    sm_status st = SM_OK;
    sm_lp *lp0 = NULL;
    SM_TRY(sm_lp_new(&lp0, p->model, p->layout, p->base_coeffs, lp_opts, d));
    sm_solve_info info0;
    if (sm_lp_solve(lp0, 0, &info0) == SM_ESOLVER) {
        sm_lp_free(&lp0);
        SM_TRY(sm_lp_new(&lp0, p->model, p->layout, p->base_coeffs, lp_opts, d));
    }
    if (!(*out = sm_basis_new(p->layout->n_rows, p->layout->n_cols)))
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    sm_lp_get_basis(lp0, *out);
done:
    sm_lp_free(&lp0);
    return st;
}

/* What the threads share while they set up: thread 0 solves the base
 * case while the others build their problems, all share out the pilot,
 * then thread 0 ranks the parameters into the solve order. */
typedef struct setup {
    sm_basis *base;
    sm_order order;
    pilot pt;
    sm_status st;                  /* thread 0's part failed: no blocks are solved */
    double base_s, pilot_s, order_s; /* the trace: when each part ended, since the start */
    pthread_barrier_t gate;        /* gate_wait's, for the team's threads */
    int gate_ok;
} setup;

/* The solver threads wait for one another here, asleep. An OpenMP
 * barrier spins first (libgomp's default: 300,000 rounds, several ms),
 * and on a machine with no core to spare the spinning thread takes a core
 * from the one it waits for or from the writer: from the base case's
 * solve and the file's making at the start, from the last block at the
 * end (china_grid on 2 cores: 3 % of the run's CPU samples in libgomp). */
static void gate_wait(setup *su)
{
    if (su->gate_ok)
        pthread_barrier_wait(&su->gate);
    else {
#pragma omp barrier
    }
}

/* The solve order within blocks: along the parameters that move the cost
 * most (the pilot ranks them), unless the options ask for index order. */
static sm_status order_for_run(setup *su, const sm_sweep *sw, const sm_run_opts *o, sm_diag *d)
{
    double *influence = calloc((size_t)sw->n_params + 1, sizeof *influence);
    if (!influence)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    sm_status st = pilot_influence(&su->pt, sw, influence, d);
    if (st == SM_OK) {
        sm_order_init(&su->order, sw, o->natural_order || o->cold ? NULL : influence);
        su->order.natural = o->natural_order;
        /* Only GLPK's warm solves start from any earlier basis (plan_starts). */
        su->order.tree = o->lp.engine == SM_LP_GLPK && !o->last_basis_only && !o->cold;
    }
    free(influence);
    return st;
}

/* What the solver threads share: blocks [b0, b1) are dealt in order. */
typedef struct deal {
    const sm_run_opts *o;
    _Atomic size_t next;
    size_t b1;
} deal;

/* The next block this thread solves, or SIZE_MAX when there is none. */
static size_t deal_next(deal *dl)
{
    const sm_run_opts *o = dl->o;
    if (o->next_block)
        return o->next_block(o->next_ctx);
    for (;;) {
        size_t b = atomic_fetch_add(&dl->next, 1);
        if (b >= dl->b1)
            return SIZE_MAX;
        if (!o->block_done || !o->block_done[b])
            return b;
    }
}

/* One solver thread's loop: take a block, solve it, hand it to the writer. */
static void worker_run(worker *w, pool *pl, deal *dl)
{
    const sm_run_opts *o = w->o;
    size_t B = w->sw->block_size;
    while (w->st == SM_OK) {
        if (o->stop && atomic_load_explicit(o->stop, memory_order_relaxed))
            break;
        size_t b = deal_next(dl);
        if (b == SIZE_MAX)
            break;
        double waited = w->wait_s;
        sm_block *blk = pool_take_free(pl, &w->wait_s);
        if (!blk)
            break; /* the sink failed */
        size_t first = b * B, count = sm_sweep_block_len(w->sw, b);
        double t_start = sm_clock_s(), t_solved = t_start;
        w->st = solve_block(w, first, count, blk);
        if (w->st == SM_OK && o->prepare) {
            t_solved = sm_clock_s();
            w->st = o->prepare(o->prepare_ctx, &w->prepare_state, first, blk, &w->diag);
            w->stats.prepare_s += sm_clock_s() - t_solved;
        }
        pool_queue(pl, first, blk);
        if (o->trace)
            fprintf(o->trace, "engine: block %zu (%zu scenarios) on thread %d: %.4f to %.4f s, "
                              "prepared from %.4f s, after waiting %.4f s for a free block\n",
                    b, count, omp_get_thread_num(), t_start - pl->t0, sm_clock_s() - pl->t0,
                    t_solved - pl->t0, w->wait_s - waited);
        if (w->stats.interrupted)
            break;
    }
}

/* Add a thread's statistics and messages to the run's; the first failure
 * wins. */
static sm_status gather(worker *w, sm_run_stats *stats, sm_status st, sm_diag *d)
{
    stats->scenarios += w->stats.scenarios;
    for (int s = 0; s < SM_SCEN_N_STATUS; s++)
        stats->by_status[s] += w->stats.by_status[s];
    stats->blocks += w->stats.blocks;
    stats->solve_s += w->stats.solve_s;
    stats->busy_s += w->stats.busy_s;
    stats->prepare_s += w->stats.prepare_s;
    stats->iterations += w->stats.iterations;
    stats->kept_basis += w->stats.kept_basis;
    stats->duals_only += w->stats.duals_only;
    stats->earlier_starts += w->stats.earlier_starts;
    stats->pilot_starts += w->stats.pilot_starts;
    stats->direct_starts += w->stats.direct_starts;
    stats->lp_rebuilds += w->stats.lp_rebuilds;
    stats->ratio_fallbacks += w->stats.ratio_fallbacks;
    stats->interrupted |= w->stats.interrupted;
    sm_diag_take(d, &w->diag);
    return st == SM_OK ? w->st : st;
}

/* Per solver thread: building its problem, busy in blocks, waiting for a
 * free block, idle at the end (finished before the last thread); then the
 * writer's time in the sink and waiting. */
static void trace_threads(FILE *f, const worker *ws, int threads)
{
    double last = 0;
    for (int t = 0; t < threads; t++)
        last = ws[t].end_s > last ? ws[t].end_s : last;
    for (int t = 0; t < threads; t++) {
        const worker *w = &ws[t];
        fprintf(f, "engine: thread %d: problem built in %.4f s; pilot %zu solves, CPU %.4f s; "
                   "set-up CPU %.4f s; %zu blocks, busy %.4f s (solving %.4f, preparing %.4f); waited for a free "
                   "block %.4f s; done at %.4f s, idle %.4f s at the end; CPU %.4f s\n",
                t, w->init_s, w->pilot_n, w->pilot_cpu, w->setup_cpu, w->stats.blocks, w->stats.busy_s + w->stats.prepare_s,
                w->stats.busy_s, w->stats.prepare_s, w->wait_s, w->end_s, last - w->end_s,
                w->cpu_s);
    }
}

/* One solver thread from start to end: its part of the set-up, then
 * blocks until none is left. Every thread passes the same barriers. */
static void thread_main(worker *w, setup *su, pool *pl, deal *dl)
{
    int me = omp_get_thread_num();
    w->cpu0 = sm_clock_thread_cpu_s();
    if (me == 0) {
        su->st = base_basis_new(w->prob, &w->o->lp, &su->base, &w->diag);
        su->base_s = sm_clock_s() - pl->t0;
    }
    double t0 = sm_clock_s();
    w->st = worker_init(w);
    w->init_s = sm_clock_s() - t0;
    gate_wait(su);
    w->base_basis = su->base;
    w->pilot = &su->pt;
    double cpu0 = sm_clock_thread_cpu_s();
    if (su->st == SM_OK && w->st == SM_OK)
        w->st = pilot_solve(w, &su->pt);
    w->pilot_cpu = sm_clock_thread_cpu_s() - cpu0;
    gate_wait(su);
    if (me == 0) {
        su->pilot_s = sm_clock_s() - pl->t0;
        if (su->st == SM_OK)
            su->st = order_for_run(su, w->sw, w->o, &w->diag);
        su->order_s = sm_clock_s() - pl->t0;
    }
    gate_wait(su);
    w->setup_cpu = sm_clock_thread_cpu_s() - w->cpu0;
    if (su->st == SM_OK)
        worker_run(w, pl, dl);
    w->end_s = sm_clock_s() - pl->t0;
}

/* The solver threads, from set-up to statistics. */
static sm_status solve_blocks(const sm_problem *p, const sm_sweep *sw, const sm_run_opts *o,
                              setup *su, pool *pl, deal *dl, sm_run_stats *stats, sm_diag *d)
{
    int threads = stats->threads;
    worker *workers = calloc((size_t)threads, sizeof *workers);
    if (!workers)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
#pragma omp parallel num_threads(threads)
    {
#pragma omp single
        su->gate_ok = pthread_barrier_init(&su->gate, NULL, (unsigned)omp_get_num_threads()) == 0;
        worker *w = &workers[omp_get_thread_num()];
        w->prob = p;
        w->sw = sw;
        w->o = o;
        w->order = &su->order;
        sm_diag_init(&w->diag);
        thread_main(w, su, pl, dl);
        worker_free(w);
        sm_lp_thread_end();
        w->cpu_s = sm_clock_thread_cpu_s() - w->cpu0;
        gate_wait(su); /* a thread done early sleeps until the last block is solved */
    }
    if (su->gate_ok)
        pthread_barrier_destroy(&su->gate);
    if (o->trace) {
        fprintf(o->trace, "engine: set-up: base case solved at %.4f s, pilot (%zu solves) done "
                          "at %.4f s, order at %.4f s\n",
                su->base_s, su->pt.n, su->pilot_s, su->order_s);
        trace_threads(o->trace, workers, threads);
    }
    sm_status st = su->st;
    for (int t = 0; t < threads; t++)
        st = gather(&workers[t], stats, st, d);
    free(workers);
    return st;
}

sm_status sm_engine_run(const sm_problem *p, const sm_sweep *sw, const sm_run_opts *o,
                        sm_block_sink sink, void *sink_ctx, sm_run_stats *stats, sm_diag *d)
{
    memset(stats, 0, sizeof *stats);
    double t_start = sm_clock_s();
    size_t n_blocks = sm_sweep_blocks(sw);
    deal dl = {o, o->block_first < n_blocks ? o->block_first : n_blocks,
               o->block_end < n_blocks ? o->block_end : n_blocks};
    stats->threads = o->threads > 0 ? o->threads : 1;
    sm_dims dims = p->dims;
    dims.n[SM_DIM_PARAMETER] = sw->n_params;
    setup su;
    memset(&su, 0, sizeof su);
    pool pl;
    sm_status st = pool_init(&pl, &dims, sw->block_size, stats->threads, o->full, d);
    pl.sink = sink;
    pl.sink_ctx = sink_ctx;
    pl.open = o->open;
    pl.open_ctx = o->open_ctx;
    pl.progress = o->progress;
    pl.progress_ctx = o->progress_ctx;
    for (size_t b = dl.next; b < dl.b1; b++)
        if (!o->block_done || !o->block_done[b])
            pl.total += sm_sweep_block_len(sw, b);
    SM_TRY(st);
    pl.t0 = t_start;
    SM_TRY(pilot_init(&su.pt, sw, o, d));
    pthread_t writer;
    if (pthread_create(&writer, NULL, writer_main, &pl) != 0)
        SM_TRY(sm_diag_fail(d, SM_EINTERNAL, "cannot start the writer thread"));
    st = solve_blocks(p, sw, o, &su, &pl, &dl, stats, d);
    writer_finish(&pl, writer);
    if (o->trace)
        fprintf(o->trace, "engine: writer: output opened at %.4f s, in the sink %.4f s, "
                          "waiting %.4f s, CPU %.4f s; run %.4f s\n",
                pl.open_s, pl.sink_s, pl.idle_s, pl.cpu_s, sm_clock_s() - t_start);
    if (o->stop && atomic_load(o->stop))
        stats->interrupted = 1;
    sm_diag_take(d, &pl.diag);
    if (pl.failed && st == SM_OK)
        st = pl.st;
done:
    sm_basis_free(&su.base);
    pilot_free(&su.pt);
    pool_destroy(&pl);
    stats->wall_s = sm_clock_s() - t_start;
    return st;
}
