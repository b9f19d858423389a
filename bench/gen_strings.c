/* gen_strings.c — string arena and string → number map for the generator. */
#include "bench/gen_strings.h"

#include <stdlib.h>
#include <string.h>

#include "bench/gen_rand.h"

#define GEN_ARENA_CHUNK (4u << 20)

struct gen_arena_chunk {
    gen_arena_chunk *next;
    char data[];
};

const char *gen_arena_dup(gen_arena *a, const char *s, size_t n)
{
    if (!a->head || a->used + n + 1 > a->size) {
        size_t size = n + 1 > GEN_ARENA_CHUNK ? n + 1 : GEN_ARENA_CHUNK;
        gen_arena_chunk *c = malloc(sizeof *c + size);
        if (!c)
            return NULL;
        c->next = a->head;
        a->head = c;
        a->used = 0;
        a->size = size;
    }
    char *p = a->head->data + a->used;
    memcpy(p, s, n);
    p[n] = '\0';
    a->used += n + 1;
    return p;
}

void gen_arena_free(gen_arena *a)
{
    gen_arena_chunk *c = a->head;
    while (c) {
        gen_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used = a->size = 0;
}

static gen_strmap_slot *find(const gen_strmap *m, const char *key, size_t len, uint64_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        gen_strmap_slot *s = &m->slots[i];
        if (!s->key)
            return s;
        if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
            return s;
    }
}

uint32_t *gen_strmap_get(const gen_strmap *m, const char *key, size_t len)
{
    if (!m->cap)
        return NULL;
    gen_strmap_slot *s = find(m, key, len, gen_hash64(key, len, 0));
    return s->key ? &s->value : NULL;
}

static int grow(gen_strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    gen_strmap_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    gen_strmap old = *m;
    m->slots = slots;
    m->cap = cap;
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key)
            *find(m, old.slots[i].key, old.slots[i].len, old.slots[i].hash) = old.slots[i];
    free(old.slots);
    return 0;
}

uint32_t *gen_strmap_put(gen_strmap *m, const char *key, size_t len, uint32_t value, int *added)
{
    /* Keep the load under 1/2 so probes stay short. */
    if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
        return NULL;
    uint64_t h = gen_hash64(key, len, 0);
    gen_strmap_slot *s = find(m, key, len, h);
    if (added)
        *added = !s->key;
    if (!s->key) {
        s->key = key;
        s->len = (uint32_t)len;
        s->hash = h;
        s->value = value;
        m->n++;
    }
    return &s->value;
}

void gen_strmap_free(gen_strmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->n = 0;
}
