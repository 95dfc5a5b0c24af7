/* What held an offer's purchases (see supply_bound.h). */
#include "supply_bound.h"

#include <math.h>

const char *const sm_supply_bound_text[SM_SB_COUNT] = {
    "not started yet", "at its bound while ramping up", "at its bound, cut by export availability",
    "at full capacity", "held by the cap", "dearer than the shortfall penalty",
};

/* A dependency cap covering offer o whose row for (its material, t) binds. */
static int binding_cap(const sm_model *m, const sm_layout *L, const double *y, int o, int t)
{
    int mat = m->offers[o].material, reg = m->suppliers[m->offers[o].supplier].region;
    for (int k = 0; k < m->n_limits; k++) {
        int r = sm_row_lim(L, k, mat, t);
        if (r >= 0 && m->limits[k].kind == SM_LIMIT_CAP && m->limits[k].in_region[reg] &&
            fabs(y[r]) > 1e-9)
            return k;
    }
    return -1;
}

sm_supply_bound sm_supply_bound_of(const sm_model *m, const sm_layout *L, const sm_inputs *in,
                                   const sm_coeffs *c, const double *x, const double *y, int o,
                                   int t, int *limit)
{
    int j = sm_col_x(L, o, t), u = m->offers[o].supplier;
    const sm_supplier *su = &m->suppliers[u];
    *limit = -1;
    if (x[j] < c->col_ub[j] - 1e-6 * (1.0 + fabs(c->col_ub[j]))) {
        *limit = binding_cap(m, L, y, o, t);
        return *limit >= 0 ? SM_SB_CAP_LIMIT : SM_SB_DEARER;
    }
    int start = sm_inputs_start(m, in, u);
    if (t + 1 < start)
        return SM_SB_NOT_STARTED;
    if (sm_ramp_factor(start, su->ramp_periods, t + 1) < 1.0)
        return SM_SB_RAMPING;
    if (sm_inputs_availability(m, in, su->region, m->offers[o].material, t) < 1.0)
        return SM_SB_AVAILABILITY;
    return SM_SB_CAPACITY;
}
