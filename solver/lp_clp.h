/* The CLP engine behind sm_lp (lp.h): a C face over COIN-OR's ClpSimplex,
 * whose C++ stays in lp_clp.cpp. Only lp.c calls these.
 *
 * CLP's own C interface costs about 70 us a call in set-up (it copies the
 * model into and out of its wrapper); the C++ object takes bound and cost
 * changes into its arrays and re-solves warm with dual(), which is what a
 * sweep of small patches needs.
 *
 * Conventions are GLPK's, so lp.c can hand results on unchanged: bounds
 * -HUGE_VAL/HUGE_VAL for none; row duals and reduced costs of a
 * minimisation, d objective / d right-hand side; basis statuses GLPK's
 * codes (1 basic, 2 at lower, 3 at upper, 4 free, 5 fixed). Every entry
 * point catches C++ exceptions: a failure is a return code, never a throw
 * into C. */
#ifndef SM_LP_CLP_H
#define SM_LP_CLP_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sm_clp sm_clp;

/* What a solve ended with, in sm_scen_status's terms (lp.c maps them). */
enum {
    SM_CLP_OPTIMAL, SM_CLP_INFEASIBLE, SM_CLP_UNBOUNDED, SM_CLP_ITERATION_LIMIT,
    SM_CLP_TIME_LIMIT, SM_CLP_FAILURE
};

/* An LP of n_rows x n_cols from 1-based triplets ia/ja/ar[1..nnz] (as
 * glp_load_matrix takes them), with CLP's default numbers (columns in [0,
 * inf), costs 0, rows free) until the setters below load the real ones;
 * scale: let CLP scale it. NULL when CLP fails or memory runs out. */
sm_clp *sm_clp_new(int n_rows, int n_cols, int nnz, const int *ia, const int *ja,
                   const double *ar, int scale);
void sm_clp_free(sm_clp *c);

void sm_clp_set_col_bounds(sm_clp *c, int j, double lb, double ub);
void sm_clp_set_row_bounds(sm_clp *c, int i, double lb, double ub);
void sm_clp_set_obj(sm_clp *c, int j, double v);

/* Solve: warm from the current basis with the dual simplex (the primal one
 * when the dual gives up), or cold from the slack basis. Iterations and
 * CLP's status code are returned through the pointers; message gets a
 * line after a failure. Returns SM_CLP_*. */
int sm_clp_solve(sm_clp *c, int warm, int it_lim, double tm_lim_s, int *iterations, int *code,
                 char *message, int message_size);

/* The last solution: x[n_cols], y[n_rows] (row duals), d[n_cols] (reduced
 * costs); any may be NULL. Only the first n_cols columns of x and d when
 * the LP has grown (sm_clp_add_elastic). */
void sm_clp_solution(const sm_clp *c, int n_cols, double *x, double *y, double *d);
double sm_clp_objective(const sm_clp *c);

/* Basis in GLPK's codes, 0-based arrays row_stat[n_rows], col_stat[n_cols]
 * (the first n_cols columns). sm_clp_set_basis also resets what CLP adapts
 * while it solves (perturbation, dual bound, random seed), so the next
 * solve depends on the basis and the numbers only. */
void sm_clp_get_basis(const sm_clp *c, int n_cols, int *row_stat, int *col_stat);
void sm_clp_set_basis(sm_clp *c, int n_cols, const int *row_stat, const int *col_stat);

/* Append n columns e >= 0, cost 1, coefficient 1 in rows[e] (0-based).
 * Returns 0, or -1 on failure. */
int sm_clp_add_elastic(sm_clp *c, int n, const int *rows);

int sm_clp_nonzeros(const sm_clp *c);
const char *sm_clp_version(void);

/* For right-hand-side ranging after an optimal solve: with the factors
 * the solve ended with (or, when numbers or basis changed since, the
 * basis factorized afresh as CLP's own ranging does: from an optimal basis
 * no pivot, or a few to another optimal one), when the
 * activities of the nonbasic rows i move by move[i] (move[n_rows]; basic
 * rows' entries unused), the basic variable in each position p < n_rows:
 * row[p] its row when it is a row's activity, else -1; value[p], its
 * bounds lb[p], ub[p] (-HUGE_VAL/HUGE_VAL for none, unscaled) and its rate
 * of change rate[p]. Returns 0, or -1 when CLP finds no optimal basis or
 * fails. */
int sm_clp_basic_motion(sm_clp *c, const double *move, int *row, double *value, double *lb,
                        double *ub, double *rate);

#ifdef __cplusplus
}
#endif

#endif
