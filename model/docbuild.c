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
 * Speed: the indexer builds thousands of documents a second, so the texts of
 * a field without positions are joined into one buffer and analysed in one
 * call (ICU's per-call setup dominates short strings), and buffers live for
 * the whole document.
 */
#include "model/docbuild.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

typedef struct builder {
    an_analyzer *a;
    xap_doc *doc;
    const summary *s;
    doc_name_lookup lookup;
    void *lookup_ctx;
    an_terms terms;
    strs texts, values;
    char *buf; /* joined texts, facet values */
    size_t buflen, bufcap;
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

static int buf_append(builder *b, const char *p, size_t n)
{
    if (b->buflen + n + 1 > b->bufcap) {
        size_t cap = b->bufcap ? b->bufcap : 1024;
        while (cap < b->buflen + n + 1)
            cap *= 2;
        char *nb = realloc(b->buf, cap);
        if (!nb)
            return -1;
        b->buf = nb;
        b->bufcap = cap;
    }
    memcpy(b->buf + b->buflen, p, n);
    b->buflen += n;
    b->buf[b->buflen] = '\0';
    return 0;
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

/* Fills b->texts (analysed into text terms) and b->values (exact filter and
 * facet values) for field `id`. Tags, terms, owners and domains are searched
 * by their label as people write it ("Legacy Data", "pii:email"), filtered
 * by their full URN. */
static int field_inputs(builder *b, field_id id)
{
    const summary *s = b->s;
    strs *t = &b->texts, *v = &b->values;
    const sum_strv *urns = NULL;
    switch (id) {
    case F_NAME: {
        const char *short_name = summary_short_name(s);
        if (strs_push(t, s->name) != 0)
            return -1;
        if (short_name && strcmp(short_name, s->name) != 0 && strs_push(t, short_name) != 0)
            return -1;
        return 0;
    }
    case F_QNAME:
        if (strs_push(t, s->qualified_name) != 0)
            return -1;
        if (s->urn_name && (!s->qualified_name || strcmp(s->urn_name, s->qualified_name) != 0) &&
            strs_push(t, s->urn_name) != 0)
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
        /* The people behind an owner id, by the name others know them by. */
        for (size_t i = 0; i < s->owners.n; i++) {
            const char *name = b->lookup ? b->lookup(b->lookup_ctx, s->owners.v[i]) : NULL;
            if (strs_push(t, name) != 0)
                return -1;
        }
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
        /* A container's URN is an opaque id: it is searched by its name. */
        if (s->container) {
            const char *name = b->lookup ? b->lookup(b->lookup_ctx, s->container) : NULL;
            if (strs_push(t, name) != 0 || strs_push(v, s->container) != 0)
                return -1;
        }
        return 0;
    case F_COUNT:
        return 0;
    }
    for (size_t i = 0; urns && i < urns->n; i++)
        if (strs_push(t, summary_urn_label(urns->v[i])) != 0 || strs_push(v, urns->v[i]) != 0)
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

/* Writes the analysed terms in b->terms for field f. */
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

    for (size_t i = 0; i < b->terms.n; i++) {
        const an_term *t = &b->terms.v[i];
        size_t n = term_make(b, f->prefix, plen, t->text, t->len);
        if (n) {
            int rc = positions ? xap_doc_add_posting(b->doc, b->term, n, t->pos + 1, 1, &b->xerr)
                               : xap_doc_add_term(b->doc, b->term, n, 1, &b->xerr);
            if (rc != 0)
                return fail(b, "adding a term");
        }
        /* Stems of words only: a joined identifier is not English. */
        if (stemmed && t->kind == AN_PART) {
            int sl = an_stem(b->a, t->text, t->len, stem, sizeof stem);
            if (sl < 0)
                continue; /* cannot happen for a term the analyzer kept */
            n = term_make(b, stem_prefix, splen, stem, (size_t)sl);
            if (n && xap_doc_add_term(b->doc, b->term, n, 1, &b->xerr) != 0)
                return fail(b, "adding a stemmed term");
        }
    }
    return 0;
}

static int write_texts(builder *b, const field_def *f)
{
    an_terms_clear(&b->terms);
    if (f->flags & FIELD_POSITIONS) {
        /* Each text on its own, with a gap so that no phrase spans two. */
        uint32_t pos = 0;
        for (size_t i = 0; i < b->texts.n; i++) {
            int64_t next = an_analyze(b->a, b->texts.v[i], strlen(b->texts.v[i]), pos, &b->terms);
            if (next < 0)
                return fail(b, "out of memory analysing text");
            pos = (uint32_t)next + DOC_POS_GAP;
        }
    } else if (b->texts.n > 0) {
        /* One call over all texts: a newline always separates words. */
        b->buflen = 0;
        for (size_t i = 0; i < b->texts.n; i++)
            if ((i > 0 && buf_append(b, "\n", 1) != 0) ||
                buf_append(b, b->texts.v[i], strlen(b->texts.v[i])) != 0)
                return fail(b, "out of memory");
        if (an_analyze(b->a, b->buf, b->buflen, 0, &b->terms) < 0)
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
    for (size_t i = 0; i < b->values.n; i++) {
        size_t n = term_make(b, prefix, plen, b->values.v[i], strlen(b->values.v[i]));
        if (n && xap_doc_add_boolean_term(b->doc, b->term, n, &b->xerr) != 0)
            return fail(b, "adding a filter term");
    }
    return 0;
}

/* Distinct values joined with XAP_MULTI_SEP. A value holding the separator
 * itself cannot be stored without being split: it is skipped and counted. */
static int write_facet(builder *b, const field_def *f)
{
    b->buflen = 0;
    size_t written = 0;
    for (size_t i = 0; i < b->values.n; i++) {
        const char *val = b->values.v[i];
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++)
            dup = strcmp(b->values.v[j], val) == 0;
        if (dup)
            continue;
        if (strchr(val, XAP_MULTI_SEP)) {
            atomic_fetch_add(&skipped_terms, 1);
            continue;
        }
        char sep = XAP_MULTI_SEP;
        if ((written > 0 && buf_append(b, &sep, 1) != 0) || buf_append(b, val, strlen(val)) != 0)
            return fail(b, "out of memory");
        written++;
    }
    if (written && xap_doc_add_value(b->doc, (unsigned)f->slot, b->buf, b->buflen, &b->xerr) != 0)
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
    return 0;
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
    for (int i = 0; i < F_COUNT; i++) {
        const field_def *f = &FIELDS[i];
        b->texts.n = b->values.n = 0;
        if (field_inputs(b, f->id) != 0)
            return fail(b, "out of memory");
        if ((f->flags & FIELD_TEXT) && write_texts(b, f) != 0)
            return -1;
        if ((f->flags & FIELD_FILTER) && write_filters(b, f) != 0)
            return -1;
        if ((f->flags & FIELD_FACET) && write_facet(b, f) != 0)
            return -1;
    }
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

    char *data = json_dumps(state, JSON_COMPACT);
    if (!data)
        return fail(b, "cannot serialise the state");
    int rc = xap_doc_set_data(b->doc, data, strlen(data), &b->xerr);
    free(data);
    return rc != 0 ? fail(b, "setting the document data") : 0;
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
    an_terms_init(&b.terms);
    int rc = build(&b, state);
    an_terms_free(&b.terms);
    free(b.texts.v);
    free(b.values.v);
    free(b.buf);
    summary_free(&s);
    return rc;
}
