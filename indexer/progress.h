/* progress.h — what metadex-indexer tells the person watching it.
 *
 * On a terminal, a progress line (events, entities, rate) redrawn in place
 * at most four times a second; at the end, always, a summary on stderr:
 * events read, applied, dead-lettered, aspects ignored, entities in the
 * index, seconds, events/s and entities/s.
 */
#ifndef MDX_INDEXER_PROGRESS_H
#define MDX_INDEXER_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

#include "model/store.h"

typedef struct progress {
    FILE *out;
    int live;        /* a progress line is drawn (a terminal, not --quiet) */
    int drawn;       /* the line is on screen and must be cleared first */
    double start_ms; /* monotonic */
    double next_ms;  /* next redraw allowed */
} progress;

void progress_init(progress *p, FILE *out, int quiet);
/* Redraws the progress line if it is time to. Cheap enough to call per event. */
void progress_tick(progress *p, const store_stats *st);
/* Seconds since progress_init. */
double progress_elapsed(const progress *p);
/* Clears the progress line (before printing an error, say). */
void progress_clear(progress *p);
/* Prints the final summary. */
void progress_summary(progress *p, const store_stats *st, uint32_t entities_in_index);

#endif
