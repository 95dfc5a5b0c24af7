/* `supplymix merge OUT.h5 SHARD...`: the shards of a sliced run, joined. */
#include <getopt.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "../core/clock.h"
#include "../core/files.h"
#include "../io/results_merge.h"
#include "../io/writer_lock.h"
#include "cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: supplymix merge [--force] OUT.h5 SHARD.h5...\n"
            "\n"
            "Join the shards of a run cut with `supplymix run --slice K/N` into OUT.h5,\n"
            "whose every dataset then equals a single run's. Shards from another model\n"
            "or sweep are refused. Missing or incomplete slices are reported by number\n"
            "(exit code 2) and OUT.h5 is still written with what is complete, marked by\n"
            "its completion mask; a shard can be finished later with --resume and the\n"
            "merge repeated. Like run, merge takes OUT.h5's writer lock (OUT.h5.lock)\n"
            "first and is refused while another run, merge or repair holds it.\n"
            "\n"
            "options:\n"
            "  --force      replace OUT.h5 if it exists (a regular file, not one of\n"
            "               the shards, not a symbolic link)\n"
            "  -h, --help   show this help\n");
}

static void list(FILE *f, const int *v, int n)
{
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%d", i ? ", " : "", v[i]);
}

/* Missing or incomplete slices: the merged file is written, but the
 * command fails (exit code 2) naming them. */
static sm_status report_gaps(const sm_merge_report *rep)
{
    sm_status st = SM_OK;
    if (rep->n_missing) {
        fprintf(stderr, "supplymix: error: missing slice%s of %d: ", rep->n_missing > 1 ? "s" : "",
                rep->slice_count);
        list(stderr, rep->missing, rep->n_missing);
        fprintf(stderr, "\n");
        st = SM_EINPUT;
    }
    if (rep->n_incomplete) {
        fprintf(stderr, "supplymix: error: incomplete slice%s of %d: ",
                rep->n_incomplete > 1 ? "s" : "", rep->slice_count);
        list(stderr, rep->incomplete, rep->n_incomplete);
        fprintf(stderr, " (finish them with run --slice K/N --resume, then merge again)\n");
        st = SM_EINPUT;
    }
    return st;
}

int sm_cmd_merge(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, 0, 'h'},
                                         {"force", no_argument, 0, 'f'},
                                         {0, 0, 0, 0}};
    int force = 0, c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        if (c == 'f') {
            force = 1;
            continue;
        }
        usage(stderr);
        return 2;
    }
    if (argc - optind < 2) {
        fprintf(stderr, "supplymix merge: give OUT.h5 and at least one shard\n");
        usage(stderr);
        return 2;
    }
    const char *out = argv[optind];
    const char *const *shards = (const char *const *)argv + optind + 1;
    int n_shards = argc - optind - 1;
    sm_diag d;
    sm_diag_init(&d);
    sm_merge_report rep = {0};
    sm_writer_lock lock = SM_WRITER_LOCK_NONE;
    /* One writer for OUT.h5, whatever the command: a run writing it is
     * never replaced under its feet. */
    sm_status st = sm_output_check(out, shards, n_shards, &d);
    if (st == SM_OK)
        st = sm_writer_lock_take(out, &lock, &d);
    double t0 = sm_clock_s();
    if (st == SM_OK)
        st = sm_results_merge(out, shards, n_shards, force, &rep, &d);
    double t1 = sm_clock_s();
    sm_writer_lock_release(&lock);
    if (st == SM_OK) {
        struct stat sb;
        double mb = stat(out, &sb) == 0 ? (double)sb.st_size / 1e6 : 0;
        fprintf(stderr, "supplymix: merged %d shard%s into %s (%.1f MB) in %.2f s: %zu of %zu "
                        "scenarios complete\n",
                n_shards, n_shards == 1 ? "" : "s", out, mb, t1 - t0, rep.complete, rep.total);
        st = report_gaps(&rep);
    }
    sm_merge_report_free(&rep);
    return sm_cli_finish(st, &d);
}
