/* kafka_dead_letter.h — the dead-letter topic sink of the Kafka mode
 * (--dead-letter-topic T).
 *
 * Each unusable event becomes one message on T whose value is the store's
 * dead-letter JSON line (reason, source, topic, partition, offset, and the
 * original event or its raw text) and whose key is "<topic>/<partition>/
 * <offset>" of the message it came from. The producer is idempotent with
 * acks=all and retries without a deadline, so a broker outage delays dead
 * letters but does not drop them; the consumer calls kafka_dead_letter_sync
 * before each index commit, so the offsets of a batch never move past a
 * dead letter that is not yet stored in Kafka.
 */
#ifndef MDX_KAFKA_DEAD_LETTER_H
#define MDX_KAFKA_DEAD_LETTER_H

#include <signal.h>
#include <stddef.h>

#include "indexer/kafka_metrics.h"

typedef struct kafka_dead_letter kafka_dead_letter;

/* A producer to `topic` on `brokers`; `props` are extra librdkafka
 * "key=value" settings (the -X options). NULL with a reason in err. */
kafka_dead_letter *kafka_dead_letter_new(const char *brokers, const char *topic,
                                         const char *const *props, size_t nprops,
                                         kafka_metrics *metrics, char *err, size_t errlen);

/* store_dead_letter_fn: queues one dead letter (ctx is the sink). A letter
 * too large for a message is sent without the original event (reason and
 * topic/partition/offset still say where it is). Always returns 0: a
 * letter that cannot be queued at all is logged and counted, and the stream
 * goes on. */
int kafka_dead_letter_write(void *ctx, const char *json_line, size_t len);

/* Waits until every queued dead letter is acknowledged by the brokers (or
 * failed for good, which is logged and counted). Waits through outages,
 * logging; gives up only when *give_up becomes >= 2 (a second stop signal),
 * returning -1. Returns 0 when nothing is left in flight. */
int kafka_dead_letter_sync(kafka_dead_letter *dl, volatile sig_atomic_t *give_up);

/* Delivers what is queued (up to `timeout_ms`) and frees the producer. */
void kafka_dead_letter_free(kafka_dead_letter *dl, int timeout_ms);

#endif
