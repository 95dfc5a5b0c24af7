/* A given portfolio (`run --portfolio`, MODEL.md Part 2): the tonnes
 * k[o,t] committed, fixed for a whole sweep instead of chosen per future.
 * A scenario with a portfolio is the plan's second stage at that k: a
 * contract offer's purchases are bounded by min(k, cap_s), a delivered
 * tonne costs c, and the fees of the whole portfolio are paid in every
 * scenario, whatever is delivered (a cost part of its own).
 *
 * One portfolio for every scenario, or one per grid point of the sweep
 * (a plan file's policies): scenario i uses policy i % G. The file it
 * came from is io/'s business (io/portfolio_load.h); what it records for
 * provenance travels with it. */
#ifndef SM_PORTFOLIO_H
#define SM_PORTFOLIO_H

#include <stddef.h>
#include <stdint.h>

#include "../core/diag.h"
#include "lp_coeffs.h"
#include "sweep.h"

typedef struct sm_portfolio {
    size_t n_policies;       /* 1: the same for every scenario; else one per grid point */
    int n_offers, T;
    double *k;               /* [n_policies][n_offers * T] t; 0 for spot offers */
    double *fees;            /* [n_policies] USD: sum over contract offers of fee·k */
    int *line;               /* [n_offers * T] CSV line of each entry (0: not given or not a CSV) */

    /* Provenance: what the results file records. */
    char *file;              /* the path as given */
    uint64_t hash;           /* XXH3-64 of text, or of the commitment values and the policy */
    char *text;              /* a CSV verbatim (len bytes), or NULL */
    size_t len;
    double *commitment;      /* a plan file's commitment dataset verbatim, or NULL */
    size_t commitment_dims[4]; /* policy, supplier, material, period */
    long policy;             /* the plan file's policy used for all, or -1 (CSV, or each its own) */
} sm_portfolio;

/* An empty portfolio of n_policies for m (k = 0); NULL when out of memory. */
sm_portfolio *sm_portfolio_new(const sm_model *m, size_t n_policies);
void sm_portfolio_free(sm_portfolio **pf);

/* The policy that scenario i of sw uses. */
size_t sm_portfolio_policy_of(const sm_portfolio *pf, const sm_sweep *sw, size_t i);

/* Refuse tonnes above k_ub (sm_commit_ub) of a grid point the portfolio
 * applies to, naming the entry (file:line for a CSV, the dataset for a
 * plan file); then compute the fees. Every problem is reported. */
sm_status sm_portfolio_check(const sm_model *m, const sm_sweep *sw, sm_portfolio *pf,
                             sm_diag *d);

/* Scenario i's LP numbers at the portfolio: the scenario's inputs with
 * fees paid on the commitment (in->fees_on_delivery = 0,
 * in->commitment_fees = the policy's fees, the objective's constant),
 * contract purchases bounded by k (see sm_scenario_coeffs). */
void sm_portfolio_coeffs(const sm_model *m, const sm_layout *L, const sm_portfolio *pf,
                         size_t policy, sm_inputs *in, sm_coeffs *c);

#endif
