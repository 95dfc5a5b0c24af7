/* Merging shards of a sliced run into one results file (see
 * results_merge.h). */
#define _GNU_SOURCE
#include "results_merge.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../core/files.h"
#include "../models/blocks.h"
#include "../models/outcome.h"
#include "h5_util.h"

void sm_merge_report_free(sm_merge_report *r)
{
    free(r->missing);
    free(r->incomplete);
    memset(r, 0, sizeof *r);
}

/* What identifies the run a shard belongs to. */
typedef struct shard_id {
    long long version, n, block, summaries, slice, slices;
    char model_hash[64], sweep_hash[64], model[256], sweep[256];
} shard_id;

static sm_status read_id(hid_t f, const char *path, shard_id *id, sm_diag *d)
{
    memset(id, 0, sizeof *id);
    id->slices = 1;
    if (!sm_h5_read_attr_i64(f, "results_layout_version", &id->version) ||
        !sm_h5_read_attr_i64(f, "n_scenarios", &id->n) ||
        !sm_h5_read_attr_i64(f, "block_size", &id->block) ||
        !sm_h5_read_attr_text(f, "model_hash", id->model_hash, sizeof id->model_hash) ||
        !sm_h5_read_attr_text(f, "sweep_hash", id->sweep_hash, sizeof id->sweep_hash))
        return sm_diag_error(d, path, 0, 0, "is not a supplymix results file (root attributes "
                                            "results_layout_version, n_scenarios, block_size, "
                                            "model_hash, sweep_hash missing)");
    sm_h5_read_attr_i64(f, "summaries_only", &id->summaries);
    sm_h5_read_attr_i64(f, "slice_index", &id->slice);
    sm_h5_read_attr_i64(f, "slice_count", &id->slices);
    sm_h5_read_attr_text(f, "model_name", id->model, sizeof id->model);
    sm_h5_read_attr_text(f, "sweep_name", id->sweep, sizeof id->sweep);
    if (id->block < 1 || id->n < 1 || id->slices < 1 || id->slice < 0 || id->slice >= id->slices)
        return sm_diag_error(d, path, 0, 0, "has inconsistent attributes (block size %lld, %lld "
                                            "scenarios, slice %lld of %lld)",
                             id->block, id->n, id->slice, id->slices);
    return SM_OK;
}

/* Copy the raw chunks of blocks [b0, b1) of one dataset. */
static int copy_chunks(hid_t from, hid_t to, long long b0, long long b1, long long block,
                       unsigned char **buf, size_t *cap)
{
    hid_t space = H5Dget_space(from);
    int rank = H5Sget_simple_extent_ndims(space);
    H5Sclose(space);
    for (long long b = b0; b < b1; b++) {
        hsize_t offset[4] = {(hsize_t)(b * block), 0, 0, 0};
        hsize_t size = 0;
        if (H5Dget_chunk_storage_size(from, offset, &size) < 0 || size == 0)
            continue; /* never written: stays the fill value */
        if (size > *cap) {
            unsigned char *n = realloc(*buf, size);
            if (!n)
                return 0;
            *buf = n;
            *cap = size;
        }
        uint32_t filters = 0;
        if (H5Dread_chunk(from, H5P_DEFAULT, offset, &filters, *buf) < 0 ||
            H5Dwrite_chunk(to, H5P_DEFAULT, filters, offset, size, *buf) < 0)
            return 0;
    }
    (void)rank;
    return 1;
}

static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, ok = 0;
    if (in >= 0)
        out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (in >= 0 && out >= 0) {
        char buf[1 << 16];
        ssize_t n;
        ok = 1;
        while ((n = read(in, buf, sizeof buf)) > 0)
            if (write(out, buf, (size_t)n) != n) {
                ok = 0;
                break;
            }
        if (n < 0)
            ok = 0;
    }
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0)
        ok = 0;
    return ok;
}

sm_status sm_results_merge(const char *out, const char *const *shards, int n, int force,
                           sm_merge_report *rep, sm_diag *d)
{
    memset(rep, 0, sizeof *rep);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    sm_status st = SM_OK;
    hid_t *files = calloc((size_t)n, sizeof *files);
    shard_id *ids = calloc((size_t)n, sizeof *ids);
    char *tmp = NULL;
    hid_t merged = -1;
    unsigned char *buf = NULL, *mask = NULL;
    size_t cap = 0;
    int *shard_of = NULL;
    struct stat sb;
    if (!files || !ids)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    for (int i = 0; i < n; i++)
        files[i] = -1;
    if (!force && lstat(out, &sb) == 0)
        SM_TRY(sm_diag_error(d, out, 0, 0, "exists; give --force to replace it"));

    /* Every shard must come from the same model, sweep and layout. */
    for (int i = 0; i < n; i++) {
        if (stat(shards[i], &sb) != 0)
            SM_TRY(sm_diag_error(d, shards[i], 0, 0, "cannot open: %s", strerror(errno)));
        if (H5Fis_hdf5(shards[i]) <= 0)
            SM_TRY(sm_diag_error(d, shards[i], 0, 0, "is not an HDF5 file"));
        files[i] = sm_h5_open(shards[i], H5F_ACC_RDONLY | H5F_ACC_SWMR_READ);
        if (files[i] < 0)
            SM_TRY(sm_diag_error(d, shards[i], 0, 0, "cannot be opened as a results file"));
        SM_TRY(read_id(files[i], shards[i], &ids[i], d));
        const shard_id *a = &ids[0], *b = &ids[i];
        if (strcmp(a->model_hash, b->model_hash) || strcmp(a->sweep_hash, b->sweep_hash) ||
            a->n != b->n || a->block != b->block)
            SM_TRY(sm_diag_error(d, shards[i], 0, 0, "is from model '%s' (%s) and sweep '%s' (%s), "
                                                     "but %s is from model '%s' (%s) and sweep "
                                                     "'%s' (%s): refusing to merge",
                                 b->model, b->model_hash, b->sweep, b->sweep_hash, shards[0],
                                 a->model, a->model_hash, a->sweep, a->sweep_hash));
        if (a->version != b->version || a->summaries != b->summaries || a->slices != b->slices)
            SM_TRY(sm_diag_error(d, shards[i], 0, 0, "has layout %lld, %s, %lld slices; %s has "
                                                     "layout %lld, %s, %lld slices: refusing to "
                                                     "merge",
                                 b->version, b->summaries ? "summaries only" : "full results",
                                 b->slices, shards[0], a->version,
                                 a->summaries ? "summaries only" : "full results", a->slices));
    }
    int N = (int)ids[0].slices;
    long long B = ids[0].block, total = ids[0].n, nb = (total + B - 1) / B;
    shard_of = malloc((size_t)N * sizeof *shard_of);
    if (!shard_of)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    for (int k = 0; k < N; k++)
        shard_of[k] = -1;
    for (int i = 0; i < n; i++) {
        int k = (int)ids[i].slice;
        if (shard_of[k] >= 0)
            SM_TRY(sm_diag_error(d, shards[i], 0, 0, "holds slice %d, as %s does: give each "
                                                     "slice once", k, shards[shard_of[k]]));
        shard_of[k] = i;
    }

    /* Start from a copy of the first shard: its structure, labels, inputs
     * and attributes are those of any shard. */
    if (!(tmp = sm_partial_name(out)))
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    if (!copy_file(shards[0], tmp))
        SM_TRY(sm_diag_fail_at(d, SM_EOUTPUT, tmp, "cannot write: %s", strerror(errno)));
    if (!sm_h5_repair_after_kill(tmp) || (merged = sm_h5_open(tmp, H5F_ACC_RDWR)) < 0)
        SM_TRY(sm_diag_error(d, tmp, 0, 0, "cannot open the merged file for writing"));

    /* Copy each other shard's blocks, chunk by chunk. */
    for (int i = 1; i < n; i++) {
        size_t b0, b1;
        sm_blocks_slice((size_t)nb, (size_t)ids[i].slice, (size_t)N, &b0, &b1);
        for (int v = 0; v <= SM_NVARS; v++) {
            const char *name = v < SM_NVARS ? sm_vars[v].name : "complete";
            if (v < SM_NVARS && sm_vars[v].full_only && ids[0].summaries)
                continue;
            hid_t from = H5Dopen2(files[i], name, H5P_DEFAULT);
            hid_t to = H5Dopen2(merged, name, H5P_DEFAULT);
            int ok = from >= 0 && to >= 0 && copy_chunks(from, to, b0, b1, B, &buf, &cap);
            if (from >= 0)
                H5Dclose(from);
            if (to >= 0)
                H5Dclose(to);
            if (!ok)
                SM_TRY(sm_diag_fail(d, SM_EOUTPUT, "%s: could not copy '%s' from %s", out, name,
                                    shards[i]));
        }
    }

    /* What is complete, slice by slice. */
    mask = malloc((size_t)total);
    hid_t cd = H5Dopen2(merged, "complete", H5P_DEFAULT);
    int ok = mask && cd >= 0 &&
             H5Dread(cd, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, mask) >= 0;
    if (cd >= 0)
        H5Dclose(cd);
    if (!ok)
        SM_TRY(sm_diag_fail(d, SM_EOUTPUT, "%s: cannot read the merged completion marks", out));
    rep->slice_count = N;
    rep->total = (size_t)total;
    rep->missing = calloc((size_t)N, sizeof(int));
    rep->incomplete = calloc((size_t)N, sizeof(int));
    if (!rep->missing || !rep->incomplete)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    for (long long s = 0; s < total; s++)
        rep->complete += mask[s] != 0;
    for (int k = 0; k < N; k++) {
        size_t b0, b1;
        sm_blocks_slice((size_t)nb, (size_t)k, (size_t)N, &b0, &b1);
        long long lo = (long long)(b0 * (size_t)B), hi = (long long)(b1 * (size_t)B);
        if (hi > total)
            hi = total;
        if (shard_of[k] < 0) {
            rep->missing[rep->n_missing++] = k;
            continue;
        }
        for (long long s = lo; s < hi; s++)
            if (!mask[s]) {
                rep->incomplete[rep->n_incomplete++] = k;
                break;
            }
    }

    /* The merged file describes a whole run. */
    char history[1024] = "", when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    size_t used = (size_t)snprintf(history, sizeof history, "merged at %s from %d of %d slices:",
                                   when, n, N);
    for (int i = 0; i < n && used < sizeof history; i++)
        used += (size_t)snprintf(history + used, sizeof history - used, " %s", shards[i]);
    H5Adelete(merged, "slice_index");
    H5Adelete(merged, "slice_count");
    if (!sm_h5_attr_i64(merged, "slice_index", 0) || !sm_h5_attr_i64(merged, "slice_count", 1) ||
        !sm_h5_attr_text(merged, "merged_from", history))
        SM_TRY(sm_diag_fail(d, SM_EOUTPUT, "%s: cannot update the merged file's attributes", out));
    if (H5Fclose(merged) < 0) {
        merged = -1;
        SM_TRY(sm_diag_fail(d, SM_EOUTPUT, "%s: cannot close the merged file", out));
    }
    merged = -1;
    int e = sm_put_in_place(tmp, out, force);
    if (e)
        SM_TRY(sm_diag_fail_at(d, SM_EOUTPUT, out, "cannot put the merged file in place: %s",
                               strerror(e)));
done:
    if (merged >= 0)
        H5Fclose(merged);
    if (st != SM_OK && tmp)
        unlink(tmp);
    for (int i = 0; files && i < n; i++)
        if (files[i] >= 0)
            H5Fclose(files[i]);
    free(files);
    free(ids);
    free(tmp);
    free(buf);
    free(mask);
    free(shard_of);
    return st;
}
