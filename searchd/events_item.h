/* events_item.h — one event of a POST /v1/events request and its outcome.
 *
 * The handler cuts the body into items (ev_split), validates each with the
 * model's decoder, and hands the valid ones to the configured writer (the
 * Kafka publisher or the in-process store); each writer records what became
 * of every item here, and the answer lists them in request order.
 */
#ifndef MDX_SEARCHD_EVENTS_ITEM_H
#define MDX_SEARCHD_EVENTS_ITEM_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    EVENT_VALID = 0, /* decoded; not handed to a writer yet */
    EVENT_REJECTED,  /* unusable (reason says why): not published, not applied */
    EVENT_PENDING,   /* published, not known to be searchable yet */
    EVENT_APPLIED,   /* committed to the index: the next search sees it */
    EVENT_FAILED,    /* valid, but could not be published or committed: retry it */
} event_status;

typedef struct event_item {
    size_t index;    /* position in the request, from 0 */
    const char *raw; /* the event's text, borrowed from the request body */
    size_t rawlen;
    char *urn; /* the entity URN (malloc'd); NULL when none could be read */
    event_status status;
    char *reason;      /* malloc'd, or NULL */
    int32_t partition; /* Kafka mode: where it was published; -1 otherwise */
    int64_t offset;
} event_item;

/* "applied", "pending", ... as the answer spells them. */
const char *event_status_name(event_status s);

/* Sets the status and a reason (printf-style; fmt may be NULL for none). */
void event_item_set(event_item *it, event_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Frees the items' URNs and reasons, and the array. */
void event_items_free(event_item *v, size_t n);

#endif
