/* event_json.c — JSON text into jansson values in one pass (see event_json.h).
 *
 * A recursive descent over the buffer. Strings without escapes (nearly all
 * of them) go to jansson straight from the input; escaped ones are decoded
 * into a scratch buffer. Validation follows jansson's lexer exactly where
 * it accepts text: RFC 8259 grammar, strict UTF-8 (no overlong forms, no
 * surrogates, nothing past U+10FFFF), no control characters in strings, no
 * \u0000, no NUL in keys, integers in long long, reals that do not
 * overflow. Anything else makes the fast path give up, and json_loadb
 * parses the text again and says what is wrong.
 */
#include "model/event_json.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct jparse {
    const unsigned char *p, *end;
    int depth;
    char *scratch; /* decoded escaped strings: a stack, see parse_string */
    size_t stop, scap;
} jparse;

static int is_ws(unsigned c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static int is_digit(unsigned c) { return c >= '0' && c <= '9'; }

static void skip_ws(jparse *s)
{
    while (s->p < s->end && is_ws(*s->p))
        s->p++;
}

/* Length of the valid UTF-8 sequence at p (first byte >= 0x80), or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n;
    uint32_t v;
    if (c < 0xC2)
        return 0; /* a continuation byte, or an overlong 2-byte form */
    if (c <= 0xDF)
        n = 2, v = c & 0x1F;
    else if (c <= 0xEF)
        n = 3, v = c & 0x0F;
    else if (c <= 0xF4)
        n = 4, v = c & 0x07;
    else
        return 0;
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if ((n == 3 && v < 0x800) || (n == 4 && v < 0x10000) || v > 0x10FFFF ||
        (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    return n;
}

static int scratch_reserve(jparse *s, size_t need)
{
    if (s->stop + need <= s->scap)
        return 0;
    size_t cap = s->scap ? s->scap * 2 : 256;
    while (cap < s->stop + need)
        cap *= 2;
    char *n = realloc(s->scratch, cap);
    if (!n)
        return -1;
    s->scratch = n;
    s->scap = cap;
    return 0;
}

static int hex4(const unsigned char *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    *out = v;
    return 0;
}

static size_t utf8_put(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the escaped string whose body starts at `from` (s->p is on its
 * first backslash) into the scratch stack at s->stop. -1 if invalid. */
static int decode_escaped(jparse *s, const unsigned char *from, size_t *out_len)
{
    /* The decoded text is never longer than the source. */
    size_t done = (size_t)(s->p - from);
    const unsigned char *q = s->p;
    while (q < s->end && *q != '"')
        q += (*q == '\\' && q + 1 < s->end) ? 2 : 1;
    if (scratch_reserve(s, (size_t)(q - from) + 1) != 0)
        return -1;
    char *o = s->scratch + s->stop;
    memcpy(o, from, done);
    size_t n = done;
    const unsigned char *p = s->p, *end = s->end;
    for (;;) {
        if (p >= end)
            return -1;
        unsigned c = *p;
        if (c == '"') {
            s->p = p + 1;
            *out_len = n;
            return 0;
        }
        if (c < 0x20)
            return -1;
        if (c >= 0x80) {
            size_t l = utf8_len(p, end);
            if (!l)
                return -1;
            memcpy(o + n, p, l);
            n += l;
            p += l;
            continue;
        }
        if (c != '\\') {
            o[n++] = (char)c;
            p++;
            continue;
        }
        if (p + 1 >= end)
            return -1;
        unsigned e = p[1];
        p += 2;
        switch (e) {
        case '"': o[n++] = '"'; break;
        case '\\': o[n++] = '\\'; break;
        case '/': o[n++] = '/'; break;
        case 'b': o[n++] = '\b'; break;
        case 'f': o[n++] = '\f'; break;
        case 'n': o[n++] = '\n'; break;
        case 'r': o[n++] = '\r'; break;
        case 't': o[n++] = '\t'; break;
        case 'u': {
            uint32_t cp, lo;
            if (end - p < 4 || hex4(p, &cp) != 0)
                return -1;
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) != 0 ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return -1;
                p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0) {
                return -1; /* a lone low surrogate; \u0000 needs JSON_ALLOW_NUL */
            }
            /* \uXXXX (6 bytes) never decodes to more than 3, a pair (12) to 4. */
            n += utf8_put(o + n, cp);
            break;
        }
        default:
            return -1;
        }
    }
}

/* A string (s->p just past its opening quote): its text in *str / *len,
 * either in the input or on the scratch stack at s->stop (the caller bumps
 * s->stop to keep it while it parses more). 0, or -1 if invalid. */
static int parse_string(jparse *s, const char **str, size_t *len, int *scratch)
{
    const unsigned char *from = s->p, *p = s->p, *end = s->end;
    for (;;) {
        while (p < end && *p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x80)
            p++;
        if (p >= end || *p < 0x20)
            return -1;
        if (*p == '"') {
            *str = (const char *)from;
            *len = (size_t)(p - from);
            *scratch = 0;
            s->p = p + 1;
            return 0;
        }
        if (*p == '\\') {
            s->p = p;
            if (decode_escaped(s, from, len) != 0)
                return -1;
            *str = s->scratch + s->stop;
            *scratch = 1;
            return 0;
        }
        size_t l = utf8_len(p, end);
        if (!l)
            return -1;
        p += l;
    }
}

/* A number at s->p; NULL if not one the fast path takes. */
static json_t *parse_number(jparse *s)
{
    const unsigned char *start = s->p, *p = s->p, *end = s->end;
    int neg = 0, real = 0;
    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    if (p >= end)
        return NULL;
    if (*p == '0') {
        p++;
        if (p < end && is_digit(*p))
            return NULL;
    } else if (is_digit(*p)) {
        while (p < end && is_digit(*p))
            p++;
    } else {
        return NULL;
    }
    const unsigned char *int_end = p;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !is_digit(*p))
            return NULL;
        while (p < end && is_digit(*p))
            p++;
        real = 1;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || !is_digit(*p))
            return NULL;
        while (p < end && is_digit(*p))
            p++;
        real = 1;
    }
    s->p = p;
    if (!real) {
        const unsigned char *d = start + neg;
        if (int_end - d > 18)
            return NULL; /* may overflow long long: jansson says how */
        long long v = 0;
        for (; d < int_end; d++)
            v = v * 10 + (*d - '0');
        return json_integer(neg ? -v : v);
    }
    char buf[64];
    size_t n = (size_t)(p - start);
    if (n >= sizeof buf)
        return NULL;
    memcpy(buf, start, n);
    buf[n] = '\0';
    /* As jansson does: strtod reads the locale's decimal point. */
    const char *point = localeconv()->decimal_point;
    if (*point != '.') {
        char *dot = strchr(buf, '.');
        if (dot)
            *dot = *point;
    }
    errno = 0;
    char *e;
    double v = strtod(buf, &e);
    if (e != buf + n || ((v == HUGE_VAL || v == -HUGE_VAL) && errno == ERANGE))
        return NULL;
    return json_real(v);
}

static json_t *parse_value(jparse *s);

static json_t *parse_object(jparse *s)
{
    json_t *obj = json_object();
    if (!obj)
        return NULL;
    s->p++; /* '{' */
    skip_ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        return obj;
    }
    for (;;) {
        if (s->p >= s->end || *s->p != '"')
            goto fail;
        s->p++;
        const char *key;
        size_t klen;
        int in_scratch;
        if (parse_string(s, &key, &klen, &in_scratch) != 0)
            goto fail;
        size_t keep = s->stop;
        if (in_scratch) {
            if (memchr(key, '\0', klen))
                goto fail; /* unreachable (\u0000 is refused), kept as jansson's rule */
            s->stop += klen;
        }
        skip_ws(s);
        if (s->p >= s->end || *s->p != ':') {
            s->stop = keep;
            goto fail;
        }
        s->p++;
        skip_ws(s);
        json_t *v = parse_value(s);
        /* The value may have grown the scratch buffer: find the key again. */
        if (in_scratch)
            key = s->scratch + keep;
        s->stop = keep;
        if (!v || json_object_setn_new_nocheck(obj, key, klen, v) != 0)
            goto fail;
        skip_ws(s);
        if (s->p >= s->end)
            goto fail;
        if (*s->p == ',') {
            s->p++;
            skip_ws(s);
            continue;
        }
        if (*s->p == '}') {
            s->p++;
            return obj;
        }
        goto fail;
    }
fail:
    json_decref(obj);
    return NULL;
}

static json_t *parse_array(jparse *s)
{
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    s->p++; /* '[' */
    skip_ws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        return arr;
    }
    for (;;) {
        json_t *v = parse_value(s);
        if (!v || json_array_append_new(arr, v) != 0)
            goto fail;
        skip_ws(s);
        if (s->p >= s->end)
            goto fail;
        if (*s->p == ',') {
            s->p++;
            skip_ws(s);
            continue;
        }
        if (*s->p == ']') {
            s->p++;
            return arr;
        }
        goto fail;
    }
fail:
    json_decref(arr);
    return NULL;
}

static int literal(jparse *s, const char *word, size_t n)
{
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return 0;
    s->p += n;
    return 1;
}

/* The value at s->p (whitespace skipped); NULL if the fast path gives up. */
static json_t *parse_value(jparse *s)
{
    if (s->p >= s->end)
        return NULL;
    switch (*s->p) {
    case '{':
    case '[': {
        if (++s->depth > EV_JSON_MAX_DEPTH)
            return NULL;
        json_t *v = *s->p == '{' ? parse_object(s) : parse_array(s);
        s->depth--;
        return v;
    }
    case '"': {
        const char *str;
        size_t len;
        int in_scratch;
        s->p++;
        if (parse_string(s, &str, &len, &in_scratch) != 0)
            return NULL;
        return json_stringn_nocheck(str, len);
    }
    case 't':
        return literal(s, "true", 4) ? json_true() : NULL;
    case 'f':
        return literal(s, "false", 5) ? json_false() : NULL;
    case 'n':
        return literal(s, "null", 4) ? json_null() : NULL;
    default:
        return parse_number(s);
    }
}

static json_t *fast_load(const char *buf, size_t len, size_t flags)
{
    jparse s = {(const unsigned char *)buf, (const unsigned char *)buf + len, 0, NULL, 0, 0};
    skip_ws(&s);
    if (s.p >= s.end)
        return NULL;
    if (!(flags & JSON_DECODE_ANY) && *s.p != '{' && *s.p != '[')
        return NULL;
    json_t *v = parse_value(&s);
    free(s.scratch);
    if (!v)
        return NULL;
    skip_ws(&s);
    if (s.p != s.end) {
        json_decref(v);
        return NULL;
    }
    return v;
}

json_t *ev_json_load(const char *buf, size_t len, size_t flags, json_error_t *err)
{
    if ((flags & ~(size_t)JSON_DECODE_ANY) == 0 && buf) {
        json_t *v = fast_load(buf, len, flags);
        if (v) {
            if (err) {
                /* What json_loadb leaves in it on success. */
                err->line = err->column = -1;
                err->position = (int)len;
                err->text[0] = '\0';
                memcpy(err->source, "<buffer>", sizeof "<buffer>");
            }
            return v;
        }
    }
    return json_loadb(buf, len, flags, err);
}
