/* `supplymix validate [MODEL]`: check the inputs, report every problem. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../io/model_load.h"
#include "../io/sweep_load.h"
#include "../models/params.h"
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

/* What the model uses of issue 12's levers: its scoped windows, its
 * capacity profile and its discount rate. */
static void print_model_levers(const sm_model *m)
{
    static const char *const kind_name[] = {"tariff", "availability"};
    for (int k = 0; k < SM_SCOPE_KINDS; k++)
        for (int r = 0; r < m->n_regions; r++)
            for (int mat = -1; mat < m->n_materials; mat++) {
                const sm_window *w = &m->windows[sm_scope_slot(m, k, r, mat)];
                /* full availability in a window changes nothing */
                if (!w->on || !w->loc.line || (k == SM_SCOPE_AVAIL && w->level == 1.0))
                    continue;
                char from[32], until[32];
                sm_period_label(m, w->from, from, sizeof from);
                sm_period_label(m, w->until, until, sizeof until);
                printf("  window %s.%s%s%s: %s %g, periods %d to %d (%s to %s), %s:%d\n",
                       kind_name[k], m->regions[r].name, mat < 0 ? "" : ".",
                       mat < 0 ? "" : m->materials[mat].name,
                       k == SM_SCOPE_TARIFF ? "rate" : "level", w->level, w->from, w->until,
                       from, until, w->loc.file, w->loc.line);
            }
    const char *profile = NULL;
    for (int f = 0; f < m->n_files; f++)
        if (!strcmp(m->files[f].role, "capacity_profile"))
            profile = m->files[f].name;
    int covered = 0;
    for (int o = 0; o < m->n_offers; o++)
        covered += m->offers[o].profile != NULL;
    if (profile)
        printf("  capacity profile %s: %d rows, %d of %d offers (their capacity x ramp "
               "replaced)\n",
               profile, covered * m->n_periods, covered, m->n_offers);
    else
        printf("  capacity profile: none (capacity x ramp for every offer)\n");
    if (m->discount_rate > 0)
        printf("  discount rate: %g a year; costs are present values at the first period's "
               "start\n", m->discount_rate);
    else
        printf("  discount rate: 0 (costs are not discounted)\n");
}

/* Which of issue 12's levers sweep parameter p moves: 0 scoped windows,
 * 1 penalty multipliers, 2 the discount rate, -1 none. */
static int lever_of(const sm_model *m, const sm_sweep_param *p)
{
    sm_scope_kind k;
    int r, mat;
    sm_window_field f;
    if (sm_param_scope(m, &p->target, &k, &r, &mat, &f))
        return 0;
    return p->target.kind == SM_P_PENALTY ? 1 : p->target.kind == SM_P_DISCOUNT ? 2 : -1;
}

/* The sweep's parameters that move a scoped window, a penalty multiplier
 * or the discount rate, one line per lever. */
static void print_sweep_levers(const sm_model *m, const sm_sweep *sw)
{
    static const char *const what[] = {"scoped windows", "penalty multipliers",
                                       "discount rate"};
    for (int l = 0; l < 3; l++) {
        printf("  sweep %s:", what[l]);
        int n = 0;
        for (int i = 0; i < sw->n_params; i++)
            if (lever_of(m, &sw->params[i]) == l)
                printf("%s %s", n++ ? "," : "", sw->params[i].name);
        printf("%s\n", n ? "" : " none");
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
            "A valid model's scoped windows, capacity profile (rows, offers covered) and\n"
            "discount rate are listed; a valid sweep's named events, rank correlations (each\n"
            "target beside the Spearman correlation its sample achieves) and the parameters\n"
            "that move scoped windows, penalty multipliers or the discount rate. A warning\n"
            "when periods.length_months is not periods.tables_months (default 3), the\n"
            "length the tables were written for (they are used per period as given).\n"
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
        print_model_levers(m);
        if (sw) {
            printf("%s: sweep '%s' is valid: %d parameters, %zu scenarios (%zu grid points x "
                   "%zu samples)\n",
                   sweep_path, sw->name, sw->n_params, sw->n_scenarios, sw->grid_size,
                   sw->samples);
            print_links(sw);
            print_sweep_levers(m, sw);
        }
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
