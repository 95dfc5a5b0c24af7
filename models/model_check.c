/* Semantic checks of a loaded model (see model_check.h). */
#include "model_check.h"

#include <stdio.h>
#include <string.h>

#include "params.h"
#include "sweep.h"

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
        sum += (of->profile ? of->profile[t - 1]
                            : of->capacity * sm_ramp_factor(s->start_period, s->ramp_periods, t)) *
               a;
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

/* The smallest (want_max 0) or largest value a window end takes: a grid
 * parameter's values, or the base value when the sweep does not set it.
 * Returns 0 (unknown) for a random parameter. */
static int end_value(const sm_model *m, const sm_sweep *sw, const sm_param_target *t,
                     int want_max, double *out, const sm_sweep_param **by)
{
    *by = NULL;
    for (int k = 0; k < sw->n_params; k++) {
        const sm_sweep_param *p = &sw->params[k];
        if (p->target.kind != t->kind || p->target.index != t->index)
            continue;
        if (p->axis != SM_AXIS_GRID || p->n_values < 1)
            return 0;
        double v = sm_param_clamp(&p->domain, p->values[0]);
        for (int i = 1; i < p->n_values; i++) {
            double x = sm_param_clamp(&p->domain, p->values[i]);
            v = want_max ? (x > v ? x : v) : (x < v ? x : v);
        }
        *out = v;
        *by = p;
        return 1;
    }
    *out = sm_param_base_value(m, t);
    return 1;
}

sm_status sm_sweep_check_windows(const sm_model *m, const sm_sweep *sw, sm_diag *d)
{
    size_t before = d->errors;
    for (int k = 0; k < sw->n_params; k++) {
        const sm_sweep_param *p = &sw->params[k];
        sm_scope_kind kind;
        int r, mat;
        sm_window_field f;
        if (!sm_param_scope(m, &p->target, &kind, &r, &mat, &f) || f == SM_WF_LEVEL)
            continue;
        /* Each scope once: at its first swept end. */
        sm_param_target from = p->target, until = p->target;
        from.kind = kind == SM_SCOPE_TARIFF ? SM_P_TARIFF_FROM : SM_P_AVAIL_FROM;
        until.kind = kind == SM_SCOPE_TARIFF ? SM_P_TARIFF_UNTIL : SM_P_AVAIL_UNTIL;
        int first = 1;
        for (int j = 0; j < k; j++)
            first &= sw->params[j].target.index != p->target.index ||
                     (sw->params[j].target.kind != from.kind &&
                      sw->params[j].target.kind != until.kind);
        double lo_from, hi_until;
        const sm_sweep_param *pf, *pu;
        if (!first || !end_value(m, sw, &from, 0, &lo_from, &pf) ||
            !end_value(m, sw, &until, 1, &hi_until, &pu) || hi_until >= lo_from)
            continue;
        const sm_sweep_param *at = pu ? pu : pf;
        char scope[160];
        snprintf(scope, sizeof scope, "%s", at->name);
        char *dot = strrchr(scope, '.');
        if (dot)
            *dot = '\0';
        sm_diag_error(d, at->loc.file, at->loc.line, at->loc.col,
                      "%s: the window ends (until at most %g) before it starts (from at least "
                      "%g) in every scenario%s; give .until values not before .from",
                      scope, hi_until, lo_from, pu && pf ? "" : " (the other end is the model's)");
    }
    return d->errors > before ? SM_EINPUT : SM_OK;
}
