/* main.c — metadex-indexer: DataHub metadata events into a metadex index.
 *
 * Files and stdin here (file_source.c); with --brokers the whole command
 * line is handed to the Kafka mode (kafka_main.h). Exit status: 0 when the
 * run completed (even with dead letters), 1 on a fatal error, 2 on a usage
 * error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "indexer/dead_letter.h"
#include "indexer/file_source.h"
#include "indexer/options.h"
#include "indexer/progress.h"
#include "model/store.h"

/* The Kafka mode is its own part of the indexer; a build without it still
 * indexes files. */
#if __has_include("indexer/kafka_main.h")
#include "indexer/kafka_main.h"
#define IDX_HAVE_KAFKA 1
#else
#define IDX_HAVE_KAFKA 0
#endif

#define PROG "metadex-indexer"

static int run(const idx_options *o) {
    char err[2048];
    int status = 0;
    dead_letter_file *dl = NULL;
    if (o->dead_letter && !(dl = dead_letter_open(o->dead_letter, err, sizeof err))) {
        fprintf(stderr, PROG ": %s\n", err);
        return 1;
    }
    store_options sopt = {o->batch, dl ? dead_letter_write : NULL, dl, o->shards};
    store *st = store_open(o->db, &sopt, err, sizeof err);
    if (!st) {
        fprintf(stderr, PROG ": %s\n", err);
        (void)dead_letter_close(dl, err, sizeof err);
        return 1;
    }
    progress prog;
    progress_init(&prog, stderr, o->quiet);
    file_source fs = {st, &prog, dl};
    char *stdin_only[] = {"-"};
    char *const *files = o->nfiles ? o->files : stdin_only;
    int nfiles = o->nfiles ? o->nfiles : 1;
    for (int i = 0; i < nfiles && status == 0; i++) {
        if (file_source_index(&fs, files[i], err, sizeof err) != 0) {
            progress_clear(&prog);
            fprintf(stderr, PROG ": %s\n", err);
            status = 1;
        }
    }
    if (status == 0 && store_commit(st, err, sizeof err) != 0) {
        progress_clear(&prog);
        fprintf(stderr, PROG ": committing to %s: %s\n", o->db, err);
        status = 1;
    }
    /* Even after an input error: the batches committed stay in the index,
     * with shards as with one writer. */
    if (store_finish(st, err, sizeof err) != 0) {
        progress_clear(&prog);
        fprintf(stderr, PROG ": %s\n", err);
        status = 1;
    }
    if (dead_letter_close(dl, err, sizeof err) != 0) {
        progress_clear(&prog);
        fprintf(stderr, PROG ": %s\n", err);
        status = 1;
    }
    progress_summary(&prog, store_get_stats(st), store_entity_count(st));
    store_close(st);
    return status;
}

int main(int argc, char **argv) {
    if (idx_options_wants_kafka(argc, argv)) {
#if IDX_HAVE_KAFKA
        return kafka_main(argc, argv);
#else
        fprintf(stderr, PROG ": this build has no Kafka mode (--brokers)\n");
        return 2;
#endif
    }
    idx_options o;
    switch (idx_options_parse(argc, argv, &o)) {
    case IDX_OPTS_DONE: return 0;
    case IDX_OPTS_USAGE: return 2;
    case IDX_OPTS_RUN: break;
    }
    return run(&o);
}
