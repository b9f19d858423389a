/* gen_rand.h — the corpus generator's own random numbers.
 *
 * A seeded xoshiro256** stream (seeded through splitmix64) and the few
 * distributions a catalog needs: uniform picks, Zipf ranks (popular nouns,
 * owners, tags) and Pareto magnitudes (usage). Never rand(): the same seed
 * must give the same bytes on every machine and libc.
 */
#ifndef MDX_GEN_RAND_H
#define MDX_GEN_RAND_H

#include <stddef.h>
#include <stdint.h>

typedef struct gen_rng {
    uint64_t s[4];
} gen_rng;

/* Seeds a stream; `stream` separates independent streams of one seed (the
 * catalog and the query mix), so drawing from one never shifts the other. */
void gen_rng_seed(gen_rng *r, uint64_t seed, uint64_t stream);

/* Inline: the generator draws a few hundred numbers per dataset. */
static inline uint64_t gen_rng_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t gen_rng_next(gen_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = gen_rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = gen_rng_rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1). */
static inline double gen_rng_unit(gen_rng *r)
{
    return (double)(gen_rng_next(r) >> 11) * 0x1.0p-53;
}
/* Uniform in [0, n); n > 0. */
uint32_t gen_rng_below(gen_rng *r, uint32_t n);
/* Uniform in [lo, hi] (inclusive). */
long gen_rng_range(gen_rng *r, long lo, long hi);
/* 1 with probability p. */
static inline int gen_rng_chance(gen_rng *r, double p) { return gen_rng_unit(r) < p; }
/* Pareto(xm, alpha): xm * U^(-1/alpha), so most draws sit near xm and a
 * few are orders of magnitude larger. */
double gen_rng_pareto(gen_rng *r, double xm, double alpha);
/* Index drawn from weights[0..n) (not all zero). */
size_t gen_rng_weighted(gen_rng *r, const unsigned *weights, size_t n);

/* Zipf over ranks 0..n-1: P(k) ∝ 1/(k+1)^s, by binary search in a CDF. */
typedef struct gen_zipf {
    double *cdf;
    size_t n;
} gen_zipf;

int gen_zipf_init(gen_zipf *z, size_t n, double s);
size_t gen_zipf_draw(const gen_zipf *z, gen_rng *r);
void gen_zipf_free(gen_zipf *z);

/* A 64-bit hash of bytes (FNV-1a folded through splitmix64's finaliser),
 * stable across runs: container ids and hash tables use it. */
uint64_t gen_hash64(const void *data, size_t len, uint64_t seed);

#endif
