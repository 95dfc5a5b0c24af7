/* The command-line front end: it only wires io/, models/ and solver/. */
#ifndef SM_CLI_H
#define SM_CLI_H

#include <stdio.h>

#include "../core/diag.h"
#include "../models/model.h"

int sm_cmd_solve(int argc, char **argv);
int sm_cmd_validate(int argc, char **argv);
int sm_cmd_export(int argc, char **argv);
int sm_cmd_run(int argc, char **argv);
int sm_cmd_merge(int argc, char **argv);
int sm_cmd_repair(int argc, char **argv);
int sm_cmd_plan(int argc, char **argv);

/* The model directory a command should read: the argument when given,
 * else the shipped rare_earths model wherever the program was started
 * from. Returns a new string. */
char *sm_cli_model_dir(const char *arg);

/* Load the model at dir; prints the diagnostics to stderr. */
sm_status sm_cli_load_model(const char *dir, sm_model **out);

/* Parse the options of a command that has none but -h/--help: returns -1
 * to go on (optind is then at the first operand), else the exit code. */
int sm_cli_no_options(int argc, char **argv, void (*usage)(FILE *out));

/* A whole decimal number in [lo, hi] into *out, nothing else (no sign, no
 * spaces, no wrap-around); 0 if s is not one. */
int sm_cli_parse_count(const char *s, unsigned long long lo, unsigned long long hi, int *out);

/* Threads for command cmd: -j (arg, may be NULL), else OMP_NUM_THREADS,
 * else SLURM_CPUS_PER_TASK, else every core (OMP_NUM_THREADS's first
 * count when it lists one per nesting level); 0 after printing why arg or
 * the variable is not a thread count. */
int sm_cli_threads(const char *cmd, const char *arg, int *out);

/* Print d's messages to stderr and return the exit code for st. */
int sm_cli_finish(sm_status st, sm_diag *d);

/* The command line as one string, for provenance. */
extern const char *sm_cli_command_line;

#endif
