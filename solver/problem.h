/* What every thread of a run shares, read-only: the model, its LP layout
 * and the base case's inputs and numbers. Built once, before threads start. */
#ifndef SM_PROBLEM_H
#define SM_PROBLEM_H

#include "../models/lp_coeffs.h"
#include "../models/outcome.h"

typedef struct sm_problem {
    const sm_model *model;   /* not owned */
    sm_layout *layout;
    sm_inputs *base_inputs;
    sm_coeffs *base_coeffs;
    sm_dims dims;
} sm_problem;

sm_status sm_problem_new(const sm_model *m, sm_problem **out, sm_diag *d);
void sm_problem_free(sm_problem **p);

#endif
