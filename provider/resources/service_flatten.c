/*
 * talentbase_service: AWS answers -> struct tb_svc. Each function fills the
 * part its AWS object owns and normalises what AWS normalises (list order,
 * absent fields that mean a default), so that reading back what was
 * written gives the same settings.
 */
#include <stdlib.h>
#include <string.h>

#include "resources/service.h"

/* ---- helpers ------------------------------------------------------------------ */

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int64_t jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v))
		return tb_double_to_int64(json_real_value(v));
	if (json_is_string(v))
		return strtoll(json_string_value(v), NULL, 10);
	return 0;
}

static int cmp_kv(const void *x, const void *y)
{
	return strcmp(((const struct tb_svc_kv *)x)->key, ((const struct tb_svc_kv *)y)->key);
}

/* [{kname: k, vname: v}] -> kvs sorted by key. */
static int pairs(struct tb_arena *a, const json_t *arr, const char *kname, const char *vname,
                 struct tb_svc_kvs *out)
{
	size_t n = json_array_size(arr), m = 0;
	struct tb_svc_kv *kv = tb_arena_alloc(a, (n + 1) * sizeof(*kv));

	if (kv == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const json_t *o = json_array_get(arr, i);
		if (jstr(o, kname) == NULL)
			continue;
		kv[m].key = tb_arena_strdup(a, jstr(o, kname));
		kv[m].value = tb_arena_strdup(a, jstr(o, vname) ? jstr(o, vname) : "");
		if (kv[m].key == NULL || kv[m].value == NULL)
			return TB_ENOMEM;
		m++;
	}
	qsort(kv, m, sizeof(*kv), cmp_kv);
	out->n = m;
	out->v = kv;
	return 0;
}

static int strings(struct tb_arena *a, const json_t *arr, struct tb_svc_strs *out)
{
	size_t n = json_array_size(arr), m = 0;
	const char **v = tb_arena_alloc(a, (n + 1) * sizeof(*v));

	if (v == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		if (s && (v[m++] = tb_arena_strdup(a, s)) == NULL)
			return TB_ENOMEM;
	}
	out->n = m;
	out->v = v;
	return 0;
}

static const char *dup(struct tb_arena *a, const char *s)
{
	return s ? tb_arena_strdup(a, s) : NULL;
}

/* ---- ECS service ------------------------------------------------------------------ */

static void flatten_capacity(const json_t *strategy, struct tb_svc_cap *cap)
{
	memset(cap, 0, sizeof(*cap));
	cap->set = json_array_size(strategy) > 0;
	for (size_t i = 0; i < json_array_size(strategy); i++) {
		const json_t *item = json_array_get(strategy, i);
		const char *provider = jstr(item, "capacityProvider");
		if (tb_str_eq(provider, "FARGATE")) {
			cap->base = jint(item, "base");
			cap->fargate_weight = jint(item, "weight");
		} else if (tb_str_eq(provider, "FARGATE_SPOT")) {
			cap->spot_weight = jint(item, "weight");
		}
	}
}

static void flatten_deployment(const json_t *svc, struct tb_svc_dep *dep)
{
	const json_t *dc = json_object_get(svc, "deploymentConfiguration");
	const json_t *cb = json_object_get(dc, "deploymentCircuitBreaker");

	dep->set = true;
	dep->minimum_healthy_percent = jint(dc, "minimumHealthyPercent");
	dep->maximum_percent = jint(dc, "maximumPercent");
	dep->rollback = json_is_true(json_object_get(cb, "enable")) &&
	                json_is_true(json_object_get(cb, "rollback"));
	dep->grace = jint(svc, "healthCheckGracePeriodSeconds");
}

static int flatten_network(struct tb_arena *a, const json_t *svc, struct tb_svc_net *net)
{
	const json_t *vpc =
	    json_object_get(json_object_get(svc, "networkConfiguration"), "awsvpcConfiguration");
	int err = strings(a, json_object_get(vpc, "subnets"), &net->subnets);

	if (err == 0)
		err = strings(a, json_object_get(vpc, "securityGroups"), &net->security_groups);
	net->set = true;
	net->assign_public_ip = tb_str_eq(jstr(vpc, "assignPublicIp"), "ENABLED");
	return err;
}

/* Fills arn, desired count, placement, deployment, network, the load
 * balancer's target group, exec and tags from a DescribeServices item. */
int tb_service_flatten_service(struct tb_arena *a, const json_t *svc, struct tb_svc *s)
{
	const json_t *lbs = json_object_get(svc, "loadBalancers");
	int err;

	if (!json_is_object(svc) || jstr(svc, "serviceArn") == NULL)
		return TB_EINVAL;
	s->arn = dup(a, jstr(svc, "serviceArn"));
	s->task_definition_arn = dup(a, jstr(svc, "taskDefinition"));
	s->desired_count = jint(svc, "desiredCount");
	s->enable_execute_command = json_is_true(json_object_get(svc, "enableExecuteCommand"));
	flatten_capacity(json_object_get(svc, "capacityProviderStrategy"), &s->cap);
	flatten_deployment(svc, &s->dep);
	s->lb.set = json_array_size(lbs) > 0;
	if (s->lb.set)
		s->target_group_arn = dup(a, jstr(json_array_get(lbs, 0), "targetGroupArn"));
	err = flatten_network(a, svc, &s->net);
	if (err == 0)
		err = pairs(a, json_object_get(svc, "tags"), "key", "value", &s->tags_all);
	return err;
}

/* ---- task definition -------------------------------------------------------------- */

/* Splits "repo:tag" / "repo@sha256:..." into repository and tag. */
void tb_service_split_image(struct tb_arena *a, const char *ref, const char **image,
                            const char **tag)
{
	const char *at = ref ? strrchr(ref, '@') : NULL;
	const char *slash = ref ? strrchr(ref, '/') : NULL;
	const char *colon = ref ? strrchr(ref, ':') : NULL;

	*image = ref;
	*tag = NULL;
	if (ref == NULL)
		return;
	if (at == NULL && colon && (slash == NULL || colon > slash))
		at = colon;
	if (at == NULL) {
		*tag = "latest";
		return;
	}
	*image = tb_arena_strndup(a, ref, (size_t)(at - ref));
	*tag = tb_arena_strdup(a, at + 1);
}

static const json_t *main_container(const json_t *td, const char *name)
{
	const json_t *defs = json_object_get(td, "containerDefinitions");
	const json_t *essential = NULL;

	for (size_t i = 0; i < json_array_size(defs); i++) {
		const json_t *c = json_array_get(defs, i);
		if (name && tb_str_eq(jstr(c, "name"), name))
			return c;
		if (essential == NULL && json_is_true(json_object_get(c, "essential")))
			essential = c;
	}
	return essential ? essential : json_array_get(defs, 0);
}

/* The image of a task definition's main container. See service.h. */
const char *tb_service_td_image(struct tb_arena *a, const json_t *td, const char *name)
{
	const char *ref = jstr(main_container(td, name), "image");
	const char *image = NULL, *tag = NULL;

	if (ref == NULL)
		return NULL;
	tb_service_split_image(a, ref, &image, &tag);
	return tb_service_image_ref(a, image, tag);
}

static int flatten_container_hc(struct tb_arena *a, const json_t *hc, struct tb_svc_hc *out)
{
	memset(out, 0, sizeof(*out));
	out->set = json_is_object(hc);
	if (!out->set)
		return 0;
	out->interval = jint(hc, "interval");
	out->timeout = jint(hc, "timeout");
	out->retries = jint(hc, "retries");
	out->start_period = jint(hc, "startPeriod");
	return strings(a, json_object_get(hc, "command"), &out->command);
}

/* Fills the task-definition settings from a DescribeTaskDefinition
 * "taskDefinition" object. */
int tb_service_flatten_td(struct tb_arena *a, const json_t *td, struct tb_svc *s)
{
	const json_t *c = main_container(td, s->name);
	const json_t *ports = json_object_get(c, "portMappings");
	const json_t *opts = json_object_get(json_object_get(c, "logConfiguration"), "options");
	int err;

	if (!json_is_object(td) || c == NULL)
		return TB_EINVAL;
	s->task_definition_arn = dup(a, jstr(td, "taskDefinitionArn"));
	s->task_definition_revision = jint(td, "revision");
	s->cpu = jint(td, "cpu");
	s->memory = jint(td, "memory");
	s->execution_role_arn = dup(a, jstr(td, "executionRoleArn"));
	s->task_role_arn = dup(a, jstr(td, "taskRoleArn"));
	tb_service_split_image(a, jstr(c, "image"), &s->image, &s->image_tag);
	s->port = jint(json_array_get(ports, 0), "containerPort");
	if (jstr(opts, "awslogs-group"))
		s->log_group_name = dup(a, jstr(opts, "awslogs-group"));
	err = pairs(a, json_object_get(c, "environment"), "name", "value", &s->environment);
	if (err == 0)
		err = pairs(a, json_object_get(c, "secrets"), "name", "valueFrom", &s->secrets);
	if (err == 0)
		err = flatten_container_hc(a, json_object_get(c, "healthCheck"), &s->hc);
	return err;
}

/* ---- target group and rule (XML) ----------------------------------------------------- */

static int64_t xint(const struct tb_xml *n, const char *path)
{
	const char *t = tb_xml_text(n, path);
	return t ? strtoll(t, NULL, 10) : 0;
}

static int xml_strings(struct tb_arena *a, const struct tb_xml *list, struct tb_svc_strs *out)
{
	size_t n = 0, m = 0;
	const char **v;

	for (const struct tb_xml *c = list ? list->children : NULL; c; c = c->next)
		n++;
	if ((v = tb_arena_alloc(a, (n + 1) * sizeof(*v))) == NULL)
		return TB_ENOMEM;
	for (const struct tb_xml *c = list ? list->children : NULL; c; c = c->next)
		if (strcmp(c->name, "member") == 0)
			v[m++] = c->text;
	out->n = m;
	out->v = v;
	return 0;
}

/* Fills the target group's ARN, VPC, load balancer and health check from a
 * DescribeTargetGroups member. */
int tb_service_flatten_tg(struct tb_arena *a, const struct tb_xml *tg, struct tb_svc *s)
{
	struct tb_svc_tghc *hc = &s->lb.hc;

	if (tg == NULL || tb_xml_text(tg, "TargetGroupArn") == NULL)
		return TB_EINVAL;
	s->target_group_arn = tb_xml_text(tg, "TargetGroupArn");
	s->lb.vpc_id = tb_xml_text(tg, "VpcId");
	s->lb_arn = tb_xml_text(tg, "LoadBalancerArns/member");
	hc->set = true;
	hc->path = tb_xml_text(tg, "HealthCheckPath");
	hc->matcher = tb_xml_text(tg, "Matcher/HttpCode");
	hc->interval = xint(tg, "HealthCheckIntervalSeconds");
	hc->timeout = xint(tg, "HealthCheckTimeoutSeconds");
	hc->healthy_threshold = xint(tg, "HealthyThresholdCount");
	hc->unhealthy_threshold = xint(tg, "UnhealthyThresholdCount");
	return 0;
}

/* Fills deregistration delay and stickiness from a
 * DescribeTargetGroupAttributesResult. */
int tb_service_flatten_tg_attrs(struct tb_arena *a, const struct tb_xml *attrs, struct tb_svc *s)
{
	const struct tb_xml *list = tb_xml_child(attrs, "Attributes");
	bool sticky = false, cookie = false;
	int64_t duration = 0;

	for (const struct tb_xml *m = list ? list->children : NULL; m; m = m->next) {
		const char *k = tb_xml_text(m, "Key"), *v = tb_xml_text(m, "Value");
		if (tb_str_eq(k, "deregistration_delay.timeout_seconds"))
			s->lb.deregistration_delay = v ? strtoll(v, NULL, 10) : 0;
		else if (tb_str_eq(k, "stickiness.enabled"))
			sticky = tb_str_eq(v, "true");
		else if (tb_str_eq(k, "stickiness.type"))
			cookie = tb_str_eq(v, "lb_cookie");
		else if (tb_str_eq(k, "stickiness.lb_cookie.duration_seconds"))
			duration = v ? strtoll(v, NULL, 10) : 0;
	}
	s->lb.stickiness_duration = sticky && cookie ? duration : 0;
	return 0;
}

static int rule_values(struct tb_arena *a, const struct tb_xml *cond, const char *config,
                       struct tb_svc_strs *out)
{
	const struct tb_xml *vals = tb_xml_path(cond, config);
	if (vals == NULL || vals->children == NULL)
		vals = tb_xml_child(cond, "Values");
	return xml_strings(a, vals, out);
}

/* Fills the rule's ARN, priority and conditions from a DescribeRules member. */
int tb_service_flatten_rule(struct tb_arena *a, const struct tb_xml *rule, struct tb_svc *s)
{
	const struct tb_xml *conds = tb_xml_child(rule, "Conditions");
	int err = 0;

	if (rule == NULL || tb_xml_text(rule, "RuleArn") == NULL)
		return TB_EINVAL;
	s->listener_rule_arn = tb_xml_text(rule, "RuleArn");
	s->lb.priority = xint(rule, "Priority");
	s->lb.host_headers.n = 0;
	s->lb.path_patterns.n = 0;
	for (const struct tb_xml *c = conds ? conds->children : NULL; c && err == 0; c = c->next) {
		const char *field = tb_xml_text(c, "Field");
		if (tb_str_eq(field, "host-header"))
			err = rule_values(a, c, "HostHeaderConfig/Values", &s->lb.host_headers);
		else if (tb_str_eq(field, "path-pattern"))
			err = rule_values(a, c, "PathPatternConfig/Values", &s->lb.path_patterns);
	}
	return err;
}

/* ---- autoscaling -------------------------------------------------------------------- */

static void flatten_policies(const json_t *policies, struct tb_svc_as *as)
{
	const json_t *list = json_object_get(policies, "ScalingPolicies");
	bool cooldowns = false;

	as->in_cooldown = as->out_cooldown = -1;
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *cfg = json_object_get(json_array_get(list, i),
		                                    "TargetTrackingScalingPolicyConfiguration");
		const json_t *spec = json_object_get(cfg, "PredefinedMetricSpecification");
		const char *type = jstr(spec, "PredefinedMetricType");
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
			as->in_cooldown = jint(cfg, "ScaleInCooldown");
			as->out_cooldown = jint(cfg, "ScaleOutCooldown");
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
		if (jstr(item, "ScheduledActionName") == NULL)
			continue;
		sc->name = dup(a, jstr(item, "ScheduledActionName"));
		sc->schedule = dup(a, jstr(item, "Schedule"));
		sc->timezone = dup(a, jstr(item, "Timezone") ? jstr(item, "Timezone") : "UTC");
		sc->has_min = json_object_get(act, "MinCapacity") != NULL;
		sc->has_max = json_object_get(act, "MaxCapacity") != NULL;
		sc->min = jint(act, "MinCapacity");
		sc->max = jint(act, "MaxCapacity");
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
		if (tb_str_eq(jstr(json_array_get(list, i), "ScalableDimension"), TB_SVC_DIMENSION))
			target = json_array_get(list, i);
	if (target == NULL)
		return 0;
	s->as.set = true;
	s->as.min = jint(target, "MinCapacity");
	s->as.max = jint(target, "MaxCapacity");
	flatten_policies(policies, &s->as);
	return flatten_actions(a, actions, &s->as);
}

/* ---- log group ------------------------------------------------------------------------ */

/* Fills the retention of the log group called name (0: missing or never
 * expiring) and log_group_name when it exists. */
int tb_service_flatten_logs(struct tb_arena *a, const json_t *groups, const char *name,
                            struct tb_svc *s)
{
	const json_t *list = json_object_get(groups, "logGroups");

	s->logs.set = true;
	s->logs.retention = 0;
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *g = json_array_get(list, i);
		if (!tb_str_eq(jstr(g, "logGroupName"), name))
			continue;
		s->logs.retention = jint(g, "retentionInDays");
		s->log_group_name = dup(a, name);
	}
	return 0;
}
