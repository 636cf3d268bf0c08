/*
 * data "talentbase_platform" against the fake AWS endpoint: every lookup
 * finds its object (and asks AWS the way its API reference says), and a
 * lookup that finds none or several, or that AWS refuses, fails the read
 * on the attribute it belongs to, naming what it searched and found.
 */
#include "helpers/fake_aws.h"
#include "helpers/resource_fixture.h"

#define LB_ARN                                                                                     \
	"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/talentbase-prod/"    \
	"50dc6c495c0c9188"
#define LISTENER_443                                                                               \
	"arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/talentbase-prod/"        \
	"50dc6c495c0c9188/0467ef3c8400ae65"

static const struct tbt_canned answers[] = {
    {"DescribeClusters", "describe_clusters.json", NULL},
    {"DescribeLoadBalancers", NULL,
     "<LoadBalancers><member><LoadBalancerArn>" LB_ARN "</LoadBalancerArn>"
     "<LoadBalancerName>talentbase-prod</LoadBalancerName><Type>application</Type>"
     "<VpcId>vpc-0a1b2c3d4e5f60789</VpcId></member></LoadBalancers>"},
    {"DescribeListeners", NULL,
     "<Listeners><member><ListenerArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:"
     "listener/app/talentbase-prod/50dc6c495c0c9188/1111111111111111</ListenerArn>"
     "<Port>80</Port><Protocol>HTTP</Protocol></member>"
     "<member><ListenerArn>" LISTENER_443 "</ListenerArn><Port>443</Port>"
     "<Protocol>HTTPS</Protocol></member></Listeners>"},
    {"DescribeVpcs", "describe_vpcs.xml", NULL},
    {"DescribeSubnets", "describe_subnets.xml", NULL},
    {"DescribeSecurityGroups", "describe_security_groups.xml", NULL},
};

static struct tbt_fake F;

/* GetRole answers by name; "missing-*" roles do not exist. Other actions
 * may be swapped for another file through F.ud ("Action=file"). */
static bool hook(struct tbt_fake *f, const char *action, const struct tbt_request *req,
                 struct tbt_response *resp)
{
	const char *swap = f->ud;
	const char *name = strstr(req->body ? req->body : "", "RoleName=");
	char role[64];

	if (swap && strncmp(swap, action, strlen(action)) == 0 && swap[strlen(action)] == '=') {
		resp->body_owned = tbt_fake_read(f->dir, swap + strlen(action) + 1);
		return true;
	}
	if (strcmp(action, "GetRole") != 0 || name == NULL)
		return false;
	snprintf(role, sizeof(role), "%.*s", (int)strcspn(name + 9, "&"), name + 9);
	if (strncmp(role, "missing-", 8) == 0) {
		tbt_fake_error(false, "NoSuchEntity", resp);
		resp->status = 404;
		return true;
	}
	resp->body_owned = malloc(512);
	snprintf(resp->body_owned, 512,
	         "<GetRoleResponse><GetRoleResult><Role><RoleName>%s</RoleName><Arn>arn:aws:iam::"
	         "123456789012:role/%s</Arn></Role></GetRoleResult></GetRoleResponse>",
	         role, role);
	return true;
}

static int setup(void **state)
{
	tbt_setup(state);
	return tbt_fake_start(&F, "platform", answers, TB_COUNT(answers), hook);
}

static int teardown(void **state)
{
	tbt_fake_stop(&F);
	return tbt_teardown(state);
}

static const char full[] =
    "{\"cluster\":\"talentbase-prod\",\"load_balancer\":\"talentbase-prod\","
    "\"listener_port\":443,\"vpc_tag\":{\"Name\":\"talentbase-prod\"},"
    "\"subnet_tag\":{\"Tier\":\"private\"},\"security_groups\":[\"talentbase-prod-ecs\"],"
    "\"roles\":[\"talentbase-prod-execution\",\"talentbase-web-task\"]}";

/* Reads the data source for config JSON; returns the read's result. */
static int read_json(struct tb_call *c, const char *json, const struct tb_value **out)
{
	const struct tb_value *config = NULL;

	assert_int_equal(
	    tb_upgrade_json_state(A, tb_data_source_platform.schema, json, strlen(json), &config),
	    0);
	return tb_data_source_read(&tb_data_source_platform, c, config, out);
}

static void test_platform_finds_everything(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_call c;
	const struct tb_value *v = NULL, *subnets;

	meta.aws = F.client;
	c = tbt_call(&meta);
	assert_int_equal(read_json(&c, full, &v), 0);
	assert_int_equal(c.diags.n_errors, 0);
	assert_string_equal(tbt_str(v, "cluster_arn"),
	                    "arn:aws:ecs:us-east-1:123456789012:cluster/talentbase-prod");
	assert_true(tbt_bool(v, "container_insights"));
	assert_string_equal(tbt_str(v, "load_balancer_arn"), LB_ARN);
	assert_string_equal(tbt_str(v, "listener_arn"), LISTENER_443);
	assert_string_equal(tbt_str(v, "vpc_id"), "vpc-0a1b2c3d4e5f60789");
	subnets = tb_attr(v, "private_subnet_ids");
	assert_int_equal(tb_len(subnets), 2);
	assert_string_equal(tb_get_str(subnets->u.coll.items[0]), "subnet-0aaa000000000000a");
	assert_string_equal(tb_get_str(subnets->u.coll.items[1]), "subnet-0bbb000000000000b");
	assert_string_equal(tbt_str(v, "security_group_ids[\"talentbase-prod-ecs\"]"),
	                    "sg-0123456789abcdef0");
	assert_string_equal(tbt_str(v, "role_arns[\"talentbase-web-task\"]"),
	                    "arn:aws:iam::123456789012:role/talentbase-web-task");
	/* how AWS was asked */
	assert_true(tbt_fake_sent(&F, "DescribeVpcs",
	                          "Filter.1.Name=tag%3AName&Filter.1.Value.1="
	                          "talentbase-prod"));
	assert_true(tbt_fake_sent(&F, "DescribeSubnets",
	                          "Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-0a1b2c3d4e5f60789&"
	                          "Filter.2.Name=tag%3ATier&Filter.2.Value.1=private"));
	assert_true(tbt_fake_sent(&F, "DescribeSecurityGroups",
	                          "Filter.1.Name=group-name&Filter.1.Value.1=talentbase-prod-ecs"));
	assert_true(tbt_fake_sent(&F, "DescribeLoadBalancers", "Names.member.1=talentbase-prod"));
	assert_int_equal(tbt_fake_count(&F, "GetRole"), 2);
	/* the subnets need the VPC */
	assert_true(tbt_fake_called_at(&F, "DescribeSubnets") >
	            tbt_fake_called_at(&F, "DescribeVpcs"));
}

/* Without vpc_tag the load balancer's VPC is searched; without
 * listener_port the load balancer must have one listener. */
static void test_platform_listener_choice(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_call c;
	const struct tb_value *v = NULL;
	const struct tb_diag *d;

	meta.aws = F.client;
	c = tbt_call(&meta);
	assert_int_equal(
	    read_json(&c, "{\"load_balancer\":\"talentbase-prod\",\"listener_port\":8443}", &v),
	    TB_EINVAL);
	d = tbt_diag(&c, "no listener on port 8443");
	assert_non_null(d);
	assert_non_null(strstr(d->detail, "ports 80, 443"));
	assert_string_equal(tb_path_string(A, &d->path), "listener_port");

	c = tbt_call(&meta);
	assert_int_equal(read_json(&c, "{\"load_balancer\":\"talentbase-prod\"}", &v), TB_EINVAL);
	assert_non_null(tbt_diag(&c, "has 2 listeners"));

	c = tbt_call(&meta);
	assert_int_equal(read_json(&c,
	                           "{\"load_balancer\":\"talentbase-prod\",\"listener_port\":443,"
	                           "\"subnet_tag\":{\"Tier\":\"private\"}}",
	                           &v),
	                 0);
	assert_string_equal(tbt_str(v, "vpc_id"), "vpc-0a1b2c3d4e5f60789");
	assert_int_equal(tbt_fake_count(&F, "DescribeVpcs"), 0);
	assert_int_equal(tb_len(tb_attr(v, "private_subnet_ids")), 2);
	assert_true(tb_is_null(tb_attr(v, "cluster_arn")));
	assert_true(tb_is_null(tb_attr(v, "role_arns")));
}

/* None or several: an error on the attribute that names what was searched
 * and what was found, for every lookup of the phase at once. */
static void test_platform_none_or_several(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_call c;
	const struct tb_value *v = NULL;
	const struct tb_diag *d;

	meta.aws = F.client;
	F.ud = "DescribeVpcs=describe_vpcs_two.xml";
	c = tbt_call(&meta);
	assert_int_equal(read_json(&c,
	                           "{\"vpc_tag\":{\"Name\":\"talentbase-prod\"},"
	                           "\"roles\":[\"missing-exec\",\"talentbase-web-task\"]}",
	                           &v),
	                 TB_EINVAL);
	d = tbt_diag(&c, "2 VPCs");
	assert_non_null(d);
	assert_string_equal(tb_path_string(A, &d->path), "vpc_tag");
	assert_non_null(strstr(d->detail, "Name=talentbase-prod"));
	assert_non_null(strstr(d->detail, "vpc-0a1b2c3d4e5f60789, vpc-0fffeeeddd0001111"));
	d = tbt_diag(&c, "No IAM role named missing-exec");
	assert_non_null(d);
	assert_string_equal(tb_path_string(A, &d->path), "roles");

	F.ud = "DescribeClusters=describe_clusters_missing.json";
	c = tbt_call(&meta);
	assert_int_equal(read_json(&c,
	                           "{\"cluster\":\"talentbase-prod\","
	                           "\"security_groups\":[\"nope\",\"talentbase-prod-ecs\"]}",
	                           &v),
	                 TB_EINVAL);
	d = tbt_diag(&c, "No active ECS cluster named \"talentbase-prod\"");
	assert_non_null(d);
	assert_non_null(strstr(d->detail, "MISSING"));
	d = tbt_diag(&c, "no group named nope");
	assert_non_null(d);
	assert_string_equal(tb_path_string(A, &d->path), "security_groups");
}

/* AWS refusing a lookup names the lookup, the operation, the code and the
 * request ID. */
static void test_platform_aws_failure(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_call c;
	const struct tb_value *v = NULL;
	const struct tb_diag *d;

	meta.aws = F.client;
	F.fail_action = "DescribeSubnets";
	F.fail_code = "UnauthorizedOperation";
	c = tbt_call(&meta);
	assert_int_equal(read_json(&c, full, &v), TB_EACCESS);
	d = tbt_diag(&c, "ec2 DescribeSubnets: UnauthorizedOperation");
	assert_non_null(d);
	assert_non_null(strstr(d->summary, "looking up the subnets"));
	assert_non_null(strstr(d->summary, "request id req-query-1"));
	assert_string_equal(tb_path_string(A, &d->path), "subnet_tag");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_platform_finds_everything, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_platform_listener_choice, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_platform_none_or_several, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_platform_aws_failure, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
