/* A two-stage stochastic plan (MODEL.md Part 2) solved by the L-shaped
 * method: a GLPK master LP over the commitments k and one variable theta_s
 * per future (multi-cut), and the futures' recourse LPs, the sweep's
 * scenario LPs with x <= min(k, cap_s) on contract offers, re-solved in
 * parallel at each master solution.
 *
 * Determinism: each future keeps its own basis between iterations and is
 * always re-solved from it (never from whatever a thread solved before),
 * and cuts enter the master in future order, so a plan is the same for
 * any thread count. */
#ifndef SM_PLAN_H
#define SM_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "../models/commit.h"
#include "../models/problem.h"
#include "lp.h"

/* The futures of one two-stage problem, equally likely (a sweep's random
 * samples). coeffs gives future s's LP numbers before any commitment
 * bound (fees off: a delivered contract tonne costs c), and its inputs. */
typedef struct sm_futures {
    const sm_problem *p;
    size_t n;
    int n_params;           /* the length of coeffs' values[] */
    void (*coeffs)(const void *ctx, size_t s, double *values, sm_inputs *in, sm_coeffs *c);
    const void *ctx;
} sm_futures;

/* Called from solver threads after future s was solved at a commitment
 * (x and y are its primal and row duals when info->status is optimal);
 * each call owns future s only. */
typedef void (*sm_future_sink)(void *ctx, size_t s, const sm_inputs *in, const double *x,
                               const double *y, const sm_solve_info *info);

typedef struct sm_plan_opts {
    int threads;            /* default 1 */
    double gap;             /* relative gap to stop at, default 1e-6 */
    int max_iterations;     /* default 500 */
    double time_limit_s;    /* per decomposition; 0: none (default) */
    sm_lp_opts lp;
} sm_plan_opts;

void sm_plan_opts_init(sm_plan_opts *o);

/* Why a decomposition stopped. */
typedef enum sm_plan_stop {
    SM_PLAN_GAP = 1,            /* relative gap reached */
    SM_PLAN_ITERATION_LIMIT,
    SM_PLAN_TIME_LIMIT,
    SM_PLAN_INFEASIBLE,         /* some future infeasible for every k, or no k meets the rows */
    SM_PLAN_NEEDS_FEASIBILITY,  /* a future infeasible at a master solution (see README) */
    SM_PLAN_SOLVER_FAILURE
} sm_plan_stop;
#define SM_PLAN_N_STOP 7
extern const char *const sm_plan_stop_names[SM_PLAN_N_STOP];

typedef struct sm_plan_iter {
    double lb, ub, gap, seconds;   /* bounds after the iteration; seconds since the start */
    int cuts;                      /* cuts added in the iteration */
} sm_plan_iter;

/* The outcome of one decomposition. */
typedef struct sm_plan_result {
    sm_plan_stop stop;
    double *k;              /* [nk] the incumbent (the portfolio k*) */
    double lb, ub, gap;     /* ub = fees(k*) + mean_s Q_s(k*) */
    double fees;            /* fees(k*) */
    double *q;              /* [n] Q_s(k*) */
    uint8_t *status;        /* [n] each future's status at k* */
    int iterations;
    sm_plan_iter *hist;     /* [iterations] */
    size_t infeasible;      /* futures infeasible for every k (at k_ub) */
    size_t first_infeasible;
    char message[200];
    double seconds;
} sm_plan_result;

void sm_plan_result_free(sm_plan_result *r);

/* Evaluating futures at a commitment, in parallel, each from its own
 * saved basis (the base case's until its first solve). */
typedef struct sm_evaluator sm_evaluator;

sm_status sm_evaluator_new(const sm_futures *F, const sm_stage1 *s1, const sm_plan_opts *o,
                           const sm_basis *base, sm_evaluator **out, sm_diag *d);
void sm_evaluator_free(sm_evaluator **ev);

/* Solve every future at k[nk]: q[s] = Q_s(k) (NaN unless optimal),
 * status[s], and, when g is not NULL, g[s*nk + j] the slope of Q_s in k[j]
 * (the reduced cost of k[j]'s x column where k binds, else 0). sink, when
 * not NULL, sees every solution. */
sm_status sm_evaluate(sm_evaluator *ev, const double *k, double *q, uint8_t *status, double *g,
                      sm_future_sink sink, void *sink_ctx, sm_diag *d);

/* The L-shaped method on F with first stage s1. A future infeasible at
 * k_ub is infeasible for every k (more commitment only loosens it): the
 * result is then SM_PLAN_INFEASIBLE with the count, and SM_OK returned;
 * only memory and solver failures are errors. */
sm_status sm_plan_solve(const sm_futures *F, const sm_stage1 *s1, const sm_plan_opts *o,
                        const sm_basis *base, sm_plan_result *r, sm_diag *d);

/* One policy (a grid point of a sweep) planned, with MODEL.md's measures
 * ("Definitions that leave no room"), risk neutral. */
typedef struct sm_plan_point {
    sm_plan_result rp;        /* k* (rp.k), its bounds, stop reason and history */
    double *k_full;           /* [n_offers * T] k*, 0 for spot offers */
    double *kbar_full;        /* [n_offers * T] k-bar, optimal for the average future */
    size_t n;                 /* futures */
    double rp_value;          /* RP = fees(k*) + mean_s Q_s(k*) (= rp.ub) */
    double ws;                /* mean_s Z_s */
    double eev;               /* fees(k-bar) + mean_s Q_s(k-bar); +inf if some future is infeasible there */
    double evpi, vss;         /* RP − WS, EEV − RP */
    size_t eev_infeasible;    /* futures infeasible at k-bar */
    sm_plan_stop eev_stop;    /* how k-bar's own plan ended */
    double *z;                /* [n] Z_s, each future's perfect-foresight cost */
    double *regret;           /* [n] fees(k*) + Q_s(k*) − Z_s */
    double seconds;
} sm_plan_point;

void sm_plan_point_free(sm_plan_point *pt);

/* Plan grid point g of sw: its futures are scenarios g + s·G, s < S. sink
 * (may be NULL) sees every future solved at k*, with s its sample number. */
sm_status sm_plan_point_run(const sm_problem *p, const sm_sweep *sw, size_t g,
                            const sm_plan_opts *o, const sm_basis *base, sm_future_sink sink,
                            void *sink_ctx, sm_plan_point *pt, sm_diag *d);

/* The base case's optimal basis: where every future starts. */
sm_status sm_plan_base_basis(const sm_problem *p, const sm_lp_opts *o, sm_basis **out,
                             sm_diag *d);

#endif
