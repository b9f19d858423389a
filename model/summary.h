/* summary.h — what an entity's state says, read once for every consumer.
 *
 * The document builder indexes a summary; searchd answers hits and entity
 * pages from one. Aspects are read per entity type (DESIGN.md §2, §3):
 * names from datasetProperties.name / title / displayName / the URN, the
 * edited description winning for display over the ingested one (both are
 * searchable), schema field paths reduced to their names (DataHub v2 paths:
 * "[version=2.0].[type=struct].address.[type=string].zipcode" → "address.zipcode"),
 * tags and terms of the entity and of its columns, owners, domains, usage.
 */
#ifndef MDX_SUMMARY_H
#define MDX_SUMMARY_H

#include <jansson.h>
#include <stddef.h>

typedef struct sum_strv {
    const char **v;
    size_t n, cap;
} sum_strv;

typedef struct sum_column {
    const char *path;        /* reduced field path: "address.zipcode" */
    const char *native_type; /* "varchar(20)" or the schema type, may be NULL */
    const char *description; /* edited wins over ingested, may be NULL */
    sum_strv tags;           /* tag URNs */
    sum_strv terms;          /* glossary term URNs */
} sum_column;

typedef struct summary {
    const char *urn, *type;
    const char *name;           /* display name, never NULL */
    const char *qualified_name; /* may be NULL */
    const char *urn_name;       /* the URN's name part: "db.schema.table" */
    const char *platform;       /* "hive", may be NULL */
    const char *origin;         /* "PROD", may be NULL */
    const char *description;    /* for display: edited wins; may be NULL */
    sum_strv descriptions;      /* every description text, all searchable */
    sum_strv owners;            /* owner URNs */
    sum_strv owner_names;       /* display names known for owners (same order not implied) */
    sum_strv tags, terms, domains; /* URNs, entity and column level together */
    sum_strv subtypes;
    const char *container; /* container URN, may be NULL */
    sum_strv upstreams;    /* upstream entity URNs (datasets, jobs) */
    sum_strv downstreams;  /* outputs for jobs */
    sum_column *columns;
    size_t ncolumns;
    double usage_queries; /* total queries / views over the trailing 30 days */
    double usage_users;   /* unique users over the same window */
    long long updated_ms; /* latest time seen in the aspects, 0 if none */
    int removed;
    char **owned; /* strings the summary allocated (freed with it) */
    size_t nowned, owned_cap;
} summary;

/* Reads `state` (which must outlive the summary: strings point into it).
 * Returns 0, or -1 with a reason in err. */
int summary_build(const json_t *state, summary *out, char *err, size_t errlen);
void summary_free(summary *s);

/* The short form of the URN name people search by: for hierarchical names
 * (datasets, glossary terms and nodes) the last slashed or dotted part
 * ("db.schema.table" → "table", "bucket/dir/data.csv" → "data.csv"), the
 * whole URN name otherwise. Points into s->urn_name; NULL if that is NULL. */
const char *summary_short_name(const summary *s);

/* Reduces a DataHub field path to its names: drops "[...]" segments. Writes a
 * NUL-terminated string to out; returns its length or -1 if it does not fit. */
int summary_field_path(const char *path, char *out, size_t cap);

/* The human name of a tag/term/owner/domain URN as people write it:
 * "urn:li:tag:Legacy Data" → "Legacy Data", "urn:li:corpuser:jdoe" → "jdoe",
 * "urn:li:glossaryTerm:Classification.Sensitive" → "Classification.Sensitive".
 * Returns a pointer into `urn` (or `urn` itself if it is not a URN). */
const char *summary_urn_label(const char *urn);

#endif
