/*
 * talentbase_platform, the lookups: the ECS cluster, the load balancer and
 * its listener, the VPC and its subnets by tag, security groups and IAM
 * roles by name. Each finds exactly one of what it searches, or says what
 * it searched and what it found.
 */
#include <stdlib.h>
#include <string.h>

#include "resources/platform/platform.h"

static const char *region(const struct tb_aws_ctx *ctx)
{
	const char *r = tb_aws_region(ctx->client);
	return r ? r : "this region";
}

/* "a, b, c" of strs (arena); "none" when empty. */
static const char *join(struct tb_arena *a, const struct tb_strs *s)
{
	struct tb_buf b;
	char *out;

	if (s->n == 0)
		return "none";
	tb_buf_init(&b);
	for (size_t i = 0; i < s->n; i++)
		tb_buf_printf(&b, "%s%s", i ? ", " : "", s->v[i]);
	out = b.failed ? NULL : tb_arena_strndup(a, b.data, b.len);
	tb_buf_free(&b);
	return out;
}

/* "Name=x, Tier=private" (arena). */
static const char *tags_text(struct tb_arena *a, const struct tb_kvs *tags)
{
	struct tb_buf b;
	char *out;

	tb_buf_init(&b);
	for (size_t i = 0; i < tags->n; i++)
		tb_buf_printf(&b, "%s%s=%s", i ? ", " : "", tags->v[i].key, tags->v[i].value);
	out = b.failed || b.data == NULL ? NULL : tb_arena_strndup(a, b.data, b.len);
	tb_buf_free(&b);
	return out ? out : "";
}

/* Appends s to a growing list (arena). 0 or TB_ENOMEM. */
static int strs_add(struct tb_arena *a, struct tb_strs *l, const char *s)
{
	const char **v = tb_arena_alloc(a, (l->n + 1) * sizeof(*v));

	if (v == NULL || s == NULL)
		return TB_ENOMEM;
	if (l->n)
		memcpy(v, l->v, l->n * sizeof(*v));
	v[l->n++] = s;
	l->v = v;
	return 0;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* ---- the cluster ------------------------------------------------------------------ */

static bool want_cluster(const struct tb_platform *p)
{
	return p->cluster != NULL;
}

static int find_cluster(struct tb_aws_ctx *ctx, struct tb_platform *p, const char **problem)
{
	json_t *c = NULL;
	const char *status, *failure;
	int err = tb_kit_fact_cluster(ctx, p->cluster, &c);

	if (err != 0)
		return err;
	status = tb_kit_jstr(c, "status");
	failure = tb_kit_jstr(c, "failure");
	if (!json_is_true(json_object_get(c, "exists"))) {
		*problem = tb_arena_printf(
		    ctx->arena,
		    "No active ECS cluster named \"%s\" in %s: DescribeClusters found %s.",
		    p->cluster, region(ctx),
		    status ? tb_arena_printf(ctx->arena, "it %s", status)
		           : tb_arena_printf(ctx->arena, "none (%s)",
		                             failure ? failure : "no answer"));
		return 0;
	}
	p->cluster_arn = tb_kit_jstr(c, "arn");
	p->container_insights = json_is_true(json_object_get(c, "insights"));
	return p->cluster_arn ? 0 : TB_EAWS;
}

static void merge_cluster(struct tb_platform *into, const struct tb_platform *from)
{
	into->cluster_arn = from->cluster_arn;
	into->container_insights = from->container_insights;
}

/* ---- the load balancer and its listener ------------------------------------------ */

static bool want_load_balancer(const struct tb_platform *p)
{
	return p->load_balancer != NULL;
}

static int find_load_balancer(struct tb_aws_ctx *ctx, struct tb_platform *p, const char **problem)
{
	struct tb_aws_params q;
	const struct tb_xml *r = NULL, *lb;
	int err;

	tb_aws_params_init(&q, ctx->arena);
	err = tb_aws_params_add(&q, "Names.member.1", p->load_balancer);
	if (err == 0)
		err = tb_aws_query(ctx, "elasticloadbalancing", "DescribeLoadBalancers", &q, &r);
	lb = err == 0 ? tb_xml_path(r, "LoadBalancers/member") : NULL;
	if (err == TB_ENOTFOUND || (err == 0 && lb == NULL)) {
		*problem =
		    tb_arena_printf(ctx->arena,
		                    "No load balancer named \"%s\" in %s: DescribeLoadBalancers "
		                    "found none.",
		                    p->load_balancer, region(ctx));
		return 0;
	}
	if (err != 0)
		return err;
	p->load_balancer_arn = tb_xml_text(lb, "LoadBalancerArn");
	p->lb_vpc_id = tb_xml_text(lb, "VpcId");
	return p->load_balancer_arn ? 0 : TB_EAWS;
}

static void merge_load_balancer(struct tb_platform *into, const struct tb_platform *from)
{
	into->load_balancer_arn = from->load_balancer_arn;
	into->lb_vpc_id = from->lb_vpc_id;
}

struct listeners {
	struct tb_arena *a;
	struct tb_strs ports, arns;
};

static int listeners_page(void *ud, const struct tb_xml *result)
{
	struct listeners *l = ud;
	const struct tb_xml *list = tb_xml_child(result, "Listeners");
	int err = 0;

	for (const struct tb_xml *m = list ? list->children : NULL; m && err == 0; m = m->next) {
		err = strs_add(l->a, &l->ports, tb_xml_text(m, "Port"));
		if (err == 0)
			err = strs_add(l->a, &l->arns, tb_xml_text(m, "ListenerArn"));
	}
	return err;
}

static bool want_listener(const struct tb_platform *p)
{
	return p->load_balancer_arn != NULL;
}

/* The listener on listener_port, or the only one. */
static const char *pick_listener(struct tb_arena *a, const struct tb_platform *p,
                                 const struct listeners *l, const char **problem)
{
	const char *want =
	    p->listener_port ? tb_arena_printf(a, "%lld", (long long)p->listener_port) : NULL;

	for (size_t i = 0; want && i < l->ports.n; i++)
		if (tb_str_eq(l->ports.v[i], want))
			return l->arns.v[i];
	if (want == NULL && l->arns.n == 1)
		return l->arns.v[0];
	if (want)
		*problem = tb_arena_printf(a,
		                           "Load balancer \"%s\" has no listener on port %s: "
		                           "DescribeListeners found ports %s.",
		                           p->load_balancer, want, join(a, &l->ports));
	else
		*problem = tb_arena_printf(a,
		                           "Load balancer \"%s\" has %zu listeners (ports %s): set "
		                           "listener_port to choose one.",
		                           p->load_balancer, l->arns.n, join(a, &l->ports));
	return NULL;
}

static int find_listener(struct tb_aws_ctx *ctx, struct tb_platform *p, const char **problem)
{
	struct listeners l = {.a = ctx->arena};
	struct tb_aws_params q;
	int err;

	tb_aws_params_init(&q, ctx->arena);
	err = tb_aws_params_add(&q, "LoadBalancerArn", p->load_balancer_arn);
	if (err == 0)
		err = tb_aws_query_paginate(ctx, "elasticloadbalancing", "DescribeListeners", &q,
		                            "NextMarker", listeners_page, &l);
	if (err == 0)
		p->listener_arn = pick_listener(ctx->arena, p, &l, problem);
	return err;
}

static void merge_listener(struct tb_platform *into, const struct tb_platform *from)
{
	into->listener_arn = from->listener_arn;
}

/* ---- the VPC and its subnets ----------------------------------------------------- */

struct ids {
	struct tb_arena *a;
	const char *set, *field; /* "vpcSet", "vpcId" */
	struct tb_strs found;
};

static int ids_page(void *ud, const struct tb_xml *result)
{
	struct ids *ids = ud;
	int err = 0;

	for (const struct tb_xml *i = tb_kit_ec2_items(result, ids->set); i && err == 0;
	     i = i->next)
		err = strs_add(ids->a, &ids->found, tb_xml_text(i, ids->field));
	return err;
}

/* Every ID an EC2 describe finds with these filters (vpc: a vpc-id filter
 * first, or NULL), sorted. */
static int ec2_ids(struct tb_aws_ctx *ctx, const char *action, const char *vpc,
                   const struct tb_kvs *tags, struct ids *ids)
{
	struct tb_aws_params q;
	unsigned next = 1;
	int err = 0;

	tb_aws_params_init(&q, ctx->arena);
	if (vpc)
		err = tb_kit_ec2_filter(&q, next++, "vpc-id", &vpc, 1);
	if (err == 0)
		err = tb_kit_ec2_tag_filters(&q, next, tags, &next);
	if (err == 0)
		err = tb_aws_query_paginate(ctx, "ec2", action, &q, "nextToken", ids_page, ids);
	if (err == 0 && ids->found.n > 1)
		qsort(ids->found.v, ids->found.n, sizeof(*ids->found.v), cmp_str);
	return err;
}

static bool want_vpc(const struct tb_platform *p)
{
	return p->vpc_tag.n > 0;
}

static int find_vpc(struct tb_aws_ctx *ctx, struct tb_platform *p, const char **problem)
{
	struct ids ids = {.a = ctx->arena, .set = "vpcSet", .field = "vpcId"};
	int err = ec2_ids(ctx, "DescribeVpcs", NULL, &p->vpc_tag, &ids);

	if (err != 0)
		return err;
	if (ids.found.n == 1)
		p->vpc_id = ids.found.v[0];
	else if (ids.found.n == 0)
		*problem = tb_arena_printf(ctx->arena,
		                           "No VPC in %s has the tags %s: DescribeVpcs found none.",
		                           region(ctx), tags_text(ctx->arena, &p->vpc_tag));
	else
		*problem =
		    tb_arena_printf(ctx->arena,
		                    "%zu VPCs in %s have the tags %s (%s): add a tag to vpc_tag "
		                    "that only one of them has.",
		                    ids.found.n, region(ctx), tags_text(ctx->arena, &p->vpc_tag),
		                    join(ctx->arena, &ids.found));
	return 0;
}

static void merge_vpc(struct tb_platform *into, const struct tb_platform *from)
{
	into->vpc_id = from->vpc_id;
}

/* The VPC the second phase searches. See platform.h. */
const char *tb_platform_vpc(const struct tb_platform *p)
{
	return p->vpc_tag.n > 0 ? p->vpc_id : p->lb_vpc_id;
}

static bool want_subnets(const struct tb_platform *p)
{
	return p->subnet_tag.n > 0 && tb_platform_vpc(p) != NULL;
}

static int find_subnets(struct tb_aws_ctx *ctx, struct tb_platform *p, const char **problem)
{
	struct ids ids = {.a = ctx->arena, .set = "subnetSet", .field = "subnetId"};
	const char *vpc = tb_platform_vpc(p);
	int err = ec2_ids(ctx, "DescribeSubnets", vpc, &p->subnet_tag, &ids);

	if (err == 0 && ids.found.n == 0)
		*problem = tb_arena_printf(ctx->arena,
		                           "No subnet of %s has the tags %s: DescribeSubnets found "
		                           "none.",
		                           vpc, tags_text(ctx->arena, &p->subnet_tag));
	p->subnet_ids = ids.found;
	return err;
}

static void merge_subnets(struct tb_platform *into, const struct tb_platform *from)
{
	into->subnet_ids = from->subnet_ids;
}

/* ---- security groups ------------------------------------------------------------- */

struct groups {
	struct tb_arena *a;
	struct tb_strs names, ids;
};

static int groups_page(void *ud, const struct tb_xml *result)
{
	struct groups *g = ud;
	int err = 0;

	for (const struct tb_xml *i = tb_kit_ec2_items(result, "securityGroupInfo"); i && err == 0;
	     i = i->next) {
		err = strs_add(g->a, &g->names, tb_xml_text(i, "groupName"));
		if (err == 0)
			err = strs_add(g->a, &g->ids, tb_xml_text(i, "groupId"));
	}
	return err;
}

/* In the VPC, or the whole region when the data source names none; not when
 * the VPC was asked for but not found (that lookup says why). */
static bool want_groups(const struct tb_platform *p)
{
	bool no_vpc_asked = p->vpc_tag.n == 0 && p->load_balancer == NULL;

	return p->security_groups.n > 0 && (no_vpc_asked || tb_platform_vpc(p) != NULL);
}

/* What the names found: each exactly one group, else a problem. */
static int match_groups(struct tb_arena *a, const struct tb_platform *p, const struct groups *g,
                        struct tb_kvs *out, struct tb_strs *missing, struct tb_strs *twice)
{
	int err = 0;

	out->v = tb_arena_alloc(a, (p->security_groups.n + 1) * sizeof(*out->v));
	if (out->v == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; err == 0 && i < p->security_groups.n; i++) {
		const char *name = p->security_groups.v[i], *id = NULL;
		size_t hits = 0;
		for (size_t j = 0; j < g->names.n; j++)
			if (tb_str_eq(g->names.v[j], name) && ++hits == 1)
				id = g->ids.v[j];
		if (hits == 1)
			out->v[out->n++] = (struct tb_kv){.key = name, .value = id};
		else
			err = strs_add(a, hits ? twice : missing, name);
	}
	return err;
}

/* "DescribeSecurityGroups in vpc-1 found no group named a, b and several named
 * c (it found: c, c, d)." */
static const char *groups_problem(struct tb_arena *a, const char *where,
                                  const struct tb_strs *missing, const struct tb_strs *twice,
                                  const struct tb_strs *found)
{
	const char *none =
	    missing->n ? tb_arena_printf(a, "no group named %s", join(a, missing)) : "";
	const char *many = twice->n ? tb_arena_printf(a, "several named %s", join(a, twice)) : "";

	return tb_arena_printf(a, "DescribeSecurityGroups in %s found %s%s%s (it found: %s).",
	                       where, none, missing->n && twice->n ? " and " : "", many,
	                       join(a, found));
}

static int find_groups(struct tb_aws_ctx *ctx, struct tb_platform *p, const char **problem)
{
	struct groups g = {.a = ctx->arena};
	struct tb_strs missing = {0}, twice = {0};
	const char *vpc = tb_platform_vpc(p);
	struct tb_aws_params q;
	int err;

	tb_aws_params_init(&q, ctx->arena);
	err = tb_kit_ec2_filter(&q, 1, "group-name", p->security_groups.v, p->security_groups.n);
	if (err == 0 && vpc)
		err = tb_kit_ec2_filter(&q, 2, "vpc-id", &vpc, 1);
	if (err == 0)
		err = tb_aws_query_paginate(ctx, "ec2", "DescribeSecurityGroups", &q, "nextToken",
		                            groups_page, &g);
	if (err == 0)
		err = match_groups(ctx->arena, p, &g, &p->sg_ids, &missing, &twice);
	if (err == 0 && (missing.n || twice.n))
		*problem =
		    groups_problem(ctx->arena, vpc ? vpc : region(ctx), &missing, &twice, &g.names);
	return err;
}

static void merge_groups(struct tb_platform *into, const struct tb_platform *from)
{
	into->sg_ids = from->sg_ids;
}

/* ---- IAM roles ----------------------------------------------------------------------- */

static bool want_roles(const struct tb_platform *p)
{
	return p->roles.n > 0;
}

static int find_roles(struct tb_aws_ctx *ctx, struct tb_platform *p, const char **problem)
{
	struct tb_strs missing = {0};
	int err = 0;

	p->role_arns.v = tb_arena_alloc(ctx->arena, (p->roles.n + 1) * sizeof(*p->role_arns.v));
	if (p->role_arns.v == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; err == 0 && i < p->roles.n; i++) {
		struct tb_aws_params q;
		const struct tb_xml *r = NULL;
		tb_aws_params_init(&q, ctx->arena);
		err = tb_aws_params_add(&q, "RoleName", p->roles.v[i]);
		if (err == 0)
			err = tb_aws_query(ctx, "iam", "GetRole", &q, &r);
		if (err == TB_ENOTFOUND || (err == 0 && !tb_xml_text(r, "Role/Arn")))
			err = strs_add(ctx->arena, &missing, p->roles.v[i]);
		else if (err == 0)
			p->role_arns.v[p->role_arns.n++] = (struct tb_kv){
			    .key = p->roles.v[i], .value = tb_xml_text(r, "Role/Arn")};
	}
	if (err == 0 && missing.n)
		*problem = tb_arena_printf(ctx->arena, "No IAM role named %s: GetRole found none.",
		                           join(ctx->arena, &missing));
	return err;
}

static void merge_roles(struct tb_platform *into, const struct tb_platform *from)
{
	into->role_arns = from->role_arns;
}

/* clang-format off */
const struct tb_platform_lookup tb_platform_first[] = {
    {.what = "ECS cluster", .path = "cluster", .wanted = want_cluster, .run = find_cluster, .merge = merge_cluster},
    {.what = "load balancer", .path = "load_balancer", .wanted = want_load_balancer, .run = find_load_balancer, .merge = merge_load_balancer},
    {.what = "VPC", .path = "vpc_tag", .wanted = want_vpc, .run = find_vpc, .merge = merge_vpc},
    {.what = "IAM roles", .path = "roles", .wanted = want_roles, .run = find_roles, .merge = merge_roles},
};
const size_t tb_platform_n_first = TB_COUNT(tb_platform_first);

const struct tb_platform_lookup tb_platform_second[] = {
    {.what = "listener", .path = "listener_port", .wanted = want_listener, .run = find_listener, .merge = merge_listener},
    {.what = "subnets", .path = "subnet_tag", .wanted = want_subnets, .run = find_subnets, .merge = merge_subnets},
    {.what = "security groups", .path = "security_groups", .wanted = want_groups, .run = find_groups, .merge = merge_groups},
};
const size_t tb_platform_n_second = TB_COUNT(tb_platform_second);
/* clang-format on */
