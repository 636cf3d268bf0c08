/*
 * talentbase_service: recorded Describe* answers -> settings -> state. What
 * AWS normalises (order of lists and maps, fields it fills in) reads back as
 * the configuration wrote it, so the second plan is empty; what someone
 * changed outside Terraform shows on exactly its attribute.
 */
#include "test_service.h"

#define IMAGE "123456789012.dkr.ecr.us-east-1.amazonaws.com/talentbase/web"

/* The state an apply of config_web.json left, with the recorded IDs. */
static const struct tb_value *prior_state(const struct tb_meta *meta)
{
	struct tb_call c = svc_call(meta);
	const struct tb_value *planned = svc_plan(&c, NULL, svc_config("config_web.json")).planned;
	const struct tb_value *full = NULL;
	struct tb_svc s;

	assert_int_equal(tb_service_load(A, meta, planned, &s), 0);
	s.arn = SVC_ARN;
	s.task_definition_arn = TD7;
	s.task_definition_revision = 7;
	s.target_group_arn = TG_ARN;
	s.listener_rule_arn = RULE_ARN;
	s.log_group_name = "/ecs/talentbase-web-prod";
	s.lb.vpc_id = "vpc-3ac0fb5f";
	s.deployed_image = IMAGE ":sha-3f9c2e1";
	assert_int_equal(tb_service_state(A, meta, &s, planned, false, &full), 0);
	return tb_kit_fill_unknowns(A, planned, full);
}

enum rec {
	R_SERVICES = 0,
	R_TD,
	R_TGS,
	R_TG_ATTRS,
	R_RULES,
	R_TARGETS,
	R_POLICIES,
	R_ACTIONS,
	R_LOGS,
	R_N,
};

/* clang-format off */
static const char *const rec_files[R_N] = {
    [R_SERVICES] = "describe_services_completed.json",
    [R_TD] = "describe_task_definition.json",
    [R_TGS] = "describe_target_groups.xml",
    [R_TG_ATTRS] = "describe_target_group_attributes.xml",
    [R_RULES] = "describe_rules.xml",
    [R_TARGETS] = "describe_scalable_targets.json",
    [R_POLICIES] = "describe_scaling_policies.json",
    [R_ACTIONS] = "describe_scheduled_actions.json",
    [R_LOGS] = "describe_log_groups.json",
};
/* clang-format on */

/* The recorded answers' texts. */
struct recorded {
	char *text[R_N];
};

static struct recorded load_recorded(void)
{
	struct recorded r;

	for (int i = 0; i < R_N; i++)
		r.text[i] = svc_file(rec_files[i]);
	return r;
}

static const struct tb_xml *xml(const char *text, const char *path)
{
	const struct tb_xml *root = NULL;

	assert_int_equal(tb_xml_parse(A, text, strlen(text), &root), 0);
	return tb_xml_path(root, path);
}

/* What a read does, without the network: start from the prior settings,
 * let every answer overwrite what its object owns. */
static void flatten_all(const struct tb_meta *meta, const struct tb_value *prior,
                        const struct recorded *r, struct tb_svc *s)
{
	json_t *svc = json_array_get(json_object_get(svc_json(r->text[R_SERVICES]), "services"), 0);
	json_t *td = json_object_get(svc_json(r->text[R_TD]), "taskDefinition");

	assert_int_equal(tb_service_load(A, meta, prior, s), 0);
	assert_int_equal(tb_service_flatten_service(A, svc, s), 0);
	assert_int_equal(tb_service_flatten_td(A, td, s), 0);
	assert_int_equal(
	    tb_service_flatten_tg(
	        A, xml(r->text[R_TGS], "DescribeTargetGroupsResult/TargetGroups/member"), s),
	    0);
	assert_int_equal(tb_service_flatten_tg_attrs(
	                     A, xml(r->text[R_TG_ATTRS], "DescribeTargetGroupAttributesResult"), s),
	                 0);
	assert_int_equal(tb_service_flatten_rule(
	                     A, xml(r->text[R_RULES], "DescribeRulesResult/Rules/member"), s),
	                 0);
	assert_int_equal(tb_service_flatten_scaling(A, svc_json(r->text[R_TARGETS]),
	                                            svc_json(r->text[R_POLICIES]),
	                                            svc_json(r->text[R_ACTIONS]), s),
	                 0);
	assert_int_equal(
	    tb_service_flatten_logs(A, svc_json(r->text[R_LOGS]), "/ecs/talentbase-web-prod", s),
	    0);
	s->deployed_image = IMAGE ":sha-3f9c2e1";
}

static void test_service_flatten_fields(void **state)
{
	struct tb_meta meta = svc_meta("production");
	struct tb_svc s;

	struct recorded r = load_recorded();

	flatten_all(&meta, prior_state(&meta), &r, &s);
	assert_string_equal(s.arn, SVC_ARN);
	assert_string_equal(s.task_definition_arn, TD7);
	assert_int_equal(s.task_definition_revision, 7);
	assert_string_equal(s.image, IMAGE);
	assert_string_equal(s.image_tag, "sha-3f9c2e1");
	assert_int_equal(s.cpu, 1024);
	assert_int_equal(s.memory, 2048);
	assert_int_equal(s.port, 3000);
	assert_int_equal(s.environment.n, 2);
	assert_string_equal(s.environment.v[0].key, "NODE_ENV"); /* sorted */
	assert_string_equal(s.secrets.v[0].key, "SESSION_SECRET");
	assert_true(s.hc.set);
	assert_int_equal(s.hc.start_period, 180);
	assert_true(s.cap.set);
	assert_int_equal(s.cap.base, 2);
	assert_int_equal(s.cap.fargate_weight, 60);
	assert_int_equal(s.cap.spot_weight, 40);
	assert_true(s.dep.rollback);
	assert_int_equal(s.dep.grace, 180);
	assert_int_equal(s.net.subnets.n, 2);
	assert_false(s.net.assign_public_ip);
	assert_string_equal(s.target_group_arn, TG_ARN);
	assert_string_equal(s.lb.vpc_id, "vpc-3ac0fb5f");
	assert_int_equal(s.lb.stickiness_duration, 86400);
	assert_int_equal(s.lb.deregistration_delay, 30);
	assert_int_equal(s.lb.priority, 100);
	assert_string_equal(s.lb.host_headers.v[0], "app.example.com");
	assert_string_equal(s.lb.path_patterns.v[0], "/*");
	assert_true(s.as.set);
	assert_true(s.as.cpu == 70 && s.as.memory == 80 && s.as.requests == 1000);
	assert_int_equal(s.as.in_cooldown, 300);
	assert_int_equal(s.as.n_sched, 2);
	assert_string_equal(s.as.sched[0].name, "after-hours"); /* sorted */
	assert_int_equal(s.logs.retention, 30);
	assert_string_equal(s.log_group_name, "/ecs/talentbase-web-prod");
	assert_string_equal(s.family, "talentbase-web-prod");
	assert_string_equal(s.container_name, "talentbase-web-prod");
	assert_string_equal(s.target_group_name, "talentbase-web-prod-9e1d265d");
	assert_int_equal(s.tags_all.n, 3);
	assert_string_equal(s.tags_all.v[0].key, "ManagedBy");
}

/* Reading back what an apply wrote gives the same state: no perpetual diff. */
static void test_service_flatten_round_trip(void **state)
{
	struct tb_meta meta = svc_meta("production");
	const struct tb_value *prior = prior_state(&meta), *read = NULL;
	struct recorded r = load_recorded();
	struct tb_svc s;

	flatten_all(&meta, prior, &r, &s);
	assert_int_equal(tb_service_state(A, &meta, &s, prior, false, &read), 0);
	if (!tb_value_equal(read, prior))
		fail_msg("read differs at %s", svc_diff(read, prior));
}

/* text with its first `from` replaced by `to` (in A). */
static char *replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);

	if (at == NULL)
		fail_msg("\"%s\" is not in the recorded answer", from);
	return tb_arena_printf(A, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
}

struct drift {
	enum rec what;         /* which recorded answer changes */
	const char *from, *to; /* how */
	const char *path;      /* the attribute that must show it */
	int64_t want;
};

/* clang-format off */
static const struct drift drifts[] = {
    {R_TG_ATTRS, "<Value>30</Value>", "<Value>120</Value>", "load_balancer.deregistration_delay", 120},
    {R_TGS, "<HealthCheckIntervalSeconds>30", "<HealthCheckIntervalSeconds>15", "load_balancer.health_check.interval", 15},
    {R_RULES, "<Priority>100", "<Priority>90", "load_balancer.priority", 90},
    {R_POLICIES, "\"TargetValue\": 70.0", "\"TargetValue\": 55.0", "autoscaling.cpu_target", 55},
    {R_TARGETS, "\"MaxCapacity\": 10", "\"MaxCapacity\": 20", "autoscaling.max_capacity", 20},
    {R_ACTIONS, "\"MinCapacity\": 1, \"MaxCapacity\": 4", "\"MinCapacity\": 3, \"MaxCapacity\": 4", "autoscaling.schedule[1].min_capacity", 3},
    {R_LOGS, "\"retentionInDays\": 30", "\"retentionInDays\": 90", "logs.retention_days", 90},
    {R_TD, "\"startPeriod\": 180", "\"startPeriod\": 60", "health_check.start_period", 60},
    {R_TD, "\"memory\": \"2048\"", "\"memory\": \"4096\"", "memory", 4096},
    {R_SERVICES, "\"maximumPercent\": 200", "\"maximumPercent\": 150", "deployment.maximum_percent", 150},
    {R_SERVICES, "\"healthCheckGracePeriodSeconds\": 180", "\"healthCheckGracePeriodSeconds\": 30", "deployment.health_check_grace_period", 30},
};
/* clang-format on */

/* Each change made outside Terraform shows on exactly its attribute. */
static void test_service_flatten_drift(void **state)
{
	struct tb_meta meta = svc_meta("production");
	const struct tb_value *prior = prior_state(&meta);
	const struct recorded base = load_recorded();

	for (size_t i = 0; i < TB_COUNT(drifts); i++) {
		const struct drift *d = &drifts[i];
		struct recorded r = base;
		const struct tb_value *read = NULL;
		struct tb_svc s;

		r.text[d->what] = replace(base.text[d->what], d->from, d->to);
		flatten_all(&meta, prior, &r, &s);
		assert_int_equal(tb_service_state(A, &meta, &s, prior, false, &read), 0);
		if (svc_int(read, d->path) != d->want)
			fail_msg("%s: %lld, want %lld", d->path, (long long)svc_int(read, d->path),
			         (long long)d->want);
		read = svc_set(read, d->path, svc_at(prior, d->path));
		if (!tb_value_equal(read, prior))
			fail_msg("%s drifted more than that: %s", d->path, svc_diff(read, prior));
	}
}

/* Stickiness reads back in the form prior writes it: stickiness_duration
 * for an lb_cookie, the block for an app_cookie (and whenever prior has
 * the block). */
static void test_service_flatten_stickiness(void **state)
{
	struct tb_meta meta = svc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *prior = prior_state(&meta), *read = NULL, *cfg;
	const struct recorded base = load_recorded();
	struct recorded r = base;
	struct tb_svc s;

	/* app_cookie set outside Terraform: the block shows, the shorthand is 0 */
	r.text[R_TG_ATTRS] =
	    replace(base.text[R_TG_ATTRS], "<Value>lb_cookie</Value>", "<Value>app_cookie</Value>");
	r.text[R_TG_ATTRS] = replace(r.text[R_TG_ATTRS], "<Value></Value>", "<Value>SID</Value>");
	flatten_all(&meta, prior, &r, &s);
	assert_int_equal(tb_service_state(A, &meta, &s, prior, false, &read), 0);
	assert_string_equal(svc_str(read, "load_balancer.stickiness.type"), "app_cookie");
	assert_string_equal(svc_str(read, "load_balancer.stickiness.cookie_name"), "SID");
	assert_int_equal(svc_int(read, "load_balancer.stickiness.duration"), 86400);
	assert_int_equal(svc_int(read, "load_balancer.stickiness_duration"), 0);

	/* a configuration with the block: the same answer reads back unchanged */
	cfg = svc_config("config_web.json");
	cfg = svc_set(cfg, "load_balancer.stickiness_duration",
	              tb_null(A, svc_at(cfg, "load_balancer.stickiness_duration")->type));
	cfg = svc_set(cfg, "load_balancer.stickiness",
	              svc_at(svc_value("{\"load_balancer\":{\"stickiness\":{\"type\":"
	                               "\"app_cookie\",\"cookie_name\":\"SID\"}}}"),
	                     "load_balancer.stickiness"));
	prior = svc_plan(&c, prior, cfg).planned;
	assert_false(tb_diags_has_errors(&c.diags));
	assert_int_equal(svc_int(prior, "load_balancer.stickiness.duration"), 86400);
	flatten_all(&meta, prior, &r, &s);
	assert_int_equal(tb_service_state(A, &meta, &s, prior, false, &read), 0);
	if (!tb_value_equal(read, prior))
		fail_msg("read differs at %s", svc_diff(read, prior));
	/* and an lb_cookie under the block stays in the block */
	flatten_all(&meta, prior, &base, &s);
	assert_int_equal(tb_service_state(A, &meta, &s, prior, false, &read), 0);
	assert_string_equal(svc_str(read, "load_balancer.stickiness.type"), "lb_cookie");
	assert_int_equal(svc_int(read, "load_balancer.stickiness_duration"), 0);
}

/* The recorded DescribeScheduledActions answer with its actions reversed. */
static char *actions_reversed(const char *text)
{
	json_t *doc = svc_json(text);
	json_t *list = json_object_get(doc, "ScheduledActions"), *rev = json_array();
	char *dumped, *out;

	assert_non_null(rev);
	for (size_t i = json_array_size(list); i > 0; i--)
		json_array_append(rev, json_array_get(list, i - 1));
	json_object_set_new(doc, "ScheduledActions", rev);
	dumped = json_dumps(doc, 0);
	assert_non_null(dumped);
	out = tb_arena_strdup(A, dumped);
	free(dumped);
	return out;
}

/* The schedules are a set: neither the order of prior's blocks nor the
 * order AWS answers in reads as a change; a changed action does, on its
 * own element. */
static void test_service_flatten_schedule_set(void **state)
{
	struct tb_meta meta = svc_meta("production");
	const struct tb_value *prior = prior_state(&meta), *sched, *rev[2], *priors[2];
	const struct recorded base = load_recorded();
	const char *answers[2] = {base.text[R_ACTIONS], actions_reversed(base.text[R_ACTIONS])};
	const struct tb_value *read = NULL;
	struct recorded r = base;
	struct tb_svc s;

	sched = svc_at(prior, "autoscaling.schedule");
	assert_int_equal(sched->type->kind, TB_SET);
	assert_int_equal(tb_len(sched), 2);
	rev[0] = sched->u.coll.items[1];
	rev[1] = sched->u.coll.items[0];
	priors[0] = prior;
	priors[1] = svc_set(prior, "autoscaling.schedule", tb_set(A, sched->type, 2, rev));
	assert_true(tb_value_equal(priors[0], priors[1]));
	for (int i = 0; i < 4; i++) {
		r.text[R_ACTIONS] = (char *)answers[i % 2];
		flatten_all(&meta, priors[i / 2], &r, &s);
		assert_int_equal(tb_service_state(A, &meta, &s, priors[i / 2], false, &read), 0);
		assert_int_equal(svc_at(read, "autoscaling.schedule")->type->kind, TB_SET);
		if (!tb_value_equal(read, prior))
			fail_msg("read %d differs at %s", i, svc_diff(read, prior));
	}

	r.text[R_ACTIONS] =
	    replace(answers[1], "cron(0 8 ? * MON-FRI *)", "cron(0 9 ? * MON-FRI *)");
	flatten_all(&meta, priors[1], &r, &s);
	assert_int_equal(tb_service_state(A, &meta, &s, priors[1], false, &read), 0);
	assert_string_equal(tb_get_str(tb_attr(svc_sched(read, "business-hours"), "schedule")),
	                    "cron(0 9 ? * MON-FRI *)");
	assert_true(
	    tb_value_equal(svc_sched(read, "after-hours"), svc_sched(prior, "after-hours")));
	assert_false(tb_value_equal(read, prior));
	read = svc_set(read, "autoscaling.schedule", sched);
	if (!tb_value_equal(read, prior))
		fail_msg("more than the schedule drifted: %s", svc_diff(read, prior));
}

static void test_service_flatten_missing(void **state)
{
	struct tb_meta meta = svc_meta("production");
	struct tb_svc s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(
	    tb_service_flatten_scaling(A, svc_json("{\"ScalableTargets\":[]}"), NULL, NULL, &s), 0);
	assert_false(s.as.set);
	assert_int_equal(tb_service_flatten_logs(A, svc_json("{\"logGroups\":[]}"), "/ecs/x", &s),
	                 0);
	assert_int_equal(s.logs.retention, 0);
	assert_null(s.log_group_name);
	assert_int_equal(tb_service_flatten_service(A, svc_json("{}"), &s), TB_EINVAL);
	(void)meta;
}

/* A real number out of int64 range in an answer saturates. */
static void test_service_flatten_huge_number(void **state)
{
	struct tb_svc s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(
	    tb_service_flatten_service(
	        A,
	        svc_json("{\"serviceArn\":\"arn:aws:ecs:us-east-1:1:service/c/web\","
	                 "\"deploymentConfiguration\":{\"minimumHealthyPercent\":1e300,"
	                 "\"maximumPercent\":-1e300}}"),
	        &s),
	    0);
	assert_true(s.dep.minimum_healthy_percent == INT64_MAX);
	assert_true(s.dep.maximum_percent == INT64_MIN);
}

static void test_service_flatten_image(void **state)
{
	const char *image, *tag;

	tb_service_split_image(A, "repo.example.com:5000/team/web:sha-1", &image, &tag);
	assert_string_equal(image, "repo.example.com:5000/team/web");
	assert_string_equal(tag, "sha-1");
	tb_service_split_image(A, "repo.example.com:5000/team/web", &image, &tag);
	assert_string_equal(image, "repo.example.com:5000/team/web");
	assert_string_equal(tag, "latest");
	tb_service_split_image(A, "team/web@sha256:0123abcd", &image, &tag);
	assert_string_equal(image, "team/web");
	assert_string_equal(tag, "sha256:0123abcd");
	assert_string_equal(tb_service_image_ref(A, image, tag), "team/web@sha256:0123abcd");
}

/* The image a task definition runs: its main container's, as image:tag. */
static void test_service_flatten_td_image(void **state)
{
	const json_t *td =
	    json_object_get(svc_json_file("describe_task_definition.json"), "taskDefinition");

	assert_string_equal(tb_service_td_image(A, td, "talentbase-web-prod"),
	                    IMAGE ":sha-3f9c2e1");
	/* another container name: the essential container */
	assert_string_equal(tb_service_td_image(A, td, "other"), IMAGE ":sha-3f9c2e1");
	td = svc_json("{\"containerDefinitions\":[{\"name\":\"log-router\",\"image\":"
	              "\"fluent/fluent-bit:3\"},{\"name\":\"web\",\"essential\":true,"
	              "\"image\":\"team/web\"}]}");
	assert_string_equal(tb_service_td_image(A, td, "web"), "team/web:latest");
	assert_string_equal(tb_service_td_image(A, td, "x"), "team/web:latest");
	assert_null(tb_service_td_image(A, svc_json("{\"containerDefinitions\":[]}"), "web"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_service_flatten_fields, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_flatten_round_trip, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_flatten_drift, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_flatten_stickiness, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_flatten_schedule_set, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_flatten_missing, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_flatten_huge_number, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_flatten_image, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_flatten_td_image, svc_setup, svc_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
