/*
 * talentbase_service, application Auto Scaling: the scalable target, its
 * target-tracking policies and scheduled actions. Request bodies, the
 * settings read back, putting only what changed, and deleting them.
 */
#include <stdlib.h>
#include <string.h>

#include "resources/service/service.h"

/* The cluster's name when given as an ARN (…:cluster/NAME). */
static const char *cluster_name(const char *cluster)
{
	const char *slash = cluster ? strrchr(cluster, '/') : NULL;
	return cluster && tb_str_has_prefix(cluster, "arn:") && slash ? slash + 1 : cluster;
}

/* Returns "service/<cluster>/<name>" (arena). */
char *tb_service_scaling_id(struct tb_arena *a, const char *cluster, const char *name)
{
	return tb_arena_printf(a, "service/%s/%s",
	                       cluster_name(cluster) ? cluster_name(cluster) : "",
	                       name ? name : "");
}

static json_t *scaling_base(struct tb_arena *a, const struct tb_svc *s)
{
	char *id = tb_service_scaling_id(a, s->cluster, s->name);
	return id ? json_pack("{s:s, s:s, s:s}", "ServiceNamespace", "ecs", "ResourceId", id,
	                      "ScalableDimension", TB_SVC_DIMENSION)
	          : NULL;
}

/* Returns the RegisterScalableTarget body (owned by a), or NULL. */
json_t *tb_service_target_request(struct tb_arena *a, const struct tb_svc *s)
{
	json_t *body = scaling_base(a, s);

	if (body && (tb_kit_set_new(body, "MinCapacity", json_integer(s->as.min)) != 0 ||
	             tb_kit_set_new(body, "MaxCapacity", json_integer(s->as.max)) != 0)) {
		json_decref(body);
		body = NULL;
	}
	return tb_aws_json_own(a, body);
}

struct metric_row {
	const char *type;
	const char *suffix;
	size_t target_off;
};

/* clang-format off */
static const struct metric_row metrics[] = {
    [TB_SVC_CPU] = {.type = "ECSServiceAverageCPUUtilization", .suffix = "cpu", .target_off = offsetof(struct tb_svc, as.cpu)},
    [TB_SVC_MEMORY] = {.type = "ECSServiceAverageMemoryUtilization", .suffix = "memory", .target_off = offsetof(struct tb_svc, as.memory)},
    [TB_SVC_REQUESTS] = {.type = "ALBRequestCountPerTarget", .suffix = "requests", .target_off = offsetof(struct tb_svc, as.requests)},
};

/* clang-format on */

/* Returns the predefined metric type of m (static). */
const char *tb_service_metric_type(enum tb_svc_metric m)
{
	return metrics[m].type;
}

/* Returns "<name>-<cpu|memory|requests>" (arena). */
char *tb_service_policy_name(struct tb_arena *a, const struct tb_svc *s, enum tb_svc_metric m)
{
	return tb_arena_printf(a, "%s-%s", s->name ? s->name : "", metrics[m].suffix);
}

/* Returns the target value of m in s (0: no policy). */
double tb_service_metric_target(const struct tb_svc *s, enum tb_svc_metric m)
{
	return *(const double *)((const char *)s + metrics[m].target_off);
}

/* Returns the PutScalingPolicy body for m (owned by a), or NULL. */
json_t *tb_service_policy_request(struct tb_arena *a, const struct tb_svc *s, enum tb_svc_metric m,
                                  const char *label)
{
	char *name = tb_service_policy_name(a, s, m);
	json_t *body = scaling_base(a, s);
	json_t *spec = json_pack("{s:s}", "PredefinedMetricType", metrics[m].type);

	if (label && spec && tb_kit_set_new(spec, "ResourceLabel", json_string(label)) != 0) {
		json_decref(spec);
		spec = NULL;
	}
	if (body == NULL || name == NULL ||
	    tb_kit_set_new(body, "PolicyName", json_string(name)) != 0 ||
	    tb_kit_set_new(body, "PolicyType", json_string("TargetTrackingScaling")) != 0 ||
	    tb_kit_set_new(body, "TargetTrackingScalingPolicyConfiguration",
	                   json_pack("{s:f, s:o, s:I, s:I}", "TargetValue",
	                             tb_service_metric_target(s, m),
	                             "PredefinedMetricSpecification", spec, "ScaleInCooldown",
	                             (json_int_t)s->as.in_cooldown, "ScaleOutCooldown",
	                             (json_int_t)s->as.out_cooldown)) != 0) {
		json_decref(body);
		return NULL;
	}
	return tb_aws_json_own(a, body);
}

static json_t *target_action(const struct tb_svc_sched *sc)
{
	json_t *action = json_object();

	if (action && sc->has_min &&
	    tb_kit_set_new(action, "MinCapacity", json_integer(sc->min)) != 0)
		goto fail;
	if (action && sc->has_max &&
	    tb_kit_set_new(action, "MaxCapacity", json_integer(sc->max)) != 0)
		goto fail;
	return action;
fail:
	json_decref(action);
	return NULL;
}

/* Returns the PutScheduledAction body for sc (owned by a), or NULL. */
json_t *tb_service_schedule_request(struct tb_arena *a, const struct tb_svc *s,
                                    const struct tb_svc_sched *sc)
{
	json_t *body = scaling_base(a, s);

	if (body == NULL ||
	    tb_kit_set_new(body, "ScheduledActionName", json_string(sc->name ? sc->name : "")) !=
	        0 ||
	    tb_kit_set_new(body, "Schedule", json_string(sc->schedule ? sc->schedule : "")) != 0 ||
	    tb_kit_set_new(body, "Timezone", json_string(sc->timezone ? sc->timezone : "UTC")) !=
	        0 ||
	    tb_kit_set_new(body, "ScalableTargetAction", target_action(sc)) != 0) {
		json_decref(body);
		return NULL;
	}
	return tb_aws_json_own(a, body);
}

static void flatten_policies(const json_t *policies, struct tb_svc_as *as)
{
	const json_t *list = json_object_get(policies, "ScalingPolicies");
	bool cooldowns = false;

	as->in_cooldown = as->out_cooldown = -1;
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *cfg = json_object_get(json_array_get(list, i),
		                                    "TargetTrackingScalingPolicyConfiguration");
		const json_t *spec = json_object_get(cfg, "PredefinedMetricSpecification");
		const char *type = tb_kit_jstr(spec, "PredefinedMetricType");
		double target = json_number_value(json_object_get(cfg, "TargetValue"));
		if (tb_str_eq(type, tb_service_metric_type(TB_SVC_CPU)))
			as->cpu = target;
		else if (tb_str_eq(type, tb_service_metric_type(TB_SVC_MEMORY)))
			as->memory = target;
		else if (tb_str_eq(type, tb_service_metric_type(TB_SVC_REQUESTS)))
			as->requests = target;
		else
			continue;
		if (!cooldowns || tb_str_eq(type, tb_service_metric_type(TB_SVC_CPU))) {
			as->in_cooldown = tb_kit_jint(cfg, "ScaleInCooldown");
			as->out_cooldown = tb_kit_jint(cfg, "ScaleOutCooldown");
			cooldowns = true;
		}
	}
}

static int cmp_sched(const void *x, const void *y)
{
	return strcmp(((const struct tb_svc_sched *)x)->name,
	              ((const struct tb_svc_sched *)y)->name);
}

static int flatten_actions(struct tb_arena *a, const json_t *actions, struct tb_svc_as *as)
{
	const json_t *list = json_object_get(actions, "ScheduledActions");
	size_t n = json_array_size(list), m = 0;

	if ((as->sched = tb_arena_alloc(a, (n + 1) * sizeof(*as->sched))) == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const json_t *item = json_array_get(list, i);
		const json_t *act = json_object_get(item, "ScalableTargetAction");
		struct tb_svc_sched *sc = &as->sched[m];
		if (tb_kit_jstr(item, "ScheduledActionName") == NULL)
			continue;
		sc->name = tb_arena_strdup(a, tb_kit_jstr(item, "ScheduledActionName"));
		sc->schedule = tb_arena_strdup(a, tb_kit_jstr(item, "Schedule"));
		sc->timezone = tb_arena_strdup(
		    a, tb_kit_jstr(item, "Timezone") ? tb_kit_jstr(item, "Timezone") : "UTC");
		sc->has_min = json_object_get(act, "MinCapacity") != NULL;
		sc->has_max = json_object_get(act, "MaxCapacity") != NULL;
		sc->min = tb_kit_jint(act, "MinCapacity");
		sc->max = tb_kit_jint(act, "MaxCapacity");
		m++;
	}
	qsort(as->sched, m, sizeof(*as->sched), cmp_sched);
	as->n_sched = m;
	return 0;
}

/* Fills s->as from the three Describe answers. See service.h. */
int tb_service_flatten_scaling(struct tb_arena *a, const json_t *targets, const json_t *policies,
                               const json_t *actions, struct tb_svc *s)
{
	const json_t *list = json_object_get(targets, "ScalableTargets");
	const json_t *target = NULL;

	memset(&s->as, 0, sizeof(s->as));
	for (size_t i = 0; i < json_array_size(list) && target == NULL; i++)
		if (tb_str_eq(tb_kit_jstr(json_array_get(list, i), "ScalableDimension"),
		              TB_SVC_DIMENSION))
			target = json_array_get(list, i);
	if (target == NULL)
		return 0;
	s->as.set = true;
	s->as.min = tb_kit_jint(target, "MinCapacity");
	s->as.max = tb_kit_jint(target, "MaxCapacity");
	flatten_policies(policies, &s->as);
	return flatten_actions(a, actions, &s->as);
}

static json_t *scaling_query(struct tb_arena *a, const struct tb_svc *s, bool plural)
{
	char *id = tb_service_scaling_id(a, s->cluster, s->name);
	json_t *body = id ? json_pack("{s:s, s:s}", "ServiceNamespace", "ecs", "ScalableDimension",
	                              TB_SVC_DIMENSION)
	                  : NULL;

	if (body && json_object_set_new(body, plural ? "ResourceIds" : "ResourceId",
	                                plural ? json_pack("[s]", id) : json_string(id)) != 0) {
		json_decref(body);
		body = NULL;
	}
	return tb_aws_json_own(a, body);
}

/* ---- batched reads ---------------------------------------------------------------------- */

/*
 * Policies and scheduled actions are asked for by name: a key is
 * "<resource id>\t<name>\t...", the answer's item for it {list_key: [its
 * objects of those names]}. The policies' names are the resource's own
 * (tb_service_policy_name); the scheduled actions' are those the state
 * records (a read without any lists every action of the target instead).
 */
struct by_names {
	const char *action, *names_param, *list_key, *name_key;
};

static const struct by_names policies_by_names = {
    .action = "DescribeScalingPolicies",
    .names_param = "PolicyNames",
    .list_key = "ScalingPolicies",
    .name_key = "PolicyName",
};

static const struct by_names actions_by_names = {
    .action = "DescribeScheduledActions",
    .names_param = "ScheduledActionNames",
    .list_key = "ScheduledActions",
    .name_key = "ScheduledActionName",
};

#define NAMES_PER_CALL 50

static bool key_has(const char *key, const char *resource, const char *name)
{
	size_t rl = strlen(resource), nl = strlen(name);
	const char *p;

	if (strncmp(key, resource, rl) != 0 || key[rl] != '\t')
		return false;
	for (p = key + rl; (p = strchr(p, '\t')) != NULL; p++)
		if (strncmp(p + 1, name, nl) == 0 && (p[1 + nl] == '\t' || p[1 + nl] == '\0'))
			return true;
	return false;
}

static bool has_name(const json_t *names, const char *name, size_t len)
{
	for (size_t k = 0; k < json_array_size(names); k++) {
		const char *x = json_string_value(json_array_get(names, k));
		if (strlen(x) == len && strncmp(x, name, len) == 0)
			return true;
	}
	return false;
}

/* The names of every key, each once. */
static json_t *key_names(struct tb_arena *a, const char *const *keys, size_t n)
{
	json_t *names = tb_aws_json_own(a, json_array());

	for (size_t i = 0; names && i < n; i++)
		for (const char *p = strchr(keys[i], '\t'); p; p = strchr(p + 1, '\t')) {
			size_t len = strcspn(p + 1, "\t");
			if (!has_name(names, p + 1, len) &&
			    json_array_append_new(names, json_stringn(p + 1, len)) != 0)
				return NULL;
		}
	return names;
}

/* Every object of names, fifty names a call, into all[list_key]. */
static int describe_names(struct tb_aws_ctx *ctx, const struct by_names *b, const json_t *names,
                          json_t *all)
{
	int err = 0;

	for (size_t at = 0; err == 0 && at < json_array_size(names); at += NAMES_PER_CALL) {
		json_t *chunk = tb_aws_json_own(ctx->arena, json_array());
		json_t *body, *page = NULL;
		for (size_t k = at; chunk && k < at + NAMES_PER_CALL && k < json_array_size(names);
		     k++)
			json_array_append(chunk, json_array_get(names, k));
		body = chunk ? tb_kit_pack(ctx->arena, "{s:s, s:s, s:O}", "ServiceNamespace", "ecs",
		                           "ScalableDimension", TB_SVC_DIMENSION, b->names_param,
		                           chunk)
		             : NULL;
		err = body ? tb_aws_json_all(ctx, "application-autoscaling", b->action, body,
		                             b->list_key, &page)
		           : TB_ENOMEM;
		if (err == 0 && json_array_extend(json_object_get(all, b->list_key),
		                                  json_object_get(page, b->list_key)) != 0)
			err = TB_ENOMEM;
	}
	return err;
}

/* Each key's objects among all. */
static int split_by_key(struct tb_arena *a, const struct by_names *b, const json_t *all,
                        const char *const *keys, size_t n, void **items)
{
	const json_t *list = json_object_get(all, b->list_key);

	for (size_t i = 0; i < n; i++) {
		json_t *mine = tb_kit_pack(a, "{s:[]}", b->list_key);
		if ((items[i] = mine) == NULL)
			return TB_ENOMEM;
		for (size_t k = 0; k < json_array_size(list); k++) {
			json_t *o = json_array_get(list, k);
			const char *rid = tb_kit_jstr(o, "ResourceId"),
			           *name = tb_kit_jstr(o, b->name_key);
			if (key_has(keys[i], rid ? rid : "", name ? name : "") &&
			    json_array_append(json_object_get(mine, b->list_key), o) != 0)
				return TB_ENOMEM;
		}
	}
	return 0;
}

static int describe_by_names(struct tb_aws_ctx *ctx, const struct by_names *b,
                             const char *const *keys, size_t n, void **items)
{
	json_t *names = key_names(ctx->arena, keys, n);
	json_t *all = tb_kit_pack(ctx->arena, "{s:[]}", b->list_key);
	int err = names && all ? describe_names(ctx, b, names, all) : TB_ENOMEM;

	return err == 0 ? split_by_key(ctx->arena, b, all, keys, n, items) : err;
}

static int describe_policies(struct tb_aws_ctx *ctx, const char *group, const char *const *keys,
                             size_t n, void **items)
{
	return describe_by_names(ctx, &policies_by_names, keys, n, items);
}

static int describe_actions(struct tb_aws_ctx *ctx, const char *group, const char *const *keys,
                            size_t n, void **items)
{
	return describe_by_names(ctx, &actions_by_names, keys, n, items);
}

static const struct tb_aws_batch actions_batch = {
    .service = "application-autoscaling",
    .action = "DescribeScheduledActions",
    .max = 10,
    .call = describe_actions,
    .copy = tb_aws_copy_json,
};

/* Reads of many services share DescribeScalingPolicies calls (sixteen
 * services' three names a call). */
static const struct tb_aws_batch policies_batch = {
    .service = "application-autoscaling",
    .action = "DescribeScalingPolicies",
    .max = 16,
    .call = describe_policies,
    .copy = tb_aws_copy_json,
};

/* ---- reading ------------------------------------------------------------------------------ */

struct scaling_answers {
	const struct tb_svc *s;
	struct tb_arena *a;
	json_t *target;
	void *policies;
	json_t *actions;
};

static int fetch_target(struct tb_aws_ctx *ctx, void *ud)
{
	struct scaling_answers *r = ud;
	const char *id = tb_service_scaling_id(ctx->arena, r->s->cluster, r->s->name);

	return id ? tb_aws_describe_scalable_target(ctx, "ecs", TB_SVC_DIMENSION, id, &r->target)
	          : TB_ENOMEM;
}

static int fetch_policies(struct tb_aws_ctx *ctx, void *ud)
{
	struct scaling_answers *r = ud;
	const struct tb_svc *s = r->s;
	char *key = tb_arena_printf(ctx->arena, "%s\t%s\t%s\t%s",
	                            tb_service_scaling_id(ctx->arena, s->cluster, s->name),
	                            tb_service_policy_name(ctx->arena, s, TB_SVC_CPU),
	                            tb_service_policy_name(ctx->arena, s, TB_SVC_MEMORY),
	                            tb_service_policy_name(ctx->arena, s, TB_SVC_REQUESTS));

	return key ? tb_aws_batch_get(ctx, &policies_batch, "", key, &r->policies) : TB_ENOMEM;
}

/* The scheduled actions the state records, by name (shared with other
 * services); with none recorded (a new or imported target), every action of
 * the target. */
static int fetch_actions(struct tb_aws_ctx *ctx, void *ud)
{
	struct scaling_answers *r = ud;
	const struct tb_svc *s = r->s;
	char *key = tb_service_scaling_id(ctx->arena, s->cluster, s->name);
	void *item = NULL;
	int err;

	if (s->as.n_sched == 0)
		return tb_aws_json_all(ctx, "application-autoscaling", "DescribeScheduledActions",
		                       scaling_query(ctx->arena, s, false), "ScheduledActions",
		                       &r->actions);
	for (size_t i = 0; key && i < s->as.n_sched; i++)
		key = tb_arena_printf(ctx->arena, "%s\t%s", key,
		                      s->as.sched[i].name ? s->as.sched[i].name : "");
	err = key ? tb_aws_batch_get(ctx, &actions_batch, "", key, &item) : TB_ENOMEM;
	r->actions = item;
	return err;
}

/* Reads the scalable target, its policies and its scheduled actions at once. */
int tb_service_scaling_read(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	static const tb_kit_fetch fetches[] = {fetch_target, fetch_policies, fetch_actions};
	struct tb_svc *s = slot;
	struct scaling_answers r = {.s = s, .a = ctx->arena};
	json_t *targets;
	int err = tb_kit_parallel(ctx, fetches, TB_COUNT(fetches), &r);

	if (err != 0)
		return err;
	targets = r.target ? tb_kit_pack(ctx->arena, "{s:[O]}", "ScalableTargets", r.target)
	                   : tb_kit_pack(ctx->arena, "{s:[]}", "ScalableTargets");
	if (targets == NULL)
		return TB_ENOMEM;
	return tb_service_flatten_scaling(ctx->arena, targets, r.policies, r.actions, s);
}

void tb_service_scaling_merge(void *state, const void *slot)
{
	((struct tb_svc *)state)->as = ((const struct tb_svc *)slot)->as;
}

const char *tb_service_scalable_target_arn(struct tb_aws_ctx *ctx, const struct tb_svc *s)
{
	char *id = tb_service_scaling_id(ctx->arena, s->cluster, s->name);
	json_t *resp = NULL;

	if (id == NULL ||
	    tb_kit_call(
	        ctx, "application-autoscaling", "DescribeScalableTargets",
	        tb_aws_json_own(ctx->arena, json_pack("{s:s, s:[s], s:s}", "ServiceNamespace",
	                                              "ecs", "ResourceIds", id, "ScalableDimension",
	                                              TB_SVC_DIMENSION)),
	        &resp) != 0)
		return NULL;
	return json_string_value(json_object_get(
	    json_array_get(json_object_get(resp, "ScalableTargets"), 0), "ScalableTargetARN"));
}

static double effective_target(const struct tb_svc *s, enum tb_svc_metric m, const char *label)
{
	if (m == TB_SVC_REQUESTS && label == NULL)
		return 0; /* needs a load balancer (TB020) */
	return tb_service_metric_target(s, m);
}

static size_t policy_calls(struct tb_arena *a, const struct tb_svc *old, const struct tb_svc *s,
                           struct tb_aws_json_call *calls)
{
	const char *label =
	    s->lb.set ? tb_service_request_label(a, s->lb.listener_arn, s->target_group_arn) : NULL;
	bool cooldowns = old && (old->as.in_cooldown != s->as.in_cooldown ||
	                         old->as.out_cooldown != s->as.out_cooldown);
	size_t n = 0;

	for (int m = 0; m < TB_SVC_N_METRICS; m++) {
		double t = effective_target(s, m, label);
		double was = old ? effective_target(old, m, label) : 0;
		if (t > 0 && (t != was || cooldowns))
			calls[n++] = (struct tb_aws_json_call){
			    .service = "application-autoscaling",
			    .action = "PutScalingPolicy",
			    .body = tb_service_policy_request(a, s, m,
			                                      m == TB_SVC_REQUESTS ? label : NULL)};
		else if (t == 0 && was > 0)
			calls[n++] = (struct tb_aws_json_call){
			    .service = "application-autoscaling",
			    .action = "DeleteScalingPolicy",
			    .body = tb_aws_json_own(
			        a, json_pack("{s:s, s:s, s:s, s:s}", "PolicyName",
			                     tb_service_policy_name(a, s, m), "ServiceNamespace",
			                     "ecs", "ResourceId",
			                     tb_service_scaling_id(a, s->cluster, s->name),
			                     "ScalableDimension", TB_SVC_DIMENSION)),
			    .ok_missing = true};
	}
	return n;
}

static bool has_sched(const struct tb_svc *s, const struct tb_svc_sched *sc, bool exact)
{
	for (size_t i = 0; s && i < s->as.n_sched; i++) {
		const struct tb_svc_sched *o = &s->as.sched[i];
		if (!tb_str_eq(o->name, sc->name))
			continue;
		if (!exact || (tb_str_eq(o->schedule, sc->schedule) &&
		               tb_str_eq(o->timezone, sc->timezone) && o->has_min == sc->has_min &&
		               o->has_max == sc->has_max && o->min == sc->min && o->max == sc->max))
			return true;
	}
	return false;
}

static size_t schedule_calls(struct tb_arena *a, const struct tb_svc *old, const struct tb_svc *s,
                             struct tb_aws_json_call *calls)
{
	size_t n = 0;

	for (size_t i = 0; i < s->as.n_sched; i++)
		if (!has_sched(old, &s->as.sched[i], true))
			calls[n++] = (struct tb_aws_json_call){
			    .service = "application-autoscaling",
			    .action = "PutScheduledAction",
			    .body = tb_service_schedule_request(a, s, &s->as.sched[i])};
	for (size_t i = 0; old && i < old->as.n_sched; i++)
		if (!has_sched(s, &old->as.sched[i], false))
			calls[n++] = (struct tb_aws_json_call){
			    .service = "application-autoscaling",
			    .action = "DeleteScheduledAction",
			    .body = tb_aws_json_own(
			        a, json_pack("{s:s, s:s, s:s, s:s}", "ScheduledActionName",
			                     old->as.sched[i].name, "ServiceNamespace", "ecs",
			                     "ResourceId",
			                     tb_service_scaling_id(a, s->cluster, s->name),
			                     "ScalableDimension", TB_SVC_DIMENSION)),
			    .ok_missing = true};
	return n;
}

/* RegisterScalableTarget when the target is new or its bounds changed;
 * tags go with the first registration. */
static int register_target(struct tb_aws_ctx *ctx, const struct tb_svc *had, const struct tb_svc *s)
{
	json_t *body, *resp = NULL;

	if (had && had->as.min == s->as.min && had->as.max == s->as.max)
		return 0;
	body = tb_service_target_request(ctx->arena, s);
	if (body && !had && s->tags_all.n > 0)
		json_object_set(
		    body, "Tags",
		    tb_aws_tags_json(ctx->arena, "application-autoscaling", &s->tags_all));
	if (body == NULL)
		return TB_ENOMEM;
	return tb_kit_call(ctx, "application-autoscaling", "RegisterScalableTarget", body, &resp);
}

/* Registers the scalable target, then its policies and scheduled actions in
 * parallel: only what differs from old (NULL: everything). */
int tb_service_put_scaling(struct tb_aws_ctx *ctx, const struct tb_svc *old, const struct tb_svc *s)
{
	struct tb_arena *a = ctx->arena;
	const struct tb_svc *had = old && old->as.set ? old : NULL;
	size_t cap = TB_SVC_N_METRICS + s->as.n_sched + (had ? had->as.n_sched : 0) + 1, n;
	struct tb_aws_json_call *calls = tb_arena_alloc(a, cap * sizeof(*calls));
	int err;

	if (!s->as.set)
		return had ? tb_service_delete_scaling(ctx, s) : 0;
	if (calls == NULL)
		return TB_ENOMEM;
	if ((err = register_target(ctx, had, s)) != 0)
		return err;
	n = policy_calls(a, had, s, calls);
	n += schedule_calls(a, had, s, calls + n);
	for (size_t i = 0; i < n; i++)
		if (calls[i].body == NULL)
			return TB_ENOMEM;
	return tb_aws_json_calls(ctx, calls, n);
}

int tb_service_scaling_put(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	return tb_service_put_scaling(ctx, op->old, s);
}

/* A delete call for each item of list_key in answer, named by name_key. */
static size_t delete_calls(struct tb_arena *a, const struct tb_svc *s, const json_t *answer,
                           const char *list_key, const char *name_key, const char *action,
                           struct tb_aws_json_call *calls)
{
	const json_t *list = json_object_get(answer, list_key);
	size_t n = 0;

	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *name =
		    json_string_value(json_object_get(json_array_get(list, i), name_key));
		json_t *body = scaling_query(a, s, false);
		if (name == NULL)
			continue;
		if (body && json_object_set_new(body, name_key, json_string(name)) != 0)
			body = NULL;
		calls[n++] = (struct tb_aws_json_call){.service = "application-autoscaling",
		                                       .action = action,
		                                       .body = body,
		                                       .ok_missing = true};
	}
	return n;
}

/* Deregisters the service's scalable target when there is one. */
static int deregister_target(struct tb_aws_ctx *ctx, const struct tb_svc *s)
{
	json_t *targets = NULL;
	int err = tb_aws_json_all(ctx, "application-autoscaling", "DescribeScalableTargets",
	                          scaling_query(ctx->arena, s, true), "ScalableTargets", &targets);

	if (err != 0 || json_array_size(json_object_get(targets, "ScalableTargets")) == 0)
		return err;
	return tb_kit_call(ctx, "application-autoscaling", "DeregisterScalableTarget",
	                   scaling_query(ctx->arena, s, false), NULL);
}

/* Deletes scheduled actions, policies and the scalable target. See service.h. */
int tb_service_delete_scaling(struct tb_aws_ctx *ctx, const struct tb_svc *s)
{
	struct tb_arena *a = ctx->arena;
	json_t *pol = NULL, *act = NULL;
	struct tb_aws_json_call *calls;
	size_t n;
	int err = tb_aws_json_all(ctx, "application-autoscaling", "DescribeScalingPolicies",
	                          scaling_query(a, s, false), "ScalingPolicies", &pol);

	if (err == 0)
		err = tb_aws_json_all(ctx, "application-autoscaling", "DescribeScheduledActions",
		                      scaling_query(a, s, false), "ScheduledActions", &act);
	if (err != 0)
		return err == TB_ENOTFOUND ? 0 : err;
	calls = tb_arena_alloc(a, (json_array_size(json_object_get(pol, "ScalingPolicies")) +
	                           json_array_size(json_object_get(act, "ScheduledActions")) + 1) *
	                              sizeof(*calls));
	if (calls == NULL)
		return TB_ENOMEM;
	n = delete_calls(a, s, pol, "ScalingPolicies", "PolicyName", "DeleteScalingPolicy", calls);
	n += delete_calls(a, s, act, "ScheduledActions", "ScheduledActionName",
	                  "DeleteScheduledAction", calls + n);
	err = tb_aws_json_calls(ctx, calls, n);
	if (err == 0)
		err = deregister_target(ctx, s);
	return err == TB_ENOTFOUND ? 0 : err;
}

int tb_service_scaling_delete(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	return tb_service_delete_scaling(ctx, s);
}
