/*
 * talentbase_database_proxy: the resource type. Validation and planning
 * over cty values, and the CRUD entry points that turn values into
 * effective settings (struct tb_dbp) and hand them to the bundle's
 * sequences.
 *
 *   schema              schema.c
 *   value <-> struct    model.c (the kit's field engine)
 *   the AWS objects     proxy.c, pool.c, targets.c, health.c, endpoint.c
 *   sequences           bundle.c
 */
#include <string.h>

#include "resources/database_proxy/database_proxy.h"
#include "tb/rules.h"

#define MINUTE_MS         (60 * 1000)
#define CREATE_TIMEOUT_MS (30 * MINUTE_MS)
#define UPDATE_TIMEOUT_MS (30 * MINUTE_MS)
#define DELETE_TIMEOUT_MS (60 * MINUTE_MS)
#define READ_TIMEOUT_MS   (5 * MINUTE_MS)
#define NAME_MAX_LEN      63
#define IDLE_MAX          28800

/* ---- checks the rules do not cover: the shape of the resource -------------------- */

static bool known_str(const struct tb_value *v)
{
	return tb_is_known(v) && tb_get_str(v) != NULL;
}

static void check_target(struct tb_call *c, const struct tb_value *v)
{
	const struct tb_value *t = tb_attr(v, "target");
	const struct tb_value *cl = tb_attr(t, "db_cluster"), *in = tb_attr(t, "db_instance");

	if (!tb_is_known(t) || tb_is_unknown(cl) || tb_is_unknown(in))
		return;
	if (known_str(cl) != known_str(in))
		return;
	if (known_str(cl))
		tb_diag_add(&c->diags, TB_SEV_ERROR, "target.db_instance",
		            "Exactly one database per proxy",
		            "Set either target.db_cluster or target.db_instance, not both.");
	else
		tb_diag_add(
		    &c->diags, TB_SEV_ERROR, "target.db_cluster", "No database for the proxy",
		    "Set target.db_cluster (an Aurora cluster) or target.db_instance (an RDS "
		    "instance).");
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static const char *const iam_modes[] = {"DISABLED", "REQUIRED", "ENABLED"};
static const char *const auth_types[] = {"MYSQL_NATIVE_PASSWORD", "MYSQL_CACHING_SHA2_PASSWORD",
                                         "POSTGRES_SCRAM_SHA_256", "POSTGRES_MD5",
                                         "SQL_SERVER_AUTHENTICATION"};

static void check_auth_type(struct tb_call *c, size_t i, const char *type, const char *family)
{
	const struct tb_dbp_engine *e = tb_dbp_engine(family);
	char *path = tb_arena_printf(c->arena, "auth[%zu].client_password_auth_type", i);

	if (!in_list(type, auth_types, TB_COUNT(auth_types)))
		tb_diag_addf(
		    &c->diags, TB_SEV_ERROR, path, "Invalid client password authentication",
		    "\"%s\" is not one of MYSQL_NATIVE_PASSWORD, MYSQL_CACHING_SHA2_PASSWORD, "
		    "POSTGRES_SCRAM_SHA_256, POSTGRES_MD5, SQL_SERVER_AUTHENTICATION.",
		    type);
	else if (e && !tb_str_has_prefix(type, e->auth_type_prefix))
		tb_diag_addf(
		    &c->diags, TB_SEV_ERROR, path,
		    "Client password authentication of another engine",
		    "\"%s\" does not apply to engine_family %s: use a %s... type, or leave "
		    "it null for the engine's default.",
		    type, e->family, e->auth_type_prefix);
}

static void check_auth(struct tb_call *c, const struct tb_value *v)
{
	const struct tb_value *list = tb_attr(v, "auth");
	const char *family = tb_get_str(tb_attr(v, "engine_family"));

	for (size_t i = 0; tb_is_known(list) && i < tb_len(list); i++) {
		const struct tb_value *o = list->u.coll.items[i];
		const char *iam = tb_get_str(tb_attr(o, "iam_auth"));
		const char *type = tb_get_str(tb_attr(o, "client_password_auth_type"));
		if (iam && !in_list(iam, iam_modes, TB_COUNT(iam_modes)))
			tb_diag_addf(&c->diags, TB_SEV_ERROR,
			             tb_arena_printf(c->arena, "auth[%zu].iam_auth", i),
			             "Invalid iam_auth",
			             "\"%s\" is not DISABLED, REQUIRED or ENABLED.", iam);
		if (type)
			check_auth_type(c, i, type, family);
	}
}

static bool name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '-';
}

/* 1-63 letters, digits and hyphens; a letter first; no trailing or double hyphen. */
static bool valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > NAME_MAX_LEN || !((name[0] | 0x20) >= 'a' && (name[0] | 0x20) <= 'z'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!name_char(name[i]) || (name[i] == '-' && (i + 1 == n || name[i + 1] == '-')))
			return false;
	return true;
}

static void check_name(struct tb_call *c, const struct tb_value *v)
{
	const char *name = tb_get_str(tb_attr(v, "name"));

	if (name && !valid_name(name))
		tb_diag_addf(&c->diags, TB_SEV_ERROR, "name", "Invalid proxy name",
		             "\"%s\": 1 to 63 letters, digits and hyphens, starting with a letter, "
		             "without two hyphens in a row or a hyphen at the end.",
		             name);
}

static void check_idle(struct tb_call *c, const struct tb_value *v)
{
	int64_t idle = 0;

	if (tb_get_int(tb_attr(v, "idle_client_timeout"), &idle) && (idle < 1 || idle > IDLE_MAX))
		tb_diag_addf(&c->diags, TB_SEV_ERROR, "idle_client_timeout",
		             "Invalid idle client timeout",
		             "%lld seconds is outside 1 to 28800 (8 hours).", (long long)idle);
}

/* clang-format off */
static void (*const shape_checks[])(struct tb_call *c, const struct tb_value *v) = {
    check_target, check_auth, check_name, check_idle, tb_kit_check_timeouts,
};
/* clang-format on */

static void check_shape(struct tb_call *c, const struct tb_value *v)
{
	for (size_t i = 0; i < TB_COUNT(shape_checks); i++)
		shape_checks[i](c, v);
}

/* ValidateResourceConfig: shape checks and the rules over the effective
 * configuration. */
static void proxy_validate(struct tb_call *c, const struct tb_value *config)
{
	const struct tb_value *eff = NULL;

	if (tb_schema_apply_defaults(c->arena, &tb_dbp_schema, c->meta, config, &eff) != 0) {
		tb_diag_add(&c->diags, TB_SEV_ERROR, NULL, "Out of memory", NULL);
		return;
	}
	check_shape(c, eff);
	tb_kit_rules(c, TB_DBP_RESOURCE, TB_RULES_VALIDATE, eff);
}

/* ---- plan ---------------------------------------------------------------------------- */

/* port from the engine family; env {DB_HOST = endpoint (unknown until
 * created), DB_PORT = port}. */
static int plan_port_env(struct tb_arena *a, struct tb_plan *p)
{
	const struct tb_dbp_engine *e =
	    tb_dbp_engine(tb_get_str(tb_attr(p->planned, "engine_family")));
	const struct tb_value *endpoint = tb_attr(p->planned, "endpoint");
	const struct tb_type *t = tb_type_map(a, &tb_type_string);
	const char *keys[] = {"DB_HOST", "DB_PORT"};
	const struct tb_value *vals[2];
	int err;

	if (e == NULL || t == NULL)
		return t ? 0 : TB_ENOMEM;
	err = tb_plan_set(a, p, "port", tb_int(a, e->port));
	if (err != 0)
		return err;
	vals[0] = known_str(endpoint) ? endpoint : tb_unknown(a, &tb_type_string);
	vals[1] = tb_string(a, tb_arena_printf(a, "%lld", (long long)e->port));
	return tb_plan_set(a, p, "env", tb_map(a, t, 2, keys, vals));
}

/* reader_endpoint_address: null without a reader endpoint, unknown for a new one. */
static int plan_reader(struct tb_arena *a, struct tb_plan *p)
{
	const struct tb_value *en = tb_attr(tb_attr(p->planned, "reader_endpoint"), "enabled");
	bool enabled = false;

	if (tb_is_unknown(en))
		return tb_plan_set_unknown(a, p, "reader_endpoint_address");
	tb_get_bool(en, &enabled);
	if (!enabled)
		return tb_plan_set(a, p, "reader_endpoint_address", tb_null(a, &tb_type_string));
	if (!known_str(tb_attr(p->prior, "reader_endpoint_address")))
		return tb_plan_set_unknown(a, p, "reader_endpoint_address");
	return 0;
}

/* PlanResourceChange: computed values that follow from the configuration,
 * then the shape checks and rules over the planned value. */
static int proxy_plan(struct tb_call *c, struct tb_plan *p)
{
	struct tb_arena *a = c->arena;
	const struct tb_value *name = tb_attr(p->planned, "name");
	int err = tb_kit_plan_tags(a, c->meta, p);

	if (err == 0 && known_str(name))
		err = tb_plan_set(a, p, "id", name);
	if (err == 0)
		err = plan_port_env(a, p);
	if (err == 0)
		err = plan_reader(a, p);
	if (err != 0)
		return err;
	check_shape(c, p->planned);
	tb_kit_rules(c, TB_DBP_RESOURCE, TB_RULES_PLAN, p->planned);
	return 0;
}

/* ---- apply ---------------------------------------------------------------------------- */

/* clang-format off */
static const char *const computed_attrs[] = {
    "id", "arn", "endpoint", "vpc_id", "reader_endpoint_address", "env", "port",
    "security_groups",
};
/* clang-format on */

/* The new state after an apply: planned with its unknowns filled from s;
 * after a failure, the computed values are s's (what exists). */
static const struct tb_value *apply_result(struct tb_call *c, const struct tb_value *planned,
                                           const struct tb_dbp *s, bool partial)
{
	const struct tb_value *full = NULL;

	if (tb_dbp_state(c->arena, c->meta, s, planned, false, &full) != 0)
		return NULL;
	return tb_kit_apply_result(c->arena, planned, full, partial, computed_attrs,
	                           TB_COUNT(computed_attrs));
}

static int proxy_create(struct tb_op *op, const struct tb_value *planned,
                        const struct tb_value **out)
{
	struct tb_call *c = op->call;
	struct tb_dbp s;
	int err = tb_dbp_load(c->arena, c->meta, planned, &s);

	if (err != 0)
		return err;
	err = tb_dbp_create_bundle(op, &s);
	*out = apply_result(c, planned, &s, err != 0);
	return err;
}

static int proxy_read(struct tb_op *op, const struct tb_value *state, const struct tb_value **out);

static int proxy_update(struct tb_op *op, const struct tb_value *prior,
                        const struct tb_value *planned, const struct tb_value **out)
{
	struct tb_call *c = op->call;
	struct tb_op reread;
	struct tb_dbp old, s;
	const struct tb_value *now = NULL;
	int err = tb_dbp_load(c->arena, c->meta, prior, &old);

	if (err == 0)
		err = tb_dbp_load(c->arena, c->meta, planned, &s);
	if (err != 0)
		return err;
	err = tb_dbp_update_bundle(op, &old, &s);
	if (err == 0) {
		*out = apply_result(c, planned, &s, false);
		return 0;
	}
	/* What AWS has now is the honest state after a failed update. */
	tb_kit_op_init(&reread, c, op->res, "read", prior);
	*out = proxy_read(&reread, prior, &now) == 0 && now ? now : prior;
	return err;
}

static int proxy_delete(struct tb_op *op, const struct tb_value *prior)
{
	struct tb_dbp s;
	int err = tb_dbp_load(op->call->arena, op->call->meta, prior, &s);

	return err == 0 ? tb_dbp_delete_bundle(op, &s) : err;
}

/* ---- read and import ------------------------------------------------------------------ */

static int proxy_read(struct tb_op *op, const struct tb_value *state, const struct tb_value **out)
{
	struct tb_call *c = op->call;
	struct tb_dbp s;
	int err = tb_dbp_load(c->arena, c->meta, state, &s);

	if (err == 0)
		err = tb_dbp_read_bundle(op, &s);
	if (err == TB_ENOTFOUND) {
		*out = tb_null(c->arena, tb_block_type(&tb_dbp_block));
		return 0;
	}
	return err == 0 ? tb_dbp_state(c->arena, c->meta, &s, state, false, out) : err;
}

static int proxy_import(struct tb_op *op, const char *const *parts, size_t n,
                        const struct tb_value **out)
{
	struct tb_call *c = op->call;
	const char *names[] = {"id", "name"}, *values[] = {parts[0], parts[0]};
	const struct tb_value *shape = tb_kit_skeleton(c->arena, &tb_dbp_block, names, values, 2);
	struct tb_dbp s;
	int err = shape ? tb_dbp_load(c->arena, c->meta, shape, &s) : TB_ENOMEM;

	op->rname = parts[0];
	if (err == 0)
		err = tb_dbp_read_bundle(op, &s);
	if (err == TB_ENOTFOUND)
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL,
		             "Cannot import non-existent remote object",
		             "No RDS Proxy named %s in this account and region.", parts[0]);
	return err == 0 ? tb_dbp_state(c->arena, c->meta, &s, shape, true, out) : err;
}

/* AWS errors that one attribute of the configuration explains. */
/* clang-format off */
static const struct tb_error_path error_paths[] = {
    {.code = "DBClusterNotFoundFault", .path = "target.db_cluster"},
    {.code = "DBInstanceNotFound", .path = "target.db_instance"},
    {.code = "DBProxyAlreadyExistsFault", .path = "name"},
    {.code = "InvalidSubnet", .path = "subnets"},
    {.code = "InsufficientAvailableIPsInSubnetFault", .path = "subnets"},
    {.code = NULL},
};
/* clang-format on */

const struct tb_resource tb_resource_database_proxy = {
    .name = TB_DBP_RESOURCE,
    .schema = &tb_dbp_schema,
    .needs_aws = true,
    .timeouts = {.create = CREATE_TIMEOUT_MS,
                 .read = READ_TIMEOUT_MS,
                 .update = UPDATE_TIMEOUT_MS,
                 .delete = DELETE_TIMEOUT_MS},
    .name_attr = "name",
    .import_id = {.format = "<proxy name>",
                  .example = "talentbase-prod-rds-proxy",
                  .min_parts = 1,
                  .max_parts = 1},
    .error_paths = error_paths,
    .validate = proxy_validate,
    .plan = proxy_plan,
    .create = proxy_create,
    .update = proxy_update,
    .delete = proxy_delete,
    .read = proxy_read,
    .import = proxy_import,
};
