/* gen_flow.c — pipelines: data flows (DAGs) and their data jobs (tasks).
 *
 * A flow is about one business noun ("orders_daily_load" on Airflow); its
 * tasks read datasets about that noun and write one, and each task after
 * the first depends on the previous one, so jobs add lineage edges between
 * datasets the way orchestrators report them (dataJobInputOutput).
 */
#include <stdlib.h>
#include <string.h>

#include "bench/gen_state.h"

static const char *unique_urn(gen_state *st, gen_strmap *seen, gen_text *urn, size_t cut,
                              const char *tail)
{
    /* urn->s[0..cut) is the part before the id's end; tail closes it. */
    for (unsigned k = 1;; k++) {
        urn->len = cut;
        if (k > 1)
            gen_text_addf(urn, "_%u", k);
        gen_text_add(urn, tail);
        if (urn->failed)
            return NULL;
        if (gen_strmap_get(seen, urn->s, urn->len))
            continue;
        const char *stored = gen_arena_dup(&st->arena, urn->s, urn->len);
        if (!stored || !gen_strmap_put(seen, stored, urn->len, 0, NULL))
            return NULL;
        return stored;
    }
}

static void emit_job(gen_state *st, const char *flow_urn, const char *job_urn, const char *task,
                     int noun, const char *prev_job)
{
    gen_json *j = &st->out;
    const gen_noun *n = &GEN_NOUNS[noun];
    gen_event_begin(st, GEN_T_DATAJOB, job_urn, "dataJobInfo");
    GEN_JSON_LIT(j, "{\"customProperties\":{\"retries\":\"");
    gen_json_int(j, gen_rng_below(&st->rng, 4));
    GEN_JSON_LIT(j, "\"},\"name\":");
    gen_json_str(j, task);
    GEN_JSON_LIT(j, ",\"description\":");
    gen_text *desc = &st->text[2];
    gen_text_clear(desc);
    gen_text_addf(desc, "Task %s of the %s pipeline.", task, n->plural);
    gen_json_strn(j, desc->s, desc->len);
    GEN_JSON_LIT(j, ",\"type\":{\"string\":\"COMMAND\"},\"flowUrn\":");
    gen_json_str(j, flow_urn);
    GEN_JSON_LIT(j, "}");
    gen_event_end(st);

    gen_event_begin(st, GEN_T_DATAJOB, job_urn, "dataJobInputOutput");
    GEN_JSON_LIT(j, "{\"inputDatasets\":[");
    int nin = 1 + (int)gen_rng_below(&st->rng, 3);
    for (int k = 0; k < nin; k++) {
        if (k)
            GEN_JSON_LIT(j, ",");
        gen_json_str(j, st->datasets[gen_dataset_pick_by_noun(st, noun)].urn);
    }
    GEN_JSON_LIT(j, "],\"outputDatasets\":[");
    gen_json_str(j, st->datasets[gen_dataset_pick_by_noun(st, noun)].urn);
    GEN_JSON_LIT(j, "],\"inputDatajobs\":[");
    if (prev_job)
        gen_json_str(j, prev_job);
    GEN_JSON_LIT(j, "]}");
    gen_event_end(st);
    if (gen_rng_chance(&st->rng, 0.3))
        gen_aspect_ownership(st, GEN_T_DATAJOB, job_urn, gen_past_time(st));
    gen_aspect_status(st, GEN_T_DATAJOB, job_urn, 0);
    st->stats.entities[GEN_T_DATAJOB]++;
}

int gen_flows_emit(gen_state *st)
{
    size_t nflows = (size_t)st->plan[GEN_T_DATAFLOW], njobs = (size_t)st->plan[GEN_T_DATAJOB];
    gen_strmap seen = {0};
    gen_json *j = &st->out;
    gen_text *urn = &st->text[0], *task = &st->text[1];
    int rc = -1;
    for (size_t f = 0; f < nflows; f++) {
        size_t o = gen_rng_weighted(&st->rng, GEN_ORCHESTRATOR_WEIGHTS, GEN_NORCHESTRATORS);
        int noun = (int)gen_zipf_draw(&st->noun_zipf, &st->rng);
        const char *verb = GEN_FLOW_VERBS[gen_rng_below(&st->rng, (uint32_t)GEN_NFLOW_VERBS)];
        st->run_id = GEN_ORCHESTRATORS[o];
        gen_text_clear(urn);
        gen_text_addf(urn, "urn:li:dataFlow:(%s,%s_%s", GEN_ORCHESTRATORS[o],
                      GEN_NOUNS[noun].plural, verb);
        const char *flow_urn = unique_urn(st, &seen, urn, urn->len, ",PROD)");
        if (!flow_urn)
            goto done;
        /* The DAG id is what sits between "(<orchestrator>," and ",PROD)". */
        const char *dag = strchr(flow_urn, ',') + 1;
        size_t dag_len = strlen(dag) - strlen(",PROD)");

        gen_event_begin(st, GEN_T_DATAFLOW, flow_urn, "dataFlowInfo");
        GEN_JSON_LIT(j, "{\"customProperties\":{\"schedule\":");
        static const char *const crons[] = {"0 2 * * *", "@hourly", "*/15 * * * *", "0 6 * * 1",
                                            "@daily"};
        gen_json_str(j, crons[gen_rng_below(&st->rng, 5)]);
        GEN_JSON_LIT(j, ",\"catchup\":\"false\"},\"name\":");
        gen_json_strn(j, dag, dag_len);
        GEN_JSON_LIT(j, ",\"description\":");
        gen_text *desc = &st->text[2];
        gen_text_clear(desc);
        gen_text_addf(desc, "Builds the %s tables (%s).", GEN_NOUNS[noun].plural, verb);
        gen_json_strn(j, desc->s, desc->len);
        GEN_JSON_LIT(j, ",\"externalUrl\":\"https://");
        gen_json_raw(j, GEN_ORCHESTRATORS[o], strlen(GEN_ORCHESTRATORS[o]));
        GEN_JSON_LIT(j, ".acme.example/tree?dag_id=");
        gen_json_raw(j, dag, dag_len);
        GEN_JSON_LIT(j, "\",\"env\":\"PROD\"}");
        gen_event_end(st);
        if (gen_rng_chance(&st->rng, 0.85))
            gen_aspect_ownership(st, GEN_T_DATAFLOW, flow_urn, gen_past_time(st));
        if (gen_rng_chance(&st->rng, 0.15))
            gen_aspect_tags(st, GEN_T_DATAFLOW, flow_urn, 2);
        gen_aspect_status(st, GEN_T_DATAFLOW, flow_urn, 0);
        st->stats.entities[GEN_T_DATAFLOW]++;

        const char *prev = NULL;
        for (size_t k = f * njobs / nflows; k < (f + 1) * njobs / nflows; k++) {
            gen_text_clear(task);
            gen_text_addf(task, "%s_%s",
                          GEN_TASK_VERBS[gen_rng_below(&st->rng, (uint32_t)GEN_NTASK_VERBS)],
                          GEN_NOUNS[noun].plural);
            gen_text_clear(urn);
            gen_text_addf(urn, "urn:li:dataJob:(%s,%s", flow_urn, task->s);
            const char *job_urn = unique_urn(st, &seen, urn, urn->len, ")");
            if (!job_urn)
                goto done;
            /* The task name as it ended up (with a _2 if it repeated). */
            const char *tname = job_urn + strlen("urn:li:dataJob:(") + strlen(flow_urn) + 1;
            gen_text_clear(task);
            gen_text_addn(task, tname, strlen(tname) - 1);
            emit_job(st, flow_urn, job_urn, task->s, noun, prev);
            prev = job_urn;
        }
    }
    rc = 0;
done:
    gen_strmap_free(&seen);
    return rc;
}
