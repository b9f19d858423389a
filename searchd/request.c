/* request.c — decoding a request's path and parameters, and answering it
 * with JSON (see request.h). Every parameter is checked here once: escapes
 * well formed, UTF-8 valid, counts within searchd/limits.h. */
#include "searchd/request.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "model/docdata.h"
#include "searchd/limits.h"

double req_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int req_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned c = *p;
        size_t n;
        unsigned cp;
        if (c == 0)
            return 0;
        if (c < 0x80) {
            p++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if ((size_t)(end - p) <= n)
            return 0;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        /* Overlong forms, surrogates and values past U+10FFFF. */
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        p += n + 1;
    }
    return 1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *req_decode(const char *s, size_t len, int plus_is_space, char *err, size_t errlen)
{
    char *out = malloc(len + 1);
    size_t o = 0;
    if (!out) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            int hi = i + 1 < len ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < len ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                snprintf(err, errlen, "malformed %%-escape in the URL");
                free(out);
                return NULL;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out[o++] = ' ';
        } else {
            out[o++] = c;
        }
    }
    out[o] = '\0';
    if (!req_utf8_valid(out, o)) {
        snprintf(err, errlen, "the URL is not valid UTF-8 (or holds a NUL byte)");
        free(out);
        return NULL;
    }
    return out;
}

int req_parse_query(request *r, const char *qs, char *err, size_t errlen)
{
    const char *p = qs;
    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t n = amp ? (size_t)(amp - p) : strlen(p);
        if (n > 0) {
            const char *eq = memchr(p, '=', n);
            size_t klen = eq ? (size_t)(eq - p) : n;
            if (r->nparams >= SD_PARAMS_MAX) {
                snprintf(err, errlen, "too many query parameters (at most %d)", SD_PARAMS_MAX);
                return -1;
            }
            if (r->nparams == 0) {
                r->params = calloc(SD_PARAMS_MAX, sizeof *r->params);
                if (!r->params) {
                    snprintf(err, errlen, "out of memory");
                    return -1;
                }
            }
            req_kv *pa = &r->params[r->nparams];
            pa->key = req_decode(p, klen, 1, err, errlen);
            if (!pa->key)
                return -1;
            pa->val = eq ? req_decode(eq + 1, n - klen - 1, 1, err, errlen)
                         : req_decode("", 0, 1, err, errlen);
            if (!pa->val) {
                free(pa->key);
                pa->key = NULL;
                return -1;
            }
            pa->vlen = strlen(pa->val);
            r->nparams++;
        }
        p = amp ? amp + 1 : NULL;
    }
    return 0;
}

const char *req_param(const request *r, const char *key)
{
    for (size_t i = 0; i < r->nparams; i++)
        if (strcmp(r->params[i].key, key) == 0)
            return r->params[i].val;
    return NULL;
}

int req_check_known(request *r, const char *const *known)
{
    for (size_t i = 0; i < r->nparams; i++) {
        size_t k = 0;
        while (known[k] && strcmp(known[k], r->params[i].key) != 0)
            k++;
        if (!known[k]) {
            req_reply_error(r, 400, "unknown parameter '%s'", r->params[i].key);
            return -1;
        }
    }
    return 0;
}

int req_check_single(request *r, const char *const *single)
{
    for (size_t k = 0; single[k]; k++) {
        int seen = 0;
        for (size_t i = 0; i < r->nparams; i++)
            if (strcmp(r->params[i].key, single[k]) == 0 && ++seen > 1) {
                req_reply_error(r, 400, "%s is given more than once", single[k]);
                return -1;
            }
    }
    return 0;
}

int req_param_text(request *r, const char *key, size_t max, const char **out)
{
    const char *v = req_param(r, key);
    *out = v ? v : "";
    size_t len = strlen(*out);
    if (len > max) {
        req_reply_error(r, 400, "%s is %zu bytes long; at most %zu are allowed", key, len, max);
        return -1;
    }
    return 0;
}

int req_param_long(request *r, const char *key, long def, long lo, long hi, long *out)
{
    const char *v = req_param(r, key);
    *out = def;
    if (!v)
        return 0;
    char *end = NULL;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || errno == ERANGE || (*v != '-' && (*v < '0' || *v > '9'))) {
        req_reply_error(r, 400, "%s must be an integer (got '%.40s')", key, v);
        return -1;
    }
    if (x < lo || x > hi) {
        req_reply_error(r, 400, "%s must be between %ld and %ld (got %ld)", key, lo, hi, x);
        return -1;
    }
    *out = x;
    return 0;
}

int req_param_bool(request *r, const char *key, int def, int *out)
{
    const char *v = req_param(r, key);
    *out = def;
    if (!v)
        return 0;
    if (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes") || !*v) {
        *out = 1;
        return 0;
    }
    if (!strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "no")) {
        *out = 0;
        return 0;
    }
    req_reply_error(r, 400, "%s must be true or false (got '%.40s')", key, v);
    return -1;
}

int req_add_header(request *r, const char *name, const char *value)
{
    if (r->nheaders >= REQ_HEADERS_MAX)
        return -1;
    r->headers[r->nheaders][0] = name;
    r->headers[r->nheaders][1] = value;
    r->nheaders++;
    return 0;
}

const char *req_error_code(int status)
{
    switch (status) {
    case 400: return "bad_request";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 413: return "payload_too_large";
    case 414: return "uri_too_long";
    case 503: return "unavailable";
    default: return status >= 500 ? "internal" : "error";
    }
}

void req_reply_json(request *r, int status, json_t *body)
{
    free(r->resp);
    r->resp = NULL;
    r->resp_len = 0;
    r->status = status;
    r->content_type = "application/json";
    /* The indexer's compact writer (json_dumps' text, runs copied whole:
     * json_dumps cost 5% of a search's CPU). A trailing newline keeps curl
     * output readable. */
    char *s = NULL;
    size_t cap = 0, len = 0;
    int ok = body && docdata_dump(body, &s, &cap, &len) == 0;
    if (ok && len + 2 > cap) {
        char *t = realloc(s, len + 2);
        ok = t != NULL;
        s = t ? t : s;
    }
    if (ok) {
        s[len++] = '\n';
        s[len] = '\0';
        r->resp_len = len;
    } else {
        free(s);
        s = NULL;
    }
    json_decref(body);
    if (!s) {
        /* Not writable (out of memory): a fixed answer still gets out. */
        static const char fixed[] =
            "{\"error\":{\"code\":\"internal\",\"message\":\"could not encode the answer\"}}\n";
        s = strdup(fixed);
        r->status = 500;
        if (!s)
            return;
        r->resp_len = strlen(s);
    }
    r->resp = s;
}

void req_reply_error(request *r, int status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Messages may quote user input cut at a byte count: keep them valid
     * UTF-8 by dropping a trailing partial character. */
    size_t n = strlen(msg);
    while (n > 0 && !req_utf8_valid(msg, n))
        msg[--n] = '\0';
    json_t *body = json_pack("{s:{s:s,s:s}}", "error", "code", req_error_code(status), "message",
                             msg);
    req_reply_json(r, status, body);
}

void req_free(request *r)
{
    for (size_t i = 0; i < r->nparams; i++) {
        free(r->params[i].key);
        free(r->params[i].val);
    }
    free(r->params);
    free(r->path);
    free(r->body);
    free(r->resp);
    memset(r, 0, sizeof *r);
}
