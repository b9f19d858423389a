/* segment.c — from input bytes to the an_chars view the splitter reads.
 *
 * Two builders:
 *   - an_chars_ascii: pure-ASCII input, one char per byte, classes from a
 *     table; no UTF-16, no ICU call (the indexer's hot path: column names).
 *   - an_chars_icu: decodes UTF-8 (invalid sequences become U+FFFD, which
 *     classifies as a break), applies NFKC keeping each char's input byte
 *     span, and runs ICU's word break iterator over the whole text to learn
 *     where ICU splits runs of letters that have no spaces (CJK via its
 *     dictionary, Thai, script changes).
 *
 * Chunking itself (runs of non-break chars) is done by the pipeline; ICU's
 * rule statuses are not needed because our classes already keep only
 * letters, marks and digits (what ICU tags as words, numbers, ideographs and
 * kana) and drop spaces, punctuation and symbols.
 */
#include "analyzers/analyzer_impl.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

/* ASCII classes; must agree with an_class_of for cp < 128 (it uses it). */
static const uint8_t an_ascii_class[128] = {
    ['A'] = AN_C_UPPER, ['B'] = AN_C_UPPER, ['C'] = AN_C_UPPER, ['D'] = AN_C_UPPER,
    ['E'] = AN_C_UPPER, ['F'] = AN_C_UPPER, ['G'] = AN_C_UPPER, ['H'] = AN_C_UPPER,
    ['I'] = AN_C_UPPER, ['J'] = AN_C_UPPER, ['K'] = AN_C_UPPER, ['L'] = AN_C_UPPER,
    ['M'] = AN_C_UPPER, ['N'] = AN_C_UPPER, ['O'] = AN_C_UPPER, ['P'] = AN_C_UPPER,
    ['Q'] = AN_C_UPPER, ['R'] = AN_C_UPPER, ['S'] = AN_C_UPPER, ['T'] = AN_C_UPPER,
    ['U'] = AN_C_UPPER, ['V'] = AN_C_UPPER, ['W'] = AN_C_UPPER, ['X'] = AN_C_UPPER,
    ['Y'] = AN_C_UPPER, ['Z'] = AN_C_UPPER,
    ['a'] = AN_C_LOWER, ['b'] = AN_C_LOWER, ['c'] = AN_C_LOWER, ['d'] = AN_C_LOWER,
    ['e'] = AN_C_LOWER, ['f'] = AN_C_LOWER, ['g'] = AN_C_LOWER, ['h'] = AN_C_LOWER,
    ['i'] = AN_C_LOWER, ['j'] = AN_C_LOWER, ['k'] = AN_C_LOWER, ['l'] = AN_C_LOWER,
    ['m'] = AN_C_LOWER, ['n'] = AN_C_LOWER, ['o'] = AN_C_LOWER, ['p'] = AN_C_LOWER,
    ['q'] = AN_C_LOWER, ['r'] = AN_C_LOWER, ['s'] = AN_C_LOWER, ['t'] = AN_C_LOWER,
    ['u'] = AN_C_LOWER, ['v'] = AN_C_LOWER, ['w'] = AN_C_LOWER, ['x'] = AN_C_LOWER,
    ['y'] = AN_C_LOWER, ['z'] = AN_C_LOWER,
    ['0'] = AN_C_DIGIT, ['1'] = AN_C_DIGIT, ['2'] = AN_C_DIGIT, ['3'] = AN_C_DIGIT,
    ['4'] = AN_C_DIGIT, ['5'] = AN_C_DIGIT, ['6'] = AN_C_DIGIT, ['7'] = AN_C_DIGIT,
    ['8'] = AN_C_DIGIT, ['9'] = AN_C_DIGIT,
    ['_'] = AN_C_SEP_WORD, ['-'] = AN_C_SEP_WORD, ['\''] = AN_C_SEP_WORD,
    ['.'] = AN_C_SEP_PATH, ['/'] = AN_C_SEP_PATH, [':'] = AN_C_SEP_PATH,
    ['$'] = AN_C_SEP_PATH, ['#'] = AN_C_SEP_PATH,
};

uint8_t an_class_of(uint32_t cp)
{
    if (cp < 128)
        return an_ascii_class[cp];
    switch (cp) {
    case 0x2019: /* right single quotation mark, the typographic apostrophe */
    case 0x2010: /* hyphen */
    case 0x2011: /* non-breaking hyphen */
        return AN_C_SEP_WORD;
    default:
        break;
    }
    switch (u_charType((UChar32)cp)) {
    case U_UPPERCASE_LETTER:
    case U_TITLECASE_LETTER:
        return AN_C_UPPER;
    case U_LOWERCASE_LETTER:
        return AN_C_LOWER;
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
        return AN_C_OTHER;
    case U_DECIMAL_DIGIT_NUMBER:
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER:
        return AN_C_DIGIT;
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_COMBINING_SPACING_MARK:
        return AN_C_MARK;
    default:
        return AN_C_BREAK;
    }
}

static int chars_reserve(an_chars *c, size_t need)
{
    if (need <= c->cap)
        return 0;
    size_t cap = c->cap ? c->cap : 64;
    while (cap < need)
        cap *= 2;
    uint32_t *cp = realloc(c->cp, cap * sizeof *cp);
    if (!cp)
        return -1;
    c->cp = cp;
    uint32_t *st = realloc(c->start, cap * sizeof *st);
    if (!st)
        return -1;
    c->start = st;
    uint32_t *en = realloc(c->end, cap * sizeof *en);
    if (!en)
        return -1;
    c->end = en;
    uint8_t *cl = realloc(c->cls, cap);
    if (!cl)
        return -1;
    c->cls = cl;
    uint8_t *bk = realloc(c->brk, cap);
    if (!bk)
        return -1;
    c->brk = bk;
    c->cap = cap; /* only once every array has the new size */
    return 0;
}

int an_chars_ascii(an_analyzer *a, const char *text, size_t len)
{
    an_chars *c = &a->chars;
    if (chars_reserve(c, len) < 0)
        return -1;
    for (size_t i = 0; i < len; i++)
        c->cls[i] = an_ascii_class[(unsigned char)text[i] & 0x7f];
    c->ascii = text;
    c->n = len;
    return 0;
}

static int u16_reserve(an_analyzer *a, size_t need)
{
    if (need <= a->u16_cap)
        return 0;
    size_t cap = a->u16_cap ? a->u16_cap : 64;
    while (cap < need)
        cap *= 2;
    UChar *u = realloc(a->u16, cap * sizeof *u);
    if (!u)
        return -1;
    a->u16 = u;
    uint32_t *st = realloc(a->u16_start, cap * sizeof *st);
    if (!st)
        return -1;
    a->u16_start = st;
    uint32_t *en = realloc(a->u16_end, cap * sizeof *en);
    if (!en)
        return -1;
    a->u16_end = en;
    a->u16_cap = cap;
    return 0;
}

int64_t an_decode_utf8(an_analyzer *a, const char *text, size_t len)
{
    /* ICU string lengths are int32_t; the pipeline rejects longer input. */
    if (len > INT32_MAX / 2)
        return -1;
    /* Each byte gives at most one UTF-16 unit (a 4-byte sequence gives two). */
    if (u16_reserve(a, len + 1) < 0)
        return -1;
    const uint8_t *s = (const uint8_t *)text;
    int32_t i = 0, n = (int32_t)len;
    size_t k = 0;
    while (i < n) {
        int32_t b0 = i;
        UChar32 c;
        U8_NEXT(s, i, n, c);
        if (c < 0)
            c = 0xFFFD; /* replaced, never rejected */
        if (c <= 0xFFFF) {
            a->u16[k] = (UChar)c;
            a->u16_start[k] = (uint32_t)b0;
            a->u16_end[k] = (uint32_t)i;
            k++;
        } else {
            a->u16[k] = U16_LEAD(c);
            a->u16[k + 1] = U16_TRAIL(c);
            a->u16_start[k] = a->u16_start[k + 1] = (uint32_t)b0;
            a->u16_end[k] = a->u16_end[k + 1] = (uint32_t)i;
            k += 2;
        }
    }
    return (int64_t)k;
}

int an_chars_icu(an_analyzer *a, const char *text, size_t len)
{
    an_chars *c = &a->chars;
    c->n = 0;
    c->ascii = NULL;
    int64_t n = an_decode_utf8(a, text, len);
    if (n < 0)
        return -1;
    int64_t nn = an_nfkc_mapped(a, (size_t)n);
    if (nn < 0)
        return -1;
    if (nn == 0)
        return 0;

    /* ICU word boundaries over the whole NFKC text, once. */
    memset(a->n16_brk, 0, (size_t)nn + 1);
    UErrorCode st = U_ZERO_ERROR;
    ubrk_setText(a->words, a->n16, (int32_t)nn, &st);
    if (U_FAILURE(st))
        return -1;
    for (int32_t b = ubrk_first(a->words); b != UBRK_DONE; b = ubrk_next(a->words))
        a->n16_brk[b] = 1;

    if (chars_reserve(c, (size_t)nn) < 0)
        return -1;
    int32_t i = 0;
    size_t k = 0;
    while (i < (int32_t)nn) {
        int32_t i0 = i;
        UChar32 cp;
        U16_NEXT(a->n16, i, (int32_t)nn, cp);
        c->cp[k] = (uint32_t)cp;
        c->cls[k] = an_class_of((uint32_t)cp);
        c->start[k] = a->n16_start[i0];
        c->end[k] = a->n16_end[i - 1];
        c->brk[k] = a->n16_brk[i0];
        k++;
    }
    c->n = k;
    return 0;
}
