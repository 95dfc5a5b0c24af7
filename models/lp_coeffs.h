/* The numbers of one scenario's LP: column bounds, objective and row
 * bounds (MODEL.md), computed from a model and its scenario inputs. The
 * matrix is in sm_layout and never changes. */
#ifndef SM_LP_COEFFS_H
#define SM_LP_COEFFS_H

#include "inputs.h"
#include "lp_layout.h"

typedef struct sm_coeffs {
    int n_cols, n_rows;
    double *col_lb, *col_ub, *obj;   /* infinite bounds are -HUGE_VAL / HUGE_VAL */
    double *row_lb, *row_ub;
    double obj_const;                /* the objective's constant term (USD) */
} sm_coeffs;

sm_coeffs *sm_coeffs_new(const sm_layout *L);
void sm_coeffs_free(sm_coeffs **c);

/* Fill c for the scenario described by in. Costs no allocation, so it can
 * run once per scenario inside a sweep. */
void sm_coeffs_compute(const sm_model *m, const sm_layout *L, const sm_inputs *in,
                       sm_coeffs *c);

/* The parts of sm_coeffs_compute, for a caller that recomputes only what
 * a scenario moved (sm_scenario_patch, models/problem.h): offer o's
 * purchase columns; material mat's stock and shortfall columns and its
 * balance rows. */
void sm_coeffs_offer(const sm_model *m, const sm_layout *L, const sm_inputs *in, int o,
                     sm_coeffs *c);
/* sm_coeffs_offer's two halves: the columns' bounds (capacity times
 * availability) and their costs (discounted unit cost plus fee). */
void sm_coeffs_offer_bounds(const sm_model *m, const sm_layout *L, const sm_inputs *in, int o,
                            sm_coeffs *c);
void sm_coeffs_offer_costs(const sm_model *m, const sm_layout *L, const sm_inputs *in, int o,
                           sm_coeffs *c);
void sm_coeffs_material(const sm_model *m, const sm_layout *L, const sm_inputs *in, int mat,
                        sm_coeffs *c);

/* The row bounds of limit k at share (a fraction of demand), as
 * sm_coeffs_compute sets them for in->share[k]: for ranging a limit. */
void sm_coeffs_limit_share(const sm_model *m, const sm_layout *L, const sm_inputs *in, int k,
                           double share, sm_coeffs *c);

#endif
