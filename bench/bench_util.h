/* bench_util.h - timing, machine description and table printing for heapev benchmarks. */
#ifndef HEAPEV_BENCH_UTIL_H
#define HEAPEV_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Print CPU model, cores, compiler and flags: the context every figure needs. */
static inline void bench_print_machine(const char *flags)
{
    char line[256], model[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "model name", 10) == 0) {
            const char *colon = strchr(line, ':');
            snprintf(model, sizeof model, "%s", colon ? colon + 2 : line);
            model[strcspn(model, "\n")] = '\0';
            break;
        }
    }
    if (f != NULL)
        fclose(f);
    printf("machine: %s, %ld cores online; compiler: %s; flags: %s\n", model,
           sysconf(_SC_NPROCESSORS_ONLN),
#ifdef __clang__
           "clang " __clang_version__,
#else
           "gcc " __VERSION__,
#endif
           flags);
}

/* Keep a value alive so the optimizer cannot drop the loop that made it. */
static inline void bench_keep(uint64_t v)
{
    __asm__ volatile("" : : "r"(v) : "memory");
}

#endif
