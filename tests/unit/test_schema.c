/* schema: paths, diagnostics, implied types, plan helpers, state upgrade. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core_testutil.h"
#include "tb/schema.h"

static struct tb_arena *A;

static int setup(void **state)
{
	A = tb_arena_new();
	return A != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	tb_arena_free(A);
	return 0;
}

static const struct tb_value *cpu_default(struct tb_arena *a, const void *meta,
                                          const struct tb_value *config)
{
	return meta != NULL ? tb_int(a, *(const int *)meta) : tb_unknown(a, &tb_type_number);
}

static const struct tb_attr hc_attrs[] = {
    {.name = "path",
     .type = "\"string\"",
     .flags = TB_A_OPTIONAL | TB_A_COMPUTED,
     .default_json = "\"/\""},
    {.name = "interval",
     .type = "\"number\"",
     .flags = TB_A_OPTIONAL | TB_A_COMPUTED,
     .default_json = "30"},
    {.name = "id", .type = "\"string\"", .flags = TB_A_COMPUTED},
};
static const struct tb_block hc_block = {.attrs = hc_attrs, .n_attrs = TB_COUNT(hc_attrs)};

static const struct tb_attr port_attrs[] = {
    {.name = "port", .type = "\"number\"", .flags = TB_A_REQUIRED | TB_A_FORCE_NEW},
    {.name = "protocol",
     .type = "\"string\"",
     .flags = TB_A_OPTIONAL | TB_A_COMPUTED,
     .default_json = "\"tcp\""},
    {.name = "arn", .type = "\"string\"", .flags = TB_A_COMPUTED},
};
static const struct tb_block port_block = {.attrs = port_attrs, .n_attrs = TB_COUNT(port_attrs)};

static const struct tb_attr rule_attrs[] = {
    {.name = "cidr", .type = "\"string\"", .flags = TB_A_REQUIRED},
    {.name = "rule_id", .type = "\"string\"", .flags = TB_A_COMPUTED},
};
static const struct tb_block rule_block = {.attrs = rule_attrs, .n_attrs = TB_COUNT(rule_attrs)};

static const struct tb_attr env_attrs[] = {
    {.name = "value", .type = "\"string\"", .flags = TB_A_OPTIONAL},
    {.name = "version", .type = "\"number\"", .flags = TB_A_COMPUTED},
};
static const struct tb_block env_block = {.attrs = env_attrs, .n_attrs = TB_COUNT(env_attrs)};

static const struct tb_attr deploy_attrs[] = {
    {.name = "rollback",
     .type = "\"bool\"",
     .flags = TB_A_OPTIONAL | TB_A_COMPUTED,
     .default_json = "true"},
};
static const struct tb_block deploy_block = {.attrs = deploy_attrs,
                                             .n_attrs = TB_COUNT(deploy_attrs)};

static const struct tb_attr root_attrs[] = {
    {.name = "name", .type = "\"string\"", .flags = TB_A_REQUIRED | TB_A_FORCE_NEW},
    {.name = "image_tag", .type = "\"string\"", .flags = TB_A_REQUIRED},
    {.name = "cpu",
     .type = "\"number\"",
     .flags = TB_A_OPTIONAL | TB_A_COMPUTED,
     .default_fn = cpu_default},
    {.name = "desired",
     .type = "\"number\"",
     .flags = TB_A_OPTIONAL | TB_A_COMPUTED,
     .default_json = "1"},
    {.name = "arn", .type = "\"string\"", .flags = TB_A_COMPUTED},
    {.name = "secret",
     .type = "\"string\"",
     .flags = TB_A_OPTIONAL | TB_A_WRITE_ONLY | TB_A_SENSITIVE},
    {.name = "tags", .type = "[\"map\",\"string\"]", .flags = TB_A_OPTIONAL},
    {.name = "region",
     .type = "\"string\"",
     .flags = TB_A_OPTIONAL | TB_A_COMPUTED | TB_A_FORCE_NEW},
};
static const struct tb_nested root_blocks[] = {
    {.name = "health_check", .nesting = TB_NEST_SINGLE, .block = &hc_block, .max_items = 1},
    {.name = "port", .nesting = TB_NEST_LIST, .block = &port_block},
    {.name = "rule", .nesting = TB_NEST_SET, .block = &rule_block, .flags = TB_A_FORCE_NEW},
    {.name = "env", .nesting = TB_NEST_MAP, .block = &env_block},
    {.name = "deploy", .nesting = TB_NEST_GROUP, .block = &deploy_block},
};
static const struct tb_block root_block = {
    .attrs = root_attrs,
    .n_attrs = TB_COUNT(root_attrs),
    .blocks = root_blocks,
    .n_blocks = TB_COUNT(root_blocks),
};
static const struct tb_schema schema = {.version = 2, .block = &root_block};

static const struct tb_value *V(const char *json)
{
	const struct tb_value *v = NULL;
	int err = tb_json_decode(A, tb_block_type(&root_block), json, strlen(json), &v);

	if (err != 0)
		fail_msg("decode %s: %d", json, err);
	return v;
}

static const char *D(const struct tb_value *root, const char *path)
{
	struct tb_path p;

	assert_int_equal(tb_path_parse(A, path, &p), 0);
	return tb_value_debug(A, tb_path_get(root, &p));
}

static void test_schema_block_type(void **state)
{
	const struct tb_type *t = tb_block_type(&root_block);
	char *json;

	assert_non_null(t);
	assert_ptr_equal(t, tb_block_type(&root_block));
	assert_int_equal(tb_type_to_json(A, t, &json), 0);
	assert_string_equal(
	    json,
	    "[\"object\",{\"arn\":\"string\",\"cpu\":\"number\",\"deploy\":[\"object\",{"
	    "\"rollback\":\"bool\"}],\"desired\":\"number\",\"env\":[\"map\",[\"object\",{"
	    "\"value\":\"string\",\"version\":\"number\"}]],\"health_check\":[\"object\",{"
	    "\"id\":\"string\",\"interval\":\"number\",\"path\":\"string\"}],\"image_tag\":"
	    "\"string\",\"name\":\"string\",\"port\":[\"list\",[\"object\",{\"arn\":\"string\","
	    "\"port\":\"number\",\"protocol\":\"string\"}]],\"region\":\"string\",\"rule\":["
	    "\"set\",[\"object\",{\"cidr\":\"string\",\"rule_id\":\"string\"}]],\"secret\":"
	    "\"string\",\"tags\":[\"map\",\"string\"]}]");
	assert_ptr_equal(tb_block_attr(&root_block, "cpu"), &root_attrs[2]);
	assert_null(tb_block_attr(&root_block, "port"));
	assert_ptr_equal(tb_block_nested(&root_block, "port"), &root_blocks[1]);
	assert_null(tb_block_nested(&root_block, "cpu"));
}

static void test_schema_block_type_malformed(void **state)
{
	static const struct tb_attr bad_type[] = {{.name = "x", .type = "\"strin\""}};
	static const struct tb_block b1 = {.attrs = bad_type, .n_attrs = 1};
	static const struct tb_attr dup[] = {{.name = "x", .type = "\"string\""},
	                                     {.name = "x", .type = "\"number\""}};
	static const struct tb_block b2 = {.attrs = dup, .n_attrs = 2};
	static const struct tb_nested bad_nest[] = {{.name = "n", .nesting = 9, .block = &b2}};
	static const struct tb_block b3 = {.blocks = bad_nest, .n_blocks = 1};

	assert_null(tb_block_type(&b1));
	assert_null(tb_block_type(&b2));
	assert_null(tb_block_type(&b3));
	assert_null(tb_block_type(NULL));
}

static void *type_worker(void *arg)
{
	*(const struct tb_type **)arg = tb_block_type(&port_block);
	return NULL;
}

static void test_schema_block_type_threads(void **state)
{
	const struct tb_type *got[8];
	pthread_t th[8];

	for (int i = 0; i < 8; i++)
		pthread_create(&th[i], NULL, type_worker, &got[i]);
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_non_null(got[i]);
		assert_ptr_equal(got[i], got[0]);
	}
}

static const struct path_case {
	const char *text;
	int err;
	size_t n;
	const char *render;
} path_cases[] = {
    {.text = "load_balancer.health_check.path", .n = 3},
    {.text = "environment[\"DB_PASSWORD\"]", .n = 2},
    {.text = "autoscaling.schedule[1].timezone", .n = 4},
    {.text = "a[\"k\\\"q\"].b", .n = 3, .render = "a[\"k\\\"q\"].b"},
    {.text = "x[0][1]", .n = 3},
    {.text = "x-y_z9", .n = 1},
    {.text = "", .n = 0},
    {.text = ".a", .err = TB_EINVAL},
    {.text = "a.", .err = TB_EINVAL},
    {.text = "a..b", .err = TB_EINVAL},
    {.text = "a[", .err = TB_EINVAL},
    {.text = "a[1", .err = TB_EINVAL},
    {.text = "a[-1]", .err = TB_EINVAL},
    {.text = "a[\"x]", .err = TB_EINVAL},
    {.text = "a[x]", .err = TB_EINVAL},
    {.text = "a b", .err = TB_EINVAL},
    {.text = "[0]", .err = TB_EINVAL},
    {.text = "a[99999999999999999999]", .err = TB_EINVAL},
};

static void test_schema_paths(void **state)
{
	const struct tb_value *v;
	struct tb_path p;

	for (size_t i = 0; i < TB_COUNT(path_cases); i++) {
		const struct path_case *c = &path_cases[i];
		int err = tb_path_parse(A, c->text, &p);

		if (err != c->err)
			fail_msg("%s: err %d", c->text, err);
		if (err != 0)
			continue;
		assert_int_equal(p.n, c->n);
		assert_string_equal(tb_path_string(A, &p), c->render ? c->render : c->text);
	}
	assert_int_equal(tb_path_parse(A, "a[\"k\\\"q\"]", &p), 0);
	assert_int_equal(p.steps[1].kind, TB_STEP_KEY);
	assert_string_equal(p.steps[1].name, "k\"q");
	v = V("{\"name\":\"n\",\"port\":[{\"port\":80}],\"env\":{\"A\":{\"value\":\"x\"}},"
	      "\"tags\":{\"k\":\"v\"}}");
	assert_string_equal(D(v, "port[0].port"), "80");
	assert_string_equal(D(v, "env[\"A\"].value"), "\"x\"");
	assert_string_equal(D(v, "tags[\"k\"]"), "\"v\"");
	assert_string_equal(D(v, "tags.k"), "\"v\"");
	assert_string_equal(D(v, "port[1]"), "(absent)");
	assert_string_equal(D(v, "nope"), "(absent)");
	assert_string_equal(D(v, "name.x"), "(absent)");
	assert_string_equal(D(v, "health_check.path"), "(absent)");
}

static void test_schema_diags(void **state)
{
	struct tb_diags d;
	struct tb_diag *g;
	struct tb_path p;
	char detail[] = "transient";

	tb_diags_init(&d, A);
	assert_false(tb_diags_has_errors(&d));
	g = tb_diag_add(&d, TB_SEV_WARNING, "a.b[2]", "Careful", detail);
	detail[0] = 'X';
	assert_non_null(g);
	assert_string_equal(g->detail, "transient");
	assert_int_equal(g->path.n, 3);
	assert_false(tb_diags_has_errors(&d));
	g = tb_diag_addf(&d, TB_SEV_ERROR, NULL, "Bad", "value %d too %s", 7, "big");
	assert_string_equal(g->detail, "value 7 too big");
	assert_int_equal(g->path.n, 0);
	assert_int_equal(tb_path_parse(A, "x[\"k\"]", &p), 0);
	g = tb_diag_add_path(&d, TB_SEV_ERROR, &p, "Path", NULL);
	assert_string_equal(tb_path_string(A, &g->path), "x[\"k\"]");
	assert_int_equal(d.n_errors, 2);
	assert_int_equal(d.n_warnings, 1);
	assert_ptr_equal(d.head->next->next, d.tail);
	assert_true(tb_diags_has_errors(&d));
	g = tb_diag_add(&d, TB_SEV_WARNING, "bad..path", "S", "D");
	assert_int_equal(g->path.n, 0);
}

static const char *const create_config =
    "{\"name\":\"svc\",\"image_tag\":\"v1\",\"secret\":\"hunter2\","
    "\"health_check\":{\"interval\":10},\"port\":[{\"port\":80},{\"port\":443,\"protocol\":\"tls\"}"
    "],"
    "\"rule\":[{\"cidr\":\"10.0.0.0/8\"}],\"env\":{\"A\":{\"value\":\"x\"}},\"deploy\":{}}";

static void test_schema_plan_create(void **state)
{
	int cpu = 256;
	struct tb_plan p = {.config = V(create_config), .proposed = V(create_config)};
	const struct tb_value *pl;

	p.prior = tb_null(A, tb_block_type(&root_block));
	assert_int_equal(tb_plan_prepare(A, &schema, &cpu, &p), 0);
	pl = p.planned;
	assert_string_equal(D(pl, "cpu"), "256");
	assert_string_equal(D(pl, "desired"), "1");
	assert_string_equal(D(pl, "arn"), "(unknown)");
	assert_string_equal(D(pl, "region"), "(unknown)");
	assert_string_equal(D(pl, "secret"), "null");
	assert_string_equal(D(pl, "tags"), "null");
	assert_string_equal(D(pl, "health_check"),
	                    "{ id = (unknown), interval = 10, path = \"/\" }");
	assert_string_equal(D(pl, "port[0]"), "{ arn = (unknown), port = 80, protocol = \"tcp\" }");
	assert_string_equal(D(pl, "port[1].protocol"), "\"tls\"");
	assert_string_equal(D(pl, "rule"),
	                    "toset([{ cidr = \"10.0.0.0/8\", rule_id = (unknown) }])");
	assert_string_equal(D(pl, "env[\"A\"]"), "{ value = \"x\", version = (unknown) }");
	assert_string_equal(D(pl, "deploy.rollback"), "true");
	assert_int_equal(p.n_requires_replace, 0);
	/* The inputs are unchanged. */
	assert_string_equal(D(p.proposed, "cpu"), "null");
	assert_string_equal(D(p.config, "secret"), "\"hunter2\"");
}

static const char *const prior_state =
    "{\"name\":\"svc\",\"image_tag\":\"v1\",\"cpu\":256,\"desired\":1,\"arn\":\"arn:1\","
    "\"region\":\"eu-west-1\",\"health_check\":{\"interval\":10,\"path\":\"/\",\"id\":\"hc\"},"
    "\"port\":[{\"port\":80,\"protocol\":\"tcp\",\"arn\":\"p1\"}],"
    "\"rule\":[{\"cidr\":\"10.0.0.0/8\",\"rule_id\":\"r1\"}],"
    "\"env\":{\"A\":{\"value\":\"x\",\"version\":3}},\"deploy\":{\"rollback\":true}}";

static void test_schema_plan_update(void **state)
{
	int cpu = 512;
	const char *config =
	    "{\"name\":\"svc\",\"image_tag\":\"v2\",\"desired\":3,"
	    "\"health_check\":{\"interval\":10},\"port\":[{\"port\":80},{\"port\":81}],"
	    "\"rule\":[{\"cidr\":\"10.0.0.0/8\"}],"
	    "\"env\":{\"A\":{\"value\":\"x\"},\"B\":{\"value\":\"y\"}},\"deploy\":{}}";
	const char *proposed =
	    "{\"name\":\"svc\",\"image_tag\":\"v2\",\"cpu\":256,\"desired\":3,\"arn\":\"arn:1\","
	    "\"region\":\"eu-west-1\",\"health_check\":{\"interval\":10,\"path\":\"/"
	    "\",\"id\":\"hc\"},"
	    "\"port\":[{\"port\":80,\"protocol\":\"tcp\",\"arn\":\"p1\"},{\"port\":81}],"
	    "\"rule\":[{\"cidr\":\"10.0.0.0/8\",\"rule_id\":\"r1\"}],"
	    "\"env\":{\"A\":{\"value\":\"x\",\"version\":3},\"B\":{\"value\":\"y\"}},"
	    "\"deploy\":{\"rollback\":true}}";
	struct tb_plan p = {.prior = V(prior_state), .config = V(config), .proposed = V(proposed)};
	const struct tb_value *pl;

	assert_int_equal(tb_plan_prepare(A, &schema, &cpu, &p), 0);
	pl = p.planned;
	assert_string_equal(D(pl, "cpu"), "512");
	assert_string_equal(D(pl, "desired"), "3");
	assert_string_equal(D(pl, "arn"), "\"arn:1\"");
	assert_string_equal(D(pl, "region"), "\"eu-west-1\"");
	assert_string_equal(D(pl, "health_check.id"), "\"hc\"");
	assert_string_equal(D(pl, "port[0].arn"), "\"p1\"");
	assert_string_equal(D(pl, "port[1]"), "{ arn = (unknown), port = 81, protocol = \"tcp\" }");
	assert_string_equal(D(pl, "rule"), "toset([{ cidr = \"10.0.0.0/8\", rule_id = \"r1\" }])");
	assert_string_equal(D(pl, "env[\"A\"].version"), "3");
	assert_string_equal(D(pl, "env[\"B\"].version"), "(unknown)");
	/* A new list element with a force-new attribute replaces the resource. */
	assert_int_equal(p.n_requires_replace, 1);
	assert_string_equal(tb_path_string(A, &p.requires_replace[0]), "port[1].port");
	assert_true(tb_plan_changed(&p, "image_tag"));
	assert_false(tb_plan_changed(&p, "name"));
	assert_false(tb_plan_changed(&p, "port[0].port"));
	assert_true(tb_plan_changed(&p, "port[1]"));
	assert_false(tb_plan_changed(&p, "nope"));
}

static void test_schema_plan_replace(void **state)
{
	const char *config = "{\"name\":\"svc2\",\"image_tag\":\"v1\",\"region\":\"us-east-1\","
	                     "\"health_check\":{\"interval\":10},\"port\":[{\"port\":8080}],"
	                     "\"rule\":[{\"cidr\":\"0.0.0.0/0\"}],\"env\":{},\"deploy\":{}}";
	const char *proposed =
	    "{\"name\":\"svc2\",\"image_tag\":\"v1\",\"cpu\":256,\"desired\":1,\"arn\":\"arn:1\","
	    "\"region\":\"us-east-1\",\"health_check\":{\"interval\":10,\"path\":\"/"
	    "\",\"id\":\"hc\"},"
	    "\"port\":[{\"port\":8080,\"protocol\":\"tcp\",\"arn\":\"p1\"}],"
	    "\"rule\":[{\"cidr\":\"0.0.0.0/0\"}],\"env\":{},\"deploy\":{\"rollback\":true}}";
	struct tb_plan p = {.prior = V(prior_state), .config = V(config), .proposed = V(proposed)};
	char *paths[8];

	assert_int_equal(tb_plan_prepare(A, &schema, NULL, &p), 0);
	assert_int_equal(p.n_requires_replace, 4);
	for (size_t i = 0; i < p.n_requires_replace; i++)
		paths[i] = tb_path_string(A, &p.requires_replace[i]);
	assert_string_equal(paths[0], "name");
	assert_string_equal(paths[1], "region");
	assert_string_equal(paths[2], "port[0].port");
	assert_string_equal(paths[3], "rule");
	/* default_fn without provider settings gives unknown. */
	assert_string_equal(D(p.planned, "cpu"), "(unknown)");
}

static void test_schema_plan_unknown_and_absent(void **state)
{
	const struct tb_type *t = tb_block_type(&root_block);
	const struct tb_value *cfg = V("{\"name\":\"svc\",\"image_tag\":\"v1\",\"port\":[],"
	                               "\"rule\":[],\"env\":{},\"deploy\":{}}");
	struct tb_plan p;
	int cpu = 1;

	/* Optional+computed unknown in config stays unknown; no default. */
	cfg = tb_object_with(A, cfg, "desired", tb_unknown(A, &tb_type_number));
	assert_non_null(cfg);
	p = (struct tb_plan){.prior = tb_null(A, t), .config = cfg, .proposed = cfg};
	assert_int_equal(tb_plan_prepare(A, &schema, &cpu, &p), 0);
	assert_string_equal(D(p.planned, "desired"), "(unknown)");
	/* An absent single block stays null. */
	assert_string_equal(D(p.planned, "health_check"), "null");
	/* A destroy plan (proposed null) is left alone. */
	p = (struct tb_plan){
	    .prior = V(prior_state), .config = tb_null(A, t), .proposed = tb_null(A, t)};
	assert_int_equal(tb_plan_prepare(A, &schema, &cpu, &p), 0);
	assert_true(tb_is_null(p.planned));
	assert_int_equal(p.n_requires_replace, 0);
}

static void test_schema_plan_set(void **state)
{
	struct tb_plan p = {.prior = V(prior_state), .config = V(prior_state)};
	const struct tb_value *v = NULL;
	struct tb_path path;

	p.planned = p.proposed = p.prior;
	assert_int_equal(tb_plan_set_unknown(A, &p, "arn"), 0);
	assert_string_equal(D(p.planned, "arn"), "(unknown)");
	assert_string_equal(D(p.prior, "arn"), "\"arn:1\"");
	assert_int_equal(tb_plan_set_unknown(A, &p, "port[0].arn"), 0);
	assert_string_equal(D(p.planned, "port[0].arn"), "(unknown)");
	assert_string_equal(D(p.planned, "port[0].port"), "80");
	assert_int_equal(tb_plan_set(A, &p, "desired", tb_string(A, "4")), 0);
	assert_string_equal(D(p.planned, "desired"), "4");
	assert_int_equal(tb_plan_set(A, &p, "desired", tb_string(A, "four")), TB_EINVAL);
	assert_int_equal(tb_plan_set(A, &p, "env[\"A\"].version", tb_int(A, 9)), 0);
	assert_string_equal(D(p.planned, "env[\"A\"].version"), "9");
	assert_int_equal(tb_plan_set_unknown(A, &p, "port[3].arn"), TB_EINVAL);
	assert_int_equal(tb_plan_set_unknown(A, &p, "nope"), TB_EINVAL);
	assert_int_equal(tb_plan_set_unknown(A, &p, "tags[\"x\"]"), TB_EINVAL);
	assert_int_equal(tb_plan_set_unknown(A, &p, ""), TB_EINVAL);
	assert_int_equal(tb_plan_set_unknown(A, &p, "rule[0].rule_id"), 0);
	assert_true(tb_plan_changed(&p, "rule"));
	/* Adding a map key through a path. */
	assert_int_equal(tb_path_parse(A, "env[\"Z\"]", &path), 0);
	assert_int_equal(tb_value_set_path(A, p.planned, &path, tb_null(A, &tb_type_dynamic), &v),
	                 0);
	assert_string_equal(D(v, "env[\"Z\"]"), "null");
	assert_int_equal(tb_len(tb_attr(v, "env")), 2);
}

static void test_schema_apply_defaults(void **state)
{
	int cpu = 1024;
	const struct tb_value *out = NULL;

	assert_int_equal(tb_schema_apply_defaults(A, &schema, &cpu, V(create_config), &out), 0);
	assert_string_equal(D(out, "cpu"), "1024");
	assert_string_equal(D(out, "desired"), "1");
	assert_string_equal(D(out, "arn"), "null");
	assert_string_equal(D(out, "secret"), "\"hunter2\"");
	assert_string_equal(D(out, "health_check.path"), "\"/\"");
	assert_string_equal(D(out, "port[0].protocol"), "\"tcp\"");
	assert_int_equal(tb_schema_apply_defaults(A, &schema, NULL, V(create_config), &out), 0);
	assert_string_equal(D(out, "cpu"), "(unknown)");
}

static void test_schema_upgrade(void **state)
{
	const char *old =
	    "{\"name\":\"svc\",\"image_tag\":\"v0\",\"cpu\":\"256\",\"removed\":[1,2],"
	    "\"health_check\":{\"path\":\"/h\",\"old_field\":true},"
	    "\"port\":null,\"rule\":[{\"cidr\":\"1.2.3.4/32\",\"gone\":1}],"
	    "\"deploy\":null}";
	const struct tb_value *v = NULL;

	assert_int_equal(tb_upgrade_json_state(A, &schema, old, strlen(old), &v), 0);
	assert_string_equal(D(v, "cpu"), "256");
	assert_string_equal(D(v, "arn"), "null");
	assert_string_equal(D(v, "health_check"), "{ id = null, interval = null, path = \"/h\" }");
	assert_string_equal(D(v, "port"), "[]");
	assert_string_equal(D(v, "env"), "{}");
	assert_string_equal(D(v, "rule"), "toset([{ cidr = \"1.2.3.4/32\", rule_id = null }])");
	assert_string_equal(D(v, "deploy"), "{ rollback = null }");
	assert_int_equal(tb_upgrade_json_state(A, &schema, "{\"cpu\":\"x\"}", 11, &v), TB_EINVAL);
	assert_int_equal(tb_upgrade_json_state(A, &schema, "[", 1, &v), TB_EINVAL);
}

static int plan_op(struct tb_arena *a)
{
	int cpu = 2;
	const struct tb_type *t = tb_block_type(&root_block);
	const struct tb_value *cfg = NULL, *prior = NULL;
	struct tb_plan p;
	int err = tb_json_decode(a, t, create_config, strlen(create_config), &cfg);

	if (err == 0)
		err = tb_json_decode(a, t, prior_state, strlen(prior_state), &prior);
	if (err != 0)
		return err;
	p = (struct tb_plan){.prior = prior, .config = cfg, .proposed = cfg};
	err = tb_plan_prepare(a, &schema, &cpu, &p);
	if (err == 0)
		err = tb_plan_set_unknown(a, &p, "port[0].arn");
	if (err == 0)
		err = tb_upgrade_json_state(a, &schema, prior_state, strlen(prior_state), &cfg);
	return err;
}

static void test_schema_failing_alloc(void **state)
{
	assert_non_null(tb_block_type(&root_block));
	for (long n = 1; n < 100000; n++) {
		struct tb_arena *a = tb_arena_new();
		int err;

		core_fail_nth(n);
		err = plan_op(a);
		core_fail_off();
		tb_arena_free(a);
		if (err != 0 && err != TB_ENOMEM)
			fail_msg("allocation %ld refused: %d", n, err);
		if (!core_alloc_refused)
			break;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_schema_block_type),
	    cmocka_unit_test(test_schema_block_type_malformed),
	    cmocka_unit_test(test_schema_block_type_threads),
	    cmocka_unit_test(test_schema_paths),
	    cmocka_unit_test(test_schema_diags),
	    cmocka_unit_test(test_schema_plan_create),
	    cmocka_unit_test(test_schema_plan_update),
	    cmocka_unit_test(test_schema_plan_replace),
	    cmocka_unit_test(test_schema_plan_unknown_and_absent),
	    cmocka_unit_test(test_schema_plan_set),
	    cmocka_unit_test(test_schema_apply_defaults),
	    cmocka_unit_test(test_schema_upgrade),
	    cmocka_unit_test(test_schema_failing_alloc),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
