/* test_ranking_config.c — the ranking config document: defaults from the
 * field registry, strict validation with the member's path, the JSON form
 * read back to the same config, and the lookups the planner uses. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "model/fields.h"
#include "searchd/ranking_config.h"
#include "searchd/vocab.h"

static an_analyzer *g_an;

static void setup(void)
{
    char err[256];
    g_an = an_new(err, sizeof err);
    ck_assert_msg(g_an != NULL, "analyzer: %s", err);
}

static void teardown(void)
{
    an_free(g_an);
}

/* Parses text; on success returns 0 with *c filled. */
static int parse(const char *text, ranking_config *c, char *field, char *msg)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    ck_assert_msg(j != NULL, "test JSON: %s", je.text);
    int rc = rk_parse(j, g_an, c, field, 256, msg, 512);
    json_decref(j);
    return rc;
}

/* The config must be refused, blaming `path`. */
static void refused(const char *text, const char *path)
{
    ranking_config c;
    char field[256] = "?", msg[512] = "";
    ck_assert_msg(parse(text, &c, field, msg) == -1, "accepted: %s", text);
    ck_assert_msg(strcmp(field, path) == 0, "%s: field \"%s\", expected \"%s\" (%s)", text, field,
                  path, msg);
    /* The message names the member first, as the API answers it. */
    if (*path)
        ck_assert_msg(strncmp(msg, path, strlen(path)) == 0 && msg[strlen(path)] == ':',
                      "message \"%s\" does not start with \"%s:\"", msg, path);
    else
        ck_assert(msg[0] != '\0');
}

START_TEST(defaults_come_from_the_registry)
{
    ranking_config c;
    rk_defaults(&c);
    for (int f = 0; f < F_COUNT; f++)
        ck_assert(c.boosts[f] == ((FIELDS[f].flags & FIELD_TEXT) ? FIELDS[f].boost : 0.0));
    vocab_opts o;
    vocab_opts_defaults(&o);
    ck_assert_uint_eq(c.one_edit_min_len, o.one_edit_min_len);
    ck_assert_uint_eq(c.two_edits_min_len, o.two_edits_min_len);
    ck_assert_uint_eq(c.typo_max, o.typo_max);
    ck_assert_uint_eq(c.prefix_min_len, o.prefix_min_len);
    ck_assert_uint_eq(c.prefix_max, o.prefix_max);
    /* Exact beats one edit beats two; the popularity cap stays under the bonus. */
    ck_assert(c.one_edit_weight < 1 && c.two_edits_weight < c.one_edit_weight);
    ck_assert(c.popularity_cap < c.exact_bonus);
    rk_free(&c);
}
END_TEST

START_TEST(json_form_lists_every_text_field_and_reads_back)
{
    ranking_config c, back;
    rk_defaults(&c);
    json_t *j = rk_to_json(&c);
    ck_assert_ptr_nonnull(j);
    json_t *boosts = json_object_get(j, "boosts");
    size_t ntext = 0;
    for (int f = 0; f < F_COUNT; f++) {
        if (!(FIELDS[f].flags & FIELD_TEXT))
            continue;
        ntext++;
        ck_assert_msg(json_object_get(boosts, FIELDS[f].name), "boosts.%s missing", FIELDS[f].name);
    }
    ck_assert_uint_eq(json_object_size(boosts), ntext);
    char field[256], msg[512];
    ck_assert_int_eq(rk_parse(j, g_an, &back, field, sizeof field, msg, sizeof msg), 0);
    ck_assert_int_eq(memcmp(back.boosts, c.boosts, sizeof c.boosts), 0);
    ck_assert(back.exact_bonus == c.exact_bonus && back.prefix_weight == c.prefix_weight);
    json_decref(j);
    rk_free(&back);

    /* A full config survives the round trip too. */
    const char *full =
        "{\"boosts\": {\"description\": 20}, \"typo\": {\"enabled\": false, "
        "\"first_letter_exempt\": true, \"max_expansions\": 7}, \"prefix\": {\"min_len\": 3}, "
        "\"exact_bonus\": 75, \"popularity\": {\"weight\": 1, \"cap\": 4}, "
        "\"type_boosts\": {\"dashboard\": 1.5, \"chart\": 0.5}, "
        "\"platform_boosts\": {\"snowflake\": 2}, \"synonyms\": [[\"Customer\", \"client\"]], "
        "\"pinned\": {\"Top Tables\": [\"urn:li:dataset:(urn:li:dataPlatform:hive,a.b,PROD)\"]}}";
    ck_assert_int_eq(parse(full, &c, field, msg), 0);
    j = rk_to_json(&c);
    ck_assert_int_eq(rk_parse(j, g_an, &back, field, sizeof field, msg, sizeof msg), 0);
    json_t *j2 = rk_to_json(&back);
    ck_assert(json_equal(j, j2));
    ck_assert(!back.typo_enabled && back.first_letter_exempt && back.typo_max == 7);
    ck_assert(back.prefix_min_len == 3 && back.exact_bonus == 75);
    ck_assert(rk_type_boost(&back, "chart") == 0.5 && rk_type_boost(&back, "dataset") == 1.0);
    ck_assert(rk_platform_boost(&back, "snowflake") == 2 && rk_platform_boost(&back, NULL) == 1);
    json_decref(j);
    json_decref(j2);
    rk_free(&c);
    rk_free(&back);
}
END_TEST

START_TEST(missing_members_take_defaults_and_version_is_ignored)
{
    ranking_config c, d;
    char field[256], msg[512];
    rk_defaults(&d);
    ck_assert_int_eq(
        parse("{\"version\": 12, \"saved_at\": \"x\", \"boosts\": {\"name\": 3}}", &c, field, msg),
        0);
    ck_assert(c.boosts[F_NAME] == 3);
    ck_assert(c.boosts[F_DESCRIPTION] == d.boosts[F_DESCRIPTION]);
    ck_assert(c.exact_bonus == d.exact_bonus && c.typo_max == d.typo_max);
    rk_free(&c);
}
END_TEST

START_TEST(every_member_is_checked)
{
    refused("[]", "");
    refused("{\"bogus\": 1}", "bogus");
    refused("{\"boosts\": []}", "boosts");
    refused("{\"boosts\": {\"name\": 101}}", "boosts.name");
    refused("{\"boosts\": {\"name\": -1}}", "boosts.name");
    refused("{\"boosts\": {\"name\": \"10\"}}", "boosts.name");
    refused("{\"boosts\": {\"nmae\": 1}}", "boosts.nmae");
    refused("{\"boosts\": {\"origin\": 1}}", "boosts.origin"); /* not a text field */
    refused("{\"typo\": {\"enabled\": 1}}", "typo.enabled");
    refused("{\"typo\": {\"one_edit_min_len\": 0}}", "typo.one_edit_min_len");
    refused("{\"typo\": {\"one_edit_min_len\": 4.5}}", "typo.one_edit_min_len");
    refused("{\"typo\": {\"one_edit_min_len\": 6, \"two_edits_min_len\": 5}}",
            "typo.two_edits_min_len");
    refused("{\"typo\": {\"one_edit_weight\": 1.5}}", "typo.one_edit_weight");
    refused("{\"typo\": {\"two_edits_weight\": 0.9}}", "typo.two_edits_weight");
    refused("{\"typo\": {\"max_expansions\": 1000}}", "typo.max_expansions");
    refused("{\"typo\": {\"speed\": 1}}", "typo.speed");
    refused("{\"prefix\": {\"min_len\": 0}}", "prefix.min_len");
    refused("{\"prefix\": {\"weight\": 2}}", "prefix.weight");
    refused("{\"prefix\": {\"max_expansions\": -1}}", "prefix.max_expansions");
    refused("{\"prefix\": true}", "prefix");
    refused("{\"exact_bonus\": 1e9}", "exact_bonus");
    refused("{\"popularity\": {\"weight\": -2}}", "popularity.weight");
    refused("{\"popularity\": {\"cap\": null}}", "popularity.cap");
    refused("{\"type_boosts\": {\"dataste\": 2}}", "type_boosts.dataste");
    refused("{\"type_boosts\": {\"dataset\": 500}}", "type_boosts.dataset");
    refused("{\"platform_boosts\": {\"\": 2}}", "platform_boosts.");
    refused("{\"platform_boosts\": [1]}", "platform_boosts");
    refused("{\"synonyms\": {}}", "synonyms");
    refused("{\"synonyms\": [[\"one\"]]}", "synonyms[0]");
    refused("{\"synonyms\": [[\"a\", 2]]}", "synonyms[0][1]");
    refused("{\"synonyms\": [[\"sales\", \"gross revenue\"]]}", "synonyms[0][1]");
    refused("{\"synonyms\": [[\"sales\", \"Sales\"]]}", "synonyms[0][1]");
    refused("{\"synonyms\": [[\"a1\", \"b1\"], [\"c1\", \"A1\"]]}", "synonyms[1][1]");
    refused("{\"synonyms\": [[\"ok\", \"!!\"]]}", "synonyms[0][1]");
    refused("{\"pinned\": []}", "pinned");
    refused("{\"pinned\": {\"q\": []}}", "pinned.q");
    refused("{\"pinned\": {\"q\": [\"not a urn\"]}}", "pinned.q[0]");
    refused("{\"pinned\": {\"Top\": [\"urn:li:x:1\"], \"top \": [\"urn:li:x:2\"]}}", "pinned.top ");
}
END_TEST

START_TEST(limits_on_lists_are_enforced)
{
    /* Distinct boosts other than 1 cost a branch each: capped. */
    char buf[4096];
    const char *types[] = {"dataset",  "dashboard", "chart", "dataJob", "dataFlow",
                           "mlModel",  "mlFeature", "tag",   "domain",  "container",
                           "corpuser", "corpGroup", NULL};
    size_t n = (size_t)snprintf(buf, sizeof buf, "{\"type_boosts\": {");
    for (size_t i = 0; types[i]; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s\"%s\": %zu.5", i ? ", " : "", types[i],
                              i + 1);
    snprintf(buf + n, sizeof buf - n, "}}");
    ranking_config c;
    char field[256], msg[512];
    ck_assert_int_eq(parse(buf, &c, field, msg), -1);
    ck_assert_msg(strncmp(field, "type_boosts.", 12) == 0, "field %s", field);
    /* The same number of types sharing few values is fine. */
    n = (size_t)snprintf(buf, sizeof buf, "{\"type_boosts\": {");
    for (size_t i = 0; types[i]; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s\"%s\": %s", i ? ", " : "", types[i],
                              i % 2 ? "2" : "0.5");
    snprintf(buf + n, sizeof buf - n, "}}");
    ck_assert_int_eq(parse(buf, &c, field, msg), 0);
    rk_free(&c);
}
END_TEST

START_TEST(synonyms_and_pins_are_found_by_normalised_form)
{
    ranking_config c;
    char field[256], msg[512];
    ck_assert_int_eq(
        parse("{\"synonyms\": [[\"Revenue\", \"sales\"], [\"cust_id\", \"CustomerID\"]], "
              "\"pinned\": {\"Top  Tables\": [\"urn:li:tag:a\", \"urn:li:tag:b\"]}}",
              &c, field, msg),
        0);
    const rk_synonym_group *g = rk_synonyms_of(&c, "revenue");
    ck_assert_ptr_nonnull(g);
    ck_assert_ptr_eq(rk_synonyms_of(&c, "sales"), g);
    ck_assert_str_eq(g->words[0], "Revenue"); /* kept as written for the admin */
    /* Identifiers search their joined form. */
    g = rk_synonyms_of(&c, "custid");
    ck_assert_ptr_nonnull(g);
    ck_assert_str_eq(g->terms[1], "customerid");
    ck_assert_ptr_null(rk_synonyms_of(&c, "gross"));
    const rk_pin *p = rk_pinned_for(&c, "top tables");
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(p->n, 2);
    ck_assert_str_eq(p->urns[1], "urn:li:tag:b");
    ck_assert_ptr_null(rk_pinned_for(&c, "top"));
    rk_free(&c);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ranking_config");
    TCase *t = tcase_create("config");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, defaults_come_from_the_registry);
    tcase_add_test(t, json_form_lists_every_text_field_and_reads_back);
    tcase_add_test(t, missing_members_take_defaults_and_version_is_ignored);
    tcase_add_test(t, every_member_is_checked);
    tcase_add_test(t, limits_on_lists_are_enforced);
    tcase_add_test(t, synonyms_and_pins_are_found_by_normalised_form);
    suite_add_tcase(s, t);
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
