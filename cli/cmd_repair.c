/* `supplymix repair OUT.h5`: make a results file left by a killed run
 * readable by every HDF5 tool, without continuing it. */
#include <getopt.h>

#include "../core/files.h"
#include "../io/results_h5.h"
#include "../io/writer_lock.h"
#include "cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: supplymix repair OUT.h5\n"
            "\n"
            "A run killed with SIGKILL (or a second Ctrl-C) leaves its results file marked\n"
            "as still open for writing: readers in single-writer/multiple-reader mode\n"
            "(h5py.File(path, 'r', swmr=True), scripts/supplymix_results.py) open it, other\n"
            "tools refuse. This clears that mark, as `h5clear -s -i 0` would; every\n"
            "scenario marked complete stays as it was. `supplymix run --resume` does the\n"
            "same before it continues a file. Like run and merge, repair takes OUT.h5's\n"
            "writer lock (OUT.h5.lock) first and is refused while another holds it.\n"
            "\n"
            "options:\n"
            "  -h, --help   show this help\n");
}

int sm_cmd_repair(int argc, char **argv)
{
    int code = sm_cli_no_options(argc, argv, usage);
    if (code >= 0)
        return code;
    if (argc - optind != 1) {
        usage(stderr);
        return 2;
    }
    sm_diag d;
    sm_diag_init(&d);
    sm_writer_lock lock = SM_WRITER_LOCK_NONE;
    sm_status st = sm_output_check(argv[optind], NULL, 0, &d);
    if (st == SM_OK)
        st = sm_writer_lock_take(argv[optind], &lock, &d);
    if (st == SM_OK)
        st = sm_results_repair(argv[optind], &d);
    sm_writer_lock_release(&lock);
    if (st == SM_OK)
        fprintf(stderr, "supplymix: %s: every HDF5 tool can open it now\n", argv[optind]);
    return sm_cli_finish(st, &d);
}
