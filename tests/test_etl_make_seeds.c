/*
 * test_etl_make_seeds.c - writes the small seed .etl files of corpus/etl/:
 * a few clean traces made by the writer and damaged variants patched at the
 * documented offsets. Each file is named <XXH128 hex>.etl; the list of files
 * and the findings each one should produce is printed on stdout.
 *
 *   build/tests/make-etl-seeds corpus/etl
 */
#include <stdio.h>
#include <string.h>

#include <xxhash.h>

#include "test_etl_common.h"

static int save(const char *dir, const char *what, const uint8_t *data, size_t len)
{
    XXH128_hash_t h = XXH3_128bits(data, len);
    char path[4096];
    snprintf(path, sizeof path, "%s/%016llx%016llx.etl", dir, (unsigned long long)h.high64,
             (unsigned long long)h.low64);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        return -1;
    }
    printf("%s  %s\n", path, what);
    return 0;
}

/* A clean trace: @p count Alloc events with noise, seed @p seed. */
static mem_file trace(uint64_t seed, unsigned width, uint32_t bs, size_t count, unsigned noise)
{
    static uint8_t buf[65536];
    mem_file m = {NULL, 0, 0, -1};
    heapev_etl_writer_options o = {.buffer_size = bs, .pointer_size = width,
                                   .start_time = 132000000000000000ll, .logger_name = "heapev",
                                   .logfile_name = "C:\\heapev.etl"};
    heapev_etl_writer w;
    uint64_t rng = seed;
    if (heapev_etl_writer_init(&w, &o, buf, sizeof buf, mem_sink, &m) != 0)
        abort();
    for (size_t i = 0; i < count; i++) {
        while (t_rand(&rng) % 8 < noise) {
            uint8_t rec[256];
            size_t len = t_noise(rec, &rng, width);
            heapev_etl_writer_add_record(&w, rec, len, NULL);
        }
        heapev_event e = t_event(&rng, width, o.start_time + (int64_t)i * 1000);
        heapev_etl_writer_add_event(&w, &e, NULL);
    }
    if (heapev_etl_writer_finish(&w, 0) != 0)
        abort();
    return m;
}

static int save_patched(const char *dir, const char *what, const mem_file *m, size_t at,
                        uint64_t v, unsigned n, size_t len)
{
    uint8_t copy[65536];
    if (len > sizeof copy)
        abort();
    memcpy(copy, m->data, len);
    if (n > 0)
        t_put(copy + at, v, n);
    return save(dir, what, copy, len);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make-etl-seeds DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    int rc = 0;
    mem_file a = trace(1, 8, 2048, 60, 2), b = trace(2, 4, 1024, 40, 3), e = trace(3, 8, 1024, 0, 0);
    mem_file c = trace(4, 8, 1024, 30, 0);
    rc |= save(dir, "clean 64-bit, 2 KiB buffers, noise", a.data, a.len);
    rc |= save(dir, "clean 32-bit, 1 KiB buffers, noise", b.data, b.len);
    rc |= save(dir, "clean, header buffer only", e.data, e.len);
    rc |= save(dir, "clean 64-bit, Alloc only", c.data, c.len);
    size_t lf = 72 + 32; /* logfile payload */
    rc |= save_patched(dir, "etl_pointer_size_mismatch", &c, lf + 0x2C, 4, 4, c.len);
    rc |= save_patched(dir, "etl_pointer_size_invalid", &c, lf + 0x2C, 3, 4, c.len);
    rc |= save_patched(dir, "etl_no_logfile_header", &c, 72 + 6, 0x1024, 2, c.len);
    rc |= save_patched(dir, "etl_buffers_written_mismatch", &c, lf + 0x24, 9, 4, c.len);
    rc |= save_patched(dir, "etl_saved_offset_invalid", &c, 1024 + 4, 4, 4, c.len);
    rc |= save_patched(dir, "etl_buffer_compressed", &c, 1024 + 0x34, 0x40, 2, c.len);
    rc |= save_patched(dir, "etl_record_size_invalid", &c, 1024 + 72 + 4, 0, 2, c.len);
    rc |= save_patched(dir, "etl_header_type_unsupported", &c, 1024 + 72 + 2, 13, 1, c.len);
    rc |= save_patched(dir, "etl_filler_inside_records", &c, 1024 + 72, 0xFFFFFFFFu, 4, c.len);
    rc |= save_patched(dir, "etl_buffer_size_invalid", &c, 1024, 1000, 4, c.len);
    rc |= save_patched(dir, "etl_truncated_file", &c, 0, 0, 0, c.len - 333);
    free(a.data), free(b.data), free(c.data), free(e.data);
    return rc != 0;
}
