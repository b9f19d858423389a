/* store_seen.c — the Bloom filter of URNs that may have a document (see store_seen.h). */
#include "model/store_seen.h"

#include <stdlib.h>

enum { SEEN_BITS_PER_URN = 16, SEEN_PROBES = 4 };
#define SEEN_MIN_BITS (1ull << 26)  /* 8 MB: 0.2% false positives at 4M URNs */
#define SEEN_MAX_BITS (1ull << 29)  /* 64 MB: past ~30M URNs, false positives grow */

int store_seen_init(store_seen *f, uint64_t expected) {
    uint64_t want = expected * SEEN_BITS_PER_URN, n = SEEN_MIN_BITS;
    while (n < want && n < SEEN_MAX_BITS) n <<= 1;
    f->bits = calloc(n / 64, sizeof *f->bits);
    f->nbits = f->bits ? n : 0;
    return f->bits ? 0 : -1;
}

void store_seen_free(store_seen *f) {
    free(f->bits);
    f->bits = NULL;
    f->nbits = 0;
}

/* Double hashing (Kirsch–Mitzenmacher): probe i is h1 + i*h2. */
void store_seen_add(store_seen *f, uint64_t hash) {
    uint64_t h1 = hash, h2 = (hash >> 32) | (hash << 32) | 1, mask = f->nbits - 1;
    for (int i = 0; i < SEEN_PROBES; i++) {
        uint64_t b = (h1 + (uint64_t)i * h2) & mask;
        f->bits[b >> 6] |= 1ull << (b & 63);
    }
}

int store_seen_maybe(const store_seen *f, uint64_t hash) {
    uint64_t h1 = hash, h2 = (hash >> 32) | (hash << 32) | 1, mask = f->nbits - 1;
    for (int i = 0; i < SEEN_PROBES; i++) {
        uint64_t b = (h1 + (uint64_t)i * h2) & mask;
        if (!(f->bits[b >> 6] & (1ull << (b & 63)))) return 0;
    }
    return 1;
}
