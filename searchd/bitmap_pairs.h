/* bitmap_pairs.h — the chunks two bitmaps share, read through CRoaring
 * 0.2's containers (configure's HAVE_ROARING_CONTAINERS_0_2): the walk
 * both fast paths (bitmap_and.c, bitmap_count.c) make. */
#ifndef MDX_SEARCHD_BITMAP_PAIRS_H
#define MDX_SEARCHD_BITMAP_PAIRS_H

#ifdef HAVE_ROARING_CONTAINERS_0_2
#include <roaring/containers/containers.h>
#include <roaring/roaring.h>

/* A chunk of 65536 docids both bitmaps hold: its key and each side's
 * container and type, shared containers unwrapped. */
typedef struct bm_pair {
    uint16_t key;
    uint8_t ta, tb;
    const void *ca, *cb;
} bm_pair;

/* The next shared chunk from positions *i and *j (start both at 0): 1
 * with *p filled and both positions past it, 0 when there is none. */
static inline int bm_next_pair(const roaring_array_t *ra, const roaring_array_t *rb, int32_t *i,
                               int32_t *j, bm_pair *p)
{
    while (*i < ra->size && *j < rb->size) {
        if (ra->keys[*i] < rb->keys[*j]) {
            (*i)++;
        } else if (rb->keys[*j] < ra->keys[*i]) {
            (*j)++;
        } else {
            p->key = ra->keys[*i];
            p->ta = ra->typecodes[*i];
            p->tb = rb->typecodes[*j];
            p->ca = container_unwrap_shared(ra->containers[*i], &p->ta);
            p->cb = container_unwrap_shared(rb->containers[*j], &p->tb);
            (*i)++;
            (*j)++;
            return 1;
        }
    }
    return 0;
}
#endif

#endif
