/* Small HDF5 helpers shared by the results writer and the merge: text and
 * number attributes, opening files a killed writer left, the writer lock. */
#define _GNU_SOURCE /* F_OFD_SETLK */
#include "h5_util.h"

#include <hdf5_hl.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* HDF5 closes its files from an atexit handler. After a close that
 * failed (the disk full while the superblock is written, say) 1.10 keeps a
 * half-closed file there and crashes on it at exit (SIGSEGV in
 * H5F__close_cb), turning a clean "could not write" into exit 139. Every
 * file is closed explicitly anyway, so that handler is never installed;
 * this must run before the library initialises, hence a constructor. */
__attribute__((constructor)) static void skip_hdf5_atexit(void)
{
    H5dont_atexit();
}

/* The innermost message of the last HDF5 failure in this thread: the one
 * that says what really went wrong ("No space left on device"). */
static _Thread_local char last_error[200];

static herr_t keep_innermost(unsigned n, const H5E_error2_t *e, void *ctx)
{
    (void)ctx;
    if (n != 0 || !e->desc)
        return 0;
    /* The file drivers put strerror() in "..., error message = '...', ...". */
    const char *msg = strstr(e->desc, "error message = '");
    if (msg) {
        msg += strlen("error message = '");
        const char *end = strchr(msg, '\'');
        int len = end ? (int)(end - msg) : (int)strlen(msg);
        snprintf(last_error, sizeof last_error, "%.*s", len, msg);
    } else {
        snprintf(last_error, sizeof last_error, "%s", e->desc);
    }
    for (char *c = last_error; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    return 0;
}

static herr_t on_error(hid_t stack, void *ctx)
{
    (void)stack, (void)ctx;
    last_error[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, NULL);
    return 0;
}

void sm_h5_quiet(void)
{
    H5Eset_auto2(H5E_DEFAULT, on_error, NULL);
}

const char *sm_h5_last_error(void)
{
    return last_error;
}

hid_t sm_h5_vlen_utf8(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

int sm_h5_write_strings(hid_t ds, hid_t t, const void *strings)
{
    /* Strings go through HDF5's type conversion, whose buffer (1 MiB by
     * default) is calloc'ed afresh on every write: zeroing it was most of
     * the time a results file took to be made (25 of 40 ms on china_grid).
     * A few KiB hold many strings' descriptors; HDF5 converts in strips of
     * that size when there are more. */
    hid_t xfer = H5Pcreate(H5P_DATASET_XFER);
    int ok = xfer >= 0 && H5Pset_buffer(xfer, 16384, NULL, NULL) >= 0 &&
             H5Dwrite(ds, t, H5S_ALL, H5S_ALL, xfer, strings) >= 0;
    if (xfer >= 0)
        H5Pclose(xfer);
    return ok;
}


/* Text attributes are variable-length UTF-8: h5py returns str, netCDF
 * reads them as string attributes. */
int sm_h5_attr_text(hid_t obj, const char *name, const char *value)
{
    hid_t t = sm_h5_vlen_utf8(), s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    int ok = a >= 0 && H5Awrite(a, t, &value) >= 0;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(s);
    H5Tclose(t);
    return ok;
}

int sm_h5_attr_num(hid_t obj, const char *name, hid_t type, const void *values, hsize_t n)
{
    hid_t s = n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL);
    hid_t a = H5Acreate2(obj, name, type, s, H5P_DEFAULT, H5P_DEFAULT);
    int ok = a >= 0 && H5Awrite(a, type, values) >= 0;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(s);
    return ok;
}

int sm_h5_attr_i64(hid_t obj, const char *name, long long v)
{
    return sm_h5_attr_num(obj, name, H5T_NATIVE_LLONG, &v, 1);
}


/* The writer's lock: an open-file-description lock on one byte far past
 * any real offset, so it never meets HDF5's own flock-based locking or a
 * reader's. Returns the descriptor holding it, or -1 with a message. */
int sm_h5_writer_lock(const char *path, sm_diag *d)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        sm_diag_error(d, path, 0, 0, "cannot open for writing: %s", strerror(errno));
        return -1;
    }
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = (off_t)1 << 62;
    fl.l_len = 1;
    if (fcntl(fd, F_OFD_SETLK, &fl) != 0) {
        int e = errno;
        close(fd);
        if (e == EAGAIN || e == EACCES)
            sm_diag_error(d, path, 0, 0, "another supplymix process is writing this file; wait "
                                         "for it to finish or stop it first");
        else
            sm_diag_error(d, path, 0, 0, "cannot lock for writing: %s", strerror(e));
        return -1;
    }
    return fd;
}


int sm_h5_read_attr_text(hid_t obj, const char *name, char *buf, size_t size)
{
    buf[0] = '\0';
    if (H5Aexists(obj, name) <= 0)
        return 0;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = H5Aget_type(a), mt = sm_h5_vlen_utf8();
    char *v = NULL;
    int ok = a >= 0 && H5Tis_variable_str(t) > 0 && H5Aread(a, mt, &v) >= 0 && v;
    if (ok) {
        snprintf(buf, size, "%s", v);
        H5free_memory(v);
    }
    H5Tclose(mt);
    H5Tclose(t);
    H5Aclose(a);
    return ok;
}

/* A numeric attribute read as type into *v; 0 when absent or unreadable. */
static int read_attr_num(hid_t obj, const char *name, hid_t type, void *v)
{
    if (H5Aexists(obj, name) <= 0)
        return 0;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    int ok = a >= 0 && H5Aread(a, type, v) >= 0;
    if (a >= 0)
        H5Aclose(a);
    return ok;
}

int sm_h5_read_attr_i64(hid_t obj, const char *name, long long *v)
{
    return read_attr_num(obj, name, H5T_NATIVE_LLONG, v);
}

int sm_h5_read_attr_f64(hid_t obj, const char *name, double *v)
{
    return read_attr_num(obj, name, H5T_NATIVE_DOUBLE, v);
}

/* A writer killed in single-writer mode leaves two marks in the superblock:
 * "open for writing" flags, and an end-of-allocation address from before
 * its last writes (the data past it are sound: SWMR flushes in an order
 * that keeps the file consistent). Clear the flags and move the end of
 * allocation to the end of the file: what `h5clear -s -i 0` does, through
 * the same file-access properties. */
int sm_h5_repair_after_kill(const char *path)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110);
    hbool_t yes = 1;
    if (H5Pexist(fapl, "clear_status_flags") <= 0 || H5Pexist(fapl, "skip_eof_check") <= 0 ||
        H5Pset(fapl, "clear_status_flags", &yes) < 0 || H5Pset(fapl, "skip_eof_check", &yes) < 0) {
        H5Pclose(fapl);
        return 0;
    }
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, fapl);
    H5Pclose(fapl);
    if (f < 0)
        return 0;
    int ok = H5Fincrement_filesize(f, 0) >= 0;
    return H5Fclose(f) >= 0 && ok;
}

hid_t sm_h5_open(const char *path, unsigned flags)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110);
    /* As in sm_h5_open_read: the caller holds the writer lock, so a failed
     * metadata checksum is damage, not a race; never retry with sleeps. */
    H5Pset_metadata_read_attempts(fapl, 1);
    hid_t f = H5Fopen(path, flags, fapl);
    H5Pclose(fapl);
    return f;
}


static hid_t open_read(const char *path, unsigned attempts)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110);
    hbool_t yes = 1;
    /* The private property h5clear uses; without it a cut file is refused
     * as a whole and its sound blocks could not be told from the lost. */
    if (H5Pexist(fapl, "skip_eof_check") > 0)
        H5Pset(fapl, "skip_eof_check", &yes);
    /* A SWMR reader retries a metadata read whose checksum fails, up to
     * 100 times with growing sleeps (a damaged header took hours): the
     * caller bounds them: one when it holds the writer lock (nobody is
     * writing, so one attempt is the truth), a few while a writer may be
     * flushing (sm_h5_open_read_live). */
    H5Pset_metadata_read_attempts(fapl, attempts);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, fapl);
    if (f < 0) /* a file closed normally by an HDF5 that refuses SWMR reads of it */
        f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    return f;
}

hid_t sm_h5_open_read(const char *path)
{
    return open_read(path, 1);
}

/* HDF5 sleeps 1, 2, 4, ... ns between SWMR metadata read attempts: 29
 * attempts retry for 2^28 ns (0.27 s) in all, plenty for a read racing
 * the writer's flush (the Python reader's METADATA_READ_ATTEMPTS). */
hid_t sm_h5_open_read_live(const char *path)
{
    return open_read(path, 29);
}

/* Copy the raw chunks (checksums and all) of the marked blocks among
 * [b0, b1) of one dataset. */
int sm_h5_copy_chunks(hid_t from, hid_t to, size_t b0, size_t b1, hsize_t block,
                      const uint8_t *marked, unsigned char **buf, size_t *cap)
{
    for (size_t b = b0; b < b1; b++) {
        hsize_t offset[4] = {(hsize_t)b * block, 0, 0, 0};
        hsize_t size = 0;
        if (!marked[b])
            continue; /* nothing complete in it: stays the fill value */
        if (H5Dget_chunk_storage_size(from, offset, &size) < 0 || size == 0)
            continue;
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
    return 1;
}


/* ---- datasets shared by the results and plan writers -------------------- */

hid_t sm_h5_vtype(sm_vtype t)
{
    return t == SM_VT_I8 ? H5T_NATIVE_INT8 : t == SM_VT_I32 ? H5T_NATIVE_INT32 : H5T_NATIVE_DOUBLE;
}

hid_t sm_h5_dcpl(hid_t type, int rank, const hsize_t *chunk, const void *fill)
{
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_attr_creation_order(dcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    if (chunk) {
        H5Pset_chunk(dcpl, rank, chunk);
        H5Pset_shuffle(dcpl);
        H5Pset_deflate(dcpl, SM_H5_DEFLATE_LEVEL);
        /* Last, so it sums the stored bytes: any reader detects a damaged
         * chunk (h5_chunk.c appends the same sum to chunks it encodes).
         * HDF5 refuses it on variable-length strings (the labels). */
        if (H5Tis_variable_str(type) <= 0)
            H5Pset_fletcher32(dcpl);
    }
    if (fill)
        H5Pset_fill_value(dcpl, type, fill);
    return dcpl;
}

hid_t sm_h5_dataset(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                    hsize_t chunk0, const void *fill)
{
    hsize_t total = 1, chunk[8];
    for (int i = 0; i < rank; i++)
        total *= dims[i];
    if (rank > 0) {
        chunk[0] = chunk0 < dims[0] ? chunk0 : dims[0];
        for (int i = 1; i < rank; i++)
            chunk[i] = dims[i];
    }
    hid_t dcpl = sm_h5_dcpl(type, rank, total > 0 && rank > 0 ? chunk : NULL, fill);
    hid_t space = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t ds = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Sclose(space);
    H5Pclose(dcpl);
    return ds;
}

int sm_h5_describe(hid_t ds, const char *units, const char *long_name)
{
    return sm_h5_attr_text(ds, "units", units) && sm_h5_attr_text(ds, "long_name", long_name);
}

hid_t sm_h5_string_coord(hid_t file, const char *name, const char *const *labels, size_t n,
                         const char *long_name)
{
    hid_t t = sm_h5_vlen_utf8();
    hsize_t dims[1] = {n};
    hid_t ds = sm_h5_dataset(file, name, t, 1, dims, n ? n : 1, NULL);
    int ok = ds >= 0;
    if (ok && n)
        ok = sm_h5_write_strings(ds, t, labels);
    H5Tclose(t);
    if (ok)
        ok = H5DSset_scale(ds, name) >= 0 && sm_h5_attr_text(ds, "long_name", long_name);
    if (!ok && ds >= 0) {
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

int sm_h5_string_var(hid_t file, const char *name, const char *const *values, size_t n,
                     hid_t scale, const char *long_name)
{
    hid_t t = sm_h5_vlen_utf8();
    hsize_t dims[1] = {n};
    hid_t ds = sm_h5_dataset(file, name, t, 1, dims, n ? n : 1, NULL);
    int ok = ds >= 0 && (n == 0 || sm_h5_write_strings(ds, t, values)) &&
             H5DSattach_scale(ds, scale, 0) >= 0 && sm_h5_attr_text(ds, "long_name", long_name);
    if (ds >= 0)
        H5Dclose(ds);
    H5Tclose(t);
    return ok;
}

int sm_h5_read_strings(hid_t loc, const char *name, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    hid_t ds = H5Lexists(loc, name, H5P_DEFAULT) > 0 ? H5Dopen2(loc, name, H5P_DEFAULT) : -1;
    hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1, t = sm_h5_vlen_utf8();
    hsize_t dims[1] = {0};
    int ok = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 &&
             H5Sget_simple_extent_dims(sp, dims, NULL) == 1;
    char **raw = ok ? calloc((size_t)dims[0] + 1, sizeof *raw) : NULL;
    char **s = ok ? calloc((size_t)dims[0] + 1, sizeof *s) : NULL;
    ok = ok && raw && s && (dims[0] == 0 || H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0);
    for (size_t i = 0; ok && i < dims[0]; i++)
        ok = (s[i] = strdup(raw[i] ? raw[i] : "")) != NULL;
    if (ok && dims[0] > 0)
        H5Dvlen_reclaim(t, sp, H5P_DEFAULT, raw);
    free(raw);
    H5Tclose(t);
    if (sp >= 0)
        H5Sclose(sp);
    if (ds >= 0)
        H5Dclose(ds);
    if (!ok) {
        sm_h5_strings_free(s, s ? (size_t)dims[0] : 0);
        return 0;
    }
    *out = s;
    *n = (size_t)dims[0];
    return 1;
}

void sm_h5_strings_free(char **s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        free(s[i]);
    free(s);
}

int sm_h5_attr_flags(hid_t obj, const char *const *names, int n)
{
    int8_t flags[64];
    char meanings[1024] = "";
    size_t used = 0;
    if (n > 64)
        return 0;
    for (int s = 0; s < n; s++) {
        flags[s] = (int8_t)s;
        int w = snprintf(meanings + used, sizeof meanings - used, "%s%s", s ? " " : "", names[s]);
        if (w < 0 || (size_t)w >= sizeof meanings - used)
            return 0;
        used += (size_t)w;
    }
    return sm_h5_attr_num(obj, "flag_values", H5T_NATIVE_INT8, flags, (hsize_t)n) &&
           sm_h5_attr_text(obj, "flag_meanings", meanings);
}
