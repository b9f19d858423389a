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

/* A word typed as one that the vocabulary lacks is tried as two vocabulary
 * words from this many code points ("customerorders" → customer orders),
 * each half at least QP_SPLIT_MIN_HALF long: shorter halves would split
 * almost any word into something. */
#define QP_SPLIT_MIN_CPS 6
#define QP_SPLIT_MIN_HALF 3

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
static int unit_fill(qp_unit *u, const char *form, const char *stem, int open, an_analyzer *an,
                     const vocab *v, const ranking_config *cfg, int *found)
{
    size_t len = strlen(form);
    uint32_t all = text_fields();
    char *s = stem ? strdup(stem) : NULL;
    if ((stem && !s) || unit_push(u, form, len, s, all, QP_VIA_EXACT, 0, QP_G_EXACT) < 0)
        return -1;
    *found = 0;
    vocab_cand c;
    if (v && vocab_find(v, form, len, &c))
        *found = 1;
    const rk_synonym_group *g = rk_synonyms_of(cfg, form);
    for (size_t i = 0; g && i < g->n; i++) {
        if (unit_has(u, g->terms[i]))
            continue;
        char *ss = stem_of(an, g->terms[i], strlen(g->terms[i]));
        if (!ss || unit_push(u, g->terms[i], strlen(g->terms[i]), ss, all, QP_VIA_SYNONYM, 0,
                             QP_G_EXACT) < 0)
            return -1;
        if (v && vocab_find(v, g->terms[i], strlen(g->terms[i]), &c))
            *found = 1;
    }
    if (!v)
        return 0;
    vocab_opts o;
    vocab_opts_of(cfg, &o);
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
    if (unit_push(&w->split[0], f, best, NULL, bl.fields & all, QP_VIA_SPLIT, 0, QP_G_SPLIT) <
            0 ||
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

/* Word i and word i+1 as one term ("customer id" → customerid), when the
 * vocabulary has it (or, for the word being typed, a word it starts). */
static int pair_word(qp_plan *p, size_t i, const vocab *v, const ranking_config *cfg)
{
    const char *a = whole_form(&p->words[i]), *b = whole_form(&p->words[i + 1]);
    if (!a || !b)
        return 0;
    size_t la = strlen(a), lb = strlen(b);
    if (la + lb > AN_MAX_TERM_BYTES)
        return 0;
    char joined[AN_MAX_TERM_BYTES + 1];
    memcpy(joined, a, la);
    memcpy(joined + la, b, lb);
    joined[la + lb] = '\0';
    uint32_t all = text_fields();
    vocab_cand c;
    qp_unit *u = &p->words[i].pair;
    if (vocab_find(v, joined, la + lb, &c) &&
        unit_push(u, joined, la + lb, NULL, all, QP_VIA_SPLIT, 0, QP_G_EXACT) < 0)
        return -1;
    int open = p->last_open && i + 2 == p->nwords;
    if (open && cfg->prefix_enabled && cfg->prefix_max > 0 &&
        vocab_cps(joined, la + lb) >= cfg->prefix_min_len) {
        vocab_cand pre[VOCAB_MAX_EXPANSIONS];
        int n = vocab_prefix(v, joined, la + lb, pre, cfg->prefix_max);
        for (int k = 0; k < n; k++) {
            if (pre[k].len > QP_TERM_MAX || unit_has(u, pre[k].word) || !(pre[k].fields & all))
                continue;
            if (u->nalts == 0 &&
                unit_push(u, joined, la + lb, NULL, all, QP_VIA_SPLIT, 0, QP_G_EXACT) < 0)
                return -1; /* alts[0] is always the joined form itself */
            if (unit_has(u, pre[k].word))
                continue;
            if (unit_push(u, pre[k].word, pre[k].len, NULL, pre[k].fields & all,
                          QP_VIA_PREFIX, 0, QP_G_PREFIX) < 0)
                return -1;
        }
    }
    return 0;
}

qp_status qp_expand(qp_plan *p, an_analyzer *an, const vocab *v, const ranking_config *cfg,
                    char *err, size_t errlen)
{
    p->expanded = v != NULL;
    for (size_t i = 0; i < p->nwords; i++) {
        qp_word *w = &p->words[i];
        int open = p->last_open && i + 1 == p->nwords;
        if (!(w->part_units = calloc(w->nparts ? w->nparts : 1, sizeof *w->part_units)))
            goto nomem;
        int parts_found = w->nparts > 0, found = 0;
        for (size_t j = 0; j < w->nparts; j++) {
            if (unit_fill(&w->part_units[j], w->parts[j], w->part_stems[j],
                          open && j + 1 == w->nparts, an, v, cfg, &found) < 0)
                goto nomem;
            parts_found &= found;
        }
        int joined_found = 0;
        if (w->joined && unit_fill(&w->joined_unit, w->joined, w->joined_stem, open, an, v, cfg,
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
    for (size_t i = 0; v && i + 1 < p->nwords; i++)
        if (pair_word(p, i, v, cfg) < 0)
            goto nomem;
    /* A word is not lost when it meets the next one as a joined form. */
    for (size_t i = 0; v && i + 1 < p->nwords; i++)
        if (p->words[i].pair.nalts)
            p->words[i].nothing = p->words[i + 1].nothing = 0;
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
    case QP_VIA_EXACT: return 0;
    case QP_VIA_SYNONYM: return 1;
    case QP_VIA_SPLIT: return 2;
    case QP_VIA_PREFIX: return 3;
    default: return 3 + a->edits;
    }
}

static void best_in(const qp_unit *u, const char *term, const qp_alt **best)
{
    for (size_t i = 0; i < u->nalts; i++)
        if (strcmp(u->alts[i].term, term) == 0 && (!*best || alt_rank(&u->alts[i]) < alt_rank(*best)))
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
        if (i + 1 < nwords)
            best_in(&w->pair, term, &best);
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
