/*
 * talentbase_service, preflight against the fake AWS endpoint: which reads
 * a plan makes (what it changes), how it asks (the API reference's
 * shapes), what the answers tell the rules TB021-TB027, each read once per
 * client, and a read AWS refuses as one warning that names the call and
 * the permission.
 */
#include "helpers/fake_aws.h"
#include "test_service.h"

#define OTHER_RULE                                                                                 \
	"arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/"                   \
	"talentbase-prod-alb/"                                                                     \
	"50dc6c495c0c9188/f2f7dc8efc522ab2/1111111111111111"

/* clang-format off */
static const struct tbt_canned answers[] = {
    {"DescribeImages", "describe_images.json", NULL},
    {"DescribeRepositories", "describe_repositories.json", NULL},
    {"DescribeClusters", "describe_clusters.json", NULL},
    {"DescribeSecret", "describe_secret.json", NULL},
    /* the service's own rule on 100 (its state records it), another team's on 200, and on
     * 300 one that forwards to the service's target group (a replaced incarnation's) */
    {"DescribeRules", NULL, "<Rules><member><RuleArn>" RULE_ARN "</RuleArn><Priority>100</Priority></member>"
                            "<member><RuleArn>" OTHER_RULE "</RuleArn><Priority>200</Priority><Actions><member><Type>forward</Type>"
                            "<TargetGroupArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/other-team/1</TargetGroupArn></member></Actions></member>"
                            "<member><RuleArn>" OTHER_RULE "2</RuleArn><Priority>300</Priority><Actions><member><Type>forward</Type><ForwardConfig><TargetGroups>"
                            "<member><TargetGroupArn>" TG_ARN "</TargetGroupArn></member></TargetGroups></ForwardConfig></member></Actions></member>"
                            "<member><RuleArn>" OTHER_RULE "3</RuleArn><Priority>default</Priority></member></Rules>"},
    {"DescribeSubnets", "describe_subnets.xml", NULL},
    {"DescribeSecurityGroups", "describe_security_groups.xml", NULL},
    {"DescribeServices", NULL, "{\"services\":[],\"failures\":[]}"},
};
/* clang-format on */

static struct tbt_fake F;

/* The route tables: the subnets' own, or the VPCs' main ones. */
static bool hook(struct tbt_fake *f, const char *action, const struct tbt_request *req,
                 struct tbt_response *resp)
{
	if (strcmp(action, "DescribeRouteTables") != 0)
		return false;
	resp->body_owned = tbt_fake_read(f->dir, strstr(req->body, "association.main")
	                                             ? "describe_route_tables_main.xml"
	                                             : "describe_route_tables_subnets.xml");
	return true;
}

static int setup(void **state)
{
	svc_setup(state);
	return tbt_fake_start(&F, "service", answers, TB_COUNT(answers), hook);
}

static int teardown(void **state)
{
	tbt_fake_stop(&F);
	return svc_teardown(state);
}

static struct tb_meta meta_with_aws(void)
{
	struct tb_meta m = svc_meta("production");

	m.aws = F.client;
	m.preflight = true;
	return m;
}

static const struct tb_diag *diag_of(const struct tb_call *c, const char *id)
{
	for (const struct tb_diag *d = c->diags.head; d; d = d->next)
		if (strncmp(d->summary, id, strlen(id)) == 0)
			return d;
	return NULL;
}

static void test_service_preflight_ecr_image(void **state)
{
	const char *reg = NULL, *repo = NULL;

	assert_true(
	    tb_service_ecr_image(A, "123456789012.dkr.ecr.us-east-1.amazonaws.com/talentbase/web",
	                         "us-east-1", &reg, &repo));
	assert_string_equal(reg, "123456789012");
	assert_string_equal(repo, "talentbase/web");
	assert_true(tb_service_ecr_image(A, "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/x",
	                                 "cn-north-1", &reg, &repo));
	assert_false(tb_service_ecr_image(A, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/x",
	                                  "us-east-1", &reg, &repo));
	assert_false(tb_service_ecr_image(A, "ghcr.io/talentbase/web", "us-east-1", &reg, &repo));
	assert_false(tb_service_ecr_image(A, "nginx", "us-east-1", &reg, &repo));
	assert_false(tb_service_ecr_image(A, "12345.dkr.ecr.us-east-1.amazonaws.com/x", "us-east-1",
	                                  &reg, &repo));
}

/* A create reads everything, once, in one parallel round; the answers trip
 * each rule on its attribute. */
static void test_service_preflight_create(void **state)
{
	struct tb_meta meta = meta_with_aws();
	struct tb_call c = svc_call(&meta);
	const struct tb_diag *d;

	svc_plan(&c, NULL, svc_config("config_web.json"));
	assert_true(tbt_fake_sent(&F, "DescribeImages",
	                          "\"registryId\":\"123456789012\",\"repositoryName\":\"talentbase/"
	                          "web\",\"imageIds\":[{\"imageTag\":\"sha-3f9c2e1\"}]"));
	assert_true(tbt_fake_sent(&F, "DescribeClusters", "\"include\":[\"SETTINGS\"]"));
	assert_true(tbt_fake_sent(&F, "DescribeSecret",
	                          "\"SecretId\":\"arn:aws:secretsmanager:us-east-1:123456789012:"
	                          "secret:talentbase-prod/web/session-secret-AbCdEf\"}"));
	assert_true(tbt_fake_sent(&F, "DescribeSubnets",
	                          "SubnetId.1=subnet-0aa1c79de3EXAMPLE&"
	                          "SubnetId.2=subnet-0bb1c79de3EXAMPLE"));
	assert_true(
	    tbt_fake_sent(&F, "DescribeRouteTables", "Filter.1.Name=association.subnet-id"));
	assert_true(tbt_fake_sent(&F, "DescribeSecurityGroups", "GroupId.1=sg-0123456789abcdef0"));
	assert_int_equal(tbt_fake_count(&F, "DescribeRouteTables"), 2);
	assert_null(diag_of(&c, "TB021")); /* the image is there */
	assert_non_null(d = diag_of(&c, "TB022"));
	assert_non_null(strstr(d->detail, "imageTagMutability MUTABLE"));
	assert_non_null(d = diag_of(&c, "TB023"));
	assert_non_null(strstr(d->detail, "Container Insights off"));
	assert_non_null(d = diag_of(&c, "TB024")); /* a new service: 100 is not its own yet */
	assert_int_equal(d->severity, TB_SEV_ERROR);
	assert_non_null(strstr(d->detail, RULE_ARN));
	assert_string_equal(tb_path_string(A, &d->path), "load_balancer.priority");
	assert_null(diag_of(&c, "TB025"));
	assert_non_null(d = diag_of(&c, "TB026"));
	/* subnet a: its own table routes to an internet gateway; subnet b: the
	 * main table (NAT) is private, but it hands out public IPs */
	assert_non_null(strstr(d->detail,
	                       "Subnet subnet-0aa1c79de3EXAMPLE is public: it has a route "
	                       "0.0.0.0/0 to internet gateway igw-0f1e2d3c4b5a69788"));
	assert_non_null(strstr(d->next->detail,
	                       "subnet-0bb1c79de3EXAMPLE is public: it gives every "
	                       "task a public IP"));
	assert_non_null(d = diag_of(&c, "TB027"));
	assert_non_null(strstr(d->detail, "admits the container port 3000 from 0.0.0.0/0 (tcp "
	                                  "0-65535)"));

	/* the same reads again in this process: answered from the first ones;
	 * 200 is another's, 300 forwards to the service's own target group */
	c = svc_call(&meta);
	svc_plan(&c, NULL,
	         svc_set(svc_config("config_web.json"), "load_balancer.priority", tb_int(A, 200)));
	assert_int_equal(tbt_fake_count(&F, "DescribeClusters"), 1);
	assert_int_equal(tbt_fake_count(&F, "DescribeRules"), 1);
	assert_int_equal(tbt_fake_count(&F, "DescribeRouteTables"), 2);
	assert_non_null(d = diag_of(&c, "TB024"));
	assert_non_null(strstr(d->detail, OTHER_RULE " "));
	c = svc_call(&meta);
	svc_plan(&c, NULL,
	         svc_set(svc_config("config_web.json"), "load_balancer.priority", tb_int(A, 300)));
	assert_null(diag_of(&c, "TB024"));
}

/* An update reads only for what it changes: a new image tag, the image;
 * nothing changed, nothing read. */
static void test_service_preflight_update(void **state)
{
	struct tb_meta meta = meta_with_aws(), off = svc_meta("production");
	struct tb_call c = svc_call(&off);
	const struct tb_value *cfg = svc_config("config_web.json");
	const struct tb_value *prior = svc_plan(&c, NULL, cfg).planned;
	struct tb_svc s;
	const struct tb_value *full = NULL;

	/* the applied state: every computed value known */
	assert_int_equal(tb_service_load(A, &off, prior, &s), 0);
	s.arn = SVC_ARN;
	s.task_definition_arn = TD7;
	s.target_group_arn = TG_ARN;
	s.listener_rule_arn = RULE_ARN;
	s.lb.vpc_id = "vpc-3ac0fb5f";
	s.deployed_image = "x";
	assert_int_equal(tb_service_state(A, &off, &s, prior, false, &full), 0);
	prior = tb_kit_fill_unknowns(A, prior, full);

	c = svc_call(&meta);
	svc_plan(&c, prior, cfg);
	assert_int_equal(tbt_server_count(F.server), 0);
	assert_null(c.diags.head);

	c = svc_call(&meta);
	F.ud = NULL;
	svc_plan(&c, prior, svc_set(cfg, "image_tag", tb_string(A, "sha-0000000")));
	assert_int_equal(tbt_fake_count(&F, "DescribeImages"), 1);
	assert_int_equal(tbt_fake_count(&F, "DescribeRepositories"), 1);
	assert_int_equal(tbt_server_count(F.server), 2);
	/* the service's own rule holds its priority: no finding on a listener change */
	c = svc_call(&meta);
	svc_plan(&c, prior,
	         svc_set(cfg, "load_balancer.host_headers",
	                 tb_set(A, svc_at(cfg, "load_balancer.host_headers")->type, 0, NULL)));
	assert_int_equal(tbt_fake_count(&F, "DescribeRules"), 1);
	assert_null(diag_of(&c, "TB024"));
}

/* A read AWS refuses: one warning naming the call and the permission, the
 * rule skipped, the plan not failed by it. */
static void test_service_preflight_refused(void **state)
{
	struct tb_meta meta = meta_with_aws();
	struct tb_call c = svc_call(&meta);
	const struct tb_diag *d;
	size_t warnings = 0;

	F.fail_action = "DescribeSubnets";
	F.fail_code = "UnauthorizedOperation";
	svc_plan(&c, NULL, svc_config("config_web.json"));
	for (d = c.diags.head; d; d = d->next)
		if (strstr(d->summary, "Preflight could not read"))
			warnings++;
	assert_int_equal(warnings, 1);
	assert_non_null(d = svc_diag(&c, "Preflight could not read ec2:DescribeSubnets"));
	assert_int_equal(d->severity, TB_SEV_WARNING);
	assert_non_null(strstr(d->detail, "UnauthorizedOperation"));
	assert_non_null(strstr(d->detail, "request id req-query-1"));
	assert_non_null(strstr(d->detail, "Rule TB026 is not checked"));
	assert_non_null(strstr(d->detail, "ec2:DescribeSubnets"));
	assert_null(diag_of(&c, "TB026"));
	assert_non_null(diag_of(&c, "TB027")); /* the other reads still judge */
}

/* preflight = false reads nothing. */
static void test_service_preflight_off(void **state)
{
	struct tb_meta meta = meta_with_aws();
	struct tb_call c;

	meta.preflight = false;
	c = svc_call(&meta);
	svc_plan(&c, NULL, svc_config("config_web.json"));
	assert_int_equal(tbt_server_count(F.server), 0);
	assert_false(tb_diags_has_errors(&c.diags));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_service_preflight_ecr_image, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_service_preflight_create, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_service_preflight_update, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_service_preflight_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_service_preflight_off, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
