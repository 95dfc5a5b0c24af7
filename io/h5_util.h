/* Small HDF5 helpers shared inside io/ (the only folder that includes
 * hdf5.h): text and number attributes, opening files a killed writer left,
 * and the advisory lock a writer holds. */
#ifndef SM_H5_UTIL_H
#define SM_H5_UTIL_H

#include <hdf5.h>

#include "../core/diag.h"

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

/* Attributes: text as variable-length UTF-8 (h5py reads str, netCDF a
 * string attribute), numbers as given. Each returns 1 on success. */
int sm_h5_attr_text(hid_t obj, const char *name, const char *value);
int sm_h5_attr_num(hid_t obj, const char *name, hid_t type, const void *values, hsize_t n);
int sm_h5_attr_i64(hid_t obj, const char *name, long long v);
int sm_h5_read_attr_text(hid_t obj, const char *name, char *buf, size_t size);
int sm_h5_read_attr_i64(hid_t obj, const char *name, long long *v);
int sm_h5_read_attr_f64(hid_t obj, const char *name, double *v);

/* Clear what a writer killed in single-writer mode leaves in the
 * superblock (`h5clear -s -i 0`); 1 on success. Only for files this
 * process owns or holds the writer lock on. */
int sm_h5_repair_after_kill(const char *path);

/* H5Fopen with the 1.10 file format (needed for single-writer mode). */
hid_t sm_h5_open(const char *path, unsigned flags);

/* Take the writer's lock on path: returns the descriptor holding it, or
 * -1 after recording why (another supplymix writing it, say). */
int sm_h5_writer_lock(const char *path, sm_diag *d);

#endif
