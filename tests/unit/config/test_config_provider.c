/* ValidateProviderConfig: each mistake is an error on the right attribute. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tb/provider.h"

struct provider_case {
	const char *json;
	const char *path; /* expected error path; NULL: no error */
	const char *summary;
};

static const struct provider_case cases[] = {
    {"{}", NULL, NULL},
    {"{\"region\":\"us-east-1\",\"environment\":\"development\",\"max_retries\":5}", NULL, NULL},
    {"{\"region\":\"cn-north-1\",\"endpoints\":[{\"ecs\":\"http://127.0.0.1:5000\"}]}", NULL, NULL},
    {"{\"preflight\":false,\"endpoints\":[{\"ecr\":\"http://127.0.0.1:5000\","
     "\"ec2\":\"http://127.0.0.1:5000\"}]}",
     NULL, NULL},
    {"{\"endpoints\":[{\"ec2\":\"ec2.local\"}]}", "endpoints[0].ec2", "Invalid endpoint URL"},
    {"{\"assume_role\":[{\"role_arn\":\"arn:aws:iam::123456789012:role/deploy\","
     "\"duration\":\"1h\",\"session_name\":\"ci\"}]}",
     NULL, NULL},
    {"{\"environment\":\"prod\"}", "environment", "Invalid environment"},
    {"{\"region\":\"not a region\"}", "region", "Invalid region"},
    {"{\"region\":\"US-EAST-1\"}", "region", "Invalid region"},
    {"{\"assume_role\":[{\"role_arn\":\"arn:aws:iam::bad\"}]}", "assume_role[0].role_arn",
     "Invalid role ARN"},
    {"{\"assume_role\":[{\"role_arn\":\"arn:aws:iam::123456789012:role/x\","
     "\"duration\":\"13h\"}]}",
     "assume_role[0].duration", "Invalid duration"},
    {"{\"assume_role\":[{\"role_arn\":\"arn:aws:iam::123456789012:role/x\","
     "\"session_name\":\"has space\"}]}",
     "assume_role[0].session_name", "Invalid session name"},
    {"{\"endpoints\":[{\"ecs\":\"not a url\"}]}", "endpoints[0].ecs", "Invalid endpoint URL"},
    {"{\"endpoints\":[{\"sts\":\"ftp://x\"}]}", "endpoints[0].sts", "Invalid endpoint URL"},
    {"{\"max_retries\":-1}", "max_retries", "Invalid max_retries"},
    {"{\"max_retries\":1000}", "max_retries", "Invalid max_retries"},
    {"{\"max_retries\":2.5}", "max_retries", "Invalid max_retries"},
    {"{\"access_key\":\"AKIDEXAMPLE\"}", "access_key", "Incomplete static credentials"},
    {"{\"shared_config_files\":[\"\"]}", "shared_config_files[0]", "Invalid file name"},
};

static void run_case(const struct provider_case *pc)
{
	struct tb_arena *a = tb_arena_new();
	const struct tb_value *config = NULL;
	struct tb_call call = {.arena = a, .meta = tb_provider_meta()};

	tb_diags_init(&call.diags, a);
	assert_int_equal(
	    tb_upgrade_json_state(a, &tb_provider_schema, pc->json, strlen(pc->json), &config), 0);
	tb_provider_validate(&call, config);
	if (pc->path == NULL) {
		if (call.diags.n_errors != 0)
			fail_msg("%s: unexpected error %s", pc->json, call.diags.head->summary);
	} else {
		assert_int_equal(call.diags.n_errors, 1);
		assert_string_equal(call.diags.head->summary, pc->summary);
		assert_string_equal(tb_path_string(a, &call.diags.head->path), pc->path);
	}
	tb_arena_free(a);
}

static void test_config_provider_validate(void **state)
{
	(void)state;
	for (size_t i = 0; i < TB_COUNT(cases); i++)
		run_case(&cases[i]);
}

/* A role's path and name may be 512 characters (one regcomp repetition
 * count could not say so under musl, whose RE_DUP_MAX is 255). */
static void test_config_provider_role_arn_length(void **state)
{
	char name[514], json[700];
	(void)state;

	for (size_t len = 511; len <= 513; len++) {
		memset(name, 'r', len);
		name[len] = '\0';
		snprintf(json, sizeof(json),
		         "{\"assume_role\":[{\"role_arn\":\"arn:aws:iam::123456789012:role/%s\"}]}",
		         name);
		struct provider_case pc = {json, len <= 512 ? NULL : "assume_role[0].role_arn",
		                           "Invalid role ARN"};
		run_case(&pc);
	}
}

static void test_config_provider_unknown_skipped(void **state)
{
	struct tb_arena *a = tb_arena_new();
	struct tb_call call = {.arena = a, .meta = tb_provider_meta()};
	const struct tb_type *t = tb_block_type(tb_provider_schema.block);
	const struct tb_value *config = tb_null(a, t);
	(void)state;

	tb_diags_init(&call.diags, a);
	config = tb_unknown(a, t);
	tb_provider_validate(&call, config);
	assert_int_equal(call.diags.n_errors, 0);
	tb_arena_free(a);
}

static void test_config_provider_registry(void **state)
{
	(void)state;
	assert_non_null(tb_resource_find("talentbase_service"));
	assert_null(tb_resource_find("talentbase_nothing"));
	assert_null(tb_resource_find(NULL));
	for (size_t i = 1; tb_resources[i] != NULL; i++)
		assert_true(strcmp(tb_resources[i - 1]->name, tb_resources[i]->name) < 0);
}

/* Configures from JSON with static keys and no AWS call; returns rc. */
static int configure(const char *json)
{
	struct tb_arena *a = tb_arena_new();
	const struct tb_value *config = NULL;
	struct tb_call call = {.arena = a, .meta = tb_provider_meta()};
	int rc;

	tb_diags_init(&call.diags, a);
	assert_int_equal(tb_upgrade_json_state(a, &tb_provider_schema, json, strlen(json), &config),
	                 0);
	rc = tb_provider_configure(&call, config);
	tb_arena_free(a);
	return rc;
}

/* A call keeps the settings it started with across a later ConfigureProvider
 * and shutdown (ASan reports a use after free or a leak otherwise). */
static void test_config_provider_reconfigure_keeps_held_meta(void **state)
{
	const struct tb_meta *held, *now;
	(void)state;

	setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
	assert_null(tb_provider_meta_get()->aws);
	assert_int_equal(configure("{\"region\":\"us-east-1\",\"access_key\":\"AKIDONE\","
	                           "\"secret_key\":\"s1\",\"skip_credentials_validation\":true,"
	                           "\"environment\":\"staging\","
	                           "\"default_tags\":{\"team\":\"core\"}}"),
	                 0);
	held = tb_provider_meta_get();
	assert_non_null(held->aws);
	assert_int_equal(configure("{\"region\":\"eu-west-1\",\"access_key\":\"AKIDTWO\","
	                           "\"secret_key\":\"s2\",\"skip_credentials_validation\":true,"
	                           "\"preflight\":false}"),
	                 0);
	now = tb_provider_meta_get();
	assert_ptr_not_equal(now, held);
	assert_true(held->preflight); /* the default */
	assert_false(now->preflight);
	assert_string_equal(now->region, "eu-west-1");
	assert_string_equal(now->environment, "production");
	tb_provider_shutdown();
	assert_null(tb_provider_meta()->aws);
	assert_string_equal(held->region, "us-east-1");
	assert_string_equal(held->environment, "staging");
	assert_string_equal(tb_aws_region(held->aws), "us-east-1");
	assert_int_equal(tb_len(held->default_tags), 1);
	tb_provider_meta_put(held);
	tb_provider_meta_put(now);
	tb_provider_meta_put(tb_provider_meta_get());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_provider_validate),
	    cmocka_unit_test(test_config_provider_role_arn_length),
	    cmocka_unit_test(test_config_provider_unknown_skipped),
	    cmocka_unit_test(test_config_provider_registry),
	    cmocka_unit_test(test_config_provider_reconfigure_keeps_held_meta),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
