/* `supplymix validate [MODEL]`: check the inputs, report every problem. */
#include <getopt.h>
#include <stdlib.h>

#include "../io/model_load.h"
#include "cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: supplymix validate [MODEL]\n"
            "\n"
            "Check MODEL (a model directory; default: the shipped rare_earths model):\n"
            "model.yaml and its tables are read in full and every problem is listed as\n"
            "FILE:LINE[:COLUMN]: error|warning: what is wrong and what was expected.\n"
            "Exit code 0 when there is no error (warnings allowed), 2 otherwise.\n"
            "\n"
            "options:\n"
            "  -h, --help   show this help\n");
}

int sm_cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 0;
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
    sm_status st = sm_model_load(dir, &m, &d);
    size_t warnings = d.warnings, errors = d.errors;
    int code = sm_cli_finish(st, &d);
    if (st == SM_OK)
        printf("%s: model '%s' is valid: %d periods, %d regions, %d materials, %d suppliers, "
               "%d offers, %d limits (%zu warning%s)\n",
               dir, m->name, m->n_periods, m->n_regions, m->n_materials, m->n_suppliers,
               m->n_offers, m->n_limits, warnings, warnings == 1 ? "" : "s");
    else if (st == SM_EINPUT)
        fprintf(stderr, "%s: %zu error%s, %zu warning%s\n", dir, errors, errors == 1 ? "" : "s",
                warnings, warnings == 1 ? "" : "s");
    sm_model_free(&m);
    free(dir);
    return code;
}
