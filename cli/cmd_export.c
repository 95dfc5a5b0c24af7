/* `supplymix export [MODEL] [--sweep SWEEP --scenario I] --lp FILE | --mps FILE`:
 * the LP for other solvers. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../io/sweep_load.h"
#include "../solver/explain.h"
#include "../solver/lp.h"
#include "../models/portfolio.h"
#include "../models/problem.h"
#include "../solver/engine.h"
#include "../solver/plan.h"
#include "cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: supplymix export [MODEL] [--sweep SWEEP --scenario I\n"
            "                        [--portfolio FILE [--policy P]]] [--elastic]\n"
            "                        (--lp FILE | --mps FILE)\n"
            "       supplymix export [MODEL] --sweep SWEEP --extensive [--grid-point G]\n"
            "                        [--cvar ALPHA] [--risk-weight LAMBDA]\n"
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
            "  --portfolio FILE  write it at a given portfolio of contract commitments, as\n"
            "                  `supplymix run --portfolio` solves it: the fees are the\n"
            "                  objective's constant term\n"
            "  --policy P      the plan file's policy to use (see `supplymix run --help`)\n"
            "  --elastic       write instead the elastic LP that explains an infeasible\n"
            "                  scenario (docs/MODEL.md \"Infeasibility explained\"): no costs,\n"
            "                  a slack on each floor row priced per point of demand and on\n"
            "                  each end-stock target per tonne; its optimum is the least\n"
            "                  relaxation `supplymix solve` reports\n"
            "  --extensive     write instead the extensive form (deterministic equivalent) of\n"
            "                  the plan of one grid point of SWEEP (docs/MODEL.md Part 2): one\n"
            "                  LP over the commitments and every future's purchases, whose\n"
            "                  optimum is `supplymix plan`'s RP; refused above 5,000,000\n"
            "                  nonzeros\n"
            "  --grid-point G  the grid point (policy) of --extensive, 0-based (default 0)\n"
            "  --cvar ALPHA    with --extensive: the CVaR level of the plan's objective, in\n"
            "                  [0, 1) (default: the sweep's plan.cvar_alpha, else 0.95)\n"
            "  --risk-weight LAMBDA  with --extensive: the weight of CVaR in the objective\n"
            "                  (1 - LAMBDA) E + LAMBDA CVaR, in [0, 1] (default: the sweep's\n"
            "                  plan.risk_weight, else 0, risk neutral)\n"
            "  -h, --help      show this help\n");
}

/* --extensive: one grid point's plan as one LP. */
static sm_status write_extensive(const sm_cli_inputs *in, unsigned long long g,
                                 const sm_plan_opts *o, const char *file, int lp_format,
                                 sm_diag *d)
{
    sm_status st = SM_OK;
    sm_lp *lp = NULL;
    const sm_sweep *sw = in->sw;
    if (g >= sw->grid_size)
        return sm_diag_error(d, NULL, 0, 0, "--grid-point %llu: sweep '%s' has grid points 0..%zu",
                             g, sw->name, sw->grid_size - 1);
    SM_TRY(sm_plan_extensive(in->p, sw, (size_t)g, o, &lp, d));
    SM_TRY(sm_lp_write(lp, file, lp_format, d));
    fprintf(stderr, "wrote %s (%d rows, %d columns): the extensive form of grid point %llu of "
                    "sweep '%s', %zu futures, risk weight %g, CVaR level %g\n", file,
            sm_lp_rows(lp), sm_lp_cols(lp), g, sw->name, sw->samples, o->risk_weight,
            o->cvar_alpha);
done:
    sm_lp_free(&lp);
    return st;
}

/* The elastic LP of the numbers (explain.h), as solved for the report. */
static sm_status write_elastic(const sm_cli_inputs *in, const sm_inputs *inputs,
                               const sm_coeffs *numbers, const char *file, int lp_format,
                               sm_diag *d)
{
    sm_explainer *ex = sm_explainer_new(in->m, in->p->layout, NULL);
    if (!ex)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    size_t K = (size_t)in->m->n_limits, M = (size_t)in->m->n_materials;
    double *relax = malloc((K * M * (size_t)in->m->n_periods + M + 1) * sizeof *relax);
    sm_solve_info info;
    sm_status st = relax ? SM_OK : sm_diag_fail(d, SM_ENOMEM, "out of memory");
    if (st == SM_OK)
        st = sm_explain(ex, inputs, numbers, relax, relax + K * M * (size_t)in->m->n_periods,
                        &info, d);
    if (st == SM_OK)
        st = sm_explain_write(ex, file, lp_format, d);
    free(relax);
    sm_explainer_free(&ex);
    return st;
}

/* The base case (no sweep), or scenario i of the sweep. */
static sm_status write_scenario(const sm_cli_inputs *in, unsigned long long i, const char *file,
                                int lp_format, int elastic, sm_diag *d)
{
    sm_status st = SM_OK;
    const sm_sweep *sw = in->sw;
    sm_lp *lp = NULL;
    sm_inputs *inputs = NULL;
    sm_coeffs *coeffs = NULL;
    double *values = NULL;
    const sm_coeffs *numbers = in->p->base_coeffs;
    if (sw) {
        if (i >= sw->n_scenarios)
            return sm_diag_error(d, NULL, 0, 0, "--scenario %llu: sweep '%s' has scenarios 0..%zu",
                                 i, sw->name, sw->n_scenarios - 1);
        inputs = sm_inputs_new(in->m);
        coeffs = sm_coeffs_new(in->p->layout);
        values = malloc(((size_t)sw->n_params + 1) * sizeof *values);
        if (!inputs || !coeffs || !values)
            SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
        sm_scenario_coeffs(in->p, sw, (size_t)i, values, inputs, coeffs);
        numbers = coeffs;
    }
    if (elastic) {
        SM_TRY(write_elastic(in, inputs ? inputs : in->p->base_inputs, numbers, file, lp_format,
                             d));
        fprintf(stderr, "wrote %s: the elastic LP", file);
    } else {
        SM_TRY(sm_lp_new(&lp, in->m, in->p->layout, numbers, NULL, d));
        SM_TRY(sm_lp_write(lp, file, lp_format, d));
        fprintf(stderr, "wrote %s (%d rows, %d columns)", file, sm_lp_rows(lp), sm_lp_cols(lp));
    }
    if (sw) {
        fprintf(stderr, ": scenario %llu of sweep '%s' with", i, sw->name);
        for (int k = 0; k < sw->n_params; k++)
            fprintf(stderr, "%s %s = %g", k ? "," : "", sw->params[k].name, values[k]);
        if (in->portfolio)
            fprintf(stderr, "; at portfolio %s, its fees (%.17g USD) the cost of the column "
                            "%s fixed at 1", in->portfolio->file, inputs->commitment_fees,
                    SM_LP_CONSTANT_COLUMN);
    }
    fprintf(stderr, "\n");
done:
    sm_lp_free(&lp);
    sm_inputs_free(&inputs);
    sm_coeffs_free(&coeffs);
    free(values);
    return st;
}

typedef struct export_args {
    const char *lp_file, *mps_file, *sweep_arg, *scen_arg, *grid_arg, *model_arg, *portfolio,
        *policy;
    int extensive, elastic;
    unsigned long long index;   /* the scenario, or with --extensive the grid point */
    double risk_weight, cvar_alpha;   /* --risk-weight, --cvar; NaN when not given */
} export_args;

/* The options; -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, export_args *a)
{
    static const struct option opts[] = {{"help", no_argument, 0, 'h'},
                                         {"lp", required_argument, 0, 'l'},
                                         {"mps", required_argument, 0, 'm'},
                                         {"sweep", required_argument, 0, 's'},
                                         {"scenario", required_argument, 0, 'i'},
                                         {"extensive", no_argument, 0, 'e'},
                                         {"elastic", no_argument, 0, 'E'},
                                         {"grid-point", required_argument, 0, 'g'},
                                         {"cvar", required_argument, 0, 'a'},
                                         {"risk-weight", required_argument, 0, 'w'},
                                         {"portfolio", required_argument, 0, 'P'},
                                         {"policy", required_argument, 0, 'p'},
                                         {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->risk_weight = a->cvar_alpha = NAN;
    int risk = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 'l': a->lp_file = optarg; break;
        case 'm': a->mps_file = optarg; break;
        case 's': a->sweep_arg = optarg; break;
        case 'i': a->scen_arg = optarg; break;
        case 'e': a->extensive = 1; break;
        case 'E': a->elastic = 1; break;
        case 'g': a->grid_arg = optarg; break;
        case 'a':
        case 'w':
            risk = 1;
            if (!sm_cli_risk_option("export", c == 'a' ? "--cvar" : "--risk-weight", optarg,
                                    c == 'a' ? &a->cvar_alpha : &a->risk_weight))
                return 2;
            break;
        case 'P': a->portfolio = optarg; break;
        case 'p': a->policy = optarg; break;
        default: usage(stderr); return 2;
        }
    }
    a->model_arg = optind < argc ? argv[optind] : NULL;
    int one_file = !a->lp_file != !a->mps_file, one_model = argc - optind <= 1;
    if (risk && !a->extensive) {
        fprintf(stderr, "supplymix export: --cvar and --risk-weight go with --extensive\n");
        return 2;
    }
    if (a->extensive || a->grid_arg) {
        if (!a->extensive || !a->sweep_arg || a->scen_arg || !one_file || !one_model ||
            a->portfolio || a->policy || a->elastic) {
            fprintf(stderr, "supplymix export: --extensive needs --sweep, exactly one of --lp FILE "
                            "or --mps FILE, and no --scenario or --portfolio (--grid-point goes "
                            "with --extensive; --elastic is one scenario's)\n");
            return 2;
        }
        if (a->grid_arg && !sm_cli_parse_index("export", "--grid-point", a->grid_arg, &a->index))
            return 2;
        return -1;
    }
    if (!one_file || !one_model || (!a->sweep_arg != !a->scen_arg)) {
        fprintf(stderr, "supplymix export: give one MODEL at most, exactly one of --lp FILE or "
                        "--mps FILE, and --sweep with --scenario or neither\n");
        usage(stderr);
        return 2;
    }
    if (a->scen_arg && !sm_cli_parse_index("export", "--scenario", a->scen_arg, &a->index))
        return 2;
    return -1;
}

int sm_cmd_export(int argc, char **argv)
{
    export_args a;
    int code = parse_args(argc, argv, &a);
    if (code >= 0)
        return code;
    sm_diag d;
    sm_diag_init(&d);
    sm_cli_inputs in;
    const char *file = a.lp_file ? a.lp_file : a.mps_file;
    sm_status st = sm_cli_inputs_load(a.model_arg, a.sweep_arg, &in, &d);
    sm_plan_opts o;
    sm_plan_opts_init(&o);
    if (st == SM_OK)
        st = sm_cli_portfolio_load("export", a.portfolio, a.policy, &in, &d);
    if (st == SM_OK && a.extensive) {
        sm_cli_plan_risk(in.sw, a.risk_weight, a.cvar_alpha, &o.risk_weight, &o.cvar_alpha);
        st = write_extensive(&in, a.index, &o, file, a.lp_file != NULL, &d);
    } else if (st == SM_OK) {
        st = write_scenario(&in, a.index, file, a.lp_file != NULL, a.elastic, &d);
    }
    sm_cli_inputs_free(&in);
    return sm_cli_finish(st, &d);
}
