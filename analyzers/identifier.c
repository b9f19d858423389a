/* identifier.c — splits one identifier into parts and joined forms.
 *
 * An identifier is a run of letters, marks, digits and the separators
 * _ - ' ’ (inside a name) and . / : $ # (between the segments of a qualified
 * name), as cut by the pipeline. Rules, applied on the original case:
 *   - separators split; leading, trailing and repeated ones are ignored;
 *   - camelCase: lower→Upper splits ("customerId" → customer|Id); an upper
 *     run followed by a lower letter gives its last upper to the next part
 *     ("HTTPServer" → HTTP|Server, "getHTTPResponse" → get|HTTP|Response),
 *     except a plural acronym ("URLs", "IDs": upper run + one final "s"
 *     stays whole);
 *   - letters→digits split ("orders2023" → orders|2023) unless the part is a
 *     single letter ("v2", "s3" stay whole); digits→letters always split;
 *   - caseless letters (CJK, Arabic, ...) have no case boundary; where they
 *     need splitting, ICU's word boundaries already cut the identifier.
 *
 * Terms: each part is an AN_PART with consecutive positions. Joined forms
 * (AN_JOINED, the parts' normalised texts concatenated, at the position of
 * their first part) are emitted after the parts, in this order:
 *   - for the whole identifier when it has ≥2 parts ("salesfactordersv2",
 *     "customerid"), spanning the first part's start to the last part's end;
 *   - for every segment with ≥2 parts, when the identifier has ≥2 segments
 *     ("sales.fact_orders_v2" → "factordersv2", spanning that segment).
 * All of an identifier's terms share one word index.
 */
#include "analyzers/analyzer_impl.h"

static int is_letter(uint8_t k)
{
    return k == AN_C_UPPER || k == AN_C_LOWER || k == AN_C_OTHER;
}

/* Class of the char that decides boundaries at i: marks belong to the
 * char before them; a run that starts with a mark treats it as a letter. */
static uint8_t base_class(const an_chars *c, size_t ps, size_t i)
{
    while (i > ps && c->cls[i] == AN_C_MARK)
        i--;
    return c->cls[i] == AN_C_MARK ? AN_C_OTHER : c->cls[i];
}

/* Next char at or after i that is not a mark, or `end`. */
static size_t skip_marks(const an_chars *c, size_t i, size_t end)
{
    while (i < end && c->cls[i] == AN_C_MARK)
        i++;
    return i;
}

/* Does a new part start at j, in the alnum run that began its current part
 * at ps and ends at end? */
static int split_before(const an_chars *c, size_t ps, size_t j, size_t end)
{
    uint8_t cur = c->cls[j];
    if (cur == AN_C_MARK)
        return 0;
    uint8_t prev = base_class(c, ps, j - 1);
    if (prev == AN_C_LOWER && cur == AN_C_UPPER)
        return 1;
    if (prev == AN_C_UPPER && cur == AN_C_UPPER) {
        size_t q = skip_marks(c, j + 1, end);
        if (q >= end || c->cls[q] != AN_C_LOWER)
            return 0;
        size_t r = skip_marks(c, q + 1, end);
        if (an_cp(c, q) == 's' && (r >= end || c->cls[r] != AN_C_LOWER))
            return 0; /* "URLs" */
        return 1;
    }
    if (is_letter(prev) && cur == AN_C_DIGIT) {
        size_t letters = 0;
        for (size_t i = ps; i < j; i++)
            letters += c->cls[i] != AN_C_MARK;
        return letters != 1;
    }
    if (prev == AN_C_DIGIT && is_letter(cur))
        return 1;
    return 0;
}

static int add_part(an_analyzer *a, size_t *np, size_t i0, size_t i1, uint32_t seg)
{
    if (an_reserve((void **)&a->parts, &a->parts_cap, *np + 1, sizeof *a->parts) < 0)
        return -1;
    size_t off = a->text.n;
    if (an_fold_chars(a, i0, i1, &a->text) < 0)
        return -1;
    if (a->text.n == off)
        return 0; /* nothing left after normalisation (default ignorables) */
    a->parts[*np] = (an_part){.i0 = i0, .i1 = i1, .off = off, .len = a->text.n - off, .seg = seg};
    (*np)++;
    return 1;
}

static int push_joined(an_analyzer *a, size_t p0, size_t p1, uint32_t pos, uint32_t word,
                       an_terms *out)
{
    const an_part *f = &a->parts[p0], *l = &a->parts[p1 - 1];
    return an_terms_push(out, a->text.p + f->off, l->off + l->len - f->off, pos, word,
                         an_start(&a->chars, f->i0), an_end(&a->chars, l->i1 - 1), AN_JOINED);
}

int an_identifier_emit(an_analyzer *a, size_t i0, size_t i1, uint32_t *pos, uint32_t *word,
                       an_terms *out)
{
    const an_chars *c = &a->chars;
    size_t np = 0;
    uint32_t seg = 0;
    int seg_has_parts = 0;
    a->text.n = 0;

    size_t i = i0;
    while (i < i1) {
        uint8_t k = c->cls[i];
        if (k == AN_C_SEP_PATH) {
            if (seg_has_parts) {
                seg++;
                seg_has_parts = 0;
            }
            i++;
            continue;
        }
        if (!an_class_is_alnum(k)) {
            i++;
            continue;
        }
        size_t end = i + 1;
        while (end < i1 && an_class_is_alnum(c->cls[end]))
            end++;
        size_t ps = i;
        for (size_t j = i + 1; j < end; j++) {
            /* same class twice never splits, except upper-upper (HTTPServer) */
            if ((c->cls[j] == c->cls[j - 1] && c->cls[j] != AN_C_UPPER) ||
                !split_before(c, ps, j, end))
                continue;
            int r = add_part(a, &np, ps, j, seg);
            if (r < 0)
                return -1;
            seg_has_parts |= r;
            ps = j;
        }
        int r = add_part(a, &np, ps, end, seg);
        if (r < 0)
            return -1;
        seg_has_parts |= r;
        i = end;
    }
    if (np == 0)
        return 0;

    uint32_t first = *pos;
    for (size_t p = 0; p < np; p++) {
        const an_part *pt = &a->parts[p];
        if (an_terms_push(out, a->text.p + pt->off, pt->len, first + (uint32_t)p, *word,
                          an_start(c, pt->i0), an_end(c, pt->i1 - 1), AN_PART) < 0)
            return -1;
    }
    /* The whole identifier's joined form comes first: a reader that wants
     * one joined form per word takes the first. */
    if (np >= 2 && push_joined(a, 0, np, first, *word, out) < 0)
        return -1;
    if (a->parts[np - 1].seg > 0) {
        for (size_t s0 = 0; s0 < np;) {
            size_t s1 = s0 + 1;
            while (s1 < np && a->parts[s1].seg == a->parts[s0].seg)
                s1++;
            if (s1 - s0 >= 2 && push_joined(a, s0, s1, first + (uint32_t)s0, *word, out) < 0)
                return -1;
            s0 = s1;
        }
    }
    *pos = first + (uint32_t)np;
    (*word)++;
    return 0;
}
