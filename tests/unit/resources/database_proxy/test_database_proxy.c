/*
 * talentbase_database_proxy without AWS: the query parameters of each call,
 * what the recorded answers say, the targets' health and its advice, the
 * plan's computed values and shape checks, and a state built from AWS's
 * answers that plans no change (after create and after import).
 */
#include "test_database_proxy.h"

static struct tb_dbp loaded(const struct tb_value *v)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_dbp s;

	assert_int_equal(tb_dbp_load(A, &meta, v, &s), 0);
	return s;
}

/* What the recorded answers say about the proxy of config_main.json (its
 * tags as ListTagsForResource reports them; reading them is the lifecycle
 * test's). */
static struct tb_dbp from_answers(struct tb_dbp s)
{
	static struct tb_kv kv[] = {
	    {"ManagedBy", "Terraform"}, {"Project", "TalentBase"}, {"Service", "database"}};

	assert_int_equal(tb_dbp_flatten_proxy(A,
	                                      dbp_xml("describe_db_proxies.xml",
	                                              "DescribeDBProxiesResult/DBProxies/member"),
	                                      &s),
	                 0);
	assert_int_equal(
	    tb_dbp_flatten_pool(A,
	                        dbp_xml("describe_db_proxy_target_groups.xml",
	                                "DescribeDBProxyTargetGroupsResult/TargetGroups/member"),
	                        &s),
	    0);
	tb_dbp_flatten_targets(
	    dbp_xml("describe_db_proxy_targets.xml", "DescribeDBProxyTargetsResult"), &s);
	tb_dbp_flatten_reader(
	    A, dbp_xml("describe_db_proxy_endpoints.xml", "DescribeDBProxyEndpointsResult"), &s);
	s.tags_all = (struct tb_kvs){.n = 3, .v = kv};
	return s;
}

/* ---- requests ----------------------------------------------------------------------- */

static void test_dbp_create_params(void **state)
{
	struct tb_dbp s = loaded(dbp_config());
	struct tb_aws_params p;

	s.tags_all = s.tags;
	tb_aws_params_init(&p, A);
	assert_int_equal(tb_dbp_create_params(&s, &p), 0);
	assert_string_equal(dbp_param(&p, "DBProxyName"), DBP_NAME);
	assert_string_equal(dbp_param(&p, "EngineFamily"), "POSTGRESQL");
	assert_string_equal(dbp_param(&p, "Auth.member.1.AuthScheme"), "SECRETS");
	assert_string_equal(dbp_param(&p, "Auth.member.1.SecretArn"), DBP_SECRET);
	assert_string_equal(dbp_param(&p, "Auth.member.1.IAMAuth"), "DISABLED");
	assert_string_equal(dbp_param(&p, "Auth.member.1.Description"), "application user");
	/* null: the engine's default, so RDS picks it */
	assert_null(dbp_param(&p, "Auth.member.1.ClientPasswordAuthType"));
	assert_string_equal(dbp_param(&p, "VpcSubnetIds.member.2"), "subnet-0a1b2c3d4e5f60002");
	assert_string_equal(dbp_param(&p, "VpcSecurityGroupIds.member.1"), "sg-0a1b2c3d4e5f60003");
	assert_string_equal(dbp_param(&p, "RequireTLS"), "true");
	assert_string_equal(dbp_param(&p, "IdleClientTimeout"), "1800");
	assert_string_equal(dbp_param(&p, "DebugLogging"), "false");
	/* RDS's tag list member is Tag */
	assert_string_equal(dbp_param(&p, "Tags.Tag.1.Key"), "Service");
	assert_null(dbp_param(&p, "Tags.member.1.Key"));
}

static void test_dbp_modify_params(void **state)
{
	struct tb_dbp old = loaded(dbp_config()), s = old;
	struct tb_dbp_auth two[2] = {old.auth[0],
	                             {.secret_arn = "arn:other", .iam_auth = "REQUIRED"}};
	struct tb_aws_params p;
	bool changed = true;

	tb_aws_params_init(&p, A);
	assert_int_equal(tb_dbp_modify_params(&old, &s, &p, &changed), 0);
	assert_false(changed);
	assert_int_equal(p.n, 1);

	s.idle_client_timeout = 900;
	s.auth = two;
	s.n_auth = 2;
	tb_aws_params_init(&p, A);
	assert_int_equal(tb_dbp_modify_params(&old, &s, &p, &changed), 0);
	assert_true(changed);
	assert_string_equal(dbp_param(&p, "IdleClientTimeout"), "900");
	/* the whole auth list, the unchanged block included */
	assert_string_equal(dbp_param(&p, "Auth.member.1.SecretArn"), DBP_SECRET);
	assert_string_equal(dbp_param(&p, "Auth.member.2.IAMAuth"), "REQUIRED");
	assert_null(dbp_param(&p, "RequireTLS"));
	assert_null(dbp_param(&p, "SecurityGroups.member.1"));
}

static void test_dbp_pool_params(void **state)
{
	struct tb_dbp old = loaded(dbp_config()), s = old;
	const char *filters[] = {"EXCLUDE_VARIABLE_SETS"};
	struct tb_aws_params p;

	tb_aws_params_init(&p, A);
	assert_int_equal(tb_dbp_pool_params(NULL, &s, &p), 0);
	assert_string_equal(dbp_param(&p, "TargetGroupName"), "default");
	assert_string_equal(dbp_param(&p, "ConnectionPoolConfig.MaxConnectionsPercent"), "100");
	assert_string_equal(dbp_param(&p, "ConnectionPoolConfig.MaxIdleConnectionsPercent"), "50");
	assert_string_equal(dbp_param(&p, "ConnectionPoolConfig.ConnectionBorrowTimeout"), "120");
	assert_null(dbp_param(&p, "ConnectionPoolConfig.InitQuery"));
	assert_null(dbp_param(&p, "ConnectionPoolConfig.SessionPinningFilters"));

	/* an init query and filters that go away are cleared explicitly */
	old.pool.init_query = "SET x = 1";
	old.pool.pinning = (struct tb_strs){.n = 1, .v = filters};
	tb_aws_params_init(&p, A);
	assert_int_equal(tb_dbp_pool_params(&old, &s, &p), 0);
	assert_string_equal(dbp_param(&p, "ConnectionPoolConfig.InitQuery"), "");
	assert_string_equal(dbp_param(&p, "ConnectionPoolConfig.SessionPinningFilters"), "");

	s.pool.pinning = old.pool.pinning;
	tb_aws_params_init(&p, A);
	assert_int_equal(tb_dbp_pool_params(&old, &s, &p), 0);
	assert_string_equal(dbp_param(&p, "ConnectionPoolConfig.SessionPinningFilters.member.1"),
	                    "EXCLUDE_VARIABLE_SETS");
}

static void test_dbp_reader_and_target_params(void **state)
{
	struct tb_dbp s = loaded(dbp_config());
	struct tb_dbp_target inst = {.set = true, .db_instance = "talentbase-pg"};
	struct tb_aws_params p;
	char longname[80];

	assert_string_equal(tb_dbp_reader_name(A, "proxy"), "proxy-reader");
	memset(longname, 'a', 63);
	longname[63] = '\0';
	longname[55] = '-'; /* the cut would end in a hyphen */
	assert_int_equal(strlen(tb_dbp_reader_name(A, longname)), 55 + strlen("-reader"));
	assert_true(strlen(tb_dbp_reader_name(A, longname)) <= 63);

	s.tags_all = s.tags;
	tb_aws_params_init(&p, A);
	assert_int_equal(tb_dbp_reader_params(&s, &p), 0);
	assert_string_equal(dbp_param(&p, "DBProxyEndpointName"), DBP_NAME "-reader");
	assert_string_equal(dbp_param(&p, "TargetRole"), "READ_ONLY");
	assert_string_equal(dbp_param(&p, "VpcSubnetIds.member.1"), "subnet-0a1b2c3d4e5f60001");
	assert_string_equal(dbp_param(&p, "Tags.Tag.1.Value"), "database");

	tb_aws_params_init(&p, A);
	assert_int_equal(tb_dbp_target_params(&s, &s.target, &p), 0);
	assert_string_equal(dbp_param(&p, "DBClusterIdentifiers.member.1"), "talentbase-prod");
	assert_null(dbp_param(&p, "DBInstanceIdentifiers.member.1"));
	tb_aws_params_init(&p, A);
	assert_int_equal(tb_dbp_target_params(&s, &inst, &p), 0);
	assert_string_equal(dbp_param(&p, "DBInstanceIdentifiers.member.1"), "talentbase-pg");
}

/* ---- answers ------------------------------------------------------------------------ */

static void test_dbp_flatten_answers(void **state)
{
	struct tb_dbp s = from_answers(loaded(dbp_config()));

	assert_string_equal(s.arn, DBP_ARN);
	assert_string_equal(s.endpoint, DBP_HOST);
	assert_string_equal(s.vpc_id, "vpc-3ac0fb5f");
	assert_string_equal(s.status, "available");
	assert_int_equal(s.n_auth, 1);
	assert_string_equal(s.auth[0].client_password_auth_type, "POSTGRES_SCRAM_SHA_256");
	assert_string_equal(s.auth[0].description, "application user");
	assert_int_equal(s.subnets.n, 2);
	assert_true(s.require_tls);
	assert_false(s.debug_logging);
	assert_int_equal(s.idle_client_timeout, 1800);
	assert_int_equal(s.pool.max_connections, 100);
	assert_int_equal(s.pool.max_idle, 50);
	assert_int_equal(s.pool.borrow_timeout, 120);
	assert_null(s.pool.init_query);
	assert_int_equal(s.pool.pinning.n, 0);
	assert_string_equal(s.target.db_cluster, "talentbase-prod");
	assert_null(s.target.db_instance);
	assert_true(s.reader.enabled);
	assert_string_equal(s.reader_endpoint_address, DBP_READER);
	assert_non_null(strstr(s.reader_arn, ":db-proxy-endpoint:"));
}

static void test_dbp_flatten_targets_kinds(void **state)
{
	struct tb_dbp s = {0};
	const struct tb_xml *r;
	const char *two =
	    "<R><Targets>"
	    "<member><RdsResourceId>pg-a</RdsResourceId><Type>RDS_INSTANCE</Type></member>"
	    "<member><RdsResourceId>pg-b</RdsResourceId><Type>RDS_INSTANCE</Type></member>"
	    "</Targets></R>";

	assert_int_equal(tb_xml_parse(A, two, strlen(two), &r), 0);
	tb_dbp_flatten_targets(r, &s);
	assert_string_equal(s.target.db_instance, "pg-a");
	/* the one the state names wins over the first */
	s.target.db_instance = "pg-b";
	tb_dbp_flatten_targets(r, &s);
	assert_string_equal(s.target.db_instance, "pg-b");
	/* nothing registered: both null (the plan registers the configured one) */
	tb_dbp_flatten_targets(NULL, &s);
	assert_true(s.target.set);
	assert_null(s.target.db_instance);
	assert_null(s.target.db_cluster);
}

static void test_dbp_health(void **state)
{
	struct tb_dbp_health h;
	const char *path = NULL;
	const struct tb_xml *only_cluster;
	const char *xml = "<R><Targets><member><RdsResourceId>c</RdsResourceId><Type>"
	                  "TRACKED_CLUSTER</Type></member></Targets></R>";

	tb_dbp_health_of(dbp_xml("describe_db_proxy_targets.xml", "DescribeDBProxyTargetsResult"),
	                 &h);
	assert_string_equal(h.state, "AVAILABLE");
	assert_int_equal(h.n, 2);

	tb_dbp_health_of(
	    dbp_xml("describe_db_proxy_targets_unavailable.xml", "DescribeDBProxyTargetsResult"),
	    &h);
	assert_string_equal(h.state, "UNAVAILABLE");
	assert_string_equal(h.target, "talentbase-prod-1");
	assert_string_equal(h.reason, "CONNECTION_FAILED");
	assert_string_equal(h.description, "Database connection failed: connect timed out");
	assert_int_equal(h.port, 5432);

	/* a cluster without instances: nothing reports health */
	assert_int_equal(tb_xml_parse(A, xml, strlen(xml), &only_cluster), 0);
	tb_dbp_health_of(only_cluster, &h);
	assert_string_equal(h.state, "NO_HEALTH");

	assert_non_null(strstr(tb_dbp_health_hint("CONNECTION_FAILED", &path), "security groups"));
	assert_string_equal(path, "security_groups");
	assert_non_null(strstr(tb_dbp_health_hint("AUTH_FAILURE", &path), "GetSecretValue"));
	assert_string_equal(path, "auth");
	assert_non_null(strstr(tb_dbp_health_hint("PENDING_PROXY_CAPACITY", &path), "Secrets"));
	assert_non_null(tb_dbp_health_hint("UNREACHABLE", &path));
	assert_non_null(tb_dbp_health_hint("INVALID_REPLICATION_STATE", &path));
	assert_non_null(tb_dbp_health_hint("PROMOTED", &path));
	assert_null(tb_dbp_health_hint("SOMETHING_NEW", &path));
	assert_string_equal(path, "target");
}

/* ---- plan, state, import --------------------------------------------------------- */

static void test_dbp_plan_computed(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_call c = tbt_call(&meta);
	struct tb_plan p = dbp_plan(&c, NULL, dbp_config());
	const struct tb_value *env = tbt_at(p.planned, "env");

	assert_false(tb_diags_has_errors(&c.diags));
	assert_string_equal(tbt_str(p.planned, "id"), DBP_NAME);
	assert_int_equal(tbt_int(p.planned, "port"), 5432);
	assert_true(tb_is_unknown(tb_map_get(env, "DB_HOST")));
	assert_string_equal(tb_get_str(tb_map_get(env, "DB_PORT")), "5432");
	assert_true(tb_is_unknown(tbt_at(p.planned, "arn")));
	assert_true(tb_is_unknown(tbt_at(p.planned, "reader_endpoint_address")));
	assert_string_equal(tbt_str(p.planned, "tags_all.Project"), "TalentBase");
	assert_int_equal(tbt_int(p.planned, "pool.max_idle_connections_percent"), 50);
	assert_true(tbt_bool(p.planned, "wait_for_targets"));

	/* no reader endpoint: no address */
	p = dbp_plan(&c, NULL,
	             tb_object_with(A, dbp_config(), "reader_endpoint",
	                            tb_null(A, tbt_at(dbp_config(), "reader_endpoint")->type)));
	assert_true(tb_is_null(tbt_at(p.planned, "reader_endpoint_address")));
}

static const struct tb_value *state_after_create(struct tb_call *c)
{
	struct tb_plan p = dbp_plan(c, NULL, dbp_config());
	struct tb_dbp act = from_answers(loaded(p.planned));
	const struct tb_value *full = NULL;

	assert_int_equal(tb_dbp_state(A, c->meta, &act, p.planned, false, &full), 0);
	return tb_kit_fill_unknowns(A, p.planned, full);
}

static void test_dbp_state_plans_no_change(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *st = state_after_create(&c);
	struct tb_plan again;

	assert_true(tb_is_wholly_known(st));
	assert_string_equal(tbt_str(st, "env.DB_HOST"), DBP_HOST);
	assert_string_equal(tbt_str(st, "env.DB_PORT"), "5432");
	assert_string_equal(tbt_str(st, "reader_endpoint_address"), DBP_READER);
	assert_string_equal(tbt_str(st, "auth[0].client_password_auth_type"),
	                    "POSTGRES_SCRAM_SHA_256");
	/* the tags default_tags explain are not the resource's own */
	assert_null(tb_map_get(tbt_at(st, "tags"), "Project"));
	again = dbp_plan(&c, st, dbp_config());
	assert_null(tbt_diff(again.planned, st));
	assert_int_equal(again.n_requires_replace, 0);
}

static void test_dbp_import_state(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	const char *names[] = {"id", "name"}, *values[] = {DBP_NAME, DBP_NAME};
	const struct tb_value *shape = tb_kit_skeleton(A, &tb_dbp_block, names, values, 2), *st;
	struct tb_dbp s = from_answers(loaded(shape));
	struct tb_call c = tbt_call(&meta);
	struct tb_plan again;

	assert_int_equal(tb_dbp_state(A, &meta, &s, shape, true, &st), 0);
	/* every block AWS has, the empty pinning filters a set */
	assert_int_equal(tbt_int(st, "pool.max_connections_percent"), 100);
	assert_int_equal(tb_len(tbt_at(st, "pool.session_pinning_filters")), 0);
	assert_true(tbt_bool(st, "reader_endpoint.enabled"));
	assert_string_equal(tbt_str(st, "target.db_cluster"), "talentbase-prod");
	assert_true(tbt_bool(st, "wait_for_targets"));
	again = dbp_plan(&c, st, dbp_config());
	assert_null(tbt_diff(again.planned, st));
}

static void test_dbp_replacements(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *st = state_after_create(&c), *cfg = dbp_config();
	struct tb_plan p;

	p = dbp_plan(&c, st, tb_object_with(A, cfg, "engine_family", tb_string(A, "MYSQL")));
	assert_true(tbt_replaces(&p, "engine_family"));
	p = dbp_plan(&c, st, tb_object_with(A, cfg, "idle_client_timeout", tb_int(A, 900)));
	assert_int_equal(p.n_requires_replace, 0);
}

/* ---- validation ------------------------------------------------------------------ */

static void test_dbp_validate_shapes(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_call c = tbt_call(&meta);
	const char *bad =
	    "{\"name\":\"9-proxy-\",\"engine_family\":\"MYSQL\",\"role_arn\":\"arn:r\","
	    "\"auth\":[{\"secret_arn\":\"" DBP_SECRET "\",\"iam_auth\":\"NEVER\","
	    "\"client_password_auth_type\":\"POSTGRES_MD5\"}],"
	    "\"subnets\":[\"subnet-1\",\"subnet-2\"],\"idle_client_timeout\":40000,"
	    "\"target\":{\"db_cluster\":\"a\",\"db_instance\":\"b\"}}";
	const char *paths[] = {"name", "auth[0].iam_auth", "auth[0].client_password_auth_type",
	                       "idle_client_timeout", "target.db_instance"};

	tb_resource_database_proxy.validate(&c, dbp_value(bad));
	for (size_t i = 0; i < TB_COUNT(paths); i++) {
		bool found = false;
		for (const struct tb_diag *d = c.diags.head; d && !found; d = d->next)
			found = d->severity == TB_SEV_ERROR &&
			        tb_str_eq(tb_path_string(A, &d->path), paths[i]);
		if (!found)
			fail_msg("no error at %s", paths[i]);
	}
	assert_non_null(tbt_diag(&c, "does not apply to engine_family MYSQL"));

	c = tbt_call(&meta);
	tb_resource_database_proxy.validate(&c, dbp_config());
	assert_false(tb_diags_has_errors(&c.diags));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_dbp_create_params, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_dbp_modify_params, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_dbp_pool_params, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_dbp_reader_and_target_params, tbt_setup,
	                                    tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_dbp_flatten_answers, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_dbp_flatten_targets_kinds, tbt_setup,
	                                    tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_dbp_health, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_dbp_plan_computed, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_dbp_state_plans_no_change, tbt_setup,
	                                    tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_dbp_import_state, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_dbp_replacements, tbt_setup, tbt_teardown),
	    cmocka_unit_test_setup_teardown(test_dbp_validate_shapes, tbt_setup, tbt_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
