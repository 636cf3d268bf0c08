/*
 * talentbase_service: settings -> AWS requests. Each request body is
 * compared with the JSON (or the query parameters) AWS documents.
 */
#include "test_service.h"

static struct tb_svc web(const char *env)
{
	struct tb_meta meta = svc_meta(env);
	struct tb_call c = svc_call(&meta);
	struct tb_plan p = svc_plan(&c, NULL, svc_config("config_web.json"));
	struct tb_svc s;

	assert_int_equal(tb_service_load(A, &meta, p.planned, &s), 0);
	return s;
}

static void assert_json(const json_t *got, const char *want_text)
{
	json_t *want = svc_json(want_text);

	assert_non_null(got);
	if (!json_equal((json_t *)got, want)) {
		char *g = json_dumps(got, JSON_SORT_KEYS | JSON_INDENT(1));
		char *w = json_dumps(want, JSON_SORT_KEYS | JSON_INDENT(1));
		print_error("got:\n%s\nwant:\n%s\n", g, w);
		free(g);
		free(w);
		fail();
	}
}

static void test_service_expand_names(void **state)
{
	char *tg = tb_service_tg_name(A, "talentbase-prod", "talentbase-web-production-service_v2");

	assert_true(strlen(tg) <= 32);
	assert_string_equal(
	    tg, tb_service_tg_name(A, "talentbase-prod", "talentbase-web-production-service_v2"));
	assert_string_not_equal(
	    tg, tb_service_tg_name(A, "talentbase-dev", "talentbase-web-production-service_v2"));
	assert_true(tb_str_has_prefix(tg, "talentbase-web-producti-"));
	for (const char *p = tg; *p; p++)
		assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-');
	assert_true(tb_str_has_prefix(tb_service_tg_name(A, "c", "--_x"), "x-"));
	assert_true(tb_str_has_prefix(tb_service_tg_name(A, "c", "___"), "tb-"));

	assert_string_equal(tb_service_image_ref(A, "repo/web", "sha-1"), "repo/web:sha-1");
	assert_string_equal(tb_service_image_ref(A, "repo/web", "sha256:abc"),
	                    "repo/web@sha256:abc");
	assert_string_equal(tb_service_scaling_id(A, "talentbase-prod", "web"),
	                    "service/talentbase-prod/web");
	assert_string_equal(
	    tb_service_scaling_id(A, "arn:aws:ecs:us-east-1:123456789012:cluster/talentbase-prod",
	                          "web"),
	    "service/talentbase-prod/web");
	assert_string_equal(tb_service_log_group(A, "web"), "/ecs/web");
}

static void test_service_expand_request_label(void **state)
{
	const char *listener = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/"
	                       "talentbase-prod-alb/50dc6c495c0c9188/f2f7dc8efc522ab2";

	assert_string_equal(tb_service_request_label(A, listener, TG_ARN),
	                    "app/talentbase-prod-alb/50dc6c495c0c9188/targetgroup/"
	                    "talentbase-web-prod-9e1d265d/73e2d6bc24d8a067");
	assert_null(tb_service_request_label(A,
	                                     "arn:aws:elasticloadbalancing:us-east-1:1:listener/"
	                                     "net/nlb/1/2",
	                                     TG_ARN));
	assert_null(tb_service_request_label(A, listener, "not-an-arn"));
	assert_null(tb_service_request_label(A, NULL, TG_ARN));
}

static void test_service_expand_task_definition(void **state)
{
	struct tb_svc s = web("production");

	assert_json(tb_service_td_request(A, &s, "us-east-1"), svc_file("expect_register_td.json"));

	s.hc.set = false;
	s.port = 0;
	s.task_role_arn = NULL;
	s.image_tag = "sha256:0123abcd";
	json_t *td = tb_service_td_request(A, &s, "us-east-1");
	json_t *c = json_array_get(json_object_get(td, "containerDefinitions"), 0);
	assert_null(json_object_get(c, "healthCheck"));
	assert_null(json_object_get(c, "portMappings"));
	assert_null(json_object_get(td, "taskRoleArn"));
	assert_string_equal(
	    json_string_value(json_object_get(c, "image")),
	    "123456789012.dkr.ecr.us-east-1.amazonaws.com/talentbase/web@sha256:0123abcd");

	/* the names a seed stack gives them */
	s.family = "fckdoomscroll";
	s.container_name = "app";
	s.log_group_name = "/ecs/fckdoomscroll";
	td = tb_service_td_request(A, &s, "us-east-1");
	c = json_array_get(json_object_get(td, "containerDefinitions"), 0);
	assert_string_equal(json_string_value(json_object_get(td, "family")), "fckdoomscroll");
	assert_string_equal(json_string_value(json_object_get(c, "name")), "app");
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(json_object_get(c, "logConfiguration"), "options"),
	                        "awslogs-group")),
	                    "/ecs/fckdoomscroll");
	s.lb.set = true;
	s.port = 3000;
	td = tb_service_create_request(A, &s);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(td, "loadBalancers"), 0), "containerName")),
	    "app");
}

static void test_service_expand_create_service(void **state)
{
	struct tb_svc s = web("production");
	json_t *body;

	s.task_definition_arn =
	    "arn:aws:ecs:us-east-1:123456789012:task-definition/talentbase-web-prod:7";
	s.target_group_arn = TG_ARN;
	assert_json(tb_service_create_request(A, &s), svc_file("expect_create_service.json"));

	s.cap.set = false;
	s.lb.set = false;
	body = tb_service_create_request(A, &s);
	assert_string_equal(json_string_value(json_object_get(body, "launchType")), "FARGATE");
	assert_null(json_object_get(body, "capacityProviderStrategy"));
	assert_null(json_object_get(body, "loadBalancers"));
	assert_null(json_object_get(body, "healthCheckGracePeriodSeconds"));
}

static void test_service_expand_update_service(void **state)
{
	struct tb_svc old = web("production"), s;
	bool changed = true;
	json_t *body;

	old.task_definition_arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/x:6";
	s = old;
	body = tb_service_update_request(A, &old, &s, &changed);
	assert_false(changed);
	assert_int_equal(json_object_size(body), 2);

	s.task_definition_arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/x:7";
	s.desired_count = 5; /* autoscaling owns the count: never sent */
	s.dep.maximum_percent = 150;
	body = tb_service_update_request(A, &old, &s, &changed);
	assert_true(changed);
	assert_json(body,
	            "{\"cluster\":\"talentbase-prod\",\"service\":\"talentbase-web-prod\","
	            "\"taskDefinition\":\"arn:aws:ecs:us-east-1:123456789012:task-definition/x:7\","
	            "\"deploymentConfiguration\":{\"minimumHealthyPercent\":100,"
	            "\"maximumPercent\":150,\"deploymentCircuitBreaker\":{\"enable\":true,"
	            "\"rollback\":true}}}");

	s = old;
	s.as.set = false; /* autoscaling removed: the count is ours again */
	s.cap.spot_weight = 0;
	s.dep.grace = 240;
	body = tb_service_update_request(A, &old, &s, &changed);
	assert_json(body, "{\"cluster\":\"talentbase-prod\",\"service\":\"talentbase-web-prod\","
	                  "\"desiredCount\":2,\"healthCheckGracePeriodSeconds\":240,"
	                  "\"forceNewDeployment\":true,\"capacityProviderStrategy\":[{"
	                  "\"capacityProvider\":\"FARGATE\",\"base\":2,\"weight\":60}]}");
}

static void test_service_expand_scaling(void **state)
{
	struct tb_svc s = web("production");
	const char *label = "app/talentbase-prod-alb/50dc6c495c0c9188/targetgroup/"
	                    "talentbase-web-prod-9e1d265d/73e2d6bc24d8a067";

	assert_json(tb_service_target_request(A, &s),
	            "{\"ServiceNamespace\":\"ecs\",\"ResourceId\":\"service/talentbase-prod/"
	            "talentbase-web-prod\",\"ScalableDimension\":\"ecs:service:DesiredCount\","
	            "\"MinCapacity\":2,\"MaxCapacity\":10}");
	assert_json(tb_service_policy_request(A, &s, TB_SVC_CPU, NULL),
	            "{\"PolicyName\":\"talentbase-web-prod-cpu\",\"ServiceNamespace\":\"ecs\","
	            "\"ResourceId\":\"service/talentbase-prod/talentbase-web-prod\","
	            "\"ScalableDimension\":\"ecs:service:DesiredCount\",\"PolicyType\":"
	            "\"TargetTrackingScaling\",\"TargetTrackingScalingPolicyConfiguration\":{"
	            "\"TargetValue\":70.0,\"PredefinedMetricSpecification\":{"
	            "\"PredefinedMetricType\":\"ECSServiceAverageCPUUtilization\"},"
	            "\"ScaleInCooldown\":300,\"ScaleOutCooldown\":60}}");
	assert_json(json_object_get(tb_service_policy_request(A, &s, TB_SVC_REQUESTS, label),
	                            "TargetTrackingScalingPolicyConfiguration"),
	            "{\"TargetValue\":1000.0,\"PredefinedMetricSpecification\":{"
	            "\"PredefinedMetricType\":\"ALBRequestCountPerTarget\",\"ResourceLabel\":"
	            "\"app/talentbase-prod-alb/50dc6c495c0c9188/targetgroup/"
	            "talentbase-web-prod-9e1d265d/73e2d6bc24d8a067\"},"
	            "\"ScaleInCooldown\":300,\"ScaleOutCooldown\":60}");
	assert_string_equal(tb_service_metric_type(TB_SVC_MEMORY),
	                    "ECSServiceAverageMemoryUtilization");
	assert_json(
	    tb_service_schedule_request(A, &s, &s.as.sched[1]),
	    "{\"ServiceNamespace\":\"ecs\",\"ResourceId\":\"service/talentbase-prod/"
	    "talentbase-web-prod\",\"ScalableDimension\":\"ecs:service:DesiredCount\","
	    "\"ScheduledActionName\":\"after-hours\",\"Schedule\":\"cron(0 18 ? * MON-FRI *)\","
	    "\"Timezone\":\"America/Sao_Paulo\",\"ScalableTargetAction\":{\"MinCapacity\":1,"
	    "\"MaxCapacity\":4}}");
	s.as.sched[1].has_max = false;
	assert_json(json_object_get(tb_service_schedule_request(A, &s, &s.as.sched[1]),
	                            "ScalableTargetAction"),
	            "{\"MinCapacity\":1}");
}

/* "Name=value" lines of a parameter list, for comparing with a golden list. */
static char *params_text(const struct tb_aws_params *p)
{
	char *out = tb_arena_strdup(A, "");

	for (size_t i = 0; i < p->n; i++)
		out = tb_arena_printf(A, "%s%s=%s\n", out, p->items[i].name, p->items[i].value);
	return out;
}

static void test_service_expand_target_group(void **state)
{
	struct tb_svc s = web("production");
	struct tb_aws_params p;

	s.lb.vpc_id = "vpc-3ac0fb5f";
	tb_aws_params_init(&p, A);
	assert_int_equal(tb_service_tg_params(&s, "talentbase-web-prod-9e1d265d", &p), 0);
	assert_string_equal(params_text(&p), svc_file("expect_create_target_group.txt"));

	tb_aws_params_init(&p, A);
	assert_int_equal(tb_service_tg_attr_params(&s, TG_ARN, &p), 0);
	assert_string_equal(params_text(&p),
	                    "TargetGroupArn=" TG_ARN "\n"
	                    "Attributes.member.1.Key=deregistration_delay.timeout_seconds\n"
	                    "Attributes.member.1.Value=30\n"
	                    "Attributes.member.2.Key=stickiness.enabled\n"
	                    "Attributes.member.2.Value=true\n"
	                    "Attributes.member.3.Key=stickiness.type\n"
	                    "Attributes.member.3.Value=lb_cookie\n"
	                    "Attributes.member.4.Key=stickiness.lb_cookie.duration_seconds\n"
	                    "Attributes.member.4.Value=86400\n");

	s.lb.stickiness_duration = 0;
	tb_aws_params_init(&p, A);
	assert_int_equal(tb_service_tg_attr_params(&s, TG_ARN, &p), 0);
	assert_int_equal(p.n, 7);
	assert_string_equal(p.items[4].value, "false");
}

/* The stickiness block: an application cookie with its own duration; it
 * takes the place of stickiness_duration. */
static void test_service_expand_stickiness(void **state)
{
	struct tb_svc s = web("production"), t;
	struct tb_aws_params p;

	s.lb.stick = (struct tb_svc_stick){.set = true,
	                                   .type = "app_cookie",
	                                   .duration = 3600,
	                                   .cookie_name = "TALENTBASE_SESSION"};
	tb_aws_params_init(&p, A);
	assert_int_equal(tb_service_tg_attr_params(&s, TG_ARN, &p), 0);
	assert_string_equal(params_text(&p),
	                    "TargetGroupArn=" TG_ARN "\n"
	                    "Attributes.member.1.Key=deregistration_delay.timeout_seconds\n"
	                    "Attributes.member.1.Value=30\n"
	                    "Attributes.member.2.Key=stickiness.enabled\n"
	                    "Attributes.member.2.Value=true\n"
	                    "Attributes.member.3.Key=stickiness.type\n"
	                    "Attributes.member.3.Value=app_cookie\n"
	                    "Attributes.member.4.Key=stickiness.app_cookie.duration_seconds\n"
	                    "Attributes.member.4.Value=3600\n"
	                    "Attributes.member.5.Key=stickiness.app_cookie.cookie_name\n"
	                    "Attributes.member.5.Value=TALENTBASE_SESSION\n");
	/* the block's lb_cookie equals the same stickiness_duration */
	t = web("production");
	s.lb.stick = (struct tb_svc_stick){.set = true, .type = "lb_cookie", .duration = 86400};
	assert_int_equal(t.lb.stickiness_duration, 86400);
	assert_true(tb_service_stickiness_equal(&s.lb, &t.lb));
	s.lb.stick.duration = 60;
	assert_false(tb_service_stickiness_equal(&s.lb, &t.lb));
	t.lb.stickiness_duration = 0;
	s.lb.stick.set = false;
	s.lb.stickiness_duration = 0;
	assert_true(tb_service_stickiness_equal(&s.lb, &t.lb));
}

static void test_service_expand_rule(void **state)
{
	struct tb_svc s = web("production");
	struct tb_aws_params p;

	tb_aws_params_init(&p, A);
	assert_int_equal(tb_service_rule_params(&s, TG_ARN, &p), 0);
	assert_string_equal(params_text(&p), svc_file("expect_create_rule.txt"));

	s.lb.host_headers.n = 0;
	tb_aws_params_init(&p, A);
	assert_int_equal(tb_service_conditions_params(&s, &p), 0);
	assert_string_equal(params_text(&p),
	                    "Conditions.member.1.Field=path-pattern\n"
	                    "Conditions.member.1.PathPatternConfig.Values.member.1=/*\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_service_expand_names, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_expand_request_label, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_expand_task_definition, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_expand_create_service, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_expand_update_service, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_expand_scaling, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_expand_target_group, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_expand_rule, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_expand_stickiness, svc_setup,
	                                    svc_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
