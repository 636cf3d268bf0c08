/*
 * talentbase_secret, pure parts: the value generator's character rules and
 * uniformity, the request bodies, what DescribeSecret says, env_refs and
 * the read policy, and the plan's decisions on when a new value is sent.
 */
#include <ctype.h>

#include "helpers/resource_fixture.h"
#include "resources/secret/secret.h"

#define ARN                                                                                        \
	"arn:aws:secretsmanager:us-east-1:123456789012:secret:talentbase-prod/web/"                \
	"session-secret-AbCdEf"
#define KEY_ARN "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
#define PUNCT   "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

static struct tb_secret_gen gen(int64_t length, bool no_punct, bool space, const char *exclude)
{
	return (struct tb_secret_gen){.set = true,
	                              .length = length,
	                              .version = 1,
	                              .exclude_punctuation = no_punct,
	                              .include_space = space,
	                              .exclude_characters = exclude};
}

/* ---- the generator ------------------------------------------------------------------ */

static void test_secret_alphabet(void **state)
{
	struct tb_secret_gen g = gen(64, false, false, "");
	size_t n = 0;
	char *a = tb_secret_alphabet(A, &g, &n);

	assert_int_equal(n, 94); /* letters, digits, the 32 ASCII punctuation characters */
	assert_non_null(strchr(a, '~'));
	assert_null(strchr(a, ' '));
	g = gen(64, true, true, "0Ol1I");
	a = tb_secret_alphabet(A, &g, &n);
	assert_int_equal(n, 62 + 1 - 5);
	assert_non_null(strchr(a, ' '));
	for (const char *p = "0Ol1I!#"; *p; p++)
		assert_null(strchr(a, *p));
}

static void test_secret_generate_character_rules(void **state)
{
	struct tb_secret_gen g = gen(64, true, false, "");
	char *v = NULL;

	for (int i = 0; i < 200; i++) {
		assert_int_equal(tb_secret_generate(A, &g, &v), 0);
		assert_int_equal(strlen(v), 64);
		for (const char *p = v; *p; p++)
			assert_true(isalnum((unsigned char)*p));
		/* one of each class: lower, upper, digit */
		assert_true(strpbrk(v, "abcdefghijklmnopqrstuvwxyz") &&
		            strpbrk(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") && strpbrk(v, "0123456789"));
	}
	g = gen(40, false, true, "abc\"'\\");
	for (int i = 0; i < 200; i++) {
		assert_int_equal(tb_secret_generate(A, &g, &v), 0);
		assert_int_equal(strlen(v), 40);
		assert_null(strpbrk(v, "abc\"'\\"));
		assert_non_null(strpbrk(v, PUNCT));
		assert_non_null(strchr(v, ' '));
	}
	g = gen(4096, false, false, "");
	assert_int_equal(tb_secret_generate(A, &g, &v), 0);
	assert_int_equal(strlen(v), 4096);
}

static void test_secret_generate_refuses(void **state)
{
	struct tb_secret_gen g = gen(0, false, false, "");
	char *v = NULL;

	assert_int_equal(tb_secret_generate(A, &g, &v), TB_EINVAL);
	g = gen(4097, false, false, "");
	assert_int_equal(tb_secret_generate(A, &g, &v), TB_EINVAL);
	g = gen(3, false, false, ""); /* four classes cannot fit in three characters */
	assert_int_equal(tb_secret_generate(A, &g, &v), TB_EINVAL);
	g = gen(64, true, false, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
	assert_int_equal(tb_secret_generate(A, &g, &v), TB_EINVAL);
}

/* Pearson's chi-square of the character counts over many values against
 * the uniform distribution, under the 1e-4 quantile of chi-square with
 * n - 1 degrees of freedom (Wilson-Hilferty): a generator that favours
 * some characters (a modulo bias of 256 % n, say) fails. */
static double chi_square(const struct tb_secret_gen *g, int values, size_t *n_out)
{
	size_t n = 0;
	char *alpha = tb_secret_alphabet(A, g, &n), *v = NULL;
	long counts[256] = {0};
	double total = 0, chi = 0;

	for (int i = 0; i < values; i++) {
		assert_int_equal(tb_secret_generate(A, g, &v), 0);
		for (const char *p = v; *p; p++)
			counts[(unsigned char)*p]++;
	}
	for (size_t i = 0; i < n; i++)
		total += (double)counts[(unsigned char)alpha[i]];
	for (size_t i = 0; i < n; i++) {
		double d = (double)counts[(unsigned char)alpha[i]] - total / (double)n;
		chi += d * d / (total / (double)n);
	}
	*n_out = n;
	return chi;
}

static void test_secret_generate_uniform(void **state)
{
	struct tb_secret_gen alnum = gen(64, true, false, ""), all = gen(64, false, false, "");
	size_t n = 0;
	double chi = chi_square(&alnum, 3000, &n);

	assert_int_equal(n, 62);
	if (chi > 111.0) /* df 61 */
		fail_msg("chi-square %.1f over 62 characters: not uniform", chi);
	chi = chi_square(&all, 3000, &n);
	assert_int_equal(n, 94);
	if (chi > 152.6) /* df 93 */
		fail_msg("chi-square %.1f over 94 characters: not uniform", chi);
}

static void test_secret_token(void **state)
{
	char *t = tb_secret_token(A), *u = tb_secret_token(A);

	assert_int_equal(strlen(t), 36); /* ClientRequestToken takes 32-64 characters */
	assert_int_equal(t[14], '4');
	assert_non_null(strchr("89ab", t[19]));
	assert_string_not_equal(t, u);
}

/* The value sent: value_wo from the configuration, or generated JSON with
 * the template beside it. */
static void test_secret_value(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_call c = tbt_call(&meta);
	struct tb_kv tpl[] = {{"dbname", "app"}, {"username", "fckadmin"}};
	struct tb_secret s = {.gen = gen(32, true, false, "")};
	const char *v = NULL;
	json_t *doc;

	s.gen.json_key = "password";
	s.template_ = (struct tb_kvs){.n = 2, .v = tpl};
	assert_int_equal(tb_secret_value(&c, &s, &v), 0);
	doc = tbt_json(v);
	assert_int_equal(json_object_size(doc), 3);
	assert_int_equal(strlen(json_string_value(json_object_get(doc, "password"))), 32);
	assert_string_equal(json_string_value(json_object_get(doc, "username")), "fckadmin");

	memset(&s, 0, sizeof(s));
	c.config =
	    tbt_value(&tb_secret_block, "{\"name\":\"x\",\"value_wo\":\"sk_live_abcdefghijkl\"}");
	assert_int_equal(tb_secret_value(&c, &s, &v), 0);
	assert_string_equal(v, "sk_live_abcdefghijkl");
	c.config = tbt_value(&tb_secret_block, "{\"name\":\"x\"}");
	assert_int_equal(tb_secret_value(&c, &s, &v), TB_EINVAL);
	assert_non_null(tbt_diag(&c, "No value to store"));
}

/* ---- requests and answers -------------------------------------------------------------- */

static void test_secret_create_request(void **state)
{
	struct tb_kv tags[] = {{"Project", "TalentBase"}};
	struct tb_secret s = {.name = "app/session",
	                      .description = "d",
	                      .kms_key_id = KEY_ARN,
	                      .tags_all = {.n = 1, .v = tags}};
	json_t *b = tb_secret_create_request(A, &s, "VALUE", "tok");

	assert_string_equal(tb_kit_jstr(b, "Name"), "app/session");
	assert_string_equal(tb_kit_jstr(b, "ClientRequestToken"), "tok");
	assert_string_equal(tb_kit_jstr(b, "SecretString"), "VALUE");
	assert_string_equal(tb_kit_jstr(b, "KmsKeyId"), KEY_ARN);
	assert_string_equal(tb_kit_jstr(json_array_get(json_object_get(b, "Tags"), 0), "Key"),
	                    "Project");
	s.description = NULL;
	s.kms_key_id = NULL;
	b = tb_secret_create_request(A, &s, "VALUE", "tok");
	assert_null(json_object_get(b, "Description"));
	assert_null(json_object_get(b, "KmsKeyId"));
}

static void test_secret_rotate_request(void **state)
{
	struct tb_secret s = {.arn = ARN, .rot = {.set = true, .schedule = "rate(30 days)"}};
	json_t *b = tb_secret_rotate_request(A, &s, "tok");

	assert_string_equal(tb_kit_jstr(json_object_get(b, "RotationRules"), "ScheduleExpression"),
	                    "rate(30 days)");
	assert_true(json_is_false(json_object_get(b, "RotateImmediately")));
	assert_null(json_object_get(b, "RotationLambdaARN"));
	s.rot = (struct tb_secret_rot){
	    .set = true, .days = 7, .lambda_arn = "arn:l", .immediately = true};
	b = tb_secret_rotate_request(A, &s, "tok");
	assert_int_equal(tb_kit_jint(json_object_get(b, "RotationRules"), "AutomaticallyAfterDays"),
	                 7);
	assert_string_equal(tb_kit_jstr(b, "RotationLambdaARN"), "arn:l");
	assert_true(json_is_true(json_object_get(b, "RotateImmediately")));
}

static void test_secret_flatten(void **state)
{
	struct tb_secret s = {0}, prior = {.rot = {.days = 30}};

	assert_int_equal(
	    tb_secret_flatten(A, tbt_json_file("secret", "describe_secret.json"), NULL, &s), 0);
	assert_string_equal(s.arn, ARN);
	assert_string_equal(s.kms_key_id, KEY_ARN);
	assert_string_equal(s.version_id, "EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE");
	assert_true(s.rot.set);
	assert_string_equal(s.rot.schedule, "rate(30 days)");
	assert_int_equal(s.rot.days, 0);
	assert_int_equal(s.tags_all.n, 3); /* aws:... is AWS's, not the user's */
	assert_null(s.deleted_date);
	/* written as automatically_after_days = 30, read back that way */
	memset(&s, 0, sizeof(s));
	assert_int_equal(
	    tb_secret_flatten(A, tbt_json_file("secret", "describe_secret.json"), &prior, &s), 0);
	assert_null(s.rot.schedule);
	assert_int_equal(s.rot.days, 30);

	memset(&s, 0, sizeof(s));
	assert_int_equal(
	    tb_secret_flatten(A, tbt_json_file("secret", "describe_secret_deleted.json"), NULL, &s),
	    0);
	assert_string_equal(s.deleted_date, "2026-01-01 00:00:00 UTC");
	assert_false(s.rot.set);
	assert_int_equal(tb_secret_flatten(A, tbt_json("{}"), NULL, &s), TB_EINVAL);
}

/* ---- references ---------------------------------------------------------------------- */

static void test_secret_env_refs(void **state)
{
	struct tb_kv tpl[] = {{"host", "db"}, {"username", "u"}};
	const char *keys[] = {"stripe_secret_key", "stripe_webhook_secret"};
	struct tb_secret s = {.name = "talentbase-prod/web/session-secret"};
	struct tb_kvs refs;

	assert_int_equal(tb_secret_env_refs(A, &s, ARN, &refs), 0);
	assert_int_equal(refs.n, 1);
	assert_string_equal(refs.v[0].key, "SESSION_SECRET");
	assert_string_equal(refs.v[0].value, ARN);

	s.gen = gen(32, false, false, "");
	s.gen.json_key = "password";
	s.template_ = (struct tb_kvs){.n = 2, .v = tpl};
	assert_int_equal(tb_secret_env_refs(A, &s, ARN, &refs), 0);
	assert_int_equal(refs.n, 3);
	assert_string_equal(refs.v[1].key, "password");
	assert_string_equal(refs.v[1].value, ARN ":password::");

	memset(&s.gen, 0, sizeof(s.gen));
	s.json_keys = (struct tb_strs){.n = 2, .v = keys};
	assert_int_equal(tb_secret_env_refs(A, &s, NULL, &refs), 0);
	assert_int_equal(refs.n, 2);
	assert_null(refs.v[0].value); /* unknown until the ARN is */
	assert_string_equal(tb_secret_plain_key(A, "mangu-publishing-app-secrets.production"),
	                    "MANGU_PUBLISHING_APP_SECRETS_PRODUCTION");
}

static void test_secret_read_policy(void **state)
{
	json_t *doc = tbt_json(tb_secret_read_policy(A, ARN, NULL)), *st, *cond;

	assert_int_equal(json_array_size(json_object_get(doc, "Statement")), 1);
	st = json_array_get(json_object_get(doc, "Statement"), 0);
	assert_string_equal(tb_kit_jstr(st, "Action"), "secretsmanager:GetSecretValue");
	assert_string_equal(tb_kit_jstr(st, "Resource"), ARN);
	doc = tbt_json(tb_secret_read_policy(A, ARN, TB_SECRET_AWS_KEY));
	assert_int_equal(json_array_size(json_object_get(doc, "Statement")), 1);

	doc = tbt_json(tb_secret_read_policy(A, ARN, KEY_ARN));
	st = json_array_get(json_object_get(doc, "Statement"), 1);
	assert_string_equal(tb_kit_jstr(st, "Action"), "kms:Decrypt");
	assert_string_equal(tb_kit_jstr(st, "Resource"), KEY_ARN);
	cond = json_object_get(json_object_get(st, "Condition"), "StringEquals");
	assert_string_equal(tb_kit_jstr(cond, "kms:ViaService"),
	                    "secretsmanager.us-east-1.amazonaws.com");

	doc = tbt_json(tb_secret_read_policy(A, ARN, "1234abcd-12ab-34cd-56ef-1234567890ab"));
	st = json_array_get(json_object_get(doc, "Statement"), 1);
	assert_string_equal(tb_kit_jstr(st, "Resource"), KEY_ARN);
	doc = tbt_json(tb_secret_read_policy(A, ARN, "alias/talentbase-secrets"));
	st = json_array_get(json_object_get(doc, "Statement"), 1);
	assert_string_equal(tb_kit_jstr(st, "Resource"),
	                    "arn:aws:kms:us-east-1:123456789012:key/*");
	cond = json_object_get(json_object_get(st, "Condition"), "ForAnyValue:StringEquals");
	assert_string_equal(tb_kit_jstr(cond, "kms:ResourceAliases"), "alias/talentbase-secrets");
	assert_null(tb_secret_read_policy(A, "not-an-arn", NULL));

	assert_true(tb_secret_policy_equal("{\"a\": [1, 2]}", "{\"a\":[1,2]}"));
	assert_false(tb_secret_policy_equal("{\"a\": 1}", "{\"a\": 2}"));
	assert_true(tb_secret_policy_equal(NULL, ""));
}

/* ---- planning ------------------------------------------------------------------------- */

#define CONFIG_GEN                                                                                 \
	"{\"name\":\"talentbase-prod/web/session-secret\",\"generate\":{\"json_key\":"             \
	"\"SESSION_SECRET\"},\"rotation\":{\"lambda_arn\":\"arn:aws:lambda:us-east-1:"             \
	"123456789012:"                                                                            \
	"function:r\",\"schedule\":\"rate(30 days)\"}"

static const struct tb_value *config_gen(const char *extra)
{
	return tbt_value(&tb_secret_block, tb_arena_printf(A, "%s%s}", CONFIG_GEN, extra));
}

/* The state an apply of config would leave (ARN and version known). */
static const struct tb_value *applied(struct tb_call *c, const struct tb_value *config)
{
	struct tb_plan p = tbt_plan(&tb_resource_secret, c, NULL, config);
	const struct tb_value *v = p.planned;

	v = tb_object_with(A, v, "arn", tb_string(A, ARN));
	v = tb_object_with(A, v, "id", tb_string(A, ARN));
	v = tb_object_with(A, v, "version_id", tb_string(A, "v1"));
	v = tb_object_with(A, v, "read_policy_json",
	                   tb_string(A, tb_secret_read_policy(A, ARN, NULL)));
	return tb_object_with(A, v, "env_refs",
	                      tbt_tags("{\"SESSION_SECRET\":\"" ARN ":SESSION_SECRET::\"}"));
}

static void test_secret_plan_create(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_call c = tbt_call(&meta);
	struct tb_plan p = tbt_plan(&tb_resource_secret, &c, NULL, config_gen(""));

	assert_false(tb_diags_has_errors(&c.diags));
	assert_true(tb_is_unknown(tbt_at(p.planned, "version_id")));
	assert_true(tb_is_unknown(tbt_at(p.planned, "env_refs[\"SESSION_SECRET\"]")));
	assert_int_equal(tbt_int(p.planned, "generate.length"), 64);
	assert_true(tb_is_null(tbt_at(p.planned, "value_wo")));
	assert_true(tb_is_null(tbt_at(p.planned, "recovery_window_days")));
}

static void test_secret_plan_new_value(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *prior = applied(&c, config_gen(""));
	struct tb_plan p;

	p = tbt_plan(&tb_resource_secret, &c, prior, config_gen(""));
	assert_null(tbt_diff(prior, p.planned));
	assert_string_equal(tbt_str(p.planned, "read_policy_json"),
	                    tb_secret_read_policy(A, ARN, NULL));

	p = tbt_plan(&tb_resource_secret, &c, prior,
	             tbt_value(&tb_secret_block, tb_arena_printf(A, "%s}", CONFIG_GEN) /* same */));
	assert_false(tb_is_unknown(tbt_at(p.planned, "version_id")));

	/* length without a version bump: the value stays, the plan says so */
	p = tbt_plan(&tb_resource_secret, &c, prior,
	             tbt_value(&tb_secret_block,
	                       "{\"name\":\"talentbase-prod/web/session-secret\","
	                       "\"generate\":{\"json_key\":\"SESSION_SECRET\","
	                       "\"length\":48},\"rotation\":{\"lambda_arn\":\"a\","
	                       "\"schedule\":\"rate(30 days)\"}}"));
	assert_false(tb_is_unknown(tbt_at(p.planned, "version_id")));
	assert_non_null(tbt_diag(&c, "The stored value stays"));

	p = tbt_plan(&tb_resource_secret, &c, prior,
	             tbt_value(&tb_secret_block,
	                       "{\"name\":\"talentbase-prod/web/session-secret\","
	                       "\"generate\":{\"json_key\":\"SESSION_SECRET\","
	                       "\"version\":2},\"rotation\":{\"lambda_arn\":\"a\","
	                       "\"schedule\":\"rate(30 days)\"}}"));
	assert_true(tb_is_unknown(tbt_at(p.planned, "version_id")));
}

static void test_secret_plan_checks(void **state)
{
	struct tb_meta meta = tbt_meta("development");
	struct tb_call c = tbt_call(&meta);

	tbt_plan(
	    &tb_resource_secret, &c, NULL,
	    tbt_value(&tb_secret_block, "{\"name\":\"a/b\",\"generate\":{},\"value_wo\":\"x\"}"));
	assert_non_null(tbt_diag(&c, "Two values for one secret"));
	c = tbt_call(&meta);
	tbt_plan(&tb_resource_secret, &c, NULL, tbt_value(&tb_secret_block, "{\"name\":\"a/b\"}"));
	assert_non_null(tbt_diag(&c, "No value for the secret"));
	c = tbt_call(&meta);
	tbt_plan(&tb_resource_secret, &c, NULL,
	         tbt_value(&tb_secret_block,
	                   "{\"name\":\"a/b\",\"generate\":{},\"template\":{\"a\":\"b\"},"
	                   "\"rotation\":{\"schedule\":\"every day\"}}"));
	assert_non_null(tbt_diag(&c, "template needs generate.json_key"));
	assert_non_null(tbt_diag(&c, "Invalid rotation schedule"));
	assert_non_null(tbt_diag(&c, "Rotation needs a function"));
	c = tbt_call(&meta);
	tbt_plan(&tb_resource_secret, &c, NULL,
	         tbt_value(&tb_secret_block,
	                   "{\"name\":\"a/b\",\"value_wo\":\"{\\\"k\\\":\\\"sk_live_x\\\"}\","
	                   "\"json_keys\":[\"k\",\"other\"],\"policy\":\"nope\"}"));
	assert_non_null(tbt_diag(&c, "value_wo has no key \"other\""));
	assert_null(tbt_diag(&c, "sk_live_x"));
	assert_non_null(tbt_diag(&c, "policy is not a JSON policy document"));
}

static void test_secret_write_only_needs_capability(void **state)
{
	struct tb_meta meta = tbt_meta(NULL);
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *config =
	    tbt_value(&tb_secret_block, "{\"name\":\"a/b\",\"value_wo\":\"sk_live_abc\"}");
	const struct tb_diag *d;

	tb_resource_secret.validate(&c, config);
	assert_non_null(d = tbt_diag(&c, "needs a newer Terraform or OpenTofu"));
	assert_true(tb_str_icontains(d->detail, "Terraform 1.11") &&
	            tb_str_icontains(d->detail, "OpenTofu 1.11") &&
	            tb_str_icontains(d->detail, "generate"));
	c = tbt_call(&meta);
	c.caps.write_only_attributes_allowed = true;
	tb_resource_secret.validate(&c, config);
	assert_null(tbt_diag(&c, "needs a newer"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_secret_alphabet, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_secret_generate_character_rules, tbt_setup,
	                                    tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_secret_generate_refuses, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_secret_generate_uniform, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_secret_token, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_secret_value, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_secret_create_request, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_secret_rotate_request, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_secret_flatten, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_secret_env_refs, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_secret_read_policy, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_secret_plan_create, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_secret_plan_new_value, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_secret_plan_checks, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_secret_write_only_needs_capability, tbt_setup,
	                                    tbt_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
