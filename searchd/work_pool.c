/* work_pool.c — a fixed pool of threads running queued jobs (see
 * work_pool.h). One mutex, a FIFO list of requests and one of forked
 * tasks, taken first: jobs are whole requests and tasks parts of one
 * (hundreds of microseconds and more), so the lock is never the
 * bottleneck. */
#include "searchd/work_pool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct wp_job {
    wp_fn fn;
    void *arg;
    struct wp_job *next;
} wp_job;

enum { WP_TASK_QUEUED = 1, WP_TASK_RUNNING, WP_TASK_DONE };

struct work_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;      /* work to do, or stopping */
    pthread_cond_t done_cv; /* a forked task finished */
    wp_job *head, *tail;
    wp_task *forked, *forked_tail;
    int stopping;
    pthread_t *threads;
    unsigned n;
};

/* The pool the calling thread works for (NULL: not a worker). */
static _Thread_local work_pool *self;
static _Atomic unsigned long long n_offered, n_taken;

static void task_unlink(work_pool *p, wp_task *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        p->forked = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        p->forked_tail = t->prev;
    t->prev = t->next = NULL;
}

static void *worker(void *arg)
{
    work_pool *p = arg;
    self = p;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->forked && !p->head && !p->stopping)
            pthread_cond_wait(&p->cv, &p->mu);
        wp_task *t = p->forked;
        if (t) {
            n_taken++;
            task_unlink(p, t);
            t->state = WP_TASK_RUNNING;
            pthread_mutex_unlock(&p->mu);
            t->fn(t->arg);
            pthread_mutex_lock(&p->mu);
            t->state = WP_TASK_DONE;
            pthread_cond_broadcast(&p->done_cv);
            continue;
        }
        wp_job *j = p->head;
        if (!j)
            break; /* stopping, and nothing left to run */
        p->head = j->next;
        if (!p->head)
            p->tail = NULL;
        pthread_mutex_unlock(&p->mu);
        j->fn(j->arg);
        free(j);
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

work_pool *wp_start(unsigned n, char *err, size_t errlen)
{
    work_pool *p = calloc(1, sizeof *p);
    if (!p || !(p->threads = calloc(n, sizeof *p->threads))) {
        free(p);
        snprintf(err, errlen, "out of memory starting the search workers");
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    pthread_cond_init(&p->done_cv, NULL);
    for (; p->n < n; p->n++) {
        int rc = pthread_create(&p->threads[p->n], NULL, worker, p);
        if (rc != 0) {
            snprintf(err, errlen, "starting search worker %u: %s", p->n + 1, strerror(rc));
            wp_free(p);
            return NULL;
        }
    }
    return p;
}

int wp_submit(work_pool *p, wp_fn fn, void *arg)
{
    wp_job *j = malloc(sizeof *j);
    if (!j)
        return -1;
    *j = (wp_job){fn, arg, NULL};
    pthread_mutex_lock(&p->mu);
    if (p->stopping) {
        pthread_mutex_unlock(&p->mu);
        free(j);
        return -1;
    }
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

void wp_fork(wp_task *t, wp_fn fn, void *arg)
{
    work_pool *p = self;
    *t = (wp_task){.fn = fn, .arg = arg};
    if (!p || p->n < 2)
        return; /* no other worker to take it */
    pthread_mutex_lock(&p->mu);
    t->pool = p;
    t->state = WP_TASK_QUEUED;
    t->prev = p->forked_tail;
    if (p->forked_tail)
        p->forked_tail->next = t;
    else
        p->forked = t;
    p->forked_tail = t;
    n_offered++;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

int wp_join(wp_task *t)
{
    work_pool *p = t->pool;
    int taken = 0;
    if (p) {
        pthread_mutex_lock(&p->mu);
        if (t->state == WP_TASK_QUEUED) {
            task_unlink(p, t); /* no worker took it: run it here */
        } else {
            while (t->state != WP_TASK_DONE)
                pthread_cond_wait(&p->done_cv, &p->mu);
            taken = 1;
        }
        t->state = WP_TASK_DONE;
        pthread_mutex_unlock(&p->mu);
    }
    if (!taken)
        t->fn(t->arg);
    return taken;
}

void wp_get_stats(wp_stats *out)
{
    out->offered = n_offered;
    out->taken = n_taken;
}

void wp_stop(work_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->n; i++)
        pthread_join(p->threads[i], NULL);
    p->n = 0;
}

void wp_free(work_pool *p)
{
    if (!p)
        return;
    wp_stop(p);
    pthread_cond_destroy(&p->cv);
    pthread_cond_destroy(&p->done_cv);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p);
}
