/* The order in which a block's scenarios are solved, so that each one
 * starts from the basis of a close neighbour (docs/PERFORMANCE.md: order
 * decides most of the cost). Results are stored under each scenario's own
 * number; only the solve order changes.
 *
 * A block is a contiguous range of scenario numbers. Its grid points are
 * walked in snake (reflected mixed-radix) order, so consecutive points
 * differ in one step of one parameter; its random samples are sorted along
 * a Hilbert curve over the quantiles of the (at most four) most influential
 * random parameters, a discrete one's at the middle of its outcome's
 * interval (sm_param_outcome_u); with both, each sample's grid walk
 * reverses direction from the previous one's. The order depends only on
 * the sweep and the influence ranking, never on threads.
 *
 * Where a scenario may start from any earlier basis of its block (a tree
 * of starts, sm_order.tree: GLPK), a block of random samples alone is
 * solved in the order Prim's algorithm adds its samples to a minimum
 * spanning tree over their curve quantiles, from the first on the curve:
 * each next sample is the one nearest to any solved, and starts from that
 * one's basis, so the starts are as short as a tree of them can be. On
 * monte_carlo that took 12.3 iterations a future down to 10.7 against the
 * curve with the nearest of the 32 before, and outcomes for draws to 7.3
 * (bench/README.md, "Session 28"). sm_order_starts says, for each, which
 * earlier one to start from. */
#ifndef SM_ORDER_H
#define SM_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "../models/sweep.h"

#define SM_ORDER_MAX_CURVE_DIMS 4
typedef struct sm_order {
    const sm_sweep *sweep;
    int n_curve;                          /* random parameters on the curve */
    int curve_u[SM_ORDER_MAX_CURVE_DIMS]; /* their positions among the random ones */
    const sm_sweep_param *curve_p[SM_ORDER_MAX_CURVE_DIMS]; /* and the parameters */
    int natural;                          /* 1: solve in scenario order (benchmarks) */
    int tree;   /* 1: a scenario may start from any earlier basis of its block (above);
                 * 0 (sm_order_init's): each from the one before */
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
    double *near;        /* Prim: a sample's squared distance to the tree, */
    ptrdiff_t *near_at;  /* the solve position of its nearest in the tree */
    ptrdiff_t *from;     /* per solve position: whose basis it starts from */
    int *digits;
    double *pt; /* capacity x SM_ORDER_MAX_CURVE_DIMS: the block's samples on the curve */
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

/* For the last sm_order_block's scenarios in solve order, from[count]:
 * from[k] is the position of the earlier one whose basis scenario k
 * starts from, -1 for the first (the block's base basis). In a tree of
 * starts over random samples alone, its nearest in the tree when it was
 * added (squared Euclidean over the curve's quantiles, ties to the
 * later); on grids, whose snake walk moves one step at a time, along the
 * curve without a tree, and in index order, always the one before. */
void sm_order_starts(const sm_order_ws *w, size_t count, ptrdiff_t *from);

/* The Hilbert index of a point with `dims` coordinates of `bits` bits each
 * (Skilling's transpose algorithm); exposed for tests. */
uint64_t sm_hilbert_index(const uint32_t *coords, int dims, int bits);

#endif
