/* store_urnmap.h — a hash map from URN strings to 32-bit indexes, for the
 * index writer (events grouped by entity, states in flight, owner names).
 *
 * Open addressing with linear probing and backward-shift deletion, so there
 * are no tombstones and lookups stay short however many removals happen.
 * Keys are not copied: the caller keeps each key alive while it is in the
 * map (they point into the batch's events or the name cache's entries).
 */
#ifndef MDX_STORE_URNMAP_H
#define MDX_STORE_URNMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct store_urnmap_slot {
    const char *key; /* NULL: empty */
    uint64_t hash;
    uint32_t val;
} store_urnmap_slot;

typedef struct store_urnmap {
    store_urnmap_slot *slots;
    size_t cap; /* a power of two, or 0 */
    size_t n;
} store_urnmap;

/* The 64-bit hash of `len` bytes used by the map (and the known-URN filter). */
uint64_t store_urn_hash(const char *s, size_t len);

void store_urnmap_init(store_urnmap *m);
void store_urnmap_free(store_urnmap *m);
/* Empties the map, keeping its memory. */
void store_urnmap_clear(store_urnmap *m);
/* Sets key → val (replacing). Returns 0, or -1 on allocation failure. */
int store_urnmap_put(store_urnmap *m, const char *key, uint32_t val);
/* 1 and *val if present, 0 if not. */
int store_urnmap_get(const store_urnmap *m, const char *key, uint32_t *val);
/* Removes key if present. */
void store_urnmap_del(store_urnmap *m, const char *key);

#endif
