/*
 * tb_aws_probe: drives the aws module (and nothing else of the provider)
 * through a scripted sequence of real calls against the endpoint in
 * AWS_ENDPOINT_URL, printing one JSON line per step with what it got. The
 * acceptance test tests/acceptance/test_aws_layer.py runs it against moto
 * and checks the results with boto3.
 *
 *   AWS_ENDPOINT_URL=http://127.0.0.1:5000 AWS_ACCESS_KEY_ID=x \
 *   AWS_SECRET_ACCESS_KEY=y AWS_REGION=us-east-1 tb_aws_probe
 *
 * Exit status: 0 when every step ended as expected, 1 otherwise, 2 when
 * the client could not be built.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tb/aws.h"
#include "tb/log.h"
#include "tb/util.h"

struct probe {
	struct tb_aws_client *client;
	struct tb_arena *arena;
	struct tb_aws_ctx ctx;
	int failures;
};

struct class_name {
	int err;
	const char *name;
};

/* clang-format off */
static const struct class_name class_names[] = {
	{.err = TB_ENOTFOUND, .name = "TB_ENOTFOUND"},
	{.err = TB_ETHROTTLED, .name = "TB_ETHROTTLED"},
	{.err = TB_ECANCELED, .name = "TB_ECANCELED"},
	{.err = TB_ETIMEOUT, .name = "TB_ETIMEOUT"},
	{.err = TB_EACCESS, .name = "TB_EACCESS"},
	{.err = TB_ECONFLICT, .name = "TB_ECONFLICT"},
	{.err = TB_EVALIDATION, .name = "TB_EVALIDATION"},
	{.err = TB_ETRANSIENT, .name = "TB_ETRANSIENT"},
	{.err = TB_EIO, .name = "TB_EIO"},
	{.err = TB_EAWS, .name = "TB_EAWS"},
	{.err = TB_EINVAL, .name = "TB_EINVAL"},
	{.err = TB_ENOMEM, .name = "TB_ENOMEM"},
	{.err = TB_EFAILED, .name = "TB_EFAILED"},
};
/* clang-format on */

static const char *class_name(int err)
{
	for (size_t i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++)
		if (class_names[i].err == err)
			return class_names[i].name;
	return err ? "TB_E?" : "OK";
}

/* Prints {"step": step, "ok": ok, ...fields} on one line and frees fields. */
static void emit(const char *step, bool ok, json_t *fields)
{
	json_t *line = json_pack("{s:s, s:b}", "step", step, "ok", ok);
	char *text;

	if (fields)
		json_object_update(line, fields);
	text = json_dumps(line, JSON_COMPACT | JSON_SORT_KEYS);
	printf("%s\n", text ? text : "{}");
	fflush(stdout);
	free(text);
	json_decref(line);
	json_decref(fields);
}

static json_t *error_fields(const struct tb_aws_error *e)
{
	return json_pack("{s:s, s:s?, s:s?, s:s?, s:i}", "class", class_name(e->err), "code",
	                 e->code, "message", e->message, "request_id", e->request_id, "http_status",
	                 e->http_status);
}

/* Reports a failed call; returns rc. */
static int fail(struct probe *p, const char *step, int rc)
{
	p->failures++;
	emit(step, false, error_fields(&p->ctx.error));
	return rc;
}

static int json_call(struct probe *p, const char *step, const char *svc, const char *action,
                     json_t *body, json_t **out)
{
	int rc = tb_aws_json(&p->ctx, svc, action, body, out);

	json_decref(body);
	return rc ? fail(p, step, rc) : 0;
}

static int query_call(struct probe *p, const char *step, const char *svc, const char *action,
                      const struct tb_aws_params *params, const struct tb_xml **out)
{
	int rc = tb_aws_query(&p->ctx, svc, action, params, out);
	return rc ? fail(p, step, rc) : 0;
}

static void step_sts(struct probe *p)
{
	const struct tb_xml *r;

	if (query_call(p, "sts.GetCallerIdentity", "sts", "GetCallerIdentity", NULL, &r) == 0)
		emit("sts.GetCallerIdentity", true,
		     json_pack("{s:s?, s:s?}", "account", tb_xml_text(r, "Account"), "arn",
		               tb_xml_text(r, "Arn")));
}

struct pages {
	int n;
	json_t *items;
	const char *array_key, *item_key;
};

static int collect_json(void *ud, json_t *page)
{
	struct pages *pg = ud;
	json_t *v;
	size_t i;

	pg->n++;
	json_array_foreach(json_object_get(page, pg->array_key), i, v)
	{
		json_t *item = pg->item_key ? json_object_get(v, pg->item_key) : v;
		json_array_append(pg->items, item);
	}
	return 0;
}

static void paginate_json(struct probe *p, const char *step, const char *svc, const char *action,
                          json_t *body, const char *token, const char *array_key,
                          const char *item_key)
{
	struct pages pg = {.items = json_array(), .array_key = array_key, .item_key = item_key};
	int rc = tb_aws_json_paginate(&p->ctx, svc, action, body, token, collect_json, &pg);

	json_decref(body);
	if (rc)
		fail(p, step, rc);
	else
		emit(step, true, json_pack("{s:i, s:O}", "pages", pg.n, "items", pg.items));
	json_decref(pg.items);
}

static void step_ecs(struct probe *p)
{
	static const char *const names[] = {"probe-1", "probe-2", "probe-3"};
	json_t *out = NULL;

	for (size_t i = 0; i < 3; i++)
		if (json_call(p, "ecs.CreateCluster", "ecs", "CreateCluster",
		              json_pack("{s:s}", "clusterName", names[i]), &out) == 0)
			emit("ecs.CreateCluster", true,
			     json_pack(
			         "{s:O?}", "arn",
			         json_object_get(json_object_get(out, "cluster"), "clusterArn")));
	paginate_json(p, "ecs.ListClusters", "ecs", "ListClusters",
	              json_pack("{s:i}", "maxResults", 1), "nextToken", "clusterArns", NULL);
	if (json_call(p, "ecs.DescribeClusters", "ecs", "DescribeClusters",
	              json_pack("{s:[s,s,s]}", "clusters", names[0], names[1], names[2]),
	              &out) == 0)
		emit("ecs.DescribeClusters", true,
		     json_pack("{s:O?}", "clusters", json_object_get(out, "clusters")));
}

static void step_ecs_service(struct probe *p)
{
	json_t *out = NULL;

	if (json_call(p, "ecs.RegisterTaskDefinition", "ecs", "RegisterTaskDefinition",
	              json_pack("{s:s, s:[{s:s, s:s, s:i}]}", "family", "probe-web",
	                        "containerDefinitions", "name", "web", "image", "nginx:1.27",
	                        "memory", 256),
	              &out) == 0)
		emit("ecs.RegisterTaskDefinition", true, NULL);
	if (json_call(p, "ecs.CreateService", "ecs", "CreateService",
	              json_pack("{s:s, s:s, s:s, s:i}", "cluster", "probe-1", "serviceName",
	                        "probe-svc", "taskDefinition", "probe-web", "desiredCount", 1),
	              &out) == 0)
		emit("ecs.CreateService", true,
		     json_pack("{s:O?}", "arn",
		               json_object_get(json_object_get(out, "service"), "serviceArn")));
}

static void step_ecs_error(struct probe *p)
{
	json_t *body = json_pack("{s:s, s:[s]}", "cluster", "missing-cluster", "services", "x");
	json_t *out = NULL;
	int rc = tb_aws_json(&p->ctx, "ecs", "DescribeServices", body, &out);

	json_decref(body);
	emit("ecs.DescribeServices.missing", rc == TB_ENOTFOUND, error_fields(&p->ctx.error));
	if (rc != TB_ENOTFOUND)
		p->failures++;
}

static void step_autoscaling(struct probe *p)
{
	json_t *out = NULL;

	if (json_call(p, "application-autoscaling.RegisterScalableTarget",
	              "application-autoscaling", "RegisterScalableTarget",
	              json_pack("{s:s, s:s, s:s, s:i, s:i}", "ServiceNamespace", "ecs",
	                        "ResourceId", "service/probe-1/probe-svc", "ScalableDimension",
	                        "ecs:service:DesiredCount", "MinCapacity", 1, "MaxCapacity", 4),
	              &out) == 0)
		emit("application-autoscaling.RegisterScalableTarget", true, NULL);
	paginate_json(p, "application-autoscaling.DescribeScalableTargets",
	              "application-autoscaling", "DescribeScalableTargets",
	              json_pack("{s:s}", "ServiceNamespace", "ecs"), "NextToken", "ScalableTargets",
	              "ResourceId");
}

struct xml_pages {
	int n;
	json_t *items;
	const char *list_path, *item;
};

static int collect_xml(void *ud, const struct tb_xml *res)
{
	struct xml_pages *pg = ud;

	pg->n++;
	for (const struct tb_xml *m = tb_xml_path(res, pg->list_path); m; m = m->next)
		json_array_append_new(pg->items, json_string(tb_xml_text(m, pg->item)));
	return 0;
}

static void paginate_query(struct probe *p, const char *step, const char *svc, const char *action,
                           const struct tb_aws_params *params, const char *marker,
                           const char *list_path, const char *item)
{
	struct xml_pages pg = {.items = json_array(), .list_path = list_path, .item = item};
	int rc = tb_aws_query_paginate(&p->ctx, svc, action, params, marker, collect_xml, &pg);

	if (rc)
		fail(p, step, rc);
	else
		emit(step, true, json_pack("{s:i, s:O}", "pages", pg.n, "items", pg.items));
	json_decref(pg.items);
}

static void step_elbv2(struct probe *p)
{
	struct tb_aws_params params, missing;
	const struct tb_xml *r;
	int rc;

	tb_aws_params_init(&params, p->arena);
	tb_aws_params_add(&params, "PageSize", "1");
	paginate_query(p, "elasticloadbalancing.DescribeLoadBalancers", "elasticloadbalancing",
	               "DescribeLoadBalancers", &params, "NextMarker", "LoadBalancers/member",
	               "LoadBalancerName");
	tb_aws_params_init(&missing, p->arena);
	tb_aws_params_add(&missing, "Names.member.1", "probe-missing-tg");
	rc = tb_aws_query(&p->ctx, "elasticloadbalancing", "DescribeTargetGroups", &missing, &r);
	emit("elasticloadbalancing.DescribeTargetGroups.missing", rc == TB_ENOTFOUND,
	     error_fields(&p->ctx.error));
	if (rc != TB_ENOTFOUND)
		p->failures++;
}

static void step_rds(struct probe *p)
{
	paginate_query(p, "rds.DescribeDBProxies", "rds", "DescribeDBProxies", NULL, "Marker",
	               "DBProxies/member", "DBProxyName");
}

static void step_secrets(struct probe *p)
{
	json_t *out = NULL;

	if (json_call(p, "secretsmanager.CreateSecret", "secretsmanager", "CreateSecret",
	              json_pack("{s:s, s:s}", "Name", "probe/db-password", "SecretString",
	                        "probe-secret-value"),
	              &out) == 0)
		emit("secretsmanager.CreateSecret", true,
		     json_pack("{s:O?, s:O?}", "arn", json_object_get(out, "ARN"), "version",
		               json_object_get(out, "VersionId")));
	paginate_json(p, "secretsmanager.ListSecrets", "secretsmanager", "ListSecrets",
	              json_pack("{s:i}", "MaxResults", 1), "NextToken", "SecretList", "Name");
}

static void step_cloudwatch(struct probe *p)
{
	struct tb_aws_params alarm, names;
	const struct tb_xml *r;

	tb_aws_params_init(&alarm, p->arena);
	tb_aws_params_add(&alarm, "AlarmName", "probe-cpu-high");
	tb_aws_params_add(&alarm, "Namespace", "AWS/ECS");
	tb_aws_params_add(&alarm, "MetricName", "CPUUtilization");
	tb_aws_params_add(&alarm, "Statistic", "Average");
	tb_aws_params_add(&alarm, "Period", "60");
	tb_aws_params_add(&alarm, "EvaluationPeriods", "3");
	tb_aws_params_add(&alarm, "Threshold", "80");
	tb_aws_params_add(&alarm, "ComparisonOperator", "GreaterThanThreshold");
	tb_aws_params_addf(&alarm, "ClusterName", "Dimensions.member.%d.Name", 1);
	tb_aws_params_addf(&alarm, "probe-1", "Dimensions.member.%d.Value", 1);
	if (query_call(p, "monitoring.PutMetricAlarm", "monitoring", "PutMetricAlarm", &alarm,
	               &r) == 0)
		emit("monitoring.PutMetricAlarm", true, NULL);
	tb_aws_params_init(&names, p->arena);
	tb_aws_params_add(&names, "AlarmNames.member.1", "probe-cpu-high");
	paginate_query(p, "monitoring.DescribeAlarms", "monitoring", "DescribeAlarms", &names,
	               "NextToken", "MetricAlarms/member", "AlarmName");
}

static void step_logs(struct probe *p)
{
	static const char *const groups[] = {"/probe/a", "/probe/b", "/probe/c"};
	json_t *out = NULL;

	for (size_t i = 0; i < 3; i++)
		if (json_call(p, "logs.CreateLogGroup", "logs", "CreateLogGroup",
		              json_pack("{s:s}", "logGroupName", groups[i]), &out) == 0)
			emit("logs.CreateLogGroup", true, json_pack("{s:s}", "name", groups[i]));
	paginate_json(p, "logs.DescribeLogGroups", "logs", "DescribeLogGroups",
	              json_pack("{s:s, s:i}", "logGroupNamePrefix", "/probe/", "limit", 1),
	              "nextToken", "logGroups", "logGroupName");
}

static void step_ssm(struct probe *p)
{
	json_t *out = NULL;

	if (json_call(p, "ssm.PutParameter", "ssm", "PutParameter",
	              json_pack("{s:s, s:s, s:s}", "Name", "/probe/image-tag", "Value", "v1.2.3",
	                        "Type", "String"),
	              &out) == 0)
		emit("ssm.PutParameter", true,
		     json_pack("{s:O?}", "version", json_object_get(out, "Version")));
	if (json_call(p, "ssm.GetParameter", "ssm", "GetParameter",
	              json_pack("{s:s}", "Name", "/probe/image-tag"), &out) == 0)
		emit("ssm.GetParameter", true,
		     json_pack("{s:O?}", "value",
		               json_object_get(json_object_get(out, "Parameter"), "Value")));
}

static struct tb_aws_config base_config(void)
{
	return (struct tb_aws_config){
	    .region = getenv("AWS_REGION") ? NULL : "us-east-1",
	    .max_retries = 2,
	    .retry_base_ms = 100,
	    .request_timeout_ms = 20000,
	    .user_agent = "tb_aws_probe",
	};
}

/* A client of its own, validated with GetCallerIdentity; reports the identity. */
static void identity_step(struct probe *p, const char *step, const struct tb_aws_config *cfg)
{
	struct tb_aws_client *c = NULL;
	char *err = NULL;
	int rc = tb_aws_client_new(cfg, &c, &err);

	if (rc)
		p->failures++;
	emit(step, rc == 0,
	     rc ? json_pack("{s:s, s:s?}", "class", class_name(rc), "message", err)
	        : json_pack("{s:s?, s:s?}", "account", tb_aws_account_id(c), "source",
	                    tb_aws_credential_source(c)));
	free(err);
	tb_aws_client_free(c);
}

static void step_assume_role(struct probe *p)
{
	struct tb_aws_config cfg = base_config();

	cfg.assume_role = (struct tb_aws_assume_role){
	    .role_arn = "arn:aws:iam::123456789012:role/probe-deploy", .session_name = "probe"};
	identity_step(p, "sts.AssumeRole", &cfg);
}

/* Web identity from a token file: the environment's keys are set aside for it. */
static void step_web_identity(struct probe *p)
{
	struct tb_aws_config cfg = base_config();
	char path[] = "/tmp/tb-probe-token-XXXXXX";
	char *ak = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
	int fd = mkstemp(path);

	ak = ak ? strdup(ak) : NULL;
	sk = sk ? strdup(sk) : NULL;
	if (fd < 0 || write(fd, "probe-oidc-token\n", 17) != 17) {
		p->failures++;
		emit("sts.AssumeRoleWithWebIdentity", false, NULL);
	} else {
		unsetenv("AWS_ACCESS_KEY_ID");
		unsetenv("AWS_SECRET_ACCESS_KEY");
		setenv("AWS_WEB_IDENTITY_TOKEN_FILE", path, 1);
		setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/probe-ci", 1);
		identity_step(p, "sts.AssumeRoleWithWebIdentity", &cfg);
		unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
		unsetenv("AWS_ROLE_ARN");
	}
	if (ak)
		setenv("AWS_ACCESS_KEY_ID", ak, 1);
	if (sk)
		setenv("AWS_SECRET_ACCESS_KEY", sk, 1);
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	free(ak);
	free(sk);
}

int main(void)
{
	struct tb_aws_config cfg = base_config();
	struct probe p = {0};
	char *err = NULL;

	tb_log_init();
	if (tb_aws_client_new(&cfg, &p.client, &err) != 0) {
		emit("client", false, json_pack("{s:s?}", "message", err));
		free(err);
		return 2;
	}
	emit("client", true,
	     json_pack("{s:s?, s:s, s:s, s:s?}", "account", tb_aws_account_id(p.client),
	               "partition", tb_aws_partition(p.client), "region", tb_aws_region(p.client),
	               "source", tb_aws_credential_source(p.client)));
	p.arena = tb_arena_new();
	p.ctx = (struct tb_aws_ctx){.client = p.client, .arena = p.arena};
	step_sts(&p);
	step_ecs(&p);
	step_ecs_service(&p);
	step_ecs_error(&p);
	step_autoscaling(&p);
	step_elbv2(&p);
	step_rds(&p);
	step_secrets(&p);
	step_cloudwatch(&p);
	step_logs(&p);
	step_ssm(&p);
	step_assume_role(&p);
	step_web_identity(&p);
	emit("done", p.failures == 0,
	     json_pack("{s:i, s:I}", "failures", p.failures, "requests",
	               (json_int_t)tb_aws_request_count(p.client)));
	tb_arena_free(p.arena);
	tb_aws_client_free(p.client);
	return p.failures ? 1 : 0;
}
