/*
 * talentbase_service, the ECS service: CreateService and UpdateService
 * bodies, the settings read back from DescribeServices, creating, updating
 * and deleting it.
 */
#include <string.h>

#include "resources/service/service.h"

static json_t *deployment_config(const struct tb_svc_dep *d)
{
	return json_pack("{s:I, s:I, s:{s:b, s:b}}", "minimumHealthyPercent",
	                 (json_int_t)d->minimum_healthy_percent, "maximumPercent",
	                 (json_int_t)d->maximum_percent, "deploymentCircuitBreaker", "enable",
	                 d->rollback, "rollback", d->rollback);
}

static json_t *network_config(struct tb_arena *a, const struct tb_svc_net *n)
{
	return json_pack("{s:{s:O, s:O, s:s}}", "awsvpcConfiguration", "subnets",
	                 tb_kit_json_strs(a, &n->subnets), "securityGroups",
	                 tb_kit_json_strs(a, &n->security_groups), "assignPublicIp",
	                 n->assign_public_ip ? "ENABLED" : "DISABLED");
}

static json_t *capacity_strategy(const struct tb_svc_cap *c)
{
	json_t *arr = json_pack("[{s:s, s:I, s:I}]", "capacityProvider", "FARGATE", "base",
	                        (json_int_t)c->base, "weight", (json_int_t)c->fargate_weight);

	if (arr && c->spot_weight > 0 &&
	    json_array_append_new(arr, json_pack("{s:s, s:I, s:I}", "capacityProvider",
	                                         "FARGATE_SPOT", "base", (json_int_t)0, "weight",
	                                         (json_int_t)c->spot_weight)) != 0) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

static int add_placement(struct tb_arena *a, json_t *body, const struct tb_svc *s)
{
	if (s->cap.set)
		return tb_kit_set_new(body, "capacityProviderStrategy", capacity_strategy(&s->cap));
	return tb_kit_set_new(body, "launchType", json_string("FARGATE"));
}

static int add_load_balancer(struct tb_arena *a, json_t *body, const struct tb_svc *s)
{
	if (!s->lb.set)
		return 0;
	if (tb_kit_set_new(body, "loadBalancers",
	                   json_pack("[{s:s, s:s, s:I}]", "targetGroupArn",
	                             s->target_group_arn ? s->target_group_arn : "",
	                             "containerName", tb_service_container(s), "containerPort",
	                             (json_int_t)s->port)) != 0)
		return -1;
	return tb_kit_set_new(body, "healthCheckGracePeriodSeconds", json_integer(s->dep.grace));
}

/* Returns the CreateService body for s (owned by a), or NULL. */
json_t *tb_service_create_request(struct tb_arena *a, const struct tb_svc *s)
{
	json_t *body = json_pack(
	    "{s:s, s:s, s:s, s:I, s:s, s:s, s:o, s:o, s:b, s:s, s:b}", "cluster", s->cluster,
	    "serviceName", s->name, "taskDefinition",
	    s->task_definition_arn ? s->task_definition_arn : "", "desiredCount",
	    (json_int_t)s->desired_count, "platformVersion", "LATEST", "schedulingStrategy",
	    "REPLICA", "deploymentConfiguration", deployment_config(&s->dep),
	    "networkConfiguration", network_config(a, &s->net), "enableExecuteCommand",
	    s->enable_execute_command, "propagateTags", "SERVICE", "enableECSManagedTags", 1);

	if (body == NULL)
		return NULL;
	if (add_placement(a, body, s) != 0 || add_load_balancer(a, body, s) != 0 ||
	    (s->tags_all.n > 0 &&
	     json_object_set(body, "tags", tb_aws_tags_json(a, "ecs", &s->tags_all)) != 0)) {
		json_decref(body);
		return NULL;
	}
	return tb_aws_json_own(a, body);
}

static bool caps_differ(const struct tb_svc *old, const struct tb_svc *s)
{
	return s->cap.set && !tb_service_block_equal("capacity", old, s);
}

/* Which UpdateService fields to send: a table of (differs?, add) rows. */
struct update_row {
	bool (*differs)(const struct tb_svc *old, const struct tb_svc *s);
	int (*add)(struct tb_arena *a, json_t *body, const struct tb_svc *s);
};

static bool td_differs(const struct tb_svc *old, const struct tb_svc *s)
{
	return !tb_str_eq(old->task_definition_arn, s->task_definition_arn);
}

static int add_td(struct tb_arena *a, json_t *body, const struct tb_svc *s)
{
	return tb_kit_set_new(body, "taskDefinition", json_string(s->task_definition_arn));
}

static bool dep_differs(const struct tb_svc *old, const struct tb_svc *s)
{
	return old->dep.minimum_healthy_percent != s->dep.minimum_healthy_percent ||
	       old->dep.maximum_percent != s->dep.maximum_percent ||
	       old->dep.rollback != s->dep.rollback;
}

static int add_dep(struct tb_arena *a, json_t *body, const struct tb_svc *s)
{
	return tb_kit_set_new(body, "deploymentConfiguration", deployment_config(&s->dep));
}

static bool net_differs(const struct tb_svc *old, const struct tb_svc *s)
{
	return !tb_service_block_equal("network", old, s);
}

static int add_net(struct tb_arena *a, json_t *body, const struct tb_svc *s)
{
	return tb_kit_set_new(body, "networkConfiguration", network_config(a, &s->net));
}

static bool grace_differs(const struct tb_svc *old, const struct tb_svc *s)
{
	return s->lb.set && old->dep.grace != s->dep.grace;
}

static int add_grace(struct tb_arena *a, json_t *body, const struct tb_svc *s)
{
	return tb_kit_set_new(body, "healthCheckGracePeriodSeconds", json_integer(s->dep.grace));
}

static bool exec_differs(const struct tb_svc *old, const struct tb_svc *s)
{
	return old->enable_execute_command != s->enable_execute_command;
}

static int add_exec(struct tb_arena *a, json_t *body, const struct tb_svc *s)
{
	return tb_kit_set_new(body, "enableExecuteCommand",
	                      json_boolean(s->enable_execute_command));
}

static int add_caps(struct tb_arena *a, json_t *body, const struct tb_svc *s)
{
	if (tb_kit_set_new(body, "capacityProviderStrategy", capacity_strategy(&s->cap)) != 0)
		return -1;
	return tb_kit_set_new(body, "forceNewDeployment", json_true());
}

/* Autoscaling owns the count while it is on (before or after). */
static bool count_differs(const struct tb_svc *old, const struct tb_svc *s)
{
	return !s->as.set && (old->as.set || old->desired_count != s->desired_count);
}

static int add_count(struct tb_arena *a, json_t *body, const struct tb_svc *s)
{
	return tb_kit_set_new(body, "desiredCount", json_integer(s->desired_count));
}

/* clang-format off */
static const struct update_row update_rows[] = {
    {.differs = td_differs, .add = add_td},
    {.differs = dep_differs, .add = add_dep},
    {.differs = net_differs, .add = add_net},
    {.differs = grace_differs, .add = add_grace},
    {.differs = exec_differs, .add = add_exec},
    {.differs = caps_differ, .add = add_caps},
    {.differs = count_differs, .add = add_count},
};

/* clang-format on */

/* Returns the UpdateService body (owned by a), or NULL. See service.h. */
json_t *tb_service_update_request(struct tb_arena *a, const struct tb_svc *old,
                                  const struct tb_svc *s, bool *changed)
{
	json_t *body = json_pack("{s:s, s:s}", "cluster", s->cluster, "service", s->name);
	bool any = false;

	for (size_t i = 0; body && i < TB_COUNT(update_rows); i++) {
		if (!update_rows[i].differs(old, s))
			continue;
		any = true;
		if (update_rows[i].add(a, body, s) != 0) {
			json_decref(body);
			body = NULL;
		}
	}
	*changed = any;
	return tb_aws_json_own(a, body);
}

static void flatten_capacity(const json_t *strategy, struct tb_svc_cap *cap)
{
	memset(cap, 0, sizeof(*cap));
	cap->set = json_array_size(strategy) > 0;
	for (size_t i = 0; i < json_array_size(strategy); i++) {
		const json_t *item = json_array_get(strategy, i);
		const char *provider = tb_kit_jstr(item, "capacityProvider");
		if (tb_str_eq(provider, "FARGATE")) {
			cap->base = tb_kit_jint(item, "base");
			cap->fargate_weight = tb_kit_jint(item, "weight");
		} else if (tb_str_eq(provider, "FARGATE_SPOT")) {
			cap->spot_weight = tb_kit_jint(item, "weight");
		}
	}
}

static void flatten_deployment(const json_t *svc, struct tb_svc_dep *dep)
{
	const json_t *dc = json_object_get(svc, "deploymentConfiguration");
	const json_t *cb = json_object_get(dc, "deploymentCircuitBreaker");

	dep->set = true;
	dep->minimum_healthy_percent = tb_kit_jint(dc, "minimumHealthyPercent");
	dep->maximum_percent = tb_kit_jint(dc, "maximumPercent");
	dep->rollback = json_is_true(json_object_get(cb, "enable")) &&
	                json_is_true(json_object_get(cb, "rollback"));
	dep->grace = tb_kit_jint(svc, "healthCheckGracePeriodSeconds");
}

static int flatten_network(struct tb_arena *a, const json_t *svc, struct tb_svc_net *net)
{
	const json_t *vpc =
	    json_object_get(json_object_get(svc, "networkConfiguration"), "awsvpcConfiguration");
	int err = tb_kit_jstrs(a, json_object_get(vpc, "subnets"), &net->subnets);

	if (err == 0)
		err =
		    tb_kit_jstrs(a, json_object_get(vpc, "securityGroups"), &net->security_groups);
	net->set = true;
	net->assign_public_ip = tb_str_eq(tb_kit_jstr(vpc, "assignPublicIp"), "ENABLED");
	return err;
}

/* Fills arn, desired count, placement, deployment, network, the load
 * balancer's target group, exec and tags from a DescribeServices item. */
int tb_service_flatten_service(struct tb_arena *a, const json_t *svc, struct tb_svc *s)
{
	const json_t *lbs = json_object_get(svc, "loadBalancers");
	int err;

	if (!json_is_object(svc) || tb_kit_jstr(svc, "serviceArn") == NULL)
		return TB_EINVAL;
	s->arn = tb_arena_strdup(a, tb_kit_jstr(svc, "serviceArn"));
	s->task_definition_arn = tb_arena_strdup(a, tb_kit_jstr(svc, "taskDefinition"));
	s->desired_count = tb_kit_jint(svc, "desiredCount");
	s->enable_execute_command = json_is_true(json_object_get(svc, "enableExecuteCommand"));
	flatten_capacity(json_object_get(svc, "capacityProviderStrategy"), &s->cap);
	flatten_deployment(svc, &s->dep);
	s->lb.set = json_array_size(lbs) > 0;
	if (s->lb.set)
		s->target_group_arn =
		    tb_arena_strdup(a, tb_kit_jstr(json_array_get(lbs, 0), "targetGroupArn"));
	err = flatten_network(a, svc, &s->net);
	if (err == 0)
		err = tb_kit_jpairs(a, json_object_get(svc, "tags"), "key", "value", &s->tags_all);
	return err;
}

/* DescribeServices (with tags) of one service, batched. See service.h. */
int tb_service_find(struct tb_aws_ctx *ctx, const char *cluster, const char *name, json_t **out)
{
	json_t *svc = NULL, *resp;
	int err = tb_aws_describe_ecs_service(ctx, cluster, name, &svc);

	if (err != 0)
		return err;
	if (svc == NULL || tb_str_eq(tb_kit_jstr(svc, "status"), "INACTIVE"))
		return TB_ENOTFOUND;
	resp = tb_kit_pack(ctx->arena, "{s:[O]}", "services", svc);
	if (resp == NULL)
		return TB_ENOMEM;
	*out = resp;
	return 0;
}

int tb_service_ecs_create(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	json_t *resp = NULL;
	int err = tb_kit_call(ctx, "ecs", "CreateService", tb_service_create_request(ctx->arena, s),
	                      &resp);
	const char *arn =
	    json_string_value(json_object_get(json_object_get(resp, "service"), "serviceArn"));

	if (err != 0)
		return err;
	s->arn = arn ? tb_arena_strdup(ctx->arena, arn) : NULL;
	return s->arn ? 0 : TB_EAWS;
}

void tb_service_ecs_merge(void *state, const void *slot)
{
	((struct tb_svc *)state)->arn = ((const struct tb_svc *)slot)->arn;
}

int tb_service_ecs_update(struct tb_op *op, struct tb_svc *s, bool *changed)
{
	json_t *body = tb_service_update_request(op->call->arena, op->old, s, changed);
	int err = body ? 0 : TB_ENOMEM;

	if (err == 0 && *changed)
		err = tb_kit_call(&op->ctx, "ecs", "UpdateService", body, NULL);
	return tb_kit_fail(op, &op->ctx, "updating ECS service", err);
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

int tb_service_ecs_delete(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
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

/* Reads the ECS service. See service.h. */
int tb_service_ecs_read(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	const char *td = s->task_definition_arn, *tg = s->target_group_arn;
	json_t *resp = NULL;
	int err = tb_service_find(ctx, s->cluster, s->name, &resp);

	s->found.describe = NULL;
	if (err == TB_ENOTFOUND)
		return 0;
	if (err == 0)
		err = tb_service_flatten_service(
		    ctx->arena, json_array_get(json_object_get(resp, "services"), 0), s);
	if (err != 0)
		return err;
	s->found.describe = resp;
	s->found.td_arn = s->task_definition_arn;
	s->found.tg_arn = s->lb.set ? s->target_group_arn : NULL;
	s->task_definition_arn = td;
	s->target_group_arn = tg;
	return 0;
}

/* What the ECS service read gives the bundle's settings. See service.h. */
void tb_service_ecs_read_merge(void *state, const void *slot)
{
	struct tb_svc *s = state;
	const struct tb_svc *r = slot;

	s->found = r->found;
	if (r->found.describe == NULL)
		return;
	s->arn = r->arn;
	s->desired_count = r->desired_count;
	s->enable_execute_command = r->enable_execute_command;
	s->cap = r->cap;
	s->dep = r->dep;
	s->net = r->net;
	s->tags_all = r->tags_all;
	s->lb.set = r->lb.set;
}
