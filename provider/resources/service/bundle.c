/*
 * talentbase_service, the bundle's sequences: which steps run in which phase
 * for read, create, update and delete, the objects a missing service leaves
 * behind, and the tags every object of the bundle shares.
 */
#include <stddef.h>
#include <string.h>

#include "resources/service/service.h"

/* ---- read ---------------------------------------------------------------------------- */

static int read_logs(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	return tb_service_logs_read(ctx, slot);
}

/* What each read step found, into the settings. */
static void merge_logs(void *state, const void *slot)
{
	struct tb_svc *s = state;
	const struct tb_svc *r = slot;

	s->logs = r->logs;
	s->log_group_name = r->log_group_name;
}

/* The load balancer side's settings, but not whether there is one: the
 * ECS service says that. */
static void merge_lb_read(void *state, const void *slot)
{
	struct tb_svc *s = state;
	const struct tb_svc *r = slot;
	bool set = s->lb.set;

	s->lb = r->lb;
	s->lb.set = set;
	s->lb_arn = r->lb_arn;
	s->target_group_arn = r->target_group_arn;
	s->target_group_name = r->target_group_name;
	s->listener_rule_arn = r->listener_rule_arn;
}

/*
 * Everything the prior state names is read at once: one round trip when
 * nothing changed. The task definition is not among them: a revision never
 * changes, so the one the state records is read only when the service no
 * longer uses it (or the state has none yet, as on import).
 */
/* clang-format off */
static const struct tb_kit_step read_steps[] = {
    {.name = "reading ECS service", .run = tb_service_ecs_read, .merge = tb_service_ecs_read_merge},
    {.name = "reading log group", .run = read_logs, .merge = merge_logs},
    {.name = "reading target group and listener rule", .run = tb_service_lb_read, .merge = merge_lb_read},
    {.name = "reading autoscaling", .run = tb_service_scaling_read, .merge = tb_service_scaling_merge},
};
/* clang-format on */

/* The revision the service uses, when it is not the one the state read. */
static int follow_td(struct tb_op *op, struct tb_svc *s)
{
	const char *group = s->log_group_name;
	int err = 0;

	if (tb_str_eq(s->found.td_arn, s->task_definition_arn) && s->image != NULL)
		return 0;
	s->task_definition_arn = s->found.td_arn;
	if (s->task_definition_arn)
		err = tb_service_td_read(&op->ctx, s);
	/* The revision may log elsewhere (an imported service). */
	if (err == 0 && s->log_group_name && !tb_str_eq(group, s->log_group_name))
		err = tb_service_logs_read(&op->ctx, s);
	return tb_kit_fail(op, &op->ctx, "reading task definition", err);
}

/* The target group the service uses, when it is not the one the state read. */
static int follow_lb(struct tb_op *op, struct tb_svc *s)
{
	if (!s->lb.set || tb_str_eq(s->found.tg_arn, s->target_group_arn))
		return 0;
	s->target_group_arn = s->found.tg_arn;
	return tb_kit_fail(op, &op->ctx, "reading target group and listener rule",
	                   tb_service_lb_read(op, &op->ctx, s));
}

/* Reads the whole bundle. See service.h. */
int tb_service_read_bundle(struct tb_op *op, struct tb_svc *s)
{
	int err = TB_KIT_RUN(op, s, read_steps);

	if (err == 0 && s->found.describe == NULL)
		return TB_ENOTFOUND;
	if (err == 0)
		err = follow_td(op, s);
	if (err == 0)
		err = follow_lb(op, s);
	return err == 0 ? tb_service_read_deployed_image(op, s->found.describe, s) : err;
}

struct leftover {
	size_t id_off; /* the recorded ID in struct tb_svc */
	int (*check)(struct tb_aws_ctx *ctx, const struct tb_svc *s, bool *found);
};

/* clang-format off */
static const struct leftover leftovers[] = {
    {.id_off = offsetof(struct tb_svc, target_group_arn), .check = tb_service_tg_exists},
    {.id_off = offsetof(struct tb_svc, listener_rule_arn), .check = tb_service_rule_exists},
    {.id_off = offsetof(struct tb_svc, task_definition_arn), .check = tb_service_td_active},
};

/* clang-format on */

/* Whether recorded objects outlive the service. See service.h. */
int tb_service_leftovers(struct tb_op *op, const struct tb_svc *s, bool *out)
{
	bool any = false;
	int err = 0;

	for (size_t i = 0; i < TB_COUNT(leftovers) && !any && err == 0; i++) {
		const char *id = *(const char *const *)((const char *)s + leftovers[i].id_off);
		if (id && *id)
			err = leftovers[i].check(&op->ctx, s, &any);
	}
	if (err != 0)
		return tb_kit_fail(op, &op->ctx, "looking for objects left by the service", err);
	*out = any;
	return 0;
}

/* tags_all changed: every taggable object of the bundle gets the difference.
 * Runs beside the steps that may create a missing rule or log group (with
 * every tag), so it tags the objects old names. */
static int step_update_tags(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	const struct tb_svc *old = op->old;
	struct tb_svc *s = slot;
	struct tb_kit_tag_diff d;
	const char *elb[2] = {old->target_group_arn, old->listener_rule_arn};
	const char *id;
	int err;

	if (tb_service_attr_equal("", "tags_all", old, s))
		return 0;
	err = tb_kit_tags_diff(ctx->arena, &old->tags_all, &s->tags_all, &d);
	if (err == 0)
		err = tb_kit_retag(ctx, "ecs", &s->arn, 1, &d);
	if (err == 0 && tb_service_td_equal(old, s))
		err = tb_kit_retag(ctx, "ecs", &old->task_definition_arn, 1, &d);
	if (err == 0 && old->lb.set && old->target_group_arn)
		err = tb_kit_retag(ctx, "elasticloadbalancing", elb, 2, &d);
	if (err == 0 && old->log_group_name &&
	    (id = tb_service_log_group_arn(ctx, old->log_group_name)))
		err = tb_kit_retag(ctx, "logs", &id, 1, &d);
	if (err == 0 && s->as.set && old->as.set && (id = tb_service_scalable_target_arn(ctx, s)))
		err = tb_kit_retag(ctx, "application-autoscaling", &id, 1, &d);
	return err;
}

/* clang-format off */
static const struct tb_kit_step create_first[] = {
    {.name = "creating log group", .run = tb_service_logs_create, .merge = tb_service_logs_merge},
    {.name = "creating target group and listener rule", .run = tb_service_lb_create, .merge = tb_service_lb_merge},
    {.name = "registering task definition", .run = tb_service_td_register, .merge = tb_service_td_merge},
};
static const struct tb_kit_step create_second[] = {
    {.name = "creating ECS service", .run = tb_service_ecs_create, .merge = tb_service_ecs_merge},
};
static const struct tb_kit_step scaling_steps[] = {
    {.name = "configuring autoscaling", .run = tb_service_scaling_put},
};
static const struct tb_kit_step update_first[] = {
    {.name = "registering task definition", .run = tb_service_td_update, .merge = tb_service_td_merge},
    {.name = "updating log group", .run = tb_service_logs_update, .merge = tb_service_logs_merge},
    {.name = "updating target group and listener rule", .run = tb_service_lb_update, .merge = tb_service_rule_merge},
    {.name = "updating tags", .run = step_update_tags},
};
/* clang-format on */

/* Creates the bundle. See service.h. */
int tb_service_create_bundle(struct tb_op *op, struct tb_svc *s)
{
	int err = TB_KIT_RUN(op, s, create_first);

	if (err == 0)
		err = TB_KIT_RUN(op, s, create_second);
	if (err == 0)
		err = TB_KIT_RUN(op, s, scaling_steps);
	if (err != 0)
		return err;
	/* Without the wait no rollout has completed yet: a refresh sees it complete. */
	s->deployed_image = NULL;
	if (s->dep.wait)
		err = tb_service_wait_rollout(op, s);
	if (err == 0)
		tb_service_prune_revisions(op, s, NULL, NULL, false);
	return err;
}

static int finish_rollout(struct tb_op *op, struct tb_svc *s, bool td_changed)
{
	const struct tb_svc *old = op->old;
	int err = 0;

	/* Without the wait, what served before serves until a refresh sees the rollout complete. */
	s->deployed_image = old->deployed_image;
	if (s->dep.wait)
		err = tb_service_wait_rollout(op, s);
	if (err != 0 && td_changed)
		tb_service_td_drop_unused(op, s);
	if (err == 0 && td_changed)
		tb_service_prune_revisions(op, s, old->task_definition_arn, tb_service_family(old),
		                           !s->dep.wait);
	return err;
}

/* Updates the bundle in place. See service.h. */
int tb_service_update_bundle(struct tb_op *op, const struct tb_svc *old, struct tb_svc *s)
{
	bool td_changed = !tb_service_td_equal(old, s), changed = false;
	int err;

	op->old = old;
	if (!td_changed)
		s->task_definition_arn = old->task_definition_arn;
	err = TB_KIT_RUN(op, s, update_first);
	if (err == 0)
		err = tb_service_ecs_update(op, s, &changed);
	if (err == 0)
		err = TB_KIT_RUN(op, s, scaling_steps);
	if (err != 0)
		return err;
	if (!changed && !td_changed) {
		s->deployed_image = old->deployed_image;
		return 0;
	}
	return finish_rollout(op, s, td_changed);
}

/* clang-format off */
static const struct tb_kit_step delete_first[] = {
    {.name = "deleting autoscaling", .run = tb_service_scaling_delete},
};
static const struct tb_kit_step delete_second[] = {
    {.name = "deleting ECS service", .run = tb_service_ecs_delete},
};
static const struct tb_kit_step delete_third[] = {
    {.name = "deleting listener rule and target group", .run = tb_service_lb_delete},
    {.name = "deregistering task definitions", .run = tb_service_td_deregister},
    {.name = "deleting log group", .run = tb_service_logs_delete},
};

/* clang-format on */

/* Deletes the bundle in reverse order of creation. See service.h. */
int tb_service_delete_bundle(struct tb_op *op, const struct tb_svc *s)
{
	struct tb_svc copy = *s;
	int err = TB_KIT_RUN(op, &copy, delete_first);

	if (err == 0)
		err = TB_KIT_RUN(op, &copy, delete_second);
	if (err == 0)
		err = TB_KIT_RUN(op, &copy, delete_third);
	return err;
}
