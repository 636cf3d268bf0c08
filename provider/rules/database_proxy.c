/*
 * Rules of talentbase_database_proxy (TB301-TB305): the checks, then the
 * table.
 */
#include <string.h>

#include "rules/rule.h"

#define DOC_IE   "Infrastructure Enhancements Documentation"
#define DOC_ARCH "AWS Infrastructure Architecture"

#define ALL(s)                                                                                     \
	{                                                                                          \
		s, s, s                                                                            \
	}

static const char *const engine_families[] = {"MYSQL", "POSTGRESQL", "SQLSERVER"};

/* ---- TB301 TLS ---------------------------------------------------------------- */

static void check_tls(struct tb_rule_ctx *c)
{
	bool tls;

	if (tb_get_bool(tb_attr(c->v, "require_tls"), &tls) && !tls)
		tb_rules_report(
		    c, 0, "require_tls",
		    "require_tls = false lets applications connect to the proxy without "
		    "TLS.");
}

/* ---- TB302 authentication ---------------------------------------------------- */

static size_t colons(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == ':';
	return n;
}

/* auth[i].secret_arn must name a Secrets Manager secret itself in the
 * provider's partition (level 1, shape), and its region (level 2). */
static void check_secret_arn(struct tb_rule_ctx *c, size_t i, const struct tb_value *v)
{
	const char *arn = tb_get_str(v);
	const char *err;
	unsigned level = 1;

	if (!tb_is_known(v) || arn == NULL)
		return;
	err = tb_rules_secret_ref_error(c->a, arn, c->env->partition, NULL);
	if (err == NULL && (strstr(arn, ":secretsmanager:") == NULL || colons(arn) != 6))
		err = "RDS Proxy needs the ARN of a Secrets Manager secret itself "
		      "(arn:<partition>:secretsmanager:<region>:<account>:secret:<name>), "
		      "without a JSON key or version";
	if (err == NULL && tb_rules_wants(c, 2)) {
		level = 2;
		err = tb_rules_secret_ref_error(c->a, arn, NULL, c->env->region);
	}
	if (err != NULL)
		tb_rules_report_item(c, level, "auth", (int64_t)i, "secret_arn",
		                     "auth[%zu].secret_arn: %s.", i, err);
}

/* A credential written into an auth block's description would sit in state
 * and plans (level 0). */
static void check_description(struct tb_rule_ctx *c, size_t i, const struct tb_value *v)
{
	const char *kind = tb_is_known(v) ? tb_rules_credential_kind(tb_get_str(v)) : NULL;

	if (kind != NULL)
		tb_rules_report_item(
		    c, 0, "auth", (int64_t)i, "description",
		    "auth[%zu].description looks like %s: credentials belong in the "
		    "secret, not in the configuration.",
		    i, kind);
}

static void check_auth(struct tb_rule_ctx *c)
{
	const struct tb_value *list = tb_rules_coll(c->v, "auth", TB_LIST);

	for (size_t i = 0; list != NULL && i < list->u.coll.n; i++) {
		const struct tb_value *o = list->u.coll.items[i];
		if (!tb_is_known(o))
			continue;
		check_secret_arn(c, i, tb_attr(o, "secret_arn"));
		check_description(c, i, tb_attr(o, "description"));
	}
}

/* ---- TB303 pool ------------------------------------------------------------------- */

static void check_pool(struct tb_rule_ctx *c)
{
	double max_conn, max_idle, borrow;
	bool has_max = tb_rules_num(c->v, "pool.max_connections_percent", &max_conn);

	if (has_max && (max_conn < 1 || max_conn > 100))
		tb_rules_report(c, 0, "pool.max_connections_percent",
		                "pool.max_connections_percent = %s is outside 1 to 100.",
		                tb_rules_num_text(c->a, max_conn));
	if (tb_rules_num(c->v, "pool.max_idle_connections_percent", &max_idle) &&
	    (max_idle < 0 || (has_max && max_idle > max_conn)))
		tb_rules_report(c, 0, "pool.max_idle_connections_percent",
		                "pool.max_idle_connections_percent = %s must be between 0 and "
		                "max_connections_percent.",
		                tb_rules_num_text(c->a, max_idle));
	if (tb_rules_num(c->v, "pool.connection_borrow_timeout", &borrow) &&
	    (borrow < 0 || borrow > 3600))
		tb_rules_report(c, 0, "pool.connection_borrow_timeout",
		                "pool.connection_borrow_timeout = %s is outside 0 to 3600 seconds.",
		                tb_rules_num_text(c->a, borrow));
}

/* ---- TB304 engine family ---------------------------------------------------------- */

static void check_engine_family(struct tb_rule_ctx *c)
{
	const char *family;

	if (!tb_rules_str(c->v, "engine_family", &family))
		return;
	for (size_t i = 0; i < TB_COUNT(engine_families); i++) {
		if (strcmp(family, engine_families[i]) == 0)
			return;
	}
	tb_rules_report(c, 0, "engine_family",
	                "engine_family = \"%s\" is not MYSQL, POSTGRESQL or SQLSERVER.", family);
}

/* ---- TB305 subnets ------------------------------------------------------------------- */

static void check_subnets(struct tb_rule_ctx *c)
{
	const struct tb_value *subnets = tb_attr(c->v, "subnets");

	if (tb_is_known(subnets) && tb_len(subnets) < 2)
		tb_rules_report(c, 0, "subnets",
		                "%zu subnet(s): the proxy runs in a single Availability Zone.",
		                tb_len(subnets));
}

static const struct tb_rule proxy_rules[] = {
    {
        .id = "TB301",
        .resource = "talentbase_database_proxy",
        .path = "require_tls",
        .summary = "the proxy must require TLS",
        .levels = {{"require_tls = false", ALL(TB_ERR), TB_PRACTICE}},
        .source = DOC_IE ", \"B. RDS Proxy for Connection Pooling (NEW)\" (require_tls = true)",
        .rationale = "Without TLS, database credentials and data cross the network in clear "
                     "text between the tasks and the proxy; the documents require TLS for "
                     "database connections.",
        .instead = "require_tls = true (the default).",
        .check = check_tls,
    },
    {
        .id = "TB302",
        .resource = "talentbase_database_proxy",
        .path = "auth.secret_arn",
        .summary = "the proxy authenticates through Secrets Manager or IAM only",
        .levels = {{"a credential in an auth block's description", ALL(TB_ERR), TB_PRACTICE},
                   {"an auth block's secret_arn that is not the ARN of a Secrets Manager secret, "
                    "or is in another partition than the provider",
                    ALL(TB_ERR), TB_SHAPE},
                   {"an auth block's secret_arn in another region than the provider", ALL(TB_ERR),
                    TB_PRACTICE}},
        .source = DOC_IE ", \"B. RDS Proxy for Connection Pooling (NEW)\" and \"C. RDS Proxy "
                         "IAM Role\"",
        .rationale = "The proxy reads database credentials from Secrets Manager with its IAM "
                     "role; credentials written into the configuration end up in state and "
                     "plans.",
        .instead = "auth { secret_arn = talentbase_secret.db.arn } with role_arn allowed to "
                   "read it.",
        .check = check_auth,
    },
    {
        .id = "TB303",
        .resource = "talentbase_database_proxy",
        .path = "pool",
        .summary = "pool settings must be consistent",
        .levels = {{"max_connections_percent outside 1-100, max_idle_connections_percent "
                    "above it, connection_borrow_timeout outside 0-3600",
                    ALL(TB_ERR), TB_SHAPE}},
        .source = DOC_IE ", \"B. RDS Proxy for Connection Pooling (NEW)\" (Connection Pool "
                         "Settings); RDS API, ModifyDBProxyTargetGroup",
        .rationale = "RDS rejects these when the target group is modified, after the proxy "
                     "was created.",
        .instead = "pool { connection_borrow_timeout = 120, max_connections_percent = 100, "
                   "max_idle_connections_percent = 50 }.",
        .check = check_pool,
    },
    {
        .id = "TB304",
        .resource = "talentbase_database_proxy",
        .path = "engine_family",
        .summary = "engine_family must be MYSQL, POSTGRESQL or SQLSERVER",
        .levels = {{"engine_family is another value", ALL(TB_ERR), TB_SHAPE}},
        .source = "RDS API, CreateDBProxy (EngineFamily)",
        .rationale = "RDS Proxy supports only these engine families.",
        .instead = "engine_family = \"POSTGRESQL\" (or \"MYSQL\", \"SQLSERVER\").",
        .check = check_engine_family,
    },
    {
        .id = "TB305",
        .resource = "talentbase_database_proxy",
        .path = "subnets",
        .summary = "the proxy should span at least two subnets",
        .levels = {{"fewer than 2 subnets", ALL(TB_WARN), TB_PRACTICE}},
        .source = DOC_ARCH ", \"Database: RDS PostgreSQL\" (Multi-AZ: Yes) and \"Subnets\"",
        .rationale = "A proxy in one subnet lives in one Availability Zone: when that zone "
                     "fails, every connection fails, although the database itself is "
                     "Multi-AZ.",
        .instead = "subnets = var.private_subnet_ids (one per Availability Zone).",
        .check = check_subnets,
    },
};

const struct tb_rules_set tb_rules_database_proxy = {
    .resource = "talentbase_database_proxy",
    .rules = proxy_rules,
    .n = TB_COUNT(proxy_rules),
};
