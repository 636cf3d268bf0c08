/*
 * data "talentbase_platform": the shared objects an app team is given, looked
 * up by the names it is handed. The cluster, the load balancer's listener,
 * the VPC and its private subnets by tag, security groups and IAM roles by
 * name; each lookup finds exactly one object, or the read fails naming what
 * it searched and what it found.
 *
 *   lookups     lookups.c (two phases of parallel lookups)
 */
#include <string.h>

#include "resources/platform/platform.h"

#define READ_TIMEOUT_MS (2 * 60 * 1000)

#define T_STR  "\"string\""
#define T_NUM  "\"number\""
#define T_BOOL "\"bool\""
#define T_MAP  "[\"map\",\"string\"]"
#define T_LIST "[\"list\",\"string\"]"

/* ---- schema ----------------------------------------------------------------------- */

static const struct tb_attr platform_attrs[] = {
    {.name = "cluster",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "Name of the ECS cluster (ecs:DescribeClusters)."},
    {.name = "load_balancer",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "Name of the application load balancer "
                    "(elasticloadbalancing:DescribeLoadBalancers)."},
    {.name = "listener_port",
     .type = T_NUM,
     .flags = TB_A_OPTIONAL,
     .description = "Port of the load balancer's listener, e.g. 443; may be left out when it "
                    "has one listener (elasticloadbalancing:DescribeListeners)."},
    {.name = "vpc_tag",
     .type = T_MAP,
     .flags = TB_A_OPTIONAL,
     .description = "Tags that identify the VPC, e.g. { Name = \"talentbase-prod\" } "
                    "(ec2:DescribeVpcs). Default: the load balancer's VPC."},
    {.name = "subnet_tag",
     .type = T_MAP,
     .flags = TB_A_OPTIONAL,
     .description = "Tags of the private subnets inside the VPC, e.g. { Tier = \"private\" } "
                    "(ec2:DescribeSubnets)."},
    {.name = "security_groups",
     .type = T_LIST,
     .flags = TB_A_OPTIONAL,
     .description = "Names of security groups inside the VPC (ec2:DescribeSecurityGroups)."},
    {.name = "roles",
     .type = T_LIST,
     .flags = TB_A_OPTIONAL,
     .description = "Names of IAM roles (iam:GetRole)."},
    {.name = "cluster_arn",
     .type = T_STR,
     .flags = TB_A_COMPUTED,
     .description = "ARN of the cluster."},
    {.name = "container_insights",
     .type = T_BOOL,
     .flags = TB_A_COMPUTED,
     .description = "Whether the cluster has Container Insights on."},
    {.name = "load_balancer_arn",
     .type = T_STR,
     .flags = TB_A_COMPUTED,
     .description = "ARN of the load balancer."},
    {.name = "listener_arn",
     .type = T_STR,
     .flags = TB_A_COMPUTED,
     .description = "ARN of the listener: load_balancer.listener_arn of a talentbase_service."},
    {.name = "vpc_id",
     .type = T_STR,
     .flags = TB_A_COMPUTED,
     .description = "ID of the VPC (vpc_tag's, else the load balancer's)."},
    {.name = "private_subnet_ids",
     .type = T_LIST,
     .flags = TB_A_COMPUTED,
     .description = "IDs of the subnets subnet_tag finds, sorted: network.subnets."},
    {.name = "security_group_ids",
     .type = T_MAP,
     .flags = TB_A_COMPUTED,
     .description = "Security group name -> ID."},
    {.name = "role_arns",
     .type = T_MAP,
     .flags = TB_A_COMPUTED,
     .description = "Role name -> ARN."},
};

static const struct tb_block platform_block = {
    .attrs = platform_attrs,
    .n_attrs = TB_COUNT(platform_attrs),
    .description = "The shared platform objects an app team is handed by name (cluster, load "
                   "balancer listener, VPC and private subnets, security groups, roles), as "
                   "the ARNs and IDs talentbase_service takes. A lookup that finds none or "
                   "several fails the read, naming what it searched and what it found.",
};

static const struct tb_schema platform_schema = {.version = 0, .block = &platform_block};

/* ---- validation -------------------------------------------------------------------- */

/* A setting that needs another one; checked when both are known. */
struct needs {
	const char *attr, *other, *other2; /* attr needs other (or other2) */
	const char *why;
};

static const struct needs needs[] = {
    {.attr = "listener_port",
     .other = "load_balancer",
     .why = "listener_port chooses a listener of load_balancer: set load_balancer."},
    {.attr = "subnet_tag",
     .other = "vpc_tag",
     .other2 = "load_balancer",
     .why = "subnet_tag searches inside a VPC: set vpc_tag, or load_balancer to use its VPC."},
};

static void check_needs(struct tb_call *c, const struct tb_value *v)
{
	for (size_t i = 0; i < TB_COUNT(needs); i++) {
		const struct needs *n = &needs[i];
		const struct tb_value *o = tb_attr(v, n->other);
		const struct tb_value *o2 = n->other2 ? tb_attr(v, n->other2) : NULL;
		if (!tb_is_known(tb_attr(v, n->attr)) || tb_is_unknown(o) || tb_is_unknown(o2))
			continue;
		if (tb_is_null(o) && tb_is_null(o2))
			tb_diag_add(&c->diags, TB_SEV_ERROR, n->attr, "Missing setting", n->why);
	}
}

/* Names and tags must not be empty: an empty one would match anything. */
static void check_empty(struct tb_call *c, const struct tb_value *v)
{
	static const char *const maps[] = {"vpc_tag", "subnet_tag"};
	static const char *const names[] = {"cluster", "load_balancer"};
	int64_t port = 0;

	for (size_t i = 0; i < TB_COUNT(maps); i++)
		if (tb_is_known(tb_attr(v, maps[i])) && tb_len(tb_attr(v, maps[i])) == 0)
			tb_diag_addf(&c->diags, TB_SEV_ERROR, maps[i], "Empty tag filter",
			             "%s must name at least one tag.", maps[i]);
	for (size_t i = 0; i < TB_COUNT(names); i++)
		if (tb_str_eq(tb_get_str(tb_attr(v, names[i])), ""))
			tb_diag_addf(&c->diags, TB_SEV_ERROR, names[i], "Empty name",
			             "%s must not be empty.", names[i]);
	if (tb_is_known(tb_attr(v, "listener_port")) &&
	    (!tb_get_int(tb_attr(v, "listener_port"), &port) || port < 1 || port > 65535))
		tb_diag_add(&c->diags, TB_SEV_ERROR, "listener_port", "Invalid port",
		            "listener_port must be a whole number from 1 to 65535.");
}

static void platform_validate(struct tb_call *c, const struct tb_value *config)
{
	check_needs(c, config);
	check_empty(c, config);
}

/* ---- reading ------------------------------------------------------------------------ */

/* The names in, from config. Strings are borrowed from it. */
static int load(struct tb_arena *a, const struct tb_value *config, struct tb_platform *p)
{
	static const char *const lists[] = {"security_groups", "roles"};
	struct tb_strs *outs[] = {&p->security_groups, &p->roles};
	static const char *const maps[] = {"vpc_tag", "subnet_tag"};
	struct tb_kvs *kouts[] = {&p->vpc_tag, &p->subnet_tag};

	memset(p, 0, sizeof(*p));
	p->cluster = tb_get_str(tb_attr(config, "cluster"));
	p->load_balancer = tb_get_str(tb_attr(config, "load_balancer"));
	tb_get_int(tb_attr(config, "listener_port"), &p->listener_port);
	for (size_t i = 0; i < TB_COUNT(lists); i++) {
		const struct tb_value *l = tb_attr(config, lists[i]);
		size_t n = tb_is_known(l) ? tb_len(l) : 0;
		outs[i]->v = tb_arena_alloc(a, (n + 1) * sizeof(*outs[i]->v));
		if (outs[i]->v == NULL)
			return TB_ENOMEM;
		for (size_t j = 0; j < n; j++)
			outs[i]->v[outs[i]->n++] = tb_get_str(l->u.coll.items[j]);
	}
	for (size_t i = 0; i < TB_COUNT(maps); i++) {
		const struct tb_value *m = tb_attr(config, maps[i]);
		size_t n = tb_is_known(m) ? tb_len(m) : 0;
		kouts[i]->v = tb_arena_alloc(a, (n + 1) * sizeof(*kouts[i]->v));
		if (kouts[i]->v == NULL)
			return TB_ENOMEM;
		for (size_t j = 0; j < n; j++)
			kouts[i]->v[kouts[i]->n++] = (struct tb_kv){
			    .key = m->u.coll.keys[j], .value = tb_get_str(m->u.coll.items[j])};
	}
	return 0;
}

/* One phase of lookups in parallel, each on its own copy of the settings. */
struct phase {
	const struct tb_platform_lookup *lookups;
	struct tb_platform *slots;
	const char **problems;
	int *errs;
	struct tb_aws_error *errors;
};

static int run_lookup(void *ud, size_t i, struct tb_aws_ctx *ctx)
{
	struct phase *ph = ud;

	if (!ph->lookups[i].wanted(&ph->slots[i]))
		return 0;
	ph->errs[i] = ph->lookups[i].run(ctx, &ph->slots[i], &ph->problems[i]);
	if (ph->errs[i] != 0)
		ph->errors[i] = ctx->error;
	return ph->errs[i];
}

/* Adds the diagnostic of one lookup that failed or found none or several. */
static void report(struct tb_call *c, const struct tb_platform_lookup *l, int err,
                   const struct tb_aws_error *e, const char *problem)
{
	const char *what =
	    e->action && e->err == err ? tb_aws_error_string(c->arena, e) : tb_strerror(err);

	if (problem)
		tb_diag_add(&c->diags, TB_SEV_ERROR, l->path,
		            tb_arena_printf(c->arena, "Cannot find the %s", l->what), problem);
	else
		tb_diag_add(&c->diags, TB_SEV_ERROR, l->path,
		            tb_arena_printf(
		                c->arena,
		                "looking up the %s for data source " TB_PLATFORM_DATA_SOURCE ": %s",
		                l->what, what ? what : "AWS call failed"),
		            NULL);
}

/* Runs lookups[0..n) over *p and merges what they found. Returns 0, or
 * TB_EINVAL / the first AWS failure after a diagnostic for each. */
static int run_phase(struct tb_call *c, struct tb_aws_ctx *ctx,
                     const struct tb_platform_lookup *lookups, size_t n, struct tb_platform *p)
{
	struct phase ph = {.lookups = lookups};
	int result = 0;

	ph.slots = tb_arena_alloc(c->arena, (n + 1) * sizeof(*ph.slots));
	ph.problems = tb_arena_alloc(c->arena, (n + 1) * sizeof(*ph.problems));
	ph.errs = tb_arena_alloc(c->arena, (n + 1) * sizeof(*ph.errs));
	ph.errors = tb_arena_alloc(c->arena, (n + 1) * sizeof(*ph.errors));
	if (!ph.slots || !ph.problems || !ph.errs || !ph.errors)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++)
		ph.slots[i] = *p;
	tb_aws_fanout(ctx, n, run_lookup, &ph);
	for (size_t i = 0; i < n; i++) {
		if (ph.errs[i] == 0 && ph.problems[i] == NULL) {
			lookups[i].merge(p, &ph.slots[i]);
			continue;
		}
		report(c, &lookups[i], ph.errs[i], &ph.errors[i], ph.problems[i]);
		if (result == 0 || result == TB_EINVAL)
			result = ph.errs[i] ? ph.errs[i] : TB_EINVAL;
	}
	return result;
}

/* ---- the value ------------------------------------------------------------------------ */

static const struct tb_value *opt_str(struct tb_arena *a, const char *s)
{
	return s ? tb_string(a, s) : tb_null(a, &tb_type_string);
}

static const struct tb_value *str_list(struct tb_arena *a, const struct tb_type *t,
                                       const struct tb_strs *l, bool asked)
{
	const struct tb_value **items = tb_arena_alloc(a, (l->n + 1) * sizeof(*items));

	if (!asked)
		return tb_null(a, t);
	for (size_t i = 0; items && i < l->n; i++)
		if ((items[i] = tb_string(a, l->v[i])) == NULL)
			return NULL;
	return items ? tb_list(a, t, l->n, items) : NULL;
}

static const struct tb_value *str_map(struct tb_arena *a, const struct tb_type *t,
                                      const struct tb_kvs *m, bool asked)
{
	const struct tb_value **items = tb_arena_alloc(a, (m->n + 1) * sizeof(*items));
	const char **keys = tb_arena_alloc(a, (m->n + 1) * sizeof(*keys));

	if (!asked)
		return tb_null(a, t);
	for (size_t i = 0; items && keys && i < m->n; i++) {
		keys[i] = m->v[i].key;
		if ((items[i] = tb_string(a, m->v[i].value)) == NULL)
			return NULL;
	}
	return items && keys ? tb_map(a, t, m->n, keys, items) : NULL;
}

static const struct tb_type *attr_type(const struct tb_value *v, const char *name)
{
	int i = tb_type_attr_index(v->type, name);
	return i >= 0 ? v->type->types[i] : &tb_type_dynamic;
}

/* config with what the lookups found; NULL when out of memory. */
static const struct tb_value *found_value(struct tb_arena *a, const struct tb_value *config,
                                          const struct tb_platform *p)
{
	const struct tb_value *v = config;
	const char *vpc = tb_platform_vpc(p);

	v = tb_object_with(a, v, "cluster_arn", opt_str(a, p->cluster_arn));
	v = v ? tb_object_with(a, v, "container_insights",
	                       p->cluster ? tb_bool(a, p->container_insights)
	                                  : tb_null(a, &tb_type_bool))
	      : NULL;
	v = v ? tb_object_with(a, v, "load_balancer_arn", opt_str(a, p->load_balancer_arn)) : NULL;
	v = v ? tb_object_with(a, v, "listener_arn", opt_str(a, p->listener_arn)) : NULL;
	v = v ? tb_object_with(a, v, "vpc_id", opt_str(a, vpc)) : NULL;
	v = v ? tb_object_with(a, v, "private_subnet_ids",
	                       str_list(a, attr_type(config, "private_subnet_ids"), &p->subnet_ids,
	                                p->subnet_tag.n > 0))
	      : NULL;
	v = v ? tb_object_with(a, v, "security_group_ids",
	                       str_map(a, attr_type(config, "security_group_ids"), &p->sg_ids,
	                               p->security_groups.n > 0))
	      : NULL;
	return v ? tb_object_with(
	               a, v, "role_arns",
	               str_map(a, attr_type(config, "role_arns"), &p->role_arns, p->roles.n > 0))
	         : NULL;
}

static int platform_read(struct tb_call *c, struct tb_aws_ctx *ctx, const struct tb_value *config,
                         const struct tb_value **out)
{
	struct tb_platform p;
	int err = load(c->arena, config, &p);

	/* The second phase runs after a failed first one too: its lookups skip
	 * what they lack, the others still report. */
	if (err == 0)
		err = run_phase(c, ctx, tb_platform_first, tb_platform_n_first, &p);
	if (err == 0 || err == TB_EINVAL) {
		int second = run_phase(c, ctx, tb_platform_second, tb_platform_n_second, &p);
		err = err == 0 || (second != 0 && second != TB_EINVAL) ? second : err;
	}
	if (err != 0)
		return err;
	*out = found_value(c->arena, config, &p);
	return *out ? 0 : TB_ENOMEM;
}

const struct tb_data_source tb_data_source_platform = {
    .name = TB_PLATFORM_DATA_SOURCE,
    .schema = &platform_schema,
    .needs_aws = true,
    .timeout_ms = READ_TIMEOUT_MS,
    .validate = platform_validate,
    .read = platform_read,
};
