/* test_fields.c — the field registry's invariants: every row is where its id
 * says, names/prefixes/slots are unique, no term can be read back to the
 * wrong field, and the lookups round-trip. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fields.h"

START_TEST(rows_in_id_order)
{
    for (int i = 0; i < F_COUNT; i++) {
        ck_assert_int_eq(FIELDS[i].id, i);
        ck_assert_ptr_nonnull(FIELDS[i].name);
        ck_assert_ptr_nonnull(FIELDS[i].doc);
        ck_assert_uint_gt(strlen(FIELDS[i].doc), 0);
    }
}
END_TEST

START_TEST(flags_match_prefixes_and_slots)
{
    for (int i = 0; i < F_COUNT; i++) {
        const field_def *f = &FIELDS[i];
        ck_assert_msg((f->flags & FIELD_TEXT) == 0 || f->prefix != NULL, "%s", f->name);
        ck_assert_msg((f->flags & FIELD_TEXT) != 0 || f->prefix == NULL, "%s", f->name);
        ck_assert_msg(((f->flags & FIELD_FILTER) != 0) == (f->filter_prefix != NULL), "%s",
                      f->name);
        ck_assert_msg(((f->flags & FIELD_FACET) != 0) == (f->slot >= 0), "%s", f->name);
        /* Stemming and positions only mean something for text. */
        if (f->flags & (FIELD_STEMMED | FIELD_POSITIONS))
            ck_assert_msg(f->flags & FIELD_TEXT, "%s", f->name);
        if (f->flags & FIELD_TEXT)
            ck_assert_msg(f->boost > 0, "%s has no boost", f->name);
    }
}
END_TEST

START_TEST(names_unique)
{
    for (int i = 0; i < F_COUNT; i++)
        for (int j = i + 1; j < F_COUNT; j++)
            ck_assert_str_ne(FIELDS[i].name, FIELDS[j].name);
}
END_TEST

START_TEST(slots_unique)
{
    for (int i = 0; i < F_COUNT; i++) {
        int s = FIELDS[i].slot;
        if (s < 0)
            continue;
        ck_assert_int_ne(s, SLOT_POPULARITY);
        ck_assert_int_ne(s, SLOT_NAME);
        ck_assert_int_ne(s, SLOT_UPDATED);
        ck_assert_int_ne(s, SLOT_SUGGEST);
        for (int j = i + 1; j < F_COUNT; j++)
            ck_assert_int_ne(s, FIELDS[j].slot);
    }
}
END_TEST

/* Text prefixes are upper case, never start with X, and none is a prefix of
 * another; filter prefixes start with X and are distinct from each other and
 * from the special term spellings. */
START_TEST(prefixes_unambiguous)
{
    for (int i = 0; i < F_COUNT; i++) {
        const char *p = FIELDS[i].prefix, *fp = FIELDS[i].filter_prefix;
        if (p) {
            ck_assert_uint_gt(strlen(p), 0);
            ck_assert_msg(p[0] != 'X', "%s", p);
            for (const char *c = p; *c; c++)
                ck_assert_msg(*c >= 'A' && *c <= 'Z', "%s", p);
            ck_assert_msg(strncmp(TERM_ID_PREFIX, p, strlen(TERM_ID_PREFIX)) != 0 &&
                              strncmp(p, TERM_ID_PREFIX, strlen(p)) != 0,
                          "%s clashes with the id prefix", p);
        }
        if (fp) {
            ck_assert_msg(fp[0] == 'X', "%s", fp);
            ck_assert_msg(strchr(fp, ':') == NULL, "%s", fp);
            /* "XN" + ":" is the exact-name prefix. */
            char with_colon[32];
            snprintf(with_colon, sizeof with_colon, "%s:", fp);
            ck_assert_str_ne(with_colon, TERM_EXACT_PREFIX);
        }
        for (int j = 0; j < F_COUNT; j++) {
            if (i == j)
                continue;
            const char *q = FIELDS[j].prefix, *fq = FIELDS[j].filter_prefix;
            if (p && q)
                ck_assert_msg(strncmp(q, p, strlen(p)) != 0, "%s is a prefix of %s", p, q);
            if (fp && fq)
                ck_assert_str_ne(fp, fq);
        }
    }
}
END_TEST

START_TEST(by_name_round_trips)
{
    for (int i = 0; i < F_COUNT; i++)
        ck_assert_ptr_eq(field_by_name(FIELDS[i].name), &FIELDS[i]);
    ck_assert_ptr_null(field_by_name("nosuchfield"));
    ck_assert_ptr_null(field_by_name("Name")); /* case-sensitive */
    ck_assert_ptr_null(field_by_name(""));
    ck_assert_ptr_null(field_by_name(NULL));
}
END_TEST

START_TEST(by_term_round_trips)
{
    char term[128];
    const char *body;
    for (int i = 0; i < F_COUNT; i++) {
        const field_def *f = &FIELDS[i];
        if (f->prefix) {
            snprintf(term, sizeof term, "%sorders", f->prefix);
            body = NULL;
            ck_assert_ptr_eq(field_by_term(term, &body), f);
            ck_assert_str_eq(body, "orders");
            snprintf(term, sizeof term, "%s%sorder", f->prefix, TERM_STEM_MARK);
            ck_assert_ptr_eq(field_by_term(term, &body), f);
            ck_assert_str_eq(body, TERM_STEM_MARK "order");
        }
        if (f->filter_prefix) {
            snprintf(term, sizeof term, "%s:urn:li:tag:pii:email", f->filter_prefix);
            body = NULL;
            ck_assert_ptr_eq(field_by_term(term, &body), f);
            ck_assert_str_eq(body, "urn:li:tag:pii:email");
        }
    }
}
END_TEST

START_TEST(special_terms_belong_to_no_field)
{
    const char *body = NULL;
    ck_assert_ptr_null(field_by_term(TERM_REMOVED, &body));
    ck_assert_ptr_null(field_by_term(TERM_EXACT_PREFIX "orders", &body));
    ck_assert_ptr_null(field_by_term(TERM_ID_PREFIX "urn:li:corpuser:jdoe", &body));
    ck_assert_ptr_null(field_by_term("", &body));
    ck_assert_ptr_null(field_by_term("lowercase", &body));
    ck_assert_ptr_null(field_by_term(NULL, &body));
    /* A filter prefix without its ":" is not a filter term. */
    ck_assert_ptr_null(field_by_term("XTfoo", &body));
}
END_TEST

static Suite *fields_suite(void)
{
    Suite *s = suite_create("fields");
    TCase *tc = tcase_create("registry");
    tcase_add_test(tc, rows_in_id_order);
    tcase_add_test(tc, flags_match_prefixes_and_slots);
    tcase_add_test(tc, names_unique);
    tcase_add_test(tc, slots_unique);
    tcase_add_test(tc, prefixes_unambiguous);
    tcase_add_test(tc, by_name_round_trips);
    tcase_add_test(tc, by_term_round_trips);
    tcase_add_test(tc, special_terms_belong_to_no_field);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fields_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
