/* gen_aspects.c — aspects every kind of generated entity can carry:
 * status, subTypes, ownership (Zipf-skewed owners), globalTags,
 * glossaryTerms, domains, and the audit stamps inside them. */
#include <ctype.h>
#include <string.h>

#include "bench/gen_state.h"

#define DAY_MS 86400000LL

long long gen_past_time(gen_state *st)
{
    /* Three years back, to the second, never in the last day. */
    long long back = DAY_MS + (long long)gen_rng_below(&st->rng, 3u * 365u * 86400u) * 1000LL;
    return st->opt.now_ms - back;
}

void gen_write_stamp(gen_state *st, long long time_ms, const char *user_id)
{
    gen_json *j = &st->out;
    GEN_JSON_LIT(j, "{\"time\":");
    gen_json_int(j, time_ms);
    GEN_JSON_LIT(j, ",\"actor\":\"urn:li:corpuser:");
    gen_json_raw(j, user_id, strlen(user_id)); /* ids are [a-z0-9._-]: nothing to escape */
    GEN_JSON_LIT(j, "\"}");
}

void gen_title_case(gen_text *t, const char *snake)
{
    int up = 1;
    for (const char *p = snake; *p; p++) {
        if (*p == '_') {
            gen_text_addc(t, ' ');
            up = 1;
        } else {
            gen_text_addc(t, up ? (char)toupper((unsigned char)*p) : *p);
            up = 0;
        }
    }
}

void gen_aspect_status(gen_state *st, gen_type type, const char *urn, int removed)
{
    gen_event_begin(st, type, urn, "status");
    if (removed)
        GEN_JSON_LIT(&st->out, "{\"removed\":true}");
    else
        GEN_JSON_LIT(&st->out, "{\"removed\":false}");
    gen_event_end(st);
}

void gen_aspect_subtypes(gen_state *st, gen_type type, const char *urn, const char *subtype)
{
    gen_event_begin(st, type, urn, "subTypes");
    GEN_JSON_LIT(&st->out, "{\"typeNames\":[");
    gen_json_str(&st->out, subtype);
    GEN_JSON_LIT(&st->out, "]}");
    gen_event_end(st);
}

uint32_t gen_people_pick_owner(gen_state *st)
{
    return st->user_by_rank[gen_zipf_draw(&st->user_zipf, &st->rng)];
}

void gen_aspect_ownership(gen_state *st, gen_type type, const char *urn, long long time_ms)
{
    static const char *const kinds[] = {"TECHNICAL_OWNER", "BUSINESS_OWNER", "DATA_STEWARD"};
    gen_json *j = &st->out;
    uint32_t picked[3];
    int n = 0, want = 1 + (gen_rng_chance(&st->rng, 0.35) ? 1 + gen_rng_chance(&st->rng, 0.3) : 0);
    for (int tries = 0; n < want && tries < 8; tries++) {
        uint32_t u = gen_people_pick_owner(st);
        int dup = 0;
        for (int k = 0; k < n; k++)
            dup |= picked[k] == u;
        if (!dup)
            picked[n++] = u;
    }
    gen_event_begin(st, type, urn, "ownership");
    GEN_JSON_LIT(j, "{\"owners\":[");
    for (int k = 0; k < n; k++) {
        if (k)
            GEN_JSON_LIT(j, ",");
        GEN_JSON_LIT(j, "{\"owner\":\"urn:li:corpuser:");
        gen_json_raw(j, st->users[picked[k]].id, strlen(st->users[picked[k]].id));
        GEN_JSON_LIT(j, "\",\"type\":\"");
        gen_json_raw(j, kinds[k], strlen(kinds[k]));
        GEN_JSON_LIT(j, "\"}");
    }
    if (gen_rng_chance(&st->rng, 0.2)) {
        const gen_group *g = &st->groups[gen_zipf_draw(&st->group_zipf, &st->rng)];
        GEN_JSON_LIT(j, ",{\"owner\":\"urn:li:corpGroup:");
        gen_json_raw(j, g->id, strlen(g->id));
        GEN_JSON_LIT(j, "\",\"type\":\"TECHNICAL_OWNER\"}");
    }
    GEN_JSON_LIT(j, "],\"ownerTypes\":{},\"lastModified\":");
    gen_write_stamp(st, time_ms, "datahub");
    GEN_JSON_LIT(j, "}");
    gen_event_end(st);
}

/* Up to `max` distinct ranks from z (fewer when the vocabulary is small). */
static int pick_distinct(gen_state *st, const gen_zipf *z, int max, size_t *out)
{
    int want = 1 + (int)gen_rng_below(&st->rng, (uint32_t)max), n = 0;
    for (int tries = 0; n < want && tries < 3 * max; tries++) {
        size_t x = gen_zipf_draw(z, &st->rng);
        int dup = 0;
        for (int k = 0; k < n; k++)
            dup |= out[k] == x;
        if (!dup)
            out[n++] = x;
    }
    return n;
}

void gen_aspect_tags(gen_state *st, gen_type type, const char *urn, int max)
{
    size_t picked[8];
    int n = pick_distinct(st, &st->tag_zipf, max > 8 ? 8 : max, picked);
    gen_event_begin(st, type, urn, "globalTags");
    GEN_JSON_LIT(&st->out, "{\"tags\":[");
    for (int k = 0; k < n; k++) {
        if (k)
            GEN_JSON_LIT(&st->out, ",");
        GEN_JSON_LIT(&st->out, "{\"tag\":");
        gen_text *t = &st->text[3];
        gen_text_clear(t);
        gen_text_add(t, "urn:li:tag:");
        gen_text_add(t, GEN_TAGS[picked[k]].name);
        gen_json_strn(&st->out, t->s, t->len);
        GEN_JSON_LIT(&st->out, "}");
    }
    GEN_JSON_LIT(&st->out, "]}");
    gen_event_end(st);
}

void gen_aspect_terms(gen_state *st, gen_type type, const char *urn, int max, long long time_ms)
{
    size_t picked[8];
    int n = pick_distinct(st, &st->term_zipf, max > 8 ? 8 : max, picked);
    gen_event_begin(st, type, urn, "glossaryTerms");
    GEN_JSON_LIT(&st->out, "{\"terms\":[");
    for (int k = 0; k < n; k++) {
        const gen_term *term = &GEN_TERMS[picked[k]];
        if (k)
            GEN_JSON_LIT(&st->out, ",");
        GEN_JSON_LIT(&st->out, "{\"urn\":\"urn:li:glossaryTerm:");
        gen_json_raw(&st->out, term->node, strlen(term->node));
        GEN_JSON_LIT(&st->out, ".");
        gen_json_raw(&st->out, term->id, strlen(term->id));
        GEN_JSON_LIT(&st->out, "\"}");
    }
    GEN_JSON_LIT(&st->out, "],\"auditStamp\":");
    gen_write_stamp(st, time_ms, "datahub");
    GEN_JSON_LIT(&st->out, "}");
    gen_event_end(st);
}

void gen_aspect_domain(gen_state *st, gen_type type, const char *urn, int domain)
{
    gen_event_begin(st, type, urn, "domains");
    GEN_JSON_LIT(&st->out, "{\"domains\":[\"urn:li:domain:");
    gen_json_raw(&st->out, GEN_DOMAINS[domain].id, strlen(GEN_DOMAINS[domain].id));
    GEN_JSON_LIT(&st->out, "\"]}");
    gen_event_end(st);
}
