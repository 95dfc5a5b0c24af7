/* The plan file (see plan_h5.h and docs/RESULTS.md, "Plan files"). */
#include "plan_h5.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5_hl.h>

#include "h5_util.h"

/* Every dataset of the group is small: contiguous, written whole. */
static hid_t dataset(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims)
{
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t ds = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Sclose(space);
    return ds;
}

/* A variable over the given dimension scales (all already scales). */
static int var(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
               const hid_t *scales, const void *data, const char *units, const char *long_name)
{
    hid_t ds = dataset(loc, name, type, rank, dims);
    int ok = ds >= 0 && H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0;
    for (int i = 0; ok && i < rank; i++)
        ok = H5DSattach_scale(ds, scales[i], (unsigned)i) >= 0;
    ok = ok && sm_h5_attr_text(ds, "units", units) && sm_h5_attr_text(ds, "long_name", long_name);
    if (ok && strcmp(units, "s") == 0)
        ok = sm_h5_attr_text(ds, "comment", "wall-clock time: differs between identical runs");
    if (ds >= 0)
        H5Dclose(ds);
    return ok;
}

/* A new dimension scale holding 0..n-1. */
static hid_t index_scale(hid_t loc, const char *name, size_t n, const char *long_name)
{
    long long *v = malloc((n + 1) * sizeof *v);
    hsize_t dims[1] = {n};
    hid_t ds = v ? dataset(loc, name, H5T_NATIVE_LLONG, 1, dims) : -1;
    for (size_t i = 0; v && i < n; i++)
        v[i] = (long long)i;
    int ok = ds >= 0 && H5Dwrite(ds, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0 &&
             H5DSset_scale(ds, name) >= 0 && sm_h5_attr_text(ds, "long_name", long_name);
    free(v);
    if (!ok && ds >= 0) {
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

/* k per offer into [grid point][supplier][material][period]. */
static double *portfolio_array(const sm_model *m, const sm_plan_run *run, int average)
{
    size_t U = (size_t)m->n_suppliers, M = (size_t)m->n_materials, T = (size_t)m->n_periods;
    size_t per = U * M * T;
    double *a = calloc(run->n_points * per + 1, sizeof *a);
    for (size_t g = 0; a && g < run->n_points; g++) {
        const double *k = average ? run->points[g].kbar_full : run->points[g].k_full;
        for (int o = 0; o < m->n_offers; o++) {
            size_t u = (size_t)m->offers[o].supplier, mat = (size_t)m->offers[o].material;
            for (size_t t = 0; t < T; t++)
                a[g * per + (u * M + mat) * T + t] = k ? k[(size_t)o * T + t] : NAN;
        }
    }
    return a;
}

typedef struct measures {
    double *v[12];
    int32_t *iterations, *eev_infeasible;
    int8_t *stop;
} measures;

enum { M_RP, M_LB, M_UB, M_GAP, M_WS, M_EEV, M_EVPI, M_VSS, M_FEES, M_FEES_BAR, M_SECONDS, M_N };

static const struct {
    const char *name, *units, *long_name;
} measure_desc[M_N] = {
    {"rp", "USD", "RP: fees(k*) + expected second-stage cost of the plan's portfolio (the upper bound)"},
    {"rp_lower_bound", "USD", "lower bound on RP from the master problem"},
    {"rp_upper_bound", "USD", "upper bound on RP (the incumbent's value; equals rp)"},
    {"gap", "1", "relative gap (upper − lower) / |upper| at the stop"},
    {"ws", "USD", "WS: expected perfect-foresight cost (wait and see)"},
    {"eev", "USD", "EEV: expected cost of the average future's portfolio (inf: infeasible in some future)"},
    {"evpi", "USD", "EVPI = RP − WS: what knowing the future would be worth"},
    {"vss", "USD", "VSS = EEV − RP: what planning for every future instead of the average one buys"},
    {"commitment_cost", "USD", "fees(k*): commitment fees of the plan's portfolio"},
    {"commitment_cost_average_future", "USD", "fees(k-bar) of the average future's portfolio"},
    {"seconds", "s", "wall-clock time of the decomposition"},
};

static int write_measures(hid_t grp, const sm_plan_run *run, hid_t gscale)
{
    size_t G = run->n_points;
    measures ms;
    memset(&ms, 0, sizeof ms);
    int ok = 1;
    for (int i = 0; i < M_N; i++)
        ok &= (ms.v[i] = calloc(G + 1, sizeof(double))) != NULL;
    ms.iterations = calloc(G + 1, sizeof(int32_t));
    ms.eev_infeasible = calloc(G + 1, sizeof(int32_t));
    ms.stop = calloc(G + 1, 1);
    ok &= ms.iterations && ms.eev_infeasible && ms.stop;
    for (size_t g = 0; ok && g < G; g++) {
        const sm_plan_point *pt = &run->points[g];
        ms.v[M_RP][g] = pt->rp_value;
        ms.v[M_LB][g] = pt->rp.lb;
        ms.v[M_UB][g] = pt->rp.ub;
        ms.v[M_GAP][g] = pt->rp.gap;
        ms.v[M_WS][g] = pt->ws;
        ms.v[M_EEV][g] = pt->eev;
        ms.v[M_EVPI][g] = pt->evpi;
        ms.v[M_VSS][g] = pt->vss;
        ms.v[M_FEES][g] = pt->rp.fees;
        ms.v[M_FEES_BAR][g] = pt->fees_bar;
        ms.v[M_SECONDS][g] = pt->seconds;
        ms.iterations[g] = pt->rp.iterations;
        ms.eev_infeasible[g] = (int32_t)pt->eev_infeasible;
        ms.stop[g] = (int8_t)pt->rp.stop;
    }
    hsize_t dims[1] = {G};
    for (int i = 0; ok && i < M_N; i++)
        ok = var(grp, measure_desc[i].name, H5T_NATIVE_DOUBLE, 1, dims, &gscale, ms.v[i],
                 measure_desc[i].units, measure_desc[i].long_name);
    ok = ok && var(grp, "iterations", H5T_NATIVE_INT32, 1, dims, &gscale, ms.iterations, "1",
                   "iterations of the L-shaped method (master solve + every future)");
    ok = ok && var(grp, "eev_infeasible", H5T_NATIVE_INT32, 1, dims, &gscale, ms.eev_infeasible,
                   "1", "futures infeasible at the average future's portfolio");
    ok = ok && var(grp, "stop", H5T_NATIVE_INT8, 1, dims, &gscale, ms.stop, "1",
                   "why the decomposition stopped");
    if (ok) {
        hid_t ds = H5Dopen2(grp, "stop", H5P_DEFAULT);
        int8_t flags[SM_PLAN_N_STOP];
        char meanings[256] = "";
        for (int s = 0; s < SM_PLAN_N_STOP; s++) {
            flags[s] = (int8_t)s;
            strcat(meanings, s ? " " : "");
            strcat(meanings, sm_plan_stop_names[s]);
        }
        ok = ds >= 0 &&
             sm_h5_attr_num(ds, "flag_values", H5T_NATIVE_INT8, flags, SM_PLAN_N_STOP) &&
             sm_h5_attr_text(ds, "flag_meanings", meanings);
        if (ds >= 0)
            H5Dclose(ds);
    }
    for (int i = 0; i < M_N; i++)
        free(ms.v[i]);
    free(ms.iterations);
    free(ms.eev_infeasible);
    free(ms.stop);
    return ok;
}

/* Per scenario: its perfect-foresight cost, its regret and its policy's
 * fees, along the file's own scenario scale. */
static int write_per_scenario(hid_t file, hid_t grp, const sm_sweep *sw, const sm_plan_run *run)
{
    size_t n = sw->n_scenarios, G = sw->grid_size;
    double *z = malloc((n + 1) * sizeof *z), *regret = malloc((n + 1) * sizeof *regret);
    int ok = z && regret;
    for (size_t i = 0; ok && i < n; i++) {
        const sm_plan_point *pt = &run->points[i % G];
        size_t s = i / G;
        z[i] = pt->z ? pt->z[s] : NAN;
        regret[i] = pt->regret ? pt->regret[s] : NAN;
    }
    hid_t scale = ok ? H5Dopen2(file, "scenario", H5P_DEFAULT) : -1;
    hsize_t dims[1] = {n};
    ok = ok && scale >= 0;
    ok = ok && var(grp, "wait_and_see_cost", H5T_NATIVE_DOUBLE, 1, dims, &scale, z, "USD",
                   "Z_s: the future's perfect-foresight cost (fees included)");
    ok = ok && var(grp, "regret", H5T_NATIVE_DOUBLE, 1, dims, &scale, regret, "USD",
                   "fees(k*) + Q_s(k*) − Z_s");
    ok = ok && var(file, "cost_commitment", H5T_NATIVE_DOUBLE, 1, dims, &scale, run->fees, "USD",
                   "fees(k*) of the scenario's policy: the part of total_cost paid on the "
                   "commitment");
    if (scale >= 0)
        H5Dclose(scale);
    free(z);
    free(regret);
    return ok;
}

/* The convergence history as one table: a row per iteration of each
 * grid point, in grid point order. */
static int write_history(hid_t grp, const sm_plan_run *run)
{
    size_t n = 0;
    for (size_t g = 0; g < run->n_points; g++)
        n += (size_t)run->points[g].rp.iterations;
    long long *gp = malloc((n + 1) * sizeof *gp);
    int32_t *it = malloc((n + 1) * sizeof *it), *cuts = malloc((n + 1) * sizeof *cuts);
    double *col[4];
    int ok = gp && it && cuts;
    for (int c = 0; c < 4; c++)
        ok &= (col[c] = malloc((n + 1) * sizeof(double))) != NULL;
    size_t r = 0;
    for (size_t g = 0; ok && g < run->n_points; g++)
        for (int i = 0; i < run->points[g].rp.iterations; i++, r++) {
            const sm_plan_iter *h = &run->points[g].rp.hist[i];
            gp[r] = (long long)g;
            it[r] = i + 1;
            cuts[r] = h->cuts;
            col[0][r] = h->lb;
            col[1][r] = h->ub;
            col[2][r] = h->gap;
            col[3][r] = h->seconds;
        }
    hid_t hs = ok ? index_scale(grp, "history", n, "one iteration of one grid point's plan") : -1;
    hsize_t dims[1] = {n};
    ok = ok && hs >= 0;
    ok = ok && var(grp, "history_grid_point", H5T_NATIVE_LLONG, 1, dims, &hs, gp, "1",
                   "the grid point the iteration belongs to");
    ok = ok && var(grp, "history_iteration", H5T_NATIVE_INT32, 1, dims, &hs, it, "1",
                   "iteration number, from 1");
    ok = ok && var(grp, "history_cuts", H5T_NATIVE_INT32, 1, dims, &hs, cuts, "1",
                   "optimality cuts added to the master in the iteration");
    ok = ok && var(grp, "history_lower_bound", H5T_NATIVE_DOUBLE, 1, dims, &hs, col[0], "USD",
                   "lower bound after the iteration");
    ok = ok && var(grp, "history_upper_bound", H5T_NATIVE_DOUBLE, 1, dims, &hs, col[1], "USD",
                   "upper bound after the iteration");
    ok = ok && var(grp, "history_gap", H5T_NATIVE_DOUBLE, 1, dims, &hs, col[2], "1",
                   "relative gap after the iteration");
    ok = ok && var(grp, "history_seconds", H5T_NATIVE_DOUBLE, 1, dims, &hs, col[3], "s",
                   "seconds since the grid point's plan started");
    if (hs >= 0)
        H5Dclose(hs);
    free(gp);
    free(it);
    free(cuts);
    for (int c = 0; c < 4; c++)
        free(col[c]);
    return ok;
}

static int write_portfolios(hid_t file, hid_t grp, const sm_model *m, const sm_plan_run *run,
                            hid_t gscale)
{
    hid_t sc[4] = {gscale, H5Dopen2(file, "supplier", H5P_DEFAULT),
                   H5Dopen2(file, "material", H5P_DEFAULT), H5Dopen2(file, "period", H5P_DEFAULT)};
    hsize_t dims[4] = {run->n_points, (hsize_t)m->n_suppliers, (hsize_t)m->n_materials,
                       (hsize_t)m->n_periods};
    double *k = portfolio_array(m, run, 0), *kbar = portfolio_array(m, run, 1);
    int ok = sc[1] >= 0 && sc[2] >= 0 && sc[3] >= 0 && k && kbar;
    ok = ok && var(grp, "portfolio", H5T_NATIVE_DOUBLE, 4, dims, sc, k, "t",
                   "k*: tonnes committed now, per contract offer and period (0 for spot offers "
                   "and pairs a supplier does not offer)");
    ok = ok && var(grp, "portfolio_average_future", H5T_NATIVE_DOUBLE, 4, dims, sc, kbar, "t",
                   "k-bar: the portfolio optimal for the average future (for EEV)");
    for (int i = 1; i < 4; i++)
        if (sc[i] >= 0)
            H5Dclose(sc[i]);
    free(k);
    free(kbar);
    return ok;
}

static int write_messages(hid_t grp, const sm_plan_run *run, hid_t gscale)
{
    const char **msg = malloc((run->n_points + 1) * sizeof *msg);
    if (!msg)
        return 0;
    for (size_t g = 0; g < run->n_points; g++)
        msg[g] = run->points[g].rp.message;
    hid_t t = sm_h5_vlen_utf8();
    hsize_t dims[1] = {run->n_points};
    hid_t ds = dataset(grp, "stop_message", t, 1, dims);
    int ok = ds >= 0 && H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, msg) >= 0 &&
             H5DSattach_scale(ds, gscale, 0) >= 0 &&
             sm_h5_attr_text(ds, "long_name", "why a policy has no plan (empty when it has one)");
    if (ds >= 0)
        H5Dclose(ds);
    H5Tclose(t);
    free(msg);
    return ok;
}

static int write_plan_group(hid_t file, const sm_model *m, const sm_sweep *sw,
                            const sm_plan_run *run)
{
    hid_t grp = H5Gcreate2(file, "plan", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (grp < 0)
        return 0;
    hid_t gs = index_scale(grp, "grid_point", run->n_points,
                           "a policy: grid point g is scenario g's grid values (sample 0)");
    int ok = gs >= 0 && write_measures(grp, run, gs) && write_portfolios(file, grp, m, run, gs) &&
             write_per_scenario(file, grp, sw, run) && write_history(grp, run) &&
             write_messages(grp, run, gs);
    ok = ok && sm_h5_attr_num(grp, "gap_tolerance", H5T_NATIVE_DOUBLE, &run->gap_tolerance, 1) &&
         sm_h5_attr_i64(grp, "iteration_limit", run->iteration_limit) &&
         sm_h5_attr_num(grp, "time_limit_s", H5T_NATIVE_DOUBLE, &run->time_limit_s, 1) &&
         sm_h5_attr_text(grp, "method", "L-shaped, multi-cut (one theta per future)") &&
         sm_h5_attr_text(grp, "risk", "risk neutral: expectation over equally likely futures");
    if (gs >= 0)
        H5Dclose(gs);
    H5Gclose(grp);
    return ok;
}

sm_status sm_plan_write(const char *path, const sm_results_info *info, int force,
                        const sm_plan_run *run, sm_diag *d)
{
    sm_results *res = NULL;
    sm_status st = sm_results_create(path, info, force, &res, d);
    const sm_sweep *sw = info->sweep;
    for (size_t b = 0; st == SM_OK && b < run->n_blocks; b++)
        st = sm_results_write(res, b * sw->block_size, run->blocks[b], d);
    sm_status cst = sm_results_close(&res, d);
    if (st != SM_OK)
        return st;
    if (cst != SM_OK)
        return cst;
    hid_t file = sm_h5_open(path, H5F_ACC_RDWR);
    if (file < 0)
        return sm_diag_fail_at(d, SM_EOUTPUT, path, "cannot reopen the plan file to add /plan");
    int ok = write_plan_group(file, info->model, sw, run) &&
             H5Adelete(file, "results_layout_version") >= 0 &&
             sm_h5_attr_i64(file, "results_layout_version", SM_PLAN_LAYOUT_VERSION) &&
             sm_h5_attr_text(file, "file_kind", "plan");
    ok = H5Fclose(file) >= 0 && ok;
    if (!ok)
        return sm_diag_fail_at(d, SM_EOUTPUT, path, "cannot write the /plan group");
    return SM_OK;
}
