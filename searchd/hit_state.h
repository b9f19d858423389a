/* hit_state.h — a hit's stored entity state, read and summarised.
 *
 * Rendering a hit means reading its card (model/card.h), or, in an index
 * written before cards, reading its stored state (compact JSON), parsing
 * it and summarising it. Each hit's state is read for the page it is on and
 * freed right after, in the thread's JSON arena when searchd installed
 * one. (A per-thread cache of parsed states, kept until
 * evicted, was measured at 1M entities to cost a search ~1 ms more than it
 * saved: freeing a parsed state long after parsing it, its memory cold,
 * cost more than parsing it again, and a mix of searches rarely shows the
 * same entity twice on one worker.)
 */
#ifndef MDX_SEARCHD_HIT_STATE_H
#define MDX_SEARCHD_HIT_STATE_H

#include <jansson.h>

#include "model/summary.h"
#include "xapian-shim/xap.h"

typedef struct hit_state {
    json_t *state;
    char *card;  /* or the card read (model/card.h) */
    summary sum; /* points into state or card */
    int arena;   /* state was parsed into the thread's arena (json_arena.h) */
} hit_state;

/* Reads, parses and summarises document `id` through `db` into *out.
 * Returns XAP_OK, an XAP_E_* code from reading (XAP_E_MODIFIED: the
 * document is gone, the caller reopens and retries), or XAP_E_GENERIC with
 * a reason in err when the stored state cannot be read. */
int hs_load(xap_db *db, xap_docid id, hit_state *out, char *err, size_t errlen);
/* hs_load from the document's card: returns XAP_OK, 1 when it has no
 * readable card (an index written before cards; hs_load then reads the
 * state), or an XAP_E_* code with a reason. The columns have no tags or
 * terms (a hit shows neither). */
int hs_load_card(xap_db *db, xap_docid id, hit_state *out, char *err, size_t errlen);
void hs_free(hit_state *s);

#endif
