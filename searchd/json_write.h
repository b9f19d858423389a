/* json_write.h — a jansson value as compact JSON text, fast.
 *
 * Every answer searchd gives is a jansson value dumped once. json_dumps
 * decodes each string code point by code point and hands the text over in
 * small pieces through a callback: at 1M entities it was 5% of a search's
 * CPU, for answers of ~20 KB. This writer copies runs of plain bytes whole
 * into one growing buffer and checks UTF-8 only where a byte is not ASCII.
 * Its output is byte for byte json_dumps(v, JSON_COMPACT)'s (keys in
 * insertion order, reals as "%.17g" with ".0" added to integral ones and
 * the exponent's '+' and leading zeros dropped, control characters as
 * \uXXXX), which tests/unit/test_json_write.c checks on random values. Like
 * json_dumps it refuses text that is not UTF-8; it also refuses nesting
 * past 2048, where json_dumps would recurse on.
 * Prefix jw_.
 */
#ifndef MDX_SEARCHD_JSON_WRITE_H
#define MDX_SEARCHD_JSON_WRITE_H

#include <jansson.h>
#include <stddef.h>

/* The text of v followed by `tail` (NUL-terminated, may be ""), malloc'd;
 * its length without the final NUL in *len. NULL when v cannot be written
 * (not UTF-8, too deep, a real that is not finite) or out of memory. */
char *jw_dumps(const json_t *v, const char *tail, size_t *len);

#endif
