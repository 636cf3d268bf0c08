/*
 * The request loop against the local test server: signing headers on the
 * wire, retries with backoff on 5xx and throttling, none on validation or
 * access errors, max_retries, per-request timeouts, deadlines,
 * cancellation, refused connections, idempotency tokens, and the debug log
 * line (without secrets).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include "aws/internal.h"
#include "helpers/aws_fixture.h"
#include "helpers/http_server.h"
#include "tb/log.h"

struct fixture {
	struct tbt_server *srv;
	struct tb_aws_client *client;
	struct tb_arena *arena;
	struct tb_aws_ctx ctx;
	atomic_bool cancel;
};

static int make_client(struct fixture *f, struct tb_aws_config cfg)
{
	char *err = NULL;
	int rc;

	cfg.cancel = &f->cancel;
	rc = tb_aws_client_new(&cfg, &f->client, &err);
	if (rc)
		print_error("client: %s\n", err);
	free(err);
	f->ctx = (struct tb_aws_ctx){.client = f->client, .arena = f->arena};
	return rc;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	tbt_aws_env_reset();
	f->srv = tbt_server_start();
	f->arena = tb_arena_new();
	setenv("AWS_ENDPOINT_URL", tbt_server_url(f->srv), 1);
	*state = f;
	return make_client(f, tbt_aws_config());
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

static void push_status(struct fixture *f, int status, const char *headers, const char *body)
{
	tbt_server_push(f->srv,
	                &(struct tbt_response){.status = status, .headers = headers, .body = body});
}

static void test_json_request_shape(void **state)
{
	struct fixture *f = *state;
	const struct tbt_request *r;
	json_t *out = NULL;
	char buf[512];

	push_status(f, 200, "x-amzn-RequestId: rid-1\r\n", "{\"clusterArns\":[]}");
	assert_int_equal(tb_aws_json(&f->ctx, "ecs", "ListClusters", NULL, &out), 0);
	assert_non_null(json_object_get(out, "clusterArns"));
	r = tbt_server_request(f->srv, 0);
	assert_string_equal(r->method, "POST");
	assert_string_equal(r->target, "/");
	assert_string_equal(r->body, "{}");
	assert_string_equal(tbt_request_header(r, "X-Amz-Target", buf, sizeof(buf)),
	                    "AmazonEC2ContainerServiceV20141113.ListClusters");
	assert_string_equal(tbt_request_header(r, "Content-Type", buf, sizeof(buf)),
	                    "application/x-amz-json-1.1");
	assert_non_null(tbt_request_header(r, "X-Amz-Date", buf, sizeof(buf)));
	assert_null(tbt_request_header(r, "X-Amz-Security-Token", buf, sizeof(buf)));
	assert_non_null(tbt_request_header(r, "Authorization", buf, sizeof(buf)));
	assert_true(tb_str_has_prefix(buf, "AWS4-HMAC-SHA256 Credential=AKIDTEST/"));
	assert_non_null(strstr(buf, "/us-east-1/ecs/aws4_request, SignedHeaders="
	                            "content-type;host;x-amz-date;x-amz-target, Signature="));
}

static void test_query_request_shape(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_params p;
	const struct tb_xml *res = NULL;
	const struct tbt_request *r;
	char buf[512];

	push_status(
	    f, 200, NULL,
	    "<DescribeTargetGroupsResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/"
	    "doc/2015-12-01/\"><DescribeTargetGroupsResult><TargetGroups><member>"
	    "<TargetGroupName>web</TargetGroupName></member></TargetGroups>"
	    "</DescribeTargetGroupsResult></DescribeTargetGroupsResponse>");
	tb_aws_params_init(&p, f->arena);
	assert_int_equal(tb_aws_params_addf(&p, "web app", "Names.member.%d", 1), 0);
	assert_int_equal(
	    tb_aws_query(&f->ctx, "elasticloadbalancing", "DescribeTargetGroups", &p, &res), 0);
	assert_string_equal(res->name, "DescribeTargetGroupsResult");
	assert_string_equal(tb_xml_text(res, "TargetGroups/member/TargetGroupName"), "web");
	r = tbt_server_request(f->srv, 0);
	assert_string_equal(r->body, "Action=DescribeTargetGroups&Version=2015-12-01&"
	                             "Names.member.1=web%20app");
	assert_string_equal(tbt_request_header(r, "Content-Type", buf, sizeof(buf)),
	                    "application/x-www-form-urlencoded; charset=utf-8");
	assert_null(tbt_request_header(r, "X-Amz-Target", buf, sizeof(buf)));
}

static void test_retry_then_success(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_config cfg = tbt_aws_config();
	json_t *out = NULL;

	push_status(f, 500, NULL, "{}");
	push_status(f, 503, NULL, "");
	push_status(f, 400, NULL, "{\"__type\":\"ThrottlingException\",\"message\":\"slow down\"}");
	push_status(f, 429, NULL, "{\"__type\":\"TooManyRequestsException\"}");
	push_status(f, 200, NULL, "{\"ok\":true}");
	tb_aws_client_free(f->client);
	cfg.max_retries = 5;
	assert_int_equal(make_client(f, cfg), 0);
	assert_int_equal(tb_aws_json(&f->ctx, "ecs", "ListClusters", NULL, &out), 0);
	assert_true(json_is_true(json_object_get(out, "ok")));
	assert_int_equal(tbt_server_count(f->srv), 5);
}

static void test_no_retry_on_validation(void **state)
{
	struct fixture *f = *state;
	json_t *out = NULL;

	push_status(f, 400, "x-amzn-RequestId: req-42\r\n",
	            "{\"__type\":\"com.amazonaws.ecs#InvalidParameterException\","
	            "\"message\":\"bad family\"}");
	assert_int_equal(tb_aws_json(&f->ctx, "ecs", "RegisterTaskDefinition", NULL, &out),
	                 TB_EVALIDATION);
	assert_int_equal(tbt_server_count(f->srv), 1);
	assert_string_equal(f->ctx.error.code, "InvalidParameterException");
	assert_string_equal(f->ctx.error.message, "bad family");
	assert_string_equal(f->ctx.error.request_id, "req-42");
	assert_int_equal(f->ctx.error.http_status, 400);
	assert_string_equal(tb_aws_error_string(f->arena, &f->ctx.error),
	                    "ecs RegisterTaskDefinition: InvalidParameterException: bad family "
	                    "(request id req-42)");
}

static void test_no_retry_on_access_denied(void **state)
{
	struct fixture *f = *state;
	const struct tb_xml *res;

	push_status(f, 403, NULL,
	            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
	            "<Message>not allowed</Message></Error><RequestId>q-1</RequestId>"
	            "</ErrorResponse>");
	assert_int_equal(tb_aws_query(&f->ctx, "rds", "DescribeDBProxies", NULL, &res), TB_EACCESS);
	assert_int_equal(tbt_server_count(f->srv), 1);
	assert_string_equal(f->ctx.error.code, "AccessDenied");
	assert_string_equal(f->ctx.error.request_id, "q-1");
}

static void test_max_retries(void **state)
{
	struct fixture *f = *state;
	json_t *out = NULL;

	tbt_server_set_default(f->srv, &(struct tbt_response){.status = 503, .body = "{}"});
	assert_int_equal(tb_aws_json(&f->ctx, "logs", "DescribeLogGroups", NULL, &out),
	                 TB_ETRANSIENT);
	assert_int_equal(tbt_server_count(f->srv), 4);
	assert_int_equal(tb_aws_request_count(f->client), 4);
}

static void test_zero_retries(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_config cfg = tbt_aws_config();
	json_t *out = NULL;

	tb_aws_client_free(f->client);
	cfg.max_retries = 0;
	assert_int_equal(make_client(f, cfg), 0);
	tbt_server_set_default(f->srv, &(struct tbt_response){.status = 500, .body = "{}"});
	assert_int_equal(tb_aws_json(&f->ctx, "ssm", "GetParameter", NULL, &out), TB_ETRANSIENT);
	assert_int_equal(tbt_server_count(f->srv), 1);
}

static void test_request_timeout(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_config cfg = tbt_aws_config();
	json_t *out = NULL;
	int64_t t0;

	tb_aws_client_free(f->client);
	cfg.request_timeout_ms = 300;
	cfg.max_retries = 1;
	assert_int_equal(make_client(f, cfg), 0);
	tbt_server_set_default(f->srv, &(struct tbt_response){.action = TBT_HANG});
	t0 = tb_now_ms();
	assert_int_equal(tb_aws_json(&f->ctx, "ecs", "ListClusters", NULL, &out), TB_ETIMEOUT);
	assert_true(tb_now_ms() - t0 < 2000);
	assert_int_equal(tbt_server_count(f->srv), 2);
}

static void test_deadline(void **state)
{
	struct fixture *f = *state;
	json_t *out = NULL;
	int64_t t0 = tb_now_ms();

	tbt_server_set_default(f->srv, &(struct tbt_response){.action = TBT_HANG});
	f->ctx.deadline_ms = t0 + 300;
	assert_int_equal(tb_aws_json(&f->ctx, "ecs", "ListClusters", NULL, &out), TB_ETIMEOUT);
	assert_true(tb_now_ms() - t0 < 1500);
	assert_int_equal(tbt_server_count(f->srv), 1);
}

struct canceler {
	atomic_bool *flag;
	int after_ms;
	int64_t at;
};

static void *cancel_later(void *arg)
{
	struct canceler *c = arg;
	struct timespec ts = {.tv_sec = 0, .tv_nsec = c->after_ms * 1000000L};

	nanosleep(&ts, NULL);
	c->at = tb_now_ms();
	atomic_store(c->flag, true);
	return NULL;
}

/* Runs a call that cannot finish and checks that cancel ends it within a second. */
static void assert_canceled_promptly(struct fixture *f)
{
	struct canceler c = {.flag = &f->cancel, .after_ms = 300};
	json_t *out = NULL;
	pthread_t th;
	int rc;

	pthread_create(&th, NULL, cancel_later, &c);
	rc = tb_aws_json(&f->ctx, "ecs", "ListClusters", NULL, &out);
	pthread_join(th, NULL);
	assert_int_equal(rc, TB_ECANCELED);
	assert_true(tb_now_ms() - c.at < 1000);
	assert_int_equal(f->ctx.error.err, TB_ECANCELED);
}

static void test_cancel_during_backoff(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_config cfg = tbt_aws_config();

	tb_aws_client_free(f->client);
	cfg.max_retries = 25;
	cfg.retry_base_ms = 20000;
	assert_int_equal(make_client(f, cfg), 0);
	tbt_server_set_default(f->srv, &(struct tbt_response){.status = 503});
	assert_canceled_promptly(f);
}

static void test_cancel_during_request(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_config cfg = tbt_aws_config();

	tb_aws_client_free(f->client);
	cfg.request_timeout_ms = 30000;
	assert_int_equal(make_client(f, cfg), 0);
	tbt_server_set_default(f->srv, &(struct tbt_response){.action = TBT_HANG});
	assert_canceled_promptly(f);
	assert_int_equal(tbt_server_count(f->srv), 1);
}

static int closed_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static void test_connection_refused_retried(void **state)
{
	struct fixture *f = *state;
	char url[64];
	json_t *out = NULL;

	tb_aws_client_free(f->client);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", closed_port());
	setenv("AWS_ENDPOINT_URL", url, 1);
	assert_int_equal(make_client(f, tbt_aws_config()), 0);
	assert_int_equal(tb_aws_json(&f->ctx, "ecs", "ListClusters", NULL, &out), TB_ETRANSIENT);
	assert_int_equal(tb_aws_request_count(f->client), 4);
	assert_null(f->ctx.error.code);
	assert_non_null(f->ctx.error.message);
}

static void test_closed_connection_retried(void **state)
{
	struct fixture *f = *state;
	json_t *out = NULL;

	tbt_server_push(f->srv, &(struct tbt_response){.action = TBT_CLOSE});
	push_status(f, 200, NULL, "{}");
	assert_int_equal(tb_aws_json(&f->ctx, "ecs", "ListClusters", NULL, &out), 0);
	assert_int_equal(tbt_server_count(f->srv), 2);
}

static const char *body_token(struct fixture *f, size_t i, const char *field)
{
	const struct tbt_request *r = tbt_server_request(f->srv, i);
	json_t *o = json_loads(r->body, 0, NULL);
	const char *tok = tb_arena_strdup(f->arena, json_string_value(json_object_get(o, field)));

	json_decref(o);
	return tok;
}

static void test_client_token_reused(void **state)
{
	struct fixture *f = *state;
	json_t *body = json_pack("{s:s, s:s}", "Name", "db-password", "SecretString", "hunter2");
	json_t *out = NULL;
	const char *tok;

	push_status(f, 500, NULL, "{}");
	push_status(f, 500, NULL, "{}");
	push_status(f, 200, NULL, "{\"ARN\":\"arn:aws:secretsmanager:us-east-1:1:secret:x\"}");
	assert_int_equal(tb_aws_json(&f->ctx, "secretsmanager", "CreateSecret", body, &out), 0);
	assert_int_equal(tbt_server_count(f->srv), 3);
	tok = body_token(f, 0, "ClientRequestToken");
	assert_non_null(tok);
	assert_int_equal(strlen(tok), 36);
	assert_int_equal(tok[14], '4');
	assert_string_equal(body_token(f, 1, "ClientRequestToken"), tok);
	assert_string_equal(body_token(f, 2, "ClientRequestToken"), tok);
	assert_null(json_object_get(body, "ClientRequestToken"));

	json_object_set_new(body, "ClientRequestToken", json_string("caller-token"));
	push_status(f, 200, NULL, "{}");
	assert_int_equal(tb_aws_json(&f->ctx, "secretsmanager", "CreateSecret", body, &out), 0);
	assert_string_equal(body_token(f, 3, "ClientRequestToken"), "caller-token");
	json_decref(body);
}

static void test_client_token_only_for_listed_actions(void **state)
{
	struct fixture *f = *state;
	json_t *out = NULL;

	push_status(f, 200, NULL, "{}");
	push_status(f, 200, NULL, "{}");
	assert_int_equal(tb_aws_json(&f->ctx, "ecs", "CreateService", NULL, &out), 0);
	assert_int_equal(tb_aws_json(&f->ctx, "ecs", "CreateCluster", NULL, &out), 0);
	assert_non_null(body_token(f, 0, "clientToken"));
	assert_null(body_token(f, 1, "clientToken"));
}

static void test_unknown_service(void **state)
{
	struct fixture *f = *state;
	json_t *out = NULL;
	const struct tb_xml *res;

	assert_int_equal(tb_aws_json(&f->ctx, "s3", "ListBuckets", NULL, &out), TB_EINVAL);
	assert_int_equal(tb_aws_json(&f->ctx, "rds", "DescribeDBProxies", NULL, &out), TB_EINVAL);
	assert_int_equal(tb_aws_query(&f->ctx, "ecs", "ListClusters", NULL, &res), TB_EINVAL);
	assert_int_equal(tbt_server_count(f->srv), 0);
}

static void test_malformed_answers(void **state)
{
	struct fixture *f = *state;
	json_t *out = NULL;
	const struct tb_xml *res;

	push_status(f, 200, NULL, "{not json");
	assert_int_equal(tb_aws_json(&f->ctx, "ecs", "ListClusters", NULL, &out), TB_EAWS);
	push_status(f, 200, NULL, "<a><b></a>");
	assert_int_equal(tb_aws_query(&f->ctx, "sts", "GetCallerIdentity", NULL, &res), TB_EAWS);
	push_status(f, 200, NULL, "");
	assert_int_equal(tb_aws_json(&f->ctx, "ecs", "DeleteCluster", NULL, &out), 0);
	assert_true(json_is_object(out));
}

static char *read_all(FILE *f)
{
	long n;
	char *s;

	fflush(f);
	n = ftell(f);
	s = calloc(1, (size_t)n + 1);
	rewind(f);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	return s;
}

static void test_log_line_without_secrets(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_config cfg = tbt_aws_config();
	FILE *log = tmpfile();
	json_t *body = json_pack("{s:s, s:s}", "Name", "n", "SecretString", "hunter2-secret");
	json_t *out = NULL;
	char *text;

	tb_aws_client_free(f->client);
	cfg.token = "SESSIONTOKENVALUE";
	assert_int_equal(make_client(f, cfg), 0);
	tb_log_set_fd(fileno(log));
	tb_log_set_level(TB_LOG_TRACE);
	push_status(f, 503, NULL, "{}");
	push_status(f, 200, "x-amzn-RequestId: rid-log\r\n", "{}");
	assert_int_equal(tb_aws_json(&f->ctx, "secretsmanager", "CreateSecret", body, &out), 0);
	tb_log_set_fd(2);
	tb_log_set_level(TB_LOG_OFF);
	text = read_all(log);
	assert_non_null(strstr(text, "\"AWS request\""));
	assert_non_null(strstr(text, "\"service\":\"secretsmanager\""));
	assert_non_null(strstr(text, "\"action\":\"CreateSecret\""));
	assert_non_null(strstr(text, "\"http_status\":\"503\""));
	assert_non_null(strstr(text, "\"attempt\":\"2\""));
	assert_non_null(strstr(text, "\"request_id\":\"rid-log\""));
	assert_non_null(strstr(text, "\"duration_ms\":"));
	assert_null(strstr(text, "SESSIONTOKENVALUE"));
	assert_null(strstr(text, "TESTSECRETKEY"));
	assert_null(strstr(text, "hunter2"));
	assert_null(strstr(text, "Authorization"));
	assert_null(strstr(text, "Signature="));
	assert_null(strcasestr(text, "x-amz-security-token"));
	free(text);
	fclose(log);
	json_decref(body);
}

static void test_session_token_sent(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_config cfg = tbt_aws_config();
	const struct tbt_request *r;
	json_t *out = NULL;
	char buf[256];

	tb_aws_client_free(f->client);
	cfg.token = "SESSIONTOKENVALUE";
	assert_int_equal(make_client(f, cfg), 0);
	push_status(f, 200, NULL, "{}");
	assert_int_equal(tb_aws_json(&f->ctx, "ecs", "ListClusters", NULL, &out), 0);
	r = tbt_server_request(f->srv, 0);
	assert_string_equal(tbt_request_header(r, "X-Amz-Security-Token", buf, sizeof(buf)),
	                    "SESSIONTOKENVALUE");
	assert_non_null(tbt_request_header(r, "Authorization", buf, sizeof(buf)));
	assert_non_null(strstr(buf, "x-amz-date;x-amz-security-token;x-amz-target"));
}

static void test_backoff_bounds(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_config cfg = tbt_aws_config();
	int64_t max_seen = 0;

	tb_aws_client_free(f->client);
	cfg.retry_base_ms = 1000;
	assert_int_equal(make_client(f, cfg), 0);
	for (int i = 0; i < 200; i++) {
		int64_t d0 = aws_backoff_ms(f->client, 0), d3 = aws_backoff_ms(f->client, 3);
		int64_t d20 = aws_backoff_ms(f->client, 20);

		assert_true(d0 >= 0 && d0 <= 1000);
		assert_true(d3 >= 0 && d3 <= 8000);
		assert_true(d20 >= 0 && d20 <= 20000);
		max_seen = d20 > max_seen ? d20 : max_seen;
	}
	assert_true(max_seen > 10000);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_json_request_shape),
	    T(test_query_request_shape),
	    T(test_retry_then_success),
	    T(test_no_retry_on_validation),
	    T(test_no_retry_on_access_denied),
	    T(test_max_retries),
	    T(test_zero_retries),
	    T(test_request_timeout),
	    T(test_deadline),
	    T(test_cancel_during_backoff),
	    T(test_cancel_during_request),
	    T(test_connection_refused_retried),
	    T(test_closed_connection_retried),
	    T(test_client_token_reused),
	    T(test_client_token_only_for_listed_actions),
	    T(test_unknown_service),
	    T(test_malformed_answers),
	    T(test_log_line_without_secrets),
	    T(test_session_token_sent),
	    T(test_backoff_bounds),
	};

	tb_log_set_level(TB_LOG_OFF);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
