/* test_findings.c - the findings table: names, severities, codes, formatting. */
#include "cmocka_all.h"

#include <ctype.h>
#include <string.h>

#include "heapev/findings.h"

/* The names and severities the project promises to users (stable API), written out here on purpose. */
static const struct { const char *name; heapev_severity sev; } promised[] = {
    {"truncated", HEAPEV_SEVERITY_ERROR},
    {"length_ambiguous", HEAPEV_SEVERITY_ERROR},
    {"header_size_mismatch", HEAPEV_SEVERITY_ERROR},
    {"header_type_unknown", HEAPEV_SEVERITY_ERROR},
    {"header_flags_invalid", HEAPEV_SEVERITY_ERROR},
    {"not_heap_alloc", HEAPEV_SEVERITY_ERROR},
    {"source_undefined", HEAPEV_SEVERITY_ANOMALY},
    {"source_reserved", HEAPEV_SEVERITY_ANOMALY},
    {"source_invalid", HEAPEV_SEVERITY_ANOMALY},
    {"trailing_bytes", HEAPEV_SEVERITY_ANOMALY},
    {"heap_handle_null", HEAPEV_SEVERITY_ANOMALY},
    {"address_null", HEAPEV_SEVERITY_ANOMALY},
    {"address_misaligned", HEAPEV_SEVERITY_ANOMALY},
    {"address_wraps", HEAPEV_SEVERITY_ANOMALY},
    {"address_kernel_range", HEAPEV_SEVERITY_ANOMALY},
    {"heap_handle_kernel_range", HEAPEV_SEVERITY_ANOMALY},
    {"size_implausible", HEAPEV_SEVERITY_ANOMALY},
    {"lowfrag_size_too_large", HEAPEV_SEVERITY_ANOMALY},
    {"header_version_unexpected", HEAPEV_SEVERITY_ANOMALY},
};

static void test_promised_names_exist(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof promised / sizeof promised[0]; i++) {
        const heapev_finding_info *f = heapev_finding_by_name(promised[i].name);
        assert_non_null(f);
        assert_int_equal(f->severity, promised[i].sev);
        assert_ptr_equal(heapev_finding_get(f->code), f);
    }
    assert_null(heapev_finding_by_name("no_such_finding"));
    assert_null(heapev_finding_by_name(NULL));
    assert_null(heapev_finding_get(HEAPEV_FINDING_COUNT));
}

static void test_rows_well_formed(void **state)
{
    (void)state;
    assert_true(HEAPEV_FINDING_COUNT <= 64);
    for (unsigned i = 0; i < HEAPEV_FINDING_COUNT; i++) {
        const heapev_finding_info *f = heapev_finding_get(i);
        assert_int_equal(f->code, i);
        assert_true(strlen(f->name) > 0 && strlen(f->description) > 0);
        for (const char *c = f->name; *c; c++)
            assert_true(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_');
        assert_null(strchr(f->description, '\n'));
        for (unsigned j = 0; j < i; j++)
            assert_string_not_equal(heapev_finding_get(j)->name, f->name);
    }
    assert_string_equal(heapev_severity_name(HEAPEV_SEVERITY_ERROR), "error");
    assert_string_equal(heapev_severity_name(HEAPEV_SEVERITY_ANOMALY), "anomaly");
}

static void test_errors_and_count(void **state)
{
    (void)state;
    heapev_findings all = 0;
    for (unsigned i = 0; i < HEAPEV_FINDING_COUNT; i++)
        all |= HEAPEV_FINDING_BIT(i);
    heapev_findings errors = heapev_findings_errors(all);
    for (unsigned i = 0; i < HEAPEV_FINDING_COUNT; i++) {
        int is_error = heapev_finding_get(i)->severity == HEAPEV_SEVERITY_ERROR;
        assert_int_equal((errors >> i) & 1, is_error);
    }
    assert_int_equal(heapev_findings_count(all), HEAPEV_FINDING_COUNT);
    assert_int_equal(heapev_findings_count(0), 0);
    assert_int_equal(heapev_findings_errors(HEAPEV_FINDING_BIT(HEAPEV_FINDING_SOURCE_RESERVED)), 0);
}

static void test_format(void **state)
{
    (void)state;
    heapev_findings f = HEAPEV_FINDING_BIT(HEAPEV_FINDING_ADDRESS_NULL) |
                        HEAPEV_FINDING_BIT(HEAPEV_FINDING_TRUNCATED);
    char buf[64];
    /* Table order, not insertion order. */
    assert_int_equal(heapev_findings_format(f, ",", buf, sizeof buf), strlen("truncated,address_null"));
    assert_string_equal(buf, "truncated,address_null");
    /* Too small: cut, NUL-terminated, full length still returned. */
    memset(buf, 'x', sizeof buf);
    assert_int_equal(heapev_findings_format(f, ", ", buf, 8), strlen("truncated, address_null"));
    assert_string_equal(buf, "truncat");
    assert_int_equal(heapev_findings_format(f, ",", NULL, 0), 22);
    assert_int_equal(heapev_findings_format(f, NULL, buf, sizeof buf), strlen("truncatedaddress_null"));
    assert_string_equal(buf, "truncatedaddress_null");
    assert_int_equal(heapev_findings_format(0, ",", buf, sizeof buf), 0);
    assert_string_equal(buf, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_promised_names_exist),
        cmocka_unit_test(test_rows_well_formed),
        cmocka_unit_test(test_errors_and_count),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
