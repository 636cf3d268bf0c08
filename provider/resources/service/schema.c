/*
 * talentbase_service: the schema tables, one per block, and the defaults
 * that depend on the provider's environment or on the service's role.
 */
#include <string.h>

#include "resources/service/service.h"

#define T_STR  "\"string\""
#define T_NUM  "\"number\""
#define T_BOOL "\"bool\""
#define T_MAP  "[\"map\",\"string\"]"
#define T_SET  "[\"set\",\"string\"]"
#define T_LIST "[\"list\",\"string\"]"

#define OC (TB_A_OPTIONAL | TB_A_COMPUTED)

/* ---- presets ------------------------------------------------------------ */

/* clang-format off */
static const struct tb_svc_role roles[] = {
    {.name = "web", .start_period = 180, .grace = 180, .lb_path = "/", .lb_allowed = true},
    {.name = "api", .start_period = 120, .grace = 120, .lb_path = "/health/", .lb_allowed = true},
    {.name = "worker", .start_period = 60, .grace = 0, .lb_path = "/", .lb_allowed = false},
};

static const struct tb_svc_env envs[] = {
    {.name = "production", .retention_days = 30, .retain_on_destroy = true, .min_capacity = 2, .fargate_base = 2},
    {.name = "staging", .retention_days = 14, .retain_on_destroy = true, .min_capacity = 1, .fargate_base = 0},
    {.name = "development", .retention_days = 7, .retain_on_destroy = false, .min_capacity = 1, .fargate_base = 0},
};
/* clang-format on */

/* Returns the preset row of role name, or NULL. */
const struct tb_svc_role *tb_service_role(const char *name)
{
	for (size_t i = 0; name && i < TB_COUNT(roles); i++)
		if (strcmp(roles[i].name, name) == 0)
			return &roles[i];
	return NULL;
}

/* Returns the defaults row of environment name, or NULL. */
const struct tb_svc_env *tb_service_env(const char *name)
{
	for (size_t i = 0; name && i < TB_COUNT(envs); i++)
		if (strcmp(envs[i].name, name) == 0)
			return &envs[i];
	return NULL;
}

/* ---- defaults that depend on the environment or the role ----------------- */

static const struct tb_svc_env *env_of(const void *meta)
{
	const struct tb_meta *m = meta;
	return m ? tb_service_env(m->environment) : NULL;
}

/* The role row, or NULL when the role is unknown or not a role (the answer
 * is then unknown; validation reports a bad role). */
static const struct tb_svc_role *role_of(const struct tb_value *config)
{
	return tb_service_role(tb_get_str(tb_attr(config, "role")));
}

/* Role presets need the resource's configuration; the schema module passes
 * a nested block's own configuration, so those defaults decline there (NULL)
 * and the resource applies them (tb_service_role_defaults). */
static bool is_resource(const struct tb_value *config)
{
	return config && config->type && config->type->kind == TB_OBJECT &&
	       tb_type_attr_index(config->type, "role") >= 0;
}

static const struct tb_value *unknown_num(struct tb_arena *a)
{
	return tb_unknown(a, &tb_type_number);
}

static const struct tb_value *derived_desired_count(struct tb_arena *a, const void *meta,
                                                    const struct tb_value *config)
{
	const struct tb_value *as = tb_attr(config, "autoscaling");
	const struct tb_value *min = tb_attr(as, "min_capacity");
	const struct tb_svc_env *e = env_of(meta);

	if (tb_is_unknown(as) || tb_is_unknown(min))
		return unknown_num(a);
	if (tb_is_known(min))
		return min;
	return e ? tb_int(a, e->min_capacity) : unknown_num(a);
}

static const struct tb_value *dflt_start_period(struct tb_arena *a, const void *meta,
                                                const struct tb_value *config)
{
	const struct tb_svc_role *r = role_of(config);

	if (!is_resource(config))
		return NULL;
	return r ? tb_int(a, r->start_period) : unknown_num(a);
}

static const struct tb_value *dflt_grace(struct tb_arena *a, const void *meta,
                                         const struct tb_value *config)
{
	const struct tb_value *lb = tb_attr(config, "load_balancer");
	const struct tb_svc_role *r = role_of(config);

	if (!is_resource(config))
		return NULL;
	if (tb_is_unknown(lb))
		return unknown_num(a);
	if (tb_is_null(lb))
		return tb_int(a, 0);
	return r ? tb_int(a, r->grace) : unknown_num(a);
}

static const struct tb_value *dflt_lb_path(struct tb_arena *a, const void *meta,
                                           const struct tb_value *config)
{
	const struct tb_svc_role *r = role_of(config);

	if (!is_resource(config))
		return NULL;
	return r ? tb_string(a, r->lb_path) : tb_unknown(a, &tb_type_string);
}

static const struct tb_value *dflt_retention(struct tb_arena *a, const void *meta,
                                             const struct tb_value *config)
{
	const struct tb_svc_env *e = env_of(meta);
	return e ? tb_int(a, e->retention_days) : unknown_num(a);
}

static const struct tb_value *dflt_retain(struct tb_arena *a, const void *meta,
                                          const struct tb_value *config)
{
	const struct tb_svc_env *e = env_of(meta);
	return e ? tb_bool(a, e->retain_on_destroy) : tb_unknown(a, &tb_type_bool);
}

static const struct tb_value *dflt_min_capacity(struct tb_arena *a, const void *meta,
                                                const struct tb_value *config)
{
	const struct tb_svc_env *e = env_of(meta);
	return e ? tb_int(a, e->min_capacity) : unknown_num(a);
}

static const struct tb_value *dflt_fargate_base(struct tb_arena *a, const void *meta,
                                                const struct tb_value *config)
{
	const struct tb_svc_env *e = env_of(meta);
	return e ? tb_int(a, e->fargate_base) : unknown_num(a);
}

/* ---- names derived from the service's name --------------------------------- */

/* The service's name, or NULL (unknown when it is not known yet). */
static const char *name_of(const struct tb_value *config, bool *unknown)
{
	const struct tb_value *n = tb_attr(config, "name");

	*unknown = !tb_is_known(n);
	return tb_get_str(n);
}

static const struct tb_value *dflt_name(struct tb_arena *a, const void *meta,
                                        const struct tb_value *config)
{
	bool unknown;
	const char *name = name_of(config, &unknown);

	if (!is_resource(config))
		return NULL;
	return unknown ? tb_unknown(a, &tb_type_string) : tb_string(a, name);
}

static const struct tb_value *dflt_log_group(struct tb_arena *a, const void *meta,
                                             const struct tb_value *config)
{
	bool unknown;
	const char *name = name_of(config, &unknown);

	if (!is_resource(config))
		return NULL;
	return unknown ? tb_unknown(a, &tb_type_string)
	               : tb_string(a, tb_service_log_group(a, name));
}

/* With a load balancer: a name from the service's cluster and name. */
static const struct tb_value *dflt_tg_name(struct tb_arena *a, const void *meta,
                                           const struct tb_value *config)
{
	const struct tb_value *lb = tb_attr(config, "load_balancer");
	const struct tb_value *cluster = tb_attr(config, "cluster");
	bool unknown;
	const char *name = name_of(config, &unknown);

	if (!is_resource(config))
		return NULL;
	if (tb_is_null(lb) && !tb_is_unknown(lb))
		return tb_null(a, &tb_type_string);
	if (unknown || !tb_is_known(cluster) || tb_is_unknown(lb))
		return tb_unknown(a, &tb_type_string);
	return tb_string(a, tb_service_tg_name(a, tb_get_str(cluster), name));
}

/* ---- blocks --------------------------------------------------------------- */

static const struct tb_attr health_check_attrs[] = {
    {.name = "command",
     .type = T_LIST,
     .flags = TB_A_REQUIRED,
     .description = "Container health check command, e.g. [\"CMD-SHELL\", \"curl -f "
                    "http://localhost:3000/ || exit 1\"]."},
    {.name = "interval",
     .type = T_NUM,
     .flags = OC,
     .description = "Seconds between checks, 5-300 (default 30).",
     .default_json = "30"},
    {.name = "timeout",
     .type = T_NUM,
     .flags = OC,
     .description = "Seconds before a check fails, 2-60 (default 10).",
     .default_json = "10"},
    {.name = "retries",
     .type = T_NUM,
     .flags = OC,
     .description = "Consecutive failures before the container is unhealthy, 1-10 (default 3).",
     .default_json = "3"},
    {.name = "start_period",
     .type = T_NUM,
     .flags = OC,
     .description = "Startup grace in seconds, 0-300 (default per role: web 180, api 120, "
                    "worker 60).",
     .default_fn = dflt_start_period},
};

static const struct tb_block health_check_block = {
    .attrs = health_check_attrs,
    .n_attrs = TB_COUNT(health_check_attrs),
    .description = "Container health check. Without this block the container has none and "
                   "the load balancer's health check decides.",
};

static const struct tb_attr network_attrs[] = {
    {.name = "subnets",
     .type = T_SET,
     .flags = TB_A_REQUIRED,
     .description = "Subnets of the tasks (private subnets)."},
    {.name = "security_groups",
     .type = T_SET,
     .flags = TB_A_OPTIONAL,
     .description = "Security groups of the tasks (default: the VPC's default group)."},
    {.name = "assign_public_ip",
     .type = T_BOOL,
     .flags = OC,
     .description = "Give each task a public IP (default false; rule TB017 forbids true).",
     .default_json = "false"},
};

static const struct tb_block network_block = {
    .attrs = network_attrs,
    .n_attrs = TB_COUNT(network_attrs),
    .description = "awsvpc networking of the tasks.",
};

static const struct tb_attr lb_health_check_attrs[] = {
    {.name = "path",
     .type = T_STR,
     .flags = OC,
     .description = "Health check path (default per role: web \"/\", api \"/health/\").",
     .default_fn = dflt_lb_path},
    {.name = "matcher",
     .type = T_STR,
     .flags = OC,
     .description = "Healthy HTTP codes, e.g. \"200\" or \"200-399\" (default \"200-399\").",
     .default_json = "\"200-399\""},
    {.name = "interval",
     .type = T_NUM,
     .flags = OC,
     .description = "Seconds between checks, 5-300 (default 30).",
     .default_json = "30"},
    {.name = "timeout",
     .type = T_NUM,
     .flags = OC,
     .description = "Seconds before a check fails, 2-120 and less than interval (default 10).",
     .default_json = "10"},
    {.name = "healthy_threshold",
     .type = T_NUM,
     .flags = OC,
     .description = "Consecutive successes before a target is healthy, 2-10 (default 2).",
     .default_json = "2"},
    {.name = "unhealthy_threshold",
     .type = T_NUM,
     .flags = OC,
     .description = "Consecutive failures before a target is unhealthy, 2-10 (default 3).",
     .default_json = "3"},
};

static const struct tb_block lb_health_check_block = {
    .attrs = lb_health_check_attrs,
    .n_attrs = TB_COUNT(lb_health_check_attrs),
    .description = "Target-group health check. Without this block the defaults apply.",
};

static const struct tb_attr load_balancer_attrs[] = {
    {.name = "listener_arn",
     .type = T_STR,
     .flags = TB_A_REQUIRED | TB_A_FORCE_NEW,
     .description = "ARN of the shared ALB's listener the rule is added to. Changing it "
                    "replaces the service."},
    {.name = "priority",
     .type = T_NUM,
     .flags = TB_A_REQUIRED,
     .description = "Listener rule priority, 1-50000, unique on the listener."},
    {.name = "host_headers",
     .type = T_SET,
     .flags = TB_A_OPTIONAL,
     .description = "Host names the rule matches."},
    {.name = "path_patterns",
     .type = T_SET,
     .flags = OC,
     .description = "Path patterns the rule matches (default [\"/*\"]).",
     .default_json = "[\"/*\"]"},
    {.name = "vpc_id",
     .type = T_STR,
     .flags = OC | TB_A_FORCE_NEW,
     .description = "VPC of the target group (default: the listener's load balancer's VPC)."},
    {.name = "stickiness_duration",
     .type = T_NUM,
     .flags = OC,
     .description = "lb_cookie stickiness in seconds, 1-604800; 0 turns stickiness off "
                    "(default 0). The stickiness block, when present, decides instead.",
     .default_json = "0"},
    {.name = "deregistration_delay",
     .type = T_NUM,
     .flags = OC,
     .description = "Seconds a deregistering target drains, 0-3600 (default 30).",
     .default_json = "30"},
};

static const struct tb_attr stickiness_attrs[] = {
    {.name = "type",
     .type = T_STR,
     .flags = OC,
     .description = "lb_cookie (the load balancer's cookie) or app_cookie (the application's "
                    "cookie_name). Default lb_cookie.",
     .default_json = "\"lb_cookie\""},
    {.name = "duration",
     .type = T_NUM,
     .flags = OC,
     .description = "Seconds a client stays on its target, 1-604800. Default 86400.",
     .default_json = "86400"},
    {.name = "cookie_name",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "The application's cookie (app_cookie only), e.g. \"TALENTBASE_SESSION\"; "
                    "names starting with AWSALB, AWSALBAPP or AWSALBTG are the load "
                    "balancer's."},
};

static const struct tb_block stickiness_block = {
    .attrs = stickiness_attrs,
    .n_attrs = TB_COUNT(stickiness_attrs),
    .description = "Sticky sessions of the target group. Takes the place of "
                   "stickiness_duration (which must then be left out).",
};

static const struct tb_nested load_balancer_nested[] = {
    {.name = "health_check",
     .nesting = TB_NEST_SINGLE,
     .block = &lb_health_check_block,
     .min_items = 0,
     .max_items = 1},
    {.name = "stickiness",
     .nesting = TB_NEST_SINGLE,
     .block = &stickiness_block,
     .min_items = 0,
     .max_items = 1},
};

static const struct tb_block load_balancer_block = {
    .attrs = load_balancer_attrs,
    .n_attrs = TB_COUNT(load_balancer_attrs),
    .blocks = load_balancer_nested,
    .n_blocks = TB_COUNT(load_balancer_nested),
    .description = "Target group (ip, HTTP, the container port) and listener rule on the "
                   "shared ALB. Not allowed for role worker; adding or removing it replaces "
                   "the service.",
};

static const struct tb_attr deployment_attrs[] = {
    {.name = "minimum_healthy_percent",
     .type = T_NUM,
     .flags = OC,
     .description = "Lower bound of running tasks during a deployment, percent of the "
                    "desired count (default 100).",
     .default_json = "100"},
    {.name = "maximum_percent",
     .type = T_NUM,
     .flags = OC,
     .description = "Upper bound of tasks during a deployment, percent (default 200).",
     .default_json = "200"},
    {.name = "rollback",
     .type = T_BOOL,
     .flags = OC,
     .description = "Deployment circuit breaker with rollback (default true).",
     .default_json = "true"},
    {.name = "health_check_grace_period",
     .type = T_NUM,
     .flags = OC,
     .description = "Seconds ECS ignores load balancer health checks after a task starts "
                    "(default per role with a load balancer: web 180, api 120; else 0).",
     .default_fn = dflt_grace},
    {.name = "wait_for_steady_state",
     .type = T_BOOL,
     .flags = OC,
     .description = "Wait for the rollout to complete and fail the apply when ECS rolls it "
                    "back (default true).",
     .default_json = "true"},
};

static const struct tb_block deployment_block = {
    .attrs = deployment_attrs,
    .n_attrs = TB_COUNT(deployment_attrs),
    .description = "Rolling deployment settings. Without this block the defaults apply.",
};

static const struct tb_attr capacity_attrs[] = {
    {.name = "fargate_base",
     .type = T_NUM,
     .flags = OC,
     .description = "Tasks always placed on FARGATE (default 2 in production, else 0).",
     .default_fn = dflt_fargate_base},
    {.name = "fargate_weight",
     .type = T_NUM,
     .flags = OC,
     .description = "Relative weight of FARGATE beyond the base (default 60).",
     .default_json = "60"},
    {.name = "spot_weight",
     .type = T_NUM,
     .flags = OC,
     .description = "Relative weight of FARGATE_SPOT (default 40; 0 uses no Spot).",
     .default_json = "40"},
};

static const struct tb_block capacity_block = {
    .attrs = capacity_attrs,
    .n_attrs = TB_COUNT(capacity_attrs),
    .description = "FARGATE / FARGATE_SPOT capacity provider strategy. Without this block the "
                   "service uses the FARGATE launch type; adding or removing it replaces the "
                   "service.",
};

static const struct tb_attr schedule_attrs[] = {
    {.name = "name",
     .type = T_STR,
     .flags = TB_A_REQUIRED,
     .description = "Name of the scheduled action, unique within the service."},
    {.name = "schedule",
     .type = T_STR,
     .flags = TB_A_REQUIRED,
     .description = "cron(...) with six fields, rate(...) or at(yyyy-mm-ddThh:mm:ss)."},
    {.name = "timezone",
     .type = T_STR,
     .flags = OC,
     .description = "IANA time zone of the schedule (default \"UTC\").",
     .default_json = "\"UTC\""},
    {.name = "min_capacity",
     .type = T_NUM,
     .flags = TB_A_OPTIONAL,
     .description = "Minimum capacity set when the action runs."},
    {.name = "max_capacity",
     .type = T_NUM,
     .flags = TB_A_OPTIONAL,
     .description = "Maximum capacity set when the action runs."},
};

static const struct tb_block schedule_block = {
    .attrs = schedule_attrs,
    .n_attrs = TB_COUNT(schedule_attrs),
    .description = "A scheduled scaling action. Schedules are a set identified by their names: "
                   "the order of the blocks does not matter.",
};

/* The schedules map's objects: the schedule blocks' attributes but the name,
 * which is the map key. No defaults inside a nested attribute: a null
 * timezone means UTC. */
static const struct tb_attr schedules_attrs[] = {
    {.name = "schedule",
     .type = T_STR,
     .flags = TB_A_REQUIRED,
     .description = "cron(...) with six fields, rate(...) or at(yyyy-mm-ddThh:mm:ss)."},
    {.name = "timezone",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "IANA time zone of the schedule (null: UTC)."},
    {.name = "min_capacity",
     .type = T_NUM,
     .flags = TB_A_OPTIONAL,
     .description = "Minimum capacity set when the action runs."},
    {.name = "max_capacity",
     .type = T_NUM,
     .flags = TB_A_OPTIONAL,
     .description = "Maximum capacity set when the action runs."},
};

static const struct tb_nested_attrs schedules_map = {
    .nesting = TB_NEST_MAP,
    .attrs = schedules_attrs,
    .n_attrs = TB_COUNT(schedules_attrs),
};

static const struct tb_attr autoscaling_attrs[] = {
    {.name = "min_capacity",
     .type = T_NUM,
     .flags = OC,
     .description = "Minimum task count (default 2 in production, else 1).",
     .default_fn = dflt_min_capacity},
    {.name = "max_capacity",
     .type = T_NUM,
     .flags = OC,
     .description = "Maximum task count (default 10).",
     .default_json = "10"},
    {.name = "cpu_target",
     .type = T_NUM,
     .flags = OC,
     .description = "Average CPU utilisation to track, percent (default 70; 0: no CPU policy).",
     .default_json = "70"},
    {.name = "memory_target",
     .type = T_NUM,
     .flags = OC,
     .description = "Average memory utilisation to track, percent (default 80; 0: no memory "
                    "policy).",
     .default_json = "80"},
    {.name = "requests_per_target",
     .type = T_NUM,
     .flags = TB_A_OPTIONAL,
     .description = "ALB requests per target to track (needs a load_balancer; default: no "
                    "request policy)."},
    {.name = "scale_in_cooldown",
     .type = T_NUM,
     .flags = OC,
     .description = "Seconds after a scale-in before the next (default 300).",
     .default_json = "300"},
    {.name = "scale_out_cooldown",
     .type = T_NUM,
     .flags = OC,
     .description = "Seconds after a scale-out before the next (default 60).",
     .default_json = "60"},
    {.name = "schedules",
     .flags = TB_A_OPTIONAL,
     .description = "Scheduled actions by name: { \"business-hours\" = { schedule = "
                    "\"cron(0 8 ? * MON-FRI *)\", timezone = \"America/Sao_Paulo\", "
                    "min_capacity = 2, max_capacity = 10 } }. Another way to write schedule "
                    "blocks (not both): a finding about one schedule points at its entry.",
     .nested = &schedules_map},
};

static const struct tb_nested autoscaling_nested[] = {
    {.name = "schedule",
     .nesting = TB_NEST_SET,
     .block = &schedule_block,
     .min_items = 0,
     .max_items = 200},
};

static const struct tb_block autoscaling_block = {
    .attrs = autoscaling_attrs,
    .n_attrs = TB_COUNT(autoscaling_attrs),
    .blocks = autoscaling_nested,
    .n_blocks = TB_COUNT(autoscaling_nested),
    .description = "Application Auto Scaling: target tracking on CPU, memory and ALB requests, "
                   "and scheduled actions. Autoscaling then owns the desired count.",
};

static const struct tb_attr logs_attrs[] = {
    {.name = "retention_days",
     .type = T_NUM,
     .flags = OC,
     .description = "Retention of the log group /ecs/<name> (default 30 in production, 14 in "
                    "staging, 7 in development).",
     .default_fn = dflt_retention},
    {.name = "retain_on_destroy",
     .type = T_BOOL,
     .flags = OC,
     .description = "Keep the log group when the service is destroyed (default true in "
                    "production and staging, false in development).",
     .default_fn = dflt_retain},
};

static const struct tb_block logs_block = {
    .attrs = logs_attrs,
    .n_attrs = TB_COUNT(logs_attrs),
    .description = "CloudWatch log group of the containers. Without this block the defaults "
                   "apply.",
};

static const struct tb_attr timeouts_attrs[] = {
    {.name = "create",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "How long create may take, e.g. \"20m\" (default 30m)."},
    {.name = "update",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "How long update may take (default 30m)."},
    {.name = "delete",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "How long delete may take (default 20m)."},
};

static const struct tb_block timeouts_block = {
    .attrs = timeouts_attrs,
    .n_attrs = TB_COUNT(timeouts_attrs),
    .description = "Operation timeouts.",
};

/* ---- the resource --------------------------------------------------------- */

static const struct tb_attr service_attrs[] = {
    {.name = "id", .type = T_STR, .flags = TB_A_COMPUTED, .description = "cluster/name."},
    {.name = "name",
     .type = T_STR,
     .flags = TB_A_REQUIRED | TB_A_FORCE_NEW,
     .description = "Service name; by default also the task-definition family, the container "
                    "name and the log group /ecs/<name>."},
    {.name = "family",
     .type = T_STR,
     .flags = OC,
     .description = "Task-definition family (default: name). Changing it registers the next "
                    "revision in the new family and deregisters the old family's.",
     .default_fn = dflt_name},
    {.name = "container_name",
     .type = T_STR,
     .flags = OC | TB_A_FORCE_NEW,
     .description = "Name of the service's container (default: name). The load balancer "
                    "sends traffic to it by name: changing it replaces the service.",
     .default_fn = dflt_name},
    {.name = "log_group_name",
     .type = T_STR,
     .flags = OC | TB_A_FORCE_NEW,
     .description = "CloudWatch log group of the container (default /ecs/<name>). Log "
                    "groups cannot be renamed: changing it replaces the service.",
     .default_fn = dflt_log_group},
    {.name = "target_group_name",
     .type = T_STR,
     .flags = OC | TB_A_FORCE_NEW,
     .description = "Name of the target group, at most 32 letters, digits and inner hyphens "
                    "(default: from name and a hash of cluster/name; null without a "
                    "load_balancer). Target groups cannot be renamed: changing it replaces "
                    "the service.",
     .default_fn = dflt_tg_name},
    {.name = "cluster",
     .type = T_STR,
     .flags = TB_A_REQUIRED | TB_A_FORCE_NEW,
     .description = "ECS cluster name or ARN."},
    {.name = "role",
     .type = T_STR,
     .flags = TB_A_REQUIRED,
     .description = "web, api or worker: presets health-check timings; a worker has no load "
                    "balancer."},
    {.name = "image",
     .type = T_STR,
     .flags = TB_A_REQUIRED,
     .description = "Container image repository, without a tag."},
    {.name = "image_tag",
     .type = T_STR,
     .flags = TB_A_REQUIRED,
     .description = "Image tag (an immutable one: a git SHA or a release) or a digest "
                    "\"sha256:...\"."},
    {.name = "cpu",
     .type = T_NUM,
     .flags = TB_A_REQUIRED,
     .description = "Task CPU units (256, 512, 1024, 2048, 4096, 8192, 16384)."},
    {.name = "memory",
     .type = T_NUM,
     .flags = TB_A_REQUIRED,
     .description = "Task memory in MiB, valid for the cpu (rule TB003)."},
    {.name = "port",
     .type = T_NUM,
     .flags = TB_A_OPTIONAL | TB_A_FORCE_NEW,
     .description = "Container port (required with a load_balancer). Changing it replaces "
                    "the service."},
    {.name = "desired_count",
     .type = T_NUM,
     .flags = TB_A_OPTIONAL,
     .description = "Task count. Unset: autoscaling.min_capacity, else 2 in production and 1 "
                    "elsewhere. With autoscaling it is only the initial count."},
    {.name = "environment",
     .type = T_MAP,
     .flags = TB_A_OPTIONAL,
     .description = "Plain environment variables (no secrets: rule TB002)."},
    {.name = "secrets",
     .type = T_MAP,
     .flags = TB_A_OPTIONAL,
     .description = "Environment variables read from Secrets Manager or SSM ARNs."},
    {.name = "execution_role_arn",
     .type = T_STR,
     .flags = TB_A_REQUIRED,
     .description = "Role ECS uses to pull the image, read secrets and write logs."},
    {.name = "task_role_arn",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "Role the application runs with (must differ from the execution role)."},
    {.name = "enable_execute_command",
     .type = T_BOOL,
     .flags = OC,
     .description = "Allow ECS Exec into the tasks (default false).",
     .default_json = "false"},
    {.name = "tags",
     .type = T_MAP,
     .flags = TB_A_OPTIONAL,
     .description = "Tags of every taggable object of the bundle, over the provider's "
                    "default_tags."},
    {.name = "tags_all",
     .type = T_MAP,
     .flags = TB_A_COMPUTED,
     .description = "tags merged over the provider's default_tags."},
    {.name = "acknowledge",
     .type = T_MAP,
     .flags = TB_A_OPTIONAL,
     .description = "Rule ID -> reason: turns that rule's error into a warning."},
    {.name = "arn", .type = T_STR, .flags = TB_A_COMPUTED, .description = "ECS service ARN."},
    {.name = "task_definition_arn",
     .type = T_STR,
     .flags = TB_A_COMPUTED,
     .description = "ARN of the task-definition revision the service runs."},
    {.name = "task_definition_revision",
     .type = T_NUM,
     .flags = TB_A_COMPUTED,
     .description = "Revision number of that task definition."},
    {.name = "target_group_arn",
     .type = T_STR,
     .flags = TB_A_COMPUTED,
     .description = "ARN of the target group."},
    {.name = "listener_rule_arn",
     .type = T_STR,
     .flags = TB_A_COMPUTED,
     .description = "ARN of the listener rule."},
    {.name = "deployed_image",
     .type = T_STR,
     .flags = TB_A_COMPUTED,
     .description = "Image the service runs once its latest rollout completed."},
};

static const struct tb_nested service_nested[] = {
    {.name = "health_check",
     .nesting = TB_NEST_SINGLE,
     .block = &health_check_block,
     .min_items = 0,
     .max_items = 1},
    {.name = "network",
     .nesting = TB_NEST_SINGLE,
     .block = &network_block,
     .min_items = 1,
     .max_items = 1},
    {.name = "load_balancer",
     .nesting = TB_NEST_SINGLE,
     .block = &load_balancer_block,
     .min_items = 0,
     .max_items = 1},
    {.name = "deployment",
     .nesting = TB_NEST_SINGLE,
     .block = &deployment_block,
     .min_items = 0,
     .max_items = 1},
    {.name = "capacity",
     .nesting = TB_NEST_SINGLE,
     .block = &capacity_block,
     .min_items = 0,
     .max_items = 1},
    {.name = "autoscaling",
     .nesting = TB_NEST_SINGLE,
     .block = &autoscaling_block,
     .min_items = 0,
     .max_items = 1},
    {.name = "logs",
     .nesting = TB_NEST_SINGLE,
     .block = &logs_block,
     .min_items = 0,
     .max_items = 1},
    {.name = "timeouts",
     .nesting = TB_NEST_SINGLE,
     .block = &timeouts_block,
     .min_items = 0,
     .max_items = 1},
};

const struct tb_block tb_service_block = {
    .attrs = service_attrs,
    .n_attrs = TB_COUNT(service_attrs),
    .blocks = service_nested,
    .n_blocks = TB_COUNT(service_nested),
    .description = "A web, API or worker service on ECS Fargate behind the shared ALB: task "
                   "definition, service, target group, listener rule, autoscaling and log "
                   "group as one resource, checked against the team's rules (TB001-TB027).",
};

const struct tb_schema tb_service_schema = {
    .version = 0,
    .block = &tb_service_block,
};

/* clang-format off */
static const struct {
	const char *path;
	const struct tb_block *block;
} block_paths[] = {
    {.path = "", .block = &tb_service_block},
    {.path = "health_check", .block = &health_check_block},
    {.path = "network", .block = &network_block},
    {.path = "load_balancer", .block = &load_balancer_block},
    {.path = "load_balancer.health_check", .block = &lb_health_check_block},
    {.path = "load_balancer.stickiness", .block = &stickiness_block},
    {.path = "deployment", .block = &deployment_block},
    {.path = "capacity", .block = &capacity_block},
    {.path = "autoscaling", .block = &autoscaling_block},
    {.path = "autoscaling.schedule", .block = &schedule_block},
    {.path = "logs", .block = &logs_block},
    {.path = "timeouts", .block = &timeouts_block},
};
/* clang-format on */

/* Returns the block table at a dotted path ("" is the resource), or NULL. */
const struct tb_block *tb_service_block_at(const char *path)
{
	for (size_t i = 0; path && i < TB_COUNT(block_paths); i++)
		if (strcmp(block_paths[i].path, path) == 0)
			return block_paths[i].block;
	return NULL;
}

/* clang-format off */
static const struct {
	const char *block, *attr;
} role_defaults[] = {
    {.block = "health_check", .attr = "start_period"},
    {.block = "deployment", .attr = "health_check_grace_period"},
    {.block = "load_balancer.health_check", .attr = "path"},
};
/* clang-format on */

/* The object at a dotted block path of v, or NULL when absent or unknown. */
static const struct tb_value *block_in(const struct tb_value *v, const char *path)
{
	const char *dot = strchr(path, '.');
	char first[32];

	if (dot == NULL)
		v = tb_attr(v, path);
	else if ((size_t)(dot - path) < sizeof(first)) {
		memcpy(first, path, (size_t)(dot - path));
		first[dot - path] = '\0';
		v = tb_attr(tb_attr(v, first), dot + 1);
	} else
		return NULL;
	return tb_is_known(v) ? v : NULL;
}

/* Sets the role presets in value where config leaves them null. See service.h. */
int tb_service_role_defaults(struct tb_arena *a, const struct tb_meta *meta,
                             const struct tb_value *config, const struct tb_value **value)
{
	int err = 0;

	for (size_t i = 0; i < TB_COUNT(role_defaults) && err == 0; i++) {
		const struct tb_value *blk = block_in(config, role_defaults[i].block);
		const struct tb_attr *row = tb_block_attr(
		    tb_service_block_at(role_defaults[i].block), role_defaults[i].attr);
		struct tb_path path;
		const struct tb_value *v;
		if (blk == NULL || !tb_is_null(tb_attr(blk, role_defaults[i].attr)) || row == NULL)
			continue;
		if ((v = row->default_fn(a, meta, config)) == NULL)
			return TB_ENOMEM;
		err = tb_path_parse(
		    a, tb_arena_printf(a, "%s.%s", role_defaults[i].block, role_defaults[i].attr),
		    &path);
		if (err == 0)
			err = tb_value_set_path(a, *value, &path, v, value);
	}
	return err;
}

/* clang-format off */
static const struct {
	const char *block, *attr;
	const struct tb_value *(*fn)(struct tb_arena *a, const void *meta,
	                             const struct tb_value *config);
} derived[] = {
    {.block = "", .attr = "desired_count", .fn = derived_desired_count},
};
/* clang-format on */

/* The value an optional attribute without a schema default stands for when
 * null. See service.h. */
const struct tb_value *tb_service_derived(struct tb_arena *a, const struct tb_meta *meta,
                                          const struct tb_value *root, const char *block,
                                          const char *attr)
{
	for (size_t i = 0; i < TB_COUNT(derived); i++)
		if (strcmp(derived[i].block, block) == 0 && strcmp(derived[i].attr, attr) == 0)
			return derived[i].fn(a, meta, root);
	return NULL;
}
