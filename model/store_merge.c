/* store_merge.c — applying events to the states of the current batch, and
 * building its documents.
 *
 * The first event of an entity in a batch brings in what the entity was:
 *   - from the batch in flight, if that batch touched it (its state is not
 *     committed yet, so the index cannot tell);
 *   - else from the index, when the known-URN filter says it may be there;
 *   - else nothing: a new entity (no read, and add_document at commit).
 * Each event is then applied at once, in arrival order, and freed by the
 * caller: a batch holds one state per entity, not its events. An event
 * that does not apply is dead-lettered (with the event itself) and the
 * entity's other events still apply. At commit, each entity's document is
 * built once from its final state (after every entity of the batch is
 * merged, so owners and containers renamed in this batch are looked up with
 * their new names).
 * Runs in the caller's thread; only the read handle is used.
 */
#include <stdlib.h>
#include <string.h>

#include "model/aspects.h"
#include "model/docbuild.h"
#include "model/entity.h"
#include "model/store_impl.h"

/* The entity's state before this batch, into e->state / e->existed. 0, or -1 fatal. */
static int load_previous(store *s, store_entity *e, char *err, size_t errlen) {
    e->state = NULL;
    e->existed = 0;
    store_entity *fe = store_batch_find(s->flight, e->urn);
    if (fe) {
        e->existed = fe->state != NULL;
        if (fe->state && !(e->state = json_deep_copy(fe->state))) {
            snprintf(err, errlen, "out of memory copying the state of %s", e->urn);
            return -1;
        }
        return 0;
    }
    if (!store_seen_maybe(&s->seen, e->hash)) return 0;
    if (store_refresh_reader(s, err, errlen) != 0) return -1;
    int rc = store_read_state(s->rdb, e->urn, &e->state, err, errlen);
    if (rc < 0) return -1;
    /* rc 2: a document whose data is not a state; it is rebuilt from the events. */
    e->existed = rc != 0;
    return 0;
}

static uint64_t ignored_aspects(const ev_event *ev) {
    uint64_t n = 0;
    for (size_t i = 0; i < ev->naspects; i++)
        if (aspect_lookup(ev->aspects[i].name) == ASPECT_UNKNOWN) n++;
    return n;
}

int store_merge_event(store *s, const ev_event *ev, uint64_t hash, const char *raw, size_t rawlen,
                      const store_origin *o, char *err, size_t errlen) {
    store_entity *e = store_batch_find(s->cur, ev->urn);
    if (!e) {
        if (!(e = store_batch_add(s->cur, ev->urn, hash))) {
            snprintf(err, errlen, "out of memory adding %s to the batch", ev->urn);
            return -1;
        }
        if (load_previous(s, e, err, errlen) != 0) return -1;
    }
    char reason[STORE_ERRLEN];
    reason[0] = '\0';
    int r = entity_apply(&e->state, ev, reason, sizeof reason);
    if (r < 0) {
        if (store_dead_letter_event(s, reason[0] ? reason : "the event does not apply", raw, rawlen,
                              o, err, errlen) != 0)
            return -1;
        return 1;
    }
    e->napplied++;
    s->stats.events_applied++;
    s->stats.aspects_ignored += ignored_aspects(ev);
    return 0;
}

static int build_doc(store *s, store_entity *e, char *err, size_t errlen) {
    store_names_trim(s);
    if (!(e->doc = xap_doc_new())) {
        snprintf(err, errlen, "out of memory building the document of %.300s", e->urn);
        return -1;
    }
    char reason[STORE_ERRLEN];
    reason[0] = '\0';
    if (doc_build(s->an, e->state, store_names_lookup, s, e->doc, reason, sizeof reason) != 0) {
        /* Only for want of memory: the batch fails like a failed write. */
        snprintf(err, errlen, "building the document of %.300s: %s", e->urn, reason);
        return -1;
    }
    return 0;
}

int store_merge_finish(store *s, char *err, size_t errlen) {
    store_batch *b = s->cur;
    store_names_forget_batch(s, b);
    for (size_t i = 0; i < b->nent; i++) {
        store_entity *e = &b->ent[i];
        if (e->napplied == 0)
            e->action = STORE_ACT_NONE;
        else if (e->state)
            e->action = e->existed ? STORE_ACT_REPLACE : STORE_ACT_ADD;
        else
            e->action = e->existed ? STORE_ACT_DELETE : STORE_ACT_NONE;
    }
    for (size_t i = 0; i < b->nent; i++) {
        store_entity *e = &b->ent[i];
        if (e->action != STORE_ACT_ADD && e->action != STORE_ACT_REPLACE) continue;
        if (build_doc(s, e, err, errlen) != 0) return -1;
        /* Once written, it may exist: later batches must look before adding. */
        if (e->action == STORE_ACT_ADD) store_seen_add(&s->seen, e->hash);
    }
    return 0;
}
