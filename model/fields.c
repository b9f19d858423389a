/* fields.c — the field registry table (see fields.h) and lookups over it.
 *
 * Prefix rules that keep every term readable back to its field:
 *   - text prefixes are upper-case letters and never start with "X"; the
 *     normalised term after them is lower case, so "N" + "xyz" can never be
 *     mistaken for another field's term, and "<prefix>Z<stem>" (TERM_STEM_MARK)
 *     cannot collide with a real term either;
 *   - filter prefixes start with "X" and are always followed by ":", so
 *     "XT:..." and "XTY:..." could never be confused even if both existed;
 *   - no text prefix is a prefix of another text prefix, no filter prefix
 *     equals another, and none of them is "XN" (TERM_EXACT_PREFIX) or the
 *     start of TERM_REMOVED's spelling as a filter term.
 * tests/unit/test_fields.c checks these invariants on the table itself.
 */
#include "model/fields.h"

#include <string.h>

const field_def FIELDS[F_COUNT] = {
    [F_NAME] = {F_NAME, "name", "N", NULL, 10.0,
                FIELD_TEXT | FIELD_POSITIONS | FIELD_AUTOCOMPLETE, -1,
                "display name (and the last dotted part of the URN name)"},
    [F_QNAME] = {F_QNAME, "qualifiedName", "U", NULL, 4.0, FIELD_TEXT, -1,
                 "qualified name and the URN name's parts (db.schema.table)"},
    [F_DESCRIPTION] = {F_DESCRIPTION, "description", "D", NULL, 1.5,
                       FIELD_TEXT | FIELD_STEMMED | FIELD_POSITIONS, -1,
                       "descriptions, edited and ingested (stemmed)"},
    [F_FIELDS] = {F_FIELDS, "fields", "C", NULL, 5.0, FIELD_TEXT, -1,
                  "column names (schema field paths reduced to names)"},
    [F_FIELD_DOCS] = {F_FIELD_DOCS, "fieldDescriptions", "E", NULL, 1.0,
                      FIELD_TEXT | FIELD_STEMMED, -1, "column descriptions (stemmed)"},
    [F_OWNERS] = {F_OWNERS, "owners", "O", "XO", 3.0,
                  FIELD_TEXT | FIELD_FACET | FIELD_FILTER | FIELD_AUTOCOMPLETE, 1,
                  "owner ids and display names; filter and facet by owner URN"},
    [F_TAGS] = {F_TAGS, "tags", "T", "XT", 4.0,
                FIELD_TEXT | FIELD_FACET | FIELD_FILTER | FIELD_AUTOCOMPLETE, 2,
                "tags of the entity and its columns; filter and facet by tag URN"},
    [F_TERMS] = {F_TERMS, "glossaryTerms", "G", "XG", 4.0,
                 FIELD_TEXT | FIELD_FACET | FIELD_FILTER | FIELD_AUTOCOMPLETE, 3,
                 "glossary terms of the entity and its columns; filter and facet by term URN"},
    [F_DOMAINS] = {F_DOMAINS, "domains", "M", "XM", 2.0,
                   FIELD_TEXT | FIELD_FACET | FIELD_FILTER, 4,
                   "domains; filter and facet by domain URN"},
    [F_PLATFORM] = {F_PLATFORM, "platform", "P", "XP", 2.0,
                    FIELD_TEXT | FIELD_FACET | FIELD_FILTER, 5,
                    "data platform name (hive, snowflake, looker)"},
    [F_ORIGIN] = {F_ORIGIN, "origin", NULL, "XE", 0.0, FIELD_FACET | FIELD_FILTER, 6,
                  "environment / fabric (PROD, DEV)"},
    [F_TYPE] = {F_TYPE, "type", "Y", "XY", 1.0, FIELD_TEXT | FIELD_FACET | FIELD_FILTER, 7,
                "entity type (dataset, dashboard, chart, ...)"},
    [F_SUBTYPES] = {F_SUBTYPES, "subTypes", "S", "XS", 1.0,
                    FIELD_TEXT | FIELD_FACET | FIELD_FILTER, 8,
                    "subtypes (Table, View, Topic)"},
    [F_CONTAINER] = {F_CONTAINER, "container", "K", "XC", 1.0,
                     FIELD_TEXT | FIELD_FACET | FIELD_FILTER, 9,
                     "parent container; filter and facet by container URN"},
};

const field_def *field_by_name(const char *name)
{
    if (!name)
        return NULL;
    for (int i = 0; i < F_COUNT; i++)
        if (strcmp(FIELDS[i].name, name) == 0)
            return &FIELDS[i];
    return NULL;
}

/* Length of `prefix` if it starts `term`, else 0. */
static size_t prefix_match(const char *term, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(term, prefix, n) == 0 ? n : 0;
}

const field_def *field_by_term(const char *term, const char **body)
{
    const field_def *best = NULL;
    size_t best_len = 0;
    if (!term)
        return NULL;
    for (int i = 0; i < F_COUNT; i++) {
        const field_def *f = &FIELDS[i];
        size_t n;
        if (f->prefix && (n = prefix_match(term, f->prefix)) > best_len) {
            best = f;
            best_len = n;
        }
        /* A filter term is "<filter_prefix>:<value>": the ":" belongs to
         * the prefix, so the body is the exact value. */
        if (f->filter_prefix && (n = prefix_match(term, f->filter_prefix)) > 0 &&
            term[n] == ':' && n + 1 > best_len) {
            best = f;
            best_len = n + 1;
        }
    }
    if (best && body)
        *body = term + best_len;
    return best;
}
