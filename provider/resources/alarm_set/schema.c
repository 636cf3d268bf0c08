/*
 * talentbase_alarm_set: the schema tables, one per alarm block, and the
 * defaults that depend on the provider's environment or on the service.
 */
#include <string.h>

#include "resources/alarm_set/alarm_set.h"

#define T_STR  "\"string\""
#define T_NUM  "\"number\""
#define T_BOOL "\"bool\""
#define T_MAP  "[\"map\",\"string\"]"
#define T_SET  "[\"set\",\"string\"]"

#define OC (TB_A_OPTIONAL | TB_A_COMPUTED)

/* ---- defaults ------------------------------------------------------------------ */

/* name_prefix: the service's name, from service = "cluster/name". */
static const struct tb_value *dflt_name_prefix(struct tb_arena *a, const void *meta,
                                               const struct tb_value *config)
{
	const struct tb_value *svc = tb_attr(config, "service");
	char *name;

	if (tb_is_unknown(svc))
		return tb_unknown(a, &tb_type_string);
	name = tb_alarm_service_name(a, tb_get_str(svc));
	return name ? tb_string(a, name) : NULL;
}

/* running_tasks_low.threshold: the service's documented floor, 2 tasks in
 * production and 1 elsewhere (the service's default min_capacity). */
static const struct tb_value *dflt_tasks(struct tb_arena *a, const void *meta,
                                         const struct tb_value *config)
{
	const struct tb_meta *m = meta;
	const char *env = m ? m->environment : NULL;

	if (env == NULL)
		return tb_unknown(a, &tb_type_number);
	return tb_int(a, strcmp(env, "production") == 0 ? 2 : 1);
}

/* ---- the alarm blocks -------------------------------------------------------------- */

/* The attributes every alarm block has, after its threshold row. */
#define ROW_ENABLED                                                                                \
	{                                                                                          \
		.name = "enabled", .type = T_BOOL, .flags = OC,                                    \
		.description = "Whether the alarm exists (default true).", .default_json = "true"  \
	}
#define ROW_PERIOD(p)                                                                              \
	{                                                                                          \
		.name = "period", .type = T_NUM, .flags = OC,                                      \
		.description =                                                                     \
		    "Seconds per datapoint: 10, 30 or a multiple of 60 (default " p ").",          \
		.default_json = p                                                                  \
	}
#define ROW_EVALUATION(e)                                                                          \
	{                                                                                          \
		.name = "evaluation_periods", .type = T_NUM, .flags = OC,                          \
		.description = "Periods evaluated (default " e ").", .default_json = e             \
	}
#define ROW_DATAPOINTS                                                                             \
	{                                                                                          \
		.name = "datapoints_to_alarm", .type = T_NUM, .flags = TB_A_OPTIONAL,              \
		.description = "Breaching periods among them that fire the alarm (default: all "   \
		               "of them)."                                                         \
	}
#define ROW_MISSING(m)                                                                             \
	{                                                                                          \
		.name = "treat_missing_data", .type = T_STR, .flags = OC,                          \
		.description = "breaching, notBreaching, ignore or missing (default " m ").",      \
		.default_json = "\"" m "\""                                                        \
	}
#define ROW_DESCRIPTION                                                                            \
	{                                                                                          \
		.name = "description", .type = T_STR, .flags = TB_A_OPTIONAL,                      \
		.description = "Alarm description (default: what the alarm means, naming the "     \
		               "service)."                                                         \
	}
#define ALARM_COMMON(p, e, m)                                                                      \
	ROW_ENABLED, ROW_PERIOD(p), ROW_EVALUATION(e), ROW_DATAPOINTS, ROW_MISSING(m),             \
	    ROW_DESCRIPTION

static const struct tb_attr cpu_attrs[] = {
    {.name = "threshold",
     .type = T_NUM,
     .flags = OC,
     .description = "Average CPUUtilization (AWS/ECS) above which the alarm fires, percent "
                    "(default 85).",
     .default_json = "85"},
    ALARM_COMMON("300", "1", "missing"),
};

static const struct tb_attr memory_attrs[] = {
    {.name = "threshold",
     .type = T_NUM,
     .flags = OC,
     .description = "Average MemoryUtilization (AWS/ECS) above which the alarm fires, "
                    "percent (default 90).",
     .default_json = "90"},
    ALARM_COMMON("300", "1", "missing"),
};

static const struct tb_attr tasks_attrs[] = {
    {.name = "threshold",
     .type = T_NUM,
     .flags = OC,
     .description = "Minimum RunningTaskCount (ECS/ContainerInsights) below which the alarm "
                    "fires (default 2 in production, else 1).",
     .default_fn = dflt_tasks},
    ALARM_COMMON("60", "5", "breaching"),
};

static const struct tb_attr errors_attrs[] = {
    {.name = "threshold",
     .type = T_NUM,
     .flags = OC,
     .description = "HTTPCode_Target_5XX_Count (AWS/ApplicationELB) per period above which "
                    "the alarm fires (default 10).",
     .default_json = "10"},
    ALARM_COMMON("300", "1", "notBreaching"),
};

static const struct tb_attr unhealthy_attrs[] = {
    {.name = "threshold",
     .type = T_NUM,
     .flags = OC,
     .description = "Maximum UnHealthyHostCount (AWS/ApplicationELB) at or above which the "
                    "alarm fires (default 1).",
     .default_json = "1"},
    ALARM_COMMON("60", "2", "notBreaching"),
};

static const struct tb_attr latency_attrs[] = {
    {.name = "threshold_seconds",
     .type = T_NUM,
     .flags = OC,
     .description = "TargetResponseTime (AWS/ApplicationELB) above which the alarm fires, "
                    "seconds (default 1).",
     .default_json = "1"},
    {.name = "extended_statistic",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "A percentile such as \"p99\" (or tm99, wm99, tc99, ts99, IQM) instead of "
                    "the Average; low sample counts are not evaluated."},
    ALARM_COMMON("300", "2", "notBreaching"),
};

static const struct tb_attr proxy_attrs[] = {
    {.name = "proxy",
     .type = T_STR,
     .flags = TB_A_REQUIRED,
     .description = "Name of the RDS Proxy (ProxyName)."},
    {.name = "threshold_percent",
     .type = T_NUM,
     .flags = OC,
     .description = "DatabaseConnections as a percentage of MaxDatabaseConnectionsAllowed "
                    "(AWS/RDS, Sum) above which the alarm fires (default 80).",
     .default_json = "80"},
    ALARM_COMMON("300", "1", "notBreaching"),
};

#define ALARM_BLOCK(name_, attrs_, text_)                                                          \
	static const struct tb_block name_ = {                                                     \
	    .attrs = attrs_, .n_attrs = TB_COUNT(attrs_), .description = text_}

ALARM_BLOCK(cpu_block, cpu_attrs,
            "CPU utilisation of the service (AWS/ECS CPUUtilization, Average). Without this "
            "block the alarm exists with the defaults.");
ALARM_BLOCK(memory_block, memory_attrs,
            "Memory utilisation of the service (AWS/ECS MemoryUtilization, Average). Without "
            "this block the alarm exists with the defaults.");
ALARM_BLOCK(tasks_block, tasks_attrs,
            "Running tasks (ECS/ContainerInsights RunningTaskCount, Minimum); missing data is "
            "breaching, so a service that stopped reporting alarms. Needs Container Insights "
            "on the cluster. Without this block the alarm exists with the defaults.");
ALARM_BLOCK(errors_block, errors_attrs,
            "5xx answers of the service's targets (AWS/ApplicationELB "
            "HTTPCode_Target_5XX_Count, Sum, per target group). Only for a service with a load "
            "balancer; without this block the alarm exists with the defaults.");
ALARM_BLOCK(unhealthy_block, unhealthy_attrs,
            "Targets failing the health check (AWS/ApplicationELB UnHealthyHostCount, Maximum). "
            "Only for a service with a load balancer; without this block the alarm exists with "
            "the defaults.");
ALARM_BLOCK(latency_block, latency_attrs,
            "Target response time (AWS/ApplicationELB TargetResponseTime, Average or an "
            "extended statistic). Only for a service with a load balancer; without this block "
            "the alarm exists with the defaults.");
ALARM_BLOCK(proxy_block, proxy_attrs,
            "Connection saturation of an RDS Proxy: metric math 100 * DatabaseConnections / "
            "MaxDatabaseConnectionsAllowed (AWS/RDS, ProxyName, Sum). Without this block there "
            "is no such alarm (it needs the proxy's name).");

static const struct tb_attr timeouts_attrs[] = {
    {.name = "create",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "How long create may take, e.g. \"5m\" (default 5m)."},
    {.name = "update",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "How long update may take (default 5m)."},
    {.name = "delete",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "How long delete may take (default 5m)."},
};

static const struct tb_block timeouts_block = {
    .attrs = timeouts_attrs,
    .n_attrs = TB_COUNT(timeouts_attrs),
    .description = "Operation timeouts.",
};

/* ---- the resource ------------------------------------------------------------------- */

static const struct tb_attr set_attrs[] = {
    {.name = "id",
     .type = T_STR,
     .flags = TB_A_COMPUTED,
     .description = "<cluster>/<service name>/<name_prefix>."},
    {.name = "service",
     .type = T_STR,
     .flags = TB_A_REQUIRED | TB_A_FORCE_NEW,
     .description = "ID of the talentbase_service (\"<cluster>/<service name>\"): its "
                    "cluster, target group and load balancer are read from AWS."},
    {.name = "name_prefix",
     .type = T_STR,
     .flags = OC | TB_A_FORCE_NEW,
     .description = "Alarm names are \"<name_prefix>-cpu-high\" and so on (default: the "
                    "service's name). No \"/\".",
     .default_fn = dflt_name_prefix},
    {.name = "alarm_actions",
     .type = T_SET,
     .flags = TB_A_OPTIONAL,
     .description = "ARNs notified when an alarm fires (SNS topics; at most 5)."},
    {.name = "ok_actions",
     .type = T_SET,
     .flags = TB_A_OPTIONAL,
     .description = "ARNs notified when an alarm returns to OK (at most 5)."},
    {.name = "insufficient_data_actions",
     .type = T_SET,
     .flags = TB_A_OPTIONAL,
     .description = "ARNs notified when an alarm lacks data (at most 5)."},
    {.name = "tags",
     .type = T_MAP,
     .flags = TB_A_OPTIONAL,
     .description = "Tags of every alarm, over the provider's default_tags."},
    {.name = "tags_all",
     .type = T_MAP,
     .flags = TB_A_COMPUTED,
     .description = "tags merged over the provider's default_tags."},
    {.name = "acknowledge",
     .type = T_MAP,
     .flags = TB_A_OPTIONAL,
     .description = "Rule ID -> reason: turns that rule's error into a warning."},
    {.name = "alarm_arns",
     .type = T_MAP,
     .flags = TB_A_COMPUTED,
     .description = "Alarm ARN by kind (cpu_high, ...), for the alarms that exist."},
    {.name = "alarm_names",
     .type = T_MAP,
     .flags = TB_A_COMPUTED,
     .description = "Alarm name by kind."},
    {.name = "alarm_conditions",
     .type = T_MAP,
     .flags = TB_A_COMPUTED,
     .description = "What each alarm watches and how it compares (namespace, metric, "
                    "dimensions, statistic, comparison), as CloudWatch has it."},
    {.name = "cluster",
     .type = T_STR,
     .flags = TB_A_COMPUTED,
     .description = "ClusterName dimension of the service's alarms."},
    {.name = "service_name",
     .type = T_STR,
     .flags = TB_A_COMPUTED,
     .description = "ServiceName dimension of the service's alarms."},
    {.name = "load_balancer",
     .type = T_STR,
     .flags = TB_A_COMPUTED,
     .description = "LoadBalancer dimension (\"app/<name>/<id>\"); null without a load "
                    "balancer."},
    {.name = "target_group",
     .type = T_STR,
     .flags = TB_A_COMPUTED,
     .description = "TargetGroup dimension (\"targetgroup/<name>/<id>\"); null without a load "
                    "balancer."},
};

#define NEST(name_, block_)                                                                        \
	{                                                                                          \
		.name = name_, .nesting = TB_NEST_SINGLE, .block = block_, .min_items = 0,         \
		.max_items = 1                                                                     \
	}

static const struct tb_nested set_nested[] = {
    NEST("cpu_high", &cpu_block),
    NEST("memory_high", &memory_block),
    NEST("running_tasks_low", &tasks_block),
    NEST("alb_5xx", &errors_block),
    NEST("unhealthy_targets", &unhealthy_block),
    NEST("latency_high", &latency_block),
    NEST("database_proxy_connections", &proxy_block),
    NEST("timeouts", &timeouts_block),
};

const struct tb_block tb_alarm_set_block = {
    .attrs = set_attrs,
    .n_attrs = TB_COUNT(set_attrs),
    .blocks = set_nested,
    .n_blocks = TB_COUNT(set_nested),
    .description = "The CloudWatch alarms a talentbase_service needs (CPU, memory, running "
                   "tasks, and with a load balancer 5xx, unhealthy targets and latency; "
                   "optionally RDS Proxy connections), with the documented thresholds and the "
                   "dimensions read from the service, checked against the team's rules "
                   "(TB201-TB205).",
};

const struct tb_schema tb_alarm_set_schema = {
    .version = 0,
    .block = &tb_alarm_set_block,
};

/* Returns the block table at path ("" is the resource), or NULL. */
const struct tb_block *tb_alarm_set_block_at(const char *path)
{
	if (path == NULL)
		return NULL;
	if (*path == '\0')
		return &tb_alarm_set_block;
	for (size_t i = 0; i < TB_COUNT(set_nested); i++)
		if (strcmp(set_nested[i].name, path) == 0)
			return set_nested[i].block;
	return NULL;
}
