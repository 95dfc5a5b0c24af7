/* Whole-file reads with limits (see files.h). */
#define _GNU_SOURCE /* renameat2 */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

sm_status sm_read_file(const char *path, size_t max_bytes, char **text,
                       size_t *len, sm_diag *d)
{
    *text = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sm_diag_error(d, path, 0, 0, "cannot open: %s", strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return sm_diag_error(d, path, 0, 0, "cannot stat: %s", strerror(e));
    }
    if (S_ISDIR(sb.st_mode)) {
        close(fd);
        return sm_diag_error(d, path, 0, 0, "is a directory, expected a file");
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return sm_diag_error(d, path, 0, 0, "is not a regular file");
    }
    if ((unsigned long long)sb.st_size > max_bytes) {
        close(fd);
        return sm_diag_error(d, path, 0, 0,
                             "is %lld bytes, larger than the limit of %zu bytes",
                             (long long)sb.st_size, max_bytes);
    }
    size_t cap = (size_t)sb.st_size;
    char *buf = malloc(cap + 1);
    if (!buf) {
        close(fd);
        return sm_diag_fail(d, SM_ENOMEM, "%s: out of memory reading the file", path);
    }
    size_t n = 0;
    for (;;) {
        if (n == cap) {
            /* The file grew after fstat: read at most up to the limit. */
            if (cap >= max_bytes) {
                char probe;
                ssize_t r = read(fd, &probe, 1);
                if (r > 0) {
                    free(buf);
                    close(fd);
                    return sm_diag_error(d, path, 0, 0,
                                         "is larger than the limit of %zu bytes", max_bytes);
                }
                break;
            }
            size_t ncap = cap * 2 + 4096;
            if (ncap > max_bytes)
                ncap = max_bytes;
            char *nb = realloc(buf, ncap + 1);
            if (!nb) {
                free(buf);
                close(fd);
                return sm_diag_fail(d, SM_ENOMEM, "%s: out of memory reading the file", path);
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(buf);
            close(fd);
            return sm_diag_error(d, path, 0, 0, "cannot read: %s", strerror(e));
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return SM_OK;
}

char *sm_path_join(const char *dir, const char *name)
{
    if (name[0] == '/' || !dir || !dir[0])
        return strdup(name);
    size_t a = strlen(dir), b = strlen(name);
    char *s = malloc(a + b + 2);
    if (!s)
        return NULL;
    memcpy(s, dir, a);
    size_t k = a;
    if (a > 0 && dir[a - 1] != '/')
        s[k++] = '/';
    memcpy(s + k, name, b + 1);
    return s;
}

int sm_put_in_place(const char *tmp, const char *path, int replace)
{
    if (replace)
        return rename(tmp, path) == 0 ? 0 : errno;
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        return errno;
    /* File systems without RENAME_NOREPLACE (NFS): a hard link does not
     * replace either. */
    if (link(tmp, path) != 0)
        return errno;
    unlink(tmp);
    return 0;
}

int sm_path_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

int sm_path_is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

char *sm_partial_name(const char *path)
{
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (tmp)
        snprintf(tmp, n, "%s.partial-%ld", path, (long)getpid());
    return tmp;
}

static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe)";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

static sm_status refuse_symlink(const char *path, sm_diag *d)
{
    char target[4096];
    ssize_t n = readlink(path, target, sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    return sm_diag_error(d, path, 0, 0,
                         "is a symbolic link%s%s; supplymix neither writes through nor replaces "
                         "links: give the path of the file itself",
                         n > 0 ? " to " : "", target);
}

sm_status sm_output_check(const char *path, const char *const *inputs, int n_inputs, sm_diag *d)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return SM_OK; /* nothing there yet (a missing directory is found on creation) */
    if (S_ISLNK(sb.st_mode))
        return refuse_symlink(path, d);
    if (!S_ISREG(sb.st_mode))
        return sm_diag_error(d, path, 0, 0, "is %s; results are written only to regular files, "
                                            "and nothing else is replaced, --force or not",
                             file_kind(sb.st_mode));
    for (int i = 0; i < n_inputs; i++) {
        struct stat in;
        if (inputs[i] && stat(inputs[i], &in) == 0 && in.st_dev == sb.st_dev &&
            in.st_ino == sb.st_ino)
            return sm_diag_error(d, path, 0, 0, "is an input of this run (%s); an output never "
                                                "replaces an input, --force or not",
                                 inputs[i]);
    }
    return SM_OK;
}
