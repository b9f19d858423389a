/* store_writer.c — the writer thread: documents built and written, one
 * Xapian transaction per batch.
 *
 * The writable database is single-threaded, so while a batch is in flight
 * only this thread touches it; the caller's thread meanwhile decodes and
 * merges the next batch. Each batch is written in one transaction with the
 * stream offsets it covers, so either all of it (offsets included) is
 * visible or none.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/docbuild.h"
#include "model/store_impl.h"

double store_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int fail(char *err, size_t errlen, const char *what, const char *urn, const xap_err *xe) {
    snprintf(err, errlen, "%s%s%.300s: %s", what, urn ? " " : "", urn ? urn : "", xe->msg);
    return -1;
}

static int write_entity(store *s, store_batch *b, store_entity *e, char *err,
                        size_t errlen) {
    char term[STORE_TERM_CAP];
    xap_err xe;
    if (e->action == STORE_ACT_NONE) return 0;
    int tlen = doc_id_term(e->urn, term, sizeof term);
    if (tlen < 0) {
        snprintf(err, errlen, "URN too long for an id term: %.80s...", e->urn);
        return -1;
    }
    if (e->action == STORE_ACT_DELETE) {
        if (xap_db_delete_by_term(s->wdb, term, (size_t)tlen, &xe) != XAP_OK)
            return fail(err, errlen, "deleting", e->urn, &xe);
        b->deleted++;
        return 0;
    }
    xap_docid id;
    int rc = e->action == STORE_ACT_ADD
                 ? xap_db_add_document(s->wdb, e->doc, &id, &xe)
                 : xap_db_replace_by_term(s->wdb, term, (size_t)tlen, e->doc, &id, &xe);
    /* The document stays with the batch: the caller's thread frees it when
     * it reuses the batch (store_batch_clear), so that this thread, the
     * bulk load's bottleneck, spends nothing on taking it apart. */
    if (rc != XAP_OK)
        return fail(err, errlen, e->action == STORE_ACT_ADD ? "adding" : "replacing", e->urn, &xe);
    b->written++;
    return 0;
}

static int write_batch(store *s, store_batch *b, char *err, size_t errlen) {
    xap_db *db = s->wdb;
    xap_err xe;
    double t0 = store_now_ms();
    if (xap_db_begin_transaction(db, 1, &xe) != XAP_OK)
        return fail(err, errlen, "starting a transaction", NULL, &xe);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < b->nent; i++)
        rc = write_entity(s, b, &b->ent[i], err, errlen);
    for (size_t i = 0; rc == 0 && i < b->noff; i++) {
        char key[1024], val[32];
        int kl = snprintf(key, sizeof key, "offset/%s/%" PRId32, b->off[i].topic,
                          b->off[i].partition);
        if (kl < 0 || (size_t)kl >= sizeof key) {
            snprintf(err, errlen, "topic name too long for an offset key: %.80s...",
                     b->off[i].topic);
            rc = -1;
            break;
        }
        int vl = snprintf(val, sizeof val, "%" PRId64, b->off[i].next);
        if (xap_db_set_metadata(db, key, val, (size_t)vl, &xe) != XAP_OK)
            rc = fail(err, errlen, "storing offset", key, &xe);
    }
    if (rc == 0 && xap_db_commit_transaction(db, &xe) != XAP_OK)
        rc = fail(err, errlen, "committing", NULL, &xe);
    if (rc != 0) {
        xap_err ce;
        (void)xap_db_cancel_transaction(db, &ce); /* may already be cancelled by Xapian */
        b->written = b->deleted = 0;
        return -1;
    }
    b->commit_ms = store_now_ms() - t0;
    return 0;
}

static void *writer_main(void *arg) {
    store *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->job && !s->stop) pthread_cond_wait(&s->cv, &s->mu);
        if (!s->job && s->stop) break;
        store_batch *b = s->flight;
        pthread_mutex_unlock(&s->mu);
        char err[STORE_ERRLEN];
        err[0] = '\0';
        int rc = write_batch(s, b, err, sizeof err);
        pthread_mutex_lock(&s->mu);
        s->wrc = rc;
        memcpy(s->werr, err, sizeof err);
        s->job = 0;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

int store_writer_start(store *s, char *err, size_t errlen) {
    int rc = pthread_create(&s->thread, NULL, writer_main, s);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the writer thread: %s", strerror(rc));
        return -1;
    }
    s->thread_started = 1;
    return 0;
}

void store_writer_stop(store *s) {
    if (!s->thread_started) return;
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    s->thread_started = 0;
}

int store_writer_wait(store *s, char *err, size_t errlen) {
    pthread_mutex_lock(&s->mu);
    while (s->job) pthread_cond_wait(&s->cv, &s->mu);
    int rc = s->wrc;
    if (rc != 0) snprintf(err, errlen, "%s", s->werr);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void store_writer_submit(store *s) {
    pthread_mutex_lock(&s->mu);
    s->wrc = 0;
    s->werr[0] = '\0';
    s->job = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}
