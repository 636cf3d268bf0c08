/*
 * talentbase_database_proxy, the reader endpoint: a READ_ONLY proxy
 * endpoint named after the proxy, in the proxy's subnets and security
 * groups. Its parameters, what DescribeDBProxyEndpoints says of it, and
 * creating, changing and deleting it with RDS's waits.
 */
#include <string.h>

#include "resources/database_proxy/database_proxy.h"

#define MINUTE_MS   (60 * 1000)
#define SUFFIX      "-reader"
#define MAX_NAME    63
#define NOT_FOUND_S "NOT_FOUND"

/* "<name>-reader" within 63 characters. See database_proxy.h. */
char *tb_dbp_reader_name(struct tb_arena *a, const char *name)
{
	size_t n = name ? strlen(name) : 0, keep = MAX_NAME - strlen(SUFFIX);

	if (n > keep)
		n = keep;
	while (n > 0 && name[n - 1] == '-')
		n--;
	return tb_arena_printf(a, "%.*s%s", (int)n, name ? name : "", SUFFIX);
}

/* CreateDBProxyEndpoint parameters. See database_proxy.h. */
int tb_dbp_reader_params(const struct tb_dbp *s, struct tb_aws_params *p)
{
	const char *name = tb_dbp_reader_name(p->arena, s->name);
	int err = name ? tb_aws_params_add(p, "DBProxyName", s->name) : TB_ENOMEM;

	if (err == 0)
		err = tb_aws_params_add(p, "DBProxyEndpointName", name);
	if (err == 0)
		err = tb_aws_params_add(p, "TargetRole", "READ_ONLY");
	if (err == 0)
		err = tb_dbp_params_strs(p, "VpcSubnetIds", &s->subnets);
	if (err == 0)
		err = tb_dbp_params_strs(p, "VpcSecurityGroupIds", &s->security_groups);
	if (err == 0)
		err = tb_aws_tags_params_for(p, "rds", "Tags", &s->tags_all);
	return err;
}

/* The reader endpoint's element in a DescribeDBProxyEndpointsResult, or NULL. */
static const struct tb_xml *find_reader(struct tb_arena *a, const struct tb_xml *result,
                                        const char *proxy)
{
	const struct tb_xml *list = tb_xml_child(result, "DBProxyEndpoints");
	const char *name = tb_dbp_reader_name(a, proxy);

	for (const struct tb_xml *m = list ? list->children : NULL; m; m = m->next)
		if (tb_str_eq(tb_xml_text(m, "DBProxyEndpointName"), name))
			return m;
	return NULL;
}

/* Fills the reader endpoint from DescribeDBProxyEndpoints. See database_proxy.h. */
void tb_dbp_flatten_reader(struct tb_arena *a, const struct tb_xml *result, struct tb_dbp *s)
{
	const struct tb_xml *e = find_reader(a, result, s->name);

	s->reader.enabled = e != NULL && !tb_str_eq(tb_xml_text(e, "Status"), "deleting");
	s->reader_endpoint_address = s->reader.enabled ? tb_xml_text(e, "Endpoint") : NULL;
	s->reader_arn = s->reader.enabled ? tb_xml_text(e, "DBProxyEndpointArn") : NULL;
}

static int describe_endpoints(struct tb_aws_ctx *ctx, const struct tb_dbp *s,
                              const struct tb_xml **out)
{
	struct tb_aws_params p;
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_aws_params_add(&p, "DBProxyName", s->name);
	return err == 0 ? tb_dbp_rds(ctx, "DescribeDBProxyEndpoints", &p, out) : err;
}

int tb_dbp_reader_read(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_dbp *s = slot;
	const struct tb_xml *r = NULL;
	int err = describe_endpoints(ctx, s, &r);

	if (err == TB_ENOTFOUND)
		r = NULL;
	else if (err != 0)
		return err;
	tb_dbp_flatten_reader(ctx->arena, r, s);
	return 0;
}

/* The reader endpoint's status; NOT_FOUND when it is gone. */
static int reader_status(struct tb_aws_ctx *ctx, void *ud, const char **state)
{
	struct tb_dbp *s = ud;
	const struct tb_xml *r = NULL, *e;
	int err = describe_endpoints(ctx, s, &r);

	if (err != 0)
		return err;
	if ((e = find_reader(ctx->arena, r, s->name)) == NULL)
		return TB_ENOTFOUND;
	*state = tb_xml_text(e, "Status");
	s->reader_endpoint_address = tb_xml_text(e, "Endpoint");
	s->reader_arn = tb_xml_text(e, "DBProxyEndpointArn");
	return 0;
}

static int wait_reader(struct tb_aws_ctx *ctx, struct tb_dbp *s, bool gone)
{
	static const char *const pending_up[] = {"creating", "modifying", NULL};
	static const char *const pending_gone[] = {"deleting", "available", "modifying", NULL};
	static const char *const target_up[] = {"available", NULL};
	static const char *const target_gone[] = {NOT_FOUND_S, NULL};
	static const char *const failure[] = {"incompatible-network",
	                                      "insufficient-resource-limits", NULL};
	struct tb_arena *a = ctx->arena;
	struct tb_aws_waiter w = {
	    .what = tb_arena_printf(a, "reader endpoint %s of RDS Proxy %s to %s",
	                            tb_dbp_reader_name(a, s->name), s->name,
	                            gone ? "be deleted" : "become available"),
	    .pending = gone ? pending_gone : pending_up,
	    .target = gone ? target_gone : target_up,
	    .failure = gone ? NULL : failure,
	    .timeout_ms = 60 * MINUTE_MS,
	    .min_delay_ms = 2000,
	    .max_delay_ms = 20000,
	    .refresh = reader_status,
	    .ud = s,
	};

	return tb_dbp_wait(ctx, &w);
}

static int create_reader(struct tb_aws_ctx *ctx, struct tb_dbp *s)
{
	struct tb_aws_params p;
	const struct tb_xml *r = NULL;
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_dbp_reader_params(s, &p);
	if (err == 0)
		err = tb_dbp_rds(ctx, "CreateDBProxyEndpoint", &p, &r);
	if (err != 0)
		return err;
	/* It exists from here on: its address goes into the (partial) state. */
	s->reader_arn = tb_xml_text(r, "DBProxyEndpoint/DBProxyEndpointArn");
	s->reader_endpoint_address = tb_xml_text(r, "DBProxyEndpoint/Endpoint");
	if (s->reader_endpoint_address == NULL)
		s->reader_endpoint_address = "";
	return wait_reader(ctx, s, false);
}

static int delete_reader(struct tb_aws_ctx *ctx, struct tb_dbp *s)
{
	struct tb_aws_params p;
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_aws_params_add(&p, "DBProxyEndpointName", tb_dbp_reader_name(ctx->arena, s->name));
	if (err == 0)
		err = tb_dbp_rds(ctx, "DeleteDBProxyEndpoint", &p, NULL);
	if (err == TB_ENOTFOUND)
		err = 0;
	else if (err == 0)
		err = wait_reader(ctx, s, true);
	s->reader_endpoint_address = NULL;
	s->reader_arn = NULL;
	return err;
}

int tb_dbp_reader_create(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_dbp *s = slot;
	return s->reader.enabled ? create_reader(ctx, s) : 0;
}

static int modify_reader_groups(struct tb_aws_ctx *ctx, const struct tb_dbp *s)
{
	struct tb_aws_params p;
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_aws_params_add(&p, "DBProxyEndpointName", tb_dbp_reader_name(ctx->arena, s->name));
	if (err == 0)
		err = tb_dbp_params_strs(&p, "VpcSecurityGroupIds", &s->security_groups);
	return err == 0 ? tb_dbp_rds(ctx, "ModifyDBProxyEndpoint", &p, NULL) : err;
}

/* Update: enabled turned on or off, or the proxy's security groups changed. */
int tb_dbp_reader_update(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	const struct tb_dbp *old = op->old;
	struct tb_dbp *s = slot;
	int err;

	if (s->reader.enabled && !old->reader.enabled)
		return create_reader(ctx, s);
	if (!s->reader.enabled)
		return old->reader.enabled ? delete_reader(ctx, s) : 0;
	if (tb_dbp_attr_equal("", "security_groups", old, s))
		return 0;
	err = modify_reader_groups(ctx, s);
	return err == 0 ? wait_reader(ctx, s, false) : err;
}

int tb_dbp_reader_delete(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	return delete_reader(ctx, slot);
}

void tb_dbp_reader_merge(void *state, const void *slot)
{
	struct tb_dbp *s = state;
	const struct tb_dbp *r = slot;

	s->reader_endpoint_address = r->reader_endpoint_address;
	s->reader_arn = r->reader_arn;
	s->reader.enabled = r->reader.enabled || r->reader_endpoint_address != NULL;
}
