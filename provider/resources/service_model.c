/*
 * talentbase_service: between cty values and struct tb_svc. One table maps
 * every attribute to its field; loading resolves defaults through the
 * schema rows (so a default is written down once), building a state walks
 * the schema and asks the table for each attribute.
 */
#include <stddef.h>
#include <string.h>

#include "resources/service.h"

enum field_kind {
	F_STR = 1,
	F_INT,
	F_BOOL,
	F_NUM,
	F_STRS,
	F_KVS,
};

/* LOCAL: the provider's own setting, not something AWS reports.
 * DERIVED: null stands for a value derived from other settings; a read keeps
 * it null while AWS has exactly that value. */
#define LOCAL   1u
#define DERIVED 2u

struct field {
	const char *block; /* "" for the resource itself */
	const char *attr;
	enum field_kind kind;
	size_t off;
	unsigned flags;
};

#define FLD(b, a, k, member)                                                                       \
	{                                                                                          \
		.block = b, .attr = a, .kind = k, .off = offsetof(struct tb_svc, member)           \
	}
#define FLD_LOCAL(b, a, k, member)                                                                 \
	{                                                                                          \
		.block = b, .attr = a, .kind = k, .off = offsetof(struct tb_svc, member),          \
		.flags = LOCAL                                                                     \
	}

/* clang-format off */
static const struct field fields[] = {
    FLD("", "id", F_STR, id),
    FLD("", "name", F_STR, name),
    FLD("", "cluster", F_STR, cluster),
    FLD_LOCAL("", "role", F_STR, role),
    FLD("", "image", F_STR, image),
    FLD("", "image_tag", F_STR, image_tag),
    FLD("", "cpu", F_INT, cpu),
    FLD("", "memory", F_INT, memory),
    FLD("", "port", F_INT, port),
    {.block = "", .attr = "desired_count", .kind = F_INT, .off = offsetof(struct tb_svc, desired_count), .flags = DERIVED},
    FLD("", "environment", F_KVS, environment),
    FLD("", "secrets", F_KVS, secrets),
    FLD("", "execution_role_arn", F_STR, execution_role_arn),
    FLD("", "task_role_arn", F_STR, task_role_arn),
    FLD("", "enable_execute_command", F_BOOL, enable_execute_command),
    FLD("", "tags", F_KVS, tags),
    FLD("", "tags_all", F_KVS, tags_all),
    FLD("", "arn", F_STR, arn),
    FLD("", "task_definition_arn", F_STR, task_definition_arn),
    FLD("", "task_definition_revision", F_INT, task_definition_revision),
    FLD("", "target_group_arn", F_STR, target_group_arn),
    FLD("", "listener_rule_arn", F_STR, listener_rule_arn),
    FLD("", "log_group_name", F_STR, log_group_name),
    FLD("", "deployed_image", F_STR, deployed_image),
    FLD("health_check", "command", F_STRS, hc.command),
    FLD("health_check", "interval", F_INT, hc.interval),
    FLD("health_check", "timeout", F_INT, hc.timeout),
    FLD("health_check", "retries", F_INT, hc.retries),
    FLD("health_check", "start_period", F_INT, hc.start_period),
    FLD("network", "subnets", F_STRS, net.subnets),
    FLD("network", "security_groups", F_STRS, net.security_groups),
    FLD("network", "assign_public_ip", F_BOOL, net.assign_public_ip),
    FLD("load_balancer", "listener_arn", F_STR, lb.listener_arn),
    FLD("load_balancer", "priority", F_INT, lb.priority),
    FLD("load_balancer", "host_headers", F_STRS, lb.host_headers),
    FLD("load_balancer", "path_patterns", F_STRS, lb.path_patterns),
    FLD("load_balancer", "vpc_id", F_STR, lb.vpc_id),
    FLD("load_balancer", "stickiness_duration", F_INT, lb.stickiness_duration),
    FLD("load_balancer", "deregistration_delay", F_INT, lb.deregistration_delay),
    FLD("load_balancer.health_check", "path", F_STR, lb.hc.path),
    FLD("load_balancer.health_check", "matcher", F_STR, lb.hc.matcher),
    FLD("load_balancer.health_check", "interval", F_INT, lb.hc.interval),
    FLD("load_balancer.health_check", "timeout", F_INT, lb.hc.timeout),
    FLD("load_balancer.health_check", "healthy_threshold", F_INT, lb.hc.healthy_threshold),
    FLD("load_balancer.health_check", "unhealthy_threshold", F_INT, lb.hc.unhealthy_threshold),
    FLD("deployment", "minimum_healthy_percent", F_INT, dep.minimum_healthy_percent),
    FLD("deployment", "maximum_percent", F_INT, dep.maximum_percent),
    FLD("deployment", "rollback", F_BOOL, dep.rollback),
    FLD("deployment", "health_check_grace_period", F_INT, dep.grace),
    FLD_LOCAL("deployment", "wait_for_steady_state", F_BOOL, dep.wait),
    FLD("capacity", "fargate_base", F_INT, cap.base),
    FLD("capacity", "fargate_weight", F_INT, cap.fargate_weight),
    FLD("capacity", "spot_weight", F_INT, cap.spot_weight),
    FLD("autoscaling", "min_capacity", F_INT, as.min),
    FLD("autoscaling", "max_capacity", F_INT, as.max),
    FLD("autoscaling", "cpu_target", F_NUM, as.cpu),
    FLD("autoscaling", "memory_target", F_NUM, as.memory),
    FLD("autoscaling", "requests_per_target", F_NUM, as.requests),
    FLD("autoscaling", "scale_in_cooldown", F_INT, as.in_cooldown),
    FLD("autoscaling", "scale_out_cooldown", F_INT, as.out_cooldown),
    FLD("logs", "retention_days", F_INT, logs.retention),
    FLD_LOCAL("logs", "retain_on_destroy", F_BOOL, logs.retain),
};
/* clang-format on */

/*
 * Nested single blocks. FEATURE: absent means "none" (no container health
 * check, no load balancer, launch type instead of capacity providers, no
 * autoscaling). Otherwise absent means "the defaults".
 */
enum block_kind {
	B_FEATURE = 1,
	B_SETTINGS,
	B_REQUIRED,
	B_OPAQUE, /* not AWS's: copied from prior */
};

struct block_def {
	const char *path;
	enum block_kind kind;
	size_t set_off;
};

#define BLK(p, k, member)                                                                          \
	{                                                                                          \
		.path = p, .kind = k, .set_off = offsetof(struct tb_svc, member)                   \
	}

/* clang-format off */
static const struct block_def block_defs[] = {
    BLK("health_check", B_FEATURE, hc.set),
    BLK("network", B_REQUIRED, net.set),
    BLK("load_balancer", B_FEATURE, lb.set),
    BLK("load_balancer.health_check", B_SETTINGS, lb.hc.set),
    BLK("deployment", B_SETTINGS, dep.set),
    BLK("capacity", B_FEATURE, cap.set),
    BLK("autoscaling", B_FEATURE, as.set),
    BLK("logs", B_SETTINGS, logs.set),
    {.path = "timeouts", .kind = B_OPAQUE, .set_off = SIZE_MAX},
};
/* clang-format on */

static const struct block_def *block_def(const char *path)
{
	for (size_t i = 0; i < TB_COUNT(block_defs); i++)
		if (strcmp(block_defs[i].path, path) == 0)
			return &block_defs[i];
	return NULL;
}

static const struct field *field_find(const char *block, const char *attr)
{
	for (size_t i = 0; i < TB_COUNT(fields); i++)
		if (strcmp(fields[i].block, block) == 0 && strcmp(fields[i].attr, attr) == 0)
			return &fields[i];
	return NULL;
}

/* "a.b" joined, in a; "" + x is x. */
static char *join_path(struct tb_arena *a, const char *base, const char *name)
{
	return *base ? tb_arena_printf(a, "%s.%s", base, name) : tb_arena_strdup(a, name);
}

/* The object at a dotted block path of v, NULL when it or a parent is
 * null or unknown. */
static const struct tb_value *block_value(const struct tb_value *v, const char *path)
{
	char part[64];
	const char *p = path;

	while (*p && tb_is_known(v)) {
		size_t n = strcspn(p, ".");
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, p, n);
		part[n] = '\0';
		v = tb_attr(v, part);
		p += n + (p[n] == '.');
	}
	return tb_is_known(v) ? v : NULL;
}

/* ---- per-kind operations --------------------------------------------------- */

/* How an attribute's value is written when the field is empty: the pure
 * optional and computed-only attributes say "none" with null. */
static bool empty_is_null(const struct tb_attr *row)
{
	return row && !(row->flags & TB_A_REQUIRED) &&
	       (row->flags & (TB_A_OPTIONAL | TB_A_COMPUTED)) != (TB_A_OPTIONAL | TB_A_COMPUTED);
}

struct build_in {
	struct tb_arena *a;
	const struct tb_type *t;      /* the attribute's type */
	const struct tb_attr *row;    /* its schema row */
	const struct tb_value *prior; /* its prior value, may be NULL */
};

struct kind_ops {
	int (*load)(struct tb_arena *a, const struct tb_value *x, void *p);
	bool (*equal)(const void *x, const void *y, bool as_set);
	const struct tb_value *(*build)(const struct build_in *in, const void *p);
};

static int load_str(struct tb_arena *a, const struct tb_value *x, void *p)
{
	*(const char **)p = tb_get_str(x);
	return 0;
}

static int load_int(struct tb_arena *a, const struct tb_value *x, void *p)
{
	double d = 0;
	if (!tb_get_int(x, (int64_t *)p) && tb_get_float(x, &d))
		*(int64_t *)p = tb_double_to_int64(d);
	return 0;
}

static int load_bool(struct tb_arena *a, const struct tb_value *x, void *p)
{
	tb_get_bool(x, (bool *)p);
	return 0;
}

static int load_num(struct tb_arena *a, const struct tb_value *x, void *p)
{
	double d = 0;
	*(double *)p = tb_get_float(x, &d) ? d : 0;
	return 0;
}

static int load_strs(struct tb_arena *a, const struct tb_value *x, void *p)
{
	struct tb_svc_strs *out = p;
	size_t n = tb_is_known(x) ? tb_len(x) : 0;
	const char **items = tb_arena_alloc(a, (n + 1) * sizeof(*items));

	if (items == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++)
		items[i] = tb_get_str(x->u.coll.items[i]);
	out->n = n;
	out->v = items;
	return 0;
}

static int load_kvs(struct tb_arena *a, const struct tb_value *x, void *p)
{
	struct tb_svc_kvs *out = p;
	size_t n = tb_is_known(x) ? tb_len(x) : 0;
	struct tb_svc_kv *items = tb_arena_alloc(a, (n + 1) * sizeof(*items));

	if (items == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		items[i].key = x->u.coll.keys[i];
		items[i].value = tb_get_str(x->u.coll.items[i]);
	}
	out->n = n;
	out->v = items;
	return 0;
}

static bool eq_str(const void *x, const void *y, bool as_set)
{
	return tb_str_eq(*(const char *const *)x, *(const char *const *)y);
}

static bool eq_int(const void *x, const void *y, bool as_set)
{
	return *(const int64_t *)x == *(const int64_t *)y;
}

static bool eq_bool(const void *x, const void *y, bool as_set)
{
	return *(const bool *)x == *(const bool *)y;
}

static bool eq_num(const void *x, const void *y, bool as_set)
{
	return *(const double *)x == *(const double *)y;
}

static bool eq_strs(const void *px, const void *py, bool as_set)
{
	const struct tb_svc_strs *x = px, *y = py;

	if (x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++) {
		bool found = false;
		for (size_t j = 0; j < y->n && !found; j++)
			found = (as_set || i == j) && tb_str_eq(x->v[i], y->v[j]);
		if (!found)
			return false;
	}
	return true;
}

static bool eq_kvs(const void *px, const void *py, bool as_set)
{
	const struct tb_svc_kvs *x = px, *y = py;

	if (x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++)
		if (!tb_str_eq(x->v[i].key, y->v[i].key) ||
		    !tb_str_eq(x->v[i].value, y->v[i].value))
			return false;
	return true;
}

static const struct tb_value *build_str(const struct build_in *in, const void *p)
{
	const char *s = *(const char *const *)p;
	return s ? tb_string(in->a, s) : tb_null(in->a, in->t);
}

/* Whether prior says zero with a number (desired_count = 0 is a count, not "none"). */
static bool prior_is_zero(const struct build_in *in)
{
	double d = 1;
	return tb_get_float(in->prior, &d) && d == 0;
}

static const struct tb_value *build_int(const struct build_in *in, const void *p)
{
	int64_t i = *(const int64_t *)p;

	if (i == 0 && empty_is_null(in->row) && !prior_is_zero(in))
		return tb_null(in->a, in->t);
	return tb_int(in->a, i);
}

static const struct tb_value *build_bool(const struct build_in *in, const void *p)
{
	return tb_bool(in->a, *(const bool *)p);
}

static const struct tb_value *build_num(const struct build_in *in, const void *p)
{
	double d = *(const double *)p;

	if (d == 0 && empty_is_null(in->row) && !prior_is_zero(in))
		return tb_null(in->a, in->t);
	if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == (double)(int64_t)d)
		return tb_int(in->a, (int64_t)d);
	return tb_float(in->a, d);
}

/* An empty collection keeps prior's way of saying so ({} or null). The
 * computed ones (tags_all) are never null: the plan computes {}. */
static const struct tb_value *build_empty(const struct build_in *in)
{
	if (tb_is_known(in->prior) && tb_len(in->prior) == 0)
		return in->prior;
	if (empty_is_null(in->row) && !(in->row->flags & TB_A_COMPUTED))
		return tb_null(in->a, in->t);
	return in->t->kind == TB_MAP ? tb_map(in->a, in->t, 0, NULL, NULL)
	                             : tb_list(in->a, in->t, 0, NULL);
}

static const struct tb_value *build_strs(const struct build_in *in, const void *p)
{
	const struct tb_svc_strs *x = p;
	const struct tb_value **items;

	if (x->n == 0)
		return build_empty(in);
	items = tb_arena_alloc(in->a, x->n * sizeof(*items));
	if (items == NULL)
		return NULL;
	for (size_t i = 0; i < x->n; i++)
		if ((items[i] = tb_string(in->a, x->v[i] ? x->v[i] : "")) == NULL)
			return NULL;
	if (in->t->kind == TB_SET)
		return tb_set(in->a, in->t, x->n, items);
	return tb_list(in->a, in->t, x->n, items);
}

static const struct tb_value *build_kvs(const struct build_in *in, const void *p)
{
	const struct tb_svc_kvs *x = p;
	const struct tb_value **items;
	const char **keys;

	if (x->n == 0)
		return build_empty(in);
	items = tb_arena_alloc(in->a, x->n * sizeof(*items));
	keys = tb_arena_alloc(in->a, x->n * sizeof(*keys));
	if (items == NULL || keys == NULL)
		return NULL;
	for (size_t i = 0; i < x->n; i++) {
		keys[i] = x->v[i].key;
		if ((items[i] = tb_string(in->a, x->v[i].value ? x->v[i].value : "")) == NULL)
			return NULL;
	}
	return tb_map(in->a, in->t, x->n, keys, items);
}

/* clang-format off */
static const struct kind_ops kinds[] = {
    [F_STR] = {.load = load_str, .equal = eq_str, .build = build_str},
    [F_INT] = {.load = load_int, .equal = eq_int, .build = build_int},
    [F_BOOL] = {.load = load_bool, .equal = eq_bool, .build = build_bool},
    [F_NUM] = {.load = load_num, .equal = eq_num, .build = build_num},
    [F_STRS] = {.load = load_strs, .equal = eq_strs, .build = build_strs},
    [F_KVS] = {.load = load_kvs, .equal = eq_kvs, .build = build_kvs},
};
/* clang-format on */

static const struct tb_attr *field_row(const struct field *f)
{
	return tb_block_attr(tb_service_block_at(f->block), f->attr);
}

static bool field_equal(const struct field *f, const struct tb_svc *x, const struct tb_svc *y)
{
	const struct tb_attr *row = field_row(f);
	bool as_set = row && strncmp(row->type, "[\"set\"", 6) == 0;
	return kinds[f->kind].equal((const char *)x + f->off, (const char *)y + f->off, as_set);
}

/* ---- loading -------------------------------------------------------------- */

static const struct tb_value *schema_default(struct tb_arena *a, const struct tb_meta *meta,
                                             const struct tb_value *root, const struct field *f)
{
	const struct tb_attr *row = field_row(f);
	const struct tb_type *t = NULL;
	const struct tb_value *v = NULL;

	if (row == NULL)
		return NULL;
	if (f->flags & DERIVED)
		return tb_service_derived(a, meta, root, f->block, f->attr);
	if (row->default_fn)
		return row->default_fn(a, meta, root);
	if (row->default_json == NULL ||
	    tb_type_from_json(a, row->type, strlen(row->type), &t) != 0)
		return NULL;
	if (tb_json_decode(a, t, row->default_json, strlen(row->default_json), &v) != 0)
		return NULL;
	return v;
}

/* The schedule set (in whatever order it comes) into as->sched. */
static int load_schedules(struct tb_arena *a, const struct tb_value *set, struct tb_svc_as *as)
{
	size_t n = tb_is_known(set) ? tb_len(set) : 0;

	as->sched = tb_arena_alloc(a, (n + 1) * sizeof(*as->sched));
	if (as->sched == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct tb_value *o = set->u.coll.items[i];
		struct tb_svc_sched *sc = &as->sched[i];
		const char *tz = tb_get_str(tb_attr(o, "timezone"));
		sc->name = tb_get_str(tb_attr(o, "name"));
		sc->schedule = tb_get_str(tb_attr(o, "schedule"));
		sc->timezone = tz ? tz : "UTC";
		sc->has_min = tb_get_int(tb_attr(o, "min_capacity"), &sc->min);
		sc->has_max = tb_get_int(tb_attr(o, "max_capacity"), &sc->max);
	}
	as->n_sched = n;
	return 0;
}

/* Reads v into *out, resolving defaults. See service.h. */
int tb_service_load(struct tb_arena *a, const struct tb_meta *meta, const struct tb_value *v,
                    struct tb_svc *out)
{
	struct tb_svc s;
	int err = 0;

	memset(&s, 0, sizeof(s));
	for (size_t i = 0; i < TB_COUNT(fields) && err == 0; i++) {
		const struct field *f = &fields[i];
		const struct tb_value *blk = *f->block ? block_value(v, f->block) : v;
		const struct tb_value *x = blk ? tb_attr(blk, f->attr) : NULL;
		if (tb_is_null(x))
			x = schema_default(a, meta, v, f);
		err = kinds[f->kind].load(a, x, (char *)&s + f->off);
	}
	for (size_t i = 0; i < TB_COUNT(block_defs); i++)
		if (block_defs[i].set_off != SIZE_MAX)
			*(bool *)((char *)&s + block_defs[i].set_off) =
			    block_value(v, block_defs[i].path) != NULL;
	if (err == 0)
		err = load_schedules(a, tb_attr(block_value(v, "autoscaling"), "schedule"), &s.as);
	if (err == 0)
		*out = s;
	return err;
}

/* ---- comparing ------------------------------------------------------------ */

static bool sched_equal(const struct tb_svc_sched *x, const struct tb_svc_sched *y)
{
	return tb_str_eq(x->name, y->name) && tb_str_eq(x->schedule, y->schedule) &&
	       tb_str_eq(x->timezone, y->timezone) && x->has_min == y->has_min &&
	       x->has_max == y->has_max && (!x->has_min || x->min == y->min) &&
	       (!x->has_max || x->max == y->max);
}

static bool schedules_equal(const struct tb_svc_as *x, const struct tb_svc_as *y)
{
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

static bool block_is_set(const struct block_def *d, const struct tb_svc *s)
{
	return *(const bool *)((const char *)s + d->set_off);
}

static bool in_block(const struct field *f, const char *block, size_t n)
{
	return strncmp(f->block, block, n) == 0 && (f->block[n] == '\0' || f->block[n] == '.');
}

/* Compares the AWS-side fields of one block (nested blocks included). */
bool tb_service_block_equal(const char *block, const struct tb_svc *x, const struct tb_svc *y)
{
	const struct block_def *d = block_def(block);
	size_t n = strlen(block);

	if (d && d->kind == B_FEATURE) {
		if (block_is_set(d, x) != block_is_set(d, y))
			return false;
		if (!block_is_set(d, x))
			return true;
	}
	for (size_t i = 0; i < TB_COUNT(fields); i++) {
		const struct field *f = &fields[i];
		if (in_block(f, block, n) && !(f->flags & LOCAL) && !field_equal(f, x, y))
			return false;
	}
	if (strcmp(block, "autoscaling") == 0)
		return schedules_equal(&x->as, &y->as);
	return true;
}

/* Compares one attribute. See service.h. */
bool tb_service_attr_equal(const char *block, const char *attr, const struct tb_svc *x,
                           const struct tb_svc *y)
{
	const struct field *f = field_find(block, attr);
	return f && field_equal(f, x, y);
}

/* clang-format off */
static const char *const td_attrs[] = {
    "image", "image_tag", "cpu", "memory", "port", "environment", "secrets",
    "execution_role_arn", "task_role_arn",
};
/* clang-format on */

/* True when x and y register the same task definition. */
bool tb_service_td_equal(const struct tb_svc *x, const struct tb_svc *y)
{
	for (size_t i = 0; i < TB_COUNT(td_attrs); i++)
		if (!field_equal(field_find("", td_attrs[i]), x, y))
			return false;
	return tb_service_block_equal("health_check", x, y);
}

/* ---- building a state value ------------------------------------------------ */

struct build {
	struct tb_arena *a;
	const struct tb_meta *meta;
	const struct tb_svc *act;  /* what AWS reports */
	const struct tb_svc *dflt; /* prior's settings: defaults where prior has no block */
	bool emit_all;
};

static const struct tb_value *build_object(struct build *b, const char *path,
                                           const struct tb_value *prior);

static const struct tb_value *build_field(struct build *b, const struct field *f,
                                          const struct tb_type *t, const struct tb_value *prior)
{
	struct build_in in = {.a = b->a, .t = t, .row = field_row(f), .prior = prior};

	if ((f->flags & DERIVED) && tb_is_null(prior) && field_equal(f, b->act, b->dflt))
		return prior;
	return kinds[f->kind].build(&in, (const char *)b->act + f->off);
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

static const struct tb_value *build_sched(struct tb_arena *a, const struct tb_type *t,
                                          const struct tb_svc_sched *sc)
{
	const struct tb_value *items[8] = {0};

	if (t->n > TB_COUNT(items))
		return NULL;
	obj_set(t, items, "name", tb_string(a, sc->name ? sc->name : ""));
	obj_set(t, items, "schedule", tb_string(a, sc->schedule ? sc->schedule : ""));
	obj_set(t, items, "timezone", tb_string(a, sc->timezone ? sc->timezone : "UTC"));
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

/* The set of schedules AWS has. Order carries no meaning in a set; those in
 * prior come first in prior's order so that they line up with the planned
 * elements (tb_service_fill_unknowns), then the others in AWS's order. */
static const struct tb_value *build_schedules(struct build *b, const struct tb_type *t,
                                              const struct tb_value *prior)
{
	const struct tb_svc_as *as = &b->act->as;
	const struct tb_value **items = tb_arena_alloc(b->a, (as->n_sched + 1) * sizeof(*items));
	size_t n = 0;

	if (items == NULL)
		return NULL;
	for (size_t i = 0; tb_is_known(prior) && i < tb_len(prior); i++) {
		const char *name = tb_get_str(tb_attr(prior->u.coll.items[i], "name"));
		const struct tb_svc_sched *sc = find_sched(as, name);
		if (sc && (items[n++] = build_sched(b->a, t->elem, sc)) == NULL)
			return NULL;
	}
	for (size_t i = 0; i < as->n_sched; i++) {
		if (prior_has_sched(prior, as->sched[i].name))
			continue;
		if ((items[n++] = build_sched(b->a, t->elem, &as->sched[i])) == NULL)
			return NULL;
	}
	return tb_set(b->a, t, n, items);
}

static bool block_emitted(struct build *b, const struct block_def *d, const char *path,
                          const struct tb_value *prior)
{
	if (d->kind == B_FEATURE)
		return block_is_set(d, b->act);
	if (d->kind == B_REQUIRED)
		return true;
	if (d->kind == B_SETTINGS)
		return tb_is_known(prior) || b->emit_all ||
		       !tb_service_block_equal(path, b->act, b->dflt);
	return false;
}

static const struct tb_value *build_nested(struct build *b, const char *parent,
                                           const struct tb_nested *nb, const struct tb_type *t,
                                           const struct tb_value *prior)
{
	char *path = join_path(b->a, parent, nb->name);
	const struct block_def *d = path ? block_def(path) : NULL;

	if (path == NULL)
		return NULL;
	if (nb->nesting == TB_NEST_SET)
		return build_schedules(b, t, prior);
	if (d == NULL || d->kind == B_OPAQUE)
		return prior ? prior : tb_null(b->a, t);
	if (!block_emitted(b, d, path, prior))
		return tb_null(b->a, t);
	return build_object(b, path, prior);
}

static const struct tb_value *build_object(struct build *b, const char *path,
                                           const struct tb_value *prior)
{
	const struct tb_block *blk = tb_service_block_at(path);
	const struct tb_type *t = tb_block_type(blk);
	const struct tb_value **items =
	    t ? tb_arena_alloc(b->a, (t->n + 1) * sizeof(*items)) : NULL;

	if (items == NULL)
		return NULL;
	for (size_t i = 0; i < t->n; i++) {
		const char *name = t->names[i];
		const struct tb_nested *nb = tb_block_nested(blk, name);
		const struct field *f = field_find(path, name);
		const struct tb_value *pv = tb_is_known(prior) ? tb_attr(prior, name) : NULL;
		if (nb)
			items[i] = build_nested(b, path, nb, t->types[i], pv);
		else if (f)
			items[i] = build_field(b, f, t->types[i], pv);
		else
			items[i] = pv ? pv : tb_null(b->a, t->types[i]);
		if (items[i] == NULL)
			return NULL;
	}
	return tb_object(b->a, t, items);
}

/* tags: the part of tags_all that default_tags do not explain, and every key
 * prior's tags name. */
static int actual_tags(struct tb_arena *a, const struct tb_meta *meta, const struct tb_value *prior,
                       struct tb_svc *act)
{
	const struct tb_value *dflt = meta ? meta->default_tags : NULL;
	const struct tb_value *ptags = tb_attr(prior, "tags");
	const struct tb_svc_kvs *all = &act->tags_all;
	struct tb_svc_kv *kv = tb_arena_alloc(a, (all->n + 1) * sizeof(*kv));
	size_t n = 0;

	if (kv == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < all->n; i++) {
		const char *d = tb_get_str(tb_map_get(dflt, all->v[i].key));
		if (tb_map_get(ptags, all->v[i].key) || d == NULL || !tb_str_eq(d, all->v[i].value))
			kv[n++] = all->v[i];
	}
	act->tags.n = n;
	act->tags.v = kv;
	return 0;
}

/* Builds the state for actual, shaped after prior. See service.h. */
int tb_service_state(struct tb_arena *a, const struct tb_meta *meta, const struct tb_svc *actual,
                     const struct tb_value *prior, bool emit_all, const struct tb_value **out)
{
	struct tb_svc dflt, act = *actual;
	struct build b = {.a = a, .meta = meta, .act = &act, .dflt = &dflt, .emit_all = emit_all};
	const struct tb_value *v = NULL;
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
	err = actual_tags(a, meta, prior, &act);
	if (err == 0 && (v = build_object(&b, "", prior)) == NULL)
		err = TB_ENOMEM;
	if (err == 0)
		*out = v;
	return err;
}

/* ---- filling a plan's unknowns ---------------------------------------------- */

static const struct tb_value *fill_items(struct tb_arena *a, const struct tb_value *p,
                                         const struct tb_value *full)
{
	size_t n = p->u.coll.n;
	bool same = tb_is_known(full) && tb_len(full) == n;
	const struct tb_value **items = tb_arena_alloc(a, (n + 1) * sizeof(*items));

	if (items == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct tb_value *f = NULL;
		if (p->type->kind == TB_OBJECT)
			f = tb_attr(full, p->type->names[i]);
		else if (p->type->kind == TB_MAP)
			f = tb_map_get(full, p->u.coll.keys[i]);
		else if (same)
			f = full->u.coll.items[i];
		items[i] = tb_service_fill_unknowns(a, p->u.coll.items[i], f);
		if (items[i] == NULL)
			return NULL;
	}
	if (p->type->kind == TB_OBJECT)
		return tb_object(a, p->type, items);
	if (p->type->kind == TB_MAP)
		return tb_map(a, p->type, n, p->u.coll.keys, items);
	if (p->type->kind == TB_SET)
		return tb_set(a, p->type, n, items);
	if (p->type->kind == TB_TUPLE)
		return tb_tuple(a, p->type, items);
	return tb_list(a, p->type, n, items);
}

/* Copy of planned with its unknowns taken from full. See service.h. */
const struct tb_value *tb_service_fill_unknowns(struct tb_arena *a, const struct tb_value *planned,
                                                const struct tb_value *full)
{
	if (planned == NULL)
		return NULL;
	if (tb_is_unknown(planned)) {
		if (full && !tb_is_unknown(full) && tb_is_wholly_known(full))
			return full;
		return tb_null(a, planned->type);
	}
	if (tb_is_null(planned) || tb_is_wholly_known(planned))
		return planned;
	if (planned->type->kind == TB_STRING || planned->type->kind == TB_NUMBER ||
	    planned->type->kind == TB_BOOL || planned->type->kind == TB_DYNAMIC)
		return planned;
	return fill_items(a, planned, full);
}
