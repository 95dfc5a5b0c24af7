/* `supplymix plan [MODEL] --sweep SWEEP -o PLAN.h5`: the two-stage plan
 * of every policy of a sweep (MODEL.md Part 2), its measures and summary. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/files.h"
#include "../io/model_load.h"
#include "../io/plan_h5.h"
#include "../io/sweep_load.h"
#include "../io/writer_lock.h"
#include "../solver/plan_mpi.h"
#include "../solver/plan_sweep.h"
#include "cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: supplymix plan [MODEL] --sweep SWEEP -o PLAN.h5 [-j THREADS] [--gap G]\n"
            "                      [--max-iterations N] [--time-limit S] [--cvar ALPHA]\n"
            "                      [--risk-weight LAMBDA] [--force | --resume]\n"
            "\n"
            "For each grid point of SWEEP (a policy: the sweep's listed values), the\n"
            "portfolio of contract commitments to sign now that minimises commitment fees\n"
            "plus the expected cost over the sweep's random futures (docs/MODEL.md Part 2),\n"
            "by the L-shaped method; with RP, WS, EEV, EVPI, VSS and each future's regret.\n"
            "PLAN.h5 is a results file of every future at its policy's portfolio, with the\n"
            "plan's variables over a `policy` dimension (docs/RESULTS.md, \"Plan files\").\n"
            "\n"
            "options:\n"
            "  --sweep SWEEP          the sweep whose grid and futures to plan over (required)\n"
            "  -o, --output FILE      the plan file to write (required)\n"
            "  -j, --threads N        solver threads (as for run)\n"
            "  --gap G                stop at this relative gap between the bounds\n"
            "                         (default 1e-6)\n"
            "  --max-iterations N     stop a policy's plan after N iterations (default 500)\n"
            "  --time-limit S         stop a policy's plan after S seconds (default: none)\n"
            "  --cvar ALPHA           the CVaR level alpha in [0, 1): CVaR is the mean cost of\n"
            "                         the worst (1 - ALPHA) share of futures (default: the\n"
            "                         sweep's plan.cvar_alpha, else 0.95)\n"
            "  --risk-weight LAMBDA   minimise fees + (1 - LAMBDA) E[cost] + LAMBDA CVaR[cost],\n"
            "                         LAMBDA in [0, 1] (default: the sweep's plan.risk_weight,\n"
            "                         else 0, the expected cost)\n"
            "  --force                replace PLAN.h5 if it exists (never done otherwise)\n"
            "  --resume               continue PLAN.h5, saved by an interrupted plan of the\n"
            "                         same model, sweep and settings: planned policies are\n"
            "                         kept, the unfinished one goes on from its checkpoint\n"
            "  -h, --help             show this help\n");
    sm_cli_lp_engine_usage(out, 23);
    fprintf(out,
            "\n"
            "PLAN.h5 is saved as each policy is planned, and the unfinished policy's\n"
            "checkpoint at most every 30 s. SIGINT, SIGTERM, SIGHUP or SIGUSR1 stop the\n"
            "plan with what is done saved (exit code 3); a second Ctrl-C exits at once.\n"
            "Either way, or after a kill, --resume continues it and ends with the same\n"
            "file as an uninterrupted plan (in the MPI build, on any number of ranks).\n");
}

/* A positive number option; 0 after printing why not. */
static int number_opt(const char *name, const char *arg, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end || !(v >= lo && v <= hi)) {
        fprintf(stderr, "supplymix plan: --%s: '%s' is not a number in [%g, %g]\n", name, arg,
                lo, hi);
        return 0;
    }
    *out = v;
    return 1;
}

static int parse(int argc, char **argv, sm_plan_opts *o, const char **sweep, const char **out,
                 const char **jarg, int *force, int *resume, double *risk)
{
    static const struct option opts[] = {{"help", no_argument, 0, 'h'},
                                         {"sweep", required_argument, 0, 's'},
                                         {"output", required_argument, 0, 'o'},
                                         {"threads", required_argument, 0, 'j'},
                                         {"gap", required_argument, 0, 'g'},
                                         {"max-iterations", required_argument, 0, 'I'},
                                         {"time-limit", required_argument, 0, 'T'},
                                         {"force", no_argument, 0, 'f'},
                                         {"resume", no_argument, 0, 'r'},
                                         {"risk-weight", required_argument, 0, 'w'},
                                         {"cvar", required_argument, 0, 'a'},
                                         {"lp-engine", required_argument, 0, 'E'},
                                         {0, 0, 0, 0}};
    int c;
    double v;
    while ((c = getopt_long(argc, argv, "ho:j:", opts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 's': *sweep = optarg; break;
        case 'o': *out = optarg; break;
        case 'j': *jarg = optarg; break;
        case 'f': *force = 1; break;
        case 'r': *resume = 1; break;
        case 'g':
            if (!number_opt("gap", optarg, 0.0, 1.0, &o->gap))
                return 2;
            break;
        case 'I':
            if (!number_opt("max-iterations", optarg, 1, 1e6, &v))
                return 2;
            if (v != floor(v)) {
                fprintf(stderr, "supplymix plan: --max-iterations: '%s' is not a whole number\n",
                        optarg);
                return 2;
            }
            o->max_iterations = (int)v;
            break;
        case 'T':
            if (!number_opt("time-limit", optarg, 1e-3, 1e9, &o->time_limit_s))
                return 2;
            break;
        case 'w':
            if (!sm_cli_risk_option("plan", "--risk-weight", optarg, &risk[0]))
                return 2;
            break;
        case 'a':
            if (!sm_cli_risk_option("plan", "--cvar", optarg, &risk[1]))
                return 2;
            break;
        case 'E':
            if (!sm_cli_lp_engine("plan", optarg, &o->lp))
                return 2;
            break;
        default: usage(stderr); return 2;
        }
    }
    if (!*sweep || !*out || argc - optind > 1) {
        fprintf(stderr, "supplymix plan: give --sweep SWEEP and -o PLAN.h5 (and at most one "
                        "MODEL)\n");
        usage(stderr);
        return 2;
    }
    if (*resume && *force) {
        fprintf(stderr, "supplymix plan: --resume continues PLAN.h5 and --force replaces it: "
                        "give one of them\n");
        return 2;
    }
    return -1;
}

static void on_point(void *ctx, size_t g, const sm_plan_point *pt)
{
    const sm_plan_run *run = ctx;
    fprintf(stderr, "supplymix: policy %zu/%zu: %s after %d iteration(s), %.2f s, gap %.2g\n",
            g + 1, run->n_points, sm_plan_stop_names[pt->rp.stop], pt->rp.iterations,
            pt->seconds, pt->rp.gap);
}

static void print_usd(const char *label, double v)
{
    if (isinf(v))
        printf("  %-34s %15s\n", label, "inf");
    else if (isnan(v))
        printf("  %-34s %15s\n", label, "-");
    else
        printf("  %-34s %15.0f USD\n", label, v);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Regret P50, P90 and P99 over the futures, interpolated between ranks
 * as numpy.percentile (the plots' summary.md) does; nothing when the
 * policy has no plan. */
static void print_regret(const sm_plan_point *pt)
{
    double *r = malloc((pt->n + 1) * sizeof *r);
    size_t n = 0;
    for (size_t s = 0; r && pt->regret && s < pt->n; s++)
        if (isfinite(pt->regret[s]))
            r[n++] = pt->regret[s];
    if (n) {
        qsort(r, n, sizeof *r, by_value);
        const double q[3] = {0.50, 0.90, 0.99};
        printf("  %-34s", "regret P50 / P90 / P99");
        for (int i = 0; i < 3; i++) {
            double pos = q[i] * (double)(n - 1), lo = floor(pos);
            size_t a = (size_t)lo, b = a + 1 < n ? a + 1 : a;
            printf(" %.0f%s", r[a] + (pos - lo) * (r[b] - r[a]), i < 2 ? " /" : " USD\n");
        }
    }
    free(r);
}

/* RP with its bounds, WS, EEV, EVPI, VSS and the regrets of one policy. */
static void print_measures(const sm_plan_point *pt)
{
    print_usd("RP (plan's cost, fees included)", pt->rp_value);
    print_usd("  lower bound", pt->rp.lb);
    printf("  %-34s %15.3g\n", "  relative gap", pt->rp.gap);
    print_usd("  of which commitment fees", pt->rp.fees);
    print_usd("WS (perfect foresight)", pt->ws);
    print_usd("EEV (average-future plan)", pt->eev);
    print_usd("EVPI = RP - WS", pt->evpi);
    print_usd("VSS = EEV - RP", pt->vss);
    if (pt->eev_infeasible)
        printf("  the average future's portfolio leaves %zu future(s) infeasible\n",
               pt->eev_infeasible);
    print_regret(pt);
}

/* What to commit, by region and material, over the horizon. */
static void print_commitments(const sm_model *m, const sm_plan_point *pt)
{
    int T = m->n_periods;
    for (int r = 0; pt->k_full && r < m->n_regions; r++)
        for (int mat = 0; mat < m->n_materials; mat++) {
            double tons = 0.0;
            for (int o = 0; o < m->n_offers; o++)
                if (m->offers[o].material == mat && m->suppliers[m->offers[o].supplier].region == r)
                    for (int t = 0; t < T; t++)
                        tons += pt->k_full[(size_t)o * (size_t)T + (size_t)t];
            if (tons > 0.0)
                printf("  commit %-12s %-12s %12.1f t over the horizon\n", m->regions[r].name,
                       m->materials[mat].name, tons);
        }
}

/* The summary: per policy, its grid values, how the plan ended, the
 * measures and what to commit. */
static void summary(const sm_model *m, const sm_sweep *sw, const sm_plan_run *run,
                    const uint8_t *done)
{
    for (size_t g = 0; g < run->n_points; g++) {
        const sm_plan_point *pt = &run->points[g];
        if (done[g]) {
            printf("policy %zu: planned before the resume (its figures are in the plan file)\n",
                   g);
            continue;
        }
        double *vals = malloc(((size_t)sw->n_params + 1) * sizeof *vals);
        printf("policy %zu", g);
        if (vals) {
            sm_sweep_values(sw, g, vals);
            for (int k = 0; k < sw->n_params; k++)
                if (sw->params[k].axis == SM_AXIS_GRID)
                    printf("  %s = %g", sw->params[k].name, vals[k]);
        }
        free(vals);
        printf(" (%zu futures): %s, %d iterations, %.2f s\n", pt->n,
               sm_plan_stop_names[pt->rp.stop], pt->rp.iterations, pt->seconds);
        if (pt->rp.message[0])
            printf("  %s\n", pt->rp.message);
        print_measures(pt);
        print_commitments(m, pt);
    }
}

/* How often the unfinished policy's checkpoint goes to disk: each save
 * copies the plan file, so at most every 30 s (overhead well under 1 %
 * for files up to hundreds of MB; a kill loses at most 30 s of that
 * policy), and always when a stop is requested. Finished policies are
 * saved at once. SM_PLAN_CHECKPOINT_SECONDS overrides it (tests: 0). */
#define CHECKPOINT_SECONDS 30.0

typedef struct saver {
    const char *out;
    const sm_results_info *info;
    double last, interval;
    int rank;
} saver;

static sm_status save(void *ctx, const sm_plan_run *run, size_t g, const sm_plan_checkpoint *ck,
                      sm_diag *d)
{
    saver *s = ctx;
    double now = sm_clock_s();
    sm_status st = SM_OK;
    /* A stop requested on any rank (a signal may reach one) saves this
     * checkpoint: the solver agreed on the stop before taking it. */
    int stopping = sm_plan_mpi_any(sm_cli_stop_flag);
    if (s->rank == 0 && (!ck || stopping || now - s->last >= s->interval)) {
        s->last = now;
        st = ck ? sm_plan_file_save(s->out, s->info, run, 0, 0, ck, g, d)
                : sm_plan_file_save(s->out, s->info, run, g, g + 1, NULL, 0, d);
    }
    /* Every rank takes part in each save (MPI ranks: rank 0 writes), so a
     * failed save ends them all at the same point. */
    return sm_plan_mpi_agree(st);
}

/* Whether save would store a checkpoint now (the stop aside, which is
 * always saved), so that the solver builds only those: rank 0's clock,
 * agreed. */
static int save_due(void *ctx)
{
    const saver *s = ctx;
    return sm_plan_mpi_any(s->rank == 0 && sm_clock_s() - s->last >= s->interval);
}

/* A new plan file, or the one to resume: done[g] for the policies it
 * holds, *ck the unfinished one's checkpoint. */
static sm_status open_plan(const char *out, int force, int resume, sm_results_info *info,
                           const sm_plan_opts *o, uint8_t *done, sm_plan_checkpoint *ck,
                           size_t *ck_g, sm_diag *d)
{
    sm_plan_run settings;
    memset(&settings, 0, sizeof settings);
    sm_plan_run_settings(&settings, o);
    if (!resume && !force && access(out, F_OK) == 0)
        return sm_diag_error(d, out, 0, 0,
                             "exists; give --force to replace it, or --resume to continue it");
    if (!resume) {
        sm_cli_signal_partial(out);
        return sm_plan_file_create(out, info, force, &settings, d);
    }
    sm_status st = sm_plan_file_resume(out, info, &settings, done, ck, ck_g, d);
    if (st != SM_OK)
        return st;
    size_t G = info->sweep->grid_size, n = 0;
    for (size_t g = 0; g < G; g++)
        n += done[g];
    fprintf(stderr, "supplymix: resuming %s: %zu of %zu polic%s already planned", out, n, G,
            G == 1 ? "y" : "ies");
    if (ck->n_arrays)
        fprintf(stderr, "; policy %zu goes on from its checkpoint", *ck_g + 1);
    fprintf(stderr, "\n");
    sm_cli_signal_partial(out);
    return SM_OK;
}

/* The closing lines; SM_EINTERRUPTED when a signal stopped the plan. */
static sm_status finish(const char *out, const sm_model *m, const sm_sweep *sw,
                        const sm_plan_run *run, const uint8_t *done)
{
    size_t planned = 0, now = 0, G = run->n_points;
    for (size_t g = 0; g < G; g++) {
        int here = run->points[g].rp.stop != 0 && run->points[g].rp.stop != SM_PLAN_INTERRUPTED;
        planned += done[g] || here;
        now += here;
    }
    if (run->interrupted) {
        size_t part = G;
        for (size_t g = 0; g < G; g++)
            if (run->points[g].rp.stop == SM_PLAN_INTERRUPTED)
                part = g;
        char ckpt[96] = "";
        if (part < G)
            snprintf(ckpt, sizeof ckpt, ", and policy %zu up to its last iteration", part + 1);
        fprintf(stderr, "supplymix: interrupted: %zu of %zu polic%s planned and saved in %s%s; "
                        "continue with the same command and --resume\n",
                planned, G, G == 1 ? "y" : "ies", out, ckpt);
        return SM_EINTERRUPTED;
    }
    if (now == 0) {
        fprintf(stderr, "supplymix: nothing left to do: every policy of %s is planned\n", out);
        return SM_OK;
    }
    summary(m, sw, run, done);
    fprintf(stderr, "supplymix: planned %zu polic%s in %.2f s; wrote %s\n", G,
            G == 1 ? "y" : "ies", run->seconds, out);
    return SM_OK;
}

/* Rank 0's plan file: checked, locked, created or opened to resume. */
static sm_status open_output(const char *out, int force, int resume, sm_cli_inputs *in,
                             sm_results_info *info, const sm_plan_opts *o, uint8_t *done,
                             sm_plan_checkpoint *ck, size_t *ck_g, sm_writer_lock *lock,
                             sm_diag *d)
{
    sm_status st = sm_cli_check_output(out, in, d);
    if (st == SM_OK)
        st = sm_writer_lock_take(out, lock, d);
    if (st != SM_OK)
        return st;
    sm_cli_signal_lock(lock->lock_path);
    return open_plan(out, force, resume, info, o, done, ck, ck_g, d);
}

static void announce(const sm_model *m, const sm_sweep *sw, const sm_plan_opts *o,
                     const char *out, int ranks)
{
    fprintf(stderr, "supplymix: plan over sweep '%s': %zu polic%s x %zu futures, %d contract "
                    "offer(s), %d thread%s, writing %s\n",
            sw->name, sw->grid_size, sw->grid_size == 1 ? "y" : "ies", sw->samples,
            m->n_contracts, o->threads, o->threads == 1 ? "" : "s", out);
    if (ranks > 1)
        fprintf(stderr, "supplymix: %d MPI ranks, each solving its share of every policy's "
                        "futures; rank 0 writes\n", ranks);
    if (o->risk_weight > 0.0)
        fprintf(stderr, "supplymix: objective fees + %g E[cost] + %g CVaR_%g[cost]: RP, WS and "
                        "EEV below are this, not the expected cost\n",
                1.0 - o->risk_weight, o->risk_weight, o->cvar_alpha);
}

int sm_cmd_plan(int argc, char **argv)
{
    sm_plan_opts o;
    sm_plan_opts_init(&o);
    const char *sweep_arg = NULL, *out = NULL, *jarg = NULL;
    int force = 0, resume = 0, rank = sm_plan_mpi_rank(), ranks = sm_plan_mpi_ranks();
    double risk[2] = {NAN, NAN};   /* --risk-weight, --cvar as given */
    int code = parse(argc, argv, &o, &sweep_arg, &out, &jarg, &force, &resume, risk);
    if (code >= 0)
        return code;
    if (!sm_cli_threads("plan", jarg, &o.threads))
        return 2;
    sm_cli_install_signals();
    o.stop_flag = &sm_cli_stop_flag;
    sm_diag d;
    sm_diag_init(&d);
    sm_status st = SM_OK;
    sm_plan_run run;
    sm_plan_checkpoint ck = {0, NULL};
    sm_writer_lock lock = SM_WRITER_LOCK_NONE;
    memset(&run, 0, sizeof run);
    uint8_t *done = NULL;
    int opened = 0;
    sm_cli_inputs in;
    st = sm_cli_inputs_load(optind < argc ? argv[optind] : NULL, sweep_arg, &in, &d);
    const sm_model *m = in.m;
    const sm_sweep *sw = in.sw;
    if (st == SM_OK)
        sm_cli_plan_risk(sw, risk[0], risk[1], &o.risk_weight, &o.cvar_alpha);
    if (st == SM_OK && sm_cli_stop_flag)
        st = sm_diag_fail(&d, SM_EINTERRUPTED, "interrupted during start-up; %s was not written",
                          out);
    if (st == SM_OK && !(done = calloc(sw->grid_size + 1, 1)))
        st = sm_diag_fail(&d, SM_ENOMEM, "out of memory");
    sm_results_info info = {m, sw, sm_cli_command_line, o.threads, ranks, 1, 0, 1,
                            o.lp.it_lim, o.lp.tm_lim_ms / 1000.0, &sm_cli_stop_requested, 1, NULL, 0,
                            sm_lp_engine_name(o.lp.engine), sm_ratio_test_name(o.lp.warm_ratio)};
    size_t ck_g = 0;
    if (st == SM_OK && rank == 0) {
        st = open_output(out, force, resume, &in, &info, &o, done, &ck, &ck_g, &lock, &d);
        opened = st == SM_OK;
    }
    /* Every rank plans, or none: a rank that could not start stops them all. */
    SM_TRY(sm_plan_mpi_agree(st));
    if (resume)
        SM_TRY(sm_plan_mpi_share_resume(done, sw->grid_size, &ck, &ck_g, &d));
    if (rank == 0) {
        sm_diag_print(&d, stderr); /* warnings */
        announce(m, sw, &o, out, ranks);
    }
    sm_diag_clear(&d);
    const char *every = getenv("SM_PLAN_CHECKPOINT_SECONDS");
    saver sv = {out, &info, sm_clock_s(), every ? atof(every) : CHECKPOINT_SECONDS, rank};
    sm_plan_hooks hooks = {rank == 0 ? on_point : NULL, &run, save, &sv, done, &ck, ck_g,
                           save_due};
    SM_TRY(sm_plan_sweep_from(in.p, sw, &o, 1, &hooks, &run, &d));
    if (rank == 0)
        st = finish(out, m, sw, &run, done);
    else
        st = run.interrupted ? SM_EINTERRUPTED : SM_OK;
done:
    if (rank != 0)
        sm_diag_clear(&d); /* rank 0 reports */
    sm_cli_signal_partial(NULL);
    sm_cli_signal_lock(NULL); /* not ours once released */
    sm_writer_lock_release(&lock);
    sm_plan_run_free(&run);
    sm_plan_checkpoint_free(&ck);
    sm_cli_inputs_free(&in);
    free(done);
    if (st == SM_EOUTPUT && opened) {
        sm_diag_print(&d, stderr);
        sm_diag_clear(&d);
        fprintf(stderr, "supplymix: could not save %s; what was saved before is intact: free "
                        "space (or fix the cause), then continue with the same command and "
                        "--resume\n", out);
    }
    return sm_cli_finish(st, &d);
}
