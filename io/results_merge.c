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
#include "results_verify.h"

void sm_merge_report_free(sm_merge_report *r)
{
    free(r->missing);
    free(r->incomplete);
    memset(r, 0, sizeof *r);
}

/* What identifies the run a shard belongs to. */
typedef struct shard_id {
    long long version, n, block, summaries, slice, slices, it_lim;
    long long ranging;                         /* run --ranging: 1; 0 when not recorded */
    double tm_lim;
    char model_hash[64], sweep_hash[64], model[256], sweep[256];
    char portfolio_hash[64], portfolio[256];   /* "" without --portfolio */
    char engine[32];                           /* "glpk" when not recorded */
    char ratio[32];                            /* warm_ratio_test; "harris" when not recorded */
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
        return sm_diag_error(d, path, 0, 0, "is damaged, or not a supplymix results file (root "
                                            "attributes results_layout_version, n_scenarios, "
                                            "block_size, model_hash, sweep_hash do not read)");
    if (strlen(id->model_hash) != 16 || strlen(id->sweep_hash) != 16)
        return sm_diag_error(d, path, 0, 0, "is damaged: its model_hash and sweep_hash "
                                            "attributes do not read back");
    sm_h5_read_attr_i64(f, "summaries_only", &id->summaries);
    sm_h5_read_attr_i64(f, "slice_index", &id->slice);
    sm_h5_read_attr_i64(f, "slice_count", &id->slices);
    sm_h5_read_attr_i64(f, "iteration_limit", &id->it_lim);
    sm_h5_read_attr_i64(f, "ranging", &id->ranging);
    sm_h5_read_attr_f64(f, "time_limit_s", &id->tm_lim);
    sm_h5_read_attr_text(f, "model_name", id->model, sizeof id->model);
    sm_h5_read_attr_text(f, "sweep_name", id->sweep, sizeof id->sweep);
    sm_h5_read_attr_text(f, "portfolio_hash", id->portfolio_hash, sizeof id->portfolio_hash);
    sm_h5_read_attr_text(f, "portfolio_file", id->portfolio, sizeof id->portfolio);
    if (!sm_h5_read_attr_text(f, "lp_engine", id->engine, sizeof id->engine))
        strcpy(id->engine, "glpk");
    if (!sm_h5_read_attr_text(f, "warm_ratio_test", id->ratio, sizeof id->ratio))
        strcpy(id->ratio, "harris");
    if (id->block < 1 || id->n < 1 || id->slices < 1 || id->slice < 0 || id->slice >= id->slices)
        return sm_diag_error(d, path, 0, 0, "has inconsistent attributes (block size %lld, %lld "
                                            "scenarios, slice %lld of %lld)",
                             id->block, id->n, id->slice, id->slices);
    return SM_OK;
}

/* Shard b (at b_path) must be of the run shard a (at a_path) is of: same
 * model, sweep, layout and limits (a limit changes what a solve yields
 * when reached, so the merged file could state only one). */
static sm_status same_run(const shard_id *a, const char *a_path, const shard_id *b,
                          const char *b_path, sm_diag *d)
{
    if (strcmp(a->model_hash, b->model_hash) || strcmp(a->sweep_hash, b->sweep_hash) ||
        a->n != b->n)
        return sm_diag_error(d, b_path, 0, 0, "is from model '%s' (%s) and sweep '%s' (%s), "
                                              "but %s is from model '%s' (%s) and sweep '%s' "
                                              "(%s): refusing to merge",
                             b->model, b->model_hash, b->sweep, b->sweep_hash, a_path, a->model,
                             a->model_hash, a->sweep, a->sweep_hash);
    /* The same sweep file in other blocks: started by supplymix versions
     * with another default block size (before 2026-12 it was 256). */
    if (a->block != b->block)
        return sm_diag_error(d, b_path, 0, 0, "was solved in blocks of %lld scenarios, but %s "
                                              "in blocks of %lld: refusing to merge (a sweep file "
                                              "without block_size gets the default of the "
                                              "supplymix that starts it; run every slice with one "
                                              "version, or give block_size in the sweep file and "
                                              "run every slice again)",
                             b->block, a_path, a->block);
    if (a->version != b->version || a->summaries != b->summaries || a->slices != b->slices)
        return sm_diag_error(d, b_path, 0, 0, "has layout %lld, %s, %lld slices; %s has layout "
                                              "%lld, %s, %lld slices: refusing to merge",
                             b->version, b->summaries ? "summaries only" : "full results",
                             b->slices, a_path, a->version,
                             a->summaries ? "summaries only" : "full results", a->slices);
    if (a->it_lim != b->it_lim || a->tm_lim != b->tm_lim)
        return sm_diag_error(d, b_path, 0, 0, "was run with --iteration-limit %lld and "
                                              "--time-limit %g, but %s with %lld and %g: "
                                              "refusing to merge (run every slice with the same "
                                              "limits)",
                             b->it_lim, b->tm_lim, a_path, a->it_lim, a->tm_lim);
    if (strcmp(a->portfolio_hash, b->portfolio_hash))
        return sm_diag_error(d, b_path, 0, 0, "was run at portfolio '%s' (%s), but %s at '%s' "
                                              "(%s): refusing to merge",
                             b->portfolio[0] ? b->portfolio : "none (no --portfolio)",
                             b->portfolio_hash, a_path,
                             a->portfolio[0] ? a->portfolio : "none (no --portfolio)",
                             a->portfolio_hash);
    if (strcmp(a->engine, b->engine))
        return sm_diag_error(d, b_path, 0, 0, "was solved by the %s engine, but %s by %s: refusing "
                                              "to merge (run every slice with the same "
                                              "--lp-engine)", b->engine, a_path, a->engine);
    /* Degenerate scenarios may end at other optima with another ratio
     * test: the merged file would be of no single run. */
    if (strcmp(a->ratio, b->ratio))
        return sm_diag_error(d, b_path, 0, 0, "was solved with the %s ratio test, but %s with "
                                              "%s: refusing to merge (run every slice with the "
                                              "same --ratio-test)", b->ratio, a_path, a->ratio);
    /* A shard without --ranging holds NaN where the other holds savings:
     * the merged file could state neither. */
    if ((a->ranging != 0) != (b->ranging != 0))
        return sm_diag_error(d, b_path, 0, 0, "was run %s --ranging, but %s %s: refusing to "
                                              "merge (run every slice with the same options)",
                             b->ranging ? "with" : "without", a_path,
                             a->ranging ? "with it" : "without it");
    return SM_OK;
}

/* Open a shard to read it, saying why not: a descriptor limit reached
 * (EMFILE) is not "not an HDF5 file". */
static sm_status open_shard(const char *path, hid_t *f, sm_diag *d)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && (errno == EMFILE || errno == ENFILE))
        return sm_diag_fail_at(d, SM_EINTERNAL, path, "cannot open: %s (raise the limit with "
                                                      "`ulimit -n`)", strerror(errno));
    if (fd < 0)
        return sm_diag_error(d, path, 0, 0, "cannot open: %s", strerror(errno));
    close(fd);
    if (H5Fis_hdf5(path) <= 0)
        return sm_diag_error(d, path, 0, 0, "is not an HDF5 file");
    *f = sm_h5_open_read(path);
    if (*f < 0)
        return sm_diag_error(d, path, 0, 0, "cannot be opened as a results file (damaged?)");
    return SM_OK;
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

/* What the check finds and the copy follows. Shards are opened one at a
 * time in each phase: memory and descriptors stay constant whatever
 * their number (HDF5 keeps about a megabyte of caches per open file). */
typedef struct merge_plan {
    const char *const *shards;
    int n;
    shard_id first;   /* shard 0's identity: every other must match it */
    int N;            /* slices */
    long long B, total;
    size_t nb;
    int *shard_of;    /* slice -> shard, -1 when missing */
    uint8_t *marked;  /* block -> holds a scenario marked complete */
} merge_plan;

/* A shard's completed blocks must all read back through the checksums. */
static sm_status verify_shard(merge_plan *p, const char *path, long long slice, hid_t f,
                              size_t b0, size_t b1, sm_diag *d)
{
    int sums = sm_results_checksummed(f);
    if (sums < 0)
        return sm_diag_error(d, path, 0, 0, "is damaged: its result variables cannot be "
                                            "opened: refusing to merge");
    if (sums == 0)
        return sm_diag_error(d, path, 0, 0, "was written without chunk checksums (by an older "
                                            "supplymix), so it cannot be verified: refusing to "
                                            "merge");
    sm_verify_report v;
    sm_status st = sm_results_verify(f, path, b0, b1, &v, d);
    if (st != SM_OK)
        return st;
    char ranges[512];
    sm_verify_ranges(&v, v.bad, v.n_bad, ranges, sizeof ranges);
    if (v.n_bad)
        st = sm_diag_error(d, path, 0, 0, "scenarios %s are marked complete but damaged (a "
                                          "chunk checksum fails, or the file was cut short): "
                                          "refusing to merge; solve them again with `supplymix "
                                          "run --slice %lld/%d --resume` on this shard",
                           ranges, slice, p->N);
    else if (v.damaged[0])
        st = sm_diag_error(d, path, 0, 0, "'%s' is damaged (a checksum fails, or the file was "
                                          "cut short): refusing to merge", v.damaged);
    for (size_t b = b0; st == SM_OK && b < b1; b++) {
        size_t lo = b * (size_t)p->B, len = (size_t)p->B;
        if (lo + len > (size_t)p->total)
            len = (size_t)p->total - lo;
        p->marked[b] = memchr(v.marks + lo, 1, len) != NULL;
    }
    sm_verify_report_free(&v);
    return st;
}

/* The plan's run, from shard 0. */
static sm_status plan_init(merge_plan *p, const shard_id *id, sm_diag *d)
{
    p->first = *id;
    p->N = (int)id->slices;
    p->B = id->block;
    p->total = id->n;
    p->nb = (size_t)((id->n + id->block - 1) / id->block);
    p->shard_of = malloc((size_t)p->N * sizeof *p->shard_of);
    p->marked = calloc(p->nb, 1);
    if (!p->shard_of || !p->marked)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    for (int k = 0; k < p->N; k++)
        p->shard_of[k] = -1;
    return SM_OK;
}

/* Shard i: of the same run as shard 0, a slice not given before, every
 * completed block sound. */
static sm_status check_shard(merge_plan *p, int i, sm_diag *d)
{
    const char *path = p->shards[i];
    hid_t f = -1;
    shard_id id = {0};
    sm_status st = open_shard(path, &f, d);
    if (st == SM_OK)
        st = read_id(f, path, &id, d);
    if (st == SM_OK && i == 0)
        st = plan_init(p, &id, d);
    if (st == SM_OK)
        st = same_run(&p->first, p->shards[0], &id, path, d);
    int k = (int)id.slice;
    if (st == SM_OK && p->shard_of[k] >= 0)
        st = sm_diag_error(d, path, 0, 0, "holds slice %d, as %s does: give each slice once", k,
                           p->shards[p->shard_of[k]]);
    if (st == SM_OK) {
        p->shard_of[k] = i;
        size_t b0, b1;
        sm_blocks_slice(p->nb, (size_t)k, (size_t)p->N, &b0, &b1);
        st = verify_shard(p, path, id.slice, f, b0, b1, d);
    }
    if (f >= 0)
        H5Fclose(f);
    return st;
}

/* Copy shard i's marked blocks into merged, dataset by dataset. */
static sm_status copy_shard(merge_plan *p, int i, hid_t merged, const char *out,
                            unsigned char **buf, size_t *cap, sm_diag *d)
{
    hid_t f = -1;
    sm_status st = open_shard(p->shards[i], &f, d);
    if (st != SM_OK)
        return st;
    size_t b0, b1;
    long long slice = 0;
    sm_h5_read_attr_i64(f, "slice_index", &slice);
    sm_blocks_slice(p->nb, (size_t)slice, (size_t)p->N, &b0, &b1);
    for (int v = 0; st == SM_OK && v <= SM_NVARS; v++) {
        const char *name = v < SM_NVARS ? sm_vars[v].name : "complete";
        if (v < SM_NVARS && sm_vars[v].full_only && p->first.summaries)
            continue;
        hid_t from = H5Dopen2(f, name, H5P_DEFAULT);
        hid_t to = H5Dopen2(merged, name, H5P_DEFAULT);
        int ok = from >= 0 && to >= 0 && sm_h5_copy_chunks(from, to, b0, b1, (hsize_t)p->B, p->marked, buf, cap);
        if (from >= 0)
            H5Dclose(from);
        if (to >= 0)
            H5Dclose(to);
        if (!ok)
            st = sm_diag_fail(d, SM_EOUTPUT, "%s: could not copy '%s' from %s", out, name,
                              p->shards[i]);
    }
    H5Fclose(f);
    return st;
}

/* What is complete in the merged file, slice by slice. */
static sm_status count_complete(const merge_plan *p, hid_t merged, const char *out,
                                sm_merge_report *rep, sm_diag *d)
{
    uint8_t *mask = malloc((size_t)p->total);
    hid_t cd = H5Dopen2(merged, "complete", H5P_DEFAULT);
    int ok = mask && cd >= 0 &&
             H5Dread(cd, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, mask) >= 0;
    if (cd >= 0)
        H5Dclose(cd);
    rep->slice_count = p->N;
    rep->total = (size_t)p->total;
    rep->missing = calloc((size_t)p->N, sizeof(int));
    rep->incomplete = calloc((size_t)p->N, sizeof(int));
    if (!ok || !rep->missing || !rep->incomplete) {
        free(mask);
        return sm_diag_fail(d, SM_EOUTPUT, "%s: cannot read the merged completion marks", out);
    }
    for (long long s = 0; s < p->total; s++)
        rep->complete += mask[s] != 0;
    for (int k = 0; k < p->N; k++) {
        size_t b0, b1;
        sm_blocks_slice(p->nb, (size_t)k, (size_t)p->N, &b0, &b1);
        size_t lo = b0 * (size_t)p->B, hi = b1 * (size_t)p->B;
        if (hi > (size_t)p->total)
            hi = (size_t)p->total;
        if (p->shard_of[k] < 0)
            rep->missing[rep->n_missing++] = k;
        else if (lo < hi && memchr(mask + lo, 0, hi - lo))
            rep->incomplete[rep->n_incomplete++] = k;
    }
    free(mask);
    return SM_OK;
}

/* The merged file describes a whole run. */
static sm_status mark_merged(const merge_plan *p, hid_t merged, const char *out, sm_diag *d)
{
    char history[1024] = "", when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    size_t used = (size_t)snprintf(history, sizeof history, "merged at %s from %d of %d slices:",
                                   when, p->n, p->N);
    for (int i = 0; i < p->n && used < sizeof history; i++)
        used += (size_t)snprintf(history + used, sizeof history - used, " %s", p->shards[i]);
    H5Adelete(merged, "slice_index");
    H5Adelete(merged, "slice_count");
    if (!sm_h5_attr_i64(merged, "slice_index", 0) || !sm_h5_attr_i64(merged, "slice_count", 1) ||
        !sm_h5_attr_text(merged, "merged_from", history))
        return sm_diag_fail(d, SM_EOUTPUT, "%s: cannot update the merged file's attributes", out);
    return SM_OK;
}

sm_status sm_results_merge(const char *out, const char *const *shards, int n, int force,
                           sm_merge_report *rep, sm_diag *d)
{
    memset(rep, 0, sizeof *rep);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    sm_status st = SM_OK;
    merge_plan p = {shards, n, {0}, 0, 0, 0, 0, NULL, NULL};
    char *tmp = NULL;
    hid_t merged = -1;
    unsigned char *buf = NULL;
    size_t cap = 0;
    struct stat sb;
    if (!force && lstat(out, &sb) == 0)
        SM_TRY(sm_diag_error(d, out, 0, 0, "exists; give --force to replace it"));
    /* Everything is checked before anything is written. */
    for (int i = 0; i < n; i++)
        SM_TRY(check_shard(&p, i, d));

    /* Start from a copy of the first shard: its structure, labels, inputs
     * and attributes are those of any shard. */
    if (!(tmp = sm_partial_name(out)))
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    if (!copy_file(shards[0], tmp))
        SM_TRY(sm_diag_fail_at(d, SM_EOUTPUT, tmp, "cannot write: %s", strerror(errno)));
    if (!sm_h5_repair_after_kill(tmp) || (merged = sm_h5_open(tmp, H5F_ACC_RDWR)) < 0)
        SM_TRY(sm_diag_error(d, tmp, 0, 0, "cannot open the merged file for writing"));
    for (int i = 1; i < n; i++)
        SM_TRY(copy_shard(&p, i, merged, out, &buf, &cap, d));
    SM_TRY(count_complete(&p, merged, out, rep, d));
    SM_TRY(mark_merged(&p, merged, out, d));
    int closed = H5Fclose(merged) >= 0;
    merged = -1;
    if (!closed)
        SM_TRY(sm_diag_fail(d, SM_EOUTPUT, "%s: cannot close the merged file", out));
    int e = sm_put_in_place(tmp, out, force);
    if (e)
        SM_TRY(sm_diag_fail_at(d, SM_EOUTPUT, out, "cannot put the merged file in place: %s",
                               strerror(e)));
done:
    if (merged >= 0)
        H5Fclose(merged);
    if (st != SM_OK && tmp)
        unlink(tmp);
    free(tmp);
    free(buf);
    free(p.shard_of);
    free(p.marked);
    return st;
}
