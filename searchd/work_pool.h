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

/* A part of a job that another worker may run while the job goes on
 * (fork-join): the caller's, on its stack, from wp_fork to wp_join. */
typedef struct wp_task {
    wp_fn fn;
    void *arg;
    work_pool *pool;             /* NULL: not forked, wp_join runs it */
    int state;                   /* WP_TASK_* (work_pool.c), under the pool's lock */
    struct wp_task *prev, *next; /* in the pool's list of forked tasks */
} wp_task;

/* Starts n >= 1 workers. NULL with a reason in err. */
work_pool *wp_start(unsigned n, char *err, size_t errlen);
/* Queues fn(arg). Returns 0, or -1 when the pool is stopping or out of
 * memory (the caller runs the job itself). */
int wp_submit(work_pool *p, wp_fn fn, void *arg);
/* Refuses new jobs (wp_submit returns -1), runs every queued one and joins
 * the workers; p stays valid for wp_submit until wp_free. */
void wp_stop(work_pool *p);

/* Offers fn(arg) to the other workers of the pool the calling thread works
 * for, ahead of every queued request: a request already running finishes
 * before new ones start, and a search's slow parts run side by side when a
 * core is free. Outside a pool, or in a pool of one worker, nothing is
 * offered. Every wp_fork is followed by one wp_join of the same task, from
 * the same thread, before *t and arg go away. */
void wp_fork(wp_task *t, wp_fn fn, void *arg);
/* Waits for a task another worker took; runs it here when none did.
 * Returns 1 when another worker ran it, 0 when it ran here. */
int wp_join(wp_task *t);

/* Since start, over every pool: tasks offered by wp_fork, and of those
 * run by another worker (the rest ran on the thread that forked them). */
typedef struct wp_stats {
    unsigned long long offered, taken;
} wp_stats;
void wp_get_stats(wp_stats *out);
void wp_free(work_pool *p);

#endif
