/* test_indexer_store.c — the index writer's API (model/store.h) on real
 * Xapian databases in temporary directories: feeding and its return codes,
 * stream offsets committed with the batch, dead letters as the sink sees
 * them, the pipelined commit, and the single-writer lock.
 */
#include <check.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/docbuild.h"
#include "model/fields.h"
#include "model/store.h"
#include "xapian-shim/xap.h"

static char *tmpdir_new(void) {
    const char *base = getenv("TMPDIR");
    char *p = NULL;
    ck_assert_int_ge(asprintf(&p, "%s/mdx-store-XXXXXX", base ? base : "/tmp"), 0);
    ck_assert_ptr_nonnull(mkdtemp(p));
    return p;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void tmpdir_free(char *dir) {
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

/* Dead letters the sink received, parsed. */
static int collect_dead(void *ctx, const char *line, size_t len) {
    json_error_t je;
    json_t *v = json_loadb(line, len, 0, &je);
    if (!v || memchr(line, '\n', len)) return -1; /* one line of JSON each */
    json_array_append_new(ctx, v);
    return 0;
}

static char *event(const char *name, const char *aspect, const char *json) {
    char *s = NULL;
    ck_assert_int_ge(asprintf(&s,
                              "{\"entityType\":\"dataset\",\"entityUrn\":"
                              "\"urn:li:dataset:(urn:li:dataPlatform:hive,%s,PROD)\","
                              "\"changeType\":\"UPSERT\",\"aspectName\":\"%s\","
                              "\"aspect\":{\"json\":%s}}",
                              name, aspect, json),
                     0);
    return s;
}

static int feed(store *st, const char *text, const store_origin *o) {
    char err[512];
    return store_feed(st, text, strlen(text), o, err, sizeof err);
}

START_TEST(test_offsets_committed_with_the_batch) {
    char *dir = tmpdir_new(), err[512];
    store_options opt = {0};
    store *st = store_open(dir, &opt, err, sizeof err);
    ck_assert_msg(st != NULL, "%s", err);
    ck_assert_int_eq(store_committed_offset(st, "events", 0), -1);
    uint64_t rev0 = store_revision(st);
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof name, "db.t%d", i);
        char *ev = event(name, "datasetProperties", "{\"name\":\"t\"}");
        store_origin o = {"kafka", "events", 0, i};
        ck_assert_int_eq(feed(st, ev, &o), 0);
        free(ev);
    }
    ck_assert_uint_eq(store_pending(st), 5);
    ck_assert_int_eq(store_note_offset(st, "events", 0, 5), 0);
    ck_assert_int_eq(store_note_offset(st, "other", 3, 17), 0);
    /* Not committed yet: nothing of it is visible. */
    ck_assert_int_eq(store_committed_offset(st, "events", 0), -1);
    ck_assert_uint_eq(store_entity_count(st), 0);
    ck_assert_int_eq(store_commit(st, err, sizeof err), 0);
    ck_assert_uint_eq(store_pending(st), 0);
    ck_assert_int_eq(store_committed_offset(st, "events", 0), 5);
    ck_assert_int_eq(store_committed_offset(st, "other", 3), 17);
    ck_assert_int_eq(store_committed_offset(st, "events", 1), -1);
    ck_assert_uint_gt(store_revision(st), rev0);
    ck_assert_uint_eq(store_entity_count(st), 5);
    const store_stats *ss = store_get_stats(st);
    ck_assert_uint_eq(ss->events_read, 5);
    ck_assert_uint_eq(ss->events_applied, 5);
    ck_assert_uint_eq(ss->entities_written, 5);
    ck_assert_uint_eq(ss->batches, 1);
    store_close(st);

    /* A restart finds the offsets where the batch left them. */
    st = store_open(dir, &opt, err, sizeof err);
    ck_assert_msg(st != NULL, "%s", err);
    ck_assert_int_eq(store_committed_offset(st, "events", 0), 5);
    ck_assert_uint_eq(store_entity_count(st), 5);
    /* An offsets-only batch (every message dead-lettered) still moves them. */
    store_origin o = {"kafka", "events", 0, 5};
    ck_assert_int_eq(feed(st, "not json", &o), 1);
    ck_assert_int_eq(store_note_offset(st, "events", 0, 6), 0);
    ck_assert_int_eq(store_commit(st, err, sizeof err), 0);
    ck_assert_int_eq(store_committed_offset(st, "events", 0), 6);
    store_close(st);
    tmpdir_free(dir);
}
END_TEST

START_TEST(test_dead_letters_carry_origin_and_original) {
    char *dir = tmpdir_new(), err[512];
    json_t *dead = json_array();
    store_options opt = {.dead_letter = collect_dead, .dead_letter_ctx = dead};
    store *st = store_open(dir, &opt, err, sizeof err);
    ck_assert_msg(st != NULL, "%s", err);

    store_origin o = {"kafka", "events", 2, 41};
    const char *bad_json = "{\"entityUrn\": ";
    ck_assert_int_eq(feed(st, bad_json, &o), 1);
    o.offset = 42;
    const char *not_event = "{\"hello\":\"world\"}";
    ck_assert_int_eq(feed(st, not_event, &o), 1);
    /* Bytes that are not UTF-8 cannot be a JSON string: carried in base64. */
    o.offset = 43;
    const char latin1[] = "{\"name\":\"caf\xe9\"";
    ck_assert_int_eq(store_feed(st, latin1, sizeof latin1 - 1, &o, err, sizeof err), 1);
    ck_assert_int_eq(store_commit(st, err, sizeof err), 0);

    ck_assert_uint_eq(json_array_size(dead), 3);
    json_t *d0 = json_array_get(dead, 0), *d1 = json_array_get(dead, 1),
           *d2 = json_array_get(dead, 2);
    ck_assert_str_eq(json_string_value(json_object_get(d0, "source")), "kafka");
    ck_assert_str_eq(json_string_value(json_object_get(d0, "topic")), "events");
    ck_assert_int_eq(json_integer_value(json_object_get(d0, "partition")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(d0, "offset")), 41);
    ck_assert_str_eq(json_string_value(json_object_get(d0, "raw")), bad_json);
    ck_assert(strlen(json_string_value(json_object_get(d0, "reason"))) > 0);
    json_t *want = json_loads(not_event, 0, NULL);
    ck_assert(json_equal(json_object_get(d1, "event"), want));
    json_decref(want);
    ck_assert_int_eq(json_integer_value(json_object_get(d1, "offset")), 42);
    /* "{"name":"caf\xe9"" in base64. */
    ck_assert_str_eq(json_string_value(json_object_get(d2, "raw_base64")),
                     "eyJuYW1lIjoiY2Fm6SI=");
    ck_assert_ptr_null(json_object_get(d2, "raw"));
    ck_assert_uint_eq(store_get_stats(st)->events_dead, 3);
    store_close(st);
    json_decref(dead);
    tmpdir_free(dir);
}
END_TEST

/* Decoding unwraps Avro unions in the parsed event itself; a dead letter
 * still carries the event as it came, wrappers and all, whether it fails to
 * decode or to apply. */
START_TEST(test_dead_letters_keep_union_wrappers) {
    char *dir = tmpdir_new(), err[512];
    json_t *dead = json_array();
    store_options opt = {.dead_letter = collect_dead, .dead_letter_ctx = dead};
    store *st = store_open(dir, &opt, err, sizeof err);
    ck_assert_msg(st != NULL, "%s", err);
    store_origin o = {"test", NULL, -1, 1};
    const char *bad_patch =
        "{\"entityUrn\":\"urn:li:dataset:(urn:li:dataPlatform:hive,db.a,PROD)\","
        "\"changeType\":\"PATCH\",\"aspectName\":\"datasetProperties\","
        "\"aspect\":{\"json\":{\"name\":{\"string\":\"a\"}}}}";
    ck_assert_int_eq(feed(st, bad_patch, &o), 1);
    o.offset = 2;
    const char *bad_shape =
        "{\"entityUrn\":\"urn:li:dataset:(urn:li:dataPlatform:hive,db.b,PROD)\","
        "\"changeType\":\"UPSERT\",\"aspectName\":\"datasetProperties\","
        "\"aspect\":{\"json\":{\"name\":{\"string\":\"b\"},\"description\":7}}}";
    ck_assert_int_eq(feed(st, bad_shape, &o), 1);
    ck_assert_int_eq(store_commit(st, err, sizeof err), 0);
    ck_assert_uint_eq(json_array_size(dead), 2);
    const char *sent[] = {bad_patch, bad_shape};
    for (size_t i = 0; i < 2; i++) {
        json_t *want = json_loads(sent[i], 0, NULL);
        ck_assert_ptr_nonnull(want);
        ck_assert(json_equal(json_object_get(json_array_get(dead, i), "event"), want));
        json_decref(want);
    }
    ck_assert_uint_eq(store_entity_count(st), 0);
    store_close(st);
    json_decref(dead);
    tmpdir_free(dir);
}
END_TEST

START_TEST(test_feed_says_when_the_batch_is_full) {
    char *dir = tmpdir_new(), err[512];
    store_options opt = {.batch_events = 3};
    store *st = store_open(dir, &opt, err, sizeof err);
    ck_assert_msg(st != NULL, "%s", err);
    store_origin o = {"test", NULL, -1, 1};
    char *a = event("db.a", "datasetProperties", "{\"name\":\"a\"}");
    char *b = event("db.a", "status", "{\"removed\":false}");
    char *c = event("db.b", "datasetProperties", "{\"name\":\"b\"}");
    ck_assert_int_eq(feed(st, a, &o), 0);
    ck_assert_int_eq(feed(st, b, &o), 0);
    ck_assert_int_eq(feed(st, c, &o), 2);
    ck_assert_int_eq(store_commit(st, err, sizeof err), 0);
    /* Two events of one entity: one document written. */
    ck_assert_uint_eq(store_get_stats(st)->entities_written, 2);
    ck_assert_uint_eq(store_entity_count(st), 2);
    free(a), free(b), free(c);
    store_close(st);
    tmpdir_free(dir);
}
END_TEST

START_TEST(test_pipelined_commits_merge_every_event) {
    char *dir = tmpdir_new(), err[512];
    store_options opt = {0};
    store *st = store_open(dir, &opt, err, sizeof err);
    ck_assert_msg(st != NULL, "%s", err);
    /* 40 batches; entity k gets its name in batch k and a tag in batch k+1
     * (the batch in flight) or k+3 (then committed): both must merge. */
    enum { N = 40 };
    store_origin o = {"test", NULL, -1, 0};
    for (int batch = 0; batch < N + 3; batch++) {
        char name[32], json[96];
        if (batch < N) {
            snprintf(name, sizeof name, "db.p%d", batch);
            snprintf(json, sizeof json, "{\"name\":\"p%d\"}", batch);
            char *ev = event(name, "datasetProperties", json);
            ck_assert_int_eq(feed(st, ev, &o), 0);
            free(ev);
        }
        int k = batch % 2 ? batch - 1 : batch - 3;
        if (k >= 0 && k < N) {
            snprintf(name, sizeof name, "db.p%d", k);
            snprintf(json, sizeof json, "{\"tags\":[{\"tag\":\"urn:li:tag:k%d\"}]}", k);
            char *ev = event(name, "globalTags", json);
            ck_assert_int_eq(feed(st, ev, &o), 0);
            free(ev);
        }
        ck_assert_int_eq(store_commit_async(st, err, sizeof err), 0);
    }
    ck_assert_int_eq(store_sync(st, err, sizeof err), 0);
    ck_assert_uint_eq(store_entity_count(st), N);
    store_close(st);

    xap_err xe;
    xap_db *db = xap_db_open_read(dir, &xe);
    ck_assert_ptr_nonnull(db);
    for (int k = 0; k < N; k++) {
        char urn[128], term[256], tag[64];
        snprintf(urn, sizeof urn, "urn:li:dataset:(urn:li:dataPlatform:hive,db.p%d,PROD)", k);
        int n = doc_id_term(urn, term, sizeof term);
        xap_docid id = 0;
        ck_assert_int_eq(xap_db_find_by_term(db, term, (size_t)n, &id, &xe), XAP_OK);
        ck_assert_msg(id != 0, "no document for %s", urn);
        xap_doc *doc = xap_db_get_document(db, id, &xe);
        char *data;
        size_t len;
        ck_assert_int_eq(xap_doc_get_data(doc, &data, &len, &xe), XAP_OK);
        json_t *state = json_loadb(data, len, 0, NULL);
        json_t *aspects = json_object_get(state, "aspects");
        ck_assert_msg(json_object_get(aspects, "datasetProperties"), "%s lost its name", urn);
        snprintf(tag, sizeof tag, "urn:li:tag:k%d", k);
        ck_assert_msg(strstr(data, tag) != NULL, "%s lost its tag", urn);
        json_decref(state);
        free(data);
        xap_doc_free(doc);
    }
    xap_db_close(db);
    tmpdir_free(dir);
}
END_TEST

static int exists(const char *dir, const char *suffix) {
    char path[1024];
    snprintf(path, sizeof path, "%s%s", dir, suffix);
    return access(path, F_OK) == 0;
}

/* The same stream as pipelined_commits (names, tags one or three batches
 * later), plus a deletion, into `dir` with `shards` writers; then the index
 * is closed (store_finish first unless `drop`). */
static void load_stream(const char *dir, unsigned shards, int drop) {
    char err[512];
    store_options opt = {.batch_events = 0, .shards = shards};
    store *st = store_open(dir, &opt, err, sizeof err);
    ck_assert_msg(st != NULL, "%s", err);
    if (shards > 1) /* the load really goes to shards */
        ck_assert(exists(dir, ".shard0") && exists(dir, ".shard1"));
    enum { N = 40 };
    store_origin o = {"test", NULL, -1, 0};
    for (int batch = 0; batch < N + 3; batch++) {
        char name[32], json[96];
        if (batch < N) {
            snprintf(name, sizeof name, "db.p%d", batch);
            snprintf(json, sizeof json, "{\"name\":\"p%d\",\"description\":\"word%d\"}", batch,
                     batch % 7);
            char *ev = event(name, "datasetProperties", json);
            ck_assert_int_eq(feed(st, ev, &o), 0);
            free(ev);
        }
        int k = batch % 2 ? batch - 1 : batch - 3;
        if (k >= 0 && k < N) {
            snprintf(name, sizeof name, "db.p%d", k);
            snprintf(json, sizeof json, "{\"tags\":[{\"tag\":\"urn:li:tag:k%d\"}]}", k);
            char *ev = event(name, "globalTags", json);
            ck_assert_int_eq(feed(st, ev, &o), 0);
            free(ev);
        }
        if (batch == 20) {
            const char *del = "{\"entityUrn\":\"urn:li:dataset:(urn:li:dataPlatform:hive,db.p5,PROD)\","
                              "\"changeType\":\"DELETE\"}";
            ck_assert_int_eq(feed(st, del, &o), 0);
        }
        ck_assert_int_eq(store_commit_async(st, err, sizeof err), 0);
    }
    ck_assert_int_eq(store_sync(st, err, sizeof err), 0);
    if (!drop) {
        ck_assert_msg(store_finish(st, err, sizeof err) == 0, "%s", err);
        ck_assert_uint_eq(store_entity_count(st), N - 1);
    }
    store_close(st);
}

/* id term → "data \x01 term:wdf ..." of every document, sorted by id. */
static json_t *documents(const char *dir) {
    xap_err xe;
    xap_db *db = xap_db_open_read(dir, &xe);
    ck_assert_ptr_nonnull(db);
    json_t *docs = json_object();
    xap_docid last = 0;
    ck_assert_int_eq(xap_db_lastdocid(db, &last, &xe), XAP_OK);
    for (xap_docid id = 1; id <= last; id++) {
        xap_doc *doc = xap_db_get_document(db, id, &xe);
        if (!doc) continue;
        char *data;
        size_t len;
        ck_assert_int_eq(xap_doc_get_data(doc, &data, &len, &xe), XAP_OK);
        json_t *terms = json_array();
        char idterm[512] = "";
        xap_termiter *it = xap_doc_termlist(doc, &xe);
        ck_assert_ptr_nonnull(it);
        const char *t;
        size_t tl;
        uint32_t wdf;
        while (xap_termiter_next(it, &t, &tl, &wdf, &xe) == 1) {
            json_array_append_new(terms, json_stringn(t, tl));
            if (t[0] == 'Q' && tl < sizeof idterm) snprintf(idterm, sizeof idterm, "%.*s", (int)tl, t);
        }
        xap_termiter_free(it);
        ck_assert(idterm[0]);
        json_object_set_new(docs, idterm, json_pack("{s:s%, s:o}", "data", data, len, "terms", terms));
        free(data);
        xap_doc_free(doc);
    }
    xap_db_close(db);
    return docs;
}

/* A load into an empty index written as two shards and merged ends with the
 * documents one writer makes, and no shard left behind. */
START_TEST(test_sharded_load_same_documents) {
    char *one = tmpdir_new(), *two = tmpdir_new();
    load_stream(one, 1, 0);
    load_stream(two, 2, 0);
    ck_assert(!exists(two, ".shard0") && !exists(two, ".shard1") && !exists(two, ".merged0"));
    json_t *a = documents(one), *b = documents(two);
    ck_assert_uint_eq(json_object_size(a), 39);
    ck_assert_msg(json_equal(a, b), "a sharded load made other documents");
    json_decref(a);
    json_decref(b);
    tmpdir_free(one);
    tmpdir_free(two);
}
END_TEST

/* Shards are only for an empty index: updates go to the index itself; and
 * a sharded load closed without store_finish leaves nothing. */
START_TEST(test_shards_only_into_an_empty_index) {
    char *dir = tmpdir_new(), err[512];
    load_stream(dir, 1, 0);
    store_options opt = {.shards = 2};
    store *st = store_open(dir, &opt, err, sizeof err);
    ck_assert_msg(st != NULL, "%s", err);
    ck_assert(!exists(dir, ".shard0"));
    char *ev = event("db.new", "datasetProperties", "{\"name\":\"new\"}");
    store_origin o = {"test", NULL, -1, 0};
    ck_assert_int_eq(feed(st, ev, &o), 0);
    free(ev);
    ck_assert_int_eq(store_commit(st, err, sizeof err), 0);
    ck_assert_uint_eq(store_entity_count(st), 40);
    ck_assert_int_eq(store_finish(st, err, sizeof err), 0);
    store_close(st);

    char *empty = tmpdir_new();
    load_stream(empty, 2, 1);
    ck_assert(!exists(empty, ".shard0") && !exists(empty, ".shard1"));
    xap_err xe;
    xap_db *db = xap_db_open_read(empty, &xe);
    uint32_t n = 1;
    ck_assert_int_eq(xap_db_doccount(db, &n, &xe), XAP_OK);
    ck_assert_uint_eq(n, 0);
    xap_db_close(db);
    tmpdir_free(dir);
    tmpdir_free(empty);
}
END_TEST

START_TEST(test_second_writer_is_refused) {
    char *dir = tmpdir_new(), err[512];
    store_options opt = {0};
    store *st = store_open(dir, &opt, err, sizeof err);
    ck_assert_msg(st != NULL, "%s", err);
    err[0] = '\0';
    store *other = store_open(dir, &opt, err, sizeof err);
    ck_assert_ptr_null(other);
    ck_assert_msg(strstr(err, "another writer") != NULL, "unexpected reason: %s", err);
    store_close(st);
    tmpdir_free(dir);
}
END_TEST

START_TEST(test_feed_buffer_splits_arrays) {
    char *dir = tmpdir_new(), err[512];
    json_t *dead = json_array();
    store_options opt = {.dead_letter = collect_dead, .dead_letter_ctx = dead};
    store *st = store_open(dir, &opt, err, sizeof err);
    ck_assert_msg(st != NULL, "%s", err);
    char *a = event("db.x", "datasetProperties", "{\"name\":\"x\"}");
    char *b = event("db.y", "datasetProperties", "{\"name\":\"y\"}");
    char *buf = NULL;
    ck_assert_int_ge(asprintf(&buf, "[%s, {\"broken\": }, %s]", a, b), 0);
    ck_assert_int_eq(store_feed_buffer(st, buf, strlen(buf), "array.json", err, sizeof err), 0);
    ck_assert_int_eq(store_commit(st, err, sizeof err), 0);
    ck_assert_uint_eq(store_entity_count(st), 2);
    ck_assert_uint_eq(json_array_size(dead), 1);
    json_t *d = json_array_get(dead, 0);
    ck_assert_str_eq(json_string_value(json_object_get(d, "source")), "array.json");
    ck_assert_int_eq(json_integer_value(json_object_get(d, "offset")), 2); /* its item number */
    ck_assert_uint_eq(store_get_stats(st)->events_read, 3);
    free(a), free(b), free(buf);
    store_close(st);
    json_decref(dead);
    tmpdir_free(dir);
}
END_TEST

/* A name is looked up in the batch being built, the batch being written,
 * then the index: an owner written two batches before the dataset that
 * names it must be read from the index at its latest revision. */
START_TEST(test_owner_name_from_an_earlier_batch) {
    char *dir = tmpdir_new(), err[512];
    store_options opt = {0};
    store *st = store_open(dir, &opt, err, sizeof err);
    ck_assert_msg(st != NULL, "%s", err);
    store_origin o = {"test", NULL, -1, 0};
    const char *user =
        "{\"entityType\":\"corpuser\",\"entityUrn\":\"urn:li:corpuser:zq\","
        "\"changeType\":\"UPSERT\",\"aspectName\":\"corpUserInfo\","
        "\"aspect\":{\"json\":{\"active\":true,\"displayName\":\"Zebulon Quarrington\"}}}";
    ck_assert_int_eq(feed(st, user, &o), 0);
    ck_assert_int_eq(store_commit_async(st, err, sizeof err), 0);
    for (int batch = 0; batch < 3; batch++) {
        char name[32];
        snprintf(name, sizeof name, "db.filler%d", batch);
        char *ev = event(name, "datasetProperties", "{\"name\":\"filler\"}");
        ck_assert_int_eq(feed(st, ev, &o), 0);
        free(ev);
        ck_assert_int_eq(store_commit_async(st, err, sizeof err), 0);
    }
    char *owned = event("db.owned", "ownership",
                        "{\"owners\":[{\"owner\":\"urn:li:corpuser:zq\",\"type\":\"DATAOWNER\"}]}");
    ck_assert_int_eq(feed(st, owned, &o), 0);
    ck_assert_int_eq(store_commit(st, err, sizeof err), 0);
    store_close(st);

    xap_err xe;
    xap_db *db = xap_db_open_read(dir, &xe);
    ck_assert_ptr_nonnull(db);
    char term[256];
    int n = doc_id_term("urn:li:dataset:(urn:li:dataPlatform:hive,db.owned,PROD)", term,
                        sizeof term);
    xap_docid id = 0, d;
    ck_assert_int_eq(xap_db_find_by_term(db, term, (size_t)n, &id, &xe), XAP_OK);
    ck_assert(id != 0);
    char owner_term[64];
    snprintf(owner_term, sizeof owner_term, "%squarrington", FIELDS[F_OWNERS].prefix);
    xap_postiter *it = xap_db_postlist(db, owner_term, strlen(owner_term), &xe);
    int found = 0;
    uint32_t wdf;
    while (it && xap_postiter_next(it, &d, &wdf, &xe) == 1) found |= d == id;
    xap_postiter_free(it);
    ck_assert_msg(found, "the owner's display name is not on the dataset");
    xap_db_close(db);
    free(owned);
    tmpdir_free(dir);
}
END_TEST

static Suite *store_suite(void) {
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("store");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_offsets_committed_with_the_batch);
    tcase_add_test(tc, test_dead_letters_carry_origin_and_original);
    tcase_add_test(tc, test_dead_letters_keep_union_wrappers);
    tcase_add_test(tc, test_sharded_load_same_documents);
    tcase_add_test(tc, test_shards_only_into_an_empty_index);
    tcase_add_test(tc, test_feed_says_when_the_batch_is_full);
    tcase_add_test(tc, test_pipelined_commits_merge_every_event);
    tcase_add_test(tc, test_second_writer_is_refused);
    tcase_add_test(tc, test_feed_buffer_splits_arrays);
    tcase_add_test(tc, test_owner_name_from_an_earlier_batch);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(store_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
