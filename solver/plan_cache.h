/* Each future's LP numbers before any commitment (sm_futures.coeffs),
 * kept between the L-shaped method's passes so that a pass only re-bounds
 * the commitment columns. Internal to solver/. */
#ifndef SM_PLAN_CACHE_H
#define SM_PLAN_CACHE_H

#include <stddef.h>

#include "models/lp_coeffs.h"

/* Bytes the cache may hold over all futures, whatever the thread count;
 * futures beyond it are recomputed every pass (same numbers, more time). */
#define SM_PLAN_CACHE_BUDGET ((size_t)256 << 20)

typedef struct sm_coeff_cache sm_coeff_cache;

/* For n futures, each stored as the entries where it differs, bit for
 * bit, from ref (the problem's base numbers, which must outlive it).
 * NULL when out of memory (the caller recomputes). */
sm_coeff_cache *sm_coeff_cache_new(const sm_coeffs *ref, size_t n, size_t budget);
void sm_coeff_cache_free(sm_coeff_cache **cc);

/* Future s's numbers into c: 1, or 0 when the cache does not hold them. */
int sm_coeff_cache_get(const sm_coeff_cache *cc, size_t s, sm_coeffs *c);
/* Keep future s's numbers c, if the budget has room. One thread per
 * future at a time (as sm_evaluate solves them); safe across futures. */
void sm_coeff_cache_put(sm_coeff_cache *cc, size_t s, const sm_coeffs *c);
/* The bytes held now. */
size_t sm_coeff_cache_bytes(const sm_coeff_cache *cc);

#endif
