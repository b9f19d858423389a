/* hits.c — a search hit from a document's stored state (see hits.h).
 *
 * Cost control: a table may have thousands of columns, so columns are only
 * analysed when the document matched the query in the column fields at all
 * (the query's terms it holds say so), and a plain ASCII column name is first
 * checked by substring before it is analysed.
 */
#include "searchd/hits.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fields.h"
#include "model/summary.h"
#include "searchd/entity_json.h"
#include "searchd/limits.h"

unsigned hit_column_kind(const char *term, size_t len)
{
    (void)len; /* terms are NUL-terminated */
    const char *body = NULL;
    const field_def *f = field_by_term(term, &body);
    if (!f || !f->prefix || strncmp(term, f->prefix, strlen(f->prefix)) != 0)
        return 0;
    return f->id == F_FIELDS ? HIT_COLUMN_NAMES : f->id == F_FIELD_DOCS ? HIT_COLUMN_DOCS : 0;
}

/* 0 when the ASCII column name certainly holds no query word; 1 when it may
 * (or when the name is not plain ASCII and only the analyzer can tell). A
 * term of such a name is a run of its letters and digits, and a joined form
 * the runs of one identifier concatenated: both are substrings of the name
 * with separators removed and letters lowered. */
static int name_may_match(const hl_ctx *h, const char *path)
{
    char plain[1024];
    size_t n = 0;
    for (const char *p = path; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (isalnum(c)) {
            if (n + 1 >= sizeof plain)
                return 1;
            plain[n++] = (char)tolower(c);
        } else if (!strchr("_-./ ", c)) {
            return 1;
        }
    }
    plain[n] = '\0';
    for (size_t w = 0; w < h->nwords; w++) {
        const qp_word *qw = &h->plan->words[w];
        if (qw->joined && strstr(plain, qw->joined))
            return 1;
        size_t p = 0;
        while (p < qw->nparts && strstr(plain, qw->parts[p]))
            p++;
        if (qw->nparts > 0 && p == qw->nparts)
            return 1;
        if (qp_word_alt_in(qw, plain))
            return 1; /* a typo, completion, synonym or split half */
    }
    return 0;
}

/* Marked HTML of a text, or JSON null when absent. */
static json_t *marked(const hl_text *t, size_t max_bytes)
{
    if (!t->text)
        return json_null();
    char *html = hl_render(t, max_bytes, SD_SNIPPET_LEAD_BYTES);
    json_t *v = html ? json_string(html) : NULL;
    free(html);
    return v ? v : json_null();
}

static int columns_json(hl_ctx *h, const summary *s, unsigned fields, json_t *out)
{
    for (size_t i = 0; i < s->ncolumns; i++) {
        const sum_column *c = &s->columns[i];
        hl_text name = {0}, doc = {0};
        int rc = 0;
        if ((fields & HIT_COLUMN_NAMES) && c->path && name_may_match(h, c->path))
            rc = hl_scan(h, c->path, strlen(c->path), 0, &name);
        if (rc == 0 && (fields & HIT_COLUMN_DOCS) && c->description)
            rc = hl_scan(h, c->description, strlen(c->description), 1, &doc);
        if (rc != 0) {
            hl_text_free(&name);
            hl_text_free(&doc);
            return -1;
        }
        if (name.words || doc.words) {
            json_t *in = json_array();
            if (name.words)
                json_array_append_new(in, json_string("name"));
            if (doc.words)
                json_array_append_new(in, json_string("description"));
            /* Render what was not scanned as plain escaped text. */
            if (!name.text && c->path) {
                name.text = c->path;
                name.len = strlen(c->path);
            }
            if (!doc.text && c->description) {
                doc.text = c->description;
                doc.len = strlen(c->description);
            }
            json_t *col = json_pack("{s:o,s:o,s:o,s:o,s:o}", "path", ej_str(c->path), "snippet",
                                    marked(&name, 0), "type", ej_str(c->native_type),
                                    "description", marked(&doc, SD_SNIPPET_BYTES), "matched_in",
                                    in);
            if (!col) {
                hl_text_free(&name);
                hl_text_free(&doc);
                return -1;
            }
            json_array_append_new(out, col);
        }
        hl_text_free(&name);
        hl_text_free(&doc);
    }
    return 0;
}

/* The labels of `urns` that hold a query word. */
static json_t *matched_labels(hl_ctx *h, const sum_strv *urns, int *oom)
{
    json_t *arr = json_array();
    if (!arr) {
        *oom = 1;
        return NULL;
    }
    for (size_t i = 0; i < urns->n; i++) {
        const char *label = summary_urn_label(urns->v[i]);
        hl_text t;
        if (hl_scan(h, label, strlen(label), 0, &t) != 0) {
            *oom = 1;
            break;
        }
        if (t.words)
            json_array_append_new(arr, json_string(label));
        hl_text_free(&t);
    }
    return arr;
}

json_t *hit_json(hl_ctx *h, unsigned column_fields, const summary *s, double score, char *err,
                 size_t errlen)
{
    json_t *hit = ej_summary(s, 1);
    if (!hit)
        goto nomem;

    hl_text desc = {0};
    if (s->description && hl_scan(h, s->description, strlen(s->description), 1, &desc) != 0)
        goto nomem;
    json_object_set_new(hit, "description", marked(&desc, SD_SNIPPET_BYTES));
    hl_text_free(&desc);

    json_t *cols = json_array();
    if (!cols)
        goto nomem;
    json_object_set_new(hit, "matched_columns", cols);
    if (h->nwords > 0 && column_fields && columns_json(h, s, column_fields, cols) != 0)
        goto nomem;

    int oom = 0;
    json_t *m = json_pack("{s:o*,s:o*,s:o*}", "tags", matched_labels(h, &s->tags, &oom),
                          "glossaryTerms", matched_labels(h, &s->terms, &oom), "owners",
                          matched_labels(h, &s->owners, &oom));
    if (!m || oom) {
        json_decref(m);
        goto nomem;
    }
    json_object_set_new(hit, "matched", m);
    json_object_set_new(hit, "score", json_real(score));
    return hit;
nomem:
    snprintf(err, errlen, "out of memory building a hit");
    json_decref(hit);
    return NULL;
}
