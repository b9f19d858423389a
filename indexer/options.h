/* options.h — metadex-indexer's command line (files and stdin mode).
 *
 *   metadex-indexer --db DIR [--dead-letter FILE] [--batch N] [--shards N] [--quiet] [FILE ...]
 *
 * With --brokers the whole command line belongs to the Kafka mode
 * (indexer/kafka_main.h), which parses it itself; --help lists both.
 */
#ifndef MDX_INDEXER_OPTIONS_H
#define MDX_INDEXER_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

typedef struct idx_options {
    const char *db;          /* index directory (created if absent) */
    const char *dead_letter; /* dead-letter file, or NULL: only counted */
    size_t batch;            /* events per commit */
    unsigned shards;         /* writer threads for a load into an empty index */
    int quiet;               /* no progress line */
    char **files;            /* inputs; none means stdin */
    int nfiles;
} idx_options;

#define IDX_DEFAULT_BATCH 20000
#define IDX_DEFAULT_SHARDS 1
#define IDX_MAX_SHARDS 8

typedef enum {
    IDX_OPTS_RUN = 0,   /* go on and index */
    IDX_OPTS_DONE = 1,  /* --help or --version was printed: exit 0 */
    IDX_OPTS_USAGE = 2, /* a usage error was printed: exit 2 */
} idx_opts_result;

/* 1 if the arguments ask for the Kafka mode (--brokers before any "--"). */
int idx_options_wants_kafka(int argc, char **argv);
/* Parses argv into *o (pointers into argv). Errors are printed to stderr. */
idx_opts_result idx_options_parse(int argc, char **argv, idx_options *o);
void idx_options_usage(FILE *out);

#endif
