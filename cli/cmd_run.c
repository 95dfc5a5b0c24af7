/* `supplymix run [MODEL] --sweep SWEEP -o OUT.h5`: the sweep, on every
 * core, into one results file. */
#include <errno.h>
#include <limits.h>
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
#include "../io/writer_lock.h"
#include "../core/files.h"
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
            "                     [--portfolio FILE [--policy P]] [--ranging]\n"
            "                     [--ratio-test long-step|harris]\n"
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
            "  --force              replace OUT.h5 if it is a regular file (never done\n"
            "                       otherwise)\n"
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
            "  --portfolio FILE     solve every scenario at a given portfolio of contract\n"
            "                       commitments instead of with perfect foresight: a\n"
            "                       contract offer's purchases are bounded by the tonnes\n"
            "                       committed (0 where FILE says nothing) and the fees of\n"
            "                       the whole portfolio are paid in every scenario\n"
            "                       (cost_commitment, part of total_cost). FILE is a CSV\n"
            "                       (supplier,material,period,tonnes; models/README.md) or\n"
            "                       a plan file of `supplymix plan`\n"
            "  --policy P           the plan file's policy (0-based) to use in every\n"
            "                       scenario; needed when its policies are neither one nor\n"
            "                       one per grid point of SWEEP (then each uses its own)\n"
            "  --summaries-only     leave out the per-period arrays (purchases, stock,\n"
            "                       shortfall, marginal costs, limit duals) to keep files\n"
            "                       of millions of scenarios small\n"
            "  --ranging            for every limit of every optimal scenario, what one\n"
            "                       point of share up and down really saves (re-solved at\n"
            "                       the share +-0.01) and the share interval where its\n"
            "                       shadow price holds: limit_saving_up/_down and\n"
            "                       limit_share_low/_high (NaN without it); four warm\n"
            "                       solves per limit and scenario (bench/README.md)\n"
            "  --ratio-test T       the ratio test of GLPK's warm re-solves: long-step (the\n"
            "                       default: fewer iterations) or harris; a long-step solve\n"
            "                       that stops on a GLPK error is solved again with harris.\n"
            "                       Recorded as warm_ratio_test; --resume keeps the file's\n"
            "                       (refused if another is given). CLP ignores it\n"
            "  -h, --help           show this help\n");
    sm_cli_lp_engine_usage(out, 21);
    fprintf(out,
            "\n"
            "Progress goes to stderr: a progress line on a terminal, a log line every\n"
            "30 s otherwise (dropped if stderr is a closed pipe; the run goes on).\n"
            "SIGINT, SIGTERM, SIGHUP or SIGUSR1 stop the run within about a second, with\n"
            "every finished scenario saved (exit code 3; during start-up nothing is left\n"
            "behind); a second Ctrl-C exits at once. Either way, or after a kill, --resume\n"
            "continues the file and ends with the same results as an uninterrupted run.\n"
            "One writer per results file: while a run, merge or repair holds OUT.h5.lock,\n"
            "another is refused (exit code 2). OUT.h5 must be a regular file (or absent),\n"
            "not a symbolic link, and not one of the run's inputs. Exit code 4: the output\n"
            "could not be written (disk full, say); what was saved is intact and resumable.\n");
}

/* ---- progress ----------------------------------------------------------- */

typedef struct progress {
    double t0, last;
    int tty;
    int dropped;   /* stderr is gone (a closed pipe): say nothing more */
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
    if (p->dropped)
        return;
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
    /* SIGPIPE is ignored, so a reader that went away (`| head`) shows up
     * here as EPIPE: the batch matters, its progress lines do not. */
    if (fflush(stderr) != 0 || ferror(stderr))
        p->dropped = 1;
}

/* ctx: the sm_results ** of the run, made by the time blocks arrive. */
static sm_status write_block(void *ctx, size_t first, const sm_block *b, sm_diag *d)
{
    return sm_results_write(*(sm_results **)ctx, first, b, d);
}

/* Solver threads compress their block into the file's chunks; the shape
 * of the chunks is all they need, so ranks without the file do it too. */
static sm_status pack_block(void *ctx, void **state, size_t first, sm_block *b, sm_diag *d)
{
    return sm_results_pack(ctx, (sm_pack_scratch **)state, first, b, d);
}

static void pack_scratch_free(void *state)
{
    sm_pack_scratch *s = state;
    sm_results_pack_scratch_free(&s);
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

/* ---- the command line --------------------------------------------------- */

typedef struct run_args {
    const char *sweep_arg, *out, *jarg, *slice_arg, *model_arg, *portfolio, *policy;
    int force, resume, summaries, ranging;
    int ratio_given;         /* --ratio-test was given (a resume must then match the file) */
    int threads, slice_k, slice_n;
    sm_lp_opts lp;
} run_args;


/* --slice K/N, or --slice slurm for a job array's task. N is at most
 * INT_MAX (the file records it as a number of that range). */
static int parse_slice(const char *arg, int *k, int *n)
{
    if (!strcmp(arg, "slurm")) {
        const char *id = getenv("SLURM_ARRAY_TASK_ID"), *min = getenv("SLURM_ARRAY_TASK_MIN"),
                   *count = getenv("SLURM_ARRAY_TASK_COUNT");
        int id_v, min_v = 0;
        if (!id || !count) {
            fprintf(stderr, "supplymix run: --slice slurm: SLURM_ARRAY_TASK_ID and "
                            "SLURM_ARRAY_TASK_COUNT are not set (not inside a job array?)\n");
            return 0;
        }
        if (!sm_cli_parse_count(id, 0, INT_MAX, &id_v) ||
            (min && !sm_cli_parse_count(min, 0, INT_MAX, &min_v)) ||
            !sm_cli_parse_count(count, 1, INT_MAX, n) || id_v < min_v) {
            fprintf(stderr, "supplymix run: --slice slurm: SLURM_ARRAY_TASK_ID '%s', "
                            "SLURM_ARRAY_TASK_MIN '%s' and SLURM_ARRAY_TASK_COUNT '%s' are not "
                            "task numbers\n", id, min ? min : "", count);
            return 0;
        }
        *k = id_v - min_v;
    } else {
        const char *slash = strchr(arg, '/');
        char kbuf[32];
        size_t klen = slash ? (size_t)(slash - arg) : 0;
        if (!slash || klen >= sizeof kbuf) {
            fprintf(stderr, "supplymix run: --slice: expected K/N (e.g. 0/4) or slurm, got '%s'\n",
                    arg);
            return 0;
        }
        memcpy(kbuf, arg, klen);
        kbuf[klen] = '\0';
        if (!sm_cli_parse_count(slash + 1, 1, INT_MAX, n) ||
            !sm_cli_parse_count(kbuf, 0, INT_MAX, k)) {
            fprintf(stderr, "supplymix run: --slice: K/N needs whole numbers with 1 <= N <= %d, "
                            "got '%s'\n", INT_MAX, arg);
            return 0;
        }
    }
    if (*k >= *n) {
        fprintf(stderr, "supplymix run: --slice: need 0 <= K < N, got %d/%d\n", *k, *n);
        return 0;
    }
    return 1;
}

static int parse_limit(int c, const char *arg, sm_lp_opts *lp)
{
    char *end;
    double v = strtod(arg, &end);
    if (*end || !(v >= 1) || v > 1e9) {
        fprintf(stderr, "supplymix run: --%s: '%s' is not a positive number\n",
                c == 'I' ? "iteration-limit" : "time-limit", arg);
        return 0;
    }
    if (c == 'I')
        lp->it_lim = (int)v;
    else
        lp->tm_lim_ms = (int)(v * 1000 > 2e9 ? 2e9 : v * 1000);
    return 1;
}

/* The options; -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, run_args *a)
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
                                         {"portfolio", required_argument, 0, 'P'},
                                         {"policy", required_argument, 0, 'p'},
                                         {"lp-engine", required_argument, 0, 'E'},
                                         {"ranging", no_argument, 0, 'R'},
                                         {"ratio-test", required_argument, 0, 'Q'},
                                         {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->slice_n = 1;
    sm_lp_opts_init(&a->lp);
    a->lp.warm_ratio = SM_RATIO_FLIP; /* sweeps' default (sm_run_opts_init) */
    int c;
    while ((c = getopt_long(argc, argv, "ho:j:", opts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 's': a->sweep_arg = optarg; break;
        case 'o': a->out = optarg; break;
        case 'j': a->jarg = optarg; break;
        case 'f': a->force = 1; break;
        case 'r': a->resume = 1; break;
        case 'S': a->summaries = 1; break;
        case 'k': a->slice_arg = optarg; break;
        case 'P': a->portfolio = optarg; break;
        case 'p': a->policy = optarg; break;
        case 'E':
            if (!sm_cli_lp_engine("run", optarg, &a->lp))
                return 2;
            break;
        case 'R': a->ranging = 1; break;
        case 'Q':
            if (!sm_ratio_test_parse(optarg, &a->lp.warm_ratio)) {
                fprintf(stderr, "supplymix run: --ratio-test: '%s' is not a ratio test; give "
                                "long-step or harris\n", optarg);
                return 2;
            }
            a->ratio_given = 1;
            break;
        case 'I':
        case 'T':
            if (!parse_limit(c, optarg, &a->lp))
                return 2;
            break;
        default: usage(stderr); return 2;
        }
    }
    if (!a->sweep_arg || !a->out || argc - optind > 1) {
        fprintf(stderr, "supplymix run: give --sweep SWEEP and -o OUT.h5 (and at most one MODEL)\n");
        usage(stderr);
        return 2;
    }
    if (a->resume && a->force) {
        fprintf(stderr, "supplymix run: --resume continues OUT.h5 and --force replaces it: "
                        "give one of them\n");
        return 2;
    }
    a->model_arg = optind < argc ? argv[optind] : NULL;
    if (!sm_cli_threads("run", a->jarg, &a->threads) ||
        (a->slice_arg && !parse_slice(a->slice_arg, &a->slice_k, &a->slice_n)))
        return 2;
    const char *why = sm_glpk_thread_check();
    if (why && a->threads > 1) {
        fprintf(stderr, "supplymix run: %s\n", why);
        return 1;
    }
    return -1;
}

/* ---- the run, phase by phase -------------------------------------------- */

typedef struct run_ctx {
    run_args a;
    sm_diag d;
    int rank, ranks;
    sm_cli_inputs in;        /* in.m, in.sw, in.p: the model, the sweep, the problem */
    sm_results_info info;
    sm_writer_lock lock;
    sm_results *res;
    uint8_t *done, *block_done;
    size_t b_first, b_end;   /* this run's blocks */
    size_t already;          /* scenarios a resumed file already holds */
    int opened;              /* OUT.h5 is in place (made or reopened) */
    int make_later;          /* OUT.h5 is made on the engine's writer thread */
} run_ctx;

/* Scenarios in this run's blocks. */
static size_t run_scenarios(const run_ctx *r)
{
    return sm_blocks_scenarios(r->in.sw->n_scenarios, r->in.sw->block_size, r->b_first, r->b_end);
}

/* This run's blocks: slices are cut along the fixed blocks, so a shard's
 * scenarios get the same warm starts, hence the same results, as in a
 * whole run. */
static void slice_blocks(run_ctx *r)
{
    sm_blocks_slice(sm_sweep_blocks(r->in.sw), (size_t)r->a.slice_k, (size_t)r->a.slice_n,
                    &r->b_first, &r->b_end);
}

/* A sweep without block_size is cut by the default of the supplymix that
 * runs it (256 before 2026-12, by scenario count since: at most 256 until
 * 2026-12-02, 512 now), so a resumed file keeps the blocks it was started
 * in; the resume then checks that the sweep's blocks are the file's. */
static void take_file_blocks(run_ctx *r)
{
    sm_sweep *sw = r->in.sw;
    size_t recorded = 0;
    if (sw->block_size_given || !sm_results_block_size(r->a.out, &recorded) ||
        recorded == sw->block_size)
        return;
    fprintf(stderr, "supplymix: %s was started in blocks of %zu scenarios (this supplymix's "
                    "default for the sweep is %zu); the resumed run keeps the file's\n",
            r->a.out, recorded, sw->block_size);
    sw->block_size = recorded;
    slice_blocks(r);
}

/* A resumed file goes on with the ratio test it was started with (a
 * file without the attribute: Harris), since degenerate scenarios may
 * end at other optima with the other; a --ratio-test that differs is
 * refused before the file is touched. */
static sm_status take_file_ratio(run_ctx *r)
{
    char name[32];
    sm_ratio_test t;
    if (!sm_results_ratio_test(r->a.out, name, sizeof name) || !sm_ratio_test_parse(name, &t) ||
        t == r->a.lp.warm_ratio)
        return SM_OK; /* an unreadable file: the resume's checks say why */
    if (r->a.ratio_given)
        return sm_diag_fail(&r->d, SM_EINPUT, "%s was made with --ratio-test %s; resume it with "
                            "that ratio test (given: %s)", r->a.out, name,
                            sm_ratio_test_name(r->a.lp.warm_ratio));
    fprintf(stderr, "supplymix: %s was started with the %s ratio test; the resumed run keeps "
                    "it\n", r->a.out, name);
    r->a.lp.warm_ratio = t;
    r->info.warm_ratio_test = sm_ratio_test_name(t);
    return SM_OK;
}

/* A sweep this large is most likely a typo in samples or a grid. */
#define HUGE_RUN 1000000000u

/* Every rank reads and checks every input before the output is touched;
 * rank 0 speaks for them all. */
static sm_status load_inputs(run_ctx *r)
{
    sm_status st = sm_cli_inputs_load(r->a.model_arg, r->a.sweep_arg, &r->in, &r->d);
    if (st == SM_OK)
        st = sm_cli_portfolio_load("run", r->a.portfolio, r->a.policy, &r->in, &r->d);
    st = agree(st, r->ranks, r->rank, &r->d);
    if (st != SM_OK)
        return st;
    if (r->rank == 0)
        sm_diag_print(&r->d, stderr); /* warnings */
    sm_diag_clear(&r->d);
    slice_blocks(r);
    if (r->rank == 0 && run_scenarios(r) >= HUGE_RUN)
        fprintf(stderr, "supplymix: warning: %zu scenarios in this run: days of computing on one "
                        "machine and a results file of many GB; check samples and the grid, "
                        "consider --slice K/N across nodes and --summaries-only. Ctrl-C stops it "
                        "with what is done saved, --resume continues\n", run_scenarios(r));
    sm_results_info info = {r->in.m, r->in.sw, sm_cli_command_line, r->a.threads, r->ranks,
                            !r->a.summaries, r->a.slice_k, r->a.slice_n, r->a.lp.it_lim,
                            r->a.lp.tm_lim_ms / 1000.0, &sm_cli_stop_requested, 0,
                            r->in.portfolio, r->a.ranging, sm_lp_engine_name(r->a.lp.engine),
                            sm_ratio_test_name(r->a.lp.warm_ratio)};
    r->info = info;
    return SM_OK;
}

/* The output must be a regular file (or absent), no link, no input. */
static sm_status check_output(run_ctx *r)
{
    return sm_cli_check_output(r->a.out, &r->in, &r->d);
}

/* Reopen OUT.h5 and plan which of this run's blocks are still to do. */
static sm_status resume_output(run_ctx *r)
{
    const char *out = r->a.out;
    take_file_blocks(r);
    sm_status st = take_file_ratio(r);
    if (st != SM_OK)
        return st;
    st = sm_results_resume(out, &r->info, &r->res, &r->done, &r->d);
    if (st != SM_OK)
        return st;
    if (r->a.summaries == r->info.full)
        fprintf(stderr, "supplymix: %s holds %s; the resumed run keeps that\n", out,
                r->info.full ? "full results" : "summaries only");
    size_t n_blocks = sm_sweep_blocks(r->in.sw);
    if (!(r->block_done = calloc(n_blocks ? n_blocks : 1, 1)))
        return sm_diag_fail(&r->d, SM_ENOMEM, "out of memory");
    r->already = sm_blocks_plan_resume(r->done, r->in.sw->n_scenarios, r->in.sw->block_size,
                                       r->b_first, r->b_end, r->block_done);
    fprintf(stderr, "supplymix: resuming %s: %zu of %zu scenarios already complete\n", out,
            r->already, run_scenarios(r));
    return SM_OK;
}

/* The new results file, made on the engine's writer thread (o.open)
 * while the solver threads set up and solve its first blocks. */
static sm_status make_output(void *ctx, sm_diag *d)
{
    run_ctx *r = ctx;
    sm_status st = sm_results_create(r->a.out, &r->info, r->a.force, &r->res, d);
    r->opened = st == SM_OK;
    return st;
}

/* Rank 0 takes the writer's lock, then reopens the file, or checks that
 * it may make it: a single process makes it later on the engine's writer
 * thread (the set-up of a file is serial work, 20 ms for china_grid, that
 * the solver threads need not wait for), with MPI ranks rank 0 now. */
static sm_status open_output(run_ctx *r)
{
    sm_status st = SM_OK;
    if (r->rank == 0) {
        st = check_output(r);
        if (st == SM_OK)
            st = sm_writer_lock_take(r->a.out, &r->lock, &r->d);
        if (st == SM_OK)
            sm_cli_signal_lock(r->lock.lock_path);
        if (st == SM_OK && !r->a.resume)
            sm_cli_signal_partial(r->a.out);
        r->make_later = !r->a.resume && r->ranks == 1;
        if (st == SM_OK && r->make_later)
            st = sm_results_may_create(r->a.out, r->a.force, &r->d);
        else if (st == SM_OK)
            st = r->a.resume ? resume_output(r)
                             : sm_results_create(r->a.out, &r->info, r->a.force, &r->res, &r->d);
        r->opened = st == SM_OK && !r->make_later;
    }
    st = agree(st, r->ranks, r->rank, &r->d);
#ifdef SM_WITH_MPI
    /* Every rank solves in the blocks rank 0 took from a resumed file. */
    if (st == SM_OK && r->ranks > 1 && r->a.resume) {
        r->in.sw->block_size = sm_mpi_bcast_size(r->in.sw->block_size);
        slice_blocks(r);
        r->a.lp.warm_ratio = (sm_ratio_test)sm_mpi_bcast_size((size_t)r->a.lp.warm_ratio);
        r->info.warm_ratio_test = sm_ratio_test_name(r->a.lp.warm_ratio);
    }
#endif
    return st;
}

static void announce(const run_ctx *r)
{
    const sm_sweep *sw = r->in.sw;
    int threads = r->a.threads;
    fprintf(stderr, "supplymix: sweep '%s': %zu scenarios (%zu grid points x %zu samples) on "
                    "model '%s', %d thread%s%s, writing %s\n",
            sw->name, sw->n_scenarios, sw->grid_size, sw->samples, r->in.m->name, threads,
            threads == 1 ? "" : "s", r->ranks > 1 ? " per rank" : "", r->a.out);
    const sm_portfolio *pf = r->in.portfolio;
    if (pf && pf->n_policies > 1)
        fprintf(stderr, "supplymix: at portfolio %s: each grid point at its own policy's "
                        "commitment\n", pf->file);
    else if (pf)
        fprintf(stderr, "supplymix: at portfolio %s: commitment fees %g USD in every "
                        "scenario\n", pf->file, pf->fees[0]);
    if (r->ranks > 1)
        fprintf(stderr, "supplymix: %d MPI ranks; rank 0 deals out the blocks and writes\n",
                r->ranks);
    if (r->a.slice_n > 1 && r->b_first == r->b_end)
        fprintf(stderr, "supplymix: slice %d of %d is empty: nothing to solve (the sweep has "
                        "%zu blocks of %zu scenarios, fewer than the slices); %s is an empty "
                        "shard, which merge accepts\n",
                r->a.slice_k, r->a.slice_n, sm_sweep_blocks(sw), sw->block_size, r->a.out);
    else if (r->a.slice_n > 1)
        fprintf(stderr, "supplymix: slice %d of %d: blocks %zu..%zu, %zu scenarios\n",
                r->a.slice_k, r->a.slice_n, r->b_first, r->b_end - 1, run_scenarios(r));
}

/* The engine, on every rank; then the file is closed. */
static sm_status solve(run_ctx *r, sm_run_stats *stats)
{
    progress prog = {sm_clock_s(), 0, isatty(STDERR_FILENO), 0, 30.0};
    if (prog.tty)
        prog.interval = 0.25;
    if (getenv("SM_PROGRESS_SECONDS"))
        prog.interval = atof(getenv("SM_PROGRESS_SECONDS"));
    sm_run_opts o;
    sm_run_opts_init(&o);
    o.threads = r->a.threads;
    o.lp = r->a.lp;
    o.full = r->info.full;
    o.ranging = r->a.ranging;
    o.stop = &sm_cli_stop_requested;
    o.progress = r->rank == 0 ? on_progress : NULL;
    o.progress_ctx = &prog;
    sm_results_shape shape = sm_results_shape_of(&r->info);
    o.prepare = pack_block;
    o.prepare_ctx = &shape;
    o.prepare_free = pack_scratch_free;
    o.block_done = r->block_done;
    o.block_first = r->b_first;
    o.block_end = r->b_end;
    o.trace = getenv("SM_ENGINE_TRACE") ? stderr : NULL;
    if (r->make_later) {
        o.open = make_output;
        o.open_ctx = r;
    }
    sm_status run_st;
#ifdef SM_WITH_MPI
    if (r->ranks > 1) {
        sm_block_codec codec = {sm_results_wire_size, sm_results_wire_encode, wire_decode, &shape};
        run_st = sm_engine_run_mpi(r->in.p, r->in.sw, &o, write_block, &r->res, &codec, stats,
                                   &r->d);
    } else
#endif
        run_st = sm_engine_run(r->in.p, r->in.sw, &o, write_block, &r->res, stats, &r->d);
    double t_close = sm_clock_s();
    sm_status close_st = sm_results_close(&r->res, &r->d);
    if (o.trace)
        fprintf(o.trace, "run: file closed in %.4f s\n", sm_clock_s() - t_close);
    return run_st != SM_OK ? run_st : close_st;
}

/* Rank 0's closing lines; SM_EINTERRUPTED when a signal stopped the run. */
static sm_status report(const run_ctx *r, const sm_run_stats *stats)
{
    const char *out = r->a.out;
    int threads = r->a.threads;
    struct stat sb;
    double mb = stat(out, &sb) == 0 ? (double)sb.st_size / 1e6 : 0;
    if (stats->scenarios == 0 && !stats->interrupted) {
        if (r->b_first == r->b_end)
            fprintf(stderr, "supplymix: wrote %s: an empty shard (%.1f MB)\n", out, mb);
        else
            fprintf(stderr, "supplymix: nothing left to do: every scenario of %s is complete\n",
                    out);
        return SM_OK;
    }
    fprintf(stderr, "supplymix: %zu scenarios%s in %.2f s (%.0f/s) on %d thread%s",
            stats->scenarios, r->a.resume ? " more" : "", stats->wall_s,
            stats->wall_s > 0 ? (double)stats->scenarios / stats->wall_s : 0, threads,
            threads == 1 ? "" : "s");
    if (r->ranks > 1)
        fprintf(stderr, " x %d ranks", r->ranks);
    fprintf(stderr, ":");
    for (int s = 1; s < SM_SCEN_N_STATUS; s++)
        if (stats->by_status[s])
            fprintf(stderr, " %zu %s", stats->by_status[s], sm_scen_status_names[s]);
    fprintf(stderr, "; wrote %s (%.1f MB)\n", out, mb);
    if (stats->lp_rebuilds)
        fprintf(stderr, "supplymix: warning: GLPK stopped on a fatal error %zu time(s) and the "
                        "thread's problem was rebuilt; a scenario it hit is recorded as "
                        "solver_failure, an explanation or ranging it hit is NaN in %s\n",
                stats->lp_rebuilds, out);
    if (stats->ratio_fallbacks)
        fprintf(stderr, "supplymix: warning: GLPK's long-step ratio test stopped on a fatal "
                        "error %zu time(s); each such solve was done again with the Harris "
                        "ratio test from the block's base basis (recorded normally)\n",
                stats->ratio_fallbacks);
    if (!stats->interrupted)
        return SM_OK;
    fprintf(stderr, "supplymix: interrupted: %zu of %zu scenarios are in %s; continue with "
                    "the same command and --resume\n",
            r->already + stats->scenarios, run_scenarios(r), out);
    return SM_EINTERRUPTED;
}

/* A signal before the first scenario: nothing was made (the file being
 * set up is removed by sm_results_create), so nothing to resume. */
static sm_status stopped_in_startup(run_ctx *r)
{
    return sm_diag_fail(&r->d, SM_EINTERRUPTED, "interrupted during start-up, before any "
                                                "scenario was solved; %s was not written",
                        r->a.out);
}

static void run_free(run_ctx *r)
{
    if (r->res)
        sm_results_close(&r->res, &r->d);
    sm_cli_signal_lock(NULL); /* not ours once released */
    sm_writer_lock_release(&r->lock);
    sm_cli_inputs_free(&r->in);
    free(r->done);
    free(r->block_done);
}

int sm_cmd_run(int argc, char **argv)
{
    run_ctx r;
    memset(&r, 0, sizeof r);
    r.lock = (sm_writer_lock)SM_WRITER_LOCK_NONE;
    int code = parse_args(argc, argv, &r.a);
    if (code >= 0)
        return code;
    sm_cli_install_signals();
    sm_diag_init(&r.d);
    r.ranks = 1;
#ifdef SM_WITH_MPI
    r.rank = sm_mpi_rank();
    r.ranks = sm_mpi_size();
#endif
    double t0 = sm_clock_s();
    sm_status st = load_inputs(&r);
    double t_loaded = sm_clock_s();
    if (st == SM_OK && atomic_load(&sm_cli_stop_requested))
        st = stopped_in_startup(&r);
    if (st == SM_OK)
        st = open_output(&r);
    if (getenv("SM_ENGINE_TRACE"))
        fprintf(stderr, "run: model and sweep loaded in %.4f s, output opened in %.4f s\n",
                t_loaded - t0, sm_clock_s() - t_loaded);
    if (st == SM_OK && r.rank == 0)
        announce(&r);
    sm_run_stats stats;
    if (st == SM_OK)
        st = solve(&r, &stats);
    if (st == SM_OK && r.rank != 0)
        st = stats.interrupted ? SM_EINTERRUPTED : SM_OK;
    else if (st == SM_OK)
        st = report(&r, &stats);
    if (r.rank != 0)
        sm_diag_clear(&r.d); /* rank 0 reported */
    run_free(&r);
    if (st == SM_EOUTPUT && r.opened) {
        /* Blocks reach the file values first, marks second: whatever is
         * marked complete is whole. */
        sm_diag_print(&r.d, stderr);
        sm_diag_clear(&r.d);
        fprintf(stderr, "supplymix: could not write %s; nothing saved is lost: free space (or "
                        "fix the cause), then continue with the same command and --resume\n",
                r.a.out);
    }
    return sm_cli_finish(st, &r.d);
}
