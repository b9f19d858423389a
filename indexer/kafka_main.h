/* kafka_main.h — metadex-indexer's Kafka mode.
 *
 * indexer/main.c hands over to kafka_main() whenever its arguments contain
 * --brokers. kafka_main parses every option itself:
 *   --db DIR --brokers HOST:PORT[,..] --topic T[,T2..] [--group G]
 *   [--commit-every N] [--commit-ms MS]
 *   [--dead-letter-topic T | --dead-letter FILE] [--status-listen ADDR]
 *   [-X librdkafka.property=value]... [--quiet]
 * and runs a consumer-group member that commits each batch of events to the
 * index together with the offsets it covers (exactly-once effect), until
 * SIGTERM or SIGINT. Returns the process exit status.
 */
#ifndef MDX_KAFKA_MAIN_H
#define MDX_KAFKA_MAIN_H

int kafka_main(int argc, char **argv);

#endif
