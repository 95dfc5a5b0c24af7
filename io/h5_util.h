/* Small HDF5 helpers shared inside io/ (the only folder that includes
 * hdf5.h): text and number attributes, opening files a killed writer left,
 * and the advisory lock a writer holds. */
#ifndef SM_H5_UTIL_H
#define SM_H5_UTIL_H

#include <hdf5.h>
#include <stdint.h>

#include "../core/diag.h"
#include "../models/outcome.h"

/* Deflate level 1 with shuffle: nearly the ratio of level 6 on these
 * arrays (mostly zeros and repeated values) at a fraction of the time. */
#ifndef SM_H5_DEFLATE_LEVEL /* -DSM_H5_DEFLATE_LEVEL=N to measure another */
#define SM_H5_DEFLATE_LEVEL 1
#endif

/* Instead of HDF5's error stack dumps on stderr (a screenful per failure),
 * keep the innermost message of each failure for sm_h5_last_error(). HDF5's
 * error settings are per thread: call it in every thread that calls HDF5,
 * before the calls (it is cheap). */
void sm_h5_quiet(void);

/* The innermost message of this thread's last HDF5 failure, on one line
 * ("No space left on device"); "" when none was recorded. */
const char *sm_h5_last_error(void);

/* A variable-length UTF-8 string type (close it with H5Tclose). */
hid_t sm_h5_vlen_utf8(void);

/* Writes a whole dataset of variable-length UTF-8 strings (t is
 * sm_h5_vlen_utf8()) from char pointers; returns 1 on success. */
int sm_h5_write_strings(hid_t ds, hid_t t, const void *strings);

/* Attributes: text as variable-length UTF-8 (h5py reads str, netCDF a
 * string attribute), numbers as given. Each returns 1 on success. */
int sm_h5_attr_text(hid_t obj, const char *name, const char *value);
int sm_h5_attr_num(hid_t obj, const char *name, hid_t type, const void *values, hsize_t n);
int sm_h5_attr_i64(hid_t obj, const char *name, long long v);
/* CF flag attributes of an int8 code variable: flag_values 0..n-1 and
 * flag_meanings names[0..n) separated by spaces (n <= 64). */
int sm_h5_attr_flags(hid_t obj, const char *const *names, int n);
int sm_h5_read_attr_text(hid_t obj, const char *name, char *buf, size_t size);
int sm_h5_read_attr_i64(hid_t obj, const char *name, long long *v);
int sm_h5_read_attr_f64(hid_t obj, const char *name, double *v);

/* Clear what a writer killed in single-writer mode leaves in the
 * superblock (`h5clear -s -i 0`); 1 on success. Only for files this
 * process owns or holds the writer lock on. */
int sm_h5_repair_after_kill(const char *path);

/* Open a results file to read and check it, changing nothing: also one
 * a killed writer left (single-writer flags still set) or one cut short
 * (its end before the end HDF5 recorded; what lies past it reads as
 * damaged data, not as a failure to open). */
hid_t sm_h5_open_read(const char *path);

/* The same for a file a writer may be writing (no writer lock held): a
 * metadata read that races the writer's flush is retried for up to about
 * 0.27 s, then reported, never retried for hours. */
hid_t sm_h5_open_read_live(const char *path);

/* Copy the chunks of blocks [b0, b1) (block rows each, along the first
 * dimension) whose marked[b] is set from dataset from to dataset to, as
 * stored: compressed, checksums and all. Unwritten chunks are skipped.
 * buf (cap bytes) grows as needed. 1 on success. */
int sm_h5_copy_chunks(hid_t from, hid_t to, size_t b0, size_t b1, hsize_t block,
                      const uint8_t *marked, unsigned char **buf, size_t *cap);

/* H5Fopen with the 1.10 file format (needed for single-writer mode). */
hid_t sm_h5_open(const char *path, unsigned flags);

/* Take the writer's lock on path: returns the descriptor holding it, or
 * -1 after recording why (another supplymix writing it, say). */
int sm_h5_writer_lock(const char *path, sm_diag *d);

/* The HDF5 type of a result variable's values. */
hid_t sm_h5_vtype(sm_vtype t);

/* A dataset creation property list: chunked (when chunk is not NULL) with
 * shuffle, deflate and Fletcher32, in that order; fill when not NULL. */
hid_t sm_h5_dcpl(hid_t type, int rank, const hsize_t *chunk, const void *fill);

/* A dataset with rank dims; chunked (chunk0 along the first dimension,
 * whole along the others) and compressed unless empty. */
hid_t sm_h5_dataset(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                    hsize_t chunk0, const void *fill);

/* `units` and `long_name`; 1 on success. */
int sm_h5_describe(hid_t ds, const char *units, const char *long_name);

/* A 1-D string coordinate that is also the dimension scale `name`. */
hid_t sm_h5_string_coord(hid_t file, const char *name, const char *const *labels, size_t n,
                         const char *long_name);

/* A 1-D string variable along an existing dimension scale. */
/* The strings of the 1-D variable-length string dataset name of loc, as
 * malloc'd copies into *out[*n] (free with sm_h5_strings_free); 0 when it
 * is absent, not 1-D or cannot be read. */
int sm_h5_read_strings(hid_t loc, const char *name, char ***out, size_t *n);
void sm_h5_strings_free(char **s, size_t n);

int sm_h5_string_var(hid_t file, const char *name, const char *const *values, size_t n,
                     hid_t scale, const char *long_name);

#endif
