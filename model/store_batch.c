/* store_batch.c — a batch: the entities its events touched, by URN, and the
 * stream offsets it covers.
 *
 * Events are applied to their entity's state as they are fed, so a batch
 * holds one state per entity however many events touched it: each entity
 * is read once, merged in arrival order and written once.
 */
#include <stdlib.h>
#include <string.h>

#include "model/store_impl.h"

void store_batch_init(store_batch *b) {
    memset(b, 0, sizeof *b);
    store_urnmap_init(&b->byurn);
}

void store_batch_clear(store_batch *b) {
    for (size_t i = 0; i < b->nent; i++) {
        json_decref(b->ent[i].state);
        xap_doc_free(b->ent[i].doc);
        free(b->ent[i].urn);
        free(b->ent[i].name);
    }
    b->nent = 0;
    store_urnmap_clear(&b->byurn);
    for (size_t i = 0; i < b->noff; i++) free(b->off[i].topic);
    b->noff = 0;
    b->written = b->deleted = 0;
    b->commit_ms = 0;
}

void store_batch_free(store_batch *b) {
    store_batch_clear(b);
    free(b->ent);
    free(b->off);
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

store_entity *store_batch_find(const store_batch *b, const char *urn) {
    uint32_t i;
    return store_urnmap_get(&b->byurn, urn, &i) ? &b->ent[i] : NULL;
}

store_entity *store_batch_add(store_batch *b, const char *urn, uint64_t hash) {
    if (reserve((void **)&b->ent, &b->entcap, b->nent + 1, sizeof *b->ent) != 0) return NULL;
    store_entity *e = &b->ent[b->nent];
    memset(e, 0, sizeof *e);
    if (!(e->urn = strdup(urn))) return NULL;
    e->hash = hash;
    /* The map's key is the entity's own copy: it lives as long as the entry. */
    if (store_urnmap_put(&b->byurn, e->urn, (uint32_t)b->nent) != 0) {
        free(e->urn);
        return NULL;
    }
    b->nent++;
    return e;
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
