/* gen_rand.c — xoshiro256** streams and the catalog's distributions. */
#include "bench/gen_rand.h"

#include <math.h>
#include <stdlib.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void gen_rng_seed(gen_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint32_t gen_rng_below(gen_rng *r, uint32_t n)
{
    /* Lemire's multiply-shift with rejection: unbiased without division. */
    uint64_t m = (uint64_t)(uint32_t)(gen_rng_next(r) >> 32) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (uint32_t)(-n) % n;
        while (low < threshold) {
            m = (uint64_t)(uint32_t)(gen_rng_next(r) >> 32) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

long gen_rng_range(gen_rng *r, long lo, long hi)
{
    return lo + (long)gen_rng_below(r, (uint32_t)(hi - lo + 1));
}

double gen_rng_pareto(gen_rng *r, double xm, double alpha)
{
    double u = 1.0 - gen_rng_unit(r); /* (0, 1]: never divides by zero */
    return xm * pow(u, -1.0 / alpha);
}

size_t gen_rng_weighted(gen_rng *r, const unsigned *weights, size_t n)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += weights[i];
    uint64_t x = (uint64_t)(gen_rng_unit(r) * (double)total);
    for (size_t i = 0; i < n; i++) {
        if (x < weights[i])
            return i;
        x -= weights[i];
    }
    return n - 1;
}

int gen_zipf_init(gen_zipf *z, size_t n, double s)
{
    z->n = n;
    z->cdf = malloc((n ? n : 1) * sizeof *z->cdf);
    if (!z->cdf)
        return -1;
    double acc = 0;
    for (size_t k = 0; k < n; k++) {
        acc += 1.0 / pow((double)(k + 1), s);
        z->cdf[k] = acc;
    }
    for (size_t k = 0; k < n; k++)
        z->cdf[k] /= acc;
    return 0;
}

size_t gen_zipf_draw(const gen_zipf *z, gen_rng *r)
{
    double u = gen_rng_unit(r);
    size_t lo = 0, hi = z->n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->cdf[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

void gen_zipf_free(gen_zipf *z)
{
    free(z->cdf);
    z->cdf = NULL;
    z->n = 0;
}

uint64_t gen_hash64(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL ^ seed;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return splitmix64(&h);
}
