/* test_search_env.c — indexes, fixtures and HTTP helpers for the search
 * integration tests (see test_search_env.h). */
#include "tests/integration/test_search_env.h"

#include <check.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/testenv.h"

int se_index(const char *db, const char *const *files, size_t nfiles, const char *log)
{
    char *bin = te_bin("indexer/metadex-indexer");
    const char **argv = calloc(nfiles + 6, sizeof *argv);
    ck_assert_ptr_nonnull(argv);
    size_t n = 0;
    argv[n++] = bin;
    argv[n++] = "--db";
    argv[n++] = db;
    argv[n++] = "--quiet";
    for (size_t i = 0; i < nfiles; i++)
        argv[n++] = files[i];
    argv[n] = NULL;
    int rc = te_run((char *const *)argv, NULL, log);
    free(argv);
    free(bin);
    return rc;
}

static char **g_found;
static size_t g_nfound, g_capfound;

static int collect_json(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    size_t n = strlen(path);
    if (flag != FTW_F || n < 5 || strcmp(path + n - 5, ".json") != 0)
        return 0;
    if (g_nfound == g_capfound) {
        g_capfound = g_capfound ? g_capfound * 2 : 64;
        g_found = realloc(g_found, g_capfound * sizeof *g_found);
        ck_assert_ptr_nonnull(g_found);
    }
    g_found[g_nfound++] = strdup(path);
    return 0;
}

static int strp_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **se_fixture_files(size_t *n)
{
    const char *dir = getenv("MDX_FIXTURES");
    ck_assert_msg(dir && *dir, "MDX_FIXTURES is not set (run through tests/run-suite)");
    g_found = NULL;
    g_nfound = g_capfound = 0;
    ck_assert_int_eq(nftw(dir, collect_json, 16, FTW_PHYS), 0);
    qsort(g_found, g_nfound, sizeof *g_found, strp_cmp);
    *n = g_nfound;
    return g_found;
}

void se_strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* The URN of one fixture event, if it has one. */
static const char *event_urn(const json_t *ev)
{
    const char *u = json_string_value(json_object_get(ev, "entityUrn"));
    if (u)
        return u;
    json_t *snap = json_object_get(ev, "proposedSnapshot");
    const char *k;
    json_t *v;
    json_object_foreach(snap, k, v) {
        (void)k;
        return json_string_value(json_object_get(v, "urn"));
    }
    return NULL;
}

char **se_fixture_urns(char *const *files, size_t nfiles, const char *type, size_t *n)
{
    char **out = NULL;
    size_t cnt = 0, cap = 0;
    char want[128];
    snprintf(want, sizeof want, "urn:li:%s:", type);
    for (size_t f = 0; f < nfiles; f++) {
        json_error_t je;
        json_t *doc = json_load_file(files[f], 0, &je);
        ck_assert_msg(doc != NULL, "%s: %s", files[f], je.text);
        json_t *arr = json_is_array(doc) ? doc : NULL;
        size_t total = arr ? json_array_size(arr) : 1;
        for (size_t i = 0; i < total; i++) {
            const char *u = event_urn(arr ? json_array_get(arr, i) : doc);
            if (!u || strncmp(u, want, strlen(want)) != 0)
                continue;
            if (cnt == cap) {
                cap = cap ? cap * 2 : 64;
                out = realloc(out, cap * sizeof *out);
                ck_assert_ptr_nonnull(out);
            }
            out[cnt++] = strdup(u);
        }
        json_decref(doc);
    }
    qsort(out, cnt, sizeof *out, strp_cmp);
    size_t k = 0;
    for (size_t i = 0; i < cnt; i++) {
        if (k > 0 && strcmp(out[k - 1], out[i]) == 0)
            free(out[i]);
        else
            out[k++] = out[i];
    }
    *n = k;
    return out;
}

int se_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    size_t n = strlen(text);
    int ok = fwrite(text, 1, n, f) == n;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* path?k=v&... from NULL-terminated (key, value) pairs. */
static char *build_target(const char *path, va_list ap)
{
    size_t len = strlen(path), cap = len + 256;
    char *t = malloc(cap);
    ck_assert_ptr_nonnull(t);
    memcpy(t, path, len + 1);
    char sep = strchr(path, '?') ? '&' : '?';
    const char *k;
    while ((k = va_arg(ap, const char *)) != NULL) {
        const char *v = va_arg(ap, const char *);
        char *ev = te_urlencode(v ? v : "");
        ck_assert_ptr_nonnull(ev);
        size_t need = len + strlen(k) + strlen(ev) + 3;
        if (need >= cap) {
            cap = need * 2;
            t = realloc(t, cap);
            ck_assert_ptr_nonnull(t);
        }
        len += (size_t)snprintf(t + len, cap - len, "%c%s=%s", sep, k, ev);
        sep = '&';
        free(ev);
    }
    return t;
}

static json_t *get_target(int port, const char *target, long *status)
{
    long st = 0;
    json_t *j = te_get_json(port, target, &st);
    if (status)
        *status = st;
    return j;
}

json_t *se_get(int port, long *status, const char *path, ...)
{
    va_list ap;
    va_start(ap, path);
    char *t = build_target(path, ap);
    va_end(ap);
    json_t *j = get_target(port, t, status);
    free(t);
    return j;
}

json_t *se_search(int port, ...)
{
    va_list ap;
    va_start(ap, port);
    char *t = build_target("/v1/search", ap);
    va_end(ap);
    long st = 0;
    json_t *j = get_target(port, t, &st);
    ck_assert_msg(j != NULL && st == 200, "GET %s: status %ld, body %s", t, st,
                  j ? json_dumps(j, JSON_COMPACT) : "(not JSON)");
    free(t);
    return j;
}

json_t *se_entity(int port, const char *urn, long *status)
{
    char *e = te_urlencode(urn);
    ck_assert_ptr_nonnull(e);
    size_t n = strlen(e) + 32;
    char *t = malloc(n);
    ck_assert_ptr_nonnull(t);
    snprintf(t, n, "/v1/entities/%s", e);
    json_t *j = get_target(port, t, status);
    free(t);
    free(e);
    return j;
}

long se_rank(const json_t *res, const char *urn)
{
    json_t *hits = json_object_get(res, "hits");
    for (size_t i = 0; i < json_array_size(hits); i++) {
        const char *u = json_string_value(json_object_get(json_array_get(hits, i), "urn"));
        if (u && strcmp(u, urn) == 0)
            return (long)i;
    }
    return -1;
}

json_t *se_hit(const json_t *res, const char *urn)
{
    long r = se_rank(res, urn);
    return r < 0 ? NULL : json_array_get(json_object_get(res, "hits"), (size_t)r);
}

int se_array_has(const json_t *arr, const char *s)
{
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const char *v = json_string_value(json_array_get(arr, i));
        if (v && strcmp(v, s) == 0)
            return 1;
    }
    return 0;
}

char **se_all_urns(int port, size_t *n, ...)
{
    va_list ap;
    va_start(ap, n);
    char *base = build_target("/v1/search", ap);
    va_end(ap);
    char **out = NULL;
    size_t cnt = 0;
    for (long offset = 0;; offset += 100) {
        size_t tn = strlen(base) + 64;
        char *t = malloc(tn);
        ck_assert_ptr_nonnull(t);
        snprintf(t, tn, "%s%climit=100&offset=%ld", base, strchr(base, '?') ? '&' : '?',
                 offset);
        long st = 0;
        json_t *j = get_target(port, t, &st);
        ck_assert_msg(j && st == 200, "GET %s: status %ld", t, st);
        free(t);
        json_t *hits = json_object_get(j, "hits");
        size_t nh = json_array_size(hits);
        out = realloc(out, (cnt + nh + 1) * sizeof *out);
        ck_assert_ptr_nonnull(out);
        for (size_t i = 0; i < nh; i++)
            out[cnt++] = strdup(json_string_value(json_object_get(json_array_get(hits, i), "urn")));
        long total = (long)json_integer_value(json_object_get(j, "total"));
        json_decref(j);
        if (nh < 100 || offset + 100 >= total)
            break;
        ck_assert_msg(offset < 10000, "more results than one search can page through");
    }
    free(base);
    qsort(out, cnt, sizeof *out, strp_cmp);
    *n = cnt;
    return out;
}
