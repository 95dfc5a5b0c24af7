/* The solve report: cost and its parts, the mix by region, shares, stock,
 * shortfall, binding limits with their shadow prices, marginal costs. */
#include "report.h"

#include "../models/supply_bound.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* 1234567.8 -> "1,234,568" (decimals 0) or "1,234,567.8" (decimals 1). */
static const char *num(char *buf, size_t size, double v, int decimals)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "%s", isnan(v) ? "n/a" : "inf");
        return buf;
    }
    char raw[64];
    snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v));
    char *dot = strchr(raw, '.');
    size_t int_len = dot ? (size_t)(dot - raw) : strlen(raw);
    size_t k = 0;
    /* Round-to-zero values print without a sign. */
    int neg = v < 0 && strspn(raw, "0.") != strlen(raw);
    if (neg && k < size - 1)
        buf[k++] = '-';
    for (size_t i = 0; i < int_len && k < size - 1; i++) {
        buf[k++] = raw[i];
        size_t left = int_len - i - 1;
        if (left > 0 && left % 3 == 0 && k < size - 1)
            buf[k++] = ',';
    }
    for (const char *p = dot; p && *p && k < size - 1; p++)
        buf[k++] = *p;
    buf[k] = '\0';
    return buf;
}

#define ROW(b, v) ((const double *)sm_block_row((b), (v), 0))

static void print_costs(FILE *out, const sm_report_ctx *r)
{
    const sm_block *b = r->block;
    double total = *ROW(b, SM_V_TOTAL_COST);
    static const struct { sm_var v; const char *label; } parts[] = {
        {SM_V_COST_PURCHASE, "purchases at ex-works prices"},
        {SM_V_COST_TARIFF, "import tariffs"},
        {SM_V_COST_FREIGHT, "freight and handling"},
        {SM_V_COST_HOLDING, "stock holding"},
        {SM_V_COST_SHORTFALL, "shortfall penalty"},
    };
    char s[64];
    fprintf(out, "\nTotal cost over the horizon %30s USD\n", num(s, sizeof s, total, 0));
    for (size_t i = 0; i <= sizeof parts / sizeof parts[0]; i++) {
        int fees = i == sizeof parts / sizeof parts[0];
        /* Fees are paid on a given portfolio's commitment (run --portfolio). */
        if (fees && r->inputs->fees_on_delivery)
            break;
        double v = fees ? r->inputs->commitment_fees : *ROW(b, parts[i].v);
        fprintf(out, "  %-32s %22s USD %6.1f %%\n",
                fees ? "commitment fees (portfolio)" : parts[i].label, num(s, sizeof s, v, 0),
                total > 0 ? 100.0 * v / total : 0.0);
    }
}

static void header_materials(FILE *out, const sm_model *m, const char *title)
{
    fprintf(out, "\n%-28s", title);
    for (int i = 0; i < m->n_materials; i++)
        fprintf(out, " %14s", m->materials[i].name);
    fprintf(out, "\n");
}

static void print_mix(FILE *out, const sm_report_ctx *r)
{
    const sm_model *m = r->model;
    const sm_block *b = r->block;
    const double *by = ROW(b, SM_V_PURCHASES_REGION), *share = ROW(b, SM_V_REGION_SHARE);
    const double *q = ROW(b, SM_V_SHORTFALL_TOTAL);
    int M = m->n_materials;
    char s[64];
    header_materials(out, m, "Purchases over the horizon, t");
    for (int reg = 0; reg < m->n_regions; reg++) {
        fprintf(out, "  %-26s", m->regions[reg].name);
        for (int i = 0; i < M; i++)
            fprintf(out, " %14s", num(s, sizeof s, by[reg * M + i], 1));
        fprintf(out, "\n");
    }
    fprintf(out, "  %-26s", "total bought");
    for (int i = 0; i < M; i++) {
        double t = 0;
        for (int reg = 0; reg < m->n_regions; reg++)
            t += by[reg * M + i];
        fprintf(out, " %14s", num(s, sizeof s, t, 1));
    }
    fprintf(out, "\n  %-26s", "shortfall");
    for (int i = 0; i < M; i++)
        fprintf(out, " %14s", num(s, sizeof s, q[i], 1));
    fprintf(out, "\n  %-26s", "demand");
    for (int i = 0; i < M; i++) {
        double t = 0;
        for (int p = 0; p < m->n_periods; p++)
            t += sm_inputs_demand(m, r->inputs, i, p);
        fprintf(out, " %14s", num(s, sizeof s, t, 1));
    }
    fprintf(out, "\n");
    header_materials(out, m, "Shares of purchases, %");
    for (int reg = 0; reg < m->n_regions; reg++) {
        fprintf(out, "  %-26s", m->regions[reg].name);
        for (int i = 0; i < M; i++)
            fprintf(out, " %14.1f", 100.0 * share[reg * M + i]);
        fprintf(out, "\n");
    }
}

/* Material i's offers over the periods it went short: what held each. */
static void print_why_short(FILE *out, const sm_report_ctx *r, int i)
{
    const sm_model *m = r->model;
    const double *q = ROW(r->block, SM_V_SHORTFALL);
    int T = m->n_periods, n_short = 0;
    for (int t = 0; t < T; t++)
        n_short += q[i * T + t] > 1e-9;
    if (!n_short)
        return;
    fprintf(out, "  %s went short in %d period(s); what held each offer in them:\n",
            m->materials[i].name, n_short);
    for (int o = 0; o < m->n_offers; o++) {
        if (m->offers[o].material != i)
            continue;
        int count[SM_SB_COUNT] = {0}, cap_of[SM_SB_COUNT];
        for (int t = 0; t < T; t++) {
            if (!(q[i * T + t] > 1e-9))
                continue;
            int k;
            sm_supply_bound sb = sm_supply_bound_of(m, r->layout, r->inputs, r->coeffs, r->x,
                                                    r->y, o, t, &k);
            count[sb]++;
            cap_of[sb] = k;
        }
        const sm_supplier *su = &m->suppliers[m->offers[o].supplier];
        fprintf(out, "    %-26s (%s):", su->name, m->regions[su->region].name);
        const char *sep = " ";
        for (int b = 0; b < SM_SB_COUNT; b++) {
            if (!count[b])
                continue;
            fprintf(out, "%s%s%s%s in %d", sep, sm_supply_bound_text[b],
                    b == SM_SB_CAP_LIMIT ? " " : "",
                    b == SM_SB_CAP_LIMIT ? m->limits[cap_of[b]].name : "", count[b]);
            sep = "; ";
        }
        fprintf(out, "\n");
    }
}

static void print_stock_and_shortfall(FILE *out, const sm_report_ctx *r)
{
    const sm_model *m = r->model;
    const double *stock = ROW(r->block, SM_V_STOCK), *q = ROW(r->block, SM_V_SHORTFALL);
    int T = m->n_periods;
    char s1[64], s2[64], s3[64], lbl[32];
    fprintf(out, "\nStock, t\n");
    for (int i = 0; i < m->n_materials; i++) {
        int low = 0;
        for (int t = 1; t < T; t++)
            if (stock[i * T + t] < stock[i * T + low])
                low = t;
        sm_period_label(m, low + 1, lbl, sizeof lbl);
        fprintf(out, "  %-26s start %s, end %s, lowest %s in %s\n", m->materials[i].name,
                num(s1, sizeof s1, r->inputs->stock_initial[i], 1),
                num(s2, sizeof s2, stock[i * T + T - 1], 1),
                num(s3, sizeof s3, stock[i * T + low], 1), lbl);
    }
    fprintf(out, "\nShortfall (unmet demand), t\n");
    int any = 0;
    for (int i = 0; i < m->n_materials; i++) {
        int first = -1, n = 0;
        double tot = 0;
        for (int t = 0; t < T; t++)
            if (q[i * T + t] > 1e-9) {
                if (first < 0)
                    first = t;
                n++;
                tot += q[i * T + t];
            }
        if (!n)
            continue;
        any = 1;
        sm_period_label(m, first + 1, lbl, sizeof lbl);
        fprintf(out, "  %-26s %s t in %d period(s), from %s\n", m->materials[i].name,
                num(s1, sizeof s1, tot, 1), n, lbl);
    }
    if (!any)
        fprintf(out, "  none: demand is met in every period\n");
    for (int i = 0; any && r->x && i < m->n_materials; i++)
        print_why_short(out, r, i);
}

/* The regions of limit k's group, "China+Australia". */
static const char *group_names(const sm_model *m, int k, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int g = 0; g < m->n_regions; g++)
        if (m->limits[k].in_region[g] && used < size)
            used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? "+" : "",
                                     m->regions[g].name);
    return buf;
}

/* "2027Q1" or "2027Q1-2027Q3" for 0-based periods a..b. */
static const char *period_span(const sm_model *m, int a, int b, char *buf, size_t size)
{
    char la[32], lb[32];
    sm_period_label(m, a + 1, la, sizeof la);
    sm_period_label(m, b + 1, lb, sizeof lb);
    if (a == b)
        snprintf(buf, size, "%s", la);
    else
        snprintf(buf, size, "%s-%s", la, lb);
    return buf;
}

/* One floor's relaxed rows of material i: runs of periods where the group
 * can supply the same share (to 0.1 point) and the floor asks more. */
static int print_floor_relaxed(FILE *out, const sm_report_ctx *r, int k, int i)
{
    const sm_model *m = r->model;
    int M = m->n_materials, T = m->n_periods, lines = 0;
    const double *e = r->relax_limit + ((size_t)k * (size_t)M + (size_t)i) * (size_t)T;
    double ask = 100.0 * r->inputs->share[k];
    char regions[256], span[80];
    group_names(m, k, regions, sizeof regions);
    for (int t = 0; t < T;) {
        if (!(e[t] > 1e-9)) {
            t++;
            continue;
        }
        double can = ask - 100.0 * e[t], points = 100.0 * e[t];
        int u = t;
        while (u + 1 < T && e[u + 1] > 1e-9 && fabs(ask - 100.0 * e[u + 1] - can) < 0.05)
            u++;
        fprintf(out, "  %s %s %s: %s can supply at most %.1f %% of demand; the floor asks "
                     "%.1f %% (relax by %.1f points)\n",
                m->limits[k].name, m->materials[i].name, period_span(m, t, u, span, sizeof span),
                regions, can, ask, points);
        lines++;
        t = u + 1;
    }
    return lines;
}

static void print_relaxation(FILE *out, const sm_report_ctx *r)
{
    const sm_model *m = r->model;
    if (!r->relax_limit || !r->relax_stock)
        return;
    if (r->relax_status != SM_SCEN_OPTIMAL) {
        fprintf(out, "  Relaxing the floors and end-stock targets is not enough (the elastic LP "
                     "is %s): the initial stock, capacities or availability conflict.\n",
                sm_scen_status_names[r->relax_status]);
        return;
    }
    fprintf(out, "The least relaxation that makes it feasible (share points of demand, tonnes):\n");
    int lines = 0;
    for (int k = 0; k < m->n_limits; k++)
        for (int i = 0; i < m->n_materials; i++)
            if (m->limits[k].kind == SM_LIMIT_FLOOR)
                lines += print_floor_relaxed(out, r, k, i);
    char s1[64], s2[64], s3[64];
    for (int i = 0; i < m->n_materials; i++) {
        double e = r->relax_stock[i];
        if (!(e > 1e-9))
            continue;
        double ask = m->materials[i].stock_final;
        fprintf(out, "  end-stock target %s: at most %s t can be in stock at the end; the "
                     "target asks %s t (lower it by %s t)\n",
                m->materials[i].name, num(s1, sizeof s1, ask - e, 1),
                num(s2, sizeof s2, ask, 1), num(s3, sizeof s3, e, 1));
        lines++;
    }
    if (!lines)
        fprintf(out, "  none found: the LP is infeasible by a margin below the solver's "
                     "tolerance\n");
    else
        fprintf(out, "  (the results file of `supplymix run` holds the same figures as "
                     "relaxation_limit and relaxation_stock_target)\n");
}

/* "saves 1,234 USD", "costs 1,234 USD", "is infeasible". */
static const char *effect(char *buf, size_t size, double saving)
{
    char n[64];
    if (!isfinite(saving))
        snprintf(buf, size, "makes the scenario infeasible");
    else
        snprintf(buf, size, "%s %s USD", saving >= 0 ? "saves" : "costs",
                 num(n, sizeof n, fabs(saving), 0));
    return buf;
}

/* What one point up and down really does, and where the price holds. */
static void print_directional(FILE *out, const sm_report_ctx *r, int k)
{
    double s = 100.0 * r->inputs->share[k];
    char e1[96], e2[96];
    fprintf(out, "    one point up (to %.1f %%) %s; one point down (to %.1f %%) %s\n", s + 1,
            effect(e1, sizeof e1, r->saving_up[k]), s - 1,
            effect(e2, sizeof e2, -r->saving_down[k]));
    fprintf(out, "    the shadow price holds for shares from %.2f %% to %.2f %%\n",
            100.0 * r->share_lo[k], 100.0 * r->share_hi[k]);
}

static void print_limits(FILE *out, const sm_report_ctx *r)
{
    const sm_model *m = r->model;
    const sm_layout *L = r->layout;
    if (!m->n_limits)
        return;
    const double *dual = ROW(r->block, SM_V_LIMIT_DUAL);
    const double *saving = ROW(r->block, SM_V_LIMIT_SAVING);
    int M = m->n_materials, T = m->n_periods;
    char s1[64], s2[64], s3[64];
    fprintf(out, "\nDependency limits and their shadow prices\n");
    for (int k = 0; k < m->n_limits; k++) {
        const sm_limit *lim = &m->limits[k];
        char regions[256];
        group_names(m, k, regions, sizeof regions);
        int rows = 0, binding = 0;
        for (int i = 0; i < M; i++)
            for (int t = 0; t < T; t++)
                if (sm_row_lim(L, k, i, t) >= 0) {
                    rows++;
                    if (fabs(dual[(k * M + i) * T + t]) > 1e-9)
                        binding++;
                }
        fprintf(out, "  %s: %s %s %.1f %% of demand; binding in %d of %d rows\n", lim->name,
                regions, lim->kind == SM_LIMIT_CAP ? "at most" : "at least",
                100.0 * r->inputs->share[k], binding, rows);
        if (binding || r->saving_up)
            fprintf(out, "    shadow price (the price at the margin, a dual): %s USD per point "
                         "of share\n", num(s1, sizeof s1, saving[k], 0));
        if (r->saving_up)
            print_directional(out, r, k);
        for (int i = 0; i < M; i++) {
            int nb = 0;
            double lo = INFINITY, hi = -INFINITY, per_point = 0;
            for (int t = 0; t < T; t++) {
                int row = sm_row_lim(L, k, i, t);
                if (row < 0)
                    continue;
                double y = dual[(k * M + i) * T + t];
                if (fabs(y) <= 1e-9)
                    continue;
                nb++;
                lo = fmin(lo, y);
                hi = fmax(hi, y);
                per_point -= y * sm_inputs_demand(m, r->inputs, i, t) * 0.01;
            }
            if (!nb)
                continue;
            fprintf(out, "    %-24s binding in %2d period(s); shadow price %s .. %s USD/t; "
                         "+1 %% share %s %s USD\n",
                    m->materials[i].name, nb, num(s1, sizeof s1, lo, 0),
                    num(s2, sizeof s2, hi, 0), per_point >= 0 ? "saves" : "costs",
                    num(s3, sizeof s3, fabs(per_point), 0));
        }
    }
}

static void print_marginal_costs(FILE *out, const sm_report_ctx *r)
{
    const sm_model *m = r->model;
    const double *mc = ROW(r->block, SM_V_MARGINAL_COST);
    int T = m->n_periods;
    char s[64], lbl[32];
    header_materials(out, m, "Marginal cost of supply, USD/t");
    for (int t = 0; t < T; t++) {
        sm_period_label(m, t + 1, lbl, sizeof lbl);
        fprintf(out, "  %-26s", lbl);
        for (int i = 0; i < m->n_materials; i++)
            fprintf(out, " %14s", num(s, sizeof s, mc[i * T + t], 0));
        fprintf(out, "\n");
    }
}

/* A sweep's scenario: each parameter's value with its units, so the
 * report says which future it is. */
static void print_parameters(FILE *out, const sm_report_ctx *r)
{
    const sm_sweep *sw = r->sweep;
    fprintf(out, "  sweep %s (%s), parameters of this scenario:\n", sw->name, sw->file);
    for (int k = 0; k < sw->n_params; k++) {
        sm_param_domain dom = sm_param_domain_of(r->model, sw->params[k].target.kind);
        fprintf(out, "    %-32s %12.6g %-8s %s\n", sw->params[k].name, r->values[k], dom.units,
                dom.meaning);
    }
}

void sm_report_print(FILE *out, const sm_report_ctx *r)
{
    const sm_model *m = r->model;
    char first[32], last[32];
    sm_period_label(m, 1, first, sizeof first);
    sm_period_label(m, m->n_periods, last, sizeof last);
    fprintf(out, "Model %s (%s), %s\n", m->name, m->dir, r->title);
    fprintf(out, "  %d periods of %d months, %s..%s; %d regions, %d materials, %d suppliers "
                 "(%d offers), %d limits\n",
            m->n_periods, m->period_months, first, last, m->n_regions, m->n_materials,
            m->n_suppliers, m->n_offers, m->n_limits);
    if (r->sweep)
        print_parameters(out, r);
    int8_t st = *(const int8_t *)sm_block_row(r->block, SM_V_STATUS, 0);
    fprintf(out, "  LP: %d rows, %d columns, %d nonzeros; %s after %d simplex iterations in "
                 "%.1f ms\n",
            r->lp_rows, r->lp_cols, r->lp_nonzeros, sm_scen_status_names[st],
            r->info->iterations, 1e3 * r->info->seconds);
    if (st != SM_SCEN_OPTIMAL) {
        if (st == SM_SCEN_INFEASIBLE) {
            fprintf(out, "\nNo plan meets every floor and stock target: the scenario is "
                         "infeasible.\n");
            print_relaxation(out, r);
        }
        else
            fprintf(out, "\nNo optimal plan was found (%s)%s%s.\n", sm_scen_status_names[st],
                    r->info->message[0] ? ": " : "", r->info->message);
        return;
    }
    print_costs(out, r);
    print_mix(out, r);
    print_stock_and_shortfall(out, r);
    print_limits(out, r);
    print_marginal_costs(out, r);
}
