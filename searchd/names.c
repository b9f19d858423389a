/* names.c — the autocomplete index: building it from an index revision and
 * answering as-you-type queries over it (see names.h).
 *
 * Structures (all immutable once built):
 *   sugg[]         one record per suggestion id, ids in popularity order;
 *   words, wpost   name words (a vocab) and, per word id, the ascending ids
 *                  of the suggestions holding it (CSR: wpost.off / wpost.ids);
 *   fwd            per suggestion, its ascending word ids (CSR);
 *   keys, kpost    compact names (a vocab) and their suggestions;
 *   tpost          per entity type, its suggestions;
 *   wheads, kheads for prefixes spanning NAMES_HEAD_MIN_LISTS lists or more,
 *                  the first NAMES_HEAD suggestion ids of their union.
 *
 * Candidate lists are unions of ascending id lists, walked with a small
 * heap (nm_stream): ids come out in popularity order, so a search stops at
 * the first `limit` that pass. A wide prefix starts from its precomputed
 * head and only builds the heap if the head runs out (a rare type filter).
 */
#include "searchd/names.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fields.h"
#include "model/summary.h"
#include "model/urn.h"

#define NAMES_HEAD 64              /* ids kept per wide prefix: >= 2 * NAMES_LIMIT_MAX */
#define NAMES_HEAD_MIN_LISTS 256   /* a prefix over this many lists gets a head */
#define NAMES_STREAM_LOCAL 64      /* cursors a stream holds without allocating */
#define NAMES_NONE UINT32_MAX

/* ---- growable buffers -------------------------------------------------------- */

typedef struct nm_buf {
    char *p;
    size_t len, cap;
} nm_buf;

/* Appends s[0..n) and a NUL; returns its offset, or SIZE_MAX on failure. */
static size_t buf_add(nm_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 65536;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return SIZE_MAX;
        b->p = p;
        b->cap = cap;
    }
    size_t off = b->len;
    if (n)
        memcpy(b->p + off, s, n);
    b->p[off + n] = '\0';
    b->len += n + 1;
    return off;
}

typedef struct nm_u32v {
    uint32_t *v;
    size_t n, cap;
} nm_u32v;

static int u32v_push(nm_u32v *a, uint32_t x)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 1024;
        uint32_t *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return -1;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}

/* ---- the index ----------------------------------------------------------------- */

typedef struct nm_sugg {
    uint32_t urn, path, text; /* offsets into strings */
    uint16_t type;            /* index into types */
    uint16_t platform;        /* index into platforms + 1; 0: none */
    uint8_t kind;
    float popularity;
} nm_sugg;

/* Lists of suggestion ids, one per word (or key, or type), ascending. */
typedef struct nm_post {
    uint32_t *off; /* nlists + 1 */
    uint32_t *ids;
    uint32_t nlists;
} nm_post;

/* Heads of wide prefixes: (lo, hi) → offset into pool, where pool holds the
 * count (bit 31: the head is the whole union) and then the ids. */
typedef struct nm_heads {
    uint64_t *keys; /* 0: empty (a range is never [0, 0)) */
    uint32_t *vals;
    size_t cap, n;
    nm_u32v pool;
} nm_heads;

#define HEAD_ALL 0x80000000u

struct names {
    uint32_t n;
    nm_sugg *sugg;
    nm_buf strings;
    char **types;
    size_t ntypes;
    char **platforms;
    size_t nplatforms;
    vocab *words;
    nm_post wpost, fwd, kpost, tpost;
    vocab *keys;
    uint32_t *skey; /* key id of each suggestion, NAMES_NONE if none */
    /* Per word: every suggestion holding it also holds a word that is a
     * proper prefix of it at least this long (0: not always). A joined form
     * ("tmpcustomerorders") is covered by its first part ("tmp"): walking a
     * prefix no longer than that part, its list adds nothing to the union. */
    uint8_t *cover;
    nm_heads wheads, kheads;
    size_t memory;
};

const char *names_kind_name(names_kind k)
{
    switch (k) {
    case NAMES_ENTITY:
        return "entity";
    case NAMES_OWNER:
        return "owner";
    case NAMES_TAG:
        return "tag";
    case NAMES_TERM:
        return "glossaryTerm";
    }
    return "entity";
}

static names_kind kind_of_type(const char *type)
{
    if (strcmp(type, "corpuser") == 0 || strcmp(type, "corpGroup") == 0)
        return NAMES_OWNER;
    if (strcmp(type, "tag") == 0)
        return NAMES_TAG;
    if (strcmp(type, "glossaryTerm") == 0)
        return NAMES_TERM;
    return NAMES_ENTITY;
}

static void post_free(nm_post *p)
{
    free(p->off);
    free(p->ids);
    memset(p, 0, sizeof *p);
}

static void heads_free(nm_heads *h)
{
    free(h->keys);
    free(h->vals);
    free(h->pool.v);
    memset(h, 0, sizeof *h);
}

void names_free(names *nm)
{
    if (!nm)
        return;
    free(nm->sugg);
    free(nm->strings.p);
    for (size_t i = 0; i < nm->ntypes; i++)
        free(nm->types[i]);
    free(nm->types);
    for (size_t i = 0; i < nm->nplatforms; i++)
        free(nm->platforms[i]);
    free(nm->platforms);
    vocab_free(nm->words);
    vocab_free(nm->keys);
    free(nm->skey);
    free(nm->cover);
    post_free(&nm->wpost);
    post_free(&nm->fwd);
    post_free(&nm->kpost);
    post_free(&nm->tpost);
    heads_free(&nm->wheads);
    heads_free(&nm->kheads);
    free(nm);
}

size_t names_count(const names *nm)
{
    return nm ? nm->n : 0;
}

size_t names_memory(const names *nm)
{
    return nm ? nm->memory : 0;
}

const vocab *names_words(const names *nm)
{
    return nm ? nm->words : NULL;
}

/* ---- heads of wide prefixes ------------------------------------------------------ */

static uint64_t range_key(uint32_t lo, uint32_t hi)
{
    return ((uint64_t)lo << 32) | hi;
}

static size_t heads_slot(const nm_heads *h, uint64_t key)
{
    uint64_t x = key * 0x9E3779B97F4A7C15ull;
    size_t i = (size_t)(x >> 20) & (h->cap - 1);
    while (h->keys[i] && h->keys[i] != key)
        i = (i + 1) & (h->cap - 1);
    return i;
}

/* The head of [lo, hi): ids and count (*all: it is the whole union); NULL if none. */
static const uint32_t *heads_get(const nm_heads *h, uint32_t lo, uint32_t hi, uint32_t *count,
                                 int *all)
{
    if (!h->cap)
        return NULL;
    size_t i = heads_slot(h, range_key(lo, hi));
    if (!h->keys[i])
        return NULL;
    uint32_t c = h->pool.v[h->vals[i]];
    *count = c & ~HEAD_ALL;
    *all = (c & HEAD_ALL) != 0;
    return h->pool.v + h->vals[i] + 1;
}

/* ---- streams: unions of id lists in ascending order ------------------------------ */

typedef struct nm_cursor {
    const uint32_t *p, *end;
} nm_cursor;

typedef struct nm_stream {
    const nm_post *post;
    const vocab_range *ranges; /* lists [lo, hi) of each range */
    size_t nranges;
    const uint32_t *head; /* precomputed first ids (one wide range) */
    uint32_t nhead, hpos;
    int head_all;
    const uint8_t *cover; /* lists whose cover >= cover_len are left out */
    unsigned cover_len;
    nm_cursor *heap;
    size_t nheap;
    int heap_ready;
    int failed; /* out of memory building the heap */
    uint32_t last;
    int any;
    nm_cursor local[NAMES_STREAM_LOCAL];
} nm_stream;

static void stream_init(nm_stream *s, const nm_post *post, const nm_heads *heads,
                        const vocab_range *ranges, size_t nranges)
{
    s->post = post;
    s->ranges = ranges;
    s->nranges = nranges;
    s->head = NULL;
    s->nhead = s->hpos = 0;
    s->head_all = 0;
    s->cover = NULL;
    s->cover_len = 0;
    s->heap = NULL;
    s->nheap = 0;
    s->heap_ready = 0;
    s->failed = 0;
    s->any = 0;
    s->last = 0;
    if (heads && nranges == 1)
        s->head = heads_get(heads, ranges[0].lo, ranges[0].hi, &s->nhead, &s->head_all);
}

static void stream_free(nm_stream *s)
{
    if (s->heap && s->heap != s->local)
        free(s->heap);
    s->heap = NULL;
}

static void heap_down(nm_cursor *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && *h[l].p < *h[m].p)
            m = l;
        if (r < n && *h[r].p < *h[m].p)
            m = r;
        if (m == i)
            return;
        nm_cursor t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* First position in [p, end) holding an id >= x. */
static const uint32_t *lower_bound(const uint32_t *p, const uint32_t *end, uint32_t x)
{
    size_t n = (size_t)(end - p);
    while (n > 0) {
        size_t half = n / 2;
        if (p[half] < x) {
            p += half + 1;
            n -= half + 1;
        } else {
            n = half;
        }
    }
    return p;
}

/* Builds the heap of every list, each past ids < from. */
static int stream_heap(nm_stream *s, uint32_t from)
{
    size_t lists = 0;
    for (size_t r = 0; r < s->nranges; r++)
        lists += s->ranges[r].hi - s->ranges[r].lo;
    s->heap = lists <= NAMES_STREAM_LOCAL ? s->local : malloc(lists * sizeof *s->heap);
    if (!s->heap)
        return -1;
    size_t n = 0;
    for (size_t r = 0; r < s->nranges; r++)
        for (uint32_t l = s->ranges[r].lo; l < s->ranges[r].hi; l++) {
            if (s->cover && s->cover[l] >= s->cover_len)
                continue; /* its suggestions come through a shorter word */
            const uint32_t *p = s->post->ids + s->post->off[l];
            const uint32_t *end = s->post->ids + s->post->off[l + 1];
            if (from)
                p = lower_bound(p, end, from);
            if (p < end)
                s->heap[n++] = (nm_cursor){p, end};
        }
    s->nheap = n;
    for (size_t i = n / 2; i-- > 0;)
        heap_down(s->heap, n, i);
    s->heap_ready = 1;
    return 0;
}

/* The next id of the union, ascending, each once: 1, or 0 at the end (or on
 * allocation failure, with s->failed set). */
static int stream_next(nm_stream *s, uint32_t *id)
{
    if (s->head && s->hpos < s->nhead) {
        *id = s->last = s->head[s->hpos++];
        s->any = 1;
        return 1;
    }
    if (s->head && s->head_all)
        return 0;
    if (!s->heap_ready && stream_heap(s, s->any ? s->last + 1 : 0) != 0) {
        s->failed = 1;
        return 0;
    }
    while (s->nheap > 0) {
        uint32_t x = *s->heap[0].p;
        if (++s->heap[0].p == s->heap[0].end)
            s->heap[0] = s->heap[--s->nheap];
        heap_down(s->heap, s->nheap, 0);
        if (s->any && x <= s->last)
            continue;
        *id = s->last = x;
        s->any = 1;
        return 1;
    }
    return 0;
}

static uint64_t ranges_postings(const nm_post *p, const vocab_range *r, size_t n)
{
    uint64_t t = 0;
    for (size_t i = 0; i < n; i++)
        t += p->off[r[i].hi] - p->off[r[i].lo];
    return t;
}

/* Heads for every prefix of `v` spanning NAMES_HEAD_MIN_LISTS lists or more. */
typedef struct heads_ctx {
    nm_heads *h;
    const nm_post *post;
    nm_u32v tmp;
} heads_ctx;

static int heads_add(void *ctx, uint32_t lo, uint32_t hi)
{
    heads_ctx *c = ctx;
    nm_heads *h = c->h;
    if ((h->n + 1) * 2 > h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 1024;
        uint64_t *keys = calloc(cap, sizeof *keys);
        uint32_t *vals = malloc(cap * sizeof *vals);
        if (!keys || !vals) {
            free(keys);
            free(vals);
            return -1;
        }
        nm_heads nh = *h;
        nh.keys = keys;
        nh.vals = vals;
        nh.cap = cap;
        for (size_t i = 0; i < h->cap; i++)
            if (h->keys[i]) {
                size_t j = heads_slot(&nh, h->keys[i]);
                nh.keys[j] = h->keys[i];
                nh.vals[j] = h->vals[i];
            }
        free(h->keys);
        free(h->vals);
        *h = nh;
    }
    uint64_t key = range_key(lo, hi);
    size_t slot = heads_slot(h, key);
    if (h->keys[slot])
        return 0; /* a chain of prefixes with one range */
    vocab_range r = {lo, hi, 0};
    nm_stream s;
    stream_init(&s, c->post, NULL, &r, 1);
    c->tmp.n = 0;
    uint32_t id;
    int all = 1;
    while (stream_next(&s, &id)) {
        if (c->tmp.n == NAMES_HEAD) {
            all = 0;
            break;
        }
        if (u32v_push(&c->tmp, id) != 0) {
            stream_free(&s);
            return -1;
        }
    }
    int failed = s.failed;
    stream_free(&s);
    if (failed || h->pool.n + c->tmp.n + 1 >= UINT32_MAX)
        return -1;
    size_t at = h->pool.n;
    if (u32v_push(&h->pool, (uint32_t)c->tmp.n | (all ? HEAD_ALL : 0)) != 0)
        return -1;
    for (size_t i = 0; i < c->tmp.n; i++)
        if (u32v_push(&h->pool, c->tmp.v[i]) != 0)
            return -1;
    h->keys[slot] = key;
    h->vals[slot] = (uint32_t)at;
    h->n++;
    return 0;
}

static int heads_build(nm_heads *h, const vocab *v, const nm_post *post)
{
    heads_ctx c = {h, post, {0}};
    int rc = vocab_each_wide_prefix(v, NAMES_HEAD_MIN_LISTS, heads_add, &c);
    free(c.tmp.v);
    return rc;
}

/* ---- building ------------------------------------------------------------------------ */

/* What the value streams say about one document, before ids are assigned. */
typedef struct nm_doc {
    uint32_t urn, path, text; /* offsets into strings; NAMES_NONE: no SLOT_SUGGEST */
    uint32_t key;             /* offset into the builder's keys buffer, NAMES_NONE if none */
    uint32_t sid;             /* suggestion id, NAMES_NONE if none */
    uint16_t type, platform;
    float pop;
    uint8_t removed;
} nm_doc;

/* An owner, tag or glossary term URN that entities refer to. */
typedef struct nm_ref {
    uint32_t urn; /* offset into refs text */
    uint32_t len;
    uint32_t count;
    uint32_t hash;
    uint32_t has_entity;
} nm_ref;

typedef struct nm_build {
    names *nm;
    xap_db *db;
    an_analyzer *an;
    nm_doc *docs;
    uint32_t ndocs; /* lastdocid + 1 */
    nm_buf keys;     /* compact names */
    nm_ref *refs;    /* open addressing; urn NAMES_NONE: empty */
    size_t nrefs, refcap;
    nm_buf reftext;
    /* label suggestions (refs without an entity): indexes into refs */
    nm_u32v labels;
    uint32_t *label_sid;
    an_terms terms;
    xap_err xe;
    char *err;
    size_t errlen;
} nm_build;

static int bfail(nm_build *b, const char *what)
{
    if (b->xe.msg[0])
        snprintf(b->err, b->errlen, "autocomplete index: %s: %s", what, b->xe.msg);
    else
        snprintf(b->err, b->errlen, "autocomplete index: %s", what);
    return -1;
}

static int intern(char ***tab, size_t *n, const char *s, size_t len, uint16_t *id)
{
    for (size_t i = 0; i < *n; i++)
        if (strlen((*tab)[i]) == len && memcmp((*tab)[i], s, len) == 0) {
            *id = (uint16_t)i;
            return 0;
        }
    if (*n >= UINT16_MAX - 1)
        return -1;
    char **t = realloc(*tab, (*n + 1) * sizeof *t);
    if (!t)
        return -1;
    *tab = t;
    char *c = malloc(len + 1);
    if (!c)
        return -1;
    memcpy(c, s, len);
    c[len] = '\0';
    t[*n] = c;
    *id = (uint16_t)(*n)++;
    return 0;
}

/* Normalised name → compact key: ASCII separators and punctuation removed,
 * so "customer_orders", "Customer Orders" and "customer-orders" meet. */
static size_t compact(const char *s, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                          (c >= 'A' && c <= 'Z')))
            continue;
        out[n++] = (char)c;
    }
    return n;
}

typedef int (*stream_fn)(nm_build *b, xap_docid id, const char *val, size_t len);

static int each_value(nm_build *b, unsigned slot, stream_fn fn)
{
    xap_valueiter *it = xap_db_valuestream(b->db, slot, &b->xe);
    if (!it)
        return bfail(b, "reading a value stream");
    xap_docid id;
    const char *val;
    size_t len;
    int rc;
    while ((rc = xap_valueiter_next(it, &id, &val, &len, &b->xe)) == 1)
        if (id < b->ndocs && (rc = fn(b, id, val, len)) != 0)
            break;
    xap_valueiter_free(it);
    return rc < 0 ? bfail(b, "reading a value stream") : rc;
}

static int on_suggest(nm_build *b, xap_docid id, const char *val, size_t len)
{
    const char *end = val + len;
    const char *s1 = memchr(val, XAP_MULTI_SEP, len);
    const char *s2 = s1 ? memchr(s1 + 1, XAP_MULTI_SEP, (size_t)(end - s1 - 1)) : NULL;
    if (!s2 || s2 + 1 == end)
        return 0; /* not what docbuild writes: no suggestion */
    nm_doc *d = &b->docs[id];
    size_t u = buf_add(&b->nm->strings, val, (size_t)(s1 - val));
    size_t p = buf_add(&b->nm->strings, s1 + 1, (size_t)(s2 - s1 - 1));
    size_t t = buf_add(&b->nm->strings, s2 + 1, (size_t)(end - s2 - 1));
    if (u == SIZE_MAX || p == SIZE_MAX || t == SIZE_MAX || t >= UINT32_MAX)
        return bfail(b, "out of memory (or over 4 GB of names)");
    d->urn = (uint32_t)u;
    d->path = (uint32_t)p;
    d->text = (uint32_t)t;
    return 0;
}

static int on_popularity(nm_build *b, xap_docid id, const char *val, size_t len)
{
    double v = xap_sortable_unserialise(val, len);
    b->docs[id].pop = v > 0 && v < 3e38 ? (float)v : 0;
    return 0;
}

static int on_type(nm_build *b, xap_docid id, const char *val, size_t len)
{
    if (intern(&b->nm->types, &b->nm->ntypes, val, len, &b->docs[id].type) != 0)
        return bfail(b, "too many entity types");
    return 0;
}

static int on_platform(nm_build *b, xap_docid id, const char *val, size_t len)
{
    uint16_t p;
    if (intern(&b->nm->platforms, &b->nm->nplatforms, val, len, &p) != 0)
        return bfail(b, "too many platforms");
    b->docs[id].platform = (uint16_t)(p + 1);
    return 0;
}

static int on_name(nm_build *b, xap_docid id, const char *val, size_t len)
{
    char buf[VOCAB_WORD_MAX_BYTES];
    if (len > 4 * VOCAB_WORD_MAX_BYTES)
        return 0; /* a name this long has no compact key: words still find it */
    size_t n = compact(val, len, buf, sizeof buf);
    if (n == 0 || n >= sizeof buf)
        return 0;
    size_t off = buf_add(&b->keys, buf, n);
    if (off == SIZE_MAX || off >= UINT32_MAX)
        return bfail(b, "out of memory");
    b->docs[id].key = (uint32_t)off;
    return 0;
}

static uint32_t hash_str(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* The ref for urn[0..n), added (count 0) if new; NULL on allocation failure. */
static nm_ref *ref_get(nm_build *b, const char *urn, size_t n)
{
    if ((b->nrefs + 1) * 2 > b->refcap) {
        size_t cap = b->refcap ? b->refcap * 2 : 4096;
        nm_ref *t = malloc(cap * sizeof *t);
        if (!t)
            return NULL;
        for (size_t i = 0; i < cap; i++)
            t[i].urn = NAMES_NONE;
        for (size_t i = 0; i < b->refcap; i++) {
            if (b->refs[i].urn == NAMES_NONE)
                continue;
            size_t j = b->refs[i].hash & (cap - 1);
            while (t[j].urn != NAMES_NONE)
                j = (j + 1) & (cap - 1);
            t[j] = b->refs[i];
        }
        free(b->refs);
        b->refs = t;
        b->refcap = cap;
    }
    uint32_t h = hash_str(urn, n);
    size_t i = h & (b->refcap - 1);
    while (b->refs[i].urn != NAMES_NONE) {
        const nm_ref *r = &b->refs[i];
        if (r->hash == h && r->len == n && memcmp(b->reftext.p + r->urn, urn, n) == 0)
            return &b->refs[i];
        i = (i + 1) & (b->refcap - 1);
    }
    size_t off = buf_add(&b->reftext, urn, n);
    if (off == SIZE_MAX || off >= UINT32_MAX)
        return NULL;
    b->refs[i] = (nm_ref){(uint32_t)off, (uint32_t)n, 0, h, 0};
    b->nrefs++;
    return &b->refs[i];
}

static int on_refs(nm_build *b, xap_docid id, const char *val, size_t len)
{
    if (b->docs[id].removed)
        return 0;
    const char *p = val, *end = val + len;
    while (p < end) {
        const char *q = memchr(p, XAP_MULTI_SEP, (size_t)(end - p));
        if (!q)
            q = end;
        if (q > p) {
            nm_ref *r = ref_get(b, p, (size_t)(q - p));
            if (!r)
                return bfail(b, "out of memory counting owners, tags and terms");
            r->count++;
        }
        p = q + 1;
    }
    return 0;
}

static int read_removed(nm_build *b)
{
    xap_postiter *it = xap_db_postlist(b->db, TERM_REMOVED, strlen(TERM_REMOVED), &b->xe);
    if (!it)
        return bfail(b, "reading removed entities");
    xap_docid id;
    int rc;
    while ((rc = xap_postiter_next(it, &id, NULL, &b->xe)) == 1)
        if (id < b->ndocs)
            b->docs[id].removed = 1;
    xap_postiter_free(it);
    return rc < 0 ? bfail(b, "reading removed entities") : 0;
}

/* Owners, tags and terms with an entity of their own take the number of
 * entities carrying them as extra popularity; the others become label
 * suggestions. */
static int settle_refs(nm_build *b)
{
    names *nm = b->nm;
    for (uint32_t id = 0; id < b->ndocs; id++) {
        nm_doc *d = &b->docs[id];
        if (d->urn == NAMES_NONE || d->removed || d->type >= nm->ntypes)
            continue;
        if (kind_of_type(nm->types[d->type]) == NAMES_ENTITY || !b->refcap)
            continue;
        const char *urn = nm->strings.p + d->urn;
        size_t n = strlen(urn);
        uint32_t h = hash_str(urn, n);
        for (size_t i = h & (b->refcap - 1); b->refs[i].urn != NAMES_NONE;
             i = (i + 1) & (b->refcap - 1)) {
            nm_ref *r = &b->refs[i];
            if (r->hash == h && strcmp(b->reftext.p + r->urn, urn) == 0) {
                r->has_entity = 1;
                d->pop += (float)r->count;
                break;
            }
        }
    }
    for (size_t i = 0; i < b->refcap; i++)
        if (b->refs[i].urn != NAMES_NONE && !b->refs[i].has_entity &&
            u32v_push(&b->labels, (uint32_t)i) != 0)
            return bfail(b, "out of memory");
    return 0;
}

/* A label suggestion's record: text and path from the URN's label the way
 * summary_short_name splits hierarchical names ("Classification.Sensitive"
 * → "Sensitive" in "Classification"), its type from the URN. */
static int label_record(nm_build *b, const nm_ref *r, nm_sugg *s)
{
    names *nm = b->nm;
    const char *urs = b->reftext.p + r->urn;
    urn u;
    char err[128];
    const char *type = "";
    if (urn_parse(urs, &u, err, sizeof err) == 0) {
        type = u.entity_type;
    } else {
        memset(&u, 0, sizeof u);
    }
    uint16_t tid;
    int rc = intern(&nm->types, &nm->ntypes, type, strlen(type), &tid);
    summary sm;
    memset(&sm, 0, sizeof sm);
    sm.type = nm->ntypes > tid ? nm->types[tid] : "";
    sm.urn_name = summary_urn_label(urs);
    const char *shortn = summary_short_name(&sm);
    size_t plen = shortn && shortn > sm.urn_name ? (size_t)(shortn - sm.urn_name) - 1 : 0;
    size_t uo = buf_add(&nm->strings, urs, strlen(urs));
    size_t po = buf_add(&nm->strings, sm.urn_name, plen);
    size_t to = buf_add(&nm->strings, shortn ? shortn : sm.urn_name,
                        strlen(shortn ? shortn : sm.urn_name));
    if (u.raw)
        urn_free(&u);
    if (rc != 0)
        return bfail(b, "too many entity types");
    if (uo == SIZE_MAX || po == SIZE_MAX || to == SIZE_MAX || to >= UINT32_MAX)
        return bfail(b, "out of memory");
    *s = (nm_sugg){(uint32_t)uo, (uint32_t)po, (uint32_t)to, tid, 0,
                   (uint8_t)kind_of_type(nm->types[tid]), (float)r->count};
    return 0;
}

/* Suggestion order: most popular first, then by text, then URN. */
static const names *g_sort_nm;
static int sugg_cmp(const void *a, const void *b)
{
    const nm_sugg *x = a, *y = b;
    if (x->popularity != y->popularity)
        return x->popularity > y->popularity ? -1 : 1;
    int c = strcmp(g_sort_nm->strings.p + x->text, g_sort_nm->strings.p + y->text);
    if (c)
        return c;
    return strcmp(g_sort_nm->strings.p + x->urn, g_sort_nm->strings.p + y->urn);
}

typedef struct nm_order {
    uint64_t head; /* the text's first 8 bytes, big-endian: most ties end here */
    nm_sugg s;
    uint32_t src;  /* docid, or NAMES_NONE - 1 - label index */
} nm_order;

static int order_cmp(const void *a, const void *b)
{
    const nm_order *x = a, *y = b;
    if (x->s.popularity != y->s.popularity)
        return x->s.popularity > y->s.popularity ? -1 : 1;
    if (x->head != y->head)
        return x->head < y->head ? -1 : 1;
    return sugg_cmp(&x->s, &y->s);
}

static uint64_t text_head(const char *t)
{
    uint64_t h = 0;
    for (int i = 0; i < 8; i++) {
        h = (h << 8) | (unsigned char)*t;
        if (*t)
            t++;
    }
    return h;
}

static int assign_ids(nm_build *b)
{
    names *nm = b->nm;
    size_t n = 0;
    for (uint32_t id = 0; id < b->ndocs; id++)
        n += b->docs[id].urn != NAMES_NONE && !b->docs[id].removed;
    n += b->labels.n;
    if (n >= UINT32_MAX / 2)
        return bfail(b, "too many suggestions");
    nm_order *o = malloc((n ? n : 1) * sizeof *o);
    b->label_sid = malloc((b->labels.n ? b->labels.n : 1) * sizeof *b->label_sid);
    if (!o || !b->label_sid) {
        free(o);
        return bfail(b, "out of memory");
    }
    size_t k = 0;
    for (uint32_t id = 0; id < b->ndocs; id++) {
        const nm_doc *d = &b->docs[id];
        if (d->urn == NAMES_NONE || d->removed)
            continue;
        o[k].s = (nm_sugg){d->urn, d->path, d->text, d->type, d->platform,
                           (uint8_t)kind_of_type(nm->types[d->type]), d->pop};
        o[k++].src = id;
    }
    for (size_t i = 0; i < b->labels.n; i++) {
        if (label_record(b, &b->refs[b->labels.v[i]], &o[k].s) != 0) {
            free(o);
            return -1;
        }
        o[k++].src = NAMES_NONE - 1 - (uint32_t)i;
    }
    for (size_t i = 0; i < n; i++)
        o[i].head = text_head(nm->strings.p + o[i].s.text);
    g_sort_nm = nm;
    qsort(o, n, sizeof *o, order_cmp);
    nm->sugg = malloc((n ? n : 1) * sizeof *nm->sugg);
    if (!nm->sugg) {
        free(o);
        return bfail(b, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        nm->sugg[i] = o[i].s;
        if (o[i].src < b->ndocs)
            b->docs[o[i].src].sid = (uint32_t)i;
        else
            b->label_sid[NAMES_NONE - 1 - o[i].src] = (uint32_t)i;
    }
    nm->n = (uint32_t)n;
    free(o);
    return 0;
}

/* One (word, suggestion) pair before word ids exist. */
typedef struct nm_pair {
    uint32_t word; /* offset into the words buffer */
    uint32_t sid;
} nm_pair;

typedef struct nm_pairs {
    nm_pair *v;
    size_t n, cap;
} nm_pairs;

static int pairs_push(nm_pairs *p, uint32_t word, uint32_t sid)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 65536;
        nm_pair *v = realloc(p->v, cap * sizeof *v);
        if (!v)
            return -1;
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = (nm_pair){word, sid};
    return 0;
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Sorts and deduplicates each list of a CSR built with possible repeats. */
static void post_tidy(nm_post *p)
{
    uint32_t out = 0;
    for (uint32_t l = 0; l < p->nlists; l++) {
        uint32_t a = p->off[l], b = p->off[l + 1];
        uint32_t *ids = p->ids + a;
        uint32_t n = b - a;
        int sorted = 1;
        for (uint32_t i = 1; i < n && sorted; i++)
            sorted = ids[i - 1] < ids[i];
        if (!sorted && n > 16) {
            /* Word lists come in docid order, ids are in popularity order. */
            qsort(ids, n, sizeof *ids, u32_cmp);
        } else if (!sorted) {
            for (uint32_t i = 1; i < n; i++) {
                uint32_t x = ids[i], j = i;
                while (j > 0 && ids[j - 1] > x) {
                    ids[j] = ids[j - 1];
                    j--;
                }
                ids[j] = x;
            }
        }
        p->off[l] = out;
        for (uint32_t i = 0; i < n; i++)
            if (i == 0 || ids[i] != ids[i - 1])
                p->ids[out++] = ids[i];
    }
    p->off[p->nlists] = out;
}

/* A CSR over `nlists` lists from (list, id) pairs given by a callback twice
 * (count, then fill). */
typedef uint32_t (*pair_list_fn)(void *ctx, size_t i, uint32_t *id);

static int post_build(nm_post *p, uint32_t nlists, size_t npairs, pair_list_fn fn, void *ctx)
{
    p->nlists = nlists;
    p->off = calloc((size_t)nlists + 1, sizeof *p->off);
    p->ids = malloc((npairs ? npairs : 1) * sizeof *p->ids);
    if (!p->off || !p->ids || npairs >= UINT32_MAX)
        return -1;
    for (size_t i = 0; i < npairs; i++) {
        uint32_t id;
        uint32_t l = fn(ctx, i, &id);
        if (l != NAMES_NONE)
            p->off[l + 1]++;
    }
    for (uint32_t l = 0; l < nlists; l++)
        p->off[l + 1] += p->off[l];
    uint32_t *pos = malloc(((size_t)nlists + 1) * sizeof *pos);
    if (!pos)
        return -1;
    memcpy(pos, p->off, ((size_t)nlists + 1) * sizeof *pos);
    for (size_t i = 0; i < npairs; i++) {
        uint32_t id;
        uint32_t l = fn(ctx, i, &id);
        if (l != NAMES_NONE)
            p->ids[pos[l]++] = id;
    }
    free(pos);
    post_tidy(p);
    return 0;
}

typedef struct word_ctx {
    const nm_pairs *pairs;
    uint32_t *ids; /* word id of each pair */
} word_ctx;

static uint32_t word_pair(void *ctx, size_t i, uint32_t *id)
{
    word_ctx *c = ctx;
    *id = c->pairs->v[i].sid;
    return c->ids[i];
}

/* The words: the name field's terms (from their posting lists) and the
 * analysed labels. */
static int build_words(nm_build *b)
{
    names *nm = b->nm;
    const field_def *fn = &FIELDS[F_NAME];
    size_t plen = strlen(fn->prefix);
    nm_buf text = {0};
    nm_pairs pairs = {0};
    vocab_builder *vb = vocab_builder_new();
    uint32_t *wids = NULL;
    int rc = -1;
    if (!vb) {
        bfail(b, "out of memory");
        goto done;
    }
    xap_termiter *it = xap_db_allterms(b->db, fn->prefix, plen, &b->xe);
    if (!it) {
        bfail(b, "listing name terms");
        goto done;
    }
    const char *term;
    size_t len;
    int trc;
    while ((trc = xap_termiter_next(it, &term, &len, NULL, &b->xe)) == 1) {
        if (len <= plen || len - plen > VOCAB_WORD_MAX_BYTES)
            continue;
        size_t woff = buf_add(&text, term + plen, len - plen);
        if (woff == SIZE_MAX || woff >= UINT32_MAX) {
            trc = -2;
            break;
        }
        xap_postiter *pi = xap_db_postlist(b->db, term, len, &b->xe);
        if (!pi) {
            trc = -1;
            break;
        }
        xap_docid id;
        int prc;
        uint32_t count = 0;
        while ((prc = xap_postiter_next(pi, &id, NULL, &b->xe)) == 1) {
            if (id >= b->ndocs || b->docs[id].sid == NAMES_NONE)
                continue;
            if (pairs_push(&pairs, (uint32_t)woff, b->docs[id].sid) != 0) {
                prc = -2;
                break;
            }
            count++;
        }
        xap_postiter_free(pi);
        if (prc < 0) {
            trc = prc;
            break;
        }
        if (count && vocab_builder_add(vb, term + plen, len - plen, count, 1u << F_NAME) != 0) {
            trc = -2;
            break;
        }
    }
    xap_termiter_free(it);
    if (trc != 0) {
        bfail(b, trc == -2 ? "out of memory reading name terms" : "reading name terms");
        goto done;
    }
    /* Labels, analysed as documents are: the whole label, so that
     * "Classification.Sensitive" is found by either word. */
    for (size_t i = 0; i < b->labels.n; i++) {
        uint32_t sid = b->label_sid[i];
        const char *label = summary_urn_label(nm->strings.p + nm->sugg[sid].urn);
        an_terms_clear(&b->terms);
        if (an_analyze(b->an, label, strlen(label), 0, &b->terms) < 0) {
            bfail(b, "out of memory analysing labels");
            goto done;
        }
        for (size_t t = 0; t < b->terms.n; t++) {
            const an_term *at = &b->terms.v[t];
            size_t woff = buf_add(&text, at->text, at->len);
            if (woff == SIZE_MAX || woff >= UINT32_MAX || pairs_push(&pairs, (uint32_t)woff, sid) ||
                vocab_builder_add(vb, at->text, at->len, 1, 1u << F_NAME) != 0) {
                bfail(b, "out of memory");
                goto done;
            }
        }
    }
    nm->words = vocab_builder_finish(vb, b->err, b->errlen);
    vb = NULL;
    if (!nm->words)
        goto done;
    /* Word ids of the pairs: one lookup per distinct word (pairs of one
     * word are adjacent when they came from a posting list). */
    wids = malloc((pairs.n ? pairs.n : 1) * sizeof *wids);
    if (!wids) {
        bfail(b, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < pairs.n; i++) {
        if (i > 0 && pairs.v[i].word == pairs.v[i - 1].word) {
            wids[i] = wids[i - 1];
            continue;
        }
        const char *w = text.p + pairs.v[i].word;
        vocab_cand c;
        wids[i] = vocab_find(nm->words, w, strlen(w), &c) ? c.id : NAMES_NONE;
    }
    word_ctx wc = {&pairs, wids};
    if (post_build(&nm->wpost, (uint32_t)vocab_size(nm->words), pairs.n, word_pair, &wc) != 0) {
        bfail(b, "out of memory");
        goto done;
    }
    rc = 0;
done:
    vocab_builder_free(vb);
    free(wids);
    free(pairs.v);
    free(text.p);
    return rc;
}

/* Each suggestion's word ids: the word lists inverted. */
static int build_fwd(names *nm)
{
    nm_post *f = &nm->fwd;
    const nm_post *w = &nm->wpost;
    f->nlists = nm->n;
    f->off = calloc((size_t)nm->n + 1, sizeof *f->off);
    size_t total = w->off[w->nlists];
    f->ids = malloc((total ? total : 1) * sizeof *f->ids);
    uint32_t *pos = malloc(((size_t)nm->n + 1) * sizeof *pos);
    if (!f->off || !f->ids || !pos) {
        free(pos);
        return -1;
    }
    for (size_t i = 0; i < total; i++)
        f->off[w->ids[i] + 1]++;
    for (uint32_t s = 0; s < nm->n; s++)
        f->off[s + 1] += f->off[s];
    memcpy(pos, f->off, ((size_t)nm->n + 1) * sizeof *pos);
    for (uint32_t word = 0; word < w->nlists; word++)
        for (uint32_t i = w->off[word]; i < w->off[word + 1]; i++)
            f->ids[pos[w->ids[i]]++] = word; /* ascending: words in id order */
    free(pos);
    return 0;
}

/* nm->cover (see struct names). Word ids are in byte order, so a word's
 * prefixes come before it in each suggestion's sorted word list. */
static int build_cover(names *nm)
{
    size_t nw = vocab_size(nm->words);
    nm->cover = malloc(nw ? nw : 1);
    if (!nm->cover)
        return -1;
    memset(nm->cover, 255, nw);
    for (uint32_t s = 0; s < nm->n; s++) {
        uint32_t a = nm->fwd.off[s], b = nm->fwd.off[s + 1];
        for (uint32_t j = a; j < b; j++) {
            vocab_cand w, u;
            vocab_get(nm->words, nm->fwd.ids[j], &w);
            uint32_t best = 0;
            for (uint32_t i = a; i < j; i++) {
                vocab_get(nm->words, nm->fwd.ids[i], &u);
                if (u.len < w.len && u.len > best && memcmp(u.word, w.word, u.len) == 0)
                    best = u.len;
            }
            if (best > 254)
                best = 254;
            if (best < nm->cover[w.id])
                nm->cover[w.id] = (uint8_t)best;
        }
    }
    for (size_t i = 0; i < nw; i++)
        if (nm->cover[i] == 255)
            nm->cover[i] = 0; /* held by no suggestion */
    return 0;
}

typedef struct key_ctx {
    const uint32_t *kid; /* key id per suggestion */
} key_ctx;

static uint32_t key_pair(void *ctx, size_t i, uint32_t *id)
{
    *id = (uint32_t)i;
    return ((key_ctx *)ctx)->kid[i];
}

static uint32_t type_pair(void *ctx, size_t i, uint32_t *id)
{
    *id = (uint32_t)i;
    return ((const names *)ctx)->sugg[i].type;
}

/* Compact names of entities (from SLOT_NAME) and labels (normalised here). */
static int build_keys(nm_build *b)
{
    names *nm = b->nm;
    uint32_t *kid = malloc(((size_t)nm->n ? nm->n : 1) * sizeof *kid);
    uint32_t *koff = malloc(((size_t)nm->n ? nm->n : 1) * sizeof *koff);
    vocab_builder *vb = vocab_builder_new();
    int rc = -1;
    if (!kid || !koff || !vb) {
        bfail(b, "out of memory");
        goto done;
    }
    for (uint32_t s = 0; s < nm->n; s++)
        koff[s] = NAMES_NONE;
    for (uint32_t id = 0; id < b->ndocs; id++)
        if (b->docs[id].sid != NAMES_NONE)
            koff[b->docs[id].sid] = b->docs[id].key;
    for (size_t i = 0; i < b->labels.n; i++) {
        uint32_t sid = b->label_sid[i];
        const char *label = nm->strings.p + nm->sugg[sid].text;
        size_t nlen;
        char *norm = an_normalize(b->an, label, strlen(label), &nlen);
        if (!norm) {
            bfail(b, "out of memory");
            goto done;
        }
        char buf[VOCAB_WORD_MAX_BYTES];
        size_t n = nlen <= 4 * VOCAB_WORD_MAX_BYTES ? compact(norm, nlen, buf, sizeof buf) : 0;
        free(norm);
        if (n == 0 || n >= sizeof buf)
            continue;
        size_t off = buf_add(&b->keys, buf, n);
        if (off == SIZE_MAX || off >= UINT32_MAX) {
            bfail(b, "out of memory");
            goto done;
        }
        koff[sid] = (uint32_t)off;
    }
    for (uint32_t s = 0; s < nm->n; s++) {
        if (koff[s] == NAMES_NONE)
            continue;
        const char *k = b->keys.p + koff[s];
        if (vocab_builder_add(vb, k, strlen(k), 1, 1u << F_NAME) != 0) {
            bfail(b, "out of memory");
            goto done;
        }
    }
    nm->keys = vocab_builder_finish(vb, b->err, b->errlen);
    vb = NULL;
    if (!nm->keys)
        goto done;
    for (uint32_t s = 0; s < nm->n; s++) {
        vocab_cand c;
        const char *k = koff[s] == NAMES_NONE ? NULL : b->keys.p + koff[s];
        kid[s] = k && vocab_find(nm->keys, k, strlen(k), &c) ? c.id : NAMES_NONE;
    }
    key_ctx kc = {kid};
    if (post_build(&nm->kpost, (uint32_t)vocab_size(nm->keys), nm->n, key_pair, &kc) != 0) {
        bfail(b, "out of memory");
        goto done;
    }
    nm->skey = kid;
    kid = NULL;
    rc = 0;
done:
    vocab_builder_free(vb);
    free(kid);
    free(koff);
    return rc;
}

static void build_free(nm_build *b)
{
    free(b->docs);
    free(b->keys.p);
    free(b->refs);
    free(b->reftext.p);
    free(b->labels.v);
    free(b->label_sid);
    an_terms_free(&b->terms);
}

static size_t post_memory(const nm_post *p)
{
    return p->off ? ((size_t)p->nlists + 1 + p->off[p->nlists]) * sizeof(uint32_t) : 0;
}

names *names_build(xap_db *db, an_analyzer *an, char *err, size_t errlen)
{
    nm_build b;
    memset(&b, 0, sizeof b);
    b.db = db;
    b.an = an;
    b.err = err;
    b.errlen = errlen;
    an_terms_init(&b.terms);
    b.nm = calloc(1, sizeof *b.nm);
    xap_docid last = 0;
    if (!b.nm) {
        bfail(&b, "out of memory");
        goto fail;
    }
    if (xap_db_lastdocid(db, &last, &b.xe) != XAP_OK) {
        bfail(&b, "reading the last document id");
        goto fail;
    }
    b.ndocs = last + 1;
    b.docs = malloc((size_t)b.ndocs * sizeof *b.docs);
    uint16_t none;
    if (!b.docs || intern(&b.nm->types, &b.nm->ntypes, "", 0, &none) != 0) {
        bfail(&b, "out of memory");
        goto fail;
    }
    for (uint32_t i = 0; i < b.ndocs; i++)
        b.docs[i] = (nm_doc){NAMES_NONE, NAMES_NONE, NAMES_NONE, NAMES_NONE, NAMES_NONE,
                             0, 0, 0, 0}; /* type 0: "" (unknown) */
    if (each_value(&b, SLOT_SUGGEST, on_suggest) != 0 ||
        each_value(&b, SLOT_POPULARITY, on_popularity) != 0 ||
        each_value(&b, (unsigned)FIELDS[F_TYPE].slot, on_type) != 0 ||
        each_value(&b, (unsigned)FIELDS[F_PLATFORM].slot, on_platform) != 0 ||
        each_value(&b, SLOT_NAME, on_name) != 0 || read_removed(&b) != 0 ||
        each_value(&b, (unsigned)FIELDS[F_OWNERS].slot, on_refs) != 0 ||
        each_value(&b, (unsigned)FIELDS[F_TAGS].slot, on_refs) != 0 ||
        each_value(&b, (unsigned)FIELDS[F_TERMS].slot, on_refs) != 0 || settle_refs(&b) != 0 ||
        assign_ids(&b) != 0 || build_words(&b) != 0 || build_keys(&b) != 0)
        goto fail;
    names *nm = b.nm;
    if (build_fwd(nm) != 0 || build_cover(nm) != 0 ||
        post_build(&nm->tpost, (uint32_t)nm->ntypes, nm->n, type_pair, nm) != 0 ||
        heads_build(&nm->wheads, nm->words, &nm->wpost) != 0 ||
        heads_build(&nm->kheads, nm->keys, &nm->kpost) != 0) {
        bfail(&b, "out of memory");
        goto fail;
    }
    nm->memory = sizeof *nm + (size_t)nm->n * sizeof *nm->sugg + nm->strings.cap +
                 vocab_memory(nm->words) + vocab_memory(nm->keys) + post_memory(&nm->wpost) +
                 post_memory(&nm->fwd) + post_memory(&nm->kpost) + post_memory(&nm->tpost) +
                 (size_t)nm->n * sizeof *nm->skey + vocab_size(nm->words) +
                 (nm->wheads.cap + nm->kheads.cap) * (sizeof(uint64_t) + sizeof(uint32_t)) +
                 (nm->wheads.pool.cap + nm->kheads.pool.cap) * sizeof(uint32_t);
    build_free(&b);
    return nm;
fail:
    names_free(b.nm);
    build_free(&b);
    return NULL;
}

/* ---- searching ---------------------------------------------------------------------- */

typedef struct nm_query {
    const names *nm;
    names_result *res;
    size_t limit;
    int type;                         /* type id, -1: any */
    vocab_range wr[NAMES_WORDS_MAX];  /* each word's prefix range */
    size_t last;                      /* index of the last word typed */
} nm_query;

static int is_seen(const names_result *res, uint32_t sid)
{
    for (size_t i = 0; i < res->n; i++)
        if (res->hits[i].id == sid)
            return 1;
    return 0;
}

static void hit_fill(const names *nm, uint32_t sid, names_quality quality, names_hit *h)
{
    const nm_sugg *s = &nm->sugg[sid];
    h->id = sid;
    h->text = nm->strings.p + s->text;
    h->urn = nm->strings.p + s->urn;
    h->path = nm->strings.p + s->path;
    h->type = nm->types[s->type];
    h->platform = s->platform ? nm->platforms[s->platform - 1] : NULL;
    h->kind = (names_kind)s->kind;
    h->quality = quality;
    h->popularity = s->popularity;
    double lp = log1p(s->popularity > 0 ? s->popularity : 0);
    h->score = (double)(NAMES_Q_TYPO - quality) + lp / (1.0 + lp);
}

void names_get(const names *nm, uint32_t id, names_hit *out)
{
    hit_fill(nm, id, NAMES_Q_EXACT, out);
}

static void add_hit(nm_query *q, uint32_t sid, names_quality quality)
{
    hit_fill(q->nm, sid, quality, &q->res->hits[q->res->n++]);
}

/* 1 if suggestion `sid` has a word in one of the ranges. */
static int has_word_in(const names *nm, uint32_t sid, const vocab_range *r, size_t n)
{
    const uint32_t *a = nm->fwd.ids + nm->fwd.off[sid];
    const uint32_t *end = nm->fwd.ids + nm->fwd.off[sid + 1];
    for (size_t i = 0; i < n; i++) {
        const uint32_t *p = lower_bound(a, end, r[i].lo);
        if (p < end && *p < r[i].hi)
            return 1;
    }
    return 0;
}

/* Walks `s`, adding each id that passes `check` (besides type and seen)
 * until the result is full. -1 if the stream ran out of memory. */
typedef int (*check_fn)(const nm_query *q, uint32_t sid, void *ctx);

static int collect(nm_query *q, nm_stream *s, names_quality quality, check_fn check, void *ctx)
{
    uint32_t sid;
    while (q->res->n < q->limit && stream_next(s, &sid)) {
        q->res->examined++;
        if (q->type >= 0 && q->nm->sugg[sid].type != (uint16_t)q->type)
            continue;
        if (is_seen(q->res, sid) || (check && !check(q, sid, ctx)))
            continue;
        add_hit(q, sid, quality);
    }
    int failed = s->failed;
    stream_free(s);
    return failed ? -1 : 0;
}

static int check_key_range(const nm_query *q, uint32_t sid, void *ctx)
{
    const vocab_range *r = ctx;
    uint32_t k = q->nm->skey[sid];
    return k != NAMES_NONE && k >= r->lo && k < r->hi;
}

/* What a candidate must also match: every word but the driver (word ranges),
 * and for typo search the last word through its typo ranges.
 *
 * Checking a word costs two random reads of the candidate's word list. When
 * the driver turns out not to end early (NAMES_BITS_AFTER candidates without
 * filling the answer: several broad words with few names in common), the
 * next cheapest word's whole union is laid out once as a bitset over
 * suggestion ids, and candidates are checked against it first: one read of a
 * cache-resident bit instead. */
#define NAMES_BITS_AFTER 256

typedef struct words_check {
    size_t driver;   /* index of the word driving, or SIZE_MAX */
    int typo;        /* the last word matches through res->typo */
    size_t calls;
    size_t second;   /* the word `bits` holds, SIZE_MAX: none (yet) */
    uint64_t *bits;
    int bits_tried;
} words_check;

/* The ranges word i matches through, and the cover length that applies. */
static const vocab_range *word_ranges(const nm_query *q, size_t i, int typo, size_t *n,
                                      unsigned *cover_len)
{
    if (typo && i == q->last) {
        *n = q->res->ntypo;
        *cover_len = 0;
        return q->res->typo;
    }
    *n = 1;
    *cover_len = q->res->words[i].len;
    return &q->wr[i];
}

static void make_bits(const nm_query *q, words_check *wc)
{
    const names *nm = q->nm;
    wc->bits_tried = 1;
    size_t best = SIZE_MAX;
    uint64_t cost = UINT64_MAX;
    for (size_t i = 0; i < q->res->nwords; i++) {
        if (i == wc->driver)
            continue;
        size_t n;
        unsigned cl;
        const vocab_range *r = word_ranges(q, i, wc->typo, &n, &cl);
        uint64_t c = ranges_postings(&nm->wpost, r, n);
        if (c < cost) {
            cost = c;
            best = i;
        }
    }
    if (best == SIZE_MAX)
        return;
    wc->bits = calloc(((size_t)nm->n + 63) / 64, sizeof *wc->bits);
    if (!wc->bits)
        return; /* checked word by word instead */
    size_t n;
    unsigned cl;
    const vocab_range *r = word_ranges(q, best, wc->typo, &n, &cl);
    for (size_t k = 0; k < n; k++)
        for (uint32_t l = r[k].lo; l < r[k].hi; l++) {
            if (cl && nm->cover[l] >= cl)
                continue;
            for (uint32_t p = nm->wpost.off[l]; p < nm->wpost.off[l + 1]; p++) {
                uint32_t id = nm->wpost.ids[p];
                wc->bits[id >> 6] |= (uint64_t)1 << (id & 63);
            }
        }
    wc->second = best;
}

static int check_words(const nm_query *q, uint32_t sid, void *ctx)
{
    words_check *wc = ctx;
    if (++wc->calls == NAMES_BITS_AFTER && !wc->bits_tried && q->res->nwords > 1)
        make_bits(q, wc);
    if (wc->bits && !((wc->bits[sid >> 6] >> (sid & 63)) & 1))
        return 0;
    for (size_t i = 0; i < q->res->nwords; i++) {
        if (i == wc->driver || i == wc->second)
            continue;
        if (wc->typo && i == q->last) {
            if (!has_word_in(q->nm, sid, q->res->typo, q->res->ntypo))
                return 0;
        } else if (!has_word_in(q->nm, sid, &q->wr[i], 1)) {
            return 0;
        }
    }
    return 1;
}

static uint64_t type_count(const nm_query *q)
{
    return q->type < 0 ? UINT64_MAX
                       : (uint64_t)q->nm->tpost.off[q->type + 1] - q->nm->tpost.off[q->type];
}

/* Every word matched, the last through typos when `typo`: the cheapest list
 * drives, the others are checked. */
static int search_words(nm_query *q, int typo, names_quality quality)
{
    const names *nm = q->nm;
    names_result *res = q->res;
    uint64_t best = UINT64_MAX;
    words_check wc = {SIZE_MAX, typo, 0, SIZE_MAX, NULL, 0};
    for (size_t i = 0; i < res->nwords; i++) {
        uint64_t c = typo && i == q->last ? ranges_postings(&nm->wpost, res->typo, res->ntypo)
                                          : ranges_postings(&nm->wpost, &q->wr[i], 1);
        if (c < best) {
            best = c;
            wc.driver = i;
        }
    }
    nm_stream s;
    vocab_range trange = {(uint32_t)(q->type < 0 ? 0 : q->type), (uint32_t)(q->type + 1), 0};
    if (type_count(q) < best) {
        wc.driver = SIZE_MAX;
        stream_init(&s, &nm->tpost, NULL, &trange, 1);
    } else if (typo && wc.driver == q->last) {
        stream_init(&s, &nm->wpost, &nm->wheads, res->typo, res->ntypo);
    } else {
        stream_init(&s, &nm->wpost, &nm->wheads, &q->wr[wc.driver], 1);
        /* The range is the words starting with the driver's word: a word
         * covered by a prefix at least that long adds nothing. */
        s.cover = nm->cover;
        s.cover_len = res->words[wc.driver].len;
    }
    int rc = collect(q, &s, quality, check_words, &wc);
    free(wc.bits);
    return rc;
}

/* Exact compact name, then (when `starts`) compact names starting with
 * the query. */
static int search_keys(nm_query *q, const char *cq, size_t cqlen, int starts)
{
    const names *nm = q->nm;
    vocab_cand c;
    nm_stream s;
    if (vocab_find(nm->keys, cq, cqlen, &c)) {
        vocab_range r = {c.id, c.id + 1, 0};
        stream_init(&s, &nm->kpost, NULL, &r, 1);
        if (collect(q, &s, NAMES_Q_EXACT, NULL, NULL) != 0)
            return -1;
    }
    vocab_range r = {0, 0, 0};
    if (!starts || q->res->n >= q->limit ||
        !vocab_prefix_range(nm->keys, cq, cqlen, &r.lo, &r.hi))
        return 0;
    if (type_count(q) < (uint64_t)nm->kpost.off[r.hi] - nm->kpost.off[r.lo]) {
        vocab_range t = {(uint32_t)q->type, (uint32_t)q->type + 1, 0};
        stream_init(&s, &nm->tpost, NULL, &t, 1);
        return collect(q, &s, NAMES_Q_START, check_key_range, &r);
    }
    stream_init(&s, &nm->kpost, &nm->kheads, &r, 1);
    return collect(q, &s, NAMES_Q_START, NULL, NULL);
}

/* The query's words (normalised parts, each once) and its compact form. */
static names_status analyse(nm_query *q, an_analyzer *an, an_terms *scratch, const char *text,
                            size_t len, char *cq, size_t *cqlen, char *err, size_t errlen)
{
    names_result *res = q->res;
    an_terms_clear(scratch);
    if (an_analyze(an, text, len, 0, scratch) < 0) {
        snprintf(err, errlen, "out of memory analysing q");
        return NAMES_INTERNAL;
    }
    uint32_t last_pos = 0;
    for (size_t i = 0; i < scratch->n; i++) {
        const an_term *t = &scratch->v[i];
        if (t->kind != AN_PART)
            continue;
        size_t dup = SIZE_MAX;
        for (size_t j = 0; j < res->nwords && dup == SIZE_MAX; j++)
            if (res->words[j].len == t->len && memcmp(res->words[j].text, t->text, t->len) == 0)
                dup = j;
        if (dup == SIZE_MAX) {
            if (res->nwords == NAMES_WORDS_MAX) {
                snprintf(err, errlen, "q has more than %d words", NAMES_WORDS_MAX);
                return NAMES_BAD_QUERY;
            }
            if (t->len > VOCAB_WORD_MAX_BYTES)
                continue; /* the analyzer keeps terms shorter than this */
            names_word *w = &res->words[res->nwords];
            memcpy(w->text, t->text, t->len);
            w->text[t->len] = '\0';
            w->len = t->len;
            dup = res->nwords++;
        }
        if (t->pos >= last_pos) {
            last_pos = t->pos;
            q->last = dup;
        }
    }
    size_t nlen;
    char *norm = an_normalize(an, text, len, &nlen);
    if (!norm) {
        snprintf(err, errlen, "out of memory normalising q");
        return NAMES_INTERNAL;
    }
    *cqlen = nlen <= 4 * VOCAB_WORD_MAX_BYTES ? compact(norm, nlen, cq, VOCAB_WORD_MAX_BYTES) : 0;
    if (*cqlen >= VOCAB_WORD_MAX_BYTES)
        *cqlen = 0; /* too long for a name key: words only */
    free(norm);
    return NAMES_OK;
}

/* Which matches names_search_in looks for. */
enum { FIND_EXACT = 1, FIND_STARTS = 2, FIND_WORDS = 4, FIND_ALL = 7 };

static names_status names_search_in(const names *nm, an_analyzer *an, an_terms *scratch,
                                    const char *text, size_t len, const char *type, size_t limit,
                                    unsigned find, names_result *res, char *err, size_t errlen)
{
    memset(res, 0, offsetof(names_result, words));
    res->nwords = res->ntypo = 0;
    res->examined = 0;
    if (limit < 1 || limit > NAMES_LIMIT_MAX) {
        snprintf(err, errlen, "limit must be between 1 and %d", NAMES_LIMIT_MAX);
        return NAMES_BAD_QUERY;
    }
    if (!nm || nm->n == 0 || len == 0)
        return NAMES_OK;
    nm_query q = {.nm = nm, .res = res, .limit = limit, .type = -1, .last = 0};
    if (type) {
        size_t t = 0;
        while (t < nm->ntypes && strcmp(nm->types[t], type) != 0)
            t++;
        if (t == nm->ntypes || !*type)
            return NAMES_OK; /* no entity of that type */
        q.type = (int)t;
    }
    char cq[VOCAB_WORD_MAX_BYTES];
    size_t cqlen = 0;
    names_status st = analyse(&q, an, scratch, text, len, cq, &cqlen, err, errlen);
    res->last = q.last;
    if (st != NAMES_OK || res->nwords == 0)
        return st;
    int all = 1;
    for (size_t i = 0; i < res->nwords; i++) {
        q.wr[i].edits = 0;
        if (!vocab_prefix_range(nm->words, res->words[i].text, res->words[i].len, &q.wr[i].lo,
                                &q.wr[i].hi) &&
            i != q.last)
            all = 0;
        res->words[i].lo = q.wr[i].lo;
        res->words[i].hi = q.wr[i].hi;
    }
    if (cqlen && search_keys(&q, cq, cqlen, (find & FIND_STARTS) != 0) != 0)
        goto oom;
    if (!(find & FIND_WORDS))
        return NAMES_OK;
    if (all && q.wr[q.last].hi > q.wr[q.last].lo && res->n < limit &&
        search_words(&q, 0, NAMES_Q_WORDS) != 0)
        goto oom;
    const names_word *lw = &res->words[q.last];
    if (all && res->n < limit && vocab_cps(lw->text, lw->len) >= NAMES_TYPO_MIN_CPS) {
        vocab_range r[sizeof res->typo / sizeof res->typo[0]];
        vocab_fuzzy_opts o = {1, 0};
        int found = vocab_fuzzy_prefix(nm->words, lw->text, lw->len, &o, r,
                                       sizeof r / sizeof r[0]);
        size_t got = found < 0 ? 0 : (size_t)found;
        if (got > sizeof r / sizeof r[0])
            got = sizeof r / sizeof r[0]; /* typo expansion is capped, like max_expansions */
        for (size_t i = 0; i < got; i++)
            if (r[i].edits == 1)
                res->typo[res->ntypo++] = r[i];
        if (res->ntypo && search_words(&q, 1, NAMES_Q_TYPO) != 0)
            goto oom;
    }
    return NAMES_OK;
oom:
    snprintf(err, errlen, "out of memory searching names");
    return NAMES_INTERNAL;
}

names_status names_search(const names *nm, an_analyzer *an, an_terms *scratch, const char *text,
                          size_t len, const char *type, size_t limit, names_result *res,
                          char *err, size_t errlen)
{
    return names_search_in(nm, an, scratch, text, len, type, limit, FIND_ALL, res, err, errlen);
}

names_status names_find_compact(const names *nm, an_analyzer *an, an_terms *scratch,
                                const char *text, size_t len, const char *type, size_t limit,
                                int starts, names_result *res, char *err, size_t errlen)
{
    return names_search_in(nm, an, scratch, text, len, type, limit,
                           FIND_EXACT | (starts ? FIND_STARTS : 0), res, err, errlen);
}

/* ---- highlighting --------------------------------------------------------------------- */

typedef struct nm_mark {
    uint32_t start, end;
} nm_mark;

/* Byte length of the first `cps` code points of s[0..len). */
static size_t cp_prefix_bytes(const char *s, size_t len, size_t cps)
{
    size_t i = 0;
    while (i < len && cps > 0) {
        unsigned char c = (unsigned char)s[i++];
        if (c >= 0xC0)
            while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
                i++;
        cps--;
    }
    return i;
}

static int starts_with(const an_term *t, const names_word *w)
{
    return t->len >= w->len && memcmp(t->text, w->text, w->len) == 0;
}

/* Marks the first `cps` code points of term t's span (all of it when t is
 * the whole word typed). */
static void mark_prefix(const char *text, const an_term *t, size_t cps, int whole, nm_mark *m,
                        size_t *n, size_t cap)
{
    size_t span = t->end - t->start;
    size_t b = whole ? span : cp_prefix_bytes(text + t->start, span, cps);
    if (b > 0 && *n < cap)
        m[(*n)++] = (nm_mark){t->start, t->start + (uint32_t)b};
}

static int mark_cmp(const void *a, const void *b)
{
    const nm_mark *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

static int out_add(nm_buf *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 256;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *p = realloc(o->p, cap);
        if (!p)
            return -1;
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
    return 0;
}

static int out_escaped(nm_buf *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *e = NULL;
        switch (s[i]) {
        case '&':
            e = "&amp;";
            break;
        case '<':
            e = "&lt;";
            break;
        case '>':
            e = "&gt;";
            break;
        case '"':
            e = "&quot;";
            break;
        case '\'':
            e = "&#39;";
            break;
        }
        if (e ? out_add(o, e, strlen(e)) != 0 : out_add(o, s + i, 1) != 0)
            return -1;
    }
    return 0;
}

char *names_highlight(const names *nm, const names_result *res, size_t i, an_analyzer *an,
                      an_terms *scratch)
{
    if (i >= res->n)
        return NULL;
    const char *text = res->hits[i].text;
    size_t len = strlen(text);
    an_terms_clear(scratch);
    if (an_analyze(an, text, len, 0, scratch) < 0)
        return NULL;
    /* Per part: its own mark, a typo mark, one per word typed across joins. */
    size_t mcap = scratch->n * (2 + res->nwords) + 1;
    nm_mark *m = malloc(mcap * sizeof *m);
    if (!m)
        return NULL;
    size_t nm_ = 0;
    for (size_t t = 0; t < scratch->n; t++) {
        const an_term *at = &scratch->v[t];
        if (at->kind != AN_PART)
            continue;
        for (size_t w = 0; w < res->nwords; w++) {
            const names_word *qw = &res->words[w];
            if (starts_with(at, qw)) {
                mark_prefix(text, at, vocab_cps(qw->text, qw->len), at->len == qw->len, m, &nm_,
                            mcap);
                break;
            }
        }
        if (res->ntypo) {
            vocab_cand c;
            if (vocab_find(nm->words, at->text, at->len, &c)) {
                for (size_t r = 0; r < res->ntypo; r++)
                    if (c.id >= res->typo[r].lo && c.id < res->typo[r].hi) {
                        /* the last word, one edit away from this word's start */
                        const names_word *lw = &res->words[res->last];
                        mark_prefix(text, at, vocab_cps(lw->text, lw->len), 0, m, &nm_, mcap);
                        break;
                    }
            }
        }
    }
    /* A word typed without its separators ("customerord") matches a joined
     * identifier: mark across its parts. */
    for (size_t t = 0; t < scratch->n; t++) {
        const an_term *jt = &scratch->v[t];
        if (jt->kind != AN_JOINED)
            continue;
        for (size_t w = 0; w < res->nwords; w++) {
            const names_word *qw = &res->words[w];
            if (!starts_with(jt, qw))
                continue;
            const char *rem = qw->text;
            size_t rlen = qw->len;
            for (size_t p = 0; p < scratch->n && rlen > 0; p++) {
                const an_term *pt = &scratch->v[p];
                if (pt->kind != AN_PART || pt->word != jt->word)
                    continue;
                if (rlen >= pt->len && memcmp(rem, pt->text, pt->len) == 0) {
                    mark_prefix(text, pt, 0, 1, m, &nm_, mcap);
                    rem += pt->len;
                    rlen -= pt->len;
                } else {
                    if (pt->len >= rlen && memcmp(pt->text, rem, rlen) == 0)
                        mark_prefix(text, pt, vocab_cps(rem, rlen), 0, m, &nm_, mcap);
                    break;
                }
            }
        }
    }
    qsort(m, nm_, sizeof *m, mark_cmp);
    nm_buf o = {0};
    size_t at = 0;
    int rc = out_add(&o, "", 0);
    for (size_t k = 0; k < nm_ && rc == 0;) {
        uint32_t s = m[k].start, e = m[k].end;
        for (k++; k < nm_ && m[k].start <= e; k++)
            if (m[k].end > e)
                e = m[k].end;
        if (s < at)
            s = (uint32_t)at;
        if (e <= s)
            continue;
        rc = out_escaped(&o, text + at, s - at) || out_add(&o, "<mark>", 6) ||
             out_escaped(&o, text + s, e - s) || out_add(&o, "</mark>", 7);
        at = e;
    }
    if (rc == 0)
        rc = out_escaped(&o, text + at, len - at);
    free(m);
    if (rc != 0) {
        free(o.p);
        return NULL;
    }
    return o.p;
}
