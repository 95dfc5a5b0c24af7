/* Checking a results file's data before it is trusted: `run --resume`,
 * `merge` and `repair` read back every block marked complete through
 * HDF5's filters, so a chunk whose Fletcher32 checksum fails, or that a
 * truncation cut off, is found by scenario range instead of being kept,
 * copied or reported as sound. */
#ifndef SM_RESULTS_VERIFY_H
#define SM_RESULTS_VERIFY_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/diag.h"
#include "results_h5.h"

typedef struct sm_verify_report {
    size_t n_scenarios, block;
    uint8_t *marks;       /* completion marks as read; a damaged block's are 0 */
    size_t n_bad, *bad;   /* damaged blocks that hold (or may hold) complete scenarios */
    size_t n_stale, *stale; /* damaged blocks with nothing complete (a writer killed while
                               it cleared them): nothing lost, but unreadable */
    size_t n_partial, *partial; /* sound blocks written but not wholly complete */
    char damaged[128];    /* a dataset outside the blocks that fails to read, or "" */
} sm_verify_report;

/* Verify blocks [b_first, b_end) (clipped to the file's blocks) and every
 * dataset that is not per block. Only what cannot be checked at all (the
 * file lacks the attributes or the completion marks' dataset, memory) is
 * an error; damage is reported in v. */
sm_status sm_results_verify(hid_t file, const char *path, size_t b_first, size_t b_end,
                            sm_verify_report *v, sm_diag *d);
void sm_verify_report_free(sm_verify_report *v);

/* Blocks (n of them, ascending) as scenario ranges, "2560-5119, 7680-9999". */
void sm_verify_ranges(const sm_verify_report *v, const size_t *blocks, size_t n, char *buf,
                      size_t size);

/* 1 when every result variable and the completion marks carry HDF5's
 * Fletcher32 filter, 0 when one lacks it (a file of an earlier supplymix),
 * -1 when they cannot be found or opened (a damaged file). */
int sm_results_checksummed(hid_t file);

/* Whether the results file f (open to read) is of this run: the same
 * model, sweep, layout version_wanted, slice and limits (limits change
 * what a solve yields when reached), its chunks checksummed; SM_EINPUT
 * naming what differs. Sets info->full from the file. */
sm_status sm_results_check_identity(hid_t f, const char *path, sm_results_info *info,
                                    int version_wanted, sm_diag *d);


#endif
