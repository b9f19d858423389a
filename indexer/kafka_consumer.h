/* kafka_consumer.h — the consumer-group member that feeds the index.
 *
 * Exactly-once effect: each batch's documents and the offsets it covers are
 * one Xapian commit (store_note_offset + store_commit). On start and on
 * every partition assignment the consumer seeks each partition to the
 * offset stored in the index (store_committed_offset), falling back to the
 * group's committed offset and then to the earliest; a message below the
 * stored offset is skipped, so a replay never applies an event twice.
 * Kafka offsets are committed too after each index commit, for lag tools
 * only (enable.auto.commit and enable.auto.offset.store are off).
 *
 * A batch commits after `commit_every` events or `commit_ms` after its first
 * event, whichever comes first, and is written while the next one fills.
 * A revoked assignment commits its batch first. A failed index commit drops nothing: the batch's
 * partitions are rewound to their first uncommitted message and read again after a backoff.
 */
#ifndef MDX_KAFKA_CONSUMER_H
#define MDX_KAFKA_CONSUMER_H

#include <signal.h>
#include <stddef.h>

#include "indexer/kafka_metrics.h"
#include "model/store.h"

/* Called before each index commit so a dead-letter sink can make its
 * letters durable first; returns 0, or -1 to abandon the commit (the
 * consumer then stops without committing). */
typedef int (*kafka_sync_fn)(void *ctx, volatile sig_atomic_t *stop);

typedef struct kafka_consumer_config {
    const char *brokers;
    const char *const *topics;
    size_t ntopics;
    const char *group;
    size_t commit_every;
    int commit_ms;
    const char *const *props; /* extra librdkafka "key=value" (the -X options) */
    size_t nprops;
    kafka_sync_fn sync; /* may be NULL */
    void *sync_ctx;
} kafka_consumer_config;

typedef struct kafka_consumer kafka_consumer;

/* Creates the consumer (nothing is read before kafka_consumer_run). The
 * store, metrics and config strings must outlive it. NULL with a reason. */
kafka_consumer *kafka_consumer_new(const kafka_consumer_config *cfg, store *s,
                                   kafka_metrics *metrics, char *err, size_t errlen);

/* Consumes until *stop becomes non-zero (a signal handler sets it), then
 * commits the pending batch and leaves the group. Returns 0 after a clean
 * stop, -1 after a fatal error (the index is left at its last commit, which
 * a restart resumes from). A second signal (*stop >= 2) abandons waits for
 * an unreachable broker: the pending batch is then not committed. */
int kafka_consumer_run(kafka_consumer *c, volatile sig_atomic_t *stop);

/* Frees the consumer (kafka_consumer_run has closed it already). */
void kafka_consumer_free(kafka_consumer *c);

#endif
