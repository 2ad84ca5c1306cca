/*
 * Unit tests for lib/dt-blueprint: the example blueprint parses and prints
 * back as the very same text, the output is canonical whatever the order
 * and spelling of the input, and every rejected input gives its exact
 * error, naming the JSON path and the bad value.
 *
 * Test documents are written with single quotes, which dq() turns into
 * double quotes, so that they read without backslashes.
 */
#include <config.h>
#include "tests/check-tap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/dt-blueprint.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/util.h"
#include "util.h"

/* Returns a malloc'd copy of 'text' with every ' replaced by ". */
static char *
dq(const char *text)
{
    char *s = xstrdup(text);

    for (char *p = s; *p; p++) {
        if (*p == '\'') {
            *p = '"';
        }
    }
    return s;
}

/* Returns the example blueprint's file name.  "make check" sets $srcdir;
 * run by hand, the program finds the source tree from its own source
 * file's name, which is relative to the build directory or absolute. */
static char *
fixture_file_name(void)
{
    static const char fixture[] = "Documentation/blueprints/three-tier.json";
    static const char me[] = "tests/test-dt-blueprint.c";
    const char *srcdir = getenv("srcdir");

    if (srcdir) {
        return xasprintf("%s/%s", srcdir, fixture);
    }
    size_t len = strlen(__FILE__);
    ovs_assert(len >= strlen(me));
    return xasprintf("%.*s%s", (int) (len - strlen(me)), __FILE__, fixture);
}

/* Returns the contents of file 'file_name', malloc'd. */
static char *
read_whole_file(const char *file_name)
{
    FILE *stream = fopen(file_name, "r");
    struct ds s = DS_EMPTY_INITIALIZER;
    int c;

    ck_assert_msg(stream, "%s: %s", file_name, ovs_strerror(errno));
    while ((c = getc(stream)) != EOF) {
        ds_put_char(&s, c);
    }
    fclose(stream);
    return ds_steal_cstr(&s);
}

/* Writes 'text' to a new temporary file and returns its name, malloc'd. */
static char *
write_temp_file(const char *text)
{
    char *file_name = xstrdup("/tmp/test-dt-blueprint-XXXXXX");
    int fd = mkstemp(file_name);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), strlen(text));
    close(fd);
    return file_name;
}

/* Asserts that 'bp' is empty, as after a failed read. */
static void
assert_empty(const struct dt_blueprint *bp)
{
    ck_assert_ptr_null(bp->network);
    ck_assert_ptr_null(bp->fabric_mode);
    ck_assert_uint_eq(bp->n_domains + bp->n_actions + bp->n_policies
                      + bp->n_endpoints, 0);
}

/* Asserts that reading 'json_sq' (single-quoted, see dq()) as "test.json"
 * fails with exactly 'expected'. */
static void
check_error(const char *json_sq, const char *expected)
{
    struct dt_blueprint bp;
    char *json = dq(json_sq);
    char *error = dt_blueprint_from_string(json, "test.json", &bp);

    ck_assert_msg(error != NULL, "no error for %s (expected %s)",
                  json, expected);
    ck_assert_str_eq(error, expected);
    assert_empty(&bp);
    dt_blueprint_destroy(&bp);
    free(error);
    free(json);
}

/* Reads 'json_sq' into 'bp', asserting that it is accepted. */
static void
parse_ok(const char *json_sq, struct dt_blueprint *bp)
{
    char *json = dq(json_sq);
    char *error = dt_blueprint_from_string(json, "test.json", bp);

    ck_assert_msg(!error, "unexpected error %s for %s", error, json);
    free(json);
}

/* Asserts that 'json_sq' prints as 'expected_sq' (both single-quoted) and
 * that the printed text reads back and prints the same again. */
static void
check_canonical(const char *json_sq, const char *expected_sq)
{
    struct dt_blueprint bp, bp2;
    char *expected = dq(expected_sq);

    parse_ok(json_sq, &bp);
    char *text = dt_blueprint_to_string(&bp);
    ck_assert_str_eq(text, expected);

    char *error = dt_blueprint_from_string(text, "output", &bp2);
    ck_assert_msg(!error, "output does not read back: %s", error);
    char *text2 = dt_blueprint_to_string(&bp2);
    ck_assert_str_eq(text2, text);

    dt_blueprint_destroy(&bp);
    dt_blueprint_destroy(&bp2);
    free(text);
    free(text2);
    free(expected);
}

/* Pieces of test documents. */
#define NET "'network': 'n', 'vni': 1"
#define DOMAINS "'domains': [{'name': 'D-1'}, {'name': 'D-2'}]"
#define ACTIONS "'actions': [{'name': 'A-1', 'kind': 'allow'}, "     \
                "{'name': 'A-2', 'kind': 'deny'}]"
#define POLICY(SRC, DST) \
    "{'src_domain': '" SRC "', 'dst_domain': '" DST "', "   \
    "'actions': ['A-1'], 'ttl': 10}"

/* The expected message of dt_parse_name() for 'VALUE', a 'WHAT' name. */
#define BAD_NAME(WHAT, VALUE)                                           \
    "\"" VALUE "\": invalid " WHAT " name (1 to 64 letters, digits, "   \
    "'_', '.' or '-', not starting with '-')"

START_TEST(test_fixture_parses)
{
    char *file_name = fixture_file_name();
    struct dt_blueprint bp;
    char *error = dt_blueprint_from_file(file_name, &bp);

    ck_assert_msg(!error, "%s", error);
    ck_assert_str_eq(bp.network, "three-tier");
    ck_assert_uint_eq(bp.vni, 5001);
    ck_assert_ptr_null(bp.tenant);
    ck_assert_str_eq(bp.fabric_mode, "overlay");

    /* DOVE Tables 1 to 4. */
    ck_assert_uint_eq(bp.n_domains, 4);
    ck_assert_str_eq(bp.domains[1].name, "D-2");
    ck_assert_str_eq(bp.domains[1].description, "Load Balancer");
    ck_assert_uint_eq(bp.n_actions, 5);
    ck_assert_str_eq(bp.actions[0].name, "A-1");
    ck_assert_str_eq(bp.actions[0].description, "FW-1");
    ck_assert_str_eq(bp.actions[0].kind, "waypoint");
    ck_assert_str_eq(bp.actions[0].location, "9.2.5.1");
    ck_assert_str_eq(bp.actions[3].kind, "deny");
    ck_assert_ptr_null(bp.actions[3].location);
    ck_assert_uint_eq(bp.n_policies, 8);
    ck_assert_str_eq(bp.policies[2].src_domain, "D-2");
    ck_assert_str_eq(bp.policies[2].dst_domain, "D-3");
    ck_assert_uint_eq(bp.policies[2].actions.n, 2);
    ck_assert_str_eq(bp.policies[2].actions.names[0], "A-1");
    ck_assert_str_eq(bp.policies[2].actions.names[1], "A-2");
    ck_assert_uint_eq(bp.policies[2].ttl, 200);
    ck_assert_ptr_null(bp.policies[7].src_domain);
    ck_assert_ptr_null(bp.policies[7].dst_domain);
    ck_assert_str_eq(bp.policies[7].actions.names[0], "A-4");
    ck_assert_uint_eq(bp.n_endpoints, 7);
    ck_assert_str_eq(bp.endpoints[2].name, "Ext");
    ck_assert_str_eq(bp.endpoints[2].external, "0.0.0.0/0");
    ck_assert_ptr_null(bp.endpoints[2].mac);
    ck_assert_str_eq(bp.endpoints[3].name, "LB");
    ck_assert_str_eq(bp.endpoints[3].ips.names[0], "9.2.10.34");
    ck_assert_str_eq(bp.endpoints[3].hypervisor, "dswitch2");

    dt_blueprint_destroy(&bp);
    free(file_name);
}
END_TEST

/* The example is in canonical form: it prints back byte for byte. */
START_TEST(test_fixture_round_trip)
{
    char *file_name = fixture_file_name();
    char *text = read_whole_file(file_name);
    struct dt_blueprint bp;
    char *error = dt_blueprint_from_file(file_name, &bp);

    ck_assert_msg(!error, "%s", error);
    char *output = dt_blueprint_to_string(&bp);
    ck_assert_str_eq(output, text);

    dt_blueprint_destroy(&bp);
    free(output);
    free(text);
    free(file_name);
}
END_TEST

START_TEST(test_minimal)
{
    check_canonical("{'vni': 7, 'network': 'x'}",
                    "{\n"
                    "  'network': 'x',\n"
                    "  'vni': 7,\n"
                    "  'fabric_mode': 'overlay',\n"
                    "  'domains': [],\n"
                    "  'actions': [],\n"
                    "  'policies': [],\n"
                    "  'endpoints': []\n"
                    "}\n");
}
END_TEST

/* Sections and keys in any order, arrays unsorted, addresses in
 * non-canonical spellings: the output is sorted and canonical. */
START_TEST(test_canonical)
{
    check_canonical(
        "{'endpoints': ["
        "   {'name': 'E-10', 'mac': '02:00:00:00:00:0A',"
        "    'ips': ['2001:DB8:0::a', '10.0.0.10', '9.0.0.1']},"
        "   {'domain': 'D-2', 'name': 'E-2', 'external': '10.1.0.0/16'},"
        "   {'name': 'E-1', 'external': '2001:db8:0:0::/64',"
        "    'port': 'p1', 'hypervisor': 'hv1'}],"
        " 'policies': ["
        "   {'default': true, 'actions': ['A-2'], 'ttl': 60},"
        "   {'src_domain': 'D-10', 'dst_domain': 'D-2',"
        "    'actions': ['A-2', 'A-1'], 'ttl': 5},"
        "   {'src_domain': 'D-2', 'dst_domain': 'D-10', 'actions': ['A-1'],"
        "    'ttl': 86400, 'default': false}],"
        " 'actions': ["
        "   {'name': 'A-2', 'kind': 'waypoint', 'location': '2001:DB8::5',"
        "    'config': {'z': '1', 'a': '2'}, 'description': 'SSL'},"
        "   {'kind': 'allow', 'name': 'A-1'}],"
        " 'domains': ["
        "   {'name': 'D-10', 'dhcp_servers': ['10.0.0.10', '10.0.0.9']},"
        "   {'name': 'D-2', 'description': 'two'}],"
        " 'fabric_mode': 'sarp', 'tenant': 'acme', 'vni': 16777215,"
        " 'network': 'net-1'}",
        "{\n"
        "  'network': 'net-1',\n"
        "  'vni': 16777215,\n"
        "  'tenant': 'acme',\n"
        "  'fabric_mode': 'sarp',\n"
        "  'domains': [\n"
        "    {\n"
        "      'name': 'D-2',\n"
        "      'description': 'two'\n"
        "    },\n"
        "    {\n"
        "      'name': 'D-10',\n"
        "      'dhcp_servers': [\n"
        "        '10.0.0.9',\n"
        "        '10.0.0.10'\n"
        "      ]\n"
        "    }\n"
        "  ],\n"
        "  'actions': [\n"
        "    {\n"
        "      'name': 'A-1',\n"
        "      'kind': 'allow'\n"
        "    },\n"
        "    {\n"
        "      'name': 'A-2',\n"
        "      'description': 'SSL',\n"
        "      'kind': 'waypoint',\n"
        "      'location': '2001:db8::5',\n"
        "      'config': {\n"
        "        'a': '2',\n"
        "        'z': '1'\n"
        "      }\n"
        "    }\n"
        "  ],\n"
        "  'policies': [\n"
        "    {\n"
        "      'src_domain': 'D-2',\n"
        "      'dst_domain': 'D-10',\n"
        "      'actions': [\n"
        "        'A-1'\n"
        "      ],\n"
        "      'ttl': 86400\n"
        "    },\n"
        "    {\n"
        "      'src_domain': 'D-10',\n"
        "      'dst_domain': 'D-2',\n"
        "      'actions': [\n"
        "        'A-2',\n"
        "        'A-1'\n"
        "      ],\n"
        "      'ttl': 5\n"
        "    },\n"
        "    {\n"
        "      'default': true,\n"
        "      'actions': [\n"
        "        'A-2'\n"
        "      ],\n"
        "      'ttl': 60\n"
        "    }\n"
        "  ],\n"
        "  'endpoints': [\n"
        "    {\n"
        "      'name': 'E-1',\n"
        "      'external': '2001:db8::/64',\n"
        "      'hypervisor': 'hv1',\n"
        "      'port': 'p1'\n"
        "    },\n"
        "    {\n"
        "      'name': 'E-2',\n"
        "      'domain': 'D-2',\n"
        "      'external': '10.1.0.0/16'\n"
        "    },\n"
        "    {\n"
        "      'name': 'E-10',\n"
        "      'mac': '02:00:00:00:00:0a',\n"
        "      'ips': [\n"
        "        '9.0.0.1',\n"
        "        '10.0.0.10',\n"
        "        '2001:db8::a'\n"
        "      ]\n"
        "    }\n"
        "  ]\n"
        "}\n");
}
END_TEST

/* A blueprint built with the dt_blueprint_add_*() functions, as
 * dt_blueprint_db_export() builds one, prints like one read from JSON; a
 * bare host as external prefix becomes a host prefix. */
START_TEST(test_build)
{
    struct dt_blueprint bp, bp2;

    dt_blueprint_init(&bp);
    bp.network = xstrdup("n");
    bp.vni = 1;
    bp.fabric_mode = xstrdup("channel");
    dt_blueprint_add_domain(&bp, "D-2");
    dt_blueprint_add_domain(&bp, "D-1")->description = xstrdup("one");
    struct dt_blueprint_action *action
        = dt_blueprint_add_action(&bp, "A-1", "waypoint");
    action->location = xstrdup("10.0.0.1");
    smap_add(&action->config, "k", "v");
    /* Adding moves the array, and an smap with one node points into
     * itself. */
    action = dt_blueprint_add_action(&bp, "A-2", "deny");
    smap_add(&action->config, "x", "y");
    struct dt_blueprint_policy *policy
        = dt_blueprint_add_policy(&bp, NULL, NULL, 30);
    svec_add(&policy->actions, "A-1");
    policy = dt_blueprint_add_policy(&bp, "D-1", "D-2", 40);
    svec_add(&policy->actions, "A-1");
    struct dt_blueprint_endpoint *ep = dt_blueprint_add_endpoint(&bp, "e");
    ep->domain = xstrdup("D-1");
    svec_add(&ep->ips, "10.0.0.2");

    parse_ok("{'network': 'n', 'vni': 1, 'fabric_mode': 'channel',"
             " 'domains': [{'name': 'D-1', 'description': 'one'},"
             "             {'name': 'D-2'}],"
             " 'actions': [{'name': 'A-1', 'kind': 'waypoint',"
             "              'location': '10.0.0.1', 'config': {'k': 'v'}},"
             "             {'name': 'A-2', 'kind': 'deny',"
             "              'config': {'x': 'y'}}],"
             " 'policies': [" POLICY("D-1", "D-2") ","
             "              {'default': true, 'actions': ['A-1'],"
             "               'ttl': 30}],"
             " 'endpoints': [{'name': 'e', 'domain': 'D-1',"
             "                'ips': ['10.0.0.2']}]}", &bp2);
    bp2.policies[0].ttl = 40;

    char *text = dt_blueprint_to_string(&bp);
    char *text2 = dt_blueprint_to_string(&bp2);
    ck_assert_str_eq(text, text2);
    free(text);
    free(text2);
    dt_blueprint_destroy(&bp);
    dt_blueprint_destroy(&bp2);

    /* A bare address as an external prefix is a host route. */
    parse_ok("{" NET ", 'endpoints': [{'name': 'x', 'external': '10.0.0.1'},"
             "  {'name': 'y', 'external': '2001:db8::1'}]}", &bp);
    ck_assert_str_eq(bp.endpoints[0].external, "10.0.0.1/32");
    ck_assert_str_eq(bp.endpoints[1].external, "2001:db8::1/128");
    dt_blueprint_destroy(&bp);

    /* Destroying twice, or NULL, is harmless. */
    dt_blueprint_destroy(&bp);
    dt_blueprint_destroy(NULL);
}
END_TEST

START_TEST(test_not_json)
{
    check_error("", "test.json:1:0: '[' or '{' expected near end of file");
    check_error("network: n",
                "test.json:1:7: '[' or '{' expected near 'network'");
    check_error("{'network': 'n',",
                "test.json:1:16: string or '}' expected near end of file");
    check_error("{\n  'network': 'n',\n  'vni': 1,\n",
                "test.json:4:0: string or '}' expected near end of file");
    check_error("{" NET "} {}",
                "test.json:1:28: end of file expected near '{'");
    check_error("{'vni': 1, 'vni': 2}",
                "test.json:1:16: duplicate object key near '\"vni\"'");
    check_error("[]", "test.json: expected a JSON object at the top level, "
                "not an array");
}
END_TEST

/* dt_blueprint_from_file() names the file, and "-" is standard input. */
START_TEST(test_files)
{
    struct dt_blueprint bp;
    char *error = dt_blueprint_from_file("/nonexistent/bp.json", &bp);
    ck_assert_str_eq(error, "/nonexistent/bp.json: No such file or "
                     "directory");
    assert_empty(&bp);
    free(error);

    error = dt_blueprint_from_file("/", &bp);
    ck_assert_str_eq(error, "/: read error (Is a directory)");
    free(error);

    char *truncated = write_temp_file("{\n  \"network\": \"n\",\n"
                                      "  \"vni\": 1,\n  \"domains\": [\n");
    char *expected = xasprintf("%s:5:0: ']' expected near end of file",
                               truncated);
    error = dt_blueprint_from_file(truncated, &bp);
    ck_assert_str_eq(error, expected);
    free(expected);
    free(error);

    /* Standard input, truncated, then whole. */
    ck_assert_ptr_nonnull(freopen(truncated, "r", stdin));
    error = dt_blueprint_from_file("-", &bp);
    ck_assert_str_eq(error, "(standard input):5:0: ']' expected near end "
                     "of file");
    free(error);
    unlink(truncated);
    free(truncated);

    char *whole = write_temp_file("{\"network\": \"n\", \"vni\": 1}");
    ck_assert_ptr_nonnull(freopen(whole, "r", stdin));
    error = dt_blueprint_from_file("-", &bp);
    ck_assert_msg(!error, "%s", error);
    ck_assert_str_eq(bp.network, "n");
    dt_blueprint_destroy(&bp);
    unlink(whole);
    free(whole);
}
END_TEST

START_TEST(test_structure)
{
    check_error("{" NET ", 'colour': 'red'}",
                "top level: unknown key \"colour\" (expected network, vni, "
                "tenant, fabric_mode, domains, actions, policies or "
                "endpoints)");
    check_error("{'vni': 1}", "network: required but missing");
    check_error("{'network': 'n'}", "vni: required but missing");
    check_error("{'network': 5, 'vni': 1}",
                "network: expected a string, not an integer");
    check_error("{'network': 'n', 'vni': 1.5}",
                "vni: expected an integer, not a real number");
    check_error("{'network': 'n', 'vni': '5001'}",
                "vni: expected an integer, not a string");
    check_error("{" NET ", 'tenant': null}",
                "tenant: expected a string, not null");
    check_error("{" NET ", 'domains': {}}",
                "domains: expected an array, not an object");
    check_error("{" NET ", 'domains': ['D-1']}",
                "domains[0]: expected an object, not a string");
    check_error("{" NET ", 'domains': [{'name': 'D-1'}, {'name': 'D-2', "
                "'colour': 'red'}]}",
                "domains[1]: unknown key \"colour\" (expected name, "
                "description or dhcp_servers)");
    check_error("{" NET ", 'domains': [{'description': 'x'}]}",
                "domains[0].name: required but missing");
    check_error("{" NET ", 'domains': [{'name': 'D-1', 'description': 7}]}",
                "domains[0].description: expected a string, not an "
                "integer");
    check_error("{" NET ", 'domains': [{'name': 'D-1', 'dhcp_servers': "
                "'9.2.10.1'}]}",
                "domains[0].dhcp_servers: expected an array, not a string");
    check_error("{" NET ", 'actions': [[]]}",
                "actions[0]: expected an object, not an array");
    check_error("{" NET ", 'actions': [{'name': 'A-1', 'kind': 'allow', "
                "'location': '10.0.0.1', 'verdict': 'yes'}]}",
                "actions[0]: unknown key \"verdict\" (expected name, "
                "description, kind, location or config)");
    check_error("{" NET ", 'actions': [{'name': 'A-1'}]}",
                "actions[0].kind: required but missing");
    check_error("{" NET ", 'actions': [{'name': 'A-1', 'kind': 'waypoint', "
                "'location': '10.0.0.1', 'config': {'rules': 5}}]}",
                "actions[0].config.rules: expected a string, not an "
                "integer");
    check_error("{" NET ", 'actions': [{'name': 'A-1', 'kind': 'allow', "
                "'config': ['rules']}]}",
                "actions[0].config: expected an object, not an array");
    check_error("{" NET ", " DOMAINS ", " ACTIONS ", 'policies': ["
                "{'src_domain': 'D-1', 'dst_domain': 'D-2', 'ttl': 5}]}",
                "policies[0].actions: required but missing");
    check_error("{" NET ", " DOMAINS ", " ACTIONS ", 'policies': ["
                "{'default': 'yes', 'actions': ['A-1'], 'ttl': 5}]}",
                "policies[0].default: expected a boolean, not a string");
    check_error("{" NET ", " DOMAINS ", " ACTIONS ", 'policies': ["
                "{'default': true, 'actions': ['A-1', 2], 'ttl': 5}]}",
                "policies[0].actions[1]: expected a string, not an integer");
    check_error("{" NET ", " DOMAINS ", " ACTIONS ", 'policies': ["
                "{'default': true, 'actions': ['A-1'], 'ttl': 5, "
                "'tracking_number': 3}]}",
                "policies[0]: unknown key \"tracking_number\" (expected "
                "src_domain, dst_domain, default, actions or ttl)");
    check_error("{" NET ", " DOMAINS ", " ACTIONS ", 'policies': ["
                "{'default': true, 'actions': ['A-1']}]}",
                "policies[0].ttl: required but missing");
    check_error("{" NET ", 'endpoints': [{'name': 'e', 'ips': '10.0.0.1'}]}",
                "endpoints[0].ips: expected an array, not a string");
    check_error("{" NET ", 'endpoints': [{'name': 'e', 'ips': [167772161]}]}",
                "endpoints[0].ips[0]: expected a string, not an integer");
    check_error("{" NET ", 'endpoints': [{'name': 'e', 'vm': 'x'}]}",
                "endpoints[0]: unknown key \"vm\" (expected name, domain, "
                "mac, ips, external, hypervisor or port)");
    check_error("{" NET ", 'endpoints': [{'mac': '02:00:00:00:00:01'}]}",
                "endpoints[0].name: required but missing");
}
END_TEST

START_TEST(test_bad_values)
{
    check_error("{'network': 'a b', 'vni': 1}",
                "network: " BAD_NAME("network", "a b"));
    check_error("{'network': 'n', 'vni': 0}",
                "vni: \"0\": invalid VNI (expected an integer from 1 to "
                "16777215)");
    check_error("{'network': 'n', 'vni': 16777216}",
                "vni: \"16777216\": invalid VNI (expected an integer from 1 "
                "to 16777215)");
    check_error("{'network': 'n', 'vni': -5001}",
                "vni: \"-5001\": invalid VNI (expected an integer from 1 to "
                "16777215)");
    check_error("{" NET ", 'tenant': '-acme'}",
                "tenant: " BAD_NAME("tenant", "-acme"));
    check_error("{" NET ", 'fabric_mode': 'vlan'}",
                "fabric_mode: \"vlan\": unknown fabric mode (expected "
                "overlay, sarp or channel)");
    check_error("{" NET ", 'domains': [{'name': 'D 1'}]}",
                "domains[0].name: " BAD_NAME("domain", "D 1"));
    check_error("{" NET ", 'domains': [{'name': 'D-1', "
                "'dhcp_servers': ['9.2.10']}]}",
                "domains[0].dhcp_servers[0]: \"9.2.10\": malformed IP "
                "address (expected a.b.c.d or an IPv6 address)");
    check_error("{" NET ", 'actions': [{'name': 'A/1', 'kind': 'allow'}]}",
                "actions[0].name: " BAD_NAME("action", "A/1"));
    check_error("{" NET ", 'actions': [{'name': 'A-1', 'kind': 'firewall'}]}",
                "actions[0].kind: \"firewall\": unknown action kind "
                "(expected allow, deny or waypoint)");
    check_error("{" NET ", 'actions': [{'name': 'A-1', 'kind': 'waypoint', "
                "'location': '9.2.5'}]}",
                "actions[0].location: \"9.2.5\": malformed IP address "
                "(expected a.b.c.d or an IPv6 address)");
    check_error("{" NET ", " DOMAINS ", " ACTIONS ", 'policies': ["
                "{'default': true, 'actions': ['A-1'], 'ttl': 0}]}",
                "policies[0].ttl: \"0\": invalid TTL (expected whole seconds "
                "from 1 to 86400)");
    check_error("{" NET ", " DOMAINS ", " ACTIONS ", 'policies': ["
                POLICY("D-1", "D-2") ", "
                "{'default': true, 'actions': ['A-1'], 'ttl': 86401}]}",
                "policies[1].ttl: \"86401\": invalid TTL (expected whole "
                "seconds from 1 to 86400)");
    check_error("{" NET ", 'endpoints': [{'name': 'E 1'}]}",
                "endpoints[0].name: " BAD_NAME("endpoint", "E 1"));
    check_error("{" NET ", 'endpoints': [{'name': 'e', "
                "'mac': '02:00:00:00:00:zz'}]}",
                "endpoints[0].mac: \"02:00:00:00:00:zz\": malformed MAC "
                "address (expected xx:xx:xx:xx:xx:xx)");
    check_error("{" NET ", 'endpoints': [{'name': 'e', "
                "'mac': '01:00:5e:00:00:01'}]}",
                "endpoints[0].mac: \"01:00:5e:00:00:01\": not a unicast MAC "
                "address (the I/G bit is set)");
    check_error("{" NET ", 'endpoints': [{'name': 'e', "
                "'mac': '00:00:00:00:00:00'}]}",
                "endpoints[0].mac: \"00:00:00:00:00:00\": the all-zeros MAC "
                "address cannot be an endpoint's");
    check_error("{" NET ", 'endpoints': [{'name': 'e', "
                "'ips': ['10.0.0.1', '10.0.0.256']}]}",
                "endpoints[0].ips[1]: \"10.0.0.256\": malformed IP address "
                "(expected a.b.c.d or an IPv6 address)");
    check_error("{" NET ", 'endpoints': [{'name': 'e', "
                "'external': '10.0.0.0/33'}]}",
                "endpoints[0].external: \"10.0.0.0/33\": invalid prefix "
                "length (expected 0 to 32)");
    check_error("{" NET ", 'endpoints': [{'name': 'e', "
                "'external': '10.0.0.1/24'}]}",
                "endpoints[0].external: \"10.0.0.1/24\": host bits set "
                "beyond the prefix length");
    check_error("{" NET ", 'endpoints': [{'name': 'e', "
                "'external': 'internet'}]}",
                "endpoints[0].external: \"internet\": malformed IP prefix "
                "(expected ADDRESS/LENGTH, e.g. 10.1.0.0/16)");
    check_error("{" NET ", 'endpoints': [{'name': 'e', "
                "'hypervisor': 'hv 1'}]}",
                "endpoints[0].hypervisor: " BAD_NAME("hypervisor", "hv 1"));
    check_error("{" NET ", 'endpoints': [{'name': 'e', 'hypervisor': 'hv1', "
                "'port': ''}]}",
                "endpoints[0].port: " BAD_NAME("port", ""));
}
END_TEST

/* Names defined twice, addresses used twice. */
START_TEST(test_duplicates)
{
    check_error("{" NET ", 'domains': [{'name': 'D-1'}, {'name': 'D-2'}, "
                "{'name': 'D-1'}]}",
                "domains[2].name: domain \"D-1\" is already defined at "
                "domains[0]");
    check_error("{" NET ", 'actions': [{'name': 'A-1', 'kind': 'allow'}, "
                "{'name': 'A-1', 'kind': 'deny'}]}",
                "actions[1].name: action \"A-1\" is already defined at "
                "actions[0]");
    check_error("{" NET ", 'endpoints': [{'name': 'E-1'}, {'name': 'E-2'}, "
                "{'name': 'E-3'}, {'name': 'E-2'}]}",
                "endpoints[3].name: endpoint \"E-2\" is already defined at "
                "endpoints[1]");
    check_error("{" NET ", 'endpoints': ["
                "{'name': 'E-1', 'ips': ['9.2.10.34']}, "
                "{'name': 'E-2', 'ips': ['9.2.10.35', '9.2.10.34']}]}",
                "endpoints[1].ips[1]: IP address 9.2.10.34 is already used "
                "by endpoint \"E-1\"");
    check_error("{" NET ", 'endpoints': ["
                "{'name': 'E-1', 'ips': ['2001:db8::1']}, "
                "{'name': 'E-2', 'ips': ['2001:DB8:0::1']}]}",
                "endpoints[1].ips[0]: IP address 2001:db8::1 is already used "
                "by endpoint \"E-1\"");
    check_error("{" NET ", 'endpoints': ["
                "{'name': 'E-1', 'ips': ['10.0.0.1', '10.0.0.1']}]}",
                "endpoints[0].ips[1]: IP address 10.0.0.1 is listed twice");
    check_error("{" NET ", 'endpoints': ["
                "{'name': 'E-1', 'mac': '02:00:00:00:00:0a'}, "
                "{'name': 'E-2', 'mac': '02:00:00:00:00:0A'}]}",
                "endpoints[1].mac: MAC 02:00:00:00:00:0a is already used by "
                "endpoint \"E-1\"");
    check_error("{" NET ", 'domains': [{'name': 'D-1', "
                "'dhcp_servers': ['9.2.10.1', '9.2.10.1']}]}",
                "domains[0].dhcp_servers[1]: IP address 9.2.10.1 is listed "
                "twice");
}
END_TEST

START_TEST(test_references)
{
    check_error("{" NET ", 'domains': [{'name': 'D-1'}, {'name': 'D-2'}, "
                "{'name': 'D-3'}], " ACTIONS ", 'policies': ["
                POLICY("D-1", "D-2") ", " POLICY("D-2", "D-3") ", "
                POLICY("D-3", "D-1") ", " POLICY("D-1", "D-7") "]}",
                "policies[3].dst_domain: unknown domain \"D-7\"");
    check_error("{" NET ", " DOMAINS ", " ACTIONS ", 'policies': ["
                POLICY("D-0", "D-1") "]}",
                "policies[0].src_domain: unknown domain \"D-0\"");
    check_error("{" NET ", " DOMAINS ", " ACTIONS ", 'policies': ["
                "{'src_domain': 'D-1', 'dst_domain': 'D-2', "
                "'actions': ['A-1', 'A-9'], 'ttl': 5}]}",
                "policies[0].actions[1]: unknown action \"A-9\"");
    check_error("{" NET ", " DOMAINS ", " ACTIONS ", 'policies': ["
                "{'src_domain': 'D-1', 'dst_domain': 'D-2', "
                "'actions': ['A-1', 'A-2', 'A-1'], 'ttl': 5}]}",
                "policies[0].actions[2]: action \"A-1\" is listed twice");
    check_error("{" NET ", " DOMAINS ", 'endpoints': ["
                "{'name': 'e', 'domain': 'D-9'}]}",
                "endpoints[0].domain: unknown domain \"D-9\"");

    /* A policy may come before the domains and actions it names. */
    struct dt_blueprint bp;
    parse_ok("{'policies': [" POLICY("D-2", "D-1") "], " NET ", " ACTIONS
             ", " DOMAINS "}", &bp);
    ck_assert_str_eq(bp.policies[0].src_domain, "D-2");
    dt_blueprint_destroy(&bp);
}
END_TEST

START_TEST(test_actions)
{
    check_error("{" NET ", 'actions': [{'name': 'A-1', 'kind': 'allow'}, "
                "{'name': 'FW-1', 'kind': 'waypoint', 'config': {}}]}",
                "actions[1]: a waypoint action needs a location (the "
                "appliance's IP address)");
    check_error("{" NET ", 'actions': [{'name': 'A-1', 'kind': 'deny', "
                "'location': '9.2.5.1'}]}",
                "actions[0].location: only a waypoint action has a "
                "location, not a \"deny\" action");

    struct dt_blueprint bp;
    parse_ok("{" NET ", 'actions': [{'name': 'FW-1', 'kind': 'waypoint', "
             "'location': '2001:DB8::0:5'}]}", &bp);
    ck_assert_str_eq(bp.actions[0].location, "2001:db8::5");
    dt_blueprint_destroy(&bp);
}
END_TEST

/* Both domains or the default policy; one policy per pair; 1 to 16
 * actions. */
START_TEST(test_policies)
{
    check_error("{" NET ", " DOMAINS ", " ACTIONS ", 'policies': ["
                "{'src_domain': 'D-1', 'actions': ['A-1'], 'ttl': 5}]}",
                "policies[0]: a policy needs both src_domain and "
                "dst_domain, or \"default\": true");
    check_error("{" NET ", " DOMAINS ", " ACTIONS ", 'policies': ["
                "{'actions': ['A-1'], 'ttl': 5}]}",
                "policies[0]: a policy needs both src_domain and "
                "dst_domain, or \"default\": true");
    check_error("{" NET ", " DOMAINS ", " ACTIONS ", 'policies': ["
                "{'default': false, 'dst_domain': 'D-1', 'actions': ['A-1'], "
                "'ttl': 5}]}",
                "policies[0]: a policy needs both src_domain and "
                "dst_domain, or \"default\": true");
    check_error("{" NET ", " DOMAINS ", " ACTIONS ", 'policies': ["
                "{'default': true, 'dst_domain': 'D-1', 'actions': ['A-1'], "
                "'ttl': 5}]}",
                "policies[0]: the default policy has no src_domain or "
                "dst_domain");
    check_error("{" NET ", " DOMAINS ", " ACTIONS ", 'policies': ["
                "{'default': true, 'actions': ['A-1'], 'ttl': 5}, "
                POLICY("D-1", "D-2") ", "
                "{'default': true, 'actions': ['A-2'], 'ttl': 5}]}",
                "policies[2]: a second default policy (the first is "
                "policies[0])");
    check_error("{" NET ", " DOMAINS ", " ACTIONS ", 'policies': ["
                POLICY("D-1", "D-2") ", " POLICY("D-2", "D-1") ", "
                POLICY("D-1", "D-1") ", " POLICY("D-1", "D-2") "]}",
                "policies[3]: a second policy from \"D-1\" to \"D-2\" (the "
                "first is policies[0])");
    check_error("{" NET ", " DOMAINS ", " ACTIONS ", 'policies': ["
                "{'default': true, 'actions': [], 'ttl': 5}]}",
                "policies[0].actions: a policy needs at least one action");

    /* 16 actions are fine, 17 are too many. */
    struct ds json = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&json, "{" NET ", 'actions': [");
    for (int i = 0; i < 17; i++) {
        ds_put_format(&json, "%s{'name': 'A-%d', 'kind': 'allow'}",
                      i ? ", " : "", i);
    }
    ds_put_cstr(&json, "], 'policies': [{'default': true, 'actions': [");
    for (int i = 0; i < 16; i++) {
        ds_put_format(&json, "%s'A-%d'", i ? ", " : "", i);
    }
    struct dt_blueprint bp;
    char *ok = xasprintf("%s], 'ttl': 5}]}", ds_cstr(&json));
    parse_ok(ok, &bp);
    ck_assert_uint_eq(bp.policies[0].actions.n, 16);
    dt_blueprint_destroy(&bp);
    free(ok);

    char *bad = xasprintf("%s, 'A-16'], 'ttl': 5}]}", ds_cstr(&json));
    check_error(bad, "policies[0].actions: 17 actions, more than the 16 a "
                "policy may have");
    free(bad);
    ds_destroy(&json);
}
END_TEST

Suite *
unit_suite(void)
{
    Suite *s = suite_create("dt-blueprint");
    TCase *tc;

#define ADD_CASE(NAME)                          \
    tc = tcase_create(#NAME);                   \
    tcase_add_test(tc, test_##NAME);            \
    suite_add_tcase(s, tc);

    ADD_CASE(fixture_parses);
    ADD_CASE(fixture_round_trip);
    ADD_CASE(minimal);
    ADD_CASE(canonical);
    ADD_CASE(build);
    ADD_CASE(not_json);
    ADD_CASE(files);
    ADD_CASE(structure);
    ADD_CASE(bad_values);
    ADD_CASE(duplicates);
    ADD_CASE(references);
    ADD_CASE(actions);
    ADD_CASE(policies);
    return s;
}
