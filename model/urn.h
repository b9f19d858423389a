/* urn.h — DataHub URNs, parsed with a real grammar, not string splitting.
 *
 *   urn:li:<entityType>:<key>
 *   key   = part | "(" part ("," part)* ")"
 *   part  = a nested URN (which may itself hold parentheses and commas) or
 *           text, where commas and parentheses only count at depth 0 and
 *           %XX percent-escapes are decoded.
 *
 * Examples:
 *   urn:li:dataset:(urn:li:dataPlatform:hive,db.schema.table,PROD)
 *       type "dataset", parts ["urn:li:dataPlatform:hive", "db.schema.table", "PROD"]
 *   urn:li:dataJob:(urn:li:dataFlow:(airflow,dag,prod),task_1)
 *       type "dataJob", parts ["urn:li:dataFlow:(airflow,dag,prod)", "task_1"]
 *   urn:li:tag:pii:email            type "tag", parts ["pii:email"]
 *   urn:li:corpuser:jdoe            type "corpuser", parts ["jdoe"]
 * Malformed input (missing prefix, empty type, unbalanced parentheses, empty
 * key, bad %-escape, control characters) is an error with a reason.
 */
#ifndef MDX_URN_H
#define MDX_URN_H

#include <stddef.h>

#define URN_MAX_LEN 4096 /* longer URNs are rejected, not truncated */
#define URN_MAX_PARTS 16

typedef struct urn {
    char *raw;         /* the URN as given (malloc'd copy) */
    char *entity_type; /* "dataset" */
    size_t nparts;
    char *parts[URN_MAX_PARTS]; /* decoded key parts (malloc'd) */
} urn;

/* Parses `s` into *out; returns 0, or -1 with a reason in err. On error *out
 * holds nothing to free. */
int urn_parse(const char *s, urn *out, char *err, size_t errlen);
void urn_free(urn *u);

/* What a URN says about its entity, derived by entity type (dataset: the
 * platform URN's last part, the name, the env; dataJob: its flow's name and
 * the job id; chart/dashboard: "(platform,id)"; tag: "pii:email"; ...).
 * Each returns a pointer into `u` or NULL when the type has no such part. */
const char *urn_platform(const urn *u); /* "hive" (from urn:li:dataPlatform:hive) */
const char *urn_name(const urn *u);     /* "db.schema.table", "jdoe", "pii:email" */
const char *urn_env(const urn *u);      /* "PROD" */

/* The last ":"-separated field of a simple URN ("urn:li:dataPlatform:hive" →
 * "hive"), or the input itself when it is not a URN. */
const char *urn_last_field(const char *s);

#endif
