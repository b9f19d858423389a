/* bitmap_count.c — intersection counts with the popcount instruction (see
 * bitmap_count.h). */
#include "searchd/bitmap_count.h"

#include <pthread.h>
#include <stddef.h>

#ifdef HAVE_ROARING_CONTAINERS_0_2
#include <roaring/containers/containers.h>

static int has_popcnt;
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;

static void probe(void)
{
    __builtin_cpu_init();
    has_popcnt = __builtin_cpu_supports("popcnt");
}

/* Bits set in both 65536-bit chunks. */
__attribute__((target("popcnt"))) static uint64_t chunk_and_count(const uint64_t *x,
                                                                   const uint64_t *y)
{
    uint64_t n = 0;
    for (size_t i = 0; i < BITSET_CONTAINER_SIZE_IN_WORDS; i++)
        n += (uint64_t)__builtin_popcountll(x[i] & y[i]);
    return n;
}
#endif

uint64_t bm_and_cardinality(const roaring_bitmap_t *a, const roaring_bitmap_t *b)
{
#ifdef HAVE_ROARING_CONTAINERS_0_2
    pthread_once(&probe_once, probe);
    if (has_popcnt) {
        const roaring_array_t *ra = &a->high_low_container, *rb = &b->high_low_container;
        uint64_t n = 0;
        for (int32_t i = 0, j = 0; i < ra->size && j < rb->size;) {
            if (ra->keys[i] < rb->keys[j]) {
                i++;
                continue;
            }
            if (rb->keys[j] < ra->keys[i]) {
                j++;
                continue;
            }
            uint8_t ta = ra->typecodes[i], tb = rb->typecodes[j];
            const void *ca = container_unwrap_shared(ra->containers[i], &ta);
            const void *cb = container_unwrap_shared(rb->containers[j], &tb);
            if (ta == BITSET_CONTAINER_TYPE_CODE && tb == BITSET_CONTAINER_TYPE_CODE)
                n += chunk_and_count(((const bitset_container_t *)ca)->array,
                                     ((const bitset_container_t *)cb)->array);
            else
                n += (uint64_t)container_and_cardinality(ca, ta, cb, tb);
            i++;
            j++;
        }
        return n;
    }
#endif
    return roaring_bitmap_and_cardinality(a, b);
}
