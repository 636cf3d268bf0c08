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

/* Arguments that would carry a database credential inline. */
static const char *const inline_credentials[] = {"username", "password"};

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

/* NULL when arn names a Secrets Manager secret itself in partition (NULL: any),
 * else what is wrong. */
static const char *proxy_secret_error(struct tb_rule_ctx *c, const char *arn)
{
	const char *err = tb_rules_secret_ref_error(c->a, arn, c->env->partition, NULL);

	if (err == NULL && (strstr(arn, ":secretsmanager:") == NULL || colons(arn) != 6))
		err = "RDS Proxy needs the ARN of a Secrets Manager secret itself "
		      "(arn:<partition>:secretsmanager:<region>:<account>:secret:<name>), "
		      "without a JSON key or version";
	return err;
}

/* The ARN itself and its partition (level 1), then its region (level 2). */
static void check_secret_arns(struct tb_rule_ctx *c, const struct tb_value *arns)
{
	for (size_t i = 0; i < arns->u.coll.n; i++) {
		const char *arn = tb_get_str(arns->u.coll.items[i]);
		const char *err;
		unsigned level = 1;

		if (tb_is_unknown(arns->u.coll.items[i]))
			continue;
		err = proxy_secret_error(c, arn);
		if (err == NULL && tb_rules_wants(c, 2)) {
			level = 2;
			err = tb_rules_secret_ref_error(c->a, arn, NULL, c->env->region);
		}
		if (err != NULL)
			tb_rules_report_item(c, level, "secret_arns", (int64_t)i, NULL,
			                     "secret_arns[%zu]: %s.", i, err);
	}
}

static void check_auth(struct tb_rule_ctx *c)
{
	const struct tb_value *arns = tb_rules_coll(c->v, "secret_arns", TB_LIST);

	for (size_t i = 0; i < TB_COUNT(inline_credentials); i++) {
		if (tb_is_known(tb_attr(c->v, inline_credentials[i])))
			tb_rules_report(
			    c, 0, inline_credentials[i],
			    "%s is given inline: it would be stored in state and shown in "
			    "plans.",
			    inline_credentials[i]);
	}
	if (arns != NULL)
		check_secret_arns(c, arns);
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
        .path = "secret_arns",
        .summary = "the proxy authenticates through Secrets Manager or IAM only",
        .levels = {{"an inline username or password", ALL(TB_ERR), TB_PRACTICE},
                   {"a secret_arns entry that is not the ARN of a Secrets Manager secret, or is "
                    "in another partition than the provider",
                    ALL(TB_ERR), TB_SHAPE},
                   {"a secret_arns entry in another region than the provider", ALL(TB_ERR),
                    TB_PRACTICE}},
        .source = DOC_IE ", \"B. RDS Proxy for Connection Pooling (NEW)\" and \"C. RDS Proxy "
                         "IAM Role\"",
        .rationale = "The proxy reads database credentials from Secrets Manager with its IAM "
                     "role; credentials written into the configuration end up in state and "
                     "plans.",
        .instead = "secret_arns = [talentbase_secret.db.arn] with role_arn allowed to read "
                   "them.",
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
