/* The dual half of a warm start after only costs moved (lp.c, solve).
 *
 * Between two solves that keep the same basis with no bound, row, basis,
 * scaling or factorization moved in between, the primal values cannot
 * move: glp_warm_up would compute them again only to find them as they
 * were. What a cost change can move is the duals: the simplex multipliers
 * pi = inv(B') cB when a basic column's cost moved, and the reduced cost
 * d_j = c_j + N'_j pi of each non-basic column. This file keeps what that
 * needs (the matrix by columns in GLPK's own element order, the basis's
 * classes, pi, the row duals) and does the arithmetic exactly as
 * glp_warm_up does it, term for term, so the verdict and every value are
 * the same to the bit. lp.c does the GLPK calls (statuses, btran). */
#ifndef SM_SOLVER_LP_DUAL_H
#define SM_SOLVER_LP_DUAL_H

/* A variable's place in the basis, as far as the duals care. */
typedef enum sm_dual_class {
    SM_DC_BASIC,
    SM_DC_LOWER, /* non-basic on its lower bound */
    SM_DC_UPPER, /* on its upper bound */
    SM_DC_FREE,  /* free, at zero */
    SM_DC_FIXED  /* fixed: any reduced cost is optimal */
} sm_dual_class;

typedef struct sm_lp_dual sm_lp_dual;

/* For m rows and n columns; columns are then given by sm_lp_dual_set_col.
 * NULL when out of memory. */
sm_lp_dual *sm_lp_dual_new(int m, int n, int nnz);
void sm_lp_dual_free(sm_lp_dual **pd);

/* Column j (0-based): its elements in GLPK's order, rows 1-based as
 * glp_get_mat_col gives them (ind[1..len], val[1..len]). 0, or -1 when
 * more elements are given than nnz allowed for. */
int sm_lp_dual_set_col(sm_lp_dual *d, int j, int len, const int *ind, const double *val);

/* The basis, pi or the costs' record no longer hold: the basis or its
 * factorization moved (forget), or a solve has used the record (clear). */
void sm_lp_dual_forget(sm_lp_dual *d);
void sm_lp_dual_clear_moved(sm_lp_dual *d);

/* Column j's cost moves since the last solve, from old (its cost then). */
void sm_lp_dual_cost_moved(sm_lp_dual *d, int j, double old);
/* Column j's cost at the last solve, given its cost now. */
double sm_lp_dual_solved_cost(const sm_lp_dual *d, int j, double now);

/* The basis: set class of variable k (rows 0..m-1, then columns m..m+n-1)
 * and, for a basic column j, its position in the basis header (1-based),
 * then sm_lp_dual_basis_done. */
int sm_lp_dual_basis_known(const sm_lp_dual *d);
void sm_lp_dual_set_class(sm_lp_dual *d, int k, sm_dual_class c, int bind);
void sm_lp_dual_basis_done(sm_lp_dual *d);

/* Whether pi must be computed again: never yet for this basis, or a basic
 * column's cost moved. Then: sm_lp_dual_cb fills cB (1-based, m + 1
 * entries, as glp_warm_up builds it) into the array it returns; the caller
 * runs glp_btran on it and calls sm_lp_dual_pi_done. */
int sm_lp_dual_pi_stale(const sm_lp_dual *d);
double *sm_lp_dual_cb(sm_lp_dual *d, const double *cost);
void sm_lp_dual_pi_done(sm_lp_dual *d);

/* glp_warm_up's test of dual feasibility (minimising) on the rows and
 * non-basic columns whose reduced costs may have moved: all of them when
 * pi was just computed, else the columns whose costs moved. 1: the basis
 * is still optimal. */
int sm_lp_dual_feasible(const sm_lp_dual *d, const double *cost, int all);

/* glp_warm_up's values: row i's dual (0-based), column j's reduced cost
 * at cost; 0 for a row or column beyond those the copy was made with. */
double sm_lp_dual_row(const sm_lp_dual *d, int i);
double sm_lp_dual_col(const sm_lp_dual *d, int j, double cost);

#endif
