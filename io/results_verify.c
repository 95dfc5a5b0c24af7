/* Reading back a results file's data (see results_verify.h). */
#include "results_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../models/outcome.h"
#include "h5_chunk.h"
#include "h5_util.h"

void sm_verify_report_free(sm_verify_report *v)
{
    free(v->marks);
    free(v->bad);
    free(v->stale);
    free(v->partial);
    memset(v, 0, sizeof *v);
}

/* Read rows [lo, hi) of ds (all of a scalar) in its native type through
 * the filters; 1 when HDF5 could. buf grows as needed. */
static int read_rows(hid_t ds, hsize_t lo, hsize_t hi, void **buf, size_t *cap)
{
    hid_t fs = H5Dget_space(ds), ft = H5Dget_type(ds);
    hid_t mt = ft >= 0 ? H5Tget_native_type(ft, H5T_DIR_ASCEND) : -1;
    int rank = fs >= 0 ? H5Sget_simple_extent_ndims(fs) : -1;
    hsize_t dims[8], start[8] = {0}, cnt[8];
    int ok = mt >= 0 && rank >= 0 && rank <= 8 && H5Sget_simple_extent_dims(fs, dims, NULL) >= 0;
    size_t es = ok ? H5Tget_size(mt) : 0, n = 1;
    for (int i = 0; ok && i < rank; i++) {
        cnt[i] = i ? dims[i] : hi - lo;
        n *= (size_t)cnt[i];
    }
    if (ok && rank > 0) {
        start[0] = lo;
        ok = H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, cnt, NULL) >= 0;
    }
    if (ok && n > 0 && n * es > *cap) {
        void *nb = realloc(*buf, n * es);
        ok = nb != NULL;
        if (ok)
            *buf = nb, *cap = n * es;
    }
    if (ok && n > 0) {
        hid_t ms = rank ? H5Screate_simple(rank, cnt, NULL) : H5Screate(H5S_SCALAR);
        ok = H5Dread(ds, mt, ms, fs, H5P_DEFAULT, *buf) >= 0;
        if (ok && H5Tdetect_class(mt, H5T_VLEN) + H5Tis_variable_str(mt) > 0)
            H5Dvlen_reclaim(mt, ms, H5P_DEFAULT, *buf);
        H5Sclose(ms);
    }
    if (mt >= 0)
        H5Tclose(mt);
    if (ft >= 0)
        H5Tclose(ft);
    if (fs >= 0)
        H5Sclose(fs);
    return ok;
}

static int is_block_var(const char *name)
{
    if (strcmp(name, "complete") == 0)
        return 1;
    for (int v = 0; v < SM_NVARS; v++)
        if (strcmp(name, sm_vars[v].name) == 0)
            return 1;
    return 0;
}

typedef struct walk {
    void *buf;
    size_t cap;
    char *damaged;
    size_t size;
    hid_t var[SM_NVARS];   /* the block variables (-1: absent or not chunked) */
    haddr_t eof;           /* the file's size: chunks past it were cut off */
} walk;

/* A dataset that is not per block, read whole, a chunk's rows at a time. */
static herr_t check_other(hid_t obj, const char *name, const H5O_info_t *info, void *ctx)
{
    walk *w = ctx;
    if (info->type != H5O_TYPE_DATASET || is_block_var(name))
        return 0;
    hid_t ds = H5Dopen2(obj, name, H5P_DEFAULT);
    hid_t fs = ds >= 0 ? H5Dget_space(ds) : -1, dcpl = ds >= 0 ? H5Dget_create_plist(ds) : -1;
    hsize_t dims[8] = {0}, chunk[8] = {0};
    int rank = fs >= 0 ? H5Sget_simple_extent_ndims(fs) : -1;
    int ok = rank >= 0 && rank <= 8 && dcpl >= 0 && H5Sget_simple_extent_dims(fs, dims, NULL) >= 0;
    if (ok && rank == 0)
        ok = read_rows(ds, 0, 1, &w->buf, &w->cap);
    hsize_t step = rank > 0 && H5Pget_layout(dcpl) == H5D_CHUNKED &&
                           H5Pget_chunk(dcpl, 8, chunk) == rank ? chunk[0] : dims[0];
    for (hsize_t s = 0; ok && rank > 0 && s < dims[0]; s += step)
        ok = read_rows(ds, s, s + step < dims[0] ? s + step : dims[0], &w->buf, &w->cap);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (fs >= 0)
        H5Sclose(fs);
    if (ds >= 0)
        H5Dclose(ds);
    if (!ok)
        snprintf(w->damaged, w->size, "%s", name);
    return ok ? 0 : 1; /* the first damaged dataset is enough to refuse */
}

/* Block b's marks, then its values in every variable the file holds:
 * 0 when all read back, or nothing was written in it; 1 when damaged and
 * it holds (or its unreadable marks may hold) complete scenarios; 2 when
 * damaged with nothing complete; 3 when sound, written, not all complete. */
/* One chunk of a result variable, checked as stored rather than through
 * the filters (several times faster: nothing is inflated): it exists, lies
 * inside the file, starts with a zlib header and ends with the Fletcher32
 * sum of the rest. A chunk complemented whole passes Fletcher32 but not the
 * header check. */
static int chunk_sound(hid_t ds, hsize_t lo, walk *w)
{
    hsize_t offset[4] = {lo, 0, 0, 0}, size = 0;
    haddr_t addr = HADDR_UNDEF;
    unsigned mask = 0;
    if (H5Dget_chunk_info_by_coord(ds, offset, &mask, &addr, &size) < 0 ||
        addr == HADDR_UNDEF || addr + size > w->eof || size < 6)
        return 0;
    if (size > w->cap) {
        void *nb = realloc(w->buf, size);
        if (!nb)
            return 0;
        w->buf = nb;
        w->cap = size;
    }
    const unsigned char *c = w->buf;
    if (H5Dread_chunk(ds, H5P_DEFAULT, offset, &mask, w->buf) < 0 || mask != 0 ||
        (c[0] & 0x0f) != 8 || ((unsigned)c[0] << 8 | c[1]) % 31 != 0)
        return 0;
    uint32_t stored = 0;
    for (int i = 0; i < 4; i++)
        stored |= (uint32_t)c[size - 4 + (hsize_t)i] << (8 * i);
    return sm_fletcher32(c, (size_t)size - 4) == stored;
}

/* Block b's marks (read through the filters), then its chunks in every
 * variable the file holds: 0 when all are sound, or nothing was written
 * in it; 1 when damaged and it holds (or its unreadable marks may hold)
 * complete scenarios; 2 when damaged with nothing complete; 3 when sound,
 * written, not all complete. */
static int check_block(hid_t complete, sm_verify_report *v, size_t b, walk *w)
{
    size_t lo = b * v->block, hi = lo + v->block < v->n_scenarios ? lo + v->block : v->n_scenarios;
    int ok = read_rows(complete, lo, hi, &w->buf, &w->cap);
    int marked = !ok, all = 0;
    if (ok) {
        all = memchr(w->buf, 0, hi - lo) == NULL;
        memcpy(v->marks + lo, w->buf, hi - lo);
        marked = memchr(v->marks + lo, 1, hi - lo) != NULL;
        hsize_t offset[1] = {lo}, size = 0;
        if (!marked && (H5Dget_chunk_storage_size(complete, offset, &size) < 0 || size == 0))
            return 0; /* never written */
    }
    for (int k = 0; ok && k < SM_NVARS; k++)
        ok = w->var[k] < 0 || chunk_sound(w->var[k], lo, w);
    if (ok)
        return all ? 0 : 3;
    memset(v->marks + lo, 0, hi - lo);
    return marked ? 1 : 2;
}

/* The block variables the file holds, with chunks (an empty one has none). */
static void open_vars(hid_t file, walk *w)
{
    for (int k = 0; k < SM_NVARS; k++) {
        w->var[k] = H5Lexists(file, sm_vars[k].name, H5P_DEFAULT) > 0
                        ? H5Dopen2(file, sm_vars[k].name, H5P_DEFAULT)
                        : -1;
        hid_t dcpl = w->var[k] >= 0 ? H5Dget_create_plist(w->var[k]) : -1;
        if (dcpl >= 0 && H5Pget_layout(dcpl) != H5D_CHUNKED)
            H5Dclose(w->var[k]), w->var[k] = -1;
        if (dcpl >= 0)
            H5Pclose(dcpl);
    }
}

sm_status sm_results_verify(hid_t file, const char *path, size_t b_first, size_t b_end,
                            sm_verify_report *v, sm_diag *d)
{
    memset(v, 0, sizeof *v);
    long long n = 0, block = 0;
    if (!sm_h5_read_attr_i64(file, "n_scenarios", &n) ||
        !sm_h5_read_attr_i64(file, "block_size", &block) || n < 1 || block < 1)
        return sm_diag_error(d, path, 0, 0, "is damaged, or not a supplymix results file (its "
                                            "attributes n_scenarios and block_size do not read)");
    v->n_scenarios = (size_t)n;
    v->block = (size_t)block;
    char hash[2][64];
    if (!sm_h5_read_attr_text(file, "model_hash", hash[0], sizeof hash[0]) ||
        !sm_h5_read_attr_text(file, "sweep_hash", hash[1], sizeof hash[1]) ||
        strlen(hash[0]) != 16 || strlen(hash[1]) != 16)
        snprintf(v->damaged, sizeof v->damaged, "root attributes model_hash, sweep_hash");
    size_t nb = (v->n_scenarios + v->block - 1) / v->block;
    if (b_end > nb)
        b_end = nb;
    v->marks = calloc(v->n_scenarios, 1);
    v->bad = malloc((b_end > b_first ? b_end - b_first : 1) * sizeof *v->bad);
    v->stale = malloc((b_end > b_first ? b_end - b_first : 1) * sizeof *v->stale);
    v->partial = malloc((b_end > b_first ? b_end - b_first : 1) * sizeof *v->partial);
    if (!v->marks || !v->bad || !v->stale || !v->partial) {
        sm_verify_report_free(v);
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    }
    walk w = {NULL, 0, v->damaged, sizeof v->damaged, {0}, HADDR_UNDEF};
    struct stat sb;
    if (stat(path, &sb) == 0)
        w.eof = (haddr_t)sb.st_size;
    open_vars(file, &w);
    hid_t complete = H5Dopen2(file, "complete", H5P_DEFAULT);
    if (complete < 0) {
        for (int k = 0; k < SM_NVARS; k++)
            if (w.var[k] >= 0)
                H5Dclose(w.var[k]);
        sm_verify_report_free(v);
        return sm_diag_error(d, path, 0, 0, "is damaged or not a results file: its completion "
                                            "marks ('complete') cannot be opened");
    }
    for (size_t b = b_first; b < b_end; b++) {
        int r = check_block(complete, v, b, &w);
        if (r == 1)
            v->bad[v->n_bad++] = b;
        else if (r == 2)
            v->stale[v->n_stale++] = b;
        else if (r == 3)
            v->partial[v->n_partial++] = b;
    }
    H5Dclose(complete);
    for (int k = 0; k < SM_NVARS; k++)
        if (w.var[k] >= 0)
            H5Dclose(w.var[k]);
    if (H5Ovisit(file, H5_INDEX_NAME, H5_ITER_NATIVE, check_other, &w) < 0 && !v->damaged[0])
        snprintf(v->damaged, sizeof v->damaged, "(the file's structure)");
    free(w.buf);
    return SM_OK;
}

void sm_verify_ranges(const sm_verify_report *v, const size_t *blocks, size_t n, char *buf,
                      size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        size_t j = i;
        while (j + 1 < n && blocks[j + 1] == blocks[j] + 1)
            j++;
        size_t lo = blocks[i] * v->block, hi = (blocks[j] + 1) * v->block;
        if (hi > v->n_scenarios)
            hi = v->n_scenarios;
        used += (size_t)snprintf(buf + used, size - used, "%s%zu-%zu", i ? ", " : "", lo, hi - 1);
        i = j;
    }
}

/* 1 when dataset name has the filter (or no chunks), 0 when not, -1 when
 * it cannot be opened (damaged). */
static int has_fletcher32(hid_t file, const char *name)
{
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    if (ds < 0)
        return -1;
    hid_t dcpl = ds >= 0 ? H5Dget_create_plist(ds) : -1;
    unsigned flags = 0, conf = 0;
    size_t nelem = 0;
    /* An empty variable (a model without limits, say) has no chunks. */
    int ok = dcpl >= 0 && (H5Pget_layout(dcpl) != H5D_CHUNKED ||
                           H5Pget_filter_by_id2(dcpl, H5Z_FILTER_FLETCHER32, &flags, &nelem, NULL,
                                                0, NULL, &conf) >= 0);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (ds >= 0)
        H5Dclose(ds);
    return ok;
}

int sm_results_checksummed(hid_t file)
{
    if (H5Lexists(file, "complete", H5P_DEFAULT) <= 0)
        return -1;
    int ok = has_fletcher32(file, "complete");
    for (int k = 0; ok == 1 && k < SM_NVARS; k++)
        if (H5Lexists(file, sm_vars[k].name, H5P_DEFAULT) > 0)
            ok = has_fletcher32(file, sm_vars[k].name);
    return ok;
}
