/* test_indexer.c — metadex-indexer end to end: the real binary run on files
 * and stdin into temporary indexes, the result read back with the shim.
 *
 * Each case writes its input, runs $MDX_BUILD/indexer/metadex-indexer and
 * checks the index (documents by id term, terms, stored states), the
 * dead-letter file and the summary the program prints.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyzers/analyzer.h"
#include "model/docbuild.h"
#include "model/fields.h"
#include "model/summary.h"
#include "xapian-shim/xap.h"

/* ---- running the program ------------------------------------------------ */

static char *indexer_bin(void) {
    const char *build = getenv("MDX_BUILD");
    char *p = NULL;
    ck_assert_int_ge(asprintf(&p, "%s/indexer/metadex-indexer", build ? build : "."), 0);
    ck_assert_msg(access(p, X_OK) == 0, "no indexer binary at %s (set MDX_BUILD)", p);
    return p;
}

static char *tmpdir_new(void) {
    const char *base = getenv("TMPDIR");
    char *p = NULL;
    ck_assert_int_ge(asprintf(&p, "%s/mdx-indexer-XXXXXX", base ? base : "/tmp"), 0);
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

static char *path_in(const char *dir, const char *name) {
    char *p = NULL;
    ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
    return p;
}

/* Runs the indexer with args (NULL-terminated), stdin from `in` (NULL:
 * /dev/null), stdout and stderr to `log`. Returns the exit status. */
static int run_indexer(const char *const *args, const char *in, const char *log) {
    char *bin = indexer_bin();
    const char *argv[64];
    size_t n = 0;
    argv[n++] = bin;
    for (; args[n - 1] && n < 63; n++) argv[n] = args[n - 1];
    argv[n] = NULL;
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int ifd = open(in ? in : "/dev/null", O_RDONLY);
        int ofd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (ifd < 0 || ofd < 0 || dup2(ifd, 0) < 0 || dup2(ofd, 1) < 0 || dup2(ofd, 2) < 0)
            _exit(127);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    free(bin);
    ck_assert_msg(WIFEXITED(status), "indexer died (status %d)", status);
    return WEXITSTATUS(status);
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t cap = 0, len = 0, n;
    do {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap + 1);
            ck_assert_ptr_nonnull(buf);
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    fclose(f);
    buf[len] = '\0';
    return buf;
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
}

/* The counts of the summary line "N events read, N applied, N dead-lettered,
 * N aspects ignored". */
typedef struct summary_counts {
    unsigned long long read, applied, dead, ignored;
} summary_counts;

static summary_counts parse_summary(const char *log) {
    char *text = read_file(log);
    ck_assert_ptr_nonnull(text);
    summary_counts c;
    const char *p = strstr(text, "events read");
    ck_assert_msg(p != NULL, "no summary in the log: %s", text);
    while (p > text && p[-1] != '\n') p--;
    ck_assert_int_eq(sscanf(p,
                            "metadex-indexer: %llu events read, %llu applied, %llu "
                            "dead-lettered, %llu aspects ignored",
                            &c.read, &c.applied, &c.dead, &c.ignored),
                     4);
    free(text);
    return c;
}

/* Dead letters of a run, parsed (an array, empty when the file is absent). */
static json_t *dead_letters(const char *path) {
    json_t *all = json_array();
    char *text = read_file(path);
    if (!text) return all;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        json_error_t je;
        json_t *v = json_loads(line, 0, &je);
        ck_assert_msg(v != NULL, "dead letter is not JSON: %s (%s)", line, je.text);
        json_array_append_new(all, v);
    }
    free(text);
    return all;
}

/* ---- reading the index -------------------------------------------------- */

static xap_db *open_index(const char *db) {
    xap_err xe;
    xap_db *h = xap_db_open_read(db, &xe);
    ck_assert_msg(h != NULL, "cannot open %s: %s", db, xe.msg);
    return h;
}

static xap_docid doc_of(xap_db *db, const char *urn) {
    char term[512];
    int n = doc_id_term(urn, term, sizeof term);
    ck_assert_int_gt(n, 0);
    xap_docid id = 0;
    xap_err xe;
    ck_assert_int_eq(xap_db_find_by_term(db, term, (size_t)n, &id, &xe), XAP_OK);
    return id;
}

/* The stored state of `urn`, or NULL if it has no document. */
static json_t *state_of(xap_db *db, const char *urn) {
    xap_docid id = doc_of(db, urn);
    if (!id) return NULL;
    xap_err xe;
    xap_doc *doc = xap_db_get_document(db, id, &xe);
    ck_assert_ptr_nonnull(doc);
    char *data;
    size_t len;
    ck_assert_int_eq(xap_doc_get_data(doc, &data, &len, &xe), XAP_OK);
    json_error_t je;
    json_t *state = json_loadb(data, len, 0, &je);
    ck_assert_msg(state != NULL, "state of %s is not JSON: %s", urn, je.text);
    free(data);
    xap_doc_free(doc);
    return state;
}

/* 1 if document `id` is indexed by `term`. */
static int has_term(xap_db *db, xap_docid id, const char *term) {
    xap_err xe;
    xap_postiter *it = xap_db_postlist(db, term, strlen(term), &xe);
    if (!it) return 0;
    xap_docid d;
    uint32_t wdf;
    int found = 0;
    while (!found && xap_postiter_next(it, &d, &wdf, &xe) == 1) found = d == id;
    xap_postiter_free(it);
    return found;
}

static uint32_t doc_count(xap_db *db) {
    uint32_t n = 0;
    xap_err xe;
    ck_assert_int_eq(xap_db_doccount(db, &n, &xe), XAP_OK);
    return n;
}

static char *filter_term(field_id f, const char *value) {
    char *t = NULL;
    ck_assert_int_ge(asprintf(&t, "%s:%s", FIELDS[f].filter_prefix, value), 0);
    return t;
}

/* 1 if `urn` is among the matches of an AND of the name-field terms of its
 * own display name (what a search for the name starts from). Sets *nterms. */
static int found_by_name(xap_db *db, an_analyzer *an, const char *urn, size_t *nterms) {
    json_t *state = state_of(db, urn);
    ck_assert_ptr_nonnull(state);
    summary sum;
    char err[256];
    ck_assert_msg(summary_build(state, &sum, err, sizeof err) == 0, "%s: %s", urn, err);
    an_terms terms;
    an_terms_init(&terms);
    ck_assert_int_ge(an_analyze(an, sum.name, strlen(sum.name), 0, &terms), 0);
    xap_err xe;
    xap_query *subs[64];
    size_t n = 0;
    for (size_t i = 0; i < terms.n && n < 64; i++) {
        char t[256];
        int len = snprintf(t, sizeof t, "%s%s", FIELDS[F_NAME].prefix, terms.v[i].text);
        ck_assert_int_lt(len, (int)sizeof t);
        subs[n] = xap_query_term(t, (size_t)len, 1, &xe);
        ck_assert_ptr_nonnull(subs[n]);
        n++;
    }
    *nterms = n;
    int found = 0;
    if (n > 0) {
        xap_query *q = xap_query_combine(XAP_OP_AND, subs, n, 0, &xe);
        ck_assert_ptr_nonnull(q);
        xap_enquire *e = xap_enquire_new(db, &xe);
        ck_assert_ptr_nonnull(e);
        ck_assert_int_eq(xap_enquire_set_query(e, q, &xe), XAP_OK);
        uint32_t all = doc_count(db);
        xap_mset *m = xap_enquire_get_mset(e, 0, all, all, &xe);
        ck_assert_ptr_nonnull(m);
        xap_docid want = doc_of(db, urn);
        for (size_t i = 0; i < xap_mset_size(m); i++) found |= xap_mset_docid(m, i) == want;
        xap_mset_free(m);
        xap_enquire_free(e);
        xap_query_free(q);
        for (size_t i = 0; i < n; i++) xap_query_free(subs[i]);
    }
    an_terms_free(&terms);
    summary_free(&sum);
    json_decref(state);
    return found;
}

/* ---- the DataHub fixtures ----------------------------------------------- */

static json_t *fixture_files; /* paths */

static int collect_fixture(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)ftw;
    size_t n = strlen(path);
    if (flag == FTW_F && n > 5 && strcmp(path + n - 5, ".json") == 0)
        json_array_append_new(fixture_files, json_string(path));
    return 0;
}

/* The entity URN of a fixture event: entityUrn, or the snapshot's urn. */
static const char *event_urn(const json_t *ev) {
    const char *urn = json_string_value(json_object_get(ev, "entityUrn"));
    if (urn) return urn;
    json_t *snap = json_object_get(ev, "proposedSnapshot");
    const char *key;
    json_t *val;
    json_object_foreach(snap, key, val) return json_string_value(json_object_get(val, "urn"));
    return NULL;
}

START_TEST(test_fixtures_indexed_and_found_by_name) {
    const char *fixtures = getenv("MDX_FIXTURES");
    ck_assert_msg(fixtures != NULL, "MDX_FIXTURES is not set (run through tests/run-suite)");
    fixture_files = json_array();
    ck_assert_int_eq(nftw(fixtures, collect_fixture, 16, FTW_PHYS), 0);
    ck_assert_int_gt(json_array_size(fixture_files), 10);

    char *dir = tmpdir_new(), *db = path_in(dir, "db"), *dl = path_in(dir, "dead.jsonl"),
         *log = path_in(dir, "log");
    const char *args[64] = {"--db", db, "--dead-letter", dl};
    size_t na = 4, i;
    json_t *v;
    json_t *urns = json_object(); /* urn → true */
    json_array_foreach(fixture_files, i, v) {
        ck_assert_int_lt(na, 62);
        args[na++] = json_string_value(v);
        json_error_t je;
        json_t *events = json_load_file(json_string_value(v), 0, &je);
        ck_assert_msg(events != NULL, "%s: %s", json_string_value(v), je.text);
        size_t j;
        json_t *ev;
        if (json_is_object(events)) {
            const char *urn = event_urn(events);
            if (urn) json_object_set_new(urns, urn, json_true());
        }
        json_array_foreach(events, j, ev) {
            const char *urn = event_urn(ev);
            if (urn) json_object_set_new(urns, urn, json_true());
        }
        json_decref(events);
    }
    args[na] = NULL;
    ck_assert_int_eq(run_indexer(args, NULL, log), 0);

    json_t *dead = dead_letters(dl);
    ck_assert_msg(json_array_size(dead) == 0, "%zu dead letters, first: %s",
                  json_array_size(dead),
                  json_array_size(dead) ? json_dumps(json_array_get(dead, 0), 0) : "");
    summary_counts c = parse_summary(log);
    ck_assert_uint_eq(c.dead, 0);
    ck_assert_uint_eq(c.applied, c.read);

    xap_db *h = open_index(db);
    char err[256];
    an_analyzer *an = an_new(err, sizeof err);
    ck_assert_msg(an != NULL, "%s", err);
    ck_assert_uint_eq(doc_count(h), json_object_size(urns));
    const char *urn;
    json_t *dummy;
    size_t searched = 0;
    json_object_foreach(urns, urn, dummy) {
        ck_assert_msg(doc_of(h, urn) != 0, "no document for %s", urn);
        size_t nterms;
        ck_assert_msg(found_by_name(h, an, urn, &nterms), "%s not found by its name", urn);
        searched += nterms > 0;
    }
    /* Nearly every entity has a name with words in it. */
    ck_assert_uint_ge(searched * 10, json_object_size(urns) * 9);
    an_free(an);
    xap_db_close(h);
    json_decref(dead);
    json_decref(urns);
    json_decref(fixture_files);
    free(db), free(dl), free(log);
    tmpdir_free(dir);
}
END_TEST

/* Every term of document `id` with its wdf, "term:wdf" in term order. */
static json_t *terms_of(xap_db *db, xap_docid id) {
    xap_err xe;
    xap_doc *doc = xap_db_get_document(db, id, &xe);
    ck_assert_ptr_nonnull(doc);
    xap_termiter *it = xap_doc_termlist(doc, &xe);
    ck_assert_ptr_nonnull(it);
    json_t *terms = json_array();
    const char *t;
    size_t len;
    uint32_t wdf;
    while (xap_termiter_next(it, &t, &len, &wdf, &xe) == 1)
        json_array_append_new(terms, json_sprintf("%.*s:%u", (int)len, t, wdf));
    xap_termiter_free(it);
    xap_doc_free(doc);
    return terms;
}

/* The fixtures loaded with --shards 2 (parallel writers, merged at the end)
 * give every entity the state and terms a load with one writer gives, and
 * leave no shard behind. */
START_TEST(test_fixtures_sharded_same_documents) {
    const char *fixtures = getenv("MDX_FIXTURES");
    ck_assert_msg(fixtures != NULL, "MDX_FIXTURES is not set (run through tests/run-suite)");
    fixture_files = json_array();
    ck_assert_int_eq(nftw(fixtures, collect_fixture, 16, FTW_PHYS), 0);
    char *dir = tmpdir_new(), *one = path_in(dir, "one"), *two = path_in(dir, "two"),
         *log = path_in(dir, "log");
    const char *args[64] = {"--db", one, "--batch", "50"};
    size_t na = 4, i;
    json_t *v;
    json_array_foreach(fixture_files, i, v) {
        ck_assert_int_lt(na, 60);
        args[na++] = json_string_value(v);
    }
    args[na] = NULL;
    ck_assert_int_eq(run_indexer(args, NULL, log), 0);
    const char *sharded[66] = {"--db", two, "--shards", "2"};
    memcpy(sharded + 4, args + 2, (na - 1) * sizeof *args); /* --batch 50 and the files */
    ck_assert_int_eq(run_indexer(sharded, NULL, log), 0);
    char *shard0 = NULL;
    ck_assert_int_ge(asprintf(&shard0, "%s.shard0", two), 0);
    ck_assert_msg(access(shard0, F_OK) != 0, "%s is left behind", shard0);

    xap_db *a = open_index(one), *b = open_index(two);
    ck_assert_uint_gt(doc_count(a), 100);
    ck_assert_uint_eq(doc_count(b), doc_count(a));
    xap_termiter *ids = xap_db_allterms(a, "Q", 1, &(xap_err){0});
    ck_assert_ptr_nonnull(ids);
    const char *t;
    size_t len;
    uint32_t freq;
    size_t compared = 0;
    while (xap_termiter_next(ids, &t, &len, &freq, &(xap_err){0}) == 1) {
        xap_docid da = 0, db = 0;
        xap_err xe;
        ck_assert_int_eq(xap_db_find_by_term(a, t, len, &da, &xe), XAP_OK);
        ck_assert_int_eq(xap_db_find_by_term(b, t, len, &db, &xe), XAP_OK);
        ck_assert_msg(db != 0, "no document for %.*s in the sharded load", (int)len, t);
        json_t *ta = terms_of(a, da), *tb = terms_of(b, db);
        ck_assert_msg(json_equal(ta, tb), "other terms for %.*s", (int)len, t);
        json_decref(ta);
        json_decref(tb);
        compared++;
    }
    xap_termiter_free(ids);
    ck_assert_uint_eq(compared, doc_count(a));
    json_t *urns = json_object();
    json_array_foreach(fixture_files, i, v) {
        json_t *events = json_load_file(json_string_value(v), 0, NULL), *ev;
        size_t j;
        json_array_foreach(events, j, ev) {
            const char *urn = event_urn(ev);
            if (!urn || json_object_get(urns, urn)) continue;
            json_object_set_new(urns, urn, json_true());
            json_t *sa = state_of(a, urn), *sb = state_of(b, urn);
            ck_assert_msg(json_equal(sa, sb), "another state for %s", urn);
            json_decref(sa);
            json_decref(sb);
        }
        json_decref(events);
    }
    xap_db_close(a);
    xap_db_close(b);
    json_decref(urns);
    json_decref(fixture_files);
    free(shard0), free(one), free(two), free(log);
    tmpdir_free(dir);
}
END_TEST

/* ---- hand-written events ------------------------------------------------ */

#define DS(name) "urn:li:dataset:(urn:li:dataPlatform:hive," name ",PROD)"

/* An MCP line: UPSERT of `aspect` = json for `urn`. */
static char *mcp(const char *urn, const char *change, const char *aspect, const char *json) {
    char *s = NULL;
    const char *type_end = strchr(urn + 7, ':');
    int tl = (int)(type_end - (urn + 7));
    if (aspect)
        ck_assert_int_ge(asprintf(&s,
                                  "{\"entityType\":\"%.*s\",\"entityUrn\":\"%s\","
                                  "\"changeType\":\"%s\",\"aspectName\":\"%s\","
                                  "\"aspect\":{\"json\":%s}}\n",
                                  tl, urn + 7, urn, change, aspect, json),
                         0);
    else
        ck_assert_int_ge(asprintf(&s,
                                  "{\"entityType\":\"%.*s\",\"entityUrn\":\"%s\","
                                  "\"changeType\":\"%s\"}\n",
                                  tl, urn + 7, urn, change),
                         0);
    return s;
}

/* Appends to a growing text. */
static void cat(char **text, char *more) {
    char *s = NULL;
    ck_assert_int_ge(asprintf(&s, "%s%s", *text ? *text : "", more), 0);
    free(*text);
    free(more);
    *text = s;
}

typedef struct run_dir {
    char *dir, *db, *dl, *log, *in;
} run_dir;

static run_dir run_dir_new(void) {
    run_dir r;
    r.dir = tmpdir_new();
    r.db = path_in(r.dir, "db");
    r.dl = path_in(r.dir, "dead.jsonl");
    r.log = path_in(r.dir, "log");
    r.in = path_in(r.dir, "events.jsonl");
    return r;
}

static void run_dir_free(run_dir *r) {
    free(r->db), free(r->dl), free(r->log), free(r->in);
    tmpdir_free(r->dir);
}

/* Writes `text` to the run's input file and indexes it; asserts exit 0. */
static void index_text(run_dir *r, const char *text) {
    write_file(r->in, text);
    const char *args[] = {"--db", r->db, "--dead-letter", r->dl, r->in, NULL};
    ck_assert_int_eq(run_indexer(args, NULL, r->log), 0);
}

START_TEST(test_bad_events_dead_lettered_rest_indexed) {
    run_dir r = run_dir_new();
    /* Line numbers matter: dead letters carry them as their offset. */
    const char *bad[] = {
        /* 2 */ "{\"entityType\":\"dataset\",\"entityUrn\": \"urn:li:dataset:(x\n",
        /* 4 */ NULL, /* unknown changeType, filled below */
        /* 6 */ NULL, /* bad URN */
        /* 8 */ NULL, /* wrong aspect shape */
        /* 10 */ "{\"entityType\":\"dataset\",\"entityUrn\":\"" DS("db.val") "\","
                 "\"changeType\":\"UPSERT\",\"aspectName\":\"datasetProperties\","
                 "\"aspect\":{\"value\":\"{name: not json\",\"contentType\":\"application/json\"}}\n",
    };
    char *b4 = mcp(DS("db.change"), "FROBNICATE", "datasetProperties", "{\"name\":\"x\"}");
    char *b6 = mcp("urn:li:dataset:(urn:li:dataPlatform:hive,broken", "UPSERT",
                   "datasetProperties", "{\"name\":\"broken\"}");
    char *b8 = mcp(DS("db.shape"), "UPSERT", "schemaMetadata",
                   "{\"schemaName\":\"s\",\"platform\":\"urn:li:dataPlatform:hive\","
                   "\"version\":0,\"hash\":\"\",\"fields\":\"oops\"}");
    const char *good_urns[] = {DS("db.one"), DS("db.two"), DS("db.three"),
                               "urn:li:assertion:a1b2c3", "urn:li:query:q-42",
                               "urn:li:dataProcessInstance:run-7"};
    char *text = NULL;
    cat(&text, mcp(good_urns[0], "UPSERT", "datasetProperties",
                   "{\"name\":\"one table\",\"description\":\"first\"}"));      /* 1 */
    cat(&text, strdup(bad[0]));                                                   /* 2 */
    cat(&text, mcp(good_urns[1], "UPSERT", "datasetProperties", "{\"name\":\"two\"}")); /* 3 */
    cat(&text, b4);                                                               /* 4 */
    cat(&text, mcp(good_urns[2], "UPSERT", "globalTags",
                   "{\"tags\":[{\"tag\":\"urn:li:tag:pii\"}]}"));                /* 5 */
    cat(&text, b6);                                                               /* 6 */
    cat(&text, mcp(good_urns[3], "UPSERT", "assertionInfo",
                   "{\"type\":\"DATASET\"}"));                                   /* 7 */
    cat(&text, b8);                                                               /* 8 */
    cat(&text, mcp(good_urns[4], "UPSERT", "queryProperties",
                   "{\"statement\":{\"value\":\"select 1\"}}"));                 /* 9 */
    cat(&text, strdup(bad[4]));                                                   /* 10 */
    cat(&text, mcp(good_urns[0], "UPSERT", "datasetProfile",
                   "{\"rowCount\":10,\"timestampMillis\":1}"));                  /* 11: unknown aspect */
    cat(&text, mcp(good_urns[5], "UPSERT", "dataProcessInstanceProperties",
                   "{\"name\":\"run 7\",\"created\":{\"time\":1}}"));           /* 12 */
    write_file(r.in, text);

    /* Through stdin this time. */
    const char *args[] = {"--db", r.db, "--dead-letter", r.dl, NULL};
    ck_assert_int_eq(run_indexer(args, r.in, r.log), 0);

    json_t *dead = dead_letters(r.dl);
    ck_assert_uint_eq(json_array_size(dead), 5);
    /* Each dead letter: a reason, its line, and the original event or text. */
    char *lines[13] = {0};
    char *copy = strdup(text);
    int ln = 1;
    for (char *l = strtok(copy, "\n"); l && ln < 13; l = strtok(NULL, "\n")) lines[ln++] = l;
    int expect_lines[] = {2, 4, 6, 8, 10};
    for (size_t k = 0; k < 5; k++) {
        json_t *d = NULL, *x;
        size_t i;
        json_array_foreach(dead, i, x) if (json_integer_value(json_object_get(x, "offset")) ==
                                           expect_lines[k]) d = x;
        ck_assert_msg(d != NULL, "no dead letter for line %d", expect_lines[k]);
        const char *reason = json_string_value(json_object_get(d, "reason"));
        ck_assert_msg(reason && *reason, "dead letter without a reason");
        ck_assert_str_eq(json_string_value(json_object_get(d, "source")), "stdin");
        const char *orig = lines[expect_lines[k]];
        json_t *raw = json_object_get(d, "raw"), *event = json_object_get(d, "event");
        if (expect_lines[k] == 2) {
            ck_assert_msg(raw != NULL, "unparsable line without its raw text");
            ck_assert_str_eq(json_string_value(raw), orig);
        } else {
            json_t *want = json_loads(orig, 0, NULL);
            ck_assert_ptr_nonnull(want);
            ck_assert_msg(event && json_equal(event, want), "line %d: event not carried whole",
                          expect_lines[k]);
            json_decref(want);
        }
    }
    summary_counts c = parse_summary(r.log);
    ck_assert_uint_eq(c.read, 12);
    ck_assert_uint_eq(c.dead, 5);
    ck_assert_uint_eq(c.applied, 7);
    /* assertionInfo, queryProperties, datasetProfile and
     * dataProcessInstanceProperties are not indexed. */
    ck_assert_uint_ge(c.ignored, 4);

    xap_db *h = open_index(r.db);
    for (size_t k = 0; k < 6; k++)
        ck_assert_msg(doc_of(h, good_urns[k]) != 0, "no document for %s", good_urns[k]);
    ck_assert_uint_eq(doc_count(h), 6);
    char *tag = filter_term(F_TAGS, "urn:li:tag:pii");
    ck_assert(has_term(h, doc_of(h, good_urns[2]), tag));
    free(tag);
    xap_db_close(h);
    json_decref(dead);
    free(copy), free(text);
    run_dir_free(&r);
}
END_TEST

START_TEST(test_entity_delete_removes_document) {
    run_dir r = run_dir_new();
    char *text = NULL;
    cat(&text, mcp(DS("db.keep"), "UPSERT", "datasetProperties", "{\"name\":\"keep\"}"));
    cat(&text, mcp(DS("db.gone"), "UPSERT", "datasetProperties", "{\"name\":\"gone\"}"));
    cat(&text, mcp(DS("db.brief"), "UPSERT", "datasetProperties", "{\"name\":\"brief\"}"));
    cat(&text, mcp(DS("db.brief"), "DELETE", NULL, NULL)); /* same batch */
    index_text(&r, text);
    xap_db *h = open_index(r.db);
    ck_assert(doc_of(h, DS("db.gone")) != 0);
    ck_assert(doc_of(h, DS("db.brief")) == 0);
    xap_db_close(h);

    free(text);
    text = mcp(DS("db.gone"), "DELETE", NULL, NULL); /* a later run: read from the index */
    index_text(&r, text);
    h = open_index(r.db);
    ck_assert(doc_of(h, DS("db.gone")) == 0);
    ck_assert(doc_of(h, DS("db.keep")) != 0);
    ck_assert_uint_eq(doc_count(h), 1);
    xap_db_close(h);
    json_t *dead = dead_letters(r.dl);
    ck_assert_uint_eq(json_array_size(dead), 0);
    json_decref(dead);
    free(text);
    run_dir_free(&r);
}
END_TEST

START_TEST(test_status_removed_adds_removed_term) {
    run_dir r = run_dir_new();
    char *text = NULL;
    cat(&text, mcp(DS("db.old"), "UPSERT", "datasetProperties", "{\"name\":\"old\"}"));
    cat(&text, mcp(DS("db.live"), "UPSERT", "datasetProperties", "{\"name\":\"live\"}"));
    cat(&text, mcp(DS("db.old"), "UPSERT", "status", "{\"removed\":true}"));
    cat(&text, mcp(DS("db.live"), "UPSERT", "status", "{\"removed\":false}"));
    index_text(&r, text);
    xap_db *h = open_index(r.db);
    ck_assert(has_term(h, doc_of(h, DS("db.old")), TERM_REMOVED));
    ck_assert(!has_term(h, doc_of(h, DS("db.live")), TERM_REMOVED));
    xap_db_close(h);
    free(text);
    run_dir_free(&r);
}
END_TEST

START_TEST(test_patch_adds_tag_to_existing_entity) {
    run_dir r = run_dir_new();
    char *text = NULL;
    cat(&text, mcp(DS("db.tagged"), "UPSERT", "datasetProperties", "{\"name\":\"tagged\"}"));
    cat(&text, mcp(DS("db.tagged"), "UPSERT", "globalTags",
                   "{\"tags\":[{\"tag\":\"urn:li:tag:finance\"}]}"));
    index_text(&r, text);
    free(text);
    text = mcp(DS("db.tagged"), "PATCH", "globalTags",
               "[{\"op\":\"add\",\"path\":\"/tags/urn:li:tag:pii\","
               "\"value\":{\"tag\":\"urn:li:tag:pii\"}}]");
    index_text(&r, text);
    xap_db *h = open_index(r.db);
    xap_docid id = doc_of(h, DS("db.tagged"));
    ck_assert(id != 0);
    char *pii = filter_term(F_TAGS, "urn:li:tag:pii"), *fin = filter_term(F_TAGS, "urn:li:tag:finance");
    ck_assert_msg(has_term(h, id, pii), "the patched tag is not a filter term");
    ck_assert_msg(has_term(h, id, fin), "the patch lost the existing tag");
    ck_assert_uint_eq(doc_count(h), 1);
    json_t *dead = dead_letters(r.dl);
    ck_assert_uint_eq(json_array_size(dead), 0);
    json_decref(dead);
    xap_db_close(h);
    free(pii), free(fin), free(text);
    run_dir_free(&r);
}
END_TEST

START_TEST(test_events_over_two_runs_merge) {
    run_dir r = run_dir_new();
    char *text = mcp(DS("db.orders"), "UPSERT", "datasetProperties",
                     "{\"name\":\"orders summary\",\"description\":\"daily orders\"}");
    index_text(&r, text);
    free(text);
    text = mcp(DS("db.orders"), "UPSERT", "ownership",
               "{\"owners\":[{\"owner\":\"urn:li:corpuser:jdoe\",\"type\":\"DATAOWNER\"}]}");
    index_text(&r, text);
    xap_db *h = open_index(r.db);
    ck_assert_uint_eq(doc_count(h), 1);
    json_t *state = state_of(h, DS("db.orders"));
    json_t *aspects = json_object_get(state, "aspects");
    ck_assert_ptr_nonnull(json_object_get(aspects, "datasetProperties"));
    ck_assert_ptr_nonnull(json_object_get(aspects, "ownership"));
    xap_docid id = doc_of(h, DS("db.orders"));
    char *owner = filter_term(F_OWNERS, "urn:li:corpuser:jdoe");
    ck_assert(has_term(h, id, owner));
    char name_term[64];
    snprintf(name_term, sizeof name_term, "%sorders", FIELDS[F_NAME].prefix);
    ck_assert_msg(has_term(h, id, name_term), "the first run's name was lost");
    json_decref(state);
    xap_db_close(h);
    free(owner), free(text);
    run_dir_free(&r);
}
END_TEST

START_TEST(test_owner_found_by_display_name) {
    run_dir r = run_dir_new();
    char *text = NULL;
    /* The owner's name arrives in the same batch as the dataset... */
    cat(&text, mcp(DS("db.sales"), "UPSERT", "ownership",
                   "{\"owners\":[{\"owner\":\"urn:li:corpuser:jdoe\",\"type\":\"DATAOWNER\"}]}"));
    cat(&text, mcp("urn:li:corpuser:jdoe", "UPSERT", "corpUserInfo",
                   "{\"active\":true,\"displayName\":\"Jane Wolfeschlegel\"}"));
    index_text(&r, text);
    free(text);
    /* ...or was indexed by an earlier run. */
    text = mcp(DS("db.costs"), "UPSERT", "ownership",
               "{\"owners\":[{\"owner\":\"urn:li:corpuser:jdoe\",\"type\":\"DATAOWNER\"}]}");
    index_text(&r, text);
    xap_db *h = open_index(r.db);
    char term[64];
    snprintf(term, sizeof term, "%swolfeschlegel", FIELDS[F_OWNERS].prefix);
    ck_assert_msg(has_term(h, doc_of(h, DS("db.sales")), term), "name from the same batch");
    ck_assert_msg(has_term(h, doc_of(h, DS("db.costs")), term), "name from the index");
    xap_db_close(h);
    free(text);
    run_dir_free(&r);
}
END_TEST

/* Many entities whose events are spread over many small batches: each one is
 * merged from the batch in flight, from the index, or from nothing, and
 * every aspect must end up in its state. */
START_TEST(test_events_spread_over_batches_all_merge) {
    run_dir r = run_dir_new();
    enum { N = 60 };
    char *text = NULL;
    const char *aspects[3] = {"datasetProperties", "globalTags", "status"};
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N; i++) {
            char urn[128], json[128];
            /* A different order each round, so neighbours in one batch change. */
            int k = round == 1 ? N - 1 - i : (i * 7) % N;
            snprintf(urn, sizeof urn, DS("db.t%d"), k);
            if (round == 0) snprintf(json, sizeof json, "{\"name\":\"table %d\"}", k);
            if (round == 1) snprintf(json, sizeof json, "{\"tags\":[{\"tag\":\"urn:li:tag:t%d\"}]}", k);
            if (round == 2) snprintf(json, sizeof json, "{\"removed\":%s}", k % 2 ? "true" : "false");
            cat(&text, mcp(urn, "UPSERT", aspects[round], json));
        }
    }
    write_file(r.in, text);
    const char *args[] = {"--db", r.db, "--batch", "7", "--quiet", r.in, NULL};
    ck_assert_int_eq(run_indexer(args, NULL, r.log), 0);
    xap_db *h = open_index(r.db);
    ck_assert_uint_eq(doc_count(h), N);
    for (int k = 0; k < N; k++) {
        char urn[128], tag[64];
        snprintf(urn, sizeof urn, DS("db.t%d"), k);
        json_t *state = state_of(h, urn);
        ck_assert_msg(state != NULL, "no document for %s", urn);
        for (int a = 0; a < 3; a++)
            ck_assert_msg(json_object_get(json_object_get(state, "aspects"), aspects[a]),
                          "%s lost %s", urn, aspects[a]);
        snprintf(tag, sizeof tag, "urn:li:tag:t%d", k);
        char *t = filter_term(F_TAGS, tag);
        ck_assert(has_term(h, doc_of(h, urn), t));
        ck_assert_int_eq(has_term(h, doc_of(h, urn), TERM_REMOVED), k % 2);
        free(t);
        json_decref(state);
    }
    summary_counts c = parse_summary(r.log);
    ck_assert_uint_eq(c.read, 3 * N);
    ck_assert_uint_eq(c.applied, 3 * N);
    xap_db_close(h);
    free(text);
    run_dir_free(&r);
}
END_TEST

/* One event three ways: a pretty-printed object over several lines, JSON
 * lines whose first line is broken (and CRLF line ends, blank lines), and
 * an array; plus stdin. Each file's events all land. */
START_TEST(test_input_formats) {
    run_dir r = run_dir_new();
    char *pretty = path_in(r.dir, "pretty.json"), *lines = path_in(r.dir, "lines.jsonl"),
         *array = path_in(r.dir, "array.json");
    write_file(pretty,
               "{\n  \"proposedSnapshot\": {\n"
               "    \"com.linkedin.pegasus2avro.metadata.snapshot.DatasetSnapshot\": {\n"
               "      \"urn\": \"" DS("db.pretty") "\",\n"
               "      \"aspects\": [\n"
               "        {\"com.linkedin.pegasus2avro.dataset.DatasetProperties\":\n"
               "          {\"name\": \"pretty\", \"customProperties\": {}}}\n"
               "      ]\n    }\n  }\n}\n");
    char *text = NULL;
    cat(&text, strdup("{\"broken\": \r\n"));
    cat(&text, strdup("\r\n"));
    char *l2 = mcp(DS("db.line2"), "UPSERT", "datasetProperties", "{\"name\":\"line two\"}");
    l2[strlen(l2) - 1] = '\0';
    cat(&text, l2);
    cat(&text, strdup("\r\n\r\n"));
    char *l3 = mcp(DS("db.line3"), "UPSERT", "datasetProperties", "{\"name\":\"line three\"}");
    l3[strlen(l3) - 1] = '\0'; /* no newline at the end of the file */
    cat(&text, l3);
    write_file(lines, text);
    free(text);
    char *a1 = mcp(DS("db.arr1"), "UPSERT", "datasetProperties", "{\"name\":\"a1\"}");
    char *a2 = mcp(DS("db.arr2"), "UPSERT", "datasetProperties", "{\"name\":\"a2\"}");
    text = NULL;
    ck_assert_int_ge(asprintf(&text, "\xEF\xBB\xBF  [\n%s,\n%s]\n", a1, a2), 0);
    write_file(array, text);
    char *in = mcp(DS("db.stdin"), "UPSERT", "datasetProperties", "{\"name\":\"from stdin\"}");
    write_file(r.in, in);

    const char *args[] = {"--db", r.db, "--dead-letter", r.dl, pretty, lines, "-", array, NULL};
    ck_assert_int_eq(run_indexer(args, r.in, r.log), 0);
    xap_db *h = open_index(r.db);
    const char *urns[] = {DS("db.pretty"), DS("db.line2"), DS("db.line3"), DS("db.arr1"),
                          DS("db.arr2"), DS("db.stdin")};
    for (size_t i = 0; i < 6; i++)
        ck_assert_msg(doc_of(h, urns[i]) != 0, "no document for %s", urns[i]);
    ck_assert_uint_eq(doc_count(h), 6);
    xap_db_close(h);
    /* The broken first line is the only dead letter, with its line number. */
    json_t *dead = dead_letters(r.dl);
    ck_assert_uint_eq(json_array_size(dead), 1);
    json_t *d = json_array_get(dead, 0);
    ck_assert_str_eq(json_string_value(json_object_get(d, "source")), lines);
    ck_assert_int_eq(json_integer_value(json_object_get(d, "offset")), 1);
    json_decref(dead);
    free(pretty), free(lines), free(array), free(a1), free(a2), free(text), free(in);
    run_dir_free(&r);
}
END_TEST

START_TEST(test_help_and_version) {
    char *dir = tmpdir_new(), *log = path_in(dir, "log");
    const char *help[] = {"--help", NULL};
    ck_assert_int_eq(run_indexer(help, NULL, log), 0);
    char *out = read_file(log);
    const char *opts[] = {"--db", "--dead-letter", "--batch", "--quiet", "--brokers", "--topic",
                          "--group", "--commit-every", "--commit-ms", "--dead-letter-topic",
                          "--status-listen", "--version"};
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++)
        ck_assert_msg(strstr(out, opts[i]) != NULL, "--help does not list %s", opts[i]);
    free(out);
    const char *version[] = {"--version", NULL};
    ck_assert_int_eq(run_indexer(version, NULL, log), 0);
    out = read_file(log);
    ck_assert_str_eq(out, "metadex-indexer " MDX_VERSION "\n");
    free(out);
    free(log);
    tmpdir_free(dir);
}
END_TEST

START_TEST(test_usage_errors_exit_2) {
    char *dir = tmpdir_new(), *log = path_in(dir, "log");
    const char *no_db[] = {"some-file.json", NULL};
    ck_assert_int_eq(run_indexer(no_db, NULL, log), 2);
    char *out = read_file(log);
    ck_assert_msg(strstr(out, "--db") != NULL, "the error does not name --db: %s", out);
    free(out);
    const char *bad_opt[] = {"--db", dir, "--no-such-option", NULL};
    ck_assert_int_eq(run_indexer(bad_opt, NULL, log), 2);
    const char *bad_batch[] = {"--db", dir, "--batch", "many", NULL};
    ck_assert_int_eq(run_indexer(bad_batch, NULL, log), 2);
    const char *no_shards[] = {"--db", dir, "--shards", "0", NULL};
    ck_assert_int_eq(run_indexer(no_shards, NULL, log), 2);
    const char *too_many[] = {"--db", dir, "--shards", "9", NULL};
    ck_assert_int_eq(run_indexer(too_many, NULL, log), 2);
    free(log);
    tmpdir_free(dir);
}
END_TEST

START_TEST(test_fatal_errors_exit_1) {
    char *dir = tmpdir_new(), *log = path_in(dir, "log"), *db = path_in(dir, "db");
    char *missing = path_in(dir, "no-such-file.jsonl");
    const char *args[] = {"--db", db, missing, NULL};
    ck_assert_int_eq(run_indexer(args, NULL, log), 1);
    /* An index path that cannot be a directory. */
    char *file = path_in(dir, "plain");
    write_file(file, "x");
    const char *args2[] = {"--db", file, NULL};
    ck_assert_int_eq(run_indexer(args2, NULL, log), 1);
    free(log), free(db), free(missing), free(file);
    tmpdir_free(dir);
}
END_TEST

static Suite *indexer_suite(void) {
    Suite *s = suite_create("indexer");
    TCase *tc = tcase_create("indexer");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_fixtures_indexed_and_found_by_name);
    tcase_add_test(tc, test_fixtures_sharded_same_documents);
    tcase_add_test(tc, test_bad_events_dead_lettered_rest_indexed);
    tcase_add_test(tc, test_entity_delete_removes_document);
    tcase_add_test(tc, test_status_removed_adds_removed_term);
    tcase_add_test(tc, test_patch_adds_tag_to_existing_entity);
    tcase_add_test(tc, test_events_over_two_runs_merge);
    tcase_add_test(tc, test_owner_found_by_display_name);
    tcase_add_test(tc, test_events_spread_over_batches_all_merge);
    tcase_add_test(tc, test_input_formats);
    tcase_add_test(tc, test_help_and_version);
    tcase_add_test(tc, test_usage_errors_exit_2);
    tcase_add_test(tc, test_fatal_errors_exit_1);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(indexer_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
