/* One scenario's LP numbers (see lp_coeffs.h). */
#include "lp_coeffs.h"

#include "commit.h"

#include <math.h>
#include <stdlib.h>

void sm_coeffs_free(sm_coeffs **pc)
{
    sm_coeffs *c = pc ? *pc : NULL;
    if (!c)
        return;
    free(c->col_lb);
    free(c->col_ub);
    free(c->obj);
    free(c->row_lb);
    free(c->row_ub);
    free(c);
    *pc = NULL;
}

sm_coeffs *sm_coeffs_new(const sm_layout *L)
{
    sm_coeffs *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->n_cols = L->n_cols;
    c->n_rows = L->n_rows;
    size_t nc = (size_t)L->n_cols + 1, nr = (size_t)L->n_rows + 1;
    c->col_lb = malloc(nc * sizeof(double));
    c->col_ub = malloc(nc * sizeof(double));
    c->obj = malloc(nc * sizeof(double));
    c->row_lb = malloc(nr * sizeof(double));
    c->row_ub = malloc(nr * sizeof(double));
    if (!c->col_lb || !c->col_ub || !c->obj || !c->row_lb || !c->row_ub)
        sm_coeffs_free(&c);
    return c;
}

void sm_coeffs_offer_bounds(const sm_model *m, const sm_layout *L, const sm_inputs *in, int o,
                            sm_coeffs *c)
{
    const sm_offer *of = &m->offers[o];
    int r = m->suppliers[of->supplier].region;
    for (int t = 0; t < L->T; t++) {
        int j = sm_col_x(L, o, t);
        c->col_lb[j] = 0.0;
        c->col_ub[j] =
            sm_inputs_capacity(m, in, o, t) * sm_inputs_availability(m, in, r, of->material, t);
    }
}

void sm_coeffs_offer_costs(const sm_model *m, const sm_layout *L, const sm_inputs *in, int o,
                           sm_coeffs *c)
{
    double fee = sm_commit_delivered_fee(m, in, o);
    int r = m->suppliers[m->offers[o].supplier].region, mat = m->offers[o].material;
    /* The unit cost moves over the periods with the tariff alone, and a
     * tariff only where a window opens or closes (never, with no window
     * of the offer's scope on, or one over the whole horizon, as a swept
     * `tariff.China` sets): a period at its predecessor's rate has its
     * unit cost, to the bit. Prices move every offer's costs in each
     * Monte Carlo future, a grid's tariff step China's; computing each
     * period's unit cost afresh was 2-3 % of their instructions. */
    int uniform = sm_scope_uniform(m, in->win, SM_SCOPE_TARIFF, r, mat);
    if (uniform && in->discount_rate == 0.0) { /* one cost in every period */
        double cost = sm_inputs_unit_cost(m, in, o, 0).total + fee;
        for (int t = 0; t < L->T; t++)
            c->obj[sm_col_x(L, o, t)] = cost; /* the loop's 1.0 * cost */
        return;
    }
    double rate = NAN, unit = 0.0;
    for (int t = 0; t < L->T; t++) {
        double rt = uniform && t > 0 ? rate : sm_inputs_tariff(m, in, r, mat, t);
        if (rt != rate) {
            rate = rt;
            unit = sm_inputs_unit_cost(m, in, o, t).total;
        }
        c->obj[sm_col_x(L, o, t)] = sm_inputs_discount(m, in, t) * (unit + fee);
    }
}

void sm_coeffs_offer(const sm_model *m, const sm_layout *L, const sm_inputs *in, int o,
                     sm_coeffs *c)
{
    sm_coeffs_offer_bounds(m, L, in, o, c);
    sm_coeffs_offer_costs(m, L, in, o, c);
}

void sm_coeffs_material(const sm_model *m, const sm_layout *L, const sm_inputs *in, int mat,
                        sm_coeffs *c)
{
    const sm_material *mt = &m->materials[mat];
    int T = L->T;
    for (int t = 0; t < T; t++) {
        int js = sm_col_s(L, mat, t), jq = sm_col_q(L, mat, t);
        c->col_lb[js] = t == T - 1 ? mt->stock_final : 0.0;
        c->col_ub[js] = in->stock_capacity[mat];
        double df = sm_inputs_discount(m, in, t);
        c->obj[js] = df * mt->holding_cost;
        c->col_lb[jq] = 0.0;
        c->col_ub[jq] = HUGE_VAL;
        c->obj[jq] = df * sm_inputs_penalty(m, in, mat);
        /* Balance: s[t-1] + Σx + q − s[t] = d[t]; s[0] = s0 moves right. */
        double rhs = sm_inputs_demand(m, in, mat, t) - (t == 0 ? in->stock_initial[mat] : 0.0);
        int ib = sm_row_bal(L, mat, t);
        c->row_lb[ib] = rhs;
        c->row_ub[ib] = rhs;
    }
}

void sm_coeffs_compute(const sm_model *m, const sm_layout *L, const sm_inputs *in,
                       sm_coeffs *c)
{
    c->obj_const = in->commitment_fees;
    for (int o = 0; o < m->n_offers; o++)
        sm_coeffs_offer(m, L, in, o, c);
    for (int mat = 0; mat < m->n_materials; mat++)
        sm_coeffs_material(m, L, in, mat, c);
    for (int k = 0; k < m->n_limits; k++)
        sm_coeffs_limit_share(m, L, in, k, in->share[k], c);
}

void sm_coeffs_limit_share(const sm_model *m, const sm_layout *L, const sm_inputs *in, int k,
                           double share, sm_coeffs *c)
{
    int cap = m->limits[k].kind == SM_LIMIT_CAP;
    for (int mat = 0; mat < m->n_materials; mat++)
        for (int t = 0; t < L->T; t++) {
            int r = sm_row_lim(L, k, mat, t);
            if (r < 0)
                continue;
            double v = share * sm_inputs_demand(m, in, mat, t);
            c->row_lb[r] = cap ? -HUGE_VAL : v;
            c->row_ub[r] = cap ? v : HUGE_VAL;
        }
}
