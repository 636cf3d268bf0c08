/*
 * The preflight rules of talentbase_service (TB021-TB027) over the facts a
 * plan read from AWS: each fact that trips its rule reports on the right
 * attribute with what AWS said; facts that pass, facts not read, and no
 * facts at all (validate, preflight = false) report nothing; an
 * acknowledgement lowers a finding like any rule's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tb/rules.h"

/* The attributes the preflight rules read. */
static const char type_json[] =
    "[\"object\",{\"image\":\"string\",\"image_tag\":\"string\",\"cluster\":\"string\","
    "\"load_balancer\":[\"object\",{\"priority\":\"number\"}],"
    "\"secrets\":[\"map\",\"string\"],"
    "\"network\":[\"object\",{\"subnets\":[\"set\",\"string\"],"
    "\"security_groups\":[\"set\",\"string\"]}],"
    "\"acknowledge\":[\"map\",\"string\"]}]";

static const char base_json[] =
    "{\"image\":\"123456789012.dkr.ecr.us-east-1.amazonaws.com/talentbase/web\","
    "\"image_tag\":\"sha-3f9c2e1\",\"cluster\":\"talentbase-prod\","
    "\"load_balancer\":{\"priority\":100},"
    "\"secrets\":{\"SESSION_SECRET\":\"arn:aws:secretsmanager:us-east-1:123456789012:secret:"
    "web-AbCdEf:SESSION_SECRET::\"},"
    "\"network\":{\"subnets\":[\"subnet-1\",\"subnet-2\"],\"security_groups\":[\"sg-1\"]},"
    "\"acknowledge\":{}}";

static struct tb_arena *a;
static const struct tb_value *base;

static int setup(void **state)
{
	const struct tb_type *t = NULL;

	a = tb_arena_new();
	assert_int_equal(tb_type_from_json(a, type_json, strlen(type_json), &t), 0);
	assert_int_equal(tb_json_decode(a, t, base_json, strlen(base_json), &base), 0);
	return 0;
}

static int teardown(void **state)
{
	tb_arena_free(a);
	return 0;
}

/* Facts that pass every preflight rule. */
static struct tb_preflight good(void)
{
	return (struct tb_preflight){
	    .repository = "talentbase/web",
	    .repository_exists = TB_FACT_YES,
	    .image_exists = TB_FACT_YES,
	    .tag_immutable = TB_FACT_YES,
	    .mutability = "IMMUTABLE",
	    .cluster_exists = TB_FACT_YES,
	    .container_insights = TB_FACT_YES,
	};
}

static struct tb_diags check(const struct tb_value *v, const struct tb_preflight *f,
                             enum tb_rules_phase phase, bool strict)
{
	struct tb_rules_env env = {
	    .phase = phase,
	    .environment = phase == TB_RULES_PLAN ? "production" : NULL,
	    .strict = strict,
	    .partition = "aws",
	    .region = "us-east-1",
	    .preflight = f,
	};
	struct tb_diags d;

	tb_diags_init(&d, a);
	tb_rules_check(&d, &env, "talentbase_service", v);
	return d;
}

/* The only finding, which must be of rule id at path with detail in it. */
static const struct tb_diag *only(const struct tb_diags *d, const char *id, const char *path,
                                  const char *detail)
{
	const struct tb_diag *g = d->head;

	if (g == NULL || g->next != NULL)
		fail_msg("%s: want exactly one finding, got %s", id, g ? "several" : "none");
	assert_true(strncmp(g->summary, id, strlen(id)) == 0);
	assert_string_equal(tb_path_string(a, &g->path), path);
	if (strstr(g->detail, detail) == NULL)
		fail_msg("%s: \"%s\" not in \"%s\"", id, detail, g->detail);
	return g;
}

static void test_preflight_passes_and_skips(void **state)
{
	struct tb_preflight f = good();
	struct tb_diags d = check(base, &f, TB_RULES_PLAN, true);

	assert_null(d.head);
	f = (struct tb_preflight){0}; /* nothing read: nothing judged */
	d = check(base, &f, TB_RULES_PLAN, true);
	assert_null(d.head);
	d = check(base, NULL, TB_RULES_PLAN, true); /* preflight = false, or validate */
	assert_null(d.head);
}

static void test_preflight_image(void **state)
{
	struct tb_preflight f = good();
	const struct tb_diag *g;
	struct tb_diags d;

	f.image_exists = TB_FACT_NO;
	d = check(base, &f, TB_RULES_PLAN, false);
	g = only(&d, "TB021", "image_tag",
	         "image_tag \"sha-3f9c2e1\" is not in the ECR repository "
	         "talentbase/web");
	assert_int_equal(g->severity, TB_SEV_ERROR);
	assert_non_null(strstr(g->detail, "docs/guides/rules.md#tb021"));

	f = good();
	f.repository_exists = TB_FACT_NO;
	f.image_exists = TB_FACT_NO;
	d = check(base, &f, TB_RULES_PLAN, false);
	only(&d, "TB021", "image", "ECR has no repository talentbase/web");

	f = good();
	f.tag_immutable = TB_FACT_NO;
	f.mutability = "MUTABLE";
	d = check(base, &f, TB_RULES_PLAN, false);
	g = only(&d, "TB022", "image", "imageTagMutability MUTABLE");
	assert_int_equal(g->severity, TB_SEV_WARNING);
	d = check(base, &f, TB_RULES_PLAN, true); /* strict */
	assert_int_equal(d.head->severity, TB_SEV_ERROR);
}

static void test_preflight_cluster_and_priority(void **state)
{
	struct tb_preflight f = good();
	const struct tb_diag *g;
	struct tb_diags d;

	f.cluster_exists = TB_FACT_NO;
	f.container_insights = TB_FACT_NO;
	d = check(base, &f, TB_RULES_PLAN, false);
	g = only(&d, "TB023", "cluster", "No active ECS cluster \"talentbase-prod\" in us-east-1");
	assert_int_equal(g->severity, TB_SEV_ERROR);
	f.cluster_exists = TB_FACT_YES;
	d = check(base, &f, TB_RULES_PLAN, false);
	g = only(&d, "TB023", "cluster", "Container Insights off");
	assert_int_equal(g->severity, TB_SEV_WARNING);

	f = good();
	f.priority_holder = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/"
	                    "app/lb/1/2/3";
	d = check(base, &f, TB_RULES_PLAN, false);
	only(&d, "TB024", "load_balancer.priority",
	     "Priority 100 is taken on the listener by rule "
	     "arn:aws:elasticloadbalancing");
}

static void test_preflight_secrets_and_network(void **state)
{
	static const struct tb_fact_item secret[] = {
	    {.key = "SESSION_SECRET", .what = "the secret arn:aws:...:web-AbCdEf does not exist"},
	};
	static const struct tb_fact_item subnet[] = {
	    {.key = "subnet-2", .what = "has a route 0.0.0.0/0 to internet gateway igw-1"},
	};
	static const struct tb_fact_item group[] = {
	    {.key = "sg-1", .what = "admits the container port 3000 from 0.0.0.0/0 (tcp 0-65535)"},
	};
	struct tb_preflight f = good();
	struct tb_diags d;

	f.missing_secrets = secret;
	f.n_missing_secrets = 1;
	d = check(base, &f, TB_RULES_PLAN, false);
	only(&d, "TB025", "secrets[\"SESSION_SECRET\"]", "does not exist");

	f = good();
	f.public_subnets = subnet;
	f.n_public_subnets = 1;
	d = check(base, &f, TB_RULES_PLAN, false);
	only(&d, "TB026", "network.subnets", "Subnet subnet-2 is public: it has a route 0.0.0.0/0");

	f = good();
	f.open_groups = group;
	f.n_open_groups = 1;
	d = check(base, &f, TB_RULES_PLAN, false);
	only(&d, "TB027", "network.security_groups",
	     "Security group sg-1 admits the container port");
}

/* An acknowledged preflight error is a warning that quotes the reason. */
static void test_preflight_acknowledged(void **state)
{
	static const char json[] = "{\"TB024\":\"the old service moves off this priority\"}";
	struct tb_preflight f = good();
	const struct tb_value *ack = NULL, *v;
	const struct tb_diag *g;
	struct tb_diags d;

	assert_int_equal(
	    tb_json_decode(a, tb_attr(base, "acknowledge")->type, json, strlen(json), &ack), 0);
	v = tb_object_with(a, base, "acknowledge", ack);
	f.priority_holder = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/x";
	d = check(v, &f, TB_RULES_PLAN, false);
	g = only(&d, "TB024", "load_balancer.priority", "Acknowledged: the old service moves off");
	assert_int_equal(g->severity, TB_SEV_WARNING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_preflight_passes_and_skips, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_preflight_image, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_preflight_cluster_and_priority, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_preflight_secrets_and_network, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_preflight_acknowledged, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
