/* Sweeps across MPI ranks (see engine_mpi.h). */
#include "engine_mpi.h"

#include <mpi.h>
#include <omp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { TAG_REQUEST = 1, TAG_BLOCK = 2, TAG_DONE = 3, TAG_ASSIGN = 1000 /* + thread */ };

/* Statistics a rank reports when it is done, as doubles. */
#define N_STATS (13 + SM_SCEN_N_STATUS)

int sm_mpi_init(int *argc, char ***argv)
{
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS)
        return 0;
    return provided >= MPI_THREAD_MULTIPLE;
}

void sm_mpi_finalize(void)
{
    MPI_Finalize();
}

int sm_mpi_rank(void)
{
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int sm_mpi_size(void)
{
    int n = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

sm_status sm_mpi_agree(sm_status st)
{
    int mine = (int)st, worst = 0, first = (int)st;
    MPI_Bcast(&first, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return first != SM_OK ? (sm_status)first : (sm_status)worst;
}

size_t sm_mpi_bcast_size(size_t v)
{
    unsigned long long u = v;
    MPI_Bcast(&u, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    return (size_t)u;
}

static void pack_stats(const sm_run_stats *s, double *v)
{
    v[0] = (double)s->scenarios;
    v[1] = (double)s->blocks;
    v[2] = s->solve_s;
    v[3] = s->busy_s;
    v[4] = s->prepare_s;
    v[5] = (double)s->iterations;
    v[6] = (double)s->kept_basis;
    v[7] = (double)s->lp_rebuilds;
    v[8] = s->interrupted;
    v[9] = (double)s->ratio_fallbacks;
    v[10] = (double)s->duals_only;
    v[11] = (double)s->earlier_starts;
    v[12] = (double)s->direct_starts;
    for (int k = 0; k < SM_SCEN_N_STATUS; k++)
        v[13 + k] = (double)s->by_status[k];
}

static void add_stats(sm_run_stats *s, const double *v)
{
    s->scenarios += (size_t)v[0];
    s->blocks += (size_t)v[1];
    s->solve_s += v[2];
    s->busy_s += v[3];
    s->prepare_s += v[4];
    s->iterations += (long long)v[5];
    s->kept_basis += (size_t)v[6];
    s->lp_rebuilds += (size_t)v[7];
    s->interrupted |= v[8] != 0;
    s->ratio_fallbacks += (size_t)v[9];
    s->duals_only += (size_t)v[10];
    s->earlier_starts += (size_t)v[11];
    s->direct_starts += (size_t)v[12];
    for (int k = 0; k < SM_SCEN_N_STATUS; k++)
        s->by_status[k] += (size_t)v[13 + k];
}

/* ---- rank 0: dealing blocks, receiving results ------------------------- */

typedef struct root {
    pthread_mutex_t mu;          /* guards the deal */
    pthread_mutex_t write_mu;    /* one block at a time into the sink */
    size_t *todo, n_todo, next;
    const sm_sweep *sw;
    const sm_run_opts *o;
    sm_block_sink sink;
    void *sink_ctx;
    const sm_block_codec *codec;
    sm_block *scratch;           /* a received block, decoded */
    size_t written, total;
    atomic_int failed;           /* the sink failed: deal no more blocks */
    sm_status st;                /* why (under mu) */
    sm_diag diag;
    sm_run_stats remote;
} root;

static size_t deal(root *r)
{
    pthread_mutex_lock(&r->mu);
    size_t b = SIZE_MAX;
    int stop = atomic_load(&r->failed) || (r->o->stop && atomic_load(r->o->stop));
    if (!stop && r->next < r->n_todo)
        b = r->todo[r->next++];
    pthread_mutex_unlock(&r->mu);
    return b;
}

static size_t root_next(void *ctx)
{
    return deal(ctx);
}

/* Rank 0's own blocks and the received ones reach the file one at a time. */
static sm_status root_sink(void *ctx, size_t first, const sm_block *b, sm_diag *d)
{
    root *r = ctx;
    pthread_mutex_lock(&r->write_mu);
    sm_status st = atomic_load(&r->failed) ? SM_OK : r->sink(r->sink_ctx, first, b, d);
    if (st != SM_OK) {
        pthread_mutex_lock(&r->mu);
        if (!atomic_exchange(&r->failed, 1))
            r->st = st;
        pthread_mutex_unlock(&r->mu);
    }
    r->written += b->count;
    size_t done = r->written;
    pthread_mutex_unlock(&r->write_mu);
    if (r->o->progress)
        r->o->progress(r->o->progress_ctx, done, r->total);
    return st;
}

static void *root_service(void *arg)
{
    root *r = arg;
    int workers = sm_mpi_size() - 1, finished = 0;
    unsigned char *buf = NULL;
    size_t cap = 0;
    while (finished < workers) {
        int flag = 0;
        MPI_Status s;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &s);
        if (!flag) {
            /* Polling with a pause: a blocking probe would spin a core that
             * rank 0's solver threads need. */
            struct timespec pause = {0, 100000};
            nanosleep(&pause, NULL);
            continue;
        }
        if (s.MPI_TAG == TAG_REQUEST) {
            int tid;
            MPI_Recv(&tid, 1, MPI_INT, s.MPI_SOURCE, TAG_REQUEST, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            size_t b = deal(r);
            long long answer = b == SIZE_MAX ? -1 : (long long)b;
            MPI_Send(&answer, 1, MPI_LONG_LONG, s.MPI_SOURCE, TAG_ASSIGN + tid, MPI_COMM_WORLD);
        } else if (s.MPI_TAG == TAG_BLOCK) {
            int n = 0;
            MPI_Get_count(&s, MPI_BYTE, &n);
            if ((size_t)n > cap) {
                unsigned char *nb = realloc(buf, (size_t)n);
                if (nb) {
                    buf = nb;
                    cap = (size_t)n;
                }
            }
            if ((size_t)n > cap) {
                MPI_Recv(NULL, 0, MPI_BYTE, s.MPI_SOURCE, TAG_BLOCK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                continue;
            }
            MPI_Recv(buf, n, MPI_BYTE, s.MPI_SOURCE, TAG_BLOCK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            size_t first;
            sm_status st = r->codec->decode(r->codec->ctx, buf, (size_t)n, r->scratch, &first,
                                            &r->diag);
            if (st == SM_OK)
                root_sink(r, first, r->scratch, &r->diag);
            else {
                pthread_mutex_lock(&r->mu);
                if (!atomic_exchange(&r->failed, 1))
                    r->st = st;
                pthread_mutex_unlock(&r->mu);
            }
        } else if (s.MPI_TAG == TAG_DONE) {
            double v[N_STATS];
            MPI_Recv(v, N_STATS, MPI_DOUBLE, s.MPI_SOURCE, TAG_DONE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            add_stats(&r->remote, v);
            finished++;
        } else {
            MPI_Recv(NULL, 0, MPI_BYTE, s.MPI_SOURCE, s.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
    }
    free(buf);
    return NULL;
}

/* ---- other ranks: asking for blocks, sending results ------------------- */

typedef struct worker_ctx {
    const sm_run_opts *o;
    const sm_block_codec *codec;
    unsigned char *buf;          /* used by the engine's one writer thread */
    size_t cap;
} worker_ctx;

static size_t ask_root(void *ctx)
{
    worker_ctx *w = ctx;
    if (w->o->stop && atomic_load(w->o->stop))
        return SIZE_MAX;
    int tid = omp_get_thread_num();
    long long b;
    MPI_Send(&tid, 1, MPI_INT, 0, TAG_REQUEST, MPI_COMM_WORLD);
    MPI_Recv(&b, 1, MPI_LONG_LONG, 0, TAG_ASSIGN + tid, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    return b < 0 ? SIZE_MAX : (size_t)b;
}

static sm_status send_to_root(void *ctx, size_t first, const sm_block *b, sm_diag *d)
{
    (void)first;
    worker_ctx *w = ctx;
    size_t n = w->codec->size(b);
    if (n > w->cap) {
        unsigned char *nb = realloc(w->buf, n);
        if (!nb)
            return sm_diag_fail(d, SM_ENOMEM, "out of memory");
        w->buf = nb;
        w->cap = n;
    }
    w->codec->encode(b, w->buf);
    MPI_Send(w->buf, (int)n, MPI_BYTE, 0, TAG_BLOCK, MPI_COMM_WORLD);
    return SM_OK;
}

sm_status sm_engine_run_mpi(const sm_problem *p, const sm_sweep *sw, const sm_run_opts *o,
                           sm_block_sink sink, void *sink_ctx, const sm_block_codec *codec,
                           sm_run_stats *stats, sm_diag *d)
{
    sm_status st = SM_OK;
    int rank = sm_mpi_rank();
    sm_run_opts mine = *o;
    mine.progress = NULL;
    if (rank != 0) {
        worker_ctx w = {o, codec, NULL, 0};
        mine.next_block = ask_root;
        mine.next_ctx = &w;
        st = sm_engine_run(p, sw, &mine, send_to_root, &w, stats, d);
        double v[N_STATS];
        pack_stats(stats, v);
        MPI_Send(v, N_STATS, MPI_DOUBLE, 0, TAG_DONE, MPI_COMM_WORLD);
        free(w.buf);
        return st;
    }

    /* Rank 0: the blocks to deal, in order. */
    root r;
    memset(&r, 0, sizeof r);
    pthread_mutex_init(&r.mu, NULL);
    pthread_mutex_init(&r.write_mu, NULL);
    sm_diag_init(&r.diag);
    r.sw = sw;
    r.o = o;
    r.sink = sink;
    r.sink_ctx = sink_ctx;
    r.codec = codec;
    size_t nb = sm_sweep_blocks(sw), B = sw->block_size;
    size_t b0 = o->block_first < nb ? o->block_first : nb;
    size_t b1 = o->block_end < nb ? o->block_end : nb;
    sm_dims dims = p->dims;
    dims.n[SM_DIM_PARAMETER] = sw->n_params;
    r.todo = malloc((b1 > b0 ? b1 - b0 : 1) * sizeof *r.todo);
    r.scratch = sm_block_new(&dims, B, o->full);
    if (!r.todo || !r.scratch) {
        st = sm_diag_fail(d, SM_ENOMEM, "out of memory");
        atomic_store(&r.failed, 1); /* the service thread still runs, to release the ranks */
    }
    for (size_t b = b0; r.todo && b < b1; b++)
        if (!o->block_done || !o->block_done[b]) {
            r.todo[r.n_todo++] = b;
            r.total += sm_sweep_block_len(sw, b);
        }
    pthread_t service;
    if (pthread_create(&service, NULL, root_service, &r) != 0) {
        /* Without the service thread the other ranks would wait for blocks
         * forever: end the whole job, loudly. */
        fprintf(stderr, "supplymix: rank 0 cannot start its MPI service thread; aborting\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (st == SM_OK) {
        mine.next_block = root_next;
        mine.next_ctx = &r;
        st = sm_engine_run(p, sw, &mine, root_sink, &r, stats, d);
    }
    pthread_join(service, NULL);
    sm_run_stats local = *stats;
    *stats = r.remote;
    stats->wall_s = local.wall_s;
    stats->threads = local.threads;
    double v[N_STATS];
    pack_stats(&local, v);
    add_stats(stats, v);
    sm_diag_take(d, &r.diag);
    if (st == SM_OK && atomic_load(&r.failed))
        st = r.st;
    if (o->stop && atomic_load(o->stop))
        stats->interrupted = 1;
    sm_block_free(&r.scratch);
    free(r.todo);
    pthread_mutex_destroy(&r.mu);
    pthread_mutex_destroy(&r.write_mu);
    return st;
}
