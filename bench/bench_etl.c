/*
 * bench_etl.c - reading a large .etl end to end, against `cat FILE > /dev/null`
 * on the same file with a warm page cache, in the same run.
 *
 * Writes a trace of MiB mebibytes with the library's writer (64 KiB buffers of
 * 64-bit heap Alloc records), then times, best of 3:
 *   cat      `cat FILE` into /dev/null (the baseline: page cache to a pipe);
 *   reader   the library's streaming reader in this process (stdio fetch);
 *   cli      `heapev decode --etl --summary FILE`, with its peak RSS.
 * Usage: bench-etl HEAPEV_BINARY [MiB] [DIR]   (defaults: 1024, /tmp)
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "heapev/etl.h"

#ifndef BENCH_FLAGS
#define BENCH_FLAGS "unknown"
#endif

static int sink_fd(void *ctx, uint64_t offset, const uint8_t *data, size_t len)
{
    int fd = *(int *)ctx;
    return pwrite(fd, data, len, (off_t)offset) == (ssize_t)len ? 0 : -1;
}

/* Write a trace of about @p bytes; returns the number of Alloc events written. */
static uint64_t write_trace(const char *path, uint64_t bytes)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    static uint8_t buf[65536];
    heapev_etl_writer w;
    if (fd < 0 || heapev_etl_writer_init(&w, NULL, buf, sizeof buf, sink_fd, &fd) != 0)
        return fprintf(stderr, "bench-etl: cannot create %s\n", path), exit(2), 0;
    heapev_event e;
    memset(&e, 0, sizeof e);
    e.pointer_width = 8;
    e.header = (heapev_record_header){2, 2, 0xC0, 0, 0x1021, 100, 200, 0, 0, 0};
    e.header.size = (uint16_t)heapev_record_size(&e);
    uint64_t rng = 11, n = 0;
    for (uint64_t approx = 0; approx < bytes; approx += 64, n++) {
        uint64_t r = bench_rand(&rng);
        e.heap_handle = 0x10000ull * (1 + (r & 0xFF));
        e.size = (r >> 8) & 0x3FFF;
        e.address = 0x1000000ull + ((r >> 24) & 0xFFFFF0);
        e.source = 1 + (uint32_t)((r >> 48) % 4);
        e.header.system_time = (int64_t)n;
        if (heapev_etl_writer_add_event(&w, &e, NULL) != HEAPEV_ETL_WRITE_OK)
            return fprintf(stderr, "bench-etl: write failed\n"), exit(2), 0;
    }
    if (heapev_etl_writer_finish(&w, 0) != HEAPEV_ETL_WRITE_OK || close(fd) != 0)
        return fprintf(stderr, "bench-etl: finishing %s failed\n", path), exit(2), 0;
    return n;
}

/* Run argv with stdout to /dev/null; returns seconds, sets peak RSS in KiB. */
static double run_child(char *const argv[], long *maxrss_kib)
{
    double t = bench_now();
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) == 127 || WEXITSTATUS(status) == 2)
        return fprintf(stderr, "bench-etl: %s failed\n", argv[0]), exit(2), 0;
    *maxrss_kib = ru.ru_maxrss;
    return bench_now() - t;
}

static double run_reader(const char *path, uint64_t *events)
{
    static uint8_t buf[HEAPEV_ETL_MAX_BUFFER_SIZE];
    FILE *f = fopen(path, "rb");
    heapev_etl_stdio src = {f, buf, sizeof buf, 0, 0, 0};
    heapev_etl_reader r;
    heapev_etl_item item;
    double t = bench_now();
    heapev_etl_reader_init(&r, NULL, heapev_etl_stdio_fetch, &src);
    while (heapev_etl_next(&r, &item) == HEAPEV_ETL_OK)
        ;
    t = bench_now() - t;
    *events = heapev_etl_reader_stats(&r)->events;
    fclose(f);
    return t;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return fprintf(stderr, "usage: bench-etl HEAPEV_BINARY [MiB] [DIR]\n"), 2;
    uint64_t mib = argc > 2 ? strtoull(argv[2], NULL, 10) : 1024;
    char path[4096];
    snprintf(path, sizeof path, "%s/heapev-bench-%d.etl", argc > 3 ? argv[3] : "/tmp", (int)getpid());
    uint64_t written = write_trace(path, mib << 20), events = 0;
    double mb = (double)(mib << 20) / 1e6;
    char *cat_argv[] = {"/bin/cat", path, NULL};
    char *cli_argv[] = {argv[1], "decode", "--etl", "--summary", path, NULL};
    long rss_cat = 0, rss_cli = 0, rss;
    double t_cat = 1e9, t_reader = 1e9, t_cli = 1e9;
    for (int i = 0; i < 3; i++) { /* the first cat also warms the page cache */
        double c = run_child(cat_argv, &rss), d, l;
        rss_cat = rss > rss_cat ? rss : rss_cat;
        d = run_reader(path, &events);
        l = run_child(cli_argv, &rss);
        rss_cli = rss > rss_cli ? rss : rss_cli;
        t_cat = c < t_cat ? c : t_cat;
        t_reader = d < t_reader ? d : t_reader;
        t_cli = l < t_cli ? l : t_cli;
    }
    unlink(path);
    if (events != written)
        return fprintf(stderr, "bench-etl: read %llu events, wrote %llu\n",
                       (unsigned long long)events, (unsigned long long)written), 1;
    bench_print_machine(BENCH_FLAGS);
    printf("trace: %llu MiB, %llu heap Alloc records (64-bit, 64 KiB buffers), warm page cache, best of 3\n\n",
           (unsigned long long)mib, (unsigned long long)written);
    printf("| %-30s | %9s | %10s | %10s | %8s | %10s |\n", "case", "MB/s", "M events/s", "/cat",
           "peak RSS", "target");
    printf("|%s|%s|%s|%s|%s|%s|\n", "--------------------------------", "-----------",
           "------------", "------------", "----------", "------------");
    printf("| %-30s | %9.0f | %10s | %10s | %6ld MiB | %10s |\n", "cat FILE > /dev/null (baseline)",
           mb / t_cat, "-", "1.00x", rss_cat / 1024, "-");
    printf("| %-30s | %9.0f | %10.1f | %9.2fx | %10s | %10s |\n", "library reader (in process)",
           mb / t_reader, (double)events / t_reader / 1e6, t_cat / t_reader, "-", ">= 0.5x");
    printf("| %-30s | %9.0f | %10.1f | %9.2fx | %6ld MiB | %10s |\n", "heapev decode --etl --summary",
           mb / t_cli, (double)events / t_cli / 1e6, t_cat / t_cli, rss_cli / 1024,
           ">=0.5x,<64M");
    return 0;
}
