/* store.c — the index writer's public side (store.h): opening, feeding
 * events, stream offsets, committing and statistics.
 *
 * Feeding decodes each event and applies it to its entity's state in the
 * current batch at once (store_merge.c); a bad event is dead-lettered then
 * and there. Committing builds the batch's documents and hands them to the
 * writer thread (store_writer.c); store_commit then waits for the writer,
 * store_commit_async does not, so the next batch is decoded and merged
 * while this one is written.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model/docbuild.h"
#include "model/event_json.h"
#include "model/fields.h"
#include "model/store_impl.h"

#define STORE_DEFAULT_BATCH 10000

static void set_err(char *err, size_t errlen, const char *fmt, const char *a, const char *b) {
    if (err && errlen) snprintf(err, errlen, fmt, a, b);
}

/* Fills the known-URN filter with the id term of every document. */
static int seen_load(store *s, char *err, size_t errlen) {
    xap_err xe;
    uint32_t count = 0;
    if (xap_db_doccount(s->wdb, &count, &xe) != XAP_OK) {
        set_err(err, errlen, "counting documents in %s: %s", s->path, xe.msg);
        return -1;
    }
    /* Room for the index as it is and a bulk load of as much again (1M at least). */
    uint64_t expect = (uint64_t)count * 2 > (1u << 20) ? (uint64_t)count * 2 : (1u << 20);
    if (store_seen_init(&s->seen, expect) != 0) {
        set_err(err, errlen, "%s%s", "out of memory for the known-URN filter", "");
        return -1;
    }
    if (count == 0) return 0;
    xap_termiter *it = xap_db_allterms(s->wdb, TERM_ID_PREFIX, strlen(TERM_ID_PREFIX), &xe);
    if (!it) {
        set_err(err, errlen, "listing id terms of %s: %s", s->path, xe.msg);
        return -1;
    }
    const char *term;
    size_t len;
    uint32_t freq;
    int rc;
    while ((rc = xap_termiter_next(it, &term, &len, &freq, &xe)) == 1)
        store_seen_add(&s->seen, store_urn_hash(term, len));
    xap_termiter_free(it);
    if (rc < 0) {
        set_err(err, errlen, "listing id terms of %s: %s", s->path, xe.msg);
        return -1;
    }
    return 0;
}

store *store_open(const char *path, const store_options *opt, char *err, size_t errlen) {
    store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        set_err(err, errlen, "%s%s", "out of memory", "");
        return NULL;
    }
    if (opt) s->opt = *opt;
    if (s->opt.batch_events == 0) s->opt.batch_events = STORE_DEFAULT_BATCH;
    store_batch_init(&s->batch[0]);
    store_batch_init(&s->batch[1]);
    s->cur = &s->batch[0];
    s->flight = &s->batch[1];
    store_names_init(s);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);

    xap_err xe;
    char aerr[512];
    s->wdb = xap_db_open_write(path, &xe);
    if (!s->wdb) {
        set_err(err, errlen,
                xe.code == XAP_E_LOCKED ? "cannot open index %s: another writer has it (%s)"
                                        : "cannot open index %s: %s",
                path, xe.msg);
        goto fail;
    }
    if (seen_load(s, err, errlen) != 0) goto fail;
    int sharded = 0;
    if (s->opt.shards > 1 &&
        (sharded = store_shards_open(s, s->opt.shards, err, errlen)) < 0)
        goto fail;
    if (!sharded) {
        s->nwriters = 1;
        s->writer[0].db = s->wdb;
        s->rdb = xap_db_open_read(path, &xe);
        if (!s->rdb) {
            set_err(err, errlen, "cannot open index %s for reading: %s", path, xe.msg);
            goto fail;
        }
    }
    s->an = an_new(aerr, sizeof aerr);
    if (!s->an) {
        set_err(err, errlen, "cannot create the text analyzer: %s%s", aerr, "");
        goto fail;
    }
    if (store_writer_start(s, err, errlen) != 0) goto fail;
    return s;
fail:
    store_close(s);
    return NULL;
}

void store_close(store *s) {
    if (!s) return;
    char err[STORE_ERRLEN];
    (void)store_writer_wait(s, err, sizeof err); /* a batch handed over is finished */
    store_writer_stop(s);
    if (s->sharded) store_shards_discard(s); /* not merged: the load is dropped */
    store_batch_free(&s->batch[0]);
    store_batch_free(&s->batch[1]);
    store_names_free(s);
    store_seen_free(&s->seen);
    an_free(s->an);
    xap_db_close(s->rdb);
    xap_db_close(s->wdb);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s->path);
    free(s);
}

/* Forgets everything not committed after a failed write: the batch whose
 * transaction failed never reached the index, and the current batch was
 * merged on top of its states (and may have taken names from it). */
static void drop_uncommitted(store *s) {
    store_batch_clear(s->flight);
    store_batch_clear(s->cur);
    s->fed = 0;
    store_names_free(s);
    s->rdb_fresh = 0;
}

/* Takes the writer's result for the batch in flight, if not taken yet. */
static int collect(store *s, char *err, size_t errlen) {
    char werr[STORE_ERRLEN];
    int rc = store_writer_wait(s, werr, sizeof werr);
    if (!s->in_flight) return 0;
    s->in_flight = 0;
    if (rc != 0) {
        set_err(err, errlen, "%s%s", werr, "");
        drop_uncommitted(s);
        return -1;
    }
    s->stats.batches++;
    s->stats.entities_written += s->flight->written;
    s->stats.entities_deleted += s->flight->deleted;
    s->stats.last_commit_ms = s->flight->commit_ms;
    return 0;
}

static int dead_raw(store *s, const char *reason, const char *data, size_t len,
                    const store_origin *o, char *err, size_t errlen) {
    return store_dead_letter(s, reason, NULL, data, len, o, err, errlen) != 0 ? -1 : 1;
}

static int dead_event(store *s, const char *reason, const char *raw, size_t rawlen,
                      const store_origin *o, char *err, size_t errlen) {
    return store_dead_letter_event(s, reason, raw, rawlen, o, err, errlen) != 0 ? -1 : 1;
}

/* Decodes and applies a parsed event: 0, 1 dead-lettered, 2 batch full, -1
 * fatal. `obj` is the parse of raw[0..rawlen), the caller's to free and
 * nobody else's: decoding unwraps its aspects in place (no copy), and a
 * dead letter parses the raw text again. */
static int feed_obj(store *s, json_t *obj, const char *raw, size_t rawlen, const store_origin *o,
                    char *err, size_t errlen) {
    ev_event ev;
    char reason[STORE_ERRLEN], term[STORE_TERM_CAP];
    reason[0] = '\0';
    if (ev_decode_owned(obj, &ev, reason, sizeof reason) != 0)
        return dead_event(s, reason[0] ? reason : "not a metadata event", raw, rawlen, o, err,
                          errlen);
    int rc, tlen = doc_id_term(ev.urn, term, sizeof term);
    if (tlen < 0)
        rc = dead_event(s, "URN too long for an id term", raw, rawlen, o, err, errlen);
    else
        rc = store_merge_event(s, &ev, store_urn_hash(term, (size_t)tlen), raw, rawlen, o, err,
                               errlen);
    ev_free(&ev);
    if (rc < 0) return -1;
    return s->fed >= s->opt.batch_events ? 2 : rc;
}

int store_feed(store *s, const char *data, size_t len, const store_origin *origin, char *err,
               size_t errlen) {
    s->stats.events_read++;
    s->fed++;
    if (len > EVENT_MAX_BYTES) {
        char reason[128];
        snprintf(reason, sizeof reason, "event larger than %u bytes", EVENT_MAX_BYTES);
        return dead_raw(s, reason, data, len, origin, err, errlen);
    }
    json_error_t je;
    json_t *obj = ev_json_load(data, len, 0, &je);
    if (!obj) {
        char reason[STORE_ERRLEN];
        snprintf(reason, sizeof reason, "invalid JSON: %s (line %d, column %d)", je.text,
                 je.line, je.column);
        return dead_raw(s, reason, data, len, origin, err, errlen);
    }
    int rc = feed_obj(s, obj, data, len, origin, err, errlen);
    json_decref(obj);
    return rc;
}

typedef struct split_ctx {
    store *s;
    const char *source;
    int64_t item;
    char *err;
    size_t errlen;
    int failed;
} split_ctx;

static int split_item(void *ctx, json_t *obj, const char *raw, size_t rawlen,
                      const char *parse_error) {
    split_ctx *c = ctx;
    store *s = c->s;
    store_origin o = {c->source, NULL, -1, ++c->item};
    s->stats.events_read++;
    s->fed++;
    int rc;
    if (!obj) {
        /* ev_split's reason already says what is wrong ("invalid JSON: ..."). */
        rc = dead_raw(s, parse_error ? parse_error : "invalid JSON", raw, rawlen, &o, c->err,
                      c->errlen);
    } else {
        rc = feed_obj(s, obj, raw, rawlen, &o, c->err, c->errlen);
    }
    if (rc == 2) rc = store_commit_async(s, c->err, c->errlen);
    if (rc < 0) {
        c->failed = 1;
        return 1;
    }
    return 0;
}

int store_feed_buffer(store *s, const char *buf, size_t len, const char *source, char *err,
                      size_t errlen) {
    split_ctx c = {s, source ? source : "", 0, err, errlen, 0};
    long n = ev_split(buf, len, split_item, &c);
    return (n < 0 || c.failed) ? -1 : 0;
}

int store_note_offset(store *s, const char *topic, int32_t partition, int64_t next_offset) {
    return store_batch_note_offset(s->cur, topic, partition, next_offset);
}

int store_commit_async(store *s, char *err, size_t errlen) {
    store_batch *b = s->cur;
    s->fed = 0;
    /* Nothing to write: still report the previous batch, as promised. */
    if (b->nent == 0 && b->noff == 0) return collect(s, err, errlen);
    if (store_merge_finish(s, err, errlen) != 0) {
        char ignored[STORE_ERRLEN];
        (void)collect(s, ignored, sizeof ignored);
        store_batch_clear(s->cur);
        return -1;
    }
    if (collect(s, err, errlen) != 0) return -1;
    store_batch *done = s->flight;
    store_batch_clear(done);
    s->flight = b;
    s->cur = done;
    s->in_flight = 1;
    s->rdb_fresh = 0; /* the next batch's reads must see the one just written */
    store_writer_submit(s);
    return 0;
}

int store_sync(store *s, char *err, size_t errlen) {
    return collect(s, err, errlen);
}

int store_commit(store *s, char *err, size_t errlen) {
    if (store_commit_async(s, err, errlen) != 0) return -1;
    return store_sync(s, err, errlen);
}

int store_finish(store *s, char *err, size_t errlen) {
    if (store_sync(s, err, errlen) != 0) return -1;
    if (!s->sharded) return 0;
    store_writer_stop(s);
    if (store_shards_merge(s, err, errlen) != 0) return -1;
    return store_writer_start(s, err, errlen);
}

size_t store_pending(const store *s) {
    return s->fed;
}

int store_writing(store *s) {
    pthread_mutex_lock(&s->mu);
    int busy = s->busy > 0;
    pthread_mutex_unlock(&s->mu);
    return busy;
}

/* Waits for the writer to be idle, so the writable handle may be used here.
 * Its result stays to be collected by the next commit or sync. */
static void writer_idle(store *s) {
    pthread_mutex_lock(&s->mu);
    while (s->busy) pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
}

int store_with_db(store *s, store_db_fn fn, void *arg, char *err, size_t errlen) {
    if (store_sync(s, err, errlen) != 0) return -1;
    if (s->sharded) {
        set_err(err, errlen, "%s: the index is being loaded in shards (store_finish first)%s",
                s->path, "");
        return -1;
    }
    xap_err xe;
    if (xap_db_begin_transaction(s->wdb, 1, &xe) != XAP_OK) {
        set_err(err, errlen, "starting a transaction on %s: %s", s->path, xe.msg);
        return -1;
    }
    int rc = fn(s->wdb, arg, err, errlen);
    if (rc == 0 && xap_db_commit_transaction(s->wdb, &xe) != XAP_OK) {
        set_err(err, errlen, "committing to %s: %s", s->path, xe.msg);
        rc = -1;
    }
    if (rc != 0) {
        xap_err ce;
        (void)xap_db_cancel_transaction(s->wdb, &ce); /* may already be cancelled by Xapian */
    }
    return rc;
}

int64_t store_committed_offset(store *s, const char *topic, int32_t partition) {
    char key[1024];
    int kl = snprintf(key, sizeof key, "offset/%s/%" PRId32, topic, partition);
    if (kl < 0 || (size_t)kl >= sizeof key) return -1;
    writer_idle(s);
    char *val = NULL;
    size_t len = 0;
    xap_err xe;
    if (xap_db_get_metadata(s->wdb, key, &val, &len, &xe) != XAP_OK) return -1;
    int64_t off = -1;
    if (len > 0) {
        char *end;
        long long v = strtoll(val, &end, 10);
        if (end != val && *end == '\0' && v >= 0) off = v;
    }
    free(val);
    return off;
}

uint64_t store_revision(store *s) {
    writer_idle(s);
    uint64_t rev = 0;
    xap_err xe;
    if (xap_db_revision(s->wdb, &rev, &xe) != XAP_OK) return 0;
    return rev;
}

uint32_t store_entity_count(store *s) {
    writer_idle(s);
    uint32_t n = 0;
    xap_err xe;
    if (xap_db_doccount(s->wdb, &n, &xe) != XAP_OK) return 0;
    return n;
}

const store_stats *store_get_stats(const store *s) {
    return &s->stats;
}
