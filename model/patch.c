/* patch.c — JSON Patch (RFC 6902) with DataHub's keyed array paths.
 *
 * DataHub patches address array elements by key, not index:
 * "/tags/urn:li:tag:pii" is the element of "tags" whose "tag" is that URN.
 * Which fields form an array's key comes from one table (patch_keys below,
 * after DataHub's aspect templates), from the patch's own
 * "arrayPrimaryKeys" (DataHub's generic patch form), or, for an array
 * nobody described, from the element itself: a string equal to the
 * segment, or an object with a string member equal to it. A key may take
 * several segments ("/owners/<owner>/<type>"); fewer segments address all
 * the elements that share them. fineGrainedLineages follow DataHub's own
 * layout "/fineGrainedLineages/<transform>/<downstream>/<query>/<upstream>".
 *
 * Paths: RFC 6901 escapes (~0 "~", ~1 "/") are decoded. Producers that do
 * not escape a "/" inside a URN (an S3 dataset name in a tuple URN) are
 * read leniently: inside a segment that starts with "urn:", a "/" between
 * unclosed parentheses belongs to the segment. A "/" in a simple URN key
 * (urn:li:tag:a/b) must be written ~1.
 *
 * Choices where RFC 6902 and a stream of metadata disagree:
 *  - "add" creates missing parents (DataHub does), as an array when the
 *    member is a keyed array or the next segment is a URN or "-", else an
 *    object; so a patch can build an aspect from nothing;
 *  - "remove" of something absent is a no-op: the result is what the
 *    producer asked for, and dead-lettering it would lose nothing but time;
 *  - "replace" and "test" need their target, as the RFC says.
 * The document is patched as a copy: on any error it is left unchanged.
 */
#include "model/patch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATCH_MAX_SEGMENTS 256
#define PATCH_MAX_KEYS 4

typedef enum { P_ADD, P_REMOVE, P_REPLACE, P_TEST, P_GET } patch_kind;

typedef struct patch_op {
    patch_kind kind;
    const json_t *value;          /* add / replace / test */
    const json_t *primary_keys;   /* arrayPrimaryKeys of the generic form, or NULL */
    json_t *found;                /* P_GET: borrowed result */
} patch_op;

/* Arrays of objects and the fields that key their elements. */
static const struct {
    const char *array;
    const char *keys[PATCH_MAX_KEYS];
} patch_keys[] = {
    {"tags", {"tag"}},
    {"terms", {"urn"}},
    {"owners", {"owner", "type", "typeUrn"}},
    {"upstreams", {"dataset"}},
    {"editableSchemaFieldInfo", {"fieldPath"}},
    {"fields", {"fieldPath"}},
    {"elements", {"url"}},
    {"properties", {"propertyUrn"}},
    {"incompleteForms", {"urn"}},
    {"completedForms", {"urn"}},
};

static int patch_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* The key fields of the array member `name`: fills keys, returns how many
 * (0: no declared key, match elements generically). */
static size_t patch_keys_of(const char *name, const patch_op *op, const char **keys)
{
    if (!name)
        return 0;
    const json_t *pk = op->primary_keys ? json_object_get(op->primary_keys, name) : NULL;
    if (json_is_array(pk)) {
        size_t n = 0;
        for (size_t i = 0; i < json_array_size(pk) && n < PATCH_MAX_KEYS; i++)
            if (json_is_string(json_array_get(pk, i)))
                keys[n++] = json_string_value(json_array_get(pk, i));
        return n;
    }
    for (size_t i = 0; i < sizeof patch_keys / sizeof patch_keys[0]; i++)
        if (!strcmp(patch_keys[i].array, name)) {
            size_t n = 0;
            while (n < PATCH_MAX_KEYS && patch_keys[i].keys[n]) {
                keys[n] = patch_keys[i].keys[n];
                n++;
            }
            return n;
        }
    size_t nl = strlen(name);
    if (nl > 5 && !strcmp(name + nl - 5, "Edges")) { /* inputDatasetEdges, chartEdges, ... */
        keys[0] = "destinationUrn";
        return 1;
    }
    return 0;
}

static int patch_is_keyed_array(const char *name, const patch_op *op)
{
    const char *keys[PATCH_MAX_KEYS];
    return patch_keys_of(name, op, keys) > 0 || !strcmp(name, "fineGrainedLineages");
}

/* ---- paths ----------------------------------------------------------- */

typedef struct patch_path {
    size_t n;
    char *seg[PATCH_MAX_SEGMENTS];
} patch_path;

static void patch_path_free(patch_path *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->seg[i]);
    p->n = 0;
}

/* Splits an RFC 6901 pointer into decoded segments (see the file comment
 * for the lenient reading of "/" inside URNs). */
static int patch_path_parse(const char *s, patch_path *p, char *err, size_t errlen)
{
    p->n = 0;
    if (*s == '\0')
        return 0; /* the whole document */
    if (*s != '/')
        return patch_fail(err, errlen, "path \"%.80s\" does not start with '/'", s);
    const char *cur = s + 1;
    for (;;) {
        /* find the end of this segment */
        const char *end = cur;
        if (!strncmp(cur, "urn:", 4)) {
            int depth = 0;
            const char *q = cur;
            for (; *q && !(*q == '/' && depth == 0); q++) {
                if (*q == '(')
                    depth++;
                else if (*q == ')' && depth > 0)
                    depth--;
            }
            end = q;
            if (depth > 0) { /* parentheses never closed: read it strictly */
                end = strchr(cur, '/');
                if (!end)
                    end = cur + strlen(cur);
            }
        } else {
            end = strchr(cur, '/');
            if (!end)
                end = cur + strlen(cur);
        }
        if (p->n >= PATCH_MAX_SEGMENTS) {
            patch_path_free(p);
            return patch_fail(err, errlen, "path has more than %d segments",
                              PATCH_MAX_SEGMENTS);
        }
        size_t len = (size_t)(end - cur);
        char *seg = malloc(len + 1);
        if (!seg) {
            patch_path_free(p);
            return patch_fail(err, errlen, "out of memory");
        }
        size_t o = 0;
        for (size_t i = 0; i < len; i++) {
            if (cur[i] == '~' && i + 1 < len && (cur[i + 1] == '0' || cur[i + 1] == '1')) {
                seg[o++] = cur[i + 1] == '0' ? '~' : '/';
                i++;
            } else {
                seg[o++] = cur[i];
            }
        }
        seg[o] = '\0';
        p->seg[p->n++] = seg;
        if (*end == '\0')
            return 0;
        cur = end + 1;
    }
}

/* ---- applying one operation ---------------------------------------- */

static int patch_at(json_t *node, const char *name, char **seg, size_t nseg, patch_op *op,
                    char *err, size_t errlen);

static int patch_is_index(const char *s)
{
    if (!*s || (s[0] == '0' && s[1]))
        return 0;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return strlen(s) < 10;
}

/* A new container for a member `name` that "add" has to create. */
static json_t *patch_new_container(const char *name, const char *next, const patch_op *op)
{
    if (patch_is_keyed_array(name, op) || !strncmp(next, "urn:", 4) || !strcmp(next, "-"))
        return json_array();
    return json_object();
}

static int patch_object(json_t *obj, char **seg, size_t nseg, patch_op *op, char *err,
                        size_t errlen)
{
    const char *key = seg[0];
    json_t *child = json_object_get(obj, key);
    if (nseg == 1) {
        switch (op->kind) {
        case P_ADD:
            return json_object_set_new(obj, key, json_deep_copy(op->value)) == 0
                       ? 0
                       : patch_fail(err, errlen, "out of memory");
        case P_REMOVE:
            json_object_del(obj, key); /* absent: nothing to do */
            return 0;
        case P_REPLACE:
            if (!child)
                return patch_fail(err, errlen, "no member \"%.80s\" to replace", key);
            return json_object_set_new(obj, key, json_deep_copy(op->value)) == 0
                       ? 0
                       : patch_fail(err, errlen, "out of memory");
        case P_TEST:
            if (!child || !json_equal(child, op->value))
                return patch_fail(err, errlen, "test failed at \"%.80s\"", key);
            return 0;
        case P_GET:
            if (!child)
                return patch_fail(err, errlen, "no member \"%.80s\"", key);
            op->found = child;
            return 0;
        }
    }
    if (!child || json_is_null(child)) {
        if (op->kind == P_REMOVE)
            return 0;
        if (op->kind != P_ADD)
            return patch_fail(err, errlen, "no member \"%.80s\"", key);
        child = patch_new_container(key, seg[1], op);
        if (!child || json_object_set_new(obj, key, child) != 0)
            return patch_fail(err, errlen, "out of memory");
    }
    if (!json_is_object(child) && !json_is_array(child)) {
        if (op->kind == P_REMOVE)
            return 0;
        return patch_fail(err, errlen, "\"%.80s\" is not an object or array", key);
    }
    return patch_at(child, key, seg + 1, nseg - 1, op, err, errlen);
}

/* Does element `el` match the key segments seg[0..nkeys)? */
static int patch_match(const json_t *el, const char **keys, size_t nkeys, char **seg)
{
    if (json_is_string(el))
        return nkeys <= 1 && !strcmp(json_string_value(el), seg[0]);
    if (!json_is_object(el))
        return 0;
    if (nkeys == 0) { /* undeclared key: any string member equal to the segment */
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)el, k, v)
        {
            if (json_is_string(v) && !strcmp(json_string_value(v), seg[0]))
                return 1;
        }
        return 0;
    }
    for (size_t i = 0; i < nkeys; i++) {
        const json_t *v = json_object_get(el, keys[i]);
        const char *s = json_is_string(v) ? json_string_value(v) : "";
        if (strcmp(s, seg[i]) != 0)
            return 0;
    }
    return 1;
}

/* The value to store for a keyed "add": the op's value with the key fields
 * the path names filled in when the value lacks them. */
static json_t *patch_keyed_value(const json_t *value, const char **keys, size_t nkeys, char **seg)
{
    json_t *v = json_deep_copy(value);
    if (json_is_object(v))
        for (size_t i = 0; i < nkeys; i++)
            if (!json_object_get(v, keys[i]) && seg[i][0])
                json_object_set_new(v, keys[i], json_string(seg[i]));
    return v;
}

/* ---- fineGrainedLineages -------------------------------------------- */

static const char *patch_str_or(const json_t *o, const char *k, const char *dflt)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : dflt;
}

/* Does lineage `el` match (transform, downstream, query)[0..n)? */
static int patch_fgl_match(const json_t *el, char **seg, size_t n)
{
    if (!json_is_object(el))
        return 0;
    if (n >= 1 && strcmp(patch_str_or(el, "transformOperation", "NONE"), seg[0]) != 0)
        return 0;
    if (n >= 2) {
        const json_t *ds = json_object_get(el, "downstreams");
        if (json_array_size(ds) != 1 || !json_is_string(json_array_get(ds, 0)) ||
            strcmp(json_string_value(json_array_get(ds, 0)), seg[1]) != 0)
            return 0;
    }
    if (n >= 3 && strcmp(patch_str_or(el, "query", "NONE"), seg[2]) != 0)
        return 0;
    return 1;
}

static int patch_fgl_add_one(json_t *arr, char **seg, const json_t *leaf, char *err,
                             size_t errlen)
{
    double score = 1.0;
    const json_t *cs = json_object_get(leaf, "confidenceScore");
    if (json_is_number(cs))
        score = json_number_value(cs);
    else if (json_is_number(leaf))
        score = json_number_value(leaf);
    size_t i;
    json_t *el;
    json_array_foreach(arr, i, el)
    {
        if (!patch_fgl_match(el, seg, 3))
            continue;
        json_t *ups = json_object_get(el, "upstreams");
        if (!json_is_array(ups)) {
            ups = json_array();
            if (json_object_set_new(el, "upstreams", ups) != 0)
                return patch_fail(err, errlen, "out of memory");
        }
        int have = 0;
        for (size_t j = 0; j < json_array_size(ups); j++)
            if (json_is_string(json_array_get(ups, j)) &&
                !strcmp(json_string_value(json_array_get(ups, j)), seg[3]))
                have = 1;
        if (!have && json_array_append_new(ups, json_string(seg[3])) != 0)
            return patch_fail(err, errlen, "out of memory");
        /* one score per lineage: the lowest of its upstreams (as DataHub) */
        const json_t *old = json_object_get(el, "confidenceScore");
        if (!json_is_number(old) || score < json_number_value(old))
            json_object_set_new(el, "confidenceScore", json_real(score));
        return 0;
    }
    json_t *n = json_pack("{s:[s],s:[s],s:s,s:s,s:f,s:s}", "upstreams", seg[3], "downstreams",
                          seg[1], "upstreamType", patch_str_or(leaf, "upstreamType", "FIELD_SET"),
                          "downstreamType", patch_str_or(leaf, "downstreamType", "FIELD"),
                          "confidenceScore", score, "transformOperation", seg[0]);
    if (!n)
        return patch_fail(err, errlen, "out of memory");
    if (strcmp(seg[2], "NONE") != 0)
        json_object_set_new(n, "query", json_string(seg[2]));
    return json_array_append_new(arr, n) == 0 ? 0 : patch_fail(err, errlen, "out of memory");
}

/* Adds a map-form subtree {transform: {downstream: {query: {upstream:
 * leaf}}}} below the n segments already given. */
static int patch_fgl_add_tree(json_t *arr, char **seg, size_t n, const json_t *value, char *err,
                              size_t errlen)
{
    if (n == 4)
        return patch_fgl_add_one(arr, seg, value, err, errlen);
    if (!json_is_object(value))
        return patch_fail(err, errlen, "fineGrainedLineages: expected an object below level %zu",
                          n);
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)value, k, v)
    {
        seg[n] = (char *)k;
        if (patch_fgl_add_tree(arr, seg, n + 1, v, err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* Removes the lineages addressed by seg[0..n) (n <= 3), or one upstream of
 * one lineage (n == 4). */
static void patch_fgl_remove(json_t *arr, char **seg, size_t n)
{
    for (size_t i = json_array_size(arr); i-- > 0;) {
        json_t *el = json_array_get(arr, i);
        if (!patch_fgl_match(el, seg, n < 3 ? n : 3))
            continue;
        if (n < 4) {
            json_array_remove(arr, i);
            continue;
        }
        json_t *ups = json_object_get(el, "upstreams");
        for (size_t j = json_array_size(ups); j-- > 0;)
            if (json_is_string(json_array_get(ups, j)) &&
                !strcmp(json_string_value(json_array_get(ups, j)), seg[3]))
                json_array_remove(ups, j);
        if (json_array_size(ups) == 0)
            json_array_remove(arr, i);
    }
}

static int patch_fgl(json_t *arr, char **seg, size_t nseg, patch_op *op, char *err, size_t errlen)
{
    if (nseg > 4)
        return patch_fail(err, errlen, "fineGrainedLineages path deeper than "
                                       "/<transform>/<downstream>/<query>/<upstream>");
    char *keys[4] = {0};
    for (size_t i = 0; i < nseg; i++)
        keys[i] = seg[i];
    switch (op->kind) {
    case P_ADD:
    case P_REPLACE:
        if (nseg < 4) /* a whole subtree is set: what was under it goes */
            patch_fgl_remove(arr, keys, nseg);
        return patch_fgl_add_tree(arr, keys, nseg, op->value, err, errlen);
    case P_REMOVE:
        patch_fgl_remove(arr, keys, nseg);
        return 0;
    default:
        return patch_fail(err, errlen, "fineGrainedLineages: only add and remove by key");
    }
}

/* ---- arrays --------------------------------------------------------- */

static int patch_array(json_t *arr, const char *name, char **seg, size_t nseg, patch_op *op,
                       char *err, size_t errlen)
{
    const char *s = seg[0];
    size_t size = json_array_size(arr);

    if (name && !strcmp(name, "fineGrainedLineages") && !patch_is_index(s) && strcmp(s, "-"))
        return patch_fgl(arr, seg, nseg, op, err, errlen);

    if (!strcmp(s, "-")) {
        if (nseg != 1 || op->kind != P_ADD)
            return patch_fail(err, errlen, "\"-\" only names the end of an array for add");
        return json_array_append_new(arr, json_deep_copy(op->value)) == 0
                   ? 0
                   : patch_fail(err, errlen, "out of memory");
    }

    if (patch_is_index(s)) {
        size_t idx = (size_t)strtoul(s, NULL, 10);
        if (nseg == 1) {
            if (op->kind == P_ADD) {
                if (idx > size)
                    return patch_fail(err, errlen, "index %zu past the end (%zu)", idx, size);
                return json_array_insert_new(arr, idx, json_deep_copy(op->value)) == 0
                           ? 0
                           : patch_fail(err, errlen, "out of memory");
            }
            if (idx >= size) {
                if (op->kind == P_REMOVE)
                    return 0;
                return patch_fail(err, errlen, "index %zu out of range (%zu)", idx, size);
            }
            switch (op->kind) {
            case P_REMOVE:
                return json_array_remove(arr, idx) == 0 ? 0 : patch_fail(err, errlen, "remove");
            case P_REPLACE:
                return json_array_set_new(arr, idx, json_deep_copy(op->value)) == 0
                           ? 0
                           : patch_fail(err, errlen, "out of memory");
            case P_TEST:
                return json_equal(json_array_get(arr, idx), op->value)
                           ? 0
                           : patch_fail(err, errlen, "test failed at index %zu", idx);
            default:
                op->found = json_array_get(arr, idx);
                return 0;
            }
        }
        if (idx >= size)
            return op->kind == P_REMOVE
                       ? 0
                       : patch_fail(err, errlen, "index %zu out of range (%zu)", idx, size);
        json_t *el = json_array_get(arr, idx);
        if (!json_is_object(el) && !json_is_array(el))
            return op->kind == P_REMOVE
                       ? 0
                       : patch_fail(err, errlen, "element %zu is not an object or array", idx);
        return patch_at(el, NULL, seg + 1, nseg - 1, op, err, errlen);
    }

    /* A key: as many segments as the array's key has fields (or fewer). */
    const char *keys[PATCH_MAX_KEYS];
    size_t nkeys = patch_keys_of(name, op, keys);
    size_t used = nkeys ? (nseg < nkeys ? nseg : nkeys) : 1;
    long first = -1;
    for (size_t i = 0; i < size; i++)
        if (patch_match(json_array_get(arr, i), keys, nkeys ? used : 0, seg)) {
            first = (long)i;
            break;
        }

    if (used == nseg) { /* the element itself */
        switch (op->kind) {
        case P_ADD:
        case P_REPLACE: {
            if (first < 0 && op->kind == P_REPLACE)
                return patch_fail(err, errlen, "no element \"%.120s\" to replace", s);
            json_t *v = patch_keyed_value(op->value, keys, nkeys ? used : 0, seg);
            if (!v)
                return patch_fail(err, errlen, "out of memory");
            if (first < 0)
                return json_array_append_new(arr, v) == 0 ? 0
                                                          : patch_fail(err, errlen, "out of memory");
            /* replace the first match, drop the others it stands for */
            for (size_t i = json_array_size(arr); i-- > (size_t)first + 1;)
                if (patch_match(json_array_get(arr, i), keys, nkeys ? used : 0, seg))
                    json_array_remove(arr, i);
            return json_array_set_new(arr, (size_t)first, v) == 0
                       ? 0
                       : patch_fail(err, errlen, "out of memory");
        }
        case P_REMOVE:
            for (size_t i = json_array_size(arr); i-- > 0;)
                if (patch_match(json_array_get(arr, i), keys, nkeys ? used : 0, seg))
                    json_array_remove(arr, i);
            return 0;
        case P_TEST:
            if (first < 0 || !json_equal(json_array_get(arr, (size_t)first), op->value))
                return patch_fail(err, errlen, "test failed at element \"%.120s\"", s);
            return 0;
        case P_GET:
            if (first < 0)
                return patch_fail(err, errlen, "no element \"%.120s\"", s);
            op->found = json_array_get(arr, (size_t)first);
            return 0;
        }
    }

    /* Deeper: into the element, made (with its key fields) by "add". */
    json_t *el;
    if (first < 0) {
        if (op->kind == P_REMOVE)
            return 0;
        if (op->kind != P_ADD)
            return patch_fail(err, errlen, "no element \"%.120s\"", s);
        el = json_object();
        if (!el)
            return patch_fail(err, errlen, "out of memory");
        for (size_t i = 0; i < (nkeys ? used : 0); i++)
            json_object_set_new(el, keys[i], json_string(seg[i]));
        if (json_array_append_new(arr, el) != 0)
            return patch_fail(err, errlen, "out of memory");
    } else {
        el = json_array_get(arr, (size_t)first);
    }
    if (!json_is_object(el) && !json_is_array(el))
        return op->kind == P_REMOVE
                   ? 0
                   : patch_fail(err, errlen, "element \"%.120s\" is not an object or array", s);
    return patch_at(el, NULL, seg + used, nseg - used, op, err, errlen);
}

static int patch_at(json_t *node, const char *name, char **seg, size_t nseg, patch_op *op,
                    char *err, size_t errlen)
{
    if (json_is_object(node))
        return patch_object(node, seg, nseg, op, err, errlen);
    if (json_is_array(node))
        return patch_array(node, name, seg, nseg, op, err, errlen);
    return patch_fail(err, errlen, "cannot address into a scalar");
}

/* Applies one operation of kind `kind` at `path` to *doc (which it may
 * replace, for the root path). */
static int patch_run(json_t **doc, const char *path, patch_op *op, char *err, size_t errlen)
{
    patch_path p;
    if (patch_path_parse(path, &p, err, errlen) != 0)
        return -1;
    int rc;
    if (p.n == 0) { /* the whole document */
        switch (op->kind) {
        case P_ADD:
        case P_REPLACE: {
            json_t *v = json_deep_copy(op->value);
            if (!v) {
                rc = patch_fail(err, errlen, "out of memory");
                break;
            }
            json_decref(*doc);
            *doc = v;
            rc = 0;
            break;
        }
        case P_REMOVE:
            rc = patch_fail(err, errlen, "cannot remove the whole document");
            break;
        case P_TEST:
            rc = json_equal(*doc, op->value) ? 0 : patch_fail(err, errlen, "test failed");
            break;
        default:
            op->found = *doc;
            rc = 0;
        }
    } else {
        rc = patch_at(*doc, NULL, p.seg, p.n, op, err, errlen);
    }
    patch_path_free(&p);
    return rc;
}

static int patch_one(json_t **doc, const json_t *o, size_t i, const json_t *primary_keys,
                     char *err, size_t errlen)
{
    char why[300] = "";
    if (!json_is_object(o))
        return patch_fail(err, errlen, "operation %zu: not an object", i);
    const char *opname = json_string_value(json_object_get(o, "op"));
    const char *path = json_string_value(json_object_get(o, "path"));
    if (!opname)
        return patch_fail(err, errlen, "operation %zu: no \"op\"", i);
    if (!path)
        return patch_fail(err, errlen, "operation %zu (%s): no \"path\"", i, opname);
    patch_op op = {P_ADD, json_object_get(o, "value"), primary_keys, NULL};
    int rc;
    if (!strcmp(opname, "add") || !strcmp(opname, "replace") || !strcmp(opname, "test")) {
        op.kind = opname[0] == 'a' ? P_ADD : opname[0] == 'r' ? P_REPLACE : P_TEST;
        if (!op.value)
            return patch_fail(err, errlen, "operation %zu (%s %.200s): no \"value\"", i, opname,
                              path);
        rc = patch_run(doc, path, &op, why, sizeof why);
    } else if (!strcmp(opname, "remove")) {
        op.kind = P_REMOVE;
        rc = patch_run(doc, path, &op, why, sizeof why);
    } else if (!strcmp(opname, "copy") || !strcmp(opname, "move")) {
        const char *from = json_string_value(json_object_get(o, "from"));
        if (!from)
            return patch_fail(err, errlen, "operation %zu (%s %.200s): no \"from\"", i, opname,
                              path);
        size_t fl = strlen(from);
        if (opname[0] == 'm' && !strncmp(path, from, fl) && path[fl] == '/')
            return patch_fail(err, errlen, "operation %zu (move): \"%.100s\" is inside \"%.100s\"",
                              i, path, from);
        op.kind = P_GET;
        rc = patch_run(doc, from, &op, why, sizeof why);
        if (rc == 0) {
            json_t *v = json_deep_copy(op.found);
            if (!v)
                return patch_fail(err, errlen, "out of memory");
            if (opname[0] == 'm') {
                patch_op rm = {P_REMOVE, NULL, primary_keys, NULL};
                rc = patch_run(doc, from, &rm, why, sizeof why);
            }
            if (rc == 0) {
                patch_op add = {P_ADD, v, primary_keys, NULL};
                rc = patch_run(doc, path, &add, why, sizeof why);
            }
            json_decref(v);
        }
    } else {
        return patch_fail(err, errlen, "operation %zu: unknown op \"%.40s\"", i, opname);
    }
    if (rc != 0)
        return patch_fail(err, errlen, "operation %zu (%s %.200s): %s", i, opname, path, why);
    return 0;
}

int patch_apply(json_t **doc, const json_t *ops, char *err, size_t errlen)
{
    if (!doc)
        return patch_fail(err, errlen, "no document");
    const json_t *primary_keys = NULL;
    if (json_is_object(ops)) { /* DataHub's generic form */
        primary_keys = json_object_get(ops, "arrayPrimaryKeys");
        if (primary_keys && !json_is_object(primary_keys))
            return patch_fail(err, errlen, "arrayPrimaryKeys: expected an object");
        ops = json_object_get(ops, "patch");
    }
    if (!json_is_array(ops))
        return patch_fail(err, errlen, "patch: expected an array of operations");
    json_t *work = *doc ? json_deep_copy(*doc) : json_object();
    if (!work)
        return patch_fail(err, errlen, "out of memory");
    size_t i;
    const json_t *o;
    json_array_foreach(ops, i, o)
    {
        if (patch_one(&work, o, i, primary_keys, err, errlen) != 0) {
            json_decref(work);
            return -1;
        }
    }
    json_decref(*doc);
    *doc = work;
    return 0;
}
