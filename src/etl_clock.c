/*
 * etl_clock.c - a trace's timestamps as dates: the clock the logfile header
 * names (QPC, system time or CPU cycles) turned into a FILETIME, and a
 * FILETIME written as ISO 8601 UTC (heapev/etl.h).
 */
#include "heapev/etl.h"

#include <stdio.h>

#define FILETIME_PER_SECOND 10000000ll /* 100 ns ticks */
#define MAX_RATE 1000000000000ll       /* ticks per second beyond any real clock */
#define DAYS_1601_TO_1970 134774ll
#define SECONDS_PER_DAY 86400ll
#define MAX_FILETIME 2650467743999999999ll /* 9999-12-31T23:59:59.9999999Z */

/* Ticks of a clock running at @p rate per second, as 100 ns units; -1 on overflow. */
static int ticks_to_filetime(int64_t ticks, int64_t rate, int64_t *out)
{
    int64_t whole = ticks / rate, part = ticks % rate;
    if (whole > INT64_MAX / FILETIME_PER_SECOND || whole < INT64_MIN / FILETIME_PER_SECOND)
        return -1;
    *out = whole * FILETIME_PER_SECOND + part * FILETIME_PER_SECOND / rate;
    return 0;
}

int heapev_etl_filetime(const heapev_etl_logfile *lf, int64_t stamp, int64_t *out)
{
    if (!lf->clock_known || stamp <= 0)
        return -1; /* 0 is a field never set (buffer 0's TimeStamp) */
    if (lf->clock_type == HEAPEV_ETL_CLOCK_SYSTEM_TIME) {
        *out = stamp;
        return stamp <= MAX_FILETIME ? 0 : -1;
    }
    int64_t rate = lf->clock_type == HEAPEV_ETL_CLOCK_QPC          ? lf->perf_freq
                   : lf->clock_type == HEAPEV_ETL_CLOCK_CPU_CYCLES ? (int64_t)lf->cpu_speed_mhz * 1000000
                                                                  : 0;
    int64_t since;
    if (rate <= 0 || rate > MAX_RATE || lf->start_time <= 0 || lf->start_stamp <= 0 ||
        ticks_to_filetime(stamp - lf->start_stamp, rate, &since) != 0)
        return -1;
    if ((since > 0 && lf->start_time > MAX_FILETIME - since) || lf->start_time + since < 0)
        return -1;
    *out = lf->start_time + since;
    return 0;
}

/* Civil date of a day count since 1970-01-01 (H. Hinnant's days_from_civil, inverted). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

size_t heapev_filetime_iso(int64_t filetime, char *out, size_t cap)
{
    if (filetime < 0 || filetime > MAX_FILETIME) {
        if (cap > 0)
            out[0] = '\0';
        return 0;
    }
    int64_t seconds = filetime / FILETIME_PER_SECOND;
    int64_t days = seconds / SECONDS_PER_DAY - DAYS_1601_TO_1970;
    int64_t in_day = seconds % SECONDS_PER_DAY, y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    int n = snprintf(out, cap, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%07lldZ", (long long)y, m, d,
                     (long long)(in_day / 3600), (long long)(in_day / 60 % 60),
                     (long long)(in_day % 60), (long long)(filetime % FILETIME_PER_SECOND));
    return n > 0 ? (size_t)n : 0;
}
