/* One LP problem holding the model's LP, patched and re-solved scenario
 * after scenario, in one of two engines: GLPK (the default and the
 * reference; lp.c is the only file that calls it) or CLP (lp_clp.cpp,
 * built when found). The engine is chosen per problem (sm_lp_opts.engine)
 * and nothing outside lp.c knows which one holds a problem: bounds, costs,
 * statuses, duals (d objective / d right-hand side of a minimisation) and
 * bases (GLPK's status codes) mean the same for both.
 *
 * Problems built by sm_lp_new_cols or sm_lp_new_data (a plan's master, an
 * extensive form) are always GLPK's, and so are the functions that only
 * such problems use (rows, scaling, rescue, writing): they say so below.
 *
 * Thread rules (GLPK 5.0 built with _Thread_local): an sm_lp is created,
 * used and freed by one thread. A GLPK fatal error inside sm_lp_solve is
 * caught by a per-problem error hook; the thread's whole GLPK environment
 * is then freed, and the caller must build a new sm_lp. */
#ifndef SM_LP_H
#define SM_LP_H

#include <stdint.h>

#include "../core/diag.h"
#include "../models/lp_coeffs.h"
#include "../models/outcome.h"

typedef struct sm_lp sm_lp;

/* Which simplex a warm re-solve uses when the old basis is no longer
 * optimal. AUTO follows what the patch broke (primal simplex when only
 * costs moved, dual otherwise); DUAL always starts with the dual simplex
 * (falling back to primal). On the shipped sweeps DUAL took 15-20 % fewer
 * iterations than AUTO (`sm_bench` prints both), hence the default. */
typedef enum sm_warm_method { SM_WARM_DUAL, SM_WARM_AUTO, SM_WARM_PRIMAL } sm_warm_method;

/* Pricing for warm re-solves: a handful of pivots does not repay the set-up
 * of steepest-edge weights; cold solves always use GLPK's steepest edge. */
typedef enum sm_pricing { SM_PRICING_TEXTBOOK, SM_PRICING_STEEPEST } sm_pricing;

/* Ratio test for warm re-solves: Harris' two-pass test, or GLPK's
 * long-step ("bound flipping") test, which lets the dual simplex step past
 * breakpoints of boxed variables in one iteration. Cold solves keep Harris.
 * On every shipped sweep and the 10x model the long-step test took 36-50 %
 * fewer iterations (bench/README.md, `sm_bench --ratio-test`). GLPK 5.0's
 * long-step test can stop on an internal assertion (`teta_lim >= 0.0`, seen
 * on a plan's master LP), a fatal error: a sweep (engine.c) then rebuilds
 * the thread's problem and solves that scenario again with Harris from the
 * block's base basis, so sweeps use long-step by default
 * (sm_run_opts_init); sm_lp_opts_init keeps Harris for everything else (a
 * plan's master and futures: no gain measured there). */
typedef enum sm_ratio_test { SM_RATIO_FLIP, SM_RATIO_HARRIS } sm_ratio_test;

/* The engines; CLP only when this build has it (sm_lp_engine_built). */
typedef enum sm_lp_engine { SM_LP_GLPK, SM_LP_CLP, SM_LP_N_ENGINES } sm_lp_engine;

typedef struct sm_lp_opts {
    int it_lim;          /* simplex iterations per solve; default 100000 */
    int tm_lim_ms;       /* milliseconds per solve; default 60000 */
    int scale;           /* scale the problem once at build (GLP_SF_AUTO); default 1 */
    sm_warm_method warm_method;   /* default SM_WARM_DUAL */
    sm_pricing warm_pricing;      /* default SM_PRICING_TEXTBOOK */
    sm_ratio_test warm_ratio;     /* default SM_RATIO_HARRIS (sweeps: SM_RATIO_FLIP) */
    sm_lp_engine engine;          /* for sm_lp_new's problems; default SM_LP_GLPK
                                   * (warm_method, warm_pricing and warm_ratio
                                   * are GLPK's: CLP re-solves with its dual simplex) */
    int dual_only;       /* GLPK: when only costs moved since a basis found still optimal,
                          * check the duals alone (solver/lp_dual.h): the same values
                          * and verdict as glp_warm_up, without the primal half it
                          * would compute again; default 1 (0: for tests) */
} sm_lp_opts;

void sm_lp_opts_init(sm_lp_opts *o);

/* "long-step", "harris" (what results files record); NULL out of range. */
const char *sm_ratio_test_name(sm_ratio_test r);
/* 1 and *r set when name is one of those, else 0. */
int sm_ratio_test_parse(const char *name, sm_ratio_test *r);

/* "glpk", "clp"; NULL for a value out of range. */
const char *sm_lp_engine_name(sm_lp_engine e);
int sm_lp_engine_built(sm_lp_engine e);
/* 1 and *e set when name is an engine this build has, else 0. */
int sm_lp_engine_parse(const char *name, sm_lp_engine *e);
/* The engines built, for messages: "glpk, clp". */
const char *sm_lp_engines_built(void);
/* The engine's library version ("5.0", "1.17.6"). */
const char *sm_lp_engine_version(sm_lp_engine e);

/* What one solve did. */
typedef struct sm_solve_info {
    sm_scen_status status;
    int glpk_code;       /* glp_simplex's return code; -1 after a GLPK fatal error; with
                          * CLP, 100 x its status + its secondary status */
    int iterations;
    double seconds;      /* wall-clock time inside sm_lp_solve */
    int simplex_calls;   /* 0 when the previous basis was still optimal */
    int duals_only;      /* GLPK: only costs had moved, and only the duals were checked
                          * (sm_lp_opts.dual_only) */
    char message[160];   /* GLPK's last words after a failure */
} sm_solve_info;

/* Build the LP of (m, L) with the numbers of base and names on every row
 * and column. */
sm_status sm_lp_new(sm_lp **out, const sm_model *m, const sm_layout *L, const sm_coeffs *base,
                    const sm_lp_opts *opts, sm_diag *d);
void sm_lp_free(sm_lp **lp);

/* Free an sm_lp whose GLPK problem is already gone: after a GLPK fatal
 * error on a thread, every problem that thread made went with its GLPK
 * environment, not only the one that failed (the engine keeps one per
 * thread, so this matters only where a thread holds several). */
void sm_lp_forget(sm_lp **lp);

/* Load a scenario's numbers: only the bounds and costs that differ from
 * what the problem holds are passed to GLPK. The basis is kept. */
void sm_lp_load(sm_lp *lp, const sm_coeffs *c);

/* How sm_lp_solve starts. WARM first asks whether the current basis is
 * still optimal (glp_warm_up: a factorization's two solves and every
 * row's and column's value), and runs no simplex when it is. DIRECT goes
 * straight to the dual simplex from the current basis (the primal one
 * with SM_WARM_PRIMAL), which finds a still-optimal basis too, in zero
 * pivots but at the price of its own set-up: for a caller who expects
 * pivots (monte_carlo: 99 % of futures need some, and the question cost
 * 5 % of the run; engine.c decides). CLP treats DIRECT as WARM. */
enum { SM_LP_COLD = 0, SM_LP_WARM = 1, SM_LP_DIRECT = 2 };

/* Solve. warm (SM_LP_WARM or SM_LP_DIRECT) starts from the current
 * basis, choosing the simplex from what the last patch broke (none when
 * it is still optimal); SM_LP_COLD starts from GLPK's standard basis.
 * Returns SM_ESOLVER after a GLPK fatal error (info->status is then
 * SM_SCEN_SOLVER_FAILURE and lp is dead: free it and build another);
 * every LP outcome, including infeasible, is SM_OK with info->status
 * saying which. */
sm_status sm_lp_solve(sm_lp *lp, int warm, sm_solve_info *info);

/* The ratio test of this problem's next warm solves (GLPK; a fallback
 * solves one scenario with Harris, then goes back). */
void sm_lp_set_warm_ratio(sm_lp *lp, sm_ratio_test r);

/* Tests only (nothing in the command line reaches it): make the next warm
 * long-step sm_lp_solve of lp stop on a GLPK fatal error raised by
 * glp_error inside the solve, so the real path runs (GLPK's error hook,
 * longjmp, glp_free_env, SM_ESOLVER), as when GLPK 5.0's long-step test
 * fails its assertion. A solve that is cold, with Harris, or CLP's,
 * leaves it armed. */
void sm_lp_test_fatal_next(sm_lp *lp);

/* For a caller that cannot go on after SM_ESOLVER: record GLPK's message
 * for the solve of `what` ("the master LP", ...) in d and return
 * SM_ESOLVER, so the failure is never silent. */
sm_status sm_lp_solve_failed(const sm_solve_info *info, const char *what, sm_diag *d);

/* The last solution: col_prim[n_cols] and row_dual[n_rows] (may be
 * NULL), 0-based. */
void sm_lp_solution(const sm_lp *lp, double *col_prim, double *row_dual);

/* Objective value of the last solution. */
double sm_lp_objective(const sm_lp *lp);

/* A saved basis (row and column statuses), to restart blocks of scenarios
 * from the same point whatever thread runs them. */
typedef struct sm_basis {
    int n_rows, n_cols;
    int *row_stat, *col_stat;   /* 1-based as GLPK's */
} sm_basis;

sm_basis *sm_basis_new(int n_rows, int n_cols);
void sm_basis_free(sm_basis **b);
void sm_lp_get_basis(const sm_lp *lp, sm_basis *b);

/* Install b and refactorize, so the problem's state depends only on b and
 * the numbers loaded, never on the solves before. */
void sm_lp_set_basis(sm_lp *lp, const sm_basis *b);

/* The reduced cost of every column of the last solution, d[n_cols]:
 * where a column sits at its upper bound, what raising that bound by one
 * would save (a subgradient of the optimum in the bound; MODEL.md Part 2,
 * "Why it decomposes"). */
void sm_lp_reduced_costs(const sm_lp *lp, double *d);

/* A small LP that grows by rows, a decomposition's master problem: n_cols
 * columns with bounds lb/ub (-HUGE_VAL/HUGE_VAL for none) and costs obj,
 * no rows, no scaling. sm_lp_add_row appends lb <= sum vals[i]·x[cols[i]]
 * <= ub (cols 0-based); sm_lp_solve(lp, 1, ...) then re-solves from the
 * last basis (the new rows enter basic, so the dual simplex repairs it);
 * sm_lp_solution, sm_lp_objective and the basis functions read it;
 * sm_lp_load is for layout-built problems only. */
sm_status sm_lp_new_cols(sm_lp **out, int n_cols, const double *lb, const double *ub,
                         const double *obj, const sm_lp_opts *opts, sm_diag *d);
sm_status sm_lp_add_row(sm_lp *lp, int n, const int *cols, const double *vals, double lb,
                        double ub, sm_diag *d);

/* For such a master: set the bounds of columns first..first+n-1 (lb <=
 * ub; -HUGE_VAL/HUGE_VAL for none), a trust region; basic[i] = whether
 * row first+i's slack is basic (the row is not binding), for rows first
 * to the last; and delete rows (0-based, ascending) whose slacks are
 * basic, which keeps the basis valid. */
void sm_lp_set_col_bounds(sm_lp *lp, int first, int n, const double *lb, const double *ub);
void sm_lp_rows_basic(const sm_lp *lp, int first, uint8_t *basic);
sm_status sm_lp_del_rows(sm_lp *lp, int n, const int *rows, sm_diag *d);

/* What a master LP (sm_lp_new_cols + sm_lp_add_row) holds, to rebuild it
 * identically elsewhere (a plan's checkpoint). Column j: its bounds
 * (-HUGE_VAL/HUGE_VAL for none) and cost. Row i (0-based): its bounds and
 * its terms, *len of them into cols/vals (room for sm_lp_cols + 1), in
 * the order sm_lp_add_row was given them, so that adding the row again
 * gives GLPK the same problem. Scale factors: GLPK's row and column
 * factors (1 until sm_lp_solve_rescue scales), rows[n_rows], cols[n_cols]. */
void sm_lp_get_col(const sm_lp *lp, int j, double *lb, double *ub, double *obj);
void sm_lp_get_row(const sm_lp *lp, int i, int *len, int *cols, double *vals, double *lb,
                   double *ub);
void sm_lp_get_scale(const sm_lp *lp, double *rows, double *cols);
void sm_lp_set_scale(sm_lp *lp, const double *rows, const double *cols);

/* A whole LP from its numbers (bounds -HUGE_VAL/HUGE_VAL for none) and
 * its matrix as 1-based triplets ia/ja/ar[1..nnz], unnamed, for writing
 * (the extensive form of a plan); solve and read it as any other. */
typedef struct sm_lp_data {
    int n_rows, n_cols, nnz;
    const double *row_lb, *row_ub, *col_lb, *col_ub, *obj;
    const int *ia, *ja;
    const double *ar;
} sm_lp_data;

sm_status sm_lp_new_data(sm_lp **out, const sm_lp_data *data, sm_diag *d);

/* Make lp (built by sm_lp_new) a phase-one LP: one more column e >= 0
 * per given row (0-based), with coefficient 1 there and cost 1, so rows
 * bounded below can always be met at a price. The layout's columns keep
 * their numbers; load them with zero costs, and solve cold (the new
 * columns are not in sm_basis). */
sm_status sm_lp_add_elastic(sm_lp *lp, int n, const int *rows, sm_diag *d);

/* Solve from scratch, as robustly as GLPK can: scaled anew, from an
 * advanced basis, with the LP presolver, and, if that still finds no
 * optimum, in exact arithmetic (slow). For a master whose cuts have made a
 * warm re-solve report infeasibility that is not there. */
sm_status sm_lp_solve_rescue(sm_lp *lp, sm_solve_info *info);

/* Write the LP in CPLEX LP (lp_format != 0) or free MPS format. */
sm_status sm_lp_write(sm_lp *lp, const char *path, int lp_format, sm_diag *d);

/* The column that carries a nonzero objective constant (a given
 * portfolio's fees) in written LP and MPS files: fixed at 1, its cost the
 * constant, so every reader's optimum is the full objective. */
#define SM_LP_CONSTANT_COLUMN "objective_constant"

/* Rows and columns, for reports. */
sm_lp_engine sm_lp_engine_of(const sm_lp *lp);
int sm_lp_rows(const sm_lp *lp);
int sm_lp_cols(const sm_lp *lp);
int sm_lp_nonzeros(const sm_lp *lp);

/* Free this thread's GLPK environment: call when a thread is done with
 * GLPK (every sm_lp it made must be freed first). */
void sm_lp_thread_end(void);

/* NULL when this process's GLPK is thread-safe, else a message saying
 * why parallel sweeps cannot run. */
const char *sm_glpk_thread_check(void);
const char *sm_glpk_version(void);

/* ---- an LP grown beyond its layout (the elastic LP of explain.c) ------
 * Columns and rows are 0-based GLPK numbers, including those added by
 * sm_lp_add_row and sm_lp_add_elastic (which sm_lp_load, sm_lp_solution
 * and the basis functions leave alone: they see the layout only). */

/* Objective coefficients of columns first..first+n-1. */
void sm_lp_set_costs(sm_lp *lp, int first, int n, const double *cost);

/* Bounds of rows first..first+n-1 (-HUGE_VAL/HUGE_VAL for none). */
void sm_lp_set_row_bounds(sm_lp *lp, int first, int n, const double *lb, const double *ub);

/* The last solution's values of columns first..first+n-1. */
void sm_lp_col_values(const sm_lp *lp, int first, int n, double *out);

/* ---- right-hand-side ranging ------------------------------------------
 * After an optimal solve: the interval [*lo, *hi] (containing 0) of δ
 * over which the current basis stays optimal when the bounds of rows
 * rows[0..n-1] (0-based) all move by δ·dir[a]; over it the optimum moves
 * linearly, at the rows' duals. Bounds are of the unscaled problem, with a
 * tolerance of 1e-9 per variable. Both engines range the optimal basis
 * they hold, with the factors of their last solve. CLP, when its numbers
 * or basis changed since (sm_lp_set_basis), factorizes it afresh first,
 * as its own ranging does, which may take it to another optimal basis
 * (then ranged and kept) if the fresh factors find the old one infeasible
 * by more than CLP's tolerance; SM_EINTERNAL when it finds none. */
sm_status sm_lp_rhs_range(sm_lp *lp, int n, const int *rows, const double *dir, double *lo,
                          double *hi, sm_diag *d);

/* ---- loading only what a patch moved -----------------------------------
 * sm_lp_load when only columns cols[0..n_cols-1] and rows rows[0..n_rows-1]
 * (0-based) of c can differ from the numbers last loaded into lp, as after
 * sm_scenario_coeffs_patch (models/problem.h): the others are not compared.
 * Both engines; after a load that found a lower bound above its upper bound
 * (which may sit in a column that did not move) it compares everything. */
void sm_lp_load_moved(sm_lp *lp, const sm_coeffs *c, int n_cols, const int *cols, int n_rows,
                      const int *rows);

/* ---- reading back only what is kept ------------------------------------
 * sm_lp_solution with the duals of rows first_row.. only (0-based; y[i]
 * for the rows before may be left as it was; y may be NULL): a
 * summaries-only run keeps no balance-row duals. */
void sm_lp_solution_rows(const sm_lp *lp, double *x, double *y, int first_row);

/* ---- reading back only what moved -------------------------------------
 * sm_lp_solution_rows for a caller that keeps x and y between solves:
 * gen[2] (0, 0 before the first read, and after any other problem's
 * values went into x and y) says which solution's values x and y hold,
 * and only what may differ is read again. With GLPK, a solve that keeps
 * its basis (no pivot) after another that kept it, with no bound, basis,
 * scaling or row moved in between, leaves the primal values as they were
 * to the bit, and the duals too when no cost moved either (glp_warm_up
 * computes them from nothing else); CLP's are always read. Returns 1 when
 * the primal values were read (may have moved), 0 when x is as it was. */
int sm_lp_solution_moved(const sm_lp *lp, double *x, double *y, int first_row,
                         unsigned long gen[2]);

#endif
