/* Plan data: names and lifetimes (see plan_data.h). */
#include "plan_data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const sm_plan_stop_names[SM_PLAN_N_STOP] = {
    "not_run", "gap_reached", "iteration_limit", "time_limit", "infeasible",
    "needs_feasibility_cuts", "solver_failure", "interrupted"};

void sm_plan_result_free(sm_plan_result *r)
{
    free(r->k);
    free(r->q);
    free(r->status);
    free(r->hist);
    memset(r, 0, sizeof *r);
}

void sm_plan_point_free(sm_plan_point *pt)
{
    sm_plan_result_free(&pt->rp);
    free(pt->k_full);
    free(pt->kbar_full);
    free(pt->z);
    free(pt->regret);
    free(pt->eev_cost);
    memset(pt, 0, sizeof *pt);
}

int sm_plan_point_has_plan(const sm_plan_point *pt)
{
    sm_plan_stop s = pt->rp.stop;
    int planned = s == SM_PLAN_GAP || s == SM_PLAN_ITERATION_LIMIT || s == SM_PLAN_TIME_LIMIT;
    return planned && isfinite(pt->rp.ub);
}

void sm_plan_run_free(sm_plan_run *run)
{
    for (size_t g = 0; run->points && g < run->n_points; g++)
        sm_plan_point_free(&run->points[g]);
    for (size_t b = 0; run->blocks && b < run->n_blocks; b++)
        sm_block_free(&run->blocks[b]);
    free(run->points);
    free(run->blocks);
    free(run->fees);
    memset(run, 0, sizeof *run);
}

void sm_plan_checkpoint_free(sm_plan_checkpoint *c)
{
    for (int i = 0; c->arrays && i < c->n_arrays; i++)
        free(c->arrays[i].data);
    free(c->arrays);
    memset(c, 0, sizeof *c);
}
