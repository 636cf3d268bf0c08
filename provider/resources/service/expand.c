/*
 * talentbase_service: struct tb_svc -> AWS requests. Pure functions; the
 * JSON bodies are tied to the call's arena.
 */
#include <stdint.h>
#include <string.h>

#include "resources/service/service.h"

/* ---- names ------------------------------------------------------------------ */

/* Returns "image:tag" or "image@sha256:..." (arena). */
char *tb_service_image_ref(struct tb_arena *a, const char *image, const char *tag)
{
	if (tag == NULL || *tag == '\0')
		return tb_arena_strdup(a, image ? image : "");
	return tb_arena_printf(a, "%s%c%s", image ? image : "",
	                       tb_str_has_prefix(tag, "sha256:") ? '@' : ':', tag);
}

static uint32_t fnv1a(const char *s, uint32_t h)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Returns "<name, 23 chars at most>-<8 hex of a hash of cluster/name>" (arena):
 * a valid target group name (32 characters, alphanumerics and inner hyphens). */
char *tb_service_tg_name(struct tb_arena *a, const char *cluster, const char *name)
{
	char prefix[24];
	size_t n = 0;
	uint32_t h = fnv1a(name, fnv1a("/", fnv1a(cluster, 2166136261u)));

	for (const char *p = name ? name : ""; *p && n < sizeof(prefix) - 1; p++) {
		bool ok = name_char(*p);
		if (!ok && (n == 0 || prefix[n - 1] == '-'))
			continue;
		prefix[n++] = ok ? *p : '-';
	}
	while (n > 0 && prefix[n - 1] == '-')
		n--;
	prefix[n] = '\0';
	return tb_arena_printf(a, "%s-%08x", n ? prefix : "tb", h);
}

/* Returns "/ecs/<name>" (arena). */
char *tb_service_log_group(struct tb_arena *a, const char *name)
{
	return tb_arena_printf(a, "/ecs/%s", name ? name : "");
}

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

/* Returns the ALB resource label for ALBRequestCountPerTarget, or NULL. */
char *tb_service_request_label(struct tb_arena *a, const char *listener_arn, const char *tg_arn)
{
	const char *l = listener_arn ? strstr(listener_arn, ":listener/") : NULL;
	const char *t = tg_arn ? strstr(tg_arn, ":targetgroup/") : NULL;
	const char *last;

	if (l == NULL || t == NULL)
		return NULL;
	l += strlen(":listener/");
	last = strrchr(l, '/');
	if (last == NULL || last == l || !tb_str_has_prefix(l, "app/"))
		return NULL;
	return tb_arena_printf(a, "%.*s/%s", (int)(last - l), l, t + 1);
}

/* ---- JSON helpers ------------------------------------------------------------- */

/* Sets key to v (a new reference) unless v is NULL; returns -1 on failure. */
static int set_new(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : -1;
}

/* ---- task definition ----------------------------------------------------------- */

static json_t *container_health_check(struct tb_arena *a, const struct tb_svc_hc *hc)
{
	return json_pack("{s:O, s:I, s:I, s:I, s:I}", "command", tb_kit_json_strs(a, &hc->command),
	                 "interval", (json_int_t)hc->interval, "timeout", (json_int_t)hc->timeout,
	                 "retries", (json_int_t)hc->retries, "startPeriod",
	                 (json_int_t)hc->start_period);
}

static json_t *container(struct tb_arena *a, const struct tb_svc *s, const char *region)
{
	char *image = tb_service_image_ref(a, s->image, s->image_tag);
	char *group = tb_service_log_group(a, s->name);
	json_t *c;

	if (image == NULL || group == NULL)
		return NULL;
	c = json_pack("{s:s, s:s, s:b, s:O, s:O, s:{s:s, s:{s:s, s:s, s:s}}}", "name", s->name,
	              "image", image, "essential", 1, "environment",
	              tb_kit_json_pairs(a, &s->environment, "name", "value"), "secrets",
	              tb_kit_json_pairs(a, &s->secrets, "name", "valueFrom"), "logConfiguration",
	              "logDriver", "awslogs", "options", "awslogs-group", group, "awslogs-region",
	              region ? region : "", "awslogs-stream-prefix", "ecs");
	if (c && s->port > 0 &&
	    set_new(c, "portMappings",
	            json_pack("[{s:I, s:s}]", "containerPort", (json_int_t)s->port, "protocol",
	                      "tcp")) != 0)
		goto fail;
	if (c && s->hc.set && set_new(c, "healthCheck", container_health_check(a, &s->hc)) != 0)
		goto fail;
	return c;
fail:
	json_decref(c);
	return NULL;
}

/* Returns the RegisterTaskDefinition body for s (owned by a), or NULL. */
json_t *tb_service_td_request(struct tb_arena *a, const struct tb_svc *s, const char *region)
{
	char *cpu = tb_arena_printf(a, "%lld", (long long)s->cpu);
	char *mem = tb_arena_printf(a, "%lld", (long long)s->memory);
	json_t *td = NULL;

	if (cpu == NULL || mem == NULL || s->name == NULL)
		return NULL;
	td = json_pack("{s:s, s:s, s:[s], s:s, s:s, s:s?, s:[o]}", "family", s->name, "networkMode",
	               "awsvpc", "requiresCompatibilities", "FARGATE", "cpu", cpu, "memory", mem,
	               "executionRoleArn", s->execution_role_arn, "containerDefinitions",
	               container(a, s, region));
	if (td && s->task_role_arn &&
	    set_new(td, "taskRoleArn", json_string(s->task_role_arn)) != 0)
		goto fail;
	if (td && s->tags_all.n > 0 &&
	    json_object_set(td, "tags", tb_aws_tags_json(a, "ecs", &s->tags_all)) != 0)
		goto fail;
	return tb_aws_json_own(a, td);
fail:
	json_decref(td);
	return NULL;
}

/* ---- service --------------------------------------------------------------------- */

static json_t *deployment_config(const struct tb_svc_dep *d)
{
	return json_pack("{s:I, s:I, s:{s:b, s:b}}", "minimumHealthyPercent",
	                 (json_int_t)d->minimum_healthy_percent, "maximumPercent",
	                 (json_int_t)d->maximum_percent, "deploymentCircuitBreaker", "enable",
	                 d->rollback, "rollback", d->rollback);
}

static json_t *network_config(struct tb_arena *a, const struct tb_svc_net *n)
{
	return json_pack("{s:{s:O, s:O, s:s}}", "awsvpcConfiguration", "subnets",
	                 tb_kit_json_strs(a, &n->subnets), "securityGroups",
	                 tb_kit_json_strs(a, &n->security_groups), "assignPublicIp",
	                 n->assign_public_ip ? "ENABLED" : "DISABLED");
}

static json_t *capacity_strategy(const struct tb_svc_cap *c)
{
	json_t *arr = json_pack("[{s:s, s:I, s:I}]", "capacityProvider", "FARGATE", "base",
	                        (json_int_t)c->base, "weight", (json_int_t)c->fargate_weight);

	if (arr && c->spot_weight > 0 &&
	    json_array_append_new(arr, json_pack("{s:s, s:I, s:I}", "capacityProvider",
	                                         "FARGATE_SPOT", "base", (json_int_t)0, "weight",
	                                         (json_int_t)c->spot_weight)) != 0) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

static int add_placement(struct tb_arena *a, json_t *body, const struct tb_svc *s)
{
	if (s->cap.set)
		return set_new(body, "capacityProviderStrategy", capacity_strategy(&s->cap));
	return set_new(body, "launchType", json_string("FARGATE"));
}

static int add_load_balancer(struct tb_arena *a, json_t *body, const struct tb_svc *s)
{
	if (!s->lb.set)
		return 0;
	if (set_new(body, "loadBalancers",
	            json_pack("[{s:s, s:s, s:I}]", "targetGroupArn",
	                      s->target_group_arn ? s->target_group_arn : "", "containerName",
	                      s->name, "containerPort", (json_int_t)s->port)) != 0)
		return -1;
	return set_new(body, "healthCheckGracePeriodSeconds", json_integer(s->dep.grace));
}

/* Returns the CreateService body for s (owned by a), or NULL. */
json_t *tb_service_create_request(struct tb_arena *a, const struct tb_svc *s)
{
	json_t *body = json_pack(
	    "{s:s, s:s, s:s, s:I, s:s, s:s, s:o, s:o, s:b, s:s, s:b}", "cluster", s->cluster,
	    "serviceName", s->name, "taskDefinition",
	    s->task_definition_arn ? s->task_definition_arn : "", "desiredCount",
	    (json_int_t)s->desired_count, "platformVersion", "LATEST", "schedulingStrategy",
	    "REPLICA", "deploymentConfiguration", deployment_config(&s->dep),
	    "networkConfiguration", network_config(a, &s->net), "enableExecuteCommand",
	    s->enable_execute_command, "propagateTags", "SERVICE", "enableECSManagedTags", 1);

	if (body == NULL)
		return NULL;
	if (add_placement(a, body, s) != 0 || add_load_balancer(a, body, s) != 0 ||
	    (s->tags_all.n > 0 &&
	     json_object_set(body, "tags", tb_aws_tags_json(a, "ecs", &s->tags_all)) != 0)) {
		json_decref(body);
		return NULL;
	}
	return tb_aws_json_own(a, body);
}

static bool caps_differ(const struct tb_svc *old, const struct tb_svc *s)
{
	return s->cap.set && !tb_service_block_equal("capacity", old, s);
}

/* Which UpdateService fields to send: a table of (differs?, add) rows. */
struct update_row {
	bool (*differs)(const struct tb_svc *old, const struct tb_svc *s);
	int (*add)(struct tb_arena *a, json_t *body, const struct tb_svc *s);
};

static bool td_differs(const struct tb_svc *old, const struct tb_svc *s)
{
	return !tb_str_eq(old->task_definition_arn, s->task_definition_arn);
}

static int add_td(struct tb_arena *a, json_t *body, const struct tb_svc *s)
{
	return set_new(body, "taskDefinition", json_string(s->task_definition_arn));
}

static bool dep_differs(const struct tb_svc *old, const struct tb_svc *s)
{
	return old->dep.minimum_healthy_percent != s->dep.minimum_healthy_percent ||
	       old->dep.maximum_percent != s->dep.maximum_percent ||
	       old->dep.rollback != s->dep.rollback;
}

static int add_dep(struct tb_arena *a, json_t *body, const struct tb_svc *s)
{
	return set_new(body, "deploymentConfiguration", deployment_config(&s->dep));
}

static bool net_differs(const struct tb_svc *old, const struct tb_svc *s)
{
	return !tb_service_block_equal("network", old, s);
}

static int add_net(struct tb_arena *a, json_t *body, const struct tb_svc *s)
{
	return set_new(body, "networkConfiguration", network_config(a, &s->net));
}

static bool grace_differs(const struct tb_svc *old, const struct tb_svc *s)
{
	return s->lb.set && old->dep.grace != s->dep.grace;
}

static int add_grace(struct tb_arena *a, json_t *body, const struct tb_svc *s)
{
	return set_new(body, "healthCheckGracePeriodSeconds", json_integer(s->dep.grace));
}

static bool exec_differs(const struct tb_svc *old, const struct tb_svc *s)
{
	return old->enable_execute_command != s->enable_execute_command;
}

static int add_exec(struct tb_arena *a, json_t *body, const struct tb_svc *s)
{
	return set_new(body, "enableExecuteCommand", json_boolean(s->enable_execute_command));
}

static int add_caps(struct tb_arena *a, json_t *body, const struct tb_svc *s)
{
	if (set_new(body, "capacityProviderStrategy", capacity_strategy(&s->cap)) != 0)
		return -1;
	return set_new(body, "forceNewDeployment", json_true());
}

/* Autoscaling owns the count while it is on (before or after). */
static bool count_differs(const struct tb_svc *old, const struct tb_svc *s)
{
	return !s->as.set && (old->as.set || old->desired_count != s->desired_count);
}

static int add_count(struct tb_arena *a, json_t *body, const struct tb_svc *s)
{
	return set_new(body, "desiredCount", json_integer(s->desired_count));
}

/* clang-format off */
static const struct update_row update_rows[] = {
    {.differs = td_differs, .add = add_td},
    {.differs = dep_differs, .add = add_dep},
    {.differs = net_differs, .add = add_net},
    {.differs = grace_differs, .add = add_grace},
    {.differs = exec_differs, .add = add_exec},
    {.differs = caps_differ, .add = add_caps},
    {.differs = count_differs, .add = add_count},
};
/* clang-format on */

/* Returns the UpdateService body (owned by a), or NULL. See service.h. */
json_t *tb_service_update_request(struct tb_arena *a, const struct tb_svc *old,
                                  const struct tb_svc *s, bool *changed)
{
	json_t *body = json_pack("{s:s, s:s}", "cluster", s->cluster, "service", s->name);
	bool any = false;

	for (size_t i = 0; body && i < TB_COUNT(update_rows); i++) {
		if (!update_rows[i].differs(old, s))
			continue;
		any = true;
		if (update_rows[i].add(a, body, s) != 0) {
			json_decref(body);
			body = NULL;
		}
	}
	*changed = any;
	return tb_aws_json_own(a, body);
}

/* ---- autoscaling ------------------------------------------------------------------- */

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

	if (body && (set_new(body, "MinCapacity", json_integer(s->as.min)) != 0 ||
	             set_new(body, "MaxCapacity", json_integer(s->as.max)) != 0)) {
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

	if (label && spec && set_new(spec, "ResourceLabel", json_string(label)) != 0) {
		json_decref(spec);
		spec = NULL;
	}
	if (body == NULL || name == NULL || set_new(body, "PolicyName", json_string(name)) != 0 ||
	    set_new(body, "PolicyType", json_string("TargetTrackingScaling")) != 0 ||
	    set_new(body, "TargetTrackingScalingPolicyConfiguration",
	            json_pack("{s:f, s:o, s:I, s:I}", "TargetValue", tb_service_metric_target(s, m),
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

	if (action && sc->has_min && set_new(action, "MinCapacity", json_integer(sc->min)) != 0)
		goto fail;
	if (action && sc->has_max && set_new(action, "MaxCapacity", json_integer(sc->max)) != 0)
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
	    set_new(body, "ScheduledActionName", json_string(sc->name ? sc->name : "")) != 0 ||
	    set_new(body, "Schedule", json_string(sc->schedule ? sc->schedule : "")) != 0 ||
	    set_new(body, "Timezone", json_string(sc->timezone ? sc->timezone : "UTC")) != 0 ||
	    set_new(body, "ScalableTargetAction", target_action(sc)) != 0) {
		json_decref(body);
		return NULL;
	}
	return tb_aws_json_own(a, body);
}

/* ---- ELBv2 query parameters --------------------------------------------------------- */

static int addi(struct tb_aws_params *p, const char *name, int64_t v)
{
	char *text = tb_arena_printf(p->arena, "%lld", (long long)v);
	return text ? tb_aws_params_add(p, name, text) : TB_ENOMEM;
}

static int add_health(const struct tb_svc *s, struct tb_aws_params *p)
{
	const struct tb_svc_tghc *hc = &s->lb.hc;
	int err = tb_aws_params_add(p, "HealthCheckEnabled", "true");

	if (err == 0)
		err = tb_aws_params_add(p, "HealthCheckProtocol", "HTTP");
	if (err == 0)
		err = tb_aws_params_add(p, "HealthCheckPort", "traffic-port");
	if (err == 0)
		err = tb_aws_params_add(p, "HealthCheckPath", hc->path ? hc->path : "/");
	if (err == 0)
		err = addi(p, "HealthCheckIntervalSeconds", hc->interval);
	if (err == 0)
		err = addi(p, "HealthCheckTimeoutSeconds", hc->timeout);
	if (err == 0)
		err = addi(p, "HealthyThresholdCount", hc->healthy_threshold);
	if (err == 0)
		err = addi(p, "UnhealthyThresholdCount", hc->unhealthy_threshold);
	if (err == 0)
		err =
		    tb_aws_params_add(p, "Matcher.HttpCode", hc->matcher ? hc->matcher : "200-399");
	return err;
}

/* CreateTargetGroup parameters. Returns 0 or TB_ENOMEM. */
int tb_service_tg_params(const struct tb_svc *s, const char *tg_name, struct tb_aws_params *out)
{
	int err = tb_aws_params_add(out, "Name", tg_name);

	if (err == 0)
		err = tb_aws_params_add(out, "Protocol", "HTTP");
	if (err == 0)
		err = addi(out, "Port", s->port);
	if (err == 0)
		err = tb_aws_params_add(out, "VpcId", s->lb.vpc_id ? s->lb.vpc_id : "");
	if (err == 0)
		err = tb_aws_params_add(out, "TargetType", "ip");
	if (err == 0)
		err = add_health(s, out);
	if (err == 0)
		err = tb_aws_tags_params(out, "Tags", &s->tags_all);
	return err;
}

/* ModifyTargetGroup parameters (the health check). Returns 0 or TB_ENOMEM. */
int tb_service_tg_health_params(const struct tb_svc *s, const char *tg_arn,
                                struct tb_aws_params *out)
{
	int err = tb_aws_params_add(out, "TargetGroupArn", tg_arn);
	return err == 0 ? add_health(s, out) : err;
}

static int add_attr(struct tb_aws_params *p, size_t i, const char *key, const char *value)
{
	int err = tb_aws_params_addf(p, key, "Attributes.member.%zu.Key", i);
	return err == 0 ? tb_aws_params_addf(p, value, "Attributes.member.%zu.Value", i) : err;
}

/* ModifyTargetGroupAttributes parameters. Returns 0 or TB_ENOMEM. */
int tb_service_tg_attr_params(const struct tb_svc *s, const char *tg_arn, struct tb_aws_params *out)
{
	struct tb_arena *a = out->arena;
	bool sticky = s->lb.stickiness_duration > 0;
	int err = tb_aws_params_add(out, "TargetGroupArn", tg_arn);

	if (err == 0)
		err = add_attr(out, 1, "deregistration_delay.timeout_seconds",
		               tb_arena_printf(a, "%lld", (long long)s->lb.deregistration_delay));
	if (err == 0)
		err = add_attr(out, 2, "stickiness.enabled", sticky ? "true" : "false");
	if (err == 0)
		err = add_attr(out, 3, "stickiness.type", "lb_cookie");
	if (err == 0 && sticky)
		err = add_attr(out, 4, "stickiness.lb_cookie.duration_seconds",
		               tb_arena_printf(a, "%lld", (long long)s->lb.stickiness_duration));
	return err;
}

static int add_values(struct tb_aws_params *p, size_t n, const char *field, const char *config,
                      const struct tb_strs *values)
{
	int err = tb_aws_params_addf(p, field, "Conditions.member.%zu.Field", n);

	for (size_t i = 0; i < values->n && err == 0; i++)
		err = tb_aws_params_addf(p, values->v[i],
		                         "Conditions.member.%zu.%s.Values.member.%zu", n, config,
		                         i + 1);
	return err;
}

/* Conditions.member.N... for host_headers and path_patterns. Returns 0 or TB_ENOMEM. */
int tb_service_conditions_params(const struct tb_svc *s, struct tb_aws_params *out)
{
	size_t n = 0;
	int err = 0;

	if (s->lb.host_headers.n > 0)
		err = add_values(out, ++n, "host-header", "HostHeaderConfig", &s->lb.host_headers);
	if (err == 0 && s->lb.path_patterns.n > 0)
		err =
		    add_values(out, ++n, "path-pattern", "PathPatternConfig", &s->lb.path_patterns);
	return err;
}

/* CreateRule parameters. Returns 0 or TB_ENOMEM. */
int tb_service_rule_params(const struct tb_svc *s, const char *tg_arn, struct tb_aws_params *out)
{
	int err = tb_aws_params_add(out, "ListenerArn", s->lb.listener_arn);

	if (err == 0)
		err = addi(out, "Priority", s->lb.priority);
	if (err == 0)
		err = tb_service_conditions_params(s, out);
	if (err == 0)
		err = tb_aws_params_add(out, "Actions.member.1.Type", "forward");
	if (err == 0)
		err = tb_aws_params_add(out, "Actions.member.1.TargetGroupArn", tg_arn);
	if (err == 0)
		err = tb_aws_tags_params(out, "Tags", &s->tags_all);
	return err;
}
