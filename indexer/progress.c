/* progress.c — progress line and final summary (see progress.h). */
#include "indexer/progress.h"

#include <time.h>
#include <unistd.h>

#define PROGRESS_EVERY_MS 250.0

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void progress_init(progress *p, FILE *out, int quiet) {
    p->out = out;
    p->live = !quiet && isatty(fileno(out));
    p->drawn = 0;
    p->start_ms = now_ms();
    p->next_ms = p->start_ms + PROGRESS_EVERY_MS;
}

double progress_elapsed(const progress *p) {
    return (now_ms() - p->start_ms) / 1e3;
}

static double rate(uint64_t n, double secs) {
    return secs > 0 ? (double)n / secs : 0.0;
}

void progress_tick(progress *p, const store_stats *st) {
    if (!p->live) return;
    double t = now_ms();
    if (t < p->next_ms) return;
    p->next_ms = t + PROGRESS_EVERY_MS;
    double secs = (t - p->start_ms) / 1e3;
    /* \r and erase-to-end-of-line: the line is redrawn in place. */
    fprintf(p->out,
            "\r\033[K%llu events, %llu entities written, %llu dead-lettered, %.0f events/s",
            (unsigned long long)st->events_read, (unsigned long long)st->entities_written,
            (unsigned long long)st->events_dead, rate(st->events_read, secs));
    fflush(p->out);
    p->drawn = 1;
}

void progress_clear(progress *p) {
    if (!p->drawn) return;
    fputs("\r\033[K", p->out);
    fflush(p->out);
    p->drawn = 0;
}

void progress_summary(progress *p, const store_stats *st, uint32_t entities_in_index) {
    progress_clear(p);
    double secs = progress_elapsed(p);
    fprintf(p->out,
            "metadex-indexer: %llu events read, %llu applied, %llu dead-lettered, "
            "%llu aspects ignored\n"
            "metadex-indexer: %llu entities written, %llu deleted, %u entities in the index\n"
            "metadex-indexer: %.2f s, %.0f events/s, %.0f entities/s\n",
            (unsigned long long)st->events_read, (unsigned long long)st->events_applied,
            (unsigned long long)st->events_dead, (unsigned long long)st->aspects_ignored,
            (unsigned long long)st->entities_written, (unsigned long long)st->entities_deleted,
            entities_in_index, secs, rate(st->events_read, secs),
            rate(st->entities_written, secs));
}
