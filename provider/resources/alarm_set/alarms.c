/*
 * talentbase_alarm_set, one alarm as CloudWatch has it: the alarm a block
 * configures, its PutMetricAlarm parameters, a DescribeAlarms member read
 * back, what it watches in words, and the settings it stands for; then the
 * CloudWatch calls of the set (DescribeAlarms, ListTagsForResource,
 * DeleteAlarms).
 */
#include <stdlib.h>
#include <string.h>

#include "resources/alarm_set/alarm_set.h"

#define CW                "monitoring"
#define NAMES_PER_CALL    100
#define PROXY_EXPRESSION  "100 * connections / allowed"
#define PROXY_LABEL       "DatabaseConnections, % of MaxDatabaseConnectionsAllowed"
#define PROXY_CONNECTIONS "DatabaseConnections"
#define PROXY_ALLOWED     "MaxDatabaseConnectionsAllowed"

/* ---- the alarm a block configures ---------------------------------------------------- */

static const char *const plain_stats[] = {"SampleCount", "Average", "Sum", "Minimum", "Maximum"};

/* Whether stat is an extended statistic (p99, tm99, IQM, ...), not a plain one. */
static bool extended(const char *stat)
{
	for (size_t i = 0; i < TB_COUNT(plain_stats); i++)
		if (tb_str_eq(stat, plain_stats[i]))
			return false;
	return stat != NULL;
}

/* Whether stat is a percentile (p99, p99.9): the only statistics whose low
 * sample counts CloudWatch can ignore. */
static bool percentile(const char *stat)
{
	return stat && stat[0] == 'p' && stat[1] >= '0' && stat[1] <= '9';
}

static int kvs_new(struct tb_arena *a, struct tb_kvs *out, size_t n, const char *const *kv)
{
	out->v = tb_arena_alloc(a, (n + 1) * sizeof(*out->v));
	out->n = n;
	if (out->v == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++)
		out->v[i] =
		    (struct tb_kv){.key = kv[2 * i], .value = kv[2 * i + 1] ? kv[2 * i + 1] : ""};
	return 0;
}

/* The dimensions (sorted by name) of kind k's metrics in s. */
static int dims_of(struct tb_arena *a, const struct tb_alarm_set *s, enum tb_alarm_kind_id k,
                   struct tb_kvs *out)
{
	enum tb_alarm_dims d = tb_alarm_kind(k)->dims;
	const char *service[] = {"ClusterName", s->cluster, "ServiceName", s->service_name};
	const char *target[] = {"LoadBalancer", s->load_balancer, "TargetGroup", s->target_group};
	const char *proxy[] = {"ProxyName", s->k[k].proxy};

	if (d == TB_DIMS_SERVICE)
		return kvs_new(a, out, 2, service);
	if (d == TB_DIMS_TARGET)
		return kvs_new(a, out, 2, target);
	return kvs_new(a, out, 1, proxy);
}

/* The metric math of database_proxy_connections: connections / allowed. */
static void proxy_metrics(struct tb_alarm_def *d, const struct tb_kvs *dims, int64_t period)
{
	struct tb_alarm_metric m = {
	    .namespace = "AWS/RDS", .stat = "Sum", .dims = *dims, .period = period};

	d->math = true;
	d->n_metrics = 3;
	d->metrics[0] = m;
	d->metrics[0].id = "connections";
	d->metrics[0].name = PROXY_CONNECTIONS;
	d->metrics[1] = m;
	d->metrics[1].id = "allowed";
	d->metrics[1].name = PROXY_ALLOWED;
	d->metrics[2] = (struct tb_alarm_metric){.id = "percent",
	                                         .expression = PROXY_EXPRESSION,
	                                         .label = PROXY_LABEL,
	                                         .return_data = true};
}

/* The alarm of kind k that s configures. See alarm_set.h. */
int tb_alarm_def_build(struct tb_arena *a, const struct tb_alarm_set *s, enum tb_alarm_kind_id k,
                       struct tb_alarm_def *out)
{
	const struct tb_alarm_kind *kind = tb_alarm_kind(k);
	const struct tb_alarm *al = &s->k[k];
	struct tb_alarm_def d = {
	    .name = tb_alarm_name(a, s->name_prefix, k),
	    .description =
	        al->description ? al->description : tb_alarm_default_description(a, s, k),
	    .comparison = kind->comparison,
	    .missing = al->missing,
	    .threshold = al->threshold,
	    .evaluation_periods = al->evaluation_periods,
	    .datapoints = al->datapoints ? al->datapoints : al->evaluation_periods,
	    .actions_enabled = true,
	    .alarm_actions = s->alarm_actions,
	    .ok_actions = s->ok_actions,
	    .insufficient_data_actions = s->insufficient_data_actions,
	    .n_metrics = 1,
	};
	struct tb_kvs dims;
	int err = dims_of(a, s, k, &dims);

	if (err != 0 || d.name == NULL || d.description == NULL)
		return err ? err : TB_ENOMEM;
	if (kind->metric == NULL) {
		proxy_metrics(&d, &dims, al->period);
	} else {
		d.metrics[0] = (struct tb_alarm_metric){.namespace = kind->namespace,
		                                        .name = kind->metric,
		                                        .stat = kind->statistic,
		                                        .dims = dims,
		                                        .period = al->period};
		if (k == TB_ALARM_LATENCY && al->statistic)
			d.metrics[0].stat = al->statistic;
		d.low_samples = percentile(d.metrics[0].stat) ? "ignore" : NULL;
	}
	*out = d;
	return 0;
}

/* ---- PutMetricAlarm ------------------------------------------------------------- */

/* A number as CloudWatch takes it: "85", "0.5" (arena). */
static char *num_text(struct tb_arena *a, double x)
{
	if (x == (double)(long long)x && x > -1e15 && x < 1e15)
		return tb_arena_printf(a, "%lld", (long long)x);
	return tb_arena_printf(a, "%.15g", x);
}

static int add_num(struct tb_aws_params *p, const char *name, double x)
{
	char *text = num_text(p->arena, x);
	return text ? tb_aws_params_add(p, name, text) : TB_ENOMEM;
}

static int add_list(struct tb_aws_params *p, const char *name, const struct tb_strs *v)
{
	int err = 0;

	for (size_t i = 0; i < v->n && err == 0; i++)
		err = tb_aws_params_addf(p, v->v[i], "%s.member.%zu", name, i + 1);
	return err;
}

static int add_dims(struct tb_aws_params *p, const char *prefix, const struct tb_kvs *dims)
{
	int err = 0;

	for (size_t i = 0; i < dims->n && err == 0; i++) {
		err = tb_aws_params_addf(p, dims->v[i].key, "%sDimensions.member.%zu.Name", prefix,
		                         i + 1);
		if (err == 0)
			err = tb_aws_params_addf(p, dims->v[i].value,
			                         "%sDimensions.member.%zu.Value", prefix, i + 1);
	}
	return err;
}

/* Namespace, MetricName, Statistic or ExtendedStatistic, Dimensions, Period. */
static int add_single(struct tb_aws_params *p, const struct tb_alarm_metric *m)
{
	int err = tb_aws_params_add(p, "Namespace", m->namespace);

	if (err == 0)
		err = tb_aws_params_add(p, "MetricName", m->name);
	if (err == 0)
		err = tb_aws_params_add(p, extended(m->stat) ? "ExtendedStatistic" : "Statistic",
		                        m->stat);
	if (err == 0)
		err = add_dims(p, "", &m->dims);
	if (err == 0)
		err = add_num(p, "Period", (double)m->period);
	if (err == 0 && m->unit)
		err = tb_aws_params_add(p, "Unit", m->unit);
	return err;
}

/* <prefix>MetricStat...: the metric a query of the metric math reads. */
static int add_metric_stat(struct tb_aws_params *p, const char *q, const struct tb_alarm_metric *m)
{
	char *stat = tb_arena_printf(p->arena, "%sMetricStat.", q);
	char *metric = tb_arena_printf(p->arena, "%sMetricStat.Metric.", q);
	char *period = num_text(p->arena, (double)m->period);
	int err = stat && metric && period ? 0 : TB_ENOMEM;

	if (err == 0)
		err = tb_aws_params_addf(p, m->namespace, "%sNamespace", metric);
	if (err == 0)
		err = tb_aws_params_addf(p, m->name, "%sMetricName", metric);
	if (err == 0)
		err = add_dims(p, metric, &m->dims);
	if (err == 0)
		err = tb_aws_params_addf(p, period, "%sPeriod", stat);
	if (err == 0)
		err = tb_aws_params_addf(p, m->stat, "%sStat", stat);
	return err;
}

/* Metrics.member.<i>: one query of the metric math. */
static int add_query(struct tb_aws_params *p, size_t i, const struct tb_alarm_metric *m)
{
	char *q = tb_arena_printf(p->arena, "Metrics.member.%zu.", i);
	int err = q ? tb_aws_params_addf(p, m->id, "%sId", q) : TB_ENOMEM;

	if (err == 0)
		err = tb_aws_params_addf(p, m->return_data ? "true" : "false", "%sReturnData", q);
	if (err == 0 && m->expression)
		err = tb_aws_params_addf(p, m->expression, "%sExpression", q);
	if (err == 0 && m->label)
		err = tb_aws_params_addf(p, m->label, "%sLabel", q);
	return err == 0 && m->name ? add_metric_stat(p, q, m) : err;
}

/* Name, description and actions. */
static int add_identity(struct tb_aws_params *p, const struct tb_alarm_def *d)
{
	int err = tb_aws_params_add(p, "AlarmName", d->name);

	if (err == 0 && d->description)
		err = tb_aws_params_add(p, "AlarmDescription", d->description);
	if (err == 0)
		err = tb_aws_params_add(p, "ActionsEnabled", d->actions_enabled ? "true" : "false");
	if (err == 0)
		err = add_list(p, "AlarmActions", &d->alarm_actions);
	if (err == 0)
		err = add_list(p, "OKActions", &d->ok_actions);
	if (err == 0)
		err = add_list(p, "InsufficientDataActions", &d->insufficient_data_actions);
	return err;
}

/* How the alarm evaluates its metric. */
static int add_evaluation(struct tb_aws_params *p, const struct tb_alarm_def *d)
{
	int err = tb_aws_params_add(p, "ComparisonOperator", d->comparison);

	if (err == 0)
		err = add_num(p, "EvaluationPeriods", (double)d->evaluation_periods);
	if (err == 0 && d->datapoints)
		err = add_num(p, "DatapointsToAlarm", (double)d->datapoints);
	if (err == 0)
		err = add_num(p, "Threshold", d->threshold);
	if (err == 0 && d->missing)
		err = tb_aws_params_add(p, "TreatMissingData", d->missing);
	if (err == 0 && d->low_samples)
		err = tb_aws_params_add(p, "EvaluateLowSampleCountPercentile", d->low_samples);
	return err;
}

/* PutMetricAlarm parameters. See alarm_set.h. */
int tb_alarm_put_params(const struct tb_alarm_def *d, const struct tb_kvs *tags,
                        struct tb_aws_params *out)
{
	int err = add_identity(out, d);

	if (err == 0)
		err = add_evaluation(out, d);
	if (err == 0 && !d->math)
		err = add_single(out, &d->metrics[0]);
	for (size_t i = 0; err == 0 && d->math && i < d->n_metrics; i++)
		err = add_query(out, i + 1, &d->metrics[i]);
	if (err == 0 && tags)
		err = tb_aws_tags_params(out, "Tags", tags);
	return err;
}

/* ---- DescribeAlarms members ------------------------------------------------------- */

static int cmp_kv(const void *x, const void *y)
{
	return strcmp(((const struct tb_kv *)x)->key, ((const struct tb_kv *)y)->key);
}

/* <Name>/<Value> members of list (Dimensions, Tags use Key/Value), sorted. */
static int xml_pairs(struct tb_arena *a, const struct tb_xml *list, const char *kname,
                     const char *vname, struct tb_kvs *out)
{
	size_t n = 0;

	for (const struct tb_xml *c = list ? list->children : NULL; c; c = c->next)
		n++;
	out->v = tb_arena_alloc(a, (n + 1) * sizeof(*out->v));
	out->n = 0;
	if (out->v == NULL)
		return TB_ENOMEM;
	for (const struct tb_xml *c = list ? list->children : NULL; c; c = c->next) {
		const char *k = tb_xml_text(c, kname), *v = tb_xml_text(c, vname);
		if (k)
			out->v[out->n++] = (struct tb_kv){.key = k, .value = v ? v : ""};
	}
	qsort(out->v, out->n, sizeof(*out->v), cmp_kv);
	return 0;
}

/* One Metrics member (a MetricDataQuery). */
static int flatten_query(struct tb_arena *a, const struct tb_xml *q, struct tb_alarm_metric *m)
{
	const struct tb_xml *metric = tb_xml_path(q, "MetricStat/Metric");

	m->id = tb_xml_text(q, "Id");
	m->expression = tb_xml_text(q, "Expression");
	m->label = tb_xml_text(q, "Label");
	m->return_data = !tb_str_eq(tb_xml_text(q, "ReturnData"), "false");
	m->namespace = tb_xml_text(metric, "Namespace");
	m->name = tb_xml_text(metric, "MetricName");
	m->stat = tb_xml_text(q, "MetricStat/Stat");
	m->unit = tb_xml_text(q, "MetricStat/Unit");
	m->period = tb_kit_xint(q, "MetricStat/Period");
	if (m->period == 0)
		m->period = tb_kit_xint(q, "Period");
	return xml_pairs(a, tb_xml_child(metric, "Dimensions"), "Name", "Value", &m->dims);
}

static int flatten_metrics(struct tb_arena *a, const struct tb_xml *alarm, struct tb_alarm_def *d)
{
	const struct tb_xml *list = tb_xml_child(alarm, "Metrics");
	struct tb_alarm_metric *m = &d->metrics[0];
	const char *ext = tb_xml_text(alarm, "ExtendedStatistic");
	int err = 0;

	for (const struct tb_xml *q = list ? list->children : NULL; q && err == 0; q = q->next) {
		if (d->n_metrics == TB_ALARM_MAX_METRICS) {
			d->more = true;
			break;
		}
		err = flatten_query(a, q, &d->metrics[d->n_metrics++]);
	}
	d->math = d->n_metrics > 0;
	if (err != 0 || d->math)
		return err;
	d->n_metrics = 1;
	m->namespace = tb_xml_text(alarm, "Namespace");
	m->name = tb_xml_text(alarm, "MetricName");
	m->stat = ext && *ext ? ext : tb_xml_text(alarm, "Statistic");
	m->unit = tb_xml_text(alarm, "Unit");
	m->period = tb_kit_xint(alarm, "Period");
	return xml_pairs(a, tb_xml_child(alarm, "Dimensions"), "Name", "Value", &m->dims);
}

/* A DescribeAlarms member. See alarm_set.h. */
int tb_alarm_flatten(struct tb_arena *a, const struct tb_xml *member, struct tb_alarm_def *out)
{
	const char *threshold = tb_xml_text(member, "Threshold");
	struct tb_alarm_def d = {
	    .name = tb_xml_text(member, "AlarmName"),
	    .arn = tb_xml_text(member, "AlarmArn"),
	    .description = tb_xml_text(member, "AlarmDescription"),
	    .comparison = tb_xml_text(member, "ComparisonOperator"),
	    .missing = tb_xml_text(member, "TreatMissingData"),
	    .low_samples = tb_xml_text(member, "EvaluateLowSampleCountPercentile"),
	    .threshold = threshold ? strtod(threshold, NULL) : 0,
	    .evaluation_periods = tb_kit_xint(member, "EvaluationPeriods"),
	    .datapoints = tb_kit_xint(member, "DatapointsToAlarm"),
	    .actions_enabled = !tb_str_eq(tb_xml_text(member, "ActionsEnabled"), "false"),
	};
	int err = d.name ? 0 : TB_EINVAL;

	if (err == 0)
		err = tb_kit_xstrs(a, tb_xml_child(member, "AlarmActions"), &d.alarm_actions);
	if (err == 0)
		err = tb_kit_xstrs(a, tb_xml_child(member, "OKActions"), &d.ok_actions);
	if (err == 0)
		err = tb_kit_xstrs(a, tb_xml_child(member, "InsufficientDataActions"),
		                   &d.insufficient_data_actions);
	if (err == 0)
		err = flatten_metrics(a, member, &d);
	if (err == 0)
		*out = d;
	return err;
}

/* ---- what an alarm watches, in words ------------------------------------------------ */

static void put_metric(struct tb_buf *b, const struct tb_alarm_metric *m)
{
	tb_buf_printf(b, "%s %s{", m->namespace ? m->namespace : "?", m->name ? m->name : "?");
	for (size_t i = 0; i < m->dims.n; i++)
		tb_buf_printf(b, "%s%s", i ? "," : "", m->dims.v[i].key);
	tb_buf_printf(b, "} %s", m->stat ? m->stat : "?");
	if (m->unit && *m->unit)
		tb_buf_printf(b, " (unit %s)", m->unit);
}

static void put_math(struct tb_buf *b, const struct tb_alarm_def *d)
{
	const char *expr = NULL, *sep = "";
	bool periods_differ = false;
	int64_t period = 0;

	for (size_t i = 0; i < d->n_metrics; i++)
		if (d->metrics[i].return_data && d->metrics[i].expression)
			expr = d->metrics[i].expression;
	tb_buf_printf(b, "%s (", expr ? expr : "?");
	for (size_t i = 0; i < d->n_metrics; i++) {
		const struct tb_alarm_metric *m = &d->metrics[i];
		if (m->name == NULL)
			continue;
		periods_differ = periods_differ || (period && m->period != period);
		period = m->period;
		tb_buf_printf(b, "%s%s: ", sep, m->id ? m->id : "?");
		put_metric(b, m);
		sep = "; ";
	}
	tb_buf_printf(b, ")%s%s", periods_differ ? ", metric periods differ" : "",
	              d->more ? ", more metrics" : "");
}

/* What the alarm watches and how. See alarm_set.h. */
char *tb_alarm_condition(struct tb_arena *a, const struct tb_alarm_def *d)
{
	struct tb_buf b;
	char *out = NULL;

	tb_buf_init(&b);
	if (d->math)
		put_math(&b, d);
	else
		put_metric(&b, &d->metrics[0]);
	tb_buf_printf(&b, " %s", d->comparison ? d->comparison : "?");
	if (!d->math && percentile(d->metrics[0].stat) && !tb_str_eq(d->low_samples, "ignore"))
		tb_buf_puts(&b, "; low sample counts evaluated");
	if (!d->actions_enabled)
		tb_buf_puts(&b, "; actions disabled");
	if (!b.failed)
		out = tb_arena_strndup(a, b.data ? b.data : "", b.len);
	tb_buf_free(&b);
	return out;
}

/* ---- the settings an alarm stands for ---------------------------------------------- */

static const char *dim(const struct tb_kvs *dims, const char *name)
{
	for (size_t i = 0; i < dims->n; i++)
		if (tb_str_eq(dims->v[i].key, name))
			return dims->v[i].value;
	return NULL;
}

/* The first metric with a name: the alarm's own, or the math's first. */
static const struct tb_alarm_metric *first_metric(const struct tb_alarm_def *d)
{
	for (size_t i = 0; i < d->n_metrics; i++)
		if (d->metrics[i].name)
			return &d->metrics[i];
	return &d->metrics[0];
}

/* The dimension values the alarm carries, into the set's shared attributes. */
static void view_dims(const struct tb_kvs *dims, enum tb_alarm_dims kind, struct tb_alarm_set *v)
{
	if (kind == TB_DIMS_SERVICE) {
		v->cluster = dim(dims, "ClusterName");
		v->service_name = dim(dims, "ServiceName");
	} else if (kind == TB_DIMS_TARGET) {
		v->load_balancer = dim(dims, "LoadBalancer");
		v->target_group = dim(dims, "TargetGroup");
	}
}

/* What d says, into view. See alarm_set.h. */
int tb_alarm_view(struct tb_arena *a, const struct tb_alarm_def *d, enum tb_alarm_kind_id k,
                  struct tb_alarm_set *view)
{
	const struct tb_alarm_kind *kind = tb_alarm_kind(k);
	const struct tb_alarm_metric *m = first_metric(d);
	struct tb_alarm *al = &view->k[k];

	al->enabled = true;
	if (!kind->settings)
		al->set = true;
	al->threshold = d->threshold;
	al->period = m->period;
	al->evaluation_periods = d->evaluation_periods;
	al->datapoints = d->datapoints;
	al->missing = d->missing && *d->missing ? d->missing : "missing";
	al->description = d->description;
	if (k == TB_ALARM_LATENCY)
		al->statistic = !d->math && extended(m->stat) ? m->stat : NULL;
	if (kind->dims == TB_DIMS_PROXY)
		al->proxy = dim(&m->dims, "ProxyName");
	al->arn = d->arn;
	al->condition = tb_alarm_condition(a, d);
	view->alarm_actions = d->alarm_actions;
	view->ok_actions = d->ok_actions;
	view->insufficient_data_actions = d->insufficient_data_actions;
	view_dims(&m->dims, kind->dims, view);
	return al->condition ? 0 : TB_ENOMEM;
}

/* ---- CloudWatch calls ---------------------------------------------------------------- */

/* DescribeAlarms by name, shared with every set of the process. See alarm_set.h. */
int tb_alarm_describe(struct tb_aws_ctx *ctx, const char *const *names, size_t n,
                      const struct tb_xml **found)
{
	return tb_aws_describe_alarms(ctx, names, n, found);
}

/* ListTagsForResource. See alarm_set.h. */
int tb_alarm_list_tags(struct tb_aws_ctx *ctx, const char *arn, struct tb_kvs *out)
{
	const struct tb_xml *res = NULL;
	struct tb_aws_params p;
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_aws_params_add(&p, "ResourceARN", arn);
	if (err == 0)
		err = tb_aws_query(ctx, CW, "ListTagsForResource", &p, &res);
	return err == 0 ? xml_pairs(ctx->arena, tb_xml_child(res, "Tags"), "Key", "Value", out)
	                : err;
}

/* DeleteAlarms. See alarm_set.h. */
int tb_alarm_delete(struct tb_aws_ctx *ctx, const char *const *names, size_t n)
{
	int err = 0;

	for (size_t start = 0; start < n && err == 0; start += NAMES_PER_CALL) {
		size_t count = n - start < NAMES_PER_CALL ? n - start : NAMES_PER_CALL;
		const struct tb_xml *ignored = NULL;
		struct tb_aws_params p;

		tb_aws_params_init(&p, ctx->arena);
		for (size_t i = 0; i < count && err == 0; i++)
			err = tb_aws_params_addf(&p, names[start + i], "AlarmNames.member.%zu",
			                         i + 1);
		if (err == 0)
			err = tb_aws_query(ctx, CW, "DeleteAlarms", &p, &ignored);
		/* "If you specify any incorrect alarm names, the alarms you specify
		 * with correct names are still deleted." */
		if (err == TB_ENOTFOUND)
			err = 0;
	}
	return err;
}
