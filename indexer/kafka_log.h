/* kafka_log.h — log lines of metadex-indexer's Kafka mode (stderr).
 *
 * Every line starts with "metadex-indexer: ". Information lines are dropped
 * under --quiet; warnings and errors never are. A condition that repeats
 * (a broker down, a failing commit retried with backoff) is logged through
 * kafka_log_limited: at most once per interval per key, with the number of
 * lines held back since the last one, so an outage cannot flood the log.
 */
#ifndef MDX_KAFKA_LOG_H
#define MDX_KAFKA_LOG_H

typedef enum { KAFKA_LOG_INFO = 0, KAFKA_LOG_WARN, KAFKA_LOG_ERROR } kafka_log_level;

/* --quiet: drop information lines. */
void kafka_log_set_quiet(int quiet);

void kafka_log(kafka_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Logs at most once per `interval_ms` for `key` (any short string naming the
 * condition); lines held back are counted and reported with the next one.
 * Thread-safe (librdkafka calls its log and error callbacks from its own
 * threads). */
void kafka_log_limited(kafka_log_level level, const char *key, int interval_ms, const char *fmt,
                       ...) __attribute__((format(printf, 4, 5)));

/* Milliseconds on the monotonic clock (for deadlines and durations). */
long long kafka_now_ms(void);
/* Seconds since the epoch, wall clock (for "last commit time"). */
double kafka_wall_seconds(void);

#endif
