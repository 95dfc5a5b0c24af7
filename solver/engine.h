/* The sweep engine: every scenario of a sweep solved on OpenMP threads,
 * each thread with its own GLPK problem and workspace, blocks of scenarios
 * handed to one writer.
 *
 * Determinism: scenarios are cut into fixed blocks of the sweep's
 * block_size in scenario numbering. Every block starts from the base
 * case's optimal basis, refactorized, and solves its scenarios in an order
 * that depends only on the sweep (order.h), each warm-started from the one
 * before (with the long-step ratio test by default, falling back to Harris
 * from the base basis for a solve where GLPK stops on a fatal error). So a
 * scenario's result depends on its block alone: the same
 * whatever the thread count, the schedule, or which blocks an earlier,
 * interrupted run finished. */
#ifndef SM_ENGINE_H
#define SM_ENGINE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../models/sweep.h"
#include "lp.h"
#include "../models/problem.h"

/* Receives each finished block, from the writer thread, one at a time:
 * rows [0, b->count) are scenarios first..first+count-1. */
typedef sm_status (*sm_block_sink)(void *ctx, size_t first, const sm_block *b, sm_diag *d);

/* Optional: called on the solver thread that finished a block, before it
 * is queued for the sink (e.g. to compress it in parallel). *state is
 * the thread's own, NULL at its first block and kept for its next ones
 * (working memory wanted per thread rather than per block); the thread
 * frees it with the run's prepare_free when it ends. */
typedef sm_status (*sm_block_prepare)(void *ctx, void **state, size_t first, sm_block *b,
                                      sm_diag *d);

/* Called from the writer thread after each block and about once a second:
 * done of total scenarios written so far. */
typedef void (*sm_progress_fn)(void *ctx, size_t done, size_t total);

typedef struct sm_run_opts {
    int threads;                 /* default 1 */
    int full;                    /* per-period results too (default 1) */
    int cold;                    /* every scenario from the standard basis (benchmarks) */
    int natural_order;           /* solve in scenario order (benchmarks) */
    int last_basis_only;         /* every scenario starts from the last one's basis,
                                  * never an earlier one's: random samples along the
                                  * curve, not a tree (tests, benchmarks; as CLP) */
    int resolve_pilot;           /* the pilot's scenarios solved again in their blocks
                                  * like any other, not started from the pilot's optimal
                                  * basis (tests, benchmarks) */
    size_t block_first;          /* the blocks to run: [block_first, block_end), */
    size_t block_end;            /* clamped to the sweep (SIZE_MAX, the default: to the end);
                                  * an empty range runs nothing */
    const uint8_t *block_done;   /* per block, 1: already complete, skip (NULL: none) */
    /* When it becomes non-zero, take no new scenario. Atomic, not volatile
     * sig_atomic_t: solver threads read what a signal handler or another
     * thread writes (a lock-free atomic is safe in a handler too). */
    atomic_int *stop;
    sm_progress_fn progress;
    void *progress_ctx;
    sm_block_prepare prepare;
    void *prepare_ctx;
    void (*prepare_free)(void *state); /* a thread's prepare state (NULL: none to free) */
    /* Where solver threads get their next block: NULL walks the selected
     * blocks in order (skipping done ones); a distributed run asks a
     * dispatcher. Returns SIZE_MAX when there is no more work. Called from
     * any solver thread. */
    size_t (*next_block)(void *ctx);
    void *next_ctx;
    sm_lp_opts lp;
    /* Each optimal scenario's limits re-solved at share +-1 point and
     * ranged (ranging.h): 4 warm solves per limit; default 0. */
    int ranging;
    /* Called once on the writer thread before any block reaches the sink,
     * while the solver threads set up and solve: the caller makes its
     * output there, off the serial start. A failure stops the run as a
     * failing sink does (its status is the run's). NULL: nothing. */
    sm_status (*open)(void *ctx, sm_diag *d);
    void *open_ctx;
    /* Where to print a timeline (set-up phases, each block's start and end
     * on its thread, per-thread busy / waiting / idle seconds, the
     * writer's); NULL: none. For finding lost parallel time (bench/). */
    FILE *trace;
    /* Tests only (the command line never sets it): scenarios whose warm
     * long-step solve in a block stops on an injected GLPK fatal error
     * (sm_lp_test_fatal_next), n_test_fatal of them, to run the Harris
     * fallback. NULL: none. */
    const size_t *test_fatal;
    size_t n_test_fatal;
    int test_fatal_ranging;      /* tests: inject into the scenario's ranging solves instead */
} sm_run_opts;

void sm_run_opts_init(sm_run_opts *o);

typedef struct sm_run_stats {
    size_t scenarios;            /* recorded (handed to the sink with a status) */
    size_t by_status[SM_SCEN_N_STATUS];
    size_t blocks;
    double wall_s;
    double solve_s;              /* summed over threads: inside sm_lp_solve */
    double busy_s;               /* summed over threads: the whole per-scenario loop */
    double prepare_s;            /* summed over threads: in o->prepare */
    long long iterations;        /* as recorded: a pilot-started scenario's include the
                                  * pilot's solve's (pilot_starts) */
    size_t kept_basis;           /* scenarios solved without a simplex call */
    size_t duals_only;           /* scenarios whose basis was checked by its duals alone
                                  * (only costs had moved: solver/lp_dual.h) */
    size_t earlier_starts;       /* scenarios started from the basis of an earlier one
                                  * than the last solved (solver/order.h) */
    size_t pilot_starts;         /* scenarios started from the optimal basis the pilot
                                  * found for them: their iterations and solve
                                  * time are the pilot's solve's and this one's */
    size_t direct_starts;        /* scenarios sent straight to the simplex, without first
                                  * asking whether the basis was still optimal
                                  * (SM_LP_DIRECT, engine.c's solve_start) */
    size_t lp_rebuilds;          /* problems rebuilt after a GLPK fatal error (not
                                  * counting ratio_fallbacks) */
    size_t ratio_fallbacks;      /* long-step warm solves that stopped on a GLPK fatal
                                  * error and were solved again with Harris (the
                                  * pilot's, scenarios', ranging's) */
    int interrupted;             /* stopped early by *stop */
    int threads;
} sm_run_stats;

/* Run the blocks of sw selected by o; every finished block goes to sink.
 * Stops early, with stats->interrupted set and SM_OK, when *o->stop
 * becomes non-zero; every scenario it recorded is complete and correct. A
 * sink failure stops the run and is returned. */
sm_status sm_engine_run(const sm_problem *p, const sm_sweep *sw, const sm_run_opts *o,
                       sm_block_sink sink, void *sink_ctx, sm_run_stats *stats, sm_diag *d);

#endif
