/*
 * Tags in each service's spelling: the create-call shapes and the
 * retagging calls (action, id parameter, tag and key lists) against a
 * scripted server; and tb_aws_json_all's default pagination token.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "aws/internal.h"
#include "helpers/aws_fixture.h"
#include "helpers/http_server.h"

struct fixture {
	struct tbt_server *srv;
	struct tb_aws_client *client;
	struct tb_arena *arena;
	struct tb_aws_ctx ctx;
};

static struct tb_kv KV[] = {{"Team", "web"}, {"Env", "prod"}};
static const struct tb_kvs TAGS = {.n = 2, .v = KV};
static const char *KEYS[] = {"Old"};
static const struct tb_strs REMOVED = {.n = 1, .v = KEYS};

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
	tbt_server_set_default(f->srv, &(struct tbt_response){.body = "{}"});
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

static const char *body(struct fixture *f, size_t i)
{
	const struct tbt_request *r = tbt_server_request(f->srv, i);
	assert_non_null(r);
	return r->body;
}

static const char *target(struct fixture *f, size_t i, char *buf, size_t n)
{
	return tbt_request_header(tbt_server_request(f->srv, i), "X-Amz-Target", buf, n);
}

static void test_aws_tags_json_shapes(void **state)
{
	struct fixture *f = *state;
	char *ecs = json_dumps(tb_aws_tags_json(f->arena, "ecs", &TAGS), JSON_COMPACT);
	char *sm = json_dumps(tb_aws_tags_json(f->arena, "secretsmanager", &TAGS), JSON_COMPACT);
	char *logs = json_dumps(tb_aws_tags_json(f->arena, "logs", &TAGS), JSON_COMPACT);

	assert_string_equal(
	    ecs, "[{\"key\":\"Team\",\"value\":\"web\"},{\"key\":\"Env\",\"value\":\"prod\"}]");
	assert_string_equal(
	    sm, "[{\"Key\":\"Team\",\"Value\":\"web\"},{\"Key\":\"Env\",\"Value\":\"prod\"}]");
	assert_string_equal(logs, "{\"Team\":\"web\",\"Env\":\"prod\"}");
	assert_null(tb_aws_tags_json(f->arena, "elasticloadbalancing", &TAGS));
	free(ecs);
	free(sm);
	free(logs);
}

static void test_aws_tags_retag_json(void **state)
{
	struct fixture *f = *state;
	const char *id = "arn:aws:ecs:us-east-1:1:service/c/web";
	char t[128];

	assert_int_equal(tb_aws_retag(&f->ctx, "ecs", &id, 1, &TAGS, &REMOVED), 0);
	assert_int_equal(tbt_server_count(f->srv), 2);
	assert_string_equal(target(f, 0, t, sizeof(t)),
	                    "AmazonEC2ContainerServiceV20141113.TagResource");
	assert_non_null(
	    strstr(body(f, 0), "\"resourceArn\":\"arn:aws:ecs:us-east-1:1:service/c/web\""));
	assert_non_null(strstr(body(f, 0), "\"tags\":[{\"key\":\"Team\",\"value\":\"web\"}"));
	assert_string_equal(target(f, 1, t, sizeof(t)),
	                    "AmazonEC2ContainerServiceV20141113.UntagResource");
	assert_non_null(strstr(body(f, 1), "\"tagKeys\":[\"Old\"]"));
}

static void test_aws_tags_retag_ssm_resource_type(void **state)
{
	struct fixture *f = *state;
	const char *id = "/talentbase/web/api-url";
	char t[128];

	assert_int_equal(tb_aws_retag(&f->ctx, "ssm", &id, 1, &TAGS, NULL), 0);
	assert_int_equal(tbt_server_count(f->srv), 1);
	assert_string_equal(target(f, 0, t, sizeof(t)), "AmazonSSM.AddTagsToResource");
	assert_non_null(strstr(body(f, 0), "\"ResourceType\":\"Parameter\""));
	assert_non_null(strstr(body(f, 0), "\"ResourceId\":\"/talentbase/web/api-url\""));
	assert_non_null(strstr(body(f, 0), "\"Tags\":[{\"Key\":\"Team\",\"Value\":\"web\"}"));
}

static void test_aws_tags_retag_query_many_ids(void **state)
{
	struct fixture *f = *state;
	const char *ids[] = {"arn:tg", "", "arn:rule"};

	tbt_server_set_default(f->srv,
	                       &(struct tbt_response){.body = "<AddTagsResponse><AddTagsResult/>"
	                                                      "</AddTagsResponse>"});
	assert_int_equal(tb_aws_retag(&f->ctx, "elasticloadbalancing", ids, 3, &TAGS, NULL), 0);
	assert_int_equal(tbt_server_count(f->srv), 1);
	assert_non_null(strstr(body(f, 0), "Action=AddTags"));
	assert_non_null(strstr(body(f, 0), "ResourceArns.member.1=arn%3Atg"));
	assert_non_null(strstr(body(f, 0), "ResourceArns.member.2=arn%3Arule"));
	assert_non_null(strstr(body(f, 0), "Tags.member.2.Key=Env"));
}

static void test_aws_tags_retag_query_one_id_each(void **state)
{
	struct fixture *f = *state;
	const char *ids[] = {"arn:a", "arn:b"};

	tbt_server_set_default(
	    f->srv, &(struct tbt_response){.body = "<UntagResourceResponse><UntagResourceResult/>"
	                                           "</UntagResourceResponse>"});
	assert_int_equal(tb_aws_retag(&f->ctx, "monitoring", ids, 2, NULL, &REMOVED), 0);
	assert_int_equal(tbt_server_count(f->srv), 2);
	assert_non_null(strstr(body(f, 0), "Action=UntagResource"));
	assert_non_null(strstr(body(f, 0), "ResourceARN=arn%3Aa"));
	assert_non_null(strstr(body(f, 0), "TagKeys.member.1=Old"));
	assert_non_null(strstr(body(f, 1), "ResourceARN=arn%3Ab"));
}

/* RDS's model names the tag list member Tag: Tags.Tag.N (Tags.member.N is ignored). */
static void test_aws_tags_retag_rds_tag_member(void **state)
{
	struct fixture *f = *state;
	const char *id = "arn:aws:rds:us-east-1:123456789012:db-proxy:prx-1";
	struct tb_aws_params p;

	tbt_server_set_default(
	    f->srv, &(struct tbt_response){.body = "<AddTagsToResourceResponse><ResponseMetadata/>"
	                                           "</AddTagsToResourceResponse>"});
	assert_int_equal(tb_aws_retag(&f->ctx, "rds", &id, 1, &TAGS, &REMOVED), 0);
	assert_int_equal(tbt_server_count(f->srv), 2);
	assert_non_null(strstr(body(f, 0), "Action=AddTagsToResource"));
	assert_non_null(strstr(body(f, 0), "ResourceName=arn%3Aaws%3Ards"));
	assert_non_null(strstr(body(f, 0), "Tags.Tag.1.Key=Team"));
	assert_non_null(strstr(body(f, 0), "Tags.Tag.2.Value=prod"));
	assert_null(strstr(body(f, 0), "Tags.member"));
	assert_non_null(strstr(body(f, 1), "Action=RemoveTagsFromResource"));
	assert_non_null(strstr(body(f, 1), "TagKeys.member.1=Old"));

	tb_aws_params_init(&p, f->arena);
	assert_int_equal(tb_aws_tags_params_for(&p, "rds", "Tags", &TAGS), 0);
	assert_string_equal(p.items[0].name, "Tags.Tag.1.Key");
	assert_int_equal(tb_aws_tags_params_for(&p, "elasticloadbalancing", "Tags", &TAGS), 0);
	assert_string_equal(p.items[4].name, "Tags.member.1.Key");
	assert_int_equal(tb_aws_tags_params_for(&p, "ecs", "Tags", &TAGS), TB_EINVAL);
}

static void test_aws_tags_nothing_to_do(void **state)
{
	struct fixture *f = *state;
	const char *id = "arn";
	static const struct tb_kvs none = {0};

	assert_int_equal(tb_aws_retag(&f->ctx, "logs", &id, 1, &none, NULL), 0);
	assert_int_equal(tb_aws_retag(&f->ctx, "sts", &id, 1, &TAGS, NULL), TB_EINVAL);
	assert_int_equal(tbt_server_count(f->srv), 0);
}

static void test_aws_tags_json_all_service_token(void **state)
{
	struct fixture *f = *state;
	json_t *out = NULL;

	tbt_server_push(f->srv, &(struct tbt_response){
	                            .body = "{\"logGroups\":[{\"n\":1}],\"nextToken\":\"t2\"}"});
	tbt_server_push(f->srv, &(struct tbt_response){.body = "{\"logGroups\":[{\"n\":2}]}"});
	assert_int_equal(tb_aws_json_all(&f->ctx, "logs", "DescribeLogGroups",
	                                 tb_aws_json_own(f->arena, json_object()), "logGroups",
	                                 &out),
	                 0);
	assert_int_equal(json_array_size(json_object_get(out, "logGroups")), 2);
	assert_non_null(strstr(body(f, 1), "\"nextToken\":\"t2\""));
	assert_int_equal(
	    tb_aws_json_all(&f->ctx, "logs", "DescribeLogGroups", NULL, "logGroups", &out),
	    TB_ENOMEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_aws_tags_json_shapes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_aws_tags_retag_json, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_aws_tags_retag_ssm_resource_type, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_aws_tags_retag_query_many_ids, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_aws_tags_retag_query_one_id_each, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_aws_tags_retag_rds_tag_member, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_aws_tags_nothing_to_do, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_aws_tags_json_all_service_token, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
