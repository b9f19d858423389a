/* json_write.c — a jansson value as compact JSON text (see json_write.h). */
#include "searchd/json_write.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JW_DEPTH_MAX 2048 /* jansson's own limit */

typedef struct jw_buf {
    char *p;
    size_t n, cap;
    int failed;
} jw_buf;

static int grow(jw_buf *b, size_t more)
{
    if (b->failed)
        return -1;
    if (b->n + more <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + more)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

static void put(jw_buf *b, const char *s, size_t n)
{
    if (grow(b, n) == 0) {
        memcpy(b->p + b->n, s, n);
        b->n += n;
    }
}

static void put_char(jw_buf *b, char c)
{
    if (grow(b, 1) == 0)
        b->p[b->n++] = c;
}

/* Bytes a string copies as they are: ASCII from the space up (DEL too,
 * as jansson), but '"' and '\\'. */
static const unsigned char plain[256] = {
    [0x20 ... 0x21] = 1, /* '"' is 0x22 */
    [0x23 ... 0x5b] = 1, /* '\\' is 0x5c */
    [0x5d ... 0x7f] = 1,
};

/* The length of the UTF-8 sequence at s[0..n) (1-4), or 0 if it is not
 * one (overlong forms, surrogates and code points past U+10FFFF refused,
 * as jansson refuses them). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c < 0xc2)
        return 0;
    if (c < 0xe0) {
        len = 2;
        cp = c & 0x1f;
    } else if (c < 0xf0) {
        len = 3;
        cp = c & 0x0f;
    } else if (c < 0xf5) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

static void put_string(jw_buf *b, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str, *end = s + len;
    put_char(b, '"');
    while (s < end && !b->failed) {
        const unsigned char *run = s;
        while (s < end && plain[*s])
            s++;
        if (s > run)
            put(b, (const char *)run, (size_t)(s - run));
        if (s == end)
            break;
        unsigned c = *s;
        if (c >= 0x80) {
            size_t k = utf8_seq(s, (size_t)(end - s));
            if (k == 0) {
                b->failed = 1;
                return;
            }
            put(b, (const char *)s, k);
            s += k;
            continue;
        }
        char esc[8];
        switch (c) {
        case '"': put(b, "\\\"", 2); break;
        case '\\': put(b, "\\\\", 2); break;
        case '\b': put(b, "\\b", 2); break;
        case '\f': put(b, "\\f", 2); break;
        case '\n': put(b, "\\n", 2); break;
        case '\r': put(b, "\\r", 2); break;
        case '\t': put(b, "\\t", 2); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04X", c);
            put(b, esc, 6);
        }
        s++;
    }
    put_char(b, '"');
}

/* A real as jansson writes it. */
static void put_real(jw_buf *b, double v)
{
    char t[64];
    if (!isfinite(v)) {
        b->failed = 1;
        return;
    }
    int n = snprintf(t, sizeof t - 3, "%.17g", v);
    if (n < 0 || (size_t)n >= sizeof t - 3) {
        b->failed = 1;
        return;
    }
    if (!strchr(t, '.') && !strchr(t, 'e')) {
        memcpy(t + n, ".0", 3); /* stays a real when read back */
        n += 2;
    }
    char *e = strchr(t, 'e');
    if (e) {
        /* "1e+05" -> "1e5", "1e-05" -> "1e-5" */
        char *from = e + 1, *to = e + 1;
        if (*from == '-')
            from = ++to;
        else if (*from == '+')
            from++;
        while (*from == '0' && from[1])
            from++;
        memmove(to, from, strlen(from) + 1);
        n = (int)strlen(t);
    }
    put(b, t, (size_t)n);
}

static void put_value(jw_buf *b, const json_t *v, int depth)
{
    if (depth > JW_DEPTH_MAX) {
        b->failed = 1;
        return;
    }
    char t[32];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        put_char(b, '{');
        int first = 1;
        for (void *it = json_object_iter((json_t *)v); it && !b->failed;
             it = json_object_iter_next((json_t *)v, it)) {
            if (!first)
                put_char(b, ',');
            first = 0;
            put_string(b, json_object_iter_key(it), json_object_iter_key_len(it));
            put_char(b, ':');
            put_value(b, json_object_iter_value(it), depth + 1);
        }
        put_char(b, '}');
        return;
    }
    case JSON_ARRAY: {
        put_char(b, '[');
        for (size_t i = 0, n = json_array_size(v); i < n && !b->failed; i++) {
            if (i)
                put_char(b, ',');
            put_value(b, json_array_get(v, i), depth + 1);
        }
        put_char(b, ']');
        return;
    }
    case JSON_STRING:
        put_string(b, json_string_value(v), json_string_length(v));
        return;
    case JSON_INTEGER:
        put(b, t, (size_t)snprintf(t, sizeof t, "%" JSON_INTEGER_FORMAT, json_integer_value(v)));
        return;
    case JSON_REAL:
        put_real(b, json_real_value(v));
        return;
    case JSON_TRUE:
        put(b, "true", 4);
        return;
    case JSON_FALSE:
        put(b, "false", 5);
        return;
    case JSON_NULL:
        put(b, "null", 4);
        return;
    }
    b->failed = 1;
}

char *jw_dumps(const json_t *v, const char *tail, size_t *len)
{
    jw_buf b = {0};
    if (!v)
        return NULL;
    put_value(&b, v, 0);
    put(&b, tail, strlen(tail) + 1);
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    if (len)
        *len = b.n - 1;
    return b.p;
}
