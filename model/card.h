/* card.h — what a search hit shows of an entity, stored beside its state.
 *
 * Rendering a hit from the stored state means reading, inflating and
 * parsing ~10-20 KB of JSON (the schema's columns, usage buckets) and
 * summarising it, for a dozen fields: at 1M entities a sixth of a
 * search's CPU. The document builder therefore also stores the summary's
 * display fields in value slot SLOT_CARD, in a binary form searchd reads
 * in place: the URN, type, names, platform, origin, description,
 * container, owners, tags, glossary terms, domains, subtypes, popularity
 * and the removed flag. Columns are not in it: a hit whose columns matched
 * the query is rendered from the state. An index written before cards
 * existed has none, and its hits are rendered from the state as before.
 *
 * Layout (little-endian): the byte CARD_VERSION; the strings urn, type,
 * name, qualified_name, urn_name, platform, origin, description, container,
 * each a u32 length (CARD_NULL: absent) then its bytes and a NUL; the lists
 * owners, tags, terms, domains, subtypes, each a u32 count then as many
 * strings; usage_queries as an IEEE double; removed as one byte.
 */
#ifndef MDX_CARD_H
#define MDX_CARD_H

#include <stddef.h>
#include <stdint.h>

#include "model/summary.h"

#define CARD_VERSION 1
#define CARD_NULL 0xffffffffu

/* The card of s into *buf (grown with realloc; *cap its size; both may
 * start NULL/0), *len bytes. Returns 0, or -1 out of memory. */
int card_write(const summary *s, char **buf, size_t *cap, size_t *len);

/* Reads the card data[0..len) into *out: its strings point into data,
 * which must outlive *out unchanged; its lists are malloc'd (summary_free
 * frees them). No columns. Returns 0, or -1 when the card is malformed or
 * of another version (*out is then empty). */
int card_read(const char *data, size_t len, summary *out);

#endif
