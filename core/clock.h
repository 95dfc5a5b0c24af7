/* Monotonic wall-clock time, for rates, progress and time limits. */
#ifndef SM_CLOCK_H
#define SM_CLOCK_H

/* Seconds since an arbitrary fixed point (CLOCK_MONOTONIC): only
 * differences mean anything. */
double sm_clock_s(void);

#endif
