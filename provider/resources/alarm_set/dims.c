/*
 * talentbase_alarm_set, the service's side: what its alarms watch, read
 * from AWS. ECS DescribeServices gives the cluster, the service name and its
 * target group; ELBv2 DescribeTargetGroups the target group's load
 * balancer; the alarms want both as ARN suffixes ("app/<name>/<id>",
 * "targetgroup/<name>/<id>"). Application Auto Scaling's
 * DescribeScalableTargets gives the service's floor for rule TB205.
 */
#include <string.h>

#include "resources/alarm_set/alarm_set.h"

/* Splits "cluster/name". See alarm_set.h. */
int tb_alarm_split_service(struct tb_arena *a, const char *id, const char **cluster,
                           const char **name)
{
	const char *slash = id ? strrchr(id, '/') : NULL;

	if (slash == NULL || slash == id || slash[1] == '\0')
		return TB_EINVAL;
	*cluster = tb_arena_strndup(a, id, (size_t)(slash - id));
	*name = tb_arena_strdup(a, slash + 1);
	return *cluster && *name ? 0 : TB_ENOMEM;
}

/* The part of arn from marker's last segment on ("app/..."), or NULL. */
static const char *suffix_after(const char *arn, const char *marker, const char *start)
{
	const char *at = arn ? strstr(arn, marker) : NULL;

	if (at == NULL)
		return NULL;
	at += strlen(marker) - strlen(start);
	return strchr(at + strlen(start), '/') ? at : NULL;
}

/* "app/<name>/<id>". See alarm_set.h. */
const char *tb_alarm_lb_suffix(const char *arn)
{
	return suffix_after(arn, ":loadbalancer/app/", "app/");
}

/* "targetgroup/<name>/<id>". See alarm_set.h. */
const char *tb_alarm_tg_suffix(const char *arn)
{
	return suffix_after(arn, ":targetgroup/", "targetgroup/");
}

/* The cluster's name from a name or an ARN ("...:cluster/<name>"). */
static const char *cluster_name(const char *cluster)
{
	const char *at = cluster ? strstr(cluster, ":cluster/") : NULL;
	return at ? at + strlen(":cluster/") : cluster;
}

/* ---- the calls ---------------------------------------------------------------------- */

/* The floor, read beside the service: its own slot. */
struct floor_slot {
	int err; /* the read failed: kept for the caller's warning */
	struct tb_aws_error e;
	bool has_min;
	int64_t min;
};

/* The two parallel reads, each writing only its own slot. */
struct resolve {
	const char *cluster, *name;
	struct tb_alarm_target service; /* DescribeServices and the target group */
	int64_t desired;
	struct floor_slot floor; /* DescribeScalableTargets */
};

/* The load balancer of the target group (ELBv2 DescribeTargetGroups). */
static int read_target_group(struct tb_aws_ctx *ctx, const char *tg_arn, struct tb_alarm_target *t)
{
	const struct tb_xml *tg = NULL;
	int err = tb_aws_describe_target_group(ctx, tg_arn, &tg);

	if (err != 0)
		return err;
	t->target_group = tb_alarm_tg_suffix(tg_arn);
	t->load_balancer = tb_alarm_lb_suffix(tb_xml_text(tg, "LoadBalancerArns/member"));
	return 0;
}

/* What one DescribeServices item says. */
static int read_service(struct tb_aws_ctx *ctx, struct resolve *r, const json_t *svc)
{
	const json_t *lb = json_array_get(json_object_get(svc, "loadBalancers"), 0);
	const char *tg = tb_kit_jstr(lb, "targetGroupArn");
	struct tb_alarm_target *t = &r->service;

	t->found = true;
	t->cluster = cluster_name(tb_kit_jstr(svc, "clusterArn"));
	t->service_name = tb_kit_jstr(svc, "serviceName");
	r->desired = tb_kit_jint(svc, "desiredCount");
	return tg ? read_target_group(ctx, tg, t) : 0;
}

/* ECS DescribeServices, then the target group: out->found false when the
 * service or its cluster is missing, or the service is INACTIVE. */
static int resolve_service(struct tb_aws_ctx *ctx, struct resolve *r)
{
	json_t *svc = NULL;
	int err = tb_aws_describe_ecs_service(ctx, r->cluster, r->name, &svc);

	if (err == TB_ENOTFOUND)
		return 0;
	if (err != 0)
		return err;
	if (svc == NULL || !tb_str_eq(tb_kit_jstr(svc, "status"), "ACTIVE"))
		return 0;
	return read_service(ctx, r, svc);
}

/* Application Auto Scaling DescribeScalableTargets of the service. A
 * failure is kept for the caller's warning, never returned. */
static int resolve_floor(struct tb_aws_ctx *ctx, struct resolve *r)
{
	const char *id =
	    tb_arena_printf(ctx->arena, "service/%s/%s", cluster_name(r->cluster), r->name);
	json_t *target = NULL;
	int err = id ? tb_aws_describe_scalable_target(ctx, "ecs", "ecs:service:DesiredCount", id,
	                                               &target)
	             : TB_ENOMEM;

	if (err != 0) {
		r->floor.err = err;
		r->floor.e = ctx->error;
		return 0;
	}
	r->floor.has_min = target != NULL;
	r->floor.min = tb_kit_jint(target, "MinCapacity");
	return 0;
}

static int resolve_one(void *ud, size_t i, struct tb_aws_ctx *ctx)
{
	struct resolve *r = ud;
	return i == 0 ? resolve_service(ctx, r) : resolve_floor(ctx, r);
}

/* Reads what the service's alarms watch. See alarm_set.h. */
int tb_alarm_resolve(struct tb_aws_ctx *ctx, const char *service_id, bool floor,
                     struct tb_alarm_target *out)
{
	struct resolve r;
	int err;

	memset(&r, 0, sizeof(r));
	memset(out, 0, sizeof(*out));
	err = tb_alarm_split_service(ctx->arena, service_id, &r.cluster, &r.name);
	if (err == 0)
		err = tb_aws_fanout(ctx, floor ? 2 : 1, resolve_one, &r);
	if (err != 0)
		return err;
	*out = r.service;
	out->floor_err = r.floor.err;
	out->floor_e = r.floor.e;
	if (floor && out->found && r.floor.err == 0) {
		out->has_floor = true;
		out->floor = r.floor.has_min ? r.floor.min : r.desired;
	}
	return 0;
}
