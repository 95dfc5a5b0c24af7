/* Semantic checks of a loaded model (see model_check.h). */
#include "model_check.h"

#include <stdio.h>

static void check_stock(const sm_model *m, sm_diag *d)
{
    for (int i = 0; i < m->n_materials; i++) {
        const sm_material *mt = &m->materials[i];
        if (mt->stock_initial > mt->stock_capacity)
            sm_diag_error(d, mt->loc.file, mt->loc.line, mt->loc.col,
                          "materials.%s: stock_initial %g t is above stock_capacity %g t",
                          mt->name, mt->stock_initial, mt->stock_capacity);
        if (mt->stock_final > mt->stock_capacity)
            sm_diag_error(d, mt->loc.file, mt->loc.line, mt->loc.col,
                          "materials.%s: stock_final %g t is above stock_capacity %g t, so "
                          "no plan can meet it",
                          mt->name, mt->stock_final, mt->stock_capacity);
    }
}

static void check_offers(const sm_model *m, sm_diag *d)
{
    for (int i = 0; i < m->n_materials; i++) {
        const sm_material *mt = &m->materials[i];
        int offers = 0;
        double cheapest = -1.0;
        for (int o = 0; o < m->n_offers; o++) {
            if (m->offers[o].material != i)
                continue;
            offers++;
            if (cheapest < 0 || m->offers[o].price < cheapest)
                cheapest = m->offers[o].price;
        }
        if (!offers)
            sm_diag_warning(d, mt->loc.file, mt->loc.line, mt->loc.col,
                            "materials.%s: no supplier offers it; all its demand will be "
                            "shortfall", mt->name);
        else if (mt->shortfall_penalty < cheapest)
            sm_diag_warning(d, mt->loc.file, mt->loc.line, mt->loc.col,
                            "materials.%s: shortfall_penalty %g USD/t is below every "
                            "supplier's price (cheapest %g USD/t), so buying never pays",
                            mt->name, mt->shortfall_penalty, cheapest);
    }
}

/* Available supply of material mat from the limit's regions in period t
 * (1-based), with the base case's ramps and availability. */
static double group_supply(const sm_model *m, const sm_limit *k, int mat, int t)
{
    double sum = 0.0;
    for (int o = 0; o < m->n_offers; o++) {
        const sm_offer *of = &m->offers[o];
        const sm_supplier *s = &m->suppliers[of->supplier];
        if (of->material != mat || !k->in_region[s->region])
            continue;
        /* Availability never falls back to a tariff rate: no rates needed. */
        double a = sm_scope_value(m, m->windows, NULL, SM_SCOPE_AVAIL, s->region, mat, t);
        sum += of->capacity * sm_ramp_factor(s->start_period, s->ramp_periods, t) * a;
    }
    return sum;
}

static void check_floors(const sm_model *m, sm_diag *d)
{
    for (int k = 0; k < m->n_limits; k++) {
        const sm_limit *lim = &m->limits[k];
        if (lim->kind != SM_LIMIT_FLOOR)
            continue;
        for (int mat = 0; mat < m->n_materials; mat++) {
            if (!lim->in_material[mat])
                continue;
            int short_periods = 0, first = 0;
            double need1 = 0, have1 = 0;
            for (int t = 1; t <= m->n_periods; t++) {
                double need = lim->share * sm_model_demand(m, mat, t - 1);
                double have = group_supply(m, lim, mat, t);
                if (need > have * (1.0 + 1e-9) + 1e-9) {
                    if (!short_periods) {
                        first = t;
                        need1 = need;
                        have1 = have;
                    }
                    short_periods++;
                }
            }
            if (short_periods) {
                char label[32];
                sm_period_label(m, first, label, sizeof label);
                sm_diag_warning(d, lim->loc.file, lim->loc.line, lim->loc.col,
                                "limits.%s: the floor on %s is above the capacity that can "
                                "meet it in %d period(s), first %s (needs %g t, at most %g t "
                                "available): the base case is infeasible",
                                lim->name, m->materials[mat].name, short_periods, label,
                                need1, have1);
            }
        }
    }
}

/* A first-stage floor commits tonnes of contract offers: one whose group
 * sells a covered material under no contract can never be met. */
static void check_commit_floors(const sm_model *m, sm_diag *d)
{
    for (int k = 0; k < m->n_commit_limits; k++) {
        const sm_limit *lim = &m->commit_limits[k];
        for (int mat = 0; lim->kind == SM_LIMIT_FLOOR && mat < m->n_materials; mat++) {
            if (!lim->in_material[mat] || lim->share <= 0.0)
                continue;
            int found = 0;
            for (int o = 0; o < m->n_offers; o++) {
                const sm_offer *of = &m->offers[o];
                found |= of->material == mat && of->terms == SM_TERMS_CONTRACT &&
                         lim->in_region[m->suppliers[of->supplier].region];
            }
            if (!found)
                sm_diag_error(d, lim->loc.file, lim->loc.line, lim->loc.col,
                              "commitments.limits.%s: a floor on %s, but no supplier in its "
                              "regions offers %s under contract terms, so nothing can be "
                              "committed to meet it", lim->name, m->materials[mat].name,
                              m->materials[mat].name);
        }
    }
}

sm_status sm_model_check(const sm_model *m, sm_diag *d)
{
    size_t before = d->errors;
    check_stock(m, d);
    check_offers(m, d);
    check_floors(m, d);
    check_commit_floors(m, d);
    return d->errors > before ? SM_EINPUT : SM_OK;
}
