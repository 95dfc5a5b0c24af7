/* Monotonic time (see clock.h). */
#include "clock.h"

#include <time.h>


static double seconds_of(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return 0.0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double sm_clock_thread_cpu_s(void)
{
    return seconds_of(CLOCK_THREAD_CPUTIME_ID);
}

double sm_clock_s(void)
{
    return seconds_of(CLOCK_MONOTONIC);
}

double sm_clock_process_cpu_s(void)
{
    return seconds_of(CLOCK_PROCESS_CPUTIME_ID);
}
