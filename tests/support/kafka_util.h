/* kafka_util.h — Kafka for tests and benchmarks: a mock cluster in a child
 * process (mdx-kafka-mock), producing events keyed by entity URN, reading a
 * topic back, and partition watermarks. Prefix kt_. */
#ifndef MDX_KAFKA_UTIL_H
#define MDX_KAFKA_UTIL_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- the mock cluster ---------------------------------------------------- */

typedef struct kt_mock {
    pid_t pid;
    int cmd_fd;      /* its stdin: commands; closing it stops the cluster */
    int out_fd;      /* its stdout: the bootstrap line, then command answers */
    char *bootstrap; /* "127.0.0.1:port,..." (malloc'd) */
} kt_mock;

/* Starts `mock` (path of mdx-kafka-mock) with topics "name:partitions"
 * (NULL-terminated); its stderr goes to `logfile` (may be NULL). Waits for
 * the bootstrap line (up to 10 s). Returns 0, or -1 with a reason in err. */
int kt_mock_start(kt_mock *m, const char *mock, const char *const *topics, const char *logfile,
                  char *err, size_t errlen);
/* Sends a command ("down all", "up 1") and waits for its "ok". 0 or -1. */
int kt_mock_command(kt_mock *m, const char *cmd);
/* Stops the cluster (end of its stdin, then SIGTERM, then SIGKILL). */
void kt_mock_stop(kt_mock *m);

/* ---- producing ---------------------------------------------------------- */

typedef struct kt_producer {
    rd_kafka_t *rk;
    long queued, delivered, failed;
    char last_error[256];
} kt_producer;

/* An idempotent producer (acks=all, lz4-compressed batches: the mock keeps
 * only 5 MB of log per partition). 0, or -1 with a reason. */
int kt_producer_open(kt_producer *p, const char *brokers, char *err, size_t errlen);
/* Queues one message (key may be NULL); waits while the local queue is full. */
int kt_produce(kt_producer *p, const char *topic, int32_t partition, const char *key, size_t keylen,
               const void *value, size_t len);
/* Waits for every queued message's delivery report; 0 if all were
 * delivered, -1 otherwise (last_error says why). */
int kt_producer_flush(kt_producer *p, int timeout_ms);
void kt_producer_close(kt_producer *p);

/* The entity URN an event is about (MCP/MCL entityUrn, the snapshot's urn
 * of an MCE/MAE), decoded as metadex does; NULL when it has none. Malloc'd. */
char *kt_event_urn(const char *json, size_t len);

/* Produces each event of `buf` (JSON lines, a JSON array or one object) as
 * one message keyed by its entity URN; text that does not parse is sent as
 * it is, without key. `rate` > 0 paces the sending (events per second).
 * Returns the number of messages queued, or -1. */
long kt_produce_events(kt_producer *p, const char *topic, const char *buf, size_t len, double rate);

/* ---- reading back ------------------------------------------------------- */

/* High watermarks of partitions 0..n-1 of `topic`. 0 or -1. */
int kt_high_watermarks(const char *brokers, const char *topic, int n, int64_t *high);

typedef int (*kt_message_fn)(void *ctx, int32_t partition, int64_t offset, const char *key,
                             size_t keylen, const char *value, size_t len);
/* Reads partitions 0..n-1 of `topic` from the start to their current high
 * watermark (no consumer group), calling fn per message (non-zero stops).
 * Returns the number of messages read, or -1. */
long kt_read_topic(const char *brokers, const char *topic, int n, kt_message_fn fn, void *ctx);

#endif
