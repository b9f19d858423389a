/* analyzer.c — the analyzer's life cycle, its term list, and the pipeline
 * that turns text into terms (an_analyze).
 *
 * Pipeline: build the an_chars view (ASCII fast path, or ICU path: UTF-8
 * decode, NFKC, ICU word boundaries), cut it into identifiers (maximal runs
 * of non-break chars, further cut where ICU puts a word boundary between two
 * letters/digits, e.g. inside "数据仓库"), and hand each identifier to the
 * splitter (identifier.c), which normalises and emits its terms.
 *
 * Word indexes continue from the last term already in `out` (0 when it is
 * empty), so terms appended by several calls keep distinct word indexes.
 */
#include "analyzers/analyzer_impl.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


int an_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* One word break iterator opened per process; analyzers clone it (cloning
 * is thread safe and much cheaper than opening, which loads the rules). */
static pthread_once_t an_proto_once = PTHREAD_ONCE_INIT;
static UBreakIterator *an_proto;
static UErrorCode an_proto_status = U_ZERO_ERROR;

static void an_proto_open(void)
{
    an_proto = ubrk_open(UBRK_WORD, "", NULL, 0, &an_proto_status);
    if (U_FAILURE(an_proto_status) && an_proto) {
        ubrk_close(an_proto);
        an_proto = NULL;
    }
}

an_analyzer *an_new(char *err, size_t errlen)
{
    if (pthread_once(&an_proto_once, an_proto_open) != 0 || !an_proto) {
        snprintf(err, errlen, "ICU word break iterator: %s", u_errorName(an_proto_status));
        return NULL;
    }
    an_analyzer *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    UErrorCode st = U_ZERO_ERROR;
    a->words = ubrk_clone(an_proto, &st);
    if (U_FAILURE(st) || !a->words) {
        snprintf(err, errlen, "ICU word break iterator clone: %s", u_errorName(st));
        goto fail;
    }
    a->nfkc = unorm2_getNFKCInstance(&st);
    a->nfkc_cf = unorm2_getNFKCCasefoldInstance(&st);
    a->nfd = unorm2_getNFDInstance(&st);
    a->nfc = unorm2_getNFCInstance(&st);
    if (U_FAILURE(st)) {
        snprintf(err, errlen, "ICU normalizer data: %s", u_errorName(st));
        goto fail;
    }
    xap_err xe = {0};
    a->stem = xap_stem_new("english", &xe);
    if (!a->stem) {
        snprintf(err, errlen, "stemmer: %s", xe.msg);
        goto fail;
    }
    return a;
fail:
    an_free(a);
    return NULL;
}

void an_free(an_analyzer *a)
{
    if (!a)
        return;
    if (a->words)
        ubrk_close(a->words);
    if (a->stem)
        xap_stem_free(a->stem);
    free(a->stems);
    free(a->chars.cp);
    free(a->chars.start);
    free(a->chars.end);
    free(a->chars.cls);
    free(a->chars.brk);
    free(a->u16);
    free(a->u16_start);
    free(a->u16_end);
    free(a->n16);
    free(a->n16_start);
    free(a->n16_end);
    free(a->n16_brk);
    free(a->t1);
    free(a->t2);
    free(a->t3);
    free(a->parts);
    free(a->text.p);
    free(a);
}

void an_terms_init(an_terms *t)
{
    memset(t, 0, sizeof *t);
}

void an_terms_clear(an_terms *t)
{
    t->n = 0;
    t->arena_len = 0;
    t->dropped = 0;
}

void an_terms_free(an_terms *t)
{
    free(t->v);
    free(t->arena);
    an_terms_init(t);
}

int an_terms_push(an_terms *t, const char *s, size_t len, uint32_t pos, uint32_t word,
                  uint32_t start, uint32_t end, an_kind kind)
{
    if (len > AN_MAX_TERM_BYTES) {
        t->dropped++; /* never truncated: a cut term would match wrongly */
        return 0;
    }
    if (an_reserve((void **)&t->v, &t->cap, t->n + 1, sizeof *t->v) < 0)
        return -1;
    if (t->arena_len + len + 1 > t->arena_cap) {
        /* Terms point into the arena: re-point them when it moves. */
        uintptr_t old = (uintptr_t)t->arena;
        if (an_reserve((void **)&t->arena, &t->arena_cap, t->arena_len + len + 1, 1) < 0)
            return -1;
        if ((uintptr_t)t->arena != old)
            for (size_t k = 0; k < t->n; k++)
                t->v[k].text = t->arena + ((uintptr_t)t->v[k].text - old);
    }
    char *d = t->arena + t->arena_len;
    memcpy(d, s, len);
    d[len] = '\0';
    t->arena_len += len + 1;
    t->v[t->n++] = (an_term){.text = d,
                             .len = (uint32_t)len,
                             .pos = pos,
                             .word = word,
                             .start = start,
                             .end = end,
                             .kind = (uint8_t)kind};
    return 0;
}

static int is_ascii(const char *s, size_t len)
{
    unsigned char acc = 0;
    for (size_t i = 0; i < len; i++)
        acc |= (unsigned char)s[i];
    return !(acc & 0x80);
}

int64_t an_analyze_path(an_analyzer *a, const char *text, size_t len, uint32_t first_pos,
                        an_terms *out, an_path path)
{
    if (len > INT32_MAX / 2)
        return -1; /* ICU lengths are int32_t; nothing indexes texts that big */
    int rc = path != AN_PATH_ICU && is_ascii(text, len) ? an_chars_ascii(a, text, len)
                                                          : an_chars_icu(a, text, len);
    if (rc < 0)
        return -1;
    const an_chars *c = &a->chars;
    uint32_t pos = first_pos;
    uint32_t word = out->n ? out->v[out->n - 1].word + 1 : 0;
    size_t i = 0;
    while (i < c->n) {
        if (c->cls[i] == AN_C_BREAK) {
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < c->n && c->cls[j] != AN_C_BREAK &&
               !(an_brk(c, j) && c->cls[j] != AN_C_MARK && an_class_is_alnum(c->cls[j]) &&
                 an_class_is_alnum(c->cls[j - 1])))
            j++;
        if (an_identifier_emit(a, i, j, &pos, &word, out) < 0)
            return -1;
        i = j;
    }
    return pos;
}

int64_t an_analyze(an_analyzer *a, const char *text, size_t len, uint32_t first_pos,
                   an_terms *out)
{
    return an_analyze_path(a, text, len, first_pos, out, AN_PATH_AUTO);
}
