/* set_cache.h — match sets kept from one search to the next.
 *
 * A query tree's unions (a word's forms over the fields, its typo variants
 * and completions) are rebuilt by every search that holds the word.
 * Analysts' searches share words far more than whole queries (in the bench
 * mix, 32% of words repeat and 19% of queries), so the set of a union,
 * keyed by what it matches (match_eval.c writes the key), is kept here for
 * the next searches, the least recently used out first past a byte
 * budget, as Lucene's query cache keeps clauses. At 1M entities, warmed
 * by 2,000 other searches of the generator's mix, a 64 MB budget answered
 * 26% of lookups and took 9% off a search's CPU.
 *
 * One cache per docsets (docids are only meaningful within a revision).
 * Thread-safe; a set handed out is immutable and stays valid while held,
 * even when evicted meanwhile. Prefix sc_.
 */
#ifndef MDX_SEARCHD_SET_CACHE_H
#define MDX_SEARCHD_SET_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <roaring/roaring.h>

typedef struct set_cache set_cache;
typedef struct sc_entry sc_entry; /* a hold on a set: give it back with sc_release */

/* A cache of at most `budget` bytes of sets (0: keeps nothing). NULL when
 * out of memory. */
set_cache *sc_new(size_t budget);
/* Frees the cache; every hold must have been released. */
void sc_free(set_cache *c);

/* The set kept under key[0..len), held (*hold set), or NULL. */
const roaring_bitmap_t *sc_get(set_cache *c, const void *key, size_t len, sc_entry **hold);
/* Keeps `set` (taken over) under key and returns it held; when another
 * thread kept one under the same key first, that one is returned held and
 * `set` freed. NULL when the set is not kept (larger than the budget, or
 * out of memory): `set` then stays the caller's, and *hold is NULL. */
const roaring_bitmap_t *sc_put(set_cache *c, const void *key, size_t len, roaring_bitmap_t *set,
                               sc_entry **hold);
void sc_release(set_cache *c, sc_entry *hold);

typedef struct sc_stats {
    size_t sets, bytes;
    uint64_t hits, misses; /* sc_get answers */
} sc_stats;
void sc_get_stats(set_cache *c, sc_stats *out);

#endif
