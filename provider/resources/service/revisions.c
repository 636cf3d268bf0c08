/*
 * talentbase_service: task-definition revisions. The family (the service
 * name) belongs to the resource: after a rollout of a new revision, and on
 * delete, the family's other ACTIVE revisions are deregistered, so that no
 * revision stays registered that the state does not name. Which ones is
 * decided by pure functions over ListTaskDefinitions and DescribeServices
 * answers; the calls are the last function here.
 */
#include <string.h>

#include "resources/service/service.h"

#define TD_MARK "task-definition/"

/* Whether arn is a revision of exactly family. See service.h. */
bool tb_service_td_in_family(const char *arn, const char *family)
{
	const char *p = arn ? strstr(arn, TD_MARK) : NULL;
	const char *colon;
	size_t n = family ? strlen(family) : 0;

	if (p == NULL || n == 0)
		return false;
	p += strlen(TD_MARK);
	colon = strrchr(p, ':');
	return colon && (size_t)(colon - p) == n && strncmp(p, family, n) == 0;
}

static bool strs_has(const struct tb_strs *v, const char *s)
{
	for (size_t i = 0; v && i < v->n; i++)
		if (tb_str_eq(v->v[i], s))
			return true;
	return false;
}

/* Appends s to out (room reserved by the caller) unless skip names it or out
 * has it. */
static void add_unless(struct tb_strs *out, const char *s, const struct tb_strs *skip)
{
	if (s && *s && !strs_has(skip, s) && !strs_has(out, s))
		out->v[out->n++] = s;
}

/* The revisions to deregister. See service.h. */
int tb_service_td_stale(struct tb_arena *a, const json_t *listed, const char *family,
                        const char *extra, const struct tb_strs *keep, struct tb_strs *out)
{
	const json_t *arns = json_object_get(listed, "taskDefinitionArns");
	struct tb_strs v = {.n = 0};

	v.v = tb_arena_alloc(a, (json_array_size(arns) + 2) * sizeof(*v.v));
	if (v.v == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < json_array_size(arns); i++) {
		const char *arn = json_string_value(json_array_get(arns, i));
		if (tb_service_td_in_family(arn, family))
			add_unless(&v, arn, keep);
	}
	add_unless(&v, extra, keep);
	*out = v;
	return 0;
}

/* The revisions the service's deployments use. See service.h. */
int tb_service_deployment_tds(struct tb_arena *a, const json_t *describe, struct tb_strs *out)
{
	const json_t *svc = json_array_get(json_object_get(describe, "services"), 0);
	const json_t *deps = json_object_get(svc, "deployments");
	struct tb_strs v = {.n = 0};

	v.v = tb_arena_alloc(a, (json_array_size(deps) + 2) * sizeof(*v.v));
	if (v.v == NULL)
		return TB_ENOMEM;
	add_unless(&v, json_string_value(json_object_get(svc, "taskDefinition")), NULL);
	for (size_t i = 0; i < json_array_size(deps); i++)
		add_unless(
		    &v,
		    json_string_value(json_object_get(json_array_get(deps, i), "taskDefinition")),
		    NULL);
	*out = v;
	return 0;
}

static int deregister_one(void *ud, size_t i, struct tb_aws_ctx *c)
{
	const struct tb_strs *stale = ud;
	int err = tb_kit_call(
	    c, "ecs", "DeregisterTaskDefinition",
	    tb_aws_json_own(c->arena, json_pack("{s:s}", "taskDefinition", stale->v[i])), NULL);

	/* ECS answers ClientException for a revision that does not exist. */
	return err == TB_ENOTFOUND || err == TB_EVALIDATION ? 0 : err;
}

/* Deregisters the family's revisions keep does not name. See service.h. */
int tb_service_prune_tds(struct tb_aws_ctx *ctx, const char *family, const char *extra,
                         const struct tb_strs *keep)
{
	json_t *body =
	    tb_aws_json_own(ctx->arena, json_pack("{s:s, s:s}", "familyPrefix",
	                                          family ? family : "", "status", "ACTIVE"));
	json_t *listed = NULL;
	struct tb_strs stale;
	int err =
	    tb_aws_json_all(ctx, "ecs", "ListTaskDefinitions", body, "taskDefinitionArns", &listed);

	if (err == 0)
		err = tb_service_td_stale(ctx->arena, listed, family, extra, keep, &stale);
	if (err == 0 && stale.n > 0)
		err = tb_aws_fanout(ctx, stale.n, deregister_one, &stale);
	return err;
}

/* The revisions to keep: s's, and with a service answer those its deployments use. */
static int revisions_in_use(struct tb_arena *a, const struct tb_svc *s, const json_t *describe,
                            struct tb_strs *out)
{
	struct tb_strs deps = {.n = 0};
	const char **v;
	int err = describe ? tb_service_deployment_tds(a, describe, &deps) : 0;

	if (err != 0)
		return err;
	if ((v = tb_arena_alloc(a, (deps.n + 1) * sizeof(*v))) == NULL)
		return TB_ENOMEM;
	v[0] = s->task_definition_arn;
	for (size_t i = 0; i < deps.n; i++)
		v[i + 1] = deps.v[i];
	out->n = deps.n + 1;
	out->v = v;
	return 0;
}

/*
 * After the rollout of a new revision: the family's other ACTIVE revisions
 * (and extra, the previous one) are deregistered, and those of old_family
 * when the family changed. A rollout not waited for is still in progress,
 * so (look) the revisions its deployments use stay. A failure only warns:
 * the rollout succeeded, and the next one or the destroy deregisters what
 * is left.
 */
void tb_service_prune_revisions(struct tb_op *op, const struct tb_svc *s, const char *extra,
                                const char *old_family, bool look)
{
	struct tb_arena *a = op->call->arena;
	const char *family = tb_service_family(s);
	struct tb_strs keep;
	json_t *resp = NULL;
	int err = look ? tb_service_find(&op->ctx, s->cluster, s->name, &resp) : 0;

	if (err == 0)
		err = revisions_in_use(a, s, resp, &keep);
	if (err == 0)
		err = tb_service_prune_tds(&op->ctx, family, extra, &keep);
	if (err == 0 && old_family && !tb_str_eq(old_family, family))
		err = tb_service_prune_tds(&op->ctx, old_family, NULL, &keep);
	if (err != 0)
		tb_diag_addf(
		    &op->call->diags, TB_SEV_WARNING, NULL,
		    "previous task-definition revisions not deregistered",
		    "Deregistering the ACTIVE revisions of task-definition family %s other "
		    "than %s failed: %s. They stay registered (and unused); the next "
		    "rollout of a new revision, or the destroy, deregisters them.",
		    family, s->task_definition_arn ? s->task_definition_arn : "?",
		    op->ctx.error.err == err ? tb_aws_error_string(a, &op->ctx.error)
		                             : tb_strerror(err));
}
