/* `supplymix plan [MODEL] --sweep SWEEP -o PLAN.h5`: the two-stage plan
 * of every policy of a sweep (MODEL.md Part 2), its measures and summary. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/files.h"
#include "../io/model_load.h"
#include "../io/plan_h5.h"
#include "../io/sweep_load.h"
#include "../io/writer_lock.h"
#include "../solver/plan_sweep.h"
#include "cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: supplymix plan [MODEL] --sweep SWEEP -o PLAN.h5 [-j THREADS] [--gap G]\n"
            "                      [--max-iterations N] [--time-limit S] [--force]\n"
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
            "  --force                replace PLAN.h5 if it exists (never done otherwise)\n"
            "  -h, --help             show this help\n");
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
                 const char **jarg, int *force)
{
    static const struct option opts[] = {{"help", no_argument, 0, 'h'},
                                         {"sweep", required_argument, 0, 's'},
                                         {"output", required_argument, 0, 'o'},
                                         {"threads", required_argument, 0, 'j'},
                                         {"gap", required_argument, 0, 'g'},
                                         {"max-iterations", required_argument, 0, 'I'},
                                         {"time-limit", required_argument, 0, 'T'},
                                         {"force", no_argument, 0, 'f'},
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
        default: usage(stderr); return 2;
        }
    }
    if (!*sweep || !*out || argc - optind > 1) {
        fprintf(stderr, "supplymix plan: give --sweep SWEEP and -o PLAN.h5 (and at most one "
                        "MODEL)\n");
        usage(stderr);
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

/* The summary: per policy, what to commit by region and material, and the
 * measures. */
static void summary(const sm_model *m, const sm_sweep *sw, const sm_plan_run *run)
{
    int T = m->n_periods;
    for (size_t g = 0; g < run->n_points; g++) {
        const sm_plan_point *pt = &run->points[g];
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
        print_usd("RP (plan's expected cost)", pt->rp_value);
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
        for (int r = 0; pt->k_full && r < m->n_regions; r++)
            for (int mat = 0; mat < m->n_materials; mat++) {
                double tons = 0.0;
                for (int o = 0; o < m->n_offers; o++)
                    if (m->offers[o].material == mat &&
                        m->suppliers[m->offers[o].supplier].region == r)
                        for (int t = 0; t < T; t++)
                            tons += pt->k_full[(size_t)o * (size_t)T + (size_t)t];
                if (tons > 0.0)
                    printf("  commit %-12s %-12s %12.1f t over the horizon\n",
                           m->regions[r].name, m->materials[mat].name, tons);
            }
    }
}

/* The output must be a regular file (or absent), no link, no input. */
int sm_cmd_plan(int argc, char **argv)
{
    sm_plan_opts o;
    sm_plan_opts_init(&o);
    const char *sweep_arg = NULL, *out = NULL, *jarg = NULL;
    int force = 0;
    int code = parse(argc, argv, &o, &sweep_arg, &out, &jarg, &force);
    if (code >= 0)
        return code;
    if (!sm_cli_threads("plan", jarg, &o.threads))
        return 2;
    sm_diag d;
    sm_diag_init(&d);
    sm_status st = SM_OK;
    sm_plan_run run;
    sm_writer_lock lock = SM_WRITER_LOCK_NONE;
    memset(&run, 0, sizeof run);
    sm_cli_inputs in;
    SM_TRY(sm_cli_inputs_load(optind < argc ? argv[optind] : NULL, sweep_arg, &in, &d));
    const sm_model *m = in.m;
    const sm_sweep *sw = in.sw;
    SM_TRY(sm_cli_check_output(out, &in, &d));
    SM_TRY(sm_writer_lock_take(out, &lock, &d));
    if (!force && access(out, F_OK) == 0)
        SM_TRY(sm_diag_error(&d, out, 0, 0, "exists; give --force to replace it"));
    sm_diag_print(&d, stderr); /* warnings */
    sm_diag_clear(&d);
    fprintf(stderr, "supplymix: plan over sweep '%s': %zu polic%s x %zu futures, %d contract "
                    "offer(s), %d thread%s, writing %s\n",
            sw->name, sw->grid_size, sw->grid_size == 1 ? "y" : "ies", sw->samples,
            m->n_contracts, o.threads, o.threads == 1 ? "" : "s", out);
    SM_TRY(sm_plan_sweep(in.p, sw, &o, 1, on_point, &run, &run, &d));
    sm_results_info info = {m, sw, sm_cli_command_line, o.threads, 1, 1, 0, 1,
                            o.lp.it_lim, o.lp.tm_lim_ms / 1000.0, NULL};
    SM_TRY(sm_plan_file_create(out, &info, force, &run, &d));
    SM_TRY(sm_plan_file_save(out, &info, &run, 0, run.n_points, NULL, 0, &d));
    summary(m, sw, &run);
    fprintf(stderr, "supplymix: planned %zu polic%s in %.2f s; wrote %s\n", run.n_points,
            run.n_points == 1 ? "y" : "ies", run.seconds, out);
done:
    sm_writer_lock_release(&lock);
    sm_plan_run_free(&run);
    sm_cli_inputs_free(&in);
    return sm_cli_finish(st, &d);
}
