/*
 * probe_adapter.c - the output adapters of `heapev probe`: a reader's
 * standard output, as JSON Lines (one object per heap Alloc, the keys
 * configurable) or CSV (columns by header name or number), compared with the
 * events the input holds. A clean exit is misread when an Alloc is missing
 * (silently skipped), when a printed one is not in the input (a value read
 * wrong), or when a compared field is not a number.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

typedef struct parsed {
    probe_events got;
    size_t line;      /* line number of the first unreadable value, or 0 */
    char bad[96];     /* what was wrong there */
    int col[PROBE_FIELDS]; /* CSV: 0-based column of each field, -1 not compared */
} parsed;

/* A value as readers print them: an integer, "0x..." hex text or decimal text. */
static int parse_value(const char *s, size_t n, uint64_t *v)
{
    char buf[40], *end;
    while (n > 0 && (*s == ' ' || *s == '"'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '"' || s[n - 1] == '\r'))
        n--;
    if (n == 0 || n >= sizeof buf || *s == '-' || *s == '+')
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    unsigned long long x = strtoull(buf, &end, buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X') ? 16 : 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *v = x;
    return 0;
}

static void mark_bad(parsed *p, size_t line, const char *field, const char *why)
{
    if (p->line == 0) {
        p->line = line;
        snprintf(p->bad, sizeof p->bad, "'%s' %s", field, why);
    }
}

/* ---- JSON Lines ------------------------------------------------------------------------------------ */

static int jsonl_line(const probe_adapter *a, parsed *p, const char *s, size_t n, size_t line)
{
    json_t *obj = json_loadb(s, n, JSON_DISABLE_EOF_CHECK, NULL);
    if (!json_is_object(obj)) /* not an object: a banner, a log line; not an event */
        return json_decref(obj), 0;
    probe_event e = {{0}, 0};
    int present = 0, ok = 1;
    for (int f = 0; f < PROBE_FIELDS; f++)
        present += a->field[f][0] != '\0' && json_object_get(obj, a->field[f]) != NULL;
    for (int f = 0; f < PROBE_FIELDS && present > 0; f++) {
        if (a->field[f][0] == '\0')
            continue;
        json_t *v = json_object_get(obj, a->field[f]);
        if (json_is_integer(v) && json_integer_value(v) >= 0)
            e.v[f] = (uint64_t)json_integer_value(v);
        else if (!json_is_string(v) ||
                 parse_value(json_string_value(v), json_string_length(v), &e.v[f]) != 0)
            ok = 0, mark_bad(p, line, a->field[f], v == NULL ? "missing" : "is not a number");
    }
    json_decref(obj);
    if (present == 0) /* another kind of record the reader prints */
        return 0;
    return ok ? probe_events_add(&p->got, &e) : 0;
}

/* ---- CSV ------------------------------------------------------------------------------------------- */

/* The cells of one CSV line: offsets and lengths (quotes kept; parse_value strips them). */
static size_t csv_cells(const char *s, size_t n, size_t *at, size_t *len, size_t max)
{
    size_t k = 0, start = 0;
    int quoted = 0;
    for (size_t i = 0; i <= n && k < max; i++) {
        if (i < n && s[i] == '"')
            quoted = !quoted;
        if (i == n || (s[i] == ',' && !quoted)) {
            at[k] = start, len[k++] = i - start;
            start = i + 1;
        }
    }
    return k;
}

#define CSV_MAX_CELLS 256

/* The first line: find the named columns. 1 when it was a header, 0 when it is data. */
static int csv_header(const probe_adapter *a, parsed *p, const char *s, size_t n)
{
    size_t at[CSV_MAX_CELLS], len[CSV_MAX_CELLS], k = csv_cells(s, n, at, len, CSV_MAX_CELLS);
    int named = 0;
    for (int f = 0; f < PROBE_FIELDS; f++) {
        const char *want = a->field[f];
        char *end;
        p->col[f] = -1;
        if (want[0] == '\0')
            continue;
        unsigned long num = strtoul(want, &end, 10);
        if (*end == '\0' && num > 0) {
            p->col[f] = (int)num - 1;
            continue;
        }
        named = 1;
        for (size_t c = 0; c < k; c++) {
            const char *cell = s + at[c];
            size_t cl = len[c];
            while (cl > 0 && (*cell == ' ' || *cell == '"'))
                cell++, cl--;
            while (cl > 0 && (cell[cl - 1] == ' ' || cell[cl - 1] == '"' || cell[cl - 1] == '\r'))
                cl--;
            if (cl == strlen(want) && memcmp(cell, want, cl) == 0)
                p->col[f] = (int)c;
        }
        if (p->col[f] < 0)
            mark_bad(p, 1, want, "is not a column of the CSV header");
    }
    if (named)
        return 1;
    /* Only numbered columns: the first line is a header when its cells are not numbers. */
    for (int f = 0; f < PROBE_FIELDS; f++) {
        uint64_t v;
        if (p->col[f] >= 0 && (size_t)p->col[f] < k &&
            parse_value(s + at[p->col[f]], len[p->col[f]], &v) != 0)
            return 1;
    }
    return 0;
}

static int csv_line(const probe_adapter *a, parsed *p, const char *s, size_t n, size_t line)
{
    size_t at[CSV_MAX_CELLS], len[CSV_MAX_CELLS], k = csv_cells(s, n, at, len, CSV_MAX_CELLS);
    probe_event e = {{0}, 0};
    int ok = 1;
    for (int f = 0; f < PROBE_FIELDS; f++) {
        if (p->col[f] < 0)
            continue;
        if ((size_t)p->col[f] >= k)
            ok = 0, mark_bad(p, line, a->field[f], "missing (too few columns)");
        else if (parse_value(s + at[p->col[f]], len[p->col[f]], &e.v[f]) != 0)
            ok = 0, mark_bad(p, line, a->field[f], "is not a number");
    }
    return ok ? probe_events_add(&p->got, &e) : 0;
}

/* ---- comparing ------------------------------------------------------------------------------------- */

static int cmp_values(const probe_event *a, const probe_event *b)
{
    for (int f = 0; f < PROBE_FIELDS; f++)
        if (a->v[f] != b->v[f])
            return a->v[f] < b->v[f] ? -1 : 1;
    return 0;
}

static int cmp_events(const void *pa, const void *pb)
{
    const probe_event *a = pa, *b = pb;
    int c = cmp_values(a, b);
    return c != 0 ? c : a->optional - b->optional; /* required ones first: matched first */
}

static void event_text(const probe_adapter *a, const probe_event *e, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (int f = 0; f < PROBE_FIELDS && n < cap; f++)
        if (a->field[f][0] != '\0')
            n += (size_t)snprintf(out + n, cap - n, f == PROBE_F_SOURCE ? "%s%s=%" PRIu64 : "%s%s=0x%" PRIx64,
                                  n ? " " : "", probe_field_names[f], e->v[f]);
}

/* Match the printed events against the expected ones (as multisets, on the compared fields). */
static probe_verdict compare(const probe_adapter *a, probe_events *want, probe_events *got,
                             probe_outcome *out)
{
    for (size_t i = 0; i < want->n; i++)
        for (int f = 0; f < PROBE_FIELDS; f++)
            if (a->field[f][0] == '\0')
                want->v[i].v[f] = 0;
    if (want->n > 1) /* qsort's array may not be NULL, even for no element */
        qsort(want->v, want->n, sizeof *want->v, cmp_events);
    if (got->n > 1)
        qsort(got->v, got->n, sizeof *got->v, cmp_events);
    size_t i = 0, j = 0, missing = 0, extra = 0, required = 0;
    const probe_event *first_missing = NULL, *first_extra = NULL;
    while (i < want->n || j < got->n) {
        int c = i == want->n ? 1 : j == got->n ? -1 : cmp_values(&want->v[i], &got->v[j]);
        if (c == 0) {
            required += !want->v[i].optional;
            i++, j++;
        } else if (c < 0) {
            if (!want->v[i].optional && missing++ == 0)
                first_missing = &want->v[i];
            i++;
        } else {
            if (extra++ == 0)
                first_extra = &got->v[j];
            j++;
        }
    }
    if (missing == 0 && extra == 0)
        return PROBE_OK;
    char w[128] = "", g[128] = "";
    if (first_missing)
        event_text(a, first_missing, w, sizeof w);
    if (first_extra)
        event_text(a, first_extra, g, sizeof g);
    if (missing && extra)
        snprintf(out->detail, sizeof out->detail, "%zu Alloc(s) differ from the input: printed %s; "
                 "expected %s", extra > missing ? extra : missing, g, w);
    else if (missing)
        snprintf(out->detail, sizeof out->detail, "%zu of %zu Alloc(s) missing, no error (first: %s)",
                 missing, missing + required, w);
    else
        snprintf(out->detail, sizeof out->detail, "%zu printed Alloc(s) not in the input (first: %s)",
                 extra, g);
    snprintf(out->signature, sizeof out->signature, "%s",
             missing && extra ? "differs" : missing ? "missing" : "invented");
    return PROBE_MISREAD;
}

probe_verdict probe_adapter_compare(const probe_adapter *a, const char *text, size_t len,
                                    int truncated, const probe_events *expected,
                                    probe_outcome *out)
{
    if (a->kind == PROBE_ADAPTER_NONE)
        return PROBE_OK;
    parsed p;
    memset(&p, 0, sizeof p);
    probe_events want = {NULL, 0, 0};
    int rc = 0;
    for (size_t k = 0; k < expected->n && rc == 0; k++)
        rc = probe_events_add(&want, &expected->v[k]);
    size_t line = 0;
    for (size_t at = 0; at < len && rc == 0;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
        line++;
        if (n > 0 && a->kind == PROBE_ADAPTER_JSONL)
            rc = jsonl_line(a, &p, text + at, n, line);
        else if (n > 0 && line == 1 && csv_header(a, &p, text + at, n))
            ;
        else if (n > 0)
            rc = csv_line(a, &p, text + at, n, line);
        at += n + 1;
    }
    probe_verdict v = PROBE_MISREAD;
    if (rc != 0) {
        snprintf(out->detail, sizeof out->detail, "out of memory reading the output");
    } else if (p.line != 0) {
        snprintf(out->detail, sizeof out->detail, "output line %zu: %s", p.line, p.bad);
        snprintf(out->signature, sizeof out->signature, "unreadable");
    } else {
        v = compare(a, &want, &p.got, out);
    }
    if (v != PROBE_OK && truncated) {
        size_t n = strlen(out->detail);
        snprintf(out->detail + n, sizeof out->detail - n,
                 " (stdout cut at %zu bytes: see --max-output)", len);
    }
    free(want.v), free(p.got.v);
    return v;
}
