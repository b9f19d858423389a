/* gen_strings.h — where the generator keeps the strings it must remember.
 *
 * URNs and names of a million entities are kept for lineage, references and
 * the query mix: an arena of stable strings (never moved, freed at once) and
 * an open-addressing map from string to a number (index or count), used to
 * keep URNs unique and to count how often a name occurs.
 */
#ifndef MDX_GEN_STRINGS_H
#define MDX_GEN_STRINGS_H

#include <stddef.h>
#include <stdint.h>

typedef struct gen_arena_chunk gen_arena_chunk;
typedef struct gen_arena {
    gen_arena_chunk *head;
    size_t used, size; /* of the head chunk */
} gen_arena;

/* A NUL-terminated copy of s[0..n) that lives until gen_arena_free; NULL
 * when out of memory. */
const char *gen_arena_dup(gen_arena *a, const char *s, size_t n);
void gen_arena_free(gen_arena *a);

typedef struct gen_strmap_slot {
    const char *key; /* stable (arena or static) memory, not owned */
    uint32_t len;
    uint32_t value;
    uint64_t hash;
} gen_strmap_slot;

typedef struct gen_strmap {
    gen_strmap_slot *slots;
    size_t cap, n;
} gen_strmap;

/* The value stored for key, or NULL. */
uint32_t *gen_strmap_get(const gen_strmap *m, const char *key, size_t len);
/* Adds key (which must stay valid) with value; returns the value slot (the
 * existing one if key was present), NULL when out of memory. *added tells
 * which (may be NULL). */
uint32_t *gen_strmap_put(gen_strmap *m, const char *key, size_t len, uint32_t value, int *added);
void gen_strmap_free(gen_strmap *m);

#endif
