/* event_gen.c — deterministic streams of DataHub MCP events (see event_gen.h). */
#include "tests/support/event_gen.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const gen_words[] = {
    "customer", "order",      "revenue",  "daily",     "event",    "session",   "invoice",
    "product",  "inventory",  "shipment", "payment",   "refund",   "account",   "campaign",
    "click",    "impression", "churn",    "forecast",  "ledger",   "marketing", "finance",
    "user",     "profile",    "region",   "warehouse", "snapshot", "aggregate", "staging",
    "raw",      "curated",    "metric",   "latency",
};
#define NWORDS (sizeof gen_words / sizeof gen_words[0])

static const char *const gen_platforms[] = {"hive", "snowflake", "bigquery", "postgres", "kafka"};
#define NPLATFORMS (sizeof gen_platforms / sizeof gen_platforms[0])

static const char *const gen_types[] = {"VARCHAR", "BIGINT", "DOUBLE", "TIMESTAMP", "BOOLEAN"};
static const char *const gen_type_classes[] = {
    "com.linkedin.schema.StringType", "com.linkedin.schema.NumberType",
    "com.linkedin.schema.NumberType", "com.linkedin.schema.TimeType",
    "com.linkedin.schema.BooleanType"};

/* xorshift64*: small, fast, and the same everywhere. */
static uint64_t gen_rand(evgen *g)
{
    g->rng ^= g->rng >> 12;
    g->rng ^= g->rng << 25;
    g->rng ^= g->rng >> 27;
    return g->rng * 2685821657736338717ULL;
}

static long gen_below(evgen *g, long n)
{
    return (long)(gen_rand(g) % (uint64_t)n);
}

int evgen_init(evgen *g, uint64_t seed, long nentities, const char *ns)
{
    if (nentities < 1 || strlen(ns) >= sizeof g->ns)
        return -1;
    g->rng = seed * 0x9E3779B97F4A7C15ULL + 1;
    g->nentities = nentities;
    snprintf(g->ns, sizeof g->ns, "%s", ns);
    return 0;
}

static long gen_people(const evgen *g)
{
    return g->nentities / 10 > 0 ? g->nentities / 10 : 1;
}

static void gen_dataset_urn(const evgen *g, long i, char *out, size_t cap)
{
    snprintf(out, cap, "urn:li:dataset:(urn:li:dataPlatform:%s,%s.%s_db.%s_%ld,PROD)",
             gen_platforms[i % NPLATFORMS], g->ns, gen_words[i % NWORDS],
             gen_words[(i / NWORDS) % NWORDS], i);
}

/* A sentence of n words. */
static json_t *gen_text(evgen *g, int n)
{
    char buf[1024];
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        const char *w = gen_words[gen_below(g, NWORDS)];
        int k = snprintf(buf + used, sizeof buf - used, "%s%s", i ? " " : "", w);
        if (k < 0 || (size_t)k >= sizeof buf - used)
            break;
        used += (size_t)k;
    }
    return json_string(buf);
}

static json_t *gen_aspect(evgen *g, const char *name, long i)
{
    char buf[256];
    if (strcmp(name, "datasetProperties") == 0) {
        snprintf(buf, sizeof buf, "%s_%ld", gen_words[(i / NWORDS) % NWORDS], i);
        json_t *custom = json_pack("{s:s, s:s}", "team", gen_words[gen_below(g, NWORDS)], "tier",
                                   gen_below(g, 2) ? "gold" : "silver");
        return json_pack("{s:s, s:o, s:o}", "name", buf, "description",
                         gen_text(g, 6 + (int)gen_below(g, 12)), "customProperties", custom);
    }
    if (strcmp(name, "editableDatasetProperties") == 0)
        return json_pack("{s:o}", "description", gen_text(g, 4 + (int)gen_below(g, 8)));
    if (strcmp(name, "schemaMetadata") == 0) {
        json_t *fields = json_array();
        int nf = 2 + (int)gen_below(g, 8);
        for (int f = 0; f < nf; f++) {
            int t = (int)gen_below(g, 5);
            snprintf(buf, sizeof buf, "%s_%s", gen_words[gen_below(g, NWORDS)],
                     gen_words[gen_below(g, NWORDS)]);
            json_array_append_new(fields,
                                  json_pack("{s:s, s:s, s:{s:{s:{}}}, s:o, s:b}", "fieldPath", buf,
                                            "nativeDataType", gen_types[t], "type", "type",
                                            gen_type_classes[t], "description", gen_text(g, 3),
                                            "nullable", (int)gen_below(g, 2)));
        }
        snprintf(buf, sizeof buf, "urn:li:dataPlatform:%s", gen_platforms[i % NPLATFORMS]);
        return json_pack("{s:s, s:s, s:i, s:s, s:{s:{s:s}}, s:o}", "schemaName",
                         gen_words[i % NWORDS], "platform", buf, "version", 0, "hash", "",
                         "platformSchema", "com.linkedin.schema.MySqlDDL", "tableSchema", "",
                         "fields", fields);
    }
    if (strcmp(name, "ownership") == 0) {
        json_t *owners = json_array();
        int no = 1 + (int)gen_below(g, 3);
        for (int o = 0; o < no; o++) {
            snprintf(buf, sizeof buf, "urn:li:corpuser:%s_user%ld", g->ns,
                     gen_below(g, gen_people(g)));
            json_array_append_new(owners, json_pack("{s:s, s:s}", "owner", buf, "type",
                                                    o ? "TECHNICAL_OWNER" : "DATAOWNER"));
        }
        return json_pack("{s:o, s:{s:i, s:s}}", "owners", owners, "lastModified", "time", 0,
                         "actor", "urn:li:corpuser:datahub");
    }
    if (strcmp(name, "globalTags") == 0) {
        json_t *tags = json_array();
        int nt = (int)gen_below(g, 4);
        for (int t = 0; t < nt; t++) {
            snprintf(buf, sizeof buf, "urn:li:tag:%s_tag%ld", g->ns, gen_below(g, gen_people(g)));
            json_array_append_new(tags, json_pack("{s:s}", "tag", buf));
        }
        return json_pack("{s:o}", "tags", tags);
    }
    if (strcmp(name, "status") == 0)
        return json_pack("{s:b}", "removed", gen_below(g, 8) == 0);
    if (strcmp(name, "corpUserInfo") == 0) {
        snprintf(buf, sizeof buf, "%s %s", gen_words[gen_below(g, NWORDS)], gen_words[i % NWORDS]);
        return json_pack("{s:b, s:s, s:s}", "active", 1, "displayName", buf, "email",
                         "someone@example.com");
    }
    if (strcmp(name, "tagProperties") == 0) {
        snprintf(buf, sizeof buf, "%s_tag%ld", g->ns, i);
        return json_pack("{s:s, s:o}", "name", buf, "description", gen_text(g, 5));
    }
    return json_object();
}

static const char *const gen_dataset_aspects[] = {"datasetProperties",
                                                  "datasetProperties",
                                                  "editableDatasetProperties",
                                                  "schemaMetadata",
                                                  "ownership",
                                                  "globalTags",
                                                  "globalTags",
                                                  "status"};
#define NDATASET_ASPECTS (sizeof gen_dataset_aspects / sizeof gen_dataset_aspects[0])

/* An MCP; aspect NULL for an entity DELETE. Steals `aspect`. */
static char *gen_mcp(evgen *g, const char *type, const char *urn, const char *change,
                     const char *aspect_name, json_t *aspect)
{
    json_t *ev =
        json_pack("{s:s, s:s, s:s}", "entityType", type, "entityUrn", urn, "changeType", change);
    if (!ev) {
        json_decref(aspect);
        return NULL;
    }
    if (aspect_name)
        json_object_set_new(ev, "aspectName", json_string(aspect_name));
    if (aspect) {
        /* Both encodings DataHub uses: the aspect inline, or as JSON text. */
        if (gen_below(g, 4) == 0) {
            char *text = json_dumps(aspect, JSON_COMPACT);
            json_decref(aspect);
            if (!text) {
                json_decref(ev);
                return NULL;
            }
            json_object_set_new(
                ev, "aspect",
                json_pack("{s:s, s:s}", "value", text, "contentType", "application/json"));
            free(text);
        } else {
            json_object_set_new(ev, "aspect", json_pack("{s:o}", "json", aspect));
        }
    }
    char *out = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    return out;
}

char *evgen_next(evgen *g)
{
    char urn[512];
    long roll = gen_below(g, 100);
    if (roll < 5) { /* a user */
        long u = gen_below(g, gen_people(g));
        snprintf(urn, sizeof urn, "urn:li:corpuser:%s_user%ld", g->ns, u);
        return gen_mcp(g, "corpuser", urn, "UPSERT", "corpUserInfo",
                       gen_aspect(g, "corpUserInfo", u));
    }
    if (roll < 8) { /* a tag */
        long t = gen_below(g, gen_people(g));
        snprintf(urn, sizeof urn, "urn:li:tag:%s_tag%ld", g->ns, t);
        return gen_mcp(g, "tag", urn, "UPSERT", "tagProperties", gen_aspect(g, "tagProperties", t));
    }
    long i = gen_below(g, g->nentities);
    gen_dataset_urn(g, i, urn, sizeof urn);
    if (roll < 10) /* the whole entity goes (and may come back later) */
        return gen_mcp(g, "dataset", urn, "DELETE", NULL, NULL);
    /* Events that are not idempotent, so applying one twice shows: an
     * aspect metadex does not index (each one is counted in the state) and
     * a JSON Patch appending a tag. */
    if (roll < 13)
        return gen_mcp(g, "dataset", urn, "UPSERT", "datasetProfile",
                       json_pack("{s:I, s:I}", "timestampMillis",
                                 (json_int_t)1700000000000LL + gen_below(g, 1000000), "rowCount",
                                 (json_int_t)gen_below(g, 100000)));
    if (roll < 16) {
        char tag[256];
        snprintf(tag, sizeof tag, "urn:li:tag:%s_tag%ld", g->ns, gen_below(g, gen_people(g)));
        return gen_mcp(g, "dataset", urn, "PATCH", "globalTags",
                       json_pack("[{s:s, s:s, s:{s:s}}]", "op", "add", "path", "/tags/-", "value",
                                 "tag", tag));
    }
    const char *aspect = gen_dataset_aspects[gen_below(g, NDATASET_ASPECTS)];
    if (roll < 20 && strcmp(aspect, "datasetProperties") != 0)
        return gen_mcp(g, "dataset", urn, "DELETE", aspect, NULL);
    return gen_mcp(g, "dataset", urn, "UPSERT", aspect, gen_aspect(g, aspect, i));
}

int evgen_probe_urn(const evgen *g, long id, char *out, size_t cap)
{
    int n = snprintf(out, cap, "urn:li:dataset:(urn:li:dataPlatform:hive,%s.probe.t%ld,PROD)",
                     g->ns, id);
    return (n < 0 || (size_t)n >= cap) ? -1 : n;
}

char *evgen_probe(const evgen *g, long id)
{
    char urn[512], name[128];
    if (evgen_probe_urn(g, id, urn, sizeof urn) < 0)
        return NULL;
    snprintf(name, sizeof name, "t%ld", id);
    json_t *ev =
        json_pack("{s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}}}", "entityType", "dataset", "entityUrn",
                  urn, "changeType", "UPSERT", "aspectName", "datasetProperties", "aspect", "json",
                  "name", name, "description", "freshness probe");
    if (!ev)
        return NULL;
    char *out = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    return out;
}
