/*
 * The resource kit on a small resource of its own: the field engine
 * (defaults, SETTINGS and FEATURE blocks, state shaped after prior), step
 * phases (slots isolated, merged after the phase and after a failure, the
 * diagnostic naming the resource and the step), the preamble (import ID
 * shapes, the configured check, error paths) and tag differences.
 */
#include "helpers/aws_fixture.h"
#include "helpers/resource_fixture.h"
#include "resources/kit/kit.h"

/* ---- a resource of the kit's own ------------------------------------------------ */

struct thing {
	const char *name;
	int64_t retention;
	struct tb_kvs tags;
	struct {
		bool set;
		int64_t x;
	} settings;
	struct {
		bool set;
		const char *y;
	} feature;
	const char *arn, *other; /* what steps produce */
};

static const struct tb_attr settings_attrs[] = {
    {.name = "x",
     .type = "\"number\"",
     .flags = TB_A_OPTIONAL | TB_A_COMPUTED,
     .default_json = "7"},
};
static const struct tb_block settings_block = {.attrs = settings_attrs, .n_attrs = 1};
static const struct tb_attr feature_attrs[] = {
    {.name = "y", .type = "\"string\"", .flags = TB_A_REQUIRED},
};
static const struct tb_block feature_block = {.attrs = feature_attrs, .n_attrs = 1};
static const struct tb_attr thing_attrs[] = {
    {.name = "name", .type = "\"string\"", .flags = TB_A_REQUIRED},
    {.name = "retention",
     .type = "\"number\"",
     .flags = TB_A_OPTIONAL | TB_A_COMPUTED,
     .default_json = "30"},
    {.name = "tags", .type = "[\"map\",\"string\"]", .flags = TB_A_OPTIONAL},
    {.name = "note", .type = "\"string\"", .flags = TB_A_OPTIONAL},
};
static const struct tb_nested thing_blocks[] = {
    {.name = "settings", .nesting = TB_NEST_SINGLE, .block = &settings_block},
    {.name = "feature", .nesting = TB_NEST_SINGLE, .block = &feature_block},
};
static const struct tb_block thing_block = {
    .attrs = thing_attrs, .n_attrs = TB_COUNT(thing_attrs), .blocks = thing_blocks, .n_blocks = 2};
static const struct tb_schema thing_schema = {.block = &thing_block};

static const struct tb_block *thing_block_at(const char *path)
{
	if (*path == '\0')
		return &thing_block;
	return strcmp(path, "settings") == 0  ? &settings_block
	       : strcmp(path, "feature") == 0 ? &feature_block
	                                      : NULL;
}

static const struct tb_kit_field thing_fields[] = {
    TB_KIT_FIELD(struct thing, "", "name", TB_KIT_STR, name, 0),
    TB_KIT_FIELD(struct thing, "", "retention", TB_KIT_INT, retention, 0),
    TB_KIT_FIELD(struct thing, "", "tags", TB_KIT_KVS, tags, 0),
    TB_KIT_FIELD(struct thing, "settings", "x", TB_KIT_INT, settings.x, 0),
    TB_KIT_FIELD(struct thing, "feature", "y", TB_KIT_STR, feature.y, 0),
};
static const struct tb_kit_blockdef thing_blockdefs[] = {
    TB_KIT_BLOCK(struct thing, "settings", TB_KIT_SETTINGS, settings.set),
    TB_KIT_BLOCK(struct thing, "feature", TB_KIT_FEATURE, feature.set),
};
static const struct tb_kit_model thing_model = {
    .fields = thing_fields,
    .n_fields = TB_COUNT(thing_fields),
    .blocks = thing_blockdefs,
    .n_blocks = TB_COUNT(thing_blockdefs),
    .block_at = thing_block_at,
};

static const char *seen_parts[4];
static size_t seen_n;

static int thing_import(struct tb_op *op, const char *const *parts, size_t n,
                        const struct tb_value **out)
{
	seen_n = n;
	for (size_t i = 0; i < n && i < 4; i++)
		seen_parts[i] = parts[i];
	*out = tb_null(op->call->arena, tb_block_type(&thing_block));
	return 0;
}

static const struct tb_error_path thing_errors[] = {
    {.code = "NameTaken", .path = "name"},
    {.code = NULL},
};

static const struct tb_resource thing = {
    .name = "talentbase_thing",
    .schema = &thing_schema,
    .needs_aws = true,
    .name_attr = "name",
    .import_id = {.format = "<group>/<name>[/<part>]",
                  .example = "g/n",
                  .min_parts = 2,
                  .max_parts = 3},
    .error_paths = thing_errors,
    .import = thing_import,
};

static struct tb_aws_client *CLIENT; /* configured, never reached: no step calls AWS */

static int kit_setup(void **state)
{
	struct tb_aws_config cfg = tbt_aws_config();
	char *err = NULL;

	tbt_aws_env_reset();
	if (tb_aws_client_new(&cfg, &CLIENT, &err) != 0) {
		free(err);
		return -1;
	}
	return tbt_setup(state);
}

static int kit_teardown(void **state)
{
	tb_aws_client_free(CLIENT);
	tbt_aws_home_remove();
	return tbt_teardown(state);
}

static struct tb_meta configured(void)
{
	struct tb_meta m = tbt_meta("production");
	m.aws = CLIENT;
	return m;
}

/* ---- the field engine ---------------------------------------------------------------- */

static void test_kit_load_defaults(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct thing t;

	memset(&t, 0, sizeof(t));
	assert_int_equal(
	    tb_kit_load(&thing_model, A, &meta,
	                tbt_value(&thing_block, "{\"name\":\"a\",\"tags\":{\"k\":\"v\"}}"), &t),
	    0);
	assert_string_equal(t.name, "a");
	assert_int_equal(t.retention, 30);
	assert_false(t.settings.set);
	assert_int_equal(t.settings.x, 7);
	assert_false(t.feature.set);
	assert_int_equal(t.tags.n, 1);
	assert_string_equal(t.tags.v[0].value, "v");
}

static void test_kit_state_shaped_after_prior(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	const struct tb_value *prior =
	    tbt_value(&thing_block, "{\"name\":\"a\",\"retention\":30,\"note\":\"mine\"}");
	const struct tb_value *out = NULL;
	struct thing dflt, act;

	memset(&dflt, 0, sizeof(dflt));
	assert_int_equal(tb_kit_load(&thing_model, A, &meta, prior, &dflt), 0);
	act = dflt;
	/* AWS matches the defaults: the block left out stays out; unknown-to-AWS attrs stay. */
	assert_int_equal(tb_kit_build_state(&thing_model, A, &act, &dflt, prior, false, &out), 0);
	assert_true(tb_is_null(tbt_at(out, "settings")));
	assert_true(tb_is_null(tbt_at(out, "feature")));
	assert_string_equal(tbt_str(out, "note"), "mine");
	/* Drift from the defaults shows the block with AWS's value. */
	act.settings.x = 9;
	act.feature.set = true;
	act.feature.y = "on";
	assert_int_equal(tb_kit_build_state(&thing_model, A, &act, &dflt, prior, false, &out), 0);
	assert_int_equal(tbt_int(out, "settings.x"), 9);
	assert_string_equal(tbt_str(out, "feature.y"), "on");
	assert_false(tb_kit_block_equal(&thing_model, "settings", &act, &dflt));
	assert_false(tb_kit_block_equal(&thing_model, "feature", &act, &dflt));
	assert_true(tb_kit_attr_equal(&thing_model, "", "retention", &act, &dflt));
}

static void test_kit_fill_unknowns(void **state)
{
	const struct tb_type *t = tb_block_type(&thing_block);
	const struct tb_value *planned =
	    tbt_value(&thing_block, "{\"name\":\"a\",\"retention\":30}");
	const struct tb_value *full =
	    tbt_value(&thing_block, "{\"name\":\"a\",\"retention\":30,\"note\":\"n\"}");
	const struct tb_value *out;

	planned = tb_object_with(A, planned, "note", tb_unknown(A, &tb_type_string));
	out = tb_kit_fill_unknowns(A, planned, full);
	assert_true(tb_type_equal(out->type, t));
	assert_string_equal(tbt_str(out, "note"), "n");
}

/* ---- steps ------------------------------------------------------------------------------ */

static int step_arn(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct thing *t = slot;

	/* The other step's write is not visible: each step has its own slot. */
	assert_null(t->other);
	t->arn = "arn:made";
	t->retention = 99; /* not merged */
	return 0;
}

static int step_other(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct thing *t = slot;

	assert_null(t->arn);
	t->other = "other:made";
	ctx->error = (struct tb_aws_error){.err = TB_ECONFLICT,
	                                   .service = "svc",
	                                   .action = "MakeOther",
	                                   .code = "NameTaken",
	                                   .message = "taken",
	                                   .request_id = "req-9"};
	return TB_ECONFLICT;
}

static void merge_arn(void *state, const void *slot)
{
	((struct thing *)state)->arn = ((const struct thing *)slot)->arn;
}

static void merge_other(void *state, const void *slot)
{
	((struct thing *)state)->other = ((const struct thing *)slot)->other;
}

static void test_kit_steps_slots_and_failure(void **state)
{
	static const struct tb_kit_step phase[] = {
	    {.name = "making the ARN", .run = step_arn, .merge = merge_arn},
	    {.name = "making the other", .run = step_other, .merge = merge_other},
	};
	struct tb_meta meta = configured();
	struct tb_call c = tbt_call(&meta);
	struct thing t = {.name = "a", .retention = 30};
	struct tb_op op;
	const struct tb_diag *d;

	tb_kit_op_init(&op, &c, &thing, "create", tbt_value(&thing_block, "{\"name\":\"a\"}"));
	assert_int_equal(TB_KIT_RUN(&op, &t, phase), TB_ECONFLICT);
	/* Both steps' results are recorded, also after the failure; only what they own. */
	assert_string_equal(t.arn, "arn:made");
	assert_string_equal(t.other, "other:made");
	assert_int_equal(t.retention, 30);
	assert_int_equal(c.diags.n_errors, 1);
	d = c.diags.head;
	assert_non_null(strstr(d->summary, "making the other for talentbase_thing \"a\""));
	assert_non_null(strstr(d->summary, "MakeOther"));
	assert_non_null(strstr(d->summary, "NameTaken"));
	assert_non_null(strstr(d->summary, "req-9"));
	/* The error code names an attribute. */
	assert_int_equal(d->path.n, 1);
	assert_string_equal(d->path.steps[0].name, "name");
}

/* A failure that is not an AWS answer (a wait that timed out) keeps its own words. */
static void test_kit_fail_keeps_the_message(void **state)
{
	struct tb_meta meta = configured();
	struct tb_call c = tbt_call(&meta);
	struct tb_op op;

	tb_kit_op_init(&op, &c, &thing, "create", tbt_value(&thing_block, "{\"name\":\"a\"}"));
	op.ctx.error = (struct tb_aws_error){
	    .err = TB_ETIMEOUT,
	    .message = "timeout after 20s waiting for the widget (last state x)"};
	assert_int_equal(tb_kit_fail(&op, &op.ctx, "waiting", TB_ETIMEOUT), TB_ETIMEOUT);
	assert_non_null(tbt_diag(&c, "waiting for talentbase_thing \"a\": timeout after 20s "
	                             "waiting for the widget (last state x)"));
	/* A message of another failure is not borrowed. */
	assert_int_equal(tb_kit_fail(&op, &op.ctx, "reading", TB_ENOMEM), TB_ENOMEM);
	assert_null(strstr(c.diags.tail->summary, "widget"));
}

/* ---- the preamble ------------------------------------------------------------------------ */

static void test_kit_import_id_shapes(void **state)
{
	struct tb_meta meta = configured();
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *out = NULL;

	assert_int_equal(tb_resource_import(&thing, &c, "g/n", &out), 0);
	assert_int_equal(seen_n, 2);
	assert_string_equal(seen_parts[0], "g");
	assert_string_equal(seen_parts[1], "n");
	assert_int_equal(tb_resource_import(&thing, &c, "a/b/c/d", &out), 0);
	assert_int_equal(seen_n, 3);
	assert_string_equal(seen_parts[0], "a/b");
	assert_string_equal(seen_parts[2], "d");
	assert_false(tb_diags_has_errors(&c.diags));
	assert_int_equal(tb_resource_import(&thing, &c, "alone", &out), TB_EINVAL);
	assert_non_null(tbt_diag(&c, "expected <group>/<name>[/<part>], e.g. g/n"));
	assert_int_equal(tb_resource_import(&thing, &c, "g/", &out), TB_EINVAL);
	assert_int_equal(c.diags.n_errors, 2);
}

static void test_kit_preamble_not_configured(void **state)
{
	struct tb_meta meta = tbt_meta("production");
	struct tb_call c = tbt_call(&meta);
	const struct tb_value *out = NULL;
	const struct tb_value *v = tbt_value(&thing_block, "{\"name\":\"a\"}");

	assert_int_equal(tb_resource_import(&thing, &c, "g/n", &out), TB_EINVAL);
	assert_non_null(tbt_diag(&c, "Provider not configured"));
	/* No create callback: an internal error, not a crash. */
	meta = configured();
	assert_int_equal(tb_resource_create(&thing, &c, v, &out), TB_EINVAL);
	assert_non_null(tbt_diag(&c, "has no create operation"));
	/* No read callback: the state stays as it is. */
	assert_int_equal(tb_resource_read(&thing, &c, v, &out), 0);
	assert_ptr_equal(out, v);
}

static void test_kit_timeouts(void **state)
{
	static const struct tb_resource timed = {
	    .name = "talentbase_timed", .schema = &thing_schema, .timeouts = {.create = 60000}};
	struct tb_meta meta = configured();
	struct tb_call c = tbt_call(&meta);
	struct tb_op op;
	int64_t now = tb_now_ms();

	tb_kit_op_init(&op, &c, &timed, "create", tbt_value(&thing_block, "{\"name\":\"a\"}"));
	assert_in_range(op.ctx.deadline_ms, now + 59000, now + 61000);
	assert_string_equal(op.rname ? op.rname : "(none)", "(none)");
	tb_kit_op_init(&op, &c, &timed, "delete", NULL);
	assert_int_equal(op.ctx.deadline_ms, 0);
}

/* ---- tags ----------------------------------------------------------------------------------- */

static void test_kit_tags_diff(void **state)
{
	struct tb_kv old_kv[] = {{"A", "1"}, {"B", "2"}, {"C", "3"}};
	struct tb_kv new_kv[] = {{"A", "1"}, {"B", "two"}, {"D", "4"}};
	struct tb_kvs old = {3, old_kv}, now = {3, new_kv};
	struct tb_kit_tag_diff d;

	assert_int_equal(tb_kit_tags_diff(A, &old, &now, &d), 0);
	assert_int_equal(d.set.n, 2);
	assert_string_equal(d.set.v[0].key, "B");
	assert_string_equal(d.set.v[1].key, "D");
	assert_int_equal(d.removed.n, 1);
	assert_string_equal(d.removed.v[0], "C");
}

static void test_kit_tags_actual(void **state)
{
	struct tb_meta meta = tbt_meta("production"); /* default_tags Project, ManagedBy */
	struct tb_kv all_kv[] = {{"ManagedBy", "Terraform"}, {"Project", "Other"}, {"Team", "web"}};
	struct tb_kvs all = {3, all_kv}, out;

	assert_int_equal(tb_kit_tags_actual(A, &meta, NULL, &all, &out), 0);
	/* ManagedBy is the default's; Project differs from it; Team is the resource's. */
	assert_int_equal(out.n, 2);
	assert_string_equal(out.v[0].key, "Project");
	assert_string_equal(out.v[1].key, "Team");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_kit_load_defaults, kit_setup, kit_teardown),
	    cmocka_unit_test_setup_teardown(test_kit_state_shaped_after_prior, kit_setup,
	                                    kit_teardown),
	    cmocka_unit_test_setup_teardown(test_kit_fill_unknowns, kit_setup, kit_teardown),
	    cmocka_unit_test_setup_teardown(test_kit_steps_slots_and_failure, kit_setup,
	                                    kit_teardown),
	    cmocka_unit_test_setup_teardown(test_kit_fail_keeps_the_message, kit_setup,
	                                    kit_teardown),
	    cmocka_unit_test_setup_teardown(test_kit_import_id_shapes, kit_setup, kit_teardown),
	    cmocka_unit_test_setup_teardown(test_kit_preamble_not_configured, kit_setup,
	                                    kit_teardown),
	    cmocka_unit_test_setup_teardown(test_kit_timeouts, kit_setup, kit_teardown),
	    cmocka_unit_test_setup_teardown(test_kit_tags_diff, kit_setup, kit_teardown),
	    cmocka_unit_test_setup_teardown(test_kit_tags_actual, kit_setup, kit_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
