/* Monotonic wall-clock time, for rates, progress and time limits. */
#ifndef SM_CLOCK_H
#define SM_CLOCK_H

/* Seconds since an arbitrary fixed point (CLOCK_MONOTONIC): only
 * differences mean anything. */
double sm_clock_s(void);

/* CPU seconds used so far by this thread, and by the whole process (all
 * threads): for figures that a loaded machine's waiting must not inflate. */
double sm_clock_thread_cpu_s(void);
double sm_clock_process_cpu_s(void);

#endif
