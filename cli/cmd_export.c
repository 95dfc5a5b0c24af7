/* `supplymix export [MODEL] [--sweep SWEEP --scenario I] --lp FILE | --mps FILE`:
 * the LP for other solvers. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

#include "../io/sweep_load.h"
#include "../solver/lp.h"
#include "../models/problem.h"
#include "../solver/engine.h"
#include "../solver/plan.h"
#include "cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: supplymix export [MODEL] [--sweep SWEEP --scenario I] (--lp FILE | --mps FILE)\n"
            "       supplymix export [MODEL] --sweep SWEEP --extensive [--grid-point G]\n"
            "                        (--lp FILE | --mps FILE)\n"
            "\n"
            "Write the LP of MODEL's base case (default model: the shipped rare_earths), or\n"
            "of scenario I (0-based, the sweep's numbering) of SWEEP, in CPLEX LP format\n"
            "(--lp) or free MPS format (--mps), with every row and column named, so glpsol,\n"
            "cbc or any other solver can reproduce it. An existing FILE is replaced.\n"
            "\n"
            "options:\n"
            "  --lp FILE       write CPLEX LP format\n"
            "  --mps FILE      write free MPS format\n"
            "  --sweep SWEEP   a sweep file, or the name of one of the model's shipped sweeps\n"
            "  --scenario I    the scenario of SWEEP to write\n"
            "  --extensive     write instead the extensive form (deterministic equivalent) of\n"
            "                  the plan of one grid point of SWEEP (docs/MODEL.md Part 2): one\n"
            "                  LP over the commitments and every future's purchases, whose\n"
            "                  optimum is `supplymix plan`'s RP; refused above 5,000,000\n"
            "                  nonzeros\n"
            "  --grid-point G  the grid point (policy) of --extensive, 0-based (default 0)\n"
            "  -h, --help      show this help\n");
}

/* --extensive: one grid point's plan as one LP. */
static int export_extensive(int argc, char **argv, const char *sweep_arg, const char *grid_arg,
                            const char *lp_file, const char *mps_file)
{
    unsigned long long g = 0;
    if (grid_arg) {
        char *end;
        errno = 0;
        g = strtoull(grid_arg, &end, 10);
        if (errno || *end || grid_arg[0] == '-' || !*grid_arg) {
            fprintf(stderr, "supplymix export: --grid-point: '%s' is not a grid point number\n",
                    grid_arg);
            return 2;
        }
    }
    sm_diag d;
    sm_diag_init(&d);
    sm_status st = SM_OK;
    sm_model *m = NULL;
    sm_sweep *sw = NULL;
    sm_problem *p = NULL;
    sm_lp *lp = NULL;
    char *sweep_path = NULL;
    char *dir = sm_cli_model_dir(optind < argc ? argv[optind] : NULL);
    if (!dir)
        SM_TRY(sm_diag_fail(&d, SM_ENOMEM, "out of memory"));
    SM_TRY(sm_cli_load_model(dir, &m));
    SM_TRY(sm_problem_new(m, &p, &d));
    if (!(sweep_path = sm_sweep_find(sweep_arg, dir)))
        SM_TRY(sm_diag_fail(&d, SM_ENOMEM, "out of memory"));
    SM_TRY(sm_sweep_load(sweep_path, m, &sw, &d));
    if (g >= sw->grid_size)
        SM_TRY(sm_diag_error(&d, NULL, 0, 0, "--grid-point %llu: sweep '%s' has grid points 0..%zu",
                             g, sw->name, sw->grid_size - 1));
    SM_TRY(sm_plan_extensive(p, sw, (size_t)g, &lp, &d));
    SM_TRY(sm_lp_write(lp, lp_file ? lp_file : mps_file, lp_file != NULL, &d));
    fprintf(stderr, "wrote %s (%d rows, %d columns): the extensive form of grid point %llu of "
                    "sweep '%s', %zu futures\n", lp_file ? lp_file : mps_file, sm_lp_rows(lp),
            sm_lp_cols(lp), g, sw->name, sw->samples);
done:
    sm_lp_free(&lp);
    sm_problem_free(&p);
    sm_sweep_free(&sw);
    sm_model_free(&m);
    free(sweep_path);
    free(dir);
    return sm_cli_finish(st, &d);
}

int sm_cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, 0, 'h'},
                                         {"lp", required_argument, 0, 'l'},
                                         {"mps", required_argument, 0, 'm'},
                                         {"sweep", required_argument, 0, 's'},
                                         {"scenario", required_argument, 0, 'i'},
                                         {"extensive", no_argument, 0, 'e'},
                                         {"grid-point", required_argument, 0, 'g'},
                                         {0, 0, 0, 0}};
    const char *lp_file = NULL, *mps_file = NULL, *sweep_arg = NULL, *scen_arg = NULL;
    const char *grid_arg = NULL;
    int c, extensive = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 'l': lp_file = optarg; break;
        case 'm': mps_file = optarg; break;
        case 's': sweep_arg = optarg; break;
        case 'i': scen_arg = optarg; break;
        case 'e': extensive = 1; break;
        case 'g': grid_arg = optarg; break;
        default: usage(stderr); return 2;
        }
    }
    if (extensive || grid_arg) {
        if (!extensive || !sweep_arg || scen_arg || (!lp_file == !mps_file) ||
            argc - optind > 1) {
            fprintf(stderr, "supplymix export: --extensive needs --sweep, exactly one of --lp FILE "
                            "or --mps FILE, and no --scenario (--grid-point goes with "
                            "--extensive)\n");
            return 2;
        }
        return export_extensive(argc, argv, sweep_arg, grid_arg, lp_file, mps_file);
    }
    if ((!lp_file && !mps_file) || (lp_file && mps_file) || argc - optind > 1 ||
        (!sweep_arg != !scen_arg)) {
        fprintf(stderr, "supplymix export: give one MODEL at most, exactly one of --lp FILE or "
                        "--mps FILE, and --sweep with --scenario or neither\n");
        usage(stderr);
        return 2;
    }
    unsigned long long scenario = 0;
    if (scen_arg) {
        char *end;
        errno = 0;
        scenario = strtoull(scen_arg, &end, 10);
        if (errno || *end || scen_arg[0] == '-' || !*scen_arg) {
            fprintf(stderr, "supplymix export: --scenario: '%s' is not a scenario number\n", scen_arg);
            return 2;
        }
    }
    sm_diag d;
    sm_diag_init(&d);
    sm_status st = SM_OK;
    sm_model *m = NULL;
    sm_sweep *sw = NULL;
    sm_problem *p = NULL;
    sm_lp *lp = NULL;
    sm_inputs *in = NULL;
    sm_coeffs *coeffs = NULL;
    double *values = NULL;
    char *sweep_path = NULL;
    char *dir = sm_cli_model_dir(optind < argc ? argv[optind] : NULL);
    if (!dir)
        SM_TRY(sm_diag_fail(&d, SM_ENOMEM, "out of memory"));
    SM_TRY(sm_cli_load_model(dir, &m));
    SM_TRY(sm_problem_new(m, &p, &d));
    const sm_coeffs *numbers = p->base_coeffs;
    if (sweep_arg) {
        sweep_path = sm_sweep_find(sweep_arg, dir);
        if (!sweep_path)
            SM_TRY(sm_diag_fail(&d, SM_ENOMEM, "out of memory"));
        SM_TRY(sm_sweep_load(sweep_path, m, &sw, &d));
        if (scenario >= sw->n_scenarios)
            SM_TRY(sm_diag_error(&d, NULL, 0, 0, "--scenario %llu: sweep '%s' has scenarios 0..%zu",
                                 scenario, sw->name, sw->n_scenarios - 1));
        in = sm_inputs_new(m);
        coeffs = sm_coeffs_new(p->layout);
        values = malloc(((size_t)sw->n_params + 1) * sizeof *values);
        if (!in || !coeffs || !values)
            SM_TRY(sm_diag_fail(&d, SM_ENOMEM, "out of memory"));
        sm_scenario_coeffs(p, sw, (size_t)scenario, values, in, coeffs);
        numbers = coeffs;
    }
    SM_TRY(sm_lp_new(&lp, m, p->layout, numbers, NULL, &d));
    SM_TRY(sm_lp_write(lp, lp_file ? lp_file : mps_file, lp_file != NULL, &d));
    fprintf(stderr, "wrote %s (%d rows, %d columns)", lp_file ? lp_file : mps_file,
            sm_lp_rows(lp), sm_lp_cols(lp));
    if (sw) {
        fprintf(stderr, ": scenario %llu of sweep '%s' with", scenario, sw->name);
        for (int k = 0; k < sw->n_params; k++)
            fprintf(stderr, "%s %s = %g", k ? "," : "", sw->params[k].name, values[k]);
    }
    fprintf(stderr, "\n");
done:
    sm_lp_free(&lp);
    sm_inputs_free(&in);
    sm_coeffs_free(&coeffs);
    free(values);
    sm_problem_free(&p);
    sm_sweep_free(&sw);
    sm_model_free(&m);
    free(sweep_path);
    free(dir);
    return sm_cli_finish(st, &d);
}
