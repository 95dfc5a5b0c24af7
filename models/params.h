/* The scenario parameters of MODEL.md ("Scenario parameters"): what a
 * name such as `tariff.China` or `delay.Iluka_Eneabba` refers to, the
 * values it may take, and how a value changes a scenario's inputs. */
#ifndef SM_PARAMS_H
#define SM_PARAMS_H

#include <stddef.h>

#include "inputs.h"

typedef enum sm_param_kind {
    /* The scoped kinds: REGION or REGION.MATERIAL (index: sm_param_scope). */
    SM_P_TARIFF,            /* tariff.SCOPE: the window's rate, fraction of price, >= 0 */
    SM_P_AVAIL_LEVEL,       /* availability.SCOPE: the window's level a in [0, 1] */
    SM_P_AVAIL_FROM,        /* availability.SCOPE.from: the window's first period */
    SM_P_SHARE,             /* share.LIMIT: in [0, 1] */
    SM_P_PRICE_MATERIAL,    /* price.MATERIAL: multiplier of p, >= 0 */
    SM_P_PRICE_SUPPLIER,    /* price.SUPPLIER: multiplier of p, >= 0 */
    SM_P_DEMAND_MATERIAL,   /* demand.MATERIAL: multiplier of d, >= 0 */
    SM_P_DEMAND_GROWTH,     /* demand.growth: per period, > -1 */
    SM_P_CAPACITY_REGION,   /* capacity.REGION: multiplier of cap, >= 0 */
    SM_P_CAPACITY_SUPPLIER, /* capacity.SUPPLIER: multiplier of cap, >= 0 */
    SM_P_DELAY_SUPPLIER,    /* delay.SUPPLIER: periods added to start */
    SM_P_DELAY_REGION,      /* delay.REGION: periods added to every start there */
    SM_P_STOCK_INITIAL,     /* stock.initial.MATERIAL: t */
    SM_P_STOCK_CAPACITY,    /* stock.capacity.MATERIAL: t */
    SM_P_TARIFF_FROM,       /* tariff.SCOPE.from: the window's first period */
    SM_P_TARIFF_UNTIL,      /* tariff.SCOPE.until: the window's last period */
    SM_P_AVAIL_UNTIL,       /* availability.SCOPE.until: the window's last period */
    SM_P_PENALTY,           /* penalty.MATERIAL: multiplier of voll, >= 0 */
    SM_P_DISCOUNT,          /* discount.rate: annual discount rate, in [0, 1] */
    SM_P_KIND_COUNT
} sm_param_kind;

typedef struct sm_param_target {
    sm_param_kind kind;
    /* region, limit, material or supplier; -1 for demand.growth. A scoped
     * kind's index is region + n_regions * (material + 1), material -1 for
     * the region-wide scope, so a region-wide index is the region's. */
    int index;
} sm_param_target;

/* The scope of a scoped kind (tariff.*, availability.*): which window of
 * sm_scope_slot() it moves and which field. Returns 0 for other kinds. */
typedef enum sm_window_field { SM_WF_LEVEL, SM_WF_FROM, SM_WF_UNTIL } sm_window_field;
int sm_param_scope(const sm_model *m, const sm_param_target *t, sm_scope_kind *kind,
                   int *region, int *material, sm_window_field *field);

/* Resolve a parameter name against a model. Returns 1 on success; else 0
 * with a sentence in why (e.g. "unknown region 'Mars' in 'tariff.Mars'"). */
int sm_param_resolve(const sm_model *m, const char *name, sm_param_target *out, char *why,
                     size_t why_size);

/* The values a parameter may take: [lo, hi], and whether only whole
 * numbers make sense (periods). Sampled values are clamped into [lo, hi]
 * and rounded when integer. */
typedef struct sm_param_domain {
    double lo, hi;
    int integer;
    const char *units;       /* "1", "period", "t", "1/period" */
    const char *meaning;     /* "import tariff as a fraction of price", ... */
} sm_param_domain;
sm_param_domain sm_param_domain_of(const sm_model *m, sm_param_kind kind);

/* Bring a value into the parameter's domain (clamp, round if integer). */
double sm_param_clamp(const sm_param_domain *dom, double v);

/* The parameter's value in the model's base case (a window's level and
 * periods as model.yaml gives them: for a scope without a window there,
 * the wider scope's level and periods 1..T; multipliers 1, delays and
 * growth 0). */
double sm_param_base_value(const sm_model *m, const sm_param_target *t);

/* Apply n parameter values to in, which must hold the base case
 * (sm_inputs_reset). Multipliers compose: price.Dy_oxide and
 * price.Lynas both scale Lynas's Dy price; delays add up. */
void sm_params_apply(const sm_model *m, const sm_param_target *targets, const double *values,
                     int n, sm_inputs *in);

#endif
