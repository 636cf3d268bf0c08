/*
 * talentbase_alarm_set: the resource type. Validation and planning over cty
 * values (the plan resolves the service's dimensions and its floor from
 * AWS), and the CRUD entry points that turn values into effective settings
 * (struct tb_alarm_set) and hand them to the set's lifecycle.
 *
 *   schema              schema.c
 *   value <-> struct    model.c (the kit's field engine)
 *   the kinds of alarm  kinds.c
 *   one alarm           alarms.c (definition, PutMetricAlarm, DescribeAlarms)
 *   the service         dims.c (ECS, ELBv2, Application Auto Scaling)
 *   the lifecycle       apply.c
 */
#include <stdlib.h>
#include <string.h>

#include "resources/alarm_set/alarm_set.h"
#include "tb/rules.h"

#define MINUTE_MS       (60 * 1000)
#define TIMEOUT_MS      (5 * MINUTE_MS)
#define PLAN_TIMEOUT_MS (2 * MINUTE_MS)
#define MAX_ACTIONS     5
#define MAX_DESCRIPTION 1024
#define MAX_PREFIX      (255 - 21) /* the longest suffix: "-db-proxy-connections" */

/* ---- checks the rules do not cover: the shape of the resource -------------------- */

static void check_service(struct tb_call *c, const struct tb_value *v)
{
	const char *id = tb_get_str(tb_attr(v, "service"));
	const char *cluster, *name;

	if (id && tb_alarm_split_service(c->arena, id, &cluster, &name) == TB_EINVAL)
		tb_diag_addf(&c->diags, TB_SEV_ERROR, "service", "Invalid service",
		             "service is \"%s\"; it must be the ID of a talentbase_service, "
		             "\"<cluster>/<service name>\" (talentbase_service.web.id).",
		             id);
}

static void check_prefix(struct tb_call *c, const struct tb_value *v)
{
	const char *p = tb_get_str(tb_attr(v, "name_prefix"));

	if (p && (*p == '\0' || strchr(p, '/') || strlen(p) > MAX_PREFIX))
		tb_diag_addf(
		    &c->diags, TB_SEV_ERROR, "name_prefix", "Invalid name_prefix",
		    "name_prefix must be 1 to %d characters without \"/\" (the alarm names "
		    "are \"<name_prefix>-cpu-high\" and so on, at most 255 characters).",
		    MAX_PREFIX);
}

static void check_action_list(struct tb_call *c, const struct tb_value *v, const char *attr)
{
	const struct tb_value *list = tb_attr(v, attr);

	if (!tb_is_known(list))
		return;
	if (tb_len(list) > MAX_ACTIONS)
		tb_diag_addf(&c->diags, TB_SEV_ERROR, attr, "Too many actions",
		             "%s has %zu ARNs; CloudWatch takes at most %d per alarm state.", attr,
		             tb_len(list), MAX_ACTIONS);
	for (size_t i = 0; i < tb_len(list); i++) {
		const char *arn = tb_get_str(list->u.coll.items[i]);
		if (arn && !tb_str_has_prefix(arn, "arn:"))
			tb_diag_addf(&c->diags, TB_SEV_ERROR, attr, "Invalid action",
			             "\"%s\" in %s is not an ARN (an SNS topic's, e.g. "
			             "aws_sns_topic.alerts.arn).",
			             arn, attr);
	}
}

static void check_actions(struct tb_call *c, const struct tb_value *v)
{
	check_action_list(c, v, "alarm_actions");
	check_action_list(c, v, "ok_actions");
	check_action_list(c, v, "insufficient_data_actions");
}

/* "12", "99.9": digits with at most one inner dot. */
static bool decimal(const char *s)
{
	const char *dot = strchr(s, '.');

	if (*s == '\0' || strspn(s, "0123456789.") != strlen(s) || *s == '.')
		return false;
	return dot == NULL || (strchr(dot + 1, '.') == NULL && dot[1] != '\0');
}

/* The short forms of CloudWatch's extended statistics: p99, p99.9, tm90,
 * wm90, tc90, ts90 (0-100), and IQM. */
static bool valid_extended(const char *s)
{
	static const char *const prefixes[] = {"p", "tm", "wm", "tc", "ts"};

	if (strcmp(s, "IQM") == 0)
		return true;
	for (size_t i = 0; i < TB_COUNT(prefixes); i++) {
		size_t n = strlen(prefixes[i]);
		if (strncmp(s, prefixes[i], n) == 0 && decimal(s + n))
			return strtod(s + n, NULL) <= 100;
	}
	return false;
}

static const char *const missing_values[] = {"breaching", "notBreaching", "ignore", "missing"};

static void check_missing(struct tb_call *c, const char *block, const char *value)
{
	for (size_t i = 0; i < TB_COUNT(missing_values); i++)
		if (strcmp(value, missing_values[i]) == 0)
			return;
	tb_diag_addf(&c->diags, TB_SEV_ERROR,
	             tb_arena_printf(c->arena, "%s.treat_missing_data", block),
	             "Invalid treat_missing_data",
	             "\"%s\": CloudWatch takes breaching, notBreaching, ignore or missing.", value);
}

static void check_block(struct tb_call *c, const struct tb_value *blk, const char *block)
{
	const char *missing = tb_get_str(tb_attr(blk, "treat_missing_data"));
	const char *text = tb_get_str(tb_attr(blk, "description"));
	const char *stat = tb_get_str(tb_attr(blk, "extended_statistic"));

	if (missing)
		check_missing(c, block, missing);
	if (text && strlen(text) > MAX_DESCRIPTION)
		tb_diag_addf(&c->diags, TB_SEV_ERROR,
		             tb_arena_printf(c->arena, "%s.description", block),
		             "Description too long",
		             "An alarm description has at most %d characters.", MAX_DESCRIPTION);
	if (stat && !valid_extended(stat))
		tb_diag_addf(&c->diags, TB_SEV_ERROR,
		             tb_arena_printf(c->arena, "%s.extended_statistic", block),
		             "Invalid extended_statistic",
		             "\"%s\" is not an extended statistic: use a percentile such as p99 or "
		             "p99.9 (or tm99, wm99, tc99, ts99, IQM).",
		             stat);
}

static void check_blocks(struct tb_call *c, const struct tb_value *v)
{
	for (int k = 0; k < TB_ALARM_N; k++) {
		const char *block = tb_alarm_kind(k)->block;
		const struct tb_value *blk = tb_attr(v, block);
		if (tb_is_known(blk))
			check_block(c, blk, block);
	}
}

struct shape_check {
	void (*check)(struct tb_call *c, const struct tb_value *v);
};

/* clang-format off */
static const struct shape_check shape_checks[] = {
    {.check = check_service},
    {.check = check_prefix},
    {.check = check_actions},
    {.check = check_blocks},
    {.check = tb_kit_check_timeouts},
};
/* clang-format on */

static void check_shape(struct tb_call *c, const struct tb_value *v)
{
	for (size_t i = 0; i < TB_COUNT(shape_checks); i++)
		shape_checks[i].check(c, v);
}

/* ---- the value the rules see ------------------------------------------------------ */

/* A copy of obj with one more attribute, name = val (rules only). */
static const struct tb_value *with_extra(struct tb_arena *a, const struct tb_value *obj,
                                         const char *name, const struct tb_value *val)
{
	size_t n = obj->type->n;
	const char **names = tb_arena_alloc(a, (n + 1) * sizeof(*names));
	const struct tb_type **types = tb_arena_alloc(a, (n + 1) * sizeof(*types));
	const struct tb_value **items = tb_arena_alloc(a, (n + 1) * sizeof(*items));
	const struct tb_type *t;

	if (names == NULL || types == NULL || items == NULL)
		return NULL;
	memcpy(names, obj->type->names, n * sizeof(*names));
	memcpy(types, obj->type->types, n * sizeof(*types));
	names[n] = name;
	types[n] = val->type;
	if ((t = tb_type_object(a, n + 1, names, types, NULL)) == NULL)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		items[i] = strcmp(t->names[i], name) == 0 ? val : tb_attr(obj, t->names[i]);
	return tb_object(a, t, items);
}

/*
 * The configuration as the alarms will be: an absent alarm block stands for
 * its defaults, a disabled one for no alarm; at plan time with the service's
 * floor (service_min_capacity, rule TB205) when it is known. NULL when out
 * of memory.
 */
static const struct tb_value *effective(struct tb_call *c, const struct tb_value *v,
                                        const struct tb_alarm_target *t)
{
	struct tb_arena *a = c->arena;
	const struct tb_value *eff = v;
	bool enabled;

	for (int k = 0; k < TB_ALARM_N && eff; k++) {
		const char *block = tb_alarm_kind(k)->block;
		if (tb_alarm_kind(k)->settings && tb_is_null(tb_attr(eff, block)) &&
		    !tb_is_unknown(tb_attr(eff, block)))
			eff = tb_object_with(
			    a, eff, block,
			    tb_kit_skeleton(a, tb_alarm_set_block_at(block), NULL, NULL, 0));
	}
	if (eff == NULL ||
	    tb_schema_apply_defaults(a, &tb_alarm_set_schema, c->meta, eff, &eff) != 0)
		return NULL;
	for (int k = 0; k < TB_ALARM_N && eff; k++) {
		const char *block = tb_alarm_kind(k)->block;
		const struct tb_value *blk = tb_attr(eff, block);
		if (tb_get_bool(tb_attr(blk, "enabled"), &enabled) && !enabled)
			eff = tb_object_with(a, eff, block, tb_null(a, blk->type));
	}
	if (eff && t && t->has_floor)
		eff = with_extra(a, eff, "service_min_capacity", tb_int(a, t->floor));
	return eff;
}

static void run_rules(struct tb_call *c, enum tb_rules_phase phase, const struct tb_value *v,
                      const struct tb_alarm_target *t)
{
	const struct tb_value *eff = effective(c, v, t);

	if (eff == NULL) {
		tb_diag_add(&c->diags, TB_SEV_ERROR, NULL, "Out of memory", NULL);
		return;
	}
	tb_kit_rules(c, TB_ALARM_RESOURCE, phase, eff);
}

/* ValidateResourceConfig: shape checks and the rules over the effective
 * configuration (defaults that need the environment are unknown here). */
static void alarm_validate(struct tb_call *c, const struct tb_value *config)
{
	check_shape(c, config);
	run_rules(c, TB_RULES_VALIDATE, config, NULL);
}

/* ---- plan ------------------------------------------------------------------------ */

/* Whether the running-task alarm is on (known), so that its floor matters. */
static bool tasks_alarm_on(const struct tb_value *v)
{
	const struct tb_value *blk = tb_attr(v, "running_tasks_low");
	bool on = true;

	if (tb_is_unknown(blk))
		return false;
	return tb_is_null(blk) || (tb_get_bool(tb_attr(blk, "enabled"), &on) && on);
}

static void warn_floor(struct tb_call *c, const struct tb_alarm_target *t)
{
	tb_diag_addf(&c->diags, TB_SEV_WARNING, NULL, "TB205 not checked",
	             "Reading the service's minimum capacity failed: %s. Rule TB205 compares "
	             "running_tasks_low.threshold with it; the plan's role needs "
	             "application-autoscaling:DescribeScalableTargets.",
	             tb_aws_error_string(c->arena, &t->floor_e));
}

/* Reads what the service's alarms should watch (*known false: not known
 * yet, the service is unknown, missing or the provider has no AWS client). */
static int plan_resolve(struct tb_call *c, struct tb_plan *p, struct tb_alarm_target *t,
                        bool *known)
{
	const char *service = tb_get_str(tb_attr(p->planned, "service"));
	struct tb_aws_ctx ctx = {.client = c->meta->aws,
	                         .arena = c->arena,
	                         .deadline_ms = tb_now_ms() + PLAN_TIMEOUT_MS};
	const char *cluster, *name;
	int err;

	memset(t, 0, sizeof(*t));
	*known = false;
	/* an invalid service is the shape check's to report */
	if (service == NULL || ctx.client == NULL ||
	    tb_alarm_split_service(c->arena, service, &cluster, &name) != 0)
		return 0;
	err = tb_alarm_resolve(&ctx, service, tasks_alarm_on(p->planned), t);
	if (err != 0) {
		tb_kit_diag_aws(c, "service", "reading the service's dimensions", TB_ALARM_RESOURCE,
		                service, &ctx.error);
		return err;
	}
	if (t->floor_err != 0)
		warn_floor(c, t);
	*known = t->found;
	return 0;
}

/* Whether everything the names and conditions depend on is known. */
static bool kinds_known(const struct tb_value *v)
{
	static const char *const attrs[] = {"enabled", "extended_statistic", "proxy"};

	if (!tb_is_known(tb_attr(v, "name_prefix")))
		return false;
	for (int k = 0; k < TB_ALARM_N; k++) {
		const struct tb_value *blk = tb_attr(v, tb_alarm_kind(k)->block);
		if (tb_is_unknown(blk))
			return false;
		for (size_t i = 0; tb_is_known(blk) && i < TB_COUNT(attrs); i++)
			if (tb_is_unknown(tb_attr(blk, attrs[i])))
				return false;
	}
	return true;
}

static const char *const planned_maps[] = {"alarm_names", "alarm_conditions", "alarm_arns"};
static const char *const dim_attrs[] = {"cluster", "service_name", "load_balancer", "target_group"};

static int set_unknown(struct tb_arena *a, struct tb_plan *p, const char *const *attrs, size_t n)
{
	int err = 0;

	for (size_t i = 0; i < n && err == 0; i++)
		err = tb_plan_set_unknown(a, p, attrs[i]);
	return err;
}

static const struct tb_value *str_or_null(struct tb_arena *a, const char *s)
{
	return s ? tb_string(a, s) : tb_null(a, &tb_type_string);
}

/* The maps of the alarms s will have: names, conditions, and the ARNs
 * of those prior records (the others are known after apply). */
static int plan_maps(struct tb_arena *a, struct tb_plan *p, struct tb_alarm_set *s,
                     const struct tb_alarm_set *old)
{
	const struct tb_type *t = tb_type_map(a, &tb_type_string);
	const char *keys[TB_ALARM_N];
	const struct tb_value *items[3][TB_ALARM_N];
	size_t n = 0;
	int err = t ? 0 : TB_ENOMEM;

	for (int k = 0; k < TB_ALARM_N && err == 0; k++) {
		struct tb_alarm_def d;
		if (!tb_alarm_expected(s, k, s->load_balancer != NULL))
			continue;
		err = tb_alarm_def_build(a, s, k, &d);
		keys[n] = tb_alarm_kind(k)->block;
		items[0][n] = tb_string(a, d.name);
		items[1][n] = tb_string(a, err == 0 ? tb_alarm_condition(a, &d) : "");
		items[2][n++] =
		    old->k[k].arn ? tb_string(a, old->k[k].arn) : tb_unknown(a, &tb_type_string);
	}
	for (size_t m = 0; m < TB_COUNT(planned_maps) && err == 0; m++)
		err = tb_plan_set(a, p, planned_maps[m], tb_map(a, t, n, keys, items[m]));
	return err;
}

/* The computed attributes that follow from the configuration and the
 * service: the dimensions, and the maps when they are known. */
static int plan_computed(struct tb_call *c, struct tb_plan *p, const struct tb_alarm_target *t,
                         bool known)
{
	struct tb_arena *a = c->arena;
	const char *dims[] = {t->cluster, t->service_name, t->load_balancer, t->target_group};
	struct tb_alarm_set s, old;
	int err = 0;

	if (!known)
		err = set_unknown(a, p, dim_attrs, TB_COUNT(dim_attrs));
	if (!known)
		return err ? err : set_unknown(a, p, planned_maps, TB_COUNT(planned_maps));
	for (size_t i = 0; i < TB_COUNT(dim_attrs) && err == 0; i++)
		err = tb_plan_set(a, p, dim_attrs[i], str_or_null(a, dims[i]));
	if (err != 0)
		return err;
	if (!kinds_known(p->planned))
		return set_unknown(a, p, planned_maps, TB_COUNT(planned_maps));
	err = tb_alarm_set_load(a, c->meta, p->planned, &s);
	if (err == 0)
		err = tb_alarm_set_load(a, c->meta, p->prior, &old);
	return err == 0 ? plan_maps(a, p, &s, &old) : err;
}

/* An error on block (on its first attribute that the configuration sets,
 * so that the CLI underlines the block's own lines). */
static void no_lb(struct tb_call *c, const char *service, const char *block,
                  const struct tb_value *blk)
{
	const char *path = block;

	for (size_t i = 0; tb_is_known(blk) && i < blk->type->n && path == block; i++)
		if (!tb_is_null(blk->u.coll.items[i]))
			path = tb_arena_printf(c->arena, "%s.%s", block, blk->type->names[i]);
	tb_diag_addf(&c->diags, TB_SEV_ERROR, path ? path : block,
	             "The service has no load balancer",
	             "ECS service %s has no load balancer, so there is no %s alarm: remove the "
	             "block or set enabled = false.",
	             service ? service : "?", block);
}

/* An alarm block of the load balancer, on in the configuration, for a
 * service without one. */
static void check_alb(struct tb_call *c, const struct tb_value *config, const char *service,
                      bool has_lb)
{
	for (int k = 0; k < TB_ALARM_N && !has_lb; k++) {
		const struct tb_value *blk = tb_attr(config, tb_alarm_kind(k)->block);
		bool on = true;
		if (!tb_alarm_kind(k)->alb || !tb_is_known(blk))
			continue;
		if (tb_is_unknown(tb_attr(blk, "enabled")) ||
		    (tb_get_bool(tb_attr(blk, "enabled"), &on) && !on))
			continue;
		no_lb(c, service, tb_alarm_kind(k)->block, blk);
	}
}

/* PlanResourceChange: tags, the ID, the service's dimensions and floor read
 * from AWS, the maps of the alarms, then the rules. */
static int alarm_plan(struct tb_call *c, struct tb_plan *p)
{
	struct tb_arena *a = c->arena;
	const char *service = tb_get_str(tb_attr(p->planned, "service"));
	const char *prefix = tb_get_str(tb_attr(p->planned, "name_prefix"));
	struct tb_alarm_target t;
	bool known = false;
	int err = tb_kit_plan_tags(a, c->meta, p);

	if (err == 0 && service && prefix)
		err = tb_plan_set(a, p, "id",
		                  tb_string(a, tb_arena_printf(a, "%s/%s", service, prefix)));
	if (err == 0)
		err = plan_resolve(c, p, &t, &known);
	if (err == 0)
		err = plan_computed(c, p, &t, known);
	if (err != 0)
		return err;
	if (known)
		check_alb(c, p->config, service, t.load_balancer != NULL);
	check_shape(c, p->planned);
	run_rules(c, TB_RULES_PLAN, p->planned, &t);
	return 0;
}

/* ---- apply ----------------------------------------------------------------------- */

/* clang-format off */
static const char *const computed_attrs[] = {
    "alarm_arns", "alarm_names", "alarm_conditions", "cluster", "service_name",
    "load_balancer", "target_group",
};
/* clang-format on */

/* The new state: planned with its unknowns filled from s; after a failure
 * the alarms and dimensions are s's (what exists). */
static const struct tb_value *apply_result(struct tb_call *c, const struct tb_value *planned,
                                           const struct tb_alarm_set *s, bool partial)
{
	const struct tb_value *full = NULL;

	if (tb_alarm_set_state(c->arena, c->meta, s, planned, &full) != 0)
		return NULL;
	return tb_kit_apply_result(c->arena, planned, full, partial, computed_attrs,
	                           TB_COUNT(computed_attrs));
}

/* The dimensions the plan could not know (the service was created in the
 * same apply) are read now; an alarm block of the load balancer on a
 * service without one is refused. */
static int apply_target(struct tb_op *op, struct tb_alarm_set *s)
{
	struct tb_call *c = op->call;
	struct tb_alarm_target t;
	int err;

	if (s->cluster != NULL)
		return 0;
	err = tb_alarm_resolve(&op->ctx, s->service, false, &t);
	if (err != 0)
		return tb_kit_fail(op, &op->ctx, "reading the service's dimensions", err);
	if (!t.found) {
		tb_diag_addf(&c->diags, TB_SEV_ERROR, "service", "Service not found",
		             "There is no ACTIVE ECS service %s.", s->service);
		return TB_ENOTFOUND;
	}
	s->cluster = t.cluster;
	s->service_name = t.service_name;
	s->load_balancer = t.load_balancer;
	s->target_group = t.target_group;
	for (int k = 0; k < TB_ALARM_N && !t.load_balancer; k++)
		if (tb_alarm_kind(k)->alb && s->k[k].set && s->k[k].enabled) {
			no_lb(c, s->service, tb_alarm_kind(k)->block, NULL);
			err = TB_EINVAL;
		}
	return err;
}

static int alarm_create(struct tb_op *op, const struct tb_value *planned,
                        const struct tb_value **out)
{
	struct tb_call *c = op->call;
	struct tb_alarm_set s;
	int err = tb_alarm_set_load(c->arena, c->meta, planned, &s);

	if (err == 0)
		err = apply_target(op, &s);
	if (err != 0)
		return err;
	err = tb_alarm_set_create(op, &s);
	*out = apply_result(c, planned, &s, err != 0);
	return err;
}

static int alarm_read(struct tb_op *op, const struct tb_value *state, const struct tb_value **out)
{
	struct tb_call *c = op->call;
	struct tb_alarm_set s, act;
	int err = tb_alarm_set_load(c->arena, c->meta, state, &s);

	if (err == 0)
		err = tb_alarm_set_read(op, &s, false, &act);
	return err == 0 ? tb_alarm_set_state(c->arena, c->meta, &act, state, out) : err;
}

static int alarm_update(struct tb_op *op, const struct tb_value *prior,
                        const struct tb_value *planned, const struct tb_value **out)
{
	struct tb_call *c = op->call;
	struct tb_alarm_set old, s;
	struct tb_op reread;
	const struct tb_value *now = NULL;
	int err = tb_alarm_set_load(c->arena, c->meta, prior, &old);

	if (err == 0)
		err = tb_alarm_set_load(c->arena, c->meta, planned, &s);
	if (err == 0)
		err = apply_target(op, &s);
	if (err == 0)
		err = tb_alarm_set_update(op, &old, &s);
	if (err == 0) {
		*out = apply_result(c, planned, &s, false);
		return 0;
	}
	/* What CloudWatch has now is the honest state after a failed update. */
	tb_kit_op_init(&reread, c, op->res, "read", prior);
	*out = alarm_read(&reread, prior, &now) == 0 ? now : prior;
	return err;
}

static int alarm_delete(struct tb_op *op, const struct tb_value *prior)
{
	struct tb_alarm_set s;
	int err = tb_alarm_set_load(op->call->arena, op->call->meta, prior, &s);

	return err == 0 ? tb_alarm_set_delete(op, &s) : err;
}

/* ---- import ------------------------------------------------------------------------ */

static bool any_alarm(const struct tb_alarm_set *s)
{
	for (int k = 0; k < TB_ALARM_N; k++)
		if (s->k[k].arn)
			return true;
	return false;
}

/* The import's prior with every alarm block the set has written out, as a
 * configuration that spells them out (the spec's example) does; the blocks
 * of the load balancer's alarms only when the set has one of them. */
static const struct tb_value *written_out(struct tb_arena *a, const struct tb_value *shape,
                                          const struct tb_alarm_set *act)
{
	bool alb = false;

	for (int k = 0; k < TB_ALARM_N; k++)
		alb = alb || (tb_alarm_kind(k)->alb && act->k[k].arn);
	for (int k = 0; k < TB_ALARM_N && shape; k++) {
		const struct tb_alarm_kind *kind = tb_alarm_kind(k);
		if (kind->settings && (alb || !kind->alb))
			shape = tb_object_with(
			    a, shape, kind->block,
			    tb_kit_skeleton(a, tb_alarm_set_block_at(kind->block), NULL, NULL, 0));
	}
	return shape;
}

/* Import by "<cluster>/<service name>" or "<cluster>/<service name>/<name_prefix>". */
static int alarm_import(struct tb_op *op, const char *const *parts, size_t n,
                        const struct tb_value **out)
{
	struct tb_call *c = op->call;
	const char *names[] = {"service", "name_prefix"};
	const char *values[] = {tb_arena_printf(c->arena, "%s/%s", parts[0], parts[1]),
	                        n == 3 ? parts[2] : parts[1]};
	const struct tb_value *shape =
	    tb_kit_skeleton(c->arena, &tb_alarm_set_block, names, values, 2);
	struct tb_alarm_set s, act;
	int err = shape ? tb_alarm_set_load(c->arena, c->meta, shape, &s) : TB_ENOMEM;

	op->rname = values[0];
	if (err == 0)
		err = tb_alarm_set_read(op, &s, true, &act);
	if (err != 0)
		return err;
	if (!any_alarm(&act)) {
		tb_diag_addf(
		    &c->diags, TB_SEV_ERROR, NULL, "Cannot import non-existent remote object",
		    "CloudWatch has no alarm called \"%s-cpu-high\", \"%s-memory-high\" or "
		    "any other of the set.",
		    values[1], values[1]);
		return TB_ENOTFOUND;
	}
	shape = written_out(c->arena, shape, &act);
	return shape ? tb_alarm_set_state(c->arena, c->meta, &act, shape, out) : TB_ENOMEM;
}

const struct tb_resource tb_resource_alarm_set = {
    .name = TB_ALARM_RESOURCE,
    .schema = &tb_alarm_set_schema,
    .needs_aws = true,
    .timeouts = {.create = TIMEOUT_MS,
                 .read = TIMEOUT_MS,
                 .update = TIMEOUT_MS,
                 .delete = TIMEOUT_MS},
    .name_attr = "service",
    .import_id = {.format = "<cluster>/<service name>[/<name_prefix>]",
                  .example = "talentbase-prod/web",
                  .min_parts = 2,
                  .max_parts = 3},
    .validate = alarm_validate,
    .plan = alarm_plan,
    .create = alarm_create,
    .update = alarm_update,
    .delete = alarm_delete,
    .read = alarm_read,
    .import = alarm_import,
};
