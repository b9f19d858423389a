/* aspects.h — the aspects metadex understands, and their expected shapes.
 *
 * One table (aspects.c) lists every aspect metadex keeps in an entity's state
 * with a light shape check (which members must be objects, arrays, strings),
 * so a wrong-shaped aspect is dead-lettered with a reason instead of being
 * indexed as garbage. Aspects not in the table are valid but not indexed:
 * they are counted and dropped. Entity types not in the table of known types
 * are accepted all the same, indexed by their URN name only.
 */
#ifndef MDX_ASPECTS_H
#define MDX_ASPECTS_H

#include <jansson.h>
#include <stddef.h>

typedef enum {
    ASPECT_UNKNOWN = 0, /* valid, not indexed */
    ASPECT_PLAIN,       /* replaced by each upsert */
    ASPECT_TIMESERIES,  /* buckets by timestampMillis, trailing 30 days kept */
    ASPECT_KEY,         /* the entity's key aspect: deleting it deletes the entity */
} aspect_kind;

aspect_kind aspect_lookup(const char *name);

/* Checks an aspect's shape; 0 if fine, -1 with a reason ("schemaMetadata.
 * fields[3].fieldPath: expected a string") in err. */
int aspect_check(const char *name, const json_t *value, char *err, size_t errlen);

/* 1 if metadex knows the entity type (DESIGN.md §2), 0 otherwise. */
int aspect_entity_type_known(const char *type);

#endif
