/*
 * Region resolution, partitions and endpoint resolution: the provider's
 * endpoints block, AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the
 * profile's endpoint_url, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS and the
 * default hostnames of the aws, aws-cn and aws-us-gov partitions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "aws/internal.h"
#include "helpers/aws_fixture.h"
#include "helpers/http_server.h"
#include "tb/log.h"

struct fixture {
	struct tb_aws_client *client;
	char *err;
};

static int setup(void **state)
{
	tbt_aws_env_reset();
	*state = calloc(1, sizeof(struct fixture));
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tb_aws_client_free(f->client);
	free(f->err);
	tbt_aws_home_remove();
	free(f);
	return 0;
}

static int new_client(struct fixture *f, struct tb_aws_config cfg)
{
	free(f->err);
	f->err = NULL;
	tb_aws_client_free(f->client);
	f->client = NULL;
	return tb_aws_client_new(&cfg, &f->client, &f->err);
}

static const char *endpoint(struct fixture *f, const char *service)
{
	const struct aws_service *s = aws_service_find(service);

	assert_non_null(s);
	return f->client->endpoints[s - aws_services];
}

static void test_region_order(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_config cfg = tbt_aws_config();

	tbt_aws_write(".aws/config", "[default]\nregion = ap-southeast-2\n");
	cfg.region = NULL;
	assert_int_equal(new_client(f, cfg), 0);
	assert_string_equal(tb_aws_region(f->client), "ap-southeast-2");
	setenv("AWS_DEFAULT_REGION", "eu-north-1", 1);
	assert_int_equal(new_client(f, cfg), 0);
	assert_string_equal(tb_aws_region(f->client), "eu-north-1");
	setenv("AWS_REGION", "eu-west-3", 1);
	assert_int_equal(new_client(f, cfg), 0);
	assert_string_equal(tb_aws_region(f->client), "eu-west-3");
	cfg.region = "us-west-2";
	assert_int_equal(new_client(f, cfg), 0);
	assert_string_equal(tb_aws_region(f->client), "us-west-2");
}

static void test_region_missing_or_invalid(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_config cfg = tbt_aws_config();

	cfg.region = NULL;
	assert_int_equal(new_client(f, cfg), TB_EINVAL);
	assert_non_null(strstr(f->err, "no region"));
	cfg.region = "us-east-1.evil.com/";
	assert_int_equal(new_client(f, cfg), TB_EINVAL);
	assert_non_null(strstr(f->err, "invalid region"));
}

struct default_case {
	const char *region, *service, *url, *partition, *signing_region;
};

/* clang-format off */
static const struct default_case default_cases[] = {
	{.region = "us-east-1", .service = "ecs", .url = "https://ecs.us-east-1.amazonaws.com", .partition = "aws", .signing_region = "us-east-1"},
	{.region = "eu-west-1", .service = "elasticloadbalancing", .url = "https://elasticloadbalancing.eu-west-1.amazonaws.com", .partition = "aws", .signing_region = "eu-west-1"},
	{.region = "eu-west-1", .service = "monitoring", .url = "https://monitoring.eu-west-1.amazonaws.com", .partition = "aws", .signing_region = "eu-west-1"},
	{.region = "eu-west-1", .service = "application-autoscaling", .url = "https://application-autoscaling.eu-west-1.amazonaws.com", .partition = "aws", .signing_region = "eu-west-1"},
	{.region = "eu-west-1", .service = "sts", .url = "https://sts.eu-west-1.amazonaws.com", .partition = "aws", .signing_region = "eu-west-1"},
	{.region = "eu-west-1", .service = "iam", .url = "https://iam.amazonaws.com", .partition = "aws", .signing_region = "us-east-1"},
	{.region = "eu-west-1", .service = "ecr", .url = "https://api.ecr.eu-west-1.amazonaws.com", .partition = "aws", .signing_region = "eu-west-1"},
	{.region = "eu-west-1", .service = "ec2", .url = "https://ec2.eu-west-1.amazonaws.com", .partition = "aws", .signing_region = "eu-west-1"},
	{.region = "cn-north-1", .service = "ecs", .url = "https://ecs.cn-north-1.amazonaws.com.cn", .partition = "aws-cn", .signing_region = "cn-north-1"},
	{.region = "cn-northwest-1", .service = "logs", .url = "https://logs.cn-northwest-1.amazonaws.com.cn", .partition = "aws-cn", .signing_region = "cn-northwest-1"},
	{.region = "cn-northwest-1", .service = "iam", .url = "https://iam.cn-north-1.amazonaws.com.cn", .partition = "aws-cn", .signing_region = "cn-north-1"},
	{.region = "us-gov-west-1", .service = "secretsmanager", .url = "https://secretsmanager.us-gov-west-1.amazonaws.com", .partition = "aws-us-gov", .signing_region = "us-gov-west-1"},
	{.region = "us-gov-east-1", .service = "iam", .url = "https://iam.us-gov.amazonaws.com", .partition = "aws-us-gov", .signing_region = "us-gov-west-1"},
	{.region = "us-gov-east-1", .service = "rds", .url = "https://rds.us-gov-east-1.amazonaws.com", .partition = "aws-us-gov", .signing_region = "us-gov-east-1"},
};
/* clang-format on */

static void test_default_endpoints(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(default_cases) / sizeof(default_cases[0]); i++) {
		const struct default_case *c = &default_cases[i];
		struct tb_aws_config cfg = tbt_aws_config();

		cfg.region = c->region;
		assert_int_equal(new_client(f, cfg), 0);
		assert_string_equal(endpoint(f, c->service), c->url);
		assert_string_equal(tb_aws_partition(f->client), c->partition);
		assert_string_equal(aws_signing_region(f->client, aws_service_find(c->service)),
		                    c->signing_region);
	}
}

static void test_env_endpoints(void **state)
{
	struct fixture *f = *state;

	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000", 1);
	setenv("AWS_ENDPOINT_URL_ECS", "http://ecs.local:4566", 1);
	setenv("AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2", "http://elb.local", 1);
	assert_int_equal(new_client(f, tbt_aws_config()), 0);
	assert_string_equal(endpoint(f, "ecs"), "http://ecs.local:4566");
	assert_string_equal(endpoint(f, "elasticloadbalancing"), "http://elb.local");
	assert_string_equal(endpoint(f, "rds"), "http://127.0.0.1:5000");
	assert_string_equal(endpoint(f, "iam"), "http://127.0.0.1:5000");

	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	assert_int_equal(new_client(f, tbt_aws_config()), 0);
	assert_string_equal(endpoint(f, "ecs"), "https://ecs.us-east-1.amazonaws.com");
	assert_string_equal(endpoint(f, "rds"), "https://rds.us-east-1.amazonaws.com");
}

static void test_block_endpoints(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_config cfg = tbt_aws_config();
	const struct tb_aws_endpoint eps[] = {
	    {.service = "ecs", .url = "http://block-ecs"},
	    {.service = "elbv2", .url = "http://block-elb"},
	    {.service = "cloudwatch", .url = "http://block-cw"},
	    {.service = "appautoscaling", .url = "http://block-aas"},
	    {.service = "logs", .url = ""},
	};

	setenv("AWS_ENDPOINT_URL", "http://env-all", 1);
	setenv("AWS_ENDPOINT_URL_ECS", "http://env-ecs", 1);
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	cfg.endpoints = eps;
	cfg.n_endpoints = sizeof(eps) / sizeof(eps[0]);
	assert_int_equal(new_client(f, cfg), 0);
	assert_string_equal(endpoint(f, "ecs"), "http://block-ecs");
	assert_string_equal(endpoint(f, "elasticloadbalancing"), "http://block-elb");
	assert_string_equal(endpoint(f, "monitoring"), "http://block-cw");
	assert_string_equal(endpoint(f, "application-autoscaling"), "http://block-aas");
	assert_string_equal(endpoint(f, "logs"), "https://logs.us-east-1.amazonaws.com");
	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	assert_int_equal(new_client(f, cfg), 0);
	assert_string_equal(endpoint(f, "ecs"), "http://block-ecs");
	assert_string_equal(endpoint(f, "logs"), "http://env-all");
}

static void test_profile_endpoint_url(void **state)
{
	struct fixture *f = *state;

	tbt_aws_write(".aws/config", "[default]\nendpoint_url = http://profile-endpoint\n");
	setenv("AWS_ENDPOINT_URL_SSM", "http://env-ssm", 1);
	assert_int_equal(new_client(f, tbt_aws_config()), 0);
	assert_string_equal(endpoint(f, "ssm"), "http://env-ssm");
	assert_string_equal(endpoint(f, "sts"), "http://profile-endpoint");
	unsetenv("AWS_ENDPOINT_URL_SSM");
}

static void test_bad_endpoints(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_config cfg = tbt_aws_config();
	const struct tb_aws_endpoint unknown[] = {{.service = "s3", .url = "http://x"}};
	const struct tb_aws_endpoint bad_url[] = {{.service = "ecs", .url = "ftp://x"}};

	cfg.endpoints = unknown;
	cfg.n_endpoints = 1;
	assert_int_equal(new_client(f, cfg), TB_EINVAL);
	assert_string_equal(f->err, "endpoints: unknown service \"s3\"");
	cfg.endpoints = bad_url;
	assert_int_equal(new_client(f, cfg), TB_EINVAL);
	assert_string_equal(f->err, "endpoint for ecs is not an http(s) URL: ftp://x");
}

/* On the wire: Host with the port, IAM signed for us-east-1 whatever the region. */
static void test_signing_scope_on_custom_endpoint(void **state)
{
	struct fixture *f = *state;
	struct tbt_server *srv = tbt_server_start();
	struct tb_aws_config cfg = tbt_aws_config();
	struct tb_arena *a = tb_arena_new();
	struct tb_aws_ctx ctx;
	const struct tb_xml *res;
	char buf[512], host[64];

	setenv("AWS_ENDPOINT_URL", tbt_server_url(srv), 1);
	cfg.region = "eu-west-1";
	assert_int_equal(new_client(f, cfg), 0);
	ctx = (struct tb_aws_ctx){.client = f->client, .arena = a};
	tbt_server_set_default(srv, &(struct tbt_response){.body = "<GetRoleResponse/>"});
	assert_int_equal(tb_aws_query(&ctx, "iam", "GetRole", NULL, &res), 0);
	assert_int_equal(tb_aws_query(&ctx, "rds", "DescribeDBProxies", NULL, &res), 0);
	tbt_request_header(tbt_server_request(srv, 0), "Authorization", buf, sizeof(buf));
	assert_non_null(strstr(buf, "/us-east-1/iam/aws4_request"));
	tbt_request_header(tbt_server_request(srv, 1), "Authorization", buf, sizeof(buf));
	assert_non_null(strstr(buf, "/eu-west-1/rds/aws4_request"));
	snprintf(host, sizeof(host), "127.0.0.1:%d", tbt_server_port(srv));
	assert_string_equal(
	    tbt_request_header(tbt_server_request(srv, 1), "Host", buf, sizeof(buf)), host);
	tb_arena_free(a);
	tbt_server_stop(srv);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_region_order),      T(test_region_missing_or_invalid),
	    T(test_default_endpoints), T(test_env_endpoints),
	    T(test_block_endpoints),   T(test_profile_endpoint_url),
	    T(test_bad_endpoints),     T(test_signing_scope_on_custom_endpoint),
	};

	tb_log_set_level(TB_LOG_OFF);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
