/* set_cache.c — match sets kept from one search to the next (see
 * set_cache.h). One mutex over a chained hash table and an LRU list: a
 * lookup is a hash of the key and a compare, far cheaper than the unions
 * it spares, so the lock is held only briefly. */
#include "searchd/set_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct sc_entry {
    uint64_t hash;
    unsigned char *key;
    size_t len;
    roaring_bitmap_t *set;
    size_t bytes;              /* the set's and the key's */
    unsigned holds;            /* under the cache's lock */
    int evicted;               /* out of the table: freed by the last release */
    sc_entry *chain;           /* next in the bucket */
    sc_entry *newer, *older;   /* the LRU list */
};

struct set_cache {
    pthread_mutex_t mu;
    size_t budget, bytes, nsets;
    sc_entry **buckets;
    size_t nbuckets; /* a power of two, at least nsets */
    sc_entry *newest, *oldest;
    uint64_t hits, misses;
};

static uint64_t key_hash(const void *key, size_t len)
{
    const unsigned char *p = key;
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

set_cache *sc_new(size_t budget)
{
    set_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->nbuckets = 256;
    if (!(c->buckets = calloc(c->nbuckets, sizeof *c->buckets))) {
        free(c);
        return NULL;
    }
    pthread_mutex_init(&c->mu, NULL);
    c->budget = budget;
    return c;
}

static void entry_free(sc_entry *e)
{
    roaring_bitmap_free(e->set);
    free(e->key);
    free(e);
}

void sc_free(set_cache *c)
{
    if (!c)
        return;
    for (sc_entry *e = c->newest, *next; e; e = next) {
        next = e->older;
        entry_free(e);
    }
    free(c->buckets);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static sc_entry **slot_of(set_cache *c, uint64_t hash, const void *key, size_t len)
{
    sc_entry **p = &c->buckets[hash & (c->nbuckets - 1)];
    while (*p && !((*p)->hash == hash && (*p)->len == len && memcmp((*p)->key, key, len) == 0))
        p = &(*p)->chain;
    return p;
}

static void lru_unlink(set_cache *c, sc_entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void lru_push(set_cache *c, sc_entry *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest)
        c->newest->newer = e;
    else
        c->oldest = e;
    c->newest = e;
}

/* Out of the table and the list; freed now, or by its last release. */
static void evict(set_cache *c, sc_entry *e)
{
    sc_entry **p = slot_of(c, e->hash, e->key, e->len);
    *p = e->chain;
    lru_unlink(c, e);
    c->bytes -= e->bytes;
    c->nsets--;
    if (e->holds)
        e->evicted = 1;
    else
        entry_free(e);
}

/* More buckets as sets come in (kept at most one set a bucket on average). */
static void grow(set_cache *c)
{
    size_t n = c->nbuckets * 2;
    sc_entry **b = calloc(n, sizeof *b);
    if (!b)
        return; /* longer chains, still correct */
    for (size_t i = 0; i < c->nbuckets; i++)
        for (sc_entry *e = c->buckets[i], *next; e; e = next) {
            next = e->chain;
            e->chain = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    free(c->buckets);
    c->buckets = b;
    c->nbuckets = n;
}

const roaring_bitmap_t *sc_get(set_cache *c, const void *key, size_t len, sc_entry **hold)
{
    uint64_t h = key_hash(key, len);
    pthread_mutex_lock(&c->mu);
    sc_entry *e = *slot_of(c, h, key, len);
    if (e) {
        e->holds++;
        lru_unlink(c, e);
        lru_push(c, e);
        c->hits++;
    } else {
        c->misses++;
    }
    pthread_mutex_unlock(&c->mu);
    *hold = e;
    return e ? e->set : NULL;
}

const roaring_bitmap_t *sc_put(set_cache *c, const void *key, size_t len, roaring_bitmap_t *set,
                               sc_entry **hold)
{
    *hold = NULL;
    roaring_bitmap_shrink_to_fit(set); /* kept long: no slack */
    size_t bytes = roaring_bitmap_size_in_bytes(set) + len + sizeof(sc_entry);
    if (bytes > c->budget)
        return NULL;
    sc_entry *e = malloc(sizeof *e);
    unsigned char *k = malloc(len ? len : 1);
    if (!e || !k) {
        free(e);
        free(k);
        return NULL;
    }
    memcpy(k, key, len);
    *e = (sc_entry){.hash = key_hash(key, len), .key = k, .len = len, .set = set,
                    .bytes = bytes, .holds = 1};
    pthread_mutex_lock(&c->mu);
    sc_entry **p = slot_of(c, e->hash, key, len);
    if (*p) {
        /* Another search kept the same set meanwhile: share that one. */
        sc_entry *kept = *p;
        kept->holds++;
        pthread_mutex_unlock(&c->mu);
        free(e->key);
        free(e);
        roaring_bitmap_free(set);
        *hold = kept;
        return kept->set;
    }
    *p = e;
    lru_push(c, e);
    c->bytes += bytes;
    c->nsets++;
    while (c->bytes > c->budget && c->oldest != e)
        evict(c, c->oldest);
    if (c->nsets > c->nbuckets)
        grow(c);
    pthread_mutex_unlock(&c->mu);
    *hold = e;
    return set;
}

void sc_release(set_cache *c, sc_entry *hold)
{
    if (!hold)
        return;
    pthread_mutex_lock(&c->mu);
    int gone = --hold->holds == 0 && hold->evicted;
    pthread_mutex_unlock(&c->mu);
    if (gone)
        entry_free(hold);
}

void sc_get_stats(set_cache *c, sc_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    *out = (sc_stats){c->nsets, c->bytes, c->hits, c->misses};
    pthread_mutex_unlock(&c->mu);
}
