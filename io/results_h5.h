/* The results file of a sweep (docs/RESULTS.md): one HDF5 file that h5py,
 * xarray/netCDF and h5dump read by name, written by one writer in blocks.
 *
 * Layout decisions a reader can rely on: every array's first dimension is
 * `scenario` in the sweep's own numbering; dimensions are HDF5 dimension
 * scales with string labels; `complete[scenario]` is 1 once a scenario's
 * values are in the file, and is written after them; unsolved values are
 * NaN (floats) or 0 (status "not_solved"). The file is written in HDF5's
 * single-writer/multiple-reader mode, so a reader may open it while a run
 * is going on and a killed writer leaves it readable. */
#ifndef SM_RESULTS_H5_H
#define SM_RESULTS_H5_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/diag.h"
#include "../models/outcome.h"
#include "../models/portfolio.h"
#include "../models/sweep.h"

/* Bump when the layout changes in a way readers must know about. */
#define SM_RESULTS_LAYOUT_VERSION 1

typedef struct sm_results sm_results;

/* What a results file records about its run. */
typedef struct sm_results_info {
    const sm_model *model;
    const sm_sweep *sweep;
    const char *command_line;
    int threads, ranks;
    int full;              /* per-period arrays too; 0: summaries only */
    int slice_index;       /* this file holds slice slice_index of slice_count */
    int slice_count;       /* (0 of 1 for a whole run); a shard has the same layout */
    int iteration_limit;   /* per solve, as recorded (0: not given) */
    double time_limit_s;
    const atomic_int *stop; /* optional: once set, sm_results_create stops and
                             * leaves nothing behind (SM_EINTERRUPTED) */
    int rewritten;          /* the file is rewritten many times (a plan file, saved
                             * as it goes): its free space is tracked across opens
                             * and reused, so it does not grow with every save */
    const sm_portfolio *portfolio; /* `run --portfolio`, or NULL: recorded (root attributes
                                    * portfolio_file and portfolio_hash, /inputs) with
                                    * cost_commitment[scenario] */
    int ranging;            /* `run --ranging`: root attribute ranging; a resume must match */
    const char *lp_engine;  /* "glpk" (also for NULL), "clp": root attribute lp_engine;
                             * a resume must use the same */
    const char *warm_ratio_test; /* the warm re-solves' ratio test, "long-step" or
                                  * "harris" (also for NULL): root attribute
                                  * warm_ratio_test (absent in older files: Harris); a
                                  * resume must use the same */
} sm_results_info;

/* Create the file at path with every dataset, label and attribute, then
 * switch to single-writer mode. An existing path is refused (an input
 * error naming --force and --resume) unless force is set.
 *
 * While a results file is open for writing, supplymix holds an advisory
 * lock on it (an fcntl lock on a byte far past its end, which neither HDF5
 * nor readers touch), so a second writer (a resume started twice, say) is
 * refused instead of corrupting it. That lock is on the file, which a
 * replacement by rename escapes; the commands also hold the lock on the
 * path (io/writer_lock.h) from before they touch anything.
 *
 * An existing path is replaced only with force, and only if it is a
 * regular file: the caller checks it first (core/files.h sm_output_check).
 * info->stop, when set, abandons the set-up (SM_EINTERRUPTED) and removes
 * the file being built. */
sm_status sm_results_create(const char *path, const sm_results_info *info, int force,
                            sm_results **out, sm_diag *d);

/* sm_results_create's first check, alone: path is absent, or force is
 * given and no writer holds it (SM_EINPUT saying which otherwise). A run
 * that makes its file later, off the serial start, checks this first so
 * that a refusal comes before any work; the create checks again. */
sm_status sm_results_may_create(const char *path, int force, sm_diag *d);

/* Reopen the results file at path to continue it. The file must have been
 * made from the same model and sweep (their content hashes, the layout
 * version, the scenario count, the slice and the limits are checked, and
 * its chunks must carry checksums; a mismatch is SM_EINPUT with both
 * names), all with the file opened read-only, so a refused file is left
 * as it was. Every block marked complete is then read back (its stored
 * bytes against their checksums): damaged ones, and written blocks not
 * wholly complete, are cleared and left for the run to solve again (a
 * warning names the damaged scenarios); when HDF5's own index to them is
 * lost, or a dataset outside the blocks is damaged, the sound blocks are
 * copied into a new file made for the run, which replaces it. A file left
 * by a killed writer is accepted: its single-writer flags are cleared
 * once the checks pass. *done (n_scenarios bytes, owned by the caller)
 * receives the completion marks; info->full is set from the file, whose
 * mode (full or summaries only) a resumed run keeps. */
sm_status sm_results_resume(const char *path, sm_results_info *info, sm_results **out,
                            uint8_t **done, sm_diag *d);

/* The block size recorded in the results file at path (its root
 * attribute block_size): 1 when it reads, 0 when the path is not a
 * regular file or not a results file. --resume takes it when the sweep
 * file gives no block_size, since the default depends on the supplymix
 * that wrote the file (256 before 2026-12; up to 256 until 2026-12-02;
 * sm_sweep_default_block_size now). */
int sm_results_block_size(const char *path, size_t *block);

/* The warm ratio test recorded in the results file at path (root
 * attribute warm_ratio_test; "harris" when absent: files made before
 * long-step became the sweeps' default) into name[size]: 1 when it reads,
 * 0 when the path is not a regular file or not a results file. --resume
 * continues a file with its ratio test. */
int sm_results_ratio_test(const char *path, char *name, size_t size);

/* The geometry of a results file's chunks: enough to prepare a block for
 * it without the file (on another MPI rank, say). */
typedef struct sm_results_shape {
    sm_dims dims;
    size_t chunk_rows;       /* scenarios per chunk: the block size, or all if fewer */
    int full;
} sm_results_shape;

sm_results_shape sm_results_shape_of(const sm_results_info *info);
const sm_results_shape *sm_results_get_shape(const sm_results *r);

/* Clear the marks a killed writer leaves in a results file, under the
 * writer lock (so never while a run writes it), then read back every
 * block marked complete: damaged ones (a cut or corrupted file) are an
 * SM_EINPUT naming the scenario ranges, as is any damaged dataset. */
sm_status sm_results_repair(const char *path, sm_diag *d);

typedef struct sm_pack_scratch sm_pack_scratch;

/* Compress b's rows into the file's chunks (shuffle + deflate, exactly as
 * HDF5's own filters would), kept in b->aux. Touches no HDF5 state, so
 * solver threads call it in parallel and the single writer only copies
 * bytes: compression stays off the serial path. Optional: a block written
 * without it is compressed by HDF5 in sm_results_write. */
sm_status sm_results_pack(const sm_results_shape *shape, sm_pack_scratch **scratch, size_t first,
                          sm_block *b, sm_diag *d);

/* What packing works in and keeps for no block: a chunk padded and
 * shuffled, and the compressor. One per thread that packs, made by its
 * first sm_results_pack (*scratch NULL), not one per block: a china_grid
 * run's scratch is a 2 MiB page, and the pool holds threads + 2 blocks. */
void sm_results_pack_scratch_free(sm_pack_scratch **scratch);

/* A packed block as one byte string, to send to the rank that writes:
 * its size, its encoding, and its decoding into a block of the same shape
 * (b->count, the statuses and b->aux are set; the raw arrays are not). */
size_t sm_results_wire_size(const sm_block *b);
void sm_results_wire_encode(const sm_block *b, unsigned char *out);
sm_status sm_results_wire_decode(const sm_results_shape *shape, const unsigned char *in,
                                 size_t len, sm_block *b, size_t *first, sm_diag *d);

/* Write rows [0, b->count) of b as scenarios first..first+count-1: the
 * values first, flushed, then their completion marks (rows whose status is
 * not "not_solved"), flushed. Call from one thread at a time. first must
 * be a multiple of the sweep's block size (a chunk boundary). */
sm_status sm_results_write(sm_results *r, size_t first, const sm_block *b, sm_diag *d);

/* Close the file (NULL-safe); *r becomes NULL. */
sm_status sm_results_close(sm_results **r, sm_diag *d);


#endif
