/* kafka_metrics.h — the numbers the Kafka mode shows on /metrics and
 * /healthz, shared between the consumer loop (which writes them) and the
 * status endpoint's thread (which reads them); every call takes the lock.
 *
 * Prometheus names (all prefixed metadex_indexer_):
 *   events_consumed_total, events_skipped_total (already in the index),
 *   events_applied_total, events_dead_lettered_total, dead_letter_errors_total,
 *   batches_total, commit_seconds (histogram), last_commit_timestamp_seconds,
 *   entities, index_revision, brokers_up, partitions_assigned,
 *   partition_committed_offset / partition_high_watermark / partition_lag
 *   {topic, partition}.
 */
#ifndef MDX_KAFKA_METRICS_H
#define MDX_KAFKA_METRICS_H

#include <stddef.h>
#include <stdint.h>

typedef struct kafka_counters {
    uint64_t events_consumed;    /* messages read from Kafka and fed to the store */
    uint64_t events_skipped;     /* messages below the index's stored offset (replays) */
    uint64_t events_applied;     /* store: changed or confirmed an entity */
    uint64_t events_dead;        /* store: dead-lettered */
    uint64_t dead_letter_errors; /* dead letters the sink could not deliver */
    uint64_t batches;            /* index commits */
    uint64_t entities;           /* documents in the index */
    uint64_t revision;           /* index revision */
    double last_commit_time;     /* seconds since the epoch; 0 before the first */
    uint32_t partitions_assigned;
} kafka_counters;

typedef struct kafka_metrics kafka_metrics;

kafka_metrics *kafka_metrics_new(void);
void kafka_metrics_free(kafka_metrics *m);

/* Replaces the counters with `c` (the consumer loop owns the truth). */
void kafka_metrics_set(kafka_metrics *m, const kafka_counters *c);
/* Adds to the dead-letter error count (called from the producer's thread). */
void kafka_metrics_add_dead_letter_error(kafka_metrics *m);
/* Whether any broker is reachable (librdkafka's error callback says). */
void kafka_metrics_set_brokers_up(kafka_metrics *m, int up);
/* Sets one partition's committed offset (next to read, -1 unknown) and high
 * watermark (-1 unknown); `assigned` 0 drops it from the output. Returns 0,
 * -1 on allocation failure. */
int kafka_metrics_set_partition(kafka_metrics *m, const char *topic, int32_t partition,
                                int64_t committed, int64_t high, int assigned);
/* Records one index commit's duration. */
void kafka_metrics_observe_commit(kafka_metrics *m, double seconds);
/* Marks the consumer as running (1) or stopping (0), for /healthz. */
void kafka_metrics_set_running(kafka_metrics *m, int running);

/* The Prometheus text exposition (malloc'd, NUL-terminated), or NULL. */
char *kafka_metrics_render(kafka_metrics *m, size_t *len);
/* /healthz: a small JSON object (malloc'd) and its HTTP status: 200 while
 * the consumer runs, 503 when it is stopping. */
char *kafka_metrics_health(kafka_metrics *m, size_t *len, int *http_status);

#endif
