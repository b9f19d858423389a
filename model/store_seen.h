/* store_seen.h — the URNs that may already have a document (a Bloom filter).
 *
 * Most entities of a bulk load are new. Reading an entity's state before
 * merging costs an index lookup, and replace_document costs a posting-list
 * lookup of its id term; for an entity that certainly has no document yet
 * both can be skipped (merge from an empty state, add_document). The filter
 * is filled with the id of every document in the index when the store
 * opens and with every URN the store writes afterwards: "absent" is certain,
 * "present" may be a false positive (then the index is asked). The size is
 * fixed at open, so memory stays bounded; as it fills up, false positives
 * grow and cost lookups, never correctness.
 */
#ifndef MDX_STORE_SEEN_H
#define MDX_STORE_SEEN_H

#include <stddef.h>
#include <stdint.h>

typedef struct store_seen {
    uint64_t *bits;
    uint64_t nbits; /* a power of two */
} store_seen;

/* Sizes the filter for about `expected` URNs. Returns 0, or -1 (no memory). */
int store_seen_init(store_seen *f, uint64_t expected);
void store_seen_free(store_seen *f);
void store_seen_add(store_seen *f, uint64_t hash);
/* 0: certainly never added; 1: maybe. */
int store_seen_maybe(const store_seen *f, uint64_t hash);

#endif
