/* card.h — what a search hit shows of an entity, stored beside its state.
 *
 * Rendering a hit from the stored state means reading, inflating and
 * parsing ~10-20 KB of JSON (the schema with its tags, usage buckets,
 * lineage) and summarising it, for a dozen fields and the columns' names,
 * types and descriptions: at 1M entities a sixth of a search's CPU. The
 * document builder therefore also stores those in value slot SLOT_CARD, in
 * a binary form searchd reads in place (~1 KB for a table of 20 columns).
 * An index written before cards existed has none, and its hits are
 * rendered from the state as before.
 *
 * Layout (little-endian): the byte CARD_VERSION; the strings urn, type,
 * name, qualified_name, urn_name, platform, origin, description, container,
 * each a u32 length (CARD_NULL: absent) then its bytes and a NUL; the lists
 * owners, tags, terms, domains, subtypes, each a u32 count then as many
 * strings; a u32 count of columns, each its path, native type and
 * description; usage_queries as an IEEE double; removed as one byte.
 */
#ifndef MDX_CARD_H
#define MDX_CARD_H

#include <stddef.h>
#include <stdint.h>

#include "model/summary.h"

#define CARD_VERSION 2
#define CARD_NULL 0xffffffffu

/* The card of s into *buf (grown with realloc; *cap its size; both may
 * start NULL/0), *len bytes. Returns 0, or -1 out of memory. */
int card_write(const summary *s, char **buf, size_t *cap, size_t *len);

/* Reads the card data[0..len) into *out: its strings point into data,
 * which must outlive *out unchanged; its lists and columns are malloc'd
 * (summary_free frees them; the columns have no tags or terms). Returns 0,
 * or -1 when the card is malformed or of another version (*out is then
 * empty). */
int card_read(const char *data, size_t len, summary *out);

#endif
