/* A plan of every policy of a sweep (see plan_sweep.h): grid points one
 * after the other, each over its futures in parallel; every scenario's
 * evaluation at its policy's portfolio kept in blocks laid out as a
 * sweep's results. */
#include "plan_sweep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "plan_mpi.h"

typedef struct sink_ctx {
    const sm_problem *p;
    const sm_sweep *sw;
    sm_plan_run *run;
    size_t g;
} sink_ctx;

/* Future s of the current grid point solved at k*: its row of the file. */
static void keep_future(void *ctx, size_t s, const sm_inputs *in, const double *x,
                        const double *y, const sm_solve_info *info)
{
    sink_ctx *c = ctx;
    size_t i = c->g + s * c->sw->grid_size, B = c->sw->block_size;
    sm_block *b = c->run->blocks[i / B];
    size_t row = i % B;
    if (info->status == SM_SCEN_OPTIMAL)
        sm_block_fill_row(b, row, c->p->model, c->p->layout, in, x, y);
    else
        sm_block_clear_row(b, row);
    sm_block_set_status(b, row, info->status, info->glpk_code, info->iterations, info->seconds);
    sm_sweep_values(c->sw, i, sm_block_row(b, SM_V_PARAMETERS, row));
}

/* MODEL.md: a future's total_cost in a plan is fees(k*) + Q_s(k*). */
static void add_fees(sm_plan_run *run, const sm_sweep *sw, size_t g)
{
    const sm_plan_point *pt = &run->points[g];
    for (size_t s = 0; s < sw->samples; s++) {
        size_t i = g + s * sw->grid_size, B = sw->block_size;
        sm_block *b = run->blocks[i / B];
        run->fees[i] = pt->rp.fees;
        if (*(int8_t *)sm_block_row(b, SM_V_STATUS, i % B) == SM_SCEN_OPTIMAL)
            sm_block_add_fees(b, i % B, pt->rp.fees);
    }
}


static sm_status alloc_run(const sm_problem *p, const sm_sweep *sw, int full, sm_plan_run *run,
                           sm_diag *d)
{
    memset(run, 0, sizeof *run);
    run->n_points = sw->grid_size;
    run->n_blocks = sm_sweep_blocks(sw);
    run->points = calloc(run->n_points, sizeof *run->points);
    run->blocks = calloc(run->n_blocks + 1, sizeof *run->blocks);
    run->fees = calloc(sw->n_scenarios + 1, sizeof *run->fees);
    if (!run->points || !run->blocks || !run->fees)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    sm_dims dims = p->dims;
    dims.n[SM_DIM_PARAMETER] = sw->n_params;
    for (size_t b = 0; b < run->n_blocks; b++) {
        size_t len = sm_sweep_block_len(sw, b);
        if (!(run->blocks[b] = sm_block_new(&dims, len, full)))
            return sm_diag_fail(d, SM_ENOMEM, "out of memory");
        run->blocks[b]->count = len;
        for (size_t r = 0; r < len; r++)
            sm_block_clear_row(run->blocks[b], r);
    }
    for (size_t i = 0; i < sw->n_scenarios; i++)
        run->fees[i] = NAN;
    return SM_OK;
}

void sm_plan_run_settings(sm_plan_run *run, const sm_plan_opts *o)
{
    run->gap_tolerance = o->gap;
    run->iteration_limit = o->max_iterations;
    run->time_limit_s = o->time_limit_s;
    run->risk_weight = o->risk_weight;
    run->cvar_alpha = o->cvar_alpha;
}

typedef struct point_ctx {
    const sm_plan_hooks *h;
    const sm_plan_run *run;
    size_t g;
} point_ctx;

/* sm_plan_solve's checkpoints of the current policy, to the saver. */
static sm_status on_checkpoint(void *ctx, const sm_plan_checkpoint *c, sm_diag *d)
{
    const point_ctx *pc = ctx;
    return pc->h->save ? pc->h->save(pc->h->save_ctx, pc->run, pc->g, c, d) : SM_OK;
}

static int on_due(void *ctx)
{
    const point_ctx *pc = ctx;
    return pc->h->save_due(pc->h->save_ctx);
}

static int stop_requested(const sm_plan_opts *o)
{
    return o->stop_flag && sm_plan_mpi_any(*o->stop_flag);
}

/* Policy g, from its checkpoint when it has one; then saved. */
static sm_status plan_policy(const sm_problem *p, const sm_sweep *sw, const sm_plan_opts *o,
                             const sm_basis *base, const sm_plan_hooks *h, sm_plan_run *run,
                             size_t g, sm_diag *d)
{
    sm_status st = SM_OK;
    sink_ctx c = {p, sw, run, g};
    point_ctx pc = {h, run, g};
    sm_plan_opts og = *o;
    og.checkpoint = h->save ? on_checkpoint : NULL;
    og.checkpoint_ctx = &pc;
    og.checkpoint_due = h->save && h->save_due ? on_due : NULL;
    og.resume = h->resume && h->resume->n_arrays && h->resume_g == g ? h->resume : NULL;
    SM_TRY(sm_plan_point_run(p, sw, g, &og, base, keep_future, &c, &run->points[g], d));
    if (run->points[g].rp.stop == SM_PLAN_INTERRUPTED) {
        run->interrupted = 1; /* its checkpoint is saved */
        return SM_OK;
    }
    add_fees(run, sw, g);
    if (h->save)
        SM_TRY(h->save(h->save_ctx, run, g, NULL, d));
    if (h->progress)
        h->progress(h->progress_ctx, g, &run->points[g]);
done:
    return st;
}

sm_status sm_plan_sweep_from(const sm_problem *p, const sm_sweep *sw, const sm_plan_opts *o,
                             int full, const sm_plan_hooks *h, sm_plan_run *run, sm_diag *d)
{
    sm_status st = SM_OK;
    sm_basis *base = NULL;
    double t0 = sm_clock_s();
    SM_TRY(alloc_run(p, sw, full, run, d));
    sm_plan_run_settings(run, o);
    SM_TRY(sm_plan_base_basis(p, &o->lp, &base, d));
    for (size_t g = 0; g < sw->grid_size && !run->interrupted; g++) {
        if (h->done && h->done[g])
            continue;
        if (stop_requested(o))
            run->interrupted = 1;
        else
            SM_TRY(plan_policy(p, sw, o, base, h, run, g, d));
    }
done:
    run->seconds = sm_clock_s() - t0;
    sm_basis_free(&base);
    /* The master lived in this thread's GLPK environment; it is freed. */
    sm_lp_thread_end();
    return st;
}

sm_status sm_plan_sweep(const sm_problem *p, const sm_sweep *sw, const sm_plan_opts *o, int full,
                        sm_plan_progress progress, void *progress_ctx, sm_plan_run *run,
                        sm_diag *d)
{
    sm_plan_hooks h;
    memset(&h, 0, sizeof h);
    h.progress = progress;
    h.progress_ctx = progress_ctx;
    return sm_plan_sweep_from(p, sw, o, full, &h, run, d);
}
