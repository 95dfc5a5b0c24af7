/* The supplier-diversification model's data (MODEL.md: sets and data), as
 * loaded from a model directory. Pure data: no files, no solver, no threads.
 * Every entity remembers where it was defined, so later checks can name the
 * file and line a user has to edit. */
#ifndef SM_MODEL_H
#define SM_MODEL_H

#include <stddef.h>
#include <stdint.h>

typedef struct sm_loc {
    const char *file;   /* points into sm_model.files[].name */
    int line, col;
} sm_loc;

typedef struct sm_region {
    char *name;
    double tariff;        /* fraction of the price: the standing rate, every period */
    sm_loc loc;
} sm_region;

/* What a scope (MODEL.md "Scoped windows") sets: a tariff rate or an
 * export availability level. */
typedef enum sm_scope_kind { SM_SCOPE_TARIFF, SM_SCOPE_AVAIL, SM_SCOPE_KINDS } sm_scope_kind;

/* A window of one scope, kind.REGION or kind.REGION.MATERIAL: `level` in
 * periods from..until (1-based, inclusive). Outside it, or when `on` is 0,
 * the wider scope holds: REGION.MATERIAL -> REGION -> the region's standing
 * tariff rate, or full availability (1). from > until: no period. */
typedef struct sm_window {
    double level;
    int from, until;
    int on;
    sm_loc loc;           /* where model.yaml gives it; line 0 when it does not */
} sm_window;

typedef struct sm_material {
    char *name;
    double holding_cost;      /* USD/t/period */
    double shortfall_penalty; /* USD/t */
    double stock_initial, stock_capacity, stock_final; /* t */
    sm_loc loc;
} sm_material;

typedef struct sm_supplier {
    char *name;
    int region;
    double freight;       /* USD/t */
    int start_period;     /* 1-based */
    int ramp_periods;
    sm_loc loc;           /* its first row in the suppliers table */
} sm_supplier;

/* MODEL.md Part 2: a spot offer is bought freely in each future; a
 * contract offer only up to the volume committed before the future is known. */
typedef enum sm_terms { SM_TERMS_SPOT, SM_TERMS_CONTRACT } sm_terms;

/* One (supplier, material) a supplier sells: a row of the suppliers table. */
typedef struct sm_offer {
    int supplier, material;
    double capacity;      /* t/period at full rate */
    double price;         /* USD/t ex-works */
    sm_terms terms;
    double fee;           /* USD per committed tonne; 0 for spot offers */
    char *source;
    /* The capacity_profile table's t/period for periods 1..T (index t-1),
     * replacing capacity x ramp; NULL when the table gives none. */
    double *profile;
    sm_loc loc;
} sm_offer;

typedef enum sm_limit_kind { SM_LIMIT_CAP, SM_LIMIT_FLOOR } sm_limit_kind;

typedef struct sm_limit {
    char *name;
    sm_limit_kind kind;
    unsigned char *in_region;    /* n_regions flags: the group G_k */
    unsigned char *in_material;  /* n_materials flags: M_k */
    double share;
    sm_loc loc;
} sm_limit;

/* An input file's name and full text, kept for provenance in results. */
typedef struct sm_source_file {
    char *name;   /* as shown in messages: the path given */
    char *role;   /* "model", "suppliers", "demand", "capacity_profile" */
    char *text;
    size_t len;
} sm_source_file;

typedef struct sm_model {
    char *name, *description, *dir;
    int n_periods;
    int period_months;
    int first_year, first_month;   /* 0 when the model gives no calendar */
    double discount_rate;          /* annual, fraction; 0: costs are not discounted */

    int n_regions, n_materials, n_suppliers, n_offers, n_limits;
    sm_region *regions;
    sm_material *materials;
    sm_supplier *suppliers;
    sm_offer *offers;              /* grouped by supplier, in table order */
    sm_limit *limits;

    /* First-stage rows (MODEL.md Part 2): caps and floors on committed
     * tonnes by region group, as shares of the policy's demand. */
    int n_commit_limits, n_contracts;   /* n_contracts: offers with contract terms */
    sm_limit *commit_limits;
    double fee_share;              /* commitments.fee_share, or -1 when not given */

    /* The base case's windows, one per scope: slot sm_scope_slot(). */
    sm_window *windows;

    double *demand;                /* [n_materials][n_periods], t/period */
    sm_loc *demand_loc;

    sm_source_file files[4];
    int n_files;
    uint64_t hash;                 /* XXH3-64 of the files' names and texts */
} sm_model;

/* An empty model; NULL when out of memory. */
sm_model *sm_model_new(void);

/* Frees everything the model owns and sets *m to NULL; NULL-safe. */
void sm_model_free(sm_model **m);

/* Index of the named entity, or -1. */
int sm_model_region(const sm_model *m, const char *name);
int sm_model_material(const sm_model *m, const char *name);
int sm_model_supplier(const sm_model *m, const char *name);
int sm_model_limit(const sm_model *m, const char *name);

static inline double sm_model_demand(const sm_model *m, int mat, int t)
{
    return m->demand[(size_t)mat * (size_t)m->n_periods + (size_t)t];
}

/* The slot of scope (kind, region, material) in m->windows and in a
 * scenario's windows; material -1 is the region-wide scope. */
static inline int sm_scope_slot(const sm_model *m, sm_scope_kind kind, int region, int material)
{
    return ((int)kind * m->n_regions + region) * (m->n_materials + 1) + material + 1;
}
static inline int sm_scope_slots(const sm_model *m)
{
    return SM_SCOPE_KINDS * m->n_regions * (m->n_materials + 1);
}

/* The value of a scoped kind at (region, material, period t 1-based) under
 * windows w and standing tariff rates `rate` (MODEL.md "Scoped windows"):
 * the material's window if it covers t, else the region's, else the
 * standing rate (tariff) or 1 (availability). */
double sm_scope_value(const sm_model *m, const sm_window *w, const double *rate,
                      sm_scope_kind kind, int region, int material, int t);

/* 1 when sm_scope_value of scope (kind, region, material) is the same
 * in every period: the material's window covers them all, or neither
 * window covers any (the standing value), or the material's covers none
 * and the region's all. A sufficient test, not a necessary one: windows
 * that cover some periods at the standing value answer 0. */
int sm_scope_uniform(const sm_model *m, const sm_window *w, sm_scope_kind kind, int region,
                     int material);

/* Fill m->windows with the defaults once regions, materials and periods
 * are known: the region's availability window on, level 1 in every
 * period; its tariff window off at the standing rate; 0 when out of
 * memory. */
int sm_model_windows_init(sm_model *m);

/* A material's window that model.yaml does not give: off, a copy of the
 * region's window (level and periods), so a parameter that sets only some
 * of its fields finds the others, and one set to its base value changes
 * nothing. */
void sm_model_windows_inherit(sm_model *m);

/* ramp_factor(u,t) of MODEL.md for a supplier starting in period `start`
 * (1-based) with `ramp` ramp periods, at period t (1-based). */
double sm_ramp_factor(int start, int ramp, int t);

/* A label for period t (1-based): "2027Q1" for calendar quarters,
 * "2027-04" for other lengths, "P3" without a calendar. */
void sm_period_label(const sm_model *m, int t, char *buf, size_t size);

/* Months from the model's first period to the start of period t. */
int sm_period_offset_months(const sm_model *m, int t);

#endif
