/* gen_bi.c — BI content: dashboards and the charts on them.
 *
 * A dashboard is about one business noun ("Orders Overview" on Looker); its
 * charts ("Orders by Country") read datasets about that noun. Views follow
 * a Pareto law like dataset usage: a few dashboards are opened all day.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/gen_state.h"

#define DAY_MS 86400000LL

/* Tool-specific ids, unique through the index `n` they embed. */
static void add_id(gen_state *st, gen_text *t, const char *tool, const char *kind, size_t n)
{
    if (strcmp(tool, "looker") == 0) {
        gen_text_addf(t, "%s.%zu", strcmp(kind, "chart") == 0 ? "dashboard_elements" : "dashboards",
                      1000 + n);
    } else if (strcmp(tool, "tableau") == 0 || strcmp(tool, "powerbi") == 0) {
        uint64_t a = gen_rng_next(&st->rng), b = gen_rng_next(&st->rng);
        gen_text_addf(t, "%08x-%04x-4%03x-%04x-%06x%06zx", (unsigned)(a >> 32),
                      (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
                      0x8000 | ((unsigned)(b >> 48) & 0x3fff), (unsigned)(b & 0xffffff),
                      n & 0xffffff);
    } else {
        gen_text_addf(t, "%zu", 1 + n);
    }
}

static void emit_usage(gen_state *st, gen_type type, const char *urn)
{
    gen_json *j = &st->out;
    long long views = (long long)((gen_rng_pareto(&st->rng, 1.0, 1.2) - 1.0) * 5.0);
    long long users = views ? 1 + views / (2 + (long long)gen_rng_below(&st->rng, 6)) : 0;
    if (users > (long long)st->nusers)
        users = (long long)st->nusers;
    gen_event_begin(st, type, urn,
                    type == GEN_T_DASHBOARD ? "dashboardUsageStatistics" : "chartUsageStatistics");
    GEN_JSON_LIT(j, "{\"timestampMillis\":");
    gen_json_int(j, st->opt.now_ms - (1 + (long long)gen_rng_below(&st->rng, 7)) * DAY_MS);
    GEN_JSON_LIT(j, ",\"eventGranularity\":{\"unit\":\"DAY\",\"multiple\":1},\"viewsCount\":");
    gen_json_int(j, views);
    GEN_JSON_LIT(j, ",\"uniqueUserCount\":");
    gen_json_int(j, users);
    GEN_JSON_LIT(j, "}");
    gen_event_end(st);
}

static void write_last_modified(gen_state *st)
{
    gen_json *j = &st->out;
    long long t = gen_past_time(st);
    GEN_JSON_LIT(j, "{\"created\":");
    gen_write_stamp(st, t, st->users[gen_people_pick_owner(st)].id);
    GEN_JSON_LIT(j, ",\"lastModified\":");
    gen_write_stamp(st, t + (st->opt.now_ms - t) / 2, "datahub");
    GEN_JSON_LIT(j, "}");
}

static const char *emit_chart(gen_state *st, const char *tool, size_t c, int noun)
{
    gen_json *j = &st->out;
    gen_text *urn = &st->text[1], *title = &st->text[2], *human = &st->text[3];
    gen_text_clear(urn);
    gen_text_addf(urn, "urn:li:chart:(%s,", tool);
    add_id(st, urn, tool, "chart", c);
    gen_text_add(urn, ")");
    const char *chart_urn = gen_arena_dup(&st->arena, urn->s, urn->len);
    if (!chart_urn || urn->failed) {
        st->failed = 1;
        return NULL;
    }
    gen_text_clear(human);
    gen_title_case(human, GEN_NOUNS[noun].plural);
    gen_text_clear(title);
    const char *metric = GEN_CHART_METRICS[gen_rng_below(&st->rng, (uint32_t)GEN_NCHART_METRICS)];
    const char *at = strstr(metric, "%s");
    gen_text_addn(title, metric, (size_t)(at - metric));
    gen_text_add(title, human->s);
    gen_text_add(title, at + 2);
    const char *dim = GEN_CHART_DIMS[gen_rng_below(&st->rng, (uint32_t)GEN_NCHART_DIMS)];
    if (*dim)
        gen_text_addf(title, " %s", dim);

    gen_event_begin(st, GEN_T_CHART, chart_urn, "chartInfo");
    GEN_JSON_LIT(j, "{\"customProperties\":{},\"title\":");
    gen_json_strn(j, title->s, title->len);
    GEN_JSON_LIT(j, ",\"description\":");
    if (gen_rng_chance(&st->rng, 0.4))
        gen_json_strn(j, title->s, title->len);
    else
        GEN_JSON_LIT(j, "\"\"");
    GEN_JSON_LIT(j, ",\"lastModified\":");
    write_last_modified(st);
    GEN_JSON_LIT(j, ",\"chartUrl\":\"https://");
    gen_json_raw(j, tool, strlen(tool));
    GEN_JSON_LIT(j, ".acme.example/charts/");
    gen_json_int(j, (long long)c);
    GEN_JSON_LIT(j, "\",\"inputs\":[");
    int nin = 1 + gen_rng_chance(&st->rng, 0.3);
    for (int k = 0; k < nin; k++) {
        if (k)
            GEN_JSON_LIT(j, ",");
        GEN_JSON_LIT(j, "{\"string\":");
        gen_json_str(j, st->datasets[gen_dataset_pick_by_noun(st, noun)].urn);
        GEN_JSON_LIT(j, "}");
    }
    GEN_JSON_LIT(j, "],\"type\":\"");
    const char *type = GEN_CHART_TYPES[gen_rng_below(&st->rng, (uint32_t)GEN_NCHART_TYPES)];
    gen_json_raw(j, type, strlen(type));
    GEN_JSON_LIT(j, "\"}");
    gen_event_end(st);
    if (gen_rng_chance(&st->rng, 0.4))
        gen_aspect_ownership(st, GEN_T_CHART, chart_urn, gen_past_time(st));
    if (gen_rng_chance(&st->rng, 0.3))
        emit_usage(st, GEN_T_CHART, chart_urn);
    gen_aspect_status(st, GEN_T_CHART, chart_urn, 0);
    st->stats.entities[GEN_T_CHART]++;
    return chart_urn;
}

void gen_dashboards_emit(gen_state *st)
{
    size_t ndash = (size_t)st->plan[GEN_T_DASHBOARD], ncharts = (size_t)st->plan[GEN_T_CHART];
    gen_json *j = &st->out;
    const char **charts = NULL;
    size_t cap = 0;
    for (size_t d = 0; d < ndash && !st->failed; d++) {
        const char *tool = GEN_BI_TOOLS[gen_rng_weighted(&st->rng, GEN_BI_WEIGHTS, GEN_NBI_TOOLS)];
        int noun = (int)gen_zipf_draw(&st->noun_zipf, &st->rng);
        st->run_id = tool;
        size_t first = d * ncharts / ndash, last = (d + 1) * ncharts / ndash;
        if (last - first > cap) {
            cap = last - first;
            const char **nc = realloc(charts, cap * sizeof *nc);
            if (!nc) {
                st->failed = 1;
                break;
            }
            charts = nc;
        }
        for (size_t c = first; c < last; c++) {
            /* Most charts show the dashboard's subject; some a neighbour's. */
            int cnoun =
                gen_rng_chance(&st->rng, 0.8) ? noun : (int)gen_zipf_draw(&st->noun_zipf, &st->rng);
            charts[c - first] = emit_chart(st, tool, c, cnoun);
            if (!charts[c - first])
                break;
        }
        if (st->failed)
            break;

        gen_text *urn = &st->text[0], *title = &st->text[2];
        gen_text_clear(urn);
        gen_text_addf(urn, "urn:li:dashboard:(%s,", tool);
        add_id(st, urn, tool, "dashboard", d);
        gen_text_add(urn, ")");
        gen_text_clear(title);
        gen_title_case(title, GEN_NOUNS[noun].plural);
        gen_text_addf(title, " %s",
                      GEN_DASHBOARD_KINDS[gen_rng_below(&st->rng, (uint32_t)GEN_NDASHBOARD_KINDS)]);
        if (gen_rng_chance(&st->rng, 0.1))
            gen_text_addf(title, " (%s)", gen_rng_chance(&st->rng, 0.5) ? "EMEA" : "Old");

        gen_event_begin(st, GEN_T_DASHBOARD, urn->s, "dashboardInfo");
        GEN_JSON_LIT(j, "{\"customProperties\":{},\"title\":");
        gen_json_strn(j, title->s, title->len);
        GEN_JSON_LIT(j, ",\"description\":");
        gen_text *desc = &st->text[3];
        gen_text_clear(desc);
        if (gen_rng_chance(&st->rng, 0.6)) {
            gen_text_add(desc, "Tracks ");
            for (const char *p = GEN_NOUNS[noun].plural; *p; p++)
                gen_text_addc(desc, *p == '_' ? ' ' : *p);
            gen_text_addf(desc, " for the %s team. %s",
                          GEN_TEAMS[gen_rng_below(&st->rng, (uint32_t)GEN_NTEAMS)].display,
                          GEN_REFRESH[gen_rng_below(&st->rng, (uint32_t)GEN_NREFRESH)]);
        }
        gen_json_strn(j, desc->s ? desc->s : "", desc->len);
        GEN_JSON_LIT(j, ",\"charts\":[");
        for (size_t c = first; c < last; c++) {
            if (c > first)
                GEN_JSON_LIT(j, ",");
            gen_json_str(j, charts[c - first]);
        }
        GEN_JSON_LIT(j, "],\"datasets\":[],\"lastModified\":");
        write_last_modified(st);
        GEN_JSON_LIT(j, ",\"dashboardUrl\":\"https://");
        gen_json_raw(j, tool, strlen(tool));
        GEN_JSON_LIT(j, ".acme.example/dashboards/");
        gen_json_int(j, (long long)d);
        GEN_JSON_LIT(j, "\"}");
        gen_event_end(st);
        if (gen_rng_chance(&st->rng, 0.8))
            gen_aspect_ownership(st, GEN_T_DASHBOARD, urn->s, gen_past_time(st));
        if (gen_rng_chance(&st->rng, 0.2))
            gen_aspect_tags(st, GEN_T_DASHBOARD, urn->s, 2);
        int domain = GEN_NOUNS[noun].domain;
        if ((size_t)domain < st->ndomains && gen_rng_chance(&st->rng, 0.3))
            gen_aspect_domain(st, GEN_T_DASHBOARD, urn->s, domain);
        if (gen_rng_chance(&st->rng, 0.7))
            emit_usage(st, GEN_T_DASHBOARD, urn->s);
        gen_aspect_status(st, GEN_T_DASHBOARD, urn->s, gen_rng_chance(&st->rng, 0.02));
        st->stats.entities[GEN_T_DASHBOARD]++;
    }
    free(charts);
}
