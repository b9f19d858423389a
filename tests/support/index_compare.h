/* index_compare.h — reading metadex indexes from tests and benchmarks: the
 * stream offsets stored in an index's metadata, and an entity-by-entity
 * comparison of two indexes (document data, i.e. each entity's state).
 * Each call opens the index read-only for itself. Prefix ixc_. */
#ifndef MDX_INDEX_COMPARE_H
#define MDX_INDEX_COMPARE_H

#include <stddef.h>
#include <stdint.h>

/* The stored next offset of topic/partition: >= 0, -1 if none, -2 on error
 * (no index yet, or unreadable). */
int64_t ixc_offset(const char *db, const char *topic, int32_t partition);

/* Number of entities (documents), or -1. */
long ixc_entities(const char *db);

/* Compares the entities of two indexes: the same URNs, each with equal
 * state (document data compared as JSON). 0 when equal, 1 when they differ
 * (why says where, with both values shortened), -1 on error (why says). */
int ixc_compare(const char *a, const char *b, char *why, size_t cap);

#endif
