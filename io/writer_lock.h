/* One writer per results file, whatever the command: run (new, --force,
 * --resume), merge and repair all take this lock before they create,
 * replace, continue or change a results file, and hold it to the end.
 *
 * The lock is on the path, not on the file: a lock file beside it,
 * OUT.h5.lock, locked with flock(2) and holding the holder's PID. A lock on
 * the results file itself would not do, because a replacement is a rename
 * onto the path (a new inode), which a lock on the old inode never sees.
 * flock locks die with their process, so a killed holder (SIGKILL, a node
 * crash) never leaves a stale lock: a leftover OUT.h5.lock is harmless and
 * reused. On NFS, Linux maps flock to POSIX byte-range locks, which the
 * server arbitrates between clients. */
#ifndef SM_WRITER_LOCK_H
#define SM_WRITER_LOCK_H

#include "../core/diag.h"

typedef struct sm_writer_lock {
    int fd;          /* -1 when not held */
    char *lock_path; /* path + ".lock" */
} sm_writer_lock;

#define SM_WRITER_LOCK_NONE {-1, NULL}

/* Take the lock for the results file at path. When another process holds
 * it: SM_EINPUT, the message naming the holder's PID (exit code 2); when
 * the lock file cannot be made (directory missing or read-only):
 * SM_EOUTPUT (exit code 4). */
sm_status sm_writer_lock_take(const char *path, sm_writer_lock *lk, sm_diag *d);

/* Release (and remove the lock file); NULL-safe, idempotent. */
void sm_writer_lock_release(sm_writer_lock *lk);

#endif
