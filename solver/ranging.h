/* What one point of a dependency limit's share really saves, up and down,
 * and the share interval over which its shadow price holds (issue 13).
 *
 * The stored dual, limit_saving_per_point, is the price at the margin: a
 * subgradient of cost in share. At a kink of cost against share it is not
 * what one more point saves. Cost is convex in share (a right-hand side),
 * so with C(s) the optimum at share s,
 *   saving_up   = C(s) - C(s + 0.01)   (raise the share one point)
 *   saving_down = C(s - 0.01) - C(s)   (the point below, per point of rise)
 * satisfy saving_up <= dual <= saving_down, equal where cost is linear
 * across both points. Both are exact finite differences: the limit's rows
 * re-solved at s ± 0.01 from the optimal basis (two warm solves per
 * limit). The interval [share_lo, share_hi] is where the optimal basis
 * stays optimal as the share moves (a ratio test along the limit's rows),
 * so the dual holds there. GLPK's glp_analyze_bound ranges one row's
 * bound; a limit's share moves all its rows (one per material and period)
 * at once, in proportion to demand, which no single-row range answers, so
 * the ratio test here moves them together (one FTRAN per limit, through
 * either engine's factors: sm_lp_rhs_range). */
#ifndef SM_RANGING_H
#define SM_RANGING_H

#include "lp.h"

typedef struct sm_ranger sm_ranger;

sm_ranger *sm_ranger_new(const sm_model *m, const sm_layout *L);
void sm_ranger_free(sm_ranger **r);

/* Per limit k: up[k], down[k] in USD per point (-inf/+inf where the LP
 * becomes infeasible at s ± 0.01), lo[k], hi[k] the share interval. Call
 * after an optimal solve of lp with numbers c of inputs in; lp is left with
 * c loaded and the same basis. SM_ESOLVER after a GLPK fatal error (lp is
 * then dead, as after sm_lp_solve); SM_EINTERNAL when CLP finds no
 * optimal basis to range (never NaN in its place). */
sm_status sm_ranging_limits(sm_ranger *r, sm_lp *lp, const sm_inputs *in, const sm_coeffs *c,
                            double *up, double *down, double *lo, double *hi, sm_diag *d);

#endif
