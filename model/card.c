/* card.c — a hit's display fields beside the entity's state (see card.h). */
#include "model/card.h"

#include <stdlib.h>
#include <string.h>

typedef struct card_buf {
    char **buf;
    size_t *cap, len;
    int failed;
} card_buf;

static void put(card_buf *b, const void *p, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n > *b->cap) {
        size_t cap = *b->cap ? *b->cap : 1024;
        while (cap < b->len + n)
            cap *= 2;
        char *nb = realloc(*b->buf, cap);
        if (!nb) {
            b->failed = 1;
            return;
        }
        *b->buf = nb;
        *b->cap = cap;
    }
    memcpy(*b->buf + b->len, p, n);
    b->len += n;
}

static void put_u32(card_buf *b, uint32_t v)
{
    unsigned char le[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 24)};
    put(b, le, 4);
}

static void put_str(card_buf *b, const char *s)
{
    if (!s) {
        put_u32(b, CARD_NULL);
        return;
    }
    size_t n = strlen(s);
    if (n >= CARD_NULL) {
        b->failed = 1;
        return;
    }
    put_u32(b, (uint32_t)n);
    put(b, s, n + 1);
}

static void put_list(card_buf *b, const sum_strv *v)
{
    put_u32(b, (uint32_t)v->n);
    for (size_t i = 0; i < v->n; i++)
        put_str(b, v->v[i]);
}

int card_write(const summary *s, char **buf, size_t *cap, size_t *len)
{
    card_buf b = {buf, cap, 0, 0};
    unsigned char version = CARD_VERSION;
    put(&b, &version, 1);
    const char *strs[] = {s->urn,    s->type,   s->name,        s->qualified_name, s->urn_name,
                          s->platform, s->origin, s->description, s->container};
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        put_str(&b, strs[i]);
    const sum_strv *lists[] = {&s->owners, &s->tags, &s->terms, &s->domains, &s->subtypes};
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
        put_list(&b, lists[i]);
    put_u32(&b, (uint32_t)s->ncolumns);
    for (size_t i = 0; i < s->ncolumns; i++) {
        put_str(&b, s->columns[i].path);
        put_str(&b, s->columns[i].native_type);
        put_str(&b, s->columns[i].description);
    }
    double q = s->usage_queries;
    unsigned char le[8];
    uint64_t bits;
    memcpy(&bits, &q, 8);
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(bits >> (8 * i));
    put(&b, le, 8);
    unsigned char removed = s->removed ? 1 : 0;
    put(&b, &removed, 1);
    *len = b.len;
    return b.failed ? -1 : 0;
}

typedef struct card_in {
    const unsigned char *p, *end;
    int bad;
} card_in;

static uint32_t get_u32(card_in *in)
{
    if (in->end - in->p < 4) {
        in->bad = 1;
        return 0;
    }
    uint32_t v = (uint32_t)in->p[0] | (uint32_t)in->p[1] << 8 | (uint32_t)in->p[2] << 16 |
                 (uint32_t)in->p[3] << 24;
    in->p += 4;
    return v;
}

static const char *get_str(card_in *in)
{
    uint32_t n = get_u32(in);
    if (in->bad || n == CARD_NULL)
        return NULL;
    if ((size_t)(in->end - in->p) < (size_t)n + 1 || in->p[n] != '\0' ||
        memchr(in->p, '\0', n)) {
        in->bad = 1;
        return NULL;
    }
    const char *s = (const char *)in->p;
    in->p += n + 1;
    return s;
}

static void get_list(card_in *in, sum_strv *v)
{
    uint32_t n = get_u32(in);
    /* Each string takes at least five bytes: a count past that is bad. */
    if (in->bad || n > (size_t)(in->end - in->p) / 5) {
        in->bad = 1;
        return;
    }
    if (n == 0)
        return;
    if (!(v->v = malloc(n * sizeof *v->v))) {
        in->bad = 1;
        return;
    }
    v->cap = n;
    for (uint32_t i = 0; i < n && !in->bad; i++)
        if (!(v->v[v->n++] = get_str(in)))
            in->bad = 1; /* lists hold no absent strings */
}

static void get_columns(card_in *in, summary *out)
{
    uint32_t n = get_u32(in);
    /* Each column takes at least twelve bytes: a count past that is bad. */
    if (in->bad || n > (size_t)(in->end - in->p) / 12) {
        in->bad = 1;
        return;
    }
    if (n == 0)
        return;
    if (!(out->columns = calloc(n, sizeof *out->columns))) {
        in->bad = 1;
        return;
    }
    out->ncolumns = n;
    for (uint32_t i = 0; i < n && !in->bad; i++) {
        out->columns[i].path = get_str(in);
        out->columns[i].native_type = get_str(in);
        out->columns[i].description = get_str(in);
    }
}

int card_read(const char *data, size_t len, summary *out)
{
    memset(out, 0, sizeof *out);
    card_in in = {(const unsigned char *)data, (const unsigned char *)data + len, 0};
    if (len < 1 || in.p[0] != CARD_VERSION)
        return -1;
    in.p++;
    const char **strs[] = {&out->urn,    &out->type,   &out->name,        &out->qualified_name,
                           &out->urn_name, &out->platform, &out->origin, &out->description,
                           &out->container};
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        *strs[i] = get_str(&in);
    sum_strv *lists[] = {&out->owners, &out->tags, &out->terms, &out->domains, &out->subtypes};
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
        get_list(&in, lists[i]);
    get_columns(&in, out);
    if (!in.bad && in.end - in.p == 9) {
        uint64_t bits = 0;
        for (int i = 0; i < 8; i++)
            bits |= (uint64_t)in.p[i] << (8 * i);
        memcpy(&out->usage_queries, &bits, 8);
        out->removed = in.p[8] != 0;
    } else {
        in.bad = 1;
    }
    /* A summary always has its URN and a display name. */
    if (in.bad || !out->urn || !out->name) {
        summary_free(out);
        return -1;
    }
    return 0;
}
