/*
 * talentbase_secret: the resource type. Validation and planning over cty
 * values (when a new value is sent, the references that follow from the
 * ARN), and the CRUD entry points that turn values into settings (struct
 * tb_secret) and hand them to the sequences.
 *
 *   schema, defaults        schema.c
 *   value <-> struct        model.c (the kit's field engine)
 *   checks                  checks.c (the rules are provider/rules/secret.c)
 *   the value               generate.c
 *   env_refs, read policy   refs.c
 *   Secrets Manager         sm.c; sequences in bundle.c
 *   ephemeral resource      ephemeral.c
 */
#include <string.h>

#include "resources/secret/checks.h"
#include "resources/secret/secret.h"
#include "tb/rules.h"

#define MINUTE_MS       (60 * 1000)
#define DEFAULT_TIMEOUT (10 * MINUTE_MS)
#define READ_TIMEOUT_MS (5 * MINUTE_MS)

/* ValidateResourceConfig: shape, the client's write-only support, rules. */
static void secret_validate(struct tb_call *c, const struct tb_value *config)
{
	const struct tb_value *eff = NULL;

	if (tb_schema_apply_defaults(c->arena, &tb_secret_schema, c->meta, config, &eff) != 0) {
		tb_diag_add(&c->diags, TB_SEV_ERROR, NULL, "Out of memory", NULL);
		return;
	}
	tb_secret_check_shape(c, config);
	tb_secret_check_write_only(c, config);
	tb_kit_rules(c, TB_SECRET_RESOURCE, TB_RULES_VALIDATE, eff);
}

/* ---- plan: when is a new value sent? ---------------------------------------------------- */

static const struct tb_value *gen_attr(const struct tb_value *v, const char *name)
{
	return tb_attr(tb_attr(v, "generate"), name);
}

static bool gen_changed(const struct tb_plan *p, const char *name)
{
	return !tb_value_equal(gen_attr(p->prior, name), gen_attr(p->planned, name));
}

/* clang-format off */
static const char *const gen_settings[] = {
    "length", "exclude_punctuation", "include_space", "exclude_characters",
};
/* clang-format on */

/* Both states generate: a new version is a new value; a new JSON shape
 * without one cannot be written (the stored value is never read back);
 * other settings wait for the next version (the plan says so). */
static bool plan_generate(struct tb_call *c, const struct tb_plan *p)
{
	const char *changed = NULL;

	if (gen_changed(p, "version"))
		return true;
	if (gen_changed(p, "json_key") || tb_kit_plan_attr_changed(p, "template")) {
		tb_diag_add(
		    &c->diags, TB_SEV_ERROR,
		    gen_changed(p, "json_key") ? "generate.json_key" : "template",
		    "The stored JSON changes only with a new value",
		    "generate.json_key and template shape the JSON stored with the generated "
		    "value. The provider never reads the stored value back, so it can write "
		    "them only together with a new value: bump generate.version to store a "
		    "new generated value in the new shape.");
		return false;
	}
	for (size_t i = 0; i < TB_COUNT(gen_settings) && changed == NULL; i++)
		if (gen_changed(p, gen_settings[i]))
			changed = tb_arena_printf(c->arena, "generate.%s", gen_settings[i]);
	if (changed)
		tb_diag_add(
		    &c->diags, TB_SEV_WARNING, changed, "The stored value stays",
		    "These generate settings take effect with the next generated value: the "
		    "value in Secrets Manager does not change. Bump generate.version to "
		    "generate a new one now.");
	return false;
}

/* Whether the update sends a new value (see the docs: a change of the
 * recorded source, of generate.version or of value_wo_version). */
static bool plan_fresh_value(struct tb_call *c, const struct tb_plan *p)
{
	bool was_gen = tb_is_known(tb_attr(p->prior, "generate"));
	bool is_gen = tb_is_known(tb_attr(p->planned, "generate"));
	const struct tb_value *wo_old = tb_attr(p->prior, "value_wo_version");
	const struct tb_value *wo_new = tb_attr(p->planned, "value_wo_version");

	if (!was_gen && tb_is_null(wo_old)) {
		if (is_gen || !tb_is_null(wo_new))
			tb_diag_add(
			    &c->diags, TB_SEV_WARNING,
			    is_gen ? "generate.version" : "value_wo_version",
			    "The stored value stays",
			    "The state records no value source yet (an imported secret, or "
			    "value_wo without value_wo_version): this one is recorded and no "
			    "value is sent. Change generate.version or value_wo_version later to "
			    "send a new value.");
		return false;
	}
	if (was_gen != is_gen)
		return true;
	return is_gen ? plan_generate(c, p) : !tb_value_equal(wo_old, wo_new);
}

/* ---- plan: computed values ------------------------------------------------------------ */

/* env_refs: known keys; values unknown until the ARN is. */
static int plan_env_refs(struct tb_arena *a, struct tb_plan *p, const struct tb_secret *s,
                         const char *arn)
{
	const struct tb_type *t = tb_type_map(a, &tb_type_string);
	struct tb_kvs refs;
	const struct tb_value **vals;
	const char **keys;
	int err = t ? tb_secret_env_refs(a, s, arn, &refs) : TB_ENOMEM;

	if (err != 0)
		return err;
	if (s->name == NULL && refs.n == 1 && *refs.v[0].key == '\0')
		return tb_plan_set_unknown(a, p, "env_refs"); /* named after an unknown name */
	vals = tb_arena_alloc(a, (refs.n + 1) * sizeof(*vals));
	keys = tb_arena_alloc(a, (refs.n + 1) * sizeof(*keys));
	if (vals == NULL || keys == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < refs.n; i++) {
		keys[i] = refs.v[i].key;
		vals[i] = refs.v[i].value ? tb_string(a, refs.v[i].value)
		                          : tb_unknown(a, &tb_type_string);
		if (vals[i] == NULL)
			return TB_ENOMEM;
	}
	return tb_plan_set(a, p, "env_refs", tb_map(a, t, refs.n, keys, vals));
}

static int plan_computed(struct tb_call *c, struct tb_plan *p)
{
	struct tb_arena *a = c->arena;
	const char *arn = tb_get_str(tb_attr(p->prior, "arn"));
	struct tb_secret s;
	char *policy;
	int err = tb_secret_load(a, c->meta, p->planned, &s);

	if (err == 0)
		err = plan_env_refs(a, p, &s, arn);
	if (err != 0 || arn == NULL)
		return err;
	policy = tb_secret_read_policy(a, arn, s.kms_key_id);
	return policy ? tb_plan_set(a, p, "read_policy_json", tb_string(a, policy)) : TB_ENOMEM;
}

/* Managed rotation is for secrets another service creates; this resource
 * creates its secret with CreateSecret. */
static void check_new_rotation(struct tb_call *c, const struct tb_plan *p)
{
	const struct tb_value *rot = tb_attr(p->planned, "rotation");

	if (tb_is_known(rot) && tb_is_null(tb_attr(rot, "lambda_arn")) && tb_is_null(p->prior))
		tb_diag_add(
		    &c->diags, TB_SEV_ERROR, "rotation.lambda_arn", "Rotation needs a function",
		    "Without lambda_arn, RotateSecret asks for managed rotation, which Secrets "
		    "Manager offers only for secrets created by the service that manages "
		    "them. Give the rotation function's ARN.");
}

/* PlanResourceChange: tags_all, when a new value is sent (version_id
 * unknown), env_refs and the read policy, then checks and rules. */
static int secret_plan(struct tb_call *c, struct tb_plan *p)
{
	struct tb_arena *a = c->arena;
	int err = tb_kit_plan_tags(a, c->meta, p);

	if (err == 0 && tb_is_known(p->prior) && plan_fresh_value(c, p))
		err = tb_plan_set_unknown(a, p, "version_id");
	if (err == 0)
		err = plan_computed(c, p);
	if (err != 0)
		return err;
	tb_secret_check_shape(c, p->config);
	check_new_rotation(c, p);
	tb_kit_rules(c, TB_SECRET_RESOURCE, TB_RULES_PLAN, p->planned);
	return 0;
}

/* ---- apply ------------------------------------------------------------------------------- */

/* clang-format off */
static const char *const computed_attrs[] = {
    "id", "arn", "version_id", "env_refs", "read_policy_json",
};
/* clang-format on */

static const struct tb_value *apply_result(struct tb_call *c, const struct tb_value *planned,
                                           const struct tb_secret *s, bool partial)
{
	const struct tb_value *full = NULL;

	if (tb_secret_state(c->arena, c->meta, s, planned, false, &full) != 0)
		return NULL;
	return tb_kit_apply_result(c->arena, planned, full, partial, computed_attrs,
	                           TB_COUNT(computed_attrs));
}

static int secret_create(struct tb_op *op, const struct tb_value *planned,
                         const struct tb_value **out)
{
	struct tb_call *c = op->call;
	const char *value = NULL;
	struct tb_secret s;
	int err = tb_secret_load(c->arena, c->meta, planned, &s);

	if (err == 0)
		err = tb_secret_value(c, &s, &value);
	if (err != 0)
		return err;
	s.arn = s.id = s.version_id = NULL;
	err = tb_secret_create_bundle(op, &s, value);
	*out = s.arn ? apply_result(c, planned, &s, err != 0) : NULL;
	return err;
}

static int secret_read(struct tb_op *op, const struct tb_value *state, const struct tb_value **out);

static int secret_update(struct tb_op *op, const struct tb_value *prior,
                         const struct tb_value *planned, const struct tb_value **out)
{
	struct tb_call *c = op->call;
	bool fresh = tb_is_unknown(tb_attr(planned, "version_id"));
	const char *value = NULL;
	struct tb_secret old, s;
	struct tb_op reread;
	const struct tb_value *now = NULL;
	int err = tb_secret_load(c->arena, c->meta, prior, &old);

	if (err == 0)
		err = tb_secret_load(c->arena, c->meta, planned, &s);
	if (err == 0 && fresh)
		err = tb_secret_value(c, &s, &value);
	if (err != 0)
		return err;
	s.arn = s.id = old.arn;
	s.version_id = old.version_id;
	err = tb_secret_update_bundle(op, &old, &s, value);
	if (err == 0) {
		*out = apply_result(c, planned, &s, false);
		return 0;
	}
	/* What AWS has now is the honest state after a failed update. */
	tb_kit_op_init(&reread, c, op->res, "read", prior);
	*out = secret_read(&reread, prior, &now) == 0 && now ? now : prior;
	return err;
}

static int secret_delete(struct tb_op *op, const struct tb_value *prior)
{
	struct tb_secret s;
	int err = tb_secret_load(op->call->arena, op->call->meta, prior, &s);

	return err == 0 ? tb_secret_delete_aws(op, &s) : err;
}

/* ---- read and import --------------------------------------------------------------------- */

/* ReadResource: DescribeSecret and GetResourcePolicy. A secret that is gone
 * or scheduled for deletion leaves the state (null: the plan creates it). */
static int secret_read(struct tb_op *op, const struct tb_value *state, const struct tb_value **out)
{
	struct tb_call *c = op->call;
	struct tb_secret s;
	int err = tb_secret_load(c->arena, c->meta, state, &s);

	if (err == 0)
		err = tb_secret_read_aws(&op->ctx, &s);
	if (err == TB_ENOTFOUND) {
		*out = tb_null(c->arena, tb_block_type(&tb_secret_block));
		return 0;
	}
	if (err != 0)
		return tb_kit_fail(op, &op->ctx, "reading secret", err);
	return tb_secret_state(c->arena, c->meta, &s, state, false, out);
}

static const struct tb_value *skeleton(struct tb_arena *a, const char *name)
{
	const char *names[] = {"name"};
	const char *values[] = {name};

	return tb_kit_skeleton(a, &tb_secret_block, names, values, 1);
}

static void report_import_gone(struct tb_call *c, const char *id, const struct tb_secret *s)
{
	if (s->deleted_date)
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, "Cannot import a deleted secret",
		             "Secret %s is scheduled for deletion on %s. Restore it first (aws "
		             "secretsmanager restore-secret --secret-id %s), or create it with "
		             "restore_if_deleted = true.",
		             id, s->deleted_date, id);
	else
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL,
		             "Cannot import non-existent remote object",
		             "No secret named or with ARN %s.", id);
}

/* ImportResourceState by name or ARN. Settings only the configuration
 * knows (generate, template, json_keys, value_wo_version) stay null. */
static int secret_import(struct tb_op *op, const char *const *parts, size_t n,
                         const struct tb_value **out)
{
	struct tb_call *c = op->call;
	const struct tb_value *shape = skeleton(c->arena, parts[0]);
	struct tb_secret s;
	int err = shape ? tb_secret_load(c->arena, c->meta, shape, &s) : TB_ENOMEM;

	op->rname = parts[0];
	if (err == 0)
		err = tb_secret_read_aws(&op->ctx, &s);
	if (err == TB_ENOTFOUND) {
		report_import_gone(c, parts[0], &s);
		return err;
	}
	if (err != 0)
		return tb_kit_fail(op, &op->ctx, "reading secret", err);
	shape = skeleton(c->arena, s.name);
	return shape ? tb_secret_state(c->arena, c->meta, &s, shape, true, out) : TB_ENOMEM;
}

/* AWS errors that one attribute of the configuration explains. */
/* clang-format off */
static const struct tb_error_path error_paths[] = {
    {.code = "ResourceExistsException", .path = "name"},
    {.code = "MalformedPolicyDocumentException", .path = "policy"},
    {.code = "PublicPolicyException", .path = "policy"},
    {.code = "EncryptionFailure", .path = "kms_key_id"},
    {.code = "KMSInvalidStateException", .path = "kms_key_id"},
    {.code = NULL},
};
/* clang-format on */

const struct tb_resource tb_resource_secret = {
    .name = TB_SECRET_RESOURCE,
    .schema = &tb_secret_schema,
    .needs_aws = true,
    .timeouts = {.create = DEFAULT_TIMEOUT,
                 .read = READ_TIMEOUT_MS,
                 .update = DEFAULT_TIMEOUT,
                 .delete = DEFAULT_TIMEOUT},
    .name_attr = "name",
    .import_id = {.format = "<secret name or ARN>",
                  .example = "talentbase-prod/web/session-secret",
                  .min_parts = 1,
                  .max_parts = 1},
    .error_paths = error_paths,
    .validate = secret_validate,
    .plan = secret_plan,
    .create = secret_create,
    .update = secret_update,
    .delete = secret_delete,
    .read = secret_read,
    .import = secret_import,
};
