/* lexicon.c — the snapshot of vocabulary and autocomplete index, rebuilt by
 * a background thread when the index revision moves (see lexicon.h).
 *
 * One mutex guards the current pointer and the builder's state; it is held
 * only to swap or take a reference, never during a build. The builder owns
 * its own read handle and analyzer (Xapian handles are not shared between
 * threads).
 */
#include "searchd/clock.h"
#include "searchd/lexicon.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "analyzers/analyzer.h"

#define LEXICON_NICE 10     /* the builder's CPU priority below the request threads */
#define LEXICON_RETRIES 3   /* builds restarted when the index moves under them */

static struct {
    pthread_mutex_t mu;
    pthread_cond_t wake;  /* the builder: stop or nudge */
    pthread_cond_t ready; /* waiters: a look at the index finished */
    pthread_t thread;
    int started, stop, nudged;
    char *path;
    lexicon *cur;
    uint64_t cycles;   /* looks at the index finished */
    int have_index;    /* the last look found an index */
    lexicon_stats st;
} L = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void lexicon_destroy(lexicon *lx)
{
    vocab_free(lx->vocab);
    names_free(lx->names);
    free(lx);
}

void lexicon_release(lexicon *lx)
{
    if (lx && atomic_fetch_sub(&lx->refs, 1) == 1)
        lexicon_destroy(lx);
}

lexicon *lexicon_acquire(void)
{
    pthread_mutex_lock(&L.mu);
    lexicon *lx = L.cur;
    if (lx)
        atomic_fetch_add(&lx->refs, 1);
    pthread_mutex_unlock(&L.mu);
    return lx;
}

lexicon *lexicon_acquire_wait(unsigned timeout_ms)
{
    pthread_mutex_lock(&L.mu);
    if (!L.cur && L.started && !L.stop) {
        /* A look that finished when we came may have started before the
         * index existed: wait for one more, which then either builds the
         * first snapshot, finds no index, or fails. */
        uint64_t start = L.cycles, fails = L.st.failures;
        struct timespec dl = sd_deadline(timeout_ms);
        L.nudged = 1;
        pthread_cond_signal(&L.wake);
        while (!L.cur && !L.stop && L.st.failures == fails &&
               !(L.cycles >= start + 2 && !L.have_index))
            if (pthread_cond_timedwait(&L.ready, &L.mu, &dl) == ETIMEDOUT)
                break;
    }
    lexicon *lx = L.cur;
    if (lx)
        atomic_fetch_add(&lx->refs, 1);
    pthread_mutex_unlock(&L.mu);
    return lx;
}

void lexicon_nudge(uint64_t revision)
{
    pthread_mutex_lock(&L.mu);
    if (L.started && (!L.cur || L.cur->revision != revision)) {
        L.nudged = 1;
        pthread_cond_signal(&L.wake);
    }
    pthread_mutex_unlock(&L.mu);
}

void lexicon_get_stats(lexicon_stats *out)
{
    pthread_mutex_lock(&L.mu);
    *out = L.st;
    pthread_mutex_unlock(&L.mu);
}

/* Opens or follows the index; 0 with its revision, -1 if there is none. */
static int look(xap_db **db, uint64_t *rev, uint32_t *docs)
{
    xap_err xe = {0};
    int changed;
    if (*db && xap_db_reopen(*db, &changed, &xe) != XAP_OK) {
        xap_db_close(*db);
        *db = NULL;
    }
    if (!*db)
        *db = xap_db_open_read(L.path, &xe);
    if (!*db)
        return -1;
    if (xap_db_revision(*db, rev, &xe) != XAP_OK || xap_db_doccount(*db, docs, &xe) != XAP_OK) {
        xap_db_close(*db);
        *db = NULL;
        return -1;
    }
    return 0;
}

/* Builds a snapshot of the handle's revision, following the index if it
 * moves under the build. NULL with a reason in err. */
static lexicon *build(xap_db **db, an_analyzer *an, char *err, size_t errlen)
{
    for (int attempt = 0; attempt < LEXICON_RETRIES; attempt++) {
        lexicon *lx = calloc(1, sizeof *lx);
        if (!lx) {
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
        double t0 = sd_mono_ms();
        if (look(db, &lx->revision, &lx->doccount) != 0) {
            snprintf(err, errlen, "the index at %s cannot be opened", L.path);
            free(lx);
            return NULL;
        }
        lx->vocab = vocab_build_from_db(*db, err, errlen);
        if (lx->vocab)
            lx->names = names_build(*db, an, err, errlen);
        if (lx->vocab && lx->names) {
            lx->build_ms = sd_mono_ms() - t0;
            atomic_init(&lx->refs, 1);
            return lx;
        }
        lexicon_destroy(lx); /* most likely the writer moved on: look again */
    }
    return NULL;
}

static void *builder_main(void *arg)
{
    (void)arg;
    /* Best effort: queries should win the CPU over a rebuild. */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), LEXICON_NICE);
    char err[1024] = "";
    an_analyzer *an = an_new(err, sizeof err);
    if (!an)
        fprintf(stderr, "metadex-searchd: lexicon: no analyzer: %s\n", err);
    xap_db *db = NULL;
    double last_end = 0, last_ms = 0;
    int first = 1;
    while (an) {
        pthread_mutex_lock(&L.mu);
        if (!L.stop && !L.nudged) {
            struct timespec dl = sd_deadline(LEXICON_POLL_MS);
            pthread_cond_timedwait(&L.wake, &L.mu, &dl);
        }
        if (L.stop) {
            pthread_mutex_unlock(&L.mu);
            break;
        }
        L.nudged = 0;
        int have = L.cur != NULL;
        uint64_t have_rev = have ? L.cur->revision : 0;
        pthread_mutex_unlock(&L.mu);

        uint64_t rev = 0;
        uint32_t docs = 0;
        int found = look(&db, &rev, &docs) == 0;
        double gap = (double)LEXICON_MIN_INTERVAL_MS;
        if (LEXICON_BUILD_FACTOR * last_ms > gap)
            gap = LEXICON_BUILD_FACTOR * last_ms;
        int due = found && (!have || rev != have_rev) && (!have || sd_mono_ms() - last_end >= gap);
        lexicon *lx = NULL;
        if (due) {
            pthread_mutex_lock(&L.mu);
            L.st.building = 1;
            pthread_mutex_unlock(&L.mu);
            lx = build(&db, an, err, sizeof err);
            last_end = sd_mono_ms();
            if (lx)
                last_ms = lx->build_ms;
            else
                fprintf(stderr, "metadex-searchd: lexicon: build failed: %s\n", err);
        }
        lexicon *old = NULL;
        pthread_mutex_lock(&L.mu);
        L.have_index = found;
        L.st.building = 0;
        if (due && !lx)
            L.st.failures++;
        if (lx) {
            old = L.cur;
            L.cur = lx;
            L.st.revision = lx->revision;
            L.st.builds++;
            L.st.last_build_ms = lx->build_ms;
            L.st.words = vocab_size(lx->vocab);
            L.st.names = names_count(lx->names);
            L.st.memory = vocab_memory(lx->vocab) + names_memory(lx->names);
        }
        L.cycles++;
        pthread_cond_broadcast(&L.ready);
        pthread_mutex_unlock(&L.mu);
        lexicon_release(old);
        if (lx && (first || lx->build_ms >= 1000))
            fprintf(stderr,
                    "metadex-searchd: lexicon: revision %llu: %zu words, %zu names, %.1f MB, "
                    "built in %.0f ms\n",
                    (unsigned long long)lx->revision, vocab_size(lx->vocab),
                    names_count(lx->names),
                    (double)(vocab_memory(lx->vocab) + names_memory(lx->names)) / 1048576.0,
                    lx->build_ms);
        if (lx)
            first = 0;
    }
    if (db)
        xap_db_close(db);
    an_free(an);
    return NULL;
}

int lexicon_start(const char *db_path, char *err, size_t errlen)
{
    pthread_mutex_lock(&L.mu);
    if (L.started) {
        pthread_mutex_unlock(&L.mu);
        return 0;
    }
    int rc = sd_mono_cond_init(&L.wake);
    if (rc == 0 && (rc = sd_mono_cond_init(&L.ready)) != 0)
        pthread_cond_destroy(&L.wake);
    if (rc != 0) {
        pthread_mutex_unlock(&L.mu);
        snprintf(err, errlen, "lexicon: condition variables: %s", strerror(rc));
        return -1;
    }
    L.path = strdup(db_path);
    L.stop = L.nudged = 0;
    if (!L.path || (rc = pthread_create(&L.thread, NULL, builder_main, NULL)) != 0) {
        snprintf(err, errlen, "lexicon: starting the builder: %s",
                 L.path ? strerror(rc) : "out of memory");
        free(L.path);
        L.path = NULL;
        pthread_cond_destroy(&L.wake);
        pthread_cond_destroy(&L.ready);
        pthread_mutex_unlock(&L.mu);
        return -1;
    }
    L.started = 1;
    pthread_mutex_unlock(&L.mu);
    return 0;
}

void lexicon_stop(void)
{
    pthread_mutex_lock(&L.mu);
    if (!L.started) {
        pthread_mutex_unlock(&L.mu);
        return;
    }
    L.stop = 1;
    pthread_cond_signal(&L.wake);
    pthread_cond_broadcast(&L.ready);
    pthread_mutex_unlock(&L.mu);
    pthread_join(L.thread, NULL);
    pthread_mutex_lock(&L.mu);
    lexicon *cur = L.cur;
    L.cur = NULL;
    L.started = 0;
    free(L.path);
    L.path = NULL;
    pthread_cond_destroy(&L.wake);
    pthread_cond_destroy(&L.ready);
    pthread_mutex_unlock(&L.mu);
    lexicon_release(cur);
}
