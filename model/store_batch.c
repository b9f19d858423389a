/* store_batch.c — a batch of decoded events, grouped by entity URN.
 *
 * Events keep their arrival order; each entity keeps the chain of its own
 * events (first..last through store_event.next), so one entity touched by
 * many events of a batch is read once, merged once and written once.
 */
#include <stdlib.h>
#include <string.h>

#include "model/store_impl.h"

void store_batch_init(store_batch *b) {
    memset(b, 0, sizeof *b);
    store_urnmap_init(&b->byurn);
}

void store_batch_clear(store_batch *b) {
    for (size_t i = 0; i < b->nev; i++) {
        ev_free(&b->ev[i].ev);
        json_decref(b->ev[i].obj);
    }
    b->nev = 0;
    for (size_t i = 0; i < b->nent; i++) {
        json_decref(b->ent[i].state);
        xap_doc_free(b->ent[i].doc);
        free(b->ent[i].name);
    }
    b->nent = 0;
    store_urnmap_clear(&b->byurn);
    for (size_t i = 0; i < b->noff; i++) free(b->off[i].topic);
    b->noff = 0;
    for (size_t i = 0; i < b->nstrs; i++) free(b->strs[i]);
    b->nstrs = 0;
    b->written = b->deleted = 0;
    b->commit_ms = 0;
}

void store_batch_free(store_batch *b) {
    store_batch_clear(b);
    free(b->ev);
    free(b->ent);
    free(b->off);
    free(b->strs);
    store_urnmap_free(&b->byurn);
    store_batch_init(b);
}

/* Grows *v (of *cap elements of `size` bytes) to hold at least `need`. */
static int reserve(void **v, size_t *cap, size_t need, size_t size) {
    if (need <= *cap) return 0;
    size_t ncap = *cap ? *cap * 2 : 64;
    while (ncap < need) ncap *= 2;
    void *nv = realloc(*v, ncap * size);
    if (!nv) return -1;
    *v = nv;
    *cap = ncap;
    return 0;
}

/* The batch's copy of a source or topic name. Nearly every event of a batch
 * has the same one, so the last one is tried first. */
static const char *intern(store_batch *b, const char *s) {
    if (!s) return NULL;
    for (size_t i = b->nstrs; i-- > 0;)
        if (strcmp(b->strs[i], s) == 0) return b->strs[i];
    if (reserve((void **)&b->strs, &b->strcap, b->nstrs + 1, sizeof *b->strs) != 0) return NULL;
    char *c = strdup(s);
    if (!c) return NULL;
    b->strs[b->nstrs++] = c;
    return c;
}

int store_batch_add(store_batch *b, ev_event *ev, uint64_t hash, json_t *obj,
                    const store_origin *o) {
    if (reserve((void **)&b->ev, &b->evcap, b->nev + 1, sizeof *b->ev) != 0 ||
        reserve((void **)&b->ent, &b->entcap, b->nent + 1, sizeof *b->ent) != 0)
        return -1;
    const char *source = intern(b, o && o->source ? o->source : "");
    const char *topic = o && o->topic ? intern(b, o->topic) : NULL;
    if (!source || (o && o->topic && !topic)) return -1;

    uint32_t evi = (uint32_t)b->nev, enti;
    if (store_urnmap_get(&b->byurn, ev->urn, &enti)) {
        b->ev[b->ent[enti].last].next = evi;
        b->ent[enti].last = evi;
    } else {
        enti = (uint32_t)b->nent;
        store_entity *e = &b->ent[enti];
        memset(e, 0, sizeof *e);
        e->urn = ev->urn; /* stays valid: ev->urn is its own allocation */
        e->hash = hash;
        e->first = e->last = evi;
        if (store_urnmap_put(&b->byurn, e->urn, enti) != 0) return -1;
        b->nent++;
    }
    store_event *se = &b->ev[evi];
    se->ev = *ev;
    se->obj = json_incref(obj);
    se->source = source;
    se->topic = topic;
    se->partition = o ? o->partition : -1;
    se->offset = o ? o->offset : 0;
    se->next = STORE_NONE;
    b->nev++;
    memset(ev, 0, sizeof *ev); /* the batch owns its contents now */
    return 0;
}

int store_batch_note_offset(store_batch *b, const char *topic, int32_t partition, int64_t next) {
    for (size_t i = 0; i < b->noff; i++) {
        if (b->off[i].partition == partition && strcmp(b->off[i].topic, topic) == 0) {
            b->off[i].next = next;
            return 0;
        }
    }
    if (reserve((void **)&b->off, &b->offcap, b->noff + 1, sizeof *b->off) != 0) return -1;
    char *t = strdup(topic);
    if (!t) return -1;
    b->off[b->noff++] = (store_offset){t, partition, next};
    return 0;
}

store_entity *store_batch_find(const store_batch *b, const char *urn) {
    uint32_t i;
    return store_urnmap_get(&b->byurn, urn, &i) ? &b->ent[i] : NULL;
}
