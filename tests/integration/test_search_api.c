/* test_search_api.c — metadex-searchd as a service: starting before the
 * index exists, seeing the indexer's commits without a restart, answering
 * every bad request with the right status and a JSON error, staying up
 * under concurrent searches while the index changes, stopping cleanly, and
 * its command line. Real binaries over loopback HTTP.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "searchd/limits.h"
#include "searchd/search_exec.h"
#include "tests/integration/test_search_env.h"
#include "tests/support/testenv.h"

#define LIVE_A "urn:li:dataset:(urn:li:dataPlatform:mdxlive,app.mdxlive_alpha,PROD)"
#define LIVE_B "urn:li:dataset:(urn:li:dataPlatform:mdxlive,app.mdxlive_beta,PROD)"

#define PROPS(urn, json)                                                                      \
    "{\"entityType\":\"dataset\",\"entityUrn\":\"" urn "\",\"changeType\":\"UPSERT\","         \
    "\"aspectName\":\"datasetProperties\",\"aspect\":{\"json\":" json "}}\n"

static char *g_dir;

static void setup(void)
{
    g_dir = te_tmpdir("searchapi");
    ck_assert_ptr_nonnull(g_dir);
}

static void teardown(void)
{
    te_rmtree(g_dir);
    free(g_dir);
}

static char *in_dir(const char *name)
{
    char *p = NULL;
    ck_assert_int_ge(asprintf(&p, "%s/%s", g_dir, name), 0);
    return p;
}

/* Indexes `text` (JSON lines) into db through a file. */
static void index_text(const char *db, const char *text)
{
    static int serial;
    char name[32];
    snprintf(name, sizeof name, "input%d.jsonl", serial++);
    char *file = in_dir(name), *log = in_dir("indexer.log");
    ck_assert_int_eq(se_write(file, text), 0);
    const char *files[] = {file};
    int rc = se_index(db, files, 1, log);
    ck_assert_msg(rc == 0, "indexer exited %d: %s", rc, te_read_file(log, NULL));
    free(file);
    free(log);
}

static long total_of(const json_t *res) { return (long)json_integer_value(json_object_get(res, "total")); }

static const char *error_code(const json_t *body)
{
    return json_string_value(json_object_get(json_object_get(body, "error"), "code"));
}

/* ---- the index appears, changes and loses entities under a running searchd - */

START_TEST(serves_503_until_the_index_exists_then_follows_commits)
{
    char *db = in_dir("index");
    int port = 0;
    pid_t pid = te_start_searchd(db, NULL, &port);
    ck_assert_int_gt(pid, 0);

    long st = 0;
    json_t *h = se_get(port, &st, "/healthz", NULL);
    ck_assert_int_eq(st, 503);
    ck_assert_str_eq(json_string_value(json_object_get(h, "status")), "unavailable");
    json_decref(h);
    json_t *res = se_get(port, &st, "/v1/search", "q", "anything", NULL);
    ck_assert_int_eq(st, 503);
    ck_assert_str_eq(error_code(res), "unavailable");
    json_decref(res);

    /* The first commit: served without a restart. */
    index_text(db, PROPS(LIVE_A, "{\"name\":\"mdxlive_alpha\",\"description\":\"first words\"}"));
    h = se_get(port, &st, "/healthz", NULL);
    ck_assert_int_eq(st, 200);
    ck_assert_str_eq(json_string_value(json_object_get(h, "status")), "ok");
    ck_assert_int_eq(json_integer_value(json_object_get(h, "docs")), 1);
    long rev1 = (long)json_integer_value(json_object_get(h, "revision"));
    json_decref(h);
    res = se_search(port, "q", "mdxlive_alpha", NULL);
    ck_assert_int_eq(se_rank(res, LIVE_A), 0);
    json_decref(res);

    /* An update: the next search sees the new description, not the old. */
    index_text(db, PROPS(LIVE_A, "{\"name\":\"mdxlive_alpha\",\"description\":\"zebrafish now\"}"));
    res = se_search(port, "q", "zebrafish", NULL);
    ck_assert_int_eq(se_rank(res, LIVE_A), 0);
    json_decref(res);
    res = se_search(port, "q", "first words", NULL);
    ck_assert_int_eq(total_of(res), 0);
    json_decref(res);
    h = se_get(port, &st, "/healthz", NULL);
    ck_assert_int_gt(json_integer_value(json_object_get(h, "revision")), rev1);
    json_decref(h);

    /* A new entity, then the first one deleted. */
    index_text(db, PROPS(LIVE_B, "{\"name\":\"mdxlive_beta\"}"));
    res = se_search(port, "filter", "platform:mdxlive", NULL);
    ck_assert_int_eq(total_of(res), 2);
    json_decref(res);
    index_text(db, "{\"entityType\":\"dataset\",\"entityUrn\":\"" LIVE_A
                   "\",\"changeType\":\"DELETE\"}\n");
    res = se_search(port, "filter", "platform:mdxlive", NULL);
    ck_assert_int_eq(total_of(res), 1);
    ck_assert_int_eq(se_rank(res, LIVE_B), 0);
    json_decref(res);
    json_t *ent = se_entity(port, LIVE_A, &st);
    ck_assert_int_eq(st, 404);
    json_decref(ent);
    ent = se_entity(port, LIVE_B, &st);
    ck_assert_int_eq(st, 200);
    json_decref(ent);

    ck_assert_int_eq(te_stop(pid, SIGTERM), 0);
    free(db);
}
END_TEST

START_TEST(concurrent_searches_while_the_indexer_commits)
{
    char *db = in_dir("index");
    index_text(db, PROPS(LIVE_A, "{\"name\":\"mdxlive_alpha\",\"description\":\"stable\"}"));
    static const char *const extra[] = {"--threads", "4", "--quiet", NULL};
    int port = 0;
    pid_t pid = te_start_searchd(db, extra, &port);
    ck_assert_int_gt(pid, 0);

    /* A writer process commits batch after batch... */
    pid_t writer = fork();
    ck_assert_int_ge(writer, 0);
    if (writer == 0) {
        for (int i = 0; i < 15; i++) {
            char *text = NULL;
            if (asprintf(&text,
                         "{\"entityType\":\"dataset\",\"entityUrn\":\"urn:li:dataset:(urn:li:"
                         "dataPlatform:mdxlive,app.bulk_%d,PROD)\",\"changeType\":\"UPSERT\","
                         "\"aspectName\":\"datasetProperties\",\"aspect\":{\"json\":{\"name\":"
                         "\"bulk_%d\",\"description\":\"stable batch %d\"}}}\n",
                         i, i, i) < 0)
                _exit(3);
            index_text(db, text);
            free(text);
        }
        _exit(0);
    }
    /* ...while readers search: every answer is a 200 with a coherent total. */
    pid_t readers[3];
    for (int r = 0; r < 3; r++) {
        readers[r] = fork();
        ck_assert_int_ge(readers[r], 0);
        if (readers[r] == 0) {
            for (int i = 0; i < 60; i++) {
                long st = 0;
                json_t *res = se_get(port, &st, "/v1/search", "q", "stable", "facets", "type",
                                     NULL);
                long total = total_of(res);
                long count = (long)json_integer_value(json_object_get(
                    json_array_get(json_object_get(json_object_get(res, "facets"), "type"), 0),
                    "count"));
                json_decref(res);
                if (st != 200 || total < 1 || count != total)
                    _exit(1);
            }
            _exit(0);
        }
    }
    for (int r = 0; r < 3; r++) {
        int s;
        ck_assert_int_eq(waitpid(readers[r], &s, 0), readers[r]);
        ck_assert_msg(WIFEXITED(s) && WEXITSTATUS(s) == 0, "a reader saw a bad answer");
    }
    int s;
    ck_assert_int_eq(waitpid(writer, &s, 0), writer);
    ck_assert(WIFEXITED(s) && WEXITSTATUS(s) == 0);
    /* Everything written is visible at the end. */
    json_t *res = se_search(port, "q", "stable", NULL);
    ck_assert_int_eq(total_of(res), 16);
    json_decref(res);
    ck_assert_int_eq(te_stop(pid, SIGTERM), 0);
    free(db);
}
END_TEST

/* Searches run on the search workers with their connections suspended;
 * libmicrohttpd aborts if stopped with one still suspended. So: the
 * bundled sample catalog (searches of a few milliseconds), one worker,
 * eight clients (searches always queued), SIGTERM: the daemon must answer
 * every search it took and exit 0. */
START_TEST(stops_cleanly_with_searches_queued)
{
    char *db = in_dir("index"), *sample = in_dir("sample.jsonl"), *log = in_dir("indexer.log");
    char *gz = te_path("data/sample-catalog.jsonl.gz"), *cmd = NULL;
    ck_assert_int_ge(asprintf(&cmd, "gzip -dc '%s' > '%s'", gz, sample), 0);
    char *const unzip[] = {"/bin/sh", "-c", cmd, NULL};
    ck_assert_int_eq(te_run(unzip, NULL, NULL), 0);
    const char *files[] = {sample};
    ck_assert_int_eq(se_index(db, files, 1, log), 0);
    static const char *const extra[] = {"--threads", "1", "--quiet", NULL};
    int port = 0;
    pid_t pid = te_start_searchd(db, extra, &port);
    ck_assert_int_gt(pid, 0);
    pid_t readers[8];
    for (int r = 0; r < 8; r++) {
        readers[r] = fork();
        ck_assert_int_ge(readers[r], 0);
        if (readers[r] == 0) {
            /* Until the daemon is gone: each answer it gives is a whole 200. */
            static const char *const words[] = {"customer", "orders", "event", "date", "pii"};
            for (int i = 0;; i++) {
                long st = 0;
                json_t *res = se_get(port, &st, "/v1/search", "q", words[(r + i) % 5], "facets",
                                     "all", NULL);
                json_decref(res);
                if (st == 0)
                    _exit(0); /* refused or cut: stopped */
                if (st != 200 || !res)
                    _exit(1);
            }
        }
    }
    te_sleep_ms(500);
    ck_assert_int_eq(te_stop(pid, SIGTERM), 0);
    for (int r = 0; r < 8; r++) {
        int s;
        ck_assert_int_eq(waitpid(readers[r], &s, 0), readers[r]);
        ck_assert_msg(WIFEXITED(s) && WEXITSTATUS(s) == 0, "a reader saw a bad answer");
    }
    free(cmd);
    free(gz);
    free(log);
    free(sample);
    free(db);
}
END_TEST

/* ---- bad requests ------------------------------------------------------------ */

typedef struct bad_case {
    const char *method;
    const char *target; /* NULL: built by the test */
    long status;
    const char *code;
} bad_case;

static void expect_error(int port, const char *method, const char *target, long status,
                         const char *code)
{
    te_http r;
    ck_assert_int_eq(te_http_do(port, method, target, NULL, NULL, &r), 0);
    ck_assert_msg(r.status == status, "%s %.80s: status %ld, expected %ld (%s)", method, target,
                  r.status, status, r.body);
    ck_assert_msg(r.content_type && strstr(r.content_type, "application/json"),
                  "%s %.80s: content type %s", method, target, r.content_type);
    json_error_t je;
    json_t *body = json_loadb(r.body, r.len, 0, &je);
    ck_assert_msg(body != NULL, "%s %.80s: not JSON: %s", method, target, r.body);
    ck_assert_msg(error_code(body) && strcmp(error_code(body), code) == 0,
                  "%s %.80s: code %s, expected %s", method, target, error_code(body), code);
    const char *msg =
        json_string_value(json_object_get(json_object_get(body, "error"), "message"));
    ck_assert_msg(msg && *msg, "%s %.80s: no message", method, target);
    json_decref(body);
    te_http_free(&r);
}

/* A target of `n` repetitions of `unit` after `prefix`. */
static char *repeated(const char *prefix, const char *unit, size_t n)
{
    size_t len = strlen(prefix) + strlen(unit) * n + 1;
    char *t = malloc(len);
    ck_assert_ptr_nonnull(t);
    strcpy(t, prefix);
    for (size_t i = 0; i < n; i++)
        strcat(t, unit);
    return t;
}

START_TEST(every_bad_request_gets_its_status_and_a_json_error)
{
    char *db = in_dir("index");
    index_text(db, PROPS(LIVE_A, "{\"name\":\"mdxlive_alpha\"}"));
    int port = 0;
    pid_t pid = te_start_searchd(db, NULL, &port);
    ck_assert_int_gt(pid, 0);

    static const bad_case cases[] = {
        {"GET", "/v1/search?limit=0", 400, "bad_request"},
        {"GET", "/v1/search?limit=101", 400, "bad_request"},
        {"GET", "/v1/search?limit=ten", 400, "bad_request"},
        {"GET", "/v1/search?limit=", 400, "bad_request"},
        {"GET", "/v1/search?offset=-1", 400, "bad_request"},
        {"GET", "/v1/search?offset=10001", 400, "bad_request"},
        {"GET", "/v1/search?offset=1.5", 400, "bad_request"},
        {"GET", "/v1/search?offset=99999999999999999999", 400, "bad_request"},
        {"GET", "/v1/search?filter=nosuchfield:x", 400, "bad_request"},
        {"GET", "/v1/search?filter=platform", 400, "bad_request"},
        {"GET", "/v1/search?filter=name:x", 400, "bad_request"},
        {"GET", "/v1/search?filter=platform:", 400, "bad_request"},
        {"GET", "/v1/search?facets=nosuchfield", 400, "bad_request"},
        {"GET", "/v1/search?facets=description", 400, "bad_request"},
        {"GET", "/v1/search?facets=type,type", 400, "bad_request"},
        {"GET", "/v1/search?facets=type&facet_limit=0", 400, "bad_request"},
        {"GET", "/v1/search?q=%FF%FE", 400, "bad_request"},
        {"GET", "/v1/search?q=a%00b", 400, "bad_request"},
        {"GET", "/v1/search?q=%C0%AF", 400, "bad_request"},
        {"GET", "/v1/search?q=%G1", 400, "bad_request"},
        {"GET", "/v1/search?q=a&q=b", 400, "bad_request"},
        {"GET", "/v1/search?colour=red", 400, "bad_request"},
        {"GET", "/v1/search?removed=maybe", 400, "bad_request"},
        {"GET", "/v1/entities/not-a-urn", 400, "bad_request"},
        {"GET", "/nope", 404, "not_found"},
        {"GET", "/v1/searchx", 404, "not_found"},
        {"GET", "/v1/entities/urn%3Ali%3Adataset%3A(urn%3Ali%3AdataPlatform%3Ax%2Cy%2CPROD)", 404,
         "not_found"},
        {"POST", "/v1/search", 405, "method_not_allowed"},
        {"DELETE", "/healthz", 405, "method_not_allowed"},
        {"PUT", "/v1/entities/urn%3Ali%3Atag%3Ax", 405, "method_not_allowed"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_error(port, cases[i].method, cases[i].target, cases[i].status, cases[i].code);

    /* Limits from searchd/limits.h, each just past the edge (and the edge
     * itself is fine). */
    /* q of exactly SD_Q_MAX_BYTES bytes in SD_QUERY_WORDS_MAX words is fine;
     * one byte more is not. */
    size_t wlen = SD_Q_MAX_BYTES / SD_QUERY_WORDS_MAX;
    char *q = malloc(SD_Q_MAX_BYTES + 2);
    ck_assert_ptr_nonnull(q);
    for (size_t i = 0; i < SD_Q_MAX_BYTES; i++)
        q[i] = (i % wlen == wlen - 1) ? ' ' : 'a';
    q[SD_Q_MAX_BYTES] = '\0';
    long st = 0;
    json_t *ok = se_get(port, &st, "/v1/search", "q", q, NULL);
    ck_assert_int_eq(st, 200);
    ck_assert_ptr_nonnull(json_object_get(ok, "hits"));
    json_decref(ok);
    strcat(q, "a");
    char *eq = te_urlencode(q), *t = NULL;
    ck_assert_int_ge(asprintf(&t, "/v1/search?q=%s", eq), 0);
    expect_error(port, "GET", t, 400, "bad_request");
    free(eq);
    free(q);
    free(t);
    t = repeated("/v1/search?q=", "w%20", SD_QUERY_WORDS_MAX + 1);
    expect_error(port, "GET", t, 400, "bad_request");
    free(t);
    t = repeated("/v1/search?q=", "x", 201); /* one word longer than a term can be */
    expect_error(port, "GET", t, 400, "bad_request");
    free(t);
    t = repeated("/v1/search?q=", "&filter=type:dataset", SD_FILTERS_MAX + 1);
    expect_error(port, "GET", t, 400, "bad_request");
    free(t);
    t = repeated("/v1/search?q=", "&limit=1", SD_PARAMS_MAX + 1);
    expect_error(port, "GET", t, 400, "bad_request");
    free(t);
    t = repeated("/v1/search?q=", "a", SD_URL_MAX_BYTES);
    expect_error(port, "GET", t, 414, "uri_too_long");
    free(t);

    /* HEAD answers like GET, without a body. */
    te_http r;
    ck_assert_int_eq(te_http_do(port, "HEAD", "/healthz", NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.len, 0);
    te_http_free(&r);
    /* A body sent to a GET endpoint is ignored, not an error. */
    ck_assert_int_eq(te_http_do(port, "GET", "/v1/search?q=mdxlive_alpha", "ignored", NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    te_http_free(&r);

    ck_assert_int_eq(te_stop(pid, SIGTERM), 0);
    free(db);
}
END_TEST

/* ---- parts of a search on another worker ----------------------------------- */

/* The search workers' count of parts offered to each other (healthz). */
static long parts_offered(int port)
{
    long st = 0;
    json_t *h = se_get(port, &st, "/healthz", NULL);
    ck_assert_int_eq(st, 200);
    json_t *v = json_object_get(json_object_get(json_object_get(h, "memory"), "parallel"),
                                "offered");
    ck_assert_ptr_nonnull(v);
    long n = (long)json_integer_value(v);
    json_decref(h);
    return n;
}

/* The answer to `q` without its timing. */
static json_t *answer(int port, const char *q, const char *limit, const char *explain)
{
    json_t *res = se_search(port, "q", q, "facets", "all", "limit", limit, "explain", explain,
                            NULL);
    json_object_del(res, "took_ms");
    return res;
}

/* With two workers, a broad search's facet counts and its page's hits are
 * offered to the other worker; the answers must be those of one worker
 * alone, byte for byte, for the generator's query mix over a catalog
 * large enough for both. */
START_TEST(forked_parts_answer_as_one_worker_does)
{
    char *db = in_dir("index"), *cat = in_dir("catalog.jsonl"), *qs = in_dir("queries.jsonl");
    char *log = in_dir("indexer.log"), *gen = te_bin("bench/mdx-gen"), n[32];
    snprintf(n, sizeof n, "%d", SE_FORK_FACETS_MIN_MATCHES * 3 / 2);
    char *const genv[] = {gen, "--entities", n, "--seed", "5", "--out", cat, "--queries", qs,
                          "--query-count", "60", "--quiet", NULL};
    ck_assert_int_eq(te_run(genv, NULL, NULL), 0);
    const char *files[] = {cat};
    ck_assert_int_eq(se_index(db, files, 1, log), 0);
    static const char *const one[] = {"--threads", "1", "--quiet", NULL};
    static const char *const two[] = {"--threads", "2", "--quiet", NULL};
    int p1 = 0, p2 = 0;
    pid_t pid1 = te_start_searchd(db, one, &p1), pid2 = te_start_searchd(db, two, &p2);
    ck_assert_int_gt(pid1, 0);
    ck_assert_int_gt(pid2, 0);

    /* Browsing matches every entity: its facets are offered, and nothing
     * else for a page of one hit... */
    long before = parts_offered(p2);
    json_decref(answer(p2, "", "1", "false"));
    ck_assert_int_eq(parts_offered(p2) - before, 1);
    /* ...nor with the one worker, which has no other to offer them to. */
    json_decref(answer(p1, "", "1", "false"));
    ck_assert_int_eq(parts_offered(p1), 0);
    /* A page of SE_FORK_RENDER_MIN_HITS hits is offered too. */
    char page[16];
    snprintf(page, sizeof page, "%d", SE_FORK_RENDER_MIN_HITS);
    before = parts_offered(p2);
    json_decref(answer(p2, "", page, "false"));
    ck_assert_int_eq(parts_offered(p2) - before, 2);

    /* Same answers, with and without explain, from browsing and the mix. */
    size_t len = 0, asked = 0;
    long expected = 0; /* parts the answers say were offered */
    char *text = te_read_file(qs, &len);
    ck_assert_ptr_nonnull(text);
    before = parts_offered(p2);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *q = json_loads(line, 0, NULL);
        ck_assert_ptr_nonnull(q);
        const char *s = asked == 0 ? "" : json_string_value(json_object_get(q, "q"));
        const char *explain = asked % 4 == 3 ? "true" : "false";
        json_t *a = answer(p1, s, "20", explain), *b = answer(p2, s, "20", explain);
        ck_assert_msg(json_equal(a, b), "two workers answered '%s' otherwise", s);
        expected += json_array_size(json_object_get(b, "hits")) >= SE_FORK_RENDER_MIN_HITS;
        expected += total_of(b) >= SE_FORK_FACETS_MIN_MATCHES;
        json_decref(a);
        json_decref(b);
        json_decref(q);
        asked++;
    }
    ck_assert_uint_eq(asked, 60);
    ck_assert_int_gt(expected, (long)asked / 2);
    ck_assert_int_eq(parts_offered(p2) - before, expected);
    ck_assert_int_eq(parts_offered(p1), 0);
    free(text);
    ck_assert_int_eq(te_stop(pid1, SIGTERM), 0);
    ck_assert_int_eq(te_stop(pid2, SIGTERM), 0);
    free(gen);
    free(log);
    free(qs);
    free(cat);
    free(db);
}
END_TEST

/* ---- command line ---------------------------------------------------------- */

static int run_searchd(const char *const *args, char **output)
{
    char *bin = te_bin("searchd/metadex-searchd");
    char *log = in_dir("cli.log");
    unlink(log);
    const char *argv[16] = {bin};
    size_t n = 1;
    for (; args[n - 1] && n < 15; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    int rc = te_run((char *const *)argv, NULL, log);
    *output = te_read_file(log, NULL);
    free(log);
    free(bin);
    return rc;
}

START_TEST(command_line_follows_gnu_conventions)
{
    char *out = NULL;
    static const char *const help[] = {"--help", NULL};
    ck_assert_int_eq(run_searchd(help, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "--db"));
    ck_assert_ptr_nonnull(strstr(out, "--listen"));
    ck_assert_ptr_nonnull(strstr(out, "--threads"));
    free(out);
    static const char *const version[] = {"--version", NULL};
    ck_assert_int_eq(run_searchd(version, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "metadex-searchd"));
    free(out);
    static const char *const nodb[] = {"--listen", "127.0.0.1:0", NULL};
    ck_assert_int_eq(run_searchd(nodb, &out), 2);
    free(out);
    static const char *const bad[] = {"--db", "x", "--no-such-option", NULL};
    ck_assert_int_eq(run_searchd(bad, &out), 2);
    free(out);
    static const char *const threads[] = {"--db", "x", "--threads", "0", NULL};
    ck_assert_int_eq(run_searchd(threads, &out), 2);
    free(out);
    static const char *const listen[] = {"--db", "x", "--listen", "127.0.0.1:99999", NULL};
    ck_assert_int_eq(run_searchd(listen, &out), 1);
    ck_assert_ptr_nonnull(strstr(out, "port"));
    free(out);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("search_api");
    TCase *tc = tcase_create("service");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, serves_503_until_the_index_exists_then_follows_commits);
    tcase_add_test(tc, concurrent_searches_while_the_indexer_commits);
    tcase_add_test(tc, stops_cleanly_with_searches_queued);
    tcase_add_test(tc, forked_parts_answer_as_one_worker_does);
    tcase_add_test(tc, every_bad_request_gets_its_status_and_a_json_error);
    tcase_add_test(tc, command_line_follows_gnu_conventions);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
