/* Scenario parameters: names, domains, effect on inputs (see params.h). */
#include "params.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../core/diag.h"

typedef struct kind_info {
    const char *prefix;      /* text before the first dot */
    const char *entity;      /* "region", "material", "supplier", "limit" */
    sm_param_kind kind;
} kind_info;

/* The unscoped kinds: KIND.NAME. */
static const kind_info kinds[] = {
    {"share", "limit", SM_P_SHARE},
    {"price", "material", SM_P_PRICE_MATERIAL},
    {"price", "supplier", SM_P_PRICE_SUPPLIER},
    {"demand", "material", SM_P_DEMAND_MATERIAL},
    {"capacity", "region", SM_P_CAPACITY_REGION},
    {"capacity", "supplier", SM_P_CAPACITY_SUPPLIER},
    {"delay", "supplier", SM_P_DELAY_SUPPLIER},
    {"delay", "region", SM_P_DELAY_REGION},
    {"penalty", "material", SM_P_PENALTY},
};

/* The scoped kinds, by (tariff?, field). */
static const sm_param_kind scoped[2][3] = {
    {SM_P_AVAIL_LEVEL, SM_P_AVAIL_FROM, SM_P_AVAIL_UNTIL},
    {SM_P_TARIFF, SM_P_TARIFF_FROM, SM_P_TARIFF_UNTIL},
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

/* "China, Australia, ..." : the names of an entity a message offers. */
static const char *names_of(const sm_model *m, const char *entity, char *buf, size_t size)
{
    int n = !strcmp(entity, "region") ? m->n_regions
          : !strcmp(entity, "material") ? m->n_materials
          : !strcmp(entity, "supplier") ? m->n_suppliers : m->n_limits;
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used + 1 < size; i++) {
        const char *name = !strcmp(entity, "region") ? m->regions[i].name
                         : !strcmp(entity, "material") ? m->materials[i].name
                         : !strcmp(entity, "supplier") ? m->suppliers[i].name
                         : m->limits[i].name;
        int k = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", name);
        if (k < 0 || (size_t)k >= size - used) {
            snprintf(buf + (size > 5 ? size - 5 : 0), size > 5 ? 5 : size, ", ...");
            break;
        }
        used += (size_t)k;
    }
    return buf;
}

static int field_of(const char *s)
{
    return !strcmp(s, "from") ? SM_WF_FROM : !strcmp(s, "until") ? SM_WF_UNTIL : -1;
}

/* tariff.REGION[.MATERIAL][.from|.until], availability.(same): parts[1..n-1]. */
static int resolve_scoped(const sm_model *m, const char *name, char **part, int n,
                          sm_param_target *out, char *why, size_t why_size)
{
    char list[400];
    int is_tariff = !strcmp(part[0], "tariff");
    if (n < 2 || n > 4) {
        snprintf(why, why_size, "'%s': expected %s.REGION, %s.REGION.MATERIAL, each optionally "
                 "followed by .from or .until", Q(name), part[0], part[0]);
        return 0;
    }
    int r = sm_model_region(m, part[1]);
    if (r < 0) {
        snprintf(why, why_size, "unknown region '%s' in '%s' (regions: %s)", Q(part[1]),
                 Q(name), names_of(m, "region", list, sizeof list));
        return 0;
    }
    int mat = -1, field = SM_WF_LEVEL;
    if (n == 4 || (n == 3 && field_of(part[2]) < 0)) {
        mat = sm_model_material(m, part[2]);
        if (mat < 0) {
            snprintf(why, why_size, "unknown %s '%s' in '%s' (materials: %s)",
                     n == 3 ? "material or window end" : "material", Q(part[2]), Q(name),
                     names_of(m, "material", list, sizeof list));
            if (n == 3 && strlen(why) + 40 < why_size)
                strcat(why, "; or .from, .until");
            return 0;
        }
    }
    if (n == 4 || (n == 3 && mat < 0)) {
        field = field_of(part[n - 1]);
        if (field < 0) {
            snprintf(why, why_size, "unknown window end '%s' in '%s': expected from or until",
                     Q(part[n - 1]), Q(name));
            return 0;
        }
    }
    out->kind = scoped[is_tariff][field];
    out->index = r + m->n_regions * (mat + 1);
    return 1;
}

static int resolve_plain(const sm_model *m, const char *name, char **part, int n,
                         sm_param_target *out, char *why, size_t why_size)
{
    const char *want = NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const kind_info *k = &kinds[i];
        if (strcmp(part[0], k->prefix) != 0)
            continue;
        want = want ? (!strcmp(want, "material") && !strcmp(part[0], "demand")
                           ? "material (or 'growth')" : want) : k->entity;
        int idx = n == 2 ? lookup(m, k->entity, part[1]) : -1;
        if (idx >= 0) {
            out->kind = k->kind;
            out->index = idx;
            return 1;
        }
    }
    if (!want) {
        snprintf(why, why_size,
                 "unknown parameter kind '%s' in '%s'; expected one of tariff, availability, "
                 "share, price, demand, capacity, delay, stock, penalty, discount", Q(part[0]), Q(name));
        return 0;
    }
    if (n != 2) {
        snprintf(why, why_size, "'%s': expected %s.NAME (one name after the kind)", Q(name),
                 part[0]);
        return 0;
    }
    /* Name every kind of entity the prefix accepts, with what exists. */
    char list[400], two[900];
    size_t used = 0;
    two[0] = '\0';
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(part[0], kinds[i].prefix) && used < sizeof two)
            used += (size_t)snprintf(two + used, sizeof two - used, "%s%ss: %s",
                                     used ? "; " : "", kinds[i].entity,
                                     names_of(m, kinds[i].entity, list, sizeof list));
    snprintf(why, why_size, "unknown %s '%s' in '%s' (%s)",
             !strcmp(part[0], "demand") ? "material (or 'growth')" : want, Q(part[1]), Q(name),
             two);
    if (strstr(why, "unknown material") == why || strstr(why, "unknown supplier") == why) {
        /* price and capacity accept two entities: say both. */
        const char *both = !strcmp(part[0], "price") ? "material or supplier"
                         : !strcmp(part[0], "capacity") ? "region or supplier"
                         : !strcmp(part[0], "delay") ? "supplier or region" : NULL;
        if (both)
            snprintf(why, why_size, "unknown %s '%s' in '%s' (%s)", both, Q(part[1]), Q(name),
                     two);
    }
    return 0;
}

int sm_param_resolve(const sm_model *m, const char *name, sm_param_target *out, char *why,
                     size_t why_size)
{
    char buf[160];
    if (strlen(name) >= sizeof buf) {
        snprintf(why, why_size, "parameter name too long");
        return 0;
    }
    strcpy(buf, name);
    char *part[5];
    int n = 0;
    for (char *p = buf; p && n < 5; n++) {
        part[n] = p;
        p = strchr(p, '.');
        if (p)
            *p++ = '\0';
    }
    if (n < 2) {
        snprintf(why, why_size, "'%s' is not a parameter name; expected KIND.NAME such as "
                                "tariff.China, share.china_cap or delay.SUPPLIER", Q(name));
        return 0;
    }
    if (!strcmp(part[0], "demand") && !strcmp(part[1], "growth") && n == 2) {
        out->kind = SM_P_DEMAND_GROWTH;
        out->index = -1;
        return 1;
    }
    if (!strcmp(part[0], "discount") && !strcmp(part[1], "rate") && n == 2) {
        out->kind = SM_P_DISCOUNT;
        out->index = -1;
        return 1;
    }
    if (!strcmp(part[0], "discount")) {
        snprintf(why, why_size, "'%s': the one discount parameter is discount.rate", Q(name));
        return 0;
    }
    if (!strcmp(part[0], "stock") && n == 3 &&
        (!strcmp(part[1], "initial") || !strcmp(part[1], "capacity"))) {
        int mat = sm_model_material(m, part[2]);
        if (mat < 0) {
            char list[400];
            snprintf(why, why_size, "unknown material '%s' in '%s' (materials: %s)",
                     Q(part[2]), Q(name), names_of(m, "material", list, sizeof list));
            return 0;
        }
        out->kind = !strcmp(part[1], "initial") ? SM_P_STOCK_INITIAL : SM_P_STOCK_CAPACITY;
        out->index = mat;
        return 1;
    }
    if (!strcmp(part[0], "stock")) {
        snprintf(why, why_size, "'%s': expected stock.initial.MATERIAL or "
                 "stock.capacity.MATERIAL", Q(name));
        return 0;
    }
    if (!strcmp(part[0], "tariff") || !strcmp(part[0], "availability"))
        return resolve_scoped(m, name, part, n, out, why, why_size);
    return resolve_plain(m, name, part, n, out, why, why_size);
}

int sm_param_scope(const sm_model *m, const sm_param_target *t, sm_scope_kind *kind,
                   int *region, int *material, sm_window_field *field)
{
    for (int tar = 0; tar < 2; tar++)
        for (int f = 0; f < 3; f++)
            if (scoped[tar][f] == t->kind) {
                *kind = tar ? SM_SCOPE_TARIFF : SM_SCOPE_AVAIL;
                *field = (sm_window_field)f;
                *region = t->index % m->n_regions;
                *material = t->index / m->n_regions - 1;
                return 1;
            }
    return 0;
}

sm_param_domain sm_param_domain_of(const sm_model *m, sm_param_kind kind)
{
    double T = (double)m->n_periods;
    switch (kind) {
    case SM_P_TARIFF: return (sm_param_domain){0, 100, 0, "1", "import tariff as a fraction of price"};
    case SM_P_AVAIL_LEVEL: return (sm_param_domain){0, 1, 0, "1", "export availability level"};
    case SM_P_AVAIL_FROM: return (sm_param_domain){1, T + 1, 1, "period", "first period of the availability level (T+1: never)"};
    case SM_P_AVAIL_UNTIL: return (sm_param_domain){0, T, 1, "period", "last period of the availability window (0: never)"};
    case SM_P_TARIFF_FROM: return (sm_param_domain){1, T + 1, 1, "period", "first period of the tariff window (T+1: never)"};
    case SM_P_TARIFF_UNTIL: return (sm_param_domain){0, T, 1, "period", "last period of the tariff window (0: never)"};
    case SM_P_PENALTY: return (sm_param_domain){0, 1e6, 0, "1", "shortfall penalty multiplier"};
    case SM_P_DISCOUNT: return (sm_param_domain){0, 1, 0, "1/year", "annual discount rate"};
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

/* A scoped parameter moves one field of its scope's window and turns the
 * window on; the fields it does not set keep the model's (sm_model
 * windows_init and model.yaml). */
static void set_window(const sm_model *m, const sm_param_target *t, double v, sm_inputs *in)
{
    sm_scope_kind kind;
    int r, mat;
    sm_window_field f;
    if (!sm_param_scope(m, t, &kind, &r, &mat, &f))
        return;
    sm_window *w = &in->win[sm_scope_slot(m, kind, r, mat)];
    if (f == SM_WF_LEVEL)
        w->level = v;
    else if (f == SM_WF_FROM)
        w->from = (int)v;
    else
        w->until = (int)v;
    w->on = 1;
}

void sm_params_apply(const sm_model *m, const sm_param_target *targets, const double *values,
                     int n, sm_inputs *in)
{
    for (int k = 0; k < n; k++) {
        int i = targets[k].index;
        double v = values[k];
        switch (targets[k].kind) {
        case SM_P_TARIFF:
        case SM_P_TARIFF_FROM:
        case SM_P_TARIFF_UNTIL:
        case SM_P_AVAIL_LEVEL:
        case SM_P_AVAIL_FROM:
        case SM_P_AVAIL_UNTIL: set_window(m, &targets[k], v, in); break;
        case SM_P_PENALTY: in->penalty_mult[i] *= v; break;
        case SM_P_DISCOUNT: in->discount_rate = v; break;
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
    sm_scope_kind kind;
    int r, mat;
    sm_window_field f;
    if (sm_param_scope(m, t, &kind, &r, &mat, &f)) {
        const sm_window *w = &m->windows[sm_scope_slot(m, kind, r, mat)];
        return f == SM_WF_LEVEL ? w->level : f == SM_WF_FROM ? w->from : w->until;
    }
    switch (t->kind) {
    case SM_P_SHARE: return m->limits[i].share;
    case SM_P_STOCK_INITIAL: return m->materials[i].stock_initial;
    case SM_P_STOCK_CAPACITY: return m->materials[i].stock_capacity;
    case SM_P_DISCOUNT: return m->discount_rate;
    case SM_P_DEMAND_GROWTH:
    case SM_P_DELAY_SUPPLIER:
    case SM_P_DELAY_REGION: return 0.0;
    default: return 1.0; /* multipliers */
    }
}
