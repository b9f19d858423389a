/* test_docbuild.c — the Xapian document an entity's state becomes: text
 * terms per field with their prefixes, stems for prose, exact filter terms,
 * facet slots, exact-name terms, popularity/name/updated slots, the id term,
 * the removed mark and the state as data; long terms skipped, never cut. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dirent.h>

#include "model/card.h"
#include "model/docbuild.h"
#include "model/docdata.h"
#include "model/entity.h"
#include "model/event.h"
#include "model/fields.h"

static an_analyzer *an;

static void setup(void)
{
    char err[256];
    an = an_new(err, sizeof err);
    ck_assert_msg(an != NULL, "%s", err);
}

static void teardown(void)
{
    an_free(an);
}

/* A built document and its terms, sorted as Xapian lists them. */
typedef struct built {
    xap_doc *doc;
    char **terms;
    size_t n;
} built;

static void built_free(built *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->terms[i]);
    free(b->terms);
    xap_doc_free(b->doc);
}

static const char *lookup_names(void *ctx, const char *urn)
{
    (void)ctx;
    if (strcmp(urn, "urn:li:corpuser:john.doe@acme.com") == 0)
        return "Johnathan Doe";
    if (strcmp(urn, "urn:li:container:c0ffee") == 0)
        return "analytics_db";
    if (strcmp(urn, "urn:li:domain:7186eeff-a860-4b0a-989f-69473a0c9c67") == 0)
        return "Marketing Analytics";
    if (strcmp(urn, "urn:li:glossaryTerm:41fbd1c8-f1f3-4b4e-9a2a-7e1d51e4d7e2") == 0)
        return "Customer Lifetime Value";
    if (strcmp(urn, "urn:li:tag:Legacy Data") == 0)
        return "Legacy Data"; /* the same as its label: not indexed twice */
    return NULL;
}

static json_t *parse(const char *text)
{
    json_error_t jerr;
    json_t *v = json_loads(text, 0, &jerr);
    ck_assert_msg(v != NULL, "bad test JSON: %s", jerr.text);
    return v;
}

static built build_state(const json_t *state)
{
    built b = {xap_doc_new(), NULL, 0};
    char err[256];
    ck_assert_ptr_nonnull(b.doc);
    ck_assert_msg(doc_build(an, state, lookup_names, NULL, b.doc, err, sizeof err) == 0, "%s",
                  err);
    xap_err xe;
    xap_termiter *it = xap_doc_termlist(b.doc, &xe);
    ck_assert_msg(it != NULL, "%s", xe.msg);
    const char *t;
    size_t len;
    uint32_t freq;
    size_t cap = 0;
    int rc;
    while ((rc = xap_termiter_next(it, &t, &len, &freq, &xe)) == 1) {
        if (b.n == cap) {
            cap = cap ? cap * 2 : 64;
            b.terms = realloc(b.terms, cap * sizeof *b.terms);
            ck_assert_ptr_nonnull(b.terms);
        }
        b.terms[b.n] = strndup(t, len);
        ck_assert_ptr_nonnull(b.terms[b.n]);
        b.n++;
    }
    ck_assert_int_eq(rc, 0);
    xap_termiter_free(it);
    return b;
}

static built build_text(const char *text)
{
    json_t *st = parse(text);
    built b = build_state(st);
    json_decref(st);
    return b;
}

static int has_term(const built *b, const char *term)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->terms[i], term) == 0)
            return 1;
    return 0;
}

#define ck_term(b, t) ck_assert_msg(has_term(&(b), (t)), "missing term \"%s\"", (t))
#define ck_no_term(b, t) ck_assert_msg(!has_term(&(b), (t)), "unexpected term \"%s\"", (t))

/* The value in `slot` (malloc'd), NULL if none. */
static char *value(const built *b, unsigned slot, size_t *len)
{
    char *v = NULL;
    xap_err xe;
    ck_assert_int_eq(xap_doc_get_value(b->doc, slot, &v, len, &xe), 0);
    if (*len == 0) {
        free(v);
        return NULL;
    }
    return v;
}

static const char *DATASET =
    "{\"urn\":\"urn:li:dataset:(urn:li:dataPlatform:hive,sales_db.public.fct_orders,PROD)\","
    "\"type\":\"dataset\",\"aspects\":{"
    "\"datasetProperties\":{\"name\":\"Customer Orders Report\","
    "\"qualifiedName\":\"warehouse.sales_db.public.fct_orders\","
    "\"description\":\"Tracks shipped orders daily\"},"
    "\"schemaMetadata\":{\"fields\":["
    "{\"fieldPath\":\"[version=2.0].[type=struct].address.[type=string].zipcode\","
    "\"description\":\"Postal codes of the shipping addresses\","
    "\"globalTags\":{\"tags\":[{\"tag\":\"urn:li:tag:pii:email\"}]}},"
    "{\"fieldPath\":\"CustomerID\"}]},"
    "\"globalTags\":{\"tags\":[{\"tag\":\"urn:li:tag:Legacy Data\"},{\"tag\":\"urn:li:tag:pii:email\"},"
    "{\"tag\":\"urn:li:tag:team-finance\"}]},"
    "\"glossaryTerms\":{\"terms\":[{\"urn\":\"urn:li:glossaryTerm:Classification.Sensitive\"}]},"
    "\"ownership\":{\"owners\":[{\"owner\":\"urn:li:corpuser:john.doe@acme.com\"},"
    "{\"owner\":\"urn:li:corpuser:jdoe\"}]},"
    "\"domains\":{\"domains\":[\"urn:li:domain:sales\"]},"
    "\"subTypes\":{\"typeNames\":[\"Table\"]},"
    "\"container\":{\"container\":\"urn:li:container:c0ffee\"}}}";

START_TEST(name_and_qualified_name_terms)
{
    built b = build_text(DATASET);
    /* Display name, with positions (the field keeps them). */
    ck_term(b, "Ncustomer");
    ck_term(b, "Norders");
    ck_term(b, "Nreport");
    /* The URN name's last part, split and joined. */
    ck_term(b, "Nfct");
    ck_term(b, "Nfctorders");
    ck_no_term(b, "Nsales"); /* the schema is not the name */
    /* Qualified name and the whole URN name. */
    ck_term(b, "Uwarehouse");
    ck_term(b, "Usales");
    ck_term(b, "Usalesdb");
    ck_term(b, "Upublic");
    ck_term(b, "Ufctorders");
    built_free(&b);
}
END_TEST

START_TEST(description_terms_are_stemmed)
{
    built b = build_text(DATASET);
    ck_term(b, "Dtracks");
    ck_term(b, "Dshipped");
    ck_term(b, "Dorders");
    ck_term(b, "DZtrack");
    ck_term(b, "DZship");
    ck_term(b, "DZorder");
    ck_term(b, "DZdaili"); /* Snowball's stem of "daily" */
    built_free(&b);
}
END_TEST

START_TEST(column_terms)
{
    built b = build_text(DATASET);
    ck_term(b, "Caddress");
    ck_term(b, "Czipcode");
    ck_term(b, "Caddresszipcode");
    ck_term(b, "Ccustomer");
    ck_term(b, "Cid");
    ck_term(b, "Ccustomerid");
    /* v2 annotations are not names. */
    ck_no_term(b, "Cstruct");
    ck_no_term(b, "Cversion");
    /* Column descriptions, stemmed. */
    ck_term(b, "Epostal");
    ck_term(b, "Ecodes");
    ck_term(b, "EZcode");
    ck_term(b, "EZaddress");
    built_free(&b);
}
END_TEST

START_TEST(tags_as_people_write_them)
{
    built b = build_text(DATASET);
    ck_term(b, "Tlegacy");
    ck_term(b, "Tdata");
    ck_term(b, "Tpii");
    ck_term(b, "Temail");
    ck_term(b, "Tteam");
    ck_term(b, "Tfinance");
    ck_term(b, "Tteamfinance");
    ck_term(b, "XT:urn:li:tag:Legacy Data");
    ck_term(b, "XT:urn:li:tag:pii:email");
    ck_term(b, "XT:urn:li:tag:team-finance");
    ck_term(b, "Gclassification");
    ck_term(b, "Gsensitive");
    ck_term(b, "XG:urn:li:glossaryTerm:Classification.Sensitive");
    ck_term(b, "Msales");
    ck_term(b, "XM:urn:li:domain:sales");
    built_free(&b);
}
END_TEST

START_TEST(owners_by_id_and_name)
{
    built b = build_text(DATASET);
    ck_term(b, "Ojdoe");
    ck_term(b, "Ojohn");
    ck_term(b, "Odoe");
    ck_term(b, "Oacme");
    ck_term(b, "Ojohnathan"); /* the display name from the lookup */
    ck_term(b, "XO:urn:li:corpuser:john.doe@acme.com");
    ck_term(b, "XO:urn:li:corpuser:jdoe");
    built_free(&b);
}
END_TEST

START_TEST(keyword_filters)
{
    built b = build_text(DATASET);
    ck_term(b, "XP:hive");
    ck_term(b, "Phive");
    ck_term(b, "XE:PROD");
    ck_term(b, "XY:dataset");
    ck_term(b, "Ydataset");
    ck_term(b, "XS:Table");
    ck_term(b, "Stable");
    ck_term(b, "XC:urn:li:container:c0ffee");
    ck_term(b, "Kanalytics"); /* the container's name, from the lookup */
    ck_term(b, "Kanalyticsdb");
    built_free(&b);
}
END_TEST

START_TEST(facet_slots_hold_distinct_values)
{
    built b = build_text(DATASET);
    size_t len;
    char *v = value(&b, (unsigned)FIELDS[F_TAGS].slot, &len);
    /* pii:email is on the entity and on a column: once. */
    const char want[] = "urn:li:tag:Legacy Data\x1furn:li:tag:pii:email\x1furn:li:tag:team-finance";
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_eq(len, sizeof want - 1);
    ck_assert_int_eq(memcmp(v, want, len), 0);
    free(v);
    v = value(&b, (unsigned)FIELDS[F_PLATFORM].slot, &len);
    ck_assert_uint_eq(len, 4);
    ck_assert_int_eq(memcmp(v, "hive", 4), 0);
    free(v);
    v = value(&b, (unsigned)FIELDS[F_OWNERS].slot, &len);
    ck_assert_ptr_nonnull(memchr(v, XAP_MULTI_SEP, len));
    free(v);
    v = value(&b, (unsigned)FIELDS[F_ORIGIN].slot, &len);
    ck_assert_uint_eq(len, 4);
    ck_assert_int_eq(memcmp(v, "PROD", 4), 0);
    free(v);
    /* No domains-less facet is written empty. */
    built_free(&b);
    b = build_text("{\"urn\":\"urn:li:tag:x\",\"type\":\"tag\",\"aspects\":{}}");
    ck_assert_ptr_null(value(&b, (unsigned)FIELDS[F_DOMAINS].slot, &len));
    built_free(&b);
}
END_TEST

START_TEST(exact_name_terms_and_name_slot)
{
    built b = build_text(DATASET);
    ck_term(b, TERM_EXACT_PREFIX "customer orders report");
    ck_term(b, TERM_EXACT_PREFIX "fct_orders");
    ck_term(b, TERM_EXACT_PREFIX "sales_db.public.fct_orders");
    ck_term(b, TERM_EXACT_PREFIX "warehouse.sales_db.public.fct_orders");
    size_t len;
    char *v = value(&b, SLOT_NAME, &len);
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_eq(len, strlen("customer orders report"));
    ck_assert_int_eq(memcmp(v, "customer orders report", len), 0);
    free(v);
    built_free(&b);
}
END_TEST

START_TEST(suggest_slot)
{
    built b = build_text(DATASET);
    size_t len;
    char *v = value(&b, SLOT_SUGGEST, &len);
    const char want[] = "urn:li:dataset:(urn:li:dataPlatform:hive,sales_db.public.fct_orders,PROD)"
                        "\x1f" "sales_db.public" "\x1f" "Customer Orders Report";
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_eq(len, sizeof want - 1);
    ck_assert_int_eq(memcmp(v, want, len), 0);
    free(v);
    built_free(&b);
}
END_TEST

START_TEST(id_term_and_data)
{
    json_t *st = parse(DATASET);
    built b = build_state(st);
    char id[300];
    int n = doc_id_term(json_string_value(json_object_get(st, "urn")), id, sizeof id);
    ck_assert_int_gt(n, 0);
    ck_assert_str_eq(id, "Qurn:li:dataset:(urn:li:dataPlatform:hive,sales_db.public.fct_orders,PROD)");
    ck_term(b, id);
    char *data;
    size_t len;
    xap_err xe;
    ck_assert_int_eq(xap_doc_get_data(b.doc, &data, &len, &xe), 0);
    ck_assert_ptr_null(memchr(data, '\n', len));
    json_t *back = json_loadb(data, len, 0, NULL);
    ck_assert_ptr_nonnull(back);
    ck_assert(json_equal(back, st));
    json_decref(back);
    free(data);
    ck_no_term(b, TERM_REMOVED);
    built_free(&b);
    json_decref(st);
}
END_TEST

START_TEST(long_urn_id_is_hashed)
{
    char urn[600], urn2[600], id[300], id2[300];
    snprintf(urn, sizeof urn, "urn:li:dataset:(urn:li:dataPlatform:s3,%0500d,PROD)", 7);
    snprintf(urn2, sizeof urn2, "urn:li:dataset:(urn:li:dataPlatform:s3,%0500d,PROD)", 8);
    int n = doc_id_term(urn, id, sizeof id);
    ck_assert_int_eq(n, 34);
    ck_assert_int_eq(strncmp(id, TERM_ID_PREFIX "#", 2), 0);
    ck_assert_int_eq(doc_id_term(urn2, id2, sizeof id2), 34);
    ck_assert_str_ne(id, id2);
    char again[300];
    doc_id_term(urn, again, sizeof again);
    ck_assert_str_eq(id, again);
    /* 240 bytes is still plain. */
    char edge[300];
    memset(edge, 'a', 240);
    memcpy(edge, "urn:li:tag:", 11);
    edge[240] = '\0';
    ck_assert_int_eq(doc_id_term(edge, id, sizeof id), 241);
    ck_assert_int_eq(id[1], 'u');
    /* Too small a buffer is an error, not a cut id. */
    ck_assert_int_eq(doc_id_term("urn:li:tag:x", id, 5), -1);
    ck_assert_int_eq(doc_id_term(urn, id, 20), -1);
}
END_TEST

static int has_term_containing(const built *b, char prefix, const char *part)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->terms[i][0] == prefix && strstr(b->terms[i], part))
            return 1;
    return 0;
}

/* Generated ids are filter values, not words: their names are what is
 * searched, when the lookup knows them. */
START_TEST(generated_ids_are_not_text)
{
    built b = build_text(
        "{\"urn\":\"urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)\",\"type\":\"dataset\","
        "\"aspects\":{\"domains\":{\"domains\":[\"urn:li:domain:7186eeff-a860-4b0a-989f-69473a0c9c67\","
        "\"urn:li:domain:0b2e9a51-35c6-4d4c-8f0e-5e3c2a1d9b77\"]},"
        "\"glossaryTerms\":{\"terms\":[{\"urn\":\"urn:li:glossaryTerm:41fbd1c8-f1f3-4b4e-9a2a-7e1d51e4d7e2\"}]},"
        "\"container\":{\"container\":\"urn:li:container:ded36d15fcfbbb939830549697122661\"}}}");
    ck_term(b, "Mmarketing");
    ck_term(b, "Manalytics");
    ck_assert(!has_term_containing(&b, 'M', "7186"));
    ck_assert(!has_term_containing(&b, 'M', "0b2e"));
    ck_term(b, "XM:urn:li:domain:7186eeff-a860-4b0a-989f-69473a0c9c67");
    ck_term(b, "XM:urn:li:domain:0b2e9a51-35c6-4d4c-8f0e-5e3c2a1d9b77");
    ck_term(b, "Gcustomer");
    ck_term(b, "Glifetime");
    ck_assert(!has_term_containing(&b, 'G', "41fbd1c8"));
    ck_assert(!has_term_containing(&b, 'K', "ded36d15"));
    ck_term(b, "XC:urn:li:container:ded36d15fcfbbb939830549697122661");
    built_free(&b);

    /* A container named by its properties: its GUID is not part of its name. */
    b = build_text("{\"urn\":\"urn:li:container:ded36d15fcfbbb939830549697122661\",\"type\":\"container\","
                   "\"aspects\":{\"containerProperties\":{\"name\":\"db1\"}}}");
    ck_term(b, "Ndb1");
    ck_assert(!has_term_containing(&b, 'N', "ded36d15"));
    ck_assert(!has_term_containing(&b, 'U', "ded36d15"));
    ck_term(b, TERM_EXACT_PREFIX "ded36d15fcfbbb939830549697122661"); /* a pasted id still matches */
    built_free(&b);

    /* Words made of hex letters are still words. */
    b = build_text("{\"urn\":\"urn:li:tag:decade\",\"type\":\"tag\",\"aspects\":{}}");
    ck_term(b, "Ndecade");
    built_free(&b);
}
END_TEST

START_TEST(removed_entities_are_marked)
{
    built b = build_text("{\"urn\":\"urn:li:tag:old\",\"type\":\"tag\",\"aspects\":"
                         "{\"status\":{\"removed\":true}}}");
    ck_term(b, TERM_REMOVED);
    built_free(&b);
}
END_TEST

typedef struct sval {
    char *v;
    size_t len;
} sval;

/* Byte order, as Xapian sorts values. */
static int sval_cmp(sval a, sval b)
{
    int c = memcmp(a.v, b.v, a.len < b.len ? a.len : b.len);
    return c ? c : (a.len > b.len) - (a.len < b.len);
}

static sval popularity(double queries, double users)
{
    char text[512];
    snprintf(text, sizeof text,
             "{\"urn\":\"urn:li:dataset:(urn:li:dataPlatform:hive,a.b,PROD)\",\"type\":\"dataset\","
             "\"aspects\":{\"usageFeatures\":{\"queryCountLast30Days\":%g,"
             "\"uniqueUserCountLast30Days\":%g}}}",
             queries, users);
    built b = build_text(text);
    sval r;
    r.v = value(&b, SLOT_POPULARITY, &r.len);
    ck_assert_ptr_nonnull(r.v);
    built_free(&b);
    return r;
}

START_TEST(popularity_orders_by_usage)
{
    const double usage[][2] = {{0, 0}, {1, 0}, {5, 1}, {100, 2}, {100, 30}, {1e6, 500}};
    sval prev = {NULL, 0};
    for (size_t i = 0; i < sizeof usage / sizeof usage[0]; i++) {
        sval v = popularity(usage[i][0], usage[i][1]);
        if (prev.v)
            ck_assert_msg(sval_cmp(prev, v) < 0, "usage %zu does not sort above %zu", i, i - 1);
        free(prev.v);
        prev = v;
    }
    free(prev.v);
    /* The value is a sortable number: queries + 10 per unique user. */
    sval v = popularity(100, 2);
    ck_assert_double_eq(xap_sortable_unserialise(v.v, v.len), 120);
    free(v.v);
}
END_TEST

START_TEST(updated_slot)
{
    built b = build_text("{\"urn\":\"urn:li:tag:t\",\"type\":\"tag\",\"aspects\":"
                         "{\"ownership\":{\"owners\":[],\"lastModified\":{\"time\":1700000000000}}}}");
    size_t len;
    char *v = value(&b, SLOT_UPDATED, &len);
    ck_assert_ptr_nonnull(v);
    ck_assert_double_eq(xap_sortable_unserialise(v, len), 1700000000000.0);
    free(v);
    built_free(&b);
}
END_TEST

/* Every term reads back to a registry field (or is one of the special
 * terms), stems only in stemmed fields, filter terms only in filter fields. */
START_TEST(every_term_belongs_to_the_registry)
{
    built b = build_text(DATASET);
    for (size_t i = 0; i < b.n; i++) {
        const char *t = b.terms[i], *body = NULL;
        ck_assert_uint_le(strlen(t), 245);
        if (strncmp(t, TERM_ID_PREFIX, strlen(TERM_ID_PREFIX)) == 0 ||
            strncmp(t, TERM_EXACT_PREFIX, strlen(TERM_EXACT_PREFIX)) == 0 ||
            strcmp(t, TERM_REMOVED) == 0)
            continue;
        const field_def *f = field_by_term(t, &body);
        ck_assert_msg(f != NULL, "term \"%s\" belongs to no field", t);
        ck_assert_uint_gt(strlen(body), 0);
        int is_filter = f->filter_prefix && strncmp(t, f->filter_prefix, strlen(f->filter_prefix)) == 0 &&
                        t[strlen(f->filter_prefix)] == ':';
        if (is_filter)
            continue;
        ck_assert_msg(f->flags & FIELD_TEXT, "text term \"%s\" in a non-text field", t);
        if (strncmp(body, TERM_STEM_MARK, strlen(TERM_STEM_MARK)) == 0)
            ck_assert_msg(f->flags & FIELD_STEMMED, "stem \"%s\" in an unstemmed field", t);
    }
    built_free(&b);
}
END_TEST

START_TEST(long_terms_skipped_not_cut)
{
    char tag[400], text[1200];
    memset(tag, 'x', sizeof tag);
    memcpy(tag, "urn:li:tag:", 11);
    tag[300] = '\0';
    snprintf(text, sizeof text,
             "{\"urn\":\"urn:li:dataset:(urn:li:dataPlatform:hive,a.b,PROD)\",\"type\":\"dataset\","
             "\"aspects\":{\"globalTags\":{\"tags\":[{\"tag\":\"%s\"},{\"tag\":\"urn:li:tag:ok\"}]}}}",
             tag);
    unsigned long before = doc_skipped_terms();
    built b = build_text(text);
    ck_assert_uint_gt(doc_skipped_terms(), before);
    ck_term(b, "XT:urn:li:tag:ok");
    for (size_t i = 0; i < b.n; i++) {
        ck_assert_uint_le(strlen(b.terms[i]), 245);
        ck_assert_msg(strncmp(b.terms[i], "XT:urn:li:tag:xxx", 17) != 0, "cut term %s", b.terms[i]);
    }
    /* The document commits: Xapian would refuse a term over its limit. */
    char dir[] = "/tmp/test_docbuild_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    xap_err xe;
    xap_db *db = xap_db_open_write(dir, &xe);
    ck_assert_msg(db != NULL, "%s", xe.msg);
    char id[300];
    int n = doc_id_term("urn:li:dataset:(urn:li:dataPlatform:hive,a.b,PROD)", id, sizeof id);
    xap_docid did;
    ck_assert_int_eq(xap_db_replace_by_term(db, id, (size_t)n, b.doc, &did, &xe), 0);
    ck_assert_msg(xap_db_commit(db, &xe) == 0, "%s", xe.msg);
    xap_docid found = 0;
    ck_assert_int_eq(xap_db_find_by_term(db, id, (size_t)n, &found, &xe), 0);
    ck_assert_uint_eq(found, did);
    xap_db_close(db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    built_free(&b);
}
END_TEST

START_TEST(unknown_type_and_bad_state)
{
    built b = build_text("{\"urn\":\"urn:li:thing:Widget_Maker\",\"aspects\":{}}");
    ck_term(b, "Nwidget");
    ck_term(b, "Nmaker");
    ck_term(b, "XY:thing");
    ck_term(b, "Qurn:li:thing:Widget_Maker");
    built_free(&b);

    json_t *st = parse("{\"type\":\"dataset\"}");
    xap_doc *doc = xap_doc_new();
    char err[128] = "";
    ck_assert_int_eq(doc_build(an, st, NULL, NULL, doc, err, sizeof err), -1);
    ck_assert_uint_gt(strlen(err), 0);
    xap_doc_free(doc);
    json_decref(st);
}
END_TEST

/* The document data is what json_dumps(JSON_COMPACT) writes, byte for byte. */
START_TEST(data_is_compact_json)
{
    const char *texts[] = {
        "{\"a\":\"quote \\\" backslash \\\\ newline \\n tab \\t bell \\u0007 nul \\u0000 end\"}",
        "{\"caf\\u00e9\":\"\\u4e2d\\u6587 \\ud83d\\ude00\",\"slash\":\"a/b\"}",
        "[1,-9223372036854775807,0.5,1e300,2.0,-0.0,1.2345678901234567e-7,1e5,1.5e-300,1e23,true,false,null]",
        "{\"empty\":{},\"list\":[],\"nested\":{\"x\":[{\"y\":[[]]}]}}",
        "\"just a string\"",
        "{\"k\\u001f\":\"\\r\\b\\f\\u001f\"}",
    };
    char *buf = NULL;
    size_t cap = 0, len;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        json_t *v = json_loads(texts[i], JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        ck_assert_msg(v != NULL, "case %zu does not parse", i);
        char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        ck_assert_int_eq(docdata_dump(v, &buf, &cap, &len), 0);
        ck_assert_uint_eq(len, strlen(want));
        ck_assert_msg(memcmp(buf, want, len) == 0, "case %zu: %s != %s", i, buf, want);
        free(want);
        json_decref(v);
    }
    /* A large state grows the buffer. */
    json_t *big = json_array();
    for (int i = 0; i < 5000; i++)
        json_array_append_new(big, json_pack("{s:i,s:s}", "i", i, "s", "some text here"));
    ck_assert_int_eq(docdata_dump(big, &buf, &cap, &len), 0);
    char *want = json_dumps(big, JSON_COMPACT);
    ck_assert_uint_eq(len, strlen(want));
    ck_assert_int_eq(memcmp(buf, want, len), 0);
    free(want);
    json_decref(big);
    free(buf);
}
END_TEST

/* Buffers are kept per thread between documents: a document must not
 * inherit anything from the one before, nor from one that failed. */
START_TEST(documents_are_independent)
{
    built a = build_text(DATASET);
    built b = build_text("{\"urn\":\"urn:li:tag:solo\",\"type\":\"tag\",\"aspects\":{}}");
    ck_no_term(b, "Ccustomer");
    ck_no_term(b, "EZcode");
    ck_no_term(b, "Tlegacy");
    ck_term(b, "Nsolo");
    built c = build_text(DATASET);
    ck_assert_uint_eq(a.n, c.n);
    for (size_t i = 0; i < a.n; i++)
        ck_assert_str_eq(a.terms[i], c.terms[i]);
    built_free(&a);
    built_free(&b);
    built_free(&c);
}
END_TEST

/* ---- every fixture entity, merged by the real entity code ------------- */

typedef struct merge_ctx {
    json_t *states; /* urn → state */
    long events, rejected;
} merge_ctx;

static int merge_item(void *ctx, json_t *obj, const char *raw, size_t rawlen, const char *perr)
{
    merge_ctx *m = ctx;
    (void)raw;
    (void)rawlen;
    (void)perr;
    ev_event ev;
    char err[512];
    m->events++;
    if (!obj || ev_decode(obj, &ev, err, sizeof err) != 0) {
        m->rejected++;
        return 0;
    }
    json_t *state = json_incref(json_object_get(m->states, ev.urn));
    int rc = entity_apply(&state, &ev, err, sizeof err);
    if (rc == ENT_APPLIED && state)
        json_object_set(m->states, ev.urn, state);
    else if (rc == ENT_DELETED)
        json_object_del(m->states, ev.urn);
    else
        m->rejected++;
    json_decref(state);
    ev_free(&ev);
    return 0;
}

static void merge_file(merge_ctx *m, const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    ck_assert_int_ge(ev_split(buf, (size_t)n, merge_item, m), 0);
    free(buf);
}

static void merge_dir(merge_ctx *m, const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "%s", dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
            merge_file(m, path);
        else if (!strchr(e->d_name, '.'))
            merge_dir(m, path);
    }
    closedir(d);
}

/* Every entity of every DataHub fixture becomes a document whose terms all
 * fit Xapian, read back to the registry, and which carries its id and name. */
START_TEST(every_fixture_entity_builds)
{
    const char *dir = getenv("MDX_FIXTURES");
    merge_ctx m = {json_object(), 0, 0};
    merge_dir(&m, dir ? dir : "tests/fixtures/datahub");
    ck_assert_uint_gt(json_object_size(m.states), 500);
    const char *urn;
    json_t *state;
    size_t ndocs = 0, with_columns = 0;
    json_object_foreach(m.states, urn, state)
    {
        built b = build_state(state);
        char id[300];
        int n = doc_id_term(urn, id, sizeof id);
        ck_assert_int_gt(n, 0);
        ck_assert_msg(has_term(&b, id), "%s: no id term", urn);
        int names = 0, columns = 0;
        for (size_t i = 0; i < b.n; i++) {
            const char *t = b.terms[i], *body;
            ck_assert_msg(strlen(t) <= 245, "%s: term of %zu bytes", urn, strlen(t));
            names += strncmp(t, TERM_EXACT_PREFIX, strlen(TERM_EXACT_PREFIX)) == 0;
            if (t[0] == 'Q' || strncmp(t, TERM_EXACT_PREFIX, 3) == 0 || strcmp(t, TERM_REMOVED) == 0)
                continue;
            const field_def *f = field_by_term(t, &body);
            ck_assert_msg(f != NULL, "%s: term \"%s\" belongs to no field", urn, t);
            columns += f->id == F_FIELDS;
        }
        ck_assert_msg(names > 0, "%s: no exact-name term", urn);
        with_columns += columns > 0;
        ndocs++;
        built_free(&b);
    }
    ck_assert_uint_gt(with_columns, 100);
    json_decref(m.states);
}
END_TEST

/* Both strings absent, or equal. */
static int same_str(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }

static int same_list(const sum_strv *a, const sum_strv *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i]) != 0)
            return 0;
    return 1;
}

/* Every fixture entity's card (SLOT_CARD) reads back as what its state's
 * summary says of every field a hit shows, its columns included. */
START_TEST(every_fixture_card_shows_what_the_state_says)
{
    const char *dir = getenv("MDX_FIXTURES");
    merge_ctx m = {json_object(), 0, 0};
    merge_dir(&m, dir ? dir : "tests/fixtures/datahub");
    const char *urn;
    json_t *state;
    size_t checked = 0, with_lists = 0, with_columns = 0;
    json_object_foreach(m.states, urn, state)
    {
        built b = build_state(state);
        size_t len = 0;
        char *card = value(&b, SLOT_CARD, &len), err[256];
        ck_assert_msg(card != NULL, "%s: no card", urn);
        summary want, got;
        ck_assert_int_eq(summary_build(state, &want, err, sizeof err), 0);
        ck_assert_msg(card_read(card, len, &got) == 0, "%s: unreadable card", urn);
        const char *w[] = {want.urn,      want.type,     want.name,        want.qualified_name,
                           want.urn_name, want.platform, want.origin,      want.description,
                           want.container};
        const char *g[] = {got.urn,      got.type,     got.name,        got.qualified_name,
                           got.urn_name, got.platform, got.origin,      got.description,
                           got.container};
        for (size_t i = 0; i < sizeof w / sizeof *w; i++)
            ck_assert_msg(same_str(w[i], g[i]), "%s: field %zu is \"%s\", the state says \"%s\"",
                          urn, i, g[i] ? g[i] : "(none)", w[i] ? w[i] : "(none)");
        ck_assert_msg(same_list(&want.owners, &got.owners) && same_list(&want.tags, &got.tags) &&
                          same_list(&want.terms, &got.terms) &&
                          same_list(&want.domains, &got.domains) &&
                          same_list(&want.subtypes, &got.subtypes),
                      "%s: a list differs", urn);
        ck_assert(want.usage_queries == got.usage_queries);
        ck_assert_int_eq(want.removed, got.removed);
        ck_assert_uint_eq(got.ncolumns, want.ncolumns);
        for (size_t i = 0; i < want.ncolumns; i++) {
            const sum_column *wc = &want.columns[i], *gc = &got.columns[i];
            ck_assert_msg(same_str(wc->path, gc->path) &&
                              same_str(wc->native_type, gc->native_type) &&
                              same_str(wc->description, gc->description),
                          "%s: column %zu differs", urn, i);
        }
        with_lists += want.owners.n > 0 && want.tags.n > 0;
        with_columns += want.ncolumns > 0;
        checked++;
        summary_free(&got);
        summary_free(&want);
        free(card);
        built_free(&b);
    }
    ck_assert_uint_gt(checked, 500);
    ck_assert_uint_gt(with_lists, 10);
    ck_assert_uint_gt(with_columns, 100);
    json_decref(m.states);
}
END_TEST

/* A card cut anywhere, of another version, or with a list count past its
 * bytes is refused, not read past its end. */
START_TEST(broken_cards_are_refused)
{
    built b = build_text(DATASET);
    size_t len = 0;
    char *card = value(&b, SLOT_CARD, &len);
    ck_assert_ptr_nonnull(card);
    summary s;
    ck_assert_int_eq(card_read(card, len, &s), 0);
    summary_free(&s);
    for (size_t cut = 0; cut < len; cut++) {
        char *part = malloc(cut + 1);
        memcpy(part, card, cut);
        ck_assert_msg(card_read(part, cut, &s) == -1, "a card cut at %zu of %zu was read", cut,
                      len);
        free(part);
    }
    card[0] = CARD_VERSION + 1;
    ck_assert_int_eq(card_read(card, len, &s), -1);
    card[0] = CARD_VERSION;
    /* The owners' count (after nine strings) made huge. */
    size_t at = 1;
    for (int i = 0; i < 9; i++) {
        uint32_t n;
        memcpy(&n, card + at, 4);
        at += 4 + (n == CARD_NULL ? 0 : n + 1);
    }
    memset(card + at, 0x7f, 4);
    ck_assert_int_eq(card_read(card, len, &s), -1);
    free(card);
    built_free(&b);
}
END_TEST

START_TEST(merged_hive_dataset_document)
{
    const char *dir = getenv("MDX_FIXTURES");
    char path[1024];
    snprintf(path, sizeof path, "%s/golden/hive/hive_mces_golden.json",
             dir ? dir : "tests/fixtures/datahub");
    merge_ctx m = {json_object(), 0, 0};
    merge_file(&m, path);
    json_t *st = json_object_get(
        m.states, "urn:li:dataset:(urn:li:dataPlatform:hive,db1.nested_struct_test,PROD)");
    ck_assert_ptr_nonnull(st);
    built b = build_state(st);
    ck_term(b, "Nnested");
    ck_term(b, "Nnestedstructtest");
    ck_term(b, "Udb1");
    ck_term(b, "Cservice");
    ck_term(b, "Cprovider");
    ck_term(b, "Cserviceprovidername");
    ck_term(b, "Cpropertyid");
    ck_no_term(b, "Cversion");
    ck_term(b, "XP:hive");
    ck_term(b, "XE:PROD");
    ck_term(b, "XS:Table");
    ck_term(b, "XC:urn:li:container:ded36d15fcfbbb939830549697122661");
    ck_term(b, TERM_EXACT_PREFIX "nested_struct_test");
    ck_term(b, TERM_EXACT_PREFIX "db1.nested_struct_test");
    built_free(&b);
    json_decref(m.states);
}
END_TEST

static Suite *docbuild_suite(void)
{
    Suite *s = suite_create("docbuild");
    TCase *tc = tcase_create("document");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, name_and_qualified_name_terms);
    tcase_add_test(tc, description_terms_are_stemmed);
    tcase_add_test(tc, column_terms);
    tcase_add_test(tc, tags_as_people_write_them);
    tcase_add_test(tc, owners_by_id_and_name);
    tcase_add_test(tc, keyword_filters);
    tcase_add_test(tc, facet_slots_hold_distinct_values);
    tcase_add_test(tc, exact_name_terms_and_name_slot);
    tcase_add_test(tc, id_term_and_data);
    tcase_add_test(tc, suggest_slot);
    tcase_add_test(tc, long_urn_id_is_hashed);
    tcase_add_test(tc, removed_entities_are_marked);
    tcase_add_test(tc, generated_ids_are_not_text);
    tcase_add_test(tc, popularity_orders_by_usage);
    tcase_add_test(tc, updated_slot);
    tcase_add_test(tc, every_term_belongs_to_the_registry);
    tcase_add_test(tc, long_terms_skipped_not_cut);
    tcase_add_test(tc, unknown_type_and_bad_state);
    tcase_add_test(tc, data_is_compact_json);
    tcase_add_test(tc, documents_are_independent);
    tcase_add_test(tc, merged_hive_dataset_document);
    tcase_add_test(tc, every_fixture_entity_builds);
    tcase_add_test(tc, every_fixture_card_shows_what_the_state_says);
    tcase_add_test(tc, broken_cards_are_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(docbuild_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
