/* facets.c — facet parameters, counts over the document sets and
 * their JSON (see facets.h). */
#include "searchd/facets.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/summary.h"
#include "searchd/bitmap_count.h"

static int add_field(request *r, facet_req *out, const char *name, size_t len)
{
    char buf[64];
    if (len == 0) {
        req_reply_error(r, 400, "facets: empty field name");
        return -1;
    }
    if (len >= sizeof buf) {
        req_reply_error(r, 400, "unknown facet field '%.60s'", name);
        return -1;
    }
    memcpy(buf, name, len);
    buf[len] = '\0';
    const field_def *f = field_by_name(buf);
    if (!f || !(f->flags & FIELD_FACET) || f->slot < 0) {
        req_reply_error(r, 400, "unknown facet field '%s'", buf);
        return -1;
    }
    for (size_t i = 0; i < out->n; i++)
        if (out->fields[i] == f) {
            req_reply_error(r, 400, "facet field '%s' is listed twice", buf);
            return -1;
        }
    if (out->n >= SD_FACETS_MAX) {
        req_reply_error(r, 400, "too many facets (at most %d)", SD_FACETS_MAX);
        return -1;
    }
    out->fields[out->n++] = f;
    return 0;
}

int facets_parse(request *r, facet_req *out)
{
    memset(out, 0, sizeof *out);
    long lim;
    if (req_param_long(r, "facet_limit", SD_FACET_VALUES_DEFAULT, 1, SD_FACET_VALUES_MAX, &lim) <
        0)
        return -1;
    out->max_values = (size_t)lim;
    for (size_t i = 0; i < r->nparams; i++) {
        if (strcmp(r->params[i].key, "facets") != 0)
            continue;
        const char *v = r->params[i].val;
        if (strcmp(v, "all") == 0) {
            for (int f = 0; f < F_COUNT; f++)
                if ((FIELDS[f].flags & FIELD_FACET) && FIELDS[f].slot >= 0 &&
                    add_field(r, out, FIELDS[f].name, strlen(FIELDS[f].name)) < 0)
                    return -1;
            continue;
        }
        while (*v) {
            const char *comma = strchr(v, ',');
            size_t n = comma ? (size_t)(comma - v) : strlen(v);
            if (add_field(r, out, v, n) < 0)
                return -1;
            v += n + (comma ? 1 : 0);
        }
    }
    return 0;
}

/* Two ways to count a field (costs in ns, from measurements at 1M
 * documents on the 2-core machine). Values are counted one by one, most
 * held first, until no later one can be among the best asked for
 * (count_best_values), as long as that stays estimated cheaper than
 * counting per document; then per document:
 *   - per value: one intersection count against the match set (bm_and_cardinality).
 *     CRoaring keeps each chunk of 65536 docids as a sorted array when it
 *     holds fewer than 4096, else as a bitset. A sparse match set against
 *     sparse values merges arrays, ~1 ns an element for every value, which
 *     with thousands of values (owners, containers) cost 17-50 ms for
 *     5k-40k matching documents; a dense one probes or ANDs bitsets,
 *     3.7 ms for owners (2625 values) against 681k documents.
 *   - per matching document: walk the match set and add up each document's
 *     values (docsets_facet_docs), ~5.5 ns a (document + value) visited:
 *     0.1 ms for owners against 5k documents, 8.8 ms against 681k. */
#define FACETS_NS_MERGE 1.0     /* an array element merged (sparse set, sparse value) */
#define FACETS_NS_PROBE 0.5     /* an array element probed into a bitset */
#define FACETS_NS_LOOKUP 3.0    /* a value's document looked up in a dense match set */
#define FACETS_NS_CHUNK 1000.0  /* two bitsets ANDed, per chunk of 65536 docids */
#define FACETS_NS_DOC 5.5       /* a document or one of its values, counted per document */

static _Atomic int force = FACETS_BY_COST;

void facets_set_counting(int how)
{
    force = how;
}

/* The estimated cost (ns) of one value's intersection count. */
static double value_ns(double ndocs, double matched, double n)
{
    int msparse = matched * 16 < n, vsparse = ndocs * 16 < n;
    if (msparse && vsparse)
        return FACETS_NS_MERGE * (ndocs + matched);
    if (msparse)
        return FACETS_NS_PROBE * matched;
    if (vsparse)
        return FACETS_NS_LOOKUP * ndocs;
    return FACETS_NS_CHUNK * (n / 65536.0);
}

/* The estimated cost (ns) of counting a field per matching document. */
static double per_document_ns(uint64_t matched, uint32_t lastdocid, const ds_value *vals, size_t nv)
{
    double postings = 0, n = (double)lastdocid + 1;
    for (size_t i = 0; i < nv; i++)
        postings += vals[i].ndocs;
    return FACETS_NS_DOC * (double)matched * (1 + postings / n);
}

/* One value's count while a field is counted. */
typedef struct value_count {
    uint32_t idx; /* into the field's values, which are in byte order */
    uint32_t count;
} value_count;

/* The order of the shim's facet counter: more documents first, then the value (byte order). */
static int before(value_count a, value_count b)
{
    return a.count != b.count ? a.count > b.count : a.idx < b.idx;
}

static int by_count(const void *a, const void *b)
{
    const value_count *x = a, *y = b;
    return before(*x, *y) ? -1 : before(*y, *x);
}

/* Keeps the best `keep` in heap h (its root the worst kept) as they come. */
static void top_add(value_count *h, size_t *n, size_t keep, value_count v)
{
    size_t i;
    if (*n < keep) {
        for (i = (*n)++; i > 0 && before(h[(i - 1) / 2], v); i = (i - 1) / 2)
            h[i] = h[(i - 1) / 2];
        h[i] = v;
        return;
    }
    if (!before(v, h[0]))
        return;
    for (i = 0;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && before(h[c], h[c + 1]))
            c++;
        if (!before(v, h[c]))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = v;
}

/* One requested field while it is counted. */
typedef struct field_count {
    const field_def *f;
    const ds_value *vals;
    const uint32_t *by_count; /* value indexes, most documents first */
    size_t nv;
    uint32_t *cnt;       /* per value */
    const uint32_t *off; /* per document: its values are ids[off[d] .. off[d + 1]) */
    const uint32_t *ids;
} field_count;

/* The estimated cost (ns) of count_best_values: if the match set were
 * independent of the values, a value's count would be its documents times
 * the set's density, so the walk would stop at the first value held by
 * fewer documents than that share of the keep-th value's. */
static double best_values_ns(const field_count *fc, size_t keep, uint64_t matched, uint32_t last)
{
    double docs = (double)last + 1, density = (double)matched / docs, ns = 0;
    if (keep == 0 || fc->nv == 0)
        return 0;
    double stop = density * fc->vals[fc->by_count[keep - 1 < fc->nv ? keep - 1 : fc->nv - 1]].ndocs;
    for (size_t r = 0; r < fc->nv; r++) {
        double d = fc->vals[fc->by_count[r]].ndocs;
        if (r >= keep && d < stop)
            break;
        ns += value_ns(d, (double)matched, docs);
    }
    return ns;
}

/* Counts the values of fc most held first, one intersection each, and
 * stops at the first held by fewer documents than the worst of the best
 * `keep` counted so far: neither it nor any after it can be one of them.
 * The facets asked are the few values that matter most, and values are
 * skewed (a few platforms, owners, tags hold most documents), so a broad
 * match is counted in a few dozen intersections instead of one per value.
 * Gives up, with the counts zeroed, once the estimated cost passes
 * budget_ns (returns 0); 1 when counted. */
static int count_best_values(field_count *fc, size_t keep, const roaring_bitmap_t *match,
                             uint64_t matched, uint32_t last, double budget_ns)
{
    value_count *h = malloc((keep ? keep : 1) * sizeof *h);
    if (!h)
        return 0;
    size_t n = 0;
    double spent = 0, docs = (double)last + 1;
    int done = 1;
    for (size_t r = 0; r < fc->nv; r++) {
        uint32_t i = fc->by_count[r];
        const ds_value *v = &fc->vals[i];
        if (n == keep && v->ndocs < h[0].count)
            break;
        if (!v->len) /* never a facet value (keep_best) */
            continue;
        if ((spent += value_ns(v->ndocs, (double)matched, docs)) > budget_ns) {
            done = 0;
            break;
        }
        fc->cnt[i] = (uint32_t)bm_and_cardinality(match, v->docs);
        if (fc->cnt[i])
            top_add(h, &n, keep, (value_count){i, fc->cnt[i]});
    }
    free(h);
    if (!done)
        memset(fc->cnt, 0, fc->nv * sizeof *fc->cnt);
    return done;
}

/* The counts of fc kept as facet values: the best fr->max_values, in the
 * order of the shim's facet counter. */
static int keep_best(const facet_req *fr, const field_count *fc, xap_facet_count **out,
                     size_t *nout, xap_err *err)
{
    size_t keep = fc->nv < fr->max_values ? fc->nv : fr->max_values;
    value_count *top = malloc((keep ? keep : 1) * sizeof *top);
    xap_facet_count *c = NULL;
    size_t n = 0;
    if (!top)
        goto nomem;
    for (size_t i = 0; i < fc->nv; i++)
        if (fc->cnt[i] && fc->vals[i].len) /* the shim's counter skips empty values too */
            top_add(top, &n, keep, (value_count){(uint32_t)i, fc->cnt[i]});
    qsort(top, n, sizeof *top, by_count);
    if (n && !(c = calloc(n, sizeof *c)))
        goto nomem;
    for (size_t k = 0; k < n; k++) {
        const ds_value *v = &fc->vals[top[k].idx];
        if (!(c[k].value = malloc(v->len + 1))) {
            xap_facet_counts_free(c, k);
            c = NULL;
            goto nomem;
        }
        memcpy(c[k].value, v->value, v->len);
        c[k].value[v->len] = '\0';
        c[k].len = v->len;
        c[k].count = top[k].count;
    }
    free(top);
    *out = c;
    *nout = n;
    return 0;
nomem:
    free(top);
    err->code = XAP_E_NOMEM;
    snprintf(err->msg, sizeof err->msg, "facets: out of memory counting '%s'", fc->f->name);
    return -1;
}

/* How far ahead the counts per document prefetch, in documents. */
#define FACETS_PREFETCH 32

/* Counting per document walks the match set a block of FACETS_BLOCK
 * documents at a time. The offsets and value lists of a broad match are
 * spread over arrays far larger than the caches: per block, the offsets
 * are read in a first pass and the value lists in a second, each
 * prefetched some documents ahead, so that the misses overlap instead of
 * following one another. */
#define FACETS_BLOCK 1024

typedef struct doc_block {
    roaring_uint32_iterator_t it;
    uint32_t last; /* documents past it have no lists */
    uint32_t doc[FACETS_BLOCK], from[FACETS_BLOCK], to[FACETS_BLOCK], n;
} doc_block;

/* The next block of the match set's documents: how many (0 at the end). */
static uint32_t block_next(doc_block *b)
{
    b->n = roaring_read_uint32_iterator(&b->it, b->doc, FACETS_BLOCK);
    while (b->n > 0 && b->doc[b->n - 1] > b->last)
        b->n--;
    return b->n;
}

/* The first pass: each document's list in from[i] .. to[i], of `off`. */
static void block_lists(doc_block *b, const uint32_t *off)
{
    for (uint32_t i = 0; i < b->n; i++) {
        if (i + FACETS_PREFETCH < b->n)
            __builtin_prefetch(&off[b->doc[i + FACETS_PREFETCH]]);
        b->from[i] = off[b->doc[i]];
        b->to[i] = off[b->doc[i] + 1];
    }
}

/* The fields counted per document, in one walk of the match set: each
 * matching document's values of every such field added up. */
static void count_by_docs(field_count *const *v, size_t n, const roaring_bitmap_t *match,
                          uint32_t last)
{
    doc_block b;
    b.last = last;
    roaring_init_iterator(match, &b.it);
    while (block_next(&b) > 0) {
        for (size_t k = 0; k < n; k++) {
            const uint32_t *ids = v[k]->ids;
            uint32_t *cnt = v[k]->cnt;
            block_lists(&b, v[k]->off);
            for (uint32_t i = 0; i < b.n; i++) {
                if (i + FACETS_PREFETCH < b.n)
                    __builtin_prefetch(&ids[b.from[i + FACETS_PREFETCH]]);
                /* Bounds in locals: cnt may alias b for the compiler. */
                for (uint32_t j = b.from[i], end = b.to[i]; j < end; j++)
                    cnt[ids[j]]++;
            }
        }
    }
}

/* count_by_docs for several fields from their merged lists
 * (docsets_facet_rows): v in ascending field id order, as the values'
 * field ranks are. */
static void count_by_rows(field_count *const *v, const uint32_t *off, const uint32_t *vals,
                          const roaring_bitmap_t *match, uint32_t last)
{
    uint32_t *cnt[SD_FACETS_MAX];
    for (size_t k = 0; k < SD_FACETS_MAX; k++)
        cnt[k] = v[k] ? v[k]->cnt : NULL;
    doc_block b;
    b.last = last;
    roaring_init_iterator(match, &b.it);
    while (block_next(&b) > 0) {
        block_lists(&b, off);
        for (uint32_t i = 0; i < b.n; i++) {
            if (i + FACETS_PREFETCH < b.n)
                __builtin_prefetch(&vals[b.from[i + FACETS_PREFETCH]]);
            for (uint32_t j = b.from[i], end = b.to[i]; j < end; j++)
                cnt[vals[j] >> DOCSETS_ROW_FIELD_SHIFT][vals[j] & DOCSETS_ROW_VALUE_MASK]++;
        }
    }
}

static int by_field_id(const void *a, const void *b)
{
    const field_count *const *x = a, *const *y = b;
    return ((*x)->f->id > (*y)->f->id) - ((*x)->f->id < (*y)->f->id);
}

int facets_count(const facet_req *fr, docsets *ds, xap_db *db, const roaring_bitmap_t *match,
                 facet_run *run, xap_err *err)
{
    field_count fc[SD_FACETS_MAX], *by_doc[SD_FACETS_MAX];
    size_t nby_doc = 0;
    int rc = -1;
    memset(fc, 0, sizeof fc);
    uint64_t matched = roaring_bitmap_get_cardinality(match);
    uint32_t last = docsets_lastdocid(ds);
    for (size_t i = 0; i < fr->n; i++) {
        field_count *c = &fc[i];
        c->f = fr->fields[i];
        if (docsets_facet_ordered(ds, db, c->f, &c->vals, &c->nv, &c->by_count, err) != 0)
            goto done;
        if (!(c->cnt = calloc(c->nv ? c->nv : 1, sizeof *c->cnt))) {
            err->code = XAP_E_NOMEM;
            snprintf(err->msg, sizeof err->msg, "facets: out of memory counting '%s'",
                     c->f->name);
            goto done;
        }
        /* By value when that is estimated cheaper than per document, and
         * only while it stays so (the set may not be independent of the
         * values). */
        size_t keep = c->nv < fr->max_values ? c->nv : fr->max_values;
        double per_doc = per_document_ns(matched, last, c->vals, c->nv);
        double budget = force == FACETS_BY_VALUE      ? HUGE_VAL
                        : force == FACETS_BY_DOCUMENT ? -1
                        : best_values_ns(c, keep, matched, last) < per_doc ? per_doc
                                                                            : -1;
        if (!count_best_values(c, keep, match, matched, last, budget)) {
            if (docsets_facet_docs(ds, db, c->f, &c->off, &c->ids, err) != 0)
                goto done;
            by_doc[nby_doc++] = c;
        }
    }
    if (nby_doc > 1) {
        /* Several fields per document: their merged lists, one per
         * document, when available. */
        const field_def *fields[SD_FACETS_MAX];
        const uint32_t *off = NULL, *vals = NULL;
        qsort(by_doc, nby_doc, sizeof *by_doc, by_field_id);
        for (size_t k = 0; k < nby_doc; k++)
            fields[k] = by_doc[k]->f;
        int got = docsets_facet_rows(ds, db, fields, nby_doc, &off, &vals, err);
        if (got < 0)
            goto done;
        if (got == 0) {
            field_count *ranked[SD_FACETS_MAX] = {0};
            memcpy(ranked, by_doc, nby_doc * sizeof *by_doc);
            count_by_rows(ranked, off, vals, match, last);
            nby_doc = 0;
        }
    }
    if (nby_doc)
        count_by_docs(by_doc, nby_doc, match, last);
    for (size_t i = 0; i < fr->n; i++) {
        if (keep_best(fr, &fc[i], &run->counts[i], &run->ncounts[i], err) != 0)
            goto done;
        run->counted = i + 1;
    }
    rc = 0;
done:
    for (size_t i = 0; i < fr->n; i++)
        free(fc[i].cnt);
    return rc;
}

json_t *facets_json(const facet_req *fr, const facet_run *run, xap_err *err)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    for (size_t i = 0; i < fr->n; i++) {
        json_t *arr = json_array();
        json_object_set_new(o, fr->fields[i]->name, arr);
        const xap_facet_count *c = NULL;
        size_t n = 0;
        if (i < run->counted) {
            c = run->counts[i];
            n = run->ncounts[i];
        }
        for (size_t k = 0; k < n; k++) {
            json_t *val = json_stringn(c[k].value, c[k].len);
            if (!val)
                continue; /* not UTF-8: the indexer never writes such values */
            const char *label = strncmp(json_string_value(val), "urn:", 4) == 0
                                    ? summary_urn_label(json_string_value(val))
                                    : json_string_value(val);
            json_array_append_new(arr, json_pack("{s:o,s:s,s:I}", "value", val, "label", label,
                                                 "count", (json_int_t)c[k].count));
        }
    }
    (void)err;
    return o;
}

void facets_run_free(facet_run *run)
{
    for (size_t i = 0; i < run->counted; i++) {
        xap_facet_counts_free(run->counts[i], run->ncounts[i]);
        run->counts[i] = NULL;
        run->ncounts[i] = 0;
    }
    run->counted = 0;
}
