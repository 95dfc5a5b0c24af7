/* What a scenario yields (MODEL.md "What a scenario yields"), stored as
 * blocks of scenarios, one array per variable, laid out exactly as the
 * results file holds them. The variable table below is the single list
 * of names, units and dimensions that the writer, the report and the
 * readers share. */
#ifndef SM_OUTCOME_H
#define SM_OUTCOME_H

#include <stddef.h>
#include <stdint.h>

#include "inputs.h"
#include "lp_layout.h"

/* Scenario status codes, stored as int8 with CF flag_values. 0 is the
 * fill value: a scenario not (yet) solved. */
typedef enum sm_scen_status {
    SM_SCEN_NOT_SOLVED = 0,
    SM_SCEN_OPTIMAL = 1,
    SM_SCEN_INFEASIBLE = 2,
    SM_SCEN_UNBOUNDED = 3,
    SM_SCEN_ITERATION_LIMIT = 4,
    SM_SCEN_TIME_LIMIT = 5,
    SM_SCEN_SOLVER_FAILURE = 6
} sm_scen_status;
#define SM_SCEN_N_STATUS 7
extern const char *const sm_scen_status_names[SM_SCEN_N_STATUS];

typedef enum sm_dim {
    SM_DIM_SUPPLIER, SM_DIM_REGION, SM_DIM_MATERIAL, SM_DIM_PERIOD, SM_DIM_LIMIT,
    SM_DIM_PARAMETER,   /* swept parameters; 0 outside a sweep */
    SM_DIM_COUNT
} sm_dim;

typedef enum sm_vtype { SM_VT_I8, SM_VT_I32, SM_VT_F64 } sm_vtype;

typedef enum sm_var {
    SM_V_PARAMETERS,
    SM_V_STATUS, SM_V_SOLVER_CODE, SM_V_ITERATIONS, SM_V_SOLVE_TIME,
    SM_V_TOTAL_COST, SM_V_COST_PURCHASE, SM_V_COST_TARIFF, SM_V_COST_FREIGHT,
    SM_V_COST_HOLDING, SM_V_COST_SHORTFALL,
    SM_V_PURCHASES_REGION, SM_V_REGION_SHARE, SM_V_SHORTFALL_TOTAL, SM_V_LIMIT_SAVING,
    SM_V_PURCHASES, SM_V_STOCK, SM_V_SHORTFALL, SM_V_MARGINAL_COST, SM_V_LIMIT_DUAL,
    SM_V_CASH_COST, SM_V_SHORTFALL_SHARE,
    SM_V_RELAX_STOCK, SM_V_RELAX_LIMIT,   /* an infeasible scenario's least relaxation */
    SM_V_SAVING_UP, SM_V_SAVING_DOWN, SM_V_SHARE_LOW, SM_V_SHARE_HIGH,   /* run --ranging */
    SM_NVARS
} sm_var;

typedef struct sm_var_desc {
    const char *name;
    const char *units;
    const char *long_name;
    sm_vtype type;
    int ndims;              /* dimensions after `scenario` */
    sm_dim dims[3];
    int full_only;          /* left out of summaries-only results */
    int timing;             /* differs between identical runs (wall-clock) */
} sm_var_desc;

extern const sm_var_desc sm_vars[SM_NVARS];

/* Sizes of the dimensions for one model (no parameters: set
 * n[SM_DIM_PARAMETER] for a sweep). */
typedef struct sm_dims {
    int n[SM_DIM_COUNT];
} sm_dims;
sm_dims sm_dims_of(const sm_model *m);

/* Elements per scenario of variable v, and bytes per element. */
size_t sm_var_elems(const sm_dims *dims, sm_var v);
size_t sm_vtype_size(sm_vtype t);

/* A block of `capacity` scenarios' results: data[v] holds capacity rows of
 * sm_var_elems(v) elements. Variables marked full_only are NULL when the
 * block is summaries-only. */
typedef struct sm_block {
    sm_dims dims;
    size_t capacity;
    size_t count;            /* rows in use */
    int full;
    void *data[SM_NVARS];       /* all in mem when it is set, else each its own */
    size_t row_bytes[SM_NVARS]; /* bytes of one scenario's row of each */
    void *mem;                  /* a large block's one buffer (core/mem.h) */
    /* Scratch a writer may attach (e.g. compressed chunks prepared on the
     * solver thread); freed with the block through aux_free. */
    void *aux;
    void (*aux_free)(void *aux);
} sm_block;

sm_block *sm_block_new(const sm_dims *dims, size_t capacity, int full);
void sm_block_free(sm_block **b);

/* Pointer to row i of variable v (NULL when v is not kept). */
void *sm_block_row(const sm_block *b, sm_var v, size_t i);

/* Row i as "not solved": status 0, NaN everywhere else. */
void sm_block_clear_row(sm_block *b, size_t i);

/* Fill row i from an LP solution: col_prim[] and row_dual[] are 0-based
 * over the layout's columns and rows. */
void sm_block_fill_row(sm_block *b, size_t i, const sm_model *m, const sm_layout *L,
                       const sm_inputs *in, const double *col_prim, const double *row_dual);

/* A solver thread's memory of the offers' costs in the rows it filled
 * (purchase, tariff and freight parts, each a function of the offer's
 * tonnes and its cost inputs only), so that a row whose offer kept its
 * tonnes to the bit and whose cost inputs did not move adds the same
 * parts without looking up unit costs again. The caller says which
 * offers' cost inputs moved (sm_scenario_patch_memo), or forgets
 * all when any other input may have. */
typedef struct sm_row_memo sm_row_memo;
sm_row_memo *sm_row_memo_new(const sm_model *m, const sm_layout *L);
void sm_row_memo_free(sm_row_memo **mo);
void sm_row_memo_forget(sm_row_memo *mo, const sm_model *m);
void sm_row_memo_moved(sm_row_memo *mo, int offer);
/* The next row's primal values are, to the bit, those of the row last
 * filled with mo in the same block (the solve provably left them:
 * sm_lp_solution_moved): what depends on them alone (purchases, tonnes by
 * region) is copied from that row instead of computed again. Holds for
 * the next fill only. */
void sm_row_memo_same_x(sm_row_memo *mo);

/* sm_block_fill_row with the offers' parts from mo where they hold, and
 * kept there for the next row (mo NULL: none). The row is the same. */
void sm_block_fill_row_memo(sm_block *b, size_t i, const sm_model *m, const sm_layout *L,
                            const sm_inputs *in, const double *x, const double *y,
                            sm_row_memo *mo);

/* Commitment fees paid in row i's future (a plan's fee·k*): part of its
 * total cost and of its cash cost. */
void sm_block_add_fees(sm_block *b, size_t i, double fees);

/* Set the bookkeeping of row i (the LP values stay as filled or cleared). */
void sm_block_set_status(sm_block *b, size_t i, sm_scen_status st, int solver_code,
                         int iterations, double solve_time_s);

#endif
