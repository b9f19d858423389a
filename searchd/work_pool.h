/* work_pool.h — a fixed pool of threads running queued jobs in order.
 *
 * searchd's CPU-heavy requests (searches) run here rather than on the
 * thread that read them. libmicrohttpd's thread pool keeps each
 * connection on the thread that accepted it, so two keep-alive clients
 * could share one thread and wait on each other while another core idled
 * (at 1M entities, half of the two-client runs did: half the throughput).
 * Queued, a request runs on whichever worker is free.
 */
#ifndef MDX_SEARCHD_WORK_POOL_H
#define MDX_SEARCHD_WORK_POOL_H

#include <stddef.h>

typedef struct work_pool work_pool;
typedef void (*wp_fn)(void *arg);

/* Starts n >= 1 workers. NULL with a reason in err. */
work_pool *wp_start(unsigned n, char *err, size_t errlen);
/* Queues fn(arg). Returns 0, or -1 when the pool is stopping or out of
 * memory (the caller runs the job itself). */
int wp_submit(work_pool *p, wp_fn fn, void *arg);
/* Refuses new jobs (wp_submit returns -1), runs every queued one and joins
 * the workers; p stays valid for wp_submit until wp_free. */
void wp_stop(work_pool *p);
void wp_free(work_pool *p);

#endif
