/*
 * talentbase_alarm_set: the kinds of alarm a service gets, as the documents
 * list them (ECS Configuration Fixes §10, AWS Infrastructure Architecture
 * "CloudWatch Alarms", Infrastructure Enhancements and AWS Best Practices
 * "Recommended Alarms"): what each watches, how it compares, its name and
 * what its description tells the person it pages.
 */
#include <string.h>

#include "resources/alarm_set/alarm_set.h"

#define GT  "GreaterThanThreshold"
#define GE  "GreaterThanOrEqualToThreshold"
#define LT  "LessThanThreshold"
#define ECS "AWS/ECS"
#define ALB "AWS/ApplicationELB"

/* clang-format off */
static const struct tb_alarm_kind kinds[TB_ALARM_N] = {
    [TB_ALARM_CPU] = {.block = "cpu_high", .suffix = "cpu-high", .threshold = "threshold",
        .namespace = ECS, .metric = "CPUUtilization", .statistic = "Average", .comparison = GT,
        .dims = TB_DIMS_SERVICE, .settings = true,
        .about = "CPU utilisation is high: look for a traffic spike or a hot code path; "
                 "autoscaling should be adding tasks."},
    [TB_ALARM_MEMORY] = {.block = "memory_high", .suffix = "memory-high", .threshold = "threshold",
        .namespace = ECS, .metric = "MemoryUtilization", .statistic = "Average", .comparison = GT,
        .dims = TB_DIMS_SERVICE, .settings = true,
        .about = "memory utilisation is high: its tasks risk being stopped for running out "
                 "of memory."},
    [TB_ALARM_TASKS] = {.block = "running_tasks_low", .suffix = "running-tasks-low",
        .threshold = "threshold", .namespace = "ECS/ContainerInsights",
        .metric = "RunningTaskCount", .statistic = "Minimum", .comparison = LT,
        .dims = TB_DIMS_SERVICE, .settings = true,
        .about = "fewer tasks run than should: tasks are crashing, failing their health "
                 "checks or cannot be placed (no data counts as breaching)."},
    [TB_ALARM_5XX] = {.block = "alb_5xx", .suffix = "alb-5xx", .threshold = "threshold",
        .namespace = ALB, .metric = "HTTPCode_Target_5XX_Count", .statistic = "Sum",
        .comparison = GT, .dims = TB_DIMS_TARGET, .alb = true, .settings = true,
        .about = "its targets answer with 5xx errors: check its logs and its latest "
                 "deployment."},
    [TB_ALARM_UNHEALTHY] = {.block = "unhealthy_targets", .suffix = "unhealthy-targets",
        .threshold = "threshold", .namespace = ALB, .metric = "UnHealthyHostCount",
        .statistic = "Maximum", .comparison = GE, .dims = TB_DIMS_TARGET, .alb = true,
        .settings = true,
        .about = "targets fail the load balancer's health check."},
    [TB_ALARM_LATENCY] = {.block = "latency_high", .suffix = "latency-high",
        .threshold = "threshold_seconds", .namespace = ALB, .metric = "TargetResponseTime",
        .statistic = "Average", .comparison = GT, .dims = TB_DIMS_TARGET, .alb = true,
        .settings = true,
        .about = "its targets respond slowly."},
    [TB_ALARM_PROXY] = {.block = "database_proxy_connections", .suffix = "db-proxy-connections",
        .threshold = "threshold_percent", .namespace = "AWS/RDS", .metric = NULL,
        .statistic = "Sum", .comparison = GT, .dims = TB_DIMS_PROXY,
        .about = "it holds most of the database connections it may open: the services "
                 "behind it are about to wait for connections."},
};
/* clang-format on */

/* The kind's row (static). See alarm_set.h. */
const struct tb_alarm_kind *tb_alarm_kind(enum tb_alarm_kind_id k)
{
	return &kinds[k];
}

/* The kind of an alarm name under prefix. See alarm_set.h. */
enum tb_alarm_kind_id tb_alarm_kind_of(const char *prefix, const char *name)
{
	size_t n = prefix ? strlen(prefix) : 0;

	if (name == NULL || n == 0 || strncmp(name, prefix, n) != 0 || name[n] != '-')
		return TB_ALARM_N;
	for (int k = 0; k < TB_ALARM_N; k++)
		if (strcmp(name + n + 1, kinds[k].suffix) == 0)
			return (enum tb_alarm_kind_id)k;
	return TB_ALARM_N;
}

/* "<prefix>-<suffix>". See alarm_set.h. */
char *tb_alarm_name(struct tb_arena *a, const char *prefix, enum tb_alarm_kind_id k)
{
	return tb_arena_printf(a, "%s-%s", prefix ? prefix : "", kinds[k].suffix);
}

/* The part of "cluster/name" after its last '/'. See alarm_set.h. */
char *tb_alarm_service_name(struct tb_arena *a, const char *service_id)
{
	const char *slash = service_id ? strrchr(service_id, '/') : NULL;

	if (slash == NULL || slash[1] == '\0')
		return NULL;
	return tb_arena_strdup(a, slash + 1);
}

/* The default description. See alarm_set.h. */
char *tb_alarm_default_description(struct tb_arena *a, const struct tb_alarm_set *s,
                                   enum tb_alarm_kind_id k)
{
	bool proxy = kinds[k].dims == TB_DIMS_PROXY;
	const char *subject = proxy ? s->k[k].proxy : s->service;

	return tb_arena_printf(a, "%s %s: %s Managed by talentbase_alarm_set.",
	                       proxy ? "RDS Proxy" : "ECS service", subject ? subject : "?",
	                       kinds[k].about);
}

/* Whether kind k's alarm belongs to s. See alarm_set.h. */
bool tb_alarm_expected(const struct tb_alarm_set *s, enum tb_alarm_kind_id k, bool has_lb)
{
	const struct tb_alarm *al = &s->k[k];

	return al->enabled && (!kinds[k].alb || has_lb) && (kinds[k].settings || al->set);
}
