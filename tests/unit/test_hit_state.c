/* test_hit_state.c — a hit's entity read from a real Xapian index: from
 * its card (model/card.h) when the document has one, from its state
 * otherwise (an index written before cards), the same display fields
 * either way; a document that is gone reads as the index having moved.
 */
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzers/analyzer.h"
#include "model/docbuild.h"
#include "model/fields.h"
#include "searchd/hit_state.h"

static const char *STATE =
    "{\"urn\":\"urn:li:dataset:(urn:li:dataPlatform:hive,sales_db.public.fct_orders,PROD)\","
    "\"type\":\"dataset\",\"aspects\":{"
    "\"datasetProperties\":{\"name\":\"Customer Orders\","
    "\"qualifiedName\":\"warehouse.sales_db.public.fct_orders\","
    "\"description\":\"Tracks shipped orders daily (<b>&amp;</b> \\\"returns\\\")\"},"
    "\"schemaMetadata\":{\"fields\":[{\"fieldPath\":\"CustomerID\",\"nativeDataType\":\"bigint\","
    "\"description\":\"Who ordered\","
    "\"globalTags\":{\"tags\":[{\"tag\":\"urn:li:tag:pii:email\"}]}}]},"
    "\"globalTags\":{\"tags\":[{\"tag\":\"urn:li:tag:Legacy Data\"}]},"
    "\"glossaryTerms\":{\"terms\":[{\"urn\":\"urn:li:glossaryTerm:Classification.Sensitive\"}]},"
    "\"ownership\":{\"owners\":[{\"owner\":\"urn:li:corpuser:jdoe\"}]},"
    "\"domains\":{\"domains\":[\"urn:li:domain:sales\"]},"
    "\"subTypes\":{\"typeNames\":[\"Table\"]},"
    "\"container\":{\"container\":\"urn:li:container:c0ffee\"},"
    "\"datasetUsageStatistics\":{\"timestampMillis\":1748736000000,\"totalSqlQueries\":42}}}";

static char dir[256];

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

/* Documents 1 (built: state and card) and 2 (the same state alone). */
static xap_db *make_index(void)
{
    snprintf(dir, sizeof dir, "/tmp/test_hit_state.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    xap_err xe = {0};
    xap_db *w = xap_db_open_write(dir, &xe);
    ck_assert_msg(w != NULL, "%s", xe.msg);
    char err[256];
    an_analyzer *an = an_new(err, sizeof err);
    ck_assert_ptr_nonnull(an);
    json_t *state = json_loads(STATE, 0, NULL);
    ck_assert_ptr_nonnull(state);
    xap_doc *built = xap_doc_new(), *bare = xap_doc_new();
    ck_assert_int_eq(doc_build(an, state, NULL, NULL, built, err, sizeof err), 0);
    char *text = json_dumps(state, JSON_COMPACT);
    ck_assert_int_eq(xap_doc_set_data(bare, text, strlen(text), &xe), 0);
    xap_docid id = 0;
    ck_assert_int_eq(xap_db_add_document(w, built, &id, &xe), 0);
    ck_assert_uint_eq(id, 1);
    ck_assert_int_eq(xap_db_add_document(w, bare, &id, &xe), 0);
    ck_assert_uint_eq(id, 2);
    ck_assert_int_eq(xap_db_commit(w, &xe), 0);
    xap_db_close(w);
    free(text);
    xap_doc_free(built);
    xap_doc_free(bare);
    json_decref(state);
    an_free(an);
    xap_db *db = xap_db_open_read(dir, &xe);
    ck_assert_msg(db != NULL, "%s", xe.msg);
    return db;
}

static int same_str(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }

static void same_lists(const sum_strv *a, const sum_strv *b)
{
    ck_assert_uint_eq(a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        ck_assert_str_eq(a->v[i], b->v[i]);
}

START_TEST(card_and_state_show_the_same)
{
    xap_db *db = make_index();
    char err[256];
    hit_state card, state, none;
    ck_assert_int_eq(hs_load_card(db, 1, &card, err, sizeof err), XAP_OK);
    ck_assert_ptr_nonnull(card.card);
    ck_assert_ptr_null(card.state);
    /* No card (as in an older index): the caller reads the state. */
    ck_assert_int_eq(hs_load_card(db, 2, &none, err, sizeof err), 1);
    ck_assert_int_eq(hs_load(db, 2, &state, err, sizeof err), XAP_OK);
    ck_assert_ptr_nonnull(state.state);
    const summary *c = &card.sum, *s = &state.sum;
    const char *cs[] = {c->urn,      c->type,   c->name,        c->qualified_name, c->urn_name,
                        c->platform, c->origin, c->description, c->container};
    const char *ss[] = {s->urn,      s->type,   s->name,        s->qualified_name, s->urn_name,
                        s->platform, s->origin, s->description, s->container};
    for (size_t i = 0; i < sizeof cs / sizeof *cs; i++)
        ck_assert_msg(same_str(cs[i], ss[i]), "field %zu: card \"%s\", state \"%s\"", i,
                      cs[i] ? cs[i] : "(none)", ss[i] ? ss[i] : "(none)");
    same_lists(&c->owners, &s->owners);
    same_lists(&c->tags, &s->tags);
    same_lists(&c->terms, &s->terms);
    same_lists(&c->domains, &s->domains);
    same_lists(&c->subtypes, &s->subtypes);
    ck_assert(c->usage_queries == s->usage_queries);
    ck_assert_int_eq(c->removed, s->removed);
    ck_assert_uint_eq(s->tags.n, 2); /* the column's tag too */
    ck_assert_uint_eq(c->ncolumns, 1);
    ck_assert_uint_eq(s->ncolumns, 1);
    ck_assert_str_eq(c->columns[0].path, s->columns[0].path);
    ck_assert(same_str(c->columns[0].native_type, s->columns[0].native_type));
    ck_assert(same_str(c->columns[0].description, s->columns[0].description));
    hs_free(&card);
    hs_free(&state);
    /* A document that is gone: no card, and the state says the index moved. */
    ck_assert_int_eq(hs_load_card(db, 7, &none, err, sizeof err), 1);
    ck_assert_int_eq(hs_load(db, 7, &none, err, sizeof err), XAP_E_MODIFIED);
    xap_db_close(db);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("hit_state");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, card_and_state_show_the_same);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
