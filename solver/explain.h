/* Why a scenario is infeasible: the least relaxation of its floors and
 * end-stock targets that makes it feasible (an elastic LP; MODEL.md
 * "Infeasibility explained").
 *
 * The elastic LP is the scenario's LP with every cost set to zero, one
 * slack column e >= 0 on each dependency-floor row (sum x + e >= share·d)
 * and the end-stock target s[m,n] >= send[m] moved from a column bound to
 * a row with its own slack (s[m,n] + e >= send[m]). It minimises the
 * relaxation weighted in each row's units: one percentage point of demand
 * per floor row (cost 100/d[m,t] per tonne of slack) and one tonne per
 * stock target. Caps are never relaxed: buying less is always possible,
 * and shortfall covers demand. It is built once per thread, lazily (only
 * when an infeasible scenario appears), and solved from GLPK's standard
 * basis every time, so the answer depends on the scenario alone. */
#ifndef SM_EXPLAIN_H
#define SM_EXPLAIN_H

#include "lp.h"

typedef struct sm_explainer sm_explainer;

/* Nothing is built until the first sm_explain. */
sm_explainer *sm_explainer_new(const sm_model *m, const sm_layout *L, const sm_lp_opts *opts);
void sm_explainer_free(sm_explainer **ex);
/* Free one whose GLPK problem went with its thread's GLPK environment
 * (after SM_ESOLVER from any problem of that thread; see lp.h). */
void sm_explainer_forget(sm_explainer **ex);

/* For the scenario whose inputs are in and LP numbers c: relax_limit[K·M·T]
 * (limit, material, period) = the share (fraction of demand) by which each
 * floor row is relaxed, 0 for caps and floor rows left as they are, NaN
 * where the limit does not cover the material; relax_stock[M] = tonnes by
 * which each end-stock target is relaxed. info says how the elastic LP
 * ended: SM_SCEN_OPTIMAL, or SM_SCEN_INFEASIBLE when relaxing floors and
 * targets is not enough (then both arrays are NaN). relax_limit may be
 * NULL (summaries-only results). */
sm_status sm_explain(sm_explainer *ex, const sm_inputs *in, const sm_coeffs *c,
                     double *relax_limit, double *relax_stock, sm_solve_info *info, sm_diag *d);

/* The elastic LP as last loaded, written as sm_lp_write does (for an
 * independent solve); SM_EINTERNAL before the first sm_explain. */
sm_status sm_explain_write(sm_explainer *ex, const char *path, int lp_format, sm_diag *d);

#endif
