/* gen_catalog.h — metadex's synthetic DataHub catalog: what mdx-gen writes.
 *
 * gen_catalog_write emits a realistic catalog of exactly `entities` entities
 * (every type together) as JSON lines of DataHub MCP events, the shape of
 * the real fixtures: {"entityType", "entityUrn", "changeType": "UPSERT",
 * "aspectName", "aspect": {"json": {...}}, "systemMetadata"}. The same
 * options give the same bytes. Optionally it also writes a query mix for
 * search benchmarks, drawn from the same catalog.
 */
#ifndef MDX_GEN_CATALOG_H
#define MDX_GEN_CATALOG_H

#include <stdint.h>
#include <stdio.h>

typedef enum {
    GEN_T_CORPUSER = 0,
    GEN_T_CORPGROUP,
    GEN_T_TAG,
    GEN_T_GLOSSARY_TERM,
    GEN_T_DOMAIN,
    GEN_T_CONTAINER,
    GEN_T_DATASET,
    GEN_T_DATAFLOW,
    GEN_T_DATAJOB,
    GEN_T_CHART,
    GEN_T_DASHBOARD,
    GEN_T_COUNT
} gen_type;

/* DataHub entity type names, indexed by gen_type: "corpuser", "dataset", ... */
extern const char *const GEN_TYPE_NAMES[GEN_T_COUNT];

/* The catalog's "now" unless told otherwise: 2025-06-01T00:00:00Z. Fixed so
 * that output never depends on the clock; usage buckets fall in the 30 days
 * before it. */
#define GEN_DEFAULT_NOW_MS 1748736000000LL
/* Fewer entities cannot hold one of each platform's containers and people. */
#define GEN_MIN_ENTITIES 200L
#define GEN_MAX_ENTITIES 100000000L
#define GEN_DEFAULT_QUERIES 2000L

typedef struct gen_options {
    uint64_t seed;
    long entities; /* all types together */
    long long now_ms;
    long queries; /* lines of the query mix (when a query file is given) */
} gen_options;

typedef struct gen_stats {
    long entities[GEN_T_COUNT];
    long long events;
    unsigned long long bytes;
    long queries;
} gen_stats;

/* Counts of each entity type for `entities` (what the catalog will hold);
 * -1 with a reason in err if the number is out of range. */
int gen_catalog_plan(long entities, long counts[GEN_T_COUNT], char *err, size_t errlen);

/* Writes the catalog to `out` and, if `queries` is not NULL, the query mix
 * to it. Returns 0, or -1 with a reason in err (bad options, out of memory,
 * write error). `stats` (may be NULL) receives the counts. */
int gen_catalog_write(const gen_options *opt, FILE *out, FILE *queries, gen_stats *stats, char *err,
                      size_t errlen);

#endif
