/*
 * talentbase_database_proxy, the RDS Proxy itself: CreateDBProxy and
 * ModifyDBProxy parameters, the settings read back from DescribeDBProxies,
 * creating, modifying and deleting it with the waits RDS needs; and the
 * query helpers the other objects share.
 */
#include <stdio.h>
#include <string.h>

#include "resources/database_proxy/database_proxy.h"
#include "tb/log.h"

#define MINUTE_MS (60 * 1000)

/* ---- query helpers ------------------------------------------------------------ */

/* One rds call. See database_proxy.h. */
int tb_dbp_rds(struct tb_aws_ctx *ctx, const char *action, const struct tb_aws_params *p,
               const struct tb_xml **out)
{
	const struct tb_xml *ignored = NULL;
	return tb_aws_query(ctx, "rds", action, p, out ? out : &ignored);
}

/* <prefix>.member.N. See database_proxy.h. */
int tb_dbp_params_strs(struct tb_aws_params *p, const char *prefix, const struct tb_strs *strs)
{
	int err = 0;

	for (size_t i = 0; i < strs->n && err == 0; i++)
		err = tb_aws_params_addf(p, strs->v[i] ? strs->v[i] : "", "%s.member.%zu", prefix,
		                         i + 1);
	return err;
}

/* name = v. See database_proxy.h. */
int tb_dbp_params_int(struct tb_aws_params *p, const char *name, int64_t v)
{
	char *text = tb_arena_printf(p->arena, "%lld", (long long)v);
	return text ? tb_aws_params_add(p, name, text) : TB_ENOMEM;
}

int tb_dbp_params_bool(struct tb_aws_params *p, const char *name, bool v)
{
	return tb_aws_params_add(p, name, v ? "true" : "false");
}

/* A wait with a first line saying how long it may take. See database_proxy.h. */
int tb_dbp_wait(struct tb_aws_ctx *ctx, const struct tb_aws_waiter *w)
{
	int64_t left = ctx->deadline_ms ? ctx->deadline_ms - tb_now_ms() : w->timeout_ms;
	char budget[32];
	int err;

	if (w->timeout_ms > 0 && w->timeout_ms < left)
		left = w->timeout_ms;
	if (left < 0)
		left = 0;
	snprintf(budget, sizeof(budget), "%lldm%02llds", (long long)(left / 60000),
	         (long long)(left / 1000 % 60));
	tb_log(TB_LOG_INFO, "database_proxy", "waiting", "for", w->what, "up_to", budget, NULL);
	err = tb_aws_wait(ctx, w);
	if (err == TB_ETIMEOUT && ctx->error.action == NULL && ctx->error.message)
		ctx->error.message = tb_arena_printf(
		    ctx->arena, "%s; RDS can take longer: the timeouts block gives it more time",
		    ctx->error.message);
	return err;
}

/* ---- requests ------------------------------------------------------------------ */

static int add_auth(struct tb_aws_params *p, const struct tb_dbp *s)
{
	int err = 0;

	for (size_t i = 0; i < s->n_auth && err == 0; i++) {
		const struct tb_dbp_auth *au = &s->auth[i];
		size_t k = i + 1;
		err = tb_aws_params_addf(p, "SECRETS", "Auth.member.%zu.AuthScheme", k);
		if (err == 0)
			err = tb_aws_params_addf(p, au->secret_arn ? au->secret_arn : "",
			                         "Auth.member.%zu.SecretArn", k);
		if (err == 0)
			err = tb_aws_params_addf(p, au->iam_auth ? au->iam_auth : "DISABLED",
			                         "Auth.member.%zu.IAMAuth", k);
		if (err == 0 && au->client_password_auth_type)
			err = tb_aws_params_addf(p, au->client_password_auth_type,
			                         "Auth.member.%zu.ClientPasswordAuthType", k);
		if (err == 0 && au->description)
			err = tb_aws_params_addf(p, au->description, "Auth.member.%zu.Description",
			                         k);
	}
	return err;
}

/* CreateDBProxy parameters. See database_proxy.h. */
int tb_dbp_create_params(const struct tb_dbp *s, struct tb_aws_params *p)
{
	int err = tb_aws_params_add(p, "DBProxyName", s->name);

	if (err == 0)
		err = tb_aws_params_add(p, "EngineFamily", s->engine_family);
	if (err == 0)
		err = tb_aws_params_add(p, "RoleArn", s->role_arn);
	if (err == 0)
		err = add_auth(p, s);
	if (err == 0)
		err = tb_dbp_params_strs(p, "VpcSubnetIds", &s->subnets);
	if (err == 0)
		err = tb_dbp_params_strs(p, "VpcSecurityGroupIds", &s->security_groups);
	if (err == 0)
		err = tb_dbp_params_bool(p, "RequireTLS", s->require_tls);
	if (err == 0)
		err = tb_dbp_params_int(p, "IdleClientTimeout", s->idle_client_timeout);
	if (err == 0)
		err = tb_dbp_params_bool(p, "DebugLogging", s->debug_logging);
	if (err == 0)
		err = tb_aws_tags_params_for(p, "rds", "Tags", &s->tags_all);
	return err;
}

/* Which ModifyDBProxy parameters to send: a table of (differs?, add) rows. */
struct modify_row {
	const char *attr; /* the attribute that differs ("" block) */
	int (*add)(struct tb_aws_params *p, const struct tb_dbp *s);
};

static int add_tls(struct tb_aws_params *p, const struct tb_dbp *s)
{
	return tb_dbp_params_bool(p, "RequireTLS", s->require_tls);
}

static int add_idle(struct tb_aws_params *p, const struct tb_dbp *s)
{
	return tb_dbp_params_int(p, "IdleClientTimeout", s->idle_client_timeout);
}

static int add_debug(struct tb_aws_params *p, const struct tb_dbp *s)
{
	return tb_dbp_params_bool(p, "DebugLogging", s->debug_logging);
}

static int add_role(struct tb_aws_params *p, const struct tb_dbp *s)
{
	return tb_aws_params_add(p, "RoleArn", s->role_arn);
}

static int add_groups(struct tb_aws_params *p, const struct tb_dbp *s)
{
	return tb_dbp_params_strs(p, "SecurityGroups", &s->security_groups);
}

/* clang-format off */
static const struct modify_row modify_rows[] = {
    {.attr = "require_tls", .add = add_tls},
    {.attr = "idle_client_timeout", .add = add_idle},
    {.attr = "debug_logging", .add = add_debug},
    {.attr = "role_arn", .add = add_role},
    {.attr = "security_groups", .add = add_groups},
};
/* clang-format on */

/* ModifyDBProxy parameters. See database_proxy.h. */
int tb_dbp_modify_params(const struct tb_dbp *old, const struct tb_dbp *s, struct tb_aws_params *p,
                         bool *changed)
{
	int err = tb_aws_params_add(p, "DBProxyName", s->name);

	*changed = false;
	for (size_t i = 0; i < TB_COUNT(modify_rows) && err == 0; i++) {
		if (tb_dbp_attr_equal("", modify_rows[i].attr, old, s))
			continue;
		*changed = true;
		err = modify_rows[i].add(p, s);
	}
	if (err == 0 && !tb_dbp_block_equal("auth", old, s)) {
		*changed = true;
		err = add_auth(p, s);
	}
	return err;
}

/* ---- answers ---------------------------------------------------------------------- */

static int flatten_auth(struct tb_arena *a, const struct tb_xml *list, struct tb_dbp *s)
{
	size_t n = 0;

	for (const struct tb_xml *m = list ? list->children : NULL; m; m = m->next)
		n++;
	s->auth = tb_arena_alloc(a, (n + 1) * sizeof(*s->auth));
	if (s->auth == NULL)
		return TB_ENOMEM;
	n = 0;
	for (const struct tb_xml *m = list ? list->children : NULL; m; m = m->next) {
		const char *iam = tb_xml_text(m, "IAMAuth");
		s->auth[n++] = (struct tb_dbp_auth){
		    .secret_arn = tb_xml_text(m, "SecretArn"),
		    .iam_auth = iam ? iam : "DISABLED",
		    .client_password_auth_type = tb_xml_text(m, "ClientPasswordAuthType"),
		    .description = tb_xml_text(m, "Description"),
		};
	}
	s->n_auth = n;
	return 0;
}

static int64_t xint_or(const struct tb_xml *n, const char *path, int64_t dflt)
{
	return tb_xml_text(n, path) ? tb_kit_xint(n, path) : dflt;
}

/* Fills the proxy's settings from a DBProxy element. See database_proxy.h. */
int tb_dbp_flatten_proxy(struct tb_arena *a, const struct tb_xml *proxy, struct tb_dbp *s)
{
	int err;

	if (proxy == NULL || tb_xml_text(proxy, "DBProxyArn") == NULL)
		return TB_EINVAL;
	s->arn = tb_xml_text(proxy, "DBProxyArn");
	s->name = tb_xml_text(proxy, "DBProxyName") ? tb_xml_text(proxy, "DBProxyName") : s->name;
	s->engine_family = tb_xml_text(proxy, "EngineFamily");
	s->role_arn = tb_xml_text(proxy, "RoleArn");
	s->endpoint = tb_xml_text(proxy, "Endpoint");
	s->vpc_id = tb_xml_text(proxy, "VpcId");
	s->status = tb_xml_text(proxy, "Status");
	s->require_tls = tb_str_eq(tb_xml_text(proxy, "RequireTLS"), "true");
	s->debug_logging = tb_str_eq(tb_xml_text(proxy, "DebugLogging"), "true");
	s->idle_client_timeout = xint_or(proxy, "IdleClientTimeout", 1800);
	err = flatten_auth(a, tb_xml_child(proxy, "Auth"), s);
	if (err == 0)
		err = tb_kit_xstrs(a, tb_xml_child(proxy, "VpcSubnetIds"), &s->subnets);
	if (err == 0)
		err = tb_kit_xstrs(a, tb_xml_child(proxy, "VpcSecurityGroupIds"),
		                   &s->security_groups);
	return err;
}

static int describe_proxy(struct tb_aws_ctx *ctx, const char *name, const struct tb_xml **proxy)
{
	struct tb_aws_params p;
	const struct tb_xml *r = NULL;
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_aws_params_add(&p, "DBProxyName", name);
	if (err == 0)
		err = tb_dbp_rds(ctx, "DescribeDBProxies", &p, &r);
	if (err != 0)
		return err;
	*proxy = tb_xml_path(r, "DBProxies/member");
	return *proxy ? 0 : TB_ENOTFOUND;
}

/* DescribeDBProxies of s->name into s. See database_proxy.h. */
int tb_dbp_proxy_read(struct tb_aws_ctx *ctx, struct tb_dbp *s)
{
	const struct tb_xml *proxy = NULL;
	int err = describe_proxy(ctx, s->name, &proxy);

	if (err == 0)
		err = tb_dbp_flatten_proxy(ctx->arena, proxy, s);
	if (err == 0 && tb_str_eq(s->status, "deleting"))
		err = TB_ENOTFOUND;
	return err;
}

/* ---- waits -------------------------------------------------------------------------- */

struct status_wait {
	const char *name;
	const char *last; /* the state seen last */
};

static int refresh_status(struct tb_aws_ctx *ctx, void *ud, const char **state)
{
	struct status_wait *sw = ud;
	const struct tb_xml *proxy = NULL;
	int err = describe_proxy(ctx, sw->name, &proxy);

	if (err == 0)
		*state = sw->last = tb_xml_text(proxy, "Status");
	return err;
}

/* What a failed proxy state means, for the diagnostic. */
static const struct {
	const char *state, *meaning;
} failed_states[] = {
    {"incompatible-network", "the proxy cannot use its subnets: they must be in one VPC, in "
                             "two or more Availability Zones, with free IP addresses"},
    {"insufficient-resource-limits", "an RDS Proxy quota of the account is used up (proxies, "
                                     "or IP addresses in the subnets)"},
    {"suspended", "RDS suspended the proxy (its target was unavailable for a long time)"},
    {"suspending", "RDS is suspending the proxy (its target was unavailable for a long time)"},
};

/* Adds what a failure state means to the waiter's message. */
static int explain_failure(struct tb_aws_ctx *ctx, int err, const char *state)
{
	for (size_t i = 0; err == TB_EFAILED && state && i < TB_COUNT(failed_states); i++)
		if (strcmp(state, failed_states[i].state) == 0)
			ctx->error.message = tb_arena_printf(
			    ctx->arena, "%s: %s", ctx->error.message, failed_states[i].meaning);
	return err;
}

/* Waits until the proxy called name is available. */
static int wait_available(struct tb_aws_ctx *ctx, const char *name)
{
	static const char *const pending[] = {"creating", "modifying", "reactivating", NULL};
	static const char *const target[] = {"available", NULL};
	static const char *const failure[] = {"incompatible-network",
	                                      "insufficient-resource-limits", "suspended",
	                                      "suspending", NULL};
	struct tb_arena *a = ctx->arena;
	struct status_wait sw = {.name = name};
	struct tb_aws_waiter w = {
	    .what = tb_arena_printf(a, "RDS Proxy %s to become available", name),
	    .pending = pending,
	    .target = target,
	    .failure = failure,
	    .timeout_ms = 60 * MINUTE_MS,
	    .min_delay_ms = 2000,
	    .max_delay_ms = 20000,
	    .refresh = refresh_status,
	    .ud = &sw,
	};

	return explain_failure(ctx, tb_dbp_wait(ctx, &w), sw.last);
}

/* ---- steps ---------------------------------------------------------------------------- */

int tb_dbp_proxy_create(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_dbp *s = slot;
	struct tb_aws_params p;
	const struct tb_xml *r = NULL;
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_dbp_create_params(s, &p);
	if (err == 0)
		err = tb_dbp_rds(ctx, "CreateDBProxy", &p, &r);
	if (err == 0)
		err = tb_dbp_flatten_proxy(ctx->arena, tb_xml_child(r, "DBProxy"), s);
	if (err == TB_EINVAL)
		err = TB_EAWS;
	/* The proxy exists from here on: its ARN is in s (and so in the partial state). */
	if (err == 0)
		err = wait_available(ctx, s->name);
	/* What RDS filled in (the engine's client password authentication). */
	return err == 0 ? tb_dbp_proxy_read(ctx, s) : err;
}

int tb_dbp_proxy_modify(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_dbp *s = slot;
	struct tb_aws_params p;
	bool changed = false;
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_dbp_modify_params(op->old, s, &p, &changed);
	if (err != 0 || !changed)
		return err;
	err = tb_dbp_rds(ctx, "ModifyDBProxy", &p, NULL);
	return err == 0 ? wait_available(ctx, s->name) : err;
}

int tb_dbp_proxy_delete(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	static const char *const pending[] = {"deleting",
	                                      "available",
	                                      "modifying",
	                                      "creating",
	                                      "suspended",
	                                      "incompatible-network",
	                                      "insufficient-resource-limits",
	                                      NULL};
	static const char *const target[] = {"NOT_FOUND", NULL};
	struct tb_dbp *s = slot;
	struct tb_aws_params p;
	struct status_wait sw = {.name = s->name};
	struct tb_aws_waiter w = {
	    .what = tb_arena_printf(ctx->arena, "RDS Proxy %s to be deleted", s->name),
	    .pending = pending,
	    .target = target,
	    .timeout_ms = 60 * MINUTE_MS,
	    .min_delay_ms = 2000,
	    .max_delay_ms = 20000,
	    .refresh = refresh_status,
	    .ud = &sw,
	};
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_aws_params_add(&p, "DBProxyName", s->name);
	if (err == 0)
		err = tb_dbp_rds(ctx, "DeleteDBProxy", &p, NULL);
	if (err == TB_ENOTFOUND)
		return 0;
	return err == 0 ? tb_dbp_wait(ctx, &w) : err;
}

void tb_dbp_proxy_merge(void *state, const void *slot)
{
	struct tb_dbp *s = state;
	const struct tb_dbp *r = slot;

	s->arn = r->arn;
	s->endpoint = r->endpoint;
	s->vpc_id = r->vpc_id;
	s->status = r->status;
	if (r->arn == NULL)
		return;
	s->security_groups = r->security_groups;
	if (r->n_auth == s->n_auth) {
		s->auth = r->auth;
		s->n_auth = r->n_auth;
	}
}
