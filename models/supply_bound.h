/* Why an offer did not deliver more in a period of an optimal solution
 * (the "why shortfall" of `supplymix solve`): the bound that held it. */
#ifndef SM_SUPPLY_BOUND_H
#define SM_SUPPLY_BOUND_H

#include "lp_coeffs.h"

typedef enum sm_supply_bound {
    SM_SB_NOT_STARTED,    /* the supplier has not started delivering yet */
    SM_SB_RAMPING,        /* at its bound, still ramping up to full rate */
    SM_SB_AVAILABILITY,   /* at its bound, cut by export availability below 1 */
    SM_SB_CAPACITY,       /* at its full capacity (or a given portfolio's commitment) */
    SM_SB_CAP_LIMIT,      /* below its bound, held by a binding dependency cap */
    SM_SB_DEARER,         /* below its bound: dearer than going short */
    SM_SB_COUNT
} sm_supply_bound;

extern const char *const sm_supply_bound_text[SM_SB_COUNT];

/* For offer o in period t (0-based) of a solution x (columns) with row
 * duals y: which bound held it. *limit is the cap for SM_SB_CAP_LIMIT,
 * else -1. */
sm_supply_bound sm_supply_bound_of(const sm_model *m, const sm_layout *L, const sm_inputs *in,
                                   const sm_coeffs *c, const double *x, const double *y, int o,
                                   int t, int *limit);

#endif
