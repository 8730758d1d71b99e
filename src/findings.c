/* findings.c - the findings table, expanded from HEAPEV_FINDING_TABLE. */
#include "heapev/findings.h"

#include <string.h>

static const heapev_finding_info finding_rows[HEAPEV_FINDING_COUNT] = {
#define HEAPEV_X_ROW(sym, name, sev, desc) \
    {HEAPEV_FINDING_##sym, #name, HEAPEV_SEVERITY_##sev, desc},
    HEAPEV_FINDING_TABLE(HEAPEV_X_ROW)
#undef HEAPEV_X_ROW
};

_Static_assert(HEAPEV_FINDING_COUNT <= 64, "heapev_findings holds at most 64 findings");

const heapev_finding_info *heapev_finding_get(unsigned code)
{
    return code < HEAPEV_FINDING_COUNT ? &finding_rows[code] : NULL;
}

const heapev_finding_info *heapev_finding_by_name(const char *name)
{
    if (name == NULL)
        return NULL;
    for (unsigned i = 0; i < HEAPEV_FINDING_COUNT; i++)
        if (strcmp(finding_rows[i].name, name) == 0)
            return &finding_rows[i];
    return NULL;
}

const char *heapev_severity_name(heapev_severity severity)
{
    switch (severity) {
    case HEAPEV_SEVERITY_ERROR: return "error";
    case HEAPEV_SEVERITY_NOTE: return "note";
    case HEAPEV_SEVERITY_NONE: return "none";
    default: return "anomaly";
    }
}

/* The findings of one severity (WANTED), as a set built from the table at compile time. */
#define HEAPEV_X_BIT_IF_WANTED(sym, name, sev, desc) \
    | (HEAPEV_SEVERITY_##sev == WANTED ? HEAPEV_FINDING_BIT(HEAPEV_FINDING_##sym) : 0u)
#define WANTED HEAPEV_SEVERITY_ERROR
static const heapev_findings error_set = 0 HEAPEV_FINDING_TABLE(HEAPEV_X_BIT_IF_WANTED);
#undef WANTED
#define WANTED HEAPEV_SEVERITY_NOTE
static const heapev_findings note_set = 0 HEAPEV_FINDING_TABLE(HEAPEV_X_BIT_IF_WANTED);
#undef WANTED
#undef HEAPEV_X_BIT_IF_WANTED

heapev_findings heapev_findings_errors(heapev_findings findings)
{
    return findings & error_set;
}

heapev_findings heapev_findings_defects(heapev_findings findings)
{
    return findings & ~note_set;
}

/* Does a row's name start with "etl_"? */
static int is_container_name(const char *name)
{
    return strncmp(name, "etl_", 4) == 0;
}

heapev_findings heapev_findings_container(void)
{
    heapev_findings f = 0;
    for (unsigned i = 0; i < HEAPEV_FINDING_COUNT; i++)
        if (is_container_name(finding_rows[i].name))
            f |= HEAPEV_FINDING_BIT(i);
    return f;
}

heapev_findings heapev_findings_all(void)
{
    return HEAPEV_FINDING_COUNT == 64 ? ~(heapev_findings)0
                                      : HEAPEV_FINDING_BIT(HEAPEV_FINDING_COUNT % 64) - 1u;
}

heapev_severity heapev_findings_worst(heapev_findings findings)
{
    if (findings & error_set)
        return HEAPEV_SEVERITY_ERROR;
    if (findings & ~note_set)
        return HEAPEV_SEVERITY_ANOMALY;
    return findings != 0 ? HEAPEV_SEVERITY_NOTE : HEAPEV_SEVERITY_NONE;
}

unsigned heapev_findings_count(heapev_findings findings)
{
    unsigned n = 0;
    for (; findings != 0; findings &= findings - 1)
        n++;
    return n;
}

/* Append n bytes of s at *len, snprintf-style: never past cap, always NUL-terminated. */
static void append_text(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
    if (*len + 1 < cap) {
        size_t room = cap - 1 - *len;
        size_t k = n < room ? n : room;
        memcpy(out + *len, s, k);
        out[*len + k] = '\0';
    }
    *len += n;
}

size_t heapev_findings_format(heapev_findings findings, const char *sep, char *out, size_t cap)
{
    size_t len = 0;
    if (sep == NULL)
        sep = "";
    if (cap > 0)
        out[0] = '\0';
    for (unsigned i = 0; i < HEAPEV_FINDING_COUNT; i++) {
        if (!(findings & HEAPEV_FINDING_BIT(i)))
            continue;
        if (len > 0)
            append_text(out, cap, &len, sep, strlen(sep));
        append_text(out, cap, &len, finding_rows[i].name, strlen(finding_rows[i].name));
    }
    return len;
}
