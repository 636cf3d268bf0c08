/*
 * talentbase_database_proxy: create, read, update, delete and import end to
 * end through the real AWS client against a local fake endpoint that
 * answers with the recorded responses. Checks the order of the calls, the
 * partial state after a failed step (no object outside the state), the
 * diagnostics (step, operation, code, request ID; a target's health with
 * AWS's reason and what to check), retries while the database is not
 * available, and the empty plan after import.
 */
#include "helpers/fake_aws.h"
#include "test_database_proxy.h"

#define READER_ARN                                                                                 \
	"arn:aws:rds:us-east-1:123456789012:db-proxy-endpoint:prx-endpoint-0123456789abcdef0"

/* clang-format off */
static const struct tbt_canned answers[] = {
    {"CreateDBProxy", NULL, "<DBProxy><DBProxyName>" DBP_NAME "</DBProxyName><DBProxyArn>" DBP_ARN "</DBProxyArn><Status>creating</Status><EngineFamily>POSTGRESQL</EngineFamily><VpcId>vpc-3ac0fb5f</VpcId><VpcSecurityGroupIds><member>sg-0a1b2c3d4e5f60003</member></VpcSecurityGroupIds><Endpoint>" DBP_HOST "</Endpoint></DBProxy>"},
    {"DescribeDBProxies", "describe_db_proxies.xml", NULL},
    {"ModifyDBProxy", NULL, "<DBProxy><DBProxyName>" DBP_NAME "</DBProxyName></DBProxy>"},
    {"DeleteDBProxy", NULL, "<DBProxy><DBProxyName>" DBP_NAME "</DBProxyName><Status>deleting</Status></DBProxy>"},
    {"DescribeDBProxyTargetGroups", "describe_db_proxy_target_groups.xml", NULL},
    {"ModifyDBProxyTargetGroup", NULL, "<DBProxyTargetGroup><TargetGroupName>default</TargetGroupName></DBProxyTargetGroup>"},
    {"RegisterDBProxyTargets", NULL, "<DBProxyTargets/>"},
    {"DeregisterDBProxyTargets", NULL, ""},
    {"CreateDBProxyEndpoint", NULL, "<DBProxyEndpoint><DBProxyEndpointArn>" READER_ARN "</DBProxyEndpointArn><Endpoint>" DBP_READER "</Endpoint><Status>creating</Status></DBProxyEndpoint>"},
    {"DescribeDBProxyEndpoints", "describe_db_proxy_endpoints.xml", NULL},
    {"ModifyDBProxyEndpoint", NULL, "<DBProxyEndpoint/>"},
    {"DeleteDBProxyEndpoint", NULL, "<DBProxyEndpoint/>"},
    {"ListTagsForResource", "list_tags_for_resource.xml", NULL},
    {"AddTagsToResource", NULL, ""},
    {"RemoveTagsFromResource", NULL, ""},
};
/* clang-format on */

/* What the fake's answers depend on. */
struct dbp_fake {
	struct tbt_fake aws;
	const char *targets_file; /* DescribeDBProxyTargets answer */
	int refuse_registrations; /* RegisterDBProxyTargets answers InvalidDBClusterStateFault */
	bool proxy_deleted, reader_deleted;
};

static struct dbp_fake F;
static struct tb_aws_client *CLIENT;

static bool answer_error(const char *code, struct tbt_response *resp)
{
	tbt_fake_error(false, code, resp);
	return true;
}

static bool hook(struct tbt_fake *f, const char *action, const struct tbt_request *req,
                 struct tbt_response *resp)
{
	if (strcmp(action, "DeleteDBProxy") == 0)
		F.proxy_deleted = true;
	if (strcmp(action, "DeleteDBProxyEndpoint") == 0)
		F.reader_deleted = true;
	if (F.proxy_deleted && strncmp(action, "Describe", 8) == 0)
		return answer_error("DBProxyNotFoundFault", resp);
	if (strcmp(action, "RegisterDBProxyTargets") == 0 && F.refuse_registrations > 0) {
		F.refuse_registrations--;
		return answer_error("InvalidDBClusterStateFault", resp);
	}
	if (strcmp(action, "DescribeDBProxyEndpoints") == 0 && F.reader_deleted) {
		resp->body = "<DescribeDBProxyEndpointsResponse><DescribeDBProxyEndpointsResult>"
		             "<DBProxyEndpoints/></DescribeDBProxyEndpointsResult>"
		             "</DescribeDBProxyEndpointsResponse>";
		return true;
	}
	if (strcmp(action, "DescribeDBProxyTargets") == 0) {
		resp->body_owned = tbt_fake_read(DBP_DIR, F.targets_file);
		return true;
	}
	return false;
}

static int lc_setup(void **state)
{
	if (tbt_setup(state) != 0)
		return -1;
	memset(&F, 0, sizeof(F));
	if (tbt_fake_start(&F.aws, DBP_DIR, answers, TB_COUNT(answers), hook) != 0)
		return -1;
	CLIENT = F.aws.client;
	F.targets_file = "describe_db_proxy_targets.xml";
	return 0;
}

static int lc_teardown(void **state)
{
	tbt_fake_stop(&F.aws);
	return tbt_teardown(state);
}

static struct tb_meta lc_meta(void)
{
	struct tb_meta m = tbt_meta("production");

	m.aws = CLIENT;
	return m;
}

static size_t called_at(const char *action)
{
	return tbt_fake_called_at(&F.aws, action);
}

static size_t count_calls(const char *action)
{
	return tbt_fake_count(&F.aws, action);
}

/* config_main.json with one more member, e.g. "\"timeouts\":{\"create\":\"3s\"}". */
static const struct tb_value *config_with(const char *member)
{
	const char *text = tbt_file(DBP_DIR, "config_main.json");

	return dbp_value(member ? tb_arena_printf(A, "{%s,%s", member, strchr(text, '{') + 1)
	                        : text);
}

static const struct tb_value *planned(struct tb_call *c, const struct tb_value *config)
{
	return dbp_plan(c, NULL, config).planned;
}

static const struct tb_value *created(struct tb_call *c)
{
	const struct tb_value *out = NULL;

	assert_int_equal(
	    tb_resource_create(&tb_resource_database_proxy, c, planned(c, dbp_config()), &out), 0);
	memset(F.aws.calls, 0, sizeof(F.aws.calls));
	return out;
}

/* ---- create ------------------------------------------------------------------------ */

static void test_dbp_lifecycle_create(void **state)
{
	struct tb_meta meta = lc_meta();
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *plan = planned(&c, dbp_config()), *out = NULL;

	assert_int_equal(tb_resource_create(&tb_resource_database_proxy, &c, plan, &out), 0);
	assert_false(tb_diags_has_errors(&c.diags));
	assert_true(tb_is_wholly_known(out));
	assert_string_equal(tbt_str(out, "arn"), DBP_ARN);
	assert_string_equal(tbt_str(out, "endpoint"), DBP_HOST);
	assert_string_equal(tbt_str(out, "env.DB_HOST"), DBP_HOST);
	assert_string_equal(tbt_str(out, "reader_endpoint_address"), DBP_READER);
	assert_string_equal(tbt_str(out, "vpc_id"), "vpc-3ac0fb5f");
	assert_true(tb_value_equal(tb_kit_fill_unknowns(A, plan, out), out));

	/* the proxy first, available before anything uses it; the rest in parallel; the targets'
	 * wait last */
	assert_true(called_at("CreateDBProxy") < called_at("DescribeDBProxies"));
	assert_true(called_at("DescribeDBProxies") < called_at("ModifyDBProxyTargetGroup"));
	assert_true(called_at("DescribeDBProxies") < called_at("RegisterDBProxyTargets"));
	assert_true(called_at("DescribeDBProxies") < called_at("CreateDBProxyEndpoint"));
	assert_true(called_at("RegisterDBProxyTargets") < called_at("DescribeDBProxyTargets"));
	assert_true(called_at("CreateDBProxyEndpoint") < called_at("DescribeDBProxyEndpoints"));
	assert_true(tbt_fake_sent(&F.aws, "CreateDBProxy", "Tags.Tag.1.Key=ManagedBy"));
	assert_true(tbt_fake_sent(&F.aws, "CreateDBProxyEndpoint", "TargetRole=READ_ONLY"));
}

/* A failed step after the proxy exists: the state names the proxy (and the
 * reader endpoint its parallel step made); the error names step,
 * operation, code and request ID; no target wait. */
static void test_dbp_lifecycle_create_fails_after_the_proxy(void **state)
{
	struct tb_meta meta = lc_meta();
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *out = NULL;
	const struct tb_diag *d;

	F.aws.fail_action = "ModifyDBProxyTargetGroup";
	F.aws.fail_code = "InvalidParameterValue";
	assert_int_not_equal(
	    tb_resource_create(&tb_resource_database_proxy, &c, planned(&c, dbp_config()), &out),
	    0);
	assert_non_null(out);
	assert_true(tb_is_wholly_known(out));
	assert_string_equal(tbt_str(out, "arn"), DBP_ARN);
	assert_string_equal(tbt_str(out, "reader_endpoint_address"), DBP_READER);
	assert_non_null(d = tbt_diag(&c, "configuring the connection pool for "
	                                 "talentbase_database_proxy \"" DBP_NAME "\": rds "
	                                 "ModifyDBProxyTargetGroup: InvalidParameterValue: "
	                                 "injected failure (request id req-query-1)"));
	assert_int_equal(count_calls("DescribeDBProxyTargets"), 0);
}

static void test_dbp_lifecycle_create_fails_first(void **state)
{
	struct tb_meta meta = lc_meta();
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *out = NULL;
	const struct tb_diag *d;

	F.aws.fail_action = "CreateDBProxy";
	F.aws.fail_code = "DBProxyAlreadyExistsFault";
	assert_int_not_equal(
	    tb_resource_create(&tb_resource_database_proxy, &c, planned(&c, dbp_config()), &out),
	    0);
	assert_true(tb_is_null(tbt_at(out, "arn")));
	assert_non_null(d = tbt_diag(&c, "rds CreateDBProxy: DBProxyAlreadyExistsFault"));
	assert_string_equal(tb_path_string(A, &d->path), "name");
	assert_int_equal(count_calls("RegisterDBProxyTargets"), 0);
}

/* RDS refuses the target while the database is being created: retried. */
static void test_dbp_lifecycle_registration_retried(void **state)
{
	struct tb_meta meta = lc_meta();
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *out = NULL;

	F.refuse_registrations = 1;
	assert_int_equal(
	    tb_resource_create(&tb_resource_database_proxy, &c, planned(&c, dbp_config()), &out),
	    0);
	assert_int_equal(count_calls("RegisterDBProxyTargets"), 2);
	assert_false(tb_diags_has_errors(&c.diags));
}

/* A target that stays UNAVAILABLE: at the deadline the error quotes AWS's
 * reason and description, says what to check, on the attribute to fix. */
static void test_dbp_lifecycle_unavailable_target(void **state)
{
	struct tb_meta meta = lc_meta();
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *out = NULL;
	const struct tb_diag *d;

	F.targets_file = "describe_db_proxy_targets_unavailable.xml";
	assert_int_equal(
	    tb_resource_create(&tb_resource_database_proxy, &c,
	                       planned(&c, config_with("\"timeouts\":{\"create\":\"4s\"}")), &out),
	    TB_ETIMEOUT);
	assert_non_null(d = tbt_diag(&c, "target of talentbase_database_proxy \"" DBP_NAME
	                                 "\" is UNAVAILABLE: CONNECTION_FAILED"));
	assert_string_equal(tb_path_string(A, &d->path), "security_groups");
	assert_non_null(strstr(d->detail, "database talentbase-prod-1 (port 5432)"));
	assert_non_null(
	    strstr(d->detail, "AWS says: Database connection failed: connect timed out"));
	assert_non_null(strstr(d->detail, "security groups must allow outbound TCP"));
	assert_non_null(strstr(d->detail, "untaint"));
	assert_string_equal(tbt_str(out, "arn"), DBP_ARN); /* saved tainted */
}

/* ---- read, update, delete, import -------------------------------------------------- */

static void test_dbp_lifecycle_read(void **state)
{
	struct tb_meta meta = lc_meta();
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *st = created(&c), *out = NULL;

	assert_int_equal(tb_resource_read(&tb_resource_database_proxy, &c, st, &out), 0);
	if (tbt_diff(out, st))
		fail_msg("read differs at %s", tbt_diff(out, st));
	assert_int_equal(count_calls("DescribeDBProxies"), 1);
	assert_int_equal(count_calls("ListTagsForResource"), 1);
	assert_int_equal(count_calls("DescribeDBProxyTargetGroups"), 1);

	F.proxy_deleted = true; /* gone outside Terraform */
	assert_int_equal(tb_resource_read(&tb_resource_database_proxy, &c, st, &out), 0);
	assert_true(tb_is_null(out));
	assert_false(tb_diags_has_errors(&c.diags));
}

static void test_dbp_lifecycle_update(void **state)
{
	struct tb_meta meta = lc_meta();
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *st = created(&c), *cfg = dbp_config(), *out = NULL;
	struct tb_plan p;

	cfg = tb_object_with(A, cfg, "idle_client_timeout", tb_int(A, 900));
	cfg = tb_object_with(
	    A, cfg, "target",
	    tb_attr(dbp_value("{\"target\":{\"db_instance\":\"talentbase-pg\"}}"), "target"));
	cfg = tb_object_with(A, cfg, "reader_endpoint",
	                     tb_null(A, tbt_at(cfg, "reader_endpoint")->type));
	p = dbp_plan(&c, st, cfg);
	assert_int_equal(p.n_requires_replace, 0);
	assert_int_equal(tb_resource_update(&tb_resource_database_proxy, &c, st, p.planned, &out),
	                 0);
	assert_false(tb_diags_has_errors(&c.diags));
	assert_true(tbt_fake_sent(&F.aws, "ModifyDBProxy", "IdleClientTimeout=900"));
	assert_false(tbt_fake_sent(&F.aws, "ModifyDBProxy", "Auth.member"));
	assert_true(called_at("ModifyDBProxy") < called_at("DeregisterDBProxyTargets"));
	assert_true(called_at("DeregisterDBProxyTargets") < called_at("RegisterDBProxyTargets"));
	assert_true(tbt_fake_sent(&F.aws, "DeregisterDBProxyTargets",
	                          "DBClusterIdentifiers.member.1=talentbase-prod"));
	assert_true(tbt_fake_sent(&F.aws, "RegisterDBProxyTargets",
	                          "DBInstanceIdentifiers.member.1=talentbase-pg"));
	assert_int_equal(count_calls("DeleteDBProxyEndpoint"), 1);
	assert_int_equal(count_calls("CreateDBProxy") + count_calls("ModifyDBProxyTargetGroup"), 0);
	assert_true(tb_is_null(tbt_at(out, "reader_endpoint_address")));
	assert_string_equal(tbt_str(out, "arn"), DBP_ARN);
}

static void test_dbp_lifecycle_delete(void **state)
{
	struct tb_meta meta = lc_meta();
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *st = created(&c);

	assert_int_equal(tb_resource_delete(&tb_resource_database_proxy, &c, st), 0);
	assert_false(tb_diags_has_errors(&c.diags));
	assert_true(called_at("DeleteDBProxyEndpoint") < called_at("DeleteDBProxy"));
	assert_true(called_at("DeregisterDBProxyTargets") < called_at("DeleteDBProxy"));
	/* waited until gone */
	assert_true(called_at("DeleteDBProxy") < called_at("DescribeDBProxies"));

	/* already gone: nothing to do, no error */
	assert_int_equal(tb_resource_delete(&tb_resource_database_proxy, &c, st), 0);
	assert_false(tb_diags_has_errors(&c.diags));
}

static void test_dbp_lifecycle_import(void **state)
{
	struct tb_meta meta = lc_meta();
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *out = NULL;
	struct tb_plan p;

	assert_int_equal(tb_resource_import(&tb_resource_database_proxy, &c, DBP_NAME, &out), 0);
	assert_string_equal(tbt_str(out, "arn"), DBP_ARN);
	assert_string_equal(tbt_str(out, "target.db_cluster"), "talentbase-prod");
	p = dbp_plan(&c, out, dbp_config());
	assert_null(tbt_diff(p.planned, out));

	F.proxy_deleted = true;
	assert_int_not_equal(tb_resource_import(&tb_resource_database_proxy, &c, "nope", &out), 0);
	assert_non_null(tbt_diag(&c, "Cannot import non-existent remote object"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_dbp_lifecycle_create, lc_setup, lc_teardown),
	    cmocka_unit_test_setup_teardown(test_dbp_lifecycle_create_fails_after_the_proxy,
	                                    lc_setup, lc_teardown),
	    cmocka_unit_test_setup_teardown(test_dbp_lifecycle_create_fails_first, lc_setup,
	                                    lc_teardown),
	    cmocka_unit_test_setup_teardown(test_dbp_lifecycle_registration_retried, lc_setup,
	                                    lc_teardown),
	    cmocka_unit_test_setup_teardown(test_dbp_lifecycle_unavailable_target, lc_setup,
	                                    lc_teardown),
	    cmocka_unit_test_setup_teardown(test_dbp_lifecycle_read, lc_setup, lc_teardown),
	    cmocka_unit_test_setup_teardown(test_dbp_lifecycle_update, lc_setup, lc_teardown),
	    cmocka_unit_test_setup_teardown(test_dbp_lifecycle_delete, lc_setup, lc_teardown),
	    cmocka_unit_test_setup_teardown(test_dbp_lifecycle_import, lc_setup, lc_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
