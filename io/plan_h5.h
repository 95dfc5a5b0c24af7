/* A plan file (docs/RESULTS.md, "Plan files"): a sweep's results file
 * whose per-scenario datasets hold every future evaluated at its policy's
 * portfolio (so every reader of results files reads it), plus a /plan
 * group: the portfolio [grid_point, supplier, material, period], the
 * measures [grid_point], each scenario's perfect-foresight cost, regret
 * and commitment cost, and the convergence history. */
#ifndef SM_PLAN_H5_H
#define SM_PLAN_H5_H

#include "../models/plan_data.h"
#include "results_h5.h"

/* The layout version of plan files: a results file (layout 1) plus /plan. */
#define SM_PLAN_LAYOUT_VERSION 2

/* Write run to path (refused if it exists, unless force). */
sm_status sm_plan_write(const char *path, const sm_results_info *info, int force,
                        const sm_plan_run *run, sm_diag *d);

#endif
