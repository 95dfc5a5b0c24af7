/* The data one scenario sees: the model's base values after the scenario
 * parameters of MODEL.md have been applied. Everything here moves only
 * bounds, right-hand sides and costs of the LP. */
#ifndef SM_INPUTS_H
#define SM_INPUTS_H

#include "model.h"

typedef struct sm_inputs {
    double *tariff;          /* [R] standing rate, fraction of price */
    sm_window *win;          /* [sm_scope_slots] tariff and availability windows */
    double *penalty_mult;    /* [M] penalty.MATERIAL: multiplies voll */
    double discount_rate;    /* annual, fraction: costs are present values */
    double *share;           /* [K] */
    double *price_mult;      /* [O] product of price.MATERIAL and price.SUPPLIER */
    double *cap_mult;        /* [O] product of capacity.REGION and capacity.SUPPLIER */
    int *delay;              /* [U] periods added to start_period */
    double *demand_mult;     /* [M] */
    double demand_growth;    /* per period: d[m,t] grows by (1+g)^(t-1) */
    double *stock_initial;   /* [M] t */
    double *stock_capacity;  /* [M] t */
    /* 1 (the default): a contract offer's delivered tonne also pays its
     * commitment fee (perfect foresight); 0 in a plan's second stage,
     * where the fee is paid on the commitment (models/commit.h). */
    int fees_on_delivery;
    /* USD paid in this scenario on a given portfolio's commitment, whatever
     * is delivered (models/portfolio.h); 0 otherwise. A constant of the
     * objective and a part of total_cost. */
    double commitment_fees;
} sm_inputs;

/* Inputs holding the model's base case; NULL when out of memory. */
sm_inputs *sm_inputs_new(const sm_model *m);
void sm_inputs_free(sm_inputs **in);

/* Back to the base case. */
void sm_inputs_reset(const sm_model *m, sm_inputs *in);

/* Copy every input of from into to (both made for m by sm_inputs_new). */
void sm_inputs_copy(const sm_model *m, sm_inputs *to, const sm_inputs *from);

/* Effective demand d[m,t], t 0-based. */
double sm_inputs_demand(const sm_model *m, const sm_inputs *in, int mat, int t);

/* Effective start period of supplier u (1-based, may lie past the horizon). */
int sm_inputs_start(const sm_model *m, const sm_inputs *in, int u);

/* Offer o's capacity in period t (0-based) before export availability
 * (t/period): cap·pm_cap·ramp_factor with the scenario's start, or its
 * capacity profile shifted by the supplier's delay (the first value before
 * it, 0; past its end, the last value holds) times the multipliers. */
double sm_inputs_capacity(const sm_model *m, const sm_inputs *in, int o, int t);

/* Availability a[r,m,t] and the tariff rate tariff[r,m,t] (MODEL.md
 * "Scoped windows"), t 0-based. */
double sm_inputs_availability(const sm_model *m, const sm_inputs *in, int r, int mat, int t);
double sm_inputs_tariff(const sm_model *m, const sm_inputs *in, int r, int mat, int t);

/* The shortfall penalty voll[m]·penalty.m (USD/t). */
double sm_inputs_penalty(const sm_model *m, const sm_inputs *in, int mat);

/* The discount factor of period t (0-based): (1 + rate)^(-y) with y the
 * years from the first period's start to period t's start, when the
 * period's costs are paid; exactly 1 when the rate is 0. */
double sm_inputs_discount(const sm_model *m, const sm_inputs *in, int t);

/* Ex-works price p·pm of offer o (USD/t): without tariff or freight. */
double sm_inputs_price(const sm_model *m, const sm_inputs *in, int o);

/* A delivered tonne of offer o in period t (0-based) and what it is made
 * of (USD/t): MODEL.md's c = p·pm·(1 + tariff[r,m,t]) + f, the one place
 * this formula is written. */
typedef struct sm_unit_cost {
    double price, tariff, freight;
    double total;   /* price·(1 + tariff rate) + freight */
} sm_unit_cost;

sm_unit_cost sm_inputs_unit_cost(const sm_model *m, const sm_inputs *in, int o, int t);

#endif
