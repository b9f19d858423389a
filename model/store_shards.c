/* store_shards.c — a bulk load into an empty index, written as parallel
 * shards and merged into the index at the end.
 *
 * Xapian writes a database from one thread, and on a bulk load that writer
 * is the bottleneck (it costs more than parsing and building the documents
 * together). A load into an empty index can instead go to N shard
 * databases, <index>.shard<k>, each written by its own thread; an entity
 * always goes to the same shard (store_shard_of its URN hash), so a later
 * event of it replaces its document there, and the caller's thread reads
 * states through one handle over all shards. store_finish then merges the
 * shards with Xapian's compactor into a new database, which takes the
 * index's place (the empty index goes into the merge first, so metadata it
 * holds is kept). Documents are numbered shard after shard, each shard's in
 * the order they came. A load that is not merged (a failure, or
 * store_close without store_finish) leaves the index empty and its shards
 * removed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw */
#endif
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/store_impl.h"

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

/* Removes a directory and what it holds; 0 if it is gone (or never was). */
static int remove_tree(const char *dir) {
    struct stat st;
    if (lstat(dir, &st) != 0) return errno == ENOENT ? 0 : -1;
    return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* "<index><suffix><k>" beside the index directory (malloc'd), or NULL. */
static char *beside(const store *s, const char *suffix, unsigned k) {
    size_t len = strlen(s->path);
    while (len > 1 && s->path[len - 1] == '/') len--; /* "idx/" names the directory idx */
    size_t n = len + strlen(suffix) + 16;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%.*s%s%u", (int)len, s->path, suffix, k);
    return p;
}

int store_shards_open(store *s, unsigned nshards, char *err, size_t errlen) {
    xap_err xe;
    uint32_t count = 0;
    xap_docid last = 0;
    if (xap_db_doccount(s->wdb, &count, &xe) != XAP_OK ||
        xap_db_lastdocid(s->wdb, &last, &xe) != XAP_OK) {
        snprintf(err, errlen, "reading %s: %s", s->path, xe.msg);
        return -1;
    }
    if (count > 0 || last > 0) return 0; /* updates go to the index itself */
    if (nshards > STORE_MAX_SHARDS) nshards = STORE_MAX_SHARDS;
    const char *paths[STORE_MAX_SHARDS];
    s->nwriters = nshards;
    s->sharded = 1;
    for (unsigned k = 0; k < nshards; k++) {
        store_writer *w = &s->writer[k];
        w->shard = k;
        /* A shard left by a load that died is stale: it starts afresh. */
        if (!(w->path = beside(s, ".shard", k)) || remove_tree(w->path) != 0 ||
            !(w->db = xap_db_open_write(w->path, &xe)))
            goto one_writer;
        paths[k] = w->path;
    }
    if ((s->rdb = xap_db_open_read_multi(paths, nshards, &xe)))
        return 1;
one_writer:
    /* Shards cannot be made beside the index (its parent directory is not
     * writable, say): the load goes to the index with one writer. */
    store_shards_discard(s);
    s->nwriters = 0;
    memset(s->writer, 0, sizeof s->writer);
    return 0;
}

void store_shards_discard(store *s) {
    for (unsigned k = 0; k < s->nwriters; k++) {
        store_writer *w = &s->writer[k];
        if (!w->path) continue;
        xap_db_close(w->db);
        w->db = NULL;
        (void)remove_tree(w->path); /* leftovers are removed by the next sharded load */
        free(w->path);
        w->path = NULL;
    }
    s->sharded = 0;
}

int store_shards_merge(store *s, char *err, size_t errlen) {
    xap_err xe;
    const char *src[STORE_MAX_SHARDS + 1];
    char *merged = beside(s, ".merged", 0), *old = beside(s, ".replaced", 0);
    int rc = -1;
    if (!merged || !old) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    /* The shards' handles go first: each commits and lets go of its files. */
    xap_db_close(s->rdb);
    s->rdb = NULL;
    src[0] = s->path;
    for (unsigned k = 0; k < s->nwriters; k++) {
        xap_db_close(s->writer[k].db);
        s->writer[k].db = NULL;
        src[k + 1] = s->writer[k].path;
    }
    if (remove_tree(merged) != 0 || remove_tree(old) != 0) {
        snprintf(err, errlen, "cannot remove a stale %s or %s: %s", merged, old,
                 strerror(errno));
        goto out;
    }
    if (xap_db_compact(src, s->nwriters + 1, merged, &xe) != XAP_OK) {
        snprintf(err, errlen, "merging the shards of %s: %s", s->path, xe.msg);
        goto out;
    }
    /* The empty index makes way for the merged one. */
    xap_db_close(s->wdb);
    s->wdb = NULL;
    if (rename(s->path, old) != 0 || rename(merged, s->path) != 0) {
        snprintf(err, errlen, "cannot put the merged index %s in place of %s: %s", merged,
                 s->path, strerror(errno));
        goto out;
    }
    (void)remove_tree(old);
    if (!(s->wdb = xap_db_open_write(s->path, &xe))) {
        snprintf(err, errlen, "cannot reopen index %s: %s", s->path, xe.msg);
        goto out;
    }
    if (!(s->rdb = xap_db_open_read(s->path, &xe))) {
        snprintf(err, errlen, "cannot open index %s for reading: %s", s->path, xe.msg);
        goto out;
    }
    rc = 0;
out:
    store_shards_discard(s);
    s->nwriters = 1;
    s->writer[0] = (store_writer){.s = s, .db = s->wdb};
    s->rdb_fresh = 0;
    free(merged);
    free(old);
    return rc;
}
