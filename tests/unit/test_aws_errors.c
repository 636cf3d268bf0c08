/*
 * Error answers of both protocols decoded into code, message and request
 * ID and classified; the classification table; the error string; the XML
 * parser the Query protocol rests on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aws/internal.h"

struct decode_case {
	enum aws_protocol proto;
	long status;
	const char *error_type; /* X-Amzn-ErrorType header */
	const char *request_id; /* x-amzn-RequestId header */
	const char *body;
	const char *code, *message, *rid;
	int err;
};

/* clang-format off */
static const struct decode_case decode_cases[] = {
	{.proto = AWS_PROTO_JSON, .status = 400, .request_id = "r1",
	 .body = "{\"__type\":\"com.amazonaws.ecs#ClusterNotFoundException\",\"message\":\"Cluster not found.\"}",
	 .code = "ClusterNotFoundException", .message = "Cluster not found.", .rid = "r1", .err = TB_ENOTFOUND},
	{.proto = AWS_PROTO_JSON, .status = 400, .error_type = "ValidationException:http://internal.amazon.com/coral/",
	 .body = "{\"Message\":\"1 validation error\"}",
	 .code = "ValidationException", .message = "1 validation error", .err = TB_EVALIDATION},
	{.proto = AWS_PROTO_JSON, .status = 400,
	 .body = "{\"__type\":\"ResourceExistsException\",\"Message\":\"already exists\"}",
	 .code = "ResourceExistsException", .message = "already exists", .err = TB_ECONFLICT},
	{.proto = AWS_PROTO_JSON, .status = 400, .body = "{\"__type\":\"ThrottlingException\"}",
	 .code = "ThrottlingException", .err = TB_ETHROTTLED},
	{.proto = AWS_PROTO_JSON, .status = 400, .body = "{\"__type\":\"AccessDeniedException\",\"message\":\"no\"}",
	 .code = "AccessDeniedException", .message = "no", .err = TB_EACCESS},
	{.proto = AWS_PROTO_JSON, .status = 400, .body = "{\"__type\":\"ClientException\",\"message\":\"bad image\"}",
	 .code = "ClientException", .message = "bad image", .err = TB_EVALIDATION},
	{.proto = AWS_PROTO_JSON, .status = 500, .body = "{\"__type\":\"ServerException\"}",
	 .code = "ServerException", .err = TB_ETRANSIENT},
	{.proto = AWS_PROTO_JSON, .status = 400, .body = "{\"__type\":\"ResourceInUseException\"}",
	 .code = "ResourceInUseException", .err = TB_ECONFLICT},
	{.proto = AWS_PROTO_JSON, .status = 400, .body = "{\"__type\":\"ParameterNotFound\"}",
	 .code = "ParameterNotFound", .err = TB_ENOTFOUND},
	{.proto = AWS_PROTO_JSON, .status = 400, .body = "{\"__type\":\"SomethingNew\"}",
	 .code = "SomethingNew", .err = TB_EAWS},
	{.proto = AWS_PROTO_JSON, .status = 502, .body = "<html>Bad Gateway</html>",
	 .message = "HTTP 502: <html>Bad Gateway</html>", .err = TB_ETRANSIENT},
	{.proto = AWS_PROTO_JSON, .status = 404, .body = "",
	 .message = "HTTP 404", .err = TB_EAWS},
	{.proto = AWS_PROTO_QUERY, .status = 400,
	 .body = "<ErrorResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">"
	         "<Error><Type>Sender</Type><Code>TargetGroupNotFound</Code><Message>One or more target groups not found</Message></Error>"
	         "<RequestId>q-1</RequestId></ErrorResponse>",
	 .code = "TargetGroupNotFound", .message = "One or more target groups not found", .rid = "q-1", .err = TB_ENOTFOUND},
	{.proto = AWS_PROTO_QUERY, .status = 400, .request_id = "hdr",
	 .body = "<ErrorResponse><Error><Code>DuplicateTargetGroupName</Code><Message>dup</Message></Error><RequestId>q-2</RequestId></ErrorResponse>",
	 .code = "DuplicateTargetGroupName", .message = "dup", .rid = "hdr", .err = TB_ECONFLICT},
	{.proto = AWS_PROTO_QUERY, .status = 400,
	 .body = "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>",
	 .code = "Throttling", .message = "Rate exceeded", .err = TB_ETHROTTLED},
	{.proto = AWS_PROTO_QUERY, .status = 403,
	 .body = "<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>",
	 .code = "InvalidClientTokenId", .message = "The security token included in the request is invalid.", .err = TB_EACCESS},
	{.proto = AWS_PROTO_QUERY, .status = 404,
	 .body = "<ErrorResponse><Error><Code>DBProxyNotFoundFault</Code><Message>no proxy</Message></Error></ErrorResponse>",
	 .code = "DBProxyNotFoundFault", .message = "no proxy", .err = TB_ENOTFOUND},
	{.proto = AWS_PROTO_QUERY, .status = 400,
	 .body = "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>nope</Message></Error></Errors><RequestID>e-1</RequestID></Response>",
	 .code = "UnauthorizedOperation", .message = "nope", .rid = "e-1", .err = TB_EACCESS},
	{.proto = AWS_PROTO_QUERY, .status = 400,
	 .body = "<ErrorResponse><Error><Code>ValidationError</Code><Message>bad</Message></Error></ErrorResponse>",
	 .code = "ValidationError", .message = "bad", .err = TB_EVALIDATION},
	{.proto = AWS_PROTO_QUERY, .status = 503, .body = "",
	 .message = "HTTP 503", .err = TB_ETRANSIENT},
	{.proto = AWS_PROTO_QUERY, .status = 400,
	 .body = "<ErrorResponse><Error><Code>PriorityInUse</Code><Message>p</Message></Error></ErrorResponse>",
	 .code = "PriorityInUse", .message = "p", .err = TB_ECONFLICT},
};
/* clang-format on */

static void assert_str_or_null(const char *got, const char *want)
{
	if (want)
		assert_string_equal(got, want);
	else
		assert_null(got);
}

static void test_decode(void **state)
{
	for (size_t i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
		const struct decode_case *c = &decode_cases[i];
		struct tb_arena *a = tb_arena_new();
		struct aws_http_resp r;
		struct tb_aws_error e = {0};

		memset(&r, 0, sizeof(r));
		tb_buf_init(&r.body);
		r.status = c->status;
		snprintf(r.error_type, sizeof(r.error_type), "%s",
		         c->error_type ? c->error_type : "");
		snprintf(r.request_id, sizeof(r.request_id), "%s",
		         c->request_id ? c->request_id : "");
		tb_buf_puts(&r.body, c->body);
		aws_error_decode(a, c->proto, &r, &e);
		print_message("case %zu: %s\n", i, c->body);
		assert_str_or_null(e.code, c->code);
		assert_str_or_null(e.message, c->message);
		assert_str_or_null(e.request_id, c->rid);
		assert_int_equal(e.err, c->err);
		assert_int_equal(e.http_status, c->status);
		tb_buf_free(&r.body);
		tb_arena_free(a);
	}
}

struct class_case {
	const char *code;
	long status;
	int err;
};

/* clang-format off */
static const struct class_case class_cases[] = {
	{.code = "ThrottlingException", .status = 400, .err = TB_ETHROTTLED},
	{.code = "Throttling", .status = 400, .err = TB_ETHROTTLED},
	{.code = "TooManyRequestsException", .status = 400, .err = TB_ETHROTTLED},
	{.code = "RequestLimitExceeded", .status = 400, .err = TB_ETHROTTLED},
	{.code = "ProvisionedThroughputExceededException", .status = 400, .err = TB_ETHROTTLED},
	{.code = "ServiceNotFoundException", .status = 400, .err = TB_ENOTFOUND},
	{.code = "ClusterNotFoundException", .status = 400, .err = TB_ENOTFOUND},
	{.code = "TargetGroupNotFound", .status = 400, .err = TB_ENOTFOUND},
	{.code = "RuleNotFound", .status = 400, .err = TB_ENOTFOUND},
	{.code = "ResourceNotFoundException", .status = 400, .err = TB_ENOTFOUND},
	{.code = "DBProxyNotFoundFault", .status = 404, .err = TB_ENOTFOUND},
	{.code = "DBProxyTargetGroupNotFoundFault", .status = 404, .err = TB_ENOTFOUND},
	{.code = "DBClusterNotFoundFault", .status = 404, .err = TB_ENOTFOUND},
	{.code = "DBInstanceNotFound", .status = 404, .err = TB_ENOTFOUND},
	{.code = "InvalidDBClusterStateFault", .status = 400, .err = TB_ECONFLICT},
	{.code = "InvalidDBInstanceState", .status = 400, .err = TB_ECONFLICT},
	{.code = "InvalidDBProxyStateFault", .status = 400, .err = TB_ECONFLICT},
	{.code = "DBProxyTargetAlreadyRegisteredFault", .status = 400, .err = TB_EAWS},
	{.code = "ListenerNotFound", .status = 400, .err = TB_ENOTFOUND},
	{.code = "LoadBalancerNotFound", .status = 400, .err = TB_ENOTFOUND},
	{.code = "ObjectNotFoundException", .status = 400, .err = TB_ENOTFOUND},
	{.code = "NoSuchEntity", .status = 404, .err = TB_ENOTFOUND},
	{.code = "SomeOtherNotFoundException", .status = 400, .err = TB_ENOTFOUND},
	{.code = "ValidationException", .status = 400, .err = TB_EVALIDATION},
	{.code = "ValidationError", .status = 400, .err = TB_EVALIDATION},
	{.code = "InvalidParameterException", .status = 400, .err = TB_EVALIDATION},
	{.code = "InvalidParameterValue", .status = 400, .err = TB_EVALIDATION},
	{.code = "ClientException", .status = 400, .err = TB_EVALIDATION},
	{.code = "AccessDenied", .status = 403, .err = TB_EACCESS},
	{.code = "AccessDeniedException", .status = 400, .err = TB_EACCESS},
	{.code = "UnauthorizedOperation", .status = 403, .err = TB_EACCESS},
	{.code = "InvalidClientTokenId", .status = 403, .err = TB_EACCESS},
	{.code = "SignatureDoesNotMatch", .status = 403, .err = TB_EACCESS},
	{.code = "ExpiredToken", .status = 400, .err = TB_EACCESS},
	{.code = "UnrecognizedClientException", .status = 400, .err = TB_EACCESS},
	{.code = "ResourceInUseException", .status = 400, .err = TB_ECONFLICT},
	{.code = "DuplicateTargetGroupName", .status = 400, .err = TB_ECONFLICT},
	{.code = "ResourceAlreadyExistsException", .status = 400, .err = TB_ECONFLICT},
	{.code = "ResourceExistsException", .status = 400, .err = TB_ECONFLICT},
	{.code = "ConflictException", .status = 409, .err = TB_ECONFLICT},
	{.code = "PriorityInUse", .status = 400, .err = TB_ECONFLICT},
	{.code = "EntityAlreadyExists", .status = 409, .err = TB_ECONFLICT},
	{.code = "ServiceUnavailable", .status = 503, .err = TB_ETRANSIENT},
	{.code = "InternalFailure", .status = 500, .err = TB_ETRANSIENT},
	{.code = "ServerException", .status = 500, .err = TB_ETRANSIENT},
	{.code = "ConcurrentUpdateException", .status = 400, .err = TB_ETRANSIENT},
	{.code = NULL, .status = 500, .err = TB_ETRANSIENT},
	{.code = NULL, .status = 429, .err = TB_ETHROTTLED},
	{.code = NULL, .status = 403, .err = TB_EACCESS},
	{.code = NULL, .status = 404, .err = TB_EAWS},
	{.code = "UnknownCode", .status = 400, .err = TB_EAWS},
};
/* clang-format on */

static void test_classify(void **state)
{
	for (size_t i = 0; i < sizeof(class_cases) / sizeof(class_cases[0]); i++) {
		print_message("%s %ld\n", class_cases[i].code ? class_cases[i].code : "(none)",
		              class_cases[i].status);
		assert_int_equal(aws_error_class(class_cases[i].code, class_cases[i].status),
		                 class_cases[i].err);
	}
}

static void test_error_string(void **state)
{
	struct tb_arena *a = tb_arena_new();
	struct tb_aws_error full = {.err = TB_ENOTFOUND,
	                            .service = "ecs",
	                            .action = "DescribeServices",
	                            .code = "ClusterNotFoundException",
	                            .message = "Cluster not found.",
	                            .request_id = "abc"};
	struct tb_aws_error local = {.err = TB_ETIMEOUT,
	                             .service = "ecs",
	                             .action = "ListClusters",
	                             .message = "Operation timed out"};
	struct tb_aws_error bare = {.err = TB_ECANCELED};

	assert_string_equal(tb_aws_error_string(a, &full), "ecs DescribeServices: "
	                                                   "ClusterNotFoundException: Cluster not "
	                                                   "found. (request id abc)");
	assert_string_equal(tb_aws_error_string(a, &local),
	                    "ecs ListClusters: Operation timed out");
	assert_string_equal(tb_aws_error_string(a, &bare), tb_strerror(TB_ECANCELED));
	tb_arena_free(a);
}

static void test_xml_tree(void **state)
{
	struct tb_arena *a = tb_arena_new();
	const char *doc = "<?xml version=\"1.0\"?>\n"
	                  "<r:Root xmlns:r=\"urn:x\"><A>one</A><B><C>two</C><C>three</C></B>"
	                  "<D>x &amp; y<![CDATA[ <z> ]]></D><E/></r:Root>";
	const struct tb_xml *root = NULL, *b;

	assert_int_equal(tb_xml_parse(a, doc, strlen(doc), &root), 0);
	assert_string_equal(root->name, "Root");
	assert_string_equal(tb_xml_text(root, "A"), "one");
	assert_string_equal(tb_xml_text(root, "B/C"), "two");
	b = tb_xml_child(root, "B");
	assert_string_equal(b->children->next->text, "three");
	assert_null(b->children->next->next);
	assert_string_equal(tb_xml_text(root, "D"), "x & y <z> ");
	assert_string_equal(tb_xml_text(root, "E"), "");
	assert_null(tb_xml_path(root, "B/Missing"));
	assert_null(tb_xml_text(root, "Nope"));
	assert_null(tb_xml_child(NULL, "A"));
	tb_arena_free(a);
}

static void test_xml_rejects(void **state)
{
	static const char *const bad[] = {
	    "",        "<a>",      "<a></b>",
	    "not xml", "<a/><b/>", "<!DOCTYPE lolz [<!ENTITY lol \"lol\">]><lolz>&lol;</lolz>",
	    NULL,
	};
	struct tb_arena *a = tb_arena_new();
	const struct tb_xml *root;
	char deep[200 * 7 + 1] = "";

	for (size_t i = 0; bad[i]; i++)
		assert_int_equal(tb_xml_parse(a, bad[i], strlen(bad[i]), &root), TB_EINVAL);
	for (int i = 0; i < 200; i++)
		strcat(deep, "<a>");
	assert_int_equal(tb_xml_parse(a, deep, strlen(deep), &root), TB_EINVAL);
	tb_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode),       cmocka_unit_test(test_classify),
	    cmocka_unit_test(test_error_string), cmocka_unit_test(test_xml_tree),
	    cmocka_unit_test(test_xml_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
