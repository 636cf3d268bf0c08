/*
 * talentbase_service, the CloudWatch Logs group: its name, the retention
 * read back, creating (or adopting) it, updating its retention and deleting
 * it.
 */
#include <string.h>

#include "tb/log.h"

#include "resources/service/service.h"

/* Returns "/ecs/<name>" (arena). */
char *tb_service_log_group(struct tb_arena *a, const char *name)
{
	return tb_arena_printf(a, "/ecs/%s", name ? name : "");
}

/* Fills the retention of the log group called name (0: missing or never
 * expiring) and log_group_name when it exists. */
int tb_service_flatten_logs(struct tb_arena *a, const json_t *groups, const char *name,
                            struct tb_svc *s)
{
	const json_t *list = json_object_get(groups, "logGroups");

	s->logs.set = true;
	s->logs.retention = 0;
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *g = json_array_get(list, i);
		if (!tb_str_eq(tb_kit_jstr(g, "logGroupName"), name))
			continue;
		s->logs.retention = tb_kit_jint(g, "retentionInDays");
		s->log_group_name = tb_arena_strdup(a, name);
	}
	return 0;
}

/* Reads s's log group (batched). See service.h. */
int tb_service_logs_read(struct tb_aws_ctx *ctx, struct tb_svc *s)
{
	const char *group =
	    s->log_group_name ? s->log_group_name : tb_service_log_group(ctx->arena, s->name);
	json_t *item = NULL, *groups;
	int err = group ? tb_aws_describe_log_group(ctx, group, &item) : TB_ENOMEM;

	if (err != 0)
		return err;
	groups = item ? tb_kit_pack(ctx->arena, "{s:[O]}", "logGroups", item)
	              : tb_kit_pack(ctx->arena, "{s:[]}", "logGroups");
	if (groups == NULL)
		return TB_ENOMEM;
	/* A group gone out of band keeps its name: retention 0 makes the plan
	 * create it again (log_group_name is the group the service logs to). */
	s->log_group_name = group;
	return tb_service_flatten_logs(ctx->arena, groups, group, s);
}

/* The log group's ARN without the ":*" DescribeLogGroups appends; NULL if missing. */
const char *tb_service_log_group_arn(struct tb_aws_ctx *ctx, const char *name)
{
	json_t *groups = NULL;
	const json_t *list;
	const char *arn;

	if (tb_aws_json_all(
	        ctx, "logs", "DescribeLogGroups",
	        tb_aws_json_own(ctx->arena, json_pack("{s:s}", "logGroupNamePrefix", name)),
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
	json_t *body = tb_aws_json_own(ctx->arena, json_pack("{s:s}", "logGroupName", name));
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
	if ((arn = tb_service_log_group_arn(ctx, name)) == NULL)
		return TB_ENOTFOUND;
	return tb_aws_retag(ctx, "logs", &arn, 1, &s->tags_all, NULL);
}

static int put_retention(struct tb_aws_ctx *ctx, const char *name, int64_t days)
{
	json_t *resp = NULL;
	return tb_kit_call(
	    ctx, "logs", "PutRetentionPolicy",
	    tb_aws_json_own(ctx->arena, json_pack("{s:s, s:I}", "logGroupName", name,
	                                          "retentionInDays", (json_int_t)days)),
	    &resp);
}

int tb_service_logs_create(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	const char *name =
	    s->log_group_name ? s->log_group_name : tb_service_log_group(ctx->arena, s->name);
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

int tb_service_logs_update(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	const struct tb_svc *old = op->old;
	struct tb_svc *s = slot;

	if (old->logs.retention == s->logs.retention && s->log_group_name)
		return 0;
	return step_update_logs(op, ctx, s);
}

/* What each step created, into the settings: the IDs a failure must still record. */
void tb_service_logs_merge(void *state, const void *slot)
{
	((struct tb_svc *)state)->log_group_name = ((const struct tb_svc *)slot)->log_group_name;
}

int tb_service_logs_delete(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	json_t *resp = NULL;
	int err;

	/* The group the service logs to (log_group_name), unless it is kept. */
	if (s->logs.retain || s->log_group_name == NULL)
		return 0;
	err = tb_kit_call(
	    ctx, "logs", "DeleteLogGroup",
	    tb_aws_json_own(ctx->arena, json_pack("{s:s}", "logGroupName", s->log_group_name)),
	    &resp);
	return err == TB_ENOTFOUND ? 0 : err;
}
