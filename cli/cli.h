/* The command-line front end: it only wires io/, models/ and solver/. */
#ifndef SM_CLI_H
#define SM_CLI_H

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>

#include "../core/diag.h"
#include "../models/problem.h"
#include "../solver/lp.h"

int sm_cmd_solve(int argc, char **argv);
int sm_cmd_validate(int argc, char **argv);
int sm_cmd_export(int argc, char **argv);
int sm_cmd_run(int argc, char **argv);
int sm_cmd_merge(int argc, char **argv);
int sm_cmd_repair(int argc, char **argv);
int sm_cmd_plan(int argc, char **argv);
int sm_cmd_table(int argc, char **argv);
int sm_cmd_compare(int argc, char **argv);

/* The model directory a command should read: the argument when given,
 * else the shipped rare_earths model wherever the program was started
 * from. Returns a new string. */
char *sm_cli_model_dir(const char *arg);

/* The directory of the Python scripts the program ships ($SUPPLYMIX_SCRIPTS,
 * else installed beside it, else the source tree's scripts/). Returns a
 * new string. */
char *sm_cli_scripts_dir(void);

/* Load the model at dir; prints the diagnostics to stderr. */
sm_status sm_cli_load_model(const char *dir, sm_model **out);

/* What a command reads before it touches any output: the model directory
 * (sm_cli_model_dir of the MODEL operand), the model, its LP problem and,
 * when a sweep is named, the sweep (a file, or one of the model's). */
typedef struct sm_cli_inputs {
    char *dir, *sweep_path;
    sm_model *m;
    sm_sweep *sw;        /* NULL without a sweep */
    sm_problem *p;
    struct sm_portfolio *portfolio; /* NULL without --portfolio; p->portfolio points to it */
} sm_cli_inputs;

/* Load them all (sweep_arg may be NULL); messages, warnings included,
 * go to d. Free with sm_cli_inputs_free, also after a failure. */
sm_status sm_cli_inputs_load(const char *model_arg, const char *sweep_arg, sm_cli_inputs *in,
                             sm_diag *d);
void sm_cli_inputs_free(sm_cli_inputs *in);

/* --portfolio FILE [--policy P] of command cmd (both may be NULL: then
 * nothing happens): read and checked against the loaded model and sweep
 * (a sweep is needed), then every scenario is solved at it. */
sm_status sm_cli_portfolio_load(const char *cmd, const char *file, const char *policy_arg,
                                sm_cli_inputs *in, sm_diag *d);

/* The output path must be a regular file or absent, no link, and none of
 * the inputs (model.yaml, its tables, the sweep): sm_output_check. */
sm_status sm_cli_check_output(const char *out, const sm_cli_inputs *in, sm_diag *d);

/* Parse the options of a command that has none but -h/--help: returns -1
 * to go on (optind is then at the first operand), else the exit code. */
int sm_cli_no_options(int argc, char **argv, void (*usage)(FILE *out));

/* A whole decimal number in [lo, hi] into *out, nothing else (no sign, no
 * spaces, no wrap-around); 0 if s is not one. */
int sm_cli_parse_count(const char *s, unsigned long long lo, unsigned long long hi, int *out);

/* The operand s of option opt of command cmd ("--scenario") as an index
 * into *out: digits only; 0 after printing why it is not one. */
int sm_cli_parse_index(const char *cmd, const char *opt, const char *s, unsigned long long *out);

/* Threads for command cmd: -j (arg, may be NULL), else OMP_NUM_THREADS,
 * else SLURM_CPUS_PER_TASK, else every core (OMP_NUM_THREADS's first
 * count when it lists one per nesting level); 0 after printing why arg or
 * the variable is not a thread count. */
int sm_cli_threads(const char *cmd, const char *arg, int *out);

/* --lp-engine NAME: sets lp->engine and returns 1, or prints which
 * engines this build has and returns 0 (exit 2). */
int sm_cli_lp_engine(const char *cmd, const char *arg, sm_lp_opts *lp);

/* The help text's line for --lp-engine, with the engines built. */
void sm_cli_lp_engine_usage(FILE *out, int width);

/* --risk-weight LAMBDA (in [0, 1]) or --cvar ALPHA (in [0, 1)) of
 * command cmd: arg into *out; 0 after printing why it is not one. */
int sm_cli_risk_option(const char *cmd, const char *opt, const char *arg, double *out);

/* The risk functional of a plan (MODEL.md Part 2) into *risk_weight and
 * *cvar_alpha: the options given (not NaN), else the sweep's `plan:`
 * mapping, else what they hold (the defaults). */
void sm_cli_plan_risk(const sm_sweep *sw, double opt_weight, double opt_alpha,
                      double *risk_weight, double *cvar_alpha);

/* Print d's messages to stderr and return the exit code for st. */
int sm_cli_finish(sm_status st, sm_diag *d);

/* Signals. SIGINT, SIGTERM, SIGHUP or SIGUSR1 set both flags (one for
 * code that polls an atomic_int, one for a sig_atomic_t): the command
 * saves what it did and exits 3. A second Ctrl-C exits 3 at once,
 * removing the output's partial file and the writer's lock file named
 * below. Installed before any file is made. SIGHUP (a closed terminal, an
 * ssh drop) stops like SIGTERM (use nohup or a batch system to keep a run
 * going). SIGPIPE is ignored: progress lines to a closed pipe are
 * dropped, the batch goes on. */
extern atomic_int sm_cli_stop_requested;
extern volatile sig_atomic_t sm_cli_stop_flag;
void sm_cli_install_signals(void);
/* Name out's partial file (sm_partial_name) and the lock file held, for
 * a second Ctrl-C to remove; NULL forgets. */
void sm_cli_signal_partial(const char *out);
void sm_cli_signal_lock(const char *lock_path);

/* The command line as one string, for provenance. */
extern const char *sm_cli_command_line;

#endif
