/*
 * Unit tests for controller/flowtab: the plan that turns a switch's
 * installed flows into the desired ones, taken a bundle's worth at a
 * time, and applied as each bundle commits, with the desired table
 * replaced while a bundle is pending.
 */
#include <config.h>
#include "tests/check-tap.h"

#include <stdlib.h>
#include <string.h>

#include "controller/flowtab.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofpbuf.h"

/* Returns 'ft' in ovs-ofctl syntax, one flow a line, sorted; the caller
 * frees it. */
static char *
format_table(const struct flowtab *ft)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    flowtab_format(ft, &s);
    return ds_steal_cstr(&s);
}

/* Asserts that 'a' and 'b' hold the same flows. */
static void
assert_tables_equal(const struct flowtab *a, const struct flowtab *b)
{
    char *sa = format_table(a);
    char *sb = format_table(b);

    ck_assert_str_eq(sa, sb);
    free(sa);
    free(sb);
}

/* Takes up to 'max' changes of 'plan' into 'changes' and returns the
 * flow_mods' commands, one letter each ("d" strict delete, "a" add), in
 * the order they would be sent.  The caller frees it. */
static char *
take(struct flowtab_plan *plan, size_t max, struct flowtab_changes *changes)
{
    struct ovs_list msgs = OVS_LIST_INITIALIZER(&msgs);
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ofpbuf *msg;
    size_t n;

    n = flowtab_plan_take(plan, max, OFPUTIL_P_OF14_OXM, &msgs, changes);
    ck_assert_uint_eq(n, ovs_list_size(&msgs));
    LIST_FOR_EACH_POP (msg, list_node, &msgs) {
        struct ofputil_flow_mod fm;
        struct ofpbuf ofpacts;

        ofpbuf_init(&ofpacts, 64);
        ck_assert_int_eq(ofputil_decode_flow_mod(&fm, msg->data,
                                                 OFPUTIL_P_OF14_OXM, NULL,
                                                 NULL, &ofpacts, OFPP_MAX,
                                                 255), 0);
        ds_put_char(&s, (fm.command == OFPFC_DELETE_STRICT ? 'd'
                         : fm.command == OFPFC_ADD ? 'a' : '?'));
        minimatch_destroy(&fm.match);
        ofpbuf_uninit(&ofpacts);
        ofpbuf_delete(msg);
    }
    return ds_steal_cstr(&s);
}

/* Asserts that taking up to 'max' changes gives the commands 'expected'. */
#define ASSERT_TAKE(PLAN, MAX, CHANGES, EXPECTED)       \
    do {                                                \
        char *cmds_ = take(PLAN, MAX, CHANGES);         \
        ck_assert_str_eq(cmds_, EXPECTED);              \
        free(cmds_);                                    \
    } while (0)

/* A switch's tables, a plan between them and a bundle's changes. */
struct fixture {
    struct flowtab desired, installed;
    struct flowtab_plan plan;
    struct flowtab_changes changes;
};

/* The switch holds A (not wanted), B (as wanted) and C (other actions);
 * the controller wants B, C with new actions, D and E.  Plans the
 * difference. */
static void
fixture_init(struct fixture *fx)
{
    flowtab_init(&fx->desired);
    flowtab_init(&fx->installed);
    flowtab_plan_init(&fx->plan);
    flowtab_changes_init(&fx->changes);
    ck_assert(flowtab_add(&fx->installed, "table=10,priority=5,ip,"
                          "nw_dst=10.0.0.1 actions=drop"));
    ck_assert(flowtab_add(&fx->installed, "table=10,priority=5,ip,"
                          "nw_dst=10.0.0.2 actions=output:2"));
    ck_assert(flowtab_add(&fx->installed, "table=10,priority=5,ip,"
                          "nw_dst=10.0.0.3 actions=output:3"));
    ck_assert(flowtab_add(&fx->desired, "table=10,priority=5,ip,"
                          "nw_dst=10.0.0.2 actions=output:2"));
    ck_assert(flowtab_add(&fx->desired, "table=10,priority=5,ip,"
                          "nw_dst=10.0.0.3 actions=output:4"));
    ck_assert(flowtab_add(&fx->desired, "table=10,priority=5,ip,"
                          "nw_dst=10.0.0.4 actions=output:5"));
    ck_assert(flowtab_add(&fx->desired, "table=20,priority=1 actions=drop"));
    flowtab_plan(&fx->plan, &fx->desired, &fx->installed);
}

static void
fixture_destroy(struct fixture *fx)
{
    flowtab_changes_destroy(&fx->changes);
    flowtab_plan_destroy(&fx->plan);
    flowtab_destroy(&fx->desired);
    flowtab_destroy(&fx->installed);
}

START_TEST(test_plan_in_bundles)
{
    struct fixture fx;

    fixture_init(&fx);
    ck_assert_uint_eq(fx.plan.n_dels, 1);
    ck_assert_uint_eq(flowtab_plan_left(&fx.plan), 4);

    /* Deletions first, then additions, two a bundle. */
    ASSERT_TAKE(&fx.plan, 2, &fx.changes, "da");
    ck_assert_uint_eq(flowtab_plan_left(&fx.plan), 2);
    flowtab_apply(&fx.installed, &fx.changes);
    ASSERT_TAKE(&fx.plan, 2, &fx.changes, "aa");
    ck_assert_uint_eq(flowtab_plan_left(&fx.plan), 0);
    flowtab_apply(&fx.installed, &fx.changes);
    assert_tables_equal(&fx.installed, &fx.desired);
    ASSERT_TAKE(&fx.plan, 2, &fx.changes, "");

    /* Nothing differs now. */
    flowtab_plan(&fx.plan, &fx.desired, &fx.installed);
    ck_assert_uint_eq(flowtab_plan_left(&fx.plan), 0);
    fixture_destroy(&fx);

    /* All at once does the same. */
    fixture_init(&fx);
    ASSERT_TAKE(&fx.plan, 1000, &fx.changes, "daaa");
    flowtab_apply(&fx.installed, &fx.changes);
    assert_tables_equal(&fx.installed, &fx.desired);
    fixture_destroy(&fx);
}
END_TEST

/* A bundle's changes stand on their own: the desired table they came
 * from may be replaced before the bundle commits. */
START_TEST(test_desired_replaced_while_pending)
{
    struct fixture fx;
    struct flowtab next;

    fixture_init(&fx);
    ASSERT_TAKE(&fx.plan, 3, &fx.changes, "daa");

    /* What swconn_set_desired() does meanwhile. */
    flowtab_init(&next);
    ck_assert(flowtab_add(&next, "table=10,priority=5,ip,nw_dst=10.0.0.9 "
                          "actions=output:9"));
    flowtab_plan_clear(&fx.plan);
    flowtab_clear(&fx.desired);
    flowtab_swap(&fx.desired, &next);
    flowtab_destroy(&next);

    /* The bundle commits: the switch holds B, C, and two of C with its new
     * actions (which replaces C), D and E. */
    flowtab_apply(&fx.installed, &fx.changes);
    size_t n = flowtab_count(&fx.installed);
    ck_assert(n == 3 || n == 4);

    /* Every one of them goes, and the new flow comes. */
    flowtab_plan(&fx.plan, &fx.desired, &fx.installed);
    ck_assert_uint_eq(fx.plan.n_dels, n);
    ASSERT_TAKE(&fx.plan, 10, &fx.changes, n == 3 ? "ddda" : "dddda");
    flowtab_apply(&fx.installed, &fx.changes);
    assert_tables_equal(&fx.installed, &fx.desired);
    fixture_destroy(&fx);
}
END_TEST

/* Tables built from the same text share one rule a flow, which lives as
 * long as some table holds it. */
START_TEST(test_rules_shared)
{
    size_t base = flowtab_count_rules();
    struct flowtab a, b;

    flowtab_init(&a);
    flowtab_init(&b);
    ck_assert(flowtab_add(&a, "table=10,priority=100,arp,arp_tpa=10.0.0.1 "
                          "actions=in_port"));
    ck_assert(flowtab_add(&a, "table=10,priority=0 actions=drop"));
    ck_assert_uint_eq(flowtab_count_rules(), base + 2);
    ck_assert(flowtab_add(&b, "table=10,priority=100,arp,arp_tpa=10.0.0.1 "
                          "actions=in_port"));
    ck_assert_uint_eq(flowtab_count_rules(), base + 2);
    ck_assert(flowtab_equal(&a, &b) == false);

    /* A second flow with the same key is refused, and shares nothing. */
    char *error = flowtab_add_str(&b, "table=10,priority=100,arp,"
                                  "arp_tpa=10.0.0.1 actions=drop");
    ck_assert_str_eq(error, "table=10,priority=100,arp,arp_tpa=10.0.0.1 "
                     "actions=drop: duplicate flow");
    free(error);
    ck_assert_uint_eq(flowtab_count_rules(), base + 2);

    /* Text that does not parse is named. */
    error = flowtab_add_str(&b, "table=10,bogus=1 actions=drop");
    ck_assert_ptr_nonnull(error);
    ck_assert_ptr_nonnull(strstr(error, "table=10,bogus=1 "
                                 "actions=drop: "));
    free(error);

    ck_assert(flowtab_add(&b, "table=10,priority=0 actions=drop"));
    ck_assert(flowtab_equal(&a, &b));
    ck_assert_uint_eq(flowtab_count_rules(), base + 2);

    flowtab_destroy(&a);
    ck_assert_uint_eq(flowtab_count_rules(), base + 2);
    flowtab_destroy(&b);
    ck_assert_uint_eq(flowtab_count_rules(), base);
}
END_TEST

/* A table emptied with flowtab_clear_later() is empty at once; its flows
 * are freed a batch at a time, and hold their rules until then, so a
 * table built meanwhile shares them. */
START_TEST(test_clear_later)
{
    size_t base = flowtab_count_rules();
    struct flowtab a, b;

    flowtab_init(&a);
    flowtab_init(&b);
    for (int i = 0; i < 10; i++) {
        ck_assert(flowtab_add(&a, "table=10,priority=100,ip,nw_dst=10.0.0.%d "
                              "actions=drop", i));
    }
    ck_assert_uint_eq(flowtab_count_rules(), base + 10);
    ck_assert_uint_eq(flowtab_count_pending(), 0);

    flowtab_clear_later(&a);
    ck_assert_uint_eq(flowtab_count(&a), 0);
    ck_assert_uint_eq(flowtab_count_pending(), 10);
    ck_assert_uint_eq(flowtab_count_rules(), base + 10);

    /* Built while the old flows wait: it shares their rules. */
    ck_assert(flowtab_add(&b, "table=10,priority=100,ip,nw_dst=10.0.0.3 "
                          "actions=drop"));
    ck_assert_uint_eq(flowtab_count_rules(), base + 10);

    ck_assert_uint_eq(flowtab_free_pending(4), 6);
    ck_assert_uint_eq(flowtab_count_pending(), 6);
    ck_assert_uint_lt(flowtab_count_rules(), base + 10);
    ck_assert_uint_ge(flowtab_count_rules(), base + 6);

    /* A second table queued behind the first, and freed after it. */
    ck_assert(flowtab_add(&a, "table=10,priority=0 actions=drop"));
    flowtab_destroy_later(&a);
    ck_assert_uint_eq(flowtab_count_pending(), 7);
    ck_assert_uint_eq(flowtab_free_pending(SIZE_MAX), 0);
    ck_assert_uint_eq(flowtab_count_rules(), base + 1);   /* b's. */
    ck_assert_uint_eq(flowtab_free_pending(SIZE_MAX), 0);

    /* Nothing to queue for an empty table. */
    flowtab_clear_later(&b);
    ck_assert_uint_eq(flowtab_count_pending(), 1);
    flowtab_destroy_later(&b);
    ck_assert_uint_eq(flowtab_count_pending(), 1);
    flowtab_run();
    ck_assert_uint_eq(flowtab_count_pending(), 0);
    ck_assert_uint_eq(flowtab_count_rules(), base);
}
END_TEST

Suite *
unit_suite(void)
{
    Suite *s = suite_create("flowtab");
    TCase *tc;

#define ADD_TEST(NAME)                          \
    tc = tcase_create(#NAME);                   \
    tcase_add_test(tc, test_##NAME);            \
    tcase_set_timeout(tc, 60);                  \
    suite_add_tcase(s, tc);
    ADD_TEST(plan_in_bundles);
    ADD_TEST(desired_replaced_while_pending);
    ADD_TEST(rules_shared);
    ADD_TEST(clear_later);
#undef ADD_TEST
    return s;
}
