/* The solve report: cost and its parts, the mix by region, shares, stock,
 * shortfall, binding limits with their shadow prices, marginal costs. */
#include "report.h"

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

/* Cash against the penalty (issue 12): what is paid, apart from the
 * value put on lost supply; shortfall per material in tonnes and as a
 * share of its demand, never summed across materials. */
static void print_cash_and_shortfall(FILE *out, const sm_report_ctx *r)
{
    const sm_model *m = r->model;
    const double *q = ROW(r->block, SM_V_SHORTFALL_TOTAL);
    const double *share = ROW(r->block, SM_V_SHORTFALL_SHARE);
    char s[64], lbl[32];
    fprintf(out, "  %-32s %22s USD\n", "cash cost (all but the penalty)",
            num(s, sizeof s, *ROW(r->block, SM_V_CASH_COST), 0));
    if (r->inputs->discount_rate > 0.0) {
        sm_period_label(m, 1, lbl, sizeof lbl);
        fprintf(out, "  every cost is a present value at the start of %s, discounted at "
                "%.2f %% a year\n", lbl, 100.0 * r->inputs->discount_rate);
    }
    fprintf(out, "  %-32s", "shortfall, t (share of demand)");
    for (int i = 0; i < m->n_materials; i++)
        fprintf(out, "%s %s: %s (%.2f %%)", i ? "," : "", m->materials[i].name,
                num(s, sizeof s, q[i], 1), 100.0 * share[i]);
    fprintf(out, "\n");
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
        char regions[256] = "";
        size_t used = 0;
        for (int g = 0; g < m->n_regions; g++)
            if (lim->in_region[g] && used < sizeof regions)
                used += (size_t)snprintf(regions + used, sizeof regions - used, "%s%s",
                                         used ? "+" : "", m->regions[g].name);
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
        if (binding) {
            double sv = saving[k];
            fprintf(out, "    one more point of share (+1 %%) would %s %s USD over the horizon\n",
                    sv >= 0 ? "save" : "cost", num(s1, sizeof s1, fabs(sv), 0));
        }
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
        if (st == SM_SCEN_INFEASIBLE)
            fprintf(out, "\nNo plan meets every floor and stock target: the scenario is "
                         "infeasible (see the warnings of `supplymix validate`).\n");
        else
            fprintf(out, "\nNo optimal plan was found (%s)%s%s.\n", sm_scen_status_names[st],
                    r->info->message[0] ? ": " : "", r->info->message);
        return;
    }
    print_costs(out, r);
    print_cash_and_shortfall(out, r);
    print_mix(out, r);
    print_stock_and_shortfall(out, r);
    print_limits(out, r);
    print_marginal_costs(out, r);
}
