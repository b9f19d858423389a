/* event_decode.c — turns one DataHub event object (MCP, MCL, MCE, MAE) into
 * an ev_event: the entity URN, its type (from the URN), the change and the
 * aspects it carries, Avro/Pegasus union wrappers removed.
 *
 * Validity is about the envelope only: an event of an entity type or aspect
 * metadex does not know is valid (it is counted and dropped later, not
 * dead-lettered). Aspect shapes are checked when merged (entity.c).
 */
#include "model/event.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/event_json.h"
#include "model/urn.h"

static int ev_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* ---- Avro / Pegasus union wrappers ---------------------------------- */

/* Avro-JSON writes a union value as {"<type>": value}; these are the
 * primitive type names, each with the JSON type its value must have (a
 * one-key object whose value does not fit is ordinary data, kept). */
static int ev_primitive_fits(const char *key, const json_t *val)
{
    if (!strcmp(key, "string") || !strcmp(key, "bytes"))
        return json_is_string(val);
    if (!strcmp(key, "int") || !strcmp(key, "long"))
        return json_is_integer(val);
    if (!strcmp(key, "float") || !strcmp(key, "double"))
        return json_is_number(val);
    if (!strcmp(key, "boolean"))
        return json_is_boolean(val);
    if (!strcmp(key, "array"))
        return json_is_array(val);
    if (!strcmp(key, "map"))
        return json_is_object(val);
    return 0;
}

/* A dotted record/enum name as Avro and Pegasus write them:
 * "com.linkedin.pegasus2avro.schema.StringType" — at least three
 * identifier components, the namespace ones starting lower case, the last
 * one (the class) upper case. */
static int ev_is_class_name(const char *s)
{
    int comps = 0;
    const char *p = s;
    for (;;) {
        const char *start = p;
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_'))
            return 0;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
               *p == '_')
            p++;
        comps++;
        int upper = *start >= 'A' && *start <= 'Z';
        if (*p == '\0')
            return comps >= 3 && upper;
        if (*p != '.' || upper)
            return 0;
        p++;
    }
}

static json_t *ev_unwrap(json_t *v, int is_map)
{
    if (json_is_object(v)) {
        if (json_object_size(v) == 1) {
            void *it = json_object_iter(v);
            const char *key = json_object_iter_key(it);
            json_t *inner = json_object_iter_value(it);
            int unwrap;
            if (is_map) /* a map's own keys are data: only {"map": {...}} wraps it */
                unwrap = !strcmp(key, "map") && json_is_object(inner);
            else
                unwrap = ev_primitive_fits(key, inner) ||
                         (ev_is_class_name(key) && (json_is_object(inner) || json_is_string(inner)));
            if (unwrap)
                return ev_unwrap(inner, is_map);
        }
        for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
            const char *key = json_object_iter_key(it);
            json_t *child = json_object_iter_value(it);
            json_t *nv = ev_unwrap(child, strcmp(key, "customProperties") == 0);
            if (nv != child)
                json_object_iter_set_new(v, it, nv);
            else
                json_decref(nv);
        }
        return json_incref(v);
    }
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *child = json_array_get(v, i);
            json_t *nv = ev_unwrap(child, 0);
            if (nv != child)
                json_array_set_new(v, i, nv);
            else
                json_decref(nv);
        }
    }
    return json_incref(v);
}

json_t *ev_unwrap_unions(json_t *v)
{
    if (!v)
        return NULL;
    return ev_unwrap(v, 0);
}

/* As ev_unwrap, but never modifies `v`: subtrees without a wrapper are
 * shared with it (a new reference), only the paths to a wrapper are new.
 * Cheaper than a deep copy followed by an in-place unwrap. */
static json_t *ev_unwrap_shared(const json_t *cv, int is_map)
{
    json_t *v = (json_t *)cv; /* only read, and referenced */
    if (json_is_object(v)) {
        if (json_object_size(v) == 1) {
            void *it = json_object_iter(v);
            const char *key = json_object_iter_key(it);
            json_t *inner = json_object_iter_value(it);
            int unwrap;
            if (is_map)
                unwrap = !strcmp(key, "map") && json_is_object(inner);
            else
                unwrap = ev_primitive_fits(key, inner) ||
                         (ev_is_class_name(key) && (json_is_object(inner) || json_is_string(inner)));
            if (unwrap)
                return ev_unwrap_shared(inner, is_map);
        }
        json_t *out = NULL; /* made on the first member that changes */
        for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
            const char *key = json_object_iter_key(it);
            json_t *child = json_object_iter_value(it);
            json_t *nv = ev_unwrap_shared(child, strcmp(key, "customProperties") == 0);
            if (!nv) {
                json_decref(out);
                return NULL;
            }
            if (nv != child && !out) {
                out = json_object();
                if (!out) {
                    json_decref(nv);
                    return NULL;
                }
                for (void *jt = json_object_iter(v); jt != it; jt = json_object_iter_next(v, jt))
                    if (json_object_set(out, json_object_iter_key(jt), json_object_iter_value(jt)))
                        goto fail_obj;
            }
            if (out && json_object_set_new(out, key, nv) != 0) {
                json_decref(out);
                return NULL;
            }
            if (!out)
                json_decref(nv);
        }
        return out ? out : json_incref(v);
    fail_obj:
        json_decref(out);
        return NULL;
    }
    if (json_is_array(v)) {
        json_t *out = NULL;
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n; i++) {
            json_t *child = json_array_get(v, i);
            json_t *nv = ev_unwrap_shared(child, 0);
            if (!nv) {
                json_decref(out);
                return NULL;
            }
            if (nv != child && !out) {
                out = json_array();
                for (size_t j = 0; out && j < i; j++)
                    if (json_array_append(out, json_array_get(v, j)) != 0) {
                        json_decref(out);
                        out = NULL;
                    }
                if (!out) {
                    json_decref(nv);
                    return NULL;
                }
            }
            if (out && json_array_append_new(out, nv) != 0) {
                json_decref(out);
                return NULL;
            }
            if (!out)
                json_decref(nv);
        }
        return out ? out : json_incref(v);
    }
    return json_incref(v);
}

/* ---- aspect names of MCE classes ------------------------------------ */

/* Classes whose aspect name is not their class name with the first letter
 * lowered (DataHub's @Aspect annotations on the ML model aspects). */
static const struct {
    const char *suffix, *name;
} ev_class_aliases[] = {
    {".ml.metadata.TrainingData", "mlModelTrainingData"},
    {".ml.metadata.EvaluationData", "mlModelEvaluationData"},
    {".ml.metadata.Metrics", "mlModelMetrics"},
    {".ml.metadata.EthicalConsiderations", "mlModelEthicalConsiderations"},
    {".ml.metadata.CaveatsAndRecommendations", "mlModelCaveatsAndRecommendations"},
    {".ml.metadata.QuantitativeAnalyses", "mlModelQuantitativeAnalyses"},
};

int ev_aspect_name_from_class(const char *cls, char *out, size_t cap)
{
    if (!cls || !out || cap == 0)
        return -1;
    size_t clen = strlen(cls);
    for (size_t i = 0; i < sizeof ev_class_aliases / sizeof ev_class_aliases[0]; i++) {
        size_t sl = strlen(ev_class_aliases[i].suffix);
        if (clen >= sl && !strcmp(cls + clen - sl, ev_class_aliases[i].suffix)) {
            if (strlen(ev_class_aliases[i].name) >= cap)
                return -1;
            strcpy(out, ev_class_aliases[i].name);
            return 0;
        }
    }
    const char *last = strrchr(cls, '.');
    last = last ? last + 1 : cls;
    size_t n = strlen(last);
    if (n == 0 || n >= cap)
        return -1;
    memcpy(out, last, n + 1);
    /* Lower the leading capitals: "Dataset" → "dataset", "MLFeature" →
     * "mlFeature" (the capital before a lower-case letter starts the next
     * word), "ML" → "ml". */
    size_t run = 0;
    while (run < n && out[run] >= 'A' && out[run] <= 'Z')
        run++;
    size_t lower = run;
    if (run > 1 && run < n && out[run] >= 'a' && out[run] <= 'z')
        lower = run - 1;
    for (size_t i = 0; i < lower; i++)
        out[i] = (char)(out[i] - 'A' + 'a');
    return 0;
}

/* ---- decoding ------------------------------------------------------- */

static char *ev_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Sets out->urn / entity_type from a URN string, checking it parses. */
static int ev_set_urn(ev_event *out, const json_t *jurn, const char *field, char *err,
                      size_t errlen)
{
    if (!jurn || json_is_null(jurn))
        return ev_fail(err, errlen, "no URN (%s missing)", field);
    if (!json_is_string(jurn))
        return ev_fail(err, errlen, "%s is not a string", field);
    const char *s = json_string_value(jurn);
    if (json_string_length(jurn) != strlen(s))
        return ev_fail(err, errlen, "bad URN in %s: contains a NUL byte", field);
    urn u;
    char uerr[200];
    if (urn_parse(s, &u, uerr, sizeof uerr) != 0)
        return ev_fail(err, errlen, "bad URN \"%.200s\" in %s: %s", s, field, uerr);
    out->urn = ev_strdup(s);
    out->entity_type = ev_strdup(u.entity_type);
    urn_free(&u);
    if (!out->urn || !out->entity_type)
        return ev_fail(err, errlen, "out of memory");
    return 0;
}

static int ev_add_aspect(ev_event *out, const char *name, json_t *value, char *err, size_t errlen)
{
    ev_aspect *na = realloc(out->aspects, (out->naspects + 1) * sizeof *na);
    if (!na) {
        json_decref(value);
        return ev_fail(err, errlen, "out of memory");
    }
    out->aspects = na;
    char *dn = ev_strdup(name);
    if (!dn) {
        json_decref(value);
        return ev_fail(err, errlen, "out of memory");
    }
    out->aspects[out->naspects].name = dn;
    out->aspects[out->naspects].value = value;
    out->naspects++;
    return 0;
}

/* `v` with union wrappers removed. Unless `in_place`, the input stays
 * untouched (the result may share unchanged subtrees with it); in place,
 * nothing is copied, and the event `v` belongs to is changed. */
static json_t *ev_unwrapped(const json_t *v, int in_place)
{
    return in_place ? ev_unwrap_unions((json_t *)v) : ev_unwrap_shared(v, 0);
}

/* MCE / MAE: {"<ns>.XSnapshot": {"urn": ..., "aspects": [{"<ns>.Y": {...}}]}} */
static int ev_decode_snapshot(const json_t *snap, const char *field, int in_place, ev_event *out,
                              char *err, size_t errlen)
{
    if (!json_is_object(snap) || json_object_size(snap) != 1)
        return ev_fail(err, errlen, "%s: expected {\"<class>Snapshot\": {\"urn\": ..., \"aspects\": [...]}}",
                       field);
    void *it = json_object_iter((json_t *)snap);
    const char *cls = json_object_iter_key(it);
    const json_t *body = json_object_iter_value(it);
    if (!json_is_object(body))
        return ev_fail(err, errlen, "%s.%s: expected an object", field, cls);
    char urnfield[64];
    snprintf(urnfield, sizeof urnfield, "%s urn", field);
    if (ev_set_urn(out, json_object_get(body, "urn"), urnfield, err, errlen) != 0)
        return -1;

    /* The class names the entity type ("CorpUserSnapshot" for corpuser): a
     * snapshot whose class says another type than its URN is corrupt. */
    const char *short_cls = strrchr(cls, '.');
    short_cls = short_cls ? short_cls + 1 : cls;
    size_t sl = strlen(short_cls);
    if (sl > 8 && !strcmp(short_cls + sl - 8, "Snapshot")) {
        size_t tl = sl - 8;
        if (strlen(out->entity_type) != tl || strncasecmp(short_cls, out->entity_type, tl) != 0)
            return ev_fail(err, errlen, "%s class %s does not match the URN's entity type \"%s\"",
                           field, short_cls, out->entity_type);
    }

    out->change = EV_UPSERT;
    const json_t *aspects = json_object_get(body, "aspects");
    if (!json_is_array(aspects))
        return ev_fail(err, errlen, "%s aspects: expected an array", field);
    if (json_array_size(aspects) == 0)
        return ev_fail(err, errlen, "%s has no aspects", field);
    size_t i;
    const json_t *a;
    json_array_foreach(aspects, i, a)
    {
        if (!json_is_object(a) || json_object_size(a) != 1)
            return ev_fail(err, errlen, "%s aspects[%zu]: expected {\"<class>\": {...}}", field, i);
        void *ait = json_object_iter((json_t *)a);
        const char *acls = json_object_iter_key(ait);
        char name[128];
        if (ev_aspect_name_from_class(acls, name, sizeof name) != 0)
            return ev_fail(err, errlen, "%s aspects[%zu]: bad aspect class \"%.100s\"", field, i,
                           acls);
        json_t *val = ev_unwrapped(json_object_iter_value(ait), in_place);
        if (!val)
            return ev_fail(err, errlen, "out of memory");
        if (ev_add_aspect(out, name, val, err, errlen) != 0)
            return -1;
    }
    return 0;
}

static int ev_change_from(const char *s, ev_change *c)
{
    static const struct {
        const char *name;
        ev_change change;
    } map[] = {
        {"UPSERT", EV_UPSERT}, {"CREATE", EV_UPSERT}, {"UPDATE", EV_UPSERT},
        {"RESTATE", EV_UPSERT}, {"CREATE_ENTITY", EV_UPSERT}, {"PATCH", EV_PATCH},
        {"DELETE", EV_DELETE},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcasecmp(s, map[i].name)) {
            *c = map[i].change;
            return 0;
        }
    return -1;
}

/* The aspect of an MCP: {"json": X}, or {"value": "<json text>",
 * "contentType": "application/json"}. Returns a new reference or NULL. */
static json_t *ev_mcp_aspect_value(const json_t *aspect, int in_place, char *err, size_t errlen)
{
    if (!json_is_object(aspect)) {
        ev_fail(err, errlen, "aspect: expected an object {\"json\": ...} or {\"value\": \"...\"}");
        return NULL;
    }
    const json_t *ct = json_object_get(aspect, "contentType");
    if (ct && !json_is_null(ct)) {
        if (!json_is_string(ct) || !strstr(json_string_value(ct), "json")) {
            ev_fail(err, errlen, "aspect.contentType \"%.60s\" is not JSON",
                    json_is_string(ct) ? json_string_value(ct) : "(not a string)");
            return NULL;
        }
    }
    const json_t *j = json_object_get(aspect, "json");
    if (j)
        return ev_unwrapped(j, in_place);
    const json_t *v = json_object_get(aspect, "value");
    if (!v) {
        ev_fail(err, errlen, "aspect: neither \"json\" nor \"value\"");
        return NULL;
    }
    if (!json_is_string(v)) {
        /* Some producers put the aspect object itself under "value". */
        if (json_is_object(v) || json_is_array(v))
            return ev_unwrapped(v, in_place);
        ev_fail(err, errlen, "aspect.value: expected a string of JSON text");
        return NULL;
    }
    json_error_t jerr;
    json_t *parsed = ev_json_load(json_string_value(v), json_string_length(v), JSON_DECODE_ANY,
                                &jerr);
    if (!parsed) {
        ev_fail(err, errlen, "aspect.value is not valid JSON: %s (line %d, column %d)", jerr.text,
                jerr.line, jerr.column);
        return NULL;
    }
    json_t *u = ev_unwrap_unions(parsed);
    json_decref(parsed);
    return u;
}

/* MCP / MCL: entityUrn, entityType, changeType, aspectName, aspect. */
static int ev_decode_mcp(const json_t *obj, int in_place, ev_event *out, char *err, size_t errlen)
{
    const json_t *jurn = json_object_get(obj, "entityUrn");
    if ((!jurn || json_is_null(jurn)) && json_object_get(obj, "entityKeyAspect"))
        return ev_fail(err, errlen, "no URN (entityUrn missing; entityKeyAspect alone is not supported)");
    if (ev_set_urn(out, jurn, "entityUrn", err, errlen) != 0)
        return -1;

    const json_t *et = json_object_get(obj, "entityType");
    if (et && !json_is_null(et)) {
        if (!json_is_string(et))
            return ev_fail(err, errlen, "entityType is not a string");
        if (strcasecmp(json_string_value(et), out->entity_type) != 0)
            return ev_fail(err, errlen,
                           "entityType \"%.60s\" disagrees with the URN's entity type \"%s\"",
                           json_string_value(et), out->entity_type);
    }

    const json_t *ct = json_object_get(obj, "changeType");
    if (!ct || json_is_null(ct))
        return ev_fail(err, errlen, "no changeType");
    if (!json_is_string(ct))
        return ev_fail(err, errlen, "changeType is not a string");
    if (ev_change_from(json_string_value(ct), &out->change) != 0)
        return ev_fail(err, errlen, "unknown changeType \"%.40s\"", json_string_value(ct));

    const json_t *an = json_object_get(obj, "aspectName");
    if (!an || json_is_null(an)) {
        if (out->change == EV_DELETE)
            return 0; /* no aspect: the whole entity goes */
        return ev_fail(err, errlen, "no aspectName");
    }
    if (!json_is_string(an) || json_string_length(an) == 0)
        return ev_fail(err, errlen, "aspectName is not a non-empty string");
    const char *name = json_string_value(an);
    if (strlen(name) != json_string_length(an))
        return ev_fail(err, errlen, "aspectName contains a NUL byte");

    if (out->change == EV_DELETE)
        return ev_add_aspect(out, name, NULL, err, errlen);

    const json_t *aspect = json_object_get(obj, "aspect");
    if (!aspect || json_is_null(aspect))
        return ev_fail(err, errlen, "no aspect for %s of %s",
                       out->change == EV_PATCH ? "PATCH" : json_string_value(ct), name);
    char aerr[300];
    json_t *val = ev_mcp_aspect_value(aspect, in_place, aerr, sizeof aerr);
    if (!val)
        return ev_fail(err, errlen, "%s: %s", name, aerr);
    if (out->change == EV_PATCH) {
        /* A JSON Patch list, or DataHub's generic form {"patch": [...],
         * "arrayPrimaryKeys": {...}} that patch_apply also takes. */
        int ok = json_is_array(val) ||
                 (json_is_object(val) && json_is_array(json_object_get(val, "patch")));
        if (!ok) {
            json_decref(val);
            return ev_fail(err, errlen, "%s: PATCH aspect is not a JSON Patch array", name);
        }
    }
    return ev_add_aspect(out, name, val, err, errlen);
}

static int ev_decode_any(const json_t *obj, int in_place, ev_event *out, char *err, size_t errlen)
{
    if (!out)
        return ev_fail(err, errlen, "no output");
    memset(out, 0, sizeof *out);
    int rc;
    if (!json_is_object(obj)) {
        rc = ev_fail(err, errlen, "event is not a JSON object");
    } else if (json_object_get(obj, "proposedSnapshot")) {
        rc = ev_decode_snapshot(json_object_get(obj, "proposedSnapshot"), "proposedSnapshot",
                                in_place, out, err, errlen);
    } else if (json_object_get(obj, "newSnapshot")) {
        rc = ev_decode_snapshot(json_object_get(obj, "newSnapshot"), "newSnapshot", in_place, out,
                                err, errlen);
    } else if (json_object_get(obj, "oldSnapshot")) {
        rc = ev_fail(err, errlen, "MAE without newSnapshot");
    } else if (json_object_get(obj, "entityUrn") || json_object_get(obj, "aspectName") ||
               json_object_get(obj, "changeType") || json_object_get(obj, "entityKeyAspect")) {
        rc = ev_decode_mcp(obj, in_place, out, err, errlen);
    } else {
        rc = ev_fail(err, errlen,
                     "no URN: not a DataHub event (no entityUrn, proposedSnapshot or newSnapshot)");
    }
    if (rc != 0)
        ev_free(out);
    return rc;
}

int ev_decode(const json_t *obj, ev_event *out, char *err, size_t errlen)
{
    return ev_decode_any(obj, 0, out, err, errlen);
}

int ev_decode_owned(json_t *obj, ev_event *out, char *err, size_t errlen)
{
    return ev_decode_any(obj, 1, out, err, errlen);
}

void ev_free(ev_event *ev)
{
    if (!ev)
        return;
    free(ev->urn);
    free(ev->entity_type);
    for (size_t i = 0; i < ev->naspects; i++) {
        free(ev->aspects[i].name);
        json_decref(ev->aspects[i].value);
    }
    free(ev->aspects);
    memset(ev, 0, sizeof *ev);
}
