/*
 * talentbase_parameter: the resource type. Non-secret configuration in SSM
 * Parameter Store (String or StringList) with the valueFrom string ECS
 * needs; a value that looks like a credential, or a SecureString, is
 * refused and pointed at talentbase_secret.
 *
 *   schema      schema.c
 *   model       model.c
 *   SSM calls   ssm.c
 */
#include <string.h>
#include <strings.h>

#include "resources/parameter/parameter.h"
#include "tb/rules.h"

#define MINUTE_MS       (60 * 1000)
#define DEFAULT_TIMEOUT (5 * MINUTE_MS)

/* ---- checks ----------------------------------------------------------------------- */

static void check_type(struct tb_call *c, const struct tb_value *v)
{
	const char *type = tb_get_str(tb_attr(v, "type"));

	if (tb_str_eq(type, "SecureString"))
		tb_diag_add(
		    &c->diags, TB_SEV_ERROR, "type", "SecureString belongs in talentbase_secret",
		    "A SecureString's value would be stored in the state and shown in plans "
		    "here. Keep secrets in talentbase_secret (generated or write-only, never "
		    "in state) and reference it with talentbase_secret.x.env_refs.");
	else if (type && !tb_str_eq(type, "String") && !tb_str_eq(type, "StringList"))
		tb_diag_addf(&c->diags, TB_SEV_ERROR, "type", "Invalid parameter type",
		             "type is \"%s\"; it must be String or StringList.", type);
}

static void check_value(struct tb_call *c, const struct tb_value *v)
{
	const char *value = tb_get_str(tb_attr(v, "value"));
	const char *tier = tb_get_str(tb_attr(v, "tier"));
	const char *kind = tb_rules_credential_kind(value);
	size_t max = tb_param_max_value(tier ? tier : "Standard");

	if (kind != NULL)
		tb_diag_addf(
		    &c->diags, TB_SEV_ERROR, "value", "The value looks like a credential",
		    "value looks like %s (not repeated here). Parameters of this resource are "
		    "stored in state and shown in plans: keep the credential in "
		    "talentbase_secret (generate { } or value_wo) and pass it with "
		    "talentbase_secret.x.env_refs.",
		    kind);
	if (value && max && strlen(value) > max)
		tb_diag_addf(&c->diags, TB_SEV_ERROR, "value", "The value is too long",
		             "%zu characters; the %s tier holds up to %zu.", strlen(value),
		             tier ? tier : "Standard", max);
	if (value && *value == '\0')
		tb_diag_add(&c->diags, TB_SEV_ERROR, "value", "Empty value",
		            "SSM parameters cannot be empty.");
}

static void check_tier(struct tb_call *c, const struct tb_value *v)
{
	const char *tier = tb_get_str(tb_attr(v, "tier"));

	if (tier && tb_param_max_value(tier) == 0)
		tb_diag_addf(&c->diags, TB_SEV_ERROR, "tier", "Invalid tier",
		             "tier is \"%s\"; it must be Standard or Advanced.", tier);
}

static bool name_chars_ok(const char *name)
{
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_.-/", *p)))
			return false;
	return *name != '\0';
}

static void check_name(struct tb_call *c, const struct tb_value *v)
{
	const char *name = tb_get_str(tb_attr(v, "name"));
	const char *bare = name && *name == '/' ? name + 1 : name;

	if (name == NULL)
		return;
	if (!name_chars_ok(name) || strlen(name) > 2048 || (strchr(bare, '/') && *name != '/'))
		tb_diag_addf(
		    &c->diags, TB_SEV_ERROR, "name", "Invalid parameter name",
		    "\"%s\": letters, digits and _.-/ only, at most 2048 characters, and a "
		    "name with a path starts with / (/team/app/setting).",
		    name);
	else if (strncasecmp(bare, "aws", 3) == 0 || strncasecmp(bare, "ssm", 3) == 0)
		tb_diag_addf(&c->diags, TB_SEV_ERROR, "name", "Reserved parameter name",
		             "\"%s\": names may not start with aws or ssm.", name);
}

/* clang-format off */
static void (*const checks[])(struct tb_call *c, const struct tb_value *v) = {
    check_type, check_value, check_tier, check_name, tb_kit_check_timeouts,
};
/* clang-format on */

static void check_all(struct tb_call *c, const struct tb_value *v)
{
	for (size_t i = 0; i < TB_COUNT(checks); i++)
		checks[i](c, v);
}

static void param_validate(struct tb_call *c, const struct tb_value *config)
{
	check_all(c, config);
}

/* ---- plan ------------------------------------------------------------------------------- */

/* clang-format off */
static const char *const new_version_inputs[] = {"value", "description", "tier", "type"};
/* clang-format on */

static int plan_update(struct tb_arena *a, struct tb_plan *p)
{
	bool put = false;
	int err = 0;

	for (size_t i = 0; i < TB_COUNT(new_version_inputs); i++)
		put = put || tb_kit_plan_attr_changed(p, new_version_inputs[i]);
	if (put)
		err = tb_plan_set_unknown(a, p, "version");
	/* SSM cannot take a parameter back from Advanced to Standard. */
	if (err == 0 && tb_str_eq(tb_get_str(tb_attr(p->prior, "tier")), "Advanced") &&
	    tb_str_eq(tb_get_str(tb_attr(p->planned, "tier")), "Standard"))
		err = tb_kit_plan_replace(a, p, "tier");
	return err;
}

static int param_plan(struct tb_call *c, struct tb_plan *p)
{
	struct tb_arena *a = c->arena;
	int err = tb_kit_plan_tags(a, c->meta, p);

	if (err == 0)
		err = tb_plan_set(a, p, "id", tb_attr(p->planned, "name"));
	if (err == 0 && tb_is_known(p->prior))
		err = plan_update(a, p);
	if (err == 0)
		check_all(c, p->planned);
	return err;
}

/* ---- apply ------------------------------------------------------------------------------ */

/* clang-format off */
static const char *const computed_attrs[] = {"id", "arn", "version", "env_ref"};
/* clang-format on */

static const struct tb_value *apply_result(struct tb_call *c, const struct tb_value *planned,
                                           const struct tb_param *p, bool partial)
{
	const struct tb_value *full = NULL;

	if (tb_param_state(c->arena, c->meta, p, planned, &full) != 0)
		return NULL;
	return tb_kit_apply_result(c->arena, planned, full, partial, computed_attrs,
	                           TB_COUNT(computed_attrs));
}

/* Reads back the ARN (PutParameter does not return it). */
static int read_arn(struct tb_aws_ctx *ctx, struct tb_param *p)
{
	struct tb_param got = *p;
	int err = tb_param_read_aws(ctx, &got);

	if (err == 0) {
		p->arn = got.arn;
		p->version = got.version;
	}
	return err;
}

static int param_create(struct tb_op *op, const struct tb_value *planned,
                        const struct tb_value **out)
{
	struct tb_call *c = op->call;
	struct tb_param p;
	int err = tb_param_load(c->arena, c->meta, planned, &p);

	if (err != 0)
		return err;
	p.arn = NULL;
	err = tb_kit_fail(op, &op->ctx, "creating parameter", tb_param_put(&op->ctx, &p, false));
	if (err != 0)
		return err;
	err = tb_kit_fail(op, &op->ctx, "reading parameter", read_arn(&op->ctx, &p));
	*out = apply_result(c, planned, &p, err != 0);
	return err;
}

static int param_update(struct tb_op *op, const struct tb_value *prior,
                        const struct tb_value *planned, const struct tb_value **out)
{
	struct tb_call *c = op->call;
	struct tb_param old, p;
	struct tb_kit_tag_diff d;
	int err = tb_param_load(c->arena, c->meta, prior, &old);

	if (err == 0)
		err = tb_param_load(c->arena, c->meta, planned, &p);
	if (err != 0)
		return err;
	p.arn = old.arn;
	if (tb_is_unknown(tb_attr(planned, "version")))
		err = tb_kit_fail(op, &op->ctx, "updating parameter",
		                  tb_param_put(&op->ctx, &p, true));
	else
		p.version = old.version;
	if (err == 0)
		err = tb_kit_tags_diff(c->arena, &old.tags_all, &p.tags_all, &d);
	if (err == 0)
		err = tb_kit_fail(op, &op->ctx, "updating tags",
		                  tb_kit_retag(&op->ctx, "ssm", &p.name, 1, &d));
	*out = err == 0 ? apply_result(c, planned, &p, false) : prior;
	return err;
}

static int param_delete(struct tb_op *op, const struct tb_value *prior)
{
	struct tb_param p;
	int err = tb_param_load(op->call->arena, op->call->meta, prior, &p);

	if (err == 0)
		err = tb_kit_fail(op, &op->ctx, "deleting parameter",
		                  tb_param_delete_aws(&op->ctx, &p));
	return err;
}

/* ---- read and import ------------------------------------------------------------------------ */

static int param_read(struct tb_op *op, const struct tb_value *state, const struct tb_value **out)
{
	struct tb_call *c = op->call;
	struct tb_param p;
	int err = tb_param_load(c->arena, c->meta, state, &p);

	if (err == 0)
		err = tb_param_read_aws(&op->ctx, &p);
	if (err == TB_ENOTFOUND) {
		*out = tb_null(c->arena, tb_block_type(&tb_param_block));
		return 0;
	}
	if (err != 0)
		return tb_kit_fail(op, &op->ctx, "reading parameter", err);
	return tb_param_state(c->arena, c->meta, &p, state, out);
}

static int param_import(struct tb_op *op, const char *const *parts, size_t n,
                        const struct tb_value **out)
{
	struct tb_call *c = op->call;
	const char *names[] = {"name"};
	const struct tb_value *shape = tb_kit_skeleton(c->arena, &tb_param_block, names, parts, 1);
	struct tb_param p;
	int err = shape ? tb_param_load(c->arena, c->meta, shape, &p) : TB_ENOMEM;

	op->rname = parts[0];
	if (err == 0)
		err = tb_param_read_aws(&op->ctx, &p);
	if (err == TB_ENOTFOUND)
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL,
		             "Cannot import non-existent remote object",
		             "No SSM parameter named %s.", parts[0]);
	else if (err != 0)
		return tb_kit_fail(op, &op->ctx, "reading parameter", err);
	if (err == 0 && tb_str_eq(p.type, "SecureString")) {
		tb_diag_addf(
		    &c->diags, TB_SEV_ERROR, NULL, "Cannot import a SecureString",
		    "%s is a SecureString: its value would be stored in state here. Keep the "
		    "secret in talentbase_secret instead.",
		    parts[0]);
		err = TB_EINVAL;
	}
	return err == 0 ? tb_param_state(c->arena, c->meta, &p, shape, out) : err;
}

/* clang-format off */
static const struct tb_error_path error_paths[] = {
    {.code = "ParameterAlreadyExists", .path = "name"},
    {.code = "ParameterLimitExceeded", .path = "name"},
    {.code = "HierarchyLevelLimitExceededException", .path = "name"},
    {.code = "UnsupportedParameterType", .path = "type"},
    {.code = "ParameterMaxVersionLimitExceeded", .path = "value"},
    {.code = "InvalidAllowedPatternException", .path = "value"},
    {.code = NULL},
};
/* clang-format on */

const struct tb_resource tb_resource_parameter = {
    .name = TB_PARAM_RESOURCE,
    .schema = &tb_param_schema,
    .needs_aws = true,
    .timeouts = {.create = DEFAULT_TIMEOUT,
                 .read = DEFAULT_TIMEOUT,
                 .update = DEFAULT_TIMEOUT,
                 .delete = DEFAULT_TIMEOUT},
    .name_attr = "name",
    .import_id = {.format = "<parameter name>",
                  .example = "/talentbase-prod/web/api-url",
                  .min_parts = 1,
                  .max_parts = 1},
    .error_paths = error_paths,
    .validate = param_validate,
    .plan = param_plan,
    .create = param_create,
    .update = param_update,
    .delete = param_delete,
    .read = param_read,
    .import = param_import,
};
