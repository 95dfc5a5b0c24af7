/* `supplymix validate [MODEL]`: check the inputs, report every problem. */
#include <getopt.h>
#include <stdlib.h>

#include "../io/model_load.h"
#include "../io/sweep_load.h"
#include "cli.h"

/* Each event's probability and followers, and each target rank
 * correlation beside the one the sample achieves. */
static void print_links(const sm_sweep *sw)
{
    for (int e = 0; e < sw->n_events; e++)
        printf("  event %s: probability %g, drives %d parameter%s\n", sw->events[e].name,
               sw->events[e].p, sw->events[e].uses, sw->events[e].uses == 1 ? "" : "s");
    size_t K = (size_t)sw->n_params;
    for (int c = 0; c < sw->n_corr; c++) {
        size_t a = (size_t)sw->corr[c].a, b = (size_t)sw->corr[c].b;
        printf("  rank correlation %s ~ %s: target %.3f, achieved %.4f (Spearman over %zu "
               "futures)\n",
               sw->params[a].name, sw->params[b].name, sw->corr[c].rho,
               sw->rank_achieved[a * K + b], sw->samples);
    }
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: supplymix validate [MODEL] [--sweep SWEEP]\n"
            "\n"
            "Check MODEL (a model directory; default: the shipped rare_earths model), and\n"
            "SWEEP against it when given: every file is read in full and every problem is\n"
            "listed as FILE:LINE[:COLUMN]: error|warning: what is wrong and what was\n"
            "expected. Exit code 0 when there is no error (warnings allowed), 2 otherwise.\n"
            "A valid sweep's named events and rank correlations are listed, each target\n"
            "correlation beside the Spearman correlation its sample achieves.\n"
            "\n"
            "options:\n"
            "  --sweep SWEEP   a sweep file, or the name of one of the model's shipped sweeps\n"
            "  -h, --help      show this help\n");
}

int sm_cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, 0, 'h'},
                                         {"sweep", required_argument, 0, 's'},
                                         {0, 0, 0, 0}};
    const char *sweep_arg = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        if (c == 's') {
            sweep_arg = optarg;
            continue;
        }
        usage(stderr);
        return 2;
    }
    if (argc - optind > 1) {
        fprintf(stderr, "supplymix validate: expected at most one MODEL directory\n");
        usage(stderr);
        return 2;
    }
    sm_diag d;
    sm_diag_init(&d);
    char *dir = sm_cli_model_dir(optind < argc ? argv[optind] : NULL);
    if (!dir)
        return sm_cli_finish(sm_diag_fail(&d, SM_ENOMEM, "out of memory"), &d);
    sm_model *m = NULL;
    sm_sweep *sw = NULL;
    char *sweep_path = NULL;
    sm_status st = sm_model_load(dir, &m, &d);
    if (st == SM_OK && sweep_arg) {
        sweep_path = sm_sweep_find(sweep_arg, dir);
        st = sweep_path ? sm_sweep_load(sweep_path, m, &sw, &d)
                        : sm_diag_fail(&d, SM_ENOMEM, "out of memory");
    }
    size_t warnings = d.warnings, errors = d.errors;
    int code = sm_cli_finish(st, &d);
    if (st == SM_OK) {
        printf("%s: model '%s' is valid: %d periods, %d regions, %d materials, %d suppliers, "
               "%d offers, %d limits\n",
               dir, m->name, m->n_periods, m->n_regions, m->n_materials, m->n_suppliers,
               m->n_offers, m->n_limits);
        if (sw)
            printf("%s: sweep '%s' is valid: %d parameters, %zu scenarios (%zu grid points x "
                   "%zu samples)\n",
                   sweep_path, sw->name, sw->n_params, sw->n_scenarios, sw->grid_size,
                   sw->samples);
        if (sw)
            print_links(sw);
        printf("%zu warning%s\n", warnings, warnings == 1 ? "" : "s");
    } else if (st == SM_EINPUT) {
        fprintf(stderr, "%zu error%s, %zu warning%s\n", errors, errors == 1 ? "" : "s",
                warnings, warnings == 1 ? "" : "s");
    }
    sm_sweep_free(&sw);
    sm_model_free(&m);
    free(sweep_path);
    free(dir);
    return code;
}
