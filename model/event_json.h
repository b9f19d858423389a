/* event_json.h — JSON event text into jansson values, in one pass.
 *
 * ev_json_load(buf, len, flags, err) returns what json_loadb(buf, len,
 * flags, err) returns — the same values, key order, integer and real types
 * — for the flags the indexer parses events with (0 and JSON_DECODE_ANY).
 * It scans the buffer directly and builds the values as it goes, where
 * jansson's lexer reads a character at a time through a stream and copies
 * every token into a buffer first: parsing is most of what the indexer's
 * reading thread does per event. Text it does not take — any error, and
 * what it leaves to jansson (nesting deeper than EV_JSON_MAX_DEPTH, integers
 * of more than 18 digits, long reals) — goes to json_loadb, so a bad event
 * gets jansson's own error message. Other flags go straight to json_loadb.
 */
#ifndef MDX_EVENT_JSON_H
#define MDX_EVENT_JSON_H

#include <jansson.h>
#include <stddef.h>

#define EV_JSON_MAX_DEPTH 512 /* deeper is parsed by jansson (it allows 2048) */

json_t *ev_json_load(const char *buf, size_t len, size_t flags, json_error_t *err);

#endif
