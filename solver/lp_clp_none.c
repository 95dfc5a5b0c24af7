/* A build without CLP: lp.c never builds a CLP problem then
 * (sm_lp_engine_built), so of these only the constructor, the destructor
 * and the version are ever called. */
#include "lp_clp.h"

#include <stddef.h>

sm_clp *sm_clp_new(int n_rows, int n_cols, int nnz, const int *ia, const int *ja,
                   const double *ar, int scale)
{
    (void)n_rows, (void)n_cols, (void)nnz, (void)ia, (void)ja, (void)ar, (void)scale;
    return NULL;
}

void sm_clp_free(sm_clp *c) { (void)c; }
void sm_clp_set_col_bounds(sm_clp *c, int j, double lb, double ub) { (void)c, (void)j, (void)lb, (void)ub; }
void sm_clp_set_row_bounds(sm_clp *c, int i, double lb, double ub) { (void)c, (void)i, (void)lb, (void)ub; }
void sm_clp_set_obj(sm_clp *c, int j, double v) { (void)c, (void)j, (void)v; }

int sm_clp_solve(sm_clp *c, int warm, int it_lim, double tm_lim_s, int *iterations, int *code,
                 char *message, int message_size)
{
    (void)c, (void)warm, (void)it_lim, (void)tm_lim_s, (void)message, (void)message_size;
    *iterations = 0;
    *code = -1;
    return SM_CLP_FAILURE;
}

void sm_clp_solution(const sm_clp *c, int n_cols, double *x, double *y, double *d)
{
    (void)c, (void)n_cols, (void)x, (void)y, (void)d;
}

double sm_clp_objective(const sm_clp *c) { (void)c; return 0.0; }
void sm_clp_get_basis(const sm_clp *c, int n_cols, int *row_stat, int *col_stat)
{
    (void)c, (void)n_cols, (void)row_stat, (void)col_stat;
}
void sm_clp_set_basis(sm_clp *c, int n_cols, const int *row_stat, const int *col_stat)
{
    (void)c, (void)n_cols, (void)row_stat, (void)col_stat;
}
int sm_clp_add_elastic(sm_clp *c, int n, const int *rows) { (void)c, (void)n, (void)rows; return -1; }
int sm_clp_nonzeros(const sm_clp *c) { (void)c; return 0; }
const char *sm_clp_version(void) { return "not built"; }
int sm_clp_basic_motion(sm_clp *c, const double *move, int *row, double *value, double *lb,
                        double *ub, double *rate)
{
    (void)c, (void)move, (void)row, (void)value, (void)lb, (void)ub, (void)rate;
    return -1;
}
