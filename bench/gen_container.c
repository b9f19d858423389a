/* gen_container.c — databases and schemas (DataHub containers).
 *
 * Platforms that have them (GEN_PLATFORMS[].has_containers) get databases,
 * and schemas inside them when their tables have three-part names. The
 * planned number of containers is split by platform weight; every such
 * platform gets at least one database (and schema). Datasets then pick a
 * leaf container (schema, or database for two-part names) with a Zipf skew:
 * a few schemas hold most tables. Container URNs are a hash of
 * platform/db[/schema], the way DataHub derives its container guids.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/gen_state.h"

static const char *make_urn(gen_state *st, const char *key, size_t len)
{
    char buf[64];
    snprintf(buf, sizeof buf, "urn:li:container:%016llx%016llx",
             (unsigned long long)gen_hash64(key, len, 1),
             (unsigned long long)gen_hash64(key, len, 2));
    return gen_arena_dup(&st->arena, buf, strlen(buf));
}

/* Picks a name from `names` not yet used under `scope` (e.g. "snowflake/"
 * or "snowflake/analytics/"), with numbered fallbacks once names run out. */
static const char *unique_name(gen_state *st, gen_strmap *seen, const char *scope,
                               const char *const *names, size_t nnames, gen_text *key)
{
    const char *base = names[gen_rng_below(&st->rng, (uint32_t)nnames)];
    for (unsigned k = 1;; k++) {
        gen_text_clear(key);
        gen_text_add(key, scope);
        size_t name_at = key->len;
        if (k <= 4) {
            /* A few fresh draws before numbering keeps names varied. */
            if (k > 1)
                base = names[gen_rng_below(&st->rng, (uint32_t)nnames)];
            gen_text_add(key, base);
        } else {
            gen_text_addf(key, "%s_%u", base, k - 3);
        }
        if (key->failed)
            return NULL;
        if (gen_strmap_get(seen, key->s, key->len))
            continue;
        const char *stored = gen_arena_dup(&st->arena, key->s, key->len);
        if (!stored || !gen_strmap_put(seen, stored, key->len, 0, NULL))
            return NULL;
        return stored + name_at;
    }
}

/* BigQuery databases are projects: "acme-analytics-prod". */
static const char *const BQ_PROJECTS[] = {
    "acme-analytics-prod", "acme-data-lake",   "acme-marketing-prod", "acme-finance-prod",
    "acme-ml-platform",    "acme-events-prod", "acme-sandbox",        "acme-reporting",
    "acme-raw-ingest",     "acme-warehouse",
};

static int add_container(gen_state *st, size_t *n, uint8_t platform, int32_t parent,
                         const char *name, const char *db, const char *key)
{
    gen_container *c = &st->containers[(*n)++];
    c->platform = platform;
    c->parent = parent;
    c->name = name;
    c->db = db;
    c->urn = make_urn(st, key, strlen(key));
    return c->urn ? 0 : -1;
}

int gen_containers_build(gen_state *st)
{
    size_t total = (size_t)st->plan[GEN_T_CONTAINER];
    if (GEN_NPLATFORMS > sizeof st->leaf_start / sizeof st->leaf_start[0])
        return -1;
    /* Minimums first, then the rest by weight (largest remainder). */
    size_t share[32] = {0}, minimum = 0;
    unsigned wsum = 0;
    for (size_t p = 0; p < GEN_NPLATFORMS; p++)
        if (GEN_PLATFORMS[p].has_containers) {
            share[p] = GEN_PLATFORMS[p].levels == 3 ? 2 : 1;
            minimum += share[p];
            wsum += GEN_PLATFORMS[p].weight;
        }
    if (total < minimum)
        return -1; /* gen_catalog_plan always plans more than the minimum */
    size_t rest = total - minimum, given = 0;
    double frac[32] = {0};
    for (size_t p = 0; p < GEN_NPLATFORMS; p++)
        if (GEN_PLATFORMS[p].has_containers) {
            double exact = (double)rest * GEN_PLATFORMS[p].weight / wsum;
            share[p] += (size_t)exact;
            given += (size_t)exact;
            frac[p] = exact - (double)(size_t)exact;
        }
    while (given < rest) {
        size_t best = 0;
        for (size_t p = 1; p < GEN_NPLATFORMS; p++)
            if (frac[p] > frac[best])
                best = p;
        share[best]++;
        frac[best] = -1;
        given++;
    }

    st->containers = calloc(total, sizeof *st->containers);
    st->leaves = malloc(total * sizeof *st->leaves);
    if (!st->containers || !st->leaves)
        return -1;
    gen_strmap seen = {0};
    gen_text *key = &st->text[0], *scope = &st->text[1];
    size_t n = 0, nleaves = 0;
    int rc = -1;
    for (size_t p = 0; p < GEN_NPLATFORMS; p++) {
        const gen_platform *pl = &GEN_PLATFORMS[p];
        st->leaf_start[p] = nleaves;
        if (!pl->has_containers)
            continue;
        size_t ndb = pl->levels == 3 ? (share[p] / 8 > 1 ? share[p] / 8 : 1) : share[p];
        size_t first_db = n;
        for (size_t d = 0; d < ndb; d++) {
            gen_text_clear(scope);
            gen_text_addf(scope, "%s/", pl->name);
            int bq = strcmp(pl->name, "bigquery") == 0;
            const char *name =
                unique_name(st, &seen, scope->s, bq ? BQ_PROJECTS : GEN_DB_NAMES,
                            bq ? sizeof BQ_PROJECTS / sizeof BQ_PROJECTS[0] : GEN_NDB_NAMES, key);
            if (!name || add_container(st, &n, (uint8_t)p, -1, name, name, key->s) < 0)
                goto done;
            if (pl->levels == 2)
                st->leaves[nleaves++] = (uint32_t)(n - 1);
        }
        if (pl->levels == 3) {
            gen_zipf dbz;
            if (gen_zipf_init(&dbz, ndb, 0.8) < 0)
                goto done;
            for (size_t s = ndb; s < share[p]; s++) {
                /* Every database gets a schema, then big databases get more. */
                size_t d = s - ndb < ndb ? s - ndb : gen_zipf_draw(&dbz, &st->rng);
                const gen_container *db = &st->containers[first_db + d];
                gen_text_clear(scope);
                gen_text_addf(scope, "%s/%s/", pl->name, db->name);
                const char *name =
                    unique_name(st, &seen, scope->s, GEN_SCHEMA_NAMES, GEN_NSCHEMA_NAMES, key);
                if (!name || add_container(st, &n, (uint8_t)p, (int32_t)(first_db + d), name,
                                           db->name, key->s) < 0) {
                    gen_zipf_free(&dbz);
                    goto done;
                }
                st->leaves[nleaves++] = (uint32_t)(n - 1);
            }
            gen_zipf_free(&dbz);
        }
        st->leaf_count[p] = nleaves - st->leaf_start[p];
        if (gen_zipf_init(&st->leaf_zipf[p], st->leaf_count[p], 0.7) < 0)
            goto done;
    }
    st->ncontainers = n;
    rc = 0;
done:
    gen_strmap_free(&seen);
    return rc;
}

void gen_containers_emit(gen_state *st)
{
    gen_json *j = &st->out;
    for (size_t i = 0; i < st->ncontainers; i++) {
        const gen_container *c = &st->containers[i];
        const gen_platform *pl = &GEN_PLATFORMS[c->platform];
        st->run_id = st->platform_run[c->platform];

        gen_event_begin(st, GEN_T_CONTAINER, c->urn, "containerProperties");
        GEN_JSON_LIT(j, "{\"customProperties\":{\"platform\":");
        gen_json_str(j, pl->name);
        GEN_JSON_LIT(j, ",\"env\":\"PROD\",\"database\":");
        gen_json_str(j, c->db);
        if (c->parent >= 0) {
            GEN_JSON_LIT(j, ",\"schema\":");
            gen_json_str(j, c->name);
        }
        GEN_JSON_LIT(j, "},\"name\":");
        gen_json_str(j, c->name);
        gen_text *qn = &st->text[1];
        gen_text_clear(qn);
        if (c->parent >= 0)
            gen_text_addf(qn, "%s.%s", c->db, c->name);
        else
            gen_text_add(qn, c->name);
        GEN_JSON_LIT(j, ",\"qualifiedName\":");
        gen_json_strn(j, qn->s, qn->len);
        if (gen_rng_chance(&st->rng, 0.3)) {
            GEN_JSON_LIT(j, ",\"description\":");
            gen_text *d = &st->text[0];
            gen_text_clear(d);
            gen_text_addf(d, "%s %s on %s.", c->parent >= 0 ? "Schema" : "Database", qn->s,
                          pl->name);
            gen_json_strn(j, d->s, d->len);
        }
        GEN_JSON_LIT(j, ",\"env\":\"PROD\"}");
        gen_event_end(st);

        gen_event_begin(st, GEN_T_CONTAINER, c->urn, "dataPlatformInstance");
        GEN_JSON_LIT(j, "{\"platform\":\"urn:li:dataPlatform:");
        gen_json_raw(j, pl->name, strlen(pl->name));
        GEN_JSON_LIT(j, "\"}");
        gen_event_end(st);
        gen_aspect_subtypes(st, GEN_T_CONTAINER, c->urn,
                            c->parent >= 0 ? pl->schema_subtype : pl->db_subtype);
        if (c->parent >= 0) {
            gen_event_begin(st, GEN_T_CONTAINER, c->urn, "container");
            GEN_JSON_LIT(j, "{\"container\":");
            gen_json_str(j, st->containers[c->parent].urn);
            GEN_JSON_LIT(j, "}");
            gen_event_end(st);
        }
        if (gen_rng_chance(&st->rng, 0.3))
            gen_aspect_ownership(st, GEN_T_CONTAINER, c->urn, gen_past_time(st));
        gen_aspect_status(st, GEN_T_CONTAINER, c->urn, 0);
        st->stats.entities[GEN_T_CONTAINER]++;
    }
}
