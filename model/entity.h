/* entity.h — an entity's current state and how events change it.
 *
 * The state is a JSON object kept as the Xapian document's data:
 *   {"urn": "...", "type": "dataset",
 *    "aspects": {"datasetProperties": {...}, "ownership": {...}, ...},
 *    "ignored": 3}            (aspects seen but not indexed, counted)
 * Only the aspects metadex indexes (aspects.h) are kept. Timeseries aspects
 * (datasetUsageStatistics, dashboardUsageStatistics, chartUsageStatistics)
 * keep their buckets of the trailing 30 days, by timestampMillis, instead of
 * replacing each other.
 */
#ifndef MDX_ENTITY_H
#define MDX_ENTITY_H

#include <jansson.h>
#include <stddef.h>

#include "model/event.h"

typedef enum {
    ENT_APPLIED = 0,      /* the state changed or was confirmed */
    ENT_DELETED = 1,      /* the entity is gone: delete its document */
} ent_result;

/* A new empty state for `urn` of `type`. */
json_t *entity_new(const char *urn, const char *type);

/* Applies a decoded event to *state (NULL: the entity does not exist yet, a
 * new state is made). Returns ENT_APPLIED or ENT_DELETED, or -1 with a
 * reason in err (a patch that does not apply, an aspect of the wrong shape:
 * the event is dead-lettered and *state is unchanged). On ENT_DELETED *state
 * is released and set to NULL, so a later event starts a new entity. The
 * state shares aspect values with `ev` by reference (neither is modified in
 * place afterwards). */
int entity_apply(json_t **state, const ev_event *ev, char *err, size_t errlen);

/* 1 if status.removed is true (hidden from search unless asked). */
int entity_is_removed(const json_t *state);

#endif
