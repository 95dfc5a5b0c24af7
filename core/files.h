/* Reading whole input files with a size limit, and path helpers. */
#ifndef SM_FILES_H
#define SM_FILES_H

#include <stddef.h>

#include "diag.h"

/* Read the file at path into a new NUL-terminated buffer (*text, owned by
 * the caller; *len excludes the NUL). A missing file, a directory, an
 * unreadable file or one larger than max_bytes is an input error naming
 * the path. */
sm_status sm_read_file(const char *path, size_t max_bytes, char **text,
                       size_t *len, sm_diag *d);

/* dir + "/" + name in a new string; name is returned copied as is when it
 * is absolute. NULL when out of memory. */
char *sm_path_join(const char *dir, const char *name);

/* Move a finished temporary file tmp to path in one step: replacing what
 * is there when replace is set (rename), else never (the move fails with
 * EEXIST if path appeared meanwhile). Returns 0, or an errno value. */
int sm_put_in_place(const char *tmp, const char *path, int replace);

/* The name a file is built under before it is put in place at path:
 * path + ".partial-" + this process's id, in a new string (NULL when out
 * of memory). A kill leaves only this name behind, never a half-made
 * file under the real one. */
char *sm_partial_name(const char *path);

/* Whether path may receive an output that replaces it (replace set) or
 * appears there: an error (exit code 2) naming the path when it is a
 * directory, device, FIFO or socket (never replaced, --force or not), a
 * symbolic link (never written through nor replaced: the message names its
 * target, to give instead), or the same file as one of the n_inputs paths
 * (an input of the run; hard links included). A missing path is fine.
 * Whether an existing regular file may be replaced is the caller's
 * decision (--force). */
sm_status sm_output_check(const char *path, const char *const *inputs, int n_inputs, sm_diag *d);

/* True when path names an existing regular file or directory. */
int sm_path_exists(const char *path);
int sm_path_is_dir(const char *path);

#endif
