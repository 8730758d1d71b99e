/*
 * layout_test.h - what the layout suites (test_layout.c, test_layout_etl.c)
 * share: the check of a labelled range's meaning text. Include after
 * cmocka_all.h.
 */
#ifndef HEAPEV_LAYOUT_TEST_H
#define HEAPEV_LAYOUT_TEST_H

#include "heapev/layout.h"

/* heapev_layout_meaning() of range @p r is @p want. */
static inline void expect_meaning(const heapev_layout_range *r, const char *want)
{
    char text[256];
    heapev_layout_meaning(r, text, sizeof text);
    assert_string_equal(text, want);
}

#endif
