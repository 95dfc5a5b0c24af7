/* Model data: lifetime, lookups and the calendar (see model.h). */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sm_model *sm_model_new(void)
{
    return calloc(1, sizeof(sm_model));
}

void sm_model_free(sm_model **pm)
{
    sm_model *m = pm ? *pm : NULL;
    if (!m)
        return;
    for (int i = 0; i < m->n_regions; i++)
        free(m->regions[i].name);
    for (int i = 0; i < m->n_materials; i++)
        free(m->materials[i].name);
    for (int i = 0; i < m->n_suppliers; i++)
        free(m->suppliers[i].name);
    for (int i = 0; i < m->n_offers; i++) {
        free(m->offers[i].source);
        free(m->offers[i].profile);
    }
    for (int i = 0; i < m->n_limits; i++) {
        free(m->limits[i].name);
        free(m->limits[i].in_region);
        free(m->limits[i].in_material);
    }
    for (int i = 0; i < m->n_commit_limits; i++) {
        free(m->commit_limits[i].name);
        free(m->commit_limits[i].in_region);
        free(m->commit_limits[i].in_material);
    }
    free(m->commit_limits);
    for (int i = 0; i < m->n_files; i++) {
        free(m->files[i].name);
        free(m->files[i].role);
        free(m->files[i].text);
    }
    free(m->windows);
    free(m->regions);
    free(m->materials);
    free(m->suppliers);
    free(m->offers);
    free(m->limits);
    free(m->demand);
    free(m->demand_loc);
    free(m->name);
    free(m->description);
    free(m->dir);
    free(m);
    *pm = NULL;
}

#define FIND(arr, n)                                                          \
    for (int i = 0; i < (n); i++)                                             \
        if (strcmp((arr)[i].name, name) == 0)                                 \
            return i;                                                         \
    return -1

int sm_model_region(const sm_model *m, const char *name) { FIND(m->regions, m->n_regions); }
int sm_model_material(const sm_model *m, const char *name) { FIND(m->materials, m->n_materials); }
int sm_model_supplier(const sm_model *m, const char *name) { FIND(m->suppliers, m->n_suppliers); }
int sm_model_limit(const sm_model *m, const char *name) { FIND(m->limits, m->n_limits); }

double sm_ramp_factor(int start, int ramp, int t)
{
    if (t < start)
        return 0.0;
    double f = (double)(t - start + 1) / (double)(ramp + 1);
    return f < 1.0 ? f : 1.0;
}

static int in_window(const sm_window *w, int t)
{
    return w->on && t >= w->from && t <= w->until;
}

double sm_scope_value(const sm_model *m, const sm_window *w, const double *rate,
                      sm_scope_kind kind, int region, int material, int t)
{
    const sm_window *own = &w[sm_scope_slot(m, kind, region, material)];
    if (material >= 0 && in_window(own, t))
        return own->level;
    const sm_window *wide = &w[sm_scope_slot(m, kind, region, -1)];
    if (in_window(wide, t))
        return wide->level;
    return kind == SM_SCOPE_TARIFF ? rate[region] : 1.0;
}

/* w covers every period 1..T, or none of them. */
static int covers_all(const sm_window *w, int T)
{
    return w->on && w->from <= 1 && w->until >= T;
}

static int covers_none(const sm_window *w, int T)
{
    return !w->on || w->from > T || w->until < 1 || w->from > w->until;
}

int sm_scope_uniform(const sm_model *m, const sm_window *w, sm_scope_kind kind, int region,
                     int material)
{
    int T = m->n_periods;
    const sm_window *own = &w[sm_scope_slot(m, kind, region, material)];
    const sm_window *wide = &w[sm_scope_slot(m, kind, region, -1)];
    if (material >= 0 && covers_all(own, T))
        return 1;
    return (material < 0 || covers_none(own, T)) && (covers_all(wide, T) || covers_none(wide, T));
}

int sm_model_windows_init(sm_model *m)
{
    free(m->windows);
    m->windows = calloc((size_t)sm_scope_slots(m) + 1, sizeof *m->windows);
    if (!m->windows)
        return 0;
    for (int k = 0; k < SM_SCOPE_KINDS; k++)
        for (int r = 0; r < m->n_regions; r++) {
            sm_window *w = &m->windows[sm_scope_slot(m, (sm_scope_kind)k, r, -1)];
            w->level = k == SM_SCOPE_TARIFF ? m->regions[r].tariff : 1.0;
            w->from = 1;
            w->until = m->n_periods;
            w->on = k == SM_SCOPE_AVAIL;
        }
    sm_model_windows_inherit(m);
    return 1;
}

void sm_model_windows_inherit(sm_model *m)
{
    for (int k = 0; k < SM_SCOPE_KINDS; k++)
        for (int r = 0; r < m->n_regions; r++) {
            const sm_window *wide = &m->windows[sm_scope_slot(m, (sm_scope_kind)k, r, -1)];
            for (int mat = 0; mat < m->n_materials; mat++) {
                sm_window *w = &m->windows[sm_scope_slot(m, (sm_scope_kind)k, r, mat)];
                if (w->loc.line)
                    continue; /* given in model.yaml */
                *w = (sm_window){wide->level, wide->from, wide->until, 0, {NULL, 0, 0}};
            }
        }
}

int sm_period_offset_months(const sm_model *m, int t)
{
    return (t - 1) * m->period_months;
}

void sm_period_label(const sm_model *m, int t, char *buf, size_t size)
{
    if (m->first_year <= 0) {
        snprintf(buf, size, "P%d", t);
        return;
    }
    int months = (m->first_month - 1) + sm_period_offset_months(m, t);
    int year = m->first_year + months / 12;
    int month = months % 12 + 1;
    if (m->period_months == 3 && (month - 1) % 3 == 0)
        snprintf(buf, size, "%04dQ%d", year, (month - 1) / 3 + 1);
    else if (m->period_months == 12 && month == 1)
        snprintf(buf, size, "%04d", year);
    else
        snprintf(buf, size, "%04d-%02d", year, month);
}
