/* test_admin_ranking.c — the ranking admin API over HTTP with the real
 * metadex-indexer and metadex-searchd: the current config readable by
 * anyone, saves with the admin token only (401 otherwise, 503 when no token
 * is configured), invalid configs refused with the member at fault, a saved
 * config ranking the next query of every searchd over the index without a
 * restart, versions newest first, revert, preview without saving, and 409
 * while another process holds the index's write lock. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fields.h"
#include "tests/integration/test_ranking_env.h"
#include "tests/integration/test_search_env.h"
#include "tests/support/testenv.h"
#include "xapian-shim/xap.h"

static re_env g_env;
static char *g_name_urn, *g_desc_urn;

/* "lynx" is in one table's name and only in the description of another,
 * more used one: the field boosts decide which comes first. */
static void setup(void)
{
    re_open(&g_env, "admin-ranking");
    re_dataset(g_env.f, "hive", "zoo.lynx_tracker", "Den visits.", NULL, 1);
    re_dataset(g_env.f, "hive", "zoo.den_visits", "Every lynx sighting near the dens.", NULL, 30);
    re_index_and_serve(&g_env, 1);
    g_name_urn = re_dataset_urn("hive", "zoo.lynx_tracker");
    g_desc_urn = re_dataset_urn("hive", "zoo.den_visits");
}

static void teardown(void)
{
    re_close(&g_env);
    free(g_name_urn);
    free(g_desc_urn);
}

static json_t *admin(const char *method, const char *path, const char *body, long expect)
{
    long st = 0;
    json_t *j = re_admin(g_env.port, method, path, body, RE_TOKEN, &st);
    ck_assert_msg(st == expect, "%s %s %s: status %ld, expected %ld: %s", method, path,
                  body ? body : "", st, expect, j ? json_dumps(j, JSON_COMPACT) : "(not JSON)");
    return j;
}

/* Back to the defaults (saved as a new version). */
static void reset(void)
{
    json_decref(admin("POST", "/v1/admin/ranking/revert", "{\"version\": 0}", 200));
}

static json_int_t current_version(void)
{
    json_t *j = admin("GET", "/v1/admin/ranking", NULL, 200);
    json_int_t v = json_integer_value(json_object_get(j, "version"));
    json_decref(j);
    return v;
}

static const char *first(const json_t *res)
{
    return re_hit_urn(res, 0);
}

START_TEST(get_is_public_and_defaults_come_from_the_registry)
{
    long st = 0;
    json_t *j = re_admin(g_env.port, "GET", "/v1/admin/ranking", NULL, NULL, &st);
    ck_assert_int_eq(st, 200);
    ck_assert(json_is_integer(json_object_get(j, "version")));
    json_t *cfg = json_object_get(j, "config");
    ck_assert(json_is_object(json_object_get(cfg, "typo")));
    ck_assert(json_is_object(json_object_get(cfg, "prefix")));
    ck_assert(json_is_number(json_object_get(cfg, "exact_bonus")));
    ck_assert(json_is_object(json_object_get(cfg, "popularity")));
    ck_assert(json_is_array(json_object_get(cfg, "synonyms")));
    ck_assert(json_is_object(json_object_get(cfg, "pinned")));
    if (json_integer_value(json_object_get(j, "version")) == 0) {
        ck_assert(json_is_null(json_object_get(j, "saved_at")));
        json_t *boosts = json_object_get(cfg, "boosts");
        for (int f = 0; f < F_COUNT; f++)
            if (FIELDS[f].flags & FIELD_TEXT)
                ck_assert_msg(json_number_value(json_object_get(boosts, FIELDS[f].name)) ==
                                  FIELDS[f].boost,
                              "boosts.%s", FIELDS[f].name);
    }
    json_decref(j);
}
END_TEST

START_TEST(writes_need_the_token)
{
    const char *const calls[][3] = {
        {"PUT", "/v1/admin/ranking", "{}"},
        {"GET", "/v1/admin/ranking/versions", NULL},
        {"POST", "/v1/admin/ranking/revert", "{\"version\": 0}"},
        {"POST", "/v1/admin/ranking/preview", "{\"q\": \"lynx\", \"config\": {}}"}};
    json_int_t before = current_version();
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        const char *tokens[] = {NULL, "wrong-token-wrong-token", RE_TOKEN "x", ""};
        for (size_t t = 0; t < sizeof tokens / sizeof tokens[0]; t++) {
            long st = 0;
            json_t *j = re_admin(g_env.port, calls[i][0], calls[i][1], calls[i][2], tokens[t], &st);
            ck_assert_msg(st == 401, "%s %s with token %s: %ld", calls[i][0], calls[i][1],
                          tokens[t] ? tokens[t] : "(none)", st);
            ck_assert_str_eq(
                json_string_value(json_object_get(json_object_get(j, "error"), "code")),
                "unauthorized");
            json_decref(j);
        }
    }
    ck_assert_int_eq(current_version(), before);
}
END_TEST

START_TEST(invalid_config_is_refused_with_its_field)
{
    json_int_t before = current_version();
    struct {
        const char *body, *field;
    } cases[] = {{"{\"boosts\": {\"name\": 101}}", "boosts.name"},
                 {"{\"boosts\": {\"colour\": 1}}", "boosts.colour"},
                 {"{\"typo\": {\"one_edit_weight\": \"high\"}}", "typo.one_edit_weight"},
                 {"{\"pinned\": {\"x\": [\"nope\"]}}", "pinned.x[0]"},
                 {"{\"extra\": true}", "extra"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *j = admin("PUT", "/v1/admin/ranking", cases[i].body, 400);
        json_t *e = json_object_get(j, "error");
        ck_assert_str_eq(json_string_value(json_object_get(e, "code")), "invalid_config");
        ck_assert_str_eq(json_string_value(json_object_get(e, "field")), cases[i].field);
        ck_assert(strstr(json_string_value(json_object_get(e, "message")), cases[i].field));
        json_decref(j);
    }
    json_decref(admin("PUT", "/v1/admin/ranking", "{\"boosts\": ", 400));
    json_decref(admin("PUT", "/v1/admin/ranking", "[1]", 400));
    ck_assert_int_eq(current_version(), before);
}
END_TEST

START_TEST(saved_config_ranks_the_next_query_of_every_searchd)
{
    reset();
    json_t *res = re_search(g_env.port, "lynx", 0);
    ck_assert_str_eq(first(res), g_name_urn);
    json_decref(res);

    /* A second searchd over the same index, without a token. */
    int port2 = 0;
    const char *extra[] = {"--quiet", NULL};
    pid_t pid2 = te_start_searchd(g_env.db, extra, &port2);
    ck_assert_int_gt(pid2, 0);

    json_int_t before = current_version();
    json_t *saved = admin("PUT", "/v1/admin/ranking", "{\"boosts\": {\"description\": 20}}", 200);
    ck_assert_int_eq(json_integer_value(json_object_get(saved, "version")), before + 1);
    ck_assert(json_is_string(json_object_get(saved, "saved_at")));
    ck_assert(json_number_value(json_object_get(
                  json_object_get(json_object_get(saved, "config"), "boosts"), "description")) ==
              20);
    json_decref(saved);

    res = re_search(g_env.port, "lynx", 0);
    ck_assert_str_eq(first(res), g_desc_urn);
    json_decref(res);
    res = re_search(port2, "lynx", 0);
    ck_assert_str_eq(first(res), g_desc_urn);
    json_decref(res);
    long st = 0;
    json_t *j = re_admin(port2, "GET", "/v1/admin/ranking", NULL, NULL, &st);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "version")), before + 1);
    json_decref(j);
    te_stop(pid2, SIGTERM);
    reset();
}
END_TEST

START_TEST(versions_newest_first_and_revert)
{
    reset();
    json_t *a = admin("PUT", "/v1/admin/ranking", "{\"exact_bonus\": 11}", 200);
    json_t *b = admin("PUT", "/v1/admin/ranking", "{\"exact_bonus\": 22}", 200);
    json_int_t va = json_integer_value(json_object_get(a, "version"));
    json_int_t vb = json_integer_value(json_object_get(b, "version"));
    ck_assert_int_eq(vb, va + 1);

    json_t *list = admin("GET", "/v1/admin/ranking/versions", NULL, 200);
    json_t *versions = json_object_get(list, "versions");
    ck_assert_int_eq(json_integer_value(json_object_get(list, "total")), vb);
    ck_assert_int_eq(json_array_size(versions), (size_t)vb);
    for (size_t i = 0; i < json_array_size(versions); i++) {
        json_t *v = json_array_get(versions, i);
        ck_assert_int_eq(json_integer_value(json_object_get(v, "version")), vb - (json_int_t)i);
        ck_assert(json_is_string(json_object_get(v, "saved_at")));
        ck_assert(json_is_object(json_object_get(v, "config")));
    }
    ck_assert(json_number_value(json_object_get(
                  json_object_get(json_array_get(versions, 0), "config"), "exact_bonus")) == 22);
    ck_assert(json_number_value(json_object_get(
                  json_object_get(json_array_get(versions, 1), "config"), "exact_bonus")) == 11);
    json_decref(list);
    list = admin("GET", "/v1/admin/ranking/versions?limit=1", NULL, 200);
    ck_assert_int_eq(json_array_size(json_object_get(list, "versions")), 1);
    json_decref(list);

    char body[64];
    snprintf(body, sizeof body, "{\"version\": %lld}", (long long)va);
    json_t *r = admin("POST", "/v1/admin/ranking/revert", body, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "version")), vb + 1);
    ck_assert(json_number_value(json_object_get(json_object_get(r, "config"), "exact_bonus")) ==
              11);
    json_decref(r);
    ck_assert_int_eq(current_version(), vb + 1);

    json_decref(admin("POST", "/v1/admin/ranking/revert", "{\"version\": 999999}", 404));
    json_decref(admin("POST", "/v1/admin/ranking/revert", "{\"version\": -1}", 400));
    json_decref(admin("POST", "/v1/admin/ranking/revert", "{\"v\": 1}", 400));
    json_decref(a);
    json_decref(b);
    reset();
}
END_TEST

START_TEST(preview_reports_moves_without_saving)
{
    reset();
    json_int_t before = current_version();
    json_t *p = admin("POST", "/v1/admin/ranking/preview",
                      "{\"q\": \"lynx\", \"limit\": 5, \"config\": {\"boosts\": "
                      "{\"description\": 20}}}",
                      200);
    json_t *saved = json_object_get(p, "saved"), *proposed = json_object_get(p, "proposed");
    ck_assert_str_eq(re_hit_urn(p, 0) /* no "hits": "" */, "");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(saved, 0), "urn")),
                     g_name_urn);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(proposed, 0), "urn")),
                     g_desc_urn);
    ck_assert_ptr_nonnull(json_object_get(json_array_get(proposed, 0), "explain"));
    json_t *moves = json_object_get(p, "moves");
    int seen = 0;
    for (size_t i = 0; i < json_array_size(moves); i++) {
        json_t *m = json_array_get(moves, i);
        if (strcmp(json_string_value(json_object_get(m, "urn")), g_desc_urn) == 0) {
            ck_assert_int_eq(json_integer_value(json_object_get(m, "saved_rank")), 2);
            ck_assert_int_eq(json_integer_value(json_object_get(m, "proposed_rank")), 1);
            ck_assert_int_eq(json_integer_value(json_object_get(m, "delta")), 1);
            seen = 1;
        }
    }
    ck_assert(seen);
    json_decref(p);
    /* Nothing saved: same version, same order. */
    ck_assert_int_eq(current_version(), before);
    json_t *res = re_search(g_env.port, "lynx", 0);
    ck_assert_str_eq(first(res), g_name_urn);
    json_decref(res);
    /* Filters apply to both sides; a bad proposal is refused like a PUT. */
    p = admin("POST", "/v1/admin/ranking/preview",
              "{\"q\": \"lynx\", \"config\": {}, \"filter\": [\"platform:nowhere\"]}", 200);
    ck_assert_int_eq(json_array_size(json_object_get(p, "saved")), 0);
    json_decref(p);
    p = admin("POST", "/v1/admin/ranking/preview",
              "{\"q\": \"lynx\", \"config\": {\"boosts\": {\"name\": -3}}}", 400);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(p, "error"), "field")),
                     "boosts.name");
    json_decref(p);
    json_decref(admin("POST", "/v1/admin/ranking/preview", "{\"q\": \"lynx\"}", 400));
}
END_TEST

START_TEST(save_while_another_process_writes_is_409)
{
    xap_err xe = {0};
    xap_db *w = xap_db_open_write(g_env.db, &xe);
    ck_assert_msg(w != NULL, "opening the index writable: %s", xe.msg);
    json_t *j = admin("PUT", "/v1/admin/ranking", "{}", 409);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
                     "index_locked");
    json_decref(j);
    xap_db_close(w);
    json_decref(admin("PUT", "/v1/admin/ranking", "{}", 200));
}
END_TEST

/* ---- without a token file ---------------------------------------------------- */

START_TEST(no_token_configured_disables_writes)
{
    re_env env;
    re_open(&env, "admin-no-token");
    re_dataset(env.f, "hive", "zoo.lynx_tracker", "", NULL, 1);
    re_index_and_serve(&env, 0);
    long st = 0;
    json_t *j = re_admin(env.port, "GET", "/v1/admin/ranking", NULL, NULL, &st);
    ck_assert_int_eq(st, 200);
    json_decref(j);
    j = re_admin(env.port, "PUT", "/v1/admin/ranking", "{}", RE_TOKEN, &st);
    ck_assert_int_eq(st, 503);
    ck_assert(strstr(json_string_value(json_object_get(json_object_get(j, "error"), "message")),
                     "admin API disabled"));
    json_decref(j);
    j = re_admin(env.port, "GET", "/v1/admin/ranking/versions", NULL, RE_TOKEN, &st);
    ck_assert_int_eq(st, 503);
    json_decref(j);
    re_close(&env);
}
END_TEST

START_TEST(a_short_token_file_is_refused_at_start)
{
    char *dir = te_tmpdir("admin-short-token");
    char path[4096];
    snprintf(path, sizeof path, "%s/token", dir);
    ck_assert_int_eq(se_write(path, "short\n"), 0);
    char *bin = te_bin("searchd/metadex-searchd");
    char db[4096];
    snprintf(db, sizeof db, "%s/db", dir);
    char *argv[] = {bin, "--db", db, "--listen", "127.0.0.1:0", "--admin-token-file", path, NULL};
    ck_assert_int_eq(te_run(argv, NULL, NULL), 1);
    free(bin);
    te_rmtree(dir);
    free(dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("admin_ranking");
    TCase *t = tcase_create("admin");
    tcase_add_unchecked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, get_is_public_and_defaults_come_from_the_registry);
    tcase_add_test(t, writes_need_the_token);
    tcase_add_test(t, invalid_config_is_refused_with_its_field);
    tcase_add_test(t, saved_config_ranks_the_next_query_of_every_searchd);
    tcase_add_test(t, versions_newest_first_and_revert);
    tcase_add_test(t, preview_reports_moves_without_saving);
    tcase_add_test(t, save_while_another_process_writes_is_409);
    suite_add_tcase(s, t);
    TCase *n = tcase_create("no_token");
    tcase_set_timeout(n, 60);
    tcase_add_test(n, no_token_configured_disables_writes);
    tcase_add_test(n, a_short_token_file_is_refused_at_start);
    suite_add_tcase(s, n);
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
