/* test_web.c — the portal's files as metadex-searchd serves them: the bytes
 * of searchd/web/ exactly (embedded at build time), the page for /, /admin
 * and /entity/..., content types, strong ETags and 304s, gzip only where
 * Accept-Encoding allows it, the security headers, and methods. The real
 * searchd over loopback HTTP, with libcurl to see every header.
 */
#include <check.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/support/testenv.h"

static char *g_dir;
static pid_t g_pid;
static int g_port;

static void setup(void)
{
    g_dir = te_tmpdir("web");
    ck_assert_ptr_nonnull(g_dir);
    char *db = NULL;
    ck_assert_int_ge(asprintf(&db, "%s/db", g_dir), 0);
    /* No index: the pages do not need one. */
    const char *extra[] = {"--quiet", NULL};
    g_pid = te_start_searchd(db, extra, &g_port);
    ck_assert_int_gt(g_pid, 0);
    free(db);
}

static void teardown(void)
{
    te_stop(g_pid, SIGTERM);
    te_rmtree(g_dir);
    free(g_dir);
}

/* One exchange, with the answer's headers kept. */
typedef struct answer {
    long status;
    char *body;
    size_t len;
    char headers[8192];
    size_t hlen;
    curl_off_t wire_bytes; /* body bytes as sent, before any decoding */
} answer;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    answer *a = ud;
    char *b = realloc(a->body, a->len + size * n + 1);
    if (!b)
        return 0;
    memcpy(b + a->len, p, size * n);
    a->len += size * n;
    b[a->len] = '\0';
    a->body = b;
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    answer *a = ud;
    size_t k = size * n;
    if (a->hlen + k < sizeof a->headers) {
        memcpy(a->headers + a->hlen, p, k);
        a->hlen += k;
        a->headers[a->hlen] = '\0';
    }
    return k;
}

/* method: "GET", "HEAD", "POST"; extra: one "Name: value" header or NULL;
 * decode: let curl gunzip the body (it then asks for gzip itself). */
static answer fetch(const char *method, const char *path, const char *extra, int decode)
{
    answer a;
    memset(&a, 0, sizeof a);
    CURL *c = curl_easy_init();
    ck_assert_ptr_nonnull(c);
    char url[1024];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", g_port, path);
    struct curl_slist *h = extra ? curl_slist_append(NULL, extra) : NULL;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &a);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L); /* "/static/../x" as written */
    if (decode)
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "gzip");
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") != 0)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    CURLcode rc = curl_easy_perform(c);
    ck_assert_msg(rc == CURLE_OK, "%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
    curl_easy_getinfo(c, CURLINFO_SIZE_DOWNLOAD_T, &a.wire_bytes);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (!a.body)
        a.body = calloc(1, 1);
    return a;
}

/* The value of header `name` (case-insensitive) into out; 0 if absent. */
static int header(const answer *a, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    for (const char *p = a->headers; *p;) {
        const char *eol = strstr(p, "\r\n");
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            size_t vl = len - (size_t)(v - p);
            if (vl >= cap)
                vl = cap - 1;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return 1;
        }
        p += len + (eol ? 2 : 0);
    }
    return 0;
}

static char *file_of(const char *name, size_t *len)
{
    char rel[256];
    snprintf(rel, sizeof rel, "searchd/web/%s", name);
    char *path = te_path(rel);
    char *text = te_read_file(path, len);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    free(path);
    return text;
}

static void assert_serves(const char *path, const char *file, const char *type)
{
    size_t len;
    char *want = file_of(file, &len);
    answer a = fetch("GET", path, NULL, 0);
    ck_assert_int_eq(a.status, 200);
    ck_assert_msg(a.len == len && memcmp(a.body, want, len) == 0, "%s is not %s byte for byte",
                  path, file);
    char v[1024];
    ck_assert(header(&a, "Content-Type", v, sizeof v));
    ck_assert_str_eq(v, type);
    ck_assert_msg(!header(&a, "Content-Encoding", v, sizeof v), "no gzip unless asked");
    free(want);
    free(a.body);
}

START_TEST(pages_and_files_are_the_embedded_bytes)
{
    assert_serves("/", "index.html", "text/html; charset=utf-8");
    assert_serves("/admin", "admin.html", "text/html; charset=utf-8");
    assert_serves("/entity/urn%3Ali%3Acorpuser%3Ajdoe", "index.html", "text/html; charset=utf-8");
    assert_serves("/entity/urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)?x=1", "index.html",
                  "text/html; charset=utf-8");
    assert_serves("/?q=orders&filter=platform:hive", "index.html", "text/html; charset=utf-8");
    assert_serves("/static/app.js", "app.js", "text/javascript; charset=utf-8");
    assert_serves("/static/admin.js", "admin.js", "text/javascript; charset=utf-8");
    assert_serves("/static/style.css", "style.css", "text/css; charset=utf-8");
    assert_serves("/static/favicon.svg", "favicon.svg", "image/svg+xml");
}
END_TEST

START_TEST(security_and_cache_headers)
{
    const char *paths[] = {"/", "/admin", "/static/app.js", "/static/style.css"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        answer a = fetch("GET", paths[i], NULL, 0);
        char v[1024];
        ck_assert(header(&a, "Content-Security-Policy", v, sizeof v));
        ck_assert_ptr_nonnull(strstr(v, "default-src 'self'"));
        ck_assert_ptr_nonnull(strstr(v, "script-src 'self'"));
        ck_assert_ptr_nonnull(strstr(v, "style-src 'self'"));
        ck_assert_ptr_nonnull(strstr(v, "frame-ancestors 'none'"));
        ck_assert_ptr_nonnull(strstr(v, "object-src 'none'"));
        ck_assert_ptr_null(strstr(v, "unsafe"));
        ck_assert(header(&a, "X-Content-Type-Options", v, sizeof v));
        ck_assert_str_eq(v, "nosniff");
        ck_assert(header(&a, "Cache-Control", v, sizeof v));
        ck_assert_str_eq(v, "no-cache");
        ck_assert(header(&a, "ETag", v, sizeof v));
        ck_assert_msg(v[0] == '"' && v[strlen(v) - 1] == '"' && strlen(v) > 10,
                      "a strong ETag, not %s", v);
        free(a.body);
    }
    /* The API keeps its own answer: never cached. */
    answer h = fetch("GET", "/healthz", NULL, 0);
    char v[256];
    ck_assert(header(&h, "Cache-Control", v, sizeof v));
    ck_assert_str_eq(v, "no-store");
    free(h.body);
}
END_TEST

START_TEST(etag_and_if_none_match)
{
    answer a = fetch("GET", "/static/app.js", NULL, 0);
    char etag[256], v[256], hdr[512];
    ck_assert(header(&a, "ETag", etag, sizeof etag));
    /* The same bytes under another path have the same tag; others differ. */
    answer idx = fetch("GET", "/", NULL, 0), ent = fetch("GET", "/entity/x", NULL, 0),
           css = fetch("GET", "/static/style.css", NULL, 0);
    char e1[256], e2[256], e3[256];
    ck_assert(header(&idx, "ETag", e1, sizeof e1) && header(&ent, "ETag", e2, sizeof e2) &&
              header(&css, "ETag", e3, sizeof e3));
    ck_assert_str_eq(e1, e2);
    ck_assert_str_ne(e1, e3);
    ck_assert_str_ne(etag, e3);

    const char *match[] = {"%s", "W/%s", "\"nope\", %s", "*"};
    for (size_t i = 0; i < sizeof match / sizeof match[0]; i++) {
        char inm[300];
        snprintf(inm, sizeof inm, match[i], etag);
        snprintf(hdr, sizeof hdr, "If-None-Match: %s", inm);
        answer b = fetch("GET", "/static/app.js", hdr, 0);
        ck_assert_msg(b.status == 304, "If-None-Match: %s gave %ld", inm, b.status);
        ck_assert_uint_eq(b.len, 0);
        ck_assert(header(&b, "ETag", v, sizeof v));
        ck_assert_str_eq(v, etag);
        free(b.body);
    }
    snprintf(hdr, sizeof hdr, "If-None-Match: %s", e3);
    answer c = fetch("GET", "/static/app.js", hdr, 0);
    ck_assert_int_eq(c.status, 200);
    ck_assert_uint_eq(c.len, a.len);
    free(a.body);
    free(c.body);
    free(idx.body);
    free(ent.body);
    free(css.body);
}
END_TEST

START_TEST(gzip_when_accepted)
{
    size_t len;
    char *want = file_of("app.js", &len);
    answer plain = fetch("GET", "/static/app.js", NULL, 0);
    answer gz = fetch("GET", "/static/app.js", NULL, 1);
    char v[256], etag_plain[256], etag_gz[256];
    ck_assert_int_eq(gz.status, 200);
    ck_assert(header(&gz, "Content-Encoding", v, sizeof v));
    ck_assert_str_eq(v, "gzip");
    ck_assert(header(&gz, "Vary", v, sizeof v));
    ck_assert_str_eq(v, "Accept-Encoding");
    ck_assert_msg(gz.len == len && memcmp(gz.body, want, len) == 0, "gunzipped = the file");
    ck_assert_msg(gz.wire_bytes < (curl_off_t)len / 2, "compressed: %ld of %zu bytes",
                  (long)gz.wire_bytes, len);
    /* Two representations, two strong tags. */
    ck_assert(header(&plain, "ETag", etag_plain, sizeof etag_plain));
    ck_assert(header(&gz, "ETag", etag_gz, sizeof etag_gz));
    ck_assert_str_ne(etag_plain, etag_gz);
    free(plain.body);
    free(gz.body);

    /* What Accept-Encoding allows decides; q=0 refuses. */
    struct {
        const char *ae;
        int gzip;
    } cases[] = {
        {"Accept-Encoding: gzip", 1},        {"Accept-Encoding: GZIP", 1},
        {"Accept-Encoding: br, gzip;q=0.5", 1}, {"Accept-Encoding: *", 1},
        {"Accept-Encoding: gzip;q=0", 0},    {"Accept-Encoding: gzip; q=0.000", 0},
        {"Accept-Encoding: identity", 0},    {"Accept-Encoding: *;q=0", 0},
        {"Accept-Encoding: x-gzip", 1},      {"Accept-Encoding: *, gzip;q=0", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        answer a = fetch("GET", "/static/app.js", cases[i].ae, 0);
        int got = header(&a, "Content-Encoding", v, sizeof v);
        ck_assert_msg(got == cases[i].gzip, "%s: gzip %d", cases[i].ae, got);
        ck_assert_uint_eq(a.len, got ? (size_t)a.wire_bytes : len);
        free(a.body);
    }
    free(want);
}
END_TEST

START_TEST(unknown_files_methods_and_head)
{
    const char *missing[] = {"/static/nope.js", "/static/", "/static/../searchd/main.c",
                             "/admin/", "/index.html"};
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        answer a = fetch("GET", missing[i], NULL, 0);
        ck_assert_msg(a.status == 404, "%s gave %ld", missing[i], a.status);
        ck_assert_ptr_nonnull(strstr(a.body, "\"not_found\""));
        free(a.body);
    }
    answer p = fetch("POST", "/", NULL, 0);
    char v[256];
    ck_assert_int_eq(p.status, 405);
    ck_assert(header(&p, "Allow", v, sizeof v));
    ck_assert_str_eq(v, "GET, HEAD");
    free(p.body);
    answer h = fetch("HEAD", "/", NULL, 0), g = fetch("GET", "/", NULL, 0);
    char e1[256], e2[256];
    ck_assert_int_eq(h.status, 200);
    ck_assert_uint_eq(h.len, 0);
    ck_assert(header(&h, "ETag", e1, sizeof e1) && header(&g, "ETag", e2, sizeof e2));
    ck_assert_str_eq(e1, e2);
    free(h.body);
    free(g.body);
}
END_TEST

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    Suite *s = suite_create("web");
    TCase *tc = tcase_create("serve");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, pages_and_files_are_the_embedded_bytes);
    tcase_add_test(tc, security_and_cache_headers);
    tcase_add_test(tc, etag_and_if_none_match);
    tcase_add_test(tc, gzip_when_accepted);
    tcase_add_test(tc, unknown_files_methods_and_head);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    curl_global_cleanup();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
