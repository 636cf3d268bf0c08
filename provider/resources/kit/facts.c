/*
 * Reads of AWS facts that more than one resource judges, each made once
 * per provider process (tb_aws_once): a plan of twenty services in one
 * cluster and a data source looking that cluster up cost one
 * DescribeClusters.
 */
#include "resources/kit/kit.h"

/* Container Insights is on ("enabled", or "enhanced" observability). */
static bool insights_on(const json_t *cluster)
{
	const json_t *settings = json_object_get(cluster, "settings");

	for (size_t i = 0; i < json_array_size(settings); i++) {
		const json_t *s = json_array_get(settings, i);
		const char *v = tb_kit_jstr(s, "value");
		if (tb_str_eq(tb_kit_jstr(s, "name"), "containerInsights"))
			return tb_str_eq(v, "enabled") || tb_str_eq(v, "enhanced");
	}
	return false;
}

static int fetch_cluster(struct tb_aws_ctx *ctx, void *ud, json_t **out)
{
	const char *name = ud;
	json_t *resp = NULL;
	const json_t *c, *failure;
	int err = tb_kit_call(
	    ctx, "ecs", "DescribeClusters",
	    tb_kit_pack(ctx->arena, "{s:[s], s:[s]}", "clusters", name, "include", "SETTINGS"),
	    &resp);

	if (err != 0)
		return err;
	c = json_array_get(json_object_get(resp, "clusters"), 0);
	failure = json_array_get(json_object_get(resp, "failures"), 0);
	*out = tb_kit_pack(ctx->arena, "{s:b, s:b, s:s?, s:s?, s:s?}", "exists",
	                   c && tb_str_eq(tb_kit_jstr(c, "status"), "ACTIVE"), "insights",
	                   c && insights_on(c), "arn", tb_kit_jstr(c, "clusterArn"), "status",
	                   tb_kit_jstr(c, "status"), "failure", tb_kit_jstr(failure, "reason"));
	return *out ? 0 : TB_ENOMEM;
}

/* The facts of an ECS cluster, read once. See kit.h. */
int tb_kit_fact_cluster(struct tb_aws_ctx *ctx, const char *name, json_t **out)
{
	char *key = tb_arena_printf(ctx->arena, "ecs:DescribeClusters:%s", name ? name : "");

	if (key == NULL || name == NULL)
		return TB_ENOMEM;
	return tb_aws_once(ctx, key, fetch_cluster, (void *)name, out);
}
