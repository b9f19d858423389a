/* stem.c — Snowball English stemming of one normalised term (an_stem).
 *
 * The caller decides which fields are stemmed; the analyzer never stems by
 * itself. Terms with digits ("v2", "2023", "s3") and terms of fewer than 3
 * letters are identifiers or abbreviations, not English words, and stay as
 * they are.
 */
#include "analyzers/analyzer_impl.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

/* Number of code points, and whether any of them is a digit. */
static size_t count_letters(const char *term, size_t len, int *has_digit)
{
    const uint8_t *s = (const uint8_t *)term;
    size_t n = 0;
    *has_digit = 0;
    int32_t i = 0, l = (int32_t)len;
    while (i < l) {
        UChar32 c;
        U8_NEXT(s, i, l, c);
        if (c >= 0 && (c < 0x80 ? (c >= '0' && c <= '9') : u_isdigit(c)))
            *has_digit = 1;
        n++;
    }
    return n;
}

static int stem_uncached(an_analyzer *a, const char *term, size_t len, char *out, size_t cap)
{
    if (len > INT32_MAX)
        return -1;
    int has_digit;
    size_t letters = count_letters(term, len, &has_digit);
    if (has_digit || letters < 3) {
        if (len + 1 > cap)
            return -1;
        memcpy(out, term, len);
        out[len] = '\0';
        return (int)len;
    }
    return xap_stem_word(a->stem, term, len, out, cap);
}

int an_stem(an_analyzer *a, const char *term, size_t len, char *out, size_t cap)
{
    an_stem_entry *e = NULL;
    if (len > 0 && len < AN_STEM_CACHE_WORD &&
        (a->stems || (a->stems = calloc(AN_STEM_CACHE_SLOTS, sizeof *a->stems)))) {
        uint32_t h = 2166136261u; /* FNV-1a */
        for (size_t i = 0; i < len; i++)
            h = (h ^ (unsigned char)term[i]) * 16777619u;
        e = &a->stems[h & (AN_STEM_CACHE_SLOTS - 1)];
        if (e->wlen == len && memcmp(e->word, term, len) == 0) {
            if ((size_t)e->slen + 1 > cap)
                return -1;
            memcpy(out, e->stem, e->slen);
            out[e->slen] = '\0';
            return e->slen;
        }
    }
    int n = stem_uncached(a, term, len, out, cap);
    if (e && n >= 0 && n < AN_STEM_CACHE_WORD) {
        e->wlen = (uint8_t)len;
        memcpy(e->word, term, len);
        e->slen = (uint8_t)n;
        memcpy(e->stem, out, (size_t)n);
    }
    return n;
}
