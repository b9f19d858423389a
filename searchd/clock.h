/* clock.h — monotonic time for searchd's background builders: elapsed
 * milliseconds, and absolute deadlines for pthread_cond_timedwait on
 * condition variables that use CLOCK_MONOTONIC (never the wall clock, which
 * can jump). */
#ifndef MDX_SEARCHD_CLOCK_H
#define MDX_SEARCHD_CLOCK_H

#include <time.h>

/* Milliseconds on CLOCK_MONOTONIC. */
double sd_mono_ms(void);
/* CLOCK_MONOTONIC now plus `ms`. */
struct timespec sd_deadline(unsigned ms);

#endif
