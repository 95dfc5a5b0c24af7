/* What a plan yields (MODEL.md Part 2, "What a plan yields"), as data:
 * one decomposition's outcome, one policy's plan and measures, and a
 * whole sweep's plans with every scenario evaluated at its policy's
 * portfolio. Filled by solver/plan_*.c, written by io/plan_h5.c. */
#ifndef SM_PLAN_DATA_H
#define SM_PLAN_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "outcome.h"

/* Why a decomposition stopped. */
typedef enum sm_plan_stop {
    SM_PLAN_GAP = 1,            /* relative gap reached */
    SM_PLAN_ITERATION_LIMIT,
    SM_PLAN_TIME_LIMIT,
    SM_PLAN_INFEASIBLE,         /* some future infeasible for every k, or no k meets the rows */
    SM_PLAN_NEEDS_FEASIBILITY,  /* a future infeasible at a master solution (see README) */
    SM_PLAN_SOLVER_FAILURE,
    SM_PLAN_INTERRUPTED         /* a signal: resumable from the last checkpoint */
} sm_plan_stop;
#define SM_PLAN_N_STOP 8
extern const char *const sm_plan_stop_names[SM_PLAN_N_STOP];

typedef struct sm_plan_iter {
    double lb, ub, gap, seconds;   /* bounds after the iteration; seconds since the start */
    int cuts;                      /* cuts added in the iteration */
    int feasibility_cuts;          /* of which feasibility cuts (-1: not recorded) */
} sm_plan_iter;

/* The outcome of one decomposition. */
typedef struct sm_plan_result {
    sm_plan_stop stop;
    double *k;              /* [nk] the incumbent (the portfolio k*) */
    double lb, ub, gap;     /* ub = fees(k*) + rho(Q(k*)) (models/risk.h) */
    double fees;            /* fees(k*) */
    double *q;              /* [n] Q_s(k*) */
    uint8_t *status;        /* [n] each future's status at k* */
    int iterations;
    sm_plan_iter *hist;     /* [iterations] */
    size_t infeasible;      /* futures infeasible for every k (at k_ub) */
    size_t first_infeasible;
    char message[200];
    double seconds;
    double master_seconds;  /* of which in the master LP */
    double futures_seconds; /* of which solving futures */
    double master_cpu_s;    /* CPU seconds in the master LP (one thread) */
    double futures_cpu_s;   /* CPU seconds solving futures (all threads) */
    int master_rows_max;    /* the master's most rows (first-stage rows and cuts) */
    long master_solves, master_iterations, master_rescues;  /* simplex calls, pivots, from scratch */
} sm_plan_result;

void sm_plan_result_free(sm_plan_result *r);

/* What a decomposition needs to go on after a completed iteration (for
 * `plan --resume`): named arrays that the caller stores and hands back
 * unchanged. Only solver/ knows what they mean; io/ stores them as they
 * are (type 'd' double, 'i' int32, 'b' uint8; n elements each). */
typedef struct sm_plan_array {
    char name[32];
    char type;
    size_t n;
    void *data;
} sm_plan_array;

typedef struct sm_plan_checkpoint {
    int n_arrays;
    sm_plan_array *arrays;
} sm_plan_checkpoint;

/* Frees every array's data and the list. */
void sm_plan_checkpoint_free(sm_plan_checkpoint *c);

/* One policy (a grid point of a sweep) planned, with MODEL.md's measures
 * ("Definitions that leave no room") under the plan's rho (models/risk.h;
 * the expectation when risk_weight is 0). */
typedef struct sm_plan_point {
    sm_plan_result rp;        /* k* (rp.k), its bounds, stop reason and history */
    double *k_full;           /* [n_offers * T] k*, 0 for spot offers */
    double *kbar_full;        /* [n_offers * T] k-bar, optimal for the average future */
    size_t n;                 /* futures */
    double rp_value;          /* RP = fees(k*) + rho(Q(k*)) (= rp.ub) */
    double ws;                /* rho(Z) */
    double eev;               /* fees(k-bar) + rho(Q(k-bar)); +inf if some future is infeasible there */
    double evpi, vss;         /* RP − WS, EEV − RP */
    size_t eev_infeasible;    /* futures infeasible at k-bar */
    sm_plan_stop eev_stop;    /* how k-bar's own plan ended */
    double fees_bar;          /* fees(k-bar) */
    double *z;                /* [n] Z_s, each future's perfect-foresight cost */
    double *regret;           /* [n] fees(k*) + Q_s(k*) − Z_s */
    double *eev_cost;         /* [n] fees(k-bar) + Q_s(k-bar); +inf where k-bar leaves s infeasible */
    double seconds;
} sm_plan_point;

void sm_plan_point_free(sm_plan_point *pt);

/* Whether the policy has a plan: its decomposition stopped with a
 * portfolio feasible in every future (at the gap or at a limit). */
int sm_plan_point_has_plan(const sm_plan_point *pt);

typedef struct sm_plan_run {
    size_t n_points;          /* grid points G */
    sm_plan_point *points;    /* [G] */
    size_t n_blocks;
    sm_block **blocks;        /* [n_blocks] the sweep's blocks; unsolved rows stay "not solved" */
    double *fees;             /* [n_scenarios] fees(k*) of each scenario's policy (NaN: no plan) */
    double seconds;
    double gap_tolerance;     /* the stopping rules it ran with */
    int iteration_limit;
    double time_limit_s;
    double risk_weight;       /* lambda and alpha of rho */
    double cvar_alpha;
    int interrupted;          /* a stop request ended it before every policy was planned */
} sm_plan_run;

void sm_plan_run_free(sm_plan_run *run);

#endif
