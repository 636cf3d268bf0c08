/*
 * talentbase_service: the resource type. Validation and planning over cty
 * values, and the CRUD entry points that turn values into effective
 * settings (struct tb_svc) and hand them to the bundle's sequences.
 *
 *   schema              schema.c
 *   value <-> struct    model.c (the kit's field engine)
 *   the AWS objects     taskdef.c, ecs.c, lb.c, scaling.c, logs.c
 *                       (requests, answers, read/create/update/delete steps)
 *   sequences           bundle.c; rollout.c (waiting for ECS), revisions.c
 */
#include <ctype.h>
#include <string.h>

#include "resources/service/service.h"
#include "tb/rules.h"

#define MINUTE_MS         (60 * 1000)
#define CREATE_TIMEOUT_MS (30 * MINUTE_MS)
#define UPDATE_TIMEOUT_MS (30 * MINUTE_MS)
#define DELETE_TIMEOUT_MS (20 * MINUTE_MS)
#define READ_TIMEOUT_MS   (5 * MINUTE_MS)

/* ---- checks the rules do not cover: the shape of the resource -------------------- */

struct shape_check {
	void (*check)(struct tb_call *c, const struct tb_value *v);
};

static void check_role(struct tb_call *c, const struct tb_value *v)
{
	const char *role = tb_get_str(tb_attr(v, "role"));

	if (role && tb_service_role(role) == NULL)
		tb_diag_addf(&c->diags, TB_SEV_ERROR, "role", "Invalid role",
		             "role is \"%s\"; it must be web, api or worker.", role);
}

static void check_load_balancer(struct tb_call *c, const struct tb_value *v)
{
	const struct tb_value *lb = tb_attr(v, "load_balancer");
	const struct tb_svc_role *r = tb_service_role(tb_get_str(tb_attr(v, "role")));

	if (!tb_is_known(lb))
		return;
	if (r && !r->lb_allowed)
		tb_diag_addf(
		    &c->diags, TB_SEV_ERROR, "load_balancer", "A worker has no load balancer",
		    "role \"%s\" serves no traffic: remove the load_balancer block, or use "
		    "role \"web\" or \"api\".",
		    r->name);
	if (tb_is_null(tb_attr(v, "port")) && !tb_is_unknown(tb_attr(v, "port")))
		tb_diag_add(&c->diags, TB_SEV_ERROR, "port", "Missing port",
		            "A load_balancer forwards to the container port: set port.");
}

/* Names AWS gives the bundle's objects, and the characters it allows in them. */
struct name_rule {
	const char *attr;
	size_t max;
	const char *extra;  /* allowed besides letters and digits */
	bool inner_hyphens; /* ELB: no hyphen first or last, not "internal-..." */
	const char *aws;    /* what AWS calls it */
};

/* clang-format off */
static const struct name_rule name_rules[] = {
    {.attr = "family", .max = 255, .extra = "-_", .aws = "A task-definition family"},
    {.attr = "container_name", .max = 255, .extra = "-_", .aws = "A container name"},
    {.attr = "log_group_name", .max = 512, .extra = "._-/#", .aws = "A log group name"},
    {.attr = "target_group_name", .max = 32, .extra = "-", .inner_hyphens = true, .aws = "A target group name"},
};
/* clang-format on */

static bool name_ok(const struct name_rule *r, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > r->max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && strchr(r->extra, v[i]) == NULL)
			return false;
	return !r->inner_hyphens ||
	       (v[0] != '-' && v[n - 1] != '-' && !tb_str_has_prefix(v, "internal-"));
}

static void check_names(struct tb_call *c, const struct tb_value *v)
{
	for (size_t i = 0; i < TB_COUNT(name_rules); i++) {
		const struct name_rule *r = &name_rules[i];
		const char *name = tb_get_str(tb_attr(v, r->attr));
		if (name == NULL || name_ok(r, name))
			continue;
		tb_diag_addf(&c->diags, TB_SEV_ERROR, r->attr, "Invalid name",
		             "%s = \"%s\": %s has 1 to %zu characters: letters, digits%s%s%s.",
		             r->attr, name, r->aws, r->max, *r->extra ? " and " : "", r->extra,
		             r->inner_hyphens ? ", not first or last, and it does not start with "
		                                "\"internal-\" (Elastic Load Balancing's rules)"
		                              : "");
	}
}

/* ---- stickiness ---- */

#define STICKY_MAX_S 604800 /* one week, ELB's limit for both cookie types */

static const char *const reserved_cookies[] = {"AWSALB", "AWSALBAPP", "AWSALBTG"};

static void check_stickiness_duration(struct tb_call *c, const struct tb_value *lb)
{
	int64_t d = 0;
	const struct tb_value *v = tb_attr(lb, "stickiness_duration");

	if (tb_is_known(v) && (!tb_get_int(v, &d) || d < 0 || d > STICKY_MAX_S))
		tb_diag_add(
		    &c->diags, TB_SEV_ERROR, "load_balancer.stickiness_duration",
		    "Invalid stickiness",
		    "stickiness_duration must be a whole number of seconds from 1 to 604800 "
		    "(one week), or 0 for no stickiness.");
	if (d > 0 && tb_is_known(tb_attr(lb, "stickiness")))
		tb_diag_addf(&c->diags, TB_SEV_ERROR, "load_balancer.stickiness_duration",
		             "Conflicting stickiness settings",
		             "stickiness_duration = %lld and a stickiness block both set sticky "
		             "sessions. The block decides: remove stickiness_duration and give its "
		             "duration in the block (stickiness { duration = %lld }).",
		             (long long)d, (long long)d);
}

/* The cookie the stickiness block names, against its type. */
static void check_cookie(struct tb_call *c, const char *type, const struct tb_value *cookie)
{
	const char *name = tb_get_str(cookie);
	bool app = tb_str_eq(type, "app_cookie");

	if (app && tb_is_null(cookie) && !tb_is_unknown(cookie))
		tb_diag_add(&c->diags, TB_SEV_ERROR, "load_balancer.stickiness",
		            "Missing cookie_name",
		            "type = \"app_cookie\" follows the application's own cookie: set "
		            "cookie_name to its name.");
	if (!app && name)
		tb_diag_add(&c->diags, TB_SEV_ERROR, "load_balancer.stickiness.cookie_name",
		            "cookie_name needs app_cookie",
		            "With type = \"lb_cookie\" the load balancer sets its own cookie "
		            "(AWSALB): remove cookie_name, or set type = \"app_cookie\".");
	for (size_t i = 0; app && name && i < TB_COUNT(reserved_cookies); i++)
		if (tb_str_has_prefix(name, reserved_cookies[i]))
			tb_diag_addf(
			    &c->diags, TB_SEV_ERROR, "load_balancer.stickiness.cookie_name",
			    "Reserved cookie name",
			    "cookie_name = \"%s\": names starting with AWSALB, AWSALBAPP or "
			    "AWSALBTG are the load balancer's own.",
			    name);
}

static void check_stickiness(struct tb_call *c, const struct tb_value *v)
{
	const struct tb_value *lb = tb_attr(v, "load_balancer");
	const struct tb_value *st = tb_attr(lb, "stickiness");
	const char *type = tb_get_str(tb_attr(st, "type"));
	int64_t d = 0;

	if (!tb_is_known(lb))
		return;
	check_stickiness_duration(c, lb);
	if (!tb_is_known(st))
		return;
	if (type && !tb_str_eq(type, "lb_cookie") && !tb_str_eq(type, "app_cookie"))
		tb_diag_addf(&c->diags, TB_SEV_ERROR, "load_balancer.stickiness.type",
		             "Invalid stickiness type",
		             "type = \"%s\": an application load balancer's target group sticks by "
		             "\"lb_cookie\" or \"app_cookie\".",
		             type);
	if (tb_is_known(tb_attr(st, "duration")) &&
	    (!tb_get_int(tb_attr(st, "duration"), &d) || d < 1 || d > STICKY_MAX_S))
		tb_diag_add(
		    &c->diags, TB_SEV_ERROR, "load_balancer.stickiness.duration",
		    "Invalid stickiness duration",
		    "duration must be a whole number of seconds from 1 to 604800 (one week).");
	if (type)
		check_cookie(c, type, tb_attr(st, "cookie_name"));
}

/* Schedules are written one way: the map, or the blocks. */
static void check_schedule_forms(struct tb_call *c, const struct tb_value *v)
{
	const struct tb_value *as = tb_attr(v, "autoscaling");
	const struct tb_value *map = tb_attr(as, "schedules");

	if (tb_is_known(map) && tb_len(tb_attr(as, "schedule")) > 0)
		tb_diag_add(&c->diags, TB_SEV_ERROR, "autoscaling.schedules",
		            "Schedules written twice",
		            "autoscaling has both schedule blocks and a schedules map: write every "
		            "schedule one way, as schedules = { \"<name>\" = { schedule = ... } } "
		            "(findings then point at each entry) or as schedule blocks.");
}

/* clang-format off */
static const struct shape_check shape_checks[] = {
    {.check = check_role},
    {.check = check_schedule_forms},
    {.check = check_load_balancer},
    {.check = check_names},
    {.check = check_stickiness},
    {.check = tb_kit_check_timeouts},
};
/* clang-format on */

static void check_shape(struct tb_call *c, const struct tb_value *v)
{
	for (size_t i = 0; i < TB_COUNT(shape_checks); i++)
		shape_checks[i].check(c, v);
}

/* ValidateResourceConfig: shape checks and the rules over the effective
 * configuration (defaults that need the environment are unknown here). */
static void service_validate(struct tb_call *c, const struct tb_value *config)
{
	const struct tb_value *eff = NULL;

	if (tb_schema_apply_defaults(c->arena, &tb_service_schema, c->meta, config, &eff) != 0 ||
	    tb_service_role_defaults(c->arena, c->meta, config, &eff) != 0) {
		tb_diag_add(&c->diags, TB_SEV_ERROR, NULL, "Out of memory", NULL);
		return;
	}
	check_shape(c, eff);
	tb_kit_rules(c, TB_SVC_RESOURCE, TB_RULES_VALIDATE, eff);
}

/* ---- plan ---------------------------------------------------------------------- */

/* clang-format off */
static const char *const td_inputs[] = {
    "image", "image_tag", "cpu", "memory", "port", "environment", "secrets",
    "execution_role_arn", "task_role_arn", "health_check", "name", "family", "container_name",
    "log_group_name",
};
static const char *const td_outputs[] = {
    "task_definition_arn", "task_definition_revision", "deployed_image",
};
/* Blocks whose presence cannot change in place. */
static const char *const presence_replaces[] = {"load_balancer", "capacity"};
/* clang-format on */

/* A new task-definition revision: its ARN, revision and the deployed image change. */
static int plan_task_definition(struct tb_arena *a, struct tb_plan *p)
{
	bool td = false;
	int err = 0;

	for (size_t i = 0; i < TB_COUNT(td_inputs) && !td; i++)
		td = tb_kit_plan_attr_changed(p, td_inputs[i]);
	for (size_t i = 0; td && err == 0 && i < TB_COUNT(td_outputs); i++)
		err = tb_plan_set_unknown(a, p, td_outputs[i]);
	return err;
}

/* Replacements the schema's force-new flags cannot express. */
static int plan_replacements(struct tb_arena *a, struct tb_plan *p)
{
	int err = 0;

	for (size_t i = 0; err == 0 && i < TB_COUNT(presence_replaces); i++) {
		const char *b = presence_replaces[i];
		if (tb_is_null(tb_attr(p->prior, b)) != tb_is_null(tb_attr(p->planned, b)))
			err = tb_kit_plan_replace(a, p, b);
	}
	/* No service behind the state (see service_gone): replace. */
	if (err == 0 && tb_is_null(tb_attr(p->prior, "arn")))
		err = tb_plan_set_unknown(a, p, "arn");
	if (err == 0 && tb_is_null(tb_attr(p->prior, "arn")))
		err = tb_kit_plan_replace(a, p, "arn");
	return err;
}

static int plan_update(struct tb_arena *a, struct tb_plan *p)
{
	int err = plan_task_definition(a, p);

	if (err == 0)
		err = plan_replacements(a, p);
	/* A listener rule deleted outside Terraform is created again. */
	if (err == 0 && tb_is_known(tb_attr(p->planned, "load_balancer")) &&
	    tb_get_str(tb_attr(p->prior, "listener_rule_arn")) == NULL)
		err = tb_plan_set_unknown(a, p, "listener_rule_arn");
	return err;
}

/* PlanResourceChange: computed values that follow from the configuration,
 * unknowns for what the apply will change, replacements the schema cannot
 * express, then the rules over the planned value with what preflight read. */
static int service_plan(struct tb_call *c, struct tb_plan *p)
{
	struct tb_arena *a = c->arena;
	const char *name = tb_get_str(tb_attr(p->planned, "name"));
	const char *cluster = tb_get_str(tb_attr(p->planned, "cluster"));
	struct tb_preflight *facts = NULL;
	int err = tb_kit_plan_tags(a, c->meta, p);

	if (err == 0)
		err = tb_service_role_defaults(a, c->meta, p->config, &p->planned);

	if (err == 0 && name && cluster)
		err = tb_plan_set(a, p, "id",
		                  tb_string(a, tb_arena_printf(a, "%s/%s", cluster, name)));
	if (err == 0 && tb_is_known(p->prior))
		err = plan_update(a, p);
	if (err != 0)
		return err;
	check_shape(c, p->planned);
	/* A plan that fails on the configuration already reads nothing more. */
	if (!tb_diags_has_errors(&c->diags) && tb_service_preflight(c, p, &facts) != 0)
		return TB_ENOMEM;
	tb_kit_rules_preflight(c, TB_SVC_RESOURCE, p->planned, facts);
	return 0;
}

/* ---- apply ---------------------------------------------------------------------- */

/* clang-format off */
static const char *const computed_attrs[] = {
    "arn", "task_definition_arn", "task_definition_revision", "target_group_arn",
    "listener_rule_arn", "deployed_image",
};
/* clang-format on */

/*
 * The new state after an apply: planned with its unknowns filled from s.
 * After a failure, the computed IDs are s's (what exists), not the plan's.
 */
static const struct tb_value *apply_result(struct tb_call *c, const struct tb_value *planned,
                                           const struct tb_svc *s, bool partial)
{
	const struct tb_value *full = NULL;

	if (tb_service_state(c->arena, c->meta, s, planned, false, &full) != 0)
		return NULL;
	return tb_kit_apply_result(c->arena, planned, full, partial, computed_attrs,
	                           TB_COUNT(computed_attrs));
}

static int service_create(struct tb_op *op, const struct tb_value *planned,
                          const struct tb_value **out)
{
	struct tb_call *c = op->call;
	struct tb_svc s;
	int err = tb_service_load(c->arena, c->meta, planned, &s);

	if (err != 0)
		return err;
	s.id = tb_arena_printf(c->arena, "%s/%s", s.cluster, s.name);
	err = tb_service_create_bundle(op, &s);
	*out = apply_result(c, planned, &s, err != 0);
	return err;
}

/* Computed IDs the plan left unknown or unchanged come from the prior state. */
static void inherit_ids(struct tb_svc *s, const struct tb_svc *old)
{
	if (s->arn == NULL)
		s->arn = old->arn;
	if (s->target_group_arn == NULL)
		s->target_group_arn = old->target_group_arn;
	if (s->listener_rule_arn == NULL)
		s->listener_rule_arn = old->listener_rule_arn;
	if (s->log_group_name == NULL)
		s->log_group_name = old->log_group_name;
	if (s->lb.vpc_id == NULL)
		s->lb.vpc_id = old->lb.vpc_id;
	if (s->task_definition_arn == NULL && tb_service_td_equal(old, s)) {
		s->task_definition_arn = old->task_definition_arn;
		s->task_definition_revision = old->task_definition_revision;
	}
}

static int service_read(struct tb_op *op, const struct tb_value *state,
                        const struct tb_value **out);

static int service_update(struct tb_op *op, const struct tb_value *prior,
                          const struct tb_value *planned, const struct tb_value **out)
{
	struct tb_call *c = op->call;
	struct tb_op reread;
	struct tb_svc old, s;
	const struct tb_value *now = NULL;
	int err = tb_service_load(c->arena, c->meta, prior, &old);

	if (err == 0)
		err = tb_service_load(c->arena, c->meta, planned, &s);
	if (err != 0)
		return err;
	inherit_ids(&s, &old);
	err = tb_service_update_bundle(op, &old, &s);
	if (err == 0) {
		*out = apply_result(c, planned, &s, false);
		return 0;
	}
	/* What AWS has now is the honest state after a failed update. */
	tb_kit_op_init(&reread, c, op->res, "read", prior);
	*out = service_read(&reread, prior, &now) == 0 ? now : prior;
	return err;
}

static int service_delete(struct tb_op *op, const struct tb_value *prior)
{
	struct tb_svc s;
	int err = tb_service_load(op->call->arena, op->call->meta, prior, &s);

	return err == 0 ? tb_service_delete_bundle(op, &s) : err;
}

/* ---- read and import ------------------------------------------------------------------ */

/*
 * The service is missing. With nothing else left the resource is gone
 * (null: the plan creates it). With objects of the bundle still there (a
 * failed create, or the service deleted outside Terraform) the state stays,
 * without the service's ARN: the plan replaces the resource, and the
 * destroy half removes the leftovers before the create.
 */
static int service_gone(struct tb_op *op, const struct tb_value *state, const struct tb_svc *s,
                        const struct tb_value **out)
{
	struct tb_arena *a = op->call->arena;
	bool left = false;
	int err = tb_service_leftovers(op, s, &left);

	if (err != 0)
		return err;
	if (!left) {
		*out = tb_null(a, tb_block_type(&tb_service_block));
		return 0;
	}
	*out = tb_object_with(a, state, "arn", tb_null(a, &tb_type_string));
	return *out ? 0 : TB_ENOMEM;
}

static int service_read(struct tb_op *op, const struct tb_value *state, const struct tb_value **out)
{
	struct tb_call *c = op->call;
	struct tb_svc s;
	int err = tb_service_load(c->arena, c->meta, state, &s);

	if (err == 0)
		err = tb_service_read_bundle(op, &s);
	if (err == TB_ENOTFOUND)
		return service_gone(op, state, &s, out);
	return err == 0 ? tb_service_state(c->arena, c->meta, &s, state, false, out) : err;
}

/* The role an imported service most likely has (the docs say to check it). */
static const char *infer_role(const struct tb_svc *s)
{
	if (!s->lb.set)
		return "worker";
	return tb_str_eq(s->lb.hc.path, "/health/") ? "api" : "web";
}

/* An object with id, cluster, name (and role) set and everything else null. */
static const struct tb_value *skeleton(struct tb_arena *a, const char *cluster, const char *name,
                                       const char *role)
{
	const char *names[] = {"id", "cluster", "name", "role"};
	const char *values[] = {tb_arena_printf(a, "%s/%s", cluster, name), cluster, name, role};

	return tb_kit_skeleton(a, &tb_service_block, names, values, role ? 4 : 3);
}

static int service_import(struct tb_op *op, const char *const *parts, size_t n,
                          const struct tb_value **out)
{
	struct tb_call *c = op->call;
	const char *cluster = parts[0], *name = parts[1];
	const struct tb_value *shape = skeleton(c->arena, cluster, name, NULL);
	struct tb_svc s;
	int err = shape ? tb_service_load(c->arena, c->meta, shape, &s) : TB_ENOMEM;

	op->rname = name;
	if (err == 0)
		err = tb_service_read_bundle(op, &s);
	if (err == TB_ENOTFOUND)
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL,
		             "Cannot import non-existent remote object",
		             "No active ECS service %s in cluster %s.", name, cluster);
	if (err != 0)
		return err;
	s.role = infer_role(&s);
	shape = skeleton(c->arena, cluster, name, s.role);
	return shape ? tb_service_state(c->arena, c->meta, &s, shape, true, out) : TB_ENOMEM;
}

/* AWS errors that one attribute of the configuration explains. */
/* clang-format off */
static const struct tb_error_path error_paths[] = {
    {.code = "ClusterNotFoundException", .path = "cluster"},
    {.code = "ListenerNotFound", .path = "load_balancer.listener_arn"},
    {.code = "PriorityInUse", .path = "load_balancer.priority"},
    {.code = NULL},
};
/* clang-format on */

const struct tb_resource tb_resource_service = {
    .name = TB_SVC_RESOURCE,
    .schema = &tb_service_schema,
    .needs_aws = true,
    .timeouts = {.create = CREATE_TIMEOUT_MS,
                 .read = READ_TIMEOUT_MS,
                 .update = UPDATE_TIMEOUT_MS,
                 .delete = DELETE_TIMEOUT_MS},
    .name_attr = "name",
    .import_id = {.format = "<cluster>/<service name>",
                  .example = "talentbase-prod/web",
                  .min_parts = 2,
                  .max_parts = 2},
    .error_paths = error_paths,
    .validate = service_validate,
    .plan = service_plan,
    .create = service_create,
    .update = service_update,
    .delete = service_delete,
    .read = service_read,
    .import = service_import,
};
