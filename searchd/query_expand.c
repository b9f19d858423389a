/* query_expand.c — each query word's alternatives (see query_plan.h).
 *
 * All lookups go to the in-memory vocabulary (vocab.h), never to Xapian:
 * typo and prefix candidates are capped and most-frequent-first there, so a
 * word costs a bounded trie walk whatever the index size (DESIGN.md §9).
 */
#include "searchd/query_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/docbuild.h"

/* A word typed as one that the vocabulary lacks is tried as two vocabulary
 * words from this many code points ("customerorders" → customer orders),
 * each half at least QP_SPLIT_MIN_HALF long: shorter halves would split
 * almost any word into something. */
#define QP_SPLIT_MIN_CPS 6
#define QP_SPLIT_MIN_HALF 3

/* Adjacent words tried as one joined term: "fact orders v2" meets the
 * identifier fact_orders_v2 through its joined form factordersv2. */
#define QP_SPAN_MAX 4

/* Names the query may be once its typos are corrected: every candidate of
 * a single misspelt word (up to this many), or the best candidate of each
 * when several words are misspelt. */
#define QP_TYPO_NAMES_MAX 10
#define QP_TYPO_WORDS_MAX 4

/* A word the vocabulary holds in at least max(QP_KNOWN_MIN_DOCS, doccount
 * / QP_KNOWN_SHARE) documents is taken as spelt right: its typo variants
 * (order → orders, border, odder) would add mostly noise, and they widen a
 * broad query's match — the main cost of searches at a million entities
 * (each typo'd word multiplied the work of broad queries 3 to 5 times).
 * Rare and unknown words keep their variants. The idea is Typesense's
 * typo_tokens_threshold, judged from document frequency instead of a
 * second query; on the relevance set it changes nothing. */
#define QP_KNOWN_MIN_DOCS 20
#define QP_KNOWN_SHARE 2000

/* Longest Xapian term: 245 bytes. */
#define QP_TERM_MAX 245

const char *qp_via_name(qp_via v)
{
    static const char *const names[] = {"exact", "typo", "prefix", "split", "synonym"};
    return (unsigned)v < sizeof names / sizeof names[0] ? names[v] : "exact";
}

/* Every FIELD_TEXT field of the registry. */
static uint32_t text_fields(void)
{
    uint32_t m = 0;
    for (int f = 0; f < F_COUNT; f++)
        if ((FIELDS[f].flags & FIELD_TEXT) && FIELDS[f].prefix)
            m |= 1u << f;
    return m;
}

static char *stem_of(an_analyzer *an, const char *t, size_t len)
{
    char buf[AN_MAX_TERM_BYTES * 2 + 8];
    int n = an_stem(an, t, len, buf, sizeof buf);
    if (n < 0)
        return strndup(t, len);
    return strndup(buf, (size_t)n);
}

static int unit_has(const qp_unit *u, const char *term)
{
    for (size_t i = 0; i < u->nalts; i++)
        if (strcmp(u->alts[i].term, term) == 0)
            return 1;
    return 0;
}

/* Appends an alternative (term copied; stem taken over). */
static int unit_push(qp_unit *u, const char *term, size_t len, char *stem, uint32_t fields,
                     qp_via via, unsigned edits, qp_group group)
{
    qp_alt *na = realloc(u->alts, (u->nalts + 1) * sizeof *na);
    if (!na) {
        free(stem);
        return -1;
    }
    u->alts = na;
    qp_alt *a = &u->alts[u->nalts];
    memset(a, 0, sizeof *a);
    if (!(a->term = strndup(term, len))) {
        free(stem);
        return -1;
    }
    a->stem = stem;
    a->fields = fields;
    a->via = (uint8_t)via;
    a->edits = (uint8_t)edits;
    a->group = (uint8_t)group;
    u->nalts++;
    return 0;
}

static void vocab_opts_of(const ranking_config *cfg, vocab_opts *o)
{
    vocab_opts_defaults(o);
    o->typo_enabled = cfg->typo_enabled;
    o->one_edit_min_len = cfg->one_edit_min_len;
    o->two_edits_min_len = cfg->two_edits_min_len;
    o->first_letter_exempt = cfg->first_letter_exempt;
    o->typo_max = cfg->typo_max;
    o->prefix_enabled = cfg->prefix_enabled;
    o->prefix_min_len = cfg->prefix_min_len;
    o->prefix_max = cfg->prefix_max;
}

/* The form itself, its synonyms, and (with a vocabulary) its typo variants
 * and, when `open` (the word being typed), its completions. Sets *found
 * when the vocabulary has any of them. */
/* The fields a form typed (or a synonym) is searched in: every text field,
 * unless the vocabulary is of the reader's own revision — then it is
 * authoritative, and a word is searched only where it occurs (nowhere when
 * it is absent). A lagging vocabulary would miss a word just indexed into
 * a new field, so it is trusted only when current. Sets *found when the
 * vocabulary has the word. */
static uint32_t form_fields(const vocab *v, int current, const char *form, size_t len, int *found)
{
    vocab_cand c;
    *found = v && vocab_find(v, form, len, &c);
    if (!v || !current)
        return text_fields();
    return *found ? c.fields & text_fields() : 0;
}

static int unit_fill(qp_unit *u, const char *form, const char *stem, int open, an_analyzer *an,
                     const qp_lexicon *lx, const ranking_config *cfg, int *found)
{
    const vocab *v = lx->vocab;
    int current = lx->current;
    size_t len = strlen(form);
    uint32_t all = text_fields();
    int in = 0;
    uint32_t fields = form_fields(v, current, form, len, &in);
    char *s = stem ? strdup(stem) : NULL;
    if ((stem && !s) || unit_push(u, form, len, s, fields, QP_VIA_EXACT, 0, QP_G_EXACT) < 0)
        return -1;
    *found = u->in_vocab = in;
    const rk_synonym_group *g = rk_synonyms_of(cfg, form);
    for (size_t i = 0; g && i < g->n; i++) {
        if (unit_has(u, g->terms[i]))
            continue;
        size_t slen = strlen(g->terms[i]);
        uint32_t sf = form_fields(v, current, g->terms[i], slen, &in);
        char *ss = stem_of(an, g->terms[i], slen);
        if (!ss || unit_push(u, g->terms[i], slen, ss, sf, QP_VIA_SYNONYM, 0, QP_G_EXACT) < 0)
            return -1;
        *found |= in;
    }
    if (!v)
        return 0;
    vocab_opts o;
    vocab_opts_of(cfg, &o);
    vocab_cand known;
    uint32_t well_known = lx->doccount / QP_KNOWN_SHARE;
    if (well_known < QP_KNOWN_MIN_DOCS)
        well_known = QP_KNOWN_MIN_DOCS;
    if (vocab_find(v, form, len, &known) && known.freq >= well_known)
        o.typo_enabled = 0;
    size_t cap = vocab_expand_max(&o);
    vocab_cand *cands = malloc(cap * sizeof *cands);
    if (!cands)
        return -1;
    int n = vocab_expand(v, form, len, open, &o, cands, cap);
    if (n < 0) {
        free(cands);
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const vocab_cand *k = &cands[i];
        if (k->kind == VOCAB_EXACT) {
            *found = 1;
            continue;
        }
        char term[QP_TERM_MAX + 1];
        if (k->len > QP_TERM_MAX || unit_has(u, k->word))
            continue;
        memcpy(term, k->word, k->len);
        term[k->len] = '\0';
        uint32_t fields = k->fields & all;
        if (!fields)
            continue;
        *found = 1;
        if (k->kind == VOCAB_PREFIX)
            rc = unit_push(u, term, k->len, NULL, fields, QP_VIA_PREFIX, 0, QP_G_PREFIX);
        else
            rc = unit_push(u, term, k->len, NULL, fields, QP_VIA_TYPO, k->edits,
                           k->edits >= 2 ? QP_G_TYPO2 : QP_G_TYPO1);
    }
    free(cands);
    return rc;
}

/* An unknown word as two vocabulary words: the cut whose rarer half is the
 * most frequent (the likeliest reading), halves of QP_SPLIT_MIN_HALF code
 * points or more. */
static int split_word(qp_word *w, const vocab *v)
{
    const char *f = w->parts[0];
    size_t len = strlen(f);
    if (vocab_cps(f, len) < QP_SPLIT_MIN_CPS)
        return 0;
    size_t best = 0;
    uint32_t best_freq = 0;
    vocab_cand l, r, bl, br;
    for (size_t k = 1; k < len; k++) {
        if (((unsigned char)f[k] & 0xC0) == 0x80)
            continue; /* inside a code point */
        if (vocab_cps(f, k) < QP_SPLIT_MIN_HALF || vocab_cps(f + k, len - k) < QP_SPLIT_MIN_HALF)
            continue;
        if (!vocab_find(v, f, k, &l) || !vocab_find(v, f + k, len - k, &r))
            continue;
        uint32_t m = l.freq < r.freq ? l.freq : r.freq;
        if (m > best_freq) {
            best_freq = m;
            best = k;
            bl = l;
            br = r;
        }
    }
    if (!best)
        return 0;
    uint32_t all = text_fields();
    if (unit_push(&w->split[0], f, best, NULL, bl.fields & all, QP_VIA_SPLIT, 0, QP_G_SPLIT) < 0 ||
        unit_push(&w->split[1], f + best, len - best, NULL, br.fields & all, QP_VIA_SPLIT, 0,
                  QP_G_SPLIT) < 0)
        return -1;
    return 1;
}

/* The form a word is indexed under as a whole: its joined form, or its only
 * part. */
static const char *whole_form(const qp_word *w)
{
    return w->joined ? w->joined : w->nparts == 1 ? w->parts[0] : NULL;
}

/* Words i .. i+k-1 as one term ("customer id" → customerid), when the
 * vocabulary has it (or, when the span ends with the word being typed, a
 * word it starts). Returns 1 if found, 0 if not, -1 on allocation failure. */
static int span_word(qp_plan *p, size_t i, size_t k, const vocab *v, const ranking_config *cfg)
{
    char joined[AN_MAX_TERM_BYTES + 1];
    size_t len = 0;
    for (size_t j = i; j < i + k; j++) {
        const char *f = whole_form(&p->words[j]);
        if (!f || len + strlen(f) > AN_MAX_TERM_BYTES)
            return 0;
        memcpy(joined + len, f, strlen(f));
        len += strlen(f);
    }
    joined[len] = '\0';
    uint32_t all = text_fields();
    vocab_cand c;
    qp_unit *u = &p->words[i].span;
    if (vocab_find(v, joined, len, &c) &&
        unit_push(u, joined, len, NULL, all, QP_VIA_SPLIT, 0, QP_G_EXACT) < 0)
        return -1;
    int open = p->last_open && i + k == p->nwords;
    if (open && cfg->prefix_enabled && cfg->prefix_max > 0 &&
        vocab_cps(joined, len) >= cfg->prefix_min_len) {
        vocab_cand pre[VOCAB_MAX_EXPANSIONS];
        int n = vocab_prefix(v, joined, len, pre, cfg->prefix_max);
        for (int m = 0; m < n; m++) {
            if (pre[m].len > QP_TERM_MAX || unit_has(u, pre[m].word) || !(pre[m].fields & all))
                continue;
            if (u->nalts == 0 &&
                unit_push(u, joined, len, NULL, all, QP_VIA_SPLIT, 0, QP_G_EXACT) < 0)
                return -1; /* alts[0] is always the joined form itself */
            if (unit_has(u, pre[m].word))
                continue;
            if (unit_push(u, pre[m].word, pre[m].len, NULL, pre[m].fields & all, QP_VIA_PREFIX, 0,
                          QP_G_PREFIX) < 0)
                return -1;
        }
    }
    if (u->nalts)
        p->words[i].span_len = k;
    return u->nalts > 0;
}

/* Spans, longest first from each word, not overlapping. */
static int find_spans(qp_plan *p, const vocab *v, const ranking_config *cfg)
{
    for (size_t i = 0; i + 1 < p->nwords;) {
        size_t k = p->nwords - i < QP_SPAN_MAX ? p->nwords - i : QP_SPAN_MAX, found = 0;
        for (; k >= 2 && !found; k--) {
            int rc = span_word(p, i, k, v, cfg);
            if (rc < 0)
                return -1;
            if (rc > 0) {
                found = k;
                /* A word is not lost when it meets its neighbours as one. */
                for (size_t j = i; j < i + k; j++)
                    p->words[j].nothing = 0;
            }
        }
        i += found ? found : 1;
    }
    return 0;
}

/* The misspelt parts of the query, in order, with where they sit in norm. */
typedef struct misspelt {
    const qp_unit *u;
    size_t pos, len; /* the part's bytes in p->norm */
} misspelt;

/* The exact-name terms of the query with its typos corrected: a name that
 * is the query up to typos gains the bonus times the typo weight. */
static int typo_names(qp_plan *p)
{
    misspelt m[QP_TYPO_WORDS_MAX];
    size_t nm = 0, cursor = 0;
    if (!p->norm)
        return 0;
    for (size_t i = 0; i < p->nwords; i++) {
        const qp_word *w = &p->words[i];
        for (size_t j = 0; j < w->nparts; j++) {
            const char *at = strstr(p->norm + cursor, w->parts[j]);
            if (!at)
                return 0; /* the norm does not hold the parts in order: no correction */
            size_t pos = (size_t)(at - p->norm), len = strlen(w->parts[j]);
            cursor = pos + len;
            const qp_unit *u = &w->part_units[j];
            int typos = 0;
            for (size_t a = 0; a < u->nalts && !typos; a++)
                typos = u->alts[a].via == QP_VIA_TYPO;
            if (u->in_vocab || !typos)
                continue;
            if (nm == QP_TYPO_WORDS_MAX)
                return 0;
            m[nm++] = (misspelt){u, pos, len};
        }
    }
    if (nm == 0)
        return 0;
    size_t nlen = strlen(p->norm);
    char buf[QP_TERM_MAX + 1];
    /* One misspelt word: each of its candidates; several: each one's best. */
    size_t variants = 0;
    for (size_t a = 0; variants < QP_TYPO_NAMES_MAX; a++) {
        size_t out = 0, from = 0;
        unsigned edits = 0;
        int ok = 1;
        for (size_t k = 0; k < nm && ok; k++) {
            /* The a-th typo candidate of the only word, or the best of each. */
            const qp_alt *alt = NULL;
            size_t seen = 0;
            for (size_t x = 0; x < m[k].u->nalts && !alt; x++)
                if (m[k].u->alts[x].via == QP_VIA_TYPO && seen++ == (nm == 1 ? a : 0))
                    alt = &m[k].u->alts[x];
            if (!alt) {
                ok = 0;
                break;
            }
            size_t keep = m[k].pos - from, alen = strlen(alt->term);
            if (out + keep + alen > QP_TERM_MAX) {
                ok = 0;
                break;
            }
            memcpy(buf + out, p->norm + from, keep);
            memcpy(buf + out + keep, alt->term, alen);
            out += keep + alen;
            from = m[k].pos + m[k].len;
            if (alt->edits > edits)
                edits = alt->edits;
        }
        if (!ok || out + (nlen - from) > QP_TERM_MAX)
            break;
        memcpy(buf + out, p->norm + from, nlen - from);
        out += nlen - from;
        if (qp_add_exact_name(p, buf, out, QP_B_TYPO, edits) < 0)
            return -1;
        variants++;
        if (nm > 1)
            break;
    }
    return 0;
}

/* Entities whose name is the query with its separators ignored (the
 * autocomplete index compares compact names: "customer orders" is
 * customer_orders), or starts with the query while its last word is
 * unfinished (not a word of the vocabulary). */
static int index_names(qp_plan *p, an_analyzer *an, an_terms *scratch, const names *nm,
                       const char *type, char *err, size_t errlen)
{
    if (!nm || !p->norm)
        return 0;
    /* A name starting with the query says something only while its last
     * word is unfinished: a complete word is matched as itself. */
    const qp_word *last = p->nwords ? &p->words[p->nwords - 1] : NULL;
    int unfinished = p->last_open && last && last->nparts &&
                     !last->part_units[last->nparts - 1].in_vocab && !last->joined_unit.in_vocab;
    names_result *res = malloc(sizeof *res);
    if (!res)
        return -1;
    /* Only exact and starting compact names: the word-by-word and typo
     * matching of autocomplete was a sixth of an exact-name search. */
    names_status st = names_find_compact(nm, an, scratch, p->norm, strlen(p->norm), type,
                                         NAMES_LIMIT_MAX, unfinished, res, err, errlen);
    int rc = 0;
    for (size_t i = 0; st == NAMES_OK && i < res->n && rc == 0; i++) {
        const names_hit *h = &res->hits[i];
        if (h->kind != NAMES_ENTITY || !h->urn)
            continue;
        qp_bonus_kind kind;
        if (h->quality == NAMES_Q_EXACT)
            kind = QP_B_EXACT;
        else if (h->quality == NAMES_Q_START && unfinished)
            kind = QP_B_PREFIX;
        else
            continue;
        char term[QP_TERM_MAX + 1];
        int n = doc_id_term(h->urn, term, sizeof term);
        if (n > 0)
            rc = qp_add_bonus(p, term, (size_t)n, kind, 0);
    }
    free(res);
    /* A query the autocomplete index refuses (too many words) only loses
     * these bonuses; the search itself goes on. */
    return rc;
}

qp_status qp_expand(qp_plan *p, an_analyzer *an, an_terms *scratch, const qp_lexicon *lx,
                    const char *type, const ranking_config *cfg, char *err, size_t errlen)
{
    const vocab *v = lx->vocab;
    const names *nm = lx->names;
    p->expanded = v != NULL;
    p->vocab_current = v != NULL && lx->current;
    for (size_t i = 0; i < p->nwords; i++) {
        qp_word *w = &p->words[i];
        int open = p->last_open && i + 1 == p->nwords;
        if (!(w->part_units = calloc(w->nparts ? w->nparts : 1, sizeof *w->part_units)))
            goto nomem;
        int parts_found = w->nparts > 0, found = 0;
        for (size_t j = 0; j < w->nparts; j++) {
            if (unit_fill(&w->part_units[j], w->parts[j], w->part_stems[j],
                          open && j + 1 == w->nparts, an, lx, cfg, &found) < 0)
                goto nomem;
            parts_found &= found;
        }
        int joined_found = 0;
        if (w->joined && unit_fill(&w->joined_unit, w->joined, w->joined_stem, open, an, lx, cfg,
                                   &joined_found) < 0)
            goto nomem;
        if (!v)
            continue;
        int split = 0;
        if (!parts_found && !joined_found && w->nparts == 1 && !w->joined &&
            (split = split_word(w, v)) < 0)
            goto nomem;
        w->nothing = !parts_found && !joined_found && !split;
        if (w->nothing) {
            const char *form = whole_form(w);
            vocab_cand c;
            if (form && vocab_did_you_mean(v, form, strlen(form), &c) &&
                !(w->suggestion = strndup(c.word, c.len)))
                goto nomem;
        }
    }
    if (v && (find_spans(p, v, cfg) < 0 || typo_names(p) < 0))
        goto nomem;
    char nerr[256];
    if (index_names(p, an, scratch, nm, type, nerr, sizeof nerr) < 0)
        goto nomem;
    return QP_OK;
nomem:
    snprintf(err, errlen, "out of memory expanding the query");
    return QP_INTERNAL;
}

char *qp_did_you_mean(const qp_plan *p)
{
    size_t need = 1;
    int any = 0;
    for (size_t i = 0; i < p->nwords; i++) {
        const qp_word *w = &p->words[i];
        const char *s = w->nothing && w->suggestion ? w->suggestion : w->text;
        any |= w->nothing && w->suggestion;
        need += strlen(s) + 1;
    }
    if (!any)
        return NULL;
    char *out = malloc(need);
    if (!out)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < p->nwords; i++) {
        const qp_word *w = &p->words[i];
        const char *s = w->nothing && w->suggestion ? w->suggestion : w->text;
        if (i)
            out[n++] = ' ';
        memcpy(out + n, s, strlen(s));
        n += strlen(s);
    }
    out[n] = '\0';
    return out;
}

/* Lower is better: how directly an alternative answers the word. */
static int alt_rank(const qp_alt *a)
{
    switch (a->via) {
    case QP_VIA_EXACT:
        return 0;
    case QP_VIA_SYNONYM:
        return 1;
    case QP_VIA_SPLIT:
        return 2;
    case QP_VIA_PREFIX:
        return 3;
    default:
        return 3 + a->edits;
    }
}

static void best_in(const qp_unit *u, const char *term, const qp_alt **best)
{
    for (size_t i = 0; i < u->nalts; i++)
        if (strcmp(u->alts[i].term, term) == 0 &&
            (!*best || alt_rank(&u->alts[i]) < alt_rank(*best)))
            *best = &u->alts[i];
}

const qp_alt *qp_find_alt(const qp_plan *p, size_t nwords, const char *term)
{
    const qp_alt *best = NULL;
    if (nwords > p->nwords)
        nwords = p->nwords;
    for (size_t i = 0; i < nwords; i++) {
        const qp_word *w = &p->words[i];
        for (size_t j = 0; w->part_units && j < w->nparts; j++)
            best_in(&w->part_units[j], term, &best);
        best_in(&w->joined_unit, term, &best);
        best_in(&w->split[0], term, &best);
        best_in(&w->split[1], term, &best);
        if (w->span_len && i + w->span_len <= nwords)
            best_in(&w->span, term, &best);
    }
    return best;
}

static int unit_has_alt(const qp_unit *u, size_t from, const char *term)
{
    for (size_t i = from; i < u->nalts; i++)
        if (strcmp(u->alts[i].term, term) == 0)
            return 1;
    return 0;
}

int qp_word_has_alt(const qp_word *w, const char *term)
{
    for (size_t j = 0; w->part_units && j < w->nparts; j++)
        if (unit_has_alt(&w->part_units[j], 1, term))
            return 1;
    return unit_has_alt(&w->joined_unit, 1, term) || unit_has_alt(&w->split[0], 0, term) ||
           unit_has_alt(&w->split[1], 0, term);
}

static int unit_alt_in(const qp_unit *u, size_t from, const char *plain)
{
    for (size_t i = from; i < u->nalts; i++)
        if (strstr(plain, u->alts[i].term))
            return 1;
    return 0;
}

int qp_word_alt_in(const qp_word *w, const char *plain)
{
    for (size_t j = 0; w->part_units && j < w->nparts; j++)
        if (unit_alt_in(&w->part_units[j], 1, plain))
            return 1;
    return unit_alt_in(&w->joined_unit, 1, plain) || unit_alt_in(&w->split[0], 0, plain) ||
           unit_alt_in(&w->split[1], 0, plain);
}
