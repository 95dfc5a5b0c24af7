/* model.yaml + suppliers.csv + demand.csv -> sm_model (see model_load.h).
 * Reading goes on after a problem wherever the rest still makes sense, so
 * one run of `supplymix validate` lists everything to fix. */
#include "model_load.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "../core/files.h"
#include "../core/parse.h"
#include "../models/model_check.h"
#include "../models/params.h"
#include "csv_table.h"
#include "yaml_read.h"

typedef struct loader {
    sm_model *m;
    sm_diag *d;
    sm_yread yr;
    const char *yaml_file;
    int outside_tables_allowed; /* model.yaml's allow_outside_tables: true */
} loader;

static sm_loc yloc(const loader *L, const sm_ynode *n)
{
    sm_loc l = {L->yaml_file, n ? n->line : 0, n ? n->col : 0};
    return l;
}

static sm_status keep_file(sm_model *m, const char *role, const char *name, char *text,
                           size_t len, const char **stored_name, sm_diag *d)
{
    sm_source_file *f = &m->files[m->n_files];
    f->name = strdup(name);
    f->role = strdup(role);
    if (!f->name || !f->role) {
        free(f->name);
        free(f->role);
        free(text);
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    }
    f->text = text;
    f->len = len;
    m->n_files++;
    *stored_name = f->name;
    return SM_OK;
}

/* ---- model.yaml -------------------------------------------------------- */

static void read_periods(loader *L, const sm_ynode *root)
{
    sm_model *m = L->m;
    m->period_months = 3;
    const sm_ynode *p = sm_yread_required(&L->yr, root, "periods", "");
    if (!p || !sm_yread_kind(&L->yr, p, "periods", SM_YMAP))
        return;
    static const char *const keys[] = {"count", "length_months", "tables_months", "first",
                                       NULL};
    sm_yread_known_keys(&L->yr, p, "periods", keys);
    const sm_ynode *c = sm_yread_required(&L->yr, p, "count", "periods");
    if (c)
        sm_yread_int(&L->yr, c, "periods.count", 1, SM_MODEL_MAX_PERIODS, &m->n_periods);
    const sm_ynode *len = sm_ymap_get(p, "length_months");
    sm_yread_int(&L->yr, len, "periods.length_months", 1, 120, &m->period_months);
    int tables = 3;
    const sm_ynode *tn = sm_ymap_get(p, "tables_months");
    sm_yread_int(&L->yr, tn, "periods.tables_months", 1, 120, &tables);
    const sm_ynode *at = len ? len : tn;
    /* The tables are used per period as given, never rescaled: a period
     * length they were not written for only relabels the dates. */
    if (at && tables != m->period_months)
        sm_diag_warning(L->d, L->yaml_file, at->line, at->col,
                        "periods.length_months is %d but the tables are written for "
                        "%d-month periods (periods.tables_months, default 3): capacities, "
                        "demand and holding costs are used per period as given, not "
                        "rescaled, so only the dates and discounting change; rewrite the "
                        "tables for %d-month periods and set periods.tables_months: %d, or "
                        "keep length_months: %d",
                        m->period_months, tables, m->period_months, m->period_months,
                        tables);
    const char *first = NULL;
    const sm_ynode *fn = sm_ymap_get(p, "first");
    if (fn && sm_yread_string(&L->yr, fn, "periods.first", &first)) {
        int y, mo;
        char tail;
        if (sscanf(first, "%4d-%2d%c", &y, &mo, &tail) != 2 || y < 1900 || y > 2500 ||
            mo < 1 || mo > 12 || strlen(first) != 7) {
            char q[SM_EXCERPT_SIZE];
            sm_diag_error(L->d, L->yaml_file, fn->line, fn->col,
                          "periods.first: expected a month as YYYY-MM (e.g. \"2027-01\"), "
                          "got '%s'", sm_excerpt(q, first));
        } else {
            m->first_year = y;
            m->first_month = mo;
        }
    }
}

static void read_regions(loader *L, const sm_ynode *root)
{
    sm_model *m = L->m;
    const sm_ynode *rs = sm_yread_required(&L->yr, root, "regions", "");
    if (!rs || !sm_yread_kind(&L->yr, rs, "regions", SM_YMAP))
        return;
    if (rs->count == 0) {
        sm_diag_error(L->d, L->yaml_file, rs->line, rs->col, "regions: at least one region is needed");
        return;
    }
    m->regions = calloc(rs->count, sizeof *m->regions);
    if (!m->regions) {
        sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
        return;
    }
    static const char *const keys[] = {"tariff", "availability", "availability_from",
                                       "availability_until", NULL};
    for (size_t i = 0; i < rs->count; i++) {
        const sm_ynode *k = rs->items[2 * i], *v = rs->items[2 * i + 1];
        const char *name = NULL;
        if (!sm_yread_name(&L->yr, k, "regions", &name))
            continue;
        char where[128];
        snprintf(where, sizeof where, "regions.%s", name);
        sm_region *r = &m->regions[m->n_regions];
        r->tariff = 0.0;
        r->loc = yloc(L, k);
        if (!sm_ynode_is_null(v)) {
            if (!sm_yread_kind(&L->yr, v, where, SM_YMAP))
                continue;
            sm_yread_known_keys(&L->yr, v, where, keys);
            char w2[160];
            /* The same valid range as the sweep parameter that moves it. */
            sm_param_domain tariff = sm_param_domain_of(m, SM_P_TARIFF);
            sm_yread_double(&L->yr, sm_ymap_get(v, "tariff"),
                            sm_ypath(w2, sizeof w2, where, "tariff"), tariff.lo, tariff.hi,
                            &r->tariff);
        }
        r->name = strdup(name);
        if (!r->name) {
            sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
            return;
        }
        m->n_regions++;
    }
}

/* A window's periods: from in 1..T+1, until in 0..T, until not before from
 * (an empty window is written by leaving it out). */
static void check_window_periods(loader *L, const sm_ynode *at, const char *where,
                                 const sm_window *w)
{
    if (w->until < w->from)
        sm_diag_error(L->d, L->yaml_file, at->line, at->col,
                      "%s: the window ends (until %d) before it starts (from %d)", where,
                      w->until, w->from);
}

/* regions.R.availability / availability_from / availability_until: the
 * window of availability.R (MODEL.md "Scoped windows"). */
static void read_region_windows(loader *L, const sm_ynode *root)
{
    sm_model *m = L->m;
    const sm_ynode *rs = sm_ymap_get(root, "regions");
    if (!rs || rs->kind != SM_YMAP)
        return;
    int T = m->n_periods > 0 ? m->n_periods : SM_MODEL_MAX_PERIODS;
    sm_param_domain level = sm_param_domain_of(m, SM_P_AVAIL_LEVEL);
    for (size_t i = 0; i < rs->count; i++) {
        const sm_ynode *k = rs->items[2 * i], *v = rs->items[2 * i + 1];
        int r = k->kind == SM_YSCALAR ? sm_model_region(m, k->text) : -1;
        if (r < 0 || v->kind != SM_YMAP)
            continue;
        sm_window *w = &m->windows[sm_scope_slot(m, SM_SCOPE_AVAIL, r, -1)];
        char where[128], w2[160];
        snprintf(where, sizeof where, "regions.%s", m->regions[r].name);
        sm_yread_double(&L->yr, sm_ymap_get(v, "availability"),
                        sm_ypath(w2, sizeof w2, where, "availability"), level.lo, level.hi,
                        &w->level);
        sm_yread_int(&L->yr, sm_ymap_get(v, "availability_from"),
                     sm_ypath(w2, sizeof w2, where, "availability_from"), 1, T, &w->from);
        const sm_ynode *until = sm_ymap_get(v, "availability_until");
        sm_yread_int(&L->yr, until, sm_ypath(w2, sizeof w2, where, "availability_until"), 1, T,
                     &w->until);
        if (until)
            check_window_periods(L, until, where, w);
        if (sm_ymap_get(v, "availability") || sm_ymap_get(v, "availability_from") || until)
            w->loc = yloc(L, k);
    }
}

/* One entry of `windows`: NAME: {level, from, until}, NAME a tariff or
 * availability parameter without .from/.until. */
static void read_window(loader *L, const sm_ynode *k, const sm_ynode *v)
{
    sm_model *m = L->m;
    const char *name = NULL;
    if (!sm_yread_string(&L->yr, k, "windows", &name))
        return;
    char why[600] = "", where[200], w2[240];
    snprintf(where, sizeof where, "windows.%s", name);
    sm_param_target t;
    sm_scope_kind kind;
    int r, mat;
    sm_window_field f;
    if (!sm_param_resolve(m, name, &t, why, sizeof why) ||
        !sm_param_scope(m, &t, &kind, &r, &mat, &f) || f != SM_WF_LEVEL) {
        if (strstr(name, "tariff.") != name && strstr(name, "availability.") != name)
            snprintf(why, sizeof why, "expected tariff.REGION[.MATERIAL] or "
                     "availability.REGION[.MATERIAL]");
        else if (strncmp(why, "unknown", 7) != 0)
            snprintf(why, sizeof why, "expected a scope without .from or .until (give them "
                     "as from: and until: inside)");
        sm_diag_error(L->d, L->yaml_file, k->line, k->col, "windows: '%s': %s",
                      sm_excerpt((char[SM_EXCERPT_SIZE]){0}, name), why);
        return;
    }
    if (!sm_yread_kind(&L->yr, v, where, SM_YMAP))
        return;
    static const char *const keys[] = {"level", "from", "until", NULL};
    sm_yread_known_keys(&L->yr, v, where, keys);
    sm_window *w = &m->windows[sm_scope_slot(m, kind, r, mat)];
    if (w->loc.line) {
        sm_diag_error(L->d, L->yaml_file, k->line, k->col,
                      "%s: this window is already given at line %d (regions.%s)", where,
                      w->loc.line, m->regions[r].name);
        return;
    }
    sm_param_domain dom = sm_param_domain_of(m, t.kind);
    const sm_ynode *lv = sm_yread_required(&L->yr, v, "level", where);
    if (lv)
        sm_yread_double(&L->yr, lv, sm_ypath(w2, sizeof w2, where, "level"), dom.lo, dom.hi,
                        &w->level);
    int T = m->n_periods;
    sm_yread_int(&L->yr, sm_ymap_get(v, "from"), sm_ypath(w2, sizeof w2, where, "from"), 1,
                 T + 1, &w->from);
    sm_yread_int(&L->yr, sm_ymap_get(v, "until"), sm_ypath(w2, sizeof w2, where, "until"), 0,
                 T, &w->until);
    check_window_periods(L, v, where, w);
    w->on = 1;
    w->loc = yloc(L, k);
}

/* The base case's windows: the regions' availability keys, then the
 * optional `windows` map; then the defaults of the windows left out. */
static void read_windows(loader *L, const sm_ynode *root)
{
    sm_model *m = L->m;
    if (m->n_regions == 0 || m->n_periods == 0)
        return; /* model.yaml's errors already say why */
    if (!sm_model_windows_init(m)) {
        sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
        return;
    }
    read_region_windows(L, root);
    const sm_ynode *ws = sm_ymap_get(root, "windows");
    if (ws && !sm_ynode_is_null(ws) && sm_yread_kind(&L->yr, ws, "windows", SM_YMAP))
        for (size_t i = 0; i < ws->count; i++)
            read_window(L, ws->items[2 * i], ws->items[2 * i + 1]);
    sm_model_windows_inherit(m);
}

static void read_materials(loader *L, const sm_ynode *root)
{
    sm_model *m = L->m;
    const sm_ynode *ms = sm_yread_required(&L->yr, root, "materials", "");
    if (!ms || !sm_yread_kind(&L->yr, ms, "materials", SM_YMAP))
        return;
    if (ms->count == 0) {
        sm_diag_error(L->d, L->yaml_file, ms->line, ms->col,
                      "materials: at least one material is needed");
        return;
    }
    m->materials = calloc(ms->count, sizeof *m->materials);
    if (!m->materials) {
        sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
        return;
    }
    static const char *const keys[] = {"shortfall_penalty", "holding_cost", "stock_initial",
                                       "stock_capacity", "stock_final", NULL};
    for (size_t i = 0; i < ms->count; i++) {
        const sm_ynode *k = ms->items[2 * i], *v = ms->items[2 * i + 1];
        const char *name = NULL;
        if (!sm_yread_name(&L->yr, k, "materials", &name))
            continue;
        char where[128], w2[160];
        snprintf(where, sizeof where, "materials.%s", name);
        if (!sm_yread_kind(&L->yr, v, where, SM_YMAP))
            continue;
        sm_yread_known_keys(&L->yr, v, where, keys);
        sm_material *mt = &m->materials[m->n_materials];
        mt->loc = yloc(L, k);
        const sm_ynode *pen = sm_yread_required(&L->yr, v, "shortfall_penalty", where);
        if (pen)
            sm_yread_double(&L->yr, pen, sm_ypath(w2, sizeof w2, where, "shortfall_penalty"),
                            0.0, SM_MAX_USD_PER_T, &mt->shortfall_penalty);
        sm_yread_double(&L->yr, sm_ymap_get(v, "holding_cost"),
                        sm_ypath(w2, sizeof w2, where, "holding_cost"), 0.0, SM_MAX_USD_PER_T,
                        &mt->holding_cost);
        sm_yread_double(&L->yr, sm_ymap_get(v, "stock_initial"),
                        sm_ypath(w2, sizeof w2, where, "stock_initial"), 0.0, SM_MAX_TONNES,
                        &mt->stock_initial);
        sm_yread_double(&L->yr, sm_ymap_get(v, "stock_capacity"),
                        sm_ypath(w2, sizeof w2, where, "stock_capacity"), 0.0, SM_MAX_TONNES,
                        &mt->stock_capacity);
        sm_yread_double(&L->yr, sm_ymap_get(v, "stock_final"),
                        sm_ypath(w2, sizeof w2, where, "stock_final"), 0.0, SM_MAX_TONNES,
                        &mt->stock_final);
        mt->name = strdup(name);
        if (!mt->name) {
            sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
            return;
        }
        m->n_materials++;
    }
}

/* A list of known names into flags; returns the number of names set. */
static int read_name_list(loader *L, const sm_ynode *list, const char *where,
                          unsigned char *flags, int n,
                          int (*lookup)(const sm_model *, const char *), const char *kind)
{
    if (!sm_yread_kind(&L->yr, list, where, SM_YSEQ))
        return 0;
    int set = 0;
    for (size_t i = 0; i < list->count; i++) {
        const sm_ynode *it = list->items[i];
        const char *name = NULL;
        if (!sm_yread_name(&L->yr, it, where, &name))
            continue;
        int idx = lookup(L->m, name);
        if (idx < 0) {
            sm_diag_error(L->d, L->yaml_file, it->line, it->col,
                          "%s: unknown %s '%s' (not defined under %ss)", where, kind, name,
                          kind);
            continue;
        }
        if (idx < n && !flags[idx]) {
            flags[idx] = 1;
            set++;
        } else {
            sm_diag_error(L->d, L->yaml_file, it->line, it->col, "%s: '%s' is listed twice",
                          where, name);
        }
    }
    return set;
}

/* A map of limits (Part 1's `limits`, or the first-stage
 * `commitments.limits`: the same shape) into *arr; `what` is the key path
 * messages name. */
static void read_limit_map(loader *L, const sm_ynode *ls, const char *what, sm_limit **arr,
                           int *n)
{
    sm_model *m = L->m;
    if (!ls || sm_ynode_is_null(ls))
        return;
    if (!sm_yread_kind(&L->yr, ls, what, SM_YMAP))
        return;
    *arr = calloc(ls->count ? ls->count : 1, sizeof **arr);
    if (!*arr) {
        sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
        return;
    }
    static const char *const keys[] = {"kind", "regions", "materials", "share", NULL};
    for (size_t i = 0; i < ls->count; i++) {
        const sm_ynode *k = ls->items[2 * i], *v = ls->items[2 * i + 1];
        const char *name = NULL;
        if (!sm_yread_name(&L->yr, k, what, &name))
            continue;
        char where[128], w2[160];
        snprintf(where, sizeof where, "%s.%s", what, name);
        if (!sm_yread_kind(&L->yr, v, where, SM_YMAP))
            continue;
        sm_yread_known_keys(&L->yr, v, where, keys);
        sm_limit *lim = &(*arr)[*n];
        lim->loc = yloc(L, k);
        lim->in_region = calloc((size_t)m->n_regions + 1, 1);
        lim->in_material = calloc((size_t)m->n_materials + 1, 1);
        lim->name = strdup(name);
        (*n)++; /* owned from here on, so freed with the model */
        if (!lim->in_region || !lim->in_material || !lim->name) {
            sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
            return;
        }
        const sm_ynode *kind = sm_yread_required(&L->yr, v, "kind", where);
        const char *ks = NULL;
        if (kind && sm_yread_string(&L->yr, kind, sm_ypath(w2, sizeof w2, where, "kind"), &ks)) {
            if (strcmp(ks, "cap") == 0)
                lim->kind = SM_LIMIT_CAP;
            else if (strcmp(ks, "floor") == 0)
                lim->kind = SM_LIMIT_FLOOR;
            else {
                char q[SM_EXCERPT_SIZE];
                sm_diag_error(L->d, L->yaml_file, kind->line, kind->col,
                              "%s.kind: expected 'cap' or 'floor', got '%s'", where,
                              sm_excerpt(q, ks));
            }
        }
        const sm_ynode *regs = sm_yread_required(&L->yr, v, "regions", where);
        if (regs) {
            sm_ypath(w2, sizeof w2, where, "regions");
            if (read_name_list(L, regs, w2, lim->in_region, m->n_regions, sm_model_region,
                               "region") == 0 && regs->kind == SM_YSEQ && regs->count == 0)
                sm_diag_error(L->d, L->yaml_file, regs->line, regs->col,
                              "%s: expected at least one region", w2);
        }
        const sm_ynode *mats = sm_ymap_get(v, "materials");
        if (mats) {
            sm_ypath(w2, sizeof w2, where, "materials");
            if (read_name_list(L, mats, w2, lim->in_material, m->n_materials,
                               sm_model_material, "material") == 0 &&
                mats->kind == SM_YSEQ && mats->count == 0)
                sm_diag_error(L->d, L->yaml_file, mats->line, mats->col,
                              "%s: expected at least one material (or leave the key out "
                              "for all)", w2);
        } else {
            memset(lim->in_material, 1, (size_t)m->n_materials);
        }
        const sm_ynode *sh = sm_yread_required(&L->yr, v, "share", where);
        if (sh)
            sm_yread_double(&L->yr, sh, sm_ypath(w2, sizeof w2, where, "share"), 0.0, 1.0,
                            &lim->share);
    }
}

static void read_limits(loader *L, const sm_ynode *root)
{
    read_limit_map(L, sm_ymap_get(root, "limits"), "limits", &L->m->limits, &L->m->n_limits);
}

/* MODEL.md Part 2's optional first-stage data: the default fee of contract
 * offers as a share of their price, and limits on what is committed. */
static void read_commitments(loader *L, const sm_ynode *root)
{
    sm_model *m = L->m;
    m->fee_share = -1.0;
    const sm_ynode *c = sm_ymap_get(root, "commitments");
    if (!c || sm_ynode_is_null(c) || !sm_yread_kind(&L->yr, c, "commitments", SM_YMAP))
        return;
    static const char *const keys[] = {"fee_share", "limits", NULL};
    sm_yread_known_keys(&L->yr, c, "commitments", keys);
    sm_yread_double(&L->yr, sm_ymap_get(c, "fee_share"), "commitments.fee_share", 0.0, 1.0,
                    &m->fee_share);
    read_limit_map(L, sm_ymap_get(c, "limits"), "commitments.limits", &m->commit_limits,
                   &m->n_commit_limits);
}

/* ---- tables ------------------------------------------------------------ */

typedef struct column_spec {
    const char *name;
    int required;
} column_spec;

/* Map the table's columns onto spec; unknown and missing columns are
 * errors. idx[i] is the column of spec[i], or -1 when optional and absent. */
static int map_columns(loader *L, const char *file, const sm_csv *t, const column_spec *spec,
                       int n, int *idx)
{
    int ok = 1;
    for (int i = 0; i < n; i++) {
        idx[i] = sm_csv_column(t, spec[i].name);
        if (idx[i] < 0 && spec[i].required) {
            sm_diag_error(L->d, file, t->header_line, 0,
                          "required column '%s' is missing from the header", spec[i].name);
            ok = 0;
        }
    }
    for (size_t c = 0; c < t->ncols; c++) {
        int known = 0;
        for (int i = 0; i < n; i++)
            if (strcmp(t->header[c], spec[i].name) == 0)
                known = 1;
        if (!known) {
            char list[512] = "", q[SM_EXCERPT_SIZE];
            size_t used = 0;
            for (int i = 0; i < n && used < sizeof list; i++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                         i ? ", " : "", spec[i].name);
            sm_diag_error(L->d, file, t->header_line, 0,
                          "unknown column '%s' (expected: %s)", sm_excerpt(q, t->header[c]),
                          list);
            ok = 0;
        }
    }
    return ok;
}

static int cell_number(loader *L, const char *file, const sm_csv *t, size_t row, int col,
                       double lo, double hi, double *out)
{
    const char *s = sm_csv_cell(t, row, (size_t)col);
    double v;
    sm_parse_result pr = sm_parse_double(s, &v);
    if (pr != SM_PARSE_OK) {
        char q[SM_EXCERPT_SIZE];
        sm_diag_error(L->d, file, t->row_line[row], 0, "%s: expected a number, '%s' %s",
                      t->header[col], sm_excerpt(q, s), sm_parse_problem(pr));
        return 0;
    }
    if (v < lo || v > hi) {
        sm_diag_error(L->d, file, t->row_line[row], 0,
                      "%s: %g is out of range, expected a value in [%g, %g]", t->header[col],
                      v, lo, hi);
        return 0;
    }
    *out = v;
    return 1;
}

static int cell_int(loader *L, const char *file, const sm_csv *t, size_t row, int col,
                    int lo, int hi, int *out)
{
    const char *s = sm_csv_cell(t, row, (size_t)col);
    int v;
    sm_parse_result pr = sm_parse_int(s, &v);
    if (pr != SM_PARSE_OK) {
        char q[SM_EXCERPT_SIZE];
        sm_diag_error(L->d, file, t->row_line[row], 0, "%s: expected a whole number, '%s' %s",
                      t->header[col], sm_excerpt(q, s), sm_parse_problem(pr));
        return 0;
    }
    if (v < lo || v > hi) {
        sm_diag_error(L->d, file, t->row_line[row], 0, "%s: %d is out of range, expected %d..%d",
                      t->header[col], v, lo, hi);
        return 0;
    }
    *out = v;
    return 1;
}

/* A known name in a cell, or -1 after reporting it. */
static int cell_ref(loader *L, const char *file, const sm_csv *t, size_t row, int col,
                    int (*lookup)(const sm_model *, const char *), const char *kind)
{
    const char *s = sm_csv_cell(t, row, (size_t)col);
    int idx = lookup(L->m, s);
    char q[SM_EXCERPT_SIZE];
    if (idx < 0)
        sm_diag_error(L->d, file, t->row_line[row], 0,
                      "%s: unknown %s '%s' (defined in model.yaml: %ss)", t->header[col], kind,
                      sm_excerpt(q, s), kind);
    return idx;
}

static void read_outside_opt_in(loader *L, const sm_ynode *root)
{
    const sm_ynode *n = sm_ymap_get(root, "allow_outside_tables");
    const char *v = NULL;
    if (!n || !sm_yread_string(&L->yr, n, "allow_outside_tables", &v))
        return;
    if (strcmp(v, "true") == 0)
        L->outside_tables_allowed = 1;
    else if (strcmp(v, "false") != 0)
        sm_diag_error(L->d, L->yaml_file, n->line, n->col,
                      "allow_outside_tables: expected true or false");
}

/* A table named in model.yaml must lie inside the model directory unless
 * model.yaml says allow_outside_tables: true, so a model cannot read (and
 * a results file cannot store in /inputs) a file from elsewhere by a
 * mistyped or hostile path. *out is the file to open (a new string). */
static sm_status table_path(loader *L, const sm_ynode *n, const char *where, const char *rel,
                            const char *shown, char **out)
{
    char *resolved = NULL;
    sm_path_place place;
    int e = sm_path_locate(L->m->dir, rel, &resolved, &place);
    if (e == ENOMEM)
        return sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
    if (e)
        return sm_diag_error(L->d, shown, 0, 0, "cannot open: %s", strerror(e));
    *out = resolved;
    if (place == SM_PATH_INSIDE)
        return SM_OK;
    if (L->outside_tables_allowed) {
        sm_diag_warning(L->d, L->yaml_file, n->line, n->col,
                        "%s: reading %s from outside the model directory "
                        "(allow_outside_tables: true)", where, resolved);
        return SM_OK;
    }
    const char *why = place == SM_PATH_ABSOLUTE ? "is an absolute path"
                    : place == SM_PATH_UP ? "leads out of the model directory through '..'"
                    : "is a symbolic link to a file outside the model directory";
    free(resolved);
    *out = NULL;
    return sm_diag_error(L->d, L->yaml_file, n->line, n->col,
                         "%s: '%s' %s; tables must lie inside the model directory (%s). Copy "
                         "the file there, or set allow_outside_tables: true in model.yaml",
                         where, rel, why, L->m->dir);
}

/* An offer's terms and commitment fee (MODEL.md Part 2): `terms` is
 * spot (also when the cell or column is absent) or contract; a contract's
 * fee is its fee_usd_per_t cell, else commitments.fee_share of its price,
 * else 0. A spot offer has no fee. */
static int cell_terms(loader *L, const char *file, const sm_csv *t, size_t row, int tcol,
                      int fcol, double price, sm_terms *terms, double *fee)
{
    const char *ts = tcol >= 0 ? sm_csv_cell(t, row, (size_t)tcol) : "";
    if (strcmp(ts, "contract") == 0) {
        *terms = SM_TERMS_CONTRACT;
    } else if (ts[0] != '\0' && strcmp(ts, "spot") != 0) {
        char q[SM_EXCERPT_SIZE];
        sm_diag_error(L->d, file, t->row_line[row], 0,
                      "terms: expected 'spot' or 'contract', got '%s'", sm_excerpt(q, ts));
        return 0;
    }
    const char *fs = fcol >= 0 ? sm_csv_cell(t, row, (size_t)fcol) : "";
    if (fs[0] != '\0') {
        if (*terms != SM_TERMS_CONTRACT) {
            sm_diag_error(L->d, file, t->row_line[row], 0,
                          "fee_usd_per_t: a spot offer has no commitment fee (give terms "
                          "'contract', or leave the cell empty)");
            return 0;
        }
        return cell_number(L, file, t, row, fcol, 0.0, SM_MAX_USD_PER_T, fee);
    }
    if (*terms == SM_TERMS_CONTRACT)
        *fee = L->m->fee_share >= 0.0 ? L->m->fee_share * price : 0.0;
    else
        *fee = 0.0;
    return 1;
}

static sm_status read_table(loader *L, const sm_ynode *tables, const char *key,
                            sm_csv **out, const char **file)
{
    *out = NULL;
    const sm_ynode *n = !strcmp(key, "capacity_profile")
                            ? sm_ymap_get(tables, key) /* optional */
                            : sm_yread_required(&L->yr, tables, key, "tables");
    if (!n && !strcmp(key, "capacity_profile"))
        return SM_OK;
    const char *rel = NULL;
    char where[64];
    snprintf(where, sizeof where, "tables.%s", key);
    if (!n || !sm_yread_string(&L->yr, n, where, &rel))
        return SM_EINPUT;
    char *path = sm_path_join(L->m->dir, rel);
    if (!path)
        return sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
    char *resolved = NULL, *text = NULL;
    size_t len = 0;
    sm_status st = table_path(L, n, where, rel, path, &resolved);
    if (st == SM_OK)
        st = sm_text_read(resolved, path, SM_MODEL_MAX_TABLE_BYTES, &text, &len, L->d);
    if (st == SM_OK)
        st = keep_file(L->m, key, path, text, len, file, L->d);
    free(resolved);
    free(path);
    if (st != SM_OK)
        return st;
    return sm_csv_parse(*file, text, len, out, L->d);
}

/* Append offer of unless its supplier already offers its material (an
 * error at its line); returns 0 only when out of memory. */
static int add_offer(loader *L, const sm_offer *of, const char *sname, const char *source)
{
    sm_model *m = L->m;
    for (int o = 0; o < m->n_offers; o++)
        if (m->offers[o].supplier == of->supplier && m->offers[o].material == of->material) {
            sm_diag_error(L->d, of->loc.file, of->loc.line, 0,
                          "supplier '%s' offers '%s' twice (first at line %d)", sname,
                          m->materials[of->material].name, m->offers[o].loc.line);
            return 1;
        }
    sm_offer *o = &m->offers[m->n_offers];
    *o = *of;
    o->source = strdup(source);
    if (!o->source) {
        sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
        return 0;
    }
    m->n_contracts += o->terms == SM_TERMS_CONTRACT;
    m->n_offers++;
    return 1;
}

static void read_suppliers(loader *L, const sm_csv *t, const char *file)
{
    sm_model *m = L->m;
    enum { SUP, REG, MAT, CAP, PRICE, FREIGHT, START, RAMP, TERMS, FEE, SRC, NOTE, NCOL };
    static const column_spec spec[NCOL] = {
        {"supplier", 1}, {"region", 1}, {"material", 1}, {"capacity_t_per_period", 1},
        {"price_usd_per_t", 1}, {"freight_usd_per_t", 1}, {"start_period", 1},
        {"ramp_periods", 1}, {"terms", 0}, {"fee_usd_per_t", 0}, {"source", 0}, {"note", 0}};
    int c[NCOL];
    if (!map_columns(L, file, t, spec, NCOL, c))
        return;
    if (t->nrows == 0) {
        sm_diag_error(L->d, file, t->header_line, 0, "no suppliers: the table has no rows");
        return;
    }
    m->suppliers = calloc(t->nrows, sizeof *m->suppliers);
    m->offers = calloc(t->nrows, sizeof *m->offers);
    if (!m->suppliers || !m->offers) {
        sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
        return;
    }
    int T = m->n_periods > 0 ? m->n_periods : SM_MODEL_MAX_PERIODS;
    for (size_t r = 0; r < t->nrows; r++) {
        int line = t->row_line[r];
        const char *sname = sm_csv_cell(t, r, (size_t)c[SUP]);
        if (!sm_is_name(sname)) {
            sm_diag_error(L->d, file, line, 0,
                          "supplier: '%s' is not a valid name (a letter, then letters, "
                          "digits or '_', at most %d characters)",
                          sm_excerpt((char[SM_EXCERPT_SIZE]){0}, sname), SM_NAME_MAX);
            continue;
        }
        int ok = 1;
        int reg = cell_ref(L, file, t, r, c[REG], sm_model_region, "region");
        int mat = cell_ref(L, file, t, r, c[MAT], sm_model_material, "material");
        double cap = 0, price = 0, freight = 0;
        int start = 1, ramp = 0;
        ok &= reg >= 0 && mat >= 0;
        ok &= cell_number(L, file, t, r, c[CAP], 0.0, SM_MAX_TONNES, &cap);
        ok &= cell_number(L, file, t, r, c[PRICE], 0.0, SM_MAX_USD_PER_T, &price);
        ok &= cell_number(L, file, t, r, c[FREIGHT], 0.0, SM_MAX_USD_PER_T, &freight);
        ok &= cell_int(L, file, t, r, c[START], 1, T, &start);
        ok &= cell_int(L, file, t, r, c[RAMP], 0, 10 * T, &ramp);
        sm_terms terms = SM_TERMS_SPOT;
        double fee = -1.0;
        ok &= cell_terms(L, file, t, r, c[TERMS], c[FEE], price, &terms, &fee);
        if (!ok)
            continue;
        int u = sm_model_supplier(m, sname);
        if (u < 0) {
            u = m->n_suppliers;
            sm_supplier *s = &m->suppliers[u];
            s->name = strdup(sname);
            if (!s->name) {
                sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
                return;
            }
            s->region = reg;
            s->freight = freight;
            s->start_period = start;
            s->ramp_periods = ramp;
            s->loc = (sm_loc){file, line, 0};
            m->n_suppliers++;
        } else {
            /* MODEL.md gives region, freight, start and ramp per supplier. */
            const sm_supplier *s = &m->suppliers[u];
            if (s->region != reg || s->freight != freight || s->start_period != start ||
                s->ramp_periods != ramp) {
                sm_diag_error(L->d, file, line, 0,
                              "supplier '%s': region, freight_usd_per_t, start_period and "
                              "ramp_periods must be the same on all its rows (they differ "
                              "from line %d)", sname, s->loc.line);
                continue;
            }
        }
        sm_offer of = {u, mat, cap, price, terms, fee, NULL, NULL, {file, line, 0}};
        if (!add_offer(L, &of, sname, c[SRC] >= 0 ? sm_csv_cell(t, r, (size_t)c[SRC]) : ""))
            return;
    }
}

static void read_demand(loader *L, const sm_csv *t, const char *file)
{
    sm_model *m = L->m;
    enum { MAT, PER, DEM, SRC, NOTE, NCOL };
    static const column_spec spec[NCOL] = {
        {"material", 1}, {"period", 1}, {"demand_t", 1}, {"source", 0}, {"note", 0}};
    int c[NCOL];
    if (!map_columns(L, file, t, spec, NCOL, c))
        return;
    if (m->n_materials == 0 || m->n_periods == 0)
        return; /* model.yaml's errors already say why */
    size_t errors_before = L->d->errors;
    size_t n = (size_t)m->n_materials * (size_t)m->n_periods;
    m->demand = calloc(n, sizeof *m->demand);
    m->demand_loc = calloc(n, sizeof *m->demand_loc);
    if (!m->demand || !m->demand_loc) {
        sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
        return;
    }
    for (size_t r = 0; r < t->nrows; r++) {
        int mat = cell_ref(L, file, t, r, c[MAT], sm_model_material, "material");
        int per = 0;
        double dem = 0;
        int ok = mat >= 0;
        ok &= cell_int(L, file, t, r, c[PER], 1, m->n_periods, &per);
        ok &= cell_number(L, file, t, r, c[DEM], 0.0, SM_MAX_TONNES, &dem);
        if (!ok)
            continue;
        size_t k = (size_t)mat * (size_t)m->n_periods + (size_t)(per - 1);
        if (m->demand_loc[k].line) {
            sm_diag_error(L->d, file, t->row_line[r], 0,
                          "demand for '%s' in period %d is given twice (first at line %d)",
                          m->materials[mat].name, per, m->demand_loc[k].line);
            continue;
        }
        m->demand[k] = dem;
        m->demand_loc[k] = (sm_loc){file, t->row_line[r], 0};
    }
    if (L->d->errors > errors_before)
        return; /* a row that failed above would show up again as missing */
    for (int mat = 0; mat < m->n_materials; mat++) {
        int missing = 0, first = 0;
        for (int p = 0; p < m->n_periods; p++)
            if (!m->demand_loc[(size_t)mat * (size_t)m->n_periods + (size_t)p].line) {
                if (!missing)
                    first = p + 1;
                missing++;
            }
        if (missing)
            sm_diag_error(L->d, file, 0, 0,
                          "no demand row for material '%s' in %d of %d periods (first: "
                          "period %d); give every (material, period) a row, 0 if none",
                          m->materials[mat].name, missing, m->n_periods, first);
    }
}

/* The offer (supplier, material) a profile row names, or -1 after saying
 * what exists. */
static int profile_offer(loader *L, const char *file, const sm_csv *t, size_t row, int ucol,
                         int mcol)
{
    sm_model *m = L->m;
    const char *us = sm_csv_cell(t, row, (size_t)ucol);
    int u = sm_model_supplier(m, us);
    if (u < 0) {
        char list[400];
        size_t used = 0;
        list[0] = '\0';
        for (int i = 0; i < m->n_suppliers && used + 1 < sizeof list; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                     m->suppliers[i].name);
        sm_diag_error(L->d, file, t->row_line[row], 0,
                      "supplier: unknown supplier '%s' (the suppliers table has: %s)",
                      sm_excerpt((char[SM_EXCERPT_SIZE]){0}, us), list);
        return -1;
    }
    int mat = cell_ref(L, file, t, row, mcol, sm_model_material, "material");
    if (mat < 0)
        return -1;
    for (int o = 0; o < m->n_offers; o++)
        if (m->offers[o].supplier == u && m->offers[o].material == mat)
            return o;
    sm_diag_error(L->d, file, t->row_line[row], 0,
                  "supplier '%s' does not offer %s in the suppliers table (%s:%d)", us,
                  m->materials[mat].name, m->suppliers[u].loc.file, m->suppliers[u].loc.line);
    return -1;
}

/* tables.capacity_profile (optional): t/period per supplier, material and
 * period, replacing capacity x ramp (MODEL.md "Capacity profiles"). An
 * offer it names needs a row for every period. */
static void read_capacity_profile(loader *L, const sm_csv *t, const char *file)
{
    sm_model *m = L->m;
    enum { SUP, MAT, PER, CAP, SRC, NOTE, NCOL };
    static const column_spec spec[NCOL] = {{"supplier", 1}, {"material", 1}, {"period", 1},
                                           {"capacity_t", 1}, {"source", 0}, {"note", 0}};
    int c[NCOL];
    if (!map_columns(L, file, t, spec, NCOL, c) || m->n_periods == 0)
        return;
    size_t T = (size_t)m->n_periods;
    int *first_line = calloc((size_t)m->n_offers * T + 1, sizeof *first_line);
    if (!first_line) {
        sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
        return;
    }
    for (size_t r = 0; r < t->nrows; r++) {
        int o = profile_offer(L, file, t, r, c[SUP], c[MAT]), per = 0;
        double cap = 0;
        int ok = o >= 0;
        ok &= cell_int(L, file, t, r, c[PER], 1, m->n_periods, &per);
        ok &= cell_number(L, file, t, r, c[CAP], 0.0, SM_MAX_TONNES, &cap);
        if (!ok)
            continue;
        sm_offer *of = &m->offers[o];
        if (!of->profile && !(of->profile = calloc(T, sizeof *of->profile))) {
            sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
            break;
        }
        int *seen = &first_line[(size_t)o * T + (size_t)(per - 1)];
        if (*seen) {
            sm_diag_error(L->d, file, t->row_line[r], 0,
                          "%s %s in period %d is given twice (first at line %d)",
                          m->suppliers[of->supplier].name, m->materials[of->material].name,
                          per, *seen);
            continue;
        }
        *seen = t->row_line[r];
        of->profile[per - 1] = cap;
    }
    for (int o = 0; o < m->n_offers; o++) {
        size_t missing = 0;
        for (size_t p = 0; m->offers[o].profile && p < T; p++)
            missing += !first_line[(size_t)o * T + p];
        if (missing)
            sm_diag_error(L->d, file, 0, 0,
                          "%s %s has a profile but no row for %zu of its %zu periods; give "
                          "every period of a profiled offer a row",
                          m->suppliers[m->offers[o].supplier].name,
                          m->materials[m->offers[o].material].name, missing, T);
    }
    free(first_line);
}

/* Names are referred to as `kind.NAME` in sweeps, so one name means one thing. */
static void check_unique_names(loader *L)
{
    const sm_model *m = L->m;
    struct { const char *name; sm_loc loc; const char *kind; } *all;
    size_t n = (size_t)(m->n_regions + m->n_materials + m->n_suppliers + m->n_limits);
    all = calloc(n ? n : 1, sizeof *all);
    if (!all)
        return;
    size_t k = 0;
    for (int i = 0; i < m->n_regions; i++)
        all[k].name = m->regions[i].name, all[k].loc = m->regions[i].loc, all[k++].kind = "region";
    for (int i = 0; i < m->n_materials; i++)
        all[k].name = m->materials[i].name, all[k].loc = m->materials[i].loc,
        all[k++].kind = "material";
    for (int i = 0; i < m->n_suppliers; i++)
        all[k].name = m->suppliers[i].name, all[k].loc = m->suppliers[i].loc,
        all[k++].kind = "supplier";
    for (int i = 0; i < m->n_limits; i++)
        if (m->limits[i].name)
            all[k].name = m->limits[i].name, all[k].loc = m->limits[i].loc,
            all[k++].kind = "limit";
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(all[i].name, all[j].name) == 0) {
                sm_diag_error(L->d, all[i].loc.file, all[i].loc.line, all[i].loc.col,
                              "%s name '%s' is already used by a %s (%s:%d); names must be "
                              "unique across regions, materials, suppliers and limits",
                              all[i].kind, all[i].name, all[j].kind, all[j].loc.file,
                              all[j].loc.line);
                break;
            }
    free(all);
}

/* The tables model.yaml names, read into *sup and *dem (freed by the
 * caller); only running out of memory stops the reading. */
static sm_status read_tables(loader *L, const sm_ynode *root, sm_csv **sup, sm_csv **dem)
{
    read_outside_opt_in(L, root);
    const sm_ynode *tables = sm_yread_required(&L->yr, root, "tables", "");
    if (!tables || !sm_yread_kind(&L->yr, tables, "tables", SM_YMAP))
        return SM_OK;
    static const char *const tkeys[] = {"suppliers", "demand", "capacity_profile", NULL};
    sm_yread_known_keys(&L->yr, tables, "tables", tkeys);
    const char *sup_file = NULL, *dem_file = NULL;
    if (read_table(L, tables, "suppliers", sup, &sup_file) == SM_ENOMEM)
        return SM_ENOMEM;
    if (*sup)
        read_suppliers(L, *sup, sup_file);
    if (read_table(L, tables, "demand", dem, &dem_file) == SM_ENOMEM)
        return SM_ENOMEM;
    if (*dem)
        read_demand(L, *dem, dem_file);
    sm_csv *prof = NULL;
    const char *prof_file = NULL;
    sm_status st = read_table(L, tables, "capacity_profile", &prof, &prof_file);
    if (prof)
        read_capacity_profile(L, prof, prof_file);
    sm_csv_free(&prof);
    return st == SM_ENOMEM ? SM_ENOMEM : SM_OK;
}

static uint64_t hash_files(const sm_model *m)
{
    XXH3_state_t *s = XXH3_createState();
    if (!s)
        return 0;
    XXH3_64bits_reset(s);
    for (int i = 0; i < m->n_files; i++) {
        XXH3_64bits_update(s, m->files[i].role, strlen(m->files[i].role) + 1);
        XXH3_64bits_update(s, m->files[i].text, m->files[i].len);
    }
    uint64_t h = XXH3_64bits_digest(s);
    XXH3_freeState(s);
    return h;
}

sm_status sm_model_load(const char *dir, sm_model **out, sm_diag *d)
{
    *out = NULL;
    sm_status st = SM_OK;
    sm_ynode *root = NULL;
    sm_csv *sup = NULL, *dem = NULL;
    size_t errors_before = d->errors;
    sm_model *m = sm_model_new();
    char *path = NULL;
    if (!m)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    m->dir = strdup(dir);
    path = sm_path_join(dir, "model.yaml");
    if (!m->dir || !path)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    if (!sm_path_is_dir(dir))
        SM_TRY(sm_diag_error(d, dir, 0, 0,
                             sm_path_exists(dir) ? "is not a directory; a model is a directory "
                                                   "holding model.yaml and its tables"
                                                 : "no such model directory"));
    char *text = NULL;
    size_t len = 0;
    SM_TRY(sm_text_read(path, NULL, SM_MODEL_MAX_YAML_BYTES, &text, &len, d));
    const char *yaml_file = NULL;
    SM_TRY(keep_file(m, "model", path, text, len, &yaml_file, d));
    SM_TRY(sm_yaml_parse(yaml_file, text, len, &root, d));
    loader L = {m, d, {yaml_file, d}, yaml_file, 0};
    if (!root)
        SM_TRY(sm_diag_error(d, yaml_file, 1, 1, "the file is empty; expected the model's "
                                                 "name, periods, regions, materials and tables"));
    if (!sm_yread_kind(&L.yr, root, "the file", SM_YMAP))
        SM_TRY(SM_EINPUT);
    static const char *const keys[] = {"name", "description", "periods", "regions",
                                       "materials", "windows", "limits", "commitments",
                                       "discount_rate", "tables", "allow_outside_tables",
                                       NULL};
    sm_yread_known_keys(&L.yr, root, "", keys);
    const char *name = NULL, *desc = NULL;
    const sm_ynode *nn = sm_yread_required(&L.yr, root, "name", "");
    if (nn)
        sm_yread_name(&L.yr, nn, "name", &name);
    sm_yread_string(&L.yr, sm_ymap_get(root, "description"), "description", &desc);
    m->name = strdup(name ? name : "unnamed");
    m->description = strdup(desc ? desc : "");
    if (!m->name || !m->description)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    read_periods(&L, root);
    sm_yread_double(&L.yr, sm_ymap_get(root, "discount_rate"), "discount_rate", 0.0, 1.0,
                    &m->discount_rate);
    read_regions(&L, root);
    read_materials(&L, root);
    read_windows(&L, root);
    read_limits(&L, root);
    read_commitments(&L, root);

    SM_TRY(read_tables(&L, root, &sup, &dem));
    check_unique_names(&L);
    if (d->errors == errors_before)
        sm_model_check(m, d);
    if (d->errors > errors_before)
        SM_TRY(SM_EINPUT);
    m->hash = hash_files(m);
    *out = m;
    m = NULL;
done:
    free(path);
    sm_yaml_free(&root);
    sm_csv_free(&sup);
    sm_csv_free(&dem);
    sm_model_free(&m);
    return st;
}
