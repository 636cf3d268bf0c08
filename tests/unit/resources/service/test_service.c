/*
 * talentbase_service: defaults per environment and role, the plan (computed
 * values, unknowns, replacements), validation of the resource's shape, and
 * the value <-> settings model (state building, drift, tags).
 */
#include "test_service.h"

#define LISTENER "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/1/2"

/* Every block present but empty: each default shows. */
static const char *const config_head = "{\"name\":\"svc\",\"cluster\":\"c\",\"role\":\"";
static const char *const config_tail =
    "\",\"image\":\"img\",\"image_tag\":\"t1\",\"cpu\":256,\"memory\":512,\"port\":3000,"
    "\"execution_role_arn\":\"arn:aws:iam::123456789012:role/x\","
    "\"health_check\":{\"command\":[\"CMD\",\"true\"]},"
    "\"network\":{\"subnets\":[\"subnet-1\"]},"
    "\"load_balancer\":{\"listener_arn\":\"" LISTENER "\",\"priority\":10,\"health_check\":{}},"
    "\"deployment\":{},\"capacity\":{},\"autoscaling\":{},\"logs\":{}}";

static const struct tb_value *defaults_value(const char *role)
{
	return svc_value(tb_arena_printf(A, "%s%s%s", config_head, role, config_tail));
}

enum want_kind { W_INT = 1, W_STR, W_BOOL };

struct want {
	const char *env, *role, *path;
	enum want_kind kind;
	int64_t i;
	const char *s;
	bool b;
};

/* clang-format off */
static const struct want default_rows[] = {
    {"production", "web", "logs.retention_days", W_INT, .i = 30},
    {"production", "web", "logs.retain_on_destroy", W_BOOL, .b = true},
    {"staging", "web", "logs.retention_days", W_INT, .i = 14},
    {"staging", "web", "logs.retain_on_destroy", W_BOOL, .b = true},
    {"development", "web", "logs.retention_days", W_INT, .i = 7},
    {"development", "web", "logs.retain_on_destroy", W_BOOL, .b = false},
    {"production", "web", "autoscaling.min_capacity", W_INT, .i = 2},
    {"development", "web", "autoscaling.min_capacity", W_INT, .i = 1},
    {"production", "web", "autoscaling.max_capacity", W_INT, .i = 10},
    {"production", "web", "autoscaling.cpu_target", W_INT, .i = 70},
    {"production", "web", "autoscaling.memory_target", W_INT, .i = 80},
    {"production", "web", "autoscaling.scale_in_cooldown", W_INT, .i = 300},
    {"production", "web", "autoscaling.scale_out_cooldown", W_INT, .i = 60},
    {"production", "web", "capacity.fargate_base", W_INT, .i = 2},
    {"development", "web", "capacity.fargate_base", W_INT, .i = 0},
    {"production", "web", "capacity.fargate_weight", W_INT, .i = 60},
    {"production", "web", "capacity.spot_weight", W_INT, .i = 40},
    {"production", "web", "health_check.start_period", W_INT, .i = 180},
    {"production", "api", "health_check.start_period", W_INT, .i = 120},
    {"production", "web", "health_check.interval", W_INT, .i = 30},
    {"production", "web", "health_check.timeout", W_INT, .i = 10},
    {"production", "web", "health_check.retries", W_INT, .i = 3},
    {"production", "web", "deployment.health_check_grace_period", W_INT, .i = 180},
    {"production", "api", "deployment.health_check_grace_period", W_INT, .i = 120},
    {"production", "web", "deployment.minimum_healthy_percent", W_INT, .i = 100},
    {"production", "web", "deployment.maximum_percent", W_INT, .i = 200},
    {"production", "web", "deployment.rollback", W_BOOL, .b = true},
    {"production", "web", "deployment.wait_for_steady_state", W_BOOL, .b = true},
    {"production", "web", "load_balancer.health_check.path", W_STR, .s = "/"},
    {"development", "api", "load_balancer.health_check.path", W_STR, .s = "/health/"},
    {"production", "web", "load_balancer.health_check.matcher", W_STR, .s = "200-399"},
    {"production", "web", "load_balancer.health_check.healthy_threshold", W_INT, .i = 2},
    {"production", "web", "load_balancer.health_check.unhealthy_threshold", W_INT, .i = 3},
    {"production", "web", "load_balancer.deregistration_delay", W_INT, .i = 30},
    {"production", "web", "load_balancer.stickiness_duration", W_INT, .i = 0},
    {"production", "web", "network.assign_public_ip", W_BOOL, .b = false},
    {"production", "web", "enable_execute_command", W_BOOL, .b = false},
};
/* clang-format on */

static void check_want(const struct tb_value *v, const struct want *w)
{
	switch (w->kind) {
	case W_INT:
		if (svc_int(v, w->path) != w->i)
			fail_msg("%s/%s %s = %lld, want %lld", w->env, w->role, w->path,
			         (long long)svc_int(v, w->path), (long long)w->i);
		break;
	case W_STR:
		assert_string_equal(svc_str(v, w->path), w->s);
		break;
	case W_BOOL:
		assert_int_equal(svc_bool(v, w->path), w->b);
		break;
	}
}

static void test_service_plan_defaults(void **state)
{
	for (size_t i = 0; i < TB_COUNT(default_rows); i++) {
		const struct want *w = &default_rows[i];
		struct tb_meta meta = svc_meta(w->env);
		struct tb_call c = svc_call(&meta);
		struct tb_plan p = svc_plan(&c, NULL, defaults_value(w->role));
		check_want(p.planned, w);
	}
}

/* A number no integer setting can hold saturates instead of overflowing the
 * conversion (the rules report it; the apply must not misbehave first). */
static void test_service_load_huge_number(void **state)
{
	struct tb_meta meta = svc_meta("development");
	const struct tb_value *cfg = svc_config("config_minimal.json");
	struct tb_svc s;

	cfg = svc_set(cfg, "port", tb_float(A, 1e300));
	cfg = svc_set(cfg, "memory", tb_float(A, -1e300));
	assert_int_equal(tb_service_load(A, &meta, cfg, &s), 0);
	assert_true(s.port == INT64_MAX);
	assert_true(s.memory == INT64_MIN);
}

/* The same defaults reach the settings the resource calls AWS with, with
 * the blocks left out entirely. */
static void test_service_load_absent_blocks(void **state)
{
	struct tb_meta meta = svc_meta("development");
	struct tb_svc s;

	assert_int_equal(tb_service_load(A, &meta, svc_config("config_minimal.json"), &s), 0);
	assert_false(s.hc.set);
	assert_false(s.cap.set);
	assert_false(s.as.set);
	assert_true(s.lb.set);
	assert_false(s.dep.set);
	assert_int_equal(s.dep.minimum_healthy_percent, 100);
	assert_int_equal(s.dep.maximum_percent, 200);
	assert_true(s.dep.rollback);
	assert_true(s.dep.wait);
	assert_int_equal(s.dep.grace, 120);
	assert_int_equal(s.logs.retention, 7);
	assert_false(s.logs.retain);
	assert_string_equal(s.lb.hc.path, "/health/");
	assert_string_equal(s.lb.hc.matcher, "200-399");
	assert_int_equal(s.lb.hc.timeout, 10);
	assert_int_equal(s.lb.deregistration_delay, 30);
	assert_int_equal(s.lb.path_patterns.n, 1);
	assert_string_equal(s.lb.path_patterns.v[0], "/*");
	assert_int_equal(s.desired_count, 1);
	assert_false(s.net.assign_public_ip);
	assert_int_equal(s.environment.n, 0);
}

static void test_service_validate_unconfigured(void **state)
{
	struct tb_meta meta = svc_meta(NULL);
	struct tb_call c = svc_call(&meta);
	const struct tb_value *eff = NULL, *cfg = defaults_value("web");

	assert_int_equal(tb_schema_apply_defaults(A, &tb_service_schema, &meta, cfg, &eff), 0);
	assert_int_equal(tb_service_role_defaults(A, &meta, cfg, &eff), 0);
	assert_true(tb_is_unknown(svc_at(eff, "logs.retention_days")));
	assert_true(tb_is_null(svc_at(eff, "desired_count")));
	assert_int_equal(svc_int(eff, "health_check.start_period"), 180);
	assert_int_equal(svc_int(eff, "deployment.health_check_grace_period"), 180);
	tb_resource_service.validate(&c, svc_config("config_web.json"));
	if (tb_diags_has_errors(&c.diags))
		fail_msg("unexpected error: %s: %s", c.diags.head->summary,
		         c.diags.head->detail ? c.diags.head->detail : "");
}

static void test_service_validate_shape(void **state)
{
	struct tb_meta meta = svc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *cfg = svc_config("config_web.json");
	const struct tb_diag *d;

	cfg = svc_set(cfg, "role", tb_string(A, "worker"));
	cfg = svc_set(cfg, "timeouts.create", tb_string(A, "20 minutes"));
	cfg = svc_set(cfg, "port", tb_null(A, &tb_type_number));
	tb_resource_service.validate(&c, cfg);
	assert_non_null(d = svc_diag(&c, "worker has no load balancer"));
	assert_string_equal(tb_path_string(A, &d->path), "load_balancer");
	assert_non_null(d = svc_diag(&c, "Invalid duration"));
	assert_string_equal(tb_path_string(A, &d->path), "timeouts.create");
	assert_non_null(d = svc_diag(&c, "Missing port"));
	assert_string_equal(tb_path_string(A, &d->path), "port");

	c = svc_call(&meta);
	tb_resource_service.validate(
	    &c, svc_set(svc_config("config_web.json"), "role", tb_string(A, "frontend")));
	assert_non_null(d = svc_diag(&c, "Invalid role"));
}

static void test_service_plan_create(void **state)
{
	struct tb_meta meta = svc_meta("production");
	struct tb_call c = svc_call(&meta);
	struct tb_plan p = svc_plan(&c, NULL, svc_config("config_web.json"));
	const struct tb_value *tags = svc_at(p.planned, "tags_all");

	assert_string_equal(svc_str(p.planned, "id"), "talentbase-prod/talentbase-web-prod");
	assert_string_equal(svc_str(p.planned, "log_group_name"), "/ecs/talentbase-web-prod");
	assert_true(tb_is_unknown(svc_at(p.planned, "arn")));
	assert_true(tb_is_unknown(svc_at(p.planned, "task_definition_arn")));
	assert_true(tb_is_unknown(svc_at(p.planned, "target_group_arn")));
	assert_true(tb_is_unknown(svc_at(p.planned, "load_balancer.vpc_id")));
	assert_int_equal(tb_len(tags), 3);
	assert_string_equal(tb_get_str(tb_map_get(tags, "Service")), "web");
	assert_string_equal(tb_get_str(tb_map_get(tags, "Project")), "TalentBase");
	assert_int_equal(p.n_requires_replace, 0);
	assert_false(tb_diags_has_errors(&c.diags));
}

/* What an apply of plan would store: planned with the computed IDs filled. */
static const struct tb_value *applied(const struct tb_meta *meta, const struct tb_value *planned)
{
	const struct tb_value *full = NULL;
	struct tb_svc s;

	assert_int_equal(tb_service_load(A, meta, planned, &s), 0);
	s.arn = "arn:aws:ecs:us-east-1:123456789012:service/talentbase-prod/talentbase-web-prod";
	s.task_definition_arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/x:7";
	s.task_definition_revision = 7;
	s.target_group_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/1";
	s.listener_rule_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/"
	                      "app/lb/1/2/3";
	s.log_group_name = "/ecs/talentbase-web-prod";
	s.lb.vpc_id = "vpc-3ac0fb5f";
	s.deployed_image = tb_service_image_ref(A, s.image, s.image_tag);
	assert_int_equal(tb_service_state(A, meta, &s, planned, false, &full), 0);
	full = tb_kit_fill_unknowns(A, planned, full);
	assert_true(tb_is_wholly_known(full));
	return full;
}

static void test_service_plan_no_change(void **state)
{
	struct tb_meta meta = svc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *cfg = svc_config("config_web.json");
	const struct tb_value *prior = applied(&meta, svc_plan(&c, NULL, cfg).planned);
	struct tb_plan p = svc_plan(&c, prior, cfg);

	if (!tb_value_equal(p.planned, prior))
		fail_msg("plan differs at %s", svc_diff(p.planned, prior));
	assert_int_equal(p.n_requires_replace, 0);
}

static void test_service_plan_image_tag(void **state)
{
	struct tb_meta meta = svc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *cfg = svc_config("config_web.json");
	const struct tb_value *prior = applied(&meta, svc_plan(&c, NULL, cfg).planned);
	struct tb_plan p =
	    svc_plan(&c, prior, svc_set(cfg, "image_tag", tb_string(A, "sha-4a0d1b2")));

	assert_true(tb_is_unknown(svc_at(p.planned, "task_definition_arn")));
	assert_true(tb_is_unknown(svc_at(p.planned, "task_definition_revision")));
	assert_true(tb_is_unknown(svc_at(p.planned, "deployed_image")));
	assert_true(tb_value_equal(svc_at(p.planned, "arn"), svc_at(prior, "arn")));
	assert_true(tb_value_equal(svc_at(p.planned, "target_group_arn"),
	                           svc_at(prior, "target_group_arn")));
	assert_int_equal(p.n_requires_replace, 0);

	/* A change outside the task definition keeps its ARN. */
	p = svc_plan(&c, prior, svc_set(cfg, "deployment.maximum_percent", tb_int(A, 150)));
	assert_true(tb_value_equal(svc_at(p.planned, "task_definition_arn"),
	                           svc_at(prior, "task_definition_arn")));
}

static void test_service_plan_replace(void **state)
{
	struct tb_meta meta = svc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *cfg = svc_config("config_web.json");
	const struct tb_value *prior = applied(&meta, svc_plan(&c, NULL, cfg).planned);
	struct tb_plan p;

	p = svc_plan(&c, prior, svc_set(cfg, "load_balancer.listener_arn", tb_string(A, LISTENER)));
	assert_true(svc_replaces(&p, "load_balancer.listener_arn"));
	p = svc_plan(&c, prior, svc_set(cfg, "port", tb_int(A, 8080)));
	assert_true(svc_replaces(&p, "port"));
	p = svc_plan(&c, prior, svc_set(cfg, "name", tb_string(A, "other")));
	assert_true(svc_replaces(&p, "name"));
	p = svc_plan(&c, prior,
	             svc_set(cfg, "capacity", tb_null(A, svc_at(cfg, "capacity")->type)));
	assert_true(svc_replaces(&p, "capacity"));
	p = svc_plan(&c, prior, svc_set(cfg, "load_balancer.priority", tb_int(A, 300)));
	assert_int_equal(p.n_requires_replace, 0);
}

/* The names AWS gives the objects default to the service's name; an override
 * of one AWS cannot rename replaces the service, a new family does not. */
static void test_service_plan_names(void **state)
{
	struct tb_meta meta = svc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *cfg = svc_config("config_web.json");
	struct tb_plan p = svc_plan(&c, NULL, cfg);
	const struct tb_value *prior = applied(&meta, p.planned);
	static const char *const forced[] = {"container_name", "log_group_name",
	                                     "target_group_name"};

	assert_string_equal(svc_str(p.planned, "family"), "talentbase-web-prod");
	assert_string_equal(svc_str(p.planned, "container_name"), "talentbase-web-prod");
	assert_string_equal(svc_str(p.planned, "log_group_name"), "/ecs/talentbase-web-prod");
	assert_string_equal(svc_str(p.planned, "target_group_name"),
	                    tb_service_tg_name(A, "talentbase-prod", "talentbase-web-prod"));
	for (size_t i = 0; i < TB_COUNT(forced); i++) {
		p = svc_plan(&c, prior, svc_set(cfg, forced[i], tb_string(A, "ecs-targets")));
		assert_true(svc_replaces(&p, forced[i]));
		assert_string_equal(svc_str(p.planned, forced[i]), "ecs-targets");
	}
	p = svc_plan(&c, prior, svc_set(cfg, "family", tb_string(A, "fckdoomscroll")));
	assert_int_equal(p.n_requires_replace, 0);
	assert_true(tb_is_unknown(svc_at(p.planned, "task_definition_arn")));
	/* a worker has no target group */
	cfg = svc_set(cfg, "role", tb_string(A, "worker"));
	cfg = svc_set(cfg, "load_balancer", tb_null(A, svc_at(cfg, "load_balancer")->type));
	p = svc_plan(&c, NULL, cfg);
	assert_true(tb_is_null(svc_at(p.planned, "target_group_name")));
	assert_false(tb_is_unknown(svc_at(p.planned, "target_group_name")));
}

/* The names' own rules: ELB's for target groups, ECS's and CloudWatch's. */
static void test_service_validate_names(void **state)
{
	static const struct {
		const char *attr, *value;
		bool ok;
	} rows[] = {
	    {"target_group_name", "ecs-targets", true},
	    {"target_group_name", "a-name-that-is-far-too-long-for-elb", false},
	    {"target_group_name", "-starts-with-hyphen", false},
	    {"target_group_name", "ends-with-hyphen-", false},
	    {"target_group_name", "internal-targets", false},
	    {"target_group_name", "has_underscore", false},
	    {"family", "fck_doom-scroll", true},
	    {"family", "has space", false},
	    {"container_name", "app", true},
	    {"container_name", "app.v2", false},
	    {"log_group_name", "/ecs/fckdoomscroll", true},
	    {"log_group_name", "/ecs/with space", false},
	};
	struct tb_meta meta = svc_meta("production");

	for (size_t i = 0; i < TB_COUNT(rows); i++) {
		struct tb_call c = svc_call(&meta);
		const struct tb_diag *d;
		tb_resource_service.validate(&c,
		                             svc_set(svc_config("config_web.json"), rows[i].attr,
		                                     tb_string(A, rows[i].value)));
		d = svc_diag(&c, "Invalid name");
		if (rows[i].ok != (d == NULL))
			fail_msg("%s = \"%s\": %s", rows[i].attr, rows[i].value,
			         d ? d->detail : "accepted");
		if (d)
			assert_string_equal(tb_path_string(A, &d->path), rows[i].attr);
	}
}

/* The stickiness block against stickiness_duration and its own rules. */
static void test_service_validate_stickiness(void **state)
{
	static const struct {
		const char *json; /* the load_balancer's stickiness settings */
		const char *path; /* NULL: accepted */
	} rows[] = {
	    {"\"stickiness\":{\"type\":\"app_cookie\",\"cookie_name\":\"SID\"}", NULL},
	    {"\"stickiness\":{}", NULL},
	    {"\"stickiness_duration\":3600,\"stickiness\":{}", "load_balancer.stickiness_duration"},
	    {"\"stickiness\":{\"type\":\"app_cookie\"}", "load_balancer.stickiness"},
	    {"\"stickiness\":{\"cookie_name\":\"SID\"}", "load_balancer.stickiness.cookie_name"},
	    {"\"stickiness\":{\"type\":\"app_cookie\",\"cookie_name\":\"AWSALBAPP-1\"}",
	     "load_balancer.stickiness.cookie_name"},
	    {"\"stickiness\":{\"type\":\"source_ip\"}", "load_balancer.stickiness.type"},
	    {"\"stickiness\":{\"duration\":0}", "load_balancer.stickiness.duration"},
	    {"\"stickiness_duration\":700000", "load_balancer.stickiness_duration"},
	};
	struct tb_meta meta = svc_meta("production");

	for (size_t i = 0; i < TB_COUNT(rows); i++) {
		struct tb_call c = svc_call(&meta);
		const struct tb_value *lb = svc_at(
		    svc_value(tb_arena_printf(A,
		                              "{\"load_balancer\":{\"listener_arn\":\"" LISTENER
		                              "\",\"priority\":1,%s}}",
		                              rows[i].json)),
		    "load_balancer");
		tb_resource_service.validate(
		    &c, svc_set(svc_config("config_web.json"), "load_balancer", lb));
		if (rows[i].path == NULL) {
			if (tb_diags_has_errors(&c.diags))
				fail_msg("%s: %s", rows[i].json, c.diags.head->summary);
			continue;
		}
		if (!tb_diags_has_errors(&c.diags))
			fail_msg("%s: accepted", rows[i].json);
		assert_string_equal(tb_path_string(A, &c.diags.head->path), rows[i].path);
	}
}

/* desired_count left out stands for a derived count: autoscaling's floor, else
 * the environment's. Autoscaling owns the live count: no diff when it scales. */
static void test_service_desired_count(void **state)
{
	struct tb_meta meta = svc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *cfg = svc_config("config_web.json");
	const struct tb_value *prior = applied(&meta, svc_plan(&c, NULL, cfg).planned);
	struct tb_svc old, actual;
	const struct tb_value *read = NULL;
	struct tb_plan p;

	assert_true(tb_is_null(svc_at(prior, "desired_count")));
	assert_int_equal(tb_service_load(A, &meta, prior, &old), 0);
	assert_int_equal(old.desired_count, 2); /* autoscaling.min_capacity */
	actual = old;
	actual.desired_count = 7; /* scaled out by autoscaling */
	assert_int_equal(tb_service_state(A, &meta, &actual, prior, false, &read), 0);
	assert_true(tb_value_equal(read, prior));

	/* Without autoscaling the count is ours: drift shows, the plan resets it. */
	cfg = svc_set(cfg, "autoscaling", tb_null(A, svc_at(cfg, "autoscaling")->type));
	prior = applied(&meta, svc_plan(&c, NULL, cfg).planned);
	assert_int_equal(tb_service_load(A, &meta, prior, &actual), 0);
	assert_int_equal(actual.desired_count, 2); /* production */
	assert_int_equal(tb_service_state(A, &meta, &actual, prior, false, &read), 0);
	assert_true(tb_is_null(svc_at(read, "desired_count")));
	actual.desired_count = 7;
	assert_int_equal(tb_service_state(A, &meta, &actual, prior, false, &read), 0);
	assert_int_equal(svc_int(read, "desired_count"), 7);
	p = svc_plan(&c, read, cfg);
	assert_true(tb_is_null(svc_at(p.planned, "desired_count")));

	meta = svc_meta("development");
	assert_int_equal(tb_service_load(A, &meta, prior, &actual), 0);
	assert_int_equal(actual.desired_count, 1);

	/* Scaled to zero on purpose: 0 is a count, read back as 0 (not null). */
	cfg = svc_set(cfg, "desired_count", tb_int(A, 0));
	prior = applied(&meta, svc_plan(&c, NULL, cfg).planned);
	assert_int_equal(tb_service_load(A, &meta, prior, &actual), 0);
	assert_int_equal(actual.desired_count, 0);
	assert_int_equal(tb_service_state(A, &meta, &actual, prior, false, &read), 0);
	assert_true(tb_value_equal(read, prior));
}

/* A block the user left out stays out while AWS matches its defaults, and
 * shows AWS's values when it does not. */
static void test_service_state_absent_block(void **state)
{
	struct tb_meta meta = svc_meta("development");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *cfg = svc_config("config_minimal.json");
	const struct tb_value *prior = applied(&meta, svc_plan(&c, NULL, cfg).planned);
	const struct tb_value *read = NULL;
	struct tb_svc actual;

	assert_true(tb_is_null(svc_at(prior, "deployment")));
	assert_int_equal(tb_service_load(A, &meta, prior, &actual), 0);
	actual.dep.set = actual.logs.set = actual.net.set = true; /* as read from AWS */
	assert_int_equal(tb_service_state(A, &meta, &actual, prior, false, &read), 0);
	assert_true(tb_value_equal(read, prior));

	actual.dep.minimum_healthy_percent = 50;
	actual.lb.hc.interval = 15;
	assert_int_equal(tb_service_state(A, &meta, &actual, prior, false, &read), 0);
	assert_int_equal(svc_int(read, "deployment.minimum_healthy_percent"), 50);
	assert_int_equal(svc_int(read, "deployment.maximum_percent"), 200);
	assert_int_equal(svc_int(read, "load_balancer.health_check.interval"), 15);
	assert_true(tb_is_null(svc_at(read, "logs")));
	assert_true(tb_is_null(svc_at(read, "autoscaling")));
}

static void test_service_state_tags(void **state)
{
	struct tb_meta meta = svc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *prior =
	    applied(&meta, svc_plan(&c, NULL, svc_config("config_web.json")).planned);
	const struct tb_value *read = NULL, *tags;
	struct tb_svc actual;
	struct tb_kv kv[] = {{"ManagedBy", "Terraform"},
	                     {"Owner", "someone"},
	                     {"Project", "TalentBase"},
	                     {"Service", "web"}};

	assert_int_equal(tb_service_load(A, &meta, prior, &actual), 0);
	actual.tags_all = (struct tb_kvs){.n = TB_COUNT(kv), .v = kv};
	assert_int_equal(tb_service_state(A, &meta, &actual, prior, false, &read), 0);
	tags = svc_at(read, "tags");
	assert_int_equal(tb_len(tags), 2);
	assert_string_equal(tb_get_str(tb_map_get(tags, "Owner")), "someone");
	assert_string_equal(tb_get_str(tb_map_get(tags, "Service")), "web");
	assert_int_equal(tb_len(svc_at(read, "tags_all")), 4);

	/* No tags at all: tags_all is {} as the plan computes it, even where the
	 * prior (an import's skeleton) has null. */
	actual.tags_all = (struct tb_kvs){.n = 0, .v = kv};
	prior = svc_set(prior, "tags", tb_null(A, svc_at(prior, "tags")->type));
	prior = svc_set(prior, "tags_all", tb_null(A, svc_at(prior, "tags_all")->type));
	meta.default_tags = NULL;
	assert_int_equal(tb_service_state(A, &meta, &actual, prior, false, &read), 0);
	assert_true(tb_is_null(svc_at(read, "tags")));
	assert_true(tb_is_known(svc_at(read, "tags_all")));
	assert_int_equal(tb_len(svc_at(read, "tags_all")), 0);
}

static void test_service_fill_unknowns(void **state)
{
	const struct tb_value *planned = svc_config("config_web.json"), *full, *out;

	planned = svc_set(planned, "arn", tb_unknown(A, &tb_type_string));
	planned = svc_set(planned, "load_balancer.vpc_id", tb_unknown(A, &tb_type_string));
	planned = svc_set(planned, "task_definition_revision", tb_unknown(A, &tb_type_number));
	full = svc_set(planned, "arn", tb_string(A, "arn:1"));
	full = svc_set(full, "load_balancer.vpc_id", tb_string(A, "vpc-1"));
	full = svc_set(full, "image_tag", tb_string(A, "changed"));
	out = tb_kit_fill_unknowns(A, planned, full);
	assert_string_equal(svc_str(out, "arn"), "arn:1");
	assert_string_equal(svc_str(out, "load_balancer.vpc_id"), "vpc-1");
	assert_true(tb_is_null(svc_at(out, "task_definition_revision")));
	assert_string_equal(svc_str(out, "image_tag"), "sha-3f9c2e1");
	assert_true(tb_is_wholly_known(out));
}

/* The schedules are a set: a timezone left out gets its default in each
 * element, the plan does not depend on the order of the blocks, and a rule
 * finding is on the set and names the schedule. */
static void test_service_plan_schedule_set(void **state)
{
	struct tb_meta meta = svc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_nested *nb =
	    tb_block_nested(tb_service_block_at("autoscaling"), "schedule");
	const struct tb_value *cfg = svc_config("config_web.json"), *prior, *sched, *rev[2];
	const struct tb_diag *d;
	struct tb_plan p;

	assert_non_null(nb);
	assert_int_equal(nb->nesting, TB_NEST_SET);
	assert_string_equal(svc_str(cfg, "autoscaling.schedule[0].name"), "business-hours");
	cfg = svc_set(cfg, "autoscaling.schedule[0].timezone", tb_null(A, &tb_type_string));
	p = svc_plan(&c, NULL, cfg);
	assert_int_equal(svc_at(p.planned, "autoscaling.schedule")->type->kind, TB_SET);
	assert_string_equal(tb_get_str(tb_attr(svc_sched(p.planned, "business-hours"), "timezone")),
	                    "UTC");
	assert_string_equal(tb_get_str(tb_attr(svc_sched(p.planned, "after-hours"), "timezone")),
	                    "America/Sao_Paulo");
	prior = applied(&meta, p.planned);

	sched = svc_at(cfg, "autoscaling.schedule");
	rev[0] = sched->u.coll.items[1];
	rev[1] = sched->u.coll.items[0];
	cfg = svc_set(cfg, "autoscaling.schedule", tb_set(A, sched->type, 2, rev));
	p = svc_plan(&c, prior, cfg);
	if (!tb_value_equal(p.planned, prior))
		fail_msg("reordered schedules plan a change at %s", svc_diff(p.planned, prior));
	assert_false(tb_diags_has_errors(&c.diags));

	c = svc_call(&meta);
	cfg = svc_set(cfg, "autoscaling.schedule[0].timezone", tb_string(A, "Mars/Olympus"));
	assert_string_equal(svc_str(cfg, "autoscaling.schedule[0].name"), "after-hours");
	tb_resource_service.validate(&c, cfg);
	assert_non_null(d = svc_diag(&c, "schedule \"after-hours\": timezone \"Mars/Olympus\""));
	assert_non_null(strstr(d->summary, "TB016"));
	assert_string_equal(tb_path_string(A, &d->path), "autoscaling.schedule");
}

/* The schedules map: the same scheduled actions as the blocks, keyed by
 * name, findings on the entry, a null timezone (UTC) that reads back null,
 * and never both forms at once. */
static void test_service_plan_schedules_map(void **state)
{
	struct tb_meta meta = svc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *cfg = svc_config("config_web.json"), *map, *prior, *read = NULL;
	const struct tb_type *set_t = svc_at(cfg, "autoscaling.schedule")->type;
	const struct tb_diag *d;
	struct tb_plan p;
	struct tb_svc s;

	map =
	    svc_at(svc_value("{\"autoscaling\":{\"schedules\":{\"business-hours\":{\"schedule\":"
	                     "\"cron(0 8 ? * MON-FRI *)\",\"min_capacity\":2,\"max_capacity\":10},"
	                     "\"after-hours\":{\"schedule\":\"cron(0 18 ? * MON-FRI *)\","
	                     "\"timezone\":\"America/Sao_Paulo\",\"max_capacity\":4}}}}"),
	           "autoscaling.schedules");
	cfg = svc_set(cfg, "autoscaling.schedule", tb_set(A, set_t, 0, NULL));
	cfg = svc_set(cfg, "autoscaling.schedules", map);
	p = svc_plan(&c, NULL, cfg);
	assert_false(tb_diags_has_errors(&c.diags));
	assert_int_equal(tb_service_load(A, &meta, p.planned, &s), 0);
	assert_int_equal(s.as.n_sched, 2);
	assert_true(s.as.sched_map);
	assert_string_equal(s.as.sched[0].name, "after-hours"); /* map keys sorted */
	assert_string_equal(s.as.sched[1].timezone, "UTC");
	prior = applied(&meta, p.planned);
	assert_true(
	    tb_is_null(svc_at(prior, "autoscaling.schedules[\"business-hours\"].timezone")));
	assert_int_equal(tb_len(svc_at(prior, "autoscaling.schedule")), 0);
	/* what AWS reports (UTC) reads back as the map with its null */
	assert_int_equal(tb_service_load(A, &meta, prior, &s), 0);
	assert_int_equal(tb_service_state(A, &meta, &s, prior, false, &read), 0);
	if (!tb_value_equal(read, prior))
		fail_msg("read differs at %s", svc_diff(read, prior));
	p = svc_plan(&c, prior, cfg);
	if (!tb_value_equal(p.planned, prior))
		fail_msg("plan differs at %s", svc_diff(p.planned, prior));

	/* a finding points at the entry */
	c = svc_call(&meta);
	tb_resource_service.validate(&c,
	                             svc_set(cfg, "autoscaling.schedules[\"after-hours\"].timezone",
	                                     tb_string(A, "Mars/Olympus")));
	assert_non_null(d = svc_diag(&c, "schedule \"after-hours\": timezone \"Mars/Olympus\""));
	assert_string_equal(tb_path_string(A, &d->path), "autoscaling.schedules[\"after-hours\"]");

	/* not both */
	c = svc_call(&meta);
	tb_resource_service.validate(
	    &c, svc_set(svc_config("config_web.json"), "autoscaling.schedules", map));
	assert_non_null(d = svc_diag(&c, "Schedules written twice"));
	assert_string_equal(tb_path_string(A, &d->path), "autoscaling.schedules");
}

static void test_service_td_equal(void **state)
{
	struct tb_meta meta = svc_meta("production");
	struct tb_svc x, y;

	assert_int_equal(tb_service_load(A, &meta, svc_config("config_web.json"), &x), 0);
	y = x;
	assert_true(tb_service_td_equal(&x, &y));
	y.dep.maximum_percent = 150;
	assert_true(tb_service_td_equal(&x, &y));
	y.image_tag = "other";
	assert_false(tb_service_td_equal(&x, &y));
	y = x;
	y.hc.start_period = 60;
	assert_false(tb_service_td_equal(&x, &y));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_service_plan_defaults, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_load_absent_blocks, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_load_huge_number, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_validate_unconfigured, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_validate_shape, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_plan_create, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_plan_no_change, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_plan_image_tag, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_plan_replace, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_plan_names, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_validate_names, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_validate_stickiness, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_desired_count, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_state_absent_block, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_state_tags, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_fill_unknowns, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_plan_schedule_set, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_plan_schedules_map, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_td_equal, svc_setup, svc_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
