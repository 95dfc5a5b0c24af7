/* The plan file (see plan_h5.h and docs/RESULTS.md, "Plan files"). */
#include "plan_h5.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5_hl.h>

#include "../core/files.h"
#include "h5_util.h"
#include "results_verify.h"

/* ---- the variables ------------------------------------------------------ */

enum pv_kind { PV_PORTFOLIO, PV_POLICY, PV_HISTORY, PV_SCENARIO };

enum {
    V_COMMITMENT, V_COMMITMENT_EV,
    V_COMMITMENT_COST, V_RP, V_RP_LB, V_RP_GAP, V_WS, V_EEV, V_EVPI, V_VSS, V_EEV_INFEASIBLE,
    V_RISK_WEIGHT, V_CVAR_ALPHA, V_STOP, V_ITERATIONS, V_SECONDS,
    V_H_LB, V_H_UB, V_H_GAP, V_H_CUTS, V_H_FEAS_CUTS, V_H_SECONDS,
    V_SC_FEES, V_SC_Z, V_SC_REGRET, V_SC_EEV,
    N_PVARS
};

static const struct {
    const char *name;
    enum pv_kind kind;
    sm_vtype type;
    const char *units, *long_name;
} pvars[N_PVARS] = {
    {"commitment", PV_PORTFOLIO, SM_VT_F64, "t",
     "k*: tonnes committed now, per contract offer and period (0 for spot offers and pairs a "
     "supplier does not offer; NaN where the policy has no plan)"},
    {"commitment_ev", PV_PORTFOLIO, SM_VT_F64, "t",
     "k-bar: the portfolio optimal for the average future (for EEV)"},
    {"commitment_cost", PV_POLICY, SM_VT_F64, "USD", "fees(k*): commitment fees of the portfolio"},
    {"RP", PV_POLICY, SM_VT_F64, "USD",
     "RP: the plan's objective, rho over the futures of fees(k*) + Q_s(k*) (the upper bound)"},
    {"RP_lower_bound", PV_POLICY, SM_VT_F64, "USD", "lower bound on RP from the master problem"},
    {"RP_gap", PV_POLICY, SM_VT_F64, "1", "relative gap (upper - lower) / |upper| at the stop"},
    {"WS", PV_POLICY, SM_VT_F64, "USD", "WS: expected perfect-foresight cost (wait and see)"},
    {"EEV", PV_POLICY, SM_VT_F64, "USD",
     "EEV: expected cost of the average future's portfolio (inf: infeasible in some future)"},
    {"EVPI", PV_POLICY, SM_VT_F64, "USD", "EVPI = RP - WS: what knowing the future would be worth"},
    {"VSS", PV_POLICY, SM_VT_F64, "USD",
     "VSS = EEV - RP: what planning for every future instead of the average one buys"},
    {"EEV_infeasible_futures", PV_POLICY, SM_VT_I32, "1",
     "futures infeasible at the average future's portfolio (-1: no plan)"},
    {"risk_weight", PV_POLICY, SM_VT_F64, "1", "lambda: the weight of CVaR in rho"},
    {"cvar_alpha", PV_POLICY, SM_VT_F64, "1", "alpha: the level of CVaR in rho"},
    {"plan_stop", PV_POLICY, SM_VT_I8, "1", "why the decomposition stopped"},
    {"plan_iterations", PV_POLICY, SM_VT_I32, "1", "iterations of the L-shaped method"},
    {"plan_seconds", PV_POLICY, SM_VT_F64, "s", "wall-clock time of the decomposition"},
    {"history_lower_bound", PV_HISTORY, SM_VT_F64, "USD", "lower bound after the iteration"},
    {"history_upper_bound", PV_HISTORY, SM_VT_F64, "USD", "upper bound after the iteration"},
    {"history_gap", PV_HISTORY, SM_VT_F64, "1", "relative gap after the iteration"},
    {"history_cuts", PV_HISTORY, SM_VT_I32, "1",
     "cuts added to the master in the iteration (-1 past the policy's last iteration)"},
    {"history_feasibility_cuts", PV_HISTORY, SM_VT_I32, "1",
     "of history_cuts, the feasibility cuts: one per block of futures with some future "
     "infeasible at the iteration's portfolio (-1 past the policy's last iteration)"},
    {"history_seconds", PV_HISTORY, SM_VT_F64, "s", "seconds since the policy's plan started"},
    {"cost_commitment", PV_SCENARIO, SM_VT_F64, "USD",
     "fees(k*) of the scenario's policy: the part of total_cost paid on the commitment"},
    {"perfect_foresight_cost", PV_SCENARIO, SM_VT_F64, "USD",
     "Z_s: the future's perfect-foresight cost (fees included)"},
    {"regret", PV_SCENARIO, SM_VT_F64, "USD", "fees(k*) + Q_s(k*) - Z_s"},
    {"average_future_plan_cost", PV_SCENARIO, SM_VT_F64, "USD",
     "fees(k-bar) + Q_s(k-bar): the future's cost at the average future's portfolio (inf: "
     "infeasible there)"},
};

/* The fill values: NaN, -1 for counts, 0 (not_run) for plan_stop. */
static const void *fill_of(sm_vtype t)
{
    static const double nan_fill = NAN;
    static const int32_t minus_one = -1;
    static const int8_t zero = 0;
    return t == SM_VT_F64 ? (const void *)&nan_fill
                          : t == SM_VT_I32 ? (const void *)&minus_one : (const void *)&zero;
}

/* ---- set-up ------------------------------------------------------------- */

/* Policy labels name its grid values: "share.china_cap=0.5, ...". */
static hid_t policy_scale(hid_t f, const sm_sweep *sw)
{
    size_t G = sw->grid_size, len = 256 * ((size_t)sw->n_params + 1);
    char *text = calloc(G + 1, len);
    const char **labels = calloc(G + 1, sizeof *labels);
    double *vals = malloc(((size_t)sw->n_params + 1) * sizeof *vals);
    hid_t ds = -1;
    if (text && labels && vals) {
        for (size_t g = 0; g < G; g++) {
            char *l = text + g * len;
            size_t used = 0;
            sm_sweep_values(sw, g, vals);
            for (int k = 0; k < sw->n_params; k++)
                if (sw->params[k].axis == SM_AXIS_GRID && used < len)
                    used += (size_t)snprintf(l + used, len - used, "%s%s=%g", used ? ", " : "",
                                             sw->params[k].name, vals[k]);
            labels[g] = used ? l : "base";
        }
        ds = sm_h5_string_coord(f, "policy", labels, G,
                                "a policy: a grid point of the sweep, named by its grid values");
    }
    free(text);
    free(labels);
    free(vals);
    return ds;
}

/* `iteration`, the longest history: 1, 2, ..., grown as policies finish. */
static hid_t iteration_scale(hid_t f)
{
    hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED}, chunk[1] = {64};
    hid_t dcpl = sm_h5_dcpl(H5T_NATIVE_INT32, 1, chunk, NULL);
    hid_t space = H5Screate_simple(1, dims, maxdims);
    hid_t ds = H5Dcreate2(f, "iteration", H5T_NATIVE_INT32, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Sclose(space);
    H5Pclose(dcpl);
    if (ds >= 0 && (H5DSset_scale(ds, "iteration") < 0 ||
                    !sm_h5_describe(ds, "1", "iteration of a policy's plan, from 1"))) {
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

/* A history variable: [policy, iteration], growing along iteration. */
static hid_t history_dataset(hid_t f, int k, size_t G)
{
    hid_t type = sm_h5_vtype(pvars[k].type);
    hsize_t dims[2] = {G, 0}, maxdims[2] = {G, H5S_UNLIMITED}, chunk[2] = {1, 64};
    hid_t dcpl = sm_h5_dcpl(type, 2, chunk, fill_of(pvars[k].type));
    hid_t space = H5Screate_simple(2, dims, maxdims);
    hid_t ds = H5Dcreate2(f, pvars[k].name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Sclose(space);
    H5Pclose(dcpl);
    return ds;
}

/* Variable k with its dimension scales (in sc: policy, supplier,
 * material, period, iteration, scenario), units and fill attributes. */
static int create_var(hid_t f, int k, const hid_t *sc, const hsize_t *n, size_t block)
{
    static const int dims_of[4][4] = {{0, 1, 2, 3}, {0}, {0, 4}, {5}};
    static const int rank_of[4] = {4, 1, 2, 1};
    enum pv_kind kind = pvars[k].kind;
    int rank = rank_of[kind];
    hsize_t dims[4];
    for (int i = 0; i < rank; i++)
        dims[i] = n[dims_of[kind][i]];
    hid_t type = sm_h5_vtype(pvars[k].type);
    hid_t ds = kind == PV_HISTORY ? history_dataset(f, k, n[0])
                                  : sm_h5_dataset(f, pvars[k].name, type, rank, dims,
                                                  kind == PV_SCENARIO ? block
                                                  : kind == PV_PORTFOLIO ? 1 : n[0],
                                                  fill_of(pvars[k].type));
    int ok = ds >= 0 && sm_h5_describe(ds, pvars[k].units, pvars[k].long_name);
    for (int i = 0; ok && i < rank; i++)
        ok = H5DSattach_scale(ds, sc[dims_of[kind][i]], (unsigned)i) >= 0;
    if (ok && pvars[k].type == SM_VT_F64)
        ok = sm_h5_attr_num(ds, "_FillValue", H5T_NATIVE_DOUBLE, fill_of(SM_VT_F64), 1);
    if (ok && strcmp(pvars[k].units, "s") == 0)
        ok = sm_h5_attr_text(ds, "comment", "wall-clock time: differs between identical runs");
    if (ok && k == V_STOP)
        ok = sm_h5_attr_flags(ds, sm_plan_stop_names, SM_PLAN_N_STOP);
    if (ds >= 0)
        H5Dclose(ds);
    return ok;
}

/* plan_stop_message: empty until a policy is planned. */
static int create_messages(hid_t f, hid_t policy, size_t G)
{
    const char **empty = calloc(G + 1, sizeof *empty);
    for (size_t g = 0; empty && g < G; g++)
        empty[g] = "";
    int ok = empty && sm_h5_string_var(f, "plan_stop_message", empty, G, policy,
                                       "why a policy has no plan (empty when it has one)");
    free(empty);
    return ok;
}

/* scenario_policy and scenario_future: scenario i is policy i % G,
 * future i / G. */
static int scenario_maps(hid_t f, hid_t scenario, const sm_sweep *sw)
{
    size_t n = sw->n_scenarios, G = sw->grid_size;
    long long *v = malloc((n + 1) * sizeof *v);
    int ok = v != NULL;
    for (int which = 0; ok && which < 2; which++) {
        for (size_t i = 0; i < n; i++)
            v[i] = (long long)(which ? i / G : i % G);
        hsize_t dims[1] = {n};
        hid_t ds = sm_h5_dataset(f, which ? "scenario_future" : "scenario_policy",
                                 H5T_NATIVE_LLONG, 1, dims, sw->block_size, NULL);
        ok = ds >= 0 && (n == 0 || H5Dwrite(ds, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL,
                                            H5P_DEFAULT, v) >= 0) &&
             H5DSattach_scale(ds, scenario, 0) >= 0 &&
             sm_h5_describe(ds, "1", which ? "the future (random sample) of the scenario"
                                           : "the policy (grid point) of the scenario");
        if (ds >= 0)
            H5Dclose(ds);
    }
    free(v);
    return ok;
}

/* The settings --resume checks, and the kind and version of the file. */
static int plan_attributes(hid_t f, const sm_plan_run *run)
{
    return H5Adelete(f, "results_layout_version") >= 0 &&
           sm_h5_attr_i64(f, "results_layout_version", SM_PLAN_LAYOUT_VERSION) &&
           sm_h5_attr_text(f, "file_kind", "plan") &&
           sm_h5_attr_num(f, "plan_gap_tolerance", H5T_NATIVE_DOUBLE, &run->gap_tolerance, 1) &&
           sm_h5_attr_i64(f, "plan_iteration_limit", run->iteration_limit) &&
           sm_h5_attr_num(f, "plan_time_limit_s", H5T_NATIVE_DOUBLE, &run->time_limit_s, 1) &&
           sm_h5_attr_num(f, "plan_risk_weight", H5T_NATIVE_DOUBLE, &run->risk_weight, 1) &&
           sm_h5_attr_num(f, "plan_cvar_alpha", H5T_NATIVE_DOUBLE, &run->cvar_alpha, 1) &&
           sm_h5_attr_text(f, "plan_method", "L-shaped, multi-cut (one theta per future)");
}

static int add_plan_layout(hid_t f, const sm_results_info *info, const sm_plan_run *run)
{
    const sm_model *m = info->model;
    const sm_sweep *sw = info->sweep;
    hid_t sc[6] = {policy_scale(f, sw), H5Dopen2(f, "supplier", H5P_DEFAULT),
                   H5Dopen2(f, "material", H5P_DEFAULT), H5Dopen2(f, "period", H5P_DEFAULT),
                   iteration_scale(f), H5Dopen2(f, "scenario", H5P_DEFAULT)};
    hsize_t n[6] = {sw->grid_size, (hsize_t)m->n_suppliers, (hsize_t)m->n_materials,
                    (hsize_t)m->n_periods, 0, sw->n_scenarios};
    int ok = 1;
    for (int i = 0; i < 6; i++)
        ok = ok && sc[i] >= 0;
    for (int k = 0; ok && k < N_PVARS; k++)
        ok = create_var(f, k, sc, n, sw->block_size);
    ok = ok && create_messages(f, sc[0], sw->grid_size) && scenario_maps(f, sc[5], sw) &&
         plan_attributes(f, run);
    for (int i = 0; i < 6; i++)
        if (sc[i] >= 0)
            H5Dclose(sc[i]);
    return ok;
}

sm_status sm_plan_file_create(const char *path, const sm_results_info *info, int force,
                              const sm_plan_run *run, sm_diag *d)
{
    sm_results *res = NULL;
    char *tmp = sm_partial_name(path);
    if (!tmp)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    sm_status st = sm_results_create(tmp, info, 0, &res, d);
    if (st == SM_OK)
        st = sm_results_close(&res, d);
    hid_t f = st == SM_OK ? sm_h5_open(tmp, H5F_ACC_RDWR) : -1;
    int ok = f >= 0 && add_plan_layout(f, info, run);
    ok = (f < 0 || H5Fclose(f) >= 0) && ok;
    if (st == SM_OK && !ok)
        st = sm_diag_fail_at(d, SM_EOUTPUT, path, "cannot set up the plan file%s%s",
                             *sm_h5_last_error() ? ": " : "", sm_h5_last_error());
    int e = st == SM_OK ? sm_put_in_place(tmp, path, force) : 0;
    if (e)
        st = sm_diag_fail_at(d, SM_EOUTPUT, path,
                             e == EEXIST ? "appeared while the plan was being set up; not replaced"
                                         : "cannot put the plan file in place: %s",
                             strerror(e));
    if (st != SM_OK)
        unlink(tmp);
    free(tmp);
    return st;
}

/* ---- saving policies ---------------------------------------------------- */

/* Write data over dataset name's rows start, start + stride, ... (count
 * of them), whole along the other dimensions. */
static int put_rows(hid_t f, const char *name, hid_t memtype, hsize_t start, hsize_t stride,
                    hsize_t count, const void *data)
{
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    if (ds < 0)
        return 0;
    hid_t fs = H5Dget_space(ds);
    int rank = H5Sget_simple_extent_ndims(fs);
    hsize_t dims[4], st[4] = {start}, sd[4] = {stride}, cnt[4] = {count}, blk[4] = {1};
    H5Sget_simple_extent_dims(fs, dims, NULL);
    hsize_t total = count;
    for (int i = 1; i < rank; i++) {
        st[i] = 0, sd[i] = 1, cnt[i] = 1, blk[i] = dims[i];
        total *= dims[i];
    }
    hid_t ms = H5Screate_simple(1, &total, NULL);
    int ok = total == 0 ||
             (H5Sselect_hyperslab(fs, H5S_SELECT_SET, st, sd, cnt, blk) >= 0 &&
              H5Dwrite(ds, memtype, ms, fs, H5P_DEFAULT, data) >= 0);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(ds);
    return ok;
}

/* Policy g's futures, scenarios g, g + G, ...: every result variable's
 * rows from the blocks, and their completion marks. */
static int put_scenarios(hid_t f, const sm_results_info *info, const sm_plan_run *run, size_t g)
{
    const sm_sweep *sw = info->sweep;
    sm_results_shape sh = sm_results_shape_of(info);
    size_t S = sw->samples, G = sw->grid_size, B = sw->block_size;
    int ok = 1;
    for (int v = 0; ok && v <= SM_NVARS; v++) {
        if (v < SM_NVARS && sm_vars[v].full_only && !sh.full)
            continue;
        size_t es = v < SM_NVARS ? sm_vtype_size(sm_vars[v].type) : 1;
        size_t row = v < SM_NVARS ? sm_var_elems(&sh.dims, (sm_var)v) * es : 1;
        unsigned char *buf = malloc(S * row + 1);
        ok = buf != NULL;
        for (size_t s = 0; ok && s < S; s++) {
            size_t i = g + s * G;
            const sm_block *b = run->blocks[i / B];
            const int8_t *status = sm_block_row(b, SM_V_STATUS, i % B);
            if (v < SM_NVARS)
                memcpy(buf + s * row, sm_block_row(b, (sm_var)v, i % B), row);
            else
                buf[s] = *status != SM_SCEN_NOT_SOLVED;
        }
        ok = ok && put_rows(f, v < SM_NVARS ? sm_vars[v].name : "complete",
                            v < SM_NVARS ? sm_h5_vtype(sm_vars[v].type) : H5T_NATIVE_UINT8, g,
                            G, S, buf);
        free(buf);
    }
    return ok;
}

/* The per-scenario plan variables of policy g's futures. */
static int put_scenario_measures(hid_t f, const sm_plan_run *run, size_t G, size_t g)
{
    const sm_plan_point *pt = &run->points[g];
    int has = sm_plan_point_has_plan(pt);
    size_t S = pt->n;
    double *v = malloc((4 * S + 1) * sizeof *v);
    if (!v)
        return 0;
    for (size_t s = 0; s < S; s++) {
        v[s] = has ? run->fees[g + s * G] : NAN;
        v[S + s] = has ? pt->z[s] : NAN;
        v[2 * S + s] = has ? pt->regret[s] : NAN;
        v[3 * S + s] = has ? pt->eev_cost[s] : NAN;
    }
    int ok = 1;
    for (int k = V_SC_FEES; ok && k <= V_SC_EEV; k++)
        ok = put_rows(f, pvars[k].name, H5T_NATIVE_DOUBLE, g, G, S, v + (k - V_SC_FEES) * S);
    free(v);
    return ok;
}

/* k per offer and period into [supplier][material][period]; NaN without
 * a plan. */
static int put_portfolio(hid_t f, const sm_model *m, const sm_plan_point *pt, size_t g, int k)
{
    size_t M = (size_t)m->n_materials, T = (size_t)m->n_periods;
    size_t n = (size_t)m->n_suppliers * M * T;
    double *a = calloc(n + 1, sizeof *a);
    if (!a)
        return 0;
    const double *src = k == V_COMMITMENT ? pt->k_full : pt->kbar_full;
    int has = sm_plan_point_has_plan(pt) && src;
    for (size_t i = 0; !has && i < n; i++)
        a[i] = NAN;
    for (int o = 0; has && o < m->n_offers; o++) {
        size_t u = (size_t)m->offers[o].supplier, mat = (size_t)m->offers[o].material;
        for (size_t t = 0; t < T; t++)
            a[(u * M + mat) * T + t] = src[(size_t)o * T + t];
    }
    int ok = put_rows(f, pvars[k].name, H5T_NATIVE_DOUBLE, g, 1, 1, a);
    free(a);
    return ok;
}

/* Policy g's measures (HDF5 converts them to each variable's type). */
static int put_measures(hid_t f, const sm_plan_run *run, size_t g)
{
    const sm_plan_point *pt = &run->points[g];
    int has = sm_plan_point_has_plan(pt);
    double v[N_PVARS];
    v[V_COMMITMENT_COST] = has ? pt->rp.fees : NAN;
    v[V_RP] = pt->rp_value;
    v[V_RP_LB] = pt->rp.lb;
    v[V_RP_GAP] = pt->rp.gap;
    v[V_WS] = pt->ws;
    v[V_EEV] = pt->eev;
    v[V_EVPI] = pt->evpi;
    v[V_VSS] = pt->vss;
    v[V_EEV_INFEASIBLE] = has ? (double)pt->eev_infeasible : -1;
    v[V_RISK_WEIGHT] = run->risk_weight;
    v[V_CVAR_ALPHA] = run->cvar_alpha;
    v[V_STOP] = pt->rp.stop;
    v[V_ITERATIONS] = pt->rp.iterations;
    v[V_SECONDS] = pt->seconds;
    int ok = 1;
    for (int k = V_COMMITMENT_COST; ok && k <= V_SECONDS; k++)
        ok = put_rows(f, pvars[k].name, H5T_NATIVE_DOUBLE, g, 1, 1, &v[k]);
    hid_t t = sm_h5_vlen_utf8();
    const char *msg = pt->rp.message;
    ok = ok && put_rows(f, "plan_stop_message", t, g, 1, 1, &msg);
    H5Tclose(t);
    return ok;
}

/* Whether history variable k is in the file: history_feasibility_cuts is
 * not in files of a supplymix from before it, which --resume goes on
 * without it. */
static int has_history(hid_t f, int k)
{
    return k != V_H_FEAS_CUTS || H5Lexists(f, pvars[k].name, H5P_DEFAULT) > 0;
}

/* Grow `iteration` and the history variables to n iterations. */
static int grow_history(hid_t f, size_t G, hsize_t n)
{
    hid_t it = H5Dopen2(f, "iteration", H5P_DEFAULT);
    hid_t space = it >= 0 ? H5Dget_space(it) : -1;
    hsize_t now = 0;
    if (space >= 0)
        H5Sget_simple_extent_dims(space, &now, NULL), H5Sclose(space);
    int ok = it >= 0;
    if (ok && n > now) {
        int32_t *num = malloc(n * sizeof *num);
        for (hsize_t i = 0; num && i < n; i++)
            num[i] = (int32_t)(i + 1);
        ok = num && H5Dset_extent(it, &n) >= 0 &&
             H5Dwrite(it, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, num) >= 0;
        free(num);
        hsize_t dims[2] = {G, n};
        for (int k = V_H_LB; ok && k <= V_H_SECONDS; k++) {
            if (!has_history(f, k))
                continue;
            hid_t ds = H5Dopen2(f, pvars[k].name, H5P_DEFAULT);
            ok = ds >= 0 && H5Dset_extent(ds, dims) >= 0;
            if (ds >= 0)
                H5Dclose(ds);
        }
    }
    if (it >= 0)
        H5Dclose(it);
    return ok;
}

/* Policy g's convergence history, its row padded (NaN, -1) to the
 * longest history so far. */
static int put_history(hid_t f, const sm_plan_run *run, size_t g)
{
    const sm_plan_result *r = &run->points[g].rp;
    hsize_t longest = (hsize_t)r->iterations;
    for (size_t h = 0; h < run->n_points; h++)
        if (run->points[h].rp.iterations > 0 && (hsize_t)run->points[h].rp.iterations > longest)
            longest = (hsize_t)run->points[h].rp.iterations;
    hid_t it = H5Dopen2(f, "iteration", H5P_DEFAULT);
    hid_t space = it >= 0 ? H5Dget_space(it) : -1;
    hsize_t now = 0;
    if (space >= 0)
        H5Sget_simple_extent_dims(space, &now, NULL), H5Sclose(space);
    if (it >= 0)
        H5Dclose(it);
    hsize_t n = longest > now ? longest : now;
    double *v = malloc((6 * n + 1) * sizeof *v);
    int ok = v && grow_history(f, run->n_points, n);
    for (hsize_t i = 0; ok && i < n; i++) {
        int in = i < (hsize_t)r->iterations;
        const sm_plan_iter *h = in ? &r->hist[i] : NULL;
        v[i] = in ? h->lb : NAN;
        v[n + i] = in ? h->ub : NAN;
        v[2 * n + i] = in ? h->gap : NAN;
        v[3 * n + i] = in ? h->cuts : -1;
        v[4 * n + i] = in ? h->feasibility_cuts : -1;
        v[5 * n + i] = in ? h->seconds : NAN;
    }
    for (int k = V_H_LB; ok && k <= V_H_SECONDS; k++)
        ok = !has_history(f, k) ||
             put_rows(f, pvars[k].name, H5T_NATIVE_DOUBLE, g, 1, 1, v + (k - V_H_LB) * n);
    free(v);
    return ok;
}

static int put_policy(hid_t f, const sm_results_info *info, const sm_plan_run *run, size_t g)
{
    const sm_plan_point *pt = &run->points[g];
    return put_scenarios(f, info, run, g) &&
           put_scenario_measures(f, run, info->sweep->grid_size, g) &&
           put_portfolio(f, info->model, pt, g, V_COMMITMENT) &&
           put_portfolio(f, info->model, pt, g, V_COMMITMENT_EV) && put_measures(f, run, g) &&
           put_history(f, run, g);
}

/* ---- the checkpoint ----------------------------------------------------- */

static hid_t ck_type(char t)
{
    return t == 'd' ? H5T_NATIVE_DOUBLE : t == 'i' ? H5T_NATIVE_INT32 : H5T_NATIVE_UINT8;
}

/* One checkpoint array into grp: its dataset (1-D, growing) reused when
 * there is one of that type, so that saving a checkpoint every iteration
 * overwrites the last one in place rather than leaving it behind. */
static int put_array(hid_t grp, const sm_plan_array *arr)
{
    hid_t type = ck_type(arr->type), ds = -1;
    hsize_t n = arr->n;
    if (H5Lexists(grp, arr->name, H5P_DEFAULT) > 0) {
        ds = H5Dopen2(grp, arr->name, H5P_DEFAULT);
        hid_t t = ds >= 0 ? H5Dget_type(ds) : -1;
        int same = t >= 0 && H5Tget_class(t) == H5Tget_class(type) &&
                   H5Tget_size(t) == H5Tget_size(type);
        if (t >= 0)
            H5Tclose(t);
        if (ds >= 0 && !same) {
            H5Dclose(ds);
            ds = -1;
            if (H5Ldelete(grp, arr->name, H5P_DEFAULT) < 0)
                return 0;
        }
    }
    if (ds < 0) {
        hsize_t zero = 0, max = H5S_UNLIMITED, chunk = 8192;
        hid_t dcpl = sm_h5_dcpl(type, 1, &chunk, NULL);
        hid_t space = H5Screate_simple(1, &zero, &max);
        ds = H5Dcreate2(grp, arr->name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        H5Sclose(space);
        H5Pclose(dcpl);
    }
    int ok = ds >= 0 && H5Dset_extent(ds, &n) >= 0 &&
             (n == 0 || H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, arr->data) >= 0);
    if (ds >= 0)
        H5Dclose(ds);
    return ok;
}

/* /plan_resume holds ck (each array by its name; the solver finds them by
 * name) and the policy it is of; removed when there is none. */
static int put_checkpoint(hid_t f, const sm_plan_checkpoint *ck, size_t ck_g)
{
    int exists = H5Lexists(f, "plan_resume", H5P_DEFAULT) > 0;
    if (!ck)
        return !exists || H5Ldelete(f, "plan_resume", H5P_DEFAULT) >= 0;
    hid_t grp = exists ? H5Gopen2(f, "plan_resume", H5P_DEFAULT) : -1;
    if (!exists) {
        hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
        H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
        grp = H5Gcreate2(f, "plan_resume", H5P_DEFAULT, gcpl, H5P_DEFAULT);
        H5Pclose(gcpl);
        exists = grp >= 0 &&
                 sm_h5_attr_text(grp, "long_name", "where the interrupted policy's plan goes "
                                                   "on from (for plan --resume; internal)");
    }
    int ok = exists && (H5Aexists(grp, "policy") <= 0 || H5Adelete(grp, "policy") >= 0) &&
             sm_h5_attr_i64(grp, "policy", (long long)ck_g);
    for (int a = 0; ok && a < ck->n_arrays; a++)
        ok = put_array(grp, &ck->arrays[a]);
    if (grp >= 0)
        H5Gclose(grp);
    return ok;
}

sm_status sm_plan_file_save(const char *path, const sm_results_info *info, const sm_plan_run *run,
                            size_t g0, size_t g1, const sm_plan_checkpoint *ck, size_t ck_g,
                            sm_diag *d)
{
    sm_h5_quiet();
    char *tmp = sm_partial_name(path);
    if (!tmp)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    sm_status st = SM_OK;
    int e = sm_copy_file(path, tmp);
    if (e)
        st = sm_diag_fail_at(d, SM_EOUTPUT, path, "cannot copy it to save the plan: %s",
                             strerror(e));
    hid_t f = st == SM_OK ? sm_h5_open(tmp, H5F_ACC_RDWR) : -1;
    int ok = f >= 0;
    for (size_t g = g0; ok && g < g1; g++)
        ok = put_policy(f, info, run, g);
    ok = ok && put_checkpoint(f, ck, ck_g);
    ok = (f < 0 || H5Fclose(f) >= 0) && ok;
    if (st == SM_OK && !ok)
        st = sm_diag_fail_at(d, SM_EOUTPUT, path, "cannot save the plan%s%s",
                             *sm_h5_last_error() ? ": " : "", sm_h5_last_error());
    if (st == SM_OK && (e = sm_put_in_place(tmp, path, 1)) != 0)
        st = sm_diag_fail_at(d, SM_EOUTPUT, path, "cannot put the saved plan in place: %s",
                             strerror(e));
    if (st != SM_OK)
        unlink(tmp);
    free(tmp);
    return st;
}

/* ---- resuming ----------------------------------------------------------- */

/* The plan settings the file was made with must be this run's: they
 * change what a plan yields. */
static sm_status check_settings(hid_t f, const char *path, const sm_plan_run *run, sm_diag *d)
{
    char kind[32] = "";
    sm_h5_read_attr_text(f, "file_kind", kind, sizeof kind);
    if (strcmp(kind, "plan") != 0)
        return sm_diag_error(d, path, 0, 0, "is not a plan file (file_kind '%s'): plan --resume "
                                            "continues a plan file", kind);
    double gap = NAN, tl = NAN, rw = NAN, ca = NAN;
    long long il = -1;
    sm_h5_read_attr_f64(f, "plan_gap_tolerance", &gap);
    sm_h5_read_attr_i64(f, "plan_iteration_limit", &il);
    sm_h5_read_attr_f64(f, "plan_time_limit_s", &tl);
    sm_h5_read_attr_f64(f, "plan_risk_weight", &rw);
    sm_h5_read_attr_f64(f, "plan_cvar_alpha", &ca);
    if (gap != run->gap_tolerance || il != run->iteration_limit || tl != run->time_limit_s ||
        rw != run->risk_weight || ca != run->cvar_alpha)
        return sm_diag_error(d, path, 0, 0, "was made with --gap %g --max-iterations %lld "
                             "--time-limit %g --risk-weight %g --cvar %g; resume with the same "
                             "settings (given: %g, %d, %g, %g, %g)", gap, il, tl, rw, ca,
                             run->gap_tolerance, run->iteration_limit, run->time_limit_s,
                             run->risk_weight, run->cvar_alpha);
    return SM_OK;
}

/* done[g]: policy g was planned (its plan_stop is neither not_run nor
 * interrupted). */
static int read_done(hid_t f, size_t G, uint8_t *done)
{
    int8_t *stop = malloc(G + 1);
    hid_t ds = H5Dopen2(f, "plan_stop", H5P_DEFAULT);
    int ok = stop && ds >= 0 &&
             H5Dread(ds, H5T_NATIVE_INT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, stop) >= 0;
    for (size_t g = 0; ok && g < G; g++)
        done[g] = stop[g] != 0 && stop[g] != SM_PLAN_INTERRUPTED;
    if (ds >= 0)
        H5Dclose(ds);
    free(stop);
    return ok;
}

/* One checkpoint array, by its HDF5 type. */
static herr_t read_array(hid_t grp, const char *name, const H5L_info_t *info, void *ctx)
{
    (void)info;
    sm_plan_checkpoint *ck = ctx;
    hid_t ds = H5Dopen2(grp, name, H5P_DEFAULT);
    hid_t t = ds >= 0 ? H5Dget_type(ds) : -1, sp = ds >= 0 ? H5Dget_space(ds) : -1;
    hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    char type = t < 0 ? 0 : H5Tget_class(t) == H5T_FLOAT ? 'd' : H5Tget_size(t) == 4 ? 'i' : 'b';
    sm_plan_array *grown = realloc(ck->arrays, ((size_t)ck->n_arrays + 1) * sizeof *grown);
    int ok = n >= 0 && type && grown && strlen(name) < sizeof grown->name;
    if (grown)
        ck->arrays = grown;
    sm_plan_array *a = ok ? &ck->arrays[ck->n_arrays] : NULL;
    if (a) {
        memset(a, 0, sizeof *a);
        snprintf(a->name, sizeof a->name, "%s", name);
        a->type = type;
        a->n = (size_t)n;
        a->data = malloc((size_t)n * (type == 'd' ? 8 : type == 'i' ? 4 : 1) + 1);
        ok = a->data && (n == 0 || H5Dread(ds, ck_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                           a->data) >= 0);
        ck->n_arrays++; /* freed with the checkpoint even when the read failed */
    }
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (ds >= 0)
        H5Dclose(ds);
    return ok ? 0 : -1;
}

static int read_checkpoint(hid_t f, sm_plan_checkpoint *ck, size_t *ck_g)
{
    if (H5Lexists(f, "plan_resume", H5P_DEFAULT) <= 0)
        return 1;
    hid_t grp = H5Gopen2(f, "plan_resume", H5P_DEFAULT);
    long long g = -1;
    int ok = grp >= 0 && sm_h5_read_attr_i64(grp, "policy", &g) && g >= 0 &&
             H5Literate(grp, H5_INDEX_CRT_ORDER, H5_ITER_INC, NULL, read_array, ck) >= 0;
    *ck_g = (size_t)g;
    if (grp >= 0)
        H5Gclose(grp);
    return ok;
}

sm_status sm_plan_file_resume(const char *path, sm_results_info *info, const sm_plan_run *run,
                              uint8_t *done, sm_plan_checkpoint *ck, size_t *ck_g, sm_diag *d)
{
    memset(ck, 0, sizeof *ck);
    *ck_g = 0;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (access(path, F_OK) != 0)
        return sm_diag_error(d, path, 0, 0, "nothing to resume: the file does not exist (run "
                                            "without --resume to start it)");
    if (H5Fis_hdf5(path) <= 0)
        return sm_diag_error(d, path, 0, 0, "is not an HDF5 file, so not a plan file to resume");
    hid_t f = sm_h5_open_read(path);
    if (f < 0)
        return sm_diag_error(d, path, 0, 0, "cannot be opened: damaged; start again with --force");
    sm_status st = sm_results_check_identity(f, path, info, SM_PLAN_LAYOUT_VERSION, d);
    if (st == SM_OK)
        st = check_settings(f, path, run, d);
    if (st == SM_OK && (!read_done(f, info->sweep->grid_size, done) ||
                        !read_checkpoint(f, ck, ck_g) || *ck_g >= info->sweep->grid_size))
        st = sm_diag_error(d, path, 0, 0, "is damaged: its plan_stop or /plan_resume do not "
                                          "read back; start again with --force");
    H5Fclose(f);
    if (st != SM_OK)
        sm_plan_checkpoint_free(ck);
    return st;
}
