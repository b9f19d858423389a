/* store_merge.c — turning the current batch into documents to write.
 *
 * For each entity the batch touches, in arrival order:
 *   1. what it was: from the batch in flight if that batch touched it (its
 *      state is not committed yet, so the index cannot tell), else from the
 *      index when the known-URN filter says it may be there, else nothing
 *      (a new entity: no read, and add_document instead of a replace);
 *   2. its events applied in order; one that does not apply is dead-lettered
 *      and the others still apply;
 *   3. its document built (after every entity is merged, so owners and
 *      containers renamed in this batch are looked up with their new names).
 * Runs in the caller's thread; only the read handle is used.
 */
#include <stdlib.h>
#include <string.h>

#include "model/aspects.h"
#include "model/docbuild.h"
#include "model/entity.h"
#include "model/store_impl.h"

static int dead_event(store *s, store_event *e, const char *reason, char *err, size_t errlen) {
    e->dead = 1;
    return store_dead_letter(s, reason, e->obj, NULL, 0, e->source, e->topic, e->partition,
                             e->offset, err, errlen);
}

/* Step 1: the entity's state before this batch. 0, or -1 fatal. */
static int load_previous(store *s, store_entity *e, json_t **state, char *err, size_t errlen) {
    *state = NULL;
    e->existed = 0;
    store_entity *fe = store_batch_find(s->flight, e->urn);
    if (fe && !fe->unknown) {
        e->existed = fe->state != NULL;
        if (fe->state && !(*state = json_deep_copy(fe->state))) {
            snprintf(err, errlen, "out of memory copying the state of %s", e->urn);
            return -1;
        }
        return 0;
    }
    if (!store_seen_maybe(&s->seen, e->hash)) return 0;
    int rc = store_read_state(s, e->urn, state, err, errlen);
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

/* Step 2: applies the entity's events. 0, or -1 fatal. */
static int apply_events(store *s, store_entity *e, json_t *state, char *err, size_t errlen) {
    store_batch *b = s->cur;
    char reason[STORE_ERRLEN];
    uint64_t ignored = 0;
    e->napplied = 0;
    for (uint32_t i = e->first; i != STORE_NONE; i = b->ev[i].next) {
        store_event *se = &b->ev[i];
        reason[0] = '\0';
        int r = entity_apply(&state, &se->ev, reason, sizeof reason);
        if (r < 0) {
            if (dead_event(s, se, reason[0] ? reason : "the event does not apply", err,
                           errlen) != 0) {
                json_decref(state);
                return -1;
            }
            continue;
        }
        if (r == ENT_DELETED && state) {
            json_decref(state);
            state = NULL;
        }
        e->napplied++;
        ignored += ignored_aspects(&se->ev);
    }
    e->state = state;
    s->stats.events_applied += e->napplied;
    s->stats.aspects_ignored += ignored;
    if (e->napplied == 0)
        e->action = STORE_ACT_NONE;
    else if (state)
        e->action = e->existed ? STORE_ACT_REPLACE : STORE_ACT_ADD;
    else
        e->action = e->existed ? STORE_ACT_DELETE : STORE_ACT_NONE;
    return 0;
}

/* Step 3: builds the entity's document. A document that cannot be built
 * dead-letters the entity's events and leaves its stored document alone.
 * 0, or -1 fatal. */
static int build_doc(store *s, store_entity *e, char *err, size_t errlen) {
    char reason[STORE_ERRLEN], why[STORE_ERRLEN + 64];
    store_names_trim(s);
    xap_doc *doc = xap_doc_new();
    if (!doc) {
        snprintf(err, errlen, "out of memory building the document of %s", e->urn);
        return -1;
    }
    reason[0] = '\0';
    if (doc_build(s->an, e->state, store_names_lookup, s, doc, reason, sizeof reason) == 0) {
        e->doc = doc;
        return 0;
    }
    xap_doc_free(doc);
    snprintf(why, sizeof why, "cannot build the document: %s",
             reason[0] ? reason : "unknown reason");
    store_batch *b = s->cur;
    for (uint32_t i = e->first; i != STORE_NONE; i = b->ev[i].next)
        if (!b->ev[i].dead && dead_event(s, &b->ev[i], why, err, errlen) != 0) return -1;
    s->stats.events_applied -= e->napplied;
    e->napplied = 0;
    e->action = STORE_ACT_NONE;
    e->unknown = 1;
    return 0;
}

int store_merge_batch(store *s, char *err, size_t errlen) {
    store_batch *b = s->cur;
    xap_err xe;
    int changed;
    if (b->nent && xap_db_reopen(s->rdb, &changed, &xe) != XAP_OK) {
        snprintf(err, errlen, "reopening the index for reading: %s", xe.msg);
        return -1;
    }
    for (size_t i = 0; i < b->nent; i++) {
        store_entity *e = &b->ent[i];
        json_t *state;
        if (load_previous(s, e, &state, err, errlen) != 0) return -1;
        if (apply_events(s, e, state, err, errlen) != 0) return -1;
        store_names_forget(s, e->urn);
    }
    for (size_t i = 0; i < b->nent; i++) {
        store_entity *e = &b->ent[i];
        if (e->action != STORE_ACT_ADD && e->action != STORE_ACT_REPLACE) continue;
        if (build_doc(s, e, err, errlen) != 0) return -1;
        if (e->action == STORE_ACT_ADD) store_seen_add(&s->seen, e->hash);
    }
    return 0;
}
