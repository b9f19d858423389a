/* dead_letter.c — the dead-letter file sink (see dead_letter.h). */
#include "indexer/dead_letter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dead_letter_file {
    FILE *fp;
    char *path;
    int owned;    /* fp was opened here (not stderr) */
    int io_errno; /* first write error, 0 if none */
    uint64_t count;
};

dead_letter_file *dead_letter_open(const char *path, char *err, size_t errlen) {
    dead_letter_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (strcmp(path, "-") == 0) {
        f->fp = stderr;
    } else {
        f->fp = fopen(path, "a");
        f->owned = 1;
    }
    if (!f->fp) {
        snprintf(err, errlen, "cannot open dead-letter file %s: %s", path, strerror(errno));
        free(f->path);
        free(f);
        return NULL;
    }
    return f;
}

int dead_letter_write(void *ctx, const char *json_line, size_t len) {
    dead_letter_file *f = ctx;
    if (f->io_errno) return -1;
    if (fwrite(json_line, 1, len, f->fp) != len || putc('\n', f->fp) == EOF) {
        f->io_errno = errno ? errno : EIO;
        return -1;
    }
    f->count++;
    return 0;
}

static int report(dead_letter_file *f, char *err, size_t errlen) {
    snprintf(err, errlen, "writing dead-letter file %s: %s", f->path, strerror(f->io_errno));
    return -1;
}

int dead_letter_flush(dead_letter_file *f, char *err, size_t errlen) {
    if (!f->io_errno && fflush(f->fp) != 0) f->io_errno = errno ? errno : EIO;
    return f->io_errno ? report(f, err, errlen) : 0;
}

uint64_t dead_letter_count(const dead_letter_file *f) {
    return f->count;
}

int dead_letter_close(dead_letter_file *f, char *err, size_t errlen) {
    if (!f) return 0;
    int rc = dead_letter_flush(f, err, errlen);
    if (f->owned && fclose(f->fp) != 0 && rc == 0) {
        f->io_errno = errno ? errno : EIO;
        rc = report(f, err, errlen);
    }
    free(f->path);
    free(f);
    return rc;
}
