/* A results file read as a table of scenarios (`supplymix table`): one row
 * per scenario (its number, status, sampled parameters by name, costs,
 * shortfall per material, shares, limit savings and, in a plan file, the
 * policy, future, commitment cost, perfect-foresight cost and regret), or,
 * in the long form, one row per scenario and index of per-period arrays.
 *
 * Rows are read block by block along `scenario` (one chunk's rows of each
 * dataset a chosen column or filter needs, never a whole array), so memory
 * does not grow with the number of scenarios. The file is opened as the
 * Python reader opens it (single-writer/multiple-reader, bounded metadata
 * retries), so a file being written or left by a killed run reads; only
 * scenarios marked complete (and solved) have values, the others are rows
 * with status not_solved and empty cells. */
#ifndef SM_RESULTS_TABLE_H
#define SM_RESULTS_TABLE_H

#include <stddef.h>

#include "../core/diag.h"

typedef struct sm_table sm_table;

typedef enum sm_cell_kind { SM_CELL_EMPTY, SM_CELL_TEXT, SM_CELL_NUMBER } sm_cell_kind;

typedef struct sm_table_cell {
    sm_cell_kind kind;
    double x;            /* SM_CELL_NUMBER */
    const char *text;    /* SM_CELL_TEXT */
} sm_table_cell;

/* Open the results (or plan) file at path: SM_EINPUT naming it when it is
 * not a results file or its metadata are damaged. */
sm_status sm_table_open(const char *path, sm_table **out, sm_diag *d);
void sm_table_close(sm_table **t);

/* Every column of the wide table, in order (the header names). */
size_t sm_table_n_columns(const sm_table *t);
const char *sm_table_column_name(const sm_table *t, size_t c);

/* The columns to write: names separated by commas, each one of the
 * table's (SM_EINPUT naming an unknown one). Without a call: all (wide),
 * `scenario` alone (long). */
sm_status sm_table_select(sm_table *t, const char *names, sm_diag *d);

/* Keep only rows where NAME OP VALUE holds: OP one of =, !=, <, <=, >,
 * >=; NAME any column; VALUE a number, or for status and policy a name
 * (= and != only). Several filters must all hold. Empty cells (scenarios
 * not complete) fail every comparison but status=not_solved. SM_EINPUT
 * naming an unknown column, operator, status or a value that is no
 * number. */
sm_status sm_table_where(sm_table *t, const char *expr, sm_diag *d);

/* The long form: per-index arrays (purchases; stock, shortfall,
 * marginal_cost; limit_dual), names separated by commas, all over the same
 * dimensions. Each row is then a selected scenario (complete ones only)
 * and one index: the selected columns, one column per dimension (its
 * label), one per array. SM_EINPUT for an unknown array, arrays over
 * other dimensions, or a summaries-only file. */
sm_status sm_table_long(sm_table *t, const char *arrays, sm_diag *d);

/* The columns written (after select and long), in order. */
size_t sm_table_out_columns(sm_table *t);
const char *sm_table_out_name(const sm_table *t, size_t c);

/* The next row that passes every filter: 1 with *cells (out_columns of
 * them, valid until the next call), 0 at the end, -1 after an error in d
 * (a damaged chunk: SM_EINPUT naming the dataset and the scenarios). */
int sm_table_next(sm_table *t, const sm_table_cell **cells, sm_diag *d);

/* Why sm_table_next returned -1. */
sm_status sm_table_error(const sm_table *t);

#endif
