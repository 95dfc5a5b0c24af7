/* `supplymix table RESULTS.h5 [-o FILE.csv]`: a results file as CSV, one
 * row per scenario (or per scenario and index with --long), for
 * spreadsheets; io/results_table.c reads it block by block. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/files.h"
#include "../io/results_table.h"
#include "cli.h"

#define MAX_WHERE 64

static void usage(FILE *out)
{
    fprintf(out,
            "usage: supplymix table RESULTS.h5 [-o FILE.csv [--force]] [--where NAME OP VALUE]...\n"
            "                       [--columns NAME,...] [--long ARRAY,...]\n"
            "\n"
            "Write a results file (of `run` or `plan`) as CSV for a spreadsheet: one row per\n"
            "scenario with its number, status, sampled parameters by name (share.china_cap),\n"
            "total_cost and its parts, shortfall_total.MATERIAL,\n"
            "region_share.REGION.MATERIAL, purchases_by_region.REGION.MATERIAL and\n"
            "limit_saving_per_point.LIMIT; in a plan file also policy, future,\n"
            "cost_commitment, perfect_foresight_cost and regret. Numbers are written in\n"
            "full precision (the shortest decimal that reads back as the same double;\n"
            "NaN, inf). Scenarios not marked complete (a run still going, or killed) are\n"
            "rows with status not_solved and empty cells. The file is read a block of\n"
            "scenarios at a time, so memory does not grow with the number of scenarios.\n"
            "\n"
            "options:\n"
            "  -o, --output FILE   write to FILE (default: standard output); an existing\n"
            "                      FILE is replaced only with --force\n"
            "  --force             replace FILE if it exists (a regular file)\n"
            "  --where EXPR        keep rows where EXPR holds: NAME OP VALUE with OP one of\n"
            "                      =, !=, <, <=, >, >= and NAME a column of the header (a\n"
            "                      parameter, total_cost, ...), e.g. 'share.china_cap=0.4',\n"
            "                      'total_cost>6e8', 'status=optimal'; may be repeated (all\n"
            "                      must hold); status and policy take = and != with a name\n"
            "  --columns LIST      write only these columns, in this order (names of the\n"
            "                      header, separated by commas)\n"
            "  --long LIST         the long form of per-period arrays of the selected\n"
            "                      (complete) scenarios: purchases (by supplier, material,\n"
            "                      period), or stock, shortfall, marginal_cost (by material,\n"
            "                      period), or limit_dual (by limit, material, period); one\n"
            "                      row per scenario and index: the --columns (default:\n"
            "                      scenario), the index labels, the arrays' values\n"
            "  -h, --help          show this help\n"
            "\n"
            "exit codes: 0 written; 2 not a results file, an unknown column, parameter or\n"
            "array, a damaged chunk (named by dataset and scenario range), an existing\n"
            "FILE without --force; 4 FILE could not be written.\n");
}

/* The shortest decimal that reads back as x (at most 17 digits), so a
 * spreadsheet or a script gets the stored double itself. */
static void put_number(FILE *f, double x)
{
    char buf[40];
    if (isnan(x)) {
        fputs("NaN", f);
        return;
    }
    if (isinf(x)) {
        fputs(x > 0 ? "inf" : "-inf", f);
        return;
    }
    if (fabs(x) < 1e15 && x == (double)(long long)x && !(x == 0 && signbit(x))) {
        fprintf(f, "%lld", (long long)x);
        return;
    }
    for (int p = 15; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*g", p, x);
        if (p == 17 || strtod(buf, NULL) == x)
            break;
    }
    fputs(buf, f);
}

/* A text field, quoted as RFC 4180 asks when it holds a comma, a quote
 * or a line break. */
static void put_text(FILE *f, const char *s)
{
    if (!s[strcspn(s, ",\"\r\n")]) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static sm_status write_csv(sm_table *t, FILE *f, sm_diag *d)
{
    size_t n = sm_table_out_columns(t);
    for (size_t c = 0; c < n; c++) {
        if (c)
            fputc(',', f);
        put_text(f, sm_table_out_name(t, c));
    }
    fputc('\n', f);
    const sm_table_cell *cells;
    int r;
    while ((r = sm_table_next(t, &cells, d)) == 1) {
        for (size_t c = 0; c < n; c++) {
            if (c)
                fputc(',', f);
            if (cells[c].kind == SM_CELL_NUMBER)
                put_number(f, cells[c].x);
            else if (cells[c].kind == SM_CELL_TEXT)
                put_text(f, cells[c].text);
        }
        fputc('\n', f);
    }
    return r < 0 ? sm_table_error(t) : SM_OK;
}

typedef struct table_opts {
    const char *out, *columns, *arrays;
    const char *where[MAX_WHERE];
    int n_where, force;
} table_opts;

/* Options into o: -1 to go on, else the exit code. */
static int parse(int argc, char **argv, table_opts *o)
{
    static const struct option opts[] = {{"help", no_argument, 0, 'h'},
                                         {"output", required_argument, 0, 'o'},
                                         {"force", no_argument, 0, 'f'},
                                         {"where", required_argument, 0, 'w'},
                                         {"columns", required_argument, 0, 'c'},
                                         {"long", required_argument, 0, 'l'},
                                         {0, 0, 0, 0}};
    int c;
    memset(o, 0, sizeof *o);
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 0;
        } else if (c == 'o') {
            o->out = optarg;
        } else if (c == 'f') {
            o->force = 1;
        } else if (c == 'c') {
            o->columns = optarg;
        } else if (c == 'l') {
            o->arrays = optarg;
        } else if (c == 'w' && o->n_where < MAX_WHERE) {
            o->where[o->n_where++] = optarg;
        } else {
            if (c == 'w')
                fprintf(stderr, "supplymix table: at most %d --where\n", MAX_WHERE);
            usage(stderr);
            return 2;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "supplymix table: give one results file\n");
        usage(stderr);
        return 2;
    }
    return -1;
}

/* Open the file and apply the options: every name is checked before any
 * output is touched. */
static sm_status open_table(const char *path, const table_opts *o, sm_table **t, sm_diag *d)
{
    sm_status st;
    SM_TRY(sm_table_open(path, t, d));
    if (o->arrays)
        SM_TRY(sm_table_long(*t, o->arrays, d));
    if (o->columns)
        SM_TRY(sm_table_select(*t, o->columns, d));
    for (int k = 0; k < o->n_where; k++)
        SM_TRY(sm_table_where(*t, o->where[k], d));
done:
    return st;
}

/* The CSV into o->out, built under a partial name and put in place only
 * when whole: a damaged chunk met half-way leaves no half table. */
static sm_status write_file(sm_table *t, const table_opts *o, sm_diag *d)
{
    char *tmp = sm_partial_name(o->out);
    FILE *f = tmp ? fopen(tmp, "wx") : NULL;
    if (!f) {
        sm_status st = tmp ? sm_diag_fail_at(d, SM_EOUTPUT, o->out, "cannot be written")
                           : sm_diag_fail(d, SM_ENOMEM, "out of memory");
        free(tmp);
        return st;
    }
    static char buf[1 << 16];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    sm_status st = write_csv(t, f, d);
    int bad = ferror(f) | (fclose(f) != 0);
    if (st == SM_OK && bad)
        st = sm_diag_fail_at(d, SM_EOUTPUT, o->out, "could not be written (disk full?)");
    int e = st == SM_OK ? sm_put_in_place(tmp, o->out, o->force) : 0;
    if (e == EEXIST)
        st = sm_diag_fail_at(d, SM_EINPUT, o->out, "appeared meanwhile; give --force to "
                                                   "replace it");
    else if (e)
        st = sm_diag_fail_at(d, SM_EOUTPUT, o->out, "could not be put in place: %s",
                             strerror(e));
    if (st != SM_OK)
        unlink(tmp);
    free(tmp);
    return st;
}

int sm_cmd_table(int argc, char **argv)
{
    table_opts o;
    int code = parse(argc, argv, &o);
    if (code >= 0)
        return code;
    const char *path = argv[optind];
    sm_diag d;
    sm_diag_init(&d);
    sm_table *t = NULL;
    sm_status st = SM_OK;
    if (o.out) {
        st = sm_output_check(o.out, &path, 1, &d);
        if (st == SM_OK && !o.force && sm_path_exists(o.out))
            st = sm_diag_error(&d, o.out, 0, 0, "exists; give --force to replace it");
    }
    if (st == SM_OK)
        st = open_table(path, &o, &t, &d);
    if (st == SM_OK && o.out) {
        st = write_file(t, &o, &d);
    } else if (st == SM_OK) {
        static char buf[1 << 16];
        setvbuf(stdout, buf, _IOFBF, sizeof buf);
        st = write_csv(t, stdout, &d);
    }
    sm_table_close(&t);
    return sm_cli_finish(st, &d);
}
