/*
 * test_realetl.c - heapev's CLI against the real Windows .etl traces in
 * ../shared/realetl (kept outside the project; never copied into it). One
 * test per row of its EXPECTED.tsv, named after the file: the file is the one
 * the row describes (size, sha256 by coreutils sha256sum); `decode --etl
 * --summary` counts the row's buffers and records and reports no defect; the
 * full decode prints one line per heap Alloc record and no container item
 * but, for a log whose BuffersWritten is 0 (a session still running), the
 * note etl_log_unfinished;
 * `explain --etl --count 0` (text and JSON) titles every buffer and shows the
 * logfile header's fields as the row gives them; `stats --etl` (text and
 * JSON) counts what decode counts.
 *
 * Every check of a file runs, failed or not: each difference is printed as
 * "FILE: what: got X, want Y" and the test fails at its end with the count.
 *
 * argv[1] = path of the heapev binary, argv[2] = the realetl directory. When
 * the directory or its EXPECTED.tsv is missing the program prints one
 * "skipped: ..." line and exits 77 (meson's skip code).
 */
#include "cmocka_all.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_json.h"

#define SKIP_CODE 77

/* One line of EXPECTED.tsv. */
typedef struct realetl_row {
    char *file;          /* name inside the directory: the test's name */
    char *path;          /* directory/file */
    uint64_t bytes;      /* file size */
    char sha256[65];     /* lower-case hex */
    uint64_t log_file_mode, buffers_written, pointer_size; /* logfile header fields */
    uint64_t buffers;    /* buffers a correct reader walks */
    uint64_t records;    /* records, the logfile header record included */
    uint64_t heap_alloc; /* heap Alloc records (events) */
} realetl_row;

static const char *realetl_dir;

/* ---- checks that report and go on ---------------------------------------- */

/* The file under test and its failed checks so far. */
static const char *cur_file;
static unsigned cur_failures;

__attribute__((format(printf, 1, 2))) static void differ(const char *fmt, ...)
{
    va_list ap;
    char msg[1024];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    print_error("%s: %s\n", cur_file, msg);
    cur_failures++;
}

static void check_u64(const char *what, uint64_t got, uint64_t want)
{
    if (got != want)
        differ("%s: got %" PRIu64 ", want %" PRIu64, what, got, want);
}

/*
 * The notes a correct reader reports: etl_log_unfinished for a log of a
 * session that was still running (BuffersWritten 0; SPEC §4), else none.
 */
static uint64_t expected_notes(const realetl_row *row)
{
    return row->buffers_written == 0 ? 1u : 0u;
}

/* Is @p findings (a JSON array of names) exactly ["etl_log_unfinished"]? */
static int only_unfinished_note(const json_t *findings)
{
    const char *name = json_string_value(json_array_get(findings, 0));
    return json_array_size(findings) == 1 && name != NULL &&
           strcmp(name, "etl_log_unfinished") == 0;
}

/* The first line of @p s (at most 200 bytes), for messages. */
static const char *first_line(const char *s)
{
    static char line[201];
    size_t n = strcspn(s, "\n");
    if (n > sizeof line - 1)
        n = sizeof line - 1;
    memcpy(line, s, n);
    line[n] = '\0';
    return line;
}

static void check_exit(const char *cmd, const run_result *r)
{
    if (r->status != 0)
        differ("`heapev %s` exit status: got %d, want 0 (stderr: \"%s\")", cmd, r->status,
               first_line(r->err));
}

/* Key @p key of object @p o as an unsigned integer; reports and returns 0 when it is not one. */
static int get_u64(const char *where, const json_t *o, const char *key, uint64_t *v)
{
    const json_t *j = json_object_get(o, key);
    if (!json_is_integer(j) || json_integer_value(j) < 0) {
        differ("%s: key \"%s\": got %s, want a non-negative integer", where, key,
               j == NULL ? "no such key" : "another JSON type");
        return 0;
    }
    *v = (uint64_t)json_integer_value(j);
    return 1;
}

/* ---- the checks ------------------------------------------------------------ */

/* Single-quoted for /bin/sh. */
static char *shell_quote(const char *s)
{
    size_t n = 3;
    for (const char *p = s; *p; p++)
        n += *p == '\'' ? 4 : 1;
    char *q = malloc(n), *o = q;
    assert_non_null(q);
    *o++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *p;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return q;
}

static void check_identity(const realetl_row *row)
{
    struct stat st;
    if (stat(row->path, &st) != 0) {
        differ("cannot stat %s: %s", row->path, strerror(errno));
        return;
    }
    check_u64("file size", (uint64_t)st.st_size, row->bytes);

    char *q = shell_quote(row->path);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "sha256sum -- %s", q);
    free(q);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[4096] = "";
    char *got = fgets(line, sizeof line, p);
    int status = pclose(p);
    if (got == NULL || status != 0 || strlen(line) < 64 || (line[64] != ' ' && line[64] != '\n')) {
        differ("`%s` failed (status %d, output \"%s\")", cmd, status, first_line(line));
        return;
    }
    line[64] = '\0';
    if (strcmp(line, row->sha256) != 0)
        differ("sha256: got %s, want %s", line, row->sha256);
}

/*
 * `decode --etl --summary --json`: the last line is the summary. Returns its
 * events count in *@p events (1), or 0 when there is no usable summary.
 */
static int check_summary(const realetl_row *row, uint64_t *events)
{
    run_result r = run_args(NULL, "decode", "--etl", "--summary", "--json", row->path, NULL);
    check_exit("decode --etl --summary --json", &r);
    /* The last non-empty line, and its value when it is JSON. */
    jsonl lines = jsonl_start(r.out, r.out_len), last = lines;
    json_t *o = NULL, *v;
    while (jsonl_read(&lines, &v) != 0) {
        if (lines.len > 0) {
            json_decref(o);
            o = json_incref(v);
            last = lines;
        }
        json_decref(v);
    }
    int ok = 0;
    if (last.lineno == 0) {
        differ("decode --summary: got no output, want a summary line");
    } else if (!json_is_object(o)) {
        differ("decode --summary: last line \"%.*s\" is not a JSON object",
               (int)(last.len < 200 ? last.len : 200), last.line);
    } else {
        const char *kind = json_string_value(json_object_get(o, "kind"));
        if (kind == NULL || strcmp(kind, "summary") != 0)
            differ("decode --summary: kind: got \"%s\", want \"summary\"", kind ? kind : "(none)");
        uint64_t buffers, ev = 0, skipped, findings, containers;
        const char *w = "decode --summary";
        if (get_u64(w, o, "buffers", &buffers))
            check_u64("decode --summary: buffers", buffers, row->buffers);
        if (get_u64(w, o, "events", &ev)) {
            check_u64("decode --summary: events (heap Alloc records)", ev, row->heap_alloc);
            *events = ev;
            ok = 1;
        }
        if (ok && get_u64(w, o, "skipped", &skipped))
            check_u64("decode --summary: records = events + skipped + 1 (logfile header)",
                      ev + skipped + 1, row->records);
        if (get_u64(w, o, "findings", &findings))
            check_u64("decode --summary: findings", findings, 0);
        if (get_u64(w, o, "container_items", &containers))
            check_u64("decode --summary: container_items", containers, 0);
        uint64_t notes;
        if (get_u64(w, o, "notes", &notes))
            check_u64("decode --summary: notes", notes, expected_notes(row));
    }
    json_decref(o);
    free_result(&r);
    return ok;
}

/*
 * `decode --etl --json`: one JSON line per heap Alloc record, no container
 * item but the expected note.
 */
static void check_full_decode(const realetl_row *row)
{
    run_result r = run_args(NULL, "decode", "--etl", "--json", row->path, NULL);
    check_exit("decode --etl --json", &r);
    size_t containers = 0, notes = 0, bad = 0;
    jsonl lines = jsonl_start(r.out, r.out_len);
    json_t *o;
    for (int rc; (rc = jsonl_read(&lines, &o)) != 0; json_decref(o)) {
        const char *kind = json_string_value(json_object_get(o, "kind"));
        if (!json_is_object(o)) {
            if (bad++ < 3)
                differ("decode --json: line %zu is not a JSON object: %s", lines.lineno,
                       rc < 0 ? lines.error.text : "another JSON type");
        } else if (kind != NULL && strcmp(kind, "container") == 0 &&
                   only_unfinished_note(json_object_get(o, "findings"))) {
            notes++;
        } else if (kind != NULL && strcmp(kind, "container") == 0) {
            if (containers++ < 3) {
                char *dump = json_dumps(o, JSON_COMPACT);
                differ("decode --json: line %zu: got a container item, want none: %s",
                       lines.lineno, dump ? dump : "?");
                free(dump);
            }
        }
    }
    check_u64("decode --json: output lines (events and notes)", lines.lineno,
              row->heap_alloc + expected_notes(row));
    if (containers > 3)
        differ("decode --json: %zu container items in all, want 0", containers);
    check_u64("decode --json: etl_log_unfinished notes", notes, expected_notes(row));
    free_result(&r);
}

/* Every path of `decode --etl` (stream, mapped, threads) prints the same for the trace. */
static void check_paths(const realetl_row *row)
{
    expect_same_on_every_path(row->path, "--json");
    expect_same_on_every_path(row->path, "--summary");
}

/*
 * `explain --etl --count 0`: non-empty; one title line "FILE @OFFSET: buffer
 * N, WMI_BUFFER_HEADER (...)" per buffer, N = 0, 1, ... in order.
 */
static void check_explain_text(const realetl_row *row)
{
    run_result r = run_args(NULL, "explain", "--etl", "--count", "0", row->path, NULL);
    check_exit("explain --etl --count 0", &r);
    if (r.out_len == 0)
        differ("explain: got no output, want a dump");
    uint64_t titles = 0, misnumbered = 0;
    static const char tail[] = ", WMI_BUFFER_HEADER";
    for (char *line = r.out; *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char *b = line[0] != ' ' ? strstr(line, ": buffer ") : NULL;
        if (b != NULL && b < line + len) {
            char *num = b + strlen(": buffer "), *after;
            errno = 0;
            unsigned long long idx = strtoull(num, &after, 10);
            if (after != num && isdigit((unsigned char)*num) &&
                (size_t)(line + len - after) >= strlen(tail) &&
                strncmp(after, tail, strlen(tail)) == 0) {
                if (idx != titles && misnumbered++ < 3)
                    differ("explain: buffer title %" PRIu64 " names buffer %llu, want %" PRIu64,
                           titles, idx, titles);
                titles++;
            }
        }
        line += len + (nl != NULL);
    }
    check_u64("explain: buffer title lines (\"...: buffer N, WMI_BUFFER_HEADER\")", titles,
              row->buffers);
    free_result(&r);
}

/* Value of a range's "value", integer or "0x..." string; 0 when neither. */
static int range_value(const json_t *range, uint64_t *v)
{
    const json_t *j = json_object_get(range, "value");
    if (json_is_integer(j) && json_integer_value(j) >= 0) {
        *v = (uint64_t)json_integer_value(j);
        return 1;
    }
    const char *s = json_string_value(j);
    if (s == NULL || *s == '\0')
        return 0;
    char *end;
    errno = 0;
    *v = strtoull(s, &end, 0);
    return errno == 0 && *end == '\0';
}

static int range_is(const json_t *range, const char *part, const char *field)
{
    const char *p = json_string_value(json_object_get(range, "part"));
    const char *f = json_string_value(json_object_get(range, "field"));
    return p && f && strcmp(p, part) == 0 && strcmp(f, field) == 0;
}

/*
 * `explain --etl --json --count 0`: valid JSON (a document, else JSON Lines);
 * when it is the documented list of ranges, one buffer.BufferSize range per
 * buffer in order, the logfile header's LogFileMode/BuffersWritten/PointerSize
 * as the row gives them, and no finding on any range but the expected note
 * (on BuffersWritten and EndTime).
 */
static void check_explain_json(const realetl_row *row)
{
    run_result r = run_args(NULL, "explain", "--etl", "--json", "--count", "0", row->path, NULL);
    check_exit("explain --etl --json --count 0", &r);
    json_error_t e;
    json_t *doc = json_loadb(r.out, r.out_len, 0, &e);
    if (doc == NULL) {
        /* Not one document: every non-empty line must then be one. */
        size_t good = 0;
        jsonl lines = jsonl_start(r.out, r.out_len);
        json_t *o;
        for (int rc; (rc = jsonl_read(&lines, &o)) != 0; json_decref(o)) {
            if (rc < 0 && lines.len > 0) {
                differ("explain --json: neither a JSON document (%s, line %d) nor JSON Lines "
                       "(line %zu: %s)",
                       e.text, e.line, lines.lineno, lines.error.text);
                break;
            }
            good += o != NULL;
        }
        if (good == 0 && r.out_len == 0)
            differ("explain --json: got no output, want JSON");
        free_result(&r);
        return;
    }
    if (!json_is_array(doc) || json_array_size(doc) == 0) {
        differ("explain --json: got %s, want a non-empty list of ranges",
               json_is_array(doc) ? "an empty list" : "another JSON type");
        json_decref(doc);
        free_result(&r);
        return;
    }
    uint64_t headers = 0, with_findings = 0;
    int seen_mode = 0, seen_written = 0, seen_ptr = 0;
    size_t i;
    json_t *range;
    json_array_foreach(doc, i, range) {
        uint64_t v;
        if (range_is(range, "buffer", "BufferSize")) {
            uint64_t b;
            if (get_u64("explain --json: buffer.BufferSize range", range, "buffer", &b) &&
                b != headers)
                differ("explain --json: buffer.BufferSize range %" PRIu64 " is of buffer %" PRIu64
                       ", want %" PRIu64,
                       headers, b, headers);
            headers++;
        } else if (range_is(range, "logfile", "LogFileMode") && !seen_mode++) {
            if (!range_value(range, &v))
                differ("explain --json: logfile.LogFileMode has no numeric value");
            else if (v != row->log_file_mode)
                differ("explain --json: logfile.LogFileMode: got 0x%" PRIx64 ", want 0x%" PRIx64,
                       v, row->log_file_mode);
        } else if (range_is(range, "logfile", "BuffersWritten") && !seen_written++) {
            if (!range_value(range, &v))
                differ("explain --json: logfile.BuffersWritten has no numeric value");
            else
                check_u64("explain --json: logfile.BuffersWritten", v, row->buffers_written);
        } else if (range_is(range, "logfile", "PointerSize") && !seen_ptr++) {
            if (!range_value(range, &v))
                differ("explain --json: logfile.PointerSize has no numeric value");
            else
                check_u64("explain --json: logfile.PointerSize", v, row->pointer_size);
        }
        const json_t *f = json_object_get(range, "findings");
        if (expected_notes(row) && only_unfinished_note(f) &&
            (range_is(range, "logfile", "BuffersWritten") || range_is(range, "logfile", "EndTime")))
            continue;
        if (json_array_size(f) != 0 && with_findings++ < 3) {
            char *dump = json_dumps(range, JSON_COMPACT);
            differ("explain --json: got a range with findings, want none: %s", dump ? dump : "?");
            free(dump);
        }
    }
    check_u64("explain --json: buffer.BufferSize ranges (buffers)", headers, row->buffers);
    if (!seen_mode || !seen_written || !seen_ptr)
        differ("explain --json: got no logfile.%s range, want the logfile header's fields",
               !seen_mode ? "LogFileMode" : !seen_written ? "BuffersWritten" : "PointerSize");
    check_u64("explain --json: ranges with findings", with_findings, 0);
    json_decref(doc);
    free_result(&r);
}

/*
 * `stats --etl`: the first line's bytes and events, the "etl:" line's
 * buffers, skipped records and container items.
 */
static void check_stats_text(const realetl_row *row)
{
    run_result r = run_args(NULL, "stats", "--etl", row->path, NULL);
    check_exit("stats --etl", &r);
    unsigned long long inputs, files, bytes, events, buffers, decompressed, skipped, containers,
        notes;
    if (sscanf(r.out, "heapev stats: %llu inputs, %llu files, %llu bytes, %llu events", &inputs,
               &files, &bytes, &events) != 4) {
        differ("stats: first line \"%s\", want \"heapev stats: N inputs, N files, N bytes, N "
               "events...\"",
               first_line(r.out));
        free_result(&r);
        return;
    }
    check_u64("stats: bytes", bytes, row->bytes);
    check_u64("stats: events", events, row->heap_alloc);
    const char *etl = strstr(r.out, "\n  etl: ");
    if (etl == NULL ||
        sscanf(etl,
               "\n  etl: %llu buffers (%llu decompressed), %llu other records skipped, %llu "
               "container items, %llu notes",
               &buffers, &decompressed, &skipped, &containers, &notes) != 5) {
        differ("stats: got no \"  etl: N buffers (N decompressed), N other records skipped, N "
               "container items, N notes\" line");
    } else {
        check_u64("stats: etl buffers", buffers, row->buffers);
        check_u64("stats: records = events + other records skipped + 1 (logfile header)",
                  events + skipped + 1, row->records);
        check_u64("stats: etl container items", containers, 0);
        check_u64("stats: etl notes", notes, expected_notes(row));
        if ((row->log_file_mode & 0x04000000u) != 0 && decompressed + 1 != row->buffers)
            differ("stats: a compressed trace: %llu buffers decompressed, want all but buffer 0 "
                   "(%" PRIu64 ")", decompressed, row->buffers - 1);
    }
    free_result(&r);
}

/* `stats --etl --json`: one object; counts agree with the row and with decode's summary. */
static void check_stats_json(const realetl_row *row, int have_decode, uint64_t decode_events)
{
    run_result r = run_args(NULL, "stats", "--etl", "--json", row->path, NULL);
    check_exit("stats --etl --json", &r);
    json_error_t e;
    json_t *o = json_loadb(r.out, r.out_len, 0, &e);
    if (!json_is_object(o)) {
        differ("stats --json: got \"%s\", want one JSON object (%s)", first_line(r.out),
               o ? "another JSON type" : e.text);
    } else {
        const char *w = "stats --json";
        uint64_t v;
        if (get_u64(w, o, "inputs", &v))
            check_u64("stats --json: inputs", v, 1);
        if (get_u64(w, o, "files", &v))
            check_u64("stats --json: files", v, 1);
        if (get_u64(w, o, "bytes", &v))
            check_u64("stats --json: bytes", v, row->bytes);
        if (get_u64(w, o, "events", &v)) {
            check_u64("stats --json: events", v, row->heap_alloc);
            if (have_decode)
                check_u64("stats --json: events vs decode --summary events", v, decode_events);
        }
        if (get_u64(w, o, "with_findings", &v))
            check_u64("stats --json: with_findings", v, 0);
        if (get_u64(w, o, "skipped_entries", &v))
            check_u64("stats --json: skipped_entries", v, 0);
        const json_t *by = json_object_get(o, "by_finding");
        json_int_t unfinished = json_integer_value(json_object_get(by, "etl_log_unfinished"));
        if (!json_is_object(by)) {
            differ("stats --json: by_finding: got %s, want an object",
                   by ? "another JSON type" : "no such key");
        } else if (json_object_size(by) != expected_notes(row) ||
                   (uint64_t)unfinished != expected_notes(row)) {
            char *dump = json_dumps(by, JSON_COMPACT);
            differ("stats --json: by_finding: got %s, want %s", dump ? dump : "?",
                   expected_notes(row) ? "{\"etl_log_unfinished\":1}" : "{}");
            free(dump);
        }
        const json_t *etl = json_object_get(o, "etl");
        if (get_u64(w, etl, "buffers", &v))
            check_u64("stats --json: etl.buffers", v, row->buffers);
        if (get_u64(w, etl, "skipped_records", &v) && have_decode)
            check_u64("stats --json: events + etl.skipped_records + 1", decode_events + v + 1,
                      row->records);
        if (get_u64(w, etl, "container_items", &v))
            check_u64("stats --json: etl.container_items", v, 0);
        if (get_u64(w, etl, "notes", &v))
            check_u64("stats --json: etl.notes", v, expected_notes(row));
    }
    json_decref(o);
    free_result(&r);
}

static void test_trace(void **state)
{
    const realetl_row *row = *state;
    cur_file = row->file;
    cur_failures = 0;
    uint64_t events = 0;
    check_identity(row);
    int have = check_summary(row, &events);
    check_full_decode(row);
    check_paths(row);
    check_explain_text(row);
    check_explain_json(row);
    check_stats_text(row);
    check_stats_json(row, have, events);
    if (cur_failures != 0)
        fail_msg("%s: %u check(s) differ from %s/EXPECTED.tsv (listed above)", row->file,
                 cur_failures, realetl_dir);
}

/* ---- EXPECTED.tsv ------------------------------------------------------------ */

static realetl_row *rows;
static size_t nrows;

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    if (*s == '\0' || *s == '-')
        return 0;
    *v = strtoull(s, &end, 0);
    return errno == 0 && *end == '\0';
}

/* Rows of @p path; prints why and returns -1 on a malformed line. */
static int read_expected(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[4096];
    size_t lineno = 0, cap = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *field[10], *save = NULL;
        size_t n = 0;
        for (char *t = strtok_r(line, "\t", &save); t != NULL && n < 10;
             t = strtok_r(NULL, "\t", &save))
            field[n++] = t;
        realetl_row row = {0};
        if (n < 9 || !parse_u64(field[1], &row.bytes) || strlen(field[2]) != 64 ||
            !parse_u64(field[3], &row.log_file_mode) ||
            !parse_u64(field[4], &row.buffers_written) ||
            !parse_u64(field[5], &row.pointer_size) || !parse_u64(field[6], &row.buffers) ||
            !parse_u64(field[7], &row.records) || !parse_u64(field[8], &row.heap_alloc)) {
            fprintf(stderr, "%s:%zu: malformed row (want file, bytes, sha256, LogFileMode, "
                            "BuffersWritten, PointerSize, buffers, records, heap_alloc_records)\n",
                    path, lineno);
            rc = -1;
            break;
        }
        memcpy(row.sha256, field[2], 65);
        for (char *c = row.sha256; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        row.file = strdup(field[0]);
        size_t plen = strlen(realetl_dir) + strlen(field[0]) + 2;
        row.path = malloc(plen);
        if (row.file == NULL || row.path == NULL) {
            free(row.file), free(row.path);
            rc = -1;
            break;
        }
        snprintf(row.path, plen, "%s/%s", realetl_dir, field[0]);
        if (nrows == cap) {
            cap = cap ? 2 * cap : 16;
            realetl_row *grown = realloc(rows, cap * sizeof *rows);
            if (grown == NULL) {
                free(row.file), free(row.path);
                rc = -1;
                break;
            }
            rows = grown;
        }
        rows[nrows++] = row;
    }
    fclose(f);
    if (rc == 0 && nrows == 0) {
        fprintf(stderr, "%s: no rows\n", path);
        rc = -1;
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test-realetl HEAPEV_BINARY REALETL_DIR\n");
        return 2;
    }
    heapev_bin = argv[1];
    realetl_dir = argv[2];
    char tsv[4096];
    snprintf(tsv, sizeof tsv, "%s/EXPECTED.tsv", realetl_dir);
    struct stat st;
    if (stat(realetl_dir, &st) != 0 || !S_ISDIR(st.st_mode) || stat(tsv, &st) != 0) {
        printf("skipped: %s not found (the real Windows traces live outside the project, in "
               "../shared/realetl)\n",
               stat(realetl_dir, &st) == 0 && S_ISDIR(st.st_mode) ? tsv : realetl_dir);
        return SKIP_CODE;
    }
    if (read_expected(tsv) != 0)
        return 2;
    if (cli_tmpdir_create("realetl") != 0)
        return 2;
    struct CMUnitTest *tests = calloc(nrows, sizeof *tests);
    if (tests == NULL)
        return 2;
    for (size_t i = 0; i < nrows; i++) {
        tests[i].name = rows[i].file;
        tests[i].test_func = test_trace;
        tests[i].initial_state = &rows[i];
    }
    int failed = _cmocka_run_group_tests("realetl", tests, nrows, NULL, NULL);
    cli_tmpdir_remove();
    free(tests);
    for (size_t i = 0; i < nrows; i++)
        free(rows[i].file), free(rows[i].path);
    free(rows);
    return failed;
}
