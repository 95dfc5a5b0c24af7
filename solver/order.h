/* The order in which a block's scenarios are solved, so that each one
 * starts from the basis of a close neighbour (docs/PERFORMANCE.md: order
 * decides most of the cost). Results are stored under each scenario's own
 * number; only the solve order changes.
 *
 * A block is a contiguous range of scenario numbers. Its grid points are
 * walked in snake (reflected mixed-radix) order, so consecutive points
 * differ in one step of one parameter; its random samples are sorted along
 * a Hilbert curve over the quantiles of the (at most four) most influential
 * random parameters; with both, each sample's grid walk reverses direction
 * from the previous one's. The order depends only on the sweep and the
 * influence ranking, never on threads.
 *
 * A sample does not always start from the basis of the one solved just
 * before it: a Hilbert curve folds back, so an earlier sample may be
 * closer. sm_order_starts says, for each, which earlier one to start
 * from (bench/README.md, "Session 27"). */
#ifndef SM_ORDER_H
#define SM_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "../models/sweep.h"

#define SM_ORDER_MAX_CURVE_DIMS 4
/* How far back in the solve order a start may be: the bases a solver
 * thread keeps for that. */
#define SM_ORDER_BANK 32

typedef struct sm_order {
    const sm_sweep *sweep;
    int n_curve;                          /* random parameters on the curve */
    int curve_u[SM_ORDER_MAX_CURVE_DIMS]; /* their positions among the random ones */
    int natural;                          /* 1: solve in scenario order (benchmarks) */
} sm_order;

/* influence[k] (one per sweep parameter, NULL for file order) ranks the
 * random parameters for the curve; ties go to the earlier parameter. */
void sm_order_init(sm_order *o, const sm_sweep *sw, const double *influence);

/* Workspace for one thread: sized for blocks of up to `capacity`. */
typedef struct sm_order_ws {
    size_t capacity;
    uint64_t *key;
    size_t *idx, *tmp;
    uint64_t *rank;
    int *digits;
    double *pt; /* capacity x SM_ORDER_MAX_CURVE_DIMS: the block's samples' curve quantiles */
    double *u;  /* capacity x u_stride: their uniform numbers, all random parameters' */
    size_t u_stride;
    size_t first_sample; /* the block's first sample, pt's and u's first row */
    int have_u;          /* u filled by the last sm_order_block */
} sm_order_ws;

int sm_order_ws_init(sm_order_ws *w, const sm_sweep *sw, size_t capacity);
void sm_order_ws_free(sm_order_ws *w);

/* Scenario numbers first..first+count-1 in solve order, into out[count]. */
void sm_order_block(const sm_order *o, sm_order_ws *w, size_t first, size_t count, size_t *out);

/* Scenario i's uniform numbers (sm_sweep_uniforms), as the last
 * sm_order_block on w drew them to place its sample on the curve, for
 * sm_sweep_values_u; NULL when it drew none (natural order, no random
 * parameter). i must be in that block. */
const double *sm_order_uniforms(const sm_order_ws *w, const sm_sweep *sw, size_t i);

/* For the block's scenarios in solve order (order[count], from the last
 * sm_order_block on the same workspace), from[k] is the position of the
 * earlier one whose basis scenario k starts from: -1 for the first (the
 * base basis), else one of the SM_ORDER_BANK before it. In a block of random samples alone it is
 * the nearest in the curve's quantiles (squared Euclidean, ties to the
 * later); on grids, whose snake walk moves one step at a time, and in
 * index order, always the one before. */
void sm_order_starts(const sm_order *o, const sm_order_ws *w, const size_t *order,
                     size_t count, ptrdiff_t *from);

/* The Hilbert index of a point with `dims` coordinates of `bits` bits each
 * (Skilling's transpose algorithm); exposed for tests. */
uint64_t sm_hilbert_index(const uint32_t *coords, int dims, int bits);

#endif
