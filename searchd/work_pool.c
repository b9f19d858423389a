/* work_pool.c — a fixed pool of threads running queued jobs (see
 * work_pool.h). One mutex, one condition, a FIFO list: jobs are whole
 * requests (milliseconds), so the queue is never the bottleneck. */
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

struct work_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    wp_job *head, *tail;
    int stopping;
    pthread_t *threads;
    unsigned n;
};

static void *worker(void *arg)
{
    work_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->head && !p->stopping)
            pthread_cond_wait(&p->cv, &p->mu);
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
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p);
}
