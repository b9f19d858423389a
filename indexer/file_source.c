/* file_source.c — reading events from files and stdin (see file_source.h). */
#include "indexer/file_source.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/event.h"

#define READ_CHUNK (1u << 20)
/* The longest line kept: an event over EVENT_MAX_BYTES is still read whole
 * so that its dead letter carries all of it; past this the input is not
 * JSON lines, and reading it is a fatal error rather than a truncation. */
#define LINE_MAX_BYTES ((size_t)4 * EVENT_MAX_BYTES)

typedef struct reader {
    FILE *fp;
    const char *name; /* for messages and dead letters */
    char *buf;
    size_t len, cap, pos; /* unread bytes are buf[pos..len) */
    int eof;
} reader;

/* Reads more input, keeping buf[pos..len). Grows the buffer up to `limit`
 * bytes of unread data. Returns 0, or -1 with a reason. */
static int fill(reader *r, size_t limit, char *err, size_t errlen) {
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->cap - r->len < READ_CHUNK / 2) {
        if (r->len >= limit) {
            snprintf(err, errlen, "%s: a line is longer than %zu bytes (not JSON lines?)",
                     r->name, limit);
            return -1;
        }
        size_t ncap = r->cap ? r->cap * 2 : READ_CHUNK;
        char *nb = realloc(r->buf, ncap + 1);
        if (!nb) {
            snprintf(err, errlen, "%s: out of memory reading the input", r->name);
            return -1;
        }
        r->buf = nb;
        r->cap = ncap;
    }
    size_t n = fread(r->buf + r->len, 1, r->cap - r->len, r->fp);
    r->len += n;
    if (n == 0) {
        if (ferror(r->fp)) {
            snprintf(err, errlen, "reading %s: %s", r->name, strerror(errno));
            return -1;
        }
        r->eof = 1;
    }
    return 0;
}

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The line starting at `from` (ends at '\n' or the end of what is read):
 * its end in *end; 1 if it is complete (newline seen or at EOF). */
static int line_at(const reader *r, size_t from, size_t *end) {
    const char *nl = memchr(r->buf + from, '\n', r->len - from);
    *end = nl ? (size_t)(nl - r->buf) : r->len;
    return nl || r->eof;
}

static int parses_alone(const char *s, size_t len) {
    while (len && is_space(s[len - 1])) len--;
    json_error_t je;
    json_t *v = json_loadb(s, len, JSON_DECODE_ANY, &je);
    json_decref(v);
    return v != NULL;
}

/* Decides between JSON lines (1) and reading whole (0), reading as much as
 * the first two non-blank lines need. -1 on a read error. */
static int looks_like_lines(reader *r, char *err, size_t errlen) {
    size_t p = r->pos;
    for (int nonblank = 0; nonblank < 2;) {
        size_t end;
        while (!line_at(r, p, &end)) {
            size_t off = p - r->pos;
            if (fill(r, LINE_MAX_BYTES, err, errlen) != 0) return -1;
            p = r->pos + off;
        }
        size_t s = p;
        while (s < end && is_space(r->buf[s])) s++;
        if (s < end) {
            if (parses_alone(r->buf + s, end - s)) return 1;
            nonblank++;
        }
        if (end >= r->len) return 0; /* input ended */
        p = end + 1;
    }
    return 0;
}

/* Hands a full batch to the writer and flushes the dead letters it made. */
static int commit_batch(const file_source *fs, char *err, size_t errlen) {
    if (store_commit_async(fs->st, err, errlen) != 0) return -1;
    return fs->dl ? dead_letter_flush(fs->dl, err, errlen) : 0;
}

static int index_lines(const file_source *fs, reader *r, char *err, size_t errlen) {
    int64_t lineno = 0;
    for (;;) {
        size_t end;
        if (!line_at(r, r->pos, &end)) {
            if (fill(r, LINE_MAX_BYTES, err, errlen) != 0) return -1;
            continue;
        }
        if (r->pos >= r->len && r->eof) return 0;
        size_t s = r->pos, e = end;
        r->pos = end < r->len ? end + 1 : end;
        lineno++;
        while (s < e && is_space(r->buf[s])) s++;
        while (e > s && is_space(r->buf[e - 1])) e--;
        if (s == e) continue;
        store_origin o = {r->name, NULL, -1, lineno};
        int rc = store_feed(fs->st, r->buf + s, e - s, &o, err, errlen);
        if (rc < 0) return -1;
        if (rc == 2 && commit_batch(fs, err, errlen) != 0) return -1;
        progress_tick(fs->prog, store_get_stats(fs->st));
    }
}

static int index_whole(const file_source *fs, reader *r, char *err, size_t errlen) {
    while (!r->eof)
        if (fill(r, SIZE_MAX / 4, err, errlen) != 0) return -1;
    if (store_feed_buffer(fs->st, r->buf + r->pos, r->len - r->pos, r->name, err, errlen) != 0)
        return -1;
    progress_tick(fs->prog, store_get_stats(fs->st));
    return fs->dl ? dead_letter_flush(fs->dl, err, errlen) : 0;
}

int file_source_index(const file_source *fs, const char *path, char *err, size_t errlen) {
    reader r = {0};
    int is_stdin = strcmp(path, "-") == 0;
    r.name = is_stdin ? "stdin" : path;
    r.fp = is_stdin ? stdin : fopen(path, "rb");
    if (!r.fp) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    /* Skip leading blanks and a UTF-8 byte order mark to see the first byte. */
    for (;;) {
        while (r.pos < r.len && is_space(r.buf[r.pos])) r.pos++;
        if (r.len - r.pos >= 3 && memcmp(r.buf + r.pos, "\xEF\xBB\xBF", 3) == 0) {
            r.pos += 3;
            continue;
        }
        if (r.pos < r.len && (r.len - r.pos >= 3 || r.eof)) break;
        if (r.eof) break;
        if ((rc = fill(&r, LINE_MAX_BYTES, err, errlen)) != 0) break;
    }
    if (rc == 0 && r.pos < r.len) {
        int lines = r.buf[r.pos] == '[' ? 0 : looks_like_lines(&r, err, errlen);
        if (lines < 0)
            rc = -1;
        else
            rc = lines ? index_lines(fs, &r, err, errlen) : index_whole(fs, &r, err, errlen);
    }
    if (!is_stdin) fclose(r.fp);
    free(r.buf);
    return rc;
}
