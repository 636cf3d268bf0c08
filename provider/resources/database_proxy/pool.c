/*
 * talentbase_database_proxy, the default target group's connection pool:
 * ModifyDBProxyTargetGroup parameters, the pool read back from
 * DescribeDBProxyTargetGroups, and its read and put steps.
 */
#include <string.h>

#include "resources/database_proxy/database_proxy.h"

#define CPC "ConnectionPoolConfig."

/* ModifyDBProxyTargetGroup parameters. See database_proxy.h. */
int tb_dbp_pool_params(const struct tb_dbp *old, const struct tb_dbp *s, struct tb_aws_params *p)
{
	const struct tb_dbp_pool *pool = &s->pool;
	int err = tb_aws_params_add(p, "DBProxyName", s->name);

	if (err == 0)
		err = tb_aws_params_add(p, "TargetGroupName", TB_DBP_TARGET_GROUP);
	if (err == 0)
		err = tb_dbp_params_int(p, CPC "MaxConnectionsPercent", pool->max_connections);
	if (err == 0)
		err = tb_dbp_params_int(p, CPC "MaxIdleConnectionsPercent", pool->max_idle);
	if (err == 0)
		err = tb_dbp_params_int(p, CPC "ConnectionBorrowTimeout", pool->borrow_timeout);
	/* An empty value clears what the target group has. */
	if (err == 0 && (pool->init_query || (old && old->pool.init_query)))
		err =
		    tb_aws_params_add(p, CPC "InitQuery", pool->init_query ? pool->init_query : "");
	if (err == 0 && pool->pinning.n > 0)
		err = tb_dbp_params_strs(p, CPC "SessionPinningFilters", &pool->pinning);
	else if (err == 0 && old && old->pool.pinning.n > 0)
		err = tb_aws_params_add(p, CPC "SessionPinningFilters", "");
	return err;
}

/* Fills s->pool from a DBProxyTargetGroup element. See database_proxy.h. */
int tb_dbp_flatten_pool(struct tb_arena *a, const struct tb_xml *group, struct tb_dbp *s)
{
	const struct tb_xml *cfg = tb_xml_child(group, "ConnectionPoolConfig");
	const char *init = tb_xml_text(cfg, "InitQuery");

	s->pool.set = true;
	s->pool.max_connections = tb_kit_xint(cfg, "MaxConnectionsPercent");
	s->pool.max_idle = tb_kit_xint(cfg, "MaxIdleConnectionsPercent");
	s->pool.borrow_timeout = tb_kit_xint(cfg, "ConnectionBorrowTimeout");
	s->pool.init_query = init && *init ? init : NULL;
	return tb_kit_xstrs(a, tb_xml_child(cfg, "SessionPinningFilters"), &s->pool.pinning);
}

int tb_dbp_pool_read(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_dbp *s = slot;
	struct tb_aws_params p;
	const struct tb_xml *r = NULL, *group;
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_aws_params_add(&p, "DBProxyName", s->name);
	if (err == 0)
		err = tb_aws_params_add(&p, "TargetGroupName", TB_DBP_TARGET_GROUP);
	if (err == 0)
		err = tb_dbp_rds(ctx, "DescribeDBProxyTargetGroups", &p, &r);
	if (err != 0)
		return err;
	group = tb_xml_path(r, "TargetGroups/member");
	return group ? tb_dbp_flatten_pool(ctx->arena, group, s) : TB_ENOTFOUND;
}

/* Create (op->old NULL): always, the defaults included; update: when the
 * pool differs. */
int tb_dbp_pool_put(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	const struct tb_dbp *old = op->old;
	struct tb_dbp *s = slot;
	struct tb_aws_params p;
	int err;

	if (old && tb_dbp_block_equal("pool", old, s))
		return 0;
	tb_aws_params_init(&p, ctx->arena);
	err = tb_dbp_pool_params(old, s, &p);
	return err == 0 ? tb_dbp_rds(ctx, "ModifyDBProxyTargetGroup", &p, NULL) : err;
}

void tb_dbp_pool_merge(void *state, const void *slot)
{
	((struct tb_dbp *)state)->pool = ((const struct tb_dbp *)slot)->pool;
}
