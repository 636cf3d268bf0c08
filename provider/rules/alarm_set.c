/*
 * Rules of talentbase_alarm_set (TB201-TB205): the checks, then the table.
 * Each alarm is an optional block; the table below names them and their
 * documented thresholds.
 */
#include <string.h>

#include "rules/rule.h"

#define DOC_ECF  "ECS Configuration Fixes and Improvements"
#define DOC_ARCH "AWS Infrastructure Architecture"

#define ALL(s)                                                                                     \
	{                                                                                          \
		s, s, s                                                                            \
	}

struct alarm_kind {
	const char *block;
	const char *threshold; /* attribute */
	bool percent;          /* threshold is a percentage */
	double documented;     /* looser than this is TB204 (0: none) */
	bool above;            /* alarm fires above the threshold */
	const char *what;
};

static const struct alarm_kind alarm_kinds[] = {
    {"cpu_high", "threshold", true, 85, true, "CPU 85 %"},
    {"memory_high", "threshold", true, 90, true, "memory 90 %"},
    {"running_tasks_low", "threshold", false, 0, false, NULL},
    {"alb_5xx", "threshold", false, 10, true, "more than 10 5xx responses in 5 minutes"},
    {"unhealthy_targets", "threshold", false, 1, true, "1 unhealthy target"},
    {"latency_high", "threshold_seconds", false, 1, true, "1 second"},
    {"database_proxy_connections", "threshold_percent", true, 0, true, NULL},
};

static const char *attr_path(struct tb_rule_ctx *c, const char *block, const char *attr)
{
	return tb_arena_printf(c->a, "%s.%s", block, attr);
}

/* ---- TB201 period and evaluation ---------------------------------------------- */

static void check_period(struct tb_rule_ctx *c, const char *block)
{
	const char *path = attr_path(c, block, "period");
	double p, n, dp;

	if (path == NULL || !tb_rules_num(c->v, path, &p))
		return;
	if (p != 10 && p != 30 && (p < 60 || p != (double)((long long)(p / 60) * 60)))
		tb_rules_report(
		    c, 0, path,
		    "%s = %s: CloudWatch accepts a period of 10, 30 or a multiple of 60 "
		    "seconds.",
		    path, tb_rules_num_text(c->a, p));
	else if (tb_rules_num(c->v, attr_path(c, block, "evaluation_periods"), &n) && p * n > 86400)
		tb_rules_report(c, 0, path,
		                "%s x evaluation_periods = %s s is longer than one day, the most "
		                "CloudWatch evaluates.",
		                path, tb_rules_num_text(c->a, p * n));
	if (tb_rules_num(c->v, attr_path(c, block, "datapoints_to_alarm"), &dp) &&
	    tb_rules_num(c->v, attr_path(c, block, "evaluation_periods"), &n) && dp > n)
		tb_rules_report(c, 0, attr_path(c, block, "datapoints_to_alarm"),
		                "datapoints_to_alarm = %s is more than evaluation_periods = %s.",
		                tb_rules_num_text(c->a, dp), tb_rules_num_text(c->a, n));
}

static void check_evaluation(struct tb_rule_ctx *c)
{
	for (size_t i = 0; i < TB_COUNT(alarm_kinds); i++) {
		const char *block = alarm_kinds[i].block;
		const char *ep = attr_path(c, block, "evaluation_periods");
		double n;

		if (!tb_rules_is_set(c->v, block))
			continue;
		check_period(c, block);
		if (ep != NULL && tb_rules_num(c->v, ep, &n) && n < 1)
			tb_rules_report(c, 0, ep, "%s = %s: at least one period must be evaluated.",
			                ep, tb_rules_num_text(c->a, n));
	}
}

/* ---- TB202 actions ------------------------------------------------------------------- */

static void check_actions(struct tb_rule_ctx *c)
{
	const struct tb_value *actions = tb_attr(c->v, "alarm_actions");

	if (!tb_is_unknown(actions) && tb_len(actions) == 0)
		tb_rules_report(c, 0, "alarm_actions",
		                "alarm_actions is empty: the alarms change state without notifying "
		                "anyone.");
}

/* ---- TB203 percentages ------------------------------------------------------------------- */

static void check_percentages(struct tb_rule_ctx *c)
{
	for (size_t i = 0; i < TB_COUNT(alarm_kinds); i++) {
		const struct alarm_kind *k = &alarm_kinds[i];
		const char *path = attr_path(c, k->block, k->threshold);
		double t;

		if (k->percent && path != NULL && tb_rules_num(c->v, path, &t) &&
		    (t <= 0 || t > 100))
			tb_rules_report(c, 0, path,
			                "%s = %s is not a percentage above 0 and at most 100.",
			                path, tb_rules_num_text(c->a, t));
	}
}

/* ---- TB204 documented thresholds -------------------------------------------------- */

/* The threshold in the documented unit: 5xx counts are scaled to 5 minutes. */
static double normalised(struct tb_rule_ctx *c, const struct alarm_kind *k, double t)
{
	double period;

	if (strcmp(k->block, "alb_5xx") == 0 && tb_rules_num(c->v, "alb_5xx.period", &period) &&
	    period > 0)
		return t * 300 / period;
	return t;
}

static void check_documented(struct tb_rule_ctx *c)
{
	for (size_t i = 0; i < TB_COUNT(alarm_kinds); i++) {
		const struct alarm_kind *k = &alarm_kinds[i];
		const char *path = attr_path(c, k->block, k->threshold);
		double t;

		if (k->documented == 0 || path == NULL || !tb_rules_num(c->v, path, &t))
			continue;
		if (normalised(c, k, t) > k->documented)
			tb_rules_report(c, 0, path,
			                "%s = %s is looser than the documented threshold (%s): the "
			                "alarm fires late or not at all.",
			                path, tb_rules_num_text(c->a, t), k->what);
	}
}

/* ---- TB205 running tasks and the service's floor --------------------------------- */

static void check_running_floor(struct tb_rule_ctx *c)
{
	double t, floor;

	if (tb_rules_num(c->v, "running_tasks_low.threshold", &t) &&
	    tb_rules_num(c->v, "service_min_capacity", &floor) && t < floor)
		tb_rules_report(c, 0, "running_tasks_low.threshold",
		                "running_tasks_low.threshold = %s is below the service's minimum "
		                "capacity of %s: the service can run short of its floor without an "
		                "alarm.",
		                tb_rules_num_text(c->a, t), tb_rules_num_text(c->a, floor));
}

static const struct tb_rule alarm_rules[] = {
    {
        .id = "TB201",
        .resource = "talentbase_alarm_set",
        .path = "<alarm>.period",
        .summary = "alarm periods and evaluation must be valid",
        .levels = {{"period not 10, 30 or a multiple of 60; evaluation_periods < 1; "
                    "datapoints_to_alarm above evaluation_periods; period x evaluation_periods "
                    "over one day",
                    ALL(TB_ERR), TB_SHAPE}},
        .source = "Amazon CloudWatch API, PutMetricAlarm",
        .rationale = "CloudWatch rejects these when the alarm is put, in the middle of an "
                     "apply.",
        .instead = "period = 60 or 300, evaluation_periods = 2 or more, datapoints_to_alarm "
                   "at most evaluation_periods.",
        .check = check_evaluation,
    },
    {
        .id = "TB202",
        .resource = "talentbase_alarm_set",
        .path = "alarm_actions",
        .summary = "alarms must notify someone",
        .levels = {{"alarm_actions missing or empty", ALL(TB_WARN), TB_PRACTICE}},
        .source = DOC_ECF ", \"4. Configure SNS for Alarm Notifications\"; checkov CKV_AWS_319",
        .rationale = "An alarm without actions only changes colour in the console; the "
                     "documents wire every alarm to an SNS topic.",
        .instead = "alarm_actions = [aws_sns_topic.alerts.arn] (and ok_actions).",
        .check = check_actions,
    },
    {
        .id = "TB203",
        .resource = "talentbase_alarm_set",
        .path = "cpu_high.threshold",
        .summary = "percentage thresholds must lie in (0, 100]",
        .levels = {{"cpu_high, memory_high or database_proxy_connections threshold at most 0 "
                    "or above 100",
                    ALL(TB_ERR), TB_SHAPE}},
        .source = "Amazon CloudWatch metrics CPUUtilization and MemoryUtilization (percent)",
        .rationale = "A utilisation threshold above 100 % never fires and one at 0 % always "
                     "does.",
        .instead = "cpu_high { threshold = 85 }, memory_high { threshold = 90 }.",
        .check = check_percentages,
    },
    {
        .id = "TB204",
        .resource = "talentbase_alarm_set",
        .path = "cpu_high.threshold",
        .summary = "thresholds must not be looser than the documented ones",
        .levels = {{"CPU above 85 %, memory above 90 %, 5xx above 10 per 5 minutes, unhealthy "
                    "targets above 1, latency above 1 second",
                    ALL(TB_WARN), TB_PRACTICE}},
        .source = DOC_ECF ", \"10. CloudWatch Alarms Added\"; " DOC_ARCH ", \"CloudWatch Alarms\"",
        .rationale = "The documents set these thresholds to catch degradation before users "
                     "do; a looser alarm fires after the outage has started.",
        .instead = "The documented thresholds: cpu_high 85, memory_high 90, alb_5xx 10 in "
                   "300 s, unhealthy_targets 1, latency_high 1 s.",
        .check = check_documented,
    },
    {
        .id = "TB205",
        .resource = "talentbase_alarm_set",
        .path = "running_tasks_low.threshold",
        .summary = "the running-task alarm must guard the service's floor",
        .levels = {{"running_tasks_low.threshold below the service's minimum capacity (when "
                    "the resource knows it, as service_min_capacity)",
                    ALL(TB_WARN), TB_PRACTICE}},
        .source = DOC_ECF ", \"10. CloudWatch Alarms Added\" (server-task-count-low: < 2 tasks)",
        .rationale = "The alarm exists to say that the service runs fewer tasks than it "
                     "should; below the autoscaling minimum it only fires once most of the "
                     "service is gone.",
        .instead = "running_tasks_low { threshold = <the service's min_capacity> } (2 in "
                   "production).",
        .check = check_running_floor,
    },
};

const struct tb_rules_set tb_rules_alarm_set = {
    .resource = "talentbase_alarm_set",
    .rules = alarm_rules,
    .n = TB_COUNT(alarm_rules),
};
