/* store_dead.c — dead letters: an unusable event, its reason and where it came from.
 *
 * One JSON object per dead letter (store.h), always carrying the whole
 * original: the event as parsed ("event"), or the text that did not parse
 * ("raw"). Text that is not valid UTF-8 cannot be a JSON string without
 * being altered, so it is carried exactly as "raw_base64" instead.
 */
#include <stdlib.h>
#include <string.h>

#include "model/event_json.h"
#include "model/store_impl.h"

static int utf8_valid(const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned c = *p;
        size_t n;
        unsigned min;
        if (c < 0x80) {
            p++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 1, min = 0x80, c &= 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, min = 0x800, c &= 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, min = 0x10000, c &= 0x07;
        } else {
            return 0;
        }
        if ((size_t)(end - p) <= n) return 0;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80) return 0;
            c = (c << 6) | (p[i] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
        p += n + 1;
    }
    return 1;
}

static char *base64(const char *s, size_t len) {
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = (const unsigned char *)s;
    char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;
    if (!out) return NULL;
    size_t i = 0;
    for (; i + 2 < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
        *o++ = tab[v >> 18], *o++ = tab[(v >> 12) & 63], *o++ = tab[(v >> 6) & 63],
        *o++ = tab[v & 63];
    }
    if (i < len) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < len ? (unsigned)p[i + 1] << 8 : 0);
        *o++ = tab[v >> 18], *o++ = tab[(v >> 12) & 63];
        *o++ = i + 1 < len ? tab[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    *o = '\0';
    return out;
}

/* Sets key to a new value, giving up the reference; 0 or -1. */
static int set_new(json_t *o, const char *key, json_t *v) {
    return v ? json_object_set_new(o, key, v) : -1;
}

int store_dead_letter(store *s, const char *reason, const json_t *obj, const char *raw,
                      size_t rawlen, const store_origin *o, char *err, size_t errlen) {
    const char *source = o ? o->source : NULL, *topic = o ? o->topic : NULL;
    int32_t partition = o ? o->partition : -1;
    int64_t offset = o ? o->offset : 0;
    s->stats.events_dead++;
    if (!s->opt.dead_letter) return 0;

    json_t *dl = json_object();
    int bad = !dl;
    bad = bad || set_new(dl, "reason", json_string(reason ? reason : "unknown")) != 0;
    bad = bad || set_new(dl, "source", source ? json_string(source) : json_null()) != 0;
    bad = bad || set_new(dl, "topic", topic ? json_string(topic) : json_null()) != 0;
    bad = bad || set_new(dl, "partition",
                         partition >= 0 ? json_integer(partition) : json_null()) != 0;
    bad = bad || set_new(dl, "offset", json_integer(offset)) != 0;
    if (!bad && obj) {
        bad = json_object_set(dl, "event", (json_t *)obj) != 0;
    } else if (!bad && utf8_valid(raw ? raw : "", raw ? rawlen : 0)) {
        bad = set_new(dl, "raw", json_stringn(raw ? raw : "", raw ? rawlen : 0)) != 0;
    } else if (!bad) {
        char *b64 = base64(raw, rawlen);
        bad = !b64 || set_new(dl, "raw_base64", json_string(b64)) != 0;
        free(b64);
    }
    char *line = bad ? NULL : json_dumps(dl, JSON_COMPACT);
    json_decref(dl);
    if (!line) {
        snprintf(err, errlen, "cannot format a dead letter (out of memory)");
        return -1;
    }
    int rc = s->opt.dead_letter(s->opt.dead_letter_ctx, line, strlen(line));
    free(line);
    if (rc != 0) {
        snprintf(err, errlen, "the dead-letter sink failed");
        return -1;
    }
    return 0;
}

int store_dead_letter_event(store *s, const char *reason, const char *raw, size_t rawlen,
                            const store_origin *o, char *err, size_t errlen) {
    if (!s->opt.dead_letter) /* only counted: no need to parse it again */
        return store_dead_letter(s, reason, NULL, raw, rawlen, o, err, errlen);
    json_t *obj = ev_json_load(raw, rawlen, JSON_DECODE_ANY, NULL);
    int rc = store_dead_letter(s, reason, obj, obj ? NULL : raw, obj ? 0 : rawlen, o, err, errlen);
    json_decref(obj);
    return rc;
}
