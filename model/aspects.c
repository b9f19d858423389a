/* aspects.c — the one table of aspects metadex keeps, their kind (plain,
 * timeseries, key) and a light check of their shape.
 *
 * The checks are declarative: per aspect, a few members with the JSON type
 * they must have when present (some must be present), and for arrays the
 * type of their elements and the string (often a URN) each element must
 * carry. They catch what would index garbage (a tag that is not a URN,
 * fields that are not a list), not every schema rule DataHub has.
 */
#include "model/aspects.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/urn.h"

typedef enum { T_ANY = 0, T_OBJECT, T_ARRAY, T_STRING, T_BOOL, T_NUMBER } aspect_type;

typedef struct aspect_rule {
    const char *member;
    aspect_type type;
    int required;
    aspect_type elem;     /* arrays: the type of each element (T_ANY: unchecked) */
    const char *elem_key; /* arrays of objects: a string member each element must have */
    int is_urn;           /* that member, string elements or the string itself: a URN */
} aspect_rule;

#define ASPECT_MAX_RULES 7

typedef struct aspect_def {
    const char *name;
    aspect_kind kind;
    aspect_rule rules[ASPECT_MAX_RULES];
} aspect_def;

/* Rule shorthands. */
#define S(m) {m, T_STRING, 0, T_ANY, NULL, 0}
#define URN(m) {m, T_STRING, 0, T_ANY, NULL, 1}
#define REQ_URN(m) {m, T_STRING, 1, T_ANY, NULL, 1}
#define B(m) {m, T_BOOL, 0, T_ANY, NULL, 0}
#define O(m) {m, T_OBJECT, 0, T_ANY, NULL, 0}
#define A(m) {m, T_ARRAY, 0, T_ANY, NULL, 0}
#define REQ_NUM(m) {m, T_NUMBER, 1, T_ANY, NULL, 0}
#define A_STR(m) {m, T_ARRAY, 0, T_STRING, NULL, 0}
#define A_URN(m) {m, T_ARRAY, 0, T_STRING, NULL, 1}
#define A_OBJ(m, key) {m, T_ARRAY, 0, T_OBJECT, key, 0}
#define A_OBJ_URN(m, key) {m, T_ARRAY, 0, T_OBJECT, key, 1}

/* Properties aspects: a name, a description and a map of custom properties. */
#define PROPS(n) {n, ASPECT_PLAIN, {S("name"), S("description"), O("customProperties")}}

static const aspect_def aspect_table[] = {
    {"datasetProperties", ASPECT_PLAIN,
     {S("name"), S("description"), S("qualifiedName"), O("customProperties"), A_STR("tags")}},
    {"editableDatasetProperties", ASPECT_PLAIN, {S("name"), S("description")}},
    {"schemaMetadata", ASPECT_PLAIN, {S("schemaName"), A_OBJ("fields", "fieldPath")}},
    {"editableSchemaMetadata", ASPECT_PLAIN, {A_OBJ("editableSchemaFieldInfo", "fieldPath")}},
    {"ownership", ASPECT_PLAIN, {A_OBJ_URN("owners", "owner")}},
    {"globalTags", ASPECT_PLAIN, {A_OBJ_URN("tags", "tag")}},
    {"glossaryTerms", ASPECT_PLAIN, {A_OBJ_URN("terms", "urn")}},
    {"domains", ASPECT_PLAIN, {A_URN("domains")}},
    {"status", ASPECT_PLAIN, {B("removed")}},
    {"subTypes", ASPECT_PLAIN, {A_STR("typeNames")}},
    {"container", ASPECT_PLAIN, {REQ_URN("container")}},
    {"upstreamLineage", ASPECT_PLAIN,
     {A_OBJ_URN("upstreams", "dataset"), A_OBJ("fineGrainedLineages", NULL)}},
    {"dataPlatformInstance", ASPECT_PLAIN, {URN("platform"), URN("instance")}},
    {"dashboardInfo", ASPECT_PLAIN,
     {S("title"), S("description"), O("customProperties"), A_URN("charts"),
      A_OBJ_URN("chartEdges", "destinationUrn"), A_URN("datasets"),
      A_OBJ_URN("datasetEdges", "destinationUrn")}},
    {"editableDashboardProperties", ASPECT_PLAIN, {S("description")}},
    {"chartInfo", ASPECT_PLAIN,
     {S("title"), S("description"), O("customProperties"), A("inputs"),
      A_OBJ_URN("inputEdges", "destinationUrn")}},
    {"editableChartProperties", ASPECT_PLAIN, {S("description")}},
    PROPS("dataJobInfo"),
    {"editableDataJobProperties", ASPECT_PLAIN, {S("description")}},
    {"dataJobInputOutput", ASPECT_PLAIN,
     {A_URN("inputDatasets"), A_URN("outputDatasets"), A_URN("inputDatajobs"),
      A_OBJ_URN("inputDatasetEdges", "destinationUrn"),
      A_OBJ_URN("outputDatasetEdges", "destinationUrn"),
      A_OBJ_URN("inputDatajobEdges", "destinationUrn")}},
    PROPS("dataFlowInfo"),
    {"editableDataFlowProperties", ASPECT_PLAIN, {S("description")}},
    PROPS("mlModelProperties"),
    {"editableMLModelProperties", ASPECT_PLAIN, {S("description")}},
    PROPS("mlModelGroupProperties"),
    PROPS("mlFeatureProperties"),
    {"editableMLFeatureProperties", ASPECT_PLAIN, {S("description")}},
    {"mlFeatureTableProperties", ASPECT_PLAIN,
     {S("name"), S("description"), O("customProperties"), A_URN("mlFeatures"),
      A_URN("mlPrimaryKeys")}},
    {"editableMLFeatureTableProperties", ASPECT_PLAIN, {S("description")}},
    PROPS("mlPrimaryKeyProperties"),
    {"glossaryTermInfo", ASPECT_PLAIN, {S("name"), S("definition"), O("customProperties")}},
    {"glossaryNodeInfo", ASPECT_PLAIN, {S("name"), S("definition"), O("customProperties")}},
    {"tagProperties", ASPECT_PLAIN, {S("name"), S("description"), S("colorHex")}},
    {"corpUserInfo", ASPECT_PLAIN,
     {S("displayName"), S("fullName"), S("email"), S("title"), B("active"), O("customProperties")}},
    {"corpUserEditableInfo", ASPECT_PLAIN, {S("displayName"), S("aboutMe"), S("title"), A_STR("skills")}},
    {"corpGroupInfo", ASPECT_PLAIN,
     {S("displayName"), S("description"), S("email"), A_URN("admins"), A_URN("members"),
      A_URN("groups")}},
    {"corpGroupEditableInfo", ASPECT_PLAIN, {S("description"), S("email")}},
    {"domainProperties", ASPECT_PLAIN, {S("name"), S("description"), URN("parentDomain")}},
    {"containerProperties", ASPECT_PLAIN,
     {S("name"), S("description"), S("qualifiedName"), O("customProperties")}},
    {"editableContainerProperties", ASPECT_PLAIN, {S("description")}},
    {"institutionalMemory", ASPECT_PLAIN, {A_OBJ("elements", "url")}},
    {"viewProperties", ASPECT_PLAIN, {S("viewLogic"), S("viewLanguage"), B("materialized")}},
    {"deprecation", ASPECT_PLAIN, {B("deprecated"), S("note")}},
    {"browsePathsV2", ASPECT_PLAIN, {A_OBJ("path", "id")}},
    {"usageFeatures", ASPECT_PLAIN, {{0}}},
    {"datasetUsageStatistics", ASPECT_TIMESERIES, {REQ_NUM("timestampMillis")}},
    {"dashboardUsageStatistics", ASPECT_TIMESERIES, {REQ_NUM("timestampMillis")}},
    {"chartUsageStatistics", ASPECT_TIMESERIES, {REQ_NUM("timestampMillis")}},
    /* key aspects of the entity types metadex knows; any other "<type>Key"
     * is a key aspect too (aspect_lookup) */
    {"datasetKey", ASPECT_KEY, {URN("platform"), S("name"), S("origin")}},
    {"chartKey", ASPECT_KEY, {S("dashboardTool"), S("chartId")}},
    {"dashboardKey", ASPECT_KEY, {S("dashboardTool"), S("dashboardId")}},
    {"dataJobKey", ASPECT_KEY, {URN("flow"), S("jobId")}},
    {"dataFlowKey", ASPECT_KEY, {S("orchestrator"), S("flowId"), S("cluster")}},
    {"corpUserKey", ASPECT_KEY, {S("username")}},
    {"corpGroupKey", ASPECT_KEY, {S("name")}},
    {"glossaryTermKey", ASPECT_KEY, {S("name")}},
    {"glossaryNodeKey", ASPECT_KEY, {S("name")}},
    {"tagKey", ASPECT_KEY, {S("name")}},
    {"domainKey", ASPECT_KEY, {S("id")}},
    {"containerKey", ASPECT_KEY, {S("guid")}},
    {"mlModelKey", ASPECT_KEY, {URN("platform"), S("name"), S("origin")}},
    {"mlModelGroupKey", ASPECT_KEY, {URN("platform"), S("name"), S("origin")}},
    {"mlFeatureKey", ASPECT_KEY, {S("featureNamespace"), S("name")}},
    {"mlFeatureTableKey", ASPECT_KEY, {URN("platform"), S("name")}},
    {"mlPrimaryKeyKey", ASPECT_KEY, {S("featureNamespace"), S("name")}},
};

static const char *const aspect_entity_types[] = {
    "dataset", "dashboard", "chart", "dataJob", "dataFlow", "mlModel", "mlModelGroup",
    "mlFeature", "mlFeatureTable", "mlPrimaryKey", "glossaryTerm", "glossaryNode", "tag",
    "corpuser", "corpGroup", "domain", "container",
};

static const aspect_def *aspect_def_of(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof aspect_table / sizeof aspect_table[0]; i++)
        if (!strcmp(aspect_table[i].name, name))
            return &aspect_table[i];
    return NULL;
}

/* "<type>Key", as DataHub names every entity's key aspect. */
static int aspect_is_key_name(const char *name)
{
    size_t n = strlen(name);
    return n > 3 && !strcmp(name + n - 3, "Key") && name[0] >= 'a' && name[0] <= 'z';
}

aspect_kind aspect_lookup(const char *name)
{
    const aspect_def *d = aspect_def_of(name);
    if (d)
        return d->kind;
    if (name && aspect_is_key_name(name))
        return ASPECT_KEY;
    return ASPECT_UNKNOWN;
}

int aspect_entity_type_known(const char *type)
{
    if (!type)
        return 0;
    for (size_t i = 0; i < sizeof aspect_entity_types / sizeof aspect_entity_types[0]; i++)
        if (!strcmp(aspect_entity_types[i], type))
            return 1;
    return 0;
}

static int aspect_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static const char *aspect_type_name(aspect_type t)
{
    switch (t) {
    case T_OBJECT:
        return "an object";
    case T_ARRAY:
        return "an array";
    case T_STRING:
        return "a string";
    case T_BOOL:
        return "a boolean";
    case T_NUMBER:
        return "a number";
    default:
        return "a value";
    }
}

static int aspect_type_ok(const json_t *v, aspect_type t)
{
    switch (t) {
    case T_OBJECT:
        return json_is_object(v);
    case T_ARRAY:
        return json_is_array(v);
    case T_STRING:
        return json_is_string(v);
    case T_BOOL:
        return json_is_boolean(v);
    case T_NUMBER:
        return json_is_number(v);
    default:
        return 1;
    }
}

/* A string that must be a URN; `path` names it in the reason. */
static int aspect_check_urn(const json_t *v, const char *path, char *err, size_t errlen)
{
    urn u;
    char uerr[160];
    if (urn_parse(json_string_value(v), &u, uerr, sizeof uerr) != 0)
        return aspect_fail(err, errlen, "%s: not a valid URN (%s)", path, uerr);
    urn_free(&u);
    return 0;
}

static int aspect_check_rule(const char *aspect, const aspect_rule *r, const json_t *v, char *err,
                             size_t errlen)
{
    char path[160];
    snprintf(path, sizeof path, "%s.%s", aspect, r->member);
    if (!v || json_is_null(v)) {
        if (r->required)
            return aspect_fail(err, errlen, "%s: missing", path);
        return 0;
    }
    if (!aspect_type_ok(v, r->type))
        return aspect_fail(err, errlen, "%s: expected %s", path, aspect_type_name(r->type));
    if (r->type == T_STRING && r->is_urn)
        return aspect_check_urn(v, path, err, errlen);
    if (r->type != T_ARRAY)
        return 0;
    size_t i;
    const json_t *el;
    json_array_foreach(v, i, el)
    {
        char epath[200];
        snprintf(epath, sizeof epath, "%s[%zu]", path, i);
        if (!aspect_type_ok(el, r->elem))
            return aspect_fail(err, errlen, "%s: expected %s", epath, aspect_type_name(r->elem));
        if (r->elem == T_STRING && r->is_urn && aspect_check_urn(el, epath, err, errlen) != 0)
            return -1;
        if (r->elem == T_OBJECT && r->elem_key) {
            char kpath[260];
            snprintf(kpath, sizeof kpath, "%s.%s", epath, r->elem_key);
            const json_t *k = json_object_get(el, r->elem_key);
            if (!json_is_string(k))
                return aspect_fail(err, errlen, "%s: expected a string", kpath);
            if (r->is_urn && aspect_check_urn(k, kpath, err, errlen) != 0)
                return -1;
        }
    }
    return 0;
}

int aspect_check(const char *name, const json_t *value, char *err, size_t errlen)
{
    if (!name)
        return aspect_fail(err, errlen, "no aspect name");
    const aspect_def *d = aspect_def_of(name);
    if (!d && !aspect_is_key_name(name))
        return 0; /* not kept: nothing to check */
    if (!json_is_object(value))
        return aspect_fail(err, errlen, "%s: expected an object", name);
    if (!d)
        return 0;
    for (size_t i = 0; i < ASPECT_MAX_RULES && d->rules[i].member; i++)
        if (aspect_check_rule(name, &d->rules[i], json_object_get(value, d->rules[i].member), err,
                              errlen) != 0)
            return -1;
    return 0;
}
