/*
 * talentbase_alarm_set, the pure parts: the alarm each block configures and
 * its PutMetricAlarm parameters, DescribeAlarms members read back (single
 * metric, extended statistic, metric math), what an alarm watches in words,
 * the ARN suffixes of the dimensions, defaults, and the shape checks.
 */
#include "test_alarm_set.h"

static bool has_param(const struct tb_aws_params *p, const char *name, const char *value)
{
	for (size_t i = 0; i < p->n; i++)
		if (tb_str_eq(p->items[i].name, name))
			return value == NULL || tb_str_eq(p->items[i].value, value);
	return false;
}

static struct tb_aws_params put_params(struct tb_alarm_set *s, enum tb_alarm_kind_id k)
{
	struct tb_alarm_def d;
	struct tb_aws_params p;

	assert_int_equal(tb_alarm_def_build(A, s, k, &d), 0);
	tb_aws_params_init(&p, A);
	assert_int_equal(tb_alarm_put_params(&d, &s->tags_all, &p), 0);
	return p;
}

/* ---- the alarms a configuration puts ------------------------------------------------ */

static void test_alarm_set_defaults(void **state)
{
	struct tb_meta prod = tbt_meta("production"), dev = tbt_meta("development");
	struct tb_alarm_set s = alm_web(&prod), d = alm_web(&dev);

	assert_string_equal(s.name_prefix, "web");
	assert_true(s.k[TB_ALARM_CPU].enabled);
	assert_true(s.k[TB_ALARM_CPU].threshold == 85);
	assert_int_equal(s.k[TB_ALARM_CPU].period, 300);
	assert_true(s.k[TB_ALARM_MEMORY].threshold == 90);
	assert_true(s.k[TB_ALARM_TASKS].threshold == 2);
	assert_true(d.k[TB_ALARM_TASKS].threshold == 1);
	assert_string_equal(s.k[TB_ALARM_TASKS].missing, "breaching");
	assert_int_equal(s.k[TB_ALARM_TASKS].evaluation_periods, 5);
	assert_string_equal(s.k[TB_ALARM_5XX].missing, "notBreaching");
	assert_true(s.k[TB_ALARM_UNHEALTHY].threshold == 1);
	assert_int_equal(s.k[TB_ALARM_UNHEALTHY].evaluation_periods, 2);
	assert_true(s.k[TB_ALARM_LATENCY].threshold == 1);
	assert_null(s.k[TB_ALARM_LATENCY].statistic);
	/* the proxy's block is absent: no such alarm */
	assert_false(tb_alarm_expected(&s, TB_ALARM_PROXY, true));
	assert_true(tb_alarm_expected(&s, TB_ALARM_5XX, true));
	assert_false(tb_alarm_expected(&s, TB_ALARM_5XX, false));
	assert_true(tb_alarm_expected(&s, TB_ALARM_CPU, false));
}

static void test_alarm_set_put_cpu(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_alarm_set s = alm_web(&meta);
	struct tb_kv tags[] = {{.key = "Service", .value = "web"}};
	struct tb_aws_params p;

	s.tags_all = (struct tb_kvs){.n = 1, .v = tags};
	p = put_params(&s, TB_ALARM_CPU);
	assert_true(has_param(&p, "Tags.member.1.Key", "Service"));
	assert_true(has_param(&p, "Tags.member.1.Value", "web"));
	assert_true(has_param(&p, "AlarmName", "web-cpu-high"));
	assert_true(has_param(&p, "Namespace", "AWS/ECS"));
	assert_true(has_param(&p, "MetricName", "CPUUtilization"));
	assert_true(has_param(&p, "Statistic", "Average"));
	assert_true(has_param(&p, "Dimensions.member.1.Name", "ClusterName"));
	assert_true(has_param(&p, "Dimensions.member.1.Value", "talentbase-prod"));
	assert_true(has_param(&p, "Dimensions.member.2.Name", "ServiceName"));
	assert_true(has_param(&p, "Dimensions.member.2.Value", "web"));
	assert_true(has_param(&p, "Period", "300"));
	assert_true(has_param(&p, "EvaluationPeriods", "1"));
	assert_true(has_param(&p, "DatapointsToAlarm", "1"));
	assert_true(has_param(&p, "Threshold", "85"));
	assert_true(has_param(&p, "ComparisonOperator", "GreaterThanThreshold"));
	assert_true(has_param(&p, "TreatMissingData", "missing"));
	assert_true(has_param(&p, "ActionsEnabled", "true"));
	assert_true(has_param(&p, "AlarmActions.member.1", TOPIC));
	assert_true(has_param(&p, "OKActions.member.1", TOPIC));
	assert_false(has_param(&p, "InsufficientDataActions.member.1", NULL));
	assert_false(has_param(&p, "EvaluateLowSampleCountPercentile", NULL));
	assert_true(
	    has_param(&p, "AlarmDescription",
	              "ECS service talentbase-prod/web: CPU utilisation is high: look for a "
	              "traffic spike or a hot code path; autoscaling should be adding "
	              "tasks. Managed by talentbase_alarm_set."));
}

static void test_alarm_set_put_targets(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_alarm_set s = alm_web(&meta);
	struct tb_aws_params p = put_params(&s, TB_ALARM_UNHEALTHY);

	assert_true(has_param(&p, "MetricName", "UnHealthyHostCount"));
	assert_true(has_param(&p, "Statistic", "Maximum"));
	assert_true(has_param(&p, "ComparisonOperator", "GreaterThanOrEqualToThreshold"));
	assert_true(has_param(&p, "Dimensions.member.1.Name", "LoadBalancer"));
	assert_true(has_param(&p, "Dimensions.member.1.Value", LB_SUFFIX));
	assert_true(has_param(&p, "Dimensions.member.2.Name", "TargetGroup"));
	assert_true(has_param(&p, "Dimensions.member.2.Value", TG_SUFFIX));
	assert_true(has_param(&p, "DatapointsToAlarm", "2"));
	assert_true(has_param(&p, "TreatMissingData", "notBreaching"));

	s.k[TB_ALARM_LATENCY].statistic = "p99";
	s.k[TB_ALARM_LATENCY].threshold = 0.25;
	p = put_params(&s, TB_ALARM_LATENCY);
	assert_true(has_param(&p, "ExtendedStatistic", "p99"));
	assert_false(has_param(&p, "Statistic", NULL));
	assert_true(has_param(&p, "EvaluateLowSampleCountPercentile", "ignore"));
	assert_true(has_param(&p, "Threshold", "0.25"));
	/* a trimmed mean is extended, but not a percentile */
	s.k[TB_ALARM_LATENCY].statistic = "tm99";
	p = put_params(&s, TB_ALARM_LATENCY);
	assert_true(has_param(&p, "ExtendedStatistic", "tm99"));
	assert_false(has_param(&p, "EvaluateLowSampleCountPercentile", NULL));
}

static void test_alarm_set_put_proxy_math(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_alarm_set s = alm_web(&meta);
	struct tb_aws_params p;

	s.k[TB_ALARM_PROXY].proxy = "talentbase-db";
	p = put_params(&s, TB_ALARM_PROXY);
	assert_true(has_param(&p, "AlarmName", "web-db-proxy-connections"));
	assert_false(has_param(&p, "MetricName", NULL));
	assert_false(has_param(&p, "Namespace", NULL));
	assert_true(has_param(&p, "Metrics.member.1.Id", "connections"));
	assert_true(has_param(&p, "Metrics.member.1.ReturnData", "false"));
	assert_true(has_param(&p, "Metrics.member.1.MetricStat.Metric.Namespace", "AWS/RDS"));
	assert_true(
	    has_param(&p, "Metrics.member.1.MetricStat.Metric.MetricName", "DatabaseConnections"));
	assert_true(has_param(&p, "Metrics.member.1.MetricStat.Metric.Dimensions.member.1.Name",
	                      "ProxyName"));
	assert_true(has_param(&p, "Metrics.member.1.MetricStat.Metric.Dimensions.member.1.Value",
	                      "talentbase-db"));
	assert_true(has_param(&p, "Metrics.member.1.MetricStat.Stat", "Sum"));
	assert_true(has_param(&p, "Metrics.member.1.MetricStat.Period", "300"));
	assert_true(has_param(&p, "Metrics.member.2.MetricStat.Metric.MetricName",
	                      "MaxDatabaseConnectionsAllowed"));
	assert_true(has_param(&p, "Metrics.member.3.Expression", "100 * connections / allowed"));
	assert_true(has_param(&p, "Metrics.member.3.ReturnData", "true"));
	assert_false(has_param(&p, "Metrics.member.3.MetricStat.Stat", NULL));
	assert_true(has_param(&p, "Threshold", "80"));
	assert_true(
	    has_param(&p, "AlarmDescription",
	              "RDS Proxy talentbase-db: it holds most of the database connections it "
	              "may open: the services behind it are about to wait for connections. "
	              "Managed by talentbase_alarm_set."));
}

/* ---- what CloudWatch answers -------------------------------------------------------- */

static void test_alarm_set_flatten_single(void **state)
{
	struct tb_alarm_def d;

	assert_int_equal(
	    tb_alarm_flatten(A, alm_member("describe_alarms.xml", "web-running-tasks-low"), &d), 0);
	assert_string_equal(d.arn, ARN_OF("web-running-tasks-low"));
	assert_false(d.math);
	assert_int_equal(d.n_metrics, 1);
	assert_string_equal(d.metrics[0].namespace, "ECS/ContainerInsights");
	assert_string_equal(d.metrics[0].stat, "Minimum");
	assert_int_equal(d.metrics[0].period, 60);
	assert_int_equal(d.metrics[0].dims.n, 2);
	assert_int_equal(d.evaluation_periods, 5);
	assert_int_equal(d.datapoints, 3);
	assert_true(d.threshold == 2);
	assert_string_equal(d.missing, "breaching");
	assert_int_equal(d.alarm_actions.n, 1);
	assert_int_equal(d.insufficient_data_actions.n, 0);
	assert_string_equal(tb_alarm_condition(A, &d),
	                    "ECS/ContainerInsights RunningTaskCount{ClusterName,ServiceName} "
	                    "Minimum LessThanThreshold");
	d.actions_enabled = false;
	assert_string_equal(tb_alarm_condition(A, &d),
	                    "ECS/ContainerInsights RunningTaskCount{ClusterName,ServiceName} "
	                    "Minimum LessThanThreshold; actions disabled");
}

static void test_alarm_set_flatten_percentile(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_alarm_set v = alm_web(&meta);
	struct tb_alarm_def d;

	assert_int_equal(
	    tb_alarm_flatten(A, alm_member("describe_alarms.xml", "web-latency-high"), &d), 0);
	assert_string_equal(d.metrics[0].stat, "p99");
	assert_string_equal(d.low_samples, "ignore");
	assert_int_equal(tb_alarm_view(A, &d, TB_ALARM_LATENCY, &v), 0);
	assert_string_equal(v.k[TB_ALARM_LATENCY].statistic, "p99");
	assert_true(v.k[TB_ALARM_LATENCY].threshold == 0.5);
	assert_null(v.k[TB_ALARM_LATENCY].description);
	assert_string_equal(v.load_balancer, LB_SUFFIX);
	assert_string_equal(v.target_group, TG_SUFFIX);
	assert_string_equal(v.k[TB_ALARM_LATENCY].condition,
	                    "AWS/ApplicationELB TargetResponseTime{LoadBalancer,TargetGroup} p99 "
	                    "GreaterThanThreshold");
	d.low_samples = NULL;
	assert_string_equal(tb_alarm_condition(A, &d),
	                    "AWS/ApplicationELB TargetResponseTime{LoadBalancer,TargetGroup} p99 "
	                    "GreaterThanThreshold; low sample counts evaluated");
}

static void test_alarm_set_flatten_math(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_alarm_set v = alm_web(&meta), s = alm_web(&meta);
	struct tb_alarm_def d, built;

	assert_int_equal(
	    tb_alarm_flatten(A, alm_member("describe_alarms.xml", "web-db-proxy-connections"), &d),
	    0);
	assert_true(d.math);
	assert_int_equal(d.n_metrics, 3);
	assert_int_equal(tb_alarm_view(A, &d, TB_ALARM_PROXY, &v), 0);
	assert_string_equal(v.k[TB_ALARM_PROXY].proxy, "talentbase-db");
	assert_int_equal(v.k[TB_ALARM_PROXY].period, 300);
	assert_true(v.k[TB_ALARM_PROXY].set);
	assert_string_equal(v.k[TB_ALARM_PROXY].condition,
	                    "100 * connections / allowed (connections: AWS/RDS "
	                    "DatabaseConnections{ProxyName} Sum; allowed: AWS/RDS "
	                    "MaxDatabaseConnectionsAllowed{ProxyName} Sum) GreaterThanThreshold");
	/* what the block puts reads back in the same words */
	s.k[TB_ALARM_PROXY].proxy = "talentbase-db";
	assert_int_equal(tb_alarm_def_build(A, &s, TB_ALARM_PROXY, &built), 0);
	assert_string_equal(tb_alarm_condition(A, &built), v.k[TB_ALARM_PROXY].condition);
	d.metrics[1].period = 60;
	assert_true(tb_str_has_suffix(tb_alarm_condition(A, &d),
	                              "Sum), metric periods differ GreaterThanThreshold"));
}

/* Every alarm the web set puts reads back as the same condition and settings. */
static void test_alarm_set_round_trip(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_alarm_set s = alm_web(&meta);

	for (int k = 0; k < TB_ALARM_PROXY; k++) {
		struct tb_alarm_set v = s;
		struct tb_alarm_def put, got;
		const char *name = tb_alarm_name(A, "web", k);
		assert_int_equal(tb_alarm_def_build(A, &s, k, &put), 0);
		assert_int_equal(
		    tb_alarm_flatten(A, alm_member("describe_alarms_web.xml", name), &got), 0);
		assert_string_equal(tb_alarm_condition(A, &got), tb_alarm_condition(A, &put));
		assert_int_equal(tb_alarm_view(A, &got, k, &v), 0);
		s.k[k].condition = v.k[k].condition;
		v.k[k].datapoints = 0; /* all of them, as configured */
		assert_string_equal(v.k[k].description, tb_alarm_default_description(A, &s, k));
		v.k[k].description = NULL;
		assert_true(tb_alarm_same(&s, &v, k));
	}
}

/* ---- dimensions and names ---------------------------------------------------------- */

static void test_alarm_set_suffixes(void **state)
{
	const char *cluster = NULL, *name = NULL;

	assert_string_equal(tb_alarm_tg_suffix(TG_ARN), TG_SUFFIX);
	assert_string_equal(tb_alarm_lb_suffix("arn:aws:elasticloadbalancing:us-east-1:"
	                                       "123456789012:loadbalancer/app/talentbase-prod/"
	                                       "50dc6c495c0c9188"),
	                    LB_SUFFIX);
	assert_null(tb_alarm_lb_suffix("arn:aws:elasticloadbalancing:us-east-1:123456789012:"
	                               "loadbalancer/net/nlb/50dc6c495c0c9188"));
	assert_null(tb_alarm_tg_suffix("targetgroup"));
	assert_int_equal(tb_alarm_split_service(A, "talentbase-prod/web", &cluster, &name), 0);
	assert_string_equal(cluster, "talentbase-prod");
	assert_string_equal(name, "web");
	assert_int_equal(
	    tb_alarm_split_service(A, "arn:aws:ecs:us-east-1:123456789012:cluster/prod/web",
	                           &cluster, &name),
	    0);
	assert_string_equal(cluster, "arn:aws:ecs:us-east-1:123456789012:cluster/prod");
	assert_int_equal(tb_alarm_split_service(A, "web", &cluster, &name), TB_EINVAL);
	assert_int_equal(tb_alarm_split_service(A, "prod/", &cluster, &name), TB_EINVAL);
	assert_int_equal(tb_alarm_kind_of("web", "web-latency-high"), TB_ALARM_LATENCY);
	assert_int_equal(tb_alarm_kind_of("web", "web-api-cpu-high"), TB_ALARM_N);
	assert_int_equal(tb_alarm_kind_of("web", "webcpu-high"), TB_ALARM_N);
}

/* ---- validation ------------------------------------------------------------------- */

static struct tb_call validate(const char *json)
{
	static struct tb_meta meta;
	struct tb_call c;

	meta = tbt_meta(NULL);
	c = tbt_call(&meta);
	tb_resource_alarm_set.validate(&c, alm_value(json));
	return c;
}

static const struct tb_diag *diag_at(const struct tb_call *c, const char *path)
{
	for (const struct tb_diag *d = c->diags.head; d; d = d->next)
		if (d->severity == TB_SEV_ERROR && tb_str_eq(tb_path_string(A, &d->path), path))
			return d;
	return NULL;
}

static void test_alarm_set_validate(void **state)
{
	struct tb_call c = validate("{\"service\":\"talentbase-prod/web\","
	                            "\"alarm_actions\":[\"" TOPIC "\"],"
	                            "\"latency_high\":{\"extended_statistic\":\"p99.9\"},"
	                            "\"cpu_high\":{\"treat_missing_data\":\"notBreaching\"}}");

	assert_false(tb_diags_has_errors(&c.diags));
	c = validate("{\"service\":\"web\"}");
	assert_non_null(diag_at(&c, "service"));
	c = validate("{\"service\":\"p/web\",\"name_prefix\":\"a/b\"}");
	assert_non_null(diag_at(&c, "name_prefix"));
	c = validate("{\"service\":\"p/web\",\"latency_high\":{\"extended_statistic\":\"p101\"}}");
	assert_non_null(diag_at(&c, "latency_high.extended_statistic"));
	c = validate(
	    "{\"service\":\"p/web\",\"latency_high\":{\"extended_statistic\":\"Average\"}}");
	assert_non_null(diag_at(&c, "latency_high.extended_statistic"));
	c = validate("{\"service\":\"p/web\",\"alb_5xx\":{\"treat_missing_data\":\"zero\"}}");
	assert_non_null(diag_at(&c, "alb_5xx.treat_missing_data"));
	c = validate("{\"service\":\"p/web\",\"alarm_actions\":[\"ops@example.com\"]}");
	assert_non_null(diag_at(&c, "alarm_actions"));
	c = validate("{\"service\":\"p/web\",\"ok_actions\":[\"arn:1\",\"arn:2\",\"arn:3\","
	             "\"arn:4\",\"arn:5\",\"arn:6\"]}");
	assert_non_null(diag_at(&c, "ok_actions"));
	/* TB201 and TB203 need no environment: they run at validate */
	c = validate("{\"service\":\"p/web\",\"cpu_high\":{\"period\":45}}");
	assert_non_null(diag_at(&c, "cpu_high.period"));
	c = validate("{\"service\":\"p/web\",\"memory_high\":{\"threshold\":120}}");
	assert_non_null(diag_at(&c, "memory_high.threshold"));
	/* a disabled alarm is not judged */
	c = validate(
	    "{\"service\":\"p/web\",\"memory_high\":{\"threshold\":120,\"enabled\":false}}");
	assert_null(diag_at(&c, "memory_high.threshold"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_alarm_set_defaults, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_alarm_set_put_cpu, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_alarm_set_put_targets, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_alarm_set_put_proxy_math, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_alarm_set_flatten_single, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_alarm_set_flatten_percentile, tbt_setup,
	                                    tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_alarm_set_flatten_math, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_alarm_set_round_trip, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_alarm_set_suffixes, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_alarm_set_validate, tbt_setup, tbt_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
