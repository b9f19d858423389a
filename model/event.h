/* event.h — decoding DataHub metadata events (MCP, MCL, MCE, MAE) from JSON.
 *
 * One input event may carry several aspects (an MCE snapshot does), so a
 * decoded event is a list of aspect changes for one entity. Shapes (DESIGN.md §2):
 *   MCP/MCL  entityUrn, entityType, aspectName, changeType,
 *            aspect = {"json": X} or {"value": "<json text>", "contentType": ...}
 *   MCE      proposedSnapshot = {"<ns>.DatasetSnapshot": {urn, aspects: [{"<ns>.Name": X}]}}
 *   MAE      newSnapshot (as MCE; oldSnapshot is ignored)
 * Avro-JSON union wrappers ({"string": "x"}, {"com.linkedin...Foo": {...}})
 * inside aspects are unwrapped to the plain value when decoding.
 *
 * The entity type comes from the URN (it is the source of truth); an
 * entityType field that disagrees is an error.
 */
#ifndef MDX_EVENT_H
#define MDX_EVENT_H

#include <jansson.h>
#include <stddef.h>

#define EVENT_MAX_BYTES (16u << 20) /* one event's JSON; larger is dead-lettered */

typedef enum {
    EV_UPSERT = 0, /* UPSERT, CREATE, UPDATE, RESTATE, CREATE_ENTITY: replace the aspect */
    EV_PATCH,      /* aspect is a JSON Patch list to apply to the stored aspect */
    EV_DELETE,     /* remove the aspect; the key aspect or no aspect: remove the entity */
} ev_change;

typedef struct ev_aspect {
    char *name;    /* "datasetProperties" */
    json_t *value; /* the aspect (unwrapped), or the patch list for EV_PATCH (an array, or
                      DataHub's {"patch": [...], "arrayPrimaryKeys": {...}}); NULL for DELETE */
} ev_aspect;

typedef struct ev_event {
    char *urn;         /* entity URN as given */
    char *entity_type; /* from the URN: "dataset" */
    ev_change change;
    ev_aspect *aspects; /* at least one, except for an entity DELETE (0) */
    size_t naspects;
} ev_event;

/* Decodes one event object. Returns 0, or -1 with a reason in err (the
 * caller dead-letters the original). */
int ev_decode(const json_t *obj, ev_event *out, char *err, size_t errlen);
/* As ev_decode, for a caller that owns `obj` and only frees it afterwards:
 * the aspects are unwrapped in place instead of copied, so `obj` (whether
 * decoding succeeds or not) may no longer be the event as it came. */
int ev_decode_owned(json_t *obj, ev_event *out, char *err, size_t errlen);
void ev_free(ev_event *ev);

/* Splits a buffer holding JSON lines, one JSON array of events, or a single
 * JSON object into event objects, calling `fn` for each. Text that does not
 * parse is passed with obj == NULL, the raw text and the parse error, so the
 * caller can dead-letter it and go on (a bad line never stops the rest).
 * obj is borrowed: valid during the call only (json_incref it to keep it).
 * An array is cut into its elements, each parsed alone, so one broken
 * element costs only itself; an item over EVENT_MAX_BYTES is passed as an
 * error. Returns the number of items passed, or -1 if fn returned non-zero. */
typedef int (*ev_item_fn)(void *ctx, json_t *obj, const char *raw, size_t rawlen,
                          const char *parse_error);
long ev_split(const char *buf, size_t len, ev_item_fn fn, void *ctx);

/* Unwraps Avro-JSON unions recursively, in place where possible: returns the
 * new value (a new reference). A one-key object whose key is an Avro
 * primitive type name ("string", "int", "long", "float", "double", "boolean",
 * "bytes", "array", "map") or a dotted record name ("com.linkedin.x.Y") is
 * replaced by its value. */
json_t *ev_unwrap_unions(json_t *v);

/* The aspect name of an MCE aspect class: "com.linkedin.pegasus2avro.dataset.
 * DatasetProperties" → "datasetProperties", "...MLFeatureProperties" →
 * "mlFeatureProperties". Writes into out; returns 0, -1 if it does not fit. */
int ev_aspect_name_from_class(const char *cls, char *out, size_t cap);

#endif
