/*
 * Pagination against a scripted server (JSON tokens, Query markers) and
 * the fan-out helper (parallel runs, error order, connection reuse).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <time.h>

#include "aws/internal.h"
#include "helpers/aws_fixture.h"
#include "helpers/http_server.h"
#include "tb/log.h"

struct fixture {
	struct tbt_server *srv;
	struct tb_aws_client *client;
	struct tb_arena *arena;
	struct tb_aws_ctx ctx;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct tb_aws_config cfg = tbt_aws_config();
	char *err = NULL;
	int rc;

	tbt_aws_env_reset();
	f->srv = tbt_server_start();
	f->arena = tb_arena_new();
	setenv("AWS_ENDPOINT_URL", tbt_server_url(f->srv), 1);
	rc = tb_aws_client_new(&cfg, &f->client, &err);
	free(err);
	f->ctx = (struct tb_aws_ctx){.client = f->client, .arena = f->arena};
	*state = f;
	return rc;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tb_aws_client_free(f->client);
	tbt_server_stop(f->srv);
	tb_arena_free(f->arena);
	tbt_aws_home_remove();
	free(f);
	return 0;
}

static void push(struct fixture *f, int status, const char *body)
{
	tbt_server_push(f->srv, &(struct tbt_response){.status = status, .body = body});
}

static const char *req_body(struct fixture *f, size_t i)
{
	return tbt_server_request(f->srv, i)->body;
}

struct collect {
	char names[256];
	int pages, stop_after, fail_with;
};

static int collect_arns(void *ud, json_t *page)
{
	struct collect *c = ud;
	json_t *v;
	size_t i;

	c->pages++;
	json_array_foreach(json_object_get(page, "clusterArns"), i, v)
	{
		strcat(c->names, json_string_value(v));
		strcat(c->names, ",");
	}
	if (c->fail_with && c->pages == c->stop_after)
		return c->fail_with;
	return c->stop_after && c->pages == c->stop_after ? 1 : 0;
}

static void test_json_pages(void **state)
{
	struct fixture *f = *state;
	struct collect c = {0};
	json_t *body = json_pack("{s:i}", "maxResults", 1);

	push(f, 200, "{\"clusterArns\":[\"a\"],\"nextToken\":\"t1\"}");
	push(f, 200, "{\"clusterArns\":[\"b\"],\"nextToken\":\"t2\"}");
	push(f, 200, "{\"clusterArns\":[\"c\"]}");
	assert_int_equal(tb_aws_json_paginate(&f->ctx, "ecs", "ListClusters", body, "nextToken",
	                                      collect_arns, &c),
	                 0);
	assert_string_equal(c.names, "a,b,c,");
	assert_int_equal(tbt_server_count(f->srv), 3);
	assert_string_equal(req_body(f, 0), "{\"maxResults\":1}");
	assert_string_equal(req_body(f, 1), "{\"maxResults\":1,\"nextToken\":\"t1\"}");
	assert_string_equal(req_body(f, 2), "{\"maxResults\":1,\"nextToken\":\"t2\"}");
	assert_null(json_object_get(body, "nextToken"));
	json_decref(body);
}

static void test_json_stop_and_fail(void **state)
{
	struct fixture *f = *state;
	struct collect stop = {.stop_after = 1}, fail = {.stop_after = 1, .fail_with = TB_EINVAL};

	push(f, 200, "{\"clusterArns\":[\"a\"],\"nextToken\":\"t1\"}");
	assert_int_equal(tb_aws_json_paginate(&f->ctx, "ecs", "ListClusters", NULL, "nextToken",
	                                      collect_arns, &stop),
	                 0);
	assert_int_equal(tbt_server_count(f->srv), 1);
	push(f, 200, "{\"clusterArns\":[\"a\"],\"nextToken\":\"t1\"}");
	assert_int_equal(tb_aws_json_paginate(&f->ctx, "ecs", "ListClusters", NULL, "nextToken",
	                                      collect_arns, &fail),
	                 TB_EINVAL);
	assert_int_equal(tbt_server_count(f->srv), 2);
}

static void test_json_error_on_second_page(void **state)
{
	struct fixture *f = *state;
	struct collect c = {0};

	push(f, 200, "{\"clusterArns\":[\"a\"],\"nextToken\":\"t1\"}");
	push(f, 400, "{\"__type\":\"InvalidParameterException\",\"message\":\"bad token\"}");
	assert_int_equal(tb_aws_json_paginate(&f->ctx, "ecs", "ListClusters", NULL, "nextToken",
	                                      collect_arns, &c),
	                 TB_EVALIDATION);
	assert_int_equal(c.pages, 1);
	assert_string_equal(f->ctx.error.message, "bad token");
}

static void test_json_repeated_token_ends(void **state)
{
	struct fixture *f = *state;
	struct collect c = {0};

	push(f, 200, "{\"clusterArns\":[\"a\"],\"nextToken\":\"same\"}");
	push(f, 200, "{\"clusterArns\":[\"b\"],\"nextToken\":\"same\"}");
	assert_int_equal(tb_aws_json_paginate(&f->ctx, "ecs", "ListClusters", NULL, "nextToken",
	                                      collect_arns, &c),
	                 0);
	assert_int_equal(c.pages, 2);
	assert_int_equal(tbt_server_count(f->srv), 2);
}

static int collect_lbs(void *ud, const struct tb_xml *res)
{
	struct collect *c = ud;

	c->pages++;
	for (const struct tb_xml *m = tb_xml_path(res, "LoadBalancers/member"); m; m = m->next) {
		strcat(c->names, tb_xml_text(m, "LoadBalancerName"));
		strcat(c->names, ",");
	}
	return 0;
}

static void test_query_markers(void **state)
{
	struct fixture *f = *state;
	struct collect c = {0};
	struct tb_aws_params p;

	push(f, 200,
	     "<DescribeLoadBalancersResponse><DescribeLoadBalancersResult><LoadBalancers>"
	     "<member><LoadBalancerName>one</LoadBalancerName></member></LoadBalancers>"
	     "<NextMarker>m1</NextMarker></DescribeLoadBalancersResult>"
	     "</DescribeLoadBalancersResponse>");
	push(f, 200,
	     "<DescribeLoadBalancersResponse><DescribeLoadBalancersResult><LoadBalancers>"
	     "<member><LoadBalancerName>two</LoadBalancerName></member>"
	     "<member><LoadBalancerName>three</LoadBalancerName></member></LoadBalancers>"
	     "</DescribeLoadBalancersResult></DescribeLoadBalancersResponse>");
	tb_aws_params_init(&p, f->arena);
	tb_aws_params_add(&p, "PageSize", "1");
	assert_int_equal(tb_aws_query_paginate(&f->ctx, "elasticloadbalancing",
	                                       "DescribeLoadBalancers", &p, "NextMarker",
	                                       collect_lbs, &c),
	                 0);
	assert_string_equal(c.names, "one,two,three,");
	assert_string_equal(req_body(f, 0),
	                    "Action=DescribeLoadBalancers&Version=2015-12-01&PageSize=1");
	assert_string_equal(req_body(f, 1), "Action=DescribeLoadBalancers&Version=2015-12-01&"
	                                    "PageSize=1&Marker=m1");
}

static int count_pages(void *ud, const struct tb_xml *res)
{
	(*(int *)ud)++;
	return 0;
}

static void test_query_rds_marker(void **state)
{
	struct fixture *f = *state;
	int pages = 0;

	push(f, 200,
	     "<DescribeDBProxiesResponse><DescribeDBProxiesResult><DBProxies/>"
	     "<Marker>r1</Marker></DescribeDBProxiesResult></DescribeDBProxiesResponse>");
	push(f, 200,
	     "<DescribeDBProxiesResponse><DescribeDBProxiesResult><DBProxies/>"
	     "</DescribeDBProxiesResult></DescribeDBProxiesResponse>");
	assert_int_equal(tb_aws_query_paginate(&f->ctx, "rds", "DescribeDBProxies", NULL, "Marker",
	                                       count_pages, &pages),
	                 0);
	assert_int_equal(pages, 2);
	assert_string_equal(req_body(f, 1),
	                    "Action=DescribeDBProxies&Version=2014-10-31&Marker=r1");
}

static void test_query_cloudwatch_next_token(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_params p;
	int pages = 0;

	push(f, 200,
	     "<DescribeAlarmsResponse><DescribeAlarmsResult><MetricAlarms/>"
	     "<NextToken>n1</NextToken></DescribeAlarmsResult></DescribeAlarmsResponse>");
	push(f, 200,
	     "<DescribeAlarmsResponse><DescribeAlarmsResult><MetricAlarms/>"
	     "</DescribeAlarmsResult></DescribeAlarmsResponse>");
	tb_aws_params_init(&p, f->arena);
	tb_aws_params_add(&p, "AlarmNamePrefix", "web-");
	assert_int_equal(tb_aws_query_paginate(&f->ctx, "monitoring", "DescribeAlarms", &p,
	                                       "NextToken", count_pages, &pages),
	                 0);
	assert_int_equal(pages, 2);
	assert_string_equal(req_body(f, 1), "Action=DescribeAlarms&Version=2010-08-01&"
	                                    "AlarmNamePrefix=web-&NextToken=n1");
}

static int collect_subnets(void *ud, const struct tb_xml *result)
{
	struct collect *c = ud;
	const struct tb_xml *set = tb_xml_child(result, "subnetSet");

	c->pages++;
	for (const struct tb_xml *m = set ? set->children : NULL; m; m = m->next) {
		strcat(c->names, tb_xml_text(m, "subnetId"));
		strcat(c->names, ",");
	}
	return 0;
}

/* EC2 answers without an <ActionResult>: the result is the root's content,
 * lists are <xSet><item>, and the marker is nextToken, sent back as
 * NextToken. The request is signed for ec2 at its endpoint. */
static void test_query_ec2_dialect(void **state)
{
	struct fixture *f = *state;
	struct collect c = {0};
	struct tb_aws_params p;
	char auth[512];

	push(f, 200,
	     "<DescribeSubnetsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
	     "<requestId>r-1</requestId><subnetSet><item><subnetId>subnet-1</subnetId></item>"
	     "</subnetSet><nextToken>n1</nextToken></DescribeSubnetsResponse>");
	push(f, 200,
	     "<DescribeSubnetsResponse><requestId>r-2</requestId><subnetSet>"
	     "<item><subnetId>subnet-2</subnetId></item><item><subnetId>subnet-3</subnetId></item>"
	     "</subnetSet></DescribeSubnetsResponse>");
	tb_aws_params_init(&p, f->arena);
	tb_aws_params_add(&p, "Filter.1.Name", "vpc-id");
	tb_aws_params_add(&p, "Filter.1.Value.1", "vpc-1");
	assert_int_equal(tb_aws_query_paginate(&f->ctx, "ec2", "DescribeSubnets", &p, "nextToken",
	                                       collect_subnets, &c),
	                 0);
	assert_string_equal(c.names, "subnet-1,subnet-2,subnet-3,");
	assert_string_equal(req_body(f, 0), "Action=DescribeSubnets&Version=2016-11-15&"
	                                    "Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1");
	assert_string_equal(req_body(f, 1), "Action=DescribeSubnets&Version=2016-11-15&"
	                                    "Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1&"
	                                    "NextToken=n1");
	assert_non_null(
	    tbt_request_header(tbt_server_request(f->srv, 0), "Authorization", auth, sizeof(auth)));
	assert_non_null(strstr(auth, "/us-east-1/ec2/aws4_request"));
}

/* An EC2 error (<Response><Errors><Error>, <RequestID>) is decoded like any
 * Query error. */
static void test_query_ec2_error(void **state)
{
	struct fixture *f = *state;
	const struct tb_xml *out = NULL;

	push(f, 403,
	     "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not "
	     "authorized to perform this operation.</Message></Error></Errors>"
	     "<RequestID>e-9</RequestID></Response>");
	assert_int_equal(tb_aws_query(&f->ctx, "ec2", "DescribeRouteTables", NULL, &out),
	                 TB_EACCESS);
	assert_string_equal(f->ctx.error.service, "ec2");
	assert_string_equal(f->ctx.error.action, "DescribeRouteTables");
	assert_string_equal(f->ctx.error.code, "UnauthorizedOperation");
	assert_string_equal(f->ctx.error.request_id, "e-9");
}

/* ECR speaks JSON 1.1 with its own target prefix, signed for ecr. */
static void test_json_ecr_target(void **state)
{
	struct fixture *f = *state;
	json_t *out = NULL;
	char target[256], auth[512];

	push(f, 200, "{\"imageDetails\":[{\"imageTags\":[\"v1\"]}]}");
	assert_int_equal(tb_aws_json(&f->ctx, "ecr", "DescribeImages", NULL, &out), 0);
	assert_non_null(json_object_get(out, "imageDetails"));
	assert_non_null(tbt_request_header(tbt_server_request(f->srv, 0), "X-Amz-Target", target,
	                                   sizeof(target)));
	assert_string_equal(target, "AmazonEC2ContainerRegistry_V20150921.DescribeImages");
	assert_non_null(
	    tbt_request_header(tbt_server_request(f->srv, 0), "Authorization", auth, sizeof(auth)));
	assert_non_null(strstr(auth, "/us-east-1/ecr/aws4_request"));
}

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

struct fan_state {
	atomic_int running, peak;
	int results[8];
};

static int slow_task(void *ud, size_t i, struct tb_aws_ctx *c)
{
	struct fan_state *s = ud;
	int now = atomic_fetch_add(&s->running, 1) + 1;
	int peak = atomic_load(&s->peak);

	while (now > peak && !atomic_compare_exchange_weak(&s->peak, &peak, now))
		;
	sleep_ms(200);
	s->results[i] = (int)i * 10;
	atomic_fetch_sub(&s->running, 1);
	return 0;
}

static void test_fanout_parallel(void **state)
{
	struct fixture *f = *state;
	struct fan_state s = {0};
	int64_t t0 = tb_now_ms();

	assert_int_equal(tb_aws_fanout(&f->ctx, 8, slow_task, &s), 0);
	assert_true(tb_now_ms() - t0 < 800);
	assert_true(atomic_load(&s.peak) >= 4);
	for (int i = 0; i < 8; i++)
		assert_int_equal(s.results[i], i * 10);
	assert_int_equal(tb_aws_fanout(&f->ctx, 0, slow_task, &s), 0);
}

static int failing_task(void *ud, size_t i, struct tb_aws_ctx *c)
{
	if (i == 2) {
		sleep_ms(150);
		return aws_fail(c, TB_ENOTFOUND, "ecs", "DescribeServices", "task two");
	}
	if (i == 5)
		return aws_fail(c, TB_EACCESS, "logs", "CreateLogGroup", "task five");
	return 0;
}

static void test_fanout_error_order(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(tb_aws_fanout(&f->ctx, 7, failing_task, NULL), TB_ENOTFOUND);
	assert_string_equal(f->ctx.error.message, "task two");
	assert_string_equal(f->ctx.error.action, "DescribeServices");
}

static int call_task(void *ud, size_t i, struct tb_aws_ctx *c)
{
	json_t *out = NULL;
	int rc = tb_aws_json(c, "ecs", "DescribeClusters", NULL, &out);

	if (rc == 0 && !json_object_get(out, "clusters"))
		rc = TB_EAWS;
	return rc;
}

static void test_fanout_real_calls_reuse_connections(void **state)
{
	struct fixture *f = *state;

	tbt_server_set_default(f->srv,
	                       &(struct tbt_response){.body = "{\"clusters\":[]}", .delay_ms = 50});
	for (int i = 0; i < 5; i++)
		assert_int_equal(call_task(NULL, 0, &f->ctx), 0);
	assert_int_equal(tbt_server_connections(f->srv), 1);
	assert_int_equal(tb_aws_fanout(&f->ctx, 12, call_task, NULL), 0);
	assert_int_equal(tbt_server_count(f->srv), 17);
	print_message("connections after fan-out: %zu\n", tbt_server_connections(f->srv));
	assert_true(tbt_server_connections(f->srv) <= 8);
	for (int i = 0; i < 5; i++)
		assert_int_equal(call_task(NULL, 0, &f->ctx), 0);
	assert_true(tbt_server_connections(f->srv) <= 8);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_json_pages),
	    T(test_json_stop_and_fail),
	    T(test_json_error_on_second_page),
	    T(test_json_repeated_token_ends),
	    T(test_query_markers),
	    T(test_query_rds_marker),
	    T(test_query_cloudwatch_next_token),
	    T(test_query_ec2_dialect),
	    T(test_query_ec2_error),
	    T(test_json_ecr_target),
	    T(test_fanout_parallel),
	    T(test_fanout_error_order),
	    T(test_fanout_real_calls_reuse_connections),
	};

	tb_log_set_level(TB_LOG_OFF);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
