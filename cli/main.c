/* supplymix: batch optimiser for supplier diversification. Entry point:
 * dispatches a command to its cli/cmd_*.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../solver/lp.h"
#ifdef SM_WITH_MPI
#include "../solver/engine_mpi.h"
#endif
#include "cli.h"

const char *sm_cli_command_line = "";

static void usage(FILE *out)
{
    fprintf(out,
            "usage: supplymix COMMAND [ARGS]\n"
            "\n"
            "Which supplier mix meets demand at least cost while no region supplies more\n"
            "than a set share, and how does it move across many futures?\n"
            "\n"
            "commands:\n"
            "  solve [MODEL]                   solve the base case (or --sweep S --scenario I,\n"
            "                                  one scenario of a sweep) and print a report\n"
            "  validate [MODEL] [--sweep S]    check a model (and a sweep), list every problem\n"
            "  export [MODEL] --lp|--mps FILE  write the base case's LP (or a sweep scenario's)\n"
            "  run [MODEL] --sweep S -o OUT.h5 solve every scenario of a sweep into a results file\n"
            "  plan [MODEL] --sweep S -o P.h5  the portfolio to commit now, hedged across the\n"
            "                                  sweep's futures (two-stage plan), per policy\n"
            "  merge OUT.h5 SHARD...           join the shards of a sliced run (run --slice K/N)\n"
            "  repair OUT.h5                   make a killed run's file readable by every tool\n"
            "  table RESULTS.h5 [-o F.csv]     a results file as CSV, one row per scenario\n"
            "  compare A.h5 B.h5               what changed between two runs of the same sweep\n"
            "\n"
            "MODEL is a model directory (model.yaml and its CSV tables); without it the\n"
            "shipped rare_earths model is used. `supplymix COMMAND --help` for details.\n"
            "\n"
            "options:\n"
            "  -h, --help      show this help\n"
            "  -V, --version   show the version of supplymix and of the libraries it uses\n"
            "\n"
            "exit codes: 0 success, 1 internal error, 2 bad usage or bad input,\n"
            "3 interrupted by a signal after saving what was done, 4 an output could\n"
            "not be written (disk full, say; what was saved is intact and resumable)\n");
}

static char *join_args(int argc, char **argv)
{
    size_t n = 1;
    for (int i = 0; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *s = malloc(n);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (int i = 0; i < argc; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

int main(int argc, char **argv)
{
#ifdef SM_WITH_MPI
    if (!sm_mpi_init(&argc, &argv)) {
        fprintf(stderr, "supplymix: this MPI library does not offer MPI_THREAD_MULTIPLE, which "
                        "the MPI build needs (solver threads ask rank 0 for work)\n");
        return 1;
    }
#endif
    char *cmdline = join_args(argc, argv);
    if (cmdline)
        sm_cli_command_line = cmdline;
    /* A GLPK without thread-local storage corrupts memory as soon as two
     * threads solve; say so before anything runs. */
    const char *why = sm_glpk_thread_check();
    if (why)
        fprintf(stderr, "supplymix: warning: %s\n", why);
    int code;
    if (argc < 2) {
        usage(stderr);
        code = 2;
    } else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        code = 0;
    } else if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
        printf("supplymix %s%s\nGLPK %s (%s)\n", SM_VERSION,
#ifdef SM_WITH_MPI
               " (MPI build)",
#else
               "",
#endif
               sm_glpk_version(), sm_glpk_thread_check() ? "not thread-safe" : "thread-safe");
        code = 0;
    } else if (!strcmp(argv[1], "solve")) {
        code = sm_cmd_solve(argc - 1, argv + 1);
    } else if (!strcmp(argv[1], "validate")) {
        code = sm_cmd_validate(argc - 1, argv + 1);
    } else if (!strcmp(argv[1], "repair")) {
        code = sm_cmd_repair(argc - 1, argv + 1);
    } else if (!strcmp(argv[1], "merge")) {
        code = sm_cmd_merge(argc - 1, argv + 1);
    } else if (!strcmp(argv[1], "run")) {
        code = sm_cmd_run(argc - 1, argv + 1);
    } else if (!strcmp(argv[1], "plan")) {
        code = sm_cmd_plan(argc - 1, argv + 1);
    } else if (!strcmp(argv[1], "table")) {
        code = sm_cmd_table(argc - 1, argv + 1);
    } else if (!strcmp(argv[1], "export")) {
        code = sm_cmd_export(argc - 1, argv + 1);
    } else if (!strcmp(argv[1], "compare")) {
        code = sm_cmd_compare(argc - 1, argv + 1);
    } else {
        fprintf(stderr, "supplymix: unknown command '%s'\n\n", argv[1]);
        usage(stderr);
        code = 2;
    }
    free(cmdline);
    /* A report that did not reach its reader (stdout on a full disk) is a
     * failed output, not a success. */
    if ((fflush(stdout) != 0 || ferror(stdout)) && (code == 0 || code == 3)) {
        fprintf(stderr, "supplymix: error: could not write the standard output\n");
        code = 4;
    }
#ifdef SM_WITH_MPI
    sm_mpi_finalize();
#endif
    return code;
}
