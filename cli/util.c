/* util.c - errors, number parsing, JSON helpers and .etl reading memory for the CLI. */
#include "cli.h"

#include "heapev/emit.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cli_error(const char *what, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "heapev: %s: ", *what != '\0' ? what : "''"); /* an empty name is named too */
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_EXIT_USAGE;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "heapev %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (try 'heapev help %s')\n", cmd);
    return CLI_EXIT_USAGE;
}

int cli_parse_u64(const char *text, uint64_t max, uint64_t *out)
{
    char *end = NULL;
    if (text == NULL || *text == '\0' || *text == '-' || *text == '+')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno != 0 || *end != '\0' || v > max)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

/* Length of the well-formed UTF-8 sequence (RFC 3629) at @p s, 0 when there is none. */
static size_t utf8_sequence(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
             : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || /* overlong, surrogate */
        (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))   /* overlong, > U+10FFFF */
        return 0;
    return n;
}

/* @p name with every byte outside a UTF-8 sequence replaced by U+FFFD; malloc'd. */
static char *utf8_replaced(const char *name)
{
    size_t len = strlen(name);
    char *out = malloc(3 * len + 1), *w = out;
    for (const unsigned char *s = (const unsigned char *)name; out != NULL && *s != 0;) {
        size_t n = utf8_sequence(s);
        if (n == 0) {
            memcpy(w, "\xEF\xBF\xBD", 3), w += 3, s++;
            continue;
        }
        memcpy(w, s, n), w += n, s += n;
    }
    if (out != NULL)
        *w = '\0';
    return out;
}

void cli_json_set_file(json_t *obj, const char *name)
{
    json_t *text = json_string(name);
    if (text != NULL) {
        json_object_set_new(obj, "file", text);
        return;
    }
    char *shown = utf8_replaced(name);
    size_t len = strlen(name);
    char *hex = malloc(2 * len + 1);
    for (size_t i = 0; hex != NULL && i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", (unsigned char)name[i]);
    if (hex != NULL)
        hex[2 * len] = '\0';
    json_object_set_new(obj, "file", shown ? json_string(shown) : json_null());
    json_object_set_new(obj, "file_bytes", hex ? json_string(hex) : json_null());
    free(shown);
    free(hex);
}

void cli_json_set_verdict(json_t *obj, heapev_findings findings)
{
    json_object_set_new(obj, "findings", heapev_emit_findings_json(findings));
    json_object_set_new(obj, "ok", json_boolean(heapev_findings_errors(findings) == 0));
    json_object_set_new(obj, "severity",
                        json_string(heapev_severity_name(heapev_findings_worst(findings))));
}

/* Fewest significant digits (1..17) that read back as exactly @p v. */
static int shortest_digits(double v)
{
    char text[32];
    for (int p = 1; p < 17; p++) {
        snprintf(text, sizeof text, "%.*g", p, v);
        if (strtod(text, NULL) == v)
            return p;
    }
    return 17;
}

/* The most digits any real in @p v needs to read back exactly (0: no real). */
static int real_digits(const json_t *v)
{
    int most = 0, d;
    const char *key;
    size_t i;
    json_t *x;
    if (json_is_real(v))
        return shortest_digits(json_real_value(v));
    if (json_is_object(v))
        json_object_foreach((json_t *)v, key, x)
            most = (d = real_digits(x)) > most ? d : most;
    if (json_is_array(v))
        json_array_foreach(v, i, x)
            most = (d = real_digits(x)) > most ? d : most;
    return most;
}

size_t cli_json_flags(const json_t *v)
{
    int digits = real_digits(v);
    return JSON_PRESERVE_ORDER | (digits > 0 ? JSON_REAL_PRECISION(digits) : 0);
}

int cli_json_print_line(FILE *out, json_t *obj)
{
    if (json_dumpf(obj, out, JSON_COMPACT | cli_json_flags(obj)) != 0)
        return -1;
    return fputc('\n', out) == EOF ? -1 : 0;
}

int cli_close_output(FILE *out, const char *name)
{
    int err = errno; /* a failed write before this call left its reason here */
    if (fflush(out) != 0)
        err = errno;
    else if (!ferror(out))
        return 0;
    return cli_error(name, "write error: %s", err != 0 ? strerror(err) : "the stream failed"), -1;
}

void cli_warn_all_ambiguous(const char *cmd, uint64_t files)
{
    if (files > 1)
        fprintf(stderr, "heapev %s: warning: all %" PRIu64 " files are length_ambiguous (read as "
                        "bare payloads, none is 16 or 28 bytes): records? give --record; traces "
                        "--etl; payloads of a known width --bits\n", cmd, files);
    else
        fprintf(stderr, "heapev %s: warning: the file is length_ambiguous (read as a bare "
                        "payload, it is not 16 or 28 bytes): records? give --record; a trace "
                        "--etl; a payload of a known width --bits\n", cmd);
}

int cli_etl_memory_get(cli_etl_memory *m)
{
    if (m->buf == NULL)
        m->buf = malloc(HEAPEV_ETL_MAX_BUFFER_SIZE);
    if (m->scratch == NULL)
        m->scratch = malloc(HEAPEV_ETL_SCRATCH_SIZE(HEAPEV_ETL_MAX_BUFFER_SIZE));
    if (m->buf == NULL || m->scratch == NULL)
        return cli_error("etl", "out of memory"), -1;
    return 0;
}

void cli_etl_memory_free(cli_etl_memory *m)
{
    free(m->buf);
    free(m->scratch);
    m->buf = m->scratch = NULL;
}

void cli_etl_reader_start(heapev_etl_reader *r, heapev_etl_stdio *src, FILE *in,
                          const cli_etl_memory *m, const heapev_limits *limits)
{
    *src = (heapev_etl_stdio){in, m->buf, HEAPEV_ETL_MAX_BUFFER_SIZE, 0, 0, 0};
    heapev_etl_read_options ro = {.limits = *limits,
                                  .scratch = m->scratch,
                                  .scratch_size = HEAPEV_ETL_SCRATCH_SIZE(HEAPEV_ETL_MAX_BUFFER_SIZE)};
    heapev_etl_reader_init(r, &ro, heapev_etl_stdio_fetch, src);
}

void cli_etl_reader_from_stream(heapev_etl_reader *r, heapev_etl_stdio *src, cli_stream *in,
                                const cli_etl_memory *m, const heapev_limits *limits)
{
    size_t len;
    const uint8_t *held = cli_stream_data(in, &len);
    cli_etl_reader_start(r, src, in->f, m, limits);
    /* The bytes the stream read ahead (at file offset 0) are the fetch buffer's first bytes. */
    memcpy(m->buf, held, len);
    src->start = in->pos;
    src->have = len;
}

int cli_parse_user_max(const char *cmd, const char *opt, const char *text, uint64_t *out)
{
    if (cli_parse_u64(text, UINT32_MAX, out) != 0)
        return cli_usage_error(cmd, "%s takes a 32-bit address, not '%s'", opt, text);
    return 0;
}

void cli_html_text(FILE *out, const char *text)
{
    for (; *text; text++) {
        switch (*text) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*text, out);
        }
    }
}
