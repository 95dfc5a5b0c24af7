/* A plan file (docs/RESULTS.md, "Plan files"; layout 3): a sweep's
 * results file whose per-scenario datasets hold every future evaluated at
 * its policy's portfolio (so every reader of results files reads it),
 * plus, at the root beside them, a `policy` dimension (one per grid
 * point) with the portfolios, the measures and the convergence history,
 * and per scenario its policy, future, perfect-foresight cost and regret.
 *
 * The file is written as policies finish: each save works on a copy that
 * then replaces the file in one rename, so a kill at any moment leaves the
 * last saved file whole. /plan_resume holds the unfinished policy's last
 * checkpoint (absent in a finished file). */
#ifndef SM_PLAN_H5_H
#define SM_PLAN_H5_H

#include "../models/plan_data.h"
#include "results_h5.h"

/* The layout version of plan files. */
#define SM_PLAN_LAYOUT_VERSION 3

/* Create the plan file at path with every variable and nothing planned
 * (NaN, plan_stop not_run, scenarios not solved); run gives the settings
 * (gap, limits, risk) recorded for --resume. Built under a temporary name
 * and put in place whole; an existing path is replaced only with force. */
sm_status sm_plan_file_create(const char *path, const sm_results_info *info, int force,
                              const sm_plan_run *run, sm_diag *d);

/* Save policies [g0, g1) of run (finished: their scenarios, portfolios,
 * measures and history) and, when ck is not NULL, policy ck_g's
 * checkpoint in /plan_resume, which is removed otherwise. */
sm_status sm_plan_file_save(const char *path, const sm_results_info *info, const sm_plan_run *run,
                            size_t g0, size_t g1, const sm_plan_checkpoint *ck, size_t ck_g,
                            sm_diag *d);

/* What a plan file to be resumed holds: done[g] (G bytes, the caller's)
 * set for every finished policy, and the interrupted policy's checkpoint
 * (*ck, new arrays the caller frees; n_arrays 0 when none) with *ck_g.
 * A file of another model, sweep, layout or settings (run's gap, limits,
 * risk) is refused (SM_EINPUT naming what differs); nothing is changed. */
sm_status sm_plan_file_resume(const char *path, sm_results_info *info, const sm_plan_run *run,
                              uint8_t *done, sm_plan_checkpoint *ck, size_t *ck_g, sm_diag *d);

#endif
