/* analyzer_impl.h — what the analyzer's parts share with each other (not for
 * other components: they use analyzer.h).
 *
 * The pipeline (analyzer.c) turns input UTF-8 into an an_chars view: one
 * entry per code point (after NFKC) with its character class and its byte
 * span in the input. Two builders fill it: the ASCII fast path (no UTF-16, no
 * ICU) and the ICU path (decode, NFKC with offsets, ICU word break). Both hand
 * the same view to the identifier splitter, so their terms are identical for
 * ASCII input by construction: ICU's word rules never break between two
 * ASCII letters or digits, so the ICU boundaries add nothing there.
 */
#ifndef MDX_ANALYZER_IMPL_H
#define MDX_ANALYZER_IMPL_H

#include "analyzers/analyzer.h"

#include <unicode/ubrk.h>
#include <unicode/unorm2.h>
#include <unicode/utypes.h>

#include "xapian-shim/xap.h"

/* Character classes that drive chunking and identifier splitting. */
enum {
    AN_C_BREAK = 0, /* space, punctuation, symbols, controls, U+FFFD: ends a chunk */
    AN_C_UPPER,     /* Lu, Lt */
    AN_C_LOWER,     /* Ll */
    AN_C_OTHER,     /* caseless letters: Lo, Lm (CJK, Arabic, kana, ...) */
    AN_C_DIGIT,     /* Nd, Nl, No */
    AN_C_MARK,      /* Mn, Mc, Me: belongs to the character before it */
    AN_C_SEP_WORD,  /* _ - ' ’ ‐ ‑ : joins the parts of one name segment */
    AN_C_SEP_PATH,  /* . / : $ # : joins the segments of a qualified name */
};

static inline int an_class_is_alnum(uint8_t k)
{
    return k >= AN_C_UPPER && k <= AN_C_MARK;
}

/* One entry per code point of the (NFKC) text. For ASCII input only cls is
 * filled: the code point is the input byte and its span [i, i+1), so read
 * them with an_cp / an_start / an_end, and brk is all zero. */
typedef struct an_chars {
    size_t n, cap;
    const char *ascii; /* the input when it is pure ASCII, else NULL */
    uint32_t *cp;
    uint32_t *start, *end; /* byte span in the input */
    uint8_t *cls;
    uint8_t *brk; /* 1: ICU puts a word boundary just before this char */
} an_chars;

static inline uint32_t an_cp(const an_chars *c, size_t i)
{
    return c->ascii ? (uint32_t)(unsigned char)c->ascii[i] : c->cp[i];
}
static inline uint32_t an_start(const an_chars *c, size_t i)
{
    return c->ascii ? (uint32_t)i : c->start[i];
}
static inline uint32_t an_end(const an_chars *c, size_t i)
{
    return c->ascii ? (uint32_t)i + 1 : c->end[i];
}
static inline int an_brk(const an_chars *c, size_t i)
{
    return c->ascii ? 0 : c->brk[i];
}

/* A growable byte buffer. */
typedef struct an_buf {
    char *p;
    size_t n, cap;
} an_buf;

/* One part of an identifier while it is being split. */
typedef struct an_part {
    size_t i0, i1;    /* char range in the an_chars */
    size_t off, len;  /* normalised text in the analyzer's part buffer */
    uint32_t seg;     /* index of the dotted segment it belongs to */
} an_part;

/* A cache of an_stem's answers: the same few thousand words recur across
 * a catalog and across search results, and Xapian's Snowball stemmer
 * costs more than a lookup. Direct-mapped, words up to AN_STEM_CACHE_WORD
 * bytes; a collision just replaces the entry. */
#define AN_STEM_CACHE_SLOTS 4096
#define AN_STEM_CACHE_WORD 24
typedef struct an_stem_entry {
    uint8_t wlen, slen; /* wlen 0: empty */
    char word[AN_STEM_CACHE_WORD];
    char stem[AN_STEM_CACHE_WORD];
} an_stem_entry;

struct an_analyzer {
    UBreakIterator *words; /* this analyzer's clone of the shared word iterator */
    xap_stem *stem;
    an_stem_entry *stems; /* AN_STEM_CACHE_SLOTS, allocated on first use */
    const UNormalizer2 *nfkc, *nfkc_cf, *nfd, *nfc;

    an_chars chars;
    /* ICU path scratch: decoded input, NFKC'd text, both with byte spans. */
    UChar *u16;
    uint32_t *u16_start, *u16_end;
    size_t u16_cap;
    UChar *n16;
    uint32_t *n16_start, *n16_end;
    uint8_t *n16_brk;
    size_t n16_cap;
    /* per-part normalisation scratch (UTF-16) */
    UChar *t1, *t2, *t3;
    size_t t1_cap, t2_cap, t3_cap;
    /* identifier splitting scratch */
    an_part *parts;
    size_t parts_cap;
    an_buf text; /* normalised part texts, back to back */
};

/* Which builder an_analyze_path uses. */
typedef enum { AN_PATH_AUTO = 0, AN_PATH_ICU = 1 } an_path;

/* an_analyze, with the ICU path forced for AN_PATH_ICU (tests compare it with
 * the ASCII fast path). */
int64_t an_analyze_path(an_analyzer *a, const char *text, size_t len, uint32_t first_pos,
                        an_terms *out, an_path path);

/* Grows *p (elements of `elem` bytes, capacity *cap) to hold `need`
 * elements; 0 or -1 on allocation failure (then *p is unchanged). */
int an_grow(void **p, size_t *cap, size_t need, size_t elem);
static inline int an_reserve(void **p, size_t *cap, size_t need, size_t elem)
{
    return need <= *cap ? 0 : an_grow(p, cap, need, elem);
}

/* segment.c: character classes and the two an_chars builders. */
uint8_t an_class_of(uint32_t cp);
int an_chars_ascii(an_analyzer *a, const char *text, size_t len);
int an_chars_icu(an_analyzer *a, const char *text, size_t len);
/* Decodes UTF-8 into a->u16 with byte spans (invalid sequences become
 * U+FFFD); returns the number of UTF-16 units, or -1. */
int64_t an_decode_utf8(an_analyzer *a, const char *text, size_t len);

/* normalize.c */
/* NFKC of a->u16[0..n) into a->n16 keeping byte spans; returns its length or -1. */
int64_t an_nfkc_mapped(an_analyzer *a, size_t n);
/* Appends the normalised form (case fold, NFKC, accent fold) of chars
 * [i0,i1) of a->chars to `out`. 0 or -1 (allocation or ICU failure). */
int an_fold_chars(an_analyzer *a, size_t i0, size_t i1, an_buf *out);

/* identifier.c: emits the terms of one identifier, chars [i0,i1) (no
 * AN_C_BREAK inside). *pos and *word advance past it. 0 or -1. */
int an_identifier_emit(an_analyzer *a, size_t i0, size_t i1, uint32_t *pos, uint32_t *word,
                       an_terms *out);

/* analyzer.c: appends one term (dropped and counted when too long). 0 or -1. */
int an_terms_push(an_terms *t, const char *s, size_t len, uint32_t pos, uint32_t word,
                  uint32_t start, uint32_t end, an_kind kind);

#endif
