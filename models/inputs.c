/* Scenario inputs over a model's base case (see inputs.h). */
#include "inputs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void sm_inputs_free(sm_inputs **pin)
{
    sm_inputs *in = pin ? *pin : NULL;
    if (!in)
        return;
    free(in->tariff);
    free(in->win);
    free(in->penalty_mult);
    free(in->share);
    free(in->price_mult);
    free(in->cap_mult);
    free(in->delay);
    free(in->demand_mult);
    free(in->stock_initial);
    free(in->stock_capacity);
    free(in);
    *pin = NULL;
}

sm_inputs *sm_inputs_new(const sm_model *m)
{
    sm_inputs *in = calloc(1, sizeof *in);
    if (!in)
        return NULL;
    size_t R = (size_t)m->n_regions + 1, K = (size_t)m->n_limits + 1,
           O = (size_t)m->n_offers + 1, U = (size_t)m->n_suppliers + 1,
           M = (size_t)m->n_materials + 1;
    in->tariff = malloc(R * sizeof(double));
    in->win = malloc(((size_t)sm_scope_slots(m) + 1) * sizeof(sm_window));
    in->penalty_mult = malloc(M * sizeof(double));
    in->share = malloc(K * sizeof(double));
    in->price_mult = malloc(O * sizeof(double));
    in->cap_mult = malloc(O * sizeof(double));
    in->delay = malloc(U * sizeof(int));
    in->demand_mult = malloc(M * sizeof(double));
    in->stock_initial = malloc(M * sizeof(double));
    in->stock_capacity = malloc(M * sizeof(double));
    if (!in->tariff || !in->win || !in->penalty_mult || !in->share || !in->price_mult ||
        !in->cap_mult || !in->delay || !in->demand_mult || !in->stock_initial ||
        !in->stock_capacity) {
        sm_inputs_free(&in);
        return NULL;
    }
    sm_inputs_reset(m, in);
    return in;
}

void sm_inputs_reset(const sm_model *m, sm_inputs *in)
{
    for (int r = 0; r < m->n_regions; r++)
        in->tariff[r] = m->regions[r].tariff;
    memcpy(in->win, m->windows, (size_t)sm_scope_slots(m) * sizeof *in->win);
    for (int k = 0; k < m->n_limits; k++)
        in->share[k] = m->limits[k].share;
    for (int o = 0; o < m->n_offers; o++) {
        in->price_mult[o] = 1.0;
        in->cap_mult[o] = 1.0;
    }
    for (int u = 0; u < m->n_suppliers; u++)
        in->delay[u] = 0;
    for (int i = 0; i < m->n_materials; i++) {
        in->demand_mult[i] = 1.0;
        in->penalty_mult[i] = 1.0;
        in->stock_initial[i] = m->materials[i].stock_initial;
        in->stock_capacity[i] = m->materials[i].stock_capacity;
    }
    in->demand_growth = 0.0;
    in->discount_rate = m->discount_rate;
    in->fees_on_delivery = 1;
    in->commitment_fees = 0.0;
}

void sm_inputs_copy(const sm_model *m, sm_inputs *to, const sm_inputs *from)
{
    size_t R = (size_t)m->n_regions, K = (size_t)m->n_limits, O = (size_t)m->n_offers,
           U = (size_t)m->n_suppliers, M = (size_t)m->n_materials;
    memcpy(to->tariff, from->tariff, R * sizeof(double));
    memcpy(to->win, from->win, (size_t)sm_scope_slots(m) * sizeof(sm_window));
    memcpy(to->penalty_mult, from->penalty_mult, M * sizeof(double));
    memcpy(to->share, from->share, K * sizeof(double));
    memcpy(to->price_mult, from->price_mult, O * sizeof(double));
    memcpy(to->cap_mult, from->cap_mult, O * sizeof(double));
    memcpy(to->delay, from->delay, U * sizeof(int));
    memcpy(to->demand_mult, from->demand_mult, M * sizeof(double));
    memcpy(to->stock_initial, from->stock_initial, M * sizeof(double));
    memcpy(to->stock_capacity, from->stock_capacity, M * sizeof(double));
    to->discount_rate = from->discount_rate;
    to->demand_growth = from->demand_growth;
    to->fees_on_delivery = from->fees_on_delivery;
    to->commitment_fees = from->commitment_fees;
}

double sm_inputs_demand(const sm_model *m, const sm_inputs *in, int mat, int t)
{
    double d = sm_model_demand(m, mat, t) * in->demand_mult[mat];
    if (in->demand_growth != 0.0 && t > 0)
        d *= pow(1.0 + in->demand_growth, (double)t);
    return d;
}

int sm_inputs_start(const sm_model *m, const sm_inputs *in, int u)
{
    int s = m->suppliers[u].start_period + in->delay[u];
    return s < 1 ? 1 : s;
}

double sm_inputs_capacity(const sm_model *m, const sm_inputs *in, int o, int t)
{
    const sm_offer *of = &m->offers[o];
    int u = of->supplier;
    if (of->profile) {
        int k = t - in->delay[u];   /* the profile's period for t, 0-based */
        if (k < 0)
            return 0.0;
        return of->profile[k < m->n_periods ? k : m->n_periods - 1] * in->cap_mult[o];
    }
    /* This association, (cap·mult)·ramp, is the one results were made with. */
    double cap = of->capacity * in->cap_mult[o];
    return cap * sm_ramp_factor(sm_inputs_start(m, in, u), m->suppliers[u].ramp_periods, t + 1);
}

double sm_inputs_availability(const sm_model *m, const sm_inputs *in, int r, int mat, int t)
{
    return sm_scope_value(m, in->win, in->tariff, SM_SCOPE_AVAIL, r, mat, t + 1);
}

double sm_inputs_tariff(const sm_model *m, const sm_inputs *in, int r, int mat, int t)
{
    return sm_scope_value(m, in->win, in->tariff, SM_SCOPE_TARIFF, r, mat, t + 1);
}

double sm_inputs_penalty(const sm_model *m, const sm_inputs *in, int mat)
{
    return m->materials[mat].shortfall_penalty * in->penalty_mult[mat];
}

double sm_inputs_discount(const sm_model *m, const sm_inputs *in, int t)
{
    if (in->discount_rate == 0.0)
        return 1.0;
    double years = (double)sm_period_offset_months(m, t + 1) / 12.0;
    return pow(1.0 + in->discount_rate, -years);
}

double sm_inputs_price(const sm_model *m, const sm_inputs *in, int o)
{
    return m->offers[o].price * in->price_mult[o];
}

sm_unit_cost sm_inputs_unit_cost(const sm_model *m, const sm_inputs *in, int o, int t)
{
    int u = m->offers[o].supplier;
    double rate = sm_inputs_tariff(m, in, m->suppliers[u].region, m->offers[o].material, t);
    sm_unit_cost c;
    c.price = sm_inputs_price(m, in, o);
    c.tariff = c.price * rate;
    c.freight = m->suppliers[u].freight;
    c.total = c.price * (1.0 + rate) + c.freight;
    return c;
}
