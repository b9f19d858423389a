/* kafka_status.h — the --status-listen HTTP endpoint of the Kafka mode:
 *   GET /healthz  200 {"status":"ok",...} while consuming, 503 when stopping
 *   GET /metrics  Prometheus text exposition (kafka_metrics.h)
 * Served by libmicrohttpd on its own thread, reading kafka_metrics only.
 */
#ifndef MDX_KAFKA_STATUS_H
#define MDX_KAFKA_STATUS_H

#include <stddef.h>

#include "indexer/kafka_metrics.h"

typedef struct kafka_status kafka_status;

/* Listens on `addr`: "HOST:PORT", "[V6]:PORT", ":PORT" or "PORT" (all
 * interfaces for the last two). Returns NULL with a reason in err. */
kafka_status *kafka_status_start(const char *addr, kafka_metrics *m, char *err, size_t errlen);
void kafka_status_stop(kafka_status *st);

#endif
