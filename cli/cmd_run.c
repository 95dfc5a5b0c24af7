/* `supplymix run [MODEL] --sweep SWEEP -o OUT.h5`: the sweep, on every
 * core, into one results file. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../io/model_load.h"
#include "../models/blocks.h"
#include "../io/results_h5.h"
#include "../io/sweep_load.h"
#include "../solver/engine.h"
#ifdef SM_WITH_MPI
#include "../solver/engine_mpi.h"
#endif
#include "cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: supplymix run [MODEL] --sweep SWEEP -o OUT.h5 [-j THREADS]\n"
            "                     [--force | --resume] [--summaries-only] [--slice K/N|slurm]\n"
            "\n"
            "Solve every scenario of SWEEP (a sweep file, or the name of one of the model's\n"
            "shipped sweeps, e.g. quick, china_grid, monte_carlo) on MODEL (default: the\n"
            "shipped rare_earths model) and write the results file OUT.h5 (docs/RESULTS.md).\n"
            "\n"
            "options:\n"
            "  --sweep SWEEP        the sweep to run (required)\n"
            "  -o, --output FILE    the results file to write (required)\n"
            "  -j, --threads N      solver threads; default: OMP_NUM_THREADS, else\n"
            "                       SLURM_CPUS_PER_TASK, else every core\n"
            "  --force              replace OUT.h5 if it exists (never done otherwise)\n"
            "  --resume             continue OUT.h5, made by an interrupted run of the same\n"
            "                       model and sweep: solve only what is not complete\n"
            "  --slice K/N          solve only slice K (0-based) of N: a shard with the same\n"
            "                       layout, for job arrays; join shards with `supplymix merge`\n"
            "  --slice slurm        K and N from SLURM_ARRAY_TASK_ID (minus\n"
            "                       SLURM_ARRAY_TASK_MIN) and SLURM_ARRAY_TASK_COUNT\n"
            "  --iteration-limit N  simplex iterations allowed per scenario (default 100000)\n"
            "  --time-limit S       seconds allowed per scenario (default 60); a scenario\n"
            "                       that reaches a limit is recorded as iteration_limit or\n"
            "                       time_limit (a time limit makes results depend on the\n"
            "                       machine's speed, so keep it generous)\n"
            "  --summaries-only     leave out the per-period arrays (purchases, stock,\n"
            "                       shortfall, marginal costs, limit duals) to keep files\n"
            "                       of millions of scenarios small\n"
            "  -h, --help           show this help\n"
            "\n"
            "Progress goes to stderr: a progress line on a terminal, a log line every\n"
            "30 s otherwise. SIGINT, SIGTERM or SIGUSR1 stop the run within about a\n"
            "second, with every finished scenario saved (exit code 3); a second Ctrl-C\n"
            "exits at once. Either way, or after a kill, --resume continues the file and\n"
            "ends with the same results as an uninterrupted run.\n");
}

/* --slice K/N, or --slice slurm for a job array's task. */
static int parse_slice(const char *arg, int *k, int *n)
{
    char tail;
    if (!strcmp(arg, "slurm")) {
        const char *id = getenv("SLURM_ARRAY_TASK_ID"), *min = getenv("SLURM_ARRAY_TASK_MIN"),
                   *count = getenv("SLURM_ARRAY_TASK_COUNT");
        if (!id || !count) {
            fprintf(stderr, "supplymix run: --slice slurm: SLURM_ARRAY_TASK_ID and "
                            "SLURM_ARRAY_TASK_COUNT are not set (not inside a job array?)\n");
            return 0;
        }
        *k = atoi(id) - (min ? atoi(min) : 0);
        *n = atoi(count);
    } else if (sscanf(arg, "%d/%d%c", k, n, &tail) != 2) {
        fprintf(stderr, "supplymix run: --slice: expected K/N (e.g. 0/4) or slurm, got '%s'\n", arg);
        return 0;
    }
    if (*n < 1 || *k < 0 || *k >= *n) {
        fprintf(stderr, "supplymix run: --slice: need 0 <= K < N, got %d/%d\n", *k, *n);
        return 0;
    }
    return 1;
}

/* ---- progress ----------------------------------------------------------- */

typedef struct progress {
    double t0, last;
    int tty;
    double interval;
} progress;

static void fmt_duration(char *buf, size_t size, double s)
{
    if (!isfinite(s) || s < 0)
        snprintf(buf, size, "?");
    else if (s < 90)
        snprintf(buf, size, "%.0f s", s);
    else if (s < 5400)
        snprintf(buf, size, "%.0f min", s / 60);
    else
        snprintf(buf, size, "%.1f h", s / 3600);
}

static void on_progress(void *ctx, size_t done, size_t total)
{
    progress *p = ctx;
    double now = sm_clock_s();
    int final = done >= total;
    if (!final && now - p->last < p->interval)
        return;
    p->last = now;
    double el = now - p->t0, rate = el > 0 ? (double)done / el : 0;
    char left[32];
    fmt_duration(left, sizeof left, rate > 0 ? (double)(total - done) / rate : NAN);
    double pct = total ? 100.0 * (double)done / (double)total : 100.0;
    if (p->tty)
        fprintf(stderr, "\r  %zu/%zu scenarios (%5.1f %%)  %.0f/s  %s left   %s", done, total,
                pct, rate, left, final ? "\n" : "");
    else
        fprintf(stderr, "supplymix: %zu/%zu scenarios (%.1f %%), %.0f/s, about %s left\n",
                done, total, pct, rate, left);
    fflush(stderr);
}

/* ---- signals ------------------------------------------------------------ */

static atomic_int stop_requested;

static void on_signal(int sig)
{
    /* A second Ctrl-C means now: the file is written in single-writer
     * mode, so it stays readable and resumable. */
    if (sig == SIGINT && atomic_load(&stop_requested))
        _exit(3);
    atomic_store(&stop_requested, 1);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
}

/* Scenarios in blocks [b0, b1). */
static size_t slice_scenarios(const sm_sweep *sw, size_t b0, size_t b1)
{
    return sm_blocks_scenarios(sw->n_scenarios, sw->block_size, b0, b1);
}

static sm_status write_block(void *ctx, size_t first, const sm_block *b, sm_diag *d)
{
    return sm_results_write(ctx, first, b, d);
}

/* Solver threads compress their block into the file's chunks; the shape
 * of the chunks is all they need, so ranks without the file do it too. */
static sm_status pack_block(void *ctx, size_t first, sm_block *b, sm_diag *d)
{
    return sm_results_pack(ctx, first, b, d);
}

#ifdef SM_WITH_MPI
static sm_status wire_decode(void *ctx, const unsigned char *in, size_t len, sm_block *b,
                             size_t *first, sm_diag *d)
{
    return sm_results_wire_decode(ctx, in, len, b, first, d);
}
#endif

/* With several ranks, agree on the status; only rank 0's messages print. */
static sm_status agree(sm_status st, int ranks, int rank, sm_diag *d)
{
#ifdef SM_WITH_MPI
    if (ranks > 1) {
        sm_status all = sm_mpi_agree(st);
        if (rank != 0)
            sm_diag_clear(d);
        return all;
    }
#else
    (void)ranks, (void)rank, (void)d;
#endif
    return st;
}

int sm_cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, 0, 'h'},
                                         {"sweep", required_argument, 0, 's'},
                                         {"output", required_argument, 0, 'o'},
                                         {"threads", required_argument, 0, 'j'},
                                         {"force", no_argument, 0, 'f'},
                                         {"resume", no_argument, 0, 'r'},
                                         {"summaries-only", no_argument, 0, 'S'},
                                         {"slice", required_argument, 0, 'k'},
                                         {"iteration-limit", required_argument, 0, 'I'},
                                         {"time-limit", required_argument, 0, 'T'},
                                         {0, 0, 0, 0}};
    const char *sweep_arg = NULL, *out = NULL, *jarg = NULL, *slice_arg = NULL;
    int force = 0, resume = 0, summaries = 0, c;
    sm_lp_opts lp_opts;
    sm_lp_opts_init(&lp_opts);
    while ((c = getopt_long(argc, argv, "ho:j:", opts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 's': sweep_arg = optarg; break;
        case 'o': out = optarg; break;
        case 'j': jarg = optarg; break;
        case 'f': force = 1; break;
        case 'r': resume = 1; break;
        case 'S': summaries = 1; break;
        case 'k': slice_arg = optarg; break;
        case 'I':
        case 'T': {
            char *end;
            double v = strtod(optarg, &end);
            if (*end || !(v >= 1) || v > 1e9) {
                fprintf(stderr, "supplymix run: --%s: '%s' is not a positive number\n",
                        c == 'I' ? "iteration-limit" : "time-limit", optarg);
                return 2;
            }
            if (c == 'I')
                lp_opts.it_lim = (int)v;
            else
                lp_opts.tm_lim_ms = (int)(v * 1000 > 2e9 ? 2e9 : v * 1000);
            break;
        }
        default: usage(stderr); return 2;
        }
    }
    if (!sweep_arg || !out || argc - optind > 1) {
        fprintf(stderr, "supplymix run: give --sweep SWEEP and -o OUT.h5 (and at most one MODEL)\n");
        usage(stderr);
        return 2;
    }
    if (resume && force) {
        fprintf(stderr, "supplymix run: --resume continues OUT.h5 and --force replaces it: "
                        "give one of them\n");
        return 2;
    }
    int threads, slice_k = 0, slice_n = 1;
    if (!sm_cli_threads("run", jarg, &threads) || (slice_arg && !parse_slice(slice_arg, &slice_k, &slice_n)))
        return 2;
    const char *why = sm_glpk_thread_check();
    if (why && threads > 1) {
        fprintf(stderr, "supplymix run: %s\n", why);
        return 1;
    }

    sm_diag d;
    sm_diag_init(&d);
    sm_status st = SM_OK;
    sm_model *m = NULL;
    sm_sweep *sw = NULL;
    sm_problem *p = NULL;
    sm_results *res = NULL;
    char *sweep_path = NULL;
    uint8_t *done = NULL, *block_done = NULL;
    int rank = 0, ranks = 1;
#ifdef SM_WITH_MPI
    rank = sm_mpi_rank();
    ranks = sm_mpi_size();
#endif
    char *dir = sm_cli_model_dir(optind < argc ? argv[optind] : NULL);
    /* Every input is read and checked before the output is touched. */
    if (!dir)
        st = sm_diag_fail(&d, SM_ENOMEM, "out of memory");
    if (st == SM_OK)
        st = sm_model_load(dir, &m, &d);
    if (st == SM_OK && !(sweep_path = sm_sweep_find(sweep_arg, dir)))
        st = sm_diag_fail(&d, SM_ENOMEM, "out of memory");
    if (st == SM_OK)
        st = sm_sweep_load(sweep_path, m, &sw, &d);
    if (st == SM_OK)
        st = sm_problem_new(m, &p, &d);
    /* Every rank reads the inputs; rank 0 speaks for them all. */
    SM_TRY(agree(st, ranks, rank, &d));
    if (rank == 0) {
        sm_diag_print(&d, stderr); /* warnings */
    }
    sm_diag_clear(&d);
    sm_results_info info = {m,       sw,      sm_cli_command_line, threads,
                            ranks,   !summaries, slice_k,          slice_n,
                            lp_opts.it_lim, lp_opts.tm_lim_ms / 1000.0};
    size_t n_blocks = sm_sweep_blocks(sw), already = 0;
    /* Slices are cut along the fixed blocks, so a shard's scenarios get the
     * same warm starts, hence the same results, as in a whole run. */
    size_t b_first, b_end;
    sm_blocks_slice(n_blocks, (size_t)slice_k, (size_t)slice_n, &b_first, &b_end);
    if (rank == 0 && resume) {
        st = sm_results_resume(out, &info, &res, &done, &d);
        if (st == SM_OK && summaries == info.full)
            fprintf(stderr, "supplymix: %s holds %s; the resumed run keeps that\n", out,
                    info.full ? "full results" : "summaries only");
        /* A block is redone unless every scenario in it is complete: its
         * warm-start chain must be replayed to give the same answers. */
        if (st == SM_OK && !(block_done = calloc(n_blocks ? n_blocks : 1, 1)))
            st = sm_diag_fail(&d, SM_ENOMEM, "out of memory");
        for (size_t b = b_first; st == SM_OK && b < b_end; b++) {
            size_t lo = b * sw->block_size, len = sm_sweep_block_len(sw, b);
            block_done[b] = memchr(done + lo, 0, len) == NULL;
            if (block_done[b])
                already += len;
        }
        if (st == SM_OK)
            fprintf(stderr, "supplymix: resuming %s: %zu of %zu scenarios already complete\n",
                    out, already, slice_scenarios(sw, b_first, b_end));
    } else if (rank == 0) {
        st = sm_results_create(out, &info, force, &res, &d);
    }
    SM_TRY(agree(st, ranks, rank, &d));

    progress prog = {sm_clock_s(), 0, isatty(STDERR_FILENO), 30.0};
    if (prog.tty)
        prog.interval = 0.25;
    if (getenv("SM_PROGRESS_SECONDS"))
        prog.interval = atof(getenv("SM_PROGRESS_SECONDS"));
    if (rank == 0) {
        fprintf(stderr, "supplymix: sweep '%s': %zu scenarios (%zu grid points x %zu samples) on "
                        "model '%s', %d thread%s%s, writing %s\n",
                sw->name, sw->n_scenarios, sw->grid_size, sw->samples, m->name, threads,
                threads == 1 ? "" : "s", ranks > 1 ? " per rank" : "", out);
        if (ranks > 1)
            fprintf(stderr, "supplymix: %d MPI ranks; rank 0 deals out the blocks and writes\n",
                    ranks);
        if (slice_n > 1)
            fprintf(stderr, "supplymix: slice %d of %d: blocks %zu..%zu, %zu scenarios\n",
                    slice_k, slice_n, b_first, b_end - 1, slice_scenarios(sw, b_first, b_end));
    }
    install_signals();
    sm_run_opts o;
    sm_run_opts_init(&o);
    o.threads = threads;
    o.lp = lp_opts;
    o.full = info.full;
    o.stop = &stop_requested;
    o.progress = rank == 0 ? on_progress : NULL;
    o.progress_ctx = &prog;
    sm_results_shape shape = sm_results_shape_of(&info);
    o.prepare = pack_block;
    o.prepare_ctx = &shape;
    o.block_done = block_done;
    o.block_first = b_first;
    o.block_end = b_end;
    sm_run_stats stats;
    sm_status run_st;
#ifdef SM_WITH_MPI
    if (ranks > 1) {
        sm_block_codec codec = {sm_results_wire_size, sm_results_wire_encode, wire_decode, &shape};
        run_st = sm_engine_run_mpi(p, sw, &o, write_block, res, &codec, &stats, &d);
    } else
#endif
        run_st = sm_engine_run(p, sw, &o, write_block, res, &stats, &d);
    sm_status close_st = sm_results_close(&res, &d);
    SM_TRY(run_st);
    SM_TRY(close_st);
    if (rank != 0) {
        st = stats.interrupted ? SM_EINTERRUPTED : SM_OK;
        goto done;
    }

    struct stat sb;
    double mb = stat(out, &sb) == 0 ? (double)sb.st_size / 1e6 : 0;
    if (stats.scenarios == 0 && !stats.interrupted) {
        fprintf(stderr, "supplymix: nothing left to do: every scenario of %s is complete\n", out);
        goto done;
    }
    fprintf(stderr, "supplymix: %zu scenarios%s in %.2f s (%.0f/s) on %d thread%s", stats.scenarios,
            resume ? " more" : "",
            stats.wall_s, stats.wall_s > 0 ? (double)stats.scenarios / stats.wall_s : 0, threads,
            threads == 1 ? "" : "s");
    if (ranks > 1)
        fprintf(stderr, " x %d ranks", ranks);
    fprintf(stderr, ":");
    for (int s = 1; s < SM_SCEN_N_STATUS; s++)
        if (stats.by_status[s])
            fprintf(stderr, " %zu %s", stats.by_status[s], sm_scen_status_names[s]);
    fprintf(stderr, "; wrote %s (%.1f MB)\n", out, mb);
    if (stats.interrupted) {
        fprintf(stderr, "supplymix: interrupted: %zu of %zu scenarios are in %s; continue with "
                        "the same command and --resume\n",
                already + stats.scenarios, slice_scenarios(sw, b_first, b_end), out);
        st = SM_EINTERRUPTED;
    }
done:
    if (res)
        sm_results_close(&res, &d);
    if (rank != 0)
        sm_diag_clear(&d); /* rank 0 reported */
    sm_problem_free(&p);
    sm_sweep_free(&sw);
    sm_model_free(&m);
    free(done);
    free(block_done);
    free(sweep_path);
    free(dir);
    return sm_cli_finish(st, &d);
}
