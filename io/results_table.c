/* A results file read as a table of scenarios (see results_table.h). */
#include "results_table.h"

#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../models/outcome.h"
#include "h5_util.h"

#define MAX_SOURCES 32
#define MAX_FILTERS 64
#define MAX_LONG 8

/* The dimensions whose string labels name columns and long-form indices. */
static const char *const label_dims[] = {"parameter", "region", "material", "limit",
                                         "supplier",  "period", "policy"};
#define N_LABEL_DIMS (sizeof label_dims / sizeof *label_dims)

typedef struct labels {
    char **s;
    size_t n;
} labels;

/* A per-scenario dataset that columns read from, a block of rows at a time. */
typedef struct source {
    const char *name;
    hid_t ds;
    int ndims;
    int dim[3];       /* index into label_dims of each dimension after `scenario` */
    size_t row;       /* elements per scenario */
    int used;
    double *buf;      /* the current block's rows */
} source;

typedef enum col_kind { COL_SCENARIO, COL_STATUS, COL_POLICY, COL_VALUE } col_kind;

typedef struct column {
    char *name;
    col_kind kind;
    int src;
    size_t off;       /* element within the source's row */
} column;

typedef enum op { OP_EQ, OP_NE, OP_LE, OP_GE, OP_LT, OP_GT } op;

typedef struct filter {
    size_t col;
    op op;
    double x;
    char *text;       /* status and policy: the name compared */
} filter;

struct sm_table {
    char *path;
    hid_t file;
    size_t n, step;              /* scenarios; rows per block (a chunk's) */
    labels lab[N_LABEL_DIMS];
    source src[MAX_SOURCES];
    int n_src, status_src, policy_src;
    column *col;
    size_t n_col;
    size_t *out, n_out;          /* the selected columns */
    filter flt[MAX_FILTERS];
    int n_flt;
    int long_src[MAX_LONG], n_long;
    size_t long_row;
    size_t n_cells;
    sm_table_cell *cells;
    size_t lo, hi, r, e;         /* the block [lo, hi) read; row r; element e (long) */
    hid_t complete_ds;
    uint8_t *complete;
    sm_status err;
};

static sm_status damaged(sm_table *t, sm_diag *d, const char *what)
{
    const char *why = sm_h5_last_error();
    H5Eclear2(H5E_DEFAULT);
    return t->err = sm_diag_fail(d, SM_EINPUT, "%s: damaged results file: %s cannot be read%s%s",
                                 t->path, what, *why ? ": " : "", why);
}

/* A dataset opened without HDF5's chunk cache (1 MiB per dataset by
 * default): every chunk is read once, whole, so a cache would only keep
 * up to a MiB per column of chunks never read again, a memory that grows
 * with the file. */
static hid_t open_uncached(hid_t f, const char *name)
{
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    H5Pset_chunk_cache(dapl, 0, 0, H5D_CHUNK_CACHE_W0_DEFAULT);
    hid_t ds = H5Dopen2(f, name, dapl);
    H5Pclose(dapl);
    return ds;
}

static void free_labels(labels *l)
{
    sm_h5_strings_free(l->s, l->n);
    memset(l, 0, sizeof *l);
}

/* The labels of a 1-D string dataset; 0 when it cannot be read. An absent
 * one is no labels. */
static int read_labels(hid_t f, const char *name, labels *l)
{
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0)
        return 1;
    return sm_h5_read_strings(f, name, &l->s, &l->n);
}

static int dim_index(const char *name)
{
    for (size_t k = 0; k < N_LABEL_DIMS; k++)
        if (strcmp(label_dims[k], name) == 0)
            return (int)k;
    return -1;
}

/* Open dataset name over scenario and dims (NULL-terminated names of
 * label dimensions) as a source: its index; -1 when absent and not
 * required; -2 after an error in d (missing, or not of the expected
 * shape). */
static int add_source(sm_table *t, const char *name, const char *const *dims, int required,
                      sm_diag *d)
{
    if (H5Lexists(t->file, name, H5P_DEFAULT) <= 0) {
        if (!required)
            return -1;
        t->err = sm_diag_error(d, t->path, 0, 0, "not a supplymix results file: missing %s "
                                                 "(see docs/RESULTS.md)", name);
        return -2;
    }
    source *s = &t->src[t->n_src];
    memset(s, 0, sizeof *s);
    s->name = name;
    s->row = 1;
    for (; dims && dims[s->ndims]; s->ndims++) {
        s->dim[s->ndims] = dim_index(dims[s->ndims]);
        s->row *= t->lab[s->dim[s->ndims]].n;
    }
    s->ds = open_uncached(t->file, name);
    hid_t sp = s->ds >= 0 ? H5Dget_space(s->ds) : -1;
    hsize_t shape[8] = {0};
    int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    int ok = rank == s->ndims + 1 && rank <= 8 && H5Sget_simple_extent_dims(sp, shape, NULL) >= 0 &&
             shape[0] == t->n;
    for (int k = 0; ok && k < s->ndims; k++)
        ok = shape[k + 1] == t->lab[s->dim[k]].n;
    if (sp >= 0)
        H5Sclose(sp);
    if (!ok) {
        char what[96];
        snprintf(what, sizeof what, "the header of %s (or its shape, its labels)", name);
        if (s->ds >= 0)
            H5Dclose(s->ds);
        damaged(t, d, what);
        return -2;
    }
    return t->n_src++;
}

/* One column per element of source src: prefix.LABEL[.LABEL...] (the
 * labels alone without a prefix); kind for single columns. */
static int add_columns(sm_table *t, int src, const char *prefix, col_kind kind)
{
    const source *s = &t->src[src];
    column *c = realloc(t->col, (t->n_col + s->row) * sizeof *c);
    if (!c)
        return 0;
    t->col = c;
    for (size_t e = 0; e < s->row; e++) {
        char name[512];
        size_t used = (size_t)snprintf(name, sizeof name, "%s", prefix ? prefix : "");
        size_t idx[3], q = e;
        for (int k = s->ndims - 1; k >= 0; k--) {
            idx[k] = q % t->lab[s->dim[k]].n;
            q /= t->lab[s->dim[k]].n;
        }
        for (int k = 0; k < s->ndims && used < sizeof name; k++)
            used += (size_t)snprintf(name + used, sizeof name - used, "%s%s",
                                     used ? "." : "", t->lab[s->dim[k]].s[idx[k]]);
        column *col = &t->col[t->n_col];
        if (!(col->name = strdup(name)))
            return 0;
        col->kind = kind, col->src = src, col->off = e;
        t->n_col++;
    }
    return 1;
}

static int add_scenario_column(sm_table *t)
{
    column *c = realloc(t->col, (t->n_col + 1) * sizeof *c);
    if (!c)
        return 0;
    t->col = c;
    c[t->n_col] = (column){strdup("scenario"), COL_SCENARIO, -1, 0};
    return c[t->n_col++].name != NULL;
}

/* The wide table's sources and columns, in the order of the header. */
static sm_status build_columns(sm_table *t, sm_diag *d)
{
    static const char *const none[] = {NULL}, *const param[] = {"parameter", NULL},
                             *const mat[] = {"material", NULL},
                             *const reg_mat[] = {"region", "material", NULL},
                             *const lim[] = {"limit", NULL};
    static const struct {
        const char *name, *prefix;
        const char *const *dims;
        int required;
        col_kind kind;
    } spec[] = {
        {"status", "status", none, 1, COL_STATUS},
        {"scenario_policy", "policy", none, 0, COL_POLICY},
        {"scenario_future", "future", none, 0, COL_VALUE},
        {"parameters", NULL, param, 1, COL_VALUE},
        {"total_cost", "total_cost", none, 1, COL_VALUE},
        {"cost_purchase", "cost_purchase", none, 1, COL_VALUE},
        {"cost_tariff", "cost_tariff", none, 1, COL_VALUE},
        {"cost_freight", "cost_freight", none, 1, COL_VALUE},
        {"cost_holding", "cost_holding", none, 1, COL_VALUE},
        {"cost_shortfall", "cost_shortfall", none, 1, COL_VALUE},
        {"cost_commitment", "cost_commitment", none, 0, COL_VALUE},
        {"shortfall_total", "shortfall_total", mat, 1, COL_VALUE},
        {"region_share", "region_share", reg_mat, 1, COL_VALUE},
        {"purchases_by_region", "purchases_by_region", reg_mat, 1, COL_VALUE},
        {"limit_saving_per_point", "limit_saving_per_point", lim, 1, COL_VALUE},
        {"perfect_foresight_cost", "perfect_foresight_cost", none, 0, COL_VALUE},
        {"regret", "regret", none, 0, COL_VALUE},
        /* Issue 13's summaries (absent from older files), by name, as the
         * Python reader orders what is not in its list. */
        {"limit_saving_down", "limit_saving_down", lim, 0, COL_VALUE},
        {"limit_saving_up", "limit_saving_up", lim, 0, COL_VALUE},
        {"limit_share_high", "limit_share_high", lim, 0, COL_VALUE},
        {"limit_share_low", "limit_share_low", lim, 0, COL_VALUE},
        {"relaxation_stock_target", "relaxation_stock_target", mat, 0, COL_VALUE},
    };
    if (!add_scenario_column(t))
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    for (size_t k = 0; k < sizeof spec / sizeof *spec; k++) {
        int s = add_source(t, spec[k].name, spec[k].dims, spec[k].required, d);
        if (s == -2)
            return t->err;
        if (s < 0)
            continue;
        if (spec[k].kind == COL_STATUS)
            t->status_src = s;
        if (spec[k].kind == COL_POLICY)
            t->policy_src = s;
        if (!add_columns(t, s, spec[k].prefix, spec[k].kind))
            return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    }
    t->src[t->status_src].used = 1;
    return SM_OK;
}

/* A regular file that HDF5 reads as HDF5, with what every results file
 * has (as the Python reader checks): else SM_EINPUT saying what it is. */
static sm_status open_file(sm_table *t, sm_diag *d)
{
    struct stat sb;
    if (stat(t->path, &sb) != 0)
        return sm_diag_error(d, t->path, 0, 0, "no such file");
    if (!S_ISREG(sb.st_mode))
        return sm_diag_error(d, t->path, 0, 0, "not a regular file, not a results file");
    if (H5Fis_hdf5(t->path) <= 0)
        return sm_diag_error(d, t->path, 0, 0, "not a supplymix results file: not an HDF5 file "
                                               "(a results file is written by `supplymix run "
                                               "... -o FILE.h5`)");
    if ((t->file = sm_h5_open_read_live(t->path)) < 0)
        return damaged(t, d, "its superblock (HDF5 cannot open it)");
    /* HDF5's metadata cache grows with the chunk indexes read (up to
     * 32 MiB by default: 0.8 MiB more for 1,000,000 scenarios than for
     * 10,000); a walk from first to last scenario seldom needs an index
     * page again, so a fixed 128 KiB keeps memory flat (bench_table.sh). */
    H5AC_cache_config_t mdc = {.version = H5AC__CURR_CACHE_CONFIG_VERSION};
    if (H5Fget_mdc_config(t->file, &mdc) >= 0) {
        mdc.set_initial_size = 1;
        mdc.initial_size = mdc.min_size = mdc.max_size = 1 << 17;
        mdc.incr_mode = H5C_incr__off;
        mdc.flash_incr_mode = H5C_flash_incr__off;
        mdc.decr_mode = H5C_decr__off;
        H5Fset_mdc_config(t->file, &mdc);
    }
    static const char *const attrs[] = {"n_scenarios", "grid_size", "samples"};
    for (size_t k = 0; k < 3; k++)
        if (H5Aexists(t->file, attrs[k]) <= 0)
            return sm_diag_error(d, t->path, 0, 0, "not a supplymix results file: missing root "
                                                   "attribute %s (see docs/RESULTS.md)", attrs[k]);
    static const char *const need[] = {"scenario", "complete", "parameter", "region", "material",
                                       "limit"};
    for (size_t k = 0; k < sizeof need / sizeof *need; k++)
        if (H5Lexists(t->file, need[k], H5P_DEFAULT) <= 0)
            return sm_diag_error(d, t->path, 0, 0, "not a supplymix results file: missing %s "
                                                   "(see docs/RESULTS.md)", need[k]);
    return SM_OK;
}

/* The scenario count and the rows per block (the completion marks' chunk). */
static sm_status read_geometry(sm_table *t, sm_diag *d)
{
    hid_t ds = H5Dopen2(t->file, "complete", H5P_DEFAULT);
    hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1, dcpl = ds >= 0 ? H5Dget_create_plist(ds) : -1;
    hsize_t n = 0, chunk = 0;
    int ok = sp >= 0 && dcpl >= 0 && H5Sget_simple_extent_ndims(sp) == 1 &&
             H5Sget_simple_extent_dims(sp, &n, NULL) >= 0;
    if (ok && H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_chunk(dcpl, 1, &chunk) == 1)
        t->step = (size_t)chunk;
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (sp >= 0)
        H5Sclose(sp);
    if (ds >= 0)
        H5Dclose(ds);
    if (!ok)
        return damaged(t, d, "the header of complete");
    t->n = (size_t)n;
    if ((t->complete_ds = open_uncached(t->file, "complete")) < 0)
        return damaged(t, d, "the header of complete");
    if (t->step == 0 || t->step > 65536)
        t->step = 256;
    t->complete = malloc(t->step);
    if (!t->complete)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    for (size_t k = 0; k < N_LABEL_DIMS; k++)
        if (!read_labels(t->file, label_dims[k], &t->lab[k])) {
            char what[64];
            snprintf(what, sizeof what, "the labels '%s'", label_dims[k]);
            return damaged(t, d, what);
        }
    return SM_OK;
}

sm_status sm_table_open(const char *path, sm_table **out, sm_diag *d)
{
    sm_h5_quiet();
    *out = NULL;
    sm_table *t = calloc(1, sizeof *t);
    if (!t || !(t->path = strdup(path))) {
        free(t);
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    }
    t->file = t->complete_ds = -1;
    t->policy_src = -1;
    sm_status st;
    SM_TRY(open_file(t, d));
    SM_TRY(read_geometry(t, d));
    SM_TRY(build_columns(t, d));
    *out = t;
done:
    if (st != SM_OK)
        sm_table_close(&t);
    return st;
}

void sm_table_close(sm_table **pt)
{
    sm_table *t = *pt;
    if (!t)
        return;
    for (int k = 0; k < t->n_src; k++) {
        H5Dclose(t->src[k].ds);
        free(t->src[k].buf);
    }
    for (size_t k = 0; k < N_LABEL_DIMS; k++)
        free_labels(&t->lab[k]);
    for (size_t c = 0; c < t->n_col; c++)
        free(t->col[c].name);
    for (int k = 0; k < t->n_flt; k++)
        free(t->flt[k].text);
    if (t->complete_ds >= 0)
        H5Dclose(t->complete_ds);
    if (t->file >= 0)
        H5Fclose(t->file);
    free(t->col);
    free(t->out);
    free(t->cells);
    free(t->complete);
    free(t->path);
    free(t);
    *pt = NULL;
}

size_t sm_table_n_columns(const sm_table *t)
{
    return t->n_col;
}

const char *sm_table_column_name(const sm_table *t, size_t c)
{
    return t->col[c].name;
}

static long find_column(const sm_table *t, const char *name, size_t len)
{
    for (size_t c = 0; c < t->n_col; c++)
        if (strlen(t->col[c].name) == len && memcmp(t->col[c].name, name, len) == 0)
            return (long)c;
    return -1;
}

sm_status sm_table_select(sm_table *t, const char *names, sm_diag *d)
{
    size_t cap = 1;
    for (const char *c = names; *c; c++)
        cap += *c == ',';
    free(t->out);
    t->n_out = 0;
    if (!(t->out = malloc(cap * sizeof *t->out)))
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    for (const char *s = names;; s++) {
        size_t len = strcspn(s, ",");
        long c = find_column(t, s, len);
        if (c < 0)
            return sm_diag_fail(d, SM_EINPUT, "--columns: no column '%.*s' in %s (the names "
                                              "are those of the header line `supplymix table "
                                              "FILE` writes)", (int)len, s, t->path);
        t->out[t->n_out++] = (size_t)c;
        s += len;
        if (!*s)
            break;
    }
    return SM_OK;
}

/* The operator at s: its length (0: none) and *o. */
static size_t parse_op(const char *s, op *o)
{
    static const struct {
        const char *text;
        op op;
    } ops[] = {{"<=", OP_LE}, {">=", OP_GE}, {"!=", OP_NE}, {"==", OP_EQ},
               {"=", OP_EQ},  {"<", OP_LT},  {">", OP_GT}};
    for (size_t k = 0; k < sizeof ops / sizeof *ops; k++)
        if (strncmp(s, ops[k].text, strlen(ops[k].text)) == 0) {
            *o = ops[k].op;
            return strlen(ops[k].text);
        }
    return 0;
}

/* value is one of the text column's names (a status, a policy label). */
static int known_text(const sm_table *t, col_kind kind, const char *value)
{
    if (kind == COL_STATUS) {
        for (int k = 0; k < SM_SCEN_N_STATUS; k++)
            if (strcmp(sm_scen_status_names[k], value) == 0)
                return 1;
        return 0;
    }
    const labels *l = &t->lab[dim_index("policy")];
    for (size_t k = 0; k < l->n; k++)
        if (strcmp(l->s[k], value) == 0)
            return 1;
    return 0;
}

sm_status sm_table_where(sm_table *t, const char *expr, sm_diag *d)
{
    const char *name = expr + strspn(expr, " "); /* spaces around NAME and VALUE are no part */
    size_t len = strcspn(name, "=<>!");
    filter f = {0};
    size_t oplen = parse_op(name + len, &f.op);
    char value[256];
    snprintf(value, sizeof value, "%s", name + len + oplen + strspn(name + len + oplen, " "));
    for (size_t n = strlen(value); n && value[n - 1] == ' ';)
        value[--n] = '\0';
    while (len && name[len - 1] == ' ')
        len--;
    if (!oplen || !*value)
        return sm_diag_fail(d, SM_EINPUT, "--where '%s': expected NAME OP VALUE with OP one of "
                                          "=, !=, <, <=, >, >= (e.g. share.china_cap=0.4)", expr);
    long c = find_column(t, name, len);
    if (c < 0)
        return sm_diag_fail(d, SM_EINPUT, "--where '%s': no column or parameter '%.*s' in %s",
                            expr, (int)len, name, t->path);
    if (t->n_flt == MAX_FILTERS)
        return sm_diag_fail(d, SM_EINPUT, "--where: at most %d filters", MAX_FILTERS);
    f.col = (size_t)c;
    col_kind kind = t->col[c].kind;
    if (kind == COL_STATUS || kind == COL_POLICY) {
        if (f.op != OP_EQ && f.op != OP_NE)
            return sm_diag_fail(d, SM_EINPUT, "--where '%s': %s is a name: compare it with = or "
                                              "!=", expr, t->col[c].name);
        if (!known_text(t, kind, value))
            return sm_diag_fail(d, SM_EINPUT, "--where '%s': '%s' is no %s of %s%s", expr, value,
                                t->col[c].name, t->path,
                                kind == COL_STATUS ? " (not_solved, optimal, infeasible, "
                                                     "unbounded, iteration_limit, time_limit, "
                                                     "solver_failure)" : "");
        if (!(f.text = strdup(value)))
            return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    } else {
        char *end;
        f.x = strtod(value, &end);
        if (end == value || *end)
            return sm_diag_fail(d, SM_EINPUT, "--where '%s': '%s' is not a number", expr, value);
    }
    if (t->col[c].src >= 0)
        t->src[t->col[c].src].used = 1;
    t->flt[t->n_flt++] = f;
    return SM_OK;
}

sm_status sm_table_long(sm_table *t, const char *arrays, sm_diag *d)
{
    static const char *const by_supplier[] = {"supplier", "material", "period", NULL},
                             *const by_material[] = {"material", "period", NULL},
                             *const by_limit[] = {"limit", "material", "period", NULL};
    static const struct {
        const char *name;
        const char *const *dims;
    } known[] = {{"purchases", by_supplier},   {"stock", by_material},
                 {"shortfall", by_material},   {"marginal_cost", by_material},
                 {"limit_dual", by_limit}};
    for (const char *s = arrays;; s++) {
        size_t len = strcspn(s, ","), k = 0;
        while (k < 5 && (strlen(known[k].name) != len || strncmp(known[k].name, s, len) != 0))
            k++;
        if (k == 5)
            return sm_diag_fail(d, SM_EINPUT, "--long: no per-index array '%.*s' (purchases, "
                                              "stock, shortfall, marginal_cost, limit_dual)",
                                (int)len, s);
        if (t->n_long && t->src[t->long_src[0]].dim[0] != dim_index(known[k].dims[0]))
            return sm_diag_fail(d, SM_EINPUT, "--long: %s and %s have other dimensions; write "
                                              "them in two tables", t->src[t->long_src[0]].name,
                                known[k].name);
        if (t->n_long == MAX_LONG || t->n_src == MAX_SOURCES)
            return sm_diag_fail(d, SM_EINPUT, "--long: too many arrays");
        int src = add_source(t, known[k].name, known[k].dims, 0, d);
        if (src == -1)
            return sm_diag_fail(d, SM_EINPUT, "--long: %s holds no %s (a summaries-only run: "
                                              "run without --summaries-only for per-period "
                                              "arrays)", t->path, known[k].name);
        if (src < 0)
            return t->err;
        t->src[src].used = 1;
        t->long_src[t->n_long++] = src;
        t->long_row = t->src[src].row;
        s += len;
        if (!*s)
            break;
    }
    return SM_OK;
}

/* The columns written, once select and long are done: all (wide) or the
 * scenario alone (long) when none were selected. */
static int prepare(sm_table *t)
{
    if (t->cells)
        return 1;
    if (!t->out) {
        size_t n = t->n_long ? 1 : t->n_col;
        if (!(t->out = malloc(n * sizeof *t->out)))
            return 0;
        for (size_t c = 0; c < n; c++)
            t->out[c] = c;
        t->n_out = n;
    }
    for (size_t c = 0; c < t->n_out; c++)
        if (t->col[t->out[c]].src >= 0)
            t->src[t->col[t->out[c]].src].used = 1;
    int ndims = t->n_long ? t->src[t->long_src[0]].ndims : 0;
    t->n_cells = t->n_out + (size_t)ndims + (size_t)t->n_long;
    t->cells = calloc(t->n_cells, sizeof *t->cells);
    return t->cells != NULL;
}

size_t sm_table_out_columns(sm_table *t)
{
    return prepare(t) ? t->n_cells : 0;
}

const char *sm_table_out_name(const sm_table *t, size_t c)
{
    if (c < t->n_out)
        return t->col[t->out[c]].name;
    c -= t->n_out;
    const source *s = t->n_long ? &t->src[t->long_src[0]] : NULL;
    if (s && c < (size_t)s->ndims)
        return label_dims[s->dim[c]];
    return t->src[t->long_src[c - (size_t)(s ? s->ndims : 0)]].name;
}

sm_status sm_table_error(const sm_table *t)
{
    return t->err;
}

/* Rows [t->lo, t->hi) of ds (row elements each) into buf as memtype. */
static int read_rows(sm_table *t, hid_t ds, hid_t memtype, size_t row, void *buf)
{
    hid_t fs = H5Dget_space(ds);
    int rank = fs >= 0 ? H5Sget_simple_extent_ndims(fs) : -1;
    hsize_t start[4] = {t->lo, 0, 0, 0}, count[4] = {t->hi - t->lo, 0, 0, 0}, dims[4];
    int ok = rank >= 1 && rank <= 4 && H5Sget_simple_extent_dims(fs, dims, NULL) >= 0;
    for (int k = 1; ok && k < rank; k++)
        count[k] = dims[k];
    ok = ok && H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0;
    hsize_t n = (hsize_t)(t->hi - t->lo) * row;
    hid_t ms = ok ? H5Screate_simple(1, &n, NULL) : -1;
    ok = ok && (n == 0 || H5Dread(ds, memtype, ms, fs, H5P_DEFAULT, buf) >= 0);
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    return ok;
}

static int row_complete(const sm_table *t, size_t r)
{
    const source *s = &t->src[t->status_src];
    return t->complete[r] && s->buf[r] != SM_SCEN_NOT_SOLVED;
}

/* The next block of rows: the completion marks, then (when one is
 * complete) the values of every source a column, filter or array uses.
 * Marks first: the writer writes a block's values before its marks. */
static int read_block(sm_table *t, sm_diag *d)
{
    t->lo = t->hi;
    t->hi = t->lo + t->step < t->n ? t->lo + t->step : t->n;
    t->r = t->e = 0;
    char what[160];
    int ok = read_rows(t, t->complete_ds, H5T_NATIVE_UINT8, 1, t->complete);
    const char *bad = "complete";
    int any = ok && memchr(t->complete, 1, t->hi - t->lo) != NULL;
    if (!any)
        memset(t->complete, 0, t->step);
    for (int k = 0; ok && any && k < t->n_src; k++) {
        source *s = &t->src[k];
        if (!s->used)
            continue;
        if (!s->buf && !(s->buf = malloc(t->step * (s->row ? s->row : 1) * sizeof *s->buf)))
            return (t->err = sm_diag_fail(d, SM_ENOMEM, "out of memory")), 0;
        ok = read_rows(t, s->ds, H5T_NATIVE_DOUBLE, s->row, s->buf);
        bad = s->name;
    }
    if (ok)
        return 1;
    snprintf(what, sizeof what, "%s, scenarios %zu..%zu,", bad, t->lo, t->hi - 1);
    damaged(t, d, what);
    return 0;
}

/* Column c of row r of the block. */
static sm_table_cell cell_of(const sm_table *t, size_t c, size_t r)
{
    const column *col = &t->col[c];
    if (col->kind == COL_SCENARIO)
        return (sm_table_cell){SM_CELL_NUMBER, (double)(t->lo + r), NULL};
    int done = row_complete(t, r);
    if (col->kind == COL_STATUS) {
        int code = done ? (int)t->src[col->src].buf[r] : 0;
        return (sm_table_cell){SM_CELL_TEXT, 0,
                               code >= 0 && code < SM_SCEN_N_STATUS ? sm_scen_status_names[code]
                                                                    : "unknown"};
    }
    if (!done)
        return (sm_table_cell){SM_CELL_EMPTY, 0, NULL};
    double x = t->src[col->src].buf[r * t->src[col->src].row + col->off];
    if (col->kind == COL_POLICY) {
        const labels *l = &t->lab[dim_index("policy")];
        if (!(x >= 0 && x < (double)l->n))
            return (sm_table_cell){SM_CELL_EMPTY, 0, NULL};
        return (sm_table_cell){SM_CELL_TEXT, 0, l->s[(size_t)x]};
    }
    return (sm_table_cell){SM_CELL_NUMBER, x, NULL};
}

static int compare(op o, int c)
{
    switch (o) {
    case OP_EQ: return c == 0;
    case OP_NE: return c != 0;
    case OP_LT: return c < 0;
    case OP_LE: return c <= 0;
    case OP_GT: return c > 0;
    case OP_GE: return c >= 0;
    }
    return 0;
}

/* Row r passes every filter. NaN equals nothing and is unequal to all. */
static int passes(const sm_table *t, size_t r)
{
    for (int k = 0; k < t->n_flt; k++) {
        const filter *f = &t->flt[k];
        sm_table_cell v = cell_of(t, f->col, r);
        if (v.kind == SM_CELL_EMPTY)
            return 0;
        if (v.kind == SM_CELL_TEXT && !compare(f->op, strcmp(v.text, f->text)))
            return 0;
        if (v.kind == SM_CELL_NUMBER) {
            if (isnan(v.x) && f->op != OP_NE)
                return 0;
            if (!isnan(v.x) && !compare(f->op, (v.x > f->x) - (v.x < f->x)))
                return 0;
        }
    }
    return 1;
}

/* The cells of row r (element e of the long form's arrays). */
static void fill(sm_table *t, size_t r, size_t e)
{
    for (size_t c = 0; c < t->n_out; c++)
        t->cells[c] = cell_of(t, t->out[c], r);
    if (!t->n_long)
        return;
    const source *s = &t->src[t->long_src[0]];
    size_t idx[3], q = e, at = t->n_out;
    for (int k = s->ndims - 1; k >= 0; k--) {
        idx[k] = q % t->lab[s->dim[k]].n;
        q /= t->lab[s->dim[k]].n;
    }
    for (int k = 0; k < s->ndims; k++)
        t->cells[at++] = (sm_table_cell){SM_CELL_TEXT, 0, t->lab[s->dim[k]].s[idx[k]]};
    for (int k = 0; k < t->n_long; k++)
        t->cells[at++] = (sm_table_cell){SM_CELL_NUMBER, t->src[t->long_src[k]].buf[r * t->long_row + e],
                                         NULL};
}

int sm_table_next(sm_table *t, const sm_table_cell **cells, sm_diag *d)
{
    if (!prepare(t)) {
        t->err = sm_diag_fail(d, SM_ENOMEM, "out of memory");
        return -1;
    }
    for (;;) {
        if (t->lo + t->r >= t->hi) {
            if (t->hi >= t->n)
                return 0;
            if (!read_block(t, d))
                return -1;
        }
        size_t r = t->r;
        if (!t->n_long) {
            t->r++;
            if (!passes(t, r))
                continue;
            fill(t, r, 0);
            *cells = t->cells;
            return 1;
        }
        if (t->e == 0 && (t->long_row == 0 || !row_complete(t, r) || !passes(t, r))) {
            t->r++;
            continue;
        }
        fill(t, r, t->e);
        if (++t->e == t->long_row)
            t->e = 0, t->r++;
        *cells = t->cells;
        return 1;
    }
}
