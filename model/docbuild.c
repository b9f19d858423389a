/* docbuild.c — an entity's state as a Xapian document (see docbuild.h).
 *
 * The loop runs over the field registry (FIELDS): each field's flags decide
 * what is written — analysed text terms (with positions or not, stemmed or
 * not), exact filter terms, a multi-valued facet slot. Where a field's
 * texts and values come from is field_inputs(), a switch over field_id with
 * no default, so adding a row to the registry without saying where its data
 * comes from fails to compile.
 *
 * Term layout (fields.h): "<prefix><term>", "<prefix>Z<stem>",
 * "<filter_prefix>:<value>", "XN:<normalised name>", "XREMOVED", and the id
 * term from doc_id_term(). Xapian refuses terms over 245 bytes at commit
 * time, so longer ones are skipped here (never truncated: a truncated term
 * would match what it does not say) and counted in doc_skipped_terms().
 *
 * Speed: the indexer builds thousands of documents a second (measured:
 * about 160 us of CPU for a dataset of 5-60 columns, 32 on average, so
 * ~6,000 documents/s per core). The texts of a field without positions are
 * joined and analysed in one call (ICU's per-call setup dominates short
 * strings); terms without positions are counted first and reach Xapian once
 * each with their wdf; stems come from the analyzer's cache; the state is serialised by
 * docdata.c; buffers live per thread, from one document to the next.
 */
#include "model/docbuild.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/card.h"
#include "model/docdata.h"
#include "model/fields.h"
#include "model/summary.h"

#define DOC_MAX_TERM 245       /* Xapian's limit on a term's length in bytes */
#define DOC_ID_MAX_URN 240     /* longer URNs get a hashed id term */
#define DOC_POS_GAP 8          /* positions between two texts of one field: no phrase spans them */
#define DOC_USERS_WEIGHT 10.0  /* popularity: one unique user counts as ten queries */

static atomic_ulong skipped_terms;

unsigned long doc_skipped_terms(void)
{
    return atomic_load(&skipped_terms);
}

/* A list of borrowed strings, reused from field to field. */
typedef struct strs {
    const char **v;
    size_t n, cap;
} strs;

/* Terms without positions, counted before they reach Xapian: a document
 * repeats many of its words (column descriptions, stems), and one
 * add_term per distinct term with its wdf is much cheaper than one per
 * occurrence (each is a std::map lookup keyed by a new std::string). */
typedef struct agg_term {
    uint32_t off, len; /* in arena */
    uint32_t wdf;
    uint32_t slot;
} agg_term;

typedef struct term_agg {
    uint32_t *slots; /* index into v + 1; 0 = empty */
    size_t nslots;
    agg_term *v;
    size_t n, cap;
    char *arena;
    size_t alen, acap;
} term_agg;

/* What building a document needs besides the document: kept per thread
 * (doc_build has no context argument), so the buffers and the stem cache
 * live from one document to the next instead of being made for each. */
typedef struct doc_scratch {
    an_terms terms;
    strs texts, values;
    char *buf; /* joined texts, facet values */
    size_t buflen, bufcap;
    char *json; /* the serialised state */
    size_t jsoncap;
    term_agg agg;
} doc_scratch;

typedef struct builder {
    an_analyzer *a;
    xap_doc *doc;
    const summary *s;
    doc_name_lookup lookup;
    void *lookup_ctx;
    doc_scratch *x;
    char term[DOC_MAX_TERM + 1];
    xap_err xerr;
    char *err;
    size_t errlen;
} builder;

static int strs_push(strs *l, const char *s)
{
    if (!s || !*s)
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        const char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return 0;
}

static int buf_append(doc_scratch *x, const char *p, size_t n)
{
    if (x->buflen + n + 1 > x->bufcap) {
        size_t cap = x->bufcap ? x->bufcap : 1024;
        while (cap < x->buflen + n + 1)
            cap *= 2;
        char *nb = realloc(x->buf, cap);
        if (!nb)
            return -1;
        x->buf = nb;
        x->bufcap = cap;
    }
    memcpy(x->buf + x->buflen, p, n);
    x->buflen += n;
    x->buf[x->buflen] = '\0';
    return 0;
}

static void scratch_free(void *p)
{
    doc_scratch *x = p;
    if (!x)
        return;
    an_terms_free(&x->terms);
    free(x->texts.v);
    free(x->values.v);
    free(x->buf);
    free(x->json);
    free(x->agg.slots);
    free(x->agg.v);
    free(x->agg.arena);
    free(x);
}

static doc_scratch *scratch_new(void)
{
    doc_scratch *x = calloc(1, sizeof *x);
    if (x)
        an_terms_init(&x->terms);
    return x;
}

static pthread_key_t scratch_key;
static int scratch_key_ok;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_key_make(void)
{
    scratch_key_ok = pthread_key_create(&scratch_key, scratch_free) == 0;
}

/* This thread's scratch (freed when the thread exits); *temporary is set
 * when thread-specific storage is unavailable and the caller must free it. */
static doc_scratch *scratch_get(int *temporary)
{
    *temporary = 0;
    pthread_once(&scratch_once, scratch_key_make);
    if (scratch_key_ok) {
        doc_scratch *x = pthread_getspecific(scratch_key);
        if (x)
            return x;
        x = scratch_new();
        if (x && pthread_setspecific(scratch_key, x) == 0)
            return x;
        scratch_free(x);
    }
    *temporary = 1;
    return scratch_new();
}

static uint32_t hash_bytes(const char *p, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

static int agg_rehash(term_agg *g, size_t nslots)
{
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < g->n; i++) {
        size_t j = hash_bytes(g->arena + g->v[i].off, g->v[i].len) & (nslots - 1);
        while (slots[j])
            j = (j + 1) & (nslots - 1);
        slots[j] = (uint32_t)i + 1;
        g->v[i].slot = (uint32_t)j;
    }
    free(g->slots);
    g->slots = slots;
    g->nslots = nslots;
    return 0;
}

/* Counts one occurrence of `term`. */
static int agg_add(term_agg *g, const char *term, size_t len)
{
    if ((g->n + 1) * 2 > g->nslots && agg_rehash(g, g->nslots ? g->nslots * 2 : 1024) != 0)
        return -1;
    size_t j = hash_bytes(term, len) & (g->nslots - 1);
    while (g->slots[j]) {
        agg_term *t = &g->v[g->slots[j] - 1];
        if (t->len == len && memcmp(g->arena + t->off, term, len) == 0) {
            t->wdf++;
            return 0;
        }
        j = (j + 1) & (g->nslots - 1);
    }
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 512;
        agg_term *v = realloc(g->v, cap * sizeof *v);
        if (!v)
            return -1;
        g->v = v;
        g->cap = cap;
    }
    if (g->alen + len > g->acap) {
        size_t cap = g->acap ? g->acap : 8192;
        while (cap < g->alen + len)
            cap *= 2;
        if (cap > UINT32_MAX)
            return -1;
        char *a = realloc(g->arena, cap);
        if (!a)
            return -1;
        g->arena = a;
        g->acap = cap;
    }
    memcpy(g->arena + g->alen, term, len);
    g->v[g->n] = (agg_term){(uint32_t)g->alen, (uint32_t)len, 1, (uint32_t)j};
    g->alen += len;
    g->slots[j] = (uint32_t)++g->n;
    return 0;
}

/* Empties the counter (after a document that failed half-way, too). */
static void agg_reset(term_agg *g)
{
    for (size_t i = 0; i < g->n; i++)
        g->slots[g->v[i].slot] = 0;
    g->n = 0;
    g->alen = 0;
}

/* Adds the counted terms to the document and empties the counter. */
static int agg_flush(term_agg *g, xap_doc *doc, xap_err *xerr)
{
    int rc = 0;
    for (size_t i = 0; i < g->n; i++) {
        if (rc == 0 && xap_doc_add_term(doc, g->arena + g->v[i].off, g->v[i].len, g->v[i].wdf,
                                        xerr) != 0)
            rc = -1;
        g->slots[g->v[i].slot] = 0;
    }
    g->n = 0;
    g->alen = 0;
    return rc;
}

static int fail(builder *b, const char *what)
{
    if (b->xerr.code)
        snprintf(b->err, b->errlen, "%s: %s", what, b->xerr.msg);
    else
        snprintf(b->err, b->errlen, "%s", what);
    return -1;
}

/* ---- where each field's data comes from --------------------------------- */

/* Generated ids (container GUIDs, domain and term UUIDs: 16 or more hex
 * digits and dashes, some of them digits) are not words anyone types: kept
 * as exact filter values, left out of the text fields, where they would only
 * fill the vocabulary that typo correction and autocomplete draw from. */
static int opaque_id(const char *s)
{
    size_t n = 0, digits = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (c >= '0' && c <= '9')
            digits++;
        else if (!((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-'))
            return 0;
    }
    return n >= 16 && digits > 0;
}

/* A related entity (owner, tag, term, domain, container) as text: its label
 * as people write it ("Legacy Data", "pii:email", "jdoe") unless that is a
 * generated id, and its display name when the lookup knows it. */
static int push_related(builder *b, strs *t, const char *urn)
{
    const char *label = summary_urn_label(urn);
    const char *name = b->lookup ? b->lookup(b->lookup_ctx, urn) : NULL;
    if (!opaque_id(label) && strs_push(t, label) != 0)
        return -1;
    if (name && strcmp(name, label) != 0 && strs_push(t, name) != 0)
        return -1;
    return 0;
}

/* Fills x->texts (analysed into text terms) and x->values (exact filter and
 * facet values) for field `id`. Related entities are searched by label and
 * name and filtered by their full URN. */
static int field_inputs(builder *b, field_id id)
{
    const summary *s = b->s;
    strs *t = &b->x->texts, *v = &b->x->values;
    const sum_strv *urns = NULL;
    switch (id) {
    case F_NAME: {
        const char *short_name = summary_short_name(s);
        if (strs_push(t, s->name) != 0)
            return -1;
        if (short_name && strcmp(short_name, s->name) != 0 && !opaque_id(short_name) &&
            strs_push(t, short_name) != 0)
            return -1;
        return 0;
    }
    case F_QNAME:
        if (strs_push(t, s->qualified_name) != 0)
            return -1;
        if (s->urn_name && (!s->qualified_name || strcmp(s->urn_name, s->qualified_name) != 0) &&
            !opaque_id(s->urn_name) && strs_push(t, s->urn_name) != 0)
            return -1;
        return 0;
    case F_DESCRIPTION:
        for (size_t i = 0; i < s->descriptions.n; i++)
            if (strs_push(t, s->descriptions.v[i]) != 0)
                return -1;
        return 0;
    case F_FIELDS:
        for (size_t i = 0; i < s->ncolumns; i++)
            if (strs_push(t, s->columns[i].path) != 0)
                return -1;
        return 0;
    case F_FIELD_DOCS:
        for (size_t i = 0; i < s->ncolumns; i++)
            if (strs_push(t, s->columns[i].description) != 0)
                return -1;
        return 0;
    case F_OWNERS:
        for (size_t i = 0; i < s->owner_names.n; i++)
            if (strs_push(t, s->owner_names.v[i]) != 0)
                return -1;
        urns = &s->owners;
        break;
    case F_TAGS:
        urns = &s->tags;
        break;
    case F_TERMS:
        urns = &s->terms;
        break;
    case F_DOMAINS:
        urns = &s->domains;
        break;
    case F_PLATFORM:
        if (strs_push(t, s->platform) != 0 || strs_push(v, s->platform) != 0)
            return -1;
        return 0;
    case F_ORIGIN:
        if (strs_push(t, s->origin) != 0 || strs_push(v, s->origin) != 0)
            return -1;
        return 0;
    case F_TYPE:
        if (strs_push(t, s->type) != 0 || strs_push(v, s->type) != 0)
            return -1;
        return 0;
    case F_SUBTYPES:
        for (size_t i = 0; i < s->subtypes.n; i++)
            if (strs_push(t, s->subtypes.v[i]) != 0 || strs_push(v, s->subtypes.v[i]) != 0)
                return -1;
        return 0;
    case F_CONTAINER:
        if (s->container && (push_related(b, t, s->container) != 0 || strs_push(v, s->container) != 0))
            return -1;
        return 0;
    case F_COUNT:
        return 0;
    }
    for (size_t i = 0; urns && i < urns->n; i++)
        if (push_related(b, t, urns->v[i]) != 0 || strs_push(v, urns->v[i]) != 0)
            return -1;
    return 0;
}

/* ---- writing terms ---------------------------------------------------------- */

/* prefix + body into b->term; its length, or 0 when too long (skipped). */
static size_t term_make(builder *b, const char *prefix, size_t plen, const char *body,
                        size_t blen)
{
    if (plen + blen > DOC_MAX_TERM) {
        atomic_fetch_add(&skipped_terms, 1);
        return 0;
    }
    memcpy(b->term, prefix, plen);
    memcpy(b->term + plen, body, blen);
    b->term[plen + blen] = '\0';
    return plen + blen;
}

/* Writes the analysed terms in x->terms for field f. */
static int write_text_terms(builder *b, const field_def *f)
{
    size_t plen = strlen(f->prefix);
    int positions = (f->flags & FIELD_POSITIONS) != 0;
    int stemmed = (f->flags & FIELD_STEMMED) != 0;
    char stem[AN_MAX_TERM_BYTES * 2 + 8];
    char stem_prefix[16];
    size_t splen = plen + strlen(TERM_STEM_MARK);
    if (splen >= sizeof stem_prefix)
        return fail(b, "field prefix too long");
    memcpy(stem_prefix, f->prefix, plen);
    memcpy(stem_prefix + plen, TERM_STEM_MARK, splen - plen);

    for (size_t i = 0; i < b->x->terms.n; i++) {
        const an_term *t = &b->x->terms.v[i];
        size_t n = term_make(b, f->prefix, plen, t->text, t->len);
        if (n && positions) {
            /* Xapian positions conventionally start at 1. */
            if (xap_doc_add_posting(b->doc, b->term, n, t->pos + 1, 1, &b->xerr) != 0)
                return fail(b, "adding a term");
        } else if (n && agg_add(&b->x->agg, b->term, n) != 0) {
            return fail(b, "out of memory");
        }
        /* Stems of words only: a joined identifier is not English. */
        if (stemmed && t->kind == AN_PART) {
            int sl = an_stem(b->a, t->text, t->len, stem, sizeof stem);
            if (sl < 0)
                continue; /* cannot happen for a term the analyzer kept */
            n = term_make(b, stem_prefix, splen, stem, (size_t)sl);
            if (n && agg_add(&b->x->agg, b->term, n) != 0)
                return fail(b, "out of memory");
        }
    }
    return 0;
}

static int write_texts(builder *b, const field_def *f)
{
    doc_scratch *x = b->x;
    an_terms_clear(&x->terms);
    if (f->flags & FIELD_POSITIONS) {
        /* Each text on its own, with a gap so that no phrase spans two. */
        uint32_t pos = 0;
        for (size_t i = 0; i < x->texts.n; i++) {
            int64_t next = an_analyze(b->a, x->texts.v[i], strlen(x->texts.v[i]), pos, &x->terms);
            if (next < 0)
                return fail(b, "out of memory analysing text");
            pos = (uint32_t)next + DOC_POS_GAP;
        }
    } else if (x->texts.n > 0) {
        /* One call over all texts: a newline always separates words. */
        x->buflen = 0;
        for (size_t i = 0; i < x->texts.n; i++)
            if ((i > 0 && buf_append(x, "\n", 1) != 0) ||
                buf_append(x, x->texts.v[i], strlen(x->texts.v[i])) != 0)
                return fail(b, "out of memory");
        if (an_analyze(b->a, x->buf, x->buflen, 0, &x->terms) < 0)
            return fail(b, "out of memory analysing text");
    }
    return write_text_terms(b, f);
}

static int write_filters(builder *b, const field_def *f)
{
    size_t plen = strlen(f->filter_prefix);
    char prefix[16];
    if (plen + 2 > sizeof prefix)
        return fail(b, "filter prefix too long");
    memcpy(prefix, f->filter_prefix, plen);
    prefix[plen++] = ':';
    for (size_t i = 0; i < b->x->values.n; i++) {
        const char *val = b->x->values.v[i];
        size_t n = term_make(b, prefix, plen, val, strlen(val));
        if (n && xap_doc_add_boolean_term(b->doc, b->term, n, &b->xerr) != 0)
            return fail(b, "adding a filter term");
    }
    return 0;
}

/* Distinct values joined with XAP_MULTI_SEP. A value holding the separator
 * itself cannot be stored without being split: it is skipped and counted. */
static int write_facet(builder *b, const field_def *f)
{
    doc_scratch *x = b->x;
    x->buflen = 0;
    size_t written = 0;
    for (size_t i = 0; i < x->values.n; i++) {
        const char *val = x->values.v[i];
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++)
            dup = strcmp(x->values.v[j], val) == 0;
        if (dup)
            continue;
        if (strchr(val, XAP_MULTI_SEP)) {
            atomic_fetch_add(&skipped_terms, 1);
            continue;
        }
        char sep = XAP_MULTI_SEP;
        if ((written > 0 && buf_append(x, &sep, 1) != 0) || buf_append(x, val, strlen(val)) != 0)
            return fail(b, "out of memory");
        written++;
    }
    if (written && xap_doc_add_value(b->doc, (unsigned)f->slot, x->buf, x->buflen, &b->xerr) != 0)
        return fail(b, "adding a facet value");
    return 0;
}

/* ---- exact names, slots, id ------------------------------------------------- */

/* "XN:" + the normalised form of each name an exact query may paste: the
 * display name, the URN name's short form, the whole URN name, the qualified
 * name. The normalised display name also goes to SLOT_NAME. */
static int write_names(builder *b)
{
    const summary *s = b->s;
    const char *names[4] = {s->name, summary_short_name(s), s->urn_name, s->qualified_name};
    char *norm[4] = {NULL, NULL, NULL, NULL};
    size_t nlen[4] = {0, 0, 0, 0};
    int rc = 0;
    size_t plen = strlen(TERM_EXACT_PREFIX);
    for (int i = 0; i < 4 && rc == 0; i++) {
        if (!names[i] || !*names[i])
            continue;
        norm[i] = an_normalize(b->a, names[i], strlen(names[i]), &nlen[i]);
        if (!norm[i]) {
            rc = fail(b, "out of memory normalising a name");
            break;
        }
        int dup = nlen[i] == 0;
        for (int j = 0; j < i && !dup; j++)
            dup = norm[j] && nlen[j] == nlen[i] && memcmp(norm[j], norm[i], nlen[i]) == 0;
        if (dup)
            continue;
        size_t n = term_make(b, TERM_EXACT_PREFIX, plen, norm[i], nlen[i]);
        if (n && xap_doc_add_boolean_term(b->doc, b->term, n, &b->xerr) != 0)
            rc = fail(b, "adding an exact-name term");
    }
    if (rc == 0 && norm[0] && xap_doc_add_value(b->doc, SLOT_NAME, norm[0], nlen[0], &b->xerr))
        rc = fail(b, "adding the name value");
    for (int i = 0; i < 4; i++)
        free(norm[i]);
    return rc;
}

/* SLOT_SUGGEST: urn, path and display name, so that searchd builds its
 * autocomplete index from one value stream instead of a million document
 * datas. A path holding the separator is left out (a URN cannot hold it). */
static int write_suggest(builder *b)
{
    const summary *s = b->s;
    doc_scratch *x = b->x;
    const char *shortn = summary_short_name(s);
    size_t plen = 0;
    if (shortn && s->urn_name && shortn > s->urn_name)
        plen = (size_t)(shortn - s->urn_name) - 1; /* without the '.' or '/' before it */
    if (plen && memchr(s->urn_name, XAP_MULTI_SEP, plen))
        plen = 0;
    char sep = XAP_MULTI_SEP;
    x->buflen = 0;
    if (buf_append(x, s->urn, strlen(s->urn)) != 0 || buf_append(x, &sep, 1) != 0 ||
        (plen && buf_append(x, s->urn_name, plen) != 0) || buf_append(x, &sep, 1) != 0 ||
        buf_append(x, s->name, strlen(s->name)) != 0)
        return fail(b, "out of memory");
    if (xap_doc_add_value(b->doc, SLOT_SUGGEST, x->buf, x->buflen, &b->xerr) != 0)
        return fail(b, "adding the suggest value");
    return 0;
}

/* SLOT_CARD: what a search hit shows (card.h), so that searchd renders
 * most hits without reading the state. */
static int write_card(builder *b)
{
    doc_scratch *x = b->x;
    if (card_write(b->s, &x->buf, &x->bufcap, &x->buflen) != 0)
        return fail(b, "out of memory");
    if (xap_doc_add_value(b->doc, SLOT_CARD, x->buf, x->buflen, &b->xerr) != 0)
        return fail(b, "adding the card value");
    return 0;
}

static int write_slots(builder *b)
{
    const summary *s = b->s;
    char v[18];
    /* Popularity = queries (or views) over the trailing 30 days + 10 × the
     * unique users in that window: breadth of use counts for more than one
     * busy script. searchd turns it into a capped log prior. */
    double pop = s->usage_queries + DOC_USERS_WEIGHT * s->usage_users;
    if (!(pop >= 0))
        pop = 0; /* negative or NaN from bad input */
    size_t n = xap_sortable_serialise(pop, v);
    if (xap_doc_add_value(b->doc, SLOT_POPULARITY, v, n, &b->xerr) != 0)
        return fail(b, "adding the popularity value");
    if (s->updated_ms > 0) {
        n = xap_sortable_serialise((double)s->updated_ms, v);
        if (xap_doc_add_value(b->doc, SLOT_UPDATED, v, n, &b->xerr) != 0)
            return fail(b, "adding the updated value");
    }
    return write_suggest(b) != 0 ? -1 : write_card(b);
}

/* FNV-1a, 128 bits: a URN too long for a term is identified by its hash.
 * Accidental collisions at 128 bits are out of reach; URNs come from
 * trusted producers, so a cryptographic hash would buy nothing here. */
static void fnv1a_128(const char *p, size_t n, uint64_t *hi, uint64_t *lo)
{
    __extension__ typedef unsigned __int128 u128;
    const u128 prime = ((u128)1 << 88) | 0x13B;
    u128 h = ((u128)0x6c62272e07bb0142ull << 64) | 0x62b821756295c58dull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * prime;
    *hi = (uint64_t)(h >> 64);
    *lo = (uint64_t)h;
}

int doc_id_term(const char *urn, char *out, size_t cap)
{
    size_t n = strlen(urn), plen = strlen(TERM_ID_PREFIX);
    if (n <= DOC_ID_MAX_URN) {
        if (plen + n + 1 > cap)
            return -1;
        memcpy(out, TERM_ID_PREFIX, plen);
        memcpy(out + plen, urn, n + 1);
        return (int)(plen + n);
    }
    /* "Q#" + 32 hex digits: no URN starts with "#", so a hashed id never
     * equals a plain one. */
    uint64_t hi, lo;
    fnv1a_128(urn, n, &hi, &lo);
    int len = snprintf(out, cap, "%s#%016llx%016llx", TERM_ID_PREFIX, (unsigned long long)hi,
                       (unsigned long long)lo);
    return len < 0 || (size_t)len >= cap ? -1 : len;
}

/* ---- the document ------------------------------------------------------------ */

static int build(builder *b, const json_t *state)
{
    agg_reset(&b->x->agg);
    for (int i = 0; i < F_COUNT; i++) {
        const field_def *f = &FIELDS[i];
        b->x->texts.n = b->x->values.n = 0;
        if (field_inputs(b, f->id) != 0)
            return fail(b, "out of memory");
        if ((f->flags & FIELD_TEXT) && write_texts(b, f) != 0)
            return -1;
        if ((f->flags & FIELD_FILTER) && write_filters(b, f) != 0)
            return -1;
        if ((f->flags & FIELD_FACET) && write_facet(b, f) != 0)
            return -1;
    }
    if (agg_flush(&b->x->agg, b->doc, &b->xerr) != 0)
        return fail(b, "adding a term");
    if (write_names(b) != 0 || write_slots(b) != 0)
        return -1;
    if (b->s->removed && xap_doc_add_boolean_term(b->doc, TERM_REMOVED, strlen(TERM_REMOVED),
                                                  &b->xerr) != 0)
        return fail(b, "adding the removed term");

    char id[DOC_MAX_TERM + 1];
    int idlen = doc_id_term(b->s->urn, id, sizeof id);
    if (idlen < 0)
        return fail(b, "id term does not fit");
    if (xap_doc_add_boolean_term(b->doc, id, (size_t)idlen, &b->xerr) != 0)
        return fail(b, "adding the id term");

    doc_scratch *x = b->x;
    size_t need;
    if (docdata_dump(state, &x->json, &x->jsoncap, &need) != 0)
        return fail(b, "cannot serialise the state");
    if (xap_doc_set_data(b->doc, x->json, need, &b->xerr) != 0)
        return fail(b, "setting the document data");
    return 0;
}

int doc_build(an_analyzer *a, const json_t *state, doc_name_lookup lookup, void *lookup_ctx,
              xap_doc *doc, char *err, size_t errlen)
{
    summary s;
    if (!a || !state || !doc) {
        snprintf(err, errlen, "doc_build: missing analyzer, state or document");
        return -1;
    }
    if (summary_build(state, &s, err, errlen) != 0)
        return -1;
    builder b;
    memset(&b, 0, sizeof b);
    b.a = a;
    b.doc = doc;
    b.s = &s;
    b.lookup = lookup;
    b.lookup_ctx = lookup_ctx;
    b.err = err;
    b.errlen = errlen;
    int temporary;
    b.x = scratch_get(&temporary);
    int rc = b.x ? build(&b, state) : fail(&b, "out of memory");
    if (temporary)
        scratch_free(b.x);
    summary_free(&s);
    return rc;
}
