/* Reading whole input files with a size limit, and path helpers. */
#ifndef SM_FILES_H
#define SM_FILES_H

#include <stddef.h>

#include "diag.h"

/* Read the input text file at path whole into a new NUL-terminated buffer
 * (*text, owned by the caller; *len excludes the NUL); messages name it
 * `name` (path when NULL). The file is opened without blocking and checked
 * with fstat before any read, so a FIFO, a device or a directory is an
 * input error, never a hang; so are a missing or unreadable file, one
 * larger than max_bytes and text that sm_text_check refuses. The text is
 * kept as written (a byte-order mark and CRLF line ends are left to the
 * parsers, which accept both), so it can be stored and hashed verbatim. */
sm_status sm_text_read(const char *path, const char *name, size_t max_bytes, char **text,
                       size_t *len, sm_diag *d);

/* Input files are UTF-8 text: an input error at file:line:col of the first
 * NUL byte or invalid UTF-8 sequence in text, else SM_OK. */
sm_status sm_text_check(const char *file, const char *text, size_t len, sm_diag *d);

/* Where a file named in an input lies relative to the directory of that
 * input (sm_path_locate). */
typedef enum sm_path_place {
    SM_PATH_INSIDE,   /* in dir or below it */
    SM_PATH_ABSOLUTE, /* written as an absolute path */
    SM_PATH_UP,       /* a '..' leads out of dir */
    SM_PATH_LINK_OUT  /* a symbolic link leads out of dir */
} sm_path_place;

/* Resolve name (relative to dir) to the file it reaches, with every
 * symbolic link and '..' followed: *resolved is a new string, *place says
 * whether it lies inside dir. Returns 0, or the errno of a name that does
 * not resolve (a missing file, a link loop, ENOMEM). Opening *resolved
 * rather than name means the file checked is the file read, short of a
 * directory being swapped for a link between the two calls. */
int sm_path_locate(const char *dir, const char *name, char **resolved,
                   sm_path_place *place);

/* dir + "/" + name in a new string; name is returned copied as is when it
 * is absolute. NULL when out of memory. */
char *sm_path_join(const char *dir, const char *name);

/* Move a finished temporary file tmp to path in one step: replacing what
 * is there when replace is set (rename), else never (the move fails with
 * EEXIST if path appeared meanwhile). Returns 0, or an errno value. */
int sm_put_in_place(const char *tmp, const char *path, int replace);

/* Copy the regular file from to the new file to (refused if it exists):
 * 0, or the errno of what failed (to is then removed). */
int sm_copy_file(const char *from, const char *to);

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
int sm_path_is_file(const char *path); /* a regular file (links followed) */

#endif
