/* Joining the shards of a sliced run (`supplymix run --slice K/N`) into one
 * results file whose every dataset equals a single run's.
 *
 * Why a physical copy rather than an HDF5 virtual dataset: the merged file
 * must stand alone (shards live on scratch space that clusters purge), be
 * read by netCDF and xarray as an ordinary file, and stay resumable and
 * readable after a crash like any other results file. Since every block is
 * one chunk, already compressed, merging copies raw chunks
 * (H5Dread_chunk/H5Dwrite_chunk) with their checksums: no decompression,
 * no recompression; the check reads each chunk once more, on its stored
 * bytes (results_verify.h). */
#ifndef SM_RESULTS_MERGE_H
#define SM_RESULTS_MERGE_H

#include <stddef.h>

#include "../core/diag.h"

typedef struct sm_merge_report {
    int slice_count;           /* N of the shards' --slice K/N */
    int n_missing;             /* slices no shard holds */
    int n_incomplete;          /* slices given but not finished */
    int *missing, *incomplete; /* their numbers (owned; sm_merge_report_free) */
    size_t complete, total;    /* scenarios complete in the merged file */
} sm_merge_report;

void sm_merge_report_free(sm_merge_report *r);

/* Merge n shards into out. Every shard is checked before anything is
 * written, one open at a time: shards from another model or sweep,
 * another layout or other limits, two shards of the same slice, shards
 * without chunk checksums and shards whose complete scenarios fail to
 * read back (named with the scenario ranges) are refused (SM_EINPUT,
 * nothing written); a descriptor limit reached is reported as such. Missing or incomplete slices are reported in rep and the file
 * is still written with what is complete (the completion mask says what).
 * An existing out is replaced only with force. */
sm_status sm_results_merge(const char *out, const char *const *shards, int n, int force,
                           sm_merge_report *rep, sm_diag *d);

#endif
