/* sm_bench_plan: one policy's plan (the L-shaped method) under chosen
 * master settings, against one plain sweep of the same futures, for
 * bench/bench_plan.py and bench/README.md ("Plans").
 *
 * usage: sm_bench_plan --model DIR --sweep FILE [--grid-point G] [-j N]
 *                      [--blocks B] [--trust 0|1] [--radius R] [--drop A]
 *                      [--gap G] [--max-iterations N] [--sweep-time]
 * --blocks -1 (default) is the plan's own choice from the number of
 * futures, 0 one cut per future (multi-cut), 1 a single cut. Prints
 * one line of name=value pairs: the plan's iterations and stop reason,
 * RP, its lower bound and gap, seconds in all (RP only: not WS or EEV),
 * in the master LP and solving futures, and the master's most rows; with
 * --sweep-time also the best of 3 plain sweeps (engine only, results
 * discarded) of the whole sweep file, which should have one grid point
 * for the ratio to mean "the same futures". Deterministic apart from the
 * times. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/clock.h"
#include "io/model_load.h"
#include "io/sweep_load.h"
#include "solver/engine.h"
#include "solver/plan.h"

static sm_status discard(void *ctx, size_t first, const sm_block *b, sm_diag *d)
{
    (void)ctx, (void)first, (void)b, (void)d;
    return SM_OK;
}

/* The best of three plain sweeps, seconds, and their CPU seconds. */
static double sweep_seconds(const sm_problem *p, const sm_sweep *sw, int threads, double *cpu)
{
    double best = 1e300;
    *cpu = 1e300;
    for (int k = 0; k < 3; k++) {
        sm_diag d;
        sm_diag_init(&d);
        sm_run_opts o;
        sm_run_opts_init(&o);
        o.threads = threads;
        sm_run_stats s;
        double c0 = sm_clock_process_cpu_s();
        if (sm_engine_run(p, sw, &o, discard, NULL, &s, &d) != SM_OK) {
            sm_diag_print(&d, stderr);
            return -1.0;
        }
        sm_diag_clear(&d);
        if (sm_clock_process_cpu_s() - c0 < *cpu)
            *cpu = sm_clock_process_cpu_s() - c0;
        if (s.wall_s < best)
            best = s.wall_s;
    }
    return best;
}

static int plan_once(const sm_problem *p, const sm_sweep *sw, size_t g, const sm_plan_opts *o)
{
    sm_diag d;
    sm_diag_init(&d);
    sm_basis *base = NULL;
    sm_plan_point pt = {0};
    if (sm_plan_base_basis(p, &o->lp, &base, &d) != SM_OK ||
        sm_plan_point_run(p, sw, g, o, base, NULL, NULL, &pt, &d) != SM_OK) {
        sm_diag_print(&d, stderr);
        return 0;
    }
    const sm_plan_result *r = &pt.rp;
    printf("futures=%zu iterations=%d stop=%s rp=%.10g lb=%.10g gap=%.3g seconds=%.3f "
           "master_s=%.3f futures_s=%.3f master_cpu_s=%.3f futures_cpu_s=%.3f master_rows_max=%d "
           "master_solves=%ld master_pivots=%ld master_rescues=%ld",
           pt.n, r->iterations, sm_plan_stop_names[r->stop], r->ub, r->lb, r->gap, r->seconds,
           r->master_seconds, r->futures_seconds, r->master_cpu_s, r->futures_cpu_s, r->master_rows_max, r->master_solves, r->master_iterations, r->master_rescues);
    sm_plan_point_free(&pt);
    sm_basis_free(&base);
    sm_diag_clear(&d);
    return 1;
}

static void usage(void)
{
    fprintf(stderr, "usage: sm_bench_plan --model DIR --sweep FILE [--grid-point G] [-j N] "
                    "[--blocks B] [--trust 0|1] [--radius R] [--drop A] [--gap G] "
                    "[--max-iterations N] [--sweep-time]\n");
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *sweep = NULL;
    size_t g = 0;
    int sweep_time = 0, c;
    sm_plan_opts o;
    sm_plan_opts_init(&o);
    static const struct option opts[] = {
        {"model", 1, 0, 'm'}, {"sweep", 1, 0, 's'}, {"grid-point", 1, 0, 'g'},
        {"blocks", 1, 0, 'b'}, {"trust", 1, 0, 't'}, {"radius", 1, 0, 'r'},
        {"drop", 1, 0, 'a'}, {"gap", 1, 0, 'G'}, {"max-iterations", 1, 0, 'i'},
        {"sweep-time", 0, 0, 'w'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    while ((c = getopt_long(argc, argv, "j:h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': dir = optarg; break;
        case 's': sweep = optarg; break;
        case 'g': g = strtoul(optarg, NULL, 10); break;
        case 'j': o.threads = atoi(optarg); break;
        case 'b': o.cut_blocks = atoi(optarg); break;
        case 't': o.trust_region = atoi(optarg); break;
        case 'r': o.trust_radius = atof(optarg); break;
        case 'a': o.drop_age = atoi(optarg); break;
        case 'G': o.gap = atof(optarg); break;
        case 'i': o.max_iterations = atoi(optarg); break;
        case 'w': sweep_time = 1; break;
        default: usage(); return c == 'h' ? 0 : 2;
        }
    }
    if (!dir || !sweep) {
        usage();
        return 2;
    }
    sm_diag d;
    sm_diag_init(&d);
    sm_model *m = NULL;
    sm_problem *p = NULL;
    sm_sweep *sw = NULL;
    if (sm_model_load(dir, &m, &d) != SM_OK || sm_problem_new(m, &p, &d) != SM_OK ||
        sm_sweep_load(sweep, m, &sw, &d) != SM_OK) {
        sm_diag_print(&d, stderr);
        return 1;
    }
    int ok = plan_once(p, sw, g, &o);
    if (ok && sweep_time) {
        double cpu, s = sweep_seconds(p, sw, o.threads, &cpu);
        ok = s >= 0.0;
        printf(" sweep_s=%.4f sweep_cpu_s=%.4f sweep_scenarios=%zu", s, cpu, sw->n_scenarios);
    }
    printf("\n");
    sm_sweep_free(&sw);
    sm_problem_free(&p);
    sm_model_free(&m);
    sm_lp_thread_end();
    return ok ? 0 : 1;
}
