/*
 * cli_json.h - reading heapev's JSON output in the tests that run it: JSON
 * Lines (decode --json, manifests, --list-classes --json, findings --json)
 * one line at a time or whole, one JSON document (explain --json, stats
 * --json), lists of finding names, and the ranges of `explain --json`.
 * Header-only, on top of cli_test.h; the test program links jansson.
 */
#ifndef HEAPEV_CLI_JSON_H
#define HEAPEV_CLI_JSON_H

#include <jansson.h>
#include <string.h>

#include "cli_test.h"
#include "heapev/findings.h"

/* A cursor over the lines of JSON Lines text; the text must outlive it. */
typedef struct jsonl {
    const char *p, *end; /* what is left of the text */
    const char *line;    /* the line last read (not NUL-terminated) */
    size_t len;          /* its length, newline excluded */
    size_t lineno;       /* its number, from 1 */
    json_error_t error;  /* why it is not JSON, after jsonl_read() returned -1 */
} jsonl;

/* A cursor at the first line of the @p len bytes at @p text. */
static inline jsonl jsonl_start(const char *text, size_t len)
{
    jsonl j;
    memset(&j, 0, sizeof j);
    j.p = text, j.end = text + len;
    return j;
}

/*
 * Read the next line (the last one may lack its newline): 1 and its value in
 * *@p value (a new reference), -1 when the line is not JSON (*@p value NULL,
 * j->error says why; an empty line is not JSON), 0 at the end of the text.
 */
static inline int jsonl_read(jsonl *j, json_t **value)
{
    *value = NULL;
    if (j->p >= j->end)
        return 0;
    const char *nl = memchr(j->p, '\n', (size_t)(j->end - j->p));
    j->line = j->p;
    j->len = nl != NULL ? (size_t)(nl - j->p) : (size_t)(j->end - j->p);
    j->lineno++;
    j->p += j->len + (nl != NULL);
    *value = json_loadb(j->line, j->len, 0, &j->error);
    return *value != NULL ? 1 : -1;
}

/*
 * The next line's value (a new reference), or NULL at the end; fails the test
 * on a line that is not JSON.
 */
static inline json_t *jsonl_next(jsonl *j)
{
    json_t *o;
    if (jsonl_read(j, &o) < 0)
        fail_msg("JSON Lines: line %zu is not JSON: %s", j->lineno, j->error.text);
    return o;
}

/* Line @p index (from 0) of the NUL-terminated @p text; fails the test if missing or not JSON. */
static inline json_t *jsonl_line(const char *text, size_t index)
{
    jsonl j = jsonl_start(text, strlen(text));
    json_t *o = NULL;
    for (size_t i = 0; i <= index; i++) {
        json_decref(o);
        o = jsonl_next(&j);
        if (o == NULL)
            fail_msg("JSON Lines: no line %zu (%zu lines)", index, i);
    }
    return o;
}

/* Every line of the @p len bytes at @p text, in a new array; fails the test on a non-JSON line. */
static inline json_t *jsonl_array(const char *text, size_t len)
{
    jsonl j = jsonl_start(text, len);
    json_t *arr = json_array(), *o;
    assert_non_null(arr);
    while ((o = jsonl_next(&j)) != NULL)
        json_array_append_new(arr, o);
    return arr;
}

/* Every line of the file @p path, in a new array; fails as jsonl_array() and slurp() do. */
static inline json_t *jsonl_load(const char *path)
{
    size_t len;
    char *text = slurp(path, &len);
    json_t *arr = jsonl_array(text, len);
    free(text);
    return arr;
}

/* The JSON list that is the whole of the @p len bytes at @p text; fails the test otherwise. */
static inline json_t *json_list(const char *text, size_t len)
{
    json_error_t e;
    json_t *list = json_loadb(text, len, 0, &e);
    if (!json_is_array(list))
        fail_msg("not a JSON list: %s", list == NULL ? e.text : "another JSON type");
    return list;
}

/* The findings a JSON list of finding names names; fails the test on an unknown name. */
static inline heapev_findings json_findings(const json_t *names)
{
    heapev_findings f = 0;
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v) {
        const heapev_finding_info *info = heapev_finding_by_name(json_string_value(v));
        if (info == NULL)
            fail_msg("unknown finding name %s",
                     json_is_string(v) ? json_string_value(v) : "(not a string)");
        f |= HEAPEV_FINDING_BIT(info->code);
    }
    return f;
}

/* ---- the ranges of `explain --json` ------------------------------------------- */

/* The range of @p list at file offset @p offset whose field is @p field; fails the test if none. */
static inline json_t *range_at(const json_t *list, long long offset, const char *field)
{
    size_t i;
    json_t *r;
    json_array_foreach(list, i, r) {
        const char *f = json_string_value(json_object_get(r, "field"));
        if (json_integer_value(json_object_get(r, "offset")) == offset && f != NULL &&
            strcmp(f, field) == 0)
            return r;
    }
    fail_msg("no %s range at offset %lld", field, offset);
    return NULL;
}

/* That range is @p length bytes with the one finding @p finding (NULL: none). Returns it. */
static inline json_t *expect_range(const json_t *list, long long offset, long long length,
                                   const char *field, const char *finding)
{
    json_t *r = range_at(list, offset, field);
    assert_int_equal(json_integer_value(json_object_get(r, "length")), length);
    json_t *f = json_object_get(r, "findings");
    if (json_array_size(f) != (finding ? 1u : 0u))
        fail_msg("%s @%lld: %zu findings", field, offset, json_array_size(f));
    if (finding)
        assert_string_equal(json_string_value(json_array_get(f, 0)), finding);
    return r;
}

/* How many ranges of @p list have a finding. */
static inline size_t count_flagged(const json_t *list)
{
    size_t i, with = 0;
    json_t *r;
    json_array_foreach(list, i, r)
        with += json_array_size(json_object_get(r, "findings")) != 0;
    return with;
}

#endif
