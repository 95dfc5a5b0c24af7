/* A two-stage stochastic plan (MODEL.md Part 2) solved by the L-shaped
 * method: a GLPK master LP over the commitments k and one variable theta_b
 * per future (multi-cut) or per block of futures, optionally in a trust
 * region around the incumbent, and the futures' recourse LPs, the sweep's
 * scenario LPs with x <= min(k, cap_s) on contract offers, re-solved in
 * parallel at each master solution.
 *
 * Determinism: each future keeps its own basis between iterations and is
 * always re-solved from it (never from whatever a thread solved before),
 * and cuts enter the master in future order, so a plan is the same for
 * any thread count. */
#ifndef SM_PLAN_H
#define SM_PLAN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "../models/commit.h"
#include "../models/plan_data.h"
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
    /* The risk functional rho(Z) = (1 - risk_weight) E[Z] + risk_weight
     * CVaR_alpha(Z) (MODEL.md Part 2); risk_weight 0 (default) is risk
     * neutral, cvar_alpha in [0, 1), default 0.95. */
    double risk_weight;
    double cvar_alpha;
    /* Called after a completed iteration of sm_plan_solve (at the
     * solver's choice, and always before it returns SM_PLAN_INTERRUPTED)
     * with everything needed to go on from there; an error it returns
     * ends the plan with that error. NULL: no checkpoints. */
    sm_status (*checkpoint)(void *ctx, const sm_plan_checkpoint *c, sm_diag *d);
    void *checkpoint_ctx;
    /* Asked at each iteration boundary (with checkpoint_ctx; on MPI ranks
     * collectively, with the same answer on every rank) whether the hook
     * wants a checkpoint now: building one copies every future's basis
     * and the cuts, 4-5 % of a 1,000-future plan's CPU when done at every
     * iteration (bench/README.md, "Plans, session 22") for a hook that
     * stores one every 30 s. NULL: at every boundary. A stop and the
     * plan's end always take one. */
    int (*checkpoint_due)(void *ctx);
    /* Continue from this checkpoint instead of from the start (NULL:
     * start); the result is the same as never having stopped. */
    const sm_plan_checkpoint *resume;
    /* Set (by a signal handler) to end at the next iteration boundary,
     * SM_PLAN_INTERRUPTED after a checkpoint. NULL: never. */
    const volatile sig_atomic_t *stop_flag;
    /* The master (bench/README.md, "Plans", for the figures behind the
     * defaults). cut_blocks: theta variables, each the mean recourse cost
     * of a block of futures (futures alike in their slopes at k_ub share
     * one: block_order in solver/plan_lshaped.c); -1 (default) chosen
     * from the number of futures n, n/32 and at least 10; 0 one per future
     * (multi-cut), 1 a single cut. With risk_weight > 0 it is always one
     * per future (CVaR needs each future's cost). trust_region: restrict k
     * to a box of trust_radius · k_ub around the incumbent (a trust
     * region, Linderoth & Wright 2003), widened after good steps and
     * narrowed after bad ones; the lower bound then comes from the
     * unrestricted master. drop_age: move a cut whose slack stayed basic
     * in this many master solves in a row to the cut pool, whence it
     * returns when violated (0: keep all in the master). */
    int cut_blocks;
    int trust_region;
    double trust_radius;
    int drop_age;
    sm_lp_opts lp;
} sm_plan_opts;

void sm_plan_opts_init(sm_plan_opts *o);

/* Evaluating futures at a commitment, in parallel, each from its own
 * saved basis (the base case's until its first solve). */
typedef struct sm_evaluator sm_evaluator;

sm_status sm_evaluator_new(const sm_futures *F, const sm_stage1 *s1, const sm_plan_opts *o,
                           const sm_basis *base, sm_evaluator **out, sm_diag *d);
void sm_evaluator_free(sm_evaluator **ev);
/* Keep each future's numbers after its first solve, up to budget bytes in
 * all (plan_cache.h), so that later calls of sm_evaluate only re-bound the
 * commitment columns: for an evaluator solved at many commitments. The
 * numbers are the same kept or recomputed, so results do not change. */
void sm_evaluator_keep_coeffs(sm_evaluator *ev, size_t budget);
size_t sm_evaluator_kept_bytes(const sm_evaluator *ev);
/* Once *flag (NULL: never) is set, sm_evaluate skips the futures it has
 * not solved yet: its results are then incomplete, for a caller that
 * checks the flag and discards them (the measures' passes; never the
 * L-shaped method's, whose cuts need every future). */
void sm_evaluator_stop_on(sm_evaluator *ev, const volatile sig_atomic_t *flag);

/* After the L-shaped method (with MPI ranks each rank holds only its own
 * futures' bases): every future's basis on every rank, so that a pass run
 * whole on each rank (one with a sink) starts each future where one
 * process would. Collective; nothing to do with one rank. */
sm_status sm_evaluator_share_bases(sm_evaluator *ev, sm_diag *d);

/* Solve every future at k[nk]: q[s] = Q_s(k) (NaN unless optimal),
 * status[s], and, when g is not NULL, g[s*nk + j] the slope of Q_s in k[j]
 * (the reduced cost of k[j]'s x column where k binds, else 0). With g, an
 * infeasible future instead gets q[s] = w_s(k), the least total violation
 * of its floors (phase one), and g its slopes: k' with w_s(k) + g·(k' − k)
 * > 0 leaves it infeasible too. sink, when not NULL, sees every solution. */
sm_status sm_evaluate(sm_evaluator *ev, const double *k, double *q, uint8_t *status, double *g,
                      sm_future_sink sink, void *sink_ctx, sm_diag *d);

/* The L-shaped method on F with first stage s1. A future infeasible at
 * k_ub is infeasible for every k (more commitment only loosens it): the
 * result is then SM_PLAN_INFEASIBLE with the count, and SM_OK returned;
 * only memory and solver failures are errors. */
sm_status sm_plan_solve(const sm_futures *F, const sm_stage1 *s1, const sm_plan_opts *o,
                        const sm_basis *base, sm_plan_result *r, sm_diag *d);
/* The same, handing its evaluator over in *keep (free it with
 * sm_evaluator_free; NULL when the plan failed before it had one): each
 * future's last basis and kept numbers, for the passes after the plan
 * (solver/plan_point.c). The bases are those a checkpoint taken when the
 * plan ended holds, so a plan resumed from it hands over the same ones.
 * It refers to F, s1 and o, which must outlive it. */
sm_status sm_plan_solve_keep(const sm_futures *F, const sm_stage1 *s1, const sm_plan_opts *o,
                             const sm_basis *base, sm_plan_result *r, sm_evaluator **keep,
                             sm_diag *d);

/* Plan grid point g of sw: its futures are scenarios g + s·G, s < S. sink
 * (may be NULL) sees every future solved at k*, with s its sample number. */
sm_status sm_plan_point_run(const sm_problem *p, const sm_sweep *sw, size_t g,
                            const sm_plan_opts *o, const sm_basis *base, sm_future_sink sink,
                            void *sink_ctx, sm_plan_point *pt, sm_diag *d);

/* One future's two-stage problem (F->n == 1). Without first-stage rows,
 * committing exactly what is bought is optimal, so it is one LP (a
 * contract tonne bounded by k_ub, costing fee + c) and k = its x; with
 * rows, the L-shaped method. */
sm_status sm_plan_single(const sm_futures *F, const sm_stage1 *s1, const sm_plan_opts *o,
                         const sm_basis *base, sm_plan_result *r, sm_diag *d);

/* The extensive form (deterministic equivalent) of grid point g's plan
 * under o's risk functional (o NULL: risk neutral): one LP over k and
 * every future's x, s and q (and CVaR's eta and u_s), whose optimum is
 * RP; for glpsol, cbc or clp. Refused (SM_EINPUT, naming the sweep) above
 * SM_EXTENSIVE_MAX_NNZ nonzeros. */
#define SM_EXTENSIVE_MAX_NNZ 5000000
sm_status sm_plan_extensive(const sm_problem *p, const sm_sweep *sw, size_t g,
                            const sm_plan_opts *o, sm_lp **out, sm_diag *d);

/* The base case's optimal basis: where every future starts. */
sm_status sm_plan_base_basis(const sm_problem *p, const sm_lp_opts *o, sm_basis **out,
                             sm_diag *d);

#endif
