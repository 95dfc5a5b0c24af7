/* What a commitment means to the LP (MODEL.md Part 2): a contract offer's
 * purchases x[o,t] are bounded by the tonnes committed k[o,t], and a
 * committed tonne costs the offer's fee. Only column bounds and costs
 * move, so the matrix stays the one of Part 1.
 *
 * Two readings of the same LP: perfect foresight (a plain sweep, the
 * wait-and-see problem), where one commits exactly what one takes, so a
 * contract x is bounded by min(k_ub, cap_s) and costs fee + c per tonne;
 * and recourse (a plan's second stage), where k is given, x <= min(k,
 * cap_s) and a delivered tonne costs c, the fee being paid on k. */
#ifndef SM_COMMIT_H
#define SM_COMMIT_H

#include "lp_coeffs.h"
#include "sweep.h"

/* The fee charged per delivered tonne of offer o under `in`: the offer's
 * fee under perfect foresight (the default of sm_inputs_reset), 0 in a
 * plan's second stage and for spot offers. */
double sm_commit_delivered_fee(const sm_model *m, const sm_inputs *in, int o);

/* k_ub[o,t] (t 0-based) = cap · ramp_factor under the policy's inputs
 * (capacity multipliers and delays, no export availability). */
double sm_commit_ub(const sm_model *m, const sm_inputs *policy, int o, int t);

/* The policy of scenario values[]: the model with the sweep's grid
 * parameters applied and none of its random ones. */
void sm_commit_policy_inputs(const sm_model *m, const sm_sweep *sw, const double *values,
                             sm_inputs *in);

/* Perfect foresight: bound each contract x column of c by k_ub of the
 * policy (its cost already carries the fee through in's default). */
void sm_commit_bound_foresight(const sm_model *m, const sm_layout *L, const sm_inputs *policy,
                               sm_coeffs *c);
/* The same for offer o alone (nothing for a spot offer). */
void sm_commit_bound_foresight_offer(const sm_model *m, const sm_layout *L,
                                     const sm_inputs *policy, int o, sm_coeffs *c);

/* Second stage: bound each contract x column of c, the numbers of a future
 * computed with fees_on_delivery = 0, by the commitment k[o*T + t] (entries
 * of spot offers are ignored): x <= min(cap_s, k). */
void sm_commit_bound(const sm_model *m, const sm_layout *L, const double *k, sm_coeffs *c);

/* The first stage of one policy: one variable k[j] per contract offer and
 * period, its bound k_ub and fee, and the first-stage rows (commitment
 * caps and floors as shares of the policy's demand). */
typedef struct sm_stage1 {
    int nk, T;
    int *offer, *period;         /* [nk]: (offer, period 0-based) of k[j] */
    double *ub, *fee;            /* [nk] */
    int n_rows;
    int *row_start;              /* [n_rows + 1] into row_var */
    int *row_var;                /* the k variables of each row (coefficients 1) */
    double *row_lb, *row_ub;     /* [n_rows]; -HUGE_VAL / HUGE_VAL for none */
} sm_stage1;

sm_status sm_stage1_build(const sm_model *m, const sm_inputs *policy, sm_stage1 **out,
                          sm_diag *d);
void sm_stage1_free(sm_stage1 **s);

/* k[j] of the first stage into the per-offer array full[n_offers * T]
 * (0 for spot offers), and the commitment cost sum fee[j]·k[j]. */
void sm_stage1_expand(const sm_stage1 *s, int n_offers, const double *k, double *full);
double sm_stage1_fees(const sm_stage1 *s, const double *k);

#endif
