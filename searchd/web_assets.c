/* web_assets.c — serving the embedded portal files (see web_assets.h). */
#include "searchd/web_assets.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Everything from this origin only; no inline script or style (the pages
 * have none), nothing may frame the pages, forms post back here only. */
static const char CSP[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
                          "img-src 'self'; connect-src 'self'; font-src 'self'; "
                          "object-src 'none'; base-uri 'none'; form-action 'self'; "
                          "frame-ancestors 'none'";
/* Names are not content-hashed, so every use revalidates (a 304 is cheap). */
static const char CACHE[] = "no-cache";

const web_asset *web_asset_find(const char *name)
{
    for (size_t i = 0; i < WEB_ASSETS_COUNT; i++)
        if (strcmp(WEB_ASSETS[i].name, name) == 0)
            return &WEB_ASSETS[i];
    return NULL;
}

/* Skips spaces and tabs. */
static const char *skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* The q-value of one Accept-Encoding member's parameters ("; q=0.5"):
 * 1 when absent; 0 for "q=0", "q=0.0", "q=0.000". */
static int q_positive(const char *params, size_t n)
{
    const char *end = params + n, *p = params;
    while (p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        if (!semi)
            break;
        p = skip_ows(semi + 1);
        if (p + 2 <= end && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            p += 2;
            if (p < end && *p == '1')
                return 1;
            /* "0", "0.", "0.0..": positive only if a non-zero digit follows. */
            for (; p < end && *p != ';' && *p != ','; p++)
                if (*p >= '1' && *p <= '9')
                    return 1;
            return 0;
        }
    }
    return 1;
}

int web_accepts_gzip(const char *ae)
{
    if (!ae)
        return 0;
    int gzip = -1, star = -1; /* -1: not named; else whether q > 0 */
    const char *p = ae;
    while (*p) {
        p = skip_ows(p);
        size_t n = strcspn(p, ",");
        size_t tok = strcspn(p, ";, \t");
        int ok = q_positive(p + tok, n - tok);
        if ((tok == 4 && strncasecmp(p, "gzip", 4) == 0) ||
            (tok == 6 && strncasecmp(p, "x-gzip", 6) == 0))
            gzip = ok;
        else if (tok == 1 && *p == '*')
            star = ok;
        p += n;
        if (*p == ',')
            p++;
    }
    return gzip >= 0 ? gzip : star > 0;
}

int web_etag_matches(const char *inm, const char *etag)
{
    if (!inm)
        return 0;
    size_t elen = strlen(etag);
    const char *p = inm;
    while (*p) {
        p = skip_ows(p);
        if (*p == '*')
            return 1;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        /* An entity tag is a quoted string without inner quotes. */
        if (*p == '"') {
            const char *close = strchr(p + 1, '"');
            if (!close)
                return 0;
            size_t n = (size_t)(close - p) + 1;
            if (n == elen && memcmp(p, etag, n) == 0)
                return 1;
            p = close + 1;
        }
        p += strcspn(p, ",");
        if (*p == ',')
            p++;
    }
    return 0;
}

/* Headers on every file, 304s included. */
static const char *const HEADERS[][2] = {
    {"Cache-Control", CACHE},
    {"X-Content-Type-Options", "nosniff"},
    {"Content-Security-Policy", CSP},
    {"Referrer-Policy", "no-referrer"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
};

/* Adds the headers of an answer with `a`; -1 if they do not fit (a build
 * mistake: REQ_HEADERS_MAX too small), never dropped silently. */
static int add_headers(request *r, const web_asset *a, const char *etag, int gz)
{
    if (req_add_header(r, "ETag", etag) != 0)
        return -1;
    for (size_t i = 0; i < sizeof HEADERS / sizeof HEADERS[0]; i++)
        if (req_add_header(r, HEADERS[i][0], HEADERS[i][1]) != 0)
            return -1;
    if (a->gz && req_add_header(r, "Vary", "Accept-Encoding") != 0)
        return -1;
    if (gz && req_add_header(r, "Content-Encoding", "gzip") != 0)
        return -1;
    return 0;
}

/* Answers with `a`: 304 when the client has it, the gzip form when it
 * takes it, the bytes otherwise. */
static void serve(request *r, const web_asset *a)
{
    int gz = a->gz && web_accepts_gzip(req_header(r, "Accept-Encoding"));
    const char *etag = gz ? a->etag_gz : a->etag;
    int not_modified = web_etag_matches(req_header(r, "If-None-Match"), etag);
    if (add_headers(r, a, etag, gz && !not_modified) != 0) {
        r->nheaders = 0;
        req_reply_error(r, 500, "too many answer headers for %s", a->name);
        return;
    }
    if (not_modified) {
        r->status = 304;
        return;
    }
    size_t n = gz ? a->gz_len : a->len;
    char *body = malloc(n ? n : 1);
    if (!body) {
        r->nheaders = 0;
        req_reply_error(r, 500, "out of memory serving %s", a->name);
        return;
    }
    memcpy(body, gz ? a->gz : a->data, n);
    r->status = 200;
    r->resp = body;
    r->resp_len = n;
    r->content_type = a->content_type;
}

static void serve_named(request *r, const char *name)
{
    const web_asset *a = web_asset_find(name);
    if (!a) {
        req_reply_error(r, 404, "no such file: %s", r->path);
        return;
    }
    serve(r, a);
}

void web_search_page_handle(request *r) { serve_named(r, "index.html"); }

void web_admin_page_handle(request *r) { serve_named(r, "admin.html"); }

void web_static_handle(request *r)
{
    serve_named(r, r->path + strlen(WEB_STATIC_PREFIX));
}
