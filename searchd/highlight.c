/* highlight.c — query words found in a text, and the text marked up
 * (see highlight.h). */
#include "searchd/highlight.h"

#include <stdlib.h>
#include <string.h>

#define HL_STEM_MAX (AN_MAX_TERM_BYTES * 2 + 8)

void hl_init(hl_ctx *h, an_analyzer *an, const qp_plan *plan, size_t nwords)
{
    memset(h, 0, sizeof *h);
    h->an = an;
    an_terms_init(&h->terms);
    h->plan = plan;
    h->nwords = nwords < plan->nwords ? nwords : plan->nwords;
    if (h->nwords > 64)
        h->nwords = 64; /* the word mask is 64 bits; SD_QUERY_WORDS_MAX is below */
}

void hl_free(hl_ctx *h) { an_terms_free(&h->terms); }

void hl_text_free(hl_text *t)
{
    free(t->spans);
    memset(t, 0, sizeof *t);
}

/* Does text term i equal the query form (or, for prose, share its stem)? */
static int term_is(const an_terms *tt, char *const *stems, size_t i, const char *form,
                   const char *form_stem)
{
    if (!form)
        return 0;
    if (strcmp(tt->v[i].text, form) == 0)
        return 1;
    return stems && form_stem && strcmp(stems[i], form_stem) == 0;
}

static int text_has(const an_terms *tt, char *const *stems, const char *form, const char *stem)
{
    for (size_t i = 0; i < tt->n; i++)
        if (term_is(tt, stems, i, form, stem))
            return 1;
    return 0;
}

static int word_in_text(const qp_word *w, const an_terms *tt, char *const *stems)
{
    if (w->joined && text_has(tt, stems, w->joined, w->joined_stem))
        return 1;
    /* A typo, completion, synonym or split half the query matched (a
     * part: a completion such as "emailaddress" of "email" must not mark
     * the whole email_address). */
    for (size_t i = 0; i < tt->n; i++)
        if (tt->v[i].kind == AN_PART && qp_word_has_alt(w, tt->v[i].text))
            return 1;
    if (w->nparts == 0)
        return 0;
    for (size_t p = 0; p < w->nparts; p++)
        if (!text_has(tt, stems, w->parts[p], w->part_stems[p]))
            return 0;
    return 1;
}

static int term_of_word(const qp_word *w, const an_terms *tt, char *const *stems, size_t i)
{
    if (term_is(tt, stems, i, w->joined, w->joined_stem) ||
        (tt->v[i].kind == AN_PART && qp_word_has_alt(w, tt->v[i].text)))
        return 1;
    for (size_t p = 0; p < w->nparts; p++)
        if (term_is(tt, stems, i, w->parts[p], w->part_stems[p]))
            return 1;
    return 0;
}

static int span_cmp(const void *a, const void *b)
{
    const hl_span *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start ? 1 : (int)x->end - (int)y->end;
}

int hl_scan(hl_ctx *h, const char *text, size_t len, int stemmed, hl_text *out)
{
    memset(out, 0, sizeof *out);
    out->text = text;
    out->len = len;
    if (!text || len == 0 || h->nwords == 0)
        return 0;
    an_terms_clear(&h->terms);
    if (an_analyze(h->an, text, len, 0, &h->terms) < 0)
        return -1;
    const an_terms *tt = &h->terms;
    if (tt->n == 0)
        return 0;
    char **stems = NULL;
    char *stem_buf = NULL;
    if (stemmed) {
        stems = malloc(tt->n * sizeof *stems);
        stem_buf = malloc(tt->n * HL_STEM_MAX);
        if (!stems || !stem_buf)
            goto nomem;
        for (size_t i = 0; i < tt->n; i++) {
            stems[i] = stem_buf + i * HL_STEM_MAX;
            if (an_stem(h->an, tt->v[i].text, tt->v[i].len, stems[i], HL_STEM_MAX) < 0)
                stems[i][0] = '\0';
        }
    }
    out->spans = malloc(tt->n * sizeof *out->spans);
    if (!out->spans)
        goto nomem;
    for (size_t w = 0; w < h->nwords; w++) {
        const qp_word *qw = &h->plan->words[w];
        if (!word_in_text(qw, tt, stems))
            continue;
        out->words |= (uint64_t)1 << w;
        for (size_t i = 0; i < tt->n; i++) {
            const an_term *t = &tt->v[i];
            if (t->end <= t->start || t->end > len || !term_of_word(qw, tt, stems, i))
                continue;
            out->spans[out->nspans].start = t->start;
            out->spans[out->nspans].end = t->end;
            out->nspans++;
            if (out->nspans == tt->n)
                break;
        }
        if (out->nspans == tt->n)
            break;
    }
    /* Merge into sorted, disjoint spans. */
    qsort(out->spans, out->nspans, sizeof *out->spans, span_cmp);
    size_t k = 0;
    for (size_t i = 0; i < out->nspans; i++) {
        if (k > 0 && out->spans[i].start <= out->spans[k - 1].end) {
            if (out->spans[i].end > out->spans[k - 1].end)
                out->spans[k - 1].end = out->spans[i].end;
        } else {
            out->spans[k++] = out->spans[i];
        }
    }
    out->nspans = k;
    free(stems);
    free(stem_buf);
    return 0;
nomem:
    free(stems);
    free(stem_buf);
    hl_text_free(out);
    return -1;
}

static int buf_put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t nc = *cap ? *cap : 256;
        while (nc < *len + n + 1)
            nc *= 2;
        char *nb = realloc(*buf, nc);
        if (!nb)
            return -1;
        *buf = nb;
        *cap = nc;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

int hl_escape_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    size_t run = 0; /* bytes copied as they are, flushed before each escape */
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        case '\n': case '\r': case '\t': case '\f': case '\v': rep = " "; break;
        default: run++; continue;
        }
        if (buf_put(buf, len, cap, s + i - run, run) < 0 ||
            buf_put(buf, len, cap, rep, strlen(rep)) < 0)
            return -1;
        run = 0;
    }
    return buf_put(buf, len, cap, s + n - run, run);
}

/* Moves a byte offset to the start of the UTF-8 character holding it. */
static size_t char_start(const char *s, size_t i)
{
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

char *hl_render(const hl_text *t, size_t max_bytes, size_t lead_bytes)
{
    size_t ws = 0, we = t->len;
    if (max_bytes > 0 && t->len > max_bytes) {
        size_t first = t->nspans ? t->spans[0].start : 0;
        ws = first > lead_bytes ? first - lead_bytes : 0;
        if (ws + max_bytes > t->len)
            ws = t->len - max_bytes;
        if (ws > first)
            ws = first;
        if (ws > 0) {
            /* Start after a space when one is near, so no word is cut. */
            size_t s = ws;
            while (s < first && t->text[s - 1] != ' ')
                s++;
            ws = s < first ? s : char_start(t->text, ws);
        }
        we = ws + max_bytes;
        if (we >= t->len) {
            we = t->len;
        } else {
            size_t e = we;
            while (e > ws + max_bytes / 2 && t->text[e] != ' ')
                e--;
            we = t->text[e] == ' ' ? e : char_start(t->text, we);
        }
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (buf_put(&buf, &len, &cap, "", 0) < 0)
        return NULL;
    if (ws > 0 && buf_put(&buf, &len, &cap, "\xE2\x80\xA6", 3) < 0)
        goto nomem;
    size_t at = ws;
    for (size_t i = 0; i < t->nspans && at < we; i++) {
        size_t s = t->spans[i].start, e = t->spans[i].end;
        if (e <= at)
            continue;
        if (s < at)
            s = at;
        if (e > we)
            e = we;
        if (s >= e)
            continue;
        if (hl_escape_append(&buf, &len, &cap, t->text + at, s - at) < 0 ||
            buf_put(&buf, &len, &cap, "<mark>", 6) < 0 ||
            hl_escape_append(&buf, &len, &cap, t->text + s, e - s) < 0 ||
            buf_put(&buf, &len, &cap, "</mark>", 7) < 0)
            goto nomem;
        at = e;
    }
    if (at < we && hl_escape_append(&buf, &len, &cap, t->text + at, we - at) < 0)
        goto nomem;
    if (we < t->len && buf_put(&buf, &len, &cap, "\xE2\x80\xA6", 3) < 0)
        goto nomem;
    return buf;
nomem:
    free(buf);
    return NULL;
}
