/* What the commands share: finding the shipped model, loading a model,
 * parsing a command without options, finishing with an exit code. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/files.h"
#include "../io/model_load.h"
#include "../io/portfolio_load.h"
#include "../io/sweep_load.h"
#include "../models/risk.h"
#include "cli.h"

/* What the program ships beside itself (models, scripts), looked up in
 * order: $ENV when set, the install tree beside the executable
 * (bin/../share/supplymix/SUB), and the source tree it was built from. */
static char *shipped_dir(const char *env_name, const char *sub, const char *source_dir)
{
    const char *env = getenv(env_name);
    if (env && *env)
        return strdup(env);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char share[PATH_MAX];
            snprintf(share, sizeof share, "../share/supplymix/%s", sub);
            char *p = sm_path_join(exe, share);
            if (p && sm_path_is_dir(p))
                return p;
            free(p);
        }
    }
    return strdup(source_dir);
}

char *sm_cli_model_dir(const char *arg)
{
    if (arg)
        return strdup(arg);
    char *models = shipped_dir("SUPPLYMIX_MODELS", "models", SM_SOURCE_MODELS_DIR);
    char *dir = models ? sm_path_join(models, "rare_earths") : NULL;
    free(models);
    return dir;
}

char *sm_cli_scripts_dir(void)
{
    return shipped_dir("SUPPLYMIX_SCRIPTS", "scripts", SM_SOURCE_SCRIPTS_DIR);
}

sm_status sm_cli_load_model(const char *dir, sm_model **out)
{
    sm_diag d;
    sm_diag_init(&d);
    sm_status st = sm_model_load(dir, out, &d);
    sm_diag_print(&d, stderr);
    sm_diag_clear(&d);
    return st;
}

sm_status sm_cli_inputs_load(const char *model_arg, const char *sweep_arg, sm_cli_inputs *in,
                             sm_diag *d)
{
    memset(in, 0, sizeof *in);
    if (!(in->dir = sm_cli_model_dir(model_arg)))
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    sm_status st = sm_model_load(in->dir, &in->m, d);
    if (st != SM_OK)
        return st;
    if (sweep_arg) {
        if (!(in->sweep_path = sm_sweep_find(sweep_arg, in->dir)))
            return sm_diag_fail(d, SM_ENOMEM, "out of memory");
        if ((st = sm_sweep_load(in->sweep_path, in->m, &in->sw, d)) != SM_OK)
            return st;
    }
    return sm_problem_new(in->m, &in->p, d);
}

sm_status sm_cli_portfolio_load(const char *cmd, const char *file, const char *policy_arg,
                                sm_cli_inputs *in, sm_diag *d)
{
    unsigned long long policy = 0;
    if (!file && !policy_arg)
        return SM_OK;
    if (!file || !in->sw)
        return sm_diag_fail(d, SM_EUSAGE, "%s",
                            !file ? "--policy goes with --portfolio FILE (a plan file)"
                                  : "--portfolio needs --sweep: it is evaluated across a "
                                    "sweep's scenarios");
    if (policy_arg && !sm_cli_parse_index(cmd, "--policy", policy_arg, &policy))
        return SM_EUSAGE; /* said why */
    if (policy > 1000000000ull)
        policy = 1000000000ull; /* beyond any file's policies: refused with their range */
    sm_status st = sm_portfolio_load(file, in->m, in->sw, policy_arg ? (long)policy : -1,
                                     &in->portfolio, d);
    if (st == SM_OK)
        in->p->portfolio = in->portfolio;
    return st;
}

void sm_cli_inputs_free(sm_cli_inputs *in)
{
    sm_portfolio_free(&in->portfolio);
    sm_problem_free(&in->p);
    sm_sweep_free(&in->sw);
    sm_model_free(&in->m);
    free(in->sweep_path);
    free(in->dir);
    memset(in, 0, sizeof *in);
}

sm_status sm_cli_check_output(const char *out, const sm_cli_inputs *in, sm_diag *d)
{
    const char *inputs[8];
    int n = 0;
    for (int i = 0; i < in->m->n_files && n < 7; i++)
        inputs[n++] = in->m->files[i].name;
    if (in->sw)
        inputs[n++] = in->sw->file;
    if (in->portfolio)
        inputs[n++] = in->portfolio->file;
    return sm_output_check(out, inputs, n, d);
}

int sm_cli_finish(sm_status st, sm_diag *d)
{
    sm_diag_print(d, stderr);
    sm_diag_clear(d);
    return sm_status_exit_code(st);
}

int sm_cli_no_options(int argc, char **argv, void (*usage)(FILE *out))
{
    static const struct option opts[] = {{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        usage(c == 'h' ? stdout : stderr);
        return c == 'h' ? 0 : 2;
    }
    return -1;
}

/* A whole decimal number in [lo, hi], nothing else (no sign, no spaces, no
 * wrap-around: 4294967297 is not 1). */
int sm_cli_parse_count(const char *s, unsigned long long lo, unsigned long long hi, int *out)
{
    if (!s || *s < '0' || *s > '9')
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return 0;
    *out = (int)v;
    return 1;
}

/* A scenario or grid-point index: digits only, any size up to 2^64-1
 * (the caller checks the range against its sweep). */
int sm_cli_parse_index(const char *cmd, const char *opt, const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (s && *s >= '0' && *s <= '9') {
        *out = strtoull(s, &end, 10);
        if (!errno && !*end)
            return 1;
    }
    fprintf(stderr, "supplymix %s: %s: '%s' is not a whole number (a 0-based index)\n", cmd, opt,
            s ? s : "");
    return 0;
}

int sm_cli_risk_option(const char *cmd, const char *opt, const char *arg, double *out)
{
    char *end;
    int alpha = strcmp(opt, "--cvar") == 0;
    double v = strtod(arg, &end);
    if (end == arg || *end || !(alpha ? sm_cvar_alpha_ok(v) : sm_risk_weight_ok(v))) {
        fprintf(stderr, "supplymix %s: %s: '%s' is not a number in %s\n", cmd, opt, arg,
                alpha ? "[0, 1) (the CVaR level alpha)" : "[0, 1] (the weight lambda of CVaR)");
        return 0;
    }
    *out = v;
    return 1;
}

void sm_cli_plan_risk(const sm_sweep *sw, double opt_weight, double opt_alpha,
                      double *risk_weight, double *cvar_alpha)
{
    if (!isnan(opt_weight))
        *risk_weight = opt_weight;
    else if (sw && !isnan(sw->risk_weight))
        *risk_weight = sw->risk_weight;
    if (!isnan(opt_alpha))
        *cvar_alpha = opt_alpha;
    else if (sw && !isnan(sw->cvar_alpha))
        *cvar_alpha = sw->cvar_alpha;
}

/* Threads: -j, else OMP_NUM_THREADS, else SLURM_CPUS_PER_TASK, else all
 * cores. OMP_NUM_THREADS may list one count per nesting level ("4,2");
 * the sweep runs one level of threads, so the first count is the one. */
int sm_cli_threads(const char *cmd, const char *arg, int *out)
{
    const char *src = arg ? "-j" : NULL, *v = arg;
    char first[32];
    if (!v && (v = getenv("OMP_NUM_THREADS")) && *v) {
        src = "OMP_NUM_THREADS";
        size_t n = strcspn(v, ",");
        if (v[n] == ',' && n < sizeof first) {
            memcpy(first, v, n);
            first[n] = '\0';
            v = first;
        }
    } else if (!arg && (v = getenv("SLURM_CPUS_PER_TASK")) && *v) {
        src = "SLURM_CPUS_PER_TASK";
    } else if (!arg) {
        v = NULL;
    }
    if (!v) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        *out = n > 0 ? (int)n : 1;
        return 1;
    }
    if (!sm_cli_parse_count(v, 1, 4096, out)) {
        fprintf(stderr, "supplymix %s: %s: '%s' is not a thread count (1..4096)\n", cmd, src, v);
        return 0;
    }
    return 1;
}

int sm_cli_lp_engine(const char *cmd, const char *arg, sm_lp_opts *lp)
{
    if (!sm_lp_engine_parse(arg, &lp->engine)) {
        fprintf(stderr, "supplymix %s: --lp-engine: '%s' is not an LP engine of this build; "
                        "built: %s\n", cmd, arg, sm_lp_engines_built());
        return 0;
    }
    return 1;
}

void sm_cli_lp_engine_usage(FILE *out, int width)
{
    fprintf(out, "  %-*sthe LP engine, one of: %s (default glpk; results files\n"
                 "  %-*srecord it as lp_engine)\n", width, "--lp-engine E", sm_lp_engines_built(),
            width, "");
}

/* ---- signals (run, plan) ------------------------------------------------ */

atomic_int sm_cli_stop_requested;
volatile sig_atomic_t sm_cli_stop_flag;

/* The name an output is set up or saved under (sm_partial_name), for a
 * second Ctrl-C to remove; "" when none. */
static char partial_path[4096];

/* The writer's lock file once this process holds it, for a second Ctrl-C
 * to remove (while still holding it, as sm_writer_lock_release does). */
static char lock_path[4096];

static void on_signal(int sig)
{
    /* A second Ctrl-C means now: a results file is written in
     * single-writer mode and a plan file saved by renaming a copy, so
     * either stays readable and resumable; one still being set up (or
     * saved) under its partial name is removed (unlink is
     * async-signal-safe; without such a file it does nothing). */
    if (sig == SIGINT && atomic_load(&sm_cli_stop_requested)) {
        if (partial_path[0])
            unlink(partial_path);
        if (lock_path[0])
            unlink(lock_path);
        _exit(3);
    }
    atomic_store(&sm_cli_stop_requested, 1);
    sm_cli_stop_flag = 1;
}

void sm_cli_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

/* Copy path into a buffer the signal handler reads: the first byte last,
 * so a handler running meanwhile sees "" (never a prefix, which could
 * name another file); NULL empties it. */
static void remember_for_signal(char *buf, size_t size, const char *path)
{
    size_t len = path ? strlen(path) : 0;
    *(volatile char *)buf = '\0';
    atomic_signal_fence(memory_order_seq_cst);
    if (len > 0 && len < size) {
        memcpy(buf + 1, path + 1, len);
        atomic_signal_fence(memory_order_seq_cst);
        *(volatile char *)buf = path[0];
    }
}

void sm_cli_signal_partial(const char *out)
{
    char *partial = out ? sm_partial_name(out) : NULL;
    remember_for_signal(partial_path, sizeof partial_path, partial);
    free(partial);
}

void sm_cli_signal_lock(const char *path)
{
    remember_for_signal(lock_path, sizeof lock_path, path);
}
