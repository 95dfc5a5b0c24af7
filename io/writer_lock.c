/* The path lock of a results file's one writer (see writer_lock.h). */
#include "writer_lock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* The PID a holder wrote in the lock file; 0 when unknown (not written
 * yet, or not a number). */
static long holder_pid(const char *lock_path)
{
    char buf[32] = "";
    int fd = open(lock_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    char *end;
    long pid = strtol(buf, &end, 10);
    return end != buf && pid > 0 ? pid : 0;
}

static sm_status refuse_held(const char *path, const char *lock_path, sm_diag *d)
{
    long pid = holder_pid(lock_path);
    char who[64] = "";
    if (pid)
        snprintf(who, sizeof who, " (PID %ld)", pid);
    return sm_diag_error(d, path, 0, 0,
                         "another supplymix process%s is writing this file (lock %s); wait for it "
                         "to finish or stop it first",
                         who, lock_path);
}

/* A lock taken on a lock file that its holder removed meanwhile locks
 * nothing: it counts only if lock_path still names the same file. */
static int still_linked(int fd, const char *lock_path)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && lstat(lock_path, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

/* The PID in name when it is base + ".partial-" + digits, else 0. */
static long partial_pid(const char *name, const char *base)
{
    size_t n = strlen(base);
    if (strncmp(name, base, n) != 0 || strncmp(name + n, ".partial-", 9) != 0)
        return 0;
    char *end;
    long pid = strtol(name + n + 9, &end, 10);
    return *end == '\0' && pid > 0 ? pid : 0;
}

/* A writer killed before it renamed its file into place (sm_partial_name)
 * leaves PATH.partial-PID behind, as large as the results. Such a file is
 * never the only copy of anything (the old file stays whole until the
 * rename), so once this process holds the lock, the leftovers of dead
 * writers go. A live PID is left alone: it may be reused, but it may also
 * be another command writing there. */
static void remove_dead_partials(const char *path, sm_diag *d)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    char dir[4096];
    if (dir_len >= sizeof dir)
        return;
    memcpy(dir, slash ? path : "./", slash ? dir_len : 3);
    dir[slash ? dir_len : 2] = '\0';
    DIR *dh = opendir(dir);
    if (!dh)
        return;
    for (struct dirent *e; (e = readdir(dh));) {
        long pid = partial_pid(e->d_name, base);
        char leftover[4096 + 256];
        if (!pid || (kill((pid_t)pid, 0) == 0 || errno != ESRCH) ||
            snprintf(leftover, sizeof leftover, "%s%s", dir, e->d_name) >= (int)sizeof leftover)
            continue;
        if (unlink(leftover) == 0)
            sm_diag_warning(d, path, 0, 0, "removed %s, left by a writer (PID %ld) that was "
                                           "killed before it renamed that file into place",
                            leftover, pid);
    }
    closedir(dh);
}

sm_status sm_writer_lock_take(const char *path, sm_writer_lock *lk, sm_diag *d)
{
    lk->fd = -1;
    size_t n = strlen(path) + sizeof ".lock";
    if (!(lk->lock_path = malloc(n)))
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    snprintf(lk->lock_path, n, "%s.lock", path);
    for (int attempt = 0; attempt < 100; attempt++) {
        int fd = open(lk->lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
        if (fd < 0) {
            int e = errno;
            sm_status st = sm_diag_fail_at(d, SM_EOUTPUT, path,
                                           "cannot create the writer's lock file %s: %s",
                                           lk->lock_path, strerror(e));
            free(lk->lock_path);
            lk->lock_path = NULL;
            return st;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            close(fd);
            sm_status st = e == EWOULDBLOCK
                               ? refuse_held(path, lk->lock_path, d)
                               : sm_diag_fail_at(d, SM_EOUTPUT, path, "cannot lock %s: %s",
                                                 lk->lock_path, strerror(e));
            free(lk->lock_path);
            lk->lock_path = NULL;
            return st;
        }
        if (!still_linked(fd, lk->lock_path)) {
            close(fd); /* its holder released it between our open and flock */
            continue;
        }
        char pid[32];
        int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
        /* Without the PID the lock still holds; others just cannot name us. */
        int named = ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)len, 0) == len;
        (void)named;
        lk->fd = fd;
        remove_dead_partials(path, d);
        return SM_OK;
    }
    sm_status st = sm_diag_fail_at(d, SM_EOUTPUT, path, "cannot take the writer's lock %s: it "
                                                        "keeps being replaced", lk->lock_path);
    free(lk->lock_path);
    lk->lock_path = NULL;
    return st;
}

void sm_writer_lock_release(sm_writer_lock *lk)
{
    if (!lk)
        return;
    if (lk->fd >= 0) {
        /* Removed while still locked, so a process that opened it just
         * before sees it unlinked and starts over on a new one. */
        unlink(lk->lock_path);
        close(lk->fd);
        lk->fd = -1;
    }
    free(lk->lock_path);
    lk->lock_path = NULL;
}
