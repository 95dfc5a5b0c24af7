/* `supplymix plan`'s computation: every grid point of a sweep (a policy)
 * planned over its random futures (MODEL.md Part 2), and every scenario
 * evaluated at its policy's portfolio, in blocks shaped as a sweep's
 * results so the results writer stores them unchanged. */
#ifndef SM_PLAN_SWEEP_H
#define SM_PLAN_SWEEP_H

#include "plan.h"

/* Called after each grid point g is planned. */
typedef void (*sm_plan_progress)(void *ctx, size_t g, const sm_plan_point *pt);

/* What a sweep that saves as it goes, and may resume, is told. */
typedef struct sm_plan_hooks {
    sm_plan_progress progress;      /* may be NULL */
    void *progress_ctx;
    /* Save policy g: planned (ck NULL; its scenarios, fees and measures
     * are in run), or its checkpoint ck (from sm_plan_solve). An error
     * ends the sweep. NULL: nothing saved. */
    sm_status (*save)(void *ctx, const sm_plan_run *run, size_t g, const sm_plan_checkpoint *ck,
                      sm_diag *d);
    void *save_ctx;
    const uint8_t *done;            /* [G] policies planned before (skipped); NULL: none */
    const sm_plan_checkpoint *resume; /* where policy resume_g goes on from; NULL: none */
    size_t resume_g;
    /* Whether save wants the current policy's checkpoint now (as
     * sm_plan_opts.checkpoint_due, with save_ctx). NULL: always. */
    int (*save_due)(void *ctx);
} sm_plan_hooks;

/* The settings of run that o gives (the stopping rules and risk). */
void sm_plan_run_settings(sm_plan_run *run, const sm_plan_opts *o);

/* Plan every grid point of sw not done, in order, saving each as it is
 * planned. Before each policy, and inside it through o->stop_flag, a stop
 * request ends the sweep with run->interrupted set (SM_OK) after saving.
 * Otherwise as sm_plan_sweep. */
sm_status sm_plan_sweep_from(const sm_problem *p, const sm_sweep *sw, const sm_plan_opts *o,
                             int full, const sm_plan_hooks *h, sm_plan_run *run, sm_diag *d);

/* Plan every grid point of sw. A policy without a plan (infeasible, a
 * solver failure) is recorded in its point and the others go on; only
 * memory and GLPK failures are errors. Frees the calling thread's GLPK
 * environment at the end. */
sm_status sm_plan_sweep(const sm_problem *p, const sm_sweep *sw, const sm_plan_opts *o, int full,
                        sm_plan_progress progress, void *progress_ctx, sm_plan_run *run,
                        sm_diag *d);

#endif
