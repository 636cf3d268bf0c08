/*
 * talentbase_database_proxy: the schema tables, one per block, and the
 * engine families.
 */
#include <string.h>

#include "resources/database_proxy/database_proxy.h"

#define T_STR  "\"string\""
#define T_NUM  "\"number\""
#define T_BOOL "\"bool\""
#define T_MAP  "[\"map\",\"string\"]"
#define T_SET  "[\"set\",\"string\"]"

#define OC (TB_A_OPTIONAL | TB_A_COMPUTED)

/* clang-format off */
static const struct tb_dbp_engine engines[] = {
    {.family = "MYSQL", .port = 3306, .auth_type_prefix = "MYSQL_"},
    {.family = "POSTGRESQL", .port = 5432, .auth_type_prefix = "POSTGRES_"},
    {.family = "SQLSERVER", .port = 1433, .auth_type_prefix = "SQL_SERVER_"},
};
/* clang-format on */

/* Returns the row of an engine family, or NULL. */
const struct tb_dbp_engine *tb_dbp_engine(const char *family)
{
	for (size_t i = 0; family && i < TB_COUNT(engines); i++)
		if (strcmp(engines[i].family, family) == 0)
			return &engines[i];
	return NULL;
}

/* ---- blocks --------------------------------------------------------------- */

static const struct tb_attr auth_attrs[] = {
    {.name = "secret_arn",
     .type = T_STR,
     .flags = TB_A_REQUIRED,
     .description = "ARN of the Secrets Manager secret holding the database user's "
                    "{\"username\", \"password\"} (rule TB302)."},
    {.name = "iam_auth",
     .type = T_STR,
     .flags = OC,
     .description = "IAM authentication of clients: DISABLED, REQUIRED or ENABLED (default "
                    "DISABLED).",
     .default_json = "\"DISABLED\""},
    {.name = "client_password_auth_type",
     .type = T_STR,
     .flags = OC,
     .description = "How clients send passwords: MYSQL_NATIVE_PASSWORD, "
                    "MYSQL_CACHING_SHA2_PASSWORD, POSTGRES_SCRAM_SHA_256, POSTGRES_MD5 or "
                    "SQL_SERVER_AUTHENTICATION, matching engine_family (default: the engine's, "
                    "as RDS reports it)."},
    {.name = "description",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "What the credentials are for."},
};

static const struct tb_block auth_block = {
    .attrs = auth_attrs,
    .n_attrs = TB_COUNT(auth_attrs),
    .description = "How the proxy authenticates to the database: one block per database "
                   "user, credentials only from Secrets Manager (never inline).",
};

static const struct tb_attr target_attrs[] = {
    {.name = "db_cluster",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "Identifier of the Aurora DB cluster behind the proxy."},
    {.name = "db_instance",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "Identifier of the RDS DB instance behind the proxy."},
};

static const struct tb_block target_block = {
    .attrs = target_attrs,
    .n_attrs = TB_COUNT(target_attrs),
    .description = "The database the proxy connects to: exactly one of db_cluster or "
                   "db_instance. Registration waits while the database is still being "
                   "created or modified; changing it deregisters the old one and registers "
                   "the new one in place.",
};

static const struct tb_attr pool_attrs[] = {
    {.name = "connection_borrow_timeout",
     .type = T_NUM,
     .flags = OC,
     .description = "Seconds a client waits for a free connection, 0-3600 (default 120).",
     .default_json = "120"},
    {.name = "max_connections_percent",
     .type = T_NUM,
     .flags = OC,
     .description = "Share of the database's max_connections the proxy may open, 1-100 "
                    "(default 100).",
     .default_json = "100"},
    {.name = "max_idle_connections_percent",
     .type = T_NUM,
     .flags = OC,
     .description = "Share of max_connections the proxy keeps open while idle, 0 up to "
                    "max_connections_percent (default 50).",
     .default_json = "50"},
    {.name = "init_query",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "SQL run on each new database connection, e.g. \"SET time_zone = "
                    "'UTC'\" (default none)."},
    {.name = "session_pinning_filters",
     .type = T_SET,
     .flags = OC,
     .description = "Operations that do not pin a session to a connection, e.g. "
                    "[\"EXCLUDE_VARIABLE_SETS\"] (default none).",
     .default_json = "[]"},
};

static const struct tb_block pool_block = {
    .attrs = pool_attrs,
    .n_attrs = TB_COUNT(pool_attrs),
    .description = "Connection pool of the default target group. Without this block the "
                   "documented settings apply: borrow timeout 120 s, 100 % max connections, "
                   "50 % idle (rule TB303).",
};

static const struct tb_attr reader_attrs[] = {
    {.name = "enabled",
     .type = T_BOOL,
     .flags = OC,
     .description = "Create a READ_ONLY proxy endpoint <name>-reader for the cluster's "
                    "readers (default false).",
     .default_json = "false"},
};

static const struct tb_block reader_block = {
    .attrs = reader_attrs,
    .n_attrs = TB_COUNT(reader_attrs),
    .description = "A read-only endpoint for the Aurora readers (Infrastructure Enhancements "
                   "4D); its address is reader_endpoint_address.",
};

static const struct tb_attr timeouts_attrs[] = {
    {.name = "create",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "How long create may take, waits included, e.g. \"45m\" (default 30m)."},
    {.name = "update",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "How long update may take (default 30m)."},
    {.name = "delete",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "How long delete may take (default 60m)."},
};

static const struct tb_block timeouts_block = {
    .attrs = timeouts_attrs,
    .n_attrs = TB_COUNT(timeouts_attrs),
    .description = "Operation timeouts.",
};

/* ---- the resource --------------------------------------------------------- */

static const struct tb_attr proxy_attrs[] = {
    {.name = "id", .type = T_STR, .flags = TB_A_COMPUTED, .description = "The proxy's name."},
    {.name = "name",
     .type = T_STR,
     .flags = TB_A_REQUIRED | TB_A_FORCE_NEW,
     .description = "Proxy name: 1-63 letters, digits and hyphens, starting with a letter. "
                    "Changing it replaces the proxy."},
    {.name = "engine_family",
     .type = T_STR,
     .flags = TB_A_REQUIRED | TB_A_FORCE_NEW,
     .description = "MYSQL, POSTGRESQL or SQLSERVER (rule TB304). Changing it replaces the "
                    "proxy."},
    {.name = "role_arn",
     .type = T_STR,
     .flags = TB_A_REQUIRED,
     .description = "IAM role the proxy reads the auth secrets with "
                    "(secretsmanager:GetSecretValue, kms:Decrypt)."},
    {.name = "subnets",
     .type = T_SET,
     .flags = TB_A_REQUIRED | TB_A_FORCE_NEW,
     .description = "Subnets of the proxy, one VPC, two or more Availability Zones (rule "
                    "TB305). Changing them replaces the proxy."},
    {.name = "security_groups",
     .type = T_SET,
     .flags = OC,
     .description = "Security groups of the proxy (default: the VPC's default group). They "
                    "must allow outbound TCP to the database port."},
    {.name = "require_tls",
     .type = T_BOOL,
     .flags = OC,
     .description = "Clients must connect with TLS (default true; rule TB301).",
     .default_json = "true"},
    {.name = "idle_client_timeout",
     .type = T_NUM,
     .flags = OC,
     .description = "Seconds an idle client connection stays open, 1-28800 (default 1800).",
     .default_json = "1800"},
    {.name = "debug_logging",
     .type = T_BOOL,
     .flags = OC,
     .description = "Log the SQL statements the proxy sees (default false; a debugging aid "
                    "that may log sensitive data).",
     .default_json = "false"},
    {.name = "wait_for_targets",
     .type = T_BOOL,
     .flags = OC,
     .description = "Wait until the target is AVAILABLE, and fail with AWS's reason and what "
                    "to check when it stays UNAVAILABLE (default true).",
     .default_json = "true"},
    {.name = "tags",
     .type = T_MAP,
     .flags = TB_A_OPTIONAL,
     .description = "Tags of the proxy and its reader endpoint, over the provider's "
                    "default_tags."},
    {.name = "tags_all",
     .type = T_MAP,
     .flags = TB_A_COMPUTED,
     .description = "tags merged over the provider's default_tags."},
    {.name = "acknowledge",
     .type = T_MAP,
     .flags = TB_A_OPTIONAL,
     .description = "Rule ID -> reason: turns that rule's error into a warning."},
    {.name = "arn", .type = T_STR, .flags = TB_A_COMPUTED, .description = "ARN of the proxy."},
    {.name = "endpoint",
     .type = T_STR,
     .flags = TB_A_COMPUTED,
     .description = "Host name applications connect to (read/write)."},
    {.name = "reader_endpoint_address",
     .type = T_STR,
     .flags = TB_A_COMPUTED,
     .description = "Host name of the READ_ONLY endpoint, when reader_endpoint is enabled."},
    {.name = "vpc_id", .type = T_STR, .flags = TB_A_COMPUTED, .description = "VPC of the proxy."},
    {.name = "port",
     .type = T_NUM,
     .flags = TB_A_COMPUTED,
     .description = "Port the proxy listens on: 3306 (MYSQL), 5432 (POSTGRESQL), 1433 "
                    "(SQLSERVER)."},
    {.name = "env",
     .type = T_MAP,
     .flags = TB_A_COMPUTED,
     .description = "{DB_HOST = endpoint, DB_PORT = port}, to merge into "
                    "talentbase_service.environment."},
};

static const struct tb_nested proxy_nested[] = {
    {.name = "auth",
     .nesting = TB_NEST_LIST,
     .block = &auth_block,
     .min_items = 1,
     .max_items = 200},
    {.name = "target",
     .nesting = TB_NEST_SINGLE,
     .block = &target_block,
     .min_items = 1,
     .max_items = 1},
    {.name = "pool",
     .nesting = TB_NEST_SINGLE,
     .block = &pool_block,
     .min_items = 0,
     .max_items = 1},
    {.name = "reader_endpoint",
     .nesting = TB_NEST_SINGLE,
     .block = &reader_block,
     .min_items = 0,
     .max_items = 1},
    {.name = "timeouts",
     .nesting = TB_NEST_SINGLE,
     .block = &timeouts_block,
     .min_items = 0,
     .max_items = 1},
};

const struct tb_block tb_dbp_block = {
    .attrs = proxy_attrs,
    .n_attrs = TB_COUNT(proxy_attrs),
    .blocks = proxy_nested,
    .n_blocks = TB_COUNT(proxy_nested),
    .description = "An RDS Proxy in front of a database as Infrastructure Enhancements 4B "
                   "configures it: TLS required, credentials from Secrets Manager, the "
                   "documented pool, the database registered as target (and a reader "
                   "endpoint), checked against the team's rules (TB301-TB305).",
};

const struct tb_schema tb_dbp_schema = {
    .version = 0,
    .block = &tb_dbp_block,
};

/* clang-format off */
static const struct {
	const char *path;
	const struct tb_block *block;
} block_paths[] = {
    {.path = "", .block = &tb_dbp_block},
    {.path = "auth", .block = &auth_block},
    {.path = "target", .block = &target_block},
    {.path = "pool", .block = &pool_block},
    {.path = "reader_endpoint", .block = &reader_block},
    {.path = "timeouts", .block = &timeouts_block},
};
/* clang-format on */

/* Returns the block table at a dotted path ("" is the resource), or NULL. */
const struct tb_block *tb_dbp_block_at(const char *path)
{
	for (size_t i = 0; path && i < TB_COUNT(block_paths); i++)
		if (strcmp(block_paths[i].path, path) == 0)
			return block_paths[i].block;
	return NULL;
}
