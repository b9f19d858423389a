/* gen_dataset.c — datasets, the bulk of the catalog.
 *
 * Each dataset gets a name built from business vocabulary (layer prefix,
 * qualifier, noun, suffix: "stg_customer_orders_daily"), so names collide
 * partially across schemas and environments the way real warehouses do
 * ("orders", "orders_v2", "stg_orders", "customer_orders"), then its
 * aspects: properties with composed prose, a schema of 5–60 typed columns
 * (v2 nested paths on Avro-like platforms), owners, tags, terms, lineage to
 * earlier datasets, domain, edited notes, Pareto-distributed usage, status.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/gen_state.h"

#define DAY_MS 86400000LL
#define MIN_COLUMNS 5
#define MAX_COLUMNS 60
#define GEN_NAME_MAX 64 /* generated column names: singular noun + "_status" */

typedef struct gen_col {
    const char *name;
    const char *parent; /* struct field name for children of a nested record */
    const char *record; /* struct type name (nested records and their children) */
    gen_col_class cls;
    int vocab; /* GEN_COLUMNS index, -1 for generated names */
    int key;
    const char *doc;
} gen_col;

typedef struct gen_schema {
    gen_col cols[MAX_COLUMNS];
    int n;
    char names[4][GEN_NAME_MAX]; /* generated column names */
    const char *others[8];       /* top-level names not from the vocabulary */
    int nothers;
} gen_schema;

static int layer_is(size_t layer, const char *text)
{
    return strcmp(GEN_LAYERS[layer].text, text) == 0;
}
static int suffix_is(size_t suffix, const char *text)
{
    return strcmp(GEN_SUFFIXES[suffix].text, text) == 0;
}

static size_t pick_affix(gen_state *st, const gen_affix *a, size_t n)
{
    unsigned w[32];
    for (size_t i = 0; i < n && i < 32; i++)
        w[i] = a[i].weight;
    return gen_rng_weighted(&st->rng, w, n < 32 ? n : 32);
}

/* "customer_orders" → "CustomerOrders" appended to t. */
static void add_camel(gen_text *t, const char *snake)
{
    int up = 1;
    for (const char *p = snake; *p; p++) {
        if (*p == '_') {
            up = 1;
            continue;
        }
        gen_text_addc(t, up ? (char)toupper((unsigned char)*p) : *p);
        up = 0;
    }
}

typedef struct name_parts {
    size_t layer, suffix;
    int qual; /* GEN_QUALIFIERS index or -1 */
    int noun;
} name_parts;

/* The table part of a name (no database or schema) into t. */
static void table_name(gen_state *st, const gen_platform *pl, const name_parts *np, gen_text *t)
{
    const char *plural = GEN_NOUNS[np->noun].plural;
    const char *suffix = GEN_SUFFIXES[np->suffix].text;
    gen_naming naming = pl->naming;
    if (naming == GEN_NAMES_TOPIC)
        naming = gen_rng_chance(&st->rng, 0.5) ? GEN_NAMES_CAMEL : GEN_NAMES_TOPIC;
    switch (naming) {
    case GEN_NAMES_CAMEL:
        if (np->qual >= 0)
            add_camel(t, GEN_QUALIFIERS[np->qual]);
        add_camel(t, plural);
        if (*suffix)
            add_camel(t, suffix + 1);
        break;
    case GEN_NAMES_TOPIC:
        if (gen_rng_chance(&st->rng, 0.4))
            gen_text_addf(t, "%s.", GEN_DOMAINS[GEN_NOUNS[np->noun].domain].id);
        gen_text_addf(t, "%s.%s", plural,
                      GEN_TOPIC_EVENTS[gen_rng_below(&st->rng, (uint32_t)GEN_NTOPIC_EVENTS)]);
        break;
    case GEN_NAMES_PATH:
    case GEN_NAMES_SNAKE:
        if (naming == GEN_NAMES_PATH) {
            static const char *const folders[] = {"raw", "staging", "curated", "analytics",
                                                  "exports"};
            gen_text_addf(t, "%s/", folders[gen_rng_below(&st->rng, 5)]);
        }
        gen_text_add(t, GEN_LAYERS[np->layer].text);
        if (np->qual >= 0)
            gen_text_addf(t, "%s_", GEN_QUALIFIERS[np->qual]);
        gen_text_add(t, plural);
        gen_text_add(t, suffix);
        break;
    }
}

/* Database and schema of a dataset on a platform without containers. */
static void loose_prefix(gen_state *st, const gen_platform *pl, gen_text *q)
{
    static const char *const buckets[] = {"acme-datalake-prod", "acme-raw-events", "acme-exports"};
    static const char *const dbt_schemas[] = {"dbt_prod",     "marts",     "staging",
                                              "intermediate", "analytics", "snapshots"};
    if (pl->naming == GEN_NAMES_PATH)
        gen_text_addf(q, "%s/", buckets[gen_rng_below(&st->rng, 3)]);
    else if (pl->levels == 3 && pl->view_subtype == NULL) /* looker: model.view.name */
        gen_text_addf(q, "%s.view.", GEN_DB_NAMES[gen_rng_below(&st->rng, 12)]);
    else if (pl->levels == 3)
        gen_text_addf(q, "%s.%s.", GEN_DB_NAMES[gen_rng_below(&st->rng, 8)],
                      dbt_schemas[gen_rng_below(&st->rng, 6)]);
}

static void make_urn(gen_text *urn, const gen_platform *pl, const char *qname, size_t qlen, int env,
                     size_t *qname_off)
{
    gen_text_clear(urn);
    gen_text_add(urn, "urn:li:dataset:(urn:li:dataPlatform:");
    gen_text_add(urn, pl->name);
    gen_text_addc(urn, ',');
    *qname_off = urn->len;
    gen_text_addn(urn, qname, qlen);
    gen_text_addc(urn, ',');
    gen_text_add(urn, GEN_ENVS[env]);
    gen_text_addc(urn, ')');
}

/* Chooses and registers a unique name and URN for dataset i. */
static int name_dataset(gen_state *st, size_t i, name_parts *np)
{
    gen_dataset *d = &st->datasets[i];
    gen_text *table = &st->text[0], *qname = &st->text[1], *urn = &st->text[2];
    size_t qoff = 0;

    /* Some datasets are DEV/STAGING copies of an earlier PROD one. */
    if (i > 0 && gen_rng_chance(&st->rng, 0.10)) {
        const gen_dataset *src = &st->datasets[gen_rng_below(&st->rng, (uint32_t)i)];
        if (src->env == GEN_ENV_PROD) {
            int env = gen_rng_chance(&st->rng, 0.7) ? GEN_ENV_DEV : GEN_ENV_STAGING;
            make_urn(urn, &GEN_PLATFORMS[src->platform], src->urn + src->qname_off, src->qname_len,
                     env, &qoff);
            if (!urn->failed && !gen_strmap_get(&st->dataset_urns, urn->s, urn->len)) {
                *d = *src;
                d->env = (uint8_t)env;
                np->noun = src->noun;
                np->layer = src->layer;
                np->qual = -1;
                np->suffix = 0;
                goto store;
            }
        }
    }

    size_t base_len = 0;
    for (int attempt = 0;; attempt++) {
        if (attempt < 6) {
            d->platform = (uint8_t)gen_rng_weighted(&st->rng, st->platform_weight, GEN_NPLATFORMS);
            d->env = gen_rng_chance(&st->rng, 0.02) ? GEN_ENV_DEV : GEN_ENV_PROD;
            np->noun = (int)gen_zipf_draw(&st->noun_zipf, &st->rng);
            np->layer = pick_affix(st, GEN_LAYERS, GEN_NLAYERS);
            np->suffix = pick_affix(st, GEN_SUFFIXES, GEN_NSUFFIXES);
            np->qual = gen_rng_chance(&st->rng, 0.3)
                           ? (int)gen_rng_below(&st->rng, (uint32_t)GEN_NQUALIFIERS)
                           : -1;
            const gen_platform *pl = &GEN_PLATFORMS[d->platform];
            if (pl->naming != GEN_NAMES_SNAKE && pl->naming != GEN_NAMES_PATH)
                np->layer = 0; /* collections and topics carry no warehouse layer */
            gen_text_clear(table);
            table_name(st, pl, np, table);
            gen_text_clear(qname);
            d->container = -1;
            if (pl->has_containers) {
                size_t leaf = st->leaf_start[d->platform] +
                              gen_zipf_draw(&st->leaf_zipf[d->platform], &st->rng);
                d->container = (int32_t)st->leaves[leaf];
                const gen_container *c = &st->containers[d->container];
                if (c->parent >= 0) {
                    gen_text_add(qname, c->db);
                    gen_text_addc(qname, '.');
                }
                gen_text_add(qname, c->name);
                gen_text_addc(qname, '.');
            } else {
                loose_prefix(st, pl, qname);
            }
            gen_text_addn(qname, table->s, table->len);
            base_len = qname->len;
        } else {
            /* Out of fresh draws: number the last one ("orders_2", "orders_3", ...). */
            qname->len = base_len;
            gen_text_addf(qname, "_%d", attempt - 4);
        }
        make_urn(urn, &GEN_PLATFORMS[d->platform], qname->s, qname->len, d->env, &qoff);
        if (urn->failed || qname->failed || table->failed)
            return -1;
        if (!gen_strmap_get(&st->dataset_urns, urn->s, urn->len))
            break;
    }
    d->noun = (uint16_t)np->noun;
    d->layer = (uint8_t)np->layer;

store:;
    if (urn->len > UINT16_MAX)
        return -1;
    const char *stored = gen_arena_dup(&st->arena, urn->s, urn->len);
    if (!stored || !gen_strmap_put(&st->dataset_urns, stored, urn->len, (uint32_t)i, NULL))
        return -1;
    d->urn = stored;
    d->qname_off = (uint16_t)qoff;
    d->qname_len = (uint16_t)(urn->len - qoff - strlen(GEN_ENVS[d->env]) - 2);
    /* Display name: a topic's whole name, a path's last segment, else the last dotted part. */
    const gen_platform *pl = &GEN_PLATFORMS[d->platform];
    const char *q = stored + qoff, *end = q + d->qname_len, *name = q;
    if (pl->naming != GEN_NAMES_TOPIC) {
        char sep = pl->naming == GEN_NAMES_PATH ? '/' : '.';
        for (const char *p = q; p < end; p++)
            if (*p == sep)
                name = p + 1;
    }
    d->name_off = (uint16_t)(name - stored);
    return 0;
}

/* Appends `tmpl` with its "%s" (if any) replaced by arg. */
static void add_template(gen_text *t, const char *tmpl, const char *arg)
{
    const char *at = strstr(tmpl, "%s");
    if (!at) {
        gen_text_add(t, tmpl);
        return;
    }
    gen_text_addn(t, tmpl, (size_t)(at - tmpl));
    gen_text_add(t, arg);
    gen_text_add(t, at + 2);
}

static void add_human(gen_text *t, const char *snake)
{
    for (const char *p = snake; *p; p++)
        gen_text_addc(t, *p == '_' ? ' ' : *p);
}

static void describe(gen_state *st, const gen_dataset *d, const name_parts *np, gen_text *t)
{
    const gen_noun *noun = &GEN_NOUNS[np->noun];
    const gen_platform *pl = &GEN_PLATFORMS[d->platform];
    gen_text_clear(t);
    if (gen_rng_chance(&st->rng, 0.03)) {
        gen_text_add(t, GEN_FOREIGN[gen_rng_below(&st->rng, (uint32_t)GEN_NFOREIGN)]);
        return;
    }
    const char *role = GEN_LAYERS[np->layer].role;
    if (pl->naming == GEN_NAMES_TOPIC)
        role = "Kafka topic";
    else if (pl->naming == GEN_NAMES_CAMEL)
        role = "Collection";
    gen_text_addf(t, "%s of ", role);
    if (np->qual >= 0)
        gen_text_addf(t, "%s ", GEN_QUALIFIERS[np->qual]);
    add_human(t, noun->plural);
    if (GEN_SUFFIXES[np->suffix].role)
        gen_text_addf(t, " (%s)", GEN_SUFFIXES[np->suffix].role);
    gen_text_add(t, ".");
    if (gen_rng_chance(&st->rng, 0.6)) {
        gen_text_add(t, " ");
        gen_text *s = &st->text[3];
        gen_text_clear(s);
        add_human(s, noun->singular);
        const char *grain = GEN_GRAINS[gen_rng_below(&st->rng, (uint32_t)GEN_NGRAINS)];
        if (pl->naming == GEN_NAMES_TOPIC)
            grain = "One message per %s event.";
        else if (pl->naming == GEN_NAMES_CAMEL)
            grain = "One document per %s.";
        add_template(t, grain, s->s);
    }
    if (gen_rng_chance(&st->rng, 0.5)) {
        static const char *const verbs[] = {"Sourced from %s.",
                                            "Loaded from %s by the nightly ELT job.",
                                            "Replicated from %s.", "Built from %s exports."};
        gen_text_add(t, " ");
        add_template(t, verbs[gen_rng_below(&st->rng, 4)],
                     GEN_SOURCES[gen_rng_below(&st->rng, (uint32_t)GEN_NSOURCES)]);
    }
    if (gen_rng_chance(&st->rng, 0.4) && pl->naming != GEN_NAMES_TOPIC) /* topics stream */
        gen_text_addf(t, " %s", GEN_REFRESH[gen_rng_below(&st->rng, (uint32_t)GEN_NREFRESH)]);
    if (gen_rng_chance(&st->rng, 0.3))
        gen_text_addf(t, " %s", GEN_CAVEATS[gen_rng_below(&st->rng, (uint32_t)GEN_NCAVEATS)]);
    int32_t newer = st->noun_last[np->noun];
    if (newer >= 0 && gen_rng_chance(&st->rng, suffix_is(np->suffix, "_deprecated") ? 0.9 : 0.04)) {
        const gen_dataset *o = &st->datasets[newer];
        gen_text_add(t, " Deprecated: use ");
        gen_text_addn(t, o->urn + o->qname_off, o->qname_len);
        gen_text_add(t, " instead.");
    }
    if (gen_rng_chance(&st->rng, 0.05))
        gen_text_addf(t,
                      "\n\n## Usage\n- Join on `%s_id`\n- Filter out rows where is_test = true\n"
                      "- Questions: #data-help",
                      noun->singular);
}

static void add_generated(gen_schema *s, int slot, const char *singular, const char *tail,
                          gen_col_class cls, int key, const char *doc, int *failed)
{
    int n = snprintf(s->names[slot], GEN_NAME_MAX, "%s%s", singular, tail);
    if (n < 0 || n >= GEN_NAME_MAX) {
        *failed = 1; /* vocabulary entries are far shorter: a vocabulary bug */
        return;
    }
    gen_col *c = &s->cols[s->n++];
    memset(c, 0, sizeof *c);
    c->name = s->names[slot];
    s->others[s->nothers++] = c->name;
    c->cls = cls;
    c->vocab = -1;
    c->key = key;
    c->doc = doc;
}

/* Whether a top-level column other than a vocabulary one (those are
 * deduplicated by index, and vocabulary names are distinct) is already
 * called `name`. */
static int has_name(const gen_schema *s, const char *name)
{
    for (int k = 0; k < s->nothers; k++)
        if (strcmp(s->others[k], name) == 0)
            return 1;
    return 0;
}

static void build_schema(gen_state *st, const gen_dataset *d, int nested, gen_schema *s)
{
    const gen_noun *noun = &GEN_NOUNS[d->noun];
    double u = gen_rng_unit(&st->rng);
    int want = MIN_COLUMNS + (int)((MAX_COLUMNS - MIN_COLUMNS + 1) * pow(u, 2.2));
    if (want > MAX_COLUMNS)
        want = MAX_COLUMNS;
    s->n = 0;
    s->nothers = 0;
    add_generated(s, 0, noun->singular, "_id", GEN_COL_INT, 1,
                  gen_rng_chance(&st->rng, 0.6) ? "Primary key." : NULL, &st->failed);
    if (want >= 8 && gen_rng_chance(&st->rng, 0.5))
        add_generated(s, 1, noun->singular, "_status", GEN_COL_STR, 0, NULL, &st->failed);
    if (want >= 10 && gen_rng_chance(&st->rng, 0.3))
        add_generated(s, 2, noun->singular, "_type", GEN_COL_STR, 0, NULL, &st->failed);
    if (layer_is(d->layer, "dim_") &&
        gen_rng_chance(&st->rng, 0.7)) /* dimensions have a display name */
        add_generated(s, 3, noun->singular, "_name", GEN_COL_STR, 0, NULL, &st->failed);
    if (nested) {
        int nstructs = 1 + gen_rng_chance(&st->rng, 0.4);
        for (int k = 0; k < nstructs; k++) {
            const gen_struct *gs = &GEN_STRUCTS[gen_rng_below(&st->rng, (uint32_t)GEN_NSTRUCTS)];
            int nchildren = 0;
            while (nchildren < 5 && gs->children[nchildren])
                nchildren++;
            if (s->n + 1 + nchildren > want || has_name(s, gs->name))
                continue;
            gen_col *c = &s->cols[s->n++];
            memset(c, 0, sizeof *c);
            c->name = gs->name;
            s->others[s->nothers++] = c->name;
            c->record = gs->type_name;
            c->cls = GEN_COL_STRUCT;
            c->vocab = -1;
            for (int ch = 0; ch < nchildren; ch++) {
                c = &s->cols[s->n++];
                memset(c, 0, sizeof *c);
                c->name = gs->children[ch];
                c->parent = gs->name;
                c->record = gs->type_name;
                c->cls = gs->classes[ch];
                c->vocab = -1;
            }
        }
    }
    uint8_t used[256] = {0};
    double total = st->column_cdf[GEN_NCOLUMNS - 1];
    for (int tries = 0; s->n < want && tries < 400; tries++) {
        double x = gen_rng_unit(&st->rng) * total;
        size_t lo = 0, hi = GEN_NCOLUMNS - 1;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (st->column_cdf[mid] > x)
                hi = mid;
            else
                lo = mid + 1;
        }
        if (used[lo] || has_name(s, GEN_COLUMNS[lo].name))
            continue;
        used[lo] = 1;
        gen_col *c = &s->cols[s->n++];
        memset(c, 0, sizeof *c);
        c->name = GEN_COLUMNS[lo].name;
        c->cls = GEN_COLUMNS[lo].cls;
        c->vocab = (int)lo;
        c->doc = gen_rng_chance(&st->rng, 0.4) ? GEN_COLUMNS[lo].doc : NULL;
    }
    /* Rare: the weighted draws kept hitting used names; fill in order. */
    for (size_t v = 0; s->n < want && v < GEN_NCOLUMNS; v++) {
        if (used[v] || has_name(s, GEN_COLUMNS[v].name))
            continue;
        used[v] = 1;
        gen_col *c = &s->cols[s->n++];
        memset(c, 0, sizeof *c);
        c->name = GEN_COLUMNS[v].name;
        c->cls = GEN_COLUMNS[v].cls;
        c->vocab = (int)v;
    }
}

/* Avro-style type names inside v2 field paths. */
static const char *const V2_TYPES[GEN_COL_CLASSES] = {
    "string", "long", "double", "boolean", "int", "long", "struct", "array",
};

static void field_path(const gen_platform *pl, const char *record, const gen_col *c, gen_text *t,
                       int nested)
{
    gen_text_clear(t);
    if (!nested) {
        gen_text_add(t, c->name);
        return;
    }
    int avro = pl->naming == GEN_NAMES_TOPIC || pl->naming == GEN_NAMES_CAMEL;
    if (!avro && !c->parent && c->cls != GEN_COL_STRUCT) {
        gen_text_add(t, c->name); /* SQL tables: only nested records use v2 paths */
        return;
    }
    gen_text_add(t, "[version=2.0].");
    if (avro) {
        gen_text_add(t, "[type=");
        gen_text_add(t, record);
        gen_text_add(t, "].");
    }
    gen_text_add(t, "[type=");
    if (c->parent || c->cls == GEN_COL_STRUCT)
        gen_text_add(t, avro ? c->record : "struct");
    else
        gen_text_add(t, V2_TYPES[c->cls]);
    gen_text_add(t, "].");
    if (c->parent) {
        gen_text_add(t, c->parent);
        gen_text_add(t, ".[type=");
        gen_text_add(t, V2_TYPES[c->cls]);
        gen_text_add(t, "].");
    }
    gen_text_add(t, c->name);
}

static void emit_schema(gen_state *st, const gen_dataset *d, long long created, long long modified)
{
    const gen_platform *pl = &GEN_PLATFORMS[d->platform];
    gen_json *j = &st->out;
    int nested = gen_rng_below(&st->rng, 100) < pl->nested_pct;
    gen_schema s;
    build_schema(st, d, nested, &s);
    gen_text *rec = &st->text[1], *path = &st->text[2];
    gen_text_clear(rec);
    add_camel(rec, GEN_NOUNS[d->noun].plural);

    gen_event_begin(st, GEN_T_DATASET, d->urn, "schemaMetadata");
    GEN_JSON_LIT(j, "{\"schemaName\":");
    gen_json_strn(j, d->urn + d->qname_off, d->qname_len);
    GEN_JSON_LIT(j, ",\"platform\":\"urn:li:dataPlatform:");
    gen_json_raw(j, pl->name, strlen(pl->name));
    GEN_JSON_LIT(j, "\",\"version\":0,\"created\":");
    gen_write_stamp(st, created, "etl");
    GEN_JSON_LIT(j, ",\"lastModified\":");
    gen_write_stamp(st, modified, "etl");
    GEN_JSON_LIT(j, ",\"hash\":\"\",\"platformSchema\":{\"");
    gen_json_raw(j, pl->schema_class, strlen(pl->schema_class));
    GEN_JSON_LIT(j, "\":{\"");
    gen_json_raw(j, pl->schema_key, strlen(pl->schema_key));
    GEN_JSON_LIT(j, "\":\"\"}},\"fields\":[");
    /* Lengths of the per-class strings, once per schema rather than per column. */
    size_t type_len[GEN_COL_CLASSES], native_len[GEN_COL_CLASSES];
    for (int c = 0; c < GEN_COL_CLASSES; c++) {
        type_len[c] = strlen(GEN_COL_TYPES[c]);
        native_len[c] = strlen(pl->native[c]);
    }
    for (int k = 0; k < s.n; k++) {
        const gen_col *c = &s.cols[k];
        if (c->vocab >= 0)
            st->column_used[c->vocab] = 1;
        field_path(pl, rec->s, c, path, nested);
        if (k)
            GEN_JSON_LIT(j, ",");
        GEN_JSON_LIT(j, "{\"fieldPath\":");
        gen_json_strn(j, path->s, path->len);
        if (c->key || gen_rng_chance(&st->rng, 0.2))
            GEN_JSON_LIT(j, ",\"nullable\":false");
        else
            GEN_JSON_LIT(j, ",\"nullable\":true");
        if (c->doc) {
            GEN_JSON_LIT(j, ",\"description\":");
            gen_json_str(j, c->doc);
        }
        GEN_JSON_LIT(j, ",\"type\":{\"type\":{\"");
        gen_json_raw(j, GEN_COL_TYPES[c->cls], type_len[c->cls]);
        GEN_JSON_LIT(j, "\":{}}},\"nativeDataType\":");
        gen_json_strn(j, pl->native[c->cls], native_len[c->cls]);
        GEN_JSON_LIT(j, ",\"recursive\":false");
        int tag = c->vocab >= 0 && gen_rng_chance(&st->rng, 0.5) ? st->column_tag[c->vocab] : -1;
        if (tag < 0 && gen_rng_chance(&st->rng, 0.02))
            tag = (int)gen_zipf_draw(&st->tag_zipf, &st->rng);
        if (tag >= 0) {
            GEN_JSON_LIT(j, ",\"globalTags\":{\"tags\":[{\"tag\":");
            gen_text *tu = &st->text[3];
            gen_text_clear(tu);
            gen_text_addf(tu, "urn:li:tag:%s", GEN_TAGS[tag].name);
            gen_json_strn(j, tu->s, tu->len);
            GEN_JSON_LIT(j, "}]}");
        }
        int term = c->vocab >= 0 && gen_rng_chance(&st->rng, 0.4) ? st->column_term[c->vocab] : -1;
        if (term >= 0) {
            GEN_JSON_LIT(j, ",\"glossaryTerms\":{\"terms\":[{\"urn\":\"urn:li:glossaryTerm:");
            gen_json_raw(j, GEN_TERMS[term].node, strlen(GEN_TERMS[term].node));
            GEN_JSON_LIT(j, ".");
            gen_json_raw(j, GEN_TERMS[term].id, strlen(GEN_TERMS[term].id));
            GEN_JSON_LIT(j, "\"}],\"auditStamp\":");
            gen_write_stamp(st, modified, "datahub");
            GEN_JSON_LIT(j, "}");
        }
        if (c->key)
            GEN_JSON_LIT(j, ",\"isPartOfKey\":true}");
        else
            GEN_JSON_LIT(j, ",\"isPartOfKey\":false}");
    }
    GEN_JSON_LIT(j, "]}");
    gen_event_end(st);
}

static void emit_properties(gen_state *st, const gen_dataset *d, const name_parts *np)
{
    const gen_platform *pl = &GEN_PLATFORMS[d->platform];
    gen_json *j = &st->out;
    gen_text *desc = &st->text[0];
    int has_desc = !gen_rng_chance(&st->rng, 0.18);
    if (has_desc)
        describe(st, d, np, desc);

    gen_event_begin(st, GEN_T_DATASET, d->urn, "datasetProperties");
    GEN_JSON_LIT(j, "{\"customProperties\":{");
    if (gen_rng_chance(&st->rng, 0.4)) {
        const char *qname = d->urn + d->qname_off;
        const char *name = d->urn + d->name_off;
        size_t name_len = (size_t)(qname + d->qname_len - name);
        if (pl->naming == GEN_NAMES_TOPIC) {
            GEN_JSON_LIT(j, "\"partitions\":\"");
            gen_json_int(j, 1LL << gen_rng_below(&st->rng, 6));
            GEN_JSON_LIT(j, "\",\"replication.factor\":\"3\",\"retention.ms\":\"604800000\"");
        } else if (strcmp(pl->name, "hive") == 0 && d->container >= 0) {
            GEN_JSON_LIT(j, "\"Table Type\":\"MANAGED_TABLE\",\"Location\":");
            gen_text *loc = &st->text[1];
            gen_text_clear(loc);
            const gen_container *c = &st->containers[d->container];
            gen_text_addf(loc, "hdfs://namenode:8020/user/hive/warehouse/%s.db/", c->name);
            gen_text_addn(loc, name, name_len);
            gen_json_strn(j, loc->s, loc->len);
            GEN_JSON_LIT(
                j, ",\"SerDe "
                   "Library\":\"org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe\"");
        } else if (pl->naming == GEN_NAMES_PATH) {
            GEN_JSON_LIT(j, "\"format\":\"parquet\",\"compression\":\"snappy\"");
        } else {
            GEN_JSON_LIT(j, "\"table_type\":\"BASE TABLE\",\"row_count\":\"");
            gen_json_int(j, (long long)gen_rng_pareto(&st->rng, 1000, 0.8));
            GEN_JSON_LIT(j, "\",\"created_by\":");
            gen_json_str(j, st->users[gen_people_pick_owner(st)].id);
        }
    }
    GEN_JSON_LIT(j, "},\"name\":");
    const char *name = d->urn + d->name_off;
    gen_json_strn(j, name, (size_t)(d->urn + d->qname_off + d->qname_len - name));
    GEN_JSON_LIT(j, ",\"qualifiedName\":");
    gen_json_strn(j, d->urn + d->qname_off, d->qname_len);
    if (has_desc) {
        GEN_JSON_LIT(j, ",\"description\":");
        gen_json_strn(j, desc->s, desc->len);
    }
    GEN_JSON_LIT(j, ",\"tags\":[]}");
    gen_event_end(st);
}

/* 1–3 distinct earlier datasets, preferring the latest one about the same
 * noun (stg_orders → orders → fact_orders chains). */
static int pick_upstreams(gen_state *st, size_t i, const gen_dataset *d, uint32_t *up)
{
    int want = 1 + (gen_rng_chance(&st->rng, 0.4) ? 1 + gen_rng_chance(&st->rng, 0.4) : 0), n = 0;
    for (int tries = 0; n < want && tries < 8; tries++) {
        int32_t same = st->noun_last[d->noun];
        uint32_t c = (same >= 0 && gen_rng_chance(&st->rng, 0.6))
                         ? (uint32_t)same
                         : gen_rng_below(&st->rng, (uint32_t)i);
        int dup = c == i;
        for (int k = 0; k < n; k++)
            dup |= up[k] == c;
        if (!dup)
            up[n++] = c;
    }
    return n;
}

static void emit_lineage(gen_state *st, const gen_dataset *d, const uint32_t *up, int n,
                         const char *type, long long t)
{
    gen_json *j = &st->out;
    gen_event_begin(st, GEN_T_DATASET, d->urn, "upstreamLineage");
    GEN_JSON_LIT(j, "{\"upstreams\":[");
    for (int k = 0; k < n; k++) {
        if (k)
            GEN_JSON_LIT(j, ",");
        GEN_JSON_LIT(j, "{\"auditStamp\":");
        gen_write_stamp(st, t, "_ingestion");
        GEN_JSON_LIT(j, ",\"dataset\":");
        gen_json_str(j, st->datasets[up[k]].urn);
        GEN_JSON_LIT(j, ",\"type\":\"");
        gen_json_raw(j, type, strlen(type));
        GEN_JSON_LIT(j, "\"}");
    }
    GEN_JSON_LIT(j, "]}");
    gen_event_end(st);
}

static void emit_view(gen_state *st, const gen_dataset *d, const gen_dataset *src)
{
    gen_json *j = &st->out;
    gen_text *sql = &st->text[1];
    gen_text_clear(sql);
    gen_text_add(sql, "CREATE VIEW ");
    gen_text_addn(sql, d->urn + d->qname_off, d->qname_len);
    gen_text_addf(sql, " AS\nSELECT\n  %s_id,\n  created_at,\n  status\nFROM ",
                  GEN_NOUNS[d->noun].singular);
    gen_text_addn(sql, src->urn + src->qname_off, src->qname_len);
    gen_text_add(sql, "\nWHERE NOT is_test");
    gen_event_begin(st, GEN_T_DATASET, d->urn, "viewProperties");
    GEN_JSON_LIT(j, "{\"materialized\":false,\"viewLogic\":");
    gen_json_strn(j, sql->s, sql->len);
    GEN_JSON_LIT(j, ",\"viewLanguage\":\"SQL\"}");
    gen_event_end(st);
}

static void emit_editable(gen_state *st, const gen_dataset *d, long long t)
{
    gen_json *j = &st->out;
    const gen_user *editor = &st->users[gen_people_pick_owner(st)];
    gen_text *note = &st->text[1];
    gen_text_clear(note);
    switch (gen_rng_below(&st->rng, 4)) {
    case 0:
        gen_text_add(note, "Source of truth for ");
        add_human(note, GEN_NOUNS[d->noun].plural);
        gen_text_addf(note, " reporting. Ask #%s on Slack before changing the schema.",
                      GEN_TEAMS[st->groups[editor->group].team].id);
        break;
    case 1:
        gen_text_addf(note, "Certified by %s. Tested daily for freshness and uniqueness of %s_id.",
                      editor->display, GEN_NOUNS[d->noun].singular);
        break;
    case 2:
        gen_text_add(note,
                     "⚠️ Numbers differ from the finance close by up to 0.3% (late refunds). "
                     "Use the certified mart for board reporting.");
        break;
    default:
        gen_text_add(note, "Edited: ");
        add_human(note, GEN_NOUNS[d->noun].plural);
        gen_text_addf(note, " for the %s domain; see the data contract in the repo.",
                      GEN_DOMAINS[GEN_NOUNS[d->noun].domain].name);
    }
    gen_event_begin(st, GEN_T_DATASET, d->urn, "editableDatasetProperties");
    GEN_JSON_LIT(j, "{\"created\":");
    gen_write_stamp(st, t, editor->id);
    GEN_JSON_LIT(j, ",\"lastModified\":");
    gen_write_stamp(st, t, editor->id);
    GEN_JSON_LIT(j, ",\"description\":");
    gen_json_strn(j, note->s, note->len);
    GEN_JSON_LIT(j, "}");
    gen_event_end(st);
}

/* Queries over the trailing month: Pareto, so most tables are nearly unused
 * and a few are queried hundreds of thousands of times. */
static void emit_usage(gen_state *st, const gen_dataset *d)
{
    gen_json *j = &st->out;
    double x = gen_rng_pareto(&st->rng, 1.0, 1.1);
    long long q = (long long)((x - 1.0) * 3.0);
    if (q > 5000000)
        q = 5000000;
    if (d->env != GEN_ENV_PROD)
        q /= 20;
    long long users = 0;
    if (q > 0) {
        users = 1 + (long long)(pow((double)q, 0.55) * (0.5 + gen_rng_unit(&st->rng)));
        if (users > q)
            users = q;
        if (users > (long long)st->nusers)
            users = (long long)st->nusers;
    }
    int nb = q >= 20 ? 3 : 1;
    long long left = q;
    for (int b = 0; b < nb; b++) {
        long long qb = b == nb - 1 ? left : left / 2;
        left -= qb;
        long long ub = users < qb ? users : qb;
        int day = nb == 1 ? 1 + (int)gen_rng_below(&st->rng, 7) : b + 1;
        gen_event_begin(st, GEN_T_DATASET, d->urn, "datasetUsageStatistics");
        GEN_JSON_LIT(j, "{\"timestampMillis\":");
        gen_json_int(j, st->opt.now_ms - day * DAY_MS);
        GEN_JSON_LIT(
            j, ",\"eventGranularity\":{\"unit\":\"DAY\",\"multiple\":1},"
               "\"partitionSpec\":{\"partition\":\"FULL_TABLE_SNAPSHOT\",\"type\":\"FULL_TABLE\"},"
               "\"uniqueUserCount\":");
        gen_json_int(j, ub);
        GEN_JSON_LIT(j, ",\"totalSqlQueries\":");
        gen_json_int(j, qb);
        GEN_JSON_LIT(j, ",\"userCounts\":[");
        uint32_t seen[3];
        int nseen = 0;
        long long rest = qb;
        for (int k = 0; k < 3 && k < ub; k++) {
            uint32_t u = gen_people_pick_owner(st);
            int dup = 0;
            for (int m = 0; m < nseen; m++)
                dup |= seen[m] == u;
            if (dup)
                continue;
            seen[nseen++] = u;
            long long c = k == 2 || k == ub - 1 ? rest : rest / 2 + 1;
            if (c > rest)
                c = rest;
            rest -= c;
            if (nseen > 1)
                GEN_JSON_LIT(j, ",");
            GEN_JSON_LIT(j, "{\"user\":\"urn:li:corpuser:");
            gen_json_raw(j, st->users[u].id, strlen(st->users[u].id));
            GEN_JSON_LIT(j, "\",\"count\":");
            gen_json_int(j, c);
            GEN_JSON_LIT(j, ",\"userEmail\":\"");
            gen_json_raw(j, st->users[u].id, strlen(st->users[u].id));
            GEN_JSON_LIT(j, "@acme.com\"}");
        }
        GEN_JSON_LIT(j, "]");
        if (qb >= 100) {
            GEN_JSON_LIT(j, ",\"topSqlQueries\":[");
            gen_text *sql = &st->text[1];
            gen_text_clear(sql);
            gen_text_addf(sql, "SELECT %s_id, count(*) FROM ", GEN_NOUNS[d->noun].singular);
            gen_text_addn(sql, d->urn + d->qname_off, d->qname_len);
            gen_text_add(sql, " GROUP BY 1");
            gen_json_strn(j, sql->s, sql->len);
            GEN_JSON_LIT(j, "]");
        }
        GEN_JSON_LIT(j, "}");
        gen_event_end(st);
    }
}

static int emit_dataset(gen_state *st, size_t i)
{
    name_parts np;
    if (name_dataset(st, i, &np) < 0)
        return -1;
    gen_dataset *d = &st->datasets[i];
    const gen_platform *pl = &GEN_PLATFORMS[d->platform];
    st->run_id = st->platform_run[d->platform];

    long long created = gen_past_time(st);
    long long modified =
        created + (long long)(gen_rng_unit(&st->rng) * (double)(st->opt.now_ms - created));
    int prod = d->env == GEN_ENV_PROD;

    emit_properties(st, d, &np);
    emit_schema(st, d, created, modified);

    uint32_t up[3];
    int nup = 0;
    /* Landing tables and topics are where lineage starts. */
    if (i > 0 && !layer_is(d->layer, "raw_") && pl->naming != GEN_NAMES_TOPIC &&
        gen_rng_chance(&st->rng, 0.65))
        nup = pick_upstreams(st, i, d, up);
    int view = nup > 0 && pl->view_subtype && gen_rng_chance(&st->rng, 0.2);
    gen_aspect_subtypes(st, GEN_T_DATASET, d->urn, view ? pl->view_subtype : pl->table_subtype);
    if (d->container >= 0) {
        gen_event_begin(st, GEN_T_DATASET, d->urn, "container");
        GEN_JSON_LIT(&st->out, "{\"container\":");
        gen_json_str(&st->out, st->containers[d->container].urn);
        GEN_JSON_LIT(&st->out, "}");
        gen_event_end(st);
    }
    if (gen_rng_chance(&st->rng, prod ? 0.92 : 0.6))
        gen_aspect_ownership(st, GEN_T_DATASET, d->urn, modified);
    if (gen_rng_chance(&st->rng, prod ? 0.45 : 0.2))
        gen_aspect_tags(st, GEN_T_DATASET, d->urn, 3);
    if (gen_rng_chance(&st->rng, prod ? 0.25 : 0.1))
        gen_aspect_terms(st, GEN_T_DATASET, d->urn, 2, modified);
    if (nup)
        emit_lineage(st, d, up, nup,
                     view                                ? "VIEW"
                     : suffix_is(np.suffix, "_snapshot") ? "COPY"
                                                         : "TRANSFORMED",
                     modified);
    if (view)
        emit_view(st, d, &st->datasets[up[0]]);
    int domain = GEN_NOUNS[d->noun].domain;
    if ((size_t)domain < st->ndomains && gen_rng_chance(&st->rng, 0.3))
        gen_aspect_domain(st, GEN_T_DATASET, d->urn, domain);
    if (prod && gen_rng_chance(&st->rng, 0.08))
        emit_editable(st, d, modified);
    if (pl->naming != GEN_NAMES_TOPIC && pl->naming != GEN_NAMES_PATH)
        emit_usage(st, d);
    gen_aspect_status(st, GEN_T_DATASET, d->urn, gen_rng_chance(&st->rng, 0.01));

    st->noun_last[d->noun] = (int32_t)i;
    st->stats.entities[GEN_T_DATASET]++;
    return 0;
}

static int index_by_noun(gen_state *st)
{
    st->by_noun = malloc((st->ndatasets ? st->ndatasets : 1) * sizeof *st->by_noun);
    st->by_noun_start = calloc(GEN_NNOUNS + 1, sizeof *st->by_noun_start);
    st->by_noun_count = calloc(GEN_NNOUNS, sizeof *st->by_noun_count);
    if (!st->by_noun || !st->by_noun_start || !st->by_noun_count)
        return -1;
    for (size_t i = 0; i < st->ndatasets; i++)
        st->by_noun_start[st->datasets[i].noun + 1]++;
    for (size_t n = 0; n < GEN_NNOUNS; n++)
        st->by_noun_start[n + 1] += st->by_noun_start[n];
    for (size_t i = 0; i < st->ndatasets; i++) {
        uint16_t n = st->datasets[i].noun;
        st->by_noun[st->by_noun_start[n] + st->by_noun_count[n]++] = (uint32_t)i;
    }
    return 0;
}

uint32_t gen_dataset_pick_by_noun(gen_state *st, int noun)
{
    if (st->by_noun_count[noun] == 0)
        return gen_rng_below(&st->rng, (uint32_t)st->ndatasets);
    return st->by_noun[st->by_noun_start[noun] +
                       gen_rng_below(&st->rng, (uint32_t)st->by_noun_count[noun])];
}

int gen_datasets_emit(gen_state *st)
{
    st->ndatasets = (size_t)st->plan[GEN_T_DATASET];
    st->datasets = calloc(st->ndatasets, sizeof *st->datasets);
    st->noun_last = malloc(GEN_NNOUNS * sizeof *st->noun_last);
    if (!st->datasets || !st->noun_last)
        return -1;
    for (size_t n = 0; n < GEN_NNOUNS; n++)
        st->noun_last[n] = -1;
    for (size_t i = 0; i < st->ndatasets; i++)
        if (emit_dataset(st, i) < 0 || st->failed)
            return -1;
    return index_by_noun(st);
}
