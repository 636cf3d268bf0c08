/*
 * Rules of talentbase_secret, talentbase_alarm_set and
 * talentbase_database_proxy (TB101-TB305): a valid object per resource, one
 * mutation per case, the expected rule ID, severity and path. Plus the
 * acknowledgement of another resource's rule.
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

struct resource {
	const char *name;
	const char *type_json;
	const char *base_json;
};

static const struct resource secret = {
    "talentbase_secret",
    "[\"object\",{\"name\":\"string\",\"description\":\"string\",\"kms_key_id\":\"string\","
    "\"generate\":[\"object\",{\"json_key\":\"string\",\"length\":\"number\","
    "\"exclude_punctuation\":\"bool\",\"include_space\":\"bool\"}],"
    "\"value_wo\":\"string\",\"value_wo_version\":\"number\","
    "\"rotation\":[\"object\",{\"lambda_arn\":\"string\",\"schedule\":\"string\"}],"
    "\"recovery_window_days\":\"number\",\"tags\":[\"map\",\"string\"],"
    "\"template\":[\"map\",\"string\"],\"acknowledge\":[\"map\",\"string\"]}]",
    "{\"name\":\"talentbase-prod/web/session-secret\",\"description\":\"Session secret\","
    "\"kms_key_id\":null,\"generate\":{\"json_key\":\"SESSION_SECRET\",\"length\":64,"
    "\"exclude_punctuation\":true,\"include_space\":false},\"value_wo\":null,"
    "\"value_wo_version\":null,\"rotation\":{\"lambda_arn\":null,\"schedule\":"
    "\"rate(30 days)\"},\"recovery_window_days\":30,\"tags\":{},\"template\":{},"
    "\"acknowledge\":{}}",
};

#define ALARM_BLOCK(name, attr)                                                                    \
	"\"" name "\":[\"object\",{\"" attr "\":\"number\",\"period\":\"number\","                 \
	"\"evaluation_periods\":\"number\",\"datapoints_to_alarm\":\"number\"}],"

static const struct resource alarm_set = {
    "talentbase_alarm_set",
    "[\"object\",{\"service\":\"string\",\"alarm_actions\":[\"list\",\"string\"],"
    "\"ok_actions\":[\"list\",\"string\"]," ALARM_BLOCK("cpu_high", "threshold")
        ALARM_BLOCK("memory_high", "threshold") ALARM_BLOCK("running_tasks_low", "threshold")
            ALARM_BLOCK("alb_5xx", "threshold") ALARM_BLOCK("unhealthy_targets", "threshold")
                ALARM_BLOCK("latency_high",
                            "threshold_seconds") "\"service_min_capacity\":\"number\","
                                                 "\"acknowledge\":[\"map\",\"string\"]}]",
    "{\"service\":\"talentbase-prod/talentbase-web-prod\","
    "\"alarm_actions\":[\"arn:aws:sns:us-east-1:123456789012:alerts\"],\"ok_actions\":[],"
    "\"cpu_high\":{\"threshold\":85,\"period\":300,\"evaluation_periods\":2,"
    "\"datapoints_to_alarm\":2},"
    "\"memory_high\":{\"threshold\":90,\"period\":300,\"evaluation_periods\":2,"
    "\"datapoints_to_alarm\":null},"
    "\"running_tasks_low\":{\"threshold\":2,\"period\":60,\"evaluation_periods\":5,"
    "\"datapoints_to_alarm\":null},"
    "\"alb_5xx\":{\"threshold\":10,\"period\":300,\"evaluation_periods\":1,"
    "\"datapoints_to_alarm\":null},"
    "\"unhealthy_targets\":{\"threshold\":1,\"period\":60,\"evaluation_periods\":2,"
    "\"datapoints_to_alarm\":null},"
    "\"latency_high\":{\"threshold_seconds\":1,\"period\":60,\"evaluation_periods\":5,"
    "\"datapoints_to_alarm\":null},\"service_min_capacity\":2,\"acknowledge\":{}}",
};

static const struct resource proxy = {
    "talentbase_database_proxy",
    "[\"object\",{\"name\":\"string\",\"engine_family\":\"string\",\"role_arn\":\"string\","
    "\"auth\":[\"list\",[\"object\",{\"secret_arn\":\"string\",\"iam_auth\":\"string\","
    "\"client_password_auth_type\":\"string\",\"description\":\"string\"}]],"
    "\"subnets\":[\"set\",\"string\"],"
    "\"security_groups\":[\"set\",\"string\"],\"require_tls\":\"bool\","
    "\"idle_client_timeout\":\"number\",\"debug_logging\":\"bool\","
    "\"target\":[\"object\",{\"db_cluster\":\"string\",\"db_instance\":\"string\"}],"
    "\"pool\":[\"object\",{\"connection_borrow_timeout\":\"number\","
    "\"max_connections_percent\":\"number\",\"max_idle_connections_percent\":\"number\"}],"
    "\"acknowledge\":[\"map\",\"string\"]}]",
    "{\"name\":\"talentbase-prod-rds-proxy\",\"engine_family\":\"POSTGRESQL\","
    "\"role_arn\":\"arn:aws:iam::123456789012:role/proxy\","
    "\"auth\":[{\"secret_arn\":\"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf\","
    "\"iam_auth\":\"DISABLED\",\"client_password_auth_type\":null,\"description\":null}],"
    "\"subnets\":[\"subnet-1\",\"subnet-2\"],\"security_groups\":[\"sg-1\"],"
    "\"require_tls\":true,\"idle_client_timeout\":1800,\"debug_logging\":false,"
    "\"target\":{\"db_cluster\":\"talentbase-prod\",\"db_instance\":null},"
    "\"pool\":{\"connection_borrow_timeout\":120,\"max_connections_percent\":100,"
    "\"max_idle_connections_percent\":50},\"acknowledge\":{}}",
};

struct mutation {
	const char *path;
	const char *json;
};

struct rule_case {
	const struct resource *r;
	struct mutation m[2];
	const char *env; /* NULL: production */
	const char *id;
	enum tb_severity sev; /* 0: nothing from this rule */
	const char *path;
	bool destroying; /* the CLI runs a destroy: only shape findings */
};

/* One auth block with this secret_arn and description (JSON texts). */
#define AUTH(arn, description)                                                                     \
	"[{\"secret_arn\":" arn ",\"iam_auth\":\"DISABLED\",\"client_password_auth_type\":null,"   \
	"\"description\":" description "}]"
#define SM_ARN "\"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf\""

#define E    TB_SEV_ERROR
#define W    TB_SEV_WARNING
#define PASS 0

static const struct rule_case cases[] = {
    /* TB101 */
    {&secret, {{"generate.length", "16"}}, .id = "TB101", .sev = E, .path = "generate.length"},
    {&secret, {{"generate.length", "5000"}}, .id = "TB101", .sev = E, .path = "generate.length"},
    {&secret, {{"generate.length", "32"}}, .id = "TB101", .sev = PASS},
    /* TB102 */
    {&secret,
     {{"tags", "{\"k\":\"AKIAIOSFODNN7EXAMPLE\"}"}},
     .id = "TB102",
     .sev = E,
     .path = "tags[\"k\"]"},
    {&secret,
     {{"description", "\"key sk_live_abcdef\""}},
     .id = "TB102",
     .sev = E,
     .path = "description"},
    {&secret, {{"value_wo", "\"sk_live_abcdef\""}}, .id = "TB102", .sev = PASS},
    {&secret,
     {{"template", "{\"password\":\"hunter2hunter2\"}"}},
     .id = "TB102",
     .sev = E,
     .path = "template[\"password\"]"},
    {&secret,
     {{"template", "{\"url\":\"postgres://app:pw@db.internal/app\"}"}},
     .id = "TB102",
     .sev = E,
     .path = "template[\"url\"]"},
    {&secret,
     {{"template", "{\"username\":\"fckadmin\",\"host\":\"db.internal\",\"port\":\"5432\"}"}},
     .id = "TB102",
     .sev = PASS},
    /* TB103 */
    {&secret,
     {{"recovery_window_days", "0"}},
     .id = "TB103",
     .sev = W,
     .path = "recovery_window_days"},
    {&secret, {{"recovery_window_days", "0"}}, .env = "development", .id = "TB103", .sev = PASS},
    {&secret,
     {{"recovery_window_days", "3"}},
     .env = "development",
     .id = "TB103",
     .sev = E,
     .path = "recovery_window_days"},
    {&secret, {{"recovery_window_days", "7"}}, .id = "TB103", .sev = PASS},
    /* TB104 */
    {&secret, {{"rotation", "null"}}, .id = "TB104", .sev = W, .path = "rotation"},
    {&secret,
     {{"rotation.schedule", "\"rate(180 days)\""}},
     .id = "TB104",
     .sev = W,
     .path = "rotation.schedule"},
    {&secret, {{"rotation", "null"}}, .env = "staging", .id = "TB104", .sev = PASS},
    {&secret, {{"rotation.schedule", "\"rate(90 days)\""}}, .id = "TB104", .sev = PASS},
    /* TB105 */
    {&secret, {{"name", "\"bad name!\""}}, .id = "TB105", .sev = E, .path = "name"},
    {&secret, {{"name", "\"db-AbCdEf\""}}, .id = "TB105", .sev = E, .path = "name"},
    {&secret, {{"name", "\"db-x1y2z3\""}}, .id = "TB105", .sev = E, .path = "name"},
    {&secret, {{"name", "\"prod/api-tokens\""}}, .id = "TB105", .sev = PASS},
    {&secret, {{"name", "\"talentbase-prod/db\""}}, .id = "TB105", .sev = PASS},
    /* TB201 */
    {&alarm_set, {{"cpu_high.period", "45"}}, .id = "TB201", .sev = E, .path = "cpu_high.period"},
    {&alarm_set,
     {{"cpu_high.datapoints_to_alarm", "3"}},
     .id = "TB201",
     .sev = E,
     .path = "cpu_high.datapoints_to_alarm"},
    {&alarm_set,
     {{"cpu_high.evaluation_periods", "0"}},
     .id = "TB201",
     .sev = E,
     .path = "cpu_high.evaluation_periods"},
    {&alarm_set,
     {{"memory_high.evaluation_periods", "500"}},
     .id = "TB201",
     .sev = E,
     .path = "memory_high.period"},
    {&alarm_set, {{"cpu_high.period", "30"}}, .id = "TB201", .sev = PASS},
    /* TB202 */
    {&alarm_set, {{"alarm_actions", "[]"}}, .id = "TB202", .sev = W, .path = "alarm_actions"},
    {&alarm_set, {{"alarm_actions", "null"}}, .id = "TB202", .sev = W, .path = "alarm_actions"},
    {&alarm_set, {{"ok_actions", "null"}}, .id = "TB202", .sev = PASS},
    /* TB203 */
    {&alarm_set,
     {{"memory_high.threshold", "120"}},
     .id = "TB203",
     .sev = E,
     .path = "memory_high.threshold"},
    {&alarm_set,
     {{"cpu_high.threshold", "0"}},
     .id = "TB203",
     .sev = E,
     .path = "cpu_high.threshold"},
    {&alarm_set, {{"cpu_high.threshold", "50"}}, .id = "TB203", .sev = PASS},
    /* TB204 */
    {&alarm_set,
     {{"cpu_high.threshold", "95"}},
     .id = "TB204",
     .sev = W,
     .path = "cpu_high.threshold"},
    {&alarm_set, {{"alb_5xx.period", "60"}}, .id = "TB204", .sev = W, .path = "alb_5xx.threshold"},
    {&alarm_set,
     {{"latency_high.threshold_seconds", "2"}},
     .id = "TB204",
     .sev = W,
     .path = "latency_high.threshold_seconds"},
    {&alarm_set,
     {{"alb_5xx.threshold", "20"}, {"alb_5xx.period", "600"}},
     .id = "TB204",
     .sev = PASS},
    /* TB205 */
    {&alarm_set,
     {{"running_tasks_low.threshold", "1"}},
     .id = "TB205",
     .sev = W,
     .path = "running_tasks_low.threshold"},
    {&alarm_set,
     {{"running_tasks_low.threshold", "1"}, {"service_min_capacity", "null"}},
     .id = "TB205",
     .sev = PASS},
    /* TB301 */
    {&proxy, {{"require_tls", "false"}}, .id = "TB301", .sev = E, .path = "require_tls"},
    {&proxy, {{"require_tls", "null"}}, .id = "TB301", .sev = PASS},
    /* TB302 */
    {&proxy,
     {{"auth", AUTH("\"arn:aws:ssm:us-east-1:123456789012:parameter/db\"", "null")}},
     .id = "TB302",
     .sev = E,
     .path = "auth[0].secret_arn"},
    {&proxy,
     {{"auth",
       AUTH("\"arn:aws:secretsmanager:us-east-1:123456789012:secret:db:password::\"", "null")}},
     .id = "TB302",
     .sev = E,
     .path = "auth[0].secret_arn"},
    {&proxy,
     {{"auth", AUTH("\"arn:aws:secretsmanager:eu-west-1:123456789012:secret:db\"", "null")}},
     .id = "TB302",
     .sev = E,
     .path = "auth[0].secret_arn"},
    {&proxy,
     {{"auth", AUTH("\"hunter2-the-password\"", "null")}},
     .id = "TB302",
     .sev = E,
     .path = "auth[0].secret_arn"},
    {&proxy,
     {{"auth", AUTH(SM_ARN, "\"app user, key AKIAIOSFODNN7EXAMPLE\"")}},
     .id = "TB302",
     .sev = E,
     .path = "auth[0].description"},
    {&proxy, {{"auth", AUTH(SM_ARN, "\"the application's user\"")}}, .id = "TB302", .sev = PASS},
    {&proxy, {{"name", "\"other-proxy\""}}, .id = "TB302", .sev = PASS},
    /* TB303 */
    {&proxy,
     {{"pool.max_idle_connections_percent", "80"}, {"pool.max_connections_percent", "60"}},
     .id = "TB303",
     .sev = E,
     .path = "pool.max_idle_connections_percent"},
    {&proxy,
     {{"pool.connection_borrow_timeout", "4000"}},
     .id = "TB303",
     .sev = E,
     .path = "pool.connection_borrow_timeout"},
    {&proxy,
     {{"pool.max_connections_percent", "150"}},
     .id = "TB303",
     .sev = E,
     .path = "pool.max_connections_percent"},
    {&proxy, {{"pool.max_idle_connections_percent", "10"}}, .id = "TB303", .sev = PASS},
    /* TB304 */
    {&proxy, {{"engine_family", "\"ORACLE\""}}, .id = "TB304", .sev = E, .path = "engine_family"},
    {&proxy, {{"engine_family", "\"MYSQL\""}}, .id = "TB304", .sev = PASS},
    /* TB305 */
    {&proxy, {{"subnets", "[\"subnet-1\"]"}}, .id = "TB305", .sev = W, .path = "subnets"},
    {&proxy, {{"subnets", "[\"a\",\"b\",\"c\"]"}}, .id = "TB305", .sev = PASS},
    /* while destroying: the shape findings of the split rules, no practice finding */
    {&secret, {{"generate.length", "16"}}, .id = "TB101", .sev = PASS, .destroying = true},
    {&secret,
     {{"generate.length", "5000"}},
     .id = "TB101",
     .sev = E,
     .path = "generate.length",
     .destroying = true},
    {&secret,
     {{"description", "\"key sk_live_abcdef\""}},
     .id = "TB102",
     .sev = PASS,
     .destroying = true},
    {&secret,
     {{"recovery_window_days", "3"}},
     .id = "TB103",
     .sev = E,
     .path = "recovery_window_days",
     .destroying = true},
    {&secret, {{"recovery_window_days", "0"}}, .id = "TB103", .sev = PASS, .destroying = true},
    {&secret,
     {{"name", "\"bad name!\""}},
     .id = "TB105",
     .sev = E,
     .path = "name",
     .destroying = true},
    {&secret, {{"name", "\"db-AbCdEf\""}}, .id = "TB105", .sev = PASS, .destroying = true},
    {&alarm_set,
     {{"cpu_high.period", "45"}},
     .id = "TB201",
     .sev = E,
     .path = "cpu_high.period",
     .destroying = true},
    {&alarm_set, {{"alarm_actions", "[]"}}, .id = "TB202", .sev = PASS, .destroying = true},
    {&proxy, {{"require_tls", "false"}}, .id = "TB301", .sev = PASS, .destroying = true},
    {&proxy,
     {{"auth", AUTH("\"arn:aws:ssm:us-east-1:123456789012:parameter/db\"", "null")}},
     .id = "TB302",
     .sev = E,
     .path = "auth[0].secret_arn",
     .destroying = true},
    {&proxy,
     {{"auth", AUTH("\"arn:aws:secretsmanager:eu-west-1:123456789012:secret:db\"", "null")}},
     .id = "TB302",
     .sev = PASS,
     .destroying = true},
    {&proxy,
     {{"engine_family", "\"ORACLE\""}},
     .id = "TB304",
     .sev = E,
     .path = "engine_family",
     .destroying = true},
    {&proxy, {{"subnets", "[\"subnet-1\"]"}}, .id = "TB305", .sev = PASS, .destroying = true},
};

struct loaded {
	const struct tb_type *type;
	const struct tb_value *base;
};

static void load(struct tb_arena *a, const struct resource *r, struct loaded *out)
{
	if (tb_type_from_json(a, r->type_json, strlen(r->type_json), &out->type) != 0)
		fail_msg("%s: bad type", r->name);
	if (tb_json_decode(a, out->type, r->base_json, strlen(r->base_json), &out->base) != 0)
		fail_msg("%s: bad base value", r->name);
}

static const struct tb_value *get_dotted(const struct tb_value *v, const char *path)
{
	char head[64];
	const char *dot = strchr(path, '.');
	size_t n = dot ? (size_t)(dot - path) : strlen(path);

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

	memcpy(head, path, n);
	head[n] = '\0';
	if (dot != NULL)
		v = set_dotted(a, tb_attr(obj, head), dot + 1, v);
	return tb_object_with(a, obj, head, v);
}

static const struct tb_value *mutate(struct tb_arena *a, const struct tb_value *v,
                                     const struct mutation *m, size_t n)
{
	for (size_t i = 0; i < n && m[i].path != NULL; i++) {
		const struct tb_value *x;

		if (tb_json_decode(a, get_dotted(v, m[i].path)->type, m[i].json, strlen(m[i].json),
		                   &x) != 0)
			fail_msg("cannot decode %s", m[i].json);
		v = set_dotted(a, v, m[i].path, x);
		assert_non_null(v);
	}
	return v;
}

static void run(struct tb_arena *a, const char *resource, const struct tb_value *v,
                const char *environment, bool destroying, struct tb_diags *d)
{
	struct tb_rules_env env = {
	    .phase = TB_RULES_PLAN,
	    .cli = destroying ? TB_CLI_DESTROY : TB_CLI_CHANGE,
	    .environment = environment ? environment : "production",
	    .partition = "aws",
	    .region = "us-east-1",
	};

	tb_diags_init(d, a);
	tb_rules_check(d, &env, resource, v);
}

static const struct tb_diag *find(struct tb_arena *a, const struct tb_diags *d, const char *id,
                                  const char *path)
{
	size_t n = strlen(id);

	for (const struct tb_diag *g = d->head; g; g = g->next) {
		if (strncmp(g->summary, id, n) == 0 && g->summary[n] == ':' &&
		    (path == NULL || strcmp(tb_path_string(a, &g->path), path) == 0))
			return g;
	}
	return NULL;
}

static void dump(struct tb_arena *a, const struct tb_diags *d)
{
	for (const struct tb_diag *g = d->head; g; g = g->next)
		print_message("  %s %s at %s\n", g->severity == TB_SEV_ERROR ? "error" : "warning",
		              g->summary, tb_path_string(a, &g->path));
}

static void test_rules_resources_bases_clean(void **state)
{
	const struct resource *all[] = {&secret, &alarm_set, &proxy};
	struct tb_arena *a = tb_arena_new();

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct loaded l;
		struct tb_diags d;

		load(a, all[i], &l);
		run(a, all[i]->name, l.base, "production", false, &d);
		if (d.head != NULL) {
			dump(a, &d);
			fail_msg("%s: the base value is not clean", all[i]->name);
		}
	}
	tb_arena_free(a);
}

static void test_rules_resources_cases(void **state)
{
	struct tb_arena *a = tb_arena_new();

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rule_case *c = &cases[i];
		const struct tb_diag *g;
		struct tb_diags d;
		struct loaded l;

		load(a, c->r, &l);
		run(a, c->r->name, mutate(a, l.base, c->m, 2), c->env, c->destroying, &d);
		g = find(a, &d, c->id, c->sev ? c->path : NULL);
		if ((c->sev == 0) != (g == NULL) ||
		    (g != NULL && c->sev != 0 && g->severity != c->sev)) {
			dump(a, &d);
			fail_msg("case %zu (%s): expected %s %s", i, c->id,
			         c->sev == 0   ? "nothing"
			         : c->sev == E ? "error"
			                       : "warning",
			         c->path ? c->path : "");
		}
	}
	tb_arena_free(a);
}

/* Every rule TB101-TB305 has a failing and a passing case. */
static void test_rules_resources_covered(void **state)
{
	static const char *const ids[] = {"TB101", "TB102", "TB103", "TB104", "TB105",
	                                  "TB201", "TB202", "TB203", "TB204", "TB205",
	                                  "TB301", "TB302", "TB303", "TB304", "TB305"};

	(void)state;
	for (size_t r = 0; r < sizeof(ids) / sizeof(ids[0]); r++) {
		bool fails = false, passes = false;

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			if (strcmp(cases[i].id, ids[r]) != 0)
				continue;
			fails = fails || cases[i].sev != 0;
			passes = passes || cases[i].sev == 0;
		}
		if (!fails || !passes)
			fail_msg("%s lacks a %s case", ids[r], fails ? "passing" : "failing");
	}
}

/* acknowledge names a rule of another resource: an error at acknowledge["TB001"]. */
static void test_rules_resources_foreign_ack(void **state)
{
	struct tb_arena *a = tb_arena_new();
	const struct mutation m[] = {{"acknowledge", "{\"TB001\":\"not ours\"}"}};
	const struct tb_diag *g;
	struct loaded l;
	struct tb_diags d;

	(void)state;
	load(a, &proxy, &l);
	run(a, proxy.name, mutate(a, l.base, m, 1), "production", false, &d);
	g = d.head;
	assert_non_null(g);
	assert_int_equal(g->severity, TB_SEV_ERROR);
	assert_string_equal(tb_path_string(a, &g->path), "acknowledge[\"TB001\"]");
	assert_non_null(strstr(g->detail, "talentbase_service"));
	assert_null(g->next);
	tb_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rules_resources_bases_clean),
	    cmocka_unit_test(test_rules_resources_cases),
	    cmocka_unit_test(test_rules_resources_covered),
	    cmocka_unit_test(test_rules_resources_foreign_ack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
