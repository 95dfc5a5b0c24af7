/* The human-readable report of one solved scenario (`supplymix solve`). */
#ifndef SM_REPORT_H
#define SM_REPORT_H

#include <stdio.h>

#include "../models/outcome.h"
#include "../models/sweep.h"
#include "../solver/lp.h"

typedef struct sm_report_ctx {
    const sm_model *model;
    const sm_layout *layout;
    const sm_inputs *inputs;
    const sm_block *block;     /* row 0 holds the scenario */
    const sm_solve_info *info;
    const char *title;         /* e.g. "base case" */
    int lp_rows, lp_cols, lp_nonzeros;
    const sm_sweep *sweep;     /* a sweep's scenario: its sweep, else NULL */
    const double *values;      /* and its parameter values, in the sweep's order */
    /* An infeasible scenario's least relaxation (solver/explain.h), NULL
     * when not computed; relax_status says how the elastic LP ended. */
    const double *relax_limit, *relax_stock;
    sm_scen_status relax_status;
    /* Per limit (solver/ranging.h), NULL when not computed: what one
     * point up and down saves, and where the shadow price holds. */
    const double *saving_up, *saving_down, *share_lo, *share_hi;
    /* The optimal solution (columns, row duals) and its numbers, to say
     * what held supply where demand went short; NULL to leave that out. */
    const double *x, *y;
    const sm_coeffs *coeffs;
} sm_report_ctx;

void sm_report_print(FILE *out, const sm_report_ctx *r);

#endif
