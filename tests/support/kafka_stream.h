/* kafka_stream.h — the pieces the Kafka integration tests share: the
 * DataHub fixture files, generated event files, a reference index built by
 * metadex-indexer from files, the indexer in Kafka mode as a child process,
 * and waiting until an index's stored offsets reach the topic's end.
 * Built on testenv.h (processes) and kafka_util.h. Prefix ks_. */
#ifndef MDX_KAFKA_STREAM_H
#define MDX_KAFKA_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tests/support/kafka_util.h"

/* Every *.json file under $MDX_FIXTURES, sorted by path (malloc'd array of
 * malloc'd paths, NULL-terminated); *n receives the count. NULL on error. */
char **ks_fixture_files(size_t *n);
void ks_free_list(char **v);

/* Writes `count` generated events (event_gen.h) as JSON lines. 0 or -1. */
int ks_write_generated(const char *path, uint64_t seed, long count, long entities, const char *ns);

/* Produces each file's events in order (keyed by URN) and waits for the
 * acknowledgements. Returns the number of messages, or -1. */
long ks_produce_files(const char *brokers, const char *topic, char *const *files, size_t n);

/* metadex-indexer --db db [--dead-letter dl] FILES...: the reference index.
 * Returns its exit status. */
int ks_index_files(const char *db, const char *dead_letter, char *const *files, size_t n,
                   const char *log);

/* Starts metadex-indexer in Kafka mode: --db --brokers --topic (comma list)
 * --group, quick group settings for tests, then `extra` (NULL-terminated,
 * may be NULL). Returns the pid or -1. */
pid_t ks_start_indexer(const char *db, const char *brokers, const char *topics, const char *group,
                       const char *const *extra, const char *log);

/* Waits until the index stores offset high[p] for every partition p of
 * `topic` (partitions with high 0 need nothing). 0 when reached, -1 on
 * timeout (or if `pid` exits meanwhile, when pid > 0). */
int ks_wait_offsets(const char *db, const char *topic, int nparts, const int64_t *high,
                    int timeout_ms, pid_t pid);

/* Sum of the stored offsets of `topic` (partitions without one count 0). */
int64_t ks_offsets_sum(const char *db, const char *topic, int nparts);

/* Prints the last lines of a log to stderr (for failure reports). */
void ks_dump_log(const char *path, int lines);

#endif
