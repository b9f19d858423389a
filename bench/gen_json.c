/* gen_json.c — buffered JSON writer and growable text for the generator. */
#include "bench/gen_json.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define GEN_JSON_BUF (1u << 20)

int gen_json_init(gen_json *j, FILE *f)
{
    memset(j, 0, sizeof *j);
    j->f = f;
    j->cap = GEN_JSON_BUF;
    j->buf = malloc(j->cap);
    return j->buf ? 0 : -1;
}

void gen_json_free(gen_json *j)
{
    free(j->buf);
    j->buf = NULL;
}

int gen_json_flush(gen_json *j)
{
    if (j->len && !j->failed) {
        if (fwrite(j->buf, 1, j->len, j->f) != j->len)
            j->failed = 1;
        j->bytes += j->len;
    }
    j->len = 0;
    if (!j->failed && fflush(j->f) != 0)
        j->failed = 1;
    return j->failed ? -1 : 0;
}

/* Makes room for n more bytes: writes the buffer out, grows it only for a
 * single piece larger than the whole buffer. */
static int reserve(gen_json *j, size_t n)
{
    if (j->len + n <= j->cap)
        return 0;
    if (j->len && !j->failed) {
        if (fwrite(j->buf, 1, j->len, j->f) != j->len)
            j->failed = 1;
        j->bytes += j->len;
    }
    j->len = 0;
    if (n > j->cap) {
        char *nb = realloc(j->buf, n);
        if (!nb) {
            j->failed = 1;
            return -1;
        }
        j->buf = nb;
        j->cap = n;
    }
    return 0;
}

void gen_json_raw_slow(gen_json *j, const char *s, size_t n)
{
    if (reserve(j, n) < 0)
        return;
    memcpy(j->buf + j->len, s, n);
    j->len += n;
}

/* Bytes that need escaping inside a JSON string. */
static int needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

/* Length of the leading run of s[0..n) that needs no escaping. Eight bytes
 * at a time (SWAR): a word is clean when none of its bytes is below 0x20,
 * '"' or '\\' (Mycroft's has-zero-byte test on x - 0x20.. and x ^ '"'..). */
static size_t plain_run(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t quote = x ^ (ones * '"'), bslash = x ^ (ones * '\\');
        uint64_t hit =
            ((x - ones * 0x20) & ~x) | ((quote - ones) & ~quote) | ((bslash - ones) & ~bslash);
        if (hit & highs)
            break;
    }
    while (i < n && !needs_escape((unsigned char)s[i]))
        i++;
    return i;
}

void gen_json_strn(gen_json *j, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    /* Worst case every byte becomes \u00XX. */
    if (reserve(j, n * 6 + 2) < 0)
        return;
    char *o = j->buf + j->len;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        /* Copy the run of plain bytes at once: most strings are one run. */
        size_t run = i + plain_run(s + i, n - i);
        memcpy(o, s + i, run - i);
        o += run - i;
        if (run == n)
            break;
        i = run;
        unsigned char c = (unsigned char)s[i];
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\n': *o++ = 'n'; break;
        case '\t': *o++ = 't'; break;
        case '\r': *o++ = 'r'; break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o++ = '"';
    j->len = (size_t)(o - j->buf);
}

void gen_json_str(gen_json *j, const char *s) { gen_json_strn(j, s, strlen(s)); }

void gen_json_int(gen_json *j, long long v)
{
    char tmp[24];
    char *p = tmp + sizeof tmp;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    gen_json_raw(j, p, (size_t)(tmp + sizeof tmp - p));
}

void gen_text_clear(gen_text *t)
{
    t->len = 0;
    if (t->s)
        t->s[0] = '\0';
}

static int text_grow(gen_text *t, size_t extra)
{
    if (t->len + extra + 1 <= t->cap)
        return 0;
    size_t cap = t->cap ? t->cap : 64;
    while (cap < t->len + extra + 1)
        cap *= 2;
    char *ns = realloc(t->s, cap);
    if (!ns) {
        t->failed = 1;
        return -1;
    }
    t->s = ns;
    t->cap = cap;
    return 0;
}

void gen_text_addn(gen_text *t, const char *s, size_t n)
{
    if (text_grow(t, n) < 0)
        return;
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

void gen_text_add(gen_text *t, const char *s) { gen_text_addn(t, s, strlen(s)); }

void gen_text_addc(gen_text *t, char c) { gen_text_addn(t, &c, 1); }

void gen_text_addf(gen_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->failed = 1;
        return;
    }
    if (text_grow(t, (size_t)n) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

void gen_text_free(gen_text *t)
{
    free(t->s);
    t->s = NULL;
    t->len = t->cap = 0;
}
