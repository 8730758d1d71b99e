/*
 * bench_etl.c - reading large .etl traces end to end, each against a baseline
 * measured in the same run, on the same file, with a warm page cache.
 *
 * Uncompressed: writes a trace of MiB mebibytes with the library's writer
 * (64 KiB buffers of 64-bit heap Alloc records), then times, best of 3:
 *   cat      `cat FILE` into /dev/null (the baseline: page cache to a pipe);
 *   reader   the library's streaming reader in this process (stdio fetch);
 *   cli      `heapev decode --etl --summary FILE` (mapped, its data buffers on
 *            the default threads; and on one thread), with its peak RSS.
 * Compressed (LogFileMode 0x04000000): generates, with the library generator,
 * the trace `heapev gen --format etl --bits 64 --compress --seed 1 --count N`
 * writes, N chosen so that its records take about MiB mebibytes once
 * decompressed (the file is smaller), then times, best of 3:
 *   libfwnt  libfwnt_lzxpress_decompress() alone over every compressed
 *            buffer of the file, read into memory first; only the calls are
 *            timed (the baseline);
 *   reader   the library's streaming reader (stdio fetch, decompression
 *            scratch as the CLI gives it);
 *   cli      `heapev decode --etl --summary FILE`, with its peak RSS.
 * Compressed MB/s are of decompressed records (what libfwnt outputs), for
 * the baseline and the reader alike.
 * Then trace generation through the CLI (gen_table()): the .etl trace and its
 * manifests against the record stream of the same count and seed.
 * Usage: bench-etl HEAPEV_BINARY [MiB] [DIR]   (defaults: 1024, /tmp)
 * BENCH_ETL_KEEP=1 keeps both traces in DIR (for perf) instead of deleting them.
 */
#include <fcntl.h>
#include <libfwnt.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "heapev/etl.h"
#include "heapev/gen_etl.h"
#include "heapev/model.h"
#include "heapev/le.h"

#ifndef BENCH_FLAGS
#define BENCH_FLAGS "unknown"
#endif

#define SEED 1u
#define WOW64 0.2 /* heapev gen's default for 64-bit traces */

/* Decompression memory, as the CLI gives it; only the pages used are touched. */
static uint8_t scratch[HEAPEV_ETL_SCRATCH_SIZE(HEAPEV_ETL_MAX_BUFFER_SIZE)];

static int sink_fd(void *ctx, uint64_t offset, const uint8_t *data, size_t len)
{
    int fd = *(int *)ctx;
    return pwrite(fd, data, len, (off_t)offset) == (ssize_t)len ? 0 : -1;
}

/* Write a trace of about @p bytes; returns the number of Alloc events written. */
static uint64_t write_trace(const char *path, uint64_t bytes)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    static uint8_t buf[HEAPEV_ETL_DEFAULT_BUFFER_SIZE];
    heapev_etl_writer w;
    if (fd < 0 || heapev_etl_writer_init(&w, NULL, buf, sizeof buf, sink_fd, &fd) != 0)
        return fprintf(stderr, "bench-etl: cannot create %s\n", path), exit(2), 0;
    heapev_gen_model model; /* the generator's modelled 64-bit process */
    heapev_event e;
    heapev_gen_model_init(&model, 8, 11);
    uint64_t n = 0;
    for (uint64_t approx = 0; approx < bytes; approx += 64, n++) {
        heapev_gen_model_event(&model, &e);
        if (heapev_etl_writer_add_event(&w, &e, NULL) != HEAPEV_ETL_WRITE_OK)
            return fprintf(stderr, "bench-etl: write failed\n"), exit(2), 0;
    }
    if (heapev_etl_writer_finish(&w, 0) != HEAPEV_ETL_WRITE_OK || close(fd) != 0)
        return fprintf(stderr, "bench-etl: finishing %s failed\n", path), exit(2), 0;
    return n;
}

/* ---- the compressed trace ------------------------------------------------ */

/* Sink of the generator: counts the records of the compressed data buffers. */
typedef struct gen_sink {
    int fd;           /* -1: count only */
    uint64_t records; /* bytes of records in compressed buffers, once decompressed */
    uint64_t buffers; /* compressed buffers */
} gen_sink;

static int sink_gen(void *ctx, uint64_t offset, const uint8_t *data, size_t len)
{
    gen_sink *s = ctx;
    if (offset != 0 && len >= HEAPEV_ETL_BUFFER_HEADER_SIZE &&
        (heapev_read_le16(data + HEAPEV_ETL_BUF_OFF_BUFFER_FLAG) & HEAPEV_ETL_BUFFER_FLAG_COMPRESSED)) {
        s->records += heapev_read_le32(data + HEAPEV_ETL_BUF_OFF_OFFSET) - HEAPEV_ETL_BUFFER_HEADER_SIZE;
        s->buffers++;
    }
    return s->fd < 0 ? 0 : sink_fd(&s->fd, offset, data, len);
}

static void gen_compressed(int fd, uint64_t count, gen_sink *s, heapev_gen_etl_summary *sum)
{
    /* heapev gen --format etl --bits 64 --compress --seed 1 --count N: the CLI's defaults */
    heapev_gen_etl_options o = {.seed = SEED, .width = 8, .count = count, .container = -1,
                                .wow64 = WOW64, .compress = 1};
    size_t cap = HEAPEV_GEN_ETL_MEMORY(HEAPEV_ETL_DEFAULT_BUFFER_SIZE);
    uint8_t *mem = malloc(cap);
    *s = (gen_sink){fd, 0, 0};
    if (mem == NULL || heapev_gen_etl_write(&o, mem, cap, sink_gen, s, NULL, NULL, sum) != 0)
        fprintf(stderr, "bench-etl: generating the compressed trace failed\n"), exit(2);
    free(mem);
}

/*
 * Generate the compressed trace with about @p bytes of records once
 * decompressed: a first run of 2^16 events (counted, not written) gives the
 * bytes per event. Deterministic: the count follows from the seed alone.
 */
static void write_compressed(const char *path, uint64_t bytes, gen_sink *s,
                             heapev_gen_etl_summary *sum)
{
    const uint64_t probe = 1u << 16;
    gen_compressed(-1, probe, s, sum);
    uint64_t count = (uint64_t)((double)bytes * (double)probe / (double)s->records + 0.5);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        fprintf(stderr, "bench-etl: cannot create %s\n", path), exit(2);
    gen_compressed(fd, count, s, sum);
    if (close(fd) != 0)
        fprintf(stderr, "bench-etl: writing %s failed\n", path), exit(2);
}

/* What make_traces() wrote. */
struct made {
    uint64_t written;             /* events of the uncompressed trace */
    gen_sink gs;                  /* the compressed trace's buffers and records */
    heapev_gen_etl_summary gsum;  /* its summary */
};

/*
 * Write both traces in a child process: the generator's memory (and the
 * stack it touches) must not be resident in this process, since every child
 * forked later would inherit it and count it in its peak RSS (ru_maxrss
 * covers the time before exec).
 */
static struct made make_traces(const char *path, const char *cpath, uint64_t bytes)
{
    struct made m;
    int fds[2];
    if (pipe(fds) != 0)
        fprintf(stderr, "bench-etl: pipe failed\n"), exit(2);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        memset(&m, 0, sizeof m);
        m.written = write_trace(path, bytes);
        write_compressed(cpath, bytes, &m.gs, &m.gsum);
        _exit(write(fds[1], &m, sizeof m) == (ssize_t)sizeof m ? 0 : 2);
    }
    close(fds[1]);
    int status;
    if (pid < 0 || read(fds[0], &m, sizeof m) != (ssize_t)sizeof m || waitpid(pid, &status, 0) != pid ||
        !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fprintf(stderr, "bench-etl: writing the traces failed\n"), exit(2);
    close(fds[0]);
    return m;
}

/* ---- the measured runs --------------------------------------------------- */

static double min_d(double a, double b) { return a < b ? a : b; }

/* The CLI's default --threads: the processors online, at most 8 (cli/etl_map.c). */
static unsigned cli_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > 8 ? 8u : (unsigned)n;
}

/* Run argv with stdout to @p out (created), stderr to /dev/null; returns seconds, sets peak RSS in KiB. */
static double run_child_to(char *const argv[], const char *out, long *maxrss_kib)
{
    double t = bench_now();
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600), null = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        dup2(null, 2);
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

/* Run argv with stdout to /dev/null; returns seconds, sets peak RSS in KiB. */
static double run_child(char *const argv[], long *maxrss_kib)
{
    return run_child_to(argv, "/dev/null", maxrss_kib);
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* ---- trace generation through the CLI ------------------------------------ */

#define GEN_EVENTS 2000000u

/*
 * `heapev gen` writing GEN_EVENTS events (best of 3, files in @p dir, each
 * removed before its run so no run pays for the last one's unlink): the
 * record stream (the baseline: the same generator, no container, no
 * manifest), the .etl trace with its compact manifest, with --manifest-full,
 * and compressed. @p fwnt_mbps is libfwnt's decompression rate measured in
 * this run, the compressed row's other baseline.
 */
static void gen_table(const char *heapev, const char *dir, double fwnt_mbps)
{
    char rec[4096], etl[4096], man[4096 + 32], count[32];
    snprintf(rec, sizeof rec, "%s/heapev-bench-gen-%d.bin", dir, (int)getpid());
    snprintf(etl, sizeof etl, "%s/heapev-bench-gen-%d.etl", dir, (int)getpid());
    snprintf(man, sizeof man, "%s.manifest.jsonl", etl);
    snprintf(count, sizeof count, "%u", GEN_EVENTS);
    char *base[] = {(char *)heapev, "gen", "--format", "record", "--stream", "--bits", "64",
                    "--seed", "1", "--count", count, NULL};
    char *plain[] = {(char *)heapev, "gen", "--format", "etl", "--bits", "64", "--seed", "1",
                     "--count", count, "--out", etl, NULL, NULL};
    char small[32];
    snprintf(small, sizeof small, "%u", GEN_EVENTS / 10);
    /* The full form is ~50x slower: a tenth of the events (its rate is what is compared). */
    struct { const char *name, *extra, *count; double t; uint64_t trace, manifest; } rows[] = {
        {"gen --format etl (compact manifest)", NULL, count, 1e9, 0, 0},
        {"gen --format etl --manifest-full (1/10)", "--manifest-full", small, 1e9, 0, 0},
        {"gen --format etl --compress", "--compress", count, 1e9, 0, 0},
    };
    long rss;
    double t_rec = 1e9;
    uint64_t records = 0, rec_bytes = 0; /* compressed trace: bytes of records once decompressed */
    for (int i = 0; i < 3; i++) {
        unlink(rec);
        double t = run_child_to(base, rec, &rss);
        t_rec = min_d(t_rec, t);
        rec_bytes = file_size(rec);
        for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
            plain[12] = (char *)rows[k].extra;
            plain[9] = (char *)rows[k].count;
            unlink(etl), unlink(man);
            rows[k].t = min_d(rows[k].t, run_child(plain, &rss));
            rows[k].trace = file_size(etl), rows[k].manifest = file_size(man);
            if (rows[k].extra != NULL && strcmp(rows[k].extra, "--compress") == 0 && i == 0) {
                gen_sink gs = {-1, 0, 0};
                heapev_gen_etl_summary sum;
                gen_compressed(-1, GEN_EVENTS, &gs, &sum);
                records = gs.records;
            }
        }
    }
    unlink(rec), unlink(etl), unlink(man);
    double ev = GEN_EVENTS;
    printf("\ntrace generation through the CLI: %u events, seed 1, --bits 64 (the etl rows: WOW64\n"
           "0.2, three header families), files written to %s, best of 3. Baseline: `heapev gen\n"
           "--format record --stream` of the same count and seed into a file; the compressed row\n"
           "also against libfwnt's decompression rate above (MB/s of records)\n\n", GEN_EVENTS, dir);
    printf("| %-40s | %10s | %-22s | %9s | %16s | %14s |\n", "case", "M events/s", "/baseline",
           "MB/s", "manifest B/event", "manifest/trace");
    printf("|%s|%s|%s|%s|%s|%s|\n", "------------------------------------------", "------------",
           "------------------------", "-----------", "------------------", "----------------");
    printf("| %-40s | %10.2f | %-22s | %9.0f | %16s | %14s |\n",
           "gen --format record --stream (baseline)", ev / t_rec / 1e6, "1.00x",
           (double)rec_bytes / t_rec / 1e6, "-", "-");
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        int comp = rows[k].extra != NULL && strcmp(rows[k].extra, "--compress") == 0;
        double n = (double)strtoull(rows[k].count, NULL, 10);
        double mbps = comp ? (double)records / rows[k].t / 1e6 : (double)rows[k].trace / rows[k].t / 1e6;
        char ratio[64];
        snprintf(ratio, sizeof ratio, "%.2fx", (n / rows[k].t) / (ev / t_rec));
        if (comp)
            snprintf(ratio + strlen(ratio), sizeof ratio - strlen(ratio), " (%.2fx libfwnt)",
                     mbps / fwnt_mbps);
        printf("| %-40s | %10.2f | %-22s | %9.0f | %16.1f | %13.2fx |\n", rows[k].name,
               n / rows[k].t / 1e6, ratio, mbps, (double)rows[k].manifest / n,
               (double)rows[k].manifest / (double)rows[k].trace);
    }
    printf("\nMB/s: trace bytes written per second (compressed row: records compressed per second).\n"
           "target: the etl rows >= 0.5x the record stream; manifest <= trace (well-formed)\n");
}

/* The library reader over stdio (with decompression scratch when @p compressed). */
static double run_reader(const char *path, int compressed, heapev_etl_stats *stats)
{
    static uint8_t buf[HEAPEV_ETL_MAX_BUFFER_SIZE];
    FILE *f = fopen(path, "rb");
    heapev_etl_stdio src = {f, buf, sizeof buf, 0, 0, 0};
    heapev_etl_read_options ro = {.scratch = scratch, .scratch_size = sizeof scratch};
    heapev_etl_reader r;
    heapev_etl_item item;
    if (f == NULL)
        return fprintf(stderr, "bench-etl: cannot open %s\n", path), exit(2), 0;
    double t = bench_now();
    heapev_etl_reader_init(&r, compressed ? &ro : NULL, heapev_etl_stdio_fetch, &src);
    while (heapev_etl_next(&r, &item) == HEAPEV_ETL_OK)
        ;
    t = bench_now() - t;
    *stats = *heapev_etl_reader_stats(&r);
    fclose(f);
    return t;
}

/*
 * Baseline of the compressed read: libfwnt alone decompressing every
 * compressed buffer of the file, in place in the file image, into the
 * scratch memory with the room the reader gives it. The file is read into
 * memory (with zero padding: libfwnt reads up to a flag word past its
 * input) and its buffers located first, untimed; only the decompression
 * calls are timed. Sets the bytes decompressed and the buffers. Unmaps
 * before returning, so that the children forked later do not inherit the
 * pages.
 */
static double run_libfwnt(const char *path, uint64_t *out_bytes, uint64_t *out_buffers)
{
    struct stat st;
    int fd = open(path, O_RDONLY);
    if (fd < 0 || fstat(fd, &st) != 0)
        return fprintf(stderr, "bench-etl: cannot open %s\n", path), exit(2), 0;
    size_t len = (size_t)st.st_size, n = 0, cap = 1024;
    size_t maplen = len + HEAPEV_ETL_SCRATCH_PAD;
    uint8_t *img = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct { const uint8_t *p; size_t len; } *bufs = malloc(cap * sizeof *bufs);
    if (img == MAP_FAILED || bufs == NULL)
        return fprintf(stderr, "bench-etl: out of memory\n"), exit(2), 0;
    for (size_t done = 0; done < len;) {
        ssize_t got = read(fd, img + done, len - done);
        if (got <= 0)
            return fprintf(stderr, "bench-etl: cannot read %s\n", path), exit(2), 0;
        done += (size_t)got;
    }
    close(fd);
    for (size_t off = 0; off + HEAPEV_ETL_BUFFER_HEADER_SIZE <= len;) {
        uint32_t size = heapev_read_le32(img + off + HEAPEV_ETL_BUF_OFF_BUFFER_SIZE);
        if (size < HEAPEV_ETL_BUFFER_HEADER_SIZE || size > len - off)
            return fprintf(stderr, "bench-etl: %s: bad chain at %zu\n", path, off), exit(2), 0;
        if (heapev_read_le16(img + off + HEAPEV_ETL_BUF_OFF_BUFFER_FLAG) & HEAPEV_ETL_BUFFER_FLAG_COMPRESSED) {
            if (n == cap && (bufs = realloc(bufs, (cap *= 2) * sizeof *bufs)) == NULL)
                return fprintf(stderr, "bench-etl: out of memory\n"), exit(2), 0;
            bufs[n].p = img + off + HEAPEV_ETL_BUFFER_HEADER_SIZE;
            bufs[n++].len = size - HEAPEV_ETL_BUFFER_HEADER_SIZE;
        }
        off += size;
    }
    uint64_t total = 0;
    double t = bench_now();
    for (size_t i = 0; i < n; i++) {
        size_t out = HEAPEV_ETL_MAX_BUFFER_SIZE - HEAPEV_ETL_BUFFER_HEADER_SIZE +
                     HEAPEV_ETL_SCRATCH_SLACK; /* the room the reader gives */
        if (libfwnt_lzxpress_decompress(bufs[i].p, bufs[i].len,
                                        scratch + HEAPEV_ETL_BUFFER_HEADER_SIZE, &out, NULL) != 1)
            return fprintf(stderr, "bench-etl: libfwnt failed on buffer %zu\n", i), exit(2), 0;
        total += out;
    }
    t = bench_now() - t;
    bench_keep(total);
    free(bufs);
    munmap(img, maplen);
    *out_bytes = total;
    *out_buffers = n;
    return t;
}

static long max_l(long a, long b) { return a > b ? a : b; }

/* One table row: figures, the ratio to its baseline, peak RSS (or "-"). */
static void row(const char *name, double mbps, double mevents, double ratio, long rss_kib,
                const char *target)
{
    char ev[32] = "-", rs[32] = "-";
    if (mevents >= 0)
        snprintf(ev, sizeof ev, "%.1f", mevents);
    if (rss_kib >= 0)
        snprintf(rs, sizeof rs, "%.1f MiB", (double)rss_kib / 1024.0);
    printf("| %-47s | %9.0f | %10s | %9.2fx | %8s | %11s |\n", name, mbps, ev, ratio, rs, target);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return fprintf(stderr, "usage: bench-etl HEAPEV_BINARY [MiB] [DIR]\n"), 2;
    uint64_t mib = argc > 2 ? strtoull(argv[2], NULL, 10) : 1024;
    const char *dir = argc > 3 ? argv[3] : "/tmp";
    const char *keep = getenv("BENCH_ETL_KEEP");
    char path[4096], cpath[4096];
    snprintf(path, sizeof path, "%s/heapev-bench-%d.etl", dir, (int)getpid());
    snprintf(cpath, sizeof cpath, "%s/heapev-bench-%d-compressed.etl", dir, (int)getpid());

    double tg = bench_now();
    struct made made = make_traces(path, cpath, mib << 20);
    tg = bench_now() - tg;
    uint64_t written = made.written;
    gen_sink gs = made.gs;
    heapev_gen_etl_summary gsum = made.gsum;

    double mb = (double)(mib << 20) / 1e6;
    char *cat_argv[] = {"/bin/cat", path, NULL};
    char *cli_argv[] = {argv[1], "decode", "--etl", "--summary", path, NULL};
    char *cli1_argv[] = {argv[1], "decode", "--etl", "--summary", "--threads", "1", path, NULL};
    char *ccli_argv[] = {argv[1], "decode", "--etl", "--summary", cpath, NULL};
    long rss_cat = 0, rss_cli = 0, rss_cli1 = 0, rss_ccli = 0, rss;
    double t_cat = 1e9, t_reader = 1e9, t_cli = 1e9, t_cli1 = 1e9, t_fwnt = 1e9, t_creader = 1e9,
           t_ccli = 1e9;
    heapev_etl_stats st, cst;
    uint64_t dbytes = 0, dbuffers = 0;
    for (int i = 0; i < 3; i++) { /* the first cat also warms the page cache */
        t_cat = min_d(t_cat, run_child(cat_argv, &rss));
        rss_cat = max_l(rss_cat, rss);
        t_reader = min_d(t_reader, run_reader(path, 0, &st));
        t_cli = min_d(t_cli, run_child(cli_argv, &rss));
        rss_cli = max_l(rss_cli, rss);
        t_cli1 = min_d(t_cli1, run_child(cli1_argv, &rss));
        rss_cli1 = max_l(rss_cli1, rss);
        t_fwnt = min_d(t_fwnt, run_libfwnt(cpath, &dbytes, &dbuffers));
        t_creader = min_d(t_creader, run_reader(cpath, 1, &cst));
        t_ccli = min_d(t_ccli, run_child(ccli_argv, &rss));
        rss_ccli = max_l(rss_ccli, rss);
    }
    if (keep == NULL || strcmp(keep, "1") != 0) {
        unlink(path);
        unlink(cpath);
    }
    if (st.events != written || st.findings != 0)
        return fprintf(stderr, "bench-etl: read %llu events (%llu findings), wrote %llu\n",
                       (unsigned long long)st.events, (unsigned long long)st.findings,
                       (unsigned long long)written), 1;
    if (cst.events != gsum.events || cst.findings != 0 || cst.decompressed != gs.buffers ||
        dbytes != gs.records || dbuffers != gs.buffers)
        return fprintf(stderr, "bench-etl: compressed: read %llu events (%llu findings, %llu of "
                               "%llu buffers decompressed; libfwnt %llu bytes), wrote %llu\n",
                       (unsigned long long)cst.events, (unsigned long long)cst.findings,
                       (unsigned long long)cst.decompressed, (unsigned long long)gs.buffers,
                       (unsigned long long)dbytes, (unsigned long long)gsum.events), 1;

    double cmb = (double)dbytes / 1e6;
    bench_print_machine(BENCH_FLAGS);
    printf("uncompressed trace: %llu MiB, %llu heap Alloc records (64-bit, 64 KiB buffers)\n",
           (unsigned long long)mib, (unsigned long long)written);
    printf("compressed trace: `heapev gen --format etl --bits 64 --compress --seed %u --count %llu`\n"
           "  (%.0f %% WOW64, SYSTEM/COMPACT/PERFINFO headers): %llu bytes in the file, %llu bytes "
           "of records\n  once decompressed (%.2f MiB), %.2f:1; %llu buffers + buffer 0\n",
           SEED, (unsigned long long)gsum.events, WOW64 * 100, (unsigned long long)gsum.file_length,
           (unsigned long long)dbytes, (double)dbytes / 1048576.0,
           (double)dbytes / (double)gsum.file_length, (unsigned long long)dbuffers);
    printf("warm page cache, best of 3; both traces written in %.1f s. Ratios: uncompressed rows\n"
           "against cat, compressed rows against libfwnt alone; compressed MB/s are of\n"
           "decompressed records\n\n", tg);
    printf("| %-47s | %9s | %10s | %10s | %8s | %11s |\n", "case", "MB/s", "M events/s", "/baseline",
           "peak RSS", "target");
    printf("|%s|%s|%s|%s|%s|%s|\n", "-------------------------------------------------", "-----------",
           "------------", "------------", "----------", "-------------");
    row("cat FILE > /dev/null (baseline)", mb / t_cat, -1, 1.0, rss_cat, "-");
    row("library reader (in process)", mb / t_reader, (double)st.events / t_reader / 1e6,
        t_cat / t_reader, -1, ">= 0.5x");
    row("heapev decode --etl --summary --threads 1", mb / t_cli1, (double)st.events / t_cli1 / 1e6,
        t_cat / t_cli1, rss_cli1, "<64M");
    char name[64];
    snprintf(name, sizeof name, "heapev decode --etl --summary (%u threads)", cli_threads());
    row(name, mb / t_cli, (double)st.events / t_cli / 1e6, t_cat / t_cli, rss_cli, ">=0.5x,<64M");
    row("compressed: libfwnt decompress alone (baseline)", cmb / t_fwnt, -1, 1.0, -1, "-");
    row("compressed: library reader (in process)", cmb / t_creader,
        (double)cst.events / t_creader / 1e6, t_fwnt / t_creader, -1, "-");
    row("compressed: heapev decode --etl --summary", cmb / t_ccli, (double)cst.events / t_ccli / 1e6,
        t_fwnt / t_ccli, rss_ccli, "<64M");
    gen_table(argv[1], dir, cmb / t_fwnt);
    return 0;
}
