/*
 * talentbase_alarm_set: between cty values and struct tb_alarm_set, through
 * the kit's field engine. The alarm blocks are SETTINGS blocks (absent: on,
 * with the defaults) except database_proxy_connections, which is a FEATURE
 * (absent: no such alarm); the maps of ARNs, names and conditions are
 * packed from and unpacked into the per-alarm fields.
 */
#include <stddef.h>
#include <string.h>

#include "resources/alarm_set/alarm_set.h"

#define SET_FIELD(b, a, k, member) TB_KIT_FIELD(struct tb_alarm_set, b, a, TB_KIT_##k, member, 0)

/* The attributes every alarm block has. */
#define ALARM_FIELDS(b, i, thr)                                                                    \
	SET_FIELD(b, "enabled", BOOL, k[i].enabled), SET_FIELD(b, thr, NUM, k[i].threshold),       \
	    SET_FIELD(b, "period", INT, k[i].period),                                              \
	    SET_FIELD(b, "evaluation_periods", INT, k[i].evaluation_periods),                      \
	    SET_FIELD(b, "datapoints_to_alarm", INT, k[i].datapoints),                             \
	    SET_FIELD(b, "treat_missing_data", STR, k[i].missing),                                 \
	    SET_FIELD(b, "description", STR, k[i].description)

/* clang-format off */
static const struct tb_kit_field fields[] = {
    SET_FIELD("", "id", STR, id),
    SET_FIELD("", "service", STR, service),
    SET_FIELD("", "name_prefix", STR, name_prefix),
    SET_FIELD("", "alarm_actions", STRS, alarm_actions),
    SET_FIELD("", "ok_actions", STRS, ok_actions),
    SET_FIELD("", "insufficient_data_actions", STRS, insufficient_data_actions),
    SET_FIELD("", "tags", KVS, tags),
    SET_FIELD("", "tags_all", KVS, tags_all),
    SET_FIELD("", "cluster", STR, cluster),
    SET_FIELD("", "service_name", STR, service_name),
    SET_FIELD("", "load_balancer", STR, load_balancer),
    SET_FIELD("", "target_group", STR, target_group),
    SET_FIELD("", "alarm_arns", KVS, alarm_arns),
    SET_FIELD("", "alarm_names", KVS, alarm_names),
    SET_FIELD("", "alarm_conditions", KVS, alarm_conditions),
    ALARM_FIELDS("cpu_high", TB_ALARM_CPU, "threshold"),
    ALARM_FIELDS("memory_high", TB_ALARM_MEMORY, "threshold"),
    ALARM_FIELDS("running_tasks_low", TB_ALARM_TASKS, "threshold"),
    ALARM_FIELDS("alb_5xx", TB_ALARM_5XX, "threshold"),
    ALARM_FIELDS("unhealthy_targets", TB_ALARM_UNHEALTHY, "threshold"),
    ALARM_FIELDS("latency_high", TB_ALARM_LATENCY, "threshold_seconds"),
    SET_FIELD("latency_high", "extended_statistic", STR, k[TB_ALARM_LATENCY].statistic),
    ALARM_FIELDS("database_proxy_connections", TB_ALARM_PROXY, "threshold_percent"),
    SET_FIELD("database_proxy_connections", "proxy", STR, k[TB_ALARM_PROXY].proxy),
};

#define SET_BLOCK(p, kind, i) TB_KIT_BLOCK(struct tb_alarm_set, p, TB_KIT_##kind, k[i].set)

static const struct tb_kit_blockdef block_defs[] = {
    SET_BLOCK("cpu_high", SETTINGS, TB_ALARM_CPU),
    SET_BLOCK("memory_high", SETTINGS, TB_ALARM_MEMORY),
    SET_BLOCK("running_tasks_low", SETTINGS, TB_ALARM_TASKS),
    SET_BLOCK("alb_5xx", SETTINGS, TB_ALARM_5XX),
    SET_BLOCK("unhealthy_targets", SETTINGS, TB_ALARM_UNHEALTHY),
    SET_BLOCK("latency_high", SETTINGS, TB_ALARM_LATENCY),
    SET_BLOCK("database_proxy_connections", FEATURE, TB_ALARM_PROXY),
    TB_KIT_OPAQUE_BLOCK("timeouts"),
};

const struct tb_kit_model tb_alarm_set_model = {
    .fields = fields, .n_fields = TB_COUNT(fields),
    .blocks = block_defs, .n_blocks = TB_COUNT(block_defs),
    .block_at = tb_alarm_set_block_at,
};
/* clang-format on */

static const char *kvs_get(const struct tb_kvs *kvs, const char *key)
{
	for (size_t i = 0; i < kvs->n; i++)
		if (tb_str_eq(kvs->v[i].key, key))
			return kvs->v[i].value;
	return NULL;
}

/* Reads v into *out. See alarm_set.h. */
int tb_alarm_set_load(struct tb_arena *a, const struct tb_meta *meta, const struct tb_value *v,
                      struct tb_alarm_set *out)
{
	struct tb_alarm_set s;
	int err;

	memset(&s, 0, sizeof(s));
	err = tb_kit_load(&tb_alarm_set_model, a, meta, v, &s);
	if (err != 0)
		return err;
	for (int k = 0; k < TB_ALARM_N; k++) {
		const char *block = tb_alarm_kind(k)->block;
		s.k[k].arn = kvs_get(&s.alarm_arns, block);
		s.k[k].condition = kvs_get(&s.alarm_conditions, block);
	}
	*out = s;
	return 0;
}

/* ---- building a state value ------------------------------------------------------ */

/* The maps alarm_arns, alarm_names and alarm_conditions of the alarms that
 * exist (k[].arn set), in kind order (tb_map sorts them). */
static int pack_maps(struct tb_arena *a, struct tb_alarm_set *s)
{
	struct tb_kvs *maps[] = {&s->alarm_arns, &s->alarm_names, &s->alarm_conditions};

	for (size_t m = 0; m < TB_COUNT(maps); m++) {
		maps[m]->v = tb_arena_alloc(a, (TB_ALARM_N + 1) * sizeof(*maps[m]->v));
		maps[m]->n = 0;
		if (maps[m]->v == NULL)
			return TB_ENOMEM;
	}
	for (int k = 0; k < TB_ALARM_N; k++) {
		const char *block = tb_alarm_kind(k)->block;
		const char *values[] = {s->k[k].arn, tb_alarm_name(a, s->name_prefix, k),
		                        s->k[k].condition ? s->k[k].condition : ""};
		if (s->k[k].arn == NULL)
			continue;
		for (size_t m = 0; m < TB_COUNT(maps); m++) {
			if (values[m] == NULL)
				return TB_ENOMEM;
			maps[m]->v[maps[m]->n++] = (struct tb_kv){.key = block, .value = values[m]};
		}
	}
	return 0;
}

/* What CloudWatch reports, said the way the configuration says it: all the
 * evaluation periods and the default description stay null where prior has
 * them null. */
static void normalise(struct tb_arena *a, struct tb_alarm_set *act, const struct tb_alarm_set *dflt)
{
	for (int k = 0; k < TB_ALARM_N; k++) {
		struct tb_alarm *al = &act->k[k];
		const struct tb_alarm *was = &dflt->k[k];
		int64_t dp = al->datapoints ? al->datapoints : al->evaluation_periods;
		const char *text = al->description;

		al->datapoints = was->datapoints == 0 && dp == al->evaluation_periods ? 0 : dp;
		if (was->description == NULL && text &&
		    (tb_str_eq(text, tb_alarm_default_description(a, act, k)) ||
		     tb_str_eq(text, tb_alarm_default_description(a, dflt, k))))
			al->description = NULL;
	}
}

/* Builds the state for actual, shaped after prior. See alarm_set.h. */
int tb_alarm_set_state(struct tb_arena *a, const struct tb_meta *meta,
                       const struct tb_alarm_set *actual, const struct tb_value *prior,
                       const struct tb_value **out)
{
	struct tb_alarm_set dflt, act = *actual;
	int err = tb_alarm_set_load(a, meta, prior, &dflt);

	if (err != 0)
		return err;
	if (act.id == NULL && act.service && act.name_prefix)
		act.id = tb_arena_printf(a, "%s/%s", act.service, act.name_prefix);
	normalise(a, &act, &dflt);
	err = pack_maps(a, &act);
	if (err == 0)
		err = tb_kit_tags_actual(a, meta, prior, &act.tags_all, &act.tags);
	return err == 0 ? tb_kit_build_state(&tb_alarm_set_model, a, &act, &dflt, prior, false, out)
	                : err;
}

/* ---- comparing ------------------------------------------------------------------ */

/* clang-format off */
static const char *const action_attrs[] = {"alarm_actions", "ok_actions",
                                           "insufficient_data_actions"};
static const char *const service_dims[] = {"cluster", "service_name"};
static const char *const target_dims[] = {"load_balancer", "target_group"};
/* clang-format on */

static bool attrs_equal(const struct tb_alarm_set *x, const struct tb_alarm_set *y,
                        const char *const *attrs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!tb_kit_attr_equal(&tb_alarm_set_model, "", attrs[i], x, y))
			return false;
	return true;
}

/* Whether kind k's alarm is configured alike in x and y. See alarm_set.h. */
bool tb_alarm_same(const struct tb_alarm_set *x, const struct tb_alarm_set *y,
                   enum tb_alarm_kind_id k)
{
	enum tb_alarm_dims dims = tb_alarm_kind(k)->dims;

	if (!tb_kit_block_equal(&tb_alarm_set_model, tb_alarm_kind(k)->block, x, y) ||
	    !attrs_equal(x, y, action_attrs, TB_COUNT(action_attrs)) ||
	    !tb_str_eq(x->k[k].condition, y->k[k].condition))
		return false;
	if (dims == TB_DIMS_SERVICE)
		return attrs_equal(x, y, service_dims, TB_COUNT(service_dims));
	if (dims == TB_DIMS_TARGET)
		return attrs_equal(x, y, target_dims, TB_COUNT(target_dims));
	return true;
}
