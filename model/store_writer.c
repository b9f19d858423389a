/* store_writer.c — the writer threads: documents written, one Xapian
 * transaction per batch and database.
 *
 * A writable database is single-threaded, so while a batch is in flight
 * only its writer touches it; the caller's thread meanwhile decodes and
 * merges the next batch. Each batch is written in one transaction with the
 * stream offsets it covers, so either all of it (offsets included) is
 * visible or none. With shards (store_shards.c) each writer writes the
 * batch's entities of its own shard, all writers at once; the offsets go
 * with the first shard.
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

static int write_entity(store_writer *w, store_entity *e, char *err, size_t errlen) {
    char term[STORE_TERM_CAP];
    xap_err xe;
    if (e->action == STORE_ACT_NONE) return 0;
    if (w->s->nwriters > 1 && store_shard_of(e->hash, w->s->nwriters) != w->shard) return 0;
    int tlen = doc_id_term(e->urn, term, sizeof term);
    if (tlen < 0) {
        snprintf(err, errlen, "URN too long for an id term: %.80s...", e->urn);
        return -1;
    }
    if (e->action == STORE_ACT_DELETE) {
        if (xap_db_delete_by_term(w->db, term, (size_t)tlen, &xe) != XAP_OK)
            return fail(err, errlen, "deleting", e->urn, &xe);
        w->deleted++;
        return 0;
    }
    xap_docid id;
    int rc = e->action == STORE_ACT_ADD
                 ? xap_db_add_document(w->db, e->doc, &id, &xe)
                 : xap_db_replace_by_term(w->db, term, (size_t)tlen, e->doc, &id, &xe);
    /* The document stays with the batch: the caller's thread frees it when
     * it reuses the batch (store_batch_clear), so that the writers, the
     * bulk load's bottleneck, spend nothing on taking it apart. */
    if (rc != XAP_OK)
        return fail(err, errlen, e->action == STORE_ACT_ADD ? "adding" : "replacing", e->urn, &xe);
    w->written++;
    return 0;
}

static int write_batch(store_writer *w, store_batch *b, char *err, size_t errlen) {
    xap_db *db = w->db;
    xap_err xe;
    double t0 = store_now_ms();
    w->written = w->deleted = 0;
    if (xap_db_begin_transaction(db, 1, &xe) != XAP_OK)
        return fail(err, errlen, "starting a transaction", NULL, &xe);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < b->nent; i++)
        rc = write_entity(w, &b->ent[i], err, errlen);
    for (size_t i = 0; rc == 0 && w->shard == 0 && i < b->noff; i++) {
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
        w->written = w->deleted = 0;
        return -1;
    }
    w->commit_ms = store_now_ms() - t0;
    return 0;
}

static void *writer_main(void *arg) {
    store_writer *w = arg;
    store *s = w->s;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!w->job && !s->stop) pthread_cond_wait(&s->cv, &s->mu);
        if (!w->job && s->stop) break;
        store_batch *b = s->flight;
        pthread_mutex_unlock(&s->mu);
        char err[STORE_ERRLEN];
        err[0] = '\0';
        int rc = write_batch(w, b, err, sizeof err);
        pthread_mutex_lock(&s->mu);
        w->rc = rc;
        memcpy(w->err, err, sizeof err);
        w->job = 0;
        s->busy--;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

unsigned store_shard_of(uint64_t hash, unsigned nshards) {
    /* The high bits: the known-URN filter probes with the low ones. */
    return (unsigned)((hash >> 40) % nshards);
}

int store_writer_start(store *s, char *err, size_t errlen) {
    s->stop = 0;
    for (unsigned i = 0; i < s->nwriters; i++) {
        store_writer *w = &s->writer[i];
        w->s = s;
        w->job = w->rc = 0;
        int rc = pthread_create(&w->thread, NULL, writer_main, w);
        if (rc != 0) {
            snprintf(err, errlen, "cannot start a writer thread: %s", strerror(rc));
            store_writer_stop(s);
            return -1;
        }
        w->started = 1;
    }
    return 0;
}

void store_writer_stop(store *s) {
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    for (unsigned i = 0; i < s->nwriters; i++) {
        if (!s->writer[i].started) continue;
        pthread_join(s->writer[i].thread, NULL);
        s->writer[i].started = 0;
    }
}

int store_writer_wait(store *s, char *err, size_t errlen) {
    pthread_mutex_lock(&s->mu);
    while (s->busy) pthread_cond_wait(&s->cv, &s->mu);
    int rc = 0;
    uint64_t written = 0, deleted = 0;
    double ms = 0;
    for (unsigned i = 0; i < s->nwriters; i++) {
        store_writer *w = &s->writer[i];
        if (w->rc != 0 && rc == 0) {
            rc = w->rc;
            snprintf(err, errlen, "%s", w->err);
        }
        written += w->written;
        deleted += w->deleted;
        if (w->commit_ms > ms) ms = w->commit_ms;
    }
    s->flight->written = written;
    s->flight->deleted = deleted;
    s->flight->commit_ms = ms;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void store_writer_submit(store *s) {
    pthread_mutex_lock(&s->mu);
    for (unsigned i = 0; i < s->nwriters; i++) {
        store_writer *w = &s->writer[i];
        w->rc = 0;
        w->err[0] = '\0';
        w->written = w->deleted = 0;
        w->commit_ms = 0;
        w->job = 1;
    }
    s->busy = s->nwriters;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}
