/*
 * stream.c - reading an input file forward in bounded memory: one window of
 * at most two records' bytes, however long (or endless) the file is. Bare
 * payloads are capped at a record's largest size, records are streamed one
 * at a time, and a record that runs to the end of the input is counted, not
 * held, so `truncated` and `trailing_bytes` stay what decoding the whole
 * file at once would give.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* Room for a whole record (its Size is 16 bits) after any position, plus a record's worth of lookahead. */
#define WINDOW_SIZE (2u * (HEAPEV_RECORD_MAX_SIZE + 1u))
/* What the decoder must see of a record to treat a valid Size exactly: more than the largest Size. */
#define RECORD_LOOKAHEAD (HEAPEV_RECORD_MAX_SIZE + 1u)
/* Chunk size for reading the rest of the input into nowhere. */
#define DRAIN_CHUNK 65536u

int cli_stream_open(cli_stream *in, const char *path)
{
    memset(in, 0, sizeof *in);
    in->name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    in->f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (in->f == NULL)
        return cli_error(path, "%s", strerror(errno));
    struct stat sb;
    if (fstat(fileno(in->f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        cli_stream_close(in);
        return cli_error(path, "is a directory");
    }
    in->regular_size = fstat(fileno(in->f), &sb) == 0 && S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size
                                                                              : UINT64_MAX;
    in->buf = malloc(WINDOW_SIZE);
    if (in->buf == NULL) {
        cli_stream_close(in);
        return cli_error(in->name, "out of memory");
    }
    return 0;
}

void cli_stream_close(cli_stream *in)
{
    if (in->f != NULL && in->f != stdin)
        fclose(in->f);
    in->f = NULL;
    free(in->buf);
    in->buf = NULL;
}

int cli_stream_fill(cli_stream *in, size_t want)
{
    if (want > WINDOW_SIZE)
        want = WINDOW_SIZE;
    if (in->hi - in->lo >= want || in->eof)
        return 0;
    if (in->lo + want > WINDOW_SIZE) { /* slide the window's bytes to its start */
        memmove(in->buf, in->buf + in->lo, in->hi - in->lo);
        in->hi -= in->lo, in->lo = 0;
    }
    while (in->hi - in->lo < want && !in->eof) {
        errno = 0; /* only what is wanted: what follows may go to another reader (an .etl's) */
        size_t got = fread(in->buf + in->hi, 1, want - (in->hi - in->lo), in->f);
        in->hi += got;
        if (ferror(in->f))
            return cli_error(in->name, "read error: %s", strerror(errno ? errno : EIO)), -1;
        in->eof = got == 0 || feof(in->f);
    }
    return 0;
}

const uint8_t *cli_stream_data(const cli_stream *in, size_t *len)
{
    *len = in->hi - in->lo;
    return in->buf + in->lo;
}

void cli_stream_advance(cli_stream *in, size_t n)
{
    size_t have = in->hi - in->lo;
    n = n < have ? n : have;
    in->lo += n;
    in->pos += n;
}

int cli_stream_skip(cli_stream *in, uint64_t n)
{
    while (n > 0) {
        if (cli_stream_fill(in, 1) != 0)
            return -1;
        size_t have = in->hi - in->lo;
        if (have == 0)
            return 0; /* the end: in->pos says where */
        size_t step = n < have ? (size_t)n : have;
        cli_stream_advance(in, step);
        n -= step;
    }
    return 0;
}

int cli_stream_count_rest(cli_stream *in, uint64_t limit, uint64_t *count)
{
    static uint8_t sink[DRAIN_CHUNK];
    *count = 0;
    while (!in->eof && *count < limit) {
        errno = 0;
        size_t got = fread(sink, 1, sizeof sink, in->f);
        *count += got;
        if (ferror(in->f))
            return cli_error(in->name, "read error: %s", strerror(errno ? errno : EIO)), -1;
        in->eof = got == 0 || feof(in->f);
    }
    in->rest_counted = 1;
    in->counted += *count;
    return 0;
}

uint64_t cli_stream_bytes_read(const cli_stream *in)
{
    return in->pos + (in->hi - in->lo) + in->counted;
}

int cli_stream_payload(cli_stream *in, const uint8_t **data, size_t *len)
{
    if (cli_stream_fill(in, HEAPEV_RECORD_MAX_SIZE + 1u) != 0)
        return -1;
    *data = cli_stream_data(in, len);
    if (*len > HEAPEV_RECORD_MAX_SIZE)
        return cli_error(in->name, "more than %u bytes%s: too long for a bare payload (a record's "
                                   "Size is 16 bits); is it --record or --etl?",
                         HEAPEV_RECORD_MAX_SIZE, in->pos > 0 ? " after the offset" : ""), -1;
    return 0;
}

/* trailing_bytes as the decoder clamps it: at most UINT32_MAX. */
static uint32_t clamp_u32(uint64_t n)
{
    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

int cli_stream_record(cli_stream *in, const heapev_limits *limits, heapev_event *e,
                     uint64_t *at, uint64_t *extra)
{
    size_t len, used;
    *extra = 0;
    if (cli_stream_fill(in, RECORD_LOOKAHEAD) != 0)
        return -1;
    const uint8_t *p = cli_stream_data(in, &len);
    if (len == 0 && in->records > 0)
        return 0; /* an empty file is one (truncated) record, as a whole-file decode says */
    *at = in->pos;
    heapev_decode_record(p, len, limits, e, &used);
    in->records++;
    /*
     * A Size that does not delimit the record makes it run to the end of the
     * input; past the window only its trailing byte count can change.
     */
    if (used == len && !in->eof && (e->findings & HEAPEV_FINDING(HEADER_SIZE_MISMATCH))) {
        uint64_t rest;
        if (cli_stream_count_rest(in, e->payload_decoded ? UINT32_MAX : 0, &rest) != 0)
            return -1;
        if (e->payload_decoded)
            e->trailing_bytes = clamp_u32((uint64_t)e->trailing_bytes + rest);
        *extra = rest;
        in->eof = 1;
    }
    cli_stream_advance(in, used);
    return 1;
}

int cli_stream_looks_etl(cli_stream *in)
{
    size_t len;
    if (cli_stream_fill(in, HEAPEV_ETL_DETECT_SIZE) != 0)
        return -1;
    const uint8_t *p = cli_stream_data(in, &len);
    return heapev_etl_detect(p, len);
}
