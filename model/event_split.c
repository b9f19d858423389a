/* event_split.c — cuts a buffer of events (JSON lines, JSON arrays, one or
 * more possibly pretty-printed JSON objects) into single event values.
 *
 * A bad event must never cost its neighbours, so the buffer is not parsed
 * as one document:
 *  - an array is cut into its elements by a scanner that tracks brackets
 *    and strings, and each element is parsed on its own: a broken element
 *    is reported and the next one goes on;
 *  - anything else is taken a line at a time: a line that parses is one
 *    value (JSON lines); a line that does not may be the start of a value
 *    spanning lines (a pretty-printed object), so the parse is retried from
 *    there over the rest of the buffer; if that fails too, the line alone is
 *    reported and the next line goes on.
 * Each item is passed with its raw text so a caller can dead-letter it as
 * it came in.
 */
#include "model/event.h"
#include "model/event_json.h"

#include <stdio.h>
#include <string.h>

typedef struct ev_splitter {
    const char *buf;
    size_t len;
    ev_item_fn fn;
    void *ctx;
    long count;
} ev_splitter;

static int ev_is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static size_t ev_skip_ws(const ev_splitter *sp, size_t p)
{
    while (p < sp->len && ev_is_ws(sp->buf[p]))
        p++;
    return p;
}

/* Passes one item to the callback; obj is borrowed for the call. Returns 0,
 * or -1 if the callback asked to stop. */
static int ev_emit(ev_splitter *sp, json_t *obj, const char *raw, size_t rawlen,
                   const char *perr)
{
    sp->count++;
    int rc = sp->fn(sp->ctx, obj, raw, rawlen, perr);
    json_decref(obj);
    return rc != 0 ? -1 : 0;
}

static int ev_emit_error(ev_splitter *sp, const char *raw, size_t rawlen, const char *fmt_text,
                         const json_error_t *jerr)
{
    char msg[300];
    if (jerr)
        snprintf(msg, sizeof msg, "invalid JSON: %s (line %d, column %d)", jerr->text, jerr->line,
                 jerr->column);
    else
        snprintf(msg, sizeof msg, "%s", fmt_text);
    return ev_emit(sp, NULL, raw, rawlen, msg);
}

/* Parses raw[0..n) as exactly one JSON value and emits it (or its error). */
static int ev_emit_text(ev_splitter *sp, const char *raw, size_t n)
{
    if (n > EVENT_MAX_BYTES) {
        char msg[96];
        snprintf(msg, sizeof msg, "event larger than %u bytes", (unsigned)EVENT_MAX_BYTES);
        return ev_emit(sp, NULL, raw, n, msg);
    }
    json_error_t jerr;
    json_t *v = ev_json_load(raw, n, JSON_DECODE_ANY, &jerr);
    if (!v)
        return ev_emit_error(sp, raw, n, NULL, &jerr);
    return ev_emit(sp, v, raw, n, NULL);
}

/* End of the array element starting at p: the first ',' or ']' at bracket
 * depth 0 outside strings, or len. */
static size_t ev_element_end(const ev_splitter *sp, size_t p)
{
    int depth = 0, in_str = 0;
    for (; p < sp->len; p++) {
        char c = sp->buf[p];
        if (in_str) {
            if (c == '\\')
                p++;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        switch (c) {
        case '"':
            in_str = 1;
            break;
        case '{':
        case '[':
            depth++;
            break;
        case '}':
        case ']':
            if (depth == 0 && c == ']')
                return p;
            if (depth > 0)
                depth--;
            break;
        case ',':
            if (depth == 0)
                return p;
            break;
        default:
            break;
        }
    }
    return sp->len;
}

/* Emits the elements of the array opening at *pos; leaves *pos after it. */
static int ev_split_array(ev_splitter *sp, size_t *pos)
{
    size_t start = *pos, p = *pos + 1;
    long before = sp->count;
    for (;;) {
        p = ev_skip_ws(sp, p);
        if (p >= sp->len) {
            /* Input ended inside the array. Elements already passed are
             * whole; say so only if nothing at all came out of it. */
            *pos = p;
            if (sp->count == before)
                return ev_emit(sp, NULL, sp->buf + start, sp->len - start,
                               "invalid JSON: unterminated array (no closing ']')");
            return 0;
        }
        if (sp->buf[p] == ']') {
            *pos = p + 1;
            return 0;
        }
        size_t e = ev_element_end(sp, p);
        size_t t = e;
        while (t > p && ev_is_ws(sp->buf[t - 1]))
            t--;
        int rc;
        if (t == p)
            rc = ev_emit(sp, NULL, sp->buf + p, 0, "invalid JSON: empty array element");
        else
            rc = ev_emit_text(sp, sp->buf + p, t - p);
        if (rc != 0)
            return -1;
        if (e >= sp->len) {
            *pos = e;
            return 0;
        }
        p = e + 1; /* past ',' or ']' */
        if (sp->buf[e] == ']') {
            *pos = p;
            return 0;
        }
    }
}

/* Emits the value starting at *pos (not an array): the line it is on, or a
 * value spanning lines; leaves *pos after what was consumed. */
static int ev_split_value(ev_splitter *sp, size_t *pos)
{
    size_t p = *pos;
    const char *nl = memchr(sp->buf + p, '\n', sp->len - p);
    size_t eol = nl ? (size_t)(nl - sp->buf) : sp->len;
    size_t t = eol;
    while (t > p && ev_is_ws(sp->buf[t - 1]))
        t--;
    if (t - p > EVENT_MAX_BYTES) {
        *pos = eol;
        return ev_emit_text(sp, sp->buf + p, t - p); /* reports the size */
    }
    json_error_t lerr;
    json_t *v = ev_json_load(sp->buf + p, t - p, JSON_DECODE_ANY, &lerr);
    if (v) {
        *pos = eol;
        return ev_emit(sp, v, sp->buf + p, t - p, NULL);
    }
    /* Maybe a value spanning lines: it must end past this line. */
    json_error_t merr;
    v = json_loadb(sp->buf + p, sp->len - p, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &merr);
    if (v && p + merr.position > eol) {
        size_t n = merr.position;
        *pos = p + n;
        if (n > EVENT_MAX_BYTES) {
            json_decref(v);
            return ev_emit_text(sp, sp->buf + p, n);
        }
        return ev_emit(sp, v, sp->buf + p, n, NULL);
    }
    json_decref(v);
    *pos = eol;
    /* The multi-line error is the telling one when it lies past this line. */
    const json_error_t *why = (!v && (size_t)merr.position > t - p) ? &merr : &lerr;
    return ev_emit_error(sp, sp->buf + p, t - p, NULL, why);
}

long ev_split(const char *buf, size_t len, ev_item_fn fn, void *ctx)
{
    if (!fn || (!buf && len))
        return -1;
    ev_splitter sp = {buf, len, fn, ctx, 0};
    size_t pos = 0;
    if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB &&
        (unsigned char)buf[2] == 0xBF)
        pos = 3; /* UTF-8 byte order mark */
    for (;;) {
        pos = ev_skip_ws(&sp, pos);
        if (pos >= len)
            break;
        int rc = buf[pos] == '[' ? ev_split_array(&sp, &pos) : ev_split_value(&sp, &pos);
        if (rc != 0)
            return -1;
    }
    return sp.count;
}
