/* gen_glossary.c — tags, glossary terms and domains: the shared vocabulary
 * of the catalog, each an entity of its own that datasets, columns and
 * dashboards point to. Only the first K of each list are in a small catalog,
 * and only those are ever referenced. */
#include <string.h>

#include "bench/gen_state.h"

void gen_glossary_emit(gen_state *st)
{
    gen_json *j = &st->out;
    gen_text *urn = &st->text[0];
    st->run_id = "datahub-business-glossary-2025_06_01";
    for (size_t i = 0; i < st->ntags; i++) {
        gen_text_clear(urn);
        gen_text_add(urn, "urn:li:tag:");
        gen_text_add(urn, GEN_TAGS[i].name);
        gen_event_begin(st, GEN_T_TAG, urn->s, "tagProperties");
        GEN_JSON_LIT(j, "{\"name\":");
        gen_json_str(j, GEN_TAGS[i].name);
        GEN_JSON_LIT(j, ",\"description\":");
        gen_json_str(j, GEN_TAGS[i].description);
        char color[16];
        uint64_t h = gen_hash64(GEN_TAGS[i].name, strlen(GEN_TAGS[i].name), 7);
        snprintf(color, sizeof color, "#%06x", (unsigned)(h & 0xffffff));
        GEN_JSON_LIT(j, ",\"colorHex\":");
        gen_json_str(j, color);
        GEN_JSON_LIT(j, "}");
        gen_event_end(st);
        st->stats.entities[GEN_T_TAG]++;
    }
    for (size_t i = 0; i < st->nterms; i++) {
        const gen_term *t = &GEN_TERMS[i];
        gen_text_clear(urn);
        gen_text_addf(urn, "urn:li:glossaryTerm:%s.%s", t->node, t->id);
        gen_event_begin(st, GEN_T_GLOSSARY_TERM, urn->s, "glossaryTermInfo");
        GEN_JSON_LIT(j, "{\"customProperties\":{},\"name\":");
        gen_json_str(j, t->name);
        GEN_JSON_LIT(j, ",\"definition\":");
        gen_json_str(j, t->definition);
        GEN_JSON_LIT(j, ",\"parentNode\":\"urn:li:glossaryNode:");
        gen_json_raw(j, t->node, strlen(t->node));
        GEN_JSON_LIT(j, "\",\"termSource\":\"INTERNAL\"}");
        gen_event_end(st);
        gen_aspect_ownership(st, GEN_T_GLOSSARY_TERM, urn->s, gen_past_time(st));
        st->stats.entities[GEN_T_GLOSSARY_TERM]++;
    }
    for (size_t i = 0; i < st->ndomains; i++) {
        const gen_domain *d = &GEN_DOMAINS[i];
        gen_text_clear(urn);
        gen_text_addf(urn, "urn:li:domain:%s", d->id);
        gen_event_begin(st, GEN_T_DOMAIN, urn->s, "domainProperties");
        GEN_JSON_LIT(j, "{\"name\":");
        gen_json_str(j, d->name);
        GEN_JSON_LIT(j, ",\"description\":");
        gen_json_str(j, d->description);
        GEN_JSON_LIT(j, "}");
        gen_event_end(st);
        st->stats.entities[GEN_T_DOMAIN]++;
    }
}
