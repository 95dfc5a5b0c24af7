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

/* Second stage at commitment k[o*T + t] (0 for spot offers): c, computed
 * for the same scenario under perfect foresight, becomes the recourse LP:
 * contract x <= min(its bound, k) and costs c without the fee; in (the
 * scenario's inputs) is switched to charge no fee per delivered tonne. */
void sm_commit_recourse(const sm_model *m, const sm_layout *L, sm_inputs *in, const double *k,
                        sm_coeffs *c);

#endif
