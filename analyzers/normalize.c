/* normalize.c — NFKC, case folding and accent folding.
 *
 * Two places normalise:
 *   - the text as a whole gets NFKC before it is classified and split, so
 *     fullwidth letters and separators ("ＡＢＣ", "＿") behave like ASCII;
 *     this keeps each char's input byte span (an_nfkc_mapped);
 *   - each part, after splitting (splitting needs the original case for
 *     camelCase), gets NFKC_Casefold (full case folding, NFKC, default
 *     ignorables removed: Straße → strasse) and then accent folding.
 *
 * Accent folding: decompose (NFD), drop nonspacing marks that sit on a
 * Latin, Greek or Cyrillic letter, recompose (NFC). Marks on other scripts
 * are kept, because there they are part of the spelling (Japanese dakuten,
 * Indic vowel signs, Hebrew points). Cyrillic keeps its breve (й, ў are
 * letters of their own). A few Latin letters have no decomposition but are
 * searched for as their base: ø→o, đ/ð→d, ł→l, ħ→h, ŧ→t, ı→i, æ→ae, œ→oe,
 * þ→th.
 */
#include "analyzers/analyzer_impl.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

static int n16_reserve(an_analyzer *a, size_t need)
{
    if (need <= a->n16_cap)
        return 0;
    size_t cap = a->n16_cap ? a->n16_cap : 64;
    while (cap < need)
        cap *= 2;
    UChar *u = realloc(a->n16, cap * sizeof *u);
    if (!u)
        return -1;
    a->n16 = u;
    uint32_t *st = realloc(a->n16_start, cap * sizeof *st);
    if (!st)
        return -1;
    a->n16_start = st;
    uint32_t *en = realloc(a->n16_end, cap * sizeof *en);
    if (!en)
        return -1;
    a->n16_end = en;
    uint8_t *bk = realloc(a->n16_brk, cap);
    if (!bk)
        return -1;
    a->n16_brk = bk;
    a->n16_cap = cap;
    return 0;
}

/* Normalises src[0..n) with `norm` into *dst (grown as needed); returns the
 * length or -1. src and *dst must not overlap. */
static int32_t norm_into(const UNormalizer2 *norm, const UChar *src, int32_t n, UChar **dst,
                         size_t *cap)
{
    for (;;) {
        UErrorCode st = U_ZERO_ERROR;
        int32_t got = unorm2_normalize(norm, src, n, *dst, (int32_t)*cap, &st);
        if (st == U_BUFFER_OVERFLOW_ERROR || st == U_STRING_NOT_TERMINATED_WARNING) {
            if (an_reserve((void **)dst, cap, (size_t)got + 1, sizeof **dst) < 0)
                return -1;
            continue;
        }
        if (U_FAILURE(st))
            return -1;
        return got;
    }
}

int64_t an_nfkc_mapped(an_analyzer *a, size_t n)
{
    size_t k = 0;
    if (n16_reserve(a, n + 1) < 0)
        return -1;
    int32_t i = 0, len = (int32_t)n;
    while (i < len) {
        /* The already-normalised stretch is copied as is; it ends on a
         * normalisation boundary, so what follows can be normalised alone. */
        UErrorCode st = U_ZERO_ERROR;
        int32_t yes = unorm2_spanQuickCheckYes(a->nfkc, a->u16 + i, len - i, &st);
        if (U_FAILURE(st))
            return -1;
        int32_t k0 = i + yes;
        memcpy(a->n16 + k, a->u16 + i, (size_t)yes * sizeof(UChar));
        memcpy(a->n16_start + k, a->u16_start + i, (size_t)yes * sizeof(uint32_t));
        memcpy(a->n16_end + k, a->u16_end + i, (size_t)yes * sizeof(uint32_t));
        k += (size_t)yes;
        if (k0 >= len)
            break;
        /* One normalisation segment [k0, j): a starter and what combines
         * with it. Its output chars all map to the segment's input span. */
        int32_t j = k0;
        U16_FWD_1(a->u16, j, len);
        while (j < len) {
            UChar32 c;
            U16_GET(a->u16, 0, j, len, c);
            if (unorm2_hasBoundaryBefore(a->nfkc, c))
                break;
            U16_FWD_1(a->u16, j, len);
        }
        int32_t got = norm_into(a->nfkc, a->u16 + k0, j - k0, &a->t3, &a->t3_cap);
        if (got < 0)
            return -1;
        /* Normalised output still has to fit with the rest of the input. */
        if (n16_reserve(a, k + (size_t)got + (size_t)(len - j) + 1) < 0)
            return -1;
        memcpy(a->n16 + k, a->t3, (size_t)got * sizeof(UChar));
        for (int32_t m = 0; m < got; m++) {
            a->n16_start[k + (size_t)m] = a->u16_start[k0];
            a->n16_end[k + (size_t)m] = a->u16_end[j - 1];
        }
        k += (size_t)got;
        i = j;
    }
    if (k > INT32_MAX / 2)
        return -1;
    return (int64_t)k;
}

/* Letters without a decomposition that people type as their base letters. */
static const char *fold_letter(UChar32 c)
{
    switch (c) {
    case 0x00F8: return "o";  /* ø */
    case 0x0111: return "d";  /* đ */
    case 0x00F0: return "d";  /* ð */
    case 0x0142: return "l";  /* ł */
    case 0x0127: return "h";  /* ħ */
    case 0x0167: return "t";  /* ŧ */
    case 0x0131: return "i";  /* ı */
    case 0x00E6: return "ae"; /* æ */
    case 0x0153: return "oe"; /* œ */
    case 0x00FE: return "th"; /* þ */
    default: return NULL;
    }
}

static int strip_mark(UScriptCode base, UChar32 mark)
{
    switch (base) {
    case USCRIPT_LATIN:
    case USCRIPT_GREEK:
        return 1;
    case USCRIPT_CYRILLIC:
        return mark != 0x0306; /* breve: й, ў */
    default:
        return 0;
    }
}

/* NFKC_Casefold and accent folding of src[0..n); the result is in a->t2,
 * its length returned (or -1). src must not be a->t2 or a->t3. */
static int32_t fold_u16(an_analyzer *a, const UChar *src, int32_t n)
{
    int32_t m = norm_into(a->nfkc_cf, src, n, &a->t2, &a->t2_cap);
    if (m < 0)
        return -1;
    int any = 0;
    for (int32_t i = 0; i < m; i++)
        if (a->t2[i] >= 0xC0) {
            any = 1;
            break;
        }
    if (!any)
        return m; /* nothing that can carry an accent */
    int32_t d = norm_into(a->nfd, a->t2, m, &a->t3, &a->t3_cap);
    if (d < 0)
        return -1;
    /* Strip in place: the output never grows except for fold_letter's
     * two-letter forms, which need room, so copy into t2 instead. */
    if (an_reserve((void **)&a->t2, &a->t2_cap, (size_t)d * 2 + 1, sizeof(UChar)) < 0)
        return -1;
    int32_t o = 0;
    UScriptCode base = USCRIPT_COMMON;
    int32_t i = 0;
    while (i < d) {
        UChar32 c;
        U16_NEXT(a->t3, i, d, c);
        if (u_charType(c) == U_NON_SPACING_MARK) {
            if (strip_mark(base, c))
                continue;
        } else {
            UErrorCode st = U_ZERO_ERROR;
            base = uscript_getScript(c, &st);
            if (U_FAILURE(st))
                base = USCRIPT_COMMON;
            const char *f = fold_letter(c);
            if (f) {
                for (; *f; f++)
                    a->t2[o++] = (UChar)*f;
                continue;
            }
        }
        U16_APPEND_UNSAFE(a->t2, o, c);
    }
    int32_t r = norm_into(a->nfc, a->t2, o, &a->t3, &a->t3_cap);
    if (r < 0)
        return -1;
    if (an_reserve((void **)&a->t2, &a->t2_cap, (size_t)r + 1, sizeof(UChar)) < 0)
        return -1;
    memcpy(a->t2, a->t3, (size_t)r * sizeof(UChar));
    return r;
}

static int buf_reserve(an_buf *b, size_t more)
{
    return an_reserve((void **)&b->p, &b->cap, b->n + more + 1, 1);
}

/* Appends UTF-16 s[0..n) as UTF-8; with collapse_ws, runs of white space
 * become one space and leading/trailing white space goes. */
static int append_utf8(an_buf *out, const UChar *s, int32_t n, int collapse_ws)
{
    if (buf_reserve(out, (size_t)n * 3) < 0) /* a UTF-16 unit is at most 3 bytes */
        return -1;
    size_t o = out->n, first = out->n;
    int pending = 0;
    int32_t i = 0;
    while (i < n) {
        UChar32 c;
        U16_NEXT(s, i, n, c);
        if (collapse_ws && u_isUWhiteSpace(c)) {
            pending = o > first;
            continue;
        }
        if (pending) {
            out->p[o++] = ' ';
            pending = 0;
        }
        U8_APPEND_UNSAFE(out->p, o, c);
    }
    out->n = o;
    out->p[o] = '\0';
    return 0;
}

int an_fold_chars(an_analyzer *a, size_t i0, size_t i1, an_buf *out)
{
    const an_chars *c = &a->chars;
    int ascii = 1;
    for (size_t i = i0; i < i1 && !c->ascii; i++)
        if (c->cp[i] >= 0x80) {
            ascii = 0;
            break;
        }
    if (ascii) {
        if (buf_reserve(out, i1 - i0) < 0)
            return -1;
        for (size_t i = i0; i < i1; i++) {
            uint32_t b = an_cp(c, i);
            out->p[out->n++] = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
        }
        out->p[out->n] = '\0';
        return 0;
    }
    if (an_reserve((void **)&a->t1, &a->t1_cap, (i1 - i0) * 2 + 1, sizeof(UChar)) < 0)
        return -1;
    int32_t k = 0;
    for (size_t i = i0; i < i1; i++)
        U16_APPEND_UNSAFE(a->t1, k, (UChar32)c->cp[i]);
    int32_t m = fold_u16(a, a->t1, k);
    if (m < 0)
        return -1;
    return append_utf8(out, a->t2, m, 0);
}

static int ascii_space(unsigned char b)
{
    return b == ' ' || (b >= 0x09 && b <= 0x0D);
}

char *an_normalize(an_analyzer *a, const char *text, size_t len, size_t *outlen)
{
    an_buf out = {0};
    size_t i = 0;
    while (i < len && !((unsigned char)text[i] & 0x80))
        i++;
    if (i == len) {
        if (buf_reserve(&out, len) < 0)
            return NULL;
        int pending = 0;
        for (i = 0; i < len; i++) {
            unsigned char b = (unsigned char)text[i];
            if (ascii_space(b)) {
                pending = out.n > 0;
                continue;
            }
            if (pending) {
                out.p[out.n++] = ' ';
                pending = 0;
            }
            out.p[out.n++] = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
        }
        out.p[out.n] = '\0';
    } else {
        int64_t n = an_decode_utf8(a, text, len);
        int32_t m = n < 0 ? -1 : fold_u16(a, a->u16, (int32_t)n);
        if (m < 0 || append_utf8(&out, a->t2, m, 1) < 0) {
            free(out.p);
            return NULL;
        }
    }
    if (outlen)
        *outlen = out.n;
    return out.p;
}
