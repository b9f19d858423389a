/* events_kafka.h — REST writes published to Kafka (--brokers, --topic).
 *
 * searchd stays a reader: it publishes each valid event to the topic the
 * metadex-indexer consumes, and that indexer applies it (DESIGN.md §1).
 * The producer is idempotent with acks=all, so an acknowledged event is in
 * the log of every in-sync replica, once. The key of each message is the
 * entity URN, partitioned with Java's murmur2 like DataHub's producers, so
 * one entity's events stay ordered in one partition whoever sends them.
 *
 * Read-after-write: the indexer commits each batch together with the
 * offsets it covers (metadata "offset/<topic>/<partition>" = the next offset
 * to read, same Xapian transaction). An event published at offset o of
 * partition p is therefore searchable exactly when the index's stored
 * offset for p is past o; events_kafka_wait reads that through the calling
 * thread's reader, reopened each time it looks.
 */
#ifndef MDX_SEARCHD_EVENTS_KAFKA_H
#define MDX_SEARCHD_EVENTS_KAFKA_H

#include <stddef.h>

#include "searchd/events_item.h"

/* Creates the producer. props: "key=value" librdkafka settings applied
 * last (security settings, or to override the defaults). Returns 0, or -1
 * with a reason. */
int events_kafka_start(const char *brokers, const char *topic, const char *const *props,
                       size_t nprops, char *err, size_t errlen);
/* Waits (a few seconds at most) for messages in flight, then frees it. */
void events_kafka_stop(void);

/* Publishes the items whose status is EVENT_VALID, keyed by their URN, and
 * waits for the acknowledgements: each becomes EVENT_PENDING with its
 * partition and offset, EVENT_REJECTED (Kafka refuses it, e.g. too large)
 * or EVENT_FAILED (not acknowledged in time, broker errors). */
void events_kafka_publish(event_item *items, size_t n);

/* Waits until every EVENT_PENDING item is in the index (it becomes
 * EVENT_APPLIED) or `timeout_ms` passes (those left stay pending). */
void events_kafka_wait(event_item *items, size_t n, long timeout_ms);

#endif
