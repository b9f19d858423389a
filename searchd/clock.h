/* clock.h — monotonic time for searchd's background builders: elapsed
 * milliseconds, and absolute deadlines for pthread_cond_timedwait on
 * condition variables that use CLOCK_MONOTONIC (never the wall clock, which
 * can jump). */
#ifndef MDX_SEARCHD_CLOCK_H
#define MDX_SEARCHD_CLOCK_H

#include <pthread.h>
#include <time.h>

/* Milliseconds on CLOCK_MONOTONIC. */
double sd_mono_ms(void);
/* CLOCK_MONOTONIC now plus `ms`. */
struct timespec sd_deadline(unsigned ms);
/* Initialises a condition variable whose timed waits use CLOCK_MONOTONIC
 * (deadlines from sd_deadline). Returns 0 or pthread's error number. */
int sd_mono_cond_init(pthread_cond_t *c);

#endif
