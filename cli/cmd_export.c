/* `supplymix export [MODEL] --lp FILE | --mps FILE`: the LP for other solvers. */
#include <getopt.h>
#include <stdlib.h>

#include "../solver/lp.h"
#include "../solver/problem.h"
#include "cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: supplymix export [MODEL] (--lp FILE | --mps FILE)\n"
            "\n"
            "Write the LP of MODEL's base case (default model: the shipped rare_earths)\n"
            "in CPLEX LP format (--lp) or free MPS format (--mps), with every row and\n"
            "column named, so glpsol, cbc or any other solver can reproduce it.\n"
            "FILE '-' is not supported; an existing FILE is replaced.\n"
            "\n"
            "options:\n"
            "  --lp FILE    write CPLEX LP format\n"
            "  --mps FILE   write free MPS format\n"
            "  -h, --help   show this help\n");
}

int sm_cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, 0, 'h'},
                                         {"lp", required_argument, 0, 'l'},
                                         {"mps", required_argument, 0, 'm'},
                                         {0, 0, 0, 0}};
    const char *lp_file = NULL, *mps_file = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 'l': lp_file = optarg; break;
        case 'm': mps_file = optarg; break;
        default: usage(stderr); return 2;
        }
    }
    if ((!lp_file && !mps_file) || (lp_file && mps_file) || argc - optind > 1) {
        fprintf(stderr, "supplymix export: give one MODEL at most and exactly one of --lp "
                        "FILE or --mps FILE\n");
        usage(stderr);
        return 2;
    }
    sm_diag d;
    sm_diag_init(&d);
    sm_status st = SM_OK;
    sm_model *m = NULL;
    sm_problem *p = NULL;
    sm_lp *lp = NULL;
    char *dir = sm_cli_model_dir(optind < argc ? argv[optind] : NULL);
    if (!dir)
        SM_TRY(sm_diag_fail(&d, SM_ENOMEM, "out of memory"));
    SM_TRY(sm_cli_load_model(dir, &m));
    SM_TRY(sm_problem_new(m, &p, &d));
    SM_TRY(sm_lp_new(&lp, m, p->layout, p->base_coeffs, NULL, &d));
    SM_TRY(sm_lp_write(lp, lp_file ? lp_file : mps_file, lp_file != NULL, &d));
    fprintf(stderr, "wrote %s (%d rows, %d columns)\n", lp_file ? lp_file : mps_file,
            sm_lp_rows(lp), sm_lp_cols(lp));
done:
    sm_lp_free(&lp);
    sm_problem_free(&p);
    sm_model_free(&m);
    free(dir);
    return sm_cli_finish(st, &d);
}
