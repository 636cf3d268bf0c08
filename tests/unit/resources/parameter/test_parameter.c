/*
 * talentbase_parameter, pure parts: the PutParameter body, what GetParameter
 * and DescribeParameters say, the checks (SecureString, credential-looking
 * values, tiers, names) and the plan (new version, Advanced -> Standard).
 */
#include "helpers/resource_fixture.h"
#include "resources/parameter/parameter.h"

#define NAME "/talentbase-prod/web/api-url"

static const struct tb_value *config(const char *extra)
{
	return tbt_value(&tb_param_block, tb_arena_printf(A,
	                                                  "{\"name\":\"" NAME
	                                                  "\",\"value\":\"https://api.example\"%s}",
	                                                  extra));
}

static void test_parameter_put_request(void **state)
{
	struct tb_kv tags[] = {{"Service", "web"}};
	struct tb_param p = {.name = NAME,
	                     .value = "v",
	                     .type = "String",
	                     .tier = "Standard",
	                     .tags_all = {.n = 1, .v = tags}};
	json_t *b = tb_param_put_request(A, &p, false);

	assert_string_equal(tb_kit_jstr(b, "Type"), "String");
	assert_non_null(json_object_get(b, "Tags"));
	assert_null(json_object_get(b, "Overwrite"));
	b = tb_param_put_request(A, &p, true); /* SSM takes no tags with Overwrite */
	assert_true(json_is_true(json_object_get(b, "Overwrite")));
	assert_null(json_object_get(b, "Tags"));
}

static void test_parameter_flatten(void **state)
{
	struct tb_param p = {0};

	assert_int_equal(
	    tb_param_flatten(
	        A,
	        tbt_json("{\"Name\":\"" NAME "\",\"Type\":\"StringList\",\"Value\":\"a,b\","
	                 "\"Version\":3,\"ARN\":\"arn:aws:ssm:us-east-1:123456789012:"
	                 "parameter/talentbase-prod/web/api-url\"}"),
	        tbt_json("{\"Parameters\":[{\"Name\":\"" NAME "\",\"Tier\":\"Advanced\","
	                 "\"Description\":\"d\"}]}"),
	        &p),
	    0);
	assert_string_equal(p.type, "StringList");
	assert_string_equal(p.value, "a,b");
	assert_int_equal(p.version, 3);
	assert_string_equal(p.tier, "Advanced");
	assert_string_equal(p.description, "d");
	assert_int_equal(tb_param_flatten(A, tbt_json("{}"), NULL, &p), TB_EINVAL);
}

static void test_parameter_checks(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_call c = tbt_call(&meta);
	const struct tb_diag *d;

	tb_resource_parameter.validate(&c, config(",\"type\":\"SecureString\""));
	assert_non_null(d = tbt_diag(&c, "SecureString belongs in talentbase_secret"));
	assert_string_equal(tb_path_string(A, &d->path), "type");
	c = tbt_call(&meta);
	tb_resource_parameter.validate(
	    &c,
	    tbt_value(&tb_param_block, "{\"name\":\"" NAME
	                               "\",\"value\":\"AKIAIOSFODNN7EXAMPLE\",\"tier\":\"Gold\"}"));
	assert_non_null(d = tbt_diag(&c, "The value looks like a credential"));
	assert_string_equal(tb_path_string(A, &d->path), "value");
	assert_false(tb_str_icontains(d->detail, "AKIAIOSFODNN7EXAMPLE"));
	assert_non_null(tbt_diag(&c, "Invalid tier"));
	c = tbt_call(&meta);
	tb_resource_parameter.validate(
	    &c, tbt_value(&tb_param_block, "{\"name\":\"team/app\",\"value\":\"x\"}"));
	assert_non_null(tbt_diag(&c, "Invalid parameter name"));
	c = tbt_call(&meta);
	tb_resource_parameter.validate(
	    &c, tbt_value(&tb_param_block, "{\"name\":\"/aws/x\",\"value\":\"x\"}"));
	assert_non_null(tbt_diag(&c, "Reserved parameter name"));
	c = tbt_call(&meta);
	tb_resource_parameter.validate(&c, config(""));
	assert_false(tb_diags_has_errors(&c.diags));
}

static void test_parameter_plan(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_call c = tbt_call(&meta);
	struct tb_plan p =
	    tbt_plan(&tb_resource_parameter, &c, NULL, config(",\"tier\":\"Advanced\""));
	const struct tb_value *prior = p.planned;

	assert_string_equal(tbt_str(p.planned, "id"), NAME);
	assert_string_equal(tbt_str(p.planned, "type"), "String");
	prior =
	    tb_object_with(A, prior, "arn", tb_string(A, "arn:aws:ssm:us-east-1:1:parameter/x"));
	prior = tb_object_with(A, prior, "env_ref",
	                       tb_string(A, "arn:aws:ssm:us-east-1:1:parameter/x"));
	prior = tb_object_with(A, prior, "version", tb_int(A, 1));
	p = tbt_plan(&tb_resource_parameter, &c, prior, config(",\"tier\":\"Advanced\""));
	assert_null(tbt_diff(prior, p.planned));
	p = tbt_plan(&tb_resource_parameter, &c, prior,
	             config(",\"tier\":\"Advanced\",\"description\":\"d\""));
	assert_true(tb_is_unknown(tbt_at(p.planned, "version")));
	assert_false(tbt_replaces(&p, "tier"));
	p = tbt_plan(&tb_resource_parameter, &c, prior, config(""));
	assert_true(tbt_replaces(&p, "tier"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_parameter_put_request, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_parameter_flatten, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_parameter_checks, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_parameter_plan, tbt_setup, tbt_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
