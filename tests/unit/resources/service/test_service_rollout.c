/*
 * talentbase_service: what recorded DescribeServices answers say about a
 * rollout. These are the outcomes an emulator cannot produce: a circuit
 * breaker rollback must fail the apply (never a silent success), and the
 * diagnostic must quote the service's events.
 */
#include "test_service.h"

#define TD6 "arn:aws:ecs:us-east-1:123456789012:task-definition/talentbase-web-prod:6"
#define TD8 "arn:aws:ecs:us-east-1:123456789012:task-definition/talentbase-web-prod:8"

struct rollout_case {
	const char *file;
	const char *td; /* the revision the apply waits for */
	enum tb_svc_rollout want;
	const char *reason_has; /* NULL: not checked */
	const char *events_has;
	const char *events_lacks; /* an event from before the deployment */
};

/* clang-format off */
static const struct rollout_case cases[] = {
    {"describe_services_completed.json", TD7, TB_SVC_ROLLOUT_COMPLETED, NULL, "steady state", NULL},
    {"describe_services_completed.json", NULL, TB_SVC_ROLLOUT_COMPLETED, NULL, NULL, NULL},
    {"describe_services_in_progress.json", TD7, TB_SVC_ROLLOUT_IN_PROGRESS, "1 of 2 tasks running", "has started 2 tasks", "reached a steady state"},
    {"describe_services_failed.json", TD7, TB_SVC_ROLLOUT_FAILED, "circuit breaker: tasks failed to start", "failed ELB health checks", "reached a steady state"},
    {"describe_services_rolled_back.json", TD7, TB_SVC_ROLLOUT_ROLLED_BACK, "circuit breaker", "rolling back to deployment", NULL},
    {"describe_services_rolled_back_completed.json", TD7, TB_SVC_ROLLOUT_ROLLED_BACK, TD6, "failed ELB health checks", NULL},
    {"describe_services_inactive.json", TD7, TB_SVC_ROLLOUT_GONE, "INACTIVE", NULL, NULL},
    {"describe_services_missing.json", TD7, TB_SVC_ROLLOUT_GONE, "missing", NULL, NULL},
};
/* clang-format on */

static void test_service_rollout_classify(void **state)
{
	for (size_t i = 0; i < TB_COUNT(cases); i++) {
		const struct rollout_case *c = &cases[i];
		struct tb_svc_rollout_result r;

		assert_int_equal(tb_service_rollout_classify(A, svc_json_file(c->file), c->td, &r),
		                 0);
		if (r.state != c->want)
			fail_msg("%s: %s, want %s (%s)", c->file, tb_service_rollout_name(r.state),
			         tb_service_rollout_name(c->want), r.reason ? r.reason : "");
		if (c->reason_has && !tb_str_icontains(r.reason, c->reason_has))
			fail_msg("%s: reason \"%s\" lacks \"%s\"", c->file,
			         r.reason ? r.reason : "", c->reason_has);
		if (c->events_has && !tb_str_icontains(r.events, c->events_has))
			fail_msg("%s: events lack \"%s\":\n%s", c->file, c->events_has,
			         r.events ? r.events : "");
		if (c->events_lacks && tb_str_icontains(r.events, c->events_lacks))
			fail_msg("%s: events quote \"%s\" from before the deployment", c->file,
			         c->events_lacks);
	}
}

static void test_service_rollout_completed_td(void **state)
{
	struct tb_svc_rollout_result r;

	assert_int_equal(tb_service_rollout_classify(
	                     A, svc_json_file("describe_services_completed.json"), TD7, &r),
	                 0);
	assert_string_equal(r.deployed_td_arn, TD7);

	/* Still draining the old deployment: running matches, but not yet done. */
	assert_int_equal(tb_service_rollout_classify(
	                     A, svc_json_file("describe_services_in_progress.json"), TD7, &r),
	                 0);
	assert_null(r.deployed_td_arn);
}

struct deployed_case {
	const char *file;
	const char *want; /* NULL: no rollout has completed */
};

/* clang-format off */
static const struct deployed_case deployed_cases[] = {
    {"describe_services_completed.json", TD7},
    /* the new PRIMARY is in progress: the completed ACTIVE deployment serves */
    {"describe_services_in_progress.json", TD6},
    /* failed without rollback: the completed ACTIVE deployment still serves */
    {"describe_services_failed.json", TD6},
    /* rolling back: the rollback deployment is in progress, the other failed */
    {"describe_services_rolled_back.json", NULL},
    {"describe_services_rolled_back_completed.json", TD6},
    /* PRIMARY :8 in progress, ACTIVE :7 in progress, two completed ACTIVE
     * ones listed oldest first: the newest completed one (:6) serves */
    {"describe_services_superseded.json", TD6},
    {"describe_services_inactive.json", NULL},
    {"describe_services_missing.json", NULL},
};
/* clang-format on */

/* deployed_image follows the newest deployment whose rollout completed. */
static void test_service_rollout_deployed_td(void **state)
{
	for (size_t i = 0; i < TB_COUNT(deployed_cases); i++) {
		const struct deployed_case *c = &deployed_cases[i];
		const char *got = tb_service_deployed_td(svc_json_file(c->file));

		if (!tb_str_eq(got, c->want))
			fail_msg("%s: deployed %s, want %s", c->file, got ? got : "(none)",
			         c->want ? c->want : "(none)");
	}
	/* A single deployment without rolloutState counts once its tasks run. */
	assert_string_equal(
	    tb_service_deployed_td(
	        svc_json("{\"services\":[{\"status\":\"ACTIVE\",\"deployments\":[{\"status\":"
	                 "\"PRIMARY\",\"taskDefinition\":\"" TD8 "\",\"desiredCount\":2,"
	                 "\"runningCount\":2,\"pendingCount\":0}]}]}")),
	    TD8);
	assert_null(tb_service_deployed_td(
	    svc_json("{\"services\":[{\"status\":\"ACTIVE\",\"deployments\":[{\"status\":"
	             "\"PRIMARY\",\"taskDefinition\":\"" TD8 "\",\"desiredCount\":2,"
	             "\"runningCount\":0,\"pendingCount\":2}]}]}")));
	assert_null(tb_service_deployed_td(svc_json("{}")));
}

/* Without rolloutState (older APIs): one deployment with running = desired. */
static void test_service_rollout_without_state(void **state)
{
	struct tb_svc_rollout_result r;
	json_t *d = svc_json(
	    "{\"services\":[{\"status\":\"ACTIVE\",\"deployments\":[{\"status\":\"PRIMARY\","
	    "\"taskDefinition\":\"" TD7 "\",\"desiredCount\":2,\"runningCount\":2,"
	    "\"pendingCount\":0}],\"events\":[]}]}");

	assert_int_equal(tb_service_rollout_classify(A, d, TD7, &r), 0);
	assert_int_equal(r.state, TB_SVC_ROLLOUT_COMPLETED);
	assert_null(r.events);
	d = svc_json(
	    "{\"services\":[{\"status\":\"ACTIVE\",\"deployments\":[{\"status\":\"PRIMARY\","
	    "\"taskDefinition\":\"" TD7 "\",\"desiredCount\":2,\"runningCount\":1,"
	    "\"pendingCount\":1}]}]}");
	assert_int_equal(tb_service_rollout_classify(A, d, TD7, &r), 0);
	assert_int_equal(r.state, TB_SVC_ROLLOUT_IN_PROGRESS);
}

static void test_service_rollout_stopped_tasks(void **state)
{
	const char *text =
	    tb_service_stopped_reasons(A, svc_json_file("describe_tasks_stopped.json"));

	assert_non_null(text);
	assert_true(tb_str_icontains(text, "task 9a8b7c6d5e4f: CannotPullContainerError"));
	assert_true(tb_str_icontains(text, "failed ELB health checks"));
	assert_null(tb_service_stopped_reasons(A, svc_json("{\"tasks\":[]}")));
}

static void test_service_rollout_names(void **state)
{
	assert_string_equal(tb_service_rollout_name(TB_SVC_ROLLOUT_COMPLETED), "COMPLETED");
	assert_string_equal(tb_service_rollout_name(TB_SVC_ROLLOUT_ROLLED_BACK), "ROLLED_BACK");
	assert_string_equal(tb_service_rollout_name((enum tb_svc_rollout)99), "UNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_service_rollout_classify, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_rollout_completed_td, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_rollout_deployed_td, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_rollout_without_state, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_rollout_stopped_tasks, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_rollout_names, svc_setup, svc_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
