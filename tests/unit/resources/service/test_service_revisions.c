/*
 * talentbase_service: which task-definition revisions a rollout or a
 * destroy deregisters. The family (the service name) belongs to the
 * resource, so every other ACTIVE revision of exactly that family goes;
 * families that merely start with the name ("web" / "web-api") are not
 * touched, and revisions a deployment still uses stay.
 */
#include "test_service.h"

#define TD_PREFIX "arn:aws:ecs:us-east-1:123456789012:task-definition/"
#define FAMILY    "talentbase-web-prod"
#define TD(rev)   TD_PREFIX FAMILY ":" #rev

struct family_case {
	const char *arn, *family;
	bool want;
};

/* clang-format off */
static const struct family_case family_cases[] = {
    {TD(7), FAMILY, true},
    {TD(12), FAMILY, true},
    {TD_PREFIX "talentbase-web-prod-api:3", FAMILY, false},
    {TD_PREFIX "talentbase-web-prodx:3", FAMILY, false},
    {TD_PREFIX "talentbase-web:3", FAMILY, false},
    {TD_PREFIX "web:1", "web", true},
    {TD_PREFIX "web-api:1", "web", false},
    {TD_PREFIX "web_2:1", "web", false},
    {TD_PREFIX "xweb:1", "web", false},
    {TD_PREFIX "web", "web", false},
    {"web:1", "web", false},
    {NULL, "web", false},
    {TD_PREFIX "web:1", "", false},
    {TD_PREFIX "web:1", NULL, false},
};
/* clang-format on */

static void test_service_revisions_family(void **state)
{
	for (size_t i = 0; i < TB_COUNT(family_cases); i++) {
		const struct family_case *c = &family_cases[i];
		if (tb_service_td_in_family(c->arn, c->family) != c->want)
			fail_msg("%s in family %s: want %s", c->arn ? c->arn : "(null)",
			         c->family ? c->family : "(null)", c->want ? "true" : "false");
	}
}

/* Both recorded pages of a ListTaskDefinitions answer, as one list. */
static const json_t *listed_both_pages(void)
{
	json_t *all = svc_json_file("list_task_definitions.json");

	assert_int_equal(
	    json_array_extend(json_object_get(all, "taskDefinitionArns"),
	                      json_object_get(svc_json_file("list_task_definitions_2.json"),
	                                      "taskDefinitionArns")),
	    0);
	return all;
}

static bool has(const struct tb_strs *v, const char *s)
{
	for (size_t i = 0; i < v->n; i++)
		if (tb_str_eq(v->v[i], s))
			return true;
	return false;
}

/* Exactly the wanted ARNs, in any order. */
static void assert_strs(const struct tb_strs *got, const char *const *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!has(got, want[i]))
			fail_msg("%s is missing", want[i]);
	for (size_t i = 0; i < got->n; i++)
		for (size_t j = i + 1; j < got->n; j++)
			if (tb_str_eq(got->v[i], got->v[j]))
				fail_msg("%s is there twice", got->v[i]);
	assert_int_equal(got->n, n);
}

/* After a waited rollout of :8 (previously :7): everything else of the family. */
static void test_service_revisions_after_rollout(void **state)
{
	static const char *const keep_v[] = {TD(8)};
	static const char *const want[] = {TD(5), TD(6), TD(7)};
	const struct tb_strs keep = {.n = 1, .v = (const char **)keep_v};
	struct tb_strs out;

	assert_int_equal(tb_service_td_stale(A, listed_both_pages(), FAMILY, TD(7), &keep, &out),
	                 0);
	assert_strs(&out, want, TB_COUNT(want));
}

/* A rollout not waited for: the revisions the deployments use stay (here
 * :8 PRIMARY, :7 and :6 ACTIVE in the recorded answer, and :5 too). */
static void test_service_revisions_unwaited(void **state)
{
	static const char *const in_use[] = {TD(8), TD(5), TD(7), TD(6)};
	static const char *const stale[] = {TD(5), TD(8)};
	struct tb_strs keep, out;

	assert_int_equal(
	    tb_service_deployment_tds(A, svc_json_file("describe_services_superseded.json"), &keep),
	    0);
	assert_strs(&keep, in_use, TB_COUNT(in_use));
	assert_int_equal(tb_service_td_stale(A, listed_both_pages(), FAMILY, TD(7), &keep, &out),
	                 0);
	assert_int_equal(out.n, 0);

	/* In progress with :7 PRIMARY and :6 serving: :5 and :8 are stale. */
	assert_int_equal(tb_service_deployment_tds(
	                     A, svc_json_file("describe_services_in_progress.json"), &keep),
	                 0);
	assert_int_equal(keep.n, 2);
	assert_int_equal(tb_service_td_stale(A, listed_both_pages(), FAMILY, NULL, &keep, &out), 0);
	assert_strs(&out, stale, TB_COUNT(stale));
	assert_int_equal(tb_service_deployment_tds(A, svc_json("{}"), &keep), 0);
	assert_int_equal(keep.n, 0);
}

/* Destroy: nothing is kept; a recorded revision of another family (an
 * imported service) goes too, once. */
static void test_service_revisions_destroy(void **state)
{
	static const char *const want[] = {TD(5), TD(6), TD(7), TD(8), TD_PREFIX "legacy-web:41"};
	static const char *const want_same[] = {TD(5), TD(6), TD(7), TD(8)};
	const struct tb_strs none = {0};
	struct tb_strs out;

	assert_int_equal(tb_service_td_stale(A, listed_both_pages(), FAMILY,
	                                     TD_PREFIX "legacy-web:41", &none, &out),
	                 0);
	assert_strs(&out, want, TB_COUNT(want));
	assert_int_equal(tb_service_td_stale(A, listed_both_pages(), FAMILY, TD(7), &none, &out),
	                 0);
	assert_strs(&out, want_same, TB_COUNT(want_same));
	assert_int_equal(tb_service_td_stale(A, svc_json("{}"), FAMILY, NULL, &none, &out), 0);
	assert_int_equal(out.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_service_revisions_family, svc_setup, svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_revisions_after_rollout, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_revisions_unwaited, svc_setup,
	                                    svc_teardown),
	    cmocka_unit_test_setup_teardown(test_service_revisions_destroy, svc_setup,
	                                    svc_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
