/* cmocka_all.h - cmocka needs these headers before its own. */
#ifndef HEAPEV_CMOCKA_ALL_H
#define HEAPEV_CMOCKA_ALL_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#endif
