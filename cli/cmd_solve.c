/* `supplymix solve [MODEL]`: the base case, solved and reported. */
#include <getopt.h>
#include <stdlib.h>

#include "../solver/lp.h"
#include "../models/problem.h"
#include "cli.h"
#include "report.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: supplymix solve [MODEL]\n"
            "\n"
            "Solve the base case of MODEL (a model directory; default: the shipped\n"
            "rare_earths model) and print the supplier mix, the total cost and its\n"
            "parts, shares by region, stock, shortfall, the binding dependency limits\n"
            "with their shadow prices, and the marginal cost of supply.\n"
            "\n"
            "options:\n"
            "  -h, --help   show this help\n");
}

int sm_cmd_solve(int argc, char **argv)
{
    int code = sm_cli_no_options(argc, argv, usage);
    if (code >= 0)
        return code;
    if (argc - optind > 1) {
        fprintf(stderr, "supplymix solve: expected at most one MODEL directory\n");
        usage(stderr);
        return 2;
    }
    sm_diag d;
    sm_diag_init(&d);
    sm_status st = SM_OK;
    sm_model *m = NULL;
    sm_problem *p = NULL;
    sm_lp *lp = NULL;
    sm_block *b = NULL;
    double *x = NULL, *y = NULL;
    char *dir = sm_cli_model_dir(optind < argc ? argv[optind] : NULL);
    if (!dir)
        SM_TRY(sm_diag_fail(&d, SM_ENOMEM, "out of memory"));
    SM_TRY(sm_cli_load_model(dir, &m));
    SM_TRY(sm_problem_new(m, &p, &d));
    SM_TRY(sm_lp_new(&lp, m, p->layout, p->base_coeffs, NULL, &d));
    sm_solve_info info;
    SM_TRY(sm_lp_solve(lp, 0, &info));
    b = sm_block_new(&p->dims, 1, 1);
    x = malloc((size_t)p->layout->n_cols * sizeof *x);
    y = malloc((size_t)p->layout->n_rows * sizeof *y);
    if (!b || !x || !y)
        SM_TRY(sm_diag_fail(&d, SM_ENOMEM, "out of memory"));
    sm_block_clear_row(b, 0);
    if (info.status == SM_SCEN_OPTIMAL) {
        sm_lp_solution(lp, x, y);
        sm_block_fill_row(b, 0, m, p->layout, p->base_inputs, x, y);
    }
    sm_block_set_status(b, 0, info.status, info.glpk_code, info.iterations, info.seconds);
    sm_report_ctx r = {m, p->layout, p->base_inputs, b, &info, "base case",
                       sm_lp_rows(lp), sm_lp_cols(lp), sm_lp_nonzeros(lp)};
    sm_report_print(stdout, &r);
done:
    free(x);
    free(y);
    sm_block_free(&b);
    sm_lp_free(&lp);
    sm_problem_free(&p);
    sm_model_free(&m);
    free(dir);
    return sm_cli_finish(st, &d);
}
