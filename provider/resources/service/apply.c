/*
 * talentbase_service: the create and update sequences of the bundle, in
 * dependency order with independent steps in parallel. Each step records
 * the IDs of what it created in s at once, so a failure later still leaves
 * every object in the state the RPC layer saves.
 */
#include <string.h>

#include "resources/service/service.h"
#include "tb/log.h"

static json_t *own(struct tb_arena *a, json_t *j)
{
	return tb_aws_json_own(a, j);
}

static int ecs(struct tb_aws_ctx *ctx, const char *action, json_t *body, json_t **out)
{
	return tb_kit_call(ctx, "ecs", action, body, out);
}

static int elb(struct tb_aws_ctx *ctx, const char *action, const struct tb_aws_params *p,
               const struct tb_xml **out)
{
	const struct tb_xml *ignored = NULL;
	return tb_aws_query(ctx, "elasticloadbalancing", action, p, out ? out : &ignored);
}

/* ---- log group ------------------------------------------------------------------ */

/* The log group's ARN without the ":*" DescribeLogGroups appends; NULL if missing. */
static const char *log_group_arn(struct tb_aws_ctx *ctx, const char *name)
{
	json_t *groups = NULL;
	const json_t *list;
	const char *arn;

	if (tb_aws_json_all(ctx, "logs", "DescribeLogGroups",
	                    own(ctx->arena, json_pack("{s:s}", "logGroupNamePrefix", name)),
	                    "logGroups", &groups) != 0)
		return NULL;
	list = json_object_get(groups, "logGroups");
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *g = json_array_get(list, i);
		if (!tb_str_eq(json_string_value(json_object_get(g, "logGroupName")), name))
			continue;
		arn = json_string_value(json_object_get(g, "arn"));
		if (arn && tb_str_has_suffix(arn, ":*"))
			return tb_arena_strndup(ctx->arena, arn, strlen(arn) - 2);
		return arn;
	}
	return NULL;
}

/* A log group kept by an earlier incarnation (retain_on_destroy) is adopted:
 * it gets this service's tags and retention. */
static int create_log_group(struct tb_aws_ctx *ctx, struct tb_svc *s, const char *name)
{
	json_t *body = own(ctx->arena, json_pack("{s:s}", "logGroupName", name));
	json_t *resp = NULL;
	const char *arn;
	int err;

	if (body && s->tags_all.n > 0)
		json_object_set(body, "tags", tb_aws_tags_json(ctx->arena, "logs", &s->tags_all));
	err = body ? tb_kit_call(ctx, "logs", "CreateLogGroup", body, &resp) : TB_ENOMEM;
	if (err != TB_ECONFLICT)
		return err;
	tb_log(TB_LOG_INFO, "service", "adopting existing log group", "log_group", name, NULL);
	if (s->tags_all.n == 0)
		return 0;
	if ((arn = log_group_arn(ctx, name)) == NULL)
		return TB_ENOTFOUND;
	return tb_aws_retag(ctx, "logs", &arn, 1, &s->tags_all, NULL);
}

static int put_retention(struct tb_aws_ctx *ctx, const char *name, int64_t days)
{
	json_t *resp = NULL;
	return tb_kit_call(ctx, "logs", "PutRetentionPolicy",
	                   own(ctx->arena, json_pack("{s:s, s:I}", "logGroupName", name,
	                                             "retentionInDays", (json_int_t)days)),
	                   &resp);
}

static int step_create_logs(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	const char *name = tb_service_log_group(ctx->arena, s->name);
	int err = name ? create_log_group(ctx, s, name) : TB_ENOMEM;

	if (err != 0)
		return err;
	s->log_group_name = name;
	return put_retention(ctx, name, s->logs.retention);
}

/* Retention changed, or the group went missing (retention read as 0). */
static int step_update_logs(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	const char *name =
	    s->log_group_name ? s->log_group_name : tb_service_log_group(ctx->arena, s->name);
	int err;

	if (name == NULL)
		return TB_ENOMEM;
	err = put_retention(ctx, name, s->logs.retention);
	if (err == TB_ENOTFOUND && (err = create_log_group(ctx, s, name)) == 0)
		err = put_retention(ctx, name, s->logs.retention);
	if (err == 0)
		s->log_group_name = name;
	return err;
}

/* ---- target group and listener rule -------------------------------------------------- */

static int modify_tg_attrs(struct tb_aws_ctx *ctx, const struct tb_svc *s)
{
	struct tb_aws_params p;
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_service_tg_attr_params(s, s->target_group_arn, &p);
	return err == 0 ? elb(ctx, "ModifyTargetGroupAttributes", &p, NULL) : err;
}

static int create_rule(struct tb_aws_ctx *ctx, struct tb_svc *s)
{
	struct tb_aws_params p;
	const struct tb_xml *r = NULL;
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_service_rule_params(s, s->target_group_arn, &p);
	if (err == 0)
		err = elb(ctx, "CreateRule", &p, &r);
	if (err == 0 && (s->listener_rule_arn = tb_xml_text(r, "Rules/member/RuleArn")) == NULL)
		err = TB_EAWS;
	return err;
}

static int step_create_lb(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	struct tb_aws_params p;
	const struct tb_xml *r = NULL;
	char *name = tb_service_tg_name(ctx->arena, s->cluster, s->name);
	int err;

	if (!s->lb.set)
		return 0;
	if (name == NULL)
		return TB_ENOMEM;
	err = tb_service_resolve_vpc(op, ctx, s);
	tb_aws_params_init(&p, ctx->arena);
	if (err == 0)
		err = tb_service_tg_params(s, name, &p);
	if (err == 0)
		err = elb(ctx, "CreateTargetGroup", &p, &r);
	if (err != 0)
		return err;
	if ((s->target_group_arn = tb_xml_text(r, "TargetGroups/member/TargetGroupArn")) == NULL)
		return TB_EAWS;
	err = modify_tg_attrs(ctx, s);
	return err == 0 ? create_rule(ctx, s) : err;
}

static int modify_rule(struct tb_aws_ctx *ctx, const struct tb_svc *old, const struct tb_svc *s)
{
	struct tb_aws_params p;
	int err = 0;

	if (!tb_service_attr_equal("load_balancer", "host_headers", old, s) ||
	    !tb_service_attr_equal("load_balancer", "path_patterns", old, s)) {
		tb_aws_params_init(&p, ctx->arena);
		err = tb_aws_params_add(&p, "RuleArn", s->listener_rule_arn);
		if (err == 0)
			err = tb_service_conditions_params(s, &p);
		if (err == 0)
			err = elb(ctx, "ModifyRule", &p, NULL);
	}
	if (err != 0 || old->lb.priority == s->lb.priority)
		return err;
	tb_aws_params_init(&p, ctx->arena);
	err = tb_aws_params_add(&p, "RulePriorities.member.1.RuleArn", s->listener_rule_arn);
	if (err == 0)
		err = tb_aws_params_add(
		    &p, "RulePriorities.member.1.Priority",
		    tb_arena_printf(ctx->arena, "%lld", (long long)s->lb.priority));
	return err == 0 ? elb(ctx, "SetRulePriorities", &p, NULL) : err;
}

/* Target group and rule settings in place; a missing rule is created. */
static int step_update_lb(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	const struct tb_svc *old = op->old;
	struct tb_aws_params p;
	int err = 0;

	if (!s->lb.set)
		return 0;
	if (!tb_service_block_equal("load_balancer.health_check", old, s)) {
		tb_aws_params_init(&p, ctx->arena);
		err = tb_service_tg_health_params(s, s->target_group_arn, &p);
		if (err == 0)
			err = elb(ctx, "ModifyTargetGroup", &p, NULL);
	}
	if (err == 0 && (old->lb.stickiness_duration != s->lb.stickiness_duration ||
	                 old->lb.deregistration_delay != s->lb.deregistration_delay))
		err = modify_tg_attrs(ctx, s);
	if (err != 0)
		return err;
	if (s->listener_rule_arn == NULL || *s->listener_rule_arn == '\0')
		return create_rule(ctx, s);
	return modify_rule(ctx, old, s);
}

/* ---- task definition and service ------------------------------------------------------ */

static int register_td(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	json_t *resp = NULL;
	const json_t *td;
	int err = ecs(ctx, "RegisterTaskDefinition",
	              tb_service_td_request(ctx->arena, s, op->call->meta->region), &resp);

	if (err != 0)
		return err;
	td = json_object_get(resp, "taskDefinition");
	s->task_definition_arn = tb_arena_strdup(
	    ctx->arena, json_string_value(json_object_get(td, "taskDefinitionArn")));
	s->task_definition_revision = json_integer_value(json_object_get(td, "revision"));
	return s->task_definition_arn ? 0 : TB_EAWS;
}

static int step_update_td(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	if (tb_service_td_equal(op->old, s))
		return 0;
	return register_td(op, ctx, s);
}

static int step_create_service(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	json_t *resp = NULL;
	int err = ecs(ctx, "CreateService", tb_service_create_request(ctx->arena, s), &resp);
	const char *arn =
	    json_string_value(json_object_get(json_object_get(resp, "service"), "serviceArn"));

	if (err != 0)
		return err;
	s->arn = arn ? tb_arena_strdup(ctx->arena, arn) : NULL;
	return s->arn ? 0 : TB_EAWS;
}

/* ---- autoscaling ----------------------------------------------------------------------- */

static double effective_target(const struct tb_svc *s, enum tb_svc_metric m, const char *label)
{
	if (m == TB_SVC_REQUESTS && label == NULL)
		return 0; /* needs a load balancer (TB020) */
	return tb_service_metric_target(s, m);
}

static size_t policy_calls(struct tb_arena *a, const struct tb_svc *old, const struct tb_svc *s,
                           struct tb_aws_json_call *calls)
{
	const char *label =
	    s->lb.set ? tb_service_request_label(a, s->lb.listener_arn, s->target_group_arn) : NULL;
	bool cooldowns = old && (old->as.in_cooldown != s->as.in_cooldown ||
	                         old->as.out_cooldown != s->as.out_cooldown);
	size_t n = 0;

	for (int m = 0; m < TB_SVC_N_METRICS; m++) {
		double t = effective_target(s, m, label);
		double was = old ? effective_target(old, m, label) : 0;
		if (t > 0 && (t != was || cooldowns))
			calls[n++] = (struct tb_aws_json_call){
			    .service = "application-autoscaling",
			    .action = "PutScalingPolicy",
			    .body = tb_service_policy_request(a, s, m,
			                                      m == TB_SVC_REQUESTS ? label : NULL)};
		else if (t == 0 && was > 0)
			calls[n++] = (struct tb_aws_json_call){
			    .service = "application-autoscaling",
			    .action = "DeleteScalingPolicy",
			    .body = own(a, json_pack("{s:s, s:s, s:s, s:s}", "PolicyName",
			                             tb_service_policy_name(a, s, m),
			                             "ServiceNamespace", "ecs", "ResourceId",
			                             tb_service_scaling_id(a, s->cluster, s->name),
			                             "ScalableDimension", TB_SVC_DIMENSION)),
			    .ok_missing = true};
	}
	return n;
}

static bool has_sched(const struct tb_svc *s, const struct tb_svc_sched *sc, bool exact)
{
	for (size_t i = 0; s && i < s->as.n_sched; i++) {
		const struct tb_svc_sched *o = &s->as.sched[i];
		if (!tb_str_eq(o->name, sc->name))
			continue;
		if (!exact || (tb_str_eq(o->schedule, sc->schedule) &&
		               tb_str_eq(o->timezone, sc->timezone) && o->has_min == sc->has_min &&
		               o->has_max == sc->has_max && o->min == sc->min && o->max == sc->max))
			return true;
	}
	return false;
}

static size_t schedule_calls(struct tb_arena *a, const struct tb_svc *old, const struct tb_svc *s,
                             struct tb_aws_json_call *calls)
{
	size_t n = 0;

	for (size_t i = 0; i < s->as.n_sched; i++)
		if (!has_sched(old, &s->as.sched[i], true))
			calls[n++] = (struct tb_aws_json_call){
			    .service = "application-autoscaling",
			    .action = "PutScheduledAction",
			    .body = tb_service_schedule_request(a, s, &s->as.sched[i])};
	for (size_t i = 0; old && i < old->as.n_sched; i++)
		if (!has_sched(s, &old->as.sched[i], false))
			calls[n++] = (struct tb_aws_json_call){
			    .service = "application-autoscaling",
			    .action = "DeleteScheduledAction",
			    .body = own(a, json_pack("{s:s, s:s, s:s, s:s}", "ScheduledActionName",
			                             old->as.sched[i].name, "ServiceNamespace",
			                             "ecs", "ResourceId",
			                             tb_service_scaling_id(a, s->cluster, s->name),
			                             "ScalableDimension", TB_SVC_DIMENSION)),
			    .ok_missing = true};
	return n;
}

/* RegisterScalableTarget when the target is new or its bounds changed;
 * tags go with the first registration. */
static int register_target(struct tb_aws_ctx *ctx, const struct tb_svc *had, const struct tb_svc *s)
{
	json_t *body, *resp = NULL;

	if (had && had->as.min == s->as.min && had->as.max == s->as.max)
		return 0;
	body = tb_service_target_request(ctx->arena, s);
	if (body && !had && s->tags_all.n > 0)
		json_object_set(
		    body, "Tags",
		    tb_aws_tags_json(ctx->arena, "application-autoscaling", &s->tags_all));
	if (body == NULL)
		return TB_ENOMEM;
	return tb_kit_call(ctx, "application-autoscaling", "RegisterScalableTarget", body, &resp);
}

/* Registers the scalable target, then its policies and scheduled actions in
 * parallel: only what differs from old (NULL: everything). */
int tb_service_put_scaling(struct tb_aws_ctx *ctx, const struct tb_svc *old, const struct tb_svc *s)
{
	struct tb_arena *a = ctx->arena;
	const struct tb_svc *had = old && old->as.set ? old : NULL;
	size_t cap = TB_SVC_N_METRICS + s->as.n_sched + (had ? had->as.n_sched : 0) + 1, n;
	struct tb_aws_json_call *calls = tb_arena_alloc(a, cap * sizeof(*calls));
	int err;

	if (!s->as.set)
		return had ? tb_service_delete_scaling(ctx, s) : 0;
	if (calls == NULL)
		return TB_ENOMEM;
	if ((err = register_target(ctx, had, s)) != 0)
		return err;
	n = policy_calls(a, had, s, calls);
	n += schedule_calls(a, had, s, calls + n);
	for (size_t i = 0; i < n; i++)
		if (calls[i].body == NULL)
			return TB_ENOMEM;
	return tb_aws_json_calls(ctx, calls, n);
}

static int step_scaling(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	return tb_service_put_scaling(ctx, op->old, s);
}

/* ---- tags ------------------------------------------------------------------------------- */

static const char *scalable_target_arn(struct tb_aws_ctx *ctx, const struct tb_svc *s)
{
	char *id = tb_service_scaling_id(ctx->arena, s->cluster, s->name);
	json_t *resp = NULL;

	if (id == NULL ||
	    tb_kit_call(ctx, "application-autoscaling", "DescribeScalableTargets",
	                own(ctx->arena,
	                    json_pack("{s:s, s:[s], s:s}", "ServiceNamespace", "ecs", "ResourceIds",
	                              id, "ScalableDimension", TB_SVC_DIMENSION)),
	                &resp) != 0)
		return NULL;
	return json_string_value(json_object_get(
	    json_array_get(json_object_get(resp, "ScalableTargets"), 0), "ScalableTargetARN"));
}

/* tags_all changed: every taggable object of the bundle gets the difference.
 * Runs beside the steps that may create a missing rule or log group (with
 * every tag), so it tags the objects old names. */
static int step_update_tags(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	const struct tb_svc *old = op->old;
	struct tb_svc *s = slot;
	struct tb_kit_tag_diff d;
	const char *elb[2] = {old->target_group_arn, old->listener_rule_arn};
	const char *id;
	int err;

	if (tb_service_attr_equal("", "tags_all", old, s))
		return 0;
	err = tb_kit_tags_diff(ctx->arena, &old->tags_all, &s->tags_all, &d);
	if (err == 0)
		err = tb_kit_retag(ctx, "ecs", &s->arn, 1, &d);
	if (err == 0 && tb_service_td_equal(old, s))
		err = tb_kit_retag(ctx, "ecs", &old->task_definition_arn, 1, &d);
	if (err == 0 && old->lb.set && old->target_group_arn)
		err = tb_kit_retag(ctx, "elasticloadbalancing", elb, 2, &d);
	if (err == 0 && old->log_group_name && (id = log_group_arn(ctx, old->log_group_name)))
		err = tb_kit_retag(ctx, "logs", &id, 1, &d);
	if (err == 0 && s->as.set && old->as.set && (id = scalable_target_arn(ctx, s)))
		err = tb_kit_retag(ctx, "application-autoscaling", &id, 1, &d);
	return err;
}

/* ---- the sequences ------------------------------------------------------------------------- */

static int step_update_logs_if_changed(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	const struct tb_svc *old = op->old;
	struct tb_svc *s = slot;

	if (old->logs.retention == s->logs.retention && s->log_group_name)
		return 0;
	return step_update_logs(op, ctx, s);
}

/* What each step created, into the settings: the IDs a failure must still record. */
static void merge_log_group(void *state, const void *slot)
{
	((struct tb_svc *)state)->log_group_name = ((const struct tb_svc *)slot)->log_group_name;
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

static void merge_rule(void *state, const void *slot)
{
	((struct tb_svc *)state)->listener_rule_arn =
	    ((const struct tb_svc *)slot)->listener_rule_arn;
}

static void merge_td(void *state, const void *slot)
{
	struct tb_svc *s = state;
	const struct tb_svc *r = slot;

	s->task_definition_arn = r->task_definition_arn;
	s->task_definition_revision = r->task_definition_revision;
}

static void merge_service(void *state, const void *slot)
{
	((struct tb_svc *)state)->arn = ((const struct tb_svc *)slot)->arn;
}

/* clang-format off */
static const struct tb_kit_step create_first[] = {
    {.name = "creating log group", .run = step_create_logs, .merge = merge_log_group},
    {.name = "creating target group and listener rule", .run = step_create_lb, .merge = merge_lb},
    {.name = "registering task definition", .run = register_td, .merge = merge_td},
};
static const struct tb_kit_step create_second[] = {
    {.name = "creating ECS service", .run = step_create_service, .merge = merge_service},
};
static const struct tb_kit_step scaling_steps[] = {
    {.name = "configuring autoscaling", .run = step_scaling},
};
static const struct tb_kit_step update_first[] = {
    {.name = "registering task definition", .run = step_update_td, .merge = merge_td},
    {.name = "updating log group", .run = step_update_logs_if_changed, .merge = merge_log_group},
    {.name = "updating target group and listener rule", .run = step_update_lb, .merge = merge_rule},
    {.name = "updating tags", .run = step_update_tags},
};
/* clang-format on */

/* The revisions to keep: s's, and with a service answer those its deployments use. */
static int revisions_in_use(struct tb_arena *a, const struct tb_svc *s, const json_t *describe,
                            struct tb_strs *out)
{
	struct tb_strs deps = {.n = 0};
	const char **v;
	int err = describe ? tb_service_deployment_tds(a, describe, &deps) : 0;

	if (err != 0)
		return err;
	if ((v = tb_arena_alloc(a, (deps.n + 1) * sizeof(*v))) == NULL)
		return TB_ENOMEM;
	v[0] = s->task_definition_arn;
	for (size_t i = 0; i < deps.n; i++)
		v[i + 1] = deps.v[i];
	out->n = deps.n + 1;
	out->v = v;
	return 0;
}

/*
 * After the rollout of a new revision: the family's other ACTIVE revisions
 * (and extra, the previous one) are deregistered. A rollout not waited for
 * is still in progress, so (look) the revisions its deployments use stay.
 * A failure only warns: the rollout succeeded, and the next one or the
 * destroy deregisters what is left.
 */
static void prune_revisions(struct tb_op *op, const struct tb_svc *s, const char *extra, bool look)
{
	struct tb_arena *a = op->call->arena;
	struct tb_strs keep;
	json_t *resp = NULL;
	int err = look ? tb_service_find(&op->ctx, s->cluster, s->name, &resp) : 0;

	if (err == 0)
		err = revisions_in_use(a, s, resp, &keep);
	if (err == 0)
		err = tb_service_prune_tds(&op->ctx, s->name, extra, &keep);
	if (err != 0)
		tb_diag_addf(
		    &op->call->diags, TB_SEV_WARNING, NULL,
		    "previous task-definition revisions not deregistered",
		    "Deregistering the ACTIVE revisions of task-definition family %s other "
		    "than %s failed: %s. They stay registered (and unused); the next "
		    "rollout of a new revision, or the destroy, deregisters them.",
		    s->name, s->task_definition_arn ? s->task_definition_arn : "?",
		    op->ctx.error.err == err ? tb_aws_error_string(a, &op->ctx.error)
		                             : tb_strerror(err));
}

/* Creates the bundle. See service.h. */
int tb_service_create_bundle(struct tb_op *op, struct tb_svc *s)
{
	int err = TB_KIT_RUN(op, s, create_first);

	if (err == 0)
		err = TB_KIT_RUN(op, s, create_second);
	if (err == 0)
		err = TB_KIT_RUN(op, s, scaling_steps);
	if (err != 0)
		return err;
	/* Without the wait no rollout has completed yet: a refresh sees it complete. */
	s->deployed_image = NULL;
	if (s->dep.wait)
		err = tb_service_wait_rollout(op, s);
	if (err == 0)
		prune_revisions(op, s, NULL, false);
	return err;
}

/* After a failed rollout: a new revision the service no longer runs is
 * deregistered, so nothing outside the state remains. */
static void drop_unused_td(struct tb_op *op, const struct tb_svc *s)
{
	json_t *resp = NULL;
	const char *current;

	if (tb_service_find(&op->ctx, s->cluster, s->name, &resp) != 0)
		return;
	current = json_string_value(json_object_get(
	    json_array_get(json_object_get(resp, "services"), 0), "taskDefinition"));
	if (current && !tb_str_eq(current, s->task_definition_arn))
		ecs(&op->ctx, "DeregisterTaskDefinition",
		    own(op->call->arena,
		        json_pack("{s:s}", "taskDefinition", s->task_definition_arn)),
		    NULL);
}

static int update_service(struct tb_op *op, struct tb_svc *s, bool *changed)
{
	json_t *body = tb_service_update_request(op->call->arena, op->old, s, changed);
	int err = body ? 0 : TB_ENOMEM;

	if (err == 0 && *changed)
		err = ecs(&op->ctx, "UpdateService", body, NULL);
	return tb_kit_fail(op, &op->ctx, "updating ECS service", err);
}

static int finish_rollout(struct tb_op *op, struct tb_svc *s, bool td_changed)
{
	const struct tb_svc *old = op->old;
	int err = 0;

	/* Without the wait, what served before serves until a refresh sees the rollout complete. */
	s->deployed_image = old->deployed_image;
	if (s->dep.wait)
		err = tb_service_wait_rollout(op, s);
	if (err != 0 && td_changed)
		drop_unused_td(op, s);
	if (err == 0 && td_changed)
		prune_revisions(op, s, old->task_definition_arn, !s->dep.wait);
	return err;
}

/* Updates the bundle in place. See service.h. */
int tb_service_update_bundle(struct tb_op *op, const struct tb_svc *old, struct tb_svc *s)
{
	bool td_changed = !tb_service_td_equal(old, s), changed = false;
	int err;

	op->old = old;
	if (!td_changed)
		s->task_definition_arn = old->task_definition_arn;
	err = TB_KIT_RUN(op, s, update_first);
	if (err == 0)
		err = update_service(op, s, &changed);
	if (err == 0)
		err = TB_KIT_RUN(op, s, scaling_steps);
	if (err != 0)
		return err;
	if (!changed && !td_changed) {
		s->deployed_image = old->deployed_image;
		return 0;
	}
	return finish_rollout(op, s, td_changed);
}
