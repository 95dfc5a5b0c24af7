/* The HDF5 results writer (see results_h5.h and docs/RESULTS.md). The
 * only file of the program that includes hdf5.h. */
#define _GNU_SOURCE /* F_OFD_SETLK */
#include "results_h5.h"

#include "../core/files.h"
#include "../core/mem.h"
#include "h5_chunk.h"
#include "h5_util.h"
#include "results_verify.h"
#include "sweep_load.h"
#include "../models/blocks.h"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct sm_results {
    char *path;
    int lock_fd;             /* holds the writer's lock; -1 when none */
    hid_t file;
    hid_t var[SM_NVARS];     /* -1 when not written (summaries only) */
    hid_t complete;
    sm_results_shape shape;
    size_t n_scenarios;
    uint8_t *mask;           /* a block's completion marks */
    size_t mask_cap;
    sm_chunk_coder *z;       /* the writer's own chunks: marks, cleared blocks */
    unsigned char *plain, *scratch, *chunk;
    size_t plain_cap, scratch_cap, chunk_cap;
};

static int grow(unsigned char **buf, size_t *cap, size_t need);
static void fill_rows(unsigned char *out, size_t n, sm_vtype t);

/* Store the chunk of ds (variable k, or the completion marks when k is
 * SM_NVARS) that starts at scenario first: count rows from rows, the rest
 * the fill value. Written whole, so HDF5 never reads the chunk it
 * replaces (which may be a damaged one). */
static int put_chunk(sm_results *r, hid_t ds, size_t first, const void *rows, size_t count,
                     int k)
{
    sm_vtype t = k < SM_NVARS ? sm_vars[k].type : SM_VT_I8;
    size_t es = sm_vtype_size(t);
    size_t row = k < SM_NVARS ? sm_var_elems(&r->shape.dims, (sm_var)k) : 1;
    size_t n = r->shape.chunk_rows * row;
    if (n == 0)
        return 1;
    if (!r->z && !(r->z = sm_chunk_coder_new()))
        return 0;
    if (!grow(&r->plain, &r->plain_cap, n * es) || !grow(&r->scratch, &r->scratch_cap, n * es) ||
        !grow(&r->chunk, &r->chunk_cap, sm_chunk_bound(r->z, n * es)))
        return 0;
    if (count)
        memcpy(r->plain, rows, count * row * es);
    fill_rows(r->plain + count * row * es, n - count * row, t);
    size_t size = sm_chunk_encode(r->z, r->plain, n, es, r->scratch, r->chunk, r->chunk_cap);
    hsize_t offset[4] = {first, 0, 0, 0};
    return size > 0 && H5Dwrite_chunk(ds, H5P_DEFAULT, 0, offset, size, r->chunk) >= 0;
}

/* One line, ending with what HDF5 says went wrong at the bottom of its
 * error stack (the file system's own words, when it was a write). */
static sm_status h5fail(sm_diag *d, const char *path, const char *what)
{
    const char *why = sm_h5_last_error();
    sm_status st = sm_diag_fail(d, SM_EOUTPUT, "%s: HDF5 could not %s%s%s", path, what,
                                *why ? ": " : "", why);
    /* The failed call's stack stays in this thread until its next HDF5
     * call, which a solver thread may never make: free it now. */
    H5Eclear2(H5E_DEFAULT);
    return st;
}

/* A stop requested (a signal) while the file is being set up. */
static int stopping(const sm_results_info *info)
{
    return info->stop && atomic_load(info->stop);
}

/* ---- small writers ------------------------------------------------------ */

static int text_dataset(hid_t loc, const char *name, const char *text, const char *long_name)
{
    hid_t t = sm_h5_vlen_utf8();
    hid_t ds = sm_h5_dataset(loc, name, t, 0, NULL, 0, NULL);
    int ok = ds >= 0 && sm_h5_write_strings(ds, t, &text) &&
             sm_h5_attr_text(ds, "long_name", long_name);
    if (ds >= 0)
        H5Dclose(ds);
    H5Tclose(t);
    return ok;
}

/* ---- layout ------------------------------------------------------------- */

static void iso_time(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Days from 1970-01-01 to year-month-01 (proleptic Gregorian). */
static long days_from_epoch(int y, int m)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The LP engine a file's results come from: files made before there was
 * a choice are GLPK's. */
static const char *engine_of(const sm_results_info *info)
{
    return info->lp_engine ? info->lp_engine : "glpk";
}

/* The ratio test a file's warm re-solves used: files made before there
 * was a choice are Harris's. */
static const char *ratio_of(const sm_results_info *info)
{
    return info->warm_ratio_test ? info->warm_ratio_test : "harris";
}

static int write_root_attributes(hid_t file, const sm_results_info *info, const sm_sweep *sw)
{
    const sm_model *m = info->model;
    char when[32], host[256] = "unknown", hash[32], title[512];
    iso_time(when, sizeof when);
    if (gethostname(host, sizeof host - 1) != 0)
        strcpy(host, "unknown");
    host[sizeof host - 1] = '\0';
    snprintf(title, sizeof title, "supplymix sweep '%s' of model '%s'", sw->name, m->name);
    unsigned maj, min, rel;
    H5get_libversion(&maj, &min, &rel);
    char h5ver[32], history[1024];
    snprintf(h5ver, sizeof h5ver, "%u.%u.%u", maj, min, rel);
    snprintf(history, sizeof history, "%s: %s", when, info->command_line);
    int ok = sm_h5_attr_text(file, "title", title) && sm_h5_attr_text(file, "Conventions", "CF-1.8") &&
             sm_h5_attr_text(file, "source", "supplymix " SM_VERSION) &&
             sm_h5_attr_text(file, "history", history) &&
             sm_h5_attr_text(file, "supplymix_version", SM_VERSION) &&
             sm_h5_attr_i64(file, "results_layout_version", SM_RESULTS_LAYOUT_VERSION) &&
             sm_h5_attr_text(file, "command_line", info->command_line) &&
             sm_h5_attr_text(file, "created", when) && sm_h5_attr_text(file, "host", host) &&
             sm_h5_attr_i64(file, "threads", info->threads) && sm_h5_attr_i64(file, "ranks", info->ranks) &&
             sm_h5_attr_text(file, "hdf5_version", h5ver) && sm_h5_attr_text(file, "model_name", m->name) &&
             sm_h5_attr_text(file, "model_description", m->description) &&
             sm_h5_attr_text(file, "sweep_name", sw->name) &&
             sm_h5_attr_text(file, "sweep_description", sw->description ? sw->description : "");
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)m->hash);
    ok = ok && sm_h5_attr_text(file, "model_hash", hash);
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)sw->hash);
    ok = ok && sm_h5_attr_text(file, "sweep_hash", hash);
    ok = ok && sm_h5_attr_i64(file, "seed", (long long)sw->seed) &&
         sm_h5_attr_i64(file, "n_scenarios", (long long)sw->n_scenarios) &&
         sm_h5_attr_i64(file, "grid_size", (long long)sw->grid_size) &&
         sm_h5_attr_i64(file, "samples", (long long)sw->samples) &&
         sm_h5_attr_i64(file, "block_size", (long long)sw->block_size) &&
         sm_h5_attr_text(file, "sampling", sw->sampling == SM_SAMPLING_LHS ? "lhs" : "random") &&
         sm_h5_attr_i64(file, "summaries_only", !info->full) &&
         sm_h5_attr_i64(file, "ranging", info->ranging) &&
         sm_h5_attr_i64(file, "slice_index", info->slice_index) &&
         sm_h5_attr_i64(file, "slice_count", info->slice_count > 0 ? info->slice_count : 1) &&
         sm_h5_attr_i64(file, "iteration_limit", info->iteration_limit) &&
         sm_h5_attr_num(file, "time_limit_s", H5T_NATIVE_DOUBLE, &info->time_limit_s, 1) &&
         sm_h5_attr_text(file, "lp_engine", engine_of(info)) &&
         sm_h5_attr_text(file, "warm_ratio_test", ratio_of(info)) &&
         sm_h5_attr_text(file, "comment",
                   "Illustrative scenario analysis; model figures are public data with sources "
                   "in the model files stored under /inputs. Not a forecast.");
    return ok;
}

/* The portfolio's name and hash at the root, its content under /inputs:
 * a CSV verbatim, or the plan file's commitment as it was read. */
static int write_portfolio(hid_t file, hid_t g, const sm_portfolio *pf)
{
    char hash[32], lname[512];
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)pf->hash);
    snprintf(lname, sizeof lname, "portfolio of --portfolio (%s)", pf->file);
    int ok = sm_h5_attr_text(file, "portfolio_file", pf->file) &&
             sm_h5_attr_text(file, "portfolio_hash", hash) &&
             sm_h5_attr_i64(file, "portfolio_policy", pf->policy);
    if (ok && pf->text)
        return text_dataset(g, "portfolio_file", pf->text, lname);
    hsize_t dims[4];
    for (int i = 0; i < 4; i++)
        dims[i] = pf->commitment_dims[i];
    hid_t ds = ok ? sm_h5_dataset(g, "portfolio_commitment", H5T_NATIVE_DOUBLE, 4, dims, dims[0],
                                 NULL)
                  : -1;
    ok = ds >= 0 &&
         H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, pf->commitment) >= 0 &&
         sm_h5_describe(ds, "t", lname) &&
         sm_h5_attr_text(ds, "dimensions", "policy supplier material period");
    if (ds >= 0)
        H5Dclose(ds);
    return ok;
}

static int write_inputs(hid_t file, const sm_results_info *info)
{
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    hid_t g = H5Gcreate2(file, "inputs", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    if (g < 0)
        return 0;
    int ok = sm_h5_attr_text(g, "long_name", "the input files of this run, verbatim");
    const sm_model *m = info->model;
    for (int i = 0; i < m->n_files && ok; i++) {
        char name[64], lname[512];
        snprintf(name, sizeof name, "%s_file", m->files[i].role);
        snprintf(lname, sizeof lname, "model input '%s' (%s)", m->files[i].role, m->files[i].name);
        ok = text_dataset(g, name, m->files[i].text, lname);
    }
    if (ok) {
        char lname[512];
        snprintf(lname, sizeof lname, "sweep file (%s)", info->sweep->file);
        ok = text_dataset(g, "sweep_file", info->sweep->text, lname);
    }
    if (ok && info->portfolio)
        ok = write_portfolio(file, g, info->portfolio);
    H5Gclose(g);
    return ok;
}

typedef struct coords {
    hid_t scale[SM_DIM_COUNT];
    hid_t scenario;
} coords;

/* A numeric variable over existing dimension scales, written whole. */
static int numeric_var(hid_t file, const char *name, int rank, const hsize_t *dims,
                       const hid_t *scales, const double *values, const char *units,
                       const char *long_name)
{
    hid_t ds = sm_h5_dataset(file, name, H5T_NATIVE_DOUBLE, rank, dims, dims[0] ? dims[0] : 1, NULL);
    int ok = ds >= 0 && (dims[0] == 0 ||
                         H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) >= 0);
    for (int i = 0; ok && i < rank; i++)
        ok = H5DSattach_scale(ds, scales[i], (unsigned)i) >= 0;
    ok = ok && sm_h5_describe(ds, units, long_name);
    if (ds >= 0)
        H5Dclose(ds);
    return ok;
}

/* The base case beside the sweep: each parameter's base value, each
 * limit's share and the demand, so figures can mark the base case and put
 * shortfall against demand. */
static int write_base_values(hid_t file, const sm_results_info *info, const coords *c)
{
    const sm_model *m = info->model;
    const sm_sweep *sw = info->sweep;
    size_t n = (size_t)sw->n_params + (size_t)m->n_limits +
               (size_t)m->n_materials * (size_t)m->n_periods + 1;
    double *v = malloc(n * sizeof *v);
    if (!v)
        return 0;
    for (int i = 0; i < sw->n_params; i++)
        v[i] = sm_param_base_value(m, &sw->params[i].target);
    hsize_t dp[1] = {(hsize_t)sw->n_params};
    int ok = numeric_var(file, "parameter_base", 1, dp, &c->scale[SM_DIM_PARAMETER], v, "1",
                         "the parameter's value in the model's base case (units: "
                         "parameter_units)");
    for (int k = 0; k < m->n_limits; k++)
        v[k] = m->limits[k].share;
    hsize_t dl[1] = {(hsize_t)m->n_limits};
    ok = ok && numeric_var(file, "limit_share_base", 1, dl, &c->scale[SM_DIM_LIMIT], v, "1",
                           "the limit's share of demand in the model's base case");
    size_t T = (size_t)m->n_periods;
    for (int mat = 0; mat < m->n_materials; mat++)
        for (size_t t = 0; t < T; t++)
            v[(size_t)mat * T + t] = sm_model_demand(m, mat, (int)t);
    hsize_t dd[2] = {(hsize_t)m->n_materials, T};
    hid_t sd[2] = {c->scale[SM_DIM_MATERIAL], c->scale[SM_DIM_PERIOD]};
    ok = ok && numeric_var(file, "demand_base", 2, dd, sd, v, "t",
                           "demand per period in the model's base case (demand parameters "
                           "scale it per scenario)");
    free(v);
    return ok;
}

/* The dimension scales with their string labels. labels has room for the
 * longest dimension; period_labels for the periods. */
static int write_scales(hid_t file, const sm_results_info *info, coords *c, const char **labels,
                        char (*period_labels)[32])
{
    const sm_model *m = info->model;
    const sm_sweep *sw = info->sweep;
    for (int i = 0; i < m->n_suppliers; i++)
        labels[i] = m->suppliers[i].name;
    c->scale[SM_DIM_SUPPLIER] = sm_h5_string_coord(file, "supplier", labels, (size_t)m->n_suppliers,
                                             "supplier (mine, refinery, recycler or trader)");
    for (int i = 0; i < m->n_regions; i++)
        labels[i] = m->regions[i].name;
    c->scale[SM_DIM_REGION] = sm_h5_string_coord(file, "region", labels, (size_t)m->n_regions, "region");
    for (int i = 0; i < m->n_materials; i++)
        labels[i] = m->materials[i].name;
    c->scale[SM_DIM_MATERIAL] = sm_h5_string_coord(file, "material", labels, (size_t)m->n_materials,
                                             "material");
    for (int t = 0; t < m->n_periods; t++) {
        sm_period_label(m, t + 1, period_labels[t], sizeof period_labels[t]);
        labels[t] = period_labels[t];
    }
    c->scale[SM_DIM_PERIOD] = sm_h5_string_coord(file, "period", labels, (size_t)m->n_periods,
                                           "planning period");
    for (int i = 0; i < m->n_limits; i++)
        labels[i] = m->limits[i].name;
    c->scale[SM_DIM_LIMIT] = sm_h5_string_coord(file, "limit", labels, (size_t)m->n_limits,
                                          "dependency limit (cap or floor)");
    for (int i = 0; i < sw->n_params; i++)
        labels[i] = sw->params[i].name;
    c->scale[SM_DIM_PARAMETER] = sm_h5_string_coord(file, "parameter", labels, (size_t)sw->n_params,
                                              "swept scenario parameter");
    int ok = 1;
    for (int i = 0; i < SM_DIM_COUNT; i++)
        ok = ok && c->scale[i] >= 0;
    return ok;
}

/* scenario: the sweep's own numbering, written once here, in pieces (the
 * part of the set-up that grows with the sweep, so a stop is honoured
 * between pieces). */
/* Values along the scenario dimension (8 bytes each, of HDF5 type
 * type), made and written in pieces so memory does not grow with the
 * sweep: make(info, first, count, buf) fills a piece. */
typedef void (*piece_fn)(const sm_results_info *info, hsize_t first, hsize_t count, void *buf);

static int write_in_pieces(hid_t ds, hid_t type, const sm_results_info *info, piece_fn make)
{
    const hsize_t step = 1u << 17, n = info->sweep->n_scenarios;
    void *buf = malloc(step * 8);
    int ok = buf != NULL;
    for (hsize_t s = 0; ok && s < n && !stopping(info); s += step) {
        hsize_t cnt = n - s < step ? n - s : step;
        make(info, s, cnt, buf);
        hid_t fs = H5Dget_space(ds), ms = H5Screate_simple(1, &cnt, NULL);
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, &s, NULL, &cnt, NULL);
        ok = H5Dwrite(ds, type, ms, fs, H5P_DEFAULT, buf) >= 0;
        H5Sclose(ms);
        H5Sclose(fs);
    }
    free(buf);
    return ok;
}

static void scenario_numbers(const sm_results_info *info, hsize_t first, hsize_t count, void *buf)
{
    (void)info;
    for (hsize_t k = 0; k < count; k++)
        ((long long *)buf)[k] = (long long)(first + k);
}

static int write_scenario_numbers(hid_t file, const sm_results_info *info, coords *c)
{
    hsize_t n = info->sweep->n_scenarios;
    long long none = -1;
    c->scenario = sm_h5_dataset(file, "scenario", H5T_NATIVE_LLONG, 1, &n, 1u << 17, &none);
    int ok = c->scenario >= 0 && H5DSset_scale(c->scenario, "scenario") >= 0 &&
             sm_h5_describe(c->scenario, "1", "scenario number in the sweep's numbering");
    return ok && write_in_pieces(c->scenario, H5T_NATIVE_LLONG, info, scenario_numbers);
}

/* A given portfolio's fees, paid in every scenario: known before any
 * solve, so written whole at set-up. */
static void scenario_fees(const sm_results_info *info, hsize_t first, hsize_t count, void *buf)
{
    const sm_portfolio *pf = info->portfolio;
    for (hsize_t k = 0; k < count; k++)
        ((double *)buf)[k] = pf->fees[sm_portfolio_policy_of(pf, info->sweep, first + k)];
}

static int write_cost_commitment(hid_t file, const sm_results_info *info, const coords *c)
{
    hsize_t n = info->sweep->n_scenarios;
    double nan = NAN;
    hid_t ds = sm_h5_dataset(file, "cost_commitment", H5T_NATIVE_DOUBLE, 1, &n, 1u << 17, &nan);
    int ok = ds >= 0 &&
             sm_h5_describe(ds, "USD", "commitment fees of the given portfolio (--portfolio), paid "
                                 "whatever is delivered: a part of total_cost") &&
             H5DSattach_scale(ds, c->scenario, 0) >= 0 &&
             write_in_pieces(ds, H5T_NATIVE_DOUBLE, info, scenario_fees);
    if (ds >= 0)
        H5Dclose(ds);
    return ok;
}

/* Auxiliary labels along the dimensions. */
static int write_aux_labels(hid_t file, const sm_results_info *info, const coords *c,
                            const char **labels)
{
    const sm_model *m = info->model;
    const sm_sweep *sw = info->sweep;
    for (int i = 0; i < m->n_suppliers; i++)
        labels[i] = m->regions[m->suppliers[i].region].name;
    int ok = sm_h5_string_var(file, "supplier_region", labels, (size_t)m->n_suppliers,
                        c->scale[SM_DIM_SUPPLIER], "region the supplier belongs to");
    for (int i = 0; i < m->n_limits; i++)
        labels[i] = m->limits[i].kind == SM_LIMIT_CAP ? "cap" : "floor";
    ok = ok && sm_h5_string_var(file, "limit_kind", labels, (size_t)m->n_limits,
                          c->scale[SM_DIM_LIMIT], "cap (at most) or floor (at least)");
    for (int i = 0; i < sw->n_params; i++)
        labels[i] = sw->params[i].domain.units;
    ok = ok && sm_h5_string_var(file, "parameter_units", labels, (size_t)sw->n_params,
                          c->scale[SM_DIM_PARAMETER], "units of the parameter's values");
    for (int i = 0; i < sw->n_params; i++)
        labels[i] = sw->params[i].domain.meaning;
    ok = ok && sm_h5_string_var(file, "parameter_meaning", labels, (size_t)sw->n_params,
                          c->scale[SM_DIM_PARAMETER], "what the parameter moves");
    for (int i = 0; i < sw->n_params; i++)
        labels[i] = sw->params[i].axis == SM_AXIS_GRID ? "grid" : "random";
    ok = ok && sm_h5_string_var(file, "parameter_kind", labels, (size_t)sw->n_params,
                          c->scale[SM_DIM_PARAMETER],
                          "grid (listed or evenly spaced values) or random (sampled)");
    /* Which regions each limit covers, as "China" or "China+USA". */
    char(*groups)[256] = calloc((size_t)m->n_limits + 1, sizeof *groups);
    ok = ok && groups != NULL;
    for (int i = 0; ok && i < m->n_limits; i++) {
        size_t used = 0;
        for (int g = 0; g < m->n_regions; g++)
            if (m->limits[i].in_region[g] && used < sizeof groups[i])
                used += (size_t)snprintf(groups[i] + used, sizeof groups[i] - used, "%s%s",
                                         used ? "+" : "", m->regions[g].name);
        labels[i] = groups[i];
    }
    ok = ok && sm_h5_string_var(file, "limit_regions", labels, (size_t)m->n_limits,
                          c->scale[SM_DIM_LIMIT], "regions the limit covers, joined by '+'");
    free(groups);
    return ok;
}

/* Period starts: days since the epoch (CF time, decoded by xarray), or
 * month offsets when the model has no calendar. */
static int write_period_start(hid_t file, const sm_model *m, const coords *c)
{
    int32_t *start = malloc(((size_t)m->n_periods + 1) * sizeof *start);
    if (!start)
        return 0;
    for (int t = 0; t < m->n_periods; t++) {
        int months = sm_period_offset_months(m, t + 1);
        if (m->first_year > 0) {
            int mm = m->first_month - 1 + months;
            start[t] = (int32_t)days_from_epoch(m->first_year + mm / 12, mm % 12 + 1);
        } else {
            start[t] = months;
        }
    }
    hsize_t T = (hsize_t)m->n_periods;
    hid_t ds = sm_h5_dataset(file, "period_start", H5T_NATIVE_INT32, 1, &T, T, NULL);
    int ok = ds >= 0 && H5Dwrite(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, start) >= 0 &&
             H5DSattach_scale(ds, c->scale[SM_DIM_PERIOD], 0) >= 0;
    if (ok && m->first_year > 0)
        ok = sm_h5_describe(ds, "days since 1970-01-01", "start of the period") &&
             sm_h5_attr_text(ds, "calendar", "proleptic_gregorian");
    else if (ok)
        ok = sm_h5_describe(ds, "months", "months from the start of the first period");
    int32_t months = m->period_months;
    ok = ok && sm_h5_attr_num(ds, "period_length_months", H5T_NATIVE_INT32, &months, 1);
    if (ds >= 0)
        H5Dclose(ds);
    free(start);
    return ok;
}

/* The sweep's target rank correlations beside those its sample achieves
 * (Spearman over the S futures, models/correlate.c), along a dimension
 * `correlation` of the pairs as the file lists them; nothing when the
 * sweep has no correlations. */
static int write_rank_correlations(hid_t file, const sm_sweep *sw)
{
    if (sw->n_corr == 0)
        return 1;
    size_t n = (size_t)sw->n_corr, K = (size_t)sw->n_params;
    char(*text)[2 * 96 + 4] = calloc(n, sizeof *text);
    const char **labels = calloc(n, sizeof *labels);
    double *target = malloc(n * sizeof *target), *achieved = malloc(n * sizeof *achieved);
    int ok = text && labels && target && achieved;
    for (size_t k = 0; ok && k < n; k++) {
        size_t a = (size_t)sw->corr[k].a, b = (size_t)sw->corr[k].b;
        snprintf(text[k], sizeof text[k], "%s ~ %s", sw->params[a].name, sw->params[b].name);
        labels[k] = text[k];
        target[k] = sw->corr[k].rho;
        achieved[k] = sw->rank_achieved[a * K + b];
    }
    hid_t scale = ok ? sm_h5_string_coord(file, "correlation", labels, n,
                                          "pair of random parameters with a target rank "
                                          "correlation (first ~ second)")
                     : -1;
    hsize_t dims[1] = {n};
    ok = ok && scale >= 0 &&
         numeric_var(file, "rank_correlation_target", 1, dims, &scale, target, "1",
                     "target Spearman rank correlation of the pair, as the sweep file states "
                     "it") &&
         numeric_var(file, "rank_correlation", 1, dims, &scale, achieved, "1",
                     "achieved Spearman rank correlation of the pair's values over the sweep's "
                     "random futures (Iman-Conover)");
    if (scale >= 0)
        H5Dclose(scale);
    free(text);
    free(labels);
    free(target);
    free(achieved);
    return ok;
}

static int write_coordinates(hid_t file, const sm_results_info *info, coords *c)
{
    const sm_model *m = info->model;
    const sm_sweep *sw = info->sweep;
    size_t nmax = (size_t)m->n_suppliers + m->n_regions + m->n_materials + m->n_periods +
                  m->n_limits + sw->n_params + 1;
    const char **labels = calloc(nmax, sizeof *labels);
    char(*period_labels)[32] = calloc((size_t)m->n_periods + 1, sizeof *period_labels);
    int ok = labels && period_labels && write_scales(file, info, c, labels, period_labels) &&
             write_scenario_numbers(file, info, c) &&
             (!info->portfolio || write_cost_commitment(file, info, c)) &&
             write_aux_labels(file, info, c, labels) &&
             write_base_values(file, info, c) && write_period_start(file, m, c) &&
             write_rank_correlations(file, sw);
    free(labels);
    free(period_labels);
    return ok;
}

static int create_variables(sm_results *r, const sm_results_info *info, const coords *c)
{
    size_t block = info->sweep->block_size;
    double nan = NAN;
    for (int v = 0; v < SM_NVARS; v++) {
        r->var[v] = -1;
        const sm_var_desc *vd = &sm_vars[v];
        if (vd->full_only && !r->shape.full)
            continue;
        hsize_t dims[4] = {r->n_scenarios};
        for (int k = 0; k < vd->ndims; k++)
            dims[k + 1] = (hsize_t)r->shape.dims.n[vd->dims[k]];
        hid_t type = sm_h5_vtype(vd->type);
        hid_t ds = sm_h5_dataset(r->file, vd->name, type, vd->ndims + 1, dims, block,
                                vd->type == SM_VT_F64 ? &nan : NULL);
        if (ds < 0)
            return 0;
        r->var[v] = ds;
        int ok = sm_h5_describe(ds, vd->units, vd->long_name) &&
                 H5DSattach_scale(ds, c->scenario, 0) >= 0;
        /* The fill value as an attribute too: netCDF readers look for it there. */
        if (ok && vd->type == SM_VT_F64)
            ok = sm_h5_attr_num(ds, "_FillValue", H5T_NATIVE_DOUBLE, &nan, 1);
        for (int k = 0; k < vd->ndims && ok; k++)
            ok = H5DSattach_scale(ds, c->scale[vd->dims[k]], (unsigned)k + 1) >= 0;
        if (ok && v == SM_V_STATUS)
            ok = sm_h5_attr_flags(ds, sm_scen_status_names, SM_SCEN_N_STATUS);
        if (ok && sm_vars[v].timing)
            ok = sm_h5_attr_text(ds, "comment", "wall-clock time: differs between identical runs");
        if (!ok)
            return 0;
    }
    hsize_t n = r->n_scenarios;
    r->complete = sm_h5_dataset(r->file, "complete", H5T_NATIVE_UINT8, 1, &n, block, NULL);
    return r->complete >= 0 &&
           sm_h5_describe(r->complete, "1", "1 when the scenario's results are in this file") &&
           H5DSattach_scale(r->complete, c->scenario, 0) >= 0;
}

static void close_all(sm_results *r)
{
    for (int v = 0; v < SM_NVARS; v++)
        if (r->var[v] >= 0)
            H5Dclose(r->var[v]);
    if (r->complete >= 0)
        H5Dclose(r->complete);
    if (r->file >= 0)
        H5Fclose(r->file);
    if (r->lock_fd >= 0)
        close(r->lock_fd);
    sm_chunk_coder_free(r->z);
    free(r->plain);
    free(r->scratch);
    free(r->chunk);
    free(r->mask);
    free(r->path);
    free(r);
}

/* A new, empty sm_results for path; NULL when out of memory. */
static sm_results *results_new(const char *path, const sm_results_info *info)
{
    sm_results *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->file = r->complete = -1;
    r->lock_fd = -1;
    for (int v = 0; v < SM_NVARS; v++)
        r->var[v] = -1;
    r->n_scenarios = info->sweep->n_scenarios;
    r->shape = sm_results_shape_of(info);
    if (!(r->path = strdup(path))) {
        free(r);
        return NULL;
    }
    return r;
}

/* The file at tmp, created empty, in the 1.10 format single-writer mode needs. */
static hid_t create_file(const char *tmp, int rewritten)
{
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    if (rewritten)
        H5Pset_file_space_strategy(fcpl, H5F_FSPACE_STRATEGY_FSM_AGGR, 1, 1);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110);
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl, fapl);
    H5Pclose(fcpl);
    H5Pclose(fapl);
    return f;
}

static sm_status interrupted_setup(const char *path, sm_diag *d)
{
    return sm_diag_fail_at(d, SM_EINTERRUPTED, path, "interrupted while the results file was "
                                                     "being set up; nothing was written");
}

/* Everything but the results, then single-writer mode; a stop request is
 * honoured between the phases (and inside the scenario numbering, the one
 * that grows with the sweep). */
/* Whether the costs are present values (MODEL.md "Money over time"): the
 * model's annual discount_rate and the date they are valued at; a swept
 * discount.rate replaces the rate scenario by scenario. */
static int write_cost_basis(hid_t file, const sm_model *m)
{
    char basis[256], first[32];
    sm_period_label(m, 1, first, sizeof first);
    if (m->discount_rate > 0.0)
        snprintf(basis, sizeof basis, "present values at the start of %s, discounted at %g a "
                 "year (discount_rate; a swept discount.rate replaces it)", first,
                 m->discount_rate);
    else
        snprintf(basis, sizeof basis, "undiscounted sums over the horizon (discount_rate 0; a "
                 "swept discount.rate makes them present values at the start of %s)", first);
    return sm_h5_attr_num(file, "discount_rate", H5T_NATIVE_DOUBLE, &m->discount_rate, 1) &&
           sm_h5_attr_text(file, "cost_basis", basis);
}

static sm_status fill_file(sm_results *r, const sm_results_info *info, const char *path,
                           sm_diag *d)
{
    coords c;
    for (int i = 0; i < SM_DIM_COUNT; i++)
        c.scale[i] = -1;
    c.scenario = -1;
    sm_status st = SM_OK;
    if (!write_root_attributes(r->file, info, info->sweep) ||
        !write_cost_basis(r->file, info->model))
        SM_TRY(h5fail(d, path, "write the file's attributes"));
    int ok = write_coordinates(r->file, info, &c);
    if (stopping(info))
        SM_TRY(interrupted_setup(path, d));
    if (!ok)
        SM_TRY(h5fail(d, path, "write the coordinates and labels"));
    if (!create_variables(r, info, &c))
        SM_TRY(h5fail(d, path, "create the result variables"));
    if (!write_inputs(r->file, info))
        SM_TRY(h5fail(d, path, "store the input files"));
    if (H5Fflush(r->file, H5F_SCOPE_GLOBAL) < 0 || H5Fstart_swmr_write(r->file) < 0)
        SM_TRY(h5fail(d, path, "start single-writer mode"));
    if (stopping(info))
        SM_TRY(interrupted_setup(path, d));
done:
    for (int i = 0; i < SM_DIM_COUNT; i++)
        if (c.scale[i] >= 0)
            H5Dclose(c.scale[i]);
    if (c.scenario >= 0)
        H5Dclose(c.scenario);
    return st;
}

sm_status sm_results_may_create(const char *path, int force, sm_diag *d)
{
    struct stat sb;
    if (!force && lstat(path, &sb) == 0)
        return sm_diag_error(d, path, 0, 0,
                             "exists; give --force to replace it, or --resume to continue it");
    if (force && lstat(path, &sb) == 0) {
        /* Replace it only when nobody is writing it. */
        int fd = sm_h5_writer_lock(path, d);
        if (fd < 0)
            return SM_EINPUT;
        close(fd);
    }
    return SM_OK;
}

sm_status sm_results_create(const char *path, const sm_results_info *info, int force,
                            sm_results **out, sm_diag *d)
{
    *out = NULL;
    sm_h5_quiet(); /* our messages, not HDF5's stack dumps */
    sm_status st = sm_results_may_create(path, force, d);
    if (st != SM_OK)
        return st;
    sm_results *r = results_new(path, info);
    if (!r)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    /* Built under a temporary name and put in place only once it is in
     * single-writer mode: a kill during the set-up (seconds, for the
     * coordinates of a hundred million scenarios) leaves no half-made
     * results file behind, only the temporary. */
    char *tmp = sm_partial_name(path);
    r->file = tmp ? create_file(tmp, info->rewritten) : -1;
    if (r->file < 0) {
        const char *why = sm_h5_last_error();
        st = sm_diag_fail_at(d, SM_EOUTPUT, path, "cannot create the results file%s%s",
                             *why ? ": " : " (directory missing or not writable?)", why);
        goto done;
    }
    if ((r->lock_fd = sm_h5_writer_lock(tmp, d)) < 0)
        SM_TRY(SM_EINPUT);
    SM_TRY(fill_file(r, info, path, d));
    /* With --force the old file is replaced in one step (it stays whole
     * until then); without, a file that appeared meanwhile is never. */
    int e = sm_put_in_place(tmp, path, force);
    if (e)
        SM_TRY(sm_diag_fail_at(d, SM_EOUTPUT, path,
                               e == EEXIST ? "appeared while the run was being set up; not "
                                             "replaced"
                                           : "cannot put the results file in place: %s",
                               strerror(e)));
    *out = r;
    r = NULL;
done:
    if (r) {
        close_all(r);
        if (tmp)
            unlink(tmp); /* a half-made file is worse than none */
        /* The failed calls' stack stays in this thread (the engine's
         * writer, which makes no more HDF5 calls): free it now. */
        H5Eclear2(H5E_DEFAULT);
    }
    free(tmp);
    return st;
}

static int write_rows(hid_t ds, hid_t type, size_t first, size_t count, const void *data)
{
    hid_t fs = H5Dget_space(ds);
    int rank = H5Sget_simple_extent_ndims(fs);
    hsize_t dims[4], start[4] = {0}, cnt[4];
    H5Sget_simple_extent_dims(fs, dims, NULL);
    start[0] = first;
    cnt[0] = count;
    hsize_t total = count;
    for (int i = 1; i < rank; i++) {
        cnt[i] = dims[i];
        total *= dims[i];
    }
    int ok = 1;
    if (total > 0) {
        hid_t ms = H5Screate_simple(rank, cnt, NULL);
        ok = H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, cnt, NULL) >= 0 &&
             H5Dwrite(ds, type, ms, fs, H5P_DEFAULT, data) >= 0;
        H5Sclose(ms);
    }
    H5Sclose(fs);
    return ok;
}

/* ---- resuming ----------------------------------------------------------- */

/* After a repair: every block marked complete must read back, or the
 * file is reported as holding lost scenarios (by range). */
static sm_status check_after_repair(const char *path, sm_diag *d)
{
    hid_t f = sm_h5_open_read(path);
    if (f < 0)
        return sm_diag_error(d, path, 0, 0, "its single-writer marks are cleared, but it "
                                            "still cannot be opened: damaged beyond repair");
    sm_verify_report v;
    sm_status st = sm_results_verify(f, path, 0, (size_t)-1, &v, d);
    H5Fclose(f);
    if (st != SM_OK)
        return st;
    char ranges[512] = "", stale[512] = "";
    sm_verify_ranges(&v, v.bad, v.n_bad, ranges, sizeof ranges);
    sm_verify_ranges(&v, v.stale, v.n_stale, stale, sizeof stale);
    if (v.n_bad)
        st = sm_diag_error(d, path, 0, 0, "its single-writer marks are cleared, but scenarios "
                                          "%s marked complete are damaged (a chunk checksum "
                                          "fails, or the file was cut short): their results "
                                          "are lost", ranges);
    if (v.n_stale)
        st = sm_diag_error(d, path, 0, 0, "unfinished scenarios %s hold damaged chunks that "
                                          "readers fail on (nothing complete is lost there; "
                                          "`run --resume` rewrites them)", stale);
    if (v.damaged[0])
        st = sm_diag_error(d, path, 0, 0, "'%s' is damaged (a checksum fails, or the file was "
                                          "cut short)", v.damaged);
    sm_verify_report_free(&v);
    return st;
}

sm_status sm_results_repair(const char *path, sm_diag *d)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (H5Fis_hdf5(path) <= 0)
        return sm_diag_error(d, path, 0, 0, "is not an HDF5 file (or cannot be read)");
    int fd = sm_h5_writer_lock(path, d);
    if (fd < 0)
        return SM_EINPUT;
    sm_status st = SM_OK;
    if (!sm_h5_repair_after_kill(path))
        st = sm_diag_error(d, path, 0, 0, "could not be repaired (not written by supplymix, or "
                                          "damaged beyond its single-writer marks?)");
    else
        st = check_after_repair(path, d);
    close(fd);
    return st;
}

/* run --ranging fills four datasets a run without it leaves NaN: a resumed
 * run must do as the file's first run did (files made before the option
 * have no attribute and no ranging). */
static int same_ranging(hid_t f, const char *path, const sm_results_info *info, sm_diag *d)
{
    long long ranging = 0;
    sm_h5_read_attr_i64(f, "ranging", &ranging);
    if ((ranging != 0) == (info->ranging != 0))
        return 1;
    sm_diag_error(d, path, 0, 0, "was made %s --ranging; resume it %s --ranging",
                  ranging ? "with" : "without", ranging ? "with" : "without");
    return 0;
}

/* A file of `run --portfolio` continues only with the same portfolio
 * (its content hash), and a plain run's only without one. */
/* Whether the file's text attribute `name` (old_default when a file of
 * an older supplymix has none) is the run's; else an error naming the
 * option to resume with. */
static int same_setting(hid_t f, const char *path, const char *name, const char *old_default,
                        const char *given, const char *option, sm_diag *d)
{
    char made[32];
    if (!sm_h5_read_attr_text(f, name, made, sizeof made))
        snprintf(made, sizeof made, "%s", old_default);
    if (strcmp(made, given) == 0)
        return 1;
    sm_diag_error(d, path, 0, 0, "was made with %s %s; resume with %s %s (given: %s)", option,
                  made, option, made, given);
    return 0;
}

static int same_portfolio(hid_t f, const char *path, const sm_results_info *info, sm_diag *d)
{
    char had[64] = "", file[1024] = "", want[32] = "";
    sm_h5_read_attr_text(f, "portfolio_hash", had, sizeof had);
    sm_h5_read_attr_text(f, "portfolio_file", file, sizeof file);
    if (info->portfolio)
        snprintf(want, sizeof want, "%016llx", (unsigned long long)info->portfolio->hash);
    if (!strcmp(had, want))
        return 1;
    if (!info->portfolio)
        sm_diag_error(d, path, 0, 0, "was made with --portfolio %s (content hash %s): resume it "
                      "with the same portfolio", file, had);
    else if (!had[0])
        sm_diag_error(d, path, 0, 0, "was made without --portfolio: --resume cannot add one "
                      "(%s)", info->portfolio->file);
    else
        sm_diag_error(d, path, 0, 0, "was made with portfolio %s (content hash %s), not with "
                      "%s (%s): --resume only continues a file with the same portfolio", file,
                      had, info->portfolio->file, want);
    return 0;
}

/* The file must be of this run: same model, sweep, layout, slice and
 * limits (limits change what a solve yields when reached). */
sm_status sm_results_check_identity(hid_t f, const char *path, sm_results_info *info,
                                    int version_wanted, sm_diag *d)
{
    long long version = 0, n = 0, summaries = 0;
    char model_hash[64], sweep_hash[64], model_name[256], sweep_name[256], want[32];
    if (!sm_h5_read_attr_i64(f, "results_layout_version", &version) ||
        !sm_h5_read_attr_text(f, "model_hash", model_hash, sizeof model_hash) ||
        !sm_h5_read_attr_text(f, "sweep_hash", sweep_hash, sizeof sweep_hash) ||
        !sm_h5_read_attr_i64(f, "n_scenarios", &n))
        return sm_diag_error(d, path, 0, 0, "is damaged, or not a supplymix results file (its "
                                            "root attributes results_layout_version, model_hash, "
                                            "sweep_hash, n_scenarios do not read)");
    /* Text attributes live in HDF5's global heap, which has no checksum. */
    if (strlen(model_hash) != 16 || strlen(sweep_hash) != 16)
        return sm_diag_error(d, path, 0, 0, "is damaged: its model_hash and sweep_hash "
                                            "attributes do not read back, so it cannot be told "
                                            "to be of this run; start again with --force");
    sm_h5_read_attr_text(f, "model_name", model_name, sizeof model_name);
    sm_h5_read_attr_text(f, "sweep_name", sweep_name, sizeof sweep_name);
    sm_h5_read_attr_i64(f, "summaries_only", &summaries);
    if (version != version_wanted)
        return sm_diag_error(d, path, 0, 0, "has results layout version %lld; this supplymix "
                                            "writes version %d and cannot continue it",
                             version, version_wanted);
    snprintf(want, sizeof want, "%016llx", (unsigned long long)info->model->hash);
    if (strcmp(want, model_hash) != 0)
        return sm_diag_error(d, path, 0, 0, "was made from model '%s' (content hash %s), not "
                                            "from this model '%s' (%s): --resume only continues a "
                                            "file made from the same model and sweep",
                             model_name, model_hash, info->model->name, want);
    snprintf(want, sizeof want, "%016llx", (unsigned long long)info->sweep->hash);
    if (strcmp(want, sweep_hash) != 0 || (size_t)n != info->sweep->n_scenarios)
        return sm_diag_error(d, path, 0, 0, "was made from sweep '%s' (content hash %s), not "
                                            "from this sweep '%s' (%s): --resume only continues a "
                                            "file made from the same model and sweep",
                             sweep_name, sweep_hash, info->sweep->name, want);
    long long slice_index = 0, slice_count = 1;
    sm_h5_read_attr_i64(f, "slice_index", &slice_index);
    sm_h5_read_attr_i64(f, "slice_count", &slice_count);
    int want_count = info->slice_count > 0 ? info->slice_count : 1;
    if (slice_index != info->slice_index || slice_count != want_count)
        return sm_diag_error(d, path, 0, 0, "holds slice %lld of %lld, not slice %d of %d: resume "
                                            "a shard with the --slice it was started with",
                             slice_index, slice_count, info->slice_index, want_count);
    long long it_lim = info->iteration_limit;
    double tm_lim = info->time_limit_s;
    sm_h5_read_attr_i64(f, "iteration_limit", &it_lim);
    sm_h5_read_attr_f64(f, "time_limit_s", &tm_lim);
    if (it_lim != info->iteration_limit || tm_lim != info->time_limit_s)
        return sm_diag_error(d, path, 0, 0, "was made with --iteration-limit %lld and --time-limit "
                                            "%g; resume with the same limits (given: %d and %g)",
                             it_lim, tm_lim, info->iteration_limit, info->time_limit_s);
    if (!same_setting(f, path, "lp_engine", "glpk", engine_of(info), "--lp-engine", d) ||
        !same_setting(f, path, "warm_ratio_test", "harris", ratio_of(info), "--ratio-test", d))
        return SM_EINPUT;
    if (!same_portfolio(f, path, info, d) || !same_ranging(f, path, info, d))
        return SM_EINPUT;
    int sums = sm_results_checksummed(f);
    if (sums < 0)
        return sm_diag_error(d, path, 0, 0, "is damaged: its result variables cannot be opened; "
                                            "scenarios 0-%zu are lost: start again with --force",
                             info->sweep->n_scenarios - 1);
    if (sums == 0)
        return sm_diag_error(d, path, 0, 0, "was written without chunk checksums (by an older "
                                            "supplymix), so its data cannot be verified: start "
                                            "it again with --force");
    info->full = !summaries;
    return SM_OK;
}

/* Everything resume checks, with the file opened read-only: nothing is
 * changed in a file that is then refused. v receives the completion
 * marks with damaged blocks cleared, and those blocks. */
static sm_status check_before_resume(const char *path, sm_results_info *info,
                                     sm_verify_report *v, sm_diag *d)
{
    memset(v, 0, sizeof *v);
    hid_t f = sm_h5_open_read(path);
    if (f < 0)
        return sm_diag_error(d, path, 0, 0, "cannot be opened: damaged (its HDF5 structure is "
                                            "unreadable), or a file of another HDF5 version; "
                                            "scenarios 0-%zu are lost: start again with --force",
                             info->sweep->n_scenarios - 1);
    sm_status st = sm_results_check_identity(f, path, info, SM_RESULTS_LAYOUT_VERSION, d);
    if (st == SM_OK) {
        size_t b0, b1;
        sm_blocks_slice(sm_sweep_blocks(info->sweep), (size_t)info->slice_index,
                        (size_t)(info->slice_count > 0 ? info->slice_count : 1), &b0, &b1);
        st = sm_results_verify(f, path, b0, b1, v, d);
    }
    /* Blocks are the file's chunks and each block's chain of warm starts:
     * a run in other blocks would neither fit the file nor give its
     * results. The caller has taken the file's block size when the sweep
     * leaves it to the default (sm_results_block_size). */
    if (st == SM_OK && v->block != info->sweep->block_size)
        st = sm_diag_error(d, path, 0, 0, "was written in blocks of %zu scenarios, but this "
                                          "sweep %s %zu: resume it with the sweep file it was "
                                          "started with", v->block,
                           info->sweep->block_size_given ? "gives block_size"
                                                         : "has the default block size",
                           info->sweep->block_size);
    H5Fclose(f);
    if (st != SM_OK)
        sm_verify_report_free(v);
    return st;
}

static sm_status open_for_resume(sm_results *r, const char *path, sm_diag *d)
{
    if (!sm_h5_repair_after_kill(path) ||
        (r->file = sm_h5_open(path, H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE)) < 0)
        return h5fail(d, path, "reopen the file in single-writer mode");
    for (int v = 0; v < SM_NVARS; v++) {
        if (sm_vars[v].full_only && !r->shape.full)
            continue;
        r->var[v] = H5Dopen2(r->file, sm_vars[v].name, H5P_DEFAULT);
        if (r->var[v] < 0)
            return sm_diag_error(d, path, 0, 0, "is missing the variable '%s'", sm_vars[v].name);
    }
    r->complete = H5Dopen2(r->file, "complete", H5P_DEFAULT);
    if (r->complete < 0)
        return h5fail(d, path, "open the completion marks");
    return SM_OK;
}

/* Damaged blocks go back to the fill value, marks cleared, so the file is
 * sound (every chunk reads) until the run solves them again. 0 when HDF5
 * cannot: its own index to those chunks is lost too (a file cut short). */
static int reset_block(sm_results *r, size_t b)
{
    size_t first = b * r->shape.chunk_rows;
    /* Marks first: a kill in between leaves a block marked incomplete
     * (solved again), never fill values marked complete. */
    if (!put_chunk(r, r->complete, first, NULL, 0, SM_NVARS) || H5Dflush(r->complete) < 0)
        return 0;
    for (int k = 0; k < SM_NVARS; k++)
        if (r->var[k] >= 0 && (!put_chunk(r, r->var[k], first, NULL, 0, k) ||
                               H5Dflush(r->var[k]) < 0))
            return 0;
    return 1;
}

static int reset_damaged(sm_results *r, const sm_verify_report *v)
{
    for (size_t i = 0; i < v->n_bad; i++)
        if (!reset_block(r, v->bad[i]))
            return 0;
    for (size_t i = 0; i < v->n_stale; i++)
        if (!reset_block(r, v->stale[i]))
            return 0;
    /* Blocks not wholly complete are solved again from their start: cleared
     * too, so a writer killed in the middle of a reset (marks cleared,
     * values not yet) cannot leave values beside incomplete marks. */
    for (size_t i = 0; i < v->n_partial; i++)
        if (!reset_block(r, v->partial[i]))
            return 0;
    return 1;
}

static void close_h5(sm_results *r)
{
    for (int v = 0; v < SM_NVARS; v++)
        if (r->var[v] >= 0)
            H5Dclose(r->var[v]), r->var[v] = -1;
    if (r->complete >= 0)
        H5Dclose(r->complete), r->complete = -1;
    if (r->file >= 0)
        H5Fclose(r->file), r->file = -1;
}

/* Copy the sound blocks of the file at path (by its completion marks in
 * v) into nr, raw. */
static int copy_sound(sm_results *nr, const char *path, const sm_verify_report *v)
{
    size_t nb = (v->n_scenarios + v->block - 1) / v->block;
    uint8_t *marked = calloc(nb, 1);
    unsigned char *buf = NULL;
    size_t cap = 0;
    hid_t from = sm_h5_open_read(path);
    int ok = marked && from >= 0;
    for (size_t b = 0; ok && b < nb; b++) {
        size_t lo = b * v->block, len = lo + v->block > v->n_scenarios ? v->n_scenarios - lo : v->block;
        marked[b] = memchr(v->marks + lo, 1, len) != NULL;
    }
    for (int k = 0; ok && k <= SM_NVARS; k++) {
        hid_t to = k < SM_NVARS ? nr->var[k] : nr->complete;
        if (to < 0)
            continue;
        hid_t ds = H5Dopen2(from, k < SM_NVARS ? sm_vars[k].name : "complete", H5P_DEFAULT);
        ok = ds >= 0 && sm_h5_copy_chunks(ds, to, 0, nb, v->block, marked, &buf, &cap) &&
             H5Dflush(to) >= 0;
        if (ds >= 0)
            H5Dclose(ds);
    }
    if (from >= 0)
        H5Fclose(from);
    free(marked);
    free(buf);
    return ok;
}

/* When HDF5's index to damaged chunks is lost too (a file cut short), the
 * file cannot be mended in place: its sound blocks are copied into a new
 * file made for this run, which then replaces it (the old one stays whole
 * until then). */
static sm_status salvage(sm_results **pr, const char *path, const sm_results_info *info,
                         const sm_verify_report *v, sm_diag *d)
{
    sm_results *old = *pr, *nr = NULL;
    close_h5(old);
    char *tmp = sm_partial_name(path);
    if (!tmp)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    sm_status st = sm_results_create(tmp, info, 0, &nr, d);
    if (st == SM_OK && !copy_sound(nr, path, v))
        st = sm_diag_error(d, path, 0, 0, "is damaged (%s%s) and even its sound scenarios "
                                          "cannot be copied out: scenarios 0-%zu are lost; "
                                          "start again with --force",
                           v->damaged[0] ? "unreadable: " : "its blocks fail to read",
                           v->damaged, v->n_scenarios - 1);
    if (st == SM_OK && rename(tmp, path) != 0)
        st = sm_diag_fail_at(d, SM_EOUTPUT, path, "cannot replace it with %s: %s", tmp,
                             strerror(errno));
    if (st != SM_OK) {
        if (nr)
            close_all(nr), unlink(tmp);
        free(tmp);
        return st;
    }
    free(tmp);
    free(nr->path);
    nr->path = old->path;
    old->path = NULL;
    close_all(old);
    *pr = nr;
    return SM_OK;
}

/* Damaged complete blocks are solved again: cleared in place, or, when
 * that cannot be done, in a new file holding the sound ones. */
/* What a salvage says it did. */
static void say_salvaged(const char *path, const sm_verify_report *v, const char *ranges,
                         sm_diag *d)
{
    if (v->damaged[0])
        sm_diag_warning(d, path, 0, 0, "'%s' was damaged (a checksum fails, or the file was "
                                       "cut short): the sound scenarios were copied into a new "
                                       "file that replaced it", v->damaged);
    if (v->n_bad)
        sm_diag_warning(d, path, 0, 0, "scenarios %s were marked complete but are damaged, "
                                       "and could not be cleared in place (HDF5's index to "
                                       "them is lost too, in a file cut short): the sound "
                                       "scenarios were copied into a new file that replaced "
                                       "it; solving those again", ranges);
    else if (!v->damaged[0])
        sm_diag_warning(d, path, 0, 0, "unfinished blocks were damaged along with HDF5's "
                                       "index to them: the complete scenarios were copied "
                                       "into a new file that replaced it");
}

/* Damaged complete blocks are solved again: cleared in place, or, when
 * that cannot be done (or what is damaged is not per block), in a new
 * file holding the sound ones. */
static sm_status mend(sm_results **pr, const char *path, const sm_results_info *info,
                      const sm_verify_report *v, sm_diag *d)
{
    char ranges[512];
    sm_verify_ranges(v, v->bad, v->n_bad, ranges, sizeof ranges);
    sm_diag quiet;
    sm_diag_init(&quiet);
    sm_status st = SM_EOUTPUT;
    if (!v->damaged[0]) {
        st = open_for_resume(*pr, path, &quiet);
        if (st == SM_OK && !reset_damaged(*pr, v))
            st = SM_EOUTPUT;
    }
    if (st != SM_OK && (v->n_bad + v->n_stale || v->damaged[0])) {
        st = salvage(pr, path, info, v, d);
        if (st == SM_OK)
            say_salvaged(path, v, ranges, d);
    } else if (st != SM_OK) {
        sm_diag_take(d, &quiet);
    } else if (v->n_bad) {
        sm_diag_warning(d, path, 0, 0, "scenarios %s were marked complete but their data are "
                                       "damaged (a chunk checksum fails, or the file was cut "
                                       "short): solving them again", ranges);
    }
    sm_diag_clear(&quiet);
    return st;
}

int sm_results_block_size(const char *path, size_t *block)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || H5Fis_hdf5(path) <= 0)
        return 0;
    hid_t f = sm_h5_open_read(path);
    long long b = 0;
    int ok = f >= 0 && sm_h5_read_attr_i64(f, "block_size", &b) && b >= 1 &&
             b <= SM_SWEEP_MAX_BLOCK;
    if (f >= 0)
        H5Fclose(f);
    if (ok)
        *block = (size_t)b;
    return ok;
}

int sm_results_ratio_test(const char *path, char *name, size_t size)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || H5Fis_hdf5(path) <= 0)
        return 0;
    hid_t f = sm_h5_open_read(path);
    if (f < 0)
        return 0;
    char buf[32];
    long long n = 0;
    /* A results file has n_scenarios; one without warm_ratio_test is Harris's. */
    int ok = sm_h5_read_attr_i64(f, "n_scenarios", &n);
    if (ok && !sm_h5_read_attr_text(f, "warm_ratio_test", buf, sizeof buf))
        strcpy(buf, "harris");
    H5Fclose(f);
    if (ok)
        snprintf(name, size, "%s", buf);
    return ok;
}

sm_status sm_results_resume(const char *path, sm_results_info *info, sm_results **out,
                            uint8_t **done, sm_diag *d)
{
    *out = NULL;
    *done = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return sm_diag_error(d, path, 0, 0, "nothing to resume: the file does not exist (run "
                                            "without --resume to start it)");
    if (H5Fis_hdf5(path) <= 0)
        return sm_diag_error(d, path, 0, 0, "is not an HDF5 file, so not a results file to "
                                            "resume");
    sm_results *r = calloc(1, sizeof *r);
    if (!r)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    r->file = r->complete = -1;
    for (int v = 0; v < SM_NVARS; v++)
        r->var[v] = -1;
    r->path = strdup(path);
    sm_status st = SM_OK;
    sm_verify_report v = {0};
    if ((r->lock_fd = sm_h5_writer_lock(path, d)) < 0)
        SM_TRY(SM_EINPUT);
    SM_TRY(check_before_resume(path, info, &v, d));
    r->n_scenarios = info->sweep->n_scenarios;
    r->shape = sm_results_shape_of(info);
    SM_TRY(mend(&r, path, info, &v, d));
    *done = v.marks;
    v.marks = NULL;
    *out = r;
    r = NULL;
done:
    sm_verify_report_free(&v);
    if (r)
        close_all(r);
    return st;
}

/* ---- compressed chunks, prepared off the writer thread ------------------ */

sm_results_shape sm_results_shape_of(const sm_results_info *info)
{
    sm_results_shape sh;
    sh.dims = sm_dims_of(info->model);
    sh.dims.n[SM_DIM_PARAMETER] = info->sweep->n_params;
    size_t n = info->sweep->n_scenarios;
    sh.chunk_rows = info->sweep->block_size < n ? info->sweep->block_size : n;
    sh.full = info->full;
    return sh;
}

const sm_results_shape *sm_results_get_shape(const sm_results *r)
{
    return &r->shape;
}

/* Variables a file of this shape holds. */
static int has_var(const sm_results_shape *sh, int v)
{
    return sh->full || !sm_vars[v].full_only;
}

/* Chunks are compressed by sm_chunk_coder (ISA-L or libdeflate) rather
 * than zlib: the same zlib stream format, which HDF5's deflate filter
 * reads, several times faster (bench/README.md). */
typedef struct packed {
    unsigned char *buf[SM_NVARS];
    size_t cap[SM_NVARS], size[SM_NVARS];
    /* buf[v] holds the chunk of n_same[v] elements all equal to same[v]
     * (n_same 0: not such a chunk), to be reused as it is. */
    size_t n_same[SM_NVARS], size_same[SM_NVARS];
    unsigned char same[SM_NVARS][8];
    size_t first;            /* the scenario the chunks start at */
} packed;

struct sm_pack_scratch {
    unsigned char *raw;      /* one chunk, padded and shuffled */
    size_t raw_cap;
    sm_chunk_coder *z;
};

void sm_results_pack_scratch_free(sm_pack_scratch **ps)
{
    sm_pack_scratch *s = ps ? *ps : NULL;
    if (!s)
        return;
    free(s->raw);
    sm_chunk_coder_free(s->z);
    free(s);
    *ps = NULL;
}

static void packed_free(void *p)
{
    packed *k = p;
    for (int v = 0; v < SM_NVARS; v++)
        free(k->buf[v]);
    free(k);
}

/* n elements of a variable of type t set to the fill value. */
static void fill_rows(unsigned char *out, size_t n, sm_vtype t)
{
    if (t == SM_VT_F64) {
        double nan = NAN;
        for (size_t e = 0; e < n; e++)
            memcpy(out + e * sizeof nan, &nan, sizeof nan);
    } else {
        memset(out, 0, n * sm_vtype_size(t));
    }
}

static int grow(unsigned char **buf, size_t *cap, size_t need)
{
    if (*cap >= need)
        return 1;
    unsigned char *n = realloc(*buf, need);
    if (!n)
        return 0;
    *buf = n;
    *cap = need;
    return 1;
}

/* grow for a scratch buffer written in full at every use (the shuffled
 * chunk): its bytes are not kept, and a large one takes huge pages
 * (core/mem.h). */
static int grow_scratch(unsigned char **buf, size_t *cap, size_t need)
{
    if (*cap >= need)
        return 1;
    if (need < SM_MEM_BIG_MIN)
        return grow(buf, cap, need);
    unsigned char *n = sm_mem_big(need);
    if (!n)
        return 0;
    free(*buf);
    *buf = n;
    *cap = need;
    return 1;
}

/* Whether the n elements of es bytes at p are all the same bytes: each
 * byte equals the one es bytes before it, so one memcmp of the buffer
 * against itself shifted by an element (a call per element was 1 % of a
 * china_grid run, on its all-NaN chunks). */
static int all_same(const unsigned char *p, size_t n, size_t es)
{
    return n < 2 || memcmp(p + es, p, (n - 1) * es) == 0;
}

/* The block's packed chunks, attached on first use; NULL when out of memory. */
static packed *packed_of(sm_block *b)
{
    if (!b->aux) {
        b->aux = calloc(1, sizeof(packed));
        if (b->aux)
            b->aux_free = packed_free;
    }
    return b->aux;
}

sm_status sm_results_pack(const sm_results_shape *sh, sm_pack_scratch **scratch, size_t first,
                          sm_block *b, sm_diag *d)
{
    packed *k = packed_of(b);
    if (!k || (!*scratch && !(*scratch = calloc(1, sizeof **scratch))))
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    sm_pack_scratch *s = *scratch;
    k->first = first;
    if (!s->z && !(s->z = sm_chunk_coder_new()))
        return sm_diag_fail(d, SM_ENOMEM, "out of memory for the compressor");
    for (int v = 0; v < SM_NVARS; v++) {
        k->size[v] = 0;
        if (!has_var(sh, v))
            continue;
        size_t es = sm_vtype_size(sm_vars[v].type);
        size_t elems = sm_var_elems(&sh->dims, (sm_var)v);
        size_t n = sh->chunk_rows * elems; /* elements in a whole chunk */
        size_t used = b->count * elems;
        if (n == 0)
            continue;
        size_t bound = sm_chunk_bound(s->z, n * es);
        if (!grow_scratch(&s->raw, &s->raw_cap, (used < n ? 2 : 1) * n * es) ||
            !grow(&k->buf[v], &k->cap[v], bound))
            return sm_diag_fail(d, SM_ENOMEM, "out of memory compressing results");
        const unsigned char *plain = b->data[v];
        if (used < n) {
            /* Rows past the last scenario hold the fill value, as HDF5's would. */
            unsigned char *padded = s->raw + n * es;
            memcpy(padded, b->data[v], used * es);
            fill_rows(padded + used * es, n - used, sm_vars[v].type);
            plain = padded;
        }
        int same = all_same(plain, n, es);
        if (same && k->n_same[v] == n && !memcmp(k->same[v], plain, es)) {
            /* The same chunk as this block's last (all NaN: no infeasible
             * scenario, no ranging): the bytes are in buf[v] already. */
            k->size[v] = k->size_same[v];
            continue;
        }
        size_t out = sm_chunk_encode(s->z, plain, n, es, s->raw, k->buf[v], k->cap[v]);
        if (out == 0)
            return sm_diag_fail(d, SM_EINTERNAL, "could not compress a chunk");
        k->size[v] = out;
        k->n_same[v] = same ? n : 0;
        k->size_same[v] = out;
        memcpy(k->same[v], plain, es);
    }
    return SM_OK;
}

/* Wire format: first, count (u64 each), count status bytes, then for each
 * variable its compressed size (u64) and bytes. Both ends run the same
 * build, so host byte order is fine. */
size_t sm_results_wire_size(const sm_block *b)
{
    const packed *k = b->aux;
    size_t n = 2 * sizeof(uint64_t) + b->count + SM_NVARS * sizeof(uint64_t);
    for (int v = 0; k && v < SM_NVARS; v++)
        n += k->size[v];
    return n;
}

void sm_results_wire_encode(const sm_block *b, unsigned char *out)
{
    const packed *k = b->aux;
    uint64_t h[2] = {k ? k->first : 0, b->count};
    memcpy(out, h, sizeof h);
    out += sizeof h;
    memcpy(out, b->data[SM_V_STATUS], b->count);
    out += b->count;
    for (int v = 0; v < SM_NVARS; v++) {
        uint64_t z = k ? k->size[v] : 0;
        memcpy(out, &z, sizeof z);
        out += sizeof z;
        if (z)
            memcpy(out, k->buf[v], z);
        out += z;
    }
}

sm_status sm_results_wire_decode(const sm_results_shape *sh, const unsigned char *in,
                                 size_t len, sm_block *b, size_t *first, sm_diag *d)
{
    const unsigned char *end = in + len;
    uint64_t h[2];
    if (len < sizeof h)
        return sm_diag_fail(d, SM_EINTERNAL, "a result block arrived truncated");
    memcpy(h, in, sizeof h);
    in += sizeof h;
    if (h[1] > b->capacity || (size_t)(end - in) < h[1])
        return sm_diag_fail(d, SM_EINTERNAL, "a result block arrived malformed");
    *first = h[0];
    b->count = h[1];
    memcpy(b->data[SM_V_STATUS], in, b->count);
    in += b->count;
    packed *k = packed_of(b);
    if (!k)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    k->first = *first;
    for (int v = 0; v < SM_NVARS; v++) {
        uint64_t z;
        if ((size_t)(end - in) < sizeof z)
            return sm_diag_fail(d, SM_EINTERNAL, "a result block arrived truncated");
        memcpy(&z, in, sizeof z);
        in += sizeof z;
        if ((size_t)(end - in) < z || (z && !has_var(sh, v)))
            return sm_diag_fail(d, SM_EINTERNAL, "a result block arrived malformed");
        if (!grow(&k->buf[v], &k->cap[v], z))
            return sm_diag_fail(d, SM_ENOMEM, "out of memory");
        if (z)
            memcpy(k->buf[v], in, z);
        k->size[v] = z;
        k->n_same[v] = 0; /* buf[v] no longer holds this buffer's own encoding */
        in += z;
    }
    return SM_OK;
}

sm_status sm_results_write(sm_results *r, size_t first, const sm_block *b, sm_diag *d)
{
    if (b->count == 0)
        return SM_OK;
    sm_h5_quiet(); /* the writer may be a solver thread: HDF5's settings are per thread */
    if (first + b->count > r->n_scenarios)
        return sm_diag_fail(d, SM_EINTERNAL, "%s: block %zu+%zu past %zu scenarios", r->path,
                            first, b->count, r->n_scenarios);
    const packed *k = b->aux;
    if (k && k->first != first)
        k = NULL; /* packed for another place: let HDF5 compress */
    if (k && first % r->shape.chunk_rows != 0)
        return sm_diag_fail(d, SM_EINTERNAL, "%s: block at %zu is not on a chunk boundary",
                            r->path, first);
    for (int v = 0; v < SM_NVARS; v++) {
        if (r->var[v] < 0)
            continue;
        int ok;
        if (k && k->size[v]) {
            hsize_t offset[4] = {first, 0, 0, 0};
            ok = H5Dwrite_chunk(r->var[v], H5P_DEFAULT, 0, offset, k->size[v], k->buf[v]) >= 0;
        } else {
            ok = write_rows(r->var[v], sm_h5_vtype(sm_vars[v].type), first, b->count, b->data[v]);
        }
        if (!ok)
            return h5fail(d, r->path, "write a block of results");
    }
    /* The values reach the disk before the marks that say they are there:
     * one flush of the file's metadata, not one per variable (each walks
     * the whole metadata cache). */
    if (H5Fflush(r->file, H5F_SCOPE_LOCAL) < 0)
        return h5fail(d, r->path, "flush a block of results");
    if (r->mask_cap < b->count) {
        uint8_t *m = realloc(r->mask, b->count);
        if (!m)
            return sm_diag_fail(d, SM_ENOMEM, "out of memory");
        r->mask = m;
        r->mask_cap = b->count;
    }
    const int8_t *status = b->data[SM_V_STATUS];
    for (size_t i = 0; i < b->count; i++)
        r->mask[i] = status[i] != SM_SCEN_NOT_SOLVED;
    /* A packed block is a whole chunk: so are its marks. */
    int ok = k ? put_chunk(r, r->complete, first, r->mask, b->count, SM_NVARS)
               : write_rows(r->complete, H5T_NATIVE_UINT8, first, b->count, r->mask);
    if (!ok || H5Dflush(r->complete) < 0)
        return h5fail(d, r->path, "write completion marks");
    return SM_OK;
}

sm_status sm_results_close(sm_results **pr, sm_diag *d)
{
    sm_results *r = pr ? *pr : NULL;
    if (!r)
        return SM_OK;
    sm_status st = SM_OK;
    if (H5Fflush(r->file, H5F_SCOPE_GLOBAL) < 0)
        st = h5fail(d, r->path, "flush the file");
    close_all(r);
    *pr = NULL;
    return st;
}
