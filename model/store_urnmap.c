/* store_urnmap.c — the index writer's URN → index hash map (see store_urnmap.h). */
#include "model/store_urnmap.h"

#include <stdlib.h>
#include <string.h>

uint64_t store_urn_hash(const char *s, size_t len) {
    /* FNV-1a, then a splitmix64 finaliser: FNV alone leaves the low bits of
     * URNs that differ only in their last characters poorly mixed. */
    uint64_t h = 0xcbf29ce484222325ull;
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    for (; p < end; p++) {
        h ^= *p;
        h *= 0x100000001b3ull;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

void store_urnmap_init(store_urnmap *m) {
    m->slots = NULL;
    m->cap = 0;
    m->n = 0;
}

void store_urnmap_free(store_urnmap *m) {
    free(m->slots);
    store_urnmap_init(m);
}

void store_urnmap_clear(store_urnmap *m) {
    if (m->slots) memset(m->slots, 0, m->cap * sizeof *m->slots);
    m->n = 0;
}

static void insert_slot(store_urnmap_slot *slots, size_t cap, const store_urnmap_slot *s) {
    size_t i = (size_t)s->hash & (cap - 1);
    while (slots[i].key) i = (i + 1) & (cap - 1);
    slots[i] = *s;
}

static int grow(store_urnmap *m) {
    size_t ncap = m->cap ? m->cap * 2 : 64;
    store_urnmap_slot *ns = calloc(ncap, sizeof *ns);
    if (!ns) return -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key) insert_slot(ns, ncap, &m->slots[i]);
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return 0;
}

static size_t find(const store_urnmap *m, const char *key, uint64_t h) {
    size_t i = (size_t)h & (m->cap - 1);
    while (m->slots[i].key) {
        if (m->slots[i].hash == h && strcmp(m->slots[i].key, key) == 0) return i;
        i = (i + 1) & (m->cap - 1);
    }
    return i; /* the empty slot where it would go */
}

int store_urnmap_put(store_urnmap *m, const char *key, uint32_t val) {
    /* Load factor kept at most 1/2: probes stay short. */
    if ((m->n + 1) * 2 > m->cap && grow(m) != 0) return -1;
    uint64_t h = store_urn_hash(key, strlen(key));
    size_t i = find(m, key, h);
    if (!m->slots[i].key) {
        m->slots[i].key = key;
        m->slots[i].hash = h;
        m->n++;
    }
    m->slots[i].val = val;
    return 0;
}

int store_urnmap_get(const store_urnmap *m, const char *key, uint32_t *val) {
    if (m->n == 0) return 0;
    size_t i = find(m, key, store_urn_hash(key, strlen(key)));
    if (!m->slots[i].key) return 0;
    *val = m->slots[i].val;
    return 1;
}

void store_urnmap_del(store_urnmap *m, const char *key) {
    if (m->n == 0) return;
    size_t mask = m->cap - 1;
    size_t i = find(m, key, store_urn_hash(key, strlen(key)));
    if (!m->slots[i].key) return;
    /* Backward shift: move later members of the probe run into the hole
     * when their home slot is at or before it. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!m->slots[j].key) break;
        size_t home = (size_t)m->slots[j].hash & mask;
        int movable = (i <= j) ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            m->slots[i] = m->slots[j];
            i = j;
        }
    }
    m->slots[i].key = NULL;
    m->n--;
}
