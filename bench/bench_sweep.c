/* sm_bench: reproducible figures for the sweep engine on the shipped
 * sweeps (issue 3's benchmark). Prints, per sweep: scenarios/s on 1 and 2
 * threads (results written to a real file), the ratio to a cold start per
 * scenario, mean simplex iterations warm and cold, the share of thread time
 * inside the simplex, and peak memory of `supplymix run` at two sweep sizes.
 *
 * usage: sm_bench [--model DIR] [--sweep NAME|FILE]... [--cold-sample N] [--no-memory]
 *                 [--repeat N] [--ratio-test]
 * --repeat N: runs per figure, the best kept (default 3); the 1- and
 * 2-thread runs alternate, and the 2-thread speed-up is also given as the
 * median of the N paired ratios.
 * --ratio-test prints only the comparison of the warm ratio tests (Harris
 * against GLPK's long-step test), one thread, results written, best of 3
 * runs each, the two alternating so that background load hits both alike.
 * With SM_ENGINE_TRACE set, each run's engine timeline (blocks, waits,
 * idle time, the writer) goes to stderr, as for supplymix run.
 * Timings are wall-clock on this machine: rerun to compare. */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "io/model_load.h"
#include "io/results_h5.h"
#include "io/sweep_load.h"
#include "solver/engine.h"

static sm_status to_file(void *ctx, size_t first, const sm_block *b, sm_diag *d)
{
    return sm_results_write(ctx, first, b, d);
}

static sm_status pack(void *ctx, void **state, size_t first, sm_block *b, sm_diag *d)
{
    return sm_results_pack(ctx, (sm_pack_scratch **)state, first, b, d);
}

static void pack_free(void *state)
{
    sm_pack_scratch *s = state;
    sm_results_pack_scratch_free(&s);
}

static sm_status discard(void *ctx, size_t first, const sm_block *b, sm_diag *d)
{
    (void)ctx, (void)first, (void)b, (void)d;
    return SM_OK;
}

typedef struct figures {
    double rate, wall, solve_frac, busy_frac, iters, kept, loop_ms, pack_frac;
    double duals_only;   /* share of scenarios checked by their duals alone */
    double earlier;      /* share started from an earlier basis than the last (order.h) */
    size_t pilot_starts; /* scenarios started from the pilot's basis for them (engine.c) */
    double direct;       /* share sent straight to the simplex (engine.c, solve_start) */
    double outside_us;   /* microseconds a scenario in the loop outside sm_lp_solve */
    double cpu;          /* the process's user + system CPU seconds for the run */
    size_t n, fallbacks;
} figures;

/* One run of sw: every block, or only those where skip[b] is 0. */
static sm_ratio_test ratio_test = SM_RATIO_FLIP; /* the sweeps' default */
static sm_ratio_test loop_ratio = SM_RATIO_HARRIS; /* --index-loop's */
static sm_lp_engine engine = SM_LP_GLPK;

static double process_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

static int measure_once(const sm_problem *p, const sm_sweep *sw, int threads, int cold, int natural,
                   const uint8_t *skip, int write, figures *f)
{
    sm_diag d;
    sm_diag_init(&d);
    sm_results *res = NULL;
    char path[] = "/tmp/sm_bench_XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0)
        close(fd);
    if (write) {
        sm_results_info info = {p->model, sw, "sm_bench", threads, 1, 1, 0, 1, 0, 0, NULL, 0, NULL, 0,
                                sm_lp_engine_name(engine), sm_ratio_test_name(ratio_test)};
        if (sm_results_create(path, &info, 1, &res, &d) != SM_OK) {
            sm_diag_print(&d, stderr);
            return 0;
        }
    }
    sm_run_opts o;
    sm_run_opts_init(&o);
    o.threads = threads;
    o.cold = cold;
    o.natural_order = natural;
    o.block_done = skip;
    o.lp.warm_ratio = ratio_test;
    o.lp.engine = engine;
    o.trace = getenv("SM_ENGINE_TRACE") ? stderr : NULL; /* as for supplymix run */
    if (write) {
        o.prepare = pack;
        o.prepare_ctx = (void *)sm_results_get_shape(res);
        o.prepare_free = pack_free;
    }
    sm_run_stats s;
    double cpu0 = process_cpu_s();
    sm_status st = sm_engine_run(p, sw, &o, write ? to_file : discard, res, &s, &d);
    f->cpu = process_cpu_s() - cpu0;
    f->fallbacks = s.ratio_fallbacks;
    sm_results_close(&res, &d);
    unlink(path);
    if (st != SM_OK) {
        sm_diag_print(&d, stderr);
        sm_diag_clear(&d);
        return 0;
    }
    sm_diag_clear(&d);
    f->n = s.scenarios;
    f->wall = s.wall_s;
    f->rate = s.scenarios / s.wall_s;
    f->solve_frac = s.busy_s > 0 ? s.solve_s / s.busy_s : 0;
    f->busy_frac = s.busy_s / (s.wall_s * threads);
    f->iters = (double)s.iterations / (double)s.scenarios;
    f->loop_ms = 1e3 * s.busy_s / (double)s.scenarios;
    f->pack_frac = s.prepare_s / (s.wall_s * threads);
    f->kept = (double)s.kept_basis / (double)s.scenarios;
    f->duals_only = (double)s.duals_only / (double)s.scenarios;
    f->earlier = (double)s.earlier_starts / (double)s.scenarios;
    f->pilot_starts = s.pilot_starts;
    f->direct = (double)s.direct_starts / (double)s.scenarios;
    f->outside_us = 1e6 * (s.busy_s - s.solve_s) / (double)s.scenarios;
    return 1;
}

/* Runs per figure (--repeat): the best is kept. */
static int repeats = 3;

/* The best of `repeats` runs: the figure least disturbed by whatever else
 * the machine was doing (the runs are deterministic, only their time
 * varies; on a shared 2-core machine the 2-thread speed-up of a best of 3
 * moves by +-0.2, so quote it from --repeat 9 or more). */
static int measure(const sm_problem *p, const sm_sweep *sw, int threads, int cold, int natural,
                   const uint8_t *skip, int write, figures *f)
{
    figures best = {0};
    for (int k = 0; k < repeats; k++) {
        figures one;
        if (!measure_once(p, sw, threads, cold, natural, skip, write, &one))
            return 0;
        if (one.rate > best.rate)
            best = one;
    }
    *f = best;
    return 1;
}

/* The warm 1- and 2-thread figures, results written, from runs taken in
 * turn (1 2 1 2 ...) so that a burst of load elsewhere hits both alike;
 * the best of `repeats` each, and *paired the median of the `repeats`
 * ratios of a 2-thread run to the 1-thread run just before it. On the
 * project's VMs the same 1-thread china_grid run takes 440 to 530 ms of
 * CPU, so the best against the best swings with whichever run was
 * luckiest: over 12 sweeps of --repeat 9 it ranged 1.56-1.99x where the
 * paired median ranged 1.71-1.91x (bench/README.md, "Session 32"). */
static int measure_threads(const sm_problem *p, const sm_sweep *sw, figures *w1, figures *w2,
                           double *paired)
{
    figures best[2];
    memset(best, 0, sizeof best);
    double *ratio = calloc((size_t)repeats, sizeof *ratio);
    if (!ratio) {
        fprintf(stderr, "sm_bench: out of memory\n");
        return 0;
    }
    for (int k = 0; k < repeats; k++) {
        figures one[2];
        for (int t = 0; t < 2; t++) {
            if (!measure_once(p, sw, t + 1, 0, 0, NULL, 1, &one[t])) {
                free(ratio);
                return 0;
            }
            if (one[t].rate > best[t].rate)
                best[t] = one[t];
        }
        ratio[k] = one[1].rate / one[0].rate;
    }
    gsl_sort(ratio, 1, (size_t)repeats);
    *paired = gsl_stats_median_from_sorted_data(ratio, 1, (size_t)repeats);
    free(ratio);
    *w1 = best[0];
    *w2 = best[1];
    return 1;
}

/* Harris against the long-step test on sw, interleaved: H F H F H F. */
static int compare_ratio_tests(const sm_problem *p, const sm_sweep *sw)
{
    static const char *name[2] = {"Harris   ", "long-step"};
    figures best[2], all[2][3];
    memset(best, 0, sizeof best);
    for (int k = 0; k < 3; k++)
        for (int r = 0; r < 2; r++) {
            ratio_test = r ? SM_RATIO_FLIP : SM_RATIO_HARRIS;
            if (!measure_once(p, sw, 1, 0, 0, NULL, 1, &all[r][k]))
                return 0;
            if (all[r][k].rate > best[r].rate)
                best[r] = all[r][k];
        }
    ratio_test = SM_RATIO_FLIP;
    printf("\nsweep %s: %zu scenarios, warm, 1 thread, results written\n", sw->name,
           sw->n_scenarios);
    for (int r = 0; r < 2; r++)
        printf("  %s: %8.0f scenarios/s best of 3 (runs %.0f %.0f %.0f), %.2f iterations a "
               "scenario\n", name[r], best[r].rate, all[r][0].rate, all[r][1].rate,
               all[r][2].rate, best[r].iters);
    for (int r = 0; r < 2; r++)
        printf("  %s: CPU s of the runs %.3f %.3f %.3f, %zu Harris fallbacks\n", name[r],
               all[r][0].cpu, all[r][1].cpu, all[r][2].cpu, all[r][0].fallbacks);
    printf("  long-step / Harris: %.3fx scenarios/s, %.3fx iterations\n",
           best[1].rate / best[0].rate, best[1].iters / (best[0].iters > 0 ? best[0].iters : 1e-9));
    return 1;
}

/* Peak resident memory (MiB) of `supplymix run` on a copy of the sweep
 * with `samples` random futures (or the sweep itself when samples is 0). */
static double peak_rss_mib(const char *exe, const char *sweep_text, size_t samples, size_t *n_out)
{
    char sweep_path[] = "/tmp/sm_bench_sweep_XXXXXX", out[] = "/tmp/sm_bench_out_XXXXXX";
    int fd = mkstemp(sweep_path);
    FILE *f = fdopen(fd, "w");
    /* Replace the samples line. */
    const char *s = sweep_text;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) + 1 : strlen(s);
        if (samples && strncmp(s, "samples:", 8) == 0)
            fprintf(f, "samples: %zu\n", samples);
        else
            fwrite(s, 1, len, f);
        s += len;
    }
    fclose(f);
    int ofd = mkstemp(out);
    close(ofd);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        execl(exe, exe, "run", "--sweep", sweep_path, "-o", out, "-j", "2", "--force", (char *)NULL);
        _exit(127);
    }
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    unlink(sweep_path);
    unlink(out);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    *n_out = samples;
    return (double)ru.ru_maxrss / 1024.0;
}

int main(int argc, char **argv)
{
    const char *sweeps[16];
    int n_sweeps = 0, memory = 1, ratio_only = 0, index_loop = 0;
    size_t cold_sample = 2048;
    const char *model_dir = SM_SOURCE_MODELS_DIR "/rare_earths";
    static const struct option opts[] = {{"sweep", required_argument, 0, 's'},
                                         {"model", required_argument, 0, 'm'},
                                         {"cold-sample", required_argument, 0, 'c'},
                                         {"no-memory", no_argument, 0, 'n'},
                                         {"ratio-test", no_argument, 0, 'r'},
                                         {"lp-engine", required_argument, 0, 'e'},
                                         {"index-loop", no_argument, 0, 'i'},
                                         {"loop-ratio-test", required_argument, 0, 'l'},
                                         {"repeat", required_argument, 0, 'R'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 's' && n_sweeps < 16)
            sweeps[n_sweeps++] = optarg;
        else if (c == 'c')
            cold_sample = strtoul(optarg, NULL, 10);
        else if (c == 'n')
            memory = 0;
        else if (c == 'r')
            ratio_only = 1;
        else if (c == 'i')
            index_loop = 1;
        else if (c == 'm')
            model_dir = optarg;
        else if (c == 'R' && atoi(optarg) > 0)
            repeats = atoi(optarg);
        else if (c == 'e' && sm_lp_engine_parse(optarg, &engine))
            ;
        else if (c == 'l' && sm_ratio_test_parse(optarg, &loop_ratio))
            ;
        else {
            fprintf(stderr, "usage: sm_bench [--model DIR] [--sweep NAME|FILE]... [--cold-sample N] "
                            "[--no-memory] [--repeat N] [--ratio-test] [--index-loop [--loop-ratio-test harris|long-step]] "
                            "[--lp-engine glpk|clp]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    if (!n_sweeps) {
        sweeps[n_sweeps++] = "china_grid";
        sweeps[n_sweeps++] = "monte_carlo";
    }
    const char *dir = model_dir;
    sm_diag d;
    sm_diag_init(&d);
    sm_model *m = NULL;
    sm_problem *p = NULL;
    if (sm_model_load(dir, &m, &d) != SM_OK || sm_problem_new(m, &p, &d) != SM_OK) {
        sm_diag_print(&d, stderr);
        return 1;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 20);
    exe[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        strcpy(slash, "/supplymix"); /* built beside sm_bench */

    printf("sm_bench: model %s (%d rows, %d columns), %ld cores online, LP engine %s\n", m->name,
           p->layout->n_rows, p->layout->n_cols, sysconf(_SC_NPROCESSORS_ONLN),
           sm_lp_engine_name(engine));
    for (int k = 0; k < n_sweeps; k++) {
        char *path = sm_sweep_find(sweeps[k], dir);
        sm_sweep *sw = NULL;
        if (sm_sweep_load(path, m, &sw, &d) != SM_OK) {
            sm_diag_print(&d, stderr);
            return 1;
        }
        if (index_loop) {
            /* A peer of bench/peers.py: one problem warm-started scenario
             * after scenario in index order, nothing written (the engine's
             * blocks, no solve order, no results). */
            /* GLPK's own defaults, the Harris ratio test among them, as
             * the peer; --loop-ratio-test long-step for the other. */
            figures f;
            sm_ratio_test mine = ratio_test;
            ratio_test = loop_ratio;
            int ok = measure(p, sw, 1, 0, 1, NULL, 0, &f);
            ratio_test = mine;
            if (ok)
                printf("index-loop %s: %zu scenarios, %.4f ms a scenario, %.1f iterations\n",
                       sw->name, f.n, 1e3 * f.wall / (double)f.n, f.iters);
            sm_sweep_free(&sw);
            free(path);
            if (!ok)
                return 1;
            continue;
        }
        if (ratio_only) {
            int ok = compare_ratio_tests(p, sw);
            sm_sweep_free(&sw);
            free(path);
            if (!ok)
                return 1;
            continue;
        }
        size_t blocks = sm_sweep_blocks(sw);
        /* Cold starts are slow: time a sample of blocks spread evenly over
         * the sweep, and the warm solver on the same blocks in plain
         * scenario order for comparison. */
        size_t cold_blocks = (cold_sample + sw->block_size - 1) / sw->block_size;
        if (cold_blocks > blocks)
            cold_blocks = blocks;
        uint8_t *skip = malloc(blocks);
        for (size_t b = 0; b < blocks; b++)
            skip[b] = 1;
        for (size_t s = 0; s < cold_blocks; s++)
            skip[s * blocks / cold_blocks] = 0;
        figures w1, w2, cold, nat;
        double paired;
        if (!measure_threads(p, sw, &w1, &w2, &paired) ||
            !measure(p, sw, 1, 1, 1, skip, 0, &cold) || !measure(p, sw, 1, 0, 1, skip, 0, &nat))
            return 1;
        free(skip);
        printf("\nsweep %s: %zu scenarios, block size %zu\n", sw->name, sw->n_scenarios,
               sw->block_size);
        printf("  warm, 1 thread : %8.0f scenarios/s (%.3f ms each), %.1f iterations, %.0f %% "
               "kept the basis (%.0f %% checked by the duals alone), %.0f %% started from an "
               "earlier basis than the last, %zu from the pilot's, %.0f %% sent straight to "
               "the simplex\n", w1.rate, 1e3 / w1.rate, w1.iters, 100 * w1.kept,
               100 * w1.duals_only, 100 * w1.earlier, w1.pilot_starts, 100 * w1.direct);
        printf("  warm, 2 threads: %8.0f scenarios/s, speed-up %.2fx (best against best; the "
               "median of %d paired runs: %.2fx)\n", w2.rate, w2.rate / w1.rate, repeats, paired);
        printf("  2 threads      : %.1f %% of the solve loop outside the simplex, %.0f %% of "
               "thread time compressing results\n", 100 * (1 - w2.solve_frac), 100 * w2.pack_frac);
        printf("  solve loop     : %.3f ms a scenario warm, %.3f ms cold: %.1fx faster (patch, "
               "simplex, read-out; 1 thread)\n", w1.loop_ms, cold.loop_ms, cold.loop_ms / w1.loop_ms);
        printf("  in the simplex : %.1f %% of the solve loop; outside it: %.1f %% (%.1f us a "
               "scenario)\n", 100 * w1.solve_frac, 100 * (1 - w1.solve_frac), w1.outside_us);
        printf("  wall time      : %.0f %% in solve loops, %.0f %% compressing results (1 thread)\n",
               100 * w1.busy_frac, 100 * w1.pack_frac);
        printf("  cold start     : %8.0f scenarios/s (%.3f ms each), %.1f iterations "
               "(%zu scenarios from blocks spread over the sweep, no results written)\n", cold.rate, 1e3 / cold.rate,
               cold.iters, cold.n);
        printf("  warm vs cold   : %.1fx faster per scenario, %.1fx fewer iterations\n",
               w1.rate / cold.rate, cold.iters / (w1.iters > 0 ? w1.iters : 1e-9));
        printf("  warm, no order : %8.0f scenarios/s, %.1f iterations (scenario order, same "
               "scenarios as cold)\n", nat.rate, nat.iters);
        if (memory && sw->samples > 1) {
            size_t n1 = 0, n2 = 0;
            double r1 = peak_rss_mib(exe, sw->text, 1000 / sw->grid_size, &n1);
            double r2 = peak_rss_mib(exe, sw->text, 100000 / sw->grid_size, &n2);
            printf("  peak memory    : %.1f MiB at %zu scenarios, %.1f MiB at %zu scenarios "
                   "(supplymix run -j 2, full results)\n",
                   r1, n1 * sw->grid_size, r2, n2 * sw->grid_size);
        }
        sm_sweep_free(&sw);
        free(path);
    }
    sm_problem_free(&p);
    sm_model_free(&m);
    return 0;
}
