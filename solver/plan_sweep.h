/* `supplymix plan`'s computation: every grid point of a sweep (a policy)
 * planned over its random futures (MODEL.md Part 2), and every scenario
 * evaluated at its policy's portfolio, in blocks shaped as a sweep's
 * results so the results writer stores them unchanged. */
#ifndef SM_PLAN_SWEEP_H
#define SM_PLAN_SWEEP_H

#include "plan.h"

/* Called after each grid point g is planned. */
typedef void (*sm_plan_progress)(void *ctx, size_t g, const sm_plan_point *pt);

/* Plan every grid point of sw. A policy without a plan (infeasible, a
 * solver failure) is recorded in its point and the others go on; only
 * memory and GLPK failures are errors. Frees the calling thread's GLPK
 * environment at the end. */
sm_status sm_plan_sweep(const sm_problem *p, const sm_sweep *sw, const sm_plan_opts *o, int full,
                        sm_plan_progress progress, void *progress_ctx, sm_plan_run *run,
                        sm_diag *d);

#endif
