/*
 * talentbase_database_proxy: between cty values and struct tb_dbp, through
 * the kit's field engine. The table maps every attribute to its field; the
 * auth blocks (a list-nested block) are the resource's own.
 */
#include <stddef.h>
#include <string.h>

#include "resources/database_proxy/database_proxy.h"

#define DBP_FIELD(b, a, k, member) TB_KIT_FIELD(struct tb_dbp, b, a, TB_KIT_##k, member, 0)

/* clang-format off */
static const struct tb_kit_field fields[] = {
    DBP_FIELD("", "id", STR, id),
    DBP_FIELD("", "name", STR, name),
    DBP_FIELD("", "engine_family", STR, engine_family),
    DBP_FIELD("", "role_arn", STR, role_arn),
    DBP_FIELD("", "subnets", STRS, subnets),
    DBP_FIELD("", "security_groups", STRS, security_groups),
    DBP_FIELD("", "require_tls", BOOL, require_tls),
    DBP_FIELD("", "idle_client_timeout", INT, idle_client_timeout),
    DBP_FIELD("", "debug_logging", BOOL, debug_logging),
    TB_KIT_FIELD(struct tb_dbp, "", "wait_for_targets", TB_KIT_BOOL, wait_for_targets, TB_KIT_LOCAL),
    DBP_FIELD("", "tags", KVS, tags),
    DBP_FIELD("", "tags_all", KVS, tags_all),
    DBP_FIELD("", "arn", STR, arn),
    DBP_FIELD("", "endpoint", STR, endpoint),
    DBP_FIELD("", "reader_endpoint_address", STR, reader_endpoint_address),
    DBP_FIELD("", "vpc_id", STR, vpc_id),
    DBP_FIELD("", "port", INT, port),
    DBP_FIELD("", "env", KVS, env),
    DBP_FIELD("target", "db_cluster", STR, target.db_cluster),
    DBP_FIELD("target", "db_instance", STR, target.db_instance),
    DBP_FIELD("pool", "connection_borrow_timeout", INT, pool.borrow_timeout),
    DBP_FIELD("pool", "max_connections_percent", INT, pool.max_connections),
    DBP_FIELD("pool", "max_idle_connections_percent", INT, pool.max_idle),
    DBP_FIELD("pool", "init_query", STR, pool.init_query),
    DBP_FIELD("pool", "session_pinning_filters", STRS, pool.pinning),
    DBP_FIELD("reader_endpoint", "enabled", BOOL, reader.enabled),
};

#define DBP_BLOCK(p, k, member) TB_KIT_BLOCK(struct tb_dbp, p, TB_KIT_##k, member)

static const struct tb_kit_blockdef block_defs[] = {
    DBP_BLOCK("target", REQUIRED, target.set),
    DBP_BLOCK("pool", SETTINGS, pool.set),
    DBP_BLOCK("reader_endpoint", SETTINGS, reader.set),
    TB_KIT_OPAQUE_BLOCK("timeouts"),
};
/* clang-format on */

/* ---- auth: the list-nested block ---------------------------------------------- */

static const char *str_or(const struct tb_value *v, const char *dflt)
{
	const char *s = tb_get_str(v);
	return s ? s : dflt;
}

/* The auth list (in order) into s->auth, iam_auth defaulting to DISABLED. */
static int load_auth(struct tb_arena *a, const struct tb_value *v, void *out)
{
	struct tb_dbp *s = out;
	const struct tb_value *list = tb_attr(v, "auth");
	size_t n = tb_is_known(list) ? tb_len(list) : 0;

	s->auth = tb_arena_alloc(a, (n + 1) * sizeof(*s->auth));
	if (s->auth == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct tb_value *o = list->u.coll.items[i];
		s->auth[i] = (struct tb_dbp_auth){
		    .secret_arn = tb_get_str(tb_attr(o, "secret_arn")),
		    .iam_auth = str_or(tb_attr(o, "iam_auth"), "DISABLED"),
		    .client_password_auth_type =
		        tb_get_str(tb_attr(o, "client_password_auth_type")),
		    .description = tb_get_str(tb_attr(o, "description")),
		};
	}
	s->n_auth = n;
	return 0;
}

static bool auth_one_equal(const struct tb_dbp_auth *x, const struct tb_dbp_auth *y)
{
	return tb_str_eq(x->secret_arn, y->secret_arn) && tb_str_eq(x->iam_auth, y->iam_auth) &&
	       tb_str_eq(x->client_password_auth_type, y->client_password_auth_type) &&
	       tb_str_eq(x->description, y->description);
}

/* Auth blocks compare in order: RDS keeps the order they were given in. */
static bool auth_equal(const char *block, const void *px, const void *py)
{
	const struct tb_dbp *x = px, *y = py;

	if (strcmp(block, "auth") != 0)
		return true;
	if (x->n_auth != y->n_auth)
		return false;
	for (size_t i = 0; i < x->n_auth; i++)
		if (!auth_one_equal(&x->auth[i], &y->auth[i]))
			return false;
	return true;
}

static const struct tb_value *opt_str(struct tb_arena *a, const char *s)
{
	return s ? tb_string(a, s) : tb_null(a, &tb_type_string);
}

static const struct tb_value *build_one_auth(struct tb_arena *a, const struct tb_type *t,
                                             const struct tb_dbp_auth *au)
{
	const char *names[] = {"secret_arn", "iam_auth", "client_password_auth_type",
	                       "description"};
	const struct tb_value *vals[] = {
	    opt_str(a, au->secret_arn ? au->secret_arn : ""),
	    opt_str(a, au->iam_auth ? au->iam_auth : "DISABLED"),
	    opt_str(a, au->client_password_auth_type),
	    opt_str(a, au->description),
	};
	const struct tb_value **items = tb_arena_alloc(a, (t->n + 1) * sizeof(*items));

	if (items == NULL)
		return NULL;
	for (size_t i = 0; i < t->n; i++) {
		items[i] = NULL;
		for (size_t k = 0; k < TB_COUNT(names); k++)
			if (strcmp(t->names[i], names[k]) == 0)
				items[i] = vals[k];
		if (items[i] == NULL)
			return NULL;
	}
	return tb_object(a, t, items);
}

/* The auth list AWS reports, in its order. */
static const struct tb_value *build_auth(struct tb_arena *a, const char *path, const void *act,
                                         const struct tb_type *t, const struct tb_value *prior)
{
	const struct tb_dbp *s = act;
	const struct tb_value **items = tb_arena_alloc(a, (s->n_auth + 1) * sizeof(*items));

	if (items == NULL || strcmp(path, "auth") != 0)
		return NULL;
	for (size_t i = 0; i < s->n_auth; i++)
		if ((items[i] = build_one_auth(a, t->elem, &s->auth[i])) == NULL)
			return NULL;
	return tb_list(a, t, s->n_auth, items);
}

/* clang-format off */
const struct tb_kit_model tb_dbp_model = {
    .fields = fields, .n_fields = TB_COUNT(fields),
    .blocks = block_defs, .n_blocks = TB_COUNT(block_defs),
    .block_at = tb_dbp_block_at,
    .load_nested = load_auth,
    .build_nested = build_auth,
    .nested_equal = auth_equal,
};
/* clang-format on */

/* Reads v into *out, resolving defaults. See database_proxy.h. */
int tb_dbp_load(struct tb_arena *a, const struct tb_meta *meta, const struct tb_value *v,
                struct tb_dbp *out)
{
	struct tb_dbp s;
	int err;

	memset(&s, 0, sizeof(s));
	err = tb_kit_load(&tb_dbp_model, a, meta, v, &s);
	if (err == 0)
		*out = s;
	return err;
}

/* Compares one block. See database_proxy.h. */
bool tb_dbp_block_equal(const char *block, const struct tb_dbp *x, const struct tb_dbp *y)
{
	return tb_kit_block_equal(&tb_dbp_model, block, x, y);
}

/* Compares one attribute. See database_proxy.h. */
bool tb_dbp_attr_equal(const char *block, const char *attr, const struct tb_dbp *x,
                       const struct tb_dbp *y)
{
	return tb_kit_attr_equal(&tb_dbp_model, block, attr, x, y);
}

/* {DB_HOST, DB_PORT} for talentbase_service.environment. See database_proxy.h. */
int tb_dbp_env(struct tb_arena *a, struct tb_dbp *s)
{
	struct tb_kv *kv = tb_arena_alloc(a, 2 * sizeof(*kv));

	if (kv == NULL)
		return TB_ENOMEM;
	s->env = (struct tb_kvs){.n = 0, .v = kv};
	if (s->endpoint == NULL || s->port <= 0)
		return 0;
	kv[0] = (struct tb_kv){.key = "DB_HOST", .value = s->endpoint};
	kv[1] = (struct tb_kv){.key = "DB_PORT",
	                       .value = tb_arena_printf(a, "%lld", (long long)s->port)};
	s->env.n = 2;
	return kv[1].value ? 0 : TB_ENOMEM;
}

/* Builds the state for actual, shaped after prior. See database_proxy.h. */
int tb_dbp_state(struct tb_arena *a, const struct tb_meta *meta, const struct tb_dbp *actual,
                 const struct tb_value *prior, bool emit_all, const struct tb_value **out)
{
	struct tb_dbp dflt, act = *actual;
	const struct tb_dbp_engine *e = tb_dbp_engine(act.engine_family);
	int err = tb_dbp_load(a, meta, prior, &dflt);

	if (err != 0)
		return err;
	act.id = act.name;
	act.wait_for_targets = dflt.wait_for_targets;
	act.port = e ? e->port : 0;
	if (!act.reader.enabled)
		act.reader_endpoint_address = NULL;
	err = tb_dbp_env(a, &act);
	if (err == 0)
		err = tb_kit_tags_actual(a, meta, prior, &act.tags_all, &act.tags);
	return err == 0 ? tb_kit_build_state(&tb_dbp_model, a, &act, &dflt, prior, emit_all, out)
	                : err;
}
