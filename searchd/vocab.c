/* vocab.c — the in-memory vocabulary: a preorder byte trie over sorted words
 * with fuzzy, prefix and "did you mean" lookups (see vocab.h).
 *
 * Layout. Words are sorted by bytes and numbered in that order (their id).
 * The trie's nodes are numbered in preorder, which a sorted word list gives
 * for free: each word adds nodes only for the bytes past its common prefix
 * with the word before. Three parallel arrays describe a node:
 *   label[i]  the byte on the edge into it;
 *   end[i]    the first node after its subtree, so its children are i+1,
 *             end[i+1], end[end[i+1]], ... while < end[i];
 *   wlo[i]    the first word id in its subtree; its words are the ids
 *             [wlo[i], wlo[end[i]]) (nwords when end[i] is the last node).
 * A node is a whole word when it is a leaf or its first child starts at a
 * later word (the word ending here sorts before all its extensions), so no
 * flag is stored: 9 bytes a node.
 *
 * Fuzzy walk. Each completed code point along a path adds one row of the
 * edit-distance table between the path and the query; a row whose minimum
 * exceeds k ends the branch (no extension can get closer). The row two up
 * is kept for transpositions. While the result heap is full, k shrinks to
 * the worst kept distance, so frequent short words stop early.
 *
 * Prefix lists. A prefix covering more than VOCAB_SCAN_MAX words has its
 * VOCAB_MAX_EXPANSIONS most frequent words precomputed ("broad" nodes: at
 * most nwords / VOCAB_SCAN_MAX per trie depth); a narrower one is scanned
 * with a bounded heap, so no lookup reads more than VOCAB_SCAN_MAX words.
 */
#include "searchd/vocab.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fields.h"

#define VOCAB_SCAN_MAX 2048 /* widest prefix scanned at query time */

struct vocab {
    uint32_t nwords;
    uint32_t *woff; /* nwords + 1 offsets into text */
    char *text;     /* the words, each NUL-terminated */
    uint32_t *freq;
    uint32_t *fields;
    uint32_t nnodes;
    uint32_t *end, *wlo;
    uint8_t *label;
    uint32_t nbroad;
    uint32_t *broad_node; /* ascending node ids */
    uint32_t *broad_ids;  /* VOCAB_MAX_EXPANSIONS word ids per broad node */
    size_t memory;
};

/* ---- UTF-8 as the vocabulary counts it --------------------------------------- */

/* Continuation bytes still needed after lead byte `b`; a stray byte stands
 * for itself (one code point) so that any bytes have a distance. */
static int utf8_need(uint8_t b, uint32_t *cp)
{
    if (b < 0x80) {
        *cp = b;
        return 0;
    }
    if ((b & 0xE0) == 0xC0) {
        *cp = b & 0x1F;
        return 1;
    }
    if ((b & 0xF0) == 0xE0) {
        *cp = b & 0x0F;
        return 2;
    }
    if ((b & 0xF8) == 0xF0) {
        *cp = b & 0x07;
        return 3;
    }
    *cp = 0x110000u + b; /* not a code point: cannot equal a real one */
    return 0;
}

/* Decodes word[0..len) into cps (at most cap); returns the count, which may
 * exceed cap (only cap are written). */
static size_t utf8_decode(const char *word, size_t len, uint32_t *cps, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int need = utf8_need((uint8_t)word[i++], &cp);
        for (; need > 0 && i < len; need--)
            cp = (cp << 6) | ((uint8_t)word[i++] & 0x3F);
        if (n < cap)
            cps[n] = cp;
        n++;
    }
    return n;
}

size_t vocab_cps(const char *word, size_t len)
{
    return utf8_decode(word, len, NULL, 0);
}

/* ---- builder ------------------------------------------------------------------- */

typedef struct bentry {
    size_t off;
    uint32_t len, freq, fields;
} bentry;

struct vocab_builder {
    bentry *e;
    size_t n, cap;
    char *text;
    size_t tlen, tcap;
};

vocab_builder *vocab_builder_new(void)
{
    return calloc(1, sizeof(vocab_builder));
}

void vocab_builder_free(vocab_builder *b)
{
    if (!b)
        return;
    free(b->e);
    free(b->text);
    free(b);
}

int vocab_builder_add(vocab_builder *b, const char *word, size_t len, uint32_t freq,
                      uint32_t fields)
{
    if (!b || !word || len == 0 || len > VOCAB_WORD_MAX_BYTES)
        return -1;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        bentry *e = realloc(b->e, cap * sizeof *e);
        if (!e)
            return -1;
        b->e = e;
        b->cap = cap;
    }
    if (b->tlen + len > b->tcap) {
        size_t cap = b->tcap ? b->tcap * 2 : 16384;
        while (cap < b->tlen + len)
            cap *= 2;
        char *t = realloc(b->text, cap);
        if (!t)
            return -1;
        b->text = t;
        b->tcap = cap;
    }
    memcpy(b->text + b->tlen, word, len);
    b->e[b->n++] = (bentry){b->tlen, (uint32_t)len, freq, fields};
    b->tlen += len;
    return 0;
}

static int bentry_cmp(const vocab_builder *b, const bentry *x, const bentry *y)
{
    uint32_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(b->text + x->off, b->text + y->off, n);
    if (c)
        return c;
    return (x->len > y->len) - (x->len < y->len);
}

/* Natural merge sort: words usually arrive as a few sorted runs (one per
 * field from Xapian's term lists), which it merges in O(n log runs). */
static int builder_sort(vocab_builder *b)
{
    if (b->n < 2)
        return 0;
    bentry *tmp = malloc(b->n * sizeof *tmp);
    if (!tmp)
        return -1;
    bentry *src = b->e, *dst = tmp;
    for (;;) {
        size_t runs = 0, i = 0;
        while (i < b->n) {
            size_t mid = i + 1;
            while (mid < b->n && bentry_cmp(b, &src[mid - 1], &src[mid]) <= 0)
                mid++;
            size_t hi = mid;
            if (mid < b->n) {
                hi = mid + 1;
                while (hi < b->n && bentry_cmp(b, &src[hi - 1], &src[hi]) <= 0)
                    hi++;
            }
            size_t x = i, y = mid, o = i;
            while (x < mid && y < hi)
                dst[o++] = bentry_cmp(b, &src[y], &src[x]) < 0 ? src[y++] : src[x++];
            while (x < mid)
                dst[o++] = src[x++];
            while (y < hi)
                dst[o++] = src[y++];
            runs++;
            i = hi;
        }
        bentry *t = src;
        src = dst;
        dst = t;
        if (runs <= 1)
            break;
    }
    if (src != b->e) {
        free(b->e);
        b->e = src;
        b->cap = b->n;
    } else {
        free(tmp);
    }
    return 0;
}

/* ---- building the vocab -------------------------------------------------------- */

static int grow_nodes(vocab *v, size_t *cap)
{
    size_t nc = *cap ? *cap * 2 : 4096;
    uint32_t *end = realloc(v->end, nc * sizeof *end);
    if (!end)
        return -1;
    v->end = end;
    uint32_t *wlo = realloc(v->wlo, nc * sizeof *wlo);
    if (!wlo)
        return -1;
    v->wlo = wlo;
    uint8_t *label = realloc(v->label, nc);
    if (!label)
        return -1;
    v->label = label;
    *cap = nc;
    return 0;
}

static uint32_t node_wend(const vocab *v, uint32_t i)
{
    return v->end[i] < v->nnodes ? v->wlo[v->end[i]] : v->nwords;
}

static int node_is_word(const vocab *v, uint32_t i)
{
    return i + 1 == v->end[i] || v->wlo[i + 1] != v->wlo[i];
}

static const char *word_at(const vocab *v, uint32_t id, uint32_t *len)
{
    *len = v->woff[id + 1] - v->woff[id] - 1;
    return v->text + v->woff[id];
}

/* Words from the sorted builder, duplicates merged. */
static int build_words(vocab *v, const vocab_builder *b)
{
    size_t distinct = 0, bytes = 0;
    for (size_t i = 0; i < b->n; i++)
        if (i == 0 || bentry_cmp(b, &b->e[i - 1], &b->e[i]) != 0) {
            distinct++;
            bytes += b->e[i].len + 1;
        }
    if (distinct >= UINT32_MAX || bytes >= UINT32_MAX)
        return -1;
    v->woff = malloc((distinct + 1) * sizeof *v->woff);
    v->text = malloc(bytes ? bytes : 1);
    v->freq = malloc((distinct ? distinct : 1) * sizeof *v->freq);
    v->fields = malloc((distinct ? distinct : 1) * sizeof *v->fields);
    if (!v->woff || !v->text || !v->freq || !v->fields)
        return -1;
    uint32_t n = 0, off = 0;
    for (size_t i = 0; i < b->n; i++) {
        const bentry *e = &b->e[i];
        if (n > 0 && bentry_cmp(b, &b->e[i - 1], e) == 0) {
            uint64_t f = (uint64_t)v->freq[n - 1] + e->freq;
            v->freq[n - 1] = f > UINT32_MAX ? UINT32_MAX : (uint32_t)f;
            v->fields[n - 1] |= e->fields;
            continue;
        }
        v->woff[n] = off;
        memcpy(v->text + off, b->text + e->off, e->len);
        v->text[off + e->len] = '\0';
        off += e->len + 1;
        v->freq[n] = e->freq;
        v->fields[n] = e->fields;
        n++;
    }
    v->woff[n] = off;
    v->nwords = n;
    v->memory += (n + 1) * sizeof *v->woff + bytes + 2 * (size_t)n * sizeof(uint32_t);
    return 0;
}

static int build_trie(vocab *v)
{
    size_t cap = 0;
    uint32_t stack[VOCAB_WORD_MAX_BYTES + 1];
    if (grow_nodes(v, &cap) != 0)
        return -1;
    v->label[0] = 0;
    v->wlo[0] = 0;
    v->nnodes = 1;
    stack[0] = 0;
    uint32_t depth = 0, plen = 0;
    const char *prev = NULL;
    for (uint32_t i = 0; i < v->nwords; i++) {
        uint32_t len;
        const char *w = word_at(v, i, &len);
        uint32_t l = 0;
        while (prev && l < plen && l < len && prev[l] == w[l])
            l++;
        for (; depth > l; depth--)
            v->end[stack[depth]] = v->nnodes;
        for (uint32_t d = l; d < len; d++) {
            if (v->nnodes == UINT32_MAX)
                return -1;
            if (v->nnodes == cap && grow_nodes(v, &cap) != 0)
                return -1;
            uint32_t c = v->nnodes++;
            v->label[c] = (uint8_t)w[d];
            v->wlo[c] = i;
            stack[d + 1] = c;
        }
        depth = len;
        prev = w;
        plen = len;
    }
    for (;; depth--) {
        v->end[stack[depth]] = v->nnodes;
        if (depth == 0)
            break;
    }
    v->memory += (size_t)v->nnodes * (2 * sizeof(uint32_t) + 1);
    return 0;
}

/* Ordering of prefix lists: most frequent first, then byte order. */
static int freq_before(const vocab *v, uint32_t a, uint32_t b)
{
    return v->freq[a] > v->freq[b] || (v->freq[a] == v->freq[b] && a < b);
}

/* A bounded heap of word ids whose root is the worst kept: it keeps the
 * `cap` best of what it is offered. */
typedef struct idheap {
    uint32_t *v;
    size_t n, cap;
} idheap;

static void idheap_sift_down(const vocab *vc, idheap *h, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < h->n && freq_before(vc, h->v[w], h->v[l]))
            w = l;
        if (r < h->n && freq_before(vc, h->v[w], h->v[r]))
            w = r;
        if (w == i)
            return;
        uint32_t t = h->v[i];
        h->v[i] = h->v[w];
        h->v[w] = t;
        i = w;
    }
}

static void idheap_offer(const vocab *vc, idheap *h, uint32_t id)
{
    if (h->n < h->cap) {
        size_t i = h->n++;
        h->v[i] = id;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!freq_before(vc, h->v[p], h->v[i]))
                break;
            uint32_t t = h->v[i];
            h->v[i] = h->v[p];
            h->v[p] = t;
            i = p;
        }
    } else if (h->cap > 0 && freq_before(vc, id, h->v[0])) {
        h->v[0] = id;
        idheap_sift_down(vc, h, 0);
    }
}

/* Empties the heap into h->v in best-first order; returns the count. */
static size_t idheap_drain(const vocab *vc, idheap *h)
{
    size_t n = h->n;
    while (h->n > 1) {
        uint32_t t = h->v[0];
        h->v[0] = h->v[--h->n];
        h->v[h->n] = t;
        idheap_sift_down(vc, h, 0);
    }
    h->n = 0;
    return n;
}

static int build_broad(vocab *v)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < v->nnodes; i++)
        if (node_wend(v, i) - v->wlo[i] > VOCAB_SCAN_MAX)
            n++;
    v->broad_node = malloc((n ? n : 1) * sizeof *v->broad_node);
    v->broad_ids = malloc((n ? n : 1) * (size_t)VOCAB_MAX_EXPANSIONS * sizeof *v->broad_ids);
    if (!v->broad_node || !v->broad_ids)
        return -1;
    v->memory += (size_t)n * (1 + VOCAB_MAX_EXPANSIONS) * sizeof(uint32_t);
    for (uint32_t i = 0; i < v->nnodes; i++) {
        uint32_t lo = v->wlo[i], hi = node_wend(v, i);
        if (hi - lo <= VOCAB_SCAN_MAX)
            continue;
        idheap h = {v->broad_ids + (size_t)v->nbroad * VOCAB_MAX_EXPANSIONS, 0,
                    VOCAB_MAX_EXPANSIONS};
        for (uint32_t id = lo; id < hi; id++)
            idheap_offer(v, &h, id);
        idheap_drain(v, &h);
        v->broad_node[v->nbroad++] = i;
    }
    return 0;
}

vocab *vocab_builder_finish(vocab_builder *b, char *err, size_t errlen)
{
    vocab *v = NULL;
    if (!b) {
        snprintf(err, errlen, "vocab: no builder");
        return NULL;
    }
    if (builder_sort(b) != 0) {
        snprintf(err, errlen, "vocab: out of memory sorting %zu words", b->n);
        goto fail;
    }
    v = calloc(1, sizeof *v);
    if (!v || build_words(v, b) != 0) {
        snprintf(err, errlen, "vocab: out of memory (or over 4G words or bytes) storing words");
        goto fail;
    }
    vocab_builder_free(b);
    b = NULL;
    if (build_trie(v) != 0 || build_broad(v) != 0) {
        snprintf(err, errlen, "vocab: out of memory building the trie");
        goto fail;
    }
    v->memory += sizeof *v;
    return v;
fail:
    vocab_builder_free(b);
    vocab_free(v);
    return NULL;
}

vocab *vocab_build_from_db(xap_db *db, char *err, size_t errlen)
{
    vocab_builder *b = vocab_builder_new();
    xap_err xe = {0};
    if (!b) {
        snprintf(err, errlen, "vocab: out of memory");
        return NULL;
    }
    size_t slen = strlen(TERM_STEM_MARK);
    for (int f = 0; f < F_COUNT; f++) {
        const field_def *fd = &FIELDS[f];
        if (!(fd->flags & FIELD_TEXT) || !fd->prefix)
            continue;
        size_t plen = strlen(fd->prefix);
        xap_termiter *it = xap_db_allterms(db, fd->prefix, plen, &xe);
        if (!it) {
            snprintf(err, errlen, "vocab: listing the %s terms: %s", fd->name, xe.msg);
            vocab_builder_free(b);
            return NULL;
        }
        const char *term;
        size_t len;
        uint32_t tf;
        int rc;
        while ((rc = xap_termiter_next(it, &term, &len, &tf, &xe)) == 1) {
            const char *body = term + plen;
            size_t blen = len - plen;
            /* Normalised terms are lower case, so an upper-case "Z" after the
             * prefix can only be the stem mark. */
            if (blen == 0 || (blen >= slen && memcmp(body, TERM_STEM_MARK, slen) == 0))
                continue;
            if (vocab_builder_add(b, body, blen, tf, 1u << fd->id) != 0) {
                rc = -2;
                break;
            }
        }
        xap_termiter_free(it);
        if (rc != 0) {
            if (rc == -2)
                snprintf(err, errlen, "vocab: out of memory adding %s terms", fd->name);
            else
                snprintf(err, errlen, "vocab: reading the %s terms: %s", fd->name, xe.msg);
            vocab_builder_free(b);
            return NULL;
        }
    }
    return vocab_builder_finish(b, err, errlen);
}

void vocab_free(vocab *v)
{
    if (!v)
        return;
    free(v->woff);
    free(v->text);
    free(v->freq);
    free(v->fields);
    free(v->end);
    free(v->wlo);
    free(v->label);
    free(v->broad_node);
    free(v->broad_ids);
    free(v);
}

/* ---- reading --------------------------------------------------------------------- */

size_t vocab_size(const vocab *v)
{
    return v ? v->nwords : 0;
}

size_t vocab_memory(const vocab *v)
{
    return v ? v->memory : 0;
}

static void cand_fill(const vocab *v, uint32_t id, uint8_t kind, uint8_t edits, vocab_cand *c)
{
    c->word = word_at(v, id, &c->len);
    c->id = id;
    c->freq = v->freq[id];
    c->fields = v->fields[id];
    c->kind = kind;
    c->edits = edits;
}

void vocab_get(const vocab *v, uint32_t id, vocab_cand *out)
{
    cand_fill(v, id, VOCAB_EXACT, 0, out);
}

/* The node spelling word[0..len), or UINT32_MAX. */
static uint32_t node_find(const vocab *v, const char *word, size_t len)
{
    uint32_t n = 0;
    if (!v || v->nwords == 0)
        return UINT32_MAX;
    for (size_t d = 0; d < len; d++) {
        uint8_t b = (uint8_t)word[d];
        uint32_t c = n + 1, found = UINT32_MAX;
        while (c < v->end[n]) {
            if (v->label[c] == b) {
                found = c;
                break;
            }
            if (v->label[c] > b)
                break; /* children are in byte order */
            c = v->end[c];
        }
        if (found == UINT32_MAX)
            return UINT32_MAX;
        n = found;
    }
    return n;
}

int vocab_find(const vocab *v, const char *word, size_t len, vocab_cand *out)
{
    if (len == 0)
        return 0;
    uint32_t n = node_find(v, word, len);
    if (n == UINT32_MAX || !node_is_word(v, n))
        return 0;
    if (out)
        cand_fill(v, v->wlo[n], VOCAB_EXACT, 0, out);
    return 1;
}

int vocab_prefix_range(const vocab *v, const char *prefix, size_t len, uint32_t *lo,
                       uint32_t *hi)
{
    uint32_t n = node_find(v, prefix, len);
    if (n == UINT32_MAX) {
        *lo = *hi = 0;
        return 0;
    }
    *lo = v->wlo[n];
    *hi = node_wend(v, n);
    return *hi > *lo;
}

int vocab_each_wide_prefix(const vocab *v, uint32_t min_words,
                           int (*fn)(void *ctx, uint32_t lo, uint32_t hi), void *ctx)
{
    if (!v || v->nwords == 0)
        return 0;
    uint32_t plo = UINT32_MAX, phi = 0;
    for (uint32_t i = 0; i < v->nnodes;) {
        uint32_t lo = v->wlo[i], hi = node_wend(v, i);
        if (hi - lo < min_words) {
            i = v->end[i]; /* narrow: so is its whole subtree */
            continue;
        }
        if (lo != plo || hi != phi) { /* not the same range as its parent (a chain) */
            plo = lo;
            phi = hi;
            int rc = fn(ctx, lo, hi);
            if (rc)
                return rc;
        }
        i++;
    }
    return 0;
}

int vocab_prefix(const vocab *v, const char *prefix, size_t len, vocab_cand *out, size_t cap)
{
    if (cap > VOCAB_MAX_EXPANSIONS || (cap && !out))
        return -1;
    uint32_t n = node_find(v, prefix, len);
    if (n == UINT32_MAX || cap == 0)
        return 0;
    uint32_t lo = v->wlo[n], hi = node_wend(v, n);
    uint32_t ids[VOCAB_MAX_EXPANSIONS];
    size_t k;
    if (hi - lo > VOCAB_SCAN_MAX) {
        uint32_t a = 0, b = v->nbroad;
        while (a < b) {
            uint32_t m = a + (b - a) / 2;
            if (v->broad_node[m] < n)
                a = m + 1;
            else
                b = m;
        }
        if (a >= v->nbroad || v->broad_node[a] != n)
            return -1; /* cannot happen: every wide node was precomputed */
        k = cap;
        memcpy(ids, v->broad_ids + (size_t)a * VOCAB_MAX_EXPANSIONS, k * sizeof *ids);
    } else {
        idheap h = {ids, 0, cap};
        for (uint32_t id = lo; id < hi; id++)
            idheap_offer(v, &h, id);
        k = idheap_drain(v, &h);
    }
    for (size_t i = 0; i < k; i++)
        cand_fill(v, ids[i], VOCAB_PREFIX, 0, &out[i]);
    return (int)k;
}

/* ---- the fuzzy walk ----------------------------------------------------------------- */

#define FZ_ROWS (VOCAB_FUZZY_MAX_CPS + VOCAB_MAX_EDITS + 2)

typedef struct fz_hit {
    uint32_t id;
    uint8_t edits;
} fz_hit;

typedef struct fz {
    const vocab *v;
    uint32_t q[VOCAB_FUZZY_MAX_CPS];
    unsigned m, k;
    int first_exempt;
    int ranges;                          /* prefix mode: collect ranges, not words */
    fz_hit *heap;                        /* words mode: root is the worst kept */
    size_t nheap, cap;
    vocab_range *out;                    /* ranges mode */
    size_t nout, found, outcap;
    /* Last, so that fz_init clears only what comes before. */
    uint8_t rows[FZ_ROWS][VOCAB_FUZZY_MAX_CPS + 1];
    uint32_t path[FZ_ROWS];              /* the path's code points, 1-based by depth */
} fz;

/* a is a better hit than b: fewer edits, more frequent, earlier. */
static int hit_before(const vocab *v, const fz_hit *a, const fz_hit *b)
{
    if (a->edits != b->edits)
        return a->edits < b->edits;
    return freq_before(v, a->id, b->id);
}

static void fz_heap_down(fz *f, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < f->nheap && hit_before(f->v, &f->heap[w], &f->heap[l]))
            w = l;
        if (r < f->nheap && hit_before(f->v, &f->heap[w], &f->heap[r]))
            w = r;
        if (w == i)
            return;
        fz_hit t = f->heap[i];
        f->heap[i] = f->heap[w];
        f->heap[w] = t;
        i = w;
    }
}

static void fz_offer(fz *f, uint32_t id, uint8_t edits)
{
    fz_hit h = {id, edits};
    if (f->nheap < f->cap) {
        size_t i = f->nheap++;
        f->heap[i] = h;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!hit_before(f->v, &f->heap[p], &f->heap[i]))
                break;
            fz_hit t = f->heap[i];
            f->heap[i] = f->heap[p];
            f->heap[p] = t;
            i = p;
        }
    } else if (hit_before(f->v, &h, &f->heap[0])) {
        f->heap[0] = h;
        fz_heap_down(f, 0);
    }
}

/* The largest distance still worth exploring. */
static unsigned fz_limit(const fz *f)
{
    if (!f->ranges && f->nheap == f->cap && f->heap[0].edits < f->k)
        return f->heap[0].edits;
    return f->k;
}

/* Row d (1-based depth) from rows d-1 and d-2 for path code point `cp`;
 * returns the row's minimum. Only the band |j - d| <= k can be within k
 * edits (Ukkonen), so only it is computed; the cells just outside it hold
 * k + 1, which is all the next row reads of them. Row 0 (the empty query
 * prefix) is exact: d. */
static unsigned fz_row(fz *f, unsigned d, uint32_t cp)
{
    const uint8_t *up = f->rows[d - 1];
    const uint8_t *up2 = d > 1 ? f->rows[d - 2] : NULL;
    uint8_t *row = f->rows[d];
    const uint8_t big = (uint8_t)(f->k + 1);
    unsigned lo = d > f->k ? d - f->k : 1, hi = d + f->k < f->m ? d + f->k : f->m;
    f->path[d] = cp;
    row[0] = (uint8_t)(d > 255 ? 255 : d);
    unsigned mn = row[0];
    if (lo > 1)
        row[lo - 1] = big;
    for (unsigned j = lo; j <= hi; j++) {
        unsigned c = up[j - 1] + (f->q[j - 1] != cp);
        if (up[j] + 1u < c)
            c = up[j] + 1u;
        if (row[j - 1] + 1u < c)
            c = row[j - 1] + 1u;
        if (up2 && j > 1 && f->q[j - 2] == cp && f->q[j - 1] == f->path[d - 1] &&
            up2[j - 2] + 1u < c)
            c = up2[j - 2] + 1u;
        if (c > big)
            c = big;
        row[j] = (uint8_t)c;
        if (c < mn)
            mn = c;
    }
    if (hi + 1 <= f->m)
        row[hi + 1] = big;
    return mn;
}

/* The distance of the whole query to row d's path (k + 1 when outside the band). */
static uint8_t fz_dist(const fz *f, unsigned d)
{
    if (f->m + f->k < d || d + f->k < f->m)
        return (uint8_t)(f->k + 1);
    return f->rows[d][f->m];
}

static void fz_range(fz *f, uint32_t node, uint8_t edits)
{
    if (f->nout < f->outcap)
        f->out[f->nout++] = (vocab_range){f->v->wlo[node], node_wend(f->v, node), edits};
    f->found++;
}

/* Visits the children of `parent`, whose path has `d` whole code points and
 * a pending partial code point (acc, need continuation bytes). In ranges
 * mode, `cover` is the distance of the closest enclosing range already
 * reported (255: none): only a closer nested range is worth reporting. */
static void fz_walk(fz *f, uint32_t parent, unsigned d, uint32_t acc, int need, unsigned cover)
{
    const vocab *v = f->v;
    for (uint32_t c = parent + 1; c < v->end[parent]; c = v->end[c]) {
        uint8_t b = v->label[c];
        uint32_t cp;
        int left;
        if (need > 0) {
            cp = (acc << 6) | (b & 0x3F);
            left = need - 1;
        } else {
            left = utf8_need(b, &cp);
        }
        if (left > 0) {
            fz_walk(f, c, d, cp, left, cover);
            continue;
        }
        if (d == 0 && f->first_exempt && cp != f->q[0])
            continue;
        if (d + 1 >= FZ_ROWS)
            continue; /* deeper than m + k: cannot be within k */
        unsigned mn = fz_row(f, d + 1, cp);
        unsigned lim = fz_limit(f);
        if (mn > lim)
            continue;
        uint8_t dist = fz_dist(f, d + 1);
        unsigned sub_cover = cover;
        if (f->ranges) {
            if (dist <= lim && dist < cover) {
                fz_range(f, c, dist);
                sub_cover = dist;
            }
            if (mn >= sub_cover)
                continue; /* nothing deeper can get closer */
        } else if (dist <= lim && node_is_word(v, c)) {
            fz_offer(f, v->wlo[c], dist);
        }
        fz_walk(f, c, d + 1, 0, 0, sub_cover);
    }
}

static int fz_init(fz *f, const vocab *v, const char *word, size_t len,
                   const vocab_fuzzy_opts *o)
{
    memset(f, 0, offsetof(fz, rows));
    f->v = v;
    size_t m = utf8_decode(word, len, f->q, VOCAB_FUZZY_MAX_CPS);
    if (m > VOCAB_FUZZY_MAX_CPS)
        return 1;
    f->m = (unsigned)m;
    f->k = o->max_edits;
    f->first_exempt = o->first_letter_exempt;
    for (unsigned j = 0; j <= f->m; j++)
        f->rows[0][j] = (uint8_t)j;
    return 0;
}

int vocab_fuzzy(const vocab *v, const char *word, size_t len, const vocab_fuzzy_opts *o,
                vocab_cand *out, size_t cap)
{
    if (!o || o->max_edits > VOCAB_MAX_EDITS || cap > VOCAB_MAX_EXPANSIONS || (cap && !out) ||
        (len && !word))
        return -1;
    if (!v || v->nwords == 0 || len == 0 || cap == 0)
        return 0;
    fz f;
    fz_hit heap[VOCAB_MAX_EXPANSIONS];
    if (fz_init(&f, v, word, len, o) != 0 || o->max_edits == 0)
        return vocab_find(v, word, len, out); /* too long for fuzzy, or k = 0 */
    f.heap = heap;
    f.cap = cap;
    fz_walk(&f, 0, 0, 0, 0, 255);
    size_t n = f.nheap;
    while (f.nheap > 1) { /* heap sort: worst to the end */
        fz_hit t = f.heap[0];
        f.heap[0] = f.heap[--f.nheap];
        f.heap[f.nheap] = t;
        fz_heap_down(&f, 0);
    }
    for (size_t i = 0; i < n; i++)
        cand_fill(v, heap[i].id, heap[i].edits ? VOCAB_TYPO : VOCAB_EXACT, heap[i].edits,
                  &out[i]);
    return (int)n;
}

static int range_cmp(const void *a, const void *b)
{
    const vocab_range *x = a, *y = b;
    if (x->edits != y->edits)
        return x->edits < y->edits ? -1 : 1;
    return (x->lo > y->lo) - (x->lo < y->lo);
}

int vocab_fuzzy_prefix(const vocab *v, const char *word, size_t len, const vocab_fuzzy_opts *o,
                       vocab_range *out, size_t cap)
{
    if (!o || o->max_edits > VOCAB_MAX_EDITS || (cap && !out) || (len && !word))
        return -1;
    if (!v || v->nwords == 0)
        return 0;
    if (len == 0) {
        if (cap)
            out[0] = (vocab_range){0, v->nwords, 0};
        return 1;
    }
    fz f;
    if (fz_init(&f, v, word, len, o) != 0) {
        /* Too long for the automaton: the exact prefix only. */
        uint32_t lo, hi;
        if (!vocab_prefix_range(v, word, len, &lo, &hi))
            return 0;
        if (cap)
            out[0] = (vocab_range){lo, hi, 0};
        return 1;
    }
    f.ranges = 1;
    f.out = out;
    f.outcap = cap;
    unsigned cover = 255;
    if (f.m <= f.k) { /* the empty prefix is close enough: every word */
        fz_range(&f, 0, (uint8_t)f.m);
        cover = f.m;
    }
    if (cover > 0)
        fz_walk(&f, 0, 0, 0, 0, cover);
    qsort(out, f.nout, sizeof *out, range_cmp);
    return (int)(f.found > (size_t)INT32_MAX ? INT32_MAX : f.found);
}

int vocab_did_you_mean(const vocab *v, const char *word, size_t len, vocab_cand *out)
{
    size_t cps = vocab_cps(word, len);
    if (cps < 3)
        return 0;
    vocab_fuzzy_opts o = {cps >= 5 ? 2u : 1u, 0};
    vocab_cand c[2];
    int n = vocab_fuzzy(v, word, len, &o, c, 2);
    for (int i = 0; i < n; i++)
        if (c[i].edits > 0) {
            *out = c[i];
            return 1;
        }
    return 0;
}

/* ---- the planner's expansion -------------------------------------------------------- */

void vocab_opts_defaults(vocab_opts *o)
{
    o->typo_enabled = 1;
    o->one_edit_min_len = 5;
    o->two_edits_min_len = 9;
    o->first_letter_exempt = 0;
    o->typo_max = 20;
    o->prefix_enabled = 1;
    o->prefix_min_len = 2;
    o->prefix_max = 30;
}

size_t vocab_expand_max(const vocab_opts *o)
{
    return 1 + (size_t)o->typo_max + o->prefix_max;
}

int vocab_expand(const vocab *v, const char *word, size_t len, int is_last_word,
                 const vocab_opts *o, vocab_cand *out, size_t cap)
{
    if (!o || !out || o->typo_max > VOCAB_MAX_EXPANSIONS ||
        o->prefix_max > VOCAB_MAX_EXPANSIONS || cap < vocab_expand_max(o))
        return -1;
    if (!v || len == 0)
        return 0;
    size_t n = 0;
    if (vocab_find(v, word, len, &out[0]))
        n = 1;
    size_t cps = vocab_cps(word, len);
    vocab_cand pre[VOCAB_MAX_EXPANSIONS + 1];
    int npre = 0;
    if (is_last_word && o->prefix_enabled && o->prefix_max > 0 && cps >= o->prefix_min_len) {
        size_t want = o->prefix_max + 1 > VOCAB_MAX_EXPANSIONS ? VOCAB_MAX_EXPANSIONS
                                                                : o->prefix_max + 1;
        npre = vocab_prefix(v, word, len, pre, want);
        if (npre < 0)
            return -1;
    }
    unsigned k = 0;
    if (o->typo_enabled && cps >= o->two_edits_min_len)
        k = 2;
    else if (o->typo_enabled && cps >= o->one_edit_min_len)
        k = 1;
    if (k > 0 && o->typo_max > 0) {
        vocab_cand typo[VOCAB_MAX_EXPANSIONS];
        vocab_fuzzy_opts fo = {k, o->first_letter_exempt};
        size_t want = o->typo_max + 1 > VOCAB_MAX_EXPANSIONS ? VOCAB_MAX_EXPANSIONS
                                                              : o->typo_max + 1;
        int nt = vocab_fuzzy(v, word, len, &fo, typo, want);
        if (nt < 0)
            return -1;
        size_t kept = 0;
        for (int i = 0; i < nt && kept < o->typo_max; i++) {
            if (typo[i].edits == 0)
                continue;
            int is_prefix = 0;
            for (int j = 0; j < npre && !is_prefix; j++)
                is_prefix = pre[j].id == typo[i].id;
            if (is_prefix)
                continue;
            out[n++] = typo[i];
            kept++;
        }
    }
    size_t kept = 0;
    for (int j = 0; j < npre && kept < o->prefix_max; j++) {
        if (pre[j].len == len && memcmp(pre[j].word, word, len) == 0)
            continue;
        out[n++] = pre[j];
        kept++;
    }
    return (int)n;
}
