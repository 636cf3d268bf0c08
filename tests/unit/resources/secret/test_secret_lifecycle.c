/*
 * talentbase_secret end to end through the real AWS client against a local
 * fake Secrets Manager: the calls of create, update, read, delete and
 * import and their order, the value sent only in CreateSecret and
 * PutSecretValue (never read back), the roll-back after a failed step, the
 * error for a name scheduled for deletion and the way back with
 * restore_if_deleted.
 */
#include "helpers/fake_aws.h"
#include "helpers/resource_fixture.h"
#include "resources/secret/secret.h"

#define ARN                                                                                        \
	"arn:aws:secretsmanager:us-east-1:123456789012:secret:talentbase-prod/web/"                \
	"session-secret-AbCdEf"
#define NAME "talentbase-prod/web/session-secret"
#define FN   "arn:aws:lambda:us-east-1:123456789012:function:rotate-session"

/* clang-format off */
static const struct tbt_canned answers[] = {
    {"CreateSecret", NULL, "{\"ARN\":\"" ARN "\",\"Name\":\"" NAME "\",\"VersionId\":\"v-create\"}"},
    {"PutSecretValue", NULL, "{\"ARN\":\"" ARN "\",\"VersionId\":\"v-put\"}"},
    {"PutResourcePolicy", NULL, "{\"ARN\":\"" ARN "\"}"},
    {"DeleteResourcePolicy", NULL, "{\"ARN\":\"" ARN "\"}"},
    {"RotateSecret", NULL, "{\"ARN\":\"" ARN "\"}"},
    {"CancelRotateSecret", NULL, "{\"ARN\":\"" ARN "\"}"},
    {"UpdateSecret", NULL, "{\"ARN\":\"" ARN "\"}"},
    {"TagResource", NULL, "{}"},
    {"UntagResource", NULL, "{}"},
    {"RestoreSecret", NULL, "{\"ARN\":\"" ARN "\"}"},
    {"DeleteSecret", NULL, "{\"ARN\":\"" ARN "\"}"},
    {"GetResourcePolicy", NULL, "{\"ARN\":\"" ARN "\",\"ResourcePolicy\":\"{\\\"Version\\\": \\\"2012-10-17\\\", \\\"Statement\\\": []}\"}"},
};
/* clang-format on */

struct sm_fake {
	struct tbt_fake aws;
	bool deleted; /* DescribeSecret shows DeletedDate (scheduled) */
	bool gone;    /* DescribeSecret: not found */
	bool force;   /* the last DeleteSecret had ForceDeleteWithoutRecovery */
};

static struct sm_fake F;

static bool hook(struct tbt_fake *f, const char *action, const struct tbt_request *req,
                 struct tbt_response *resp)
{
	if (strcmp(action, "DeleteSecret") == 0) {
		F.force = req->body && strstr(req->body, "ForceDeleteWithoutRecovery");
		F.gone = F.force;
		F.deleted = !F.force;
	} else if (strcmp(action, "RestoreSecret") == 0) {
		F.deleted = false;
	} else if (strcmp(action, "CreateSecret") == 0 && F.deleted) {
		tbt_fake_error(true, "InvalidRequestException", resp);
		return true;
	} else if (strcmp(action, "DescribeSecret") == 0) {
		if (F.gone) {
			tbt_fake_error(true, "ResourceNotFoundException", resp);
			return true;
		}
		resp->body_owned = tbt_fake_read(
		    "secret", F.deleted ? "describe_secret_deleted.json" : "describe_secret.json");
		return true;
	}
	return false;
}

static int lc_setup(void **state)
{
	if (tbt_setup(state) != 0)
		return -1;
	memset(&F, 0, sizeof(F));
	return tbt_fake_start(&F.aws, "secret", answers, TB_COUNT(answers), hook);
}

static int lc_teardown(void **state)
{
	tbt_fake_stop(&F.aws);
	return tbt_teardown(state);
}

static struct tb_meta lc_meta(const char *env)
{
	struct tb_meta m = tbt_meta(env);

	m.aws = F.aws.client;
	return m;
}

#define CONFIG                                                                                     \
	"{\"name\":\"" NAME "\",\"description\":\"Session secret for the web application\","       \
	"\"kms_key_id\":\"arn:aws:kms:us-east-1:123456789012:key/"                                 \
	"1234abcd-12ab-34cd-56ef-1234567890ab\",\"generate\":{\"json_key\":\"SESSION_SECRET\"},"   \
	"\"policy\":\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[]}\","                \
	"\"tags\":{\"Service\":\"web\"},\"rotation\":{\"lambda_arn\":\"" FN "\","                  \
	"\"automatically_after_days\":30}%s}"

/* Plans config (with extra attributes) on prior and sets c->config, as the
 * RPC layer does before the apply. */
static const struct tb_value *planned(struct tb_call *c, const struct tb_value *prior,
                                      const char *extra)
{
	const struct tb_value *config =
	    tbt_value(&tb_secret_block, tb_arena_printf(A, CONFIG, extra ? extra : ""));

	c->config = config;
	return tbt_plan(&tb_resource_secret, c, prior, config).planned;
}

static void test_secret_lifecycle_create(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *p = planned(&c, NULL, NULL), *out = NULL;
	const char *body;
	json_t *sent;

	assert_int_equal(tb_resource_create(&tb_resource_secret, &c, p, &out), 0);
	assert_false(tb_diags_has_errors(&c.diags));
	assert_true(tb_is_wholly_known(out));
	assert_true(tb_value_equal(tb_kit_fill_unknowns(A, p, out), out));
	assert_string_equal(tbt_str(out, "arn"), ARN);
	assert_string_equal(tbt_str(out, "version_id"), "v-create");
	assert_string_equal(tbt_str(out, "env_refs[\"SESSION_SECRET\"]"), ARN ":SESSION_SECRET::");
	assert_true(tb_is_null(tbt_at(out, "value_wo")));
	assert_true(tbt_fake_called_at(&F.aws, "CreateSecret") <
	            tbt_fake_called_at(&F.aws, "PutResourcePolicy"));
	assert_true(tbt_fake_called_at(&F.aws, "CreateSecret") <
	            tbt_fake_called_at(&F.aws, "RotateSecret"));
	assert_int_equal(tbt_fake_count(&F.aws, "GetSecretValue"), 0);
	body = tbt_fake_body(&F.aws, "CreateSecret", 0);
	sent = tbt_json(body);
	assert_int_equal(
	    strlen(tb_kit_jstr(tbt_json(tb_kit_jstr(sent, "SecretString")), "SESSION_SECRET")), 64);
	assert_int_equal(strlen(tb_kit_jstr(sent, "ClientRequestToken")), 36);
	assert_true(tbt_fake_sent(&F.aws, "PutResourcePolicy", "\"BlockPublicPolicy\": true") ||
	            tbt_fake_sent(&F.aws, "PutResourcePolicy", "\"BlockPublicPolicy\":true"));
}

/* A step after CreateSecret fails: the secret is deleted again and no state
 * is returned; the diagnostic names step, operation, code and request ID. */
static void test_secret_lifecycle_create_fails(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *out = NULL;

	F.aws.fail_action = "RotateSecret";
	F.aws.fail_code = "InvalidParameterException";
	assert_int_not_equal(
	    tb_resource_create(&tb_resource_secret, &c, planned(&c, NULL, NULL), &out), 0);
	assert_null(out);
	assert_non_null(tbt_diag(&c, "configuring rotation for talentbase_secret \"" NAME
	                             "\": secretsmanager RotateSecret: InvalidParameterException: "
	                             "injected failure (request id req-fake-1)"));
	assert_non_null(tbt_diag(&c, "deleted again"));
	assert_true(tbt_fake_sent(&F.aws, "DeleteSecret", "ForceDeleteWithoutRecovery"));
}

static void test_secret_lifecycle_scheduled_name(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *out = NULL;
	const struct tb_diag *d;

	F.deleted = true;
	assert_int_not_equal(
	    tb_resource_create(&tb_resource_secret, &c, planned(&c, NULL, NULL), &out), 0);
	assert_null(out);
	assert_non_null(d = tbt_diag(&c, "CreateSecret: InvalidRequestException"));
	assert_true(
	    tb_str_icontains(d->detail, "scheduled for deletion on 2026-01-01 00:00:00 UTC"));
	assert_true(tb_str_icontains(d->detail, "restore_if_deleted = true"));
	assert_true(tb_str_icontains(d->detail, "--force-delete-without-recovery"));
	assert_int_equal(tbt_fake_count(&F.aws, "RestoreSecret"), 0);

	c = tbt_call(&meta);
	assert_int_equal(tb_resource_create(&tb_resource_secret, &c,
	                                    planned(&c, NULL, ",\"restore_if_deleted\":true"),
	                                    &out),
	                 0);
	assert_false(tb_diags_has_errors(&c.diags));
	assert_string_equal(tbt_str(out, "arn"), ARN);
	assert_string_equal(tbt_str(out, "version_id"), "v-put");
	assert_true(tbt_fake_called_at(&F.aws, "RestoreSecret") <
	            tbt_fake_called_at(&F.aws, "PutSecretValue"));
	assert_int_equal(tbt_fake_count(&F.aws, "DeleteSecret"), 0);
}

static const struct tb_value *created(struct tb_call *c)
{
	const struct tb_value *out = NULL;

	assert_int_equal(tb_resource_create(&tb_resource_secret, c, planned(c, NULL, NULL), &out),
	                 0);
	return out;
}

static void test_secret_lifecycle_read_update_delete(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *state_v = created(&c), *now = NULL, *p, *out = NULL;

	assert_int_equal(tb_resource_read(&tb_resource_secret, &c, state_v, &now), 0);
	assert_string_equal(tbt_str(now, "version_id"), "EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE");
	assert_int_equal(tbt_int(now, "rotation.automatically_after_days"), 30);
	assert_true(tb_is_null(tbt_at(now, "rotation.schedule")));
	/* the state read back plans no change */
	p = planned(&c, now, NULL);
	if (tbt_diff(now, p))
		fail_msg("read then plan differs at %s", tbt_diff(now, p));

	/* a new value planned (version_id unknown): PutSecretValue, nothing else */
	p = tb_object_with(A, planned(&c, now, NULL), "version_id", tb_unknown(A, &tb_type_string));
	assert_int_equal(tb_resource_update(&tb_resource_secret, &c, now, p, &out), 0);
	assert_string_equal(tbt_str(out, "version_id"), "v-put");
	assert_int_equal(tbt_fake_count(&F.aws, "PutSecretValue"), 1);
	assert_int_equal(tbt_fake_count(&F.aws, "GetSecretValue"), 0);

	/* production: a 30-day window; development: without recovery, until gone */
	assert_int_equal(tb_resource_delete(&tb_resource_secret, &c, out), 0);
	assert_true(tbt_fake_sent(&F.aws, "DeleteSecret", "\"RecoveryWindowInDays\": 30") ||
	            tbt_fake_sent(&F.aws, "DeleteSecret", "\"RecoveryWindowInDays\":30"));
	assert_int_equal(tb_resource_read(&tb_resource_secret, &c, out, &now), 0);
	assert_true(tb_is_null(now)); /* scheduled for deletion: out of the state */

	meta = lc_meta("development");
	c = tbt_call(&meta);
	F.deleted = false;
	assert_int_equal(tb_resource_delete(&tb_resource_secret, &c, out), 0);
	assert_true(F.force);
}

static void test_secret_lifecycle_import(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *out = NULL;

	assert_int_equal(tb_resource_import(&tb_resource_secret, &c, ARN, &out), 0);
	assert_string_equal(tbt_str(out, "name"), NAME);
	assert_string_equal(
	    tbt_str(out, "kms_key_id"),
	    "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab");
	assert_string_equal(tbt_str(out, "rotation.schedule"), "rate(30 days)");
	assert_true(tb_is_null(tbt_at(out, "generate")));
	assert_string_equal(tbt_str(out, "env_refs[\"SESSION_SECRET\"]"), ARN);
	F.gone = true;
	c = tbt_call(&meta);
	assert_int_not_equal(tb_resource_import(&tb_resource_secret, &c, NAME, &out), 0);
	assert_non_null(tbt_diag(&c, "Cannot import non-existent remote object"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_secret_lifecycle_create, lc_setup, lc_teardown),
	    cmocka_unit_test_setup_teardown(test_secret_lifecycle_create_fails, lc_setup,
	                                    lc_teardown),
	    cmocka_unit_test_setup_teardown(test_secret_lifecycle_scheduled_name, lc_setup,
	                                    lc_teardown),
	    cmocka_unit_test_setup_teardown(test_secret_lifecycle_read_update_delete, lc_setup,
	                                    lc_teardown),
	    cmocka_unit_test_setup_teardown(test_secret_lifecycle_import, lc_setup, lc_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
