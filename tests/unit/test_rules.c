/*
 * Rules of talentbase_service: a valid service, one mutation per case, and
 * the rule ID, severity and attribute path the mutation must produce (or the
 * rule that must stay silent). Then the engine: unknown values, validate
 * phase, acknowledge, strict, and docs/guides/rules.md matching the tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tb/rules.h"

static const char service_type_json[] =
    "[\"object\",{"
    "\"name\":\"string\",\"cluster\":\"string\",\"role\":\"string\",\"image\":\"string\","
    "\"image_tag\":\"string\",\"cpu\":\"number\",\"memory\":\"number\",\"port\":\"number\","
    "\"desired_count\":\"number\",\"environment\":[\"map\",\"string\"],"
    "\"secrets\":[\"map\",\"string\"],\"execution_role_arn\":\"string\","
    "\"task_role_arn\":\"string\","
    "\"health_check\":[\"object\",{\"command\":[\"list\",\"string\"],\"interval\":\"number\","
    "\"timeout\":\"number\",\"retries\":\"number\",\"start_period\":\"number\"}],"
    "\"network\":[\"object\",{\"subnets\":[\"list\",\"string\"],"
    "\"security_groups\":[\"list\",\"string\"],\"assign_public_ip\":\"bool\"}],"
    "\"load_balancer\":[\"object\",{\"listener_arn\":\"string\",\"vpc_id\":\"string\","
    "\"priority\":\"number\",\"host_headers\":[\"list\",\"string\"],"
    "\"path_patterns\":[\"list\",\"string\"],"
    "\"health_check\":[\"object\",{\"path\":\"string\",\"matcher\":\"string\","
    "\"interval\":\"number\",\"timeout\":\"number\",\"healthy_threshold\":\"number\","
    "\"unhealthy_threshold\":\"number\"}],"
    "\"stickiness_duration\":\"number\",\"deregistration_delay\":\"number\"}],"
    "\"deployment\":[\"object\",{\"minimum_healthy_percent\":\"number\","
    "\"maximum_percent\":\"number\",\"rollback\":\"bool\","
    "\"health_check_grace_period\":\"number\",\"wait_for_steady_state\":\"bool\"}],"
    "\"capacity\":[\"object\",{\"fargate_base\":\"number\",\"fargate_weight\":\"number\","
    "\"spot_weight\":\"number\"}],"
    "\"autoscaling\":[\"object\",{\"min_capacity\":\"number\",\"max_capacity\":\"number\","
    "\"cpu_target\":\"number\",\"memory_target\":\"number\","
    "\"requests_per_target\":\"number\",\"scale_in_cooldown\":\"number\","
    "\"scale_out_cooldown\":\"number\","
    "\"schedule\":[\"set\",[\"object\",{\"name\":\"string\",\"schedule\":\"string\","
    "\"timezone\":\"string\",\"min_capacity\":\"number\",\"max_capacity\":\"number\"}]],"
    "\"schedules\":[\"map\",[\"object\",{\"schedule\":\"string\",\"timezone\":\"string\","
    "\"min_capacity\":\"number\",\"max_capacity\":\"number\"}]]}],"
    "\"logs\":[\"object\",{\"retention_days\":\"number\",\"retain_on_destroy\":\"bool\"}],"
    "\"enable_execute_command\":\"bool\",\"tags\":[\"map\",\"string\"],"
    "\"acknowledge\":[\"map\",\"string\"],"
    "\"timeouts\":[\"object\",{\"create\":\"string\",\"update\":\"string\","
    "\"delete\":\"string\"}]}]";

#define SECRET_ARN                                                                                 \
	"arn:aws:secretsmanager:us-east-1:123456789012:secret:talentbase-prod/web/"                \
	"session-secret-AbCdEf:SESSION_SECRET::"

/* The specification's example service: passes every rule in production. */
static const char base_json[] =
    "{\"name\":\"talentbase-web-prod\",\"cluster\":\"talentbase-prod\",\"role\":\"web\","
    "\"image\":\"123456789012.dkr.ecr.us-east-1.amazonaws.com/talentbase/web\","
    "\"image_tag\":\"sha-3f9c2e1\",\"cpu\":1024,\"memory\":2048,\"port\":3000,"
    "\"desired_count\":null,"
    "\"environment\":{\"NODE_ENV\":\"production\",\"PORT\":\"3000\"},"
    "\"secrets\":{\"SESSION_SECRET\":\"" SECRET_ARN "\"},"
    "\"execution_role_arn\":\"arn:aws:iam::123456789012:role/execution\","
    "\"task_role_arn\":\"arn:aws:iam::123456789012:role/task\","
    "\"health_check\":{\"command\":[\"CMD-SHELL\",\"curl -f http://localhost:3000/ || exit "
    "1\"],\"interval\":30,\"timeout\":10,\"retries\":3,\"start_period\":180},"
    "\"network\":{\"subnets\":[\"subnet-1\",\"subnet-2\"],\"security_groups\":[\"sg-1\"],"
    "\"assign_public_ip\":false},"
    "\"load_balancer\":{\"listener_arn\":\"arn:aws:elasticloadbalancing:us-east-1:"
    "123456789012:listener/app/alb/1/2\",\"vpc_id\":null,\"priority\":100,"
    "\"host_headers\":[\"app.example.com\"],\"path_patterns\":[\"/*\"],"
    "\"health_check\":{\"path\":\"/\",\"matcher\":\"200-399\",\"interval\":30,\"timeout\":10,"
    "\"healthy_threshold\":2,\"unhealthy_threshold\":3},\"stickiness_duration\":86400,"
    "\"deregistration_delay\":30},"
    "\"deployment\":{\"minimum_healthy_percent\":100,\"maximum_percent\":200,\"rollback\":true,"
    "\"health_check_grace_period\":180,\"wait_for_steady_state\":true},"
    "\"capacity\":{\"fargate_base\":2,\"fargate_weight\":60,\"spot_weight\":40},"
    "\"autoscaling\":{\"min_capacity\":2,\"max_capacity\":10,\"cpu_target\":70,"
    "\"memory_target\":80,\"requests_per_target\":1000,\"scale_in_cooldown\":300,"
    "\"scale_out_cooldown\":60,\"schedule\":["
    "{\"name\":\"business-hours\",\"schedule\":\"cron(0 8 ? * MON-FRI *)\","
    "\"timezone\":\"America/Sao_Paulo\",\"min_capacity\":2,\"max_capacity\":10},"
    "{\"name\":\"after-hours\",\"schedule\":\"cron(0 18 ? * MON-FRI *)\","
    "\"timezone\":\"America/Sao_Paulo\",\"min_capacity\":1,\"max_capacity\":4}],"
    "\"schedules\":null},"
    "\"logs\":{\"retention_days\":30,\"retain_on_destroy\":true},"
    "\"enable_execute_command\":true,\"tags\":{\"Service\":\"web\"},\"acknowledge\":{},"
    "\"timeouts\":{\"create\":\"20m\",\"update\":\"20m\",\"delete\":\"20m\"}}";

#define UNKNOWN       "?"
#define MAX_MUTATIONS 3

/* Sets the attribute at a dotted path to a JSON value (UNKNOWN: unknown). */
struct mutation {
	const char *path;
	const char *json;
};

/* The command of the CLI that started the provider, as a case names it. */
enum cmd {
	CMD_PLAN = 0, /* plan or apply */
	CMD_VALIDATE,
	CMD_DESTROY,
	CMD_UNKNOWN, /* not started by a CLI the provider recognises */
};

static const enum tb_cli_command cmd_cli[] = {
    [CMD_PLAN] = TB_CLI_CHANGE,
    [CMD_VALIDATE] = TB_CLI_VALIDATE,
    [CMD_DESTROY] = TB_CLI_DESTROY,
    [CMD_UNKNOWN] = TB_CLI_UNKNOWN,
};

struct rule_case {
	const char *name;
	struct mutation m[MAX_MUTATIONS];
	const char *env;           /* NULL: production */
	enum tb_rules_phase phase; /* 0: plan */
	enum cmd cmd;
	bool strict;
	const char *id;       /* the rule */
	enum tb_severity sev; /* 0: the rule must report nothing */
	const char *path;     /* expected attribute path */
	const char *detail;   /* NULL, or a piece of the expected finding's detail */
};

struct fixture {
	struct tb_arena *a;
	const struct tb_type *type;
	const struct tb_value *base;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->a = tb_arena_new();
	assert_non_null(f->a);
	assert_int_equal(
	    tb_type_from_json(f->a, service_type_json, strlen(service_type_json), &f->type), 0);
	assert_int_equal(tb_json_decode(f->a, f->type, base_json, strlen(base_json), &f->base), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tb_arena_free(f->a);
	free(f);
	return 0;
}

static const struct tb_value *get_dotted(const struct tb_value *v, const char *path)
{
	char head[64];
	const char *dot = strchr(path, '.');
	size_t n = dot ? (size_t)(dot - path) : strlen(path);

	assert_true(n < sizeof(head));
	memcpy(head, path, n);
	head[n] = '\0';
	v = tb_attr(v, head);
	assert_non_null(v);
	return dot ? get_dotted(v, dot + 1) : v;
}

static const struct tb_value *set_dotted(struct tb_arena *a, const struct tb_value *obj,
                                         const char *path, const struct tb_value *v)
{
	char head[64];
	const char *dot = strchr(path, '.');
	size_t n = dot ? (size_t)(dot - path) : strlen(path);
	const struct tb_value *out;

	memcpy(head, path, n);
	head[n] = '\0';
	if (dot != NULL)
		v = set_dotted(a, tb_attr(obj, head), dot + 1, v);
	out = tb_object_with(a, obj, head, v);
	assert_non_null(out);
	return out;
}

static const struct tb_value *mutate(struct tb_arena *a, const struct tb_value *v,
                                     const struct mutation *m)
{
	const struct tb_type *t = get_dotted(v, m->path)->type;
	const struct tb_value *x;

	if (strcmp(m->json, UNKNOWN) == 0) {
		x = tb_unknown(a, t);
	} else {
		int err = tb_json_decode(a, t, m->json, strlen(m->json), &x);

		if (err != 0)
			fail_msg("cannot decode %s for %s", m->json, m->path);
	}
	return set_dotted(a, v, m->path, x);
}

static const struct tb_value *apply_all(struct tb_arena *a, const struct tb_value *v,
                                        const struct mutation *m, size_t n)
{
	for (size_t i = 0; i < n && m[i].path != NULL; i++)
		v = mutate(a, v, &m[i]);
	return v;
}

static void run_as(struct fixture *f, const struct tb_value *v, const char *environment,
                   enum tb_rules_phase phase, enum cmd cmd, bool strict, struct tb_diags *d)
{
	struct tb_rules_env env = {
	    .phase = phase ? phase : TB_RULES_PLAN,
	    .cli = cmd_cli[cmd],
	    .environment = phase == TB_RULES_VALIDATE ? NULL
	                   : environment              ? environment
	                                              : "production",
	    .strict = strict,
	    .partition = phase == TB_RULES_VALIDATE ? NULL : "aws",
	    .region = phase == TB_RULES_VALIDATE ? NULL : "us-east-1",
	};

	tb_diags_init(d, f->a);
	tb_rules_check(d, &env, "talentbase_service", v);
}

/* A run under `plan` (or `apply`). */
static void run(struct fixture *f, const struct tb_value *v, const char *environment,
                enum tb_rules_phase phase, bool strict, struct tb_diags *d)
{
	run_as(f, v, environment, phase, CMD_PLAN, strict, d);
}

static bool has_id(const struct tb_diag *g, const char *id)
{
	size_t n = strlen(id);

	return strncmp(g->summary, id, n) == 0 && g->summary[n] == ':';
}

static void dump(struct fixture *f, const struct tb_diags *d)
{
	for (const struct tb_diag *g = d->head; g; g = g->next)
		print_message("  %s %s at %s\n", g->severity == TB_SEV_ERROR ? "error" : "warning",
		              g->summary, tb_path_string(f->a, &g->path));
}

/* The first finding of rule id at path (NULL: anywhere) whose detail
 * contains detail (NULL: any). */
static const struct tb_diag *find_detail(struct fixture *f, const struct tb_diags *d,
                                         const char *id, const char *path, const char *detail)
{
	for (const struct tb_diag *g = d->head; g; g = g->next) {
		if (has_id(g, id) &&
		    (path == NULL || strcmp(tb_path_string(f->a, &g->path), path) == 0) &&
		    (detail == NULL || strstr(g->detail, detail) != NULL))
			return g;
	}
	return NULL;
}

static const struct tb_diag *find(struct fixture *f, const struct tb_diags *d, const char *id,
                                  const char *path)
{
	return find_detail(f, d, id, path, NULL);
}

static void check_case(struct fixture *f, const struct rule_case *c)
{
	const struct tb_value *v = apply_all(f->a, f->base, c->m, MAX_MUTATIONS);
	const struct tb_diag *g;
	struct tb_diags d;

	run_as(f, v, c->env, c->phase, c->cmd, c->strict, &d);
	g = c->sev ? find_detail(f, &d, c->id, c->path, c->detail) : find(f, &d, c->id, NULL);
	if (c->sev == 0 && g != NULL) {
		dump(f, &d);
		fail_msg("case \"%s\": %s reported, expected nothing", c->name, c->id);
	}
	if (c->sev != 0 && (g == NULL || g->severity != c->sev)) {
		dump(f, &d);
		fail_msg("case \"%s\": expected %s %s at %s%s%s", c->name, c->id,
		         c->sev == TB_SEV_ERROR ? "error" : "warning", c->path,
		         c->detail ? " saying " : "", c->detail ? c->detail : "");
	}
	if (g != NULL) {
		assert_non_null(strstr(g->detail, "See docs/guides/rules.md#tb"));
		assert_non_null(strstr(g->detail, "Why: "));
		assert_non_null(strstr(g->detail, "Instead: "));
	}
}

#define E     TB_SEV_ERROR
#define W     TB_SEV_WARNING
#define PASS  0
#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const struct rule_case cases[] = {
    /* TB001 */
    {"tag latest", {{"image_tag", "\"latest\""}}, .id = "TB001", .sev = E, .path = "image_tag"},
    {"tag LATEST", {{"image_tag", "\"LATEST\""}}, .id = "TB001", .sev = E, .path = "image_tag"},
    {"tag null", {{"image_tag", "null"}}, .id = "TB001", .sev = E, .path = "image_tag"},
    {"tag empty", {{"image_tag", "\"\""}}, .id = "TB001", .sev = E, .path = "image_tag"},
    {"tag main", {{"image_tag", "\"main\""}}, .id = "TB001", .sev = W, .path = "image_tag"},
    {"tag Nightly", {{"image_tag", "\"Nightly\""}}, .id = "TB001", .sev = W, .path = "image_tag"},
    {"bad digest", {{"image_tag", "\"sha256:abc\""}}, .id = "TB001", .sev = E, .path = "image_tag"},
    {"digest", {{"image_tag", "\"sha256:" HEX64 "\""}}, .id = "TB001", .sev = PASS},
    {"semver tag", {{"image_tag", "\"v1.2.3\""}}, .id = "TB001", .sev = PASS},
    {"unknown tag", {{"image_tag", UNKNOWN}}, .id = "TB001", .sev = PASS},
    /* TB002 */
    {"password name",
     {{"environment", "{\"DB_PASSWORD\":\"x\"}"}},
     .id = "TB002",
     .sev = E,
     .path = "environment[\"DB_PASSWORD\"]"},
    {"lower-case name",
     {{"environment", "{\"stripe_api_key\":\"x\"}"}},
     .id = "TB002",
     .sev = E,
     .path = "environment[\"stripe_api_key\"]"},
    {"secret name, null value",
     {{"environment", "{\"SESSION_SECRET\":null}"}},
     .id = "TB002",
     .sev = E,
     .path = "environment[\"SESSION_SECRET\"]"},
    {"access key value",
     {{"environment", "{\"AWS_KEY\":\"AKIAIOSFODNN7EXAMPLE\"}"}},
     .id = "TB002",
     .sev = E,
     .path = "environment[\"AWS_KEY\"]"},
    {"stripe value",
     {{"environment", "{\"STRIPE\":\"sk_live_51Habc\"}"}},
     .id = "TB002",
     .sev = E,
     .path = "environment[\"STRIPE\"]"},
    {"url with password",
     {{"environment", "{\"DATABASE_URL\":\"postgresql://u:p@db:5432/x\"}"}},
     .id = "TB002",
     .sev = E,
     .path = "environment[\"DATABASE_URL\"]"},
    {"pem",
     {{"environment", "{\"CERT\":\"-----BEGIN RSA PRIVATE KEY-----\\nMII\"}"}},
     .id = "TB002",
     .sev = E,
     .path = "environment[\"CERT\"]"},
    {"plain env",
     {{"environment", "{\"NODE_ENV\":\"production\",\"SECRET_ARN\":\"arn:x\"}"}},
     .id = "TB002",
     .sev = PASS},
    {"unknown env", {{"environment", UNKNOWN}}, .id = "TB002", .sev = PASS},
    /* TB003 */
    {"memory 3000", {{"memory", "3000"}}, .id = "TB003", .sev = E, .path = "memory"},
    {"cpu 300", {{"cpu", "300"}}, .id = "TB003", .sev = E, .path = "cpu"},
    {"cpu 4096 memory 30720", {{"cpu", "4096"}, {"memory", "30720"}}, .id = "TB003", .sev = PASS},
    {"cpu 256 memory 512", {{"cpu", "256"}, {"memory", "512"}}, .id = "TB003", .sev = PASS},
    {"cpu 256 memory 1536",
     {{"cpu", "256"}, {"memory", "1536"}},
     .id = "TB003",
     .sev = E,
     .path = "memory"},
    {"unknown memory", {{"memory", UNKNOWN}}, .id = "TB003", .sev = PASS},
    /* TB004 */
    {"interval 3",
     {{"health_check.interval", "3"}},
     .id = "TB004",
     .sev = E,
     .path = "health_check.interval"},
    {"retries 11",
     {{"health_check.retries", "11"}},
     .id = "TB004",
     .sev = E,
     .path = "health_check.retries"},
    {"timeout = interval",
     {{"health_check.timeout", "30"}},
     .id = "TB004",
     .sev = E,
     .path = "health_check.timeout"},
    {"bad command",
     {{"health_check.command", "[\"curl\",\"-f\"]"}},
     .id = "TB004",
     .sev = E,
     .path = "health_check.command[0]"},
    {"container check ok", {{"health_check.interval", "60"}}, .id = "TB004", .sev = PASS},
    /* TB005 */
    {"web start 60",
     {{"health_check.start_period", "60"}},
     .id = "TB005",
     .sev = W,
     .path = "health_check.start_period"},
    {"api start 100",
     {{"role", "\"api\""}, {"health_check.start_period", "100"}},
     .id = "TB005",
     .sev = W,
     .path = "health_check.start_period"},
    {"api start 120",
     {{"role", "\"api\""}, {"health_check.start_period", "120"}},
     .id = "TB005",
     .sev = PASS},
    {"worker start 0",
     {{"role", "\"worker\""}, {"health_check.start_period", "0"}},
     .id = "TB005",
     .sev = PASS},
    /* TB006 */
    {"grace < start",
     {{"health_check.start_period", "240"}},
     .id = "TB006",
     .sev = E,
     .path = "deployment.health_check_grace_period"},
    {"grace < start, no lb",
     {{"health_check.start_period", "240"}, {"load_balancer", "null"}},
     .id = "TB006",
     .sev = PASS},
    {"grace > start",
     {{"deployment.health_check_grace_period", "300"}},
     .id = "TB006",
     .sev = PASS},
    /* TB007 */
    {"rollback false",
     {{"deployment.rollback", "false"}},
     .id = "TB007",
     .sev = E,
     .path = "deployment.rollback"},
    {"rollback null", {{"deployment.rollback", "null"}}, .id = "TB007", .sev = PASS},
    {"deployment null", {{"deployment", "null"}}, .id = "TB007", .sev = PASS},
    /* TB008 */
    {"max 150",
     {{"deployment.maximum_percent", "150"}},
     .id = "TB008",
     .sev = E,
     .path = "deployment.maximum_percent"},
    {"1 task, 50/200",
     {{"autoscaling", "null"},
      {"desired_count", "1"},
      {"deployment.minimum_healthy_percent", "50"}},
     .env = "development",
     .id = "TB008",
     .sev = PASS},
    {"1 task, 50/150 stalls",
     {{"autoscaling", "null"}, {"desired_count", "1"}, {"deployment.maximum_percent", "150"}},
     .id = "TB008",
     .sev = E,
     .path = "deployment.maximum_percent"},
    {"min 0",
     {{"deployment.minimum_healthy_percent", "0"}},
     .id = "TB008",
     .sev = W,
     .path = "deployment.minimum_healthy_percent"},
    {"min 50 max 200", {{"deployment.minimum_healthy_percent", "50"}}, .id = "TB008", .sev = PASS},
    /* TB009 */
    {"scale in 60",
     {{"autoscaling.scale_in_cooldown", "60"}},
     .id = "TB009",
     .sev = W,
     .path = "autoscaling.scale_in_cooldown"},
    {"scale out 180",
     {{"autoscaling.scale_out_cooldown", "180"}},
     .id = "TB009",
     .sev = W,
     .path = "autoscaling.scale_out_cooldown"},
    {"in < out",
     {{"autoscaling.scale_in_cooldown", "300"}, {"autoscaling.scale_out_cooldown", "400"}},
     .id = "TB009",
     .sev = W,
     .path = "autoscaling.scale_in_cooldown"},
    {"cooldowns ok", {{"autoscaling.scale_in_cooldown", "600"}}, .id = "TB009", .sev = PASS},
    /* TB010 */
    {"min > max",
     {{"autoscaling.min_capacity", "5"}, {"autoscaling.max_capacity", "3"}},
     .id = "TB010",
     .sev = E,
     .path = "autoscaling.min_capacity"},
    {"min 0",
     {{"autoscaling.min_capacity", "0"}},
     .id = "TB010",
     .sev = E,
     .path = "autoscaling.min_capacity"},
    {"cpu target 99",
     {{"autoscaling.cpu_target", "99"}},
     .id = "TB010",
     .sev = E,
     .path = "autoscaling.cpu_target"},
    {"memory target 5",
     {{"autoscaling.memory_target", "5"}},
     .id = "TB010",
     .sev = E,
     .path = "autoscaling.memory_target"},
    {"min 1 production",
     {{"autoscaling.min_capacity", "1"}},
     .id = "TB010",
     .sev = E,
     .path = "autoscaling.min_capacity"},
    {"min 1 staging",
     {{"autoscaling.min_capacity", "1"}},
     .env = "staging",
     .id = "TB010",
     .sev = W,
     .path = "autoscaling.min_capacity"},
    {"min 1 development",
     {{"autoscaling.min_capacity", "1"}},
     .env = "development",
     .id = "TB010",
     .sev = W,
     .path = "autoscaling.min_capacity"},
    {"desired 1 production",
     {{"autoscaling", "null"}, {"desired_count", "1"}},
     .id = "TB010",
     .sev = E,
     .path = "desired_count"},
    {"desired 2 production",
     {{"autoscaling", "null"}, {"desired_count", "2"}},
     .id = "TB010",
     .sev = PASS},
    {"bounds ok", {{"autoscaling.max_capacity", "20"}}, .id = "TB010", .sev = PASS},
    {"cpu target 0 is off", {{"autoscaling.cpu_target", "0"}}, .id = "TB010", .sev = PASS},
    /* TB011 */
    {"no memory target",
     {{"autoscaling.memory_target", "null"}},
     .id = "TB011",
     .sev = W,
     .path = "autoscaling.memory_target"},
    {"no cpu target",
     {{"autoscaling.cpu_target", "null"}},
     .id = "TB011",
     .sev = W,
     .path = "autoscaling.cpu_target"},
    {"memory target 0",
     {{"autoscaling.memory_target", "0"}},
     .id = "TB011",
     .sev = W,
     .path = "autoscaling.memory_target"},
    {"unknown memory target", {{"autoscaling.memory_target", UNKNOWN}}, .id = "TB011", .sev = PASS},
    {"dual metric", {{"autoscaling.memory_target", "75"}}, .id = "TB011", .sev = PASS},
    /* TB012 */
    {"retention 10",
     {{"logs.retention_days", "10"}},
     .env = "development",
     .id = "TB012",
     .sev = E,
     .path = "logs.retention_days"},
    {"retention 14 production",
     {{"logs.retention_days", "14"}},
     .id = "TB012",
     .sev = E,
     .path = "logs.retention_days"},
    {"retention 5 staging",
     {{"logs.retention_days", "5"}},
     .env = "staging",
     .id = "TB012",
     .sev = W,
     .path = "logs.retention_days"},
    {"retention 3 development",
     {{"logs.retention_days", "3"}},
     .env = "development",
     .id = "TB012",
     .sev = W,
     .path = "logs.retention_days"},
    {"retention 7 development",
     {{"logs.retention_days", "7"}},
     .env = "development",
     .id = "TB012",
     .sev = PASS},
    {"retention 90 production", {{"logs.retention_days", "90"}}, .id = "TB012", .sev = PASS},
    /* TB013 */
    {"spot heavy production",
     {{"capacity", "{\"fargate_base\":2,\"fargate_weight\":20,\"spot_weight\":80}"}},
     .id = "TB013",
     .sev = W,
     .path = "capacity.spot_weight"},
    {"no base production",
     {{"capacity.fargate_base", "0"}},
     .id = "TB013",
     .sev = W,
     .path = "capacity.fargate_base"},
    {"spot heavy development",
     {{"capacity", "{\"fargate_base\":0,\"fargate_weight\":20,\"spot_weight\":80}"}},
     .env = "development",
     .id = "TB013",
     .sev = PASS},
    {"no capacity", {{"capacity", "null"}}, .id = "TB013", .sev = PASS},
    /* TB014 */
    {"matcher 200-600",
     {{"load_balancer.health_check.matcher", "\"200-600\""}},
     .id = "TB014",
     .sev = E,
     .path = "load_balancer.health_check.matcher"},
    {"matcher ok",
     {{"load_balancer.health_check.matcher", "\"200,302\""}},
     .id = "TB014",
     .sev = PASS},
    {"path without /",
     {{"load_balancer.health_check.path", "\"health\""}},
     .id = "TB014",
     .sev = E,
     .path = "load_balancer.health_check.path"},
    {"tg interval 400",
     {{"load_balancer.health_check.interval", "400"}},
     .id = "TB014",
     .sev = E,
     .path = "load_balancer.health_check.interval"},
    {"tg threshold 1",
     {{"load_balancer.health_check.healthy_threshold", "1"}},
     .id = "TB014",
     .sev = E,
     .path = "load_balancer.health_check.healthy_threshold"},
    {"tg timeout >= interval",
     {{"load_balancer.health_check.timeout", "30"}},
     .id = "TB014",
     .sev = E,
     .path = "load_balancer.health_check.timeout"},
    /* TB015 */
    {"delay 300",
     {{"load_balancer.deregistration_delay", "300"}},
     .id = "TB015",
     .sev = W,
     .path = "load_balancer.deregistration_delay"},
    {"delay 4000",
     {{"load_balancer.deregistration_delay", "4000"}},
     .id = "TB015",
     .sev = E,
     .path = "load_balancer.deregistration_delay"},
    {"delay 60", {{"load_balancer.deregistration_delay", "60"}}, .id = "TB015", .sev = PASS},
    /* TB016: the schedule blocks are a set, so every finding is on the set
     * and names its schedule. */
    {"cron without ?",
     {{"autoscaling.schedule", "[{\"name\":\"a\",\"schedule\":\"cron(0 8 * * MON-FRI *)\","
                               "\"timezone\":null,\"min_capacity\":1,\"max_capacity\":2}]"}},
     .id = "TB016",
     .sev = E,
     .path = "autoscaling.schedule",
     .detail = "schedule \"a\": schedule = \"cron(0 8 * * MON-FRI *)\" is not valid: "},
    {"bad timezone",
     {{"autoscaling.schedule", "[{\"name\":\"a\",\"schedule\":\"rate(1 day)\",\"timezone\":"
                               "\"UTC\",\"min_capacity\":1,\"max_capacity\":2},{\"name\":"
                               "\"after-hours\",\"schedule\":\"rate(2 hours)\",\"timezone\":"
                               "\"Mars/Olympus\",\"min_capacity\":1,\"max_capacity\":2}]"}},
     .id = "TB016",
     .sev = E,
     .path = "autoscaling.schedule",
     .detail = "schedule \"after-hours\": timezone \"Mars/Olympus\" is not an IANA time zone"},
    {"duplicate names",
     {{"autoscaling.schedule", "[{\"name\":\"a\",\"schedule\":\"at(2026-03-01T08:00:00)\","
                               "\"timezone\":null,\"min_capacity\":1,\"max_capacity\":2},"
                               "{\"name\":\"a\",\"schedule\":\"cron(0 18 L * ? *)\","
                               "\"timezone\":null,\"min_capacity\":1,\"max_capacity\":2}]"}},
     .id = "TB016",
     .sev = E,
     .path = "autoscaling.schedule",
     .detail = "schedule \"a\": 2 schedule blocks have this name"},
    {"invalid name",
     {{"autoscaling.schedule", "[{\"name\":\"nights/weekends\",\"schedule\":"
                               "\"rate(1 day)\",\"timezone\":null,\"min_capacity\":1,"
                               "\"max_capacity\":2}]"}},
     .id = "TB016",
     .sev = E,
     .path = "autoscaling.schedule",
     .detail = "schedule \"nights/weekends\": the name must be 1 to 256 characters"},
    {"schedule min > max",
     {{"autoscaling.schedule", "[{\"name\":\"a\",\"schedule\":\"cron(0/15 * ? * 6#3 *)\","
                               "\"timezone\":\"Europe/Berlin\",\"min_capacity\":5,"
                               "\"max_capacity\":2}]"}},
     .id = "TB016",
     .sev = E,
     .path = "autoscaling.schedule",
     .detail = "schedule \"a\": min_capacity = 5 is above max_capacity = 2."},
    {"schedules ok",
     {{"autoscaling.schedule", "[{\"name\":\"a\",\"schedule\":\"cron(0/15 * ? * 6#3 *)\","
                               "\"timezone\":\"Europe/Berlin\",\"min_capacity\":1,"
                               "\"max_capacity\":2},{\"name\":\"b\",\"schedule\":"
                               "\"rate(1 minute)\",\"timezone\":\"Etc/GMT+9\","
                               "\"min_capacity\":1,\"max_capacity\":2}]"}},
     .id = "TB016",
     .sev = PASS},
    /* TB016, the schedules map: each finding is on its own entry. */
    {"map: cron without ?",
     {{"autoscaling.schedule", "[]"},
      {"autoscaling.schedules", "{\"business-hours\":{\"schedule\":\"cron(0 8 * * MON-FRI *)\","
                                "\"timezone\":null,\"min_capacity\":1,\"max_capacity\":2}}"}},
     .id = "TB016",
     .sev = E,
     .path = "autoscaling.schedules[\"business-hours\"]",
     .detail = "schedule \"business-hours\": schedule = \"cron(0 8 * * MON-FRI *)\" is not"},
    {"map: bad timezone",
     {{"autoscaling.schedules", "{\"after-hours\":{\"schedule\":\"rate(2 hours)\","
                                "\"timezone\":\"Mars/Olympus\",\"min_capacity\":null,"
                                "\"max_capacity\":null}}"}},
     .id = "TB016",
     .sev = E,
     .path = "autoscaling.schedules[\"after-hours\"]",
     .detail = "schedule \"after-hours\": timezone \"Mars/Olympus\""},
    {"map: invalid name",
     {{"autoscaling.schedules", "{\"nights/weekends\":{\"schedule\":\"rate(1 day)\","
                                "\"timezone\":null,\"min_capacity\":null,\"max_capacity\":null}}"}},
     .id = "TB016",
     .sev = E,
     .path = "autoscaling.schedules[\"nights/weekends\"]"},
    {"map: ok",
     {{"autoscaling.schedule", "[]"},
      {"autoscaling.schedules", "{\"a\":{\"schedule\":\"rate(1 day)\",\"timezone\":"
                                "\"Europe/Berlin\",\"min_capacity\":1,\"max_capacity\":2}}"}},
     .id = "TB016",
     .sev = PASS},
    /* TB017 */
    {"public ip",
     {{"network.assign_public_ip", "true"}},
     .id = "TB017",
     .sev = E,
     .path = "network.assign_public_ip"},
    {"no network", {{"network", "null"}}, .id = "TB017", .sev = PASS},
    /* TB018 */
    {"same roles",
     {{"task_role_arn", "\"arn:aws:iam::123456789012:role/execution\""}},
     .id = "TB018",
     .sev = E,
     .path = "task_role_arn"},
    {"no task role", {{"task_role_arn", "null"}}, .id = "TB018", .sev = PASS},
    /* TB019 */
    {"secret not an arn",
     {{"secrets", "{\"SESSION_SECRET\":\"hunter2\"}"}},
     .id = "TB019",
     .sev = E,
     .path = "secrets[\"SESSION_SECRET\"]"},
    {"secret other region",
     {{"secrets", "{\"X\":\"arn:aws:secretsmanager:us-west-2:123456789012:secret:x-AbCdEf\"}"}},
     .id = "TB019",
     .sev = E,
     .path = "secrets[\"X\"]"},
    {"secret other region at validate",
     {{"secrets", "{\"X\":\"arn:aws:secretsmanager:us-west-2:123456789012:secret:x-AbCdEf\"}"}},
     .phase = TB_RULES_VALIDATE,
     .id = "TB019",
     .sev = PASS},
    {"secret bad suffix",
     {{"secrets", "{\"X\":\"arn:aws:secretsmanager:us-east-1:123456789012:secret:x:key\"}"}},
     .id = "TB019",
     .sev = E,
     .path = "secrets[\"X\"]"},
    {"ssm arn",
     {{"secrets", "{\"X\":\"arn:aws:ssm:us-east-1:123456789012:parameter/talentbase/x\"}"}},
     .id = "TB019",
     .sev = PASS},
    {"null secret",
     {{"secrets", "{\"X\":null}"}},
     .id = "TB019",
     .sev = E,
     .path = "secrets[\"X\"]"},
    /* TB020 */
    {"requests without lb",
     {{"load_balancer", "null"}},
     .id = "TB020",
     .sev = W,
     .path = "autoscaling.requests_per_target"},
    {"desired with autoscaling",
     {{"desired_count", "2"}},
     .id = "TB020",
     .sev = W,
     .path = "desired_count"},
    {"no lb, no requests",
     {{"load_balancer", "null"}, {"autoscaling.requests_per_target", "null"}},
     .id = "TB020",
     .sev = PASS},
    {"unknown lb", {{"load_balancer", UNKNOWN}}, .id = "TB020", .sev = PASS},
    /* validate walk of a plan: environment-independent shape errors only; the
     * practice findings wait for PlanResourceChange */
    {"validate: latest waits for the plan",
     {{"image_tag", "\"latest\""}},
     .phase = TB_RULES_VALIDATE,
     .id = "TB001",
     .sev = PASS},
    {"validate: bad digest",
     {{"image_tag", "\"sha256:abc\""}},
     .phase = TB_RULES_VALIDATE,
     .id = "TB001",
     .sev = E,
     .path = "image_tag"},
    {"validate: warning skipped",
     {{"image_tag", "\"main\""}},
     .phase = TB_RULES_VALIDATE,
     .id = "TB001",
     .sev = PASS},
    {"validate: env-dependent skipped",
     {{"autoscaling.min_capacity", "1"}},
     .phase = TB_RULES_VALIDATE,
     .id = "TB010",
     .sev = PASS},
    {"validate: production-only skipped",
     {{"capacity.fargate_base", "0"}},
     .phase = TB_RULES_VALIDATE,
     .id = "TB013",
     .sev = PASS},
    {"validate: env-independent part of TB012",
     {{"logs.retention_days", "10"}},
     .phase = TB_RULES_VALIDATE,
     .id = "TB012",
     .sev = E,
     .path = "logs.retention_days"},
    {"validate: env-dependent part of TB012",
     {{"logs.retention_days", "7"}},
     .phase = TB_RULES_VALIDATE,
     .id = "TB012",
     .sev = PASS},
    /* the split levels: each finding of its own kind */
    {"bad digest, destroying",
     {{"image_tag", "\"sha256:abc\""}},
     .cmd = CMD_DESTROY,
     .id = "TB001",
     .sev = E,
     .path = "image_tag"},
    {"timeout = interval, destroying",
     {{"health_check.timeout", "30"}},
     .cmd = CMD_DESTROY,
     .id = "TB004",
     .sev = PASS},
    {"interval 3, destroying",
     {{"health_check.interval", "3"}},
     .cmd = CMD_DESTROY,
     .id = "TB004",
     .sev = E,
     .path = "health_check.interval"},
    {"max 150, destroying",
     {{"deployment.maximum_percent", "150"}},
     .cmd = CMD_DESTROY,
     .id = "TB008",
     .sev = PASS},
    {"1 task, 50/150 stalls, destroying",
     {{"autoscaling", "null"}, {"desired_count", "1"}, {"deployment.maximum_percent", "150"}},
     .cmd = CMD_DESTROY,
     .id = "TB008",
     .sev = E,
     .path = "deployment.maximum_percent",
     .detail = "the rollout stalls"},
    {"1 task, 100/150 stalls: one finding",
     {{"autoscaling", "null"}, {"desired_count", "1"}, {"deployment.maximum_percent", "150"}},
     .id = "TB008",
     .sev = E,
     .path = "deployment.maximum_percent",
     .detail = "ECS can neither stop an old task nor start a new one"},
    {"min > max, destroying",
     {{"autoscaling.min_capacity", "5"}, {"autoscaling.max_capacity", "3"}},
     .cmd = CMD_DESTROY,
     .id = "TB010",
     .sev = E,
     .path = "autoscaling.min_capacity",
     .detail = "is above max_capacity"},
    {"min 0, destroying",
     {{"autoscaling.min_capacity", "0"}},
     .cmd = CMD_DESTROY,
     .id = "TB010",
     .sev = PASS},
    {"cpu target 99, destroying",
     {{"autoscaling.cpu_target", "99"}},
     .cmd = CMD_DESTROY,
     .id = "TB010",
     .sev = PASS},
    {"retention 10, destroying",
     {{"logs.retention_days", "10"}},
     .cmd = CMD_DESTROY,
     .id = "TB012",
     .sev = E,
     .path = "logs.retention_days"},
    {"retention 14 production, destroying",
     {{"logs.retention_days", "14"}},
     .cmd = CMD_DESTROY,
     .id = "TB012",
     .sev = PASS},
    {"delay 4000, destroying",
     {{"load_balancer.deregistration_delay", "4000"}},
     .cmd = CMD_DESTROY,
     .id = "TB015",
     .sev = E,
     .path = "load_balancer.deregistration_delay"},
    {"secret other region, destroying",
     {{"secrets", "{\"X\":\"arn:aws:secretsmanager:us-west-2:123456789012:secret:x-AbCdEf\"}"}},
     .cmd = CMD_DESTROY,
     .id = "TB019",
     .sev = PASS},
    {"secret other partition, destroying",
     {{"secrets", "{\"X\":\"arn:aws-cn:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf\"}"}},
     .cmd = CMD_DESTROY,
     .id = "TB019",
     .sev = E,
     .path = "secrets[\"X\"]",
     .detail = "partition"},
    {"secret not an arn, destroying",
     {{"secrets", "{\"SESSION_SECRET\":\"hunter2\"}"}},
     .cmd = CMD_DESTROY,
     .id = "TB019",
     .sev = E,
     .path = "secrets[\"SESSION_SECRET\"]"},
    /* practice findings never while destroying, at plan or validate */
    {"latest, destroying",
     {{"image_tag", "\"latest\""}},
     .cmd = CMD_DESTROY,
     .id = "TB001",
     .sev = PASS},
    {"password name, destroying",
     {{"environment", "{\"DB_PASSWORD\":\"x\"}"}},
     .cmd = CMD_DESTROY,
     .id = "TB002",
     .sev = PASS},
    {"spot heavy production strict, destroying",
     {{"capacity", "{\"fargate_base\":2,\"fargate_weight\":20,\"spot_weight\":80}"}},
     .cmd = CMD_DESTROY,
     .strict = true,
     .id = "TB013",
     .sev = PASS},
    {"latest at validate, destroying",
     {{"image_tag", "\"latest\""}},
     .phase = TB_RULES_VALIDATE,
     .cmd = CMD_DESTROY,
     .id = "TB001",
     .sev = PASS},
    {"memory 3000, destroying",
     {{"memory", "3000"}},
     .cmd = CMD_DESTROY,
     .id = "TB003",
     .sev = E,
     .path = "memory"},
    {"memory 3000 at validate, destroying",
     {{"memory", "3000"}},
     .phase = TB_RULES_VALIDATE,
     .cmd = CMD_DESTROY,
     .id = "TB003",
     .sev = E,
     .path = "memory"},
    /* the command cannot be told: practice findings at plan only */
    {"latest at validate, unknown command",
     {{"image_tag", "\"latest\""}},
     .phase = TB_RULES_VALIDATE,
     .cmd = CMD_UNKNOWN,
     .id = "TB001",
     .sev = PASS},
    {"latest at plan, unknown command",
     {{"image_tag", "\"latest\""}},
     .cmd = CMD_UNKNOWN,
     .id = "TB001",
     .sev = E,
     .path = "image_tag"},
    {"memory 3000 at validate, unknown command",
     {{"memory", "3000"}},
     .phase = TB_RULES_VALIDATE,
     .cmd = CMD_UNKNOWN,
     .id = "TB003",
     .sev = E,
     .path = "memory"},
    /* `validate`: practice errors are warnings that say plan refuses them */
    {"latest under validate",
     {{"image_tag", "\"latest\""}},
     .phase = TB_RULES_VALIDATE,
     .cmd = CMD_VALIDATE,
     .id = "TB001",
     .sev = W,
     .path = "image_tag",
     .detail = "validate shows it as a warning, plan and apply refuse it as an error"},
    {"password name under validate",
     {{"environment", "{\"DB_PASSWORD\":\"x\"}"}},
     .phase = TB_RULES_VALIDATE,
     .cmd = CMD_VALIDATE,
     .id = "TB002",
     .sev = W,
     .path = "environment[\"DB_PASSWORD\"]",
     .detail = "It never stops a destroy."},
    {"main under validate",
     {{"image_tag", "\"main\""}},
     .phase = TB_RULES_VALIDATE,
     .cmd = CMD_VALIDATE,
     .id = "TB001",
     .sev = W,
     .path = "image_tag"},
    {"memory 3000 under validate",
     {{"memory", "3000"}},
     .phase = TB_RULES_VALIDATE,
     .cmd = CMD_VALIDATE,
     .id = "TB003",
     .sev = E,
     .path = "memory"},
    {"production-only under validate",
     {{"capacity.fargate_base", "0"}},
     .phase = TB_RULES_VALIDATE,
     .cmd = CMD_VALIDATE,
     .id = "TB013",
     .sev = PASS},
    /* strict */
    {"strict warning",
     {{"health_check.start_period", "60"}},
     .strict = true,
     .id = "TB005",
     .sev = E,
     .path = "health_check.start_period"},
    {"strict production-only",
     {{"capacity.fargate_base", "1"}},
     .strict = true,
     .id = "TB013",
     .sev = E,
     .path = "capacity.fargate_base"},
    {"strict at validate",
     {{"health_check.start_period", "60"}},
     .strict = true,
     .phase = TB_RULES_VALIDATE,
     .id = "TB005",
     .sev = PASS},
};

static void test_rules_base_is_clean(void **state)
{
	struct fixture *f = *state;
	struct tb_diags d;

	run(f, f->base, "production", TB_RULES_PLAN, true, &d);
	if (d.head != NULL)
		dump(f, &d);
	assert_null(d.head);
	assert_int_equal(d.n_errors + d.n_warnings, 0);
}

static void test_rules_cases(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(*state, &cases[i]);
}

/* Every rule has at least one failing and one passing case above. */
static void test_rules_every_rule_covered(void **state)
{
	char id[8];

	(void)state;
	for (int r = 1; r <= 20; r++) {
		bool fails = false, passes = false;

		snprintf(id, sizeof(id), "TB%03d", r);
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			if (strcmp(cases[i].id, id) != 0)
				continue;
			fails = fails || cases[i].sev != 0;
			passes = passes || cases[i].sev == 0;
		}
		if (!fails || !passes)
			fail_msg("%s lacks a %s case", id, fails ? "passing" : "failing");
	}
}

/* Every attribute unknown at once: nothing fires, whatever the values. */
static void test_rules_unknown_never_fires(void **state)
{
	struct fixture *f = *state;
	const struct tb_type *t = f->type;
	const struct tb_value *items[64];
	const struct tb_value *v;
	struct tb_diags d;

	assert_true(t->n <= 64);
	for (size_t i = 0; i < t->n; i++)
		items[i] = strcmp(t->names[i], "acknowledge") == 0 ? tb_null(f->a, t->types[i])
		                                                   : tb_unknown(f->a, t->types[i]);
	v = tb_object(f->a, t, items);
	assert_non_null(v);
	run(f, v, "production", TB_RULES_PLAN, true, &d);
	if (d.head != NULL)
		dump(f, &d);
	assert_null(d.head);
	tb_diags_init(&d, f->a);
	tb_rules_check(&d, &(struct tb_rules_env){.phase = TB_RULES_PLAN}, "talentbase_service",
	               tb_unknown(f->a, t));
	assert_null(d.head);
}

/* Each failing case again, with its mutated attributes unknown instead: the
 * rule stays silent at that path. */
static void test_rules_unknown_instead_of_finding(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mutation m[MAX_MUTATIONS] = {0};
		struct tb_diags d;

		if (cases[i].sev == 0)
			continue;
		for (size_t j = 0; j < MAX_MUTATIONS && cases[i].m[j].path; j++)
			m[j] = (struct mutation){cases[i].m[j].path, UNKNOWN};
		run_as(f, apply_all(f->a, f->base, m, MAX_MUTATIONS), cases[i].env, cases[i].phase,
		       cases[i].cmd, cases[i].strict, &d);
		if (find_detail(f, &d, cases[i].id, cases[i].path, cases[i].detail) != NULL) {
			dump(f, &d);
			fail_msg("case \"%s\" with unknown values still reports %s", cases[i].name,
			         cases[i].id);
		}
	}
}

#define SCHED(name, expr, zone)                                                                    \
	"{\"name\":\"" name "\",\"schedule\":\"" expr "\",\"timezone\":\"" zone "\","              \
	"\"min_capacity\":1,\"max_capacity\":2}"
#define SCHED_A1 SCHED("a", "rate(1 day)", "UTC")
#define SCHED_A2 SCHED("a", "rate(2 days)", "UTC")
#define SCHED_A3 SCHED("a", "rate(3 days)", "UTC")
#define SCHED_B  SCHED("b", "cron(0 8 * * MON-FRI *)", "Mars/Olympus")

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The TB016 details of a run over base with these schedules, each once,
 * sorted, joined by newlines; checks that every finding is on the set
 * itself (attribute steps only: a set element has no path). */
static char *schedule_findings(struct fixture *f, const char *schedules_json)
{
	const struct mutation m[MAX_MUTATIONS] = {{"autoscaling.schedule", schedules_json}};
	const char *details[16];
	size_t n = 0;
	struct tb_diags d;
	char *out = "";

	run(f, apply_all(f->a, f->base, m, MAX_MUTATIONS), NULL, 0, false, &d);
	for (const struct tb_diag *g = d.head; g; g = g->next) {
		if (!has_id(g, "TB016"))
			continue;
		assert_int_equal(g->path.n, 2);
		assert_int_equal(g->path.steps[0].kind, TB_STEP_ATTR);
		assert_int_equal(g->path.steps[1].kind, TB_STEP_ATTR);
		assert_string_equal(tb_path_string(f->a, &g->path), "autoscaling.schedule");
		assert_true(n < sizeof(details) / sizeof(details[0]));
		details[n++] = g->detail;
	}
	qsort(details, n, sizeof(details[0]), cmp_str);
	for (size_t i = 0; i < n; i++)
		out = tb_arena_printf(f->a, "%s%s\n", out, details[i]);
	return out;
}

/* Schedules are a set: the findings do not depend on the order of the
 * blocks, and a duplicated name is reported once, however often it is used. */
static void test_rules_schedule_set(void **state)
{
	struct fixture *f = *state;
	const char *forward = "[" SCHED_A1 "," SCHED_B "," SCHED_A2 "," SCHED_A3 "]";
	const char *backward = "[" SCHED_A3 "," SCHED_A2 "," SCHED_B "," SCHED_A1 "]";
	char *one = schedule_findings(f, forward), *other = schedule_findings(f, backward);

	assert_string_equal(one, other);
	assert_non_null(strstr(one, "schedule \"a\": 3 schedule blocks have this name"));
	assert_null(strstr(strstr(one, "have this name") + 1, "have this name"));
	assert_non_null(strstr(one, "schedule \"b\": schedule = \"cron(0 8 * * MON-FRI *)\""));
	assert_non_null(strstr(one, "schedule \"b\": timezone \"Mars/Olympus\""));
}

/* A stalled rollout (shape) is reported once, not also as the 200 % practice. */
static void test_rules_stall_reported_once(void **state)
{
	struct fixture *f = *state;
	const struct mutation m[] = {
	    {"autoscaling", "null"}, {"desired_count", "1"}, {"deployment.maximum_percent", "150"}};
	struct tb_diags d;
	int n = 0;

	run(f, apply_all(f->a, f->base, m, 3), "production", TB_RULES_PLAN, false, &d);
	for (const struct tb_diag *g = d.head; g; g = g->next)
		n += has_id(g, "TB008");
	assert_int_equal(n, 1);
}

static void test_rules_acknowledge_error(void **state)
{
	struct fixture *f = *state;
	const struct mutation m[] = {{"image_tag", "\"latest\""},
	                             {"acknowledge", "{\"TB001\":\"the sandbox tracks latest\"}"}};
	const struct tb_diag *g;
	struct tb_diags d;

	run(f, apply_all(f->a, f->base, m, 2), "production", TB_RULES_PLAN, true, &d);
	g = find(f, &d, "TB001", "image_tag");
	assert_non_null(g);
	assert_int_equal(g->severity, TB_SEV_WARNING);
	assert_non_null(strstr(g->detail, "Acknowledged: the sandbox tracks latest"));
	assert_int_equal(d.n_errors, 0);
	/* at validate, the acknowledged error is not reported (the warning comes at plan) */
	run(f, apply_all(f->a, f->base, m, 2), NULL, TB_RULES_VALIDATE, false, &d);
	assert_null(d.head);
}

static void test_rules_acknowledge_warning_suppressed(void **state)
{
	struct fixture *f = *state;
	const struct mutation m[] = {{"health_check.start_period", "60"},
	                             {"acknowledge", "{\"TB005\":\"starts in 20 s\"}"}};
	struct tb_diags d;

	run(f, apply_all(f->a, f->base, m, 2), "production", TB_RULES_PLAN, true, &d);
	assert_null(find(f, &d, "TB005", NULL));
	assert_int_equal(d.n_errors + d.n_warnings, 0);
}

static void test_rules_acknowledge_invalid(void **state)
{
	struct fixture *f = *state;
	const struct mutation m[] = {{"image_tag", "\"latest\""},
	                             {"acknowledge",
	                              "{\"TB001\":\"  \",\"TB999\":\"typo\",\"tb005\":\"lower "
	                              "case\",\"TB101\":\"a secret rule\"}"}};
	const struct tb_diag *g;
	struct tb_diags d;
	int acks = 0;

	run(f, apply_all(f->a, f->base, m, 2), NULL, TB_RULES_VALIDATE, false, &d);
	for (g = d.head; g; g = g->next) {
		const char *p = tb_path_string(f->a, &g->path);

		if (strncmp(p, "acknowledge[", 12) != 0)
			continue;
		assert_int_equal(g->severity, TB_SEV_ERROR);
		assert_true(strcmp(p, "acknowledge[\"TB001\"]") == 0 ||
		            strcmp(p, "acknowledge[\"TB999\"]") == 0 ||
		            strcmp(p, "acknowledge[\"tb005\"]") == 0 ||
		            strcmp(p, "acknowledge[\"TB101\"]") == 0);
		acks++;
	}
	assert_int_equal(acks, 4);
	/* a blank reason does not acknowledge: TB001 stays an error */
	run(f, apply_all(f->a, f->base, m, 2), NULL, TB_RULES_PLAN, false, &d);
	g = find(f, &d, "TB001", "image_tag");
	assert_non_null(g);
	assert_int_equal(g->severity, TB_SEV_ERROR);
}

static void test_rules_acknowledge_unknown(void **state)
{
	struct fixture *f = *state;
	const struct mutation m[] = {{"image_tag", "\"latest\""}, {"acknowledge", UNKNOWN}};
	struct tb_diags d;

	run(f, apply_all(f->a, f->base, m, 2), "production", TB_RULES_PLAN, false, &d);
	assert_null(find(f, &d, "TB001", NULL));
}

static void test_rules_strict(void **state)
{
	struct fixture *f = *state;
	const struct mutation m[] = {{"autoscaling.scale_in_cooldown", "60"}};
	const struct tb_diag *g;
	struct tb_diags d;

	run(f, apply_all(f->a, f->base, m, 1), "development", TB_RULES_PLAN, false, &d);
	g = find(f, &d, "TB009", "autoscaling.scale_in_cooldown");
	assert_non_null(g);
	assert_int_equal(g->severity, TB_SEV_WARNING);
	run(f, apply_all(f->a, f->base, m, 1), "development", TB_RULES_PLAN, true, &d);
	g = find(f, &d, "TB009", "autoscaling.scale_in_cooldown");
	assert_non_null(g);
	assert_int_equal(g->severity, TB_SEV_ERROR);
	assert_non_null(strstr(g->detail, "strict = true"));
}

/* The detail explains TB002 findings without repeating the secret. */
static void test_rules_secret_not_echoed(void **state)
{
	static const char *const values[] = {
	    "AKIAIOSFODNN7EXAMPLE",      "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
	    "whsec_MfKQ9r8GKYqrTwjUPD8", "postgresql://admin:Sup3rS3cret@db:5432/app",
	    "hunter2-password-value",
	};
	struct fixture *f = *state;
	struct tb_diags d;

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char json[256];
		struct mutation m[] = {{"environment", json}, {"secrets", json}};
		const struct tb_diag *g;

		snprintf(json, sizeof(json), "{\"DB_PASSWORD\":\"%s\",\"OTHER\":\"%s\"}", values[i],
		         values[i]);
		run(f, apply_all(f->a, f->base, m, 2), "production", TB_RULES_PLAN, true, &d);
		assert_non_null(find(f, &d, "TB002", "environment[\"DB_PASSWORD\"]"));
		for (g = d.head; g; g = g->next) {
			assert_null(strstr(g->detail, values[i]));
			assert_null(strstr(g->summary, values[i]));
		}
	}
}

static void test_rules_detail_shape(void **state)
{
	struct fixture *f = *state;
	const struct mutation m[] = {{"memory", "3000"}};
	const struct tb_diag *g;
	struct tb_diags d;

	run(f, apply_all(f->a, f->base, m, 1), "production", TB_RULES_PLAN, false, &d);
	g = find(f, &d, "TB003", "memory");
	assert_non_null(g);
	assert_string_equal(g->summary, "TB003: cpu and memory must be a Fargate task size");
	assert_non_null(strstr(g->detail, "2048, 3072, 4096, 5120, 6144, 7168, 8192"));
	assert_non_null(strstr(g->detail, "AWS Best Practices Implementation - TalentBase"));
	assert_non_null(strstr(g->detail, "acknowledge = { TB003 = "));
	assert_non_null(strstr(g->detail, "See docs/guides/rules.md#tb003."));
}

static void test_rules_other_resource(void **state)
{
	struct fixture *f = *state;
	struct tb_diags d;

	tb_diags_init(&d, f->a);
	tb_rules_check(&d, &(struct tb_rules_env){.phase = TB_RULES_PLAN}, "talentbase_nothing",
	               f->base);
	assert_null(d.head);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, fp) == (size_t)n) {
			buf[n] = '\0';
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(fp);
	return buf;
}

static void test_rules_docs_match(void **state)
{
	char *generated = NULL, *committed;
	size_t gen_len = 0, len = 0;
	FILE *mem = open_memstream(&generated, &gen_len);

	(void)state;
	assert_non_null(mem);
	assert_int_equal(tb_rules_write_markdown(mem), 0);
	fclose(mem);
	committed = read_file(TB_TEST_DATA "/../../docs/guides/rules.md", &len);
	if (committed == NULL)
		fail_msg("docs/guides/rules.md is missing: run make docs");
	if (len != gen_len || memcmp(committed, generated, len) != 0)
		fail_msg("docs/guides/rules.md differs from the rule tables: run make docs");
	assert_non_null(strstr(generated, "<a id=\"tb001\"></a>"));
	assert_non_null(strstr(generated, "<a id=\"tb020\"></a>"));
	free(committed);
	free(generated);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rules_base_is_clean),
	    cmocka_unit_test(test_rules_cases),
	    cmocka_unit_test(test_rules_every_rule_covered),
	    cmocka_unit_test(test_rules_unknown_never_fires),
	    cmocka_unit_test(test_rules_unknown_instead_of_finding),
	    cmocka_unit_test(test_rules_schedule_set),
	    cmocka_unit_test(test_rules_stall_reported_once),
	    cmocka_unit_test(test_rules_acknowledge_error),
	    cmocka_unit_test(test_rules_acknowledge_warning_suppressed),
	    cmocka_unit_test(test_rules_acknowledge_invalid),
	    cmocka_unit_test(test_rules_acknowledge_unknown),
	    cmocka_unit_test(test_rules_strict),
	    cmocka_unit_test(test_rules_secret_not_echoed),
	    cmocka_unit_test(test_rules_detail_shape),
	    cmocka_unit_test(test_rules_other_resource),
	    cmocka_unit_test(test_rules_docs_match),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
