/* docdata.c — compact JSON of an entity's state, fast (see docdata.h). */
#include "model/docdata.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct out {
    char *p;
    size_t len, cap;
} out;

static int reserve(out *o, size_t n)
{
    if (o->len + n + 1 <= o->cap)
        return 0;
    size_t cap = o->cap ? o->cap : 4096;
    while (cap < o->len + n + 1) {
        if (cap > SIZE_MAX / 2)
            return -1;
        cap *= 2;
    }
    char *p = realloc(o->p, cap);
    if (!p)
        return -1;
    o->p = p;
    o->cap = cap;
    return 0;
}

static int put(out *o, const char *s, size_t n)
{
    if (reserve(o, n) != 0)
        return -1;
    memcpy(o->p + o->len, s, n);
    o->len += n;
    return 0;
}

/* A JSON string: runs of plain bytes are copied whole; only '"', '\\' and
 * control characters are escaped (UTF-8 passes through, as jansson writes
 * it without JSON_ENSURE_ASCII). */
static int put_string(out *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF"; /* as jansson writes them */
    if (reserve(o, n + 2) != 0)
        return -1;
    o->p[o->len++] = '"';
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        if (put(o, s + run, i - run) != 0)
            return -1;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t elen = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
        }
        if (put(o, esc, elen) != 0)
            return -1;
        run = i + 1;
    }
    if (put(o, s + run, n - run) != 0 || put(o, "\"", 1) != 0)
        return -1;
    return 0;
}

/* Reals as jansson writes them: "%.17g", the exponent without "+" or
 * leading zeros, and ".0" when the text reads as an integer, so the number
 * stays a real when read back. */
static int put_real(out *o, double d)
{
    char b[40];
    int n = snprintf(b, sizeof b, "%.17g", d);
    if (n < 0 || (size_t)n >= sizeof b - 3)
        return -1;
    char *e = strchr(b, 'e');
    if (e) {
        char *start = e + 1, *end = e + 2;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, (size_t)(b + n - end) + 1);
            n -= (int)(end - start);
        }
    } else if (!strchr(b, '.')) {
        b[n++] = '.';
        b[n++] = '0';
        b[n] = '\0';
    }
    return put(o, b, (size_t)n);
}

static int dump(out *o, const json_t *v, int depth)
{
    char b[32];
    int n;
    if (depth > DOCDATA_MAX_DEPTH)
        return -1;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *m;
        int first = 1;
        if (put(o, "{", 1) != 0)
            return -1;
        json_object_foreach((json_t *)v, k, m)
        {
            if ((!first && put(o, ",", 1) != 0) || put_string(o, k, strlen(k)) != 0 ||
                put(o, ":", 1) != 0 || dump(o, m, depth + 1) != 0)
                return -1;
            first = 0;
        }
        return put(o, "}", 1);
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *m;
        if (put(o, "[", 1) != 0)
            return -1;
        json_array_foreach(v, i, m)
        {
            if ((i > 0 && put(o, ",", 1) != 0) || dump(o, m, depth + 1) != 0)
                return -1;
        }
        return put(o, "]", 1);
    }
    case JSON_STRING:
        return put_string(o, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        n = snprintf(b, sizeof b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return n < 0 ? -1 : put(o, b, (size_t)n);
    case JSON_REAL:
        return put_real(o, json_real_value(v));
    case JSON_TRUE:
        return put(o, "true", 4);
    case JSON_FALSE:
        return put(o, "false", 5);
    case JSON_NULL:
        return put(o, "null", 4);
    }
    return -1;
}

int docdata_dump(const json_t *v, char **buf, size_t *cap, size_t *len)
{
    out o = {*buf, 0, *cap};
    int rc = v ? dump(&o, v, 0) : -1;
    if (rc == 0)
        rc = reserve(&o, 0);
    *buf = o.p;
    *cap = o.cap;
    if (rc != 0)
        return -1;
    o.p[o.len] = '\0';
    *len = o.len;
    return 0;
}
