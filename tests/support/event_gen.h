/* event_gen.h — generated DataHub metadata events for tests and benchmarks.
 *
 * Deterministic from a seed: a stream of MCP events (UPSERTs of
 * datasetProperties, editableDatasetProperties, schemaMetadata, ownership,
 * globalTags, status; aspect DELETEs and entity DELETEs now and then, JSON
 * Patches appending tags, an aspect metadex does not index (counted), both
 * aspect encodings {"json": ...} and {"value": "<text>"}) over a fixed
 * population of datasets, users and tags, so entities receive many events
 * each and their final state depends on their order; applying an event
 * twice changes it too (patches, counts). Prefix evgen_.
 */
#ifndef MDX_EVENT_GEN_H
#define MDX_EVENT_GEN_H

#include <stddef.h>
#include <stdint.h>

typedef struct evgen {
    uint64_t rng;
    long nentities; /* datasets; users and tags are a tenth of that each (at least 1) */
    char ns[64];    /* namespace in every name, so two streams never share entities */
} evgen;

/* `ns` keeps generated URNs apart ("t1", "bench"): at most 63 bytes. */
int evgen_init(evgen *g, uint64_t seed, long nentities, const char *ns);

/* The next event as compact JSON (malloc'd, no newline), or NULL on
 * allocation failure. */
char *evgen_next(evgen *g);

/* One dataset upsert whose URN is unique to `id` (for freshness probes):
 * urn:li:dataset:(urn:li:dataPlatform:hive,<ns>.probe.t<id>,PROD), with a
 * datasetProperties aspect. Malloc'd JSON, or NULL. */
char *evgen_probe(const evgen *g, long id);
/* The URN evgen_probe(g, id) is about, into out; its length, or -1. */
int evgen_probe_urn(const evgen *g, long id, char *out, size_t cap);

#endif
