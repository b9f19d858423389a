/* fields.h — the field registry: the one source of truth for search fields.
 *
 * Every searchable field has one row in FIELDS (fields.c): its API name, its
 * Xapian term prefix, its default boost, what kind of field it is and its
 * value slot. The document builder, the query planner, facets, filters, the
 * ranking config and the README all read this table; adding a field is one
 * row there.
 *
 * Term layout in a document (prefix + normalised term):
 *   <prefix><term>            text terms of a field ("Ncustomer", "Corders")
 *   <prefix>Z<stem>           stemmed terms of FIELD_STEMMED fields ("DZorder")
 *   <filter_prefix>:<value>   exact filter terms ("XT:urn:li:tag:pii:email")
 *   Q<urn>                    the unique id term
 *   XN:<normalised name>      exact-name terms (whole name, last dotted part)
 *   XREMOVED                  on entities whose status.removed is true
 */
#ifndef MDX_FIELDS_H
#define MDX_FIELDS_H

#include <stddef.h>

enum {
    FIELD_TEXT = 1u << 0,         /* analysed words are searchable */
    FIELD_STEMMED = 1u << 1,      /* prose: stemmed terms too (prefix + "Z") */
    FIELD_POSITIONS = 1u << 2,    /* positions kept (phrase search, proximity) */
    FIELD_FACET = 1u << 3,        /* values in `slot`, XAP_MULTI_SEP-separated */
    FIELD_FILTER = 1u << 4,       /* exact filter terms: filter=FIELD:VALUE */
    FIELD_AUTOCOMPLETE = 1u << 5, /* offered by autocomplete */
};

typedef enum {
    F_NAME = 0,      /* display name: datasetProperties.name, title, displayName... */
    F_QNAME,         /* qualifiedName and the URN name's parts (db.schema.table) */
    F_DESCRIPTION,   /* entity descriptions, edited and ingested */
    F_FIELDS,        /* column names (schema field paths reduced to names) */
    F_FIELD_DOCS,    /* column descriptions */
    F_OWNERS,        /* owner ids and display names */
    F_TAGS,          /* tags (entity and column level) */
    F_TERMS,         /* glossary terms (entity and column level) */
    F_DOMAINS,       /* domains */
    F_PLATFORM,      /* dataPlatform name */
    F_ORIGIN,        /* env / fabric: PROD, DEV */
    F_TYPE,          /* entity type: dataset, dashboard, ... */
    F_SUBTYPES,      /* subTypes.typeNames: Table, View, Topic */
    F_CONTAINER,     /* parent container URN and name */
    F_COUNT
} field_id;

typedef struct field_def {
    field_id id;
    const char *name;          /* name in the API: "tags" */
    const char *prefix;        /* text term prefix, NULL if not FIELD_TEXT */
    const char *filter_prefix; /* filter term prefix, NULL if not FIELD_FILTER */
    double boost;              /* default query-time boost */
    unsigned flags;            /* FIELD_* */
    int slot;                  /* value slot for FIELD_FACET, -1 otherwise */
    const char *doc;           /* one line for the README and --help */
} field_def;

extern const field_def FIELDS[F_COUNT];

/* Value slots that are not a field's facet slot. */
enum {
    SLOT_POPULARITY = 20, /* sortable: usage over the trailing 30 days (queries) */
    SLOT_NAME = 21,       /* normalised name, for sorting and exact display */
    SLOT_UPDATED = 22,    /* sortable: last event time seen (ms since epoch) */
    SLOT_SUGGEST = 23,    /* what autocomplete shows, read for every document at once:
                             "<urn>" XAP_MULTI_SEP "<path>" XAP_MULTI_SEP "<display name>"
                             (path: the URN name before its short name, "db.schema") */
    SLOT_CARD = 24,       /* what a search hit shows, binary (model/card.h) */
};

#define TERM_ID_PREFIX "Q"
#define TERM_EXACT_PREFIX "XN:"
#define TERM_REMOVED "XREMOVED"
#define TERM_STEM_MARK "Z"

/* The row whose API name is `name` (case-sensitive), or NULL. */
const field_def *field_by_name(const char *name);
/* The row whose text prefix or filter prefix starts `term`, longest first;
 * NULL if none. Sets *body to the term without the prefix. */
const field_def *field_by_term(const char *term, const char **body);

#endif
