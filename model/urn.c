/* urn.c — the DataHub URN parser (grammar in urn.h) and what a URN says
 * about its entity (platform, name, env) by entity type.
 *
 * The parser walks the text once, tracking parenthesis depth: a tuple key's
 * parts are split only at depth-1 commas, so nested URNs keep their own
 * commas and parentheses. Text parts are percent-decoded; a part that is
 * itself a URN is kept as written (decoding "%2C" inside it would change its
 * structure) and is validated recursively.
 *
 * Derived values that are not a suffix of one stored part (a dataJob's
 * platform comes from inside its flow URN) are kept in the spare slots at
 * the end of urn.parts (index >= nparts), owned by the urn and freed by
 * urn_free; urn.h readers only look at parts[0 .. nparts-1].
 */
#include "model/urn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define URN_MAX_DEPTH 32 /* nested URNs inside URNs; deeper is an error */

/* Spare slots of urn.parts holding derived values (see the file comment). */
#define URN_SLOT_PLATFORM (URN_MAX_PARTS - 1)
#define URN_SLOT_ENV (URN_MAX_PARTS - 2)

static int urn_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int urn_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int urn_is_ctrl(unsigned char c) { return c < 0x20 || c == 0x7f; }

/* Checks that s[0..len) starts "urn:<ns>:" and returns the offset of the
 * entity type, or -1. */
static long urn_prefix_len(const char *s, size_t len)
{
    if (len < 4 || memcmp(s, "urn:", 4) != 0)
        return -1;
    size_t i = 4;
    while (i < len && (s[i] == '-' || (s[i] >= '0' && s[i] <= '9') ||
                       (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
        i++;
    if (i == 4 || i >= len || s[i] != ':' || s[4] == '-')
        return -1;
    return (long)(i + 1);
}

/* Validates percent-escapes in s[0..len) and returns the decoded length, or
 * -1 with a reason. */
static long urn_decoded_len(const char *s, size_t len, char *err, size_t errlen)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++, n++) {
        if (s[i] != '%')
            continue;
        if (i + 2 >= len || urn_hexval(s[i + 1]) < 0 || urn_hexval(s[i + 2]) < 0)
            return urn_fail(err, errlen, "bad %%-escape at \"%.*s\"",
                            (int)(len - i < 3 ? len - i : 3), s + i);
        int v = urn_hexval(s[i + 1]) * 16 + urn_hexval(s[i + 2]);
        if (urn_is_ctrl((unsigned char)v))
            return urn_fail(err, errlen, "%%-escape \"%.3s\" decodes to a control character",
                            s + i);
        i += 2;
    }
    return (long)n;
}

static char *urn_decode_dup(const char *s, size_t len, size_t outlen)
{
    char *out = malloc(outlen + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%') {
            out[n++] = (char)(urn_hexval(s[i + 1]) * 16 + urn_hexval(s[i + 2]));
            i += 2;
        } else {
            out[n++] = s[i];
        }
    }
    out[n] = '\0';
    return out;
}

static char *urn_dup(const char *s, size_t len)
{
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    memcpy(out, s, len);
    out[len] = '\0';
    return out;
}

/* Checks the structure of s[0..len) (prefix, type, key, parentheses,
 * escapes, nested URNs) without allocating. When `u` is given, fills it
 * (type, decoded parts). Returns 0 or -1 with a reason. */
static int urn_scan(const char *s, size_t len, int depth, urn *u, char *err, size_t errlen);

/* One part of a tuple key: a nested URN (validated, kept as written) or
 * text (escapes checked, decoded). */
static int urn_scan_part(const char *p, size_t plen, size_t index, int depth, urn *u, char *err,
                         size_t errlen)
{
    if (plen == 0)
        return urn_fail(err, errlen, "empty key part %zu", index + 1);
    if (urn_prefix_len(p, plen) > 0) {
        char sub[256];
        if (urn_scan(p, plen, depth + 1, NULL, sub, sizeof sub) != 0) {
            if (strncmp(sub, "key part ", 9) == 0) /* "key part 1.2: ..." */
                return urn_fail(err, errlen, "key part %zu.%s", index + 1, sub + 9);
            return urn_fail(err, errlen, "key part %zu: %s", index + 1, sub);
        }
        if (u && !(u->parts[index] = urn_dup(p, plen)))
            return urn_fail(err, errlen, "out of memory");
        return 0;
    }
    long dl = urn_decoded_len(p, plen, err, errlen);
    if (dl < 0)
        return -1;
    if (u && !(u->parts[index] = urn_decode_dup(p, plen, (size_t)dl)))
        return urn_fail(err, errlen, "out of memory");
    return 0;
}

static int urn_scan(const char *s, size_t len, int depth, urn *u, char *err, size_t errlen)
{
    if (depth > URN_MAX_DEPTH)
        return urn_fail(err, errlen, "URNs nested more than %d deep", URN_MAX_DEPTH);
    long tstart = urn_prefix_len(s, len);
    if (tstart < 0)
        return urn_fail(err, errlen, "does not start with \"urn:li:\" (or \"urn:<namespace>:\")");
    size_t i = (size_t)tstart;
    size_t tend = i;
    while (tend < len && s[tend] != ':') {
        char c = s[tend];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return urn_fail(err, errlen, "bad character '%c' in entity type", c);
        tend++;
    }
    if (tend == i)
        return urn_fail(err, errlen, "empty entity type");
    if (tend >= len)
        return urn_fail(err, errlen, "no key after the entity type");
    const char *key = s + tend + 1;
    size_t klen = len - (tend + 1);
    if (klen == 0)
        return urn_fail(err, errlen, "empty key");
    if (u && !(u->entity_type = urn_dup(s + i, tend - i)))
        return urn_fail(err, errlen, "out of memory");

    if (key[0] != '(') {
        /* A simple key: any text (colons included) with balanced parentheses. */
        int d = 0;
        for (size_t k = 0; k < klen; k++) {
            if (key[k] == '(')
                d++;
            else if (key[k] == ')' && --d < 0)
                return urn_fail(err, errlen, "unbalanced ')' in key at offset %zu",
                                (size_t)(key - s) + k);
        }
        if (d != 0)
            return urn_fail(err, errlen, "unbalanced '(' in key");
        if (urn_scan_part(key, klen, 0, depth, u, err, errlen) != 0)
            return -1;
        if (u)
            u->nparts = 1;
        return 0;
    }

    /* A tuple key: "(" part ("," part)* ")" with nothing after. */
    int d = 0;
    size_t nparts = 0, pstart = 1;
    for (size_t k = 0; k < klen; k++) {
        char c = key[k];
        if (c == '(') {
            d++;
        } else if (c == ')') {
            d--;
            if (d < 0)
                return urn_fail(err, errlen, "unbalanced ')' in key");
            if (d == 0) {
                if (k + 1 != klen)
                    return urn_fail(err, errlen, "text after the closing ')': \"%.*s\"",
                                    (int)(klen - k - 1 > 32 ? 32 : klen - k - 1), key + k + 1);
                if (nparts >= URN_MAX_PARTS)
                    return urn_fail(err, errlen, "more than %d key parts", URN_MAX_PARTS);
                if (urn_scan_part(key + pstart, k - pstart, nparts, depth, u, err, errlen) != 0)
                    return -1;
                nparts++;
                if (u)
                    u->nparts = nparts;
                return 0;
            }
        } else if (c == ',' && d == 1) {
            if (nparts >= URN_MAX_PARTS)
                return urn_fail(err, errlen, "more than %d key parts", URN_MAX_PARTS);
            if (urn_scan_part(key + pstart, k - pstart, nparts, depth, u, err, errlen) != 0)
                return -1;
            nparts++;
            if (u)
                u->nparts = nparts;
            pstart = k + 1;
        }
    }
    return urn_fail(err, errlen, "unbalanced '(' in key (no closing ')')");
}

/* Copies text[0..len) into a spare slot of u (see the file comment). */
static int urn_set_slot(urn *u, int slot, const char *text, size_t len)
{
    if (u->nparts > (size_t)slot || u->parts[slot])
        return 0; /* no spare slot: the value stays unknown (NULL) */
    u->parts[slot] = urn_dup(text, len);
    return u->parts[slot] ? 0 : -1;
}

/* Fills the derived slots for types whose platform/env come from a nested
 * URN that is not simply the last field of a part. */
static int urn_derive(urn *u)
{
    const char *parent = NULL;
    if (strcmp(u->entity_type, "dataJob") == 0 && u->nparts >= 2)
        parent = u->parts[0]; /* urn:li:dataFlow:(orchestrator,flow,cluster) */
    else if (strcmp(u->entity_type, "schemaField") == 0 && u->nparts >= 2)
        parent = u->parts[0]; /* the dataset (or other entity) the field is in */
    if (!parent || strncmp(parent, "urn:", 4) != 0)
        return 0;
    urn pu;
    char perr[8];
    if (urn_parse(parent, &pu, perr, sizeof perr) != 0)
        return 0;
    const char *pl = urn_platform(&pu), *env = urn_env(&pu);
    int rc = 0;
    if (pl && urn_set_slot(u, URN_SLOT_PLATFORM, pl, strlen(pl)) != 0)
        rc = -1;
    if (env && urn_set_slot(u, URN_SLOT_ENV, env, strlen(env)) != 0)
        rc = -1;
    urn_free(&pu);
    return rc;
}

int urn_parse(const char *s, urn *out, char *err, size_t errlen)
{
    if (!out)
        return urn_fail(err, errlen, "no output");
    memset(out, 0, sizeof *out);
    if (!s)
        return urn_fail(err, errlen, "no URN");
    size_t len = strnlen(s, URN_MAX_LEN + 1);
    if (len > URN_MAX_LEN)
        return urn_fail(err, errlen, "URN longer than %d bytes", URN_MAX_LEN);
    if (len == 0)
        return urn_fail(err, errlen, "empty URN");
    for (size_t i = 0; i < len; i++)
        if (urn_is_ctrl((unsigned char)s[i]))
            return urn_fail(err, errlen, "control character (0x%02x) at offset %zu",
                            (unsigned)(unsigned char)s[i], i);
    if (urn_scan(s, len, 0, out, err, errlen) != 0)
        goto fail;
    if (!(out->raw = urn_dup(s, len))) {
        urn_fail(err, errlen, "out of memory");
        goto fail;
    }
    if (urn_derive(out) != 0) {
        urn_fail(err, errlen, "out of memory");
        goto fail;
    }
    return 0;
fail:
    urn_free(out);
    return -1;
}

void urn_free(urn *u)
{
    if (!u)
        return;
    free(u->raw);
    free(u->entity_type);
    for (size_t i = 0; i < URN_MAX_PARTS; i++)
        free(u->parts[i]);
    memset(u, 0, sizeof *u);
}

const char *urn_last_field(const char *s)
{
    if (!s)
        return NULL;
    size_t len = strlen(s);
    long t = urn_prefix_len(s, len);
    if (t < 0)
        return s;
    const char *colon = strchr(s + t, ':');
    if (!colon || colon[1] == '\0' || colon[1] == '(')
        return s;
    return colon + 1; /* the whole key: "pii:email" for urn:li:tag:pii:email */
}

/* How an entity type's tuple key is laid out. */
typedef struct urn_layout {
    const char *type;
    int platform; /* part holding the platform (URN or plain name), -1: none */
    int name;     /* part holding the name */
    int env;      /* part holding the env/cluster/origin, -1: none */
    int derived;  /* platform/env come from the derived slots (nested parent) */
} urn_layout;

static const urn_layout urn_layouts[] = {
    {"dataset", 0, 1, 2, 0},
    {"dataFlow", 0, 1, 2, 0},
    {"chart", 0, 1, -1, 0},
    {"dashboard", 0, 1, -1, 0},
    {"mlModel", 0, 1, 2, 0},
    {"mlModelGroup", 0, 1, 2, 0},
    {"mlFeatureTable", 0, 1, 2, 0},
    {"mlModelDeployment", 0, 1, 2, 0},
    {"mlFeature", -1, 1, -1, 0},
    {"mlPrimaryKey", -1, 1, -1, 0},
    {"dataJob", -1, 1, -1, 1},
    {"schemaField", -1, 1, -1, 1},
};

static const urn_layout *urn_layout_of(const urn *u)
{
    if (!u || !u->entity_type)
        return NULL;
    for (size_t i = 0; i < sizeof urn_layouts / sizeof urn_layouts[0]; i++)
        if (strcmp(urn_layouts[i].type, u->entity_type) == 0)
            return &urn_layouts[i];
    return NULL;
}

/* A tuple of a type not in the table: platform from a dataPlatform part. */
static int urn_generic_platform_part(const urn *u)
{
    for (size_t i = 0; i < u->nparts; i++)
        if (strncmp(u->parts[i], "urn:li:dataPlatform:", 20) == 0)
            return (int)i;
    return -1;
}

const char *urn_platform(const urn *u)
{
    if (!u || !u->entity_type || u->nparts == 0)
        return NULL;
    if (strcmp(u->entity_type, "dataPlatform") == 0)
        return u->parts[0];
    if (u->nparts == 1)
        return NULL; /* a simple key (or a one-part tuple) says nothing of a platform */
    const urn_layout *l = urn_layout_of(u);
    if (l && l->derived)
        return u->nparts <= URN_SLOT_PLATFORM ? u->parts[URN_SLOT_PLATFORM] : NULL;
    int p = l ? l->platform : urn_generic_platform_part(u);
    if (p < 0 || (size_t)p >= u->nparts)
        return NULL;
    return urn_last_field(u->parts[p]);
}

const char *urn_name(const urn *u)
{
    if (!u || !u->entity_type || u->nparts == 0)
        return NULL;
    if (u->nparts == 1)
        return u->parts[0];
    const urn_layout *l = urn_layout_of(u);
    if (l && (size_t)l->name < u->nparts)
        return u->parts[l->name];
    /* Unknown tuple: the first part that is not itself a URN. */
    for (size_t i = 0; i < u->nparts; i++)
        if (strncmp(u->parts[i], "urn:", 4) != 0)
            return u->parts[i];
    return u->parts[u->nparts - 1];
}

const char *urn_env(const urn *u)
{
    if (!u || !u->entity_type || u->nparts < 2)
        return NULL;
    const urn_layout *l = urn_layout_of(u);
    if (l && l->derived)
        return u->nparts <= URN_SLOT_ENV ? u->parts[URN_SLOT_ENV] : NULL;
    if (l)
        return l->env >= 0 && (size_t)l->env < u->nparts ? u->parts[l->env] : NULL;
    /* Unknown tuple led by a platform: (platform, name, env) as datasets. */
    if (urn_generic_platform_part(u) == 0 && u->nparts == 3)
        return u->parts[2];
    return NULL;
}
