/* `supplymix compare A.h5 B.h5 [-o FILE.txt]`: what differs between two
 * runs of the same sweep. The comparison is scripts/supplymix_compare.py
 * (it shares the reader and the summary's quantiles with the figures and
 * the board report, so the numbers are the same in all three); this
 * command runs it with Debian's Python, which scripts/setup.sh provides,
 * and passes its exit code on. It waits for it rather than exec'ing it,
 * so that the MPI build's main still finalises MPI. */
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

#include "../core/files.h"
#include "cli.h"

#define SM_PYTHON "/usr/bin/python3"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: supplymix compare A.h5 B.h5 [-o FILE.txt]\n"
            "\n"
            "What changed between two runs of the same sweep (last month's data against\n"
            "this month's, say), as text: the inputs that differ (model, supplier, demand\n"
            "and sweep files, line by line; hashes, seed, portfolio), then per policy the\n"
            "total cost and cash paid at P50/P90/P99 in A and B with B - A, each region's\n"
            "share of purchases per material, and for two plan files the tonnes to commit\n"
            "by region and material. Two runs compare when their sweeps have the same\n"
            "swept parameters and the same numbers of scenarios, grid points and futures.\n"
            "scripts/supplymix_report.py A.h5 --compare B.h5 writes the same as HTML.\n"
            "\n"
            "options:\n"
            "  -o FILE.txt   write the comparison to FILE.txt instead of standard output\n"
            "  -h, --help    show this help\n"
            "\n"
            "exit codes: 0 compared; 2 not comparable, a file that cannot be read, bad\n"
            "arguments; 1 the comparison could not run (no " SM_PYTHON " with h5py,\n"
            "numpy and xarray: scripts/setup.sh installs them)\n");
}

int sm_cmd_compare(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
    char *dir = sm_cli_scripts_dir();
    char *script = dir ? sm_path_join(dir, "supplymix_compare.py") : NULL;
    free(dir);
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (!script || !args) {
        fprintf(stderr, "supplymix compare: out of memory\n");
        free(script);
        free(args);
        return 1;
    }
    if (!sm_path_is_file(script)) {
        /* Python would say "can't open file" with exit 2, which here
         * means bad input: this is the installation's fault. */
        fprintf(stderr, "supplymix compare: %s not found (set SUPPLYMIX_SCRIPTS to the "
                        "directory holding it, or reinstall)\n", script);
        free(script);
        free(args);
        return 1;
    }
    args[0] = SM_PYTHON;
    args[1] = script;
    for (int i = 1; i < argc; i++)
        args[i + 1] = argv[i];
    fflush(NULL);
    pid_t pid;
    int err = posix_spawn(&pid, SM_PYTHON, NULL, NULL, args, environ);
    int status = 0, code = 1;
    if (err)
        fprintf(stderr, "supplymix compare: cannot run %s %s: %s (scripts/setup.sh installs "
                        "Python with h5py, numpy and xarray)\n",
                SM_PYTHON, script, strerror(err));
    else if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
        code = WEXITSTATUS(status);
    else
        fprintf(stderr, "supplymix compare: %s %s did not finish\n", SM_PYTHON, script);
    free(script);
    free(args);
    return code;
}
