/* Scenario results and their variable table (see outcome.h). */
#include "outcome.h"

#include "commit.h"
#include "../core/mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const sm_scen_status_names[SM_SCEN_N_STATUS] = {
    "not_solved", "optimal", "infeasible", "unbounded",
    "iteration_limit", "time_limit", "solver_failure"};

#define D(...) {__VA_ARGS__}
const sm_var_desc sm_vars[SM_NVARS] = {
    [SM_V_PARAMETERS] = {"parameters", "1",
                         "value of each swept parameter (units: the parameter_units label)",
                         SM_VT_F64, 1, D(SM_DIM_PARAMETER), 0, 0},
    [SM_V_STATUS] = {"status", "1", "scenario status", SM_VT_I8, 0, D(0), 0, 0},
    [SM_V_SOLVER_CODE] = {"solver_code", "1",
                          "GLPK glp_simplex return code (0 = solved; -1 = GLPK fatal error)",
                          SM_VT_I32, 0, D(0), 0, 0},
    [SM_V_ITERATIONS] = {"iterations", "1", "simplex iterations", SM_VT_I32, 0, D(0), 0, 0},
    [SM_V_SOLVE_TIME] = {"solve_time", "s", "wall-clock time of the solve", SM_VT_F64, 0,
                         D(0), 0, 1},
    [SM_V_TOTAL_COST] = {"total_cost", "USD", "total cost (objective)", SM_VT_F64, 0, D(0), 0, 0},
    [SM_V_COST_PURCHASE] = {"cost_purchase", "USD", "purchase cost at ex-works prices",
                            SM_VT_F64, 0, D(0), 0, 0},
    [SM_V_COST_TARIFF] = {"cost_tariff", "USD", "import tariffs paid", SM_VT_F64, 0, D(0), 0, 0},
    [SM_V_COST_FREIGHT] = {"cost_freight", "USD", "freight and handling", SM_VT_F64, 0, D(0),
                           0, 0},
    [SM_V_COST_HOLDING] = {"cost_holding", "USD", "stock holding cost", SM_VT_F64, 0, D(0), 0, 0},
    [SM_V_COST_SHORTFALL] = {"cost_shortfall", "USD", "shortfall penalty (value of lost supply)",
                             SM_VT_F64, 0, D(0), 0, 0},
    [SM_V_PURCHASES_REGION] = {"purchases_by_region", "t",
                               "tonnes bought over the horizon, by region and material",
                               SM_VT_F64, 2, D(SM_DIM_REGION, SM_DIM_MATERIAL), 0, 0},
    [SM_V_REGION_SHARE] = {"region_share", "1",
                           "region's share of each material's purchases over the horizon",
                           SM_VT_F64, 2, D(SM_DIM_REGION, SM_DIM_MATERIAL), 0, 0},
    [SM_V_SHORTFALL_TOTAL] = {"shortfall_total", "t", "unmet demand over the horizon",
                              SM_VT_F64, 1, D(SM_DIM_MATERIAL), 0, 0},
    [SM_V_LIMIT_SAVING] = {"limit_saving_per_point", "USD per percentage point",
                           "dual price of the limit's share at the margin: minus the sum of its "
                           "rows' duals times 1 % of demand (a subgradient of cost in share; "
                           "at a kink it lies between what one point up and one point down "
                           "really save; negative for a binding floor, whose rise costs)",
                           SM_VT_F64, 1, D(SM_DIM_LIMIT), 0, 0},
    [SM_V_PURCHASES] = {"purchases", "t", "tonnes bought per period", SM_VT_F64, 3,
                        D(SM_DIM_SUPPLIER, SM_DIM_MATERIAL, SM_DIM_PERIOD), 1, 0},
    [SM_V_STOCK] = {"stock", "t", "stock at the end of the period", SM_VT_F64, 2,
                    D(SM_DIM_MATERIAL, SM_DIM_PERIOD), 1, 0},
    [SM_V_SHORTFALL] = {"shortfall", "t", "unmet demand per period", SM_VT_F64, 2,
                        D(SM_DIM_MATERIAL, SM_DIM_PERIOD), 1, 0},
    [SM_V_MARGINAL_COST] = {"marginal_cost", "USD/t",
                            "marginal cost of one more tonne (dual of the balance row)",
                            SM_VT_F64, 2, D(SM_DIM_MATERIAL, SM_DIM_PERIOD), 1, 0},
    [SM_V_LIMIT_DUAL] = {"limit_dual", "USD/t",
                         "dual of the dependency limit row (NaN where the limit does not "
                         "cover the material)",
                         SM_VT_F64, 3, D(SM_DIM_LIMIT, SM_DIM_MATERIAL, SM_DIM_PERIOD), 1, 0},
    [SM_V_CASH_COST] = {"cash_cost", "USD",
                        "cash cost: purchase + tariff + freight + holding + commitment fees "
                        "(total cost without the shortfall penalty)",
                        SM_VT_F64, 0, D(0), 0, 0},
    [SM_V_SHORTFALL_SHARE] = {"shortfall_share", "1",
                              "unmet demand over the horizon as a share of the material's "
                              "demand over the horizon",
                              SM_VT_F64, 1, D(SM_DIM_MATERIAL), 0, 0},
    [SM_V_RELAX_STOCK] = {"relaxation_stock_target", "t",
                          "infeasible scenarios: tonnes by which the end-stock target must be "
                          "lowered in the least relaxation that makes the scenario feasible "
                          "(NaN for scenarios that are not infeasible)",
                          SM_VT_F64, 1, D(SM_DIM_MATERIAL), 0, 0},
    [SM_V_RELAX_LIMIT] = {"relaxation_limit", "1",
                          "infeasible scenarios: share of demand by which the floor's row must "
                          "be lowered in the least relaxation that makes the scenario feasible "
                          "(0 for caps and rows kept; NaN for scenarios that are not infeasible "
                          "and where the limit does not cover the material)",
                          SM_VT_F64, 3, D(SM_DIM_LIMIT, SM_DIM_MATERIAL, SM_DIM_PERIOD), 1, 0},
    [SM_V_SAVING_UP] = {"limit_saving_up", "USD",
                        "run --ranging: cost saved by raising the limit's share one percentage "
                        "point, C(s) - C(s + 0.01), re-solved (-inf where that is infeasible; "
                        "NaN without --ranging or for scenarios not optimal)",
                        SM_VT_F64, 1, D(SM_DIM_LIMIT), 0, 0},
    [SM_V_SAVING_DOWN] = {"limit_saving_down", "USD",
                          "run --ranging: the point below, per point of rise, C(s - 0.01) - "
                          "C(s), re-solved (+inf where that is infeasible); cost is convex in "
                          "share, so limit_saving_up <= 100 x the dual saving <= this",
                          SM_VT_F64, 1, D(SM_DIM_LIMIT), 0, 0},
    [SM_V_SHARE_LOW] = {"limit_share_low", "1",
                        "run --ranging: lowest share at which the optimal basis, and so the "
                        "shadow price, still holds",
                        SM_VT_F64, 1, D(SM_DIM_LIMIT), 0, 0},
    [SM_V_SHARE_HIGH] = {"limit_share_high", "1",
                         "run --ranging: highest share at which the optimal basis, and so the "
                         "shadow price, still holds",
                         SM_VT_F64, 1, D(SM_DIM_LIMIT), 0, 0},
};
#undef D

sm_dims sm_dims_of(const sm_model *m)
{
    sm_dims d;
    d.n[SM_DIM_SUPPLIER] = m->n_suppliers;
    d.n[SM_DIM_REGION] = m->n_regions;
    d.n[SM_DIM_MATERIAL] = m->n_materials;
    d.n[SM_DIM_PERIOD] = m->n_periods;
    d.n[SM_DIM_LIMIT] = m->n_limits;
    d.n[SM_DIM_PARAMETER] = 0;
    return d;
}

size_t sm_var_elems(const sm_dims *dims, sm_var v)
{
    size_t n = 1;
    for (int i = 0; i < sm_vars[v].ndims; i++)
        n *= (size_t)dims->n[sm_vars[v].dims[i]];
    return n;
}

size_t sm_vtype_size(sm_vtype t)
{
    return t == SM_VT_I8 ? 1 : t == SM_VT_I32 ? 4 : 8;
}

void sm_block_free(sm_block **pb)
{
    sm_block *b = pb ? *pb : NULL;
    if (!b)
        return;
    if (b->mem)
        free(b->mem);
    else
        for (int v = 0; v < SM_NVARS; v++)
            free(b->data[v]);
    if (b->aux && b->aux_free)
        b->aux_free(b->aux);
    free(b);
    *pb = NULL;
}

sm_block *sm_block_new(const sm_dims *dims, size_t capacity, int full)
{
    sm_block *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->dims = *dims;
    b->capacity = capacity;
    b->full = full;
    /* A large block is one buffer, each variable at a cache line of its
     * own, in huge pages (core/mem.h): the pool's blocks are written in
     * full, and a china_grid run faulted 1,250 times a block in 4 KiB
     * pages. A small one is a buffer a variable: one buffer of a few
     * hundred KiB is mmap'ed and unmapped by glibc, and sm_bench's
     * repeated runs faulted 2.6 times as often on quick. */
    size_t at[SM_NVARS], total = 0;
    for (int v = 0; v < SM_NVARS; v++) {
        if (sm_vars[v].full_only && !full)
            continue;
        b->row_bytes[v] = sm_var_elems(dims, (sm_var)v) * sm_vtype_size(sm_vars[v].type);
        size_t bytes = capacity * b->row_bytes[v];
        if (b->row_bytes[v] && bytes / b->row_bytes[v] != capacity) {
            sm_block_free(&b);
            return NULL;
        }
        at[v] = total;
        total += bytes / 64 * 64 + 64; /* at least a byte: kept means not NULL */
        if (total < at[v]) {
            sm_block_free(&b);
            return NULL;
        }
    }
    if (total >= SM_MEM_BIG_MIN && !(b->mem = sm_mem_big(total))) {
        sm_block_free(&b);
        return NULL;
    }
    for (int v = 0; v < SM_NVARS; v++) {
        if (sm_vars[v].full_only && !full)
            continue;
        size_t bytes = capacity * b->row_bytes[v];
        b->data[v] = b->mem ? (char *)b->mem + at[v] : malloc(bytes ? bytes : 1);
        if (!b->data[v]) {
            sm_block_free(&b);
            return NULL;
        }
    }
    return b;
}

void *sm_block_row(const sm_block *b, sm_var v, size_t i)
{
    return b->data[v] ? (char *)b->data[v] + i * b->row_bytes[v] : NULL;
}

void sm_block_clear_row(sm_block *b, size_t i)
{
    for (int v = 0; v < SM_NVARS; v++) {
        void *p = sm_block_row(b, (sm_var)v, i);
        if (!p)
            continue;
        size_t n = sm_var_elems(&b->dims, (sm_var)v);
        if (sm_vars[v].type == SM_VT_F64) {
            double *x = p;
            for (size_t k = 0; k < n; k++)
                x[k] = NAN;
        } else {
            memset(p, 0, n * sm_vtype_size(sm_vars[v].type));
        }
    }
}

/* ---- a thread's memory of the last rows' offer costs --------------------- */

struct sm_row_memo {
    int T;
    long last;             /* the row last filled (-1: none since forgotten) */
    int same_x;            /* the next row's primal values are last's */
    unsigned char *bought; /* per offer: anything bought in the row last filled */
    double *x;             /* per offer, the tonnes its parts were computed from */
    double *parts;         /* per offer: purchase, tariff, freight, tonnes */
    unsigned char *valid;  /* per offer: its cost inputs have not moved since */
    double *demand;        /* [M][T] sm_inputs_demand, then [M] its sums over T, */
    int demand_ok;         /* valid until forgotten (demand inputs move them all) */
};

sm_row_memo *sm_row_memo_new(const sm_model *m, const sm_layout *L)
{
    sm_row_memo *mo = calloc(1, sizeof *mo);
    size_t n = (size_t)m->n_offers + 1;
    if (!mo)
        return NULL;
    mo->T = L->T;
    mo->x = malloc(n * (size_t)L->T * sizeof *mo->x);
    mo->parts = malloc(4 * n * sizeof *mo->parts);
    mo->valid = calloc(n, 1);
    mo->bought = calloc(n, 1);
    mo->last = -1;
    mo->demand = malloc(((size_t)m->n_materials * (size_t)(L->T + 1) + 1) * sizeof *mo->demand);
    if (!mo->x || !mo->parts || !mo->valid || !mo->bought || !mo->demand)
        sm_row_memo_free(&mo);
    return mo;
}

void sm_row_memo_free(sm_row_memo **pmo)
{
    sm_row_memo *mo = pmo ? *pmo : NULL;
    if (!mo)
        return;
    free(mo->x);
    free(mo->parts);
    free(mo->valid);
    free(mo->bought);
    free(mo->demand);
    free(mo);
    *pmo = NULL;
}

void sm_row_memo_forget(sm_row_memo *mo, const sm_model *m)
{
    memset(mo->valid, 0, (size_t)m->n_offers);
    mo->demand_ok = 0;
    mo->last = -1; /* a new block's buffer, or numbers all computed again */
}

void sm_row_memo_same_x(sm_row_memo *mo)
{
    mo->same_x = 1;
}

/* Demand of mat in period t (0-based) and its sum over the periods, from
 * the memo's table when there is one. */
static double demand_at(const sm_row_memo *mo, const sm_model *m, const sm_inputs *in, int mat,
                        int t)
{
    return mo ? mo->demand[(size_t)mat * (size_t)mo->T + (size_t)t]
              : sm_inputs_demand(m, in, mat, t);
}

static double demand_sum(const sm_row_memo *mo, const sm_model *m, const sm_inputs *in, int mat)
{
    if (mo)
        return mo->demand[(size_t)m->n_materials * (size_t)mo->T + (size_t)mat];
    double d = 0.0;
    for (int t = 0; t < m->n_periods; t++)
        d += sm_inputs_demand(m, in, mat, t);
    return d;
}

static void memo_demand(sm_row_memo *mo, const sm_model *m, const sm_inputs *in)
{
    if (mo->demand_ok)
        return;
    for (int mat = 0; mat < m->n_materials; mat++) {
        for (int t = 0; t < mo->T; t++)
            mo->demand[(size_t)mat * (size_t)mo->T + (size_t)t] = sm_inputs_demand(m, in, mat, t);
        mo->demand[(size_t)m->n_materials * (size_t)mo->T + (size_t)mat] =
            demand_sum(NULL, m, in, mat);
    }
    mo->demand_ok = 1;
}

void sm_row_memo_moved(sm_row_memo *mo, int o)
{
    mo->valid[o] = 0;
}

/* An offer's purchase, tariff and freight parts added to a row's costs. */
static void add_parts(double *costs, const double *part)
{
    costs[0] += part[0];
    costs[1] += part[1];
    costs[2] += part[2];
}

/* Offer o's parts from the memo, when its tonnes are those they were
 * computed from, bit for bit: the same sums then follow. */
static int memo_parts(const sm_row_memo *mo, int o, const double *xo, double *row,
                      double *costs, double *tons)
{
    int T = mo->T;
    if (!mo->valid[o] || memcmp(&mo->x[(size_t)o * (size_t)T], xo, (size_t)T * sizeof *xo))
        return 0;
    const double *p = &mo->parts[4 * (size_t)o];
    for (int t = 0; row && t < T; t++)
        row[t] = xo[t];
    add_parts(costs, p);
    *tons = p[3];
    return 1;
}

static void memo_keep(sm_row_memo *mo, int o, const double *xo, const double *part, double tons)
{
    int T = mo->T;
    memcpy(&mo->x[(size_t)o * (size_t)T], xo, (size_t)T * sizeof *xo);
    double *p = &mo->parts[4 * (size_t)o];
    p[0] = part[0];
    p[1] = part[1];
    p[2] = part[2];
    p[3] = tons;
    mo->valid[o] = 1;
}

/* The parts of `tons` bought at one unit cost c (and fee) in every
 * period, undiscounted. */
static void flat_parts(sm_unit_cost c, double fee, double tons, double *part)
{
    part[0] = c.price * tons + fee * tons;
    part[1] = c.tariff * tons;
    part[2] = c.freight * tons;
}

/* 1 when offer o pays one unit cost in every period, undiscounted. */
static int flat_cost(const sm_model *m, const sm_inputs *in, int o)
{
    int r = m->suppliers[m->offers[o].supplier].region;
    return in->discount_rate == 0.0 &&
           sm_scope_uniform(m, in->win, SM_SCOPE_TARIFF, r, m->offers[o].material);
}

/* Offer o's purchase, tariff and freight cost added to costs[0..2], its
 * tonnes per period into row (when kept); returns its tonnes.
 * Costs are present values (sm_inputs_discount). When neither the tariff
 * nor the discount factor moves over the periods, each part is a unit cost
 * times the tonnes, summed as before windows and discounting existed, so
 * such results stay the same to the bit. */
static double offer_costs(const sm_model *m, const sm_layout *L, const sm_inputs *in, int o,
                          const double *x, double *row, double *costs, sm_row_memo *mo)
{
    int T = L->T;
    const double *xo = &x[sm_col_x(L, o, 0)];
    int bought = 0;
    for (int t = 0; t < T; t++)
        bought |= xo[t] != 0.0;
    if (mo)
        mo->bought[o] = (unsigned char)bought;
    if (!bought) {
        /* Nothing bought: every part below would add a zero, which leaves
         * the sums (never -0) as they are, so skip its unit costs. */
        for (int t = 0; row && t < T; t++)
            row[t] = xo[t];
        return 0.0;
    }
    double tons = 0.0;
    if (mo && memo_parts(mo, o, xo, row, costs, &tons))
        return tons;
    /* A contract tonne bought with perfect foresight also pays its fee:
     * part of its price (0 for spot offers, so their sums are as before). */
    double fee = sm_commit_delivered_fee(m, in, o);
    sm_unit_cost c = sm_inputs_unit_cost(m, in, o, 0);
    double pv_price = 0.0, pv_tariff = 0.0, pv_freight = 0.0;
    /* With the same tariff in every period and no discounting, every
     * lookup below would find moves 0: skip them (most of a result row's
     * time on china_grid, whose tariff window spans the horizon). */
    int r = m->suppliers[m->offers[o].supplier].region;
    int fixed = flat_cost(m, in, o);
    int moves = 0;
    for (int t = 0; t < T; t++) {
        double v = xo[t];
        tons += v;
        if (row)
            row[t] = v;
        if (fixed)
            continue;
        /* sm_inputs_unit_cost(m, in, o, t).tariff, without the rest */
        double ct = c.price * sm_inputs_tariff(m, in, r, m->offers[o].material, t);
        double df = sm_inputs_discount(m, in, t);
        pv_price += df * (c.price + fee) * v;
        pv_tariff += df * ct * v;
        pv_freight += df * c.freight * v;
        moves |= ct != c.tariff || df != 1.0;
    }
    double part[3] = {pv_price, pv_tariff, pv_freight};
    if (!moves)
        flat_parts(c, fee, tons, part);
    add_parts(costs, part);
    if (mo)
        memo_keep(mo, o, xo, part, tons);
    return tons;
}

/* tonnes / the material's effective demand over the horizon (0 without
 * demand). */
static double demand_share(const sm_row_memo *mo, const sm_model *m, const sm_inputs *in,
                           int mat, double tonnes)
{
    double d = demand_sum(mo, m, in, mat);
    return d > 0.0 ? tonnes / d : 0.0;
}

#define F64(v) ((double *)sm_block_row(b, (v), i))

/* An optimal scenario needs no relaxation; ranging comes later, if asked. */
static void clear_explanations(sm_block *b, size_t i)
{
    for (int v = SM_V_RELAX_STOCK; v <= SM_V_SHARE_HIGH; v++) {
        double *row = F64(v);
        for (size_t a = 0, n = b->row_bytes[v] / sizeof *row; row && a < n; a++)
            row[a] = NAN;
    }
}

void sm_block_fill_row(sm_block *b, size_t i, const sm_model *m, const sm_layout *L,
                       const sm_inputs *in, const double *x, const double *y)
{
    sm_block_fill_row_memo(b, i, m, L, in, x, y, NULL);
}

/* The offers' parts of row i: their costs added to costs[3] (purchase,
 * tariff, freight), their tonnes into purchases and by region. */
static void fill_offers(sm_block *b, size_t i, const sm_model *m, const sm_layout *L,
                        const sm_inputs *in, const double *x, double *costs, sm_row_memo *mo)
{
    int T = L->T, M = m->n_materials;
    double *by_region = F64(SM_V_PURCHASES_REGION);
    double *purchases = F64(SM_V_PURCHASES);
    for (int k = 0; k < m->n_regions * M; k++)
        by_region[k] = 0.0;
    if (purchases)
        for (size_t k = 0; k < sm_var_elems(&b->dims, SM_V_PURCHASES); k++)
            purchases[k] = 0.0;
    for (int o = 0; o < m->n_offers; o++) {
        const sm_offer *of = &m->offers[o];
        int u = of->supplier, r = m->suppliers[u].region, mat = of->material;
        double *row = purchases ? &purchases[((size_t)u * (size_t)M + (size_t)mat) * (size_t)T]
                                : NULL;
        by_region[r * M + mat] +=
            offer_costs(m, L, in, o, x, row, costs, mo);
    }
}

/* fill_offers when the primal values are those of row last (same_x): the
 * tonnes copied, the costs added offer by offer in the same order, from
 * the memo where they hold (its tonnes are then the row's, kept or
 * compared when that row was filled), so every sum is the same. */
static void copy_offers(sm_block *b, size_t i, size_t last, const sm_model *m,
                        const sm_layout *L, const sm_inputs *in, const double *x,
                        double *costs, sm_row_memo *mo)
{
    static const sm_var copied[] = {SM_V_PURCHASES_REGION, SM_V_PURCHASES};
    for (size_t a = 0; a < sizeof copied / sizeof copied[0]; a++) {
        void *to = sm_block_row(b, copied[a], i), *from = sm_block_row(b, copied[a], last);
        if (to && to != from)
            memcpy(to, from, sm_var_elems(&b->dims, copied[a]) * sizeof(double));
    }
    for (int o = 0; o < m->n_offers; o++) {
        if (!mo->bought[o])
            continue; /* nothing bought adds nothing */
        if (mo->valid[o]) {
            add_parts(costs, &mo->parts[4 * (size_t)o]);
        } else if (flat_cost(m, in, o)) {
            /* The memo's tonnes are the row's (this row's x is last's,
             * whose fill kept or matched them): only the prices moved. */
            double *p = &mo->parts[4 * (size_t)o];
            flat_parts(sm_inputs_unit_cost(m, in, o, 0), sm_commit_delivered_fee(m, in, o), p[3],
                       p);
            mo->valid[o] = 1;
            add_parts(costs, p);
        } else {
            offer_costs(m, L, in, o, x, NULL, costs, mo);
        }
    }
}

void sm_block_fill_row_memo(sm_block *b, size_t i, const sm_model *m, const sm_layout *L,
                            const sm_inputs *in, const double *x, const double *y,
                            sm_row_memo *mo)
{
    int T = L->T, M = m->n_materials, R = m->n_regions, K = m->n_limits;
    double costs[3] = {0, 0, 0}, holding = 0, shortfall = 0;
    double *by_region = F64(SM_V_PURCHASES_REGION);
    double *share = F64(SM_V_REGION_SHARE);
    double *short_total = F64(SM_V_SHORTFALL_TOTAL);
    double *shortfall_share = F64(SM_V_SHORTFALL_SHARE);
    if (mo)
        memo_demand(mo, m, in);
    if (mo && mo->same_x && mo->last >= 0)
        copy_offers(b, i, (size_t)mo->last, m, L, in, x, costs, mo);
    else
        fill_offers(b, i, m, L, in, x, costs, mo);
    if (mo) {
        mo->last = (long)i;
        mo->same_x = 0;
    }
    double purchase = costs[0], tariff = costs[1], freight = costs[2];
    double *stock = F64(SM_V_STOCK), *short_t = F64(SM_V_SHORTFALL),
           *mc = F64(SM_V_MARGINAL_COST);
    for (int mat = 0; mat < M; mat++) {
        double tot = 0.0, q_sum = 0.0;
        for (int r = 0; r < R; r++)
            tot += by_region[r * M + mat];
        for (int r = 0; r < R; r++)
            share[r * M + mat] = tot > 0.0 ? by_region[r * M + mat] / tot : 0.0;
        for (int t = 0; t < T; t++) {
            double s = x[sm_col_s(L, mat, t)], q = x[sm_col_q(L, mat, t)];
            double df = sm_inputs_discount(m, in, t); /* exactly 1 without discounting */
            holding += df * m->materials[mat].holding_cost * s;
            shortfall += df * sm_inputs_penalty(m, in, mat) * q;
            q_sum += q;
            if (stock) {
                stock[mat * T + t] = s;
                short_t[mat * T + t] = q;
                mc[mat * T + t] = y[sm_row_bal(L, mat, t)];
            }
        }
        short_total[mat] = q_sum;
        shortfall_share[mat] = demand_share(mo, m, in, mat, q_sum);
    }
    double *saving = F64(SM_V_LIMIT_SAVING), *ldual = F64(SM_V_LIMIT_DUAL);
    for (int k = 0; k < K; k++) {
        double s = 0.0;
        for (int mat = 0; mat < M; mat++)
            for (int t = 0; t < T; t++) {
                int r = sm_row_lim(L, k, mat, t);
                double dual = r >= 0 ? y[r] : NAN;
                if (r >= 0)
                    s -= dual * demand_at(mo, m, in, mat, t) * 0.01;
                if (ldual)
                    ldual[((size_t)k * (size_t)M + (size_t)mat) * (size_t)T + (size_t)t] = dual;
            }
        saving[k] = s;
    }
    *F64(SM_V_COST_PURCHASE) = purchase;
    *F64(SM_V_COST_TARIFF) = tariff;
    *F64(SM_V_COST_FREIGHT) = freight;
    *F64(SM_V_COST_HOLDING) = holding;
    *F64(SM_V_COST_SHORTFALL) = shortfall;
    /* Fees paid on a given portfolio: a constant of the scenario's LP. */
    *F64(SM_V_TOTAL_COST) =
        purchase + tariff + freight + holding + shortfall + in->commitment_fees;
    *F64(SM_V_CASH_COST) = purchase + tariff + freight + holding + in->commitment_fees;
    clear_explanations(b, i);
}

void sm_block_add_fees(sm_block *b, size_t i, double fees)
{
    *F64(SM_V_TOTAL_COST) += fees;
    *F64(SM_V_CASH_COST) += fees;
}

void sm_block_set_status(sm_block *b, size_t i, sm_scen_status st, int solver_code,
                         int iterations, double solve_time_s)
{
    *(int8_t *)sm_block_row(b, SM_V_STATUS, i) = (int8_t)st;
    *(int32_t *)sm_block_row(b, SM_V_SOLVER_CODE, i) = solver_code;
    *(int32_t *)sm_block_row(b, SM_V_ITERATIONS, i) = iterations;
    *F64(SM_V_SOLVE_TIME) = solve_time_s;
}
#undef F64
