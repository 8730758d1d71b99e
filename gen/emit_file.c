/*
 * emit_file.c - the emitters' output files (heapev/emit.h): replaced
 * atomically through a temporary file beside the target, or written in
 * place when the target is a device, FIFO, socket, held descriptor or /proc
 * path; symbolic links kept; nothing ever created in /dev.
 */
#include "heapev/emit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINK_HOPS 40 /* as the kernel's ELOOP limit */

static int copy_path(char *out, const char *path)
{
    int n = snprintf(out, HEAPEV_EMIT_PATH_MAX, "%s", path);
    return n >= 0 && (size_t)n < HEAPEV_EMIT_PATH_MAX ? 0 : (errno = ENAMETOOLONG, -1);
}

/* Does @p path start with directory @p dir ("/dev": "/dev" itself or "/dev/...")? */
static int under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* The number N after @p prefix in @p path ("/dev/fd/" "3"), or -1. */
static int fd_after(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n) != 0 || path[n] == '\0')
        return -1;
    long fd = 0;
    for (const char *p = path + n; *p != '\0'; p++) {
        if (*p < '0' || *p > '9' || fd > INT_MAX / 10)
            return -1;
        fd = fd * 10 + (*p - '0');
    }
    return fd <= INT_MAX ? (int)fd : -1;
}

/* The descriptor of this process that @p path names (/dev/stdout, /proc/self/fd/3...), or -1. */
static int held_descriptor(const char *path)
{
    static const char *const std[] = {"/dev/stdin", "/dev/stdout", "/dev/stderr"};
    for (int i = 0; i < 3; i++)
        if (strcmp(path, std[i]) == 0)
            return i;
    char own[48];
    snprintf(own, sizeof own, "/proc/%ld/fd/", (long)getpid());
    const char *prefixes[] = {"/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/", own};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        int fd = fd_after(path, prefixes[i]);
        if (fd >= 0)
            return fd;
    }
    return -1;
}

/* Where a link at @p link pointing to @p to points: @p to, or relative to the link's directory. */
static int link_destination(const char *link, const char *to, char *out)
{
    const char *slash = strrchr(link, '/');
    if (to[0] == '/' || slash == NULL)
        return copy_path(out, to);
    int n = snprintf(out, HEAPEV_EMIT_PATH_MAX, "%.*s/%s", (int)(slash - link), link, to);
    return n >= 0 && (size_t)n < HEAPEV_EMIT_PATH_MAX ? 0 : (errno = ENAMETOOLONG, -1);
}

/* How an output is reached once its symbolic links are followed. */
typedef enum reach { REACH_REPLACE, REACH_IN_PLACE, REACH_DESCRIPTOR } reach;

/*
 * Follow @p path's symbolic links into @p target. A held descriptor
 * (*descriptor set) or any /proc path stops the walk: written in place;
 * otherwise the end is replaced unless it is a device, FIFO or socket.
 */
static int follow(const char *path, char *target, reach *how, int *descriptor)
{
    char next[HEAPEV_EMIT_PATH_MAX], to[HEAPEV_EMIT_PATH_MAX];
    struct stat sb;
    if (copy_path(target, path) != 0)
        return -1;
    for (int hop = 0; hop <= MAX_LINK_HOPS; hop++) {
        if ((*descriptor = held_descriptor(target)) >= 0)
            return *how = REACH_DESCRIPTOR, 0;
        if (under(target, "/proc"))
            return *how = REACH_IN_PLACE, 0;
        if (lstat(target, &sb) != 0)
            return errno == ENOENT ? (*how = REACH_REPLACE, 0) : -1;
        if (!S_ISLNK(sb.st_mode)) {
            if (S_ISDIR(sb.st_mode))
                return errno = EISDIR, -1;
            *how = S_ISREG(sb.st_mode) ? REACH_REPLACE : REACH_IN_PLACE;
            return 0;
        }
        ssize_t n = readlink(target, to, sizeof to - 1);
        if (n < 0)
            return -1;
        to[n] = '\0';
        if (link_destination(target, to, next) != 0)
            return -1;
        memcpy(target, next, sizeof next);
    }
    return errno = ELOOP, -1;
}

int heapev_emit_in_place(const char *path)
{
    char target[HEAPEV_EMIT_PATH_MAX];
    reach how;
    int fd;
    return follow(path, target, &how, &fd) == 0 && how != REACH_REPLACE;
}

int heapev_emit_in_dev(const char *path)
{
    char dir[HEAPEV_EMIT_PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    char *real = realpath(dir, NULL);
    int in_dev = real != NULL && under(real, "/dev");
    free(real);
    return in_dev;
}

int heapev_emit_same_output(const char *a, const char *b)
{
    char ta[HEAPEV_EMIT_PATH_MAX], tb[HEAPEV_EMIT_PATH_MAX];
    struct stat sa, sb;
    reach how;
    int fd;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (follow(a, ta, &how, &fd) != 0 || follow(b, tb, &how, &fd) != 0)
        return strcmp(a, b) == 0;
    char *ra = realpath(ta, NULL), *rb = realpath(tb, NULL);
    int same = ra != NULL && rb != NULL ? strcmp(ra, rb) == 0 : strcmp(ta, tb) == 0;
    free(ra), free(rb);
    return same;
}

/* ".NAME.PID.tmp" in the directory of @p target. */
static int temp_name(const char *target, char *tmp)
{
    const char *slash = strrchr(target, '/');
    size_t dir_len = slash ? (size_t)(slash - target) + 1 : 0;
    int n = snprintf(tmp, HEAPEV_EMIT_PATH_MAX, "%.*s.%s.%ld.tmp", (int)dir_len, target,
                     target + dir_len, (long)getpid());
    return n >= 0 && (size_t)n < HEAPEV_EMIT_PATH_MAX ? 0 : (errno = ENAMETOOLONG, -1);
}

/* The temporary file beside f->target, unless that would create it in /dev. */
static int open_temporary(heapev_emit_file *f)
{
    if (heapev_emit_in_dev(f->target)) {
        f->refusal = "heapev creates no file in /dev (write to a device in place, or elsewhere)";
        return errno = EPERM, -1;
    }
    if (temp_name(f->target, f->tmp) != 0)
        return -1;
    f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_EXCL | O_CLOEXEC, 0644);
    if (f->fd < 0 && errno == EEXIST && unlink(f->tmp) == 0) /* a stale one of this pid */
        f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_EXCL | O_CLOEXEC, 0644);
    if (f->fd < 0)
        f->tmp[0] = '\0';
    return f->fd < 0 ? -1 : 0;
}

int heapev_emit_open(heapev_emit_file *f, const char *path)
{
    reach how;
    int held = -1;
    memset(f, 0, sizeof *f);
    f->fd = -1;
    if (*path == '\0')
        return errno = ENOENT, -1;
    if (copy_path(f->path, path) != 0)
        return -1;
    if (follow(path, f->target, &how, &held) != 0) {
        if (errno == EISDIR)
            f->refusal = "is a directory";
        return -1;
    }
    f->in_place = how != REACH_REPLACE;
    if (how == REACH_DESCRIPTOR)
        f->fd = fcntl(held, F_DUPFD_CLOEXEC, 3);
    else if (how == REACH_IN_PLACE)
        f->fd = open(f->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    else
        return open_temporary(f);
    return f->fd < 0 ? -1 : 0;
}

const char *heapev_emit_reason(const heapev_emit_file *f, int err)
{
    return f->refusal != NULL ? f->refusal : strerror(err);
}

int heapev_emit_commit(heapev_emit_file *f)
{
    int err = 0;
    if (f->fd >= 0 && close(f->fd) != 0)
        err = errno;
    f->fd = -1;
    if (err == 0 && f->tmp[0] != '\0' && rename(f->tmp, f->target) != 0)
        err = errno;
    if (err != 0 && f->tmp[0] != '\0')
        unlink(f->tmp);
    f->tmp[0] = '\0';
    return err != 0 ? (errno = err, -1) : 0;
}

void heapev_emit_discard(heapev_emit_file *f)
{
    int err = errno;
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    if (f->tmp[0] != '\0')
        unlink(f->tmp);
    f->tmp[0] = '\0';
    errno = err;
}

int heapev_emit_write_all(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            errno = EIO;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int heapev_emit_write_file(const char *path, const void *data, size_t len)
{
    heapev_emit_file f;
    if (heapev_emit_open(&f, path) != 0)
        return -1;
    if (heapev_emit_write_all(f.fd, data, len) != 0) {
        heapev_emit_discard(&f);
        return -1;
    }
    return heapev_emit_commit(&f);
}
