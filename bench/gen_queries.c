/* gen_queries.c — the query mix for search benchmarks, from the catalog.
 *
 * JSON lines {"q": ..., "kind": ..., "target": urn | null} (typo lines add
 * "edits"). `target` is the entity the query was made from: for exact and
 * typo queries the engine should rank it first (they are made only from
 * names that occur once in the catalog); for partial and prefix queries it
 * should be among the hits; column queries have none. Typos follow the
 * design's thresholds: one edit in a word of 5+ letters, two edits in a word
 * of 9+ letters or one in each of two 5+ words; the edit distance (with
 * adjacent transpositions as one edit) is checked, and a typo that spells
 * another name in the catalog is drawn again. A separate random stream is
 * used so that asking for queries never changes the catalog.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "bench/gen_state.h"

typedef enum {
    Q_EXACT,
    Q_PARTIAL,
    Q_COLUMN,
    Q_OWNER,
    Q_TAG,
    Q_TYPO1,
    Q_TYPO2,
    Q_PREFIX,
    Q_KINDS
} q_kind;
static const char *const KIND_NAMES[Q_KINDS] = {"exact", "partial", "column", "owner",
                                                "tag",   "typo1",   "typo2",  "prefix"};
static const unsigned KIND_WEIGHTS[Q_KINDS] = {20, 12, 10, 8, 6, 16, 10, 18};

typedef struct qctx {
    gen_state *st;
    gen_rng rng;
    gen_strmap names; /* display name → occurrences */
    uint32_t *unique; /* datasets whose display name occurs once */
    size_t nunique;
    gen_json out;
} qctx;

static size_t name_len(const gen_dataset *d)
{
    return (size_t)(d->urn + d->qname_off + d->qname_len - (d->urn + d->name_off));
}

/* Optimal string alignment distance (Damerau–Levenshtein without repeated
 * edits of one substring): what "an edit" means for typo tolerance. */
static size_t osa_distance(const char *a, size_t n, const char *b, size_t m)
{
    size_t *rows = malloc(3 * (m + 1) * sizeof *rows);
    if (!rows)
        return (size_t)-1;
    size_t *pp = rows, *p = rows + m + 1, *c = rows + 2 * (m + 1);
    for (size_t j = 0; j <= m; j++)
        p[j] = j;
    for (size_t i = 1; i <= n; i++) {
        c[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t v = p[j] + 1;
            if (c[j - 1] + 1 < v)
                v = c[j - 1] + 1;
            if (p[j - 1] + cost < v)
                v = p[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            c[j] = v;
        }
        size_t *t = pp;
        pp = p;
        p = c;
        c = t;
    }
    size_t d = p[m];
    free(rows);
    return d;
}

typedef struct word {
    size_t at, len;
} word;

/* Words of an identifier: runs of letters split at '_', '.', '/', '-',
 * digits and lower→upper case changes ("stg_CustomerOrders" → stg,
 * Customer, Orders). */
static size_t split_words(const char *s, size_t n, word *w, size_t max)
{
    size_t k = 0, i = 0;
    while (i < n && k < max) {
        while (i < n && !isalpha((unsigned char)s[i]))
            i++;
        if (i >= n)
            break;
        size_t start = i++;
        while (i < n && isalpha((unsigned char)s[i]) &&
               !(isupper((unsigned char)s[i]) && islower((unsigned char)s[i - 1])))
            i++;
        w[k].at = start;
        w[k].len = i - start;
        k++;
    }
    return k;
}

/* One random edit inside s[at..at+len) of t (a copy of the name): substitute,
 * delete, insert or transpose lowercase letters. Returns the change in length. */
static long edit_once(qctx *q, gen_text *t, size_t at, size_t len)
{
    size_t pos = at + gen_rng_below(&q->rng, (uint32_t)len);
    char letter = (char)('a' + gen_rng_below(&q->rng, 26));
    switch (gen_rng_below(&q->rng, 4)) {
    case 0: /* substitute */
        if (t->s[pos] == letter)
            letter = letter == 'z' ? 'a' : (char)(letter + 1);
        t->s[pos] =
            islower((unsigned char)t->s[pos]) ? letter : (char)toupper((unsigned char)letter);
        return 0;
    case 1: /* delete */
        memmove(t->s + pos, t->s + pos + 1, t->len - pos);
        t->len--;
        return -1;
    case 2: /* insert */
        gen_text_addc(t, ' ');
        if (t->failed)
            return 0;
        memmove(t->s + pos + 1, t->s + pos, t->len - pos - 1);
        t->s[pos] = letter;
        return 1;
    default: /* transpose with the next letter of the word */
        if (pos + 1 >= at + len)
            pos--;
        if (t->s[pos] == t->s[pos + 1])
            return edit_once(q, t, at, len);
        char tmp = t->s[pos];
        t->s[pos] = t->s[pos + 1];
        t->s[pos + 1] = tmp;
        return 0;
    }
}

static const gen_dataset *pick_unique(qctx *q)
{
    if (!q->nunique)
        return NULL;
    return &q->st->datasets[q->unique[gen_rng_below(&q->rng, (uint32_t)q->nunique)]];
}

/* A misspelling of a unique name with exactly `edits` edits, in t. */
static const gen_dataset *make_typo(qctx *q, int edits, gen_text *t)
{
    for (int tries = 0; tries < 200; tries++) {
        const gen_dataset *d = pick_unique(q);
        if (!d)
            return NULL;
        const char *name = d->urn + d->name_off;
        size_t n = name_len(d);
        word w[16];
        size_t nw = split_words(name, n, w, 16);
        /* Candidate words: 5+ letters for one edit, 9+ for two in one word. */
        size_t longw[16], nlong = 0, five[16], nfive = 0;
        for (size_t k = 0; k < nw; k++) {
            if (w[k].len >= 9)
                longw[nlong++] = k;
            if (w[k].len >= 5)
                five[nfive++] = k;
        }
        gen_text_clear(t);
        gen_text_addn(t, name, n);
        if (edits == 1) {
            if (!nfive)
                continue;
            word x = w[five[gen_rng_below(&q->rng, (uint32_t)nfive)]];
            edit_once(q, t, x.at, x.len);
        } else if (nlong && (nfive < 2 || gen_rng_chance(&q->rng, 0.5))) {
            word x = w[longw[gen_rng_below(&q->rng, (uint32_t)nlong)]];
            long shift = edit_once(q, t, x.at, x.len);
            edit_once(q, t, x.at, (size_t)((long)x.len + shift));
        } else if (nfive >= 2) {
            size_t a = gen_rng_below(&q->rng, (uint32_t)nfive);
            size_t b = (a + 1 + gen_rng_below(&q->rng, (uint32_t)(nfive - 1))) % nfive;
            word first = w[five[a < b ? a : b]], second = w[five[a < b ? b : a]];
            /* Edit the later word first so the earlier one's offsets hold. */
            edit_once(q, t, second.at, second.len);
            edit_once(q, t, first.at, first.len);
        } else {
            continue;
        }
        if (t->failed)
            return NULL;
        if (osa_distance(t->s, t->len, name, n) != (size_t)edits)
            continue;
        if (gen_strmap_get(&q->names, t->s, t->len))
            continue; /* spells another dataset's name */
        return d;
    }
    return NULL;
}

static void write_line(qctx *q, const char *text, size_t len, q_kind kind, const char *target,
                       int edits)
{
    gen_json *j = &q->out;
    GEN_JSON_LIT(j, "{\"q\":");
    gen_json_strn(j, text, len);
    GEN_JSON_LIT(j, ",\"kind\":\"");
    gen_json_raw(j, KIND_NAMES[kind], strlen(KIND_NAMES[kind]));
    GEN_JSON_LIT(j, "\",\"target\":");
    if (target)
        gen_json_str(j, target);
    else
        GEN_JSON_LIT(j, "null");
    if (edits) {
        GEN_JSON_LIT(j, ",\"edits\":");
        gen_json_int(j, edits);
    }
    GEN_JSON_LIT(j, "}\n");
    q->st->stats.queries++;
}

/* One query of `kind`; 0 if the catalog offers nothing for it (try another). */
static int one_query(qctx *q, q_kind kind)
{
    gen_state *st = q->st;
    gen_text *t = &st->text[0], *u = &st->text[1];
    const gen_dataset *d;
    switch (kind) {
    case Q_EXACT:
        if (!(d = pick_unique(q)))
            return 0;
        write_line(q, d->urn + d->name_off, name_len(d), kind, d->urn, 0);
        return 1;
    case Q_PARTIAL: {
        if (!(d = pick_unique(q)))
            return 0;
        word w[16];
        size_t nw = split_words(d->urn + d->name_off, name_len(d), w, 16);
        if (nw < 2)
            return 0;
        /* Drop words from one end: "customer orders" from fact_customer_orders_daily. */
        size_t keep = 1 + gen_rng_below(&q->rng, (uint32_t)(nw - 1));
        size_t from = gen_rng_chance(&q->rng, 0.5) ? 0 : nw - keep;
        gen_text_clear(t);
        for (size_t k = from; k < from + keep; k++) {
            if (k > from)
                gen_text_addc(t, ' ');
            for (size_t c = 0; c < w[k].len; c++)
                gen_text_addc(t, (char)tolower((unsigned char)d->urn[d->name_off + w[k].at + c]));
        }
        write_line(q, t->s, t->len, kind, d->urn, 0);
        return 1;
    }
    case Q_COLUMN: {
        size_t v = gen_rng_below(&q->rng, (uint32_t)GEN_NCOLUMNS);
        if (!st->column_used[v])
            return 0;
        write_line(q, GEN_COLUMNS[v].name, strlen(GEN_COLUMNS[v].name), kind, NULL, 0);
        return 1;
    }
    case Q_OWNER: {
        /* Popular owners are searched for more often. */
        const gen_user *usr = &st->users[st->user_by_rank[gen_zipf_draw(&st->user_zipf, &q->rng)]];
        gen_text_clear(u);
        gen_text_addf(u, "urn:li:corpuser:%s", usr->id);
        if (gen_rng_chance(&q->rng, 0.7))
            write_line(q, usr->display, strlen(usr->display), kind, u->s, 0);
        else
            write_line(q, usr->id, strlen(usr->id), kind, u->s, 0);
        return 1;
    }
    case Q_TAG: {
        const gen_tag *tag = &GEN_TAGS[gen_zipf_draw(&st->tag_zipf, &q->rng)];
        gen_text_clear(u);
        gen_text_addf(u, "urn:li:tag:%s", tag->name);
        write_line(q, tag->name, strlen(tag->name), kind, u->s, 0);
        return 1;
    }
    case Q_TYPO1:
    case Q_TYPO2: {
        int edits = kind == Q_TYPO1 ? 1 : 2;
        if (!(d = make_typo(q, edits, t)))
            return 0;
        write_line(q, t->s, t->len, kind, d->urn, edits);
        return 1;
    }
    case Q_PREFIX: {
        if (!(d = pick_unique(q)))
            return 0;
        size_t n = name_len(d);
        if (n < 6)
            return 0;
        size_t max = n - 1 < 10 ? n - 1 : 10;
        size_t k = 3 + gen_rng_below(&q->rng, (uint32_t)(max - 3 + 1));
        write_line(q, d->urn + d->name_off, k, kind, d->urn, 0);
        return 1;
    }
    default: return 0;
    }
}

int gen_queries_write(gen_state *st, FILE *f)
{
    qctx q = {.st = st};
    int rc = -1;
    gen_rng_seed(&q.rng, st->opt.seed, 1);
    if (gen_json_init(&q.out, f) < 0)
        goto done;
    for (size_t i = 0; i < st->ndatasets; i++) {
        const gen_dataset *d = &st->datasets[i];
        uint32_t *count = gen_strmap_put(&q.names, d->urn + d->name_off, name_len(d), 0, NULL);
        if (!count)
            goto done;
        (*count)++;
    }
    q.unique = malloc((st->ndatasets ? st->ndatasets : 1) * sizeof *q.unique);
    if (!q.unique)
        goto done;
    for (size_t i = 0; i < st->ndatasets; i++) {
        const gen_dataset *d = &st->datasets[i];
        if (*gen_strmap_get(&q.names, d->urn + d->name_off, name_len(d)) == 1)
            q.unique[q.nunique++] = (uint32_t)i;
    }
    for (long k = 0; k < st->opt.queries; k++) {
        int made = 0;
        for (int tries = 0; !made && tries < 50; tries++)
            made = one_query(&q, (q_kind)gen_rng_weighted(&q.rng, KIND_WEIGHTS, Q_KINDS));
        if (!made)
            break; /* a catalog with no unique names; stats.queries tells how many */
    }
    if (st->text[0].failed || st->text[1].failed || gen_json_flush(&q.out) < 0)
        goto done;
    rc = 0;
done:
    gen_json_free(&q.out);
    free(q.unique);
    gen_strmap_free(&q.names);
    return rc;
}
