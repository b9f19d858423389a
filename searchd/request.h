/* request.h — one HTTP request and its answer, as the API handlers see them.
 *
 * http.c turns a libmicrohttpd connection into a request (decoded path,
 * query-string parameters in order, body) and the answer back into a
 * response. Handlers never touch libmicrohttpd: they read parameters with
 * req_param* and answer with req_reply_json / req_reply_error, so every
 * handler answers errors the same way:
 *     {"error": {"code": "bad_request", "message": "..."}}
 */
#ifndef MDX_SEARCHD_REQUEST_H
#define MDX_SEARCHD_REQUEST_H

#include <jansson.h>
#include <stddef.h>

typedef struct req_kv {
    char *key; /* decoded, valid UTF-8 */
    char *val; /* decoded, valid UTF-8; "" for a bare key */
    size_t vlen;
} req_kv;

#define REQ_HEADERS_MAX 12 /* answer headers a handler may add */

typedef struct request {
    const char *method;  /* "GET", ... (owned by the server) */
    char *path;          /* decoded path, without the query string */
    req_kv *params;      /* in the order given; keys may repeat */
    size_t nparams;
    char *body;          /* for routes that accept one (NUL-terminated), else NULL */
    size_t body_len;
    double started_ms;   /* monotonic clock when the request arrived */

    /* The answer. */
    int status;               /* 0 until answered */
    char *resp;               /* malloc'd body */
    size_t resp_len;
    const char *content_type; /* static string */
    const char *allow;        /* Allow header (405), static string or NULL */
    /* More answer headers (name, value), static strings, set with
     * req_add_header; a handler that sets Cache-Control replaces the
     * server's default "no-store". */
    const char *headers[REQ_HEADERS_MAX][2];
    size_t nheaders;

    void *conn;               /* the server's connection, for req_header */
} request;

/* Milliseconds on the monotonic clock. */
double req_now_ms(void);

/* 1 if s[0..len) is valid UTF-8 without NUL bytes. */
int req_utf8_valid(const char *s, size_t len);

/* Decodes %XX escapes (and '+' as space when `plus_is_space`) of s[0..len)
 * into a malloc'd NUL-terminated string. Returns NULL with a reason in err
 * on a malformed escape, a NUL byte, invalid UTF-8 or allocation failure. */
char *req_decode(const char *s, size_t len, int plus_is_space, char *err, size_t errlen);

/* Parses a query string ("a=1&b=x%20y") into r->params. Returns 0, or -1
 * with a reason in err (malformed, too many parameters). */
int req_parse_query(request *r, const char *qs, char *err, size_t errlen);

/* The first value of `key`, or NULL. */
const char *req_param(const request *r, const char *key);
/* Rejects (400) any parameter whose key is not in `known` (NULL-terminated);
 * returns 0 if all are known, -1 after answering. */
int req_check_known(request *r, const char *const *known);
/* Rejects (400) a parameter of `single` (NULL-terminated) given more than
 * once; returns 0, or -1 after answering. */
int req_check_single(request *r, const char *const *single);
/* The query text `key` ("" when absent) into *out; over `max` bytes answers
 * 400 and returns -1. */
int req_param_text(request *r, const char *key, size_t max, const char **out);
/* Reads integer parameter `key` into *out (def when absent), requiring it
 * in [lo, hi]; on a bad value answers 400 and returns -1. */
int req_param_long(request *r, const char *key, long def, long lo, long hi, long *out);
/* Reads a boolean parameter (true/false/1/0/yes/no); 400 and -1 if bad. */
int req_param_bool(request *r, const char *key, int def, int *out);

/* The value of request header `name` (case-insensitive), or NULL; valid
 * until the request is freed. Implemented by the server (http.c). */
const char *req_header(const request *r, const char *name);
/* Adds an answer header; name and value must outlive the request (static
 * strings). Returns 0, or -1 when REQ_HEADERS_MAX are already set. */
int req_add_header(request *r, const char *name, const char *value);

/* Answers `status` with `body` as JSON (steals the reference). */
void req_reply_json(request *r, int status, json_t *body);
/* Answers `status` with {"error": {"code", "message"}}; the code follows
 * the status (400 bad_request, 404 not_found, 405 method_not_allowed, 413
 * payload_too_large, 503 unavailable, 500 internal...). */
void req_reply_error(request *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The error code string for an HTTP status. */
const char *req_error_code(int status);

/* Frees everything the request owns (not the struct). */
void req_free(request *r);

#endif
