/*
 * Describes that many resources of one process share (tb_aws_batch_get):
 * each API's limit of IDs a call, how its answer names an item, and what
 * it does when one ID is missing. Every resource that reads one of these
 * objects goes through here, so that their reads coalesce.
 */
#include <string.h>

#include "aws/internal.h"

static json_t *json_owned(struct tb_arena *a, json_t *j)
{
	return tb_aws_json_own(a, j);
}

/* Appends each id to the array o[key]. */
static int append_ids(json_t *o, const char *key, const char *const *ids, size_t n)
{
	json_t *arr = json_object_get(o, key);

	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(arr, json_string(ids[i])) != 0)
			return TB_ENOMEM;
	return 0;
}

/* items[i] = the element of list whose key is ids[i] (NULL: none). */
static void match_json(json_t *list, const char *key, const char *const *ids, size_t n,
                       void **items)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < json_array_size(list) && items[i] == NULL; k++)
			if (tb_str_eq(aws_json_str(json_array_get(list, k), key), ids[i]))
				items[i] = json_array_get(list, k);
}

/* ---- ECS services: ten of one cluster a call ------------------------------------- */

static int describe_services(struct tb_aws_ctx *ctx, const char *cluster, const char *const *names,
                             size_t n, void **items)
{
	json_t *body = json_owned(ctx->arena, json_pack("{s:s, s:[], s:[s]}", "cluster", cluster,
	                                                "services", "include", "TAGS"));
	json_t *resp = NULL;
	int err = body ? append_ids(body, "services", names, n) : TB_ENOMEM;

	if (err == 0)
		err = tb_aws_json(ctx, "ecs", "DescribeServices", body, &resp);
	if (err == 0)
		match_json(json_object_get(resp, "services"), "serviceName", names, n, items);
	return err;
}

static const struct tb_aws_batch services = {
    .service = "ecs",
    .action = "DescribeServices",
    .max = 10,
    .call = describe_services,
    .copy = tb_aws_copy_json,
};

/* One ECS service (with tags). See aws.h. */
int tb_aws_describe_ecs_service(struct tb_aws_ctx *ctx, const char *cluster, const char *name,
                                json_t **out)
{
	void *item = NULL;
	int err = tb_aws_batch_get(ctx, &services, cluster, name, &item);

	*out = err == 0 ? item : NULL;
	return err;
}

/* ---- ELBv2 target groups and rules: twenty ARNs a call -------------------------------- */

static const struct tb_xml *member_with(const struct tb_xml *list, const char *key, const char *id)
{
	for (const struct tb_xml *m = list ? list->children : NULL; m; m = m->next)
		if (tb_str_eq(tb_xml_text(m, key), id))
			return m;
	return NULL;
}

/* Describes ids[0..n) by ARN. ELBv2 fails the whole call when one ARN is
 * missing, so the ARNs of such a call are then asked about one by one. */
static int describe_by_arns(struct tb_aws_ctx *ctx, const char *action, const char *param,
                            const char *list, const char *key, const char *const *ids, size_t n,
                            void **items)
{
	const struct tb_xml *r = NULL;
	struct tb_aws_params p;
	int err = 0;

	tb_aws_params_init(&p, ctx->arena);
	for (size_t i = 0; i < n && err == 0; i++)
		err = tb_aws_params_addf(&p, ids[i], "%s.member.%zu", param, i + 1);
	if (err == 0)
		err = tb_aws_query(ctx, "elasticloadbalancing", action, &p, &r);
	if (err == TB_ENOTFOUND && n > 1) {
		for (size_t i = 0; i < n && (err == 0 || err == TB_ENOTFOUND); i++)
			err =
			    describe_by_arns(ctx, action, param, list, key, &ids[i], 1, &items[i]);
		return err == TB_ENOTFOUND ? 0 : err;
	}
	for (size_t i = 0; err == 0 && i < n; i++)
		items[i] = (void *)member_with(tb_xml_child(r, list), key, ids[i]);
	return err == TB_ENOTFOUND ? 0 : err;
}

static int describe_tgs(struct tb_aws_ctx *ctx, const char *group, const char *const *ids, size_t n,
                        void **items)
{
	return describe_by_arns(ctx, "DescribeTargetGroups", "TargetGroupArns", "TargetGroups",
	                        "TargetGroupArn", ids, n, items);
}

static int describe_rules(struct tb_aws_ctx *ctx, const char *group, const char *const *ids,
                          size_t n, void **items)
{
	return describe_by_arns(ctx, "DescribeRules", "RuleArns", "Rules", "RuleArn", ids, n,
	                        items);
}

static const struct tb_aws_batch target_groups = {
    .service = "elasticloadbalancing",
    .action = "DescribeTargetGroups",
    .max = 20,
    .call = describe_tgs,
    .copy = tb_aws_copy_xml,
};

static const struct tb_aws_batch rules = {
    .service = "elasticloadbalancing",
    .action = "DescribeRules",
    .max = 20,
    .call = describe_rules,
    .copy = tb_aws_copy_xml,
};

/* One target group. See aws.h. */
int tb_aws_describe_target_group(struct tb_aws_ctx *ctx, const char *arn, const struct tb_xml **out)
{
	void *item = NULL;
	int err = tb_aws_batch_get(ctx, &target_groups, "", arn, &item);

	*out = err == 0 ? item : NULL;
	return err;
}

/* One listener rule. See aws.h. */
int tb_aws_describe_rule(struct tb_aws_ctx *ctx, const char *arn, const struct tb_xml **out)
{
	void *item = NULL;
	int err = tb_aws_batch_get(ctx, &rules, "", arn, &item);

	*out = err == 0 ? item : NULL;
	return err;
}

/* ---- Application Auto Scaling targets: fifty resource IDs a call ----------------------- */

/* group is "<namespace> <scalable dimension>". */
static int describe_targets(struct tb_aws_ctx *ctx, const char *group, const char *const *ids,
                            size_t n, void **items)
{
	const char *space = strchr(group, ' ');
	json_t *body =
	    space ? json_owned(ctx->arena, json_pack("{s:s%, s:s, s:[]}", "ServiceNamespace", group,
	                                             (size_t)(space - group), "ScalableDimension",
	                                             space + 1, "ResourceIds"))
	          : NULL;
	json_t *all = NULL;
	int err = body ? append_ids(body, "ResourceIds", ids, n) : TB_EINVAL;

	if (err == 0)
		err = tb_aws_json_all(ctx, "application-autoscaling", "DescribeScalableTargets",
		                      body, "ScalableTargets", &all);
	if (err == 0)
		match_json(json_object_get(all, "ScalableTargets"), "ResourceId", ids, n, items);
	return err;
}

static const struct tb_aws_batch scalable_targets = {
    .service = "application-autoscaling",
    .action = "DescribeScalableTargets",
    .max = 50,
    .call = describe_targets,
    .copy = tb_aws_copy_json,
};

/* One scalable target. See aws.h. */
int tb_aws_describe_scalable_target(struct tb_aws_ctx *ctx, const char *ns, const char *dimension,
                                    const char *resource_id, json_t **out)
{
	char *group = tb_arena_printf(ctx->arena, "%s %s", ns, dimension);
	void *item = NULL;
	int err =
	    group ? tb_aws_batch_get(ctx, &scalable_targets, group, resource_id, &item) : TB_ENOMEM;

	*out = err == 0 ? item : NULL;
	return err;
}

/* ---- CloudWatch Logs groups: fifty names a call ---------------------------------------- */

static int describe_groups(struct tb_aws_ctx *ctx, const char *group, const char *const *names,
                           size_t n, void **items)
{
	json_t *body = json_owned(ctx->arena, json_pack("{s:[]}", "logGroupIdentifiers"));
	json_t *all = NULL;
	int err = body ? append_ids(body, "logGroupIdentifiers", names, n) : TB_ENOMEM;

	if (err == 0)
		err = tb_aws_json_all(ctx, "logs", "DescribeLogGroups", body, "logGroups", &all);
	if (err == 0)
		match_json(json_object_get(all, "logGroups"), "logGroupName", names, n, items);
	return err;
}

static const struct tb_aws_batch log_groups = {
    .service = "logs",
    .action = "DescribeLogGroups",
    .max = 50,
    .call = describe_groups,
    .copy = tb_aws_copy_json,
};

/* One log group by name. See aws.h. */
int tb_aws_describe_log_group(struct tb_aws_ctx *ctx, const char *name, json_t **out)
{
	void *item = NULL;
	int err = tb_aws_batch_get(ctx, &log_groups, "", name, &item);

	*out = err == 0 ? item : NULL;
	return err;
}

/* ---- CloudWatch alarms: a hundred names a call ---------------------------------------- */

struct alarm_page {
	const char *const *names;
	size_t n;
	void **items;
};

static int alarm_page(void *ud, const struct tb_xml *result)
{
	struct alarm_page *pg = ud;
	const struct tb_xml *list = tb_xml_child(result, "MetricAlarms");

	for (size_t i = 0; i < pg->n; i++)
		if (pg->items[i] == NULL)
			pg->items[i] = (void *)member_with(list, "AlarmName", pg->names[i]);
	return 0;
}

static int describe_alarms(struct tb_aws_ctx *ctx, const char *group, const char *const *names,
                           size_t n, void **items)
{
	struct alarm_page pg = {.names = names, .n = n, .items = items};
	struct tb_aws_params p;
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_aws_params_add(&p, "MaxRecords", "100");
	for (size_t i = 0; i < n && err == 0; i++)
		err = tb_aws_params_addf(&p, names[i], "AlarmNames.member.%zu", i + 1);
	return err == 0 ? tb_aws_query_paginate(ctx, "monitoring", "DescribeAlarms", &p,
	                                        "NextToken", alarm_page, &pg)
	                : err;
}

static const struct tb_aws_batch alarms = {
    .service = "monitoring",
    .action = "DescribeAlarms",
    .max = 100,
    .call = describe_alarms,
    .copy = tb_aws_copy_xml,
};

/* Metric alarms by name, joining shared calls. See aws.h. */
int tb_aws_describe_alarms(struct tb_aws_ctx *ctx, const char *const *names, size_t n,
                           const struct tb_xml **found)
{
	return tb_aws_batch_get_many(ctx, &alarms, "", names, n, (void **)found);
}

/* ---- SSM parameters: ten values (GetParameters), fifty descriptions a call ------------ */

static int get_parameters(struct tb_aws_ctx *ctx, const char *group, const char *const *names,
                          size_t n, void **items)
{
	json_t *body = json_owned(ctx->arena, json_pack("{s:[]}", "Names"));
	json_t *resp = NULL;
	int err = body ? append_ids(body, "Names", names, n) : TB_ENOMEM;

	if (err == 0)
		err = tb_aws_json(ctx, "ssm", "GetParameters", body, &resp);
	if (err == 0)
		match_json(json_object_get(resp, "Parameters"), "Name", names, n, items);
	return err;
}

static int describe_parameters(struct tb_aws_ctx *ctx, const char *group, const char *const *names,
                               size_t n, void **items)
{
	json_t *body = json_owned(ctx->arena, json_pack("{s:[{s:s, s:s, s:[]}], s:i}",
	                                                "ParameterFilters", "Key", "Name", "Option",
	                                                "Equals", "Values", "MaxResults", 50));
	json_t *filter = json_array_get(json_object_get(body, "ParameterFilters"), 0);
	json_t *all = NULL;
	int err = filter ? append_ids(filter, "Values", names, n) : TB_ENOMEM;

	if (err == 0)
		err = tb_aws_json_all(ctx, "ssm", "DescribeParameters", body, "Parameters", &all);
	if (err == 0)
		match_json(json_object_get(all, "Parameters"), "Name", names, n, items);
	return err;
}

static const struct tb_aws_batch parameter_values = {
    .service = "ssm",
    .action = "GetParameters",
    .max = 10,
    .call = get_parameters,
    .copy = tb_aws_copy_json,
};

static const struct tb_aws_batch parameter_descriptions = {
    .service = "ssm",
    .action = "DescribeParameters",
    .max = 50,
    .call = describe_parameters,
    .copy = tb_aws_copy_json,
};

/* One parameter with its value. See aws.h. */
int tb_aws_get_parameter(struct tb_aws_ctx *ctx, const char *name, json_t **out)
{
	void *item = NULL;
	int err = tb_aws_batch_get(ctx, &parameter_values, "", name, &item);

	*out = err == 0 ? item : NULL;
	return err;
}

/* One parameter's metadata (description, tier). See aws.h. */
int tb_aws_describe_parameter(struct tb_aws_ctx *ctx, const char *name, json_t **out)
{
	void *item = NULL;
	int err = tb_aws_batch_get(ctx, &parameter_descriptions, "", name, &item);

	*out = err == 0 ? item : NULL;
	return err;
}
