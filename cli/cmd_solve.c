/* `supplymix solve [MODEL] [--sweep SWEEP --scenario I]`: the base case, or
 * one scenario of a sweep, solved and reported. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../solver/explain.h"
#include "../solver/lp.h"
#include "../solver/ranging.h"
#include "../models/problem.h"
#include "cli.h"
#include "report.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: supplymix solve [MODEL] [--sweep SWEEP --scenario I\n"
            "                       [--portfolio FILE [--policy P]]]\n"
            "\n"
            "Solve the base case of MODEL (a model directory; default: the shipped\n"
            "rare_earths model), or scenario I (0-based, the sweep's numbering, as in the\n"
            "results file of `supplymix run`) of SWEEP, and print the supplier mix, the\n"
            "total cost and its parts, shares by region, stock, shortfall, the binding\n"
            "dependency limits with their shadow prices, and the marginal cost of supply.\n"
            "A scenario's report starts with its parameter values; an infeasible scenario\n"
            "is reported as such (exit 0).\n"
            "\n"
            "options:\n"
            "  --sweep SWEEP   a sweep file, or the name of one of the model's shipped sweeps\n"
            "  --scenario I    the scenario of SWEEP to solve\n"
            "  --portfolio FILE  solve it at a given portfolio of contract commitments, as\n"
            "                  `supplymix run --portfolio` does (its fees are a cost part)\n"
            "  --policy P      the plan file's policy to use (see `supplymix run --help`)\n"
            "  -h, --help      show this help\n");
    sm_cli_lp_engine_usage(out, 16);
}

typedef struct solve_args {
    const char *model_arg, *sweep_arg, *scen_arg, *portfolio, *policy;
    unsigned long long index;
    sm_lp_opts lp;
} solve_args;

/* The options; -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, solve_args *a)
{
    static const struct option opts[] = {{"help", no_argument, 0, 'h'},
                                         {"sweep", required_argument, 0, 's'},
                                         {"scenario", required_argument, 0, 'i'},
                                         {"portfolio", required_argument, 0, 'P'},
                                         {"policy", required_argument, 0, 'p'},
                                         {"lp-engine", required_argument, 0, 'E'},
                                         {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    sm_lp_opts_init(&a->lp);
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 's': a->sweep_arg = optarg; break;
        case 'i': a->scen_arg = optarg; break;
        case 'P': a->portfolio = optarg; break;
        case 'p': a->policy = optarg; break;
        case 'E':
            if (!sm_cli_lp_engine("solve", optarg, &a->lp))
                return 2;
            break;
        default: usage(stderr); return 2;
        }
    }
    a->model_arg = optind < argc ? argv[optind] : NULL;
    if (argc - optind > 1 || !a->sweep_arg != !a->scen_arg) {
        fprintf(stderr, "supplymix solve: give one MODEL at most, and --sweep with --scenario "
                        "or neither\n");
        usage(stderr);
        return 2;
    }
    if (a->scen_arg && !sm_cli_parse_index("solve", "--scenario", a->scen_arg, &a->index))
        return 2;
    return -1;
}

/* What one solve reads: the base case's numbers, or scenario i's. */
typedef struct scenario_numbers {
    const sm_inputs *inputs;
    const sm_coeffs *coeffs;
    sm_inputs *own_inputs;
    sm_coeffs *own_coeffs;
    double *values;   /* the sweep's parameter values, NULL for the base case */
} scenario_numbers;

static sm_status numbers_load(const sm_cli_inputs *in, unsigned long long i, scenario_numbers *n,
                              sm_diag *d)
{
    const sm_sweep *sw = in->sw;
    memset(n, 0, sizeof *n);
    n->inputs = in->p->base_inputs;
    n->coeffs = in->p->base_coeffs;
    if (!sw)
        return SM_OK;
    if (i >= sw->n_scenarios)
        return sm_diag_error(d, NULL, 0, 0, "--scenario %llu: sweep '%s' has scenarios 0..%zu", i,
                             sw->name, sw->n_scenarios - 1);
    n->own_inputs = sm_inputs_new(in->m);
    n->own_coeffs = sm_coeffs_new(in->p->layout);
    n->values = malloc(((size_t)sw->n_params + 1) * sizeof *n->values);
    if (!n->own_inputs || !n->own_coeffs || !n->values)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    sm_scenario_coeffs(in->p, sw, (size_t)i, n->values, n->own_inputs, n->own_coeffs);
    n->inputs = n->own_inputs;
    n->coeffs = n->own_coeffs;
    return SM_OK;
}

static void numbers_free(scenario_numbers *n)
{
    sm_inputs_free(&n->own_inputs);
    sm_coeffs_free(&n->own_coeffs);
    free(n->values);
}

/* An infeasible scenario's least relaxation into row 0 of b. */
static sm_status explain(const sm_cli_inputs *in, const scenario_numbers *n, sm_block *b,
                         sm_scen_status *status, sm_diag *d)
{
    sm_explainer *ex = sm_explainer_new(in->m, in->p->layout, NULL);
    if (!ex)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    sm_solve_info info;
    sm_status st = sm_explain(ex, n->inputs, n->coeffs, sm_block_row(b, SM_V_RELAX_LIMIT, 0),
                              sm_block_row(b, SM_V_RELAX_STOCK, 0), &info, d);
    *status = info.status;
    sm_explainer_free(&ex);
    return st;
}

/* Each limit's directional savings and share range into out[4·K]. */
static sm_status rank_limits(const sm_cli_inputs *in, const scenario_numbers *n, sm_lp *lp,
                             double *out, sm_diag *d)
{
    size_t K = (size_t)in->m->n_limits;
    sm_ranger *rg = sm_ranger_new(in->m, in->p->layout);
    if (!rg)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    sm_status st = sm_ranging_limits(rg, lp, n->inputs, n->coeffs, out, out + K, out + 2 * K,
                                     out + 3 * K, d);
    sm_ranger_free(&rg);
    return st;
}

/* Solve the numbers from scratch and print the report titled title. */
static sm_status solve_and_report(const sm_cli_inputs *in, const scenario_numbers *n,
                                  const sm_lp_opts *opts, const char *title, sm_diag *d)
{
    sm_status st = SM_OK;
    const sm_model *m = in->m;
    const sm_problem *p = in->p;
    sm_lp *lp = NULL;
    sm_block *b = NULL;
    double *x = NULL, *y = NULL, *ranged = NULL;
    SM_TRY(sm_lp_new(&lp, m, p->layout, n->coeffs, opts, d));
    sm_solve_info info;
    if (sm_lp_solve(lp, 0, &info) != SM_OK)
        SM_TRY(sm_lp_solve_failed(&info, title, d));
    b = sm_block_new(&p->dims, 1, 1);
    x = malloc((size_t)p->layout->n_cols * sizeof *x);
    y = malloc((size_t)p->layout->n_rows * sizeof *y);
    if (!b || !x || !y)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    sm_block_clear_row(b, 0);
    if (info.status == SM_SCEN_OPTIMAL) {
        sm_lp_solution(lp, x, y);
        sm_block_fill_row(b, 0, m, p->layout, n->inputs, x, y);
    }
    sm_block_set_status(b, 0, info.status, info.glpk_code, info.iterations, info.seconds);
    sm_report_ctx r = {m, p->layout, n->inputs, b, &info, title,
                       sm_lp_rows(lp), sm_lp_cols(lp), sm_lp_nonzeros(lp),
                       n->values ? in->sw : NULL, n->values, NULL, NULL, SM_SCEN_NOT_SOLVED,
                       NULL, NULL, NULL, NULL, NULL, NULL, n->coeffs};
    if (info.status == SM_SCEN_OPTIMAL)
        r.x = x, r.y = y;
    if (info.status == SM_SCEN_OPTIMAL && m->n_limits) {
        size_t K = (size_t)m->n_limits;
        ranged = malloc(4 * K * sizeof *ranged);
        if (!ranged)
            SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
        SM_TRY(rank_limits(in, n, lp, ranged, d));
        r.saving_up = ranged, r.saving_down = ranged + K;
        r.share_lo = ranged + 2 * K, r.share_hi = ranged + 3 * K;
    }
    if (info.status == SM_SCEN_INFEASIBLE) {
        r.relax_limit = sm_block_row(b, SM_V_RELAX_LIMIT, 0);
        r.relax_stock = sm_block_row(b, SM_V_RELAX_STOCK, 0);
        SM_TRY(explain(in, n, b, &r.relax_status, d));
    }
    sm_report_print(stdout, &r);
done:
    free(x);
    free(y);
    free(ranged);
    sm_block_free(&b);
    sm_lp_free(&lp);
    return st;
}

int sm_cmd_solve(int argc, char **argv)
{
    solve_args a;
    int code = parse_args(argc, argv, &a);
    if (code >= 0)
        return code;
    sm_diag d;
    sm_diag_init(&d);
    sm_cli_inputs in;
    scenario_numbers n = {0};
    char title[256] = "base case";
    sm_status st = sm_cli_inputs_load(a.model_arg, a.sweep_arg, &in, &d);
    if (st == SM_OK)
        st = sm_cli_portfolio_load("solve", a.portfolio, a.policy, &in, &d);
    if (st == SM_OK)
        st = numbers_load(&in, a.index, &n, &d);
    if (st == SM_OK && in.sw)
        snprintf(title, sizeof title, "scenario %llu of sweep '%s' (scenarios 0..%zu)", a.index,
                 in.sw->name, in.sw->n_scenarios - 1);
    if (st == SM_OK)
        st = solve_and_report(&in, &n, &a.lp, title, &d);
    numbers_free(&n);
    sm_cli_inputs_free(&in);
    return sm_cli_finish(st, &d);
}
