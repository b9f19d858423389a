/* summary.c — reads an entity's state once into a summary (see summary.h).
 *
 * The state's shape was checked when its aspects were merged (aspects.c), so
 * here anything of an unexpected type is skipped silently: a summary never
 * fails because of the data, only for lack of memory or of a URN.
 *
 * Where names and descriptions come from is one table (TEXT_SOURCES), one
 * row per (entity type, aspect); the aspects every entity type may carry
 * (ownership, tags, terms, domains, lineage, usage) are read for all types,
 * including types metadex does not know, which still get a name from their
 * URN.
 */
#include "model/summary.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/urn.h"

/* ---- string lists and owned strings ------------------------------------ */

static int strv_push(sum_strv *sv, const char *s)
{
    if (sv->n == sv->cap) {
        size_t cap = sv->cap ? sv->cap * 2 : 4;
        const char **v = realloc(sv->v, cap * sizeof *v);
        if (!v)
            return -1;
        sv->v = v;
        sv->cap = cap;
    }
    sv->v[sv->n++] = s;
    return 0;
}

/* Appends `s` unless it is NULL, empty or already there. The lists are short
 * (a few owners, tags, terms per entity), so a linear scan is cheapest. */
static int strv_add(sum_strv *sv, const char *s)
{
    if (!s || !*s)
        return 0;
    for (size_t i = 0; i < sv->n; i++)
        if (strcmp(sv->v[i], s) == 0)
            return 0;
    return strv_push(sv, s);
}

static void strv_free(sum_strv *sv)
{
    free(sv->v);
    sv->v = NULL;
    sv->n = sv->cap = 0;
}

/* Takes ownership of `p` (freed with the summary); NULL if p is NULL or the
 * list cannot grow (p is then freed). */
static char *sum_own(summary *s, char *p)
{
    if (!p)
        return NULL;
    if (s->nowned == s->owned_cap) {
        size_t cap = s->owned_cap ? s->owned_cap * 2 : 4;
        char **v = realloc(s->owned, cap * sizeof *v);
        if (!v) {
            free(p);
            return NULL;
        }
        s->owned = v;
        s->owned_cap = cap;
    }
    s->owned[s->nowned++] = p;
    return p;
}

static const char *sum_dup(summary *s, const char *src)
{
    size_t n = strlen(src);
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    memcpy(p, src, n + 1);
    return sum_own(s, p);
}

/* ---- JSON access that tolerates any shape ------------------------------ */

/* A non-empty string member, or NULL. */
static const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key); /* NULL unless o is an object */
    if (!json_is_string(v) || json_string_length(v) == 0)
        return NULL;
    return json_string_value(v);
}

/* Numbers may arrive as integers or reals; *ok says whether one was there. */
static double jnum(const json_t *o, const char *key, int *ok)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_number(v)) {
        *ok = 0;
        return 0;
    }
    *ok = 1;
    return json_number_value(v);
}

/* Lists are arrays; a patch keyed by URN could leave one as an object, so
 * an object's values read the same. */
typedef int (*item_fn)(summary *s, const json_t *item, void *ctx);

static int items_each(const json_t *coll, item_fn fn, summary *s, void *ctx)
{
    if (json_is_array(coll)) {
        size_t i;
        const json_t *v;
        json_array_foreach(coll, i, v) if (fn(s, v, ctx) != 0) return -1;
    } else if (json_is_object(coll)) {
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)coll, k, v) if (fn(s, v, ctx) != 0) return -1;
    }
    return 0;
}

/* Collecting strings from a list: the item itself (key NULL) or its member. */
typedef struct collect_ctx {
    const char *key;
    sum_strv *dest;
} collect_ctx;

static int collect_one(summary *s, const json_t *item, void *ctx)
{
    collect_ctx *c = ctx;
    (void)s;
    const char *v = NULL;
    if (!c->key) {
        if (json_is_string(item))
            v = json_string_value(item);
    } else {
        v = jstr(item, c->key);
    }
    return strv_add(c->dest, v);
}

static int collect(summary *s, const json_t *coll, const char *key, sum_strv *dest)
{
    collect_ctx c = {key, dest};
    return items_each(coll, collect_one, s, &c);
}

/* ---- names and descriptions, per entity type --------------------------- */

/* One aspect that names or describes an entity of one type. Edited aspects
 * (written by people in the UI) win for display over ingested ones; every
 * description is searchable. Within a row, the first name key present wins. */
typedef struct text_source {
    const char *type;
    const char *aspect;
    int edited;
    const char *name_keys[2];
    const char *qname_key;
    const char *desc_keys[2];
} text_source;

static const text_source TEXT_SOURCES[] = {
    {"dataset", "editableDatasetProperties", 1, {"name"}, NULL, {"description"}},
    {"dataset", "datasetProperties", 0, {"name"}, "qualifiedName", {"description"}},
    {"dashboard", "editableDashboardProperties", 1, {NULL}, NULL, {"description"}},
    {"dashboard", "dashboardInfo", 0, {"title"}, NULL, {"description"}},
    {"chart", "editableChartProperties", 1, {NULL}, NULL, {"description"}},
    {"chart", "chartInfo", 0, {"title"}, NULL, {"description"}},
    {"dataJob", "editableDataJobProperties", 1, {NULL}, NULL, {"description"}},
    {"dataJob", "dataJobInfo", 0, {"name"}, NULL, {"description"}},
    {"dataFlow", "editableDataFlowProperties", 1, {NULL}, NULL, {"description"}},
    {"dataFlow", "dataFlowInfo", 0, {"name"}, NULL, {"description"}},
    {"mlModel", "editableMlModelProperties", 1, {NULL}, NULL, {"description"}},
    {"mlModel", "mlModelProperties", 0, {"name"}, NULL, {"description"}},
    {"mlModelGroup", "editableMlModelGroupProperties", 1, {NULL}, NULL, {"description"}},
    {"mlModelGroup", "mlModelGroupProperties", 0, {"name"}, NULL, {"description"}},
    {"mlFeature", "editableMlFeatureProperties", 1, {NULL}, NULL, {"description"}},
    {"mlFeature", "mlFeatureProperties", 0, {"name"}, NULL, {"description"}},
    {"mlFeatureTable", "editableMlFeatureTableProperties", 1, {NULL}, NULL, {"description"}},
    {"mlFeatureTable", "mlFeatureTableProperties", 0, {"name"}, NULL, {"description"}},
    {"mlPrimaryKey", "editableMlPrimaryKeyProperties", 1, {NULL}, NULL, {"description"}},
    {"mlPrimaryKey", "mlPrimaryKeyProperties", 0, {"name"}, NULL, {"description"}},
    {"glossaryTerm", "glossaryTermInfo", 0, {"name"}, NULL, {"definition"}},
    {"glossaryNode", "glossaryNodeInfo", 0, {"name", "displayName"}, NULL, {"definition"}},
    {"tag", "tagProperties", 0, {"name"}, NULL, {"description"}},
    /* People: the e-mail address is the other identifier they are known
     * by, so it stands as the qualified name; a job title describes them. */
    {"corpuser", "corpUserEditableInfo", 1, {"displayName"}, NULL, {"aboutMe", "title"}},
    {"corpuser", "corpUserInfo", 0, {"displayName", "fullName"}, "email", {"title"}},
    {"corpGroup", "corpGroupEditableInfo", 1, {NULL}, NULL, {"description"}},
    {"corpGroup", "corpGroupInfo", 0, {"displayName"}, "email", {"description"}},
    {"domain", "domainProperties", 0, {"name"}, NULL, {"description"}},
    {"container", "editableContainerProperties", 1, {NULL}, NULL, {"description"}},
    {"container", "containerProperties", 0, {"name"}, "qualifiedName", {"description"}},
};

static int read_texts(summary *s, const json_t *aspects)
{
    const char *edited_name = NULL, *name = NULL, *edited_desc = NULL, *desc = NULL;
    for (size_t r = 0; r < sizeof TEXT_SOURCES / sizeof TEXT_SOURCES[0]; r++) {
        const text_source *src = &TEXT_SOURCES[r];
        if (strcmp(src->type, s->type) != 0)
            continue;
        const json_t *a = json_object_get(aspects, src->aspect);
        if (!json_is_object(a))
            continue;
        for (size_t k = 0; k < 2 && src->name_keys[k]; k++) {
            const char *v = jstr(a, src->name_keys[k]);
            if (!v)
                continue;
            const char **slot = src->edited ? &edited_name : &name;
            if (!*slot)
                *slot = v;
            break;
        }
        if (src->qname_key && !s->qualified_name)
            s->qualified_name = jstr(a, src->qname_key);
        for (size_t k = 0; k < 2 && src->desc_keys[k]; k++) {
            const char *v = jstr(a, src->desc_keys[k]);
            if (!v)
                continue;
            const char **slot = src->edited ? &edited_desc : &desc;
            if (!*slot)
                *slot = v;
            if (strv_add(&s->descriptions, v) != 0)
                return -1;
        }
    }
    /* A person without a display or full name: "first last". */
    if (!edited_name && !name && strcmp(s->type, "corpuser") == 0) {
        const json_t *info = json_object_get(aspects, "corpUserInfo");
        const char *first = jstr(info, "firstName"), *last = jstr(info, "lastName");
        if (first && last) {
            size_t nf = strlen(first), nl = strlen(last);
            char *p = malloc(nf + nl + 2);
            if (!p || !sum_own(s, p))
                return -1;
            memcpy(p, first, nf);
            p[nf] = ' ';
            memcpy(p + nf + 1, last, nl + 1);
            name = p;
        } else {
            name = first ? first : last;
        }
    }
    s->name = edited_name ? edited_name : name;
    s->description = edited_desc ? edited_desc : desc;
    return 0;
}

/* ---- columns ------------------------------------------------------------ */

/* Column lookup by reduced path while merging the schema with its edits:
 * an open-addressing table of column indices, so wide tables (thousands of
 * columns) merge in linear time. */
typedef struct col_index {
    uint32_t *slots; /* column index + 1; 0 = empty */
    size_t mask;
} col_index;

static uint64_t hash_str(const char *p)
{
    uint64_t h = 14695981039346656037ull; /* FNV-1a */
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h;
}

/* The column with `path`, or a new one appended to s->columns. */
static sum_column *column_get(summary *s, col_index *ix, const char *path)
{
    size_t i = hash_str(path) & ix->mask;
    while (ix->slots[i]) {
        sum_column *c = &s->columns[ix->slots[i] - 1];
        if (strcmp(c->path, path) == 0)
            return c;
        i = (i + 1) & ix->mask;
    }
    sum_column *c = &s->columns[s->ncolumns++];
    memset(c, 0, sizeof *c);
    c->path = path;
    ix->slots[i] = (uint32_t)s->ncolumns;
    return c;
}

/* A schema field path as people know it: v2 paths reduced, plain paths as
 * they are (pointing into the state, no copy). NULL when not a string;
 * *oom set on allocation failure. */
static const char *column_path(summary *s, const json_t *item, int *oom)
{
    const char *raw = jstr(item, "fieldPath");
    if (!raw)
        return NULL;
    if (!strchr(raw, '['))
        return raw;
    size_t n = strlen(raw);
    char *p = malloc(n + 1); /* a reduced path is never longer */
    if (!p) {
        *oom = 1;
        return NULL;
    }
    int len = summary_field_path(raw, p, n + 1);
    if (len <= 0) { /* nothing but type annotations: keep the path as written */
        free(p);
        return raw;
    }
    if (!sum_own(s, p)) {
        *oom = 1;
        return NULL;
    }
    return p;
}

static int column_labels(summary *s, sum_column *c, const json_t *item)
{
    const json_t *tags = json_object_get(json_object_get(item, "globalTags"), "tags");
    const json_t *terms = json_object_get(json_object_get(item, "glossaryTerms"), "terms");
    if (collect(s, tags, "tag", &c->tags) != 0 || collect(s, terms, "urn", &c->terms) != 0)
        return -1;
    /* Column tags and terms count for the entity too. */
    for (size_t i = 0; i < c->tags.n; i++)
        if (strv_add(&s->tags, c->tags.v[i]) != 0)
            return -1;
    for (size_t i = 0; i < c->terms.n; i++)
        if (strv_add(&s->terms, c->terms.v[i]) != 0)
            return -1;
    return 0;
}

static int read_columns(summary *s, const json_t *aspects)
{
    const json_t *fields = json_object_get(json_object_get(aspects, "schemaMetadata"), "fields");
    const json_t *edits = json_object_get(json_object_get(aspects, "editableSchemaMetadata"),
                                          "editableSchemaFieldInfo");
    size_t nf = json_is_array(fields) ? json_array_size(fields) : 0;
    size_t ne = json_is_array(edits) ? json_array_size(edits) : 0;
    if (nf + ne == 0)
        return 0;
    if (nf + ne > UINT32_MAX / 2)
        return -1;
    size_t nslots = 16;
    while (nslots < 2 * (nf + ne))
        nslots *= 2;
    col_index ix = {calloc(nslots, sizeof(uint32_t)), nslots - 1};
    s->columns = calloc(nf + ne, sizeof *s->columns);
    if (!ix.slots || !s->columns) {
        free(ix.slots);
        return -1;
    }
    int oom = 0;
    for (size_t i = 0; i < nf && !oom; i++) {
        const json_t *f = json_array_get(fields, i);
        const char *path = column_path(s, f, &oom);
        if (!path)
            continue;
        sum_column *c = column_get(s, &ix, path);
        if (!c->native_type)
            c->native_type = jstr(f, "nativeDataType");
        if (!c->description)
            c->description = jstr(f, "description");
        if (column_labels(s, c, f) != 0)
            oom = 1;
    }
    for (size_t i = 0; i < ne && !oom; i++) {
        const json_t *e = json_array_get(edits, i);
        const char *path = column_path(s, e, &oom);
        if (!path)
            continue;
        sum_column *c = column_get(s, &ix, path);
        const char *d = jstr(e, "description");
        if (d) /* edited wins */
            c->description = d;
        if (column_labels(s, c, e) != 0)
            oom = 1;
    }
    free(ix.slots);
    return oom ? -1 : 0;
}

/* ---- usage ---------------------------------------------------------------- */

/* usageFeatures holds ready 30-day figures; otherwise the timeseries aspects
 * hold the trailing 30 days of buckets (entity.h). Bucketed events (with an
 * eventGranularity) are summed; "absolute" events (DataHub's dashboard and
 * chart statistics without granularity carry running totals) are not
 * summable, so the latest one counts when there are no buckets. Unique users
 * cannot be summed across buckets without counting a person once per day:
 * the largest bucket's figure is taken, a lower bound of the true count. */
typedef struct usage_source {
    const char *aspect, *count, *users;
} usage_source;

static const usage_source USAGE_SOURCES[] = {
    {"datasetUsageStatistics", "totalSqlQueries", "uniqueUserCount"},
    {"dashboardUsageStatistics", "viewsCount", "uniqueUserCount"},
    {"chartUsageStatistics", "viewsCount", "uniqueUserCount"},
};

static void read_usage(summary *s, const json_t *aspects)
{
    const json_t *uf = json_object_get(aspects, "usageFeatures");
    if (json_is_object(uf)) {
        int okq, oku, okv;
        double q = jnum(uf, "queryCountLast30Days", &okq);
        if (!okq)
            q = jnum(uf, "usageCountLast30Days", &okq);
        double v = jnum(uf, "viewCountLast30Days", &okv);
        double u = jnum(uf, "uniqueUserCountLast30Days", &oku);
        if (okq || okv || oku) {
            s->usage_queries = (okq ? q : 0) + (okv ? v : 0);
            s->usage_users = oku ? u : 0;
            return;
        }
    }
    for (size_t k = 0; k < sizeof USAGE_SOURCES / sizeof USAGE_SOURCES[0]; k++) {
        const usage_source *src = &USAGE_SOURCES[k];
        const json_t *buckets = json_object_get(aspects, src->aspect);
        size_t n = json_is_array(buckets) ? json_array_size(buckets) : json_is_object(buckets);
        double sum = 0, users = 0, abs_count = 0, abs_users = 0, abs_ts = -1;
        int have_buckets = 0, have_abs = 0;
        for (size_t i = 0; i < n; i++) {
            const json_t *b = json_is_array(buckets) ? json_array_get(buckets, i) : buckets;
            int okc, oku, okt;
            double c = jnum(b, src->count, &okc), u = jnum(b, src->users, &oku);
            if (json_object_get(b, "eventGranularity")) {
                have_buckets = 1;
                sum += okc ? c : 0;
                if (oku && u > users)
                    users = u;
            } else {
                double ts = jnum(b, "timestampMillis", &okt);
                if (!okt)
                    ts = 0;
                if (ts >= abs_ts) {
                    have_abs = 1;
                    abs_ts = ts;
                    abs_count = okc ? c : 0;
                    abs_users = oku ? u : 0;
                }
            }
        }
        if (have_buckets) {
            s->usage_queries += sum;
            s->usage_users = users > s->usage_users ? users : s->usage_users;
        } else if (have_abs) {
            s->usage_queries += abs_count;
            s->usage_users = abs_users > s->usage_users ? abs_users : s->usage_users;
        }
    }
}

/* ---- times ---------------------------------------------------------------- */

static void note_time(summary *s, const json_t *v)
{
    if (!json_is_number(v))
        return;
    double t = json_number_value(v);
    if (t > (double)s->updated_ms && t < 9.2e18)
        s->updated_ms = (long long)t;
}

/* The audit stamps DataHub aspects carry: lastModified.time (or the nested
 * lastModified.lastModified.time of dashboard and chart info), created.time,
 * and the timestampMillis of timeseries buckets. */
static void read_times_of(summary *s, const json_t *a)
{
    const json_t *lm = json_object_get(a, "lastModified");
    note_time(s, json_object_get(lm, "time"));
    note_time(s, json_object_get(json_object_get(lm, "lastModified"), "time"));
    note_time(s, json_object_get(json_object_get(a, "created"), "time"));
    note_time(s, json_object_get(a, "timestampMillis"));
}

static void read_times(summary *s, const json_t *aspects)
{
    const char *k;
    const json_t *a;
    json_object_foreach((json_t *)aspects, k, a)
    {
        if (json_is_array(a)) {
            size_t i;
            const json_t *b;
            json_array_foreach(a, i, b) read_times_of(s, b);
        } else {
            read_times_of(s, a);
        }
    }
}

/* ---- what every entity type may carry ----------------------------------- */

static int read_common(summary *s, const json_t *aspects)
{
    const json_t *a;
    a = json_object_get(aspects, "ownership");
    if (collect(s, json_object_get(a, "owners"), "owner", &s->owners) != 0)
        return -1;
    a = json_object_get(aspects, "globalTags");
    if (collect(s, json_object_get(a, "tags"), "tag", &s->tags) != 0)
        return -1;
    a = json_object_get(aspects, "glossaryTerms");
    if (collect(s, json_object_get(a, "terms"), "urn", &s->terms) != 0)
        return -1;
    a = json_object_get(aspects, "domains");
    if (collect(s, json_object_get(a, "domains"), NULL, &s->domains) != 0)
        return -1;
    a = json_object_get(aspects, "subTypes");
    if (collect(s, json_object_get(a, "typeNames"), NULL, &s->subtypes) != 0)
        return -1;
    s->container = jstr(json_object_get(aspects, "container"), "container");

    /* Lineage: datasets' upstreams; a job's inputs and outputs; what a
     * chart reads and what a dashboard shows. */
    a = json_object_get(aspects, "upstreamLineage");
    if (collect(s, json_object_get(a, "upstreams"), "dataset", &s->upstreams) != 0)
        return -1;
    a = json_object_get(aspects, "dataJobInputOutput");
    if (collect(s, json_object_get(a, "inputDatasets"), NULL, &s->upstreams) != 0 ||
        collect(s, json_object_get(a, "inputDatasetEdges"), "destinationUrn", &s->upstreams) ||
        collect(s, json_object_get(a, "inputDatajobs"), NULL, &s->upstreams) != 0 ||
        collect(s, json_object_get(a, "inputDatajobEdges"), "destinationUrn", &s->upstreams) ||
        collect(s, json_object_get(a, "outputDatasets"), NULL, &s->downstreams) != 0 ||
        collect(s, json_object_get(a, "outputDatasetEdges"), "destinationUrn",
                &s->downstreams) != 0)
        return -1;
    a = json_object_get(aspects, "chartInfo");
    if (collect(s, json_object_get(a, "inputs"), NULL, &s->upstreams) != 0 ||
        collect(s, json_object_get(a, "inputEdges"), "destinationUrn", &s->upstreams) != 0)
        return -1;
    a = json_object_get(aspects, "dashboardInfo");
    if (collect(s, json_object_get(a, "charts"), NULL, &s->upstreams) != 0 ||
        collect(s, json_object_get(a, "chartEdges"), "destinationUrn", &s->upstreams) != 0 ||
        collect(s, json_object_get(a, "datasets"), NULL, &s->upstreams) != 0 ||
        collect(s, json_object_get(a, "datasetEdges"), "destinationUrn", &s->upstreams) != 0)
        return -1;

    s->removed = json_is_true(json_object_get(json_object_get(aspects, "status"), "removed"));
    return 0;
}

/* ---- URN-derived parts ---------------------------------------------------- */

static int read_urn(summary *s, const json_t *aspects)
{
    urn u;
    char uerr[128];
    int parsed = urn_parse(s->urn, &u, uerr, sizeof uerr) == 0;
    int rc = 0;
    if (!s->type)
        s->type = parsed ? sum_dup(s, u.entity_type) : NULL;
    if (parsed) {
        const char *n = urn_name(&u), *p = urn_platform(&u), *e = urn_env(&u);
        if ((n && !(s->urn_name = sum_dup(s, n))) || (p && !(s->platform = sum_dup(s, p))) ||
            (e && !(s->origin = sum_dup(s, e))))
            rc = -1;
        urn_free(&u);
    }
    if (rc != 0)
        return -1;
    if (!s->type)
        s->type = "";
    if (!s->urn_name)
        s->urn_name = summary_urn_label(s->urn);
    if (!s->platform) {
        const char *p = jstr(json_object_get(aspects, "dataPlatformInstance"), "platform");
        if (!p)
            p = jstr(json_object_get(aspects, "schemaMetadata"), "platform");
        if (p)
            s->platform = urn_last_field(p);
    }
    if (!s->origin)
        s->origin = jstr(json_object_get(aspects, "containerProperties"), "env");
    return 0;
}

const char *summary_short_name(const summary *s)
{
    const char *n = s->urn_name;
    if (!n)
        return NULL;
    /* Hierarchical names: "db.schema.table", "bucket/dir/file.csv",
     * "Classification.Sensitive". A slash path keeps its file name whole. */
    if (strcmp(s->type, "dataset") != 0 && strcmp(s->type, "glossaryTerm") != 0 &&
        strcmp(s->type, "glossaryNode") != 0)
        return n;
    const char *slash = strrchr(n, '/');
    if (slash && slash[1])
        return slash + 1;
    const char *dot = strrchr(n, '.');
    if (dot && dot[1])
        return dot + 1;
    return n;
}

/* ---- public --------------------------------------------------------------- */

int summary_build(const json_t *state, summary *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->urn = jstr(state, "urn");
    if (!out->urn) {
        snprintf(err, errlen, "state has no urn");
        return -1;
    }
    out->type = jstr(state, "type");
    const json_t *aspects = json_object_get(state, "aspects");
    if (!json_is_object(aspects))
        aspects = NULL;
    if (read_urn(out, aspects) != 0 || read_texts(out, aspects) != 0 ||
        read_common(out, aspects) != 0 || read_columns(out, aspects) != 0) {
        summary_free(out);
        snprintf(err, errlen, "out of memory summarising %.200s", jstr(state, "urn"));
        return -1;
    }
    read_usage(out, aspects);
    if (aspects)
        read_times(out, aspects);
    if (!out->name)
        out->name = summary_short_name(out);
    if (!out->name || !*out->name)
        out->name = out->urn;
    return 0;
}

void summary_free(summary *s)
{
    if (!s)
        return;
    strv_free(&s->descriptions);
    strv_free(&s->owners);
    strv_free(&s->owner_names);
    strv_free(&s->tags);
    strv_free(&s->terms);
    strv_free(&s->domains);
    strv_free(&s->subtypes);
    strv_free(&s->upstreams);
    strv_free(&s->downstreams);
    for (size_t i = 0; i < s->ncolumns; i++) {
        strv_free(&s->columns[i].tags);
        strv_free(&s->columns[i].terms);
    }
    free(s->columns);
    for (size_t i = 0; i < s->nowned; i++)
        free(s->owned[i]);
    free(s->owned);
    memset(s, 0, sizeof *s);
}

int summary_field_path(const char *path, char *out, size_t cap)
{
    size_t o = 0;
    const char *p = path;
    if (cap == 0)
        return -1;
    if (!strchr(path, '[')) { /* a plain path is its own name */
        size_t n = strlen(path);
        if (n + 1 > cap || n > INT32_MAX)
            return -1;
        memcpy(out, path, n + 1);
        return (int)n;
    }
    while (*p) {
        if (*p == '[') {
            /* An annotation segment "[...]" (which may hold dots, as in
             * "[version=2.0]") is dropped with the dot after it. */
            const char *q = p;
            int depth = 0;
            for (; *q; q++) {
                if (*q == '[')
                    depth++;
                else if (*q == ']' && --depth == 0)
                    break;
            }
            if (*q == ']' && (q[1] == '.' || q[1] == '\0')) {
                p = q[1] == '.' ? q + 2 : q + 1;
                continue;
            }
            /* Not a whole "[...]" segment: a name that happens to hold "[". */
        }
        const char *end = strchr(p, '.');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        size_t need = n + (o > 0 ? 1 : 0);
        if (o + need + 1 > cap)
            return -1;
        if (o > 0)
            out[o++] = '.';
        memcpy(out + o, p, n);
        o += n;
        p += n;
        if (*p == '.')
            p++;
    }
    out[o] = '\0';
    return (int)o;
}

const char *summary_urn_label(const char *urn)
{
    if (!urn || strncmp(urn, "urn:", 4) != 0)
        return urn;
    const char *ns_end = strchr(urn + 4, ':');
    if (!ns_end)
        return urn;
    const char *type_end = strchr(ns_end + 1, ':');
    if (!type_end || !type_end[1])
        return urn;
    return type_end + 1;
}
