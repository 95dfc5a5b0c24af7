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

#include "parse.h"

static const char *file_kind(mode_t mode)
{
    if (S_ISFIFO(mode))
        return "is a FIFO (named pipe), expected a regular file";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "is a device, expected a regular file";
    if (S_ISSOCK(mode))
        return "is a socket, expected a regular file";
    return "is not a regular file";
}

/* Open path for reading without ever waiting: O_NONBLOCK makes opening a
 * FIFO return at once (instead of waiting for a writer), and fstat then
 * refuses everything but a regular file before a byte is read. */
static sm_status open_regular(const char *path, const char *name, size_t max_bytes,
                              int *fd_out, size_t *size, sm_diag *d)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return sm_diag_error(d, name, 0, 0, "cannot open: %s", strerror(errno));
    struct stat sb;
    const char *why = NULL;
    if (fstat(fd, &sb) != 0)
        why = strerror(errno);
    else if (S_ISDIR(sb.st_mode))
        why = "is a directory, expected a file";
    else if (!S_ISREG(sb.st_mode))
        why = file_kind(sb.st_mode);
    if (why) {
        close(fd);
        return sm_diag_error(d, name, 0, 0, "%s", why);
    }
    if ((unsigned long long)sb.st_size > max_bytes) {
        close(fd);
        return sm_diag_error(d, name, 0, 0,
                             "is %lld bytes, larger than the limit of %zu bytes",
                             (long long)sb.st_size, max_bytes);
    }
    *fd_out = fd;
    *size = (size_t)sb.st_size;
    return SM_OK;
}

/* Read fd to its end into a new buffer of at most max_bytes (the file may
 * have grown since fstat said cap). */
static sm_status read_all(int fd, const char *name, size_t cap, size_t max_bytes,
                          char **text, size_t *len, sm_diag *d)
{
    char *buf = malloc(cap + 1);
    if (!buf)
        return sm_diag_fail(d, SM_ENOMEM, "%s: out of memory reading the file", name);
    size_t n = 0;
    for (;;) {
        if (n == cap) {
            if (cap >= max_bytes) {
                char probe;
                if (read(fd, &probe, 1) > 0) {
                    free(buf);
                    return sm_diag_error(d, name, 0, 0,
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
                return sm_diag_fail(d, SM_ENOMEM, "%s: out of memory reading the file", name);
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            return sm_diag_error(d, name, 0, 0, "cannot read: %s", strerror(e));
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return SM_OK;
}

sm_status sm_text_read(const char *path, const char *name, size_t max_bytes, char **text,
                       size_t *len, sm_diag *d)
{
    *text = NULL;
    *len = 0;
    if (!name)
        name = path;
    int fd = -1;
    size_t size = 0;
    sm_status st = open_regular(path, name, max_bytes, &fd, &size, d);
    if (st != SM_OK)
        return st;
    st = read_all(fd, name, size, max_bytes, text, len, d);
    close(fd);
    if (st == SM_OK)
        st = sm_text_check(name, *text, *len, d);
    if (st != SM_OK) {
        free(*text);
        *text = NULL;
        *len = 0;
    }
    return st;
}

sm_status sm_text_check(const char *file, const char *text, size_t len, sm_diag *d)
{
    size_t bad = sm_text_invalid_at(text, len);
    if (bad >= len)
        return SM_OK;
    int l, c;
    sm_text_position(text, bad, &l, &c);
    return sm_diag_error(d, file, l, c,
                         text[bad] ? "not valid UTF-8 text (save the file as UTF-8)"
                                   : "contains a NUL byte: not a text file");
}

static int has_dotdot(const char *name)
{
    for (const char *p = name; (p = strstr(p, "..")) != NULL; p += 2)
        if ((p == name || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
            return 1;
    return 0;
}

int sm_path_locate(const char *dir, const char *name, char **resolved,
                   sm_path_place *place)
{
    *resolved = NULL;
    char *joined = sm_path_join(dir, name);
    if (!joined)
        return ENOMEM;
    char *file = realpath(joined, NULL);
    int e = errno;
    free(joined);
    if (!file)
        return e;
    char *base = realpath(dir && *dir ? dir : ".", NULL);
    if (!base) {
        e = errno;
        free(file);
        return e;
    }
    size_t n = strlen(base);
    /* base is "/" or has no trailing '/'; dir itself counts as inside (a
     * read then says it is a directory). */
    int inside = strncmp(file, base, n) == 0 && (n == 1 || file[n] == '/' || file[n] == '\0');
    free(base);
    *place = name[0] == '/' ? SM_PATH_ABSOLUTE
           : inside ? SM_PATH_INSIDE
           : has_dotdot(name) ? SM_PATH_UP : SM_PATH_LINK_OUT;
    *resolved = file;
    return 0;
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

int sm_path_is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

int sm_copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return errno;
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    int e = out < 0 ? errno : 0;
    char buf[1 << 16];
    for (ssize_t n; !e && (n = read(in, buf, sizeof buf)) != 0;) {
        if (n < 0) {
            e = errno == EINTR ? 0 : errno;
            continue;
        }
        for (ssize_t w = 0, k; !e && w < n; w += k > 0 ? k : 0)
            if ((k = write(out, buf + w, (size_t)(n - w))) < 0 && errno != EINTR)
                e = errno;
    }
    if (out >= 0 && close(out) != 0 && !e)
        e = errno;
    close(in);
    if (e && out >= 0)
        unlink(to);
    return e;
}

char *sm_partial_name(const char *path)
{
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (tmp)
        snprintf(tmp, n, "%s.partial-%ld", path, (long)getpid());
    return tmp;
}

static const char *output_kind(mode_t mode)
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
                             output_kind(sb.st_mode));
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
