/* The LP of MODEL.md as structure: which column and row is which, their
 * names, and the constraint matrix, which no scenario ever changes. */
#ifndef SM_LP_LAYOUT_H
#define SM_LP_LAYOUT_H

#include <stddef.h>

#include "../core/diag.h"
#include "model.h"

typedef struct sm_layout {
    int T, n_offers, n_materials, n_limits;
    int n_cols, n_rows;
    int x0, s0, q0;      /* first column of x[o,t], s[m,t], q[m,t] (0-based) */
    int lim0;            /* first limit row; balance rows are 0..M*T-1 */
    int *lim_row;        /* [K][M][T]: row of limit k for (m,t), or -1 */
    int *row_limit;      /* [n_rows]: limit of a row, -1 for balance rows */
    int nnz;
    int *ia, *ja;        /* matrix triplets, 1-based as GLPK wants them ([0] unused) */
    double *ar;
} sm_layout;

/* Columns: x[o,t] for every offer o and period t, then stock s[m,t], then
 * shortfall q[m,t]. Rows: balance[m,t], then one row per limit k, material
 * m in M_k and period t. t is 0-based here. */
static inline int sm_col_x(const sm_layout *L, int o, int t) { return L->x0 + o * L->T + t; }
static inline int sm_col_s(const sm_layout *L, int m, int t) { return L->s0 + m * L->T + t; }
static inline int sm_col_q(const sm_layout *L, int m, int t) { return L->q0 + m * L->T + t; }
static inline int sm_row_bal(const sm_layout *L, int m, int t) { return m * L->T + t; }
static inline int sm_row_lim(const sm_layout *L, int k, int m, int t)
{
    return L->lim_row[((size_t)k * (size_t)L->n_materials + (size_t)m) * (size_t)L->T + (size_t)t];
}

sm_status sm_layout_build(const sm_model *m, sm_layout **out, sm_diag *d);
void sm_layout_free(sm_layout **L);

/* Names as written to LP files: x(supplier,material,period),
 * s(material,period), q(material,period), bal(material,period),
 * LIMIT(material,period); periods 1-based. */
void sm_layout_col_name(const sm_model *m, const sm_layout *L, int col, char *buf, size_t size);
void sm_layout_row_name(const sm_model *m, const sm_layout *L, int row, char *buf, size_t size);

#endif
