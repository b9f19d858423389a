/* bitmap_and.c — bitmap intersection with SSE4.2 array merging (see
 * bitmap_and.h). */
#include "searchd/bitmap_and.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#ifdef HAVE_ROARING_CONTAINERS_0_2
#include <nmmintrin.h>

#include "searchd/bitmap_pairs.h"

/* Arrays this many times longer than the other are galloped through by
 * CRoaring (intersect_skewed_uint16), as its own intersection does. */
#define AND_SKEW 64

static int has_sse42;
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
/* For each mask of 8 lanes, the bytes that move the set lanes of a vector
 * of eight 16-bit values to its front (0x80: zero). */
static uint8_t compact[256][16];

static void probe(void)
{
    __builtin_cpu_init();
    has_sse42 = __builtin_cpu_supports("sse4.2");
    for (unsigned m = 0; m < 256; m++) {
        unsigned k = 0;
        memset(compact[m], 0x80, sizeof compact[m]);
        for (unsigned lane = 0; lane < 8; lane++)
            if (m & (1u << lane)) {
                compact[m][2 * k] = (uint8_t)(2 * lane);
                compact[m][2 * k + 1] = (uint8_t)(2 * lane + 1);
                k++;
            }
    }
}

/* The values in both sorted arrays a[0..na) and b[0..nb), into out, which
 * has room for the smaller count plus 8 (whole vectors are stored). Blocks
 * of eight are compared whole; the block whose last value is smaller moves
 * on (both when equal), so every pair of values that could be equal meets,
 * and each value of a is written at most once, in order. */
__attribute__((target("sse4.2"))) static int32_t merge16(const uint16_t *a, size_t na,
                                                         const uint16_t *b, size_t nb,
                                                         uint16_t *out)
{
    size_t i = 0, j = 0, ea = na / 8 * 8, eb = nb / 8 * 8;
    int32_t n = 0;
    if (ea > 0 && eb > 0) {
        __m128i va = _mm_loadu_si128((const __m128i *)a);
        __m128i vb = _mm_loadu_si128((const __m128i *)b);
        for (;;) {
            /* Bit k: lane k of va equals some lane of vb. */
            __m128i r = _mm_cmpestrm(vb, 8, va, 8,
                                     _SIDD_UWORD_OPS | _SIDD_CMP_EQUAL_ANY | _SIDD_BIT_MASK);
            unsigned m = (unsigned)_mm_cvtsi128_si32(r) & 0xff;
            if (m) {
                __m128i sel = _mm_loadu_si128((const __m128i *)compact[m]);
                _mm_storeu_si128((__m128i *)(out + n), _mm_shuffle_epi8(va, sel));
                n += __builtin_popcount(m);
            }
            uint16_t amax = a[i + 7], bmax = b[j + 7];
            if (amax <= bmax) {
                i += 8;
                if (i == ea)
                    break;
                va = _mm_loadu_si128((const __m128i *)(a + i));
            }
            if (bmax <= amax) {
                j += 8;
                if (j == eb)
                    break;
                vb = _mm_loadu_si128((const __m128i *)(b + j));
            }
        }
    }
    while (i < na && j < nb) {
        if (a[i] < b[j]) {
            i++;
        } else if (b[j] < a[i]) {
            j++;
        } else {
            out[n++] = a[i];
            i++;
            j++;
        }
    }
    return n;
}

/* Two array chunks of comparable sizes, or NULL when out of memory. */
static array_container_t *arrays_and(const array_container_t *x, const array_container_t *y)
{
    int32_t least = x->cardinality < y->cardinality ? x->cardinality : y->cardinality;
    array_container_t *r = array_container_create_given_capacity(least + 8);
    if (r)
        r->cardinality = merge16(x->array, (size_t)x->cardinality, y->array,
                                 (size_t)y->cardinality, r->array);
    return r;
}
#endif

roaring_bitmap_t *bm_and(const roaring_bitmap_t *a, const roaring_bitmap_t *b)
{
#ifdef HAVE_ROARING_CONTAINERS_0_2
    pthread_once(&probe_once, probe);
    if (has_sse42) {
        const roaring_array_t *ra = &a->high_low_container, *rb = &b->high_low_container;
        roaring_bitmap_t *r =
            roaring_bitmap_create_with_capacity((uint32_t)(ra->size < rb->size ? ra->size : rb->size));
        if (!r)
            return NULL;
        roaring_bitmap_set_copy_on_write(
            r, roaring_bitmap_get_copy_on_write(a) && roaring_bitmap_get_copy_on_write(b));
        bm_pair p;
        for (int32_t i = 0, j = 0; bm_next_pair(ra, rb, &i, &j, &p);) {
            uint8_t tr = 0;
            void *c;
            if (p.ta == ARRAY_CONTAINER_TYPE_CODE && p.tb == ARRAY_CONTAINER_TYPE_CODE &&
                ((const array_container_t *)p.ca)->cardinality / AND_SKEW <
                    ((const array_container_t *)p.cb)->cardinality + 1 &&
                ((const array_container_t *)p.cb)->cardinality / AND_SKEW <
                    ((const array_container_t *)p.ca)->cardinality + 1) {
                c = arrays_and(p.ca, p.cb);
                tr = ARRAY_CONTAINER_TYPE_CODE;
            } else {
                c = container_and(p.ca, p.ta, p.cb, p.tb, &tr);
            }
            if (!c) {
                roaring_bitmap_free(r);
                return NULL;
            }
            if (container_nonzero_cardinality(c, tr))
                ra_append(&r->high_low_container, p.key, c, tr);
            else
                container_free(c, tr);
        }
        return r;
    }
#endif
    return roaring_bitmap_and(a, b);
}
