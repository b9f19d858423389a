/* entity.c — an entity's state (entity.h) and how a decoded event changes
 * it: upserts replace an aspect, patches are applied to it, deletes remove
 * it or the whole entity, timeseries aspects keep their recent buckets.
 *
 * An event is applied all or nothing: its aspects are staged on a shallow
 * copy of the state's aspect map, and the state is touched only once every
 * aspect has passed (a bad patch or shape dead-letters the whole event).
 * Aspect values are shared by reference between the event and the state;
 * neither is modified in place afterwards (patches work on copies,
 * timeseries merges build new arrays).
 */
#include "model/entity.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "model/aspects.h"
#include "model/patch.h"

#define ENTITY_TIMESERIES_WINDOW_MS (30LL * 24 * 3600 * 1000)

static int entity_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

json_t *entity_new(const char *urn, const char *type)
{
    if (!urn || !type)
        return NULL;
    return json_pack("{s:s,s:s,s:{},s:i}", "urn", urn, "type", type, "aspects", "ignored", 0);
}

static long long entity_bucket_ts(const json_t *bucket)
{
    return (long long)json_number_value(json_object_get(bucket, "timestampMillis"));
}

/* A new bucket list: `old` (an array sorted by timestampMillis, or
 * nothing) with `bucket` in its place (replacing one of the same time), and
 * the buckets older than the window before the newest dropped. */
static json_t *entity_timeseries_merge(const json_t *old, json_t *bucket)
{
    json_t *out = json_array();
    if (!out)
        return NULL;
    long long ts = entity_bucket_ts(bucket), newest = ts;
    size_t i;
    json_t *b;
    if (json_is_array(old))
        json_array_foreach(old, i, b)
        {
            if (json_is_object(b) && json_is_number(json_object_get(b, "timestampMillis")) &&
                entity_bucket_ts(b) > newest)
                newest = entity_bucket_ts(b);
        }
    long long oldest = newest - ENTITY_TIMESERIES_WINDOW_MS;
    int placed = 0;
    if (json_is_array(old))
        json_array_foreach(old, i, b)
        {
            if (!json_is_object(b) || !json_is_number(json_object_get(b, "timestampMillis")))
                continue;
            long long bts = entity_bucket_ts(b);
            if (!placed && bts >= ts) {
                if (ts >= oldest && json_array_append(out, bucket) != 0)
                    goto oom;
                placed = 1;
            }
            if (bts == ts || bts < oldest)
                continue; /* replaced, or out of the window */
            if (json_array_append(out, b) != 0)
                goto oom;
        }
    if (!placed && ts >= oldest && json_array_append(out, bucket) != 0)
        goto oom;
    return out;
oom:
    json_decref(out);
    return NULL;
}

/* Is `aspect` the key aspect of entities of `type` ("corpUserKey" for
 * corpuser: DataHub's entity names and key aspects differ in case)? */
static int entity_is_own_key(const char *aspect, const char *type)
{
    size_t tl = strlen(type);
    return strlen(aspect) == tl + 3 && strncasecmp(aspect, type, tl) == 0 &&
           strcmp(aspect + tl, "Key") == 0;
}

/* Stages one aspect change of `ev` into `staged` (the aspect map being
 * built). Returns 0, 1 if the entity is to be deleted, or -1. */
static int entity_stage(json_t *staged, const char *type, ev_change change, const ev_aspect *a,
                        long *ignored, char *err, size_t errlen)
{
    aspect_kind kind = aspect_lookup(a->name);
    if (kind == ASPECT_UNKNOWN) {
        if (change != EV_DELETE)
            (*ignored)++;
        return 0;
    }
    if (change == EV_DELETE) {
        if (kind == ASPECT_KEY && entity_is_own_key(a->name, type))
            return 1;
        json_object_del(staged, a->name);
        return 0;
    }
    if (!a->value)
        return entity_fail(err, errlen, "%s: no value", a->name);

    json_t *nv;
    if (change == EV_PATCH) {
        if (kind == ASPECT_TIMESERIES)
            return entity_fail(err, errlen, "%s: PATCH of a timeseries aspect is not supported",
                               a->name);
        json_t *doc = json_object_get(staged, a->name);
        json_incref(doc); /* patch_apply replaces (and releases) it with a new copy */
        char perr[400];
        if (patch_apply(&doc, a->value, perr, sizeof perr) != 0) {
            json_decref(doc);
            return entity_fail(err, errlen, "%s: patch does not apply: %s", a->name, perr);
        }
        if (aspect_check(a->name, doc, err, errlen) != 0) {
            json_decref(doc);
            return -1;
        }
        nv = doc;
    } else {
        if (aspect_check(a->name, a->value, err, errlen) != 0)
            return -1;
        if (kind == ASPECT_TIMESERIES)
            nv = entity_timeseries_merge(json_object_get(staged, a->name), a->value);
        else
            nv = json_incref(a->value);
        if (!nv)
            return entity_fail(err, errlen, "out of memory");
    }
    if (json_object_set_new(staged, a->name, nv) != 0)
        return entity_fail(err, errlen, "out of memory");
    return 0;
}

int entity_apply(json_t **state, const ev_event *ev, char *err, size_t errlen)
{
    if (!state || !ev || !ev->urn || !ev->entity_type)
        return entity_fail(err, errlen, "no state or event");
    if (*state) {
        const char *surn = json_string_value(json_object_get(*state, "urn"));
        if (!surn || strcmp(surn, ev->urn) != 0)
            return entity_fail(err, errlen, "event for %.200s applied to the state of %.200s",
                               ev->urn, surn ? surn : "(no urn)");
    }
    if (ev->change == EV_DELETE && ev->naspects == 0) {
        json_decref(*state);
        *state = NULL;
        return ENT_DELETED;
    }

    json_t *cur = *state ? json_object_get(*state, "aspects") : NULL;
    json_t *staged = json_is_object(cur) ? json_copy(cur) : json_object();
    if (!staged)
        return entity_fail(err, errlen, "out of memory");
    long ignored = 0;
    int deleted = 0;
    for (size_t i = 0; i < ev->naspects; i++) {
        int rc = entity_stage(staged, ev->entity_type, ev->change, &ev->aspects[i], &ignored, err, errlen);
        if (rc < 0) {
            json_decref(staged);
            return -1;
        }
        if (rc == 1)
            deleted = 1;
    }
    if (deleted) {
        json_decref(staged);
        json_decref(*state);
        *state = NULL;
        return ENT_DELETED;
    }

    if (!*state) {
        *state = entity_new(ev->urn, ev->entity_type);
        if (!*state) {
            json_decref(staged);
            return entity_fail(err, errlen, "out of memory");
        }
    }
    json_int_t before = json_integer_value(json_object_get(*state, "ignored"));
    if (json_object_set_new(*state, "aspects", staged) != 0 ||
        json_object_set_new(*state, "ignored", json_integer(before + ignored)) != 0)
        return entity_fail(err, errlen, "out of memory");
    return ENT_APPLIED;
}

int entity_is_removed(const json_t *state)
{
    const json_t *status = json_object_get(json_object_get(state, "aspects"), "status");
    return json_is_true(json_object_get(status, "removed"));
}
