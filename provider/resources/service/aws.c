/*
 * talentbase_service: find / status / wait helpers and the read and delete
 * sequences of the bundle. Every AWS call goes through tb_aws_*; nothing
 * here knows an emulator from AWS.
 */
#include <stddef.h>
#include <string.h>

#include "resources/service/service.h"
#include "tb/log.h"

#define TG_IN_USE_RETRY_MS (3 * 60 * 1000)
#define TG_IN_USE_DELAY_MS 5000
#define ROLLOUT_SETTLE_MS  (60 * 1000)

/* ---- finding the service -------------------------------------------------------- */

/* DescribeServices of one service. See service.h. */
int tb_service_find(struct tb_aws_ctx *ctx, const char *cluster, const char *name, json_t **out)
{
	json_t *body =
	    tb_aws_json_own(ctx->arena, json_pack("{s:s, s:[s], s:[s]}", "cluster", cluster,
	                                          "services", name, "include", "TAGS"));
	json_t *resp = NULL;
	const json_t *svc;
	int err;

	if (body == NULL)
		return TB_ENOMEM;
	err = tb_kit_call(ctx, "ecs", "DescribeServices", body, &resp);
	if (err != 0)
		return err;
	svc = json_array_get(json_object_get(resp, "services"), 0);
	if (svc == NULL || tb_str_eq(json_string_value(json_object_get(svc, "status")), "INACTIVE"))
		return TB_ENOTFOUND;
	*out = resp;
	return 0;
}

/* ---- load balancer lookups -------------------------------------------------------- */

static int query1(struct tb_aws_ctx *ctx, const char *action, const char *name, const char *value,
                  const struct tb_xml **out)
{
	struct tb_aws_params p;
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_aws_params_add(&p, name, value);
	return err == 0 ? tb_aws_query(ctx, "elasticloadbalancing", action, &p, out) : err;
}

/* Fills lb.vpc_id from the listener's load balancer. See service.h. */
int tb_service_resolve_vpc(const struct tb_op *op, struct tb_aws_ctx *ctx, struct tb_svc *s)
{
	const struct tb_xml *r = NULL;
	const char *lb;
	int err;

	if (!s->lb.set || (s->lb.vpc_id && *s->lb.vpc_id))
		return 0;
	err = query1(ctx, "DescribeListeners", "ListenerArns.member.1", s->lb.listener_arn, &r);
	if (err != 0)
		return err;
	if ((lb = tb_xml_text(r, "Listeners/member/LoadBalancerArn")) == NULL)
		return TB_ENOTFOUND;
	err = query1(ctx, "DescribeLoadBalancers", "LoadBalancerArns.member.1", lb, &r);
	if (err != 0)
		return err;
	s->lb_arn = lb;
	s->lb.vpc_id = tb_xml_text(r, "LoadBalancers/member/VpcId");
	return s->lb.vpc_id ? 0 : TB_ENOTFOUND;
}

/* "…:listener-rule/app/lb/id/listener-id/rule-id" -> "…:listener/app/lb/id/listener-id". */
static const char *listener_of_rule(struct tb_arena *a, const char *rule_arn)
{
	const char *mark = rule_arn ? strstr(rule_arn, ":listener-rule/") : NULL;
	const char *last = rule_arn ? strrchr(rule_arn, '/') : NULL;

	if (mark == NULL || last == NULL || last < mark)
		return NULL;
	return tb_arena_printf(a, "%.*s:listener/%.*s", (int)(mark - rule_arn), rule_arn,
	                       (int)(last - mark - strlen(":listener-rule/")),
	                       mark + strlen(":listener-rule/"));
}

static bool rule_forwards_to(const struct tb_xml *rule, const char *tg_arn)
{
	const struct tb_xml *actions = tb_xml_child(rule, "Actions");

	for (const struct tb_xml *act = actions ? actions->children : NULL; act; act = act->next) {
		const struct tb_xml *groups = tb_xml_path(act, "ForwardConfig/TargetGroups");
		if (tb_str_eq(tb_xml_text(act, "TargetGroupArn"), tg_arn))
			return true;
		for (const struct tb_xml *g = groups ? groups->children : NULL; g; g = g->next)
			if (tb_str_eq(tb_xml_text(g, "TargetGroupArn"), tg_arn))
				return true;
	}
	return false;
}

struct rule_search {
	struct tb_arena *a;
	struct tb_svc *s;
	const char *found_listener;
	const struct tb_xml *found;
};

static int search_rules_page(void *ud, const struct tb_xml *result)
{
	struct rule_search *rs = ud;
	const struct tb_xml *rules = tb_xml_child(result, "Rules");

	for (const struct tb_xml *r = rules ? rules->children : NULL; r; r = r->next)
		if (rule_forwards_to(r, rs->s->target_group_arn)) {
			rs->found = r;
			return 1;
		}
	return 0;
}

/* Import: the rule forwarding to the target group, on the listeners of the
 * target group's load balancer. Leaves s untouched when there is none. */
static int find_rule_by_tg(struct tb_aws_ctx *ctx, struct tb_svc *s)
{
	struct rule_search rs = {.a = ctx->arena, .s = s};
	const struct tb_xml *r = NULL, *list;
	int err;

	if (s->lb_arn == NULL)
		return 0;
	err = query1(ctx, "DescribeListeners", "LoadBalancerArn", s->lb_arn, &r);
	list = tb_xml_child(r, "Listeners");
	for (const struct tb_xml *l = list ? list->children : NULL; l && err == 0 && !rs.found;
	     l = l->next) {
		struct tb_aws_params p;
		tb_aws_params_init(&p, ctx->arena);
		rs.found_listener = tb_xml_text(l, "ListenerArn");
		err = tb_aws_params_add(&p, "ListenerArn", rs.found_listener);
		if (err == 0)
			err = tb_aws_query_paginate(ctx, "elasticloadbalancing", "DescribeRules",
			                            &p, "NextMarker", search_rules_page, &rs);
	}
	if (err != 0 || rs.found == NULL)
		return err;
	s->lb.listener_arn = rs.found_listener;
	return tb_service_flatten_rule(ctx->arena, rs.found, s);
}

static int read_rule(struct tb_aws_ctx *ctx, struct tb_svc *s)
{
	const struct tb_xml *r = NULL;
	int err;

	if (s->listener_rule_arn == NULL || *s->listener_rule_arn == '\0')
		return find_rule_by_tg(ctx, s);
	err = query1(ctx, "DescribeRules", "RuleArns.member.1", s->listener_rule_arn, &r);
	if (err == TB_ENOTFOUND || (err == 0 && tb_xml_path(r, "Rules/member") == NULL)) {
		s->listener_rule_arn = NULL;
		s->lb.priority = 0;
		return 0;
	}
	if (err == 0)
		err = tb_service_flatten_rule(ctx->arena, tb_xml_path(r, "Rules/member"), s);
	if (err == 0 && listener_of_rule(ctx->arena, s->listener_rule_arn))
		s->lb.listener_arn = listener_of_rule(ctx->arena, s->listener_rule_arn);
	return err;
}

/* ---- reading the bundle ------------------------------------------------------------ */

static int read_lb(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	const struct tb_xml *r = NULL;
	int err;

	if (!s->lb.set)
		return 0;
	err = query1(ctx, "DescribeTargetGroups", "TargetGroupArns.member.1", s->target_group_arn,
	             &r);
	if (err == TB_ENOTFOUND || (err == 0 && tb_xml_path(r, "TargetGroups/member") == NULL)) {
		/* The target group cannot be rebuilt in place: an empty listener
		 * (a force-new attribute) makes the plan replace the service. */
		s->lb.listener_arn = "";
		return 0;
	}
	if (err == 0)
		err = tb_service_flatten_tg(ctx->arena, tb_xml_path(r, "TargetGroups/member"), s);
	if (err == 0)
		err = query1(ctx, "DescribeTargetGroupAttributes", "TargetGroupArn",
		             s->target_group_arn, &r);
	if (err == 0)
		err = tb_service_flatten_tg_attrs(ctx->arena, r, s);
	return err == 0 ? read_rule(ctx, s) : err;
}

static json_t *scaling_query(struct tb_arena *a, const struct tb_svc *s, bool plural)
{
	char *id = tb_service_scaling_id(a, s->cluster, s->name);
	json_t *body = id ? json_pack("{s:s, s:s}", "ServiceNamespace", "ecs", "ScalableDimension",
	                              TB_SVC_DIMENSION)
	                  : NULL;

	if (body && json_object_set_new(body, plural ? "ResourceIds" : "ResourceId",
	                                plural ? json_pack("[s]", id) : json_string(id)) != 0) {
		json_decref(body);
		body = NULL;
	}
	return tb_aws_json_own(a, body);
}

static int read_scaling(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	struct tb_arena *a = ctx->arena;
	json_t *targets = NULL, *policies = NULL, *actions = NULL;
	int err = tb_aws_json_all(ctx, "application-autoscaling", "DescribeScalableTargets",
	                          scaling_query(a, s, true), "ScalableTargets", &targets);

	if (err == 0 && json_array_size(json_object_get(targets, "ScalableTargets")) > 0)
		err = tb_aws_json_all(ctx, "application-autoscaling", "DescribeScalingPolicies",
		                      scaling_query(a, s, false), "ScalingPolicies", &policies);
	if (err == 0 && targets && json_array_size(json_object_get(targets, "ScalableTargets")) > 0)
		err = tb_aws_json_all(ctx, "application-autoscaling", "DescribeScheduledActions",
		                      scaling_query(a, s, false), "ScheduledActions", &actions);
	return err == 0 ? tb_service_flatten_scaling(a, targets, policies, actions, s) : err;
}

static int read_logs(struct tb_aws_ctx *ctx, struct tb_svc *s)
{
	const char *group =
	    s->log_group_name ? s->log_group_name : tb_service_log_group(ctx->arena, s->name);
	json_t *body = tb_aws_json_own(ctx->arena, json_pack("{s:s}", "logGroupNamePrefix", group));
	json_t *groups = NULL;
	int err;

	if (body == NULL || group == NULL)
		return TB_ENOMEM;
	err = tb_aws_json_all(ctx, "logs", "DescribeLogGroups", body, "logGroups", &groups);
	if (err == 0)
		s->log_group_name = NULL;
	return err == 0 ? tb_service_flatten_logs(ctx->arena, groups, group, s) : err;
}

static int read_td_and_logs(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	json_t *body = tb_aws_json_own(
	    ctx->arena,
	    json_pack("{s:s, s:[s]}", "taskDefinition",
	              s->task_definition_arn ? s->task_definition_arn : "", "include", "TAGS"));
	json_t *resp = NULL;
	int err = body ? tb_kit_call(ctx, "ecs", "DescribeTaskDefinition", body, &resp) : TB_ENOMEM;

	if (err == TB_ENOTFOUND || err == TB_EVALIDATION) {
		/* Deleted out of band: no image, so the plan registers a new one. */
		s->image = s->image_tag = NULL;
		err = 0;
	} else if (err == 0) {
		err = tb_service_flatten_td(ctx->arena, json_object_get(resp, "taskDefinition"), s);
	}
	return err == 0 ? read_logs(ctx, s) : err;
}

/* What each read step found, into the settings. */
static void merge_td_and_logs(void *state, const void *slot)
{
	struct tb_svc *s = state;
	const struct tb_svc *r = slot;

	s->task_definition_arn = r->task_definition_arn;
	s->task_definition_revision = r->task_definition_revision;
	s->image = r->image;
	s->image_tag = r->image_tag;
	s->cpu = r->cpu;
	s->memory = r->memory;
	s->port = r->port;
	s->execution_role_arn = r->execution_role_arn;
	s->task_role_arn = r->task_role_arn;
	s->environment = r->environment;
	s->secrets = r->secrets;
	s->hc = r->hc;
	s->logs = r->logs;
	s->log_group_name = r->log_group_name;
}

static void merge_lb(void *state, const void *slot)
{
	struct tb_svc *s = state;
	const struct tb_svc *r = slot;

	s->lb = r->lb;
	s->lb_arn = r->lb_arn;
	s->target_group_arn = r->target_group_arn;
	s->listener_rule_arn = r->listener_rule_arn;
}

static void merge_scaling(void *state, const void *slot)
{
	((struct tb_svc *)state)->as = ((const struct tb_svc *)slot)->as;
}

/* clang-format off */
static const struct tb_kit_step read_steps[] = {
    {.name = "reading task definition and log group", .run = read_td_and_logs, .merge = merge_td_and_logs},
    {.name = "reading target group and listener rule", .run = read_lb, .merge = merge_lb},
    {.name = "reading autoscaling", .run = read_scaling, .merge = merge_scaling},
};
/* clang-format on */

/* deployed_image: the image of the newest deployment whose rollout
 * completed. The service's current revision is described already; an older
 * one costs one DescribeTaskDefinition. */
static int read_deployed_image(struct tb_op *op, const json_t *describe, struct tb_svc *s)
{
	struct tb_arena *a = op->call->arena;
	const char *td = tb_service_deployed_td(describe);
	json_t *resp = NULL;
	int err;

	s->deployed_image = NULL;
	if (td == NULL)
		return 0;
	if (tb_str_eq(td, s->task_definition_arn)) {
		if (s->image)
			s->deployed_image = tb_service_image_ref(a, s->image, s->image_tag);
		return 0;
	}
	err = tb_kit_call(&op->ctx, "ecs", "DescribeTaskDefinition",
	                  tb_aws_json_own(a, json_pack("{s:s}", "taskDefinition", td)), &resp);
	/* ECS answers ClientException for a revision that does not exist. */
	if (err == TB_ENOTFOUND || err == TB_EVALIDATION)
		return 0;
	if (err != 0)
		return tb_kit_fail(op, &op->ctx, "reading the deployed task definition", err);
	s->deployed_image =
	    tb_service_td_image(a, json_object_get(resp, "taskDefinition"), s->name);
	return 0;
}

/* Reads the whole bundle. See service.h. */
int tb_service_read_bundle(struct tb_op *op, struct tb_svc *s)
{
	json_t *resp = NULL;
	int err = tb_service_find(&op->ctx, s->cluster, s->name, &resp);

	if (err == TB_ENOTFOUND)
		return err;
	if (err == 0)
		err = tb_service_flatten_service(
		    op->call->arena, json_array_get(json_object_get(resp, "services"), 0), s);
	if (err != 0)
		return tb_kit_fail(op, &op->ctx, "reading ECS service", err);
	err = TB_KIT_RUN(op, s, read_steps);
	return err == 0 ? read_deployed_image(op, resp, s) : err;
}

/* Each answers whether one recorded object still exists (0 and *found), or
 * an error; not found is an answer, not an error. */
static int tg_exists(struct tb_aws_ctx *ctx, const struct tb_svc *s, bool *found)
{
	const struct tb_xml *r = NULL;
	int err = query1(ctx, "DescribeTargetGroups", "TargetGroupArns.member.1",
	                 s->target_group_arn, &r);

	*found = err == 0 && tb_xml_path(r, "TargetGroups/member") != NULL;
	return err == TB_ENOTFOUND ? 0 : err;
}

static int rule_exists(struct tb_aws_ctx *ctx, const struct tb_svc *s, bool *found)
{
	const struct tb_xml *r = NULL;
	int err = query1(ctx, "DescribeRules", "RuleArns.member.1", s->listener_rule_arn, &r);

	*found = err == 0 && tb_xml_path(r, "Rules/member") != NULL;
	return err == TB_ENOTFOUND ? 0 : err;
}

static int td_active(struct tb_aws_ctx *ctx, const struct tb_svc *s, bool *found)
{
	json_t *td = NULL;
	int err = tb_kit_call(ctx, "ecs", "DescribeTaskDefinition",
	                      tb_aws_json_own(ctx->arena, json_pack("{s:s}", "taskDefinition",
	                                                            s->task_definition_arn)),
	                      &td);
	const char *status =
	    json_string_value(json_object_get(json_object_get(td, "taskDefinition"), "status"));

	*found = err == 0 && tb_str_eq(status, "ACTIVE");
	/* ECS answers ClientException for a revision that does not exist. */
	return err == TB_ENOTFOUND || err == TB_EVALIDATION ? 0 : err;
}

struct leftover {
	size_t id_off; /* the recorded ID in struct tb_svc */
	int (*check)(struct tb_aws_ctx *ctx, const struct tb_svc *s, bool *found);
};

/* clang-format off */
static const struct leftover leftovers[] = {
    {.id_off = offsetof(struct tb_svc, target_group_arn), .check = tg_exists},
    {.id_off = offsetof(struct tb_svc, listener_rule_arn), .check = rule_exists},
    {.id_off = offsetof(struct tb_svc, task_definition_arn), .check = td_active},
};
/* clang-format on */

/* Whether recorded objects outlive the service. See service.h. */
int tb_service_leftovers(struct tb_op *op, const struct tb_svc *s, bool *out)
{
	bool any = false;
	int err = 0;

	for (size_t i = 0; i < TB_COUNT(leftovers) && !any && err == 0; i++) {
		const char *id = *(const char *const *)((const char *)s + leftovers[i].id_off);
		if (id && *id)
			err = leftovers[i].check(&op->ctx, s, &any);
	}
	if (err != 0)
		return tb_kit_fail(op, &op->ctx, "looking for objects left by the service", err);
	*out = any;
	return 0;
}

/* ---- waiting for a rollout ----------------------------------------------------------- */

struct rollout_wait {
	const struct tb_svc *s;
	int64_t settle_until; /* until then ECS may not show what was just written */
	struct tb_svc_rollout_result r;
};

/* Whether one of the service's newest events tells of a rollback. */
static bool recent_rollback(const json_t *describe)
{
	const json_t *svc = json_array_get(json_object_get(describe, "services"), 0);
	const json_t *events = json_object_get(svc, "events");

	for (size_t i = 0; i < json_array_size(events) && i < 5; i++)
		if (tb_str_icontains(
		        json_string_value(json_object_get(json_array_get(events, i), "message")),
		        "rolling back"))
			return true;
	return false;
}

/* ECS is eventually consistent: right after CreateService or UpdateService a
 * describe may miss the service or its new deployment. Early on, and unless
 * the events tell of a rollback, that reads as still in progress rather than
 * as gone or rolled back. */
static bool maybe_lagging(struct tb_arena *a, const struct rollout_wait *w, const json_t *describe)
{
	struct tb_strs tds = {.n = 0};

	if (tb_now_ms() >= w->settle_until)
		return false;
	if (w->r.state == TB_SVC_ROLLOUT_GONE)
		return true;
	if (w->r.state != TB_SVC_ROLLOUT_ROLLED_BACK || w->s->task_definition_arn == NULL ||
	    recent_rollback(describe) || tb_service_deployment_tds(a, describe, &tds) != 0)
		return false;
	for (size_t i = 0; i < tds.n; i++)
		if (tb_str_eq(tds.v[i], w->s->task_definition_arn))
			return false;
	return true;
}

static int rollout_refresh(struct tb_aws_ctx *ctx, void *ud, const char **state)
{
	struct rollout_wait *w = ud;
	json_t *resp = NULL;
	int err = tb_service_find(ctx, w->s->cluster, w->s->name, &resp);

	if (err == TB_ENOTFOUND) {
		w->r.state = TB_SVC_ROLLOUT_GONE;
		w->r.reason = "the service is missing";
		err = 0;
	} else if (err == 0) {
		err =
		    tb_service_rollout_classify(ctx->arena, resp, w->s->task_definition_arn, &w->r);
	}
	if (err == 0)
		*state = tb_service_rollout_name(
		    maybe_lagging(ctx->arena, w, resp) ? TB_SVC_ROLLOUT_IN_PROGRESS : w->r.state);
	return err;
}

/* Why the service's last tasks stopped (best effort: failures are ignored). */
static const char *stopped_tasks(struct tb_aws_ctx *ctx, const struct tb_svc *s)
{
	json_t *list = tb_aws_json_own(
	    ctx->arena, json_pack("{s:s, s:s, s:s, s:i}", "cluster", s->cluster, "serviceName",
	                          s->name, "desiredStatus", "STOPPED", "maxResults", 3));
	json_t *arns = NULL, *tasks = NULL, *body;

	if (list == NULL || tb_kit_call(ctx, "ecs", "ListTasks", list, &arns) != 0)
		return NULL;
	if (json_array_size(json_object_get(arns, "taskArns")) == 0)
		return NULL;
	body = tb_aws_json_own(ctx->arena, json_pack("{s:s, s:O}", "cluster", s->cluster, "tasks",
	                                             json_object_get(arns, "taskArns")));
	if (body == NULL || tb_kit_call(ctx, "ecs", "DescribeTasks", body, &tasks) != 0)
		return NULL;
	return tb_service_stopped_reasons(ctx->arena, tasks);
}

static void rollout_diag(struct tb_op *op, const struct tb_svc *s, const struct rollout_wait *w,
                         int err)
{
	struct tb_arena *a = op->call->arena;
	const char *what = err == TB_ETIMEOUT                         ? "timed out"
	                   : err == TB_ECANCELED                      ? "was interrupted"
	                   : w->r.state == TB_SVC_ROLLOUT_ROLLED_BACK ? "was rolled back by ECS"
	                                                              : "failed";
	const char *tasks = err == TB_EFAILED ? stopped_tasks(&op->ctx, s) : NULL;

	tb_diag_add(&op->call->diags, TB_SEV_ERROR, NULL,
	            tb_arena_printf(a, "rollout of %s \"%s\" %s", TB_SVC_RESOURCE, op->rname, what),
	            tb_arena_printf(a,
	                            "ECS service %s, task definition %s:\n%s\n\nRecent service "
	                            "events:\n%s%s%s\n\nFix the cause and apply again; the "
	                            "resource stays in state so the next apply converges.",
	                            s->name, s->task_definition_arn ? s->task_definition_arn : "?",
	                            w->r.reason ? w->r.reason : tb_strerror(err),
	                            w->r.events ? w->r.events : "  (none)",
	                            tasks ? "\n\nStopped tasks:\n" : "", tasks ? tasks : ""));
}

/* Waits for the rollout of s->task_definition_arn. See service.h. */
int tb_service_wait_rollout(struct tb_op *op, struct tb_svc *s)
{
	static const char *const pending[] = {"IN_PROGRESS", NULL};
	static const char *const target[] = {"COMPLETED", NULL};
	static const char *const failure[] = {"FAILED", "ROLLED_BACK", "GONE", NULL};
	struct rollout_wait w = {.s = s, .settle_until = tb_now_ms() + ROLLOUT_SETTLE_MS};
	int64_t left = op->ctx.deadline_ms ? op->ctx.deadline_ms - tb_now_ms() : 0;
	struct tb_aws_waiter waiter = {
	    .what =
	        tb_arena_printf(op->call->arena, "ECS service %s to reach steady state", s->name),
	    .pending = pending,
	    .target = target,
	    .failure = failure,
	    .timeout_ms = left > 0 ? left : 30 * 60 * 1000,
	    .min_delay_ms = 5000,
	    .max_delay_ms = 30000,
	    .refresh = rollout_refresh,
	    .ud = &w,
	};
	int err = tb_aws_wait(&op->ctx, &waiter);

	if (err == 0) {
		s->deployed_image = tb_service_image_ref(op->call->arena, s->image, s->image_tag);
		return 0;
	}
	if (err == TB_EFAILED || err == TB_ETIMEOUT || err == TB_ECANCELED) {
		rollout_diag(op, s, &w, err);
		return err;
	}
	return tb_kit_fail(op, &op->ctx, "waiting for the rollout", err);
}

/* ---- deleting ------------------------------------------------------------------------ */

/* A delete call for each item of list_key in answer, named by name_key. */
static size_t delete_calls(struct tb_arena *a, const struct tb_svc *s, const json_t *answer,
                           const char *list_key, const char *name_key, const char *action,
                           struct tb_aws_json_call *calls)
{
	const json_t *list = json_object_get(answer, list_key);
	size_t n = 0;

	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *name =
		    json_string_value(json_object_get(json_array_get(list, i), name_key));
		json_t *body = scaling_query(a, s, false);
		if (name == NULL)
			continue;
		if (body && json_object_set_new(body, name_key, json_string(name)) != 0)
			body = NULL;
		calls[n++] = (struct tb_aws_json_call){.service = "application-autoscaling",
		                                       .action = action,
		                                       .body = body,
		                                       .ok_missing = true};
	}
	return n;
}

/* Deregisters the service's scalable target when there is one. */
static int deregister_target(struct tb_aws_ctx *ctx, const struct tb_svc *s)
{
	json_t *targets = NULL;
	int err = tb_aws_json_all(ctx, "application-autoscaling", "DescribeScalableTargets",
	                          scaling_query(ctx->arena, s, true), "ScalableTargets", &targets);

	if (err != 0 || json_array_size(json_object_get(targets, "ScalableTargets")) == 0)
		return err;
	return tb_kit_call(ctx, "application-autoscaling", "DeregisterScalableTarget",
	                   scaling_query(ctx->arena, s, false), NULL);
}

/* Deletes scheduled actions, policies and the scalable target. See service.h. */
int tb_service_delete_scaling(struct tb_aws_ctx *ctx, const struct tb_svc *s)
{
	struct tb_arena *a = ctx->arena;
	json_t *pol = NULL, *act = NULL;
	struct tb_aws_json_call *calls;
	size_t n;
	int err = tb_aws_json_all(ctx, "application-autoscaling", "DescribeScalingPolicies",
	                          scaling_query(a, s, false), "ScalingPolicies", &pol);

	if (err == 0)
		err = tb_aws_json_all(ctx, "application-autoscaling", "DescribeScheduledActions",
		                      scaling_query(a, s, false), "ScheduledActions", &act);
	if (err != 0)
		return err == TB_ENOTFOUND ? 0 : err;
	calls = tb_arena_alloc(a, (json_array_size(json_object_get(pol, "ScalingPolicies")) +
	                           json_array_size(json_object_get(act, "ScheduledActions")) + 1) *
	                              sizeof(*calls));
	if (calls == NULL)
		return TB_ENOMEM;
	n = delete_calls(a, s, pol, "ScalingPolicies", "PolicyName", "DeleteScalingPolicy", calls);
	n += delete_calls(a, s, act, "ScheduledActions", "ScheduledActionName",
	                  "DeleteScheduledAction", calls + n);
	err = tb_aws_json_calls(ctx, calls, n);
	if (err == 0)
		err = deregister_target(ctx, s);
	return err == TB_ENOTFOUND ? 0 : err;
}

static int step_delete_scaling(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	return tb_service_delete_scaling(ctx, s);
}

static int service_status(struct tb_aws_ctx *ctx, void *ud, const char **state)
{
	const struct tb_svc *s = ud;
	json_t *resp = NULL;
	int err = tb_service_find(ctx, s->cluster, s->name, &resp);

	if (err == 0)
		*state = json_string_value(json_object_get(
		    json_array_get(json_object_get(resp, "services"), 0), "status"));
	if (err == 0 && *state == NULL)
		*state = "UNKNOWN";
	return err;
}

static int delete_service(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	static const char *const pending[] = {"ACTIVE", "DRAINING", NULL};
	static const char *const target[] = {"INACTIVE", "NOT_FOUND", NULL};
	struct tb_arena *a = ctx->arena;
	json_t *resp = NULL;
	int64_t left = ctx->deadline_ms ? ctx->deadline_ms - tb_now_ms() : 0;
	struct tb_aws_waiter w = {
	    .what = tb_arena_printf(a, "ECS service %s to become INACTIVE", s->name),
	    .pending = pending,
	    .target = target,
	    .timeout_ms = left > 0 ? left : 20 * 60 * 1000,
	    .refresh = service_status,
	    .ud = s,
	};
	int err = tb_kit_call(ctx, "ecs", "UpdateService",
	                      tb_aws_json_own(a, json_pack("{s:s, s:s, s:i}", "cluster", s->cluster,
	                                                   "service", s->name, "desiredCount", 0)),
	                      &resp);

	if (err == TB_ENOTFOUND)
		return 0;
	if (err == 0)
		err = tb_kit_call(
		    ctx, "ecs", "DeleteService",
		    tb_aws_json_own(a, json_pack("{s:s, s:s, s:b}", "cluster", s->cluster,
		                                 "service", s->name, "force", 1)),
		    &resp);
	if (err == TB_ENOTFOUND)
		return 0;
	return err == 0 ? tb_aws_wait(ctx, &w) : err;
}

static int delete_rule_and_tg(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	const struct tb_xml *r = NULL;
	int64_t until = tb_now_ms() + TG_IN_USE_RETRY_MS;
	int err = 0;

	if (s->listener_rule_arn && *s->listener_rule_arn)
		err = query1(ctx, "DeleteRule", "RuleArn", s->listener_rule_arn, &r);
	if (err != 0 && err != TB_ENOTFOUND)
		return err;
	if (s->target_group_arn == NULL || *s->target_group_arn == '\0')
		return 0;
	/* A target group stays "in use" for a while after its rule and service go. */
	while ((err = query1(ctx, "DeleteTargetGroup", "TargetGroupArn", s->target_group_arn,
	                     &r)) == TB_ECONFLICT &&
	       tb_now_ms() < until) {
		int slept = tb_aws_sleep(ctx->client, TG_IN_USE_DELAY_MS);
		if (slept != 0)
			return slept;
	}
	return err == TB_ENOTFOUND ? 0 : err;
}

/* The family belongs to the resource: every ACTIVE revision goes, and the
 * recorded one too when it is of another family (an imported service). */
static int deregister_td(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	static const struct tb_strs none = {0};

	return tb_service_prune_tds(ctx, s->name, s->task_definition_arn, &none);
}

static int delete_logs(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	json_t *resp = NULL;
	int err;

	/* Only the group the provider names: an imported service may log elsewhere. */
	if (s->logs.retain ||
	    !tb_str_eq(s->log_group_name, tb_service_log_group(ctx->arena, s->name)))
		return 0;
	err = tb_kit_call(
	    ctx, "logs", "DeleteLogGroup",
	    tb_aws_json_own(ctx->arena, json_pack("{s:s}", "logGroupName", s->log_group_name)),
	    &resp);
	return err == TB_ENOTFOUND ? 0 : err;
}

/* clang-format off */
static const struct tb_kit_step delete_first[] = {
    {.name = "deleting autoscaling", .run = step_delete_scaling},
};
static const struct tb_kit_step delete_second[] = {
    {.name = "deleting ECS service", .run = delete_service},
};
static const struct tb_kit_step delete_third[] = {
    {.name = "deleting listener rule and target group", .run = delete_rule_and_tg},
    {.name = "deregistering task definitions", .run = deregister_td},
    {.name = "deleting log group", .run = delete_logs},
};
/* clang-format on */

/* Deletes the bundle in reverse order of creation. See service.h. */
int tb_service_delete_bundle(struct tb_op *op, const struct tb_svc *s)
{
	struct tb_svc copy = *s;
	int err = TB_KIT_RUN(op, &copy, delete_first);

	if (err == 0)
		err = TB_KIT_RUN(op, &copy, delete_second);
	if (err == 0)
		err = TB_KIT_RUN(op, &copy, delete_third);
	return err;
}
