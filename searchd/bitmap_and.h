/* bitmap_and.h — the intersection of two bitmaps, sorted arrays merged
 * eight at a time with SSE4.2.
 *
 * Matching a query intersects each leaf's documents with the set allowed
 * so far, chunk by chunk; most chunks of such sets are sorted arrays of
 * 16-bit docids. Debian's CRoaring is built for any x86-64, so it merges
 * two arrays one element at a time (intersect_uint16: 7-9% of a search's
 * CPU at 1M entities). Where CRoaring's 0.2 containers can be read
 * (configure's HAVE_ROARING_CONTAINERS_0_2) and the CPU has SSE4.2, two
 * arrays of comparable sizes are intersected here with the string
 * comparison instruction (PCMPESTRM: which of eight docids are among eight
 * others), as CRoaring does when built for such CPUs; every other pair of
 * chunks by CRoaring.
 */
#ifndef MDX_SEARCHD_BITMAP_AND_H
#define MDX_SEARCHD_BITMAP_AND_H

#include <roaring/roaring.h>

/* roaring_bitmap_and(a, b): a new bitmap, NULL when out of memory. */
roaring_bitmap_t *bm_and(const roaring_bitmap_t *a, const roaring_bitmap_t *b);

#endif
