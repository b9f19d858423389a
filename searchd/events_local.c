/* events_local.c — the in-process writer of searchd --writable (see
 * events_local.h): a queue of jobs, one thread that owns the store. */
#include "searchd/events_local.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/store.h"
#include "searchd/ranking_store.h"

typedef enum { JOB_EVENTS, JOB_DB_FN } job_kind;

/* A request's work, on its caller's stack until `done`. */
typedef struct el_job {
    job_kind kind;
    event_item *items; /* JOB_EVENTS */
    size_t n;
    rs_write_fn fn; /* JOB_DB_FN */
    void *arg;
    int rc;
    char err[512];
    int done;
    struct el_job *next;
} el_job;

static struct {
    store *st;
    pthread_t thread;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t work; /* jobs queued, or stop */
    pthread_cond_t done; /* some job finished */
    el_job *head, *tail;
    int stop;
    /* The reason of the last dead letter: store_feed reports a rejected
     * event through the dead-letter sink (writer thread only). */
    char dl_reason[1024];
} g_el = {.mu = PTHREAD_MUTEX_INITIALIZER,
          .work = PTHREAD_COND_INITIALIZER,
          .done = PTHREAD_COND_INITIALIZER};

/* The store's dead-letter sink: REST writes keep no dead-letter file (the
 * client gets the reason in the answer), only the reason is taken. */
static int el_dead_letter(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    json_t *j = json_loadb(line, len, 0, NULL);
    const char *why = json_string_value(json_object_get(j, "reason"));
    snprintf(g_el.dl_reason, sizeof g_el.dl_reason, "%s", why ? why : "the event does not apply");
    json_decref(j);
    return 0;
}

/* Feeds one request's valid items into the batch. Items fed are marked
 * APPLIED provisionally: the commit decides. */
static void el_feed(el_job *job)
{
    for (size_t i = 0; i < job->n; i++) {
        event_item *it = &job->items[i];
        if (it->status != EVENT_VALID)
            continue;
        store_origin o = {"rest", NULL, -1, (int64_t)it->index};
        char err[512] = "";
        g_el.dl_reason[0] = '\0';
        int rc = store_feed(g_el.st, it->raw, it->rawlen, &o, err, sizeof err);
        if (rc == 1)
            event_item_set(it, EVENT_REJECTED, "%s", g_el.dl_reason);
        else if (rc < 0)
            event_item_set(it, EVENT_FAILED, "not applied: %s", err);
        else
            event_item_set(it, EVENT_APPLIED, NULL);
    }
}

/* Commits what the jobs [from, to) fed; on failure their applied items
 * become failed (the store dropped the batch). */
static void el_commit(el_job *from, el_job *to)
{
    char err[512] = "";
    if (store_commit(g_el.st, err, sizeof err) == 0)
        return;
    fprintf(stderr, "metadex-searchd: committing REST writes: %s\n", err);
    for (el_job *j = from; j != to; j = j->next)
        for (size_t i = 0; i < j->n; i++)
            if (j->items[i].status == EVENT_APPLIED)
                event_item_set(&j->items[i], EVENT_FAILED, "not committed: %s", err);
}

/* Runs a list of jobs in order: consecutive event jobs share one commit. */
static void el_run(el_job *list)
{
    el_job *j = list;
    while (j) {
        if (j->kind == JOB_DB_FN) {
            j->err[0] = '\0';
            j->rc = store_with_db(g_el.st, j->fn, j->arg, j->err, sizeof j->err);
            j = j->next;
            continue;
        }
        el_job *first = j;
        for (; j && j->kind == JOB_EVENTS; j = j->next)
            el_feed(j);
        el_commit(first, j);
    }
}

static void *el_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g_el.mu);
    for (;;) {
        while (!g_el.head && !g_el.stop)
            pthread_cond_wait(&g_el.work, &g_el.mu);
        if (!g_el.head)
            break; /* stopping, nothing left */
        el_job *list = g_el.head;
        g_el.head = g_el.tail = NULL;
        pthread_mutex_unlock(&g_el.mu);
        el_run(list);
        pthread_mutex_lock(&g_el.mu);
        for (el_job *j = list; j;) {
            el_job *next = j->next; /* j may be gone once done is seen */
            j->done = 1;
            j = next;
        }
        pthread_cond_broadcast(&g_el.done);
    }
    pthread_mutex_unlock(&g_el.mu);
    return NULL;
}

/* Queues a job and waits until the writer thread has run it. */
static void el_submit(el_job *job)
{
    job->next = NULL;
    job->done = 0;
    pthread_mutex_lock(&g_el.mu);
    if (g_el.tail)
        g_el.tail->next = job;
    else
        g_el.head = job;
    g_el.tail = job;
    pthread_cond_signal(&g_el.work);
    while (!job->done)
        pthread_cond_wait(&g_el.done, &g_el.mu);
    pthread_mutex_unlock(&g_el.mu);
}

/* rs_writer_hook: a ranking save, run by the writer thread. */
static int el_ranking_hook(void *ctx, rs_write_fn fn, void *arg, char *err, size_t errlen)
{
    (void)ctx;
    el_job job = {.kind = JOB_DB_FN, .fn = fn, .arg = arg};
    el_submit(&job);
    if (job.rc != 0)
        snprintf(err, errlen, "%s", job.err);
    return job.rc;
}

void events_local_apply(event_item *items, size_t n)
{
    size_t valid = 0;
    for (size_t i = 0; i < n; i++)
        valid += items[i].status == EVENT_VALID;
    if (valid == 0)
        return;
    el_job job = {.kind = JOB_EVENTS, .items = items, .n = n};
    el_submit(&job);
}

int events_local_start(const char *db_path, char *err, size_t errlen)
{
    /* One request's events never fill a batch: the commit comes when the
     * queue is drained, not at a count. */
    store_options opt = {.batch_events = (size_t)-1, .dead_letter = el_dead_letter};
    g_el.st = store_open(db_path, &opt, err, errlen);
    if (!g_el.st)
        return -1;
    g_el.stop = 0;
    int rc = pthread_create(&g_el.thread, NULL, el_main, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the writer thread: %s", strerror(rc));
        store_close(g_el.st);
        g_el.st = NULL;
        return -1;
    }
    g_el.started = 1;
    rs_set_writer(el_ranking_hook, NULL);
    return 0;
}

void events_local_stop(void)
{
    if (!g_el.started)
        return;
    rs_set_writer(NULL, NULL);
    pthread_mutex_lock(&g_el.mu);
    g_el.stop = 1;
    pthread_cond_signal(&g_el.work);
    pthread_mutex_unlock(&g_el.mu);
    pthread_join(g_el.thread, NULL);
    g_el.started = 0;
    store_close(g_el.st);
    g_el.st = NULL;
}
