/*
 * exec_heapev.h - how every test starts the `heapev` binary, natively or
 * through an exe wrapper (docs/CROSS.md).
 *
 * In a cross build the tests run under qemu-user. A test's own execve goes to
 * the kernel, which runs a foreign (s390x, i386) binary only through a
 * registered binfmt_misc handler; without one, heapev must be started through
 * the emulator. The wrapper is HEAPEV_EXEC_WRAPPER, else MESON_EXE_WRAPPER
 * (meson exports it, e.g. "/usr/bin/qemu-s390x", to the tests of a cross
 * build); it is a shell word list (a program and its options, quoted as a
 * shell would), read the same way by heapev_execv() and by scripts.
 * With neither set, heapev is exec'd directly.
 */
#ifndef HEAPEV_TESTS_EXEC_HEAPEV_H
#define HEAPEV_TESTS_EXEC_HEAPEV_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The exe wrapper, or "" when heapev runs directly. */
static inline const char *heapev_exec_wrapper(void)
{
    const char *w = getenv("HEAPEV_EXEC_WRAPPER");
    if (w == NULL || *w == '\0')
        w = getenv("MESON_EXE_WRAPPER");
    return w != NULL ? w : "";
}

/*
 * How much longer than natively a test may wait for heapev to get somewhere:
 * 1 natively, 10 through a wrapper (qemu-user emulates every instruction).
 */
static inline int heapev_exec_slowdown(void)
{
    return *heapev_exec_wrapper() != '\0' ? 10 : 1;
}

/*
 * Replace this (forked, single-threaded) process by `@p bin @p args...`
 * (@p args NULL-terminated), through the wrapper when there is one:
 * `/bin/sh -c 'exec WRAPPER "$@"' heapev BIN ARGS...`, the shell exec'ing the
 * wrapper in its place, so the caller's pid is the emulator's and signals sent
 * to it reach heapev. Returns only when the exec failed.
 */
static inline void heapev_execv(const char *bin, const char *const *args)
{
    const char *wrap = heapev_exec_wrapper();
    size_t n = 0;
    while (args[n] != NULL)
        n++;
    const char **argv = calloc(n + 6, sizeof *argv);
    if (argv == NULL)
        return;
    size_t k = 0;
    char *script = NULL;
    if (*wrap != '\0') {
        size_t len = strlen(wrap) + sizeof "exec  \"$@\"";
        script = malloc(len);
        if (script == NULL) {
            free(argv);
            return;
        }
        snprintf(script, len, "exec %s \"$@\"", wrap);
        argv[k++] = "/bin/sh";
        argv[k++] = "-c";
        argv[k++] = script;
        argv[k++] = "heapev"; /* $0 */
    }
    argv[k++] = bin;
    memcpy(argv + k, args, (n + 1) * sizeof *argv);
    execv(argv[0], (char *const *)argv);
    free(script);
    free(argv);
}

/* heapev_run(): fork or waitpid failed (not an exit status of heapev). */
#define HEAPEV_RUN_FAILED (-2)

/*
 * Run `@p bin @p args...` (through the wrapper) and wait for it: stdin from
 * @p in, stdout to @p out, stderr to @p err (created or truncated, mode
 * 0600); NULL means /dev/null for each. Returns heapev's exit status, -1 when
 * it was killed by a signal, HEAPEV_RUN_FAILED when fork or waitpid failed.
 */
static inline int heapev_run(const char *bin, const char *const *args, const char *in,
                             const char *out, const char *err)
{
    pid_t pid = fork();
    if (pid < 0)
        return HEAPEV_RUN_FAILED;
    if (pid == 0) {
        int fd_in = open(in ? in : "/dev/null", O_RDONLY);
        int fd_out = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int fd_err = open(err ? err : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd_in < 0 || fd_out < 0 || fd_err < 0 || dup2(fd_in, 0) < 0 || dup2(fd_out, 1) < 0 ||
            dup2(fd_err, 2) < 0)
            _exit(127);
        heapev_execv(bin, args);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return HEAPEV_RUN_FAILED;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif
