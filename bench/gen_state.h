/* gen_state.h — what the catalog emitters share while one catalog is made.
 *
 * Internal to bench/gen_*.c. The emitters run in order (people, glossary,
 * containers, datasets, flows, dashboards) on one random stream, each
 * reading what earlier ones built: owners, tags, containers, the datasets
 * that lineage, jobs and charts point to.
 */
#ifndef MDX_GEN_STATE_H
#define MDX_GEN_STATE_H

#include <stdint.h>

#include "bench/gen_catalog.h"
#include "bench/gen_json.h"
#include "bench/gen_rand.h"
#include "bench/gen_strings.h"
#include "bench/gen_vocab.h"

typedef struct gen_user {
    const char *id;      /* "priya.shah" (arena) */
    const char *display; /* "Priya Shah" (arena) */
    uint16_t first, last, title;
    uint32_t group; /* the group the user belongs to */
} gen_user;

typedef struct gen_group {
    const char *id;      /* "finance-analytics-emea" (arena) */
    const char *display; /* "Finance Analytics (EMEA)" (arena) */
    uint16_t team;
} gen_group;

typedef struct gen_container {
    const char *urn;  /* urn:li:container:<32 hex> (arena) */
    const char *name; /* "marts" (arena) */
    const char *db;   /* name of the database (the container itself for databases) */
    int32_t parent;   /* index of the database, -1 for databases */
    uint8_t platform;
} gen_container;

enum { GEN_ENV_PROD = 0, GEN_ENV_DEV, GEN_ENV_STAGING, GEN_NENVS };
extern const char *const GEN_ENVS[GEN_NENVS];

typedef struct gen_dataset {
    const char *urn;    /* arena */
    uint16_t qname_off; /* the URN's name part: urn + qname_off, qname_len bytes */
    uint16_t qname_len;
    uint16_t name_off; /* display name (last part): urn + name_off, up to the qname's end */
    uint16_t noun;
    uint8_t platform, env;
    uint8_t layer;     /* GEN_LAYERS index */
    int32_t container; /* leaf container, -1 if none */
} gen_dataset;

typedef struct gen_state {
    gen_options opt;
    gen_rng rng;
    gen_json out;
    gen_stats stats;
    gen_arena arena;
    gen_text text[4]; /* scratch for composed strings */
    long plan[GEN_T_COUNT];
    const char *run_id;           /* systemMetadata.runId of the events being written */
    const char *platform_run[32]; /* "snowflake-2025_06_01": run ids of each platform */
    unsigned platform_weight[32]; /* GEN_PLATFORMS[].weight, for weighted draws */
    int failed;                   /* out of memory: reported at the end */

    gen_user *users;
    size_t nusers;
    uint32_t *user_by_rank; /* ownership popularity: rank → user */
    gen_zipf user_zipf;
    gen_group *groups;
    size_t ngroups;
    gen_zipf group_zipf;

    size_t ntags, nterms, ndomains; /* how many of the vocabularies are in the catalog */
    gen_zipf tag_zipf, term_zipf;

    gen_container *containers;
    size_t ncontainers;
    uint32_t *leaves;                      /* leaf containers grouped by platform */
    size_t leaf_start[32], leaf_count[32]; /* per platform, into leaves */
    gen_zipf leaf_zipf[32];

    gen_dataset *datasets;
    size_t ndatasets;
    gen_strmap dataset_urns;
    int32_t *noun_last; /* latest dataset of each noun, -1 if none */
    uint32_t *by_noun;  /* dataset indexes grouped by noun (after datasets) */
    size_t *by_noun_start, *by_noun_count;
    gen_zipf noun_zipf;
    double *column_cdf;
    uint8_t *column_used;          /* column vocabulary entries present in the catalog */
    int *column_tag, *column_term; /* resolved hints, -1 if not in the catalog */
} gen_state;

/* Event framing: `{"entityType":..,"entityUrn":..,"changeType":"UPSERT",
 * "aspectName":..,"aspect":{"json":` ... `},"systemMetadata":{..}}\n`. */
void gen_event_begin(gen_state *st, gen_type type, const char *urn, const char *aspect);
void gen_event_end(gen_state *st);

/* Aspects several entity types share (gen_aspects.c). Each writes one event. */
void gen_aspect_status(gen_state *st, gen_type type, const char *urn, int removed);
void gen_aspect_subtypes(gen_state *st, gen_type type, const char *urn, const char *subtype);
/* Owners drawn with the Zipf skew: 1–3 users, sometimes a group. */
void gen_aspect_ownership(gen_state *st, gen_type type, const char *urn, long long time_ms);
/* 1..max distinct tags / terms drawn by popularity. */
void gen_aspect_tags(gen_state *st, gen_type type, const char *urn, int max);
void gen_aspect_terms(gen_state *st, gen_type type, const char *urn, int max, long long time_ms);
void gen_aspect_domain(gen_state *st, gen_type type, const char *urn, int domain);
/* {"time": t, "actor": "urn:li:corpuser:<id>"} */
void gen_write_stamp(gen_state *st, long long time_ms, const char *user_id);
/* A time in the three years before now, for created/lastModified stamps. */
long long gen_past_time(gen_state *st);
/* "Orders" / "Marketing Campaigns" from "marketing_campaigns" into t. */
void gen_title_case(gen_text *t, const char *snake);

/* The emitters, in the order they run. */
int gen_people_build(gen_state *st);
void gen_people_emit(gen_state *st);
uint32_t gen_people_pick_owner(gen_state *st); /* a user index, Zipf by rank */
void gen_glossary_emit(gen_state *st);
int gen_containers_build(gen_state *st);
void gen_containers_emit(gen_state *st);
int gen_datasets_emit(gen_state *st);
int gen_flows_emit(gen_state *st);
void gen_dashboards_emit(gen_state *st);
int gen_queries_write(gen_state *st, FILE *f);

/* Index of a dataset of `noun` (any dataset when the noun has none), for
 * jobs and charts; valid after gen_datasets_emit. */
uint32_t gen_dataset_pick_by_noun(gen_state *st, int noun);

#endif
