/* lexicon.h — the in-memory structures searchd derives from one revision of
 * the index: the vocabulary (typo and prefix expansion, "did you mean") and
 * the autocomplete index, held together as one immutable snapshot.
 *
 * A background thread builds them, so no query ever waits for a rebuild:
 *   - it polls the index every LEXICON_POLL_MS (and sooner when nudged) and
 *     rebuilds when the revision moved;
 *   - at most once every LEXICON_MIN_INTERVAL_MS, and never sooner after
 *     the last build than LEXICON_BUILD_FACTOR times that build took, so a
 *     busy indexer (a commit every ~500 ms) costs a bounded share of one core
 *     (1 / (1 + factor) at most) however large the index;
 *   - it runs at a lower CPU priority than the request threads;
 *   - the new snapshot replaces the old with one pointer swap under a mutex;
 *     requests that hold the old one keep using it (reference counted) and
 *     the last to release it frees it.
 * So a snapshot may lag the index by up to the interval plus one build: new
 * words are still found exactly (their terms reach Xapian directly), only
 * their typo and prefix expansion and autocomplete wait for the next build.
 */
#ifndef MDX_SEARCHD_LEXICON_H
#define MDX_SEARCHD_LEXICON_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "searchd/names.h"
#include "searchd/vocab.h"

#define LEXICON_POLL_MS 500            /* how often the builder looks at the revision */
#define LEXICON_MIN_INTERVAL_MS 3000   /* least time between two builds */
#define LEXICON_BUILD_FACTOR 3         /* ... and at least this many build durations */
#define LEXICON_FIRST_WAIT_MS 30000    /* how long a request waits for the first snapshot */

typedef struct lexicon {
    uint64_t revision;   /* of the index it was built from */
    uint32_t doccount;
    vocab *vocab;        /* every text term of the index */
    names *names;        /* the autocomplete index */
    double build_ms;     /* wall time of the build */
    atomic_uint refs;    /* private: see lexicon_acquire / lexicon_release */
} lexicon;

typedef struct lexicon_stats {
    uint64_t revision;   /* of the current snapshot (0: none yet) */
    uint64_t builds;     /* snapshots built since start */
    uint64_t failures;   /* builds that failed */
    double last_build_ms;
    size_t words, names, memory; /* of the current snapshot */
    int building;        /* a build is running now */
} lexicon_stats;

/* Starts the builder thread over the index at `db_path` (which may not
 * exist yet). Returns 0, or -1 with a reason. Calling it again is a no-op. */
int lexicon_start(const char *db_path, char *err, size_t errlen);
/* Stops the builder (waiting for a build in progress) and drops the current
 * snapshot; snapshots still held are freed by their last release. */
void lexicon_stop(void);

/* The current snapshot (one more reference), or NULL if none is built yet.
 * Never blocks on a build. */
lexicon *lexicon_acquire(void);
/* Like lexicon_acquire, but when there is no snapshot yet and the index
 * exists, waits up to timeout_ms for the first one. */
lexicon *lexicon_acquire_wait(unsigned timeout_ms);
void lexicon_release(lexicon *lx);

/* Tells the builder a reader saw `revision`: if it is not the snapshot's,
 * look now rather than at the next poll (the intervals above still hold). */
void lexicon_nudge(uint64_t revision);

void lexicon_get_stats(lexicon_stats *out);

#endif
