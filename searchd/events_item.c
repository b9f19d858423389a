/* events_item.c — outcomes of the events of one REST write (see
 * events_item.h). */
#include "searchd/events_item.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "searchd/request.h"

const char *event_status_name(event_status s)
{
    switch (s) {
    case EVENT_VALID:
        return "valid";
    case EVENT_REJECTED:
        return "rejected";
    case EVENT_PENDING:
        return "pending";
    case EVENT_APPLIED:
        return "applied";
    case EVENT_FAILED:
        return "failed";
    }
    return "unknown";
}

void event_item_set(event_item *it, event_status s, const char *fmt, ...)
{
    it->status = s;
    free(it->reason);
    it->reason = NULL;
    if (!fmt)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Reasons quote the client's input cut at a byte count: keep them
     * valid UTF-8 by dropping a trailing partial character. */
    size_t n = 0;
    while (msg[n])
        n++;
    while (n > 0 && !req_utf8_valid(msg, n))
        msg[--n] = '\0';
    size_t len = n + 1;
    it->reason = malloc(len);
    if (it->reason)
        snprintf(it->reason, len, "%s", msg);
}

void event_items_free(event_item *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].urn);
        free(v[i].reason);
    }
    free(v);
}
