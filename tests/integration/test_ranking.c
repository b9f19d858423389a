/* test_ranking.c — the relevance planner, over HTTP with the real
 * metadex-indexer and metadex-searchd: typo tolerance by word length,
 * search as you type, split and joined forms, exact matches first,
 * popularity as a prior, dropped words, did-you-mean, explain adding up to
 * the score, and the ranking config's type and platform boosts, synonyms
 * and pinned results applied to the next query.
 *
 * Each catalog is written here, entity by entity, for the behaviour it
 * shows (tests/relevance judges the planner on a realistic catalog). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/integration/test_ranking_env.h"
#include "tests/integration/test_search_env.h"
#include "tests/support/testenv.h"

static const char *const NO_COLS[] = {NULL};

/* ---- the planner's catalog ------------------------------------------------- */

static re_env g_env;

static void planner_setup(void)
{
    re_open(&g_env, "ranking");
    FILE *f = g_env.f;
    re_dataset(f, "hive", "ops.warehouse_inventory", "Stock levels per site and item.",
               (const char *const[]){"site_code", "item_code", "quantity_on_hand", NULL}, 20);
    re_dataset(f, "hive", "finance.reconciliation_ledger",
               "Daily matching of bank statements against booked entries.",
               (const char *const[]){"entry_ref", "amount", NULL}, 20);
    re_dataset(f, "hive", "fruit.kiwi_sales", "Fruit sales by region.",
               (const char *const[]){"region", "revenue", NULL}, 5);
    /* Exact word against a word one edit away from it. */
    re_dataset(f, "hive", "post.parcel_tracking", "Where each delivery is.",
               (const char *const[]){"tracking_code", NULL}, 1);
    re_dataset(f, "hive", "post.parcels_archive", "Old shipments kept for audits.",
               (const char *const[]){"archive_date", NULL}, 1000);
    /* Names starting with "cust", used more and less, and a far more used
     * table that only mentions a customer in its description. */
    re_dataset(f, "hive", "crm.customer_accounts", "Accounts opened online.",
               (const char *const[]){"row_key", NULL}, 3);
    re_dataset(f, "hive", "crm.customer_returns", "Goods sent back.",
               (const char *const[]){"row_key", NULL}, 10);
    re_dataset(f, "hive", "bi.custom_reports", "Reports built by analysts.",
               (const char *const[]){"row_key", NULL}, 1);
    re_dataset(f, "hive", "bi.orders_summary", "Totals for every customer order.",
               (const char *const[]){"row_key", NULL}, 100000);
    /* Joined and split forms. */
    re_dataset(f, "hive", "logistics.shipment_lookup", "Lookup of carriers.",
               (const char *const[]){"shipmentid", NULL}, 1);
    re_dataset(f, "hive", "logistics.delivery_events", "Delivery scans.",
               (const char *const[]){"shipment_id", "scanned_at", NULL}, 1);
    re_dataset(f, "hive", "logistics.dock_stats", "Each pallet count per dock and hour.",
               (const char *const[]){"dock_no", NULL}, 1);
    /* An exact name against a much more used table full of the word. */
    re_dataset(f, "hive", "shop.returns", "", NO_COLS, 0);
    re_dataset(f, "hive", "bi.returns_daily_rollup",
               "All returns, rolled up per day: returns counts and amounts.",
               (const char *const[]){"returns_count", "returns_amount", "returns_reason", NULL},
               100000);
    /* Otherwise-equal matches that differ in use. */
    re_dataset(f, "hive", "zoo.zebra_metrics", "Sightings.",
               (const char *const[]){"sighting_id", NULL}, 2);
    re_dataset(f, "hive", "zoo.zebra_events", "Sightings.",
               (const char *const[]){"sighting_id", NULL}, 40);
    re_dataset(f, "hive", "zoo.zebra_logs", "Sightings.",
               (const char *const[]){"sighting_id", NULL}, 8);
    /* A word in many documents, and one table whose name is one edit from it. */
    for (int i = 0; i < 24; i++) {
        char name[64];
        snprintf(name, sizeof name, "parts.gadget_batch_%02d", i);
        re_dataset(f, "hive", name, "Gadget batches.", NO_COLS, 1);
    }
    re_dataset(f, "hive", "parts.gadgets_catalog", "Catalog.", NO_COLS, 1);
    re_index_and_serve(&g_env, 1);
}

static void planner_teardown(void)
{
    re_close(&g_env);
}

/* The position of a dataset in an answer, or -1. */
static long ds_rank(const json_t *res, const char *platform, const char *name)
{
    char *urn = re_dataset_urn(platform, name);
    long r = se_rank(res, urn);
    free(urn);
    return r;
}

static void assert_first(const char *q, const char *platform, const char *name)
{
    json_t *res = re_search(g_env.port, q, 0);
    long r = ds_rank(res, platform, name);
    ck_assert_msg(r == 0, "\"%s\": %s is at rank %ld, first is %s", q, name, r, re_hit_urn(res, 0));
    json_decref(res);
}

/* ---- typos ---------------------------------------------------------------- */

START_TEST(typo_one_edit_finds_the_word)
{
    assert_first("warehose", "hive", "ops.warehouse_inventory");    /* deletion */
    assert_first("warehoose", "hive", "ops.warehouse_inventory");   /* insertion */
    assert_first("warehouze", "hive", "ops.warehouse_inventory");   /* substitution */
    assert_first("ledgr", "hive", "finance.reconciliation_ledger"); /* 5 letters: 1 edit */
}
END_TEST

START_TEST(typo_transposition_is_one_edit)
{
    /* inventory → invnetory swaps two letters: one edit, allowed at 9. */
    json_t *res = re_search(g_env.port, "invnetory", 1);
    ck_assert_int_eq(ds_rank(res, "hive", "ops.warehouse_inventory"), 0);
    json_t *terms =
        json_object_get(json_object_get(json_array_get(json_object_get(res, "hits"), 0), "explain"),
                        "matched_terms");
    int typo = 0;
    for (size_t i = 0; i < json_array_size(terms); i++) {
        json_t *t = json_array_get(terms, i);
        if (strcmp(json_string_value(json_object_get(t, "term")), "inventory") == 0 &&
            strcmp(json_string_value(json_object_get(t, "via")), "typo") == 0)
            typo = (int)json_integer_value(json_object_get(t, "edits"));
    }
    ck_assert_int_eq(typo, 1);
    json_decref(res);
}
END_TEST

START_TEST(typo_two_edits_from_nine_letters)
{
    /* reconciliation → reconsilation: c→s and one i dropped. */
    assert_first("reconsilation", "hive", "finance.reconciliation_ledger");
    /* ledger → lodjer is two edits too, but a 6-letter word gets one. */
    json_t *res = re_search(g_env.port, "lodjer", 0);
    ck_assert_int_eq(ds_rank(res, "hive", "finance.reconciliation_ledger"), -1);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_object_get(res, "query"), "did_you_mean")),
        "ledger");
    json_decref(res);
}
END_TEST

START_TEST(typo_none_under_five_letters)
{
    json_t *res = re_search(g_env.port, "kiwo", 0);
    ck_assert_int_eq(ds_rank(res, "hive", "fruit.kiwi_sales"), -1);
    ck_assert_int_eq(json_integer_value(json_object_get(res, "total")), 0);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_object_get(res, "query"), "did_you_mean")), "kiwi");
    json_decref(res);
    assert_first("kiwi", "hive", "fruit.kiwi_sales");
}
END_TEST

START_TEST(typo_none_for_a_well_known_word)
{
    /* "gadget" is in two dozen documents: taken as spelt right, it does not
     * also match "gadgets" (one edit); a misspelling of it still does. */
    json_t *res = re_search(g_env.port, "gadget ", 0);
    ck_assert_int_eq(ds_rank(res, "hive", "parts.gadgets_catalog"), -1);
    ck_assert_int_ge(json_integer_value(json_object_get(res, "total")), 24);
    json_decref(res);
    res = re_search(g_env.port, "gadgetz catalog ", 0);
    ck_assert_int_ge(ds_rank(res, "hive", "parts.gadgets_catalog"), 0);
    json_decref(res);
}
END_TEST

START_TEST(exact_word_beats_one_edit)
{
    /* The trailing space says the word is complete (no completions);
     * parcels_archive, far more used, matches "parcel" only by one edit. */
    json_t *res = re_search(g_env.port, "parcel ", 0);
    long exact = ds_rank(res, "hive", "post.parcel_tracking");
    long typo = ds_rank(res, "hive", "post.parcels_archive");
    ck_assert_msg(exact == 0 && typo == 1, "parcel_tracking at %ld, parcels_archive at %ld", exact,
                  typo);
    json_decref(res);
}
END_TEST

/* ---- search as you type ------------------------------------------------------- */

START_TEST(prefix_last_word_completes)
{
    assert_first("warehouse inv", "hive", "ops.warehouse_inventory");
    assert_first("reconciliation led", "hive", "finance.reconciliation_ledger");
    /* Only the last word is a prefix: "wareh" before another word finds
     * nothing, so all the words cannot match. */
    json_t *res = re_search(g_env.port, "wareh inventory", 0);
    json_t *q = json_object_get(res, "query");
    ck_assert_msg(strcmp(json_string_value(json_object_get(q, "mode")), "any") == 0 ||
                      json_array_size(json_object_get(q, "dropped")) > 0,
                  "\"wareh\" matched as a prefix although another word follows it");
    json_decref(res);
}
END_TEST

START_TEST(prefix_alone_lists_names_most_used_first)
{
    json_t *res = re_search(g_env.port, "cust", 1);
    long returns = ds_rank(res, "hive", "crm.customer_returns");
    long accounts = ds_rank(res, "hive", "crm.customer_accounts");
    long reports = ds_rank(res, "hive", "bi.custom_reports");
    long summary = ds_rank(res, "hive", "bi.orders_summary");
    ck_assert_msg(returns == 0 && accounts == 1 && reports == 2 && summary == 3,
                  "cust: customer_returns %ld, customer_accounts %ld, custom_reports %ld, "
                  "orders_summary %ld",
                  returns, accounts, reports, summary);
    json_decref(res);
}
END_TEST

/* ---- split and joined forms --------------------------------------------------- */

START_TEST(split_and_joined_forms_meet)
{
    /* Two words meet one column named as one word. */
    json_t *res = re_search(g_env.port, "shipment id", 1);
    ck_assert_int_ge(ds_rank(res, "hive", "logistics.shipment_lookup"), 0);
    ck_assert_int_ge(ds_rank(res, "hive", "logistics.delivery_events"), 0);
    json_decref(res);
    /* One word meets an identifier's joined form. */
    res = re_search(g_env.port, "shipmentid", 0);
    ck_assert_int_ge(ds_rank(res, "hive", "logistics.delivery_events"), 0);
    ck_assert_int_ge(ds_rank(res, "hive", "logistics.shipment_lookup"), 0);
    json_decref(res);
    /* An unknown word splits into two words of a description. */
    res = re_search(g_env.port, "palletcount", 1);
    ck_assert_int_eq(ds_rank(res, "hive", "logistics.dock_stats"), 0);
    json_t *terms =
        json_object_get(json_object_get(json_array_get(json_object_get(res, "hits"), 0), "explain"),
                        "matched_terms");
    int split = 0;
    for (size_t i = 0; i < json_array_size(terms); i++)
        split |= strcmp(json_string_value(json_object_get(json_array_get(terms, i), "via")),
                        "split") == 0;
    ck_assert_msg(split, "palletcount matched no split term");
    json_decref(res);
}
END_TEST

/* ---- exact first, popularity as a prior ------------------------------------------ */

START_TEST(exact_name_beats_popular_partial_match)
{
    json_t *res = re_search(g_env.port, "returns", 1);
    ck_assert_int_eq(ds_rank(res, "hive", "shop.returns"), 0);
    ck_assert_int_eq(ds_rank(res, "hive", "bi.returns_daily_rollup"), 1);
    json_t *h0 = json_object_get(json_array_get(json_object_get(res, "hits"), 0), "explain");
    json_t *h1 = json_object_get(json_array_get(json_object_get(res, "hits"), 1), "explain");
    ck_assert(json_real_value(json_object_get(h0, "exact_bonus")) > 0);
    /* The popular table did collect more text score and more popularity. */
    ck_assert(json_real_value(json_object_get(h1, "popularity")) >
              json_real_value(json_object_get(h0, "popularity")));
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_object_get(res, "query"), "exact_matches")), 1);
    json_decref(res);
}
END_TEST

START_TEST(urn_pasted_is_first)
{
    char *urn = re_dataset_urn("hive", "finance.reconciliation_ledger");
    json_t *res = re_search(g_env.port, urn, 0);
    ck_assert_str_eq(re_hit_urn(res, 0), urn);
    json_decref(res);
    free(urn);
}
END_TEST

START_TEST(popularity_orders_equal_matches)
{
    json_t *res = re_search(g_env.port, "zebra", 0);
    long events = ds_rank(res, "hive", "zoo.zebra_events");
    long logs = ds_rank(res, "hive", "zoo.zebra_logs");
    long metrics = ds_rank(res, "hive", "zoo.zebra_metrics");
    ck_assert_msg(events == 0 && logs == 1 && metrics == 2, "events %ld, logs %ld, metrics %ld",
                  events, logs, metrics);
    json_decref(res);
}
END_TEST

/* ---- dropped words, did you mean ---------------------------------------------------- */

START_TEST(dropped_words_are_reported)
{
    json_t *res = re_search(g_env.port, "warehouse inventory zzqx", 0);
    ck_assert_int_eq(ds_rank(res, "hive", "ops.warehouse_inventory"), 0);
    json_t *dropped = json_object_get(json_object_get(res, "query"), "dropped");
    ck_assert_int_eq(json_array_size(dropped), 1);
    ck_assert_str_eq(json_string_value(json_array_get(dropped, 0)), "zzqx");
    json_decref(res);
    /* Every word found: nothing dropped, no suggestion. */
    res = re_search(g_env.port, "warehouse inventory", 0);
    ck_assert_int_eq(json_array_size(json_object_get(json_object_get(res, "query"), "dropped")), 0);
    ck_assert_ptr_null(json_object_get(json_object_get(res, "query"), "did_you_mean"));
    json_decref(res);
}
END_TEST

START_TEST(did_you_mean_corrects_the_word_that_found_nothing)
{
    json_t *res = re_search(g_env.port, "zebra kiwo", 0);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_object_get(res, "query"), "did_you_mean")),
        "zebra kiwi");
    json_decref(res);
}
END_TEST

/* ---- explain ------------------------------------------------------------------------ */

static double num(const json_t *j)
{
    return json_number_value(j);
}

START_TEST(explain_adds_up_to_the_score)
{
    const char *queries[] = {"warehose",           "cust",        "returns",
                             "shipment id",        "palletcount", "zebra",
                             "reconciliation led", NULL};
    size_t checked = 0;
    for (size_t q = 0; queries[q]; q++) {
        json_t *res = re_search(g_env.port, queries[q], 1);
        json_t *hits = json_object_get(res, "hits");
        ck_assert_int_gt(json_array_size(hits), 0);
        for (size_t i = 0; i < json_array_size(hits); i++) {
            json_t *h = json_array_get(hits, i), *ex = json_object_get(h, "explain");
            ck_assert_ptr_nonnull(ex);
            double score = num(json_object_get(h, "score"));
            double sum = 0;
            const char *k;
            json_t *v;
            json_object_foreach(json_object_get(ex, "fields"), k, v) sum += num(v);
            double total = sum * num(json_object_get(ex, "type_boost")) *
                               num(json_object_get(ex, "platform_boost")) +
                           num(json_object_get(ex, "popularity")) +
                           num(json_object_get(ex, "exact_bonus"));
            ck_assert_msg(fabs(total - num(json_object_get(ex, "total"))) < 1e-6 * (1 + score) &&
                              fabs(total - score) < 1e-6 * (1 + score),
                          "\"%s\" hit %zu: fields etc. add up to %g, total %g, score %g",
                          queries[q], i, total, num(json_object_get(ex, "total")), score);
            ck_assert(num(json_object_get(ex, "typo_penalty")) <= 0);
            ck_assert_int_gt(json_array_size(json_object_get(ex, "matched_terms")), 0);
            checked++;
        }
        json_decref(res);
    }
    ck_assert_int_ge(checked, 10);
}
END_TEST

START_TEST(explain_says_how_each_term_matched)
{
    struct {
        const char *q, *via;
    } cases[] = {{"warehouse", "exact"},
                 {"warehose", "typo"},
                 {"wareh", "prefix"},
                 {"palletcount", "split"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        json_t *res = re_search(g_env.port, cases[c].q, 1);
        json_t *ex = json_object_get(json_array_get(json_object_get(res, "hits"), 0), "explain");
        json_t *terms = json_object_get(ex, "matched_terms");
        int found = 0;
        for (size_t i = 0; i < json_array_size(terms); i++)
            found |= strcmp(json_string_value(json_object_get(json_array_get(terms, i), "via")),
                            cases[c].via) == 0;
        ck_assert_msg(found, "\"%s\": no matched term via %s", cases[c].q, cases[c].via);
        if (strcmp(cases[c].via, "typo") == 0)
            ck_assert(num(json_object_get(ex, "typo_penalty")) < 0);
        else if (strcmp(cases[c].via, "exact") == 0)
            ck_assert(num(json_object_get(ex, "typo_penalty")) == 0);
        json_decref(res);
    }
}
END_TEST

/* ---- the ranking config applied to the next query ---------------------------------- */

static re_env g_cfg;

static void config_setup(void)
{
    re_open(&g_cfg, "ranking-config");
    FILE *f = g_cfg.f;
    re_dataset(f, "hive", "birds.heron_summary", "Heron counts.", NO_COLS, 100);
    re_dashboard(f, "looker", "heron_board", "Heron Summary Board", "", 0);
    re_dataset(f, "hive", "sky.falcon_stats", "", NO_COLS, 50);
    re_dataset(f, "snowflake", "sky.falcon_stats", "", NO_COLS, 1);
    re_dataset(f, "hive", "crm.client_registry", "Registered clients.", NO_COLS, 1);
    re_index_and_serve(&g_cfg, 1);
}

static void config_teardown(void)
{
    re_close(&g_cfg);
}

static void put_config(const char *body)
{
    long st = 0;
    json_t *j = re_admin(g_cfg.port, "PUT", "/v1/admin/ranking", body, RE_TOKEN, &st);
    ck_assert_msg(st == 200, "PUT %s: %ld", body, st);
    json_decref(j);
}

START_TEST(type_boost_moves_results)
{
    char *ds = re_dataset_urn("hive", "birds.heron_summary");
    char *db = re_dashboard_urn("looker", "heron_board");
    put_config("{}");
    json_t *res = re_search(g_cfg.port, "heron", 0);
    ck_assert_str_eq(re_hit_urn(res, 0), ds);
    ck_assert_str_eq(re_hit_urn(res, 1), db);
    json_decref(res);
    put_config("{\"type_boosts\": {\"dashboard\": 3}}");
    res = re_search(g_cfg.port, "heron", 1);
    ck_assert_str_eq(re_hit_urn(res, 0), db);
    ck_assert(num(json_object_get(
                  json_object_get(json_array_get(json_object_get(res, "hits"), 0), "explain"),
                  "type_boost")) == 3.0);
    json_decref(res);
    free(ds);
    free(db);
}
END_TEST

START_TEST(platform_boost_moves_results)
{
    char *hive = re_dataset_urn("hive", "sky.falcon_stats");
    char *snow = re_dataset_urn("snowflake", "sky.falcon_stats");
    put_config("{}");
    json_t *res = re_search(g_cfg.port, "falcon", 0);
    ck_assert_str_eq(re_hit_urn(res, 0), hive);
    json_decref(res);
    put_config("{\"platform_boosts\": {\"snowflake\": 2}}");
    res = re_search(g_cfg.port, "falcon", 0);
    ck_assert_str_eq(re_hit_urn(res, 0), snow);
    ck_assert_str_eq(re_hit_urn(res, 1), hive);
    json_decref(res);
    free(hive);
    free(snow);
}
END_TEST

START_TEST(typo_settings_apply)
{
    char *hive = re_dataset_urn("hive", "sky.falcon_stats");
    put_config("{}");
    json_t *res = re_search(g_cfg.port, "kalcon", 0); /* first letter wrong: one edit */
    ck_assert_int_ge(se_rank(res, hive), 0);
    json_decref(res);
    put_config("{\"typo\": {\"first_letter_exempt\": true}}");
    res = re_search(g_cfg.port, "kalcon", 0);
    ck_assert_int_eq(se_rank(res, hive), -1);
    json_decref(res);
    res = re_search(g_cfg.port, "falcom", 0); /* not the first letter: still one edit */
    ck_assert_int_ge(se_rank(res, hive), 0);
    json_decref(res);
    put_config("{\"typo\": {\"enabled\": false}}");
    res = re_search(g_cfg.port, "falcom", 0);
    ck_assert_int_eq(se_rank(res, hive), -1);
    json_decref(res);
    put_config("{\"typo\": {\"one_edit_min_len\": 7, \"two_edits_min_len\": 9}}");
    res = re_search(g_cfg.port, "falcom", 0); /* 6 letters: no edit from 7 */
    ck_assert_int_eq(se_rank(res, hive), -1);
    json_decref(res);
    put_config("{}");
    free(hive);
}
END_TEST

START_TEST(explain_adds_up_under_boosts)
{
    put_config("{\"type_boosts\": {\"dashboard\": 3}, \"platform_boosts\": {\"snowflake\": 0.5, "
               "\"hive\": 1.5}}");
    const char *queries[] = {"heron", "falcon", "heron summary", NULL};
    for (size_t q = 0; queries[q]; q++) {
        json_t *res = re_search(g_cfg.port, queries[q], 1);
        json_t *hits = json_object_get(res, "hits");
        ck_assert_int_gt(json_array_size(hits), 0);
        for (size_t i = 0; i < json_array_size(hits); i++) {
            json_t *h = json_array_get(hits, i), *ex = json_object_get(h, "explain");
            double sum = 0, score = num(json_object_get(h, "score"));
            const char *k;
            json_t *v;
            json_object_foreach(json_object_get(ex, "fields"), k, v) sum += num(v);
            double total = sum * num(json_object_get(ex, "type_boost")) *
                               num(json_object_get(ex, "platform_boost")) +
                           num(json_object_get(ex, "popularity")) +
                           num(json_object_get(ex, "exact_bonus"));
            ck_assert_msg(fabs(total - score) < 1e-6 * (1 + score),
                          "\"%s\" hit %zu: explain adds up to %g, score %g", queries[q], i, total,
                          score);
        }
        json_decref(res);
    }
    put_config("{}");
}
END_TEST

START_TEST(synonyms_match_each_other)
{
    char *urn = re_dataset_urn("hive", "crm.client_registry");
    put_config("{}");
    json_t *res = re_search(g_cfg.port, "registry patron", 0);
    ck_assert_int_eq(se_rank(res, urn), 0); /* "patron" dropped */
    ck_assert_int_eq(json_array_size(json_object_get(json_object_get(res, "query"), "dropped")), 1);
    json_decref(res);
    put_config("{\"synonyms\": [[\"patron\", \"client\"]]}");
    res = re_search(g_cfg.port, "registry patron", 1);
    ck_assert_int_eq(se_rank(res, urn), 0);
    ck_assert_int_eq(json_array_size(json_object_get(json_object_get(res, "query"), "dropped")), 0);
    json_t *terms =
        json_object_get(json_object_get(json_array_get(json_object_get(res, "hits"), 0), "explain"),
                        "matched_terms");
    int syn = 0;
    for (size_t i = 0; i < json_array_size(terms); i++)
        syn |= strcmp(json_string_value(json_object_get(json_array_get(terms, i), "via")),
                      "synonym") == 0;
    ck_assert(syn);
    json_decref(res);
    free(urn);
}
END_TEST

START_TEST(pinned_results_come_first)
{
    char *hive = re_dataset_urn("hive", "sky.falcon_stats");
    char *snow = re_dataset_urn("snowflake", "sky.falcon_stats");
    char body[512];
    /* Pinned queries are normalised: "Falcon " pins "FALCON" too. */
    snprintf(body, sizeof body, "{\"pinned\": {\"Falcon \": [\"%s\"]}}", snow);
    put_config(body);
    json_t *res = re_search(g_cfg.port, "FALCON", 0);
    ck_assert_str_eq(re_hit_urn(res, 0), snow);
    ck_assert(
        json_is_true(json_object_get(json_array_get(json_object_get(res, "hits"), 0), "pinned")));
    ck_assert_str_eq(re_hit_urn(res, 1), hive);
    ck_assert_int_eq(json_integer_value(json_object_get(res, "total")), 2);
    json_decref(res);
    /* Another query is not pinned. */
    res = re_search(g_cfg.port, "falcon stats", 0);
    ck_assert_str_eq(re_hit_urn(res, 0), hive);
    json_decref(res);
    put_config("{}");
    free(hive);
    free(snow);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ranking");
    TCase *t = tcase_create("planner");
    tcase_add_unchecked_fixture(t, planner_setup, planner_teardown);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, typo_one_edit_finds_the_word);
    tcase_add_test(t, typo_transposition_is_one_edit);
    tcase_add_test(t, typo_two_edits_from_nine_letters);
    tcase_add_test(t, typo_none_under_five_letters);
    tcase_add_test(t, exact_word_beats_one_edit);
    tcase_add_test(t, typo_none_for_a_well_known_word);
    tcase_add_test(t, prefix_last_word_completes);
    tcase_add_test(t, prefix_alone_lists_names_most_used_first);
    tcase_add_test(t, split_and_joined_forms_meet);
    tcase_add_test(t, exact_name_beats_popular_partial_match);
    tcase_add_test(t, urn_pasted_is_first);
    tcase_add_test(t, popularity_orders_equal_matches);
    tcase_add_test(t, dropped_words_are_reported);
    tcase_add_test(t, did_you_mean_corrects_the_word_that_found_nothing);
    tcase_add_test(t, explain_adds_up_to_the_score);
    tcase_add_test(t, explain_says_how_each_term_matched);
    suite_add_tcase(s, t);

    TCase *c = tcase_create("config");
    tcase_add_unchecked_fixture(c, config_setup, config_teardown);
    tcase_set_timeout(c, 120);
    tcase_add_test(c, type_boost_moves_results);
    tcase_add_test(c, platform_boost_moves_results);
    tcase_add_test(c, synonyms_match_each_other);
    tcase_add_test(c, typo_settings_apply);
    tcase_add_test(c, explain_adds_up_under_boosts);
    tcase_add_test(c, pinned_results_come_first);
    suite_add_tcase(s, c);
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
