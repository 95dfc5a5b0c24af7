/* The shared, read-only part of a run (see problem.h). */
#include "problem.h"

#include "commit.h"
#include "portfolio.h"

#include <stdlib.h>
#include <string.h>

sm_status sm_problem_new(const sm_model *m, sm_problem **out, sm_diag *d)
{
    sm_status st = SM_OK;
    *out = NULL;
    sm_problem *p = calloc(1, sizeof *p);
    if (!p)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    p->model = m;
    p->dims = sm_dims_of(m);
    SM_TRY(sm_layout_build(m, &p->layout, d));
    p->base_inputs = sm_inputs_new(m);
    p->base_coeffs = sm_coeffs_new(p->layout);
    if (!p->base_inputs || !p->base_coeffs)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    sm_coeffs_compute(m, p->layout, p->base_inputs, p->base_coeffs);
    *out = p;
    p = NULL;
done:
    sm_problem_free(&p);
    return st;
}

void sm_problem_free(sm_problem **pp)
{
    sm_problem *p = pp ? *pp : NULL;
    if (!p)
        return;
    sm_layout_free(&p->layout);
    sm_inputs_free(&p->base_inputs);
    sm_coeffs_free(&p->base_coeffs);
    free(p);
    *pp = NULL;
}

static void scenario_inputs(const sm_model *m, const sm_sweep *sw, const double *values,
                            sm_inputs *in)
{
    sm_inputs_reset(m, in);
    for (int k = 0; k < sw->n_params; k++)
        sm_params_apply(m, &sw->params[k].target, &values[k], 1, in);
}

void sm_scenario_inputs(const sm_problem *p, const sm_sweep *sw, size_t i, double *values,
                        sm_inputs *in)
{
    sm_sweep_values(sw, i, values);
    scenario_inputs(p->model, sw, values, in);
}

void sm_scenario_coeffs(const sm_problem *p, const sm_sweep *sw, size_t i, double *values,
                        sm_inputs *in, sm_coeffs *c)
{
    sm_sweep_values(sw, i, values);
    scenario_inputs(p->model, sw, values, in);
    if (p->portfolio) {
        sm_portfolio_coeffs(p->model, p->layout, p->portfolio,
                            sm_portfolio_policy_of(p->portfolio, sw, i), in, c);
        return;
    }
    sm_coeffs_compute(p->model, p->layout, in, c);
    if (p->model->n_contracts > 0) {
        /* Perfect foresight bounds a contract offer by what the policy
         * lets one commit (MODEL.md Part 2); in is the scenario's again
         * afterwards, as callers read it. */
        sm_commit_policy_inputs(p->model, sw, values, in);
        sm_commit_bound_foresight(p->model, p->layout, in, c);
        scenario_inputs(p->model, sw, values, in);
    }
}

/* ---- patching the last scenario's numbers -------------------------------- */

struct sm_scenario_patch {
    sm_inputs *prev;                 /* the inputs c was computed from */
    sm_inputs *policy, *prev_policy; /* the grid-only inputs (contract bounds) */
    const sm_sweep *sw;              /* the sweep of the last call */
    int valid;
    int all;                         /* the last call computed every number */
    int n_cols, n_rows;              /* else these columns and rows, */
    int *cols, *rows;                /* listed in ascending order within each part */
    int n_priced, *priced;           /* the offers whose cost inputs moved */
    unsigned char *win_moved;        /* per scope slot: its window moved */
};

sm_scenario_patch *sm_scenario_patch_new(const sm_problem *p)
{
    sm_scenario_patch *sp = calloc(1, sizeof *sp);
    if (!sp)
        return NULL;
    sp->prev = sm_inputs_new(p->model);
    sp->policy = sm_inputs_new(p->model);
    sp->prev_policy = sm_inputs_new(p->model);
    sp->cols = malloc(((size_t)p->layout->n_cols + 1) * sizeof *sp->cols);
    sp->rows = malloc(((size_t)p->layout->n_rows + 1) * sizeof *sp->rows);
    sp->priced = malloc(((size_t)p->model->n_offers + 1) * sizeof *sp->priced);
    sp->win_moved = malloc((size_t)sm_scope_slots(p->model) + 1);
    if (!sp->prev || !sp->policy || !sp->prev_policy || !sp->cols || !sp->rows || !sp->priced ||
        !sp->win_moved)
        sm_scenario_patch_free(&sp);
    return sp;
}

void sm_scenario_patch_free(sm_scenario_patch **psp)
{
    sm_scenario_patch *sp = psp ? *psp : NULL;
    if (!sp)
        return;
    sm_inputs_free(&sp->prev);
    sm_inputs_free(&sp->policy);
    sm_inputs_free(&sp->prev_policy);
    free(sp->cols);
    free(sp->rows);
    free(sp->priced);
    free(sp->win_moved);
    free(sp);
    *psp = NULL;
}

void sm_scenario_patch_forget(sm_scenario_patch *sp)
{
    sp->valid = 0;
}

static int window_moved(const sm_window *a, const sm_window *b)
{
    return a->level != b->level || a->from != b->from || a->until != b->until || a->on != b->on;
}

/* What moved of offer o's numbers: OFFER_BOUNDS when what
 * sm_coeffs_offer_bounds reads did (its capacity multiplier, its
 * supplier's delay, the availability windows of its region and of its
 * region and material), OFFER_COSTS when what sm_coeffs_offer_costs reads
 * did (its price multiplier, its region's standing tariff, the tariff
 * windows); a tariff step moves the costs only. */
enum { OFFER_BOUNDS = 1, OFFER_COSTS = 2 };

/* win_moved: per scope slot, whether its window moved (NULL: none did). */
static int scope_moved(const sm_model *m, const unsigned char *win_moved, sm_scope_kind k, int r,
                       int mat)
{
    return win_moved && (win_moved[sm_scope_slot(m, k, r, -1)] ||
                         win_moved[sm_scope_slot(m, k, r, mat)]);
}

static int offer_moved(const sm_model *m, const sm_inputs *a, const sm_inputs *b, int o,
                       const unsigned char *win_moved)
{
    const sm_offer *of = &m->offers[o];
    int u = of->supplier, r = m->suppliers[u].region;
    int bounds = a->cap_mult[o] != b->cap_mult[o] || a->delay[u] != b->delay[u] ||
                 scope_moved(m, win_moved, SM_SCOPE_AVAIL, r, of->material);
    int costs = a->price_mult[o] != b->price_mult[o] || a->tariff[r] != b->tariff[r] ||
                scope_moved(m, win_moved, SM_SCOPE_TARIFF, r, of->material);
    return (bounds ? OFFER_BOUNDS : 0) | (costs ? OFFER_COSTS : 0);
}

/* Which windows moved since b, slot by slot; NULL when none did. Most
 * steps move none (one comparison of them all); a tariff or availability
 * parameter moves one, compared once a scenario here rather than twice an
 * offer. */
static const unsigned char *windows_moved(const sm_model *m, const sm_inputs *a,
                                          const sm_inputs *b, unsigned char *win_moved)
{
    /* equal bits mean equal numbers computed from them */
    if (!memcmp(a->win, b->win, (size_t)sm_scope_slots(m) * sizeof *a->win))
        return NULL;
    int any = 0;
    for (int s = 0; s < sm_scope_slots(m); s++) {
        win_moved[s] = (unsigned char)window_moved(&a->win[s], &b->win[s]);
        any |= win_moved[s];
    }
    return any ? win_moved : NULL;
}

/* What sm_commit_ub reads of the policy (sm_inputs_capacity). */
static int bound_moved(const sm_model *m, const sm_inputs *a, const sm_inputs *b, int o)
{
    int u = m->offers[o].supplier;
    return a->cap_mult[o] != b->cap_mult[o] || a->delay[u] != b->delay[u];
}

static int material_moved(const sm_inputs *a, const sm_inputs *b, int mat)
{
    return a->stock_capacity[mat] != b->stock_capacity[mat] ||
           a->stock_initial[mat] != b->stock_initial[mat] ||
           a->penalty_mult[mat] != b->penalty_mult[mat] ||
           a->demand_mult[mat] != b->demand_mult[mat];
}

/* Inputs that every number may read: any change recomputes all. */
static int global_moved(const sm_model *m, const sm_inputs *a, const sm_inputs *b)
{
    int demand = 0;
    for (int mat = 0; mat < m->n_materials; mat++)
        demand |= a->demand_mult[mat] != b->demand_mult[mat];
    return demand || a->discount_rate != b->discount_rate ||
           a->demand_growth != b->demand_growth || a->fees_on_delivery != b->fees_on_delivery;
}

/* c from the last scenario's numbers: what moved since sp->prev, listed
 * in sp->cols and sp->rows. policy: the inputs contract bounds read,
 * sp->policy or, when every parameter is on the grid, in itself (whose
 * moves offer_moved sees). */
static void patch_moved(const sm_problem *p, sm_scenario_patch *sp, const sm_inputs *in,
                        const sm_inputs *policy, sm_coeffs *c)
{
    const sm_model *m = p->model;
    const sm_layout *L = p->layout;
    int contracts = m->n_contracts > 0, T = L->T;
    sp->n_cols = sp->n_rows = sp->n_priced = 0;
    c->obj_const = in->commitment_fees;
    const unsigned char *win_moved = windows_moved(m, in, sp->prev, sp->win_moved);
    for (int o = 0; o < m->n_offers; o++) {
        int moved = offer_moved(m, in, sp->prev, o, win_moved);
        if (contracts && policy != in && bound_moved(m, sp->policy, sp->prev_policy, o))
            moved |= OFFER_BOUNDS;
        if (!moved)
            continue;
        if (moved & OFFER_BOUNDS) {
            /* The foresight bound is applied to the bounds just computed:
             * unmoved bounds already hold it. */
            sm_coeffs_offer_bounds(m, L, in, o, c);
            if (contracts)
                sm_commit_bound_foresight_offer(m, L, policy, o, c);
        }
        if (moved & OFFER_COSTS) {
            sm_coeffs_offer_costs(m, L, in, o, c);
            sp->priced[sp->n_priced++] = o;
        }
        for (int t = 0; t < T; t++)
            sp->cols[sp->n_cols++] = sm_col_x(L, o, t);
    }
    for (int mat = 0; mat < m->n_materials; mat++)
        if (material_moved(in, sp->prev, mat)) {
            sm_coeffs_material(m, L, in, mat, c);
            for (int t = 0; t < T; t++) {
                sp->cols[sp->n_cols++] = sm_col_s(L, mat, t);
                sp->cols[sp->n_cols++] = sm_col_q(L, mat, t);
                sp->rows[sp->n_rows++] = sm_row_bal(L, mat, t);
            }
        }
    for (int k = 0; k < m->n_limits; k++)
        if (in->share[k] != sp->prev->share[k]) {
            sm_coeffs_limit_share(m, L, in, k, in->share[k], c);
            for (int mat = 0; mat < m->n_materials; mat++)
                for (int t = 0; t < T; t++)
                    if (sm_row_lim(L, k, mat, t) >= 0)
                        sp->rows[sp->n_rows++] = sm_row_lim(L, k, mat, t);
        }
}

int sm_scenario_patch_moved(const sm_scenario_patch *sp, int *n_cols, const int **cols,
                            int *n_rows, const int **rows)
{
    if (!sp->valid || sp->all)
        return 0;
    *n_cols = sp->n_cols;
    *cols = sp->cols;
    *n_rows = sp->n_rows;
    *rows = sp->rows;
    return 1;
}

void sm_scenario_patch_memo(const sm_scenario_patch *sp, const sm_problem *p, sm_row_memo *mo)
{
    if (!sp->valid || sp->all) {
        sm_row_memo_forget(mo, p->model);
        return;
    }
    for (int a = 0; a < sp->n_priced; a++)
        sm_row_memo_moved(mo, sp->priced[a]);
}

/* 1 when every parameter of sw is on its grid: the policy's inputs
 * (sm_commit_policy_inputs) are then the scenario's. */
static int grid_only(const sm_sweep *sw)
{
    for (int k = 0; k < sw->n_params; k++)
        if (sw->params[k].axis != SM_AXIS_GRID)
            return 0;
    return 1;
}

void sm_scenario_coeffs_patch(const sm_problem *p, sm_scenario_patch *sp, const sm_sweep *sw,
                              size_t i, const double *u, double *values, sm_inputs *in,
                              sm_coeffs *c)
{
    const sm_model *m = p->model;
    if (p->portfolio) { /* a portfolio's numbers are computed another way */
        sm_scenario_coeffs(p, sw, i, values, in, c);
        sp->valid = 0;
        return;
    }
    sm_sweep_values_u(sw, i, u, values);
    scenario_inputs(m, sw, values, in);
    int contracts = m->n_contracts > 0;
    const sm_inputs *policy = in;
    if (contracts && !grid_only(sw)) {
        sm_commit_policy_inputs(m, sw, values, sp->policy);
        policy = sp->policy;
    }
    sp->all = !sp->valid || sw != sp->sw || global_moved(m, in, sp->prev);
    if (!sp->all) {
        patch_moved(p, sp, in, policy, c);
    } else {
        sm_coeffs_compute(m, p->layout, in, c);
        if (contracts)
            sm_commit_bound_foresight(m, p->layout, policy, c);
    }
    sm_inputs_copy(m, sp->prev, in);
    sm_inputs *t = sp->prev_policy;
    sp->prev_policy = sp->policy;
    sp->policy = t;
    sp->sw = sw;
    sp->valid = 1;
}
