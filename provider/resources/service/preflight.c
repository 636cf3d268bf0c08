/*
 * talentbase_service, preflight: at plan time, the read-only AWS calls
 * whose answers the rules TB021-TB027 judge, for what the plan is about to
 * change (the image of a new revision; the cluster, listener priority,
 * secrets and network of a service being created or changed there). Every
 * read goes through tb_aws_once (one call per provider process, shared by
 * every resource of the plan), and one resource's reads run in parallel.
 * A read AWS refuses is one warning naming the call and the IAM permission
 * it needs; the rule it feeds is skipped.
 */
#include <stdlib.h>
#include <string.h>

#include "resources/service/service.h"

#define PREFLIGHT_BUDGET_MS (20 * 1000) /* retries of a throttled or unreachable read */
#define MAX_JOBS            48

struct pf_job;

struct pf;

/* One kind of read: its call (the IAM permission is "<service>:<action>"),
 * the rule it feeds, the read and what its answer says for the rules. */
struct pf_kind {
	const char *service, *action, *rules;
	int (*fetch)(struct tb_aws_ctx *ctx, void *job, json_t **out);
	void (*apply)(struct pf *pf, const struct pf_job *j, struct tb_preflight *f);
};

/* One read of this plan. */
struct pf_job {
	const struct pf_kind *kind;
	const char *a, *b, *c; /* its arguments (registry, repository, tag; an ARN; ...) */
	const char *setting;   /* the secrets key it is for, or NULL */
	struct tb_strs ids;    /* EC2 IDs */
	json_t *out;           /* the once-read's facts (NULL: none) */
	int err;
	struct tb_aws_error error;
};

struct pf {
	struct tb_call *c;
	struct tb_svc s;
	struct pf_job jobs[MAX_JOBS];
	size_t n;
	const json_t *subnets, *subnet_tables, *main_tables, *groups; /* EC2 answers */
	const json_t *holder;                                         /* the rule on the priority */
	struct tb_fact_item *items; /* every finding's item (arena) */
	size_t n_items;
};

/* ---- image references ------------------------------------------------------------ */

static size_t digits(const char *s)
{
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

/* "<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>". See service.h. */
bool tb_service_ecr_image(struct tb_arena *a, const char *image, const char *region,
                          const char **registry, const char **repository)
{
	const char *slash = image ? strchr(image, '/') : NULL;
	const char *p = image;
	size_t n = image ? digits(image) : 0, r = region ? strlen(region) : 0;

	if (slash == NULL || n != 12 || !tb_str_has_prefix(p + n, ".dkr.ecr."))
		return false;
	p += n + strlen(".dkr.ecr.");
	if (r == 0 || strncmp(p, region, r) != 0)
		return false;
	p += r;
	if (strncmp(p, ".amazonaws.com/", 15) != 0 && strncmp(p, ".amazonaws.com.cn/", 18) != 0)
		return false;
	*registry = tb_arena_strndup(a, image, n);
	*repository = tb_arena_strdup(a, slash + 1);
	return *registry && *repository && **repository;
}

/* ---- ECR ------------------------------------------------------------------------ */

static int fetch_images(struct tb_aws_ctx *ctx, void *ud, json_t **out)
{
	struct pf_job *j = ud;
	bool digest = tb_str_has_prefix(j->c, "sha256:");
	json_t *resp = NULL;
	int err = tb_kit_call(ctx, "ecr", "DescribeImages",
	                      tb_kit_pack(ctx->arena, "{s:s, s:s, s:[{s:s}]}", "registryId", j->a,
	                                  "repositoryName", j->b, "imageIds",
	                                  digest ? "imageDigest" : "imageTag", j->c),
	                      &resp);

	if (err == TB_ENOTFOUND)
		*out = tb_kit_pack(ctx->arena, "{s:b, s:b}", "repository",
		                   !tb_str_eq(ctx->error.code, "RepositoryNotFoundException"),
		                   "image", 0);
	else if (err == 0)
		*out = tb_kit_pack(ctx->arena, "{s:b, s:b}", "repository", 1, "image",
		                   json_array_size(json_object_get(resp, "imageDetails")) > 0);
	else
		return err;
	return *out ? 0 : TB_ENOMEM;
}

static int fetch_repository(struct tb_aws_ctx *ctx, void *ud, json_t **out)
{
	struct pf_job *j = ud;
	json_t *resp = NULL;
	const json_t *repo;
	int err = tb_kit_call(
	    ctx, "ecr", "DescribeRepositories",
	    tb_kit_pack(ctx->arena, "{s:s, s:[s]}", "registryId", j->a, "repositoryNames", j->b),
	    &resp);

	if (err == TB_ENOTFOUND) {
		*out = tb_kit_pack(ctx->arena, "{s:b}", "exists", 0);
		return *out ? 0 : TB_ENOMEM;
	}
	if (err != 0)
		return err;
	repo = json_array_get(json_object_get(resp, "repositories"), 0);
	*out = tb_kit_pack(ctx->arena, "{s:b, s:s?}", "exists", repo != NULL, "mutability",
	                   tb_kit_jstr(repo, "imageTagMutability"));
	return *out ? 0 : TB_ENOMEM;
}

/* ---- ECS and ELB ------------------------------------------------------------------- */

static int fetch_cluster(struct tb_aws_ctx *ctx, void *ud, json_t **out)
{
	return tb_kit_fact_cluster(ctx, ((struct pf_job *)ud)->a, out);
}

/* The name in "...:targetgroup/<name>/<id>" (its length in *n), or NULL. */
static const char *tg_name_of(const char *arn, size_t *n)
{
	const char *p = arn ? strstr(arn, ":targetgroup/") : NULL;
	const char *end;

	if (p == NULL)
		return NULL;
	p += strlen(":targetgroup/");
	end = strchr(p, '/');
	*n = end ? (size_t)(end - p) : strlen(p);
	return p;
}

/* The target group name of arn appended to names. */
static int add_tg_name(json_t *names, const char *arn)
{
	size_t n = 0;
	const char *name = tg_name_of(arn, &n);

	return name ? json_array_append_new(names, json_stringn(name, n)) : 0;
}

/* The names of the target groups a rule forwards to. */
static json_t *forward_names(const struct tb_xml *rule)
{
	const struct tb_xml *actions = tb_xml_child(rule, "Actions");
	json_t *names = json_array();

	for (const struct tb_xml *a = actions ? actions->children : NULL; names && a; a = a->next) {
		const struct tb_xml *groups = tb_xml_path(a, "ForwardConfig/TargetGroups");
		add_tg_name(names, tb_xml_text(a, "TargetGroupArn"));
		for (const struct tb_xml *g = groups ? groups->children : NULL; g; g = g->next)
			add_tg_name(names, tb_xml_text(g, "TargetGroupArn"));
	}
	return names;
}

static int rules_page(void *ud, const struct tb_xml *result)
{
	json_t *list = ud;
	const struct tb_xml *rules = tb_xml_child(result, "Rules");

	for (const struct tb_xml *r = rules ? rules->children : NULL; r; r = r->next)
		if (json_array_append_new(list, json_pack("{s:s?, s:s?, s:o}", "arn",
		                                          tb_xml_text(r, "RuleArn"), "priority",
		                                          tb_xml_text(r, "Priority"), "forwards",
		                                          forward_names(r))) != 0)
			return TB_ENOMEM;
	return 0;
}

static int fetch_rules(struct tb_aws_ctx *ctx, void *ud, json_t **out)
{
	struct pf_job *j = ud;
	json_t *list = tb_aws_json_own(ctx->arena, json_array());
	struct tb_aws_params q;
	int err = list ? 0 : TB_ENOMEM;

	tb_aws_params_init(&q, ctx->arena);
	if (err == 0)
		err = tb_aws_params_add(&q, "ListenerArn", j->a);
	if (err == 0)
		err = tb_aws_params_add(&q, "PageSize", "400");
	if (err == 0)
		err = tb_aws_query_paginate(ctx, "elasticloadbalancing", "DescribeRules", &q,
		                            "NextMarker", rules_page, list);
	if (err == TB_ENOTFOUND) /* no listener: the apply says so on listener_arn */
		*out = tb_kit_pack(ctx->arena, "{s:b}", "listener", 0);
	else if (err == 0)
		*out = tb_kit_pack(ctx->arena, "{s:b, s:O}", "listener", 1, "rules", list);
	else
		return err;
	return *out ? 0 : TB_ENOMEM;
}

/* ---- secrets --------------------------------------------------------------------- */

static int fetch_secret(struct tb_aws_ctx *ctx, void *ud, json_t **out)
{
	struct pf_job *j = ud;
	json_t *resp = NULL;
	int err = tb_kit_call(ctx, "secretsmanager", "DescribeSecret",
	                      tb_kit_pack(ctx->arena, "{s:s}", "SecretId", j->a), &resp);

	const json_t *deleted = json_object_get(resp, "DeletedDate");
	bool scheduled = err == 0 && deleted != NULL && !json_is_null(deleted);

	if (err != 0 && err != TB_ENOTFOUND)
		return err;
	*out = tb_kit_pack(ctx->arena, "{s:b, s:b}", "exists", err == 0 && !scheduled, "deleted",
	                   scheduled);
	return *out ? 0 : TB_ENOMEM;
}

/* Names only: the answer's values are dropped, never copied or cached. */
static int fetch_parameter(struct tb_aws_ctx *ctx, void *ud, json_t **out)
{
	struct pf_job *j = ud;
	json_t *resp = NULL;
	int err = tb_kit_call(
	    ctx, "ssm", "GetParameters",
	    tb_kit_pack(ctx->arena, "{s:[s], s:b}", "Names", j->a, "WithDecryption", 0), &resp);

	if (err != 0)
		return err;
	*out = tb_kit_pack(ctx->arena, "{s:b}", "exists",
	                   json_array_size(json_object_get(resp, "Parameters")) > 0);
	return *out ? 0 : TB_ENOMEM;
}

/* ---- EC2 --------------------------------------------------------------------------- */

/* Query parameters <name>.<i> of a job's IDs. */
static int id_params(struct tb_aws_params *q, const char *name, const struct tb_strs *ids)
{
	int err = 0;

	for (size_t i = 0; err == 0 && i < ids->n; i++)
		err = tb_aws_params_addf(q, ids->v[i], "%s.%zu", name, i + 1);
	return err;
}

static int subnets_page(void *ud, const struct tb_xml *result)
{
	json_t *map = ud;

	for (const struct tb_xml *i = tb_kit_ec2_items(result, "subnetSet"); i; i = i->next)
		if (json_object_set_new(
		        map, tb_xml_text(i, "subnetId") ? tb_xml_text(i, "subnetId") : "",
		        json_pack("{s:s?, s:b}", "vpc", tb_xml_text(i, "vpcId"), "public_ip",
		                  tb_str_eq(tb_xml_text(i, "mapPublicIpOnLaunch"), "true"))) != 0)
			return TB_ENOMEM;
	return 0;
}

/* A describe of EC2 IDs (or filters) into a map built by page; an ID that
 * does not exist gives no facts (the apply reports it). */
static int ec2_map(struct tb_aws_ctx *ctx, const char *action, const struct tb_aws_params *q,
                   int (*page)(void *, const struct tb_xml *), json_t **out)
{
	json_t *map = tb_aws_json_own(ctx->arena, json_object());
	int err =
	    map ? tb_aws_query_paginate(ctx, "ec2", action, q, "nextToken", page, map) : TB_ENOMEM;

	if (err == TB_ENOTFOUND) {
		json_object_clear(map);
		err = 0;
	}
	if (err == 0)
		*out = map;
	return err;
}

static int fetch_subnets(struct tb_aws_ctx *ctx, void *ud, json_t **out)
{
	struct pf_job *j = ud;
	struct tb_aws_params q;
	int err;

	tb_aws_params_init(&q, ctx->arena);
	err = id_params(&q, "SubnetId", &j->ids);
	return err == 0 ? ec2_map(ctx, "DescribeSubnets", &q, subnets_page, out) : err;
}

/* {"table", "igw", "dest"} of a route table: its route to an internet gateway. */
static json_t *table_facts(const struct tb_xml *table)
{
	const char *id = tb_xml_text(table, "routeTableId");

	for (const struct tb_xml *r = tb_kit_ec2_items(table, "routeSet"); r; r = r->next) {
		const char *gw = tb_xml_text(r, "gatewayId");
		const char *v4 = tb_xml_text(r, "destinationCidrBlock");
		const char *v6 = tb_xml_text(r, "destinationIpv6CidrBlock");
		bool world = tb_str_eq(v4, "0.0.0.0/0") || tb_str_eq(v6, "::/0");
		if (gw && tb_str_has_prefix(gw, "igw-") && world &&
		    !tb_str_eq(tb_xml_text(r, "state"), "blackhole"))
			return json_pack("{s:s?, s:s, s:s}", "table", id, "igw", gw, "dest",
			                 tb_str_eq(v4, "0.0.0.0/0") ? v4 : v6);
	}
	return json_pack("{s:s?}", "table", id);
}

/* Explicit associations: subnet ID -> its table's facts. */
static int subnet_tables_page(void *ud, const struct tb_xml *result)
{
	json_t *map = ud;

	for (const struct tb_xml *t = tb_kit_ec2_items(result, "routeTableSet"); t; t = t->next)
		for (const struct tb_xml *as = tb_kit_ec2_items(t, "associationSet"); as;
		     as = as->next) {
			const char *subnet = tb_xml_text(as, "subnetId");
			if (subnet && json_object_set_new(map, subnet, table_facts(t)) != 0)
				return TB_ENOMEM;
		}
	return 0;
}

/* Main tables: VPC ID -> its main table's facts. */
static int main_tables_page(void *ud, const struct tb_xml *result)
{
	json_t *map = ud;

	for (const struct tb_xml *t = tb_kit_ec2_items(result, "routeTableSet"); t; t = t->next) {
		const char *vpc = tb_xml_text(t, "vpcId");
		if (vpc && json_object_set_new(map, vpc, table_facts(t)) != 0)
			return TB_ENOMEM;
	}
	return 0;
}

static int fetch_subnet_tables(struct tb_aws_ctx *ctx, void *ud, json_t **out)
{
	struct pf_job *j = ud;
	struct tb_aws_params q;
	int err;

	tb_aws_params_init(&q, ctx->arena);
	err = tb_kit_ec2_filter(&q, 1, "association.subnet-id", j->ids.v, j->ids.n);
	return err == 0 ? ec2_map(ctx, "DescribeRouteTables", &q, subnet_tables_page, out) : err;
}

static int fetch_main_tables(struct tb_aws_ctx *ctx, void *ud, json_t **out)
{
	struct tb_aws_params q;
	const char *yes = "true";
	int err;

	tb_aws_params_init(&q, ctx->arena);
	err = tb_kit_ec2_filter(&q, 1, "association.main", &yes, 1);
	return err == 0 ? ec2_map(ctx, "DescribeRouteTables", &q, main_tables_page, out) : err;
}

/* The ingress permissions of a group open to 0.0.0.0/0 or ::/0. */
static json_t *open_permissions(const struct tb_xml *group)
{
	json_t *list = json_array();

	for (const struct tb_xml *p = tb_kit_ec2_items(group, "ipPermissions"); list && p;
	     p = p->next) {
		const char *cidr = NULL;
		for (const struct tb_xml *r = tb_kit_ec2_items(p, "ipRanges"); r && !cidr;
		     r = r->next)
			cidr =
			    tb_str_eq(tb_xml_text(r, "cidrIp"), "0.0.0.0/0") ? "0.0.0.0/0" : NULL;
		for (const struct tb_xml *r = tb_kit_ec2_items(p, "ipv6Ranges"); r && !cidr;
		     r = r->next)
			cidr = tb_str_eq(tb_xml_text(r, "cidrIpv6"), "::/0") ? "::/0" : NULL;
		if (cidr)
			json_array_append_new(
			    list, json_pack("{s:s?, s:I, s:I, s:s}", "proto",
			                    tb_xml_text(p, "ipProtocol"), "from",
			                    (json_int_t)tb_kit_xint(p, "fromPort"), "to",
			                    (json_int_t)tb_kit_xint(p, "toPort"), "cidr", cidr));
	}
	return list;
}

static int groups_page(void *ud, const struct tb_xml *result)
{
	json_t *map = ud;

	for (const struct tb_xml *g = tb_kit_ec2_items(result, "securityGroupInfo"); g; g = g->next)
		if (tb_xml_text(g, "groupId") &&
		    json_object_set_new(map, tb_xml_text(g, "groupId"), open_permissions(g)) != 0)
			return TB_ENOMEM;
	return 0;
}

static int fetch_groups(struct tb_aws_ctx *ctx, void *ud, json_t **out)
{
	struct pf_job *j = ud;
	struct tb_aws_params q;
	int err;

	tb_aws_params_init(&q, ctx->arena);
	err = id_params(&q, "GroupId", &j->ids);
	return err == 0 ? ec2_map(ctx, "DescribeSecurityGroups", &q, groups_page, out) : err;
}

/* ---- the kinds of reads ------------------------------------------------------------ */

enum pf_kind_id {
	K_IMAGES,
	K_REPOSITORY,
	K_CLUSTER,
	K_RULES,
	K_SECRET,
	K_PARAMETER,
	K_SUBNETS,
	K_SUBNET_TABLES,
	K_MAIN_TABLES,
	K_GROUPS,
};

static void apply_images(struct pf *pf, const struct pf_job *j, struct tb_preflight *f);
static void apply_repository(struct pf *pf, const struct pf_job *j, struct tb_preflight *f);
static void apply_cluster(struct pf *pf, const struct pf_job *j, struct tb_preflight *f);
static void apply_rules(struct pf *pf, const struct pf_job *j, struct tb_preflight *f);
static void apply_secret(struct pf *pf, const struct pf_job *j, struct tb_preflight *f);
static void apply_network(struct pf *pf, const struct pf_job *j, struct tb_preflight *f);

#define KIND(svc, act, rules_, fetch_, apply_)                                                     \
	{                                                                                          \
		.service = svc, .action = act, .rules = rules_, .fetch = fetch_, .apply = apply_   \
	}

/* clang-format off */
static const struct pf_kind kinds[] = {
    [K_IMAGES] = KIND("ecr", "DescribeImages", "TB021", fetch_images, apply_images),
    [K_REPOSITORY] = KIND("ecr", "DescribeRepositories", "TB022", fetch_repository, apply_repository),
    [K_CLUSTER] = KIND("ecs", "DescribeClusters", "TB023", fetch_cluster, apply_cluster),
    [K_RULES] = KIND("elasticloadbalancing", "DescribeRules", "TB024", fetch_rules, apply_rules),
    [K_SECRET] = KIND("secretsmanager", "DescribeSecret", "TB025", fetch_secret, apply_secret),
    [K_PARAMETER] = KIND("ssm", "GetParameters", "TB025", fetch_parameter, apply_secret),
    [K_SUBNETS] = KIND("ec2", "DescribeSubnets", "TB026", fetch_subnets, apply_network),
    [K_SUBNET_TABLES] = KIND("ec2", "DescribeRouteTables", "TB026", fetch_subnet_tables, apply_network),
    [K_MAIN_TABLES] = KIND("ec2", "DescribeRouteTables", "TB026", fetch_main_tables, apply_network),
    [K_GROUPS] = KIND("ec2", "DescribeSecurityGroups", "TB027", fetch_groups, apply_network),
};
/* clang-format on */

/* The once-key of a job: "<service>:<action>:<args>" (the kinds that share
 * an action differ by their args: the main tables have none). */
static const char *job_key(struct tb_arena *a, const struct pf_job *j)
{
	struct tb_buf b;
	char *out;

	tb_buf_init(&b);
	tb_buf_printf(&b, "%s:%s:%s:%s:%s", j->kind->service, j->kind->action, j->a ? j->a : "",
	              j->b ? j->b : "", j->c ? j->c : "");
	for (size_t i = 0; i < j->ids.n; i++)
		tb_buf_printf(&b, "%s%s", i ? "," : ":ids=", j->ids.v[i]);
	out = b.failed || b.data == NULL ? NULL : tb_arena_strndup(a, b.data, b.len);
	tb_buf_free(&b);
	return out;
}

static int run_job(void *ud, size_t i, struct tb_aws_ctx *ctx)
{
	struct pf *pf = ud;
	struct pf_job *j = &pf->jobs[i];
	const char *key = job_key(ctx->arena, j);

	j->err = key ? tb_aws_once(ctx, key, j->kind->fetch, j, &j->out) : TB_ENOMEM;
	if (j->err != 0)
		j->error = ctx->error;
	return 0;
}

static struct pf_job *add_job(struct pf *pf, enum pf_kind_id k, const char *a, const char *b,
                              const char *c)
{
	struct pf_job *j = pf->n < MAX_JOBS ? &pf->jobs[pf->n++] : NULL;

	if (j)
		*j = (struct pf_job){.kind = &kinds[k], .a = a, .b = b, .c = c};
	return j;
}

/* ---- which reads the plan needs ----------------------------------------------------- */

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* A sorted copy of ids (stable once-keys); false when one is not known. */
static bool sorted_ids(struct tb_arena *a, const struct tb_strs *in, struct tb_strs *out)
{
	const char **v = tb_arena_alloc(a, (in->n + 1) * sizeof(*v));

	for (size_t i = 0; v && i < in->n; i++)
		if ((v[i] = in->v[i]) == NULL)
			return false;
	if (v == NULL || in->n == 0)
		return false;
	qsort(v, in->n, sizeof(*v), cmp_str);
	*out = (struct tb_strs){.n = in->n, .v = v};
	return true;
}

/* What the plan changes, for choosing the reads. */
struct pf_plan {
	bool create, new_revision, listener, secrets, network, port;
};

static struct pf_plan plan_changes(const struct tb_plan *p)
{
	bool create = !tb_is_known(p->prior);

	return (struct pf_plan){
	    .create = create,
	    .new_revision = tb_is_unknown(tb_attr(p->planned, "task_definition_arn")),
	    .listener = create || tb_plan_changed(p, "load_balancer"),
	    .secrets = create || tb_plan_changed(p, "secrets"),
	    .network = create || tb_plan_changed(p, "network"),
	    .port = tb_plan_changed(p, "port"),
	};
}

static void image_jobs(struct pf *pf, const struct pf_plan *ch)
{
	const char *registry = NULL, *repository = NULL;
	const struct tb_svc *s = &pf->s;

	if (!ch->new_revision || s->image_tag == NULL ||
	    !tb_service_ecr_image(pf->c->arena, s->image, pf->c->meta->region, &registry,
	                          &repository))
		return;
	add_job(pf, K_IMAGES, registry, repository, s->image_tag);
	add_job(pf, K_REPOSITORY, registry, repository, NULL);
}

/* The Secrets Manager secret ("arn:...:secret:<name>", any JSON-key suffix
 * cut) or SSM parameter ARN a secrets value names; NULL for anything else
 * (TB019's to report). */
static const char *secret_target(struct tb_arena *a, const char *ref, bool *parameter)
{
	const char *p = ref;
	size_t colons = 0;

	if (ref == NULL || !tb_str_has_prefix(ref, "arn:"))
		return NULL;
	*parameter = strstr(ref, ":ssm:") != NULL && strstr(ref, ":parameter/") != NULL;
	if (*parameter)
		return ref;
	if (strstr(ref, ":secretsmanager:") == NULL || strstr(ref, ":secret:") == NULL)
		return NULL;
	while (*p && colons < 7)
		colons += *p++ == ':';
	return colons == 7 ? tb_arena_strndup(a, ref, (size_t)(p - ref - 1)) : ref;
}

static void secret_jobs(struct pf *pf)
{
	for (size_t i = 0; i < pf->s.secrets.n; i++) {
		bool parameter = false;
		const char *target =
		    secret_target(pf->c->arena, pf->s.secrets.v[i].value, &parameter);
		struct pf_job *j =
		    target ? add_job(pf, parameter ? K_PARAMETER : K_SECRET, target, NULL, NULL)
		           : NULL;
		if (j)
			j->setting = pf->s.secrets.v[i].key;
	}
}

static void network_jobs(struct pf *pf, const struct pf_plan *ch)
{
	struct tb_arena *a = pf->c->arena;
	struct tb_strs ids;
	struct pf_job *j;

	if (ch->network && sorted_ids(a, &pf->s.net.subnets, &ids)) {
		if ((j = add_job(pf, K_SUBNETS, NULL, NULL, NULL)))
			j->ids = ids;
		if ((j = add_job(pf, K_SUBNET_TABLES, NULL, NULL, NULL)))
			j->ids = ids;
		add_job(pf, K_MAIN_TABLES, "main", NULL, NULL);
	}
	if ((ch->network || ch->port) && sorted_ids(a, &pf->s.net.security_groups, &ids) &&
	    (j = add_job(pf, K_GROUPS, NULL, NULL, NULL)))
		j->ids = ids;
}

/* Every read the plan needs, for the values it knows. */
static void plan_jobs(struct pf *pf, const struct tb_plan *p)
{
	struct pf_plan ch = plan_changes(p);
	const struct tb_svc *s = &pf->s;

	image_jobs(pf, &ch);
	if (ch.create && s->cluster)
		add_job(pf, K_CLUSTER, s->cluster, NULL, NULL);
	if (ch.listener && s->lb.set && s->lb.listener_arn && *s->lb.listener_arn &&
	    s->lb.priority > 0)
		add_job(pf, K_RULES, s->lb.listener_arn, NULL, NULL);
	if (ch.secrets)
		secret_jobs(pf);
	network_jobs(pf, &ch);
}

/* ---- what the answers say ------------------------------------------------------------ */

static enum tb_fact fact(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_boolean(v))
		return TB_FACT_UNCHECKED;
	return json_is_true(v) ? TB_FACT_YES : TB_FACT_NO;
}

static void apply_images(struct pf *pf, const struct pf_job *j, struct tb_preflight *f)
{
	f->repository = j->b;
	f->repository_exists = fact(j->out, "repository");
	f->image_exists = fact(j->out, "image");
}

static void apply_repository(struct pf *pf, const struct pf_job *j, struct tb_preflight *f)
{
	const char *m = tb_kit_jstr(j->out, "mutability");

	f->repository = j->b;
	if (fact(j->out, "exists") != TB_FACT_YES || m == NULL)
		return;
	f->mutability = m;
	f->tag_immutable = tb_str_has_prefix(m, "IMMUTABLE") ? TB_FACT_YES : TB_FACT_NO;
}

static void apply_cluster(struct pf *pf, const struct pf_job *j, struct tb_preflight *f)
{
	f->cluster_exists = fact(j->out, "exists");
	f->container_insights = fact(j->out, "insights");
}

/* Whether a rule is the service's own: the one its state records, or one
 * that forwards to its target group (a replacement plans without the old
 * state, and the old rule goes before the new one comes). */
static bool own_rule(const struct pf *pf, const json_t *rule)
{
	const json_t *names = json_object_get(rule, "forwards");

	if (tb_str_eq(tb_kit_jstr(rule, "arn"), pf->s.listener_rule_arn))
		return true;
	for (size_t i = 0; pf->s.target_group_name && i < json_array_size(names); i++)
		if (tb_str_eq(json_string_value(json_array_get(names, i)), pf->s.target_group_name))
			return true;
	return false;
}

/* Another rule on the service's priority. */
static void apply_rules(struct pf *pf, const struct pf_job *j, struct tb_preflight *f)
{
	const json_t *rules = json_object_get(j->out, "rules");
	const char *want = tb_arena_printf(pf->c->arena, "%lld", (long long)pf->s.lb.priority);

	for (size_t i = 0; want && i < json_array_size(rules); i++) {
		const json_t *r = json_array_get(rules, i);
		if (tb_str_eq(tb_kit_jstr(r, "priority"), want) && !own_rule(pf, r)) {
			f->priority_holder = tb_kit_jstr(r, "arn");
			pf->holder = r;
		}
	}
}

static struct tb_fact_item *new_item(struct pf *pf)
{
	return pf->n_items < MAX_JOBS ? &pf->items[pf->n_items++] : NULL;
}

static void apply_secret(struct pf *pf, const struct pf_job *j, struct tb_preflight *f)
{
	bool parameter = j->kind == &kinds[K_PARAMETER];
	struct tb_fact_item *it;

	if (fact(j->out, "exists") != TB_FACT_NO || (it = new_item(pf)) == NULL)
		return;
	it->key = j->setting;
	it->what = tb_arena_printf(
	    pf->c->arena, "%s %s %s (%s %s)", parameter ? "the SSM parameter" : "the secret", j->a,
	    json_is_true(json_object_get(j->out, "deleted")) ? "is scheduled for deletion"
	                                                     : "does not exist",
	    j->kind->service, j->kind->action);
	if (f->missing_secrets == NULL)
		f->missing_secrets = it;
	f->n_missing_secrets++;
}

static void apply_network(struct pf *pf, const struct pf_job *j, struct tb_preflight *f)
{
	const json_t **slot[] = {
	    [K_SUBNETS] = &pf->subnets,
	    [K_SUBNET_TABLES] = &pf->subnet_tables,
	    [K_MAIN_TABLES] = &pf->main_tables,
	    [K_GROUPS] = &pf->groups,
	};

	*slot[j->kind - kinds] = j->out;
}

/* ---- the network's findings ----------------------------------------------------------- */

/* "has a route 0.0.0.0/0 to internet gateway igw-1 (rtb-2)" and/or "gives
 * ... a public IP"; NULL when the subnet is private or not known. */
static const char *subnet_finding(struct pf *pf, const char *id)
{
	const json_t *sub = json_object_get(pf->subnets, id);
	const json_t *table = json_object_get(pf->subnet_tables, id);
	bool public_ip = json_is_true(json_object_get(sub, "public_ip"));
	const char *igw, *route;

	if (sub == NULL)
		return NULL;
	if (table == NULL)
		table = json_object_get(pf->main_tables, tb_kit_jstr(sub, "vpc"));
	igw = tb_kit_jstr(table, "igw");
	if (igw == NULL && !public_ip)
		return NULL;
	route = igw ? tb_arena_printf(
	                  pf->c->arena, "has a route %s to internet gateway %s (route table %s%s)",
	                  tb_kit_jstr(table, "dest"), igw, tb_kit_jstr(table, "table"),
	                  json_object_get(pf->subnet_tables, id) ? "" : ", the VPC's main")
	            : NULL;
	if (route && public_ip)
		return tb_arena_printf(pf->c->arena,
		                       "%s and gives every task a public IP "
		                       "(MapPublicIpOnLaunch)",
		                       route);
	return route ? route : "gives every task a public IP (MapPublicIpOnLaunch)";
}

static void finish_subnets(struct pf *pf, struct tb_preflight *f)
{
	for (size_t i = 0; pf->subnets && i < pf->s.net.subnets.n; i++) {
		const char *id = pf->s.net.subnets.v[i];
		const char *what = id ? subnet_finding(pf, id) : NULL;
		struct tb_fact_item *it = what ? new_item(pf) : NULL;
		if (it == NULL)
			continue;
		*it = (struct tb_fact_item){.key = id, .what = what};
		if (f->public_subnets == NULL)
			f->public_subnets = it;
		f->n_public_subnets++;
	}
}

/* The first permission of a group open to the world that admits port (0:
 * the service has none; then only an all-traffic rule counts). */
static const char *group_finding(struct pf *pf, const json_t *perms, int64_t port)
{
	for (size_t i = 0; i < json_array_size(perms); i++) {
		const json_t *p = json_array_get(perms, i);
		const char *proto = tb_kit_jstr(p, "proto");
		int64_t from = tb_kit_jint(p, "from"), to = tb_kit_jint(p, "to");
		if (tb_str_eq(proto, "-1"))
			return tb_arena_printf(pf->c->arena, "admits all traffic from %s",
			                       tb_kit_jstr(p, "cidr"));
		if (port > 0 && (tb_str_eq(proto, "tcp") || tb_str_eq(proto, "6")) &&
		    from <= port && port <= to)
			return tb_arena_printf(
			    pf->c->arena, "admits the container port %lld from %s (tcp %lld-%lld)",
			    (long long)port, tb_kit_jstr(p, "cidr"), (long long)from,
			    (long long)to);
	}
	return NULL;
}

static void finish_groups(struct pf *pf, struct tb_preflight *f)
{
	for (size_t i = 0; pf->groups && i < pf->s.net.security_groups.n; i++) {
		const char *id = pf->s.net.security_groups.v[i];
		const char *what =
		    id ? group_finding(pf, json_object_get(pf->groups, id), pf->s.port) : NULL;
		struct tb_fact_item *it = what ? new_item(pf) : NULL;
		if (it == NULL)
			continue;
		*it = (struct tb_fact_item){.key = id, .what = what};
		if (f->open_groups == NULL)
			f->open_groups = it;
		f->n_open_groups++;
	}
}

/* Whether the same-named ECS service (this resource now, which a
 * replacement deletes before it creates) sends its traffic to a target
 * group the holder forwards to: then the rule is the service's own, under
 * another target group name. */
static bool holder_is_current(struct pf *pf, struct tb_aws_ctx *ctx)
{
	const json_t *names = json_object_get(pf->holder, "forwards"), *lbs;
	json_t *resp = NULL;

	if (tb_service_find(ctx, pf->s.cluster, pf->s.name, &resp) != 0)
		return false;
	lbs =
	    json_object_get(json_array_get(json_object_get(resp, "services"), 0), "loadBalancers");
	for (size_t i = 0; i < json_array_size(lbs); i++) {
		size_t n = 0;
		const char *tg =
		    tg_name_of(tb_kit_jstr(json_array_get(lbs, i), "targetGroupArn"), &n);
		for (size_t k = 0; tg && k < json_array_size(names); k++) {
			const char *name = json_string_value(json_array_get(names, k));
			if (name && strlen(name) == n && strncmp(name, tg, n) == 0)
				return true;
		}
	}
	return false;
}

/* ---- reads AWS refused ------------------------------------------------------------------ */

static bool warned_before(const struct pf *pf, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (pf->jobs[k].err != 0 && pf->jobs[k].err != TB_ECANCELED &&
		    tb_str_eq(pf->jobs[k].kind->action, pf->jobs[i].kind->action) &&
		    tb_str_eq(pf->jobs[k].kind->service, pf->jobs[i].kind->service))
			return true;
	return false;
}

/* One warning per call AWS refused: the call, what it answered, the rule
 * skipped and the permission it needs. */
static void warn_refused(struct pf *pf)
{
	struct tb_arena *a = pf->c->arena;

	for (size_t i = 0; i < pf->n; i++) {
		const struct pf_job *j = &pf->jobs[i];
		if (j->err == 0 || j->err == TB_ECANCELED || warned_before(pf, i))
			continue;
		tb_diag_addf(
		    &pf->c->diags, TB_SEV_WARNING, NULL,
		    tb_arena_printf(a, "Preflight could not read %s:%s", j->kind->service,
		                    j->kind->action),
		    "talentbase_service \"%s\": %s. Rule %s is not checked in this plan. "
		    "Reading needs the IAM permission %s:%s for the role the provider runs "
		    "as (docs/index.md has a read-only policy for CI roles); preflight = "
		    "false in the provider block turns these reads off.",
		    pf->s.name ? pf->s.name : "?",
		    j->error.action ? tb_aws_error_string(a, &j->error) : tb_strerror(j->err),
		    j->kind->rules, j->kind->service, j->kind->action);
	}
}

/* ---- the entry point --------------------------------------------------------------------- */

/* What the answers say, into f. */
static void judge(struct pf *pf, struct tb_aws_ctx *ctx, struct tb_preflight *f)
{
	for (size_t i = 0; i < pf->n; i++)
		if (pf->jobs[i].err == 0 && pf->jobs[i].out)
			pf->jobs[i].kind->apply(pf, &pf->jobs[i], f);
	/* one more read, only when another rule seems to hold the priority */
	if (f->priority_holder && pf->s.cluster && pf->s.name && holder_is_current(pf, ctx))
		f->priority_holder = NULL;
	finish_subnets(pf, f);
	finish_groups(pf, f);
}

/* Reads what the plan needs and says what AWS answered. See service.h. */
int tb_service_preflight(struct tb_call *c, const struct tb_plan *p, struct tb_preflight **out)
{
	struct pf *pf;
	struct tb_preflight *f;
	struct tb_aws_ctx ctx = {.client = c->meta->aws, .arena = c->arena};

	*out = NULL;
	if (!c->meta->preflight || c->meta->aws == NULL || !tb_is_known(p->planned))
		return 0;
	pf = tb_arena_alloc(c->arena, sizeof(*pf));
	if (pf == NULL)
		return TB_ENOMEM;
	memset(pf, 0, sizeof(*pf));
	pf->c = c;
	if (tb_service_load(c->arena, c->meta, p->planned, &pf->s) != 0)
		return TB_ENOMEM;
	plan_jobs(pf, p);
	if (pf->n == 0)
		return 0;
	pf->items = tb_arena_alloc(c->arena, MAX_JOBS * sizeof(*pf->items));
	f = tb_arena_alloc(c->arena, sizeof(*f));
	if (pf->items == NULL || f == NULL)
		return TB_ENOMEM;
	memset(f, 0, sizeof(*f));
	ctx.deadline_ms = tb_now_ms() + PREFLIGHT_BUDGET_MS;
	tb_aws_fanout(&ctx, pf->n, run_job, pf);
	judge(pf, &ctx, f);
	warn_refused(pf);
	*out = f;
	return 0;
}
