/*
 * talentbase_service: between cty values and struct tb_svc, through the
 * kit's field engine. The table maps every attribute to its field; the
 * schedules (a set-nested block) are the service's own.
 */
#include <stddef.h>
#include <string.h>

#include "resources/service/service.h"

#define SVC_FIELD(b, a, k, member) TB_KIT_FIELD(struct tb_svc, b, a, TB_KIT_##k, member, 0)
#define SVC_FIELD_LOCAL(b, a, k, member)                                                           \
	TB_KIT_FIELD(struct tb_svc, b, a, TB_KIT_##k, member, TB_KIT_LOCAL)

/* clang-format off */
static const struct tb_kit_field fields[] = {
    SVC_FIELD("", "id", STR, id),
    SVC_FIELD("", "name", STR, name),
    SVC_FIELD("", "cluster", STR, cluster),
    SVC_FIELD("", "family", STR, family),
    SVC_FIELD("", "container_name", STR, container_name),
    SVC_FIELD("", "target_group_name", STR, target_group_name),
    SVC_FIELD_LOCAL("", "role", STR, role),
    SVC_FIELD("", "image", STR, image),
    SVC_FIELD("", "image_tag", STR, image_tag),
    SVC_FIELD("", "cpu", INT, cpu),
    SVC_FIELD("", "memory", INT, memory),
    SVC_FIELD("", "port", INT, port),
    TB_KIT_FIELD(struct tb_svc, "", "desired_count", TB_KIT_INT, desired_count, TB_KIT_DERIVED),
    SVC_FIELD("", "environment", KVS, environment),
    SVC_FIELD("", "secrets", KVS, secrets),
    SVC_FIELD("", "execution_role_arn", STR, execution_role_arn),
    SVC_FIELD("", "task_role_arn", STR, task_role_arn),
    SVC_FIELD("", "enable_execute_command", BOOL, enable_execute_command),
    SVC_FIELD("", "tags", KVS, tags),
    SVC_FIELD("", "tags_all", KVS, tags_all),
    SVC_FIELD("", "arn", STR, arn),
    SVC_FIELD("", "task_definition_arn", STR, task_definition_arn),
    SVC_FIELD("", "task_definition_revision", INT, task_definition_revision),
    SVC_FIELD("", "target_group_arn", STR, target_group_arn),
    SVC_FIELD("", "listener_rule_arn", STR, listener_rule_arn),
    SVC_FIELD("", "log_group_name", STR, log_group_name),
    SVC_FIELD("", "deployed_image", STR, deployed_image),
    SVC_FIELD("health_check", "command", STRS, hc.command),
    SVC_FIELD("health_check", "interval", INT, hc.interval),
    SVC_FIELD("health_check", "timeout", INT, hc.timeout),
    SVC_FIELD("health_check", "retries", INT, hc.retries),
    SVC_FIELD("health_check", "start_period", INT, hc.start_period),
    SVC_FIELD("network", "subnets", STRS, net.subnets),
    SVC_FIELD("network", "security_groups", STRS, net.security_groups),
    SVC_FIELD("network", "assign_public_ip", BOOL, net.assign_public_ip),
    SVC_FIELD("load_balancer", "listener_arn", STR, lb.listener_arn),
    SVC_FIELD("load_balancer", "priority", INT, lb.priority),
    SVC_FIELD("load_balancer", "host_headers", STRS, lb.host_headers),
    SVC_FIELD("load_balancer", "path_patterns", STRS, lb.path_patterns),
    SVC_FIELD("load_balancer", "vpc_id", STR, lb.vpc_id),
    SVC_FIELD("load_balancer", "stickiness_duration", INT, lb.stickiness_duration),
    SVC_FIELD("load_balancer", "deregistration_delay", INT, lb.deregistration_delay),
    SVC_FIELD("load_balancer.stickiness", "type", STR, lb.stick.type),
    SVC_FIELD("load_balancer.stickiness", "duration", INT, lb.stick.duration),
    SVC_FIELD("load_balancer.stickiness", "cookie_name", STR, lb.stick.cookie_name),
    SVC_FIELD("load_balancer.health_check", "path", STR, lb.hc.path),
    SVC_FIELD("load_balancer.health_check", "matcher", STR, lb.hc.matcher),
    SVC_FIELD("load_balancer.health_check", "interval", INT, lb.hc.interval),
    SVC_FIELD("load_balancer.health_check", "timeout", INT, lb.hc.timeout),
    SVC_FIELD("load_balancer.health_check", "healthy_threshold", INT, lb.hc.healthy_threshold),
    SVC_FIELD("load_balancer.health_check", "unhealthy_threshold", INT, lb.hc.unhealthy_threshold),
    SVC_FIELD("deployment", "minimum_healthy_percent", INT, dep.minimum_healthy_percent),
    SVC_FIELD("deployment", "maximum_percent", INT, dep.maximum_percent),
    SVC_FIELD("deployment", "rollback", BOOL, dep.rollback),
    SVC_FIELD("deployment", "health_check_grace_period", INT, dep.grace),
    SVC_FIELD_LOCAL("deployment", "wait_for_steady_state", BOOL, dep.wait),
    SVC_FIELD("capacity", "fargate_base", INT, cap.base),
    SVC_FIELD("capacity", "fargate_weight", INT, cap.fargate_weight),
    SVC_FIELD("capacity", "spot_weight", INT, cap.spot_weight),
    SVC_FIELD("autoscaling", "min_capacity", INT, as.min),
    SVC_FIELD("autoscaling", "max_capacity", INT, as.max),
    SVC_FIELD("autoscaling", "cpu_target", NUM, as.cpu),
    SVC_FIELD("autoscaling", "memory_target", NUM, as.memory),
    SVC_FIELD("autoscaling", "requests_per_target", NUM, as.requests),
    SVC_FIELD("autoscaling", "scale_in_cooldown", INT, as.in_cooldown),
    SVC_FIELD("autoscaling", "scale_out_cooldown", INT, as.out_cooldown),
    SVC_FIELD("logs", "retention_days", INT, logs.retention),
    SVC_FIELD_LOCAL("logs", "retain_on_destroy", BOOL, logs.retain),
};
/* clang-format on */

#define SVC_BLOCK(p, k, member) TB_KIT_BLOCK(struct tb_svc, p, TB_KIT_##k, member)

/* clang-format off */
static const struct tb_kit_blockdef block_defs[] = {
    SVC_BLOCK("health_check", FEATURE, hc.set),
    SVC_BLOCK("network", REQUIRED, net.set),
    SVC_BLOCK("load_balancer", FEATURE, lb.set),
    SVC_BLOCK("load_balancer.health_check", SETTINGS, lb.hc.set),
    SVC_BLOCK("load_balancer.stickiness", FEATURE, lb.stick.set),
    SVC_BLOCK("deployment", SETTINGS, dep.set),
    SVC_BLOCK("capacity", FEATURE, cap.set),
    SVC_BLOCK("autoscaling", FEATURE, as.set),
    SVC_BLOCK("logs", SETTINGS, logs.set),
    TB_KIT_OPAQUE_BLOCK("timeouts"),
};
/* clang-format on */

/* The object at the block path (no dots) of v, or NULL when absent or unknown. */
static const struct tb_value *block_in(const struct tb_value *v, const char *name)
{
	const struct tb_value *b = tb_attr(v, name);
	return tb_is_known(b) ? b : NULL;
}

/* ---- schedules: the set-nested block, or the map of them ---------------------- */

static void load_sched(const struct tb_value *o, const char *name, struct tb_svc_sched *sc)
{
	const char *tz = tb_get_str(tb_attr(o, "timezone"));

	sc->name = name;
	sc->schedule = tb_get_str(tb_attr(o, "schedule"));
	sc->timezone = tz ? tz : "UTC";
	sc->has_min = tb_get_int(tb_attr(o, "min_capacity"), &sc->min);
	sc->has_max = tb_get_int(tb_attr(o, "max_capacity"), &sc->max);
}

/* The schedule set (in whatever order it comes) and the schedules map (by
 * key) into as->sched; sched_map says which form v writes. */
static int load_schedules(struct tb_arena *a, const struct tb_value *v, void *out)
{
	const struct tb_value *set = tb_attr(block_in(v, "autoscaling"), "schedule");
	const struct tb_value *map = tb_attr(block_in(v, "autoscaling"), "schedules");
	struct tb_svc_as *as = &((struct tb_svc *)out)->as;
	size_t n = tb_is_known(set) ? tb_len(set) : 0;
	size_t m = tb_is_known(map) ? tb_len(map) : 0;

	as->sched = tb_arena_alloc(a, (n + m + 1) * sizeof(*as->sched));
	if (as->sched == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct tb_value *o = set->u.coll.items[i];
		load_sched(o, tb_get_str(tb_attr(o, "name")), &as->sched[i]);
	}
	for (size_t i = 0; i < m; i++)
		load_sched(map->u.coll.items[i], map->u.coll.keys[i], &as->sched[n + i]);
	as->n_sched = n + m;
	as->sched_map = tb_is_known(map);
	return 0;
}

static bool sched_equal(const struct tb_svc_sched *x, const struct tb_svc_sched *y)
{
	return tb_str_eq(x->name, y->name) && tb_str_eq(x->schedule, y->schedule) &&
	       tb_str_eq(x->timezone, y->timezone) && x->has_min == y->has_min &&
	       x->has_max == y->has_max && (!x->has_min || x->min == y->min) &&
	       (!x->has_max || x->max == y->max);
}

static bool schedules_equal(const char *block, const void *px, const void *py)
{
	const struct tb_svc_as *x = &((const struct tb_svc *)px)->as;
	const struct tb_svc_as *y = &((const struct tb_svc *)py)->as;

	if (strcmp(block, "autoscaling") != 0)
		return true;
	if (x->n_sched != y->n_sched)
		return false;
	for (size_t i = 0; i < x->n_sched; i++) {
		bool found = false;
		for (size_t j = 0; j < y->n_sched && !found; j++)
			found = sched_equal(&x->sched[i], &y->sched[j]);
		if (!found)
			return false;
	}
	return true;
}

/* Sets attribute name of an object under construction. */
static void obj_set(const struct tb_type *t, const struct tb_value **items, const char *name,
                    const struct tb_value *v)
{
	int i = tb_type_attr_index(t, name);
	if (i >= 0)
		items[i] = v;
}

static const struct tb_value *opt_int(struct tb_arena *a, bool has, int64_t v)
{
	return has ? tb_int(a, v) : tb_null(a, &tb_type_number);
}

/* One schedule: a schedule block, or an entry of the schedules map (whose
 * type has no name: the name is its key). A timezone prior leaves null (the
 * map's way to say UTC) stays null while AWS has UTC. */
static const struct tb_value *build_sched(struct tb_arena *a, const struct tb_type *t,
                                          const struct tb_svc_sched *sc,
                                          const struct tb_value *prior)
{
	const struct tb_value *items[8] = {0};
	const struct tb_value *tz = tb_attr(prior, "timezone");
	bool utc_null = tb_is_known(prior) && tb_is_null(tz) && tb_str_eq(sc->timezone, "UTC");

	if (t->n > TB_COUNT(items))
		return NULL;
	obj_set(t, items, "name", tb_string(a, sc->name ? sc->name : ""));
	obj_set(t, items, "schedule", tb_string(a, sc->schedule ? sc->schedule : ""));
	obj_set(t, items, "timezone",
	        utc_null ? tb_null(a, &tb_type_string)
	                 : tb_string(a, sc->timezone ? sc->timezone : "UTC"));
	obj_set(t, items, "min_capacity", opt_int(a, sc->has_min, sc->min));
	obj_set(t, items, "max_capacity", opt_int(a, sc->has_max, sc->max));
	for (size_t i = 0; i < t->n; i++)
		if (items[i] == NULL)
			return NULL;
	return tb_object(a, t, items);
}

static const struct tb_svc_sched *find_sched(const struct tb_svc_as *as, const char *name)
{
	for (size_t i = 0; i < as->n_sched; i++)
		if (tb_str_eq(as->sched[i].name, name))
			return &as->sched[i];
	return NULL;
}

static bool prior_has_sched(const struct tb_value *prior, const char *name)
{
	for (size_t i = 0; tb_is_known(prior) && i < tb_len(prior); i++)
		if (tb_str_eq(tb_get_str(tb_attr(prior->u.coll.items[i], "name")), name))
			return true;
	return false;
}

/* The schedules map AWS has, by name. */
static const struct tb_value *build_schedules_map(struct tb_arena *a, const struct tb_svc_as *as,
                                                  const struct tb_type *t,
                                                  const struct tb_value *prior)
{
	const struct tb_value **items = tb_arena_alloc(a, (as->n_sched + 1) * sizeof(*items));
	const char **keys = tb_arena_alloc(a, (as->n_sched + 1) * sizeof(*keys));

	if (items == NULL || keys == NULL)
		return NULL;
	for (size_t i = 0; i < as->n_sched; i++) {
		keys[i] = as->sched[i].name ? as->sched[i].name : "";
		items[i] = build_sched(a, t->elem, &as->sched[i], tb_map_get(prior, keys[i]));
		if (items[i] == NULL)
			return NULL;
	}
	return tb_map(a, t, as->n_sched, keys, items);
}

/* The schedules in the form the prior state writes them (as->sched_map):
 * the schedules map, or the set of schedule blocks (the other is null,
 * resp. empty). Order carries no meaning in a set; those in prior come
 * first in prior's order so that they line up with the planned elements
 * (tb_kit_fill_unknowns), then the others in AWS's order. */
static const struct tb_value *build_schedules(struct tb_arena *a, const char *path, const void *act,
                                              const struct tb_type *t, const struct tb_value *prior)
{
	const struct tb_svc_as *as = &((const struct tb_svc *)act)->as;
	bool map = strcmp(path, "autoscaling.schedules") == 0;
	const struct tb_value **items;
	size_t n = 0;

	if (map)
		return as->sched_map ? build_schedules_map(a, as, t, prior) : tb_null(a, t);
	if (as->sched_map)
		return tb_set(a, t, 0, NULL);
	items = tb_arena_alloc(a, (as->n_sched + 1) * sizeof(*items));
	if (items == NULL)
		return NULL;
	for (size_t i = 0; tb_is_known(prior) && i < tb_len(prior); i++) {
		const char *name = tb_get_str(tb_attr(prior->u.coll.items[i], "name"));
		const struct tb_svc_sched *sc = find_sched(as, name);
		if (sc && (items[n++] = build_sched(a, t->elem, sc, NULL)) == NULL)
			return NULL;
	}
	for (size_t i = 0; i < as->n_sched; i++) {
		if (prior_has_sched(prior, as->sched[i].name))
			continue;
		if ((items[n++] = build_sched(a, t->elem, &as->sched[i], NULL)) == NULL)
			return NULL;
	}
	return tb_set(a, t, n, items);
}

/* clang-format off */
const struct tb_kit_model tb_service_model = {
    .fields = fields, .n_fields = TB_COUNT(fields),
    .blocks = block_defs, .n_blocks = TB_COUNT(block_defs),
    .block_at = tb_service_block_at,
    .derived = tb_service_derived,
    .load_nested = load_schedules,
    .build_nested = build_schedules,
    .nested_equal = schedules_equal,
};
/* clang-format on */

/* Reads v into *out, resolving defaults. See service.h. */
int tb_service_load(struct tb_arena *a, const struct tb_meta *meta, const struct tb_value *v,
                    struct tb_svc *out)
{
	struct tb_svc s;
	int err;

	memset(&s, 0, sizeof(s));
	err = tb_kit_load(&tb_service_model, a, meta, v, &s);
	if (err == 0)
		*out = s;
	return err;
}

/* Compares the AWS-side fields of one block. See service.h. */
bool tb_service_block_equal(const char *block, const struct tb_svc *x, const struct tb_svc *y)
{
	return tb_kit_block_equal(&tb_service_model, block, x, y);
}

/* Compares one attribute. See service.h. */
bool tb_service_attr_equal(const char *block, const char *attr, const struct tb_svc *x,
                           const struct tb_svc *y)
{
	return tb_kit_attr_equal(&tb_service_model, block, attr, x, y);
}

/* clang-format off */
static const char *const td_attrs[] = {
    "image", "image_tag", "cpu", "memory", "port", "environment", "secrets",
    "execution_role_arn", "task_role_arn", "family", "container_name", "log_group_name",
};
/* clang-format on */

/* True when x and y register the same task definition. */
bool tb_service_td_equal(const struct tb_svc *x, const struct tb_svc *y)
{
	for (size_t i = 0; i < TB_COUNT(td_attrs); i++)
		if (!tb_kit_attr_equal(&tb_service_model, "", td_attrs[i], x, y))
			return false;
	return tb_service_block_equal("health_check", x, y);
}

/* ---- building a state value ------------------------------------------------ */

/*
 * AWS's stickiness in the form prior writes it: with a stickiness block,
 * the block (stickiness_duration stays prior's); without one, an lb_cookie
 * as stickiness_duration and anything else (app_cookie) as a block, which
 * the plan then removes.
 */
static void stickiness_as_prior(struct tb_svc_lb *act, const struct tb_svc_lb *dflt)
{
	if (dflt->stick.set)
		act->stickiness_duration = dflt->stickiness_duration;
	else if (act->stick.set && tb_str_eq(act->stick.type, "lb_cookie"))
		act->stick.set = false;
}

/* Builds the state for actual, shaped after prior. See service.h. */
int tb_service_state(struct tb_arena *a, const struct tb_meta *meta, const struct tb_svc *actual,
                     const struct tb_value *prior, bool emit_all, const struct tb_value **out)
{
	struct tb_svc dflt, act = *actual;
	int err = tb_service_load(a, meta, prior, &dflt);

	if (err != 0)
		return err;
	if (dflt.role)
		act.role = dflt.role;
	act.dep.wait = dflt.dep.wait;
	act.logs.retain = dflt.logs.retain;
	if (act.as.set || dflt.as.set) /* autoscaling owns the live count */
		act.desired_count = dflt.desired_count;
	if (act.as.in_cooldown < 0 || act.as.out_cooldown < 0) { /* no policy to read them from */
		act.as.in_cooldown = dflt.as.in_cooldown;
		act.as.out_cooldown = dflt.as.out_cooldown;
	}
	if (!act.lb.set) /* requests_per_target is ignored without a load balancer (TB020) */
		act.as.requests = dflt.as.requests;
	act.as.sched_map = dflt.as.sched_map;
	stickiness_as_prior(&act.lb, &dflt.lb);
	err = tb_kit_tags_actual(a, meta, prior, &act.tags_all, &act.tags);
	return err == 0
	           ? tb_kit_build_state(&tb_service_model, a, &act, &dflt, prior, emit_all, out)
	           : err;
}
