/* gen_vocab.h — the business vocabularies the generated catalog is made of.
 *
 * Platforms and their naming and type conventions, business nouns (the
 * "orders", "customers", ... that table names are built from), layer
 * prefixes and suffixes, column names with their types, docs, tags and
 * terms, people, teams, tags, glossary terms, domains, and the phrases that
 * descriptions and titles are composed of. Lists are ordered by importance:
 * when a small catalog uses only the first K tags or terms, it gets the ones
 * columns refer to most.
 */
#ifndef MDX_GEN_VOCAB_H
#define MDX_GEN_VOCAB_H

#include <stddef.h>

typedef enum {
    GEN_COL_STR = 0,
    GEN_COL_INT,
    GEN_COL_DEC,
    GEN_COL_BOOL,
    GEN_COL_DATE,
    GEN_COL_TS,
    GEN_COL_STRUCT,
    GEN_COL_ARRAY,
    GEN_COL_CLASSES
} gen_col_class;

/* DataHub's schema type for each column class ("com.linkedin.schema.StringType"). */
extern const char *const GEN_COL_TYPES[GEN_COL_CLASSES];

typedef enum {
    GEN_NAMES_SNAKE = 0, /* fact_customer_orders_daily */
    GEN_NAMES_CAMEL,     /* CustomerOrders (MongoDB collections) */
    GEN_NAMES_TOPIC,     /* CustomerOrders or payments.transactions.created */
    GEN_NAMES_PATH,      /* bucket/layer/table (object stores) */
} gen_naming;

typedef struct gen_platform {
    const char *name;   /* "snowflake" */
    unsigned weight;    /* share of datasets, per mille */
    int levels;         /* parts of a table's name: 3 db.schema.table, 2 db.table, 1 one part */
    int has_containers; /* databases (and schemas when levels == 3) are containers */
    gen_naming naming;
    unsigned nested_pct;                      /* datasets whose columns use v2 nested field paths */
    const char *db_subtype, *schema_subtype;  /* container subTypes */
    const char *table_subtype, *view_subtype; /* dataset subTypes (view NULL: none) */
    const char *schema_class; /* platformSchema member: "com.linkedin.schema.MySqlDDL" */
    const char *schema_key;   /* its text member: "tableSchema" */
    const char *native[GEN_COL_CLASSES];
} gen_platform;

extern const gen_platform GEN_PLATFORMS[];
extern const size_t GEN_NPLATFORMS;

/* A business noun: tables about it are named from `plural`; `singular` names
 * its key column (singular + "_id"); `domain` indexes GEN_DOMAINS. */
typedef struct gen_noun {
    const char *plural, *singular;
    int domain;
} gen_noun;
extern const gen_noun GEN_NOUNS[];
extern const size_t GEN_NNOUNS;

typedef struct gen_affix {
    const char *text;
    unsigned weight;
    const char *role; /* prose for descriptions: "Fact table", "daily snapshot" */
} gen_affix;
extern const gen_affix GEN_LAYERS[]; /* fact_, dim_, stg_, raw_, ... ("" = none) */
extern const size_t GEN_NLAYERS;
extern const gen_affix GEN_SUFFIXES[]; /* _v2, _daily, _snapshot, ... ("" = none) */
extern const size_t GEN_NSUFFIXES;
extern const char *const GEN_QUALIFIERS[]; /* customer_, daily_, mobile_, ... */
extern const size_t GEN_NQUALIFIERS;
extern const char *const GEN_TOPIC_EVENTS[]; /* created, updated, ... */
extern const size_t GEN_NTOPIC_EVENTS;

extern const char *const GEN_DB_NAMES[];
extern const size_t GEN_NDB_NAMES;
extern const char *const GEN_SCHEMA_NAMES[];
extern const size_t GEN_NSCHEMA_NAMES;
extern const char *const GEN_COMPANY; /* "acme": project, bucket and e-mail names */

typedef struct gen_column {
    const char *name;
    gen_col_class cls;
    unsigned weight;
    const char *doc;  /* column description, NULL if none is typical */
    const char *tag;  /* a tag name this column often carries (GEN_TAGS), or NULL */
    const char *term; /* a glossary term id (GEN_TERMS), or NULL */
} gen_column;
extern const gen_column GEN_COLUMNS[];
extern const size_t GEN_NCOLUMNS;

/* Nested records for v2 field paths: address.zipcode, device.os, ... */
typedef struct gen_struct {
    const char *name, *type_name;
    const char *children[5];
    gen_col_class classes[5];
} gen_struct;
extern const gen_struct GEN_STRUCTS[];
extern const size_t GEN_NSTRUCTS;

typedef struct gen_person_name {
    const char *display; /* "José" */
    const char *ascii;   /* "jose": for user ids and e-mail, NULL if display is ASCII */
} gen_person_name;
extern const gen_person_name GEN_FIRST_NAMES[];
extern const size_t GEN_NFIRST_NAMES;
extern const gen_person_name GEN_LAST_NAMES[];
extern const size_t GEN_NLAST_NAMES;
extern const char *const GEN_TITLES[];
extern const size_t GEN_NTITLES;

typedef struct gen_team {
    const char *id, *display, *about;
} gen_team;
extern const gen_team GEN_TEAMS[];
extern const size_t GEN_NTEAMS;
extern const char *const GEN_REGIONS[]; /* emea, apac, ...: more groups than teams */
extern const size_t GEN_NREGIONS;

typedef struct gen_tag {
    const char *name, *description;
} gen_tag;
extern const gen_tag GEN_TAGS[];
extern const size_t GEN_NTAGS;

typedef struct gen_term {
    const char *node, *id, *name, *definition; /* urn:li:glossaryTerm:<node>.<id> */
} gen_term;
extern const gen_term GEN_TERMS[];
extern const size_t GEN_NTERMS;

typedef struct gen_domain {
    const char *id, *name, *description;
} gen_domain;
extern const gen_domain GEN_DOMAINS[];
extern const size_t GEN_NDOMAINS;

/* Prose for descriptions. %s slots are documented at each list. */
extern const char *const GEN_SOURCES[]; /* "Stripe", "the billing service" */
extern const size_t GEN_NSOURCES;
extern const char *const GEN_REFRESH[]; /* whole sentences */
extern const size_t GEN_NREFRESH;
extern const char *const GEN_CAVEATS[]; /* whole sentences, some with quotes, backslashes */
extern const size_t GEN_NCAVEATS;
extern const char *const GEN_FOREIGN[]; /* sentences in other languages and scripts */
extern const size_t GEN_NFOREIGN;
extern const char *const GEN_GRAINS[]; /* "per day", "per %s and day" (%s: singular noun) */
extern const size_t GEN_NGRAINS;

/* BI and orchestration. */
extern const char *const GEN_BI_TOOLS[];
extern const unsigned GEN_BI_WEIGHTS[];
extern const size_t GEN_NBI_TOOLS;
extern const char *const GEN_DASHBOARD_KINDS[]; /* "Overview", "Weekly Review" */
extern const size_t GEN_NDASHBOARD_KINDS;
extern const char *const GEN_CHART_METRICS[]; /* "Total %s", "%s per Day" (%s: Human noun) */
extern const size_t GEN_NCHART_METRICS;
extern const char *const GEN_CHART_DIMS[]; /* "by Country", "by Channel" */
extern const size_t GEN_NCHART_DIMS;
extern const char *const GEN_CHART_TYPES[];
extern const size_t GEN_NCHART_TYPES;
extern const char *const GEN_ORCHESTRATORS[];
extern const unsigned GEN_ORCHESTRATOR_WEIGHTS[];
extern const size_t GEN_NORCHESTRATORS;
extern const char *const GEN_FLOW_VERBS[]; /* dag names: <noun>_<verb> */
extern const size_t GEN_NFLOW_VERBS;
extern const char *const GEN_TASK_VERBS[]; /* task names: <verb>_<noun> */
extern const size_t GEN_NTASK_VERBS;

/* Index of a tag / term by name or id, or -1. */
int gen_vocab_tag_index(const char *name);
int gen_vocab_term_index(const char *id);

#endif
