/* gen_catalog.c — plans a catalog of N entities and runs the emitters.
 *
 * The mix: ~5% dashboards and charts, ~3% data flows and jobs, the people,
 * tags, glossary terms, domains and containers they refer to, and datasets
 * for the rest (81% of 3,000 entities, 91% of 1,000,000). People and containers grow like sqrt(N) (a company with ten
 * times the tables does not have ten times the data people), so the share
 * of datasets rises slowly with N.
 */
#include "bench/gen_catalog.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/gen_state.h"

const char *const GEN_TYPE_NAMES[GEN_T_COUNT] = {
    "corpuser", "corpGroup", "tag",     "glossaryTerm", "domain",    "container",
    "dataset",  "dataFlow",  "dataJob", "chart",        "dashboard",
};

const char *const GEN_ENVS[GEN_NENVS] = {"PROD", "DEV", "STAGING"};

static long lmin(long a, long b) { return a < b ? a : b; }
static long lmax(long a, long b) { return a > b ? a : b; }

int gen_catalog_plan(long n, long c[GEN_T_COUNT], char *err, size_t errlen)
{
    if (n < GEN_MIN_ENTITIES || n > GEN_MAX_ENTITIES) {
        snprintf(err, errlen, "--entities must be between %ld and %ld (got %ld)", GEN_MIN_ENTITIES,
                 GEN_MAX_ENTITIES, n);
        return -1;
    }
    double r = sqrt((double)n);
    memset(c, 0, sizeof(long) * GEN_T_COUNT);
    c[GEN_T_CORPUSER] = lround(2.5 * r);
    c[GEN_T_CORPGROUP] = lmax(2, c[GEN_T_CORPUSER] / 20);
    c[GEN_T_TAG] = lmin((long)GEN_NTAGS, lmax(5, n / 100));
    c[GEN_T_GLOSSARY_TERM] = lmin((long)GEN_NTERMS, lmax(5, n / 100));
    c[GEN_T_DOMAIN] = lmin((long)GEN_NDOMAINS, lmax(2, n / 250));
    c[GEN_T_CONTAINER] = lmax(lround(2.0 * r), n / 200);
    c[GEN_T_DASHBOARD] = lmax(1, lround(0.02 * (double)n));
    c[GEN_T_CHART] = lmax(1, lround(0.03 * (double)n));
    c[GEN_T_DATAFLOW] = lmax(1, lround(0.005 * (double)n));
    c[GEN_T_DATAJOB] = lmax(1, lround(0.025 * (double)n));
    long rest = 0;
    for (int t = 0; t < GEN_T_COUNT; t++)
        rest += c[t];
    c[GEN_T_DATASET] = n - rest;
    if (c[GEN_T_DATASET] < n / 2) {
        snprintf(err, errlen, "--entities %ld leaves too few datasets", n);
        return -1;
    }
    return 0;
}

void gen_event_begin(gen_state *st, gen_type type, const char *urn, const char *aspect)
{
    gen_json *j = &st->out;
    GEN_JSON_LIT(j, "{\"entityType\":");
    gen_json_str(j, GEN_TYPE_NAMES[type]);
    GEN_JSON_LIT(j, ",\"entityUrn\":");
    gen_json_str(j, urn);
    GEN_JSON_LIT(j, ",\"changeType\":\"UPSERT\",\"aspectName\":");
    gen_json_str(j, aspect);
    GEN_JSON_LIT(j, ",\"aspect\":{\"json\":");
}

void gen_event_end(gen_state *st)
{
    gen_json *j = &st->out;
    GEN_JSON_LIT(j, "},\"systemMetadata\":{\"lastObserved\":");
    gen_json_int(j, st->opt.now_ms);
    GEN_JSON_LIT(j, ",\"runId\":");
    gen_json_str(j, st->run_id);
    GEN_JSON_LIT(j, "}}\n");
    st->stats.events++;
}

static void state_free(gen_state *st)
{
    free(st->users);
    free(st->user_by_rank);
    gen_zipf_free(&st->user_zipf);
    free(st->groups);
    gen_zipf_free(&st->group_zipf);
    gen_zipf_free(&st->tag_zipf);
    gen_zipf_free(&st->term_zipf);
    free(st->containers);
    free(st->leaves);
    for (size_t p = 0; p < GEN_NPLATFORMS; p++)
        gen_zipf_free(&st->leaf_zipf[p]);
    free(st->datasets);
    gen_strmap_free(&st->dataset_urns);
    free(st->noun_last);
    free(st->by_noun);
    free(st->by_noun_start);
    free(st->by_noun_count);
    gen_zipf_free(&st->noun_zipf);
    free(st->column_cdf);
    free(st->column_used);
    free(st->column_tag);
    free(st->column_term);
    for (size_t i = 0; i < sizeof st->text / sizeof st->text[0]; i++)
        gen_text_free(&st->text[i]);
    gen_json_free(&st->out);
    gen_arena_free(&st->arena);
}

/* Vocabulary tables every emitter reads: popularity of tags, terms and nouns,
 * column weights, and which column hints point into this catalog. */
static int vocab_setup(gen_state *st)
{
    st->ntags = (size_t)st->plan[GEN_T_TAG];
    st->nterms = (size_t)st->plan[GEN_T_GLOSSARY_TERM];
    st->ndomains = (size_t)st->plan[GEN_T_DOMAIN];
    if (gen_zipf_init(&st->tag_zipf, st->ntags, 1.0) < 0 ||
        gen_zipf_init(&st->term_zipf, st->nterms, 0.9) < 0 ||
        gen_zipf_init(&st->noun_zipf, GEN_NNOUNS, 0.9) < 0)
        return -1;
    /* Fixed-size per-dataset and per-platform tables rely on these bounds. */
    if (GEN_NCOLUMNS > 256 || GEN_NPLATFORMS > 32)
        return -1;
    for (size_t p = 0; p < GEN_NPLATFORMS; p++) {
        char run[64];
        int n = snprintf(run, sizeof run, "%s-2025_06_01", GEN_PLATFORMS[p].name);
        if (n < 0 || (size_t)n >= sizeof run)
            return -1;
        st->platform_run[p] = gen_arena_dup(&st->arena, run, (size_t)n);
        if (!st->platform_run[p])
            return -1;
        st->platform_weight[p] = GEN_PLATFORMS[p].weight;
    }
    st->column_cdf = malloc(GEN_NCOLUMNS * sizeof *st->column_cdf);
    st->column_used = calloc(GEN_NCOLUMNS, 1);
    st->column_tag = malloc(GEN_NCOLUMNS * sizeof(int));
    st->column_term = malloc(GEN_NCOLUMNS * sizeof(int));
    if (!st->column_cdf || !st->column_used || !st->column_tag || !st->column_term)
        return -1;
    double acc = 0;
    for (size_t i = 0; i < GEN_NCOLUMNS; i++) {
        acc += GEN_COLUMNS[i].weight;
        st->column_cdf[i] = acc;
        int tag = GEN_COLUMNS[i].tag ? gen_vocab_tag_index(GEN_COLUMNS[i].tag) : -1;
        int term = GEN_COLUMNS[i].term ? gen_vocab_term_index(GEN_COLUMNS[i].term) : -1;
        st->column_tag[i] = tag >= 0 && (size_t)tag < st->ntags ? tag : -1;
        st->column_term[i] = term >= 0 && (size_t)term < st->nterms ? term : -1;
    }
    return 0;
}

int gen_catalog_write(const gen_options *opt, FILE *out, FILE *queries, gen_stats *stats, char *err,
                      size_t errlen)
{
    gen_state *st = calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = -1;
    st->opt = *opt;
    if (gen_catalog_plan(opt->entities, st->plan, err, errlen) < 0)
        goto done;
    if (opt->queries < 0) {
        snprintf(err, errlen, "the query count must not be negative");
        goto done;
    }
    gen_rng_seed(&st->rng, opt->seed, 0);
    if (gen_json_init(&st->out, out) < 0 || vocab_setup(st) < 0) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    if (gen_people_build(st) < 0 || gen_containers_build(st) < 0) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    gen_people_emit(st);
    gen_glossary_emit(st);
    gen_containers_emit(st);
    if (gen_datasets_emit(st) < 0 || gen_flows_emit(st) < 0) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    gen_dashboards_emit(st);
    for (size_t i = 0; i < sizeof st->text / sizeof st->text[0]; i++)
        st->failed |= st->text[i].failed;
    if (st->failed) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    if (gen_json_flush(&st->out) < 0) {
        snprintf(err, errlen, "write error on the catalog output");
        goto done;
    }
    st->stats.bytes = st->out.bytes;
    /* The plan is the promise: a mismatch is a generator bug, not bad input. */
    for (int t = 0; t < GEN_T_COUNT; t++)
        if (st->stats.entities[t] != st->plan[t]) {
            snprintf(err, errlen, "internal error: %ld %s entities written, %ld planned",
                     st->stats.entities[t], GEN_TYPE_NAMES[t], st->plan[t]);
            goto done;
        }
    if (queries && gen_queries_write(st, queries) < 0) {
        snprintf(err, errlen, "cannot write the query mix (out of memory or write error)");
        goto done;
    }
    rc = 0;
done:
    if (stats)
        *stats = st->stats;
    state_free(st);
    free(st);
    return rc;
}
