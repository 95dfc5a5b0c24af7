/* Scenario parameters: names, domains, effect on inputs (see params.h). */
#include "params.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../core/diag.h"

typedef struct kind_info {
    const char *prefix;      /* text before the first dot */
    const char *suffix;      /* required text after the name ("from"), or NULL */
    const char *entity;      /* "region", "material", "supplier", "limit", or NULL */
    sm_param_kind kind;
} kind_info;

/* Longest forms first, so "availability.China.from" is not read as a
 * region named "China.from". */
static const kind_info kinds[] = {
    {"availability", "from", "region", SM_P_AVAIL_FROM},
    {"availability", NULL, "region", SM_P_AVAIL_LEVEL},
    {"tariff", NULL, "region", SM_P_TARIFF},
    {"share", NULL, "limit", SM_P_SHARE},
    {"price", NULL, "material", SM_P_PRICE_MATERIAL},
    {"price", NULL, "supplier", SM_P_PRICE_SUPPLIER},
    {"demand", NULL, "material", SM_P_DEMAND_MATERIAL},
    {"capacity", NULL, "region", SM_P_CAPACITY_REGION},
    {"capacity", NULL, "supplier", SM_P_CAPACITY_SUPPLIER},
    {"delay", NULL, "supplier", SM_P_DELAY_SUPPLIER},
    {"delay", NULL, "region", SM_P_DELAY_REGION},
};

static int lookup(const sm_model *m, const char *entity, const char *name)
{
    if (!strcmp(entity, "region"))
        return sm_model_region(m, name);
    if (!strcmp(entity, "material"))
        return sm_model_material(m, name);
    if (!strcmp(entity, "supplier"))
        return sm_model_supplier(m, name);
    return sm_model_limit(m, name);
}

/* A part of a parameter name as a message quotes it (sm_excerpt). */
#define Q(text) sm_excerpt((char[SM_EXCERPT_SIZE]){0}, (text))

int sm_param_resolve(const sm_model *m, const char *name, sm_param_target *out, char *why,
                     size_t why_size)
{
    char buf[160];
    if (strlen(name) >= sizeof buf) {
        snprintf(why, why_size, "parameter name too long");
        return 0;
    }
    strcpy(buf, name);
    char *first = buf, *second = strchr(buf, '.');
    if (!second) {
        snprintf(why, why_size, "'%s' is not a parameter name; expected KIND.NAME such as "
                                "tariff.China, share.china_cap or delay.SUPPLIER", Q(name));
        return 0;
    }
    *second++ = '\0';
    char *third = strchr(second, '.');
    if (third)
        *third++ = '\0';

    if (!strcmp(first, "demand") && !strcmp(second, "growth") && !third) {
        out->kind = SM_P_DEMAND_GROWTH;
        out->index = -1;
        return 1;
    }
    if (!strcmp(first, "stock") && third &&
        (!strcmp(second, "initial") || !strcmp(second, "capacity"))) {
        int mat = sm_model_material(m, third);
        if (mat < 0) {
            snprintf(why, why_size, "unknown material '%s' in '%s'", Q(third), Q(name));
            return 0;
        }
        out->kind = !strcmp(second, "initial") ? SM_P_STOCK_INITIAL : SM_P_STOCK_CAPACITY;
        out->index = mat;
        return 1;
    }
    int prefix_known = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const kind_info *k = &kinds[i];
        if (strcmp(first, k->prefix) != 0)
            continue;
        prefix_known = 1;
        if ((k->suffix == NULL) != (third == NULL))
            continue;
        if (k->suffix && strcmp(third, k->suffix) != 0)
            continue;
        int idx = lookup(m, k->entity, second);
        if (idx >= 0) {
            out->kind = k->kind;
            out->index = idx;
            return 1;
        }
    }
    if (!prefix_known) {
        snprintf(why, why_size,
                 "unknown parameter kind '%s' in '%s'; expected one of tariff, availability, "
                 "share, price, demand, capacity, delay, stock", Q(first), Q(name));
        return 0;
    }
    if (!strcmp(first, "availability") && third && strcmp(third, "from") != 0) {
        snprintf(why, why_size, "'%s': expected availability.REGION or availability.REGION.from",
                 Q(name));
        return 0;
    }
    const char *want = !strcmp(first, "tariff") || !strcmp(first, "availability") ? "region"
                     : !strcmp(first, "share") ? "limit"
                     : !strcmp(first, "price") ? "material or supplier"
                     : !strcmp(first, "demand") ? "material (or 'growth')"
                     : !strcmp(first, "capacity") ? "region or supplier"
                     : !strcmp(first, "delay") ? "supplier or region"
                     : "material";
    snprintf(why, why_size, "unknown %s '%s' in '%s'", want, Q(second), Q(name));
    return 0;
}

sm_param_domain sm_param_domain_of(const sm_model *m, sm_param_kind kind)
{
    double T = (double)m->n_periods;
    switch (kind) {
    case SM_P_TARIFF: return (sm_param_domain){0, 100, 0, "1", "import tariff as a fraction of price"};
    case SM_P_AVAIL_LEVEL: return (sm_param_domain){0, 1, 0, "1", "export availability level"};
    case SM_P_AVAIL_FROM: return (sm_param_domain){1, T + 1, 1, "period", "first period of the availability level (T+1: never)"};
    case SM_P_SHARE: return (sm_param_domain){0, 1, 0, "1", "dependency limit share of demand"};
    case SM_P_PRICE_MATERIAL:
    case SM_P_PRICE_SUPPLIER: return (sm_param_domain){0, 1e6, 0, "1", "price multiplier"};
    case SM_P_DEMAND_MATERIAL: return (sm_param_domain){0, 1e6, 0, "1", "demand multiplier"};
    case SM_P_DEMAND_GROWTH: return (sm_param_domain){-0.99, 10, 0, "1/period", "demand growth per period"};
    case SM_P_CAPACITY_REGION:
    case SM_P_CAPACITY_SUPPLIER: return (sm_param_domain){0, 1e6, 0, "1", "capacity multiplier"};
    case SM_P_DELAY_SUPPLIER:
    case SM_P_DELAY_REGION: return (sm_param_domain){-T, T, 1, "period", "delay of the start, in periods"};
    case SM_P_STOCK_INITIAL: return (sm_param_domain){0, 1e9, 0, "t", "initial stock"};
    case SM_P_STOCK_CAPACITY: return (sm_param_domain){0, 1e9, 0, "t", "stockpile capacity"};
    case SM_P_KIND_COUNT: break;
    }
    return (sm_param_domain){0, 0, 0, "1", "unknown"};
}

double sm_param_clamp(const sm_param_domain *dom, double v)
{
    if (dom->integer)
        v = nearbyint(v);
    if (v < dom->lo)
        v = dom->lo;
    if (v > dom->hi)
        v = dom->hi;
    return v;
}

void sm_params_apply(const sm_model *m, const sm_param_target *targets, const double *values,
                     int n, sm_inputs *in)
{
    for (int k = 0; k < n; k++) {
        int i = targets[k].index;
        double v = values[k];
        switch (targets[k].kind) {
        case SM_P_TARIFF: in->tariff[i] = v; break;
        case SM_P_AVAIL_LEVEL: in->avail_level[i] = v; break;
        case SM_P_AVAIL_FROM: in->avail_from[i] = (int)v; break;
        case SM_P_SHARE: in->share[i] = v; break;
        case SM_P_PRICE_MATERIAL:
            for (int o = 0; o < m->n_offers; o++)
                if (m->offers[o].material == i)
                    in->price_mult[o] *= v;
            break;
        case SM_P_PRICE_SUPPLIER:
            for (int o = 0; o < m->n_offers; o++)
                if (m->offers[o].supplier == i)
                    in->price_mult[o] *= v;
            break;
        case SM_P_DEMAND_MATERIAL: in->demand_mult[i] *= v; break;
        case SM_P_DEMAND_GROWTH: in->demand_growth = v; break;
        case SM_P_CAPACITY_REGION:
            for (int o = 0; o < m->n_offers; o++)
                if (m->suppliers[m->offers[o].supplier].region == i)
                    in->cap_mult[o] *= v;
            break;
        case SM_P_CAPACITY_SUPPLIER:
            for (int o = 0; o < m->n_offers; o++)
                if (m->offers[o].supplier == i)
                    in->cap_mult[o] *= v;
            break;
        case SM_P_DELAY_SUPPLIER: in->delay[i] += (int)v; break;
        case SM_P_DELAY_REGION:
            for (int u = 0; u < m->n_suppliers; u++)
                if (m->suppliers[u].region == i)
                    in->delay[u] += (int)v;
            break;
        case SM_P_STOCK_INITIAL: in->stock_initial[i] = v; break;
        case SM_P_STOCK_CAPACITY: in->stock_capacity[i] = v; break;
        case SM_P_KIND_COUNT: break;
        }
    }
}

double sm_param_base_value(const sm_model *m, const sm_param_target *t)
{
    int i = t->index;
    switch (t->kind) {
    case SM_P_TARIFF: return m->regions[i].tariff;
    case SM_P_AVAIL_LEVEL: return m->regions[i].avail_level;
    case SM_P_AVAIL_FROM: return m->regions[i].avail_from;
    case SM_P_SHARE: return m->limits[i].share;
    case SM_P_STOCK_INITIAL: return m->materials[i].stock_initial;
    case SM_P_STOCK_CAPACITY: return m->materials[i].stock_capacity;
    case SM_P_DEMAND_GROWTH:
    case SM_P_DELAY_SUPPLIER:
    case SM_P_DELAY_REGION: return 0.0;
    default: return 1.0; /* multipliers */
    }
}
