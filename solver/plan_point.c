/* One policy planned and measured (see plan.h): RP by the L-shaped method,
 * WS from each future's perfect-foresight problem, EEV from the portfolio
 * of the average future, and the regrets. */
#include "plan.h"
#include "plan_checkpoint.h"
#include "plan_mpi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../models/commit.h"
#include "../models/risk.h"

/* SM_PLAN_PHASES set: each phase's wall and process CPU seconds on
 * stderr (bench/README.md, "Plans, session 22"). */
static void phase(const char *name, double *t, double *cpu)
{
    double t1 = sm_clock_s(), c1 = sm_clock_process_cpu_s();
    if (name && getenv("SM_PLAN_PHASES"))
        fprintf(stderr, "phase %-10s %8.3f s wall %8.3f s cpu\n", name, t1 - *t, c1 - *cpu);
    *t = t1;
    *cpu = c1;
}

/* Only the EEV pass starts each future from the basis the decomposition
 * left it. Not k*'s, whose solutions go into the file: warm there (0.22 →
 * 0.02 s CPU at 1,000 futures) it gave the same costs but other bases of
 * the same degenerate vertices, with shortfalls of ±1e-10 where the base
 * case's start gives exact zeros (reader_frame_figures then drew axes of
 * 1e-13). Not WS: its foresight LPs price a contract tonne with its fee,
 * and from k*'s bases the pass took 0.32 s against 0.17 (bench/README.md,
 * "Plans, session 22"). */

/* The futures of grid point g, or one of them (only >= 0). */
typedef struct sweep_futures {
    const sm_problem *p;
    const sm_sweep *sw;
    size_t g;
    long only;
} sweep_futures;

static size_t scenario_of(const sweep_futures *f, size_t s)
{
    size_t j = f->only >= 0 ? (size_t)f->only : s;
    return f->g + j * f->sw->grid_size;
}

/* The second stage: fees are paid on k, a delivered tonne costs c. */
static void recourse_coeffs(const void *ctx, size_t s, double *values, sm_inputs *in,
                            sm_coeffs *c)
{
    const sweep_futures *f = ctx;
    sm_scenario_inputs(f->p, f->sw, scenario_of(f, s), values, in);
    in->fees_on_delivery = 0;
    sm_coeffs_compute(f->p->model, f->p->layout, in, c);
}

/* Perfect foresight, as a plain sweep solves it: evaluated at k_ub, Q_s
 * is then Z_s when no first-stage row binds what one commits. */
static void foresight_coeffs(const void *ctx, size_t s, double *values, sm_inputs *in,
                             sm_coeffs *c)
{
    const sweep_futures *f = ctx;
    sm_scenario_coeffs(f->p, f->sw, scenario_of(f, s), values, in, c);
}

/* The average future: one LP, the futures' recourse numbers averaged. */
typedef struct avg_future {
    const sm_coeffs *c;
    const sm_model *m;
} avg_future;

static void avg_coeffs(const void *ctx, size_t s, double *values, sm_inputs *in, sm_coeffs *c)
{
    const avg_future *a = ctx;
    (void)s;
    (void)values;
    sm_inputs_reset(a->m, in);
    in->fees_on_delivery = 0;
    size_t nc = (size_t)c->n_cols * sizeof(double), nr = (size_t)c->n_rows * sizeof(double);
    memcpy(c->col_lb, a->c->col_lb, nc);
    memcpy(c->col_ub, a->c->col_ub, nc);
    memcpy(c->obj, a->c->obj, nc);
    memcpy(c->row_lb, a->c->row_lb, nr);
    memcpy(c->row_ub, a->c->row_ub, nr);
}

static void add_scaled(double *sum, const double *v, int n, double w)
{
    for (int i = 0; i < n; i++)
        sum[i] += w * v[i];
}

/* Probability-weighted means of the futures' LP numbers, in future order. */
static sm_status average_future(const sweep_futures *f, size_t n, sm_coeffs *avg, sm_diag *d)
{
    sm_status st = SM_OK;
    sm_inputs *in = sm_inputs_new(f->p->model);
    sm_coeffs *c = sm_coeffs_new(f->p->layout);
    double *values = malloc(((size_t)f->sw->n_params + 1) * sizeof *values);
    if (!in || !c || !values)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    int nc = avg->n_cols, nr = avg->n_rows;
    double *parts[5] = {avg->col_lb, avg->col_ub, avg->obj, avg->row_lb, avg->row_ub};
    for (int a = 0; a < 5; a++)
        memset(parts[a], 0, (size_t)(a < 3 ? nc : nr) * sizeof(double));
    for (size_t s = 0; s < n; s++) {
        recourse_coeffs(f, s, values, in, c);
        double w = 1.0 / (double)n;
        add_scaled(avg->col_lb, c->col_lb, nc, w);
        add_scaled(avg->col_ub, c->col_ub, nc, w);
        add_scaled(avg->obj, c->obj, nc, w);
        add_scaled(avg->row_lb, c->row_lb, nr, w);
        add_scaled(avg->row_ub, c->row_ub, nr, w);
    }
done:
    sm_inputs_free(&in);
    sm_coeffs_free(&c);
    free(values);
    return st;
}


/* Z_s for every future: one foresight LP each when the first stage has no
 * rows, else a one-future plan each (the rows apply to what it commits);
 * WS = rho(Z). */
static sm_status wait_and_see(const sweep_futures *f, const sm_stage1 *s1, const sm_plan_opts *o,
                              const sm_basis *base, sm_plan_point *pt, sm_diag *d)
{
    sm_status st = SM_OK;
    sm_evaluator *ev = NULL;
    uint8_t *status = calloc(pt->n + 1, 1);
    if (!status)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    /* rho of one outcome is that outcome: its own plan need not carry
     * the risk terms. */
    sm_plan_opts neutral = *o;
    neutral.risk_weight = 0.0;
    if (s1->n_rows == 0) {
        sm_futures F = {f->p, pt->n, f->sw->n_params, foresight_coeffs, f};
        SM_TRY(sm_evaluator_new(&F, s1, o, base, &ev, d));
        sm_evaluator_stop_on(ev, o->stop_flag);
        SM_TRY(sm_evaluate(ev, s1->ub, pt->z, status, NULL, NULL, NULL, d));
    } else {
        /* Agreed: each one-future plan is shared among the MPI ranks, so
         * all of them must leave the loop at the same future. */
        for (size_t s = 0; s < pt->n && !(o->stop_flag && sm_plan_mpi_any(*o->stop_flag)); s++) {
            sweep_futures one = *f;
            one.only = (long)s;
            sm_futures F = {f->p, 1, f->sw->n_params, recourse_coeffs, &one};
            sm_plan_result r;
            SM_TRY(sm_plan_single(&F, s1, &neutral, base, &r, d));
            pt->z[s] = r.stop == SM_PLAN_GAP ? r.ub : NAN;
            sm_plan_result_free(&r);
        }
    }
    pt->ws = sm_risk_value(pt->z, pt->n, o->risk_weight, o->cvar_alpha);
done:
    sm_evaluator_free(&ev);
    free(status);
    return st;
}

static int planned(sm_plan_stop s)
{
    return s == SM_PLAN_GAP || s == SM_PLAN_ITERATION_LIMIT || s == SM_PLAN_TIME_LIMIT;
}

/* k-bar for the average future, and EEV: fees(k-bar) + rho(Q(k-bar)). */
static sm_status expected_of_average(const sweep_futures *f, const sm_stage1 *s1,
                                     const sm_plan_opts *o, const sm_basis *base,
                                     sm_evaluator *kept, sm_plan_point *pt, sm_diag *d)
{
    sm_status st = SM_OK;
    const sm_problem *p = f->p;
    sm_coeffs *avg = sm_coeffs_new(p->layout);
    sm_plan_result r;
    memset(&r, 0, sizeof r);
    double *q = calloc(pt->n + 1, sizeof *q);
    uint8_t *status = calloc(pt->n + 1, 1);
    if (!avg || !q || !status)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    SM_TRY(average_future(f, pt->n, avg, d));
    avg_future a = {avg, p->model};
    sm_futures Fa = {p, 1, f->sw->n_params, avg_coeffs, &a};
    sm_plan_opts neutral = *o; /* one (average) future: rho is its cost */
    neutral.risk_weight = 0.0;
    SM_TRY(sm_plan_single(&Fa, s1, &neutral, base, &r, d));
    pt->eev_stop = r.stop;
    pt->fees_bar = r.fees;
    sm_stage1_expand(s1, p->model->n_offers, r.k, pt->kbar_full);
    pt->eev = HUGE_VAL;
    pt->eev_infeasible = pt->n;
    for (size_t s = 0; s < pt->n; s++)
        pt->eev_cost[s] = HUGE_VAL;
    if (!planned(r.stop) || !isfinite(r.ub))
        goto done; /* no k-bar: the average future itself has no plan */
    sm_evaluator_stop_on(kept, o->stop_flag);
    SM_TRY(sm_evaluate(kept, r.k, q, status, NULL, NULL, NULL, d));
    pt->eev_infeasible = 0;
    for (size_t s = 0; s < pt->n; s++) {
        pt->eev_infeasible += status[s] != SM_SCEN_OPTIMAL;
        pt->eev_cost[s] = status[s] == SM_SCEN_OPTIMAL ? r.fees + q[s] : HUGE_VAL;
    }
    if (!pt->eev_infeasible)
        pt->eev = r.fees + sm_risk_value(q, pt->n, o->risk_weight, o->cvar_alpha);
done:
    sm_plan_result_free(&r);
    sm_coeffs_free(&avg);
    free(q);
    free(status);
    return st;
}

/* Every future once more at k*, for the file, from the base case's basis
 * (see above: not the decomposition's kept bases). */
static sm_status evaluate_plan(const sweep_futures *f, const sm_stage1 *s1, const sm_plan_opts *o,
                               const sm_basis *base, sm_future_sink sink, void *sink_ctx,
                               sm_plan_point *pt, sm_diag *d)
{
    sm_status st = SM_OK;
    sm_evaluator *ev = NULL;
    double *q = calloc(pt->n + 1, sizeof *q);
    uint8_t *status = calloc(pt->n + 1, 1);
    if (!q || !status)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    sm_futures F = {f->p, pt->n, f->sw->n_params, recourse_coeffs, f};
    SM_TRY(sm_evaluator_new(&F, s1, o, base, &ev, d));
    sm_evaluator_stop_on(ev, o->stop_flag);
    SM_TRY(sm_evaluate(ev, pt->rp.k, q, status, NULL, sink, sink_ctx, d));
done:
    sm_evaluator_free(&ev);
    free(q);
    free(status);
    return st;
}


/* The caller's checkpoint hook, and a copy of the decomposition's last
 * checkpoint once it has ended: what a stop during the measures saves. */
typedef struct final_ckpt {
    sm_status (*fn)(void *ctx, const sm_plan_checkpoint *c, sm_diag *d);
    void *ctx;
    int (*due)(void *ctx);
    sm_plan_checkpoint last;
} final_ckpt;

static int keep_due(void *ctx)
{
    final_ckpt *f = ctx;
    return f->due(f->ctx);
}

static sm_status keep_final(void *ctx, const sm_plan_checkpoint *c, sm_diag *d)
{
    final_ckpt *f = ctx;
    if (sm_ckpt_ended(c)) {
        sm_status st = sm_ckpt_copy(&f->last, c, d);
        if (st != SM_OK)
            return st;
    }
    return f->fn(f->ctx, c, d);
}

/* A stop requested (on any rank) during the measures: hand the ended
 * decomposition's checkpoint to the caller's hook once more (which saves
 * it, a stop being requested) and mark the policy interrupted, so that a
 * resume has its RP at once and computes the measures anew. */
static sm_status measures_stopped(const sm_plan_opts *o, final_ckpt *fc, sm_plan_point *pt,
                                  int *stopped, sm_diag *d)
{
    *stopped = o->stop_flag && sm_plan_mpi_any(*o->stop_flag);
    if (!*stopped)
        return SM_OK;
    pt->rp.stop = SM_PLAN_INTERRUPTED;
    pt->ws = pt->eev = pt->evpi = pt->vss = NAN;
    return fc->last.n_arrays ? fc->fn(fc->ctx, &fc->last, d) : SM_OK;
}

/* k*'s evaluation for the file, WS and EEV (and so EVPI, VSS and the
 * regrets), each pass checked for a stop request (measures_stopped). */
static sm_status measures(const sweep_futures *f, const sm_stage1 *s1, const sm_plan_opts *o,
                          const sm_basis *base, sm_evaluator *kept, sm_future_sink sink,
                          void *sink_ctx, final_ckpt *fc, sm_plan_point *pt, sm_diag *d)
{
    sm_status st = SM_OK;
    /* The measures' own plans (one future each) are not the policy's
     * decomposition: no checkpoints, no resume; their passes skip what is
     * left once a stop is requested. */
    sm_plan_opts inner = *o;
    inner.checkpoint = NULL;
    inner.resume = NULL;
    int stopped;
    double t, cpu;
    phase(NULL, &t, &cpu);
    SM_TRY(sm_evaluator_share_bases(kept, d));
    SM_TRY(evaluate_plan(f, s1, &inner, base, sink, sink_ctx, pt, d));
    phase("final", &t, &cpu);
    SM_TRY(measures_stopped(o, fc, pt, &stopped, d));
    if (!stopped)
        SM_TRY(wait_and_see(f, s1, &inner, base, pt, d));
    phase("ws", &t, &cpu);
    if (!stopped)
        SM_TRY(measures_stopped(o, fc, pt, &stopped, d));
    if (!stopped)
        SM_TRY(expected_of_average(f, s1, &inner, base, kept, pt, d));
    phase("eev", &t, &cpu);
    if (!stopped)
        SM_TRY(measures_stopped(o, fc, pt, &stopped, d));
    if (stopped)
        return SM_OK;
    pt->evpi = pt->rp_value - pt->ws;
    pt->vss = pt->eev - pt->rp_value;
    for (size_t s = 0; s < pt->n; s++)
        pt->regret[s] = pt->rp.fees + pt->rp.q[s] - pt->z[s];
done:
    return st;
}

sm_status sm_plan_point_run(const sm_problem *p, const sm_sweep *sw, size_t g,
                            const sm_plan_opts *o, const sm_basis *base, sm_future_sink sink,
                            void *sink_ctx, sm_plan_point *pt, sm_diag *d)
{
    sm_status st = SM_OK;
    const sm_model *m = p->model;
    sm_stage1 *s1 = NULL;
    final_ckpt fc = {o->checkpoint, o->checkpoint_ctx, o->checkpoint_due, {0, NULL}};
    sm_evaluator *kept = NULL; /* the decomposition's, for the measures */
    sm_inputs *policy = sm_inputs_new(m);
    double *values = malloc(((size_t)sw->n_params + 1) * sizeof *values);
    memset(pt, 0, sizeof *pt);
    pt->n = sw->samples;
    size_t nkf = (size_t)m->n_offers * (size_t)m->n_periods + 1;
    pt->k_full = calloc(nkf, sizeof(double));
    pt->kbar_full = calloc(nkf, sizeof(double));
    pt->z = calloc(pt->n + 1, sizeof(double));
    pt->regret = calloc(pt->n + 1, sizeof(double));
    pt->eev_cost = malloc((pt->n + 1) * sizeof(double));
    if (!policy || !values || !pt->k_full || !pt->kbar_full || !pt->z || !pt->regret ||
        !pt->eev_cost)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    for (size_t s = 0; s < pt->n; s++)
        pt->eev_cost[s] = NAN;
    sm_sweep_values(sw, g, values);
    sm_commit_policy_inputs(m, sw, values, policy);
    SM_TRY(sm_stage1_build(m, policy, &s1, d));
    sweep_futures f = {p, sw, g, -1};
    sm_futures F = {p, pt->n, sw->n_params, recourse_coeffs, &f};
    sm_plan_opts ro = *o;
    if (o->checkpoint) {
        ro.checkpoint = keep_final;
        ro.checkpoint_ctx = &fc;
        ro.checkpoint_due = o->checkpoint_due ? keep_due : NULL;
    }
    double t, cpu;
    phase(NULL, &t, &cpu);
    SM_TRY(sm_plan_solve_keep(&F, s1, &ro, base, &pt->rp, &kept, d));
    phase("lshaped", &t, &cpu);
    if (getenv("SM_PLAN_PHASES"))
        fprintf(stderr, "phase   master %8.3f s wall %8.3f s cpu; futures %8.3f s wall %8.3f s "
                "cpu; %d iterations\n", pt->rp.master_seconds, pt->rp.master_cpu_s,
                pt->rp.futures_seconds, pt->rp.futures_cpu_s, pt->rp.iterations);
    pt->rp_value = pt->rp.ub;
    pt->seconds = pt->rp.seconds;
    pt->ws = pt->eev = pt->evpi = pt->vss = NAN;
    if (pt->rp.stop == SM_PLAN_INTERRUPTED)
        goto done; /* resumed later from its checkpoint */
    if (!sm_plan_point_has_plan(pt)) {
        if (planned(pt->rp.stop))
            snprintf(pt->rp.message, sizeof pt->rp.message,
                     "stopped (%s) before any portfolio was feasible in every future",
                     sm_plan_stop_names[pt->rp.stop]);
        goto done; /* reported by the caller; the other policies go on */
    }
    sm_stage1_expand(s1, m->n_offers, pt->rp.k, pt->k_full);
    SM_TRY(measures(&f, s1, o, base, kept, sink, sink_ctx, &fc, pt, d));
done:
    sm_evaluator_free(&kept);
    sm_plan_checkpoint_free(&fc.last);
    sm_stage1_free(&s1);
    sm_inputs_free(&policy);
    free(values);
    return st;
}
