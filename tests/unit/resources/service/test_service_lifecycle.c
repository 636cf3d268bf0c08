/*
 * talentbase_service: create, read, delete and import end to end through
 * the real AWS client against a local fake endpoint that answers with the
 * recorded responses. Checks the order of the calls, the partial state after
 * a failed step (no object outside the state), the diagnostics (step, AWS
 * operation, code, request ID, service events), and the empty plan after
 * import.
 */
#include "helpers/fake_aws.h"
#include "test_service.h"

#define LISTENER                                                                                   \
	"arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/talentbase-prod-alb/"    \
	"50dc6c495c0c9188/f2f7dc8efc522ab2"
#define LB_ARN                                                                                     \
	"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/"                    \
	"talentbase-prod-alb/"                                                                     \
	"50dc6c495c0c9188"

/* ---- the fake endpoint ---------------------------------------------------------- */

/* clang-format off */
static const struct tbt_canned answers[] = {
    {"RegisterTaskDefinition", NULL, "{\"taskDefinition\":{\"taskDefinitionArn\":\"" TD7 "\",\"revision\":7}}"},
    {"CreateService", NULL, "{\"service\":{\"serviceArn\":\"" SVC_ARN "\",\"status\":\"ACTIVE\"}}"},
    {"UpdateService", NULL, "{\"service\":{\"serviceArn\":\"" SVC_ARN "\"}}"},
    {"DeleteService", NULL, "{\"service\":{\"serviceArn\":\"" SVC_ARN "\",\"status\":\"DRAINING\"}}"},
    {"DeregisterTaskDefinition", NULL, "{\"taskDefinition\":{}}"},
    {"DescribeTaskDefinition", "describe_task_definition.json", NULL},
    {"ListTasks", NULL, "{\"taskArns\":[\"arn:aws:ecs:us-east-1:123456789012:task/talentbase-prod/9a8b7c6d5e4f\"]}"},
    {"DescribeTasks", "describe_tasks_stopped.json", NULL},
    {"CreateLogGroup", NULL, "{}"},
    {"PutRetentionPolicy", NULL, "{}"},
    {"DescribeLogGroups", "describe_log_groups.json", NULL},
    {"DeleteLogGroup", NULL, "{}"},
    {"RegisterScalableTarget", NULL, "{}"},
    {"PutScalingPolicy", NULL, "{\"PolicyARN\":\"arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:1\"}"},
    {"PutScheduledAction", NULL, "{}"},
    {"DescribeScalableTargets", "describe_scalable_targets.json", NULL},
    {"DescribeScalingPolicies", "describe_scaling_policies.json", NULL},
    {"DescribeScheduledActions", "describe_scheduled_actions.json", NULL},
    {"DeleteScalingPolicy", NULL, "{}"},
    {"DeleteScheduledAction", NULL, "{}"},
    {"DeregisterScalableTarget", NULL, "{}"},
    {"DescribeListeners", NULL, "<Listeners><member><ListenerArn>" LISTENER "</ListenerArn><LoadBalancerArn>" LB_ARN "</LoadBalancerArn><Port>443</Port><Protocol>HTTPS</Protocol></member></Listeners>"},
    {"DescribeLoadBalancers", NULL, "<LoadBalancers><member><LoadBalancerArn>" LB_ARN "</LoadBalancerArn><VpcId>vpc-3ac0fb5f</VpcId></member></LoadBalancers>"},
    {"CreateTargetGroup", NULL, "<TargetGroups><member><TargetGroupArn>" TG_ARN "</TargetGroupArn></member></TargetGroups>"},
    {"ModifyTargetGroupAttributes", NULL, "<Attributes/>"},
    {"CreateRule", NULL, "<Rules><member><RuleArn>" RULE_ARN "</RuleArn></member></Rules>"},
    {"DescribeTargetGroups", "describe_target_groups.xml", NULL},
    {"DescribeTargetGroupAttributes", "describe_target_group_attributes.xml", NULL},
    {"DescribeRules", "describe_rules.xml", NULL},
    {"ModifyTargetGroup", NULL, "<TargetGroups><member><TargetGroupArn>" TG_ARN "</TargetGroupArn></member></TargetGroups>"},
    {"ModifyRule", NULL, "<Rules><member><RuleArn>" RULE_ARN "</RuleArn></member></Rules>"},
    {"SetRulePriorities", NULL, "<Rules><member><RuleArn>" RULE_ARN "</RuleArn></member></Rules>"},
    {"AddTags", NULL, ""},
    {"RemoveTags", NULL, ""},
    {"TagResource", NULL, "{}"},
    {"UntagResource", NULL, "{}"},
    {"DeleteRule", NULL, ""},
    {"DeleteTargetGroup", NULL, ""},
};
/* clang-format on */

/* The service's own fake: what DescribeServices shows as the apply goes on. */
struct svc_fake {
	struct tbt_fake aws;
	const char *services_file; /* DescribeServices answer */
	bool deleted;              /* DeleteService was called */
	int revision;              /* of the next RegisterTaskDefinition */
	bool services_follow;      /* DescribeServices shows the latest revision */
	bool bundle_gone;          /* target group, rule and task definition are missing too */
	const char *services_once; /* the next DescribeServices answer only (ECS lagging) */
};

/* What AWS answers for a missing object of each describe call. */
static const struct tbt_canned gone_answers[] = {
    {"DescribeTargetGroups", NULL, "TargetGroupNotFound"},
    {"DescribeRules", NULL, "RuleNotFound"},
    {"DescribeTaskDefinition", NULL, "ClientException"},
};

static struct svc_fake F;
static struct tbt_server *S;
static struct tb_aws_client *CLIENT;

/* Replaces every `from` in s by `to` (same length). */
static void replace_all(char *s, const char *from, const char *to)
{
	for (char *p = s ? strstr(s, from) : NULL; p; p = strstr(p + 1, from))
		memcpy(p, to, strlen(to));
}

static bool describe_services(const struct tbt_request *req, struct tbt_response *resp)
{
	const char *once = F.services_once;

	F.services_once = NULL;
	resp->body_owned = tbt_fake_read("service", once        ? once
	                                            : F.deleted ? "describe_services_inactive.json"
	                                                        : F.services_file);
	if (F.services_follow && F.revision > 8)
		replace_all(resp->body_owned, "talentbase-web-prod:7", "talentbase-web-prod:8");
	return true;
}

static bool register_td(const struct tbt_request *req, struct tbt_response *resp)
{
	resp->body_owned = malloc(256);
	snprintf(resp->body_owned, 256,
	         "{\"taskDefinition\":{\"taskDefinitionArn\":\"arn:aws:ecs:us-east-1:"
	         "123456789012:task-definition/talentbase-web-prod:%d\",\"revision\":%d}}",
	         F.revision, F.revision);
	F.revision++;
	return true;
}

/* The answers that depend on what happened so far. */
static bool hook(struct tbt_fake *f, const char *action, const struct tbt_request *req,
                 struct tbt_response *resp)
{
	bool json = resp->headers != NULL; /* the fake sets a request ID header for JSON */

	if (strcmp(action, "DeleteService") == 0)
		F.deleted = true;
	for (size_t i = 0; F.bundle_gone && i < TB_COUNT(gone_answers); i++)
		if (strcmp(action, gone_answers[i].action) == 0) {
			tbt_fake_error(json, gone_answers[i].body, resp);
			return true;
		}
	if (strcmp(action, "DescribeServices") == 0)
		return describe_services(req, resp);
	if (strcmp(action, "ListTaskDefinitions") == 0) {
		resp->body_owned =
		    tbt_fake_read("service", strstr(req->body ? req->body : "", "\"nextToken\"")
		                                 ? "list_task_definitions_2.json"
		                                 : "list_task_definitions.json");
		return true;
	}
	if (strcmp(action, "DescribeTaskDefinition") == 0 && req->body &&
	    strstr(req->body, "talentbase-web-prod:6\"")) {
		resp->body_owned = tbt_fake_read("service", "describe_task_definition.json");
		replace_all(resp->body_owned, "talentbase-web-prod:7", "talentbase-web-prod:6");
		replace_all(resp->body_owned, "sha-3f9c2e1", "sha-2b7a9d0");
		return true;
	}
	if (strcmp(action, "RegisterTaskDefinition") == 0)
		return register_td(req, resp);
	return false;
}

static int lc_setup(void **state)
{
	if (svc_setup(state) != 0)
		return -1;
	memset(&F, 0, sizeof(F));
	if (tbt_fake_start(&F.aws, "service", answers, TB_COUNT(answers), hook) != 0)
		return -1;
	S = F.aws.server;
	CLIENT = F.aws.client;
	F.services_file = "describe_services_completed.json";
	F.revision = 7;
	return 0;
}

static int lc_teardown(void **state)
{
	tbt_fake_stop(&F.aws);
	return svc_teardown(state);
}

static struct tb_meta lc_meta(const char *env)
{
	struct tb_meta m = svc_meta(env);

	m.aws = CLIENT;
	return m;
}

static size_t called_at(const char *action)
{
	return tbt_fake_called_at(&F.aws, action);
}

static size_t count_calls(const char *action)
{
	return tbt_fake_count(&F.aws, action);
}

static const char *body_of(const char *action, size_t n)
{
	return tbt_fake_body(&F.aws, action, n);
}

static bool sent(const char *action, const char *text)
{
	return tbt_fake_sent(&F.aws, action, text);
}

static const struct tb_value *planned_web(struct tb_call *c)
{
	return svc_plan(c, NULL, svc_config("config_web.json")).planned;
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_service_lifecycle_create(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *planned = planned_web(&c), *out = NULL;

	assert_int_equal(tb_resource_create(&tb_resource_service, &c, planned, &out), 0);
	assert_false(tb_diags_has_errors(&c.diags));
	assert_true(tb_is_wholly_known(out));
	assert_string_equal(svc_str(out, "arn"), SVC_ARN);
	assert_string_equal(svc_str(out, "task_definition_arn"), TD7);
	assert_int_equal(svc_int(out, "task_definition_revision"), 7);
	assert_string_equal(svc_str(out, "target_group_arn"), TG_ARN);
	assert_string_equal(svc_str(out, "listener_rule_arn"), RULE_ARN);
	assert_string_equal(svc_str(out, "log_group_name"), "/ecs/talentbase-web-prod");
	assert_string_equal(svc_str(out, "load_balancer.vpc_id"), "vpc-3ac0fb5f");
	assert_string_equal(
	    svc_str(out, "deployed_image"),
	    "123456789012.dkr.ecr.us-east-1.amazonaws.com/talentbase/web:sha-3f9c2e1");
	/* every value the plan knew is unchanged */
	assert_true(tb_value_equal(tb_kit_fill_unknowns(A, planned, out), out));
	assert_string_equal(svc_str(out, "image_tag"), svc_str(planned, "image_tag"));

	assert_true(called_at("DescribeLoadBalancers") < called_at("CreateTargetGroup"));
	assert_true(called_at("CreateTargetGroup") < called_at("CreateRule"));
	assert_true(called_at("CreateRule") < called_at("CreateService"));
	assert_true(called_at("RegisterTaskDefinition") < called_at("CreateService"));
	assert_true(called_at("CreateLogGroup") < called_at("CreateService"));
	assert_true(called_at("CreateService") < called_at("RegisterScalableTarget"));
	assert_true(called_at("RegisterScalableTarget") < called_at("PutScalingPolicy"));
	assert_int_equal(count_calls("PutScalingPolicy"), 3);
	assert_int_equal(count_calls("PutScheduledAction"), 2);
	assert_true(called_at("PutScheduledAction") < called_at("DescribeServices"));
	/* after the rollout the family's other revisions go, :7 stays */
	assert_true(called_at("DescribeServices") < called_at("ListTaskDefinitions"));
	assert_int_equal(count_calls("DeregisterTaskDefinition"), 3);
	assert_false(sent("DeregisterTaskDefinition", "talentbase-web-prod:7\""));
}

/* A failed step: everything created so far is in the returned state, the
 * rest is null, and the error names step, operation, code and request ID. */
static void test_service_lifecycle_create_fails(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *out = NULL;
	const struct tb_diag *d;

	F.aws.fail_action = "CreateService";
	F.aws.fail_code = "InvalidParameterException";
	assert_int_not_equal(tb_resource_create(&tb_resource_service, &c, planned_web(&c), &out),
	                     0);
	assert_non_null(out);
	assert_true(tb_is_wholly_known(out));
	assert_true(tb_is_null(svc_at(out, "arn")));
	assert_string_equal(svc_str(out, "task_definition_arn"), TD7);
	assert_string_equal(svc_str(out, "target_group_arn"), TG_ARN);
	assert_string_equal(svc_str(out, "listener_rule_arn"), RULE_ARN);
	assert_string_equal(svc_str(out, "log_group_name"), "/ecs/talentbase-web-prod");
	assert_non_null(d = svc_diag(&c, "creating ECS service for talentbase_service "
	                                 "\"talentbase-web-prod\": ecs CreateService: "
	                                 "InvalidParameterException: injected failure"));
	assert_true(tb_str_icontains(d->summary, "request id req-fake-1"));
	assert_int_equal(count_calls("RegisterScalableTarget"), 0);
}

static void test_service_lifecycle_create_fails_early(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *out = NULL;

	F.aws.fail_action = "CreateRule";
	F.aws.fail_code = "PriorityInUse";
	assert_int_not_equal(tb_resource_create(&tb_resource_service, &c, planned_web(&c), &out),
	                     0);
	assert_string_equal(svc_str(out, "target_group_arn"), TG_ARN);
	assert_true(tb_is_null(svc_at(out, "listener_rule_arn")));
	assert_string_equal(svc_str(out, "task_definition_arn"), TD7);
	assert_non_null(svc_diag(&c, "creating target group and listener rule"));
	assert_non_null(svc_diag(&c, "elasticloadbalancing CreateRule: PriorityInUse"));
	assert_non_null(svc_diag(&c, "request id req-query-1"));
	assert_int_equal(count_calls("CreateService"), 0);
}

/* The circuit breaker rolled the deployment back: the apply fails and the
 * diagnostic quotes the events and why tasks stopped. */
static void test_service_lifecycle_rollback(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *out = NULL;
	const struct tb_diag *d;

	F.services_file = "describe_services_rolled_back.json";
	assert_int_equal(tb_resource_create(&tb_resource_service, &c, planned_web(&c), &out),
	                 TB_EFAILED);
	assert_non_null(d = svc_diag(&c, "was rolled back by ECS"));
	assert_true(tb_str_icontains(d->detail, "rolling back to deployment"));
	assert_true(tb_str_icontains(d->detail, "failed ELB health checks"));
	assert_true(tb_str_icontains(d->detail, "CannotPullContainerError"));
	assert_string_equal(svc_str(out, "arn"), SVC_ARN); /* saved tainted */
}

/* ECS is eventually consistent: a service just created may be missing from
 * the first describe. The wait keeps polling instead of failing. */
static void test_service_lifecycle_create_lagging(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *out = NULL;

	F.services_once = "describe_services_missing.json";
	assert_int_equal(tb_resource_create(&tb_resource_service, &c, planned_web(&c), &out), 0);
	assert_false(tb_diags_has_errors(&c.diags));
	assert_string_equal(svc_str(out, "task_definition_arn"), TD7);
}

static const struct tb_value *state_web(struct tb_call *c)
{
	const struct tb_value *out = NULL;

	assert_int_equal(tb_resource_create(&tb_resource_service, c, planned_web(c), &out), 0);
	memset(F.aws.calls, 0, sizeof(F.aws.calls));
	tbt_server_reset(S);
	return out;
}

static void test_service_lifecycle_read(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *prior = state_web(&c), *out = NULL;
	struct tb_plan p;

	assert_int_equal(tb_resource_read(&tb_resource_service, &c, prior, &out), 0);
	if (!tb_value_equal(out, prior))
		fail_msg("read differs at %s", svc_diff(out, prior));

	/* The service is gone but the rest of the bundle is not: the state stays
	 * without the service, and the plan replaces it (destroy removes the rest). */
	F.services_file = "describe_services_missing.json";
	assert_int_equal(tb_resource_read(&tb_resource_service, &c, prior, &out), 0);
	assert_true(tb_is_known(out));
	assert_true(tb_is_null(svc_at(out, "arn")));
	assert_true(tb_value_equal(svc_set(out, "arn", svc_at(prior, "arn")), prior));
	p = svc_plan(&c, out, svc_config("config_web.json"));
	assert_true(svc_replaces(&p, "arn"));
	assert_true(tb_is_unknown(svc_at(p.planned, "arn")));

	/* Nothing left at all: gone, the plan creates it. */
	F.bundle_gone = true;
	assert_int_equal(tb_resource_read(&tb_resource_service, &c, prior, &out), 0);
	assert_true(tb_is_null(out));
	F.services_file = "describe_services_inactive.json";
	assert_int_equal(tb_resource_read(&tb_resource_service, &c, prior, &out), 0);
	assert_true(tb_is_null(out));
}

static void test_service_lifecycle_delete(void **state)
{
	struct tb_meta meta = lc_meta("development");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *prior = state_web(&c);

	prior = svc_set(prior, "logs.retain_on_destroy", tb_bool(A, false));
	assert_int_equal(tb_resource_delete(&tb_resource_service, &c, prior), 0);
	assert_false(tb_diags_has_errors(&c.diags));
	assert_true(called_at("DeleteScalingPolicy") < called_at("DeregisterScalableTarget"));
	assert_true(called_at("DeleteScheduledAction") < called_at("DeregisterScalableTarget"));
	assert_true(called_at("DeregisterScalableTarget") < called_at("UpdateService"));
	assert_true(called_at("UpdateService") < called_at("DeleteService"));
	assert_true(called_at("DeleteService") < called_at("DeleteRule"));
	assert_true(called_at("DeleteRule") < called_at("DeleteTargetGroup"));
	assert_true(called_at("DeleteService") < called_at("ListTaskDefinitions"));
	assert_true(called_at("DeleteService") < called_at("DeregisterTaskDefinition"));
	assert_true(called_at("DeleteService") < called_at("DeleteLogGroup"));
	/* the whole family goes, and nothing of talentbase-web-prod-api / -worker */
	assert_int_equal(count_calls("DeregisterTaskDefinition"), 4);
	for (int rev = 5; rev <= 8; rev++)
		assert_true(sent("DeregisterTaskDefinition",
		                 tb_arena_printf(A, "talentbase-web-prod:%d\"", rev)));
	assert_false(sent("DeregisterTaskDefinition", "talentbase-web-prod-"));
	assert_int_equal(count_calls("DeleteScalingPolicy"), 3);
	assert_int_equal(count_calls("DeleteScheduledAction"), 2);

	/* retain_on_destroy keeps the log group; missing objects are fine */
	memset(F.aws.calls, 0, sizeof(F.aws.calls));
	F.aws.fail_action = "DeleteRule";
	F.aws.fail_code = "RuleNotFound";
	assert_int_equal(
	    tb_resource_delete(&tb_resource_service, &c,
	                       svc_set(prior, "logs.retain_on_destroy", tb_bool(A, true))),
	    0);
	assert_int_equal(count_calls("DeleteLogGroup"), 0);
	assert_int_equal(count_calls("DeleteTargetGroup"), 1);
}

/* Import reads the whole bundle back; the configuration that matches plans
 * no change. */
static void test_service_lifecycle_import(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *out = NULL, *cfg, *sched, *swapped[2];
	struct tb_plan p;

	assert_int_equal(tb_resource_import(&tb_resource_service, &c,
	                                    "talentbase-prod/talentbase-web-prod", &out),
	                 0);
	assert_string_equal(svc_str(out, "role"), "web");
	assert_string_equal(svc_str(out, "load_balancer.listener_arn"), LISTENER);
	assert_string_equal(svc_str(out, "listener_rule_arn"), RULE_ARN);
	assert_int_equal(svc_int(out, "autoscaling.min_capacity"), 2);
	assert_true(called_at("DescribeListeners") < called_at("DescribeRules"));

	/* Not AWS's: timeouts and acknowledge cannot be imported. The schedules
	 * are a set: whatever order the configuration lists them in (AWS's is
	 * by name, the configuration's is not), the plan is empty. */
	cfg = svc_config("config_web.json");
	cfg = svc_set(cfg, "timeouts", tb_null(A, svc_at(cfg, "timeouts")->type));
	cfg = svc_set(cfg, "acknowledge", tb_null(A, svc_at(cfg, "acknowledge")->type));
	sched = svc_at(cfg, "autoscaling.schedule");
	assert_int_equal(sched->type->kind, TB_SET);
	assert_string_equal(svc_str(cfg, "autoscaling.schedule[0].name"), "business-hours");
	assert_string_equal(svc_str(out, "autoscaling.schedule[0].name"), "after-hours");
	swapped[0] = sched->u.coll.items[1];
	swapped[1] = sched->u.coll.items[0];
	for (int order = 0; order < 2; order++) {
		if (order == 1)
			cfg = svc_set(cfg, "autoscaling.schedule",
			              tb_set(A, sched->type, 2, swapped));
		p = svc_plan(&c, out, cfg);
		if (!tb_value_equal(p.planned, out))
			fail_msg("plan after import differs at %s", svc_diff(p.planned, out));
		assert_int_equal(p.n_requires_replace, 0);
		assert_false(tb_diags_has_errors(&c.diags));
	}

	c = svc_call(&meta);
	assert_int_not_equal(tb_resource_import(&tb_resource_service, &c, "no-slash", &out), 0);
	assert_non_null(svc_diag(&c, "Invalid import ID"));
	F.services_file = "describe_services_missing.json";
	assert_int_equal(tb_resource_import(&tb_resource_service, &c, "talentbase-prod/gone", &out),
	                 TB_ENOTFOUND);
	assert_non_null(svc_diag(&c, "non-existent"));
}

/* A new image: a new revision, UpdateService to it, the rollout, and the
 * old revision deregistered; nothing else is touched. */
static void test_service_lifecycle_update_image(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *prior = state_web(&c), *cfg, *out = NULL;
	struct tb_plan p;

	tbt_server_reset(S);
	F.services_follow = true;
	cfg = svc_set(svc_config("config_web.json"), "image_tag", tb_string(A, "sha-4a0d1b2"));
	p = svc_plan(&c, prior, cfg);
	assert_int_equal(tb_resource_update(&tb_resource_service, &c, prior, p.planned, &out), 0);
	assert_false(tb_diags_has_errors(&c.diags));
	assert_true(tb_is_wholly_known(out));
	assert_true(tb_str_has_suffix(svc_str(out, "task_definition_arn"), ":8"));
	assert_int_equal(svc_int(out, "task_definition_revision"), 8);
	assert_true(tb_str_has_suffix(svc_str(out, "deployed_image"), ":sha-4a0d1b2"));
	assert_true(called_at("RegisterTaskDefinition") < called_at("UpdateService"));
	assert_true(called_at("UpdateService") < called_at("DescribeServices"));
	assert_true(called_at("DescribeServices") < called_at("ListTaskDefinitions"));
	assert_true(called_at("ListTaskDefinitions") < called_at("DeregisterTaskDefinition"));
	assert_non_null(strstr(body_of("UpdateService", 0), "talentbase-web-prod:8"));
	assert_null(strstr(body_of("UpdateService", 0), "desiredCount"));
	/* every other ACTIVE revision of exactly the family, over both pages */
	assert_int_equal(count_calls("ListTaskDefinitions"), 2);
	assert_non_null(
	    strstr(body_of("ListTaskDefinitions", 0), "\"familyPrefix\":\"talentbase-web-prod\""));
	assert_non_null(strstr(body_of("ListTaskDefinitions", 0), "\"status\":\"ACTIVE\""));
	assert_non_null(strstr(body_of("ListTaskDefinitions", 1), "\"nextToken\""));
	assert_int_equal(count_calls("DeregisterTaskDefinition"), 3);
	assert_true(sent("DeregisterTaskDefinition", "talentbase-web-prod:5\""));
	assert_true(sent("DeregisterTaskDefinition", "talentbase-web-prod:6\""));
	assert_true(sent("DeregisterTaskDefinition", "talentbase-web-prod:7\""));
	assert_int_equal(count_calls("CreateTargetGroup") + count_calls("ModifyTargetGroup") +
	                     count_calls("ModifyRule") + count_calls("PutScalingPolicy") +
	                     count_calls("PutRetentionPolicy") + count_calls("TagResource"),
	                 0);
}

/* Settings outside the task definition change in place, each through its
 * own call; no new revision, no rollout wait. */
static void test_service_lifecycle_update_in_place(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *prior = state_web(&c), *cfg, *out = NULL, *sched;
	struct tb_plan p;

	tbt_server_reset(S);
	cfg = svc_config("config_web.json");
	cfg = svc_set(cfg, "load_balancer.priority", tb_int(A, 90));
	cfg = svc_set(cfg, "load_balancer.deregistration_delay", tb_int(A, 20));
	cfg = svc_set(cfg, "load_balancer.health_check.path", tb_string(A, "/ready"));
	cfg = svc_set(cfg, "autoscaling.cpu_target", tb_int(A, 60));
	cfg = svc_set(cfg, "logs.retention_days", tb_int(A, 90));
	sched = svc_at(cfg, "autoscaling.schedule");
	cfg = svc_set(cfg, "autoscaling.schedule", tb_set(A, sched->type, 1, sched->u.coll.items));
	p = svc_plan(&c, prior, cfg);
	assert_int_equal(tb_resource_update(&tb_resource_service, &c, prior, p.planned, &out), 0);
	assert_false(tb_diags_has_errors(&c.diags));
	assert_int_equal(svc_int(out, "load_balancer.priority"), 90);
	assert_int_equal(count_calls("SetRulePriorities"), 1);
	assert_int_equal(count_calls("ModifyRule"), 0);
	assert_int_equal(count_calls("ModifyTargetGroup"), 1);
	assert_non_null(strstr(body_of("ModifyTargetGroup", 0), "HealthCheckPath=%2Fready"));
	assert_int_equal(count_calls("ModifyTargetGroupAttributes"), 1);
	assert_int_equal(count_calls("PutScalingPolicy"), 1);
	assert_non_null(strstr(body_of("PutScalingPolicy", 0), "talentbase-web-prod-cpu"));
	assert_int_equal(count_calls("DeleteScheduledAction"), 1);
	assert_non_null(strstr(body_of("DeleteScheduledAction", 0), "after-hours"));
	assert_int_equal(count_calls("PutScheduledAction"), 0);
	assert_int_equal(count_calls("RegisterScalableTarget"), 0);
	assert_int_equal(count_calls("PutRetentionPolicy"), 1);
	assert_int_equal(count_calls("RegisterTaskDefinition") + count_calls("UpdateService") +
	                     count_calls("DescribeServices"),
	                 0);
}

/* Schedules are a set diffed by name: listing them in another order plans
 * nothing; a changed one is put again, a new one put, a removed one
 * deleted, nothing else called, and the state after the apply is the
 * planned set. */
static void test_service_lifecycle_update_schedules(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *prior = state_web(&c), *cfg, *out = NULL, *sched, *items[2];
	struct tb_plan p;
	char *puts;

	tbt_server_reset(S);
	cfg = svc_config("config_web.json");
	sched = svc_at(cfg, "autoscaling.schedule");
	items[0] = sched->u.coll.items[1];
	items[1] = sched->u.coll.items[0];
	cfg = svc_set(cfg, "autoscaling.schedule", tb_set(A, sched->type, 2, items));
	p = svc_plan(&c, prior, cfg);
	if (!tb_value_equal(p.planned, prior))
		fail_msg("reordered schedules plan a change at %s", svc_diff(p.planned, prior));

	/* after-hours out, weekend-off in (first), business-hours' maximum 8 */
	items[0] = tb_object_with(A, sched->u.coll.items[1], "name", tb_string(A, "weekend-off"));
	items[0] = tb_object_with(A, items[0], "schedule", tb_string(A, "cron(0 0 ? * SAT *)"));
	items[1] = tb_object_with(A, sched->u.coll.items[0], "max_capacity", tb_int(A, 8));
	cfg = svc_set(cfg, "autoscaling.schedule", tb_set(A, sched->type, 2, items));
	p = svc_plan(&c, prior, cfg);
	assert_false(tb_diags_has_errors(&c.diags));
	assert_int_equal(p.n_requires_replace, 0);
	assert_int_equal(tb_resource_update(&tb_resource_service, &c, prior, p.planned, &out), 0);
	assert_false(tb_diags_has_errors(&c.diags));
	assert_int_equal(count_calls("PutScheduledAction"), 2);
	puts = tb_arena_printf(A, "%s %s", body_of("PutScheduledAction", 0),
	                       body_of("PutScheduledAction", 1));
	assert_non_null(strstr(puts, "\"weekend-off\""));
	assert_non_null(strstr(puts, "\"business-hours\""));
	assert_non_null(strstr(puts, "\"MaxCapacity\":8"));
	assert_int_equal(count_calls("DeleteScheduledAction"), 1);
	assert_non_null(strstr(body_of("DeleteScheduledAction", 0), "after-hours"));
	assert_int_equal(count_calls("RegisterScalableTarget") + count_calls("PutScalingPolicy") +
	                     count_calls("RegisterTaskDefinition") + count_calls("UpdateService"),
	                 0);
	assert_int_equal(svc_at(out, "autoscaling.schedule")->type->kind, TB_SET);
	if (!tb_value_equal(out, p.planned))
		fail_msg("state after apply differs from the plan at %s", svc_diff(out, p.planned));
}

/* The new revision is rolled back: the update fails, the state is what AWS
 * runs (the revision rolled back to), and the unused new revision is
 * deregistered. */
static void test_service_lifecycle_update_rolled_back(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *prior = state_web(&c), *cfg, *out = NULL;
	struct tb_plan p;

	tbt_server_reset(S);
	F.services_file = "describe_services_rolled_back.json";
	cfg = svc_set(svc_config("config_web.json"), "image_tag", tb_string(A, "sha-bad"));
	p = svc_plan(&c, prior, cfg);
	assert_int_equal(tb_resource_update(&tb_resource_service, &c, prior, p.planned, &out),
	                 TB_EFAILED);
	assert_non_null(svc_diag(&c, "was rolled back by ECS"));
	assert_int_equal(count_calls("DeregisterTaskDefinition"), 1);
	assert_non_null(strstr(body_of("DeregisterTaskDefinition", 0), "talentbase-web-prod:8"));
	/* what runs: the revision ECS rolled back to (:6 in the recorded answer) */
	assert_non_null(out);
	assert_true(tb_str_has_suffix(svc_str(out, "task_definition_arn"), ":6"));
	assert_string_equal(svc_str(out, "image_tag"), "sha-2b7a9d0");
}

/*
 * deployment.wait_for_steady_state = false. Create returns before any
 * rollout completed: deployed_image is null and nothing waits. A refresh
 * derives it from the deployments: the completed ACTIVE one while the new
 * PRIMARY is in progress (one DescribeTaskDefinition for that older
 * revision), the PRIMARY once it completed, none while rolling back. An
 * update to a new image plans deployed_image unknown, returns what served
 * before, and deregisters only revisions no deployment uses.
 */
static void test_service_lifecycle_deployed_image(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *cfg, *prior = NULL, *out = NULL;
	struct tb_plan p;

	F.services_file = "describe_services_in_progress.json";
	cfg = svc_set(svc_config("config_web.json"), "deployment.wait_for_steady_state",
	              tb_bool(A, false));
	p = svc_plan(&c, NULL, cfg);
	assert_true(tb_is_unknown(svc_at(p.planned, "deployed_image")));
	assert_int_equal(tb_resource_create(&tb_resource_service, &c, p.planned, &prior), 0);
	assert_false(tb_diags_has_errors(&c.diags));
	assert_true(tb_is_null(svc_at(prior, "deployed_image")));
	assert_int_equal(count_calls("DescribeServices"), 0);

	tbt_server_reset(S);
	memset(F.aws.calls, 0, sizeof(F.aws.calls));
	assert_int_equal(tb_resource_read(&tb_resource_service, &c, prior, &out), 0);
	assert_string_equal(
	    svc_str(out, "deployed_image"),
	    "123456789012.dkr.ecr.us-east-1.amazonaws.com/talentbase/web:sha-2b7a9d0");
	/* Only the serving revision is described: the service still uses the
	 * recorded one, and a revision never changes. */
	assert_int_equal(count_calls("DescribeTaskDefinition"), 1);
	assert_true(sent("DescribeTaskDefinition", "talentbase-web-prod:6\""));

	memset(F.aws.calls, 0, sizeof(F.aws.calls));
	F.services_file = "describe_services_completed.json";
	assert_int_equal(tb_resource_read(&tb_resource_service, &c, prior, &out), 0);
	assert_string_equal(
	    svc_str(out, "deployed_image"),
	    "123456789012.dkr.ecr.us-east-1.amazonaws.com/talentbase/web:sha-3f9c2e1");
	assert_int_equal(count_calls("DescribeTaskDefinition"), 0);
	F.services_file = "describe_services_rolled_back.json";
	assert_int_equal(tb_resource_read(&tb_resource_service, &c, prior, &out), 0);
	assert_true(tb_is_null(svc_at(out, "deployed_image")));

	/* a new image, not waited for: :8 PRIMARY in progress, :6 still serving */
	F.services_file = "describe_services_in_progress.json";
	F.services_follow = true;
	assert_int_equal(tb_resource_read(&tb_resource_service, &c, prior, &prior), 0);
	p = svc_plan(&c, prior, svc_set(cfg, "image_tag", tb_string(A, "sha-4a0d1b2")));
	assert_true(tb_is_unknown(svc_at(p.planned, "deployed_image")));
	tbt_server_reset(S);
	memset(F.aws.calls, 0, sizeof(F.aws.calls));
	assert_int_equal(tb_resource_update(&tb_resource_service, &c, prior, p.planned, &out), 0);
	assert_false(tb_diags_has_errors(&c.diags));
	assert_string_equal(svc_str(out, "deployed_image"), svc_str(prior, "deployed_image"));
	assert_true(called_at("UpdateService") < called_at("DescribeServices"));
	assert_true(sent("DeregisterTaskDefinition", "talentbase-web-prod:5\""));
	assert_true(sent("DeregisterTaskDefinition", "talentbase-web-prod:7\""));
	assert_false(sent("DeregisterTaskDefinition", "talentbase-web-prod:6\""));
	assert_false(sent("DeregisterTaskDefinition", "talentbase-web-prod:8\""));

	/* a change outside the task definition keeps the refreshed value */
	p = svc_plan(&c, prior, svc_set(cfg, "load_balancer.priority", tb_int(A, 90)));
	assert_true(
	    tb_value_equal(svc_at(p.planned, "deployed_image"), svc_at(prior, "deployed_image")));
}

/* New tags reach every taggable object; removed keys are untagged. */
static void test_service_lifecycle_update_tags(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = svc_call(&meta);
	const struct tb_value *prior = state_web(&c), *cfg, *out = NULL;
	struct tb_plan p;

	tbt_server_reset(S);
	cfg = svc_set(svc_config("config_web.json"), "tags", svc_tags("{\"Team\":\"growth\"}"));
	p = svc_plan(&c, prior, cfg);
	assert_int_equal(tb_resource_update(&tb_resource_service, &c, prior, p.planned, &out), 0);
	assert_false(tb_diags_has_errors(&c.diags));
	assert_int_equal(tb_len(svc_at(out, "tags_all")), 3);
	/* ECS service and task definition, log group, scalable target */
	assert_int_equal(count_calls("TagResource"), 4);
	assert_int_equal(count_calls("UntagResource"), 4);
	assert_int_equal(count_calls("AddTags"), 1);
	assert_int_equal(count_calls("RemoveTags"), 1);
	assert_non_null(strstr(body_of("AddTags", 0), "ResourceArns.member.2="));
	assert_non_null(strstr(body_of("RemoveTags", 0), "TagKeys.member.1=Service"));
	assert_int_equal(count_calls("RegisterTaskDefinition") + count_calls("UpdateService"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_service_lifecycle_create, lc_setup, lc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_lifecycle_create_fails, lc_setup,
	                                    lc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_lifecycle_create_fails_early, lc_setup,
	                                    lc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_lifecycle_rollback, lc_setup, lc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_lifecycle_create_lagging, lc_setup,
	                                    lc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_lifecycle_read, lc_setup, lc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_lifecycle_delete, lc_setup, lc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_lifecycle_import, lc_setup, lc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_lifecycle_update_image, lc_setup,
	                                    lc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_lifecycle_update_in_place, lc_setup,
	                                    lc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_lifecycle_update_schedules, lc_setup,
	                                    lc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_lifecycle_update_rolled_back, lc_setup,
	                                    lc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_lifecycle_deployed_image, lc_setup,
	                                    lc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_lifecycle_update_tags, lc_setup,
	                                    lc_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
