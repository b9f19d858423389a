/* gen_people.c — the catalog's users (corpuser) and groups (corpGroup).
 *
 * Users get unique ids from their names ("priya.shah", "priya.shah2"), a
 * title and one group; a random ranking decides who owns the most: owners
 * are drawn Zipf by rank, so a few people own many datasets, as in a real
 * company where the platform team's tech lead owns half the warehouse.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "bench/gen_state.h"

static const char *ascii_of(const gen_person_name *n) { return n->ascii ? n->ascii : n->display; }

/* Lowercase ASCII letters of s appended to t ("O'Brien" → "obrien"). */
static void add_id_part(gen_text *t, const char *s)
{
    for (; *s; s++)
        if (isalnum((unsigned char)*s))
            gen_text_addc(t, (char)tolower((unsigned char)*s));
}

/* Makes `base` unique in `seen` by appending 2, 3, ...; returns the arena copy. */
static const char *unique_id(gen_state *st, gen_strmap *seen, gen_text *base)
{
    size_t len = base->len;
    for (unsigned k = 1;; k++) {
        base->len = len;
        if (k > 1)
            gen_text_addf(base, "%u", k);
        if (base->failed)
            return NULL;
        if (gen_strmap_get(seen, base->s, base->len))
            continue;
        const char *id = gen_arena_dup(&st->arena, base->s, base->len);
        if (!id || !gen_strmap_put(seen, id, base->len, 0, NULL))
            return NULL;
        return id;
    }
}

static int build_groups(gen_state *st, gen_strmap *seen)
{
    st->ngroups = (size_t)st->plan[GEN_T_CORPGROUP];
    st->groups = calloc(st->ngroups, sizeof *st->groups);
    if (!st->groups || gen_zipf_init(&st->group_zipf, st->ngroups, 1.0) < 0)
        return -1;
    gen_text *id = &st->text[0], *disp = &st->text[1];
    for (size_t g = 0; g < st->ngroups; g++) {
        /* Every team once, then regional teams ("growth-emea"). */
        size_t team = g < GEN_NTEAMS ? g : gen_rng_below(&st->rng, (uint32_t)GEN_NTEAMS);
        gen_text_clear(id);
        gen_text_clear(disp);
        gen_text_add(id, GEN_TEAMS[team].id);
        gen_text_add(disp, GEN_TEAMS[team].display);
        if (g >= GEN_NTEAMS) {
            const char *region = GEN_REGIONS[gen_rng_below(&st->rng, (uint32_t)GEN_NREGIONS)];
            gen_text_addf(id, "-%s", region);
            gen_text_add(disp, " (");
            for (const char *p = region; *p; p++)
                gen_text_addc(disp, (char)toupper((unsigned char)*p));
            gen_text_add(disp, ")");
        }
        st->groups[g].team = (uint16_t)team;
        st->groups[g].id = unique_id(st, seen, id);
        st->groups[g].display = gen_arena_dup(&st->arena, disp->s, disp->len);
        if (!st->groups[g].id || !st->groups[g].display)
            return -1;
    }
    return 0;
}

int gen_people_build(gen_state *st)
{
    gen_strmap seen = {0};
    int rc = -1;
    if (build_groups(st, &seen) < 0)
        goto done;
    st->nusers = (size_t)st->plan[GEN_T_CORPUSER];
    st->users = calloc(st->nusers, sizeof *st->users);
    st->user_by_rank = malloc(st->nusers * sizeof *st->user_by_rank);
    if (!st->users || !st->user_by_rank || gen_zipf_init(&st->user_zipf, st->nusers, 1.0) < 0)
        goto done;
    gen_text *id = &st->text[0], *disp = &st->text[1];
    for (size_t u = 0; u < st->nusers; u++) {
        gen_user *usr = &st->users[u];
        usr->first = (uint16_t)gen_rng_below(&st->rng, (uint32_t)GEN_NFIRST_NAMES);
        usr->last = (uint16_t)gen_rng_below(&st->rng, (uint32_t)GEN_NLAST_NAMES);
        usr->title = (uint16_t)gen_rng_below(&st->rng, (uint32_t)GEN_NTITLES);
        usr->group = (uint32_t)gen_zipf_draw(&st->group_zipf, &st->rng);
        gen_text_clear(id);
        add_id_part(id, ascii_of(&GEN_FIRST_NAMES[usr->first]));
        gen_text_addc(id, '.');
        add_id_part(id, ascii_of(&GEN_LAST_NAMES[usr->last]));
        gen_text_clear(disp);
        gen_text_addf(disp, "%s %s", GEN_FIRST_NAMES[usr->first].display,
                      GEN_LAST_NAMES[usr->last].display);
        usr->id = unique_id(st, &seen, id);
        usr->display = gen_arena_dup(&st->arena, disp->s, disp->len);
        if (!usr->id || !usr->display)
            goto done;
    }
    /* Ownership popularity is unrelated to creation order: shuffle ranks. */
    for (size_t u = 0; u < st->nusers; u++)
        st->user_by_rank[u] = (uint32_t)u;
    for (size_t u = st->nusers; u > 1; u--) {
        size_t k = gen_rng_below(&st->rng, (uint32_t)u);
        uint32_t tmp = st->user_by_rank[u - 1];
        st->user_by_rank[u - 1] = st->user_by_rank[k];
        st->user_by_rank[k] = tmp;
    }
    rc = 0;
done:
    gen_strmap_free(&seen);
    return rc;
}

static void emit_user(gen_state *st, const gen_user *u)
{
    gen_json *j = &st->out;
    gen_text *urn = &st->text[0];
    gen_text_clear(urn);
    gen_text_add(urn, "urn:li:corpuser:");
    gen_text_add(urn, u->id);
    const gen_group *g = &st->groups[u->group];

    gen_event_begin(st, GEN_T_CORPUSER, urn->s, "corpUserInfo");
    GEN_JSON_LIT(j, "{\"customProperties\":{},\"active\":");
    if (gen_rng_chance(&st->rng, 0.96))
        GEN_JSON_LIT(j, "true");
    else
        GEN_JSON_LIT(j, "false");
    GEN_JSON_LIT(j, ",\"displayName\":");
    gen_json_str(j, u->display);
    GEN_JSON_LIT(j, ",\"email\":\"");
    gen_json_raw(j, u->id, strlen(u->id));
    GEN_JSON_LIT(j, "@acme.com\",\"title\":");
    gen_json_str(j, GEN_TITLES[u->title]);
    GEN_JSON_LIT(j, ",\"departmentName\":");
    gen_json_str(j, GEN_TEAMS[g->team].display);
    GEN_JSON_LIT(j, ",\"firstName\":");
    gen_json_str(j, GEN_FIRST_NAMES[u->first].display);
    GEN_JSON_LIT(j, ",\"lastName\":");
    gen_json_str(j, GEN_LAST_NAMES[u->last].display);
    GEN_JSON_LIT(j, ",\"fullName\":");
    gen_json_str(j, u->display);
    GEN_JSON_LIT(j, "}");
    gen_event_end(st);

    gen_event_begin(st, GEN_T_CORPUSER, urn->s, "groupMembership");
    GEN_JSON_LIT(j, "{\"groups\":[\"urn:li:corpGroup:");
    gen_json_raw(j, g->id, strlen(g->id));
    GEN_JSON_LIT(j, "\"]}");
    gen_event_end(st);
    gen_aspect_status(st, GEN_T_CORPUSER, urn->s, 0);
    st->stats.entities[GEN_T_CORPUSER]++;
}

static void emit_group(gen_state *st, size_t gi, const uint32_t *members, size_t nmembers)
{
    gen_json *j = &st->out;
    const gen_group *g = &st->groups[gi];
    gen_text *urn = &st->text[0];
    gen_text_clear(urn);
    gen_text_add(urn, "urn:li:corpGroup:");
    gen_text_add(urn, g->id);

    gen_event_begin(st, GEN_T_CORPGROUP, urn->s, "corpGroupInfo");
    GEN_JSON_LIT(j, "{\"displayName\":");
    gen_json_str(j, g->display);
    GEN_JSON_LIT(j, ",\"email\":\"");
    gen_json_raw(j, g->id, strlen(g->id));
    GEN_JSON_LIT(j, "@acme.com\",\"description\":");
    gen_json_str(j, GEN_TEAMS[g->team].about);
    GEN_JSON_LIT(j, ",\"admins\":[");
    if (nmembers) {
        GEN_JSON_LIT(j, "\"urn:li:corpuser:");
        gen_json_raw(j, st->users[members[0]].id, strlen(st->users[members[0]].id));
        GEN_JSON_LIT(j, "\"");
    }
    GEN_JSON_LIT(j, "],\"members\":[");
    for (size_t k = 0; k < nmembers; k++) {
        if (k)
            GEN_JSON_LIT(j, ",");
        GEN_JSON_LIT(j, "\"urn:li:corpuser:");
        gen_json_raw(j, st->users[members[k]].id, strlen(st->users[members[k]].id));
        GEN_JSON_LIT(j, "\"");
    }
    GEN_JSON_LIT(j, "],\"groups\":[]}");
    gen_event_end(st);
    gen_aspect_status(st, GEN_T_CORPGROUP, urn->s, 0);
    st->stats.entities[GEN_T_CORPGROUP]++;
}

void gen_people_emit(gen_state *st)
{
    st->run_id = "ldap-2025_06_01";
    for (size_t u = 0; u < st->nusers; u++)
        emit_user(st, &st->users[u]);
    /* Members of each group, by a counting sort of users on their group. */
    size_t *start = calloc(st->ngroups + 1, sizeof *start);
    uint32_t *members = malloc((st->nusers ? st->nusers : 1) * sizeof *members);
    if (!start || !members) {
        st->failed = 1;
        free(start);
        free(members);
        return;
    }
    for (size_t u = 0; u < st->nusers; u++)
        start[st->users[u].group + 1]++;
    for (size_t g = 0; g < st->ngroups; g++)
        start[g + 1] += start[g];
    size_t *fill = calloc(st->ngroups, sizeof *fill);
    if (!fill) {
        st->failed = 1;
        free(start);
        free(members);
        return;
    }
    for (size_t u = 0; u < st->nusers; u++) {
        uint32_t g = st->users[u].group;
        members[start[g] + fill[g]++] = (uint32_t)u;
    }
    for (size_t g = 0; g < st->ngroups; g++)
        emit_group(st, g, members + start[g], start[g + 1] - start[g]);
    free(fill);
    free(start);
    free(members);
}
