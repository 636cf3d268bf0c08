/*
 * talentbase_service, the task definition: the RegisterTaskDefinition body,
 * the settings read back from DescribeTaskDefinition, registering a new
 * revision and what is left of one after a failed rollout.
 */
#include <string.h>

#include "resources/service/service.h"

/* Returns "image:tag" or "image@sha256:..." (arena). */
char *tb_service_image_ref(struct tb_arena *a, const char *image, const char *tag)
{
	if (tag == NULL || *tag == '\0')
		return tb_arena_strdup(a, image ? image : "");
	return tb_arena_printf(a, "%s%c%s", image ? image : "",
	                       tb_str_has_prefix(tag, "sha256:") ? '@' : ':', tag);
}

static json_t *container_health_check(struct tb_arena *a, const struct tb_svc_hc *hc)
{
	return json_pack("{s:O, s:I, s:I, s:I, s:I}", "command", tb_kit_json_strs(a, &hc->command),
	                 "interval", (json_int_t)hc->interval, "timeout", (json_int_t)hc->timeout,
	                 "retries", (json_int_t)hc->retries, "startPeriod",
	                 (json_int_t)hc->start_period);
}

static json_t *container(struct tb_arena *a, const struct tb_svc *s, const char *region)
{
	char *image = tb_service_image_ref(a, s->image, s->image_tag);
	const char *group =
	    s->log_group_name ? s->log_group_name : tb_service_log_group(a, s->name);
	json_t *c;

	if (image == NULL || group == NULL)
		return NULL;
	c = json_pack("{s:s, s:s, s:b, s:O, s:O, s:{s:s, s:{s:s, s:s, s:s}}}", "name",
	              tb_service_container(s), "image", image, "essential", 1, "environment",
	              tb_kit_json_pairs(a, &s->environment, "name", "value"), "secrets",
	              tb_kit_json_pairs(a, &s->secrets, "name", "valueFrom"), "logConfiguration",
	              "logDriver", "awslogs", "options", "awslogs-group", group, "awslogs-region",
	              region ? region : "", "awslogs-stream-prefix", "ecs");
	if (c && s->port > 0 &&
	    tb_kit_set_new(c, "portMappings",
	                   json_pack("[{s:I, s:s}]", "containerPort", (json_int_t)s->port,
	                             "protocol", "tcp")) != 0)
		goto fail;
	if (c && s->hc.set &&
	    tb_kit_set_new(c, "healthCheck", container_health_check(a, &s->hc)) != 0)
		goto fail;
	return c;
fail:
	json_decref(c);
	return NULL;
}

/* Returns the RegisterTaskDefinition body for s (owned by a), or NULL. */
json_t *tb_service_td_request(struct tb_arena *a, const struct tb_svc *s, const char *region)
{
	char *cpu = tb_arena_printf(a, "%lld", (long long)s->cpu);
	char *mem = tb_arena_printf(a, "%lld", (long long)s->memory);
	json_t *td = NULL;

	if (cpu == NULL || mem == NULL || s->name == NULL)
		return NULL;
	td = json_pack("{s:s, s:s, s:[s], s:s, s:s, s:s?, s:[o]}", "family", tb_service_family(s),
	               "networkMode", "awsvpc", "requiresCompatibilities", "FARGATE", "cpu", cpu,
	               "memory", mem, "executionRoleArn", s->execution_role_arn,
	               "containerDefinitions", container(a, s, region));
	if (td && s->task_role_arn &&
	    tb_kit_set_new(td, "taskRoleArn", json_string(s->task_role_arn)) != 0)
		goto fail;
	if (td && s->tags_all.n > 0 &&
	    json_object_set(td, "tags", tb_aws_tags_json(a, "ecs", &s->tags_all)) != 0)
		goto fail;
	return tb_aws_json_own(a, td);
fail:
	json_decref(td);
	return NULL;
}

/* Splits "repo:tag" / "repo@sha256:..." into repository and tag. */
void tb_service_split_image(struct tb_arena *a, const char *ref, const char **image,
                            const char **tag)
{
	const char *at = ref ? strrchr(ref, '@') : NULL;
	const char *slash = ref ? strrchr(ref, '/') : NULL;
	const char *colon = ref ? strrchr(ref, ':') : NULL;

	*image = ref;
	*tag = NULL;
	if (ref == NULL)
		return;
	if (at == NULL && colon && (slash == NULL || colon > slash))
		at = colon;
	if (at == NULL) {
		*tag = "latest";
		return;
	}
	*image = tb_arena_strndup(a, ref, (size_t)(at - ref));
	*tag = tb_arena_strdup(a, at + 1);
}

static const json_t *main_container(const json_t *td, const char *name)
{
	const json_t *defs = json_object_get(td, "containerDefinitions");
	const json_t *essential = NULL;

	for (size_t i = 0; i < json_array_size(defs); i++) {
		const json_t *c = json_array_get(defs, i);
		if (name && tb_str_eq(tb_kit_jstr(c, "name"), name))
			return c;
		if (essential == NULL && json_is_true(json_object_get(c, "essential")))
			essential = c;
	}
	return essential ? essential : json_array_get(defs, 0);
}

/* The image of a task definition's main container. See service.h. */
const char *tb_service_td_image(struct tb_arena *a, const json_t *td, const char *name)
{
	const char *ref = tb_kit_jstr(main_container(td, name), "image");
	const char *image = NULL, *tag = NULL;

	if (ref == NULL)
		return NULL;
	tb_service_split_image(a, ref, &image, &tag);
	return tb_service_image_ref(a, image, tag);
}

static int flatten_container_hc(struct tb_arena *a, const json_t *hc, struct tb_svc_hc *out)
{
	memset(out, 0, sizeof(*out));
	out->set = json_is_object(hc);
	if (!out->set)
		return 0;
	out->interval = tb_kit_jint(hc, "interval");
	out->timeout = tb_kit_jint(hc, "timeout");
	out->retries = tb_kit_jint(hc, "retries");
	out->start_period = tb_kit_jint(hc, "startPeriod");
	return tb_kit_jstrs(a, json_object_get(hc, "command"), &out->command);
}

/* Fills the task-definition settings from a DescribeTaskDefinition
 * "taskDefinition" object. */
int tb_service_flatten_td(struct tb_arena *a, const json_t *td, struct tb_svc *s)
{
	const json_t *c = main_container(td, tb_service_container(s));
	const json_t *ports = json_object_get(c, "portMappings");
	const json_t *opts = json_object_get(json_object_get(c, "logConfiguration"), "options");
	int err;

	if (!json_is_object(td) || c == NULL)
		return TB_EINVAL;
	s->task_definition_arn = tb_arena_strdup(a, tb_kit_jstr(td, "taskDefinitionArn"));
	s->task_definition_revision = tb_kit_jint(td, "revision");
	s->family = tb_arena_strdup(a, tb_kit_jstr(td, "family"));
	s->container_name = tb_arena_strdup(a, tb_kit_jstr(c, "name"));
	s->cpu = tb_kit_jint(td, "cpu");
	s->memory = tb_kit_jint(td, "memory");
	s->execution_role_arn = tb_arena_strdup(a, tb_kit_jstr(td, "executionRoleArn"));
	s->task_role_arn = tb_arena_strdup(a, tb_kit_jstr(td, "taskRoleArn"));
	tb_service_split_image(a, tb_kit_jstr(c, "image"), &s->image, &s->image_tag);
	s->port = tb_kit_jint(json_array_get(ports, 0), "containerPort");
	if (tb_kit_jstr(opts, "awslogs-group"))
		s->log_group_name = tb_arena_strdup(a, tb_kit_jstr(opts, "awslogs-group"));
	err = tb_kit_jpairs(a, json_object_get(c, "environment"), "name", "value", &s->environment);
	if (err == 0)
		err = tb_kit_jpairs(a, json_object_get(c, "secrets"), "name", "valueFrom",
		                    &s->secrets);
	if (err == 0)
		err = flatten_container_hc(a, json_object_get(c, "healthCheck"), &s->hc);
	return err;
}

/* Reads the revision s records (its settings into s). See service.h. */
int tb_service_td_read(struct tb_aws_ctx *ctx, struct tb_svc *s)
{
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
	return err;
}

int tb_service_td_active(struct tb_aws_ctx *ctx, const struct tb_svc *s, bool *found)
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

int tb_service_td_register(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	json_t *resp = NULL;
	const json_t *td;
	int err = tb_kit_call(ctx, "ecs", "RegisterTaskDefinition",
	                      tb_service_td_request(ctx->arena, s, op->call->meta->region), &resp);

	if (err != 0)
		return err;
	td = json_object_get(resp, "taskDefinition");
	s->task_definition_arn = tb_arena_strdup(
	    ctx->arena, json_string_value(json_object_get(td, "taskDefinitionArn")));
	s->task_definition_revision = json_integer_value(json_object_get(td, "revision"));
	return s->task_definition_arn ? 0 : TB_EAWS;
}

int tb_service_td_update(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	if (tb_service_td_equal(op->old, s))
		return 0;
	return tb_service_td_register(op, ctx, s);
}

void tb_service_td_merge(void *state, const void *slot)
{
	struct tb_svc *s = state;
	const struct tb_svc *r = slot;

	s->task_definition_arn = r->task_definition_arn;
	s->task_definition_revision = r->task_definition_revision;
}

/* After a failed rollout: a new revision the service no longer runs is
 * deregistered, so nothing outside the state remains. */
void tb_service_td_drop_unused(struct tb_op *op, const struct tb_svc *s)
{
	json_t *resp = NULL;
	const char *current;

	if (tb_service_find(&op->ctx, s->cluster, s->name, &resp) != 0)
		return;
	current = json_string_value(json_object_get(
	    json_array_get(json_object_get(resp, "services"), 0), "taskDefinition"));
	if (current && !tb_str_eq(current, s->task_definition_arn))
		tb_kit_call(&op->ctx, "ecs", "DeregisterTaskDefinition",
		            tb_aws_json_own(op->call->arena, json_pack("{s:s}", "taskDefinition",
		                                                       s->task_definition_arn)),
		            NULL);
}

/* The family belongs to the resource: every ACTIVE revision goes, and the
 * recorded one too when it is of another family (an imported service). */
int tb_service_td_deregister(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	static const struct tb_strs none = {0};

	return tb_service_prune_tds(ctx, tb_service_family(s), s->task_definition_arn, &none);
}
