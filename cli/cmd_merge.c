/* `supplymix merge OUT.h5 SHARD...`: the shards of a sliced run, joined. */
#include <getopt.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "../io/results_merge.h"
#include "cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: supplymix merge [--force] OUT.h5 SHARD.h5...\n"
            "\n"
            "Join the shards of a run cut with `supplymix run --slice K/N` into OUT.h5,\n"
            "whose every dataset then equals a single run's. Shards from another model\n"
            "or sweep, other limits, or whose complete scenarios fail to read back\n"
            "(checksums) are refused, naming the shard, before anything is written.\n"
            "Shards are opened one at a time. Missing or incomplete slices are reported by number\n"
            "(exit code 2) and OUT.h5 is still written with what is complete, marked by\n"
            "its completion mask; a shard can be finished later with --resume and the\n"
            "merge repeated.\n"
            "\n"
            "options:\n"
            "  --force      replace OUT.h5 if it exists\n"
            "  -h, --help   show this help\n");
}

static void list(FILE *f, const int *v, int n)
{
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%d", i ? ", " : "", v[i]);
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
    sm_diag d;
    sm_diag_init(&d);
    sm_merge_report rep;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sm_status st = sm_results_merge(out, (const char *const *)argv + optind + 1,
                                    argc - optind - 1, force, &rep, &d);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (st == SM_OK) {
        struct stat sb;
        double mb = stat(out, &sb) == 0 ? (double)sb.st_size / 1e6 : 0;
        fprintf(stderr, "supplymix: merged %d shard%s into %s (%.1f MB) in %.2f s: %zu of %zu "
                        "scenarios complete\n",
                argc - optind - 1, argc - optind - 1 == 1 ? "" : "s", out, mb,
                (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec),
                rep.complete, rep.total);
        if (rep.n_missing) {
            fprintf(stderr, "supplymix: error: missing slice%s of %d: ", rep.n_missing > 1 ? "s" : "",
                    rep.slice_count);
            list(stderr, rep.missing, rep.n_missing);
            fprintf(stderr, "\n");
            st = SM_EINPUT;
        }
        if (rep.n_incomplete) {
            fprintf(stderr, "supplymix: error: incomplete slice%s of %d: ",
                    rep.n_incomplete > 1 ? "s" : "", rep.slice_count);
            list(stderr, rep.incomplete, rep.n_incomplete);
            fprintf(stderr, " (finish them with run --slice K/N --resume, then merge again)\n");
            st = SM_EINPUT;
        }
    }
    sm_merge_report_free(&rep);
    return sm_cli_finish(st, &d);
}
