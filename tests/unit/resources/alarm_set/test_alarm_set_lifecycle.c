/*
 * talentbase_alarm_set end to end through the real AWS client against a
 * local fake endpoint that answers with recorded responses: the plan reads
 * the service's dimensions and floor, create puts each alarm once, a read
 * is one DescribeAlarms (plus tags) and plans no change, an update puts
 * only what differs, delete is one DeleteAlarms, import plans no change;
 * a failed put leaves every alarm created in the partial state.
 */
#include "helpers/fake_aws.h"
#include "test_alarm_set.h"

#define EMPTY_ALARMS                                                                               \
	"<DescribeAlarmsResponse><DescribeAlarmsResult><CompositeAlarms/><MetricAlarms/>"          \
	"</DescribeAlarmsResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"   \
	"</DescribeAlarmsResponse>"

/* clang-format off */
static const struct tbt_canned answers[] = {
    {"DescribeTargetGroups", "describe_target_groups.xml", NULL},
    {"DescribeScalableTargets", "describe_scalable_targets.json", NULL},
    {"PutMetricAlarm", NULL, ""},
    {"DeleteAlarms", NULL, ""},
    {"TagResource", NULL, ""},
    {"UntagResource", NULL, ""},
    {"ListTagsForResource", NULL, "<Tags><member><Key>ManagedBy</Key><Value>Terraform</Value></member><member><Key>Project</Key><Value>TalentBase</Value></member><member><Key>Service</Key><Value>web</Value></member></Tags>"},
};
/* clang-format on */

struct alm_fake {
	struct tbt_fake aws;
	const char *services_file; /* DescribeServices answer */
	bool exist;                /* DescribeAlarms finds the web set */
	const char *fail_name;     /* PutMetricAlarm of this alarm fails */
	bool exist_once_put;       /* DescribeAlarms finds the set once one alarm is put */
};

static struct alm_fake F;

static bool hook(struct tbt_fake *f, const char *action, const struct tbt_request *req,
                 struct tbt_response *resp)
{
	const char *body = req->body ? req->body : "";
	char needle[96];

	if (strcmp(action, "DescribeServices") == 0) {
		resp->body_owned = tbt_fake_read("alarm_set", F.services_file);
		return true;
	}
	if (strcmp(action, "DescribeAlarms") == 0) {
		resp->body_owned = F.exist ? tbt_fake_read("alarm_set", "describe_alarms_web.xml")
		                           : strdup(EMPTY_ALARMS);
		return true;
	}
	if (strcmp(action, "PutMetricAlarm") == 0 && F.exist_once_put)
		F.exist = true;
	snprintf(needle, sizeof(needle), "AlarmName=%s&", F.fail_name ? F.fail_name : "-");
	if (strcmp(action, "PutMetricAlarm") == 0 && strstr(body, needle)) {
		tbt_fake_error(false, "LimitExceeded", resp);
		return true;
	}
	return false;
}

static int lc_setup(void **state)
{
	if (tbt_setup(state) != 0)
		return -1;
	memset(&F, 0, sizeof(F));
	F.services_file = "describe_services.json";
	return tbt_fake_start(&F.aws, "alarm_set", answers, TB_COUNT(answers), hook);
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

static size_t count_calls(const char *action)
{
	return tbt_fake_count(&F.aws, action);
}

static void forget_calls(void)
{
	memset(F.aws.calls, 0, sizeof(F.aws.calls));
}

static const struct tb_value *config_with(const char *path, const struct tb_value *v)
{
	return tbt_set(alm_config("config_web.json"), path, v);
}

static const struct tb_value *map_at(const struct tb_value *v, const char *map, const char *key)
{
	return tb_map_get(tb_attr(v, map), key);
}

/* config_web.json with every alarm block written out, empty. */
static const struct tb_value *every_block(void)
{
	const struct tb_value *v = alm_config("config_web.json");

	for (int k = 0; k < TB_ALARM_PROXY; k++) {
		const char *block = tb_alarm_kind(k)->block;
		v = tbt_set(v, block, tbt_value(tb_alarm_set_block_at(block), "{}"));
	}
	return v;
}

/* The web set created (and, with exist, found by the next describe). */
static const struct tb_value *created(struct tb_call *c)
{
	const struct tb_value *out = NULL;
	struct tb_plan p = tbt_plan(&tb_resource_alarm_set, c, NULL, alm_config("config_web.json"));

	assert_int_equal(tb_resource_create(&tb_resource_alarm_set, c, p.planned, &out), 0);
	F.exist = true;
	forget_calls();
	return out;
}

/* ---- plan and create ------------------------------------------------------------- */

static void test_alarm_set_lifecycle_create(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = tbt_call(&meta);
	struct tb_plan p =
	    tbt_plan(&tb_resource_alarm_set, &c, NULL, alm_config("config_web.json"));
	const struct tb_value *out = NULL;

	/* the plan knows the dimensions and the names, not yet the ARNs */
	assert_string_equal(tbt_str(p.planned, "target_group"), TG_SUFFIX);
	assert_string_equal(tbt_str(p.planned, "load_balancer"), LB_SUFFIX);
	assert_string_equal(tbt_str(p.planned, "cluster"), "talentbase-prod");
	assert_string_equal(tbt_str(p.planned, "id"), "talentbase-prod/web/web");
	assert_int_equal(tb_len(tb_attr(p.planned, "alarm_names")), 6);
	assert_string_equal(tb_get_str(map_at(p.planned, "alarm_names", "alb_5xx")), "web-alb-5xx");
	assert_true(tb_is_unknown(map_at(p.planned, "alarm_arns", "cpu_high")));
	assert_int_equal(count_calls("DescribeServices"), 1);
	assert_int_equal(count_calls("DescribeTargetGroups"), 1);
	assert_int_equal(count_calls("DescribeScalableTargets"), 1);
	forget_calls();

	assert_int_equal(tb_resource_create(&tb_resource_alarm_set, &c, p.planned, &out), 0);
	assert_false(tb_diags_has_errors(&c.diags));
	assert_true(tb_is_wholly_known(out));
	assert_true(tb_value_equal(tb_kit_fill_unknowns(A, p.planned, out), out));
	assert_string_equal(tb_get_str(map_at(out, "alarm_arns", "latency_high")),
	                    ARN_OF("web-latency-high"));
	/* one look for names already taken, one put per alarm, tags on the put */
	assert_int_equal(count_calls("DescribeAlarms"), 1);
	assert_int_equal(count_calls("PutMetricAlarm"), 6);
	assert_int_equal(count_calls("TagResource"), 0);
	assert_true(tbt_fake_sent(&F.aws, "PutMetricAlarm", "Tags.member.3.Key=Service"));
	assert_int_equal(count_calls("DescribeServices"), 0);
}

/* One alarm fails: the others are in the partial state, nothing else, and
 * the error names the step, the operation, the code and the request ID. */
static void test_alarm_set_lifecycle_create_fails(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = tbt_call(&meta);
	struct tb_plan p =
	    tbt_plan(&tb_resource_alarm_set, &c, NULL, alm_config("config_web.json"));
	const struct tb_value *out = NULL;

	F.fail_name = "web-memory-high";
	assert_int_not_equal(tb_resource_create(&tb_resource_alarm_set, &c, p.planned, &out), 0);
	assert_non_null(out);
	assert_true(tb_is_wholly_known(out));
	assert_int_equal(tb_len(tb_attr(out, "alarm_names")), 5);
	assert_null(map_at(out, "alarm_names", "memory_high"));
	assert_null(map_at(out, "alarm_arns", "memory_high"));
	assert_string_equal(tb_get_str(map_at(out, "alarm_arns", "cpu_high")),
	                    ARN_OF("web-cpu-high"));
	assert_non_null(tbt_diag(&c, "putting alarm web-memory-high for talentbase_alarm_set "
	                             "\"talentbase-prod/web\": monitoring PutMetricAlarm: "
	                             "LimitExceeded: injected failure (request id req-query-1)"));
}

static void test_alarm_set_lifecycle_create_refuses_taken_names(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = tbt_call(&meta);
	struct tb_plan p =
	    tbt_plan(&tb_resource_alarm_set, &c, NULL, alm_config("config_web.json"));
	const struct tb_value *out = NULL;
	const struct tb_diag *d;

	F.exist = true;
	assert_int_equal(tb_resource_create(&tb_resource_alarm_set, &c, p.planned, &out),
	                 TB_ECONFLICT);
	assert_non_null(d = tbt_diag(&c, "Alarm already exists"));
	assert_string_equal(tb_path_string(A, &d->path), "name_prefix");
	assert_int_equal(count_calls("PutMetricAlarm"), 0);
}

/* Without the account ID (credentials not validated) the ARNs are read back. */
static void test_alarm_set_lifecycle_create_reads_arns(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = tbt_call(&meta);
	struct tb_plan p =
	    tbt_plan(&tb_resource_alarm_set, &c, NULL, alm_config("config_web.json"));
	const struct tb_value *out = NULL;

	meta.account_id = NULL;
	F.exist_once_put = true;
	forget_calls();
	assert_int_equal(tb_resource_create(&tb_resource_alarm_set, &c, p.planned, &out), 0);
	/* the look for taken names, then the ARNs of the alarms put */
	assert_int_equal(count_calls("DescribeAlarms"), 2);
	assert_non_null(strstr(strstr(F.aws.calls, "PutMetricAlarm"), "DescribeAlarms"));
	assert_string_equal(tb_get_str(map_at(out, "alarm_arns", "unhealthy_targets")),
	                    ARN_OF("web-unhealthy-targets"));
}

/* ---- read, update, delete, import -------------------------------------------------- */

static void test_alarm_set_lifecycle_read_plans_nothing(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *state0 = created(&c), *now = NULL;
	struct tb_plan p;

	assert_int_equal(tb_resource_read(&tb_resource_alarm_set, &c, state0, &now), 0);
	assert_false(tb_diags_has_errors(&c.diags));
	assert_null(tbt_diff(state0, now));
	assert_int_equal(count_calls("DescribeAlarms"), 1);
	assert_int_equal(count_calls("ListTagsForResource"), 6);
	p = tbt_plan(&tb_resource_alarm_set, &c, now, alm_config("config_web.json"));
	assert_null(tbt_diff(now, p.planned));
	assert_false(tb_diags_has_errors(&c.diags));
}

static void test_alarm_set_lifecycle_update(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *prior = created(&c), *out = NULL;
	struct tb_plan p =
	    tbt_plan(&tb_resource_alarm_set, &c, prior,
	             config_with("cpu_high", tbt_value(tb_alarm_set_block_at("cpu_high"), "{}")));

	/* an empty block stands for the defaults: the state takes the block, AWS
	 * keeps the alarm */
	assert_int_equal(tb_resource_update(&tb_resource_alarm_set, &c, prior, p.planned, &out), 0);
	assert_int_equal(count_calls("PutMetricAlarm"), 0);
	p = tbt_plan(&tb_resource_alarm_set, &c, prior,
	             config_with("cpu_high", tbt_value(tb_alarm_set_block_at("cpu_high"),
	                                               "{\"threshold\":80}")));
	forget_calls();
	assert_int_equal(tb_resource_update(&tb_resource_alarm_set, &c, prior, p.planned, &out), 0);
	assert_int_equal(count_calls("PutMetricAlarm"), 1);
	assert_true(tbt_fake_sent(&F.aws, "PutMetricAlarm", "AlarmName=web-cpu-high&"));
	assert_true(tbt_fake_sent(&F.aws, "PutMetricAlarm", "Threshold=80&"));
	assert_int_equal(count_calls("TagResource") + count_calls("DeleteAlarms"), 0);
	assert_true(tb_value_equal(tb_kit_fill_unknowns(A, p.planned, out), out));

	/* new tags: retagged, not put */
	p = tbt_plan(&tb_resource_alarm_set, &c, prior, config_with("tags", tbt_tags("{}")));
	forget_calls();
	assert_int_equal(tb_resource_update(&tb_resource_alarm_set, &c, prior, p.planned, &out), 0);
	assert_int_equal(count_calls("PutMetricAlarm"), 0);
	assert_int_equal(count_calls("UntagResource"), 6);
	assert_true(tbt_fake_sent(&F.aws, "UntagResource", "TagKeys.member.1=Service"));

	/* a disabled alarm is deleted */
	p = tbt_plan(&tb_resource_alarm_set, &c, prior,
	             config_with("memory_high", tbt_value(tb_alarm_set_block_at("memory_high"),
	                                                  "{\"enabled\":false}")));
	assert_null(map_at(p.planned, "alarm_names", "memory_high"));
	forget_calls();
	assert_int_equal(tb_resource_update(&tb_resource_alarm_set, &c, prior, p.planned, &out), 0);
	assert_int_equal(count_calls("PutMetricAlarm"), 0);
	assert_int_equal(count_calls("DeleteAlarms"), 1);
	assert_true(tbt_fake_sent(&F.aws, "DeleteAlarms", "AlarmNames.member.1=web-memory-high"));
	assert_null(map_at(out, "alarm_arns", "memory_high"));
}

static void test_alarm_set_lifecycle_delete(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *prior = created(&c);

	assert_int_equal(tb_resource_delete(&tb_resource_alarm_set, &c, prior), 0);
	assert_int_equal(count_calls("DeleteAlarms"), 1);
	assert_true(tbt_fake_sent(&F.aws, "DeleteAlarms", "AlarmNames.member.6=web-latency-high"));
}

static void test_alarm_set_lifecycle_import(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *out = NULL;
	struct tb_plan p;

	assert_int_equal(
	    tb_resource_import(&tb_resource_alarm_set, &c, "talentbase-prod/web", &out),
	    TB_ENOTFOUND);
	assert_non_null(tbt_diag(&c, "Cannot import non-existent remote object"));
	F.exist = true;
	c = tbt_call(&meta);
	assert_int_equal(
	    tb_resource_import(&tb_resource_alarm_set, &c, "talentbase-prod/web/web", &out), 0);
	assert_string_equal(tbt_str(out, "id"), "talentbase-prod/web/web");
	assert_string_equal(tbt_str(out, "target_group"), TG_SUFFIX);
	/* every block is written out, as the spec's example does */
	assert_true(tbt_bool(out, "cpu_high.enabled"));
	assert_true(tb_is_null(tbt_at(out, "database_proxy_connections")));
	p = tbt_plan(&tb_resource_alarm_set, &c, out, every_block());
	assert_null(tbt_diff(out, p.planned));
	assert_false(tb_diags_has_errors(&c.diags));
}

/* ---- what the plan reads from the service ------------------------------------------- */

static void test_alarm_set_lifecycle_plan_without_load_balancer(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = tbt_call(&meta);
	struct tb_plan p;
	const struct tb_diag *d;

	F.services_file = "describe_services_worker.json";
	p = tbt_plan(&tb_resource_alarm_set, &c, NULL, alm_config("config_web.json"));
	assert_false(tb_diags_has_errors(&c.diags));
	assert_int_equal(tb_len(tb_attr(p.planned, "alarm_names")), 3);
	assert_true(tb_is_null(tbt_at(p.planned, "target_group")));
	assert_int_equal(count_calls("DescribeTargetGroups"), 0);
	p = tbt_plan(&tb_resource_alarm_set, &c, NULL,
	             config_with("alb_5xx", tbt_value(tb_alarm_set_block_at("alb_5xx"), "{}")));
	assert_non_null(d = tbt_diag(&c, "has no load balancer"));
	assert_int_equal(d->severity, TB_SEV_ERROR);
	assert_string_equal(tb_path_string(A, &d->path), "alb_5xx");
}

static void test_alarm_set_lifecycle_plan_service_missing(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = tbt_call(&meta);
	struct tb_plan p;

	F.services_file = "describe_services_missing.json";
	p = tbt_plan(&tb_resource_alarm_set, &c, NULL, alm_config("config_web.json"));
	assert_false(tb_diags_has_errors(&c.diags));
	assert_true(tb_is_unknown(tbt_at(p.planned, "alarm_names")));
	assert_true(tb_is_unknown(tbt_at(p.planned, "cluster")));
	assert_null(tbt_diag(&c, "TB205"));
}

/* The service did not exist at plan time: the apply reads it, and refuses
 * an alarm block of the load balancer when it has none. */
static void test_alarm_set_lifecycle_apply_reads_the_service(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *config =
	    config_with("alb_5xx", tbt_value(tb_alarm_set_block_at("alb_5xx"), "{}"));
	const struct tb_value *out = NULL;
	struct tb_plan p;
	const struct tb_diag *d;

	F.services_file = "describe_services_missing.json";
	p = tbt_plan(&tb_resource_alarm_set, &c, NULL, config);
	assert_false(tb_diags_has_errors(&c.diags));
	F.services_file = "describe_services.json";
	assert_int_equal(tb_resource_create(&tb_resource_alarm_set, &c, p.planned, &out), 0);
	assert_string_equal(tbt_str(out, "target_group"), TG_SUFFIX);
	assert_int_equal(tb_len(tb_attr(out, "alarm_names")), 6);
	assert_int_equal(count_calls("PutMetricAlarm"), 6);

	F.services_file = "describe_services_worker.json";
	forget_calls();
	c = tbt_call(&meta);
	assert_int_equal(tb_resource_create(&tb_resource_alarm_set, &c, p.planned, &out),
	                 TB_EINVAL);
	assert_non_null(d = tbt_diag(&c, "has no load balancer"));
	assert_string_equal(tb_path_string(A, &d->path), "alb_5xx");
	assert_int_equal(count_calls("PutMetricAlarm"), 0);
}

static void test_alarm_set_lifecycle_plan_floor(void **state)
{
	struct tb_meta meta = lc_meta("production");
	struct tb_call c = tbt_call(&meta);
	const struct tb_diag *d;

	/* MinCapacity 3, the default threshold 2 */
	tbt_plan(&tb_resource_alarm_set, &c, NULL, alm_config("config_web.json"));
	assert_non_null(d = tbt_diag(&c, "TB205"));
	assert_int_equal(d->severity, TB_SEV_WARNING);
	assert_true(tb_str_icontains(d->detail, "minimum capacity of 3"));
	c = tbt_call(&meta);
	tbt_plan(
	    &tb_resource_alarm_set, &c, NULL,
	    config_with("running_tasks_low", tbt_value(tb_alarm_set_block_at("running_tasks_low"),
	                                               "{\"threshold\":3}")));
	assert_null(tbt_diag(&c, "TB205"));
	/* a refused read warns and plans */
	F.aws.fail_action = "DescribeScalableTargets";
	F.aws.fail_code = "AccessDeniedException";
	c = tbt_call(&meta);
	tbt_plan(&tb_resource_alarm_set, &c, NULL, alm_config("config_web.json"));
	assert_false(tb_diags_has_errors(&c.diags));
	assert_non_null(d = tbt_diag(&c, "TB205 not checked"));
	assert_int_equal(d->severity, TB_SEV_WARNING);
	assert_true(tb_str_icontains(d->detail, "DescribeScalableTargets: AccessDeniedException"));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, lc_setup, lc_teardown)
	const struct CMUnitTest tests[] = {
	    T(test_alarm_set_lifecycle_create),
	    T(test_alarm_set_lifecycle_create_fails),
	    T(test_alarm_set_lifecycle_create_refuses_taken_names),
	    T(test_alarm_set_lifecycle_create_reads_arns),
	    T(test_alarm_set_lifecycle_read_plans_nothing),
	    T(test_alarm_set_lifecycle_update),
	    T(test_alarm_set_lifecycle_delete),
	    T(test_alarm_set_lifecycle_import),
	    T(test_alarm_set_lifecycle_plan_without_load_balancer),
	    T(test_alarm_set_lifecycle_plan_service_missing),
	    T(test_alarm_set_lifecycle_apply_reads_the_service),
	    T(test_alarm_set_lifecycle_plan_floor),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
