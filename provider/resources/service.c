/*
 * talentbase_service: the resource type. Validation and planning over cty
 * values, and the CRUD entry points that turn values into effective
 * settings (struct tb_svc) and hand them to the bundle sequences.
 *
 *   schema            service_schema.c
 *   value <-> struct  service_model.c
 *   struct -> AWS     service_expand.c      AWS -> struct   service_flatten.c
 *   sequences         service_apply.c (create, update), service_aws.c (read, delete, waits)
 *   rollout states    service_rollout.c
 */
#include <string.h>

#include "resources/service.h"
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

static void check_timeouts(struct tb_call *c, const struct tb_value *v)
{
	static const char *const ops[] = {"create", "update", "delete"};
	const struct tb_value *t = tb_attr(v, "timeouts");

	for (size_t i = 0; i < TB_COUNT(ops); i++) {
		const char *s = tb_get_str(tb_attr(t, ops[i]));
		int64_t ms = 0;
		if (s && (tb_duration_parse(s, &ms) != 0 || ms <= 0))
			tb_diag_addf(&c->diags, TB_SEV_ERROR,
			             tb_arena_printf(c->arena, "timeouts.%s", ops[i]),
			             "Invalid duration",
			             "\"%s\" is not a duration such as \"20m\" or \"1h30m\".", s);
	}
}

/* clang-format off */
static const struct shape_check shape_checks[] = {
    {.check = check_role},
    {.check = check_load_balancer},
    {.check = check_timeouts},
};
/* clang-format on */

static void check_shape(struct tb_call *c, const struct tb_value *v)
{
	for (size_t i = 0; i < TB_COUNT(shape_checks); i++)
		shape_checks[i].check(c, v);
}

static void run_rules(struct tb_call *c, enum tb_rules_phase phase, const struct tb_value *v)
{
	const struct tb_meta *m = c->meta;
	struct tb_rules_env env = {
	    .phase = phase,
	    .cli = tb_cli_command(),
	    .environment = phase == TB_RULES_PLAN ? m->environment : NULL,
	    .strict = m->strict,
	    .partition = m->partition,
	    .region = m->region,
	};
	tb_rules_check(&c->diags, &env, TB_SVC_RESOURCE, v);
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
	run_rules(c, TB_RULES_VALIDATE, eff);
}

/* ---- plan ---------------------------------------------------------------------- */

/* clang-format off */
static const char *const td_inputs[] = {
    "image", "image_tag", "cpu", "memory", "port", "environment", "secrets",
    "execution_role_arn", "task_role_arn", "health_check", "name",
};
static const char *const td_outputs[] = {
    "task_definition_arn", "task_definition_revision", "deployed_image",
};
/* Blocks whose presence cannot change in place. */
static const char *const presence_replaces[] = {"load_balancer", "capacity"};
/* clang-format on */

static bool attr_changed(const struct tb_plan *p, const char *name)
{
	return !tb_value_equal(tb_attr(p->prior, name), tb_attr(p->planned, name));
}

static int add_replace(struct tb_arena *a, struct tb_plan *p, const char *path_text)
{
	struct tb_path *rr = tb_arena_alloc(a, (p->n_requires_replace + 1) * sizeof(*rr));
	int err = rr ? 0 : TB_ENOMEM;

	for (size_t i = 0; err == 0 && i < p->n_requires_replace; i++) {
		char *t = tb_path_string(a, &p->requires_replace[i]);
		if (tb_str_eq(t, path_text))
			return 0;
		rr[i] = p->requires_replace[i];
	}
	if (err == 0)
		err = tb_path_parse(a, path_text, &rr[p->n_requires_replace]);
	if (err == 0) {
		p->requires_replace = rr;
		p->n_requires_replace++;
	}
	return err;
}

/* A new task-definition revision: its ARN, revision and the deployed image change. */
static int plan_task_definition(struct tb_arena *a, struct tb_plan *p)
{
	bool td = false;
	int err = 0;

	for (size_t i = 0; i < TB_COUNT(td_inputs) && !td; i++)
		td = attr_changed(p, td_inputs[i]);
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
			err = add_replace(a, p, b);
	}
	/* No service behind the state (see service_gone): replace. */
	if (err == 0 && tb_is_null(tb_attr(p->prior, "arn")))
		err = tb_plan_set_unknown(a, p, "arn");
	if (err == 0 && tb_is_null(tb_attr(p->prior, "arn")))
		err = add_replace(a, p, "arn");
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
 * express, then the rules over the planned value. */
static int service_plan(struct tb_call *c, struct tb_plan *p)
{
	struct tb_arena *a = c->arena;
	const char *name = tb_get_str(tb_attr(p->planned, "name"));
	const char *cluster = tb_get_str(tb_attr(p->planned, "cluster"));
	const struct tb_value *tags_all = tb_tags_all(a, c->meta, tb_attr(p->planned, "tags"));
	int err = tags_all ? tb_plan_set(a, p, "tags_all", tags_all) : TB_ENOMEM;

	if (err == 0)
		err = tb_service_role_defaults(a, c->meta, p->config, &p->planned);

	if (err == 0 && name && cluster)
		err = tb_plan_set(a, p, "id",
		                  tb_string(a, tb_arena_printf(a, "%s/%s", cluster, name)));
	if (err == 0 && name && tb_get_str(tb_attr(p->prior, "log_group_name")) == NULL)
		err = tb_plan_set(a, p, "log_group_name",
		                  tb_string(a, tb_service_log_group(a, name)));
	if (err == 0 && tb_is_known(p->prior))
		err = plan_update(a, p);
	if (err != 0)
		return err;
	check_shape(c, p->planned);
	run_rules(c, TB_RULES_PLAN, p->planned);
	return 0;
}

/* ---- apply ---------------------------------------------------------------------- */

static bool require_configured(struct tb_call *c)
{
	if (c->meta->aws != NULL)
		return true;
	tb_diag_add(&c->diags, TB_SEV_ERROR, NULL, "Provider not configured",
	            "The talentbase provider has no AWS client yet; check the provider block.");
	return false;
}

static void op_init(struct tb_svc_op *op, struct tb_call *c, const struct tb_value *v,
                    const char *which, int64_t dflt_ms)
{
	memset(op, 0, sizeof(*op));
	op->call = c;
	op->rname = tb_get_str(tb_attr(v, "name"));
	tb_call_aws_ctx(c, tb_timeout_ms(v, which, dflt_ms), &op->ctx);
}

/* clang-format off */
static const char *const computed_attrs[] = {
    "arn", "task_definition_arn", "task_definition_revision", "target_group_arn",
    "listener_rule_arn", "log_group_name", "deployed_image",
};
/* clang-format on */

/*
 * The new state after an apply: planned with its unknowns filled from s.
 * After a failure, the computed IDs are s's (what exists), not the plan's.
 */
static const struct tb_value *apply_result(struct tb_call *c, const struct tb_value *planned,
                                           const struct tb_svc *s, bool partial)
{
	const struct tb_value *full = NULL, *v;

	if (tb_service_state(c->arena, c->meta, s, planned, false, &full) != 0)
		return NULL;
	v = tb_service_fill_unknowns(c->arena, planned, full);
	for (size_t i = 0; partial && v && i < TB_COUNT(computed_attrs); i++)
		v = tb_object_with(c->arena, v, computed_attrs[i],
		                   tb_attr(full, computed_attrs[i]));
	return v;
}

static int service_create(struct tb_call *c, const struct tb_value *planned,
                          const struct tb_value **out)
{
	struct tb_svc_op op;
	struct tb_svc s;
	int err;

	if (!require_configured(c))
		return TB_EINVAL;
	err = tb_service_load(c->arena, c->meta, planned, &s);
	if (err != 0)
		return err;
	s.id = tb_arena_printf(c->arena, "%s/%s", s.cluster, s.name);
	s.log_group_name = NULL;
	op_init(&op, c, planned, "create", CREATE_TIMEOUT_MS);
	err = tb_service_create_bundle(&op, &s);
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

static int service_read(struct tb_call *c, const struct tb_value *state,
                        const struct tb_value **out);

static int service_update(struct tb_call *c, const struct tb_value *prior,
                          const struct tb_value *planned, const struct tb_value **out)
{
	struct tb_svc_op op;
	struct tb_svc old, s;
	const struct tb_value *now = NULL;
	int err;

	if (!require_configured(c))
		return TB_EINVAL;
	err = tb_service_load(c->arena, c->meta, prior, &old);
	if (err == 0)
		err = tb_service_load(c->arena, c->meta, planned, &s);
	if (err != 0)
		return err;
	inherit_ids(&s, &old);
	op_init(&op, c, planned, "update", UPDATE_TIMEOUT_MS);
	err = tb_service_update_bundle(&op, &old, &s);
	if (err == 0) {
		*out = apply_result(c, planned, &s, false);
		return 0;
	}
	/* What AWS has now is the honest state after a failed update. */
	*out = service_read(c, prior, &now) == 0 ? now : prior;
	return err;
}

static int service_delete(struct tb_call *c, const struct tb_value *prior)
{
	struct tb_svc_op op;
	struct tb_svc s;
	int err;

	if (!require_configured(c))
		return TB_EINVAL;
	err = tb_service_load(c->arena, c->meta, prior, &s);
	if (err != 0)
		return err;
	op_init(&op, c, prior, "delete", DELETE_TIMEOUT_MS);
	return tb_service_delete_bundle(&op, &s);
}

/* ---- read and import ------------------------------------------------------------------ */

static int read_into(struct tb_call *c, const struct tb_value *shape, struct tb_svc *s)
{
	struct tb_svc_op op;

	op_init(&op, c, shape, "read", READ_TIMEOUT_MS);
	return tb_service_read_bundle(&op, s);
}

/*
 * The service is missing. With nothing else left the resource is gone
 * (null: the plan creates it). With objects of the bundle still there (a
 * failed create, or the service deleted outside Terraform) the state stays,
 * without the service's ARN: the plan replaces the resource, and the
 * destroy half removes the leftovers before the create.
 */
static int service_gone(struct tb_call *c, const struct tb_value *state, const struct tb_svc *s,
                        const struct tb_value **out)
{
	struct tb_svc_op op;
	bool left = false;
	int err;

	op_init(&op, c, state, "read", READ_TIMEOUT_MS);
	err = tb_service_leftovers(&op, s, &left);
	if (err != 0)
		return err;
	if (!left) {
		*out = tb_null(c->arena, tb_block_type(&tb_service_block));
		return 0;
	}
	*out = tb_object_with(c->arena, state, "arn", tb_null(c->arena, &tb_type_string));
	return *out ? 0 : TB_ENOMEM;
}

static int service_read(struct tb_call *c, const struct tb_value *state,
                        const struct tb_value **out)
{
	struct tb_svc s;
	int err;

	if (!require_configured(c))
		return TB_EINVAL;
	err = tb_service_load(c->arena, c->meta, state, &s);
	if (err == 0)
		err = read_into(c, state, &s);
	if (err == TB_ENOTFOUND)
		return service_gone(c, state, &s, out);
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
	const struct tb_type *t = tb_block_type(&tb_service_block);
	const struct tb_value *v = t ? tb_null(a, t) : NULL;
	const struct tb_value **items = t ? tb_arena_alloc(a, (t->n + 1) * sizeof(*items)) : NULL;

	if (items == NULL)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		items[i] = t->types[i]->kind == TB_LIST ? tb_list(a, t->types[i], 0, NULL)
		                                        : tb_null(a, t->types[i]);
	v = tb_object(a, t, items);
	v = tb_object_with(a, v, "id", tb_string(a, tb_arena_printf(a, "%s/%s", cluster, name)));
	v = tb_object_with(a, v, "cluster", tb_string(a, cluster));
	v = tb_object_with(a, v, "name", tb_string(a, name));
	return role ? tb_object_with(a, v, "role", tb_string(a, role)) : v;
}

static int service_import(struct tb_call *c, const char *id, const struct tb_value **out)
{
	const char *slash = id ? strrchr(id, '/') : NULL;
	const char *cluster, *name;
	const struct tb_value *shape;
	struct tb_svc s;
	int err;

	if (slash == NULL || slash == id || slash[1] == '\0') {
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, "Invalid import ID",
		             "\"%s\": expected <cluster>/<service name>, e.g. talentbase-prod/web.",
		             id ? id : "");
		return TB_EINVAL;
	}
	if (!require_configured(c))
		return TB_EINVAL;
	cluster = tb_arena_strndup(c->arena, id, (size_t)(slash - id));
	name = slash + 1;
	shape = skeleton(c->arena, cluster, name, NULL);
	err = shape ? tb_service_load(c->arena, c->meta, shape, &s) : TB_ENOMEM;
	if (err == 0)
		err = read_into(c, shape, &s);
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

const struct tb_resource tb_resource_service = {
    .name = TB_SVC_RESOURCE,
    .schema = &tb_service_schema,
    .validate = service_validate,
    .plan = service_plan,
    .create = service_create,
    .update = service_update,
    .delete = service_delete,
    .read = service_read,
    .import = service_import,
};
